/*
 * resolve_locks.c: overrides merged into resources, and the locks of
 * mandatory templates checked on the final value (see resolve_int.h and
 * the design note in resolve.c).
 * Part of hinagata; see LICENSE.
 */
#include "resolve_int.h"

#include <stdio.h>
#include <string.h>

/*
 * Deep merge: mappings merge key by key, anything else is replaced; a null
 * in the override removes the key. Returns a new map; inputs are shared.
 */
hg_value *rs_merge(struct ctx *c, const hg_value *base, const hg_value *over)
{
	hg_value *r;
	size_t i, n = 0, cap;

	if (!base || base->kind != HG_V_MAP || over->kind != HG_V_MAP)
		return (hg_value *)(uintptr_t)over;
	cap = base->u.map.n + over->u.map.n;
	r = hg_value_new(c->a, HG_V_MAP, &base->span);
	r->u.map.m = HG_ANEWN(c->a, hg_member, cap ? cap : 1);
	for (i = 0; i < base->u.map.n; i++) {
		const hg_member *m = &base->u.map.m[i];
		hg_value *o = hg_value_get(over, m->key);
		if (o && o->kind == HG_V_NULL)
			continue;
		r->u.map.m[n] = *m;
		if (o) {
			r->u.map.m[n].value = rs_merge(c, m->value, o);
			r->u.map.m[n].key_span = m->key_span;
		}
		n++;
	}
	for (i = 0; i < over->u.map.n; i++) {
		const hg_member *m = &over->u.map.m[i];
		if (hg_value_get(base, m->key) || m->value->kind == HG_V_NULL)
			continue;
		r->u.map.m[n++] = *m;
	}
	r->u.map.n = n;
	return r;
}

/* True if the unresolved value names a parameter (locks must not). */
static const hg_expr *param_in_expr(const hg_expr *e)
{
	const hg_expr *f;
	size_t i;
	switch (e->kind) {
	case HG_EX_REF:
		return strcmp(e->u.ref.parts[0], "params") == 0 ? e : NULL;
	case HG_EX_NOT:
		return param_in_expr(e->u.op.a);
	case HG_EX_AND:
	case HG_EX_OR:
	case HG_EX_EQ:
	case HG_EX_NE:
		if ((f = param_in_expr(e->u.op.a)) != NULL)
			return f;
		return param_in_expr(e->u.op.b);
	case HG_EX_COND:
		if ((f = param_in_expr(e->u.op.a)) != NULL ||
		        (f = param_in_expr(e->u.op.b)) != NULL)
			return f;
		return param_in_expr(e->u.op.c);
	case HG_EX_CALL:
		for (i = 0; i < e->u.call.n; i++)
			if ((f = param_in_expr(e->u.call.args[i])) != NULL)
				return f;
		return NULL;
	default:
		return NULL;
	}
}

const hg_expr *rs_param_in_value(const hg_value *v)
{
	const hg_expr *f;
	size_t i;
	switch (v->kind) {
	case HG_V_LIST:
		for (i = 0; i < v->u.list.n; i++)
			if ((f = rs_param_in_value(v->u.list.items[i])) != NULL)
				return f;
		return NULL;
	case HG_V_MAP:
		for (i = 0; i < v->u.map.n; i++)
			if ((f = rs_param_in_value(v->u.map.m[i].value)) != NULL)
				return f;
		return NULL;
	case HG_V_EXPR:
		return param_in_expr(v->u.expr);
	case HG_V_INTERP:
		for (i = 0; i < v->u.interp.n; i++)
			if (v->u.interp.parts[i].expr &&
			        (f = param_in_expr(v->u.interp.parts[i].expr)) != NULL)
				return f;
		return NULL;
	default:
		return NULL;
	}
}

/* The value at keys[0..n) under map v, or NULL. */
static const hg_value *value_at(const hg_value *v, const char *const *keys, size_t n)
{
	size_t i;
	for (i = 0; v && i < n; i++)
		v = hg_value_get(v, keys[i]);
	return v;
}

