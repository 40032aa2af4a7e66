/*
 * side.c: one side of a template diff (see side.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. Both clouds' templates become the same thing: resources by key,
 * each with the body to compare. JSON is parsed with drift's value model
 * (jv.h: an arena, members kept in an array), which reads a 20,000-resource
 * template in a few tens of milliseconds; YAML goes through the compiler's
 * loader (it knows CloudFormation's short-form tags, turned here into the
 * long form: !GetAtt a.b is {"Fn::GetAtt": ["a", "b"]}), so the two
 * spellings of one template compare equal. A hinagata source is compiled in
 * memory first: what is compared is what would be deployed.
 *
 * Keys. A CloudFormation resource is its logical ID. An ARM resource has no
 * name of its own in a resources array: it is its type and its name as
 * written (an expression stays an expression), which is what Resource
 * Manager identifies it by; in a languageVersion 2.0 template, its symbolic
 * name. Child resources and the resources of a nested deployment's inline
 * template are listed after their parent's key and " > ", so a change deep
 * in a module is shown on the resource it changes, not as one edit of a
 * deployment's template.
 */
#define _GNU_SOURCE
#include "side.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/fs.h"
#include "../compiler/compiler.h"
#include "../compiler/yaml_load.h"

/* ---- YAML to jv ---- */

static hg_jv *yconv(hg_arena *a, const hg_node *n, int depth);

static hg_jv *wrap(hg_arena *a, const char *fn, hg_jv *arg)
{
	hg_jv *o = hg_jv_object(a, 1);
	hg_jv_put(a, o, fn, strlen(fn), arg);
	return o;
}

/* The long form of a short-form intrinsic: !Ref x, !GetAtt a.b, !Sub ..., !If [...]. */
static hg_jv *tagged(hg_arena *a, const hg_node *n, const char *tag, int depth)
{
	static const char *const fns[] = {"Base64", "Cidr", "FindInMap", "GetAZs", "ImportValue",
	        "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or",
	        "ToJsonString", "Length", "ForEach"};
	const char *name = tag + 1;
	hg_node plain = *n;
	size_t i;

	plain.tag = NULL;
	if (strcmp(name, "Ref") == 0 || strcmp(name, "Condition") == 0)
		return wrap(a, name, yconv(a, &plain, depth));
	if (strcmp(name, "GetAtt") == 0 && n->kind == HG_NODE_SCALAR) {
		/* "Resource.Attribute": the first dot splits (attributes may hold dots) */
		const char *s = n->u.scalar.str, *dot = memchr(s, '.', n->u.scalar.len);
		hg_jv *arr = hg_jv_array(a, 2);
		if (!dot)
			return wrap(a, "Fn::GetAtt", hg_jv_string(a, s, n->u.scalar.len));
		hg_jv_push(a, arr, hg_jv_string(a, s, (size_t)(dot - s)));
		hg_jv_push(a, arr, hg_jv_string(a, dot + 1, n->u.scalar.len - (size_t)(dot - s) - 1));
		return wrap(a, "Fn::GetAtt", arr);
	}
	if (strcmp(name, "GetAtt") == 0) /* already in list form */
		return wrap(a, "Fn::GetAtt", yconv(a, &plain, depth));
	for (i = 0; i < sizeof(fns) / sizeof(*fns); i++)
		if (strcmp(name, fns[i]) == 0) {
			char *fn = hg_arena_printf(a, "Fn::%s", name);
			return wrap(a, fn, yconv(a, &plain, depth));
		}
	return yconv(a, &plain, depth); /* another tag: its value as written */
}

