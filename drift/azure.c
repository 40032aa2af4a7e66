/*
 * azure.c: Azure in the drift run (see engine.h): the az CLI's records,
 * and ARM templates compared with them.
 * Part of hinagata; see LICENSE.
 *
 * Records of `az resource list` and `az resource show` are indexed by their
 * resource ID (case-insensitive, as Azure compares them); `az deployment
 * group|sub show` gives the parameter values and the scope of a
 * deployment. An ARM template's resources get their IDs from their type
 * and name evaluated in that scope, nested deployments included, and are
 * compared with the records of those IDs; records no template claims are
 * UNMANAGED.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/hash.h"
#include "arm.h"
#include "compare.h"
#include "engine.h"

static char *lower(const char *s, size_t n)
{
	char *r = hg_xstrndup(s, n), *p;
	for (p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

/* "/subscriptions/S/resourceGroups/R/..." -> S and R (new, or NULL). */
static void scope_of(const char *id, char **sub, char **rg)
{
	const char *p;
	*sub = *rg = NULL;
	if (strncasecmp(id, "/subscriptions/", 15) != 0)
		return;
	p = strchr(id + 15, '/');
	*sub = p ? hg_xstrndup(id + 15, (size_t)(p - id - 15)) : hg_xstrdup(id + 15);
	if (p && strncasecmp(p, "/resourceGroups/", 16) == 0) {
		const char *q = strchr(p + 16, '/');
		*rg = q ? hg_xstrndup(p + 16, (size_t)(q - p - 16)) : hg_xstrdup(p + 16);
	}
}

static int store(struct engine *e, const hg_export_item *it)
{
	hg_grow_array((void **)&e->recs, &e->caprecs, e->nrecs + 1, sizeof(*e->recs));
	e->recs[e->nrecs].file = e->cur_index;
	e->recs[e->nrecs].offset = it->offset;
	e->recs[e->nrecs].len = it->len;
	e->recs[e->nrecs].rawhash = hg_hash64(it->raw, it->len);
	e->recs[e->nrecs].get = it->shape == HG_EXP_AZ_SHOW;
	e->recs[e->nrecs].line = it->span.line;
	e->recs[e->nrecs].col = it->span.col;
	return (int)e->nrecs++;
}

int hg_engine_az_record(struct engine *e, const hg_export_item *it)
{
	hg_jv *r = hg_engine_parse(e, e->tmp, it, NULL);
	const char *id, *type;
	char *key, *sub, *rg;
	json_t *prev;

	if (!r)
		return HG_EINVALID;
	id = hg_jv_str(hg_jv_get(r, "id"));
	if (!id)
		return 0;
	if (it->shape == HG_EXP_AZ_DEPLOYMENT) {
		const hg_jv *ps = hg_jv_get(hg_jv_get(r, "properties"), "parameters");
		json_t *params = json_object(), *dep;
		size_t i;
		for (i = 0; ps && ps->kind == HG_JV_OBJ && i < ps->n; i++) {
			const hg_jv *v = hg_jv_get(ps->u.members[i].val, "value");
			char *k = hg_xstrndup(ps->u.members[i].key, ps->u.members[i].klen);
			if (v)
				json_object_set_new(params, k, hg_jv_to_json(v));
			free(k);
		}
		scope_of(id, &sub, &rg);
		dep = json_pack("{s:s, s:s?, s:s?, s:o, s:b}", "name",
		        hg_jv_str(hg_jv_get(r, "name")) ? hg_jv_str(hg_jv_get(r, "name")) : "", "subscription",
		        sub, "resourceGroup", rg, "parameters", params, "used", 0);
		json_array_append_new(e->az_deps, dep);
		free(sub);
		free(rg);
		return 0;
	}
	type = hg_jv_str(hg_jv_get(r, "type"));
	key = lower(id, strlen(id));
	if (type && strcasecmp(type, "Microsoft.Resources/resourceGroups") == 0) {
		const char *loc = hg_jv_str(hg_jv_get(r, "location"));
		if (loc)
			json_object_set_new(e->az_rg_location, key, json_string(loc));
	}
	scope_of(id, &sub, &rg);
	if (sub && rg) { /* a listing of a resource group covers it */
		char *scope = hg_xstrdup("");
		free(scope);
		scope = lower(id, (size_t)(strstr(key, "/providers/") ? strstr(key, "/providers/") - key
		                                                        : (long)strlen(key)));
		json_object_set_new(e->az_scopes, scope, json_true());
		free(scope);
	}
	if (!e->az_sub && sub)
		e->az_sub = hg_arena_strdup(e->a, sub);
	if (!e->az_rg && rg)
		e->az_rg = hg_arena_strdup(e->a, rg);
	free(sub);
	free(rg);
	prev = json_object_get(e->az_index, key);
	if (!prev || it->shape == HG_EXP_AZ_SHOW ||
	        !e->recs[json_integer_value(json_object_get(prev, "rec"))].get)
		json_object_set_new(e->az_index, key,
		        json_pack("{s:i, s:b}", "rec", store(e, it), "used", 0));
	free(key);
	return 0;
}

