package sources

import "time"

// Listed is one feed a list source (an OPML file) names: a source of its
// own, kind feed, run with the list's defaults.
type Listed struct {
	URL      string // the feed's URL (the outline's xmlUrl), the key it is known by
	Title    string // the outline's title; may be empty
	Category string // the text of the folder outline around it; empty at the top
	Site     string // the outline's htmlUrl; may be empty
	// Name is the name the feed's source takes if it is new:
	// "<list>-<slug>". A clash with another source's name is the store's
	// to resolve (-2, -3, …), and a feed seen before keeps the name it was
	// first given.
	Name string
}

// Subscription is a feed a list source names, or once named, with the
// source name it was given at first sight; the store keeps them. The name
// never changes and is never given to another feed, so a feed that leaves
// the list and comes back is the same source, and a retired source's
// stored items are never mistaken for another's.
type Subscription struct {
	List string // the list source that named it
	Name string // its source name
	Listed
	// Retired is when a refresh of the list first no longer named it; zero
	// while the list names it.
	Retired time.Time
}

// Active reports whether the list names the feed now.
func (s Subscription) Active() bool { return s.Retired.IsZero() }
