/*
 * compare.c: comparing one resource (see compare.h).
 * Part of hinagata; see LICENSE.
 */
#include "compare.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/hash.h"
#include "../common/secret.h"

char *hg_note_text(hg_arena *a, const char *path, const char *why)
{
	const char *sep = strchr(why, '\x1f');
	if (!sep)
		return hg_arena_printf(a, "%s: %s", path, why);
	return hg_arena_printf(a, "%s: %.*s\x1f%s: %s", path, (int)(sep - why), why, path, sep + 1);
}

void hg_result_note(hg_arena *a, char ***list, size_t *n, const char *s)
{
	char **grown = hg_arena_alloc(a, sizeof(char *) * (*n + 1));

	if (*n)
		memcpy(grown, *list, sizeof(char *) * *n);
	grown[(*n)++] = hg_arena_strdup(a, s);
	*list = grown;
}

static char *dup(hg_arena *a, const char *s)
{
	return s ? hg_arena_strdup(a, s) : NULL;
}

static char **dup_list(hg_arena *a, char *const *list, size_t n)
{
	char **r;
	size_t i;
	if (!n)
		return NULL;
	r = hg_arena_alloc(a, sizeof(char *) * n);
	for (i = 0; i < n; i++)
		r[i] = dup(a, list[i]);
	return r;
}

void hg_drift_result_copy(hg_arena *a, hg_drift_result *out, const hg_drift_result *x)
{
	size_t i;

	*out = *x;
	out->account = dup(a, x->account);
	out->region = dup(a, x->region);
	out->unit = dup(a, x->unit);
	out->logical_id = dup(a, x->logical_id);
	out->type = dup(a, x->type);
	out->physical_id = dup(a, x->physical_id);
	out->template_name = dup(a, x->template_name);
	out->template_version = dup(a, x->template_version);
	out->reason = dup(a, x->reason);
	out->severity = dup(a, x->severity);
	out->ignore_reason = dup(a, x->ignore_reason);
	out->ignore_expires = dup(a, x->ignore_expires);
	out->source_file = dup(a, x->source_file);
	out->not_checked = dup_list(a, x->not_checked, x->nnot_checked);
	out->folds = dup_list(a, x->folds, x->nfolds);
	out->controls = dup_list(a, x->controls, x->ncontrols);
	out->diffs = NULL;
	if (x->ndiffs) {
		out->diffs = hg_arena_alloc(a, sizeof(*out->diffs) * x->ndiffs);
		for (i = 0; i < x->ndiffs; i++) {
			out->diffs[i] = x->diffs[i];
			out->diffs[i].path = dup(a, x->diffs[i].path);
			out->diffs[i].expected = dup(a, x->diffs[i].expected);
			out->diffs[i].actual = dup(a, x->diffs[i].actual);
			out->diffs[i].ignore_reason = dup(a, x->diffs[i].ignore_reason);
			out->diffs[i].ignore_expires = dup(a, x->diffs[i].ignore_expires);
		}
	}
	out->violations = NULL;
	if (x->nviolations) {
		out->violations = hg_arena_alloc(a, sizeof(*out->violations) * x->nviolations);
		for (i = 0; i < x->nviolations; i++) {
			out->violations[i] = x->violations[i];
			out->violations[i].control = dup(a, x->violations[i].control);
			out->violations[i].severity = dup(a, x->violations[i].severity);
			out->violations[i].message = dup(a, x->violations[i].message);
		}
	}
}

struct folds {
	const char *rules[16];
	size_t n;
};

static void on_fold(const char *rule, const char *path, void *payload)
{
	struct folds *f = payload;
	size_t i;

	(void)path;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->rules[i], rule) == 0)
			return;
	if (f->n < 16)
		f->rules[f->n++] = rule;
}

static hg_jv *object_new(hg_arena *a, size_t cap)
{
	hg_jv *o = hg_jv_new(a, HG_JV_OBJ);
	o->u.members = HG_ANEWN(a, hg_jv_member, cap ? cap : 1);
	return o;
}

static void object_put(hg_jv *o, const char *key, size_t klen, hg_jv *v)
{
	o->u.members[o->n].key = key;
	o->u.members[o->n].klen = klen;
	o->u.members[o->n].val = v;
	o->n++;
}

