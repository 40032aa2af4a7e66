/*
 * scan.h: the first of two bytes in a range, 16 bytes at a time.
 * Part of hinagata; see LICENSE.
 *
 * The readers' inner loop: the next quote or backslash of a JSON string
 * (drift/jv.c, drift/export.c), the next field end or escape of a drift
 * cache blob (drift/cache.c). Returns a pointer into [p, end) (borrowed,
 * like the range), or end when neither byte is there.
 */
#ifndef HG_SCAN_H
#define HG_SCAN_H

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

#endif
