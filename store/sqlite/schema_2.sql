-- feedloom store, schema version 2: what publishing reads without reading
-- every item, and the content version.

-- items_unlinked serves Items with Unlinked: the items without a link of
-- their own, which get permalink pages, are few beside the linked ones.
CREATE INDEX items_unlinked ON items (held, published DESC, id) WHERE link = '';
-- items_updated serves Newest: the latest updated time of released items
-- without reading the items (items_feed gives the latest published).
CREATE INDEX items_updated ON items (held, updated);

-- versions holds counters that readers compare to see a change. content is
-- raised by every committed transaction that changes items.
CREATE TABLE versions (
	name    TEXT    PRIMARY KEY,
	version INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO versions (name, version) VALUES ('content', 0);
