/*
 * engine.c: the template diff proper (see engine.h and tdiff.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. The two sides' resources are sorted by key, so pairing them is
 * one merge, and a resource whose body is equal on both sides costs one
 * comparison that stops at the first difference: a 20,000-resource
 * template where a few hundred change is compared in the time it takes to
 * read it. Only a resource that differs is walked for paths: objects by
 * the union of their keys (in byte order), arrays by their longest common
 * subsequence, so an item inserted in a list shows as one item added, not
 * as every item after it changed. Scalars compare as CloudFormation reads
 * them: "10" and 10 are one value.
 *
 * Whether a change replaces the resource is a fact of the cloud, read from
 * data: a CloudFormation type's createOnlyProperties (registry schemas), a
 * value at such a pointer that differs replaces the resource, and so does a
 * new type; for ARM, which declares no such property, the identity (type
 * and name: a new one is another resource) and the members rules.json
 * lists (the location). What a resource holds, and what keeps the old one
 * (DeletionPolicy, UpdateReplacePolicy; ARM's incremental mode leaves a
 * removed resource in place), say whether data is at risk.
 *
 * Values of properties named like secrets, a NoEcho parameter's default
 * and a secure ARM parameter's are never copied into the result: they are
 * compared, and shown as "****".
 */
#define _GNU_SOURCE
#include "engine.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../compiler/schema.h"

#define MASK "****"

struct hg_tengine {
	hg_schemas *schemas;
	json_t *rules;        /* schemas/diff/rules.json */
	char **secrets;       /* lower-case name fragments */
	size_t nsecrets;
	json_t *hold_aws, *hold_azure, *keep, *snapshot, *arm_replaces; /* borrowed from rules */
};

/* The work on one pair. */
struct work {
	hg_tengine *e;
	hg_arena *a; /* the result's */
	hg_tres *r;  /* the resource being walked */
	size_t capprops;
	bool arm;
};

/* ---- values ---- */

static bool scalar(const hg_jv *v, const char **s, size_t *n)
{
	switch (v->kind) {
	case HG_JV_STR:
	case HG_JV_NUM:
		*s = v->u.s;
		*n = v->n;
		return true;
	case HG_JV_TRUE:
		*s = "true";
		*n = 4;
		return true;
	case HG_JV_FALSE:
		*s = "false";
		*n = 5;
		return true;
	default:
		return false;
	}
}

static const hg_jv *member(const hg_jv *o, const char *key, size_t klen)
{
	size_t i;
	for (i = 0; i < o->n; i++)
		if (o->u.members[i].klen == klen && memcmp(o->u.members[i].key, key, klen) == 0)
			return o->u.members[i].val;
	return NULL;
}

/* The same value as CloudFormation and Resource Manager read it (objects in any order). */
static bool same(const hg_jv *a, const hg_jv *b)
{
	const char *sa, *sb;
	size_t na, nb, i;

	if (a == b)
		return true;
	if (!a || !b)
		return false;
	if (scalar(a, &sa, &na) && scalar(b, &sb, &nb))
		return na == nb && memcmp(sa, sb, na) == 0;
	if (a->kind != b->kind || a->n != b->n)
		return false;
	switch (a->kind) {
	case HG_JV_ARR:
		for (i = 0; i < a->n; i++)
			if (!same(a->u.items[i], b->u.items[i]))
				return false;
		return true;
	case HG_JV_OBJ:
		/* members usually come in the same order: try the same index first */
		for (i = 0; i < a->n; i++) {
			const hg_jv_member *m = &a->u.members[i], *o = &b->u.members[i];
			const hg_jv *bv = o->klen == m->klen && memcmp(o->key, m->key, m->klen) == 0
			                          ? o->val
			                          : member(b, m->key, m->klen);
			if (!bv || !same(m->val, bv))
				return false;
		}
		return true;
	default:
		return true; /* null */
	}
}

