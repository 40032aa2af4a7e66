/*
 * template.c: YAML node tree -> hg_template (see template.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. Each section of the language has a reader below, preceded by the
 * rule it implements. Readers check shape only: the keys a mapping may have
 * (unknown ones get a "did you mean"), the type of each value, and the form
 * of names. They keep going after an error so that one run reports every
 * problem. Values of properties, bindings and outputs become hg_value trees
 * in which every string containing "${" has been parsed; parameter names
 * seen in those expressions are marked used, which is all the unused-
 * parameter warning needs.
 */
#include "template_int.h"

#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../common/jsontext.h"

static const char *const ptype_names[] = {
        /* ORDER PTYPE */
        "string",
        "int",
        "bool",
        "list",
        "object",
        "secure",
};

const char *hg_ptype_name(hg_ptype t)
{
	return ptype_names[t];
}

hg_type hg_ptype_type(hg_ptype t)
{
	switch (t) {
	case HG_P_STRING:
	case HG_P_SECURE:
		return HG_T_STRING;
	case HG_P_INT:
		return HG_T_INT;
	case HG_P_BOOL:
		return HG_T_BOOL;
	case HG_P_LIST:
		return HG_T_LIST;
	case HG_P_OBJECT:
		return HG_T_OBJECT;
	default:
		return HG_T_ANY;
	}
}

/* ---- small helpers ---- */

void tp_fail(struct reader *r)
{
	r->failed = true;
}

const char *tp_str_of(const hg_node *n)
{
	return n->u.scalar.str;
}

/* "a string" etc. for the wrong-type message. */
static void wrong_type(struct reader *r, const hg_node *n, const char *what, const char *want)
{
	hg_diag_add(r->d, HG_D_WRONG_TYPE, &n->span, what, want, hg_node_kind_name(n), NULL);
	tp_fail(r);
}

static bool is_string(const hg_node *n)
{
	return n->kind == HG_NODE_SCALAR && hg_node_scalar(n).type == HG_SCALAR_STRING;
}

bool tp_expect_string(struct reader *r, const hg_node *n, const char *what)
{
	if (is_string(n))
		return true;
	wrong_type(r, n, what, HG_BI("a string", "文字列"));
	return false;
}

bool tp_expect_map(struct reader *r, const hg_node *n, const char *what)
{
	if (hg_node_expect(n, HG_NODE_MAP, what, r->d))
		return true;
	tp_fail(r);
	return false;
}

bool tp_expect_seq(struct reader *r, const hg_node *n, const char *what)
{
	if (hg_node_expect(n, HG_NODE_SEQ, what, r->d))
		return true;
	tp_fail(r);
	return false;
}

bool tp_expect_bool(struct reader *r, const hg_node *n, const char *what, bool *out)
{
	if (n->kind == HG_NODE_SCALAR) {
		hg_scalar_value v = hg_node_scalar(n);
		if (v.type == HG_SCALAR_BOOL) {
			*out = v.b;
			return true;
		}
	}
	wrong_type(r, n, what, HG_BI("a boolean", "真偽値"));
	return false;
}

static bool expect_int(struct reader *r, const hg_node *n, const char *what, int64_t *out)
{
	if (n->kind == HG_NODE_SCALAR) {
		hg_scalar_value v = hg_node_scalar(n);
		if (v.type == HG_SCALAR_INT) {
			*out = v.i;
			return true;
		}
	}
	wrong_type(r, n, what, HG_BI("an integer", "整数"));
	return false;
}

/* Report keys of map that are not in allowed (NULL-terminated). */
void tp_check_keys(
        struct reader *r, const hg_node *map, const char *const *allowed, const char *what)
{
	if (!hg_node_check_keys(map, allowed, what, r->d))
		tp_fail(r);
}

static bool valid_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		            (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static bool check_name(struct reader *r, const hg_node *k)
{
	if (valid_name(tp_str_of(k)))
		return true;
	hg_diag_add(r->d, HG_D_BAD_NAME, &k->span, tp_str_of(k), NULL);
	tp_fail(r);
	return false;
}

static bool valid_template_name(const char *s)
{
	bool seg_start = true;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s == '/') {
			if (seg_start)
				return false;
			seg_start = true;
			continue;
		}
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		            (*s == '-' && !seg_start)))
			return false;
		seg_start = false;
	}
	return !seg_start;
}

bool tp_valid_control_id(const char *s)
{
	/* GC-(AWS|AZ)-[A-Z]+-[0-9]{2} */
	const char *p;
	if (strncmp(s, "GC-AWS-", 7) == 0)
		p = s + 7;
	else if (strncmp(s, "GC-AZ-", 6) == 0)
		p = s + 6;
	else
		return false;
	if (!(*p >= 'A' && *p <= 'Z'))
		return false;
	while (*p >= 'A' && *p <= 'Z')
		p++;
	return p[0] == '-' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' && !p[3];
}

/* ---- values ---- */

static size_t utf8_chars(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	while (i < n) {
		i += hg_utf8_len((const unsigned char *)s + i);
		c++;
	}
	return c;
}

static bool ambiguous_bool(const char *s)
{
	static const char *const words[] = {"yes", "no", "on", "off", "y", "n"};
	size_t i, j;
	for (i = 0; i < HG_ARRAY_SIZE(words); i++) {
		for (j = 0; words[i][j] && s[j]; j++)
			if ((s[j] | 0x20) != words[i][j])
				break;
		if (!words[i][j] && !s[j])
			return true;
	}
	return false;
}

/*
 * value := scalar | list | mapping. Plain scalars are typed by the YAML 1.2
 * core schema; strings may hold ${...} expressions; YAML tags are refused
 * (CloudFormation's !Ref and friends have ${...} equivalents).
 */
