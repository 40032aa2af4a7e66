/*
 * compiler.c: the compile driver: inputs through every stage to JSON.
 * Part of hinagata; see LICENSE.
 *
 * All inputs are parsed first and put in the registry, so one input can
 * use another (a template library compiled together with its users). Each
 * template input is then resolved, checked against the schemas, lowered
 * and emitted; an input's output exists only if that input produced no
 * error. Compile-time parameter values from --param and --params-file
 * bind the parameters of every root template that declares them.
 */
#include "compiler.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "catalog.h"
#include "emit_arm.h"
#include "emit_cfn.h"
#include "lower.h"
#include "registry.h"
#include "resolve.h"
#include "rules.h"
#include "schema.h"

const char *hg_compiler_version(void)
{
	return HG_VERSION;
}

void hg_outputs_free(hg_output *outs, size_t n)
{
	size_t i;
	if (!outs)
		return;
	for (i = 0; i < n; i++) {
		free(outs[i].input);
		free(outs[i].template_name);
		free(outs[i].template_version);
		free(outs[i].json);
	}
	free(outs);
}

struct rawbind {
	const char *name;
	const char *text; /* from --param: converted by the parameter's type */
	hg_value *value;  /* from --params-file: already typed */
	hg_span span;
};

/* Convert command-line text to a value of the parameter's type. */
static hg_value *convert(
        hg_arena *a, hg_diags *d, const hg_param_decl *p, const char *text, const hg_span *at)
{
	hg_value *v;
	char *end;

	switch (p->type) {
	case HG_P_INT:
		errno = 0;
		v = hg_value_new(a, HG_V_INT, at);
		v->u.i = strtoll(text, &end, 10);
		if (errno || end == text || *end) {
			hg_diag_add(d, HG_D_PARAM_VALUE_TYPE, at, p->name, hg_type_name(HG_T_INT),
			        HG_BI("text", "文字列"), NULL);
			return NULL;
		}
		return v;
	case HG_P_BOOL:
		if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0) {
			hg_diag_add(d, HG_D_PARAM_VALUE_TYPE, at, p->name, hg_type_name(HG_T_BOOL),
			        HG_BI("text", "文字列"), NULL);
			return NULL;
		}
		v = hg_value_new(a, HG_V_BOOL, at);
		v->u.b = text[0] == 't';
		return v;
	case HG_P_LIST: {
		/* Comma-separated, as CloudFormation's CommaDelimitedList. */
		size_t n = 1, i = 0;
		const char *s = text, *comma;
		for (comma = text; (comma = strchr(comma, ',')) != NULL; comma++)
			n++;
		v = hg_value_new(a, HG_V_LIST, at);
		v->u.list.items = HG_ANEWN(a, hg_value *, n);
		for (;;) {
			comma = strchr(s, ',');
			v->u.list.items[i] =
			        hg_value_str(a, s, comma ? (size_t)(comma - s) : strlen(s), at);
			if (p->item_type == HG_T_INT) {
				hg_value *iv = convert(a, d,
				        &(hg_param_decl){.name = p->name, .type = HG_P_INT},
				        v->u.list.items[i]->u.str.s, at);
				if (!iv)
					return NULL;
				v->u.list.items[i] = iv;
			}
			i++;
			if (!comma)
				break;
			s = comma + 1;
		}
		v->u.list.n = i;
		return v;
	}
	default:
		return hg_value_str(a, text, strlen(text), at);
	}
}

static int read_params_file(
        struct rawbind **binds, size_t *n, size_t *cap, hg_arena *a, hg_diags *d, const char *path)
{
	hg_buf text = HG_BUF_INIT;
	hg_node *root;
	const char *file;
	size_t i, size = 0;
	int rc;

