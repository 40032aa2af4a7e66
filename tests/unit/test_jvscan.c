/*
 * test_jvscan.c: the two-stage validating scan accepts exactly what the jv
 * parser accepts, with both stage 1s (AVX2 where the processor has it, and
 * SSE2), and notes the same members and keys.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "drift/jv.h"
#include "drift/jvscan.h"

static const char *const keys[] = {"Resources", "a", "Type", "x\\u0041"};
static const size_t klens[] = {9, 1, 4, 7};

/*
 * text is checked by the scan (both stage 1s) and by the parser alone
 * (hg_jv_validate and hg_jv_scan_keys without the scan): the same verdict,
 * the same members' values noted (the same bytes of text) and the same
 * keys collected; and the parser's tree-building parse agrees.
 */
static void same_verdict(const char *text, size_t len, unsigned max_depth)
{
	static const char *const under[] = {"Resources", "a"};
	int pass;
	hg_arena *a = hg_arena_new();
	hg_jv *tree = NULL;
	int parsed = hg_jv_parse(&tree, a, text, len, max_depth, NULL);
	const char *want[4] = {0};
	size_t wantlen[4] = {0};
	hg_jv_keys wantkeys[2];
	hg_jv_error err;

	hg_jvscan_off = true;
	cr_assert_eq(hg_jv_validate(text, len, max_depth, &err, keys, 4, want, wantlen), parsed);
	cr_assert_eq(hg_jv_scan_keys(text, len, max_depth, &err, keys, 0, NULL, NULL, under, 2,
	                     wantkeys, a),
	        parsed);
	hg_jvscan_off = false;
	for (pass = 0; pass < 2; pass++) {
		const char *vals[4] = {0};
		size_t vlens[4] = {0};
		hg_jv_keys found[2];
		hg_jvscan_hooks h;
		int scanned;
		memset(&h, 0, sizeof(h));
		h.keys = keys;
		h.klens = klens;
		h.nkeys = 4;
		h.vals = vals;
		h.vlens = vlens;
		hg_jvscan_sse2_only = pass == 1;
		scanned = hg_jvscan_validate(text, len, max_depth, &h);
		cr_assert_eq(scanned, parsed, "%s: scan %d, parser %d on [%.*s] (%zu bytes)",
		        pass ? "SSE2" : "default", scanned, parsed, (int)(len > 300 ? 300 : len),
		        text, len);
		if (parsed == 0)
			cr_assert(memcmp(vals, want, sizeof(vals)) == 0 &&
			                  memcmp(vlens, wantlen, sizeof(vlens)) == 0,
			        "members noted otherwise: [%.*s]", (int)len, text);
		cr_assert_eq(hg_jv_scan_keys(text, len, max_depth, &err, keys, 0, NULL, NULL, under,
		                     2, found, a),
		        parsed);
		if (parsed == 0)
			cr_assert(hg_jvscan_same_keys(found, wantkeys, 2),
			        "keys collected otherwise: [%.*s]", (int)len, text);
		hg_jvscan_sse2_only = false;
	}
	hg_arena_dispose(a);
}

static void same_verdict_str(const char *text)
{
	same_verdict(text, strlen(text), 64);
}

Test(jvscan, accepts_and_refuses_what_the_parser_does)
{
	/* clang-format off */
	static const char *const cases[] = {
		"{}", "[]", "0", "-0", "1.5e+3", "-12.25E-07", "true", "false", "null", "\"\"",
		" \t\r\n{ \"a\" : [ 1 , 2 ] }\n ", "{\"a\":{\"b\":[{},[],\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"]}}",
		"{\"Resources\":{\"R\":{\"Type\":\"T\"}},\"a\":1,\"a\":2}", "\"\\ud83d\\ude00\"",
		"\"\\ud800\"", "\"日本語\"", "[1,2,3]", "{\"Type\" :\"x\"}",
		/* refused */
		"", " ", "{", "}", "[", "]", "[1,]", "{\"a\":1,}", "{,}", "[,1]", "{\"a\" 1}",
		"{\"a\":}", "{1:2}", "{\"a\":1 \"b\":2}", "[1 2]", "01", "-", "1.", ".5", "1e", "1e+",
		"+1", "0x10", "tru", "truex", "nul", "nulll", "falsy", "True", "\"abc", "\"a\\\"",
		"\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"a\nb\"", "\"a\tb\"", "\"\x01\"", "\"\x1f\"",
		"[\x0c]", "[\x1a]", "[1\x0c]", "{\"a\"\x1a 1}", "\x7f", "[1]x", "[1]]", "{}{}", "1 2",
		"\"a\"\"b\"", "[\"a\"\"b\"]", "\\\"a\"", "[\\]", "{\"a\\\":1}", "[1,\\", "[0 ]",
		"[-]", "[--1]", "[1.5.5]", "[1e5e5]", "[nulltrue]", "\xef\xbb\xbf{}", "[\xc3\xa9]",
		"{\"a\":1}\x00", "[\"\x00\"]", "[1]\n\x01",
	};
	/* clang-format on */
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		same_verdict_str(cases[i]);
}

