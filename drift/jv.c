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
#include "jvscan.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../common/diag.h"
#include "../common/hash.h"
#include "../common/scan.h"
#include "../common/jsontext.h"

/* Validation builds nothing: every value is this one. */
static hg_jv validated;

#define STACK_OWN 32
#define KEYLEN_MAX 32

struct parser {
	hg_arena *a; /* NULL: only validate (nothing is built) */
	bool in_place; /* strings without escapes stay in the (writable) text */
	/* hg_jv_parse_string_body: the text is the body of a JSON string whose
	 * value is JSON (a quote is \", which opens and closes strings); any
	 * other escape fails, and the caller decodes the string first */
	bool esc;
	/* hg_jv_check_record: duplicate keys looked for (validating only), line
	 * feeds counted; undecided: what the caller's own scan has to decide */
	bool dupkeys, undecided, escaped;
	size_t lines;
	const char *last_nl;
	const char *p, *end, *start;
	unsigned depth, max_depth;
	hg_jv_error *err;
	/* Children of the containers being read, on one stack for the whole
	 * parse (a container's children are copied into the arena when it
	 * closes): one allocation per parse, not one per container. */
	hg_jv **items;
	size_t nitems, capitems;
	hg_jv_member *members;
	size_t nmembers, capmembers;
	/* hg_jv_parse_select: only these members of the top-level object are built */
	const char *const *select;
	size_t nselect;
	const size_t *selen; /* their lengths, or NULL (then measured) */
	/* hg_jv_object_keys: the keys of the top-level object, collected;
	 * hg_jv_scan_keys: the keys of the object of top-level member under[i] */
	hg_arena *keys_arena;
	const char **okeys;
	size_t nokeys, capokeys;
	const char *const *under;
	size_t nunder;
	int collecting;      /* the under[] member being read + 1, or 0 */
	hg_jv_keys *collected;
	/* validation may note where top-level members' values are */
	const char *const *keys;
	size_t nkeys;
	const size_t *klens; /* their lengths: in klens_own, or klens_heap (malloc'd) */
	size_t klens_own[16], *klens_heap;
	bool indexed; /* at most 32 keys: bylen tells which have a length */
	const char **vals;
	size_t *vlens;
	/* the first children of the stacks above, here: most documents (a
	 * record, a resource's properties) need no more, and no malloc */
	hg_jv *items_own[STACK_OWN];
	hg_jv_member members_own[STACK_OWN];
	/* with indexed: bit i of bylen[n] when keys[i] is n bytes long (longer
	 * keys in bylen[KEYLEN_MAX]); set by find_members, not cleared by begin */
	uint32_t bylen[KEYLEN_MAX + 1];
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

/* A stack grown past need: out of the parser's own first array into the heap, or within it. */
static void grow(void **arr, size_t *cap, size_t need, size_t elem, const void *own)
{
	if (*arr == own) {
		void *heap = hg_xmalloc(2 * *cap * elem);
		memcpy(heap, own, *cap * elem);
		*arr = heap;
		*cap *= 2;
	}
	hg_grow_array(arr, cap, need, elem);
}

static void stacks_free(struct parser *ps)
{
	if (ps->items != ps->items_own)
		free(ps->items);
	if (ps->members != ps->members_own)
		free(ps->members);
}

/* The blanks at ps->p: pretty-printed templates are a quarter blanks, 16 bytes at a time. */
static __attribute__((noinline)) void blanks(struct parser *ps)
{
	const char *p = ps->p, *end = ps->end;
#ifdef __SSE2__
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i blank = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
		                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
		        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
		unsigned m = (unsigned)_mm_movemask_epi8(blank) ^ 0xFFFFu;
		if (m) {
			ps->p = p + __builtin_ctz(m);
			return;
		}
		p += 16;
	}
#endif
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	ps->p = p;
}

/* The line feeds among the bits of m (a few: a loop, not libgcc's popcount). */
static unsigned feeds(unsigned m)
{
	unsigned n = 0;
	for (; m; m &= m - 1)
		n++;
	return n;
}

/* blanks, counting the line feeds (hg_jv_check_record: where the next record starts). */
static __attribute__((noinline)) void blanks_counted(struct parser *ps)
{
	const char *p = ps->p, *end = ps->end;
#ifdef __SSE2__
	/* the usual run of an indented export: a line feed, then spaces up to
	 * the next token (the loop below reads any other run) */
	if (end - p >= 17 && *p == '\n') {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))) ^
		             0xFFFFu;
		if (m && (unsigned char)p[1 + __builtin_ctz(m)] > ' ') {
			ps->lines++;
			ps->last_nl = p;
			ps->p = p + 1 + __builtin_ctz(m);
			return;
		}
	}
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i nl = _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'));
		__m128i blank =
		        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), nl),
		                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
		                        _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
		unsigned m = (unsigned)_mm_movemask_epi8(blank) ^ 0xFFFFu;
		unsigned f = (unsigned)_mm_movemask_epi8(nl);
		if (m)
			f &= (1u << __builtin_ctz(m)) - 1;
		if (f) {
			ps->lines += feeds(f);
			ps->last_nl = p + 31 - __builtin_clz(f);
		}
		if (m) {
			ps->p = p + __builtin_ctz(m);
			return;
		}
		p += 16;
	}
