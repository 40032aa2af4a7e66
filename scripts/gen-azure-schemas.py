#!/usr/bin/env python3
"""gen-azure-schemas.py: write schemas/azure/ from Microsoft's ARM schemas.

Source: a checkout (or bare mirror) of github.com/Azure/azure-resource-manager-schemas,
the JSON schemas ARM template validation uses, one file per provider and API
version (schemas/<api-version>/<Provider>[.<Group>].json). Every resource
type at every API version the source has is written, for every scope it can
be deployed at (25,000 type/version pairs; 263 MB of source JSON).

Stored compactly, one pack per provider namespace (schemas/azure/<provider>.jsonl,
lowercase), read lazily by compiler/schema.c:

- line 0, the header: {"provider": P, "types": {TYPE: LINE}};
- line LINE: the type's versions, [[VERSION, NODE, SCOPES], ...], where NODE
  is the line of the schema of the resource body and SCOPES letters: r
  resource group, s subscription, m management group, t tenant, e extension,
  u unknown. A type has one entry per version, or more when its body
  differs by scope;
- the other lines: schema nodes, one JSON object each, with references to
  other nodes as {"$ref": LINE} (an integer).
  The reader finds lines by counting newlines and parses only the header and
  the lines a template uses (a few of Microsoft.Network's 3,000).

The nodes are the source's definitions and resource bodies, simplified for
hinagata's checker and deduplicated across API versions and files:

- the "expression" alternative that every property carries
  (oneOf [X, common/definitions.json#/definitions/expression]) is dropped:
  hinagata types its own ${...} expressions and `check` passes ARM "[...]"
  expressions by;
- only the keywords the checker reads are kept (type, properties, required,
  additionalProperties, patternProperties, items, minItems, maxItems, enum,
  const, oneOf, anyOf, allOf, $ref): descriptions, patterns and lengths go;
- the `type`/`apiVersion` keys of a body (they come from the type@api-version
  written in the template) and its child `resources` are dropped; extension
  resources get `scope`, a key of the template languages;
- two definitions that are equal after that, including what they refer to
  (recursively, cycles included: partition refinement as in DFA
  minimization), are stored once. Most of an API version repeats the
  previous one, so this, not compression, is what keeps the packs small.

Microsoft's ARM schemas lag the API: they lack some types altogether (most
extension resources: guest configuration assignments, Sentinel onboarding,
Kubernetes extensions) and the newest versions of others. With a second
source, github.com/Azure/bicep-types-az (what Bicep itself knows: every
type@version of the REST API specs), the types and versions it knows that
the schemas lack are added with NODE 0, "exists, no schema": compile and
check then say what they could not check (HG3018, HG3019) instead of calling
a real type or version unknown. Only names, versions and writable scopes are
taken from it.

index.json records the sources' repositories and commits, the generator and
every provider's pack; types.txt every type name, one a line, read only to
suggest a name for an unknown type.

Usage: scripts/gen-azure-schemas.py SCHEMAS_GIT_DIR [BICEP_TYPES_GIT_DIR [OUTDIR]]
(either may be a bare repository; files are read with git cat-file.)
"""
import json
import os
import re
import subprocess
import sys

EXPR = "https://schema.management.azure.com/schemas/common/definitions.json#/definitions/expression"
BASE_URL = "https://schema.management.azure.com/schemas/"
# Types that can extend another resource although some versions' schemas list
# them only per scope (locks on a single resource, as Bicep's scope: allows).
EXTENDS_OTHERS = {"Microsoft.Authorization/locks"}
SCOPE_KEYS = [
    ("resourceDefinitions", "r"),
    ("subscription_resourceDefinitions", "s"),
    ("managementGroup_resourceDefinitions", "m"),
    ("tenant_resourceDefinitions", "t"),
    ("extension_resourceDefinitions", "e"),
    ("unknown_resourceDefinitions", "u"),
]
KEEP = {"type", "properties", "required", "additionalProperties", "patternProperties", "items",
        "minItems", "maxItems", "enum", "const", "oneOf", "anyOf", "allOf", "$ref"}
