/*
 * raw.c: hand-written CloudFormation (JSON or YAML, short-form tags too)
 * and ARM templates (symbolic-name ones of languageVersion 2.0 too) checked
 * as deployment would see them (see hg_check_template in compiler.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. The file is read with libyaml (JSON is YAML), keeping every
 * position, into one IR unit (raw.h) whose values keep what only deploy
 * time decides as choice points the rule engine follows: a parameter (Ref,
 * parameters()) carries its default and allowed values, Fn::If and if() a
 * named condition whose test is read from the template's Conditions (or the
 * if() itself), a conditional resource its condition; Fn::Sub, Fn::Join,
 * concat() and format() become text joined from parts, Fn::Select a pick,
 * Fn::FindInMap the mapping's value (one choice per key when the key is a
 * parameter), ARM variables their own value. A Ref or GetAtt of a resource
 * stays the reference referenced_by can follow; what else deploy time
 * computes (Fn::ImportValue, Fn::GetAZs, reference()) is opaque and no rule
 * judges it. The profile's rules then run on the unit with the deploy view
 * (rules.h): with the parameters' defaults the findings are errors, with
 * another value a parameter allows or a condition's other branch warnings
 * that name it. CloudFormation resources are also checked against the
 * registry schemas compile uses (schema.h): unknown properties, wrong types,
 * missing required ones. Suppressions are read from the resource's metadata.
 *
 * A checker (hg_checker) keeps the registry, the profiles, the catalog and
 * the schemas between files, so a repository of templates reads them once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/fs.h"
#include "catalog.h"
#include "compiler.h"
#include "raw.h"
#include "registry.h"
#include "rules.h"
#include "schema.h"
#include "template.h"
#include "yaml_load.h"

/* ---- values shared with raw_arm.c ---- */

hg_value *hg_raw_opaque(struct raw *t, const hg_span *span)
{
	/* An expression the schema check and the rules both pass by: a call no
	 * rule evaluates, of no known type. */
	hg_expr *e = hg_expr_new(t->a, HG_EX_CALL, span);
	hg_value *v = hg_value_new(t->a, HG_V_EXPR, span);
	e->u.call.fn = HG_FN_IMPORT;
	v->u.expr = e;
	return v;
}

hg_expr *hg_raw_expr_of(struct raw *t, hg_value *v)
{
	hg_expr *e;
	if (v->kind == HG_V_EXPR)
		return v->u.expr;
	e = hg_expr_new(t->a, HG_EX_VALUE, &v->span);
	e->u.value = v;
	return e;
}

static hg_value *value_of(struct raw *t, hg_expr *e)
{
	hg_value *v = hg_value_new(t->a, HG_V_EXPR, &e->span);
	v->u.expr = e;
	return v;
}

hg_ir_param *hg_raw_param(struct raw *t, const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < t->unit.nparams; i++) {
		hg_ir_param *p = t->unit.params[i];
		if (strlen(p->id) == len &&
		        (t->arm ? strncasecmp(p->id, name, len) : strncmp(p->id, name, len)) == 0)
			return p;
	}
	return NULL;
}

hg_ir_resource *hg_raw_resource(struct raw *t, const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < t->unit.nres; i++)
		if (t->res_names[i] && strlen(t->res_names[i]) == len &&
		        strncmp(t->res_names[i], name, len) == 0)
			return t->unit.res[i];
	return NULL;
}

hg_ir_cond *hg_raw_new_cond(struct raw *t, const char *id, hg_expr *expr, const hg_span *span)
{
	hg_ir_cond *c = HG_ANEW(t->a, hg_ir_cond);
	c->id = id;
	c->expr = expr;
	c->span = *span;
	return c;
}

hg_value *hg_raw_concat(struct raw *t, hg_value **parts, size_t n, const hg_span *span)
{
	hg_expr *e = hg_expr_new(t->a, HG_EX_CALL, span);
	hg_value *list = hg_value_new(t->a, HG_V_LIST, span);

	if (n == 1 && parts[0]->kind == HG_V_STR)
		return parts[0];
	list->u.list.items = HG_ANEWN(t->a, hg_value *, n ? n : 1);
	memcpy(list->u.list.items, parts, n * sizeof(*parts));
	list->u.list.n = n;
	e->u.call.fn = HG_FN_JOIN;
	e->u.call.n = 2;
	e->u.call.args = HG_ANEWN(t->a, hg_expr *, 2);
	e->u.call.args[0] = hg_raw_expr_of(t, hg_value_str(t->a, "", 0, span));
	e->u.call.args[1] = hg_raw_expr_of(t, list);
	return value_of(t, e);
}

/* ---- CloudFormation ---- */

static hg_value *conv(struct raw *t, const hg_node *n);

static bool intrinsic_key(const char *k)
{
	return strcmp(k, "Ref") == 0 || strcmp(k, "Condition") == 0 || strncmp(k, "Fn::", 4) == 0;
}

/* "!Sub" and "Fn::Sub" alike: the function's name after the prefix. */
static const char *fn_name(const char *fn)
{
	if (fn[0] == '!')
		return fn + 1;
	return strncmp(fn, "Fn::", 4) == 0 ? fn + 4 : fn;
}

static hg_value *param_ref(struct raw *t, hg_ir_param *p, const hg_span *span)
{
	hg_expr *e = hg_expr_new(t->a, HG_EX_PARAM, span);
	e->u.param = p;
	return value_of(t, e);
}

