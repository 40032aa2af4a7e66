/*
 * arm.c: evaluating ARM template expressions (see arm.h).
 * Part of hinagata; see LICENSE.
 *
 * The expression is parsed and evaluated in one recursive descent: every
 * function's arguments are values, so no tree is needed.
 */
#define _GNU_SOURCE
#include "arm.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "../common/buf.h"
#include "../common/util.h"

struct ex {
	hg_arm_ctx *c;
	const char *p, *end;
	int depth; /* nested calls and indexes, bounded (MAX_NESTING) */
};

/* How deep an expression may nest (calls in calls): far beyond real templates. */
#define MAX_NESTING 64

/* Why a value is unresolvable, "what arg", in English and Japanese (HG_BI). */
static json_t *fail(hg_arm_ctx *c, const char *what, const char *arg)
{
	static const char *const ja[][2] = {
	        {"a resource ID has fewer names than its type has levels:", "リソース ID の名前が型の階層より少ない:"},
	        {"and()/or() of a value that is not a bool", "and()/or() の値が真偽値ではありません"},
	        {"extensionResourceId needs a scope, a type and names", "extensionResourceId にはスコープ・型・名前が必要です"},
	        {"format() needs a format string", "format() には書式文字列が必要です"},
	        {"format() placeholder out of range", "format() の置き換え番号が範囲外です"},
	        {"if() of a value that is not a bool", "if() の条件が真偽値ではありません"},
	        {"incomplete expression", "式が途中で終わっています"},
	        {"int() of a value that is not a number", "int() の値が数値ではありません"},
	        {"json() of text that is not JSON", "json() の文字列が JSON ではありません"},
	        {"malformed expression", "式の形が正しくありません"},
	        {"malformed function arguments", "関数の引数の形が正しくありません"},
	        {"malformed resource type", "リソースの型の形が正しくありません"},
	        {"no such element", "その要素はありません"},
	        {"no such property:", "そのプロパティはありません:"},
	        {"not evaluated offline:", "オフラインでは評価しません:"},
	        {"parameter has no deployed value in the exports:", "パラメータのデプロイ時の値がエクスポートにありません:"},
	        {"parameter is secure:", "パラメータはセキュアです:"},
	        {"parameter not declared:", "パラメータが宣言されていません:"},
	        {"parameters() needs a name", "parameters() には名前が必要です"},
	        {"property name too long", "プロパティ名が長すぎます"},
	        {"resourceId of a value that is not a string", "resourceId の値が文字列ではありません"},
	        {"resourceId without a type", "resourceId に型がありません"},
	        {"resourceId() outside a resource group", "リソースグループ外の resourceId() です"},
	        {"the resource group is not known from the exports", "リソースグループがエクスポートからわかりません"},
	        {"the subscription is not known from the exports", "サブスクリプションがエクスポートからわかりません"},
	        {"trailing text in an expression", "式の後ろに余分な文字があります"},
	        {"unclosed '(' in an expression", "式の '(' が閉じていません"},
	        {"unclosed '['", "'[' が閉じていません"},
	        {"unterminated string in an expression", "式の文字列が閉じていません"},
	        {"variable not defined:", "変数が定義されていません:"},
	        {"variables nest too deep:", "変数の入れ子が深すぎます:"},
	        {"variables() needs a name", "variables() には名前が必要です"}};
	const char *j = what;
	size_t i;

	if (c->why)
		return NULL;
	for (i = 0; i < sizeof(ja) / sizeof(*ja); i++)
		if (strcmp(ja[i][0], what) == 0)
			j = ja[i][1];
	{
		hg_buf b = HG_BUF_INIT;
		hg_buf_printf(&b, "%s%s%s\x1f%s%s%s", what, arg ? " " : "", arg ? arg : "", j,
		        arg ? " " : "", arg ? arg : "");
		c->why = hg_buf_detach(&b);
	}
	return NULL;
}

static void ws(struct ex *x)
{
	while (x->p < x->end && isspace((unsigned char)*x->p))
		x->p++;
}

