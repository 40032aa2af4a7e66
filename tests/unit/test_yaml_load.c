/*
 * test_yaml_load.c: YAML to nodes: positions, typing, hostile input.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "compiler/yaml_load.h"

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

static hg_node *load(const char *text, int *rc)
{
	hg_node *n = NULL;
	const char *file = hg_diags_source(&d, "t.yaml", text, strlen(text));
	*rc = hg_yaml_load(&n, a, &d, file, text, strlen(text), NULL);
	return n;
}

TestSuite(yaml_load, .init = setup, .fini = teardown);

Test(yaml_load, keeps_one_based_positions)
{
	int rc;
	hg_node *root = load("a: 1\nlist:\n  - x\n  - { k: v }\n", &rc);
	const hg_pair *p;
	cr_assert_eq(rc, 0);
	p = hg_node_pair(root, "list");
	cr_assert_not_null(p);
	cr_assert_eq(p->key->span.line, 2);
	cr_assert_eq(p->key->span.col, 1);
	cr_assert_eq(p->value->u.seq.n, 2);
	cr_assert_eq(p->value->u.seq.items[1]->kind, HG_NODE_MAP);
	cr_assert_eq(p->value->u.seq.items[1]->span.line, 4);
	cr_assert_eq(p->value->u.seq.items[1]->span.col, 5);
	cr_assert_eq(hg_node_get(p->value->u.seq.items[1], "k")->span.col, 10);
}

Test(yaml_load, columns_count_characters_not_bytes)
{
	int rc;
	hg_node *root = load("名前: 値\n", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(hg_node_get(root, "名前")->span.col, 5);
}

Test(yaml_load, duplicate_key_is_an_error_with_both_places)
{
	int rc;
	load("a: 1\nb: 2\na: 3\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_DUP_KEY);
	cr_assert_eq(d.items[0]->span.line, 3);
	cr_assert_eq(d.items[0]->nnotes, 1);
	cr_assert_eq(d.items[0]->notes[0].span.line, 1);
}

Test(yaml_load, alias_bomb_stops_at_the_budget)
{
	hg_buf b = HG_BUF_INIT;
	int rc, i;
	hg_buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 12; i++)
		hg_buf_printf(&b,
		        "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
		        i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	load(b.ptr, &rc);
	hg_buf_dispose(&b);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_ALIAS_LIMIT);
}

Test(yaml_load, small_aliases_are_shared)
{
	int rc;
	hg_node *root = load("base: &b { x: 1 }\nuse: *b\n", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(hg_node_get(root, "base"), hg_node_get(root, "use"));
}

Test(yaml_load, deep_nesting_is_refused_without_recursion)
{
	hg_buf b = HG_BUF_INIT;
	int rc;
	hg_buf_puts(&b, "a: ");
	hg_buf_fill(&b, '[', 10000);
	hg_buf_fill(&b, ']', 10000);
	load(b.ptr, &rc);
	hg_buf_dispose(&b);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_DEPTH);
	cr_assert_eq(d.items[0]->span.col, 203);
}

Test(yaml_load, invalid_utf8_is_located)
{
	int rc;
	load("a: 1\nb: x\xc3\x28\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_UTF8);
	cr_assert_eq(d.items[0]->span.line, 2);
	cr_assert_eq(d.items[0]->span.col, 5);
	cr_assert_str_eq(d.items[0]->args[0], "C3");
}

Test(yaml_load, overlong_and_surrogate_utf8_are_refused)
{
	int rc;
	load("a: \xc0\xaf\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
	hg_diags_dispose(&d);
	hg_diags_init(&d);
	load("a: \xed\xa0\x80\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
}

Test(yaml_load, second_document_and_syntax_errors)
{
	int rc;
	load("a: 1\n---\nb: 2\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_MULTI_DOC);
	cr_assert_eq(d.items[0]->span.line, 2);
	hg_diags_dispose(&d);
	hg_diags_init(&d);
	load("a: [1, 2\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_SYNTAX);
}

Test(yaml_load, empty_file_and_unknown_anchor)
{
	int rc;
	load("# only a comment\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_EMPTY);
	hg_diags_dispose(&d);
	hg_diags_init(&d);
	load("a: *nowhere\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_UNKNOWN_ANCHOR);
}

Test(yaml_load, non_scalar_keys_are_refused)
{
	int rc;
	load("? [a, b]\n: 1\n", &rc);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_KEY_NOT_SCALAR);
}

/* Criterion may run each case in a fresh process: no pointers in params. */
struct scase {
	char text[40];
	hg_scalar_type type;
	long long i;
};

