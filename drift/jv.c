/*
 * jv.c: the drift engine's JSON values: parser, canonical form, hashing.
 * Part of hinagata; see LICENSE.
 *
 * The parser is recursive descent over a byte range, bounded by max_depth.
 * Strings without escapes are copied with one memcpy after a memchr-style
 * scan; escapes (including \u surrogate pairs) are decoded to UTF-8. The
 * canonical form follows common/jsontext.h: sorted keys, no whitespace,
 * numbers as written (the text of a number is its identity here, so 1.0
 * and 1 differ; canon.c folds them where the cloud does).
 */
#include "jv.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <stdlib.h>
#include <string.h>

#include "../common/hash.h"
#include "../common/jsontext.h"

/* Validation builds nothing: every value is this one. */
static hg_jv validated;

struct parser {
	hg_arena *a; /* NULL: only validate (nothing is built) */
	const char *p, *end, *start;
	unsigned depth, max_depth;
	hg_jv_error *err;
	/* validation may note where top-level members' values are */
	const char *const *keys;
	size_t nkeys;
	const char **vals;
	size_t *vlens;
};

static int fail(struct parser *ps, const char *what, bool truncated)
{
	if (ps->err) {
		ps->err->offset = (size_t)(ps->p - ps->start);
		ps->err->what = what;
		ps->err->truncated = truncated;
	}
	return -1;
}

static void ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	        (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

hg_jv *hg_jv_new(hg_arena *a, hg_jv_kind kind)
{
	hg_jv *v = HG_ANEW(a, hg_jv);
	v->kind = kind;
	return v;
}

hg_jv *hg_jv_string(hg_arena *a, const char *s, size_t n)
{
	hg_jv *v = hg_jv_new(a, HG_JV_STR);
	v->u.s = hg_arena_strndup(a, s, n);
	v->n = n;
	return v;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(hg_buf *b, unsigned cp)
{
	if (cp < 0x80) {
		hg_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		hg_buf_putc(b, (char)(0xC0 | (cp >> 6)));
		hg_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		hg_buf_putc(b, (char)(0xE0 | (cp >> 12)));
		hg_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		hg_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		hg_buf_putc(b, (char)(0xF0 | (cp >> 18)));
		hg_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		hg_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		hg_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* A string at ps->p (after the opening quote). Sets *s, *n (arena). */
/* The first byte in [p, end) that is '"', '\\' or a control character, or end. */
static const char *plain_run(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs)),
		        _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
		int m = _mm_movemask_epi8(hit);
		if (m)
			return p + __builtin_ctz((unsigned)m);
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
		p++;
	return p;
}

static int string(struct parser *ps, const char **s, size_t *n)
{
	const char *q = ps->p;
	hg_buf b = HG_BUF_INIT;

	/* Fast path: no escapes before the closing quote. */
	q = plain_run(q, ps->end);
	if (q < ps->end && *q == '"') {
		*s = ps->a ? hg_arena_strndup(ps->a, ps->p, (size_t)(q - ps->p)) : NULL;
		*n = (size_t)(q - ps->p);
		ps->p = q + 1;
		return 0;
	}
	hg_buf_put(&b, ps->p, (size_t)(q - ps->p));
	ps->p = q;
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20) {
			hg_buf_dispose(&b);
			return fail(ps, "control character in a string", false);
		}
		if (c != '\\') { /* a run of plain bytes at once */
			const char *r = plain_run(ps->p + 1, ps->end);
			if (ps->a)
				hg_buf_put(&b, ps->p, (size_t)(r - ps->p));
			ps->p = r;
			continue;
		}
		if (ps->end - ps->p < 2) {
			hg_buf_dispose(&b);
			ps->p = ps->end;
			return fail(ps, "a string", true);
		}
		switch (ps->p[1]) {
		case '"':
		case '\\':
		case '/':
			hg_buf_putc(&b, ps->p[1]);
			break;
		case 'b':
			hg_buf_putc(&b, '\b');
			break;
		case 'f':
			hg_buf_putc(&b, '\f');
			break;
		case 'n':
			hg_buf_putc(&b, '\n');
			break;
		case 'r':
			hg_buf_putc(&b, '\r');
			break;
		case 't':
			hg_buf_putc(&b, '\t');
			break;
		case 'u': {
			unsigned cp, lo;
			if (ps->end - ps->p < 6 || hex4(ps->p + 2, &cp) < 0) {
				hg_buf_dispose(&b);
				return fail(ps, "bad \\u escape", ps->end - ps->p < 6);
			}
			ps->p += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
			        ps->p[1] == 'u' && hex4(ps->p + 2, &lo) == 0 && lo >= 0xDC00 &&
			        lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				ps->p += 6;
			} else if (cp >= 0xD800 && cp <= 0xDFFF) {
				cp = 0xFFFD; /* a lone surrogate */
			}
			put_utf8(&b, cp);
			continue;
		}
		default:
			hg_buf_dispose(&b);
			return fail(ps, "bad escape in a string", false);
		}
		ps->p += 2;
	}
	if (ps->p >= ps->end) {
		hg_buf_dispose(&b);
		return fail(ps, "a string", true);
	}
	ps->p++;
	*s = ps->a ? hg_arena_strndup(ps->a, b.ptr, b.size) : NULL;
	*n = b.size;
	hg_buf_dispose(&b);
	return 0;
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static int number(struct parser *ps, hg_jv **out)
{
	const char *s = ps->p;
	hg_jv *v;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end)
		return fail(ps, "a number", true);
	if (*ps->p == '0')
		ps->p++;
	else if (digit(*ps->p))
		while (ps->p < ps->end && digit(*ps->p))
			ps->p++;
	else
		return fail(ps, "expected a value", false);
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || !digit(*ps->p))
			return fail(ps, "bad number", ps->p >= ps->end);
		while (ps->p < ps->end && digit(*ps->p))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || !digit(*ps->p))
			return fail(ps, "bad number", ps->p >= ps->end);
		while (ps->p < ps->end && digit(*ps->p))
			ps->p++;
	}
	if (!ps->a) {
		*out = &validated;
		return 0;
	}
	v = hg_jv_new(ps->a, HG_JV_NUM);
	v->u.s = hg_arena_strndup(ps->a, s, (size_t)(ps->p - s));
	v->n = (size_t)(ps->p - s);
	*out = v;
	return 0;
}

