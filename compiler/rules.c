/*
 * rules.c: the one engine that evaluates control rules (see rules.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. A rule selects nodes of a resource body with a dotted path in
 * which [*] walks a list ("properties.subnets[*]"), skips the nodes its
 * `unless` names, keeps those its `when` names, and applies one check to
 * each remaining node. One check looks past the resource: referenced_by
 * asks whether another resource of the unit refers to it (a bucket's bucket
 * policy); two guard mandatory resources against other resources
 * (not_targeting, shadowing).
 *
 * Values known only at deploy time. A property may be a parameter or a
 * condition's choice between two values (Fn::If, ARM if(), a hinagata
 * `a ? b : c`), or be computed from them (Fn::Join, Fn::Sub, Fn::Select,
 * concat()). These are choice points. The engine evaluates a resource in
 * scenarios: first the one a deployment gets with nothing chosen (every
 * parameter at its default, in the deploy view; the findings are errors),
 * then, one choice point at a time, every other value it can take (another
 * allowed value, a value a parameter without allowed values would accept,
 * the other branch of a condition; the findings are warnings that name the
 * choice). Varying one choice at a time keeps the work linear in the
 * number of choice points while still naming, for every finding, the one
 * parameter or condition that leads to it. Each check records the choice
 * points it went through (the trail), and the findings carry them as notes.
 * A value computed from resources (Ref, GetAtt, an ARM reference()) is not
 * known before deploy time and no rule judges it: the cloud's own policy
 * (the assignments of gc/azure/policy-baseline, the SCPs of the Digital
 * Agency) is what enforces it then.
 */
#include "rules.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lower.h"

/* ---- choice points and scenarios ---- */

enum { CH_PARAM, CH_COND, CH_EXPR };

/* A parameter, a named condition, or an anonymous `a ? b : c`. */
struct choice {
	int kind;
	const void *key; /* hg_param_decl, hg_ir_cond or hg_expr */
	const char *name;
	hg_span span;
	const hg_param_decl *decl;
	const hg_expr *expr; /* the condition (CH_COND: its expression) */
};

/* One step of the trail: a choice point a check went through, and what it gave. */
struct step {
	const struct choice *c;
	const hg_value *value; /* CH_PARAM */
	int truth;             /* CH_COND, CH_EXPR */
};

#define MAX_CHOICES      32
#define MAX_STEPS        16
#define MAX_ALTERNATIVES 16
#define MAX_DEPTH        512 /* evaluation nesting; raw.c bounds templates at 256 levels */

/* A referrer (from) whose value is a reference to a resource (to) in every scenario. */
struct target {
	const hg_ir_resource *to, *from;
};

struct eval {
	const hg_ir *root; /* every resource, for REFERENCED and the guards */
	const hg_template *catalog;
	hg_diags *d;
	hg_arena *a;
	bool deploy_view;
	bool plain_values; /* hg_rules_options: no choice to collect */
	const hg_rule *rule;
	const hg_ir_resource *res;
	bool failed;
	/* the choice points of the resource */
	struct choice ch[MAX_CHOICES];
	size_t nch;
	/* the scenario: NULL, or one choice point with one of its alternatives */
	const struct choice *dev;
	const hg_value *dev_value; /* CH_PARAM: an allowed value, or &any */
	int dev_truth;             /* CH_COND, CH_EXPR */
	bool dev_used;             /* the check went through the deviating choice */
	int depth;                 /* nested evaluation: conditions may name each other */
	const char *witness;       /* &any: the value that breaks the check (bilingual) */
	struct step trail[MAX_STEPS];
	size_t ntrail;
	hg_span found;    /* where the value at() last found is written */
	hg_span where;    /* where the value a `when` matched is written */
	hg_span selected; /* the key of the mapping `select` chose */
	/* findings of this rule on this resource, by position (one each) */
	hg_span *seen;
	size_t nseen, capseen;
	/* memos: the rules that apply to a type (most templates have few types
	 * and many resources), and per (rule, unit) the resources that could
	 * refer to another (REFERENCED was a scan of every resource per resource) */
	struct applies {
		const char *type; /* borrowed from the IR */
		uint32_t *rules;  /* indexes into the rules, malloc'd */
		size_t n;
	} *applies;
	size_t napplies, capapplies;
	struct referrers {
		const hg_rule *rule;
		const hg_ir *ir;
		const hg_ir_resource **res; /* malloc'd: the unit's resources of the rule's ref_types,
		                               and its nested units (marked by their nested IR) */
		size_t n;
		/* malloc'd, per resource: 0 not looked at yet, 1 its value at the
		 * rule's path is val[i] in every scenario, 2 it depends on one */
		unsigned char *fixed;
		const hg_value **val;
		/* malloc'd, made on the first question (REFERENCED asks it for
		 * every resource): the referrers whose value is a reference to a
		 * resource in every scenario, by that resource (struct target);
		 * the indexes of the others, asked one by one */
		struct target *targets;
		size_t ntargets;
		size_t *others;
		size_t nothers;
		bool indexed;
	} *referrers;
	size_t nreferrers, capreferrers;
};

/* Markers: a value not known before deploy time, and a value an adversary picks. */
static hg_value unknown = {HG_V_INTERP, {0}, {0}};
static hg_value any = {HG_V_INTERP, {0}, {0}};

static bool deploy_time(const hg_value *v)
{
	return v && v != &any && (v == &unknown || v->kind == HG_V_EXPR || v->kind == HG_V_INTERP);
}

static void step(struct eval *ev, const struct choice *c, const hg_value *value, int truth)
{
	size_t i;
	if (c == ev->dev)
		ev->dev_used = true;
	for (i = 0; i < ev->ntrail; i++)
		if (ev->trail[i].c == c)
			return;
	if (ev->ntrail < MAX_STEPS)
		ev->trail[ev->ntrail++] = (struct step){c, value, truth};
}

static const struct choice *choice_of(const struct eval *ev, const void *key)
{
	size_t i;
	for (i = 0; i < ev->nch; i++)
		if (ev->ch[i].key == key)
			return &ev->ch[i];
	return NULL;
}

static const hg_value *resolve(struct eval *ev, const hg_value *v);
static int truth(struct eval *ev, const hg_expr *e);

/* A constant made during evaluation (arena-owned). */
static const hg_value *make_str(struct eval *ev, const char *s, size_t len, const hg_span *span)
{
	return hg_value_str(ev->a, s, len, span);
}

static const hg_value *make_bool(struct eval *ev, bool b, const hg_span *span)
{
	hg_value *v = hg_value_new(ev->a, HG_V_BOOL, span);
	v->u.b = b;
	return v;
}

