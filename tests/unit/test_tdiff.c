/*
 * test_tdiff.c: the template diff engine, stage by stage: sides (JSON,
 * YAML short-form tags, ARM keys), values (scalars, arrays aligned by their
 * common subsequence), replacement (createOnly, conditional, unknown; ARM
 * location and identity), data and what keeps it, locks, masking.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "diff/tdiff.h"

#define SCHEMAS HG_TEST_DATA "/../schemas"

static hg_tdiff *run(const char *before, const char *after)
{
	hg_tdiff_options o = HG_TDIFF_OPTIONS_INIT;
	hg_diags d = HG_DIAGS_INIT;
	hg_tdiff *t = NULL;
	int rc;

	o.schema_dir = SCHEMAS;
	rc = hg_tdiff_texts(&t, "before", before, strlen(before), "after", after, strlen(after), &o, &d);
	cr_assert_eq(rc, 0, "the diff ran (%zu diagnostics)", d.n);
	hg_diags_dispose(&d);
	return t;
}

static const hg_tres *res(const hg_tdiff *t, const char *id)
{
	size_t i;
	for (i = 0; t->npairs && i < t->pairs[0].nres; i++)
		if (strcmp(t->pairs[0].res[i].id, id) == 0)
			return &t->pairs[0].res[i];
	cr_assert_fail("no resource %s", id);
	return NULL;
}

#define CFN(resources) "{\"Resources\": {" resources "}}"

Test(tdiff, equal_templates_have_no_pair)
{
	hg_tdiff *t = run(CFN("\"A\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"DisplayName\": \"x\"}}"),
	        CFN("\"A\": {\"Properties\": {\"DisplayName\": \"x\"}, \"Type\": \"AWS::SNS::Topic\"}"));
	cr_assert_eq(t->compared, 1);
	cr_assert_not(hg_tdiff_any(t));
	hg_tdiff_free(t);
}

Test(tdiff, scalars_compare_as_the_cloud_reads_them)
{
	hg_tdiff *t = run(CFN("\"Q\": {\"Type\": \"AWS::SQS::Queue\", \"Properties\": {\"DelaySeconds\": 10, \"FifoQueue\": true}}"),
	        CFN("\"Q\": {\"Type\": \"AWS::SQS::Queue\", \"Properties\": {\"DelaySeconds\": \"10\", \"FifoQueue\": \"true\"}}"));
	cr_assert_not(hg_tdiff_any(t), "\"10\" is 10 and \"true\" is true");
	hg_tdiff_free(t);
}

Test(tdiff, an_inserted_item_is_one_item_added)
{
	hg_tdiff *t = run(CFN("\"B\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"Tags\": ["
	                      "{\"Key\": \"a\", \"Value\": \"1\"}, {\"Key\": \"c\", \"Value\": \"3\"}]}}"),
	        CFN("\"B\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"Tags\": ["
	            "{\"Key\": \"a\", \"Value\": \"1\"}, {\"Key\": \"b\", \"Value\": \"2\"}, {\"Key\": \"c\", \"Value\": \"3\"}]}}"));
	const hg_tres *r = res(t, "B");
	cr_assert_eq(r->nprops, 1);
	cr_assert_str_eq(r->props[0].path, "/Properties/Tags/1");
	cr_assert_eq(r->props[0].change, HG_TC_ADDED);
	cr_assert_str_eq(r->props[0].after, "{\"Key\":\"b\",\"Value\":\"2\"}");
	cr_assert_eq(r->replace, HG_TR_NO);
	hg_tdiff_free(t);
}

Test(tdiff, a_create_only_property_replaces_and_data_goes_with_it)
{
	hg_tdiff *t = run(CFN("\"B\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"BucketName\": \"a\"}},"
	                      "\"K\": {\"Type\": \"AWS::S3::Bucket\", \"UpdateReplacePolicy\": \"Retain\", \"Properties\": {\"BucketName\": \"k\"}}"),
	        CFN("\"B\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {\"BucketName\": \"b\"}},"
	            "\"K\": {\"Type\": \"AWS::S3::Bucket\", \"UpdateReplacePolicy\": \"Retain\", \"Properties\": {\"BucketName\": \"k2\"}}"));
	const hg_tres *b = res(t, "B"), *k = res(t, "K");
	cr_assert_eq(b->replace, HG_TR_YES);
	cr_assert_eq(b->props[0].replaces, HG_TR_YES);
	cr_assert(b->holds && strncmp(b->holds, "bucket\x1f", 7) == 0);
	cr_assert(b->at_risk, "a bucket replaced without a retain policy loses its objects");
	cr_assert_eq(k->replace, HG_TR_YES);
	cr_assert_str_eq(k->keeps, "retain");
	cr_assert_not(k->at_risk);
	cr_assert_eq(t->pairs[0].replaced, 2);
	cr_assert_eq(t->pairs[0].at_risk, 1);
	hg_tdiff_free(t);
}

Test(tdiff, conditional_create_only_may_replace_and_unknown_types_cannot_be_told)
{
	hg_tdiff *t = run(CFN("\"D\": {\"Type\": \"AWS::RDS::DBInstance\", \"Properties\": {\"Engine\": \"postgres\"}},"
	                      "\"C\": {\"Type\": \"Custom::Thing\", \"Properties\": {\"X\": 1}}"),
	        CFN("\"D\": {\"Type\": \"AWS::RDS::DBInstance\", \"Properties\": {\"Engine\": \"mysql\"}},"
	            "\"C\": {\"Type\": \"Custom::Thing\", \"Properties\": {\"X\": 2}}"));
	cr_assert_eq(res(t, "D")->replace, HG_TR_MAYBE);
	cr_assert_eq(res(t, "C")->replace, HG_TR_UNKNOWN);
	cr_assert_eq(t->pairs[0].replaced, 0, "only a certain replacement is counted");
	hg_tdiff_free(t);
}

Test(tdiff, a_new_type_replaces_and_removed_data_is_at_risk_unless_retained)
{
	hg_tdiff *t = run(CFN("\"X\": {\"Type\": \"AWS::SNS::Topic\"}, \"L\": {\"Type\": \"AWS::Logs::LogGroup\"},"
	                      "\"R\": {\"Type\": \"AWS::Logs::LogGroup\", \"DeletionPolicy\": \"Retain\"}"),
	        CFN("\"X\": {\"Type\": \"AWS::SQS::Queue\"}"));
	const hg_tres *x = res(t, "X");
	cr_assert_eq(x->replace, HG_TR_YES);
	cr_assert_str_eq(x->old_type, "AWS::SNS::Topic");
	cr_assert(res(t, "L")->at_risk);
	cr_assert_not(res(t, "R")->at_risk);
	cr_assert_str_eq(res(t, "R")->keeps, "retain");
	hg_tdiff_free(t);
}

Test(tdiff, secrets_are_compared_but_never_shown)
{
	hg_tdiff *t = run("{\"Parameters\": {\"P\": {\"Type\": \"String\", \"NoEcho\": true, \"Default\": \"s1\"}},"
	                  "\"Resources\": {\"D\": {\"Type\": \"AWS::RDS::DBInstance\", \"Properties\": {\"MasterUserPassword\": \"p1\"}}}}",
	        "{\"Parameters\": {\"P\": {\"Type\": \"String\", \"NoEcho\": true, \"Default\": \"s2\"}},"
	        "\"Resources\": {\"D\": {\"Type\": \"AWS::RDS::DBInstance\", \"Properties\": {\"MasterUserPassword\": \"p2\"}}}}");
	const hg_tres *d = res(t, "D");
	cr_assert_str_eq(d->props[0].before, "****");
	cr_assert_str_eq(d->props[0].after, "****");
	cr_assert_eq(t->pairs[0].nother, 1, "the parameter differs");
	cr_assert_null(strstr(t->pairs[0].other[0].before, "s1"));
	cr_assert_null(strstr(t->pairs[0].other[0].after, "s2"));
	hg_tdiff_free(t);
}

Test(tdiff, a_locked_setting_is_marked_when_it_or_its_parent_changes)
{
	const char *meta = "\"Metadata\": {\"hinagata\": {\"template\": \"gc/x\", \"mandatory\": true, "
	                   "\"locked\": [\"/VersioningConfiguration/Status\"], \"controls\": [\"GC-AWS-BAK-01\"]}}";
	char before[512], after[512];
	hg_tdiff *t;
	snprintf(before, sizeof(before), CFN("\"B\": {\"Type\": \"AWS::S3::Bucket\", %s, \"Properties\": "
	                                     "{\"VersioningConfiguration\": {\"Status\": \"Enabled\"}}}"), meta);
	snprintf(after, sizeof(after), CFN("\"B\": {\"Type\": \"AWS::S3::Bucket\", %s, \"Properties\": "
	                                   "{\"VersioningConfiguration\": {\"Status\": \"Suspended\"}}}"), meta);
	t = run(before, after);
	cr_assert(res(t, "B")->locked);
	cr_assert(res(t, "B")->mandatory);
	cr_assert_str_eq(res(t, "B")->controls[0], "GC-AWS-BAK-01");
	hg_tdiff_free(t);
}

Test(tdiff, yaml_short_forms_are_the_long_forms)
{
	hg_tdiff *t = run(CFN("\"B\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"DisplayName\": "
	                      "{\"Fn::GetAtt\": [\"Q\", \"Arn\"]}, \"TopicName\": {\"Fn::Sub\": \"t-${AWS::Region}\"}}}"),
	        "Resources:\n  B:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !GetAtt Q.Arn\n"
	        "      TopicName: !Sub \"t-${AWS::Region}\"\n");
	cr_assert_not(hg_tdiff_any(t));
	hg_tdiff_free(t);
}

Test(tdiff, yaml_numbers_are_json_numbers)
{
	/* YAML 1.2 reads 00, 0x1F, 0o17 and +5 as integers: the JSON shown is their value */
	hg_tdiff *t = run(CFN("\"Q\": {\"Type\": \"AWS::SQS::Queue\", \"Properties\": {\"DelaySeconds\": 1, "
	                      "\"MaximumMessageSize\": 2, \"MessageRetentionPeriod\": 3, \"VisibilityTimeout\": 4}}"),
	        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 00\n"
	        "      MaximumMessageSize: 0x1F\n      MessageRetentionPeriod: 0o17\n      VisibilityTimeout: +5\n");
	const hg_tres *q = res(t, "Q");
	cr_assert_eq(q->nprops, 4);
	cr_assert_str_eq(q->props[0].after, "0");
	cr_assert_str_eq(q->props[1].after, "31");
	cr_assert_str_eq(q->props[2].after, "15");
	cr_assert_str_eq(q->props[3].after, "5");
	hg_tdiff_free(t);
}

