/*
 * lower.c: naming conditions, dropping excluded resources, checking the
 * reference graph (see lower.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. CloudFormation (and ARM) can only branch on a named condition,
 * so every boolean that survived constant folding gets a name here. Named
 * conditions from `conditions:` already have one; an inline one is named
 * after its owner ("TrailCondition", "TrailCondition2", ...) unless an
 * equal condition exists, in which case that one is reused. Names depend
 * only on the input, never on visiting order across resources, because
 * owners are visited in logical-ID order.
 */
#include "lower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lctx {
	hg_ir *ir;
	hg_diags *d;
	bool failed;
	const char *owner; /* logical ID of the resource/output being lowered */
	unsigned owner_conds;
};

void hg_expr_walk(hg_expr *e, hg_expr_visit fn, void *payload)
{
	size_t i;
	fn(e, payload);
	switch (e->kind) {
	case HG_EX_NOT:
		hg_expr_walk(e->u.op.a, fn, payload);
		break;
	case HG_EX_AND:
	case HG_EX_OR:
	case HG_EX_EQ:
	case HG_EX_NE:
		hg_expr_walk(e->u.op.a, fn, payload);
		hg_expr_walk(e->u.op.b, fn, payload);
		break;
	case HG_EX_COND:
		hg_expr_walk(e->u.op.a, fn, payload);
		hg_expr_walk(e->u.op.b, fn, payload);
		hg_expr_walk(e->u.op.c, fn, payload);
		break;
	case HG_EX_CALL:
		for (i = 0; i < e->u.call.n; i++)
			hg_expr_walk(e->u.call.args[i], fn, payload);
		break;
	case HG_EX_VALUE:
		hg_value_visit(e->u.value, fn, payload);
		break;
	default:
		break;
	}
}

void hg_value_visit(hg_value *v, hg_expr_visit fn, void *payload)
{
	size_t i;
	if (!v)
		return;
	switch (v->kind) {
	case HG_V_LIST:
		for (i = 0; i < v->u.list.n; i++)
			hg_value_visit(v->u.list.items[i], fn, payload);
		break;
	case HG_V_MAP:
		for (i = 0; i < v->u.map.n; i++)
			hg_value_visit(v->u.map.m[i].value, fn, payload);
		break;
	case HG_V_EXPR:
		hg_expr_walk(v->u.expr, fn, payload);
		break;
	case HG_V_INTERP:
		for (i = 0; i < v->u.interp.n; i++)
			if (v->u.interp.parts[i].expr)
				hg_expr_walk(v->u.interp.parts[i].expr, fn, payload);
		break;
	default:
		break;
	}
}

/* ---- conditions ---- */

static hg_ir_cond *named_cond(struct lctx *c, hg_expr *e)
{
	hg_arena *a = c->ir->a;
	hg_ir_cond *ic;
	size_t i;

	if (e->kind == HG_EX_CONDREF)
		return e->u.cond;
	for (i = 0; i < c->ir->nconds; i++)
		if (hg_expr_equal(c->ir->conds[i]->expr, e))
			return c->ir->conds[i];
	ic = HG_ANEW(a, hg_ir_cond);
	c->owner_conds++;
	ic->id = c->owner_conds == 1
	                 ? hg_arena_printf(a, "%sCondition", c->owner)
	                 : hg_arena_printf(a, "%sCondition%u", c->owner, c->owner_conds);
	ic->expr = e;
	ic->span = e->span;
	HG_AGROW(c->ir->a, c->ir->conds, c->ir->capconds, c->ir->nconds + 1);
	c->ir->conds[c->ir->nconds++] = ic;
	return ic;
}

static hg_expr *condref(struct lctx *c, hg_ir_cond *ic, const hg_span *span)
{
	hg_expr *r = hg_expr_new(c->ir->a, HG_EX_CONDREF, span);
	r->u.cond = ic;
	r->type = HG_T_BOOL;
	return r;
}

static bool is_boolean_op(const hg_expr *e)
{
	return e->kind == HG_EX_NOT || e->kind == HG_EX_AND || e->kind == HG_EX_OR ||
	       e->kind == HG_EX_EQ || e->kind == HG_EX_NE;
}

static void lower_expr(struct lctx *c, hg_expr *e);

