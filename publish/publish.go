// Package publish turns the store's items into the output folder: for the
// merged feed and for each configured language it selects the newest items,
// writes them as RSS 2.0, Atom 1.0 and JSON Feed 1.1, and writes the pages
// around them (index.html, feeds.opml, feed.xsl and a permalink page for
// every item without a link of its own). Every file is streamed into place,
// compared with the old one as it is rendered and written atomically only
// when its bytes changed, so a publish of an unchanged store writes
// nothing; and a manifest of what was written, kept in the store, lets a
// publish of an unchanged store check the files instead of rendering them.
package publish

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// ItemReader is what publishing needs from the store; store.Store has it.
// Publish calls it from several goroutines at once.
type ItemReader interface {
	Items(ctx context.Context, q store.Query) ([]feeds.Item, error)
	// Newest is the latest Published or Updated time among released
	// items; the zero time when there are none.
	Newest(ctx context.Context) (time.Time, error)
}

// Language is one configured language and its feed set.
type Language struct {
	Tag      string // BCP 47 tag; its lower-case form names the output folder
	Title    string // feed title; the site title when empty
	MaxItems int    // 0 means Options.MaxItems
}

// Options configures a Publisher. The zero value of each field has the
// meaning its comment gives.
type Options struct {
	Dir       string       // output folder
	BaseURL   string       // where Dir is published; a missing final "/" is added
	Title     string       // site title (merged feed, index)
	Link      string       // the human site; BaseURL when empty
	Author    feeds.Person // feed author; omitted when it has no name
	Zone      *time.Location
	Languages []Language       // in config order; the first is the merged feed's language
	MaxItems  int              // merged feed; 0 means 50
	Hub       string           // WebSub hub, advertised in feeds when set
	Generator string           // e.g. "feedloom 0.1.0"
	Now       func() time.Time // the clock, for the age of leftover temporary files; nil = time.Now
	// Channels are feed sets of their own choosing, under
	// channels/<name>/; Categories get one per language, under
	// <language folder>/categories/<slug>/.
	Channels   []Channel
	Categories []string
	// ArchiveSize is how many items a full archive document holds; 0
	// means 50, negative writes no archive. PageSize is the same for
	// numbered pages; 0 means 20, negative writes none.
	ArchiveSize, PageSize int
	// Node names this process among the nodes that share the store (each
	// with its own output folder): with Dir, it keys the folder's manifest
	// in the store. Empty is fine for a store only one machine uses.
	Node string
	// TranslationOnly holds, by source name, the markers that end the
	// titles of that source's stories that exist only in their own
	// language: their pages say so, and they have no translations. nil
	// for none.
	TranslationOnly map[string][]string
}

// Report says what one Publish did.
type Report struct {
	Changed []string   // paths relative to Dir, slash-separated, sorted: written or deleted
	Feeds   []FeedStat // one per feed file, merged feed first, then languages in config order
}

// FeedStat describes one written feed file.
type FeedStat struct {
	Path   string    // relative to Dir, slash-separated, e.g. "zh-hant/atom.xml"
	Items  int       // items in the file
	Newest time.Time // newest Published or Updated among them; zero when empty
}

// Publisher writes the output folder from the store's items.
type Publisher struct {
	r       ItemReader
	opts    Options
	log     *slog.Logger
	formats []format
	swept   atomic.Bool // leftover temporary files removed (the first Publish does it)

	categories []categoryChannel // Options.Categories, per language (set by resolveSlugs)
	slugsMu    sync.Mutex

	manifests   Manifests // nil: every publish renders everything
	key         string    // of the manifest: node and folder
	fingerprint string    // of the options and FormatVersion
}

// format is one feed file written for every feed set.
type format struct {
	file string // file name inside the feed set's folder
	// archive names the format's folder under archive/, ext its archive
	// documents' extension.
	archive, ext string
	mime         string
	name         string // for people: "RSS", "Atom", "JSON Feed"
	write        func(io.Writer, *feeds.Feed) error
}

