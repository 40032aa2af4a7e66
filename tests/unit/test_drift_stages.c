/*
 * test_drift_stages.c: the drift engine's stages one by one: state (units
 * from --state, exports into stacks and records), match (templates to
 * stacks), resolve_cfn (desired resources and their fate), verdict
 * (results and their counts).
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/fs.h"
#include "../../drift/cache.h"
#include "../../drift/jv.h"
#include "../../drift/match.h"
#include "../../drift/resolve.h"
#include "../../drift/state.h"
#include "../../drift/verdict.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/hg-stages-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	hg_fs_remove_tree(dir);
}

TestSuite(stages, .init = setup, .fini = teardown);

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	cr_assert_eq(hg_fs_write_atomic(path, text, strlen(text)), 0, "%s", path);
}

static const char *at(const char *rel)
{
	static char path[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, rel);
	return path[k];
}

#define STACKS(acct, name)                                                                         \
	"{\"Stacks\":[{\"StackName\":\"" name "\",\"StackId\":\"arn:aws:cloudformation:ap-northeast-1:" acct \
	":stack/" name "/1\",\"Parameters\":[{\"ParameterKey\":\"Env\",\"ParameterValue\":\"prod\"}]}]}"
#define RESOURCES(acct, name)                                                                      \
	"{\"StackResources\":[{\"StackName\":\"" name "\",\"LogicalResourceId\":\"Logs\","               \
	"\"PhysicalResourceId\":\"default\",\"ResourceType\":\"AWS::Logs::LogGroup\","               \
	"\"ResourceStatus\":\"CREATE_COMPLETE\"},{\"StackName\":\"" name "\",\"LogicalResourceId\":"     \
	"\"Gone\",\"PhysicalResourceId\":\"gone\",\"ResourceType\":\"AWS::Logs::LogGroup\","         \
	"\"ResourceStatus\":\"DELETE_COMPLETE\"}]}"
#define LIST(retention)                                                                            \
	"{\"TypeName\":\"AWS::Logs::LogGroup\",\"ResourceDescriptions\":[{\"Identifier\":\"default\","  \
	"\"Properties\":\"{\\\"LogGroupName\\\":\\\"default\\\",\\\"RetentionInDays\\\":" retention   \
	"}\"},{\"Identifier\":\"stray\",\"Properties\":\"{\\\"LogGroupName\\\":\\\"stray\\\"}\"}]}"

/* Read the units of the --state paths given. */
static size_t units(hg_unit *out, const char *const *states, size_t n, hg_diags *d)
{
	hg_state_spec *specs;
	size_t nspecs, i, k;
	cr_assert_eq(hg_state_specs(&specs, &nspecs, states, n, false, d), 0);
	for (i = 0; i < nspecs; i++) {
		hg_state_file **files = calloc(specs[i].npaths + 1, sizeof(*files));
		memset(&out[i], 0, sizeof(out[i]));
		for (k = 0; k < specs[i].npaths; k++) {
			int rc;
			files[k] = hg_state_read_file(specs[i].paths[k], specs[i].paths[k], NULL, NULL, d, &rc);
			cr_assert_eq(rc, 0, "%s", specs[i].paths[k]);
		}
		cr_assert_eq(hg_state_merge(&out[i], &specs[i], files, NULL, d), 0);
		free(files);
	}
	hg_state_specs_free(specs, nspecs);
	return nspecs;
}

Test(stages, a_unit_per_directory_and_ids_per_unit)
{
	hg_unit u[4];
	hg_diags d = HG_DIAGS_INIT;
	const char *states[1];
	size_t n, i;

	/* two accounts, the same stack and the same IDs in each */
	put("fleet/111111111111/ap-northeast-1/describe-stacks.json", STACKS("111111111111", "gc"));
	put("fleet/111111111111/ap-northeast-1/describe-stack-resources.json", RESOURCES("111111111111", "gc"));
	put("fleet/111111111111/ap-northeast-1/list-AWS-Logs-LogGroup.json", LIST("365"));
	put("fleet/222222222222/ap-northeast-1/describe-stacks.json", STACKS("222222222222", "gc"));
	put("fleet/222222222222/ap-northeast-1/describe-stack-resources.json", RESOURCES("222222222222", "gc"));
	put("fleet/222222222222/ap-northeast-1/list-AWS-Logs-LogGroup.json", LIST("7"));
	states[0] = at("fleet");
	n = units(u, states, 1, &d);
	cr_assert_eq(n, 2, "one unit per leaf directory");
	cr_expect_str_eq(u[0].account, "111111111111");
	cr_expect_str_eq(u[1].account, "222222222222");
	for (i = 0; i < n; i++) {
		hg_stack_res *sr;
		cr_expect_str_eq(u[i].region, "ap-northeast-1");
		cr_assert_eq(u[i].nstacks, 1);
		cr_expect_eq(u[i].stacks[0].nres, 1, "DELETE_COMPLETE resources are left out");
		sr = hg_stack_find(&u[i].stacks[0], "Logs");
		cr_assert_not_null(sr);
		cr_assert_geq(sr->rec, 0, "the stack's resource found its record in its own unit");
		cr_expect_str_eq(u[i].recs[sr->rec].identity, "default");
		cr_expect(u[i].recs[sr->rec].flags & HG_REC_IN_STACK);
		cr_expect(hg_unit_listed(&u[i], "AWS::Logs::LogGroup"));
		cr_expect_not_null(hg_unit_find(&u[i], "AWS::Logs::LogGroup", "stray"));
	}
	cr_expect_neq(u[0].recs[0].rawhash, u[1].recs[0].rawhash, "the two 'default' records are two");
	for (i = 0; i < n; i++)
		hg_unit_dispose(&u[i]);
	hg_diags_dispose(&d);
}