/* ---- ARM templates ---- */

struct arm_unit {
	struct engine *e;
	const char *display;
	const char *unit;
	hg_arm_ctx ctx;
};

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

static void not_checked(struct engine *e, hg_drift_result *x, const char *why)
{
	x->status = HG_DS_NOT_CHECKED;
	x->reason = hg_arena_strdup(e->rep->arena, why);
}

static void note(struct engine *e, hg_drift_result *x, const char *path, const char *why)
{
	char *m = hg_note_text(e->rep->arena, path, why);
	hg_result_note(e->rep->arena, &x->not_checked, &x->nnot_checked, m);
}

static void compare_arm(struct arm_unit *u, json_t *res, const char *id, hg_drift_result *x)
{
	struct engine *e = u->e;
	char *key = lower(id, strlen(id));
	json_t *ent = json_object_get(e->az_index, key), *v, *r;
	hg_arena *a;
	const hg_jv *deployed;
	hg_jv *desired;
	hg_compare cmp;
	const char *k;
	size_t n = 0;
	char *scope = lower(id, (size_t)(strstr(key, "/providers/") ? strstr(key, "/providers/") - key
	                                                            : (long)strlen(key)));
	bool listed = json_object_get(e->az_scopes, scope) != NULL;

	free(scope);
	free(key);
	if (!ent) {
		if (listed) {
			x->status = HG_DS_DELETED;
			x->reason = hg_arena_strdup(e->rep->arena,
			        HG_BI("the az exports of its resource group do not have it",
			                "リソースグループの az エクスポートにありません"));
		} else
			not_checked(e, x, HG_BI("no az resource list/show export for its resource group",
			                          "リソースグループの az resource list/show のエクスポートがありません"));
		return;
	}
	json_object_set_new(ent, "used", json_true());
	a = hg_arena_new();
	deployed = hg_engine_record_whole(e, (int)json_integer_value(json_object_get(ent, "rec")), a);
	if (!deployed) {
		not_checked(e, x, HG_BI("the record cannot be read back", "レコードを読み直せません"));
		hg_arena_dispose(a);
		return;
	}
	desired = hg_jv_new(a, HG_JV_OBJ);
	desired->u.members = HG_ANEWN(a, hg_jv_member, json_object_size(res) + 1);
	json_object_foreach(res, k, v) {
		char path[300];
		if (!compared_key(k))
			continue;
		snprintf(path, sizeof(path), "/%s", k);
		if (strcmp(k, "properties") == 0 && !hg_jv_get(deployed, "properties")) {
			note(e, x, path,
			        HG_BI("az resource list does not print properties; export az resource show",
			                "az resource list はプロパティを出力しません。az resource show をエクスポートしてください"));
			continue;
		}
		free(u->ctx.why);
		u->ctx.why = NULL;
		r = hg_arm_resolve(&u->ctx, v);
		if (!r) {
			note(e, x, path, u->ctx.why ? u->ctx.why : "unresolvable");
			continue;
		}
		desired->u.members[n].key = hg_arena_strdup(a, k);
		desired->u.members[n].klen = strlen(k);
		desired->u.members[n].val = hg_jv_from_json(a, r);
		n++;
		json_decref(r);
	}
	desired->n = n;
	memset(&cmp, 0, sizeof(cmp));
	cmp.canon = e->canon;
	cmp.tmp = a;
	cmp.keep = e->rep->arena;
	cmp.type = x->type;
	{
		json_t *locked = json_object_get(json_object_get(json_object_get(res, "metadata"), "hinagata"), "locked");
		const char **lk = hg_arena_alloc(a, sizeof(char *) * (json_array_size(locked) + 1));
		size_t i;
		for (i = 0; i < json_array_size(locked); i++)
			lk[i] = json_string_value(json_array_get(locked, i));
		cmp.locked = lk;
		cmp.nlocked = json_array_size(locked);
	}
	hg_compare_resource(&cmp, x, desired, deployed);
	hg_arena_dispose(a);
}

