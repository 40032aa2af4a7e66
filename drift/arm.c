/*
 * arm.c: evaluating ARM template expressions (see arm.h).
 * Part of hinagata; see LICENSE.
 *
 * The expression is parsed and evaluated in one recursive descent: every
 * function's arguments are values, so no tree is needed. Numbers are jv
 * numbers (their text); arithmetic reads them as 64-bit integers, as ARM
 * does, and refuses what overflows.
 */
#define _GNU_SOURCE
#include "arm.h"

#include <ctype.h>
#include <inttypes.h>
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
static const hg_jv *fail(hg_arm_ctx *c, const char *what, const char *arg)
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
	        {"variables() needs a name", "variables() には名前が必要です"},
	        {"arithmetic on a value that is not an integer:", "整数でない値の算術です:"},
	        {"division by zero or overflow in", "ゼロ除算かオーバーフロー:"},
	        {"integer overflow in", "整数のオーバーフロー:"},
	        {"copyIndex() outside its copy loop", "copy ループの外の copyIndex() です"},
	        {"copyIndex() needs an integer offset", "copyIndex() のオフセットは整数です"},
	        {"the expression nests too deep", "式の入れ子が深すぎます"},
	        {"a copy count is not an integer from 0 to 800", "copy の回数が 0 から 800 の整数ではありません"},
	        {"copy loops make too many values (more than 100000)", "copy ループの値が多すぎます (100000 超)"},
	        {"copy loops nest too deep:", "copy ループの入れ子が深すぎます:"},
	        {"a copy loop needs a name and an input", "copy ループには name と input が必要です"}};
	const char *j = what;
	size_t i;

	if (c->why)
		return NULL;
	for (i = 0; i < sizeof(ja) / sizeof(*ja); i++)
		if (strcmp(ja[i][0], what) == 0)
			j = ja[i][1];
	c->why = hg_arena_printf(c->a, "%s%s%s\x1f%s%s%s", what, arg ? " " : "", arg ? arg : "", j,
	        arg ? " " : "", arg ? arg : "");
	return NULL;
}

static void ws(struct ex *x)
{
	while (x->p < x->end && isspace((unsigned char)*x->p))
		x->p++;
}

static const hg_jv *expr(struct ex *x);

static hg_jv *str(hg_arm_ctx *c, const char *s, size_t n)
{
	return hg_jv_string(c->a, s, n);
}

static hg_jv *integer(hg_arm_ctx *c, long long v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%lld", v);
	return hg_jv_number(c->a, num, (size_t)n);
}

/* An integer's value: a number written without fraction or exponent. */
static bool int_of(const hg_jv *v, long long *out)
{
	char buf[32], *end;

	if (!v || v->kind != HG_JV_NUM || v->n == 0 || v->n >= sizeof(buf))
		return false;
	memcpy(buf, v->u.s, v->n);
	buf[v->n] = '\0';
	*out = strtoll(buf, &end, 10);
	return *end == '\0';
}

/* string(): a string as it is, a number by its text, a bool as True/False, else compact JSON. */
static const hg_jv *as_string_value(hg_arm_ctx *c, const hg_jv *v)
{
	hg_buf b = HG_BUF_INIT;
	hg_jv *r;

	switch (v->kind) {
	case HG_JV_STR:
		return v;
	case HG_JV_NUM:
		return str(c, v->u.s, v->n);
	case HG_JV_TRUE:
		return str(c, "True", 4);
	case HG_JV_FALSE:
		return str(c, "False", 5);
	case HG_JV_NULL:
		return str(c, "", 0);
	default:
		hg_jv_canonical(&b, v);
		r = str(c, b.ptr, b.size);
		hg_buf_dispose(&b);
		return r;
	}
}

