-- feedloom store on PostgreSQL, schema version 4: what publishing wrote.

-- publish_manifests holds one store.Manifest per publisher key (a node's
-- output folder; nodes share the database, each has its own folder): the
-- content version and settings fingerprint the folder was rendered from,
-- and its files (JSON: path, size, hash, stamp), so that a publish of an
-- unchanged store checks the files instead of rendering them.
CREATE TABLE publish_manifests (
	key         text   PRIMARY KEY,
	version     bigint NOT NULL,
	fingerprint text   NOT NULL,
	files       text   NOT NULL
);