static json_t *expr(struct ex *x);

static json_t *as_string_value(json_t *v)
{
	char num[64];
	if (json_is_string(v))
		return json_incref(v);
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return json_string(num);
	}
	if (json_is_boolean(v))
		return json_string(json_is_true(v) ? "True" : "False");
	if (json_is_null(v))
		return json_string("");
	{
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		json_t *r = json_string(t ? t : "");
		free(t);
		return r;
	}
}

/* The ID of a resource: type "NS/B/C" with names x, y -> PREFIX/providers/NS/B/x/C/y. */
static char *build_id(hg_arm_ctx *c, const char *prefix, const char *type, json_t *names)
{
	hg_buf b = HG_BUF_INIT;
	const char *seg = strchr(type, '/');
	size_t i = 0;

	if (!seg || seg == type)
		return NULL;
	hg_buf_printf(&b, "%s/providers/", prefix);
	hg_buf_put(&b, type, (size_t)(seg - type)); /* the namespace */
	while (seg) {
		const char *next = strchr(seg + 1, '/');
		size_t len = next ? (size_t)(next - seg - 1) : strlen(seg + 1);
		const char *name = json_string_value(json_array_get(names, i++));
		if (!name) {
			hg_buf_dispose(&b);
			fail(c, "a resource ID has fewer names than its type has levels:", type);
			return NULL;
		}
		hg_buf_putc(&b, '/');
		hg_buf_put(&b, seg + 1, len);
		hg_buf_printf(&b, "/%s", name);
		seg = next;
	}
	return hg_buf_detach(&b);
}

char *hg_arm_resource_id(hg_arm_ctx *c, const char *type, const char *name)
{
	json_t *names = json_array();
	const char *p = name, *e;
	hg_buf prefix = HG_BUF_INIT;
	char *id;

	while (*p) { /* a child's name "vnet/subnet" names each level */
		e = strchr(p, '/');
		if (!e)
			e = p + strlen(p);
		json_array_append_new(names, json_stringn(p, (size_t)(e - p)));
		p = *e ? e + 1 : e;
	}
	if (!c->subscription) {
		json_decref(names);
		hg_buf_dispose(&prefix);
		fail(c, "the subscription is not known from the exports", NULL);
		return NULL;
	}
	hg_buf_printf(&prefix, "/subscriptions/%s", c->subscription);
	if (c->resource_group)
		hg_buf_printf(&prefix, "/resourceGroups/%s", c->resource_group);
	id = build_id(c, prefix.ptr, type, names);
	hg_buf_dispose(&prefix);
	json_decref(names);
	return id;
}

static json_t *id_fn(hg_arm_ctx *c, json_t *args, int scope)
{
	size_t n = json_array_size(args), first = 0, i;
	hg_buf prefix = HG_BUF_INIT;
	json_t *names = json_array(), *r;
	const char *sub = c->subscription, *rg = c->resource_group, *type;
	char *id;

	for (i = 0; i < n; i++)
		if (!json_is_string(json_array_get(args, i))) {
			json_decref(names);
			return fail(c, "resourceId of a value that is not a string", NULL);
		}
	if (scope == 2) { /* extensionResourceId(scope, type, names...) */
		if (n < 3) {
			json_decref(names);
			return fail(c, "extensionResourceId needs a scope, a type and names", NULL);
		}
		hg_buf_puts(&prefix, json_string_value(json_array_get(args, 0)));
		first = 1;
	} else {
		/* optional leading subscription ID and resource group: the type has a '/' */
		while (first < n && !strchr(json_string_value(json_array_get(args, first)), '/'))
			first++;
		if (scope == 0 && first == 2) {
			sub = json_string_value(json_array_get(args, 0));
			rg = json_string_value(json_array_get(args, 1));
		} else if (scope == 0 && first == 1)
			rg = json_string_value(json_array_get(args, 0));
		else if (scope == 1 && first == 1)
			sub = json_string_value(json_array_get(args, 0));
		if (!sub) {
			json_decref(names);
			return fail(c, "the subscription is not known from the exports", NULL);
		}
		hg_buf_printf(&prefix, "/subscriptions/%s", sub);
		if (scope == 0) {
			if (!rg) {
				json_decref(names);
				hg_buf_dispose(&prefix);
				return fail(c, "resourceId() outside a resource group", NULL);
			}
			hg_buf_printf(&prefix, "/resourceGroups/%s", rg);
		}
	}
	if (first >= n) {
		json_decref(names);
		hg_buf_dispose(&prefix);
		return fail(c, "resourceId without a type", NULL);
	}
	type = json_string_value(json_array_get(args, first));
	for (i = first + 1; i < n; i++)
		json_array_append(names, json_array_get(args, i));
	id = build_id(c, prefix.ptr, type, names);
	hg_buf_dispose(&prefix);
	json_decref(names);
	if (!id)
		return fail(c, "malformed resource type", type);
	r = json_string(id);
	free(id);
	return r;
}

