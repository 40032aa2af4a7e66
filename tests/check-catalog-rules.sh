#!/bin/sh
# check-catalog-rules.sh: the catalog says what enforces each control that
# no template implements; where it says "checked by hinagata check rules",
# a rule of its profile must name it, and every rule's control must be one
# the catalog lists for that profile. Usage: check-catalog-rules.sh TOP
set -eu
top=$(cd "$1" && pwd)
. "$(dirname "$0")/py.sh"
py=$(py_with yaml) || exit 1
exec "$py" - "$top" <<'PY'
import os, sys
import yaml

top = sys.argv[1]
catalog = yaml.safe_load(open(os.path.join(top, "templates/controls.yaml"), encoding="utf-8"))["controls"]
rules = {}
for name in ("gc-aws", "gc-azure"):
    doc = yaml.safe_load(open(os.path.join(top, "templates/profiles/%s.yaml" % name), encoding="utf-8"))
    rules[name] = {r["control"] for r in doc.get("rules", [])}
bad = 0
for cid, c in sorted(catalog.items()):
    outside = (c.get("enforced_outside") or {}).get("en", "")
    if "hinagata check" in outside and cid not in rules.get(c["profile"], set()):
        print("FAIL: %s: the catalog says rules check it, but no rule of %s names it" % (cid, c["profile"]))
        bad += 1
for profile, ids in sorted(rules.items()):
    for cid in sorted(ids):
        if cid not in catalog or catalog[cid]["profile"] != profile:
            print("FAIL: a rule of %s names %s, which the catalog does not list for it" % (profile, cid))
            bad += 1
checked = sum(len(v) for v in rules.values())
print("catalog and rules agree: %d controls checked by rules" % checked if not bad else "%d problems" % bad)
sys.exit(1 if bad else 0)
PY