/* The deepest member of `over` along keys[0..n): what an override changed. */
static const hg_member *deepest_member(const hg_value *over, const char *const *keys, size_t n)
{
	const hg_member *found = NULL;
	size_t i, k;
	for (i = 0; over && over->kind == HG_V_MAP && i < n; i++) {
		const hg_member *m = NULL;
		for (k = 0; k < over->u.map.n; k++)
			if (strcmp(over->u.map.m[k].key, keys[i]) == 0)
				m = &over->u.map.m[k];
		if (!m)
			break;
		found = m;
		over = m->value;
	}
	return found;
}

/* Check the locks of res against its final properties; blame `over`. */
void rs_check_locks(struct ctx *c, const hg_ir_resource *res, const hg_value *over)
{
	size_t i;
	for (i = 0; i < res->nlocks; i++) {
		const hg_lock *l = &res->locks[i];
		const hg_value *now = value_at(res->props, l->keys, l->nkeys);
		const hg_member *blame;
		hg_diag *dg;

		if (now && hg_value_equal(now, l->value))
			continue;
		blame = deepest_member(over, l->keys, l->nkeys);
		dg = hg_diag_add(c->d, HG_D_LOCK_OVERRIDE, blame ? &blame->key_span : &over->span,
		        l->name, res->path, l->tmpl->name, NULL);
		hg_diag_note(dg, HG_D_N_LOCKED_HERE, &l->span, l->tmpl->name, l->tmpl->version_text,
		        NULL);
		rs_failed(c);
	}
}

/* Append "/key" to a JSON pointer, escaping '~' and '/' (RFC 6901). */
static void pointer_add(hg_buf *b, const char *key)
{
	hg_buf_putc(b, '/');
	for (; *key; key++) {
		if (*key == '~')
			hg_buf_puts(b, "~0");
		else if (*key == '/')
			hg_buf_puts(b, "~1");
		else
			hg_buf_putc(b, *key);
	}
}


/* A locked setting that properties: also sets, or whose ancestor it sets to
 * something other than a mapping, is written twice. */
static void check_locked_and_set(struct lockwalk *w, const hg_member *src)
{
	const hg_value *p = w->rd->properties;
	size_t k;

	for (k = 0; p && k < w->depth; k++) {
		const hg_value *next = hg_value_get(p, w->keys[k]);
		if (!next)
			return;
		if (k + 1 == w->depth || next->kind != HG_V_MAP) {
			hg_diag *dg = hg_diag_add(
			        w->c->d, HG_D_LOCK_AND_SET, &src->key_span, src->key, NULL);
			const hg_member *pm = deepest_member(w->rd->properties, w->keys, k + 1);
			if (pm)
				hg_diag_note(dg, HG_D_N_OTHER_HERE, &pm->key_span, NULL);
			rs_failed(w->c);
			return;
		}
		p = next;
	}
}

/* Walk locked: (resolved v, as written `written`) and record each leaf. */
void rs_collect_locks(struct lockwalk *w, const hg_value *v, const hg_value *written)
{
	struct ctx *c = w->c;
	size_t i, k;

	for (i = 0; i < v->u.map.n; i++) {
		const hg_member *m = &v->u.map.m[i];
		const hg_member *src = &written->u.map.m[i];
		hg_buf ptr = HG_BUF_INIT, name = HG_BUF_INIT;
		hg_lock *l;

		if (w->depth == HG_ARRAY_SIZE(w->keys))
			return;
		w->keys[w->depth++] = m->key;
		if (m->value->kind == HG_V_MAP && m->value->u.map.n) {
			rs_collect_locks(w, m->value, src->value);
			w->depth--;
			continue;
		}
		check_locked_and_set(w, src);
		HG_AGROW(c->a, w->locks, w->cap, w->n + 1);
		l = &w->locks[w->n++];
		for (k = 0; k < w->depth; k++) {
			pointer_add(&ptr, w->keys[k]);
			hg_buf_printf(&name, "%s%s", k ? "." : "", w->keys[k]);
		}
		l->path = hg_arena_strndup(c->a, ptr.ptr, ptr.size);
		l->name = hg_arena_strndup(c->a, name.ptr, name.size);
		l->nkeys = w->depth;
		l->keys = HG_ANEWN(c->a, const char *, w->depth);
		memcpy(l->keys, w->keys, w->depth * sizeof(*l->keys));
		l->value = m->value;
		l->span = src->key_span;
		l->tmpl = w->s->t;
		hg_buf_dispose(&ptr);
		hg_buf_dispose(&name);
		w->depth--;
	}
}
