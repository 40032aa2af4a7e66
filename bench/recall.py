#!/usr/bin/env python3
"""recall.py: an independent reading of eight controls on the check corpus,
held against what `hinagata check` finds (bench/check.sh lays the corpus out).

Usage: recall.py CORPUS_DIR HINAGATA

For each CloudFormation template this script decides on its own (PyYAML, no
hinagata code) whether it breaks a control as it could be deployed: with
its parameters' defaults or any of their allowed values, either branch of
an Fn::If. The controls are the ones whose reading is unambiguous: no
Internet Gateway (GC-AWS-NET-01), no SSH/RDP from 0.0.0.0/0 or ::/0
(NET-02), S3 public access block with all four settings (PUB-01), S3
encryption (ENC-03), encrypted EBS volumes (ENC-01), encrypted databases
(ENC-02, Aurora instances excepted), no public databases (PUB-02), ECR scan
on push (IMG-01). It then runs `hinagata check --format json` and counts,
per (template, control), what both see, what only this script sees (missed)
and what only hinagata sees. Prints recall and precision.
"""
import json
import os
import subprocess
import sys

import yaml

CONTROLS = ["GC-AWS-NET-01", "GC-AWS-NET-02", "GC-AWS-PUB-01", "GC-AWS-ENC-03",
            "GC-AWS-ENC-01", "GC-AWS-ENC-02", "GC-AWS-PUB-02", "GC-AWS-IMG-01"]


class Fn:
    """A short-form tag (!Ref x) as the long form {"Ref": x}."""


def tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        v = loader.construct_scalar(node)
        if suffix == "GetAtt":
            v = v.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        v = loader.construct_sequence(node, deep=True)
    else:
        v = loader.construct_mapping(node, deep=True)
    return {name: v}


class Loader(yaml.SafeLoader):
    pass


Loader.add_multi_constructor("!", tag)
NOVALUE = object()
UNKNOWN = object()


