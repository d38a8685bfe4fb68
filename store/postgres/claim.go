package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/feedloom/feedloom/store"
)

// insertMissing creates the rows of sources never saved, with a zero state.
// Names go in byte order so that two nodes creating overlapping sets wait
// for each other's rows in one order and never deadlock.
const insertMissing = `INSERT INTO sources (name, url, configured_url, etag, last_modified, last_error, failures)
SELECT n, '', '', '', '', '', 0 FROM unnest($1::text[]) AS n ORDER BY n COLLATE "C"
ON CONFLICT (name) DO NOTHING`

// claimDue leases the free and due rows among $2 (names), with $3 (the due
// time each serves, NULL for any) and $4 (whether to ignore next_due), to
// node $1 until $6, at now $5. FOR UPDATE re-checks the conditions on the
// latest committed row once it holds the lock, so a lease or refresh
// committed by another node since this statement began is seen; SKIP
// LOCKED leaves the rows another node is claiming right now to that node,
// and never waits, so claims cannot deadlock. The names come back in input
// order.
const claimDue = `WITH due AS (
	SELECT DISTINCT ON (d.name) d.name, d.since, d.force, d.ord
	FROM unnest($2::text[], $3::timestamptz[], $4::boolean[]) WITH ORDINALITY AS d(name, since, force, ord)
	ORDER BY d.name, d.ord
), picked AS (
	SELECT s.name, s.claimed_by AS prev, s.lease_until AS prev_until FROM sources s JOIN due d ON d.name = s.name
	WHERE (s.lease_until IS NULL OR s.lease_until < $5)
		AND (d.force OR s.next_due IS NULL OR s.next_due <= $5)
		AND (d.since IS NULL OR s.checked_at IS NULL OR s.checked_at < d.since)
	FOR UPDATE OF s SKIP LOCKED
), claimed AS (
	UPDATE sources s SET claimed_by = $1, lease_until = $6
	FROM picked WHERE s.name = picked.name
	RETURNING s.name, CASE WHEN picked.prev_until IS NULL THEN '' ELSE coalesce(picked.prev, '') END AS orphan,
		s.url, s.configured_url, s.etag, s.last_modified, s.checked_at, s.last_success, s.last_error,
		s.failures, s.next_due
)
SELECT c.* FROM claimed c JOIN due d ON d.name = c.name ORDER BY d.ord`

// selectClaimedHashes reads the items of the sources among $1 that node $2
// holds, after claimDue in the same batch: each item's story hash, id and
// date.
const selectClaimedHashes = `SELECT i.source, i.story_hash, i.id, i.published FROM items i
WHERE i.source = ANY($1) AND i.source IN (SELECT name FROM sources WHERE name = ANY($1) AND claimed_by = $2)`

