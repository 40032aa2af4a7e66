/*
 * schema.c: the schema store and the value checker: checking resources
 * against the CloudFormation registry schemas, and the checker the ARM
 * half (schema_arm.c: the ARM packs) uses too (see schema.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. The registry schemas are JSON Schema (draft-07 subset). This
 * module implements the part that matters for authoring: `type`,
 * `properties`, `additionalProperties: false`, `patternProperties` (any
 * key accepted; patterns are ECMAScript and not checked), `required`,
 * `items`, `minItems`/`maxItems`, `enum`, local `$ref`, and `oneOf`/
 * `anyOf` as "one of these shapes". Values are checked as CloudFormation
 * reads them: a number or boolean is accepted where a string is expected
 * and a numeric string where a number is, because the service converts
 * them. Values computed at deploy time (references, attributes) are
 * checked only as far as their type is known. Nulls are errors, as they
 * are for CloudFormation.
 */
#include "schema_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/fs.h"
#include "lower.h"

/* A JSON file, read whole then parsed (jansson's own reader goes a byte at a time). */
json_t *hg_schema_load_json(const char *path)
{
	hg_buf text = HG_BUF_INIT;
	size_t size = 0;
	json_t *v = NULL;
	if (hg_fs_read(&text, path, 64u << 20, &size) == 0)
		v = json_loadb(text.ptr, text.size, 0, NULL);
	hg_buf_dispose(&text);
	return v;
}

hg_schemas *hg_schemas_open(const char *dir)
{
	hg_schemas *s;
	hg_buf path = HG_BUF_INIT;
	json_t *index;

	hg_buf_printf(&path, "%s/aws/index.json", dir);
	index = hg_schema_load_json(path.ptr);
	hg_buf_dispose(&path);
	if (!index || !json_is_object(json_object_get(index, "types"))) {
		json_decref(index);
		return NULL;
	}
	s = hg_xcalloc(1, sizeof(*s));
	s->dir = hg_xstrdup(dir);
	s->index = index;
	hg_buf_printf(&path, "%s/azure/index.json", dir);
	s->azindex = hg_schema_load_json(path.ptr);
	hg_buf_dispose(&path);
	return s;
}

void hg_schemas_free(hg_schemas *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->ncache; i++) {
		free(s->cache[i].type);
		json_decref(s->cache[i].schema);
	}
	free(s->cache);
	for (i = 0; i < s->npacks; i++) {
		struct azpack *p = s->packs[i];
		size_t k;
		for (k = 0; p->nodes && k < p->nlines; k++)
			json_decref(p->nodes[k]);
		free(p->nodes);
		free(p->lines);
		json_decref(p->header);
		hg_buf_dispose(&p->text);
		free(p->file);
		free(p);
	}
	free(s->packs);
	json_decref(s->index);
	json_decref(s->azindex);
	free(s->dir);
	free(s);
}

/*
 * The schema of type (borrowed), NULL if the type is unknown; *io on I/O
 * errors. Azure types are looked up as "Type@api-version" in azure/.
 */
static json_t *schema_in(
        hg_schemas *s, const char *cloud, json_t *index, const char *type, bool *io)
{
	json_t *file = json_object_get(json_object_get(index, "types"), type);
	hg_buf path = HG_BUF_INIT;
	json_t *sch;
	size_t i;

	if (!json_is_string(file))
		return NULL;
	for (i = 0; i < s->ncache; i++)
		if (strcmp(s->cache[i].type, type) == 0)
			return s->cache[i].schema;
	hg_buf_printf(&path, "%s/%s/resources/%s", s->dir, cloud, json_string_value(file));
	sch = hg_schema_load_json(path.ptr);
	hg_buf_dispose(&path);
	if (!sch)
		*io = true;
	HG_GROW(s->cache, s->capcache, s->ncache + 1);
	s->cache[s->ncache].type = hg_xstrdup(type);
	s->cache[s->ncache++].schema = sch;
	return sch;
}

static void report(struct check *c)
{
	c->errors++;
	if (!c->quiet)
		c->failed = true;
}

/* Follow local $refs ("#/definitions/X"); bounded against ref loops. */
static json_t *deref(struct check *c, json_t *sch)
{
	int hops = 0;
	while (sch && json_is_object(sch) && hops++ < 32) {
		json_t *r = json_object_get(sch, "$ref");
		const char *p;
		if (json_is_integer(r) && c->pack) {
			sch = hg_schema_pack_node(c->pack, json_integer_value(r), &c->io);
			continue;
		}
		if (!json_is_string(r))
			return sch;
		p = json_string_value(r);
		if (strncmp(p, "#/definitions/", 14) != 0)
			return sch;
		sch = json_object_get(json_object_get(c->root, "definitions"), p + 14);
	}
	return sch;
}

static bool type_allows(json_t *sch, const char *t)
{
	json_t *ty = json_object_get(sch, "type");
	size_t i;
	json_t *v;
	if (!ty)
		return true;
	if (json_is_string(ty))
		return strcmp(json_string_value(ty), t) == 0;
	json_array_foreach(ty, i,
	        v) if (json_is_string(v) && strcmp(json_string_value(v), t) == 0) return true;
	return false;
}

