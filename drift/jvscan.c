/*
 * jvscan.c: a two-stage validating scan of JSON text (see jvscan.h).
 * Part of hinagata; see LICENSE.
 *
 * Stage 1 reads 64 bytes at a time into bit masks: quotes no backslash
 * escapes, and from them (a prefix XOR) the bytes inside strings; the
 * structural characters outside strings; the first byte of each run of
 * other bytes outside strings (a number or a literal, or junk). Inside
 * strings it checks what jv.c's string() checks (no control character, an
 * escape is one of \" \\ \/ \b \f \n \r \t \uXXXX), escape by escape. The
 * marks become offsets, a window of them at a time (memory does not grow
 * with the text), and stage 2 reads them as the parser reads tokens:
 * blanks are never read one by one. Scalars are read where they are, with
 * the parser's grammar, and must end where their run ends.
 */
#include "jvscan.h"

#ifdef __SSE2__
#include <immintrin.h>
#endif

#include <stdint.h>
#include <string.h>

#include "../common/scan.h"
#include "../common/util.h"

bool hg_jvscan_sse2_only, hg_jvscan_off;

#define WINDOW_BLOCKS 64 /* 4 KiB of text: at most 4,096 offsets */
#define NONE          ((size_t)-1)

struct scan {
	const char *text;
	size_t len;
	size_t block;          /* the offset of the next block stage 1 reads */
	uint64_t esc_carry;    /* hg_escaped64's */
	uint64_t in_string;    /* all ones when the last block ended inside a string */
	uint64_t scalar_carry; /* 1 when the last block ended in a run of scalar bytes */
	bool bad;              /* stage 1 found what the parser refuses */
	bool window_bs;        /* a backslash in the window: strings in it may have escapes */
	size_t window_start;   /* the offset of the window's first block */
	void (*stage1)(struct scan *s, const char *p, size_t base);
	size_t ntok, at;
	/* a window's offsets, + a block's more (a long string), + 8 written past the last */
	uint32_t tok[WINDOW_BLOCKS * 64 + 64 + 8];
};

/* Each bit of the 64-bit result copies the XOR of the bits at and below it in x. */
static inline uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

#ifdef __SSE2__
static bool hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The escaped bytes e (bits of the block at base; p holds its bytes) are escapes string() takes. */
static bool escapes_ok(const struct scan *s, const char *p, size_t base, uint64_t e)
{
	for (; e; e &= e - 1) {
		unsigned i = (unsigned)__builtin_ctzll(e);
		size_t at = base + i + 1;
		switch (p[i]) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			break;
		case 'u':
			if (at + 4 > s->len || !hex(s->text[at]) || !hex(s->text[at + 1]) ||
			        !hex(s->text[at + 2]) || !hex(s->text[at + 3]))
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}

/* The marks of a block from its masks: quotes, backslashes, blanks, structural, control characters.
 */
static inline __attribute__((always_inline)) uint64_t marks(struct scan *s, const char *p,
        size_t base, uint64_t q, uint64_t b, uint64_t ws, uint64_t op, uint64_t c,
        uint64_t (*pxor)(uint64_t))
{
	/* most blocks of a template have no backslash, nor one carried in */
	uint64_t esc = (b | s->esc_carry) ? hg_escaped64(b, &s->esc_carry) : 0;
	uint64_t in, outside, scalar, t;

	q &= ~esc;
	in = pxor(q) ^ s->in_string; /* from an opening quote to before its closing one */
	s->in_string = (uint64_t)((int64_t)in >> 63);
	if ((in & c) || ((esc & in) && !escapes_ok(s, p, base, esc & in)))
		s->bad = true;
	s->window_bs |= b != 0;
	outside = ~(in | q);
	scalar = outside & ~ws & ~op;
	t = (op & outside) | q | (scalar & ~(scalar << 1 | s->scalar_carry));
	s->scalar_carry = scalar >> 63;
	return t;
}

/*
 * Stage 1 on the 64 bytes at p (the text's, from base, or a blank-padded
 * copy of its end). A structural character is one whose byte, with 0x20
 * set, is '{' or '}' (so '[' and ']'), ':' or ','; a blank is one of the
 * four JSON has.
 */
static void stage1_sse2(struct scan *s, const char *p, size_t base)
{
	const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
	              lower = _mm_set1_epi8(0x20), open = _mm_set1_epi8('{'),
	              close = _mm_set1_epi8('}'), colon = _mm_set1_epi8(':'),
	              comma = _mm_set1_epi8(','), sp = _mm_set1_epi8(' '), lf = _mm_set1_epi8('\n'),
	              cr = _mm_set1_epi8('\r'), tab = _mm_set1_epi8('\t'),
	              ctl = _mm_set1_epi8(0x1f);
	uint64_t q = 0, b = 0, ws = 0, op = 0, c = 0;
	int k;

	for (k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		__m128i lo = _mm_or_si128(v, lower);
		__m128i o = _mm_or_si128(
		        _mm_or_si128(_mm_cmpeq_epi8(lo, open), _mm_cmpeq_epi8(lo, close)),
		        _mm_or_si128(_mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, comma)));
		__m128i w = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, lf)),
		        _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, tab)));
		unsigned sh = 16 * (unsigned)k;
		q |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << sh;
		b |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, bs)) << sh;
		op |= (uint64_t)(uint32_t)_mm_movemask_epi8(o) << sh;
		ws |= (uint64_t)(uint32_t)_mm_movemask_epi8(w) << sh;
		c |= (uint64_t)(uint32_t)_mm_movemask_epi8(
		             _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl))
		     << sh;
	}
	{
		uint64_t t = marks(s, p, base, q, b, ws, op, c, prefix_xor);
		uint32_t *out = s->tok + s->ntok, *o = out, b32 = (uint32_t)base;
		for (; t; t &= t - 1)
			*o++ = b32 + (uint32_t)__builtin_ctzll(t);
		s->ntok += (size_t)(o - out);
	}
}

