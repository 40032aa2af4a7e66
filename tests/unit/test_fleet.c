/*
 * test_fleet.c: the fleet model's two stages: fleet.yaml read into the
 * model (fleet/manifest.c) and planned into work units (fleet/plan.c).
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "common/diag.h"
#include "fleet/fleet.h"

static hg_fleet_options opts(void)
{
	hg_fleet_options o;
	memset(&o, 0, sizeof(o));
	o.bundled_dir = HG_TEST_DATA "/../templates";
	o.schema_dir = HG_TEST_DATA "/../schemas";
	return o;
}

/* Read text as fleet.yaml; *d gets the diagnostics. */
static int parse(hg_fleet **f, const char *text, hg_diags *d)
{
	hg_fleet_options o = opts();
	return hg_fleet_parse(f, "fleet.yaml", text, strlen(text), &o, d);
}

static bool has(const char *const *list, size_t n, const char *s)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static const char manifest[] =
        "fleet: 1\n"
        "name: t\n"
        "aws:\n"
        "  regions: [ap-northeast-1]\n"
        "  credentials: { role: \"arn:aws:iam::{account}:role/R\", external_id: x }\n"
        "  stacks:\n"
        "    - { name: base, template: base.json }\n"
        "    - { name: osaka-only, template: dr.json, regions: [ap-northeast-3] }\n"
        "  accounts:\n"
        "    - account: \"012345678901\"\n"
        "      regions: [ap-northeast-1, ap-northeast-3]\n"
        "      stacks: [ { name: app, template: app.yaml, regions: [ap-northeast-1] } ]\n"
        "    - { account: \"210987654321\", credentials: { profile: p }, types: [AWS::Lambda::Function] }\n"
        "azure:\n"
        "  subscriptions:\n"
        "    - { subscription: 8C3F2A1E-5B7D-4E9A-9F0C-2D4B6A8E1C3F, resource_groups: [rg] }\n";

Test(fleet, reads_defaults_and_overrides)
{
	hg_fleet *f = NULL;
	hg_diags d = HG_DIAGS_INIT;
	const hg_fleet_target *a, *b, *z;

	cr_assert_eq(parse(&f, manifest, &d), 0);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(f->ntargets, 3);
	a = &f->targets[0];
	b = &f->targets[1];
	z = &f->targets[2];
	cr_assert_str_eq(a->id, "012345678901"); /* the leading zero kept */
	cr_assert_eq(a->nregions, 2);
	cr_assert_str_eq(a->creds.role, "arn:aws:iam::012345678901:role/R"); /* {account} */
	cr_assert_str_eq(a->creds.external_id, "x");
	cr_assert_eq(a->nstacks, 3); /* base, osaka-only (in a region it has), app */
	cr_assert_str_eq(b->creds.profile, "p");
	cr_assert_null(b->creds.role); /* its own credentials replace the default */
	cr_assert_eq(b->nstacks, 1);   /* osaka-only: b is not in ap-northeast-3 */
	cr_assert_str_eq(b->profile, "gc-aws");
	cr_assert_eq(b->ntypes, 1);
	cr_assert_str_eq(b->types[0], "AWS::Lambda::Function");
	/* no types: the profile's: its rules' types and its mandatory templates' */
	cr_assert(has(a->types, a->ntypes, "AWS::EC2::InternetGateway"));
	cr_assert(has(a->types, a->ntypes, "AWS::CloudTrail::Trail"));
	cr_assert(has(a->types, a->ntypes, "AWS::GuardDuty::Detector"));
	cr_assert(!has(a->types, a->ntypes, "AWS::EC2::*"));
	cr_assert_eq(z->cloud, HG_CLOUD_AZURE);
	cr_assert_str_eq(z->id, "8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f"); /* as Azure prints IDs */
	cr_assert_str_eq(z->profile, "gc-azure");
	cr_assert(hg_fleet_global(f, "AWS::IAM::Role"));
	cr_assert(!hg_fleet_global(f, "AWS::EC2::VPC"));
	cr_assert_str_eq(hg_fleet_via_of(f, "AWS::S3::Bucket"), "s3-list-buckets");
	cr_assert_str_eq(hg_fleet_via_of(f, "AWS::SQS::Queue"), "cloudcontrol");
	hg_fleet_free(f);
	hg_diags_dispose(&d);
}