/* YAML 1.2 core schema; YAML 1.1 booleans (yes/no/on/off) stay strings. */
ParameterizedTestParameters(yaml_scalar, core_schema)
{
	static struct scase c[] = {
	        {"v: true", HG_SCALAR_BOOL, 1},
	        {"v: False", HG_SCALAR_BOOL, 0},
	        {"v: yes", HG_SCALAR_STRING, 0},
	        {"v: off", HG_SCALAR_STRING, 0},
	        {"v: ~", HG_SCALAR_NULL, 0},
	        {"v:", HG_SCALAR_NULL, 0},
	        {"v: 2555", HG_SCALAR_INT, 2555},
	        {"v: -7", HG_SCALAR_INT, -7},
	        {"v: 0x1F", HG_SCALAR_INT, 31},
	        {"v: 0o17", HG_SCALAR_INT, 15},
	        {"v: 1.5", HG_SCALAR_FLOAT, 0},
	        {"v: .inf", HG_SCALAR_FLOAT, 0},
	        {"v: 1.0.0", HG_SCALAR_STRING, 0},
	        {"v: '10'", HG_SCALAR_STRING, 0},
	        {"v: \"true\"", HG_SCALAR_STRING, 0},
	        {"v: 99999999999999999999", HG_SCALAR_STRING, 0},
	        {"v: 10.20.0.0/16", HG_SCALAR_STRING, 0},
	        {"v: 1e3", HG_SCALAR_FLOAT, 0},
	};
	return cr_make_param_array(struct scase, c, sizeof(c) / sizeof(c[0]));
}

ParameterizedTest(struct scase *c, yaml_scalar, core_schema)
{
	hg_arena *ar = hg_arena_new();
	hg_diags dd = HG_DIAGS_INIT;
	hg_node *root = NULL;
	hg_scalar_value v;
	const char *f = hg_diags_source(&dd, "s.yaml", c->text, strlen(c->text));
	cr_assert_eq(hg_yaml_load(&root, ar, &dd, f, c->text, strlen(c->text), NULL), 0);
	v = hg_node_scalar(hg_node_get(root, "v"));
	cr_expect_eq(v.type, c->type, "%s", c->text);
	if (c->type == HG_SCALAR_INT)
		cr_expect_eq(v.i, c->i, "%s", c->text);
	if (c->type == HG_SCALAR_BOOL)
		cr_expect_eq(v.b, c->i != 0, "%s", c->text);
	hg_diags_dispose(&dd);
	hg_arena_dispose(ar);
}

/* A text of n lines "  kNNNNNN: v" under "a:", then extra (arena-owned). */
static char *many_keys(size_t n, const char *extra)
{
	hg_buf b = HG_BUF_INIT;
	char *s;
	size_t i;
	hg_buf_puts(&b, "a:\n");
	for (i = 0; i < n; i++)
		hg_buf_printf(&b, "  k%06zu: v\n", i);
	hg_buf_puts(&b, extra);
	s = hg_arena_strdup(a, b.ptr);
	hg_buf_dispose(&b);
	return s;
}

/*
 * 300,000 keys in one mapping (a generated file): the duplicate check was
 * quadratic (40,000 keys 2.7 s, 300,000 keys 365 s: a pre-commit hook that
 * hangs); with a hash index it is linear. The timeout only guards the hang.
 */
