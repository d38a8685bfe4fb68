package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

func testStateRoundTrip(t *testing.T, open Opener) {
	hk := time.FixedZone("HKT", 8*3600)
	full := sources.State{
		URL:           "https://engineering.example.edu/feed.xml",
		ConfiguredURL: "http://engineering.example.edu/rss",
		ETag:          `W/"5e-abc"`,
		LastModified:  "Wed, 12 Mar 2025 08:00:00 GMT",
		CheckedAt:     time.Date(2025, time.March, 12, 8, 30, 0, 0, time.UTC),
		LastSuccess:   time.Date(2025, time.March, 12, 8, 0, 0, 0, time.UTC),
		LastError:     `feed "engineering": GET https://engineering.example.edu/feed.xml: 503`,
		Failures:      3,
		NextDue:       time.Date(2025, time.March, 12, 9, 0, 0, 0, time.UTC),
	}
	tests := []struct {
		name string
		in   sources.State
		want sources.State
	}{
		{"every field set", full, full},
		{"zero", sources.State{}, sources.State{}},
		{"only a url", sources.State{URL: "file:///x.xml"}, sources.State{URL: "file:///x.xml"}},
		{
			"times come back in UTC, to the second",
			sources.State{
				CheckedAt:   time.Date(2025, time.March, 12, 16, 30, 0, 999, hk),
				LastSuccess: time.Date(2025, time.March, 12, 16, 0, 0, 0, hk),
				NextDue:     time.Date(2025, time.March, 12, 17, 0, 0, 500_000_000, hk),
			},
			sources.State{
				CheckedAt:   time.Date(2025, time.March, 12, 8, 30, 0, 0, time.UTC),
				LastSuccess: time.Date(2025, time.March, 12, 8, 0, 0, 0, time.UTC),
				NextDue:     time.Date(2025, time.March, 12, 9, 0, 0, 0, time.UTC),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			// Saved over a full state, so every field is overwritten.
			if err := SaveState(ctx, s, "engineering", full); err != nil {
				t.Fatal(err)
			}
			if err := SaveState(ctx, s, "engineering", tt.in); err != nil {
				t.Fatal(err)
			}
			got, err := s.State(ctx, "engineering")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("State\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func testStateUnknownSource(t *testing.T, open Opener) {
	s := open(t)
	if err := SaveState(context.Background(), s, "engineering", sources.State{Failures: 2}); err != nil {
		t.Fatal(err)
	}
	got, err := s.State(context.Background(), "partner")
	if err != nil {
		t.Fatalf("State of an unknown source: %v", err)
	}
	if !reflect.DeepEqual(got, sources.State{}) {
		t.Errorf("State of an unknown source: %#v, want the zero State", got)
	}
}

// testStateBesideItems: a source's state and its items are kept apart;
// saving one leaves the other.
func testStateBesideItems(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	mustUpsert(t, s, "newsroom", item("urn:a", at(1, 0, 0)))
	st := sources.State{URL: "https://www.example.edu/feed.xml", Failures: 4}
	if done := mustApply(t, s, "newsroom", store.Batch{State: &st}); done != (store.Applied{}) {
		t.Errorf("state-only batch applied %+v, want nothing", done)
	}
	if err := SaveState(ctx, s, "partner", sources.State{ETag: `"p"`}); err != nil {
		t.Fatal(err)
	}
	if got := ids(mustItems(t, s, store.Query{})); !slices.Equal(got, []string{"urn:a"}) {
		t.Errorf("items %q, want urn:a", got)
	}
	if _, err := Remove(ctx, s, "newsroom", []string{"urn:a"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.State(ctx, "newsroom"); err != nil || !reflect.DeepEqual(got, st) {
		t.Errorf("state after removing the items: %#v, %v; want %#v", got, err, st)
	}
}

func testFirstRunRecordedOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	steps := []struct {
		day, want string
	}{
		{"2025-03-13", "2025-03-13"},
		{"2025-03-14", "2025-03-13"},
		{"2024-01-01", "2025-03-13"},
	}
	for _, st := range steps {
		if got, err := s.FirstRun(ctx, st.day); err != nil || got != st.want {
			t.Errorf("FirstRun(%q) = %q, %v; want %q", st.day, got, err, st.want)
		}
	}
}

func testFirstRunRejectsBadDay(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	for _, day := range []string{"", "2025-3-13", "2025-02-30", "13/03/2025", "2025-03-13T00:00:00Z"} {
		if got, err := s.FirstRun(ctx, day); err == nil {
			t.Errorf("FirstRun(%q) = %q, want an error", day, got)
		}
	}
	// Nothing was recorded by the refused days.
	if got, err := s.FirstRun(ctx, "2025-03-13"); err != nil || got != "2025-03-13" {
		t.Errorf("FirstRun = %q, %v; want 2025-03-13", got, err)
	}
}