Test(stages, mixed_accounts_and_empty_directories_are_errors)
{
	hg_state_spec *specs;
	size_t nspecs;
	hg_unit u[2];
	hg_diags d = HG_DIAGS_INIT;
	const char *states[1];

	mkdir(at("empty"), 0755);
	states[0] = at("empty");
	cr_expect_eq(hg_state_specs(&specs, &nspecs, states, 1, false, &d), HG_EINVALID);
	cr_expect_eq(d.n, 1);
	cr_expect_eq(d.items[0]->code, HG_D_STATE_EMPTY);
	hg_diags_dispose(&d);
	/* the state of a shard of a fleet may hold none of it: no unit, no error */
	cr_expect_eq(hg_state_specs(&specs, &nspecs, states, 1, true, &d), 0);
	cr_expect_eq(nspecs, 0);
	cr_expect_null(specs);
	cr_expect_eq(d.n, 0);
	hg_state_specs_free(specs, nspecs);

	put("mixed/a.json", STACKS("111111111111", "a"));
	put("mixed/b.json", STACKS("222222222222", "b"));
	states[0] = at("mixed");
	cr_assert_eq(hg_state_specs(&specs, &nspecs, states, 1, false, &d), 0);
	{
		hg_state_file *files[2];
		int rc;
		files[0] = hg_state_read_file(specs[0].paths[0], specs[0].paths[0], NULL, NULL, &d, &rc);
		files[1] = hg_state_read_file(specs[0].paths[1], specs[0].paths[1], NULL, NULL, &d, &rc);
		memset(u, 0, sizeof(u));
		cr_expect_eq(hg_state_merge(&u[0], &specs[0], files, NULL, &d), HG_EINVALID);
		cr_expect_eq(d.items[d.n - 1]->code, HG_D_STATE_MIXED);
		hg_unit_dispose(&u[0]);
	}
	hg_state_specs_free(specs, nspecs);
	hg_diags_dispose(&d);
}

/* A template described as hg_desired_load would (logical IDs sorted). */
static void tmpl(hg_tmpl *t, const char *path, const char *name, const char **logical, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->path = path;
	t->display = path;
	t->name = name;
	t->logical = logical;
	t->nlogical = n;
}

Test(stages, match_by_name_then_by_logical_ids_once_per_unit)
{
	hg_unit u[1];
	hg_diags d = HG_DIAGS_INIT;
	const char *states[1];
	static const char *ids[] = {"Logs"}, *other[] = {"Nothing"};
	hg_tmpl t[3];
	hg_tmpls ts;
	hg_unit *order[1];
	hg_item *items;
	size_t n;

	put("s/describe-stacks.json", "{\"Stacks\":[{\"StackName\":\"city-a-web\",\"StackId\":"
	                              "\"arn:aws:cloudformation:ap-northeast-1:111111111111:stack/city-a-web/1\"},"
	                              "{\"StackName\":\"zz\",\"StackId\":"
	                              "\"arn:aws:cloudformation:ap-northeast-1:111111111111:stack/zz/1\"}]}");
	put("s/describe-stack-resources.json",
	        "{\"StackResources\":[{\"StackName\":\"city-a-web\",\"LogicalResourceId\":\"Logs\","
	        "\"PhysicalResourceId\":\"x\",\"ResourceType\":\"AWS::Logs::LogGroup\"},"
	        "{\"StackName\":\"zz\",\"LogicalResourceId\":\"Logs\",\"PhysicalResourceId\":\"y\","
	        "\"ResourceType\":\"AWS::Logs::LogGroup\"}]}");
	states[0] = at("s");
	cr_assert_eq(units(u, states, 1, &d), 1);
	/* named like the stack (its template name, '/' as '-'), then by IDs, then none */
	tmpl(&t[0], "a.json", "city-a/web", ids, 1);
	tmpl(&t[1], "b.json", NULL, ids, 1);
	tmpl(&t[2], "c.json", NULL, other, 1);
	memset(&ts, 0, sizeof(ts));
	ts.t = t;
	ts.n = 3;
	order[0] = &u[0];
	hg_match(&items, &n, &ts, order, 1);
	cr_assert_eq(n, 4, "three templates and the unit's unmanaged resources");
	cr_expect_eq(items[0].tmpl, 2, "the template that matched no unit first");
	cr_expect_null(items[0].u);
	cr_expect_eq(items[1].tmpl, 0);
	cr_expect_str_eq(items[1].stack->name, "city-a-web");
	cr_expect_eq(items[2].tmpl, 1);
	cr_expect_str_eq(items[2].stack->name, "zz", "the stack left with its IDs");
	cr_expect_eq(items[3].tmpl, HG_ITEM_UNMANAGED);
	free(items);
	hg_unit_dispose(&u[0]);
	hg_diags_dispose(&d);
}

