-- feedloom store, schema version 1. Times are unix seconds (UTC).

-- items holds every stored item. link_key is feeds.CanonicalLink of a
-- non-empty link and slug is NULL when the item has none, so that UNIQUE
-- binds only the items that have one. extra holds the list-valued fields
-- (authors, categories, enclosures) with image and origin, as JSON.
CREATE TABLE items (
	id         TEXT    PRIMARY KEY CHECK (id <> ''),
	source     TEXT    NOT NULL CHECK (source <> ''),
	file       TEXT    NOT NULL,
	position   INTEGER NOT NULL,
	link       TEXT    NOT NULL,
	link_key   TEXT    UNIQUE,
	lang_key   TEXT    NOT NULL,
	language   TEXT    NOT NULL,
	title      TEXT    NOT NULL,
	summary    TEXT    NOT NULL,
	content    TEXT    NOT NULL,
	published  INTEGER NOT NULL,
	updated    INTEGER NOT NULL,
	first_seen INTEGER NOT NULL,
	slug       TEXT    UNIQUE,
	held       INTEGER NOT NULL CHECK (held IN (0, 1)),
	extra      TEXT    NOT NULL CHECK (json_valid(extra))
);

-- items_feed serves Items: released items, newest first, then by id.
CREATE INDEX items_feed ON items (held, published DESC, id);
-- items_source serves one source's items, held ones included, in the same
-- order: what a refresh reads before it normalizes.
CREATE INDEX items_source ON items (source, published DESC, id);

-- sources holds each source's fetch state; a zero time is NULL.
CREATE TABLE sources (
	name          TEXT    PRIMARY KEY,
	url           TEXT    NOT NULL,
	configured_url TEXT   NOT NULL,
	etag          TEXT    NOT NULL,
	last_modified TEXT    NOT NULL,
	checked_at    INTEGER,
	last_success  INTEGER,
	last_error    TEXT    NOT NULL,
	failures      INTEGER NOT NULL,
	next_due      INTEGER
) WITHOUT ROWID;

-- meta holds store-wide values such as the first-run date.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