#if defined(__GNUC__) && defined(__x86_64__)
#define HAVE_AVX2_PATH 1
/*
 * The same with AVX2 and PCLMUL (chosen at run time; the strings' prefix XOR
 * in one carry-less multiplication): blanks and structural characters
 * by table lookups on the low half of each byte (simdjson's tables; a byte
 * with its high bit set looks up 0, which no such byte equals). The lookup
 * marks a few control characters as structural too (0x0C and 0x1A, as ','
 * and ':' with 0x20 set): outside strings stage 2 reads the byte and
 * refuses them, as the parser does; inside strings they are control
 * characters, refused.
 */
static bool have_avx2;

/* Asked once, at start (and after the runtime's own look at the processor). */
__attribute__((constructor)) static void ask_avx2(void)
{
	__builtin_cpu_init();
	have_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") &&
	            __builtin_cpu_supports("bmi") && __builtin_cpu_supports("pclmul");
}

/* prefix_xor in one carry-less multiplication (by all ones), as simdjson does */
__attribute__((target("pclmul"), always_inline)) static inline uint64_t prefix_xor_clmul(uint64_t x)
{
	return (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
	        _mm_set_epi64x(0, (long long)x), _mm_set1_epi8((char)0xFF), 0));
}

__attribute__((target("avx2,popcnt,bmi,pclmul"))) static void stage1_avx2(
        struct scan *s, const char *p, size_t base)
{
	const __m256i ws_table = _mm256_setr_epi8(' ', 100, 100, 100, 17, 100, 113, 2, 100, '\t',
	                      '\n', 112, 100, '\r', 100, 100, ' ', 100, 100, 100, 17, 100, 113, 2,
	                      100, '\t', '\n', 112, 100, '\r', 100, 100),
	              op_table = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}',
	                      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0),
	              lower = _mm256_set1_epi8(0x20), quote = _mm256_set1_epi8('"'),
	              bs = _mm256_set1_epi8('\\'), ctl = _mm256_set1_epi8(0x1f);
	const __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p),
	              v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	uint64_t t;
	uint32_t *out, b32 = (uint32_t)base;
	int k;

