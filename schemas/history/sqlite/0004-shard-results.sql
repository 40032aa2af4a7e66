-- 0004-shard-results.sql: schema version 4 (SQLite dialect): the results of
-- a fleet's shards, kept until every shard of their night is in the store.
-- Part of hinagata; see LICENSE. docs/history.md, "Shards of a night";
-- docs/fleet.md.
--
-- A fleet's nightly drift run is split into N shards (drift --shard I/N),
-- each writing its own result. Recorded one by one they would make N runs
-- of one night, and a template deployed in no account of a shard would be
-- not checked there though another shard compared it. So a shard's result
-- waits here, one row per shard of a night (date, revision, count), until
-- all N are in; then they are recorded together as one drift run, the run
-- an unsharded night would have made, and their bodies are dropped (the
-- rows stay: a shard imported or run again counts once). A night whose
-- shards do not all arrive is recorded with those that did before a later
-- night is (its missing accounts not checked that night).

CREATE TABLE shard_result (
	date TEXT NOT NULL,              -- the night
	ref TEXT NOT NULL,               -- the revision of the desired state ('' when none)
	count INTEGER NOT NULL,          -- N: the shards of the night
	shard INTEGER NOT NULL,          -- this one, 1..N
	input_key TEXT NOT NULL,         -- drift:XXH3 of the result's bytes
	label TEXT,                      -- the file it was imported from, for people
	body TEXT,                       -- the result (drift JSON) while its night waits; NULL after
	run INTEGER,                     -- the run that recorded the night; NULL while it waits
	PRIMARY KEY (date, ref, count, shard)
) WITHOUT ROWID;
CREATE INDEX shard_result_waiting ON shard_result (date) WHERE run IS NULL;
