/*
 * resolve_cfn.c: a CloudFormation template in its stack's context ->
 * desired resources (see resolve.h).
 * Part of hinagata; see LICENSE.
 *
 * Each resource, in logical-ID order: its description (template, version,
 * controls, locked settings, from Metadata.hinagata), its fate if the
 * exports already decide it (a false condition, no stack, not in the
 * stack, no export of its type), and otherwise its properties resolved
 * against the stack (cfn.c). Sidecar resources (ingress rules written as
 * resources of their own) are merged into their parent's properties, as
 * the cloud reports them, and compared there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfn.h"
#include "resolve.h"

struct cfn_unit {
	hg_resolve_ctx *c;
	hg_cfn_ctx x;
	hg_jv *sidecars; /* parent logical ID -> [ {into, props} ] (object of arrays) */
};

/* ---- callbacks of the intrinsic resolver ---- */

static const char *physical(void *payload, const char *logical)
{
	struct cfn_unit *cu = payload;
	hg_stack_res *sr = hg_stack_find(cu->c->stack, logical);
	return sr ? sr->physical : NULL;
}

/* An attribute of a deployed resource: "Endpoint.Address" -> /Endpoint/Address of its record. */
static const hg_jv *attribute(void *payload, const char *logical, const char *attr)
{
	struct cfn_unit *cu = payload;
	hg_resolve_ctx *c = cu->c;
	hg_stack_res *sr = hg_stack_find(c->stack, logical);
	const hg_jv *v;
	const char *p = attr;
	char seg[256];
	int rc = 0;

	if (!sr || sr->rec < 0)
		return NULL;
	v = hg_state_record(c->u, &c->u->recs[sr->rec], c->a, c->fc, c->d, &rc);
	if (!v) {
		if (rc < 0 && !c->rc)
			c->rc = rc;
		return NULL;
	}
	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len >= sizeof(seg))
			return NULL;
		memcpy(seg, p, len);
		seg[len] = '\0';
		v = hg_jv_get(v, seg);
		p += len + (dot ? 1 : 0);
	}
	return v;
}

/* ---- description ---- */

static const char **strings_of(hg_arena *a, const hg_jv *list, size_t *n)
{
	const char **out;
	size_t i;

	*n = 0;
	if (!list || list->kind != HG_JV_ARR || !list->n)
		return NULL;
	out = HG_ANEWN(a, const char *, list->n);
	for (i = 0; i < list->n; i++)
		if (list->u.items[i]->kind == HG_JV_STR)
			out[(*n)++] = list->u.items[i]->u.s;
	return out;
}

void hg_resolve_describe(hg_dres *r, hg_arena *a, const hg_jv *doc_meta, const hg_jv *res_meta)
{
	const hg_jv *first = NULL, *ts = hg_jv_get(doc_meta, "templates"), *src;

	if (ts && ts->kind == HG_JV_ARR && ts->n)
		first = ts->u.items[0];
	src = hg_jv_get(res_meta, "template") ? res_meta : first;
	r->template_name = hg_jv_str(hg_jv_get(src, "template"));
	r->template_version = hg_jv_str(hg_jv_get(src, "version"));
	r->mandatory = hg_jv_get(res_meta, "mandatory") &&
	               hg_jv_get(res_meta, "mandatory")->kind == HG_JV_TRUE;
	r->controls = strings_of(a, hg_jv_get(res_meta, "controls"), &r->ncontrols);
	r->locked = strings_of(a, hg_jv_get(res_meta, "locked"), &r->nlocked);
}

static void decided(hg_dres *r, hg_drift_status s, const char *why)
{
	r->preset = s;
	r->reason = why;
}

/* ---- sidecars ---- */