Test(jvscan, nesting_is_bounded_as_the_parser_bounds_it)
{
	char deep[2100];
	unsigned d;
	for (d = 1; d <= 1025; d += 64) {
		memset(deep, '[', d);
		memset(deep + d, ']', d);
		same_verdict(deep, 2 * d, 512);
		same_verdict(deep, 2 * d, 1024);
		same_verdict(deep, 2 * d, 3);
	}
	same_verdict("[[[1]]]", 7, 3);
	same_verdict("[[[1]]]", 7, 2);
	same_verdict("{\"a\":{\"b\":{}}}", 14, 3);
	same_verdict("{\"a\":{\"b\":{}}}", 14, 2);
	/* no text at all (a NULL one): nothing taken, nothing read */
	cr_assert_eq(hg_jvscan_validate(NULL, 0, 64, NULL), -1);
	/* deeper than the scan takes: the parser's */
	cr_assert_eq(hg_jvscan_validate("[]", 2, HG_JVSCAN_MAX_DEPTH + 1, NULL), -1);
}

/* A state of xorshift64: the same cases on every run. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Mutations of documents whose strings, escapes and blanks fall on every
 * offset of the 64-byte blocks and across the 4 KiB windows: each mutant
 * gets the same verdict from both. Bytes are taken from those that change
 * the scan's marks: quotes, backslashes, structural characters, blanks,
 * control characters, the first bytes of literals and numbers.
 */
Test(jvscan, mutants_get_the_parsers_verdict, .timeout = 120)
{
	static const char alphabet[] =
	        "{}[]:,\"\\\\\\\"\" \n\t\rtrufalsenl0123456789-+.eEux/A\x01\x0c\x1a\x7f\xc3";
	hg_buf doc = HG_BUF_INIT, m = HG_BUF_INIT;
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	int n, k;

	/* a template-like document, one block's worth of shifts of it */
	for (k = 0; k < 70; k++) {
		hg_buf_clear(&doc);
		hg_buf_printf(&doc, "{%*s\"Resources\": {\n", k, "");
		for (n = 0; n < 40; n++)
			hg_buf_printf(&doc,
			        "  \"R%d\": {\"Type\": \"AWS::S3::Bucket\", \"a\": [%d, -%d.5e3, "
			        "true, "
			        "false, null], \"s\": \"%.*s\\\"\\\\\\u00e9\\n%*s\"},\n",
			        n, n, n, n % 67,
			        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			        "xx",
			        (n * 7) % 61, "");
		hg_buf_puts(&doc, "  \"last\": {}\n}, \"a\": \"x\"}");
		same_verdict(doc.ptr, doc.size, 64);
		for (n = 0; n < 60; n++) {
			size_t at, cut;
			int edits = 1 + (int)(rnd(&s) % 3), e;
			hg_buf_clear(&m);
			hg_buf_put(&m, doc.ptr, doc.size);
			for (e = 0; e < edits; e++) {
				at = (size_t)(rnd(&s) % m.size);
				switch (rnd(&s) % 3) {
				case 0: /* replace */
					m.ptr[at] = alphabet[rnd(&s) % (sizeof(alphabet) - 1)];
					break;
				case 1: /* delete */
					memmove(m.ptr + at, m.ptr + at + 1, m.size - at - 1);
					m.size--;
					break;
				default: /* cut: the text ends here */
					cut = at;
					m.size = cut ? cut : 1;
				}
			}
			same_verdict(m.ptr, m.size, 64);
		}
	}
	/* short random texts of those bytes */
	for (n = 0; n < 20000; n++) {
		char t[24];
		size_t len = 1 + rnd(&s) % sizeof(t), i;
		for (i = 0; i < len; i++)
			t[i] = alphabet[rnd(&s) % (sizeof(alphabet) - 1)];
		same_verdict(t, len, 4);
	}
	hg_buf_dispose(&doc);
	hg_buf_dispose(&m);
}

