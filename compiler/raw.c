/*
 * raw.c: hand-written CloudFormation (JSON or YAML, short-form tags too)
 * and ARM templates checked against the control rules of the profiles
 * (see hg_check_template in compiler.h).
 * Part of hinagata; see LICENSE.
 *
 * The file is read with libyaml (JSON is YAML), keeping every position;
 * its resources become one IR unit whose properties are plain values, a
 * Ref or GetAtt of another resource the reference the rules can follow,
 * other intrinsic functions (Ref of a parameter, Fn::*, !Tags, ARM "[...]")
 * opaque values that no rule can judge, and the profile's rules run on it
 * through the same engine as for compiled templates. Suppressions are read from the
 * resource's metadata.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/fs.h"
#include "catalog.h"
#include "compiler.h"
#include "ir.h"
#include "registry.h"
#include "rules.h"
#include "schema.h"
#include "template.h"
#include "yaml_load.h"

/* A template being read: its resources, one IR unit for the rules. */
struct raw {
	hg_arena *a;
	bool arm;
	const hg_node *resources; /* CloudFormation: the Resources map */
	hg_ir unit;
};

/* A value computed at deploy time: no rule can pass or fail it. */
static hg_value *opaque(hg_arena *a, const hg_span *span)
{
	return hg_value_new(a, HG_V_INTERP, span);
}

static bool intrinsic_key(const char *k)
{
	return strcmp(k, "Ref") == 0 || strcmp(k, "Condition") == 0 || strncmp(k, "Fn::", 4) == 0;
}

/* The resource of the template with this logical ID, or NULL. */
static hg_ir_resource *logical(const struct raw *t, const char *id, size_t len)
{
	size_t i;
	for (i = 0; t->resources && i < t->resources->u.map.n && i < t->unit.nres; i++) {
		const hg_node *k = t->resources->u.map.pairs[i].key;
		if (k->u.scalar.len == len && memcmp(k->u.scalar.str, id, len) == 0)
			return t->unit.res[i];
	}
	return NULL;
}

/*
 * A Ref or GetAtt of a resource of the template (Ref / Fn::GetAtt, or the
 * short forms !Ref / !GetAtt) as the reference the rules can follow; any
 * other intrinsic stays opaque.
 */
static hg_value *intrinsic(struct raw *t, const hg_node *n, const char *fn, const hg_node *arg)
{
	hg_value *v = opaque(t->a, &n->span);
	hg_ir_resource *target = NULL;
	hg_expr *e;
	bool attr = strcmp(fn, "Fn::GetAtt") == 0 || strcmp(fn, "!GetAtt") == 0;

	if (!attr && strcmp(fn, "Ref") != 0 && strcmp(fn, "!Ref") != 0)
		return v;
	if (arg->kind == HG_NODE_SCALAR) {
		const char *s = arg->u.scalar.str, *dot = attr ? strchr(s, '.') : NULL;
		target = logical(t, s, dot ? (size_t)(dot - s) : arg->u.scalar.len);
	} else if (attr && arg->kind == HG_NODE_SEQ && arg->u.seq.n == 2 &&
	           arg->u.seq.items[0]->kind == HG_NODE_SCALAR)
		target = logical(
		        t, arg->u.seq.items[0]->u.scalar.str, arg->u.seq.items[0]->u.scalar.len);
	if (!target)
		return v; /* a parameter, a pseudo parameter */
	e = hg_expr_new(t->a, attr ? HG_EX_ATTR : HG_EX_RESOURCE, &n->span);
	e->u.res.res = target;
	e->u.res.attr = "";
	v->kind = HG_V_EXPR;
	v->u.expr = e;
	return v;
}

static void arm_copy_properties(struct raw *t, hg_value *v);

