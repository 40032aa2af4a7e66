/*
 * cfn.c: resolving CloudFormation intrinsic functions (see cfn.h).
 * Part of hinagata; see LICENSE.
 *
 * Supported: Ref (parameters, pseudo parameters, resources), Fn::GetAtt,
 * Fn::Sub (both forms), Fn::Join, Fn::Select, Fn::Split, Fn::If,
 * Fn::FindInMap, Fn::Base64, Fn::Cidr (IPv4), conditions (Fn::Equals,
 * Fn::And, Fn::Or, Fn::Not, Condition) and AWS::NoValue. Anything else is
 * unresolvable. A value with no intrinsic function in it is returned as it
 * is (not copied): most of a template is literal, and copying it would be
 * most of the work.
 */
#include "cfn.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/buf.h"
#include "../common/diag.h"
#include "../common/hash.h"
#include "../common/util.h"

/* AWS::NoValue: one value, known by its address. */
static const hg_jv novalue = {HG_JV_STR, false, false, 12, 0, {"AWS::NoValue"}};

bool hg_cfn_is_novalue(const hg_jv *v)
{
	return v == &novalue;
}

void hg_cfn_ctx_init(hg_cfn_ctx *c, hg_arena *a, const hg_jv *doc)
{
	memset(c, 0, sizeof(*c));
	c->a = a;
	c->doc = doc;
	c->decl = hg_jv_get(doc, "Parameters");
	c->resources = hg_jv_get(doc, "Resources");
	c->conditions = hg_jv_get(doc, "Conditions");
	c->mappings = hg_jv_get(doc, "Mappings");
}

/*
 * Record why a value is unresolvable: fmt is bilingual (HG_BI), each part
 * with at most one %s, which becomes arg.
 */
static const hg_jv *unresolved(hg_cfn_ctx *c, const char *fmt, const char *arg)
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
		c->why = hg_arena_strndup(c->a, b.ptr, b.size);
		hg_buf_dispose(&b);
	}
	return NULL;
}

const char *hg_cfn_intrinsic(const hg_jv *v, const hg_jv **arg)
{
	const char *k;

	if (!v || v->kind != HG_JV_OBJ || v->n != 1)
		return NULL;
	k = v->u.members[0].key;
	if (k[0] != 'R' && k[0] != 'C' && k[0] != 'F')
		return NULL; /* most objects: a property's value */
	if (strcmp(k, "Ref") == 0 || strcmp(k, "Condition") == 0 || strncmp(k, "Fn::", 4) == 0) {
		*arg = v->u.members[0].val;
		return k;
	}
	return NULL;
}

static hg_jv *str(hg_cfn_ctx *c, const char *s, size_t n)
{
	return hg_jv_string(c->a, s, n);
}

static const hg_jv *pseudo(hg_cfn_ctx *c, const char *name)
{
	const char *v = NULL;

	if (strcmp(name, "AWS::NoValue") == 0)
		return &novalue;
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
	if (!v || !*v)
		return unresolved(c, HG_BI("%s is not known from the exports", "%s はエクスポートからわかりません"), name);
	return str(c, v, strlen(v));
}

static const hg_jv *param_value(hg_cfn_ctx *c, const char *name)
{
	const hg_jv *p = hg_jv_get(c->decl, name);
	const hg_jv *v = c->params ? hg_jv_get(c->params, name) : NULL;
	const char *type = hg_jv_str(hg_jv_get(p, "Type"));

	if (!v)
		return unresolved(c, HG_BI("parameter %s has no deployed value in the exports", "パラメータ %s のデプロイ時の値がエクスポートにありません"), name);
	if (v->kind == HG_JV_STR && v->n == 4 && memcmp(v->u.s, "****", 4) == 0)
		return unresolved(c, HG_BI("parameter %s is NoEcho", "パラメータ %s は NoEcho です"), name);
	if (v->kind == HG_JV_STR && type &&
	        (strncmp(type, "List<", 5) == 0 || strcmp(type, "CommaDelimitedList") == 0)) {
		hg_jv *arr = hg_jv_array(c->a, 4);
		const char *s = v->u.s, *e;
		while (*s) {
			e = strchr(s, ',');
			if (!e)
				e = s + strlen(s);
			hg_jv_push(c->a, arr, str(c, s, (size_t)(e - s)));
			s = *e ? e + 1 : e;
		}
		return arr;
	}
	return v;
}

