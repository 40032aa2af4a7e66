-- 0002-control-month.sql: schema version 2 (PostgreSQL dialect): each
-- control's status at the end of each month, and the titles of the clouds'
-- controls. Part of hinagata; see LICENSE. The same step as
-- schemas/history/sqlite/0002-control-month.sql (which says why).

CREATE TABLE control_month (
	month TEXT COLLATE "C" NOT NULL,
	account TEXT COLLATE "C" NOT NULL,
	source TEXT COLLATE "C" NOT NULL,
	control TEXT COLLATE "C" NOT NULL,
	severity TEXT COLLATE "C" NOT NULL,
	status TEXT COLLATE "C" NOT NULL,
	date TEXT COLLATE "C" NOT NULL,
	run BIGINT NOT NULL,
	PRIMARY KEY (month, account, source, control)
);

INSERT INTO control_month (month, account, source, control, severity, status, date, run)
SELECT substr(c.date, 1, 7), c.account, c.source, c.control, c.severity, c.status, c.date, c.run
FROM control_day c
WHERE c.date = (
	SELECT max(l.date) FROM control_day l
	WHERE l.account = c.account AND l.source = c.source AND l.control = c.control
	AND l.date >= substr(c.date, 1, 7) || '-01' AND l.date <= substr(c.date, 1, 7) || '-31');

CREATE TABLE control (
	source TEXT COLLATE "C" NOT NULL,
	control TEXT COLLATE "C" NOT NULL,
	title TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (source, control)
);
