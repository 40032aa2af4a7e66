/*
 * test_arm.c: ARM template expressions evaluated against the deployed
 * context, and what stays unresolvable.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../drift/arm.h"

static json_t *doc;
static json_t *params;
static hg_arm_ctx ctx;

static void setup(void)
{
	doc = json_loads("{\"parameters\": {\"env\": {\"type\": \"string\"}, \"pw\": {\"type\": "
	                 "\"securestring\"}, \"n\": {\"type\": \"int\"}},"
	                 " \"variables\": {\"prefix\": \"[format('juki-{0}', parameters('env'))]\","
	                 " \"tags\": {\"system\": \"juki\"}}}",
	        0, NULL);
	params = json_pack("{s:s, s:s, s:i}", "env", "prod", "pw", "secret", "n", 3);
	memset(&ctx, 0, sizeof(ctx));
	ctx.doc = doc;
	ctx.params = params;
	ctx.subscription = "0000-1111";
	ctx.resource_group = "rg-juki";
	ctx.rg_location = "japaneast";
}

static void teardown(void)
{
	free(ctx.why);
	json_decref(doc);
	json_decref(params);
}

TestSuite(arm, .init = setup, .fini = teardown);

static void expect(const char *expr, const char *want)
{
	json_t *in = json_string(expr), *out;
	char *text;

	free(ctx.why);
	ctx.why = NULL;
	out = hg_arm_resolve(&ctx, in);
	cr_assert_not_null(out, "%s: unresolvable: %s", expr, ctx.why ? ctx.why : "?");
	text = json_dumps(out, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
	cr_expect_str_eq(text, want, "%s", expr);
	free(text);
	json_decref(out);
	json_decref(in);
}

static void unresolvable(const char *expr, const char *why)
{
	json_t *in = json_string(expr), *out;

	free(ctx.why);
	ctx.why = NULL;
	out = hg_arm_resolve(&ctx, in);
	cr_expect_null(out, "%s resolved", expr);
	cr_assert_not_null(ctx.why);
	cr_expect(strstr(ctx.why, why) != NULL, "%s: reason '%s' lacks '%s'", expr, ctx.why, why);
	json_decref(out);
	json_decref(in);
}

Test(arm, literals_and_escapes)
{
	expect("plain text", "\"plain text\"");
	expect("[[not an expression]", "\"[not an expression]\"");
	expect("['it''s']", "\"it's\"");
	expect("[parameters('n')]", "3");
}

Test(arm, parameters_variables_format_concat)
{
	expect("[parameters('env')]", "\"prod\"");
	expect("[variables('prefix')]", "\"juki-prod\"");
	expect("[variables('tags').system]", "\"juki\"");
	expect("[concat(variables('prefix'), '-', parameters('n'))]", "\"juki-prod-3\"");
	expect("[format('{0}/{1} {{x}}', 'a', 2)]", "\"a/2 {x}\"");
	expect("[toLower('JapanEast')]", "\"japaneast\"");
}

Test(arm, scope_functions)
{
	expect("[resourceGroup().location]", "\"japaneast\"");
	expect("[resourceGroup().id]", "\"/subscriptions/0000-1111/resourceGroups/rg-juki\"");
	expect("[subscription().subscriptionId]", "\"0000-1111\"");
	expect("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'snet-app')]",
	        "\"/subscriptions/0000-1111/resourceGroups/rg-juki/providers/Microsoft.Network/"
	        "virtualNetworks/vnet/subnets/snet-app\"");
	expect("[resourceId('rg-other', 'Microsoft.Network/networkSecurityGroups', 'nsg')]",
	        "\"/subscriptions/0000-1111/resourceGroups/rg-other/providers/Microsoft.Network/"
	        "networkSecurityGroups/nsg\"");
	expect("[subscriptionResourceId('Microsoft.Authorization/policyDefinitions', 'p1')]",
	        "\"/subscriptions/0000-1111/providers/Microsoft.Authorization/policyDefinitions/"
	        "p1\"");
	expect("[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'l')]",
	        "\"/subscriptions/0000-1111/resourceGroups/rg-juki/providers/"
	        "Microsoft.Authorization/"
	        "locks/l\"");
}

Test(arm, logic)
{
	expect("[if(equals(parameters('env'), 'prod'), 'Standard_ZRS', 'Standard_LRS')]",
	        "\"Standard_ZRS\"");
	expect("[and(true, not(equals(1, 2)))]", "true");
	expect("[empty('')]", "true");
	expect("[length(createArray(1, 2, 3))]", "3");
	expect("[createObject('a', 1).a]", "1");
}

Test(arm, unresolvable_fail_closed)
{
	unresolvable("[reference('x').outputs]", "not evaluated offline: reference");
	unresolvable("[uniqueString(resourceGroup().id)]", "uniqueString");
	unresolvable("[parameters('pw')]", "secure");
	unresolvable("[parameters('nope')]", "not declared");
	unresolvable("[variables('nope')]", "not defined");
	unresolvable("[format('{3}', 'a')]", "out of range");
	unresolvable("[concat('a']", "unclosed");
	expect("[concat('a'", "\"[concat('a'\""); /* no closing ']': not an expression */
}

