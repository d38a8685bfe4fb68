package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/storetest"
)

// openTemp opens a store in a new temporary folder and closes it when the
// test ends.
func openTemp(t testing.TB) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "data", "feedloom.db"))
}

func openAt(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// at is a UTC time on 12 March 2025.
func at(hour, min, sec int) time.Time {
	return time.Date(2025, time.March, 12, hour, min, sec, 0, time.UTC)
}

// countItems returns how many released items s holds.
func countItems(t *testing.T, s *Store) int {
	t.Helper()
	items, err := s.Items(context.Background(), store.Query{})
	if err != nil {
		t.Fatalf("Items: %v", err)
	}
	return len(items)
}

func TestOpenCreatesFolderAndKeepsOddPath(t *testing.T) {
	// %, ? and # mean something in a SQLite URI; the file must still land at
	// exactly this path.
	path := filepath.Join(t.TempDir(), "a#b", "c%20d?e", "feedloom.db")
	s := openAt(t, path)
	it := feeds.Item{ID: "tag:example.edu,2025-03-12:newsroom/a", Published: at(1, 0, 0)}
	if _, err := storetest.Upsert(context.Background(), s, "newsroom", []feeds.Item{it}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("store file: %v", err)
	}
	s = openAt(t, path)
	if n := countItems(t, s); n != 1 {
		t.Fatalf("after reopen: %d items, want 1", n)
	}
}

func TestOpenSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feedloom.db")
	s := openAt(t, path)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 7`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err = Open(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("error %v does not wrap store.ErrSchemaTooNew", err)
	}
	want := fmt.Sprintf("sqlite: open %s: schema version 7, this binary knows up to %d: %v",
		path, schemaVersion, store.ErrSchemaTooNew)
	if err.Error() != want {
		t.Errorf("error\n got %s\nwant %s", err, want)
	}
}

func TestOpenSetsSchemaVersion(t *testing.T) {
	s := openTemp(t)
	var version int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != schemaVersion {
		t.Errorf("user_version %d, want %d", version, schemaVersion)
	}
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode %q, want wal", mode)
	}
}

// TestConcurrentStores has two Stores on one file, as a cron build beside a
// running serve, writing at once: busy_timeout and immediate transactions
// must queue the writers instead of failing with SQLITE_BUSY.
func TestConcurrentStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feedloom.db")
	stores := []*Store{openAt(t, path), openAt(t, path)}
	const writers, batches = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers*batches*2)
	for si, s := range stores {
		for w := range writers {
			wg.Go(func() {
				ctx := context.Background()
				source := fmt.Sprintf("source-%d-%d", si, w)
				for b := range batches {
					id := fmt.Sprintf("tag:example.edu,2025-03-12:%s/%d", source, b)
					it := feeds.Item{ID: id, Published: at(1, 0, b)}
					if _, err := storetest.Upsert(ctx, s, source, []feeds.Item{it}); err != nil {
						errs <- err
					}
					if err := storetest.SaveState(ctx, s, source, sources.State{Failures: b}); err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for si, s := range stores {
		if got := countItems(t, s); got != 2*writers*batches {
			t.Errorf("store %d sees %d items, want %d", si, got, 2*writers*batches)
		}
	}
	st, err := stores[0].State(context.Background(), "source-1-3")
	if err != nil {
		t.Fatal(err)
	}
	if st.Failures != batches-1 {
		t.Errorf("source-1-3 failures %d, want %d", st.Failures, batches-1)
	}
}

// TestOpenMigratesVersion1: a store written by schema version 1 is brought
// to the current version on Open, keeping its items, with content version
// 0, the indexes that Items with Unlinked and Newest read, and no publish
// manifest.
func TestOpenMigratesVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "feedloom.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{schemaSQL, `PRAGMA user_version = 1`,
		`INSERT INTO items (id, source, file, position, link, link_key, lang_key, language,
			title, summary, content, published, updated, first_seen, slug, held, extra)
		VALUES ('urn:a', 'newsroom', 'a.md', 0, '', NULL, 'en', 'en', 'A', '', '', 1741737600,
			1741741200, 1741737600, 'a', 0, '{}'),
		('urn:b', 'newsroom', 'b.md', 0, 'https://example.edu/b', 'https://example.edu/b', 'en', 'en', 'B', '', '', 1741651200,
			1741651200, 1741651200, NULL, 0, '{}')`,
		`INSERT INTO sources (name, url, configured_url, etag, last_modified, last_success, last_error, failures)
		VALUES ('newsroom', 'https://example.edu/feed', 'https://example.edu/feed', '"v1"', '', 1741741200, '', 0)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s := openAt(t, path)
	var version int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != schemaVersion {
		t.Errorf("user_version %d, %v; want %d", version, err, schemaVersion)
	}
	if _, ok, err := s.Manifest(ctx, "node|/srv/public"); ok || err != nil {
		t.Errorf("Manifest = %v, %v; want none", ok, err)
	}
	items, err := s.Items(ctx, store.Query{Unlinked: true})
	if err != nil || len(items) != 1 || items[0].ID != "urn:a" || items[0].Slug != "a" {
		t.Errorf("Items = %+v, %v; want urn:a with slug a", items, err)
	}
	if v, err := s.Version(ctx); err != nil || v != 0 {
		t.Errorf("Version = %d, %v; want 0", v, err)
	}
	want := time.Date(2025, 3, 12, 1, 0, 0, 0, time.UTC)
	if got, err := s.Newest(ctx); err != nil || !got.Equal(want) {
		t.Errorf("Newest = %v, %v; want %v", got, err, want)
	}
	storetest.CheckMigratedSequence(t, s)
	// No write has settled the horizon: an expiry question seeks the items.
	ask := func(int, sources.State) (store.Dated, bool) {
		return store.Dated{Source: "newsroom", From: want.Add(-25 * time.Hour), Before: want.Add(-23 * time.Hour)}, true
	}
	states, dated, err := s.StatesDated(ctx, []string{"newsroom"}, ask)
	if err != nil || states["newsroom"].ETag != `"v1"` || !dated["newsroom"] {
		t.Errorf("StatesDated = %+v, %v, %v; want the state and urn:b dated in the range", states, dated, err)
	}
}

