/*
 * raw_arm.c: ARM template expressions ("[...]" strings) read into values
 * the rule engine can follow (see raw.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. An expression is read in one recursive descent into the same
 * value trees the compiler builds: parameters('x') is the parameter,
 * variables('x') the variable's own value (read once, on first use),
 * if(c, a, b) a condition's choice between two values, equals/not/and/or
 * its test, and concat()/format() text joined from parts. What only the
 * deployment knows (resourceGroup(), reference(), resourceId(), copyIndex(),
 * a property of a result) is opaque. drift/arm.c evaluates the same
 * language, but to the values a deployment has (JSON, no positions, no
 * choices): the rules need the choices and where each one is written, so
 * the compiler reads expressions on its own. A malformed expression is
 * opaque here; ARM reports it at deploy time.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "raw.h"

struct ax {
	struct raw *t;
	const char *p, *end;
	const hg_span *span; /* the string's: every node of the expression gets it */
	int depth;
	bool bad;
};

#define MAX_DEPTH 64

static hg_value *expr(struct ax *x);

static void ws(struct ax *x)
{
	while (x->p < x->end && isspace((unsigned char)*x->p))
		x->p++;
}

static hg_value *opaque(struct ax *x)
{
	return hg_raw_opaque(x->t, x->span);
}

/* 'text' with '' for a quote. */
static hg_value *string_lit(struct ax *x)
{
	hg_buf b = HG_BUF_INIT;
	hg_value *v;

	x->p++;
	while (x->p < x->end) {
		if (*x->p == '\'') {
			if (x->p + 1 < x->end && x->p[1] == '\'') {
				hg_buf_putc(&b, '\'');
				x->p += 2;
				continue;
			}
			break;
		}
		hg_buf_putc(&b, *x->p++);
	}
	if (x->p >= x->end)
		x->bad = true;
	else
		x->p++;
	v = hg_value_str(x->t->a, b.ptr ? b.ptr : "", b.size, x->span);
	hg_buf_dispose(&b);
	return v;
}

/* The arguments of a call, up to ')' (at most 32); the first one's text in *a0..*a0_end. */
static size_t args(struct ax *x, hg_value **out, const char **a0, const char **a0_end)
{
	size_t n = 0;
	const char *start;
	ws(x);
	if (x->p < x->end && *x->p == ')') {
		x->p++;
		return 0;
	}
	start = x->p;
	while (x->p < x->end && !x->bad) {
		hg_value *v = expr(x);
		if (n == 0) {
			*a0 = start;
			*a0_end = x->p;
		}
		if (n < 32)
			out[n++] = v;
		ws(x);
		if (x->p < x->end && *x->p == ',') {
			x->p++;
			continue;
		}
		if (x->p < x->end && *x->p == ')') {
			x->p++;
			return n;
		}
		break;
	}
	x->bad = true;
	return n;
}

static const char *str_arg(hg_value *v, size_t *len)
{
	if (!v || v->kind != HG_V_STR)
		return NULL;
	*len = v->u.str.len;
	return v->u.str.s;
}

static hg_value *boolean(struct ax *x, hg_expr_kind kind, hg_value **a, size_t n)
{
	hg_expr *e;
	hg_value *v;
	size_t i;

	if (n == 0 || (kind == HG_EX_NOT && n != 1) || ((kind == HG_EX_EQ) && n != 2))
		return opaque(x);
	e = hg_expr_new(x->t->a, kind, x->span);
	e->u.op.a = hg_raw_expr_of(x->t, a[0]);
	if (kind == HG_EX_EQ)
		e->u.op.b = hg_raw_expr_of(x->t, a[1]);
	for (i = 1; kind != HG_EX_NOT && kind != HG_EX_EQ && i < n; i++) {
		/* and(a, b, c) = and(and(a, b), c) */
		if (i > 1) {
			hg_expr *f = hg_expr_new(x->t->a, kind, x->span);
			f->u.op.a = e;
			e = f;
		}
		e->u.op.b = hg_raw_expr_of(x->t, a[i]);
	}
	v = hg_value_new(x->t->a, HG_V_EXPR, x->span);
	v->u.expr = e;
	return v;
}