Test(arm, resource_ids)
{
	char *id =
	        hg_arm_resource_id(&ctx, "Microsoft.Network/virtualNetworks/subnets", "vnet/snet");
	cr_assert_not_null(id);
	cr_expect_str_eq(id, "/subscriptions/0000-1111/resourceGroups/rg-juki/providers/"
	                     "Microsoft.Network/virtualNetworks/vnet/subnets/snet");
	free(id);
	ctx.resource_group = NULL;
	id = hg_arm_resource_id(&ctx, "Microsoft.Authorization/policyAssignments", "gc-regions");
	cr_expect_str_eq(id, "/subscriptions/0000-1111/providers/Microsoft.Authorization/"
	                     "policyAssignments/gc-regions");
	free(id);
}

Test(arm, arithmetic_and_copy_loops)
{
	json_t *in, *out;
	char *text;

	expect("[add(100, mul(parameters('n'), 10))]", "130");
	expect("[mod(sub(7, 1), 4)]", "2");
	unresolvable("[div(1, 0)]", "division by zero");
	unresolvable("[add(9223372036854775807, 1)]", "overflow");
	unresolvable("[copyIndex()]", "outside its copy loop");
	/* A property loop, as bicep build writes a for: copyIndex by loop name and offset. */
	in = json_loads("{\"copy\": [{\"name\": \"rules\", \"count\": \"[parameters('n')]\","
	                " \"input\": {\"name\": \"[format('r{0}', copyIndex('rules', 1))]\"}}],"
	                " \"other\": 1}",
	        0, NULL);
	out = hg_arm_resolve(&ctx, in);
	cr_assert_not_null(out, "%s", ctx.why ? ctx.why : "?");
	text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	cr_expect_str_eq(text,
	        "{\"other\":1,\"rules\":[{\"name\":\"r1\"},{\"name\":\"r2\"},{\"name\":\"r3\"}]}");
	free(text);
	json_decref(out);
	json_decref(in);
}

Test(arm, deep_nesting_fails_closed)
{
	char e[4096];
	int i, n = 0;

	n += snprintf(e + n, sizeof(e) - (size_t)n, "[");
	for (i = 0; i < 500; i++)
		n += snprintf(e + n, sizeof(e) - (size_t)n, "not(");
	n += snprintf(e + n, sizeof(e) - (size_t)n, "true()");
	for (i = 0; i < 500; i++)
		n += snprintf(e + n, sizeof(e) - (size_t)n, ")");
	snprintf(e + n, sizeof(e) - (size_t)n, "]");
	unresolvable(e, "nests too deep");
}
