/*
 * test_compile.c: the compiler library end to end, on templates written to
 * a temporary directory: lowering to intrinsic functions, compile-time
 * folding, locks, profiles, determinism and the output hash.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fs.h"
#include "common/hash.h"
#include "compiler/compiler.h"

static char dir[] = "/tmp/hg-test-XXXXXX";
static hg_diags d;
static hg_output *outs;
static size_t nouts;

static void setup(void)
{
	strcpy(dir, "/tmp/hg-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	hg_diags_init(&d);
	outs = NULL;
	nouts = 0;
}

static void teardown(void)
{
	char cmd[256];
	hg_outputs_free(outs, nouts);
	hg_diags_dispose(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(compile, .init = setup, .fini = teardown);

static char *put(const char *name, const char *text)
{
	hg_buf p = HG_BUF_INIT;
	hg_buf_printf(&p, "%s/%s", dir, name);
	cr_assert_eq(hg_fs_write_atomic(p.ptr, text, strlen(text)), 0);
	return hg_buf_detach(&p);
}

/* Compile one file with optional --param values; returns the exit class. */
static int compile(const char *path, const char *const *params, size_t nparams)
{
	const char *dirs[1];
	hg_compile_options o = HG_COMPILE_OPTIONS_INIT;
	dirs[0] = dir;
	o.template_dirs = dirs;
	o.ntemplate_dirs = 1;
	o.bundled_dir = HG_SOURCE_DIR "/templates";
	o.schema_dir = HG_SOURCE_DIR "/schemas";
	o.params = params;
	o.nparams = nparams;
	hg_outputs_free(outs, nouts);
	hg_compile(&outs, &path, 1, &o, &d);
	nouts = 1;
	return hg_diags_exit_code(&d);
}

static json_t *output_json(void)
{
	json_error_t err;
	json_t *j;
	cr_assert_not_null(outs[0].json, "no output");
	j = json_loads(outs[0].json, 0, &err);
	cr_assert_not_null(j, "%s", err.text);
	return j;
}