/* format('{0}-{1}', a, b): the pieces joined ("{{" and "}}" are braces). */
static hg_value *format(struct ax *x, hg_value **a, size_t n)
{
	hg_value *parts[64];
	size_t np = 0, len;
	const char *f = str_arg(a[0], &len), *p, *end;
	hg_buf lit = HG_BUF_INIT;

	if (!f)
		return opaque(x);
	end = f + len;
	for (p = f; p < end;) {
		char *close;
		long k;
		if ((*p == '{' || *p == '}') && p + 1 < end && p[1] == *p) {
			hg_buf_putc(&lit, *p);
			p += 2;
			continue;
		}
		if (*p != '{') {
			hg_buf_putc(&lit, *p++);
			continue;
		}
		k = strtol(p + 1, &close, 10);
		if (close == p + 1 || close >= end || (*close != '}' && *close != ':') || k < 0 ||
		        (size_t)k + 1 >= n || np + 2 >= 64)
			break; /* ARM rejects it: not a value */
		if (lit.size)
			parts[np++] = hg_value_str(x->t->a, lit.ptr, lit.size, x->span);
		hg_buf_clear(&lit);
		parts[np++] = a[k + 1];
		p = memchr(close, '}', (size_t)(end - close));
		if (!p)
			break;
		p++;
	}
	if (p != end) {
		hg_buf_dispose(&lit);
		return opaque(x);
	}
	if (lit.size || !np)
		parts[np++] = hg_value_str(x->t->a, lit.ptr ? lit.ptr : "", lit.size, x->span);
	hg_buf_dispose(&lit);
	return hg_raw_concat(x->t, parts, np, x->span);
}

/* name(args): the functions whose values the rules can use; others are opaque. */
static hg_value *call(struct ax *x, const char *name, size_t nlen)
{
	hg_value *a[32], *v;
	const char *s, *c0 = x->p, *c1 = x->p;
	size_t n = args(x, a, &c0, &c1), len;
	hg_expr *e;

#define IS(lit) (nlen == sizeof(lit) - 1 && strncasecmp(name, lit, nlen) == 0)
	if (x->bad)
		return opaque(x);
	if (IS("parameters") && n == 1 && (s = str_arg(a[0], &len)) != NULL) {
		hg_ir_param *p = hg_raw_param(x->t, s, len);
		if (!p)
			return opaque(x);
		e = hg_expr_new(x->t->a, HG_EX_PARAM, x->span);
		e->u.param = p;
		v = hg_value_new(x->t->a, HG_V_EXPR, x->span);
		v->u.expr = e;
		return v;
	}
	if (IS("variables") && n == 1 && (s = str_arg(a[0], &len)) != NULL) {
		/* The variable's value, where the property names it (for the findings). */
		v = hg_raw_arm_variable(x->t, s, len, x->span);
		if (!v)
			return opaque(x);
		e = hg_expr_new(x->t->a, HG_EX_VALUE, x->span);
		e->u.value = v;
		v = hg_value_new(x->t->a, HG_V_EXPR, x->span);
		v->u.expr = e;
		return v;
	}
	if (IS("if") && n == 3) {
		/* The condition is named by its text, for the findings it leads to. */
		int w = (int)(c1 - c0);
		hg_ir_cond *c = hg_raw_new_cond(x->t,
		        w > 60 ? hg_arena_printf(x->t->a, "%.57s...", c0)
		               : hg_arena_printf(x->t->a, "%.*s", w, c0),
		        hg_raw_expr_of(x->t, a[0]), x->span);
		e = hg_expr_new(x->t->a, HG_EX_COND, x->span);
		e->u.op.a = hg_expr_new(x->t->a, HG_EX_CONDREF, x->span);
		e->u.op.a->u.cond = c;
		e->u.op.b = hg_raw_expr_of(x->t, a[1]);
		e->u.op.c = hg_raw_expr_of(x->t, a[2]);
		v = hg_value_new(x->t->a, HG_V_EXPR, x->span);
		v->u.expr = e;
		return v;
	}
	if (IS("equals"))
		return boolean(x, HG_EX_EQ, a, n);
	if (IS("not"))
		return boolean(x, HG_EX_NOT, a, n);
	if (IS("and"))
		return boolean(x, HG_EX_AND, a, n);
	if (IS("or"))
		return boolean(x, HG_EX_OR, a, n);
	if (IS("concat") && n)
		return hg_raw_concat(x->t, a, n, x->span);
	if (IS("format") && n)
		return format(x, a, n);
	if ((IS("string") || IS("bool") || IS("int")) && n == 1)
		return a[0];
	if (IS("createArray")) {
		v = hg_value_new(x->t->a, HG_V_LIST, x->span);
		v->u.list.items = HG_ANEWN(x->t->a, hg_value *, n ? n : 1);
		memcpy(v->u.list.items, a, n * sizeof(*a));
		v->u.list.n = n;
		return v;
	}
	if ((IS("toLower") || IS("toUpper")) && n == 1 && (s = str_arg(a[0], &len)) != NULL) {
		char *c = hg_arena_printf(x->t->a, "%.*s", (int)len, s);
		size_t i;
		for (i = 0; i < len; i++)
			c[i] = (char)(IS("toLower") ? tolower((unsigned char)c[i])
			                            : toupper((unsigned char)c[i]));
		return hg_value_str(x->t->a, c, len, x->span);
	}
#undef IS
	return opaque(x);
}

