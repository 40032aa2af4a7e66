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
#include "template.h"

#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../common/jsontext.h"

struct reader {
	hg_arena *a;
	hg_diags *d;
	hg_template *t;
	bool failed;
	bool literal; /* strings are plain text: no ${...} (parameter files) */
};

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

static void fail(struct reader *r)
{
	r->failed = true;
}

static const char *str_of(const hg_node *n)
{
	return n->u.scalar.str;
}

/* "a string" etc. for the wrong-type message. */
static void wrong_type(struct reader *r, const hg_node *n, const char *what, const char *want)
{
	hg_diag_add(r->d, HG_D_WRONG_TYPE, &n->span, what, want, hg_node_kind_name(n), NULL);
	fail(r);
}

static bool is_string(const hg_node *n)
{
	return n->kind == HG_NODE_SCALAR && hg_node_scalar(n).type == HG_SCALAR_STRING;
}

static bool expect_string(struct reader *r, const hg_node *n, const char *what)
{
	if (is_string(n))
		return true;
	wrong_type(r, n, what, HG_BI("a string", "文字列"));
	return false;
}

static bool expect_map(struct reader *r, const hg_node *n, const char *what)
{
	if (hg_node_expect(n, HG_NODE_MAP, what, r->d))
		return true;
	fail(r);
	return false;
}

static bool expect_seq(struct reader *r, const hg_node *n, const char *what)
{
	if (hg_node_expect(n, HG_NODE_SEQ, what, r->d))
		return true;
	fail(r);
	return false;
}

