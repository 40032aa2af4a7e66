/*
 * test_common.c: hg_buf, hg_arena, hash, UTF-8 helpers, edit distance, scans.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/hash.h"
#include "common/jsontext.h"
#include "common/scan.h"
#include "common/util.h"

Test(buf, starts_empty_and_terminated)
{
	hg_buf b = HG_BUF_INIT;
	cr_assert_eq(b.size, 0);
	cr_assert_str_eq(b.ptr, "");
	hg_buf_dispose(&b);
}

Test(buf, appends_and_grows_past_chunk)
{
	hg_buf b = HG_BUF_INIT;
	int i;
	for (i = 0; i < 10000; i++)
		hg_buf_putc(&b, (char)('a' + i % 26));
	cr_assert_eq(b.size, 10000);
	cr_assert_eq(b.ptr[10000], '\0');
	cr_assert_eq(b.ptr[27], 'b');
	hg_buf_printf(&b, "%d-%s", 42, "x");
	cr_assert_str_eq(b.ptr + 10000, "42-x");
	hg_buf_truncate(&b, 3);
	cr_assert_str_eq(b.ptr, "abc");
	hg_buf_dispose(&b);
	cr_assert_eq(b.size, 0);
}

Test(buf, detach_transfers_ownership)
{
	hg_buf b = HG_BUF_INIT;
	char *s;
	hg_buf_puts(&b, "hello");
	s = hg_buf_detach(&b);
	cr_assert_str_eq(s, "hello");
	cr_assert_eq(b.size, 0);
	cr_assert_str_eq(b.ptr, "");
	free(s);
	s = hg_buf_detach(&b); /* an empty buffer still gives an owned string */
	cr_assert_str_eq(s, "");
	free(s);
}

Test(arena, interning_gives_one_pointer_per_string)
{
	hg_arena *a = hg_arena_new();
	const char *x = hg_arena_intern(a, "bucket", 6);
	const char *y = hg_arena_intern(a, "bucket_policy", 6);
	const char *z = hg_arena_intern(a, "trail", 5);
	int i;
	cr_assert_eq(x, y);
	cr_assert_neq(x, z);
	cr_assert_str_eq(y, "bucket");
	/* Force the table to rehash and check identities survive. */
	for (i = 0; i < 5000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "n%d", i);
		hg_arena_intern(a, name, strlen(name));
	}
	cr_assert_eq(hg_arena_intern(a, "bucket", 6), x);
	hg_arena_dispose(a);
}

Test(arena, allocations_are_zeroed_and_aligned)
{
	hg_arena *a = hg_arena_new();
	int i;
	for (i = 0; i < 1000; i++) {
		unsigned char *p = hg_arena_alloc(a, (size_t)(i % 97 + 1));
		cr_assert_eq((uintptr_t)p % 16, 0);
		cr_assert_eq(p[0], 0);
	}
	/* A block larger than a chunk. */
	cr_assert_not_null(hg_arena_alloc(a, 1 << 20));
	cr_assert_str_eq(hg_arena_printf(a, "%s-%d", "id", 7), "id-7");
	hg_arena_dispose(a);
}

/* Known answers from the reference `xxhsum -H3` (xxHash 0.8.1). */
/* Criterion may run each case in a fresh process: no pointers in params. */
struct kat {
	char input[16];
	char hex[17];
};

ParameterizedTestParameters(hash, xxh3_known_answers)
{
	static struct kat k[] = {
	        {"", "2d06800538d394c2"},
	        {"a", "e6c632b61e964e1f"},
	        {"hinagata", "4f5e72fb32ee9bd2"},
	};
	return cr_make_param_array(struct kat, k, sizeof(k) / sizeof(k[0]));
}

ParameterizedTest(struct kat *k, hash, xxh3_known_answers)
{
	char hex[17];
	hg_hash_hex(hex, hg_hash64(k->input, strlen(k->input)));
	cr_assert_str_eq(hex, k->hex);
}

Test(hash, streaming_equals_one_shot)
{
	char big[1000], hex[17];
	hg_hasher *h = hg_hasher_new();
	memset(big, 'x', sizeof(big));
	hg_hasher_update(h, big, 300);
	hg_hasher_update(h, big + 300, 700);
	hg_hash_hex(hex, hg_hasher_digest(h));
	cr_assert_str_eq(hex, "c0a4877b962cba82");
	cr_assert_eq(hg_hasher_digest(h), hg_hash64(big, sizeof(big)));
	hg_hasher_free(h);
}

