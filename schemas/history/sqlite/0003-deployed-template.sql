-- 0003-deployed-template.sql: schema version 3 (SQLite dialect): the
-- template each stack or deployment was deployed with, as a run saw it
-- (three-way drift, docs/drift.md "Three-way drift"). Part of hinagata; see
-- LICENSE. docs/history.md, "Deployments".
--
-- deployed_hash is hinagata's hash of the deployed template's canonical JSON
-- (XXH3, 16 hex digits: the drift JSON report's deployedTemplates[].hash),
-- the same for the same template however it is laid out; template_hash is
-- Azure's templateHash of a deployment (az deployment group|sub show), NULL
-- on AWS. Both NULL: the run had no deployed template for the unit (runs
-- recorded before this version, or a collector that did not save it). A
-- change of deployed_hash from one night to the next is a deployment.

ALTER TABLE run_unit ADD COLUMN deployed_hash TEXT;
ALTER TABLE run_unit ADD COLUMN template_hash TEXT;