/* The value at JSON pointer p under v, or NULL; a "*" segment stops (the array is the value). */
static const hg_jv *at(const hg_jv *v, const char *p)
{
	while (v && *p == '/') {
		const char *seg = p + 1, *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		char key[256];
		size_t k = 0, i;
		if (n == 1 && *seg == '*')
			return v;
		for (i = 0; i < n && k + 1 < sizeof(key); i++) { /* ~1 is '/', ~0 is '~' */
			if (seg[i] == '~' && i + 1 < n && (seg[i + 1] == '0' || seg[i + 1] == '1')) {
				key[k++] = seg[i + 1] == '1' ? '/' : '~';
				i++;
			} else
				key[k++] = seg[i];
		}
		key[k] = '\0';
		if (v->kind == HG_JV_OBJ)
			v = member(v, key, k);
		else if (v->kind == HG_JV_ARR) {
			char *e;
			unsigned long idx = strtoul(key, &e, 10);
			v = (*e == '\0' && k && idx < v->n) ? v->u.items[idx] : NULL;
		} else
			v = NULL;
		p = seg + n;
	}
	return v;
}

static void escape_segment(hg_buf *b, const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (s[i] == '~')
			hg_buf_puts(b, "~0");
		else if (s[i] == '/')
			hg_buf_puts(b, "~1");
		else
			hg_buf_putc(b, s[i]);
	}
}

/* ---- the engine's tables ---- */

static json_t *load_json(const char *dir, const char *rel, hg_diags *d)
{
	hg_buf path = HG_BUF_INIT;
	json_error_t err;
	json_t *j;

	hg_buf_printf(&path, "%s/%s", dir ? dir : ".", rel);
	j = json_load_file(path.ptr, 0, &err);
	if (!j)
		hg_diag_add(d, HG_D_SCHEMAS_MISSING, NULL, path.ptr, NULL);
	hg_buf_dispose(&path);
	return j;
}

hg_tengine *hg_tengine_open(const hg_tdiff_options *o, hg_diags *d)
{
	hg_tengine *e = hg_xcalloc(1, sizeof(*e));
	json_t *drift, *list, *v;
	size_t i;

	e->rules = load_json(o->schema_dir, "diff/rules.json", d);
	drift = load_json(o->schema_dir, "drift/rules.json", d);
	e->schemas = hg_schemas_open(o->schema_dir);
	if (!e->rules || !drift || !e->schemas) {
		if (e->rules && drift && !e->schemas)
			hg_diag_add(d, HG_D_SCHEMAS_MISSING, NULL, o->schema_dir ? o->schema_dir : ".", NULL);
		json_decref(drift);
		hg_tengine_free(e);
		return NULL;
	}
	list = json_object_get(json_object_get(drift, "secrets"), "contains");
	e->secrets = hg_xcalloc(json_array_size(list) + 1, sizeof(char *));
	json_array_foreach(list, i, v)
	{
		if (json_is_string(v))
			e->secrets[e->nsecrets++] = hg_xstrdup(json_string_value(v));
	}
	json_decref(drift);
	e->hold_aws = json_object_get(json_object_get(e->rules, "data_holding"), "aws");
	e->hold_azure = json_object_get(json_object_get(e->rules, "data_holding"), "azure");
	e->keep = json_object_get(json_object_get(e->rules, "retain"), "keep");
	e->snapshot = json_object_get(json_object_get(e->rules, "retain"), "snapshot");
	e->arm_replaces = json_object_get(json_object_get(e->rules, "arm"), "replaces");
	return e;
}

void hg_tengine_free(hg_tengine *e)
{
	size_t i;
	if (!e)
		return;
	for (i = 0; i < e->nsecrets; i++)
		free(e->secrets[i]);
	free(e->secrets);
	json_decref(e->rules);
	hg_schemas_free(e->schemas);
	free(e);
}

/* Does a property of this name hold a secret (drift's list: password, token, ...)? */
static bool secret_name(const hg_tengine *e, const char *s, size_t n)
{
	char low[128];
	size_t k, i;
	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (k = 0; k < n; k++)
		low[k] = (char)tolower((unsigned char)s[k]);
	low[n] = '\0';
	for (i = 0; i < e->nsecrets; i++)
		if (strstr(low, e->secrets[i]))
			return true;
	return false;
}

/* Does some segment of the pointer name a secret? */
static bool secret_path(const hg_tengine *e, const char *path)
{
	const char *p = path;
	while (*p == '/') {
		const char *seg = p + 1, *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		if (secret_name(e, seg, n))
			return true;
		p = seg + n;
	}
	return false;
}

