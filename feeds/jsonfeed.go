package feeds

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	gorilla "github.com/gorilla/feeds"
)

const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

// jsonFeed is a JSON Feed 1.1 document. gorilla's JSONFeed cannot be used:
// it drops an empty items array (required), writes the deprecated author,
// and has no feed_url or item language. Field order is key order.
type jsonFeed struct {
	Version     string               `json:"version"`
	Title       string               `json:"title"`
	HomePageURL string               `json:"home_page_url,omitempty"`
	FeedURL     string               `json:"feed_url,omitempty"`
	Description string               `json:"description,omitempty"`
	Language    string               `json:"language,omitempty"`
	Authors     []gorilla.JSONAuthor `json:"authors,omitempty"`
	// NextURL is the next document back in time: the newest archive
	// from the current document, the one before from an archive.
	NextURL string     `json:"next_url,omitempty"`
	Hubs    []jsonHub  `json:"hubs,omitempty"`
	Items   []jsonItem `json:"items"` // required, [] when empty
}

type jsonHub struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// jsonItem is one item. ContentHTML and ContentText are pointers so that
// an item without content still writes content_text, even empty: the
// specification requires one of the two.
type jsonItem struct {
	ID            string               `json:"id"`
	URL           string               `json:"url,omitempty"`
	Title         string               `json:"title,omitempty"`
	ContentHTML   *string              `json:"content_html,omitempty"`
	ContentText   *string              `json:"content_text,omitempty"`
	Summary       string               `json:"summary,omitempty"`
	Image         string               `json:"image,omitempty"`
	DatePublished string               `json:"date_published,omitempty"`
	DateModified  string               `json:"date_modified,omitempty"`
	Authors       []gorilla.JSONAuthor `json:"authors,omitempty"`
	Tags          []string             `json:"tags,omitempty"`
	Language      string               `json:"language,omitempty"`
	Attachments   []jsonAttachment     `json:"attachments,omitempty"`
	Feedloom      *jsonExtension       `json:"_feedloom,omitempty"`
}

// jsonExtension is feedloom's extension object of an item (JSON Feed 1.1:
// a key that starts with an underscore): what the format has no field for.
type jsonExtension struct {
	Translations []jsonTranslation `json:"translations"`
}

// jsonTranslation is the item in another language; id is left out for an
// upstream's alternate, which names no item.
type jsonTranslation struct {
	Language string `json:"language"`
	ID       string `json:"id,omitempty"`
	URL      string `json:"url"`
}

// jsonAttachment is an attachment; gorilla's JSONAttachment names the size
// "size" instead of "size_in_bytes".
type jsonAttachment struct {
	URL         string `json:"url"`
	MIMEType    string `json:"mime_type"`
	SizeInBytes int64  `json:"size_in_bytes,omitempty"`
}