/* Is name a resource of the template? (Templates have hundreds: an index, not a scan.) */
static bool is_resource(hg_cfn_ctx *c, const char *name)
{
	size_t i, j, mask, n = strlen(name);

	if (!c->resources || c->resources->kind != HG_JV_OBJ)
		return false;
	if (!c->rindex) {
		c->rcap = 16;
		while (c->rcap < c->resources->n * 2 + 1)
			c->rcap *= 2;
		c->rindex = hg_arena_alloc(c->a, c->rcap * sizeof(*c->rindex));
		for (i = 0; i < c->resources->n; i++) {
			const hg_jv_member *m = &c->resources->u.members[i];
			for (j = hg_hash64(m->key, m->klen) & (c->rcap - 1); c->rindex[j]; j = (j + 1) & (c->rcap - 1))
				;
			c->rindex[j] = (uint32_t)i + 1;
		}
	}
	mask = c->rcap - 1;
	for (j = hg_hash64(name, n) & mask; c->rindex[j]; j = (j + 1) & mask) {
		const hg_jv_member *m = &c->resources->u.members[c->rindex[j] - 1];
		if (m->klen == n && memcmp(m->key, name, n) == 0)
			return true;
	}
	return false;
}

static const hg_jv *ref(hg_cfn_ctx *c, const char *name)
{
	const char *phys;

	if (strncmp(name, "AWS::", 5) == 0)
		return pseudo(c, name);
	if (hg_jv_get(c->decl, name))
		return param_value(c, name);
	if (is_resource(c, name)) {
		phys = c->physical ? c->physical(c->payload, name) : NULL;
		if (!phys)
			return unresolved(c, HG_BI("the physical ID of %s is not in the exports", "%s の物理 ID がエクスポートにありません"), name);
		return str(c, phys, strlen(phys));
	}
	return unresolved(c, HG_BI("Ref %s names nothing in the template", "Ref %s が指すものがテンプレートにありません"), name);
}

static const hg_jv *getatt(hg_cfn_ctx *c, const char *logical, const char *attr)
{
	const hg_jv *v = c->attribute ? c->attribute(c->payload, logical, attr) : NULL;

	if (!v) {
		char what[512];
		snprintf(what, sizeof(what), "%s.%s", logical, attr);
		return unresolved(c, HG_BI("attribute %s is not in the exports", "属性 %s がエクスポートにありません"), what);
	}
	return v;
}

static const hg_jv *getatt_arg(hg_cfn_ctx *c, const hg_jv *arg)
{
	if (arg->kind == HG_JV_STR) {
		const char *s = arg->u.s, *dot = strchr(s, '.');
		char logical[256];
		if (!dot || (size_t)(dot - s) >= sizeof(logical))
			return unresolved(c, HG_BI("malformed Fn::GetAtt %s", "Fn::GetAtt %s の形が正しくありません"), s);
		memcpy(logical, s, (size_t)(dot - s));
		logical[dot - s] = '\0';
		return getatt(c, logical, dot + 1);
	}
	if (arg->kind == HG_JV_ARR && arg->n == 2 && arg->u.items[0]->kind == HG_JV_STR) {
		const hg_jv *a = hg_cfn_resolve(c, arg->u.items[1]);
		if (!a)
			return NULL;
		if (a->kind != HG_JV_STR)
			return unresolved(c, HG_BI("malformed Fn::GetAtt", "Fn::GetAtt の形が正しくありません"), NULL);
		return getatt(c, arg->u.items[0]->u.s, a->u.s);
	}
	return unresolved(c, HG_BI("malformed Fn::GetAtt", "Fn::GetAtt の形が正しくありません"), NULL);
}

/* A scalar's text, appended (numbers as written, booleans as words); -1 if not a scalar. */
static int as_text(hg_buf *out, const hg_jv *v)
{
	switch (v->kind) {
	case HG_JV_STR:
	case HG_JV_NUM:
		hg_buf_put(out, v->u.s, v->n);
		return 0;
	case HG_JV_TRUE:
		hg_buf_puts(out, "true");
		return 0;
	case HG_JV_FALSE:
		hg_buf_puts(out, "false");
		return 0;
	default:
		return -1;
	}
}

static const hg_jv *sub_name(hg_cfn_ctx *c, const char *name, const hg_jv *vars)
{
	const char *dot;
	const hg_jv *v = vars ? hg_jv_get(vars, name) : NULL;

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

static const hg_jv *sub(hg_cfn_ctx *c, const hg_jv *arg)
{
	const char *s, *e;
	const hg_jv *vars = NULL, *v, *r = NULL;
	hg_buf out = HG_BUF_INIT, name = HG_BUF_INIT;

	if (arg->kind == HG_JV_ARR && arg->n == 2) {
		vars = arg->u.items[1];
		arg = arg->u.items[0];
	}
	if (arg->kind != HG_JV_STR)
		return unresolved(c, HG_BI("malformed Fn::Sub", "Fn::Sub の形が正しくありません"), NULL);
	for (s = arg->u.s; *s; s++) {
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
			goto out;
		}
		s = e;
	}
	r = str(c, out.ptr, out.size);
out:
	hg_buf_dispose(&out);
	hg_buf_dispose(&name);
	return r;
}