static hg_value *primary(struct ax *x)
{
	const char *name;
	size_t nlen;
	hg_value *v;

	ws(x);
	if (x->p >= x->end) {
		x->bad = true;
		return opaque(x);
	}
	if (*x->p == '\'')
		return string_lit(x);
	if (isdigit((unsigned char)*x->p) || (*x->p == '-' && x->p + 1 < x->end)) {
		char *end;
		long long n = strtoll(x->p, &end, 10);
		if (end == x->p) {
			x->bad = true;
			return opaque(x);
		}
		x->p = end;
		v = hg_value_new(x->t->a, HG_V_INT, x->span);
		v->u.i = n;
		return v;
	}
	name = x->p;
	while (x->p < x->end && (isalnum((unsigned char)*x->p) || *x->p == '_'))
		x->p++;
	if (x->p == name) {
		x->bad = true;
		return opaque(x);
	}
	nlen = (size_t)(x->p - name);
	if (nlen == 4 && strncmp(name, "true", 4) == 0) {
		v = hg_value_new(x->t->a, HG_V_BOOL, x->span);
		v->u.b = true;
		return v;
	}
	if (nlen == 5 && strncmp(name, "false", 5) == 0)
		return hg_value_new(x->t->a, HG_V_BOOL, x->span);
	ws(x);
	if (x->p >= x->end || *x->p != '(') {
		x->bad = true;
		return opaque(x);
	}
	x->p++;
	if (++x->depth > MAX_DEPTH) {
		x->bad = true;
		return opaque(x);
	}
	v = call(x, name, nlen);
	x->depth--;
	return v;
}

/* A primary and what follows it: .property and [index] give what only the deployment knows. */
static hg_value *expr(struct ax *x)
{
	hg_value *v = primary(x);
	for (;;) {
		ws(x);
		if (x->p < x->end && *x->p == '.') {
			x->p++;
			while (x->p < x->end && (isalnum((unsigned char)*x->p) || *x->p == '_'))
				x->p++;
			v = opaque(x);
		} else if (x->p < x->end && *x->p == '[') {
			x->p++;
			if (++x->depth > MAX_DEPTH) {
				x->bad = true;
				return opaque(x);
			}
			(void)expr(x);
			x->depth--;
			ws(x);
			if (x->p < x->end && *x->p == ']')
				x->p++;
			else
				x->bad = true;
			v = opaque(x);
		} else
			return v;
	}
}

/* An ARM string: "[expr]" is evaluated, "[[..." is text beginning with '['. */
static hg_value *arm_string(struct raw *t, const hg_node *n)
{
	const char *s = n->u.scalar.str;
	size_t len = n->u.scalar.len;
	struct ax x;
	hg_value *v;

	if (len < 2 || s[0] != '[' || s[len - 1] != ']')
		return hg_value_str(t->a, s, len, &n->span);
	if (s[1] == '[')
		return hg_value_str(t->a, s + 1, len - 1, &n->span);
	memset(&x, 0, sizeof(x));
	x.t = t;
	x.p = s + 1;
	x.end = s + len - 1;
	x.span = &n->span;
	v = expr(&x);
	ws(&x);
	if (x.bad || x.p != x.end)
		return hg_raw_opaque(t, &n->span);
	return v;
}

