package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/feedloom/feedloom/sources"
	"github.com/feedloom/feedloom/store"
)

// Apply writes one refresh of source in a single transaction, in the order
// store.WriteBatch gives; either all of it is stored or none. A Batch with a
// Holder is written only while that node holds the source's lease, and lets
// go of it when it also asks to Release.
//
// Writers of different sources run side by side: a transaction locks the
// keys its items decide on (ids, canonical links, slugs; see lockKeys), so
// only writers that share one wait for each other. Round trips are what a
// cluster's database spends most on, so a refresh makes as few as its
// batch allows: one for a state alone (a 304), two for items — one
// pipeline that begins, checks the lease, locks the keys, removes and
// reads what the decisions need, and one that writes them and commits.
func (s *Store) Apply(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	ctx = purpose(ctx, store.PurposeWrite)
	var done store.Applied
	var err error
	switch {
	case b.List != nil:
		done, err = s.applyList(ctx, source, b)
	case len(b.Items) == 0 && len(b.Remove) == 0 && b.Retain == nil && len(b.Files) == 0 && len(b.Unfile) == 0:
		err = s.applyState(ctx, source, b)
	default:
		done, err = s.applyItems(ctx, source, b)
	}
	if err != nil {
		return store.Applied{}, fmt.Errorf("postgres: apply %q: %w", source, err)
	}
	return done, nil
}

// applyList writes a list's refresh. Its new names must not clash with
// another list's written meanwhile, so list writes take listsLock; they
// write no items.
func (s *Store) applyList(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	var done store.Applied
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if b.Holder != "" {
			if err := holdsLease(ctx, tx, source, b.Holder); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, listsLock); err != nil {
			return fmt.Errorf("lock lists: %w", err)
		}
		var err error
		if done, err = store.WriteBatch(ctx, batchTx{tx}, source, b); err != nil {
			return err
		}
		if b.Release && b.Holder != "" {
			_, err = tx.Exec(ctx, releaseLease, source, b.Holder)
		}
		return err
	})
	return done, err
}

// Writing a state under a lease checks the lease in the same statement,
// and lets go of it when asked. holdState's arguments are upsertState's
// (stateArgs), then the holder and whether to let go.
const (
	holdState = `UPDATE sources SET url = $2, configured_url = $3, etag = $4, last_modified = $5,
	checked_at = $6, last_success = $7, last_error = $8, failures = $9, next_due = $10,
	claimed_by = CASE WHEN $12 THEN NULL ELSE claimed_by END,
	lease_until = CASE WHEN $12 THEN NULL ELSE lease_until END
WHERE name = $1 AND claimed_by = $11`
	holdOnly = `UPDATE sources SET claimed_by = CASE WHEN $3 THEN NULL ELSE claimed_by END,
	lease_until = CASE WHEN $3 THEN NULL ELSE lease_until END
WHERE name = $1 AND claimed_by = $2`
	releaseLease = `UPDATE sources SET claimed_by = NULL, lease_until = NULL WHERE name = $1 AND claimed_by = $2`
)

// applyState writes a batch of a state alone in one statement.
func (s *Store) applyState(ctx context.Context, source string, b store.Batch) error {
	var tag pgconn.CommandTag
	var err error
	switch st := b.State; {
	case b.Holder == "" && st == nil:
		return nil
	case b.Holder == "":
		_, err = s.pool.Exec(ctx, upsertState, stateArgs(source, *st)...)
		return err
	case st == nil:
		tag, err = s.pool.Exec(ctx, holdOnly, source, b.Holder, b.Release)
	default:
		tag, err = s.pool.Exec(ctx, holdState, append(stateArgs(source, *st), b.Holder, b.Release)...)
	}
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrLeaseLost
	}
	return nil
}

// lockKeysSQL takes the transaction-scoped advisory locks of $1, in the
// order given (ascending): two writers that take their keys in one order,
// each in one statement, never deadlock.
const lockKeysSQL = `SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::int8[]) AS k`