func defaultFormats() []format {
	return []format{
		{file: "rss.xml", archive: "rss", ext: ".xml", mime: "application/rss+xml", name: "RSS", write: feeds.WriteRSS},
		{file: "atom.xml", archive: "atom", ext: ".xml", mime: "application/atom+xml", name: "Atom", write: feeds.WriteAtom},
		{file: "feed.json", archive: "json", ext: ".json", mime: "application/feed+json", name: "JSON Feed", write: feeds.WriteJSON},
	}
}

const (
	defaultMaxItems = 50
	storiesDir      = "stories"
	channelsDir     = "channels"
	stylesheetFile  = "feed.xsl"
)

// New returns a Publisher reading items from r. A nil log discards. When r
// is also Manifests (store.Store is), the publisher keeps a manifest of the
// output folder in it, under Options.Node and Dir, and a publish of an
// unchanged store checks the files instead of rendering them.
func New(r ItemReader, opts Options, log *slog.Logger) *Publisher {
	if opts.MaxItems <= 0 {
		opts.MaxItems = defaultMaxItems
	}
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	if !strings.HasSuffix(opts.BaseURL, "/") {
		opts.BaseURL += "/"
	}
	if opts.Link == "" {
		opts.Link = opts.BaseURL
	}
	opts.Languages = slices.Clone(opts.Languages)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Publisher{r: r, opts: opts, log: log, formats: defaultFormats()}
	if m, ok := r.(Manifests); ok {
		p.manifests = m
		p.key = manifestKey(opts.Node, opts.Dir)
		p.fingerprint = fingerprint(FormatVersion, opts, p.formats)
	}
	return p
}

// feedSet is the merged feed, one language's feeds or a channel's, in
// every format.
type feedSet struct {
	dir   string // folder relative to Dir with a final "/"; "" for the merged feed
	tag   string // language of the selection; "" for the merged feed and a channel of several
	lang  string // language the feed declares; without a tag, its items' shared one (set by read)
	title string
	label string // "All languages", the tag, "channel" or the category
	max   int    // items read; 0 means Options.MaxItems
	// language: a language's feed, which the others list as an alternate.
	language bool
	channel  *Channel // the selection of a channel; nil for the others
	embed    string   // its page under embed/; "" for none
	items    []feeds.Item
	// archive is every stored item of the set cut into archive documents,
	// the full ones then latest (set by cutAll).
	archive []doc
	// pages: the set has a front page, and with it numbered pages, paged.
	pages bool
	paged []doc
	// members are every released item the set selects, in the order
	// first stored, without content (set by cutAll; nil when archives and
	// pages are off).
	members []*feeds.Item
}

// file is one output file, rendered when it is written.
type file struct {
	path string // relative to Dir, slash-separated
	// mod is the file's modification time: the newest item it shows, so
	// Last-Modified derives from the store and is the same on every node.
	// Zero leaves the mtime alone.
	mod time.Time
	// write renders the content into w.
	write func(w io.Writer) error
	// cost is about how many items it shows, so that the largest files
	// start first and no long render is left to run alone at the end.
	cost int
}

