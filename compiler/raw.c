/*
 * raw.c: hand-written CloudFormation (JSON or YAML, short-form tags too)
 * and ARM templates checked against the control rules of the profiles
 * (see hg_check_template in compiler.h).
 * Part of hinagata; see LICENSE.
 *
 * The file is read with libyaml (JSON is YAML), keeping every position;
 * each resource becomes a one-resource IR unit whose properties are plain
 * values, intrinsic functions (Ref, Fn::*, !Tags, ARM "[...]") opaque ones
 * that no rule can judge, and the profile's rules run on it through the
 * same engine as for compiled templates. Suppressions are read from the
 * resource's metadata.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "catalog.h"
#include "compiler.h"
#include "ir.h"
#include "registry.h"
#include "rules.h"
#include "template.h"
#include "yaml_load.h"

/* A value computed at deploy time: no rule can pass or fail it. */
static hg_value *opaque(hg_arena *a, const hg_span *span)
{
	return hg_value_new(a, HG_V_INTERP, span);
}

static bool intrinsic_key(const char *k)
{
	return strcmp(k, "Ref") == 0 || strcmp(k, "Condition") == 0 || strncmp(k, "Fn::", 4) == 0;
}

static hg_value *conv(hg_arena *a, const hg_node *n, bool arm)
{
	hg_value *v;
	size_t i;

	if (n->tag && n->tag[0] == '!')
		return opaque(a, &n->span); /* !Ref, !Sub, !GetAtt, ... */
	switch (n->kind) {
	case HG_NODE_SCALAR: {
		hg_scalar_value s = n->u.scalar.style == HG_STYLE_PLAIN
		                            ? hg_node_scalar(n)
		                            : (hg_scalar_value){HG_SCALAR_STRING, false, 0, 0};
		if (arm && n->u.scalar.len > 1 && n->u.scalar.str[0] == '[' &&
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
			v->u.list.items[v->u.list.n++] = conv(a, n->u.seq.items[i], arm);
		return v;
	case HG_NODE_MAP:
		if (!arm && n->u.map.n == 1 && intrinsic_key(n->u.map.pairs[0].key->u.scalar.str))
			return opaque(a, &n->span);
		v = hg_value_new(a, HG_V_MAP, &n->span);
		v->u.map.m = HG_ANEWN(a, hg_member, n->u.map.n ? n->u.map.n : 1);
		for (i = 0; i < n->u.map.n; i++) {
			hg_member *m = &v->u.map.m[v->u.map.n++];
			m->key = n->u.map.pairs[i].key->u.scalar.str;
			m->key_span = n->u.map.pairs[i].key->span;
			m->value = conv(a, n->u.map.pairs[i].value, arm);
		}
		return v;
	}
	return opaque(a, &n->span);
}

/*
 * Check one resource (rn; key is its logical ID node for CloudFormation).
 * ARM child resources, in the parent's own "resources", follow with their
 * full type ("Microsoft.Network/virtualNetworks" + "subnets").
 */
static void check_one(hg_arena *a, const hg_template *profile, const hg_template *cat, hg_ir *unit,
        const hg_node *rn, const hg_node *key, const char *parent_type, bool arm, hg_diags *d)
{
	const hg_node *type = hg_node_get(rn, arm ? "type" : "Type"), *props, *meta, *children;
	hg_resource_decl *decl;
	hg_ir_resource *r;
	size_t i;

	if (!type || type->kind != HG_NODE_SCALAR)
		return;
	decl = HG_ANEW(a, hg_resource_decl);
	r = HG_ANEW(a, hg_ir_resource);
	decl->name = key ? key->u.scalar.str : "";
	decl->span = key ? key->span : rn->span;
	decl->type = parent_type && !strchr(type->u.scalar.str, '/')
	                     ? hg_arena_printf(a, "%s/%s", parent_type, type->u.scalar.str)
	                     : type->u.scalar.str;
	decl->type_span = type->span;
	r->decl = decl;
	r->type = decl->type;
	r->span = decl->span;
	props = arm ? rn : hg_node_get(rn, "Properties");
	r->props = props ? conv(a, props, arm) : NULL;
	meta = hg_node_get(rn, arm ? "metadata" : "Metadata");
	meta = hg_node_get(hg_node_get(meta, "hinagata"), "suppress");
	if (meta && hg_suppress_read(meta, d) == 0)
		decl->suppress = meta;
	unit->res[0] = r;
	unit->nres = 1;
	hg_rules_check(profile->rules, profile->nrules, unit, cat, d);
	children = arm ? hg_node_get(rn, "resources") : NULL;
	for (i = 0; children && children->kind == HG_NODE_SEQ && i < children->u.seq.n; i++)
		check_one(
		        a, profile, cat, unit, children->u.seq.items[i], NULL, decl->type, true, d);
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
	hg_search_dir *dirs = hg_xcalloc(opts->ntemplate_dirs + 1, sizeof(*dirs));
	hg_registry *reg = NULL;
	const hg_template *profile, *cat;
	hg_ir unit;
	hg_ir_resource *slot[1];
	const char *file;
	size_t i, nd;
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
	} else if ((res = hg_node_get(root, "resources")) != NULL && res->kind == HG_NODE_SEQ &&
	           schema && schema->kind == HG_NODE_SCALAR &&
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
	for (nd = 0; nd < opts->ntemplate_dirs; nd++)
		dirs[nd].path = opts->template_dirs[nd];
	if (opts->bundled_dir) {
		dirs[nd].path = opts->bundled_dir;
		dirs[nd++].display = "<hinagata>/templates";
	}
	reg = hg_registry_new(a, dirs, nd);
	profile = hg_registry_get(reg, d, HG_DOC_PROFILE, arm ? "gc-azure" : "gc-aws");
	cat = hg_registry_get(reg, d, HG_DOC_CATALOG, HG_CATALOG_NAME);
	if (!profile) {
		hg_diag_add(d, HG_D_PROFILE_NOT_FOUND, NULL, arm ? "gc-azure" : "gc-aws",
		        hg_registry_path_text(reg), NULL);
		rc = HG_EIO;
		goto out;
	}
	memset(&unit, 0, sizeof(unit));
	unit.a = a;
	unit.target = arm ? HG_TARGET_AZURE : HG_TARGET_AWS;
	unit.res = slot;
	unit.capres = 1;
	for (i = 0; i < (arm ? res->u.seq.n : res->u.map.n); i++) {
		if (arm)
			check_one(a, profile, cat, &unit, res->u.seq.items[i], NULL, NULL, true, d);
		else
			check_one(a, profile, cat, &unit, res->u.map.pairs[i].value,
			        res->u.map.pairs[i].key, NULL, false, d);
	}
	if (d->nerrors)
		rc = HG_EINVALID;
out:
	if (reg)
		hg_registry_free(reg);
	free(dirs);
	hg_buf_dispose(&text);
	hg_diags_dispose(&scratch);
	hg_arena_dispose(a);
	return rc;
}
