-- 0004-shard-results.sql: schema version 4 (PostgreSQL dialect): the results
-- of a fleet's shards, kept until every shard of their night is in the
-- store. Part of hinagata; see LICENSE. The same step as
-- schemas/history/sqlite/0004-shard-results.sql (which says why).

CREATE TABLE shard_result (
	date TEXT COLLATE "C" NOT NULL,
	ref TEXT COLLATE "C" NOT NULL,
	count BIGINT NOT NULL,
	shard BIGINT NOT NULL,
	input_key TEXT COLLATE "C" NOT NULL,
	label TEXT COLLATE "C",
	body TEXT COLLATE "C",
	run BIGINT,
	PRIMARY KEY (date, ref, count, shard)
);
CREATE INDEX shard_result_waiting ON shard_result (date) WHERE run IS NULL;
