/*
 * emit_arm.c: hg_ir -> ARM template JSON, as `bicep build` writes it.
 * Part of hinagata; see LICENSE.
 *
 * Design. The shape follows Bicep's classic (non-symbolic) output: keys
 * $schema, contentVersion, metadata (_generator), parameters, variables,
 * resources (an array), outputs; in a resource condition, type, apiVersion,
 * resourceGroup (nested deployments), name, the body in source order,
 * dependsOn, metadata. Expressions become ARM's language:
 *   params.x           [parameters('x')]
 *   bucket / bucket.id [resourceId('Type', 'name')]  (subscriptionResourceId
 *                                                     at subscription scope)
 *   sa.properties.a.b  [reference(resourceId(...), 'api').a.b]
 *   sa.location        [reference(resourceId(...), 'api', 'full').location]
 *   "a-${x}-b"         [format('a-{0}-b', ...)]      ({{ }} and '' escaped)
 *   c ? a : b          [if(variables('c'), a, b)]
 *   ==, !=, &&, ||, !  equals, not(equals), and, or, not
 * Named conditions become variables. dependsOn is inferred from every
 * reference (ARM, unlike CloudFormation, needs it written out) and sorted.
 * A literal string that ARM would read as an expression ("[...]") gets an
 * extra leading "[". Nested deployments carry their template inline with
 * inner expression evaluation, and metadata._generator.templateHash of
 * every template is XXH3-64 (decimal, like Bicep's) of that template as
 * hinagata writes it, with templateHash itself empty.
 */
#include "emit_arm.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hash.h"
#include "lower.h"

/* ARM limits, as Bicep's linter applies them (max-params, ...). */
#define ARM_MAX_PARAMS    256
#define ARM_MAX_VARIABLES 512
#define ARM_MAX_RESOURCES 800
#define ARM_MAX_OUTPUTS   64

#define HASH_PLACEHOLDER "@@hinagata-template-hash@@"
#define DEPLOYMENTS_API  "2022-09-01"

struct emitter {
	hg_diags *d;
	const hg_ir *ir; /* the unit being written */
	bool failed;
};

static void ax(struct emitter *em, hg_buf *b, const hg_expr *e);
static void av(struct emitter *em, hg_buf *b, const hg_value *v);
static json_t *jv(struct emitter *em, const hg_value *v);
static json_t *unit_json(struct emitter *em, const hg_ir *ir, bool root);

/* ARM names: parameters, variables and outputs are camelCase. */
static char *camel(const char *id)
{
	char *s = hg_xstrdup(id);
	if (s[0] >= 'A' && s[0] <= 'Z')
		s[0] = (char)(s[0] + 32);
	return s;
}

static void put_camel(hg_buf *b, const char *id)
{
	char *s = camel(id);
	hg_buf_puts(b, s);
	free(s);
}

/* A string literal inside an expression: '...' with ' doubled. */
static void quote(hg_buf *b, const char *s, size_t len)
{
	size_t i;
	hg_buf_putc(b, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			hg_buf_putc(b, '\'');
		hg_buf_putc(b, s[i]);
	}
	hg_buf_putc(b, '\'');
}

static const hg_value *name_of(const hg_ir_resource *r)
{
	return hg_value_get(r->props, "name");
}

/* The number of name segments of a type: Microsoft.Network/virtualNetworks/subnets -> 2. */
static size_t segments(const char *type)
{
	size_t n = 0;
	for (; *type; type++)
		if (*type == '/')
			n++;
	return n;
}

