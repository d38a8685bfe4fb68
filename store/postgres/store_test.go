package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
	"github.com/feedloom/feedloom/store/storetest"
)

// serverDSN returns the DSN of the server the tests may create databases
// on, or skips the test when none is given.
func serverDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("FEEDLOOM_TEST_PG")
	if dsn == "" {
		t.Skip("FEEDLOOM_TEST_PG not set: skipping PostgreSQL tests (see .ci/postgres.sh)")
	}
	return dsn
}

// newDatabase creates an empty database for one test, dropped when the test
// ends, and returns its DSN. Its default collation is ICU's English when
// the server has ICU, so that a comparison relying on the database's
// collation instead of byte order shows.
func newDatabase(t testing.TB) string {
	t.Helper()
	server := serverDSN(t)
	ctx := context.Background()
	var b [8]byte
	rand.Read(b[:])
	name := "feedloom_test_" + hex.EncodeToString(b[:])

	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to FEEDLOOM_TEST_PG: %v", err)
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, `CREATE DATABASE `+name+
		` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`)
	if err != nil {
		_, err = admin.Exec(ctx, `CREATE DATABASE `+name)
	}
	if err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return withDatabase(t, server, name)
}

// withDatabase returns dsn with its database replaced by name.
func withDatabase(t testing.TB, dsn, name string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " dbname=" + name // key=value form: the last one counts
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("FEEDLOOM_TEST_PG: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// openTemp opens a store in a new database and closes it when the test
// ends.
func openTemp(t testing.TB) *Store {
	t.Helper()
	return openAt(t, newDatabase(t))
}

func openAt(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSuite runs the behaviour suite every store shares.
func TestSuite(t *testing.T) {
	serverDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// target is how Open names dsn's database in its errors.
func target(t *testing.T, dsn string) string {
	t.Helper()
	_, name, _, err := poolConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func TestOpenSetsSchemaVersion(t *testing.T) {
	s := openTemp(t)
	latest, err := latestVersion()
	if err != nil {
		t.Fatal(err)
	}
	if latest != 6 {
		t.Errorf("latest version %d, want 6", latest)
	}
	if v, err := s.SchemaVersion(context.Background()); err != nil || v != latest {
		t.Errorf("SchemaVersion = %d, %v; want %d", v, err, latest)
	}
}

func TestOpenSchemaTooNew(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	s := openAt(t, dsn)
	if _, err := s.pool.Exec(ctx, `INSERT INTO schema_version (version, name) VALUES (7, '0007_later.sql')`); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err := Open(ctx, dsn)
	if err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("error %v does not wrap store.ErrSchemaTooNew", err)
	}
	want := fmt.Sprintf("postgres: open %s: schema version 7, this binary knows up to 6: %v",
		target(t, dsn), store.ErrSchemaTooNew)
	if err.Error() != want {
		t.Errorf("error\n got %s\nwant %s", err, want)
	}
}

// TestOpenMigratesVersion1: a database at schema version 1 is brought to
// the latest version on Open, keeping its items and content version, with the
// indexes that Items with Unlinked and Newest read.
func TestOpenMigratesVersion1(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	steps, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, createSchemaVersion); err != nil {
		t.Fatal(err)
	}
	if err := applyMigration(ctx, tx, steps[0]); err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO items (id, source, file, position, link, link_key, lang_key, language,
		title, summary, content, published, updated, first_seen, slug, held, extra)
	VALUES ('urn:a', 'newsroom', 'a.md', 0, '', NULL, 'en', 'en', 'A', '', '', '2025-03-12 00:00:00Z',
		'2025-03-12 01:00:00Z', '2025-03-12 00:00:00Z', 'a', false, '{}'),
	('urn:b', 'newsroom', 'b.md', 0, 'https://example.edu/b', 'https://example.edu/b', 'en', 'en', 'B', '', '',
		'2025-03-11 00:00:00Z', '2025-03-11 00:00:00Z', '2025-03-11 00:00:00Z', NULL, false, '{}');
	UPDATE versions SET version = 4 WHERE name = 'content'`)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	s := openAt(t, dsn)
	if v, err := s.SchemaVersion(ctx); err != nil || v != len(steps) {
		t.Errorf("SchemaVersion = %d, %v; want %d", v, err, len(steps))
	}
	items, err := s.Items(ctx, store.Query{Unlinked: true})
	if err != nil || len(items) != 1 || items[0].ID != "urn:a" || items[0].Slug != "a" {
		t.Errorf("Items = %+v, %v; want urn:a with slug a", items, err)
	}
	if v, err := s.Version(ctx); err != nil || v != 4 {
		t.Errorf("Version = %d, %v; want 4", v, err)
	}
	want := time.Date(2025, 3, 12, 1, 0, 0, 0, time.UTC)
	if got, err := s.Newest(ctx); err != nil || !got.Equal(want) {
		t.Errorf("Newest = %v, %v; want %v", got, err, want)
	}
	storetest.CheckMigratedSequence(t, s)
}

// TestConcurrentMigrations starts several stores on a fresh database at
// once, as nodes starting together: the schema is applied once and every
// store opens.
func TestConcurrentMigrations(t *testing.T) {
	dsn := newDatabase(t)
	const nodes = 8
	stores := make([]*Store, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("store %d: %v", i, err)
			continue
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	if t.Failed() {
		return
	}
	ctx := context.Background()
	var rows []string
	r, err := stores[0].pool.Query(ctx, `SELECT version || ' ' || name FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	rows, err = pgx.CollectRows(r, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1 0001_init.sql", "2 0002_publish_reads.sql", "3 0003_cluster.sql", "4 0004_publish_manifests.sql", "5 0005_incremental_refresh.sql", "6 0006_item_order.sql"}; strings.Join(rows, ",") != strings.Join(want, ",") {
		t.Errorf("schema_version rows %q, want %q", rows, want)
	}
	var versions int
	if err := stores[nodes-1].pool.QueryRow(ctx, `SELECT count(*) FROM versions`).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if versions != 1 {
		t.Errorf("%d rows in versions, want 1: the seed ran more than once", versions)
	}
}

// TestOpenErrors: a DSN that cannot work fails at Open with the database it
// names and the reason, and no password.
func TestOpenErrors(t *testing.T) {
	server := serverDSN(t)
	// A port nothing listens on: one that was free a moment ago.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()

	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		dsn    string
		prefix string
		reason string
	}{
		{
			name:   "unreachable port",
			dsn:    fmt.Sprintf("postgres://feedloom:s3cret@127.0.0.1:%d/feedloom?sslmode=disable", closed),
			prefix: fmt.Sprintf("postgres: connect 127.0.0.1:%d/feedloom: ", closed),
			reason: "connection refused",
		},
		{
			name:   "no such database",
			dsn:    withDatabase(t, server, "feedloom_test_missing"),
			prefix: fmt.Sprintf("postgres: connect %s/feedloom_test_missing: ", u.Host),
			reason: `database "feedloom_test_missing" does not exist`,
		},
		{
			name: "no such user",
			dsn: func() string {
				v := *u
				v.User = url.UserPassword("feedloom_nobody", "s3cret")
				return v.String()
			}(),
			prefix: fmt.Sprintf("postgres: connect %s%s: ", u.Host, u.Path),
			reason: `role "feedloom_nobody" does not exist`,
		},
		{
			name:   "not a DSN",
			dsn:    "postgres://feedloom:s3cret@127.0.0.1:5432/%zz",
			prefix: "postgres: open: cannot parse ",
			reason: "failed to parse as URL",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.dsn)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.prefix) || !strings.Contains(msg, tt.reason) {
				t.Errorf("error %q, want %q… with %q", msg, tt.prefix, tt.reason)
			}
			if strings.Contains(msg, "s3cret") {
				t.Errorf("error %q shows the password", msg)
			}
		})
	}
}