static bool numeric_text(const char *s, bool integer)
{
	char *end;
	if (!*s)
		return false;
	if (integer)
		(void)strtoll(s, &end, 10);
	else
		(void)strtod(s, &end);
	return *end == '\0';
}

/* The expected type(s) of a schema node, for messages. */
/* A JSON Schema type in the words other messages use, English and Japanese. */
static void type_words(const char *type, const char **en, const char **ja)
{
	static const char *const map[][3] = {{"array", "a list", "リスト"},
	        {"object", "a mapping", "マッピング"}, {"string", "a string", "文字列"},
	        {"integer", "an integer", "整数"}, {"number", "a number", "数値"},
	        {"boolean", "a boolean", "真偽値"}, {"null", "null", "null"}};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (strcmp(map[i][0], type) == 0) {
			*en = map[i][1];
			*ja = map[i][2];
			return;
		}
	*en = *ja = type;
}

/* One type, or several joined ("a string or a number"), as a bilingual argument. */
static const char *types_text(struct check *c, const char *const *types, size_t n)
{
	hg_buf en = HG_BUF_INIT, ja = HG_BUF_INIT;
	const char *out, *e, *j;
	size_t i;

	for (i = 0; i < n; i++) {
		type_words(types[i], &e, &j);
		hg_buf_printf(&en, "%s%s", i ? " or " : "", e);
		hg_buf_printf(&ja, "%s%s", i ? "か" : "", j);
	}
	if (!n) {
		hg_buf_puts(&en, "a value");
		hg_buf_puts(&ja, "値");
	}
	out = hg_arena_printf(c->a, "%s\x1f%s", en.ptr, ja.ptr);
	hg_buf_dispose(&en);
	hg_buf_dispose(&ja);
	return out;
}

static const char *want_text(struct check *c, json_t *sch)
{
	json_t *ty = json_object_get(sch, "type"), *v;
	const char *types[16];
	size_t n = 0, i;

	if (json_is_string(ty))
		types[n++] = json_string_value(ty);
	else if (json_is_array(ty))
		json_array_foreach(ty, i, v) if (json_is_string(v) && n < 16) types[n++] =
		        json_string_value(v);
	return types_text(c, types, n);
}

static const char *kind_of(const hg_value *v)
{
	switch (v->kind) {
	case HG_V_NULL:
		return "null";
	case HG_V_BOOL:
		return "boolean";
	case HG_V_INT:
		return "integer";
	case HG_V_FLOAT:
		return "number";
	case HG_V_STR:
	case HG_V_INTERP:
		return "string";
	case HG_V_LIST:
		return "array";
	case HG_V_MAP:
		return "object";
	default:
		return "expression";
	}
}

static const char *join_path(struct check *c, const char *path, const char *key)
{
	return *path ? hg_arena_printf(c->a, "%s.%s", path, key) : key;
}


static void type_error(
        struct check *c, const hg_value *v, json_t *sch, const char *path, const char *got)
{
	report(c);
	if (!c->quiet)
		hg_diag_add(c->d, HG_D_PROP_TYPE, &v->span, path, want_text(c, sch),
		        types_text(c, &got, 1), NULL);
}

/* Check an expression whose value is known only at deploy time. */
static void check_expr(
        struct check *c, const hg_value *v, const hg_expr *e, json_t *sch, const char *path)
{
	const char *got = NULL;

	switch (e->kind) {
	case HG_EX_COND:
		/* Both branches must fit; AWS::NoValue fits anywhere. */
		check_expr(c, v, e->u.op.b, sch, path);
		check_expr(c, v, e->u.op.c, sch, path);
		return;
	case HG_EX_VALUE:
		hg_schema_check_value(c, e->u.value, sch, path);
		return;
	case HG_EX_PSEUDO:
		if (e->u.pseudo == HG_PS_AWS_NO_VALUE)
			return;
		break;
	default:
		break;
	}
	switch (e->type) {
	case HG_T_LIST:
		if (!type_allows(sch, "array"))
			got = "array";
		break;
	case HG_T_OBJECT:
		if (!type_allows(sch, "object"))
			got = "object";
		break;
	case HG_T_STRING:
	case HG_T_INT:
	case HG_T_BOOL:
		if (!type_allows(sch, "string") && !type_allows(sch, "integer") &&
		        !type_allows(sch, "number") && !type_allows(sch, "boolean"))
			got = e->type == HG_T_STRING ? "string"
			      : e->type == HG_T_INT  ? "integer"
			                             : "boolean";
		break;
	default:
		break;
	}
	if (got)
		type_error(c, v, sch, path, got);
}

static const char *suggest(json_t *props, const char *key)
{
	const char *best = NULL, *k;
	size_t bestd = 4;
	json_t *unused;

	json_object_foreach(props, k, unused)
	{
		size_t dist;
		if (strcasecmp(k, key) == 0)
			return k;
		/* A truncated name ("VersioningConfig") is a likely slip. */
		if (strlen(key) >= 6 && strncasecmp(k, key, strlen(key)) == 0 && !best) {
			/* ...unless a closer name follows ("destinationPortRang":
			 * Range, not Ranges). */
			best = k;
			bestd = hg_edit_distance(key, k, 3);
			continue;
		}
		dist = hg_edit_distance(key, k, 3);
		if (dist < bestd && dist <= strlen(k) / 3 + 1) {
			bestd = dist;
			best = k;
		}
	}
	return best;
}