// Publish writes the output folder from the store's items. When the
// folder's manifest says it holds what the store and the options give,
// and its files are as written (see unchanged), it reads no item and
// writes nothing. Else it renders every output file, streaming each into
// place and writing those whose bytes changed, deletes permalink pages
// whose item is gone, and saves the new manifest. Nothing is written
// unless Check passes. A write error stops it: files written before the
// error stay written (story pages first, so feeds never link to a missing
// page), the rest keep their old content.
func (p *Publisher) Publish(ctx context.Context) (Report, error) {
	if err := p.resolveSlugs(ctx); err != nil {
		return Report{}, err
	}
	version, current, rep, old, err := p.unchanged(ctx)
	if err != nil || current {
		return rep, err
	}
	unlinked, newestAll, sets, err := p.read(ctx)
	if err != nil {
		return Report{}, err
	}
	docs := append(p.archiveFiles(sets, newestAll), p.pageFiles(sets, newestAll)...)
	kept, render := p.keep(old, docs)
	files, pages := p.files(unlinked, newestAll, sets)
	if err := p.Check(); err != nil {
		return Report{}, err
	}
	p.sweepOnce(nil)

	// The stylesheet, the story pages and the archive documents come
	// first and only the feeds after them point at them, so they are
	// written together: each write mostly waits for its fsync. The rest
	// are rendered side by side and put in place in their order.
	head := 1 + len(pages)
	entries, changed, err := p.writeFiles(ctx, files[:head], storyWriters, false)
	rep.Changed = changed
	if err == nil {
		var more []store.OutputFile
		more, changed, err = p.writeDocs(ctx, render)
		entries = append(entries, more...)
		rep.Changed = append(rep.Changed, changed...)
	}
	if err == nil {
		var more []store.OutputFile
		more, changed, err = p.writeFiles(ctx, files[head:], runtime.GOMAXPROCS(0), true)
		entries = append(entries, more...)
		rep.Changed = append(rep.Changed, changed...)
	}
	if err != nil {
		slices.Sort(rep.Changed)
		return rep, err
	}
	removed, err := p.removeOrphans(pages, sets)
	rep.Changed = append(rep.Changed, removed...)
	slices.Sort(rep.Changed)
	if err != nil {
		return rep, err
	}
	rep.Feeds = p.stats(sets)
	if p.manifests != nil {
		ins := make(map[string]string, len(docs))
		for _, d := range docs {
			ins[d.path] = d.in
		}
		var own []store.OutputFile
		for _, e := range entries {
			if e.In = ins[e.Path]; e.In != "" {
				kept = append(kept, e)
			} else {
				own = append(own, e)
			}
		}
		p.saveManifests(ctx, p.manifestOf(version, own, rep.Feeds), kept, sets)
	}
	p.log.Info("published", "dir", p.opts.Dir, "files", len(files)+len(docs), "changed", len(rep.Changed))
	return rep, nil
}