static bool expect_bool(struct reader *r, const hg_node *n, const char *what, bool *out)
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
static void check_keys(
        struct reader *r, const hg_node *map, const char *const *allowed, const char *what)
{
	if (!hg_node_check_keys(map, allowed, what, r->d))
		fail(r);
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
	if (valid_name(str_of(k)))
		return true;
	hg_diag_add(r->d, HG_D_BAD_NAME, &k->span, str_of(k), NULL);
	fail(r);
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

static bool valid_control_id(const char *s)
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
static hg_value *read_value(struct reader *r, const hg_node *n)
{
	hg_value *v;
	size_t i;

	if (n->tag) {
		hg_diag_add(r->d, HG_D_YAML_TAG, &n->span, n->tag, NULL);
		fail(r);
		return NULL;
	}
	if (n->kind == HG_NODE_SEQ) {
		v = hg_value_new(r->a, HG_V_LIST, &n->span);
		v->u.list.n = n->u.seq.n;
		v->u.list.items = HG_ANEWN(r->a, hg_value *, n->u.seq.n ? n->u.seq.n : 1);
		for (i = 0; i < n->u.seq.n; i++) {
			v->u.list.items[i] = read_value(r, n->u.seq.items[i]);
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
			v->u.map.m[i].value = read_value(r, p->value);
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
		if (n->u.scalar.style == HG_STYLE_PLAIN && ambiguous_bool(str_of(n)))
			hg_diag_add(r->d, HG_D_AMBIGUOUS_SCALAR, &n->span, str_of(n), NULL);
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
			fail(r);
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

	if (!expect_string(r, n, what))
		return NULL;
	v = read_value(r, n);
	if (!v)
		return NULL;
	if (v->kind != HG_V_EXPR) {
		hg_diag_add(r->d, HG_D_WRONG_TYPE, &n->span, what,
		        HG_BI("one ${...} expression", "1 つの ${...} 式"), hg_node_kind_name(n),
		        NULL);
		fail(r);
		return NULL;
	}
	return v;
}

/* text := string | { en: string, ja: string } */
static void read_text(struct reader *r, const hg_node *n, hg_text *out, const char *what)
{
	static const char *const keys[] = {"en", "ja", NULL};
	const hg_node *en, *ja;

	if (is_string(n)) {
		out->en = str_of(n);
		return;
	}
	if (!expect_map(r, n, what))
		return;
	check_keys(r, n, keys, what);
	en = hg_node_get(n, "en");
	ja = hg_node_get(n, "ja");
	if (en && expect_string(r, en, "en"))
		out->en = str_of(en);
	if (ja && expect_string(r, ja, "ja"))
		out->ja = str_of(ja);
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

	p->name = hg_arena_intern(r->a, str_of(k), k->u.scalar.len);
	p->span = k->span;
	p->type = HG_P_STRING;
	p->item_type = HG_T_STRING;
	if (!expect_map(r, n, p->name))
		return;
	check_keys(r, n, keys, HG_BI("a parameter", "パラメータ"));
	v = hg_node_get(n, "type");
	if (!v) {
		hg_diag_add(r->d, HG_D_MISSING_KEY, &k->span, "type",
		        HG_BI("a parameter", "パラメータ"), NULL);
		fail(r);
	} else if (expect_string(r, v, "type")) {
		for (i = 0; i < HG_P__COUNT; i++)
			if (strcmp(str_of(v), ptype_names[i]) == 0)
				break;
		if (i == HG_P__COUNT) {
			hg_diag_add(r->d, HG_D_PARAM_TYPE, &v->span, str_of(v),
			        "string, int, bool, list, object, secure", NULL);
			fail(r);
		} else {
			p->type = (hg_ptype)i;
		}
	}
#define ONLY_FOR(key, cond, node)                                                                  \
	if (!(cond)) {                                                                             \
		hg_diag_add(r->d, HG_D_PARAM_CONSTRAINT_TYPE, &(node)->span, key,                  \
		        ptype_names[p->type], NULL);                                               \
		fail(r);                                                                           \
	}
	if ((v = hg_node_get(n, "items")) != NULL) {
		ONLY_FOR("items", p->type == HG_P_LIST, hg_node_pair(n, "items")->key)
		else if (expect_string(r, v, "items"))
		{
			if (strcmp(str_of(v), "string") == 0)
				p->item_type = HG_T_STRING;
			else if (strcmp(str_of(v), "int") == 0)
				p->item_type = HG_T_INT;
			else {
				hg_diag_add(r->d, HG_D_BAD_ENUM, &v->span, "items", "string, int",
				        str_of(v), NULL);
				fail(r);
			}
		}
	}
	if ((v = hg_node_get(n, "default")) != NULL)
		p->def = read_value(r, v);
	if ((v = hg_node_get(n, "allowed")) != NULL) {
		if (expect_seq(r, v, "allowed"))
			p->allowed = read_value(r, v);
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
		fail(r);
	}
	if ((v = hg_node_get(n, "length")) != NULL) {
		static const char *const lkeys[] = {"min", "max", NULL};
		ONLY_FOR("length",
		        p->type == HG_P_STRING || p->type == HG_P_SECURE || p->type == HG_P_LIST,
		        hg_node_pair(n, "length")->key)
		else if (expect_map(r, v, "length"))
		{
			const hg_node *m;
			check_keys(r, v, lkeys, "length");
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
				fail(r);
			}
		}
	}
	if ((v = hg_node_get(n, "pattern")) != NULL) {
		ONLY_FOR("pattern", p->type == HG_P_STRING || p->type == HG_P_SECURE,
		        hg_node_pair(n, "pattern")->key)
		else if (expect_string(r, v, "pattern"))
		{
			regex_t re;
			int rc = regcomp(&re, str_of(v), REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				char msg[128];
				regerror(rc, &re, msg, sizeof(msg));
				hg_diag_add(r->d, HG_D_PARAM_BAD_PATTERN, &v->span, str_of(v), msg,
				        NULL);
				fail(r);
			} else {
				regfree(&re);
				p->pattern = str_of(v);
				p->pattern_span = v->span;
			}
		}
	}
#undef ONLY_FOR
	if ((v = hg_node_get(n, "description")) != NULL)
		read_text(r, v, &p->description, "description");
	if (p->type == HG_P_SECURE && p->def) {
		hg_diags_redact(r->d, &hg_node_pair(n, "default")->value->span);
		hg_diag_add(r->d, HG_D_PARAM_SECURE_DEFAULT, &hg_node_pair(n, "default")->key->span,
		        p->name, NULL);
		fail(r);
	}
}

static void read_params(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!expect_map(r, n, "params"))
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
	if (!expect_map(r, n, "conditions"))
		return;
	r->t->nconds = n->u.map.n;
	r->t->conds = HG_ANEWN(r->a, hg_cond_decl, n->u.map.n ? n->u.map.n : 1);
	for (i = 0; i < n->u.map.n; i++) {
		const hg_pair *p = &n->u.map.pairs[i];
		hg_cond_decl *c = &r->t->conds[i];
		hg_value *v;
		check_name(r, p->key);
		c->name = hg_arena_intern(r->a, str_of(p->key), p->key->u.scalar.len);
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

	u->alias = hg_arena_intern(r->a, str_of(k), k->u.scalar.len);
	u->span = k->span;
	if (!expect_map(r, n, u->alias))
		return;
	check_keys(r, n, keys, HG_BI("a use", "use"));
	v = hg_node_get(n, "template");
	if (!v) {
		hg_diag_add(
		        r->d, HG_D_MISSING_KEY, &k->span, "template", HG_BI("a use", "use"), NULL);
		fail(r);
	} else if (expect_string(r, v, "template")) {
		u->template_name = str_of(v);
		u->template_span = v->span;
		if (!valid_template_name(u->template_name)) {
			hg_diag_add(r->d, HG_D_BAD_TEMPLATE_NAME, &v->span, u->template_name, NULL);
			fail(r);
		}
	}
	if ((v = hg_node_get(n, "version")) != NULL) {
		if (v->kind == HG_NODE_SCALAR && hg_node_scalar(v).type != HG_SCALAR_NULL) {
			u->range_text = str_of(v);
			u->range_span = v->span;
			if (hg_range_parse(&u->range, r->a, u->range_text) < 0) {
				hg_diag_add(r->d, HG_D_BAD_RANGE, &v->span, u->range_text, NULL);
				fail(r);
			}
		} else {
			wrong_type(r, v, "version", HG_BI("a string", "文字列"));
		}
	}
	if ((v = hg_node_get(n, "with")) != NULL && expect_map(r, v, "with")) {
		u->nwith = v->u.map.n;
		u->with = HG_ANEWN(r->a, hg_binding, v->u.map.n ? v->u.map.n : 1);
		for (i = 0; i < v->u.map.n; i++) {
			const hg_pair *p = &v->u.map.pairs[i];
			u->with[i].name =
			        hg_arena_intern(r->a, str_of(p->key), p->key->u.scalar.len);
			u->with[i].span = p->key->span;
			u->with[i].value = read_value(r, p->value);
			mark_value(r, u->with[i].value);
		}
	}
	if ((v = hg_node_get(n, "resource_group")) != NULL) {
		u->resource_group = read_value(r, v);
		u->rg_span = hg_node_pair(n, "resource_group")->key->span;
		mark_value(r, u->resource_group);
	}
	if ((v = hg_node_get(n, "override")) != NULL && expect_map(r, v, "override")) {
		u->noverrides = v->u.map.n;
		u->overrides = HG_ANEWN(r->a, hg_override, v->u.map.n ? v->u.map.n : 1);
		for (i = 0; i < v->u.map.n; i++) {
			const hg_pair *p = &v->u.map.pairs[i];
			hg_override *o = &u->overrides[i];
			const hg_node *props;
			o->resource = hg_arena_intern(r->a, str_of(p->key), p->key->u.scalar.len);
			o->span = p->key->span;
			if (!expect_map(r, p->value, o->resource))
				continue;
			check_keys(r, p->value, okeys, HG_BI("an override", "override"));
			props = hg_node_get(p->value, "properties");
			if (props && expect_map(r, props, "properties")) {
				o->properties = read_value(r, props);
				mark_value(r, o->properties);
			}
		}
	}
}

static void read_uses(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!expect_map(r, n, "use"))
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

static const char *read_policy(struct reader *r, const hg_node *n, const char *what,
        const char *const *allowed, const char *list)
{
	size_t i;
	if (!expect_string(r, n, what))
		return NULL;
	for (i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], str_of(n)) == 0)
			return allowed[i];
	hg_diag_add(r->d, HG_D_BAD_POLICY, &n->span, what, list, str_of(n), NULL);
	fail(r);
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
			        HG_BI("a suppression", "抑止"), NULL);
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

	res->name = hg_arena_intern(r->a, str_of(k), k->u.scalar.len);
	res->span = k->span;
	if (!expect_map(r, n, res->name))
		return;
	check_keys(r, n, keys, HG_BI("a resource", "リソース"));
	v = hg_node_get(n, "type");
	if (!v) {
		hg_diag_add(r->d, HG_D_MISSING_KEY, &k->span, "type",
		        HG_BI("a resource", "リソース"), NULL);
		fail(r);
	} else if (expect_string(r, v, "type")) {
		const char *api = NULL;
		res->type_span = v->span;
		if (r->t->target == HG_TARGET_AZURE) {
			hg_diag_code bad = check_azure_type(str_of(v), &api);
			if (bad == HG_D_BAD_API_VERSION) {
				hg_diag_add(r->d, bad, &v->span, strchr(str_of(v), '@') + 1, NULL);
				fail(r);
			} else if (bad != HG_D__COUNT) {
				hg_diag_add(r->d, bad, &v->span, str_of(v),
				        "Namespace.Provider/type@YYYY-MM-DD", NULL);
				fail(r);
			} else {
				res->type = hg_arena_strndup(
				        r->a, str_of(v), (size_t)(api - 1 - str_of(v)));
				res->api_version = api;
			}
		} else if (!valid_aws_type(str_of(v))) {
			hg_diag_add(r->d, HG_D_BAD_RESOURCE_TYPE, &v->span, str_of(v),
			        "Provider::Service::Resource", NULL);
			fail(r);
		} else {
			res->type = str_of(v);
		}
	}
	if ((v = hg_node_get(n, "properties")) != NULL && expect_map(r, v, "properties")) {
		res->properties = read_value(r, v);
		mark_value(r, res->properties);
	}
	if ((v = hg_node_get(n, "locked")) != NULL && expect_map(r, v, "locked")) {
		res->locked = read_value(r, v);
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
			res->depends_on[0].name = hg_arena_intern(r->a, str_of(v), v->u.scalar.len);
			res->depends_on[0].span = v->span;
		} else if (expect_seq(r, v, "depends_on")) {
			res->depends_on = HG_ANEWN(r->a, hg_name_ref, v->u.seq.n ? v->u.seq.n : 1);
			for (i = 0; i < v->u.seq.n; i++) {
				const hg_node *e = v->u.seq.items[i];
				if (!expect_string(r, e, "depends_on"))
					continue;
				res->depends_on[res->ndepends].name =
				        hg_arena_intern(r->a, str_of(e), e->u.scalar.len);
				res->depends_on[res->ndepends++].span = e->span;
			}
		}
	}
	if ((v = hg_node_get(n, "suppress")) != NULL && hg_suppress_read(v, r->d) == 0)
		res->suppress = v;
	if ((v = hg_node_get(n, "deletion_policy")) != NULL) {
		res->deletion_policy = read_policy(r, v, "deletion_policy", deletion,
		        "Delete, Retain, RetainExceptOnCreate, Snapshot");
		res->deletion_span = v->span;
	}
	if ((v = hg_node_get(n, "update_replace_policy")) != NULL) {
		res->update_replace_policy = read_policy(
		        r, v, "update_replace_policy", replace, "Delete, Retain, Snapshot");
		res->update_span = v->span;
	}
	if ((v = hg_node_get(n, "metadata")) != NULL && expect_map(r, v, "metadata"))
		res->metadata = read_value(r, v);
	if ((v = hg_node_get(n, "controls")) != NULL && expect_seq(r, v, "controls")) {
		res->controls = HG_ANEWN(r->a, const char *, v->u.seq.n ? v->u.seq.n : 1);
		res->control_spans = HG_ANEWN(r->a, hg_span, v->u.seq.n ? v->u.seq.n : 1);
		for (i = 0; i < v->u.seq.n; i++) {
			const hg_node *e = v->u.seq.items[i];
			if (!expect_string(r, e, "controls"))
				continue;
			if (!valid_control_id(str_of(e))) {
				hg_diag_add(r->d, HG_D_BAD_CONTROL_ID, &e->span, str_of(e), NULL);
				fail(r);
				continue;
			}
			res->control_spans[res->ncontrols] = e->span;
			res->controls[res->ncontrols++] = str_of(e);
		}
	}
}

