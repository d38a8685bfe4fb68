-- feedloom store on PostgreSQL, schema version 1.
--
-- Keys that are compared or ordered (ids, slugs, links, language tags,
-- source names) use the "C" collation: byte order, as in SQLite, whatever
-- the database's default locale. Times are timestamptz to the second.

-- items holds every stored item. link_key is feeds.CanonicalLink of a
-- non-empty link and slug is NULL when the item has none, so that UNIQUE
-- binds only the items that have one. extra holds the list-valued fields
-- (authors, categories, enclosures) with image and origin, as JSON text
-- kept byte for byte (json, not jsonb), so an unchanged item compares equal.
CREATE TABLE items (
	id         text COLLATE "C" PRIMARY KEY CHECK (id <> ''),
	source     text COLLATE "C" NOT NULL CHECK (source <> ''),
	file       text        NOT NULL,
	position   bigint      NOT NULL,
	link       text        NOT NULL,
	link_key   text COLLATE "C" UNIQUE,
	lang_key   text COLLATE "C" NOT NULL,
	language   text        NOT NULL,
	title      text        NOT NULL,
	summary    text        NOT NULL,
	content    text        NOT NULL,
	published  timestamptz NOT NULL,
	updated    timestamptz NOT NULL,
	first_seen timestamptz NOT NULL,
	slug       text COLLATE "C" UNIQUE,
	held       boolean     NOT NULL,
	extra      json        NOT NULL
);

-- items_feed serves Items: released items, newest first, then by id.
CREATE INDEX items_feed ON items (published DESC, id) WHERE NOT held;
-- items_source serves one source's items, held ones included, in the same
-- order: what a refresh reads and what retention counts.
CREATE INDEX items_source ON items (source, published DESC, id);
-- items_held serves Release.
CREATE INDEX items_held ON items (published) WHERE held;

-- sources holds each source's fetch state; a zero time is NULL. claimed_by
-- and lease_until belong to the node that is fetching the source: SaveState
-- never writes them.
CREATE TABLE sources (
	name           text COLLATE "C" PRIMARY KEY,
	url            text        NOT NULL,
	configured_url text        NOT NULL,
	etag           text        NOT NULL,
	last_modified  text        NOT NULL,
	checked_at     timestamptz,
	last_success   timestamptz,
	last_error     text        NOT NULL,
	failures       integer     NOT NULL,
	next_due       timestamptz,
	claimed_by     text,
	lease_until    timestamptz
);

-- sources_due serves claiming the sources that are due.
CREATE INDEX sources_due ON sources (next_due);

-- meta holds store-wide values such as the first-run date.
CREATE TABLE meta (
	key   text COLLATE "C" PRIMARY KEY,
	value text NOT NULL
);

-- versions holds counters that other nodes compare to see a change. content
-- is bumped by every transaction that changes items.
CREATE TABLE versions (
	name    text COLLATE "C" PRIMARY KEY,
	version bigint NOT NULL
);
INSERT INTO versions (name, version) VALUES ('content', 0);
