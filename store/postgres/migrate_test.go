package postgres

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadMigrations(t *testing.T) {
	file := func(body string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(body)} }
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string // versions and names, or the error
	}{
		{"none", fstest.MapFS{}, ""},
		{"in number order", fstest.MapFS{
			"migrations/0002_b.sql":  file("B"),
			"migrations/0001_a.sql":  file("A"),
			"migrations/0003_c.sql":  file("C"),
			"migrations/README.txt":  file("not a step"),
			"migrations/0004_d.down": file("not a step"),
		}, "1 0001_a.sql A, 2 0002_b.sql B, 3 0003_c.sql C"},
		{"a gap", fstest.MapFS{
			"migrations/0001_a.sql": file("A"),
			"migrations/0003_c.sql": file("C"),
		}, "migration 0003_c.sql: want version 2 next"},
		{"two of one number", fstest.MapFS{
			"migrations/0001_a.sql": file("A"),
			"migrations/0001_b.sql": file("B"),
		}, "migration 0001_b.sql: want version 2 next"},
		{"no number", fstest.MapFS{"migrations/init.sql": file("A")},
			"migration init.sql: name is not NNNN_name.sql"},
		{"number zero", fstest.MapFS{"migrations/0000_a.sql": file("A")},
			"migration 0000_a.sql: name is not NNNN_name.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, err := loadMigrations(tt.files)
			var got []string
			for _, m := range steps {
				got = append(got, strings.Join([]string{strconv.Itoa(m.version), m.name, m.sql}, " "))
			}
			gotText := strings.Join(got, ", ")
			if err != nil {
				gotText = err.Error()
			}
			if gotText != tt.want {
				t.Errorf("got %q, want %q", gotText, tt.want)
			}
		})
	}
}

func TestEmbeddedMigrations(t *testing.T) {
	steps, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) == 0 || steps[0].name != "0001_init.sql" {
		t.Errorf("embedded migrations %v, want 0001_init.sql first", steps)
	}
}
