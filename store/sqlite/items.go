package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

const (
	selectStoredItem = `SELECT source, file, link, language, title, summary, content, published, updated,
		held, extra
	FROM items WHERE id = ?`
	// selectLinkOwner finds another item that holds a canonical link.
	selectLinkOwner = `SELECT id FROM items WHERE link_key = ? AND id <> ?`
	// selectSlugs lists the slug and every slug that starts with it and "-":
	// "-" is followed by "." in byte order, so the range stays on the index.
	selectSlugs = `SELECT slug FROM items WHERE slug = ? OR (slug >= ? AND slug < ?)`
	insertItem  = `INSERT INTO items (id, source, file, position, link, link_key, lang_key, language,
		title, summary, content, published, updated, first_seen, slug, held, extra)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// updateItem never writes published, first_seen, position or slug.
	// An embargoed item's date may still move (the newsroom postponed it);
	// once released it is frozen.
	updateItem = `UPDATE items SET file = ?, link = ?, link_key = ?, lang_key = ?, language = ?,
		title = ?, summary = ?, content = ?, updated = ?, held = ?, extra = ?,
		published = CASE WHEN held = 1 THEN ? ELSE published END
	WHERE id = ?`
)

// upsertTx stores items within tx; see store.Batch.Items.
func upsertTx(ctx context.Context, tx *sql.Tx, source string, items []feeds.Item) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	u := upserter{tx: tx}
	defer u.close()
	for _, q := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&u.stored, selectStoredItem},
		{&u.linkOwner, selectLinkOwner},
		{&u.slugs, selectSlugs},
		{&u.insert, insertItem},
		{&u.update, updateItem},
	} {
		var err error
		if *q.stmt, err = tx.PrepareContext(ctx, q.sql); err != nil {
			return 0, err
		}
	}
	changed := 0
	for _, it := range items {
		r, err := store.RowOf(source, it)
		if err != nil {
			return 0, err
		}
		n, err := u.item(ctx, r)
		if err != nil {
			return 0, fmt.Errorf("item %q: %w", it.ID, err)
		}
		changed += n
	}
	return changed, nil
}

// upserter holds the statements of one batch's upserts.
type upserter struct {
	tx                                       *sql.Tx
	stored, linkOwner, slugs, insert, update *sql.Stmt
}

func (u *upserter) close() {
	for _, st := range []*sql.Stmt{u.stored, u.linkOwner, u.slugs, u.insert, u.update} {
		if st != nil {
			st.Close()
		}
	}
}

// item stores r and reports 1 when that changed the table.
func (u *upserter) item(ctx context.Context, r store.Row) (int, error) {
	var stored store.Row
	err := u.stored.QueryRowContext(ctx, r.ID).Scan(&stored.Source, &stored.File, &stored.Link,
		&stored.Language, &stored.Title, &stored.Summary, &stored.Content, scanUnix(&stored.Published),
		scanUnix(&stored.Updated), &stored.Held, &stored.Extra)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if exists && stored.Source != r.Source {
		return 0, nil // the first source keeps its id
	}
	if r.LinkKey != nil {
		var owner string
		err := u.linkOwner.QueryRowContext(ctx, *r.LinkKey, r.ID).Scan(&owner)
		if err == nil {
			return 0, nil // the first item keeps its link
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	if exists {
		if r.SameContent(stored) {
			return 0, nil
		}
		_, err := u.update.ExecContext(ctx, r.File, r.Link, r.LinkKey, r.LangKey, r.Language,
			r.Title, r.Summary, r.Content, r.Updated.Unix(), r.Held, r.Extra, r.Published.Unix(), r.ID)
		if err != nil {
			return 0, err
		}
		return 1, nil
	}
	if r.Slug != nil {
		slug, err := u.uniqueSlug(ctx, *r.Slug)
		if err != nil {
			return 0, err
		}
		r.Slug = &slug
	}
	_, err = u.insert.ExecContext(ctx, r.ID, r.Source, r.File, r.Position, r.Link, r.LinkKey,
		r.LangKey, r.Language, r.Title, r.Summary, r.Content, r.Published.Unix(), r.Updated.Unix(),
		r.FirstSeen.Unix(), r.Slug, r.Held, r.Extra)
	if err != nil {
		return 0, err
	}
	return 1, nil
}

// uniqueSlug returns base if no item holds it, else the first of base-2,
// base-3, … that none holds.
func (u *upserter) uniqueSlug(ctx context.Context, base string) (string, error) {
	rows, err := u.slugs.QueryContext(ctx, base, base+"-", base+".")
	if err != nil {
		return "", fmt.Errorf("slug %q: %w", base, err)
	}
	defer rows.Close()
	taken := make(map[string]bool)
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			return "", fmt.Errorf("slug %q: %w", base, err)
		}
		taken[slug] = true
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("slug %q: %w", base, err)
	}
	if !taken[base] {
		return base, nil
	}
	for n := 2; ; n++ {
		if slug := fmt.Sprintf("%s-%d", base, n); !taken[slug] {
			return slug, nil
		}
	}
}

const deleteItem = `DELETE FROM items WHERE id = ? AND source = ?`

// removeTx deletes source's items with the given ids within tx.
func removeTx(ctx context.Context, tx *sql.Tx, source string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	del, err := tx.PrepareContext(ctx, deleteItem)
	if err != nil {
		return 0, err
	}
	defer del.Close()
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
const releaseItems = `UPDATE items SET held = 0 WHERE held = 1 AND published <= ?`

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
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, releaseItems, now.Unix())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if n > 0 {
		if err := bumpContent(ctx, tx); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return int(n), nil
}

// The parts of the Items query. Released items are read from items_feed,
// unlinked ones from items_unlinked, and one source's with held ones from
// items_source, already in order, so a Limit stops early.
const (
	selectItems = `SELECT id, source, file, position, link, language, title, summary, content,
		published, updated, first_seen, slug, held, extra
	FROM items WHERE 1`
	itemsReleased = ` AND held = 0`
	itemsSource   = ` AND source = ?`
	// itemsUnlinked is the very condition of items_unlinked, so that the
	// planner can use that partial index.
	itemsUnlinked = ` AND link = ''`
	// itemsLanguage is RFC 4647 basic filtering: the tag itself, or the tag
	// and "-" followed by more subtags. lang_key is lower case.
	itemsLanguage = ` AND (lang_key = ? OR lang_key LIKE ? ESCAPE '\')`
	itemsOrder    = ` ORDER BY published DESC, id`
	itemsLimit    = ` LIMIT ?`
)

// Items returns the items q selects, newest first, then by id in byte order.
// Times are in UTC; lists that were empty or nil when stored are nil.
func (s *Store) Items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	items, err := s.items(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: items: %w", err)
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
		query.WriteString(itemsSource)
		args = append(args, q.Source)
	}
	if q.Language != "" {
		lang := strings.ToLower(q.Language)
		query.WriteString(itemsLanguage)
		args = append(args, lang, escapeLike(lang)+"-%")
	}
	if q.Unlinked {
		query.WriteString(itemsUnlinked)
	}
	query.WriteString(itemsOrder)
	if q.Limit > 0 {
		query.WriteString(itemsLimit)
		args = append(args, q.Limit)
	}
	return query.String(), args
}

func (s *Store) items(ctx context.Context, q store.Query) ([]feeds.Item, error) {
	query, args := itemsQuery(q)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []feeds.Item
	for rows.Next() {
		var r store.Row
		err := rows.Scan(&r.ID, &r.Source, &r.File, &r.Position, &r.Link, &r.Language,
			&r.Title, &r.Summary, &r.Content, scanUnix(&r.Published), scanUnix(&r.Updated),
			scanUnix(&r.FirstSeen), &r.Slug, &r.Held, &r.Extra)
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
