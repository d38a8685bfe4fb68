package page

import (
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/sources/feed"
)

// listing is one fetched page, as its markup says.
type listing struct {
	url    string // the page URL asked for, redacted, for messages
	file   string // the public form of the page URL: Story.File
	base   string // <base href>, else the URL that answered
	lang   string // <html lang>
	origin *feeds.Origin
	doc    *goquery.Document
}

// pageItem is one item element, as the page writes it.
type pageItem struct {
	Title, Link, Summary, Date, Image string
	Categories, Authors               []string
	Text                              string // all of the element's text
}

func (s *Source) listing(raw, answered string, doc *goquery.Document) *listing {
	l := &listing{
		url:  sources.RedactURL(raw),
		file: feed.PublicURL(raw),
		base: documentBase(answered, doc),
		lang: strings.TrimSpace(doc.Find("html").First().AttrOr("lang", "")),
		doc:  doc,
	}
	l.origin = origin(feed.PublicURL(answered), doc)
	s.reportFeeds(l)
	return l
}

// feedTypes are the <link rel="alternate"> types that advertise a feed.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
}

// reportFeeds logs each feed the page advertises: reading that feed is
// cheaper and surer than reading the page.
func (s *Source) reportFeeds(l *listing) {
	l.doc.Find(`link[rel~="alternate"][href][type]`).Each(func(_ int, e *goquery.Selection) {
		typ := strings.ToLower(strings.TrimSpace(e.AttrOr("type", "")))
		if !feedTypes[typ] {
			return
		}
		if u := webURL(l.base, e.AttrOr("href", "")); u != "" {
			s.log.Info("this page has a feed: use kind: feed with url "+sources.RedactURL(u), "url", l.url, "feed", sources.RedactURL(u), "type", typ)
		}
	})
}

// stories reads every item element into a story, in page order, up to the
// fetcher's MaxItems. select.item matching nothing, or select.title
// matching nothing in any item, is a *MatchError.
func (l *listing) stories(s *Source, now time.Time) ([]sources.Story, error) {
	items := l.doc.FindMatcher(s.sel.item.m)
	if items.Length() == 0 {
		return nil, &MatchError{Key: "select.item", URL: l.url}
	}
	if n := items.Length(); n > s.maxItems {
		s.log.Warn("page has more items than fetch.max_items; kept the first", "url", l.url, "kept", s.maxItems, "dropped", n-s.maxItems)
		items = items.Slice(0, s.maxItems)
	}
	out := make([]sources.Story, 0, items.Length())
	titled := false
	items.Each(func(i int, e *goquery.Selection) {
		it := s.read(e)
		titled = titled || it.Title != ""
		out = append(out, l.story(s, i, it, now))
	})
	if !titled {
		return nil, &MatchError{Key: "select.title", URL: l.url}
	}
	return out, nil
}

// read takes what each selector selects in one item element.
func (s *Source) read(e *goquery.Selection) pageItem {
	it := pageItem{Text: collapse(e.Text())}
	it.Title, _ = s.sel.title.first(e)
	switch {
	case s.sel.link.Raw != "":
		it.Link, _ = s.sel.link.first(e)
	case goquery.NodeName(e) == "a":
		it.Link = e.AttrOr("href", "")
	default:
		it.Link = e.Find("a[href]").First().AttrOr("href", "")
	}
	if s.sel.summary.Raw != "" {
		it.Summary, _ = s.sel.summary.first(e)
	}
	if s.sel.date.Raw != "" {
		it.Date, _ = s.sel.date.first(e)
	}
	if s.sel.image.Raw != "" {
		it.Image, _ = s.sel.image.first(e)
	}
	if s.sel.category.Raw != "" {
		it.Categories = s.sel.category.values(e)
	}
	if s.sel.author.Raw != "" {
		it.Authors = s.sel.author.values(e)
	}
	return it
}

// story translates one item. Its date is the date selector's value when
// that reads as a date; otherwise normalize searches the item's text
// (DateText) as it searches a listing's stories, and dates what states no
// day by the listing rule.
func (l *listing) story(s *Source, i int, it pageItem, now time.Time) sources.Story {
	st := sources.Story{
		File:         l.file,
		Position:     i,
		Title:        it.Title,
		Link:         webURL(l.base, it.Link),
		Base:         l.base,
		Summary:      it.Summary,
		Categories:   it.Categories,
		FeedLanguage: l.lang,
		Image:        webURL(l.base, it.Image),
		DateText:     it.Text,
		Origin:       l.origin,
	}
	for _, a := range it.Authors {
		st.Authors = append(st.Authors, feeds.Person{Name: a})
	}
	if it.Date != "" {
		if t, dateOnly, ok := readDate(it.Date, s.zone, now); ok {
			st.Published, st.DateOnly = t, dateOnly
		} else if !strings.Contains(it.Text, it.Date) {
			st.DateText = it.Date + " " + it.Text // an attribute's value, not in the text
		}
	}
	return st
}
