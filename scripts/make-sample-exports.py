#!/usr/bin/env python3
"""make-sample-exports.py: the sample deployed state of city A's system.

Writes, for the compiled sample (build/city-a/juki-prod.json), what the AWS
CLI prints for a deployed copy of it, as the collector would save it:

  describe-stacks.json            aws cloudformation describe-stacks
  describe-stack-resources.json   aws cloudformation describe-stack-resources
  get-template-STACK.json         aws cloudformation get-template (the template the stack
                                  was deployed with: the compiled template itself)
  list-<Type>.json                aws cloudcontrol list-resources --type-name <Type>

into samples/city-a/exports-clean/ (deployed exactly as written, but in the
shapes the cloud really returns: Properties as a JSON string, tags reordered
and joined by the aws:cloudformation:* system tags, read-only attributes,
service defaults, a policy document as a string with scalar actions, the
account's default VPC and security group and a service-linked role) and
samples/city-a/exports/ (the same with the injected drifts listed in
samples/city-a/README.md).

Usage: scripts/make-sample-exports.py COMPILED_JSON OUT_DIR_CLEAN OUT_DIR_DRIFT
The output is deterministic; the committed exports were made by it.
"""
import copy
import json
import os
import sys

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
STACK = "city-a-juki-prod"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/5e1f0a40-8b1c-11ef-9c7d-0a1b2c3d4e5f"


def suffix(logical):
    """A stable CloudFormation-style random suffix."""
    h = 0
    for ch in logical:
        h = (h * 131 + ord(ch)) & 0xFFFFFFFFFFFF
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    out = ""
    for _ in range(12):
        out += alphabet[h % 36]
        h //= 36
    return out


def hexid(logical, n):
    h = 0
    for ch in logical:
        h = (h * 257 + ord(ch)) & ((1 << 64) - 1)
    return ("%016x" % h)[:n]


def physical(logical, rtype, props):
    """(physical ID, attributes) the way CloudFormation names things."""
    base = f"{STACK}-{logical}-{suffix(logical)}"
    if rtype == "AWS::S3::Bucket":
        name = base.lower()[:63]
        return name, {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com",
                      "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com"}
    if rtype == "AWS::KMS::Key":
        kid = f"{hexid(logical, 8)}-{hexid(logical + 'a', 4)}-4{hexid(logical + 'b', 3)}-8{hexid(logical + 'c', 3)}-{hexid(logical + 'd', 12)}"
        return kid, {"Arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{kid}", "KeyId": kid}
    if rtype == "AWS::Logs::LogGroup":
        return base, {"Arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{base}:*"}
    if rtype == "AWS::IAM::Role":
        name = base[:64]
        return name, {"Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "RoleId": "AROA" + hexid(logical, 16).upper()}
    if rtype == "AWS::EC2::VPC":
        vid = "vpc-0" + hexid(logical, 16)
        return vid, {"VpcId": vid, "CidrBlock": props.get("CidrBlock"), "DefaultSecurityGroup": "sg-0" + hexid("defsg", 16)}
    if rtype == "AWS::EC2::Subnet":
        return "subnet-0" + hexid(logical, 16), {"SubnetId": "subnet-0" + hexid(logical, 16)}
    if rtype == "AWS::EC2::SecurityGroup":
        gid = "sg-0" + hexid(logical, 16)
        return gid, {"GroupId": gid}
    if rtype == "AWS::EC2::FlowLog":
        return "fl-0" + hexid(logical, 16), {"Id": "fl-0" + hexid(logical, 16)}
    if rtype == "AWS::SNS::Topic":
        arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{base}"
        return arn, {"TopicArn": arn, "TopicName": base}
    if rtype == "AWS::SNS::Subscription":
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:{STACK}-ThreatAlertTopic:{hexid(logical, 8)}-1a2b-4c3d-9e8f-{hexid(logical, 12)}", {}
    if rtype == "AWS::SNS::TopicPolicy":
        return f"{STACK}-{logical}-{suffix(logical)}", {"Id": f"{STACK}-{logical}-{suffix(logical)}"}
    if rtype == "AWS::CloudTrail::Trail":
        name = props.get("TrailName", base)
        return name, {"Arn": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}",
                      "SnsTopicArn": None}
    if rtype == "AWS::Events::Rule":
        name = base[:64]
        return name, {"Arn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}"}
    if rtype == "AWS::RDS::DBInstance":
        ident = base.lower()[:63]
        return ident, {"Endpoint": {"Address": f"{ident}.c1a2b3c4d5e6.{REGION}.rds.amazonaws.com", "Port": "5432"},
                       "DBInstanceArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{ident}"}
    if rtype == "AWS::RDS::DBSubnetGroup":
        return base.lower(), {}
    if rtype == "AWS::GuardDuty::Detector":
        return hexid(logical, 32), {"Id": hexid(logical, 32)}
    if rtype == "AWS::SecurityHub::Hub":
        arn = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:hub/default"
        return arn, {"ARN": arn, "SubscribedAt": "2026-04-01T00:00:00.000Z"}
    if rtype == "AWS::SecurityHub::Standard":
        std = props.get("StandardsArn", "")
        name = std.split("/", 1)[1] if "/" in std else logical
        arn = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:subscription/{name}"
        return arn, {"StandardsSubscriptionArn": arn}
    if rtype in ("AWS::Config::ConfigurationRecorder", "AWS::Config::DeliveryChannel"):
        return props.get("Name", base), {}
    if rtype == "AWS::Config::ConfigRule":
        name = props.get("ConfigRuleName", base)
        return name, {"Arn": f"arn:aws:config:{REGION}:{ACCOUNT}:config-rule/config-rule-{hexid(logical, 6)}",
                      "ConfigRuleId": "config-rule-" + hexid(logical, 6)}
    if rtype == "AWS::KMS::Alias":
        return props.get("AliasName"), {}
    if rtype == "AWS::S3::BucketPolicy":
        return props.get("Bucket"), {}
    return base, {}


