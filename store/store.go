// Package store defines the Store contract that keeps feedloom's items and
// fetch state between runs. sqlite/ implements it (the embedded default);
// postgres/ implements it for several nodes sharing one database.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/feedloom/feedloom/feeds"
	"github.com/feedloom/feedloom/sources"
)

// ErrSchemaTooNew means the database was written by a newer feedloom.
var ErrSchemaTooNew = errors.New("store: schema is newer than this binary")

// ErrNoStore means a store opened read-only holds nothing yet: no file, no
// schema, or an older schema that only a writer would bring up to date.
// A reader takes it as an empty store whose first run is today.
var ErrNoStore = errors.New("store: nothing stored yet")

// ErrLeaseLost means a Batch with a Holder was refused: another node took
// the source over after the holder's lease ran out, and its refresh wins.
var ErrLeaseLost = errors.New("store: the source's lease was taken over by another node")

// Store keeps items, the ids, dates and slugs they were given, and each
// source's fetch state. Every write is one transaction.
type Store interface {
	// Apply writes one refresh of a source in a single transaction:
	// Batch.Remove first, then Batch.Items, then Batch.Retain, then
	// Batch.State. Either all of it is stored or none.
	Apply(ctx context.Context, source string, b Batch) (Applied, error)
	// Items returns items matching q, newest first, then by id.
	Items(ctx context.Context, q Query) ([]feeds.Item, error)
	// Newest returns the latest Published or Updated time among released
	// items, in UTC; the zero time when there are none. It reads no item,
	// so it stays cheap however large the store.
	Newest(ctx context.Context) (time.Time, error)
	// Version returns the content version: a counter that every committed
	// transaction changing items (an insert, update, removal, pruning or
	// release) raises by one, and nothing else changes. Two reads that
	// return the same number saw the same items, so a caller can skip work
	// that depends on nothing but the items.
	Version(ctx context.Context) (int64, error)
	// Release clears Held on every held item published at or before now.
	Release(ctx context.Context, now time.Time) (released int, err error)
	// FirstRun records day (YYYY-MM-DD) as the store's first-run date unless
	// one is recorded already, and returns the recorded one.
	FirstRun(ctx context.Context, day string) (string, error)

	// State returns the fetch state that the source's last Batch.State
	// saved; the zero State for a source never saved.
	State(ctx context.Context, source string) (sources.State, error)
	// Subscriptions returns every list source's subscriptions (the feeds
	// its answers named, Batch.List), retired ones included: by list
	// name, then as the list's last answer left them (the feeds it names
	// in its order, then the retired ones).
	Subscriptions(ctx context.Context) ([]sources.Subscription, error)
	// Files returns the fingerprints of source's story files that its
	// batches saved (Batch.Files), sorted by path; none for a source never
	// saved. It reads no item.
	Files(ctx context.Context, source string) ([]FileStamp, error)
	// StoryHashes returns, for each of source's items stored with the hash
	// of the story it was made from (Batch.Hashes), that hash and the
	// item's id. It reads no item's content.
	StoryHashes(ctx context.Context, source string) (map[string]string, error)

	// Manifest returns the manifest SaveManifest last saved under key, and
	// false when none was. A publisher keys it by node and output folder.
	Manifest(ctx context.Context, key string) (Manifest, bool, error)
	// SaveManifest replaces the manifest under key. It changes no item, so
	// Version stays.
	SaveManifest(ctx context.Context, key string, m Manifest) error
	// Value returns the value last stored under key in the store's
	// key-value space, and false when there is none. Publishing keeps
	// there what every node must agree on, such as where archives are cut.
	Value(ctx context.Context, key string) (string, bool, error)
	// SwapValue stores value under key if the key holds old, or is absent
	// and old is "", and reports whether it did: nodes that race to
	// extend one value see which of them won, and read it back.
	SwapValue(ctx context.Context, key, old, value string) (bool, error)
	Close() error
}

// Claimed is one source a claim leased to a node of a cluster.
type Claimed struct {
	Source string
	// Orphan is the node whose lease on the source ran out without being
	// let go (it died, or lost the database mid-refresh): the claim takes
	// its work over. "" when the source was free.
	Orphan string
	// State is the source's fetch state as the claim found it, so that
	// the refresh need not read it again; Hashes are its items' story
	// hashes (StoryHashes), Items how many items it holds and Published
	// their dates (held ones included), so that a refresh need not read
	// them either.
	State     sources.State
	Hashes    map[string]string
	Items     int
	Published []time.Time
}

// Due is a source a node of a cluster means to refresh, for a store that
// leases sources to nodes (store/postgres).
type Due struct {
	Source string
	// Since is the due time being served: the source is claimable only if
	// it was not checked at or after Since, so that the nodes that all saw
	// the same tick fetch it once. Zero claims it however recently it was
	// checked (a build, which ignores schedules).
	Since time.Time
	// Force claims it inside its backoff, Retry-After or cache window.
	Force bool
}

// Orphan is a source whose lease ran out while still claimed: its node
// died, hung or lost the database before it let go.
type Orphan struct {
	Source    string
	Node      string    // the node that held it
	CheckedAt time.Time // when it was last checked; zero if never
}