static json_t *format_fn(hg_arm_ctx *c, json_t *args)
{
	const char *f = json_string_value(json_array_get(args, 0));
	hg_buf b = HG_BUF_INIT;
	json_t *r;

	if (!f)
		return fail(c, "format() needs a format string", NULL);
	while (*f) {
		if (f[0] == '{' && f[1] == '{') {
			hg_buf_putc(&b, '{');
			f += 2;
		} else if (f[0] == '}' && f[1] == '}') {
			hg_buf_putc(&b, '}');
			f += 2;
		} else if (f[0] == '{' && isdigit((unsigned char)f[1])) {
			char *end;
			long i = strtol(f + 1, &end, 10);
			json_t *s;
			if (*end != '}' || (size_t)i + 1 >= json_array_size(args)) {
				hg_buf_dispose(&b);
				return fail(c, "format() placeholder out of range", NULL);
			}
			s = as_string_value(json_array_get(args, (size_t)i + 1));
			hg_buf_puts(&b, json_string_value(s));
			json_decref(s);
			f = end + 1;
		} else
			hg_buf_putc(&b, *f++);
	}
	r = json_stringn(b.ptr, b.size);
	hg_buf_dispose(&b);
	return r;
}

static int truthy(json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_string(v))
		return strcasecmp(json_string_value(v), "true") == 0;
	return -1;
}

static json_t *copy_array(hg_arm_ctx *c, json_t *loop);

/* A variable, or the array a variable copy loop ("copy": [{name, count, input}]) makes. */
static json_t *variable(hg_arm_ctx *c, const char *name)
{
	json_t *vars = json_object_get(c->doc, "variables");
	json_t *v = json_object_get(vars, name), *r, *loop;
	size_t i;

	json_array_foreach(v ? NULL : json_object_get(vars, "copy"), i, loop) {
		const char *ln = json_string_value(json_object_get(loop, "name"));
		if (ln && strcmp(ln, name) == 0)
			return copy_array(c, loop);
	}
	if (!v)
		return fail(c, "variable not defined:", name);
	if (++c->depth > 32) {
		c->depth--;
		return fail(c, "variables nest too deep:", name);
	}
	r = hg_arm_resolve(c, v);
	c->depth--;
	return r;
}

static json_t *parameter(hg_arm_ctx *c, const char *name)
{
	json_t *decl = json_object_get(json_object_get(c->doc, "parameters"), name);
	json_t *v = json_object_get(c->params, name);
	const char *type = json_string_value(json_object_get(decl, "type"));

	if (!decl)
		return fail(c, "parameter not declared:", name);
	if (type && (strcasecmp(type, "securestring") == 0 || strcasecmp(type, "secureobject") == 0))
		return fail(c, "parameter is secure:", name);
	if (!v)
		return fail(c, "parameter has no deployed value in the exports:", name);
	return json_incref(v);
}