Test(jsontext, escapes_only_what_json_requires)
{
	hg_buf b = HG_BUF_INIT;
	hg_json_string(&b, "a\"b\\c\n\x01日本", strlen("a\"b\\c\n\x01日本"));
	cr_assert_str_eq(b.ptr, "\"a\\\"b\\\\c\\n\\u0001日本\"");
	hg_buf_clear(&b);
	hg_json_real(&b, 2.0);
	hg_buf_puts(&b, " ");
	hg_json_real(&b, 0.5);
	cr_assert_str_eq(b.ptr, "2.0 0.5");
	hg_buf_dispose(&b);
}

Test(util, edit_distance_is_capped)
{
	cr_assert_eq(hg_edit_distance("Versioning", "Versioning", 3), 0);
	cr_assert_eq(hg_edit_distance("BucketNme", "BucketName", 3), 1);
	cr_assert_eq(hg_edit_distance("abc", "xyzxyzxyz", 3), 4);
}

/* hg_sort's comparisons counted: an array in order is read once, not sorted. */
static int sort_calls;
static int cmp_pair_first(const void *x, const void *y)
{
	const int *a = x, *b = y;
	sort_calls++;
	return (a[0] > b[0]) - (a[0] < b[0]);
}

Test(util, sort_skips_what_is_in_order_and_sorts_the_rest)
{
	/* pairs {key, position}: equal keys keep their order in either case */
	int in_order[6][2] = {{1, 0}, {2, 1}, {2, 2}, {3, 3}, {5, 4}, {8, 5}};
	int shuffled[6][2] = {{5, 0}, {2, 1}, {8, 2}, {1, 3}, {2, 4}, {3, 5}};
	static const int want[6][2] = {{1, 3}, {2, 1}, {2, 4}, {3, 5}, {5, 0}, {8, 2}};
	int i;

	sort_calls = 0;
	hg_sort(in_order, 6, sizeof(in_order[0]), cmp_pair_first);
	cr_assert_eq(sort_calls, 5, "one pass of n - 1 comparisons");
	for (i = 0; i < 6; i++)
		cr_assert_eq(in_order[i][1], i);
	hg_sort(shuffled, 6, sizeof(shuffled[0]), cmp_pair_first);
	for (i = 0; i < 6; i++) {
		cr_assert_eq(shuffled[i][0], want[i][0], "item %d", i);
		cr_assert_eq(shuffled[i][1], want[i][1], "item %d: equal keys in their order", i);
	}
	hg_sort(shuffled, 0, sizeof(shuffled[0]), cmp_pair_first); /* nothing: no call */
}

Test(util, utf8_decoding_and_width)
{
	uint32_t cp;
	cr_assert_eq(hg_utf8_decode("日", 3, &cp), 3);
	cr_assert_eq(cp, 0x65E5);
	cr_assert_eq(hg_char_width(cp), 2);
	cr_assert_eq(hg_char_width('a'), 1);
	cr_assert_eq(hg_utf8_decode("\xff", 1, &cp), 1);
}

/* The end of a string the slow way: byte by byte, escapes stepped over. */
static size_t string_end_ref(const char *p, size_t n, bool *escaped)
{
	bool e = *escaped;
	size_t i;
	for (i = 0; i < n; i++) {
		if (e)
			e = false;
		else if (p[i] == '\\')
			e = true;
		else if (p[i] == '"') {
			*escaped = false;
			return i;
		}
	}
	*escaped = e;
	return n;
}

/*
 * hg_string_end finds what the byte-by-byte reading finds: random strings
 * of quotes, runs of backslashes and other bytes, of every length around
 * its 64-byte steps, whole and cut into two ranges at every point (the
 * escape carried from the first to the second); with the AVX2 steps
 * where the processor has them, and without.
 */