	rc = hg_fs_read(&text, path, HG_FS_MAX_INPUT, &size);
	if (rc < 0) { /* as for templates: the file is the place */
		int e = errno;
		hg_diags_source(d, path, NULL, 0);
		hg_fs_diag(d, NULL, path, path, rc, e, size);
		hg_buf_dispose(&text);
		return rc == HG_EINVALID ? HG_EINVALID : HG_EIO;
	}
	file = hg_diags_source(d, path, text.ptr, text.size);
	rc = hg_yaml_load(&root, a, d, file, text.ptr, text.size, NULL);
	hg_buf_dispose(&text);
	if (rc < 0)
		return rc;
	if (root->kind != HG_NODE_MAP) {
		hg_diag_add(d, HG_D_WRONG_TYPE, &root->span, "--params-file",
		        HG_BI("a mapping", "マッピング"), hg_node_kind_name(root), NULL);
		return HG_EINVALID;
	}
	for (i = 0; i < root->u.map.n; i++) {
		const hg_pair *p = &root->u.map.pairs[i];
		hg_value *v = hg_value_from_node(a, d, p->value, false);
		if (!v)
			return HG_EINVALID;
		HG_GROW(*binds, *cap, *n + 1);
		(*binds)[*n].name = p->key->u.scalar.str;
		(*binds)[*n].text = NULL;
		(*binds)[*n].value = v;
		(*binds)[*n].span = p->key->span;
		(*n)++;
	}
	return 0;
}

static int read_cli_params(struct rawbind **binds, size_t *n, size_t *cap, hg_arena *a, hg_diags *d,
        const hg_compile_options *o)
{
	const char *file = hg_diags_source(d, "--param", NULL, 0);
	size_t i;
	int rc = 0;

	for (i = 0; i < o->nparams; i++) {
		const char *eq = strchr(o->params[i], '=');
		hg_span s = {file, 0, 0, 0, 0};
		if (!eq || eq == o->params[i]) {
			hg_diag_add(d, HG_D_PARAM_BAD_ARG, &s, o->params[i], NULL);
			rc = HG_EINVALID;
			continue;
		}
		HG_GROW(*binds, *cap, *n + 1);
		(*binds)[*n].name = hg_arena_strndup(a, o->params[i], (size_t)(eq - o->params[i]));
		(*binds)[*n].text = eq + 1;
		(*binds)[*n].value = NULL;
		(*binds)[*n].span = s;
		(*n)++;
	}
	return rc;
}

/* The bindings of raw values that apply to template t (later ones win). */
static hg_binding *bind_for(hg_arena *a, hg_diags *d, const hg_template *t,
        const struct rawbind *raw, size_t nraw, size_t *nout, bool *bad)
{
	hg_binding *b = HG_ANEWN(a, hg_binding, nraw + 1);
	size_t i, k, n = 0;

	for (i = 0; i < nraw; i++) {
		const hg_param_decl *p = hg_template_param(t, raw[i].name);
		hg_value *v = raw[i].value;
		if (p && raw[i].text) {
			v = convert(a, d, p, raw[i].text, &raw[i].span);
			if (!v) {
				*bad = true;
				continue;
			}
		} else if (!p && raw[i].text) {
			v = hg_value_str(a, raw[i].text, strlen(raw[i].text), &raw[i].span);
		}
		for (k = 0; k < n; k++)
			if (strcmp(b[k].name, raw[i].name) == 0)
				break;
		b[k].name = raw[i].name;
		b[k].span = raw[i].span;
		b[k].value = v;
		if (k == n)
			n++;
	}
	*nout = n;
	return b;
}

static bool any_error_since(const hg_diags *d, size_t before)
{
	return d->nerrors != before;
}