static json_t *call(struct ex *x, const char *name, json_t *args)
{
	hg_arm_ctx *c = x->c;
	size_t n = json_array_size(args), i;
	json_t *a0 = json_array_get(args, 0), *a1 = json_array_get(args, 1), *r, *v;

#define IS(s) (strcasecmp(name, s) == 0)
	if (IS("parameters"))
		return json_is_string(a0) ? parameter(c, json_string_value(a0))
		                          : fail(c, "parameters() needs a name", NULL);
	if (IS("variables"))
		return json_is_string(a0) ? variable(c, json_string_value(a0))
		                          : fail(c, "variables() needs a name", NULL);
	if (IS("concat")) {
		if (json_is_array(a0)) {
			r = json_array();
			json_array_foreach(args, i, v) json_array_extend(r, v);
			return r;
		}
		{
			hg_buf b = HG_BUF_INIT;
			json_array_foreach(args, i, v) {
				json_t *s = as_string_value(v);
				hg_buf_puts(&b, json_string_value(s));
				json_decref(s);
			}
			r = json_stringn(b.ptr, b.size);
			hg_buf_dispose(&b);
			return r;
		}
	}
	if (IS("format"))
		return format_fn(c, args);
	if (IS("resourceId"))
		return id_fn(c, args, 0);
	if (IS("subscriptionResourceId"))
		return id_fn(c, args, 1);
	if (IS("extensionResourceId"))
		return id_fn(c, args, 2);
	if (IS("subscription")) {
		if (!c->subscription)
			return fail(c, "the subscription is not known from the exports", NULL);
		r = json_pack("{s:s, s:s}", "subscriptionId", c->subscription, "id", "");
		json_object_set_new(r, "id", json_sprintf("/subscriptions/%s", c->subscription));
		return r;
	}
	if (IS("resourceGroup")) {
		if (!c->subscription || !c->resource_group)
			return fail(c, "the resource group is not known from the exports", NULL);
		r = json_pack("{s:s}", "name", c->resource_group);
		json_object_set_new(r, "id", json_sprintf("/subscriptions/%s/resourceGroups/%s",
		                                     c->subscription, c->resource_group));
		if (c->rg_location)
			json_object_set_new(r, "location", json_string(c->rg_location));
		return r;
	}
	if ((IS("toLower") || IS("toUpper")) && json_is_string(a0)) {
		char *s = hg_xstrdup(json_string_value(a0)), *p;
		for (p = s; *p; p++)
			*p = (char)(IS("toLower") ? tolower((unsigned char)*p) : toupper((unsigned char)*p));
		r = json_string(s);
		free(s);
		return r;
	}
	if (IS("if") && n == 3) {
		int t = truthy(a0);
		return t < 0 ? fail(c, "if() of a value that is not a bool", NULL)
		             : json_incref(json_array_get(args, t ? 1 : 2));
	}
	if (IS("equals") && n == 2)
		return json_boolean(json_equal(a0, a1));
	if (IS("not") && n == 1 && truthy(a0) >= 0)
		return json_boolean(!truthy(a0));
	if ((IS("and") || IS("or")) && n >= 1) {
		int acc = IS("and");
		json_array_foreach(args, i, v) {
			int t = truthy(v);
			if (t < 0)
				return fail(c, "and()/or() of a value that is not a bool", NULL);
			acc = IS("and") ? acc && t : acc || t;
		}
		return json_boolean(acc);
	}
	if (IS("empty") && n == 1)
		return json_boolean(json_is_null(a0) || (json_is_string(a0) && !json_string_length(a0)) ||
		                    (json_is_array(a0) && !json_array_size(a0)) ||
		                    (json_is_object(a0) && !json_object_size(a0)));
	if (IS("length") && n == 1)
		return json_integer((json_int_t)(json_is_string(a0)  ? json_string_length(a0)
		                                 : json_is_array(a0) ? json_array_size(a0)
		                                                     : json_object_size(a0)));
	if ((IS("add") || IS("sub") || IS("mul") || IS("div") || IS("mod")) && n == 2) {
		json_int_t p, q, out;
		bool over;
		if (!json_is_integer(a0) || !json_is_integer(a1))
			return fail(c, "arithmetic on a value that is not an integer:", name);
		p = json_integer_value(a0);
		q = json_integer_value(a1);
		if ((IS("div") || IS("mod")) && (q == 0 || (q == -1 && p == INT64_MIN)))
			return fail(c, "division by zero or overflow in", name);
		over = IS("add")   ? __builtin_add_overflow(p, q, &out)
		       : IS("sub") ? __builtin_sub_overflow(p, q, &out)
		       : IS("mul") ? __builtin_mul_overflow(p, q, &out)
		                   : ((out = IS("div") ? p / q : p % q), false);
		return over ? fail(c, "integer overflow in", name) : json_integer(out);
	}
	if (IS("string") && n == 1)
		return as_string_value(a0);
	if (IS("int") && n == 1)
		return json_is_integer(a0) ? json_incref(a0)
		       : json_is_string(a0) ? json_integer(strtoll(json_string_value(a0), NULL, 10))
		                            : fail(c, "int() of a value that is not a number", NULL);
	if (IS("bool") && n == 1 && truthy(a0) >= 0)
		return json_boolean(truthy(a0));
	if (IS("createArray"))
		return json_copy(args);
	if (IS("createObject") && n % 2 == 0) {
		r = json_object();
		for (i = 0; i < n; i += 2)
			if (json_is_string(json_array_get(args, i)))
				json_object_set(r, json_string_value(json_array_get(args, i)),
				        json_array_get(args, i + 1));
		return r;
	}
	if (IS("contains") && n == 2) {
		if (json_is_string(a0) && json_is_string(a1))
			return json_boolean(strstr(json_string_value(a0), json_string_value(a1)) != NULL);
		if (json_is_object(a0) && json_is_string(a1))
			return json_boolean(json_object_get(a0, json_string_value(a1)) != NULL);
		if (json_is_array(a0)) {
			json_array_foreach(a0, i, v) if (json_equal(v, a1)) return json_true();
			return json_false();
		}
	}
	if (IS("replace") && n == 3 && json_is_string(a0) && json_is_string(a1) &&
	        json_is_string(json_array_get(args, 2)) && json_string_length(a1)) {
		hg_buf b = HG_BUF_INIT;
		const char *s = json_string_value(a0), *hit;
		size_t fl = json_string_length(a1);
		while ((hit = strstr(s, json_string_value(a1))) != NULL) {
			hg_buf_put(&b, s, (size_t)(hit - s));
			hg_buf_puts(&b, json_string_value(json_array_get(args, 2)));
			s = hit + fl;
		}
		hg_buf_puts(&b, s);
		r = json_stringn(b.ptr, b.size);
		hg_buf_dispose(&b);
		return r;
	}
	if (IS("json") && json_is_string(a0)) {
		r = json_loads(json_string_value(a0), JSON_DECODE_ANY, NULL);
		return r ? r : fail(c, "json() of text that is not JSON", NULL);
	}
	if (IS("coalesce")) {
		json_array_foreach(args, i, v) if (!json_is_null(v)) return json_incref(v);
		return json_null();
	}
	if (IS("copyIndex") && n <= 2) {
		/* copyIndex(), copyIndex(offset), copyIndex('loop'), copyIndex('loop', offset) */
		const char *loop = json_is_string(a0) ? json_string_value(a0) : NULL;
		json_t *off = loop ? a1 : a0;
		int k = c->nloops - 1;
		if (loop)
			while (k >= 0 && strcasecmp(c->loops[k].name, loop) != 0)
				k--;
		if (k < 0)
			return fail(c, "copyIndex() outside its copy loop", loop);
		if (off && !json_is_integer(off))
			return fail(c, "copyIndex() needs an integer offset", NULL);
		return json_integer(c->loops[k].index + (off ? json_integer_value(off) : 0));
	}
	if (IS("true"))
		return json_true();
	if (IS("false"))
		return json_false();
	if (IS("null"))
		return json_null();
#undef IS
	return fail(c, "not evaluated offline:", name);
}

