package publish

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWriteIfChanged: a file is replaced exactly when its bytes differ,
// whether or not the size does and wherever the difference lies, and its
// mtime is the given one either way.
func TestWriteIfChanged(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 3*compareChunk/16+5) // several chunks and a bit
	lastByte := bytes.Clone(big)
	lastByte[len(lastByte)-1] = 'X'
	secondChunk := bytes.Clone(big)
	secondChunk[compareChunk+1] = 'X'
	mod := time.Date(2025, 3, 13, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		old         []byte // nil: no file
		data        []byte
		wantChanged bool
	}{
		{"new file", nil, []byte("<rss/>\n"), true},
		{"same bytes", []byte("<rss/>\n"), []byte("<rss/>\n"), false},
		{"same size, other bytes", []byte("<rss/>\n"), []byte("<rdf/>\n"), true},
		{"longer", []byte("<rss/>\n"), []byte("<rss></rss>\n"), true},
		{"shorter", []byte("<rss></rss>\n"), []byte("<rss/>\n"), true},
		{"empty to empty", []byte{}, []byte{}, false},
		{"large, same bytes", big, big, false},
		{"large, last byte differs", big, lastByte, true},
		{"large, second chunk differs", big, secondChunk, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "en", "rss.xml")
			if tt.old != nil {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, tt.old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			changed, err := writeIfChanged(path, tt.data, mod)
			if err != nil || changed != tt.wantChanged {
				t.Fatalf("writeIfChanged = %v, %v; want %v, nil", changed, err, tt.wantChanged)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.data) {
				t.Errorf("file holds %d bytes that differ from the %d written", len(got), len(tt.data))
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.ModTime().Equal(mod) {
				t.Errorf("mtime %v, want %v", fi.ModTime(), mod)
			}
		})
	}
}