static int literal(struct parser *ps, const char *word, hg_jv_kind kind, hg_jv **out)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n)
		return fail(ps, "a literal", memcmp(ps->p, word, (size_t)(ps->end - ps->p)) == 0);
	if (memcmp(ps->p, word, n) != 0)
		return fail(ps, "expected a value", false);
	ps->p += n;
	*out = ps->a ? hg_jv_new(ps->a, kind) : &validated;
	return 0;
}

static int value(struct parser *ps, hg_jv **out);

static hg_jv *node(struct parser *ps, hg_jv_kind kind)
{
	return ps->a ? hg_jv_new(ps->a, kind) : &validated;
}

/* Arrays and objects collect children in a growing array, then copy it. */
static int array(struct parser *ps, hg_jv **out)
{
	hg_jv **items = NULL, *v;
	size_t n = 0, cap = 0;

	ps->p++;
	ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		*out = node(ps, HG_JV_ARR);
		return 0;
	}
	for (;;) {
		hg_jv *item;
		if (value(ps, &item) < 0) {
			free(items);
			return -1;
		}
		if (ps->a) {
			HG_GROW(items, cap, n + 1);
			items[n++] = item;
		}
		ws(ps);
		if (ps->p >= ps->end) {
			free(items);
			return fail(ps, "an array", true);
		}
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		free(items);
		return fail(ps, "expected ',' or ']'", false);
	}
	if (!ps->a) {
		*out = &validated;
		return 0;
	}
	v = hg_jv_new(ps->a, HG_JV_ARR);
	v->n = n;
	v->u.items = HG_ANEWN(ps->a, hg_jv *, n);
	memcpy(v->u.items, items, n * sizeof(*items));
	free(items);
	*out = v;
	return 0;
}

