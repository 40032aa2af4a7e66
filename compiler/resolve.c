/*
 * resolve.c: templates and uses -> hg_ir (see resolve.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. Each template instance is a scope: the root, and one child scope
 * per `use:`, recursively. A scope maps the names of its template to what
 * they denote in the output: a parameter is either bound to a value at
 * compile time (from --param, --params-file or the parent's `with:`) or
 * hoisted to a deploy-time parameter of the output; a resource becomes an
 * hg_ir_resource with a logical ID made of the use chain and its name
 * (audit + log_bucket -> AuditLogBucket); a condition either folds to a
 * constant or becomes an hg_ir_cond; a use's output is the value of that
 * output in the child scope.
 *
 * Resolution builds new value trees (templates are shared between scopes
 * and never modified). Children are instantiated in declaration order;
 * when a `with:` value refers to the output of a use declared later, that
 * use is instantiated on demand, and a use that needs itself is reported
 * as a cycle. The order in which the IR fills does not leak into the
 * output: the emitters order everything by logical ID.
 *
 * Locks are checked after every merge, on the final value (CUE and Pkl
 * semantics): repeating a locked value is fine, changing it is an error
 * that names the override and the lock (resolve_locks.c). Parameters are
 * bound and checked in resolve_params.c.
 */
#include "resolve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hg_expr *resolve_expr(struct ctx *c, struct scope *s, const hg_expr *e, enum ectx ec);
static struct scope *child_scope(struct ctx *c, struct scope *s, size_t i, const hg_span *at);

void rs_failed(struct ctx *c)
{
	c->failed = true;
}

static void push_busy(struct ctx *c, const char *name)
{
	HG_AGROW(c->a, c->busy, c->capbusy, c->nbusy + 1);
	c->busy[c->nbusy++] = name;
}

static void pop_busy(struct ctx *c)
{
	if (c->nbusy)
		c->nbusy--;
}

/* "a -> b -> a": the chain from where name is being resolved back to it. */
static const char *cycle_text(struct ctx *c, const char *name)
{
	hg_buf b = HG_BUF_INIT;
	const char *out;
	size_t i, start = 0;

	for (i = c->nbusy; i > 0; i--)
		if (strcmp(c->busy[i - 1], name) == 0) {
			start = i - 1;
			break;
		}
	for (i = start; i < c->nbusy; i++)
		hg_buf_printf(&b, "%s -> ", c->busy[i]);
	hg_buf_puts(&b, name);
	out = hg_arena_strndup(c->a, b.ptr, b.size);
	hg_buf_dispose(&b);
	return out;
}

const char *hg_ir_pascal(hg_arena *a, const char *prefix, const char *name)
{
	hg_buf b = HG_BUF_INIT;
	const char *out;
	bool up = true;

	hg_buf_puts(&b, prefix);
	for (; *name; name++) {
		if (*name == '_' || *name == '-' || *name == '.') {
			up = true;
			continue;
		}
		hg_buf_putc(&b, up && *name >= 'a' && *name <= 'z' ? (char)(*name - 32) : *name);
		up = false;
	}
	out = hg_arena_strndup(a, b.ptr, b.size);
	hg_buf_dispose(&b);
	return out;
}

const char *rs_scoped(struct ctx *c, const struct scope *s, const char *name)
{
	return *s->path ? hg_arena_printf(c->a, "%s.%s", s->path, name) : name;
}

const char *rs_tmpl_label(struct ctx *c, const hg_template *t)
{
	return hg_arena_printf(
	        c->a, "%s@%s", t->name ? t->name : "?", t->version_text ? t->version_text : "?");
}
/* ---- names ---- */

static void did_you_mean(struct ctx *c, hg_diag *dg, struct scope *s, const char *name)
{
	const hg_template *t = s->t;
	const char *best = NULL;
	size_t bestd = 3, i, dist;

#define TRY(cand)                                                                                  \
	do {                                                                                       \
		dist = hg_edit_distance(name, (cand), 2);                                          \
		if ((cand) && dist < bestd) {                                                      \
			bestd = dist;                                                              \
			best = (cand);                                                             \
		}                                                                                  \
	} while (0)
	for (i = 0; i < t->nresources; i++)
		if (t->resources[i].name)
			TRY(t->resources[i].name);
	for (i = 0; i < t->nuses; i++)
		if (t->uses[i].alias)
			TRY(t->uses[i].alias);
	TRY("params");
	TRY("conditions");
	TRY("aws");
#undef TRY
	(void)c;
	if (best)
		hg_diag_note(dg, HG_D_N_DID_YOU_MEAN, NULL, best, NULL);
}

static hg_expr *value_expr(struct ctx *c, hg_value *v, const hg_span *span)
{
	hg_expr *e;
	if (v->kind == HG_V_EXPR)
		return v->u.expr;
	e = hg_expr_new(c->a, HG_EX_VALUE, span);
	e->u.value = v;
	e->type = hg_value_type(v);
	return e;
}

static hg_expr *const_bool(struct ctx *c, bool b, const hg_span *span)
{
	hg_expr *e = hg_expr_new(c->a, HG_EX_BOOL, span);
	e->u.b = b;
	e->type = HG_T_BOOL;
	return e;
}

/* The resolved, possibly constant, value of condition i of scope s. */
static hg_expr *scope_cond(struct ctx *c, struct scope *s, size_t i, const hg_span *at)
{
	const hg_cond_decl *cd = &s->t->conds[i];
	hg_expr *e;

	if (s->cond_state[i] == ST_DONE)
		return s->conds[i];
	if (s->cond_state[i] == ST_FAILED)
		return NULL;
	if (s->cond_state[i] == ST_BUSY) {
		hg_diag_add(c->d, HG_D_REF_CYCLE, at,
		        cycle_text(c, hg_arena_printf(c->a, "conditions.%s", cd->name)), NULL);
		rs_failed(c);
		return NULL;
	}
	s->cond_state[i] = ST_BUSY;
	push_busy(c, hg_arena_printf(c->a, "conditions.%s", cd->name));
	e = cd->expr ? resolve_expr(c, s, cd->expr, E_COND) : NULL;
	pop_busy(c);
	if (!e) {
		s->cond_state[i] = ST_FAILED;
		return NULL;
	}
	if (e->type != HG_T_BOOL && e->type != HG_T_ANY) {
		hg_diag_add(c->d, HG_D_EXPR_TYPE, &cd->expr->span, cd->name,
		        HG_BI("a boolean", "真偽値"), hg_type_name(e->type), NULL);
		rs_failed(c);
		s->cond_state[i] = ST_FAILED;
		return NULL;
	}
	if (e->kind != HG_EX_BOOL) {
		hg_ir_cond *ic = HG_ANEW(c->a, hg_ir_cond);
		hg_expr *ref;
		ic->id = hg_ir_pascal(c->a, s->prefix, cd->name);
		ic->expr = e;
		ic->span = cd->span;
		HG_AGROW(c->a, s->ir->conds, s->ir->capconds, s->ir->nconds + 1);
		s->ir->conds[s->ir->nconds++] = ic;
		ref = hg_expr_new(c->a, HG_EX_CONDREF, &cd->span);
		ref->u.cond = ic;
		ref->type = HG_T_BOOL;
		e = ref;
		s->cond_ir[i] = ic;
	}
	s->conds[i] = e;
	s->cond_state[i] = ST_DONE;
	return e;
}

