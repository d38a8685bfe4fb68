package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// placement checks where feedloom's own folders sit. The server hands out
// everything under output.dir, so output.dir must not be a filesystem root,
// nor hold the config file or data_dir (the store and its WAL); an output
// folder inside data_dir is harmless. A story folder must not overlap the
// output folder or data_dir either way, or feedloom would read its own
// files as stories (and publish the stories' folder); that is reported at
// the story folder. Paths are compared as the system will open them, with
// symlinks resolved, though none of them need exist yet.
func (b *builder) placement(c *Config) {
	out := placed(c.Output.Dir)
	data := placed(c.DataDir)
	root := filepath.Dir(out.real) == out.real
	if root {
		b.p.at("output.dir", "%s is a filesystem root: serving it would publish every file on the machine", out)
	} else {
		// The config file is checked where it was named and, when it is a
		// symlink, where it really is; relative paths in it still follow
		// the folder it was named in.
		name := filepath.Base(c.Path)
		file := placed(c.Path)
		realName := filepath.Base(file.real)
		switch cfg := placed(c.Dir); {
		case cfg.real == out.real:
			b.p.at("output.dir", "%s is the config file's folder: serving it would publish %s", out, name)
		case nested(cfg.real, out.real):
			b.p.at("output.dir", "%s contains the config file's folder %s: serving it would publish %s", out, cfg, name)
		case filepath.Dir(file.real) == out.real:
			b.p.at("output.dir", "%s holds the config file %s: serving it would publish %s", out, file, realName)
		case nested(filepath.Dir(file.real), out.real):
			b.p.at("output.dir", "%s contains the config file %s: serving it would publish %s", out, file, realName)
		}
		switch {
		case data.real == out.real:
			b.p.at("output.dir", "%s is data_dir: serving it would publish the store", out)
		case nested(data.real, out.real):
			b.p.at("output.dir", "%s contains data_dir %s: serving it would publish the store", out, data)
		}
	}
	for i, s := range c.Sources {
		if s.Kind != "files" || s.Path == "" {
			continue
		}
		story := placed(s.Path)
		for _, o := range []struct {
			key   string
			dir   place
			check bool
		}{
			{"output.dir", out, !root}, // a root is reported once, above
			{"data_dir", data, true},
		} {
			if o.check && (nested(story.real, o.dir.real) || nested(o.dir.real, story.real)) {
				b.p.at(fmt.Sprintf("sources[%d].path", i), "%s overlaps %s %s; keep story folders apart from feedloom's own files", story, o.key, o.dir)
			}
		}
	}
}

// place is a configured folder and the folder it really is.
type place struct{ path, real string }

func placed(path string) place { return place{path, resolve(path, 40)} }

// String is the path as configured, with the real one when they differ.
func (p place) String() string {
	if p.real == filepath.Clean(p.path) {
		return p.path
	}
	return fmt.Sprintf("%s (%s once symlinks are resolved)", p.path, p.real)
}

// resolve is the absolute path with every symlink resolved, as far as the
// path exists: filepath.EvalSymlinks on its longest existing prefix, with
// the missing rest appended. A dangling symlink on the way (data -> public/db
// before public exists) is followed all the same, up to hops links, so that
// where the folder will be created is known; a relative target is read
// from the folder the link really sits in.
func resolve(path string, hops int) string {
	path = filepath.Clean(path)
	var rest []string // missing components, outermost first
	for dir := path; ; {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(append([]string{real}, rest...)...)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return path
		}
		if target, err := os.Readlink(dir); err == nil && hops > 0 {
			if !filepath.IsAbs(target) {
				target = filepath.Join(resolve(parent, hops-1), target)
			}
			return resolve(filepath.Join(append([]string{target}, rest...)...), hops-1)
		}
		rest = append([]string{filepath.Base(dir)}, rest...)
		dir = parent
	}
}

// nested reports whether path is dir or lies inside it.
func nested(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