/* The shape path (indexes as "*") of a pointer, for the defaults table. */
static void shape_of(hg_buf *out, const char *path)
{
	const char *p = path;

	hg_buf_clear(out);
	while (*p == '/') {
		const char *seg = p + 1, *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg), i;
		bool digits = len > 0;
		for (i = 0; i < len; i++)
			if (seg[i] < '0' || seg[i] > '9')
				digits = false;
		hg_buf_putc(out, '/');
		if (digits)
			hg_buf_putc(out, '*');
		else
			hg_buf_put(out, seg, len);
		p = seg + len;
	}
}

/* A fold of a rule at a path, not yet noted in its result. */
struct pending_fold {
	const char *rule, *at;
};

struct proj {
	hg_compare *c;
	struct folds *folds;
	unsigned in_array; /* inside array items: keys dropped there can change their order */
	bool resort;
	hg_buf path;
	hg_buf shape;
	/* folds of a result that may be dropped (in sync, no hashes wanted):
	 * noted in it only if it drifts (paths in c->tmp) */
	struct pending_fold *pending;
	size_t npending, cappending;
};

/* Is the service default of path equal to the desired value v? */
static bool is_default(struct proj *p, const hg_jv *v)
{
	const hg_jv *def;
	hg_jv *cd;

	shape_of(&p->shape, p->path.ptr);
	def = hg_canon_default(p->c->canon, p->c->tmp, p->c->type, p->shape.ptr);
	if (!def)
		return false;
	cd = hg_canon_value(p->c->canon, p->c->tmp, p->c->type, p->path.ptr, def, HG_SIDE_DESIRED,
	        NULL, NULL);
	return hg_jv_equal(cd, v);
}

static hg_jv *project(struct proj *p, const hg_jv *dep, const hg_jv *des);

static const hg_jv_member *find_member(const hg_jv *o, const char *key, size_t klen)
{
	size_t j;
	for (j = 0; j < o->n; j++)
		if (o->u.members[j].klen == klen && memcmp(o->u.members[j].key, key, klen) == 0)
			return &o->u.members[j];
	return NULL;
}

/* The union of two shapes: objects merged key by key, arrays joined. */
static hg_jv *merge_shape(hg_arena *a, const hg_jv *x, const hg_jv *y)
{
	hg_jv *u;
	size_t i;

	if (x->kind == HG_JV_ARR && y->kind == HG_JV_ARR) {
		u = hg_jv_new(a, HG_JV_ARR);
		u->u.items = HG_ANEWN(a, hg_jv *, x->n + y->n + 1);
		for (i = 0; i < x->n; i++)
			u->u.items[u->n++] = x->u.items[i];
		for (i = 0; i < y->n; i++)
			u->u.items[u->n++] = y->u.items[i];
		return u;
	}
	if (x->kind != HG_JV_OBJ || y->kind != HG_JV_OBJ)
		return (hg_jv *)(uintptr_t)x;
	u = object_new(a, x->n + y->n);
	for (i = 0; i < x->n; i++)
		object_put(u, x->u.members[i].key, x->u.members[i].klen, x->u.members[i].val);
	for (i = 0; i < y->n; i++) {
		const hg_jv_member *m = &y->u.members[i];
		hg_jv_member *prev = (hg_jv_member *)(uintptr_t)find_member(u, m->key, m->klen);
		if (prev)
			prev->val = merge_shape(a, prev->val, m->val);
		else
			object_put(u, m->key, m->klen, m->val);
	}
	return u;
}

/* The union of the desired items (their shape), or NULL if they are not objects. */
static hg_jv *items_shape(hg_arena *a, const hg_jv *arr)
{
	hg_jv *u;
	size_t i;

	for (i = 0; i < arr->n; i++)
		if (arr->u.items[i]->kind != HG_JV_OBJ)
			return NULL;
	u = arr->u.items[0];
	for (i = 1; i < arr->n; i++)
		u = merge_shape(a, u, arr->u.items[i]);
	return u;
}

