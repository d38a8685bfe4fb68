-- feedloom store, schema version 4: what a refresh needs to skip the work
-- it did before.

-- source_files holds the fingerprint of each story file a files source read
-- (size, modification time in unix nanoseconds, hex SHA-256 of the content,
-- empty for a file to read again), and the rules its items were made under:
-- a file whose fingerprint holds is not read again.
CREATE TABLE source_files (
	source TEXT    NOT NULL,
	path   TEXT    NOT NULL,
	size   INTEGER NOT NULL,
	mtime  INTEGER NOT NULL,
	hash   TEXT    NOT NULL,
	rules  TEXT    NOT NULL,
	PRIMARY KEY (source, path)
) WITHOUT ROWID;

-- story_hash is the hash of the upstream story an item was made from, with
-- the rules it was made under; empty when none was kept. A story whose hash
-- is stored is not normalized again.
ALTER TABLE items ADD COLUMN story_hash TEXT NOT NULL DEFAULT '';
-- items_story serves StoryHashes from the index alone: a refresh reads a
-- source's hashes without reading its items.
CREATE INDEX items_story ON items (source, story_hash, id);
