package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// testDatabase creates a fresh database on the FEEDLOOM_TEST_PG server and
// returns its DSN; the test is skipped without a server.
func testDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("FEEDLOOM_TEST_PG")
	if admin == "" {
		t.Skip("FEEDLOOM_TEST_PG not set: skipping PostgreSQL tests (see .ci/postgres.sh)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("feedloom_cmd_%08x", rand.Uint32())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
	})
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
}

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

func TestPostgresWrongDSNIsExit2(t *testing.T) {
	dsn := testDatabase(t)
	dir := project(t, map[string]string{"a.md": goodStory})
	bad := strings.Replace(dsn, "/feedloom_cmd_", "/no_such_database_", 1)
	writeFile(t, filepath.Join(dir, "config.yaml"), testConfig+"store:\n  driver: postgres\n  dsn: "+bad+"\n")
	for _, cmd := range []string{"build", "check"} {
		code, _, stderr := feedloom(t, cmd, "--config", filepath.Join(dir, "config.yaml"))
		if code != exitUsage || !strings.Contains(stderr, "postgres: connect") {
			t.Errorf("%s: exit %d, want 2 with a connect error\n%s", cmd, code, stderr)
		}
	}
}