hg_value *tp_read_value(struct reader *r, const hg_node *n)
{
	hg_value *v;
	size_t i;

	if (n->tag) {
		hg_diag_add(r->d, HG_D_YAML_TAG, &n->span, n->tag, NULL);
		tp_fail(r);
		return NULL;
	}
	if (n->kind == HG_NODE_SEQ) {
		v = hg_value_new(r->a, HG_V_LIST, &n->span);
		v->u.list.n = n->u.seq.n;
		v->u.list.items = HG_ANEWN(r->a, hg_value *, n->u.seq.n ? n->u.seq.n : 1);
		for (i = 0; i < n->u.seq.n; i++) {
			v->u.list.items[i] = tp_read_value(r, n->u.seq.items[i]);
			if (!v->u.list.items[i])
				return NULL;
		}
		return v;
	}
	if (n->kind == HG_NODE_MAP) {
		v = hg_value_new(r->a, HG_V_MAP, &n->span);
		v->u.map.n = n->u.map.n;
		v->u.map.m = HG_ANEWN(r->a, hg_member, n->u.map.n ? n->u.map.n : 1);
		for (i = 0; i < n->u.map.n; i++) {
			const hg_pair *p = &n->u.map.pairs[i];
			v->u.map.m[i].key =
			        hg_arena_intern(r->a, p->key->u.scalar.str, p->key->u.scalar.len);
			v->u.map.m[i].key_span = p->key->span;
			v->u.map.m[i].value = tp_read_value(r, p->value);
			if (!v->u.map.m[i].value)
				return NULL;
		}
		return v;
	}
	{
		hg_scalar_value sv = hg_node_scalar(n);
		hg_span at = n->span;
		bool exact;
		size_t chars, width;

		switch (sv.type) {
		case HG_SCALAR_NULL:
			return hg_value_new(r->a, HG_V_NULL, &n->span);
		case HG_SCALAR_BOOL:
			v = hg_value_new(r->a, HG_V_BOOL, &n->span);
			v->u.b = sv.b;
			return v;
		case HG_SCALAR_INT:
			v = hg_value_new(r->a, HG_V_INT, &n->span);
			v->u.i = sv.i;
			return v;
		case HG_SCALAR_FLOAT:
			v = hg_value_new(r->a, HG_V_FLOAT, &n->span);
			v->u.f = sv.f;
			return v;
		case HG_SCALAR_STRING:
			break;
		}
		if (n->u.scalar.style == HG_STYLE_PLAIN && ambiguous_bool(tp_str_of(n)))
			hg_diag_add(r->d, HG_D_AMBIGUOUS_SCALAR, &n->span, tp_str_of(n), NULL);
		/* Columns inside the text are exact when the scalar sits on one
		 * line and has as many characters as its span is wide. */
		chars = utf8_chars(n->u.scalar.str, n->u.scalar.len);
		width = n->span.end_col > n->span.col ? n->span.end_col - n->span.col : 0;
		if (n->u.scalar.style == HG_STYLE_SINGLE || n->u.scalar.style == HG_STYLE_DOUBLE) {
			at.col++;
			width = width >= 2 ? width - 2 : 0;
		}
		if (r->literal)
			return hg_value_str(r->a, n->u.scalar.str, n->u.scalar.len, &n->span);
		exact = n->span.line == n->span.end_line && chars == width &&
		        (n->u.scalar.style == HG_STYLE_PLAIN ||
		                n->u.scalar.style == HG_STYLE_SINGLE ||
		                n->u.scalar.style == HG_STYLE_DOUBLE);
		v = hg_value_parse_string(
		        r->a, r->d, n->u.scalar.str, n->u.scalar.len, &at, exact, &n->span);
		if (!v)
			tp_fail(r);
		return v;
	}
}

/* Mark the parameters named by the expressions of v as used. */
static void mark_expr(struct reader *r, const hg_expr *e);

static void mark_value(struct reader *r, const hg_value *v)
{
	size_t i;
	if (!v)
		return;
	switch (v->kind) {
	case HG_V_LIST:
		for (i = 0; i < v->u.list.n; i++)
			mark_value(r, v->u.list.items[i]);
		break;
	case HG_V_MAP:
		for (i = 0; i < v->u.map.n; i++)
			mark_value(r, v->u.map.m[i].value);
		break;
	case HG_V_EXPR:
		mark_expr(r, v->u.expr);
		break;
	case HG_V_INTERP:
		for (i = 0; i < v->u.interp.n; i++)
			if (v->u.interp.parts[i].expr)
				mark_expr(r, v->u.interp.parts[i].expr);
		break;
	default:
		break;
	}
}

static void mark_expr(struct reader *r, const hg_expr *e)
{
	size_t i;
	switch (e->kind) {
	case HG_EX_REF:
		if (e->u.ref.n >= 2 && strcmp(e->u.ref.parts[0], "params") == 0) {
			hg_param_decl *p = hg_template_param(r->t, e->u.ref.parts[1]);
			if (p)
				p->used = true;
		}
		break;
	case HG_EX_NOT:
		mark_expr(r, e->u.op.a);
		break;
	case HG_EX_AND:
	case HG_EX_OR:
	case HG_EX_EQ:
	case HG_EX_NE:
		mark_expr(r, e->u.op.a);
		mark_expr(r, e->u.op.b);
		break;
	case HG_EX_COND:
		mark_expr(r, e->u.op.a);
		mark_expr(r, e->u.op.b);
		mark_expr(r, e->u.op.c);
		break;
	case HG_EX_CALL:
		for (i = 0; i < e->u.call.n; i++)
			mark_expr(r, e->u.call.args[i]);
		break;
	default:
		break;
	}
}

/* A value that must be exactly one ${...} expression (when:, conditions). */
static hg_value *read_expr_value(struct reader *r, const hg_node *n, const char *what)
{
	hg_value *v;

	if (!tp_expect_string(r, n, what))
		return NULL;
	v = tp_read_value(r, n);
	if (!v)
		return NULL;
	if (v->kind != HG_V_EXPR) {
		hg_diag_add(r->d, HG_D_WRONG_TYPE, &n->span, what,
		        HG_BI("one ${...} expression", "1 つの ${...} 式"), hg_node_kind_name(n),
		        NULL);
		tp_fail(r);
		return NULL;
	}
	return v;
}

/* text := string | { en: string, ja: string } */
void tp_read_text(struct reader *r, const hg_node *n, hg_text *out, const char *what)
{
	static const char *const keys[] = {"en", "ja", NULL};
	const hg_node *en, *ja;

	if (is_string(n)) {
		out->en = tp_str_of(n);
		return;
	}
	if (!tp_expect_map(r, n, what))
		return;
	tp_check_keys(r, n, keys, what);
	en = hg_node_get(n, "en");
	ja = hg_node_get(n, "ja");
	if (en && tp_expect_string(r, en, "en"))
		out->en = tp_str_of(en);
	if (ja && tp_expect_string(r, ja, "ja"))
		out->ja = tp_str_of(ja);
}

/* ---- sections ---- */

/*
 * params:
 *   NAME: { type: string|int|bool|list|object|secure, default, allowed: [...],
 *           min, max (int), length: { min, max } (string, secure, list),
 *           pattern (string: POSIX ERE, anchored by the author),
 *           items: string|int (list), description }
 */