static void lower_value(struct lctx *c, hg_value *v)
{
	size_t i;
	if (!v)
		return;
	switch (v->kind) {
	case HG_V_LIST:
		for (i = 0; i < v->u.list.n; i++)
			lower_value(c, v->u.list.items[i]);
		break;
	case HG_V_MAP:
		for (i = 0; i < v->u.map.n; i++)
			lower_value(c, v->u.map.m[i].value);
		break;
	case HG_V_EXPR:
		/* A boolean computed from conditions, used as a value, is
		 * cond ? true : false. */
		if (is_boolean_op(v->u.expr) || v->u.expr->kind == HG_EX_CONDREF) {
			hg_expr *t = hg_expr_new(c->ir->a, HG_EX_BOOL, &v->span);
			hg_expr *f = hg_expr_new(c->ir->a, HG_EX_BOOL, &v->span);
			hg_expr *cond = hg_expr_new(c->ir->a, HG_EX_COND, &v->span);
			t->u.b = true;
			f->u.b = false;
			t->type = f->type = cond->type = HG_T_BOOL;
			cond->u.op.a = condref(c, named_cond(c, v->u.expr), &v->span);
			cond->u.op.b = t;
			cond->u.op.c = f;
			v->u.expr = cond;
		}
		lower_expr(c, v->u.expr);
		break;
	case HG_V_INTERP:
		for (i = 0; i < v->u.interp.n; i++)
			if (v->u.interp.parts[i].expr)
				lower_expr(c, v->u.interp.parts[i].expr);
		break;
	default:
		break;
	}
}

static void lower_expr(struct lctx *c, hg_expr *e)
{
	size_t i;
	switch (e->kind) {
	case HG_EX_COND:
		if (e->u.op.a->kind != HG_EX_CONDREF)
			e->u.op.a = condref(c, named_cond(c, e->u.op.a), &e->u.op.a->span);
		lower_expr(c, e->u.op.b);
		lower_expr(c, e->u.op.c);
		break;
	case HG_EX_CALL:
		for (i = 0; i < e->u.call.n; i++)
			lower_expr(c, e->u.call.args[i]);
		break;
	case HG_EX_VALUE:
		lower_value(c, e->u.value);
		break;
	default:
		break;
	}
}

/* ---- references ---- */

struct refwalk {
	struct lctx *c;
	hg_ir_resource *from; /* NULL for outputs */
	hg_ir_cond *guard;    /* the condition the referrer lives under */
	const char *what;     /* the referrer, for messages */
};

static void check_ref_to(struct refwalk *w, hg_expr *e, hg_ir_resource *to)
{
	struct lctx *c = w->c;
	if (to->excluded) {
		hg_diag *dg = hg_diag_add(c->d, HG_D_REF_EXCLUDED, &e->span, to->path, NULL);
		hg_diag_note(dg, HG_D_N_DECLARED_HERE, &to->span, NULL);
		c->failed = true;
		return;
	}
	if (to->cond && to->cond != w->guard)
		hg_diag_add(c->d, HG_D_CONDITIONAL_REF, &e->span, to->path, to->cond->id, NULL);
}

/* Visit e; the branches of `cond ? a : b` are guarded by cond. */
static void refs_expr(struct refwalk *w, hg_expr *e);

static void refs_value(struct refwalk *w, hg_value *v)
{
	size_t i;
	if (!v)
		return;
	switch (v->kind) {
	case HG_V_LIST:
		for (i = 0; i < v->u.list.n; i++)
			refs_value(w, v->u.list.items[i]);
		break;
	case HG_V_MAP:
		for (i = 0; i < v->u.map.n; i++)
			refs_value(w, v->u.map.m[i].value);
		break;
	case HG_V_EXPR:
		refs_expr(w, v->u.expr);
		break;
	case HG_V_INTERP:
		for (i = 0; i < v->u.interp.n; i++)
			if (v->u.interp.parts[i].expr)
				refs_expr(w, v->u.interp.parts[i].expr);
		break;
	default:
		break;
	}
}

