#!/usr/bin/env python3
"""gen-aws-schemas.py: write schemas/aws/ from the cfn-lint package data.

cfn-lint (aws-cloudformation/cfn-lint, MIT-0) redistributes the
CloudFormation registry resource schemas per region. This script copies the
schemas deployed in Tokyo (ap-northeast-1), the Government Cloud's main
region, into one file per resource type, dropping only links
(sourceUrl, documentationUrl, $schema), and writes an index naming the
source and its version. Output is deterministic: sorted keys, compact.

Usage: scripts/gen-aws-schemas.py [OUTDIR]   (default: schemas/aws)
"""
import json
import os
import re
import sys

import cfnlint
import cfnlint.version as cfnlint_version

REGION = "ap_northeast_1"
DROP = {"sourceUrl", "documentationUrl", "$schema"}


def file_name(type_name):
    return type_name.lower().replace("::", "-") + ".json"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "schemas", "aws")
    base = os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas")
    with open(os.path.join(base, "providers", REGION + ".py"), encoding="utf-8") as f:
        src = f.read()
    types = dict(re.findall(r'"([A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+)": "([0-9a-f]+)"', src))
    os.makedirs(os.path.join(out, "resources"), exist_ok=True)
    index = {}
    for name in sorted(types):
        with open(os.path.join(base, "resources", types[name] + ".json"), encoding="utf-8") as f:
            schema = json.load(f)
        for k in DROP:
            schema.pop(k, None)
        fn = file_name(name)
        index[name] = fn
        with open(os.path.join(out, "resources", fn), "w", encoding="utf-8") as f:
            json.dump(schema, f, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            f.write("\n")
    # Which attributes Fn::GetAtt accepts beyond readOnlyProperties: facts
    # cfn-lint keeps beside the schemas (types whose every property is an
    # attribute, and per-type extra attribute names).
    from cfnlint.schema import _getatts
    getatt = {
        "all_properties": sorted(t for t in _getatts._all_property_types if t in types),
        "extra": {t: sorted(v) for t, v in sorted(_getatts._exceptions.items()) if t in types},
    }
    meta = {
        "getatt": getatt,
        "source": "cfn-lint package data, cfnlint/data/schemas/providers/%s.py" % REGION,
        "cfn_lint_version": cfnlint_version.__version__,
        "region": REGION.replace("_", "-"),
        "generator": "scripts/gen-aws-schemas.py",
        "types": index,
    }
    with open(os.path.join(out, "index.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, sort_keys=True, indent=1, ensure_ascii=False)
        f.write("\n")
    print("%d resource types written to %s" % (len(index), out))


if __name__ == "__main__":
    main()