/* A string longer than a window (no mark in 64 blocks), escapes at its end. */
Test(jvscan, a_string_longer_than_a_window)
{
	hg_buf doc = HG_BUF_INIT;
	size_t i;
	hg_buf_puts(&doc, "{\"a\": \"");
	for (i = 0; i < 10000; i++)
		hg_buf_putc(&doc, (char)('a' + i % 26));
	hg_buf_puts(&doc, "\\\\\\\"\", \"Type\": [1]}");
	same_verdict(doc.ptr, doc.size, 64);
	doc.ptr[100] = '\n';
	same_verdict(doc.ptr, doc.size, 64);
	hg_buf_dispose(&doc);
}

/* hg_jv_scan_keys: the keys of Resources, raw, in order; a second Resources is not read. */
Test(jvscan, the_keys_of_a_member_are_collected)
{
	static const char doc[] =
	        "{\"Metadata\": {\"k\": 1}, \"Resources\": {\"B\": {\"x\": {\"deep\": 1}}, "
	        "\"A\\u0042\": 1, \"C\": [ {\"no\": 1} ]}, \"Resources\": {\"D\": 1}}";
	static const char *const k[] = {"Resources", "Metadata"};
	static const char *const under[] = {"Resources"};
	const char *vals[2] = {0};
	size_t vlens[2] = {0};
	hg_jv_keys found[1];
	hg_jv_error err;
	hg_arena *a = hg_arena_new();

	cr_assert_eq(
	        hg_jv_scan_keys(doc, strlen(doc), 64, &err, k, 2, vals, vlens, under, 1, found, a),
	        0);
	cr_assert_eq(found[0].n, 3);
	cr_assert_str_eq(found[0].keys[0], "B");
	cr_assert_str_eq(found[0].keys[1], "AB"); /* decoded after the scan */
	cr_assert_str_eq(found[0].keys[2], "C");
	cr_assert(found[0].seen);
	cr_assert_eq(vlens[1], strlen("{\"k\": 1}"));
	cr_assert_eq(strncmp(vals[0], "{\"B\"", 4), 0);
	/* a bad one: the parser's verdict and place */
	vals[0] = vals[1] = NULL;
	cr_assert_eq(hg_jv_scan_keys("{\"Resources\": {\"A\": 1, \"B\": }}", 31, 64, &err, k, 2,
	                     vals, vlens, under, 1, found, a),
	        -1);
	cr_assert_eq(err.offset, 28); /* the "}" where B's value should be */
	hg_arena_dispose(a);
}

/* ---- building ---- */

/*
 * text parsed in place (select: only those members) by the parser alone and
 * with the scan first: the same verdict, tree and changes to the text; and
 * the scan takes every text the parser takes.
 */
static void same_build(const char *text, size_t len, const char *const *select, size_t nsel)
{
	static const size_t selen[] = {1, 4, 9};
	hg_arena *a = hg_arena_new();
	char *x = malloc(len + 1), *y = malloc(len + 1), *z = malloc(len + 1);
	hg_jv *tx = NULL, *ty = NULL, *tz = NULL;
	hg_jv_error err;
	int rx, ry, rz, pass;

	for (pass = 0; pass < 2; pass++) {
		memcpy(x, text, len);
		memcpy(y, text, len);
		memcpy(z, text, len);
		x[len] = y[len] = z[len] = '\0';
		hg_jvscan_sse2_only = pass == 1;
		hg_jvscan_off = true;
		rx = hg_jv_parse_in_place(&tx, a, x, len, 64, &err, select, nsel);
		hg_jvscan_off = false;
		ry = hg_jv_parse_in_place(&ty, a, y, len, 64, &err, select, nsel);
		rz = hg_jvscan_build(&tz, a, z, len, 64, select, selen, nsel);
		hg_jvscan_sse2_only = false;
		cr_assert_eq(rx, ry, "verdicts %d %d on [%.*s]", rx, ry,
		        (int)(len > 300 ? 300 : len), text);
		cr_assert_eq(rz, rx, "the scan %d, the parser %d on [%.*s]", rz, rx,
		        (int)(len > 300 ? 300 : len), text);
		cr_assert(memcmp(x, y, len) == 0, "the text changed otherwise: [%.*s]", (int)len,
		        text);
		if (rz < 0)
			cr_assert(memcmp(z, text, len) == 0, "a text the scan left changed: [%.*s]",
			        (int)len, text);
		else
			cr_assert(memcmp(z, x, len) == 0);
		if (rx == 0)
			cr_assert(hg_jvscan_same_tree(tx, ty) &&
			                  (rz < 0 || hg_jvscan_same_tree(tx, tz)),
			        "trees differ: [%.*s]", (int)len, text);
	}
	free(x);
	free(y);
	free(z);
	hg_arena_dispose(a);
}

