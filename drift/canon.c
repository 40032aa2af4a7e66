/*
 * canon.c: canonical forms by named rules (see canon.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. One recursive walk builds the canonical copy of a value. At each
 * node it knows the JSON pointer with array indexes written "*" (the
 * "shape path" the rule tables use) and the property name. Rules, in the
 * order they apply:
 *   json-string      a string holding a JSON object or array is decoded;
 *   policy-document  IAM/resource policies get one form (statements as a
 *                    sorted array, actions lower-cased and sorted, scalar
 *                    vs list, principals "*" -> {"AWS": ["*"]}, Version);
 *   scalar-coercion  numbers and booleans become strings (CloudFormation
 *                    compares 10 and "10", true and "true" as equal);
 *   system-tags      aws:* keys leave Tags (and only Tags);
 *   unordered-array  arrays the schema (or the table) says are sets are
 *                    sorted, by identity key when every element has one;
 *   id-set           arrays of IDs or ARNs are sorted;
 *   azure-id-case    Azure resource IDs are lower-cased.
 * The CloudFormation schemas are read lazily per type and cached.
 */
#include "canon.h"

#include "../common/hash.h"
#include "../common/scan.h"
#include "../compiler/schema.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ORDER FACT: what is known of one (type, shape path), found once. */
#define FACT_UNORDERED 1u
#define FACT_BOOL 2u
#define FACT_NUMBER 4u
#define FACT_WRITE_ONLY 8u
#define FACT_READ_ONLY 16u

struct fact {
	uint64_t h;
	char *key;          /* "type\x1fpath" (malloc'd) */
	unsigned flags;
	json_t *def;        /* the default (borrowed from the rules or the schema), or NULL */
};

/* A string list of the rules, read once. */
struct list {
	const char **s;
	size_t *len; /* of each, measured once */
	size_t n;
};

struct hg_canon {
	char *dir;
	json_t *rules;
	/* the compiler's store of the registry schemas: opened when first asked
	 * (or by hg_canon_preload), under mu, and asked under mu (its cache
	 * grows); a canon of hg_canon_open_like asks its root's */
	hg_schemas *schemas;
	bool schemas_tried;
	pthread_mutex_t mu;
	/* NULL, or the canon whose tables and schema store this one borrows */
	hg_canon *root;
	struct fact *facts;  /* open addressing, a cache: the tables are read once per key */
	size_t nfacts, capfacts;
	struct list secrets, system_tags, policy_names, id_prefixes, identity_keys;
	struct list az_flattened, az_envelope, az_unlisted;
	hg_az_rules az;
	hg_sidecar *sidecars;
	char **sidecar_types;
	size_t nsidecars;
	/* hg_canon_value's two paths, kept from call to call (a call made
	 * while they are in use, from a fold callback, has its own) */
	hg_buf path, shape;
	bool busy;
	/* facts(): the type last asked about (a copy, if fact_known), and its hash */
	char fact_type[96];
	bool fact_known;
	size_t fact_tl;
	uint64_t fact_th;
};

static void read_list(struct list *l, json_t *rules, const char *table, const char *key)
{
	json_t *arr = json_object_get(json_object_get(rules, table), key);
	size_t i, n = json_array_size(arr);
	l->s = hg_xcalloc(n + 1, sizeof(char *));
	l->len = hg_xcalloc(n + 1, sizeof(size_t));
	for (i = 0; i < n; i++) {
		json_t *v = json_array_get(arr, i);
		if (!json_is_string(v))
			continue;
		l->len[l->n] = strlen(json_string_value(v));
		l->s[l->n++] = json_string_value(v);
	}
}

static void list_free(struct list *l)
{
	free(l->s);
	free(l->len);
}

hg_canon *hg_canon_open(const char *schema_dir, hg_diags *d)
{
	hg_canon *c;
	hg_buf path = HG_BUF_INIT;
	json_error_t err;
	json_t *rules, *side, *v;
	const char *k;

	hg_buf_printf(&path, "%s/drift/rules.json", schema_dir);
	rules = json_load_file(path.ptr, 0, &err);
	if (!rules) {
		hg_diag_add(d, HG_D_SCHEMAS_MISSING, NULL, schema_dir,
		        HG_BI("drift/rules.json cannot be read", "drift/rules.json を読めません"), NULL);
		hg_buf_dispose(&path);
		return NULL;
	}
	c = hg_xcalloc(1, sizeof(*c));
	hg_buf_init(&c->path);
	hg_buf_init(&c->shape);
	c->dir = hg_xstrdup(schema_dir);
	c->rules = rules;
	hg_buf_dispose(&path);
	pthread_mutex_init(&c->mu, NULL);
	read_list(&c->secrets, rules, "secrets", "contains");
	read_list(&c->system_tags, rules, "system_tags", "prefixes");
	read_list(&c->policy_names, rules, "policy_documents", "names");
	read_list(&c->id_prefixes, rules, "id_sets", "prefixes");
	read_list(&c->identity_keys, rules, "identity_keys", "keys");
	read_list(&c->az_flattened, rules, "az_shapes", "flattened");
	read_list(&c->az_envelope, rules, "az_shapes", "envelope");
	read_list(&c->az_unlisted, rules, "az_shapes", "not_in_resource_list");
	c->az.flattened = c->az_flattened.s;
	c->az.nflattened = c->az_flattened.n;
	c->az.envelope = c->az_envelope.s;
	c->az.nenvelope = c->az_envelope.n;
	c->az.unlisted = c->az_unlisted.s;
	c->az.nunlisted = c->az_unlisted.n;
	side = json_object_get(json_object_get(rules, "sidecars"), "types");
	c->sidecars = hg_xcalloc(json_object_size(side) + 1, sizeof(*c->sidecars));
	c->sidecar_types = hg_xcalloc(json_object_size(side) + 1, sizeof(*c->sidecar_types));
	json_object_foreach(side, k, v) {
		hg_sidecar *s = &c->sidecars[c->nsidecars];
		json_t *drop = json_object_get(v, "drop");
		const char **names = hg_xcalloc(json_array_size(drop) + 1, sizeof(*names));
		size_t i;
		json_t *x;
		s->parent = json_string_value(json_object_get(v, "parent"));
		s->into = json_string_value(json_object_get(v, "into"));
		json_array_foreach(drop, i, x)
			names[i] = json_string_value(x);
		s->drop = names;
		s->ndrop = json_array_size(drop);
		c->sidecar_types[c->nsidecars++] = hg_xstrdup(k);
	}
	return c;
}