Test(stages, resolve_and_verdict)
{
	hg_unit u[1];
	hg_diags d = HG_DIAGS_INIT;
	const char *states[1];
	static const char *ids[] = {"Gone", "Logs", "Maybe", "Nope", "Other"};
	hg_tmpl t;
	hg_canon *canon;
	hg_arena *a = hg_arena_new(), *work = hg_arena_new();
	hg_resolve_ctx rc;
	hg_dset set;
	hg_jv *doc = NULL;
	hg_fdcache fc;
	hg_verdict_ctx vc;
	hg_block b;
	static const char json[] =
	        "{\"Parameters\":{\"Env\":{\"Type\":\"String\"}},"
	        "\"Conditions\":{\"Prod\":{\"Fn::Equals\":[{\"Ref\":\"Env\"},\"prod\"]},"
	        "\"Dev\":{\"Fn::Equals\":[{\"Ref\":\"Env\"},\"dev\"]}},"
	        "\"Resources\":{"
	        "\"Logs\":{\"Type\":\"AWS::Logs::LogGroup\",\"Condition\":\"Prod\",\"Properties\":"
	        "{\"RetentionInDays\":\"365\",\"KmsKeyId\":{\"Fn::ImportValue\":\"key\"}}},"
	        "\"Maybe\":{\"Type\":\"AWS::Logs::LogGroup\",\"Condition\":\"Dev\"},"
	        "\"Nope\":{\"Type\":\"AWS::Logs::LogGroup\",\"Properties\":{\"RetentionInDays\":1}},"
	        "\"Other\":{\"Type\":\"AWS::SNS::Topic\"}}}";

	put("u/describe-stacks.json", STACKS("111111111111", "gc"));
	put("u/describe-stack-resources.json", RESOURCES("111111111111", "gc"));
	put("u/list-AWS-Logs-LogGroup.json", LIST("365"));
	states[0] = at("u");
	cr_assert_eq(units(u, states, 1, &d), 1);
	cr_assert_eq(hg_jv_parse(&doc, a, json, sizeof(json) - 1, 64, NULL), 0);
	canon = hg_canon_open(HG_TEST_DATA "/../schemas", &d);
	cr_assert_not_null(canon);
	hg_fdcache_init(&fc);
	memset(&t, 0, sizeof(t));
	t.path = t.display = "gc.json";
	t.logical = ids;
	t.nlogical = 5;
	t.judged = 1;
	memset(&rc, 0, sizeof(rc));
	memset(&set, 0, sizeof(set));
	rc.a = a;
	rc.t = &t;
	rc.doc = doc;
	rc.u = &u[0];
	rc.stack = &u[0].stacks[0];
	rc.canon = canon;
	rc.fc = &fc;
	rc.d = &d;
	cr_assert_eq(hg_resolve_cfn(&set, &rc), 0);
	cr_assert_eq(set.n, 3, "Maybe's condition is false: not expected at all");
	cr_expect_str_eq(set.res[0].logical, "Logs");
	cr_expect_eq(set.res[0].preset, HG_DS_IN_SYNC);
	cr_expect_eq(set.res[0].nnotes, 1, "the import cannot be resolved offline");
	cr_expect_str_eq(set.res[1].logical, "Nope");
	cr_expect_eq(set.res[1].preset, HG_DS_DELETED, "not in the stack");
	cr_expect_str_eq(set.res[2].logical, "Other");
	cr_expect_eq(set.res[2].preset, HG_DS_DELETED);

	memset(&vc, 0, sizeof(vc));
	memset(&b, 0, sizeof(b));
	b.a = hg_arena_new();
	vc.work = work;
	vc.canon = canon;
	vc.fc = &fc;
	vc.d = &d;
	vc.keep_in_sync = true;
	/* judge is needed for severities: a run opens it; here no control is named */
	vc.judge = NULL;
	hg_verdict_set(&vc, &b, &t, &u[0], &set);
	hg_verdict_finish(&vc, &b);
	cr_assert_eq(b.n, 3);
	cr_expect_eq(b.res[0].status, HG_DS_IN_SYNC, "\"365\" is 365 (the schema's integer)");
	cr_expect_eq(b.res[0].props_compared, 1);
	cr_expect_eq(b.res[0].props_total, 2);
	cr_expect_str_eq(b.res[0].account, "111111111111");
	cr_expect_eq(b.sum.total, 3);
	cr_expect_eq(b.sum.checked, 3);
	cr_expect_eq(b.sum.counts[HG_DS_DELETED], 2);
	cr_expect_eq(b.sum.partial, 1);
	cr_expect_eq(b.sum.props_checked, 1);

	hg_arena_dispose(b.a);
	hg_fdcache_dispose(&fc);
	hg_canon_free(canon);
	hg_arena_dispose(work);
	hg_arena_dispose(a);
	hg_unit_dispose(&u[0]);
	hg_diags_dispose(&d);
}

/* ---- Azure: what the az listings cover, flattened records ---- */

#define SUBID "/subscriptions/8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f"

static const char *flat_types[] = {"Microsoft.Authorization/policyAssignments", "Microsoft.Authorization/locks"};
static const char *envelope[] = {"id", "name", "type", "location", "tags", "resourceGroup"};
static const char *unlisted[] = {"Microsoft.Authorization/", "Microsoft.Resources/deployments"};
static const hg_az_rules az_rules = {flat_types, 2, envelope, 6, unlisted, 2};