// lockKeys are the advisory lock keys of what a batch decides on: an id,
// a canonical link, and a slug's family. Slugs are made unique by adding
// -2, -3, …, so "news" and "news-2" can end on the same slug: a slug locks
// its base without any such suffix. Keys share the database-wide advisory
// lock space, hashed, so two distinct keys may share a lock (and wait for
// each other), never the reverse.
func lockKeys(k store.Keys) []int64 {
	locks := make([]int64, 0, len(k.IDs)+len(k.Links)+len(k.Slugs))
	add := func(kind byte, key string) {
		h := fnv.New64a()
		h.Write([]byte{kind})
		h.Write([]byte(key))
		k := int64(h.Sum64())
		if k >= migrateLock && k <= leadLock {
			k = migrateLock - 1 - (k - migrateLock) // never one of the named locks: the leader's is held for good
		}
		locks = append(locks, k)
	}
	for _, id := range k.IDs {
		add('i', id)
	}
	for _, l := range k.Links {
		add('l', l)
	}
	for _, s := range k.Slugs {
		add('s', slugFamily(s))
	}
	slices.Sort(locks)
	return slices.Compact(locks)
}

// slugFamily is slug without the -2, -3, … suffixes uniqueSlug adds.
func slugFamily(slug string) string {
	for {
		i := strings.LastIndexByte(slug, '-')
		if i <= 0 || i == len(slug)-1 || strings.TrimLeft(slug[i+1:], "0123456789") != "" {
			return slug
		}
		slug = slug[:i]
	}
}

// applyItems writes a batch with items in two round trips; see Apply.
func (s *Store) applyItems(ctx context.Context, source string, b store.Batch) (store.Applied, error) {
	done, err := s.applyPiped(ctx, []store.SourceBatch{{Source: source, Batch: b}})
	if err != nil {
		return store.Applied{}, err
	}
	return done[0], nil
}

// ApplyGroup writes several sources' refreshes, in order, in one
// transaction of two round trips, as Apply writes one: a node writes the
// refreshes that finished meanwhile together. Either all of them are
// stored or none; a lease lost fails the group with store.ErrLeaseLost,
// naming the source. Lists are written on their own (Apply).
func (s *Store) ApplyGroup(ctx context.Context, group []store.SourceBatch) ([]store.Applied, error) {
	ctx = purpose(ctx, store.PurposeWrite)
	if len(group) == 1 {
		done, err := s.Apply(ctx, group[0].Source, group[0].Batch)
		if err != nil {
			return nil, err
		}
		return []store.Applied{done}, nil
	}
	for _, g := range group {
		if g.Batch.List != nil {
			return nil, fmt.Errorf("postgres: apply (%d sources): list %q: %w", len(group), g.Source, errListInPipe)
		}
	}
	done, err := s.applyPiped(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("postgres: apply (%d sources): %w", len(group), err)
	}
	return done, nil
}