/* The first of oneOf/anyOf branches that v fits, or NULL (then report). */
static bool check_alternatives(struct check *c, const hg_value *v, json_t *alts, const char *path)
{
	size_t i;
	json_t *alt;
	bool saved = c->quiet;
	unsigned before = c->errors;

	json_array_foreach(alts, i, alt)
	{
		unsigned e0;
		c->quiet = true;
		e0 = c->errors;
		hg_schema_check_value(c, v, alt, path);
		c->quiet = saved;
		if (c->errors == e0) {
			c->errors = before;
			if (c->lenient && !saved) /* again, for its notes */
				hg_schema_check_value(c, v, alt, path);
			return true;
		}
	}
	c->errors = before;
	return false;
}

/*
 * The schema of property key in props (borrowed), or NULL. ARM property
 * names are case-insensitive (Resource Manager and the providers match them
 * so), CloudFormation's are not.
 */
static json_t *prop_schema(const struct check *c, json_t *props, const char *key)
{
	json_t *ps = props ? json_object_get(props, key) : NULL, *v;
	const char *k;

	if (ps || !c->pack || !props)
		return ps;
	json_object_foreach(props, k, v) if (strcasecmp(k, key) == 0) return v;
	return NULL;
}

static bool has_member(const struct check *c, const hg_value *v, const char *key)
{
	size_t i;

	if (hg_value_get(v, key))
		return true;
	for (i = 0; c->pack && i < v->u.map.n; i++)
		if (strcasecmp(v->u.map.m[i].key, key) == 0)
			return true;
	return false;
}

/*
 * Does the schema sch have property last at path (dotted keys, "[n]" for an
 * item of a list), through references and alternatives? For the note that
 * names the first API version with a property the written one lacks.
 */
static bool has_path(struct check *c, json_t *sch, const char *path, const char *last, int depth)
{
	static const char *const alts[] = {"allOf", "oneOf", "anyOf"};
	const char *end;
	json_t *x;
	size_t i, k;

	sch = deref(c, sch);
	if (!json_is_object(sch) || depth > 32)
		return false;
	for (k = 0; k < 3; k++)
		json_array_foreach(json_object_get(sch, alts[k]), i, x) if (has_path(
		        c, x, path, last, depth + 1)) return true;
	if (!*path)
		return prop_schema(c, json_object_get(sch, "properties"), last) != NULL;
	if (*path == '[') {
		end = strchr(path, ']');
		return end && has_path(c, json_object_get(sch, "items"), end[1] == '.' ? end + 2 : end + 1,
		                      last, depth + 1);
	}
	for (end = path; *end && *end != '.' && *end != '['; end++)
		;
	{
		char *key = hg_arena_strndup(c->a, path, (size_t)(end - path));
		return has_path(c, prop_schema(c, json_object_get(sch, "properties"), key),
		        *end == '.' ? end + 1 : end, last, depth + 1);
	}
}

/* The first API version after the one written whose schema has path.key, or NULL. */
static const char *from_version(struct check *c, const char *path, const char *key)
{
	json_t *e;
	size_t i;

	json_array_foreach(c->entries, i, e)
	{
		const char *v = json_string_value(json_array_get(e, 0));
		json_int_t n = json_integer_value(json_array_get(e, 1));
		json_t *body;
		if (!v || n <= 0 || strcmp(v, c->version) <= 0)
			continue;
		body = hg_schema_pack_node(c->pack, n, &c->io);
		if (body && has_path(c, body, path, key, 0))
			return v;
	}
	return NULL;
}

/* Is key in the string list sch[list] (case-insensitively for Azure)? */
static bool listed(const struct check *c, json_t *sch, const char *list, const char *key)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(sch, list), i, x)
	{
		const char *k = json_string_value(x);
		if (k && (c->pack ? strcasecmp(k, key) : strcmp(k, key)) == 0)
			return true;
	}
	return false;
}

