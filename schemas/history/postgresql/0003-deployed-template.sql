-- 0003-deployed-template.sql: schema version 3 (PostgreSQL dialect): the
-- template each stack or deployment was deployed with, as a run saw it.
-- Part of hinagata; see LICENSE. The same step as
-- schemas/history/sqlite/0003-deployed-template.sql (which says why).

ALTER TABLE run_unit ADD COLUMN deployed_hash TEXT COLLATE "C";
ALTER TABLE run_unit ADD COLUMN template_hash TEXT COLLATE "C";
