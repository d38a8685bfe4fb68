package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// WriteItems is never called: items are written by applyItems's pipe,
// and the batches batchTx writes (a list's) hold none.
func (b batchTx) WriteItems(context.Context, []store.Write) error {
	return errors.New("items are written in a pipeline (applyItems)")
}

const (
	// insertNextItem stores a new item with the next item_seq as its seq
	// and rev; extra comes as text and is kept as json.
	insertNextItem = `INSERT INTO items (id, source, file, position, link, link_key, lang_key, language,
		title, summary, content, published, updated, first_seen, slug, held, extra, story_hash, seq, rev)
	SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::text::json, $18, n, n
	FROM (SELECT nextval('item_seq') AS n) AS s`
	// updateItem never writes published, first_seen, position or slug.
	// An embargoed item's date may still move (the newsroom postponed it);
	// once released it is frozen. held in the CASE is the stored value.
	updateItem = `UPDATE items SET file = $1, link = $2, link_key = $3, lang_key = $4, language = $5,
		title = $6, summary = $7, content = $8, updated = $9, held = $10, extra = $11::text::json,
		published = CASE WHEN held THEN $12 ELSE published END, story_hash = $13,
		rev = nextval('item_seq')
	WHERE id = $14`
	// updateHash records the story an unchanged item was made from.
	updateHash = `UPDATE items SET story_hash = $1 WHERE id = $2`
)

// selectStoredItems reads the stored rows of a batch's ids, with the
// columns an update compares.
const selectStoredItems = `SELECT id, source, file, link, link_key, language, title, summary, content,
	published, updated, held, extra::text, story_hash
FROM items WHERE id = ANY($1)`

func (b batchTx) Stored(ctx context.Context, ids []string, found func(store.Row)) error {
	var r store.Row
	rows, _ := b.tx.Query(ctx, selectStoredItems, ids) // ForEachRow reports its error
	_, err := pgx.ForEachRow(rows, []any{&r.ID, &r.Source, &r.File, &r.Link, &r.LinkKey,
		&r.Language, &r.Title, &r.Summary, &r.Content, &r.Published, &r.Updated, &r.Held, &r.Extra,
		&r.Hash},
		func() error { found(r); return nil })
	return err
}

// selectStoryHashes reads a source's story hashes on items_story alone.
const selectStoryHashes = `SELECT story_hash, id FROM items WHERE source = $1 AND story_hash <> ''`

// StoryHashes returns the story hashes of source's items, each with its
// item's id.
func (s *Store) StoryHashes(ctx context.Context, source string) (map[string]string, error) {
	hashes := make(map[string]string)
	var hash, id string
	rows, _ := s.pool.Query(ctx, selectStoryHashes, source)
	_, err := pgx.ForEachRow(rows, []any{&hash, &id}, func() error { hashes[hash] = id; return nil })
	if err != nil {
		return nil, fmt.Errorf("postgres: story hashes %q: %w", source, err)
	}
	return hashes, nil
}

// selectLinkOwners finds the items that hold a batch's canonical links.
const selectLinkOwners = `SELECT link_key, id FROM items WHERE link_key = ANY($1)`

func (b batchTx) LinkOwners(ctx context.Context, keys []string, found func(key, id string)) error {
	var key, id string
	rows, _ := b.tx.Query(ctx, selectLinkOwners, keys)
	_, err := pgx.ForEachRow(rows, []any{&key, &id}, func() error { found(key, id); return nil })
	return err
}

// selectSlugs lists, for each base, the base itself and every slug that
// starts with it and "-": "-" is followed by "." in byte order, so each
// range stays on the slug index.
const selectSlugs = `SELECT i.slug FROM unnest($1::text[]) AS b(base)
JOIN items i ON i.slug = b.base COLLATE "C"
	OR (i.slug >= (b.base || '-') COLLATE "C" AND i.slug < (b.base || '.') COLLATE "C")`

func (b batchTx) Slugs(ctx context.Context, bases []string, found func(slug string)) error {
	var slug string
	rows, _ := b.tx.Query(ctx, selectSlugs, bases)
	_, err := pgx.ForEachRow(rows, []any{&slug}, func() error { found(slug); return nil })
	return err
}

const deleteItems = `DELETE FROM items WHERE source = $1 AND id = ANY($2)`

