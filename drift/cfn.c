/*
 * cfn.c: resolving CloudFormation intrinsic functions (see cfn.h).
 * Part of hinagata; see LICENSE.
 *
 * Supported: Ref (parameters, pseudo parameters, resources), Fn::GetAtt,
 * Fn::Sub (both forms), Fn::Join, Fn::Select, Fn::Split, Fn::If,
 * Fn::FindInMap, Fn::Base64, conditions (Fn::Equals, Fn::And, Fn::Or,
 * Fn::Not, Condition) and AWS::NoValue. Anything else is unresolvable.
 */
#include "cfn.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/diag.h"
#include "../common/util.h"

void hg_cfn_ctx_init(hg_cfn_ctx *c, json_t *doc)
{
	memset(c, 0, sizeof(*c));
	c->doc = doc;
	c->novalue = json_string("AWS::NoValue");
	c->cond_cache = json_object();
}

void hg_cfn_ctx_dispose(hg_cfn_ctx *c)
{
	json_decref(c->novalue);
	json_decref(c->cond_cache);
	free(c->why);
	c->why = NULL;
}

bool hg_cfn_is_novalue(const hg_cfn_ctx *c, const json_t *v)
{
	return v && v == c->novalue;
}

/*
 * Record why a value is unresolvable: fmt is bilingual (HG_BI), each part
 * with at most one %s, which becomes arg.
 */
static json_t *unresolved(hg_cfn_ctx *c, const char *fmt, const char *arg)
{
	if (!c->why) {
		hg_buf b = HG_BUF_INIT;
		const char *p = fmt, *at;
		while ((at = strstr(p, "%s")) != NULL) {
			hg_buf_put(&b, p, (size_t)(at - p));
			hg_buf_puts(&b, arg ? arg : "");
			p = at + 2;
		}
		hg_buf_puts(&b, p);
		c->why = hg_buf_detach(&b);
	}
	return NULL;
}

/* A single-key object whose key is an intrinsic function: its name, else NULL. */
static const char *intrinsic(json_t *v, json_t **arg)
{
	const char *k;
	json_t *x;

	if (!json_is_object(v) || json_object_size(v) != 1)
		return NULL;
	json_object_foreach(v, k, x) {
		if (strcmp(k, "Ref") == 0 || strcmp(k, "Condition") == 0 || strncmp(k, "Fn::", 4) == 0) {
			*arg = x;
			return k;
		}
	}
	return NULL;
}

static json_t *pseudo(hg_cfn_ctx *c, const char *name)
{
	const char *v = NULL;

	if (strcmp(name, "AWS::NoValue") == 0)
		return json_incref(c->novalue);
	if (strcmp(name, "AWS::AccountId") == 0)
		v = c->account;
	else if (strcmp(name, "AWS::Region") == 0)
		v = c->region;
	else if (strcmp(name, "AWS::Partition") == 0)
		v = c->partition;
	else if (strcmp(name, "AWS::StackName") == 0)
		v = c->stack_name;
	else if (strcmp(name, "AWS::StackId") == 0)
		v = c->stack_id;
	else if (strcmp(name, "AWS::URLSuffix") == 0 && c->partition)
		v = strcmp(c->partition, "aws-cn") == 0 ? "amazonaws.com.cn" : "amazonaws.com";
	if (!v)
		return unresolved(c, HG_BI("%s is not known from the exports", "%s はエクスポートからわかりません"), name);
	return json_string(v);
}

static json_t *param_value(hg_cfn_ctx *c, const char *name)
{
	json_t *p = json_object_get(json_object_get(c->doc, "Parameters"), name);
	json_t *v = json_object_get(c->params, name);
	const char *type = json_string_value(json_object_get(p, "Type"));

	if (!v)
		return unresolved(c, HG_BI("parameter %s has no deployed value in the exports", "パラメータ %s のデプロイ時の値がエクスポートにありません"), name);
	if (json_is_string(v) && strcmp(json_string_value(v), "****") == 0)
		return unresolved(c, HG_BI("parameter %s is NoEcho", "パラメータ %s は NoEcho です"), name);
	if (json_is_string(v) && type && (strncmp(type, "List<", 5) == 0 ||
	                                         strcmp(type, "CommaDelimitedList") == 0)) {
		json_t *arr = json_array();
		const char *s = json_string_value(v), *e;
		while (*s) {
			e = strchr(s, ',');
			if (!e)
				e = s + strlen(s);
			json_array_append_new(arr, json_stringn(s, (size_t)(e - s)));
			s = *e ? e + 1 : e;
		}
		return arr;
	}
	return json_incref(v);
}