/* resourceId(...) of r as seen from the unit being written. */
static void resource_id(struct emitter *em, hg_buf *b, const hg_ir_resource *r)
{
	const hg_value *name = name_of(r);
	size_t nseg = segments(r->type), i;

	if (r->nested) {
		/* A deployment into a resource group, seen from the subscription. */
		hg_buf_puts(b,
		        "extensionResourceId(format('/subscriptions/{0}/resourceGroups/{1}', "
		        "subscription().subscriptionId, ");
		av(em, b, r->resource_group);
		hg_buf_puts(b, "), 'Microsoft.Resources/deployments', ");
		quote(b, r->id, strlen(r->id));
		hg_buf_putc(b, ')');
		return;
	}
	hg_buf_puts(b,
	        em->ir->scope == HG_SCOPE_SUBSCRIPTION ? "subscriptionResourceId(" : "resourceId(");
	quote(b, r->type, strlen(r->type));
	if (!name) {
		hg_buf_puts(b, ", '')");
		return;
	}
	if (name->kind == HG_V_STR) {
		/* "vnet/subnet" -> 'vnet', 'subnet' */
		const char *s = name->u.str.s, *slash;
		while ((slash = strchr(s, '/')) != NULL) {
			hg_buf_puts(b, ", ");
			quote(b, s, (size_t)(slash - s));
			s = slash + 1;
		}
		hg_buf_puts(b, ", ");
		quote(b, s, strlen(s));
	} else if (nseg <= 1) {
		hg_buf_puts(b, ", ");
		av(em, b, name);
	} else {
		for (i = 0; i < nseg; i++) {
			hg_buf_puts(b, ", split(");
			av(em, b, name);
			hg_buf_printf(b, ", '/')[%zu]", i);
		}
	}
	hg_buf_putc(b, ')');
}

static void attribute(struct emitter *em, hg_buf *b, const hg_expr *e)
{
	const hg_ir_resource *r = e->u.res.res;
	const char *attr = e->u.res.attr;

	if (strcmp(attr, "id") == 0) {
		resource_id(em, b, r);
	} else if (strcmp(attr, "name") == 0 && name_of(r)) {
		av(em, b, name_of(r));
	} else if (strcmp(attr, "type") == 0) {
		quote(b, r->type, strlen(r->type));
	} else if (strcmp(attr, "apiVersion") == 0) {
		quote(b, r->api_version, strlen(r->api_version));
	} else if (strncmp(attr, "properties", 10) == 0 && (attr[10] == '.' || !attr[10])) {
		/* reference() returns the properties object */
		hg_buf_puts(b, "reference(");
		resource_id(em, b, r);
		hg_buf_puts(b, ", ");
		quote(b, r->api_version, strlen(r->api_version));
		hg_buf_printf(b, ")%s", attr + 10);
	} else {
		hg_buf_puts(b, "reference(");
		resource_id(em, b, r);
		hg_buf_puts(b, ", ");
		quote(b, r->api_version, strlen(r->api_version));
		hg_buf_printf(b, ", 'full').%s", attr);
	}
}

static void call(struct emitter *em, hg_buf *b, const char *fn, const hg_expr *x, const hg_expr *y)
{
	hg_buf_printf(b, "%s(", fn);
	ax(em, b, x);
	if (y) {
		hg_buf_puts(b, ", ");
		ax(em, b, y);
	}
	hg_buf_putc(b, ')');
}

/* Flatten a chain of && or || into and(a, b, c). */
static void chain(struct emitter *em, hg_buf *b, const hg_expr *e, hg_expr_kind kind, bool *first)
{
	if (e->kind == kind) {
		chain(em, b, e->u.op.a, kind, first);
		chain(em, b, e->u.op.b, kind, first);
		return;
	}
	if (!*first)
		hg_buf_puts(b, ", ");
	*first = false;
	ax(em, b, e);
}