/* Whether s[0..n) is a number as JSON writes one (RFC 8259: no 00, +1, 0x1F, .5, .inf). */
static bool json_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return false;
	if (i < n && s[i] == '.') {
		if (++i >= n || s[i] < '0' || s[i] > '9')
			return false;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return false;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

/* A YAML number as JSON: as written when JSON writes it so, else its value (00 -> 0,
 * 0x1F -> 31, +5 -> 5); .inf and .nan, which JSON has not, stay the text written. */
static hg_jv *ynumber(hg_arena *a, const hg_node *n, const hg_scalar_value *sv)
{
	const char *t;

	if (json_number(n->u.scalar.str, n->u.scalar.len))
		return hg_jv_number(a, n->u.scalar.str, n->u.scalar.len);
	if (sv->type == HG_SCALAR_INT)
		t = hg_arena_printf(a, "%lld", (long long)sv->i);
	else if (isfinite(sv->f))
		t = hg_arena_printf(a, "%.17g", sv->f);
	else
		return hg_jv_string(a, n->u.scalar.str, n->u.scalar.len);
	if (!json_number(t, strlen(t))) /* %.17g of a whole number: 1e+20 is JSON; this is a backstop */
		return hg_jv_string(a, n->u.scalar.str, n->u.scalar.len);
	return hg_jv_number(a, t, strlen(t));
}

static hg_jv *yconv(hg_arena *a, const hg_node *n, int depth)
{
	hg_jv *v;
	size_t i;

	if (depth > 512)
		return hg_jv_new(a, HG_JV_NULL); /* the loader bounds depth; this is a backstop */
	if (n->tag && n->tag[0] == '!' && n->tag[1] != '!')
		return tagged(a, n, n->tag, depth + 1);
	switch (n->kind) {
	case HG_NODE_SCALAR: {
		hg_scalar_value sv = hg_node_scalar(n);
		switch (sv.type) {
		case HG_SCALAR_NULL:
			return hg_jv_new(a, HG_JV_NULL);
		case HG_SCALAR_BOOL:
			return hg_jv_bool(a, sv.b);
		case HG_SCALAR_INT:
		case HG_SCALAR_FLOAT:
			return ynumber(a, n, &sv);
		default:
			return hg_jv_string(a, n->u.scalar.str, n->u.scalar.len);
		}
	}
	case HG_NODE_SEQ:
		v = hg_jv_array(a, n->u.seq.n);
		for (i = 0; i < n->u.seq.n; i++)
			hg_jv_push(a, v, yconv(a, n->u.seq.items[i], depth + 1));
		return v;
	default:
		v = hg_jv_object(a, n->u.map.n);
		for (i = 0; i < n->u.map.n; i++) {
			const hg_node *k = n->u.map.pairs[i].key;
			hg_jv_put(a, v, k->u.scalar.str, k->u.scalar.len,
			        yconv(a, n->u.map.pairs[i].value, depth + 1));
		}
		return v;
	}
}

/* ---- the resources ---- */

static const char *jstr(const hg_jv *v)
{
	return hg_jv_str(v);
}

static hg_tside_res *res_new(hg_tside *s, hg_arena *a)
{
	HG_AGROW(a, s->res, s->capres, s->nres + 1);
	memset(&s->res[s->nres], 0, sizeof(s->res[0]));
	return &s->res[s->nres++];
}

/* A copy of object o without the members named in drop (NULL-terminated). */
static const hg_jv *without(hg_arena *a, const hg_jv *o, const char *const *drop)
{
	hg_jv *c;
	size_t i, k;
	bool any = false;

	for (i = 0; i < o->n && !any; i++)
		for (k = 0; drop[k]; k++)
			if (strcmp(o->u.members[i].key, drop[k]) == 0)
				any = true;
	if (!any)
		return o;
	c = hg_jv_object(a, o->n);
	for (i = 0; i < o->n; i++) {
		bool skip = false;
		for (k = 0; drop[k]; k++)
			if (strcmp(o->u.members[i].key, drop[k]) == 0)
				skip = true;
		if (!skip)
			hg_jv_put(a, c, o->u.members[i].key, o->u.members[i].klen, o->u.members[i].val);
	}
	return c;
}

/* A copy of o with member key replaced by val (val NULL: left out). */
static hg_jv *with_member(hg_arena *a, const hg_jv *o, const char *key, const hg_jv *val)
{
	hg_jv *c = hg_jv_object(a, o->n);
	size_t i;
	for (i = 0; i < o->n; i++) {
		if (strcmp(o->u.members[i].key, key) == 0) {
			if (val)
				hg_jv_put(a, c, o->u.members[i].key, o->u.members[i].klen, val);
		} else
			hg_jv_put(a, c, o->u.members[i].key, o->u.members[i].klen, o->u.members[i].val);
	}
	return c;
}

/* The body of a resource: without hinagata's record of it (meta), which is compared apart. */
static const hg_jv *strip_meta(hg_arena *a, const hg_jv *r, const char *mkey, const hg_jv **meta)
{
	const hg_jv *m = hg_jv_get(r, mkey);
	*meta = NULL;
	if (!m || m->kind != HG_JV_OBJ || !hg_jv_get(m, "hinagata"))
		return r;
	*meta = hg_jv_get(m, "hinagata");
	if (m->n == 1)
		return with_member(a, r, mkey, NULL);
	{
		static const char *const drop[] = {"hinagata", NULL};
		return with_member(a, r, mkey, without(a, m, drop));
	}
}

static int cmp_res(const void *x, const void *y)
{
	return strcmp(((const hg_tside_res *)x)->key, ((const hg_tside_res *)y)->key);
}

static void cfn_resources(hg_tside *s, hg_arena *a, const hg_jv *resources)
{
	size_t i;
	for (i = 0; i < resources->n; i++) {
		const hg_jv *r = resources->u.members[i].val;
		hg_tside_res *x;
		if (r->kind != HG_JV_OBJ)
			continue; /* not a resource (Fn::ForEach is an array): compared as written */
		x = res_new(s, a);
		x->key = x->id = resources->u.members[i].key;
		x->type = jstr(hg_jv_get(r, "Type"));
		x->body = strip_meta(a, r, "Metadata", &x->meta);
	}
	/* what is not an object (Fn::ForEach) is one entry whose body is the value */
	for (i = 0; i < resources->n; i++) {
		const hg_jv *r = resources->u.members[i].val;
		hg_tside_res *x;
		if (r->kind == HG_JV_OBJ)
			continue;
		x = res_new(s, a);
		x->key = x->id = resources->u.members[i].key;
		x->type = "Fn::ForEach";
		{
			hg_jv *body = hg_jv_object(a, 1);
			hg_jv_put(a, body, "Value", 5, r);
			x->body = body;
		}
	}
}

static void arm_resources(hg_tside *s, hg_arena *a, const hg_jv *list, const char *prefix_key,
        const char *prefix_id, int depth);

static char *lower(hg_arena *a, const char *s)
{
	char *r = hg_arena_strdup(a, s ? s : "");
	char *p;
	for (p = r; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

/* One ARM resource (r) and what it contains: child resources, a nested deployment's. */
static void arm_resource(hg_tside *s, hg_arena *a, const hg_jv *r, const char *symbolic,
        const char *prefix_key, const char *prefix_id, int depth)
{
	static const char *const drop_children[] = {"resources", NULL};
	const char *type = jstr(hg_jv_get(r, "type")), *name = jstr(hg_jv_get(r, "name"));
	const hg_jv *children = hg_jv_get(r, "resources"), *props = hg_jv_get(r, "properties");
	const hg_jv *tmpl = props && props->kind == HG_JV_OBJ ? hg_jv_get(props, "template") : NULL;
	const hg_jv *inner = tmpl && tmpl->kind == HG_JV_OBJ ? hg_jv_get(tmpl, "resources") : NULL;
	const hg_jv *body;
	hg_tside_res *x;
	const char *key, *id;

	if (symbolic) {
		key = hg_arena_printf(a, "%s%s", prefix_key, symbolic);
		id = hg_arena_printf(a, "%s%s", prefix_id, symbolic);
	} else {
		key = hg_arena_printf(a, "%s%s/%s", prefix_key, lower(a, type), name ? name : "");
		id = hg_arena_printf(a, "%s%s/%s", prefix_id, type ? type : "?", name ? name : "");
	}
	x = res_new(s, a);
	x->key = key;
	x->id = id;
	x->type = type;
	body = strip_meta(a, r, "metadata", &x->meta);
	if (children && (children->kind == HG_JV_ARR || children->kind == HG_JV_OBJ))
		body = without(a, body, drop_children);
	if (inner && (inner->kind == HG_JV_ARR || inner->kind == HG_JV_OBJ) && depth < 16) {
		/* the module's resources are compared one by one, below */
		hg_jv *t2 = with_member(a, tmpl, "resources", NULL);
		hg_jv *p2 = with_member(a, props, "template", t2);
		body = with_member(a, body, "properties", p2);
	}
	x->body = body;
	if (children && depth < 16)
		arm_resources(s, a, children, hg_arena_printf(a, "%s > ", key),
		        hg_arena_printf(a, "%s > ", id), depth + 1);
	if (inner && depth < 16)
		arm_resources(s, a, inner, hg_arena_printf(a, "%s > ", key),
		        hg_arena_printf(a, "%s > ", id), depth + 1);
}

static void arm_resources(hg_tside *s, hg_arena *a, const hg_jv *list, const char *prefix_key,
        const char *prefix_id, int depth)
{
	size_t i;
	if (!list) /* a $schema that says ARM, and no resources */
		return;
	if (list->kind == HG_JV_ARR) {
		for (i = 0; i < list->n; i++)
			if (list->u.items[i]->kind == HG_JV_OBJ)
				arm_resource(s, a, list->u.items[i], NULL, prefix_key, prefix_id, depth);
	} else if (list->kind == HG_JV_OBJ) { /* languageVersion 2.0: symbolic names */
		for (i = 0; i < list->n; i++)
			if (list->u.members[i].val->kind == HG_JV_OBJ)
				arm_resource(s, a, list->u.members[i].val, list->u.members[i].key, prefix_key,
				        prefix_id, depth);
	}
}

/* ORDER SECTION: the sections compared name by name, as each cloud spells them. */
static const char *const cfn_sections[HG_TSIDE_NSECTIONS] = {
        "Parameters", "Outputs", "Conditions", "Mappings", "Rules", "Metadata"};
static const char *const arm_sections[HG_TSIDE_NSECTIONS] = {
        "parameters", "outputs", "variables", "functions", "definitions", "metadata"};

static bool is_arm(const hg_jv *doc)
{
	const char *schema = jstr(hg_jv_get(doc, "$schema"));
	const hg_jv *r = hg_jv_get(doc, "resources");
	/* deploymentTemplate.json, subscriptionDeploymentTemplate.json, ... */
	if (schema && strstr(schema, "eploymentTemplate.json"))
		return true;
	return r && (r->kind == HG_JV_ARR || r->kind == HG_JV_OBJ) && hg_jv_get(doc, "contentVersion");
}

static bool is_cfn(const hg_jv *doc)
{
	const hg_jv *r = hg_jv_get(doc, "Resources");
	return r && r->kind == HG_JV_OBJ;
}

/* Build the side from a parsed document; false when it is no template. */
static bool describe(hg_tside *s, hg_arena *a, const hg_jv *doc)
{
	const char *const *names;
	const hg_jv *meta;
	size_t i, k;
	hg_jv *rest;

	if (!doc || doc->kind != HG_JV_OBJ)
		return false;
	s->doc = doc;
	if (is_cfn(doc)) {
		s->arm = false;
		names = cfn_sections;
		cfn_resources(s, a, hg_jv_get(doc, "Resources"));
		meta = hg_jv_get(doc, "Metadata");
	} else if (is_arm(doc)) {
		s->arm = true;
		names = arm_sections;
		arm_resources(s, a, hg_jv_get(doc, "resources"), "", "", 0);
		meta = hg_jv_get(doc, "metadata");
	} else
		return false;
	s->hmeta = meta && meta->kind == HG_JV_OBJ ? hg_jv_get(meta, "hinagata") : NULL;
	for (k = 0; k < HG_TSIDE_NSECTIONS; k++) {
		const hg_jv *v = hg_jv_get(doc, names[k]);
		s->section_names[k] = names[k];
		s->sections[k] = v && v->kind == HG_JV_OBJ ? v : NULL;
	}
	/* Metadata: without hinagata's record of the compile (versions, hashes),
	 * which the engine reports as template versions instead. */
	if (s->sections[HG_TSIDE_NSECTIONS - 1]) {
		static const char *const drop[] = {"hinagata", "_generator", NULL};
		s->sections[HG_TSIDE_NSECTIONS - 1] = without(a, s->sections[HG_TSIDE_NSECTIONS - 1], drop);
	}
	rest = hg_jv_object(a, doc->n);
	for (i = 0; i < doc->n; i++) {
		const char *key = doc->u.members[i].key;
		bool known = strcmp(key, s->arm ? "resources" : "Resources") == 0;
		for (k = 0; k < HG_TSIDE_NSECTIONS && !known; k++)
			known = strcmp(key, names[k]) == 0;
		if (!known)
			hg_jv_put(a, rest, key, doc->u.members[i].klen, doc->u.members[i].val);
	}
	s->rest = rest;
	if (s->nres > 1)
		qsort(s->res, s->nres, sizeof(*s->res), cmp_res);
	return true;
}

bool hg_tdiff__suffix(const char *s, const char *x)
{
	size_t n = strlen(s), m = strlen(x);
	return n >= m && strcmp(s + n - m, x) == 0;
}

bool hg_tside_is_source(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (n && *p != '#' && *p != '\r' && !(n >= 3 && strncmp(p, "---", 3) == 0))
			return n >= 9 && strncmp(p, "hinagata:", 9) == 0;
		p += n + (eol ? 1 : 0);
	}
	return false;
}

int hg_tside_text(hg_tside *out, hg_arena *a, const char *name, const char *text, size_t len,
        hg_diags *d)
{
	hg_jv *doc = NULL;
	const char *file;

	memset(out, 0, sizeof(*out));
	out->name = hg_arena_strdup(a, name);
	if (hg_jv_parse(&doc, a, text, len, 512, NULL) < 0) {
		/* not JSON: YAML (hand-written CloudFormation, short-form tags) */
		hg_node *root = NULL;
		hg_yaml_options yo = HG_YAML_OPTIONS_INIT;
		yo.max_nodes = 20000000; /* a big template, not an alias bomb: the loader counts aliases */
		file = hg_diags_source(d, name, text, len);
		if (hg_yaml_load(&root, a, d, file, text, len, &yo) < 0) {
			hg_diag_add(d, HG_D_DIFF_NOT_TEMPLATE, NULL, name, NULL);
			return HG_EINVALID;
		}
		doc = yconv(a, root, 0);
	}
	if (!describe(out, a, doc)) {
		hg_diag_add(d, HG_D_DIFF_NOT_TEMPLATE, NULL, name, NULL);
		return HG_EINVALID;
	}
	return 0;
}

/* The compiler's options for o, with the directories extra first on the search path;
 * returns that path (free it after the compile). */
static const char **compile_options(hg_compile_options *co, const char *const *extra, size_t nextra,
        const hg_tdiff_options *o)
{
	const char **dirs = hg_xcalloc(nextra + o->ntemplate_dirs + 1, sizeof(char *));
	size_t nd = 0, i;

	for (i = 0; i < nextra; i++)
		dirs[nd++] = extra[i];
	for (i = 0; i < o->ntemplate_dirs; i++)
		dirs[nd++] = o->template_dirs[i];
	co->template_dirs = dirs;
	co->ntemplate_dirs = nd;
	co->bundled_dir = o->bundled_dir;
	co->schema_dir = o->schema_dir;
	return dirs;
}

int hg_tside_compile(hg_buf *json, const char *path, const char *const *extra, size_t nextra,
        const hg_tdiff_options *o, hg_diags *d)
{
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
	hg_diags quiet = HG_DIAGS_INIT;
	hg_output *outs = NULL;
	const char **dirs = compile_options(&co, extra, nextra, o);
	int rc;

	co.exclude = o->exclude;
	co.nexclude = o->nexclude;
	co.skip_rules = true;
	/* A compile's warnings are not the diff's business; its errors are. */
	rc = hg_compile(&outs, &path, 1, &co, &quiet);
	if (rc == 0 && outs[0].json)
		hg_buf_put(json, outs[0].json, outs[0].len);
	else if (rc == 0)
		rc = 1; /* a profile or the catalog: nothing to deploy */
	if (rc < 0) {
		hg_diags_merge(d, &quiet);
		hg_diag_add(d, HG_D_DIFF_NO_COMPILE, NULL, path, NULL);
	}
	hg_diags_dispose(&quiet);
	hg_outputs_free(outs, 1);
	free(dirs);
	return rc;
}

/* NAME@VERSION of the search path: its file, or NULL after a diagnostic. */
static char *template_version_path(
        const char *arg, const char *const *extra, size_t nextra, const hg_tdiff_options *o, hg_diags *d)
{
	const char *at = strrchr(arg, '@');
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
	hg_template_info *ts = NULL;
	hg_buf there = HG_BUF_INIT;
	char *name, *path = NULL;
	size_t n = 0, i;
	const char **dirs;
	bool named = false;

	if (!at || at == arg || !at[1])
		return NULL;
	name = hg_xstrndup(arg, (size_t)(at - arg));
	dirs = compile_options(&co, extra, nextra, o);
	if (hg_templates_list(&ts, &n, &co, d) == 0) {
		for (i = 0; i < n; i++) {
			if (strcmp(ts[i].name, name) != 0)
				continue;
			named = true;
			hg_buf_printf(&there, "%s%s", there.size ? ", " : "", ts[i].version);
			if (!path && strcmp(ts[i].version, at + 1) == 0)
				path = hg_xstrdup(ts[i].path);
		}
	}
	if (!path && named)
		hg_diag_add(d, HG_D_DIFF_NO_VERSION, NULL, name, at + 1, there.ptr, NULL);
	hg_templates_free(ts, n);
	hg_buf_dispose(&there);
	free(name);
	free(dirs);
	return path;
}

int hg_tside_load(hg_tside *out, hg_arena *a, const char *arg, const char *display,
        const char *const *extra, size_t nextra, const hg_tdiff_options *o, hg_diags *d)
{
	hg_buf text = HG_BUF_INIT, json = HG_BUF_INIT;
	char *path = NULL;
	size_t size = 0, before = d->nerrors;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!display)
		display = arg;
	if (hg_fs_is_file(arg) != 1 && hg_fs_is_dir(arg) != 1) {
		path = template_version_path(arg, extra, nextra, o, d);
		if (!path) {
			if (d->nerrors == before)
				hg_diag_add(d, HG_D_DIFF_NO_SUCH, NULL, arg, NULL);
			return HG_ENOTFOUND;
		}
		arg = path;
	}
	rc = hg_fs_read(&text, arg, HG_FS_MAX_INPUT, &size);
	if (rc < 0) {
		int e = errno;
		if (e == EISDIR || hg_fs_is_dir(arg) == 1)
			hg_diag_add(d, HG_D_IS_DIRECTORY, NULL, arg, NULL);
		else /* too large (HG0011), a FIFO or device, unreadable (HG9001) */
			hg_fs_diag(d, NULL, display, arg, rc, e, size);
		rc = rc == HG_EINVALID ? HG_EINVALID : HG_EIO;
		goto out;
	}
	if (hg_tside_is_source(text.ptr, text.size)) {
		if ((rc = hg_tside_compile(&json, arg, extra, nextra, o, d)) < 0)
			goto out;
		if (rc > 0) { /* a profile or the catalog */
			hg_diag_add(d, HG_D_DIFF_NOT_TEMPLATE, NULL, display, NULL);
			rc = HG_EINVALID;
			goto out;
		}
		rc = hg_tside_text(out, a, display, json.ptr, json.size, d);
	} else
		rc = hg_tside_text(out, a, display, text.ptr, text.size, d);
out:
	free(path);
	hg_buf_dispose(&text);
	hg_buf_dispose(&json);
	return rc;
}
