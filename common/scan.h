/*
 * scan.h: the first of two bytes in a range, 16 bytes at a time.
 * Part of hinagata; see LICENSE.
 *
 * The readers' inner loops: the next quote or backslash of a JSON string
 * (drift/jv.c, drift/export.c), the next field end or escape of a drift
 * cache blob (drift/cache.c); the end of a JSON string full of escapes;
 * the end of the blanks between tokens of an indented export.
 * Each returns a pointer into [p, end) (borrowed, like the range), or end.
 */
#ifndef HG_SCAN_H
#define HG_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static inline const char *hg_find2(const char *p, const char *end, char a, char b)
{
#ifdef __SSE2__
	const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)));
		if (m)
			return p + __builtin_ctz((unsigned)m);
		p += 16;
	}
#endif
	while (p < end && *p != a && *p != b)
		p++;
	return p;
}

/*
 * The first byte in [p, end) that a JSON string cannot hold as it is: a
 * quote, a backslash or a control character (the end of a string's plain
 * run), or end.
 */
static inline const char *hg_plain_end(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
	              ctl = _mm_set1_epi8(0x1f);
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i hit =
		        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs)),
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

#ifdef __SSE2__
/* The bytes of the 64 at p that equal c, as bits. */
static inline uint64_t hg_mask64(const char *p, char c)
{
	const __m128i v = _mm_set1_epi8(c);
	uint64_t m0 = (uint32_t)_mm_movemask_epi8(
	        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), v));
	uint64_t m1 = (uint32_t)_mm_movemask_epi8(
	        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), v));
	uint64_t m2 = (uint32_t)_mm_movemask_epi8(
	        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), v));
	uint64_t m3 = (uint32_t)_mm_movemask_epi8(
	        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), v));
	return m0 | m1 << 16 | m2 << 32 | m3 << 48;
}
#endif

/*
 * The bytes that a backslash escapes, among 64 whose backslashes are
 * backslash (bits); *carry: on entry 1 if the first of them is escaped
 * (the 64 before ended in an odd run of backslashes), on return the same
 * for the next 64. A run of backslashes escapes every other byte from its
 * start: simdjson's branchless form (odd runs found by an addition).
 */
static inline uint64_t hg_escaped64(uint64_t backslash, uint64_t *carry)
{
	const uint64_t even = 0x5555555555555555ULL;
	uint64_t follows, odd_starts, even_seq;
	backslash &= ~*carry;
	follows = backslash << 1 | *carry;
	odd_starts = backslash & ~even & ~follows;
	*carry = __builtin_add_overflow(odd_starts, backslash, &even_seq);
	return (even ^ (even_seq << 1)) & follows;
}

#if defined(__SSE2__) && defined(__GNUC__) && defined(__x86_64__)
#define HG_SCAN_AVX2 1
/* The processor has AVX2 (common/scan.c asks it once, at start; tests may clear it). */
extern bool hg_scan_avx2;
/*
 * hg_string_end's 64-byte steps with AVX2, from *p while 64 bytes are left
 * before end: the closing quote, or NULL with *p where the steps stopped
 * and *carry as hg_escaped64 leaves it.
 */
const char *hg_string_end_avx2(const char **p, const char *end, uint64_t *carry);
#endif

/*
 * The closing quote of a JSON string whose bytes begin at p: the first '"'
 * in [p, end) that no backslash escapes, or end. *escaped: on entry, whether
 * p[0] is escaped (a range that ended in the middle of an escape); on
 * return at end, the same for the byte at end. 64 bytes at a time: the
 * Properties of a cloudcontrol record have an escape every few bytes.
 */
static inline const char *hg_string_end(const char *p, const char *end, bool *escaped)
{
	bool e = *escaped;
#ifdef __SSE2__
	uint64_t carry = e;
#ifdef HG_SCAN_AVX2
	if (hg_scan_avx2 && end - p >= 256) { /* a long one: 64 bytes in two loads, not four */
		const char *q = hg_string_end_avx2(&p, end, &carry);
		if (q) {
			*escaped = false;
			return q;
		}
	}
#endif
	while (end - p >= 64) {
		uint64_t q = hg_mask64(p, '"') & ~hg_escaped64(hg_mask64(p, '\\'), &carry);
		if (q) {
			*escaped = false;
			return p + __builtin_ctzll(q);
		}
		p += 64;
	}
	e = carry != 0;
#endif
	for (; p < end; p++) {
		if (e)
			e = false;
		else if (*p == '\\')
			e = true;
		else if (*p == '"') {
			*escaped = false;
			return p;
		}
	}
	*escaped = e;
	return end;
}

/*
 * The first byte in [p, end) that is not JSON whitespace, or end; *lines
 * grows by the line feeds before it and *last_nl is the last of them
 * (unchanged when there are none). An export the AWS CLI wrote is indented
 * four spaces a level: a dozen blanks before most tokens.
 */
static inline const char *hg_skip_blank(const char *p, const char *end, uint64_t *lines,
        const char **last_nl)
{
#ifdef __SSE2__
	/* the usual run of an indented export: a line feed, then spaces up to
	 * the next token (the loop below reads any other run) */
	if (end - p >= 17 && *p == '\n') {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))) ^
		             0xFFFFu;
		if (m && (unsigned char)p[1 + __builtin_ctz(m)] > ' ') {
			++*lines;
			*last_nl = p;
			return p + 1 + __builtin_ctz(m);
		}
	}
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i nl = _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'));
		__m128i blank = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), nl),
		        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
		                _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
		unsigned stop = (unsigned)_mm_movemask_epi8(blank) ^ 0xFFFFu;
		unsigned feeds = (unsigned)_mm_movemask_epi8(nl);
		if (stop) /* only the line feeds before the first other byte */
			feeds &= (1u << __builtin_ctz(stop)) - 1;
		if (feeds) {
			*lines += (unsigned)__builtin_popcount(feeds);
			*last_nl = p + 31 - __builtin_clz(feeds);
		}
		if (stop)
			return p + __builtin_ctz(stop);
		p += 16;
	}
#endif
	for (; p < end; p++) {
		if (*p == '\n') {
			++*lines;
			*last_nl = p;
		} else if (*p != ' ' && *p != '\r' && *p != '\t')
			break;
	}
	return p;
}

#endif
