/*
 * resolve_arm.c: an ARM template in its deployment's context -> desired
 * resources (see resolve.h).
 * Part of hinagata; see LICENSE.
 *
 * An ARM resource has no physical ID to look up: its resource ID follows
 * from its type and name evaluated in the deployment's scope
 * (subscription, resource group). Nested Microsoft.Resources/deployments
 * are entered with their own resource group and parameters; child
 * resources written inside their parent get the parent's type and name in
 * front of theirs; a resource's copy loop makes one desired resource per
 * iteration, named by its evaluated name. The identity is the resource ID
 * in lower case, as Azure compares them.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arm.h"
#include "resolve.h"

struct arm_unit {
	hg_resolve_ctx *c;
	hg_dset *out;
	hg_arm_ctx x;
	const hg_jv *doc_meta;
};

/* Members of an ARM resource that are not deployed settings. */
static const char *const NOT_COMPARED[] = {"type", "apiVersion", "name", "dependsOn", "condition",
        "copy", "comments", "scope", "metadata", "resources"};

static bool compared_key(const char *k)
{
	size_t i;
	for (i = 0; i < sizeof(NOT_COMPARED) / sizeof(*NOT_COMPARED); i++)
		if (strcmp(k, NOT_COMPARED[i]) == 0)
			return false;
	return true;
}

