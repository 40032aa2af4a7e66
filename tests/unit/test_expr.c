/*
 * test_expr.c: the ${...} expression parser and string interpolation.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "compiler/expr.h"

static hg_arena *a;
static hg_diags d;
static hg_span at;

static void setup(void)
{
	a = hg_arena_new();
	hg_diags_init(&d);
	at.file = hg_diags_source(&d, "e.yaml", NULL, 0);
	at.line = 3;
	at.col = 10;
	at.end_line = 3;
	at.end_col = 40;
}

static void teardown(void)
{
	hg_diags_dispose(&d);
	hg_arena_dispose(a);
}

TestSuite(expr, .init = setup, .fini = teardown);

static hg_expr *parse(const char *s)
{
	return hg_expr_parse(a, &d, s, strlen(s), &at, true);
}

Test(expr, dotted_reference)
{
	hg_expr *e = parse("db.Endpoint.Address");
	cr_assert_not_null(e);
	cr_assert_eq(e->kind, HG_EX_REF);
	cr_assert_eq(e->u.ref.n, 3);
	cr_assert_str_eq(e->u.ref.parts[1], "Endpoint");
	cr_assert_eq(e->u.ref.spans[2].col, 22);
	cr_assert_eq(e->span.col, 10);
	cr_assert_eq(e->span.end_col, 29);
}

Test(expr, precedence_and_ternary)
{
	/* ! binds tighter than ==? No: ! applies to a comparison; && over ||. */
	hg_expr *e = parse("params.a == 'x' || params.b != 2 && !c.flag ? 1 : 'two'");
	cr_assert_not_null(e);
	cr_assert_eq(e->kind, HG_EX_COND);
	cr_assert_eq(e->u.op.a->kind, HG_EX_OR);
	cr_assert_eq(e->u.op.a->u.op.a->kind, HG_EX_EQ);
	cr_assert_eq(e->u.op.a->u.op.b->kind, HG_EX_AND);
	cr_assert_eq(e->u.op.a->u.op.b->u.op.b->kind, HG_EX_NOT);
	cr_assert_eq(e->u.op.b->kind, HG_EX_INT);
	cr_assert_eq(e->u.op.c->kind, HG_EX_STR);
	cr_assert_str_eq(e->u.op.c->u.str.s, "two");
}

Test(expr, calls_check_their_arity)
{
	hg_expr *e = parse("select(0, cidr(vpc.CidrBlock, 4, 8))");
	cr_assert_not_null(e);
	cr_assert_eq(e->kind, HG_EX_CALL);
	cr_assert_eq(e->u.call.fn, HG_FN_SELECT);
	cr_assert_eq(e->u.call.args[1]->u.call.fn, HG_FN_CIDR);
	cr_assert_null(parse("join(',')"));
	cr_assert_eq(d.items[0]->code, HG_D_FUNCTION_ARITY);
	cr_assert_null(parse("upper('x')"));
	cr_assert_eq(d.items[1]->code, HG_D_UNKNOWN_FUNCTION);
}

Test(expr, syntax_errors_point_at_the_token)
{
	cr_assert_null(parse("a = b"));
	cr_assert_eq(d.items[0]->code, HG_D_EXPR_SYNTAX);
	cr_assert_eq(d.items[0]->span.col, 12);
	cr_assert_null(parse("'open"));
	cr_assert_null(parse("a.")); /* name expected after the dot */
	cr_assert_null(parse(""));
	cr_assert_eq(d.n, 4);
}

Test(expr, deep_nesting_is_refused)
{
	char s[400];
	memset(s, '(', 200);
	s[200] = 'a';
	memset(s + 201, ')', 199);
	s[400 - 1] = '\0';
	cr_assert_null(hg_expr_parse(a, &d, s, 400 - 1, &at, true));
	cr_assert_eq(d.items[0]->code, HG_D_EXPR_SYNTAX);
}

Test(expr, interpolation_splits_text_and_expressions)
{
	const char *s = "arn:${aws.partition}:s3:::${bucket}/*";
	hg_value *v = hg_value_parse_string(a, &d, s, strlen(s), &at, true, &at);
	cr_assert_not_null(v);
	cr_assert_eq(v->kind, HG_V_INTERP);
	cr_assert_eq(v->u.interp.n, 5);
	cr_assert_str_eq(v->u.interp.parts[0].text, "arn:");
	cr_assert_eq(v->u.interp.parts[1].expr->kind, HG_EX_REF);
	cr_assert_eq(v->u.interp.parts[3].expr->span.col, 10 + 28);
	cr_assert_str_eq(v->u.interp.parts[4].text, "/*");
}

Test(expr, whole_expression_and_escapes)
{
	const char *s1 = "${params.days}";
	const char *s2 = "literal $${aws:username} stays";
	const char *s3 = "no dollars";
	hg_value *v = hg_value_parse_string(a, &d, s1, strlen(s1), &at, true, &at);
	cr_assert_eq(v->kind, HG_V_EXPR);
	v = hg_value_parse_string(a, &d, s2, strlen(s2), &at, true, &at);
	cr_assert_eq(v->kind, HG_V_STR);
	cr_assert_str_eq(v->u.str.s, "literal ${aws:username} stays");
	v = hg_value_parse_string(a, &d, s3, strlen(s3), &at, true, &at);
	cr_assert_eq(v->kind, HG_V_STR);
	cr_assert_null(hg_value_parse_string(a, &d, "x ${open", 8, &at, true, &at));
	cr_assert_eq(d.items[0]->code, HG_D_EXPR_SYNTAX);
}

Test(expr, inexact_spans_fall_back_to_the_scalar)
{
	const char *s = "${a = b}";
	cr_assert_null(hg_value_parse_string(a, &d, s, strlen(s), &at, false, &at));
	cr_assert_eq(d.items[0]->span.col, 10);
}