static void check_object(struct check *c, const hg_value *v, json_t *sch, const char *path)
{
	json_t *props = json_object_get(sch, "properties");
	json_t *pattern = json_object_get(sch, "patternProperties");
	json_t *addl = json_object_get(sch, "additionalProperties");
	json_t *req = json_object_get(sch, "required");
	size_t i;
	json_t *r;

	for (i = 0; i < v->u.map.n; i++) {
		const hg_member *m = &v->u.map.m[i];
		json_t *ps = prop_schema(c, props, m->key);
		if (ps) {
			hg_schema_check_value(c, m->value, ps, join_path(c, path, m->key));
			continue;
		}
		if (json_is_object(pattern) && json_object_size(pattern)) {
			/* Patterns are ECMAScript; the first one's schema stands
			 * for all (registry schemas rarely have two). */
			json_t *first = json_object_iter_value(json_object_iter(pattern));
			hg_schema_check_value(c, m->value, first, join_path(c, path, m->key));
			continue;
		}
		if ((json_is_false(addl) || (!addl && props)) && !c->lenient &&
		        listed(c, sch, "readOnly", m->key)) {
			/* Azure: a property the API sets (Bicep's types say so; the
			 * ARM schemas leave it out). */
			report(c);
			if (!c->quiet)
				hg_diag_add(c->d, HG_D_PROP_READONLY, &m->key_span,
				        hg_arena_printf(c->a, "%s %s", c->type, join_path(c, path, m->key)),
				        NULL);
			continue;
		}
		if ((json_is_false(addl) || (!addl && props)) && c->lenient) {
			/* Perhaps added in the version written: said, not failed. */
			if (!c->quiet)
				hg_diag_note(c->lenient, HG_D_N_NOT_IN_SCHEMA, &m->key_span, m->key,
				        *path ? hg_arena_printf(c->a, "%s %s", c->type, path)
				              : c->type,
				        NULL);
			continue;
		}
		if (json_is_false(addl) || (!addl && props)) {
			report(c);
			if (!c->quiet) {
				const char *where =
				        *path ? hg_arena_printf(c->a, "%s %s", c->type, path)
				              : c->type;
				hg_diag *dg = hg_diag_add(c->d, HG_D_UNKNOWN_PROPERTY, &m->key_span,
				        m->key, where, NULL);
				const char *best = props ? suggest(props, m->key) : NULL;
				const char *since = c->entries ? from_version(c, path, m->key) : NULL;
				if (best)
					hg_diag_note(dg, HG_D_N_DID_YOU_MEAN, NULL, best, NULL);
				if (since)
					hg_diag_note(dg, HG_D_N_FROM_VERSION, NULL, m->key, since, NULL);
			}
			continue;
		}
		if (json_is_object(addl))
			hg_schema_check_value(c, m->value, addl, join_path(c, path, m->key));
	}
	json_array_foreach(req, i, r)
	{
		if (!json_is_string(r) || has_member(c, v, json_string_value(r)))
			continue;
		/* ARM schemas list a body's `properties` and `location` as
		 * required where the API takes none (a private DNS zone, an
		 * extension resource): Resource Manager says so if it matters. */
		if (c->pack && !*path && (strcmp(json_string_value(r), "properties") == 0 ||
		                                 strcmp(json_string_value(r), "location") == 0))
			continue;
		report(c);
		if (!c->quiet)
			hg_diag_add(c->d, HG_D_PROP_REQUIRED,
			        !*path && c->res_span ? c->res_span : &v->span,
			        json_string_value(r),
			        *path ? hg_arena_printf(c->a, "%s %s", c->type, path) : c->type,
			        NULL);
	}
}

/*
 * allOf, for a mapping: the branches merged into one view, properties of
 * any branch known and the required ones of every branch required.
 * Microsoft's schemas model inheritance and discriminated subtypes so
 * (allOf [base, oneOf [allOf [subtype, {kind: {const: X}}], ...]]), and a
 * subtype's property must not be unknown to the base. A property in two
 * branches must fit both; the first oneOf met is the choice of subtype.
 */
static void merge_into(struct check *c, json_t *view, json_t *sch, json_t **choice, int depth)
{
	json_t *vprops = json_object_get(view, "properties"), *vreq = json_object_get(view, "required");
	json_t *props, *req, *addl, *all, *one, *x;
	const char *k;
	size_t i;

	sch = deref(c, sch);
	if (!json_is_object(sch) || depth > 16)
		return;
	props = json_object_get(sch, "properties");
	json_object_foreach(props, k, x)
	{
		json_t *old = json_object_get(vprops, k);
		if (!old)
			json_object_set(vprops, k, x);
		else
			json_object_set_new(vprops, k, json_pack("{s:[O,O]}", "allOf", old, x));
	}
	req = json_object_get(sch, "required");
	json_array_foreach(req, i, x) json_array_append(vreq, x);
	if (json_is_array(json_object_get(sch, "readOnly"))) {
		if (!json_is_array(json_object_get(view, "readOnly")))
			json_object_set_new(view, "readOnly", json_array());
		json_array_extend(json_object_get(view, "readOnly"), json_object_get(sch, "readOnly"));
	}
	addl = json_object_get(sch, "additionalProperties");
	if (addl && !json_is_false(addl))
		json_object_set(view, "additionalProperties", addl);
	else if (json_is_false(addl) && !json_object_get(view, "additionalProperties"))
		json_object_set(view, "additionalProperties", addl);
	if (json_object_get(sch, "patternProperties"))
		json_object_set(view, "patternProperties", json_object_get(sch, "patternProperties"));
	all = json_object_get(sch, "allOf");
	json_array_foreach(all, i, x) merge_into(c, view, x, choice, depth + 1);
	one = json_object_get(sch, "oneOf");
	if (!json_is_array(one))
		one = json_object_get(sch, "anyOf");
	if (json_is_array(one) && json_array_size(one) && !*choice)
		*choice = one;
}

