/*
 * fuzz_cfn.c: libFuzzer target for a CloudFormation template as hinagata
 * drift resolves it (Ref, Fn::Sub, Fn::If, conditions, mappings, ...): every
 * resource's properties and every condition of the input are evaluated.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drift/cfn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *physical(void *payload, const char *logical)
{
	(void)payload;
	return strlen(logical) % 2 ? "phys-id" : NULL;
}

static const hg_jv *attribute(void *payload, const char *logical, const char *attr)
{
	hg_arena *a = payload;
	const char *s;
	if (strcmp(attr, "Arn") != 0)
		return NULL;
	s = hg_arena_printf(a, "arn:aws:x:::%s", logical);
	return hg_jv_string(a, s, strlen(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_arena *a = hg_arena_new();
	hg_jv *doc = NULL, *params = NULL;
	const hg_jv *conds, *res;
	hg_cfn_ctx c;
	size_t i;
	static const char p[] = "{\"Env\": \"prod\", \"Names\": \"a,b\"}";

	if (hg_jv_parse(&doc, a, (const char *)data, size, 512, NULL) < 0 || doc->kind != HG_JV_OBJ ||
	        hg_jv_parse(&params, a, p, sizeof(p) - 1, 4, NULL) < 0) {
		hg_arena_dispose(a);
		return 0;
	}
	hg_cfn_ctx_init(&c, a, doc);
	c.params = params;
	c.account = "123456789012";
	c.region = "ap-northeast-1";
	c.partition = "aws";
	c.stack_name = "s";
	c.physical = physical;
	c.attribute = attribute;
	c.payload = a;
	conds = hg_jv_get(doc, "Conditions");
	for (i = 0; conds && conds->kind == HG_JV_OBJ && i < conds->n; i++)
		(void)hg_cfn_condition(&c, conds->u.members[i].key);
	res = hg_jv_get(doc, "Resources");
	for (i = 0; res && res->kind == HG_JV_OBJ && i < res->n; i++) {
		const hg_jv *props = hg_jv_get(res->u.members[i].val, "Properties");
		c.why = NULL;
		if (props)
			(void)hg_cfn_resolve(&c, props);
	}
	hg_arena_dispose(a);
	return 0;
}
