/*
 * test_schema.c: the Azure schema packs (compiler/schema.c) as the check of
 * hand-written ARM reads them, on a made-up provider written to a temporary
 * directory: subtypes chosen by their discriminator, names and values
 * matched case-insensitively, read-only properties, versions and types
 * without a schema, and a broken pack, which fails closed while a broken
 * line nothing refers to is never read.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fs.h"
#include "compiler/compiler.h"

static char dir[] = "/tmp/hg-schema-XXXXXX";
static hg_diags d;

/*
 * The pack of "Test.Widgets" (see scripts/gen-azure-schemas.py): line 0 the
 * header, 1-3 the types' versions, then schema nodes. Line 11 is broken
 * JSON that only Test.Widgets/broken reaches.
 */
static const char *const pack[] = {
        "{\"provider\":\"Test.Widgets\",\"types\":{\"Test.Widgets/gadgets\":1,"
        "\"Test.Widgets/future\":2,\"Test.Widgets/broken\":3}}",
        /* 1 */ "[[\"2024-01-01\",4,\"r\"],[\"2025-01-01\",0,\"r\"]]",
        /* 2 */ "[[\"2024-06-01\",0,\"r\"]]",
        /* 3 */ "[[\"2024-01-01\",11,\"r\"]]",
        /* 4: the body */
        "{\"additionalProperties\":false,\"properties\":{\"name\":{\"type\":\"string\"},"
        "\"location\":{\"type\":\"string\"},\"properties\":{\"$ref\":5}},"
        "\"readOnly\":[\"systemData\"],\"required\":[\"name\"],\"type\":\"object\"}",
        /* 5: base properties and a choice of subtypes by kind */
        "{\"allOf\":[{\"$ref\":6},{\"oneOf\":[{\"$ref\":7},{\"$ref\":8}]}]}",
        /* 6 */
        "{\"additionalProperties\":false,\"properties\":{\"kind\":{\"enum\":[\"Round\",\"Square\"],"
        "\"type\":\"string\"},\"size\":{\"type\":\"integer\"}},\"readOnly\":[\"provisioningState\"],"
        "\"required\":[\"kind\"],\"type\":\"object\"}",
        /* 7 */
        "{\"properties\":{\"kind\":{\"const\":\"Round\"},\"radius\":{\"type\":\"integer\"}},"
        "\"type\":\"object\"}",
        /* 8 */
        "{\"properties\":{\"kind\":{\"const\":\"Square\"},\"side\":{\"type\":\"integer\"}},"
        "\"type\":\"object\"}",
        /* 9, 10: not reached */
        "{\"type\":\"string\"}", "{\"type\":\"string\"}",
        /* 11 */ "{\"type\": broken",
};

static void put_file(const char *name, const char *text)
{
	hg_buf p = HG_BUF_INIT;
	hg_buf_printf(&p, "%s/%s", dir, name);
	cr_assert_eq(hg_fs_write_atomic(p.ptr, text, strlen(text)), 0);
	hg_buf_dispose(&p);
}

