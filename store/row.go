package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/feedloom/feedloom/feeds"
)

// Row is an item as the items table of every backend holds it, one field a
// column: the backends differ in their SQL and drivers, not in what they
// store. Times are to the second, in UTC. LinkKey and Slug are nil (NULL)
// when the item has no link or no slug, so that a UNIQUE constraint binds
// only the items that have one.
type Row struct {
	ID, Source, File string
	Position         int64
	Link             string
	// LinkKey is feeds.CanonicalLink of Link: the key an item's link is
	// unique by, across sources.
	LinkKey *string
	// LangKey is Language in lower case, for case-insensitive RFC 4647
	// filtering on an index.
	LangKey, Language             string
	Title, Summary, Content       string
	Published, Updated, FirstSeen time.Time
	Slug                          *string
	Held                          bool
	// Extra is the JSON text of the fields with no column of their own:
	// authors, categories, enclosures, image, origin, date precision,
	// translation key and an upstream's translations.
	Extra string
	// Hash is the hash of the story the item was made from
	// (Batch.Hashes); empty when none was given. It is not content.
	Hash string
	// Seq and Rev are feeds.Item's; the store sets them, a write ignores
	// them.
	Seq, Rev int64
}

// extraJSON is the encoding of Row.Extra, the same text in every backend.
// Empty lists are left out, so they come back nil, and an absent origin
// stays nil. The text must not change from one release to the next: an
// update compares it with the stored text, so every stored item would count
// as changed on its next upsert.
type extraJSON struct {
	Authors    []personJSON    `json:"authors,omitempty"`
	Categories []string        `json:"categories,omitempty"`
	Enclosures []enclosureJSON `json:"enclosures,omitempty"`
	Image      string          `json:"image,omitempty"`
	Origin     *originJSON     `json:"origin,omitempty"`
	// Precision is left out for an exact date, so items stored before it
	// was kept read as exact and keep their text.
	Precision string `json:"precision,omitempty"`
	// TranslationKey is what Query.TranslationKeys selects on; left out
	// when empty, as Translations, so that items without them keep the
	// text they were stored with.
	TranslationKey string            `json:"translation_key,omitempty"`
	Translations   []translationJSON `json:"translations,omitempty"`
}

type translationJSON struct {
	Language string `json:"language,omitempty"`
	ID       string `json:"id,omitempty"`
	URL      string `json:"url,omitempty"`
}

type personJSON struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

type enclosureJSON struct {
	URL    string `json:"url,omitempty"`
	Type   string `json:"type,omitempty"`
	Length int64  `json:"length,omitempty"`
}

type originJSON struct {
	Title string `json:"title,omitempty"`
	ID    string `json:"id,omitempty"`
	Link  string `json:"link,omitempty"`
}

// RowOf encodes it as source's row. The item's own Source is not used: a
// store files every item of a batch under the source that upserts it. Times
// are cut to the whole second (towards the past) and put in UTC.
func RowOf(source string, it feeds.Item) (Row, error) {
	x := extraJSON{Categories: it.Categories, Image: it.Image, Precision: it.Precision, TranslationKey: it.TranslationKey}
	for _, tr := range it.Translations {
		x.Translations = append(x.Translations, translationJSON(tr))
	}
	for _, p := range it.Authors {
		x.Authors = append(x.Authors, personJSON(p))
	}
	for _, e := range it.Enclosures {
		x.Enclosures = append(x.Enclosures, enclosureJSON(e))
	}
	if it.Origin != nil {
		o := originJSON(*it.Origin)
		x.Origin = &o
	}
	extra, err := json.Marshal(x)
	if err != nil {
		return Row{}, fmt.Errorf("item %q: %w", it.ID, err)
	}
	r := Row{
		ID:        it.ID,
		Source:    source,
		File:      it.File,
		Position:  int64(it.Position),
		Link:      it.Link,
		LangKey:   strings.ToLower(it.Language),
		Language:  it.Language,
		Title:     it.Title,
		Summary:   it.Summary,
		Content:   it.Content,
		Published: toSecond(it.Published),
		Updated:   toSecond(it.Updated),
		FirstSeen: toSecond(it.FirstSeen),
		Held:      it.Held,
		Extra:     string(extra),
	}
	if key := feeds.CanonicalLink(it.Link); key != "" {
		r.LinkKey = &key
	}
	if it.Slug != "" {
		slug := it.Slug
		r.Slug = &slug
	}
	return r, nil
}

