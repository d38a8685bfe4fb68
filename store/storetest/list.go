package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

func listed(url, name, category string) sources.Listed {
	return sources.Listed{URL: url, Title: "Title of " + url, Category: category, Name: name}
}

func applyList(t *testing.T, s store.Store, list string, l store.List) {
	t.Helper()
	st := sources.State{URL: "https://lists.example/" + list + ".opml", LastSuccess: l.At}
	if _, err := s.Apply(context.Background(), list, store.Batch{List: &l, State: &st}); err != nil {
		t.Fatal(err)
	}
}

// names is name by URL of every subscription, with a "retired" mark.
func names(t *testing.T, s store.Store) []string {
	t.Helper()
	subs, err := s.Subscriptions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sub := range subs {
		n := sub.List + " " + sub.URL + " " + sub.Name
		if !sub.Active() {
			n += " retired " + sub.Retired.Format(time.RFC3339)
		}
		out = append(out, n)
	}
	return out
}

// testSubscriptionsNames: a new feed takes its proposed name unless any
// source has it, a configured one or another list's feed (a prefix clash
// between lists "p" and "p-go"), then the first free -2, -3.
func testSubscriptionsNames(t *testing.T, open Opener) {
	s := open(t)
	if got := names(t, s); got != nil {
		t.Fatalf("empty store: %q", got)
	}
	applyList(t, s, "p", store.List{At: at(1, 0, 0), Reserved: []string{"p-cfg", "p"}, Feeds: []sources.Listed{
		listed("https://a.example/feed", "p-go", "Tech"),
		listed("https://b.example/feed", "p-go", ""),
		listed("https://c.example/feed", "p-cfg", ""),
		listed("https://a.example/feed", "p-again", "Other"), // twice in one list: the first counts
	}})
	applyList(t, s, "p-go", store.List{At: at(1, 0, 0), Feeds: []sources.Listed{
		listed("https://d.example/feed", "p-go", ""),
	}})
	want := []string{
		"p https://a.example/feed p-go",
		"p https://b.example/feed p-go-2",
		"p https://c.example/feed p-cfg-2",
		"p-go https://d.example/feed p-go-3",
	}
	if got := names(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("names:\n got %q\nwant %q", got, want)
	}
	subs, err := s.Subscriptions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want0 := sources.Subscription{List: "p", Name: "p-go", Listed: sources.Listed{
		URL: "https://a.example/feed", Title: "Title of https://a.example/feed", Category: "Tech", Name: "p-go"}}
	if !reflect.DeepEqual(subs[0], want0) {
		t.Errorf("first subscription = %+v, want %+v", subs[0], want0)
	}
	if v, err := s.Version(context.Background()); err != nil || v != 0 {
		t.Errorf("Version = %d, %v; a list changes no item", v, err)
	}
}

// testSubscriptionsStable: a name is given once, against the feed's URL: a
// new title does not rename it, a feed the list drops is retired (and keeps
// its name, which no new feed takes), and one that comes back is the same
// source again.
func testSubscriptionsStable(t *testing.T, open Opener) {
	s := open(t)
	applyList(t, s, "p", store.List{At: at(1, 0, 0), Feeds: []sources.Listed{
		listed("https://a.example/feed", "p-alpha", ""),
		listed("https://b.example/feed", "p-beta", ""),
	}})
	applyList(t, s, "p", store.List{At: at(2, 0, 0), Feeds: []sources.Listed{
		listed("https://c.example/feed", "p-beta", "New"), // b's name is not free, though b is gone
		listed("https://a.example/feed", "p-renamed", "Moved"),
	}})
	want := []string{
		"p https://c.example/feed p-beta-2",
		"p https://a.example/feed p-alpha",
		"p https://b.example/feed p-beta retired 2025-03-12T02:00:00Z",
	}
	if got := names(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the second answer:\n got %q\nwant %q", got, want)
	}
	subs, _ := s.Subscriptions(context.Background())
	if subs[1].Category != "Moved" || subs[1].Title != "Title of https://a.example/feed" {
		t.Errorf("a's folder and title = %q, %q; want the latest answer's", subs[1].Category, subs[1].Title)
	}
	applyList(t, s, "p", store.List{At: at(3, 0, 0), Feeds: []sources.Listed{
		listed("https://b.example/feed", "p-back", ""),
	}})
	want = []string{
		"p https://b.example/feed p-beta",
		"p https://c.example/feed p-beta-2 retired 2025-03-12T03:00:00Z",
		"p https://a.example/feed p-alpha retired 2025-03-12T03:00:00Z",
	}
	if got := names(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the third answer:\n got %q\nwant %q", got, want)
	}
	applyList(t, s, "p", store.List{At: at(4, 0, 0), Feeds: []sources.Listed{
		listed("https://b.example/feed", "p-back", ""),
	}})
	if got := names(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("a retired feed keeps the time it was retired:\n got %q\nwant %q", got, want)
	}
}