hg_canon *hg_canon_open_like(hg_canon *root)
{
	hg_canon *c = hg_xcalloc(1, sizeof(*c)); /* its own caches and paths: none yet */
	if (root->root)
		root = root->root;
	c->root = root;
	/* the tables, read only once open: borrowed (the root's own caches,
	 * paths and lock are not read here: its thread may be using them) */
	c->dir = root->dir;
	c->rules = root->rules;
	c->secrets = root->secrets;
	c->system_tags = root->system_tags;
	c->policy_names = root->policy_names;
	c->id_prefixes = root->id_prefixes;
	c->identity_keys = root->identity_keys;
	c->az_flattened = root->az_flattened;
	c->az_envelope = root->az_envelope;
	c->az_unlisted = root->az_unlisted;
	c->az = root->az;
	c->sidecars = root->sidecars;
	c->sidecar_types = root->sidecar_types;
	c->nsidecars = root->nsidecars;
	hg_buf_init(&c->path);
	hg_buf_init(&c->shape);
	return c; /* schemas: the root's, under its lock */
}

void hg_canon_preload(hg_canon *c)
{
	hg_canon *o = c->root ? c->root : c;
	pthread_mutex_lock(&o->mu);
	if (!o->schemas_tried) {
		o->schemas = hg_schemas_open(o->dir);
		o->schemas_tried = true;
	}
	pthread_mutex_unlock(&o->mu);
}

void hg_canon_free(hg_canon *c)
{
	size_t i;
	if (!c)
		return;
	hg_buf_dispose(&c->path);
	hg_buf_dispose(&c->shape);
	for (i = 0; i < c->capfacts; i++)
		free(c->facts[i].key);
	free(c->facts);
	if (c->root) { /* the rest is the root's */
		free(c);
		return;
	}
	for (i = 0; i < c->nsidecars; i++) {
		free(c->sidecar_types[i]);
		free((void *)(uintptr_t)c->sidecars[i].drop);
	}
	free(c->sidecars);
	free(c->sidecar_types);
	list_free(&c->secrets);
	list_free(&c->system_tags);
	list_free(&c->policy_names);
	list_free(&c->id_prefixes);
	list_free(&c->identity_keys);
	list_free(&c->az_flattened);
	list_free(&c->az_envelope);
	list_free(&c->az_unlisted);
	json_decref(c->rules);
	hg_schemas_free(c->schemas);
	pthread_mutex_destroy(&c->mu);
	free(c->dir);
	free(c);
}

/* The schema of an AWS type (borrowed: the store keeps every schema it read until it is freed). */
static json_t *aws_schema(hg_canon *c, const char *type)
{
	hg_canon *o = c->root ? c->root : c;
	json_t *sch;
	if (strncmp(type, "AWS::", 5) != 0)
		return NULL;
	pthread_mutex_lock(&o->mu);
	if (!o->schemas_tried) {
		o->schemas = hg_schemas_open(o->dir);
		o->schemas_tried = true;
	}
	sch = o->schemas ? hg_schemas_aws(o->schemas, type) : NULL;
	pthread_mutex_unlock(&o->mu);
	return sch;
}

static json_t *deref(json_t *root, json_t *node)
{
	int hops = 0;
	while (node && hops++ < 32) {
		json_t *r = json_object_get(node, "$ref");
		const char *p = json_string_value(r);
		if (!p || strncmp(p, "#/definitions/", 14) != 0)
			break;
		node = json_object_get(json_object_get(root, "definitions"), p + 14);
	}
	return node;
}

/* The schema node at a shape path ("/A/-/B" with "*" for each index) of type, or NULL. */
static json_t *schema_at(hg_canon *c, const char *type, const char *path)
{
	json_t *root = aws_schema(c, type), *node = root;
	const char *p = path;
	bool top = true;

	if (!root)
		return NULL;
	while (node && *p == '/') {
		const char *seg = p + 1, *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		char key[256];
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, seg, len);
		key[len] = '\0';
		node = deref(root, node);
		if (strcmp(key, "*") == 0) {
			node = json_object_get(node, "items");
		} else {
			json_t *props = json_object_get(node, "properties");
			node = json_object_get(props, key);
		}
		top = false;
		p = seg + len;
	}
	(void)top;
	return deref(root, node);
}

static bool in_table(hg_canon *c, const char *table, const char *type, const char *path)
{
	json_t *list = json_object_get(json_object_get(json_object_get(c->rules, table), "paths"), type);
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), path) == 0)
			return true;
	return false;
}

static bool pointer_listed(hg_canon *c, const char *type, const char *key, const char *path)
{
	json_t *s = aws_schema(c, type), *v;
	size_t i;
	json_array_foreach(json_object_get(s, key), i, v) {
		const char *p = json_string_value(v);
		if (p && strncmp(p, "/properties", 11) == 0 && strcmp(p + 11, path) == 0)
			return true;
	}
	return false;
}

static bool schema_type(json_t *node, const char *t);

/* What the tables and the schema say of (type, path): read once, then from the cache. */
static const struct fact *facts(hg_canon *c, const char *type, const char *path)
{
	size_t tl = strlen(type), pl = strlen(path), i, mask;
	uint64_t h;

	/* a resource's properties ask one after another: its type hashed once */
	if (!c->fact_known || tl != c->fact_tl || memcmp(type, c->fact_type, tl) != 0) {
		c->fact_th = hg_hash64(type, tl) * 0x9E3779B97F4A7C15ull;
		c->fact_known = tl < sizeof(c->fact_type);
		c->fact_tl = tl;
		if (c->fact_known)
			memcpy(c->fact_type, type, tl);
	}
	h = hg_hash64(path, pl) ^ c->fact_th;
	struct fact *f;
	json_t *node;

	if ((c->nfacts + 1) * 2 > c->capfacts) {
		struct fact *old = c->facts;
		size_t oldcap = c->capfacts, k;
		c->capfacts = c->capfacts ? c->capfacts * 2 : 256;
		c->facts = hg_xcalloc(c->capfacts, sizeof(*c->facts));
		for (k = 0; k < oldcap; k++)
			if (old[k].key) {
				for (i = old[k].h & (c->capfacts - 1); c->facts[i].key; i = (i + 1) & (c->capfacts - 1))
					;
				c->facts[i] = old[k];
			}
		free(old);
	}
	mask = c->capfacts - 1;
	for (i = h & mask; c->facts[i].key; i = (i + 1) & mask) {
		f = &c->facts[i];
		if (f->h == h && strncmp(f->key, type, tl) == 0 && f->key[tl] == '\x1f' &&
		        strcmp(f->key + tl + 1, path) == 0)
			return f;
	}
	f = &c->facts[i];
	f->h = h;
	f->key = hg_xmalloc(tl + pl + 2);
	memcpy(f->key, type, tl);
	f->key[tl] = '\x1f';
	memcpy(f->key + tl + 1, path, pl + 1);
	c->nfacts++;
	node = schema_at(c, type, path);
	if (!in_table(c, "ordered", type, path) &&
	        (in_table(c, "unordered", type, path) ||
	                (node && json_is_false(json_object_get(node, "insertionOrder")))))
		f->flags |= FACT_UNORDERED;
	if (node && schema_type(node, "boolean"))
		f->flags |= FACT_BOOL;
	if (node && (schema_type(node, "integer") || schema_type(node, "number")))
		f->flags |= FACT_NUMBER;
	if (pointer_listed(c, type, "writeOnlyProperties", path))
		f->flags |= FACT_WRITE_ONLY;
	if (pointer_listed(c, type, "readOnlyProperties", path))
		f->flags |= FACT_READ_ONLY;
	f->def = json_object_get(
	        json_object_get(json_object_get(json_object_get(c->rules, "defaults"), "values"), type),
	        path);
	if (!f->def) /* the schema's own default, where it has one */
		f->def = json_object_get(node, "default");
	return f;
}

