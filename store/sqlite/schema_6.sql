-- feedloom store, schema version 6: what lets a check answered 304 skip
-- looking for items that aged out (Dated).

-- horizon_from is the age cutoff of the last write that changed a source's
-- items with one (a feed's refresh under retention.max_age), and horizon is
-- the earliest publication time of its items at or after that cutoff, NULL
-- when it has none. No item of the source is dated in [horizon_from,
-- horizon) until its items next change, and that write sets both again or
-- clears them. horizon_from NULL: nothing is known, Dated looks.
ALTER TABLE sources ADD COLUMN horizon_from INTEGER;
ALTER TABLE sources ADD COLUMN horizon INTEGER;