static json_t *ref(hg_cfn_ctx *c, const char *name)
{
	const char *phys;

	if (strncmp(name, "AWS::", 5) == 0)
		return pseudo(c, name);
	if (json_object_get(json_object_get(c->doc, "Parameters"), name))
		return param_value(c, name);
	if (json_object_get(json_object_get(c->doc, "Resources"), name)) {
		phys = c->physical ? c->physical(c->payload, name) : NULL;
		if (!phys)
			return unresolved(c, HG_BI("the physical ID of %s is not in the exports", "%s の物理 ID がエクスポートにありません"), name);
		return json_string(phys);
	}
	return unresolved(c, HG_BI("Ref %s names nothing in the template", "Ref %s が指すものがテンプレートにありません"), name);
}

static json_t *getatt(hg_cfn_ctx *c, const char *logical, const char *attr)
{
	json_t *v = c->attribute ? c->attribute(c->payload, logical, attr) : NULL;

	if (!v) {
		char what[512];
		snprintf(what, sizeof(what), "%s.%s", logical, attr);
		return unresolved(c, HG_BI("attribute %s is not in the exports", "属性 %s がエクスポートにありません"), what);
	}
	return v;
}

static json_t *getatt_arg(hg_cfn_ctx *c, json_t *arg)
{
	if (json_is_string(arg)) {
		const char *s = json_string_value(arg), *dot = strchr(s, '.');
		char logical[256];
		if (!dot || (size_t)(dot - s) >= sizeof(logical))
			return unresolved(c, HG_BI("malformed Fn::GetAtt %s", "Fn::GetAtt %s の形が正しくありません"), s);
		memcpy(logical, s, (size_t)(dot - s));
		logical[dot - s] = '\0';
		return getatt(c, logical, dot + 1);
	}
	if (json_is_array(arg) && json_array_size(arg) == 2 &&
	        json_is_string(json_array_get(arg, 0))) {
		json_t *a = hg_cfn_resolve(c, json_array_get(arg, 1)), *r;
		if (!a)
			return NULL;
		if (!json_is_string(a)) {
			json_decref(a);
			return unresolved(c, HG_BI("malformed Fn::GetAtt", "Fn::GetAtt の形が正しくありません"), NULL);
		}
		r = getatt(c, json_string_value(json_array_get(arg, 0)), json_string_value(a));
		json_decref(a);
		return r;
	}
	return unresolved(c, HG_BI("malformed Fn::GetAtt", "Fn::GetAtt の形が正しくありません"), NULL);
}

static int as_text(hg_buf *out, json_t *v)
{
	char num[64];

	if (json_is_string(v))
		hg_buf_puts(out, json_string_value(v));
	else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		hg_buf_puts(out, num);
	} else if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		hg_buf_puts(out, num);
	} else if (json_is_boolean(v))
		hg_buf_puts(out, json_is_true(v) ? "true" : "false");
	else
		return -1;
	return 0;
}

static json_t *sub_name(hg_cfn_ctx *c, const char *name, json_t *vars)
{
	const char *dot;
	json_t *v = json_object_get(vars, name);

	if (v)
		return hg_cfn_resolve(c, v);
	dot = strchr(name, '.');
	if (dot && strncmp(name, "AWS::", 5) != 0) {
		char logical[256];
		if ((size_t)(dot - name) >= sizeof(logical))
			return unresolved(c, HG_BI("malformed Fn::Sub name %s", "Fn::Sub の名前 %s の形が正しくありません"), name);
		memcpy(logical, name, (size_t)(dot - name));
		logical[dot - name] = '\0';
		return getatt(c, logical, dot + 1);
	}
	return ref(c, name);
}

