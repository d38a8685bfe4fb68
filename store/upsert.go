package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/feedloom/feedloom/feeds"
)

// Lookup reads what WriteBatch's decisions about Batch.Items depend on,
// inside the transaction that makes the writes. Each method is called at
// most once a batch, never with an empty list, and calls found once for
// each match, in any order.
type Lookup interface {
	// Stored finds the stored rows with the given ids. A row needs its ID,
	// Source, LinkKey and Hash and the columns SameContent compares.
	Stored(ctx context.Context, ids []string, found func(Row)) error
	// LinkOwners finds the items that hold the given canonical links
	// (Row.LinkKey): each link with the id of the item holding it.
	LinkOwners(ctx context.Context, keys []string, found func(key, id string)) error
	// Slugs finds the slugs in use that are one of bases, or one of them
	// followed by "-" and more.
	Slugs(ctx context.Context, bases []string, found func(slug string)) error
}

// Write is one row WriteBatch decided to store: a new item to insert, with
// its Slug made unique, or else an update of the stored item with the row's
// ID, which writes what Row.SameContent compares and Row.Hash. A HashOnly
// update writes Row.Hash alone: the content is the same.
type Write struct {
	Row      Row
	Insert   bool
	HashOnly bool
}

// planUpsert decides what storing items as source's (Batch.Items) writes,
// in the order the writes must be made; each write is one changed item. An
// item whose id another source holds, or whose canonical link another item
// holds, is skipped: the first keeps it. A stored item whose content is the
// same is skipped too. A new item's Slug becomes the first of slug, slug-2,
// slug-3, … that no item holds. Each item sees the writes decided for the
// items before it, as if they were stored one by one.
//
// It asks l each question once for the whole batch and decides in memory,
// so the caller must make the writes in the same transaction, with nothing
// else writing items meanwhile. held lists the files (Row.File) of items
// skipped because another source or item holds their id or link.
func planUpsert(ctx context.Context, l Lookup, source string, items []feeds.Item, hashes map[string]string) (writes []Write, held map[string]bool, err error) {
	if len(items) == 0 {
		return nil, nil, nil
	}
	rows := make([]Row, len(items))
	for i, it := range items {
		r, err := RowOf(source, it)
		if err != nil {
			return nil, nil, err
		}
		r.Hash = hashes[it.ID]
		rows[i] = r
	}
	p := planner{
		stored: make(map[string]*Row),
		owners: make(map[string]string),
		taken:  make(map[string]bool),
	}
	if err := p.load(ctx, l, rows); err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		w, ok, taken := p.decide(r)
		if ok {
			writes = append(writes, w)
		}
		if taken {
			if held == nil {
				held = make(map[string]bool)
			}
			held[r.File] = true
		}
	}
	return writes, held, nil
}

// planner holds what one batch's decisions depend on, as the table will be
// once the writes decided so far are made.
type planner struct {
	stored map[string]*Row   // by id
	owners map[string]string // canonical link → id of the item holding it
	taken  map[string]bool   // slugs in use
}

// load asks l about the stored rows, link owners and taken slugs rows
// depend on.
func (p *planner) load(ctx context.Context, l Lookup, rows []Row) error {
	var ids, keys distinct
	for _, r := range rows {
		ids.add(r.ID)
		if r.LinkKey != nil {
			keys.add(*r.LinkKey)
		}
	}
	if err := l.Stored(ctx, ids.list, func(r Row) { p.stored[r.ID] = &r }); err != nil {
		return fmt.Errorf("read stored items: %w", err)
	}
	if len(keys.list) > 0 {
		err := l.LinkOwners(ctx, keys.list, func(key, id string) { p.owners[key] = id })
		if err != nil {
			return fmt.Errorf("read link owners: %w", err)
		}
	}
	// Only a new item is given a slug.
	var bases distinct
	for _, r := range rows {
		if r.Slug != nil && p.stored[r.ID] == nil {
			bases.add(*r.Slug)
		}
	}
	if len(bases.list) > 0 {
		if err := l.Slugs(ctx, bases.list, func(slug string) { p.taken[slug] = true }); err != nil {
			return fmt.Errorf("read slugs: %w", err)
		}
	}
	return nil
}

