package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// Archives (RFC 5005) and numbered pages cut every released item of a
// feed set into documents of a fixed size, in the order the items were
// first stored (feeds.Item.Seq): full documents 1, 2, … from the oldest,
// and one partial document, "latest", for the rest. Where a document ends
// is kept in the store (cutsKey), shared by every node, so a full
// document keeps its items when older ones are removed: it only loses
// them, and its number stays.

const (
	defaultArchiveSize = 50
	defaultPageSize    = 20
	archiveDir         = "archive"
	latestDoc          = "latest"
	// cutsKey is the store value that holds every feed set's cuts.
	cutsKey = "publish-cuts"
)

// cutBook is the stored cuts: for each feed set and document size (see
// cutName), the Seq of the last item of each full document, rising.
type cutBook map[string][]int64

// doc is one document of a feed set's archive or pages.
type doc struct {
	n    int      // 1 for the oldest full document; 0 for latest
	ch   *Channel // the channel whose content mode its items are cut to; nil for none
	ids  []string // its items, in the order first stored
	revs []int64
	// newest is the newest Published or Updated of its items: the time
	// its file is dated by. first and last are the times (the later of
	// Published and Updated) of its first and last items in store order,
	// which date an empty neighbour.
	newest, first, last time.Time
	items               []feeds.Item // rendered content, newest first; read only for the documents written
}

// name is the document's file name without extension: its number or
// "latest".
func (d *doc) name() string {
	if d.n == 0 {
		return latestDoc
	}
	return strconv.Itoa(d.n)
}

// cut splits members (a feed set's items, in the order first stored) into
// documents of size by cuts, extending cuts as the part after the last cut
// fills: it returns the full documents, then latest, and the cuts.
func cut(members []*feeds.Item, cuts []int64, size int) ([]doc, []int64) {
	docs := make([]doc, 0, len(cuts)+1)
	i := 0
	for n, end := range cuts {
		d := doc{n: n + 1}
		for ; i < len(members) && members[i].Seq <= end; i++ {
			d.add(members[i])
		}
		docs = append(docs, d)
	}
	rest := members[i:]
	for len(rest) >= size {
		d := doc{n: len(docs) + 1}
		for _, it := range rest[:size] {
			d.add(it)
		}
		cuts = append(cuts, rest[size-1].Seq)
		docs = append(docs, d)
		rest = rest[size:]
	}
	latest := doc{}
	for _, it := range rest {
		latest.add(it)
	}
	return append(docs, latest), cuts
}

// tieDocs gives s's documents its channel, whose content mode their items
// are cut to.
func (s *feedSet) tieDocs() {
	for i := range s.archive {
		s.archive[i].ch = s.channel
	}
	for i := range s.paged {
		s.paged[i].ch = s.channel
	}
}

func (d *doc) add(it *feeds.Item) {
	d.ids = append(d.ids, it.ID)
	d.revs = append(d.revs, it.Rev)
	d.newest = maxTime(d.newest, it.Published, it.Updated)
	d.last = maxTime(it.Published, it.Updated)
	if len(d.ids) == 1 {
		d.first = d.last
	}
}

// cutName keys a feed set's cuts: its folder, what it selects (a channel
// whose selection changes is cut anew) and the document size.
func cutName(kind string, s *feedSet, size int) string {
	sel := s.tag
	if s.channel != nil {
		c := s.channel
		sources := c.Sources
		if c.listed != nil {
			sources = c.listed
		}
		sel = fmt.Sprintf("%q %q %q %q %q", c.Languages, sources, c.Categories, ruleStrings(c.Include), ruleStrings(c.Exclude))
	}
	sum := sha256.Sum256([]byte(sel))
	return fmt.Sprintf("%s %s %d %x", kind, s.dir, size, sum[:6])
}

func ruleStrings(rs []Rule) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