static hg_value *conv(struct raw *t, const hg_node *n)
{
	hg_arena *a = t->a;
	hg_value *v;
	size_t i;

	if (n->tag && n->tag[0] == '!')
		return t->arm ? opaque(a, &n->span) : intrinsic(t, n, n->tag, n);
	switch (n->kind) {
	case HG_NODE_SCALAR: {
		hg_scalar_value s = n->u.scalar.style == HG_STYLE_PLAIN
		                            ? hg_node_scalar(n)
		                            : (hg_scalar_value){HG_SCALAR_STRING, false, 0, 0};
		if (t->arm && n->u.scalar.len > 1 && n->u.scalar.str[0] == '[' &&
		        n->u.scalar.str[1] != '[' && n->u.scalar.str[n->u.scalar.len - 1] == ']')
			return opaque(a, &n->span); /* an ARM expression */
		switch (s.type) {
		case HG_SCALAR_NULL:
			return hg_value_new(a, HG_V_NULL, &n->span);
		case HG_SCALAR_BOOL:
			v = hg_value_new(a, HG_V_BOOL, &n->span);
			v->u.b = s.b;
			return v;
		case HG_SCALAR_INT:
			v = hg_value_new(a, HG_V_INT, &n->span);
			v->u.i = s.i;
			return v;
		case HG_SCALAR_FLOAT:
			v = hg_value_new(a, HG_V_FLOAT, &n->span);
			v->u.f = s.f;
			return v;
		default:
			return hg_value_str(a, n->u.scalar.str, n->u.scalar.len, &n->span);
		}
	}
	case HG_NODE_SEQ:
		v = hg_value_new(a, HG_V_LIST, &n->span);
		v->u.list.items = HG_ANEWN(a, hg_value *, n->u.seq.n ? n->u.seq.n : 1);
		for (i = 0; i < n->u.seq.n; i++)
			v->u.list.items[v->u.list.n++] = conv(t, n->u.seq.items[i]);
		return v;
	case HG_NODE_MAP:
		if (!t->arm && n->u.map.n == 1 &&
		        intrinsic_key(n->u.map.pairs[0].key->u.scalar.str))
			return intrinsic(
			        t, n, n->u.map.pairs[0].key->u.scalar.str, n->u.map.pairs[0].value);
		v = hg_value_new(a, HG_V_MAP, &n->span);
		v->u.map.m = HG_ANEWN(a, hg_member, n->u.map.n ? n->u.map.n : 1);
		for (i = 0; i < n->u.map.n; i++) {
			hg_member *m = &v->u.map.m[v->u.map.n++];
			m->key = n->u.map.pairs[i].key->u.scalar.str;
			m->key_span = n->u.map.pairs[i].key->span;
			m->value = conv(t, n->u.map.pairs[i].value);
		}
		if (t->arm)
			arm_copy_properties(t, v);
		return v;
	}
	return opaque(a, &n->span);
}

/*
 * A resource (rn; key is its logical ID node for CloudFormation), added to
 * the unit without its properties (read once every resource is there, so
 * that references between them resolve). ARM child resources, in the
 * parent's own "resources", follow with their full type
 * ("Microsoft.Network/virtualNetworks" + "subnets").
 */
static void add(
        struct raw *t, const hg_node *rn, const hg_node *key, const char *parent_type, hg_diags *d)
{
	const hg_node *type = hg_node_get(rn, t->arm ? "type" : "Type"), *meta, *children;
	hg_resource_decl *decl = HG_ANEW(t->a, hg_resource_decl);
	hg_ir_resource *r = HG_ANEW(t->a, hg_ir_resource);
	size_t i;

	hg_grow_array(
	        (void **)&t->unit.res, &t->unit.capres, t->unit.nres + 1, sizeof(*t->unit.res));
	t->unit.res[t->unit.nres++] = r;
	r->type = "";
	if (!type || type->kind != HG_NODE_SCALAR)
		return; /* no declaration: the rules pass it by */
	r->decl = decl;
	decl->name = key ? key->u.scalar.str : "";
	decl->span = key ? key->span : rn->span;
	decl->type = parent_type && !strchr(type->u.scalar.str, '/')
	                     ? hg_arena_printf(t->a, "%s/%s", parent_type, type->u.scalar.str)
	                     : type->u.scalar.str;
	decl->type_span = type->span;
	r->type = decl->type;
	r->span = decl->span;
	meta = hg_node_get(rn, t->arm ? "metadata" : "Metadata");
	meta = hg_node_get(hg_node_get(meta, "hinagata"), "suppress");
	if (meta && hg_suppress_read(meta, d) == 0)
		decl->suppress = meta;
	children = t->arm ? hg_node_get(rn, "resources") : NULL;
	for (i = 0; children && children->kind == HG_NODE_SEQ && i < children->u.seq.n; i++)
		add(t, children->u.seq.items[i], NULL, decl->type, d);
}

/* The properties of the resources, in the order add() put them in. */
static void read_props(struct raw *t, const hg_node *rn, size_t *next)
{
	hg_ir_resource *r = t->unit.res[(*next)++];
	const hg_node *props = t->arm ? rn : hg_node_get(rn, "Properties"), *children;
	size_t i;

	if (!r->decl)
		return;
	r->props = props ? conv(t, props) : NULL;
	children = t->arm ? hg_node_get(rn, "resources") : NULL;
	for (i = 0; children && children->kind == HG_NODE_SEQ && i < children->u.seq.n; i++)
		read_props(t, children->u.seq.items[i], next);
}