static hg_jv *project_object(struct proj *p, const hg_jv *dep, const hg_jv *des)
{
	hg_jv *o = object_new(p->c->tmp, des->n);
	size_t i, mark = p->path.size;

	if (p->in_array && dep->n > des->n)
		p->resort = true;
	else if (p->in_array)
		for (i = 0; i < dep->n && !p->resort; i++)
			if (!find_member(des, dep->u.members[i].key, dep->u.members[i].klen))
				p->resort = true;

	for (i = 0; i < des->n; i++) {
		const hg_jv_member *m = &des->u.members[i];
		char key[256];
		hg_jv *dv;
		size_t kl = m->klen < sizeof(key) - 1 ? m->klen : sizeof(key) - 1;
		memcpy(key, m->key, kl);
		key[kl] = '\0';
		dv = hg_jv_get(dep, key);
		hg_buf_putc(&p->path, '/');
		hg_buf_put(&p->path, m->key, m->klen);
		if (dv)
			object_put(o, m->key, m->klen, project(p, dv, m->val));
		else if (p->in_array) {
			/* an item's key the item does not have stays absent */
		} else if (is_default(p, m->val)) {
			object_put(o, m->key, m->klen, m->val);
			on_fold(HG_RULE_DEFAULT, p->path.ptr, p->folds);
		}
		hg_buf_truncate(&p->path, mark);
	}
	return o;
}

static hg_jv *project(struct proj *p, const hg_jv *dep, const hg_jv *des)
{
	if (dep->kind == HG_JV_OBJ && des->kind == HG_JV_OBJ)
		return project_object(p, dep, des);
	if (dep->kind == HG_JV_ARR && des->kind == HG_JV_ARR && des->n > 0) {
		hg_jv *shape = items_shape(p->c->tmp, des), *arr;
		size_t i, mark = p->path.size;
		if (!shape)
			return (hg_jv *)(uintptr_t)dep;
		arr = hg_jv_new(p->c->tmp, HG_JV_ARR);
		arr->u.items = HG_ANEWN(p->c->tmp, hg_jv *, dep->n ? dep->n : 1);
		p->in_array++;
		for (i = 0; i < dep->n; i++) {
			hg_buf_putc(&p->path, '/');
			hg_buf_put_size(&p->path, i);
			arr->u.items[arr->n++] = dep->u.items[i]->kind == HG_JV_OBJ
			                                 ? project_object(p, dep->u.items[i], shape)
			                                 : dep->u.items[i];
			hg_buf_truncate(&p->path, mark);
		}
		p->in_array--;
		return arr;
	}
	return (hg_jv *)(uintptr_t)dep;
}

/* ---- the structural diff ---- */

struct differ {
	hg_compare *c;
	hg_drift_result *res;
	hg_buf path;
	unsigned secret; /* inside a tag whose key names a secret: its value is masked */
};

