package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// WriteItems makes the writes store.WriteBatch decided, in order.
func (b batchTx) WriteItems(ctx context.Context, writes []store.Write) error {
	insert, err := b.stmt(ctx, insertItem)
	if err != nil {
		return err
	}
	update, err := b.stmt(ctx, updateItem)
	if err != nil {
		return err
	}
	hashOnly, err := b.stmt(ctx, updateHash)
	if err != nil {
		return err
	}
	// Every insert and change takes the next value of the counter, which
	// the transaction holds: SQLite writes one transaction at a time.
	var start int64
	if err := b.queryRow(ctx, selectItemSeq).Scan(&start); err != nil {
		return fmt.Errorf("item sequence: %w", err)
	}
	rank := store.SeqOrder(writes)
	inserts := 0
	for _, r := range rank {
		if r >= 0 {
			inserts++
		}
	}
	next := start + int64(inserts) // the inserts take start+1 … next, the changes after
	for i, w := range writes {
		r := w.Row
		switch {
		case w.Insert:
			seq := start + 1 + int64(rank[i])
			_, err = insert.ExecContext(ctx, r.ID, r.Source, r.File, r.Position, r.Link, r.LinkKey,
				r.LangKey, r.Language, r.Title, r.Summary, r.Content, r.Published.Unix(),
				r.Updated.Unix(), r.FirstSeen.Unix(), r.Slug, r.Held, r.Extra, r.Hash, seq, seq)
		case w.HashOnly:
			_, err = hashOnly.ExecContext(ctx, r.Hash, r.ID)
		default:
			next++
			_, err = update.ExecContext(ctx, r.File, r.Link, r.LinkKey, r.LangKey, r.Language,
				r.Title, r.Summary, r.Content, r.Updated.Unix(), r.Held, r.Extra, r.Published.Unix(), r.Hash, next, r.ID)
		}
		if err != nil {
			return fmt.Errorf("item %q: %w", r.ID, err)
		}
	}
	if next != start {
		if _, err := b.exec(ctx, updateItemSeq, next); err != nil {
			return fmt.Errorf("item sequence: %w", err)
		}
	}
	return nil
}

const (
	selectItemSeq = `SELECT version FROM versions WHERE name = 'item_seq'`
	updateItemSeq = `UPDATE versions SET version = ? WHERE name = 'item_seq'`
)