static bool unordered(hg_canon *c, const char *type, const char *path)
{
	return (facts(c, type, path)->flags & FACT_UNORDERED) != 0;
}

bool hg_canon_write_only(hg_canon *c, const char *type, const char *path)
{
	return (facts(c, type, path)->flags & FACT_WRITE_ONLY) != 0;
}

bool hg_canon_read_only(hg_canon *c, const char *type, const char *path)
{
	return (facts(c, type, path)->flags & FACT_READ_ONLY) != 0;
}

size_t hg_canon_primary_id(hg_canon *c, const char *type, const char **out, size_t max)
{
	json_t *s = aws_schema(c, type), *v;
	size_t i, n = 0;
	json_array_foreach(json_object_get(s, "primaryIdentifier"), i, v) {
		const char *p = json_string_value(v);
		if (p && strncmp(p, "/properties", 11) == 0 && n < max)
			out[n++] = p + 11;
	}
	return n;
}

const hg_jv *hg_canon_default(hg_canon *c, hg_arena *a, const char *type, const char *path)
{
	const struct fact *f = facts(c, type, path);
	return f->def ? hg_jv_from_json(a, f->def) : NULL;
}

bool hg_canon_secret_name(const hg_canon *c, const char *name)
{
	size_t i, n = strlen(name), k;
	char low[128];
	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (k = 0; k < n; k++)
		low[k] = (char)tolower((unsigned char)name[k]);
	low[n] = '\0';
	for (i = 0; i < c->secrets.n; i++)
		if (strstr(low, c->secrets.s[i]))
			return true;
	return false;
}

const hg_sidecar *hg_canon_sidecar(const hg_canon *c, const char *type)
{
	size_t i;
	for (i = 0; i < c->nsidecars; i++)
		if (strcmp(c->sidecar_types[i], type) == 0)
			return &c->sidecars[i];
	return NULL;
}

/* A value at a pointer under props (no wildcards). */
static const hg_jv *at_pointer(const hg_jv *v, const char *p)
{
	while (v && *p == '/') {
		const char *seg = p + 1, *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg), i;
		const hg_jv *next = NULL;
		if (v->kind != HG_JV_OBJ)
			return NULL;
		for (i = 0; i < v->n; i++)
			if (v->u.members[i].klen == len && memcmp(v->u.members[i].key, seg, len) == 0)
				next = v->u.members[i].val;
		v = next;
		p = seg + len;
	}
	return v;
}

/* Is name (n bytes) one of the rules' policy document properties? */
static bool policy_name(const hg_canon *c, const char *name, size_t n)
{
	size_t i;
	for (i = 0; i < c->policy_names.n; i++)
		if (c->policy_names.len[i] == n && memcmp(c->policy_names.s[i], name, n) == 0)
			return true;
	return false;
}

const hg_jv *hg_canon_policies_decoded(const hg_canon *c, hg_arena *a, const hg_jv *v, int depth)
{
	hg_jv *out = NULL;
	size_t i;

	if (!v || depth > 64 || (v->kind != HG_JV_OBJ && v->kind != HG_JV_ARR))
		return v;
	for (i = 0; i < v->n; i++) {
		const hg_jv *old = v->kind == HG_JV_OBJ ? v->u.members[i].val : v->u.items[i];
		const hg_jv *now = old;
		if (v->kind == HG_JV_OBJ && old->kind == HG_JV_STR &&
		        policy_name(c, v->u.members[i].key, v->u.members[i].klen)) {
			hg_jv *parsed = NULL;
			if (hg_jv_parse(&parsed, a, old->u.s, old->n, 64, NULL) == 0 && parsed->kind == HG_JV_OBJ)
				now = parsed; /* the service takes the document as a JSON string too */
		} else
			now = hg_canon_policies_decoded(c, a, old, depth + 1);
		if (now == old && !out)
			continue;
		if (!out) { /* copy on the first change */
			size_t k;
			out = v->kind == HG_JV_OBJ ? hg_jv_object(a, v->n) : hg_jv_array(a, v->n);
			for (k = 0; k < i; k++) {
				if (v->kind == HG_JV_OBJ)
					hg_jv_put(a, out, v->u.members[k].key, v->u.members[k].klen, v->u.members[k].val);
				else
					hg_jv_push(a, out, v->u.items[k]);
			}
		}
		if (v->kind == HG_JV_OBJ)
			hg_jv_put(a, out, v->u.members[i].key, v->u.members[i].klen, now);
		else
			hg_jv_push(a, out, now);
	}
	return out ? out : v;
}

const hg_az_rules *hg_canon_az_rules(const hg_canon *c)
{
	return &c->az;
}

bool hg_canon_cloud_default(const hg_canon *c, const char *type, const hg_jv *props)
{
	json_t *list = json_object_get(json_object_get(c->rules, "cloud_defaults"), "match"), *m;
	size_t i;
	json_array_foreach(list, i, m) {
		const hg_jv *v;
		json_t *eq = json_object_get(m, "equals"), *pre = json_object_get(m, "prefix");
		if (strcasecmp(json_string_value(json_object_get(m, "type")), type) != 0)
			continue;
		v = at_pointer(props, json_string_value(json_object_get(m, "property")));
		if (!v)
			continue;
		if (json_is_string(pre) && v->kind == HG_JV_STR &&
		        strncmp(v->u.s, json_string_value(pre), strlen(json_string_value(pre))) == 0)
			return true;
		if (json_is_string(eq) && v->kind == HG_JV_STR && strcmp(v->u.s, json_string_value(eq)) == 0)
			return true;
		if (json_is_true(eq) && (v->kind == HG_JV_TRUE ||
		                                (v->kind == HG_JV_STR && strcmp(v->u.s, "true") == 0)))
			return true;
	}
	return false;
}

