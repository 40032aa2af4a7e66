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

static json_t *attribute(void *payload, const char *logical, const char *attr)
{
	(void)payload;
	return strcmp(attr, "Arn") == 0 ? json_sprintf("arn:aws:x:::%s", logical) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = json_loadb((const char *)data, size, 0, NULL), *params, *res, *def, *r, *targets;
	hg_cfn_ctx c;
	const char *k;

	if (!json_is_object(doc)) {
		json_decref(doc);
		return 0;
	}
	params = json_pack("{s:s, s:s}", "Env", "prod", "Names", "a,b");
	hg_cfn_ctx_init(&c, doc);
	c.params = params;
	c.account = "123456789012";
	c.region = "ap-northeast-1";
	c.partition = "aws";
	c.stack_name = "s";
	c.physical = physical;
	c.attribute = attribute;
	json_object_foreach(json_object_get(doc, "Conditions"), k, def)
		(void)hg_cfn_condition(&c, k);
	targets = json_array();
	res = json_object_get(doc, "Resources");
	json_object_foreach(res, k, def) {
		r = hg_cfn_resolve(&c, json_object_get(def, "Properties"));
		json_decref(r);
		hg_cfn_getatt_targets(json_object_get(def, "Properties"), targets);
	}
	json_decref(targets);
	hg_cfn_ctx_dispose(&c);
	json_decref(params);
	json_decref(doc);
	return 0;
}
