/*
 * test_template.c: the template model: sections, types, names, and the
 * content hash that ignores layout.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "common/hash.h"
#include "compiler/template.h"

static hg_arena *a;
static hg_diags d;

static void setup(void)
{
	a = hg_arena_new();
	hg_diags_init(&d);
}

static void teardown(void)
{
	hg_diags_dispose(&d);
	hg_arena_dispose(a);
}

TestSuite(template, .init = setup, .fini = teardown);

static hg_template *parse(const char *text, int *rc)
{
	hg_node *root = NULL;
	hg_template *t = NULL;
	const char *f = hg_diags_source(&d, "t.yaml", text, strlen(text));
	*rc = hg_yaml_load(&root, a, &d, f, text, strlen(text), NULL);
	if (*rc == 0)
		*rc = hg_template_parse(&t, a, &d, f, root);
	return t;
}

static const char *FULL =
        "hinagata: 1\n"
        "template: gc/aws/example\n"
        "version: 1.2.3-rc.1\n"
        "target: aws\n"
        "mandatory: true\n"
        "title: { ja: 例, en: Example }\n"
        "controls: [GC-AWS-LOG-01]\n"
        "params:\n"
        "  days: { type: int, default: 30, min: 1, max: 3653 }\n"
        "  name: { type: string, pattern: '^[a-z]+$', length: { min: 3, max: 10 } }\n"
        "  tags: { type: list, items: int }\n"
        "conditions:\n"
        "  long: ${params.days > 1}\n";

Test(template, reads_every_header_field)
{
	int rc;
	hg_template *t =
	        parse("hinagata: 1\ntemplate: gc/aws/example\nversion: 1.2.3-rc.1\ntarget: aws\n"
	              "mandatory: true\nprofile: gc-aws\ntitle: { ja: 例, en: Example }\n"
	              "controls: [GC-AWS-LOG-01, GC-AZ-NET-01]\n",
	                &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(t->name, "gc/aws/example");
	cr_assert_eq(t->version.major, 1);
	cr_assert_str_eq(t->version.pre, "rc.1");
	cr_assert_eq(t->target, HG_TARGET_AWS);
	cr_assert(t->mandatory);
	cr_assert_str_eq(t->profile, "gc-aws");
	cr_assert_str_eq(t->title.ja, "例");
	cr_assert_eq(t->ncontrols, 2);
}

Test(template, expression_syntax_errors_are_reported_with_position)
{
	int rc;
	parse(FULL, &rc); /* '>' is not an operator of the language */
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[d.n - 1]->code, HG_D_EXPR_SYNTAX);
	cr_assert_eq(d.items[d.n - 1]->span.line, 13);
	cr_assert_eq(d.items[d.n - 1]->span.col, 23);
}

Test(template, parameters_and_constraints)
{
	int rc;
	hg_template *t = parse(
	        "hinagata: 1\ntemplate: a/b\nversion: 1.0.0\ntarget: aws\n"
	        "params:\n"
	        "  days: { type: int, default: 30, min: 1, max: 3653 }\n"
	        "  name: { type: string, pattern: '^[a-z]+$', length: { min: 3, max: 10 } }\n"
	        "  ports: { type: list, items: int }\n"
	        "  pw: { type: secure }\n"
	        "resources:\n"
	        "  q: { type: AWS::SQS::Queue, properties: { DelaySeconds: '${params.days}' } }\n",
	        &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(t->nparams, 4);
	cr_assert_eq(t->params[0].type, HG_P_INT);
	cr_assert(t->params[0].has_min && t->params[0].min == 1 && t->params[0].max == 3653);
	cr_assert_eq(t->params[0].def->u.i, 30);
	cr_assert_str_eq(t->params[1].pattern, "^[a-z]+$");
	cr_assert(t->params[1].has_min_len && t->params[1].max_len == 10);
	cr_assert_eq(t->params[2].item_type, HG_T_INT);
	cr_assert_eq(t->params[3].type, HG_P_SECURE);
	/* Only days is referenced by an expression. */
	cr_assert(t->params[0].used);
	cr_assert(!t->params[1].used);
	hg_template_warn_unused(t, &d);
	cr_assert_eq(d.n, 3);
	cr_assert_eq(d.items[0]->code, HG_D_PARAM_UNUSED);
}

Test(template, misplaced_constraints_and_bad_names)
{
	int rc;
	parse("hinagata: 1\ntemplate: a/B\nversion: 1.0\ntarget: gcp\n"
	      "params:\n  x: { type: string, min: 1 }\n  9lives: { type: int }\n",
	        &rc);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.n, 5);
	hg_diags_sort(&d);
	cr_assert_eq(d.items[0]->code, HG_D_BAD_TEMPLATE_NAME);
	cr_assert_eq(d.items[1]->code, HG_D_BAD_SEMVER);
	cr_assert_eq(d.items[2]->code, HG_D_BAD_ENUM);
	cr_assert_eq(d.items[3]->code, HG_D_PARAM_CONSTRAINT_TYPE);
	cr_assert_eq(d.items[4]->code, HG_D_BAD_NAME);
}

Test(template, unknown_keys_get_suggestions)
{
	int rc;
	parse("hinagata: 1\ntemplate: a/b\nversion: 1.0.0\ntarget: aws\nresorces: {}\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_UNKNOWN_KEY);
	cr_assert_str_eq(d.items[0]->notes[0].args[0], "resources");
}

Test(template, language_version_is_checked_first)
{
	int rc;
	parse("hinagata: 2\ntemplate: a/b\nresorces: {}\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
	/* The unknown key is reported, but nothing version-dependent after it. */
	cr_assert_eq(d.items[d.n - 1]->code, HG_D_LANG_VERSION);
}

Test(template, content_hash_ignores_layout_but_not_meaning)
{
	int rc;
	hg_template *t1 = parse("hinagata: 1\ntemplate: a/b\nversion: 1.0.0\ntarget: aws\n", &rc);
	hg_template *t2 = parse("# a comment\ntarget:   aws\nversion: \"1.0.0\"\n"
	                        "template: a/b\nhinagata: 1\n",
	        &rc);
	hg_template *t3 = parse("hinagata: 1\ntemplate: a/b\nversion: 1.0.1\ntarget: aws\n", &rc);
	cr_assert_eq(t1->hash, t2->hash);
	cr_assert_neq(t1->hash, t3->hash);
}

Test(template, profiles_read_requirements)
{
	int rc;
	hg_template *p = parse(
	        "hinagata: 1\nkind: profile\nprofile: gc-aws\nversion: 1.0.0\n"
	        "target: aws\nrequires:\n  - gc/aws/a\n  - { template: gc/aws/b, version: '^2' }\n",
	        &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(p->kind, HG_DOC_PROFILE);
	cr_assert_eq(p->nrequires, 2);
	cr_assert_null(p->requires[0].range);
	cr_assert_not_null(p->requires[1].range);
}