int hg_compile(hg_output **outs, const char *const *inputs, size_t n,
        const hg_compile_options *opts, hg_diags *d)
{
	hg_arena *a = hg_arena_new();
	hg_registry *reg;
	hg_schemas *schemas = NULL;
	hg_template **tmpls = hg_xcalloc(n ? n : 1, sizeof(*tmpls));
	size_t *errs_before = hg_xcalloc(n ? n : 1, sizeof(*errs_before));
	struct rawbind *raw = NULL;
	size_t nraw = 0, capraw = 0, i, k;
	hg_output *o = hg_xcalloc(n ? n : 1, sizeof(*o));
	int rc = 0;
	bool params_bad = false;

	*outs = o;
	reg = hg_registry_of(a, opts);
	if (opts->params_file &&
	        read_params_file(&raw, &nraw, &capraw, a, d, opts->params_file) < 0)
		params_bad = true;
	if (read_cli_params(&raw, &nraw, &capraw, a, d, opts) < 0)
		params_bad = true;

	/* Parse every input first: inputs may use each other. */
	for (i = 0; i < n; i++) {
		size_t before = d->nerrors;
		o[i].input = hg_xstrdup(inputs[i]);
		errs_before[i] = before;
		if (hg_template_load(&tmpls[i], a, d, inputs[i]) < 0 ||
		        any_error_since(d, before)) {
			if (tmpls[i] && tmpls[i]->name)
				o[i].template_name = hg_xstrdup(tmpls[i]->name);
			tmpls[i] = NULL;
			continue;
		}
		o[i].template_name = tmpls[i]->name ? hg_xstrdup(tmpls[i]->name) : NULL;
		o[i].is_azure = tmpls[i]->target == HG_TARGET_AZURE;
		o[i].template_version =
		        tmpls[i]->version_text ? hg_xstrdup(tmpls[i]->version_text) : NULL;
		/* Two versions of one template are two templates (an update and the
		 * version it replaces); the same version twice is one too many. */
		for (k = 0; k < i; k++) {
			if (tmpls[k] && tmpls[k]->kind == tmpls[i]->kind &&
			        strcmp(tmpls[k]->name, tmpls[i]->name) == 0 &&
			        hg_semver_cmp(&tmpls[k]->version, &tmpls[i]->version) == 0) {
				hg_diag *dg = hg_diag_add(d, HG_D_DUPLICATE_TEMPLATE,
				        &tmpls[i]->name_span, tmpls[i]->name, NULL);
				hg_diag_note(dg, HG_D_N_OTHER_HERE, &tmpls[k]->name_span, NULL);
				tmpls[i] = NULL;
				break;
			}
		}
		if (tmpls[i])
			hg_registry_add(reg, tmpls[i]);
	}

	for (i = 0; i < n; i++) {
		hg_template *t = tmpls[i];
		hg_resolve_options ro = HG_RESOLVE_OPTIONS_INIT;
		hg_ir *ir = NULL;
		hg_buf json = HG_BUF_INIT;
		size_t before = d->nerrors;
		bool bad = params_bad;

		if (!t)
			continue;
		if (t->kind != HG_DOC_TEMPLATE) {
			/* Profiles and the catalog produce nothing: checking them
			 * against each other is all there is to do. */
			const hg_template *cat =
			        hg_registry_get(reg, d, HG_DOC_CATALOG, HG_CATALOG_NAME);
			if (cat && t->kind == HG_DOC_PROFILE)
				hg_catalog_check_profile(cat, t, reg, d);
			if (t->kind == HG_DOC_CATALOG)
				hg_catalog_check_self(t, reg, d);
			o[i].ok = !any_error_since(d, before);
			continue;
		}
		hg_template_warn_unused(t, d);
		ro.registry = reg;
		ro.bindings = bind_for(a, d, t, raw, nraw, &ro.nbindings, &bad);
		if (bad)
			continue;
		if (hg_resolve(&ir, a, d, t, &ro) < 0 || any_error_since(d, before))
			continue;
		{
			/* Control IDs of every template that went in exist. */
			const hg_template *cat =
			        hg_registry_get(reg, d, HG_DOC_CATALOG, HG_CATALOG_NAME);
			size_t u;
			for (u = 0; cat && u < ir->nused; u++) {
				size_t w;
				for (w = 0; w < u; w++)
					if (ir->used[w].tmpl == ir->used[u].tmpl)
						break;
				if (w == u)
					hg_catalog_check_template(cat, ir->used[u].tmpl, d);
			}
		}
		/* The controls of the template's profile, on every resource. */
		if (ir->profile && !opts->skip_rules)
			hg_rules_check(ir->profile->rules, ir->profile->nrules, ir,
			        hg_registry_get(reg, d, HG_DOC_CATALOG, HG_CATALOG_NAME), d);
		{
			if (!schemas && opts->schema_dir)
				schemas = hg_schemas_open(opts->schema_dir);
			if (!schemas) {
				hg_diag_add(d, HG_D_SCHEMAS_MISSING, NULL,
				        opts->schema_dir ? opts->schema_dir : "-",
				        HG_BI("no aws/index.json", "aws/index.json がありません"),
				        NULL);
				rc = HG_EIO;
				break;
			}
			if (hg_schemas_check(schemas, ir, d) == HG_EIO) {
				rc = HG_EIO;
				break;
			}
		}
		if (hg_lower(ir, d) < 0 || any_error_since(d, before))
			continue;
		if ((t->target == HG_TARGET_AWS ? hg_emit_cfn(&json, ir, d)
		                                : hg_emit_arm(&json, ir, d)) < 0 ||
		        any_error_since(d, before)) {
			hg_buf_dispose(&json);
			continue;
		}
		o[i].len = json.size;
		o[i].json = hg_buf_detach(&json);
		o[i].ok = true;
	}
	for (i = 0; i < n; i++)
		if (!o[i].ok && rc == 0)
			rc = HG_EINVALID;
	if (d->env_error)
		rc = HG_EIO;
	free(tmpls);
	free(errs_before);
	free(raw);
	hg_schemas_free(schemas);
	hg_registry_free(reg);
	hg_arena_dispose(a);
	return rc;
}

