package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tempDir is t.TempDir with its own symlinks resolved (macOS puts it under
// the /var link), so that only the links a test makes show in messages.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// tree makes folders (names ending in /) and symlinks ("name -> target")
// under dir.
func tree(t *testing.T, dir string, entries []string) {
	t.Helper()
	for _, e := range entries {
		var err error
		if name, target, ok := strings.Cut(e, " -> "); ok {
			err = os.Symlink(target, filepath.Join(dir, name))
		} else {
			err = os.MkdirAll(filepath.Join(dir, e), 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// placementHead is a valid start whose sources and paths cases add.
const placementHead = "site: {title: T, link: 'https://e.org/', base_url: 'https://f.e.org/'}\nlanguages: [{tag: en}]\n"

func TestOutputPlacement(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tree   []string // made first, under DIR
		config string   // where config.yaml goes, under DIR
		src    string   // after placementHead; DIR is the temporary folder
		want   []string // nil: loads
	}{
		// Allowed.
		{"the shipped layout", []string{"examples/stories/"}, "config.yaml",
			"data_dir: data\noutput: {dir: public}\nsources: [{name: newsroom, kind: files, path: examples/stories}]\n", nil},
		{"defaults, nothing made yet", []string{"stories/"}, "config.yaml",
			"sources: [{name: newsroom, kind: files, path: stories}]\n", nil},
		{"output inside data_dir", []string{"stories/"}, "config.yaml",
			"data_dir: var\noutput: {dir: var/public}\nsources: [{name: newsroom, kind: files, path: stories}]\n", nil},
		{"config, data and output folders apart", []string{"etc/", "srv/"}, "etc/config.yaml",
			"data_dir: \"DIR/srv/data\"\noutput: {dir: \"DIR/srv/public\"}\n", nil},
		{"a symlinked output.dir elsewhere", []string{"srv/www/", "public -> srv/www"}, "config.yaml",
			"output: {dir: public}\n", nil},

		// A filesystem root.
		{"root", []string{"stories/"}, "config.yaml",
			"output:\n  dir: /\nsources: [{name: newsroom, kind: files, path: stories}]\n",
			[]string{"config.yaml:4:3: output.dir: / is a filesystem root: serving it would publish every file on the machine"}},
		{"root through a symlink", []string{"top -> /"}, "config.yaml",
			"output:\n  dir: top\n",
			[]string{"config.yaml:4:3: output.dir: DIR/top (/ once symlinks are resolved) is a filesystem root: serving it would publish every file on the machine"}},

		// The config file's folder.
		{"the config file's folder", nil, "config.yaml",
			"data_dir: /var/lib/feedloom\noutput:\n  dir: .\n",
			[]string{"config.yaml:5:3: output.dir: DIR is the config file's folder: serving it would publish config.yaml"}},
		{"above the config file's folder", []string{"site/conf/"}, "site/conf/feedloom.yaml",
			"data_dir: /var/lib/feedloom\noutput: {dir: ..}\n",
			[]string{"site/conf/feedloom.yaml:4:10: output.dir: DIR/site contains the config file's folder DIR/site/conf: serving it would publish feedloom.yaml"}},
		{"the config file's folder through a symlink", []string{"public -> ."}, "config.yaml",
			"data_dir: /var/lib/feedloom\noutput: {dir: public}\n",
			[]string{"config.yaml:4:10: output.dir: DIR/public (DIR once symlinks are resolved) is the config file's folder: serving it would publish config.yaml"}},
		{"the config file's folder reached through a symlink", []string{"real/", "link -> real"}, "link/config.yaml",
			"data_dir: /var/lib/feedloom\noutput: {dir: \"DIR/real\"}\n",
			[]string{"link/config.yaml:4:10: output.dir: DIR/real is the config file's folder: serving it would publish config.yaml"}},
		{"the folder a symlinked config file really sits in", []string{"etc/", "site/", "site/config.yaml -> ../etc/feedloom.yaml"}, "site/config.yaml",
			"data_dir: /var/lib/feedloom\noutput: {dir: \"DIR/etc\"}\n",
			[]string{"site/config.yaml:4:10: output.dir: DIR/etc holds the config file DIR/site/config.yaml (DIR/etc/feedloom.yaml once symlinks are resolved): serving it would publish feedloom.yaml"}},
		{"above the folder a symlinked config file really sits in", []string{"srv/etc/", "site/", "site/config.yaml -> ../srv/etc/config.yaml"}, "site/config.yaml",
			"data_dir: /var/lib/feedloom\noutput: {dir: \"DIR/srv\"}\n",
			[]string{"site/config.yaml:4:10: output.dir: DIR/srv contains the config file DIR/site/config.yaml (DIR/srv/etc/config.yaml once symlinks are resolved): serving it would publish config.yaml"}},

		// data_dir.
		{"data_dir itself", nil, "config.yaml",
			"data_dir: site\noutput:\n  dir: site\n",
			[]string{"config.yaml:5:3: output.dir: DIR/site is data_dir: serving it would publish the store"}},
		{"containing data_dir", nil, "config.yaml",
			"data_dir: \"DIR/site/data\"\noutput:\n  dir: \"DIR/site\"\n",
			[]string{"config.yaml:5:3: output.dir: DIR/site contains data_dir DIR/site/data: serving it would publish the store"}},
		{"data_dir by default, output.dir not written", nil, "config.yaml",
			"data_dir: public\n",
			[]string{"config.yaml:1:1: output.dir: DIR/public is data_dir: serving it would publish the store"}},
		{"data_dir a symlink into output.dir", []string{"public/store/", "data -> public/store"}, "config.yaml",
			"data_dir: data\noutput: {dir: public}\n",
			[]string{"config.yaml:4:10: output.dir: DIR/public contains data_dir DIR/data (DIR/public/store once symlinks are resolved): serving it would publish the store"}},
		{"data_dir a dangling symlink into output.dir not made yet", []string{"data -> public/store"}, "config.yaml",
			"data_dir: data\noutput: {dir: public}\n",
			[]string{"config.yaml:4:10: output.dir: DIR/public contains data_dir DIR/data (DIR/public/store once symlinks are resolved): serving it would publish the store"}},
		{"data_dir a dangling symlink under a symlinked folder", []string{"x/y/", "l -> x/y", "x/y/data -> ../../out/store"}, "config.yaml",
			"data_dir: l/data\noutput: {dir: out}\n",
			[]string{"config.yaml:4:10: output.dir: DIR/out contains data_dir DIR/l/data (DIR/out/store once symlinks are resolved): serving it would publish the store"}},
		{"output.dir a symlink to data_dir's parent", []string{"var/lib/", "public -> var"}, "config.yaml",
			"data_dir: var/lib/data\noutput: {dir: public}\n",
			[]string{"config.yaml:4:10: output.dir: DIR/public (DIR/var once symlinks are resolved) contains data_dir DIR/var/lib/data: serving it would publish the store"}},
		{"the config file's folder and data_dir", nil, "config.yaml",
			"output: {dir: .}\n",
			[]string{
				"config.yaml:3:10: output.dir: DIR is the config file's folder: serving it would publish config.yaml",
				"config.yaml:3:10: output.dir: DIR contains data_dir DIR/data: serving it would publish the store",
			}},

		// Story folders, reported at the story folder.
		{"containing a story folder", []string{"site/stories/"}, "config.yaml",
			"output: {dir: site}\nsources:\n  - name: a\n    kind: files\n    path: site/stories\n",
			[]string{"config.yaml:7:5: sources[0].path: DIR/site/stories overlaps output.dir DIR/site; keep story folders apart from feedloom's own files"}},
		{"inside a story folder", []string{"stories/"}, "config.yaml",
			"output: {dir: stories/public}\nsources:\n  - name: a\n    kind: files\n    path: stories\n",
			[]string{"config.yaml:7:5: sources[0].path: DIR/stories overlaps output.dir DIR/stories/public; keep story folders apart from feedloom's own files"}},
		{"a story folder linked from inside output.dir", []string{"news/", "public/", "public/news -> ../news"}, "config.yaml",
			"output: {dir: public/news/out}\nsources:\n  - name: a\n    kind: files\n    path: news\n",
			[]string{"config.yaml:7:5: sources[0].path: DIR/news overlaps output.dir DIR/public/news/out (DIR/news/out once symlinks are resolved); keep story folders apart from feedloom's own files"}},
		{"a story folder that is a symlink into output.dir", []string{"public/news/", "news -> public/news"}, "config.yaml",
			"output: {dir: public}\nsources:\n  - name: a\n    kind: files\n    path: news\n",
			[]string{"config.yaml:7:5: sources[0].path: DIR/news (DIR/public/news once symlinks are resolved) overlaps output.dir DIR/public; keep story folders apart from feedloom's own files"}},
		{"a story folder that is a symlink to data_dir", []string{"data/", "stories -> data"}, "config.yaml",
			"sources:\n  - name: a\n    kind: files\n    path: stories\n",
			[]string{"config.yaml:6:5: sources[0].path: DIR/stories (DIR/data once symlinks are resolved) overlaps data_dir DIR/data; keep story folders apart from feedloom's own files"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tempDir(t)
			tree(t, dir, tc.tree)
			path := filepath.Join(dir, tc.config)
			src := placementHead + strings.ReplaceAll(tc.src, "DIR", dir)
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			_, err := Load(tc.config, LoadOptions{Getenv: noEnv, Hostname: fixedHost})
			var got []string
			if err != nil {
				got = strings.Split(strings.ReplaceAll(err.Error(), dir, "DIR"), "\n")
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("Load error:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestResolve(t *testing.T) {
	dir := tempDir(t)
	tree(t, dir, []string{"a/b/", "l -> a", "dangling -> a/new", "loop1 -> loop2", "loop2 -> loop1", "abs -> " + filepath.Join(dir, "a", "b"), "a/b/up -> ../new"})
	for _, tc := range []struct{ path, want string }{
		{"a/b", "a/b"},
		{"a/b/not/yet", "a/b/not/yet"},
		{"l/b", "a/b"},
		{"l/b/../c", "a/c"}, // cleaned first, as Load's paths are
		{"l/new/deeper", "a/new/deeper"},
		{"dangling", "a/new"},
		{"dangling/deeper", "a/new/deeper"},
		{"abs/c", "a/b/c"},
		{"abs/up", "a/new"},    // a relative target is read from the folder the link really sits in
		{"loop1/x", "loop1/x"}, // a loop is left as written once the hops run out
	} {
		got := resolve(filepath.Join(dir, tc.path), 40)
		if want := filepath.Join(dir, tc.want); got != want {
			t.Errorf("resolve(%s) = %s, want %s", tc.path, got, want)
		}
	}
}
