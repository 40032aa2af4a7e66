/*
 * test_arm.c: ARM template expressions evaluated against the deployed
 * context, and what stays unresolvable.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../drift/arm.h"

static hg_arena *a;
static hg_arm_ctx ctx;

/* A JSON text as a value (in the test's arena). */
static hg_jv *jv(const char *text)
{
	hg_jv *v = NULL;
	cr_assert_eq(hg_jv_parse(&v, a, text, strlen(text), 64, NULL), 0, "%s", text);
	return v;
}

static void setup(void)
{
	a = hg_arena_new();
	memset(&ctx, 0, sizeof(ctx));
	ctx.a = a;
	ctx.doc = jv("{\"parameters\": {\"env\": {\"type\": \"string\"}, \"pw\": {\"type\": "
	             "\"securestring\"}, \"n\": {\"type\": \"int\"}},"
	             " \"variables\": {\"prefix\": \"[format('juki-{0}', parameters('env'))]\","
	             " \"tags\": {\"system\": \"juki\"}}}");
	ctx.params = jv("{\"env\": \"prod\", \"pw\": \"secret\", \"n\": 3}");
	ctx.subscription = "0000-1111";
	ctx.resource_group = "rg-juki";
	ctx.rg_location = "japaneast";
}

static void teardown(void)
{
	hg_arena_dispose(a);
}

static char *text_of(const hg_jv *v)
{
	hg_buf b = HG_BUF_INIT;
	hg_jv_canonical(&b, v);
	return hg_buf_detach(&b);
}

TestSuite(arm, .init = setup, .fini = teardown);

static void expect(const char *expr, const char *want)
{
	const hg_jv *in = hg_jv_string(a, expr, strlen(expr)), *out;
	char *text;

	ctx.why = NULL;
	out = hg_arm_resolve(&ctx, in);
	cr_assert_not_null(out, "%s: unresolvable: %s", expr, ctx.why ? ctx.why : "?");
	text = text_of(out);
	cr_expect_str_eq(text, want, "%s", expr);
	free(text);
}

static void unresolvable(const char *expr, const char *why)
{
	const hg_jv *in = hg_jv_string(a, expr, strlen(expr)), *out;

	ctx.why = NULL;
	out = hg_arm_resolve(&ctx, in);
	cr_expect_null(out, "%s resolved", expr);
	cr_assert_not_null(ctx.why);
	cr_expect(strstr(ctx.why, why) != NULL, "%s: reason '%s' lacks '%s'", expr, ctx.why, why);
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
	const char *id =
	        hg_arm_resource_id(&ctx, "Microsoft.Network/virtualNetworks/subnets", "vnet/snet");
	cr_assert_not_null(id);
	cr_expect_str_eq(id, "/subscriptions/0000-1111/resourceGroups/rg-juki/providers/"
	                     "Microsoft.Network/virtualNetworks/vnet/subnets/snet");
	ctx.resource_group = NULL;
	id = hg_arm_resource_id(&ctx, "Microsoft.Authorization/policyAssignments", "gc-regions");
	cr_expect_str_eq(id, "/subscriptions/0000-1111/providers/Microsoft.Authorization/"
	                     "policyAssignments/gc-regions");
}

Test(arm, arithmetic_and_copy_loops)
{
	const hg_jv *in, *out;
	char *text;

	expect("[add(100, mul(parameters('n'), 10))]", "130");
	expect("[mod(sub(7, 1), 4)]", "2");
	unresolvable("[div(1, 0)]", "division by zero");
	unresolvable("[add(9223372036854775807, 1)]", "overflow");
	unresolvable("[copyIndex()]", "outside its copy loop");
	/* A property loop, as bicep build writes a for: copyIndex by loop name and offset. */
	in = jv("{\"copy\": [{\"name\": \"rules\", \"count\": \"[parameters('n')]\","
	        " \"input\": {\"name\": \"[format('r{0}', copyIndex('rules', 1))]\"}}],"
	        " \"other\": 1}");
	ctx.why = NULL;
	out = hg_arm_resolve(&ctx, in);
	cr_assert_not_null(out, "%s", ctx.why ? ctx.why : "?");
	text = text_of(out);
	cr_expect_str_eq(text,
	        "{\"other\":1,\"rules\":[{\"name\":\"r1\"},{\"name\":\"r2\"},{\"name\":\"r3\"}]}");
	free(text);
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
