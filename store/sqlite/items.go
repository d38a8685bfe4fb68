package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/store"
)

// itemRow is an item as the items table holds it. Times are unix seconds;
// linkKey and slug are NULL when the item has no link or no slug.
type itemRow struct {
	id, source, file   string
	position           int64
	link               string
	linkKey            sql.NullString
	langKey, language  string
	title, summary     string
	content            string
	published, updated int64
	firstSeen          int64
	slug               sql.NullString
	held               bool
	extra              string
}

// extraJSON holds the item fields that have no column of their own. Empty
// lists are left out, so they come back nil, and an absent origin stays nil.
type extraJSON struct {
	Authors    []personJSON    `json:"authors,omitempty"`
	Categories []string        `json:"categories,omitempty"`
	Enclosures []enclosureJSON `json:"enclosures,omitempty"`
	Image      string          `json:"image,omitempty"`
	Origin     *originJSON     `json:"origin,omitempty"`
}

type personJSON struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

type enclosureJSON struct {
	URL    string `json:"url,omitempty"`
	Type   string `json:"type,omitempty"`
	Length int64  `json:"length,omitempty"`
}

type originJSON struct {
	Title string `json:"title,omitempty"`
	ID    string `json:"id,omitempty"`
	Link  string `json:"link,omitempty"`
}

// newItemRow encodes it as source's. The item's own Source is not used: the
// store files every item of a batch under the source that upserts it.
func newItemRow(source string, it feeds.Item) (itemRow, error) {
	x := extraJSON{Categories: it.Categories, Image: it.Image}
	for _, p := range it.Authors {
		x.Authors = append(x.Authors, personJSON(p))
	}
	for _, e := range it.Enclosures {
		x.Enclosures = append(x.Enclosures, enclosureJSON(e))
	}
	if it.Origin != nil {
		o := originJSON(*it.Origin)
		x.Origin = &o
	}
	extra, err := json.Marshal(x)
	if err != nil {
		return itemRow{}, fmt.Errorf("item %q: %w", it.ID, err)
	}
	r := itemRow{
		id:        it.ID,
		source:    source,
		file:      it.File,
		position:  int64(it.Position),
		link:      it.Link,
		langKey:   strings.ToLower(it.Language),
		language:  it.Language,
		title:     it.Title,
		summary:   it.Summary,
		content:   it.Content,
		published: it.Published.Unix(),
		updated:   it.Updated.Unix(),
		firstSeen: it.FirstSeen.Unix(),
		held:      it.Held,
		extra:     string(extra),
	}
	if key := feeds.CanonicalLink(it.Link); key != "" {
		r.linkKey = sql.NullString{String: key, Valid: true}
	}
	if it.Slug != "" {
		r.slug = sql.NullString{String: it.Slug, Valid: true}
	}
	return r, nil
}

// item decodes r.
func (r itemRow) item() (feeds.Item, error) {
	var x extraJSON
	if err := json.Unmarshal([]byte(r.extra), &x); err != nil {
		return feeds.Item{}, fmt.Errorf("item %q: extra: %w", r.id, err)
	}
	it := feeds.Item{
		ID:         r.id,
		Source:     r.source,
		Title:      r.title,
		Link:       r.link,
		Summary:    r.summary,
		Content:    r.content,
		Categories: x.Categories,
		Language:   r.language,
		Image:      x.Image,
		Published:  unixTime(r.published),
		Updated:    unixTime(r.updated),
		File:       r.file,
		Position:   int(r.position),
		FirstSeen:  unixTime(r.firstSeen),
		Slug:       r.slug.String,
		Held:       r.held,
	}
	for _, p := range x.Authors {
		it.Authors = append(it.Authors, feeds.Person(p))
	}
	for _, e := range x.Enclosures {
		it.Enclosures = append(it.Enclosures, feeds.Enclosure(e))
	}
	if x.Origin != nil {
		o := feeds.Origin(*x.Origin)
		it.Origin = &o
	}
	return it, nil
}