static bool prefix_of(const char *a, const char *b)
{
	size_t n = strlen(a);
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

static bool locked_path(hg_compare *c, const char *path)
{
	size_t i;
	for (i = 0; i < c->nlocked; i++)
		if (prefix_of(c->locked[i], path) || prefix_of(path, c->locked[i]))
			return true;
	return false;
}

bool hg_compare_secret_path(hg_compare *c, const char *path)
{
	const char *p = path;
	char seg[128];

	if (hg_canon_write_only(c->canon, c->type, path))
		return true;
	while (*p == '/') {
		const char *s = p + 1, *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		size_t k = len < sizeof(seg) - 1 ? len : sizeof(seg) - 1;
		memcpy(seg, s, k);
		seg[k] = '\0';
		if (hg_canon_secret_name(c->canon, seg))
			return true;
		p = s + len;
	}
	return false;
}

/* Does the name of a property or tag (key, klen bytes) name a secret? */
static bool secret_key(hg_compare *c, const char *key, size_t klen)
{
	char name[128];
	size_t k = klen < sizeof(name) - 1 ? klen : sizeof(name) - 1;
	memcpy(name, key, k);
	name[k] = '\0';
	return hg_canon_secret_name(c->canon, name);
}

/* A tag ({Key, Value} or {key, value}) whose key names a secret: AWS_SECRET_ACCESS_KEY. */
static bool secret_tag(hg_compare *c, const hg_jv *v)
{
	const char *k;
	if (!v || v->kind != HG_JV_OBJ)
		return false;
	k = hg_jv_str(hg_jv_get(v, "Key"));
	if (!k)
		k = hg_jv_str(hg_jv_get(v, "key"));
	return k && secret_key(c, k, strlen(k));
}

/*
 * v as it may be shown: members named as secrets and the values of secret
 * tags become "****" (a copy in the scratch arena; v itself when nothing
 * changes). Only what is shown changes: comparisons used the real values.
 */
static const hg_jv *shown(hg_compare *c, const hg_jv *v)
{
	hg_jv *copy = NULL;
	size_t i;
	bool tag;

	if (v->kind == HG_JV_ARR) {
		for (i = 0; i < v->n; i++) {
			const hg_jv *item = shown(c, v->u.items[i]);
			if (item != v->u.items[i] && !copy) {
				copy = hg_jv_new(c->tmp, HG_JV_ARR);
				copy->u.items = HG_ANEWN(c->tmp, hg_jv *, v->n);
				memcpy(copy->u.items, v->u.items, v->n * sizeof(*copy->u.items));
				copy->n = v->n;
			}
			if (copy)
				copy->u.items[i] = (hg_jv *)(uintptr_t)item;
		}
		return copy ? copy : v;
	}
	if (v->kind != HG_JV_OBJ)
		return v;
	tag = secret_tag(c, v);
	for (i = 0; i < v->n; i++) {
		const hg_jv_member *m = &v->u.members[i];
		const hg_jv *val = m->val;
		if (secret_key(c, m->key, m->klen) ||
		        (tag && m->klen == 5 && strncasecmp(m->key, "value", 5) == 0)) {
			hg_jv *mask = hg_jv_new(c->tmp, HG_JV_STR);
			mask->u.s = HG_SECRET_MASK;
			mask->n = strlen(HG_SECRET_MASK);
			val = mask;
		} else
			val = shown(c, val);
		if (val != m->val && !copy) {
			copy = object_new(c->tmp, v->n);
			memcpy(copy->u.members, v->u.members, v->n * sizeof(*copy->u.members));
			copy->n = v->n;
		}
		if (copy)
			copy->u.members[i].val = (hg_jv *)(uintptr_t)val;
	}
	return copy ? copy : v;
}

static char *text_of(struct differ *df, const hg_jv *v)
{
	hg_buf b = HG_BUF_INIT, m = HG_BUF_INIT;
	char *s;

	if (!v)
		return NULL;
	if (df->secret || hg_compare_secret_path(df->c, df->path.ptr))
		return hg_arena_strdup(df->c->keep, HG_SECRET_MASK);
	hg_jv_display(&b, shown(df->c, v));
	hg_secret_mask(&m, b.ptr, b.size); /* secrets by their shape: keys, passwords, tokens */
	s = hg_arena_strndup(df->c->keep, m.ptr, m.size);
	hg_buf_dispose(&b);
	hg_buf_dispose(&m);
	return s;
}

static void add_diff(struct differ *df, hg_diff_kind kind, const hg_jv *exp, const hg_jv *act)
{
	hg_drift_result *r = df->res;
	hg_prop_diff *grown = hg_arena_alloc(df->c->keep, sizeof(*grown) * (r->ndiffs + 1));
	hg_prop_diff *d;

	if (r->ndiffs)
		memcpy(grown, r->diffs, sizeof(*grown) * r->ndiffs);
	d = &grown[r->ndiffs++];
	memset(d, 0, sizeof(*d));
	d->path = hg_arena_strdup(df->c->keep, df->path.ptr);
	d->expected = text_of(df, exp);
	d->actual = text_of(df, act);
	d->kind = kind;
	d->locked = locked_path(df->c, df->path.ptr);
	r->diffs = grown;
}

static void diff(struct differ *df, const hg_jv *exp, const hg_jv *act);

/* An item's identity: the value of the arrays' identity key (canon.h), or NULL. */
static const char *identity(const hg_jv *v, const char *key)
{
	return key && v->kind == HG_JV_OBJ ? hg_jv_str(hg_jv_get(v, key)) : NULL;
}

static void diff_arrays(struct differ *df, const hg_jv *exp, const hg_jv *act)
{
	bool *eu = hg_arena_alloc(df->c->tmp, exp->n + 1), *au = hg_arena_alloc(df->c->tmp, act->n + 1);
	size_t i, j, mark = df->path.size, before = df->res->ndiffs, left_e = 0, left_a = 0;
	const char *key = hg_canon_identity_key(df->c->canon, exp, act);

	memset(eu, 0, exp->n + 1);
	memset(au, 0, act->n + 1);
	for (i = 0; i < exp->n; i++) /* equal items pair up */
		for (j = 0; j < act->n; j++)
			if (!au[j] && hg_jv_equal(exp->u.items[i], act->u.items[j])) {
				eu[i] = au[j] = true;
				break;
			}
	for (i = 0; i < exp->n; i++) { /* then items of the same identity */
		const char *id = eu[i] ? NULL : identity(exp->u.items[i], key);
		for (j = 0; id && j < act->n; j++) {
			const char *aid = au[j] ? NULL : identity(act->u.items[j], key);
			if (aid && strcmp(id, aid) == 0) {
				eu[i] = au[j] = true;
				hg_buf_putc(&df->path, '/');
				hg_buf_put_size(&df->path, i);
				diff(df, exp->u.items[i], act->u.items[j]);
				hg_buf_truncate(&df->path, mark);
				break;
			}
		}
	}
	for (i = 0; i < exp->n; i++)
		left_e += !eu[i];
	for (j = 0; j < act->n; j++)
		left_a += !au[j];
	if (left_e == left_a) /* as many left on each side: changed in place */
		for (i = 0, j = 0; i < exp->n; i++) {
			if (eu[i])
				continue;
			while (au[j])
				j++;
			eu[i] = au[j] = true;
			hg_buf_putc(&df->path, '/');
				hg_buf_put_size(&df->path, i);
			diff(df, exp->u.items[i], act->u.items[j]);
			hg_buf_truncate(&df->path, mark);
		}
	for (i = 0; i < exp->n; i++)
		if (!eu[i]) {
			hg_buf_putc(&df->path, '/');
				hg_buf_put_size(&df->path, i);
			add_diff(df, HG_DIFF_REMOVE, exp->u.items[i], NULL);
			hg_buf_truncate(&df->path, mark);
		}
	for (j = 0; j < act->n; j++)
		if (!au[j]) {
			hg_buf_putc(&df->path, '/');
			hg_buf_put_size(&df->path, j);
			add_diff(df, HG_DIFF_ADD, NULL, act->u.items[j]);
			hg_buf_truncate(&df->path, mark);
		}
	if (df->res->ndiffs == before) /* the same items in another order: an ordered list */
		add_diff(df, HG_DIFF_NOT_EQUAL, exp, act);
}

static void diff(struct differ *df, const hg_jv *exp, const hg_jv *act)
{
	size_t i, mark = df->path.size;

	if (hg_jv_equal(exp, act))
		return;
	if (exp->kind == HG_JV_OBJ && act->kind == HG_JV_OBJ) {
		bool tag = secret_tag(df->c, exp) || secret_tag(df->c, act);
		df->secret += tag;
		for (i = 0; i < exp->n; i++) {
			const hg_jv_member *m = &exp->u.members[i];
			const hg_jv *av = NULL;
			size_t k;
			for (k = 0; k < act->n; k++)
				if (act->u.members[k].klen == m->klen &&
				        memcmp(act->u.members[k].key, m->key, m->klen) == 0)
					av = act->u.members[k].val;
			hg_buf_putc(&df->path, '/');
			hg_buf_put(&df->path, m->key, m->klen);
			if (av)
				diff(df, m->val, av);
			else
				add_diff(df, HG_DIFF_REMOVE, m->val, NULL);
			hg_buf_truncate(&df->path, mark);
		}
		df->secret -= tag;
		return;
	}
	if (exp->kind == HG_JV_ARR && act->kind == HG_JV_ARR) {
		diff_arrays(df, exp, act);
		return;
	}
	add_diff(df, HG_DIFF_NOT_EQUAL, exp, act);
}

/* ---- one resource ---- */

static bool scalar(const hg_jv *v)
{
	return v->kind == HG_JV_NUM || v->kind == HG_JV_TRUE || v->kind == HG_JV_FALSE;
}

/* A whole number of at most 15 digits (strtod reads it exactly), else -1: without strtod. */
static long long whole(const char *s, size_t n)
{
	long long v = 0;
	size_t i;
	if (!n || n > 15)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static double number(const char *s, size_t n)
{
	char buf[64];
	long long w = whole(s, n);
	if (w >= 0) /* the usual number: a count, a port, seconds */
		return (double)w;
	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return strtod(buf, NULL);
}

/* Is the string s the scalar v written as text (any case for booleans, any form for numbers)? */
static bool same_scalar(const hg_jv *v, const hg_jv *s)
{
	if (v->kind == HG_JV_TRUE)
		return s->n == 4 && strncasecmp(s->u.s, "true", 4) == 0;
	if (v->kind == HG_JV_FALSE)
		return s->n == 5 && strncasecmp(s->u.s, "false", 5) == 0;
	return s->n && strspn(s->u.s, "+-0123456789.eE") == s->n && number(v->u.s, v->n) == number(s->u.s, s->n);
}

/*
 * Did two values as written differ in a scalar's form only (10 and "10",
 * true and "TRUE", 10.0 and 10)? Walked in parallel: objects by key,
 * arrays by position. Only then is scalar coercion named as what made
 * them equal.
 */
static bool coerced(const hg_jv *a, const hg_jv *b)
{
	size_t i;

	if (!a || !b)
		return false;
	if (scalar(a) && b->kind == HG_JV_STR)
		return same_scalar(a, b);
	if (scalar(b) && a->kind == HG_JV_STR)
		return same_scalar(b, a);
	if (a->kind == HG_JV_STR && b->kind == HG_JV_STR)
		return a->n == b->n && a->n <= 5 && strncasecmp(a->u.s, b->u.s, a->n) == 0 &&
		       memcmp(a->u.s, b->u.s, a->n) != 0 &&
		       (strncasecmp(a->u.s, "true", 4) == 0 || strncasecmp(a->u.s, "false", 5) == 0);
	if (a->kind == HG_JV_NUM && b->kind == HG_JV_NUM)
		return (a->n != b->n || memcmp(a->u.s, b->u.s, a->n) != 0) &&
		       number(a->u.s, a->n) == number(b->u.s, b->n);
	if (a->kind == HG_JV_OBJ && b->kind == HG_JV_OBJ) {
		for (i = 0; i < a->n; i++) {
			char key[256];
			size_t kl = a->u.members[i].klen < sizeof(key) - 1 ? a->u.members[i].klen : sizeof(key) - 1;
			memcpy(key, a->u.members[i].key, kl);
			key[kl] = '\0';
			if (coerced(a->u.members[i].val, hg_jv_get(b, key)))
				return true;
		}
		return false;
	}
	if (a->kind == HG_JV_ARR && b->kind == HG_JV_ARR)
		for (i = 0; i < a->n && i < b->n; i++)
			if (coerced(a->u.items[i], b->u.items[i]))
				return true;
	return false;
}

/* The hash input of one member: its name, a NUL, its value's hash. */
static void hash_member(hg_buf *h, const char *key, size_t klen, const hg_jv *v)
{
	uint64_t x = hg_jv_hash(v);
	hg_buf_put(h, key, klen);
	hg_buf_putc(h, '\0');
	hg_buf_put(h, (const char *)&x, sizeof(x));
}

/* A fold noted in the result: "RULE /path". */
static void note_fold(
        hg_compare *c, hg_drift_result *res, hg_buf *text, const char *rule, const char *path)
{
	hg_buf_clear(text);
	hg_buf_puts(text, rule);
	hg_buf_putc(text, ' ');
	hg_buf_puts(text, path);
	hg_result_note(c->keep, &res->folds, &res->nfolds, text->ptr);
}

/*
 * What made a property's values equal: noted in the result, or kept
 * pending where the result is kept only if it drifts (the report shows a
 * resource in sync only with hashes wanted: JSON, JUnit, the cache).
 */
static void note_folds(hg_compare *c, hg_drift_result *res, struct proj *p,
        const struct folds *folds, const hg_jv *want, const hg_jv *raw)
{
	size_t k;
	for (k = 0; k < folds->n; k++) {
		if (strcmp(folds->rules[k], HG_RULE_SCALAR) == 0 && raw && !coerced(want, raw))
			continue; /* no coercion was needed */
		if (c->want_hashes) {
			note_fold(c, res, &p->shape, folds->rules[k], p->path.ptr);
			continue;
		}
		HG_AGROW(c->tmp, p->pending, p->cappending, p->npending + 1);
		p->pending[p->npending].rule = folds->rules[k];
		p->pending[p->npending++].at = hg_arena_strndup(c->tmp, p->path.ptr, p->path.size);
	}
}

void hg_compare_resource(hg_compare *c, hg_drift_result *res, const hg_jv *desired,
        const hg_jv *deployed)
{
	hg_buf he = HG_BUF_INIT, ha = HG_BUF_INIT;
	hg_jv *cd = object_new(c->tmp, desired->n), *pa = object_new(c->tmp, desired->n);
	struct proj p;
	struct folds folds;
	size_t i;
	bool equal = true;

	memset(&p, 0, sizeof(p));
	p.c = c;
	hg_buf_init(&p.path);
	hg_buf_init(&p.shape);
	for (i = 0; i < desired->n; i++) {
		const hg_jv_member *m = &desired->u.members[i];
		hg_jv *dv, *av = NULL;
		const hg_jv *raw;
		char key[256];
		size_t kl = m->klen < sizeof(key) - 1 ? m->klen : sizeof(key) - 1;

		memset(&folds, 0, sizeof(folds));
		p.folds = &folds;
		memcpy(key, m->key, kl);
		key[kl] = '\0';
		hg_buf_clear(&p.path);
		hg_buf_putc(&p.path, '/');
		hg_buf_puts(&p.path, key);
		raw = hg_jv_get(deployed, key);
		if (raw && hg_jv_equal(m->val, raw)) {
			/* The same value as written: the same canonical form, nothing folded.
			 * Canonicalized (once, for both) only when it is to be hashed. */
			dv = c->want_hashes ? hg_canon_value(c->canon, c->tmp, c->type, p.path.ptr, m->val,
			                              HG_SIDE_DESIRED, NULL, NULL)
			                    : (hg_jv *)(uintptr_t)m->val;
			object_put(cd, m->key, m->klen, dv);
			object_put(pa, m->key, m->klen, dv);
			continue;
		}
		if (raw && m->klen == 4 && memcmp(m->key, "Tags", 4) == 0 &&
		        hg_canon_tags_equal(c->canon, c->tmp, p.path.ptr, m->val, raw,
		                c->want_hashes ? &dv : NULL, on_fold, &folds)) {
			/* the usual tags, equal: neither canonical form needs building */
			if (!c->want_hashes)
				dv = (hg_jv *)(uintptr_t)m->val;
			object_put(cd, m->key, m->klen, dv);
			object_put(pa, m->key, m->klen, dv);
			note_folds(c, res, &p, &folds, m->val, raw);
			continue;
		}
		dv = hg_canon_value(c->canon, c->tmp, c->type, p.path.ptr, m->val, HG_SIDE_DESIRED,
		        on_fold, &folds);
		if (raw) {
			av = hg_canon_value(c->canon, c->tmp, c->type, p.path.ptr, raw, HG_SIDE_DEPLOYED,
			        on_fold, &folds);
			p.resort = false;
			av = project(&p, av, dv);
			if (p.resort) /* items lost keys: put them in canonical order again */
				av = hg_canon_value(c->canon, c->tmp, c->type, p.path.ptr, av,
				        HG_SIDE_DEPLOYED, NULL, NULL);
		} else if (is_default(&p, dv)) {
			av = dv;
			on_fold(HG_RULE_DEFAULT, p.path.ptr, &folds);
		}
		object_put(cd, m->key, m->klen, dv);
		if (av)
			object_put(pa, m->key, m->klen, av);
		if (!av || !hg_jv_equal(dv, av)) {
			equal = false;
			continue;
		}
		if (!(raw && hg_jv_equal(m->val, raw)))
			note_folds(c, res, &p, &folds, m->val, raw);
	}
	/* The hashes are for reports and the cache; a resource in sync that is
	 * only counted does not need them. */
	if (c->want_hashes || !equal) {
		for (i = 0; i < cd->n; i++)
			hash_member(&he, cd->u.members[i].key, cd->u.members[i].klen, cd->u.members[i].val);
		for (i = 0; i < pa->n; i++)
			hash_member(&ha, pa->u.members[i].key, pa->u.members[i].klen, pa->u.members[i].val);
		hg_hash_hex(res->expected_hash, hg_hash64(he.ptr, he.size));
		hg_hash_hex(res->actual_hash, hg_hash64(ha.ptr, ha.size));
	}
	res->status = HG_DS_IN_SYNC;
	for (i = 0; !equal && i < p.npending; i++) /* it drifts: its folds are shown */
		note_fold(c, res, &p.shape, p.pending[i].rule, p.pending[i].at);
	if (!equal) {
		struct differ df;
		df.c = c;
		df.res = res;
		df.secret = 0;
		hg_buf_init(&df.path);
		diff(&df, cd, pa);
		hg_buf_dispose(&df.path);
		res->status = res->ndiffs ? HG_DS_MODIFIED : HG_DS_IN_SYNC;
	}
	hg_buf_dispose(&p.path);
	hg_buf_dispose(&p.shape);
	hg_buf_dispose(&he);
	hg_buf_dispose(&ha);
}
