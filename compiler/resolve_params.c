/*
 * resolve_params.c: parameters of a template instance (see resolve_int.h):
 * their values checked against their declarations (type, allowed values,
 * pattern, length, range), bound at compile time or hoisted to a
 * deploy-time parameter of the output, and passed into nested units.
 * Part of hinagata; see LICENSE.
 */
#include "resolve_int.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool rs_is_constant(const hg_value *v)
{
	size_t i;
	switch (v->kind) {
	case HG_V_LIST:
		for (i = 0; i < v->u.list.n; i++)
			if (!rs_is_constant(v->u.list.items[i]))
				return false;
		return true;
	case HG_V_MAP:
		for (i = 0; i < v->u.map.n; i++)
			if (!rs_is_constant(v->u.map.m[i].value))
				return false;
		return true;
	case HG_V_EXPR:
	case HG_V_INTERP:
		return false;
	default:
		return true;
	}
}

static size_t utf8_count(const char *s, size_t n)
{
	size_t i = 0, k = 0;
	while (i < n) {
		i += hg_utf8_len((const unsigned char *)s + i);
		k++;
	}
	return k;
}

/* Scalars given for a string parameter are taken as their text. */
hg_value *rs_coerce_string(struct ctx *c, hg_value *v)
{
	char buf[64];
	switch (v->kind) {
	case HG_V_INT:
		snprintf(buf, sizeof(buf), "%lld", (long long)v->u.i);
		break;
	case HG_V_FLOAT:
		snprintf(buf, sizeof(buf), "%.15g", v->u.f);
		break;
	case HG_V_BOOL:
		snprintf(buf, sizeof(buf), "%s", v->u.b ? "true" : "false");
		break;
	default:
		return v;
	}
	return hg_value_str(c->a, buf, strlen(buf), &v->span);
}

static hg_type ptype_value_type(const hg_param_decl *p)
{
	return hg_ptype_type(p->type);
}

static void show(struct ctx *c, const hg_value *v, const char **out)
{
	hg_buf b = HG_BUF_INIT;
	hg_value_show(&b, v);
	*out = hg_arena_strndup(c->a, b.ptr, b.size);
	hg_buf_dispose(&b);
}

/*
 * Check a value given for parameter p (at span) against its type and
 * constraints. Returns the value, converted where the language allows
 * (scalars for strings), or NULL after a diagnostic.
 */
static hg_value *check_param_value(
        struct ctx *c, const hg_param_decl *p, hg_value *v, const hg_span *at, const char *pname)
{
	hg_type want = ptype_value_type(p), got;
	char a1[64], a2[64];
	const char *shown;
	size_t i;