/* ARM: resources of any form, property copy loops, nested templates, schemas. */

/*
 * A property copy loop ("copy": [{"name": "subnets", "count": N, "input":
 * {...}}] inside an object) makes the property `name` a list of `input`s,
 * as Resource Manager expands it. It is read as a list of one input, the
 * shape every element has, so that the rules and the schemas see the
 * property and judge what its elements hold; copyIndex() is opaque.
 */
static void arm_copy_properties(struct raw *t, hg_value *v)
{
	size_t i, k, n = 0;
	hg_value *copy = NULL;
	hg_member *m;

	for (i = 0; i < v->u.map.n; i++)
		if (strcmp(v->u.map.m[i].key, "copy") == 0 &&
		        v->u.map.m[i].value->kind == HG_V_LIST)
			copy = v->u.map.m[i].value;
	if (!copy)
		return;
	for (k = 0; k < copy->u.list.n; k++) {
		const hg_value *loop = copy->u.list.items[k];
		hg_value *name = hg_value_get(loop, "name"), *input = hg_value_get(loop, "input");
		if (loop->kind != HG_V_MAP || !name || name->kind != HG_V_STR || !input)
			return; /* not a property loop: left as written */
	}
	m = HG_ANEWN(t->a, hg_member, v->u.map.n + copy->u.list.n);
	for (i = 0; i < v->u.map.n; i++)
		if (v->u.map.m[i].value != copy)
			m[n++] = v->u.map.m[i];
	for (k = 0; k < copy->u.list.n; k++) {
		const hg_value *loop = copy->u.list.items[k];
		hg_value *name = hg_value_get(loop, "name"), *list;
		size_t j;
		list = hg_value_new(t->a, HG_V_LIST, &loop->span);
		list->u.list.items = HG_ANEWN(t->a, hg_value *, 1);
		list->u.list.items[list->u.list.n++] = hg_value_get(loop, "input");
		m[n].key = name->u.str.s;
		for (j = 0; j < loop->u.map.n; j++)
			if (strcmp(loop->u.map.m[j].key, "name") == 0)
				m[n].key_span = loop->u.map.m[j].value->span;
		m[n++].value = list;
	}
	v->u.map.m = m;
	v->u.map.n = n;
}

/* The resources of an ARM template: a list, or (languageVersion 2.0) a map of symbolic names. */
static size_t arm_count(const hg_node *res)
{
	return res->kind == HG_NODE_SEQ ? res->u.seq.n : res->kind == HG_NODE_MAP ? res->u.map.n : 0;
}

static const hg_node *arm_at(const hg_node *res, size_t i)
{
	return res->kind == HG_NODE_SEQ ? res->u.seq.items[i] : res->u.map.pairs[i].value;
}

/* The template a Microsoft.Resources/deployments resource deploys inline, or NULL. */
static const hg_node *arm_nested(const hg_node *rn, const char *type)
{
	const hg_node *tmpl;
	if (strcasecmp(type, "Microsoft.Resources/deployments") != 0)
		return NULL;
	tmpl = hg_node_get(hg_node_get(rn, "properties"), "template");
	return tmpl && tmpl->kind == HG_NODE_MAP ? hg_node_get(tmpl, "resources") : NULL;
}

/*
 * Add an ARM resource, its child resources (with their full type:
 * "Microsoft.Network/virtualNetworks" + "subnets") and the resources of the
 * template it deploys inline (a nested deployment, as Bicep modules compile
 * to), with their properties; an `existing` resource (languageVersion 2.0)
 * is a reference, not deployed, and left out. Depth is bounded: templates
 * nest at most 64 levels here.
 */