static int object(struct parser *ps, hg_jv **out)
{
	hg_jv_member *m = NULL;
	size_t n = 0, cap = 0, *wantlen = NULL;
	const char **want = NULL, *vstart;
	hg_jv *v;

	ps->p++;
	ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		*out = node(ps, HG_JV_OBJ);
		return 0;
	}
	for (;;) {
		const char *k;
		size_t kl;
		hg_jv *val;
		ws(ps);
		if (ps->p >= ps->end) {
			free(m);
			return fail(ps, "an object", true);
		}
		if (*ps->p != '"') {
			free(m);
			return fail(ps, "expected a key", false);
		}
		ps->p++;
		{
			const char *kstart = ps->p;
			if (string(ps, &k, &kl) < 0) {
				free(m);
				return -1;
			}
			want = NULL;
			if (ps->keys && ps->depth == 1) {
				size_t i, len = (size_t)(ps->p - 1 - kstart);
				for (i = 0; i < ps->nkeys; i++)
					if (!ps->vals[i] && strlen(ps->keys[i]) == len &&
					        memcmp(ps->keys[i], kstart, len) == 0)
						want = &ps->vals[i], wantlen = &ps->vlens[i];
			}
		}
		ws(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			free(m);
			return fail(ps, ps->p >= ps->end ? "an object" : "expected ':'", ps->p >= ps->end);
		}
		ps->p++;
		ws(ps);
		vstart = ps->p;
		if (value(ps, &val) < 0) {
			free(m);
			return -1;
		}
		if (want) {
			*want = vstart;
			*wantlen = (size_t)(ps->p - vstart);
		}
		if (ps->a) {
			HG_GROW(m, cap, n + 1);
			m[n].key = k;
			m[n].klen = kl;
			m[n++].val = val;
		}
		ws(ps);
		if (ps->p >= ps->end) {
			free(m);
			return fail(ps, "an object", true);
		}
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == '}') {
			ps->p++;
			break;
		}
		free(m);
		return fail(ps, "expected ',' or '}'", false);
	}
	if (!ps->a) {
		*out = &validated;
		return 0;
	}
	v = hg_jv_new(ps->a, HG_JV_OBJ);
	v->n = n;
	v->u.members = HG_ANEWN(ps->a, hg_jv_member, n);
	memcpy(v->u.members, m, n * sizeof(*m));
	free(m);
	*out = v;
	return 0;
}

static int value(struct parser *ps, hg_jv **out)
{
	int rc;

	ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "a value", true);
	switch (*ps->p) {
	case '{':
	case '[':
		if (++ps->depth > ps->max_depth)
			return fail(ps, "nested too deeply", false);
		rc = *ps->p == '{' ? object(ps, out) : array(ps, out);
		ps->depth--;
		return rc;
	case '"': {
		const char *s;
		size_t n;
		ps->p++;
		if (string(ps, &s, &n) < 0)
			return -1;
		if (!ps->a) {
			*out = &validated;
			return 0;
		}
		*out = hg_jv_new(ps->a, HG_JV_STR);
		(*out)->u.s = s;
		(*out)->n = n;
		return 0;
	}
	case 't':
		return literal(ps, "true", HG_JV_TRUE, out);
	case 'f':
		return literal(ps, "false", HG_JV_FALSE, out);
	case 'n':
		return literal(ps, "null", HG_JV_NULL, out);
	default:
		return number(ps, out);
	}
}

static int run_parser(struct parser *ps, hg_jv **out);

int hg_jv_parse(hg_jv **out, hg_arena *a, const char *text, size_t len, unsigned max_depth,
        hg_jv_error *err)
{
	struct parser ps;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.a = a;
	ps.p = ps.start = text;
	ps.end = text + len;
	ps.max_depth = max_depth;
	ps.err = err;
	return run_parser(&ps, out);
}

static int run_parser(struct parser *ps, hg_jv **out)
{
	if (value(ps, out) < 0)
		return -1;
	ws(ps);
	if (ps->p != ps->end)
		return fail(ps, "unexpected data after the value", false);
	return 0;
}

int hg_jv_validate(const char *text, size_t len, unsigned max_depth, hg_jv_error *err,
        const char *const *keys, size_t nkeys, const char **vals, size_t *vlens)
{
	struct parser ps;
	hg_jv *out;

	memset(&ps, 0, sizeof(ps));
	ps.p = ps.start = text;
	ps.end = text + len;
	ps.max_depth = max_depth;
	ps.err = err;
	ps.keys = keys;
	ps.nkeys = nkeys;
	ps.vals = vals;
	ps.vlens = vlens;
	return run_parser(&ps, &out);
}