	if (p->type == HG_P_STRING)
		v = rs_coerce_string(c, v);
	if (p->type == HG_P_LIST && v->kind == HG_V_LIST && p->item_type == HG_T_STRING) {
		hg_value *l = hg_value_new(c->a, HG_V_LIST, &v->span);
		l->u.list.n = v->u.list.n;
		l->u.list.items = HG_ANEWN(c->a, hg_value *, v->u.list.n ? v->u.list.n : 1);
		for (i = 0; i < v->u.list.n; i++)
			l->u.list.items[i] = rs_coerce_string(c, v->u.list.items[i]);
		v = l;
	}
	got = hg_value_type(v);
	if (got != HG_T_ANY && got != want && !(want == HG_T_STRING && got == HG_T_STRING)) {
		hg_diag_add(c->d, HG_D_PARAM_VALUE_TYPE, at, pname, hg_type_name(want),
		        hg_type_name(got), NULL);
		rs_failed(c);
		return NULL;
	}
	if (p->type == HG_P_LIST && v->kind == HG_V_LIST) {
		for (i = 0; i < v->u.list.n; i++) {
			hg_type it = hg_value_type(v->u.list.items[i]);
			if (it != HG_T_ANY && it != p->item_type) {
				hg_diag_add(c->d, HG_D_PARAM_VALUE_TYPE, &v->u.list.items[i]->span,
				        pname, hg_type_name(p->item_type), hg_type_name(it), NULL);
				rs_failed(c);
				return NULL;
			}
		}
	}
	if (!rs_is_constant(v))
		return v; /* constraints apply at deploy time */
	if (p->allowed) {
		for (i = 0; i < p->allowed->u.list.n; i++)
			if (hg_value_equal(p->allowed->u.list.items[i], v))
				break;
		if (i == p->allowed->u.list.n) {
			const char *al;
			show(c, v, &shown);
			show(c, p->allowed, &al);
			hg_diag_add(c->d, HG_D_PARAM_NOT_ALLOWED, at, shown, pname, al, NULL);
			rs_failed(c);
			return NULL;
		}
	}
	if (v->kind == HG_V_INT) {
		if (p->has_min && v->u.i < p->min) {
			snprintf(a1, sizeof(a1), "%lld", (long long)v->u.i);
			snprintf(a2, sizeof(a2), "%lld", (long long)p->min);
			hg_diag_add(c->d, HG_D_PARAM_BELOW_MIN, at, a1, pname, a2, NULL);
			rs_failed(c);
			return NULL;
		}
		if (p->has_max && v->u.i > p->max) {
			snprintf(a1, sizeof(a1), "%lld", (long long)v->u.i);
			snprintf(a2, sizeof(a2), "%lld", (long long)p->max);
			hg_diag_add(c->d, HG_D_PARAM_ABOVE_MAX, at, a1, pname, a2, NULL);
			rs_failed(c);
			return NULL;
		}
	}
	if ((p->has_min_len || p->has_max_len) && (v->kind == HG_V_STR || v->kind == HG_V_LIST)) {
		int64_t len = v->kind == HG_V_STR ? (int64_t)utf8_count(v->u.str.s, v->u.str.len)
		                                  : (int64_t)v->u.list.n;
		if ((p->has_min_len && len < p->min_len) || (p->has_max_len && len > p->max_len)) {
			char range[64];
			snprintf(a1, sizeof(a1), "%lld", (long long)len);
			if (p->has_min_len && p->has_max_len)
				snprintf(range, sizeof(range), "%lld..%lld", (long long)p->min_len,
				        (long long)p->max_len);
			else if (p->has_min_len)
				snprintf(range, sizeof(range), ">= %lld", (long long)p->min_len);
			else
				snprintf(range, sizeof(range), "<= %lld", (long long)p->max_len);
			hg_diag_add(c->d, HG_D_PARAM_LENGTH, at, a1, pname, range, NULL);
			rs_failed(c);
			return NULL;
		}
	}
	if (p->pattern && v->kind == HG_V_STR) {
		/* CloudFormation's AllowedPattern must match the whole value. */
		hg_buf pat = HG_BUF_INIT;
		regex_t re;
		bool ok = false;
		hg_buf_printf(&pat, "^(%s)$", p->pattern);
		if (regcomp(&re, pat.ptr, REG_EXTENDED | REG_NOSUB) == 0) {
			ok = strlen(v->u.str.s) == v->u.str.len &&
			     regexec(&re, v->u.str.s, 0, NULL, 0) == 0;
			regfree(&re);
		}
		hg_buf_dispose(&pat);
		if (!ok) {
			hg_diag_add(
			        c->d, HG_D_PARAM_PATTERN, at, v->u.str.s, pname, p->pattern, NULL);
			rs_failed(c);
			return NULL;
		}
	}
	return v;
}

/* Check each default of t once (cfn-lint E2015: defaults obey their constraints). */
void rs_check_defaults(struct ctx *c, const hg_template *t)
{
	size_t i;
	for (i = 0; i < c->nchecked; i++)
		if (c->checked[i] == t)
			return;
	HG_GROW(c->checked, c->capchecked, c->nchecked + 1);
	c->checked[c->nchecked++] = t;
	for (i = 0; i < t->nparams; i++) {
		const hg_param_decl *p = &t->params[i];
		if (p->def && p->name)
			check_param_value(c, p, p->def, &p->def->span, p->name);
	}
}

/* A literal that reached a secure parameter would be written out in clear. */
static bool literal_secret(const hg_param_decl *p, const hg_value *v)
{
	return p->type == HG_P_SECURE && rs_is_constant(v);
}

