package feeds

import "time"

// Feed is one output feed: its metadata and the items to write, newest first.
// Writers take it as it is; selecting and ordering items is publish's job.
type Feed struct {
	Title       string
	Description string
	Link        string    // the human site (RSS link, Atom rel=alternate, JSON home_page_url)
	SelfURL     string    // absolute URL of this very file (rel=self, feed_url)
	ID          string    // Atom feed id; the SelfURL when empty
	Language    string    // feed-level BCP 47 tag
	Updated     time.Time // newest item time; writers fall back to the Unix epoch when zero
	Authors     []Person
	Zone        *time.Location // zone every date is written in; UTC when nil
	Stylesheet  string         // href of an XSL stylesheet for RSS and Atom; empty for none
	Hub         string         // WebSub hub URL to advertise; empty for none
	Generator   string         // e.g. "feedloom 0.1.0"; empty to omit

	// Alternates are the same feed, in the same format, in other languages
	// (Atom rel="alternate" with hreflang).
	Alternates []Alternate

	// Archive links (RFC 5005 archived feeds), in the same format: the
	// current document names the newest archive document in PrevArchive;
	// an archive document is Archived and names its older and newer
	// neighbours and the current document. RSS writes them as atom:link,
	// JSON Feed writes PrevArchive as next_url, the next page back in time.
	PrevArchive, NextArchive, Current string
	Archived                          bool
	// Complete marks a document that holds every item of the feed
	// (fh:complete): an archive of one document, which has no neighbour
	// to link.
	Complete bool

	// SourceUpdated is the newest updated time (Updated, else Published)
	// of each upstream's stored items, keyed by Origin.ID: Atom writes it
	// as the <source>'s updated. The writer takes the newer of it and the
	// newest among f.Items of the same origin, so nil derives it from
	// f.Items alone.
	SourceUpdated map[string]time.Time

	Items []Item
}

// archiveLinks are f's archive links by relation, in RFC 5005's order.
func (f *Feed) archiveLinks() [][2]string {
	var out [][2]string
	for _, l := range [][2]string{{"current", f.Current}, {"prev-archive", f.PrevArchive}, {"next-archive", f.NextArchive}} {
		if href := cleanText(l[1]); href != "" {
			out = append(out, [2]string{l[0], href})
		}
	}
	return out
}

// history names f's RFC 5005 markers.
func (f *Feed) history() []string {
	var out []string
	if f.Complete {
		out = append(out, "complete")
	}
	if f.Archived {
		out = append(out, "archive")
	}
	return out
}

// nsHistory is RFC 5005's namespace, of fh:archive.
const nsHistory = "http://purl.org/syndication/history/1.0"

// Alternate is a link to a sibling feed.
type Alternate struct {
	Href     string
	Language string // hreflang
	Type     string // MIME type of the target
	Title    string
}
