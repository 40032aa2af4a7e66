-- 0001-initial.sql: the history store, schema version 1 (SQLite dialect).
-- Part of hinagata; see LICENSE. docs/history.md describes every table.
--
-- Applied by history/store.c inside one write transaction, together with
-- PRAGMA user_version = 1; a file at version 0 that holds no table is a new
-- store. The statements are the only place the layout is written down: the
-- code reads and writes these columns by name, and a later layout is a new
-- file (0002-...sql) that upgrades this one in place.

-- One recording: a drift or check run, or an import of the clouds' findings.
CREATE TABLE run (
	id INTEGER PRIMARY KEY,
	source TEXT NOT NULL,            -- drift, check, securityhub, defender
	date TEXT NOT NULL,              -- YYYY-MM-DD: the night the run stands for
	recorded_at TEXT NOT NULL,       -- when it was recorded (UTC, ISO 8601)
	tool TEXT NOT NULL,              -- hinagata version
	ref TEXT,                        -- git revision of the desired state
	input_key TEXT UNIQUE,           -- XXH3 of an imported input: imported once
	label TEXT,                      -- what was read, for people
	accounts INTEGER NOT NULL DEFAULT 0,
	units INTEGER NOT NULL DEFAULT 0,
	resources INTEGER NOT NULL DEFAULT 0,
	checked INTEGER NOT NULL DEFAULT 0,
	properties INTEGER NOT NULL DEFAULT 0,
	properties_checked INTEGER NOT NULL DEFAULT 0,
	in_sync INTEGER NOT NULL DEFAULT 0,
	modified INTEGER NOT NULL DEFAULT 0,
	deleted INTEGER NOT NULL DEFAULT 0,
	unmanaged INTEGER NOT NULL DEFAULT 0,
	not_checked INTEGER NOT NULL DEFAULT 0,
	observed INTEGER NOT NULL DEFAULT 0, -- findings seen (active or suppressed)
	opened INTEGER NOT NULL DEFAULT 0,   -- of them new or reopened
	resolved INTEGER NOT NULL DEFAULT 0, -- findings this run resolved
	suppressed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX run_source_date ON run (source, date);
CREATE INDEX run_date ON run (date);

-- The accounts and stacks (units) a run covered, with their coverage.
CREATE TABLE run_unit (
	run INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	account TEXT NOT NULL,
	region TEXT NOT NULL,
	unit TEXT NOT NULL,              -- stack, deployment, checked file; '' for the unmanaged
	resources INTEGER NOT NULL,
	checked INTEGER NOT NULL,
	PRIMARY KEY (run, account, region, unit)
) WITHOUT ROWID;

-- The template versions a run found deployed per account, and the newest
-- version on the search path when it was recorded.
CREATE TABLE run_template (
	run INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	account TEXT NOT NULL,
	template TEXT NOT NULL,
	version TEXT NOT NULL,
	mandatory INTEGER NOT NULL,
	newest TEXT,
	PRIMARY KEY (run, account, template, version)
) WITHOUT ROWID;

-- A finding and its current state. key is the stable ID (XXH3-64 of source,
-- account, region, resource, control and aspect, in hex).
CREATE TABLE finding (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE,
	source TEXT NOT NULL,
	kind TEXT NOT NULL,              -- drift, violation, check, cloud
	account TEXT NOT NULL,
	region TEXT NOT NULL,
	resource TEXT NOT NULL,
	type TEXT,
	unit TEXT,
	control TEXT,
	aspect TEXT NOT NULL,            -- property path, DELETED, UNMANAGED, deployed, template, ...
	severity TEXT NOT NULL,
	controls TEXT,                   -- drift: the controls of the resource, space-separated
	fails INTEGER NOT NULL,          -- 1: counts against its control in the score
	title TEXT,
	detail TEXT,
	status TEXT NOT NULL,            -- new, open, reopened, suppressed, resolved
	status_date TEXT NOT NULL,
	first_seen TEXT NOT NULL,
	suppress_reason TEXT,
	suppress_expires TEXT
);
CREATE INDEX finding_account ON finding (source, account, status);

-- When a finding was last seen and in how many runs: apart from the finding,
-- because every night changes it for every finding still there. These rows
-- are small, so a night that sees 50,000 findings rewrites a few hundred
-- pages, not the thousands the findings' texts fill.
CREATE TABLE finding_seen (
	finding INTEGER PRIMARY KEY REFERENCES finding (id) ON DELETE CASCADE,
	last_seen TEXT NOT NULL,
	seen INTEGER NOT NULL
);

-- A finding in a run: seen (with its status then) or resolved by it.
CREATE TABLE event (
	finding INTEGER NOT NULL REFERENCES finding (id) ON DELETE CASCADE,
	run INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	date TEXT NOT NULL,
	status TEXT NOT NULL,
	reason TEXT,                     -- suppressed: the reason and expiry
	expires TEXT,
	PRIMARY KEY (finding, run)
) WITHOUT ROWID;
-- The month's openings and resolutions (the report's lists): the other
-- events, a finding seen again, need no index but their finding's.
CREATE INDEX event_status_date ON event (status, date) WHERE status IN ('new', 'reopened', 'resolved');

-- The status of a control on an account as a night left it (the score's
-- unit): passed, failed or unknown; controls without data have no row.
CREATE TABLE control_day (
	date TEXT NOT NULL,
	account TEXT NOT NULL,
	source TEXT NOT NULL,
	control TEXT NOT NULL,
	severity TEXT NOT NULL,
	status TEXT NOT NULL,
	run INTEGER NOT NULL,
	PRIMARY KEY (date, account, source, control)
) WITHOUT ROWID;