static hg_ir_param *add_param(
        struct ctx *c, hg_ir *ir, const char *prefix, struct scope *s, const hg_param_decl *p)
{
	hg_ir_param *ip = HG_ANEW(c->a, hg_ir_param);
	ip->id = hg_ir_pascal(c->a, prefix, p->name);
	ip->decl = p;
	ip->tmpl = s->t;
	ip->path = rs_scoped(c, s, hg_arena_printf(c->a, "params.%s", p->name));
	HG_AGROW(c->a, ir->params, ir->capparams, ir->nparams + 1);
	ir->params[ir->nparams++] = ip;
	return ip;
}

static bool nested_scope(const struct scope *s)
{
	return s->parent && s->parent->ir != s->ir;
}

/* A nested deployment passes value (in the parent's terms) to param. */
static void add_nested_arg(struct ctx *c, struct scope *s, hg_ir_param *param, hg_value *value)
{
	hg_ir_resource *dep = s->ir->deployment;
	HG_AGROW(c->a, dep->args, dep->capargs, dep->nargs + 1);
	dep->args[dep->nargs].param = param;
	dep->args[dep->nargs++].value = value;
}

/*
 * Give every parameter of scope s its value: a compile-time constant, a
 * value computed in the parent (same unit: used directly; nested unit:
 * passed as a parameter of the nested deployment), or a deploy-time
 * parameter of the output (hoisted; for a nested unit, through a parameter
 * of the parent unit).
 */
void rs_bind_params(
        struct ctx *c, struct scope *s, const hg_binding *b, size_t nb, bool from_parent)
{
	const hg_template *t = s->t;
	size_t i;

	/* Bindings first, so an unknown name is reported even if unused. */
	for (i = 0; i < nb; i++) {
		hg_param_decl *p = hg_template_param(t, b[i].name);
		struct pbind *pb;
		hg_value *v;
		if (!p) {
			hg_diag_add(c->d, HG_D_PARAM_UNKNOWN_BINDING, &b[i].span, b[i].name,
			        rs_tmpl_label(c, t), NULL);
			rs_failed(c);
			continue;
		}
		pb = &s->params[p - t->params];
		if (!b[i].value)
			continue;
		v = from_parent ? rs_resolve_value(c, s->parent, b[i].value) : b[i].value;
		if (!v)
			continue;
		if (p->type == HG_P_SECURE) /* its value is never shown in an excerpt */
			hg_diags_redact(c->d, &v->span);
		if (literal_secret(p, v)) {
			hg_diag_add(c->d, HG_D_PARAM_SECURE_LITERAL, &b[i].span, p->name, NULL);
			rs_failed(c);
			continue;
		}
		v = check_param_value(c, p, v, &v->span, rs_scoped(c, s, p->name));
		if (!v)
			continue;
		pb->span = b[i].span;
		if (nested_scope(s) && !rs_is_constant(v)) {
			pb->param = add_param(c, s->ir, "", s, p);
			add_nested_arg(c, s, pb->param, v);
			continue;
		}
		pb->value = v;
	}
	for (i = 0; i < t->nparams; i++) {
		const hg_param_decl *p = &t->params[i];
		struct pbind *pb = &s->params[i];
		if (pb->value || pb->param || !p->name || !p->used)
			continue;
		if (p->type == HG_P_OBJECT && t->target == HG_TARGET_AWS) {
			/* CloudFormation has no object parameters: use the default
			 * at compile time, or require a value. */
			if (p->def) {
				pb->value = p->def;
				continue;
			}
			hg_diag_add(c->d, HG_D_PARAM_NEEDS_VALUE, s->use ? &s->use->span : &p->span,
			        rs_scoped(c, s, p->name), "object", NULL);
			rs_failed(c);
			continue;
		}
		if (nested_scope(s)) {
			/* The nested template gets a parameter; the parent
			 * unit a deploy-time parameter that feeds it. */
			hg_ir_param *outer = add_param(c, s->parent->ir, s->outer_prefix, s, p);
			hg_expr *e = hg_expr_new(c->a, HG_EX_PARAM, &p->span);
			hg_value *v = hg_value_new(c->a, HG_V_EXPR, &p->span);
			e->u.param = outer;
			e->type = hg_ptype_type(p->type);
			v->u.expr = e;
			pb->param = add_param(c, s->ir, "", s, p);
			add_nested_arg(c, s, pb->param, v);
			continue;
		}
		pb->param = add_param(c, s->ir, s->prefix, s, p);
	}
}