/* ---- the walk ---- */

struct walk {
	hg_canon *c;
	hg_arena *a;
	const char *type;
	hg_side side;
	hg_fold_cb fold;
	void *payload;
	hg_buf path;  /* JSON pointer with real indexes, for reports */
	hg_buf shape; /* the same with "*" for indexes, for the tables */
};

static void folded(struct walk *w, const char *rule)
{
	if (w->fold)
		w->fold(rule, w->path.size ? w->path.ptr : "/", w->payload);
}

static bool is_policy_name(struct walk *w, const char *name, size_t nlen)
{
	size_t i;
	for (i = 0; name && i < w->c->policy_names.n; i++)
		if (w->c->policy_names.len[i] == nlen &&
		        memcmp(w->c->policy_names.s[i], name, nlen) == 0)
			return true;
	return false;
}

static bool is_system_tag(const hg_canon *c, const char *key, size_t klen)
{
	size_t i;
	for (i = 0; i < c->system_tags.n; i++) {
		size_t pl = c->system_tags.len[i];
		if (klen >= pl && memcmp(key, c->system_tags.s[i], pl) == 0)
			return true;
	}
	return false;
}

static hg_jv *walk(struct walk *w, const hg_jv *v, const char *name, size_t nlen);

static hg_jv *str(hg_arena *a, const char *s)
{
	return hg_jv_string(a, s, strlen(s));
}

/* A boolean as the string it equals (true == "true"), shown as the boolean. */
static hg_jv *typed_bool(hg_arena *a, bool b)
{
	hg_jv *t = str(a, b ? "true" : "false");
	t->typed = true;
	return t;
}

/* "10.50" -> "10.5", "10.0" -> "10": numbers compare by value as text. */
static hg_jv *number_text(hg_arena *a, const hg_jv *v)
{
	const char *s = v->u.s, *dot = memchr(s, '.', v->n);
	size_t n = v->n;
	hg_jv *t;
	if (dot && !memchr(s, 'e', n) && !memchr(s, 'E', n)) {
		while (n > (size_t)(dot - s) && s[n - 1] == '0')
			n--;
		if (n == (size_t)(dot - s) + 1)
			n--;
	}
	t = hg_jv_string(a, s, n);
	t->typed = true;
	return t;
}

static int cmp_canon(const void *x, const void *y)
{
	const hg_buf *a = x, *b = y;
	size_t n = a->size < b->size ? a->size : b->size;
	int c = memcmp(a->ptr, b->ptr, n);
	return c ? c : (a->size < b->size ? -1 : a->size > b->size);
}

/* A string whose canonical text is itself between quotes (jv.c: write_str escapes nothing in it). */
static bool plain(const hg_jv *k)
{
	return k && k->kind == HG_JV_STR && hg_plain_end(k->u.s, k->u.s + k->n) == k->u.s + k->n;
}

/*
 * Two plain strings in the order of their canonical texts, without writing
 * them: where one ends, its closing quote meets the other's next byte, and
 * only ' ' and '!' sort before a quote ("ab!" before "ab", "ab" before "abc").
 */
static int cmp_plain(const hg_jv *a, const hg_jv *b)
{
	size_t n = a->n < b->n ? a->n : b->n;
	int c;
	unsigned char next;
	if (n && a->u.s[0] != b->u.s[0]) /* most keys differ at once: no call */
		return (unsigned char)a->u.s[0] < (unsigned char)b->u.s[0] ? -1 : 1;
	c = memcmp(a->u.s, b->u.s, n);
	if (c || a->n == b->n)
		return c;
	next = (unsigned char)(a->n < b->n ? b->u.s[n] : a->u.s[n]);
	return (a->n < b->n) == (next > '"') ? -1 : 1;
}

#define PLAIN_MAX 64

/*
 * sort_items when every key (the item, or its identity key's value) is a
 * plain string, identity keys all different: the same order, with nothing
 * written (tags by key, a policy's actions and resources). False, and
 * nothing done, otherwise.
 */
static bool sort_plain(hg_jv **items, size_t n, const char *idkey)
{
	const hg_jv *key[PLAIN_MAX];
	size_t i, j;

	if (n > PLAIN_MAX)
		return false;
	for (i = 0; i < n; i++) {
		key[i] = idkey ? hg_jv_get(items[i], idkey) : items[i];
		if (!plain(key[i]))
			return false;
	}
	for (i = 0; i < n && idkey; i++) /* two items of one key: their content decides */
		for (j = 0; j < i; j++)
			if (cmp_plain(key[i], key[j]) == 0)
				return false;
	for (i = 1; i < n; i++) { /* insertion sort, stable: equal items keep their order */
		const hg_jv *k = key[i];
		hg_jv *it = items[i];
		for (j = i; j > 0 && cmp_plain(key[j - 1], k) > 0; j--) {
			key[j] = key[j - 1];
			items[j] = items[j - 1];
		}
		key[j] = k;
		items[j] = it;
	}
	return true;
}

/*
 * Sort items by their canonical text, or by their identity key's first
 * (tags by key): the canonical text of every item is built only when the
 * keys do not already decide the order.
 */
static void sort_items(hg_jv **items, size_t n, const char *idkey)
{
	hg_buf *keys;
	hg_jv **tmp;
	size_t *order, i, j;
	bool full = !idkey;

	if (n < 2 || sort_plain(items, n, idkey))
		return;
	keys = hg_xcalloc(n, sizeof(*keys));
	for (i = 0; i < n && idkey; i++) {
		hg_buf_init(&keys[i]);
		hg_jv_canonical(&keys[i], hg_jv_get(items[i], idkey));
		hg_buf_putc(&keys[i], '\0');
	}
	for (i = 0; i < n && !full; i++) /* two items of one key: their content decides */
		for (j = 0; j < i && !full; j++)
			full = cmp_canon(&keys[i], &keys[j]) == 0;
	for (i = 0; i < n && full; i++) {
		if (!idkey)
			hg_buf_init(&keys[i]);
		hg_jv_canonical(&keys[i], items[i]);
	}
	/* Insertion sort of an index array: arrays in resources are short. */
	order = hg_xmalloc(n * sizeof(*order));
	for (i = 0; i < n; i++) {
		size_t x = i;
		for (j = i; j > 0 && cmp_canon(&keys[order[j - 1]], &keys[x]) > 0; j--)
			order[j] = order[j - 1];
		order[j] = x;
	}
	tmp = hg_xmalloc(n * sizeof(*tmp));
	for (i = 0; i < n; i++)
		tmp[i] = items[order[i]];
	memcpy(items, tmp, n * sizeof(*tmp));
	free(tmp);
	free(order);
	for (i = 0; i < n; i++)
		hg_buf_dispose(&keys[i]);
	free(keys);
}