static void same_builds(const char *text, size_t len)
{
	static const char *const select[] = {"a", "Type", "Resources"};
	same_build(text, len, NULL, 0);
	same_build(text, len, select, 3);
	same_build(text, len, select, 0);
}

Test(jvscan, builds_the_tree_the_parser_builds)
{
	/* clang-format off */
	static const char *const cases[] = {
		"{}", "[]", "{\"a\":{},\"b\":[]}", "0", "\"s\"", "[1,-2.5e3,true,false,null,\"x\"]",
		"{\"a\":1,\"a\":2,\"Type\":{\"a\":[{}]},\"z\":\"\\u00e9\\n\\\"\"}",
		" {\"Resources\" : {\"R\" : {\"Type\" : \"T\", \"Properties\" : {}}}} ",
		"{\"k\\\"ey\":1,\"a\":\"esc\\\\aped\"}", "{\"x\":1}", "{\"x\":{\"a\":1}}",
		"[{\"a\":\"\"}]", "\"\"", "{\"a\":\"\"}",
		/* refused */
		"{", "[1,]", "{\"a\":1,}", "\"a\\x\"", "[1 2]", "{\"a\":\"b\" \"c\":1}",
		"{\"a\":\"\x01\"}", "[\"a\\u00\"]", "{\"a\":1}}",
	};
	/* clang-format on */
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		same_builds(cases[i], strlen(cases[i]));
}

Test(jvscan, mutants_are_built_as_the_parser_builds_them, .timeout = 120)
{
	static const char alphabet[] =
	        "{}[]:,\"\\\\\\\"\" \n\t\rtrufalsenl0123456789-+.eEux/A\x01\x0c\x1a\x7f\xc3";
	hg_buf doc = HG_BUF_INIT, m = HG_BUF_INIT;
	uint64_t s = 0x2545f4914f6cdd1dULL;
	int n, k;

	for (k = 0; k < 40; k++) {
		hg_buf_clear(&doc);
		hg_buf_printf(&doc, "{%*s\"Type\": \"AWS::S3::Bucket\", \"a\": {\n", k, "");
		for (n = 0; n < 30; n++)
			hg_buf_printf(&doc,
			        "  \"K%d\": [\"%.*s\", %d, true, {\"Key\": \"v%d\"}, null],\n", n,
			        (n * 13) % 70,
			        "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
			        "yyyyyyyyy",
			        n, n);
		hg_buf_puts(&doc, "  \"e\": \"\"}, \"Resources\": [], \"z\": false}");
		same_builds(doc.ptr, doc.size);
		for (n = 0; n < 25; n++) {
			size_t at;
			hg_buf_clear(&m);
			hg_buf_put(&m, doc.ptr, doc.size);
			at = (size_t)(rnd(&s) % m.size);
			if (rnd(&s) % 2)
				m.ptr[at] = alphabet[rnd(&s) % (sizeof(alphabet) - 1)];
			else {
				memmove(m.ptr + at, m.ptr + at + 1, m.size - at - 1);
				m.size--;
			}
			same_builds(m.ptr, m.size);
		}
	}
	for (n = 0; n < 5000; n++) {
		char t[20];
		size_t len = 1 + rnd(&s) % sizeof(t), i;
		for (i = 0; i < len; i++)
			t[i] = alphabet[rnd(&s) % (sizeof(alphabet) - 1)];
		same_builds(t, len);
	}
	hg_buf_dispose(&doc);
	hg_buf_dispose(&m);
}