static void az_unit(hg_unit *u, hg_diags *d, int want)
{
	hg_state_spec *specs;
	size_t nspecs, k;
	const char *states[1];
	hg_state_file **files;

	states[0] = at("sub");
	cr_assert_eq(hg_state_specs(&specs, &nspecs, states, 1, false, d), 0);
	files = calloc(specs[0].npaths + 1, sizeof(*files));
	memset(u, 0, sizeof(*u));
	for (k = 0; k < specs[0].npaths; k++) {
		int rc;
		files[k] = hg_state_read_file(specs[0].paths[k], specs[0].paths[k], NULL, &az_rules, d, &rc);
		cr_assert_eq(rc, 0, "%s", specs[0].paths[k]);
	}
	cr_assert_eq(hg_state_merge(u, &specs[0], files, &az_rules, d), want);
	free(files);
	hg_state_specs_free(specs, nspecs);
}

Test(stages, azure_listings_cover_their_scope_and_type)
{
	hg_unit u;
	hg_diags d = HG_DIAGS_INIT;
	hg_fdcache fc;
	hg_arena *a = hg_arena_new();
	hg_rec *pa;
	hg_jv *v;
	int rc;

	put("sub/az-policy-assignment-list.json",
	        "[{\"id\": \"" SUBID "/providers/Microsoft.Authorization/policyAssignments/pa1\", \"name\": \"pa1\","
	        " \"type\": \"Microsoft.Authorization/policyAssignments\", \"location\": null,"
	        " \"enforcementMode\": \"Default\", \"parameters\": {\"x\": {\"value\": 1}}}]");
	put("sub/az-resource-list-rg.json",
	        "[{\"id\": \"" SUBID "/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/st1\","
	        " \"name\": \"st1\", \"type\": \"Microsoft.Storage/storageAccounts\", \"resourceGroup\": \"RG\"}]");
	put("sub/az-lock-list.json", "[]");
	put("sub/hinagata-collect.json",
	        "{\"format\": \"hinagata-collect/1\", \"listings\": [{\"file\": \"az-lock-list.json\","
	        " \"scope\": \"" SUBID "\", \"types\": [\"Microsoft.Authorization/locks\"], \"subtree\": true}]}");
	az_unit(&u, &d, 0);
	/* a listing of policy assignments covers those right at the subscription */
	cr_expect(hg_unit_covers(&u, SUBID "/providers/microsoft.authorization/policyassignments/pa2",
	        "Microsoft.Authorization/policyAssignments"));
	cr_expect(!hg_unit_covers(&u, SUBID "/resourcegroups/rg/providers/microsoft.authorization/policyassignments/p",
	        "Microsoft.Authorization/policyAssignments"));
	/* az resource list covers the group's top-level resources, not children or extension resources */
	cr_expect(hg_unit_covers(&u, SUBID "/resourcegroups/rg/providers/microsoft.storage/storageaccounts/st2",
	        "Microsoft.Storage/storageAccounts"));
	cr_expect(!hg_unit_covers(&u, SUBID "/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v/subnets/s",
	        "Microsoft.Network/virtualNetworks/subnets"));
	cr_expect(!hg_unit_covers(&u, SUBID "/resourcegroups/rg/providers/microsoft.authorization/roleassignments/r",
	        "Microsoft.Authorization/roleAssignments"));
	cr_expect(!hg_unit_covers(&u, SUBID "/resourcegroups/other/providers/microsoft.storage/storageaccounts/st1",
	        "Microsoft.Storage/storageAccounts"));
	/* the manifest's empty lock listing covers the subscription and below */
	cr_expect(hg_unit_covers(&u,
	        SUBID "/resourcegroups/rg/providers/microsoft.storage/storageaccounts/st1/providers/microsoft.authorization/locks/l",
	        "Microsoft.Authorization/locks"));
	cr_expect(!hg_unit_covers(&u, "/subscriptions/other/providers/microsoft.authorization/locks/l",
	        "Microsoft.Authorization/locks"));
	/* the flattened record is read back as the resource: properties under "properties" */
	pa = hg_unit_find_id(&u, SUBID "/providers/microsoft.authorization/policyassignments/pa1");
	cr_assert_not_null(pa);
	cr_expect_eq(pa->flags & (HG_REC_FLAT | HG_REC_GET), HG_REC_FLAT | HG_REC_GET);
	hg_fdcache_init(&fc);
	v = hg_state_record(&u, pa, a, &fc, &d, &rc);
	cr_assert_not_null(v);
	cr_expect_str_eq(hg_jv_str(hg_jv_get(v, "name")), "pa1");
	cr_expect_str_eq(hg_jv_str(hg_jv_get(hg_jv_get(v, "properties"), "enforcementMode")), "Default");
	cr_expect_null(hg_jv_get(v, "enforcementMode"));
	cr_expect_not_null(hg_jv_get(v, "location"));
	hg_fdcache_dispose(&fc);
	hg_arena_dispose(a);
	hg_unit_dispose(&u);
	hg_diags_dispose(&d);
}