static void read_param(struct reader *r, const hg_node *k, const hg_node *n, hg_param_decl *p)
{
	static const char *const keys[] = {"type", "default", "allowed", "min", "max", "length",
	        "pattern", "items", "description", NULL};
	const hg_node *v;
	size_t i;

	p->name = hg_arena_intern(r->a, tp_str_of(k), k->u.scalar.len);
	p->span = k->span;
	p->type = HG_P_STRING;
	p->item_type = HG_T_STRING;
	if (!tp_expect_map(r, n, p->name))
		return;
	tp_check_keys(r, n, keys, HG_BI("a parameter", "パラメータ"));
	v = hg_node_get(n, "type");
	if (!v) {
		hg_diag_add(r->d, HG_D_MISSING_KEY, &k->span, "type",
		        HG_BI("a parameter", "パラメータ"), NULL);
		tp_fail(r);
	} else if (tp_expect_string(r, v, "type")) {
		for (i = 0; i < HG_P__COUNT; i++)
			if (strcmp(tp_str_of(v), ptype_names[i]) == 0)
				break;
		if (i == HG_P__COUNT) {
			hg_diag_add(r->d, HG_D_PARAM_TYPE, &v->span, tp_str_of(v),
			        "string, int, bool, list, object, secure", NULL);
			tp_fail(r);
		} else {
			p->type = (hg_ptype)i;
		}
	}
#define ONLY_FOR(key, cond, node)                                                                  \
	if (!(cond)) {                                                                             \
		hg_diag_add(r->d, HG_D_PARAM_CONSTRAINT_TYPE, &(node)->span, key,                  \
		        ptype_names[p->type], NULL);                                               \
		tp_fail(r);                                                                        \
	}
	if ((v = hg_node_get(n, "items")) != NULL) {
		ONLY_FOR("items", p->type == HG_P_LIST, hg_node_pair(n, "items")->key)
		else if (tp_expect_string(r, v, "items"))
		{
			if (strcmp(tp_str_of(v), "string") == 0)
				p->item_type = HG_T_STRING;
			else if (strcmp(tp_str_of(v), "int") == 0)
				p->item_type = HG_T_INT;
			else {
				hg_diag_add(r->d, HG_D_BAD_ENUM, &v->span, "items", "string, int",
				        tp_str_of(v), NULL);
				tp_fail(r);
			}
		}
	}
	if ((v = hg_node_get(n, "default")) != NULL)
		p->def = tp_read_value(r, v);
	if ((v = hg_node_get(n, "allowed")) != NULL) {
		if (tp_expect_seq(r, v, "allowed"))
			p->allowed = tp_read_value(r, v);
	}
	if ((v = hg_node_get(n, "min")) != NULL) {
		ONLY_FOR("min", p->type == HG_P_INT, hg_node_pair(n, "min")->key)
		else if (expect_int(r, v, "min", &p->min))
		{
			p->has_min = true;
			p->min_span = v->span;
		}
	}
	if ((v = hg_node_get(n, "max")) != NULL) {
		ONLY_FOR("max", p->type == HG_P_INT, hg_node_pair(n, "max")->key)
		else if (expect_int(r, v, "max", &p->max))
		{
			p->has_max = true;
			p->max_span = v->span;
		}
	}
	if (p->has_min && p->has_max && p->min > p->max) {
		hg_diag_add(r->d, HG_D_PARAM_BAD_RANGE, &p->min_span, "min", "max", NULL);
		tp_fail(r);
	}
	if ((v = hg_node_get(n, "length")) != NULL) {
		static const char *const lkeys[] = {"min", "max", NULL};
		ONLY_FOR("length",
		        p->type == HG_P_STRING || p->type == HG_P_SECURE || p->type == HG_P_LIST,
		        hg_node_pair(n, "length")->key)
		else if (tp_expect_map(r, v, "length"))
		{
			const hg_node *m;
			tp_check_keys(r, v, lkeys, "length");
			p->len_span = v->span;
			if ((m = hg_node_get(v, "min")) != NULL &&
			        expect_int(r, m, "length.min", &p->min_len))
				p->has_min_len = true;
			if ((m = hg_node_get(v, "max")) != NULL &&
			        expect_int(r, m, "length.max", &p->max_len))
				p->has_max_len = true;
			if (p->has_min_len && p->has_max_len && p->min_len > p->max_len) {
				hg_diag_add(r->d, HG_D_PARAM_BAD_RANGE, &v->span, "length.min",
				        "length.max", NULL);
				tp_fail(r);
			}
		}
	}
	if ((v = hg_node_get(n, "pattern")) != NULL) {
		ONLY_FOR("pattern", p->type == HG_P_STRING || p->type == HG_P_SECURE,
		        hg_node_pair(n, "pattern")->key)
		else if (tp_expect_string(r, v, "pattern"))
		{
			regex_t re;
			int rc = regcomp(&re, tp_str_of(v), REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				char msg[128];
				regerror(rc, &re, msg, sizeof(msg));
				hg_diag_add(r->d, HG_D_PARAM_BAD_PATTERN, &v->span, tp_str_of(v),
				        msg, NULL);
				tp_fail(r);
			} else {
				regfree(&re);
				p->pattern = tp_str_of(v);
				p->pattern_span = v->span;
			}
		}
	}
#undef ONLY_FOR
	if ((v = hg_node_get(n, "description")) != NULL)
		tp_read_text(r, v, &p->description, "description");
	if (p->type == HG_P_SECURE && p->def) {
		hg_diags_redact(r->d, &hg_node_pair(n, "default")->value->span);
		hg_diag_add(r->d, HG_D_PARAM_SECURE_DEFAULT, &hg_node_pair(n, "default")->key->span,
		        p->name, NULL);
		tp_fail(r);
	}
}

static void read_params(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!tp_expect_map(r, n, "params"))
		return;
	r->t->nparams = n->u.map.n;
	r->t->params = HG_ANEWN(r->a, hg_param_decl, n->u.map.n ? n->u.map.n : 1);
	for (i = 0; i < n->u.map.n; i++) {
		const hg_pair *p = &n->u.map.pairs[i];
		check_name(r, p->key);
		read_param(r, p->key, p->value, &r->t->params[i]);
	}
}

/* conditions: { NAME: "${boolean expression}" } */
static void read_conditions(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!tp_expect_map(r, n, "conditions"))
		return;
	r->t->nconds = n->u.map.n;
	r->t->conds = HG_ANEWN(r->a, hg_cond_decl, n->u.map.n ? n->u.map.n : 1);
	for (i = 0; i < n->u.map.n; i++) {
		const hg_pair *p = &n->u.map.pairs[i];
		hg_cond_decl *c = &r->t->conds[i];
		hg_value *v;
		check_name(r, p->key);
		c->name = hg_arena_intern(r->a, tp_str_of(p->key), p->key->u.scalar.len);
		c->span = p->key->span;
		v = read_expr_value(r, p->value, c->name);
		c->expr = v ? v->u.expr : NULL;
	}
}

