/*
 * emit_cfn.c: hg_ir -> CloudFormation template JSON (see emit_cfn.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. The document is built as a jansson tree in a fixed key order and
 * dumped with two-space indentation; nothing depends on hash order or the
 * order in which the IR was filled (sections are sorted by logical ID).
 * Expressions map to intrinsic functions:
 *   params.x             {"Ref": "X"}          (deploy-time parameter)
 *   bucket / bucket.Arn  {"Ref": "Bucket"} / {"Fn::GetAtt": ["Bucket", "Arn"]}
 *   aws.region           {"Ref": "AWS::Region"}
 *   "a-${x}-b"           {"Fn::Sub": "a-${X}-b"}   (literal "${" written "${!")
 *                        or Fn::Join when a part is not a plain reference
 *   c ? a : b            {"Fn::If": ["C", a, b]}
 *   ==, !=, &&, ||, !    Fn::Equals, Fn::Not, Fn::And, Fn::Or (2..10 operands)
 * Metadata.hinagata records the compiler, every template with its version
 * and content hash, and outputHash: XXH3-64 of this very file with the
 * outputHash value itself empty (docs/language.md explains how to check it).
 */
#include "emit_cfn.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hash.h"
#include "lower.h"

/* CloudFormation quotas (docs: cloudformation-limits). */
#define CFN_MAX_RESOURCES   500
#define CFN_MAX_PARAMS      200
#define CFN_MAX_OUTPUTS     200
#define CFN_MAX_BODY_INLINE 51200
#define CFN_MAX_BODY_S3     1000000
#define CFN_MAX_DESCRIPTION 1024
#define CFN_MAX_AND_OR      10

#define OUTPUT_HASH_PLACEHOLDER "@@hinagata-output-hash@@"

static json_t *emit_value(const hg_value *v);
static json_t *emit_expr(const hg_expr *e);
static json_t *emit_cond_expr(const hg_expr *e);

static json_t *str(const char *s)
{
	return json_string(s);
}

static json_t *ref(const char *id)
{
	json_t *o = json_object();
	json_object_set_new(o, "Ref", str(id));
	return o;
}

static json_t *fn1(const char *fn, json_t *arg)
{
	json_t *o = json_object();
	json_object_set_new(o, fn, arg);
	return o;
}

static json_t *arr2(json_t *a, json_t *b)
{
	json_t *l = json_array();
	json_array_append_new(l, a);
	json_array_append_new(l, b);
	return l;
}

static json_t *getatt(const hg_expr *e)
{
	return fn1("Fn::GetAtt", arr2(str(e->u.res.res->id), str(e->u.res.attr)));
}

/* Scalars inside Fn::Equals are compared as strings by CloudFormation. */
static json_t *cond_operand(const hg_expr *e)
{
	char buf[32];
	switch (e->kind) {
	case HG_EX_INT:
		snprintf(buf, sizeof(buf), "%lld", (long long)e->u.i);
		return str(buf);
	case HG_EX_BOOL:
		return str(e->u.b ? "true" : "false");
	case HG_EX_VALUE:
		if (e->u.value->kind == HG_V_INT) {
			snprintf(buf, sizeof(buf), "%lld", (long long)e->u.value->u.i);
			return str(buf);
		}
		if (e->u.value->kind == HG_V_BOOL)
			return str(e->u.value->u.b ? "true" : "false");
		return emit_value(e->u.value);
	default:
		return emit_expr(e);
	}
}

/* Flatten a chain of one operator (a && b && c) into its operands. */
static void flatten(const hg_expr *e, hg_expr_kind kind, const hg_expr **ops, size_t *n, size_t max)
{
	if (e->kind == kind) {
		flatten(e->u.op.a, kind, ops, n, max);
		flatten(e->u.op.b, kind, ops, n, max);
	} else if (*n < max) {
		ops[(*n)++] = e;
	}
}

/* Fn::And / Fn::Or take 2..10 operands; longer chains nest. */
static json_t *and_or(const char *fn, const hg_expr **ops, size_t n)
{
	json_t *l = json_array();
	size_t i;

	if (n <= CFN_MAX_AND_OR) {
		for (i = 0; i < n; i++)
			json_array_append_new(l, emit_cond_expr(ops[i]));
	} else {
		for (i = 0; i < CFN_MAX_AND_OR - 1; i++)
			json_array_append_new(l, emit_cond_expr(ops[i]));
		json_array_append_new(l, and_or(fn, ops + i, n - i));
	}
	return fn1(fn, l);
}