#endif
	for (; p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'); p++)
		if (*p == '\n') {
			ps->lines++;
			ps->last_nl = p;
		}
	ps->p = p;
}

/* Skip whitespace: inline for the usual cases (none; the one space after
 * a key's colon), 16 bytes at a time for a line's indentation. */
static inline void ws(struct parser *ps)
{
	const char *p = ps->p;
	if (p < ps->end && (unsigned char)*p > ' ')
		return;
	if (ps->end - p > 1 && *p == ' ' && (unsigned char)p[1] > ' ') {
		ps->p = p + 1;
		return;
	}
	if (ps->dupkeys)
		blanks_counted(ps);
	else
		blanks(ps);
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

/* A UTF-8 sequence for cp at o; returns the byte after it. */
static char *utf8_at(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xC0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	return o;
}

/* Copy n bytes from in to o, 16 at a time (both have 15 bytes to spare past n). */
static inline void copy16(char *o, const char *in, size_t n)
{
#ifdef __SSE2__
	size_t k;
	for (k = 0; k < n; k += 16)
		_mm_storeu_si128((__m128i *)(void *)(o + k),
		        _mm_loadu_si128((const __m128i *)(const void *)(in + k)));
#else
	memcpy(o, in, n);
#endif
}

/*
 * The escapes of a string decoded 64 bytes at a time while its bytes have
 * 80 to spare before end: where its escapes begin comes from bit masks
 * (hg_escaped64), the runs between them are copied 16 bytes at a time.
 * Stops at close, before the block that holds a control character, or
 * before an escape it does not decode here (a bad one: the byte loop in
 * string() says so where it is); *in and *o move on.
 */
static void decode_blocks(const char **in_p, char **o_p, const char *close, const char *end)
{
#ifdef __SSE2__
	const char *in = *in_p, *blk = in;
	char *o = *o_p;
	uint64_t carry = 0;
	const __m128i ctl = _mm_set1_epi8(0x1f);

	while (blk < close && end - blk >= 80) {
		size_t lo = (size_t)(in - blk), hi = close - blk < 64 ? (size_t)(close - blk) : 64;
		uint64_t valid = (hi == 64 ? ~0ULL : (1ULL << hi) - 1) & ~((1ULL << lo) - 1);
		uint64_t bs = hg_mask64(blk, '\\'), starts = bs & ~hg_escaped64(bs, &carry), c = 0;
		int k;
		for (k = 0; k < 4; k++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(blk + 16 * k));
			c |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl))
			     << (16 * k);
		}
		if (c & valid)
			break; /* a control character: the byte loop says where */
		for (starts &= valid; starts; starts &= starts - 1) {
			const char *e = blk + __builtin_ctzll(starts);
			char x;
			if (e < in)
				continue; /* the second half of a surrogate pair, decoded */
			copy16(o, in, (size_t)(e - in));
			o += e - in;
			in = e;
			switch (e[1]) {
			case '"': case '\\': case '/': x = e[1]; break;
			case 'b': x = '\b'; break;
			case 'f': x = '\f'; break;
			case 'n': x = '\n'; break;
			case 'r': x = '\r'; break;
			case 't': x = '\t'; break;
			default:
				goto done; /* \u, or a bad escape: the byte loop */
			}
			*o++ = x;
			in = e + 2;
		}
		if (in < blk + hi) {
			copy16(o, in, (size_t)(blk + hi - in));
			o += blk + hi - in;
			in = blk + hi;
		}
		blk += 64; /* an escape at a block's last byte took the next one's first: in > blk */
	}
done:
	*in_p = in;
	*o_p = o;
#else
	(void)in_p;
	(void)o_p;
	(void)close;
	(void)end;
#endif
}

/*
 * A string at ps->p (after the opening quote). Sets *s, *n (arena). The
 * usual string has no escape: one scan and one copy. A string with
 * escapes (the Properties of cloudcontrol records are JSON in a string,
 * an escape every few bytes) is decoded in one pass into a buffer as
 * long as its escaped form, which its decoded form never exceeds.
 */
static int string_escaped(struct parser *ps, const char *q, const char **s, size_t *n);

/* The usual string, without a call: no escape (the rest: string_escaped). */
static inline __attribute__((always_inline)) int string(
        struct parser *ps, const char **s, size_t *n)
{
	const char *q = hg_plain_end(ps->p, ps->end);

	if (ps->esc) { /* only \" (its end) is read here: no other escape */
		if (ps->end - q < 2 || q[0] != '\\' || q[1] != '"')
			return fail(ps,
			        HG_BI("bad escape in a string",
			                "文字列のエスケープが正しくありません"),
			        false);
		ps->escaped = false;
	} else {
		ps->escaped = !(q < ps->end && *q == '"');
		if (ps->escaped)
			return string_escaped(ps, q, s, n);
	}
	if (ps->a && ps->in_place) {
		*(char *)(uintptr_t)q = '\0'; /* the closing quote, read: the terminator */
		*s = ps->p;
	} else
		*s = ps->a ? hg_arena_strndup(ps->a, ps->p, (size_t)(q - ps->p)) : NULL;
	*n = (size_t)(q - ps->p);
	ps->p = q + 1 + ps->esc;
	return 0;
}