static void refs_expr(struct refwalk *w, hg_expr *e)
{
	size_t i;
	switch (e->kind) {
	case HG_EX_RESOURCE:
	case HG_EX_ATTR:
		check_ref_to(w, e, e->u.res.res);
		break;
	case HG_EX_COND: {
		hg_ir_cond *saved = w->guard;
		refs_expr(w, e->u.op.a);
		w->guard = e->u.op.a->kind == HG_EX_CONDREF ? e->u.op.a->u.cond : saved;
		refs_expr(w, e->u.op.b);
		w->guard = saved;
		refs_expr(w, e->u.op.c);
		break;
	}
	case HG_EX_NOT:
		refs_expr(w, e->u.op.a);
		break;
	case HG_EX_AND:
	case HG_EX_OR:
	case HG_EX_EQ:
	case HG_EX_NE:
		refs_expr(w, e->u.op.a);
		refs_expr(w, e->u.op.b);
		break;
	case HG_EX_CALL:
		for (i = 0; i < e->u.call.n; i++)
			refs_expr(w, e->u.call.args[i]);
		break;
	case HG_EX_VALUE:
		refs_value(w, e->u.value);
		break;
	default:
		break;
	}
}

/* ---- the reference graph ---- */

struct edges {
	hg_ir_resource **to;
	hg_span *at;
	size_t n, cap;
};

static void collect_edge(hg_expr *e, void *payload)
{
	struct edges *ed = payload;
	if (e->kind != HG_EX_RESOURCE && e->kind != HG_EX_ATTR && e->kind != HG_EX_NESTED_OUTPUT)
		return;
	HG_GROW(ed->to, ed->cap, ed->n + 1);
	ed->at = hg_xrealloc(ed->at, ed->cap * sizeof(*ed->at));
	ed->to[ed->n] = e->kind == HG_EX_NESTED_OUTPUT ? e->u.nested.deployment : e->u.res.res;
	ed->at[ed->n++] = e->span;
}

struct graph {
	hg_ir_resource **res;
	size_t n;
	struct edges *out; /* per resource: property references, then depends_on */
	int *color;        /* 0 white, 1 on stack, 2 done */
	size_t *stack;
	size_t depth;
};

static size_t index_of(const struct graph *g, const hg_ir_resource *r)
{
	size_t i;
	for (i = 0; i < g->n; i++)
		if (g->res[i] == r)
			return i;
	return (size_t)-1;
}

/* Depth-first search; reports the first cycle through v (iterative). */
static bool find_cycle(struct lctx *c, struct graph *g, size_t start)
{
	size_t *next = hg_xcalloc(g->n, sizeof(*next));
	bool found = false;

	g->depth = 0;
	g->stack[g->depth++] = start;
	g->color[start] = 1;
	while (g->depth && !found) {
		size_t v = g->stack[g->depth - 1];
		if (next[v] < g->out[v].n) {
			size_t e = next[v]++;
			size_t w = index_of(g, g->out[v].to[e]);
			if (w == (size_t)-1)
				continue;
			if (g->color[w] == 1) {
				hg_buf path = HG_BUF_INIT;
				size_t k = 0;
				while (g->stack[k] != w)
					k++;
				for (; k < g->depth; k++)
					hg_buf_printf(&path, "%s -> ", g->res[g->stack[k]]->path);
				hg_buf_puts(&path, g->res[w]->path);
				hg_diag_add(c->d, HG_D_REF_CYCLE, &g->out[v].at[e], path.ptr, NULL);
				hg_buf_dispose(&path);
				c->failed = true;
				found = true;
			} else if (g->color[w] == 0) {
				g->color[w] = 1;
				g->stack[g->depth++] = w;
			}
		} else {
			g->color[v] = 2;
			g->depth--;
		}
	}
	free(next);
	return found;
}