/*
 * use:
 *   ALIAS: { template: NAME, version: RANGE, with: { PARAM: value },
 *            override: { RESOURCE: { properties: { ... } } } }
 */
static void read_use(struct reader *r, const hg_node *k, const hg_node *n, hg_use_decl *u)
{
	static const char *const keys[] = {
	        "template", "version", "with", "override", "resource_group", NULL};
	static const char *const okeys[] = {"properties", NULL};
	const hg_node *v;
	size_t i;

	u->alias = hg_arena_intern(r->a, tp_str_of(k), k->u.scalar.len);
	u->span = k->span;
	if (!tp_expect_map(r, n, u->alias))
		return;
	tp_check_keys(r, n, keys, HG_BI("a use", "use"));
	v = hg_node_get(n, "template");
	if (!v) {
		hg_diag_add(
		        r->d, HG_D_MISSING_KEY, &k->span, "template", HG_BI("a use", "use"), NULL);
		tp_fail(r);
	} else if (tp_expect_string(r, v, "template")) {
		u->template_name = tp_str_of(v);
		u->template_span = v->span;
		if (!valid_template_name(u->template_name)) {
			hg_diag_add(r->d, HG_D_BAD_TEMPLATE_NAME, &v->span, u->template_name, NULL);
			tp_fail(r);
		}
	}
	if ((v = hg_node_get(n, "version")) != NULL) {
		if (v->kind == HG_NODE_SCALAR && hg_node_scalar(v).type != HG_SCALAR_NULL) {
			u->range_text = tp_str_of(v);
			u->range_span = v->span;
			if (hg_range_parse(&u->range, r->a, u->range_text) < 0) {
				hg_diag_add(r->d, HG_D_BAD_RANGE, &v->span, u->range_text, NULL);
				tp_fail(r);
			}
		} else {
			wrong_type(r, v, "version", HG_BI("a string", "文字列"));
		}
	}
	if ((v = hg_node_get(n, "with")) != NULL && tp_expect_map(r, v, "with")) {
		u->nwith = v->u.map.n;
		u->with = HG_ANEWN(r->a, hg_binding, v->u.map.n ? v->u.map.n : 1);
		for (i = 0; i < v->u.map.n; i++) {
			const hg_pair *p = &v->u.map.pairs[i];
			u->with[i].name =
			        hg_arena_intern(r->a, tp_str_of(p->key), p->key->u.scalar.len);
			u->with[i].span = p->key->span;
			u->with[i].value = tp_read_value(r, p->value);
			mark_value(r, u->with[i].value);
		}
	}
	if ((v = hg_node_get(n, "resource_group")) != NULL) {
		u->resource_group = tp_read_value(r, v);
		u->rg_span = hg_node_pair(n, "resource_group")->key->span;
		mark_value(r, u->resource_group);
	}
	if ((v = hg_node_get(n, "override")) != NULL && tp_expect_map(r, v, "override")) {
		u->noverrides = v->u.map.n;
		u->overrides = HG_ANEWN(r->a, hg_override, v->u.map.n ? v->u.map.n : 1);
		for (i = 0; i < v->u.map.n; i++) {
			const hg_pair *p = &v->u.map.pairs[i];
			hg_override *o = &u->overrides[i];
			const hg_node *props;
			o->resource =
			        hg_arena_intern(r->a, tp_str_of(p->key), p->key->u.scalar.len);
			o->span = p->key->span;
			if (!tp_expect_map(r, p->value, o->resource))
				continue;
			tp_check_keys(r, p->value, okeys, HG_BI("an override", "override"));
			props = hg_node_get(p->value, "properties");
			if (props && tp_expect_map(r, props, "properties")) {
				o->properties = tp_read_value(r, props);
				mark_value(r, o->properties);
			}
		}
	}
}

static void read_uses(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!tp_expect_map(r, n, "use"))
		return;
	r->t->nuses = n->u.map.n;
	r->t->uses = HG_ANEWN(r->a, hg_use_decl, n->u.map.n ? n->u.map.n : 1);
	for (i = 0; i < n->u.map.n; i++) {
		check_name(r, n->u.map.pairs[i].key);
		read_use(r, n->u.map.pairs[i].key, n->u.map.pairs[i].value, &r->t->uses[i]);
	}
}

static bool valid_aws_type(const char *s)
{
	/* Provider::Service::Resource, each part [A-Za-z0-9]+; or Custom::Name. */
	int parts = 0;
	const char *p = s;

	if (strncmp(s, "Custom::", 8) == 0) {
		for (p = s + 8; *p; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			            (*p >= '0' && *p <= '9') || *p == '_' || *p == '@' ||
			            *p == '-'))
				return false;
		return p > s + 8;
	}
	while (*p) {
		const char *q = p;
		while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
		        (*q >= '0' && *q <= '9'))
			q++;
		if (q == p)
			return false;
		parts++;
		if (!*q)
			break;
		if (q[0] != ':' || q[1] != ':')
			return false;
		p = q + 2;
	}
	return parts == 3;
}

/*
 * Namespace.Provider/type[/child...]@YYYY-MM-DD[-preview]. Returns 0 and the
 * position of the API version in *api, or the diagnostic that applies.
 */
static hg_diag_code check_azure_type(const char *s, const char **api)
{
	const char *at = strchr(s, '@'), *p, *end;
	int slashes = 0, i;

	end = at ? at : s + strlen(s);
	for (p = s; p < end; p++) {
		if (*p == '/')
			slashes++;
		else if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		                 (*p >= '0' && *p <= '9') || *p == '.'))
			return HG_D_BAD_RESOURCE_TYPE;
	}
	if (end == s || slashes < 1 || end[-1] == '/' || !strchr(s, '.') ||
	        strchr(s, '.') > strchr(s, '/'))
		return HG_D_BAD_RESOURCE_TYPE;
	if (!at)
		return HG_D_AZURE_TYPE_NO_API;
	p = at + 1;
	if (strlen(p) < 10 || p[4] != '-' || p[7] != '-')
		return HG_D_BAD_API_VERSION;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !(p[i] >= '0' && p[i] <= '9'))
			return HG_D_BAD_API_VERSION;
	if (p[10] && strcmp(p + 10, "-preview") != 0 && strcmp(p + 10, "-beta") != 0 &&
	        strcmp(p + 10, "-alpha") != 0 && strcmp(p + 10, "-privatepreview") != 0)
		return HG_D_BAD_API_VERSION;
	*api = p;
	return HG_D__COUNT;
}