static json_t *emit_cond_expr(const hg_expr *e)
{
	const hg_expr *ops[256];
	size_t n = 0;

	switch (e->kind) {
	case HG_EX_EQ:
		return fn1("Fn::Equals", arr2(cond_operand(e->u.op.a), cond_operand(e->u.op.b)));
	case HG_EX_NE: {
		json_t *l = json_array();
		json_array_append_new(l,
		        fn1("Fn::Equals", arr2(cond_operand(e->u.op.a), cond_operand(e->u.op.b))));
		return fn1("Fn::Not", l);
	}
	case HG_EX_NOT: {
		json_t *l = json_array();
		json_array_append_new(l, emit_cond_expr(e->u.op.a));
		return fn1("Fn::Not", l);
	}
	case HG_EX_AND:
		flatten(e, HG_EX_AND, ops, &n, HG_ARRAY_SIZE(ops));
		return and_or("Fn::And", ops, n);
	case HG_EX_OR:
		flatten(e, HG_EX_OR, ops, &n, HG_ARRAY_SIZE(ops));
		return and_or("Fn::Or", ops, n);
	case HG_EX_CONDREF:
		return fn1("Condition", str(e->u.cond->id));
	default:
		/* A boolean parameter or value: compare with "true". */
		return fn1("Fn::Equals", arr2(cond_operand(e), str("true")));
	}
}

/* A part of Fn::Sub that can be written as ${...}. */
static bool sub_name(const hg_expr *e, hg_buf *out)
{
	switch (e->kind) {
	case HG_EX_PARAM:
		hg_buf_puts(out, e->u.param->id);
		return true;
	case HG_EX_RESOURCE:
		hg_buf_puts(out, e->u.res.res->id);
		return true;
	case HG_EX_ATTR:
		hg_buf_printf(out, "%s.%s", e->u.res.res->id, e->u.res.attr);
		return true;
	case HG_EX_PSEUDO:
		if (e->u.pseudo == HG_PS_AWS_NO_VALUE || e->u.pseudo == HG_PS_AWS_NOTIFICATION_ARNS)
			return false;
		hg_buf_puts(out, hg_pseudo_info_of(e->u.pseudo)->native);
		return true;
	default:
		return false;
	}
}

/* Literal text for Fn::Sub: "${" must be written "${!". */
static void sub_text(hg_buf *out, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		hg_buf_putc(out, s[i]);
		if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			hg_buf_puts(out, "{!");
			i++;
		}
	}
}

static json_t *emit_interp(const hg_value *v)
{
	hg_buf sub = HG_BUF_INIT;
	size_t i;
	bool simple = true;
	json_t *r;

	for (i = 0; i < v->u.interp.n && simple; i++) {
		const hg_part *p = &v->u.interp.parts[i];
		if (!p->expr) {
			sub_text(&sub, p->text, p->len);
			continue;
		}
		hg_buf_puts(&sub, "${");
		simple = sub_name(p->expr, &sub);
		hg_buf_putc(&sub, '}');
	}
	if (simple) {
		r = fn1("Fn::Sub", json_stringn(sub.ptr, sub.size));
		hg_buf_dispose(&sub);
		return r;
	}
	hg_buf_dispose(&sub);
	{
		json_t *parts = json_array();
		for (i = 0; i < v->u.interp.n; i++) {
			const hg_part *p = &v->u.interp.parts[i];
			if (!p->expr)
				json_array_append_new(parts, json_stringn(p->text, p->len));
			else
				json_array_append_new(parts, emit_expr(p->expr));
		}
		return fn1("Fn::Join", arr2(str(""), parts));
	}
}