static json_t *view_copy(json_t *view)
{
	json_t *out = json_copy(view);
	json_object_set_new(out, "properties", json_copy(json_object_get(view, "properties")));
	json_object_set_new(out, "required", json_copy(json_object_get(view, "required")));
	if (json_object_get(view, "readOnly"))
		json_object_set_new(out, "readOnly", json_copy(json_object_get(view, "readOnly")));
	return out;
}

/* Does alternative alt pin a property of v to its value (a discriminator)? */
static bool discriminates(struct check *c, const hg_value *v, json_t *alt, int depth)
{
	json_t *x, *all;
	const char *k;
	size_t i;

	alt = deref(c, alt);
	if (!json_is_object(alt) || depth > 8)
		return false;
	json_object_foreach(json_object_get(alt, "properties"), k, x)
	{
		json_t *cst = json_object_get(deref(c, x), "const");
		json_t *en = json_object_get(deref(c, x), "enum");
		const hg_value *m = hg_value_get(v, k);
		if (!cst && json_array_size(en) == 1)
			cst = json_array_get(en, 0);
		if (json_is_string(cst) && m && m->kind == HG_V_STR &&
		        strcasecmp(json_string_value(cst), m->u.str.s) == 0)
			return true;
	}
	all = json_object_get(alt, "allOf");
	json_array_foreach(all, i, x) if (discriminates(c, v, x, depth + 1)) return true;
	return false;
}

static void check_allof(struct check *c, const hg_value *v, json_t *base, json_t *extra,
        const char *path, int depth)
{
	json_t *view = view_copy(base), *choice = NULL, *alt;
	size_t i;

	merge_into(c, view, extra, &choice, 0);
	if (choice && depth < 4) {
		bool saved = c->quiet;
		unsigned before = c->errors;
		json_t *pick = NULL;

		json_array_foreach(choice, i, alt)
		{
			unsigned e0 = c->errors;
			c->quiet = true;
			check_allof(c, v, view, alt, path, depth + 1);
			c->quiet = saved;
			if (c->errors == e0) {
				c->errors = before;
				if (c->lenient && !saved) /* again, for its notes */
					check_allof(c, v, view, alt, path, depth + 1);
				json_decref(view);
				return;
			}
			if (!pick && discriminates(c, v, alt, 0))
				pick = alt;
		}
		c->errors = before;
		if (pick) {
			/* Report against the subtype the value names. */
			check_allof(c, v, view, pick, path, depth + 1);
			json_decref(view);
			return;
		}
		/* The value names no subtype (its discriminator is an expression,
		 * or missing): a property of any subtype is known. */
		json_array_foreach(choice, i, alt)
		{
			json_t *ignored = NULL;
			merge_into(c, view, alt, &ignored, 0);
		}
		json_object_set_new(view, "required", json_array());
		check_object(c, v, view, path);
		json_decref(view);
		return;
	}
	check_object(c, v, view, path);
	json_decref(view);
}