const char *tp_read_choice(struct reader *r, const hg_node *n, const char *what,
        const char *const *allowed, const char *list, hg_diag_code code)
{
	size_t i;
	if (!tp_expect_string(r, n, what))
		return NULL;
	for (i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], tp_str_of(n)) == 0)
			return allowed[i];
	hg_diag_add(r->d, code, &n->span, what, list, tp_str_of(n), NULL);
	tp_fail(r);
	return NULL;
}

int hg_suppress_read(const hg_node *list, hg_diags *d)
{
	size_t i;
	int rc = 0;

	if (list->kind != HG_NODE_SEQ) {
		hg_diag_add(d, HG_D_WRONG_TYPE, &list->span, "suppress", HG_BI("a list", "リスト"),
		        hg_node_kind_name(list), NULL);
		return HG_EINVALID;
	}
	for (i = 0; i < list->u.seq.n; i++) {
		const hg_node *s = list->u.seq.items[i], *c = hg_node_get(s, "control"),
		              *r = hg_node_get(s, "reason");
		if (!c || c->kind != HG_NODE_SCALAR) {
			hg_diag_add(d, HG_D_MISSING_KEY, &s->span, "control",
			        HG_BI("a suppression", "抑制"), NULL);
			rc = HG_EINVALID;
		} else if (!r || r->kind != HG_NODE_SCALAR || !r->u.scalar.len) {
			hg_diag_add(d, HG_D_SUPPRESS_NO_REASON, &s->span, c->u.scalar.str, NULL);
			rc = HG_EINVALID;
		}
	}
	return rc;
}

/*
 * resources:
 *   NAME: { type: TYPE, properties: {...}, locked: {...}, when: "${bool}",
 *           depends_on: NAME | [NAME...], deletion_policy, update_replace_policy,
 *           metadata: {...}, controls: [ID...] }
 * TYPE is Provider::Service::Resource (aws) or Namespace/type@api-version
 * (azure).
 */
static void read_resource(
        struct reader *r, const hg_node *k, const hg_node *n, hg_resource_decl *res)
{
	static const char *const keys[] = {"type", "properties", "locked", "when", "depends_on",
	        "deletion_policy", "update_replace_policy", "metadata", "controls", "suppress",
	        NULL};
	static const char *const deletion[] = {
	        "Delete", "Retain", "RetainExceptOnCreate", "Snapshot", NULL};
	static const char *const replace[] = {"Delete", "Retain", "Snapshot", NULL};
	const hg_node *v;
	size_t i;

	res->name = hg_arena_intern(r->a, tp_str_of(k), k->u.scalar.len);
	res->span = k->span;
	if (!tp_expect_map(r, n, res->name))
		return;
	tp_check_keys(r, n, keys, HG_BI("a resource", "リソース"));
	v = hg_node_get(n, "type");
	if (!v) {
		hg_diag_add(r->d, HG_D_MISSING_KEY, &k->span, "type",
		        HG_BI("a resource", "リソース"), NULL);
		tp_fail(r);
	} else if (tp_expect_string(r, v, "type")) {
		const char *api = NULL;
		res->type_span = v->span;
		if (r->t->target == HG_TARGET_AZURE) {
			hg_diag_code bad = check_azure_type(tp_str_of(v), &api);
			if (bad == HG_D_BAD_API_VERSION) {
				hg_diag_add(
				        r->d, bad, &v->span, strchr(tp_str_of(v), '@') + 1, NULL);
				tp_fail(r);
			} else if (bad != HG_D__COUNT) {
				hg_diag_add(r->d, bad, &v->span, tp_str_of(v),
				        "Namespace.Provider/type@YYYY-MM-DD", NULL);
				tp_fail(r);
			} else {
				res->type = hg_arena_strndup(
				        r->a, tp_str_of(v), (size_t)(api - 1 - tp_str_of(v)));
				res->api_version = api;
			}
		} else if (!valid_aws_type(tp_str_of(v))) {
			hg_diag_add(r->d, HG_D_BAD_RESOURCE_TYPE, &v->span, tp_str_of(v),
			        "Provider::Service::Resource", NULL);
			tp_fail(r);
		} else {
			res->type = tp_str_of(v);
		}
	}
	if ((v = hg_node_get(n, "properties")) != NULL && tp_expect_map(r, v, "properties")) {
		res->properties = tp_read_value(r, v);
		mark_value(r, res->properties);
	}
	if ((v = hg_node_get(n, "locked")) != NULL && tp_expect_map(r, v, "locked")) {
		res->locked = tp_read_value(r, v);
		mark_value(r, res->locked);
	}
	if ((v = hg_node_get(n, "when")) != NULL) {
		res->when = read_expr_value(r, v, "when");
		mark_value(r, res->when);
	}
	if ((v = hg_node_get(n, "depends_on")) != NULL) {
		if (is_string(v)) {
			res->ndepends = 1;
			res->depends_on = HG_ANEW(r->a, hg_name_ref);
			res->depends_on[0].name =
			        hg_arena_intern(r->a, tp_str_of(v), v->u.scalar.len);
			res->depends_on[0].span = v->span;
		} else if (tp_expect_seq(r, v, "depends_on")) {
			res->depends_on = HG_ANEWN(r->a, hg_name_ref, v->u.seq.n ? v->u.seq.n : 1);
			for (i = 0; i < v->u.seq.n; i++) {
				const hg_node *e = v->u.seq.items[i];
				if (!tp_expect_string(r, e, "depends_on"))
					continue;
				res->depends_on[res->ndepends].name =
				        hg_arena_intern(r->a, tp_str_of(e), e->u.scalar.len);
				res->depends_on[res->ndepends++].span = e->span;
			}
		}
	}
	if ((v = hg_node_get(n, "suppress")) != NULL && hg_suppress_read(v, r->d) == 0)
		res->suppress = v;
	if ((v = hg_node_get(n, "deletion_policy")) != NULL) {
		res->deletion_policy = tp_read_choice(r, v, "deletion_policy", deletion,
		        "Delete, Retain, RetainExceptOnCreate, Snapshot", HG_D_BAD_POLICY);
		res->deletion_span = v->span;
	}
	if ((v = hg_node_get(n, "update_replace_policy")) != NULL) {
		res->update_replace_policy = tp_read_choice(r, v, "update_replace_policy", replace,
		        "Delete, Retain, Snapshot", HG_D_BAD_POLICY);
		res->update_span = v->span;
	}
	if ((v = hg_node_get(n, "metadata")) != NULL && tp_expect_map(r, v, "metadata"))
		res->metadata = tp_read_value(r, v);
	if ((v = hg_node_get(n, "controls")) != NULL && tp_expect_seq(r, v, "controls")) {
		res->controls = HG_ANEWN(r->a, const char *, v->u.seq.n ? v->u.seq.n : 1);
		res->control_spans = HG_ANEWN(r->a, hg_span, v->u.seq.n ? v->u.seq.n : 1);
		for (i = 0; i < v->u.seq.n; i++) {
			const hg_node *e = v->u.seq.items[i];
			if (!tp_expect_string(r, e, "controls"))
				continue;
			if (!tp_valid_control_id(tp_str_of(e))) {
				hg_diag_add(
				        r->d, HG_D_BAD_CONTROL_ID, &e->span, tp_str_of(e), NULL);
				tp_fail(r);
				continue;
			}
			res->control_spans[res->ncontrols] = e->span;
			res->controls[res->ncontrols++] = tp_str_of(e);
		}
	}
}