static json_t *emit_expr(const hg_expr *e)
{
	json_t *l;
	size_t i;

	switch (e->kind) {
	case HG_EX_STR:
		return json_stringn(e->u.str.s, e->u.str.len);
	case HG_EX_INT:
		return json_integer(e->u.i);
	case HG_EX_BOOL:
		return json_boolean(e->u.b);
	case HG_EX_PARAM:
		return ref(e->u.param->id);
	case HG_EX_RESOURCE:
		return ref(e->u.res.res->id);
	case HG_EX_ATTR:
		return getatt(e);
	case HG_EX_PSEUDO:
		return ref(hg_pseudo_info_of(e->u.pseudo)->native);
	case HG_EX_VALUE:
		return emit_value(e->u.value);
	case HG_EX_COND:
		l = json_array();
		json_array_append_new(l, str(e->u.op.a->u.cond->id));
		json_array_append_new(l, emit_expr(e->u.op.b));
		json_array_append_new(l, emit_expr(e->u.op.c));
		return fn1("Fn::If", l);
	case HG_EX_CALL:
		switch (e->u.call.fn) {
		case HG_FN_JOIN:
			return fn1("Fn::Join",
			        arr2(emit_expr(e->u.call.args[0]), emit_expr(e->u.call.args[1])));
		case HG_FN_SPLIT:
			return fn1("Fn::Split",
			        arr2(emit_expr(e->u.call.args[0]), emit_expr(e->u.call.args[1])));
		case HG_FN_SELECT:
			return fn1("Fn::Select",
			        arr2(emit_expr(e->u.call.args[0]), emit_expr(e->u.call.args[1])));
		case HG_FN_BASE64:
			return fn1("Fn::Base64", emit_expr(e->u.call.args[0]));
		case HG_FN_AZS:
			return fn1("Fn::GetAZs", str(""));
		case HG_FN_CIDR:
			l = json_array();
			for (i = 0; i < 3; i++)
				json_array_append_new(l, emit_expr(e->u.call.args[i]));
			return fn1("Fn::Cidr", l);
		case HG_FN_IMPORT:
			return fn1("Fn::ImportValue", emit_expr(e->u.call.args[0]));
		default:
			break;
		}
		break;
	default:
		/* Boolean operators never reach here: lower.c turned them into
		 * conditions. */
		break;
	}
	return json_null();
}

static json_t *emit_value(const hg_value *v)
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
		return json_stringn(v->u.str.s, v->u.str.len);
	case HG_V_LIST:
		o = json_array();
		for (i = 0; i < v->u.list.n; i++)
			json_array_append_new(o, emit_value(v->u.list.items[i]));
		return o;
	case HG_V_MAP:
		o = json_object();
		for (i = 0; i < v->u.map.n; i++)
			json_object_set_new(o, v->u.map.m[i].key, emit_value(v->u.map.m[i].value));
		return o;
	case HG_V_EXPR:
		return emit_expr(v->u.expr);
	case HG_V_INTERP:
		return emit_interp(v);
	}
	return json_null();
}

/* "ja / en", or whichever is present. */
static char *text_both(const hg_text *t)
{
	hg_buf b = HG_BUF_INIT;
	if (t->ja)
		hg_buf_puts(&b, t->ja);
	if (t->ja && t->en)
		hg_buf_puts(&b, " / ");
	if (t->en)
		hg_buf_puts(&b, t->en);
	return hg_buf_detach(&b);
}