func TestPoolConfig(t *testing.T) {
	tests := []struct {
		dsn     string
		timeout time.Duration
		app     string
		target  string
	}{
		{"postgres://u:p@db.example.edu/feedloom", 5 * time.Second, "feedloom", "db.example.edu:5432/feedloom"},
		{"postgres://u@db.example.edu:6543/f?connect_timeout=2&application_name=node-1", 2 * time.Second,
			"node-1", "db.example.edu:6543/f"},
		{"host=127.0.0.1 port=5433 dbname=feedloom user=u", 5 * time.Second, "feedloom", "127.0.0.1:5433/feedloom"},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			cfg, target, _, err := poolConfig(tt.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.ConnConfig.ConnectTimeout; got != tt.timeout {
				t.Errorf("connect timeout %v, want %v", got, tt.timeout)
			}
			if got := cfg.ConnConfig.RuntimeParams["application_name"]; got != tt.app {
				t.Errorf("application_name %q, want %q", got, tt.app)
			}
			if target != tt.target {
				t.Errorf("target %q, want %q", target, tt.target)
			}
		})
	}
}

// TestReopenKeepsEverything: a second Open of a current schema applies
// nothing and sees what the first stored.
func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	s := openAt(t, dsn)
	if _, err := s.FirstRun(ctx, "2025-03-13"); err != nil {
		t.Fatal(err)
	}
	it := feeds.Item{ID: "urn:a", Title: "A", Slug: "a", Published: time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC)}
	if _, err := storetest.Upsert(ctx, s, "newsroom", []feeds.Item{it}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openAt(t, dsn)
	if got, err := s.FirstRun(ctx, "2026-01-01"); err != nil || got != "2025-03-13" {
		t.Errorf("after reopen: FirstRun = %q, %v; want 2025-03-13", got, err)
	}
	items, err := s.Items(ctx, store.Query{})
	if err != nil || len(items) != 1 || items[0].Slug != "a" {
		t.Errorf("after reopen: items %+v, %v; want urn:a with slug a", items, err)
	}
	if v, err := s.Version(ctx); err != nil || v != 1 {
		t.Errorf("after reopen: Version = %d, %v; want 1", v, err)
	}
}

