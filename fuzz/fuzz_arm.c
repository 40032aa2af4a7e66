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
	hg_arm_ctx c;
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL), *r;
	json_t *params = json_pack("{s:i, s:s, s:[s, s]}", "count", 2, "name", "st", "names", "a", "b");
	char *id;

	memset(&c, 0, sizeof(c));
	c.params = params;
	c.subscription = "0000-1111";
	c.resource_group = "rg-a";
	if (!doc)
		doc = json_stringn((const char *)data, size);
	if (doc) {
		c.doc = json_is_object(doc) ? doc : NULL;
		r = hg_arm_resolve(&c, doc);
		json_decref(r);
		if (json_is_object(doc)) {
			json_t *copy = json_object_get(doc, "copy");
			if (json_is_object(copy))
				(void)hg_arm_copy_count(&c, copy);
		}
		id = hg_arm_resource_id(&c, "Microsoft.Storage/storageAccounts", "st");
		free(id);
	}
	free(c.why);
	json_decref(doc);
	json_decref(params);
	return 0;
}
