/*
 * test_canon_rules.c: each canonicalization rule, with a difference it
 * must fold (a false positive otherwise) and a real drift it must keep.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../drift/compare.h"

static hg_canon *canon;
static hg_diags diags;

static void setup(void)
{
	hg_diags_init(&diags);
	canon = hg_canon_open(HG_TEST_DATA "/../schemas", &diags);
	cr_assert_not_null(canon);
}

static void teardown(void)
{
	hg_canon_free(canon);
	hg_diags_dispose(&diags);
}

TestSuite(canon_rules, .init = setup, .fini = teardown);

/* Compare desired with deployed (both JSON objects of properties). */
static hg_drift_result run(const char *type, const char *desired, const char *deployed,
        hg_arena *keep, const char *const *locked, size_t nlocked)
{
	hg_arena *tmp = hg_arena_new();
	hg_jv *d = NULL, *a = NULL;
	hg_jv_error err;
	hg_compare c;
	hg_drift_result r;

	cr_assert_eq(hg_jv_parse(&d, keep, desired, strlen(desired), 64, &err), 0, "%s", desired);
	cr_assert_eq(
	        hg_jv_parse(&a, keep, deployed, strlen(deployed), 64, &err), 0, "%s", deployed);
	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.canon = canon;
	c.tmp = tmp;
	c.keep = keep;
	c.type = type;
	c.locked = locked;
	c.nlocked = nlocked;
	c.want_hashes = true;
	hg_compare_resource(&c, &r, d, a);
	hg_arena_dispose(tmp);
	return r;
}

static bool folded(const hg_drift_result *r, const char *rule)
{
	size_t i;
	for (i = 0; i < r->nfolds; i++)
		if (strncmp(r->folds[i], rule, strlen(rule)) == 0)
			return true;
	return false;
}

/* One rule: the harmless pair is in sync and names the rule; the drift pair has exactly one diff.
 */
static void rule(const char *name, const char *type, const char *desired, const char *harmless,
        const char *drifted, const char *path, hg_diff_kind kind)
{
	hg_arena *a = hg_arena_new();
	hg_drift_result ok = run(type, desired, harmless, a, NULL, 0);
	hg_drift_result bad = run(type, desired, drifted, a, NULL, 0);

	cr_expect_eq(ok.status, HG_DS_IN_SYNC, "%s: harmless difference reported as drift (%s)",
	        name, ok.ndiffs ? ok.diffs[0].path : "");
	cr_expect_str_eq(
	        ok.expected_hash, ok.actual_hash, "%s: hashes of equal forms differ", name);
	if (name)
		cr_expect(folded(&ok, name), "%s: the fold is not attributed to the rule (%s)", name, desired);
	cr_expect_eq(bad.status, HG_DS_MODIFIED, "%s: the real drift was folded away", name);
	cr_expect_eq(bad.ndiffs, 1, "%s: %zu differences", name, bad.ndiffs);
	if (bad.ndiffs) {
		cr_expect_str_eq(bad.diffs[0].path, path, "%s", name);
		cr_expect_eq(bad.diffs[0].kind, kind, "%s", name);
	}
	hg_arena_dispose(a);
}

Test(canon_rules, json_string)
{
	rule("json-string", "AWS::Events::Rule",
	        "{\"EventPattern\":{\"source\":[\"aws.guardduty\"]}}",
	        "{\"EventPattern\":\"{\\\"source\\\":[\\\"aws.guardduty\\\"]}\"}",
	        "{\"EventPattern\":\"{\\\"source\\\":[\\\"aws.securityhub\\\"]}\"}",
	        "/EventPattern/source/0", HG_DIFF_NOT_EQUAL);
}

Test(canon_rules, scalar_coercion)
{
	rule("scalar-coercion", "AWS::Logs::LogGroup", "{\"RetentionInDays\":\"2555\"}",
	        "{\"RetentionInDays\":2555}", "{\"RetentionInDays\":365}", "/RetentionInDays",
	        HG_DIFF_NOT_EQUAL);
	rule("scalar-coercion", "AWS::CloudTrail::Trail", "{\"IsLogging\":true}",
	        "{\"IsLogging\":\"true\"}", "{\"IsLogging\":false}", "/IsLogging",
	        HG_DIFF_NOT_EQUAL);
}