/* Ref of a name: a parameter, a resource, AWS::NoValue; else opaque. */
static hg_value *ref(struct raw *t, const char *s, size_t len, const hg_span *span)
{
	hg_ir_param *p = hg_raw_param(t, s, len);
	hg_ir_resource *r;
	hg_expr *e;

	if (p)
		return param_ref(t, p, span);
	if ((r = hg_raw_resource(t, s, len)) != NULL) {
		e = hg_expr_new(t->a, HG_EX_RESOURCE, span);
		e->u.res.res = r;
		e->u.res.attr = "";
		return value_of(t, e);
	}
	if (len == 12 && strncmp(s, "AWS::NoValue", 12) == 0) {
		e = hg_expr_new(t->a, HG_EX_PSEUDO, span);
		e->u.pseudo = HG_PS_AWS_NO_VALUE;
		return value_of(t, e);
	}
	return hg_raw_opaque(t, span);
}

static hg_value *getatt(struct raw *t, const hg_node *arg, const hg_span *span)
{
	const char *s = NULL, *attr = NULL;
	size_t len = 0;
	hg_ir_resource *r;
	hg_expr *e;

	if (arg->kind == HG_NODE_SCALAR) {
		const char *dot = strchr(arg->u.scalar.str, '.');
		s = arg->u.scalar.str;
		len = dot ? (size_t)(dot - s) : arg->u.scalar.len;
		attr = dot ? dot + 1 : NULL;
	} else if (arg->kind == HG_NODE_SEQ && arg->u.seq.n == 2 &&
	           arg->u.seq.items[0]->kind == HG_NODE_SCALAR) {
		s = arg->u.seq.items[0]->u.scalar.str;
		len = arg->u.seq.items[0]->u.scalar.len;
		if (arg->u.seq.items[1]->kind == HG_NODE_SCALAR)
			attr = arg->u.seq.items[1]->u.scalar.str;
	}
	if (!s || !(r = hg_raw_resource(t, s, len)))
		return hg_raw_opaque(t, span);
	e = hg_expr_new(t->a, HG_EX_ATTR, span);
	e->u.res.res = r;
	/* A computed attribute name cannot be checked: leave it unnamed. */
	e->u.res.attr = attr ? attr : "";
	if (!attr)
		return hg_raw_opaque(t, span);
	return value_of(t, e);
}

/* The value of a ${Name} of Fn::Sub: its own variable, a parameter, a resource. */
static hg_value *sub_var(
        struct raw *t, const char *s, size_t len, const hg_node *vars, const hg_span *span)
{
	size_t i;
	for (i = 0; vars && vars->kind == HG_NODE_MAP && i < vars->u.map.n; i++) {
		const hg_node *k = vars->u.map.pairs[i].key;
		if (k->u.scalar.len == len && memcmp(k->u.scalar.str, s, len) == 0)
			return conv(t, vars->u.map.pairs[i].value);
	}
	if (memchr(s, '.', len))
		return hg_raw_opaque(t, span); /* an attribute: deploy time */
	return ref(t, s, len, span);
}

/* Fn::Sub "text ${Name} text" (or [text, {Name: value}]) as joined parts. */
static hg_value *sub(struct raw *t, const hg_node *arg, const hg_span *span)
{
	const hg_node *text = arg, *vars = NULL;
	hg_value *parts[64];
	size_t n = 0;
	const char *p, *lit, *end;
	hg_buf b = HG_BUF_INIT;

	if (arg->kind == HG_NODE_SEQ && arg->u.seq.n == 2) {
		text = arg->u.seq.items[0];
		vars = arg->u.seq.items[1];
	}
	if (text->kind != HG_NODE_SCALAR)
		return hg_raw_opaque(t, span);
	end = text->u.scalar.str + text->u.scalar.len;
	for (p = lit = text->u.scalar.str; p < end && n + 2 < 64;) {
		const char *close;
		if (p[0] != '$' || p + 1 >= end || p[1] != '{') {
			p++;
			continue;
		}
		close = memchr(p, '}', (size_t)(end - p));
		if (!close)
			break;
		hg_buf_put(&b, lit, (size_t)(p - lit));
		if (p[2] == '!') { /* ${!Literal} is the text ${Literal} */
			hg_buf_puts(&b, "${");
			hg_buf_put(&b, p + 3, (size_t)(close - p - 2));
		} else {
			if (b.size)
				parts[n++] = hg_value_str(t->a, b.ptr, b.size, span);
			hg_buf_clear(&b);
			parts[n++] = sub_var(t, p + 2, (size_t)(close - p - 2), vars, span);
		}
		p = lit = close + 1;
	}
	hg_buf_put(&b, lit, (size_t)(end - lit));
	if (b.size || !n)
		parts[n++] = hg_value_str(t->a, b.ptr ? b.ptr : "", b.size, span);
	hg_buf_dispose(&b);
	return hg_raw_concat(t, parts, n, span);
}

static hg_expr *cond_expr(struct raw *t, const hg_node *n);

/* The named condition of the template (read on first use), or NULL. */
static hg_ir_cond *named_cond(struct raw *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->nconds; i++) {
		struct raw_named *c = &t->conds[i];
		if (strcmp(c->name, name) != 0)
			continue;
		if (c->state == 0) {
			c->state = 1;
			c->cond = hg_raw_new_cond(t, c->name, NULL, &c->node->span);
			c->cond->expr = cond_expr(t, c->node);
			c->state = 2;
		}
		return c->cond; /* a condition that needs itself keeps no test */
	}
	return NULL;
}

static hg_expr *condref(struct raw *t, const char *name, const hg_span *span)
{
	hg_ir_cond *c = named_cond(t, name);
	hg_expr *e;
	if (!c)
		return NULL;
	e = hg_expr_new(t->a, HG_EX_CONDREF, span);
	e->u.cond = c;
	return e;
}