static void collect_sidecars(struct cfn_unit *cu, const hg_jv *resources)
{
	hg_resolve_ctx *c = cu->c;
	size_t i, k;

	cu->sidecars = hg_jv_object(c->a, 4);
	for (i = 0; i < resources->n; i++) {
		const hg_jv *def = resources->u.members[i].val;
		const char *type = hg_jv_str(hg_jv_get(def, "Type"));
		const hg_sidecar *sc = type ? hg_canon_sidecar(c->canon, type) : NULL;
		const hg_jv *props = hg_jv_get(def, "Properties"), *parent, *arg;
		const char *pl = NULL, *fn;
		hg_jv *copy, *entry, *list;

		if (!sc || !props || props->kind != HG_JV_OBJ)
			continue;
		parent = hg_jv_get(props, sc->parent);
		fn = hg_cfn_intrinsic(parent, &arg);
		if (fn && strcmp(fn, "Ref") == 0 && arg->kind == HG_JV_STR)
			pl = arg->u.s;
		else if (fn && strcmp(fn, "Fn::GetAtt") == 0 && arg->kind == HG_JV_ARR && arg->n &&
		         arg->u.items[0]->kind == HG_JV_STR)
			pl = arg->u.items[0]->u.s;
		if (!pl)
			continue;
		copy = hg_jv_object(c->a, props->n);
		for (k = 0; k < props->n; k++) {
			size_t x;
			bool drop = false;
			for (x = 0; x < sc->ndrop; x++)
				if (strcmp(props->u.members[k].key, sc->drop[x]) == 0)
					drop = true;
			if (!drop)
				hg_jv_put(c->a, copy, props->u.members[k].key, props->u.members[k].klen,
				        props->u.members[k].val);
		}
		list = hg_jv_get(cu->sidecars, pl);
		if (!list) {
			list = hg_jv_array(c->a, 2);
			hg_jv_put(c->a, cu->sidecars, pl, strlen(pl), list);
		}
		entry = hg_jv_object(c->a, 2);
		hg_jv_put(c->a, entry, "into", 4, hg_jv_string(c->a, sc->into, strlen(sc->into)));
		hg_jv_put(c->a, entry, "props", 5, copy);
		hg_jv_push(c->a, list, entry);
	}
}

/* ---- one resource ---- */

/* "/KEY" in path (size bytes), as snprintf "/%.*s" writes it: once per property, not formatted. */
static void key_path(char *path, size_t size, const char *key, size_t klen)
{
	klen = strnlen(key, klen);
	if (klen > size - 2)
		klen = size - 2;
	path[0] = '/';
	memcpy(path + 1, key, klen);
	path[klen + 1] = '\0';
}

/* The resolved properties of def (sidecars merged), notes for what is not resolved. */
static void properties(struct cfn_unit *cu, hg_dres *r, const hg_jv *def)
{
	hg_resolve_ctx *c = cu->c;
	const hg_jv *props = hg_jv_get(def, "Properties"), *side = hg_jv_get(cu->sidecars, r->logical);
	hg_jv *out = hg_jv_object(c->a, props ? props->n + 1 : 1);
	size_t i, k;
	char path[320];

	for (i = 0; props && props->kind == HG_JV_OBJ && i < props->n; i++) {
		const hg_jv_member *m = &props->u.members[i];
		const hg_jv *v;
		key_path(path, sizeof(path), m->key, m->klen);
		if (hg_canon_write_only(c->canon, r->type, path)) {
			hg_dres_note(r, c->a, path,
			        HG_BI("write-only, never returned by reads", "書き込み専用で、読み取りでは返されません"));
			continue;
		}
		cu->x.why = NULL;
		v = hg_cfn_resolve(&cu->x, m->val);
		if (!v) {
			hg_dres_note(r, c->a, path, cu->x.why ? cu->x.why : "unresolvable");
			continue;
		}
		if (!hg_cfn_is_novalue(v))
			hg_jv_put(c->a, out, m->key, m->klen, v);
	}
	/* Sidecars: each one's properties, resolved, appended to the parent's list. */
	for (k = 0; side && k < side->n; k++) {
		const char *into = hg_jv_str(hg_jv_get(side->u.items[k], "into")) + 1;
		const hg_jv *sp = hg_jv_get(side->u.items[k], "props"), *v;
		hg_jv *list = NULL;
		cu->x.why = NULL;
		v = hg_cfn_resolve(&cu->x, sp);
		snprintf(path, sizeof(path), "/%s", into);
		if (!v) {
			hg_dres_note(r, c->a, path, cu->x.why ? cu->x.why : "unresolvable");
			continue;
		}
		for (i = 0; i < out->n; i++)
			if (strcmp(out->u.members[i].key, into) == 0) {
				const hg_jv *old = out->u.members[i].val;
				list = hg_jv_array(c->a, (old->kind == HG_JV_ARR ? old->n : 0) + 2);
				for (size_t j = 0; old->kind == HG_JV_ARR && j < old->n; j++)
					hg_jv_push(c->a, list, old->u.items[j]);
				out->u.members[i].val = list;
			}
		if (!list) {
			list = hg_jv_array(c->a, 2);
			hg_jv_put(c->a, out, into, strlen(into), list);
		}
		hg_jv_push(c->a, list, v);
	}
	r->props = out;
	r->raw = props;
}