Test(yaml_load, a_mapping_of_300000_keys_is_checked_in_linear_time, .timeout = 60)
{
	int rc;
	load(many_keys(300000, "  k000007: again\n"), &rc);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_DUP_KEY);
	cr_assert_eq(d.items[0]->span.line, 300002);
	cr_assert_eq(d.items[0]->notes[0].span.line, 9); /* the first k000007 */
}

Test(yaml_load, a_mapping_of_300000_distinct_keys_loads, .timeout = 60)
{
	int rc;
	hg_node *root = load(many_keys(300000, ""), &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(hg_node_get(root, "a")->u.map.n, 300000);
}

/* 100,000 anchors and aliases: each lookup was a scan of every anchor. */
Test(yaml_load, many_anchors_are_found_in_linear_time, .timeout = 60)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;
	int rc;
	hg_node *root;
	hg_buf_puts(&b, "defs:\n");
	for (i = 0; i < 100000; i++)
		hg_buf_printf(&b, "  - &a%zu { n: %zu }\n", i, i);
	hg_buf_puts(&b, "uses:\n");
	for (i = 0; i < 100000; i++)
		hg_buf_printf(&b, "  - *a%zu\n", 99999 - i);
	root = load(hg_arena_strdup(a, b.ptr), &rc);
	hg_buf_dispose(&b);
	cr_assert_eq(rc, 0);
	cr_assert_eq(hg_node_get(root, "uses")->u.seq.items[0],
	        hg_node_get(root, "defs")->u.seq.items[99999]);
}

/* An anchor redefined inside the node that defines it: the outer one stays incomplete. */
Test(yaml_load, an_inner_anchor_of_the_same_name_shadows_the_outer)
{
	int rc;
	hg_node *root = load("x: &a [ &a 1, 2 ]\ny: *a\n", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(hg_node_get(root, "y"), hg_node_get(root, "x")->u.seq.items[0]);
}

/* PowerShell's Out-File -Encoding utf8 and Notepad write a byte order mark: it is skipped. */
Test(yaml_load, a_utf8_bom_is_skipped_and_positions_stay)
{
	int rc;
	hg_node *root = load("\xEF\xBB\xBFhinagata: 1\nb: [\n", &rc);
	cr_assert_null(root);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_SYNTAX); /* the real error, not the BOM */
	hg_diags_dispose(&d);
	root = load("\xEF\xBB\xBFhinagata: 1\n", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(hg_node_get(root, "hinagata")->span.col, 11);
	cr_assert_eq(hg_node_pair(root, "hinagata")->key->span.col, 1);
}

/* Windows PowerShell's > writes UTF-16: the error says so. */
Test(yaml_load, utf16_is_named)
{
	int rc;
	const char text[] = "\xFF\xFEh\0i\0:\0 \0"
	                    "1\0\n\0";
	hg_node *n = NULL;
	const char *file = hg_diags_source(&d, "t.yaml", text, sizeof(text) - 1);
	rc = hg_yaml_load(&n, a, &d, file, text, sizeof(text) - 1, NULL);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_UTF8);
	cr_assert_str_eq(d.items[0]->args[0], "FF");
	cr_assert_eq(d.items[0]->nnotes, 1);
	cr_assert_eq(d.items[0]->notes[0].code, HG_D_N_UTF16);
}

/*
 * A document of more than a million nodes without any alias (a flow list on
 * one very long line) said "alias expansion exceeds"; it says what it is.
 */
Test(yaml_load, a_huge_document_without_aliases_is_not_blamed_on_aliases)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;
	int rc;
	hg_buf_puts(&b, "z: [");
	for (i = 0; i < 1100000; i++)
		hg_buf_puts(&b, i ? ",1" : "1");
	hg_buf_puts(&b, "]\n");
	load(hg_arena_strdup(a, b.ptr), &rc);
	hg_buf_dispose(&b);
	cr_assert_eq(rc, HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_YAML_NODE_LIMIT);
	cr_assert_str_eq(d.items[0]->args[0], "1000000");
}
