package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/feedloom/feedloom/store"
)

// FormatVersion is the version of the bytes publish writes for a given
// store and Options: bump it with every change to what any output file
// holds (the feed writers in feeds, the pages, OPML and stylesheet here),
// so that a folder an older binary wrote is rendered again by a newer one
// even when the store has not changed. TestFormatVersion fails until it
// is bumped.
const FormatVersion = 12

// Manifests is where a Publisher keeps the manifest of each output folder
// it wrote: in the store, beside the items, so that a recreated store
// starts without one. store.Store has it.
type Manifests interface {
	Version(ctx context.Context) (int64, error)
	Manifest(ctx context.Context, key string) (store.Manifest, bool, error)
	SaveManifest(ctx context.Context, key string, m store.Manifest) error
}

// manifestKey names the manifest of the folder dir of node: nodes of a
// cluster share the store, each with its own folder, and one node may
// publish several.
func manifestKey(node, dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return node + "|" + dir
}

// fingerprint stands for everything but the store's items that the
// output depends on: the format version (FormatVersion), the formats written and every option
// that reaches a file (not Dir, which is in the key, nor the clock). The
// zone goes in by name: a time zone database that moves a zone's offsets
// does not change it.
func fingerprint(version int, opts Options, formats []format) string {
	h := sha256.New()
	fmt.Fprintf(h, "format %d\n", version)
	for _, fm := range formats {
		fmt.Fprintf(h, "file %q\n", fm.file)
	}
	fmt.Fprintf(h, "base %q\ntitle %q\nlink %q\nauthor %q %q %q\nzone %q\nmax %d\nhub %q\ngenerator %q\n",
		opts.BaseURL, opts.Title, opts.Link, opts.Author.Name, opts.Author.Email, opts.Author.URL,
		opts.Zone.String(), opts.MaxItems, opts.Hub, opts.Generator)
	for _, l := range opts.Languages {
		fmt.Fprintf(h, "language %q %q %d\n", l.Tag, l.Title, l.MaxItems)
	}
	rules := func(rs []Rule) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.String())
		}
		return out
	}
	for _, c := range opts.Channels {
		fmt.Fprintf(h, "channel %q %q %q %q %q %q %q %q %d\n", c.Name, c.Title, c.Languages, c.Sources, c.Categories,
			rules(c.Include), rules(c.Exclude), c.Content, c.MaxItems)
	}
	fmt.Fprintf(h, "categories %q\n", opts.Categories)
	fmt.Fprintf(h, "archive %d page %d\n", opts.ArchiveSize, opts.PageSize)
	for _, src := range slices.Sorted(maps.Keys(opts.TranslationOnly)) {
		fmt.Fprintf(h, "translation only %q %q\n", src, opts.TranslationOnly[src])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// unchanged tells whether the output folder already holds what Publish
// would write, without reading an item: the store's content version and
// the publisher's fingerprint are those of the folder's manifest, and
// every file of the manifest is on disk as it was written. It returns the
// content version it read (before any item is read, so that a manifest
// saved with it never claims newer items than it shows), and, when the
// folder is current, the Report of a publish that changed nothing; when it
// is not, the files of a manifest written under the same fingerprint, by
// path, whose documents cut from the store a publish need not render
// again (see keep).
//
// A file is taken as it was written when its size and stamp (mtime,
// ctime, inode) are the recorded ones. Every write to a file moves its
// ctime, which no one can set back, so an edit is seen even when it keeps
// the size and mtime; only an edit of the same size within the file
// system's clock tick of publish's own write (a few milliseconds) would
// pass, and a later publish of a changed store rewrites the file anyway.
// A file whose stamp differs but whose size does not is hashed: with the
// recorded content (a copy, a restore, a touch) it only gets its mtime
// back and a new stamp in the manifest. A file missing, of another size or
// content, or a story page that the manifest does not know, makes the
// folder not current, and Publish renders everything and writes what
// differs.
func (p *Publisher) unchanged(ctx context.Context) (version int64, ok bool, rep Report, old map[string]store.OutputFile, err error) {
	if p.manifests == nil {
		return 0, false, Report{}, nil, nil
	}
	version, err = p.manifests.Version(ctx)
	if err != nil {
		return 0, false, Report{}, nil, fmt.Errorf("publish: read the content version: %w", err)
	}
	m, found, err := p.manifests.Manifest(ctx, p.key)
	if err != nil {
		return 0, false, Report{}, nil, fmt.Errorf("publish: read the manifest: %w", err)
	}
	if !found || m.Fingerprint != p.fingerprint {
		return version, false, Report{}, nil, nil
	}
	if m.Version != version {
		return version, false, Report{}, p.oldFiles(ctx, m), nil
	}
	if err := p.Check(); err != nil {
		return 0, false, Report{}, nil, err
	}
	// A folder of documents whose stamp holds has had no file created in
	// it since the manifest was saved, so no leftover appeared there
	// since; there are many, so the sweep passes them by.
	quiet := p.quietFolders(m.Files)
	p.sweepOnce(quiet)
	restamped, intact := p.verify(m.Files, quiet)
	if !intact {
		return version, false, Report{}, p.oldFiles(ctx, m), nil
	}
	if restamped {
		p.saveManifest(ctx, m)
	}
	rep.Feeds = p.statsOf(m.Files)
	p.log.Info("published", "dir", p.opts.Dir, "files", fileCount(m.Files), "changed", 0)
	return version, true, rep, nil, nil
}

// verify checks the manifest's files on disk (see unchanged), giving a
// file whose content is right but whose stamp is not its mtime back and a
// new stamp in files; folders of documents are intact when quiet holds
// them. restamped says whether any stamp changed.
func (p *Publisher) verify(files []store.OutputFile, quiet map[string]bool) (restamped, intact bool) {
	known := make(map[string]bool, len(files))
	for i := range files {
		f := &files[i]
		known[f.Path] = true
		if strings.HasSuffix(f.Path, "/") {
			// A folder of documents: any file added, removed or replaced
			// in it moves its stamp (quietFolders compared them; the sweep
			// passed those folders by).
			if !quiet[strings.TrimSuffix(f.Path, "/")] {
				return false, false
			}
			continue
		}
		ok, stamped := p.checkFile(f)
		if !ok {
			return false, false
		}
		restamped = restamped || stamped
	}
	// A page that no item has would be removed by a publish.
	entries, err := os.ReadDir(filepath.Join(p.opts.Dir, storiesDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, false
	}
	for _, e := range entries {
		if orphanCandidate(e, ".html") && !known[storiesDir+"/"+e.Name()] {
			return false, false
		}
	}
	return restamped, true
}

// documentsKey keys the manifest of the documents cut from the store
// (archives, numbered pages) beside the folder's manifest under key. They
// are many, so the folder's manifest holds only the stamps of their
// folders, and a publish of an unchanged store never reads this one.
func documentsKey(key string) string { return key + " documents" }

// fileCount is how many files a manifest stands for: a folder of
// documents counts the documents it held when saved (or one, in a
// manifest saved before folders counted them).
func fileCount(files []store.OutputFile) int {
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f.Path, "/") {
			n += max(f.Items, 1)
		} else {
			n++
		}
	}
	return n
}