// distinct lists strings once each, in the order they were first added.
type distinct struct {
	list []string
	seen map[string]bool
}

func (d *distinct) add(s string) {
	if d.seen[s] {
		return
	}
	if d.seen == nil {
		d.seen = make(map[string]bool)
	}
	d.seen[s] = true
	d.list = append(d.list, s)
}

// decide returns the write that stores r, or false when r is skipped or
// changes nothing, and records its effect. taken says that r was skipped
// because another source or item holds its id or link.
func (p *planner) decide(r Row) (w Write, ok, taken bool) {
	stored := p.stored[r.ID]
	if stored != nil && stored.Source != r.Source {
		return Write{}, false, true // the first source keeps its id
	}
	if r.LinkKey != nil {
		if owner, ok := p.owners[*r.LinkKey]; ok && owner != r.ID {
			return Write{}, false, true // the first item keeps its link
		}
	}
	if stored != nil {
		if r.SameContent(*stored) {
			if r.Hash == stored.Hash {
				return Write{}, false, false
			}
			stored.Hash = r.Hash
			return Write{Row: r, HashOnly: true}, true, false
		}
		p.moveLink(r.ID, stored.LinkKey, r.LinkKey)
		next := r
		if !stored.Held {
			next.Published = stored.Published // a released item's date is frozen
		}
		*stored = next
		return Write{Row: r}, true, false
	}
	if r.Slug != nil {
		slug := uniqueSlug(p.taken, *r.Slug)
		p.taken[slug] = true
		r.Slug = &slug
	}
	p.moveLink(r.ID, nil, r.LinkKey)
	p.stored[r.ID] = &r
	return Write{Row: r, Insert: true}, true, false
}

// moveLink records that id now holds the canonical link to instead of from.
func (p *planner) moveLink(id string, from, to *string) {
	if from != nil && p.owners[*from] == id {
		delete(p.owners, *from)
	}
	if to != nil {
		p.owners[*to] = id
	}
}

// uniqueSlug returns base if it is not taken, else the first of base-2,
// base-3, … that is not.
func uniqueSlug(taken map[string]bool, base string) string {
	if !taken[base] {
		return base
	}
	for n := 2; ; n++ {
		if slug := base + "-" + strconv.Itoa(n); !taken[slug] {
			return slug
		}
	}
}

// SeqOrder ranks the inserts of writes (0, 1, …; -1 for the other
// writes) in the order they take sequence numbers: the oldest first, by
// Published, then from the bottom of their file or feed (Position
// descending), then by id. A feed or listing lists its newest story first;
// numbered in that order, a first fetch would put its newest stories in
// the oldest archive document.
func SeqOrder(writes []Write) []int {
	var ins []int
	for i, w := range writes {
		if w.Insert {
			ins = append(ins, i)
		}
	}
	slices.SortStableFunc(ins, func(a, b int) int {
		ra, rb := writes[a].Row, writes[b].Row
		if c := ra.Published.Compare(rb.Published); c != 0 {
			return c
		}
		if c := cmp.Compare(rb.Position, ra.Position); c != 0 {
			return c
		}
		return strings.Compare(ra.ID, rb.ID)
	})
	rank := make([]int, len(writes))
	for i := range rank {
		rank[i] = -1
	}
	for r, i := range ins {
		rank[i] = r
	}
	return rank
}

// Keys are what storing a batch of items decides on, each once: their
// ids, canonical links (Row.LinkKey) and slugs (Row.Slug, before -2, -3, …
// is added). A store whose writers decide side by side serializes the
// writers that share one of them (store/postgres), and only those.
type Keys struct {
	IDs, Links, Slugs []string
}

// KeysOf lists the keys of items.
func KeysOf(items []feeds.Item) Keys {
	var ids, links, slugs distinct
	for _, it := range items {
		ids.add(it.ID)
		if key := feeds.CanonicalLink(it.Link); key != "" {
			links.add(key)
		}
		if it.Slug != "" {
			slugs.add(it.Slug)
		}
	}
	return Keys{IDs: ids.list, Links: links.list, Slugs: slugs.list}
}
