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
	"io"
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
// extensions are ignored; links are followed within the folder only. A file
// that cannot be read or parsed — too large, malformed, or even crashing a
// parser — is skipped and reported in Result.Problems as a
// *sources.FileError. Only the folder missing or unreadable is the error.
// The result is never NotModified, and the state is prev but for its ETag,
// which becomes the folder's Digest.
func (s *Source) Fetch(ctx context.Context, prev sources.State) (sources.Result, error) {
	return s.fetch(ctx, prev, nil)
}

var _ sources.Folder = (*Source)(nil)

// FetchChanged is Fetch that reads only the files that changed since the
// fingerprints in files (sorted by path) were taken: a file whose size and
// modification time match its fingerprint is not read; one whose time or
// size moved is read and hashed, and parsed only when its content changed
// (a touched file is unchanged, and comes back with its new time). A file
// with a problem gets a fingerprint without a Hash, so that it is read, and
// its problem reported, every time. The result is NotModified when no file
// but those with a problem was parsed and none of files is gone; it lists
// every file's fingerprint in Result.Files and the files it did not parse
// in Result.Unchanged.
//
// A file modified less than racyWindow before the read (or after it, by a
// clock ahead of this one) gets a fingerprint without a time: the file
// system's clock moves in ticks of milliseconds (seconds on some), and an
// edit of the same size within the tick of the write before it would leave
// size and time as they were. Such a file is hashed again at the next
// read, as git does with the entries it calls racily clean.
func (s *Source) FetchChanged(ctx context.Context, prev sources.State, files []sources.FileStamp) (sources.Result, error) {
	return s.fetch(ctx, prev, files)
}

// Settings stands for the options that decide how a file's bytes become
// stories: fingerprints taken under other settings do not hold.
func (s *Source) Settings() string {
	return fmt.Sprintf("files\x00%q\x00%s\x00%d", s.opts.Labels, s.opts.Zone, s.maxBytes())
}

// fetch reads the folder, skipping the files whose fingerprint in given
// (sorted by path) still holds; with none given it reads every file.
func (s *Source) fetch(ctx context.Context, prev sources.State, given []sources.FileStamp) (sources.Result, error) {
	res := sources.Result{State: prev}
	settled := time.Now().Add(-racyWindow) // a file modified before this keeps its time
	root, files, problems, err := s.list()
	if err != nil {
		return sources.Result{}, fmt.Errorf("files %q: %w", s.name, err)
	}
	defer root.Close()
	res.Problems = problems
	old := make(map[string]sources.FileStamp, len(given))
	for _, st := range given {
		old[st.Path] = st
	}
	gone := len(given)
	parsed := 0 // files read without a problem
	sum := sha256.New()
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return sources.Result{}, fmt.Errorf("files %q: %w", s.name, err)
		}
		prior, known := old[f.rel]
		if known {
			gone--
		}
		if known && prior.Hash != "" {
			if info, err := root.Stat(f.path); err == nil && info.Size() == prior.Size && info.ModTime().Equal(prior.ModTime) {
				addDigest(sum, f.rel, prior.Size, prior.Hash)
				res.Files = append(res.Files, prior)
				res.Unchanged = append(res.Unchanged, f.rel)
				continue
			}
		}
		stamp := sources.FileStamp{Path: f.rel}
		data, info, err := s.read(root, f.path)
		if info != nil {
			stamp.Size = info.Size()
			if info.ModTime().Before(settled) {
				stamp.ModTime = info.ModTime()
			}
		}
		hash := ""
		if err == nil {
			hash = hashOf(data)
		}
		addDigest(sum, f.rel, int64(len(data)), hash)
		if err == nil && known && hash == prior.Hash {
			// Touched, not changed: its new time is its fingerprint now.
			stamp.Hash = hash
			res.Files = append(res.Files, stamp)
			res.Unchanged = append(res.Unchanged, f.rel)
			continue
		}
		res.Read++
		var stories []sources.Story
		if err == nil {
			stories, err = s.parseFile(f.rel, data)
		}
		if err != nil {
			res.Problems = append(res.Problems, fileError(f.rel, err))
			res.Files = append(res.Files, stamp)
			continue
		}
		stamp.Hash = hash
		res.Files = append(res.Files, stamp)
		res.Stories = append(res.Stories, stories...)
		parsed++
	}
	res.State.ETag = digestOf(sum)
	res.NotModified = len(given) > 0 && parsed == 0 && gone == 0
	return res, nil
}

// racyWindow is how long after its last modification a file's time is
// trusted to tell whether it changed since (see FetchChanged): more than
// the coarsest clock tick of the file systems a folder is likely on (FAT
// keeps times to 2 s).
const racyWindow = 3 * time.Second