static char *dup_or_null(const char *s)
{
	return s ? hg_xstrdup(s) : NULL;
}

int hg_catalog_list(hg_control_row **rows, size_t *n, const hg_compile_options *opts, hg_diags *d)
{
	hg_arena *a = hg_arena_new();
	hg_registry *reg;
	const hg_template *cat;
	size_t i, k;
	int rc = 0;

	*rows = NULL;
	*n = 0;
	reg = hg_registry_of(a, opts);
	cat = hg_registry_get(reg, d, HG_DOC_CATALOG, HG_CATALOG_NAME);
	if (!cat) {
		hg_diag_add(d, HG_D_TEMPLATE_NOT_FOUND, NULL, HG_CATALOG_NAME,
		        hg_registry_path_text(reg), NULL);
		rc = HG_ENOTFOUND;
		goto out;
	}
	*rows = hg_xcalloc(cat->ncatalog + 1, sizeof(**rows));
	for (i = 0; i < cat->ncatalog; i++) {
		const hg_control *c = &cat->catalog[i];
		hg_control_row *r = &(*rows)[i];
		r->id = hg_xstrdup(c->id);
		r->title_en = dup_or_null(c->title.en);
		r->title_ja = dup_or_null(c->title.ja);
		r->category = dup_or_null(c->category);
		r->severity = dup_or_null(c->severity);
		r->profile = dup_or_null(c->profile);
		r->mandatory = c->mandatory;
		r->outside_en = dup_or_null(c->outside.en);
		r->outside_ja = dup_or_null(c->outside.ja);
		r->nimpl = c->nimpl;
		r->impl = hg_xcalloc(c->nimpl + 1, sizeof(*r->impl));
		for (k = 0; k < c->nimpl; k++) {
			hg_buf b = HG_BUF_INIT;
			hg_buf_puts(&b, c->impl[k].template_name);
			if (c->impl[k].resource)
				hg_buf_printf(&b, " %s", c->impl[k].resource);
			if (c->impl[k].property)
				hg_buf_printf(&b, " %s", c->impl[k].property);
			r->impl[k] = hg_buf_detach(&b);
		}
	}
	*n = cat->ncatalog;
out:
	hg_registry_free(reg);
	hg_arena_dispose(a);
	return rc;
}

void hg_control_rows_free(hg_control_row *rows, size_t n)
{
	size_t i, k;
	for (i = 0; rows && i < n; i++) {
		free(rows[i].id);
		free(rows[i].title_en);
		free(rows[i].title_ja);
		free(rows[i].category);
		free(rows[i].severity);
		free(rows[i].profile);
		free(rows[i].outside_en);
		free(rows[i].outside_ja);
		for (k = 0; k < rows[i].nimpl; k++)
			free(rows[i].impl[k]);
		free(rows[i].impl);
	}
	free(rows);
}
