/*
 * rules.c: the one engine that evaluates control rules (see rules.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. A rule selects nodes of a resource body with a dotted path in
 * which [*] walks a list ("properties.subnets[*]"), skips the nodes its
 * `unless` names, and applies one check to each remaining node. Paths
 * that run into a value computed at deploy time stop there: the rule can
 * neither pass nor fail such a node at compile time, and the cloud's own
 * policy (the assignments of gc/azure/policy-baseline, the SCPs of the
 * Digital Agency) is what enforces it then. One check looks past the
 * resource: referenced_by asks whether another resource of the unit refers
 * to it (a bucket's bucket policy).
 */
#include "rules.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lower.h"

bool hg_rule_type_matches(const char *pattern, const char *type)
{
	size_t n = strlen(pattern);
	if (strcmp(pattern, "*") == 0)
		return true;
	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, type, n - 1) == 0;
	return strcmp(pattern, type) == 0;
}

struct eval {
	const hg_ir *root; /* every resource, for REFERENCED */
	const hg_template *catalog;
	hg_diags *d;
	const hg_rule *rule;
	const hg_ir_resource *res;
	bool failed;
};

/* Strip a constant wrapped in an expression. */
static const hg_value *plain(const hg_value *v)
{
	while (v && v->kind == HG_V_EXPR && v->u.expr->kind == HG_EX_VALUE)
		v = v->u.expr->u.value;
	return v;
}

static void check_node(struct eval *ev, const hg_value *node);

/*
 * Check every node at path under v. The path is consumed one
 * segment at a time; "name[*]" selects the items of the list at name.
 */
static void walk(struct eval *ev, const hg_value *v, const char *path)
{
	const char *dot, *seg_end;
	char key[128];
	size_t len, i;
	bool each;

	v = plain(v);
	if (!v)
		return;
	if (!path || !*path) {
		check_node(ev, v);
		return;
	}
	if (v->kind != HG_V_MAP)
		return; /* computed at deploy time, or not an object: nothing to check */
	dot = strchr(path, '.');
	seg_end = dot ? dot : path + strlen(path);
	len = (size_t)(seg_end - path);
	each = len >= 3 && strncmp(seg_end - 3, "[*]", 3) == 0;
	if (each)
		len -= 3;
	if (len >= sizeof(key))
		return;
	memcpy(key, path, len);
	key[len] = '\0';
	v = plain(hg_value_get(v, key));
	if (!v)
		return;
	if (!each) {
		walk(ev, v, dot ? dot + 1 : "");
		return;
	}
	if (v->kind != HG_V_LIST)
		return;
	for (i = 0; i < v->u.list.n; i++)
		walk(ev, v->u.list.items[i], dot ? dot + 1 : "");
}