/* The function of a node written as { "Fn::X": arg } or !X arg: its name and argument. */
static const char *function(const hg_node *n, const hg_node **arg)
{
	if (n->tag && n->tag[0] == '!') {
		*arg = n;
		return n->tag;
	}
	if (n->kind == HG_NODE_MAP && n->u.map.n == 1 &&
	        intrinsic_key(n->u.map.pairs[0].key->u.scalar.str)) {
		*arg = n->u.map.pairs[0].value;
		return n->u.map.pairs[0].key->u.scalar.str;
	}
	return NULL;
}

/* A condition (Fn::Equals, And, Or, Not, Condition) as a boolean expression; NULL if not known. */
static hg_expr *cond_expr(struct raw *t, const hg_node *n)
{
	const hg_node *arg;
	const char *fn = function(n, &arg), *f;
	hg_expr *e = NULL;
	size_t i;

	if (!fn || ++t->depth > 256) {
		if (fn)
			t->depth--;
		return NULL;
	}
	f = fn_name(fn);
	if (strcmp(f, "Condition") == 0 && arg->kind == HG_NODE_SCALAR)
		e = condref(t, arg->u.scalar.str, &n->span);
	else if (strcmp(f, "Equals") == 0 && arg->kind == HG_NODE_SEQ && arg->u.seq.n == 2) {
		e = hg_expr_new(t->a, HG_EX_EQ, &n->span);
		e->u.op.a = hg_raw_expr_of(t, conv(t, arg->u.seq.items[0]));
		e->u.op.b = hg_raw_expr_of(t, conv(t, arg->u.seq.items[1]));
	} else if (strcmp(f, "Not") == 0 && arg->kind == HG_NODE_SEQ && arg->u.seq.n == 1) {
		hg_expr *x = cond_expr(t, arg->u.seq.items[0]);
		if (x) {
			e = hg_expr_new(t->a, HG_EX_NOT, &n->span);
			e->u.op.a = x;
		}
	} else if ((strcmp(f, "And") == 0 || strcmp(f, "Or") == 0) && arg->kind == HG_NODE_SEQ) {
		for (i = 0; i < arg->u.seq.n; i++) {
			hg_expr *x = cond_expr(t, arg->u.seq.items[i]), *y;
			if (!x) {
				e = NULL; /* a part not known: the whole is not */
				break;
			}
			if (!e) {
				e = x;
				continue;
			}
			y = hg_expr_new(t->a, f[0] == 'A' ? HG_EX_AND : HG_EX_OR, &n->span);
			y->u.op.a = e;
			y->u.op.b = x;
			e = y;
		}
	}
	t->depth--;
	return e;
}

/* Fn::FindInMap [Map, Key, Key2]: the value; a parameter key is a choice per key. */
static hg_value *find_in_map(struct raw *t, const hg_node *arg, const hg_span *span)
{
	const hg_node *map, *k1, *k2, *top;
	hg_value *key, *result = NULL;
	size_t i;

	if (arg->kind != HG_NODE_SEQ || arg->u.seq.n < 3 ||
	        arg->u.seq.items[0]->kind != HG_NODE_SCALAR ||
	        arg->u.seq.items[2]->kind != HG_NODE_SCALAR)
		return hg_raw_opaque(t, span);
	map = hg_node_get(t->mappings, arg->u.seq.items[0]->u.scalar.str);
	k1 = arg->u.seq.items[1];
	k2 = arg->u.seq.items[2];
	if (!map || map->kind != HG_NODE_MAP)
		return hg_raw_opaque(t, span);
	if (k1->kind == HG_NODE_SCALAR && !k1->tag) {
		top = hg_node_get(map, k1->u.scalar.str);
		top = hg_node_get(top, k2->u.scalar.str);
		return top ? conv(t, top) : hg_raw_opaque(t, span);
	}
	key = conv(t, k1);
	if (key->kind != HG_V_EXPR || key->u.expr->kind != HG_EX_PARAM)
		return hg_raw_opaque(t, span); /* the region, an attribute: deploy time */
	/* key == 'a' ? A : (key == 'b' ? B : opaque), built from the last key back */
	result = hg_raw_opaque(t, span);
	for (i = map->u.map.n; i-- > 0;) {
		const hg_node *v = hg_node_get(map->u.map.pairs[i].value, k2->u.scalar.str);
		hg_expr *c, *eq;
		if (!v)
			continue;
		eq = hg_expr_new(t->a, HG_EX_EQ, span);
		eq->u.op.a = key->u.expr;
		eq->u.op.b = hg_expr_new(t->a, HG_EX_STR, &map->u.map.pairs[i].key->span);
		eq->u.op.b->u.str.s = map->u.map.pairs[i].key->u.scalar.str;
		eq->u.op.b->u.str.len = map->u.map.pairs[i].key->u.scalar.len;
		c = hg_expr_new(t->a, HG_EX_COND, span);
		c->u.op.a = hg_expr_new(t->a, HG_EX_CONDREF, span);
		c->u.op.a->u.cond = hg_raw_new_cond(t,
		        hg_arena_printf(t->a, "%s = %s", key->u.expr->u.param->id,
		                map->u.map.pairs[i].key->u.scalar.str),
		        eq, &map->u.map.pairs[i].key->span);
		c->u.op.b = hg_raw_expr_of(t, conv(t, v));
		c->u.op.c = hg_raw_expr_of(t, result);
		result = value_of(t, c);
	}
	return result;
}