static void ax(struct emitter *em, hg_buf *b, const hg_expr *e)
{
	bool first = true;

	switch (e->kind) {
	case HG_EX_STR:
		quote(b, e->u.str.s, e->u.str.len);
		break;
	case HG_EX_INT:
		hg_buf_printf(b, "%lld", (long long)e->u.i);
		break;
	case HG_EX_BOOL:
		hg_buf_puts(b, e->u.b ? "true()" : "false()");
		break;
	case HG_EX_PARAM:
		hg_buf_puts(b, "parameters('");
		put_camel(b, e->u.param->id);
		hg_buf_puts(b, "')");
		break;
	case HG_EX_RESOURCE:
		resource_id(em, b, e->u.res.res);
		break;
	case HG_EX_ATTR:
		attribute(em, b, e);
		break;
	case HG_EX_PSEUDO:
		if (e->u.pseudo == HG_PS_AZ_LOCATION && em->ir->scope == HG_SCOPE_SUBSCRIPTION)
			hg_buf_puts(b, "deployment().location");
		else
			hg_buf_puts(b, hg_pseudo_info_of(e->u.pseudo)->native);
		break;
	case HG_EX_CONDREF:
		hg_buf_puts(b, "variables('");
		put_camel(b, e->u.cond->id);
		hg_buf_puts(b, "')");
		break;
	case HG_EX_VALUE:
		av(em, b, e->u.value);
		break;
	case HG_EX_NESTED_OUTPUT:
		hg_buf_puts(b, "reference(");
		resource_id(em, b, e->u.nested.deployment);
		hg_buf_puts(b, ", '" DEPLOYMENTS_API "').outputs.");
		put_camel(b, e->u.nested.output);
		hg_buf_puts(b, ".value");
		break;
	case HG_EX_EQ:
		call(em, b, "equals", e->u.op.a, e->u.op.b);
		break;
	case HG_EX_NE:
		hg_buf_puts(b, "not(");
		call(em, b, "equals", e->u.op.a, e->u.op.b);
		hg_buf_putc(b, ')');
		break;
	case HG_EX_NOT:
		call(em, b, "not", e->u.op.a, NULL);
		break;
	case HG_EX_AND:
	case HG_EX_OR:
		hg_buf_puts(b, e->kind == HG_EX_AND ? "and(" : "or(");
		chain(em, b, e, e->kind, &first);
		hg_buf_putc(b, ')');
		break;
	case HG_EX_COND:
		hg_buf_puts(b, "if(");
		ax(em, b, e->u.op.a);
		hg_buf_puts(b, ", ");
		ax(em, b, e->u.op.b);
		hg_buf_puts(b, ", ");
		ax(em, b, e->u.op.c);
		hg_buf_putc(b, ')');
		break;
	case HG_EX_CALL:
		switch (e->u.call.fn) {
		case HG_FN_JOIN: /* ARM's join takes the array first */
			call(em, b, "join", e->u.call.args[1], e->u.call.args[0]);
			break;
		case HG_FN_SPLIT:
			call(em, b, "split", e->u.call.args[1], e->u.call.args[0]);
			break;
		case HG_FN_SELECT:
			ax(em, b, e->u.call.args[1]);
			hg_buf_putc(b, '[');
			ax(em, b, e->u.call.args[0]);
			hg_buf_putc(b, ']');
			break;
		case HG_FN_BASE64:
			call(em, b, "base64", e->u.call.args[0], NULL);
			break;
		default:
			hg_diag_add(em->d, HG_D_ARM_FUNCTION, &e->span,
			        hg_func_info_of(e->u.call.fn)->name, NULL);
			em->failed = true;
			hg_buf_puts(b, "null()");
		}
		break;
	default:
		hg_buf_puts(b, "null()");
	}
}

/* format('a{0}b', x): literal braces doubled, quotes doubled. */
static void format_interp(struct emitter *em, hg_buf *b, const hg_value *v)
{
	hg_buf fmt = HG_BUF_INIT;
	size_t i, k, n = 0;

	for (i = 0; i < v->u.interp.n; i++) {
		const hg_part *p = &v->u.interp.parts[i];
		if (p->expr) {
			hg_buf_printf(&fmt, "{%zu}", n++);
			continue;
		}
		for (k = 0; k < p->len; k++) {
			if (p->text[k] == '{' || p->text[k] == '}')
				hg_buf_putc(&fmt, p->text[k]);
			hg_buf_putc(&fmt, p->text[k]);
		}
	}
	hg_buf_puts(b, "format(");
	quote(b, fmt.ptr, fmt.size);
	for (i = 0; i < v->u.interp.n; i++) {
		if (v->u.interp.parts[i].expr) {
			hg_buf_puts(b, ", ");
			ax(em, b, v->u.interp.parts[i].expr);
		}
	}
	hg_buf_putc(b, ')');
	hg_buf_dispose(&fmt);
}

/* A value inside an expression. */
static void av(struct emitter *em, hg_buf *b, const hg_value *v)
{
	size_t i;

	if (!v) {
		hg_buf_puts(b, "null()");
		return;
	}
	switch (v->kind) {
	case HG_V_NULL:
		hg_buf_puts(b, "null()");
		break;
	case HG_V_BOOL:
		hg_buf_puts(b, v->u.b ? "true()" : "false()");
		break;
	case HG_V_INT:
		hg_buf_printf(b, "%lld", (long long)v->u.i);
		break;
	case HG_V_FLOAT:
		hg_buf_printf(b, "json('%.15g')", v->u.f);
		break;
	case HG_V_STR:
		quote(b, v->u.str.s, v->u.str.len);
		break;
	case HG_V_LIST:
		hg_buf_puts(b, "createArray(");
		for (i = 0; i < v->u.list.n; i++) {
			if (i)
				hg_buf_puts(b, ", ");
			av(em, b, v->u.list.items[i]);
		}
		hg_buf_putc(b, ')');
		break;
	case HG_V_MAP:
		hg_buf_puts(b, "createObject(");
		for (i = 0; i < v->u.map.n; i++) {
			if (i)
				hg_buf_puts(b, ", ");
			quote(b, v->u.map.m[i].key, strlen(v->u.map.m[i].key));
			hg_buf_puts(b, ", ");
			av(em, b, v->u.map.m[i].value);
		}
		hg_buf_putc(b, ')');
		break;
	case HG_V_EXPR:
		ax(em, b, v->u.expr);
		break;
	case HG_V_INTERP:
		format_interp(em, b, v);
		break;
	}
}