/* The value at a dotted path (no [*]) under v; NULL if absent. */
static const hg_value *at(const hg_value *v, const char *path)
{
	char key[128];
	while (v && path && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		v = plain(v);
		if (!v || v->kind != HG_V_MAP || len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		v = hg_value_get(v, key);
		path = dot ? dot + 1 : NULL;
	}
	return plain(v);
}

static bool same(const hg_value *a, const hg_value *b)
{
	a = plain(a);
	b = plain(b);
	if (a->kind == HG_V_STR && b->kind == HG_V_STR)
		return a->u.str.len == b->u.str.len && strcasecmp(a->u.str.s, b->u.str.s) == 0;
	return hg_value_equal(a, b);
}

static bool in_list(const hg_value *v, const hg_value *list)
{
	size_t i;
	for (i = 0; list && i < list->u.list.n; i++)
		if (same(v, list->u.list.items[i]))
			return true;
	return false;
}

static bool mandatory(const hg_template *cat, const char *id)
{
	size_t i;
	for (i = 0; cat && i < cat->ncatalog; i++)
		if (strcmp(cat->catalog[i].id, id) == 0)
			return cat->catalog[i].mandatory;
	return false;
}

/* The suppression of the rule's control on the resource, or NULL. */
static const hg_node *suppression(const struct eval *ev)
{
	const hg_node *list = ev->res->decl ? ev->res->decl->suppress : NULL;
	size_t i;

	for (i = 0; list && list->kind == HG_NODE_SEQ && i < list->u.seq.n; i++) {
		const hg_node *c = hg_node_get(list->u.seq.items[i], "control");
		if (c && c->kind == HG_NODE_SCALAR &&
		        strcmp(c->u.scalar.str, ev->rule->control) == 0)
			return list->u.seq.items[i];
	}
	return NULL;
}

static void violation(struct eval *ev, const hg_span *span)
{
	const hg_rule *r = ev->rule;
	hg_buf title = HG_BUF_INIT;
	const hg_node *sup = suppression(ev);

	if (sup && !mandatory(ev->catalog, r->control)) {
		const hg_node *reason = hg_node_get(sup, "reason");
		hg_diag_add(ev->d, HG_D_SUPPRESSED, span, r->control,
		        reason && reason->kind == HG_NODE_SCALAR ? reason->u.scalar.str : "", NULL);
		return;
	}
	if (sup)
		hg_diag_add(ev->d, HG_D_SUPPRESS_MANDATORY, &sup->span, r->control, NULL);

	/* The title is bilingual data: hand both to the renderer. */
	hg_buf_puts(&title, r->title.en ? r->title.en : (r->title.ja ? r->title.ja : ""));
	hg_buf_putc(&title, '\x1f');
	hg_buf_puts(&title, r->title.ja ? r->title.ja : (r->title.en ? r->title.en : ""));
	hg_diag_add(ev->d, HG_D_RULE_VIOLATION, span, r->control, title.ptr, NULL);
	hg_buf_dispose(&title);
	ev->failed = true;
}

/* Check v (a constant, or a parameter with allowed values) against the rule. */
static void judge(struct eval *ev, const hg_value *v, const hg_span *span)
{
	const hg_rule *r = ev->rule;
	const hg_param_decl *p = NULL;
	size_t i;

	if (v->kind == HG_V_EXPR && v->u.expr->kind == HG_EX_PARAM)
		p = v->u.expr->u.param->decl;
	if (p && p->allowed) {
		/* Every value the parameter may take must pass. */
		for (i = 0; i < p->allowed->u.list.n; i++) {
			const hg_value *a = p->allowed->u.list.items[i];
			if (r->kind == HG_RULE_ALLOWED ? !in_list(a, r->values)
			                               : !same(a, r->values)) {
				violation(ev, span);
				return;
			}
		}
		return;
	}
	if (v->kind == HG_V_EXPR || v->kind == HG_V_INTERP)
		return; /* known at deploy time only */
	if (r->kind == HG_RULE_ALLOWED ? !in_list(v, r->values) : !same(v, r->values))
		violation(ev, span);
}

/*
 * The ports a value names: 22, "22", "20-25", "*" (all). Returns false when
 * it is computed at deploy time or is not a port at all.
 */
static bool port_range(const hg_value *v, long long *lo, long long *hi)
{
	char buf[32], *end;

	v = plain(v);
	if (!v)
		return false;
	if (v->kind == HG_V_INT) {
		*lo = *hi = v->u.i;
		return true;
	}
	if (v->kind != HG_V_STR || !v->u.str.len || v->u.str.len >= sizeof(buf))
		return false;
	memcpy(buf, v->u.str.s, v->u.str.len);
	buf[v->u.str.len] = '\0';
	if (strcmp(buf, "*") == 0) {
		*lo = 0;
		*hi = 65535;
		return true;
	}
	*lo = strtoll(buf, &end, 10);
	if (end == buf)
		return false;
	*hi = *lo;
	if (*end == '-')
		*hi = strtoll(end + 1, &end, 10);
	return *end == '\0';
}

/* PORTS: the range from..to (absent, or -1: all ports) must not include any of the ports. */
static void ports(struct eval *ev, const hg_value *node)
{
	const hg_rule *r = ev->rule;
	const hg_value *fv = at(node, r->from_path), *tv = at(node, r->to_path);
	long long from = 0, to = 65535, lo, hi;
	size_t i;

	if (fv) {
		if (!port_range(fv, &lo, &hi))
			return; /* computed at deploy time */
		from = lo;
		to = hi;
	}
	if (tv && tv != fv) {
		if (!port_range(tv, &lo, &hi))
			return;
		to = hi;
	}
	if (from < 0 || to < 0) { /* -1: all ports */
		from = 0;
		to = 65535;
	}
	for (i = 0; r->values && i < r->values->u.list.n; i++) {
		long long p;
		if (!port_range(r->values->u.list.items[i], &p, &hi))
			continue;
		if (p >= from && p <= to) {
			violation(ev, &node->span);
			return;
		}
	}
}

/* Whether an item of a CONTAINS list matches: 1 yes, 0 no, -1 not known before deploy time. */
static int item_matches(const hg_rule *r, const hg_value *item)
{
	size_t i;
	int known = 1;

	item = plain(item);
	if (!item || item->kind != HG_V_MAP)
		return item && (item->kind == HG_V_EXPR || item->kind == HG_V_INTERP) ? -1 : 0;
	for (i = 0; i < r->nitem; i++) {
		const hg_value *v = at(item, r->item[i].path);
		if (v && (v->kind == HG_V_EXPR || v->kind == HG_V_INTERP))
			known = -1;
		else if (!v || !in_list(v, r->item[i].in))
			return 0;
	}
	return known;
}

/*
 * CONTAINS: the list at path (a single object counts as a list of one, as
 * IAM policies allow for Statement) must hold an item matching every
 * condition. An item or list computed at deploy time might be the one: no
 * finding then.
 */
static void contains(struct eval *ev, const hg_value *node)
{
	const hg_rule *r = ev->rule;
	const hg_value *list = at(node, r->path);
	size_t i;

	if (list && (list->kind == HG_V_EXPR || list->kind == HG_V_INTERP))
		return;
	if (list && list->kind == HG_V_MAP) {
		if (item_matches(r, list) == 0)
			violation(ev, &list->span);
		return;
	}
	if (list && list->kind == HG_V_LIST) {
		for (i = 0; i < list->u.list.n; i++)
			if (item_matches(r, list->u.list.items[i]) != 0)
				return;
		violation(ev, &list->span);
		return;
	}
	violation(ev, list ? &list->span
	                   : (node == ev->res->props && ev->res->decl ? &ev->res->decl->span
	                                                              : &node->span));
}

/* Whether v refers to res (or names it: name): 1 yes, 0 no, -1 not known before deploy time. */
static int refers(const hg_value *v, const hg_ir_resource *res, const hg_value *name)
{
	v = plain(v);
	if (!v)
		return 0;
	if (v->kind == HG_V_EXPR) {
		const hg_expr *e = v->u.expr;
		if (e->kind == HG_EX_RESOURCE || e->kind == HG_EX_ATTR)
			return e->u.res.res == res;
		return -1; /* a parameter, an import, a condition: could be it */
	}
	if (v->kind == HG_V_INTERP)
		return -1;
	return name && v->kind == HG_V_STR && same(v, name);
}

/* Whether some resource of the rule's ref_types in ir refers to res at the rule's path. */
static int referenced_in(const struct eval *ev, const hg_ir *ir, const hg_value *name)
{
	const hg_rule *r = ev->rule;
	size_t i, t;
	int found = 0;

	for (i = 0; i < ir->nres && found != 1; i++) {
		const hg_ir_resource *o = ir->res[i];
		int k;
		if (o->nested) {
			k = referenced_in(ev, o->nested, name);
			found = k == 1 ? 1 : (k < 0 ? -1 : found);
			continue;
		}
		if (o == ev->res || o->excluded || !o->props)
			continue;
		for (t = 0; t < r->nref_types; t++)
			if (hg_rule_type_matches(r->ref_types[t], o->type))
				break;
		if (t == r->nref_types)
			continue;
		k = refers(at(o->props, r->path), ev->res, name);
		found = k == 1 ? 1 : (k < 0 ? -1 : found);
	}
	return found;
}

/*
 * REFERENCED: some other resource of the given types refers to this one
 * (an S3 bucket's bucket policy). A referrer whose reference is computed at
 * deploy time might be the one: no finding then.
 */
static void referenced(struct eval *ev)
{
	const hg_value *name = ev->rule->name_path ? at(ev->res->props, ev->rule->name_path) : NULL;

	if (name && name->kind != HG_V_STR)
		name = NULL;
	if (referenced_in(ev, ev->root, name) == 0)
		violation(ev, ev->res->decl ? &ev->res->decl->span : &ev->res->span);
}

static void check_node(struct eval *ev, const hg_value *node)
{
	const hg_rule *r = ev->rule;
	const hg_value *v;

	if (r->unless_path && r->unless_in) {
		const hg_value *u = at(node, r->unless_path);
		if (u && in_list(u, r->unless_in))
			return;
	}
	if (r->when_path && r->when_in) {
		const hg_value *w = at(node, r->when_path);
		if (!w || !in_list(w, r->when_in))
			return; /* absent or computed at deploy time: not this rule's case */
	}
	switch (r->kind) {
	case HG_RULE_FORBIDDEN:
		violation(ev, &ev->res->decl->type_span);
		break;
	case HG_RULE_REQUIRED:
		v = at(node, r->path);
		if (!v || v->kind == HG_V_NULL) /* at the resource when its properties lack it */
			violation(ev, node == ev->res->props && ev->res->decl ? &ev->res->decl->span
			                                                      : &node->span);
		break;
	case HG_RULE_PORTS:
		ports(ev, node);
		break;
	case HG_RULE_CONTAINS:
		contains(ev, node);
		break;
	case HG_RULE_REFERENCED:
		referenced(ev);
		break;
	case HG_RULE_ALLOWED:
	case HG_RULE_EQUALS:
		v = at(node, r->path);
		if (v)
			judge(ev, v, &v->span);
		break;
	}
}

static void check_unit(struct eval *ev, const hg_ir *ir)
{
	size_t i, t;
	hg_value empty;

	memset(&empty, 0, sizeof(empty));
	empty.kind = HG_V_MAP;
	for (i = 0; i < ir->nres; i++) {
		const hg_ir_resource *res = ir->res[i];
		if (res->nested) {
			check_unit(ev, res->nested);
			continue;
		}
		if (!res->decl)
			continue;
		ev->res = res;
		empty.span = res->span;
		for (t = 0; t < ev->rule->ntypes; t++)
			if (hg_rule_type_matches(ev->rule->types[t], res->type))
				break;
		if (t == ev->rule->ntypes)
			continue;
		if (ev->rule->kind == HG_RULE_FORBIDDEN || ev->rule->kind == HG_RULE_REFERENCED)
			check_node(ev, res->props ? res->props : &empty);
		else
			walk(ev, res->props ? res->props : &empty, ev->rule->select);
	}
}

int hg_rules_check(const hg_rule *rules, size_t nrules, const hg_ir *ir, const hg_template *catalog,
        hg_diags *d)
{
	struct eval ev;
	size_t i;
	bool failed = false;

	for (i = 0; i < nrules; i++) {
		if (!rules[i].control)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.root = ir;
		ev.catalog = catalog;
		ev.d = d;
		ev.rule = &rules[i];
		check_unit(&ev, ir);
		failed = failed || ev.failed;
	}
	return failed ? HG_EINVALID : 0;
}