def load(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.YAMLError:
        return None


def values(v, t):
    """Every value v can take as deployed (a list of alternatives)."""
    if isinstance(v, dict) and len(v) == 1:
        (k, a), = v.items()
        if k == "Ref":
            if a == "AWS::NoValue":
                return [NOVALUE]
            p = (t.get("Parameters") or {}).get(a)
            if isinstance(p, dict):
                out = []
                if "Default" in p:
                    out.append(p["Default"])
                out += list(p.get("AllowedValues") or [])
                return out or [UNKNOWN]
            return [UNKNOWN]
        if k == "Fn::If" and isinstance(a, list) and len(a) == 3:
            return values(a[1], t) + values(a[2], t)
        if k == "Fn::Sub" and isinstance(a, str):
            out = a
            for name, p in (t.get("Parameters") or {}).items():
                if isinstance(p, dict) and "Default" in p:
                    out = out.replace("${%s}" % name, str(p["Default"]))
            return [UNKNOWN if "${" in out else out]
        if k.startswith("Fn::") or k == "Condition":
            return [UNKNOWN]
    return [v]


def prop(props, path, t):
    """The alternatives at a dotted path."""
    alts = [props]
    for key in path.split("."):
        nxt = []
        for a in alts:
            for v in values(a, t):
                if isinstance(v, dict):
                    nxt += values(v.get(key, NOVALUE), t) if key in v else [NOVALUE]
                elif v is UNKNOWN:
                    nxt.append(UNKNOWN)
                else:
                    nxt.append(NOVALUE)
        alts = nxt
    return alts


def truthy(v):
    return v is True or (isinstance(v, str) and v.lower() == "true")


def ports_open(rule, t):
    for cidr in prop(rule, "CidrIp", t) + prop(rule, "CidrIpv6", t):
        if cidr not in ("0.0.0.0/0", "::/0"):
            continue
        for proto in prop(rule, "IpProtocol", t):
            if str(proto).lower() in ("icmp", "icmpv6", "1", "58"):
                continue
            for lo in prop(rule, "FromPort", t):
                for hi in prop(rule, "ToPort", t):
                    try:
                        lo_i = -1 if lo is NOVALUE else int(lo)
                        hi_i = 65535 if hi is NOVALUE else int(hi)
                    except (TypeError, ValueError):
                        continue
                    if lo_i == -1 or hi_i == -1:
                        lo_i, hi_i = 0, 65535
                    if any(lo_i <= p <= hi_i for p in (22, 3389)):
                        return True
    return False


def breaks(t):
    found = set()
    for r in (t.get("Resources") or {}).values():
        if not isinstance(r, dict):
            continue
        ty, props = r.get("Type"), r.get("Properties") or {}
        if ty in ("AWS::EC2::InternetGateway", "AWS::EC2::EgressOnlyInternetGateway"):
            found.add("GC-AWS-NET-01")
        if ty == "AWS::EC2::SecurityGroup":
            for rules in prop(props, "SecurityGroupIngress", t):
                for rule in rules if isinstance(rules, list) else []:
                    for alt in values(rule, t):
                        if isinstance(alt, dict) and ports_open(alt, t):
                            found.add("GC-AWS-NET-02")
        if ty == "AWS::EC2::SecurityGroupIngress" and ports_open(props, t):
            found.add("GC-AWS-NET-02")
        if ty == "AWS::S3::Bucket":
            for flag in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
                if any(v is not UNKNOWN and not truthy(v) for v in prop(props, "PublicAccessBlockConfiguration." + flag, t)):
                    found.add("GC-AWS-PUB-01")
            if NOVALUE in prop(props, "BucketEncryption", t):
                found.add("GC-AWS-ENC-03")
        if ty == "AWS::EC2::Volume" and any(v is not UNKNOWN and not truthy(v) for v in prop(props, "Encrypted", t)):
            found.add("GC-AWS-ENC-01")
        aurora = any(isinstance(e, str) and e.startswith("aurora") for e in prop(props, "Engine", t))
        if ty == "AWS::RDS::DBCluster" or (ty == "AWS::RDS::DBInstance" and not aurora):
            if any(v is not UNKNOWN and not truthy(v) for v in prop(props, "StorageEncrypted", t)):
                found.add("GC-AWS-ENC-02")
        if ty == "AWS::RDS::DBInstance" and any(truthy(v) for v in prop(props, "PubliclyAccessible", t)):
            found.add("GC-AWS-PUB-02")
        if ty == "AWS::ECR::Repository" and any(
                v is not UNKNOWN and not truthy(v) for v in prop(props, "ImageScanningConfiguration.ScanOnPush", t)):
            found.add("GC-AWS-IMG-01")
    return found


def main():
    corpus, hinagata = sys.argv[1], sys.argv[2]
    present = set()
    for f in sorted(os.listdir(corpus)):
        t = load(os.path.join(corpus, f))
        if isinstance(t, dict) and isinstance(t.get("Resources"), dict):
            present |= {(f, c) for c in breaks(t)}
    out = subprocess.run([hinagata, "check", "--format", "json", "."], cwd=corpus,
                         capture_output=True, text=True).stdout
    seen = {(x["file"], x["rule"]) for x in json.loads(out)["findings"]
            if x["code"] in ("HG3100", "HG3101") and x["rule"] in CONTROLS}
    both = present & seen
    print("%-14s %8s %6s %6s %6s" % ("control", "present", "found", "missed", "extra"))
    for c in CONTROLS:
        p = {x for x in present if x[1] == c}
        s = {x for x in seen if x[1] == c}
        print("%-14s %8d %6d %6d %6d" % (c, len(p), len(p & s), len(p - s), len(s - p)))
    print("recall %.2f (%d of %d), precision %.2f (%d of %d)" % (
        len(both) / max(len(present), 1), len(both), len(present),
        len(both) / max(len(seen), 1), len(both), len(seen)))
    for f, c in sorted(present - seen):
        print("missed:", c, f)
    for f, c in sorted(seen - present):
        print("only hinagata:", c, f)


if __name__ == "__main__":
    main()