/* A string with escapes, q at its first (see string). */
static __attribute__((noinline)) int string_escaped(
        struct parser *ps, const char *q, const char **s, size_t *n)
{
	const char *close, *in;
	char *out, *o;

	/* Find the closing quote, stepping over escapes (a string of JSON has one
	 * every few bytes: \" around every key): 64 bytes at a time. */
	{
		bool escaped = false;
		close = hg_string_end(q, ps->end, &escaped);
		if (close >= ps->end) {
			ps->p = ps->end;
			return fail(ps, HG_BI("a string", "文字列"), true);
		}
	}
	/* 16 bytes to spare: decode_blocks copies 16 bytes at a time */
	out = o = ps->a ? hg_arena_alloc_raw(ps->a, (size_t)(close - ps->p) + 17, 1) : NULL;
	in = q;
	if (o) {
		memcpy(o, ps->p, (size_t)(q - ps->p));
		o += q - ps->p;
		decode_blocks(&in, &o, close, ps->end);
	}
	while (in < close) {
		unsigned char c = (unsigned char)*in;
		if (c < 0x20) {
			ps->p = in;
			return fail(ps,
			        HG_BI("control character in a string",
			                "文字列に制御文字があります"),
			        false);
		}
		if (c != '\\') {
			const char *r = hg_plain_end(in + 1, close);
			if (o) {
				memcpy(o, in, (size_t)(r - in));
				o += r - in;
			}
			in = r;
			continue;
		}
		switch (in[1]) {
		case '"': case '\\': case '/':
			if (o)
				*o++ = in[1];
			break;
		case 'b': if (o) *o++ = '\b'; break;
		case 'f': if (o) *o++ = '\f'; break;
		case 'n': if (o) *o++ = '\n'; break;
		case 'r': if (o) *o++ = '\r'; break;
		case 't': if (o) *o++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (close - in < 6 || hex4(in + 2, &cp) < 0) {
				ps->p = in;
				return fail(ps,
				        HG_BI("bad \\u escape", "\\u エスケープが正しくありません"),
				        false);
			}
			in += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF && close - in >= 6 && in[0] == '\\' &&
			        in[1] == 'u' && hex4(in + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				in += 6;
			} else if (cp >= 0xD800 && cp <= 0xDFFF) {
				cp = 0xFFFD; /* a lone surrogate */
			}
			if (o)
				o = utf8_at(o, cp);
			continue;
		}
		default:
			ps->p = in;
			return fail(ps,
			        HG_BI("bad escape in a string",
			                "文字列のエスケープが正しくありません"),
			        false);
		}
		in += 2;
	}
	if (o)
		*o = '\0';
	*s = out;
	*n = o ? (size_t)(o - out) : 0;
	ps->p = close + 1;
	return 0;
}

const char *hg_jv_unescape(hg_arena *a, const char *body, size_t len, size_t *n)
{
	struct parser ps;
	const char *s = NULL;

	memset(&ps, 0, offsetof(struct parser, items_own));
	ps.a = a;
	ps.p = ps.start = body;
	ps.end = body + len + 1; /* its closing quote */
	if (string(&ps, &s, n) < 0)
		return NULL;
	return s;
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
		return fail(ps, HG_BI("a number", "数値"), true);
	if (*ps->p == '0')
		ps->p++;
	else if (digit(*ps->p))
		while (ps->p < ps->end && digit(*ps->p))
			ps->p++;
	else
		return fail(ps, HG_BI("expected a value", "値がありません"), false);
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || !digit(*ps->p))
			return fail(ps, HG_BI("bad number", "数値が正しくありません"),
			        ps->p >= ps->end);
		while (ps->p < ps->end && digit(*ps->p))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || !digit(*ps->p))
			return fail(ps, HG_BI("bad number", "数値が正しくありません"),
			        ps->p >= ps->end);
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
		return fail(ps, HG_BI("a literal", "リテラル"),
		        memcmp(ps->p, word, (size_t)(ps->end - ps->p)) == 0);
	if (memcmp(ps->p, word, n) != 0)
		return fail(ps, HG_BI("expected a value", "値がありません"), false);
	ps->p += n;
	*out = ps->a ? hg_jv_new(ps->a, kind) : &validated;
	return 0;
}

static int value(struct parser *ps, hg_jv **out);
static inline int string_value(struct parser *ps, hg_jv **out);