static void arm_resources_of(struct arm_unit *u, json_t *doc);

/* A nested deployment: its template, in its resource group, with its parameters. */
static void nested(struct arm_unit *u, json_t *res)
{
	json_t *props = json_object_get(res, "properties"), *rg, *params, *inner, *vals, *v;
	struct arm_unit sub;
	const char *k;

	inner = json_object_get(props, "template");
	if (!json_is_object(inner))
		return;
	memset(&sub, 0, sizeof(sub));
	sub.e = u->e;
	sub.display = u->display;
	sub.ctx = u->ctx;
	sub.ctx.why = NULL;
	sub.ctx.doc = inner;
	rg = json_object_get(res, "resourceGroup") ? hg_arm_resolve(&u->ctx, json_object_get(res, "resourceGroup")) : NULL;
	if (rg && json_is_string(rg))
		sub.ctx.resource_group = json_string_value(rg);
	sub.unit = sub.ctx.resource_group ? sub.ctx.resource_group : u->unit;
	vals = json_object();
	params = json_object_get(props, "parameters");
	json_object_foreach(params, k, v) {
		json_t *r = hg_arm_resolve(&u->ctx, json_object_get(v, "value"));
		if (r)
			json_object_set_new(vals, k, r);
	}
	if (json_is_string(json_object_get(json_object_get(props, "expressionEvaluationOptions"), "scope")) &&
	        strcasecmp(json_string_value(json_object_get(json_object_get(props, "expressionEvaluationOptions"), "scope")), "inner") == 0)
		sub.ctx.params = vals;
	else /* outer scope: the nested template's expressions see the parent's parameters */
		sub.ctx.doc = u->ctx.doc;
	if (sub.ctx.subscription && sub.ctx.resource_group) {
		hg_buf b = HG_BUF_INIT;
		char *rgid;
		hg_buf_printf(&b, "/subscriptions/%s/resourcegroups/%s", sub.ctx.subscription,
		        sub.ctx.resource_group);
		rgid = lower(b.ptr, b.size);
		sub.ctx.rg_location = json_string_value(json_object_get(u->e->az_rg_location, rgid));
		free(rgid);
		hg_buf_dispose(&b);
	}
	arm_resources_of(&sub, inner); /* in the nested scope */
	json_decref(vals);
	json_decref(rg);
	free(sub.ctx.why);
}

static void arm_list(struct arm_unit *u, json_t *list, const char *parent_type, const char *parent_name);

/*
 * One resource (one instance of a copy loop: copies 1; a loop whose count
 * cannot be evaluated: copies -1) of type, evaluated in u's context.
 */