/* A literal string; ARM reads "[...]" as an expression, so escape it. */
static json_t *jstring(const char *s, size_t len)
{
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		hg_buf b = HG_BUF_INIT;
		json_t *j;
		hg_buf_putc(&b, '[');
		hg_buf_put(&b, s, len);
		j = json_stringn(b.ptr, b.size);
		hg_buf_dispose(&b);
		return j;
	}
	return json_stringn(s, len);
}

static json_t *jexpr(struct emitter *em, const hg_value *v)
{
	hg_buf b = HG_BUF_INIT;
	json_t *j;
	hg_buf_putc(&b, '[');
	av(em, &b, v);
	hg_buf_putc(&b, ']');
	j = json_stringn(b.ptr, b.size);
	hg_buf_dispose(&b);
	return j;
}

/* A value as JSON: literals as they are, anything computed as "[...]". */
static json_t *jv(struct emitter *em, const hg_value *v)
{
	json_t *o;
	size_t i;

	switch (v->kind) {
	case HG_V_NULL:
		return json_null();
	case HG_V_BOOL:
		return json_boolean(v->u.b);
	case HG_V_INT:
		return json_integer(v->u.i);
	case HG_V_FLOAT:
		return json_real(v->u.f);
	case HG_V_STR:
		return jstring(v->u.str.s, v->u.str.len);
	case HG_V_LIST:
		o = json_array();
		for (i = 0; i < v->u.list.n; i++)
			json_array_append_new(o, jv(em, v->u.list.items[i]));
		return o;
	case HG_V_MAP:
		o = json_object();
		for (i = 0; i < v->u.map.n; i++) {
			const char *k = v->u.map.m[i].key;
			size_t kl = strlen(k);
			/* Keys that look like expressions are escaped too. */
			if (kl >= 2 && k[0] == '[' && k[kl - 1] == ']') {
				hg_buf kb = HG_BUF_INIT;
				hg_buf_printf(&kb, "[%s", k);
				json_object_set_new(o, kb.ptr, jv(em, v->u.map.m[i].value));
				hg_buf_dispose(&kb);
			} else {
				json_object_set_new(o, k, jv(em, v->u.map.m[i].value));
			}
		}
		return o;
	case HG_V_EXPR:
		switch (v->u.expr->kind) {
		case HG_EX_VALUE:
			return jv(em, v->u.expr->u.value);
		case HG_EX_ATTR:
			/* The name of a resource whose name is literal is that literal. */
			if (strcmp(v->u.expr->u.res.attr, "name") == 0 &&
			        name_of(v->u.expr->u.res.res) &&
			        name_of(v->u.expr->u.res.res)->kind == HG_V_STR)
				return jv(em, name_of(v->u.expr->u.res.res));
			return jexpr(em, v);
		case HG_EX_STR:
			return jstring(v->u.expr->u.str.s, v->u.expr->u.str.len);
		case HG_EX_INT:
			return json_integer(v->u.expr->u.i);
		case HG_EX_BOOL:
			return json_boolean(v->u.expr->u.b);
		default:
			return jexpr(em, v);
		}
	case HG_V_INTERP:
		return jexpr(em, v);
	}
	return json_null();
}

/* ---- dependencies ---- */

struct deps {
	struct emitter *em;
	const hg_ir_resource *self;
	char **ids;
	size_t n, cap;
};

static void add_dep_id(struct deps *dp, const hg_ir_resource *r)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;

	if (r == dp->self)
		return;
	hg_buf_putc(&b, '[');
	resource_id(dp->em, &b, r);
	hg_buf_putc(&b, ']');
	for (i = 0; i < dp->n; i++)
		if (strcmp(dp->ids[i], b.ptr) == 0) {
			hg_buf_dispose(&b);
			return;
		}
	HG_GROW(dp->ids, dp->cap, dp->n + 1);
	dp->ids[dp->n++] = hg_buf_detach(&b);
}

