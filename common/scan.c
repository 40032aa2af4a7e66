/*
 * scan.c: the AVX2 steps of common/scan.h's scans, chosen at run time.
 * Part of hinagata; see LICENSE.
 *
 * A cloudcontrol record's Properties are a JSON string of a kilobyte or
 * more with an escape every few bytes; the export reader steps over each
 * one to find where the record ends (hg_string_end). With AVX2 a 64-byte
 * step is two loads and four compares instead of four and eight. The
 * result is the same bytes: the SSE2 steps and these find the same quote
 * (tests/unit/test_common.c runs both).
 */
#include "scan.h"

#ifdef HG_SCAN_AVX2
#include <immintrin.h>

bool hg_scan_avx2;

__attribute__((constructor)) static void ask_avx2(void)
{
	__builtin_cpu_init(); /* (another constructor may come first) */
	hg_scan_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi");
}

/* The bytes of the 64 in lo and hi that equal c, as bits. */
__attribute__((target("avx2"))) static inline uint64_t mask64(__m256i lo, __m256i hi, __m256i c)
{
	uint64_t l = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, c));
	uint64_t h = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, c));
	return l | h << 32;
}

__attribute__((target("avx2,bmi"))) const char *hg_string_end_avx2(
        const char **p_io, const char *end, uint64_t *carry)
{
	const __m256i quote = _mm256_set1_epi8('"'), bs = _mm256_set1_epi8('\\');
	const char *p = *p_io;

	for (; end - p >= 64; p += 64) {
		__m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p),
		        hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
		uint64_t q = mask64(lo, hi, quote) & ~hg_escaped64(mask64(lo, hi, bs), carry);
		if (q)
			return p + __builtin_ctzll(q);
	}
	*p_io = p;
	return NULL;
}
#endif