/* The value of an expression in the scenario (see resolve). */
static const hg_value *expr_value(struct eval *ev, const hg_expr *e, const hg_value *whole)
{
	hg_value *v;
	size_t i;
	int t;

	switch (e->kind) {
	case HG_EX_VALUE:
		return resolve(ev, e->u.value);
	case HG_EX_STR:
		return make_str(ev, e->u.str.s, e->u.str.len, &e->span);
	case HG_EX_INT:
		v = hg_value_new(ev->a, HG_V_INT, &e->span);
		v->u.i = e->u.i;
		return v;
	case HG_EX_BOOL:
		return make_bool(ev, e->u.b, &e->span);
	case HG_EX_PARAM: {
		const hg_param_decl *p = e->u.param->decl;
		const struct choice *c = choice_of(ev, p);
		if (c && c == ev->dev) {
			step(ev, c, ev->dev_value, 0);
			return ev->dev_value;
		}
		if (ev->deploy_view && p && p->def) {
			/* An object parameter with a value is one a parent deployment
			 * binds (raw.c): what it resolves to names the parent's choices. */
			if (c && p->type != HG_P_OBJECT)
				step(ev, c, p->def, 0);
			return resolve(ev, p->def);
		}
		return &unknown;
	}
	case HG_EX_COND:
		if ((t = truth(ev, e)) < 0)
			return &unknown;
		return expr_value(ev, t ? e->u.op.b : e->u.op.c, NULL);
	case HG_EX_PSEUDO:
		return e->u.pseudo == HG_PS_AWS_NO_VALUE ? NULL : &unknown;
	case HG_EX_NOT:
	case HG_EX_AND:
	case HG_EX_OR:
	case HG_EX_EQ:
	case HG_EX_NE:
	case HG_EX_CONDREF:
		if ((t = truth(ev, e)) < 0)
			return &unknown;
		return make_bool(ev, t == 1, &e->span);
	case HG_EX_CALL:
		if (e->u.call.fn == HG_FN_JOIN && e->u.call.n == 2) {
			/* join(separator, [parts]): text once every part is known */
			const hg_value *sep = expr_value(ev, e->u.call.args[0], NULL);
			const hg_value *list = expr_value(ev, e->u.call.args[1], NULL);
			hg_buf b = HG_BUF_INIT;
			const hg_value *r = &unknown;
			if (!sep || !list || sep->kind != HG_V_STR || list->kind != HG_V_LIST)
				return list == &any ? &any : &unknown;
			for (i = 0; i < list->u.list.n; i++) {
				const hg_value *p = resolve(ev, list->u.list.items[i]);
				if (p == &any) {
					hg_buf_dispose(&b);
					return &any;
				}
				if (!p || p->kind != HG_V_STR) {
					if (p && (p->kind == HG_V_INT || p->kind == HG_V_BOOL)) {
						hg_buf_puts(&b, i ? sep->u.str.s : "");
						if (p->kind == HG_V_INT)
							hg_buf_printf(
							        &b, "%lld", (long long)p->u.i);
						else
							hg_buf_puts(&b, p->u.b ? "true" : "false");
						continue;
					}
					hg_buf_dispose(&b);
					return &unknown;
				}
				if (i)
					hg_buf_put(&b, sep->u.str.s, sep->u.str.len);
				hg_buf_put(&b, p->u.str.s, p->u.str.len);
			}
			r = make_str(ev, b.ptr ? b.ptr : "", b.size, &e->span);
			hg_buf_dispose(&b);
			return r;
		}
		if (e->u.call.fn == HG_FN_SELECT && e->u.call.n == 2) {
			const hg_value *idx = expr_value(ev, e->u.call.args[0], NULL);
			const hg_value *list = expr_value(ev, e->u.call.args[1], NULL);
			long long k;
			if (!idx || !list || list->kind != HG_V_LIST)
				return &unknown;
			if (idx->kind == HG_V_INT)
				k = idx->u.i;
			else if (idx->kind == HG_V_STR)
				k = strtoll(idx->u.str.s, NULL, 10);
			else
				return &unknown;
			if (k < 0 || (size_t)k >= list->u.list.n)
				return &unknown;
			return resolve(ev, list->u.list.items[k]);
		}
		return &unknown;
	default:
		/* a resource, an attribute, an import: deploy time */
		return whole ? whole : &unknown;
	}
}

/*
 * The value of v in the scenario: a constant, NULL (absent: AWS::NoValue),
 * &any (what the deviating parameter is chosen to be), or a value known
 * only at deploy time (&unknown, or v itself when it refers to a resource,
 * which referenced_by can still follow).
 */
static const hg_value *resolve(struct eval *ev, const hg_value *v)
{
	const hg_value *r;
	if (!v || v == &any || v == &unknown)
		return v;
	if (v->kind == HG_V_INTERP)
		return &unknown;
	if (v->kind != HG_V_EXPR)
		return v;
	if (ev->depth >= MAX_DEPTH)
		return &unknown;
	ev->depth++;
	r = expr_value(ev, v->u.expr, v);
	ev->depth--;
	return r;
}

/* A scalar as text for comparisons ("true", "22"); false if not a scalar. */
static bool scalar_text(const hg_value *v, char *buf, size_t n)
{
	if (!v)
		return false;
	switch (v->kind) {
	case HG_V_STR:
		snprintf(buf, n, "%.*s", (int)v->u.str.len, v->u.str.s);
		return true;
	case HG_V_INT:
		snprintf(buf, n, "%lld", (long long)v->u.i);
		return true;
	case HG_V_BOOL:
		snprintf(buf, n, "%s", v->u.b ? "true" : "false");
		return true;
	default:
		return false;
	}
}

/* The truth of a condition in the scenario: 1, 0, or -1 (not known). */
static int truth_of(struct eval *ev, const hg_expr *e);

/* Bounded: conditions that name each other have no truth. */
static int truth(struct eval *ev, const hg_expr *e)
{
	int t;
	if (!e || ev->depth >= MAX_DEPTH)
		return -1;
	ev->depth++;
	t = truth_of(ev, e);
	ev->depth--;
	return t;
}

static int truth_of(struct eval *ev, const hg_expr *e)
{
	const struct choice *c;
	const hg_value *a, *b;
	char x[256], y[256];
	int l, r;

	switch (e->kind) {
	case HG_EX_CONDREF:
		c = choice_of(ev, e->u.cond);
		if (c && c == ev->dev) {
			step(ev, c, NULL, ev->dev_truth);
			return ev->dev_truth;
		}
		l = e->u.cond->expr ? truth(ev, e->u.cond->expr) : -1;
		if (c && l >= 0)
			step(ev, c, NULL, l);
		return l;
	case HG_EX_COND:
		c = choice_of(ev, e);
		if (c && c == ev->dev) {
			step(ev, c, NULL, ev->dev_truth);
			return ev->dev_truth;
		}
		l = truth(ev, e->u.op.a);
		if (c && l >= 0 && e->u.op.a->kind != HG_EX_CONDREF)
			step(ev, c, NULL, l);
		return l;
	case HG_EX_NOT:
		l = truth(ev, e->u.op.a);
		return l < 0 ? -1 : !l;
	case HG_EX_AND:
		l = truth(ev, e->u.op.a);
		if (l == 0)
			return 0;
		r = truth(ev, e->u.op.b);
		return r == 0 ? 0 : (l < 0 || r < 0 ? -1 : 1);
	case HG_EX_OR:
		l = truth(ev, e->u.op.a);
		if (l == 1)
			return 1;
		r = truth(ev, e->u.op.b);
		return r == 1 ? 1 : (l < 0 || r < 0 ? -1 : 0);
	case HG_EX_EQ:
	case HG_EX_NE:
		a = expr_value(ev, e->u.op.a, NULL);
		b = expr_value(ev, e->u.op.b, NULL);
		if (!scalar_text(a, x, sizeof(x)) || !scalar_text(b, y, sizeof(y)))
			return -1;
		return (strcmp(x, y) == 0) == (e->kind == HG_EX_EQ);
	default:
		a = expr_value(ev, e, NULL);
		if (a && a->kind == HG_V_BOOL)
			return a->u.b;
		if (a && a->kind == HG_V_STR)
			return strcasecmp(a->u.str.s, "true") == 0
			               ? 1
			               : (strcasecmp(a->u.str.s, "false") == 0 ? 0 : -1);
		return -1;
	}
}