static void dep_visit(hg_expr *e, void *payload)
{
	struct deps *dp = payload;
	if (e->kind == HG_EX_RESOURCE || e->kind == HG_EX_ATTR)
		add_dep_id(dp, e->u.res.res);
	else if (e->kind == HG_EX_NESTED_OUTPUT)
		add_dep_id(dp, e->u.nested.deployment);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *depends_on(struct emitter *em, const hg_ir_resource *r)
{
	struct deps dp;
	json_t *l;
	size_t i;

	memset(&dp, 0, sizeof(dp));
	dp.em = em;
	dp.self = r;
	hg_value_visit(r->props, dep_visit, &dp);
	hg_value_visit(r->resource_group, dep_visit, &dp);
	for (i = 0; i < r->nargs; i++)
		hg_value_visit(r->args[i].value, dep_visit, &dp);
	for (i = 0; i < r->ndeps; i++)
		add_dep_id(&dp, r->deps[i]);
	if (!dp.n) {
		free(dp.ids);
		return NULL;
	}
	/* Sorted, as Bicep does, so the output is stable. */
	qsort(dp.ids, dp.n, sizeof(*dp.ids), cmp_str);
	l = json_array();
	for (i = 0; i < dp.n; i++) {
		json_array_append_new(l, json_string(dp.ids[i]));
		free(dp.ids[i]);
	}
	free(dp.ids);
	return l;
}

/* ---- sections ---- */

static const char *arm_type(const hg_param_decl *p)
{
	switch (p->type) {
	case HG_P_INT:
		return "int";
	case HG_P_BOOL:
		return "bool";
	case HG_P_LIST:
		return "array";
	case HG_P_OBJECT:
		return "object";
	case HG_P_SECURE:
		return "securestring";
	default:
		return "string";
	}
}

static json_t *emit_param(struct emitter *em, const hg_ir_param *ip)
{
	const hg_param_decl *p = ip->decl;
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(arm_type(p)));
	if (p->def)
		json_object_set_new(o, "defaultValue", jv(em, p->def));
	if (p->allowed)
		json_object_set_new(o, "allowedValues", jv(em, p->allowed));
	if (p->has_min)
		json_object_set_new(o, "minValue", json_integer(p->min));
	if (p->has_max)
		json_object_set_new(o, "maxValue", json_integer(p->max));
	if (p->has_min_len)
		json_object_set_new(o, "minLength", json_integer(p->min_len));
	if (p->has_max_len)
		json_object_set_new(o, "maxLength", json_integer(p->max_len));
	if (p->description.en || p->description.ja) {
		hg_buf b = HG_BUF_INIT;
		json_t *m = json_object();
		if (p->description.ja)
			hg_buf_puts(&b, p->description.ja);
		if (p->description.ja && p->description.en)
			hg_buf_puts(&b, " / ");
		if (p->description.en)
			hg_buf_puts(&b, p->description.en);
		json_object_set_new(m, "description", json_stringn(b.ptr, b.size));
		hg_buf_dispose(&b);
		json_object_set_new(o, "metadata", m);
	}
	if (p->pattern) /* with what to do about it: a warning alone leaves the reader guessing */
		hg_diag_note(hg_diag_add(em->d, HG_D_ARM_PATTERN_LOST, &p->pattern_span, ip->path,
		                     p->pattern, NULL),
		        HG_D_N_PATTERN_AT_COMPILE, NULL, p->name, NULL);
	return o;
}

static json_t *resource_metadata(const hg_ir_resource *r)
{
	json_t *m = json_object(), *h = json_object();
	size_t i;

	json_object_set_new(h, "template", json_string(r->tmpl->name));
	json_object_set_new(h, "version", json_string(r->tmpl->version_text));
	json_object_set_new(h, "resource", json_string(r->path));
	if (r->mandatory)
		json_object_set_new(h, "mandatory", json_true());
	if (r->nlocks) {
		char **paths = hg_xmalloc(r->nlocks * sizeof(*paths));
		json_t *l = json_array();
		for (i = 0; i < r->nlocks; i++)
			paths[i] = (char *)(uintptr_t)r->locks[i].path;
		qsort(paths, r->nlocks, sizeof(*paths), cmp_str);
		for (i = 0; i < r->nlocks; i++)
			json_array_append_new(l, json_string(paths[i]));
		free(paths);
		json_object_set_new(h, "locked", l);
	}
	if (r->decl && r->decl->ncontrols) {
		json_t *l = json_array();
		for (i = 0; i < r->decl->ncontrols; i++)
			json_array_append_new(l, json_string(r->decl->controls[i]));
		json_object_set_new(h, "controls", l);
	}
	json_object_set_new(m, "hinagata", h);
	return m;
}