static void read_resources(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!tp_expect_map(r, n, "resources"))
		return;
	r->t->nresources = n->u.map.n;
	r->t->resources = HG_ANEWN(r->a, hg_resource_decl, n->u.map.n ? n->u.map.n : 1);
	for (i = 0; i < n->u.map.n; i++) {
		check_name(r, n->u.map.pairs[i].key);
		read_resource(
		        r, n->u.map.pairs[i].key, n->u.map.pairs[i].value, &r->t->resources[i]);
	}
}

/*
 * outputs:
 *   NAME: value
 *   NAME: { value: value, description: text, export: true | NAME, when: "${bool}" }
 */
static void read_outputs(struct reader *r, const hg_node *n)
{
	static const char *const keys[] = {"value", "description", "export", "when", NULL};
	size_t i;

	if (!tp_expect_map(r, n, "outputs"))
		return;
	r->t->noutputs = n->u.map.n;
	r->t->outputs = HG_ANEWN(r->a, hg_output_decl, n->u.map.n ? n->u.map.n : 1);
	for (i = 0; i < n->u.map.n; i++) {
		const hg_pair *p = &n->u.map.pairs[i];
		hg_output_decl *o = &r->t->outputs[i];
		const hg_node *v;

		check_name(r, p->key);
		o->name = hg_arena_intern(r->a, tp_str_of(p->key), p->key->u.scalar.len);
		o->span = p->key->span;
		if (p->value->kind != HG_NODE_MAP) {
			o->value = tp_read_value(r, p->value);
			mark_value(r, o->value);
			continue;
		}
		tp_check_keys(r, p->value, keys, HG_BI("an output", "出力"));
		v = hg_node_get(p->value, "value");
		if (!v) {
			hg_diag_add(r->d, HG_D_MISSING_KEY, &p->key->span, "value",
			        HG_BI("an output", "出力"), NULL);
			tp_fail(r);
		} else {
			o->value = tp_read_value(r, v);
			mark_value(r, o->value);
		}
		if ((v = hg_node_get(p->value, "description")) != NULL)
			tp_read_text(r, v, &o->description, "description");
		if ((v = hg_node_get(p->value, "export")) != NULL) {
			if (v->kind == HG_NODE_SCALAR && hg_node_scalar(v).type == HG_SCALAR_BOOL) {
				o->export_default = hg_node_scalar(v).b;
			} else if (tp_expect_string(r, v, "export")) {
				o->export_name = tp_read_value(r, v);
				mark_value(r, o->export_name);
			}
		}
		if ((v = hg_node_get(p->value, "when")) != NULL) {
			o->when = read_expr_value(r, v, "when");
			mark_value(r, o->when);
		}
	}
}

/* requires: [ NAME | { template: NAME, version: RANGE } ] (profiles) */
static void read_requires(struct reader *r, const hg_node *n)
{
	static const char *const keys[] = {"template", "version", NULL};
	size_t i;

	if (!tp_expect_seq(r, n, "requires"))
		return;
	r->t->requires = HG_ANEWN(r->a, hg_profile_req, n->u.seq.n ? n->u.seq.n : 1);
	for (i = 0; i < n->u.seq.n; i++) {
		const hg_node *e = n->u.seq.items[i], *tn = e, *vn = NULL;
		hg_profile_req *q = &r->t->requires[r->t->nrequires];

		if (e->kind == HG_NODE_MAP) {
			tp_check_keys(r, e, keys, "requires");
			tn = hg_node_get(e, "template");
			vn = hg_node_get(e, "version");
			if (!tn) {
				hg_diag_add(r->d, HG_D_MISSING_KEY, &e->span, "template",
				        "requires", NULL);
				tp_fail(r);
				continue;
			}
		}
		if (!tp_expect_string(r, tn, "template"))
			continue;
		if (!valid_template_name(tp_str_of(tn))) {
			hg_diag_add(r->d, HG_D_BAD_TEMPLATE_NAME, &tn->span, tp_str_of(tn), NULL);
			tp_fail(r);
			continue;
		}
		q->template_name = tp_str_of(tn);
		q->span = tn->span;
		if (vn) {
			if (!tp_expect_string(r, vn, "version"))
				continue;
			q->range_text = tp_str_of(vn);
			q->range_span = vn->span;
			if (hg_range_parse(&q->range, r->a, q->range_text) < 0) {
				hg_diag_add(r->d, HG_D_BAD_RANGE, &vn->span, q->range_text, NULL);
				tp_fail(r);
				continue;
			}
		}
		r->t->nrequires++;
	}
}

/* ---- canonical form and hash ---- */

/*
 * The content hash covers the meaning of the document, not its layout:
 * the YAML tree as canonical JSON (keys sorted by bytes, scalars typed by
 * the core schema, compact), so comments and formatting do not change it.
 */
static int cmp_pair(const void *a, const void *b)
{
	const hg_pair *x = *(const hg_pair *const *)a, *y = *(const hg_pair *const *)b;
	size_t lx = x->key->u.scalar.len, ly = y->key->u.scalar.len;
	int c = memcmp(x->key->u.scalar.str, y->key->u.scalar.str, lx < ly ? lx : ly);
	return c ? c : (lx < ly ? -1 : lx > ly);
}