static char *lower(hg_arena *a, const char *s)
{
	char *r = hg_arena_strdup(a, s), *p;
	for (p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

static void decided(hg_dres *r, hg_drift_status s, const char *why)
{
	r->preset = s;
	r->reason = why;
}

/* The properties of res to compare with its record; notes for what is not resolved. */
static void properties(struct arm_unit *au, hg_dres *r, const hg_jv *res)
{
	hg_resolve_ctx *c = au->c;
	hg_jv *out = hg_jv_object(c->a, res->n);
	size_t i;
	char path[320];

	for (i = 0; i < res->n; i++) {
		const hg_jv_member *m = &res->u.members[i];
		const hg_jv *v;
		if (!compared_key(m->key))
			continue;
		snprintf(path, sizeof(path), "/%.*s", (int)m->klen, m->key);
		au->x.why = NULL;
		v = hg_arm_resolve(&au->x, m->val);
		if (!v) {
			hg_dres_note(r, c->a, path, au->x.why ? au->x.why : "unresolvable");
			continue;
		}
		hg_jv_put(c->a, out, m->key, m->klen, v);
	}
	r->props = out;
}

/*
 * A child resource (lower-case ID key, type with two levels or more) that
 * its parent's complete record (az resource show) does not list in the
 * collection named by the child's type (a network's "subnets", an NSG's
 * "securityRules"): not there. False when that cannot be told.
 */
static bool child_absent(hg_resolve_ctx *c, const char *key, const char *type)
{
	const char *last = strrchr(key, '/'), *coll = strrchr(type, '/'), *pend;
	const hg_jv *parent, *items;
	hg_rec *prec;
	size_t i;
	int rc = 0;

	if (!last || !coll || strchr(type, '/') == coll || last == key)
		return false;
	for (pend = last - 1; pend > key && *pend != '/'; pend--)
		;
	if (pend <= key)
		return false;
	prec = hg_unit_find_id(c->u, hg_arena_strndup(c->a, key, (size_t)(pend - key)));
	if (!prec || !(prec->flags & HG_REC_GET))
		return false;
	parent = hg_state_record(c->u, prec, c->a, c->fc, c->d, &rc);
	if (!parent) {
		if (rc < 0 && !c->rc)
			c->rc = rc;
		return false;
	}
	items = hg_jv_get(hg_jv_get(parent, "properties"), coll + 1);
	if (!items || items->kind != HG_JV_ARR)
		return false;
	for (i = 0; i < items->n; i++) {
		const char *name = hg_jv_str(hg_jv_get(items->u.items[i], "name"));
		if (!name || strcasecmp(name, last + 1) == 0)
			return false;
	}
	return true;
}

/* Look up the record of id (a resource ID) in the unit and decide or prepare r. */
static void match_record(struct arm_unit *au, hg_dres *r, const hg_jv *res, const char *id)
{
	hg_resolve_ctx *c = au->c;
	const char *key = lower(c->a, id);
	hg_rec *rec = c->u ? hg_unit_find_id(c->u, key) : NULL;

	r->identity = key;
	r->physical = id;
	if (!rec) {
		if (c->u && hg_unit_covers(c->u, key, r->type))
			decided(r, HG_DS_DELETED,
			        HG_BI("the az listings of its scope do not have it",
			                "スコープの az の一覧にありません"));
		else if (c->u && child_absent(c, key, r->type))
			decided(r, HG_DS_DELETED,
			        HG_BI("its parent's record (az resource show) does not list it",
			                "親リソースのレコード (az resource show) にありません"));
		else
			decided(r, HG_DS_NOT_CHECKED,
			        HG_BI("no az listing of its type at its scope was exported (hinagata-collect-azure "
			              "saves them)",
			                "スコープでのこの型の az の一覧がエクスポートされていません "
			                "(hinagata-collect-azure が保存します)"));
		return;
	}
	r->rec = (int)(rec - c->u->recs);
	properties(au, r, res);
}

static void arm_list(struct arm_unit *au, const hg_jv *list, const char *parent_type,
        const char *parent_name, bool top);

/*
 * The context of a nested deployment (res, in x's context): its template,
 * its resource group, its parameters. False when it has no inline template.
 */
static bool nested_ctx(hg_resolve_ctx *c, hg_arm_ctx *x, const hg_jv *res, hg_arm_ctx *sub)
{
	const hg_jv *props = hg_jv_get(res, "properties"), *inner, *params, *rg, *scope;
	hg_jv *vals;
	size_t i;

	inner = hg_jv_get(props, "template");
	if (!inner || inner->kind != HG_JV_OBJ)
		return false;
	*sub = *x;
	sub->why = NULL;
	sub->doc = inner;
	rg = hg_jv_get(res, "resourceGroup") ? hg_arm_resolve(x, hg_jv_get(res, "resourceGroup")) : NULL;
	if (rg && rg->kind == HG_JV_STR)
		sub->resource_group = rg->u.s;
	vals = hg_jv_object(c->a, 4);
	params = hg_jv_get(props, "parameters");
	for (i = 0; params && params->kind == HG_JV_OBJ && i < params->n; i++) {
		const hg_jv *v = hg_jv_get(params->u.members[i].val, "value");
		const hg_jv *r = v ? hg_arm_resolve(x, v) : NULL;
		if (r)
			hg_jv_put(c->a, vals, params->u.members[i].key, params->u.members[i].klen, r);
	}
	x->why = NULL; /* a parameter that cannot be resolved is said so where it is used */
	scope = hg_jv_get(hg_jv_get(props, "expressionEvaluationOptions"), "scope");
	if (scope && scope->kind == HG_JV_STR && strcasecmp(scope->u.s, "inner") == 0)
		sub->params = vals;
	else /* outer scope: the nested template's expressions see the parent's parameters */
		sub->doc = x->doc;
	sub->rg_location = NULL;
	if (sub->subscription && sub->resource_group && c->u && c->u->rg_location) {
		const char *rgid = lower(c->a, hg_arena_printf(c->a, "/subscriptions/%s/resourcegroups/%s",
		                                       sub->subscription, sub->resource_group));
		sub->rg_location = hg_jv_str(hg_jv_get(c->u->rg_location, rgid));
	}
	return true;
}

/* A nested deployment: its resources, in its resource group, with its parameters. */
static void nested(struct arm_unit *au, const hg_jv *res)
{
	struct arm_unit sub = *au;

	if (!nested_ctx(au->c, &au->x, res, &sub.x))
		return;
	arm_list(&sub, hg_jv_get(sub.x.doc == au->x.doc ? hg_jv_get(hg_jv_get(res, "properties"), "template")
	                                                : sub.x.doc,
	                         "resources"),
	        NULL, NULL, false);
	au->x.iterations = sub.x.iterations;
}

/*
 * reference() of a nested deployment of the template in x's context (by
 * its resource ID, or its name): {"outputs": {NAME: {"type", "value"}}},
 * the nested template's outputs evaluated in its own context.
 */
static const hg_jv *deployment_outputs(hg_arm_ctx *x, const char *id, void *payload)
{
	struct arm_unit *au = payload;
	hg_resolve_ctx *c = au->c;
	const hg_jv *list = hg_jv_get(x->doc, "resources");
	size_t i, k;

	if (!list || (list->kind != HG_JV_ARR && list->kind != HG_JV_OBJ) || x->depth > 8)
		return NULL;
	for (i = 0; i < list->n; i++) {
		const hg_jv *res = list->kind == HG_JV_ARR ? list->u.items[i] : list->u.members[i].val;
		const char *type = hg_jv_str(hg_jv_get(res, "type")), *rid = NULL;
		const hg_jv *name, *outs, *rg;
		hg_arm_ctx sub;
		hg_jv *out, *vals;

		if (!type || strcasecmp(type, "Microsoft.Resources/deployments") != 0 || hg_jv_get(res, "copy"))
			continue;
		name = hg_arm_resolve(x, hg_jv_get(res, "name") ? hg_jv_get(res, "name") : res);
		x->why = NULL;
		if (!name || name->kind != HG_JV_STR)
			continue;
		rg = hg_jv_get(res, "resourceGroup") ? hg_arm_resolve(x, hg_jv_get(res, "resourceGroup")) : NULL;
		x->why = NULL;
		if (x->subscription && rg && rg->kind == HG_JV_STR)
			rid = hg_arena_printf(c->a, "/subscriptions/%s/resourceGroups/%s/providers/"
			                            "Microsoft.Resources/deployments/%s",
			        x->subscription, rg->u.s, name->u.s);
		else if (x->subscription && !rg)
			rid = hg_arm_resource_id(x, type, name->u.s);
		x->why = NULL;
		if (strcasecmp(id, name->u.s) != 0 && (!rid || strcasecmp(id, rid) != 0))
			continue;
		if (!nested_ctx(c, x, res, &sub))
			return NULL;
		if (sub.doc == x->doc)
			sub.doc = hg_jv_get(hg_jv_get(res, "properties"), "template"); /* its outputs */
		sub.depth = x->depth + 1;
		outs = hg_jv_get(sub.doc, "outputs");
		vals = hg_jv_object(c->a, outs ? outs->n : 0);
		for (k = 0; outs && outs->kind == HG_JV_OBJ && k < outs->n; k++) {
			const hg_jv *o = outs->u.members[k].val, *v;
			hg_jv *one;
			sub.why = NULL;
			v = hg_jv_get(o, "value") ? hg_arm_resolve(&sub, hg_jv_get(o, "value")) : NULL;
			if (!v)
				continue; /* using it is unresolvable: "no such property" */
			one = hg_jv_object(c->a, 2);
			if (hg_jv_get(o, "type"))
				hg_jv_put(c->a, one, "type", 4, hg_jv_get(o, "type"));
			hg_jv_put(c->a, one, "value", 5, v);
			hg_jv_put(c->a, vals, outs->u.members[k].key, outs->u.members[k].klen, one);
		}
		out = hg_jv_object(c->a, 1);
		hg_jv_put(c->a, out, "outputs", 7, vals);
		return out;
	}
	return NULL;
}

/*
 * One resource (one instance of a copy loop: copies 1; a loop whose count
 * cannot be evaluated: copies -1) of type, evaluated in au's context.
 */
static void arm_one(struct arm_unit *au, const hg_jv *res, const char *type,
        const char *parent_name, int copies, int tindex)
{
	hg_resolve_ctx *c = au->c;
	const hg_jv *meta = hg_jv_get(hg_jv_get(res, "metadata"), "hinagata"), *cond, *name;
	const char *id = NULL, *rawname = hg_jv_str(hg_jv_get(res, "name"));
	hg_dres *r;

	cond = hg_jv_get(res, "condition");
	if (cond && copies >= 0) {
		const hg_jv *t = hg_arm_resolve(&au->x, cond);
		if (t && t->kind == HG_JV_FALSE)
			return;
	}
	r = hg_dset_add(au->out, c->a);
	r->type = type;
	r->tindex = tindex;
	hg_resolve_describe(r, c->a, au->doc_meta, meta);
	r->raw = res;
	if (copies < 0) {
		r->logical = rawname ? rawname : "?";
		decided(r, HG_DS_NOT_CHECKED,
		        au->x.why ? au->x.why : HG_BI("the copy loop's count cannot be evaluated", "copy ループの回数を評価できません"));
		return;
	}
	au->x.why = NULL;
	name = hg_arm_resolve(&au->x, hg_jv_get(res, "name") ? hg_jv_get(res, "name") : res);
	if (name && name->kind == HG_JV_STR && parent_name && !strchr(name->u.s, '/')) {
		const char *full = hg_arena_printf(c->a, "%s/%s", parent_name, name->u.s);
		name = hg_jv_string(c->a, full, strlen(full));
	}
	/* The template's own name for it; a copy's instances go by their names. */
	r->logical = hg_jv_str(hg_jv_get(meta, "resource")) && !copies
	                     ? hg_jv_str(hg_jv_get(meta, "resource"))
	                     : (name && name->kind == HG_JV_STR ? name->u.s : (rawname ? rawname : "?"));
	if (!name || name->kind != HG_JV_STR) {
		decided(r, HG_DS_NOT_CHECKED, au->x.why ? au->x.why : "the name cannot be evaluated");
	} else if (!c->u) {
		decided(r, HG_DS_NOT_CHECKED,
		        HG_BI("no az export of its subscription", "サブスクリプションの az エクスポートがありません"));
	} else if (hg_jv_get(res, "scope")) {
		const hg_jv *scope = hg_arm_resolve(&au->x, hg_jv_get(res, "scope"));
		const char *base;
		if (scope && scope->kind == HG_JV_STR && scope->u.s[0] == '/')
			id = hg_arena_printf(c->a, "%s/providers/%s/%s", scope->u.s, type, name->u.s);
		else if (scope && scope->kind == HG_JV_STR && au->x.subscription &&
		         (base = au->x.resource_group
		                         ? hg_arena_printf(c->a, "/subscriptions/%s/resourceGroups/%s",
		                                   au->x.subscription, au->x.resource_group)
		                         : hg_arena_printf(c->a, "/subscriptions/%s", au->x.subscription)))
			/* a scope written as "Namespace/type/name": a resource of the deployment's scope */
			id = hg_arena_printf(c->a, "%s/providers/%s/providers/%s/%s", base, scope->u.s, type,
			        name->u.s);
		else
			decided(r, HG_DS_NOT_CHECKED, au->x.why ? au->x.why : "the scope cannot be evaluated");
	} else if (strcasecmp(type, "Microsoft.Resources/resourceGroups") == 0 && au->x.subscription) {
		id = hg_arena_printf(c->a, "/subscriptions/%s/resourceGroups/%s", au->x.subscription, name->u.s);
	} else {
		id = hg_arm_resource_id(&au->x, type, name->u.s);
		if (!id)
			decided(r, HG_DS_NOT_CHECKED, au->x.why ? au->x.why : "the resource ID cannot be evaluated");
	}
	if (id)
		match_record(au, r, res, id);
	if (name && name->kind == HG_JV_STR && hg_jv_get(res, "resources") &&
	        hg_jv_get(res, "resources")->kind == HG_JV_ARR)
		arm_list(au, hg_jv_get(res, "resources"), type, name->u.s, false);
}

/*
 * A list of resources evaluated in au's context; parent_type and
 * parent_name are set for child resources written in a parent's own
 * "resources". A symbolic-name template (languageVersion 2.0) has an
 * object of resources instead of a list.
 */
static void arm_list(struct arm_unit *au, const hg_jv *list, const char *parent_type,
        const char *parent_name, bool top)
{
	hg_resolve_ctx *c = au->c;
	size_t i;

	if (!list || (list->kind != HG_JV_ARR && list->kind != HG_JV_OBJ))
		return;
	for (i = 0; i < list->n; i++) {
		const hg_jv *res = list->kind == HG_JV_ARR ? list->u.items[i] : list->u.members[i].val;
		const char *rtype = hg_jv_str(hg_jv_get(res, "type"));
		const hg_jv *copy = hg_jv_get(res, "copy");
		const char *type = rtype, *loop = hg_jv_str(hg_jv_get(copy, "name"));
		long count, k;
		int tindex = top ? (int)i : -1;

		if (!type)
			continue;
		if (hg_jv_get(res, "existing") && hg_jv_get(res, "existing")->kind == HG_JV_TRUE)
			continue; /* a reference to a resource deployed elsewhere */
		if (parent_type && !strchr(rtype, '/'))
			type = hg_arena_printf(c->a, "%s/%s", parent_type, rtype);
		if (strcasecmp(type, "Microsoft.Resources/deployments") == 0) {
			nested(au, res);
		} else if (!copy) {
			arm_one(au, res, type, parent_name, 0, tindex);
		} else {
			au->x.why = NULL;
			count = loop ? hg_arm_copy_count(&au->x, copy) : -1;
			if (count < 0 || !hg_arm_loop_push(&au->x, loop)) {
				arm_one(au, res, type, parent_name, -1, tindex);
			} else {
				for (k = 0; k < count; k++) {
					au->x.loops[au->x.nloops - 1].index = k;
					arm_one(au, res, type, parent_name, 1, tindex);
				}
				hg_arm_loop_pop(&au->x);
			}
		}
	}
}

int hg_resolve_arm(hg_dset *out, hg_resolve_ctx *c)
{
	struct arm_unit au;
	const char *schema = hg_jv_str(hg_jv_get(c->doc, "$schema"));

	memset(&au, 0, sizeof(au));
	au.c = c;
	au.out = out;
	au.doc_meta = hg_jv_get(hg_jv_get(c->doc, "metadata"), "hinagata");
	au.x.a = c->a;
	au.x.doc = c->doc;
	au.x.reference = deployment_outputs;
	au.x.ref_payload = &au;
	if (c->stack) {
		au.x.params = c->stack->params;
		au.x.resource_group = c->stack->scope_rg;
	} else if (c->u)
		au.x.resource_group = c->u->az_rg;
	au.x.subscription = c->u && c->u->account[0] ? c->u->account : NULL;
	if (schema && strstr(schema, "subscriptionDeploymentTemplate"))
		au.x.resource_group = NULL;
	if (au.x.subscription && au.x.resource_group && c->u && c->u->rg_location) {
		const char *rgid = lower(c->a, hg_arena_printf(c->a, "/subscriptions/%s/resourcegroups/%s",
		                                       au.x.subscription, au.x.resource_group));
		au.x.rg_location = hg_jv_str(hg_jv_get(c->u->rg_location, rgid));
	}
	out->unit_name = c->stack ? c->stack->name
	                 : au.x.resource_group ? au.x.resource_group : c->t->display;
	out->source = c->t->display;
	arm_list(&au, hg_jv_get(c->doc, "resources"), NULL, NULL, true);
	return c->rc;
}