Test(stages, azure_manifest_files_must_be_there)
{
	hg_unit u;
	hg_diags d = HG_DIAGS_INIT;

	put("sub/az-group-list.json", "[]");
	put("sub/hinagata-collect.json",
	        "{\"format\": \"hinagata-collect/1\", \"listings\": [{\"file\": \"az-lock-list.json\","
	        " \"scope\": \"" SUBID "\", \"types\": [\"Microsoft.Authorization/locks\"]}]}");
	az_unit(&u, &d, HG_EINVALID);
	cr_expect_eq(d.n, 1);
	cr_expect_eq(d.items[0]->code, HG_D_COLLECT_MISSING);
	/* nothing the missing listing would have said is believed */
	cr_expect(!hg_unit_covers(&u, SUBID "/providers/microsoft.authorization/locks/l", "Microsoft.Authorization/locks"));
	hg_unit_dispose(&u);
	hg_diags_dispose(&d);
}

/*
 * Records read ahead (hg_state_prefetch) are the records read one by one:
 * in any order asked, runs of close records and lone ones, records past the
 * read-ahead budget (4 MiB) read one by one; a record whose file was cut
 * after it was scanned is an I/O error either way.
 */
Test(stages, records_read_ahead_are_the_records_read_one_by_one)
{
	hg_unit u;
	hg_diags d = HG_DIAGS_INIT;
	hg_fdcache plain, ahead;
	hg_arena *a = hg_arena_new();
	const char *states[] = {at("pf")};
	hg_buf list = HG_BUF_INIT, want = HG_BUF_INIT, got = HG_BUF_INIT;
	int recs[40], rc;
	size_t i, n = 0, big = 1500000;
	char *pad = malloc(big + 1);

	memset(pad, 'x', big);
	pad[big] = '\0';
	put("pf/describe-stacks.json", STACKS("123456789012", "s"));
	hg_buf_puts(&list, "{\"TypeName\":\"AWS::Logs::LogGroup\",\"ResourceDescriptions\":[");
	for (i = 0; i < 36; i++) {
		/* records 10..14 are large (1.5 MB): only two fit in the budget with the rest */
		hg_buf_printf(&list, "%s{\"Identifier\":\"g%zu\",\"Properties\":\"{\\\"LogGroupName\\\":\\\"g%zu\\\","
		                     "\\\"Pad\\\":\\\"%s\\\"}\"}",
		        i ? "," : "", i, i, i >= 10 && i < 15 ? pad : "");
		/* a gap of more than 4 KiB of whitespace after record 20: a run ends there */
		if (i == 20)
			for (size_t k = 0; k < 5000; k++)
				hg_buf_putc(&list, ' ');
	}
	hg_buf_puts(&list, "]}");
	put("pf/list-AWS-Logs-LogGroup.json", list.ptr);
	cr_assert_eq(units(&u, states, 1, &d), 1);
	cr_assert_eq(u.nrecs, 36);
	for (i = 35; i + 1 > 0; i -= 3) /* every third, backwards, and a record that is none */
		recs[n++] = (int)i;
	for (i = 10; i < 15; i++)
		recs[n++] = (int)i;
	recs[n++] = -1;
	hg_fdcache_init(&plain);
	hg_fdcache_init(&ahead);
	hg_state_prefetch(&ahead, &u, recs, n);
	cr_expect_gt(ahead.npre, 10);
	cr_expect_lt(ahead.npre, n - 1, "the budget leaves some to be read one by one");
	for (i = 0; i < u.nrecs; i++) {
		hg_jv *x = hg_state_record(&u, &u.recs[i], a, &plain, &d, &rc);
		hg_jv *y = hg_state_record(&u, &u.recs[i], a, &ahead, &d, &rc);
		cr_assert(x && y, "record %zu", i);
		hg_buf_clear(&want);
		hg_buf_clear(&got);
		hg_jv_canonical(&want, x);
		hg_jv_canonical(&got, y);
		cr_expect_str_eq(got.ptr, want.ptr, "record %zu", i);
	}
	/* the file cut short after the scan: read ahead or not, the record is an I/O error */
	cr_assert_eq(truncate(at("pf/list-AWS-Logs-LogGroup.json"), 100), 0);
	hg_fdcache_dispose(&ahead);
	hg_fdcache_init(&ahead);
	recs[0] = 30;
	recs[1] = 31;
	hg_state_prefetch(&ahead, &u, recs, 2);
	cr_expect_eq(ahead.npre, 0);
	cr_expect_null(hg_state_record(&u, &u.recs[30], a, &ahead, &d, &rc));
	cr_expect_eq(rc, HG_EIO);
	hg_fdcache_dispose(&plain);
	hg_fdcache_dispose(&ahead);
	hg_buf_dispose(&list);
	hg_buf_dispose(&want);
	hg_buf_dispose(&got);
	free(pad);
	hg_arena_dispose(a);
	hg_unit_dispose(&u);
	hg_diags_dispose(&d);
}

/*
 * A record's Properties read back: parsed in the string where they are when
 * only quotes are escaped in it, decoded first otherwise (an escape inside
 * a value, an escaped blank, a key with an escape, Properties that are an
 * object): the same tree as jansson's decoding of the record, each way.
 */