// read reads what Publish renders, every query at once (a store serves
// them on as many connections): the released items without a link of their
// own, whole, as they get a permalink page; the newest time of every
// released item, which the store keeps on an index, so that the whole store
// is never read; and the items of the merged feed and of every language.
// Then, in one more query, the translations of the items that have a key.
func (p *Publisher) read(ctx context.Context) (unlinked []feeds.Item, newestAll time.Time, sets []feedSet, _ error) {
	sets = p.feedSets()
	var chans []*Channel
	for i := range sets {
		if sets[i].channel != nil {
			chans = append(chans, sets[i].channel)
		}
	}
	chans, err := p.withListFeeds(ctx, chans)
	if err != nil {
		return nil, time.Time{}, nil, err
	}
	for i, j := 0, 0; i < len(sets); i++ {
		if sets[i].channel != nil {
			sets[i].channel, j = chans[j], j+1
		}
	}
	// The stored order, read for archives and pages, also tells each
	// channel which items it selects.
	if err := p.cutAll(ctx, sets); err != nil {
		return nil, time.Time{}, nil, err
	}
	errs := make([]error, 2+len(sets))
	var wg sync.WaitGroup
	wg.Go(func() {
		var err error
		if unlinked, err = p.r.Items(ctx, store.Query{Unlinked: true}); err != nil {
			errs[0] = fmt.Errorf("publish: read items without a link: %w", err)
		}
	})
	wg.Go(func() {
		var err error
		if newestAll, err = p.r.Newest(ctx); err != nil {
			errs[1] = fmt.Errorf("publish: read the newest time: %w", err)
		}
	})
	for i := range sets {
		s := &sets[i]
		wg.Go(func() {
			var items []feeds.Item
			var err error
			switch {
			case s.channel != nil && s.members != nil:
				items, err = p.chosenItems(ctx, s)
			case s.channel != nil:
				items, err = p.channelItems(ctx, s.channel)
			default:
				items, err = p.r.Items(ctx, store.Query{Language: s.tag, Limit: cmp.Or(s.max, p.opts.MaxItems)})
			}
			if err != nil {
				name := s.label
				if s.channel != nil {
					name = strings.TrimSuffix(s.dir, "/")
				}
				errs[2+i] = fmt.Errorf("publish: read items of feed %q: %w", name, err)
				return
			}
			s.items = p.withLinks(items)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, time.Time{}, nil, err
		}
	}
	if err := p.translate(ctx, unlinked, sets); err != nil {
		return nil, time.Time{}, nil, err
	}
	for i := range sets {
		s := &sets[i]
		if s.tag == "" {
			s.lang = sharedLanguage(s.items)
		}
		if s.channel != nil && len(s.items) == 0 {
			p.log.Info("channel selects no item; its feeds are empty", "feed", s.dir)
		}
	}
	return unlinked, newestAll, sets, nil
}

// sharedLanguage is the language every item carries, compared ignoring
// case as BCP 47 tags are, written as the first item has it; "" when the
// items disagree, one has none, or there are none. The merged feed
// declares it and no other (items always carry their own).
func sharedLanguage(items []feeds.Item) string {
	if len(items) == 0 {
		return ""
	}
	tag := items[0].Language
	for _, it := range items[1:] {
		if !strings.EqualFold(it.Language, tag) {
			return ""
		}
	}
	return tag
}

// sourceUpdated is the newest updated time (Updated, else Published) of
// each upstream's items, by Origin.ID, among every item Publish read: the
// feeds of all sets and the items without a link. The store keeps no such
// time per upstream, and reading every stored item of each source on every
// publish would read the whole store, so it is derived from these reads;
// they are a function of the store, and so is the result, which is the
// same in every feed that shows the upstream.
func sourceUpdated(unlinked []feeds.Item, sets []feedSet) map[string]time.Time {
	out := map[string]time.Time{}
	note := func(items []feeds.Item) {
		for _, it := range items {
			if it.Origin == nil || it.Origin.ID == "" {
				continue
			}
			t := it.Updated
			if t.IsZero() {
				t = it.Published
			}
			if t.After(out[it.Origin.ID]) {
				out[it.Origin.ID] = t
			}
		}
	}
	note(unlinked)
	for _, s := range sets {
		note(s.items)
	}
	return out
}

// feedSets lists the merged feed, every language's, every channel's and
// every category's, without items.
func (p *Publisher) feedSets() []feedSet {
	merged := feedSet{title: p.opts.Title, label: "All languages", embed: "all.html", pages: p.opts.PageSize >= 0}
	sets := []feedSet{merged}
	for _, l := range p.opts.Languages {
		s := feedSet{dir: feeds.LangFolder(l.Tag) + "/", tag: l.Tag, lang: l.Tag, title: l.Title, label: l.Tag,
			max: l.MaxItems, language: true, embed: feeds.LangFolder(l.Tag) + ".html", pages: p.opts.PageSize >= 0}
		if s.title == "" {
			s.title = p.opts.Title
		}
		sets = append(sets, s)
	}
	for i := range p.opts.Channels {
		ch := &p.opts.Channels[i]
		s := feedSet{dir: channelsDir + "/" + ch.Name + "/", title: ch.Title, label: "channel", channel: ch, embed: ch.Name + ".html"}
		if len(ch.Languages) == 1 {
			s.tag, s.lang = ch.Languages[0], ch.Languages[0]
		}
		sets = append(sets, s)
	}
	for _, cc := range p.categories {
		sets = append(sets, feedSet{dir: cc.dir, tag: cc.Languages[0], lang: cc.Languages[0], title: cc.Title, label: cc.Name, channel: &cc.Channel})
	}
	return sets
}

// feed builds the feeds.Feed of one feed set in one format. An empty feed
// is dated by the newest item of the store, so it does not fall back to the
// epoch while other feeds move on.
func (p *Publisher) feed(s feedSet, sets []feedSet, fm format, newestAll time.Time) *feeds.Feed {
	self := p.opts.BaseURL + s.dir + fm.file
	f := &feeds.Feed{
		Title:       s.title,
		Description: s.title,
		Link:        p.opts.Link,
		SelfURL:     self,
		ID:          self,
		Language:    s.lang,
		Updated:     newest(s.items),
		Zone:        p.opts.Zone,
		Stylesheet:  strings.Repeat("../", strings.Count(s.dir, "/")) + stylesheetFile,
		Hub:         p.opts.Hub,
		Generator:   p.opts.Generator,
		Items:       s.items,
	}
	if f.Updated.IsZero() {
		f.Updated = newestAll
	}
	if p.opts.Author.Name != "" {
		f.Authors = []feeds.Person{p.opts.Author}
	}
	for _, o := range sets[1:] {
		if o.dir == s.dir || !o.language || s.channel != nil {
			continue
		}
		f.Alternates = append(f.Alternates, feeds.Alternate{
			Href:     p.opts.BaseURL + o.dir + fm.file,
			Language: o.tag,
			Type:     fm.mime,
			Title:    o.title,
		})
	}
	return f
}

func (p *Publisher) stats(sets []feedSet) []FeedStat {
	var out []FeedStat
	for _, s := range sets {
		for _, fm := range p.formats {
			out = append(out, FeedStat{Path: s.dir + fm.file, Items: len(s.items), Newest: newest(s.items)})
		}
	}
	return out
}

// withLinks returns a copy of items in which every item without a Link
// points at its permalink page.
func (p *Publisher) withLinks(items []feeds.Item) []feeds.Item {
	out := slices.Clone(items)
	for i := range out {
		if out[i].Link == "" {
			out[i].Link = p.opts.BaseURL + storiesDir + "/" + pageSlug(out[i]) + ".html"
		}
	}
	return out
}

// pageSlug is the item's stored slug when it is a safe file name, else the
// first 16 hex digits of the SHA-256 of its id (DESIGN's slug fallback), so
// that a missing or odd slug can never write outside stories/.
func pageSlug(it feeds.Item) string {
	if safeSlug(it.Slug) {
		return it.Slug
	}
	sum := sha256.Sum256([]byte(it.ID))
	return hex.EncodeToString(sum[:8])
}

func safeSlug(s string) bool {
	if s == "" || len(s) > 200 || s[0] == '.' || s[0] == '-' {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return false
		}
	}
	return true
}