/* the bytes of both halves for which test(v) holds, as 64 bits (in registers, not an array) */
#define HG_MASK64(test)                                                                            \
	((uint64_t)(uint32_t)_mm256_movemask_epi8(test(v0)) |                                      \
	        (uint64_t)(uint32_t)_mm256_movemask_epi8(test(v1)) << 32)
#define HG_IS_QUOTE(v) _mm256_cmpeq_epi8(v, quote)
#define HG_IS_BS(v)    _mm256_cmpeq_epi8(v, bs)
#define HG_IS_WS(v)    _mm256_cmpeq_epi8(v, _mm256_shuffle_epi8(ws_table, v))
#define HG_IS_OP(v)    _mm256_cmpeq_epi8(_mm256_or_si256(v, lower), _mm256_shuffle_epi8(op_table, v))
#define HG_IS_CTL(v)   _mm256_cmpeq_epi8(_mm256_max_epu8(v, ctl), ctl)
	t = marks(s, p, base, HG_MASK64(HG_IS_QUOTE), HG_MASK64(HG_IS_BS), HG_MASK64(HG_IS_WS),
	        HG_MASK64(HG_IS_OP), HG_MASK64(HG_IS_CTL), prefix_xor_clmul);
#undef HG_MASK64
#undef HG_IS_QUOTE
#undef HG_IS_BS
#undef HG_IS_WS
#undef HG_IS_OP
#undef HG_IS_CTL
	/* eight offsets at a time, written past the count (the window has room for
	 * them): one loop branch per eight marks, not one per mark */
	out = s->tok + s->ntok;
	s->ntok += (size_t)__builtin_popcountll(t);
	while (t) {
#pragma GCC unroll 8
		for (k = 0; k < 8; k++) {
			out[k] = b32 + (uint32_t)__builtin_ctzll(t | 1ULL << 63);
			t &= t - 1;
		}
		out += 8;
	}
}
#endif
#endif

#ifdef __SSE2__
/* The next window of offsets; false at the end of the text (or when stage 1 found it bad). */
static bool refill(struct scan *s)
{
	size_t blocks = 0;
	s->ntok = s->at = 0;
	s->window_bs = false;
	s->window_start = s->block;
	/* a window of blocks, or more while none has an offset (a long string) */
	while (s->block < s->len && !s->bad && (blocks < WINDOW_BLOCKS || !s->ntok)) {
		if (s->len - s->block >= 64)
			s->stage1(s, s->text + s->block, s->block);
		else {
			char tail[64];
			memset(tail, ' ', sizeof(tail));
			memcpy(tail, s->text + s->block, s->len - s->block);
			s->stage1(s, tail, s->block);
		}
		s->block += 64;
		blocks++;
	}
	if (s->bad)
		s->ntok = 0; /* nothing of a text refused is handed out */
	return s->ntok > 0;
}

static void scan_init(struct scan *s, const char *text, size_t len)
{
	s->text = text;
	s->len = len;
	s->block = 0;
	s->esc_carry = s->in_string = s->scalar_carry = 0;
	s->bad = false;
#ifdef HAVE_AVX2_PATH
	s->stage1 = have_avx2 && !hg_jvscan_sse2_only ? stage1_avx2 : stage1_sse2;
#else
	s->stage1 = stage1_sse2;
#endif
	s->ntok = s->at = 0;
}

static inline size_t next(struct scan *s)
{
	if (s->at == s->ntok && !refill(s))
		return NONE;
	return s->tok[s->at++];
}

/* The end of the number or literal at p, read as jv.c reads it: where its run ends, or NULL. */
static const char *scalar(const char *p, const char *end)
{
	const char *q = p;

	switch (*p) {
	case 't':
		q = end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
		break;
	case 'f':
		q = end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
		break;
	case 'n':
		q = end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
		break;
	default:
		if (*q == '-')
			q++;
		if (q >= end)
			return NULL;
		if (*q == '0')
			q++;
		else if (*q >= '1' && *q <= '9')
			while (q < end && *q >= '0' && *q <= '9')
				q++;
		else
			return NULL;
		if (q < end && *q == '.') {
			if (++q >= end || *q < '0' || *q > '9')
				return NULL;
			while (q < end && *q >= '0' && *q <= '9')
				q++;
		}
		if (q < end && (*q == 'e' || *q == 'E')) {
			q++;
			if (q < end && (*q == '+' || *q == '-'))
				q++;
			if (q >= end || *q < '0' || *q > '9')
				return NULL;
			while (q < end && *q >= '0' && *q <= '9')
				q++;
		}
	}
	if (!q || q == end)
		return q;
	/* the run ends here: a blank, a structural character or a quote */
	return memchr(" \n\r\t{}[]:,\"", *q, 11) ? q : NULL;
}

