-- feedloom store on PostgreSQL, schema version 5: what a refresh needs to
-- skip the work it did before.

-- source_files holds the fingerprint of each story file a files source read
-- (size, modification time in unix nanoseconds, hex SHA-256 of the content,
-- empty for a file to read again), and the rules its items were made under:
-- a file whose fingerprint holds is not read again.
CREATE TABLE source_files (
	source text   NOT NULL,
	path   text   NOT NULL,
	size   bigint NOT NULL,
	mtime  bigint NOT NULL,
	hash   text   NOT NULL,
	rules  text   NOT NULL,
	PRIMARY KEY (source, path)
);

-- story_hash is the hash of the upstream story an item was made from, with
-- the rules it was made under; empty when none was kept. A story whose hash
-- is stored is not normalized again.
ALTER TABLE items ADD COLUMN story_hash text NOT NULL DEFAULT '';
-- items_story serves StoryHashes from the index alone: a refresh reads a
-- source's hashes without reading its items.
CREATE INDEX items_story ON items (source, story_hash, id);