/* ---- reading values ---- */

static void check_node(struct eval *ev, const hg_value *node);

/*
 * Check every node at path under v. The path is consumed one
 * segment at a time; "name[*]" selects the items of the list at name.
 */
/*
 * The value of the first member key of the map v, in one pass: ev->selected
 * becomes the last such member's key (where a missing setting is reported).
 */
static const hg_value *member(struct eval *ev, const hg_value *v, const char *key)
{
	const hg_value *found = NULL;
	size_t i;
	for (i = 0; i < v->u.map.n; i++)
		if (v->u.map.m[i].key[0] == key[0] && strcmp(v->u.map.m[i].key, key) == 0) {
			ev->selected = v->u.map.m[i].key_span;
			if (!found)
				found = v->u.map.m[i].value;
		}
	return found;
}

static void walk(struct eval *ev, const hg_value *v, const char *path)
{
	const char *dot, *seg_end;
	char key[128];
	size_t len, i;
	bool each;

	v = resolve(ev, v);
	if (!v || v == &any)
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
	v = resolve(ev, member(ev, v, key));
	if (!v)
		return;
	if (!each) {
		walk(ev, v, dot ? dot + 1 : "");
		return;
	}
	if (v->kind != HG_V_LIST)
		return;
	for (i = 0; i < v->u.list.n; i++) {
		ev->selected = v->u.list.items[i]->span; /* an item: reported at the item */
		walk(ev, v->u.list.items[i], dot ? dot + 1 : "");
	}
}

/* The value at a dotted path (no [*]) under v, resolved; NULL if absent. */
static const hg_value *at(struct eval *ev, const hg_value *v, const char *path)
{
	char key[128];
	const hg_value *m;
	if (v)
		ev->found = v->span; /* the node itself, until a member is found */
	v = resolve(ev, v);
	while (v && path && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		if (v->kind != HG_V_MAP || len >= sizeof(key))
			return deploy_time(v) || v == &any ? &unknown : NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		m = hg_value_get(v, key);
		if (m && m->span.line)
			ev->found =
			        m->span; /* the property as written, not a parameter's default */
		v = resolve(ev, m);
		path = dot ? dot + 1 : NULL;
	}
	return v;
}

