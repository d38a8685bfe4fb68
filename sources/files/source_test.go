package files

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"

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

// TestFetchPanicIsPerFile: a tag on a list field ("tags: !x 0"), written
// directly, through an alias or merged in, panicked in goccy/go-yaml and
// took every file of the folder down; it is now that file's problem, at
// the value, and the other files return their stories.
func TestFetchPanicIsPerFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"good.md":        "# Markdown\n",
		"good.json":      `{"title": "JSON"}`,
		"good.txt":       "Page\nNews\nListing\n",
		"good.yaml":      "title: YAML\ntags: !x [a, b]\n", // a tag on a list is fine
		"tags.md":        "---\ntitle: A\ntags: !x 0\n---\nBody.\n",
		"authors.yaml":   "- title: B\n  authors: !x 0\n",
		"categories.yml": "title: C\ncategories: &c !!str News\n",
		"alias.md":       "---\ntitle: D\nx: &a !x 0\ntags: *a\n---\nBody.\n",
		"merge.md":       "---\nbase: &b {categories: !x 0}\n<<: *b\ntitle: E\n---\nBody.\n",
	})
	res := fetch(t, dir, Options{})
	if got, want := storiesOf(res), []string{"good.json#JSON", "good.md#Markdown", "good.txt#Listing", "good.yaml#YAML"}; !reflect.DeepEqual(got, want) {
		t.Errorf("stories = %q, want %q", got, want)
	}
	if got := res.Stories[len(res.Stories)-1].Categories; !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("good.yaml categories = %q", got)
	}
	want := []string{
		"alias.md:4:7: front matter: tags: cannot use a value tagged !x as a string or a list of strings",
		"authors.yaml:2:12: authors: cannot use a value tagged !x as a list",
		"categories.yml:2:13: categories: cannot use a value tagged !!str as a string or a list of strings",
		"merge.md:2:23: front matter: categories: cannot use a value tagged !x as a string or a list of strings",
		"tags.md:3:7: front matter: tags: cannot use a value tagged !x as a string or a list of strings",
	}
	if got := problemsOf(t, res); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

// panickyMarkdown is a renderer that panics, as a bug in goldmark would.
type panickyMarkdown struct{ goldmark.Markdown }

func (panickyMarkdown) Convert([]byte, io.Writer, ...parser.ParseOption) error {
	panic("renderer bug")
}

// TestFetchRendererPanicIsPerFile: a panic rendering a Markdown file is
// that file's problem at the line rendered; other files still count.
func TestFetchRendererPanicIsPerFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.md":   "\n# Heading\nBody.\n",
		"b.md":   "---\ntitle: B\n---\nBody.\n",
		"c.txt":  "Page\nNews\nListing\n",
		"d.json": `{"title": "JSON"}`,
	})
	src := New("newsroom", dir, Options{})
	src.md = panickyMarkdown{src.md}
	res, err := src.Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := storiesOf(res), []string{"c.txt#Listing", "d.json#JSON"}; !reflect.DeepEqual(got, want) {
		t.Errorf("stories = %q, want %q", got, want)
	}
	want := []string{"a.md:2: internal parser error: renderer bug", "b.md:4: internal parser error: renderer bug"}
	if got := problemsOf(t, res); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

// TestParseFileRecovers: whatever panics while parsing a file — here a
// Source built without New, whose zone is nil — is an error of the file.
func TestParseFileRecovers(t *testing.T) {
	stories, err := new(Source).parseFile("a.json", []byte(`{"title": "A", "date": "2025-03-13"}`))
	if !errors.Is(err, errPanic) || stories != nil {
		t.Fatalf("parseFile = %v, %v; want a recovered panic", stories, err)
	}
	if got, want := fileError("a.json", err).Error(), "a.json: internal parser error: time: missing Location in call to Date"; got != want {
		t.Errorf("problem = %q, want %q", got, want)
	}
}

// TestFetchMaxBytes: a story file over Options.MaxBytes is that file's
// problem, naming the limit, and is not parsed; the other files count, and
// the digest still agrees with the state.
func TestFetchMaxBytes(t *testing.T) {
	exact := "# Exact\n" + strings.Repeat("x", 56) // 64 bytes
	dir := writeFiles(t, map[string]string{
		"small.md": "# Small\n",
		"exact.md": exact,
		"big.md":   exact + "x",
		"big.json": `{"title": "Big", "text": "` + strings.Repeat("x", 1000) + `"}`,
	})
	src := New("newsroom", dir, Options{MaxBytes: 64})
	res, err := src.Fetch(context.Background(), sources.State{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := storiesOf(res), []string{"exact.md#Exact", "small.md#Small"}; !reflect.DeepEqual(got, want) {
		t.Errorf("stories = %q, want %q", got, want)
	}
	want := []string{
		"big.json: story file too large: 1028 bytes, over the limit of 64 bytes",
		"big.md: story file too large: 65 bytes, over the limit of 64 bytes",
	}
	if got := problemsOf(t, res); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
	if !errors.Is(res.Problems[0], errTooLarge) {
		t.Errorf("%v is not errTooLarge", res.Problems[0])
	}
	if digest, err := src.Digest(context.Background()); err != nil || digest != res.State.ETag {
		t.Errorf("Digest = %s, %v; want the state's %s", digest, err, res.State.ETag)
	}
}

// TestFetchMaxBytesDefault: without Options.MaxBytes a story file is
// capped at 10 MiB.
func TestFetchMaxBytesDefault(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.md": "# A\n"})
	f, err := os.Create(filepath.Join(dir, "huge.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: the size is checked before a byte is read.
	if err := errors.Join(f.Truncate(10<<20+1), f.Close()); err != nil {
		t.Fatal(err)
	}
	res := fetch(t, dir, Options{})
	if got, want := storiesOf(res), []string{"a.md#A"}; !reflect.DeepEqual(got, want) {
		t.Errorf("stories = %q, want %q", got, want)
	}
	want := []string{"huge.md: story file too large: 10485761 bytes, over the limit of 10 MiB"}
	if got := problemsOf(t, res); !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

// TestReadThroughRoot: a listed file swapped for a link out of the folder
// before it is read is refused by the read itself.
func TestReadThroughRoot(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.md")
	if err := os.WriteFile(outside, []byte("---\ntitle: Secret\n---\nSecret.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.md"), []byte("---\ntitle: A\n---\nA.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := New("newsroom", dir, Options{})
	root, files, _, err := src.list()
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	// Between listing and reading, a.md becomes a link out of the folder.
	if err := os.Remove(filepath.Join(dir, "a.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "a.md")); err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].rel != "a.md" {
		t.Fatalf("listed %+v, want a.md", files)
	}
	if data, _, err := src.read(root, files[0].path); err == nil {
		t.Errorf("read %q through a link out of the folder, want an error", data)
	}
}

// TestReadStopsAtLimit: a file whose size says nothing of what it holds
// (one growing while read, here an endless device) is read no further
// than the limit.
func TestReadStopsAtLimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	root, err := os.OpenRoot("/dev")
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	data, _, err := New("newsroom", t.TempDir(), Options{MaxBytes: 1024}).read(root, "zero")
	if want := "story file too large: over the limit of 1 KiB"; err == nil || err.Error() != want || data != nil {
		t.Errorf("read = %d bytes, %v; want %q", len(data), err, want)
	}
}