/* The ID of a resource: type "NS/B/C" with names x, y -> PREFIX/providers/NS/B/x/C/y. */
static const char *build_id(hg_arm_ctx *c, const char *prefix, const char *type,
        const char *const *names, size_t nnames)
{
	hg_buf b = HG_BUF_INIT;
	const char *seg = strchr(type, '/'), *r;
	size_t i = 0;

	if (!seg || seg == type)
		return NULL;
	hg_buf_printf(&b, "%s/providers/", prefix);
	hg_buf_put(&b, type, (size_t)(seg - type)); /* the namespace */
	while (seg) {
		const char *next = strchr(seg + 1, '/');
		size_t len = next ? (size_t)(next - seg - 1) : strlen(seg + 1);
		if (i >= nnames) {
			hg_buf_dispose(&b);
			fail(c, "a resource ID has fewer names than its type has levels:", type);
			return NULL;
		}
		hg_buf_putc(&b, '/');
		hg_buf_put(&b, seg + 1, len);
		hg_buf_printf(&b, "/%s", names[i++]);
		seg = next;
	}
	r = hg_arena_strndup(c->a, b.ptr, b.size);
	hg_buf_dispose(&b);
	return r;
}

const char *hg_arm_resource_id(hg_arm_ctx *c, const char *type, const char *name)
{
	const char *names[16], *p = name, *e, *id;
	size_t n = 0;
	hg_buf prefix = HG_BUF_INIT;

	while (*p && n < HG_ARRAY_SIZE(names)) { /* a child's name "vnet/subnet" names each level */
		e = strchr(p, '/');
		if (!e)
			e = p + strlen(p);
		names[n++] = hg_arena_strndup(c->a, p, (size_t)(e - p));
		p = *e ? e + 1 : e;
	}
	if (!c->subscription) {
		fail(c, "the subscription is not known from the exports", NULL);
		return NULL;
	}
	hg_buf_printf(&prefix, "/subscriptions/%s", c->subscription);
	if (c->resource_group)
		hg_buf_printf(&prefix, "/resourceGroups/%s", c->resource_group);
	id = build_id(c, prefix.ptr, type, names, n);
	hg_buf_dispose(&prefix);
	return id;
}

static const hg_jv *id_fn(hg_arm_ctx *c, const hg_jv *args, int scope)
{
	size_t n = args->n, first = 0, i;
	hg_buf prefix = HG_BUF_INIT;
	const char *names[16];
	const char *sub = c->subscription, *rg = c->resource_group, *type, *id;

	for (i = 0; i < n; i++)
		if (args->u.items[i]->kind != HG_JV_STR)
			return fail(c, "resourceId of a value that is not a string", NULL);
	if (scope == 2) { /* extensionResourceId(scope, type, names...) */
		if (n < 3)
			return fail(c, "extensionResourceId needs a scope, a type and names", NULL);
		hg_buf_puts(&prefix, args->u.items[0]->u.s);
		first = 1;
	} else {
		/* optional leading subscription ID and resource group: the type has a '/' */
		while (first < n && !strchr(args->u.items[first]->u.s, '/'))
			first++;
		if (scope == 0 && first == 2) {
			sub = args->u.items[0]->u.s;
			rg = args->u.items[1]->u.s;
		} else if (scope == 0 && first == 1)
			rg = args->u.items[0]->u.s;
		else if (scope == 1 && first == 1)
			sub = args->u.items[0]->u.s;
		if (!sub)
			return fail(c, "the subscription is not known from the exports", NULL);
		hg_buf_printf(&prefix, "/subscriptions/%s", sub);
		if (scope == 0) {
			if (!rg) {
				hg_buf_dispose(&prefix);
				return fail(c, "resourceId() outside a resource group", NULL);
			}
			hg_buf_printf(&prefix, "/resourceGroups/%s", rg);
		}
	}
	if (first >= n) {
		hg_buf_dispose(&prefix);
		return fail(c, "resourceId without a type", NULL);
	}
	type = args->u.items[first]->u.s;
	for (i = first + 1; i < n && i - first - 1 < HG_ARRAY_SIZE(names); i++)
		names[i - first - 1] = args->u.items[i]->u.s;
	id = build_id(c, prefix.ptr, type, names, n - first - 1);
	hg_buf_dispose(&prefix);
	if (!id)
		return c->why ? NULL : fail(c, "malformed resource type", type);
	return str(c, id, strlen(id));
}