// oldFiles is every file the last publish recorded, by path: m's and its
// documents'. Documents whose manifest cannot be read are rendered again.
func (p *Publisher) oldFiles(ctx context.Context, m store.Manifest) map[string]store.OutputFile {
	out := byPath(m.Files)
	docs, found, err := p.manifests.Manifest(ctx, documentsKey(p.key))
	if err != nil {
		p.log.Warn("manifest of archives and pages not read; rendering them again", "err", err)
	}
	if found && err == nil && docs.Version == m.Version && docs.Fingerprint == m.Fingerprint {
		for _, f := range docs.Files {
			out[f.Path] = f
		}
	}
	return out
}

// byPath indexes a manifest's files by path.
func byPath(files []store.OutputFile) map[string]store.OutputFile {
	out := make(map[string]store.OutputFile, len(files))
	for _, f := range files {
		out[f.Path] = f
	}
	return out
}

// checkFile tells whether the file of f is on disk as written: its size
// and stamp, or at least its size and content, which then gets its mtime
// back and f a new stamp (restamped).
func (p *Publisher) checkFile(f *store.OutputFile) (ok, restamped bool) {
	full := filepath.Join(p.opts.Dir, filepath.FromSlash(f.Path))
	fi, err := os.Lstat(full)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != f.Size {
		return false, false
	}
	if fileStamp(fi) == f.Stamp {
		return true, false
	}
	if sum, err := hashFile(full); err != nil || sum != f.Hash {
		return false, false
	}
	if mod, ok := stampModTime(f.Stamp); ok && !fi.ModTime().Equal(mod) {
		if err := os.Chtimes(full, mod, mod); err != nil {
			return false, false
		}
	}
	if fi, err = os.Lstat(full); err != nil {
		return false, false
	}
	f.Stamp = fileStamp(fi)
	p.log.Debug("file restamped", "path", f.Path)
	return true, true
}