static const hg_jv *join(hg_cfn_ctx *c, const hg_jv *arg)
{
	const hg_jv *list;
	hg_buf out = HG_BUF_INIT;
	hg_jv *r;
	size_t i;

	if (arg->kind != HG_JV_ARR || arg->n != 2 || arg->u.items[0]->kind != HG_JV_STR)
		return unresolved(c, HG_BI("malformed Fn::Join", "Fn::Join の形が正しくありません"), NULL);
	list = hg_cfn_resolve(c, arg->u.items[1]);
	if (!list)
		return NULL;
	if (list->kind != HG_JV_ARR)
		return unresolved(c, HG_BI("Fn::Join of something that is not a list", "Fn::Join の対象がリストではありません"), NULL);
	for (i = 0; i < list->n; i++) {
		if (i)
			hg_buf_put(&out, arg->u.items[0]->u.s, arg->u.items[0]->n);
		if (as_text(&out, list->u.items[i]) < 0) {
			hg_buf_dispose(&out);
			return unresolved(c, HG_BI("Fn::Join of a value that is not a scalar", "Fn::Join の要素がスカラーではありません"), NULL);
		}
	}
	r = str(c, out.ptr, out.size);
	hg_buf_dispose(&out);
	return r;
}

/* An index: an integer number or a string of digits; -1 otherwise. */
static long long index_of(const hg_jv *v)
{
	char *end;
	long long i;
	char buf[32];

	if (!v || (v->kind != HG_JV_NUM && v->kind != HG_JV_STR) || v->n == 0 || v->n >= sizeof(buf))
		return -1;
	memcpy(buf, v->u.s, v->n);
	buf[v->n] = '\0';
	i = strtoll(buf, &end, 10);
	return *end || i < 0 ? -1 : i;
}

static const hg_jv *select_fn(hg_cfn_ctx *c, const hg_jv *arg)
{
	const hg_jv *idx, *list;
	long long i;

	if (arg->kind != HG_JV_ARR || arg->n != 2)
		return unresolved(c, HG_BI("malformed Fn::Select", "Fn::Select の形が正しくありません"), NULL);
	idx = hg_cfn_resolve(c, arg->u.items[0]);
	if (!idx)
		return NULL;
	i = index_of(idx);
	list = hg_cfn_resolve(c, arg->u.items[1]);
	if (!list)
		return NULL;
	if (list->kind != HG_JV_ARR || i < 0 || (size_t)i >= list->n)
		return unresolved(c, HG_BI("Fn::Select index out of range", "Fn::Select の添字が範囲外です"), NULL);
	return list->u.items[i];
}

static const hg_jv *split(hg_cfn_ctx *c, const hg_jv *arg)
{
	const hg_jv *s;
	hg_jv *arr;
	const char *p, *e, *d;
	size_t dl;

	if (arg->kind != HG_JV_ARR || arg->n != 2 || arg->u.items[0]->kind != HG_JV_STR)
		return unresolved(c, HG_BI("malformed Fn::Split", "Fn::Split の形が正しくありません"), NULL);
	d = arg->u.items[0]->u.s;
	dl = arg->u.items[0]->n;
	s = hg_cfn_resolve(c, arg->u.items[1]);
	if (!s)
		return NULL;
	if (s->kind != HG_JV_STR || dl == 0)
		return unresolved(c, HG_BI("malformed Fn::Split", "Fn::Split の形が正しくありません"), NULL);
	arr = hg_jv_array(c->a, 4);
	for (p = s->u.s;; p = e + dl) {
		e = strstr(p, d);
		if (!e) {
			hg_jv_push(c->a, arr, str(c, p, strlen(p)));
			break;
		}
		hg_jv_push(c->a, arr, str(c, p, (size_t)(e - p)));
	}
	return arr;
}

