#!/bin/sh
# check-catalog-rules.sh: every control of the catalog is covered.
#  - Each control is implemented by a template (implemented_by, whose
#    templates exist in templates/ and list the control), or the catalog
#    names what enforces it outside templates, and that must be one of the
#    known mechanisms (the Digital Agency's Control Tower and SCPs or Azure
#    Policy, which user templates cannot change; the rules of hinagata
#    check; hinagata drift); "not in the bundled templates" is no mechanism.
#  - Where it says "checked by hinagata check rules", a rule of its profile
#    names it, and every rule's control is one the catalog lists for that
#    profile.
#  - Every control is in docs/controls.md, the sources the catalog cites.
# Usage: check-catalog-rules.sh TOP
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
MECHANISMS = ("through Control Tower and SCPs", "through Azure Policy at its management groups",
              "checked by hinagata check rules", "by hinagata drift")
templates = {}
for sub in ("aws", "azure"):
    d = os.path.join(top, "templates", sub)
    for f in sorted(os.listdir(d)):
        doc = yaml.safe_load(open(os.path.join(d, f), encoding="utf-8"))
        templates[doc["template"]] = doc
docs = open(os.path.join(top, "docs/controls.md"), encoding="utf-8").read()
bad = 0
counts = {"template": 0, "rules": 0, "outside": 0}
for cid, c in sorted(catalog.items()):
    impl = c.get("implemented_by") or []
    outside = (c.get("enforced_outside") or {}).get("en", "")
    if cid not in docs:
        print("FAIL: %s is not in docs/controls.md, the sources the catalog cites" % cid)
        bad += 1
    if impl:
        counts["template"] += 1
        for i in impl:
            t = templates.get(i["template"])
            listed = t and (cid in (t.get("controls") or []) or any(
                cid in (r.get("controls") or []) for r in (t.get("resources") or {}).values()))
            if not t or i["resource"] not in (t.get("resources") or {}) or not listed:
                print("FAIL: %s: implemented_by %s %s, which is not a resource of a template that lists it"
                      % (cid, i["template"], i["resource"]))
                bad += 1
    elif not any(m in outside for m in MECHANISMS) or "not in the bundled" in outside:
        print("FAIL: %s: neither implemented by a template nor enforced by a named mechanism (%r)" % (cid, outside))
        bad += 1
    else:
        counts["rules" if "hinagata check" in outside else "outside"] += 1
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
print(("%d controls: %d implemented by templates, %d checked by rules, %d enforced outside templates; "
       "%d controls named by rules") % (len(catalog), counts["template"], counts["rules"], counts["outside"], checked)
      if not bad else "%d problems" % bad)
sys.exit(1 if bad else 0)
PY
