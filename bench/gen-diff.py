#!/usr/bin/env python3
"""gen-diff.py: a pair of CloudFormation templates for the diff benchmark.

Usage: bench/gen-diff.py N OUT_DIR  ->  OUT_DIR/before.json, OUT_DIR/after.json

N resources of eight types in the before template (buckets, queues, topics,
tables, log groups, keys, roles, parameters); the after template changes a
few percent of them the ways a template update does: in-place changes
(nested and top-level properties, tags, a policy statement added), changes
of create-only properties (names; a key spec, which CloudFormation refuses
rather than replaces), a type changed, resources added and removed. It
leaves out the conditionally create-only properties (a DynamoDB key schema),
on which the registry schemas and CDK's own specification disagree: hinagata
says such a change may replace the resource, CDK that it will. Deterministic (seeded), so a run compares the same pair
as the last.
"""
import json
import random
import sys

n = int(sys.argv[1])
out = sys.argv[2]
rnd = random.Random(16)

TYPES = ["AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::DynamoDB::Table",
         "AWS::Logs::LogGroup", "AWS::KMS::Key", "AWS::IAM::Role", "AWS::SSM::Parameter"]


def resource(i, t, v):
    """Resource i of type t, in variant v (0: before; 1: an in-place change; 2: a create-only change)."""
    tags = [{"Key": "system", "Value": "bench"}, {"Key": "n", "Value": str(i)}]
    if t == "AWS::S3::Bucket":
        p = {"BucketName": "bench-%d%s" % (i, "-r" if v == 2 else ""),
             "VersioningConfiguration": {"Status": "Suspended" if v == 1 else "Enabled"},
             "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                 {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
             "Tags": tags}
    elif t == "AWS::SQS::Queue":
        p = {"QueueName": "bench-q-%d%s" % (i, "-r" if v == 2 else ""),
             "MessageRetentionPeriod": 1209600 if v == 1 else 345600, "Tags": tags}
    elif t == "AWS::SNS::Topic":
        p = {"TopicName": "bench-t-%d%s" % (i, "-r" if v == 2 else ""),
             "DisplayName": "topic %d%s" % (i, " (changed)" if v == 1 else "")}
    elif t == "AWS::DynamoDB::Table":
        p = {"TableName": "bench-tb-%d%s" % (i, "-r" if v == 2 else ""), "BillingMode": "PAY_PER_REQUEST",
             "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
             "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": v == 1}}
    elif t == "AWS::Logs::LogGroup":
        p = {"LogGroupName": "/bench/%d%s" % (i, "-r" if v == 2 else ""),
             "RetentionInDays": 731 if v == 1 else 365}
    elif t == "AWS::KMS::Key":
        p = {"EnableKeyRotation": v != 1, "KeySpec": "RSA_2048" if v == 2 else "SYMMETRIC_DEFAULT",
             "KeyPolicy": {"Version": "2012-10-17", "Statement": [
                 {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                  "Action": "kms:*", "Resource": "*"}]}}
    elif t == "AWS::IAM::Role":
        stmts = [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
        if v == 1:
            stmts.append({"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"})
        p = {"RoleName": "bench-role-%d%s" % (i, "-r" if v == 2 else ""),
             "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": stmts}}
    else:
        p = {"Name": "/bench/p%d%s" % (i, "-r" if v == 2 else ""), "Type": "String",
             "Value": "value %d%s" % (i, " v2" if v == 1 else "")}
    r = {"Type": t, "Properties": p}
    if t in ("AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::Logs::LogGroup"):
        r["DeletionPolicy"] = "Retain" if i % 3 == 0 else "Delete"
    return r


before = {"AWSTemplateFormatVersion": "2010-09-09", "Description": "hinagata diff benchmark", "Resources": {}}
after = {"AWSTemplateFormatVersion": "2010-09-09", "Description": "hinagata diff benchmark", "Resources": {}}
for i in range(n):
    t = TYPES[i % len(TYPES)]
    lid = "R%06d" % i
    before["Resources"][lid] = resource(i, t, 0)
    x = rnd.random()
    if x < 0.01:
        continue                                    # removed
    if x < 0.04:
        after["Resources"][lid] = resource(i, t, 1)  # changed in place
    elif x < 0.06:
        after["Resources"][lid] = resource(i, t, 2)  # a create-only property changed
    elif x < 0.062:
        t2 = TYPES[(i + 1) % len(TYPES)]             # another type under the same ID
        after["Resources"][lid] = resource(i, t2, 0)
    else:
        after["Resources"][lid] = resource(i, t, 0)
for i in range(n, n + n // 100):                     # added
    after["Resources"]["N%06d" % i] = resource(i, TYPES[i % len(TYPES)], 0)
for name, doc in (("before", before), ("after", after)):
    with open("%s/%s.json" % (out, name), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