Test(stages, properties_read_back_as_jansson_reads_them)
{
	static const char *const records[] = {
	        "{\"Identifier\":\"p0\",\"Properties\":\"{\\\"LogGroupName\\\":\\\"p0\\\","
	        "\\\"N\\\":[1,true,null,{}]}\"}",
	        "{\"Identifier\":\"p1\",\"Properties\":\"{\\\"LogGroupName\\\":\\\"p1\\\","
	        "\\\"Q\\\":\\\"say \\\\\\\"hi\\\\\\\"\\\"}\"}",
	        "{\"Identifier\":\"p2\",\"Properties\":\"{\\n  \\\"LogGroupName\\\": "
	        "\\\"p2\\\"\\n}\"}",
	        "{\"Identifier\":\"p3\",\"Properties\":\"{\\\"LogGroupName\\\":\\\"p3\\\","
	        "\\\"E\\\":\\\"caf\\\\u00e9 \\\\/\\\"}\"}",
	        "{\"Identifier\":\"p4\",\"Properties\":{\"LogGroupName\":\"p4\",\"Deep\":{"
	        "\"Properties\":\"x\"}}}",
	        "{\"Prop\\u0065rties\":\"{\\\"LogGroupName\\\":\\\"p5\\\"}\",\"Identifier\":"
	        "\"p5\"}",
	        "{\"Identifier\":\"p6\",\"Other\":{\"Properties\":\"{}\"},\"Properties\":\"{"
	        "\\\"LogGroupName\\\":\\\"p6\\\"}\"}",
	};
	hg_unit u;
	hg_diags d = HG_DIAGS_INIT;
	hg_fdcache fc;
	hg_arena *a = hg_arena_new();
	const char *states[] = {at("pb")};
	hg_buf list = HG_BUF_INIT, want = HG_BUF_INIT, got = HG_BUF_INIT;
	size_t i, k;
	int rc;

	put("pb/describe-stacks.json", STACKS("123456789012", "s"));
	hg_buf_puts(&list, "{\"TypeName\":\"AWS::Logs::LogGroup\",\"ResourceDescriptions\":[");
	for (i = 0; i < HG_ARRAY_SIZE(records); i++)
		hg_buf_printf(&list, "%s%s", i ? "," : "", records[i]);
	hg_buf_puts(&list, "]}");
	put("pb/list-AWS-Logs-LogGroup.json", list.ptr);
	cr_assert_eq(units(&u, states, 1, &d), 1);
	cr_assert_eq(u.nrecs, HG_ARRAY_SIZE(records));
	hg_fdcache_init(&fc);
	for (i = 0; i < u.nrecs; i++) {
		hg_jv *x = hg_state_record(&u, &u.recs[i], a, &fc, &d, &rc);
		json_t *rec = NULL, *props, *inner;
		cr_assert_not_null(x, "record %zu", i);
		for (k = 0; k < HG_ARRAY_SIZE(records) && !rec;
		        k++) { /* the record of this identifier */
			json_t *r = json_loads(records[k], 0, NULL);
			const char *id = json_string_value(json_object_get(r, "Identifier"));
			if (id && strcmp(id, u.recs[i].identity) == 0)
				rec = r;
			else
				json_decref(r);
		}
		cr_assert_not_null(rec, "record %zu", i);
		props = json_object_get(rec, "Properties");
		inner = json_is_string(props) ? json_loads(json_string_value(props), 0, NULL)
		                              : json_incref(props);
		cr_assert_not_null(inner);
		hg_buf_clear(&want);
		hg_buf_clear(&got);
		hg_jv_canonical(&want, hg_jv_from_json(a, inner));
		hg_jv_canonical(&got, x);
		cr_expect_str_eq(got.ptr, want.ptr, "record %zu", i);
		json_decref(inner);
		json_decref(rec);
	}
	hg_fdcache_dispose(&fc);
	hg_buf_dispose(&list);
	hg_buf_dispose(&want);
	hg_buf_dispose(&got);
	hg_arena_dispose(a);
	hg_unit_dispose(&u);
	hg_diags_dispose(&d);
}

/*
 * What phase 1 lets through (it checks a record's structure, not its
 * literals) is refused when the record is read back, whichever way its
 * Properties are parsed: a misspelt literal beside them, a bad escape in
 * another member, Properties that are not JSON.
 */
Test(stages, a_record_read_back_is_checked_beside_its_properties)
{
	static const char *const records[] = {
	        "{\"Identifier\":\"q0\",\"Properties\":\"{\\\"LogGroupName\\\":\\\"q0\\\"}\",\"Extra\":tru}",
	        "{\"Identifier\":\"q1\",\"Note\":\"a\\x\",\"Properties\":\"{\\\"LogGroupName\\\":\\\"q1\\\"}\"}",
	        "{\"Identifier\":\"q2\",\"Properties\":\"{\\\"LogGroupName\\\":\\\"q2\\\",}\"}",
	        "{\"Identifier\":\"q3\",\"Properties\":\"{\\\"LogGroupName\\\":\\\"q3\\\"}\",\"Count\":-}",
	};
	hg_unit u;
	hg_diags d = HG_DIAGS_INIT;
	hg_fdcache fc;
	hg_arena *a = hg_arena_new();
	const char *states[] = {at("pc")};
	hg_buf list = HG_BUF_INIT;
	size_t i;
	int rc;

	put("pc/describe-stacks.json", STACKS("123456789012", "s"));
	hg_buf_puts(&list, "{\"TypeName\":\"AWS::Logs::LogGroup\",\"ResourceDescriptions\":[");
	for (i = 0; i < HG_ARRAY_SIZE(records); i++)
		hg_buf_printf(&list, "%s%s", i ? "," : "", records[i]);
	hg_buf_puts(&list, "]}");
	put("pc/list-AWS-Logs-LogGroup.json", list.ptr);
	cr_assert_eq(units(&u, states, 1, &d), 1);
	cr_assert_eq(u.nrecs, HG_ARRAY_SIZE(records), "phase 1 keeps them all: %zu", u.nrecs);
	hg_fdcache_init(&fc);
	for (i = 0; i < u.nrecs; i++) {
		size_t before = d.n;
		rc = 0;
		cr_expect_null(hg_state_record(&u, &u.recs[i], a, &fc, &d, &rc), "record %zu", i);
		cr_expect_eq(rc, HG_EINVALID, "record %zu", i);
		cr_assert_eq(d.n, before + 1, "record %zu: one message", i);
		cr_expect_eq(d.items[d.n - 1]->code, HG_D_EXPORT_SYNTAX, "record %zu", i);
	}
	hg_fdcache_dispose(&fc);
	hg_buf_dispose(&list);
	hg_arena_dispose(a);
	hg_unit_dispose(&u);
	hg_diags_dispose(&d);
}