static json_t *sub(hg_cfn_ctx *c, json_t *arg)
{
	const char *s, *e;
	json_t *vars = NULL, *v;
	hg_buf out = HG_BUF_INIT, name = HG_BUF_INIT;

	if (json_is_array(arg) && json_array_size(arg) == 2) {
		vars = json_array_get(arg, 1);
		arg = json_array_get(arg, 0);
	}
	if (!json_is_string(arg))
		return unresolved(c, HG_BI("malformed Fn::Sub", "Fn::Sub の形が正しくありません"), NULL);
	for (s = json_string_value(arg); *s; s++) {
		if (s[0] != '$' || s[1] != '{') {
			hg_buf_putc(&out, *s);
			continue;
		}
		if (s[2] == '!') { /* ${!Literal} stays "${Literal}" */
			hg_buf_puts(&out, "${");
			s += 2;
			continue;
		}
		e = strchr(s + 2, '}');
		if (!e) {
			hg_buf_puts(&out, s);
			break;
		}
		hg_buf_clear(&name);
		hg_buf_put(&name, s + 2, (size_t)(e - s - 2));
		v = sub_name(c, name.ptr, vars);
		if (!v || as_text(&out, v) < 0) {
			if (v)
				unresolved(c, HG_BI("${%s} is not a scalar", "${%s} はスカラーではありません"), name.ptr);
			json_decref(v);
			hg_buf_dispose(&out);
			hg_buf_dispose(&name);
			return NULL;
		}
		json_decref(v);
		s = e;
	}
	v = json_stringn(out.ptr, out.size);
	hg_buf_dispose(&out);
	hg_buf_dispose(&name);
	return v;
}

static json_t *join(hg_cfn_ctx *c, json_t *arg)
{
	json_t *list, *x;
	hg_buf out = HG_BUF_INIT;
	size_t i;

	if (!json_is_array(arg) || json_array_size(arg) != 2 ||
	        !json_is_string(json_array_get(arg, 0)))
		return unresolved(c, HG_BI("malformed Fn::Join", "Fn::Join の形が正しくありません"), NULL);
	list = hg_cfn_resolve(c, json_array_get(arg, 1));
	if (!list)
		return NULL;
	if (!json_is_array(list)) {
		json_decref(list);
		return unresolved(c, HG_BI("Fn::Join of something that is not a list", "Fn::Join の対象がリストではありません"), NULL);
	}
	json_array_foreach(list, i, x) {
		if (i)
			hg_buf_puts(&out, json_string_value(json_array_get(arg, 0)));
		if (as_text(&out, x) < 0) {
			json_decref(list);
			hg_buf_dispose(&out);
			return unresolved(c, HG_BI("Fn::Join of a value that is not a scalar", "Fn::Join の要素がスカラーではありません"), NULL);
		}
	}
	json_decref(list);
	x = json_stringn(out.ptr, out.size);
	hg_buf_dispose(&out);
	return x;
}

static json_t *select_fn(hg_cfn_ctx *c, json_t *arg)
{
	json_t *idx, *list, *r;
	long long i;

	if (!json_is_array(arg) || json_array_size(arg) != 2)
		return unresolved(c, HG_BI("malformed Fn::Select", "Fn::Select の形が正しくありません"), NULL);
	idx = hg_cfn_resolve(c, json_array_get(arg, 0));
	if (!idx)
		return NULL;
	i = json_is_integer(idx) ? json_integer_value(idx)
	    : json_is_string(idx) ? strtoll(json_string_value(idx), NULL, 10)
	                          : -1;
	json_decref(idx);
	list = hg_cfn_resolve(c, json_array_get(arg, 1));
	if (!list)
		return NULL;
	if (!json_is_array(list) || i < 0 || (size_t)i >= json_array_size(list)) {
		json_decref(list);
		return unresolved(c, HG_BI("Fn::Select index out of range", "Fn::Select の添字が範囲外です"), NULL);
	}
	r = json_incref(json_array_get(list, (size_t)i));
	json_decref(list);
	return r;
}