// Batch is one refresh of one source; zero fields do nothing.
type Batch struct {
	// Items are inserted when new and updated when changed. An item's
	// FirstSeen, Position-at-first-sight and Slug never change once stored,
	// nor its Published once it is released. An item whose ID another
	// source holds, or whose canonical link (feeds.CanonicalLink) another
	// item holds, is skipped: the first keeps it. A new item's Slug is made
	// unique by appending -2, -3, … in the order items are first stored.
	// Applied.Changed counts inserted and modified items.
	Items []feeds.Item
	// Remove deletes the source's items with these ids; ids of other
	// sources, and unknown ones, are ignored.
	Remove []string
	Retain *Retain
	State  *sources.State
	// List, for a list source (kind opml), is its answer: the
	// subscriptions of the list are replaced by the feeds it names, seen
	// ones keeping their names, and the others retired (see List).
	List *List
	// Hashes gives items of Items the hash of the story each was made from
	// (by id), kept with the item for StoryHashes; an item without one is
	// kept with none. A stored item whose content is the same but whose
	// hash is not gets the new hash, which changes no content: it is not
	// counted in Applied.Changed and leaves Version as it was.
	Hashes map[string]string
	// Files saves fingerprints of the source's story files after the items
	// are written, each replacing the one of its path; Unfile deletes
	// those of these paths first. A file one of whose items is skipped
	// because another source or item holds its id or link is saved
	// without its Hash, so that it is read again next time: the holder may
	// let go of it. Neither changes Version.
	Files  []FileStamp
	Unfile []string
	// Holder, in a store that leases sources to nodes (store/postgres),
	// writes the batch only while that node still holds the source's
	// lease, else fails with ErrLeaseLost; stores without leases ignore it.
	Holder string
	// Release, with a Holder, lets go of the lease in the same write: the
	// refresh ends with it, and a node saves a round trip per refresh.
	Release bool
}

// Dated asks whether Source holds an item published in [From, Before); a
// zero From has no lower bound.
type Dated struct {
	Source       string
	From, Before time.Time
}

// SourceBatch is one source's Batch in a group written at once.
type SourceBatch struct {
	Source string
	Batch  Batch
}

// Retain prunes a source's items that outlived the upstream window: items
// not in Keep that were published before Before, or that fall beyond the
// newest MaxItems. A zero Before or MaxItems disables that limit.
type Retain struct {
	Keep     []string // ids in the upstream's current window: never pruned
	Before   time.Time
	MaxItems int
}

// FileStamp is a story file's fingerprint as a store keeps it: the
// source's, and the rules the file's items were made under, which the
// store keeps without reading.
type FileStamp struct {
	sources.FileStamp
	Rules string
}

// Applied counts what a Batch did.
type Applied struct {
	Changed, Removed, Pruned int
}

// Query selects items. The zero Query selects every released item.
type Query struct {
	Source string // only this source; empty for all
	// Language selects items whose tag equals it or starts with it plus "-"
	// (RFC 4647 basic filtering), ignoring case; empty for all.
	Language    string
	Limit       int  // at most this many; 0 for no limit
	IncludeHeld bool // include embargoed items
	// Unlinked selects only items with no Link of their own: the ones that
	// get a permalink page.
	Unlinked bool
	// IDs, when not nil, selects only items with one of these ids.
	IDs []string
	// LinkKeys, when not nil, selects only items whose canonical link
	// (feeds.CanonicalLink) is one of these.
	LinkKeys []string
	// ExceptFiles leaves out items whose File is one of these: a story
	// folder's files that did not change.
	ExceptFiles []string
	// Stored orders the items as they were first stored (by Seq), oldest
	// first, instead of newest first.
	Stored bool
	// NoContent leaves Content empty: for reads that choose items, not
	// render them.
	NoContent bool
	// Sparse fills only what choosing items by language, source and
	// category needs: ID, Source, Language, Categories, Published,
	// Updated, FirstSeen, Held, Seq and Rev. A read of the whole store
	// then holds a fraction of it.
	Sparse bool
	// TranslationKeys, when not nil, selects only items whose
	// TranslationKey is one of these: the translations publish links.
	TranslationKeys []string
	// PublishedFrom and PublishedBefore, when not zero, keep items
	// published at or after From and before Before: with Limit 1, whether
	// a source holds any item of a date range, read from the index alone.
	PublishedFrom, PublishedBefore time.Time
}

// What store calls are for, as a store that counts its round trips counts
// them (WithPurpose); a call not marked counts as PurposeOther.
const (
	PurposeClaim   = "claim"   // leasing sources, with what a refresh reads
	PurposeWrite   = "write"   // storing refreshes, lifting embargoes
	PurposeLease   = "lease"   // renewing and letting go of leases, looking for expired ones
	PurposeGate    = "gate"    // per-host slots
	PurposeCluster = "cluster" // listening, leading, health
	PurposePublish = "publish" // writing the output
	PurposeOther   = "other"
)

// Purposes lists every purpose, in the order counts are reported.
func Purposes() []string {
	return []string{PurposeClaim, PurposeWrite, PurposeLease, PurposeGate, PurposeCluster, PurposePublish, PurposeOther}
}

// purposeKey carries what a store call is for (WithPurpose).
type purposeKey struct{}

// WithPurpose marks the store calls made with ctx as made for purpose (a
// word such as "publish"), so that a store that counts its round trips
// (store/postgres) counts them under it.
func WithPurpose(ctx context.Context, purpose string) context.Context {
	return context.WithValue(ctx, purposeKey{}, purpose)
}

// Purpose is what WithPurpose marked ctx with, or def.
func Purpose(ctx context.Context, def string) string {
	if p, ok := ctx.Value(purposeKey{}).(string); ok {
		return p
	}
	return def
}