static bool same(const hg_value *a, const hg_value *b)
{
	while (a && a->kind == HG_V_EXPR && a->u.expr->kind == HG_EX_VALUE)
		a = a->u.expr->u.value;
	while (b && b->kind == HG_V_EXPR && b->u.expr->kind == HG_EX_VALUE)
		b = b->u.expr->u.value;
	if (!a || !b)
		return false;
	if (a->kind == HG_V_STR && b->kind == HG_V_STR)
		return a->u.str.len == b->u.str.len && strcasecmp(a->u.str.s, b->u.str.s) == 0;
	/* CloudFormation reads "true" and "22" as the boolean and the number. */
	if (a->kind == HG_V_STR && (b->kind == HG_V_BOOL || b->kind == HG_V_INT)) {
		char t[32];
		return scalar_text(b, t, sizeof(t)) && strcasecmp(a->u.str.s, t) == 0;
	}
	if (b->kind == HG_V_STR && (a->kind == HG_V_BOOL || a->kind == HG_V_INT))
		return same(b, a);
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

/* ---- what the deviating parameter may be (&any) ---- */

/* CloudFormation patterns are Java regular expressions matched whole. */
static int pattern_admits(const char *pattern, const char *text)
{
	hg_buf b = HG_BUF_INIT;
	regex_t re;
	const char *p;
	int r;

	hg_buf_puts(&b, "^(");
	for (p = pattern; *p; p++) {
		if (p[0] == '\\' && p[1] == 'd') {
			hg_buf_puts(&b, "[0-9]");
			p++;
		} else if (p[0] == '\\' && p[1] == 'w') {
			hg_buf_puts(&b, "[A-Za-z0-9_]");
			p++;
		} else if (p[0] == '\\' && p[1] == 's') {
			hg_buf_puts(&b, "[[:space:]]");
			p++;
		} else
			hg_buf_putc(&b, *p);
	}
	hg_buf_puts(&b, ")$");
	if (regcomp(&re, b.ptr, REG_EXTENDED | REG_NOSUB) != 0) {
		hg_buf_dispose(&b);
		return 1; /* a pattern we cannot read rules nothing out */
	}
	r = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	hg_buf_dispose(&b);
	return r;
}

/* Whether the deviating parameter accepts value (a scalar) as its value. */
static bool admits(const struct eval *ev, const hg_value *value)
{
	const hg_param_decl *p = ev->dev ? ev->dev->decl : NULL;
	char text[256];

	if (!p || !scalar_text(value, text, sizeof(text)))
		return false;
	switch (p->type) {
	case HG_P_BOOL:
		if (strcasecmp(text, "true") != 0 && strcasecmp(text, "false") != 0)
			return false;
		break;
	case HG_P_INT: {
		char *end;
		long long n = strtoll(text, &end, 10);
		if (*end || end == text || (p->has_min && n < p->min) || (p->has_max && n > p->max))
			return false;
		break;
	}
	case HG_P_STRING:
	case HG_P_SECURE:
		if ((p->has_min_len && (int64_t)strlen(text) < p->min_len) ||
		        (p->has_max_len && (int64_t)strlen(text) > p->max_len))
			return false;
		break;
	default:
		return false;
	}
	return !p->pattern || pattern_admits(p->pattern, text);
}

/* The first value of list the deviating parameter accepts (as the witness), or NULL. */
static const hg_value *admitted(struct eval *ev, const hg_value *list)
{
	size_t i;
	for (i = 0; list && list->kind == HG_V_LIST && i < list->u.list.n; i++)
		if (admits(ev, list->u.list.items[i])) {
			hg_buf b = HG_BUF_INIT;
			hg_value_show(&b, list->u.list.items[i]);
			ev->witness = hg_arena_printf(ev->a, "%s\x1f%s", b.ptr, b.ptr);
			hg_buf_dispose(&b);
			return list->u.list.items[i];
		}
	return NULL;
}

/* ---- findings ---- */

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

static const char *shown(struct eval *ev, const hg_value *v)
{
	hg_buf b = HG_BUF_INIT;
	const char *r;
	hg_value_show(&b, v);
	r = hg_arena_printf(ev->a, "%s", b.ptr ? b.ptr : "");
	hg_buf_dispose(&b);
	return r;
}

/* What the deviation of this scenario is, bilingual: "parameter 'X' is '...'". */
static const char *deviation_text(struct eval *ev)
{
	const struct choice *c = ev->dev;
	const char *tf = ev->dev_truth ? "true" : "false";

	if (c->kind == CH_PARAM && ev->dev_value == &any) {
		const char *w = ev->witness ? ev->witness : "?\x1f?";
		const char *sep = strchr(w, '\x1f');
		size_t jl = strlen(sep + 1);
		bool noun = jl >= 3 && strcmp(sep + 1 + jl - 3, "値") == 0;
		return hg_arena_printf(ev->a,
		        "parameter '%s' is given %.*s (it has no allowed values that rule this "
		        "out)\x1fパラメータ '%s' に許可する値の指定がなく、%s%sを渡した",
		        c->name, (int)(sep - w), w, c->name, sep + 1, noun ? "" : " ");
	}
	if (c->kind == CH_PARAM)
		return hg_arena_printf(ev->a,
		        "parameter '%s' is %s (one of its allowed values)\x1fパラメータ '%s' が "
		        "%s (許可された値の 1 つ) の",
		        c->name, shown(ev, ev->dev_value), c->name, shown(ev, ev->dev_value));
	if (c->kind == CH_COND)
		return hg_arena_printf(ev->a, "condition '%s' is %s\x1f条件 '%s' が %s の", c->name,
		        tf, c->name, tf);
	return hg_arena_printf(ev->a, "the condition at line %u is %s\x1f%u 行目の条件が %s の",
	        c->span.line, tf, c->span.line, tf);
}

static void violation(struct eval *ev, const hg_span *span)
{
	const hg_rule *r = ev->rule;
	hg_buf title = HG_BUF_INIT;
	const hg_node *sup;
	hg_diag *dg;
	size_t i;
	bool possible;

	if (ev->dev && !ev->dev_used)
		return; /* the same as with nothing chosen */
	for (i = 0; i < ev->nseen; i++)
		if (ev->seen[i].line == span->line && ev->seen[i].col == span->col &&
		        ev->seen[i].file == span->file)
			return;
	hg_grow_array((void **)&ev->seen, &ev->capseen, ev->nseen + 1, sizeof(*ev->seen));
	ev->seen[ev->nseen++] = *span;

	/* Compile holds every allowed value of a deploy-time parameter to the rule. */
	possible = ev->dev != NULL;
	if (possible && ev->dev->kind == CH_PARAM && !ev->deploy_view) {
		/* A value the parameter allows is used as it is: an error; one that
		 * only chooses a branch of a condition: a warning, as the branch is. */
		possible = false;
		for (i = 0; i < ev->ntrail; i++)
			if (ev->trail[i].c->kind != CH_PARAM)
				possible = true;
	}
	sup = suppression(ev);
	if (sup && possible && !mandatory(ev->catalog, r->control))
		return; /* suppressed, and not what deploys with nothing chosen */
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
	if (possible)
		dg = hg_diag_add(ev->d, HG_D_RULE_POSSIBLE, span, r->control, title.ptr,
		        deviation_text(ev), NULL);
	else
		dg = hg_diag_add(ev->d, HG_D_RULE_VIOLATION, span, r->control, title.ptr, NULL);
	hg_buf_dispose(&title);
	/* What the finding depends on: the choices the check went through. */
	for (i = 0; i < ev->ntrail; i++) {
		const struct step *s = &ev->trail[i];
		if (s->c == ev->dev && possible)
			continue;
		if (s->c->kind == CH_PARAM && s->value == &any && ev->witness) {
			/* compile: a deploy-time parameter whose constraints let it through */
			const char *w = ev->witness, *sep = strchr(w, '\x1f');
			hg_diag_note(dg, HG_D_N_PARAM_ALLOWED, &s->c->span, s->c->name,
			        sep ? hg_arena_printf(ev->a, "%.*s", (int)(sep - w), w) : w, NULL);
		} else if (s->c->kind == CH_PARAM && s->value && s->value != &any) {
			if (s->c == ev->dev)
				hg_diag_note(dg, HG_D_N_PARAM_ALLOWED, &s->c->span, s->c->name,
				        shown(ev, s->value), NULL);
			else
				hg_diag_note(dg, HG_D_N_PARAM_DEFAULT, &s->value->span, s->c->name,
				        shown(ev, s->value), NULL);
		} else if (s->c->kind == CH_COND)
			hg_diag_note(dg, HG_D_N_CONDITION, &s->c->span, s->c->name,
			        s->truth ? "true" : "false", NULL);
	}
	if (!possible)
		ev->failed = true;
}

/* ---- the checks ---- */

/* Check v against an ALLOWED or EQUALS rule. */
static void judge(struct eval *ev, const hg_value *v, const hg_span *span)
{
	const hg_rule *r = ev->rule;

	if (v == &any) {
		/* Breaks it unless the parameter can only be what the rule wants. */
		static hg_value f = {HG_V_STR, {0}, {.str = {"false", 5}}};
		const hg_value *want = r->kind == HG_RULE_EQUALS ? r->values : NULL;
		if (want && (want->kind == HG_V_BOOL ||
		                    same(want, &(hg_value){HG_V_STR, {0}, {.str = {"true", 4}}}))) {
			hg_value list = {HG_V_LIST, {0}, {.list = {(hg_value *[]){&f}, 1}}};
			if (admitted(ev, &list))
				violation(ev, span);
			return;
		}
		if (ev->dev->decl->pattern || ev->dev->decl->type == HG_P_BOOL)
			return; /* a pattern: cannot tell which texts it lets through */
		if (!want) {    /* ALLOWED: name the values it must be one of */
			hg_buf b = HG_BUF_INIT;
			size_t i;
			for (i = 0; r->values && i < r->values->u.list.n; i++) {
				hg_buf_puts(&b, i ? ", " : "");
				hg_value_show(&b, r->values->u.list.items[i]);
			}
			ev->witness = hg_arena_printf(ev->a, "a value other than %s\x1f%s 以外の値",
			        b.ptr ? b.ptr : "", b.ptr ? b.ptr : "");
			hg_buf_dispose(&b);
		} else
			ev->witness = hg_arena_printf(ev->a, "a value other than %s\x1f%s 以外の値",
			        shown(ev, want), shown(ev, want));
		violation(ev, span);
		return;
	}
	if (!v || deploy_time(v))
		return; /* known at deploy time only */
	if (r->kind == HG_RULE_ALLOWED ? !in_list(v, r->values) : !same(v, r->values))
		violation(ev, span);
}

/*
 * The ports a value names: 22, "22", "20-25", "*" (all). Returns 0 when it
 * is computed at deploy time or is not a port at all, -1 for &any.
 */
static int port_range(const hg_value *v, long long *lo, long long *hi)
{
	char buf[32], *end;

	if (v == &any)
		return -1;
	if (!v)
		return 0;
	if (v->kind == HG_V_INT) {
		*lo = *hi = v->u.i;
		return 1;
	}
	if (v->kind != HG_V_STR || !v->u.str.len || v->u.str.len >= sizeof(buf))
		return 0;
	memcpy(buf, v->u.str.s, v->u.str.len);
	buf[v->u.str.len] = '\0';
	if (strcmp(buf, "*") == 0) {
		*lo = 0;
		*hi = 65535;
		return 1;
	}
	*lo = strtoll(buf, &end, 10);
	if (end == buf)
		return 0;
	*hi = *lo;
	if (*end == '-')
		*hi = strtoll(end + 1, &end, 10);
	return *end == '\0';
}

/* The first of the rule's ports in lo..hi, or -1. */
static long long port_hit(const hg_rule *r, long long lo, long long hi)
{
	size_t i;
	if (lo < 0 || hi < 0) { /* -1: all ports */
		lo = 0;
		hi = 65535;
	}
	for (i = 0; r->values && i < r->values->u.list.n; i++) {
		long long p, unused;
		if (port_range(r->values->u.list.items[i], &p, &unused) == 1 && p >= lo && p <= hi)
			return p;
	}
	return -1;
}

/* Whether &any (the deviating parameter) can be one of the rule's ports. */
static bool any_port(struct eval *ev)
{
	return admitted(ev, ev->rule->values) != NULL;
}

/*
 * PORTS: the range from..to (absent, or -1: all ports), or any range of the
 * list at ranges_path, must not include any of the ports. The finding is at
 * what opens it: the source the `when` matched, else the port.
 */
static void ports(struct eval *ev, const hg_value *node, const hg_span *at_span)
{
	const hg_rule *r = ev->rule;
	const hg_value *fv = at(ev, node, r->from_path), *tv, *rv;
	hg_span fspan = ev->found;
	long long from = 0, to = 65535, lo, hi;
	int k;
	size_t i;

	tv = at(ev, node, r->to_path);
	rv = r->ranges_path ? at(ev, node, r->ranges_path) : NULL;
	if (rv && rv->kind == HG_V_LIST) {
		for (i = 0; i < rv->u.list.n; i++) {
			const hg_value *p = resolve(ev, rv->u.list.items[i]);
			k = port_range(p, &lo, &hi);
			if ((k == 1 && port_hit(r, lo, hi) >= 0) || (k < 0 && any_port(ev))) {
				violation(ev, at_span ? at_span : &rv->u.list.items[i]->span);
				return;
			}
		}
		if (!fv)
			return;
	} else if (deploy_time(rv))
		return;
	if (fv) {
		k = port_range(fv, &lo, &hi);
		if (k == 0)
			return; /* computed at deploy time */
		if (k < 0) {
			if (any_port(ev))
				violation(ev, at_span ? at_span : &node->span);
			return;
		}
		from = lo;
		to = hi;
	}
	if (tv && tv != fv) {
		k = port_range(tv, &lo, &hi);
		if (k == 0)
			return;
		if (k < 0) {
			if (any_port(ev))
				violation(ev, at_span ? at_span : &node->span);
			return;
		}
		to = hi;
	}
	if (port_hit(r, from, to) >= 0)
		violation(ev, at_span ? at_span : (fv ? &fspan : &node->span));
}

/* Whether an item of a CONTAINS list matches: 1 yes, 0 no, -1 not known before deploy time. */
static int item_matches(struct eval *ev, const hg_value *item)
{
	const hg_rule *r = ev->rule;
	size_t i;
	int known = 1;

	item = resolve(ev, item);
	if (!item || item == &any || item->kind != HG_V_MAP)
		return item && deploy_time(item) ? -1 : 0;
	for (i = 0; i < r->nitem; i++) {
		const hg_value *v = at(ev, item, r->item[i].path);
		if (deploy_time(v))
			known = -1;
		else if (!v || v == &any || !in_list(v, r->item[i].in))
			return 0;
	}
	return known;
}

/* The span to report a missing property at: the resource's name for its properties. */
static const hg_span *missing_at(const struct eval *ev, const hg_value *node)
{
	if (node == ev->res->props && ev->res->decl)
		return &ev->res->decl->span;
	return ev->rule->select && ev->selected.line && node->kind == HG_V_MAP ? &ev->selected
	                                                                       : &node->span;
}

/*
 * CONTAINS: the list at path (a single object counts as a list of one, as
 * IAM policies allow for Statement) must hold an item matching every
 * condition. An item or list computed at deploy time might be the one: no
 * finding then.
 */
static void contains(struct eval *ev, const hg_value *node)
{
	const hg_value *list = at(ev, node, ev->rule->path);
	size_t i;

	if (deploy_time(list) || list == &any)
		return;
	if (list && list->kind == HG_V_MAP) {
		if (item_matches(ev, list) == 0)
			violation(ev, &list->span);
		return;
	}
	if (list && list->kind == HG_V_LIST) {
		for (i = 0; i < list->u.list.n; i++)
			if (item_matches(ev, list->u.list.items[i]) != 0)
				return;
		violation(ev, &list->span);
		return;
	}
	violation(ev, list ? &list->span : missing_at(ev, node));
}

/* Whether v refers to res (or names it: name): 1 yes, 0 no, -1 not known before deploy time. */
static int refers(
        struct eval *ev, const hg_value *v, const hg_ir_resource *res, const hg_value *name)
{
	v = resolve(ev, v);
	if (!v)
		return 0;
	if (v->kind == HG_V_EXPR) {
		const hg_expr *e = v->u.expr;
		if (e->kind == HG_EX_RESOURCE || e->kind == HG_EX_ATTR)
			return e->u.res.res == res;
		return -1; /* an import, an output of a nested deployment: could be it */
	}
	if (v == &unknown || v == &any || v->kind == HG_V_INTERP)
		return -1;
	return name && v->kind == HG_V_STR && same(v, name);
}

/* The resources of ir that could refer to another under the current rule (memo; see struct eval). */
static struct referrers *referrers_of(struct eval *ev, const hg_ir *ir)
{
	const hg_rule *r = ev->rule;
	struct referrers *x;
	size_t i, t, cap = 0;

	for (i = 0; i < ev->nreferrers; i++)
		if (ev->referrers[i].rule == r && ev->referrers[i].ir == ir)
			return &ev->referrers[i];
	hg_grow_array((void **)&ev->referrers, &ev->capreferrers, ev->nreferrers + 1,
	        sizeof(*ev->referrers));
	x = &ev->referrers[ev->nreferrers++];
	x->rule = r;
	x->ir = ir;
	x->res = NULL;
	x->n = 0;
	x->fixed = NULL;
	x->val = NULL;
	x->targets = NULL;
	x->ntargets = 0;
	x->others = NULL;
	x->nothers = 0;
	x->indexed = false;
	for (i = 0; i < ir->nres; i++) {
		const hg_ir_resource *o = ir->res[i];
		if (!o->nested) {
			if (o->excluded || !o->props)
				continue;
			for (t = 0; t < r->nref_types; t++)
				if (hg_rule_type_matches(r->ref_types[t], o->type))
					break;
			if (t == r->nref_types)
				continue;
		}
		hg_grow_array((void **)&x->res, &cap, x->n + 1, sizeof(*x->res));
		x->res[x->n++] = o;
	}
	x->fixed = hg_xcalloc(x->n + 1, 1);
	x->val = hg_xcalloc(x->n + 1, sizeof(*x->val));
	return x;
}

/*
 * What resolve gives for v when that needs no scenario and notes nothing
 * (a constant, a value known only at deploy time, a reference to a
 * resource): true and *out; false for a parameter, a condition, a function.
 */
static bool pure(const hg_value *v, const hg_value **out)
{
	if (!v || v == &any || v == &unknown || v->kind != HG_V_EXPR) {
		*out = v && v->kind == HG_V_INTERP && v != &any && v != &unknown ? &unknown : v;
		return true;
	}
	switch (v->u.expr->kind) {
	case HG_EX_VALUE: case HG_EX_STR: case HG_EX_INT: case HG_EX_BOOL: case HG_EX_PARAM:
	case HG_EX_COND: case HG_EX_NOT: case HG_EX_AND: case HG_EX_OR: case HG_EX_EQ:
	case HG_EX_NE: case HG_EX_CONDREF: case HG_EX_CALL:
		return false;
	case HG_EX_PSEUDO:
		*out = v->u.expr->u.pseudo == HG_PS_AWS_NO_VALUE ? NULL : &unknown;
		return true;
	default: /* a resource, an attribute, an import: itself (expr_value) */
		*out = v;
		return true;
	}
}

/* at() for a value whose path holds only pure values: true and *out (its result in every scenario). */
static bool fixed_at(const hg_value *v, const char *path, const hg_value **out)
{
	char key[128];

	if (!pure(v, &v))
		return false;
	while (v && path && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		if (v->kind != HG_V_MAP || len >= sizeof(key)) {
			*out = deploy_time(v) || v == &any ? &unknown : NULL;
			return true;
		}
		memcpy(key, path, len);
		key[len] = '\0';
		if (!pure(hg_value_get(v, key), &v))
			return false;
		path = dot ? dot + 1 : NULL;
	}
	*out = v;
	return true;
}

static int cmp_target(const void *a, const void *b)
{
	const struct target *x = a, *y = b;
	return x->to == y->to ? 0 : (uintptr_t)x->to < (uintptr_t)y->to ? -1 : 1;
}

/*
 * The referrers of x indexed: each one's value at the rule's path, once per
 * rule and unit when no scenario changes it; those that are a reference to
 * a resource (a bucket policy's Ref to its bucket: what refers() says of
 * them is whether they name the resource asked about) by that resource.
 */
static void index_referrers(struct eval *ev, struct referrers *x)
{
	size_t i;

	x->targets = hg_xcalloc(x->n + 1, sizeof(*x->targets));
	x->others = hg_xcalloc(x->n + 1, sizeof(*x->others));
	for (i = 0; i < x->n; i++) {
		const hg_ir_resource *o = x->res[i];
		const hg_value *v;
		if (!o->nested && !x->fixed[i])
			x->fixed[i] = fixed_at(o->props, ev->rule->path, &x->val[i]) ? 1 : 2;
		v = x->val[i];
		if (!o->nested && x->fixed[i] == 1 && v && v->kind == HG_V_EXPR &&
		        (v->u.expr->kind == HG_EX_RESOURCE || v->u.expr->kind == HG_EX_ATTR)) {
			x->targets[x->ntargets].to = v->u.expr->u.res.res;
			x->targets[x->ntargets++].from = o;
		} else
			x->others[x->nothers++] = i;
	}
	if (x->ntargets > 1)
		qsort(x->targets, x->ntargets, sizeof(*x->targets), cmp_target);
	x->indexed = true;
}

/* Whether some resource of the rule's ref_types in ir refers to res at the rule's path. */
static int referenced_in(struct eval *ev, const hg_ir *ir, const hg_value *name)
{
	struct referrers *x = referrers_of(ev, ir);
	const hg_rule *r = ev->rule;
	size_t i, n, lo, hi;
	int found = 0;

	if (!x->indexed)
		index_referrers(ev, x);
	/* A reference to res from another resource (resolve gives a reference
	 * itself, below its depth limit): found without asking the rest. */
	lo = 0;
	hi = x->ntargets;
	while (ev->depth < MAX_DEPTH && lo < hi) {
		size_t mid = (lo + hi) / 2;
		if ((uintptr_t)x->targets[mid].to < (uintptr_t)ev->res)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; ev->depth < MAX_DEPTH && lo < x->ntargets && x->targets[lo].to == ev->res; lo++)
		if (x->targets[lo].from != ev->res)
			return 1;
	n = ev->depth < MAX_DEPTH ? x->nothers : x->n;
	for (i = 0; i < n && found != 1; i++) {
		size_t j = ev->depth < MAX_DEPTH ? x->others[i] : i;
		const hg_ir_resource *o = x->res[j];
		int k;
		if (o->nested)
			k = referenced_in(ev, o->nested, name);
		else if (o == ev->res)
			continue;
		else
			k = refers(ev, x->fixed[j] == 1 ? x->val[j] : at(ev, o->props, r->path),
			        ev->res, name);
		found = k == 1 ? 1 : (k < 0 ? -1 : found);
		x = referrers_of(ev, ir); /* a nested unit's memo may have moved the array */
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
	const hg_value *name =
	        ev->rule->name_path ? at(ev, ev->res->props, ev->rule->name_path) : NULL;

	if (name && name->kind != HG_V_STR)
		name = NULL;
	if (referenced_in(ev, ev->root, name) == 0)
		violation(ev, ev->res->decl ? &ev->res->decl->span : &ev->res->span);
}

/* The mandatory resource v refers to (a Ref, a GetAtt, an output of its template), or NULL. */
static const hg_ir_resource *mandatory_target(struct eval *ev, const hg_value *v)
{
	v = resolve(ev, v);
	if (v && v->kind == HG_V_EXPR &&
	        (v->u.expr->kind == HG_EX_RESOURCE || v->u.expr->kind == HG_EX_ATTR) &&
	        v->u.expr->u.res.res->mandatory)
		return v->u.expr->u.res.res;
	return NULL;
}

/* NOT_TARGETING: the value at path (or an item of the list there) is no mandatory resource. */
static void not_targeting(struct eval *ev, const hg_value *node)
{
	const hg_value *v = at(ev, node, ev->rule->path);
	size_t i;

	if (!v || ev->res->mandatory)
		return;
	if (v->kind == HG_V_LIST) {
		for (i = 0; i < v->u.list.n; i++)
			if (mandatory_target(ev, v->u.list.items[i]))
				violation(ev, &v->u.list.items[i]->span);
		return;
	}
	if (mandatory_target(ev, v))
		violation(ev, &v->span);
}

/* Whether ir holds a mandatory resource of this type whose value at path is name. */
static bool shadowed_in(struct eval *ev, const hg_ir *ir, const hg_value *name)
{
	size_t i;
	for (i = 0; i < ir->nres; i++) {
		const hg_ir_resource *o = ir->res[i];
		if (o->nested && shadowed_in(ev, o->nested, name))
			return true;
		if (o != ev->res && o->mandatory && !o->nested &&
		        strcmp(o->type, ev->res->type) == 0 && o->props &&
		        same(at(ev, o->props, ev->rule->path), name))
			return true;
	}
	return false;
}

/* SHADOWING: no other resource of the same type and name as a mandatory one (it would replace it).
 */
static void shadowing(struct eval *ev, const hg_value *node)
{
	const hg_value *name = at(ev, node, ev->rule->path);
	if (!ev->res->mandatory && name && name->kind == HG_V_STR &&
	        shadowed_in(ev, ev->root, name))
		violation(ev, &name->span);
}

/*
 * Whether the value at path under node is one of `in` (a list there: one of
 * its items): 1, 0, or -1 when not known before deploy time. ev->where gets
 * where the matching value is written.
 */
static int matches(struct eval *ev, const hg_value *node, const char *path, const hg_value *in)
{
	const hg_value *v = at(ev, node, path);
	size_t i;

	ev->where = ev->found;
	if (v == &any)
		return admitted(ev, in) ? 1 : 0;
	if (!v || deploy_time(v))
		return -1;
	if (v->kind == HG_V_LIST) {
		for (i = 0; i < v->u.list.n; i++) {
			const hg_value *x = resolve(ev, v->u.list.items[i]);
			if ((x == &any && admitted(ev, in)) || (x && x != &any && in_list(x, in))) {
				if (v->u.list.items[i]->span.line)
					ev->where = v->u.list.items[i]->span;
				return 1;
			}
		}
		return 0;
	}
	return in_list(v, in);
}

static void check_node(struct eval *ev, const hg_value *node)
{
	const hg_rule *r = ev->rule;
	const hg_value *v;
	const hg_span *where = NULL;
	size_t i;

	for (i = 0; i < r->nunless; i++) {
		const hg_value *u = at(ev, node, r->unless[i].path);
		if (u && u != &any && !deploy_time(u) && in_list(u, r->unless[i].in))
			return;
	}
	if (r->nwhen && r->when_in) {
		for (i = 0; i < r->nwhen; i++)
			if (matches(ev, node, r->when_paths[i], r->when_in) == 1)
				break;
		if (i == r->nwhen)
			return; /* absent or computed at deploy time: not this rule's case */
		where = &ev->where;
	}
	switch (r->kind) {
	case HG_RULE_FORBIDDEN:
		violation(ev, where ? where : &ev->res->decl->type_span);
		break;
	case HG_RULE_REQUIRED:
		v = at(ev, node, r->path);
		if (!v || v->kind == HG_V_NULL) /* at the resource when its properties lack it */
			violation(ev, missing_at(ev, node));
		break;
	case HG_RULE_ABSENT:
		v = at(ev, node, r->path);
		if (v && v->kind != HG_V_NULL)
			violation(ev, &ev->found);
		break;
	case HG_RULE_PORTS:
		ports(ev, node, where);
		break;
	case HG_RULE_CONTAINS:
		contains(ev, node);
		break;
	case HG_RULE_REFERENCED:
		referenced(ev);
		break;
	case HG_RULE_NOT_TARGETING:
		not_targeting(ev, node);
		break;
	case HG_RULE_SHADOWING:
		shadowing(ev, node);
		break;
	case HG_RULE_AT_LEAST:
		v = at(ev, node, r->path);
		if (v == &any) {
			const hg_param_decl *p = ev->dev->decl;
			if (p->type == HG_P_INT && (!p->has_min || p->min < r->values->u.i)) {
				ev->witness = hg_arena_printf(ev->a, "%lld\x1f%lld",
				        (long long)(p->has_min ? p->min : 0),
				        (long long)(p->has_min ? p->min : 0));
				violation(ev, &ev->found);
			}
		} else if (v && v->kind == HG_V_INT && r->values && r->values->kind == HG_V_INT &&
		           v->u.i < r->values->u.i)
			violation(ev, &v->span);
		else if (v && v->kind == HG_V_STR && r->values && r->values->kind == HG_V_INT &&
		         strtoll(v->u.str.s, NULL, 10) < r->values->u.i)
			violation(ev, &ev->found);
		break;
	case HG_RULE_ALLOWED:
	case HG_RULE_EQUALS:
		v = at(ev, node, r->path);
		if (v)
			judge(ev, v, &ev->found);
		break;
	}
}

/* ---- scenarios ---- */

static void add_choice(struct eval *ev, int kind, const void *key, const char *name,
        const hg_span *span, const hg_param_decl *decl, const hg_expr *expr)
{
	if (choice_of(ev, key) || ev->nch >= MAX_CHOICES)
		return;
	ev->ch[ev->nch++] = (struct choice){kind, key, name, *span, decl, expr};
}

static void collect_value(struct eval *ev, const hg_value *v, int depth);

/* The choice points of an expression (and of the conditions it names). */
static void collect_expr(struct eval *ev, const hg_expr *e, int depth)
{
	size_t i;
	if (!e || depth > 64)
		return;
	switch (e->kind) {
	case HG_EX_PARAM:
		if (e->u.param->decl)
			add_choice(ev, CH_PARAM, e->u.param->decl, e->u.param->id,
			        &e->u.param->decl->span, e->u.param->decl, NULL);
		if (e->u.param->decl && e->u.param->decl->type == HG_P_OBJECT)
			collect_value(ev, e->u.param->decl->def, depth + 1); /* bound by a parent */
		return;
	case HG_EX_CONDREF:
		if (!choice_of(ev, e->u.cond)) {
			add_choice(ev, CH_COND, e->u.cond, e->u.cond->id, &e->u.cond->span, NULL,
			        e->u.cond->expr);
			collect_expr(ev, e->u.cond->expr, depth + 1);
		}
		return;
	case HG_EX_COND:
		if (e->u.op.a->kind != HG_EX_CONDREF)
			add_choice(ev, CH_EXPR, e, "", &e->span, NULL, e->u.op.a);
		collect_expr(ev, e->u.op.a, depth + 1);
		collect_expr(ev, e->u.op.b, depth + 1);
		collect_expr(ev, e->u.op.c, depth + 1);
		return;
	case HG_EX_NOT:
	case HG_EX_AND:
	case HG_EX_OR:
	case HG_EX_EQ:
	case HG_EX_NE:
		collect_expr(ev, e->u.op.a, depth + 1);
		if (e->kind != HG_EX_NOT)
			collect_expr(ev, e->u.op.b, depth + 1);
		return;
	case HG_EX_CALL:
		for (i = 0; i < e->u.call.n; i++)
			collect_expr(ev, e->u.call.args[i], depth + 1);
		return;
	case HG_EX_VALUE:
		collect_value(ev, e->u.value, depth + 1);
		return;
	default:
		return;
	}
}

static void collect_value(struct eval *ev, const hg_value *v, int depth)
{
	size_t i;
	if (!v || depth > 64)
		return;
	switch (v->kind) {
	case HG_V_LIST:
		for (i = 0; i < v->u.list.n; i++)
			collect_value(ev, v->u.list.items[i], depth + 1);
		return;
	case HG_V_MAP:
		for (i = 0; i < v->u.map.n; i++)
			collect_value(ev, v->u.map.m[i].value, depth + 1);
		return;
	case HG_V_EXPR:
		collect_expr(ev, v->u.expr, depth + 1);
		return;
	default:
		return;
	}
}

/* Run the rule on the resource in the current scenario. */
static void run(struct eval *ev, const hg_value *body)
{
	const hg_rule *r = ev->rule;

	ev->ntrail = 0;
	ev->dev_used = false;
	ev->witness = NULL;
	memset(&ev->selected, 0, sizeof(ev->selected));
	/* In the deploy view a conditional resource exists when its condition holds. */
	if (ev->deploy_view && ev->res->cond) {
		hg_expr ref;
		memset(&ref, 0, sizeof(ref));
		ref.kind = HG_EX_CONDREF;
		ref.u.cond = ev->res->cond;
		if (truth(ev, &ref) != 1)
			return;
	}
	if (r->kind == HG_RULE_FORBIDDEN || r->kind == HG_RULE_REFERENCED ||
	        r->kind == HG_RULE_SHADOWING || r->kind == HG_RULE_NOT_TARGETING)
		check_node(ev, body);
	else
		walk(ev, body, r->select);
}

/* The rule on one resource: the scenario with nothing chosen, then each deviation. */
static void check_resource(struct eval *ev, const hg_value *body)
{
	size_t i, k, ndev;

	ev->nseen = 0;
	ev->dev = NULL;
	run(ev, body);
	if (ev->rule->kind == HG_RULE_REFERENCED || ev->rule->kind == HG_RULE_SHADOWING)
		return; /* about other resources: defaults only */
	/* Parameters first: a finding names the value a user gives, and the
	 * condition it makes true or false as a note. */
	ndev = ev->nch;
	for (i = 0; i < 2 * ndev; i++) {
		const struct choice *c = &ev->ch[i % ndev];
		if ((c->kind == CH_PARAM) != (i < ndev))
			continue;
		ev->dev = c;
		if (c->kind == CH_PARAM) {
			const hg_value *allowed = c->decl->allowed;
			for (k = 0; allowed && k < allowed->u.list.n && k < MAX_ALTERNATIVES; k++) {
				if (ev->deploy_view && c->decl->def &&
				        same(allowed->u.list.items[k], c->decl->def))
					continue;
				ev->dev_value = allowed->u.list.items[k];
				run(ev, body);
			}
			/* Any value, for a parameter that lists none (not resource IDs or lists).
			 */
			if (!allowed && (ev->deploy_view || ev->rule->mandatory == 1) &&
			        c->decl->type != HG_P_LIST && c->decl->type != HG_P_OBJECT) {
				ev->dev_value = &any;
				run(ev, body);
			}
			continue;
		}
		for (k = 0; k < 2; k++) {
			ev->dev_truth = (int)k;
			run(ev, body);
		}
	}
	ev->dev = NULL;
}

/* The indexes of the rules (with a control) that apply to a resource's type (memo). */
static const struct applies *applying(struct eval *ev, const hg_rule *rules, size_t nrules,
        const char *type)
{
	struct applies *x;
	size_t i, k, cap = 0;

	for (i = ev->napplies; i-- > 0;)
		if (ev->applies[i].type == type || strcmp(ev->applies[i].type, type) == 0)
			return &ev->applies[i];
	hg_grow_array((void **)&ev->applies, &ev->capapplies, ev->napplies + 1, sizeof(*ev->applies));
	x = &ev->applies[ev->napplies++];
	x->type = type;
	x->rules = NULL;
	x->n = 0;
	for (k = 0; k < nrules; k++) {
		size_t t;
		if (!rules[k].control)
			continue;
		for (t = 0; t < rules[k].ntypes; t++)
			if (hg_rule_type_matches(rules[k].types[t], type))
				break;
		if (t == rules[k].ntypes)
			continue;
		hg_grow_array((void **)&x->rules, &cap, x->n + 1, sizeof(*x->rules));
		x->rules[x->n++] = (uint32_t)k;
	}
	return x;
}

static void check_unit(struct eval *ev, const hg_rule *rules, size_t nrules, const hg_ir *ir)
{
	size_t i, k;
	hg_value empty;

	memset(&empty, 0, sizeof(empty));
	empty.kind = HG_V_MAP;
	for (i = 0; i < ir->nres; i++) {
		const hg_ir_resource *res = ir->res[i];
		if (res->nested) {
			check_unit(ev, rules, nrules, res->nested);
			continue;
		}
		if (!res->decl)
			continue;
		ev->res = res;
		ev->nch = 0;
		empty.span = res->span;
		if (!ev->plain_values)
			collect_value(ev, res->props, 0);
		if (ev->deploy_view && res->cond &&
		        !choice_of(ev, res->cond)) { /* whether the resource exists */
			add_choice(ev, CH_COND, res->cond, res->cond->id, &res->cond->span, NULL,
			        res->cond->expr);
			collect_expr(ev, res->cond->expr, 0);
		}
		{
			const struct applies *ap = applying(ev, rules, nrules, res->type);
			for (k = 0; k < ap->n; k++) {
				const hg_rule *r = &rules[ap->rules[k]];
				if (r->mandatory >= 0 && (r->mandatory == 1) != res->mandatory)
					continue;
				ev->rule = r;
				check_resource(ev, res->props ? res->props : &empty);
			}
		}
	}
}

int hg_rules_check(const hg_rule *rules, size_t nrules, const hg_ir *ir, const hg_template *catalog,
        hg_diags *d)
{
	return hg_rules_check_opts(rules, nrules, ir, catalog, NULL, d);
}

int hg_rules_check_opts(const hg_rule *rules, size_t nrules, const hg_ir *ir,
        const hg_template *catalog, const hg_rules_options *opts, hg_diags *d)
{
	struct eval ev;

	memset(&ev, 0, sizeof(ev));
	ev.root = ir;
	ev.catalog = catalog;
	ev.d = d;
	ev.a = ir->a;
	ev.deploy_view = opts && opts->deploy_view;
	ev.plain_values = opts && opts->plain_values;
	check_unit(&ev, rules, nrules, ir);
	free(ev.seen);
	{
		size_t i;
		for (i = 0; i < ev.napplies; i++)
			free(ev.applies[i].rules);
		for (i = 0; i < ev.nreferrers; i++) {
			free(ev.referrers[i].res);
			free(ev.referrers[i].fixed);
			free(ev.referrers[i].val);
			free(ev.referrers[i].targets);
			free(ev.referrers[i].others);
		}
		free(ev.applies);
		free(ev.referrers);
	}
	return ev.failed ? HG_EINVALID : 0;
}
