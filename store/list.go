package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/feedloom/feedloom/sources"
)

// List is a list source's answer (kind opml), for Batch.List: the feeds it
// names now.
type List struct {
	Feeds []sources.Listed // in document order; never empty (an empty answer retires nothing)
	// Reserved are names no new feed may take: the configured sources'.
	Reserved []string
	// At is when the answer came: a feed the list no longer names is
	// retired at At.
	At time.Time
}

// SubscriptionsKey is the key in the meta table under which a list's
// subscriptions are kept, as JSON (EncodeSubscriptions): a list holds a
// few thousand at most, read whole and written whole.
func SubscriptionsKey(list string) string { return subscriptionsPrefix + list }

// subscriptionsPrefix begins every SubscriptionsKey (SubscriptionsKey("")).
const subscriptionsPrefix = "subscriptions:"

// SubscriptionsRange is the half-open range of meta keys, compared
// bytewise, that are SubscriptionsKeys: ';' follows ':'.
func SubscriptionsRange() (from, to string) { return subscriptionsPrefix, "subscriptions;" }

// ListOfKey is the list a SubscriptionsKey names.
func ListOfKey(key string) string { return strings.TrimPrefix(key, subscriptionsPrefix) }

// subscriptionJSON is one stored subscription; times are RFC 3339 in UTC.
type subscriptionJSON struct {
	URL      string `json:"url"`
	Name     string `json:"name"`
	Title    string `json:"title,omitempty"`
	Category string `json:"category,omitempty"`
	Site     string `json:"site,omitempty"`
	Retired  string `json:"retired,omitempty"`
}

// EncodeSubscriptions is how a list's subscriptions are stored.
func EncodeSubscriptions(subs []sources.Subscription) (string, error) {
	out := make([]subscriptionJSON, len(subs))
	for i, s := range subs {
		out[i] = subscriptionJSON{URL: s.URL, Name: s.Name, Title: s.Title, Category: s.Category, Site: s.Site}
		if !s.Retired.IsZero() {
			out[i].Retired = s.Retired.UTC().Format(time.RFC3339)
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("encode subscriptions: %w", err)
	}
	return string(b), nil
}

// DecodeSubscriptions reads what EncodeSubscriptions stored for list.
func DecodeSubscriptions(list, value string) ([]sources.Subscription, error) {
	var in []subscriptionJSON
	if err := json.Unmarshal([]byte(value), &in); err != nil {
		return nil, fmt.Errorf("subscriptions of %q: %w", list, err)
	}
	subs := make([]sources.Subscription, len(in))
	for i, s := range in {
		subs[i] = sources.Subscription{List: list, Name: s.Name,
			Listed: sources.Listed{URL: s.URL, Title: s.Title, Category: s.Category, Site: s.Site, Name: s.Name}}
		if s.Retired != "" {
			t, err := time.Parse(time.RFC3339, s.Retired)
			if err != nil {
				return nil, fmt.Errorf("subscriptions of %q: %s: %w", list, s.Name, err)
			}
			subs[i].Retired = t
		}
	}
	return subs, nil
}

// planList is list's subscriptions after answer l, given every list's
// (all): the feeds l names, in its order, then those it no longer names,
// retired. A feed seen before, retired or not, keeps its name and takes
// its title, folder and site from l; a new one takes its proposed name,
// or the first of name-2, name-3, … that no source has (any list's feed,
// retired ones included, or a reserved name).
func planList(all []sources.Subscription, list string, l List) []sources.Subscription {
	taken := make(map[string]bool, len(all)+len(l.Reserved))
	known := map[string]sources.Subscription{}
	var order []string // the URLs list knew, in order
	for _, s := range all {
		taken[s.Name] = true
		if s.List == list {
			known[s.URL] = s
			order = append(order, s.URL)
		}
	}
	for _, n := range l.Reserved {
		taken[n] = true
	}
	out := make([]sources.Subscription, 0, len(l.Feeds)+len(known))
	named := make(map[string]bool, len(l.Feeds))
	for _, f := range l.Feeds {
		if named[f.URL] {
			continue
		}
		named[f.URL] = true
		s, ok := known[f.URL]
		if !ok {
			s = sources.Subscription{List: list, Name: uniqueSlug(taken, f.Name)}
			taken[s.Name] = true
		}
		s.Listed = f
		s.Listed.Name = s.Name
		s.Retired = time.Time{}
		out = append(out, s)
	}
	for _, u := range order {
		if named[u] {
			continue
		}
		s := known[u]
		if s.Retired.IsZero() {
			s.Retired = l.At.UTC().Truncate(time.Second)
		}
		out = append(out, s)
	}
	return out
}

// ReadSubscriptions decodes every row of rows: key and value of the meta
// rows in SubscriptionsRange, as every backend selects them. The caller
// closes rows.
func ReadSubscriptions(rows Rows) ([]sources.Subscription, error) {
	var all []sources.Subscription
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return nil, err
		}
		subs, err := DecodeSubscriptions(ListOfKey(key), value)
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = subs // most stores have one list: no copy of it
			continue
		}
		all = append(all, subs...)
	}
	return all, rows.Err()
}