static void resource(struct cfn_unit *cu, hg_dset *out, const char *logical, const hg_jv *def,
        const hg_jv *doc_meta)
{
	hg_resolve_ctx *c = cu->c;
	const hg_jv *cond = hg_jv_get(def, "Condition");
	const char *type = hg_jv_str(hg_jv_get(def, "Type"));
	hg_stack_res *sr;
	hg_dres *r;

	if (cond && cond->kind == HG_JV_STR) {
		int t;
		cu->x.why = NULL;
		t = hg_cfn_condition(&cu->x, cond->u.s);
		if (t == 0)
			return; /* not deployed by design */
		r = hg_dset_add(out, c->a);
		r->logical = logical;
		r->type = type ? type : "";
		hg_resolve_describe(r, c->a, doc_meta, hg_jv_get(hg_jv_get(def, "Metadata"), "hinagata"));
		if (t < 0) {
			decided(r, HG_DS_NOT_CHECKED, cu->x.why ? cu->x.why : "condition cannot be decided");
			return;
		}
	} else {
		r = hg_dset_add(out, c->a);
		r->logical = logical;
		r->type = type ? type : "";
		hg_resolve_describe(r, c->a, doc_meta, hg_jv_get(hg_jv_get(def, "Metadata"), "hinagata"));
	}
	r->raw = hg_jv_get(def, "Properties");
	if (!c->stack) {
		decided(r, HG_DS_NOT_CHECKED,
		        HG_BI("no stack in the exports has this template's resources",
		                "このテンプレートのリソースを持つスタックがエクスポートにありません"));
		return;
	}
	sr = hg_stack_find(c->stack, logical);
	if (!sr) {
		if (c->stack->have_resources)
			decided(r, HG_DS_DELETED, HG_BI("not in the stack", "スタックにありません"));
		else
			decided(r, HG_DS_NOT_CHECKED,
			        HG_BI("no describe-stack-resources export for the stack",
			                "スタックの describe-stack-resources のエクスポートがありません"));
		return;
	}
	r->identity = sr->physical;
	r->physical = sr->physical;
	if (hg_canon_sidecar(c->canon, r->type)) {
		r->sidecar = true;
		decided(r, HG_DS_IN_SYNC, HG_BI("compared as part of its parent", "親リソースの一部として比較"));
		return;
	}
	if (sr->rec < 0) {
		if (hg_unit_listed(c->u, r->type))
			decided(r, HG_DS_DELETED,
			        HG_BI("the cloudcontrol export has no such resource",
			                "cloudcontrol のエクスポートにこのリソースがありません"));
		else
			decided(r, HG_DS_NOT_CHECKED,
			        hg_arena_printf(c->a,
			                "no aws cloudcontrol export of %s\x1f%s の aws cloudcontrol "
			                "エクスポートがありません",
			                r->type, r->type));
		return;
	}
	r->rec = sr->rec;
	properties(cu, r, def);
}

static int cmp_member(const void *x, const void *y)
{
	const hg_jv_member *a = x, *b = y;
	return strcmp(a->key, b->key);
}

int hg_resolve_cfn(hg_dset *out, hg_resolve_ctx *c)
{
	struct cfn_unit cu;
	const hg_jv *resources = hg_jv_get(c->doc, "Resources");
	const hg_jv *doc_meta = hg_jv_get(hg_jv_get(c->doc, "Metadata"), "hinagata");
	hg_jv_member *sorted;
	size_t i;

	memset(&cu, 0, sizeof(cu));
	cu.c = c;
	hg_cfn_ctx_init(&cu.x, c->a, c->doc);
	cu.x.physical = physical;
	cu.x.attribute = attribute;
	cu.x.payload = &cu;
	if (c->stack) {
		cu.x.params = c->stack->have_params ? c->stack->params : NULL;
		cu.x.account = c->u->account;
		cu.x.region = c->u->region;
		cu.x.partition = c->u->partition;
		cu.x.stack_name = c->stack->name;
		cu.x.stack_id = c->stack->id;
	}
	out->unit_name = c->stack ? c->stack->name : c->t->display;
	out->source = c->t->display;
	if (!resources || resources->kind != HG_JV_OBJ)
		return 0;
	collect_sidecars(&cu, resources);
	sorted = HG_ANEWN(c->a, hg_jv_member, resources->n + 1);
	memcpy(sorted, resources->u.members, sizeof(*sorted) * resources->n);
	hg_sort(sorted, resources->n, sizeof(*sorted), cmp_member);
	/* one each, at most: grown once */
	HG_AGROW(c->a, out->res, out->cap, out->n + resources->n);
	for (i = 0; i < resources->n; i++)
		resource(&cu, out, sorted[i].key, sorted[i].val, doc_meta);
	return c->rc;
}