static const hg_jv *find_in_map(hg_cfn_ctx *c, const hg_jv *arg)
{
	const hg_jv *m = c->mappings, *k;
	size_t i;

	if (arg->kind != HG_JV_ARR || arg->n != 3)
		return unresolved(c, HG_BI("malformed Fn::FindInMap", "Fn::FindInMap の形が正しくありません"), NULL);
	for (i = 0; i < 3; i++) {
		k = hg_cfn_resolve(c, arg->u.items[i]);
		if (!k)
			return NULL;
		if (k->kind != HG_JV_STR)
			return unresolved(c, HG_BI("malformed Fn::FindInMap", "Fn::FindInMap の形が正しくありません"), NULL);
		m = hg_jv_get(m, k->u.s);
	}
	return m ? m : unresolved(c, HG_BI("Fn::FindInMap finds no entry", "Fn::FindInMap の項目がありません"), NULL);
}

static const hg_jv *base64(hg_cfn_ctx *c, const hg_jv *arg)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const hg_jv *s = hg_cfn_resolve(c, arg);
	const unsigned char *p;
	size_t n, i;
	hg_buf out = HG_BUF_INIT;
	hg_jv *r;

	if (!s)
		return NULL;
	if (s->kind != HG_JV_STR)
		return unresolved(c, HG_BI("Fn::Base64 of something that is not a string", "Fn::Base64 の対象が文字列ではありません"), NULL);
	p = (const unsigned char *)s->u.s;
	n = s->n;
	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		hg_buf_putc(&out, tab[v >> 18 & 63]);
		hg_buf_putc(&out, tab[v >> 12 & 63]);
		hg_buf_putc(&out, i + 1 < n ? tab[v >> 6 & 63] : '=');
		hg_buf_putc(&out, i + 2 < n ? tab[v & 63] : '=');
	}
	r = str(c, out.ptr, out.size);
	hg_buf_dispose(&out);
	return r;
}

/* Fn::Cidr [block, count, bits] for IPv4: count blocks of 2^bits addresses. */
static const hg_jv *cidr(hg_cfn_ctx *c, const hg_jv *arg)
{
	const hg_jv *block, *cnt, *bits;
	unsigned a, b, d, e, n, k;
	long long count, sz;
	uint32_t base, step;
	char text[64];
	hg_jv *out = NULL;

	if (arg->kind != HG_JV_ARR || arg->n != 3)
		return unresolved(c, HG_BI("malformed Fn::Cidr", "Fn::Cidr の形が正しくありません"), NULL);
	block = hg_cfn_resolve(c, arg->u.items[0]);
	cnt = block ? hg_cfn_resolve(c, arg->u.items[1]) : NULL;
	bits = cnt ? hg_cfn_resolve(c, arg->u.items[2]) : NULL;
	if (bits && block->kind == HG_JV_STR && block->n < sizeof(text)) {
		memcpy(text, block->u.s, block->n);
		text[block->n] = '\0';
		if (sscanf(text, "%u.%u.%u.%u/%u", &a, &b, &d, &e, &n) == 5 && a < 256 && b < 256 &&
		        d < 256 && e < 256 && n <= 32) {
			count = index_of(cnt);
			sz = index_of(bits);
			if (count >= 1 && count <= 256 && sz >= 1 && sz <= 32 - (long long)n) {
				base = (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)d << 8 | e;
				base &= n ? ~(uint32_t)0 << (32 - n) : 0;
				step = sz == 32 ? 0 : (uint32_t)1 << sz;
				out = hg_jv_array(c->a, (size_t)count);
				for (k = 0; k < (unsigned)count; k++) {
					uint32_t x = base + k * step;
					int len = snprintf(text, sizeof(text), "%u.%u.%u.%u/%u", x >> 24,
					        x >> 16 & 255, x >> 8 & 255, x & 255, 32 - (unsigned)sz);
					hg_jv_push(c->a, out, str(c, text, (size_t)len));
				}
			}
		}
	}
	return out ? out : unresolved(c, HG_BI("Fn::Cidr of an IPv6 or malformed block", "Fn::Cidr のブロックが IPv6 か、形が正しくありません"), NULL);
}

static int truth(hg_cfn_ctx *c, const hg_jv *v);

static bool scalar_equal(const hg_jv *a, const hg_jv *b)
{
	hg_buf x = HG_BUF_INIT, y = HG_BUF_INIT;
	bool eq;

	if (as_text(&x, a) < 0 || as_text(&y, b) < 0)
		eq = hg_jv_equal(a, b);
	else
		eq = x.size == y.size && memcmp(x.ptr, y.ptr, x.size) == 0;
	hg_buf_dispose(&x);
	hg_buf_dispose(&y);
	return eq;
}