static json_t *split(hg_cfn_ctx *c, json_t *arg)
{
	json_t *s, *arr;
	const char *p, *e, *d;
	size_t dl;

	if (!json_is_array(arg) || json_array_size(arg) != 2 ||
	        !json_is_string(json_array_get(arg, 0)))
		return unresolved(c, HG_BI("malformed Fn::Split", "Fn::Split の形が正しくありません"), NULL);
	d = json_string_value(json_array_get(arg, 0));
	dl = strlen(d);
	s = hg_cfn_resolve(c, json_array_get(arg, 1));
	if (!s)
		return NULL;
	if (!json_is_string(s) || dl == 0) {
		json_decref(s);
		return unresolved(c, HG_BI("malformed Fn::Split", "Fn::Split の形が正しくありません"), NULL);
	}
	arr = json_array();
	for (p = json_string_value(s);; p = e + dl) {
		e = strstr(p, d);
		if (!e) {
			json_array_append_new(arr, json_string(p));
			break;
		}
		json_array_append_new(arr, json_stringn(p, (size_t)(e - p)));
	}
	json_decref(s);
	return arr;
}

static json_t *find_in_map(hg_cfn_ctx *c, json_t *arg)
{
	json_t *m = json_object_get(c->doc, "Mappings"), *k, *r = NULL;
	size_t i;

	if (!json_is_array(arg) || json_array_size(arg) != 3)
		return unresolved(c, HG_BI("malformed Fn::FindInMap", "Fn::FindInMap の形が正しくありません"), NULL);
	for (i = 0; i < 3; i++) {
		k = hg_cfn_resolve(c, json_array_get(arg, i));
		if (!k)
			return NULL;
		if (!json_is_string(k)) {
			json_decref(k);
			return unresolved(c, HG_BI("malformed Fn::FindInMap", "Fn::FindInMap の形が正しくありません"), NULL);
		}
		m = json_object_get(m, json_string_value(k));
		json_decref(k);
	}
	if (m)
		r = json_incref(m);
	return r ? r : unresolved(c, HG_BI("Fn::FindInMap finds no entry", "Fn::FindInMap の項目がありません"), NULL);
}

static json_t *base64(hg_cfn_ctx *c, json_t *arg)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	json_t *s = hg_cfn_resolve(c, arg), *r;
	const unsigned char *p;
	size_t n, i;
	hg_buf out = HG_BUF_INIT;

	if (!s)
		return NULL;
	if (!json_is_string(s)) {
		json_decref(s);
		return unresolved(c, HG_BI("Fn::Base64 of something that is not a string", "Fn::Base64 の対象が文字列ではありません"), NULL);
	}
	p = (const unsigned char *)json_string_value(s);
	n = json_string_length(s);
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		hg_buf_putc(&out, tab[v >> 18 & 63]);
		hg_buf_putc(&out, tab[v >> 12 & 63]);
		hg_buf_putc(&out, i + 1 < n ? tab[v >> 6 & 63] : '=');
		hg_buf_putc(&out, i + 2 < n ? tab[v & 63] : '=');
	}
	json_decref(s);
	r = json_stringn(out.ptr, out.size);
	hg_buf_dispose(&out);
	return r;
}

/* Fn::Cidr [block, count, bits] for IPv4: count blocks of 2^bits addresses. */
static json_t *cidr(hg_cfn_ctx *c, json_t *arg)
{
	json_t *block, *cnt, *bits, *out;
	unsigned a, b, d, e, n, k;
	long long count, sz;
	uint32_t base, step;
	char text[32];

	if (!json_is_array(arg) || json_array_size(arg) != 3)
		return unresolved(c, HG_BI("malformed Fn::Cidr", "Fn::Cidr の形が正しくありません"), NULL);
	block = hg_cfn_resolve(c, json_array_get(arg, 0));
	cnt = block ? hg_cfn_resolve(c, json_array_get(arg, 1)) : NULL;
	bits = cnt ? hg_cfn_resolve(c, json_array_get(arg, 2)) : NULL;
	out = NULL;
	if (bits && json_is_string(block) &&
	        sscanf(json_string_value(block), "%u.%u.%u.%u/%u", &a, &b, &d, &e, &n) == 5 &&
	        a < 256 && b < 256 && d < 256 && e < 256 && n <= 32) {
		count = json_is_integer(cnt) ? json_integer_value(cnt)
		        : json_is_string(cnt) ? strtoll(json_string_value(cnt), NULL, 10) : -1;
		sz = json_is_integer(bits) ? json_integer_value(bits)
		     : json_is_string(bits) ? strtoll(json_string_value(bits), NULL, 10) : -1;
		if (count >= 1 && count <= 256 && sz >= 1 && sz <= 32 - (long long)n) {
			base = (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)d << 8 | e;
			base &= n ? ~(uint32_t)0 << (32 - n) : 0;
			step = sz == 32 ? 0 : (uint32_t)1 << sz;
			out = json_array();
			for (k = 0; k < (unsigned)count; k++) {
				uint32_t x = base + k * step;
				snprintf(text, sizeof(text), "%u.%u.%u.%u/%u", x >> 24, x >> 16 & 255,
				        x >> 8 & 255, x & 255, 32 - (unsigned)sz);
				json_array_append_new(out, json_string(text));
			}
		}
	}
	json_decref(block);
	json_decref(cnt);
	json_decref(bits);
	return out ? out : unresolved(c, HG_BI("Fn::Cidr of an IPv6 or malformed block", "Fn::Cidr のブロックが IPv6 か、形が正しくありません"), NULL);
}