// TestWriteConnection: writes run on one connection with the larger page
// cache, the pool's keep theirs; a write whose context has ended leaves it
// for the next; a connection that is let go of is discarded, not pooled;
// Close waits for a write under way and closes the lot.
func TestWriteConnection(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "feedloom.db"))
	if err != nil {
		t.Fatal(err)
	}
	cacheOf := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		var n int
		if err := q.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	apply := func(ctx context.Context, etag string) error {
		_, err := s.Apply(ctx, "a", store.Batch{State: &sources.State{URL: "https://up.example.org/a", ETag: etag}})
		return err
	}
	if err := apply(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	first := s.writeConn
	if first == nil {
		t.Fatal("no write connection after a write")
	}
	if got := cacheOf(first); got != -writeCache {
		t.Errorf("the write connection's cache_size is %d, want %d", got, -writeCache)
	}
	if got := cacheOf(s.db); got != -512 {
		t.Errorf("a pooled connection's cache_size is %d, want -512", got)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := apply(done, "2"); !errors.Is(err, context.Canceled) {
		t.Errorf("a write with an ended context: %v, want context.Canceled", err)
	}
	if err := apply(ctx, "3"); err != nil || s.writeConn != first {
		t.Errorf("the write after: %v, connection kept %v", err, s.writeConn == first)
	}
	if st, _ := s.State(ctx, "a"); st.ETag != "3" {
		t.Errorf("ETag %q, want 3", st.ETag)
	}

	open := s.db.Stats().OpenConnections
	s.writing <- struct{}{}
	s.dropWriter()
	<-s.writing
	if got := s.db.Stats().OpenConnections; got != open-1 {
		t.Errorf("%d connections open after the write connection was let go of, want %d", got, open-1)
	}
	if err := apply(ctx, "4"); err != nil || s.writeConn == nil || s.writeConn == first {
		t.Errorf("a write after the connection was let go of: %v, a new one %v", err, s.writeConn != first)
	}

	release, err := s.write(ctx)
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a write held the slot", err)
	case <-time.After(50 * time.Millisecond):
	}
	// A write queued behind Close either runs before it or fails after
	// it; it leaves no connection open either way.
	queued := make(chan error, 1)
	go func() { queued <- apply(ctx, "5") }()
	release()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	<-queued
	if got := s.db.Stats().OpenConnections; got != 0 {
		t.Errorf("%d connections open after Close", got)
	}
}

// TestCancelledWriteThenWrite: a write whose context ends in the middle of
// its transaction is rolled back before the next write begins on the same
// connection, which then stores all of its group. With the transaction
// watching the context, the rollback ran on a goroutine of its own, and the
// next write failed ("cannot start a transaction within a transaction") or
// committed its statements one by one.
func TestCancelledWriteThenWrite(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	content := strings.Repeat("<p>Lorem ipsum dolor sit amet.</p>", 100)
	next := 0
	group := func(n int) []store.SourceBatch {
		g := make([]store.SourceBatch, n)
		for i := range g {
			src := fmt.Sprintf("feed-%06d", next)
			next++
			b := store.Batch{Items: make([]feeds.Item, 30), State: &sources.State{URL: "https://up.example.org/" + src}}
			for j := range b.Items {
				p := at(0, 0, 0).Add(-time.Duration(j) * time.Hour)
				b.Items[j] = feeds.Item{ID: fmt.Sprintf("urn:%s:%d", src, j), Title: "t", Content: content,
					Link: fmt.Sprintf("https://up.example.org/%s/%d", src, j), Published: p, Updated: p, Language: "en"}
			}
			g[i] = store.SourceBatch{Source: src, Batch: b}
		}
		return g
	}
	cancelled := 0
	for round := range 60 {
		cctx, cancel := context.WithTimeout(ctx, time.Duration(1+round%15)*time.Millisecond)
		_, err := s.ApplyGroup(cctx, group(32))
		cancel()
		if err == nil {
			continue
		}
		cancelled++
		after := group(8)
		if _, err := s.ApplyGroup(ctx, after); err != nil {
			t.Fatalf("round %d: the write after a cancelled one: %v", round, err)
		}
		for _, g := range after {
			var n int
			if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM items WHERE source = ?`, g.Source).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 30 {
				t.Fatalf("round %d: %s holds %d items after the write, want 30", round, g.Source, n)
			}
		}
	}
	t.Logf("%d of 60 writes cancelled", cancelled)
}