static const char *identity_key(struct walk *w, const hg_jv *arr)
{
	size_t i, j;
	if (!arr->n)
		return NULL;
	for (i = 0; i < w->c->identity_keys.n; i++) {
		const char *name = w->c->identity_keys.s[i];
		for (j = 0; j < arr->n; j++)
			if (!hg_jv_get(arr->u.items[j], name))
				break;
		if (j == arr->n)
			return name;
	}
	return NULL;
}

static bool id_set(struct walk *w, const hg_jv *arr)
{
	size_t i, k;
	if (arr->n < 2)
		return false;
	for (i = 0; i < arr->n; i++) {
		const hg_jv *e = arr->u.items[i];
		bool ok = false;
		if (e->kind != HG_JV_STR)
			return false;
		for (k = 0; k < w->c->id_prefixes.n && !ok; k++)
			ok = strncmp(e->u.s, w->c->id_prefixes.s[k], w->c->id_prefixes.len[k]) == 0;
		if (!ok)
			return false;
	}
	return true;
}

/* Enter a member (seg) or, with index, the item number len of an array. */
static void push(struct walk *w, const char *seg, size_t len, size_t *p0, size_t *s0, bool index)
{
	*p0 = w->path.size;
	*s0 = w->shape.size;
	hg_buf_putc(&w->path, '/');
	if (index)
		hg_buf_put_size(&w->path, len);
	else
		hg_buf_put(&w->path, seg, len);
	hg_buf_putc(&w->shape, '/');
	if (index)
		hg_buf_putc(&w->shape, '*');
	else
		hg_buf_put(&w->shape, seg, len);
}

static void pop(struct walk *w, size_t p0, size_t s0)
{
	hg_buf_truncate(&w->path, p0);
	hg_buf_truncate(&w->shape, s0);
}

/* Decode a string that holds a JSON object or array, if it does. */
static const hg_jv *decoded(struct walk *w, const hg_jv *v)
{
	const char *s = v->u.s;
	size_t i = 0;
	hg_jv *out = NULL;
	while (i < v->n && isspace((unsigned char)s[i]))
		i++;
	if (i == v->n || (s[i] != '{' && s[i] != '['))
		return NULL;
	if (hg_jv_parse(&out, w->a, s, v->n, 128, NULL) < 0)
		return NULL;
	return out;
}

/* ---- policies ---- */

static hg_jv *as_list(hg_arena *a, const hg_jv *v)
{
	hg_jv *l;
	if (v->kind == HG_JV_ARR)
		return (hg_jv *)(uintptr_t)v;
	l = hg_jv_new(a, HG_JV_ARR);
	l->n = 1;
	l->u.items = HG_ANEWN(a, hg_jv *, 1);
	l->u.items[0] = (hg_jv *)(uintptr_t)v;
	return l;
}

static hg_jv *lowered(hg_arena *a, const hg_jv *v)
{
	hg_jv *c;
	size_t i;
	if (v->kind != HG_JV_STR)
		return (hg_jv *)(uintptr_t)v;
	c = hg_jv_string(a, v->u.s, v->n);
	for (i = 0; i < c->n; i++)
		((char *)(uintptr_t)c->u.s)[i] = (char)tolower((unsigned char)c->u.s[i]);
	return c;
}

/* A sorted, de-duplicated list from a scalar or a list. */
static hg_jv *set_of(struct walk *w, const hg_jv *v, bool lower)
{
	hg_jv *l = as_list(w->a, v), *out = hg_jv_new(w->a, HG_JV_ARR);
	size_t i, k;
	out->u.items = HG_ANEWN(w->a, hg_jv *, l->n ? l->n : 1);
	for (i = 0; i < l->n; i++) {
		hg_jv *e = lower ? lowered(w->a, l->u.items[i]) : l->u.items[i];
		for (k = 0; k < out->n; k++)
			if (hg_jv_equal(out->u.items[k], e))
				break;
		if (k == out->n)
			out->u.items[out->n++] = e;
	}
	sort_items(out->u.items, out->n, NULL);
	return out;
}

static hg_jv *obj_with(hg_arena *a, const hg_jv *o, const char *key, hg_jv *val)
{
	hg_jv *r = hg_jv_new(a, HG_JV_OBJ);
	size_t i, kl = strlen(key);
	r->u.members = HG_ANEWN(a, hg_jv_member, o->n + 1);
	for (i = 0; i < o->n; i++) {
		if (o->u.members[i].klen == kl && memcmp(o->u.members[i].key, key, kl) == 0)
			continue;
		r->u.members[r->n++] = o->u.members[i];
	}
	if (val) {
		r->u.members[r->n].key = key;
		r->u.members[r->n].klen = kl;
		r->u.members[r->n++].val = val;
	}
	return r;
}

static hg_jv *principal(struct walk *w, const hg_jv *p)
{
	hg_jv *o;
	size_t i;
	if (p->kind == HG_JV_STR) {
		/* "*" means anyone: {"AWS": ["*"]} */
		hg_jv *aws = hg_jv_new(w->a, HG_JV_OBJ);
		aws->n = 1;
		aws->u.members = HG_ANEWN(w->a, hg_jv_member, 1);
		aws->u.members[0].key = "AWS";
		aws->u.members[0].klen = 3;
		aws->u.members[0].val = set_of(w, p, false);
		return aws;
	}
	if (p->kind != HG_JV_OBJ)
		return (hg_jv *)(uintptr_t)p;
	o = hg_jv_new(w->a, HG_JV_OBJ);
	o->n = p->n;
	o->u.members = HG_ANEWN(w->a, hg_jv_member, p->n ? p->n : 1);
	for (i = 0; i < p->n; i++) {
		hg_jv *vals = set_of(w, p->u.members[i].val, false);
		size_t k;
		/* An account ID is the account's root ARN. */
		for (k = 0; k < vals->n; k++) {
			const hg_jv *e = vals->u.items[k];
			if (e->kind == HG_JV_STR && e->n == 12 && strspn(e->u.s, "0123456789") == 12)
				vals->u.items[k] = str(w->a, hg_arena_printf(w->a, "arn:aws:iam::%s:root", e->u.s));
		}
		sort_items(vals->u.items, vals->n, NULL);
		o->u.members[i] = p->u.members[i];
		o->u.members[i].val = vals;
	}
	return o;
}

