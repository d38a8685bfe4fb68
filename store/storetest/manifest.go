package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// testManifest: a manifest round-trips whole under its key, another key is
// another manifest, a save replaces the last one, and saving one is not a
// content change.
func testManifest(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	a := "web-1|/srv/public"
	b := "web-2|/srv/public"
	if m, ok, err := s.Manifest(ctx, a); ok || err != nil {
		t.Fatalf("new store: Manifest = %+v, %v, %v; want none", m, ok, err)
	}
	if _, err := Upsert(ctx, s, "newsroom", []feeds.Item{item("urn:a", at(10, 0, 0))}); err != nil {
		t.Fatal(err)
	}
	want := store.Manifest{
		Version:     1,
		Fingerprint: "3f2a",
		Files: []store.OutputFile{
			{Path: "feed.xsl", Size: 1200, Hash: "ab12", Stamp: "m1c2i3"},
			{Path: "zh-hant/atom.xml", Size: 40_000_000, Hash: "cd34", Stamp: "m4c5i6", Items: 10_000,
				Newest: time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)},
		},
	}
	if err := s.SaveManifest(ctx, a, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Manifest(ctx, a)
	if err != nil || !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("Manifest(%q) = %+v, %v, %v; want %+v", a, got, ok, err, want)
	}
	if m, ok, err := s.Manifest(ctx, b); ok || err != nil {
		t.Errorf("Manifest(%q) = %+v, %v, %v; want none: keys are apart", b, m, ok, err)
	}
	if v, err := s.Version(ctx); err != nil || v != 1 {
		t.Errorf("Version after SaveManifest = %d, %v; want 1", v, err)
	}

	next := store.Manifest{Version: 2, Fingerprint: "77", Files: []store.OutputFile{{Path: "rss.xml", Size: 1, Hash: "ee", Stamp: "x"}}}
	if err := s.SaveManifest(ctx, a, next); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Manifest(ctx, a); err != nil || !ok || !reflect.DeepEqual(got, next) {
		t.Errorf("after a second save: Manifest = %+v, %v, %v; want %+v", got, ok, err, next)
	}
	empty := store.Manifest{Version: 3, Fingerprint: "77"}
	if err := s.SaveManifest(ctx, b, empty); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Manifest(ctx, b); err != nil || !ok || got.Version != 3 || len(got.Files) != 0 {
		t.Errorf("Manifest without files = %+v, %v, %v; want version 3, no files", got, ok, err)
	}
}