static void read_resources(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!expect_map(r, n, "resources"))
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

	if (!expect_map(r, n, "outputs"))
		return;
	r->t->noutputs = n->u.map.n;
	r->t->outputs = HG_ANEWN(r->a, hg_output_decl, n->u.map.n ? n->u.map.n : 1);
	for (i = 0; i < n->u.map.n; i++) {
		const hg_pair *p = &n->u.map.pairs[i];
		hg_output_decl *o = &r->t->outputs[i];
		const hg_node *v;

		check_name(r, p->key);
		o->name = hg_arena_intern(r->a, str_of(p->key), p->key->u.scalar.len);
		o->span = p->key->span;
		if (p->value->kind != HG_NODE_MAP) {
			o->value = read_value(r, p->value);
			mark_value(r, o->value);
			continue;
		}
		check_keys(r, p->value, keys, HG_BI("an output", "出力"));
		v = hg_node_get(p->value, "value");
		if (!v) {
			hg_diag_add(r->d, HG_D_MISSING_KEY, &p->key->span, "value",
			        HG_BI("an output", "出力"), NULL);
			fail(r);
		} else {
			o->value = read_value(r, v);
			mark_value(r, o->value);
		}
		if ((v = hg_node_get(p->value, "description")) != NULL)
			read_text(r, v, &o->description, "description");
		if ((v = hg_node_get(p->value, "export")) != NULL) {
			if (v->kind == HG_NODE_SCALAR && hg_node_scalar(v).type == HG_SCALAR_BOOL) {
				o->export_default = hg_node_scalar(v).b;
			} else if (expect_string(r, v, "export")) {
				o->export_name = read_value(r, v);
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

	if (!expect_seq(r, n, "requires"))
		return;
	r->t->requires = HG_ANEWN(r->a, hg_profile_req, n->u.seq.n ? n->u.seq.n : 1);
	for (i = 0; i < n->u.seq.n; i++) {
		const hg_node *e = n->u.seq.items[i], *tn = e, *vn = NULL;
		hg_profile_req *q = &r->t->requires[r->t->nrequires];

		if (e->kind == HG_NODE_MAP) {
			check_keys(r, e, keys, "requires");
			tn = hg_node_get(e, "template");
			vn = hg_node_get(e, "version");
			if (!tn) {
				hg_diag_add(r->d, HG_D_MISSING_KEY, &e->span, "template",
				        "requires", NULL);
				fail(r);
				continue;
			}
		}
		if (!expect_string(r, tn, "template"))
			continue;
		if (!valid_template_name(str_of(tn))) {
			hg_diag_add(r->d, HG_D_BAD_TEMPLATE_NAME, &tn->span, str_of(tn), NULL);
			fail(r);
			continue;
		}
		q->template_name = str_of(tn);
		q->span = tn->span;
		if (vn) {
			if (!expect_string(r, vn, "version"))
				continue;
			q->range_text = str_of(vn);
			q->range_span = vn->span;
			if (hg_range_parse(&q->range, r->a, q->range_text) < 0) {
				hg_diag_add(r->d, HG_D_BAD_RANGE, &vn->span, q->range_text, NULL);
				fail(r);
				continue;
			}
		}
		r->t->nrequires++;
	}
}

/* A list of strings (types: [TYPE...]) into *out and *n. */
static void read_strings(
        struct reader *r, const hg_node *v, const char *what, const char ***out, size_t *n)
{
	size_t i;
	if (!expect_seq(r, v, what))
		return;
	*out = HG_ANEWN(r->a, const char *, v->u.seq.n ? v->u.seq.n : 1);
	for (i = 0; i < v->u.seq.n; i++)
		if (expect_string(r, v->u.seq.items[i], what))
			(*out)[(*n)++] = str_of(v->u.seq.items[i]);
}

/* { path: PATH, in: [...] } (unless, a condition of contains) into *path and *in. */
static void read_match(
        struct reader *r, const hg_node *v, const char *what, const char **path, hg_value **in)
{
	static const char *const keys[] = {"path", "in", NULL};
	const hg_node *w;
	if (!expect_map(r, v, what))
		return;
	check_keys(r, v, keys, what);
	if ((w = hg_node_get(v, "path")) != NULL && expect_string(r, w, "path"))
		*path = str_of(w);
	if ((w = hg_node_get(v, "in")) != NULL && expect_seq(r, w, "in"))
		*in = read_value(r, w);
}

/* A PATH, or several PATHs as a list, into *out. */
static void read_paths(
        struct reader *r, const hg_node *v, const char *what, const char ***out, size_t *n)
{
	if (v->kind == HG_NODE_SEQ) {
		read_strings(r, v, what, out, n);
		return;
	}
	if (!expect_string(r, v, what))
		return;
	*out = HG_ANEWN(r->a, const char *, 1);
	(*out)[(*n)++] = str_of(v);
}

/*
 * rules: [ { control: ID, title: text, types: [TYPE...], mandatory: bool,
 *            select: PATH,
 *            unless: { path: PATH, in: [...] } | [ { path: PATH, in: [...] }... ],
 *            when: { path: PATH | [PATH...], in: [...] },
 *            forbidden: true | required: PATH | absent: PATH
 *            | allowed: { path: PATH, values: [...] }
 *            | equals: { path: PATH, value: V }
 *            | at_least: { path: PATH, value: N }
 *            | ports_closed: { from: PATH, to: PATH, ranges: PATH, ports: [N...] }
 *            | contains: { path: PATH, item: [ { path: PATH, in: [...] }... ] }
 *            | referenced_by: { types: [TYPE...], path: PATH, name: PATH }
 *            | not_targeting: PATH | shadowing: PATH } ]            (profiles)
 * PATH is dotted (properties.subnets[*].name); [*] walks a list.
 * mandatory: true holds the rule to resources of mandatory templates (guards
 * of what their locks cannot fix), false to the others; absent: both.
 */
static void read_rule(struct reader *r, const hg_node *n, hg_rule *q)
{
	static const char *const keys[] = {"control", "title", "types", "mandatory", "select",
	        "unless", "when", "forbidden", "required", "absent", "allowed", "equals",
	        "at_least", "ports_closed", "contains", "referenced_by", "not_targeting",
	        "shadowing", NULL};
	static const char *const pp[] = {"from", "to", "ranges", "ports", NULL};
	static const char *const pc[] = {"path", "item", NULL};
	static const char *const pr[] = {"types", "path", "name", NULL};
	static const char *const pv[] = {"path", "values", NULL};
	static const char *const pe[] = {"path", "value", NULL};
	static const char *const pw[] = {"path", "in", NULL};
	const hg_node *v, *w;
	size_t i, kinds = 0;

	q->span = n->span;
	q->mandatory = -1;
	if (!expect_map(r, n, "rules"))
		return;
	check_keys(r, n, keys, HG_BI("a rule", "ルール"));
	if ((v = hg_node_get(n, "control")) == NULL || !expect_string(r, v, "control")) {
		if (!v) {
			hg_diag_add(r->d, HG_D_MISSING_KEY, &n->span, "control",
			        HG_BI("a rule", "ルール"), NULL);
			fail(r);
		}
	} else if (!valid_control_id(str_of(v))) {
		hg_diag_add(r->d, HG_D_BAD_CONTROL_ID, &v->span, str_of(v), NULL);
		fail(r);
	} else {
		q->control = str_of(v);
		q->span = v->span;
	}
	if ((v = hg_node_get(n, "title")) != NULL)
		read_text(r, v, &q->title, "title");
	if ((v = hg_node_get(n, "types")) != NULL)
		read_strings(r, v, "types", &q->types, &q->ntypes);
	if ((v = hg_node_get(n, "mandatory")) != NULL) {
		bool b = false;
		if (expect_bool(r, v, "mandatory", &b))
			q->mandatory = b ? 1 : 0;
	}
	if ((v = hg_node_get(n, "select")) != NULL && expect_string(r, v, "select"))
		q->select = str_of(v);
	if ((v = hg_node_get(n, "unless")) != NULL) {
		size_t k = v->kind == HG_NODE_SEQ ? v->u.seq.n : 1;
		q->unless = HG_ANEWN(r->a, hg_rule_match, k ? k : 1);
		for (i = 0; i < k; i++) {
			hg_rule_match *m = &q->unless[q->nunless];
			read_match(r, v->kind == HG_NODE_SEQ ? v->u.seq.items[i] : v, "unless",
			        &m->path, &m->in);
			if (m->path && m->in)
				q->nunless++;
		}
	}
	if ((v = hg_node_get(n, "when")) != NULL && expect_map(r, v, "when")) {
		check_keys(r, v, pw, "when");
		if ((w = hg_node_get(v, "path")) != NULL)
			read_paths(r, w, "path", &q->when_paths, &q->nwhen);
		if ((w = hg_node_get(v, "in")) != NULL && expect_seq(r, w, "in"))
			q->when_in = read_value(r, w);
	}
	if ((v = hg_node_get(n, "ports_closed")) != NULL && expect_map(r, v, "ports_closed")) {
		kinds++;
		check_keys(r, v, pp, "ports_closed");
		q->kind = HG_RULE_PORTS;
		if ((w = hg_node_get(v, "from")) != NULL && expect_string(r, w, "from"))
			q->from_path = str_of(w);
		if ((w = hg_node_get(v, "to")) != NULL && expect_string(r, w, "to"))
			q->to_path = str_of(w);
		if ((w = hg_node_get(v, "ranges")) != NULL && expect_string(r, w, "ranges"))
			q->ranges_path = str_of(w);
		if ((w = hg_node_get(v, "ports")) != NULL && expect_seq(r, w, "ports"))
			q->values = read_value(r, w);
	}
	if ((v = hg_node_get(n, "forbidden")) != NULL) {
		bool b = false;
		kinds++;
		expect_bool(r, v, "forbidden", &b);
		q->kind = HG_RULE_FORBIDDEN;
	}
	if ((v = hg_node_get(n, "required")) != NULL && expect_string(r, v, "required")) {
		kinds++;
		q->kind = HG_RULE_REQUIRED;
		q->path = str_of(v);
	}
	if ((v = hg_node_get(n, "absent")) != NULL && expect_string(r, v, "absent")) {
		kinds++;
		q->kind = HG_RULE_ABSENT;
		q->path = str_of(v);
	}
	if ((v = hg_node_get(n, "not_targeting")) != NULL && expect_string(r, v, "not_targeting")) {
		kinds++;
		q->kind = HG_RULE_NOT_TARGETING;
		q->path = str_of(v);
	}
	if ((v = hg_node_get(n, "shadowing")) != NULL && expect_string(r, v, "shadowing")) {
		kinds++;
		q->kind = HG_RULE_SHADOWING;
		q->path = str_of(v);
	}
	if ((v = hg_node_get(n, "allowed")) != NULL && expect_map(r, v, "allowed")) {
		kinds++;
		check_keys(r, v, pv, "allowed");
		q->kind = HG_RULE_ALLOWED;
		if ((w = hg_node_get(v, "path")) != NULL && expect_string(r, w, "path"))
			q->path = str_of(w);
		if ((w = hg_node_get(v, "values")) != NULL && expect_seq(r, w, "values"))
			q->values = read_value(r, w);
	}
	for (i = 0; i < 2; i++) {
		const char *key = i ? "at_least" : "equals";
		if ((v = hg_node_get(n, key)) == NULL || !expect_map(r, v, key))
			continue;
		kinds++;
		check_keys(r, v, pe, key);
		q->kind = i ? HG_RULE_AT_LEAST : HG_RULE_EQUALS;
		if ((w = hg_node_get(v, "path")) != NULL && expect_string(r, w, "path"))
			q->path = str_of(w);
		if ((w = hg_node_get(v, "value")) != NULL)
			q->values = read_value(r, w);
	}
	if ((v = hg_node_get(n, "contains")) != NULL && expect_map(r, v, "contains")) {
		kinds++;
		check_keys(r, v, pc, "contains");
		q->kind = HG_RULE_CONTAINS;
		if ((w = hg_node_get(v, "path")) != NULL && expect_string(r, w, "path"))
			q->path = str_of(w);
		if ((w = hg_node_get(v, "item")) != NULL && expect_seq(r, w, "item")) {
			q->item = HG_ANEWN(r->a, hg_rule_match, w->u.seq.n ? w->u.seq.n : 1);
			for (i = 0; i < w->u.seq.n; i++) {
				const hg_node *m = w->u.seq.items[i];
				hg_rule_match *c = &q->item[q->nitem];
				if (m->kind != HG_NODE_MAP) {
					expect_map(r, m, "item");
					continue;
				}
				read_match(r, m, "item", &c->path, &c->in);
				if (c->path && c->in)
					q->nitem++;
				else if (!hg_node_get(m, "path") || !hg_node_get(m, "in")) {
					hg_diag_add(r->d, HG_D_MISSING_KEY, &m->span,
					        hg_node_get(m, "path") ? "in" : "path", "item",
					        NULL);
					fail(r);
				}
			}
		}
		if (!q->path || !hg_node_get(v, "item")) {
			hg_diag_add(r->d, HG_D_MISSING_KEY, &v->span, q->path ? "item" : "path",
			        "contains", NULL);
			fail(r);
		}
	}
	if ((v = hg_node_get(n, "referenced_by")) != NULL && expect_map(r, v, "referenced_by")) {
		kinds++;
		check_keys(r, v, pr, "referenced_by");
		q->kind = HG_RULE_REFERENCED;
		if ((w = hg_node_get(v, "types")) != NULL)
			read_strings(r, w, "types", &q->ref_types, &q->nref_types);
		if ((w = hg_node_get(v, "path")) != NULL && expect_string(r, w, "path"))
			q->path = str_of(w);
		if ((w = hg_node_get(v, "name")) != NULL && expect_string(r, w, "name"))
			q->name_path = str_of(w);
		if (!q->path || !q->nref_types) {
			hg_diag_add(r->d, HG_D_MISSING_KEY, &v->span, q->path ? "types" : "path",
			        "referenced_by", NULL);
			fail(r);
		}
	}
	if (kinds != 1) {
		hg_diag_add(r->d, HG_D_MISSING_KEY, &n->span,
		        HG_BI("one of forbidden, required, absent, allowed, equals, at_least, "
		              "ports_closed, contains, referenced_by, not_targeting, shadowing",
		                "forbidden, required, absent, allowed, equals, at_least, "
		                "ports_closed, contains, referenced_by, not_targeting, shadowing "
		                "のどれか 1 つ"),
		        HG_BI("a rule", "ルール"), NULL);
		fail(r);
	}
}

static void read_rules(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!expect_seq(r, n, "rules"))
		return;
	r->t->rules = HG_ANEWN(r->a, hg_rule, n->u.seq.n ? n->u.seq.n : 1);
	for (i = 0; i < n->u.seq.n; i++)
		read_rule(r, n->u.seq.items[i], &r->t->rules[r->t->nrules++]);
}

static const char *read_enum(struct reader *r, const hg_node *n, const char *what,
        const char *const *allowed, const char *list)
{
	size_t i;
	if (!expect_string(r, n, what))
		return NULL;
	for (i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], str_of(n)) == 0)
			return allowed[i];
	hg_diag_add(r->d, HG_D_BAD_ENUM, &n->span, what, list, str_of(n), NULL);
	fail(r);
	return NULL;
}

