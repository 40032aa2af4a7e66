/*
 * fuzz_arm.c: libFuzzer target for ARM template expressions ("[...]") and
 * copy loops as hinagata drift evaluates a desired ARM template: the input
 * is a template (JSON) whose every value is evaluated, or else one
 * expression.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drift/arm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_arena *a = hg_arena_new();
	hg_arm_ctx c;
	hg_jv *doc = NULL, *params = NULL;
	static const char p[] = "{\"count\": 2, \"name\": \"st\", \"names\": [\"a\", \"b\"]}";

	memset(&c, 0, sizeof(c));
	c.a = a;
	if (hg_jv_parse(&params, a, p, sizeof(p) - 1, 4, NULL) < 0) {
		hg_arena_dispose(a);
		return 0;
	}
	c.params = params;
	c.subscription = "0000-1111";
	c.resource_group = "rg-a";
	if (hg_jv_parse(&doc, a, (const char *)data, size, 512, NULL) < 0)
		doc = hg_jv_string(a, (const char *)data, size);
	c.doc = doc->kind == HG_JV_OBJ ? doc : NULL;
	(void)hg_arm_resolve(&c, doc);
	if (doc->kind == HG_JV_OBJ) {
		const hg_jv *copy = hg_jv_get(doc, "copy");
		if (copy && copy->kind == HG_JV_OBJ)
			(void)hg_arm_copy_count(&c, copy);
	}
	(void)hg_arm_resource_id(&c, "Microsoft.Storage/storageAccounts", "st");
	hg_arena_dispose(a);
	return 0;
}