static void canon(hg_buf *out, const hg_node *n)
{
	size_t i;

	if (n->kind == HG_NODE_SEQ) {
		hg_buf_putc(out, '[');
		for (i = 0; i < n->u.seq.n; i++) {
			if (i)
				hg_buf_putc(out, ',');
			canon(out, n->u.seq.items[i]);
		}
		hg_buf_putc(out, ']');
		return;
	}
	if (n->kind == HG_NODE_MAP) {
		const hg_pair **sorted =
		        hg_xmalloc((n->u.map.n ? n->u.map.n : 1) * sizeof(*sorted));
		for (i = 0; i < n->u.map.n; i++)
			sorted[i] = &n->u.map.pairs[i];
		qsort(sorted, n->u.map.n, sizeof(*sorted), cmp_pair);
		hg_buf_putc(out, '{');
		for (i = 0; i < n->u.map.n; i++) {
			if (i)
				hg_buf_putc(out, ',');
			hg_json_string(
			        out, sorted[i]->key->u.scalar.str, sorted[i]->key->u.scalar.len);
			hg_buf_putc(out, ':');
			canon(out, sorted[i]->value);
		}
		hg_buf_putc(out, '}');
		free(sorted);
		return;
	}
	{
		hg_scalar_value v = hg_node_scalar(n);
		switch (v.type) {
		case HG_SCALAR_NULL:
			hg_buf_puts(out, "null");
			break;
		case HG_SCALAR_BOOL:
			hg_buf_puts(out, v.b ? "true" : "false");
			break;
		case HG_SCALAR_INT:
			hg_buf_printf(out, "%lld", (long long)v.i);
			break;
		case HG_SCALAR_FLOAT:
			hg_json_real(out, v.f);
			break;
		default:
			hg_json_string(out, n->u.scalar.str, n->u.scalar.len);
		}
	}
}

/* ---- the document ---- */

/*
 * template := { hinagata: 1, template: NAME, version: SEMVER, target: aws|azure,
 *               mandatory: bool, profile: NAME, title: text, description: text,
 *               changes: text, controls: [ID...], params, conditions, use, resources,
 *               outputs }
 * profile  := { hinagata: 1, kind: profile, profile: NAME, version: SEMVER,
 *               target: aws|azure, title: text, description: text,
 *               requires: [...] }
 */
int hg_template_parse(hg_template **out, hg_arena *a, hg_diags *d, const char *file, hg_node *root)
{
	static const char *const tkeys[] = {"hinagata", "kind", "template", "version", "target",
	        "mandatory", "profile", "scope", "title", "description", "changes", "controls",
	        "params", "conditions", "use", "resources", "outputs", NULL};
	static const char *const pkeys[] = {"hinagata", "kind", "profile", "version", "target",
	        "title", "description", "requires", "rules", NULL};
	static const char *const ckeys[] = {
	        "hinagata", "kind", "catalog", "version", "title", "description", "controls", NULL};
	struct reader r;
	hg_template *t = HG_ANEW(a, hg_template);
	const hg_node *v;
	hg_span top = {file, 1, 1, 1, 2};
	const char *what;

	memset(&r, 0, sizeof(r));
	r.a = a;
	r.d = d;
	r.t = t;
	t->file = file;
	t->root = root;
	*out = t;
	if (root->kind != HG_NODE_MAP) {
		wrong_type(&r, root, HG_BI("a template", "テンプレート"),
		        HG_BI("a mapping", "マッピング"));
		return HG_EINVALID;
	}
	{
		hg_buf cb = HG_BUF_INIT;
		canon(&cb, root);
		t->hash = hg_hash64(cb.ptr, cb.size);
		hg_buf_dispose(&cb);
	}
	v = hg_node_get(root, "kind");
	if (v && tp_expect_string(&r, v, "kind")) {
		if (strcmp(tp_str_of(v), "profile") == 0)
			t->kind = HG_DOC_PROFILE;
		else if (strcmp(tp_str_of(v), "catalog") == 0)
			t->kind = HG_DOC_CATALOG;
		else if (strcmp(tp_str_of(v), "template") != 0) {
			hg_diag_add(d, HG_D_BAD_ENUM, &v->span, "kind",
			        "template, profile, catalog", tp_str_of(v), NULL);
			tp_fail(&r);
		}
	}
	what = t->kind == HG_DOC_PROFILE   ? HG_BI("a profile", "プロファイル")
	       : t->kind == HG_DOC_CATALOG ? HG_BI("a catalog", "カタログ")
	                                   : HG_BI("a template", "テンプレート");
	tp_check_keys(&r, root,
	        t->kind == HG_DOC_PROFILE   ? pkeys
	        : t->kind == HG_DOC_CATALOG ? ckeys
	                                    : tkeys,
	        what);

	/* hinagata: the language version comes first: nothing else is read
	 * from a document written for another version. */
	v = hg_node_get(root, "hinagata");
	if (!v) {
		hg_diag_add(d, HG_D_MISSING_KEY, &top, "hinagata", what, NULL);
		return HG_EINVALID;
	} else {
		int64_t lv;
		if (!expect_int(&r, v, "hinagata", &lv))
			return HG_EINVALID;
		if (lv != 1) {
			char buf[32];
			snprintf(buf, sizeof(buf), "%lld", (long long)lv);
			hg_diag_add(d, HG_D_LANG_VERSION, &v->span, buf, NULL);
			return HG_EINVALID;
		}
		t->lang_version = 1;
	}

	{
		const char *namekey = t->kind == HG_DOC_PROFILE   ? "profile"
		                      : t->kind == HG_DOC_CATALOG ? "catalog"
		                                                  : "template";
		v = hg_node_get(root, namekey);
		if (!v)
			hg_diag_add(d, HG_D_MISSING_KEY, &top, namekey, what, NULL);
	}
	if (!v) {
		tp_fail(&r);
	} else if (tp_expect_string(&r, v, "template")) {
		t->name = tp_str_of(v);
		t->name_span = v->span;
		if (!valid_template_name(t->name)) {
			hg_diag_add(d, HG_D_BAD_TEMPLATE_NAME, &v->span, t->name, NULL);
			tp_fail(&r);
		}
	}
	v = hg_node_get(root, "version");
	if (!v) {
		hg_diag_add(d, HG_D_MISSING_KEY, &top, "version", what, NULL);
		tp_fail(&r);
	} else if (v->kind != HG_NODE_SCALAR || hg_semver_parse(&t->version, a, tp_str_of(v)) < 0) {
		hg_diag_add(d, HG_D_BAD_SEMVER, &v->span,
		        v->kind == HG_NODE_SCALAR ? tp_str_of(v) : "...", NULL);
		tp_fail(&r);
	} else {
		t->version_text = tp_str_of(v);
		t->version_span = v->span;
	}
	v = hg_node_get(root, "target");
	if (!v && t->kind == HG_DOC_CATALOG) {
		/* a catalog serves both clouds */
	} else if (!v) {
		hg_diag_add(d, HG_D_MISSING_KEY, &top, "target", what, NULL);
		tp_fail(&r);
	} else if (tp_expect_string(&r, v, "target")) {
		if (strcmp(tp_str_of(v), "aws") == 0)
			t->target = HG_TARGET_AWS;
		else if (strcmp(tp_str_of(v), "azure") == 0)
			t->target = HG_TARGET_AZURE;
		else {
			hg_diag_add(d, HG_D_BAD_ENUM, &v->span, "target", "aws, azure",
			        tp_str_of(v), NULL);
			tp_fail(&r);
		}
	}
	if ((v = hg_node_get(root, "title")) != NULL)
		tp_read_text(&r, v, &t->title, "title");
	if ((v = hg_node_get(root, "description")) != NULL)
		tp_read_text(&r, v, &t->description, "description");
	/* what this version changed: shown when an update's impact is listed */
	if ((v = hg_node_get(root, "changes")) != NULL)
		tp_read_text(&r, v, &t->changes, "changes");

	if (t->kind == HG_DOC_CATALOG) {
		if ((v = hg_node_get(root, "controls")) != NULL)
			tp_read_catalog(&r, v);
		return r.failed ? HG_EINVALID : 0;
	}
	if (t->kind == HG_DOC_PROFILE) {
		if ((v = hg_node_get(root, "requires")) != NULL)
			read_requires(&r, v);
		if ((v = hg_node_get(root, "rules")) != NULL)
			tp_read_rules(&r, v);
		return r.failed ? HG_EINVALID : 0;
	}

	if ((v = hg_node_get(root, "scope")) != NULL && tp_expect_string(&r, v, "scope")) {
		t->scope_span = v->span;
		if (t->target != HG_TARGET_AZURE) {
			hg_diag_add(d, HG_D_SCOPE_NOT_AZURE,
			        &hg_node_pair(root, "scope")->key->span, NULL);
			tp_fail(&r);
		} else if (strcmp(tp_str_of(v), "subscription") == 0) {
			t->scope = HG_SCOPE_SUBSCRIPTION;
		} else if (strcmp(tp_str_of(v), "resourceGroup") != 0) {
			hg_diag_add(d, HG_D_BAD_ENUM, &v->span, "scope",
			        "resourceGroup, subscription", tp_str_of(v), NULL);
			tp_fail(&r);
		}
	}
	if ((v = hg_node_get(root, "mandatory")) != NULL)
		tp_expect_bool(&r, v, "mandatory", &t->mandatory);
	if ((v = hg_node_get(root, "profile")) != NULL && tp_expect_string(&r, v, "profile")) {
		t->profile = tp_str_of(v);
		t->profile_span = v->span;
		if (!valid_template_name(t->profile)) {
			hg_diag_add(d, HG_D_BAD_TEMPLATE_NAME, &v->span, t->profile, NULL);
			tp_fail(&r);
		}
	}
	if ((v = hg_node_get(root, "controls")) != NULL)
		tp_read_controls(&r, v);
	/* Parameters first: the other sections mark the ones they use. */
	if ((v = hg_node_get(root, "params")) != NULL)
		read_params(&r, v);
	if ((v = hg_node_get(root, "conditions")) != NULL) {
		size_t i;
		read_conditions(&r, v);
		for (i = 0; i < t->nconds; i++)
			if (t->conds[i].expr)
				mark_expr(&r, t->conds[i].expr);
	}
	if ((v = hg_node_get(root, "use")) != NULL)
		read_uses(&r, v);
	if ((v = hg_node_get(root, "resources")) != NULL)
		read_resources(&r, v);
	if ((v = hg_node_get(root, "outputs")) != NULL)
		read_outputs(&r, v);
	return r.failed ? HG_EINVALID : 0;
}