static void arm_add(struct raw *t, const hg_node *rn, const char *parent_type, int depth,
        hg_diags *d)
{
	const hg_node *type, *api, *meta, *children, *ex;
	hg_resource_decl *decl;
	hg_ir_resource *r;
	size_t i;

	if (!rn || rn->kind != HG_NODE_MAP || depth > 64)
		return;
	ex = hg_node_get(rn, "existing");
	if (ex && ex->kind == HG_NODE_SCALAR && hg_node_scalar(ex).type == HG_SCALAR_BOOL &&
	        hg_node_scalar(ex).b)
		return;
	decl = HG_ANEW(t->a, hg_resource_decl);
	r = HG_ANEW(t->a, hg_ir_resource);
	hg_grow_array(
	        (void **)&t->unit.res, &t->unit.capres, t->unit.nres + 1, sizeof(*t->unit.res));
	t->unit.res[t->unit.nres++] = r;
	r->type = "";
	type = hg_node_get(rn, "type");
	if (!type || type->kind != HG_NODE_SCALAR)
		return; /* no declaration: the rules pass it by */
	r->decl = decl;
	decl->name = "";
	decl->span = rn->span;
	decl->type = parent_type && !strchr(type->u.scalar.str, '/')
	                     ? hg_arena_printf(t->a, "%s/%s", parent_type, type->u.scalar.str)
	                     : type->u.scalar.str;
	decl->type_span = type->span;
	r->type = decl->type;
	r->span = decl->span;
	api = hg_node_get(rn, "apiVersion");
	r->api_version = api && api->kind == HG_NODE_SCALAR ? api->u.scalar.str : NULL;
	meta = hg_node_get(rn, "metadata");
	meta = hg_node_get(hg_node_get(meta, "hinagata"), "suppress");
	if (meta && hg_suppress_read(meta, d) == 0)
		decl->suppress = meta;
	r->props = conv(t, rn);
	children = hg_node_get(rn, "resources");
	for (i = 0; children && children->kind == HG_NODE_SEQ && i < children->u.seq.n; i++)
		arm_add(t, children->u.seq.items[i], decl->type, depth + 1, d);
	children = arm_nested(rn, decl->type);
	for (i = 0; children && i < arm_count(children); i++)
		arm_add(t, arm_at(children, i), NULL, depth + 1, d);
}

/*
 * The keys of an ARM resource that belong to the template language, not to
 * the resource's API (deployment-template.json's resource keys): left out
 * of the body checked against the schema.
 */
static bool arm_template_key(const char *k, const char *type)
{
	static const char *const keys[] = {"type", "apiVersion", "dependsOn", "condition", "copy",
	        "comments", "metadata", "resources", "scope", "existing", "import", "asserts"};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	/* A nested deployment names where it deploys to. */
	return strcasecmp(type, "Microsoft.Resources/deployments") == 0 &&
	       (strcmp(k, "subscriptionId") == 0 || strcmp(k, "resourceGroup") == 0);
}

/*
 * Every resource of a hand-written ARM template against schemas/azure
 * (compiler/schema.c): its type, API version and body. Resource Manager
 * silently ignores many unknown properties, so a typo deploys as if the
 * setting were absent; this is where it is caught. An apiVersion that is
 * not a literal version cannot be checked and is reported (HG3014).
 */
static int arm_check_schemas(struct raw *t, const hg_compile_options *opts, hg_diags *d)
{
	hg_schemas *s = opts->schema_dir ? hg_schemas_open(opts->schema_dir) : NULL;
	hg_ir unit;
	size_t i, k;
	int rc;

	if (!s) {
		hg_diag_add(d, HG_D_SCHEMAS_MISSING, NULL,
		        opts->schema_dir ? opts->schema_dir : "schemas",
		        HG_BI("the directory cannot be read", "ディレクトリを読めません"), NULL);
		return HG_EIO;
	}
	unit = t->unit;
	unit.res = HG_ANEWN(t->a, hg_ir_resource *, t->unit.nres ? t->unit.nres : 1);
	unit.nres = 0;
	for (i = 0; i < t->unit.nres; i++) {
		const hg_ir_resource *r = t->unit.res[i];
		hg_ir_resource *body;
		hg_value *props;

		if (!r->decl || !r->props || r->props->kind != HG_V_MAP)
			continue;
		if (!r->api_version || !*r->api_version || r->api_version[0] == '[') {
			/* Missing or an expression: the version, and so the schema,
			 * is known only at deploy time. */
			hg_diag_add(d, HG_D_BAD_API_VERSION, &r->decl->type_span,
			        r->api_version ? r->api_version : "", NULL);
			continue;
		}
		body = HG_ANEW(t->a, hg_ir_resource);
		*body = *r;
		props = hg_value_new(t->a, HG_V_MAP, &r->props->span);
		props->u.map.m = HG_ANEWN(t->a, hg_member, r->props->u.map.n + 1);
		for (k = 0; k < r->props->u.map.n; k++)
			if (!arm_template_key(r->props->u.map.m[k].key, r->type))
				props->u.map.m[props->u.map.n++] = r->props->u.map.m[k];
		body->props = props;
		unit.res[unit.nres++] = body;
	}
	rc = hg_schemas_check_arm(s, &unit, d);
	hg_schemas_free(s);
	return rc;
}