// Digest sums the folder's story files, their paths, sizes and content
// hashes, as Fetch records it in the state's ETag: nodes of a cluster
// compare it to see that they were deployed the same folder.
func (s *Source) Digest(ctx context.Context) (string, error) {
	root, files, _, err := s.list()
	if err != nil {
		return "", fmt.Errorf("files %q: %w", s.name, err)
	}
	defer root.Close()
	sum := sha256.New()
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("files %q: %w", s.name, err)
		}
		data, _, err := s.read(root, f.path)
		hash := ""
		if err == nil {
			hash = hashOf(data)
		}
		addDigest(sum, f.rel, int64(len(data)), hash)
	}
	return digestOf(sum), nil
}

// addDigest adds one file by its content hash, so that a fetch that reads
// only the changed files still sums the whole folder; a file that cannot be
// read counts by its name.
func addDigest(sum hash.Hash, rel string, size int64, contentHash string) {
	fmt.Fprintf(sum, "%s\x00%d\x00%s\x00", rel, size, contentHash)
}

func hashOf(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

func digestOf(sum hash.Hash) string {
	return `"sha256:` + hex.EncodeToString(sum.Sum(nil)[:16]) + `"`
}

// list returns the story files under the folder, sorted by their
// slash-separated paths relative to it, and the folder opened as an
// os.Root to read them through. A subfolder or link that cannot be read is
// a problem, not an error: the other files still count.
func (s *Source) list() (root *os.Root, files []storyFile, problems []error, err error) {
	info, err := os.Stat(s.dir)
	if err != nil {
		return nil, nil, nil, err
	}
	if !info.IsDir() {
		return nil, nil, nil, fmt.Errorf("%s: not a folder", s.dir)
	}
	// A deployed folder is often a link to the current release
	// (stories -> releases/42): resolve it at each listing, so that the
	// walk descends into it and links inside are judged against the
	// release itself.
	dir, err := filepath.Abs(s.dir)
	if err == nil {
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	files, problems, err = walkFolder(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	// The walk judged every link; reading through a Root holds that
	// judgement even if a file or folder is swapped for a link to
	// elsewhere before it is read.
	if root, err = os.OpenRoot(dir); err != nil {
		return nil, nil, nil, err
	}
	for i := range files {
		if files[i].path, err = filepath.Rel(dir, files[i].path); err != nil {
			root.Close()
			return nil, nil, nil, err
		}
	}
	slices.SortFunc(files, func(a, b storyFile) int { return strings.Compare(a.rel, b.rel) })
	return root, files, problems, nil
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

// defaultMaxBytes is the cap on one story file when Options.MaxBytes is 0.
const defaultMaxBytes = 10 << 20

// errTooLarge is the problem of a story file over Options.MaxBytes.
var errTooLarge = errors.New("story file too large")

// maxBytes is Options.MaxBytes, or its default.
func (s *Source) maxBytes() int64 {
	if s.opts.MaxBytes <= 0 {
		return defaultMaxBytes
	}
	return s.opts.MaxBytes
}

// read reads the story file at p inside root, at most Options.MaxBytes of
// it: a larger file is an error, read no further. The size is checked
// before reading and again by what was read, which catches a file growing
// meanwhile. info is what the open file said before it was read (nil when
// it could not be opened): the fingerprint of what was read, so that a
// write during the read shows as a change next time.
func (s *Source) read(root *os.Root, p string) ([]byte, fs.FileInfo, error) {
	limit := s.maxBytes()
	f, err := root.Open(p)
	if err != nil {
		return nil, nil, pathless(err) // the report names the file
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, pathless(err)
	}
	if info.Size() > limit {
		return nil, info, fmt.Errorf("%w: %d bytes, over the limit of %s", errTooLarge, info.Size(), byteSize(limit))
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, info, pathless(err)
	}
	if int64(len(data)) > limit {
		return nil, info, fmt.Errorf("%w: over the limit of %s", errTooLarge, byteSize(limit))
	}
	return data, info, nil
}

// byteSize writes n bytes for a message: in MiB or KiB when it is a whole
// number of them, as limits are usually set.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// parseFile parses the story file rel. A panic in a parser is that file's
// problem: a file that trips a bug in a library must not take the other
// files of the folder down with it.
func (s *Source) parseFile(rel string, data []byte) (stories []sources.Story, err error) {
	defer catchPanic(&err, 0, 0)
	stories, err = s.parse(formatOf(rel), data)
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

// errPanic marks a problem that was a panic in a parser.
var errPanic = errors.New("internal parser error")

// catchPanic, deferred by a function returning the error *err, turns a
// panic into that error, a problem at line and col (0 when unknown). It
// must be the deferred function itself for recover to see the panic.
func catchPanic(err *error, line, col int) {
	if r := recover(); r != nil {
		*err = errAt(line, col, "%w: %v", errPanic, r)
	}
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
