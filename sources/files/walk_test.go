package files

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/feedloom/feedloom/sources"
)

// symlink makes the link name (a slash path under dir) to target, taken as
// it is: relative targets are relative to the link's folder.
func symlink(t *testing.T, dir, name, target string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
}

// storiesOf lists a result's stories as "file#title".
func storiesOf(res sources.Result) []string {
	var got []string
	for _, s := range res.Stories {
		got = append(got, s.File+"#"+s.Title)
	}
	return got
}

// problemsOf lists a result's problems as messages, failing the test on
// one that is not a *sources.FileError.
func problemsOf(t *testing.T, res sources.Result) []string {
	t.Helper()
	var got []string
	for _, p := range res.Problems {
		if fe := (*sources.FileError)(nil); !errors.As(p, &fe) {
			t.Errorf("problem %T %v is not a *sources.FileError", p, p)
		}
		got = append(got, p.Error())
	}
	return got
}

// TestFetchSymlinkedRoot: a story folder deployed as a link to the current
// release (stories -> releases/42) is read through the link, relative or
// absolute, and its own links are judged against the release.
func TestFetchSymlinkedRoot(t *testing.T) {
	base := writeFiles(t, map[string]string{
		"releases/42/a.md":     "# A\n",
		"releases/42/sub/b.md": "# B\n",
		"releases/41/old.md":   "# Old\n",
	})
	symlink(t, base, "releases/42/up.md", "../41/old.md") // out of the release
	symlink(t, base, "stories", "releases/42")
	symlink(t, base, "absolute", filepath.Join(base, "releases", "42"))
	symlink(t, base, "chain", "stories") // a link to the link
	for _, name := range []string{"stories", "absolute", "chain"} {
		t.Run(name, func(t *testing.T) {
			res := fetch(t, filepath.Join(base, name), Options{})
			if got, want := storiesOf(res), []string{"a.md#A", "sub/b.md#B"}; !reflect.DeepEqual(got, want) {
				t.Errorf("stories = %q, want %q", got, want)
			}
			if got, want := problemsOf(t, res), []string{"up.md: symlink points outside the story folder"}; !reflect.DeepEqual(got, want) {
				t.Errorf("problems = %q, want %q", got, want)
			}
		})
	}
}

// TestFetchSymlinkedRootRelative: a relative folder that is a link is
// resolved too, so that links inside it are judged by absolute paths.
func TestFetchSymlinkedRootRelative(t *testing.T) {
	base := writeFiles(t, map[string]string{"releases/42/a.md": "# A\n"})
	symlink(t, base, "stories", "releases/42")
	symlink(t, base, "releases/42/b.md", "a.md")
	t.Chdir(base)
	res := fetch(t, "stories", Options{})
	if got, want := storiesOf(res), []string{"a.md#A", "b.md#A"}; !reflect.DeepEqual(got, want) || len(res.Problems) != 0 {
		t.Errorf("stories = %q, problems %v; want %q and none", got, res.Problems, want)
	}
}

// TestFetchLinks: links inside the folder are followed to story files and
// folders inside it, under the name they have in the folder; a link out of
// it is that path's problem, never read; a dangling link is its path's
// problem; a loop of links ends, and a folder reached again by a link is
// not read twice.
func TestFetchLinks(t *testing.T) {
	outside := writeFiles(t, map[string]string{
		"passwd.txt":    "root\nx\ny\n",
		"shared/s.md":   "# Shared\n",
		"elsewhere.png": "png",
	})
	dir := writeFiles(t, map[string]string{
		"a.md":            "# A\n",
		"real/b.md":       "# B\n",
		"real/deep/c.md":  "# C\n",
		".hidden/d.md":    "# D\n",
		"notes.html":      "<p>not a story</p>",
		"real/deep/x.txt": "Page\nNews\nX\n",
	})
	symlink(t, dir, "passwd.txt", "/etc/passwd")
	symlink(t, dir, "secret.txt", filepath.Join(outside, "passwd.txt"))
	symlink(t, dir, "shared", filepath.Join(outside, "shared"))
	symlink(t, dir, "image.png", filepath.Join(outside, "elsewhere.png")) // no story: ignored
	symlink(t, dir, "link-a.md", "a.md")
	symlink(t, dir, "alias", "real")                   // a folder read already by its real path
	symlink(t, dir, "drafts", ".hidden")               // a hidden folder, shown by a link
	symlink(t, dir, ".hidden/broken.md", "nowhere.md") // reported by the name it is read by
	symlink(t, dir, "real/deep/loop", "..")            // a loop
	symlink(t, dir, "real/self", ".")                  // a loop to itself
	symlink(t, dir, "root", ".")                       // the root itself
	symlink(t, dir, "parent", "..")                    // the folder holding the root
	symlink(t, dir, "gone.md", "missing.md")           // dangling
	symlink(t, dir, "gone-folder", "missing")          // dangling, may have been a folder
	symlink(t, dir, "gone.html", "missing.html")       // dangling, and no story by its name
	symlink(t, dir, "cycle-a.md", "cycle-b.md")        // a loop of file links
	symlink(t, dir, "cycle-b.md", "cycle-a.md")        //
	climb, err := filepath.Rel(dir, filepath.Join(outside, "passwd.txt"))
	if err != nil {
		t.Fatal(err)
	}
	symlink(t, dir, "climb.txt", filepath.Join("real", "..", climb)) // out by a relative path

	res := fetch(t, dir, Options{})
	wantStories := []string{"a.md#A", "drafts/d.md#D", "link-a.md#A", "real/b.md#B", "real/deep/c.md#C", "real/deep/x.txt#X"}
	if got := storiesOf(res); !reflect.DeepEqual(got, wantStories) {
		t.Errorf("stories = %q, want %q", got, wantStories)
	}
	wantProblems := []string{
		"climb.txt: symlink points outside the story folder",
		"cycle-a.md: broken symlink: EvalSymlinks: too many links",
		"cycle-b.md: broken symlink: EvalSymlinks: too many links",
		"drafts/broken.md: broken symlink: no such file or directory",
		"gone-folder: broken symlink: no such file or directory",
		"gone.md: broken symlink: no such file or directory",
		"parent: symlink points outside the story folder",
		"passwd.txt: symlink points outside the story folder",
		"secret.txt: symlink points outside the story folder",
		"shared: symlink points outside the story folder",
	}
	if got := problemsOf(t, res); !reflect.DeepEqual(got, wantProblems) {
		t.Errorf("problems = %q, want %q", got, wantProblems)
	}
	for _, p := range res.Problems {
		if fe := (*sources.FileError)(nil); errors.As(p, &fe) && fe.Path == "gone.md" && !errors.Is(p, fs.ErrNotExist) {
			t.Errorf("%v is not fs.ErrNotExist", p)
		}
	}
}