static json_t *string_lit(struct ex *x)
{
	hg_buf b = HG_BUF_INIT;
	json_t *r;

	for (x->p++; x->p < x->end; x->p++) {
		if (*x->p == '\'') {
			if (x->p + 1 < x->end && x->p[1] == '\'') {
				hg_buf_putc(&b, '\'');
				x->p++;
				continue;
			}
			x->p++;
			r = json_stringn(b.ptr, b.size);
			hg_buf_dispose(&b);
			return r;
		}
		hg_buf_putc(&b, *x->p);
	}
	hg_buf_dispose(&b);
	return fail(x->c, "unterminated string in an expression", NULL);
}

static json_t *primary(struct ex *x)
{
	const char *start;
	char name[64];
	json_t *args, *v;

	ws(x);
	if (x->p >= x->end)
		return fail(x->c, "incomplete expression", NULL);
	if (*x->p == '\'')
		return string_lit(x);
	if (*x->p == '-' || isdigit((unsigned char)*x->p)) {
		char *end;
		long long n = strtoll(x->p, &end, 10);
		x->p = end;
		return json_integer(n);
	}
	start = x->p;
	while (x->p < x->end && (isalnum((unsigned char)*x->p) || *x->p == '_'))
		x->p++;
	if (x->p == start || (size_t)(x->p - start) >= sizeof(name))
		return fail(x->c, "malformed expression", NULL);
	memcpy(name, start, (size_t)(x->p - start));
	name[x->p - start] = '\0';
	ws(x);
	if (x->p >= x->end || *x->p != '(')
		return call(x, name, NULL);
	x->p++;
	args = json_array();
	ws(x);
	while (x->p < x->end && *x->p != ')') {
		v = expr(x);
		if (!v) {
			json_decref(args);
			return NULL;
		}
		json_array_append_new(args, v);
		ws(x);
		if (x->p < x->end && *x->p == ',')
			x->p++;
		else if (x->p < x->end && *x->p != ')') {
			json_decref(args);
			return fail(x->c, "malformed function arguments", NULL);
		}
	}
	if (x->p >= x->end) {
		json_decref(args);
		return fail(x->c, "unclosed '(' in an expression", NULL);
	}
	x->p++;
	v = call(x, name, args);
	json_decref(args);
	return v;
}

