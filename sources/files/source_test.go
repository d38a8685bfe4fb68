package files

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/feedloom/feedloom/sources"
)

func TestFetchFolder(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a-good.txt":       "Page\n2025\nNews\nFirst\nBody one.\nNews\nSecond\n",
		"b-bad.md":         "No heading here.\n",
		"c.txt":            "Page\nEvents\nThird\n",
		"c/nested.json":    `{"title": "Fourth", "text": "Body four."}`,
		"c/bad.yaml":       "title: X\nsumary: typo\n",
		"c/d/readme.html":  "<p>not a story</p>",
		"image.png":        "\x89PNG\r\n\x1a\n\x00",
		".hidden.md":       "broken but hidden",
		".git/config.json": "{broken",
		"z.MD":             "# Fifth\n",
	})
	prev := sources.State{ETag: `"abc"`, CheckedAt: time.Date(2025, 3, 13, 1, 0, 0, 0, time.UTC), Failures: 2}
	src := New("newsroom", dir, Options{})
	if src.Name() != "newsroom" {
		t.Errorf("Name() = %q", src.Name())
	}
	res, err := src.Fetch(context.Background(), prev)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range res.Stories {
		got = append(got, s.File+"#"+s.Title)
	}
	want := []string{"a-good.txt#First", "a-good.txt#Second", "c.txt#Third", "c/nested.json#Fourth", "z.MD#Fifth"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stories = %q, want %q", got, want)
	}
	if want := []string{"a-good.txt", "c.txt", "c/nested.json", "z.MD"}; !reflect.DeepEqual(res.Files, want) {
		t.Errorf("Files = %q, want %q", res.Files, want)
	}
	var problems []string
	for _, p := range res.Problems {
		var fe *sources.FileError
		if !errors.As(p, &fe) {
			t.Errorf("problem %T is not a *sources.FileError", p)
		}
		problems = append(problems, p.Error())
	}
	if want := []string{"b-bad.md:1: story has no title", `c/bad.yaml:2:1: unknown field "sumary"`}; !reflect.DeepEqual(problems, want) {
		t.Errorf("problems = %q, want %q", problems, want)
	}
	digest, err := src.Digest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantState := prev
	wantState.ETag = digest
	if !reflect.DeepEqual(res.State, wantState) || res.NotModified || !strings.HasPrefix(digest, `"sha256:`) {
		t.Errorf("State = %+v NotModified %v; want prev with the ETag %s, modified", res.State, res.NotModified, digest)
	}
}

// TestDigest: the same story files give the same digest in any folder; a
// changed byte, a renamed or an added story file change it; files that
// are not stories do not.
func TestDigest(t *testing.T) {
	base := map[string]string{"a.md": "# A\n", "b/c.txt": "Page\nNews\nC\n"}
	digest := func(files map[string]string) string {
		t.Helper()
		d, err := New("newsroom", writeFiles(t, files), Options{}).Digest(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	with := func(k, v string) map[string]string {
		m := maps.Clone(base)
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	want := digest(base)
	if got := digest(base); got != want {
		t.Errorf("same files, digest %s then %s", want, got)
	}
	if got := digest(with("notes.html", "<p>x</p>")); got != want {
		t.Errorf("a file that is no story changed the digest")
	}
	for name, files := range map[string]map[string]string{
		"changed byte": with("a.md", "# B\n"),
		"renamed":      {"z.md": "# A\n", "b/c.txt": "Page\nNews\nC\n"},
		"added":        with("d.json", `{"title": "D"}`),
	} {
		if got := digest(files); got == want {
			t.Errorf("%s: digest unchanged", name)
		}
	}
}

func TestFetchFolderErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "story.md")
	if err := os.WriteFile(file, []byte("# A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		dir  string
		ctx  context.Context
		is   error // nil: no sentinel to match
		want string
	}{
		{"missing folder", missing, context.Background(), fs.ErrNotExist, `files "newsroom": stat ` + missing + ": no such file or directory"},
		{"not a folder", file, context.Background(), nil, `files "newsroom": ` + file + ": not a folder"},
		{"cancelled", filepath.Dir(file), cancelled, context.Canceled, `files "newsroom": context canceled`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := New("newsroom", tt.dir, Options{}).Fetch(tt.ctx, sources.State{})
			if err == nil {
				t.Fatalf("no error; result %+v", res)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}
