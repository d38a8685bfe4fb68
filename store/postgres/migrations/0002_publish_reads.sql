-- feedloom store on PostgreSQL, schema version 2: what publishing reads
-- without reading every item.

-- items_unlinked serves Items with Unlinked: the released items without a
-- link of their own, which get permalink pages, are few beside the linked
-- ones.
CREATE INDEX items_unlinked ON items (published DESC, id) WHERE NOT held AND link = '';
-- items_updated serves Newest: the latest updated time of released items
-- without reading the items (items_feed gives the latest published).
CREATE INDEX items_updated ON items (updated) WHERE NOT held;