/* Coerced scalars compare as text but are reported as what they were written as. */
Test(canon_rules, scalar_display)
{
	hg_arena *a = hg_arena_new();
	hg_drift_result r = run("AWS::EC2::SecurityGroup",
	        "{\"GroupDescription\":\"app\",\"Tags\":[{\"Key\":\"n\",\"Value\":\"10\"}],"
	        "\"SecurityGroupIngress\":[{\"IpProtocol\":\"tcp\",\"FromPort\":443,"
	        "\"ToPort\":\"443\",\"CidrIp\":\"10.0.0.0/8\"}]}",
	        "{\"GroupDescription\":\"app\",\"Tags\":[{\"Key\":\"n\",\"Value\":\"11\"}],"
	        "\"SecurityGroupIngress\":[{\"IpProtocol\":\"tcp\",\"FromPort\":\"22\","
	        "\"ToPort\":22.0,\"CidrIp\":\"0.0.0.0/0\"}]}",
	        a, NULL, 0);

	cr_assert_eq(r.status, HG_DS_MODIFIED);
	cr_assert_eq(r.ndiffs, 4);
	cr_expect_str_eq(r.diffs[0].path, "/Tags/0/Value");
	cr_expect_str_eq(r.diffs[0].expected, "\"10\"");
	cr_expect_str_eq(r.diffs[0].actual, "\"11\"");
	/* an item's members in canonical (key) order */
	cr_expect_str_eq(r.diffs[1].path, "/SecurityGroupIngress/0/CidrIp");
	cr_expect_str_eq(r.diffs[2].path, "/SecurityGroupIngress/0/FromPort");
	cr_expect_str_eq(r.diffs[2].expected, "443");
	cr_expect_str_eq(r.diffs[2].actual, "\"22\""); /* as written: a string */
	cr_expect_str_eq(r.diffs[3].path, "/SecurityGroupIngress/0/ToPort");
	cr_expect_str_eq(r.diffs[3].expected, "\"443\"");
	cr_expect_str_eq(r.diffs[3].actual, "22");    /* 22.0, canonical */
	hg_arena_dispose(a);
}

/*
 * CloudFormation's own coercion, case by case: where the registry schema
 * says boolean, a string in any case is the boolean; where it says integer,
 * a numeric string is the number. Where it says string, nothing is coerced.
 */
struct coercion {
	const char *type, *desired, *harmless, *drifted, *path;
};

Test(canon_rules, cfn_scalar_coercion)
{
	static const struct coercion cases[] = {
	        /* booleans written as strings, any case */
	        {"AWS::CloudTrail::Trail", "{\"IsLogging\":\"False\"}", "{\"IsLogging\":false}",
	                "{\"IsLogging\":true}", "/IsLogging"},
	        {"AWS::CloudTrail::Trail", "{\"IsLogging\":\"True\"}", "{\"IsLogging\":true}",
	                "{\"IsLogging\":false}", "/IsLogging"},
	        {"AWS::CloudTrail::Trail", "{\"IsLogging\":\"TRUE\"}", "{\"IsLogging\":true}",
	                "{\"IsLogging\":false}", "/IsLogging"},
	        {"AWS::KMS::Key", "{\"EnableKeyRotation\":\"false\"}", "{\"EnableKeyRotation\":false}",
	                "{\"EnableKeyRotation\":true}", "/EnableKeyRotation"},
	        /* ... in nested objects too */
	        {"AWS::S3::Bucket",
	                "{\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":\"TRUE\"}}",
	                "{\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":true}}",
	                "{\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":false}}",
	                "/PublicAccessBlockConfiguration/BlockPublicAcls"},
	        /* numbers written as strings */
	        {"AWS::Logs::LogGroup", "{\"RetentionInDays\":\"365\"}", "{\"RetentionInDays\":365}",
	                "{\"RetentionInDays\":366}", "/RetentionInDays"},
	        {"AWS::SQS::Queue", "{\"VisibilityTimeout\":\"060\"}", "{\"VisibilityTimeout\":60}",
	                "{\"VisibilityTimeout\":61}", "/VisibilityTimeout"},
	        {"AWS::SQS::Queue", "{\"VisibilityTimeout\":60}", "{\"VisibilityTimeout\":\"60\"}",
	                "{\"VisibilityTimeout\":\"61\"}", "/VisibilityTimeout"},
	};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		rule("scalar-coercion", cases[i].type, cases[i].desired, cases[i].harmless,
		        cases[i].drifted, cases[i].path, HG_DIFF_NOT_EQUAL);
}