hg_jv *hg_jv_get(const hg_jv *obj, const char *key)
{
	size_t i, kl = strlen(key);
	if (!obj || obj->kind != HG_JV_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (obj->u.members[i].klen == kl && memcmp(obj->u.members[i].key, key, kl) == 0)
			return obj->u.members[i].val;
	return NULL;
}

const char *hg_jv_str(const hg_jv *v)
{
	return v && v->kind == HG_JV_STR ? v->u.s : NULL;
}

static const hg_jv_member *member(const hg_jv *obj, const char *key, size_t kl)
{
	size_t i;
	for (i = 0; i < obj->n; i++)
		if (obj->u.members[i].klen == kl && memcmp(obj->u.members[i].key, key, kl) == 0)
			return &obj->u.members[i];
	return NULL;
}

bool hg_jv_equal(const hg_jv *a, const hg_jv *b)
{
	size_t i;
	if (a->kind != b->kind || a->n != b->n)
		return false;
	switch (a->kind) {
	case HG_JV_NUM:
	case HG_JV_STR:
		return memcmp(a->u.s, b->u.s, a->n) == 0;
	case HG_JV_ARR:
		for (i = 0; i < a->n; i++)
			if (!hg_jv_equal(a->u.items[i], b->u.items[i]))
				return false;
		return true;
	case HG_JV_OBJ:
		for (i = 0; i < a->n; i++) {
			const hg_jv_member *m = member(b, a->u.members[i].key, a->u.members[i].klen);
			if (!m || !hg_jv_equal(a->u.members[i].val, m->val))
				return false;
		}
		return true;
	default:
		return true;
	}
}

static int cmp_member(const void *x, const void *y)
{
	const hg_jv_member *a = *(const hg_jv_member *const *)x, *b = *(const hg_jv_member *const *)y;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);
	return c ? c : (a->klen < b->klen ? -1 : a->klen > b->klen);
}

static void write_jv(hg_buf *out, const hg_jv *v, bool display)
{
	size_t i;
	switch (v->kind) {
	case HG_JV_NULL:
		hg_buf_puts(out, "null");
		break;
	case HG_JV_FALSE:
		hg_buf_puts(out, "false");
		break;
	case HG_JV_TRUE:
		hg_buf_puts(out, "true");
		break;
	case HG_JV_NUM:
		hg_buf_put(out, v->u.s, v->n);
		break;
	case HG_JV_STR:
		if (display && v->typed)
			hg_buf_put(out, v->u.s, v->n);
		else
			hg_json_string(out, v->u.s, v->n);
		break;
	case HG_JV_ARR:
		hg_buf_putc(out, '[');
		for (i = 0; i < v->n; i++) {
			if (i)
				hg_buf_putc(out, ',');
			write_jv(out, v->u.items[i], display);
		}
		hg_buf_putc(out, ']');
		break;
	case HG_JV_OBJ: {
		const hg_jv_member *small[16], **sorted;
		sorted = v->n <= 16 ? small : hg_xmalloc(v->n * sizeof(*sorted));
		for (i = 0; i < v->n; i++)
			sorted[i] = &v->u.members[i];
		if (v->n > 1)
			qsort(sorted, v->n, sizeof(*sorted), cmp_member);
		hg_buf_putc(out, '{');
		for (i = 0; i < v->n; i++) {
			if (i)
				hg_buf_putc(out, ',');
			hg_json_string(out, sorted[i]->key, sorted[i]->klen);
			hg_buf_putc(out, ':');
			write_jv(out, sorted[i]->val, display);
		}
		hg_buf_putc(out, '}');
		if (sorted != small)
			free(sorted);
		break;
	}
	}
}

void hg_jv_canonical(hg_buf *out, const hg_jv *v)
{
	write_jv(out, v, false);
}

void hg_jv_display(hg_buf *out, const hg_jv *v)
{
	write_jv(out, v, true);
}

uint64_t hg_jv_hash(const hg_jv *v)
{
	hg_buf b = HG_BUF_INIT;
	uint64_t h;
	hg_jv_canonical(&b, v);
	h = hg_hash64(b.ptr, b.size);
	hg_buf_dispose(&b);
	return h;
}

json_t *hg_jv_to_json(const hg_jv *v)
{
	json_t *j;
	size_t i;
	switch (v->kind) {
	case HG_JV_NULL:
		return json_null();
	case HG_JV_FALSE:
		return json_false();
	case HG_JV_TRUE:
		return json_true();
	case HG_JV_NUM: {
		json_error_t e;
		j = json_loadb(v->u.s, v->n, JSON_DECODE_ANY, &e);
		return j ? j : json_stringn(v->u.s, v->n);
	}
	case HG_JV_STR:
		return json_stringn(v->u.s, v->n);
	case HG_JV_ARR:
		j = json_array();
		for (i = 0; i < v->n; i++)
			json_array_append_new(j, hg_jv_to_json(v->u.items[i]));
		return j;
	case HG_JV_OBJ:
		j = json_object();
		for (i = 0; i < v->n; i++) {
			char *k = hg_xstrndup(v->u.members[i].key, v->u.members[i].klen);
			json_object_set_new(j, k, hg_jv_to_json(v->u.members[i].val));
			free(k);
		}
		return j;
	}
	return json_null();
}