/* An intrinsic function: what the rules can follow, else opaque. */
static hg_value *intrinsic(struct raw *t, const hg_node *n, const char *fn, const hg_node *arg)
{
	const char *f = fn_name(fn);
	const hg_span *span = &n->span;
	hg_expr *e;

	if (strcmp(f, "Ref") == 0)
		return arg->kind == HG_NODE_SCALAR
		               ? ref(t, arg->u.scalar.str, arg->u.scalar.len, span)
		               : hg_raw_opaque(t, span);
	if (strcmp(f, "GetAtt") == 0)
		return getatt(t, arg, span);
	if (strcmp(f, "Sub") == 0)
		return sub(t, arg, span);
	if (strcmp(f, "FindInMap") == 0)
		return find_in_map(t, arg, span);
	if (strcmp(f, "If") == 0 && arg->kind == HG_NODE_SEQ && arg->u.seq.n == 3 &&
	        arg->u.seq.items[0]->kind == HG_NODE_SCALAR) {
		hg_expr *c =
		        condref(t, arg->u.seq.items[0]->u.scalar.str, &arg->u.seq.items[0]->span);
		if (!c)
			return hg_raw_opaque(t, span);
		e = hg_expr_new(t->a, HG_EX_COND, span);
		e->u.op.a = c;
		e->u.op.b = hg_raw_expr_of(t, conv(t, arg->u.seq.items[1]));
		e->u.op.c = hg_raw_expr_of(t, conv(t, arg->u.seq.items[2]));
		return value_of(t, e);
	}
	if ((strcmp(f, "Join") == 0 || strcmp(f, "Select") == 0) && arg->kind == HG_NODE_SEQ &&
	        arg->u.seq.n == 2) {
		e = hg_expr_new(t->a, HG_EX_CALL, span);
		e->u.call.fn = f[0] == 'J' ? HG_FN_JOIN : HG_FN_SELECT;
		e->u.call.n = 2;
		e->u.call.args = HG_ANEWN(t->a, hg_expr *, 2);
		e->u.call.args[0] = hg_raw_expr_of(t, conv(t, arg->u.seq.items[0]));
		e->u.call.args[1] = hg_raw_expr_of(t, conv(t, arg->u.seq.items[1]));
		return value_of(t, e);
	}
	if (strcmp(f, "Equals") == 0 || strcmp(f, "Not") == 0 || strcmp(f, "And") == 0 ||
	        strcmp(f, "Or") == 0 || strcmp(f, "Condition") == 0) {
		e = cond_expr(t, n);
		return e ? value_of(t, e) : hg_raw_opaque(t, span);
	}
	return hg_raw_opaque(t, span);
}

static hg_value *conv(struct raw *t, const hg_node *n)
{
	hg_arena *a = t->a;
	const hg_node *arg;
	const char *fn;
	hg_value *v;
	size_t i;

	if (++t->depth > 256) { /* deeper than any template; libyaml bounds it too */
		t->depth--;
		return hg_raw_opaque(t, &n->span);
	}
	if ((fn = function(n, &arg)) != NULL) {
		v = intrinsic(t, n, fn, arg);
		t->depth--;
		return v;
	}
	switch (n->kind) {
	case HG_NODE_SCALAR: {
		hg_scalar_value s = n->u.scalar.style == HG_STYLE_PLAIN
		                            ? hg_node_scalar(n)
		                            : (hg_scalar_value){HG_SCALAR_STRING, false, 0, 0};
		switch (s.type) {
		case HG_SCALAR_NULL:
			v = hg_value_new(a, HG_V_NULL, &n->span);
			break;
		case HG_SCALAR_BOOL:
			v = hg_value_new(a, HG_V_BOOL, &n->span);
			v->u.b = s.b;
			break;
		case HG_SCALAR_INT:
			v = hg_value_new(a, HG_V_INT, &n->span);
			v->u.i = s.i;
			break;
		case HG_SCALAR_FLOAT:
			v = hg_value_new(a, HG_V_FLOAT, &n->span);
			v->u.f = s.f;
			break;
		default:
			v = hg_value_str(a, n->u.scalar.str, n->u.scalar.len, &n->span);
			break;
		}
		break;
	}
	case HG_NODE_SEQ:
		v = hg_value_new(a, HG_V_LIST, &n->span);
		v->u.list.items = HG_ANEWN(a, hg_value *, n->u.seq.n ? n->u.seq.n : 1);
		for (i = 0; i < n->u.seq.n; i++)
			v->u.list.items[v->u.list.n++] = conv(t, n->u.seq.items[i]);
		break;
	default:
		v = hg_value_new(a, HG_V_MAP, &n->span);
		v->u.map.m = HG_ANEWN(a, hg_member, n->u.map.n ? n->u.map.n : 1);
		for (i = 0; i < n->u.map.n; i++) {
			hg_member *m = &v->u.map.m[v->u.map.n++];
			m->key = n->u.map.pairs[i].key->u.scalar.str;
			m->key_span = n->u.map.pairs[i].key->span;
			m->value = conv(t, n->u.map.pairs[i].value);
		}
		break;
	}
	t->depth--;
	return v;
}

static hg_value *value(struct raw *t, const hg_node *n)
{
	return t->arm ? hg_raw_arm_value(t, n) : conv(t, n);
}

/* ---- parameters ---- */

/* A scalar node as a plain value (a default, an allowed value), typed by the parameter. */
static hg_value *literal(struct raw *t, const hg_node *n, hg_ptype type)
{
	hg_value *v = value(t, n);
	if (v->kind == HG_V_STR && type == HG_P_INT) {
		char *end;
		long long i = strtoll(v->u.str.s, &end, 10);
		if (*end == '\0' && end != v->u.str.s) {
			v = hg_value_new(t->a, HG_V_INT, &n->span);
			v->u.i = i;
		}
	}
	return v;
}