Test(fleet, plans_units_by_key)
{
	hg_fleet *f = NULL;
	hg_fleet_plan *p;
	hg_diags d = HG_DIAGS_INIT;
	const hg_fleet_unit *u;
	size_t i;

	cr_assert_eq(parse(&f, manifest, &d), 0);
	p = hg_fleet_plan_new(f, NULL);
	cr_assert_eq(p->n, 4);
	cr_assert_eq(p->total, 4);
	cr_assert_str_eq(p->units[0].key, "012345678901/ap-northeast-1");
	cr_assert_str_eq(p->units[1].key, "012345678901/ap-northeast-3");
	cr_assert_str_eq(p->units[2].key, "210987654321/ap-northeast-1");
	cr_assert_str_eq(p->units[3].key, "8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f");
	u = &p->units[0];
	cr_assert(u->home);
	cr_assert_eq(u->nstacks, 2); /* base and app, not osaka-only */
	cr_assert(has(u->types, u->ntypes, "AWS::IAM::Role"));
	u = &p->units[1];
	cr_assert(!u->home);
	cr_assert_eq(u->nstacks, 2); /* base and osaka-only */
	cr_assert(!has(u->types, u->ntypes, "AWS::IAM::Role")); /* global: at home only */
	cr_assert(has(u->types, u->ntypes, "AWS::EC2::InternetGateway"));
	/* the templates, once each, as drift --template takes them */
	cr_assert_eq(p->ntemplates, 3);
	cr_assert_str_eq(p->templates[0], "app.yaml=app");
	cr_assert_str_eq(p->templates[1], "base.json=base");
	cr_assert_str_eq(p->templates[2], "dr.json=osaka-only");
	for (i = 0; i < p->n; i++)
		cr_assert_eq(p->units[i].shard, 0);
	hg_fleet_plan_free(p);
	hg_fleet_free(f);
	hg_diags_dispose(&d);
}

Test(fleet, shards_partition_the_units)
{
	hg_fleet *f = NULL;
	hg_diags d = HG_DIAGS_INIT;
	size_t seen = 0, k;

	cr_assert_eq(parse(&f, manifest, &d), 0);
	for (k = 0; k < 3; k++) {
		hg_shard s = {(unsigned)k, 3, "--shard"};
		hg_fleet_plan *p = hg_fleet_plan_new(f, &s);
		size_t i;
		cr_assert_eq(p->total, 4);
		for (i = 0; i < p->n; i++)
			cr_assert_eq(p->units[i].shard, k);
		seen += p->n;
		hg_fleet_plan_free(p);
	}
	cr_assert_eq(seen, 4);
	hg_fleet_free(f);
	hg_diags_dispose(&d);
}

Test(fleet, every_problem_at_once_with_positions)
{
	hg_fleet *f = NULL;
	hg_diags d = HG_DIAGS_INIT;
	static const char bad[] = "fleet: 1\n"
	                          "aws:\n"
	                          "  accounts:\n"
	                          "    - { account: \"1234\", regions: [tokyo] }\n"
	                          "    - { account: \"123456789012\", regions: [ap-northeast-1], profile: gc-azure }\n"
	                          "    - { account: \"123456789012\", regions: [ap-northeast-1] }\n";
	cr_assert_eq(parse(&f, bad, &d), HG_EINVALID);
	cr_assert_null(f);
	cr_assert_eq(d.n, 4);
	cr_assert_eq(d.items[0]->code, HG_D_FLEET_ID);
	cr_assert_eq(d.items[0]->span.line, 4);
	cr_assert_eq(d.items[0]->span.col, 18);
	cr_assert_eq(d.items[1]->code, HG_D_FLEET_REGION);
	cr_assert_eq(d.items[2]->code, HG_D_FLEET_PROFILE);
	cr_assert_eq(d.items[3]->code, HG_D_FLEET_DUP);
	cr_assert_eq(d.items[3]->span.line, 6);
	cr_assert(!d.env_error); /* errors in the input: exit 1 */
	hg_diags_dispose(&d);
}

Test(fleet, default_credentials_wrong_once_per_account)
{
	hg_fleet *f = NULL;
	hg_diags d = HG_DIAGS_INIT;
	static const char bad[] = "fleet: 1\n"
	                          "aws:\n"
	                          "  regions: [ap-northeast-1, ap-northeast-1]\n"
	                          "  accounts:\n"
	                          "    - { account: \"123456789012\" }\n"
	                          "    - { account: \"210987654321\" }\n";
	cr_assert_eq(parse(&f, bad, &d), HG_EINVALID);
	cr_assert_eq(d.n, 1); /* said where the defaults are, not once per account */
	cr_assert_eq(d.items[0]->code, HG_D_FLEET_DUP);
	cr_assert_eq(d.items[0]->span.line, 3);
	hg_diags_dispose(&d);
}