// TestSaveStateKeepsLease: the lease columns belong to the node fetching
// the source; saving its state leaves them.
func TestSaveStateKeepsLease(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if err := storetest.SaveState(ctx, s, "newsroom", sources.State{Failures: 1}); err != nil {
		t.Fatal(err)
	}
	until := time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)
	if _, err := s.pool.Exec(ctx, `UPDATE sources SET claimed_by = 'node-1', lease_until = $1`, until); err != nil {
		t.Fatal(err)
	}
	if err := storetest.SaveState(ctx, s, "newsroom", sources.State{Failures: 2}); err != nil {
		t.Fatal(err)
	}
	var by string
	var got time.Time
	if err := s.pool.QueryRow(ctx, `SELECT claimed_by, lease_until FROM sources`).Scan(&by, &got); err != nil {
		t.Fatal(err)
	}
	if by != "node-1" || !got.Equal(until) {
		t.Errorf("lease %q until %v, want node-1 until %v", by, got, until)
	}
	if st, err := s.State(ctx, "newsroom"); err != nil || st.Failures != 2 {
		t.Errorf("State = %+v, %v; want 2 failures", st, err)
	}
}

// TestItemsUsesIndex guards the reason for items_feed and items_source: a
// feed query, and a refresh's read of its source, can read items already in
// order and stop at their Limit, without sorting. The planner is told to
// avoid scans and sorts, so that the small table does not decide the plan.
func TestItemsUsesIndex(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off; SET enable_sort = off; SET enable_bitmapscan = off`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    store.Query
		want string
	}{
		{store.Query{Limit: 50}, "Index Scan using items_feed on items"},
		{store.Query{Language: "zh-Hant", Limit: 50}, "Index Scan using items_feed on items"},
		{store.Query{Source: "newsroom", IncludeHeld: true}, "Index Scan using items_source on items"},
		{store.Query{Source: "newsroom", IncludeHeld: true, Limit: 50}, "Index Scan using items_source on items"},
		{store.Query{Unlinked: true}, "Index Scan using items_unlinked on items"},
		{store.Query{Unlinked: true, Language: "zh-Hant"}, "Index Scan using items_unlinked on items"},
	}
	for _, tt := range tests {
		query, args := itemsSQL.Build(tt.q)
		rows, err := conn.Query(ctx, "EXPLAIN (COSTS OFF) "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, tt.want) || strings.Contains(text, "Sort") {
			t.Errorf("%+v: plan\n%s\nwant %q and no sort", tt.q, text, tt.want)
		}
	}
}

// TestNewestUsesIndex guards the reason for items_updated: Newest takes
// each maximum from the end of an index instead of reading every item.
func TestNewestUsesIndex(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off; SET enable_sort = off; SET enable_bitmapscan = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, "EXPLAIN (COSTS OFF) "+selectNewest)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	for _, want := range []string{"Index Only Scan using items_feed on items", "Index Only Scan Backward using items_updated on items"} {
		if !strings.Contains(text, want) || strings.Contains(text, "Seq Scan") || strings.Contains(text, "Sort") {
			t.Errorf("plan\n%s\nwant %q and no scan of the table or sort", text, want)
		}
	}
}

// TestOpenReadOnly: a read-only store reads what a writer stored and the
// server refuses its writes; a database without feedloom's schema is
// store.ErrNoStore and is left without one.
func TestOpenReadOnly(t *testing.T) {
	dsn := newDatabase(t)
	storetest.ReadOnly(t, openAt(t, dsn), func() (store.Store, error) { return OpenReadOnly(context.Background(), dsn) })

	empty := newDatabase(t)
	if _, err := OpenReadOnly(context.Background(), empty); !errors.Is(err, store.ErrNoStore) {
		t.Errorf("empty database: %v, want ErrNoStore", err)
	}
	s := openAt(t, empty) // a writer now migrates it from nothing
	if _, err := s.FirstRun(context.Background(), "2025-03-01"); err != nil {
		t.Errorf("the empty database was changed by the read-only open: %v", err)
	}
}
