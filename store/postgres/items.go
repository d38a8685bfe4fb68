package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

const (
	// selectStoredItems reads the stored rows of a batch's ids, with the
	// columns an update compares.
	selectStoredItems = `SELECT id, source, file, link, link_key, language, title, summary, content,
		published, updated, held, extra::text
	FROM items WHERE id = ANY($1)`
	// selectLinkOwners finds the items that hold a batch's canonical links.
	selectLinkOwners = `SELECT link_key, id FROM items WHERE link_key = ANY($1)`
	// selectSlugs lists, for each base, the base itself and every slug that
	// starts with it and "-": "-" is followed by "." in byte order, so each
	// range stays on the slug index.
	selectSlugs = `SELECT i.slug FROM unnest($1::text[]) AS b(base)
	JOIN items i ON i.slug = b.base COLLATE "C"
		OR (i.slug >= (b.base || '-') COLLATE "C" AND i.slug < (b.base || '.') COLLATE "C")`
	insertItem = `INSERT INTO items (id, source, file, position, link, link_key, lang_key, language,
		title, summary, content, published, updated, first_seen, slug, held, extra)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::text::json)`
	// updateItem never writes published, first_seen, position or slug.
	// An embargoed item's date may still move (the newsroom postponed it);
	// once released it is frozen. held in the CASE is the stored value.
	updateItem = `UPDATE items SET file = $1, link = $2, link_key = $3, lang_key = $4, language = $5,
		title = $6, summary = $7, content = $8, updated = $9, held = $10, extra = $11::text::json,
		published = CASE WHEN held THEN $12 ELSE published END
	WHERE id = $13`
)

// upsertTx stores items within tx; see store.Batch.Items. It reads what the batch's
// decisions depend on (stored rows, link owners, taken slugs) in three
// queries, decides item by item in memory, keeping those sets current as it
// goes, and sends the writes in one pipelined batch in the same order. The
// caller holds itemsLock, so nothing else changes the table meanwhile.
func upsertTx(ctx context.Context, tx pgx.Tx, source string, items []feeds.Item) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	rows := make([]store.Row, len(items))
	for i, it := range items {
		r, err := store.RowOf(source, it)
		if err != nil {
			return 0, err
		}
		rows[i] = r
	}
	u, err := newUpserter(ctx, tx, rows)
	if err != nil {
		return 0, err
	}
	var (
		batch pgx.Batch
		ids   []string // the item each queued write belongs to
	)
	changed := 0
	for _, r := range rows {
		args := u.decide(r)
		if args == nil {
			continue
		}
		batch.Queue(args.sql, args.args...)
		ids = append(ids, r.ID)
		changed++
	}
	if len(ids) == 0 {
		return 0, nil
	}
	br := tx.SendBatch(ctx, &batch)
	defer br.Close()
	for _, id := range ids {
		if _, err := br.Exec(); err != nil {
			return 0, fmt.Errorf("item %q: %w", id, err)
		}
	}
	return changed, br.Close()
}

// upserter holds what one batch's decisions depend on, as the table will
// be once the writes decided so far are made.
type upserter struct {
	stored map[string]*store.Row // by id; only the compared columns are set
	owners map[string]string     // canonical link → id of the item holding it
	taken  map[string]bool       // slugs in use
}

// write is one statement to queue.
type write struct {
	sql  string
	args []any
}

func newUpserter(ctx context.Context, tx pgx.Tx, rows []store.Row) (*upserter, error) {
	u := &upserter{
		stored: make(map[string]*store.Row),
		owners: make(map[string]string),
		taken:  make(map[string]bool),
	}
	ids := make([]string, 0, len(rows))
	keys := []string{}
	for _, r := range rows {
		ids = append(ids, r.ID)
		if r.LinkKey != nil {
			keys = append(keys, *r.LinkKey)
		}
	}
	if err := u.loadStored(ctx, tx, ids); err != nil {
		return nil, fmt.Errorf("read stored items: %w", err)
	}
	if err := u.loadOwners(ctx, tx, keys); err != nil {
		return nil, fmt.Errorf("read link owners: %w", err)
	}
	// Only a new item is given a slug.
	bases := []string{}
	seen := make(map[string]bool)
	for _, r := range rows {
		if r.Slug != nil && u.stored[r.ID] == nil && !seen[*r.Slug] {
			seen[*r.Slug] = true
			bases = append(bases, *r.Slug)
		}
	}
	if err := u.loadSlugs(ctx, tx, bases); err != nil {
		return nil, fmt.Errorf("read slugs: %w", err)
	}
	return u, nil
}

func (u *upserter) loadStored(ctx context.Context, tx pgx.Tx, ids []string) error {
	rows, err := tx.Query(ctx, selectStoredItems, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r store.Row
		err := rows.Scan(&r.ID, &r.Source, &r.File, &r.Link, &r.LinkKey, &r.Language, &r.Title,
			&r.Summary, &r.Content, &r.Published, &r.Updated, &r.Held, &r.Extra)
		if err != nil {
			return err
		}
		u.stored[r.ID] = &r
	}
	return rows.Err()
}

func (u *upserter) loadOwners(ctx context.Context, tx pgx.Tx, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, selectLinkOwners, keys)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key, id string
		if err := rows.Scan(&key, &id); err != nil {
			return err
		}
		u.owners[key] = id
	}
	return rows.Err()
}