const (
	// insertItem stores a new item: times as unix seconds, a nil link key or
	// slug as NULL.
	insertItem = `INSERT INTO items (id, source, file, position, link, link_key, lang_key, language,
		title, summary, content, published, updated, first_seen, slug, held, extra, story_hash, seq, rev)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// updateItem never writes published, first_seen, position or slug.
	// An embargoed item's date may still move (the newsroom postponed it);
	// once released it is frozen.
	updateItem = `UPDATE items SET file = ?, link = ?, link_key = ?, lang_key = ?, language = ?,
		title = ?, summary = ?, content = ?, updated = ?, held = ?, extra = ?,
		published = CASE WHEN held = 1 THEN ? ELSE published END, story_hash = ?, rev = ?
	WHERE id = ?`
	// updateHash records the story an unchanged item was made from.
	updateHash = `UPDATE items SET story_hash = ? WHERE id = ?`
)

// selectStoredItem reads the stored row of an id, with the columns an
// update compares.
const (
	selectStoredItem = `SELECT id, source, file, link, link_key, language, title, summary, content,
	published, updated, held, extra, story_hash
FROM items WHERE id = ?`
	selectStoredItems = `SELECT id, source, file, link, link_key, language, title, summary, content,
	published, updated, held, extra, story_hash
FROM items WHERE id IN (SELECT value FROM json_each(?))`
)

func (b batchTx) Stored(ctx context.Context, ids []string, found func(store.Row)) error {
	var r store.Row
	return b.inList(ctx, selectStoredItem, selectStoredItems, ids, func() { found(r) }, &r.ID, &r.Source, &r.File,
		&r.Link, &r.LinkKey, &r.Language, &r.Title, &r.Summary, &r.Content, scanUnix(&r.Published),
		scanUnix(&r.Updated), &r.Held, &r.Extra, &r.Hash)
}

// selectStoryHashes reads a source's story hashes on items_story alone.
const selectStoryHashes = `SELECT story_hash, id FROM items WHERE source = ? AND story_hash <> ''`

// StoryHashes returns the story hashes of source's items, each with its
// item's id.
func (s *Store) StoryHashes(ctx context.Context, source string) (map[string]string, error) {
	hashes, err := s.storyHashes(ctx, source)
	if err != nil {
		return nil, fmt.Errorf("sqlite: story hashes %q: %w", source, err)
	}
	return hashes, nil
}

func (s *Store) storyHashes(ctx context.Context, source string) (map[string]string, error) {
	rows, err := s.query(ctx, selectStoryHashes, source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hashes := make(map[string]string)
	for rows.Next() {
		var hash, id string
		if err := rows.Scan(&hash, &id); err != nil {
			return nil, err
		}
		hashes[hash] = id
	}
	return hashes, rows.Err()
}

// selectLinkOwner finds the item that holds a canonical link.
const (
	selectLinkOwner  = `SELECT link_key, id FROM items WHERE link_key = ?`
	selectLinkOwners = `SELECT link_key, id FROM items WHERE link_key IN (SELECT value FROM json_each(?))`
)

func (b batchTx) LinkOwners(ctx context.Context, keys []string, found func(key, id string)) error {
	var key, id string
	return b.inList(ctx, selectLinkOwner, selectLinkOwners, keys, func() { found(key, id) }, &key, &id)
}

// selectSlugs lists the slug and every slug that starts with it and "-":
// "-" is followed by "." in byte order, so the range stays on the index.
const selectSlugs = `SELECT slug FROM items WHERE slug = ?1 OR (slug >= ?1 || '-' AND slug < ?1 || '.')`

func (b batchTx) Slugs(ctx context.Context, bases []string, found func(slug string)) error {
	var slug string
	return b.each(ctx, selectSlugs, bases, func() { found(slug) }, &slug)
}

// inList runs one, a query of one value, for each of args, as each does, but
// as many, the same query of a JSON array of values, once for all: one
// statement where each runs one a value (a cold refresh of 20 items asked
// 40 times, each a call through database/sql and the driver). A list with
// bytes that are not UTF-8, which JSON would replace, goes one by one.
func (b batchTx) inList(ctx context.Context, one, many string, args []string, fn func(), dest ...any) error {
	for _, a := range args {
		if !utf8.ValidString(a) {
			return b.each(ctx, one, args, fn, dest...)
		}
	}
	stmt, err := b.stmt(ctx, many)
	if err != nil {
		return err
	}
	rows, err := stmt.QueryContext(ctx, jsonList(args))
	if err != nil {
		return err
	}
	return scanRows(rows, fn, dest...)
}

// each runs query once for each of args; it scans every
// row into dest and calls fn after each.
func (b batchTx) each(ctx context.Context, query string, args []string, fn func(), dest ...any) error {
	stmt, err := b.stmt(ctx, query)
	if err != nil {
		return err
	}
	for _, arg := range args {
		rows, err := stmt.QueryContext(ctx, arg)
		if err != nil {
			return err
		}
		if err := scanRows(rows, fn, dest...); err != nil {
			return err
		}
	}
	return nil
}

// scanRows scans every row into dest, calls fn after each, and closes rows.
func scanRows(rows *sql.Rows, fn func(), dest ...any) error {
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		fn()
	}
	return rows.Err()
}

const deleteItem = `DELETE FROM items WHERE id = ? AND source = ?`

// RemoveItems deletes source's items with the given ids; ids that are
// unknown or belong to another source are ignored.
func (b batchTx) RemoveItems(ctx context.Context, source string, ids []string) (int, error) {
	del, err := b.stmt(ctx, deleteItem)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, id := range ids {
		res, err := del.ExecContext(ctx, id, source)
		if err != nil {
			return 0, fmt.Errorf("item %q: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("item %q: %w", id, err)
		}
		removed += int(n)
	}
	return removed, nil
}

// releaseItems compares whole seconds: a stored published time is at or
// before now exactly when it is at or before now's whole second.
// selectReleased lists the held items to release, oldest first: each takes
// a new seq, since it reaches the feeds only now, and a seq from when it
// was stored would put it in an archive document that was full before.
const (
	selectReleased = `SELECT id FROM items WHERE held = 1 AND published <= ? ORDER BY published, id`
	releaseItem    = `UPDATE items SET held = 0, seq = ?, rev = ? WHERE id = ?`
)

// Release clears Held on every held item published at or before now and
// returns how many it released.
func (s *Store) Release(ctx context.Context, now time.Time) (int, error) {
	n, err := s.release(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("sqlite: release: %w", err)
	}
	return n, nil
}

func (s *Store) release(ctx context.Context, now time.Time) (int, error) {
	// A release that finds nothing writes nothing, which a read-only
	// store would let pass unnoticed.
	if s.readOnly {
		return 0, errors.New("the store is open read-only")
	}
	release, err := s.write(ctx)
	if err != nil {
		return 0, err
	}
	defer release()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, selectReleased, now.Unix())
	if err != nil {
		return 0, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, nil
	}
	var next int64
	if err := tx.QueryRowContext(ctx, selectItemSeq).Scan(&next); err != nil {
		return 0, err
	}
	for _, id := range ids {
		next++
		if _, err := tx.ExecContext(ctx, releaseItem, next, next, id); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, updateItemSeq, next); err != nil {
		return 0, err
	}
	if err := s.batchTx(tx).BumpContent(ctx); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return len(ids), nil
}

// itemsSQL is the Items statement in parts. Released items are read from
// items_feed, unlinked ones from items_unlinked, and one source's with held
// ones from items_source, already in order, so a Limit stops early.
var itemsSQL = store.ItemsSQL{
	Select: `SELECT id, source, file, position, link, language, title, summary, %s,
		published, updated, first_seen, slug, held, extra, seq, rev
	FROM items WHERE 1`,
	SparseSelect: `SELECT id, source, '', 0, '', language, '', '', '',
		published, updated, first_seen, NULL, held,
		json_object('categories', json(json_extract(extra, '$.categories'))), seq, rev
	FROM items WHERE 1`,
	Released: ` AND held = 0`,
	Source:   ` AND source = ?%d`,
	// Unlinked is the very condition of items_unlinked, so that the
	// planner can use that partial index.
	Unlinked: ` AND link = ''`,
	// lang_key is lower case.
	Language:    ` AND (lang_key = ?%d OR lang_key LIKE ?%d ESCAPE '\')`,
	Order:       ` ORDER BY published DESC, id`,
	StoredOrder: ` ORDER BY seq`,
	Limit:       ` LIMIT ?%d`,
	// json_each turns a list into a set without one parameter per value.
	IDs:         ` AND id IN (SELECT value FROM json_each(?%d))`,
	LinkKeys:    ` AND link_key IN (SELECT value FROM json_each(?%d))`,
	ExceptFiles: ` AND file NOT IN (SELECT value FROM json_each(?%d))`,
	// Only a few items carry a key, and publish asks once per run: a scan
	// of extra costs less than an index every write would keep.
	TranslationKeys: ` AND json_extract(extra, '$.translation_key') IN (SELECT value FROM json_each(?%d))`,
	List:            jsonList,
	PublishedFrom:   ` AND published >= ?%d`,
	PublishedBefore: ` AND published < ?%d`,
	Time:            func(t time.Time) any { return ceilUnix(t) },
}

// ceilUnix is t in the whole seconds published is stored in, rounded up:
// a stored second s is at or after t, or before t, exactly when s is at or
// after, or before, ceilUnix(t).
func ceilUnix(t time.Time) int64 {
	s := t.Unix() // floor, also before 1970
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// jsonList is a list as json_each reads it.
func jsonList(list []string) any {
	if list == nil {
		list = []string{}
	}
	b, _ := json.Marshal(list) // a []string always encodes
	return string(b)
}

// Items returns the items q selects, newest first, then by id in byte order.
// Times are in UTC; lists that were empty or nil when stored are nil.
func (s *Store) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	items, err := s.items(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: items: %w", err)
	}
	return items, nil
}

func (s *Store) items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	query, args := itemsSQL.Build(q)
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.ReadItems(rows, scanUnix)
}