/* The resource an extension resource's scope: names (${res} or ${res.id}). */
static const hg_ir_resource *scope_target(const hg_value *v)
{
	const hg_expr *e = v->kind == HG_V_EXPR ? v->u.expr : NULL;
	if (e && e->kind == HG_EX_RESOURCE)
		return e->u.res.res;
	if (e && e->kind == HG_EX_ATTR && strcmp(e->u.res.attr, "id") == 0)
		return e->u.res.res;
	return NULL;
}

/*
 * ARM wants an extension resource's scope as "Type/name" of the resource
 * in the same deployment (what Bicep writes for scope: res).
 */
static json_t *extension_scope(struct emitter *em, const hg_ir_resource *t)
{
	const hg_value *name = name_of(t);
	hg_buf b = HG_BUF_INIT;
	json_t *j;

	if (name && name->kind == HG_V_STR) {
		hg_buf_printf(&b, "%s/%s", t->type, name->u.str.s);
		j = jstring(b.ptr, b.size);
	} else {
		hg_buf_puts(&b, "[format(");
		{
			hg_buf f = HG_BUF_INIT;
			hg_buf_printf(&f, "%s/{0}", t->type);
			quote(&b, f.ptr, f.size);
			hg_buf_dispose(&f);
		}
		hg_buf_puts(&b, ", ");
		av(em, &b, name);
		hg_buf_puts(&b, ")]");
		j = json_stringn(b.ptr, b.size);
	}
	hg_buf_dispose(&b);
	return j;
}

static json_t *emit_resource(struct emitter *em, const hg_ir_resource *r)
{
	json_t *o = json_object(), *deps;
	size_t i;

	if (r->cond) {
		hg_buf b = HG_BUF_INIT;
		hg_buf_puts(&b, "[variables('");
		put_camel(&b, r->cond->id);
		hg_buf_puts(&b, "')]");
		json_object_set_new(o, "condition", json_stringn(b.ptr, b.size));
		hg_buf_dispose(&b);
	}
	json_object_set_new(o, "type", json_string(r->type));
	json_object_set_new(o, "apiVersion", json_string(r->api_version));
	if (r->nested) {
		json_t *props = json_object(), *eval = json_object(), *params = json_object();
		json_object_set_new(o, "resourceGroup", jv(em, r->resource_group));
		json_object_set_new(o, "name", json_string(r->id));
		json_object_set_new(eval, "scope", json_string("inner"));
		json_object_set_new(props, "expressionEvaluationOptions", eval);
		json_object_set_new(props, "mode", json_string("Incremental"));
		for (i = 0; i < r->nargs; i++) {
			json_t *val = json_object();
			char *name = camel(r->args[i].param->id);
			json_object_set_new(val, "value", jv(em, r->args[i].value));
			json_object_set_new(params, name, val);
			free(name);
		}
		json_object_set_new(props, "parameters", params);
		json_object_set_new(props, "template", unit_json(em, r->nested, false));
		json_object_set_new(o, "properties", props);
	} else {
		const hg_value *name = name_of(r);
		if (name)
			json_object_set_new(o, "name", jv(em, name));
		for (i = 0; r->props && i < r->props->u.map.n; i++) {
			const hg_member *m = &r->props->u.map.m[i];
			if (strcmp(m->key, "name") == 0)
				continue;
			if (strcmp(m->key, "scope") == 0 && scope_target(m->value))
				json_object_set_new(
				        o, "scope", extension_scope(em, scope_target(m->value)));
			else
				json_object_set_new(o, m->key, jv(em, m->value));
		}
	}
	deps = depends_on(em, r);
	if (deps)
		json_object_set_new(o, "dependsOn", deps);
	json_object_set_new(o, "metadata", resource_metadata(r));
	return o;
}

