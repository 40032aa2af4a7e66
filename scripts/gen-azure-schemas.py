#!/usr/bin/env python3
"""gen-azure-schemas.py: write schemas/azure/ from Microsoft's ARM schemas.

Source: a checkout (or bare mirror) of github.com/Azure/azure-resource-manager-schemas,
the JSON schemas ARM template validation uses, one file per provider and API
version (schemas/<api-version>/<Provider>[.<Group>].json). For every
type@api-version listed in scripts/azure-types.txt this writes one file with
the resource body's schema, simplified for hinagata's checker:

- the "expression" alternative that every property carries
  (oneOf [X, common/definitions.json#/definitions/expression]) is dropped:
  hinagata types its own ${...} expressions;
- descriptions, child `resources`, and the `type`/`apiVersion` keys (they come
  from the type@api-version written in the template) are dropped;
- definitions are kept only if reachable, with local $refs.

It also writes index.json: the source repository and commit, the scopes each
type can be deployed at, and every API version the source knows for the
types' providers (for "did you mean" on a wrong version).

Usage: scripts/gen-azure-schemas.py SCHEMAS_GIT_DIR [OUTDIR]
(SCHEMAS_GIT_DIR may be a bare repository; files are read with git show.)
"""
import json
import os
import re
import subprocess
import sys

EXPR = "https://schema.management.azure.com/schemas/common/definitions.json#/definitions/expression"
# Types that can extend another resource although the schema lists them
# only per scope (locks on a single resource, as Bicep's scope: allows).
EXTENDS_OTHERS = {"Microsoft.Authorization/locks"}
SCOPE_KEYS = {
    "resourceDefinitions": "resourceGroup",
    "subscription_resourceDefinitions": "subscription",
    "extension_resourceDefinitions": "extension",
    "managementGroup_resourceDefinitions": "managementGroup",
    "tenant_resourceDefinitions": "tenant",
}


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", repo] + list(args), check=True,
                          capture_output=True, text=True).stdout


def simplify(node):
    """Drop expression alternatives, descriptions and other noise."""
    if isinstance(node, list):
        return [simplify(x) for x in node]
    if not isinstance(node, dict):
        return node
    for key in ("oneOf", "anyOf"):
        if key in node:
            alts = [a for a in node[key] if not (isinstance(a, dict) and a.get("$ref") == EXPR)]
            if len(alts) == 1 and len(node) == 1 + ("description" in node):
                return simplify(alts[0])
            node = dict(node)
            node[key] = alts
    out = {}
    for k, v in node.items():
        if k in ("description", "x-ms-discriminator-value", "deprecated"):
            continue
        if k == "$ref" and v == EXPR:
            out["type"] = "string"
            continue
        out[k] = simplify(v)
    return out


def refs(node, acc):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/definitions/"):
            acc.add(r[len("#/definitions/"):])
        for v in node.values():
            refs(v, acc)
    elif isinstance(node, list):
        for v in node:
            refs(v, acc)


def main():
    repo = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(__file__), "..", "schemas", "azure")
    here = os.path.dirname(__file__)
    wanted = []
    with open(os.path.join(here, "azure-types.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                wanted.append(line)
    commit = git(repo, "rev-parse", "HEAD").strip()
    files = git(repo, "ls-tree", "-r", "--name-only", "HEAD", "schemas").split("\n")
    by_version = {}
    for p in files:
        m = re.match(r"schemas/(\d{4}-\d{2}-\d{2}[^/]*)/(Microsoft\.[A-Za-z0-9.]+)\.json$", p)
        if m:
            by_version.setdefault(m.group(1), []).append(p)
    providers = sorted({t.split("/")[0] for t in wanted})
    os.makedirs(os.path.join(out, "resources"), exist_ok=True)
    index = {"source": "github.com/Azure/azure-resource-manager-schemas", "commit": commit,
             "generator": "scripts/gen-azure-schemas.py", "types": {}, "versions": {}}
    cache = {}

    def load(path):
        if path not in cache:
            cache[path] = json.loads(git(repo, "show", "HEAD:" + path))
        return cache[path]

    # Every API version of every resource type of the providers we use.
    for version, paths in sorted(by_version.items()):
        for p in paths:
            provider = os.path.basename(p).split(".json")[0]
            if not any(provider == pr or provider.startswith(pr + ".") for pr in providers):
                continue
            doc = load(p)
            for key in SCOPE_KEYS:
                for d in doc.get(key, {}).values():
                    t = d.get("description")
                    if isinstance(t, str) and t.startswith("Microsoft."):
                        vs = index["versions"].setdefault(t, [])
                        if version not in vs:
                            vs.append(version)
    for t in index["versions"]:
        index["versions"][t].sort()

    for want in wanted:
        type_name, version = want.split("@")
        found = None
        scopes = []
        for p in sorted(by_version.get(version, [])):
            doc = load(p)
            for key, scope in SCOPE_KEYS.items():
                for d in doc.get(key, {}).values():
                    if d.get("description") == type_name:
                        found = (doc, d)
                        scopes.append(scope)
        if not found:
            sys.exit("not found in the source: " + want)
        doc, body = found
        body = simplify(body)
        props = dict(body.get("properties", {}))
        for k in ("type", "apiVersion", "resources"):
            props.pop(k, None)
        if "extension" in scopes or type_name in EXTENDS_OTHERS:
            # Extension resources (locks, diagnostic settings, policy
            # assignments) take the resource they extend as `scope`, a
            # key of the template language rather than of the API.
            props["scope"] = {"type": "string"}
        schema = {"typeName": type_name, "apiVersion": version, "scopes": sorted(set(scopes)),
                  "type": "object", "properties": props,
                  "required": [r for r in body.get("required", []) if r not in ("type", "apiVersion")],
                  "additionalProperties": False}
        need, seen = set(), set()
        refs(schema, need)
        defs = {}
        while need:
            name = need.pop()
            if name in seen:
                continue
            seen.add(name)
            d = doc.get("definitions", {}).get(name)
            if d is None:
                continue
            d = simplify(d)
            defs[name] = d
            refs(d, need)
        schema["definitions"] = dict(sorted(defs.items()))
        fn = want.lower().replace("/", "-").replace("@", "@") + ".json"
        index["types"][want] = fn
        with open(os.path.join(out, "resources", fn), "w", encoding="utf-8") as f:
            json.dump(schema, f, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            f.write("\n")
    with open(os.path.join(out, "index.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, sort_keys=True, indent=1, ensure_ascii=False)
        f.write("\n")
    print("%d types written to %s (source commit %s)" % (len(index["types"]), out, commit[:12]))


if __name__ == "__main__":
    main()