enum state { S_VALUE, S_VALUE_OR_CLOSE, S_KEY_OR_CLOSE, S_KEY, S_COLON, S_AFTER, S_END };

/* A key of the object at depth (1: the top-level one), between k and kend. */
static void key_hooks(const hg_jvscan_hooks *h, unsigned depth, const char *k, size_t len,
        const char ***want, size_t **wantlen, int *collecting)
{
	size_t i;

	if (depth == 2) {
		if (*collecting) {
			hg_jv_keys *c = &h->collected[*collecting - 1];
			HG_AGROW(h->a, c->keys, c->cap, c->n + 1);
			c->keys[c->n++] = hg_arena_strndup(h->a, k, len);
		}
		return;
	}
	if (depth != 1)
		return;
	*collecting = 0;
	for (i = 0; i < h->nunder; i++)
		if (strlen(h->under[i]) == len && memcmp(h->under[i], k, len) == 0 &&
		        !h->collected[i].seen) {
			*collecting = (int)i + 1;
			h->collected[i].seen = true;
		}
	*want = NULL;
	for (i = 0; i < h->nkeys; i++)
		if (!h->vals[i] && h->klens[i] == len && memcmp(h->keys[i], k, len) == 0) {
			*want = &h->vals[i];
			*wantlen = &h->vlens[i];
		}
}

int hg_jvscan_validate(const char *text, size_t len, unsigned max_depth, const hg_jvscan_hooks *h)
{
	struct scan s;
	uint64_t objects[HG_JVSCAN_MAX_DEPTH / 64 +
	                 1]; /* bit d: the container at depth d is an object */
	enum state state = S_VALUE;
	unsigned depth = 0;
	const char **want = NULL;
	size_t *wantlen = NULL, wstart = 0, vend = 0, t;
	bool mark = false;
	int collecting = 0;
	const char *end;

	if (max_depth > HG_JVSCAN_MAX_DEPTH || len >= UINT32_MAX || !len)
		return -1; /* (no arithmetic on a NULL text) */
	end = text + len;
	scan_init(&s, text, len);
	while ((t = next(&s)) != NONE) {
		char c = text[t];
		switch (state) {
		case S_VALUE_OR_CLOSE:
			if (c == ']') {
				depth--;
				vend = t + 1;
				break;
			}
			/* fall through */
		case S_VALUE:
			if (mark) {
				wstart = t;
				mark = false;
			}
			if (c == '{' || c == '[') {
				if (++depth > max_depth)
					return -1;
				if (c == '{') {
					objects[depth / 64] |= 1ULL << (depth % 64);
					state = S_KEY_OR_CLOSE;
				} else {
					objects[depth / 64] &= ~(1ULL << (depth % 64));
					state = S_VALUE_OR_CLOSE;
				}
				continue;
			}
			if (c == '"') {
				size_t close = next(&s);
				if (close == NONE)
					return -1;
				vend = close + 1;
				break;
			}
			if (c == ':' || c == ',' || c == '}' || c == ']')
				return -1;
			{
				const char *e = scalar(text + t, end);
				if (!e)
					return -1;
				vend = (size_t)(e - text);
			}
			break;
		case S_KEY_OR_CLOSE:
			if (c == '}') {
				depth--;
				vend = t + 1;
				break;
			}
			/* fall through */
		case S_KEY: {
			size_t close;
			if (c != '"' || (close = next(&s)) == NONE)
				return -1;
			if (h && depth <= 2)
				key_hooks(h, depth, text + t + 1, close - t - 1, &want, &wantlen,
				        &collecting);
			state = S_COLON;
			continue;
		}
		case S_COLON:
			if (c != ':')
				return -1;
			mark = want && depth == 1;
			state = S_VALUE;
			continue;
		case S_AFTER: {
			bool obj = (objects[depth / 64] >> (depth % 64)) & 1;
			if (c == ',') {
				state = obj ? S_KEY : S_VALUE;
				continue;
			}
			if (c != (obj ? '}' : ']'))
				return -1;
			depth--;
			vend = t + 1;
			break;
		}
		default: /* S_END: something after the value */
			return -1;
		}
		/* a value ended at vend, in the container at depth (0: it was the text's value) */
		if (!depth) {
			state = S_END;
			continue;
		}
		state = S_AFTER;
		if (depth == 1) {
			if (want) {
				*want = text + wstart;
				*wantlen = vend - wstart;
				want = NULL;
			}
			collecting = 0;
		}
	}
	return state == S_END && !s.bad && !s.in_string && s.block >= len ? 0 : -1;
}