static const char *output_type(const hg_value *v)
{
	switch (hg_value_type(v)) {
	case HG_T_INT:
		return "int";
	case HG_T_BOOL:
		return "bool";
	case HG_T_LIST:
		return "array";
	case HG_T_OBJECT:
		return "object";
	default:
		return "string";
	}
}

static void limit(struct emitter *em, const hg_ir *ir, size_t n, size_t max, const char *what)
{
	char a[32], b[32];
	snprintf(a, sizeof(a), "%zu", n);
	snprintf(b, sizeof(b), "%zu", max);
	if (n > max) {
		hg_diag_add(em->d, HG_D_ARM_LIMIT, &ir->root->name_span, a, what, b, NULL);
		em->failed = true;
	} else if (n * 10 > max * 9) {
		hg_diag_add(em->d, HG_D_ARM_NEAR_LIMIT, &ir->root->name_span, a, what, b, NULL);
	}
}

#define SORT_BY_ID(arr, n, type)                                                                   \
	do {                                                                                       \
		size_t x_, y_;                                                                     \
		for (x_ = 1; x_ < (n); x_++)                                                       \
			for (y_ = x_; y_ > 0 && strcmp((arr)[y_ - 1]->id, (arr)[y_]->id) > 0;      \
			        y_--) {                                                            \
				type *t_ = (arr)[y_];                                              \
				(arr)[y_] = (arr)[y_ - 1];                                         \
				(arr)[y_ - 1] = t_;                                                \
			}                                                                          \
	} while (0)

static json_t *generator(void)
{
	json_t *g = json_object();
	json_object_set_new(g, "name", json_string("hinagata"));
	json_object_set_new(g, "version", json_string(HG_VERSION));
	json_object_set_new(g, "templateHash", json_string(HASH_PLACEHOLDER));
	return g;
}

static json_t *root_metadata(const hg_ir *ir)
{
	json_t *h = json_object(), *uses = json_array();
	char hex[17];
	size_t i;

	json_object_set_new(h, "compiler", json_string("hinagata " HG_VERSION));
	json_object_set_new(h, "language", json_integer(ir->root->lang_version));
	for (i = 0; i < ir->nused; i++) {
		const hg_ir_used *u = &ir->used[i];
		json_t *e = json_object();
		if (*u->alias_path)
			json_object_set_new(e, "use", json_string(u->alias_path));
		json_object_set_new(e, "template", json_string(u->tmpl->name));
		json_object_set_new(e, "version", json_string(u->tmpl->version_text));
		hg_hash_hex(hex, u->tmpl->hash);
		json_object_set_new(e, "hash", json_string(hex));
		if (u->tmpl->mandatory)
			json_object_set_new(e, "mandatory", json_true());
		json_array_append_new(uses, e);
	}
	json_object_set_new(h, "templates", uses);
	if (ir->root->profile)
		json_object_set_new(h, "profile", json_string(ir->root->profile));
	return h;
}

/*
 * Dump doc as hinagata writes templates; the placeholder hash becomes the
 * XXH3-64 (decimal) of the text with an empty hash. Returns new text.
 */
static char *seal(json_t *doc)
{
	char *text =
	        json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	char *at, num[24];
	hg_buf b = HG_BUF_INIT;

	if (!text)
		hg_oom();
	at = strstr(text, HASH_PLACEHOLDER);
	hg_buf_put(&b, text, (size_t)(at - text));
	hg_buf_puts(&b, at + strlen(HASH_PLACEHOLDER));
	hg_buf_putc(&b, '\n');
	snprintf(num, sizeof(num), "%llu", (unsigned long long)hg_hash64(b.ptr, b.size));
	hg_buf_clear(&b);
	hg_buf_put(&b, text, (size_t)(at - text));
	hg_buf_puts(&b, num);
	hg_buf_puts(&b, at + strlen(HASH_PLACEHOLDER));
	hg_buf_putc(&b, '\n');
	free(text);
	return hg_buf_detach(&b);
}