/* A value: the usual one, a string, without a call (value() reads the rest). */
static inline __attribute__((always_inline)) int next_value(struct parser *ps, hg_jv **out)
{
	ws(ps);
	if (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\\'))
		return string_value(ps, out);
	return value(ps, out);
}

static hg_jv *node(struct parser *ps, hg_jv_kind kind)
{
	return ps->a ? hg_jv_new(ps->a, kind) : &validated;
}

/* Arrays and objects put their children on the parser's stacks, then copy them. */
static int array(struct parser *ps, hg_jv **out)
{
	size_t base = ps->nitems, n;
	hg_jv *v;

	ps->p++;
	ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		*out = node(ps, HG_JV_ARR);
		return 0;
	}
	for (;;) {
		hg_jv *item;
		if (next_value(ps, &item) < 0)
			return -1;
		if (ps->a) {
			if (ps->nitems == ps->capitems)
				grow((void **)&ps->items, &ps->capitems, ps->nitems + 1,
				        sizeof(*ps->items), ps->items_own);
			ps->items[ps->nitems++] = item;
		}
		ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, HG_BI("an array", "配列"), true);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		return fail(ps, HG_BI("expected ',' or ']'", "',' か ']' がありません"), false);
	}
	if (!ps->a) {
		*out = &validated;
		return 0;
	}
	n = ps->nitems - base;
	v = hg_jv_new(ps->a, HG_JV_ARR);
	v->n = v->cap = n;
	v->u.items = hg_arena_alloc_raw(ps->a, n * sizeof(hg_jv *), sizeof(void *));
	if (n) /* an empty array: no items (ps->items may not exist yet) */
		memcpy(v->u.items, ps->items + base, n * sizeof(hg_jv *));
	ps->nitems = base;
	*out = v;
	return 0;
}

static bool selected(const struct parser *ps, const char *k, size_t kl)
{
	size_t i;
	for (i = 0; i < ps->nselect; i++) /* the first byte first: most keys differ there */
		if ((ps->selen ? ps->selen[i] : strlen(ps->select[i])) == kl &&
		        (!kl || ps->select[i][0] == k[0]) && memcmp(ps->select[i], k, kl) == 0)
			return true;
	return false;
}

/*
 * hg_jv_check_record: the key just read, of the object whose keys are on
 * the members' stack from base (validating only, the stack is free): -1,
 * undecided, for a key seen before (the caller's scan shows both places),
 * a key with an escape or an object of many keys (the caller's scan
 * compares those).
 */
static int new_key(struct parser *ps, size_t base, const char *k, size_t len, uint64_t *seen)
{
	/* a bit of the key's length and first byte: a key whose bit no key of
	 * the object set cannot be one of them (most keys: no look back) */
	uint64_t bit = 1ull << ((len * 7 + (len ? (unsigned char)k[0] : 0)) & 63);
	size_t j;

	if (ps->escaped || ps->nmembers - base >= 16) {
		ps->undecided = true;
		return fail(ps,
		        HG_BI("a key with an escape, or many keys",
		                "エスケープを含むキーか多数のキー"),
		        false);
	}
	for (j = (*seen & bit) ? base : ps->nmembers; j < ps->nmembers; j++)
		if (ps->members[j].klen == len && (!len || ps->members[j].key[0] == k[0]) &&
		        memcmp(ps->members[j].key, k, len) == 0) {
			ps->undecided = true;
			return fail(ps, HG_BI("a duplicate key", "重複したキー"), false);
		}
	if (ps->nmembers == ps->capmembers)
		grow((void **)&ps->members, &ps->capmembers, ps->nmembers + 1, sizeof(*ps->members),
		        ps->members_own);
	ps->members[ps->nmembers].key = k;
	ps->members[ps->nmembers++].klen = len;
	*seen |= bit;
	return 0;
}

/* The index of the key of keys[] not found yet that k (len bytes) is, or nkeys. */
static inline size_t wanted_key(const struct parser *ps, const char *k, size_t len)
{
	size_t i;
	if (ps->indexed) { /* only the keys of this length */
		uint32_t cand = ps->bylen[len < KEYLEN_MAX ? len : KEYLEN_MAX];
		for (; cand; cand &= cand - 1) {
			i = (size_t)__builtin_ctz(cand);
			if (!ps->vals[i] && ps->klens[i] == len &&
			        (!len || ps->keys[i][0] == k[0]) &&
			        memcmp(ps->keys[i], k, len) == 0)
				return i;
		}
		return ps->nkeys;
	}
	for (i = 0; i < ps->nkeys; i++)
		if (!ps->vals[i] && ps->klens[i] == len && (!len || ps->keys[i][0] == k[0]) &&
		        memcmp(ps->keys[i], k, len) == 0)
			return i;
	return ps->nkeys;
}