static void check_graph(struct lctx *c)
{
	struct graph g;
	size_t i, k;

	g.res = c->ir->res;
	g.n = c->ir->nres;
	g.out = hg_xcalloc(g.n ? g.n : 1, sizeof(*g.out));
	g.color = hg_xcalloc(g.n ? g.n : 1, sizeof(*g.color));
	g.stack = hg_xcalloc(g.n ? g.n : 1, sizeof(*g.stack));
	for (i = 0; i < g.n; i++) {
		hg_ir_resource *r = g.res[i];
		size_t nprops;
		hg_value_visit(r->props, collect_edge, &g.out[i]);
		hg_value_visit(r->resource_group, collect_edge, &g.out[i]);
		for (k = 0; k < r->nargs; k++)
			hg_value_visit(r->args[k].value, collect_edge, &g.out[i]);
		nprops = g.out[i].n;
		/* depends_on that repeats a property reference adds nothing
		 * (cfn-lint W3005); it is still an edge for cycles. */
		for (k = 0; k < r->ndeps; k++) {
			size_t j;
			for (j = 0; j < nprops; j++)
				if (g.out[i].to[j] == r->deps[k])
					break;
			if (j < nprops && r->tmpl == c->ir->root)
				hg_diag_add(c->d, HG_D_DEPENDS_REDUNDANT, &r->dep_spans[k],
				        r->deps[k]->name, NULL);
			HG_GROW(g.out[i].to, g.out[i].cap, g.out[i].n + 1);
			g.out[i].at = hg_xrealloc(g.out[i].at, g.out[i].cap * sizeof(*g.out[i].at));
			g.out[i].to[g.out[i].n] = r->deps[k];
			g.out[i].at[g.out[i].n++] = r->dep_spans[k];
		}
	}
	for (i = 0; i < g.n; i++)
		if (g.color[i] == 0 && find_cycle(c, &g, i))
			break;
	for (i = 0; i < g.n; i++) {
		free(g.out[i].to);
		free(g.out[i].at);
	}
	free(g.out);
	free(g.color);
	free(g.stack);
}

/* ---- identifiers ---- */

struct idrec {
	const char *id;
	const char *what;
	hg_span span;
};

static int cmp_idrec(const void *a, const void *b)
{
	const struct idrec *x = a, *y = b;
	int k = strcmp(x->id, y->id);
	return k;
}

/* Report IDs that appear twice in recs (n of them), and IDs over 255. */
static void check_ids(struct lctx *c, struct idrec *recs, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (strlen(recs[i].id) > 255) {
			hg_diag_add(c->d, HG_D_ID_TOO_LONG, &recs[i].span,
			        hg_arena_strndup(c->ir->a, recs[i].id, 40), NULL);
			c->failed = true;
		}
	}
	/* A stable sort keeps the first-declared of two equal IDs first. */
	for (i = 1; i < n; i++) {
		struct idrec x = recs[i];
		size_t j = i;
		while (j > 0 && cmp_idrec(&recs[j - 1], &x) > 0) {
			recs[j] = recs[j - 1];
			j--;
		}
		recs[j] = x;
	}
	for (i = 1; i < n; i++) {
		if (strcmp(recs[i].id, recs[i - 1].id) == 0) {
			hg_diag *dg = hg_diag_add(c->d, HG_D_ID_COLLISION, &recs[i].span,
			        recs[i].id, recs[i].what, recs[i - 1].what, NULL);
			hg_diag_note(dg, HG_D_N_OTHER_HERE, &recs[i - 1].span, NULL);
			c->failed = true;
		}
	}
}

static void check_all_ids(struct lctx *c)
{
	hg_ir *ir = c->ir;
	size_t n = 0, i;
	struct idrec *recs = hg_xcalloc(ir->nparams + ir->nres + 1, sizeof(*recs));

	/* Parameters and resources share one namespace: Ref reaches both. */
	for (i = 0; i < ir->nparams; i++) {
		recs[n].id = ir->params[i]->id;
		recs[n].what = ir->params[i]->path;
		recs[n++].span = ir->params[i]->decl->span;
	}
	for (i = 0; i < ir->nres; i++) {
		recs[n].id = ir->res[i]->id;
		recs[n].what = ir->res[i]->path;
		recs[n++].span = ir->res[i]->span;
	}
	check_ids(c, recs, n);
	free(recs);
	recs = hg_xcalloc(ir->nconds + 1, sizeof(*recs));
	for (i = 0; i < ir->nconds; i++) {
		recs[i].id = ir->conds[i]->id;
		recs[i].what = ir->conds[i]->id;
		recs[i].span = ir->conds[i]->span;
	}
	check_ids(c, recs, ir->nconds);
	free(recs);
}

/* ---- secrets ---- */