static const hg_jv *format_fn(hg_arm_ctx *c, const hg_jv *args)
{
	const char *f = args->n ? hg_jv_str(args->u.items[0]) : NULL;
	hg_buf b = HG_BUF_INIT;
	hg_jv *r;

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
			const hg_jv *s;
			if (*end != '}' || (size_t)i + 1 >= args->n) {
				hg_buf_dispose(&b);
				return fail(c, "format() placeholder out of range", NULL);
			}
			s = as_string_value(c, args->u.items[i + 1]);
			hg_buf_put(&b, s->u.s, s->n);
			f = end + 1;
		} else
			hg_buf_putc(&b, *f++);
	}
	r = str(c, b.ptr, b.size);
	hg_buf_dispose(&b);
	return r;
}

static int truthy(const hg_jv *v)
{
	if (!v)
		return -1;
	if (v->kind == HG_JV_TRUE || v->kind == HG_JV_FALSE)
		return v->kind == HG_JV_TRUE;
	if (v->kind == HG_JV_STR)
		return strcasecmp(v->u.s, "true") == 0;
	return -1;
}

static const hg_jv *copy_array(hg_arm_ctx *c, const hg_jv *loop);

/* A variable, or the array a variable copy loop ("copy": [{name, count, input}]) makes. */
static const hg_jv *variable(hg_arm_ctx *c, const char *name)
{
	const hg_jv *vars = hg_jv_get(c->doc, "variables");
	const hg_jv *v = hg_jv_get(vars, name), *r, *loops;
	size_t i;

	loops = v ? NULL : hg_jv_get(vars, "copy");
	for (i = 0; loops && loops->kind == HG_JV_ARR && i < loops->n; i++) {
		const char *ln = hg_jv_str(hg_jv_get(loops->u.items[i], "name"));
		if (ln && strcmp(ln, name) == 0)
			return copy_array(c, loops->u.items[i]);
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

static const hg_jv *parameter(hg_arm_ctx *c, const char *name)
{
	const hg_jv *decl = hg_jv_get(hg_jv_get(c->doc, "parameters"), name);
	const hg_jv *v = c->params ? hg_jv_get(c->params, name) : NULL;
	const char *type = hg_jv_str(hg_jv_get(decl, "type"));

	if (!decl)
		return fail(c, "parameter not declared:", name);
	if (type && (strcasecmp(type, "securestring") == 0 || strcasecmp(type, "secureobject") == 0))
		return fail(c, "parameter is secure:", name);
	if (!v)
		return fail(c, "parameter has no deployed value in the exports:", name);
	return v;
}

static bool empty(const hg_jv *v)
{
	return v->kind == HG_JV_NULL ||
	       ((v->kind == HG_JV_STR || v->kind == HG_JV_ARR || v->kind == HG_JV_OBJ) && v->n == 0);
}

static const hg_jv *arith(hg_arm_ctx *c, const char *name, const hg_jv *a0, const hg_jv *a1)
{
	long long p, q, out;
	bool over;

	if (!int_of(a0, &p) || !int_of(a1, &q))
		return fail(c, "arithmetic on a value that is not an integer:", name);
	if ((strcasecmp(name, "div") == 0 || strcasecmp(name, "mod") == 0) &&
	        (q == 0 || (q == -1 && p == INT64_MIN)))
		return fail(c, "division by zero or overflow in", name);
	if (strcasecmp(name, "add") == 0)
		over = __builtin_add_overflow(p, q, &out);
	else if (strcasecmp(name, "sub") == 0)
		over = __builtin_sub_overflow(p, q, &out);
	else if (strcasecmp(name, "mul") == 0)
		over = __builtin_mul_overflow(p, q, &out);
	else {
		out = strcasecmp(name, "div") == 0 ? p / q : p % q;
		over = false;
	}
	return over ? fail(c, "integer overflow in", name) : integer(c, out);
}

static const hg_jv *call(struct ex *x, const char *name, const hg_jv *args)
{
	hg_arm_ctx *c = x->c;
	static const hg_jv none = {HG_JV_ARR, false, false, 0, 0, {NULL}};
	size_t n, i;
	const hg_jv *a0, *a1;
	hg_jv *r;

	if (!args)
		args = &none;
	n = args->n;
	a0 = n > 0 ? args->u.items[0] : NULL;
	a1 = n > 1 ? args->u.items[1] : NULL;
#define IS(s) (strcasecmp(name, s) == 0)
	if (IS("parameters"))
		return a0 && a0->kind == HG_JV_STR ? parameter(c, a0->u.s)
		                                   : fail(c, "parameters() needs a name", NULL);
	if (IS("variables"))
		return a0 && a0->kind == HG_JV_STR ? variable(c, a0->u.s)
		                                   : fail(c, "variables() needs a name", NULL);
	if (IS("concat")) {
		hg_buf b = HG_BUF_INIT;
		if (a0 && a0->kind == HG_JV_ARR) {
			r = hg_jv_array(c->a, 8);
			for (i = 0; i < n; i++) {
				size_t k;
				for (k = 0; args->u.items[i]->kind == HG_JV_ARR && k < args->u.items[i]->n; k++)
					hg_jv_push(c->a, r, args->u.items[i]->u.items[k]);
			}
			return r;
		}
		for (i = 0; i < n; i++) {
			const hg_jv *s = as_string_value(c, args->u.items[i]);
			hg_buf_put(&b, s->u.s, s->n);
		}
		r = str(c, b.ptr, b.size);
		hg_buf_dispose(&b);
		return r;
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
		const char *id;
		if (!c->subscription)
			return fail(c, "the subscription is not known from the exports", NULL);
		r = hg_jv_object(c->a, 2);
		id = hg_arena_printf(c->a, "/subscriptions/%s", c->subscription);
		hg_jv_put(c->a, r, "id", 2, str(c, id, strlen(id)));
		hg_jv_put(c->a, r, "subscriptionId", 14, str(c, c->subscription, strlen(c->subscription)));
		return r;
	}
	if (IS("resourceGroup")) {
		const char *id;
		if (!c->subscription || !c->resource_group)
			return fail(c, "the resource group is not known from the exports", NULL);
		r = hg_jv_object(c->a, 3);
		id = hg_arena_printf(c->a, "/subscriptions/%s/resourceGroups/%s", c->subscription,
		        c->resource_group);
		hg_jv_put(c->a, r, "id", 2, str(c, id, strlen(id)));
		if (c->rg_location)
			hg_jv_put(c->a, r, "location", 8, str(c, c->rg_location, strlen(c->rg_location)));
		hg_jv_put(c->a, r, "name", 4, str(c, c->resource_group, strlen(c->resource_group)));
		return r;
	}
	if ((IS("toLower") || IS("toUpper")) && a0 && a0->kind == HG_JV_STR) {
		char *s = hg_arena_strndup(c->a, a0->u.s, a0->n), *p;
		for (p = s; *p; p++)
			*p = (char)(IS("toLower") ? tolower((unsigned char)*p) : toupper((unsigned char)*p));
		r = hg_jv_new(c->a, HG_JV_STR);
		r->u.s = s;
		r->n = a0->n;
		return r;
	}
	if (IS("if") && n == 3) {
		int t = truthy(a0);
		return t < 0 ? fail(c, "if() of a value that is not a bool", NULL) : args->u.items[t ? 1 : 2];
	}
	if (IS("equals") && n == 2)
		return hg_jv_bool(c->a, hg_jv_equal(a0, a1));
	if (IS("not") && n == 1 && truthy(a0) >= 0)
		return hg_jv_bool(c->a, !truthy(a0));
	if ((IS("and") || IS("or")) && n >= 1) {
		int acc = IS("and");
		for (i = 0; i < n; i++) {
			int t = truthy(args->u.items[i]);
			if (t < 0)
				return fail(c, "and()/or() of a value that is not a bool", NULL);
			acc = IS("and") ? acc && t : acc || t;
		}
		return hg_jv_bool(c->a, acc);
	}
	if (IS("empty") && n == 1)
		return hg_jv_bool(c->a, empty(a0));
	if (IS("length") && n == 1) {
		size_t len = a0->kind == HG_JV_STR ? hg_utf8_len((const unsigned char *)a0->u.s) : a0->n;
		return integer(c, (long long)len);
	}
	if ((IS("add") || IS("sub") || IS("mul") || IS("div") || IS("mod")) && n == 2)
		return arith(c, name, a0, a1);
	if (IS("string") && n == 1)
		return as_string_value(c, a0);
	if (IS("int") && n == 1) {
		long long v;
		char buf[32], *end;
		if (int_of(a0, &v))
			return a0;
		if (a0->kind == HG_JV_STR && a0->n && a0->n < sizeof(buf)) {
			memcpy(buf, a0->u.s, a0->n);
			buf[a0->n] = '\0';
			v = strtoll(buf, &end, 10);
			if (*end == '\0')
				return integer(c, v);
		}
		return fail(c, "int() of a value that is not a number", NULL);
	}
	if (IS("bool") && n == 1 && truthy(a0) >= 0)
		return hg_jv_bool(c->a, truthy(a0));
	if (IS("createArray")) {
		r = hg_jv_array(c->a, n);
		for (i = 0; i < n; i++)
			hg_jv_push(c->a, r, args->u.items[i]);
		return r;
	}
	if (IS("createObject") && n % 2 == 0) {
		r = hg_jv_object(c->a, n / 2 + 1);
		for (i = 0; i < n; i += 2)
			if (args->u.items[i]->kind == HG_JV_STR)
				hg_jv_put(c->a, r, args->u.items[i]->u.s, args->u.items[i]->n, args->u.items[i + 1]);
		return r;
	}
	if (IS("contains") && n == 2) {
		if (a0->kind == HG_JV_STR && a1->kind == HG_JV_STR)
			return hg_jv_bool(c->a, strstr(a0->u.s, a1->u.s) != NULL);
		if (a0->kind == HG_JV_OBJ && a1->kind == HG_JV_STR)
			return hg_jv_bool(c->a, hg_jv_get(a0, a1->u.s) != NULL);
		if (a0->kind == HG_JV_ARR) {
			for (i = 0; i < a0->n; i++)
				if (hg_jv_equal(a0->u.items[i], a1))
					return hg_jv_bool(c->a, true);
			return hg_jv_bool(c->a, false);
		}
	}
	if (IS("replace") && n == 3 && a0->kind == HG_JV_STR && a1->kind == HG_JV_STR &&
	        args->u.items[2]->kind == HG_JV_STR && a1->n) {
		hg_buf b = HG_BUF_INIT;
		const char *s = a0->u.s, *hit;
		while ((hit = strstr(s, a1->u.s)) != NULL) {
			hg_buf_put(&b, s, (size_t)(hit - s));
			hg_buf_put(&b, args->u.items[2]->u.s, args->u.items[2]->n);
			s = hit + a1->n;
		}
		hg_buf_puts(&b, s);
		r = str(c, b.ptr, b.size);
		hg_buf_dispose(&b);
		return r;
	}
	if (IS("json") && a0 && a0->kind == HG_JV_STR) {
		hg_jv *v = NULL;
		return hg_jv_parse(&v, c->a, a0->u.s, a0->n, 64, NULL) == 0
		               ? v
		               : fail(c, "json() of text that is not JSON", NULL);
	}
	if (IS("coalesce")) {
		for (i = 0; i < n; i++)
			if (args->u.items[i]->kind != HG_JV_NULL)
				return args->u.items[i];
		return hg_jv_new(c->a, HG_JV_NULL);
	}
	if (IS("copyIndex") && n <= 2) {
		/* copyIndex(), copyIndex(offset), copyIndex('loop'), copyIndex('loop', offset) */
		const char *loop = a0 && a0->kind == HG_JV_STR ? a0->u.s : NULL;
		const hg_jv *off = loop ? a1 : a0;
		long long o = 0;
		int k = c->nloops - 1;
		if (loop)
			while (k >= 0 && strcasecmp(c->loops[k].name, loop) != 0)
				k--;
		if (k < 0)
			return fail(c, "copyIndex() outside its copy loop", loop);
		if (off && !int_of(off, &o))
			return fail(c, "copyIndex() needs an integer offset", NULL);
		return integer(c, c->loops[k].index + o);
	}
	if (IS("reference") && c->reference && a0 && a0->kind == HG_JV_STR && n <= 2) {
		/* a nested deployment of the template: its outputs, evaluated */
		const hg_jv *ref = c->reference(c, a0->u.s, c->ref_payload);
		if (ref || c->why)
			return ref;
	}
	if (IS("true"))
		return hg_jv_bool(c->a, true);
	if (IS("false"))
		return hg_jv_bool(c->a, false);
	if (IS("null"))
		return hg_jv_new(c->a, HG_JV_NULL);
#undef IS
	return fail(c, "not evaluated offline:", name);
}

static const hg_jv *string_lit(struct ex *x)
{
	hg_buf b = HG_BUF_INIT;
	hg_jv *r;

	for (x->p++; x->p < x->end; x->p++) {
		if (*x->p == '\'') {
			if (x->p + 1 < x->end && x->p[1] == '\'') {
				hg_buf_putc(&b, '\'');
				x->p++;
				continue;
			}
			x->p++;
			r = str(x->c, b.ptr, b.size);
			hg_buf_dispose(&b);
			return r;
		}
		hg_buf_putc(&b, *x->p);
	}
	hg_buf_dispose(&b);
	return fail(x->c, "unterminated string in an expression", NULL);
}

static const hg_jv *primary(struct ex *x)
{
	const char *start;
	char name[64];
	const hg_jv *v;
	hg_jv *args;

	ws(x);
	if (x->p >= x->end)
		return fail(x->c, "incomplete expression", NULL);
	if (*x->p == '\'')
		return string_lit(x);
	if (*x->p == '-' || isdigit((unsigned char)*x->p)) {
		start = x->p;
		if (*x->p == '-')
			x->p++;
		while (x->p < x->end && isdigit((unsigned char)*x->p))
			x->p++;
		if (x->p == start + (*start == '-'))
			return fail(x->c, "malformed expression", NULL);
		return hg_jv_number(x->c->a, start, (size_t)(x->p - start));
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
	args = hg_jv_array(x->c->a, 4);
	ws(x);
	while (x->p < x->end && *x->p != ')') {
		v = expr(x);
		if (!v)
			return NULL;
		hg_jv_push(x->c->a, args, v);
		ws(x);
		if (x->p < x->end && *x->p == ',')
			x->p++;
		else if (x->p < x->end && *x->p != ')')
			return fail(x->c, "malformed function arguments", NULL);
	}
	if (x->p >= x->end)
		return fail(x->c, "unclosed '(' in an expression", NULL);
	x->p++;
	return call(x, name, args);
}

static const hg_jv *postfix(struct ex *x)
{
	const hg_jv *v = primary(x), *k, *next;

	for (;;) {
		ws(x);
		if (!v || x->p >= x->end)
			return v;
		if (*x->p == '.') {
			const char *start = ++x->p;
			char key[128];
			while (x->p < x->end && (isalnum((unsigned char)*x->p) || *x->p == '_'))
				x->p++;
			if ((size_t)(x->p - start) >= sizeof(key))
				return fail(x->c, "property name too long", NULL);
			memcpy(key, start, (size_t)(x->p - start));
			key[x->p - start] = '\0';
			next = hg_jv_get(v, key);
			if (!next)
				return fail(x->c, "no such property:", key);
			v = next;
		} else if (*x->p == '[') {
			long long i;
			x->p++;
			k = expr(x);
			ws(x);
			if (!k || x->p >= x->end || *x->p != ']')
				return k ? fail(x->c, "unclosed '['", NULL) : NULL;
			x->p++;
			next = k->kind == HG_JV_STR ? hg_jv_get(v, k->u.s)
			       : int_of(k, &i) && v->kind == HG_JV_ARR && i >= 0 && (size_t)i < v->n
			               ? v->u.items[i]
			               : NULL;
			if (!next)
				return fail(x->c, "no such element", NULL);
			v = next;
		} else
			return v;
	}
}

/* An expression: a primary and its .property and [index] accesses. */
static const hg_jv *expr(struct ex *x)
{
	const hg_jv *v;

	if (x->depth >= MAX_NESTING)
		return fail(x->c, "the expression nests too deep", NULL);
	x->depth++;
	v = postfix(x);
	x->depth--;
	return v;
}

long hg_arm_copy_count(hg_arm_ctx *c, const hg_jv *copy)
{
	const hg_jv *cnt = hg_jv_get(copy, "count");
	const hg_jv *n = cnt ? hg_arm_resolve(c, cnt) : NULL;
	long long v;
	long count = -1;

	if (n && int_of(n, &v) && v >= 0 && v <= 800)
		count = (long)v;
	else if (n || !cnt)
		fail(c, "a copy count is not an integer from 0 to 800", NULL);
	if (count > 0 && (c->iterations += count) > HG_ARM_MAX_ITERATIONS) {
		fail(c, "copy loops make too many values (more than 100000)", NULL);
		count = -1;
	}
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
static const hg_jv *copy_array(hg_arm_ctx *c, const hg_jv *loop)
{
	const char *name = hg_jv_str(hg_jv_get(loop, "name"));
	const hg_jv *input = hg_jv_get(loop, "input"), *r;
	hg_jv *arr;
	long count, k;

	if (!name || !input)
		return fail(c, "a copy loop needs a name and an input", NULL);
	if ((count = hg_arm_copy_count(c, loop)) < 0 || !hg_arm_loop_push(c, name))
		return NULL;
	arr = hg_jv_array(c->a, (size_t)count);
	for (k = 0; k < count; k++) {
		c->loops[c->nloops - 1].index = k;
		if ((r = hg_arm_resolve(c, input)) == NULL)
			break;
		hg_jv_push(c->a, arr, r);
	}
	hg_arm_loop_pop(c);
	return k < count ? NULL : arr;
}

const hg_jv *hg_arm_resolve(hg_arm_ctx *c, const hg_jv *v)
{
	const hg_jv *r;
	hg_jv *out = NULL;
	size_t i, k;

	if (v->kind == HG_JV_STR) {
		const char *s = v->u.s;
		size_t n = v->n;
		struct ex e;
		if (n < 2 || s[0] != '[' || s[n - 1] != ']')
			return v;
		if (s[1] == '[') /* "[[" escapes a literal '[' */
			return str(c, s + 1, n - 1);
		e.c = c;
		e.p = s + 1;
		e.end = s + n - 1;
		e.depth = 0;
		r = expr(&e);
		ws(&e);
		if (r && e.p != e.end)
			return fail(c, "trailing text in an expression", NULL);
		return r;
	}
	if (v->kind == HG_JV_ARR) {
		for (i = 0; i < v->n; i++) {
			r = hg_arm_resolve(c, v->u.items[i]);
			if (!r)
				return NULL;
			if (r != v->u.items[i] && !out) {
				out = hg_jv_array(c->a, v->n);
				for (k = 0; k < i; k++)
					hg_jv_push(c->a, out, v->u.items[k]);
			}
			if (out)
				hg_jv_push(c->a, out, r);
		}
		return out ? out : v;
	}
	if (v->kind == HG_JV_OBJ) {
		bool copies = false;
		for (i = 0; i < v->n; i++)
			if (strcmp(v->u.members[i].key, "copy") == 0 && v->u.members[i].val->kind == HG_JV_ARR)
				copies = true;
		for (i = 0; i < v->n; i++) {
			const hg_jv_member *m = &v->u.members[i];
			if (copies && strcmp(m->key, "copy") == 0 && m->val->kind == HG_JV_ARR) {
				/* property iteration: each loop becomes the array it makes */
				for (k = 0; k < m->val->n; k++) {
					const hg_jv *loop = m->val->u.items[k];
					const char *name = hg_jv_str(hg_jv_get(loop, "name"));
					if (!(r = copy_array(c, loop)))
						return NULL;
					if (!out)
						out = hg_jv_object(c->a, v->n + m->val->n);
					hg_jv_put(c->a, out, name, strlen(name), r);
				}
				continue;
			}
			r = hg_arm_resolve(c, m->val);
			if (!r)
				return NULL;
			if ((r != m->val || copies) && !out) {
				out = hg_jv_object(c->a, v->n);
				for (k = 0; k < i; k++)
					if (!(copies && strcmp(v->u.members[k].key, "copy") == 0))
						hg_jv_put(c->a, out, v->u.members[k].key, v->u.members[k].klen,
						        v->u.members[k].val);
			}
			if (out)
				hg_jv_put(c->a, out, m->key, m->klen, r);
		}
		if (copies && !out)
			out = hg_jv_object(c->a, 1);
		return out ? out : v;
	}
	return v;
}
