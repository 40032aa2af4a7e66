// cdk-diff.js: AWS CDK's template diff (@aws-cdk/cloudformation-diff) on two
// CloudFormation JSON templates, as the peer of hinagata diff (bench/diff.sh,
// tests/cli/diff.sh). Usage: node bench/cdk-diff.js BEFORE AFTER
// Prints {"changed": [logical IDs], "replaced": [logical IDs], "ms": time of
// the diff itself}: the resources it reports as different, and those whose
// change impact is WILL_REPLACE. The module is found through NODE_PATH
// (tests/tools/node_modules, which scripts/setup-deps.sh --test fills).
'use strict';
const fs = require('fs');
const { fullDiff } = require('@aws-cdk/cloudformation-diff');

const before = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const after = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const start = process.hrtime.bigint();
const diff = fullDiff(before, after);
const changed = [];
const replaced = [];
diff.resources.forEachDifference((id, change) => {
  changed.push(id);
  if (change.changeImpact === 'WILL_REPLACE') replaced.push(id);
});
const ms = Number(process.hrtime.bigint() - start) / 1e6;
changed.sort();
replaced.sort();
process.stdout.write(JSON.stringify({ changed, replaced, ms }) + '\n');