void hg_schema_check_value(struct check *c, const hg_value *v, json_t *sch, const char *path)
{
	json_t *alts;

	sch = deref(c, sch);
	if (!json_is_object(sch))
		return;
	if (c->opaque_any && (v->kind == HG_V_INTERP || v->kind == HG_V_NULL))
		return; /* an ARM expression (its type is known at deploy time), or
		         * null, which Resource Manager passes as "not set" */
	alts = json_object_get(sch, "allOf");
	/* Common properties beside a choice of subtypes are merged the same way. */
	if ((json_is_array(alts) ||
	            (v->kind == HG_V_MAP && json_object_get(sch, "properties") &&
	                    (json_is_array(json_object_get(sch, "oneOf")) ||
	                            json_is_array(json_object_get(sch, "anyOf"))))) &&
	        v->kind != HG_V_EXPR && v->kind != HG_V_NULL) {
		size_t i;
		json_t *b;
		if (v->kind == HG_V_MAP) {
			json_t *view = json_pack("{s:s,s:{},s:[]}", "type", "object", "properties",
			        "required");
			check_allof(c, v, view, sch, path, 0);
			json_decref(view);
			return;
		}
		json_array_foreach(json_object_get(sch, "allOf"), i, b)
		{
			unsigned e0 = c->errors;
			hg_schema_check_value(c, v, b, path);
			if (c->errors != e0)
				return;
		}
		if (!json_object_get(sch, "type"))
			return;
	}
	if (v->kind == HG_V_EXPR) {
		check_expr(c, v, v->u.expr, sch, path);
		return;
	}
	if (v->kind == HG_V_NULL) {
		type_error(c, v, sch, path, "null");
		return;
	}
	/* A shape given only as alternatives: the value must fit one. */
	if (!json_object_get(sch, "type") && !json_object_get(sch, "properties")) {
		alts = json_object_get(sch, "oneOf");
		if (!json_is_array(alts))
			alts = json_object_get(sch, "anyOf");
		if (json_is_array(alts) && json_array_size(alts)) {
			if (!check_alternatives(c, v, alts, path)) {
				/* Report against the first branch, which names a type. */
				hg_schema_check_value(c, v, json_array_get(alts, 0), path);
			}
			return;
		}
	}
	switch (v->kind) {
	case HG_V_MAP:
		if (!type_allows(sch, "object")) {
			type_error(c, v, sch, path, "object");
			return;
		}
		check_object(c, v, sch, path);
		return;
	case HG_V_LIST: {
		json_t *items = json_object_get(sch, "items");
		json_t *mn = json_object_get(sch, "minItems"),
		       *mx = json_object_get(sch, "maxItems");
		size_t i;
		if (!type_allows(sch, "array")) {
			type_error(c, v, sch, path, "array");
			return;
		}
		if ((json_is_integer(mn) && (json_int_t)v->u.list.n < json_integer_value(mn)) ||
		        (json_is_integer(mx) && (json_int_t)v->u.list.n > json_integer_value(mx))) {
			report(c);
			if (!c->quiet) {
				char n[32], range[64];
				snprintf(n, sizeof(n), "%zu", v->u.list.n);
				snprintf(range, sizeof(range), "%lld..%lld",
				        json_is_integer(mn) ? (long long)json_integer_value(mn)
				                            : 0LL,
				        json_is_integer(mx) ? (long long)json_integer_value(mx)
				                            : 9999LL);
				hg_diag_add(c->d, HG_D_PROP_ITEMS, &v->span, path, n, range, NULL);
			}
		}
		if (items)
			for (i = 0; i < v->u.list.n; i++)
				hg_schema_check_value(c, v->u.list.items[i], items,
				        hg_arena_printf(c->a, "%s[%zu]", path, i));
		return;
	}
	case HG_V_BOOL:
		if (type_allows(sch, "boolean") || type_allows(sch, "string"))
			break;
		type_error(c, v, sch, path, kind_of(v));
		return;
	case HG_V_INT:
	case HG_V_FLOAT:
		if (type_allows(sch, "number") || type_allows(sch, "string") ||
		        (v->kind == HG_V_INT && type_allows(sch, "integer")))
			break;
		type_error(c, v, sch, path, kind_of(v));
		return;
	case HG_V_STR:
		if (type_allows(sch, "string") ||
		        (type_allows(sch, "integer") && numeric_text(v->u.str.s, true)) ||
		        (type_allows(sch, "number") && numeric_text(v->u.str.s, false)) ||
		        (type_allows(sch, "boolean") && (strcmp(v->u.str.s, "true") == 0 ||
		                                                strcmp(v->u.str.s, "false") == 0)))
			break;
		type_error(c, v, sch, path, kind_of(v));
		return;
	case HG_V_INTERP:
		if (!type_allows(sch, "string"))
			type_error(c, v, sch, path, "string");
		return;
	default:
		return;
	}
	/* Scalars: allowed values. */
	{
		json_t *en = json_object_get(sch, "enum"), *e, *one = NULL;
		size_t i;
		char buf[64];
		const char *text = NULL;
		hg_buf allowed = HG_BUF_INIT;

		if (!json_is_array(en) && json_object_get(sch, "const")) {
			/* const: an enum of one (a discriminator of Azure subtypes) */
			one = json_pack("[O]", json_object_get(sch, "const"));
			en = one;
		}
		if (!json_is_array(en))
			return;
		if (v->kind == HG_V_STR)
			text = v->u.str.s;
		else if (v->kind == HG_V_INT) {
			snprintf(buf, sizeof(buf), "%lld", (long long)v->u.i);
			text = buf;
		} else if (v->kind == HG_V_BOOL)
			text = v->u.b ? "true" : "false";
		if (!text) {
			json_decref(one);
			return;
		}
		json_array_foreach(en, i, e)
		{
			/* ARM enums are case-insensitive, as the providers read them. */
			if (json_is_string(e) &&
			        (c->pack ? strcasecmp(json_string_value(e), text)
			                 : strcmp(json_string_value(e), text)) == 0)
				break;
			if (json_is_integer(e) && v->kind == HG_V_INT &&
			        json_integer_value(e) == v->u.i)
				break;
			if (json_is_boolean(e) && v->kind == HG_V_BOOL &&
			        json_boolean_value(e) == v->u.b)
				break;
		}
		if (i < json_array_size(en)) {
			json_decref(one);
			return;
		}
		report(c);
		if (c->quiet) {
			json_decref(one);
			return;
		}
		json_array_foreach(en, i, e)
		{
			if (i == 12) {
				hg_buf_puts(&allowed, ", ...");
				break;
			}
			if (json_is_string(e))
				hg_buf_printf(
				        &allowed, "%s%s", i ? ", " : "", json_string_value(e));
			else if (json_is_integer(e))
				hg_buf_printf(&allowed, "%s%lld", i ? ", " : "",
				        (long long)json_integer_value(e));
		}
		hg_diag_add(c->d, HG_D_PROP_ENUM, &v->span, text, path, allowed.ptr, NULL);
		hg_buf_dispose(&allowed);
		json_decref(one);
	}
}

static json_t *schema_of(hg_schemas *s, const char *type, bool *io)
{
	return schema_in(s, "aws", s->index, type, io);
}