static json_t *emit_param(const hg_ir_param *p)
{
	const hg_param_decl *d = p->decl;
	json_t *o = json_object();
	char buf[32];
	size_t i;

	switch (d->type) {
	case HG_P_INT:
		json_object_set_new(o, "Type", str("Number"));
		break;
	case HG_P_LIST:
		json_object_set_new(o, "Type",
		        str(d->item_type == HG_T_INT ? "List<Number>" : "CommaDelimitedList"));
		break;
	default:
		json_object_set_new(o, "Type", str("String"));
		break;
	}
	if (d->description.en || d->description.ja) {
		char *t = text_both(&d->description);
		json_object_set_new(o, "Description", str(t));
		free(t);
	}
	if (d->def) {
		if (d->type == HG_P_LIST && d->def->kind == HG_V_LIST) {
			/* List parameters take their default as one string. */
			hg_buf b = HG_BUF_INIT;
			for (i = 0; i < d->def->u.list.n; i++) {
				const hg_value *it = d->def->u.list.items[i];
				if (i)
					hg_buf_putc(&b, ',');
				if (it->kind == HG_V_INT)
					hg_buf_printf(&b, "%lld", (long long)it->u.i);
				else if (it->kind == HG_V_STR)
					hg_buf_put(&b, it->u.str.s, it->u.str.len);
			}
			json_object_set_new(o, "Default", json_stringn(b.ptr, b.size));
			hg_buf_dispose(&b);
		} else if (d->def->kind == HG_V_BOOL) {
			json_object_set_new(o, "Default", str(d->def->u.b ? "true" : "false"));
		} else if (d->def->kind == HG_V_INT) {
			snprintf(buf, sizeof(buf), "%lld", (long long)d->def->u.i);
			json_object_set_new(o, "Default", str(buf));
		} else {
			json_object_set_new(o, "Default", emit_value(d->def));
		}
	}
	if (d->type == HG_P_BOOL) {
		json_object_set_new(o, "AllowedValues", arr2(str("true"), str("false")));
	} else if (d->allowed) {
		json_t *l = json_array();
		for (i = 0; i < d->allowed->u.list.n; i++) {
			const hg_value *it = d->allowed->u.list.items[i];
			if (it->kind == HG_V_INT) {
				snprintf(buf, sizeof(buf), "%lld", (long long)it->u.i);
				json_array_append_new(l, str(buf));
			} else {
				json_array_append_new(l, emit_value(it));
			}
		}
		json_object_set_new(o, "AllowedValues", l);
	}
	if (d->pattern)
		json_object_set_new(o, "AllowedPattern", str(d->pattern));
	if (d->type != HG_P_LIST && d->has_min_len)
		json_object_set_new(o, "MinLength", json_integer(d->min_len));
	if (d->type != HG_P_LIST && d->has_max_len)
		json_object_set_new(o, "MaxLength", json_integer(d->max_len));
	if (d->has_min)
		json_object_set_new(o, "MinValue", json_integer(d->min));
	if (d->has_max)
		json_object_set_new(o, "MaxValue", json_integer(d->max));
	if (d->type == HG_P_SECURE)
		json_object_set_new(o, "NoEcho", json_true());
	return o;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The policy pair: set both, never one (cfn-lint W3011). */
static void policies(json_t *o, const hg_ir_resource *r)
{
	const char *del = r->deletion_policy, *rep = r->update_replace_policy;
	if (!del && !rep)
		return;
	if (!rep)
		rep = strcmp(del, "RetainExceptOnCreate") == 0 ? "Retain" : del;
	if (!del)
		del = rep;
	json_object_set_new(o, "DeletionPolicy", str(del));
	json_object_set_new(o, "UpdateReplacePolicy", str(rep));
}

static json_t *resource_metadata(const hg_ir_resource *r)
{
	json_t *m = r->metadata ? emit_value(r->metadata) : json_object();
	json_t *h = json_object();
	size_t i;

	json_object_set_new(h, "template", str(r->tmpl->name));
	json_object_set_new(h, "version", str(r->tmpl->version_text));
	json_object_set_new(h, "resource", str(r->path));
	if (r->mandatory)
		json_object_set_new(h, "mandatory", json_true());
	if (r->nlocks) {
		const char **keys = hg_xmalloc(r->nlocks * sizeof(*keys));
		json_t *l = json_array();
		for (i = 0; i < r->nlocks; i++)
			keys[i] = r->locks[i].path;
		qsort(keys, r->nlocks, sizeof(*keys), cmp_key);
		for (i = 0; i < r->nlocks; i++)
			json_array_append_new(l, str(keys[i]));
		free(keys);
		json_object_set_new(h, "locked", l);
	}
	if (r->decl->ncontrols) {
		json_t *l = json_array();
		for (i = 0; i < r->decl->ncontrols; i++)
			json_array_append_new(l, str(r->decl->controls[i]));
		json_object_set_new(h, "controls", l);
	}
	json_object_set_new(m, "hinagata", h);
	return m;
}

static json_t *emit_resource(const hg_ir_resource *r)
{
	json_t *o = json_object();
	size_t i;

	json_object_set_new(o, "Type", str(r->type));
	if (r->cond)
		json_object_set_new(o, "Condition", str(r->cond->id));
	if (r->ndeps) {
		const char **ids = hg_xmalloc(r->ndeps * sizeof(*ids));
		json_t *l = json_array();
		for (i = 0; i < r->ndeps; i++)
			ids[i] = r->deps[i]->id;
		qsort(ids, r->ndeps, sizeof(*ids), cmp_key);
		for (i = 0; i < r->ndeps; i++)
			if (i == 0 || strcmp(ids[i], ids[i - 1]) != 0)
				json_array_append_new(l, str(ids[i]));
		free(ids);
		json_object_set_new(o, "DependsOn", l);
	}
	if (r->props && r->props->u.map.n)
		json_object_set_new(o, "Properties", emit_value(r->props));
	policies(o, r);
	json_object_set_new(o, "Metadata", resource_metadata(r));
	return o;
}

static json_t *emit_output(const hg_ir_output *o)
{
	json_t *j = json_object();
	json_t *v;

	if (o->decl->description.en || o->decl->description.ja) {
		char *t = text_both(&o->decl->description);
		json_object_set_new(j, "Description", str(t));
		free(t);
	}
	if (o->cond)
		json_object_set_new(j, "Condition", str(o->cond->id));
	v = emit_value(o->value);
	/* Output values are strings: lists are joined with commas. */
	if (hg_value_type(o->value) == HG_T_LIST)
		v = fn1("Fn::Join", arr2(str(","), v));
	json_object_set_new(j, "Value", v);
	if (o->export_name) {
		json_t *e = json_object();
		json_object_set_new(e, "Name", emit_value(o->export_name));
		json_object_set_new(j, "Export", e);
	} else if (o->decl->export_default) {
		json_t *e = json_object();
		char *name = NULL;
		hg_buf b = HG_BUF_INIT;
		hg_buf_printf(&b, "${AWS::StackName}-%s", o->id);
		name = hg_buf_detach(&b);
		json_object_set_new(e, "Name", fn1("Fn::Sub", str(name)));
		free(name);
		json_object_set_new(j, "Export", e);
	}
	return j;
}

static json_t *template_metadata(const hg_ir *ir)
{
	json_t *h = json_object(), *uses = json_array(), *m = json_object();
	char hex[17];
	size_t i;

	json_object_set_new(h, "compiler", str("hinagata " HG_VERSION));
	json_object_set_new(h, "language", json_integer(ir->root->lang_version));
	for (i = 0; i < ir->nused; i++) {
		const hg_ir_used *u = &ir->used[i];
		json_t *e = json_object();
		if (*u->alias_path)
			json_object_set_new(e, "use", str(u->alias_path));
		json_object_set_new(e, "template", str(u->tmpl->name));
		json_object_set_new(e, "version", str(u->tmpl->version_text));
		hg_hash_hex(hex, u->tmpl->hash);
		json_object_set_new(e, "hash", str(hex));
		if (u->tmpl->mandatory)
			json_object_set_new(e, "mandatory", json_true());
		json_array_append_new(uses, e);
	}
	json_object_set_new(h, "templates", uses);
	if (ir->root->profile)
		json_object_set_new(h, "profile", str(ir->root->profile));
	json_object_set_new(h, "outputHash", str(OUTPUT_HASH_PLACEHOLDER));
	json_object_set_new(m, "hinagata", h);
	return m;
}

static void limit(hg_diags *d, const hg_ir *ir, size_t n, size_t max, const char *what)
{
	char a[32], b[32];
	hg_span s = ir->root->name_span;
	snprintf(a, sizeof(a), "%zu", n);
	snprintf(b, sizeof(b), "%zu", max);
	if (n > max)
		hg_diag_add(d, HG_D_CFN_LIMIT, &s, a, what, b, NULL);
	else if (n * 10 > max * 9)
		hg_diag_add(d, HG_D_CFN_NEAR_LIMIT, &s, a, what, b, NULL);
}

int hg_emit_cfn(hg_buf *out, const hg_ir *ir, hg_diags *d)
{
	json_t *doc = json_object(), *sec;
	size_t i, before = d->nerrors;
	char *text, *desc;
	hg_buf b = HG_BUF_INIT;
	hg_ir_param **params;
	hg_ir_cond **conds;
	hg_ir_output **outs;

	limit(d, ir, ir->nres, CFN_MAX_RESOURCES, HG_BI("resources", "リソース"));
	limit(d, ir, ir->nparams, CFN_MAX_PARAMS, HG_BI("parameters", "パラメータ"));
	limit(d, ir, ir->noutputs, CFN_MAX_OUTPUTS, HG_BI("outputs", "出力"));

	json_object_set_new(doc, "AWSTemplateFormatVersion", str("2010-09-09"));
	hg_buf_printf(&b, "%s %s", ir->root->name, ir->root->version_text);
	if (ir->root->title.en || ir->root->title.ja) {
		char *t = text_both(&ir->root->title);
		hg_buf_printf(&b, ": %s", t);
		free(t);
	}
	desc = hg_buf_detach(&b);
	if (strlen(desc) > CFN_MAX_DESCRIPTION) {
		char n[32];
		snprintf(n, sizeof(n), "%zu", strlen(desc));
		hg_diag_add(d, HG_D_CFN_DESCRIPTION, &ir->root->name_span, n, NULL);
	}
	json_object_set_new(doc, "Description", str(desc));
	free(desc);
	json_object_set_new(doc, "Metadata", template_metadata(ir));

	/* Sections sorted by logical ID; copies so the IR stays as it was. */
	params = hg_xcalloc(ir->nparams + 1, sizeof(*params));
	conds = hg_xcalloc(ir->nconds + 1, sizeof(*conds));
	outs = hg_xcalloc(ir->noutputs + 1, sizeof(*outs));
	for (i = 0; i < ir->nparams; i++)
		params[i] = ir->params[i];
	for (i = 0; i < ir->nconds; i++)
		conds[i] = ir->conds[i];
	for (i = 0; i < ir->noutputs; i++)
		outs[i] = ir->outputs[i];
#define SORT_BY_ID(arr, n, type)                                                                   \
	do {                                                                                       \
		size_t x, y;                                                                       \
		for (x = 1; x < (n); x++)                                                          \
			for (y = x; y > 0 && strcmp((arr)[y - 1]->id, (arr)[y]->id) > 0; y--) {    \
				type *t_ = (arr)[y];                                               \
				(arr)[y] = (arr)[y - 1];                                           \
				(arr)[y - 1] = t_;                                                 \
			}                                                                          \
	} while (0)
	SORT_BY_ID(params, ir->nparams, hg_ir_param);
	SORT_BY_ID(conds, ir->nconds, hg_ir_cond);
	SORT_BY_ID(outs, ir->noutputs, hg_ir_output);
#undef SORT_BY_ID
	if (ir->nparams) {
		sec = json_object();
		for (i = 0; i < ir->nparams; i++)
			json_object_set_new(sec, params[i]->id, emit_param(params[i]));
		json_object_set_new(doc, "Parameters", sec);
	}
	if (ir->nconds) {
		sec = json_object();
		for (i = 0; i < ir->nconds; i++)
			json_object_set_new(sec, conds[i]->id, emit_cond_expr(conds[i]->expr));
		json_object_set_new(doc, "Conditions", sec);
	}
	sec = json_object();
	for (i = 0; i < ir->nres; i++)
		json_object_set_new(sec, ir->res[i]->id, emit_resource(ir->res[i]));
	json_object_set_new(doc, "Resources", sec);
	if (ir->noutputs) {
		sec = json_object();
		for (i = 0; i < ir->noutputs; i++)
			json_object_set_new(sec, outs[i]->id, emit_output(outs[i]));
		json_object_set_new(doc, "Outputs", sec);
	}
	free(params);
	free(conds);
	free(outs);

	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(doc);
	if (!text)
		hg_oom();
	{
		/* Hash the document with an empty outputHash, then fill it in. */
		char *at = strstr(text, OUTPUT_HASH_PLACEHOLDER);
		char hex[17];
		hg_buf_clear(out);
		hg_buf_put(out, text, (size_t)(at - text));
		hg_buf_puts(out, at + strlen(OUTPUT_HASH_PLACEHOLDER));
		hg_buf_putc(out, '\n');
		hg_hash_hex(hex, hg_hash64(out->ptr, out->size));
		hg_buf_clear(out);
		hg_buf_put(out, text, (size_t)(at - text));
		hg_buf_puts(out, hex);
		hg_buf_puts(out, at + strlen(OUTPUT_HASH_PLACEHOLDER));
		hg_buf_putc(out, '\n');
	}
	free(text);
	if (out->size > CFN_MAX_BODY_S3) {
		char n[32], m[32];
		snprintf(n, sizeof(n), "%zu", out->size);
		snprintf(m, sizeof(m), "%d", CFN_MAX_BODY_S3);
		hg_diag_add(d, HG_D_CFN_TOO_BIG, &ir->root->name_span, n, m, NULL);
	} else if (out->size > CFN_MAX_BODY_INLINE) {
		char n[32], m[32];
		snprintf(n, sizeof(n), "%zu", out->size);
		snprintf(m, sizeof(m), "%d", CFN_MAX_BODY_INLINE);
		hg_diag_add(d, HG_D_CFN_SIZE, &ir->root->name_span, n, m, NULL);
	}
	return d->nerrors != before ? HG_EINVALID : 0;
}