/*
 * The cache is read before the rules are open and its header checked
 * after (hg_cache_load, hg_cache_check): a cache of other rules keeps none
 * of its entries, whichever way it is opened; one of these rules keeps
 * them. (A template's description is the entry asked for here.)
 */
Test(stages, a_cache_of_other_rules_is_voided_after_it_was_read)
{
	char path[128];
	hg_diags d = HG_DIAGS_INIT;
	hg_tmpl t;
	hg_cache *c;
	int i;

	snprintf(path, sizeof(path), "%s/cache", dir);
	memset(&t, 0, sizeof(t));
	c = hg_cache_open(path, 0x1111, &d);
	cr_assert_not(hg_cache_template(c, &t, NULL), "a new cache has nothing");
	hg_cache_template_note(c, &t);
	cr_assert_eq(hg_cache_save(c, &d), 0);
	hg_cache_free(c);
	for (i = 0; i < 4; i++) {
		bool same = i % 2 == 0;
		hg_arena *a = hg_arena_new();
		memset(&t, 0, sizeof(t));
		if (i < 2)
			c = hg_cache_open(path, same ? 0x1111 : 0x2222, &d);
		else {
			c = hg_cache_load(path, &d);
			hg_cache_check(c, same ? 0x1111 : 0x2222);
		}
		cr_assert_eq(hg_cache_template(c, &t, a), same, "opened %s, %s rules",
		        i < 2 ? "at once" : "in two steps", same ? "the same" : "other");
		hg_cache_free(c);
		hg_arena_dispose(a);
	}
	cr_assert_eq(d.n, 0);
	hg_diags_dispose(&d);
}

/* hg_cache_load_notify's ready: what a run's readers may use by then. */
struct ready_seen {
	int calls;
	bool file;
};

static void ready_seen(hg_cache *c, void *payload)
{
	struct ready_seen *seen = payload;
	hg_state_file *f;
	seen->calls++;
	hg_cache_check(c, 0x1111);
	f = hg_cache_file(c, "exports/y.json", 10, 20);
	seen->file = f != NULL;
	hg_state_file_free(f);
}

/*
 * The cache is read in pieces, its blocks last: ready is called once the
 * identities, files and templates are read, and an export file's entry can
 * be used then; it is called once, also when there is no cache at all.
 */
Test(stages, a_cache_says_when_what_the_readers_need_is_read)
{
	char path[128];
	hg_diags d = HG_DIAGS_INIT;
	hg_state_file *f = hg_state_file_new();
	struct ready_seen seen = {0, false};
	hg_tmpl t;
	hg_cache *c;

	snprintf(path, sizeof(path), "%s/cache3", dir);
	memset(&t, 0, sizeof(t));
	c = hg_cache_load_notify(path, &d, ready_seen, &seen);
	cr_assert_eq(seen.calls, 1, "no cache: ready once");
	cr_assert_not(seen.file);
	hg_cache_check_verdicts(c, 0xAAAA);
	hg_cache_template_note(c, &t);
	hg_cache_file_note(c, "exports/y.json", 10, 20, f);
	cr_assert_eq(hg_cache_save(c, &d), 0);
	hg_cache_free(c);
	hg_state_file_free(f);
	seen.calls = 0;
	c = hg_cache_load_notify(path, &d, ready_seen, &seen);
	cr_assert_eq(seen.calls, 1);
	cr_assert(seen.file, "the export file's entry is there when ready is called");
	hg_cache_free(c);
	cr_assert_eq(d.n, 0);
	hg_diags_dispose(&d);
}

/*
 * The header has two fingerprints, checked in turn (a run reads its export
 * files' entries while the control rules are still being opened): other
 * rules for reading exports void everything; other control rules void the
 * templates and blocks only, and what reading the exports found is kept.
 */