static int object(struct parser *ps, hg_jv **out)
{
	uint64_t seen = 0; /* new_key's: the bits of this object's keys */
	size_t base = ps->nmembers, n;
	int rc;
	size_t *wantlen = NULL;
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
		if (ps->p >= ps->end)
			return fail(ps, HG_BI("an object", "オブジェクト"), true);
		if (*ps->p != '"') {
			if (!ps->esc || ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != '"')
				return fail(ps, HG_BI("expected a key", "キーがありません"), false);
			ps->p++; /* \" in a string body */
		}
		ps->p++;
		{
			const char *kstart = ps->p;
			if (string(ps, &k, &kl) < 0)
				return -1;
			if (ps->keys_arena && ps->depth == 1 && !ps->under) {
				HG_AGROW(ps->keys_arena, ps->okeys, ps->capokeys, ps->nokeys + 1);
				ps->okeys[ps->nokeys++] =
				        hg_arena_strndup(ps->keys_arena, kstart, (size_t)(ps->p - 1 - kstart));
			}
			if (ps->collecting && ps->depth == 2) {
				hg_jv_keys *c = &ps->collected[ps->collecting - 1];
				HG_AGROW(ps->keys_arena, c->keys, c->cap, c->n + 1);
				c->keys[c->n++] = hg_arena_strndup(ps->keys_arena, kstart, (size_t)(ps->p - 1 - kstart));
			}
			if (ps->under && ps->depth == 1) {
				size_t u, len = (size_t)(ps->p - 1 - kstart);
				ps->collecting = 0;
				for (u = 0; u < ps->nunder; u++)
					if (strlen(ps->under[u]) == len && memcmp(ps->under[u], kstart, len) == 0 &&
					        !ps->collected[u].seen) {
						ps->collecting = (int)u + 1;
						ps->collected[u].seen = true;
					}
			}
			if (ps->dupkeys &&
			        new_key(ps, base, kstart, (size_t)(ps->p - 1 - kstart), &seen) < 0)
				return -1;
			want = NULL;
			if (ps->keys && ps->depth == 1) {
				size_t i, len = (size_t)(ps->p - 1 - kstart);
				/* the keys of this length only (every key, if too many to index) */
				if ((i = wanted_key(ps, kstart, len)) < ps->nkeys)
					want = &ps->vals[i], wantlen = &ps->vlens[i];
			}
		}
		ws(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return fail(ps, ps->p >= ps->end ? "an object" : "expected ':'", ps->p >= ps->end);
		ps->p++;
		ws(ps);
		vstart = ps->p;
		if (ps->select && ps->depth == 1 && ps->a && !selected(ps, k, kl)) {
			/* a member no one asked for: checked, not built */
			hg_arena *a = ps->a;
			ps->a = NULL;
			rc = value(ps, &val);
			ps->a = a;
			if (rc < 0)
				return -1;
			goto next;
		}
		if (next_value(ps, &val) < 0)
			return -1;
		if (ps->depth == 1)
			ps->collecting = 0;
		if (want) {
			*want = vstart;
			*wantlen = (size_t)(ps->p - vstart);
		}
		if (ps->a) {
			if (ps->nmembers == ps->capmembers)
				grow((void **)&ps->members, &ps->capmembers, ps->nmembers + 1,
				        sizeof(*ps->members), ps->members_own);
			ps->members[ps->nmembers].key = k;
			ps->members[ps->nmembers].klen = kl;
			ps->members[ps->nmembers++].val = val;
		}
	next:
		ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, HG_BI("an object", "オブジェクト"), true);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == '}') {
			ps->p++;
			break;
		}
		return fail(ps, HG_BI("expected ',' or '}'", "',' か '}' がありません"), false);
	}
	if (!ps->a) {
		ps->nmembers = base; /* the keys of dupkeys */
		*out = &validated;
		return 0;
	}
	n = ps->nmembers - base;
	v = hg_jv_new(ps->a, HG_JV_OBJ);
	v->n = v->cap = n;
	v->u.members = hg_arena_alloc_raw(ps->a, n * sizeof(hg_jv_member), sizeof(void *));
	if (n) /* an empty object: no members (ps->members may not exist yet) */
		memcpy(v->u.members, ps->members + base, n * sizeof(hg_jv_member));
	ps->nmembers = base;
	*out = v;
	return 0;
}