static void int_of(const hg_node *n, bool *has, int64_t *out)
{
	char *end;
	long long i;
	if (!n || n->kind != HG_NODE_SCALAR)
		return;
	i = strtoll(n->u.scalar.str, &end, 10);
	if (*end == '\0' && end != n->u.scalar.str) {
		*has = true;
		*out = i;
	}
}

/*
 * Parameters: CloudFormation { Type, Default, AllowedValues, AllowedPattern,
 * MinValue, MaxValue, MinLength, MaxLength }; ARM { type, defaultValue,
 * allowedValues, minValue, maxValue, minLength, maxLength }. AWS-specific
 * types (resource IDs, SSM parameter names) are not values a rule can test.
 */
static void read_params(struct raw *t, const hg_node *params)
{
	size_t i, k;

	for (i = 0; params && params->kind == HG_NODE_MAP && i < params->u.map.n; i++) {
		const hg_node *key = params->u.map.pairs[i].key, *p = params->u.map.pairs[i].value;
		const hg_node *type = hg_node_get(p, t->arm ? "type" : "Type"), *n;
		const char *ty = type && type->kind == HG_NODE_SCALAR ? type->u.scalar.str : "";
		hg_param_decl *d = HG_ANEW(t->a, hg_param_decl);
		hg_ir_param *ip = HG_ANEW(t->a, hg_ir_param);

		d->name = key->u.scalar.str;
		d->span = key->span;
		if (strcasecmp(ty, "String") == 0)
			d->type = HG_P_STRING;
		else if (strcasecmp(ty, "securestring") == 0)
			d->type = HG_P_SECURE;
		else if (strcasecmp(ty, "Number") == 0 || strcasecmp(ty, "int") == 0)
			d->type = HG_P_INT;
		else if (strcasecmp(ty, "bool") == 0)
			d->type = HG_P_BOOL;
		else if (strcasecmp(ty, "CommaDelimitedList") == 0 ||
		         strcasecmp(ty, "array") == 0 || strncmp(ty, "List<", 5) == 0)
			d->type = HG_P_LIST;
		else
			d->type = HG_P_OBJECT;
		if ((n = hg_node_get(p, t->arm ? "defaultValue" : "Default")) != NULL &&
		        d->type != HG_P_OBJECT)
			d->def = literal(t, n, d->type);
		if ((n = hg_node_get(p, t->arm ? "allowedValues" : "AllowedValues")) != NULL &&
		        n->kind == HG_NODE_SEQ && n->u.seq.n) {
			d->allowed = hg_value_new(t->a, HG_V_LIST, &n->span);
			d->allowed->u.list.items = HG_ANEWN(t->a, hg_value *, n->u.seq.n);
			for (k = 0; k < n->u.seq.n; k++)
				d->allowed->u.list.items[d->allowed->u.list.n++] =
				        literal(t, n->u.seq.items[k], d->type);
		}
		if ((n = hg_node_get(p, "AllowedPattern")) != NULL && n->kind == HG_NODE_SCALAR)
			d->pattern = n->u.scalar.str;
		int_of(hg_node_get(p, t->arm ? "minValue" : "MinValue"), &d->has_min, &d->min);
		int_of(hg_node_get(p, t->arm ? "maxValue" : "MaxValue"), &d->has_max, &d->max);
		int_of(hg_node_get(p, t->arm ? "minLength" : "MinLength"), &d->has_min_len,
		        &d->min_len);
		int_of(hg_node_get(p, t->arm ? "maxLength" : "MaxLength"), &d->has_max_len,
		        &d->max_len);
		ip->id = d->name;
		ip->decl = d;
		ip->path = d->name;
		HG_AGROW(t->a, t->unit.params, t->unit.capparams, t->unit.nparams + 1);
		t->unit.params[t->unit.nparams++] = ip;
	}
}

/* Conditions (CloudFormation) and variables (ARM): read on first use. */
static void read_named(struct raw *t, const hg_node *map, struct raw_named **out, size_t *n)
{
	size_t i;
	if (!map || map->kind != HG_NODE_MAP)
		return;
	*out = HG_ANEWN(t->a, struct raw_named, map->u.map.n ? map->u.map.n : 1);
	for (i = 0; i < map->u.map.n; i++) {
		struct raw_named *x = &(*out)[(*n)++];
		memset(x, 0, sizeof(*x));
		x->name = map->u.map.pairs[i].key->u.scalar.str;
		x->node = map->u.map.pairs[i].value;
	}
}

/* ---- resources ---- */

/*
 * A resource (rn; name is its logical ID or symbolic name node, or NULL),
 * added to the unit without its properties (read once every resource is
 * there, so that references between them resolve). ARM child resources, in
 * the parent's own "resources", follow with their full type
 * ("Microsoft.Network/virtualNetworks" + "subnets"). An ARM resource marked
 * `existing` is not deployed by the template: not checked.
 */
static void add(
        struct raw *t, const hg_node *rn, const hg_node *name, const char *parent_type, hg_diags *d)
{
	const hg_node *type = hg_node_get(rn, t->arm ? "type" : "Type"), *meta, *children;
	hg_resource_decl *decl = HG_ANEW(t->a, hg_resource_decl);
	hg_ir_resource *r = HG_ANEW(t->a, hg_ir_resource);
	size_t i;