/* ---- building ---- */

/* An open container: where its children start on the stacks. */
struct frame {
	bool obj;
	bool live; /* built (not a member select left out, or inside one) */
	bool any;  /* an object with a member, built or not */
	size_t base;
};

struct builder {
	hg_arena *a;
	hg_jv **items;
	size_t nitems, capitems;
	hg_jv_member *members;
	size_t nmembers, capmembers;
	struct frame *frames;
	size_t capframes;
	uint32_t *nuls; /* where the terminators of strings in place go, once all is read */
	size_t nnuls, capnuls;
	hg_jv *items_own[64];
	hg_jv_member members_own[64];
	struct frame frames_own[64];
	uint32_t nuls_own[256];
};

/* A stack grown past need: out of its first array (own) into the heap, or within it. */
static void *grown(void *arr, size_t *cap, size_t elem, const void *own)
{
	void *p;
	if (arr == own) {
		p = hg_xmalloc(2 * *cap * elem);
		memcpy(p, own, *cap * elem);
	} else
		p = hg_xrealloc(arr, 2 * *cap * elem);
	*cap *= 2;
	return p;
}

static void builder_free(struct builder *b)
{
	if (b->items != b->items_own)
		free(b->items);
	if (b->members != b->members_own)
		free(b->members);
	if (b->frames != b->frames_own)
		free(b->frames);
	if (b->nuls != b->nuls_own)
		free(b->nuls);
}

static bool selected(
        const char *const *select, const size_t *selen, size_t nselect, const char *k, size_t kl)
{
	size_t i;
	for (i = 0; i < nselect; i++)
		if (selen[i] == kl && memcmp(select[i], k, kl) == 0)
			return true;
	return false;
}

/*
 * The string whose opening quote is at t and closing quote at close: *str,
 * *n (in place, its terminator noted; or decoded into the arena). -1 when
 * it cannot be decoded here.
 */
static inline __attribute__((always_inline)) int string_at(struct scan *s, struct builder *b,
        char *text, size_t t, size_t close, const char **str, size_t *n)
{
	size_t from = t + 1, to = close;
	if ((s->window_bs || t < s->window_start) && memchr(text + from, '\\', to - from)) {
		*str = hg_jv_unescape(b->a, text + from, to - from, n);
		return *str ? 0 : -1;
	}
	if (b->nnuls == b->capnuls)
		b->nuls = grown(b->nuls, &b->capnuls, sizeof(*b->nuls), b->nuls_own);
	b->nuls[b->nnuls++] = (uint32_t)to;
	*str = text + from;
	*n = to - from;
	return 0;
}