hg_jv *hg_jv_from_json(hg_arena *a, const json_t *j)
{
	hg_jv *v;
	size_t i, n;
	const char *k;
	json_t *x;

	switch (json_typeof(j)) {
	case JSON_NULL:
		return hg_jv_new(a, HG_JV_NULL);
	case JSON_TRUE:
		return hg_jv_new(a, HG_JV_TRUE);
	case JSON_FALSE:
		return hg_jv_new(a, HG_JV_FALSE);
	case JSON_INTEGER:
		v = hg_jv_new(a, HG_JV_NUM);
		v->u.s = hg_arena_printf(a, "%lld", (long long)json_integer_value(j));
		v->n = strlen(v->u.s);
		return v;
	case JSON_REAL: {
		hg_buf b = HG_BUF_INIT;
		hg_json_real(&b, json_real_value(j));
		v = hg_jv_new(a, HG_JV_NUM);
		v->u.s = hg_arena_strndup(a, b.ptr, b.size);
		v->n = b.size;
		hg_buf_dispose(&b);
		return v;
	}
	case JSON_STRING:
		return hg_jv_string(a, json_string_value(j), json_string_length(j));
	case JSON_ARRAY:
		v = hg_jv_new(a, HG_JV_ARR);
		v->n = json_array_size(j);
		v->u.items = HG_ANEWN(a, hg_jv *, v->n ? v->n : 1);
		json_array_foreach(j, i, x)
			v->u.items[i] = hg_jv_from_json(a, x);
		return v;
	case JSON_OBJECT:
		v = hg_jv_new(a, HG_JV_OBJ);
		n = json_object_size(j);
		v->u.members = HG_ANEWN(a, hg_jv_member, n ? n : 1);
		json_object_foreach((json_t *)(uintptr_t)j, k, x) {
			v->u.members[v->n].key = hg_arena_strdup(a, k);
			v->u.members[v->n].klen = strlen(k);
			v->u.members[v->n++].val = hg_jv_from_json(a, x);
		}
		return v;
	}
	return hg_jv_new(a, HG_JV_NULL);
}

/* ---- building values ---- */

hg_jv *hg_jv_array(hg_arena *a, size_t cap)
{
	hg_jv *v = hg_jv_new(a, HG_JV_ARR);
	v->cap = cap ? cap : 4;
	v->u.items = HG_ANEWN(a, hg_jv *, v->cap);
	return v;
}

hg_jv *hg_jv_object(hg_arena *a, size_t cap)
{
	hg_jv *v = hg_jv_new(a, HG_JV_OBJ);
	v->cap = cap ? cap : 4;
	v->u.members = HG_ANEWN(a, hg_jv_member, v->cap);
	return v;
}

void hg_jv_push(hg_arena *a, hg_jv *arr, const hg_jv *item)
{
	if (arr->n == arr->cap) {
		size_t cap = arr->cap ? arr->cap * 2 : 4;
		hg_jv **items = HG_ANEWN(a, hg_jv *, cap);
		if (arr->n)
			memcpy(items, arr->u.items, sizeof(*items) * arr->n);
		arr->u.items = items;
		arr->cap = cap;
	}
	arr->u.items[arr->n++] = (hg_jv *)(uintptr_t)item;
}

void hg_jv_put(hg_arena *a, hg_jv *obj, const char *key, size_t klen, const hg_jv *val)
{
	if (obj->n == obj->cap) {
		size_t cap = obj->cap ? obj->cap * 2 : 4;
		hg_jv_member *m = HG_ANEWN(a, hg_jv_member, cap);
		if (obj->n)
			memcpy(m, obj->u.members, sizeof(*m) * obj->n);
		obj->u.members = m;
		obj->cap = cap;
	}
	obj->u.members[obj->n].key = key;
	obj->u.members[obj->n].klen = klen;
	obj->u.members[obj->n].val = (hg_jv *)(uintptr_t)val;
	obj->n++;
}

hg_jv *hg_jv_bool(hg_arena *a, bool b)
{
	return hg_jv_new(a, b ? HG_JV_TRUE : HG_JV_FALSE);
}

hg_jv *hg_jv_number(hg_arena *a, const char *text, size_t n)
{
	hg_jv *v = hg_jv_new(a, HG_JV_NUM);
	v->u.s = hg_arena_strndup(a, text, n);
	v->n = n;
	return v;
}
