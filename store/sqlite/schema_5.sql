-- feedloom store, schema version 5: the order items were first stored in,
-- which archives and numbered pages are cut from, and a mark of each
-- item's last change, which tells a publish which of them it need not
-- render again.

-- seq numbers items in the order they were first stored and is never
-- reused, not even after the item with the highest is removed, since the
-- counter lives in versions (item_seq): the write that inserts an item
-- takes the next value. rev is a value of the same counter taken at the
-- item's last change of what it shows (a release is one), not of the hash
-- of the story it was made from. Items stored before this step are
-- numbered by when they were first seen.
ALTER TABLE items ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
UPDATE items SET seq = r.n, rev = r.n
FROM (SELECT id, row_number() OVER (ORDER BY first_seen, published, id) AS n FROM items) AS r
WHERE r.id = items.id;
INSERT INTO versions (name, version) VALUES ('item_seq', (SELECT count(*) FROM items));
CREATE UNIQUE INDEX items_seq ON items (seq);