	HG_AGROW(t->a, t->unit.res, t->unit.capres, t->unit.nres + 1);
	HG_AGROW(t->a, t->res_names, t->capnames, t->unit.nres + 1);
	t->res_names[t->unit.nres] = name ? name->u.scalar.str : NULL;
	t->unit.res[t->unit.nres++] = r;
	r->type = "";
	if (!type || type->kind != HG_NODE_SCALAR ||
	        hg_node_is(hg_node_get(rn, "existing"), "true"))
		return; /* no declaration: the rules pass it by */
	r->decl = decl;
	decl->name = name ? name->u.scalar.str : "";
	decl->span = name ? name->span : rn->span;
	decl->type = parent_type && !strchr(type->u.scalar.str, '/')
	                     ? hg_arena_printf(t->a, "%s/%s", parent_type, type->u.scalar.str)
	                     : type->u.scalar.str;
	decl->type_span = type->span;
	r->type = decl->type;
	r->span = decl->span;
	r->name = r->id = r->path = decl->name;
	if (t->arm) {
		const hg_node *api = hg_node_get(rn, "apiVersion");
		r->api_version = api && api->kind == HG_NODE_SCALAR ? api->u.scalar.str : NULL;
	}
	meta = hg_node_get(rn, t->arm ? "metadata" : "Metadata");
	meta = hg_node_get(hg_node_get(meta, "hinagata"), "suppress");
	if (meta && hg_suppress_read(meta, d) == 0)
		decl->suppress = meta;
	children = t->arm ? hg_node_get(rn, "resources") : NULL;
	for (i = 0; children && children->kind == HG_NODE_SEQ && i < children->u.seq.n; i++)
		add(t, children->u.seq.items[i], NULL, decl->type, d);
}

static void read_nested(struct raw *t, hg_ir_resource *r, const hg_node *rn, hg_diags *d);

/* The properties (and condition) of the resources, in the order add() put them in. */
static void read_props(struct raw *t, const hg_node *rn, size_t *next, hg_diags *d)
{
	const hg_node *props = t->arm ? rn : hg_node_get(rn, "Properties"), *children, *c;
	hg_ir_resource *r;
	size_t i;

	if (*next >= t->unit.nres)
		return;
	r = t->unit.res[(*next)++];
	if (!r->decl)
		return; /* add() read no children of it either */
	{
		r->props = props ? value(t, props) : NULL;
		c = hg_node_get(rn, t->arm ? "condition" : "Condition");
		if (c && !t->arm && c->kind == HG_NODE_SCALAR)
			r->cond = named_cond(t, c->u.scalar.str);
		else if (c && t->arm) {
			/* condition: true | "[equals(...)]": named by its text */
			hg_value *v = hg_raw_arm_value(t, c);
			r->cond = hg_raw_new_cond(t,
			        c->kind == HG_NODE_SCALAR ? c->u.scalar.str : "condition",
			        hg_raw_expr_of(t, v), &c->span);
		}
		/* Properties: !If [...] stays a choice the rules and schemas follow. */
		if (t->arm && strcmp(r->type, "Microsoft.Resources/deployments") == 0)
			read_nested(t, r, rn, d);
	}
	children = t->arm ? hg_node_get(rn, "resources") : NULL;
	for (i = 0; children && children->kind == HG_NODE_SEQ && i < children->u.seq.n; i++)
		read_props(t, children->u.seq.items[i], next, d);
}

/*
 * The resources of a template (root), with what their values need: its
 * parameters, conditions and variables (an ARM template nested in the scope
 * of its parent reads the parent's), then every resource, then their
 * properties, so that references between resources resolve.
 */
static void read_template(struct raw *t, const hg_node *root, hg_diags *d)
{
	const hg_node *res = hg_node_get(root, t->arm ? "resources" : "Resources");
	size_t i, n, next;

	t->root = root;
	t->resources = t->arm ? NULL : res;
	t->mappings = hg_node_get(root, "Mappings");
	t->unit.a = t->a;
	t->unit.target = t->arm ? HG_TARGET_AZURE : HG_TARGET_AWS;
	if (!t->unit.params) {
		read_params(t, hg_node_get(root, t->arm ? "parameters" : "Parameters"));
		read_named(t, hg_node_get(root, "Conditions"), &t->conds, &t->nconds);
		read_named(t, hg_node_get(root, "variables"), &t->vars, &t->nvars);
	}
	if (!res || (res->kind != HG_NODE_SEQ && res->kind != HG_NODE_MAP))
		return;
	/* ARM: a list, or (languageVersion 2.0) a map of symbolic names. */
	n = res->kind == HG_NODE_SEQ ? res->u.seq.n : res->u.map.n;
	for (i = 0; i < n; i++)
		add(t, res->kind == HG_NODE_SEQ ? res->u.seq.items[i] : res->u.map.pairs[i].value,
		        res->kind == HG_NODE_SEQ ? NULL : res->u.map.pairs[i].key, NULL, d);
	for (i = 0, next = 0; i < n; i++)
		read_props(t,
		        res->kind == HG_NODE_SEQ ? res->u.seq.items[i] : res->u.map.pairs[i].value,
		        &next, d);
}

/*
 * An ARM deployment with its template inline (what `bicep build` makes of a
 * module): the nested template is read as a unit of its own, which the
 * rules check like the parent's. In the parent's scope (the default) its
 * expressions read the parent's parameters and variables; with
 * expressionEvaluationOptions.scope inner, its own, each given the value the
 * deployment passes (an expression of the parent's, so the parent's
 * parameters stay the choice points) or else its default.
 */
