-- 0002-control-month.sql: schema version 2 (SQLite dialect): each control's
-- status at the end of each month, and the titles of the clouds' controls.
-- Part of hinagata; see LICENSE. docs/history.md, "The score".
--
-- A month's score is over the last status of each control on each account
-- within the month. Found from control_day alone, that is one search per
-- (account, source, control) over every night: 1,000 accounts x 31 nights
-- x ~30 controls made the monthly report, with its twelve-month trend,
-- too slow to be the operator's everyday tool. Recordings now also keep the
-- month's latest status in control_month (same merge rule as control_day);
-- this step fills it for the months recorded before.

CREATE TABLE control_month (
	month TEXT NOT NULL,             -- YYYY-MM
	account TEXT NOT NULL,
	source TEXT NOT NULL,
	control TEXT NOT NULL,
	severity TEXT NOT NULL,
	status TEXT NOT NULL,            -- passed, failed, unknown
	date TEXT NOT NULL,              -- the night it is from
	run INTEGER NOT NULL,
	PRIMARY KEY (month, account, source, control)
) WITHOUT ROWID;

INSERT INTO control_month (month, account, source, control, severity, status, date, run)
SELECT substr(c.date, 1, 7), c.account, c.source, c.control, c.severity, c.status, c.date, c.run
FROM control_day c
WHERE c.date = (
	SELECT max(l.date) FROM control_day l
	WHERE l.account = c.account AND l.source = c.source AND l.control = c.control
	AND l.date >= substr(c.date, 1, 7) || '-01' AND l.date <= substr(c.date, 1, 7) || '-31');

-- The title of a control a cloud reports (Security Hub's control title,
-- Defender's recommendation), for the report's table of controls: a control
-- that only ever passed has no finding to take it from. The catalog's
-- controls take their titles from the catalog.
CREATE TABLE control (
	source TEXT NOT NULL,
	control TEXT NOT NULL,
	title TEXT NOT NULL,
	PRIMARY KEY (source, control)
) WITHOUT ROWID;
