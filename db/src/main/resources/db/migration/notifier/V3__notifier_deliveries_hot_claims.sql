-- Every send updates its ledger row twice: the claim (pending -> sending) and the outcome
-- (sending -> sent). PostgreSQL can make an update heap-only (HOT: no new entry in any index)
-- only when no column an index reads changes, predicates included, and the page has room for the
-- new version. ix_deliveries_unfinished's predicate read `status`, so every claim wrote a new
-- entry into all six indexes (pg_stat_user_tables showed no HOT update at all in the benchmark).
--
-- `unfinished` is the same predicate as a stored column: a claim leaves it true, so the claim
-- touches no indexed column; only the step out of the unfinished set (sent, dead, skipped,
-- uncertain) still changes an index. The fill factor leaves each page room for its rows' claimed
-- versions (a claim batch updates neighbouring rows in one statement, before any can be pruned).

ALTER TABLE notifier_deliveries SET (fillfactor = 70);

ALTER TABLE notifier_deliveries
    ADD COLUMN unfinished boolean NOT NULL
        GENERATED ALWAYS AS (status IN ('pending', 'retry_wait', 'sending')) STORED;

DROP INDEX ix_deliveries_unfinished;

-- The reconciler's question, as before: which unfinished rows should be on the queue by now?
-- Queries must say `unfinished` (not the status list) for the planner to use it.
CREATE INDEX ix_deliveries_unfinished ON notifier_deliveries (next_attempt_at)
    WHERE unfinished;