// cutAll cuts every feed set's stored items into archive documents (and
// the front page sets into numbered pages), saving new cuts in the store
// when it keeps values: one read of every released item without its
// content, and a write only when a document filled.
func (p *Publisher) cutAll(ctx context.Context, sets []feedSet) error {
	if p.opts.ArchiveSize < 0 && p.opts.PageSize < 0 {
		return nil
	}
	// Only rules on words need each item's title and summary.
	q := store.Query{Stored: true, Sparse: true}
	for i := range sets {
		if c := sets[i].channel; c != nil && len(c.Include)+len(c.Exclude) > 0 {
			q = store.Query{Stored: true, NoContent: true}
		}
	}
	index, err := p.r.Items(ctx, q)
	if err != nil {
		return fmt.Errorf("publish: read the stored order: %w", err)
	}
	for i := range sets {
		sets[i].members = p.members(index, &sets[i])
	}
	values, ok := p.r.(valueStore)
	if !ok {
		p.cutSets(sets, cutBook{})
		return nil
	}
	// A second round starts from the cuts another node saved first, so
	// that every node numbers the same way.
	for range 2 {
		old, found, err := values.Value(ctx, cutsKey)
		if err != nil {
			return fmt.Errorf("publish: read the archive cuts: %w", err)
		}
		book := cutBook{}
		if found {
			if err := json.Unmarshal([]byte(old), &book); err != nil {
				p.log.Warn("archive cuts unreadable; cutting anew", "err", err)
				book = cutBook{}
			}
		} else {
			old = ""
		}
		b, err := json.Marshal(p.cutSets(sets, book))
		if err != nil {
			return fmt.Errorf("publish: encode the archive cuts: %w", err)
		}
		if string(b) == old {
			return nil
		}
		saved, err := values.SwapValue(ctx, cutsKey, old, string(b))
		if err != nil {
			return fmt.Errorf("publish: save the archive cuts: %w", err)
		}
		if saved {
			return nil
		}
	}
	p.log.Warn("archive cuts changed twice while cutting; numbering from this node's read")
	return nil
}

// cutSets cuts each set's members by book into its archive documents and
// numbered pages, and returns the cuts they make, book extended.
func (p *Publisher) cutSets(sets []feedSet, book cutBook) cutBook {
	next := cutBook{}
	for i := range sets {
		s := &sets[i]
		if p.opts.ArchiveSize >= 0 {
			name := cutName("archive", s, p.archiveSize())
			s.archive, next[name] = cut(s.members, book[name], p.archiveSize())
		}
		if s.pages {
			name := cutName("page", s, p.pageSize())
			s.paged, next[name] = cut(s.members, book[name], p.pageSize())
		}
		s.tieDocs()
	}
	return next
}

// valueStore is the part of store.Store that keeps the cuts.
type valueStore interface {
	Value(ctx context.Context, key string) (string, bool, error)
	SwapValue(ctx context.Context, key, old, value string) (bool, error)
}

// members are the items of index (every released item, in the order first
// stored) that s publishes.
func (p *Publisher) members(index []feeds.Item, s *feedSet) []*feeds.Item {
	if s.channel == nil && s.tag == "" {
		out := make([]*feeds.Item, len(index))
		for i := range index {
			out[i] = &index[i]
		}
		return out
	}
	var categories []string
	if s.channel != nil {
		for _, c := range s.channel.Categories {
			categories = append(categories, feeds.CategoryKey(c))
		}
	}
	var out []*feeds.Item
	for i := range index {
		it := &index[i]
		if s.channel != nil && !s.channel.selects(it, categories) {
			continue
		}
		if s.channel == nil && !feeds.MatchLang(it.Language, s.tag) {
			continue
		}
		out = append(out, it)
	}
	return out
}

func (p *Publisher) archiveSize() int {
	if p.opts.ArchiveSize > 0 {
		return p.opts.ArchiveSize
	}
	return defaultArchiveSize
}

// archivePath is the path, relative to Dir, of document d of s in fm.
func archivePath(s *feedSet, fm format, d *doc) string {
	return s.dir + archiveDir + "/" + fm.archive + "/" + d.name() + fm.ext
}