/* Top-level read-only properties that the template sets. */
static void check_readonly(struct check *c, const hg_value *props, json_t *sch)
{
	json_t *ro = json_object_get(sch, "readOnlyProperties"), *p;
	size_t i, k;

	if (!props)
		return;
	json_array_foreach(ro, i, p)
	{
		const char *ptr = json_string_value(p);
		if (!ptr || strncmp(ptr, "/properties/", 12) != 0 || strchr(ptr + 12, '/'))
			continue;
		for (k = 0; k < props->u.map.n; k++) {
			if (strcmp(props->u.map.m[k].key, ptr + 12) == 0) {
				hg_diag_add(c->d, HG_D_PROP_READONLY, &props->u.map.m[k].key_span,
				        hg_arena_printf(c->a, "%s %s", c->type, ptr + 12), NULL);
				c->failed = true;
			}
		}
	}
}

/* Does type accept Fn::GetAtt attribute attr ("Arn", "Endpoint.Address")? */
static bool has_attr(
        hg_schemas *s, json_t *sch, const char *type, const char *attr, const char **best)
{
	json_t *getatt = json_object_get(s->index, "getatt"), *v;
	json_t *all = json_object_get(getatt, "all_properties");
	json_t *extra = json_object_get(json_object_get(getatt, "extra"), type);
	json_t *ro = json_object_get(sch, "readOnlyProperties");
	size_t i, bestd = 4;
	hg_buf want = HG_BUF_INIT;
	bool ok = false;

	*best = NULL;
	if (strcmp(type, "AWS::CloudFormation::Stack") == 0 && strncmp(attr, "Outputs.", 8) == 0)
		return true;
	hg_buf_puts(&want, "/properties/");
	for (; *attr; attr++)
		hg_buf_putc(&want, *attr == '.' ? '/' : *attr);
	json_array_foreach(ro, i, v)
	{
		const char *p = json_string_value(v);
		size_t dist;
		if (!p)
			continue;
		if (strcmp(p, want.ptr) == 0)
			ok = true;
		dist = hg_edit_distance(want.ptr, p, 3);
		if (dist < bestd) {
			bestd = dist;
			*best = p + 12;
		}
	}
	json_array_foreach(extra, i,
	        v) if (json_is_string(v) && strcmp(want.ptr + 12, json_string_value(v)) == 0) ok =
	        true;
	json_array_foreach(all, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), type) == 0) {
			/* Every property of these types is an attribute. */
			const char *top = want.ptr + 12;
			const char *slash = strchr(top, '/');
			hg_buf t = HG_BUF_INIT;
			hg_buf_put(&t, top, slash ? (size_t)(slash - top) : strlen(top));
			if (json_object_get(json_object_get(sch, "properties"), t.ptr))
				ok = true;
			hg_buf_dispose(&t);
		}
	}
	hg_buf_dispose(&want);
	return ok;
}

struct attr_walk {
	hg_schemas *s;
	hg_diags *d;
	hg_arena *a;
	bool failed, io;
};

static void check_attr(hg_expr *e, void *payload)
{
	struct attr_walk *w = payload;
	const hg_ir_resource *r;
	json_t *sch;
	const char *best;

	if (e->kind != HG_EX_ATTR)
		return;
	r = e->u.res.res;
	if (strncmp(r->type, "Custom::", 8) == 0 ||
	        strcmp(r->type, "AWS::CloudFormation::CustomResource") == 0)
		return;
	sch = schema_of(w->s, r->type, &w->io);
	if (!sch)
		return; /* unknown type: reported where it is declared */
	if (!has_attr(w->s, sch, r->type, e->u.res.attr, &best)) {
		hg_diag *dg = hg_diag_add(w->d, HG_D_UNKNOWN_ATTR, &e->span, e->u.res.attr,
		        hg_arena_printf(w->a, "%s (%s)", r->path, r->type), NULL);
		if (best) {
			hg_buf b = HG_BUF_INIT;
			const char *p;
			for (p = best; *p; p++)
				hg_buf_putc(&b, *p == '/' ? '.' : *p);
			hg_diag_note(dg, HG_D_N_DID_YOU_MEAN, NULL,
			        hg_arena_printf(w->a, "%s.%s", r->name, b.ptr), NULL);
			hg_buf_dispose(&b);
		}
		w->failed = true;
	}
}

static const char *suggest_type(hg_schemas *s, const char *type)
{
	json_t *types = json_object_get(s->index, "types"), *unused;
	const char *k, *best = NULL;
	size_t bestd = 4;

	json_object_foreach(types, k, unused)
	{
		size_t dist;
		if (strcasecmp(k, type) == 0)
			return k;
		dist = hg_edit_distance(type, k, 3);
		if (dist < bestd) {
			bestd = dist;
			best = k;
		}
	}
	return best;
}