static void setup(void)
{
	hg_buf text = HG_BUF_INIT;
	size_t i;

	strcpy(dir, "/tmp/hg-schema-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	hg_diags_init(&d);
	put_file("aws/index.json", "{\"types\":{}}\n");
	put_file("azure/index.json", "{\"providers\":{\"Test.Widgets\":\"test.widgets.jsonl\"}}\n");
	put_file("azure/types.txt", "Test.Widgets/broken\nTest.Widgets/future\nTest.Widgets/gadgets\n");
	for (i = 0; i < sizeof(pack) / sizeof(*pack); i++)
		hg_buf_printf(&text, "%s\n", pack[i]);
	put_file("azure/test.widgets.jsonl", text.ptr);
	hg_buf_dispose(&text);
}

static void teardown(void)
{
	char cmd[256];
	hg_diags_dispose(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(schema, .init = setup, .fini = teardown);

/* Check one ARM resource (a JSON object) at type@version; returns the exit class. */
static int check(const char *type, const char *version, const char *body)
{
	hg_compile_options o = HG_COMPILE_OPTIONS_INIT;
	hg_buf t = HG_BUF_INIT;
	bool recognized = false;

	o.bundled_dir = HG_SOURCE_DIR "/templates";
	o.schema_dir = dir;
	hg_buf_printf(&t,
	        "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/"
	        "deploymentTemplate.json#\", \"resources\": [{\"type\": \"%s\", \"apiVersion\": "
	        "\"%s\", \"name\": \"w1\", \"location\": \"japaneast\"%s%s}]}",
	        type, version, *body ? ", " : "", body);
	hg_check_template_text("main.json", t.ptr, t.size, &o, &d, &recognized);
	hg_buf_dispose(&t);
	cr_assert(recognized);
	return hg_diags_exit_code(&d);
}

/* The codes reported, in order, as "HG3002 HG3006". */
static char *codes(void)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;
	for (i = 0; i < d.n; i++) {
		char code[8];
		hg_diag_code_str(code, d.items[i]->code);
		hg_buf_printf(&b, "%s%s", i ? " " : "", code);
	}
	if (!b.size)
		hg_buf_puts(&b, "");
	return hg_buf_detach(&b);
}

Test(schema, a_subtype_is_chosen_by_its_discriminator)
{
	cr_assert_eq(check("Test.Widgets/gadgets", "2024-01-01",
	                     "\"properties\": {\"kind\": \"Round\", \"radius\": 3, \"size\": 1}"),
	        0, "%s", codes());
	cr_assert_eq(check("Test.Widgets/gadgets", "2024-01-01",
	                     "\"properties\": {\"kind\": \"Square\", \"radius\": 3}"),
	        1);
	cr_assert_str_eq(codes(), "HG3002");
	cr_assert_str_eq(d.items[0]->args[0], "radius");
}

Test(schema, an_expression_discriminator_admits_every_subtype)
{
	cr_assert_eq(check("Test.Widgets/gadgets", "2024-01-01",
	                     "\"properties\": {\"kind\": \"[parameters('k')]\", \"radius\": 3, "
	                     "\"side\": 2}"),
	        0, "%s", codes());
	cr_assert_eq(check("Test.Widgets/gadgets", "2024-01-01",
	                     "\"properties\": {\"kind\": \"[parameters('k')]\", \"radiu\": 3}"),
	        1);
	cr_assert_str_eq(codes(), "HG3002");
}

Test(schema, names_and_values_match_case_insensitively)
{
	cr_assert_eq(check("test.widgets/GADGETS", "2024-01-01",
	                     "\"Properties\": {\"KIND\": \"round\", \"Radius\": 3}"),
	        0, "%s", codes());
	cr_assert_eq(check("Test.Widgets/gadgets", "2024-01-01",
	                     "\"properties\": {\"kind\": \"Oval\"}"),
	        1);
	cr_assert_str_eq(codes(), "HG3005");
}

Test(schema, read_only_properties_are_named)
{
	cr_assert_eq(check("Test.Widgets/gadgets", "2024-01-01",
	                     "\"systemData\": {}, \"properties\": {\"kind\": \"Round\", "
	                     "\"provisioningState\": \"Succeeded\"}"),
	        1);
	cr_assert_str_eq(codes(), "HG3006 HG3006");
}

Test(schema, a_version_without_schema_is_checked_as_the_nearest)
{
	cr_assert_eq(check("Test.Widgets/gadgets", "2025-01-01",
	                     "\"properties\": {\"kind\": \"Round\", \"colour\": \"red\"}"),
	        0, "%s", codes());
	cr_assert_str_eq(codes(), "HG3018");
	cr_assert_str_eq(d.items[0]->args[2], "2024-01-01");
	cr_assert_eq(d.items[0]->nnotes, 1, "the unknown property is a note");
	/* Type errors still fail. */
	cr_assert_eq(check("Test.Widgets/gadgets", "2025-01-01",
	                     "\"properties\": {\"kind\": \"Round\", \"size\": \"big\"}"),
	        1);
}

Test(schema, a_type_without_any_schema_says_it_is_not_checked)
{
	cr_assert_eq(check("Test.Widgets/future", "2024-06-01", "\"properties\": {\"x\": 1}"), 0);
	cr_assert_str_eq(codes(), "HG3019");
}

Test(schema, unknown_versions_and_types_fail)
{
	cr_assert_eq(check("Test.Widgets/gadgets", "2023-02-30", ""), 1);
	cr_assert_str_eq(codes(), "HG3016");
	cr_assert_str_eq(d.items[0]->args[2], "2024-01-01, 2025-01-01");
	hg_diags_dispose(&d);
	hg_diags_init(&d);
	cr_assert_eq(check("Test.Widgets/gadget", "2024-01-01", ""), 1);
	cr_assert_str_eq(codes(), "HG3001");
	cr_assert_str_eq(d.items[0]->notes[0].args[0], "Test.Widgets/gadgets");
}

Test(schema, a_broken_pack_fails_closed)
{
	cr_assert_eq(check("Test.Widgets/broken", "2024-01-01", ""), 2);
	cr_assert_str_eq(codes(), "HG9003");
}
