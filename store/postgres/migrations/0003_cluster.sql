-- feedloom store on PostgreSQL, schema version 3: what a cluster of nodes
-- reads to share the work.

-- sources_leased serves Orphans: the claimed rows, which a live node keeps
-- to the few it is fetching.
CREATE INDEX sources_leased ON sources (lease_until) WHERE claimed_by IS NOT NULL;