#define ARM(resources)                                                                             \
	"{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", " \
	"\"contentVersion\": \"1.0.0.0\", \"resources\": [" resources "]}"

Test(tdiff, an_arm_template_without_resources_is_an_empty_one)
{
	hg_tdiff *t = run("{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\"}",
	        ARM("{\"type\": \"Microsoft.Network/virtualNetworks\", \"name\": \"v\", \"location\": \"japaneast\"}"));
	cr_assert_eq(t->pairs[0].nres, 1);
	cr_assert_eq(t->pairs[0].res[0].change, HG_TC_ADDED);
	hg_tdiff_free(t);
}

Test(tdiff, arm_location_replaces_and_a_new_name_is_another_resource)
{
	hg_tdiff *t = run(ARM("{\"type\": \"Microsoft.Storage/storageAccounts\", \"name\": \"a\", \"location\": \"japaneast\"},"
	                      "{\"type\": \"Microsoft.KeyVault/vaults\", \"name\": \"kv1\", \"location\": \"japaneast\"}"),
	        ARM("{\"type\": \"Microsoft.Storage/storageAccounts\", \"name\": \"a\", \"location\": \"japanwest\"},"
	            "{\"type\": \"Microsoft.KeyVault/vaults\", \"name\": \"kv2\", \"location\": \"japaneast\"}"));
	const hg_tres *s = res(t, "Microsoft.Storage/storageAccounts/a");
	cr_assert(t->pairs[0].arm);
	cr_assert_eq(s->replace, HG_TR_YES);
	cr_assert(s->at_risk);
	cr_assert_eq(res(t, "Microsoft.KeyVault/vaults/kv1")->change, HG_TC_REMOVED);
	cr_assert_str_eq(res(t, "Microsoft.KeyVault/vaults/kv1")->keeps, "incremental");
	cr_assert_eq(res(t, "Microsoft.KeyVault/vaults/kv2")->change, HG_TC_ADDED);
	hg_tdiff_free(t);
}