static void read_nested(struct raw *t, hg_ir_resource *r, const hg_node *rn, hg_diags *d)
{
	const hg_node *props = hg_node_get(rn, "properties");
	const hg_node *tmpl = hg_node_get(props, "template"), *args;
	hg_param_decl *bound;
	struct raw *c;
	size_t i;

	if (!tmpl || tmpl->kind != HG_NODE_MAP || !hg_node_get(tmpl, "resources") ||
	        t->nesting >= 8)
		return;
	c = HG_ANEW(t->a, struct raw);
	c->a = t->a;
	c->arm = true;
	c->nesting = t->nesting + 1;
	c->unit.parent = &t->unit;
	if (!hg_node_is(hg_node_get(hg_node_get(props, "expressionEvaluationOptions"), "scope"),
	            "inner")) {
		c->unit.params = t->unit.params;
		c->unit.nparams = c->unit.capparams = t->unit.nparams;
		c->vars = t->vars;
		c->nvars = t->nvars;
	} else {
		read_params(c, hg_node_get(tmpl, "parameters"));
		read_named(c, hg_node_get(tmpl, "variables"), &c->vars, &c->nvars);
		args = hg_node_get(props, "parameters");
		for (i = 0; args && args->kind == HG_NODE_MAP && i < args->u.map.n; i++) {
			const hg_node *k = args->u.map.pairs[i].key;
			const hg_node *v = hg_node_get(args->u.map.pairs[i].value, "value");
			hg_ir_param *p = hg_raw_param(c, k->u.scalar.str, k->u.scalar.len);
			if (!p || !v)
				continue;
			/* The value passed, in the parent's terms, is what it deploys with;
			 * HG_P_OBJECT: not a choice of its own (rules.c). */
			bound = HG_ANEW(t->a, hg_param_decl);
			*bound = *p->decl;
			bound->def = hg_raw_arm_value(t, v);
			bound->allowed = NULL;
			bound->type = HG_P_OBJECT;
			p->decl = bound;
		}
		if (!c->unit.params) /* read_template reads them when there are none */
			c->unit.params = HG_ANEWN(t->a, hg_ir_param *, 1);
	}
	read_template(c, tmpl, d);
	r->nested = &c->unit;
}

/*
 * The keys of an ARM resource that belong to the template language, not to
 * the resource's API (deployment-template.json's resource keys): left out
 * of the body checked against the schema.
 */
static bool arm_template_key(const char *k, const char *type)
{
	static const char *const keys[] = {"type", "apiVersion", "dependsOn", "condition", "copy",
	        "comments", "metadata", "resources", "scope", "existing", "import", "asserts"};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	/* A nested deployment names where it deploys to. */
	return strcasecmp(type, "Microsoft.Resources/deployments") == 0 &&
	       (strcmp(k, "subscriptionId") == 0 || strcmp(k, "resourceGroup") == 0);
}

/* The resources of unit (and of the units nested in it) whose bodies the schemas check. */
static void arm_bodies(struct raw *t, const hg_ir *unit, hg_ir *out, size_t *cap, hg_diags *d)
{
	size_t i, k;

	for (i = 0; i < unit->nres; i++) {
		const hg_ir_resource *r = unit->res[i];
		hg_ir_resource *body;
		hg_value *props;

		if (r->nested)
			arm_bodies(t, r->nested, out, cap, d);
		if (!r->decl || !r->props || r->props->kind != HG_V_MAP)
			continue;
		if (!r->api_version || !*r->api_version || r->api_version[0] == '[') {
			/* Missing or an expression: the version, and so the schema,
			 * is known only at deploy time. */
			hg_diag_add(d, HG_D_BAD_API_VERSION, &r->decl->type_span,
			        r->api_version ? r->api_version : "", NULL);
			continue;
		}
		body = HG_ANEW(t->a, hg_ir_resource);
		*body = *r;
		body->nested = NULL;
		props = hg_value_new(t->a, HG_V_MAP, &r->props->span);
		props->u.map.m = HG_ANEWN(t->a, hg_member, r->props->u.map.n + 1);
		for (k = 0; k < r->props->u.map.n; k++)
			if (!arm_template_key(r->props->u.map.m[k].key, r->type))
				props->u.map.m[props->u.map.n++] = r->props->u.map.m[k];
		body->props = props;
		HG_AGROW(t->a, out->res, *cap, out->nres + 1);
		out->res[out->nres++] = body;
	}
}

/*
 * Every resource of a hand-written ARM template, nested deployments'
 * included, against schemas/azure (compiler/schema.c): its type, API
 * version and body. Resource Manager silently ignores many unknown
 * properties, so a typo deploys as if the setting were absent; this is
 * where it is caught. An apiVersion that is not a literal version cannot be
 * checked and is reported (HG3014).
 */
static int arm_check_schemas(struct raw *t, hg_schemas *s, hg_diags *d)
{
	hg_ir unit = t->unit;
	size_t cap = 0;

	unit.res = NULL;
	unit.nres = 0;
	arm_bodies(t, &t->unit, &unit, &cap, d);
	return hg_schemas_check_arm(s, &unit, d);
}

/* ---- the checker ---- */

struct hg_checker {
	hg_compile_options opts;
	hg_arena *a; /* the registry's */
	hg_registry *reg;
	const hg_template *profile[2], *catalog;
	bool loaded[2], catalog_loaded;
	hg_schemas *schemas;
	bool schemas_opened;
};

hg_checker *hg_checker_new(const hg_compile_options *opts)
{
	hg_checker *ck = hg_xcalloc(1, sizeof(*ck));
	ck->opts = *opts;
	ck->a = hg_arena_new();
	return ck;
}

void hg_checker_free(hg_checker *ck)
{
	if (!ck)
		return;
	if (ck->reg)
		hg_registry_free(ck->reg);
	hg_schemas_free(ck->schemas);
	hg_arena_dispose(ck->a);
	free(ck);
}