class Resolver:
    def __init__(self, doc):
        self.doc = doc
        self.params = {k: v.get("Default") for k, v in doc.get("Parameters", {}).items()}
        self.phys = {}
        self.attrs = {}

    def cond(self, name):
        return self.truth(self.doc["Conditions"][name])

    def truth(self, v):
        (fn, arg), = v.items()
        if fn == "Fn::Equals":
            return str(self.r(arg[0])) == str(self.r(arg[1]))
        if fn == "Fn::Not":
            return not self.truth(arg[0])
        if fn == "Fn::And":
            return all(self.truth(x) for x in arg)
        if fn == "Fn::Or":
            return any(self.truth(x) for x in arg)
        if fn == "Condition":
            return self.cond(arg)
        raise ValueError(fn)

    def ref(self, name):
        pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": "aws",
                  "AWS::StackName": STACK, "AWS::StackId": STACK_ID, "AWS::URLSuffix": "amazonaws.com"}
        if name in pseudo:
            return pseudo[name]
        if name in self.params:
            return self.params[name]
        return self.phys[name]

    def getatt(self, logical, attr):
        v = self.attrs[logical]
        for part in attr.split("."):
            v = v[part]
        return v

    def sub(self, s, vars_=None):
        out, i = "", 0
        while i < len(s):
            if s.startswith("${!", i):
                out += "${"
                i += 3
                continue
            if s.startswith("${", i):
                j = s.index("}", i)
                name = s[i + 2:j]
                if vars_ and name in vars_:
                    val = self.r(vars_[name])
                elif "." in name and not name.startswith("AWS::"):
                    lg, at = name.split(".", 1)
                    val = self.getatt(lg, at)
                else:
                    val = self.ref(name)
                out += str(val)
                i = j + 1
                continue
            out += s[i]
            i += 1
        return out

    def r(self, v):
        if isinstance(v, dict):
            if len(v) == 1:
                (fn, arg), = v.items()
                if fn == "Ref":
                    return self.ref(arg)
                if fn == "Fn::GetAtt":
                    return self.getatt(arg[0], arg[1])
                if fn == "Fn::Sub":
                    return self.sub(arg) if isinstance(arg, str) else self.sub(arg[0], arg[1])
                if fn == "Fn::Join":
                    return arg[0].join(str(self.r(x)) for x in self.r(arg[1]))
                if fn == "Fn::If":
                    return self.r(arg[1] if self.cond(arg[0]) else arg[2])
                if fn == "Fn::GetAZs":
                    return [REGION + "a", REGION + "c", REGION + "d"]
                if fn == "Fn::Cidr":
                    import ipaddress
                    net = ipaddress.ip_network(self.r(arg[0]))
                    return [str(n) for n in list(net.subnets(new_prefix=32 - int(arg[2])))[:int(arg[1])]]
                if fn == "Fn::Select":
                    return self.r(arg[1])[int(self.r(arg[0]))]
            return {k: self.r(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.r(x) for x in v]
        return v


def order(doc):
    """Resources in an order where references come first (a simple sort)."""
    res = doc["Resources"]
    done, out = set(), []

    def deps(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k == "Ref" and isinstance(x, str) and x in res:
                    yield x
                elif k == "Fn::GetAtt":
                    yield x[0]
                elif k == "Fn::Sub":
                    s = x if isinstance(x, str) else x[0]
                    for part in s.split("${")[1:]:
                        name = part.split("}")[0].split(".")[0]
                        if name in res:
                            yield name
                    if not isinstance(x, str):
                        yield from deps(x[1])
                else:
                    yield from deps(x)
        elif isinstance(v, list):
            for x in v:
                yield from deps(x)

    def visit(k):
        if k in done:
            return
        done.add(k)
        for d in sorted(set(deps(res[k].get("Properties", {})))):
            visit(d)
        out.append(k)

    for k in sorted(res):
        visit(k)
    return out


def deployed_props(logical, rtype, props, attrs):
    """What cloudcontrol returns: declared settings, defaults, read-only attributes."""
    p = copy.deepcopy(props)
    for k, v in attrs.items():
        if v is not None and k not in ("Endpoint",):
            p.setdefault(k, v)
    if rtype == "AWS::RDS::DBInstance":
        p["Endpoint"] = attrs["Endpoint"]
        p["DBInstanceIdentifier"] = attrs["DBInstanceArn"].split(":")[-1]
        p["AllocatedStorage"] = props["AllocatedStorage"]
        p["BackupRetentionPeriod"] = int(props["BackupRetentionPeriod"])
    if rtype == "AWS::S3::Bucket":
        p["BucketName"] = attrs["Arn"].split(":::")[1]
    if rtype == "AWS::SQS::Queue":
        p.setdefault("VisibilityTimeout", 30)
    if rtype == "AWS::Logs::LogGroup":
        p["LogGroupName"] = attrs["Arn"].split(":log-group:")[1][:-2]
        if "RetentionInDays" in p:
            p["RetentionInDays"] = int(p["RetentionInDays"])
    if rtype == "AWS::GuardDuty::Detector":
        p.setdefault("Features", [])
    if rtype == "AWS::IAM::Role":
        p["RoleName"] = attrs["Arn"].split("/")[-1]
        p.setdefault("Path", "/")
        p.setdefault("MaxSessionDuration", 3600)
    if "Tags" in p and isinstance(p["Tags"], list):
        tags = list(reversed(p["Tags"]))  # the cloud's own order
        tags.insert(1, {"Key": "aws:cloudformation:stack-name", "Value": STACK})
        tags.append({"Key": "aws:cloudformation:logical-id", "Value": logical})
        tags.append({"Key": "aws:cloudformation:stack-id", "Value": STACK_ID})
        p["Tags"] = tags
    return p


def harmless(name, rtype, p):
    """Differences that mean nothing: policies as JSON strings, scalar actions."""
    if rtype == "AWS::S3::BucketPolicy" and "PolicyDocument" in p:
        doc = copy.deepcopy(p["PolicyDocument"])
        for st in doc.get("Statement", []):
            if isinstance(st.get("Action"), str):
                st["Action"] = [st["Action"]]
        doc["Statement"] = list(reversed(doc["Statement"]))
        p["PolicyDocument"] = json.dumps(doc, separators=(",", ":"))
    if rtype == "AWS::KMS::Key" and "KeyPolicy" in p:
        for st in p["KeyPolicy"].get("Statement", []):
            if isinstance(st.get("Action"), list) and len(st["Action"]) == 1:
                st["Action"] = st["Action"][0]
            elif isinstance(st.get("Action"), str):
                st["Action"] = [st["Action"]]
    if rtype == "AWS::EC2::SecurityGroup":
        for rule in p.get("SecurityGroupIngress", []):
            rule["FromPort"] = int(rule["FromPort"])
            rule["ToPort"] = int(rule["ToPort"])
        p.setdefault("SecurityGroupEgress", [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}])
        p["GroupId"] = p.get("GroupId")


def main():
    compiled, clean_dir, drift_dir = sys.argv[1:4]
    doc = json.load(open(compiled))
    rv = Resolver(doc)
    stack_res, records = [], {}
    for logical in order(doc):
        res = doc["Resources"][logical]
        if "Condition" in res and not rv.cond(res["Condition"]):
            continue
        rtype = res["Type"]
        props = rv.r(res.get("Properties", {}))
        phys, attrs = physical(logical, rtype, props)
        rv.phys[logical] = phys
        rv.attrs[logical] = attrs
        p = deployed_props(logical, rtype, props, attrs)
        harmless(logical, rtype, p)
        records.setdefault(rtype, []).append({"Identifier": phys, "Properties": p, "_logical": logical})
        stack_res.append({"StackName": STACK, "StackId": STACK_ID, "LogicalResourceId": logical,
                          "PhysicalResourceId": phys, "ResourceType": rtype,
                          "Timestamp": "2026-04-01T09:00:00.000000+00:00",
                          "ResourceStatus": "CREATE_COMPLETE", "DriftInformation": {"StackResourceDriftStatus": "NOT_CHECKED"}})
    # What the account has besides the stack: defaults the cloud made.
    records.setdefault("AWS::EC2::VPC", []).append({"Identifier": "vpc-0d3f5e7a9b1c2d4e6", "Properties": {
        "VpcId": "vpc-0d3f5e7a9b1c2d4e6", "CidrBlock": "172.31.0.0/16", "EnableDnsSupport": True,
        "EnableDnsHostnames": True, "InstanceTenancy": "default"}})
    records.setdefault("AWS::EC2::SecurityGroup", []).append({"Identifier": "sg-0" + hexid("defsg", 16), "Properties": {
        "GroupId": "sg-0" + hexid("defsg", 16), "GroupName": "default", "GroupDescription": "default VPC security group",
        "VpcId": rv.phys["Vpc"]}})
    records.setdefault("AWS::IAM::Role", []).append({"Identifier": "AWSServiceRoleForConfig", "Properties": {
        "RoleName": "AWSServiceRoleForConfig", "Path": "/aws-service-role/config.amazonaws.com/",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"}})

    params = [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in sorted(rv.params.items())]
    stacks = {"Stacks": [{"StackId": STACK_ID, "StackName": STACK, "Description": doc.get("Description", ""),
                          "Parameters": params, "CreationTime": "2026-04-01T09:00:00.000000+00:00",
                          "RollbackConfiguration": {}, "StackStatus": "CREATE_COMPLETE", "DisableRollback": False,
                          "NotificationARNs": [], "Capabilities": ["CAPABILITY_IAM"],
                          "Tags": [], "EnableTerminationProtection": True,
                          "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"}}]}

    def write(dirname, recs):
        os.makedirs(dirname, exist_ok=True)
        for f in os.listdir(dirname):
            if f.endswith(".json"):
                os.remove(os.path.join(dirname, f))
        with open(os.path.join(dirname, "describe-stacks.json"), "w") as f:
            json.dump(stacks, f, indent=4, ensure_ascii=False)
            f.write("\n")
        with open(os.path.join(dirname, "describe-stack-resources.json"), "w") as f:
            json.dump({"StackResources": stack_res}, f, indent=4, ensure_ascii=False)
            f.write("\n")
        # The AWS CLI decodes a JSON TemplateBody into an object (botocore's
        # after-call handler for GetTemplate) and prints it so.
        with open(os.path.join(dirname, "get-template-" + STACK + ".json"), "w") as f:
            json.dump({"TemplateBody": doc, "StagesAvailable": ["Original", "Processed"]}, f,
                      indent=4, ensure_ascii=False)
            f.write("\n")
        for rtype, items in sorted(recs.items()):
            out = {"TypeName": rtype, "ResourceDescriptions": [
                {"Identifier": it["Identifier"],
                 "Properties": json.dumps(it["Properties"], separators=(",", ":"), ensure_ascii=False)}
                for it in items]}
            name = "list-" + rtype.replace("::", "-") + ".json"
            with open(os.path.join(dirname, name), "w") as f:
                json.dump(out, f, indent=4, ensure_ascii=False)
                f.write("\n")

    write(clean_dir, records)

    # The injected drifts.
    drift = copy.deepcopy(records)

    def find(rtype, logical):
        return next(r for r in drift[rtype] if r.get("_logical") == logical)["Properties"]

    find("AWS::CloudTrail::Trail", "AuditTrail")["EnableLogFileValidation"] = False
    pab = find("AWS::S3::Bucket", "DocumentsBucket")["PublicAccessBlockConfiguration"]
    pab["BlockPublicPolicy"] = False
    pab["RestrictPublicBuckets"] = False
    find("AWS::EC2::SecurityGroup", "DbSecurityGroup")["SecurityGroupIngress"].append(
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "203.0.113.0/24",
         "Description": "temporary vendor maintenance"})
    drift["AWS::S3::Bucket"].append({"Identifier": "city-a-juki-tmp-export", "Properties": {
        "BucketName": "city-a-juki-tmp-export", "Arn": "arn:aws:s3:::city-a-juki-tmp-export",
        "DomainName": "city-a-juki-tmp-export.s3.amazonaws.com"}})
    write(drift_dir, drift)


if __name__ == "__main__":
    main()