int hg_check_template(
        const char *path, const hg_compile_options *opts, hg_diags *d, bool *recognized)
{
	hg_buf text = HG_BUF_INIT;
	size_t size;
	int rc;

	*recognized = false;
	if (hg_fs_read(&text, path, 16u << 20, &size) < 0) {
		hg_buf_dispose(&text);
		return 0; /* not ours to report: compile reports hinagata sources */
	}
	rc = hg_check_template_text(path, text.ptr, text.size, opts, d, recognized);
	hg_buf_dispose(&text);
	return rc;
}

int hg_check_template_text(const char *path, const char *data, size_t len,
        const hg_compile_options *opts, hg_diags *d, bool *recognized)
{
	hg_arena *a = hg_arena_new();
	hg_buf text = HG_BUF_INIT;
	hg_diags scratch = HG_DIAGS_INIT;
	hg_node *root = NULL;
	const hg_node *res, *schema;
	hg_registry *reg = NULL;
	const hg_template *profile, *cat;
	struct raw t;
	const char *file;
	size_t i, n, next;
	bool arm = false;
	int rc = 0;

	*recognized = false;
	hg_buf_put(&text, data, len); /* NUL-terminated copy */
	if (!text.size)
		goto out;
	file = hg_diags_source(&scratch, path, text.ptr, text.size);
	if (hg_yaml_load(&root, a, &scratch, file, text.ptr, text.size, NULL) < 0 || !root ||
	        root->kind != HG_NODE_MAP) {
		/* Broken: report it only if it looks like a template. */
		if (strstr(text.ptr, "AWSTemplateFormatVersion") ||
		        strstr(text.ptr, "deploymentTemplate")) {
			*recognized = true;
			file = hg_diags_source(d, path, text.ptr, text.size);
			hg_yaml_load(&root, a, d, file, text.ptr, text.size, NULL);
			rc = HG_EINVALID;
		}
		goto out;
	}
	res = hg_node_get(root, "Resources");
	schema = hg_node_get(root, "$schema");
	if (res && res->kind == HG_NODE_MAP) {
		arm = false;
	} else if ((res = hg_node_get(root, "resources")) != NULL &&
	           (res->kind == HG_NODE_SEQ || res->kind == HG_NODE_MAP) && schema &&
	           schema->kind == HG_NODE_SCALAR &&
	           strstr(schema->u.scalar.str, "eploymentTemplate")) {
		arm = true;
	} else
		goto out;
	*recognized = true;
	/* Again, into the caller's list: positions must outlive this call. */
	file = hg_diags_source(d, path, text.ptr, text.size);
	hg_arena_dispose(a);
	a = hg_arena_new();
	if (hg_yaml_load(&root, a, d, file, text.ptr, text.size, NULL) < 0) {
		rc = HG_EINVALID;
		goto out;
	}
	res = hg_node_get(root, arm ? "resources" : "Resources");
	reg = hg_registry_of(a, opts);
	profile = hg_registry_get(reg, d, HG_DOC_PROFILE, arm ? "gc-azure" : "gc-aws");
	cat = hg_registry_get(reg, d, HG_DOC_CATALOG, HG_CATALOG_NAME);
	if (!profile) {
		hg_diag_add(d, HG_D_PROFILE_NOT_FOUND, NULL, arm ? "gc-azure" : "gc-aws",
		        hg_registry_path_text(reg), NULL);
		rc = HG_EIO;
		goto out;
	}
	memset(&t, 0, sizeof(t));
	t.a = a;
	t.arm = arm;
	t.resources = arm ? NULL : res;
	t.unit.a = a;
	t.unit.target = arm ? HG_TARGET_AZURE : HG_TARGET_AWS;
	if (arm) {
		for (i = 0; i < arm_count(res); i++)
			arm_add(&t, arm_at(res, i), NULL, 0, d);
	} else {
		n = res->u.map.n;
		for (i = 0; i < n; i++)
			add(&t, res->u.map.pairs[i].value, res->u.map.pairs[i].key, NULL, d);
		for (i = 0, next = 0; i < n; i++)
			read_props(&t, res->u.map.pairs[i].value, &next);
	}
	hg_rules_check(profile->rules, profile->nrules, &t.unit, cat, d);
	if (arm && arm_check_schemas(&t, opts, d) == HG_EIO)
		rc = HG_EIO;
	free(t.unit.res);
	if (d->nerrors && !rc)
		rc = HG_EINVALID;
out:
	if (reg)
		hg_registry_free(reg);
	hg_buf_dispose(&text);
	hg_diags_dispose(&scratch);
	hg_arena_dispose(a);
	return rc;
}