/*
 * controls:   (catalogs)
 *   ID: { title: text, category: preventive|detective|baseline|workload,
 *         severity: critical|high|medium|low, profile: NAME, mandatory: bool,
 *         implemented_by: [ { template, resource, property } ],
 *         enforced_outside: text }      (one of the last two at least)
 */
static void read_catalog(struct reader *r, const hg_node *n)
{
	static const char *const keys[] = {"title", "category", "severity", "profile", "mandatory",
	        "implemented_by", "enforced_outside", NULL};
	static const char *const ikeys[] = {"template", "resource", "property", NULL};
	static const char *const cats[] = {"preventive", "detective", "baseline", "workload", NULL};
	static const char *const sevs[] = {"critical", "high", "medium", "low", NULL};
	size_t i, k;

	if (!expect_map(r, n, "controls"))
		return;
	r->t->catalog = HG_ANEWN(r->a, hg_control, n->u.map.n ? n->u.map.n : 1);
	for (i = 0; i < n->u.map.n; i++) {
		const hg_pair *p = &n->u.map.pairs[i];
		hg_control *c = &r->t->catalog[r->t->ncatalog++];
		const hg_node *v;

		c->id = str_of(p->key);
		c->span = p->key->span;
		if (!valid_control_id(c->id)) {
			hg_diag_add(r->d, HG_D_BAD_CONTROL_ID, &p->key->span, c->id, NULL);
			fail(r);
		}
		if (!expect_map(r, p->value, c->id))
			continue;
		check_keys(r, p->value, keys, HG_BI("a control", "統制"));
		if ((v = hg_node_get(p->value, "title")) != NULL)
			read_text(r, v, &c->title, "title");
		if ((v = hg_node_get(p->value, "category")) != NULL)
			c->category = read_enum(r, v, "category", cats,
			        "preventive, detective, baseline, workload");
		if ((v = hg_node_get(p->value, "severity")) != NULL)
			c->severity =
			        read_enum(r, v, "severity", sevs, "critical, high, medium, low");
		if ((v = hg_node_get(p->value, "profile")) != NULL &&
		        expect_string(r, v, "profile"))
			c->profile = str_of(v);
		if ((v = hg_node_get(p->value, "mandatory")) != NULL)
			expect_bool(r, v, "mandatory", &c->mandatory);
		if ((v = hg_node_get(p->value, "enforced_outside")) != NULL)
			read_text(r, v, &c->outside, "enforced_outside");
		if ((v = hg_node_get(p->value, "implemented_by")) != NULL &&
		        expect_seq(r, v, "implemented_by")) {
			c->impl = HG_ANEWN(r->a, hg_control_impl, v->u.seq.n ? v->u.seq.n : 1);
			for (k = 0; k < v->u.seq.n; k++) {
				const hg_node *e = v->u.seq.items[k], *f;
				hg_control_impl *im = &c->impl[c->nimpl];
				if (!expect_map(r, e, "implemented_by"))
					continue;
				check_keys(r, e, ikeys, "implemented_by");
				im->span = e->span;
				if ((f = hg_node_get(e, "template")) != NULL &&
				        expect_string(r, f, "template"))
					im->template_name = str_of(f);
				if ((f = hg_node_get(e, "resource")) != NULL &&
				        expect_string(r, f, "resource"))
					im->resource = str_of(f);
				if ((f = hg_node_get(e, "property")) != NULL &&
				        expect_string(r, f, "property"))
					im->property = str_of(f);
				if (!im->template_name) {
					hg_diag_add(r->d, HG_D_MISSING_KEY, &e->span, "template",
					        "implemented_by", NULL);
					fail(r);
					continue;
				}
				c->nimpl++;
			}
		}
		if (!c->nimpl && !c->outside.en && !c->outside.ja) {
			hg_diag_add(r->d, HG_D_MISSING_KEY, &p->key->span,
			        HG_BI("implemented_by or enforced_outside",
			                "implemented_by か enforced_outside"),
			        HG_BI("a control", "統制"), NULL);
			fail(r);
		}
	}
}