/* A string property is compared as written: "True" is not "true" there. */
Test(canon_rules, no_coercion_of_strings)
{
	hg_arena *a = hg_arena_new();
	hg_drift_result r = run("AWS::SNS::Topic", "{\"DisplayName\":\"True\"}",
	        "{\"DisplayName\":\"true\"}", a, NULL, 0);
	cr_expect_eq(r.status, HG_DS_MODIFIED);
	r = run("AWS::SNS::Topic", "{\"DisplayName\":\"010\"}", "{\"DisplayName\":\"10\"}", a, NULL, 0);
	cr_expect_eq(r.status, HG_DS_MODIFIED);
	hg_arena_dispose(a);
}

Test(canon_rules, unordered_array)
{
	rule("unordered-array", "AWS::RDS::DBInstance",
	        "{\"EnableCloudwatchLogsExports\":[\"postgresql\",\"upgrade\"]}",
	        "{\"EnableCloudwatchLogsExports\":[\"upgrade\",\"postgresql\"]}",
	        "{\"EnableCloudwatchLogsExports\":[\"postgresql\"]}",
	        "/EnableCloudwatchLogsExports/1", HG_DIFF_REMOVE);
	/* Azure: an NSG's rules are a set (their priorities order them), aligned by name. */
	rule("identity-key", "Microsoft.Network/networkSecurityGroups",
	        "{\"properties\":{\"securityRules\":[{\"name\":\"a\",\"properties\":{\"priority\":"
	        "100}},"
	        "{\"name\":\"b\",\"properties\":{\"priority\":110}}]}}",
	        "{\"properties\":{\"securityRules\":[{\"name\":\"b\",\"properties\":{\"priority\":"
	        "110}},"
	        "{\"name\":\"a\",\"properties\":{\"priority\":100}}]}}",
	        "{\"properties\":{\"securityRules\":[{\"name\":\"b\",\"properties\":{\"priority\":"
	        "120}},"
	        "{\"name\":\"a\",\"properties\":{\"priority\":100}}]}}",
	        "/properties/securityRules/1/properties/priority", HG_DIFF_NOT_EQUAL);
}

Test(canon_rules, identity_key)
{
	rule("identity-key", "AWS::EC2::VPC",
	        "{\"Tags\":[{\"Key\":\"system\",\"Value\":\"juki\"},{\"Key\":\"env\",\"Value\":"
	        "\"prod\"}]}",
	        "{\"Tags\":[{\"Key\":\"env\",\"Value\":\"prod\"},{\"Key\":\"system\",\"Value\":"
	        "\"juki\"}]}",
	        "{\"Tags\":[{\"Key\":\"env\",\"Value\":\"stg\"},{\"Key\":\"system\",\"Value\":"
	        "\"juki\"}]}",
	        "/Tags/0/Value", HG_DIFF_NOT_EQUAL);
}

Test(canon_rules, id_set)
{
	/* a type without a schema: only the values say these are IDs */
	rule("id-set", "Custom::Network", "{\"Subnets\":[\"subnet-0aaa\",\"subnet-0bbb\"]}",
	        "{\"Subnets\":[\"subnet-0bbb\",\"subnet-0aaa\"]}",
	        "{\"Subnets\":[\"subnet-0bbb\",\"subnet-0ccc\"]}", "/Subnets/0", HG_DIFF_NOT_EQUAL);
}

Test(canon_rules, policy_document)
{
	rule("policy-document", "AWS::IAM::ManagedPolicy",
	        "{\"PolicyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	        "\"Allow\","
	        "\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Principal\":{\"AWS\":"
	        "\"123456789012\"}}]}}",
	        "{\"PolicyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	        "\"Allow\","
	        "\"Action\":[\"S3:GetObject\"],\"Resource\":[\"*\"],\"Principal\":{\"AWS\":[\"arn:"
	        "aws:iam::"
	        "123456789012:root\"]}}]}}",
	        "{\"PolicyDocument\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
	        "\"Allow\","
	        "\"Action\":[\"s3:*\"],\"Resource\":[\"*\"],\"Principal\":{\"AWS\":[\"arn:aws:iam::"
	        "123456789012:root\"]}}]}}",
	        "/PolicyDocument/Statement/0/Action/0", HG_DIFF_NOT_EQUAL);
}