static char *dump(json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static bool has_code(hg_diag_code c)
{
	size_t i;
	for (i = 0; i < d.n; i++)
		if (d.items[i]->code == c)
			return true;
	return false;
}

#define HEADER "hinagata: 1\ntemplate: test/t\nversion: 1.0.0\ntarget: aws\n"

Test(compile, interpolation_becomes_sub_with_escaped_literals)
{
	char *p = put("t.yaml", HEADER "resources:\n"
	                               "  topic:\n"
	                               "    type: AWS::SNS::Topic\n"
	                               "    properties:\n"
	                               "      TopicName: \"${aws.stack_name}-alerts-$${keep}\"\n"
	                               "      DisplayName: \"plain $${text}\"\n");
	json_t *j, *props;
	char *s;
	cr_assert_eq(compile(p, NULL, 0), 0);
	j = output_json();
	props = json_object_get(
	        json_object_get(
	                json_object_get(json_object_get(j, "Resources"), "Topic"), "Properties"),
	        "TopicName");
	s = dump(props);
	cr_assert_str_eq(s, "{\"Fn::Sub\":\"${AWS::StackName}-alerts-${!keep}\"}");
	free(s);
	props = json_object_get(
	        json_object_get(
	                json_object_get(json_object_get(j, "Resources"), "Topic"), "Properties"),
	        "DisplayName");
	cr_assert_str_eq(json_string_value(props), "plain ${text}");
	json_decref(j);
	free(p);
}

static const char *COND_TEMPLATE =
        HEADER "params:\n"
               "  env: { type: string, default: prod, allowed: [prod, stg] }\n"
               "conditions:\n"
               "  is_prod: ${params.env == 'prod'}\n"
               "resources:\n"
               "  topic:\n"
               "    type: AWS::SNS::Topic\n"
               "    properties:\n"
               "      DisplayName: \"${conditions.is_prod ? 'production' : 'staging'}\"\n"
               "  prod_only:\n"
               "    type: AWS::SNS::Topic\n"
               "    when: ${conditions.is_prod}\n";

Test(compile, deploy_time_conditions_become_conditions_and_if)
{
	char *p = put("t.yaml", COND_TEMPLATE);
	json_t *j;
	char *s;
	cr_assert_eq(compile(p, NULL, 0), 0);
	j = output_json();
	s = dump(json_object_get(j, "Conditions"));
	cr_assert_str_eq(s, "{\"IsProd\":{\"Fn::Equals\":[{\"Ref\":\"Env\"},\"prod\"]}}");
	free(s);
	cr_assert_str_eq(
	        json_string_value(json_object_get(
	                json_object_get(json_object_get(j, "Resources"), "ProdOnly"), "Condition")),
	        "IsProd");
	s = dump(json_object_get(
	        json_object_get(
	                json_object_get(json_object_get(j, "Resources"), "Topic"), "Properties"),
	        "DisplayName"));
	cr_assert_str_eq(s, "{\"Fn::If\":[\"IsProd\",\"production\",\"staging\"]}");
	free(s);
	json_decref(j);
	free(p);
}

Test(compile, compile_time_values_fold_conditions_away)
{
	char *p = put("t.yaml", COND_TEMPLATE);
	const char *params[] = {"env=stg"};
	json_t *j;
	cr_assert_eq(compile(p, params, 1), 0);
	j = output_json();
	cr_assert_null(json_object_get(j, "Conditions"));
	cr_assert_null(json_object_get(j, "Parameters"));
	cr_assert_null(json_object_get(json_object_get(j, "Resources"), "ProdOnly"));
	cr_assert_str_eq(
	        json_string_value(json_object_get(
	                json_object_get(json_object_get(json_object_get(j, "Resources"), "Topic"),
	                        "Properties"),
	                "DisplayName")),
	        "staging");
	json_decref(j);
	free(p);
}

Test(compile, compile_time_values_are_checked_against_constraints)
{
	char *p = put("t.yaml", COND_TEMPLATE);
	const char *params[] = {"env=dev"};
	cr_assert_eq(compile(p, params, 1), 1);
	cr_assert(has_code(HG_D_PARAM_NOT_ALLOWED));
	cr_assert_null(outs[0].json);
	free(p);
}

Test(compile, long_and_chains_nest_in_tens)
{
	hg_buf t = HG_BUF_INIT;
	json_t *j, *cond;
	char *p;
	int i;
	hg_buf_puts(&t, HEADER "params:\n");
	for (i = 0; i < 12; i++)
		hg_buf_printf(&t, "  p%d: { type: bool, default: true }\n", i);
	hg_buf_puts(&t, "conditions:\n  all: \"${");
	for (i = 0; i < 12; i++)
		hg_buf_printf(&t, "%sparams.p%d", i ? " && " : "", i);
	hg_buf_puts(&t,
	        "}\"\nresources:\n  t:\n    type: AWS::SNS::Topic\n    when: ${conditions.all}\n");
	p = put("t.yaml", t.ptr);
	hg_buf_dispose(&t);
	cr_assert_eq(compile(p, NULL, 0), 0);
	j = output_json();
	cond = json_object_get(json_object_get(json_object_get(j, "Conditions"), "All"), "Fn::And");
	cr_assert_eq(json_array_size(cond), 10);
	cr_assert_eq(json_array_size(json_object_get(json_array_get(cond, 9), "Fn::And")), 3);
	json_decref(j);
	free(p);
}

static const char *LIB_TEMPLATE =
        "hinagata: 1\ntemplate: test/lib\nversion: 1.2.0\ntarget: aws\nmandatory: true\n"
        "params:\n  name: { type: string, default: gc-log }\n"
        "resources:\n"
        "  bucket:\n"
        "    type: AWS::S3::Bucket\n"
        "    locked:\n"
        "      VersioningConfiguration: { Status: Enabled }\n"
        "    properties:\n"
        "      BucketName: ${params.name}\n"
        "outputs:\n  bucket_arn: ${bucket.Arn}\n";

Test(compile, uses_are_namespaced_and_outputs_flow_back)
{
	char *lib = put("lib.yaml", LIB_TEMPLATE);
	char *p = put("t.yaml", HEADER "use:\n  logs: { template: test/lib, version: \"^1.0\" }\n"
	                               "resources:\n"
	                               "  topic:\n    type: AWS::SNS::Topic\n    properties:\n     "
	                               " DisplayName: ${logs.bucket_arn}\n");
	json_t *j;
	char *s;
	cr_assert_eq(compile(p, NULL, 0), 0);
	j = output_json();
	cr_assert_not_null(json_object_get(json_object_get(j, "Resources"), "LogsBucket"));
	/* The used template's unbound parameter is hoisted with its prefix. */
	cr_assert_not_null(json_object_get(json_object_get(j, "Parameters"), "LogsName"));
	s = dump(json_object_get(
	        json_object_get(
	                json_object_get(json_object_get(j, "Resources"), "Topic"), "Properties"),
	        "DisplayName"));
	cr_assert_str_eq(s, "{\"Fn::GetAtt\":[\"LogsBucket\",\"Arn\"]}");
	free(s);
	json_decref(j);
	free(lib);
	free(p);
}

Test(compile, override_of_a_locked_property_names_both_places)
{
	char *lib = put("lib.yaml", LIB_TEMPLATE);
	char *p =
	        put("t.yaml", HEADER "use:\n  logs:\n    template: test/lib\n    override:\n      "
	                             "bucket:\n        properties:\n"
	                             "          VersioningConfiguration: { Status: Suspended }\n");
	size_t i;
	cr_assert_eq(compile(p, NULL, 0), 1);
	for (i = 0; i < d.n; i++)
		if (d.items[i]->code == HG_D_LOCK_OVERRIDE)
			break;
	cr_assert_lt(i, d.n);
	/* Locks are leaves: the message names VersioningConfiguration.Status and
	 * points at the Status key of the override and of the lock. */
	cr_assert_str_eq(d.items[i]->args[0], "VersioningConfiguration.Status");
	cr_assert_eq(d.items[i]->span.line, 11);
	cr_assert_eq(d.items[i]->span.col, 38);
	cr_assert(strstr(d.items[i]->span.file, "t.yaml") != NULL);
	cr_assert_eq(d.items[i]->nnotes, 1);
	cr_assert_eq(d.items[i]->notes[0].code, HG_D_N_LOCKED_HERE);
	cr_assert(strstr(d.items[i]->notes[0].span.file, "lib.yaml") != NULL);
	cr_assert_eq(d.items[i]->notes[0].span.line, 12);
	cr_assert_eq(d.items[i]->notes[0].span.col, 34);
	free(lib);
	free(p);
}

Test(compile, settings_beside_a_lock_are_allowed)
{
	char *lib = put("lib.yaml",
	        "hinagata: 1\ntemplate: test/pab\nversion: 1.0.0\ntarget: aws\n"
	        "resources:\n  bucket:\n    type: AWS::S3::Bucket\n    locked:\n"
	        "      PublicAccessBlockConfiguration: { BlockPublicAcls: true }\n");
	char *p = put("t.yaml",
	        HEADER "use:\n  logs:\n    template: test/pab\n    override:\n"
	               "      bucket:\n        properties:\n"
	               "          PublicAccessBlockConfiguration: { IgnorePublicAcls: true }\n");
	json_t *j;
	char *s;
	cr_assert_eq(compile(p, NULL, 0), 0);
	j = output_json();
	s = dump(json_object_get(
	        json_object_get(json_object_get(json_object_get(j, "Resources"), "LogsBucket"),
	                "Properties"),
	        "PublicAccessBlockConfiguration"));
	cr_assert_str_eq(s, "{\"BlockPublicAcls\":true,\"IgnorePublicAcls\":true}");
	free(s);
	s = dump(json_object_get(
	        json_object_get(
	                json_object_get(json_object_get(j, "Resources"), "LogsBucket"), "Metadata"),
	        "hinagata"));
	cr_assert(strstr(s, "\"locked\":[\"/PublicAccessBlockConfiguration/BlockPublicAcls\"]") !=
	                  NULL,
	        "%s", s);
	free(s);
	json_decref(j);
	free(lib);
	free(p);
}

Test(compile, repeating_a_locked_value_is_allowed)
{
	char *lib = put("lib.yaml", LIB_TEMPLATE);
	char *p = put("t.yaml", HEADER "use:\n  logs:\n    template: test/lib\n    override:\n     "
	                               " bucket:\n        properties:\n"
	                               "          VersioningConfiguration: { Status: Enabled }\n"
	                               "          Tags: [{ Key: system, Value: juki }]\n");
	cr_assert_eq(compile(p, NULL, 0), 0);
	free(lib);
	free(p);
}

Test(compile, profile_requires_its_mandatory_templates)
{
	char *p = put("t.yaml",
	        HEADER "profile: gc-aws\n"
	               "use:\n  audit: { template: gc/aws/audit-trail, version: \"^1.0\" }\n");
	size_t i, missing = 0;
	cr_assert_eq(compile(p, NULL, 0), 1);
	for (i = 0; i < d.n; i++)
		if (d.items[i]->code == HG_D_PROFILE_MISSING) {
			missing++;
			cr_assert_eq(d.items[i]->span.line, 5);
			cr_assert_eq(d.items[i]->notes[0].code, HG_D_N_REQUIRED_BY_PROFILE);
		}
	cr_assert_eq(missing, 2);
	free(p);
}

Test(compile, output_is_deterministic_and_carries_its_hash)
{
	char *p = put("t.yaml", COND_TEMPLATE);
	char *first, *at, *end;
	hg_buf blank = HG_BUF_INIT;
	char hex[17];
	cr_assert_eq(compile(p, NULL, 0), 0);
	first = strdup(outs[0].json);
	cr_assert_eq(compile(p, NULL, 0), 0);
	cr_assert_str_eq(first, outs[0].json);
	/* outputHash = XXH3-64 of the file with the outputHash value empty. */
	at = strstr(first, "\"outputHash\": \"") + strlen("\"outputHash\": \"");
	end = strchr(at, '"');
	hg_buf_put(&blank, first, (size_t)(at - first));
	hg_buf_puts(&blank, end);
	hg_hash_hex(hex, hg_hash64(blank.ptr, blank.size));
	cr_assert_eq(strncmp(at, hex, 16), 0);
	cr_assert_eq(first[strlen(first) - 1], '\n');
	hg_buf_dispose(&blank);
	free(first);
	free(p);
}

Test(compile, schema_errors_are_located_with_suggestions)
{
	char *p = put("t.yaml",
	        HEADER "resources:\n"
	               "  bucket:\n"
	               "    type: AWS::S3::Bucket\n"
	               "    properties:\n"
	               "      VersioningConfig: { Status: Enabled }\n"
	               "      PublicAccessBlockConfiguration: { BlockPublicAcls: maybe }\n"
	               "  trail:\n"
	               "    type: AWS::CloudTrail::Trail\n"
	               "    properties: { IsLogging: true, S3BucketName: \"${bucket.Arnn}\" }\n");
	size_t i;
	bool unknown = false, type = false, attr = false, req = false;
	cr_assert_eq(compile(p, NULL, 0), 1);
	for (i = 0; i < d.n; i++) {
		hg_diag *x = d.items[i];
		if (x->code == HG_D_UNKNOWN_PROPERTY) {
			unknown = true;
			cr_assert_eq(x->span.line, 9);
			cr_assert_str_eq(x->notes[0].args[0], "VersioningConfiguration");
		} else if (x->code == HG_D_PROP_TYPE) {
			type = true;
			cr_assert_eq(x->span.line, 10);
			cr_assert_eq(x->span.col, 58);
		} else if (x->code == HG_D_UNKNOWN_ATTR) {
			attr = true;
			cr_assert_eq(x->span.line, 13);
		} else if (x->code == HG_D_PROP_REQUIRED) {
			req = true;
		}
	}
	cr_assert(unknown && type && attr && !req);
	free(p);
}

#define AZ_HEADER "hinagata: 1\ntemplate: test/az\nversion: 1.0.0\ntarget: azure\n"

Test(compile, arm_escapes_format_strings_and_bracketed_literals)
{
	char *p = put("t.yaml",
	        AZ_HEADER "params:\n  env: { type: string, default: prod }\n"
	                  "resources:\n"
	                  "  ag:\n"
	                  "    type: Microsoft.Insights/actionGroups@2023-01-01\n"
	                  "    properties:\n"
	                  "      name: \"ag-${params.env}\"\n"
	                  "      location: Global\n"
	                  "      tags: { note: \"[not an expression]\", quote: \"it's {x} for "
	                  "${params.env}\" }\n"
	                  "      properties: { groupShortName: gc, enabled: true }\n");
	json_t *j, *r;
	cr_assert_eq(compile(p, NULL, 0), 0);
	j = output_json();
	r = json_array_get(json_object_get(j, "resources"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(r, "name")),
	        "[format('ag-{0}', parameters('env'))]");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "tags"), "note")),
	        "[[not an expression]");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "tags"), "quote")),
	        "[format('it''s {{x}} for {0}', parameters('env'))]");
	cr_assert_str_eq(json_string_value(json_object_get(j, "$schema")),
	        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#");
	json_decref(j);
	free(p);
}