// WriteJSON writes f as a JSON Feed 1.1 document to w, indented by two
// spaces with a final newline, HTML characters unescaped. items is always
// present. An item without Content carries its Summary as content_text
// (and no separate summary). An item's translations are in the extension
// object "_feedloom": {"translations": [{"language", "id", "url"}]}. Dates are RFC 3339 in f.Zone, to the second;
// empty optional fields are left out. The document is streamed to w an
// item at a time, so w sees it in pieces, and after an error a part of it.
func WriteJSON(w io.Writer, f *Feed) error {
	bw := bufio.NewWriterSize(w, xmlBuffer)
	if err := f.writeJSON(bw); err != nil {
		return fmt.Errorf("feeds: json %q: encode: %w", f.SelfURL, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("feeds: json %q: write: %w", f.SelfURL, err)
	}
	return nil
}

// jsonItemsEnd is how the head of the document, encoded with no items,
// ends: the items array, empty, closing the feed object.
const jsonItemsEnd = "[]\n}\n"

// writeJSON writes the document as encoding/json would encode it whole
// (two-space indent), without holding it whole: the feed object is encoded
// with no items and cut before its empty items array, then each item is
// encoded on its own at the depth it has in the document.
func (f *Feed) writeJSON(w *bufio.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f.jsonHead()); err != nil {
		return err
	}
	head, ok := bytes.CutSuffix(buf.Bytes(), []byte(jsonItemsEnd))
	if !ok {
		return fmt.Errorf("feed object ends %q, want the items array last", buf.Bytes()[max(0, buf.Len()-20):])
	}
	w.Write(head)
	if len(f.Items) == 0 {
		w.WriteString(jsonItemsEnd)
		return nil
	}
	w.WriteByte('[')
	// An item is the array's element inside the feed object: its lines
	// are indented two levels deep.
	enc.SetIndent("    ", "  ")
	for i := range f.Items {
		buf.Reset()
		if err := enc.Encode(f.jsonItem(&f.Items[i])); err != nil {
			return err
		}
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString("\n    ")
		w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	w.WriteString("\n  ]\n}\n")
	return nil
}

// jsonHead is the feed object with an empty items array.
func (f *Feed) jsonHead() *jsonFeed {
	out := &jsonFeed{
		Version:     jsonFeedVersion,
		Title:       cleanText(f.Title),
		HomePageURL: cleanText(f.Link),
		FeedURL:     cleanText(f.SelfURL),
		Description: cleanText(f.Description),
		Language:    cleanText(f.Language),
		Authors:     jsonAuthors(f.Authors),
		NextURL:     cleanText(f.PrevArchive),
		Items:       []jsonItem{},
	}
	if hub := cleanText(f.Hub); hub != "" {
		out.Hubs = []jsonHub{{Type: "WebSub", URL: hub}}
	}
	return out
}

func (f *Feed) jsonItem(it *Item) jsonItem {
	out := jsonItem{
		ID:            cleanText(it.ID),
		URL:           cleanText(it.Link),
		Title:         cleanText(it.Title),
		Image:         cleanText(it.Image),
		DatePublished: f.formatTime(it.Published, time.RFC3339),
		DateModified:  f.formatTime(it.Updated, time.RFC3339),
		Authors:       jsonAuthors(it.Authors),
		Tags:          cleanTexts(it.Categories),
		Language:      cleanText(it.Language),
	}
	if strings.TrimSpace(out.Title) == "" {
		out.Title = "" // JSON Feed 1.1: title is optional
	}
	summary := cleanText(it.Summary)
	if content := cleanText(it.Content); content != "" {
		out.ContentHTML = &content
		out.Summary = summary
	} else {
		out.ContentText = &summary
	}
	for _, e := range it.Enclosures {
		u := cleanText(e.URL)
		if u == "" {
			continue
		}
		out.Attachments = append(out.Attachments, jsonAttachment{
			URL:         u,
			MIMEType:    cmpText(e.Type, "application/octet-stream"),
			SizeInBytes: max(e.Length, 0),
		})
	}
	if trs := translations(it); len(trs) > 0 {
		out.Feedloom = &jsonExtension{}
		for _, tr := range trs {
			out.Feedloom.Translations = append(out.Feedloom.Translations, jsonTranslation(tr))
		}
	}
	return out
}

// jsonAuthors converts people to JSON Feed authors, which have no e-mail
// field: a person without a URL gets a mailto: URL instead, and a person
// without a name is named by e-mail address.
func jsonAuthors(ps []Person) []gorilla.JSONAuthor {
	var out []gorilla.JSONAuthor
	for _, p := range ps {
		a := gorilla.JSONAuthor{Name: cmpText(p.Name, p.Email), Url: cleanText(p.URL)}
		if email := cleanText(p.Email); a.Url == "" && email != "" {
			a.Url = "mailto:" + email
		}
		if a.Name == "" && a.Url == "" {
			continue
		}
		out = append(out, a)
	}
	return out
}