// selectDated takes a JSON list of [source, from, before] and returns each
// source that holds an item published in [from, before): a seek of
// items_source each.
const selectDated = `SELECT json_extract(r.value, '$[0]') FROM json_each(?) AS r
WHERE EXISTS (SELECT 1 FROM items
	WHERE source = json_extract(r.value, '$[0]')
	AND published >= json_extract(r.value, '$[1]') AND published < json_extract(r.value, '$[2]'))`

// datedBounds are r's bounds in unix seconds as items.published holds them:
// published >= from and < before is r. A zero From is no bound.
func datedBounds(r store.Dated) (from, before int64) {
	from = minUnix
	if !r.From.IsZero() {
		from = ceilUnix(r.From)
	}
	return from, ceilUnix(r.Before)
}

// Dated reports, of each range, whether its source holds an item published
// in it, in one read: a pass of many 304s asks a window at a time rather
// than one query each. The answer holds the sources that do.
func (s *Store) Dated(ctx context.Context, ranges []store.Dated) (map[string]bool, error) {
	list := make([][3]any, len(ranges))
	for i, r := range ranges {
		from, before := datedBounds(r)
		list[i] = [3]any{r.Source, from, before}
	}
	arg, err := json.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dated: %w", err)
	}
	rows, err := s.query(ctx, selectDated, string(arg))
	if err != nil {
		return nil, fmt.Errorf("sqlite: dated: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("sqlite: dated: %w", err)
		}
		out[name] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: dated: %w", err)
	}
	return out, nil
}