static void read_controls(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!expect_seq(r, n, "controls"))
		return;
	r->t->controls = HG_ANEWN(r->a, const char *, n->u.seq.n ? n->u.seq.n : 1);
	r->t->control_spans = HG_ANEWN(r->a, hg_span, n->u.seq.n ? n->u.seq.n : 1);
	for (i = 0; i < n->u.seq.n; i++) {
		const hg_node *e = n->u.seq.items[i];
		if (!expect_string(r, e, "controls"))
			continue;
		if (!valid_control_id(str_of(e))) {
			hg_diag_add(r->d, HG_D_BAD_CONTROL_ID, &e->span, str_of(e), NULL);
			fail(r);
			continue;
		}
		r->t->control_spans[r->t->ncontrols] = e->span;
		r->t->controls[r->t->ncontrols++] = str_of(e);
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
 *               controls: [ID...], params, conditions, use, resources, outputs }
 * profile  := { hinagata: 1, kind: profile, profile: NAME, version: SEMVER,
 *               target: aws|azure, title: text, description: text,
 *               requires: [...] }
 */
int hg_template_parse(hg_template **out, hg_arena *a, hg_diags *d, const char *file, hg_node *root)
{
	static const char *const tkeys[] = {"hinagata", "kind", "template", "version", "target",
	        "mandatory", "profile", "scope", "title", "description", "controls", "params",
	        "conditions", "use", "resources", "outputs", NULL};
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
	if (v && expect_string(&r, v, "kind")) {
		if (strcmp(str_of(v), "profile") == 0)
			t->kind = HG_DOC_PROFILE;
		else if (strcmp(str_of(v), "catalog") == 0)
			t->kind = HG_DOC_CATALOG;
		else if (strcmp(str_of(v), "template") != 0) {
			hg_diag_add(d, HG_D_BAD_ENUM, &v->span, "kind",
			        "template, profile, catalog", str_of(v), NULL);
			fail(&r);
		}
	}
	what = t->kind == HG_DOC_PROFILE   ? HG_BI("a profile", "プロファイル")
	       : t->kind == HG_DOC_CATALOG ? HG_BI("a catalog", "カタログ")
	                                   : HG_BI("a template", "テンプレート");
	check_keys(&r, root,
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
		fail(&r);
	} else if (expect_string(&r, v, "template")) {
		t->name = str_of(v);
		t->name_span = v->span;
		if (!valid_template_name(t->name)) {
			hg_diag_add(d, HG_D_BAD_TEMPLATE_NAME, &v->span, t->name, NULL);
			fail(&r);
		}
	}
	v = hg_node_get(root, "version");
	if (!v) {
		hg_diag_add(d, HG_D_MISSING_KEY, &top, "version", what, NULL);
		fail(&r);
	} else if (v->kind != HG_NODE_SCALAR || hg_semver_parse(&t->version, a, str_of(v)) < 0) {
		hg_diag_add(d, HG_D_BAD_SEMVER, &v->span,
		        v->kind == HG_NODE_SCALAR ? str_of(v) : "...", NULL);
		fail(&r);
	} else {
		t->version_text = str_of(v);
		t->version_span = v->span;
	}
	v = hg_node_get(root, "target");
	if (!v && t->kind == HG_DOC_CATALOG) {
		/* a catalog serves both clouds */
	} else if (!v) {
		hg_diag_add(d, HG_D_MISSING_KEY, &top, "target", what, NULL);
		fail(&r);
	} else if (expect_string(&r, v, "target")) {
		if (strcmp(str_of(v), "aws") == 0)
			t->target = HG_TARGET_AWS;
		else if (strcmp(str_of(v), "azure") == 0)
			t->target = HG_TARGET_AZURE;
		else {
			hg_diag_add(d, HG_D_BAD_ENUM, &v->span, "target", "aws, azure", str_of(v),
			        NULL);
			fail(&r);
		}
	}
	if ((v = hg_node_get(root, "title")) != NULL)
		read_text(&r, v, &t->title, "title");
	if ((v = hg_node_get(root, "description")) != NULL)
		read_text(&r, v, &t->description, "description");

	if (t->kind == HG_DOC_CATALOG) {
		if ((v = hg_node_get(root, "controls")) != NULL)
			read_catalog(&r, v);
		return r.failed ? HG_EINVALID : 0;
	}
	if (t->kind == HG_DOC_PROFILE) {
		if ((v = hg_node_get(root, "requires")) != NULL)
			read_requires(&r, v);
		if ((v = hg_node_get(root, "rules")) != NULL)
			read_rules(&r, v);
		return r.failed ? HG_EINVALID : 0;
	}

	if ((v = hg_node_get(root, "scope")) != NULL && expect_string(&r, v, "scope")) {
		t->scope_span = v->span;
		if (t->target != HG_TARGET_AZURE) {
			hg_diag_add(d, HG_D_SCOPE_NOT_AZURE,
			        &hg_node_pair(root, "scope")->key->span, NULL);
			fail(&r);
		} else if (strcmp(str_of(v), "subscription") == 0) {
			t->scope = HG_SCOPE_SUBSCRIPTION;
		} else if (strcmp(str_of(v), "resourceGroup") != 0) {
			hg_diag_add(d, HG_D_BAD_ENUM, &v->span, "scope",
			        "resourceGroup, subscription", str_of(v), NULL);
			fail(&r);
		}
	}
	if ((v = hg_node_get(root, "mandatory")) != NULL)
		expect_bool(&r, v, "mandatory", &t->mandatory);
	if ((v = hg_node_get(root, "profile")) != NULL && expect_string(&r, v, "profile")) {
		t->profile = str_of(v);
		t->profile_span = v->span;
		if (!valid_template_name(t->profile)) {
			hg_diag_add(d, HG_D_BAD_TEMPLATE_NAME, &v->span, t->profile, NULL);
			fail(&r);
		}
	}
	if ((v = hg_node_get(root, "controls")) != NULL)
		read_controls(&r, v);
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
	return hg_template_parse(out, a, d, file, root);
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
	return read_value(&r, n);
}