/* The string value at ps->p (its quote, or \" in a string body). */
static inline __attribute__((always_inline)) int string_value(struct parser *ps, hg_jv **out)
{
	const char *s;
	size_t n;

	if (*ps->p == '\\') { /* a string, in a string body */
		if (!ps->esc || ps->end - ps->p < 2 || ps->p[1] != '"')
			return fail(ps, HG_BI("expected a value", "値がありません"), false);
		ps->p++;
	}
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

static int value(struct parser *ps, hg_jv **out)
{
	int rc;

	ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, HG_BI("a value", "値"), true);
	switch (*ps->p) {
	case '{':
	case '[':
		if (++ps->depth > ps->max_depth)
			return fail(ps, HG_BI("nested too deeply", "入れ子が深すぎます"), false);
		rc = *ps->p == '{' ? object(ps, out) : array(ps, out);
		ps->depth--;
		return rc;
	case '\\': /* a string, in a string body */
	case '"':
		return string_value(ps, out);
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

/* A parser of text[0..len) (building into a, or validating when a is NULL). */
static void begin(struct parser *ps, hg_arena *a, const char *text, size_t len, unsigned max_depth,
        hg_jv_error *err)
{
	memset(ps, 0, offsetof(struct parser, items_own)); /* not the stacks' first arrays */
	ps->items = ps->items_own;
	ps->capitems = STACK_OWN;
	ps->members = ps->members_own;
	ps->capmembers = STACK_OWN;
	ps->a = a;
	ps->p = ps->start = text;
	ps->end = len ? text + len : text; /* no arithmetic on a NULL text */
	ps->max_depth = max_depth;
	ps->err = err;
}

/* ... that finds the values of the top-level members keys[i] (vals NULL-initialized). */
static void find_members(
        struct parser *ps, const char *const *keys, size_t nkeys, const char **vals, size_t *vlens)
{
	size_t i, *lens = nkeys <= HG_ARRAY_SIZE(ps->klens_own)
	                          ? ps->klens_own
	                          : (ps->klens_heap = hg_xmalloc(nkeys * sizeof(size_t)));
	for (i = 0; i < nkeys; i++) /* measured once, not once per member */
		lens[i] = strlen(keys[i]);
	ps->indexed = nkeys <= 32;
	memset(ps->bylen, 0, sizeof(ps->bylen));
	for (i = 0; ps->indexed && i < nkeys; i++)
		ps->bylen[lens[i] < KEYLEN_MAX ? lens[i] : KEYLEN_MAX] |= 1u << i;
	ps->keys = keys;
	ps->nkeys = nkeys;
	ps->klens = lens;
	ps->vals = vals;
	ps->vlens = vlens;
}

int hg_jv_parse(hg_jv **out, hg_arena *a, const char *text, size_t len, unsigned max_depth,
        hg_jv_error *err)
{
	struct parser ps;

	*out = NULL;
	begin(&ps, a, text, len, max_depth, err);
	return run_parser(&ps, out);
}

static int run_parser(struct parser *ps, hg_jv **out)
{
	int rc = value(ps, out);
	if (rc == 0) {
		ws(ps);
		if (ps->p != ps->end)
			rc = fail(ps,
			        HG_BI("unexpected data after the value",
			                "値の後に余分なデータがあります"),
			        false);
	}
	stacks_free(ps);
	free(ps->klens_heap);
	return rc;
}

/*
 * The two-stage scan (jvscan.c) of a text to validate, noting what
 * hg_jv_validate and hg_jv_scan_keys note (keys[i]'s values, under[i]'s
 * keys): 0, or -1 with those outputs reset for the parser, which then
 * reads the text again and says what is wrong with it.
 */
static int scan_first(const char *text, size_t len, unsigned max_depth, const char *const *keys,
        size_t nkeys, const char **vals, size_t *vlens, const char *const *under, size_t nunder,
        hg_jv_keys *collected, hg_arena *a)
{
	hg_jvscan_hooks h;
	size_t lens[16], i;

	if (nkeys > HG_ARRAY_SIZE(lens) || hg_jvscan_off)
		return -1;
	memset(&h, 0, sizeof(h));
	for (i = 0; i < nkeys; i++)
		lens[i] = strlen(keys[i]);
	h.keys = keys;
	h.klens = lens;
	h.nkeys = nkeys;
	h.vals = vals;
	h.vlens = vlens;
	h.under = under;
	h.nunder = nunder;
	h.collected = collected;
	h.a = a;
	if (hg_jvscan_validate(text, len, max_depth, nkeys || nunder ? &h : NULL) == 0)
		return 0;
	for (i = 0; i < nkeys; i++) {
		vals[i] = NULL;
		vlens[i] = 0;
	}
	if (nunder)
		memset(collected, 0, sizeof(*collected) * nunder);
	return -1;
}

int hg_jv_validate(const char *text, size_t len, unsigned max_depth, hg_jv_error *err,
        const char *const *keys, size_t nkeys, const char **vals, size_t *vlens)
{
	struct parser ps;
	hg_jv *out;

	if (scan_first(text, len, max_depth, keys, nkeys, vals, vlens, NULL, 0, NULL, NULL) == 0)
		return 0;
	begin(&ps, NULL, text, len, max_depth, err);
	find_members(&ps, keys, nkeys, vals, vlens);
	return run_parser(&ps, &out);
}

int hg_jv_check_record(const char *text, size_t len, unsigned max_depth, hg_jv_error *err,
        const char *const *keys, size_t nkeys, const char **vals, size_t *vlens,
        hg_jv_record_end *at)
{
	struct parser ps;
	hg_jv *out;
	int rc;

	begin(&ps, NULL, text, len, max_depth, err);
	find_members(&ps, keys, nkeys, vals, vlens);
	ps.dupkeys = true;
	rc = value(&ps, &out); /* one value, whatever follows it */
	stacks_free(&ps);
	free(ps.klens_heap);
	if (rc < 0)
		return ps.undecided ? -2 : -1;
	at->used = (size_t)(ps.p - text);
	at->lines = ps.lines;
	at->last_nl = ps.last_nl ? (size_t)(ps.last_nl - text) : (size_t)-1;
	return 0;
}

/* hg_jv_parse_select and hg_jv_parse_in_place (keys NULL: every member). */
static int parse_members(hg_jv **out, hg_arena *a, const char *text, size_t len, unsigned max_depth,
        hg_jv_error *err, const char *const *keys, size_t nkeys, bool in_place, bool esc)
{
	struct parser ps;
	size_t lens[64], i;

	*out = NULL;
	begin(&ps, a, text, len, max_depth, err);
	ps.in_place = in_place;
	ps.esc = esc;
	if (keys) {
		ps.select = keys;
		ps.nselect = nkeys;
		if (nkeys <= HG_ARRAY_SIZE(lens)) { /* measured once, not once per member */
			for (i = 0; i < nkeys; i++)
				lens[i] = strlen(keys[i]);
			ps.selen = lens;
		}
	}
	/* In place, the scan first; the parser says what is wrong (the text unchanged).
	 * Not a string body (a record's Properties): most of its members are left
	 * out, its marks are dense, and the parser was measured faster there. */
	if (in_place && !esc && (!keys || ps.selen) && !hg_jvscan_off) {
		char *writable = (char *)(uintptr_t)text;
		if (hg_jvscan_build(out, a, writable, len, max_depth, keys, lens, nkeys) == 0)
			return 0;
	}
	return run_parser(&ps, out);
}

int hg_jv_parse_select(hg_jv **out, hg_arena *a, const char *text, size_t len, unsigned max_depth,
        hg_jv_error *err, const char *const *keys, size_t nkeys)
{
	return parse_members(out, a, text, len, max_depth, err, keys, nkeys, false, false);
}

int hg_jv_parse_in_place(hg_jv **out, hg_arena *a, char *text, size_t len, unsigned max_depth,
        hg_jv_error *err, const char *const *keys, size_t nkeys)
{
	return parse_members(out, a, text, len, max_depth, err, keys, nkeys, true, false);
}

/* The end of the value at p in text known to be JSON (strings stepped over whole), or NULL. */
static const char *skip_known(const char *p, const char *end)
{
	unsigned depth = 0;
	bool escaped;

	do {
		while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' ||
		                          *p == ',' || *p == ':'))
			p++;
		if (p >= end)
			return NULL;
		switch (*p) {
		case '"':
			escaped = false;
			p = hg_string_end(p + 1, end, &escaped);
			if (p >= end)
				return NULL;
			p++;
			break;
		case '{':
		case '[':
			depth++;
			p++;
			break;
		case '}':
		case ']':
			if (!depth--)
				return NULL;
			p++;
			break;
		default: /* a number or literal */
			while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' &&
			        *p != '\n' && *p != '\r' && *p != '\t')
				p++;
		}
	} while (depth);
	return p;
}

