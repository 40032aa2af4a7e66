#!/usr/bin/env python3
"""gen-fleet.py: a fleet-scale deployed state for the drift benchmark.

Usage: gen-fleet.py DIR STACKS RESOURCES_PER_STACK [list|get]
Writes DIR/templates/stack-NNN.json (compiled CloudFormation, one per stack)
and DIR/exports/: describe-stacks.json, describe-stack-resources.json and
either one cloudcontrol list-resources file per type, full Properties in the
listing (shape "list", the default), or one cloudcontrol get-resource file
per resource (shape "get"), every resource in sync with its template but in
the cloud's shapes (Properties as a JSON string, tags reordered with system
tags, numbers as numbers, read-only attributes). Deterministic.
"""
import json
import os
import sys

out, nstacks, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
shape = sys.argv[4] if len(sys.argv) > 4 else "list"
ACCOUNT, REGION = "123456789012", "ap-northeast-1"
os.makedirs(out + "/templates", exist_ok=True)
os.makedirs(out + "/exports", exist_ok=True)
stacks, stack_res = [], []
types = ["AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::SQS::Queue"]
files = {t: open(out + "/exports/list-%s.json" % t.replace("::", "-"), "w") for t in types} if shape == "list" else {}
first = {t: True for t in files}
for t, f in files.items():
    f.write('{\n    "TypeName": "%s",\n    "ResourceDescriptions": [\n' % t)

for s in range(nstacks):
    name = "fleet-%03d" % s
    sid = "arn:aws:cloudformation:%s:%s:stack/%s/%08d-0000-4000-8000-000000000000" % (REGION, ACCOUNT, name, s)
    res = {}
    for r in range(per):
        logical = "Res%04d" % r
        tags = [{"Key": "system", "Value": "juki"}, {"Key": "city", "Value": "city-%03d" % s},
                {"Key": "owner", "Value": "ops-%d" % (r % 7)}]
        if r % 4 == 1:
            # the bucket before it gets the TLS-only policy every bucket needs (GC-AWS-NET-05)
            t = "AWS::S3::BucketPolicy"
            bucket = "%s-%s-%08x" % (name, ("Res%04d" % (r - 1)).lower(), (s * 7919 + r - 1) & 0xffffffff)
            phys = bucket
            doc = {"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny",
                   "Principal": "*", "Action": "s3:*",
                   "Resource": ["arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"],
                   "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
            props = {"Bucket": {"Ref": "Res%04d" % (r - 1)}, "PolicyDocument": doc}
            deployed = {"Bucket": bucket, "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::" + bucket + "/*", "arn:aws:s3:::" + bucket],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}
        elif r % 4 == 0:
            t = "AWS::S3::Bucket"
            phys = "%s-%s-%08x" % (name, logical.lower(), (s * 7919 + r) & 0xffffffff)
            props = {"BucketName": {"Fn::Sub": "%s-%s-${Suffix%d}" % (name, logical.lower(), r % 1)},
                     "VersioningConfiguration": {"Status": "Enabled"},
                     "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                        "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
                     "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                         {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]},
                     "LifecycleConfiguration": {"Rules": [{"Id": "expire", "Status": "Enabled", "ExpirationInDays": 2555}]},
                     "Tags": tags}
            props["BucketName"] = phys
            deployed = dict(props)
            deployed.update({"Arn": "arn:aws:s3:::" + phys, "DomainName": phys + ".s3.amazonaws.com",
                             "RegionalDomainName": "%s.s3.%s.amazonaws.com" % (phys, REGION),
                             "WebsiteURL": "http://%s.s3-website-%s.amazonaws.com" % (phys, REGION),
                             "DualStackDomainName": "%s.s3.dualstack.%s.amazonaws.com" % (phys, REGION),
                             "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}})
        else:
            t = "AWS::SQS::Queue"
            qname = "%s-%s" % (name, logical.lower())
            phys = "https://sqs.%s.amazonaws.com/%s/%s" % (REGION, ACCOUNT, qname)
            props = {"QueueName": qname, "MessageRetentionPeriod": "1209600", "VisibilityTimeout": "60",
                     "SqsManagedSseEnabled": True, "Tags": tags}
            deployed = dict(props)
            deployed.update({"MessageRetentionPeriod": 1209600, "VisibilityTimeout": 60,
                             "Arn": "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, qname), "QueueUrl": phys,
                             "DelaySeconds": 0, "MaximumMessageSize": 262144, "ReceiveMessageWaitTimeSeconds": 0})
        dtags = list(reversed(tags)) + [{"Key": "aws:cloudformation:stack-name", "Value": name},
                                        {"Key": "aws:cloudformation:logical-id", "Value": logical},
                                        {"Key": "aws:cloudformation:stack-id", "Value": sid}]
        if t != "AWS::S3::BucketPolicy":
            deployed["Tags"] = dtags
        res[logical] = {"Type": t, "Properties": props}
        rec = {"Identifier": phys, "Properties": json.dumps(deployed, separators=(",", ":"))}
        if shape == "list":
            f = files[t]
            f.write(("" if first[t] else ",\n") + "        " + json.dumps(rec))
            first[t] = False
        else:
            with open("%s/exports/get-%s-%s-%s.json" % (out, t.replace("::", "-"), name, logical), "w") as g:
                json.dump({"TypeName": t, "ResourceDescription": rec}, g, indent=4)
        stack_res.append({"StackName": name, "StackId": sid, "LogicalResourceId": logical,
                          "PhysicalResourceId": phys, "ResourceType": t,
                          "Timestamp": "2026-04-01T09:00:00.000000+00:00", "ResourceStatus": "CREATE_COMPLETE",
                          "DriftInformation": {"StackResourceDriftStatus": "NOT_CHECKED"}})
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {"Suffix0": {"Type": "String", "Default": ""}},
           "Resources": res}
    json.dump(doc, open("%s/templates/%s.json" % (out, name), "w"), indent=1)
    stacks.append({"StackId": sid, "StackName": name, "Parameters": [{"ParameterKey": "Suffix0", "ParameterValue": ""}],
                   "CreationTime": "2026-04-01T09:00:00.000000+00:00", "StackStatus": "CREATE_COMPLETE"})
for f in files.values():
    f.write("\n    ]\n}\n")
    f.close()
json.dump({"Stacks": stacks}, open(out + "/exports/describe-stacks.json", "w"), indent=4)
json.dump({"StackResources": stack_res}, open(out + "/exports/describe-stack-resources.json", "w"), indent=4)