static json_t *postfix(struct ex *x)
{
	json_t *v = primary(x), *k, *next;

	for (;;) {
		ws(x);
		if (!v || x->p >= x->end)
			return v;
		if (*x->p == '.') {
			const char *start = ++x->p;
			char key[128];
			while (x->p < x->end && (isalnum((unsigned char)*x->p) || *x->p == '_'))
				x->p++;
			if ((size_t)(x->p - start) >= sizeof(key)) {
				json_decref(v);
				return fail(x->c, "property name too long", NULL);
			}
			memcpy(key, start, (size_t)(x->p - start));
			key[x->p - start] = '\0';
			next = json_object_get(v, key);
			if (!next) {
				json_decref(v);
				return fail(x->c, "no such property:", key);
			}
			json_incref(next);
			json_decref(v);
			v = next;
		} else if (*x->p == '[') {
			x->p++;
			k = expr(x);
			ws(x);
			if (!k || x->p >= x->end || *x->p != ']') {
				json_decref(k);
				json_decref(v);
				return k ? fail(x->c, "unclosed '['", NULL) : NULL;
			}
			x->p++;
			next = json_is_string(k)    ? json_object_get(v, json_string_value(k))
			       : json_is_integer(k) ? json_array_get(v, (size_t)json_integer_value(k))
			                            : NULL;
			json_decref(k);
			if (!next) {
				json_decref(v);
				return fail(x->c, "no such element", NULL);
			}
			json_incref(next);
			json_decref(v);
			v = next;
		} else
			return v;
	}
}

