package sqlite

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// TestItemsUsesIndex guards the reason for items_feed and items_source: a
// feed query, and a refresh's read of its source, get items already in order
// and stop at their Limit, without sorting the whole table.
func TestItemsUsesIndex(t *testing.T) {
	s := openTemp(t)
	const feed = "SEARCH items USING INDEX items_feed (held=?)"
	tests := []struct {
		q    store.Query
		want string
	}{
		{store.Query{Limit: 50}, feed},
		{store.Query{Language: "zh-Hant", Limit: 50}, feed},
		{store.Query{Source: "newsroom", Language: "en"}, feed},
		{store.Query{Source: "newsroom", IncludeHeld: true}, "SEARCH items USING INDEX items_source (source=?)"},
		{store.Query{Unlinked: true}, "SEARCH items USING INDEX items_unlinked (held=?)"},
		{store.Query{Unlinked: true, Language: "zh-Hant"}, "SEARCH items USING INDEX items_unlinked (held=?)"},
		{store.Query{Source: "newsroom", IncludeHeld: true, Sparse: true, Limit: 1, PublishedFrom: time.Unix(1, 0), PublishedBefore: time.Unix(2, 0)}, "SEARCH items USING INDEX items_source (source=? AND published>? AND published<?)"},
	}
	for _, tt := range tests {
		query, args := itemsSQL.Build(tt.q)
		rows, err := s.db.Query("EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if want := []string{tt.want}; !slices.Equal(plan, want) {
			t.Errorf("%+v: plan %q, want %q", tt.q, plan, want)
		}
	}
}

// TestNewestUsesIndex guards the reason for items_updated: Newest takes
// each maximum from the end of an index instead of reading every item.
func TestNewestUsesIndex(t *testing.T) {
	s := openTemp(t)
	rows, err := s.db.Query("EXPLAIN QUERY PLAN " + selectNewest)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	want := []string{"SCAN CONSTANT ROW",
		"SCALAR SUBQUERY 1", "SEARCH items USING COVERING INDEX items_feed (held=?)",
		"SCALAR SUBQUERY 2", "SEARCH items USING COVERING INDEX items_updated (held=?)"}
	if !slices.Equal(plan, want) {
		t.Errorf("plan %q, want %q", plan, want)
	}
}

// TestLookups: Stored and LinkOwners find every stored id and link asked
// for, and nothing for the others: in one statement, whose values travel as
// JSON (quotes, a NUL, U+2028), and one by one for a list with bytes that
// are not UTF-8; a second refresh of the same items then updates them where
// they are.
func TestLookups(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	ids := []string{"urn:plain", "urn:not-utf8-\xff", "urn:nul-\x00", `urn:"quoted"-<&>-` + "\u2028-新聞"}
	var items []feeds.Item
	for i, id := range ids {
		items = append(items, feeds.Item{ID: id, Title: "t", Link: fmt.Sprintf("https://www.example.edu/%d?q=\"%s\"", i, "新"),
			Published: at(i, 0, 0), Language: "en"})
	}
	if _, err := s.Apply(ctx, "a", store.Batch{Items: items}); err != nil {
		t.Fatal(err)
	}
	for _, ask := range [][]string{
		{"urn:plain", ids[3], "urn:never"},
		{"urn:plain", ids[1], "urn:never"},
		{ids[2], ids[3], "urn:never"},
	} {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		b := s.batchTx(tx)
		var found []string
		if err := b.Stored(ctx, ask, func(r store.Row) { found = append(found, r.ID) }); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, id := range ask {
			if i := slices.Index(ids, id); i >= 0 {
				keys = append(keys, feeds.CanonicalLink(items[i].Link))
			}
		}
		keys = append(keys, "https://www.example.edu/never")
		owners := map[string]string{}
		if err := b.LinkOwners(ctx, keys, func(key, id string) { owners[key] = id }); err != nil {
			t.Fatal(err)
		}
		tx.Rollback()
		slices.Sort(found)
		want := slices.Sorted(slices.Values(ask[:2]))
		if !slices.Equal(found, want) {
			t.Errorf("Stored(%q) found %q, want %q", ask, found, want)
		}
		if len(owners) != 2 || owners[keys[0]] != ask[0] || owners[keys[1]] != ask[1] {
			t.Errorf("LinkOwners(%q) = %q, want the first two owned by %q", keys, owners, ask[:2])
		}
	}
	for i := range items {
		items[i].Title = "t2"
	}
	done, err := s.Apply(ctx, "a", store.Batch{Items: items})
	if err != nil {
		t.Fatal(err)
	}
	if done.Changed != len(items) {
		t.Errorf("the second refresh changed %d items, want %d", done.Changed, len(items))
	}
	if got := storedIDs(t, s)["a"]; len(got) != len(ids) {
		t.Errorf("stored %q, want the %d ids once each", got, len(ids))
	}
}