static json_t *unit_json(struct emitter *em, const hg_ir *ir, bool root)
{
	const hg_ir *saved = em->ir;
	json_t *doc = json_object(), *meta = json_object(), *sec;
	hg_ir_param **params;
	hg_ir_cond **conds;
	hg_ir_output **outs;
	size_t i;

	em->ir = ir;
	limit(em, ir, ir->nparams, ARM_MAX_PARAMS, HG_BI("parameters", "パラメータ"));
	limit(em, ir, ir->nconds, ARM_MAX_VARIABLES, HG_BI("variables", "変数"));
	limit(em, ir, ir->nres, ARM_MAX_RESOURCES, HG_BI("resources", "リソース"));
	limit(em, ir, ir->noutputs, ARM_MAX_OUTPUTS, HG_BI("outputs", "出力"));
	json_object_set_new(doc, "$schema",
	        json_string(ir->scope == HG_SCOPE_SUBSCRIPTION
	                            ? "https://schema.management.azure.com/schemas/2018-05-01/"
	                              "subscriptionDeploymentTemplate.json#"
	                            : "https://schema.management.azure.com/schemas/2019-04-01/"
	                              "deploymentTemplate.json#"));
	json_object_set_new(doc, "contentVersion", json_string("1.0.0.0"));
	json_object_set_new(meta, "_generator", generator());
	if (root)
		json_object_set_new(meta, "hinagata", root_metadata(ir));
	json_object_set_new(doc, "metadata", meta);

	params = hg_xcalloc(ir->nparams + 1, sizeof(*params));
	conds = hg_xcalloc(ir->nconds + 1, sizeof(*conds));
	outs = hg_xcalloc(ir->noutputs + 1, sizeof(*outs));
	for (i = 0; i < ir->nparams; i++)
		params[i] = ir->params[i];
	for (i = 0; i < ir->nconds; i++)
		conds[i] = ir->conds[i];
	for (i = 0; i < ir->noutputs; i++)
		outs[i] = ir->outputs[i];
	SORT_BY_ID(params, ir->nparams, hg_ir_param);
	SORT_BY_ID(conds, ir->nconds, hg_ir_cond);
	SORT_BY_ID(outs, ir->noutputs, hg_ir_output);
	if (ir->nparams) {
		sec = json_object();
		for (i = 0; i < ir->nparams; i++) {
			char *name = camel(params[i]->id);
			json_object_set_new(sec, name, emit_param(em, params[i]));
			free(name);
		}
		json_object_set_new(doc, "parameters", sec);
	}
	if (ir->nconds) {
		sec = json_object();
		for (i = 0; i < ir->nconds; i++) {
			char *name = camel(conds[i]->id);
			hg_buf b = HG_BUF_INIT;
			hg_buf_putc(&b, '[');
			ax(em, &b, conds[i]->expr);
			hg_buf_putc(&b, ']');
			json_object_set_new(sec, name, json_stringn(b.ptr, b.size));
			hg_buf_dispose(&b);
			free(name);
		}
		json_object_set_new(doc, "variables", sec);
	}
	sec = json_array();
	for (i = 0; i < ir->nres; i++)
		json_array_append_new(sec, emit_resource(em, ir->res[i]));
	json_object_set_new(doc, "resources", sec);
	if (ir->noutputs) {
		sec = json_object();
		for (i = 0; i < ir->noutputs; i++) {
			json_t *o = json_object();
			char *name = camel(outs[i]->id);
			if (outs[i]->cond) {
				hg_buf b = HG_BUF_INIT;
				hg_buf_puts(&b, "[variables('");
				put_camel(&b, outs[i]->cond->id);
				hg_buf_puts(&b, "')]");
				json_object_set_new(o, "condition", json_stringn(b.ptr, b.size));
				hg_buf_dispose(&b);
			}
			json_object_set_new(o, "type", json_string(output_type(outs[i]->value)));
			json_object_set_new(o, "value", jv(em, outs[i]->value));
			json_object_set_new(sec, name, o);
			free(name);
		}
		json_object_set_new(doc, "outputs", sec);
	}
	free(params);
	free(conds);
	free(outs);
	if (!root) {
		/* A nested template carries its own hash, sealed now. */
		char *text = seal(doc);
		json_error_t err;
		json_decref(doc);
		doc = json_loads(text, JSON_DECODE_ANY, &err);
		free(text);
		if (!doc)
			hg_oom();
	}
	em->ir = saved;
	return doc;
}

int hg_emit_arm(hg_buf *out, const hg_ir *ir, hg_diags *d)
{
	struct emitter em;
	json_t *doc;
	char *text;

	memset(&em, 0, sizeof(em));
	em.d = d;
	doc = unit_json(&em, ir, true);
	text = seal(doc);
	json_decref(doc);
	hg_buf_clear(out);
	hg_buf_puts(out, text);
	free(text);
	return em.failed ? HG_EINVALID : 0;
}