Test(compile, arm_conditions_are_variables_and_dependencies_are_inferred)
{
	char *p = put("t.yaml", AZ_HEADER
	        "params:\n  env: { type: string, default: prod, allowed: [prod, stg] }\n"
	        "conditions:\n  is_prod: ${params.env == 'prod'}\n"
	        "resources:\n"
	        "  nsg:\n"
	        "    type: Microsoft.Network/networkSecurityGroups@2024-05-01\n"
	        "    properties: { name: nsg-a, location: japaneast, properties: { securityRules: "
	        "[] } }\n"
	        "  vnet:\n"
	        "    type: Microsoft.Network/virtualNetworks@2024-05-01\n"
	        "    when: ${conditions.is_prod}\n"
	        "    properties:\n"
	        "      name: vnet-a\n"
	        "      location: japaneast\n"
	        "      properties:\n"
	        "        addressSpace: { addressPrefixes: [10.0.0.0/16] }\n"
	        "        subnets: [{ name: s1, properties: { addressPrefix: 10.0.1.0/24,\n"
	        "                    networkSecurityGroup: { id: \"${nsg.id}\" } } }]\n");
	json_t *j, *vnet;
	char *s;
	cr_assert_eq(compile(p, NULL, 0), 0);
	j = output_json();
	s = dump(json_object_get(j, "variables"));
	cr_assert_str_eq(s, "{\"isProd\":\"[equals(parameters('env'), 'prod')]\"}");
	free(s);
	vnet = json_array_get(json_object_get(j, "resources"), 1);
	cr_assert_str_eq(
	        json_string_value(json_object_get(vnet, "condition")), "[variables('isProd')]");
	s = dump(json_object_get(vnet, "dependsOn"));
	cr_assert_str_eq(
	        s, "[\"[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-a')]\"]");
	free(s);
	json_decref(j);
	free(p);
}