static void arm_one(struct arm_unit *u, json_t *res, const char *type, const char *parent_name,
        int copies)
{
	struct engine *e = u->e;
	json_t *meta = json_object_get(json_object_get(res, "metadata"), "hinagata"), *name, *cond, *c;
	hg_drift_result *x;
	char *id = NULL;
	size_t k;

	cond = json_object_get(res, "condition");
	if (cond && copies >= 0) {
		json_t *t = hg_arm_resolve(&u->ctx, cond);
		bool off = t && json_is_false(t);
		json_decref(t);
		if (off)
			return;
	}
	x = hg_engine_result(e);
	x->type = (char *)(uintptr_t)hg_arena_intern(e->rep->arena, type, strlen(type));
	x->unit = hg_arena_strdup(e->rep->arena, u->unit);
	x->source_file = hg_arena_strdup(e->rep->arena, u->display);
	x->template_name = json_string_value(json_object_get(meta, "template"))
	                           ? hg_arena_strdup(e->rep->arena, json_string_value(json_object_get(meta, "template")))
	                           : NULL;
	x->template_version = json_string_value(json_object_get(meta, "version"))
	                              ? hg_arena_strdup(e->rep->arena, json_string_value(json_object_get(meta, "version")))
	                              : NULL;
	x->mandatory = json_is_true(json_object_get(meta, "mandatory"));
	x->account = u->ctx.subscription ? hg_arena_strdup(e->rep->arena, u->ctx.subscription) : NULL;
	json_array_foreach(json_object_get(meta, "controls"), k, c)
		if (json_is_string(c))
			hg_result_note(e->rep->arena, &x->controls, &x->ncontrols, json_string_value(c));
	if (copies < 0) {
		x->logical_id = hg_arena_strdup(e->rep->arena,
		        json_string_value(json_object_get(res, "name")) ? json_string_value(json_object_get(res, "name")) : "?");
		not_checked(e, x, u->ctx.why ? u->ctx.why : HG_BI("the copy loop's count cannot be evaluated", "copy ループの回数を評価できません"));
		return;
	}
	free(u->ctx.why);
	u->ctx.why = NULL;
	name = hg_arm_resolve(&u->ctx, json_object_get(res, "name"));
	if (parent_name && json_is_string(name) && !strchr(json_string_value(name), '/')) {
		json_t *fullname = json_sprintf("%s/%s", parent_name, json_string_value(name));
		json_decref(name);
		name = fullname;
	}
	/* The template's own name for it; a copy's instances go by their names. */
	x->logical_id = hg_arena_strdup(e->rep->arena,
	        json_string_value(json_object_get(meta, "resource")) && !copies
	                ? json_string_value(json_object_get(meta, "resource"))
	                : (json_is_string(name) ? json_string_value(name)
	                   : json_string_value(json_object_get(res, "name")) ? json_string_value(json_object_get(res, "name")) : "?"));
	if (!json_is_string(name)) {
		not_checked(e, x, u->ctx.why ? u->ctx.why : "the name cannot be evaluated");
	} else if (json_object_get(res, "scope")) {
		json_t *scope = hg_arm_resolve(&u->ctx, json_object_get(res, "scope"));
		if (json_is_string(scope)) {
			hg_buf b = HG_BUF_INIT;
			hg_buf_printf(&b, "%s/providers/%s/%s", json_string_value(scope), type,
			        json_string_value(name));
			id = hg_buf_detach(&b);
		} else
			not_checked(e, x, u->ctx.why ? u->ctx.why : "the scope cannot be evaluated");
		json_decref(scope);
	} else if (strcasecmp(type, "Microsoft.Resources/resourceGroups") == 0 && u->ctx.subscription) {
		hg_buf b = HG_BUF_INIT;
		hg_buf_printf(&b, "/subscriptions/%s/resourceGroups/%s", u->ctx.subscription,
		        json_string_value(name));
		id = hg_buf_detach(&b);
	} else {
		id = hg_arm_resource_id(&u->ctx, type, json_string_value(name));
		if (!id)
			not_checked(e, x, u->ctx.why ? u->ctx.why : "the resource ID cannot be evaluated");
	}
	if (id) {
		x->physical_id = hg_arena_strdup(e->rep->arena, id);
		compare_arm(u, res, id, x);
		free(id);
	}
	if (json_is_string(name) && json_is_array(json_object_get(res, "resources")))
		arm_list(u, json_object_get(res, "resources"), type, json_string_value(name));
	json_decref(name);
}

/*
 * A list of resources evaluated in u's context; parent_type and parent_name
 * are set for child resources written in a parent's own "resources". A
 * resource's copy loop makes one resource per iteration, copyIndex() giving
 * its number.
 */
static void arm_list(struct arm_unit *u, json_t *list, const char *parent_type, const char *parent_name)
{
	json_t *res;
	size_t i;

	json_array_foreach(list, i, res) {
		const char *rtype = json_string_value(json_object_get(res, "type"));
		json_t *copy = json_object_get(res, "copy");
		const char *type = rtype, *loop = json_string_value(json_object_get(copy, "name"));
		char *full_type = NULL;
		long count, k;

		if (!type)
			continue;
		if (parent_type && !strchr(rtype, '/')) {
			hg_buf b = HG_BUF_INIT;
			hg_buf_printf(&b, "%s/%s", parent_type, rtype);
			type = full_type = hg_buf_detach(&b);
		}
		if (strcasecmp(type, "Microsoft.Resources/deployments") == 0) {
			nested(u, res);
		} else if (!copy) {
			arm_one(u, res, type, parent_name, 0);
		} else {
			free(u->ctx.why);
			u->ctx.why = NULL;
			count = loop ? hg_arm_copy_count(&u->ctx, copy) : -1;
			if (count < 0 || !hg_arm_loop_push(&u->ctx, loop)) {
				arm_one(u, res, type, parent_name, -1);
			} else {
				for (k = 0; k < count; k++) {
					u->ctx.loops[u->ctx.nloops - 1].index = k;
					arm_one(u, res, type, parent_name, 1);
				}
				hg_arm_loop_pop(&u->ctx);
			}
		}
		free(full_type);
	}
}

/* The resources of doc (the template, or a nested one), evaluated in u's context. */
static void arm_resources_of(struct arm_unit *u, json_t *doc)
{
	arm_list(u, json_object_get(doc, "resources"), NULL, NULL);
}