Test(scan, string_end_is_the_first_unescaped_quote)
{
	char text[700];
	unsigned seed = 7;
	int round;
#ifdef HG_SCAN_AVX2
	bool avx2 = hg_scan_avx2;
#endif

	for (round = 0; round < 8000; round++) {
		size_t n, i, cut;
#ifdef HG_SCAN_AVX2
		hg_scan_avx2 = avx2 && round % 2; /* with AVX2 (if any), without */
#endif
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % sizeof(text);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			switch ((seed >> 16) % (round % 5 == 4 ? 600 : round % 3 == 0 ? 40 : 8)) {
			case 0: text[i] = '"'; break;
			case 1: case 2: case 3: text[i] = '\\'; break;
			default: text[i] = (char)('a' + (seed >> 20) % 26); break;
			}
		}
		for (i = 0; i < 2; i++) {
			bool e_ref = i == 1, e = i == 1;
			size_t want = string_end_ref(text, n, &e_ref);
			const char *got = hg_string_end(text, text + n, &e);
			cr_assert_eq((size_t)(got - text), want, "round %d, escaped %zu: %.*s", round, i, (int)n, text);
			cr_assert_eq(e, e_ref, "round %d: the escape carried out", round);
		}
		for (cut = 0; cut <= n; cut += 1 + (size_t)(round % 7)) {
			bool e_ref = false, e = false;
			size_t want = string_end_ref(text, n, &e_ref);
			const char *got = hg_string_end(text, text + cut, &e);
			if (got == text + cut)
				got = hg_string_end(text + cut, text + n, &e);
			cr_assert_eq((size_t)(got - text), want, "round %d, cut at %zu: %.*s", round, cut, (int)n, text);
		}
	}
#ifdef HG_SCAN_AVX2
	hg_scan_avx2 = avx2;
#endif
}

/*
 * hg_skip_blank stops where a byte-by-byte reading stops and counts the same
 * line feeds, the last of them where that reading saw it: random runs of
 * the four blanks with other bytes among them, around its 16-byte steps.
 */
/* Where a byte-by-byte reading of the blanks at text ends; their line feeds counted. */
static size_t blank_end_ref(const char *text, size_t n, uint64_t *lines, const char **last_nl)
{
	size_t at;
	for (at = 0; at < n; at++) {
		if (text[at] == '\n') {
			++*lines;
			*last_nl = text + at;
		} else if (text[at] != ' ' && text[at] != '\r' && text[at] != '\t')
			break;
	}
	return at;
}

Test(scan, blanks_end_at_the_first_other_byte_with_their_lines_counted)
{
	static const char blanks[] = " \n\r\t";
	char text[100];
	unsigned seed = 11;
	int round;

	for (round = 0; round < 4000; round++) {
		size_t n, i, want;
		uint64_t lines = 5, want_lines = 5;
		const char *nl = NULL, *want_nl = NULL, *got;
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % sizeof(text);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			text[i] = (seed >> 16) % (round % 2 ? 60 : 6) == 0 ? 'x' : blanks[(seed >> 20) % 4];
		}
		want = blank_end_ref(text, n, &want_lines, &want_nl);
		got = hg_skip_blank(text, text + n, &lines, &nl);
		cr_assert_eq((size_t)(got - text), want, "round %d", round);
		cr_assert_eq(lines, want_lines, "round %d: lines", round);
		cr_assert_eq(nl, want_nl, "round %d: the last line feed", round);
	} /* an indented export's run: a line feed, k spaces, then a token, another
	   * blank or a control character (its one-step case, and around it) */
	for (round = 0; round < 25 * 5; round++) {
		static const char after[] = {'x', '\t', '\n', '\x01', ' '};
		size_t k = (size_t)round / 5, n = k + 2 + 20, want;
		uint64_t lines = 0, want_lines = 0;
		const char *nl = NULL, *want_nl = NULL, *got;
		memset(text, 'y', sizeof(text));
		text[0] = '\n';
		memset(text + 1, ' ', k);
		text[1 + k] = after[round % 5];
		want = blank_end_ref(text, n, &want_lines, &want_nl);
		got = hg_skip_blank(text, text + n, &lines, &nl);
		cr_assert_eq(
		        (size_t)(got - text), want, "indent %zu, then %d", k, after[round % 5]);
		cr_assert_eq(lines, want_lines, "indent %zu: lines", k);
		cr_assert_eq(nl, want_nl, "indent %zu: the last line feed", k);
	}
}