static int truth(hg_cfn_ctx *c, json_t *v);

static bool scalar_equal(json_t *a, json_t *b)
{
	hg_buf x = HG_BUF_INIT, y = HG_BUF_INIT;
	bool eq;

	if (as_text(&x, a) < 0 || as_text(&y, b) < 0)
		eq = json_equal(a, b);
	else
		eq = x.size == y.size && memcmp(x.ptr, y.ptr, x.size) == 0;
	hg_buf_dispose(&x);
	hg_buf_dispose(&y);
	return eq;
}

static int truth(hg_cfn_ctx *c, json_t *v)
{
	json_t *arg, *x;
	const char *fn = intrinsic(v, &arg);
	size_t i;
	int t, r;

	if (json_is_boolean(v))
		return json_is_true(v);
	if (!fn) {
		unresolved(c, HG_BI("a condition that is not a condition function", "条件関数ではない条件です"), NULL);
		return -1;
	}
	if (strcmp(fn, "Condition") == 0 && json_is_string(arg))
		return hg_cfn_condition(c, json_string_value(arg));
	if (strcmp(fn, "Fn::Equals") == 0 && json_array_size(arg) == 2) {
		json_t *a = hg_cfn_resolve(c, json_array_get(arg, 0));
		json_t *b = a ? hg_cfn_resolve(c, json_array_get(arg, 1)) : NULL;
		r = a && b ? scalar_equal(a, b) : -1;
		json_decref(a);
		json_decref(b);
		return r;
	}
	if (strcmp(fn, "Fn::Not") == 0 && json_array_size(arg) == 1) {
		t = truth(c, json_array_get(arg, 0));
		return t < 0 ? -1 : !t;
	}
	if ((strcmp(fn, "Fn::And") == 0 || strcmp(fn, "Fn::Or") == 0) && json_is_array(arg)) {
		bool and = fn[4] == 'A';
		r = and ? 1 : 0;
		json_array_foreach(arg, i, x) {
			t = truth(c, x);
			if (t < 0)
				return -1;
			if (and && !t)
				r = 0;
			if (!and && t)
				r = 1;
		}
		return r;
	}
	unresolved(c, HG_BI("%s is not a condition function", "%s は条件関数ではありません"), fn);
	return -1;
}

int hg_cfn_condition(hg_cfn_ctx *c, const char *name)
{
	json_t *cached = json_object_get(c->cond_cache, name);
	json_t *def = json_object_get(json_object_get(c->doc, "Conditions"), name);
	int t;

	if (cached)
		return (int)json_integer_value(cached);
	if (!def) {
		unresolved(c, HG_BI("condition %s is not defined", "条件 %s は定義されていません"), name);
		return -1;
	}
	json_object_set_new(c->cond_cache, name, json_integer(-1)); /* cycles: undecided */
	t = truth(c, def);
	json_object_set_new(c->cond_cache, name, json_integer(t));
	return t;
}