// sameContent reports whether updating stored with r would change nothing.
// Only the columns an update writes are compared.
func (r itemRow) sameContent(stored itemRow) bool {
	return r.file == stored.file && r.link == stored.link && r.language == stored.language &&
		r.title == stored.title && r.summary == stored.summary && r.content == stored.content &&
		r.updated == stored.updated && r.held == stored.held && r.extra == stored.extra
}

// Upsert stores items as source's in one transaction. For each item in order:
// an id held by another source, or a link whose canonical form another item
// holds, is skipped; a new id is inserted with its Slug made unique (base,
// base-2, base-3, … in insertion order; an empty Slug stays empty); a stored
// id of source gets its title, link, summary, content, language, authors,
// categories, enclosures, image, origin, updated, file and held rewritten,
// while FirstSeen, Position and Slug keep their stored values, and so does
// Published once the item is released (an embargoed item follows its date).
// changed counts inserted items and updated items whose stored values
// differed. Times are kept to the second. The item's Source field is ignored.
func (s *Store) Upsert(ctx context.Context, source string, items []feeds.Item) (int, error) {
	done, err := s.apply(ctx, source, store.Batch{Items: items})
	if err != nil {
		return 0, fmt.Errorf("sqlite: upsert %q: %w", source, err)
	}
	return done.Changed, nil
}

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

// upsertTx stores items within tx; see Upsert.
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
		r, err := newItemRow(source, it)
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

// upserter holds the statements of one Upsert transaction.
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
func (u *upserter) item(ctx context.Context, r itemRow) (int, error) {
	var stored itemRow
	err := u.stored.QueryRowContext(ctx, r.id).Scan(&stored.source, &stored.file, &stored.link,
		&stored.language, &stored.title, &stored.summary, &stored.content, &stored.published,
		&stored.updated, &stored.held, &stored.extra)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	if exists && stored.source != r.source {
		return 0, nil // the first source keeps its id
	}
	if r.linkKey.Valid {
		var owner string
		err := u.linkOwner.QueryRowContext(ctx, r.linkKey.String, r.id).Scan(&owner)
		if err == nil {
			return 0, nil // the first item keeps its link
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	if exists {
		if r.sameContent(stored) && (!stored.held || r.published == stored.published) {
			return 0, nil
		}
		_, err := u.update.ExecContext(ctx, r.file, r.link, r.linkKey, r.langKey, r.language,
			r.title, r.summary, r.content, r.updated, r.held, r.extra, r.published, r.id)
		if err != nil {
			return 0, err
		}
		return 1, nil
	}
	if r.slug.Valid {
		if r.slug.String, err = u.uniqueSlug(ctx, r.slug.String); err != nil {
			return 0, err
		}
	}
	_, err = u.insert.ExecContext(ctx, r.id, r.source, r.file, r.position, r.link, r.linkKey,
		r.langKey, r.language, r.title, r.summary, r.content, r.published, r.updated,
		r.firstSeen, r.slug, r.held, r.extra)
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

// Remove deletes source's items with the given ids in one transaction; ids
// that are unknown or belong to another source are ignored.
func (s *Store) Remove(ctx context.Context, source string, ids []string) (int, error) {
	done, err := s.apply(ctx, source, store.Batch{Remove: ids})
	if err != nil {
		return 0, fmt.Errorf("sqlite: remove %q: %w", source, err)
	}
	return done.Removed, nil
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
	res, err := s.db.ExecContext(ctx, releaseItems, now.Unix())
	if err != nil {
		return 0, fmt.Errorf("sqlite: release: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: release: %w", err)
	}
	return int(n), nil
}

// The parts of the Items query. Released items are read from items_feed, and
// one source's with held ones from items_source, already in order, so a
// Limit stops early.
const (
	selectItems = `SELECT id, source, file, position, link, language, title, summary, content,
		published, updated, first_seen, slug, held, extra
	FROM items WHERE 1`
	itemsReleased = ` AND held = 0`
	itemsSource   = ` AND source = ?`
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
		var r itemRow
		err := rows.Scan(&r.id, &r.source, &r.file, &r.position, &r.link, &r.language,
			&r.title, &r.summary, &r.content, &r.published, &r.updated, &r.firstSeen,
			&r.slug, &r.held, &r.extra)
		if err != nil {
			return nil, err
		}
		it, err := r.item()
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
