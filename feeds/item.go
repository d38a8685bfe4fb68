// Package feeds holds feedloom's common model — Item, Feed, Person, Enclosure —
// shared by every step, and the writers that turn a Feed into RSS 2.0, Atom 1.0
// and JSON Feed 1.1 bytes.
package feeds

import (
	"slices"
	"strings"
	"time"
)

// Item is one normalized story, whatever its origin. Text fields are plain
// text unless named HTML; times carry their instant (writers render them in
// the feed's zone).
type Item struct {
	ID     string // stable, globally unique; an absolute URI (tag:, http(s):, urn:)
	Source string // name of the configured source that first published it

	Title   string // plain text
	Link    string // absolute URL of the story; empty when it has no page of its own
	Summary string // plain text, already cut to length
	Content string // sanitized HTML; may be empty

	Authors    []Person
	Categories []string
	Language   string // BCP 47 tag: en, zh-Hant, zh-Hans, zh, …
	Image      string // absolute URL of a representative image; may be empty
	Enclosures []Enclosure

	Published time.Time
	Updated   time.Time // never before Published; equal when unknown
	// Precision is how much of Published the story stated: "" a time
	// (PrecisionExact), PrecisionDay a day (the time is the listing
	// rule's), PrecisionDerived nothing (a neighbour's day, or when it was
	// first seen). Pages show a time only for an exact date; feeds carry
	// full timestamps whatever it is.
	Precision string

	// Origin names the upstream feed an aggregated item came from; nil for
	// story files. Atom output writes it as <source>.
	Origin *Origin

	// TranslationKey names the story this item is one language's telling
	// of: items with the same key in other languages are its translations
	// (Hugo's translationKey; one namespace across every source). Empty
	// for an item that declares none.
	TranslationKey string
	// Translations are the item's versions in other languages, one per
	// language: those an upstream entry declared itself (Atom hreflang
	// alternates), kept by the store, and, added by publish for the feeds
	// and pages it writes, the released items that share its
	// TranslationKey. Writers link each of them.
	Translations []Translation

	// Bookkeeping kept by the store. File is the story file (relative to its
	// source folder) or upstream URL the item came from; Position is its index
	// there (0 = top); FirstSeen is when feedloom first saw it; Slug names the
	// permalink page written for an item without a Link; Held marks an
	// embargoed item, stored but kept out of every feed until released.
	File      string
	Position  int
	FirstSeen time.Time
	Slug      string
	Held      bool
	// Seq numbers items in the order they were first stored, never reused;
	// Rev changes whenever what the item shows changes. Archives and
	// numbered pages are cut by Seq, and Rev tells a publish which of them
	// it need not render again. Both are 0 outside a store.
	Seq, Rev int64
}

// Date precisions of an item (Item.Precision).
const (
	PrecisionExact   = ""
	PrecisionDay     = "day"
	PrecisionDerived = "derived"
)

// Person is an author.
type Person struct {
	Name  string
	Email string
	URL   string
}

// Enclosure is an attached media file (podcast audio, an image).
type Enclosure struct {
	URL    string
	Type   string // MIME type
	Length int64  // bytes; 0 when unknown
}

// Translation is the same story in another language.
type Translation struct {
	Language string // BCP 47 tag
	ID       string // the item's id; empty for an upstream's alternate, which names no item
	URL      string // absolute URL of the story in that language
}

// translations are it.Translations as every writer writes them: cleaned,
// without those lacking a language or a URL, and the first of each
// language (compared ignoring case) only, in the order given.
func translations(it *Item) []Translation {
	var out []Translation
	for _, tr := range it.Translations {
		tr = Translation{Language: cleanText(tr.Language), ID: cleanText(tr.ID), URL: cleanText(tr.URL)}
		if tr.Language == "" || tr.URL == "" || slices.ContainsFunc(out, func(o Translation) bool { return strings.EqualFold(o.Language, tr.Language) }) {
			continue
		}
		out = append(out, tr)
	}
	return out
}

// Origin identifies the upstream feed of an aggregated item.
type Origin struct {
	Title string
	ID    string
	Link  string
}