static hg_jv *policy(struct walk *w, const hg_jv *v)
{
	const hg_jv *st = hg_jv_get(v, "Statement");
	hg_jv *doc, *list;
	size_t i;

	if (v->kind != HG_JV_OBJ)
		return (hg_jv *)(uintptr_t)v;
	doc = obj_with(w->a, v, "Version",
	        hg_jv_get(v, "Version") ? hg_jv_get(v, "Version") : str(w->a, "2012-10-17"));
	if (!st)
		return doc;
	st = as_list(w->a, st);
	list = hg_jv_new(w->a, HG_JV_ARR);
	list->n = st->n;
	list->u.items = HG_ANEWN(w->a, hg_jv *, st->n ? st->n : 1);
	for (i = 0; i < st->n; i++) {
		hg_jv *s = (hg_jv *)(uintptr_t)st->u.items[i];
		static const char *const sets[] = {"Action", "NotAction", "Resource", "NotResource"};
		size_t k;
		if (s->kind != HG_JV_OBJ) {
			list->u.items[i] = s;
			continue;
		}
		for (k = 0; k < 4; k++) {
			const hg_jv *x = hg_jv_get(s, sets[k]);
			if (x)
				s = obj_with(w->a, s, sets[k], set_of(w, x, k < 2));
		}
		if (hg_jv_get(s, "Principal"))
			s = obj_with(w->a, s, "Principal", principal(w, hg_jv_get(s, "Principal")));
		if (hg_jv_get(s, "NotPrincipal"))
			s = obj_with(w->a, s, "NotPrincipal", principal(w, hg_jv_get(s, "NotPrincipal")));
		if (hg_jv_get(s, "Sid") && hg_jv_get(s, "Sid")->kind == HG_JV_STR &&
		        hg_jv_get(s, "Sid")->n == 0)
			s = obj_with(w->a, s, "Sid", NULL);
		if (hg_jv_get(s, "Condition") && hg_jv_get(s, "Condition")->kind == HG_JV_OBJ) {
			const hg_jv *cond = hg_jv_get(s, "Condition");
			hg_jv *c2 = hg_jv_new(w->a, HG_JV_OBJ);
			size_t m;
			c2->n = cond->n;
			c2->u.members = HG_ANEWN(w->a, hg_jv_member, cond->n ? cond->n : 1);
			for (m = 0; m < cond->n; m++) {
				const hg_jv *ops = cond->u.members[m].val;
				hg_jv *o2 = hg_jv_new(w->a, HG_JV_OBJ);
				size_t q;
				o2->u.members = HG_ANEWN(w->a, hg_jv_member, ops->kind == HG_JV_OBJ && ops->n ? ops->n : 1);
				for (q = 0; ops->kind == HG_JV_OBJ && q < ops->n; q++) {
					/* condition keys are case-insensitive */
					hg_jv *lk = lowered(w->a, hg_jv_string(w->a, ops->u.members[q].key,
					                                        ops->u.members[q].klen));
					o2->u.members[o2->n].key = lk->u.s;
					o2->u.members[o2->n].klen = lk->n;
					o2->u.members[o2->n++].val = set_of(w, ops->u.members[q].val, false);
				}
				c2->u.members[m] = cond->u.members[m];
				c2->u.members[m].val = ops->kind == HG_JV_OBJ ? o2 : (hg_jv *)(uintptr_t)ops;
			}
			s = obj_with(w->a, s, "Condition", c2);
		}
		list->u.items[i] = s;
	}
	sort_items(list->u.items, list->n, NULL);
	return obj_with(w->a, doc, "Statement", list);
}

static bool named(const char *name, size_t nlen, const char *want)
{
	size_t n = strlen(want);
	return name && nlen == n && memcmp(name, want, n) == 0;
}

static hg_jv *walk_array(struct walk *w, const hg_jv *v, const char *name, size_t nlen)
{
	hg_jv *r = hg_jv_new(w->a, HG_JV_ARR);
	size_t i;
	bool is_tags = named(name, nlen, "Tags");

	r->u.items = hg_arena_alloc_raw(w->a, sizeof(hg_jv *) * (v->n ? v->n : 1), sizeof(void *));
	for (i = 0; i < v->n; i++) {
		size_t p0, s0;
		const hg_jv *e = v->u.items[i];
		const hg_jv *k = is_tags ? hg_jv_get(e, "Key") : NULL;
		if (k && k->kind == HG_JV_STR && is_system_tag(w->c, k->u.s, k->n)) {
			folded(w, HG_RULE_SYSTEM_TAGS);
			continue;
		}
		push(w, NULL, i, &p0, &s0, true);
		r->u.items[r->n++] = walk(w, e, NULL, 0);
		pop(w, p0, s0);
	}
	r->cap = r->n;
	if (r->n > 1 && (is_tags || unordered(w->c, w->type, w->shape.ptr))) {
		const char *idk = identity_key(w, r);
		hg_jv **before = hg_arena_alloc_raw(w->a, sizeof(hg_jv *) * r->n, sizeof(void *));
		memcpy(before, r->u.items, sizeof(hg_jv *) * r->n);
		sort_items(r->u.items, r->n, idk);
		/* a fold when sorting changed something (not merely swapped equal items) */
		for (i = 0; i < r->n; i++)
			if (before[i] != r->u.items[i] && !hg_jv_equal(before[i], r->u.items[i])) {
				folded(w, idk ? HG_RULE_IDENTITY : HG_RULE_UNORDERED);
				break;
			}
	} else if (id_set(w, r)) {
		sort_items(r->u.items, r->n, NULL);
		folded(w, HG_RULE_ID_SET);
	}
	return r;
}

static int cmp_members(const hg_jv_member *a, const hg_jv_member *b)
{
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c;
	if (n && a->key[0] != b->key[0]) /* most keys differ at once: no call */
		return (unsigned char)a->key[0] < (unsigned char)b->key[0] ? -1 : 1;
	c = memcmp(a->key, b->key, n);
	return c ? c : (a->klen < b->klen ? -1 : a->klen > b->klen);
}

/* The members of a canonical object are in key order (jv.h: sorted). */
static void sort_members(hg_jv *o)
{
	size_t i, j;
	for (i = 1; i < o->n; i++) { /* insertion sort: objects here have few members */
		hg_jv_member m = o->u.members[i];
		for (j = i; j > 0 && cmp_members(&o->u.members[j - 1], &m) > 0; j--)
			o->u.members[j] = o->u.members[j - 1];
		o->u.members[j] = m;
	}
	o->sorted = true;
}

