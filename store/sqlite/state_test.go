package sqlite

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
)

func TestStateRoundTrip(t *testing.T) {
	hk := time.FixedZone("HKT", 8*3600)
	full := sources.State{
		URL:          "https://engineering.example.edu/feed.xml",
		ETag:         `W/"5e-abc"`,
		LastModified: "Wed, 12 Mar 2025 08:00:00 GMT",
		CheckedAt:    time.Date(2025, time.March, 12, 8, 30, 0, 0, time.UTC),
		LastSuccess:  time.Date(2025, time.March, 12, 8, 0, 0, 0, time.UTC),
		LastError:    `feed "engineering": GET https://engineering.example.edu/feed.xml: 503`,
		Failures:     3,
		NextDue:      time.Date(2025, time.March, 12, 9, 0, 0, 0, time.UTC),
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
			s := openTemp(t)
			ctx := context.Background()
			// Saved over a full state, so every field is overwritten.
			if err := s.SaveState(ctx, "engineering", full); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveState(ctx, "engineering", tt.in); err != nil {
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

func TestStateUnknownSource(t *testing.T) {
	s := openTemp(t)
	if err := s.SaveState(context.Background(), "engineering", sources.State{Failures: 2}); err != nil {
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