// applyPiped writes group in two round trips.
func (s *Store) applyPiped(ctx context.Context, group []store.SourceBatch) ([]store.Applied, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	// A connection given back inside a transaction is closed by the pool,
	// so a failure that could not roll back leaves nothing behind.
	defer conn.Release()
	p := &pipe{removed: make([]int, len(group)), stored: map[string]store.Row{}, owners: map[string]string{}}
	if len(group) > 1 {
		for _, g := range group {
			p.names = append(p.names, g.Source)
		}
	}
	ok := false
	defer func() {
		if !ok {
			conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if err := p.read(ctx, conn.Conn(), group); err != nil {
		return nil, err
	}
	done := make([]store.Applied, len(group))
	for i, g := range group {
		p.cur, p.changed = i, false
		if done[i], err = store.WriteBatch(ctx, p, g.Source, g.Batch); err != nil {
			return nil, fmt.Errorf("source %q: %w", g.Source, err)
		}
		if g.Batch.Release && g.Batch.Holder != "" {
			p.queue("lease", releaseLease, g.Source, g.Batch.Holder)
		}
	}
	p.names = nil
	p.queue("commit", "COMMIT")
	if err := p.write(ctx, conn.Conn(), done); err != nil {
		return nil, err
	}
	ok = true
	return done, nil
}

// pipe is a write transaction in two pipelines: read answers
// store.WriteBatch's questions from what its pipeline read beforehand,
// kept up to date with the writes decided since (a later source of a group
// sees an earlier one's items), and the writes are queued for the second.
type pipe struct {
	cur     int      // the group's source being written
	names   []string // the group's sources, to name in errors; none for one
	removed []int    // per source
	stored  map[string]store.Row
	owners  map[string]string // link key → id
	slugs   []string

	batch  pgx.Batch
	queued []queued // per statement of batch
	locked bool     // the content version's row is locked: a bump is queued before any insert
	// changed: the current source changed or removed an item, so
	// WriteBatch bumps the content version after its prune.
	changed bool
}

var _ store.BatchTx = (*pipe)(nil)

// queued is a statement of the second pipeline: what it writes, for
// errors, and for a source's prune, which source's (else -1) and whether
// it answers its count itself (bumpPruned).
type queued struct {
	label  string
	prunes int
	counts bool
}

// A group reads, beside what the decisions need, whose items hold the
// keys it decides on and what its removals took away, to tell when writing
// it in two pipelines would decide otherwise than one source after the
// other (see regroup).
const (
	removeItemsReturning = deleteItems + ` RETURNING id, coalesce(link_key, ''), coalesce(slug, '')`
	selectLinkHolders    = `SELECT link_key, id, source FROM items WHERE link_key = ANY($1)`
	selectSlugHolders    = `SELECT i.slug, i.source FROM unnest($1::text[]) AS b(base)
JOIN items i ON i.slug = b.base COLLATE "C"
	OR (i.slug >= (b.base || '-') COLLATE "C" AND i.slug < (b.base || '.') COLLATE "C")`
)

// errRegroup refuses a group whose sources' decisions depend on each
// other's removals or pruning: written one by one instead, each sees the
// others' as one after the other would.
var errRegroup = errors.New("sources of the group decide on the same items; write them one by one")

// holdsLeases locks the rows of $1 in name order (so two groups never
// deadlock) and reads who holds each.
const holdsLeases = `SELECT name, claimed_by FROM sources WHERE name = ANY($1) ORDER BY name COLLATE "C" FOR UPDATE`

// read begins the transaction and makes the first pipeline: the leases,
// the keys' locks, the removals, and what the decisions read, with whose
// items hold the keys, for regroup.
func (p *pipe) read(ctx context.Context, conn *pgx.Conn, group []store.SourceBatch) error {
	var holders []string
	var removing []int
	keys := make([]store.Keys, len(group))
	for i, g := range group {
		keys[i] = store.KeysOf(g.Batch.Items)
		if g.Batch.Holder != "" {
			holders = append(holders, g.Source)
		}
		if len(g.Batch.Remove) > 0 {
			removing = append(removing, i)
		}
	}
	all := unionKeys(keys)
	locks := lockKeys(all)
	var first pgx.Batch
	first.Queue("BEGIN")
	if len(holders) > 0 {
		first.Queue(holdsLeases, holders)
	}
	if len(locks) > 0 {
		first.Queue(lockKeysSQL, locks)
	}
	for _, i := range removing {
		first.Queue(removeItemsReturning, group[i].Source, group[i].Batch.Remove)
	}
	first.Queue(selectStoredItems, all.IDs)
	if len(all.Links) > 0 {
		first.Queue(selectLinkHolders, all.Links)
	}
	if len(all.Slugs) > 0 {
		first.Queue(selectSlugHolders, all.Slugs)
	}
	br := conn.SendBatch(ctx, &first)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	held := map[string]string{}
	if len(holders) > 0 {
		var name string
		var holder *string
		rows, _ := br.Query() // ForEachRow reports its error
		_, err := pgx.ForEachRow(rows, []any{&name, &holder}, func() error {
			if holder != nil {
				held[name] = *holder
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("lease: %w", err)
		}
	}
	if len(locks) > 0 {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("lock items: %w", err)
		}
	}
	h := keyHolders{removed: make([][]removedItem, len(group)), links: map[string]string{}, slugs: map[string][]string{}}
	for _, i := range removing {
		var r removedItem
		rows, _ := br.Query()
		tag, err := pgx.ForEachRow(rows, []any{&r.id, &r.link, &r.slug}, func() error {
			h.removed[i] = append(h.removed[i], r)
			return nil
		})
		if err != nil {
			return fmt.Errorf("source %q: remove items: %w", group[i].Source, err)
		}
		p.removed[i] = int(tag.RowsAffected())
	}
	var r store.Row
	rows, _ := br.Query()
	_, err := pgx.ForEachRow(rows, []any{&r.ID, &r.Source, &r.File, &r.Link, &r.LinkKey,
		&r.Language, &r.Title, &r.Summary, &r.Content, &r.Published, &r.Updated, &r.Held, &r.Extra,
		&r.Hash}, func() error { p.stored[r.ID] = r; return nil })
	if err != nil {
		return fmt.Errorf("read stored items: %w", err)
	}
	if len(all.Links) > 0 {
		var key, id, source string
		rows, _ := br.Query()
		_, err := pgx.ForEachRow(rows, []any{&key, &id, &source}, func() error {
			p.owners[key], h.links[key] = id, source
			return nil
		})
		if err != nil {
			return fmt.Errorf("read link owners: %w", err)
		}
	}
	if len(all.Slugs) > 0 {
		var slug, source string
		rows, _ := br.Query()
		_, err := pgx.ForEachRow(rows, []any{&slug, &source}, func() error {
			p.slugs = append(p.slugs, slug)
			f := slugFamily(slug)
			h.slugs[f] = append(h.slugs[f], source)
			return nil
		})
		if err != nil {
			return fmt.Errorf("read slugs: %w", err)
		}
	}
	if err := br.Close(); err != nil {
		return err
	}
	for _, g := range group {
		if g.Batch.Holder != "" && held[g.Source] != g.Batch.Holder {
			return fmt.Errorf("source %q: %w", g.Source, store.ErrLeaseLost)
		}
	}
	if len(group) > 1 && h.regroup(group, keys, p.stored) {
		return errRegroup
	}
	return nil
}

// unionKeys lists the keys of every source once each.
func unionKeys(keys []store.Keys) store.Keys {
	if len(keys) == 1 {
		return keys[0]
	}
	var all store.Keys
	seen := map[string]bool{}
	add := func(list *[]string, kind string, ks []string) {
		for _, k := range ks {
			if !seen[kind+k] {
				seen[kind+k] = true
				*list = append(*list, k)
			}
		}
	}
	for _, k := range keys {
		add(&all.IDs, "i", k.IDs)
		add(&all.Links, "l", k.Links)
		add(&all.Slugs, "s", k.Slugs)
	}
	return all
}

// removedItem is what regroup needs of an item a removal took away.
type removedItem struct{ id, link, slug string }

// keyHolders is what a group's first pipeline read of whose items hold its
// keys: each link's source, each slug family's sources, and the keys of
// the items each source's removal took away.
type keyHolders struct {
	removed [][]removedItem // per source
	links   map[string]string
	slugs   map[string][]string
}

// regroup reports whether writing group in two pipelines could decide
// otherwise than writing its sources one after the other: its removals are
// made before any source is planned, and its pruning after every source
// is, so a source must not decide on an item a later source removes, nor
// on one an earlier source may prune.
func (h keyHolders) regroup(group []store.SourceBatch, keys []store.Keys, stored map[string]store.Row) bool {
	index := make(map[string]int, len(group))
	for i, g := range group {
		index[g.Source] = i
	}
	// prunes reports whether source, written before i, may prune its item.
	prunes := func(source string, i int) bool {
		j, ok := index[source]
		return ok && j < i && group[j].Batch.Retain != nil
	}
	for i, k := range keys {
		families := make(map[string]bool, len(k.Slugs))
		for _, s := range k.Slugs {
			families[slugFamily(s)] = true
		}
		for j := i + 1; j < len(group); j++ {
			for _, r := range h.removed[j] {
				if slices.Contains(k.IDs, r.id) || slices.Contains(k.Links, r.link) ||
					(r.slug != "" && families[slugFamily(r.slug)]) {
					return true
				}
			}
		}
		for _, id := range k.IDs {
			if r, ok := stored[id]; ok && prunes(r.Source, i) {
				return true
			}
		}
		for _, l := range k.Links {
			if prunes(h.links[l], i) {
				return true
			}
		}
		for f := range families {
			for _, source := range h.slugs[f] {
				if prunes(source, i) {
					return true
				}
			}
		}
	}
	return false
}

func (p *pipe) queue(label, sql string, args ...any) {
	if p.names != nil && !strings.HasPrefix(label, "source ") {
		label = fmt.Sprintf("source %q: %s", p.names[p.cur], label)
	}
	p.batch.Queue(sql, args...)
	p.queued = append(p.queued, queued{label: label, prunes: -1})
}

// write sends the queued writes and the commit, and completes done with
// what each prune deleted.
func (p *pipe) write(ctx context.Context, conn *pgx.Conn, done []store.Applied) error {
	br := conn.SendBatch(ctx, &p.batch)
	defer br.Close()
	for _, q := range p.queued {
		if q.counts {
			var n int
			var notified *string
			if err := br.QueryRow().Scan(&n, &notified); err != nil {
				return fmt.Errorf("%s: %w", q.label, err)
			}
			done[q.prunes].Pruned = n
			continue
		}
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("%s: %w", q.label, err)
		}
		if q.prunes >= 0 {
			done[q.prunes].Pruned = int(tag.RowsAffected())
		}
	}
	return br.Close()
}

// Stored, LinkOwners and Slugs answer from what read read: the same
// questions, asked for the same batch.

func (p *pipe) Stored(_ context.Context, ids []string, found func(store.Row)) error {
	for _, id := range ids {
		if r, ok := p.stored[id]; ok {
			found(r)
		}
	}
	return nil
}

func (p *pipe) LinkOwners(_ context.Context, keys []string, found func(key, id string)) error {
	for _, k := range keys {
		if id, ok := p.owners[k]; ok {
			found(k, id)
		}
	}
	return nil
}

func (p *pipe) Slugs(_ context.Context, bases []string, found func(slug string)) error {
	for _, s := range p.slugs {
		for _, b := range bases {
			if s == b || strings.HasPrefix(s, b+"-") {
				found(s)
				break
			}
		}
	}
	return nil
}

// RemoveItems was done by read, before the questions it changes the
// answers of.
func (p *pipe) RemoveItems(context.Context, string, []string) (int, error) {
	n := p.removed[p.cur]
	p.changed = p.changed || n > 0
	return n, nil
}

// WriteItems queues the updates in the order given, then the inserts in
// store.SeqOrder, each taking the next item_seq as it runs; a write of an
// id inserted before it in the same batch is folded into the insert. The inserts
// follow the content version's bump, which holds that row's lock until the
// commit: so the sequence numbers of two writers follow their commit
// order, and a publish that read up to a number never sees a lower one
// appear later (archive documents are cut by number). Nothing the updates
// do depends on the inserts: an insert takes a link or slug only no item
// holds, or one an update before it let go of.
func (p *pipe) WriteItems(_ context.Context, writes []store.Write) error {
	writes = slices.Clone(writes)
	inserted := make(map[string]int) // id → its insert in writes
	var inserts []int
	for i, w := range writes {
		r := w.Row
		p.saw(w)
		if j, ok := inserted[r.ID]; ok {
			// A later story of an id this batch inserts: the insert
			// stores what the two make, as if inserted then updated.
			fold(&writes[j].Row, w)
			continue
		}
		switch {
		case w.Insert:
			inserted[r.ID] = i
			inserts = append(inserts, i)
		case w.HashOnly:
			p.queue(fmt.Sprintf("item %q", r.ID), updateHash, r.Hash, r.ID)
		default:
			p.queue(fmt.Sprintf("item %q", r.ID), updateItem, r.File, r.Link, r.LinkKey, r.LangKey,
				r.Language, r.Title, r.Summary, r.Content, r.Updated, r.Held, r.Extra, r.Published,
				r.Hash, r.ID)
			p.changed = true
		}
	}
	if len(inserts) == 0 {
		return nil
	}
	p.changed = true
	p.bump()
	rank := store.SeqOrder(writes)
	slices.SortFunc(inserts, func(a, b int) int { return rank[a] - rank[b] })
	for _, i := range inserts {
		r := writes[i].Row
		p.queue(fmt.Sprintf("item %q", r.ID), insertNextItem, r.ID, r.Source, r.File, r.Position,
			r.Link, r.LinkKey, r.LangKey, r.Language, r.Title, r.Summary, r.Content, r.Published,
			r.Updated, r.FirstSeen, r.Slug, r.Held, r.Extra, r.Hash)
	}
	return nil
}

// saw keeps what the later sources of a group read up to date with w, as
// the table will be once it is made.
func (p *pipe) saw(w store.Write) {
	r := w.Row
	old, had := p.stored[r.ID]
	if w.HashOnly {
		old.Hash = r.Hash
		p.stored[r.ID] = old
		return
	}
	if had && old.LinkKey != nil && p.owners[*old.LinkKey] == r.ID {
		delete(p.owners, *old.LinkKey)
	}
	if r.LinkKey != nil {
		p.owners[*r.LinkKey] = r.ID
	}
	if w.Insert && r.Slug != nil {
		p.slugs = append(p.slugs, *r.Slug)
	}
	if had && !old.Held {
		r.Published = old.Published // a released item's date is frozen
	}
	p.stored[r.ID] = r
}

// fold makes the row an insert stores into what storing it and then
// writing w would leave: w's columns an update writes, the insert's
// others (its slug, position, first sight, and date unless held).
func fold(ins *store.Row, w store.Write) {
	u := w.Row
	ins.Hash = u.Hash
	if w.HashOnly {
		return
	}
	if ins.Held {
		ins.Published = u.Published
	}
	ins.File, ins.Link, ins.LinkKey, ins.LangKey, ins.Language = u.File, u.Link, u.LinkKey, u.LangKey, u.Language
	ins.Title, ins.Summary, ins.Content, ins.Updated, ins.Held, ins.Extra = u.Title, u.Summary, u.Content, u.Updated, u.Held, u.Extra
}

// PruneItems queues the prune. When nothing else in the transaction
// surely raises the content version, it raises it itself should it delete
// any (bumpPruned): how many it deletes is known only once it ran.
func (p *pipe) PruneItems(_ context.Context, source string, r store.Retain) (int, error) {
	query, args, ok := pruneSQL(source, r)
	if !ok {
		return 0, nil
	}
	counts := !p.changed && !p.locked
	if counts {
		query = fmt.Sprintf(bumpPruned, query)
	}
	p.queue("retention", query, args...)
	last := &p.queued[len(p.queued)-1]
	last.prunes, last.counts = p.cur, counts
	return 0, nil
}

// bumpPruned wraps a prune: the content version goes up when it deleted an
// item, and the statement answers how many it deleted.
const bumpPruned = `WITH d AS (%s RETURNING 1),
v AS (UPDATE versions SET version = version + 1 WHERE name = 'content' AND EXISTS (SELECT 1 FROM d) RETURNING version)
SELECT (SELECT count(*) FROM d)::int, (SELECT pg_notify('` + contentChannel + `', v.version::text) FROM v)::text`

func (p *pipe) SaveState(_ context.Context, source string, st sources.State) error {
	p.queue("state", upsertState, stateArgs(source, st)...)
	return nil
}

func (p *pipe) SaveFiles(_ context.Context, source string, files []store.FileStamp) error {
	for _, f := range files {
		p.queue(fmt.Sprintf("file %q", f.Path), saveFile, fileArgs(source, f)...)
	}
	return nil
}

func (p *pipe) RemoveFiles(_ context.Context, source string, paths []string) error {
	p.queue("file fingerprints", deleteFiles, source, paths)
	return nil
}

// BumpContent queues the bump, once per transaction.
func (p *pipe) BumpContent(context.Context) error {
	p.bump()
	return nil
}

// bump queues the content version's bump, which locks its row to the
// commit, unless one is queued already.
func (p *pipe) bump() {
	if !p.locked {
		p.queue("content version", bumpContentVersion)
		p.locked = true
	}
}

// A list's batch is written by applyList, never in a pipe.
var errListInPipe = errors.New("a list is not written in a pipeline")

func (p *pipe) Subscriptions(context.Context) ([]sources.Subscription, error) {
	return nil, errListInPipe
}

func (p *pipe) SaveSubscriptions(context.Context, string, []sources.Subscription) error {
	return errListInPipe
}

// batchTx is a write transaction, as store.WriteBatch writes a Batch in it.
type batchTx struct{ tx pgx.Tx }

// The retention statements delete a source's items outside the upstream's
// current window ($2) that are older than the cutoff ($3) or beyond the
// newest max_items ($4). A zero Before or MaxItems leaves its test out.
const (
	pruneScope  = `DELETE FROM items WHERE source = $1 AND NOT (id = ANY($2))`
	pruneBefore = `published < $3`
	pruneBeyond = `id IN (SELECT id FROM items WHERE source = $1 ORDER BY published DESC, id OFFSET $%d)`
)

// pruneSQL is the retention statement of r, and false when r prunes
// nothing.
func pruneSQL(source string, r store.Retain) (string, []any, bool) {
	keep := r.Keep
	if keep == nil {
		keep = []string{} // a nil slice would be NULL, and NOT (id = ANY(NULL)) is never true
	}
	args := []any{source, keep}
	var tests []string
	if !r.Before.IsZero() {
		args = append(args, dbTime(r.Before))
		tests = append(tests, pruneBefore)
	}
	if r.MaxItems > 0 {
		args = append(args, r.MaxItems)
		tests = append(tests, fmt.Sprintf(pruneBeyond, len(args)))
	}
	switch len(tests) {
	case 0:
		return "", nil, false
	case 1:
		return pruneScope + ` AND ` + tests[0], args, true
	default:
		return pruneScope + ` AND (` + tests[0] + ` OR ` + tests[1] + `)`, args, true
	}
}

func (b batchTx) PruneItems(ctx context.Context, source string, r store.Retain) (int, error) {
	query, args, ok := pruneSQL(source, r)
	if !ok {
		return 0, nil
	}
	tag, err := b.tx.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// holdsLease locks source's row and checks that node still holds it: a
// node that lost its lease to another must not overwrite what that node
// stores. Only claimed_by counts, not the lease's end: a lease that ran out
// but was not taken over is still the holder's to use.
func holdsLease(ctx context.Context, tx pgx.Tx, source, node string) error {
	var holder *string
	err := tx.QueryRow(ctx, `SELECT claimed_by FROM sources WHERE name = $1 FOR UPDATE`, source).Scan(&holder)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if holder == nil || *holder != node {
		return store.ErrLeaseLost
	}
	return nil
}