FILE_RE = re.compile(r"schemas/(\d{4}-\d{2}-\d{2}[^/]*)/([A-Za-z][A-Za-z0-9]*\.[A-Za-z0-9.]+)\.json$")
TYPE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*\.[A-Za-z0-9.]+/\S+$")


class Source:
    """A source repository's files, read through one git cat-file --batch."""

    def __init__(self, repo, top="schemas"):
        self.repo = repo
        self.commit = subprocess.run(["git", "--git-dir", repo, "rev-parse", "HEAD"],
                                     check=True, capture_output=True, text=True).stdout.strip()
        names = subprocess.run(["git", "--git-dir", repo, "ls-tree", "-r", "--name-only",
                                self.commit, top], check=True, capture_output=True,
                               text=True).stdout.split("\n")
        self.paths = set(n for n in names if n)
        self.proc = subprocess.Popen(["git", "--git-dir", repo, "cat-file", "--batch"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.cache = {}

    def load(self, path):
        """The parsed file, or None if the snapshot lacks it."""
        if path in self.cache:
            return self.cache[path]
        doc = None
        if path in self.paths:
            self.proc.stdin.write(("%s:%s\n" % (self.commit, path)).encode())
            self.proc.stdin.flush()
            head = self.proc.stdout.readline().decode().split()
            if len(head) == 3:
                data = self.proc.stdout.read(int(head[2]))
                self.proc.stdout.read(1)
                doc = json.loads(data.decode("utf-8-sig"))
        self.cache[path] = doc
        return doc


def simplify(node):
    """Drop expression alternatives and what the checker does not read."""
    if isinstance(node, list):
        return [simplify(x) for x in node]
    if not isinstance(node, dict):
        return node
    for key in ("oneOf", "anyOf"):
        if key in node:
            alts = [a for a in node[key] if not (isinstance(a, dict) and a.get("$ref") == EXPR)]
            rest = [k for k in node if k in KEEP and k != key]
            if len(alts) == 1 and not rest:
                return simplify(alts[0])
            node = dict(node)
            node[key] = alts
    out = {}
    for k, v in node.items():
        if k not in KEEP:
            continue
        if k == "$ref" and v == EXPR:
            out["type"] = "string"
        elif k in ("properties", "patternProperties") and isinstance(v, dict):
            out[k] = {pk: simplify(pv) for pk, pv in v.items()}
        elif k in ("enum", "required", "const", "type", "minItems", "maxItems"):
            out[k] = v
        else:
            out[k] = simplify(v)
    return out


class Graph:
    """Schema nodes keyed by (file, definition) or (file, scope key, name)."""

    def __init__(self, src, models):
        self.src = src
        self.models = models  # from bicep-types-az (empty without it)
        self.label = {}   # key -> canonical text with references as {"$ref": i}
        self.edges = {}   # key -> [key] in the order of the placeholders
        self.missing = 0
        self.opened = 0   # extensible enums opened
        self.unmatched = 0  # models Bicep's types do not name
        self.added = 0      # properties only Bicep's types have
        self.namespaces = {}

    def namespace(self, path):
        """The provider namespace of a source file (from its types' names)."""
        if path not in self.namespaces:
            doc = self.src.load(path) or {}
            ns = None
            for skey, _ in SCOPE_KEYS:
                for d in doc.get(skey, {}).values():
                    t = d.get("description")
                    if isinstance(t, str) and TYPE_RE.match(t):
                        ns = t.split("/")[0].lower()
                        break
                if ns:
                    break
            if not ns:
                m = FILE_RE.match(path)
                ns = ".".join(m.group(2).split(".")[:2]).lower() if m else ""
            self.namespaces[path] = ns
        return self.namespaces[path]

    def adjust(self, node, key, model):
        """What the schemas cannot say, from Bicep's types of the same model:
        an enum the API extends (modelAsString) takes any string, and the
        read-only properties the schemas leave out are named, so that setting
        one is HG3006 rather than an unknown property."""
        m = FILE_RE.match(key[0])
        if not m or not isinstance(node.get("properties"), dict):
            return
        models = self.models.get((self.namespace(key[0]), m.group(1)), {})
        info = models.get(model)
        if info is None:
            # Bicep merges a resource's create and read models into one
            # ("StorageAccountPropertiesCreateParametersOrStorageAccountProperties").
            info = models.get(("Or", model))
        if info is None:
            self.unmatched += 1
            return
        closed, ro, writable = info
        # A property Bicep's types have and the schema lacks (the schema
        # was generated from an older revision of the same API version):
        # known, of any value, rather than an unknown property.
        for w in writable:
            if w not in node["properties"] and w not in ("id", "type", "apiVersion"):
                node["properties"][w] = {}
                self.added += 1
        for p, ps in node["properties"].items():
            for target in (ps, ps.get("items") if isinstance(ps, dict) else None):
                if isinstance(target, dict) and "enum" in target and p not in closed:
                    del target["enum"]
                    target.setdefault("type", "string")
                    self.opened += 1
        missing = sorted(r for r in ro if r not in node["properties"]
                         and r not in ("id", "name", "type", "apiVersion"))
        if missing:
            node["readOnly"] = missing

    def ref_key(self, path, ref):
        """The node a $ref names, or None if the source does not have it."""
        if ref.startswith(BASE_URL):
            rest = ref[len(BASE_URL):]
            target, _, frag = rest.partition("#")
            path = "schemas/" + target
        else:
            frag = ref[1:] if ref.startswith("#") else None
        if frag is None or not frag.startswith("/definitions/"):
            return None
        name = frag[len("/definitions/"):]
        if name == "genericExtension" and path.endswith("/Microsoft.Compute.Extensions.json"):
            # The hand-written extension schemas offer a generic extension
            # of four properties, open in JSON Schema (no
            # additionalProperties); hinagata closes objects that list their
            # properties, so the generic one is read as the API's own
            # VirtualMachineExtensionProperties of the same version
            # (autoUpgradeMinorVersion, protectedSettings, ...).
            api = path.replace("/Microsoft.Compute.Extensions.json", "/Microsoft.Compute.json")
            doc = self.src.load(api)
            if doc and "VirtualMachineExtensionProperties" in doc.get("definitions", {}):
                return (api, "definitions", "VirtualMachineExtensionProperties")
        doc = self.src.load(path)
        if doc is None or name not in doc.get("definitions", {}):
            return None
        return (path, "definitions", name)

    def add(self, key, raw, model):
        """Add node key (raw source JSON; model: its name in Bicep's types)
        and everything it refers to."""
        todo = [(key, raw, model)]
        while todo:
            k, body, model = todo.pop()
            if k in self.label:
                continue
            edges = []

            def rewrite(n):
                if isinstance(n, list):
                    return [rewrite(x) for x in n]
                if not isinstance(n, dict):
                    return n
                out = {}
                for kk, vv in n.items():
                    if kk == "$ref" and isinstance(vv, str):
                        target = self.ref_key(k[0], vv)
                        if target is None:
                            # A reference the snapshot cannot resolve: any
                            # value fits (counted and printed).
                            self.missing += 1
                            continue
                        out["$ref"] = len(edges)
                        edges.append(target)
                    elif kk in ("properties", "patternProperties") and isinstance(vv, dict):
                        out[kk] = {pk: rewrite(pv) for pk, pv in vv.items()}
                    elif kk in ("enum", "const"):
                        out[kk] = vv
                    else:
                        out[kk] = rewrite(vv)
                return out

            node = rewrite(simplify(body))
            self.adjust(node, k, model)
            self.label[k] = json.dumps(node, sort_keys=True, separators=(",", ":"),
                                       ensure_ascii=False)
            self.edges[k] = edges
            for t in edges:
                if t not in self.label:
                    todo.append((t, self.src.load(t[0])["definitions"][t[2]], t[2]))


# writableScopes of bicep-types-az (ScopeType flags) as pack scope letters
BICEP_SCOPES = [(1, "t"), (2, "m"), (4, "s"), (8, "r"), (16, "e")]


def enum_kind(doc, ref, depth=0):
    """'closed' for a union of string literals, 'open' for one that also takes
    any string (an extensible enum, modelAsString), else None; arrays by item."""
    if not (isinstance(ref, dict) and isinstance(ref.get("$ref"), str)) or depth > 4:
        return None
    try:
        t = doc[int(ref["$ref"].rsplit("/", 1)[1])]
    except (ValueError, IndexError):
        return None
    kind = t.get("$type")
    if kind == "StringLiteralType":
        return "closed"
    if kind == "ArrayType":
        return enum_kind(doc, t.get("itemType"), depth + 1)
    if kind == "UnionType":
        kinds = [enum_kind(doc, e, depth + 1) for e in t.get("elements", [])]
        if kinds and all(k == "closed" for k in kinds):
            return "closed"
        return "open" if "closed" in kinds else None
    return None


def bicep_types(repo):
    """From bicep-types-az: {lowercase type: {version: (spelling, scope letters)}}
    and {(namespace, version): {model: (closed enums, read-only properties)}}."""
    src = Source(repo, "generated")
    out, models = {}, {}
    for p in sorted(src.paths):
        if not p.endswith("/types.json"):
            continue
        parts = p.split("/")
        ns, version = parts[-3].lower(), parts[-2]
        doc = src.load(p)
        if doc is None:
            sys.exit("the snapshot lacks " + p)
        mine = models.setdefault((ns, version), {})
        for t in doc:
            if not isinstance(t, dict):
                continue
            if t.get("$type") in ("ObjectType", "DiscriminatedObjectType") and t.get("name"):
                props = t.get("properties") or t.get("baseProperties") or {}
                closed = {k for k, v in props.items()
                          if enum_kind(doc, v.get("type")) == "closed"}
                ro = {k for k, v in props.items() if (v.get("flags", 0) & 2)}
                writable = {k for k, v in props.items() if not (v.get("flags", 0) & 2)}
                if t.get("discriminator"):
                    writable.add(t["discriminator"])
                have = mine.get(t["name"])
                if have:
                    closed, ro, writable = closed | have[0], ro | have[1], writable | have[2]
                mine[t["name"]] = (frozenset(closed), frozenset(ro), frozenset(writable))
                if "/" in t["name"]:  # a resource body, looked up by type name
                    mine[("type", t["name"].lower())] = mine[t["name"]]
                for i in range(1, len(t["name"]) - 2):
                    if t["name"][i:i + 2] == "Or" and t["name"][i + 2].isupper():
                        for part in (t["name"][:i], t["name"][i + 2:]):
                            mine.setdefault(("Or", part), mine[t["name"]])
            if t.get("$type") != "ResourceType":
                continue
            name, _, version = t.get("name", "").partition("@")
            if not TYPE_RE.match(name) or not re.match(r"^\d{4}-\d{2}-\d{2}", version):
                continue
            flags = t.get("writableScopes", t.get("scopeType", 0)) or 0
            letters = "".join(l for bit, l in BICEP_SCOPES if flags & bit) or "u"
            have = out.setdefault(name.lower(), {}).get(version)
            if have:
                letters = "".join(sorted(set(have[1] + letters)))
            out[name.lower()][version] = (name, letters)
    return src.commit, out, models


def minimize(graph, roots):
    """Classes of equal nodes reachable from roots (partition refinement)."""
    reach, stack = [], list(roots)
    seen = set()
    while stack:
        k = stack.pop()
        if k in seen:
            continue
        seen.add(k)
        reach.append(k)
        stack.extend(graph.edges[k])
    ids = {}
    cls = {k: ids.setdefault(graph.label[k], len(ids)) for k in reach}
    n = len(ids)
    while True:
        ids = {}
        new = {k: ids.setdefault((cls[k], tuple(cls[t] for t in graph.edges[k])), len(ids))
               for k in reach}
        if len(ids) == n:
            return new
        cls, n = new, len(ids)


def main():
    repo = sys.argv[1]
    bicep = sys.argv[2] if len(sys.argv) > 2 else None
    out = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "schemas", "azure")
    src = Source(repo)
    files = sorted(p for p in src.paths if FILE_RE.match(p))
    bicep_commit, known, models = bicep_types(bicep) if bicep else (None, {}, {})
    # type -> [(version, scopes, key)] per provider namespace
    providers = {}
    graph = Graph(src, models)
    bodies = []
    spelling = {}  # lowercase type -> (newest version, its spelling)
    for p in files:
        version = FILE_RE.match(p).group(1)
        doc = src.load(p)
        if doc is None:
            sys.exit("the snapshot lacks " + p)
        for skey, letter in SCOPE_KEYS:
            for name, d in sorted(doc.get(skey, {}).items()):
                t = d.get("description")
                if not (isinstance(t, str) and TYPE_RE.match(t)):
                    continue
                key = (p, skey, name)
                body = dict(d)
                body.pop("description", None)
                props = dict(body.get("properties", {}))
                for k in ("type", "apiVersion", "resources"):
                    props.pop(k, None)
                # Every resource of a template has a name; a few bodies
                # (Defender's assessment settings, HCI edge devices) omit it.
                props.setdefault("name", {"type": "string"})
                body["properties"] = props
                body["required"] = [r for r in body.get("required", [])
                                    if r not in ("type", "apiVersion")]
                body.setdefault("additionalProperties", False)
                body.setdefault("type", "object")
                bodies.append((key, body, t.lower(), letter, t))
                # Type names are case-insensitive (a few versions write
                # microsoft.insights/...): grouped by their lowercase form,
                # named as the newest version spells them.
                low = t.lower()
                prov = low.split("/")[0]
                providers.setdefault(prov, {}).setdefault(low, []).append((version, letter, key))
                if version >= spelling.get(low, ("",))[0]:
                    spelling[low] = (version, t)
    # Extension resources (locks, diagnostic settings, role assignments) take
    # the resource they extend as `scope`, a key of the template languages
    # rather than of the API; a type that is one at any version is one at all.
    extension = {t for _, _, t, letter, _ in bodies if letter == "e"}
    extension |= {t.lower() for t in EXTENDS_OTHERS}
    incomplete = set()
    for key, body, t, letter, spelled in bodies:
        # A body that lacks a writable top-level property Bicep's types give
        # the resource (a kind, its properties) is a schema Microsoft's
        # generator left incomplete (network manager admin rules): such a
        # version counts as one without a schema (HG3018/HG3019), lest every
        # correct template fail on it.
        info = models.get((t.split("/")[0], FILE_RE.match(key[0]).group(1)), {}).get(("type", t))
        if info and any(w not in body["properties"] and w not in ("id", "type", "apiVersion")
                        for w in info[2]):
            incomplete.add(key)
            if os.environ.get("HG_GEN_DEBUG"):
                print("incomplete", spelled, key[0], sorted(w for w in info[2] if w not in body["properties"]))
            continue
        if t in extension:
            body["properties"]["scope"] = {"type": "string"}
        graph.add(key, body, spelled)
    bodies = [b for b in bodies if b[0] not in incomplete]
    for prov in providers.values():
        for low in prov:
            prov[low] = [e for e in prov[low] if e[2] not in incomplete]

    # Types and versions Bicep knows and the schemas lack: NODE 0.
    extra = {}  # lowercase type -> {version: scopes}
    if bicep:
        for low, versions in known.items():
            have = {v for v, _, _ in providers.get(low.split("/")[0], {}).get(low, [])}
            for version, (name, letters) in versions.items():
                if version in have:
                    continue
                extra.setdefault(low, {})[version] = letters
                providers.setdefault(low.split("/")[0], {}).setdefault(low, [])
                if low not in spelling:
                    spelling[low] = ("", name)

    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.endswith(".jsonl") or f in ("resources", "types.txt"):
            path = os.path.join(out, f)
            if os.path.isdir(path):
                for g in os.listdir(path):
                    os.remove(os.path.join(path, g))
                os.rmdir(path)
            else:
                os.remove(path)
    index = {"source": "github.com/Azure/azure-resource-manager-schemas", "commit": src.commit,
             "generator": "scripts/gen-azure-schemas.py", "providers": {}}
    if bicep:
        index["versions_source"] = "github.com/Azure/bicep-types-az"
        index["versions_commit"] = bicep_commit
    all_types = []
    total_nodes = total_pairs = 0
    for prov in sorted(providers):
        types = providers[prov]
        roots = [key for t in sorted(types) for _, _, key in sorted(types[t])]
        cls = minimize(graph, roots)
        # Output order: first reached from the types in sorted order, so that
        # the nodes one type needs sit together in the file.
        order, seen = [], set()
        for r in roots:
            stack = [r]
            while stack:
                k = stack.pop()
                c = cls[k]
                if c in seen:
                    continue
                seen.add(c)
                order.append(k)
                stack.extend(reversed(graph.edges[k]))
        name = spelling[sorted(types)[0]][1].split("/")[0]
        ntypes = len(types)
        # Line 0 the header, 1..ntypes the types' versions, then the nodes.
        number = {cls[k]: 1 + ntypes + i for i, k in enumerate(order)}
        lines = []
        for k in order:
            node = json.loads(graph.label[k])
            edges = graph.edges[k]

            def fix(n):
                if isinstance(n, list):
                    return [fix(x) for x in n]
                if not isinstance(n, dict):
                    return n
                r = {}
                for kk, vv in n.items():
                    if kk == "$ref" and isinstance(vv, int):
                        r[kk] = number[cls[edges[vv]]]
                    elif kk in ("enum", "const"):
                        r[kk] = vv
                    elif kk in ("properties", "patternProperties") and isinstance(vv, dict):
                        r[kk] = {pk: fix(pv) for pk, pv in vv.items()}
                    else:
                        r[kk] = fix(vv)
                return r

            lines.append(json.dumps(fix(node), sort_keys=True, separators=(",", ":"),
                                    ensure_ascii=False))
        header = {"provider": name, "types": {}}
        type_lines = []
        for t in sorted(types):
            entries = {}
            for version, letter, key in sorted(types[t]):
                n = number[cls[key]]
                e = entries.setdefault((version, n), [version, n, ""])
                if letter not in e[2]:
                    e[2] += letter
            for version, letters in sorted(extra.get(t, {}).items()):
                entries[(version, 0)] = [version, 0, letters]
            header["types"][spelling[t][1]] = 1 + len(type_lines)
            type_lines.append(json.dumps(sorted(entries.values(), key=lambda e: (e[0], e[2])),
                                         separators=(",", ":")))
            total_pairs += len({v for v, _, _ in types[t]} | set(extra.get(t, {})))
        fn = prov + ".jsonl"
        with open(os.path.join(out, fn), "w", encoding="utf-8") as f:
            f.write(json.dumps(header, sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False) + "\n")
            for line in type_lines + lines:
                f.write(line + "\n")
        index["providers"][name] = fn
        all_types.extend(spelling[t][1] for t in sorted(types))
        total_nodes += len(lines)
    with open(os.path.join(out, "index.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, sort_keys=True, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(out, "types.txt"), "w", encoding="utf-8") as f:
        for t in sorted(all_types, key=lambda t: (t.lower(), t)):
            f.write(t + "\n")
    print("%d providers, %d types, %d type/version pairs, %d schema nodes written to %s "
          "(source commit %s; %d references the snapshot lacks; %d extensible enums opened; "
          "%d definitions Bicep's types do not name; %d incomplete bodies left out; "
          "%d properties only Bicep's types have)"
          % (len(providers), len(all_types), total_pairs, total_nodes, out,
             src.commit, graph.missing, graph.opened, graph.unmatched, len(incomplete),
             graph.added))


if __name__ == "__main__":
    main()