// Claim leases to node, until until, those of due that no live lease holds
// (lease_until is NULL or before now), whose next_due has come (NULL or at
// or before now, unless Force), and that were not checked at or after their
// Since: the nodes that all saw one tick fetch the source once, and a
// source another node refreshed meanwhile is not fetched twice in one due
// period. Rows missing from the store are created first with a zero state.
// It returns the claimed sources in the order of due, each with the node
// whose lease ran out unreleased, if one did (a live node always lets go,
// so a lease still recorded when it is taken is an orphan's); a name given
// twice counts once, with its first Due. Times are taken to the second, as
// every stored time. Each claimed source comes with its fetch state and
// its items' story hashes and dates, read in the same round trip.
func (s *Store) Claim(ctx context.Context, node string, due []store.Due, now, until time.Time) ([]store.Claimed, error) {
	if node == "" {
		return nil, errors.New("postgres: claim: empty node id")
	}
	ctx = purpose(ctx, store.PurposeClaim)
	if len(due) == 0 {
		return nil, nil
	}
	names := make([]string, len(due))
	since := make([]*time.Time, len(due))
	force := make([]bool, len(due))
	for i, d := range due {
		names[i] = d.Source
		since[i] = nullTime(d.Since)
		force[i] = d.Force
	}
	fail := func(err error) ([]store.Claimed, error) {
		return nil, fmt.Errorf("postgres: claim %d sources for %s: %w", len(due), node, err)
	}
	// One round trip: the batch runs as one implicit transaction, in
	// which the claim sees the rows the insert made.
	var b pgx.Batch
	b.Queue(insertMissing, names)
	b.Queue(claimDue, node, names, since, force, dbTime(now), dbTime(until))
	b.Queue(selectClaimedHashes, names, node)
	br := s.pool.SendBatch(ctx, &b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return fail(fmt.Errorf("create missing: %w", err))
	}
	rows, err := br.Query()
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	var claimed []store.Claimed
	for rows.Next() {
		var c store.Claimed
		var checked, success, due *time.Time
		st := &c.State
		if err := rows.Scan(&c.Source, &c.Orphan, &st.URL, &st.ConfiguredURL, &st.ETag, &st.LastModified,
			&checked, &success, &st.LastError, &st.Failures, &due); err != nil {
			return fail(err)
		}
		st.CheckedAt, st.LastSuccess, st.NextDue = fromNullTime(checked), fromNullTime(success), fromNullTime(due)
		claimed = append(claimed, c)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	rows.Close()
	at := make(map[string]*store.Claimed, len(claimed))
	for i := range claimed {
		at[claimed[i].Source] = &claimed[i]
	}
	var source, hash, id string
	var published time.Time
	rows, _ = br.Query() // ForEachRow reports its error
	_, err = pgx.ForEachRow(rows, []any{&source, &hash, &id, &published}, func() error {
		c := at[source]
		if c == nil {
			return nil // held by this node already, not claimed now
		}
		c.Items++
		c.Published = append(c.Published, published.UTC())
		if hash != "" {
			if c.Hashes == nil {
				c.Hashes = make(map[string]string)
			}
			c.Hashes[hash] = id
		}
		return nil
	})
	if err != nil {
		return fail(fmt.Errorf("story hashes: %w", err))
	}
	if err := br.Close(); err != nil {
		return fail(err)
	}
	return claimed, nil
}

// Unclaim ends node's lease on source, so that the next due time is
// claimable at once; a lease another node holds is left alone.
func (s *Store) Unclaim(ctx context.Context, node, source string) error {
	ctx = purpose(ctx, store.PurposeLease)
	_, err := s.pool.Exec(ctx, `UPDATE sources SET claimed_by = NULL, lease_until = NULL
	WHERE name = $1 AND claimed_by = $2`, source, node)
	if err != nil {
		return fmt.Errorf("postgres: unclaim %q for %s: %w", source, node, err)
	}
	return nil
}

// Renew moves node's lease on source to until, so that a refresh that
// takes long keeps its source; it reports false when node no longer holds
// it.
func (s *Store) Renew(ctx context.Context, node, source string, until time.Time) (bool, error) {
	ctx = purpose(ctx, store.PurposeLease)
	tag, err := s.pool.Exec(ctx, `UPDATE sources SET lease_until = $3 WHERE name = $1 AND claimed_by = $2`,
		source, node, dbTime(until))
	if err != nil {
		return false, fmt.Errorf("postgres: renew %q for %s: %w", source, node, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Leases counts the live leases node holds at now: those whose lease_until
// is at or after now, to the second.
func (s *Store) Leases(ctx context.Context, node string, now time.Time) (int, error) {
	ctx = purpose(ctx, store.PurposeCluster)
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM sources WHERE claimed_by = $1 AND lease_until >= $2`,
		node, dbTime(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: leases of %s: %w", node, err)
	}
	return n, nil
}

// selectOrphans reads the leases that ran out without being let go. A
// live node always unclaims, so these are few: partial index sources_leased
// keeps the scan to the claimed rows.
const selectOrphans = `SELECT name, claimed_by, checked_at FROM sources
WHERE claimed_by IS NOT NULL AND lease_until < $1 ORDER BY name`

// Orphans lists the sources still claimed whose lease ended before now,
// by name: their node died or lost the database mid-refresh.
func (s *Store) Orphans(ctx context.Context, now time.Time) ([]store.Orphan, error) {
	ctx = purpose(ctx, store.PurposeLease)
	rows, err := s.pool.Query(ctx, selectOrphans, dbTime(now))
	if err != nil {
		return nil, fmt.Errorf("postgres: expired leases: %w", err)
	}
	defer rows.Close()
	var out []store.Orphan
	for rows.Next() {
		var o store.Orphan
		var checked *time.Time
		if err := rows.Scan(&o.Source, &o.Node, &checked); err != nil {
			return nil, fmt.Errorf("postgres: expired leases: %w", err)
		}
		o.CheckedAt = fromNullTime(checked)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: expired leases: %w", err)
	}
	return out, nil
}