int hg_jv_known_member(
        const char *text, size_t len, const char *key, const char **val, size_t *vlen)
{
	const char *p = text, *end = text + len, *k, *kend, *v;
	size_t kl = strlen(key);
	bool escaped;

	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	if (p >= end || *p != '{')
		return -1;
	for (p++; p < end;) {
		while (p < end &&
		        (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ','))
			p++;
		if (p >= end || *p != '"')
			return -1; /* the end of the object, or not what was assumed */
		k = p + 1;
		escaped = false;
		kend = hg_string_end(k, end, &escaped);
		for (v = kend + 1; v < end && *v != ':';)
			v++;
		for (v++; v < end && (*v == ' ' || *v == '\n' || *v == '\r' || *v == '\t');)
			v++;
		if (v >= end || !(p = skip_known(v, end)) || memchr(k, '\\', (size_t)(kend - k)))
			return -1; /* a key with an escape: a decoding parse finds the member */
		if ((size_t)(kend - k) == kl && memcmp(k, key, kl) == 0) {
			*val = v;
			*vlen = (size_t)(p - v);
			return 0;
		}
	}
	return -1;
}

int hg_jv_parse_string_body(hg_jv **out, hg_arena *a, char *text, size_t len, unsigned max_depth,
        const char *const *keys, size_t nkeys)
{
	return parse_members(out, a, text, len, max_depth, NULL, keys, nkeys, true, true);
}

int hg_jv_scan_keys(const char *text, size_t len, unsigned max_depth, hg_jv_error *err,
        const char *const *keys, size_t nkeys, const char **vals, size_t *vlens,
        const char *const *under, size_t nunder, hg_jv_keys *collected, hg_arena *a)
{
	struct parser ps;
	hg_jv *out;
	size_t i, u;
	int rc;

	memset(collected, 0, sizeof(*collected) * nunder);
	rc = scan_first(
	        text, len, max_depth, keys, nkeys, vals, vlens, under, nunder, collected, a);
	if (rc < 0) {
		begin(&ps, NULL, text, len, max_depth, err);
		find_members(&ps, keys, nkeys, vals, vlens);
		ps.keys_arena = a;
		ps.under = under;
		ps.nunder = nunder;
		ps.collected = collected;
		rc = run_parser(&ps, &out);
	}
	for (u = 0; rc == 0 && u < nunder; u++) /* a key with an escape is decoded */
		for (i = 0; i < collected[u].n; i++)
			if (strchr(collected[u].keys[i], '\\')) {
				hg_buf q = HG_BUF_INIT;
				hg_jv *v = NULL;
				hg_buf_printf(&q, "\"%s\"", collected[u].keys[i]);
				if (hg_jv_parse(&v, a, q.ptr, q.size, 2, NULL) == 0)
					collected[u].keys[i] = v->u.s;
				hg_buf_dispose(&q);
			}
	return rc;
}

