package sqlite

import (
	"slices"
	"testing"
	"time"

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