// RemoveItems deletes source's items with the given ids; ids that are
// unknown or belong to another source are ignored.
func (b batchTx) RemoveItems(ctx context.Context, source string, ids []string) (int, error) {
	tag, err := b.tx.Exec(ctx, deleteItems, source, ids)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// releaseItems compares whole seconds: a stored published time is at or
// before now exactly when it is at or before now's whole second.
// releaseItems releases the held items published by $1, oldest first,
// each with a new seq: it reaches the feeds only now, and a seq from when
// it was stored would put it in an archive document that was full before.
//
// It passes by the items a refresh is writing (SKIP LOCKED): that refresh
// locked their rows before the content version's, which Release holds
// already, so waiting for them would deadlock; the next Release lifts
// them.
const releaseItems = `UPDATE items SET held = false, seq = r.n, rev = r.n
FROM (SELECT id, nextval('item_seq') AS n
	FROM (SELECT id FROM items WHERE held AND published <= $1 ORDER BY published, id
		FOR UPDATE SKIP LOCKED) AS o) AS r
WHERE items.id = r.id`

const lockContentVersion = `SELECT version FROM versions WHERE name = 'content' FOR UPDATE`

// Release clears Held on every held item published at or before now and
// returns how many it released.
func (s *Store) Release(ctx context.Context, now time.Time) (int, error) {
	ctx = purpose(ctx, store.PurposeWrite)
	var released int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The content version's row lock, held to the commit, orders the
		// numbers the release takes after every writer's before it (see
		// pipe.WriteItems).
		if _, err := tx.Exec(ctx, lockContentVersion); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, releaseItems, dbTime(now))
		if err != nil {
			return err
		}
		released = int(tag.RowsAffected())
		if released > 0 {
			return batchTx{tx}.BumpContent(ctx)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: release: %w", err)
	}
	return released, nil
}

// itemsSQL is the Items statement in parts. Released items are read from
// items_feed, released unlinked ones from items_unlinked, and one source's
// with held ones from items_source, already in order, so a Limit stops
// early.
var itemsSQL = store.ItemsSQL{
	Select: `SELECT id, source, file, position, link, language, title, summary, %s,
		published, updated, first_seen, slug, held, extra::text, seq, rev
	FROM items WHERE true`,
	SparseSelect: `SELECT id, source, '', 0, '', language, '', '', '',
		published, updated, first_seen, NULL, held,
		json_build_object('categories', extra->'categories')::text, seq, rev
	FROM items WHERE true`,
	Released: ` AND NOT held`,
	Source:   ` AND source = $%d`,
	// Unlinked is the very condition of items_unlinked, so that the
	// planner can use that partial index.
	Unlinked: ` AND link = ''`,
	// lang_key is lower case.
	Language:    ` AND (lang_key = $%d OR lang_key LIKE $%d ESCAPE '\')`,
	Order:       ` ORDER BY published DESC, id`,
	StoredOrder: ` ORDER BY seq`,
	Limit:       ` LIMIT $%d`,
	IDs:         ` AND id = ANY($%d)`,
	LinkKeys:    ` AND link_key = ANY($%d)`,
	ExceptFiles: ` AND NOT (file = ANY($%d))`,
	// Only a few items carry a key, and publish asks once per run: a scan
	// of extra costs less than an index every write would keep.
	TranslationKeys: ` AND extra->>'translation_key' = ANY($%d)`,
	List:            func(list []string) any { return list },
	PublishedFrom:   ` AND published >= $%d`,
	PublishedBefore: ` AND published < $%d`,
	Time:            ceilMicro,
}

// ceilMicro is t in the microseconds timestamptz keeps, rounded up, for the
// reason sqlite's ceilUnix gives.
func ceilMicro(t time.Time) any {
	if c := t.Truncate(time.Microsecond); !c.Equal(t) {
		return c.Add(time.Microsecond)
	}
	return t
}

// Items returns the items q selects, newest first, then by id in byte order.
// Times are in UTC; lists that were empty or nil when stored are nil.
func (s *Store) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	query, args := itemsSQL.Build(q)
	rows, _ := s.pool.Query(ctx, query, args...) // ReadItems reports its error
	defer rows.Close()
	items, err := store.ReadItems(rows, func(t *time.Time) any { return t })
	if err != nil {
		return nil, fmt.Errorf("postgres: items: %w", err)
	}
	return items, nil
}