/* The deployment whose parameters fit the template best (unused), or NULL. */
static json_t *pick_deployment(struct engine *e, json_t *doc)
{
	json_t *dep, *best = NULL, *decl = json_object_get(doc, "parameters");
	size_t i;
	long score = -1;
	const char *k;
	json_t *v;

	json_array_foreach(e->az_deps, i, dep) {
		long s = 0;
		if (json_is_true(json_object_get(dep, "used")))
			continue;
		json_object_foreach(json_object_get(dep, "parameters"), k, v)
			s += json_object_get(decl, k) ? 1 : -1;
		if (s > score) {
			score = s;
			best = dep;
		}
	}
	if (best)
		json_object_set_new(best, "used", json_true());
	return best;
}

int hg_engine_arm(struct engine *e, json_t *doc, const char *display)
{
	struct arm_unit u;
	json_t *dep = pick_deployment(e, doc);
	char *rgid = NULL;

	memset(&u, 0, sizeof(u));
	u.e = e;
	u.display = display;
	u.ctx.doc = doc;
	if (dep) {
		u.ctx.params = json_object_get(dep, "parameters");
		u.ctx.subscription = json_string_value(json_object_get(dep, "subscription"));
		u.ctx.resource_group = json_string_value(json_object_get(dep, "resourceGroup"));
		u.unit = json_string_value(json_object_get(dep, "name"));
	} else {
		u.ctx.subscription = e->az_sub;
		u.ctx.resource_group = e->az_rg;
	}
	if (json_string_value(json_object_get(doc, "$schema")) &&
	        strstr(json_string_value(json_object_get(doc, "$schema")), "subscriptionDeploymentTemplate"))
		u.ctx.resource_group = NULL;
	if (u.ctx.subscription && u.ctx.resource_group) {
		hg_buf b = HG_BUF_INIT;
		hg_buf_printf(&b, "/subscriptions/%s/resourcegroups/%s", u.ctx.subscription, u.ctx.resource_group);
		rgid = lower(b.ptr, b.size);
		hg_buf_dispose(&b);
		u.ctx.rg_location = json_string_value(json_object_get(e->az_rg_location, rgid));
	}
	if (!u.unit)
		u.unit = u.ctx.resource_group ? u.ctx.resource_group : display;
	arm_resources_of(&u, doc);
	free(rgid);
	free(u.ctx.why);
	return 0;
}

/* Records no template claimed: UNMANAGED. */
void hg_engine_az_unmanaged(struct engine *e)
{
	const char *k;
	json_t *ent;
	void *iter;

	for (iter = json_object_iter(e->az_index); iter; iter = json_object_iter_next(e->az_index, iter)) {
		hg_arena *a;
		const hg_jv *r;
		hg_drift_result *x;
		k = json_object_iter_key(iter);
		ent = json_object_iter_value(iter);
		(void)k;
		if (json_is_true(json_object_get(ent, "used")))
			continue;
		a = hg_arena_new();
		r = hg_engine_record_whole(e, (int)json_integer_value(json_object_get(ent, "rec")), a);
		if (r && hg_jv_str(hg_jv_get(r, "type")) &&
		        strcasecmp(hg_jv_str(hg_jv_get(r, "type")), "Microsoft.Resources/deployments") != 0 &&
		        strcasecmp(hg_jv_str(hg_jv_get(r, "type")), "Microsoft.Resources/resourceGroups") != 0) {
			char *sub, *rg;
			x = hg_engine_result(e);
			x->status = HG_DS_UNMANAGED;
			x->type = (char *)(uintptr_t)hg_arena_intern(e->rep->arena, hg_jv_str(hg_jv_get(r, "type")),
			        strlen(hg_jv_str(hg_jv_get(r, "type"))));
			x->physical_id = hg_arena_strdup(e->rep->arena, hg_jv_str(hg_jv_get(r, "id")));
			scope_of(x->physical_id, &sub, &rg);
			x->unit = hg_arena_strdup(e->rep->arena, rg ? rg : (sub ? sub : ""));
			x->account = sub ? hg_arena_strdup(e->rep->arena, sub) : NULL;
			x->region = hg_jv_str(hg_jv_get(r, "location"))
			                    ? hg_arena_strdup(e->rep->arena, hg_jv_str(hg_jv_get(r, "location")))
			                    : NULL;
			x->source_file = hg_arena_strdup(e->rep->arena, e->files[e->recs[json_integer_value(json_object_get(ent, "rec"))].file]);
			x->source_line = e->recs[json_integer_value(json_object_get(ent, "rec"))].line;
			free(sub);
			free(rg);
		}
		hg_arena_dispose(a);
	}
}