static bool in_list(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;
	if (!s)
		return false;
	json_array_foreach(list, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

/* What a type holds (rules.json data_holding), as "English\x1fJapanese" in a, or NULL. */
static const char *holds(const hg_tengine *e, hg_arena *a, bool arm, const char *type)
{
	const char *k;
	json_t *v = NULL, *x;
	if (!type)
		return NULL;
	if (!arm)
		v = json_object_get(e->hold_aws, type);
	else
		json_object_foreach(e->hold_azure, k, x)
		{
			if (strcasecmp(k, type) == 0)
				v = x;
		}
	if (!json_is_string(json_object_get(v, "en")))
		return NULL;
	return hg_arena_printf(a, "%s\x1f%s", json_string_value(json_object_get(v, "en")),
	        json_is_string(json_object_get(v, "ja")) ? json_string_value(json_object_get(v, "ja"))
	                                                 : json_string_value(json_object_get(v, "en")));
}

/* ---- building the result ---- */

static char *text_of(hg_arena *a, const hg_jv *v)
{
	hg_buf b = HG_BUF_INIT;
	char *s;
	if (!v)
		return NULL;
	hg_jv_display(&b, v);
	s = hg_arena_strndup(a, b.ptr ? b.ptr : "", b.size);
	hg_buf_dispose(&b);
	return s;
}

static void emit(struct work *w, const char *path, const hg_jv *a, const hg_jv *b)
{
	hg_tprop *p;
	bool masked = secret_path(w->e, path);

	HG_AGROW(w->a, w->r->props, w->capprops, w->r->nprops + 1);
	p = &w->r->props[w->r->nprops++];
	memset(p, 0, sizeof(*p));
	p->path = hg_arena_strdup(w->a, path);
	p->change = !a ? HG_TC_ADDED : !b ? HG_TC_REMOVED : HG_TC_MODIFIED;
	p->before = a ? (masked ? MASK : text_of(w->a, a)) : NULL;
	p->after = b ? (masked ? MASK : text_of(w->a, b)) : NULL;
}

static void walk(struct work *w, hg_buf *path, const hg_jv *a, const hg_jv *b);

static int cmp_cstr(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void walk_object(struct work *w, hg_buf *path, const hg_jv *a, const hg_jv *b)
{
	const char **keys = hg_xcalloc(a->n + b->n + 1, sizeof(char *));
	size_t n = 0, i, len = path->size;

	for (i = 0; i < a->n; i++)
		keys[n++] = a->u.members[i].key;
	for (i = 0; i < b->n; i++)
		if (!member(a, b->u.members[i].key, b->u.members[i].klen))
			keys[n++] = b->u.members[i].key;
	qsort(keys, n, sizeof(*keys), cmp_cstr);
	for (i = 0; i < n; i++) {
		size_t kl = strlen(keys[i]);
		hg_buf_putc(path, '/');
		escape_segment(path, keys[i], kl);
		walk(w, path, member(a, keys[i], kl), member(b, keys[i], kl));
		hg_buf_truncate(path, len);
	}
	free(keys);
}

static void walk_index(struct work *w, hg_buf *path, size_t index, const hg_jv *a, const hg_jv *b)
{
	size_t len = path->size;
	hg_buf_printf(path, "/%zu", index);
	walk(w, path, a, b);
	hg_buf_truncate(path, len);
}

/*
 * Arrays: aligned by their longest common subsequence (small arrays: every
 * template list is), so what was inserted or dropped is one item added or
 * removed; items that differ between two kept ones are walked as changes.
 * Paths of kept and changed items use the new index, removed ones the old.
 */
static void walk_array(struct work *w, hg_buf *path, const hg_jv *a, const hg_jv *b)
{
	size_t n = a->n, m = b->n, i, j;
	uint32_t *dp;

	if (n == m || (uint64_t)(n + 1) * (m + 1) > 1u << 20) {
		for (i = 0; i < n || i < m; i++)
			walk_index(w, path, i, i < n ? a->u.items[i] : NULL, i < m ? b->u.items[i] : NULL);
		return;
	}
	/* dp[i][j]: the LCS of a[i..] and b[j..] */
	dp = hg_xcalloc((n + 1) * (m + 1), sizeof(uint32_t));
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			dp[i * (m + 1) + j] = same(a->u.items[i], b->u.items[j])
			                              ? dp[(i + 1) * (m + 1) + j + 1] + 1
			                              : (dp[(i + 1) * (m + 1) + j] > dp[i * (m + 1) + j + 1]
			                                                ? dp[(i + 1) * (m + 1) + j]
			                                                : dp[i * (m + 1) + j + 1]);
	i = j = 0;
	while (i < n || j < m) {
		size_t di = i, dj = j;
		/* a run of items on either side between two kept ones */
		while (i < n || j < m) {
			if (i < n && j < m && same(a->u.items[i], b->u.items[j]))
				break;
			if (j >= m || (i < n && dp[(i + 1) * (m + 1) + j] >= dp[i * (m + 1) + j + 1]))
				i++;
			else
				j++;
		}
		{
			size_t k, nd = i - di, ni = j - dj, paired = nd < ni ? nd : ni;
			for (k = 0; k < paired; k++)
				walk_index(w, path, dj + k, a->u.items[di + k], b->u.items[dj + k]);
			for (k = paired; k < nd; k++)
				walk_index(w, path, di + k, a->u.items[di + k], NULL);
			for (k = paired; k < ni; k++)
				walk_index(w, path, dj + k, NULL, b->u.items[dj + k]);
		}
		if (i < n && j < m) { /* the kept item */
			i++;
			j++;
		}
	}
	free(dp);
}

static void walk(struct work *w, hg_buf *path, const hg_jv *a, const hg_jv *b)
{
	if (a && b && same(a, b))
		return;
	if (a && b && a->kind == HG_JV_OBJ && b->kind == HG_JV_OBJ)
		walk_object(w, path, a, b);
	else if (a && b && a->kind == HG_JV_ARR && b->kind == HG_JV_ARR)
		walk_array(w, path, a, b);
	else
		emit(w, path->ptr ? path->ptr : "", a, b);
}

/* ---- metadata: template, version, mandatory, controls, locks ---- */

static const char *meta_str(const hg_jv *meta, const char *key)
{
	return meta ? hg_jv_str(hg_jv_get(meta, key)) : NULL;
}

static bool meta_true(const hg_jv *meta, const char *key)
{
	const hg_jv *v = meta ? hg_jv_get(meta, key) : NULL;
	return v && v->kind == HG_JV_TRUE;
}

static void add_controls(struct work *w, const char ***list, size_t *n, size_t *cap, const hg_jv *meta)
{
	const hg_jv *c = meta ? hg_jv_get(meta, "controls") : NULL;
	size_t i, k;
	if (!c || c->kind != HG_JV_ARR)
		return;
	for (i = 0; i < c->n; i++) {
		const char *s = hg_jv_str(c->u.items[i]);
		bool dup = false;
		for (k = 0; s && k < *n && !dup; k++)
			dup = strcmp((*list)[k], s) == 0;
		if (!s || dup)
			continue;
		HG_AGROW(w->a, *list, *cap, *n + 1);
		(*list)[(*n)++] = s;
	}
}

/* Is the change at p to a locked setting L (in the resource-relative form of the side)? */
static bool touches(const char *p, const char *l, const hg_jv *ob, const hg_jv *nb)
{
	size_t pl = strlen(p), ll = strlen(l);
	if (pl >= ll && strncmp(p, l, ll) == 0 && (p[ll] == '\0' || p[ll] == '/'))
		return true; /* at or under the locked setting */
	if (ll > pl && strncmp(p, l, pl) == 0 && l[pl] == '/')
		return !same(at(ob, l), at(nb, l)); /* a parent replaced: did the setting change? */
	return false;
}

static void mark_locked(struct work *w, const hg_jv *meta, const hg_jv *ob, const hg_jv *nb)
{
	const hg_jv *locked = meta ? hg_jv_get(meta, "locked") : NULL;
	hg_buf l = HG_BUF_INIT;
	size_t i, k;

	if (!locked || locked->kind != HG_JV_ARR)
		return;
	for (i = 0; i < locked->n; i++) {
		const char *s = hg_jv_str(locked->u.items[i]);
		if (!s)
			continue;
		hg_buf_clear(&l);
		/* CloudFormation's locks are under Properties; ARM's under the resource */
		hg_buf_printf(&l, "%s%s", w->arm ? "" : "/Properties", s);
		for (k = 0; k < w->r->nprops; k++)
			if (touches(w->r->props[k].path, l.ptr, ob, nb)) {
				w->r->props[k].locked = true;
				w->r->locked = true;
			}
	}
	hg_buf_dispose(&l);
}

/* ---- replacement ---- */

/* Mark the changes at or under (or above) pointer p as replacing the resource (how: yes or maybe). */
static void mark_replaces(struct work *w, const char *p, hg_trepl how)
{
	size_t k, n = strlen(p);
	const char *star = strstr(p, "/*");
	if (star)
		n = (size_t)(star - p);
	for (k = 0; k < w->r->nprops; k++) {
		const char *q = w->r->props[k].path;
		size_t ql = strlen(q);
		if ((ql >= n && strncmp(q, p, n) == 0 && (q[n] == '\0' || q[n] == '/')) ||
		        (ql < n && strncmp(p, q, ql) == 0 && p[ql] == '/'))
			if (w->r->props[k].replaces != HG_TR_YES)
				w->r->props[k].replaces = how;
	}
}

static void replacement(struct work *w, const hg_tside_res *o, const hg_tside_res *n)
{
	hg_tres *r = w->r;
	hg_buf p = HG_BUF_INIT;
	size_t i, k;
	json_t *v;

	if (!w->arm) {
		json_t *schema = r->type ? hg_schemas_aws(w->e->schemas, r->type) : NULL;
		json_t *lists[2];
		bool props_changed = false;
		size_t l;
		for (k = 0; k < r->nprops; k++)
			props_changed = props_changed || strncmp(r->props[k].path, "/Properties/", 12) == 0;
		if (!schema) {
			r->replace = props_changed ? HG_TR_UNKNOWN : HG_TR_NO;
			return;
		}
		/* createOnlyProperties: a new value replaces it; conditionalCreateOnlyProperties:
		 * it does when the service cannot update it in place (a downgrade, ...) */
		lists[0] = json_object_get(schema, "createOnlyProperties");
		lists[1] = json_object_get(schema, "conditionalCreateOnlyProperties");
		for (l = 0; l < 2; l++)
			json_array_foreach(lists[l], i, v)
			{
				const char *s = json_string_value(v);
				hg_trepl how = l ? HG_TR_MAYBE : HG_TR_YES;
				if (!s || strncmp(s, "/properties/", 12) != 0)
					continue;
				hg_buf_clear(&p);
				hg_buf_printf(&p, "/Properties%s", s + 11);
				if (!same(at(o->body, p.ptr), at(n->body, p.ptr))) {
					if (r->replace != HG_TR_YES)
						r->replace = how;
					mark_replaces(w, p.ptr, how);
				}
			}
	} else {
		json_array_foreach(w->e->arm_replaces, i, v)
		{
			const char *s = json_string_value(v);
			const hg_jv *x, *y;
			if (!s)
				continue;
			x = at(o->body, s);
			y = at(n->body, s);
			/* both set and different (setting it where it was left out is the same place) */
			if (x && y && !same(x, y)) {
				r->replace = HG_TR_YES;
				mark_replaces(w, s, HG_TR_YES);
			}
		}
	}
	hg_buf_dispose(&p);
}

/* ---- resources ---- */

static hg_tres *res_new(hg_tpair *p, hg_arena *a, size_t *cap)
{
	HG_AGROW(a, p->res, *cap, p->nres + 1);
	memset(&p->res[p->nres], 0, sizeof(p->res[0]));
	return &p->res[p->nres++];
}

static int cmp_cstr_p(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* What keeps the old resource when it goes: CloudFormation's policy, or nothing. */
static const char *kept_by(const hg_tengine *e, const char *policy)
{
	if (in_list(e->keep, policy))
		return "retain";
	if (in_list(e->snapshot, policy))
		return "snapshot";
	return NULL;
}

static const char *dup(struct work *w, const char *s)
{
	return s ? hg_arena_strdup(w->a, s) : NULL;
}

static void describe(struct work *w, hg_tres *r, const hg_tside_res *o, const hg_tside_res *n)
{
	const hg_jv *om = o ? o->meta : NULL, *nm = n ? n->meta : NULL;
	size_t capc = 0, k;

	/* the sides go when the pair is done: the result keeps copies */
	r->id = dup(w, (n ? n : o)->id);
	r->type = dup(w, (n ? n : o)->type);
	r->template_name =
	        dup(w, meta_str(nm, "template") ? meta_str(nm, "template") : meta_str(om, "template"));
	r->old_version = dup(w, meta_str(om, "version"));
	r->new_version = dup(w, meta_str(nm, "version"));
	r->mandatory = meta_true(om, "mandatory") || meta_true(nm, "mandatory");
	add_controls(w, &r->controls, &r->ncontrols, &capc, om);
	add_controls(w, &r->controls, &r->ncontrols, &capc, nm);
	if (r->ncontrols > 1)
		qsort(r->controls, r->ncontrols, sizeof(char *), cmp_cstr_p);
	for (k = 0; k < r->ncontrols; k++)
		r->controls[k] = dup(w, r->controls[k]);
	r->holds = holds(w->e, w->a, w->arm, r->type);
}

static void one(struct work *w, hg_tpair *p, size_t *cap, const hg_tside_res *o, const hg_tside_res *n)
{
	hg_tres *r;
	hg_buf path = HG_BUF_INIT;

	if (o && n && same(o->body, n->body))
		return; /* the body is equal: what hinagata records about it (versions) is
		           reported per template, not per resource */
	r = res_new(p, w->a, cap);
	w->r = r;
	w->capprops = 0;
	describe(w, r, o, n);
	if (!o) {
		r->change = HG_TC_ADDED;
		p->added++;
	} else if (!n) {
		r->change = HG_TC_REMOVED;
		/* CloudFormation deletes it unless its DeletionPolicy keeps it; an incremental
		 * ARM deployment (the default) leaves it where it is */
		r->keeps = w->arm ? "incremental"
		                  : kept_by(w->e, hg_jv_str(hg_jv_get(o->body, "DeletionPolicy")));
		r->at_risk = r->holds && !r->keeps;
		p->removed++;
	} else {
		const char *ot = o->type ? o->type : "", *nt = n->type ? n->type : "";
		r->change = HG_TC_MODIFIED;
		walk(w, &path, o->body, n->body);
		if (w->arm ? strcasecmp(ot, nt) != 0 : strcmp(ot, nt) != 0) {
			r->old_type = dup(w, o->type);
			r->replace = HG_TR_YES;
			mark_replaces(w, w->arm ? "/type" : "/Type", HG_TR_YES);
		} else
			replacement(w, o, n);
		mark_locked(w, o->meta, o->body, n->body);
		mark_locked(w, n->meta, o->body, n->body);
		if (r->replace == HG_TR_YES) {
			/* the replaced resource goes unless the new template's policy keeps it */
			r->keeps = w->arm ? NULL
			                  : kept_by(w->e, hg_jv_str(hg_jv_get(n->body, "UpdateReplacePolicy")));
			r->at_risk = r->holds && !r->keeps;
			p->replaced++;
		}
		p->modified++;
	}
	if (r->at_risk)
		p->at_risk++;
	if (r->locked)
		p->locked++;
	hg_buf_dispose(&path);
}

/* ---- the sections beside the resources ---- */

/* A parameter declaration with its default masked when it is secret. */
static const hg_jv *masked_param(hg_arena *a, bool arm, const hg_jv *decl)
{
	const char *dkey = arm ? "defaultValue" : "Default";
	const hg_jv *noecho = hg_jv_get(decl, "NoEcho");
	const char *type = hg_jv_str(hg_jv_get(decl, "type"));
	bool secret = arm ? (type && strncasecmp(type, "secure", 6) == 0)
	                  : (noecho && (noecho->kind == HG_JV_TRUE ||
	                                      (hg_jv_str(noecho) && strcasecmp(hg_jv_str(noecho), "true") == 0)));
	hg_jv *c;
	size_t i;

	if (!secret || decl->kind != HG_JV_OBJ || !hg_jv_get(decl, dkey))
		return decl;
	c = hg_jv_object(a, decl->n);
	for (i = 0; i < decl->n; i++)
		hg_jv_put(a, c, decl->u.members[i].key, decl->u.members[i].klen,
		        strcmp(decl->u.members[i].key, dkey) == 0 ? hg_jv_string(a, MASK, 4)
		                                                  : decl->u.members[i].val);
	return c;
}

static void other(struct work *w, hg_tpair *p, size_t *cap, const char *section, bool params,
        const hg_jv *a, const hg_jv *b)
{
	const char **keys;
	size_t n = 0, i;

	if (!a && !b)
		return;
	keys = hg_xcalloc((a ? a->n : 0) + (b ? b->n : 0) + 1, sizeof(char *));
	for (i = 0; a && i < a->n; i++)
		keys[n++] = a->u.members[i].key;
	for (i = 0; b && i < b->n; i++)
		if (!a || !member(a, b->u.members[i].key, b->u.members[i].klen))
			keys[n++] = b->u.members[i].key;
	qsort(keys, n, sizeof(*keys), cmp_cstr);
	for (i = 0; i < n; i++) {
		size_t kl = strlen(keys[i]);
		const hg_jv *x = a ? member(a, keys[i], kl) : NULL, *y = b ? member(b, keys[i], kl) : NULL;
		hg_tother *t;
		bool secret = secret_name(w->e, keys[i], kl) && !params;
		if (x && y && same(x, y))
			continue;
		if (params) {
			x = x ? masked_param(w->a, w->arm, x) : NULL;
			y = y ? masked_param(w->a, w->arm, y) : NULL;
		}
		HG_AGROW(w->a, p->other, *cap, p->nother + 1);
		t = &p->other[p->nother++];
		t->section = dup(w, section);
		t->name = dup(w, keys[i]);
		t->change = !x ? HG_TC_ADDED : !y ? HG_TC_REMOVED : HG_TC_MODIFIED;
		t->before = x ? (secret ? MASK : text_of(w->a, x)) : NULL;
		t->after = y ? (secret ? MASK : text_of(w->a, y)) : NULL;
	}
	free(keys);
}

/* ---- template versions ---- */

static void versions(struct work *w, hg_tpair *p, const hg_tside *o, const hg_tside *n)
{
	const hg_jv *ol = o && o->hmeta ? hg_jv_get(o->hmeta, "templates") : NULL;
	const hg_jv *nl = n && n->hmeta ? hg_jv_get(n->hmeta, "templates") : NULL;
	size_t cap = 0, i, k, side;

	for (side = 0; side < 2; side++) {
		const hg_jv *list = side ? nl : ol;
		for (i = 0; list && list->kind == HG_JV_ARR && i < list->n; i++) {
			const hg_jv *t = list->u.items[i];
			const char *name = hg_jv_str(hg_jv_get(t, "template"));
			const char *ver = hg_jv_str(hg_jv_get(t, "version"));
			hg_tversion *v = NULL;
			if (!name || !ver)
				continue;
			for (k = 0; k < p->nversions && !v; k++)
				if (strcmp(p->versions[k].template_name, name) == 0)
					v = &p->versions[k];
			if (!v) {
				HG_AGROW(w->a, p->versions, cap, p->nversions + 1);
				v = &p->versions[p->nversions++];
				memset(v, 0, sizeof(*v));
				v->template_name = dup(w, name);
			}
			if (side)
				v->after = dup(w, ver);
			else
				v->before = dup(w, ver);
			v->mandatory = v->mandatory || meta_true(t, "mandatory");
		}
	}
	/* only those that differ, by name */
	for (i = k = 0; i < p->nversions; i++) {
		const hg_tversion *v = &p->versions[i];
		if (v->before && v->after && strcmp(v->before, v->after) == 0)
			continue;
		p->versions[k++] = *v;
	}
	p->nversions = k;
	for (i = 1; i < p->nversions; i++) /* insertion sort: a handful */
		for (k = i; k > 0 && strcmp(p->versions[k - 1].template_name, p->versions[k].template_name) > 0; k--) {
			hg_tversion t = p->versions[k];
			p->versions[k] = p->versions[k - 1];
			p->versions[k - 1] = t;
		}
}

/* ---- pairs ---- */

hg_tdiff *hg_tdiff_new(const char *before, const char *after)
{
	hg_tdiff *t = hg_xcalloc(1, sizeof(*t));
	t->a = hg_arena_new();
	t->before = before ? hg_arena_strdup(t->a, before) : NULL;
	t->after = after ? hg_arena_strdup(t->a, after) : NULL;
	return t;
}

void hg_tengine_pair(hg_tengine *e, hg_tdiff *t, const hg_tside *before, const hg_tside *after)
{
	struct work w;
	hg_tpair *p;
	size_t i = 0, j = 0, cap = 0, ocap = 0, k;
	const hg_tside *s = after ? after : before;

	memset(&w, 0, sizeof(w));
	w.e = e;
	w.a = t->a;
	w.arm = s->arm;
	t->compared++;
	HG_AGROW(t->a, t->pairs, t->cappairs, t->npairs + 1);
	p = &t->pairs[t->npairs];
	memset(p, 0, sizeof(*p));
	p->before = before ? hg_arena_strdup(t->a, before->name) : NULL;
	p->after = after ? hg_arena_strdup(t->a, after->name) : NULL;
	p->arm = s->arm;
	versions(&w, p, before, after);
	/* one merge of the two sorted lists */
	while ((before && i < before->nres) || (after && j < after->nres)) {
		const hg_tside_res *o = before && i < before->nres ? &before->res[i] : NULL;
		const hg_tside_res *n = after && j < after->nres ? &after->res[j] : NULL;
		int c = !o ? 1 : !n ? -1 : strcmp(o->key, n->key);
		if (c < 0) {
			one(&w, p, &cap, o, NULL);
			i++;
		} else if (c > 0) {
			one(&w, p, &cap, NULL, n);
			j++;
		} else {
			one(&w, p, &cap, o, n);
			i++;
			j++;
		}
	}
	for (k = 0; k < HG_TSIDE_NSECTIONS; k++)
		other(&w, p, &ocap, (after ? after : before)->section_names[k], k == 0,
		        before ? before->sections[k] : NULL, after ? after->sections[k] : NULL);
	if (before && after) /* a whole template added or removed: its format lines say nothing */
		other(&w, p, &ocap, "", false, before->rest, after->rest);
	if (p->nres || p->nother || p->nversions || !before || !after)
		t->npairs++;
}

const char *hg_tchange_name(hg_tchange c)
{
	static const char *const names[] = {"added", "removed", "modified"}; /* ORDER TCHANGE */
	return (unsigned)c <= HG_TC_MODIFIED ? names[c] : "?";
}

const char *hg_trepl_name(hg_trepl r)
{
	static const char *const names[] = {"no", "yes", "maybe", "unknown"}; /* ORDER TREPL */
	return (unsigned)r <= HG_TR_UNKNOWN ? names[r] : "?";
}

bool hg_tdiff_any(const hg_tdiff *t)
{
	return t && t->npairs > 0;
}

void hg_tdiff_free(hg_tdiff *t)
{
	if (!t)
		return;
	hg_arena_dispose(t->a);
	free(t);
}

/* ---- two files, two texts ---- */

static int kinds_differ(const hg_tside *a, const hg_tside *b, hg_diags *d)
{
	if (a->arm == b->arm)
		return 0;
	hg_diag_add(d, HG_D_DIFF_KINDS, NULL, a->name,
	        a->arm ? HG_BI("an ARM template", "ARM テンプレート")
	               : HG_BI("a CloudFormation template", "CloudFormation テンプレート"),
	        b->name,
	        b->arm ? HG_BI("an ARM template", "ARM テンプレート")
	               : HG_BI("a CloudFormation template", "CloudFormation テンプレート"),
	        NULL);
	return HG_EINVALID;
}

static int compare(hg_tdiff **out, const char *bl, const char *al, hg_tside *b, hg_tside *a,
        hg_arena *sa, const hg_tdiff_options *o, hg_diags *d)
{
	hg_tengine *e;
	int rc;
	(void)sa;
	if ((rc = kinds_differ(b, a, d)) < 0)
		return rc;
	if (!(e = hg_tengine_open(o, d)))
		return HG_EIO;
	*out = hg_tdiff_new(bl, al);
	hg_tengine_pair(e, *out, b, a);
	hg_tengine_free(e);
	return 0;
}

int hg_tdiff_files(hg_tdiff **out, const char *before, const char *after,
        const hg_tdiff_options *o, hg_diags *d)
{
	hg_arena *sa = hg_arena_new();
	hg_tside b, a;
	int rc, rc2;

	*out = NULL;
	rc = hg_tside_load(&b, sa, before, NULL, NULL, 0, o, d);
	rc2 = hg_tside_load(&a, sa, after, NULL, NULL, 0, o, d);
	if (rc == 0 && rc2 < 0)
		rc = rc2;
	if (rc == 0)
		rc = compare(out, before, after, &b, &a, sa, o, d);
	hg_arena_dispose(sa);
	return rc;
}

int hg_tdiff_texts(hg_tdiff **out, const char *before_name, const char *before, size_t before_len,
        const char *after_name, const char *after, size_t after_len, const hg_tdiff_options *o,
        hg_diags *d)
{
	hg_arena *sa = hg_arena_new();
	hg_tside b, a;
	int rc, rc2;

	*out = NULL;
	rc = hg_tside_text(&b, sa, before_name, before, before_len, d);
	rc2 = hg_tside_text(&a, sa, after_name, after, after_len, d);
	if (rc == 0 && rc2 < 0)
		rc = rc2;
	if (rc == 0)
		rc = compare(out, before_name, after_name, &b, &a, sa, o, d);
	hg_arena_dispose(sa);
	return rc;
}