// toSecond is t as a row holds it: to the second, in UTC.
func toSecond(t time.Time) time.Time { return t.Truncate(time.Second).UTC() }

// Item decodes r, with its times in UTC. Lists that were empty or nil when
// stored come back nil.
func (r Row) Item() (feeds.Item, error) {
	var x extraJSON
	if err := json.Unmarshal([]byte(r.Extra), &x); err != nil {
		return feeds.Item{}, fmt.Errorf("item %q: extra: %w", r.ID, err)
	}
	it := feeds.Item{
		ID:         r.ID,
		Source:     r.Source,
		Title:      r.Title,
		Link:       r.Link,
		Summary:    r.Summary,
		Content:    r.Content,
		Categories: x.Categories,
		Language:   r.Language,
		Image:      x.Image,
		Published:  r.Published.UTC(),
		Updated:    r.Updated.UTC(),
		File:       r.File,
		Position:   int(r.Position),
		FirstSeen:  r.FirstSeen.UTC(),
		Held:       r.Held,
		Precision:  x.Precision,
		Seq:        r.Seq,
		Rev:        r.Rev,

		TranslationKey: x.TranslationKey,
	}
	for _, tr := range x.Translations {
		it.Translations = append(it.Translations, feeds.Translation(tr))
	}
	if r.Slug != nil {
		it.Slug = *r.Slug
	}
	for _, p := range x.Authors {
		it.Authors = append(it.Authors, feeds.Person(p))
	}
	for _, e := range x.Enclosures {
		it.Enclosures = append(it.Enclosures, feeds.Enclosure(e))
	}
	if x.Origin != nil {
		o := feeds.Origin(*x.Origin)
		it.Origin = &o
	}
	return it, nil
}

// Rows is the result of a query as both database/sql's *sql.Rows and
// pgx.Rows give it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ReadItems decodes every row of rows, the result of an items query with
// these columns in this order: id, source, file, position, link, language,
// title, summary, content, published, updated, first_seen, slug, held,
// extra. scanTime returns the scan destination that fills a time from the
// backend's time column. The caller closes rows.
func ReadItems(rows Rows, scanTime func(*time.Time) any) ([]feeds.Item, error) {
	var items []feeds.Item
	for rows.Next() {
		var r Row
		err := rows.Scan(&r.ID, &r.Source, &r.File, &r.Position, &r.Link, &r.Language,
			&r.Title, &r.Summary, &r.Content, scanTime(&r.Published), scanTime(&r.Updated),
			scanTime(&r.FirstSeen), &r.Slug, &r.Held, &r.Extra, &r.Seq, &r.Rev)
		if err != nil {
			return nil, err
		}
		it, err := r.Item()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return items, nil
}

// SameContent reports whether writing r over stored, the row its id holds,
// would change nothing. An update rewrites file, link, language, title,
// summary, content, updated, held and extra (with the keys derived from
// them), and Published only while stored is held: an embargoed item's date
// follows its story, a released one's is frozen. ID, Source, Position,
// FirstSeen and Slug are never rewritten and not compared.
func (r Row) SameContent(stored Row) bool {
	return r.File == stored.File && r.Link == stored.Link && r.Language == stored.Language &&
		r.Title == stored.Title && r.Summary == stored.Summary && r.Content == stored.Content &&
		r.Updated.Equal(stored.Updated) && r.Held == stored.Held && r.Extra == stored.Extra &&
		(!stored.Held || r.Published.Equal(stored.Published))
}

// Nanos is a story file's modification time as every backend keeps it:
// unix nanoseconds, 0 for the zero time (a file that could not be opened).
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromNanos is the time Nanos stored, in UTC.
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