int hg_jv_object_keys(const char *text, size_t len, unsigned max_depth, hg_arena *a,
        const char ***keys, size_t *nkeys)
{
	struct parser ps;
	hg_jv *out;
	size_t i;
	int rc;

	begin(&ps, NULL, text, len, max_depth, NULL);
	ps.keys_arena = a;
	rc = run_parser(&ps, &out);
	/* A key with an escape is decoded (the text between the quotes is kept above). */
	for (i = 0; rc == 0 && i < ps.nokeys; i++)
		if (strchr(ps.okeys[i], '\\')) {
			hg_buf q = HG_BUF_INIT;
			hg_jv *v = NULL;
			hg_buf_printf(&q, "\"%s\"", ps.okeys[i]);
			if (hg_jv_parse(&v, a, q.ptr, q.size, 2, NULL) == 0)
				ps.okeys[i] = v->u.s;
			hg_buf_dispose(&q);
		}
	*keys = ps.okeys;
	*nkeys = rc == 0 ? ps.nokeys : 0;
	return rc;
}

hg_jv *hg_jv_getn(const hg_jv *obj, const char *key, size_t kl)
{
	size_t i;
	if (!obj || obj->kind != HG_JV_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++) { /* the first byte first: most keys differ there */
		const hg_jv_member *m = &obj->u.members[i];
		if (m->klen == kl && (!kl || m->key[0] == key[0]) && memcmp(m->key, key, kl) == 0)
			return m->val;
	}
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
		if (obj->u.members[i].klen == kl && (!kl || obj->u.members[i].key[0] == key[0]) &&
		        memcmp(obj->u.members[i].key, key, kl) == 0)
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
		if (a->sorted && b->sorted) { /* canonical objects: members in the same order */
			for (i = 0; i < a->n; i++)
				if (a->u.members[i].klen != b->u.members[i].klen ||
				        memcmp(a->u.members[i].key, b->u.members[i].key, a->u.members[i].klen) != 0 ||
				        !hg_jv_equal(a->u.members[i].val, b->u.members[i].val))
					return false;
			return true;
		}
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

/* A string literal: the common string needs no escape, and is one copy. */
static void write_str(hg_buf *out, const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			break;
	}
	if (i < n) {
		hg_json_string(out, s, n);
		return;
	}
	hg_buf_grow(out, n + 2);
	out->ptr[out->size++] = '"';
	memcpy(out->ptr + out->size, s, n);
	out->size += n;
	out->ptr[out->size++] = '"';
	out->ptr[out->size] = '\0';
}

static void put_char(hg_buf *out, char c)
{
	if (out->size + 2 > out->asize)
		hg_buf_grow(out, 1);
	out->ptr[out->size++] = c;
	out->ptr[out->size] = '\0';
}

static void write_jv(hg_buf *out, const hg_jv *v, bool display)
{
	size_t i;
	switch (v->kind) {
	case HG_JV_NULL:
		hg_buf_put(out, "null", 4);
		break;
	case HG_JV_FALSE:
		hg_buf_put(out, "false", 5);
		break;
	case HG_JV_TRUE:
		hg_buf_put(out, "true", 4);
		break;
	case HG_JV_NUM:
		hg_buf_put(out, v->u.s, v->n);
		break;
	case HG_JV_STR:
		if (display && v->typed)
			hg_buf_put(out, v->u.s, v->n);
		else
			write_str(out, v->u.s, v->n);
		break;
	case HG_JV_ARR:
		put_char(out, '[');
		for (i = 0; i < v->n; i++) {
			if (i)
				put_char(out, ',');
			write_jv(out, v->u.items[i], display);
		}
		put_char(out, ']');
		break;
	case HG_JV_OBJ: {
		const hg_jv_member *small[16], **sorted;
		if (v->sorted) { /* already in canonical order */
			put_char(out, '{');
			for (i = 0; i < v->n; i++) {
				if (i)
					put_char(out, ',');
				write_str(out, v->u.members[i].key, v->u.members[i].klen);
				put_char(out, ':');
				write_jv(out, v->u.members[i].val, display);
			}
			put_char(out, '}');
			break;
		}
		sorted = v->n <= 16 ? small : hg_xmalloc(v->n * sizeof(*sorted));
		for (i = 0; i < v->n; i++)
			sorted[i] = &v->u.members[i];
		if (v->n > 1)
			qsort(sorted, v->n, sizeof(*sorted), cmp_member);
		put_char(out, '{');
		for (i = 0; i < v->n; i++) {
			if (i)
				put_char(out, ',');
			write_str(out, sorted[i]->key, sorted[i]->klen);
			put_char(out, ':');
			write_jv(out, sorted[i]->val, display);
		}
		put_char(out, '}');
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