static hg_jv *walk_object(struct walk *w, const hg_jv *v, const char *name, size_t nlen)
{
	hg_jv *r = hg_jv_new(w->a, HG_JV_OBJ);
	size_t i;
	bool is_tags = named(name, nlen, "Tags");

	r->u.members = hg_arena_alloc_raw(w->a, sizeof(hg_jv_member) * (v->n ? v->n : 1), sizeof(void *));
	for (i = 0; i < v->n; i++) {
		const hg_jv_member *m = &v->u.members[i];
		size_t p0, s0;
		if (is_tags && is_system_tag(w->c, m->key, m->klen)) {
			folded(w, HG_RULE_SYSTEM_TAGS);
			continue;
		}
		push(w, m->key, m->klen, &p0, &s0, false);
		r->u.members[r->n].key = m->key;
		r->u.members[r->n].klen = m->klen;
		r->u.members[r->n++].val = walk(w, m->val, m->key, m->klen);
		pop(w, p0, s0);
	}
	r->cap = r->n;
	sort_members(r);
	return r;
}

/* Does the schema node say the value is of this JSON type (alone or among others)? */
static bool schema_type(json_t *node, const char *t)
{
	json_t *ty = json_object_get(node, "type"), *x;
	size_t i;
	if (json_is_string(ty))
		return strcmp(json_string_value(ty), t) == 0;
	json_array_foreach(ty, i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), t) == 0)
			return true;
	return false;
}

static bool numeric(const char *s, size_t n)
{
	size_t i = 0;
	bool digits = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits = true;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits = true;
	return digits && i == n;
}

/*
 * CloudFormation's own coercion of a string where its schema wants a
 * boolean ("False", "TRUE": any case) or a number ("10", "10.50"): the
 * value the service stores, as canonicalization writes booleans and
 * numbers. NULL when the string stays a string.
 */
static const hg_jv *coerced(struct walk *w, const hg_jv *v)
{
	bool is_bool = (v->n == 4 && strncasecmp(v->u.s, "true", 4) == 0) ||
	               (v->n == 5 && strncasecmp(v->u.s, "false", 5) == 0);
	bool is_num = !is_bool && v->n && v->n < 40 && numeric(v->u.s, v->n);
	unsigned f;
	hg_jv num;
	const char *s = v->u.s;
	size_t n = v->n;

	if ((!is_bool && !is_num) || strncmp(w->type, "AWS::", 5) != 0)
		return NULL;
	f = facts(w->c, w->type, w->shape.ptr)->flags;
	if (is_bool && (f & FACT_BOOL))
		return (v->n == 4 && memcmp(s, "true", 4) == 0) || (v->n == 5 && memcmp(s, "false", 5) == 0)
		               ? NULL /* already the canonical text */
		               : typed_bool(w->a, v->n == 4);
	if (is_num && (f & FACT_NUMBER)) {
		if (*s == '+') {
			s++;
			n--;
		}
		while (n > 1 && s[0] == '0' && s[1] != '.') { /* "010" is 10 */
			s++;
			n--;
		}
		memset(&num, 0, sizeof(num));
		num.kind = HG_JV_NUM;
		num.u.s = s;
		num.n = n;
		{
			hg_jv *t = number_text(w->a, &num);
			if (t->n == v->n && memcmp(t->u.s, v->u.s, v->n) == 0)
				t->typed = false; /* "10" as a string is already the canonical text */
			return t->typed ? t : NULL;
		}
	}
	return NULL;
}

static hg_jv *location(hg_arena *a, const hg_jv *v)
{
	char *s = hg_arena_alloc(a, v->n + 1);
	size_t i, n = 0;
	for (i = 0; i < v->n; i++)
		if (v->u.s[i] != ' ')
			s[n++] = (char)tolower((unsigned char)v->u.s[i]);
	return hg_jv_string(a, s, n);
}

static hg_jv *walk(struct walk *w, const hg_jv *v, const char *name, size_t nlen)
{
	const hg_jv *d;

	switch (v->kind) {
	case HG_JV_STR:
		if ((d = decoded(w, v)) != NULL) {
			folded(w, HG_RULE_JSON_STRING);
			return walk(w, d, name, nlen);
		}
		if (named(name, nlen, "location") && strncmp(w->type, "Microsoft.", 10) == 0) {
			/* "Japan East" and "japaneast" are one region */
			hg_jv *l = location(w->a, v);
			if (l->n != v->n || memcmp(l->u.s, v->u.s, v->n) != 0)
				folded(w, HG_RULE_AZURE_LOCATION);
			return l;
		}
		if ((d = coerced(w, v)) != NULL) {
			folded(w, HG_RULE_SCALAR);
			return (hg_jv *)(uintptr_t)d;
		}
		if (v->n > 15 && strncasecmp(v->u.s, "/subscriptions/", 15) == 0) {
			hg_jv *l = lowered(w->a, v);
			if (memcmp(l->u.s, v->u.s, v->n) != 0)
				folded(w, HG_RULE_AZURE_ID);
			return l;
		}
		return (hg_jv *)(uintptr_t)v;
	case HG_JV_NUM:
		folded(w, HG_RULE_SCALAR);
		return number_text(w->a, v);
	case HG_JV_TRUE:
	case HG_JV_FALSE:
		folded(w, HG_RULE_SCALAR);
		return typed_bool(w->a, v->kind == HG_JV_TRUE);
	case HG_JV_ARR:
		return walk_array(w, v, name, nlen);
	case HG_JV_OBJ:
		if (is_policy_name(w, name, nlen)) {
			hg_jv *p = walk_object(w, v, NULL, 0);
			folded(w, HG_RULE_POLICY);
			p = policy(w, p);
			if (p->kind == HG_JV_OBJ)
				sort_members(p);
			return p;
		}
		return walk_object(w, v, name, nlen);
	default:
		return (hg_jv *)(uintptr_t)v;
	}
}

/* ---- tags, the common case, compared without the walk ---- */

/* Tags of one side, kept (not system tags), in canonical order. */
struct tagside {
	const hg_jv *key[PLAIN_MAX], *val[PLAIN_MAX];
	size_t n;
	bool system, moved; /* a system tag was dropped; sorting moved a tag */
};

/* A string the walk returns as it is: not JSON, a boolean, a number or an Azure ID. */
static bool inert(const hg_jv *v)
{
	const char *s = v->u.s;
	size_t i = 0, n = v->n;
	unsigned char c0 = n ? (unsigned char)s[0] : 0;

	/* the usual tag key or value: a word whose first letter none of the
	 * forms below begins with (a blank, '{', '[', a sign, a digit, '.',
	 * "true", "false", "/subscriptions/") */
	if (((c0 | 0x20) >= 'a' && (c0 | 0x20) <= 'z') && (c0 | 0x20) != 't' && (c0 | 0x20) != 'f')
		return true;
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i < n && (s[i] == '{' || s[i] == '['))
		return false; /* json-string */
	if ((n == 4 && strncasecmp(s, "true", 4) == 0) ||
	        (n == 5 && strncasecmp(s, "false", 5) == 0) || numeric(s, n))
		return false; /* scalar-coercion, where the schema says so */
	return !(n > 15 && strncasecmp(s, "/subscriptions/", 15) == 0); /* azure-id-case */
}