int hg_template_load(hg_template **out, hg_arena *a, hg_diags *d, const char *path)
{
	return hg_template_load_in(out, a, d, d, path, NULL);
}

int hg_template_load_in(hg_template **out, hg_arena *a, hg_diags *d, hg_diags *src,
        const char *path, const char *display)
{
	hg_buf text = HG_BUF_INIT;
	size_t size = 0;
	const char *file;
	hg_node *root;
	int rc;

	*out = NULL;
	if (!display)
		display = path;
	rc = hg_fs_read(&text, path, HG_TEMPLATE_MAX_BYTES, &size);
	if (rc < 0) {
		int e = errno;
		file = hg_diags_source(src, display, NULL, 0);
		if (e == EISDIR)
			hg_diag_add(d, HG_D_IS_DIRECTORY, NULL, display, NULL);
		else
			hg_fs_diag(d, NULL, file, path, rc, e, size);
		hg_buf_dispose(&text);
		return rc == HG_EINVALID ? HG_EINVALID : HG_EIO;
	}
	file = hg_diags_source(src, display, text.ptr, text.size);
	rc = hg_yaml_load(&root, a, d, file, text.ptr, text.size, NULL);
	hg_buf_dispose(&text);
	if (rc < 0)
		return rc;
	rc = hg_template_parse(out, a, d, file, root);
	if (*out)
		(*out)->path = hg_arena_strdup(a, path);
	return rc;
}

hg_param_decl *hg_template_param(const hg_template *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->nparams; i++)
		if (t->params[i].name && strcmp(t->params[i].name, name) == 0)
			return &t->params[i];
	return NULL;
}

hg_cond_decl *hg_template_cond(const hg_template *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->nconds; i++)
		if (t->conds[i].name && strcmp(t->conds[i].name, name) == 0)
			return &t->conds[i];
	return NULL;
}

hg_resource_decl *hg_template_resource(const hg_template *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->nresources; i++)
		if (t->resources[i].name && strcmp(t->resources[i].name, name) == 0)
			return &t->resources[i];
	return NULL;
}

hg_use_decl *hg_template_use(const hg_template *t, const char *alias)
{
	size_t i;
	for (i = 0; i < t->nuses; i++)
		if (t->uses[i].alias && strcmp(t->uses[i].alias, alias) == 0)
			return &t->uses[i];
	return NULL;
}

hg_output_decl *hg_template_output(const hg_template *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->noutputs; i++)
		if (t->outputs[i].name && strcmp(t->outputs[i].name, name) == 0)
			return &t->outputs[i];
	return NULL;
}

void hg_template_warn_unused(const hg_template *t, hg_diags *d)
{
	size_t i;
	for (i = 0; i < t->nparams; i++)
		if (t->params[i].name && !t->params[i].used)
			hg_diag_add(
			        d, HG_D_PARAM_UNUSED, &t->params[i].span, t->params[i].name, NULL);
}

hg_value *hg_value_from_node(hg_arena *a, hg_diags *d, const hg_node *n, bool expressions)
{
	struct reader r;
	memset(&r, 0, sizeof(r));
	r.a = a;
	r.d = d;
	r.literal = !expressions;
	return tp_read_value(&r, n);
}