// stampModTime reads the modification time back from a fileStamp.
func stampModTime(stamp string) (time.Time, bool) {
	ns, _, _ := strings.Cut(stamp, " ")
	n, err := strconv.ParseInt(ns, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, n), true
}

// hashFile is the hex SHA-256 of the file at path.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// saveManifest records m under the publisher's key. A failure is logged,
// not returned: the output is written, and the next publish, finding no
// current manifest, renders it again.
func (p *Publisher) saveManifest(ctx context.Context, m store.Manifest) {
	if err := p.manifests.SaveManifest(ctx, p.key, m); err != nil {
		p.log.Warn("publish manifest not saved", "dir", p.opts.Dir, "err", err)
	}
}

// saveManifests records the documents' manifest, then the folder's, which
// stands for both: when the first cannot be saved, neither is, and the next
// publish renders everything again.
func (p *Publisher) saveManifests(ctx context.Context, m store.Manifest, docs []store.OutputFile, sets []feedSet) {
	d := store.Manifest{Version: m.Version, Fingerprint: m.Fingerprint, Files: docs}
	if err := p.manifests.SaveManifest(ctx, documentsKey(p.key), d); err != nil {
		p.log.Warn("publish manifest not saved", "dir", p.opts.Dir, "err", err)
		return
	}
	m.Files = append(m.Files, p.docFolders(sets, docs)...)
	p.saveManifest(ctx, m)
}

// quietFolders are the folders of documents in files whose stamps are the
// recorded ones, relative to Dir without the final "/".
func (p *Publisher) quietFolders(files []store.OutputFile) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		if !strings.HasSuffix(f.Path, "/") {
			continue
		}
		fi, err := os.Lstat(filepath.Join(p.opts.Dir, filepath.FromSlash(f.Path)))
		if err == nil && fi.IsDir() && fileStamp(fi) == f.Stamp {
			out[strings.TrimSuffix(f.Path, "/")] = true
		}
	}
	return out
}

// docFolders are the stamps of the folders that hold sets' archive
// documents and numbered pages, as entries whose path ends in "/".
func (p *Publisher) docFolders(sets []feedSet, docs []store.OutputFile) []store.OutputFile {
	held := map[string]int{} // documents by folder
	for _, d := range docs {
		held[path.Dir(d.Path)]++
	}
	var out []store.OutputFile
	add := func(folder string) {
		fi, err := os.Lstat(filepath.Join(p.opts.Dir, filepath.FromSlash(folder)))
		if err == nil && fi.IsDir() {
			out = append(out, store.OutputFile{Path: folder + "/", Stamp: fileStamp(fi), Items: held[folder]})
		}
	}
	for i := range sets {
		s := &sets[i]
		for _, fm := range p.formats {
			add(s.dir + archiveDir + "/" + fm.archive)
		}
		if s.pages {
			add(s.dir + pageDir)
		}
	}
	return out
}

// manifestOf is the manifest of a publish that wrote entries from the
// store's content version: feed files carry their stats.
func (p *Publisher) manifestOf(version int64, entries []store.OutputFile, stats []FeedStat) store.Manifest {
	byPath := make(map[string]FeedStat, len(stats))
	for _, s := range stats {
		byPath[s.Path] = s
	}
	for i := range entries {
		if s, ok := byPath[entries[i].Path]; ok {
			entries[i].Items, entries[i].Newest = s.Items, s.Newest.UTC()
		}
	}
	return store.Manifest{Version: version, Fingerprint: p.fingerprint, Files: entries}
}

// statsOf is Report.Feeds from a manifest's files, in the order stats
// gives: the merged feed first, then the languages in config order.
func (p *Publisher) statsOf(files []store.OutputFile) []FeedStat {
	byPath := make(map[string]store.OutputFile, len(files))
	for _, f := range files {
		byPath[f.Path] = f
	}
	var out []FeedStat
	for _, s := range p.feedSets() {
		for _, fm := range p.formats {
			f := byPath[s.dir+fm.file]
			st := FeedStat{Path: s.dir + fm.file, Items: f.Items}
			if !f.Newest.IsZero() {
				st.Newest = f.Newest.In(time.UTC)
			}
			out = append(out, st)
		}
	}
	return out
}

// Every store keeps manifests.
var _ Manifests = store.Store(nil)