/* The profile of a cloud (registry read on first use; its diagnostics go to d). */
static const hg_template *profile_of(hg_checker *ck, bool arm, hg_diags *d)
{
	if (!ck->reg)
		ck->reg = hg_registry_of(ck->a, &ck->opts);
	if (!ck->loaded[arm]) {
		ck->loaded[arm] = true;
		ck->profile[arm] =
		        hg_registry_get(ck->reg, d, HG_DOC_PROFILE, arm ? "gc-azure" : "gc-aws");
	}
	if (!ck->catalog_loaded) {
		ck->catalog_loaded = true;
		ck->catalog = hg_registry_get(ck->reg, d, HG_DOC_CATALOG, HG_CATALOG_NAME);
	}
	return ck->profile[arm];
}

/* Which kind of template the document is: 0 neither, 1 CloudFormation, 2 ARM. */
static int kind_of(const hg_node *root)
{
	const hg_node *res = hg_node_get(root, "Resources"), *schema = hg_node_get(root, "$schema");
	if (res && res->kind == HG_NODE_MAP)
		return 1;
	res = hg_node_get(root, "resources");
	if (res && (res->kind == HG_NODE_SEQ || res->kind == HG_NODE_MAP) && schema &&
	        schema->kind == HG_NODE_SCALAR && strstr(schema->u.scalar.str, "eploymentTemplate"))
		return 2;
	return 0;
}

int hg_checker_check(hg_checker *ck, const char *path, const char *data, size_t len, hg_diags *d,
        bool *recognized)
{
	hg_arena *a = hg_arena_new();
	hg_buf text = HG_BUF_INIT;
	hg_diags scratch = HG_DIAGS_INIT;
	hg_node *root = NULL;
	const hg_template *profile;
	hg_rules_options ro = HG_RULES_OPTIONS_INIT;
	struct raw t;
	const char *file;
	size_t errors = d->nerrors;
	int rc = 0, kind;

	*recognized = false;
	hg_buf_put(&text, data, len); /* NUL-terminated copy */
	if (!text.size)
		goto out;
	file = hg_diags_source(&scratch, path, text.ptr, text.size);
	if (hg_yaml_load(&root, a, &scratch, file, text.ptr, text.size, NULL) < 0 || !root ||
	        root->kind != HG_NODE_MAP) {
		/* Broken: report it only if it looks like a template. */
		if (strstr(text.ptr, "AWSTemplateFormatVersion") ||
		        strstr(text.ptr, "deploymentTemplate")) {
			*recognized = true;
			file = hg_diags_source(d, path, text.ptr, text.size);
			hg_yaml_load(&root, a, d, file, text.ptr, text.size, NULL);
			rc = HG_EINVALID;
		}
		goto out;
	}
	if ((kind = kind_of(root)) == 0)
		goto out;
	*recognized = true;
	/* Again, into the caller's list: positions must outlive this call. */
	file = hg_diags_source(d, path, text.ptr, text.size);
	hg_arena_dispose(a);
	a = hg_arena_new();
	if (hg_yaml_load(&root, a, d, file, text.ptr, text.size, NULL) < 0) {
		rc = HG_EINVALID;
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.a = a;
	t.arm = kind == 2;
	profile = profile_of(ck, t.arm, d);
	if (!profile) {
		hg_diag_add(d, HG_D_PROFILE_NOT_FOUND, NULL, t.arm ? "gc-azure" : "gc-aws",
		        hg_registry_path_text(ck->reg), NULL);
		rc = HG_EIO;
		goto out;
	}
	read_template(&t, root, d);
	ro.deploy_view = true;
	hg_rules_check_opts(profile->rules, profile->nrules, &t.unit, ck->catalog, &ro, d);
	/* Properties against the schemas compile uses: the CloudFormation registry's, ARM's. */
	if (!ck->schemas_opened) {
		ck->schemas_opened = true;
		ck->schemas = ck->opts.schema_dir ? hg_schemas_open(ck->opts.schema_dir) : NULL;
	}
	if (!ck->schemas) {
		hg_diag_add(d, HG_D_SCHEMAS_MISSING, NULL,
		        ck->opts.schema_dir ? ck->opts.schema_dir : "schemas",
		        HG_BI("the directory cannot be read", "ディレクトリを読めません"), NULL);
		rc = HG_EIO;
	} else if ((t.arm ? arm_check_schemas(&t, ck->schemas, d)
	                  : hg_schemas_check_cfn(ck->schemas, &t.unit, d)) == HG_EIO)
		rc = HG_EIO;
	if (!rc && d->nerrors > errors)
		rc = HG_EINVALID;
out:
	hg_buf_dispose(&text);
	hg_diags_dispose(&scratch);
	hg_arena_dispose(a);
	return rc;
}

int hg_checker_check_file(hg_checker *ck, const char *path, hg_diags *d, bool *recognized)
{
	hg_buf text = HG_BUF_INIT;
	size_t size;
	int rc;

	*recognized = false;
	if (hg_fs_read(&text, path, 16u << 20, &size) < 0) {
		hg_buf_dispose(&text);
		return 0; /* not ours to report: compile reports hinagata sources */
	}
	rc = hg_checker_check(ck, path, text.ptr, text.size, d, recognized);
	hg_buf_dispose(&text);
	return rc;
}

int hg_check_template(
        const char *path, const hg_compile_options *opts, hg_diags *d, bool *recognized)
{
	hg_checker *ck = hg_checker_new(opts);
	int rc = hg_checker_check_file(ck, path, d, recognized);
	hg_checker_free(ck);
	return rc;
}

int hg_check_template_text(const char *path, const char *data, size_t len,
        const hg_compile_options *opts, hg_diags *d, bool *recognized)
{
	hg_checker *ck = hg_checker_new(opts);
	int rc = hg_checker_check(ck, path, data, len, d, recognized);
	hg_checker_free(ck);
	return rc;
}