int hg_jvscan_build(hg_jv **out, hg_arena *a, char *text, size_t len, unsigned max_depth,
        const char *const *select, const size_t *selen, size_t nselect)
{
	struct scan s;
	struct builder b;
	enum state state = S_VALUE;
	unsigned depth = 0;
	size_t t, i;
	hg_jv *v = NULL;
	const char *key = NULL;
	size_t klen = 0;
	bool live = true; /* the value being read is built */
	int rc = -1;

	*out = NULL;
	if (max_depth > HG_JVSCAN_MAX_DEPTH || len >= UINT32_MAX || !len)
		return -1;
	memset(&b, 0, offsetof(struct builder, items_own));
	b.a = a;
	b.items = b.items_own;
	b.capitems = HG_ARRAY_SIZE(b.items_own);
	b.members = b.members_own;
	b.capmembers = HG_ARRAY_SIZE(b.members_own);
	b.frames = b.frames_own;
	b.capframes = HG_ARRAY_SIZE(b.frames_own);
	b.nuls = b.nuls_own;
	b.capnuls = HG_ARRAY_SIZE(b.nuls_own);
	scan_init(&s, text, len);
	while ((t = next(&s)) != NONE) {
		char c = text[t];
		struct frame *f;
		switch (state) {
		case S_VALUE_OR_CLOSE:
			if (c == ']')
				goto close;
			/* fall through */
		case S_VALUE:
			if (c == '{' || c == '[') {
				if (++depth > max_depth)
					goto fail;
				if (depth == b.capframes)
					b.frames = grown(b.frames, &b.capframes, sizeof(*b.frames),
					        b.frames_own);
				f = &b.frames[depth];
				f->obj = c == '{';
				f->live = live;
				f->any = false;
				f->base = f->obj ? b.nmembers : b.nitems;
				state = f->obj ? S_KEY_OR_CLOSE : S_VALUE_OR_CLOSE;
				continue;
			}
			if (c == '"') {
				size_t close = next(&s), n;
				const char *str;
				if (close == NONE)
					goto fail;
				if (live) {
					if (string_at(&s, &b, text, t, close, &str, &n) < 0)
						goto fail;
					v = hg_jv_new(a, HG_JV_STR);
					v->u.s = str;
					v->n = n;
				}
				break;
			}
			if (c == ':' || c == ',' || c == '}' || c == ']')
				goto fail;
			{
				const char *e = scalar(text + t, text + len);
				if (!e)
					goto fail;
				if (live) {
					switch (c) {
					case 't':
						v = hg_jv_new(a, HG_JV_TRUE);
						break;
					case 'f':
						v = hg_jv_new(a, HG_JV_FALSE);
						break;
					case 'n':
						v = hg_jv_new(a, HG_JV_NULL);
						break;
					default:
						v = hg_jv_new(a, HG_JV_NUM);
						v->n = (size_t)(e - (text + t));
						v->u.s = hg_arena_strndup(a, text + t, v->n);
					}
				}
			}
			break;
		case S_KEY_OR_CLOSE:
			if (c == '}')
				goto close;
			/* fall through */
		case S_KEY: {
			size_t close = next(&s);
			if (c != '"' || close == NONE)
				goto fail;
			f = &b.frames[depth];
			f->any = true;
			if (f->live) { /* (as the parser, a key left out by select is made a string
				          too) */
				if (string_at(&s, &b, text, t, close, &key, &klen) < 0)
					goto fail;
				live = !(select && depth == 1 &&
				         !selected(select, selen, nselect, key, klen));
				if (live) { /* the member, its value to come */
					if (b.nmembers == b.capmembers)
						b.members = grown(b.members, &b.capmembers,
						        sizeof(*b.members), b.members_own);
					b.members[b.nmembers].key = key;
					b.members[b.nmembers].klen = klen;
					b.members[b.nmembers++].val = NULL;
				}
			}
			state = S_COLON;
			continue;
		}
		case S_COLON:
			if (c != ':')
				goto fail;
			state = S_VALUE;
			continue;
		case S_AFTER:
			f = &b.frames[depth];
			if (c == ',') {
				state = f->obj ? S_KEY : S_VALUE;
				continue;
			}
			if (c != (f->obj ? '}' : ']'))
				goto fail;
			goto close;
		default: /* S_END: something after the value */
			goto fail;
		}
		goto done;
	close: /* the container at depth ends */
		f = &b.frames[depth];
		live = f->live;
		if (live) {
			size_t n;
			if (f->obj) {
				n = b.nmembers - f->base;
				v = hg_jv_new(a, HG_JV_OBJ);
				v->n = v->cap = n;
				if (f->any) { /* "{}" has no array, as the parser's */
					v->u.members = hg_arena_alloc_raw(
					        a, n * sizeof(hg_jv_member), sizeof(void *));
					memcpy(v->u.members, b.members + f->base,
					        n * sizeof(hg_jv_member));
				}
				b.nmembers = f->base;
			} else {
				n = b.nitems - f->base;
				v = hg_jv_new(a, HG_JV_ARR);
				v->n = v->cap = n;
				if (n) {
					v->u.items = hg_arena_alloc_raw(
					        a, n * sizeof(hg_jv *), sizeof(void *));
					memcpy(v->u.items, b.items + f->base, n * sizeof(hg_jv *));
				}
				b.nitems = f->base;
			}
		}
		depth--;
	done: /* a value v (when live) ended, in the container at depth (0: the text's value) */
		if (!depth) {
			state = S_END;
			continue;
		}
		state = S_AFTER;
		f = &b.frames[depth];
		if (live) {
			if (f->obj)
				b.members[b.nmembers - 1].val = v;
			else {
				if (b.nitems == b.capitems)
					b.items = grown(b.items, &b.capitems, sizeof(*b.items),
					        b.items_own);
				b.items[b.nitems++] = v;
			}
		}
		live = f->live; /* a member left out ends: the next one may be built */
	}
	if (state == S_END && !s.bad && !s.in_string && s.block >= len) {
		for (i = 0; i < b.nnuls; i++) /* all read: the strings' terminators go in */
			text[b.nuls[i]] = '\0';
		*out = v;
		rc = 0;
	}
fail:
	builder_free(&b);
	return rc;
}
#else
/* No SIMD here: the parser reads every text. */
int hg_jvscan_validate(const char *text, size_t len, unsigned max_depth, const hg_jvscan_hooks *h)
{
	(void)text;
	(void)len;
	(void)max_depth;
	(void)h;
	return -1;
}

