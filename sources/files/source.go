// Package files is the files source kind: a folder of story files written by
// a newsroom, in three formats picked by extension — plain-text news
// listings (.txt), Markdown with YAML front matter (.md, .markdown), and
// JSON or YAML stories (.json, .yaml, .yml). Each format is parsed into a
// struct faithful to it, then translated into sources.Story; a file that
// cannot be read is reported and skipped, and the rest still return.
package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/yuin/goldmark"

	"github.com/feedloom/feedloom/sources"
)

// Options configure a files source. The zero value is usable.
type Options struct {
	// Labels are the category lines that start a story in a .txt listing.
	// Empty means they are learned from each listing: its first line after
	// the header.
	Labels []string
	// Zone is the zone of explicit dates written without one; nil means UTC.
	Zone *time.Location
	// MaxBytes caps one story file; a larger file is that file's error,
	// read no further. 0 means 10 MiB.
	MaxBytes int64
}

// Source reads every story file under one folder.
type Source struct {
	name string
	dir  string
	opts Options
	md   goldmark.Markdown
}

var _ sources.Source = (*Source)(nil)

// New returns the files source name reading the folder dir.
func New(name, dir string, opts Options) *Source {
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	opts.Labels = slices.Clone(opts.Labels)
	return &Source{name: name, dir: dir, opts: opts, md: newMarkdown()}
}

// Name returns the source's configured name.
func (s *Source) Name() string { return s.name }

// Fetch reads every story file under the folder, in sorted path order, and
// returns all their stories. Dotfiles, dot-folders and files of other
// extensions are ignored. A file that cannot be read or parsed is skipped
// and reported in Result.Problems as a *sources.FileError; Result.Files
// lists the files read. The folder missing or unreadable is the error. The
// result is never NotModified — reading local files is cheap, and how they
// parse depends on the configuration — and the state is prev but for its
// ETag, which becomes the folder's Digest.
func (s *Source) Fetch(ctx context.Context, prev sources.State) (sources.Result, error) {
	res := sources.Result{State: prev}
	paths, problems, err := s.list()
	if err != nil {
		return sources.Result{}, fmt.Errorf("files %q: %w", s.name, err)
	}
	res.Problems = problems
	sum := sha256.New()
	for _, rel := range paths {
		if err := ctx.Err(); err != nil {
			return sources.Result{}, fmt.Errorf("files %q: %w", s.name, err)
		}
		data, err := s.read(rel)
		addDigest(sum, rel, data)
		var stories []sources.Story
		if err == nil {
			stories, err = s.parseFile(rel, data)
		}
		if err != nil {
			res.Problems = append(res.Problems, fileError(rel, err))
			continue
		}
		res.Files = append(res.Files, rel)
		res.Stories = append(res.Stories, stories...)
	}
	res.State.ETag = digestOf(sum)
	return res, nil
}

// Digest sums the folder's story files, their paths and bytes, as Fetch
// records it in the state's ETag: nodes of a cluster compare it to see
// that they were deployed the same folder.
func (s *Source) Digest(ctx context.Context) (string, error) {
	paths, _, err := s.list()
	if err != nil {
		return "", fmt.Errorf("files %q: %w", s.name, err)
	}
	sum := sha256.New()
	for _, rel := range paths {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("files %q: %w", s.name, err)
		}
		data, _ := s.read(rel)
		addDigest(sum, rel, data)
	}
	return digestOf(sum), nil
}

// addDigest adds one file; a file that cannot be read counts by its name.
func addDigest(sum hash.Hash, rel string, data []byte) {
	fmt.Fprintf(sum, "%s\x00%d\x00", rel, len(data))
	sum.Write(data)
}

func digestOf(sum hash.Hash) string {
	return `"sha256:` + hex.EncodeToString(sum.Sum(nil)[:16]) + `"`
}

// list returns the story files under the folder as slash-separated paths
// relative to it, sorted. A subfolder that cannot be read is a problem, not
// an error: the other files still count.
func (s *Source) list() (paths []string, problems []error, err error) {
	info, err := os.Stat(s.dir)
	if err != nil {
		return nil, nil, err
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("%s: not a folder", s.dir)
	}
	err = filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if p == s.dir {
			return err // the folder itself unreadable
		}
		rel, relErr := filepath.Rel(s.dir, p)
		if relErr != nil {
			return relErr
		}
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if err != nil {
			problems = append(problems, &sources.FileError{Path: rel, Err: err})
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || formatOf(rel) == "" {
			return nil
		}
		if !d.Type().IsRegular() {
			// A link to a file counts; links to folders are not followed,
			// so that a loop cannot make the walk endless.
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		}
		paths = append(paths, rel)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(paths)
	return paths, problems, nil
}

// formatOf returns the story format of a file by its extension, "" for a
// file that is not a story.
func formatOf(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".txt":
		return "listing"
	case ".md", ".markdown":
		return "markdown"
	case ".json":
		return "json"
	case ".yaml", ".yml":
		return "yaml"
	}
	return ""
}

// read reads the story file rel; parseFile parses what it holds.
func (s *Source) read(rel string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(rel)))
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return nil, fmt.Errorf("%s: %w", pe.Op, pe.Err) // the report names the file
	}
	return data, err
}

func (s *Source) parseFile(rel string, data []byte) ([]sources.Story, error) {
	stories, err := s.parse(formatOf(rel), data)
	for i := range stories {
		stories[i].File = rel
	}
	return stories, err
}

// parse parses data in format into stories.
func (s *Source) parse(format string, data []byte) ([]sources.Story, error) {
	switch format {
	case "listing":
		l, err := parseListing(data, s.opts.Labels)
		if err != nil {
			return nil, err
		}
		return l.stories(), nil
	case "markdown":
		m, err := parseMarkdown(data, s.md)
		if err != nil || m.Meta.Draft {
			return nil, err // a draft is skipped, as Hugo does
		}
		st, err := m.story(s.opts.Zone)
		if err != nil {
			return nil, err
		}
		return []sources.Story{st}, nil
	case "json", "yaml":
		parse := parseYAMLStories
		if format == "json" {
			parse = parseJSONStories
		}
		stories, list, err := parse(data)
		if err != nil {
			return nil, err
		}
		return structuredStories(stories, list, s.opts.Zone)
	}
	return nil, fmt.Errorf("unknown story format %q", format)
}

// fileError returns err as a *sources.FileError for the file rel.
func fileError(rel string, err error) error {
	var fe *sources.FileError
	if errors.As(err, &fe) {
		located := *fe
		located.Path = rel
		return &located
	}
	return &sources.FileError{Path: rel, Err: err}
}