int hg_schemas_check(hg_schemas *s, const hg_ir *ir, hg_diags *d)
{
	struct check c;
	struct attr_walk w;
	bool io = false, failed = false;
	size_t i;

	for (i = 0; i < ir->nres; i++) {
		const hg_ir_resource *r = ir->res[i];
		json_t *sch;
		hg_value empty;

		if (r->nested) {
			/* A nested deployment: check the template it deploys. */
			int rc = hg_schemas_check(s, r->nested, d);
			if (rc == HG_EIO)
				return rc;
			failed = failed || rc < 0;
			continue;
		}
		if (ir->target == HG_TARGET_AZURE) {
			if (hg_schema_check_azure(s, ir, r, d, &io, false) < 0)
				failed = true;
			if (io)
				break;
			continue;
		}
		if (strncmp(r->type, "Custom::", 8) == 0 ||
		        strcmp(r->type, "AWS::CloudFormation::CustomResource") == 0)
			continue;
		sch = schema_of(s, r->type, &io);
		if (io)
			break;
		if (!sch) {
			hg_diag *dg = hg_diag_add(
			        d, HG_D_UNKNOWN_RESOURCE_TYPE, &r->decl->type_span, r->type, NULL);
			const char *best = suggest_type(s, r->type);
			if (best)
				hg_diag_note(dg, HG_D_N_DID_YOU_MEAN, NULL, best, NULL);
			failed = true;
			continue;
		}
		memset(&c, 0, sizeof(c));
		c.s = s;
		c.d = d;
		c.a = ir->a;
		c.type = r->type;
		c.root = sch;
		c.res_span = r->decl ? &r->decl->span : NULL;
		memset(&empty, 0, sizeof(empty));
		empty.kind = HG_V_MAP;
		empty.span = r->span;
		hg_schema_check_value(&c, r->props ? r->props : &empty, sch, "");
		check_readonly(&c, r->props, sch);
		failed = failed || c.failed;
	}
	if (io) {
		hg_diag_add(d, HG_D_SCHEMAS_MISSING, NULL, s->dir,
		        HG_BI("a resource schema file cannot be read",
		                "リソーススキーマのファイルを読めません"),
		        NULL);
		return HG_EIO;
	}
	if (ir->target == HG_TARGET_AZURE)
		return failed ? HG_EINVALID : 0; /* ARM attributes are paths, not checked */
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.d = d;
	w.a = ir->a;
	for (i = 0; i < ir->nres; i++)
		hg_value_visit(ir->res[i]->props, check_attr, &w);
	for (i = 0; i < ir->noutputs; i++)
		hg_value_visit(ir->outputs[i]->value, check_attr, &w);
	if (w.io)
		return HG_EIO;
	return failed || w.failed ? HG_EINVALID : 0;
}

/* ---- the store, for drift (canon.c reads the same schemas) ---- */

json_t *hg_schemas_aws(hg_schemas *s, const char *type)
{
	bool io = false;
	return s ? schema_of(s, type, &io) : NULL;
}

/* ======================================================================
 * Hand-written CloudFormation (hinagata check; issue 13's section).
 *
 * The same checks as for compiled resources, with what a hand-written
 * template may hold that compile never writes: SAM resources (expanded by
 * the AWS::Serverless transform before the registry sees them), custom
 * resources, and third-party registry types (published in an account, not
 * among the AWS schemas) are passed by; an AWS type that does not exist is
 * reported with the nearest name.
 * ====================================================================== */

int hg_schemas_check_cfn(hg_schemas *s, const hg_ir *ir, hg_diags *d)
{
	struct check c;
	struct attr_walk w;
	bool io = false, failed = false;
	size_t i;

	for (i = 0; i < ir->nres; i++) {
		const hg_ir_resource *r = ir->res[i];
		json_t *sch;
		hg_value empty;

		if (!r->decl || strncmp(r->type, "AWS::", 5) != 0 ||
		        strncmp(r->type, "AWS::Serverless::", 17) == 0 ||
		        strcmp(r->type, "AWS::CloudFormation::CustomResource") == 0)
			continue;
		sch = schema_of(s, r->type, &io);
		if (io)
			break;
		if (!sch) {
			hg_diag *dg = hg_diag_add(
			        d, HG_D_UNKNOWN_RESOURCE_TYPE, &r->decl->type_span, r->type, NULL);
			const char *best = suggest_type(s, r->type);
			if (best)
				hg_diag_note(dg, HG_D_N_DID_YOU_MEAN, NULL, best, NULL);
			failed = true;
			continue;
		}
		memset(&c, 0, sizeof(c));
		c.s = s;
		c.d = d;
		c.a = ir->a;
		c.type = r->type;
		c.root = sch;
		c.res_span = &r->decl->span;
		memset(&empty, 0, sizeof(empty));
		empty.kind = HG_V_MAP;
		empty.span = r->span;
		hg_schema_check_value(&c, r->props ? r->props : &empty, sch, "");
		/* Properties written as a whole !If are checked branch by branch above. */
		check_readonly(&c, r->props && r->props->kind == HG_V_MAP ? r->props : NULL, sch);
		failed = failed || c.failed;
	}
	if (io) {
		hg_diag_add(d, HG_D_SCHEMAS_MISSING, NULL, s->dir,
		        HG_BI("a resource schema file cannot be read",
		                "リソーススキーマのファイルを読めません"),
		        NULL);
		return HG_EIO;
	}
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.d = d;
	w.a = ir->a;
	for (i = 0; i < ir->nres; i++)
		if (ir->res[i]->decl)
			hg_value_visit(ir->res[i]->props, check_attr, &w);
	if (w.io)
		return HG_EIO;
	return failed || w.failed ? HG_EINVALID : 0;
}
