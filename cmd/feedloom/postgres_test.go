package main

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/internal/testenv"
)

// testDatabase creates a fresh database on the FEEDLOOM_TEST_PG server and
// returns its DSN; the test is skipped without a server.
func testDatabase(t *testing.T) string { return testenv.PostgresDB(t) }

// TestPostgresBuildMatchesSQLite: the same stories published through either
// store give byte-identical output.
func TestPostgresBuildMatchesSQLite(t *testing.T) {
	dsn := testDatabase(t)
	stories := map[string]string{
		"a.md":   goodStory,
		"b.json": `[{"title": "校友捐款設立新獎學金", "date": "2026-11-17", "text": "一位校友捐出一千萬港元。"}, {"title": "Library Opens Late", "date": "2026-11-18T20:00:00+08:00", "text": "From Monday."}]`,
	}
	lite := project(t, stories)
	pg := project(t, stories)
	writeFile(t, filepath.Join(pg, "config.yaml"), testConfig+"store:\n  driver: postgres\n  dsn: "+dsn+"\n")

	for _, dir := range []string{lite, pg} {
		if code, _, stderr := feedloom(t, "build", "--config", filepath.Join(dir, "config.yaml")); code != exitOK {
			t.Fatalf("%s: exit %d\n%s", dir, code, stderr)
		}
	}
	a, b := readTree(t, filepath.Join(lite, "public")), readTree(t, filepath.Join(pg, "public"))
	if len(a) != len(b) || len(a) < 10 {
		t.Fatalf("sqlite wrote %d files, postgres %d", len(a), len(b))
	}
	for name, text := range a {
		if b[name] != text {
			t.Errorf("%s differs between the SQLite and PostgreSQL builds", name)
		}
	}
	if code, stdout, stderr := feedloom(t, "check", "--config", filepath.Join(pg, "config.yaml")); code != exitOK {
		t.Errorf("check: exit %d %s %s", code, stdout, stderr)
	}
}

// TestPostgresBadDatabaseIsExit2: a DSN naming no database, a role that
// does not exist or a port nothing listens on stops build, check and
// serve at start with exit 2 and a message naming the server, as does a
// schema newer than the binary, naming both versions.
func TestPostgresBadDatabaseIsExit2(t *testing.T) {
	dsn := testDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Skip("needs a postgres:// URL")
	}
	dir := project(t, map[string]string{"a.md": goodStory})
	noDB := strings.Replace(dsn, "/feedloom_t_", "/no_such_database_", 1)
	noRole := *u
	noRole.User = url.UserPassword("no_such_role", "wrong")
	closed := *u
	closed.Host = freeAddr(t)
	for _, tc := range []struct{ name, dsn, want string }{
		{"no database", noDB, `does not exist (SQLSTATE 3D000)`},
		{"no role", noRole.String(), `does not exist (SQLSTATE 28000)`},
		{"nothing listening", closed.String(), "connect: connection refused"},
	} {
		writeFile(t, filepath.Join(dir, "config.yaml"), testConfig+"store:\n  driver: postgres\n  dsn: '"+tc.dsn+"'\n")
		for _, cmd := range []string{"build", "check", "serve"} {
			code, _, stderr := feedloom(t, cmd, "--config", filepath.Join(dir, "config.yaml"))
			if code != exitUsage || !strings.Contains(stderr, "postgres: connect") || !strings.Contains(stderr, tc.want) {
				t.Errorf("%s, %s: exit %d, want 2 with %q\n%s", tc.name, cmd, code, tc.want, stderr)
			}
			if strings.Contains(stderr, "wrong") {
				t.Errorf("%s, %s: the password shows in the message:\n%s", tc.name, cmd, stderr)
			}
		}
	}

	writeFile(t, filepath.Join(dir, "config.yaml"), testConfig+"store:\n  driver: postgres\n  dsn: '"+dsn+"'\n")
	if code, _, stderr := feedloom(t, "check", "--config", filepath.Join(dir, "config.yaml")); code != exitOK {
		t.Fatalf("check: exit %d\n%s", code, stderr)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `INSERT INTO schema_version (version, name) VALUES (99, '0099_later.sql')`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"build", "check", "serve"} {
		code, _, stderr := feedloom(t, cmd, "--config", filepath.Join(dir, "config.yaml"))
		if code != exitUsage || !strings.Contains(stderr, "schema version 99, this binary knows up to 6") {
			t.Errorf("newer schema, %s: exit %d, want 2 naming both versions\n%s", cmd, code, stderr)
		}
	}
}
