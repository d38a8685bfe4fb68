-- feedloom store, schema version 5: the order items were first stored in,
-- which archives and numbered pages are cut from, and a mark of each
-- item's last change, which tells a publish which of them it need not
-- render again.

-- seq numbers items in the order they were first stored and is never
-- reused, not even after the item with the highest is removed, since the
-- counter lives in versions. rev is the counter's value at the item's last
-- change. Items stored before this step are numbered by when they were
-- first seen.
ALTER TABLE items ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
UPDATE items SET seq = r.n, rev = r.n
FROM (SELECT id, row_number() OVER (ORDER BY first_seen, published, id) AS n FROM items) AS r
WHERE r.id = items.id;
INSERT INTO versions (name, version) VALUES ('item_seq', (SELECT count(*) FROM items));
CREATE UNIQUE INDEX items_seq ON items (seq);

-- The counter moves in the database itself, so every writer, whatever
-- statement it runs, numbers the same way.
CREATE TRIGGER items_seq_insert AFTER INSERT ON items
BEGIN
	UPDATE versions SET version = version + 1 WHERE name = 'item_seq';
	UPDATE items SET seq = (SELECT version FROM versions WHERE name = 'item_seq'),
		rev = (SELECT version FROM versions WHERE name = 'item_seq')
	WHERE id = NEW.id;
END;

-- A change of what an item shows (not of the hash of the story it was made
-- from) is a new rev. Release, which changes held, is one.
CREATE TRIGGER items_rev_update AFTER UPDATE OF file, link, language, title, summary, content,
	published, updated, held, extra ON items
BEGIN
	UPDATE versions SET version = version + 1 WHERE name = 'item_seq';
	UPDATE items SET rev = (SELECT version FROM versions WHERE name = 'item_seq') WHERE id = NEW.id;
END;