Test(tdiff, arm_modules_are_compared_resource_by_resource)
{
	hg_tdiff *t = run(ARM("{\"type\": \"Microsoft.Resources/deployments\", \"name\": \"M\", \"properties\": {\"template\": "
	                      "{\"resources\": [{\"type\": \"Microsoft.Network/virtualNetworks\", \"name\": \"v\", "
	                      "\"properties\": {\"x\": 1}}]}}}"),
	        ARM("{\"type\": \"Microsoft.Resources/deployments\", \"name\": \"M\", \"properties\": {\"template\": "
	            "{\"resources\": [{\"type\": \"Microsoft.Network/virtualNetworks\", \"name\": \"v\", "
	            "\"properties\": {\"x\": 2}}]}}}"));
	cr_assert_eq(t->pairs[0].nres, 1, "the deployment itself is unchanged");
	cr_assert_str_eq(t->pairs[0].res[0].id,
	        "Microsoft.Resources/deployments/M > Microsoft.Network/virtualNetworks/v");
	cr_assert_str_eq(t->pairs[0].res[0].props[0].path, "/properties/x");
	hg_tdiff_free(t);
}

Test(tdiff, a_cloudformation_and_an_arm_template_are_refused)
{
	hg_tdiff_options o = HG_TDIFF_OPTIONS_INIT;
	hg_diags d = HG_DIAGS_INIT;
	hg_tdiff *t = NULL;
	const char *a = CFN("\"A\": {\"Type\": \"AWS::SNS::Topic\"}"), *b = ARM("");
	o.schema_dir = SCHEMAS;
	cr_assert_eq(hg_tdiff_texts(&t, "a", a, strlen(a), "b", b, strlen(b), &o, &d), HG_EINVALID);
	cr_assert_null(t);
	cr_assert_eq(d.items[0]->code, HG_D_DIFF_KINDS);
	hg_diags_dispose(&d);
}