static hg_value *scope_output(struct ctx *c, struct scope *s, size_t i, const hg_span *at)
{
	const hg_output_decl *od = &s->t->outputs[i];
	hg_value *v;

	if (s->output_state[i] == ST_DONE)
		return s->outputs[i];
	if (s->output_state[i] != ST_NONE) {
		if (s->output_state[i] == ST_BUSY) {
			hg_diag_add(c->d, HG_D_REF_CYCLE, at, cycle_text(c, rs_scoped(c, s, od->name)),
			        NULL);
			rs_failed(c);
			s->output_state[i] = ST_FAILED;
		}
		return NULL;
	}
	s->output_state[i] = ST_BUSY;
	push_busy(c, rs_scoped(c, s, od->name));
	v = od->value ? rs_resolve_value(c, s, od->value) : NULL;
	pop_busy(c);
	s->outputs[i] = v;
	s->output_state[i] = v ? ST_DONE : ST_FAILED;
	return v;
}

static int find_index_res(const hg_template *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->nresources; i++)
		if (t->resources[i].name && strcmp(t->resources[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int find_index_use(const hg_template *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->nuses; i++)
		if (t->uses[i].alias && strcmp(t->uses[i].alias, name) == 0)
			return (int)i;
	return -1;
}

/*
 * The parent's view of output od of the nested unit ch: the nested template
 * gets the output (once), the parent reads it from the deployment.
 */
static hg_expr *nested_output(
        struct ctx *c, struct scope *ch, const hg_output_decl *od, hg_value *v, const hg_span *span)
{
	hg_ir *unit = ch->ir;
	const char *id = hg_ir_pascal(c->a, "", od->name);
	hg_expr *r;
	size_t k;

	for (k = 0; k < unit->noutputs; k++)
		if (strcmp(unit->outputs[k]->id, id) == 0)
			break;
	if (k == unit->noutputs) {
		hg_ir_output *o = HG_ANEW(c->a, hg_ir_output);
		o->id = id;
		o->decl = od;
		o->value = v;
		HG_AGROW(c->a, unit->outputs, unit->capoutputs, unit->noutputs + 1);
		unit->outputs[unit->noutputs++] = o;
	}
	r = hg_expr_new(c->a, HG_EX_NESTED_OUTPUT, span);
	r->u.nested.deployment = unit->deployment;
	r->u.nested.output = id;
	r->type = hg_value_type(v);
	return r;
}

static hg_expr *resolve_ref(struct ctx *c, struct scope *s, const hg_expr *e, enum ectx ec)
{
	const hg_template *t = s->t;
	const char *head = e->u.ref.parts[0];
	size_t n = e->u.ref.n;
	hg_diag *dg;
	int i;

	if (strcmp(head, "params") == 0) {
		hg_param_decl *p;
		struct pbind *pb;
		hg_expr *r;
		if (n < 2) {
			hg_diag_add(c->d, HG_D_EXPR_SYNTAX, &e->span,
			        HG_BI("write params.NAME", "params.NAME と書いてください"), NULL);
			rs_failed(c);
			return NULL;
		}
		p = hg_template_param(t, e->u.ref.parts[1]);
		if (!p) {
			dg = hg_diag_add(c->d, HG_D_UNDEFINED_PARAM, &e->u.ref.spans[1],
			        e->u.ref.parts[1], rs_tmpl_label(c, t), NULL);
			{
				size_t k, bd = 3;
				const char *best = NULL;
				for (k = 0; k < t->nparams; k++) {
					size_t dd;
					if (!t->params[k].name)
						continue;
					dd = hg_edit_distance(
					        e->u.ref.parts[1], t->params[k].name, 2);
					if (dd < bd) {
						bd = dd;
						best = t->params[k].name;
					}
				}
				if (best)
					hg_diag_note(dg, HG_D_N_DID_YOU_MEAN, NULL,
					        hg_arena_printf(c->a, "params.%s", best), NULL);
			}
			rs_failed(c);
			return NULL;
		}
		pb = &s->params[p - t->params];
		if (pb->param) {
			r = hg_expr_new(c->a, HG_EX_PARAM, &e->span);
			r->u.param = pb->param;
			r->type = hg_ptype_type(p->type);
		} else if (pb->value) {
			hg_value *v = pb->value;
			size_t k;
			/* params.cfg.key.sub selects into a compile-time object. */
			for (k = 2; k < n; k++) {
				hg_value *m = hg_value_get(v, e->u.ref.parts[k]);
				if (!m) {
					hg_diag_add(c->d, HG_D_UNDEFINED_NAME, &e->u.ref.spans[k],
					        hg_ref_text(c->a, e), rs_tmpl_label(c, t), NULL);
					rs_failed(c);
					return NULL;
				}
				v = m;
			}
			return value_expr(c, v, &e->span);
		} else {
			/* Bound nowhere and not hoisted: binding failed earlier. */
			return NULL;
		}
		if (n > 2) {
			hg_diag_add(c->d, HG_D_UNDEFINED_NAME, &e->u.ref.spans[2],
			        hg_ref_text(c->a, e), rs_tmpl_label(c, t), NULL);
			rs_failed(c);
			return NULL;
		}
		return r;
	}
	if (strcmp(head, "aws") == 0 || strcmp(head, "azure") == 0) {
		int ps;
		hg_expr *r;
		hg_buf known = HG_BUF_INIT;
		size_t k;
		const char *mine = t->target == HG_TARGET_AWS ? "aws" : "azure";
		if (strcmp(head, mine) != 0) {
			hg_diag_add(c->d, HG_D_PSEUDO_TARGET, &e->span, hg_ref_text(c->a, e), head,
			        mine, NULL);
			rs_failed(c);
			return NULL;
		}
		ps = n == 2 ? hg_pseudo_find(head, e->u.ref.parts[1]) : -1;
		if (ps >= 0) {
			r = hg_expr_new(c->a, HG_EX_PSEUDO, &e->span);
			r->u.pseudo = (hg_pseudo)ps;
			r->type = hg_pseudo_info_of((hg_pseudo)ps)->type;
			return r;
		}
		for (k = 0; k < HG_PS__COUNT; k++) {
			const hg_pseudo_info *pi = hg_pseudo_info_of((hg_pseudo)k);
			if (strcmp(pi->cloud, head) == 0)
				hg_buf_printf(&known, "%s%s.%s", known.size ? ", " : "", pi->cloud,
				        pi->name);
		}
		hg_diag_add(
		        c->d, HG_D_UNKNOWN_PSEUDO, &e->span, hg_ref_text(c->a, e), known.ptr, NULL);
		hg_buf_dispose(&known);
		rs_failed(c);
		return NULL;
	}
	if (strcmp(head, "conditions") == 0) {
		hg_cond_decl *cd = n == 2 ? hg_template_cond(t, e->u.ref.parts[1]) : NULL;
		hg_expr *r;
		if (!cd) {
			hg_diag_add(c->d, HG_D_UNDEFINED_CONDITION,
			        n >= 2 ? &e->u.ref.spans[1] : &e->span,
			        n >= 2 ? e->u.ref.parts[1] : "", rs_tmpl_label(c, t), NULL);
			rs_failed(c);
			return NULL;
		}
		r = scope_cond(c, s, (size_t)(cd - t->conds), &e->span);
		if (r && r->kind == HG_EX_BOOL)
			return const_bool(c, r->u.b, &e->span);
		return r;
	}
	if ((i = find_index_res(t, head)) >= 0) {
		hg_ir_resource *res = s->res[i];
		hg_expr *r;
		if (!res)
			return NULL;
		if (ec == E_COND) {
			hg_diag_add(c->d, HG_D_COND_DEPENDS_RESOURCE, &e->span, head, NULL);
			rs_failed(c);
			return NULL;
		}
		if (n == 1) {
			r = hg_expr_new(c->a, HG_EX_RESOURCE, &e->span);
			r->type = HG_T_STRING;
		} else {
			hg_buf attr = HG_BUF_INIT;
			size_t k;
			for (k = 1; k < n; k++)
				hg_buf_printf(&attr, "%s%s", k > 1 ? "." : "", e->u.ref.parts[k]);
			r = hg_expr_new(c->a, HG_EX_ATTR, &e->span);
			r->u.res.attr = hg_arena_strndup(c->a, attr.ptr, attr.size);
			r->type = HG_T_ANY;
			hg_buf_dispose(&attr);
		}
		r->u.res.res = res;
		return r;
	}
	if ((i = find_index_use(t, head)) >= 0) {
		struct scope *ch;
		const hg_output_decl *od;
		hg_value *v;
		if (n != 2) {
			hg_diag_add(c->d, HG_D_UNDEFINED_NAME, &e->span, hg_ref_text(c->a, e),
			        rs_tmpl_label(c, t), NULL);
			rs_failed(c);
			return NULL;
		}
		ch = child_scope(c, s, (size_t)i, &e->span);
		if (!ch)
			return NULL;
		od = hg_template_output(ch->t, e->u.ref.parts[1]);
		if (!od) {
			/* Say what there is: the outputs the template has, and the nearest. */
			hg_diag *od_dg = hg_diag_add(c->d, HG_D_UNKNOWN_OUTPUT, &e->u.ref.spans[1],
			        e->u.ref.parts[1], rs_tmpl_label(c, ch->t), head, NULL);
			hg_buf names = HG_BUF_INIT;
			const char *best = NULL;
			size_t k, bestd = 4;
			for (k = 0; k < ch->t->noutputs; k++) {
				const char *o = ch->t->outputs[k].name;
				size_t dist = hg_edit_distance(e->u.ref.parts[1], o, 3);
				hg_buf_printf(&names, "%s%s", k ? ", " : "", o);
				if (dist < bestd && dist <= strlen(o) / 2) {
					bestd = dist;
					best = o;
				}
			}
			if (best)
				hg_diag_note(od_dg, HG_D_N_DID_YOU_MEAN, NULL, best, NULL);
			hg_diag_note(od_dg,
			        ch->t->noutputs ? HG_D_N_OUTPUTS_ARE : HG_D_N_NO_OUTPUTS, NULL,
			        names.ptr, NULL);
			hg_buf_dispose(&names);
			rs_failed(c);
			return NULL;
		}
		v = scope_output(c, ch, (size_t)(od - ch->t->outputs), &e->span);
		if (!v)
			return NULL;
		if (ch->ir != s->ir && !rs_is_constant(v))
			return nested_output(c, ch, od, v, &e->span);
		{
			hg_expr *r = value_expr(c, v, &e->span);
			if (ec == E_COND && !rs_is_constant(v)) {
				hg_diag_add(c->d, HG_D_COND_DEPENDS_RESOURCE, &e->span,
				        hg_ref_text(c->a, e), NULL);
				rs_failed(c);
				return NULL;
			}
			return r;
		}
	}
	dg = hg_diag_add(
	        c->d, HG_D_UNDEFINED_NAME, &e->u.ref.spans[0], head, rs_tmpl_label(c, t), NULL);
	did_you_mean(c, dg, s, head);
	rs_failed(c);
	return NULL;
}

/* Constant-fold a comparison of two resolved operands, if both are constant. */
static bool const_value(const hg_expr *e, const hg_value **out, hg_value *tmp)
{
	memset(tmp, 0, sizeof(*tmp));
	switch (e->kind) {
	case HG_EX_STR:
		tmp->kind = HG_V_STR;
		tmp->u.str.s = e->u.str.s;
		tmp->u.str.len = e->u.str.len;
		*out = tmp;
		return true;
	case HG_EX_INT:
		tmp->kind = HG_V_INT;
		tmp->u.i = e->u.i;
		*out = tmp;
		return true;
	case HG_EX_BOOL:
		tmp->kind = HG_V_BOOL;
		tmp->u.b = e->u.b;
		*out = tmp;
		return true;
	case HG_EX_VALUE:
		if (!rs_is_constant(e->u.value))
			return false;
		*out = e->u.value;
		return true;
	default:
		return false;
	}
}

/* CloudFormation compares strings: 10 == "10", true == "true". */
static bool loose_equal(struct ctx *c, const hg_value *a, const hg_value *b)
{
	hg_value *sa, *sb;
	if (hg_value_equal(a, b))
		return true;
	sa = rs_coerce_string(c, (hg_value *)(uintptr_t)a);
	sb = rs_coerce_string(c, (hg_value *)(uintptr_t)b);
	return sa->kind == HG_V_STR && sb->kind == HG_V_STR && hg_value_equal(sa, sb);
}

static hg_expr *fold_call(struct ctx *c, hg_expr *e)
{
	const hg_value *v[3];
	hg_value tmp[3];
	size_t i;

	for (i = 0; i < e->u.call.n && i < 3; i++)
		if (!const_value(e->u.call.args[i], &v[i], &tmp[i]))
			return e;
	switch (e->u.call.fn) {
	case HG_FN_JOIN:
		if (v[0]->kind == HG_V_STR && v[1]->kind == HG_V_LIST) {
			hg_buf b = HG_BUF_INIT;
			hg_expr *r;
			for (i = 0; i < v[1]->u.list.n; i++) {
				const hg_value *it = rs_coerce_string(c, v[1]->u.list.items[i]);
				if (it->kind != HG_V_STR) {
					hg_buf_dispose(&b);
					return e;
				}
				if (i)
					hg_buf_put(&b, v[0]->u.str.s, v[0]->u.str.len);
				hg_buf_put(&b, it->u.str.s, it->u.str.len);
			}
			r = hg_expr_new(c->a, HG_EX_STR, &e->span);
			r->u.str.s = hg_arena_strndup(c->a, b.ptr, b.size);
			r->u.str.len = b.size;
			r->type = HG_T_STRING;
			hg_buf_dispose(&b);
			return r;
		}
		break;
	case HG_FN_SELECT:
		if (v[0]->kind == HG_V_INT && v[1]->kind == HG_V_LIST) {
			if (v[0]->u.i < 0 || (uint64_t)v[0]->u.i >= v[1]->u.list.n) {
				char idx[32], len[32];
				snprintf(idx, sizeof(idx), "%lld", (long long)v[0]->u.i);
				snprintf(len, sizeof(len), "%zu", v[1]->u.list.n);
				hg_diag_add(c->d, HG_D_EXPR_TYPE, &e->span, "select()",
				        HG_BI("an index inside the list", "リストの範囲内の添字"),
				        idx, NULL);
				rs_failed(c);
				return NULL;
			}
			return value_expr(c, v[1]->u.list.items[v[0]->u.i], &e->span);
		}
		break;
	default:
		break;
	}
	return e;
}

static hg_expr *resolve_expr(struct ctx *c, struct scope *s, const hg_expr *e, enum ectx ec)
{
	hg_expr *r, *a, *b, *x;
	const hg_value *va, *vb;
	hg_value ta, tb;
	size_t i;

	switch (e->kind) {
	case HG_EX_STR:
	case HG_EX_INT:
	case HG_EX_BOOL:
		r = hg_expr_new(c->a, e->kind, &e->span);
		*r = *e;
		return r;
	case HG_EX_REF:
		return resolve_ref(c, s, e, ec);
	case HG_EX_NOT:
		a = resolve_expr(c, s, e->u.op.a, ec);
		if (!a)
			return NULL;
		if (a->kind == HG_EX_BOOL)
			return const_bool(c, !a->u.b, &e->span);
		r = hg_expr_new(c->a, HG_EX_NOT, &e->span);
		r->u.op.a = a;
		r->type = HG_T_BOOL;
		return r;
	case HG_EX_AND:
	case HG_EX_OR:
		a = resolve_expr(c, s, e->u.op.a, ec);
		b = resolve_expr(c, s, e->u.op.b, ec);
		if (!a || !b)
			return NULL;
		/* true && x = x; false && x = false; and the duals for ||. */
		if (a->kind == HG_EX_BOOL)
			return a->u.b == (e->kind == HG_EX_AND) ? b
			                                        : const_bool(c, a->u.b, &e->span);
		if (b->kind == HG_EX_BOOL)
			return b->u.b == (e->kind == HG_EX_AND) ? a
			                                        : const_bool(c, b->u.b, &e->span);
		r = hg_expr_new(c->a, e->kind, &e->span);
		r->u.op.a = a;
		r->u.op.b = b;
		r->type = HG_T_BOOL;
		return r;
	case HG_EX_EQ:
	case HG_EX_NE:
		a = resolve_expr(c, s, e->u.op.a, ec);
		b = resolve_expr(c, s, e->u.op.b, ec);
		if (!a || !b)
			return NULL;
		if (const_value(a, &va, &ta) && const_value(b, &vb, &tb))
			return const_bool(
			        c, loose_equal(c, va, vb) == (e->kind == HG_EX_EQ), &e->span);
		r = hg_expr_new(c->a, e->kind, &e->span);
		r->u.op.a = a;
		r->u.op.b = b;
		r->type = HG_T_BOOL;
		return r;
	case HG_EX_COND:
		x = resolve_expr(c, s, e->u.op.a, E_COND);
		a = resolve_expr(c, s, e->u.op.b, ec);
		b = resolve_expr(c, s, e->u.op.c, ec);
		if (!x || !a || !b)
			return NULL;
		if (x->type != HG_T_BOOL && x->type != HG_T_ANY) {
			hg_diag_add(c->d, HG_D_EXPR_TYPE, &e->u.op.a->span,
			        HG_BI("the condition of '? :'", "'? :' の条件"),
			        HG_BI("a boolean", "真偽値"), hg_type_name(x->type), NULL);
			rs_failed(c);
			return NULL;
		}
		if (x->kind == HG_EX_BOOL)
			return x->u.b ? a : b;
		r = hg_expr_new(c->a, HG_EX_COND, &e->span);
		r->u.op.a = x;
		r->u.op.b = a;
		r->u.op.c = b;
		r->type = a->type == b->type ? a->type : HG_T_ANY;
		return r;
	case HG_EX_CALL:
		r = hg_expr_new(c->a, HG_EX_CALL, &e->span);
		*r = *e;
		r->u.call.args = HG_ANEWN(c->a, hg_expr *, e->u.call.n ? e->u.call.n : 1);
		for (i = 0; i < e->u.call.n; i++) {
			r->u.call.args[i] = resolve_expr(c, s, e->u.call.args[i], ec);
			if (!r->u.call.args[i])
				return NULL;
		}
		return fold_call(c, r);
	default:
		/* Already resolved (a value handed down from a parent scope). */
		return (hg_expr *)(uintptr_t)e;
	}
}

/* ---- values ---- */

static hg_value *expr_to_value(struct ctx *c, hg_expr *e, const hg_span *span)
{
	hg_value *v;
	switch (e->kind) {
	case HG_EX_STR:
		return hg_value_str(c->a, e->u.str.s, e->u.str.len, span);
	case HG_EX_INT:
		v = hg_value_new(c->a, HG_V_INT, span);
		v->u.i = e->u.i;
		return v;
	case HG_EX_BOOL:
		v = hg_value_new(c->a, HG_V_BOOL, span);
		v->u.b = e->u.b;
		return v;
	case HG_EX_VALUE:
		return e->u.value;
	default:
		v = hg_value_new(c->a, HG_V_EXPR, span);
		v->u.expr = e;
		return v;
	}
}

hg_value *rs_resolve_value(struct ctx *c, struct scope *s, const hg_value *v)
{
	hg_value *r;
	size_t i;
	bool ok = true;

	switch (v->kind) {
	case HG_V_LIST:
		r = hg_value_new(c->a, HG_V_LIST, &v->span);
		r->u.list.n = v->u.list.n;
		r->u.list.items = HG_ANEWN(c->a, hg_value *, v->u.list.n ? v->u.list.n : 1);
		for (i = 0; i < v->u.list.n; i++) {
			r->u.list.items[i] = rs_resolve_value(c, s, v->u.list.items[i]);
			ok = ok && r->u.list.items[i];
		}
		return ok ? r : NULL;
	case HG_V_MAP:
		r = hg_value_new(c->a, HG_V_MAP, &v->span);
		r->u.map.n = v->u.map.n;
		r->u.map.m = HG_ANEWN(c->a, hg_member, v->u.map.n ? v->u.map.n : 1);
		for (i = 0; i < v->u.map.n; i++) {
			r->u.map.m[i] = v->u.map.m[i];
			r->u.map.m[i].value = rs_resolve_value(c, s, v->u.map.m[i].value);
			ok = ok && r->u.map.m[i].value;
		}
		return ok ? r : NULL;
	case HG_V_EXPR: {
		hg_expr *e = resolve_expr(c, s, v->u.expr, E_VALUE);
		return e ? expr_to_value(c, e, &v->span) : NULL;
	}
	case HG_V_INTERP: {
		/* Fold constant parts into the text; keep the rest. */
		hg_part *parts = HG_ANEWN(c->a, hg_part, v->u.interp.n);
		size_t n = 0;
		hg_buf text = HG_BUF_INIT;
		for (i = 0; i < v->u.interp.n; i++) {
			const hg_part *p = &v->u.interp.parts[i];
			hg_expr *e;
			const hg_value *cv;
			hg_value tmp;
			if (!p->expr) {
				hg_buf_put(&text, p->text, p->len);
				continue;
			}
			e = resolve_expr(c, s, p->expr, E_VALUE);
			if (!e) {
				ok = false;
				continue;
			}
			if (const_value(e, &cv, &tmp)) {
				const hg_value *sv = rs_coerce_string(c, (hg_value *)(uintptr_t)cv);
				if (sv->kind == HG_V_STR) {
					hg_buf_put(&text, sv->u.str.s, sv->u.str.len);
					continue;
				}
				hg_diag_add(c->d, HG_D_EXPR_TYPE, &p->expr->span,
				        HG_BI("a value inside a string", "文字列の中の値"),
				        HG_BI("a string, number or boolean",
				                "文字列・数値・真偽値"),
				        hg_type_name(hg_value_type(cv)), NULL);
				ok = false;
				continue;
			}
			if (e->type == HG_T_LIST || e->type == HG_T_OBJECT) {
				hg_diag_add(c->d, HG_D_EXPR_TYPE, &p->expr->span,
				        HG_BI("a value inside a string", "文字列の中の値"),
				        HG_BI("a string, number or boolean",
				                "文字列・数値・真偽値"),
				        hg_type_name(e->type), NULL);
				ok = false;
				continue;
			}
			if (text.size) {
				parts[n].text = hg_arena_strndup(c->a, text.ptr, text.size);
				parts[n].len = text.size;
				parts[n++].expr = NULL;
				hg_buf_clear(&text);
			}
			parts[n].text = NULL;
			parts[n].len = 0;
			parts[n++].expr = e;
		}
		if (!ok) {
			hg_buf_dispose(&text);
			rs_failed(c);
			return NULL;
		}
		if (n == 0) {
			r = hg_value_str(c->a, text.ptr, text.size, &v->span);
			hg_buf_dispose(&text);
			return r;
		}
		if (text.size) {
			parts[n].text = hg_arena_strndup(c->a, text.ptr, text.size);
			parts[n].len = text.size;
			parts[n++].expr = NULL;
		}
		hg_buf_dispose(&text);
		r = hg_value_new(c->a, HG_V_INTERP, &v->span);
		r->u.interp.parts = parts;
		r->u.interp.n = n;
		return r;
	}
	default:
		return (hg_value *)(uintptr_t)v; /* scalars are immutable; share them */
	}
}
/* ---- scopes ---- */

static struct scope *new_scope(struct ctx *c, const hg_template *t, struct scope *parent,
        const hg_use_decl *use, const char *prefix, const char *path, hg_ir *ir)
{
	struct scope *s = HG_ANEW(c->a, struct scope);
	size_t n;

	s->t = t;
	s->ir = ir;
	s->parent = parent;
	s->use = use;
	s->prefix = prefix;
	s->path = path;
	s->params = HG_ANEWN(c->a, struct pbind, t->nparams + 1);
	s->res = HG_ANEWN(c->a, hg_ir_resource *, t->nresources + 1);
	s->children = HG_ANEWN(c->a, struct scope *, t->nuses + 1);
	s->child_state = HG_ANEWN(c->a, int, t->nuses + 1);
	n = t->nconds + 1;
	s->conds = HG_ANEWN(c->a, hg_expr *, n);
	s->cond_ir = HG_ANEWN(c->a, hg_ir_cond *, n);
	s->cond_state = HG_ANEWN(c->a, int, n);
	s->outputs = HG_ANEWN(c->a, hg_value *, t->noutputs + 1);
	s->output_state = HG_ANEWN(c->a, int, t->noutputs + 1);
	/* Every template, nested or not, is listed in the root's metadata. */
	HG_AGROW(c->a, c->ir->used, c->ir->capused, c->ir->nused + 1);
	c->ir->used[c->ir->nused].tmpl = t;
	c->ir->used[c->ir->nused++].alias_path = path;
	return s;
}

static const char *scope_name(hg_scope sc)
{
	return sc == HG_SCOPE_SUBSCRIPTION ? "subscription" : "resourceGroup";
}

static hg_ir *new_unit(struct ctx *c, const hg_template *t, hg_scope sc)
{
	hg_ir *ir = HG_ANEW(c->a, hg_ir);
	ir->a = c->a;
	ir->target = t->target;
	ir->scope = sc;
	ir->root = t;
	return ir;
}

/*
 * The Microsoft.Resources/deployments resource that deploys the use u of
 * a resource-group-scope template from the subscription-scope scope s.
 */
static hg_ir_resource *nested_deployment(
        struct ctx *c, struct scope *s, const hg_use_decl *u, const hg_template *t, hg_ir *unit)
{
	hg_ir_resource *r = HG_ANEW(c->a, hg_ir_resource);
	hg_value *props = hg_value_new(c->a, HG_V_MAP, &u->span);

	r->id = hg_ir_pascal(c->a, s->prefix, u->alias);
	r->name = u->alias;
	r->path = rs_scoped(c, s, u->alias);
	r->type = "Microsoft.Resources/deployments";
	r->api_version = "2022-09-01";
	r->tmpl = t;
	r->scope_path = s->path;
	r->span = u->span;
	r->mandatory = t->mandatory;
	r->nested = unit;
	r->props = props;
	r->resource_group = rs_resolve_value(c, s, u->resource_group);
	unit->deployment = r;
	unit->parent = s->ir;
	HG_AGROW(c->a, s->ir->res, s->ir->capres, s->ir->nres + 1);
	s->ir->res[s->ir->nres++] = r;
	return r;
}

/* Create the resources of scope s (IDs only; properties come later). */
static void declare_resources(struct ctx *c, struct scope *s)
{
	size_t i;
	for (i = 0; i < s->t->nresources; i++) {
		const hg_resource_decl *rd = &s->t->resources[i];
		hg_ir_resource *r;
		if (!rd->name || !rd->type)
			continue;
		r = HG_ANEW(c->a, hg_ir_resource);
		r->id = hg_ir_pascal(c->a, s->prefix, rd->name);
		r->name = rd->name;
		r->path = rs_scoped(c, s, rd->name);
		r->type = rd->type;
		r->api_version = rd->api_version;
		r->tmpl = s->t;
		r->decl = rd;
		r->scope_path = s->path;
		r->span = rd->span;
		r->deletion_policy = rd->deletion_policy;
		r->update_replace_policy = rd->update_replace_policy;
		r->mandatory = s->t->mandatory;
		s->res[i] = r;
		HG_AGROW(c->a, s->ir->res, s->ir->capres, s->ir->nres + 1);
		s->ir->res[s->ir->nres++] = r;
	}
}

static void add_dep(struct ctx *c, hg_ir_resource *r, hg_ir_resource *dep, const hg_span *at)
{
	hg_ir_resource **nd;
	hg_span *ns;
	size_t i;

	for (i = 0; i < r->ndeps; i++)
		if (r->deps[i] == dep)
			return;
	/* Arena blocks cannot grow; depends_on lists are short, so copy. */
	nd = HG_ANEWN(c->a, hg_ir_resource *, r->ndeps + 1);
	ns = HG_ANEWN(c->a, hg_span, r->ndeps + 1);
	if (r->ndeps) {
		memcpy(nd, r->deps, r->ndeps * sizeof(*nd));
		memcpy(ns, r->dep_spans, r->ndeps * sizeof(*ns));
	}
	nd[r->ndeps] = dep;
	ns[r->ndeps] = *at;
	r->deps = nd;
	r->dep_spans = ns;
	r->ndeps++;
}

/* Every resource created in scope s and its descendants. */
static void collect_scope_resources(
        struct ctx *c, struct scope *s, hg_ir_resource *r, const hg_span *at)
{
	size_t i;
	for (i = 0; i < s->t->nresources; i++)
		if (s->res[i])
			add_dep(c, r, s->res[i], at);
	for (i = 0; i < s->t->nuses; i++) {
		const struct scope *ch = s->children[i];
		if (ch && ch->ir != s->ir)
			add_dep(c, r, ch->ir->deployment,
			        at); /* the nested deployment as a whole */
		else if (ch)
			collect_scope_resources(c, s->children[i], r, at);
	}
}

static void resolve_resources(struct ctx *c, struct scope *s)
{
	size_t i, k;

	for (i = 0; i < s->t->nresources; i++) {
		const hg_resource_decl *rd = &s->t->resources[i];
		hg_ir_resource *r = s->res[i];
		hg_value *props = NULL, *locked = NULL;

		if (!r)
			continue;
		if (rd->properties)
			props = rs_resolve_value(c, s, rd->properties);
		if (rd->locked) {
			for (k = 0; k < rd->locked->u.map.n; k++) {
				const hg_expr *pe = rs_param_in_value(rd->locked->u.map.m[k].value);
				if (pe) {
					hg_diag_add(c->d, HG_D_LOCK_USES_PARAM, &pe->span,
					        pe->u.ref.n > 1 ? pe->u.ref.parts[1] : "", NULL);
					rs_failed(c);
				}
			}
			locked = rs_resolve_value(c, s, rd->locked);
		}
		if (locked) {
			struct lockwalk w;
			memset(&w, 0, sizeof(w));
			w.c = c;
			w.s = s;
			w.rd = rd;
			rs_collect_locks(&w, locked, rd->locked);
			r->locks = w.locks;
			r->nlocks = w.n;
			props = props ? rs_merge(c, props, locked) : locked;
		}
		r->props = props;
		if (rd->when) {
			hg_expr *w = resolve_expr(c, s, rd->when->u.expr, E_COND);
			if (w && w->type != HG_T_BOOL && w->type != HG_T_ANY) {
				hg_diag_add(c->d, HG_D_EXPR_TYPE, &rd->when->span, "when",
				        HG_BI("a boolean", "真偽値"), hg_type_name(w->type), NULL);
				rs_failed(c);
			} else if (w && w->kind == HG_EX_BOOL) {
				r->excluded = !w->u.b;
			} else {
				r->when = w;
			}
		}
		if (rd->metadata)
			r->metadata = rs_resolve_value(c, s, rd->metadata);
		for (k = 0; k < rd->ndepends; k++) {
			const hg_name_ref *dn = &rd->depends_on[k];
			int ri = find_index_res(s->t, dn->name), ui;
			if (ri >= 0 && s->res[ri] == r) {
				hg_diag_add(c->d, HG_D_DEPENDS_SELF, &dn->span, dn->name, NULL);
				rs_failed(c);
			} else if (ri >= 0) {
				if (s->res[ri])
					add_dep(c, r, s->res[ri], &dn->span);
			} else if ((ui = find_index_use(s->t, dn->name)) >= 0) {
				struct scope *ch = child_scope(c, s, (size_t)ui, &dn->span);
				if (ch && ch->ir != s->ir)
					add_dep(c, r, ch->ir->deployment, &dn->span);
				else if (ch)
					collect_scope_resources(c, ch, r, &dn->span);
			} else {
				hg_diag *dg = hg_diag_add(c->d, HG_D_DEPENDS_UNKNOWN, &dn->span,
				        dn->name, rs_tmpl_label(c, s->t), NULL);
				did_you_mean(c, dg, s, dn->name);
				rs_failed(c);
			}
		}
	}
}

/* Apply the overrides of use u (resolved in scope s) to child ch. */
static void apply_overrides(struct ctx *c, struct scope *s, const hg_use_decl *u, struct scope *ch)
{
	size_t i;
	for (i = 0; i < u->noverrides; i++) {
		const hg_override *o = &u->overrides[i];
		int ri = find_index_res(ch->t, o->resource);
		hg_ir_resource *r;
		hg_value *props;

		if (ri < 0) {
			hg_diag *dg = hg_diag_add(c->d, HG_D_OVERRIDE_UNKNOWN, &o->span,
			        o->resource, rs_tmpl_label(c, ch->t), NULL);
			did_you_mean(c, dg, ch, o->resource);
			rs_failed(c);
			continue;
		}
		r = ch->res[ri];
		if (!r || !o->properties)
			continue;
		props = rs_resolve_value(c, s, o->properties);
		if (!props)
			continue;
		if (ch->ir != s->ir && !rs_is_constant(props)) {
			hg_diag_add(c->d, HG_D_OVERRIDE_ACROSS_SCOPE, &o->span, ch->path, NULL);
			rs_failed(c);
			continue;
		}
		r->props = r->props ? rs_merge(c, r->props, props) : props;
		rs_check_locks(c, r, props);
	}
}

static void check_profile(struct ctx *c, struct scope *s);

static void instantiate(
        struct ctx *c, struct scope *s, const hg_binding *b, size_t nb, bool from_parent)
{
	size_t i;

	rs_check_defaults(c, s->t);
	rs_bind_params(c, s, b, nb, from_parent);
	declare_resources(c, s);
	for (i = 0; i < s->t->nuses; i++) {
		const hg_use_decl *u = &s->t->uses[i];
		if (u->alias && find_index_res(s->t, u->alias) >= 0) {
			hg_diag *dg = hg_diag_add(c->d, HG_D_NAME_CLASH, &u->span, u->alias, NULL);
			hg_diag_note(dg, HG_D_N_OTHER_HERE,
			        &s->t->resources[find_index_res(s->t, u->alias)].span, NULL);
			rs_failed(c);
		}
		child_scope(c, s, i, &u->span);
	}
	resolve_resources(c, s);
	for (i = 0; i < s->t->noutputs; i++)
		scope_output(c, s, i, &s->t->outputs[i].span);
	if (s->t->profile)
		check_profile(c, s);
}

static bool in_chain(const struct scope *s, const hg_template *t)
{
	for (; s; s = s->parent)
		if (s->t == t || (s->t->name && t->name && strcmp(s->t->name, t->name) == 0))
			return true;
	return false;
}

/* "a -> b -> a": the templates from where t is used, down to s, then t again. */
static const char *use_chain(struct ctx *c, const struct scope *s, const hg_template *t)
{
	const struct scope *p, *top = s;
	const char **names;
	size_t n = 0, i;
	hg_buf b = HG_BUF_INIT;
	const char *out;

	for (p = s; p; p = p->parent)
		if (p->t == t || (p->t->name && t->name && strcmp(p->t->name, t->name) == 0))
			top = p;
	for (p = s; p != top->parent; p = p->parent)
		n++;
	names = hg_arena_alloc(c->a, sizeof(char *) * (n + 1));
	for (p = s, i = n; p != top->parent; p = p->parent)
		names[--i] = p->t->name ? p->t->name : "?";
	for (i = 0; i < n; i++)
		hg_buf_printf(&b, "%s -> ", names[i]);
	hg_buf_puts(&b, t->name ? t->name : "?");
	out = hg_arena_strndup(c->a, b.ptr, b.size);
	hg_buf_dispose(&b);
	return out;
}

/* Mandatory templates create account singletons (a Config recorder, a
 * GuardDuty detector): a second instance would fail to deploy. */
static const struct scope *mandatory_twin(
        const struct scope *root, const struct scope *skip, const hg_template *t)
{
	size_t i;
	const struct scope *f;
	if (root != skip && root->t->mandatory && root->t->name && t->name &&
	        strcmp(root->t->name, t->name) == 0)
		return root;
	for (i = 0; i < root->t->nuses; i++) {
		if (root->children[i] && (f = mandatory_twin(root->children[i], skip, t)) != NULL)
			return f;
	}
	return NULL;
}

static struct scope *child_scope(struct ctx *c, struct scope *s, size_t i, const hg_span *at)
{
	const hg_use_decl *u = &s->t->uses[i];
	const hg_template *t = NULL;
	struct scope *ch, *root;

	if (s->child_state[i] == ST_DONE)
		return s->children[i];
	if (s->child_state[i] == ST_FAILED)
		return NULL;
	if (s->child_state[i] == ST_BUSY) {
		hg_diag_add(c->d, HG_D_REF_CYCLE, at, cycle_text(c, rs_scoped(c, s, u->alias)), NULL);
		rs_failed(c);
		return NULL;
	}
	s->child_state[i] = ST_FAILED;
	if (!u->template_name || !c->opts->registry)
		return NULL;
	if (hg_registry_find(&t, c->opts->registry, c->d, HG_DOC_TEMPLATE, u->template_name,
	            u->range, u->range_text,
	            u->range_text ? &u->range_span : &u->template_span) < 0) {
		rs_failed(c);
		return NULL;
	}
	if (t->target != s->t->target) {
		hg_diag_add(c->d, HG_D_TARGET_MISMATCH, &u->template_span, rs_tmpl_label(c, t),
		        t->target == HG_TARGET_AWS ? "aws" : "azure",
		        s->t->target == HG_TARGET_AWS ? "aws" : "azure", NULL);
		rs_failed(c);
		return NULL;
	}
	if (in_chain(s, t)) {
		hg_diag_add(c->d, HG_D_USE_CYCLE, &u->template_span, use_chain(c, s, t), NULL);
		rs_failed(c);
		return NULL;
	}
	for (root = s; root->parent; root = root->parent)
		;
	if (t->mandatory) {
		const struct scope *twin = mandatory_twin(root, NULL, t);
		if (twin) {
			hg_diag *dg = hg_diag_add(c->d, HG_D_USE_DUPLICATE, &u->span, t->name,
			        *twin->path ? twin->path : twin->t->name, rs_scoped(c, s, u->alias),
			        NULL);
			if (twin->use)
				hg_diag_note(dg, HG_D_N_OTHER_HERE, &twin->use->span, NULL);
			rs_failed(c);
			return NULL;
		}
	}
	if (t->target == HG_TARGET_AZURE &&
	        (t->scope != s->ir->scope || u->resource_group != NULL)) {
		/* Only subscription -> resource group can cross, as a nested
		 * deployment into the resource group the use names. */
		hg_ir *unit;
		if (s->ir->scope != HG_SCOPE_SUBSCRIPTION || t->scope != HG_SCOPE_RESOURCE_GROUP ||
		        !u->resource_group) {
			hg_diag_add(c->d, HG_D_USE_SCOPE,
			        u->resource_group ? &u->rg_span : &u->span, rs_tmpl_label(c, t),
			        scope_name(t->scope), scope_name(s->ir->scope), NULL);
			rs_failed(c);
			return NULL;
		}
		unit = new_unit(c, t, HG_SCOPE_RESOURCE_GROUP);
		nested_deployment(c, s, u, t, unit);
		ch = new_scope(c, t, s, u, "", rs_scoped(c, s, u->alias), unit);
		ch->outer_prefix = hg_ir_pascal(c->a, s->prefix, u->alias);
	} else {
		ch = new_scope(c, t, s, u, hg_ir_pascal(c->a, s->prefix, u->alias),
		        rs_scoped(c, s, u->alias), s->ir);
	}
	s->children[i] = ch;
	s->child_state[i] = ST_BUSY;
	push_busy(c, rs_scoped(c, s, u->alias));
	instantiate(c, ch, u->with, u->nwith, true);
	apply_overrides(c, s, u, ch);
	pop_busy(c);
	s->child_state[i] = ST_DONE;
	return ch;
}

/*
 * A template with `profile: P` must use every template P requires, at a
 * version P accepts. Only direct uses count: the system template is the one
 * that answers for the profile.
 */
static void check_profile(struct ctx *c, struct scope *s)
{
	const hg_template *p = NULL;
	size_t i, k;

	if (hg_registry_find(&p, c->opts->registry, c->d, HG_DOC_PROFILE, s->t->profile, NULL, NULL,
	            &s->t->profile_span) < 0) {
		rs_failed(c);
		return;
	}
	if (!s->parent)
		c->ir->profile = p;
	if (p->target != s->t->target) {
		hg_diag_add(c->d, HG_D_TARGET_MISMATCH, &s->t->profile_span, rs_tmpl_label(c, p),
		        p->target == HG_TARGET_AWS ? "aws" : "azure",
		        s->t->target == HG_TARGET_AWS ? "aws" : "azure", NULL);
		rs_failed(c);
		return;
	}
	for (i = 0; i < p->nrequires; i++) {
		const hg_profile_req *q = &p->requires[i];
		const struct scope *found = NULL;
		for (k = 0; k < s->t->nuses; k++) {
			const struct scope *ch = s->children[k];
			if (ch && strcmp(ch->t->name, q->template_name) == 0)
				found = ch;
			else if (!ch && s->t->uses[k].template_name &&
			         strcmp(s->t->uses[k].template_name, q->template_name) == 0)
				found = s; /* present but failed to resolve; already reported */
		}
		if (!found) {
			hg_diag *dg = hg_diag_add(c->d, HG_D_PROFILE_MISSING, &s->t->profile_span,
			        p->name, q->template_name, NULL);
			hg_diag_note(dg, HG_D_N_REQUIRED_BY_PROFILE, &q->span, p->name, NULL);
			rs_failed(c);
			continue;
		}
		if (found != s && q->range && !hg_range_match(q->range, &found->t->version)) {
			hg_diag *dg = hg_diag_add(c->d, HG_D_PROFILE_VERSION,
			        found->use->range_text ? &found->use->range_span
			                               : &found->use->template_span,
			        p->name, q->template_name, q->range_text, found->t->version_text,
			        NULL);
			hg_diag_note(dg, HG_D_N_REQUIRED_BY_PROFILE, &q->range_span, p->name, NULL);
			rs_failed(c);
		}
	}
}

int hg_resolve(hg_ir **out, hg_arena *a, hg_diags *d, const hg_template *root,
        const hg_resolve_options *opts)
{
	struct ctx c;
	struct scope *s;
	hg_ir *ir = HG_ANEW(a, hg_ir);
	size_t i;

	memset(&c, 0, sizeof(c));
	c.a = a;
	c.d = d;
	c.ir = ir;
	c.opts = opts;
	ir->a = a;
	ir->target = root->target;
	ir->root = root;
	*out = ir;
	ir->scope = root->scope;
	s = new_scope(&c, root, NULL, NULL, "", "", ir);
	instantiate(&c, s, opts->bindings, opts->nbindings, false);
	for (i = 0; i < root->noutputs; i++) {
		const hg_output_decl *od = &root->outputs[i];
		hg_ir_output *o;
		if (!s->outputs[i])
			continue;
		o = HG_ANEW(a, hg_ir_output);
		o->id = hg_ir_pascal(a, "", od->name);
		o->decl = od;
		o->value = s->outputs[i];
		if (od->export_name)
			o->export_name = rs_resolve_value(&c, s, od->export_name);
		if (od->when) {
			hg_expr *w = resolve_expr(&c, s, od->when->u.expr, E_COND);
			if (w && w->kind == HG_EX_BOOL) {
				if (!w->u.b)
					continue;
			} else {
				o->when = w;
			}
		}
		HG_AGROW(a, ir->outputs, ir->capoutputs, ir->noutputs + 1);
		ir->outputs[ir->noutputs++] = o;
	}
	free(c.checked);
	return c.failed ? HG_EINVALID : 0;
}
