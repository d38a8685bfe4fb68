package files

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
)

// TestFetchChanged: given the fingerprints of the last read, only a file
// whose content changed is parsed; a touched file comes back unchanged
// with its new time; a broken file is read every time; a file gone means
// the folder changed; the digest is the whole folder's either way.
func TestFetchChanged(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.md":   "# First\n\nBody one.\n",
		"b.md":   "# Second\n\nBody two.\n",
		"c.json": `{"title": "Third", "text": "Body three."}`,
		"d.json": `{"title": "Broken`,
	})
	ctx := context.Background()
	src := New("newsroom", dir, Options{})
	full, err := src.FetchChanged(ctx, sources.State{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if full.Read != 4 || len(full.Stories) != 3 || len(full.Files) != 4 || len(full.Unchanged) != 0 || full.NotModified {
		t.Fatalf("first fetch: read %d, %d stories, files %+v, unchanged %q", full.Read, len(full.Stories), full.Files, full.Unchanged)
	}
	if full.Files[3].Path != "d.json" || full.Files[3].Hash != "" {
		t.Errorf("broken file's fingerprint %+v, want no hash", full.Files[3])
	}
	digest, err := src.Digest(ctx)
	if err != nil || full.State.ETag != digest {
		t.Errorf("ETag %q, Digest %q, %v; want them equal", full.State.ETag, digest, err)
	}

	same, err := src.FetchChanged(ctx, sources.State{}, full.Files)
	if err != nil {
		t.Fatal(err)
	}
	if !same.NotModified || same.Read != 1 || len(same.Stories) != 0 || len(same.Problems) != 1 || same.State.ETag != digest {
		t.Errorf("unchanged: not modified %v, read %d, %d stories, problems %v, ETag %q", same.NotModified, same.Read, len(same.Stories), same.Problems, same.State.ETag)
	}
	if want := []string{"a.md", "b.md", "c.json"}; !reflect.DeepEqual(same.Unchanged, want) {
		t.Errorf("unchanged %q, want %q", same.Unchanged, want)
	}

	earlier := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(filepath.Join(dir, "a.md"), earlier, earlier); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.md"), []byte("# Second, retitled\n\nBody two.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "c.json")); err != nil {
		t.Fatal(err)
	}
	next, err := src.FetchChanged(ctx, sources.State{}, same.Files)
	if err != nil {
		t.Fatal(err)
	}
	if next.NotModified || next.Read != 2 || len(next.Stories) != 1 || next.Stories[0].Title != "Second, retitled" {
		t.Fatalf("changed: not modified %v, read %d, stories %+v", next.NotModified, next.Read, next.Stories)
	}
	if want := []string{"a.md"}; !reflect.DeepEqual(next.Unchanged, want) {
		t.Errorf("unchanged %q, want %q", next.Unchanged, want)
	}
	if a := next.Files[0]; a.Path != "a.md" || !a.ModTime.Equal(earlier) || a.Hash != full.Files[0].Hash {
		t.Errorf("touched a.md: %+v, want its new time and its old hash", a)
	}
	if digest, err := src.Digest(ctx); err != nil || next.State.ETag != digest {
		t.Errorf("ETag %q, Digest %q, %v; want them equal", next.State.ETag, digest, err)
	}

	// A folder that lost a file is not unchanged, even with nothing to read.
	if err := os.Remove(filepath.Join(dir, "d.json")); err != nil {
		t.Fatal(err)
	}
	gone, err := src.FetchChanged(ctx, sources.State{}, next.Files)
	if err != nil {
		t.Fatal(err)
	}
	if gone.NotModified || gone.Read != 0 {
		t.Errorf("a file gone: not modified %v, read %d; want changed, nothing read", gone.NotModified, gone.Read)
	}
}

// TestFetchChangedRacy: a file modified just before it is read may be
// edited again within the same tick of the file system's clock, keeping
// its size and time: its fingerprint holds no time, so the next read
// hashes it and sees the edit. A file modified long before, or whose time
// is in the future, is treated the same way only in the second case.
func TestFetchChangedRacy(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"fresh.md": "# Draft one\n\nBody.\n",
		"old.md":   "# Settled\n\nBody.\n",
		"ahead.md": "# Ahead\n\nBody.\n",
	})
	fresh, old, ahead := filepath.Join(dir, "fresh.md"), filepath.Join(dir, "old.md"), filepath.Join(dir, "ahead.md")
	hourAgo := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(old, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	inAnHour := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := os.Chtimes(ahead, inAnHour, inAnHour); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	src := New("newsroom", dir, Options{})
	first, err := src.FetchChanged(ctx, sources.State{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stamps := map[string]sources.FileStamp{}
	for _, f := range first.Files {
		stamps[f.Path] = f
	}
	if st := stamps["fresh.md"]; !st.ModTime.IsZero() || st.Hash == "" || st.Size != 19 {
		t.Errorf("fresh.md stamped %+v, want its size and hash, no time", st)
	}
	if st := stamps["ahead.md"]; !st.ModTime.IsZero() || st.Hash == "" {
		t.Errorf("ahead.md stamped %+v, want its hash, no time", st)
	}
	if st := stamps["old.md"]; !st.ModTime.Equal(hourAgo) || st.Hash == "" {
		t.Errorf("old.md stamped %+v, want its time and hash", st)
	}

	// The same size, written back to the same time: as an edit in the
	// same clock tick leaves it.
	info, err := os.Stat(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fresh, []byte("# Draft two\n\nBody.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(fresh, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	next, err := src.FetchChanged(ctx, sources.State{}, first.Files)
	if err != nil {
		t.Fatal(err)
	}
	if next.NotModified || next.Read != 1 || len(next.Stories) != 1 || next.Stories[0].Title != "Draft two" {
		t.Fatalf("after the edit: not modified %v, read %d, stories %+v; want Draft two read", next.NotModified, next.Read, next.Stories)
	}
	if want := []string{"ahead.md", "old.md"}; !reflect.DeepEqual(next.Unchanged, want) {
		t.Errorf("unchanged %q, want %q", next.Unchanged, want)
	}
}
