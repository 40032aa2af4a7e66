#!/bin/sh
# schema.sh: every bundled template, profile, the catalog and every sample
# validates against schemas/hinagata.schema.json, the JSON Schema editors use
# (yaml-language-server), and a broken template does not.
# Usage: schema.sh TOP
set -eu
top=$(cd "$1" && pwd)
. "$(dirname "$0")/../py.sh"
py=$(py_with jsonschema yaml) || exit 1
exec "$py" - "$top" <<'PY'
import glob, json, os, sys
import jsonschema, yaml

top = sys.argv[1]
schema = json.load(open(os.path.join(top, "schemas/hinagata.schema.json")))
jsonschema.Draft7Validator.check_schema(schema) if "draft-07" in schema.get("$schema", "") else None
validator = jsonschema.validators.validator_for(schema)(schema)
files = sorted(glob.glob(os.path.join(top, "templates/**/*.yaml"), recursive=True) +
               glob.glob(os.path.join(top, "samples/*/*.yaml")))
bad = 0
for f in files:
    doc = yaml.safe_load(open(f, encoding="utf-8"))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:3]:
        print("FAIL: %s: %s at %s" % (os.path.relpath(f, top), e.message, "/".join(map(str, e.path))))
    bad += bool(errors)
broken = {"hinagata": 1, "template": "t/x", "version": "1.0.0", "target": "gcp", "resourcez": {}}
if not list(validator.iter_errors(broken)):
    print("FAIL: a broken template validates")
    bad += 1
# .hinagata.yaml files against theirs (the golden case of a wrong one must fail).
cschema = json.load(open(os.path.join(top, "schemas/hinagata-config.schema.json")))
cvalid = jsonschema.validators.validator_for(cschema)(cschema)
configs = sorted(glob.glob(os.path.join(top, ".hinagata.yaml")) +
                 glob.glob(os.path.join(top, "tests/golden/*/.hinagata.yaml")))
for f in configs:
    errors = list(cvalid.iter_errors(yaml.safe_load(open(f, encoding="utf-8"))))
    if bool(errors) != ("invalid" in f):
        print("FAIL: %s: %s" % (os.path.relpath(f, top), errors[0].message if errors else "validates"))
        bad += 1
if bad:
    sys.exit(1)
print("schema: %d templates, profiles and samples validate; a broken one does not; "
      "%d .hinagata.yaml files as expected" % (len(files), len(configs)))
PY
