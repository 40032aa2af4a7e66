/*
 * test_canon_rules.c: each canonicalization rule, with a difference it
 * must fold (a false positive otherwise) and a real drift it must keep.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <pthread.h>
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

/* hg_compare_resource of desired and deployed with the canon cn (hashes wanted). */
static hg_drift_result compare_in(hg_canon *cn, const char *type, const hg_jv *d, const hg_jv *a,
        hg_arena *tmp, hg_arena *keep, const char *const *locked, size_t nlocked)
{
	hg_compare c;
	hg_drift_result r;
	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	c.canon = cn;
	c.tmp = tmp;
	c.keep = keep;
	c.type = type;
	c.locked = locked;
	c.nlocked = nlocked;
	c.want_hashes = true;
	hg_compare_resource(&c, &r, d, a);
	return r;
}

/* Compare desired with deployed (both JSON objects of properties). */
static hg_drift_result run(const char *type, const char *desired, const char *deployed,
        hg_arena *keep, const char *const *locked, size_t nlocked)
{
	hg_arena *tmp = hg_arena_new();
	hg_jv *d = NULL, *a = NULL;
	hg_jv_error err;
	hg_drift_result r;

	cr_assert_eq(hg_jv_parse(&d, keep, desired, strlen(desired), 64, &err), 0, "%s", desired);
	cr_assert_eq(
	        hg_jv_parse(&a, keep, deployed, strlen(deployed), 64, &err), 0, "%s", deployed);
	r = compare_in(canon, type, d, a, tmp, keep, locked, nlocked);
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

/*
 * Canons of one root (hg_canon_open_like: a thread's own caches, the root's
 * tables and schema store) on two threads at once answer as the root does:
 * each coercion case asks the shared store (booleans and numbers are
 * schema facts), read by whichever thread comes first, under its lock.
 */
struct worker_run {
	const struct coercion *cases;
	size_t ncases;
	int in_sync, drifted; /* cases the harmless pair kept in sync, the drifted one did not */
};

static int compare_with(hg_canon *cn, const char *type, const char *desired, const char *deployed)
{
	hg_arena *keep = hg_arena_new(), *tmp = hg_arena_new();
	hg_jv *d = NULL, *a = NULL;
	int status = -1;

	if (hg_jv_parse(&d, keep, desired, strlen(desired), 64, NULL) == 0 &&
	        hg_jv_parse(&a, keep, deployed, strlen(deployed), 64, NULL) == 0)
		status = (int)compare_in(cn, type, d, a, tmp, keep, NULL, 0).status;
	hg_arena_dispose(tmp);
	hg_arena_dispose(keep);
	return status;
}

static void *coerce_on_a_thread(void *arg)
{
	struct worker_run *w = arg;
	hg_canon *mine = hg_canon_open_like(canon);
	size_t i;
	int round;
	for (round = 0; round < 20; round++)
		for (i = 0; i < w->ncases; i++) {
			const struct coercion *k = &w->cases[i];
			w->in_sync += compare_with(mine, k->type, k->desired, k->harmless) ==
			              HG_DS_IN_SYNC;
			w->drifted += compare_with(mine, k->type, k->desired, k->drifted) ==
			              HG_DS_MODIFIED;
		}
	hg_canon_free(mine); /* before the root: it borrows the root's tables */
	return NULL;
}

Test(canon_rules, canons_of_one_root_on_two_threads)
{
	static const struct coercion cases[] = {
	        {"AWS::CloudTrail::Trail", "{\"IsLogging\":\"False\"}", "{\"IsLogging\":false}",
	                "{\"IsLogging\":true}", "/IsLogging"},
	        {"AWS::S3::Bucket",
	                "{\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":\"TRUE\"}}",
	                "{\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":true}}",
	                "{\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":false}}",
	                "/PublicAccessBlockConfiguration/BlockPublicAcls"},
	        {"AWS::SQS::Queue", "{\"VisibilityTimeout\":\"060\"}", "{\"VisibilityTimeout\":60}",
	                "{\"VisibilityTimeout\":61}", "/VisibilityTimeout"},
	        {"AWS::Logs::LogGroup", "{\"RetentionInDays\":\"365\"}",
	                "{\"RetentionInDays\":365}", "{\"RetentionInDays\":366}",
	                "/RetentionInDays"},
	};
	struct worker_run w[2];
	pthread_t t[2];
	int i;

	/* a fresh root: its store not read yet, the threads race to read it */
	hg_canon_free(canon);
	canon = hg_canon_open(HG_TEST_DATA "/../schemas", &diags);
	cr_assert_not_null(canon);
	for (i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].cases = cases;
		w[i].ncases = sizeof(cases) / sizeof(cases[0]);
		cr_assert_eq(pthread_create(&t[i], NULL, coerce_on_a_thread, &w[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(w[i].in_sync, 20 * 4, "thread %d: in sync %d of 80", i, w[i].in_sync);
		cr_expect_eq(w[i].drifted, 20 * 4, "thread %d: drifted %d of 80", i, w[i].drifted);
	}
	/* the root answers the same after its children are gone */
	cr_expect_eq(compare_with(canon, cases[2].type, cases[2].desired, cases[2].harmless),
	        HG_DS_IN_SYNC);
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

/* ---- tags compared without the walk (hg_canon_tags_equal) ---- */

struct fold_log {
	char text[512];
};

static void log_fold(const char *rule, const char *path, void *payload)
{
	struct fold_log *l = payload;
	char one[128];
	snprintf(one, sizeof(one), "%s %s;", rule, path);
	if (!strstr(l->text, one)) /* compare.c hears each rule once */
		strncat(l->text, one, sizeof(l->text) - strlen(l->text) - 1);
}

/* Up to 5 tags from a small alphabet of keys and values, as JSON texts, into t. */
static unsigned tags_of(char t[5][96], unsigned *seed, bool tricky)
{
	static const char *const keys[] = {"a", "b", "ab", "ab!", "ab c", "B", "owner", "z",
	        "aws:cloudformation:x", "true", "k\\\"q"};
	static const char *const vals[] = {"x", "y", "", "10", "False", "{\\\"a\\\":1}",
	        "/subscriptions/S/resourceGroups/R", " [1]", "ops-1"};
	unsigned n, i;

	*seed = *seed * 1103515245u + 12345u;
	n = (*seed >> 16) % 6;
	for (i = 0; i < n; i++) {
		unsigned k, v, shape;
		*seed = *seed * 1103515245u + 12345u;
		/* plain tags: distinct keys (tags of one key are sorted by content, by the walk) */
		k = tricky ? (*seed >> 16) % 11 : (n * 5 + i) % 8;
		v = (*seed >> 20) % (tricky ? 9 : 2);
		shape = tricky ? (*seed >> 24) % 8 : (*seed >> 24) % 2;
		if (shape == 1)
			snprintf(t[i], 96, "{\"Value\":\"%s\",\"Key\":\"%s\"}", vals[v], keys[k]);
		else if (shape == 2)
			snprintf(t[i], 96, "{\"Key\":\"%s\"}", keys[k]);
		else if (shape == 3)
			snprintf(t[i], 96, "{\"Key\":\"%s\",\"Value\":\"%s\",\"X\":1}", keys[k],
			        vals[v]);
		else if (shape == 4)
			snprintf(t[i], 96, "{\"Key\":\"%s\",\"Value\":%s}", keys[k],
			        v % 2 ? "true" : "1");
		else if (shape == 5)
			snprintf(t[i], 96, "\"%s\"", keys[k]);
		else
			snprintf(t[i], 96, "{\"Key\":\"%s\",\"Value\":\"%s\"}", keys[k], vals[v]);
	}
	return n;
}

/* The tags as a JSON list, from the first or (backwards) from the last. */
static void list_of(hg_buf *out, char t[5][96], unsigned n, bool backwards)
{
	unsigned i;
	hg_buf_putc(out, '[');
	for (i = 0; i < n; i++)
		hg_buf_printf(out, "%s%s", i ? "," : "", t[backwards ? n - 1 - i : i]);
	hg_buf_putc(out, ']');
}

/*
 * Whenever the fast comparison of two tag lists says equal, the walk says
 * so too, with the same folds in the same order and the same canonical
 * form; on plain tags (distinct keys, no system tag, strings no rule
 * changes, members in either order) it always decides as the walk does. 3,000 pairs: a third
 * the same tags in reverse order, half with every shape the walk treats
 * otherwise (system tags, JSON, booleans and numbers as strings, Azure
 * IDs, escapes, tags of one key, missing or extra members, non-objects).
 */
Test(canon_rules, tags_compared_without_the_walk_agree_with_it)
{
	unsigned seed = 7, i, fast_equal = 0, walk_equal = 0;

	for (i = 0; i < 3000; i++) {
		hg_arena *a = hg_arena_new();
		hg_buf x = HG_BUF_INIT, y = HG_BUF_INIT, cx = HG_BUF_INIT, cy = HG_BUF_INIT;
		bool tricky = i % 2 == 1, walk_same;
		struct fold_log fast, walk;
		hg_jv *d = NULL, *p = NULL, *canon_fast = NULL, *cd, *cp;
		hg_jv_error err;
		char tx[5][96], ty[5][96];
		unsigned nx = tags_of(tx, &seed, tricky), ny;
		int r;

		list_of(&x, tx, nx, false);
		if (i % 3 == 0)
			list_of(&y, tx, nx, true);
		else {
			ny = tags_of(ty, &seed, tricky);
			list_of(&y, ty, ny, false);
		}
		cr_assert_eq(hg_jv_parse(&d, a, x.ptr, x.size, 64, &err), 0, "%s", x.ptr);
		cr_assert_eq(hg_jv_parse(&p, a, y.ptr, y.size, 64, &err), 0, "%s", y.ptr);
		memset(&fast, 0, sizeof(fast));
		memset(&walk, 0, sizeof(walk));
		r = hg_canon_tags_equal(canon, a, "/Tags", d, p, &canon_fast, log_fold, &fast);
		cd = hg_canon_value(
		        canon, a, "AWS::S3::Bucket", "/Tags", d, HG_SIDE_DESIRED, log_fold, &walk);
		cp = hg_canon_value(
		        canon, a, "AWS::S3::Bucket", "/Tags", p, HG_SIDE_DEPLOYED, log_fold, &walk);
		walk_same = hg_jv_equal(cd, cp);
		hg_jv_canonical(&cx, cd);
		if (r) {
			fast_equal++;
			cr_assert(walk_same, "%s vs %s", x.ptr, y.ptr);
			cr_assert_str_eq(fast.text, walk.text, "%s vs %s", x.ptr, y.ptr);
			hg_jv_canonical(&cy, canon_fast);
			cr_assert_str_eq(cy.ptr, cx.ptr, "%s", x.ptr);
		} else
			cr_assert_str_eq(
			        fast.text, "", "%s vs %s: folded without deciding", x.ptr, y.ptr);
		if (!tricky)
			cr_assert_eq(r == 1, walk_same, "%s vs %s", x.ptr, y.ptr);
		walk_equal += walk_same;
		hg_buf_dispose(&x);
		hg_buf_dispose(&y);
		hg_buf_dispose(&cx);
		hg_buf_dispose(&cy);
		hg_arena_dispose(a);
	}
	/* both answers occur, and the walk is needed for some */
	cr_assert_gt(fast_equal, 500, "%u", fast_equal);
	cr_assert_gt(walk_equal - fast_equal, 20, "%u %u", walk_equal, fast_equal);
}

/* The fast comparison's answers and folds, case by case (the walk's, in its order). */
Test(canon_rules, tags_compared_without_the_walk)
{
	static const struct {
		const char *desired, *deployed, *folds;
		int equal;
	} cases[] = {
	        /* desired sorted by the walk, deployed had a system tag: in that order */
	        {"[{\"Key\":\"b\",\"Value\":\"x\"},{\"Key\":\"a\",\"Value\":\"y\"}]",
	                "[{\"Key\":\"a\",\"Value\":\"y\"},{\"Key\":\"aws:cloudformation:stack-"
	                "name\","
	                "\"Value\":\"s\"},{\"Value\":\"x\",\"Key\":\"b\"}]",
	                "identity-key /Tags;system-tags /Tags;", 1},
	        {"[]", "[{\"Key\":\"aws:x\",\"Value\":\"1\"}]", "system-tags /Tags;", 1},
	        {"[{\"Key\":\"a\",\"Value\":\"x\"}]", "[{\"Key\":\"a\",\"Value\":\"x\"}]", "", 1},
	        /* two tags of one key are sorted by content: the walk decides */
	        {"[{\"Key\":\"k\",\"Value\":\"y\"},{\"Key\":\"k\",\"Value\":\"x\"}]",
	                "[{\"Key\":\"k\",\"Value\":\"y\"},{\"Key\":\"k\",\"Value\":\"x\"}]", "", 0},
	        /* a value that scalar coercion may change: the walk decides */
	        {"[{\"Key\":\"a\",\"Value\":\"true\"}]", "[{\"Key\":\"a\",\"Value\":\"true\"}]", "",
	                0},
	        {"[{\"Key\":\"a\",\"Value\":\"x\"}]", "[{\"Key\":\"a\",\"Value\":\"X\"}]", "", 0},
	        {"[{\"Key\":\"a\",\"Value\":\"x\"}]",
	                "[{\"Key\":\"a\",\"Value\":\"x\"},{\"Key\":\"b\","
	                "\"Value\":\"x\"}]",
	                "", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		hg_arena *a = hg_arena_new();
		hg_jv *d = NULL, *p = NULL;
		hg_jv_error err;
		struct fold_log log;
		memset(&log, 0, sizeof(log));
		cr_assert_eq(
		        hg_jv_parse(&d, a, cases[i].desired, strlen(cases[i].desired), 64, &err),
		        0);
		cr_assert_eq(
		        hg_jv_parse(&p, a, cases[i].deployed, strlen(cases[i].deployed), 64, &err),
		        0);
		cr_expect_eq(hg_canon_tags_equal(canon, a, "/Tags", d, p, NULL, log_fold, &log),
		        cases[i].equal, "case %zu", i);
		cr_expect_str_eq(log.text, cases[i].folds, "case %zu", i);
		hg_arena_dispose(a);
	}
}