// newest is the latest Published or Updated time among items; zero when
// there are none.
func newest(items []feeds.Item) time.Time {
	var t time.Time
	for _, it := range items {
		if it.Published.After(t) {
			t = it.Published
		}
		if it.Updated.After(t) {
			t = it.Updated
		}
	}
	return t
}

// removeOrphans deletes the story pages (*.html directly under stories/)
// that are not in keep, and the archive documents and numbered pages of
// sets that are not theirs, and returns their paths relative to Dir.
func (p *Publisher) removeOrphans(keep []string, sets []feedSet) ([]string, error) {
	removed, err := p.removeOthers(storiesDir, ".html", keep)
	if err != nil {
		return removed, err
	}
	for i := range sets {
		s := &sets[i]
		// The front pages' sets, with pages or with pages turned off.
		if s.dir == "" || s.language {
			var names []string
			for _, d := range pageList(s) {
				names = append(names, strconv.Itoa(pageNumber(s, d))+".html")
			}
			more, err := p.removeOthers(s.dir+pageDir, ".html", names)
			removed = append(removed, more...)
			if err != nil {
				return removed, err
			}
		}
		for _, fm := range p.formats {
			var names []string
			for j := range s.archive {
				names = append(names, s.archive[j].name()+fm.ext)
			}
			more, err := p.removeOthers(s.dir+archiveDir+"/"+fm.archive, fm.ext, names)
			removed = append(removed, more...)
			if err != nil {
				return removed, err
			}
		}
	}
	return removed, nil
}

// removeOthers deletes the files with extension ext directly in folder (relative
// to Dir, slash-separated) that are not in keep, and returns their paths.
func (p *Publisher) removeOthers(folder, ext string, keep []string) ([]string, error) {
	dir := filepath.Join(p.opts.Dir, filepath.FromSlash(folder))
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("publish: list %s: %w", dir, err)
	}
	wanted := make(map[string]bool, len(keep))
	for _, k := range keep {
		wanted[k] = true
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !orphanCandidate(e, ext) || wanted[name] {
			continue
		}
		full := filepath.Join(dir, name)
		if err := removeFile(full); err != nil {
			return removed, fmt.Errorf("publish: remove %s: %w", full, err)
		}
		p.log.Debug("removed file", "path", folder+"/"+name)
		removed = append(removed, folder+"/"+name)
	}
	return removed, nil
}

// orphanCandidate reports whether e looks like a file publish wrote: a
// regular file with extension ext, not a dotfile (a temporary file).
func orphanCandidate(e fs.DirEntry, ext string) bool {
	name := e.Name()
	return e.Type().IsRegular() && strings.HasSuffix(name, ext) && !strings.HasPrefix(name, ".")
}