func (u *upserter) loadSlugs(ctx context.Context, tx pgx.Tx, bases []string) error {
	if len(bases) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, selectSlugs, bases)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			return err
		}
		u.taken[slug] = true
	}
	return rows.Err()
}

// decide returns the write that stores r, or nil when r is skipped or
// changes nothing, and records its effect.
func (u *upserter) decide(r store.Row) *write {
	stored := u.stored[r.ID]
	if stored != nil && stored.Source != r.Source {
		return nil // the first source keeps its id
	}
	if r.LinkKey != nil {
		if owner, ok := u.owners[*r.LinkKey]; ok && owner != r.ID {
			return nil // the first item keeps its link
		}
	}
	if stored != nil {
		if r.SameContent(*stored) {
			return nil
		}
		u.moveLink(r.ID, stored.LinkKey, r.LinkKey)
		next := r
		if !stored.Held {
			next.Published = stored.Published // a released item's date is frozen
		}
		*stored = next
		return &write{updateItem, []any{r.File, r.Link, r.LinkKey, r.LangKey, r.Language,
			r.Title, r.Summary, r.Content, r.Updated, r.Held, r.Extra, r.Published, r.ID}}
	}
	if r.Slug != nil {
		slug := uniqueSlug(u.taken, *r.Slug)
		u.taken[slug] = true
		r.Slug = &slug
	}
	u.moveLink(r.ID, nil, r.LinkKey)
	u.stored[r.ID] = &r
	return &write{insertItem, []any{r.ID, r.Source, r.File, r.Position, r.Link, r.LinkKey,
		r.LangKey, r.Language, r.Title, r.Summary, r.Content, r.Published, r.Updated,
		r.FirstSeen, r.Slug, r.Held, r.Extra}}
}

// moveLink records that id now holds the canonical link to instead of from.
func (u *upserter) moveLink(id string, from, to *string) {
	if from != nil && u.owners[*from] == id {
		delete(u.owners, *from)
	}
	if to != nil {
		u.owners[*to] = id
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

const deleteItems = `DELETE FROM items WHERE source = $1 AND id = ANY($2)`

// removeTx deletes source's items with the given ids within tx.
func removeTx(ctx context.Context, tx pgx.Tx, source string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	tag, err := tx.Exec(ctx, deleteItems, source, ids)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// releaseItems compares whole seconds: a stored published time is at or
// before now exactly when it is at or before now's whole second.
const releaseItems = `UPDATE items SET held = false WHERE held AND published <= $1`

// Release clears Held on every held item published at or before now and
// returns how many it released.
func (s *Store) Release(ctx context.Context, now time.Time) (int, error) {
	var released int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockItems(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, releaseItems, dbTime(now))
		if err != nil {
			return err
		}
		released = int(tag.RowsAffected())
		if released > 0 {
			return bumpContent(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: release: %w", err)
	}
	return released, nil
}

// The parts of the Items query. Released items are read from items_feed,
// released unlinked ones from items_unlinked, and one source's with held
// ones from items_source, already in order, so a Limit stops early.
const (
	selectItems = `SELECT id, source, file, position, link, language, title, summary, content,
		published, updated, first_seen, slug, held, extra::text
	FROM items WHERE true`
	itemsReleased = ` AND NOT held`
	itemsSource   = ` AND source = $%d`
	// itemsUnlinked is the very condition of items_unlinked, so that the
	// planner can use that partial index.
	itemsUnlinked = ` AND link = ''`
	// itemsLanguage is RFC 4647 basic filtering: the tag itself, or the tag
	// and "-" followed by more subtags. lang_key is lower case.
	itemsLanguage = ` AND (lang_key = $%d OR lang_key LIKE $%d ESCAPE '\')`
	itemsOrder    = ` ORDER BY published DESC, id`
	itemsLimit    = ` LIMIT $%d`
)

// Items returns the items q selects, newest first, then by id in byte order.
// Times are in UTC; lists that were empty or nil when stored are nil.
func (s *Store) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	items, err := s.items(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("postgres: items: %w", err)
	}
	return items, nil
}

// itemsQuery builds the Items statement for q from the parts above.
func itemsQuery(q store.Query) (string, []any) {
	var query strings.Builder
	var args []any
	query.WriteString(selectItems)
	if !q.IncludeHeld {
		query.WriteString(itemsReleased)
	}
	if q.Source != "" {
		args = append(args, q.Source)
		fmt.Fprintf(&query, itemsSource, len(args))
	}
	if q.Language != "" {
		lang := strings.ToLower(q.Language)
		args = append(args, lang, escapeLike(lang)+"-%")
		fmt.Fprintf(&query, itemsLanguage, len(args)-1, len(args))
	}
	if q.Unlinked {
		query.WriteString(itemsUnlinked)
	}
	query.WriteString(itemsOrder)
	if q.Limit > 0 {
		args = append(args, q.Limit)
		fmt.Fprintf(&query, itemsLimit, len(args))
	}
	return query.String(), args
}

func (s *Store) items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	query, args := itemsQuery(q)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []feeds.Item
	for rows.Next() {
		var r store.Row
		err := rows.Scan(&r.ID, &r.Source, &r.File, &r.Position, &r.Link, &r.Language,
			&r.Title, &r.Summary, &r.Content, &r.Published, &r.Updated, &r.FirstSeen,
			&r.Slug, &r.Held, &r.Extra)
		if err != nil {
			return nil, err
		}
		it, err := r.Item()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return items, nil
}

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