Test(stages, other_control_rules_void_the_verdicts_and_keep_what_the_exports_held)
{
	static const struct {
		uint64_t state, verdicts;
		bool file, tmpl;
	} cases[] = {
	        {0x1111, 0xAAAA, true, true},
	        {0x1111, 0xBBBB, true, false},
	        {0x2222, 0xAAAA, false, false},
	        {0x2222, 0xBBBB, false, false},
	};
	char path[128];
	hg_diags d = HG_DIAGS_INIT;
	hg_state_file *f = hg_state_file_new();
	hg_tmpl t;
	hg_cache *c;
	size_t i;

	snprintf(path, sizeof(path), "%s/cache2", dir);
	memset(&t, 0, sizeof(t));
	c = hg_cache_load(path, &d);
	hg_cache_check(c, 0x1111);
	hg_cache_check_verdicts(c, 0xAAAA);
	hg_cache_template_note(c, &t);
	hg_cache_file_note(c, "exports/x.json", 10, 20, f);
	cr_assert_eq(hg_cache_save(c, &d), 0);
	hg_cache_free(c);
	hg_state_file_free(f);
	for (i = 0; i < HG_ARRAY_SIZE(cases); i++) {
		hg_arena *a = hg_arena_new();
		hg_state_file *got;
		c = hg_cache_load(path, &d);
		hg_cache_check(c, cases[i].state);
		got = hg_cache_file(c, "exports/x.json", 10, 20);
		cr_assert_eq(got != NULL, cases[i].file, "case %zu: the export file's entry", i);
		hg_state_file_free(got);
		hg_cache_check_verdicts(c, cases[i].verdicts);
		memset(&t, 0, sizeof(t));
		cr_assert_eq(hg_cache_template(c, &t, a), cases[i].tmpl, "case %zu: the template's entry", i);
		hg_cache_free(c);
		hg_arena_dispose(a);
	}
	cr_assert_eq(d.n, 0);
	hg_diags_dispose(&d);
}

/*
 * Strings decode as jansson decodes them, wherever their escapes fall
 * against the parser's 16-byte steps and whatever follows the closing
 * quote (a cloudcontrol record's Properties: an escape every few bytes).
 * Random strings of plain bytes, UTF-8, quotes, backslashes, controls and
 * characters beyond the BMP, written by jansson, read back by both.
 */
Test(stages, strings_decode_as_jansson_decodes_them)
{
	static const char *const pieces[] = {"a", "bc", "0123456789abcdef", "\"", "\\", "\n", "\t",
	        "\x01", "\x1f", "/", "\xc3\xa9", "\xe3\x81\x82", "\xf0\x9f\x98\x80", "{\"k\":[1,2]}",
	        "                "};
	static const char *const after[] = {"", "\n", " \t\r\n                 ",
	        "                                                                                  "};
	unsigned seed = 12345;
	int round;

	for (round = 0; round < 3000; round++) {
		hg_buf in = HG_BUF_INIT, text = HG_BUF_INIT;
		hg_arena *a = hg_arena_new();
		hg_jv *v = NULL;
		json_t *j;
		char *dumped;
		int k, n;

		seed = seed * 1103515245u + 12345u;
		n = (int)(seed >> 16) % 40;
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			hg_buf_puts(&in, pieces[(seed >> 16) % HG_ARRAY_SIZE(pieces)]);
		}
		j = json_stringn(in.ptr ? in.ptr : "", in.size);
		cr_assert_not_null(j);
		dumped = json_dumps(j, JSON_ENCODE_ANY | (round % 2 ? JSON_ENSURE_ASCII : 0));
		hg_buf_puts(&text, dumped);
		hg_buf_puts(&text, after[round % HG_ARRAY_SIZE(after)]);
		cr_assert_eq(hg_jv_parse(&v, a, text.ptr, text.size, 16, NULL), 0, "round %d: %s", round,
		        text.ptr);
		cr_assert_eq(v->kind, HG_JV_STR);
		cr_assert_eq(v->n, in.size, "round %d: %zu bytes, not %zu", round, v->n, in.size);
		cr_assert(in.size == 0 || memcmp(v->u.s, in.ptr, in.size) == 0, "round %d: %s", round, text.ptr);
		cr_assert_eq(v->u.s[v->n], '\0');
		/* a raw control character or a bad escape put into the string is
		 * refused where it is, whatever block it falls in */
		{
			hg_buf bad = HG_BUF_INIT;
			hg_jv_error err;
			hg_jv *w = NULL;
			size_t at;
			size_t i, nb = 0, *bounds = hg_xcalloc(strlen(dumped) + 1, sizeof(size_t));
			for (i = 1; i + 1 < strlen(dumped);) { /* where an escape does not go on */
				bounds[nb++] = i;
				i += dumped[i] != '\\' ? 1 : dumped[i + 1] == 'u' ? 6 : 2;
			}
			seed = seed * 1103515245u + 12345u;
			at = nb ? bounds[(seed >> 16) % nb] : 0;
			free(bounds);
			if (nb) {
				hg_buf_put(&bad, dumped, at);
				hg_buf_puts(&bad, round % 4 < 2 ? "\x01" : "\\x");
				hg_buf_puts(&bad, dumped + at);
				hg_buf_puts(&bad, after[round % HG_ARRAY_SIZE(after)]);
				memset(&err, 0, sizeof(err));
				cr_assert_lt(hg_jv_parse(&w, a, bad.ptr, bad.size, 16, &err), 0, "round %d: %s", round,
				        bad.ptr);
				cr_assert_eq(err.offset, at, "round %d: at %zu, not %zu: %s", round, err.offset, at,
				        bad.ptr);
			}
			hg_buf_dispose(&bad);
		}
		free(dumped);
		json_decref(j);
		hg_arena_dispose(a);
		hg_buf_dispose(&in);
		hg_buf_dispose(&text);
	}
}