/* The canonical text of a value (hg_canon_value at path of type). */
static void canonical_of(hg_buf *out, const char *type, const char *path, const char *json)
{
	hg_arena *a = hg_arena_new();
	hg_jv *v = NULL;
	hg_jv_error err;

	cr_assert_eq(hg_jv_parse(&v, a, json, strlen(json), 64, &err), 0, "%s", json);
	hg_jv_canonical(out, hg_canon_value(canon, a, type, path, v, HG_SIDE_DEPLOYED, NULL, NULL));
	hg_arena_dispose(a);
}

/*
 * Sorted items are in the order of their canonical texts, also where the
 * plain strings are compared without writing them: where one string ends,
 * its closing quote sorts after ' ' and '!' and before every other byte; a
 * string with a byte JSON escapes, and tags that share a key, take the
 * written texts (the same order).
 */
Test(canon_rules, sorted_items_follow_their_canonical_texts)
{
	static const struct {
		const char *type, *path, *in, *want;
	} cases[] = {
	        {"AWS::S3::Bucket", "/Tags",
	                "[{\"Key\":\"abc\"},{\"Key\":\"ab\"},{\"Key\":\"ab!\"},{\"Key\":\"a\"},"
	                "{\"Key\":\"ab c\"}]",
	                "[{\"Key\":\"a\"},{\"Key\":\"ab c\"},{\"Key\":\"ab!\"},{\"Key\":\"ab\"},"
	                "{\"Key\":\"abc\"}]"},
	        {"AWS::S3::Bucket", "/Tags",
	                "[{\"Key\":\"k\",\"Value\":\"b\"},{\"Key\":\"k\",\"Value\":\"a\"},{\"Key\":\"j\"}]",
	                "[{\"Key\":\"j\"},{\"Key\":\"k\",\"Value\":\"a\"},{\"Key\":\"k\",\"Value\":\"b\"}]"},
	        {"AWS::IAM::ManagedPolicy", "/PolicyDocument",
	                "{\"Statement\":{\"Action\":[\"s3:get\",\"s3:ge t\",\"s3:ge\",\"s3:ge!\","
	                "\"s3:g\\\"\"]}}",
	                "{\"Statement\":[{\"Action\":[\"s3:g\\\"\",\"s3:ge t\",\"s3:ge!\",\"s3:ge\","
	                "\"s3:get\"]}],\"Version\":\"2012-10-17\"}"},
	        {"AWS::IAM::ManagedPolicy", "/PolicyDocument",
	                "{\"Statement\":{\"Resource\":[\"b\",\"a!\",\"a\",\"a \",\"\u00e9\",\"B\"]}}",
	                "{\"Statement\":[{\"Resource\":[\"B\",\"a \",\"a!\",\"a\",\"b\",\"\u00e9\"]}],"
	                "\"Version\":\"2012-10-17\"}"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		hg_buf got = HG_BUF_INIT;
		canonical_of(&got, cases[i].type, cases[i].path, cases[i].in);
		cr_expect_str_eq(got.ptr, cases[i].want, "case %zu", i);
		hg_buf_dispose(&got);
	}
}

Test(canon_rules, system_tags)
{
	rule("system-tags", "AWS::S3::Bucket",
	        "{\"Tags\":[{\"Key\":\"system\",\"Value\":\"juki\"}]}",
	        "{\"Tags\":[{\"Key\":\"aws:cloudformation:stack-name\",\"Value\":\"s\"},{\"Key\":"
	        "\"system\",\"Value\":\"juki\"}]}",
	        "{\"Tags\":[{\"Key\":\"aws:cloudformation:stack-name\",\"Value\":\"s\"},{\"Key\":"
	        "\"system\",\"Value\":\"juki\"},{\"Key\":\"owner\",\"Value\":\"x\"}]}",
	        "/Tags/0", HG_DIFF_ADD);
}

Test(canon_rules, system_tags_only_in_tag_lists)
{
	/* An "aws:" key outside a tag list is data, not a system tag. */
	hg_arena *a = hg_arena_new();
	hg_drift_result r =
	        run("AWS::Events::Rule", "{\"EventPattern\":{\"detail\":{\"aws:x\":[\"1\"]}}}",
	                "{\"EventPattern\":{\"detail\":{}}}", a, NULL, 0);
	cr_expect_eq(r.status, HG_DS_MODIFIED);
	hg_arena_dispose(a);
}

Test(canon_rules, ordered_list_order_is_drift)
{
	hg_arena *a = hg_arena_new();
	hg_drift_result r = run("AWS::Custom::Ordered", "{\"Steps\":[\"one\",\"two\"]}",
	        "{\"Steps\":[\"two\",\"one\"]}", a, NULL, 0);
	cr_expect_eq(r.status, HG_DS_MODIFIED);
	cr_assert_eq(r.ndiffs, 1);
	cr_expect_str_eq(r.diffs[0].path, "/Steps");
	hg_arena_dispose(a);
}

Test(canon_rules, service_default)
{
	rule("service-default", "AWS::SQS::Queue", "{\"QueueName\":\"q\",\"DelaySeconds\":0}",
	        "{\"QueueName\":\"q\"}", "{\"QueueName\":\"q\",\"DelaySeconds\":5}",
	        "/DelaySeconds", HG_DIFF_NOT_EQUAL);
}

Test(canon_rules, azure_id_case)
{
	rule("azure-id-case", "Microsoft.Network/virtualNetworks/subnets",
	        "{\"networkSecurityGroup\":{\"id\":\"/subscriptions/0000/resourceGroups/rg-juki/"
	        "providers/Microsoft.Network/networkSecurityGroups/nsg-app\"}}",
	        "{\"networkSecurityGroup\":{\"id\":\"/subscriptions/0000/resourcegroups/RG-JUKI/"
	        "providers/microsoft.network/networkSecurityGroups/nsg-app\"}}",
	        "{\"networkSecurityGroup\":{\"id\":\"/subscriptions/0000/resourceGroups/rg-juki/"
	        "providers/Microsoft.Network/networkSecurityGroups/nsg-other\"}}",
	        "/networkSecurityGroup/id", HG_DIFF_NOT_EQUAL);
}

Test(canon_rules, azure_location)
{
	rule("azure-location", "Microsoft.Network/networkSecurityGroups",
	        "{\"location\":\"Japan East\"}", "{\"location\":\"japaneast\"}",
	        "{\"location\":\"japanwest\"}", "/location", HG_DIFF_NOT_EQUAL);
}

Test(canon_rules, read_only_and_undeclared_ignored)
{
	/* The export has read-only attributes and settings the template does not declare. */
	rule(NULL, "AWS::S3::Bucket", "{\"BucketName\":\"b\"}",
	        "{\"BucketName\":\"b\",\"Arn\":\"arn:aws:s3:::b\",\"DomainName\":\"b.s3.amazonaws."
	        "com\"}",
	        "{\"BucketName\":\"c\",\"Arn\":\"arn:aws:s3:::c\"}", "/BucketName",
	        HG_DIFF_NOT_EQUAL);
}

Test(canon_rules, locked_and_masked)
{
	static const char *const locked[] = {"/VersioningConfiguration/Status"};
	hg_arena *a = hg_arena_new();
	hg_drift_result r =
	        run("AWS::S3::Bucket", "{\"VersioningConfiguration\":{\"Status\":\"Enabled\"}}",
	                "{\"VersioningConfiguration\":{\"Status\":\"Suspended\"}}", a, locked, 1);
	cr_assert_eq(r.ndiffs, 1);
	cr_expect(r.diffs[0].locked);
	cr_expect_str_eq(r.diffs[0].expected, "\"Enabled\"");
	r = run("AWS::RDS::DBInstance", "{\"MasterUserPassword\":\"hunter2\"}",
	        "{\"MasterUserPassword\":\"other\"}", a, NULL, 0);
	cr_assert_eq(r.ndiffs, 1);
	cr_expect_str_eq(r.diffs[0].expected, "****");
	cr_expect_str_eq(r.diffs[0].actual, "****");
	hg_arena_dispose(a);
}