// docHash stands for what a document's file shows besides the options (in
// the manifest's fingerprint): its number, its neighbours (which depend on
// full, the number of full documents, only for the newest full one and
// latest), and each item at its revision.
func docHash(kind string, d *doc, full int) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %d\n", kind, d.n)
	if d.n == 0 || d.n == full {
		fmt.Fprintf(h, "of %d\n", full)
	}
	for i, id := range d.ids {
		fmt.Fprintf(h, "%q %d\n", id, d.revs[i])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// docFile is a document's output file and what it stands for.
type docFile struct {
	file
	in  string
	doc *doc
}

// archiveFiles lists the archive documents of every set in every format,
// with their docHash; the items are filled in later, for the ones written.
func (p *Publisher) archiveFiles(sets []feedSet, newestAll time.Time) []docFile {
	var out []docFile
	for i := range sets {
		s := &sets[i]
		full := len(s.archive) - 1
		for j := range s.archive {
			d := &s.archive[j]
			dated := emptyDate(s.archive, j, newestAll)
			in := docHash("archive", d, full)
			if len(d.ids) == 0 {
				in = docHash(fmt.Sprintf("empty archive %d", dated.Unix()), d, full)
			}
			mod := dated
			for _, fm := range p.formats {
				out = append(out, docFile{
					file: file{path: archivePath(s, fm, d), mod: mod, cost: len(d.ids) + 1,
						write: func(w io.Writer) error {
							f := p.archiveFeed(s, fm, d, dated)
							if err := fm.write(w, f); err != nil {
								return fmt.Errorf("publish: render %s: %w", archivePath(s, fm, d), err)
							}
							return nil
						}},
					in: in, doc: d,
				})
			}
		}
	}
	return out
}

// emptyDate is the date of document j of docs: its newest item's; for an
// empty one (its items all removed, or a feed with none), the time of the
// item stored next after it (the first of the nearest newer document that
// has items), else of the one stored last before it, else the store's
// newest — items that later writes do not move, so an empty document is
// not rewritten with every change elsewhere, and is never dated at the
// epoch.
func emptyDate(docs []doc, j int, newestAll time.Time) time.Time {
	if len(docs[j].ids) > 0 {
		return docs[j].newest
	}
	for k := j + 1; k < len(docs); k++ {
		if len(docs[k].ids) > 0 {
			return docs[k].first
		}
	}
	for k := j - 1; k >= 0; k-- {
		if len(docs[k].ids) > 0 {
			return docs[k].last
		}
	}
	return newestAll
}

// archiveFeed is document d of s in fm: the current document's feed with
// d's items, its own address, and the links of its place in the chain.
// It has no alternates, hub or upstream dates from other documents, so
// that it changes only with its own items.
func (p *Publisher) archiveFeed(s *feedSet, fm format, d *doc, dated time.Time) *feeds.Feed {
	f := p.feed(*s, []feedSet{*s}, fm, dated)
	base := p.opts.BaseURL
	f.Current = f.SelfURL
	f.SelfURL = base + archivePath(s, fm, d)
	f.Stylesheet = "../../" + f.Stylesheet
	f.Hub, f.Alternates = "", nil
	f.Archived = true
	f.Items = d.items
	if s.tag == "" {
		// The current document's shared language is not this one's.
		f.Language = sharedLanguage(d.items)
	}
	f.Updated = dated
	// JSON Feed's feed_url identifies the feed, as Atom's id does: the
	// current document's, on every page of it.
	if fm.archive == "json" {
		f.SelfURL = f.Current
		if f.SelfURL == "" {
			f.SelfURL = base + s.dir + fm.file
		}
	}
	full := len(s.archive) - 1 // documents before latest
	switch {
	case d.n == 0 && full == 0:
		// The only document holds every item: RFC 5005 calls that
		// complete, and a complete document links no other.
		f.Current, f.Archived, f.Complete = "", false, true
	case d.n == 0:
		if full > 0 {
			f.PrevArchive = base + archivePath(s, fm, &s.archive[full-1])
		}
	default:
		if d.n > 1 {
			f.PrevArchive = base + archivePath(s, fm, &s.archive[d.n-2])
		}
		f.NextArchive = base + archivePath(s, fm, &s.archive[min(d.n, full)])
	}
	return f
}

// latestURL is the address of s's latest archive document in fm, which
// the current document names as its prev-archive.
func (p *Publisher) latestURL(s *feedSet, fm format) string {
	return p.opts.BaseURL + archivePath(s, fm, &doc{})
}

// keep splits docs into the ones whose file the old manifest shows as
// written from the same input and still on disk as written (checkFile:
// their entries, kept) and the ones to render.
func (p *Publisher) keep(old map[string]store.OutputFile, docs []docFile) (kept []store.OutputFile, render []docFile) {
	for _, d := range docs {
		e, ok := old[d.path]
		if ok && e.In == d.in {
			if intact, _ := p.checkFile(&e); intact {
				kept = append(kept, e)
				continue
			}
		}
		render = append(render, d)
	}
	return kept, render
}

// docBatch is about how many items writeDocs reads at once.
const docBatch = 2000

// writeDocs writes the documents cut from the store that must be
// rendered, a batch at a time: each batch's items are read in one query
// and dropped once its files are written, so that however large the store
// and however many documents change, only a batch's items are held.
func (p *Publisher) writeDocs(ctx context.Context, render []docFile) ([]store.OutputFile, []string, error) {
	var entries []store.OutputFile
	var changed []string
	for start := 0; start < len(render); {
		end, n := start, 0
		seen := map[*doc]bool{}
		for ; end < len(render); end++ {
			d := render[end].doc
			if seen[d] {
				continue
			}
			if n > 0 && n+len(d.ids) > docBatch {
				break
			}
			seen[d] = true
			n += len(d.ids)
		}
		batch := render[start:end]
		if err := p.fillDocs(ctx, batch); err != nil {
			return entries, changed, err
		}
		files := make([]file, len(batch))
		for i, d := range batch {
			files[i] = d.file
		}
		more, ch, err := p.writeFiles(ctx, files, storyWriters, false)
		entries = append(entries, more...)
		changed = append(changed, ch...)
		for d := range seen {
			d.items = nil
		}
		if err != nil {
			return entries, changed, err
		}
		start = end
	}
	return entries, changed, nil
}

// fillDocs reads the full items of the documents to render, in one read,
// and hands each document its own, newest first, as feeds show them.
func (p *Publisher) fillDocs(ctx context.Context, docs []docFile) error {
	var ids []string
	seen := map[*doc]bool{}
	for _, d := range docs {
		if !seen[d.doc] {
			seen[d.doc] = true
			ids = append(ids, d.doc.ids...)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	items, err := p.r.Items(ctx, store.Query{IDs: ids})
	if err != nil {
		return fmt.Errorf("publish: read archived items: %w", err)
	}
	items = p.withLinks(items)
	pos := make(map[string]int, len(items))
	for i := range items {
		pos[items[i].ID] = i
	}
	for d := range seen {
		d.items = d.items[:0]
		for _, id := range d.ids {
			if i, ok := pos[id]; ok {
				it := items[i]
				if d.ch != nil {
					it = d.ch.trim(it)
				}
				d.items = append(d.items, it)
			}
		}
		slices.SortFunc(d.items, func(a, b feeds.Item) int {
			if c := b.Published.Compare(a.Published); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	return nil
}

// maxTime is the latest of t and more.
func maxTime(t time.Time, more ...time.Time) time.Time {
	for _, m := range more {
		if m.After(t) {
			t = m
		}
	}
	return t
}

func (p *Publisher) pageSize() int {
	if p.opts.PageSize > 0 {
		return p.opts.PageSize
	}
	return defaultPageSize
}

// chosenItems are the newest items of a channel set, newest first, then
// by id, chosen from its members and read whole: the stored order already
// says which items it selects.
func (p *Publisher) chosenItems(ctx context.Context, s *feedSet) ([]feeds.Item, error) {
	want := s.channel.MaxItems
	if want <= 0 {
		want = p.opts.MaxItems
	}
	chosen := slices.Clone(s.members)
	slices.SortFunc(chosen, func(a, b *feeds.Item) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	ids := []string{}
	for _, it := range chosen[:min(len(chosen), want)] {
		ids = append(ids, it.ID)
	}
	items, err := p.r.Items(ctx, store.Query{IDs: ids})
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i] = s.channel.trim(items[i])
	}
	return items, nil
}