struct secret_walk {
	struct lctx *c;
	const hg_ir_output *o;
};

static void find_secret(hg_expr *e, void *payload)
{
	struct secret_walk *w = payload;
	if (e->kind == HG_EX_PARAM && e->u.param->decl->type == HG_P_SECURE) {
		hg_diag_add(w->c->d, HG_D_SECRET_IN_OUTPUT, &e->span, w->o->decl->name,
		        e->u.param->decl->name, NULL);
		w->c->failed = true;
	}
}

static int cmp_res(const void *a, const void *b)
{
	const hg_ir_resource *x = *(hg_ir_resource *const *)a, *y = *(hg_ir_resource *const *)b;
	return strcmp(x->id, y->id);
}

int hg_lower(hg_ir *ir, hg_diags *d)
{
	struct lctx c;
	size_t i, n, k;

	memset(&c, 0, sizeof(c));
	c.ir = ir;
	c.d = d;
	/* Owners in logical-ID order make generated condition names stable.
	 * (A template without resources has no array: qsort(NULL) is undefined.) */
	if (ir->nres > 1)
		qsort(ir->res, ir->nres, sizeof(*ir->res), cmp_res);
	for (i = 0; i < ir->nres; i++) {
		hg_ir_resource *r = ir->res[i];
		if (r->excluded)
			continue;
		c.owner = r->id;
		c.owner_conds = 0;
		if (r->when)
			r->cond = named_cond(&c, r->when);
		lower_value(&c, r->props);
		lower_value(&c, r->metadata);
		lower_value(&c, r->resource_group);
		for (k = 0; k < r->nargs; k++)
			lower_value(&c, r->args[k].value);
	}
	for (i = 0; i < ir->noutputs; i++) {
		hg_ir_output *o = ir->outputs[i];
		c.owner = o->id;
		c.owner_conds = 0;
		if (o->when)
			o->cond = named_cond(&c, o->when);
		lower_value(&c, o->value);
		lower_value(&c, o->export_name);
	}
	for (i = 0; i < ir->nres; i++) {
		hg_ir_resource *r = ir->res[i];
		struct refwalk w;
		if (r->excluded)
			continue;
		w.c = &c;
		w.from = r;
		w.guard = r->cond;
		w.what = r->path;
		refs_value(&w, r->props);
		refs_value(&w, r->resource_group);
		for (k = 0; k < r->nargs; k++)
			refs_value(&w, r->args[k].value);
		for (k = 0; k < r->ndeps; k++) {
			if (r->deps[k]->excluded) {
				hg_diag *dg = hg_diag_add(d, HG_D_REF_EXCLUDED, &r->dep_spans[k],
				        r->deps[k]->path, NULL);
				hg_diag_note(dg, HG_D_N_DECLARED_HERE, &r->deps[k]->span, NULL);
				c.failed = true;
			}
		}
	}
	for (i = 0; i < ir->noutputs; i++) {
		struct refwalk w;
		struct secret_walk sw;
		w.c = &c;
		w.from = NULL;
		w.guard = ir->outputs[i]->cond;
		w.what = ir->outputs[i]->id;
		refs_value(&w, ir->outputs[i]->value);
		sw.c = &c;
		sw.o = ir->outputs[i];
		hg_value_visit(ir->outputs[i]->value, find_secret, &sw);
		if (ir->outputs[i]->value && hg_value_type(ir->outputs[i]->value) == HG_T_OBJECT) {
			hg_diag_add(d, HG_D_OUTPUT_NOT_STRING, &ir->outputs[i]->value->span,
			        ir->outputs[i]->decl->name, hg_type_name(HG_T_OBJECT), NULL);
			c.failed = true;
		}
	}
	/* Drop excluded resources; nothing refers to them any more. */
	for (i = n = 0; i < ir->nres; i++)
		if (!ir->res[i]->excluded)
			ir->res[n++] = ir->res[i];
	ir->nres = n;
	check_all_ids(&c);
	check_graph(&c);
	/* Nested deployments are units of their own. */
	for (i = 0; i < ir->nres; i++)
		if (ir->res[i]->nested && hg_lower(ir->res[i]->nested, d) < 0)
			c.failed = true;
	return c.failed ? HG_EINVALID : 0;
}