static json_t *if_fn(hg_cfn_ctx *c, json_t *arg)
{
	int t;

	if (!json_is_array(arg) || json_array_size(arg) != 3 ||
	        !json_is_string(json_array_get(arg, 0)))
		return unresolved(c, HG_BI("malformed Fn::If", "Fn::If の形が正しくありません"), NULL);
	t = hg_cfn_condition(c, json_string_value(json_array_get(arg, 0)));
	if (t < 0)
		return NULL;
	return hg_cfn_resolve(c, json_array_get(arg, t ? 1 : 2));
}

static json_t *function(hg_cfn_ctx *c, const char *fn, json_t *arg)
{
	if (strcmp(fn, "Ref") == 0)
		return json_is_string(arg) ? ref(c, json_string_value(arg))
		                           : unresolved(c, HG_BI("malformed Ref", "Ref の形が正しくありません"), NULL);
	if (strcmp(fn, "Fn::GetAtt") == 0)
		return getatt_arg(c, arg);
	if (strcmp(fn, "Fn::Sub") == 0)
		return sub(c, arg);
	if (strcmp(fn, "Fn::Join") == 0)
		return join(c, arg);
	if (strcmp(fn, "Fn::Select") == 0)
		return select_fn(c, arg);
	if (strcmp(fn, "Fn::Split") == 0)
		return split(c, arg);
	if (strcmp(fn, "Fn::If") == 0)
		return if_fn(c, arg);
	if (strcmp(fn, "Fn::FindInMap") == 0)
		return find_in_map(c, arg);
	if (strcmp(fn, "Fn::Base64") == 0)
		return base64(c, arg);
	if (strcmp(fn, "Fn::Cidr") == 0)
		return cidr(c, arg);
	return unresolved(c, HG_BI("%s is not resolved offline", "%s はオフラインでは解決しません"), fn);
}

json_t *hg_cfn_resolve(hg_cfn_ctx *c, json_t *v)
{
	json_t *arg, *out, *x, *r;
	const char *fn = intrinsic(v, &arg), *k;
	size_t i;

	if (fn && strcmp(fn, "Condition") != 0)
		return function(c, fn, arg);
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, x) {
			r = hg_cfn_resolve(c, x);
			if (!r) {
				json_decref(out);
				return NULL;
			}
			if (r == c->novalue)
				json_decref(r);
			else
				json_array_append_new(out, r);
		}
		return out;
	}
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach(v, k, x) {
			r = hg_cfn_resolve(c, x);
			if (!r) {
				json_decref(out);
				return NULL;
			}
			if (r == c->novalue)
				json_decref(r);
			else
				json_object_set_new(out, k, r);
		}
		return out;
	}
	return json_incref(v);
}

static void sub_targets(const char *s, json_t *out)
{
	const char *e, *dot;

	for (; (s = strstr(s, "${")) != NULL; s = e) {
		e = strchr(s, '}');
		if (!e)
			return;
		dot = memchr(s, '.', (size_t)(e - s));
		if (s[2] != '!' && dot && strncmp(s + 2, "AWS::", 5) != 0)
			json_array_append_new(out, json_stringn(s + 2, (size_t)(dot - s - 2)));
	}
}

void hg_cfn_getatt_targets(json_t *v, json_t *out)
{
	json_t *arg, *x;
	const char *fn = intrinsic(v, &arg), *k;
	size_t i;

	if (fn && strcmp(fn, "Fn::GetAtt") == 0) {
		if (json_is_array(arg) && json_is_string(json_array_get(arg, 0)))
			json_array_append(out, json_array_get(arg, 0));
		else if (json_is_string(arg)) {
			const char *s = json_string_value(arg), *dot = strchr(s, '.');
			if (dot)
				json_array_append_new(out, json_stringn(s, (size_t)(dot - s)));
		}
		return;
	}
	if (fn && strcmp(fn, "Fn::Sub") == 0) {
		json_t *s = json_is_array(arg) ? json_array_get(arg, 0) : arg;
		if (json_is_string(s))
			sub_targets(json_string_value(s), out);
		if (json_is_array(arg))
			hg_cfn_getatt_targets(json_array_get(arg, 1), out);
		return;
	}
	if (json_is_array(v))
		json_array_foreach(v, i, x) hg_cfn_getatt_targets(x, out);
	else if (json_is_object(v))
		json_object_foreach(v, k, x) hg_cfn_getatt_targets(x, out);
}
