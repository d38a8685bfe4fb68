-- feedloom store, schema version 3: what publishing wrote.

-- publish_manifests holds one store.Manifest per publisher key (a node's
-- output folder): the content version and settings fingerprint the folder
-- was rendered from, and its files (JSON: path, size, hash, stamp), so that
-- a publish of an unchanged store checks the files instead of rendering
-- them.
CREATE TABLE publish_manifests (
	key         TEXT    PRIMARY KEY,
	version     INTEGER NOT NULL,
	fingerprint TEXT    NOT NULL,
	files       TEXT    NOT NULL
);