static int truth(hg_cfn_ctx *c, const hg_jv *v)
{
	const hg_jv *arg;
	const char *fn;
	size_t i;
	int t, r;

	if (v && v->kind == HG_JV_TRUE)
		return 1;
	if (v && v->kind == HG_JV_FALSE)
		return 0;
	fn = hg_cfn_intrinsic(v, &arg);
	if (!fn) {
		unresolved(c, HG_BI("a condition that is not a condition function", "条件関数ではない条件です"), NULL);
		return -1;
	}
	if (strcmp(fn, "Condition") == 0 && arg->kind == HG_JV_STR)
		return hg_cfn_condition(c, arg->u.s);
	if (strcmp(fn, "Fn::Equals") == 0 && arg->kind == HG_JV_ARR && arg->n == 2) {
		const hg_jv *a = hg_cfn_resolve(c, arg->u.items[0]);
		const hg_jv *b = a ? hg_cfn_resolve(c, arg->u.items[1]) : NULL;
		return a && b ? scalar_equal(a, b) : -1;
	}
	if (strcmp(fn, "Fn::Not") == 0 && arg->kind == HG_JV_ARR && arg->n == 1) {
		t = truth(c, arg->u.items[0]);
		return t < 0 ? -1 : !t;
	}
	if ((strcmp(fn, "Fn::And") == 0 || strcmp(fn, "Fn::Or") == 0) && arg->kind == HG_JV_ARR) {
		bool and = fn[4] == 'A';
		r = and ? 1 : 0;
		for (i = 0; i < arg->n; i++) {
			t = truth(c, arg->u.items[i]);
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
	const hg_jv *def = hg_jv_get(c->conditions, name);
	unsigned i, slot;
	int t;

	for (i = 0; i < c->nconds; i++)
		if (strcmp(c->conds[i].name, name) == 0)
			return c->conds[i].value;
	if (!def) {
		unresolved(c, HG_BI("condition %s is not defined", "条件 %s は定義されていません"), name);
		return -1;
	}
	if (c->nconds >= HG_ARRAY_SIZE(c->conds))
		return truth(c, def); /* many conditions: not remembered */
	slot = c->nconds++;
	c->conds[slot].name = name;
	c->conds[slot].value = -1; /* a cycle: undecided */
	t = truth(c, def);
	c->conds[slot].value = t;
	return t;
}

static const hg_jv *if_fn(hg_cfn_ctx *c, const hg_jv *arg)
{
	int t;

	if (arg->kind != HG_JV_ARR || arg->n != 3 || arg->u.items[0]->kind != HG_JV_STR)
		return unresolved(c, HG_BI("malformed Fn::If", "Fn::If の形が正しくありません"), NULL);
	t = hg_cfn_condition(c, arg->u.items[0]->u.s);
	if (t < 0)
		return NULL;
	return hg_cfn_resolve(c, arg->u.items[t ? 1 : 2]);
}

static const hg_jv *function(hg_cfn_ctx *c, const char *fn, const hg_jv *arg)
{
	if (strcmp(fn, "Ref") == 0)
		return arg->kind == HG_JV_STR ? ref(c, arg->u.s)
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

const hg_jv *hg_cfn_resolve(hg_cfn_ctx *c, const hg_jv *v)
{
	const hg_jv *arg, *r;
	const char *fn = hg_cfn_intrinsic(v, &arg);
	hg_jv *out = NULL;
	size_t i, k;

	if (fn && strcmp(fn, "Condition") != 0)
		return function(c, fn, arg);
	if (v->kind == HG_JV_ARR) {
		for (i = 0; i < v->n; i++) {
			r = hg_cfn_resolve(c, v->u.items[i]);
			if (!r)
				return NULL;
			if (r != v->u.items[i] && !out) { /* the first change: copy what came before */
				out = hg_jv_array(c->a, v->n);
				for (k = 0; k < i; k++)
					hg_jv_push(c->a, out, v->u.items[k]);
			}
			if (out && !hg_cfn_is_novalue(r))
				hg_jv_push(c->a, out, r);
		}
		return out ? out : v;
	}
	if (v->kind == HG_JV_OBJ) {
		for (i = 0; i < v->n; i++) {
			const hg_jv_member *m = &v->u.members[i];
			r = hg_cfn_resolve(c, m->val);
			if (!r)
				return NULL;
			if (r != m->val && !out) {
				out = hg_jv_object(c->a, v->n);
				for (k = 0; k < i; k++)
					hg_jv_put(c->a, out, v->u.members[k].key, v->u.members[k].klen,
					        v->u.members[k].val);
			}
			if (out && !hg_cfn_is_novalue(r))
				hg_jv_put(c->a, out, m->key, m->klen, r);
		}
		return out ? out : v;
	}
	return v;
}