int hg_jvscan_build(hg_jv **out, hg_arena *a, char *text, size_t len, unsigned max_depth,
        const char *const *select, const size_t *selen, size_t nselect)
{
	(void)a;
	(void)text;
	(void)len;
	(void)max_depth;
	(void)select;
	(void)selen;
	(void)nselect;
	*out = NULL;
	return -1;
}
#endif

bool hg_jvscan_same_tree(const hg_jv *x, const hg_jv *y)
{
	size_t i;
	if (x->kind != y->kind || x->n != y->n || x->typed != y->typed || x->sorted != y->sorted)
		return false;
	switch (x->kind) {
	case HG_JV_STR:
	case HG_JV_NUM:
		return memcmp(x->u.s, y->u.s, x->n) == 0 && x->u.s[x->n] == '\0' &&
		       y->u.s[y->n] == '\0';
	case HG_JV_ARR:
		if ((x->u.items == NULL) != (y->u.items == NULL))
			return false;
		for (i = 0; i < x->n; i++)
			if (!hg_jvscan_same_tree(x->u.items[i], y->u.items[i]))
				return false;
		return true;
	case HG_JV_OBJ:
		if ((x->u.members == NULL) != (y->u.members == NULL))
			return false;
		for (i = 0; i < x->n; i++)
			if (x->u.members[i].klen != y->u.members[i].klen ||
			        memcmp(x->u.members[i].key, y->u.members[i].key,
			                x->u.members[i].klen) != 0 ||
			        !hg_jvscan_same_tree(x->u.members[i].val, y->u.members[i].val))
				return false;
		return true;
	default:
		return true;
	}
}

bool hg_jvscan_same_keys(const hg_jv_keys *x, const hg_jv_keys *y, size_t n)
{
	size_t u, i;
	for (u = 0; u < n; u++) {
		if (x[u].n != y[u].n || x[u].seen != y[u].seen)
			return false;
		for (i = 0; i < x[u].n; i++)
			if (strcmp(x[u].keys[i], y[u].keys[i]) != 0)
				return false;
	}
	return true;
}
