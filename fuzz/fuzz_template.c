/*
 * fuzz_template.c: libFuzzer target for the whole compiler front to back:
 * YAML loading, the template model, resolution against the bundled
 * templates, schema checks, lowering and CloudFormation emission.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "compiler/catalog.h"
#include "compiler/emit_arm.h"
#include "compiler/emit_cfn.h"
#include "compiler/rules.h"
#include "compiler/lower.h"
#include "compiler/registry.h"
#include "compiler/resolve.h"
#include "compiler/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hg_arena *lib_arena;
static hg_registry *reg;
static hg_schemas *schemas;
static hg_diags lib_diags;

static void init(void)
{
	const hg_search_dir dirs[] = {
	        {.path = HG_SOURCE_DIR "/templates", .display = "<hinagata>/templates"}};
	const hg_template *t;
	lib_arena = hg_arena_new();
	hg_diags_init(&lib_diags);
	reg = hg_registry_new(lib_arena, dirs, 1);
	/* The first lookup scans the search path; do it once, up front. */
	hg_registry_find(&t, reg, &lib_diags, HG_DOC_TEMPLATE, "gc/aws/audit-trail", NULL, NULL, NULL);
	schemas = hg_schemas_open(HG_SOURCE_DIR "/schemas");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_arena *a;
	hg_diags d = HG_DIAGS_INIT;
	hg_node *root;
	hg_template *t;
	const char *file;

	if (!reg)
		init();
	if (size > 1 << 20)
		return 0;
	a = hg_arena_new();
	file = hg_diags_source(&d, "fuzz.yaml", (const char *)data, size);
	if (hg_yaml_load(&root, a, &d, file, (const char *)data, size, NULL) == 0 &&
		hg_template_parse(&t, a, &d, file, root) == 0 && t->kind == HG_DOC_TEMPLATE) {
		hg_resolve_options ro = HG_RESOLVE_OPTIONS_INIT;
		hg_ir *ir;
		ro.registry = reg;		if (hg_resolve(&ir, a, &d, t, &ro) == 0) {
			if (ir->profile)
				hg_rules_check(ir->profile->rules, ir->profile->nrules, ir, NULL, &d);
			if ((!schemas || hg_schemas_check(schemas, ir, &d) == 0) &&
			        hg_lower(ir, &d) == 0) {
				hg_buf out = HG_BUF_INIT;
				if (t->target == HG_TARGET_AWS)
					hg_emit_cfn(&out, ir, &d);
				else
					hg_emit_arm(&out, ir, &d);
				hg_buf_dispose(&out);
			}
		}
	}
	{
		/* Rendering exercises every diagnostic's spans against the text. */
		hg_buf r = HG_BUF_INIT;
		hg_render_options ro = {HG_LANG_JA, false, 0};
		hg_diags_sort(&d);
		hg_diags_render(&d, &r, &ro);
		hg_buf_dispose(&r);
	}
	hg_diags_dispose(&d);
	hg_arena_dispose(a);
	return 0;
}