/* The property loops of a mapping ("copy": [ { name, count, input } ]). */
static size_t copies(const hg_node *n)
{
	const hg_node *c = hg_node_get(n, "copy");
	return c && c->kind == HG_NODE_SEQ ? c->u.seq.n : 0;
}

/*
 * Property loops: each makes the property `name` a list of `count` copies
 * of `input`. The count and copyIndex() are known only at deploy time, so
 * the list holds the input once, as every copy is shaped: a rule that fails
 * it fails each copy (NSG rules written as a loop).
 */
static void property_loops(struct raw *t, hg_value *map, const hg_node *loops)
{
	size_t i;
	for (i = 0; i < loops->u.seq.n; i++) {
		const hg_node *name = hg_node_get(loops->u.seq.items[i], "name");
		const hg_node *input = hg_node_get(loops->u.seq.items[i], "input");
		hg_member *m;
		hg_value *list;
		if (!name || name->kind != HG_NODE_SCALAR || !input)
			continue;
		list = hg_value_new(t->a, HG_V_LIST, &input->span);
		list->u.list.items = HG_ANEWN(t->a, hg_value *, 1);
		list->u.list.items[list->u.list.n++] = hg_raw_arm_value(t, input);
		m = &map->u.map.m[map->u.map.n++];
		m->key = name->u.scalar.str;
		m->key_span = name->span;
		m->value = list;
	}
}

hg_value *hg_raw_arm_value(struct raw *t, const hg_node *n)
{
	hg_value *v;
	size_t i;

	if (++t->depth > 256) {
		t->depth--;
		return hg_raw_opaque(t, &n->span);
	}
	switch (n->kind) {
	case HG_NODE_SCALAR:
		if (n->u.scalar.style != HG_STYLE_PLAIN) {
			v = arm_string(t, n);
			break;
		}
		{
			hg_scalar_value s = hg_node_scalar(n);
			switch (s.type) {
			case HG_SCALAR_NULL:
				v = hg_value_new(t->a, HG_V_NULL, &n->span);
				break;
			case HG_SCALAR_BOOL:
				v = hg_value_new(t->a, HG_V_BOOL, &n->span);
				v->u.b = s.b;
				break;
			case HG_SCALAR_INT:
				v = hg_value_new(t->a, HG_V_INT, &n->span);
				v->u.i = s.i;
				break;
			case HG_SCALAR_FLOAT:
				v = hg_value_new(t->a, HG_V_FLOAT, &n->span);
				v->u.f = s.f;
				break;
			default:
				v = arm_string(t, n);
				break;
			}
		}
		break;
	case HG_NODE_SEQ:
		v = hg_value_new(t->a, HG_V_LIST, &n->span);
		v->u.list.items = HG_ANEWN(t->a, hg_value *, n->u.seq.n ? n->u.seq.n : 1);
		for (i = 0; i < n->u.seq.n; i++)
			v->u.list.items[v->u.list.n++] = hg_raw_arm_value(t, n->u.seq.items[i]);
		break;
	default:
		v = hg_value_new(t->a, HG_V_MAP, &n->span);
		v->u.map.m = HG_ANEWN(t->a, hg_member, n->u.map.n + copies(n) + 1);
		for (i = 0; i < n->u.map.n; i++) {
			const hg_node *val = n->u.map.pairs[i].value;
			hg_member *m;
			if (hg_node_is(n->u.map.pairs[i].key, "copy") && val->kind == HG_NODE_SEQ) {
				property_loops(t, v, val);
				continue;
			}
			m = &v->u.map.m[v->u.map.n++];
			m->key = n->u.map.pairs[i].key->u.scalar.str;
			m->key_span = n->u.map.pairs[i].key->span;
			m->value = hg_raw_arm_value(t, val);
		}
		break;
	}
	t->depth--;
	return v;
}

hg_value *hg_raw_arm_variable(struct raw *t, const char *name, size_t len, const hg_span *span)
{
	size_t i;
	for (i = 0; i < t->nvars; i++) {
		struct raw_named *v = &t->vars[i];
		if (strlen(v->name) != len || strncasecmp(v->name, name, len) != 0)
			continue;
		if (v->state == 1)
			return hg_raw_opaque(t, span); /* a variable that needs itself */
		if (v->state == 0) {
			v->state = 1;
			v->value = hg_raw_arm_value(t, v->node);
			v->state = 2;
		}
		return v->value;
	}
	return NULL;
}