/*
 * The tags of arr as the walk would leave them, if arr is a list of
 * {"Key": k, "Value": v} whose keys and values are inert strings, the kept
 * keys plain and all different: false otherwise (the walk decides then).
 */
static bool tag_side(const hg_canon *c, const hg_jv *arr, struct tagside *t)
{
	size_t i, j;

	t->n = 0;
	t->system = t->moved = false;
	if (arr->kind != HG_JV_ARR || arr->n > PLAIN_MAX)
		return false;
	for (i = 0; i < arr->n; i++) {
		const hg_jv *e = arr->u.items[i], *k, *v;
		if (e->kind != HG_JV_OBJ)
			return false;
		k = hg_jv_get(e, "Key");
		if (k && k->kind == HG_JV_STR && is_system_tag(c, k->u.s, k->n)) {
			/* dropped before its content is looked at, as by the walk */
			t->system = true;
			continue;
		}
		if (e->n != 2 || !k || !(v = hg_jv_get(e, "Value")) || v->kind != HG_JV_STR ||
		        !plain(k) || !inert(k) || !inert(v))
			return false;
		t->key[t->n] = k;
		t->val[t->n++] = v;
	}
	for (i = 1; i < t->n; i++) { /* insertion sort by key (sort_plain's order) */
		const hg_jv *k = t->key[i], *v = t->val[i];
		for (j = 0; j < i; j++) /* two tags of one key: their content decides (the walk) */
			if (cmp_plain(t->key[j], k) == 0)
				return false;
		for (j = i; j > 0 && cmp_plain(t->key[j - 1], k) > 0; j--) {
			t->key[j] = t->key[j - 1];
			t->val[j] = t->val[j - 1];
		}
		if (j != i)
			t->moved = true;
		t->key[j] = k;
		t->val[j] = v;
	}
	return true;
}

/* The folds of one side, in the walk's order: dropped tags, then the sort. */
static void tag_folds(const struct tagside *t, const char *path, hg_fold_cb fold, void *payload)
{
	if (!fold)
		return;
	if (t->system)
		fold(HG_RULE_SYSTEM_TAGS, path, payload);
	if (t->n > 1 && t->moved)
		fold(HG_RULE_IDENTITY, path, payload);
}

/* The canonical form of a side: what walk_array builds. */
static hg_jv *tag_list(hg_arena *a, const struct tagside *t)
{
	hg_jv *r = hg_jv_new(a, HG_JV_ARR);
	size_t i;

	r->u.items = hg_arena_alloc_raw(a, sizeof(hg_jv *) * (t->n ? t->n : 1), sizeof(void *));
	for (i = 0; i < t->n; i++) {
		hg_jv *o = hg_jv_new(a, HG_JV_OBJ);
		o->u.members = hg_arena_alloc_raw(a, 2 * sizeof(hg_jv_member), sizeof(void *));
		o->u.members[0].key = "Key";
		o->u.members[0].klen = 3;
		o->u.members[0].val = (hg_jv *)(uintptr_t)t->key[i];
		o->u.members[1].key = "Value";
		o->u.members[1].klen = 5;
		o->u.members[1].val = (hg_jv *)(uintptr_t)t->val[i];
		o->n = o->cap = 2;
		o->sorted = true;
		r->u.items[r->n++] = o;
	}
	r->cap = r->n;
	return r;
}

int hg_canon_tags_equal(const hg_canon *c, hg_arena *a, const char *path, const hg_jv *desired,
        const hg_jv *deployed, hg_jv **canon, hg_fold_cb fold, void *payload)
{
	struct tagside d, p;
	size_t i;

	if (!tag_side(c, desired, &d) || !tag_side(c, deployed, &p) || d.n != p.n)
		return 0;
	/* sorted by "Key" only if it is the first identity key every tag has */
	for (i = 0; d.n > 1 && i < c->identity_keys.n; i++) {
		if (strcmp(c->identity_keys.s[i], "Value") == 0)
			return 0;
		if (strcmp(c->identity_keys.s[i], "Key") == 0)
			break;
	}
	if (d.n > 1 && i == c->identity_keys.n)
		return 0;
	for (i = 0; i < d.n; i++)
		if (d.key[i]->n != p.key[i]->n || d.val[i]->n != p.val[i]->n ||
		        memcmp(d.key[i]->u.s, p.key[i]->u.s, d.key[i]->n) != 0 ||
		        memcmp(d.val[i]->u.s, p.val[i]->u.s, d.val[i]->n) != 0)
			return 0;
	tag_folds(&d, path, fold, payload);
	tag_folds(&p, path, fold, payload);
	if (canon)
		*canon = tag_list(a, &d);
	return 1;
}

hg_jv *hg_canon_value(hg_canon *c, hg_arena *a, const char *type, const char *path,
        const hg_jv *v, hg_side side, hg_fold_cb fold, void *payload)
{
	struct walk w;
	const char *name = strrchr(path, '/');
	hg_jv *r;
	bool own;

	memset(&w, 0, sizeof(w));
	w.c = c;
	w.a = a;
	w.type = type;
	w.side = side;
	w.fold = fold;
	w.payload = payload;
	if (!c->busy) { /* the canon's own, not a malloc and a free a call */
		w.path = c->path;
		w.shape = c->shape;
		hg_buf_clear(&w.path);
		hg_buf_clear(&w.shape);
	} else {
		hg_buf_init(&w.path);
		hg_buf_init(&w.shape);
	}
	own = !c->busy;
	c->busy = true;
	hg_buf_puts(&w.path, path);
	hg_buf_puts(&w.shape, path);
	r = walk(&w, v, name && name[1] ? name + 1 : NULL, name && name[1] ? strlen(name + 1) : 0);
	if (own) {
		c->path = w.path;
		c->shape = w.shape;
		c->busy = false;
	} else {
		hg_buf_dispose(&w.path);
		hg_buf_dispose(&w.shape);
	}
	return r;
}

const char *hg_canon_identity_key(const hg_canon *c, const hg_jv *a, const hg_jv *b)
{
	size_t i, j;

	for (i = 0; i < c->identity_keys.n; i++) {
		const char *name = c->identity_keys.s[i];
		bool all = true;
		for (j = 0; all && a && j < a->n; j++)
			all = hg_jv_str(hg_jv_get(a->u.items[j], name)) != NULL;
		for (j = 0; all && b && j < b->n; j++)
			all = hg_jv_str(hg_jv_get(b->u.items[j], name)) != NULL;
		if (all)
			return name;
	}
	return NULL;
}