/* An expression: a primary and its .property and [index] accesses. */
static json_t *expr(struct ex *x)
{
	json_t *v;

	if (x->depth >= MAX_NESTING)
		return fail(x->c, "the expression nests too deep", NULL);
	x->depth++;
	v = postfix(x);
	x->depth--;
	return v;
}

long hg_arm_copy_count(hg_arm_ctx *c, json_t *copy)
{
	json_t *n = hg_arm_resolve(c, json_object_get(copy, "count"));
	long count = -1;

	if (n && json_is_integer(n) && json_integer_value(n) >= 0 && json_integer_value(n) <= 800)
		count = (long)json_integer_value(n);
	else if (n)
		fail(c, "a copy count is not an integer from 0 to 800", NULL);
	if (count > 0 && (c->iterations += count) > HG_ARM_MAX_ITERATIONS) {
		fail(c, "copy loops make too many values (more than 100000)", NULL);
		count = -1;
	}
	json_decref(n);
	return count;
}

bool hg_arm_loop_push(hg_arm_ctx *c, const char *name)
{
	if (c->nloops >= (int)(sizeof(c->loops) / sizeof(*c->loops))) {
		fail(c, "copy loops nest too deep:", name);
		return false;
	}
	c->loops[c->nloops].name = name;
	c->loops[c->nloops].index = 0;
	c->nloops++;
	return true;
}

void hg_arm_loop_pop(hg_arm_ctx *c)
{
	c->nloops--;
}

/* The array one loop {name, count, input} of a "copy" list makes, or NULL. */
static json_t *copy_array(hg_arm_ctx *c, json_t *loop)
{
	const char *name = json_string_value(json_object_get(loop, "name"));
	json_t *arr, *r;
	long count, k;

	if (!name || !json_object_get(loop, "input"))
		return fail(c, "a copy loop needs a name and an input", NULL);
	if ((count = hg_arm_copy_count(c, loop)) < 0 || !hg_arm_loop_push(c, name))
		return NULL;
	arr = json_array();
	for (k = 0; k < count; k++) {
		c->loops[c->nloops - 1].index = k;
		if ((r = hg_arm_resolve(c, json_object_get(loop, "input"))) == NULL)
			break;
		json_array_append_new(arr, r);
	}
	hg_arm_loop_pop(c);
	if (k < count) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* The arrays of "copy": [{name, count, input}...] into out[name]; false when one cannot be built. */
static bool copies(hg_arm_ctx *c, json_t *list, json_t *out)
{
	json_t *loop, *arr;
	size_t i;

	json_array_foreach(list, i, loop) {
		if ((arr = copy_array(c, loop)) == NULL)
			return false;
		json_object_set_new(out, json_string_value(json_object_get(loop, "name")), arr);
	}
	return true;
}

json_t *hg_arm_resolve(hg_arm_ctx *c, json_t *v)
{
	const char *k;
	json_t *x, *r, *out;
	size_t i;

	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		struct ex e;
		if (n < 2 || s[0] != '[' || s[n - 1] != ']')
			return json_incref(v);
		if (s[1] == '[') /* "[[" escapes a literal '[' */
			return json_string(s + 1);
		e.c = c;
		e.p = s + 1;
		e.end = s + n - 1;
		e.depth = 0;
		r = expr(&e);
		ws(&e);
		if (r && e.p != e.end) {
			json_decref(r);
			return fail(c, "trailing text in an expression", NULL);
		}
		return r;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, x) {
			r = hg_arm_resolve(c, x);
			if (!r) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, r);
		}
		return out;
	}
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach(v, k, x) {
			if (strcmp(k, "copy") == 0 && json_is_array(x)) { /* property iteration */
				if (!copies(c, x, out)) {
					json_decref(out);
					return NULL;
				}
				continue;
			}
			r = hg_arm_resolve(c, x);
			if (!r) {
				json_decref(out);
				return NULL;
			}
			json_object_set_new(out, k, r);
		}
		return out;
	}
	return json_incref(v);
}
