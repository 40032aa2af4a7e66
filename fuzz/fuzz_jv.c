/*
 * fuzz_jv.c: libFuzzer target for the jv parser and the two-stage scan
 * under it (drift/jvscan.c): on any input, the scan (both of its stage 1s)
 * accepts exactly what the parser alone accepts, notes the same top-level
 * members' values and collects the same keys (hg_jv_validate and
 * hg_jv_scan_keys with the scan and without); a parse in place (of all
 * members or some) builds the same tree and changes the text the same way.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "drift/jv.h"
#include "drift/jvscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {"Resources", "a", "Type"};

/* text[0..len) checked with the scan (sse2: its SSE2 stage 1) and without: the same in all. */
static void same_check(const char *text, size_t len, bool sse2, hg_arena *a)
{
	static const char *const under[] = {"Resources", "a"};
	const char *v1[3] = {0}, *v2[3] = {0};
	size_t l1[3] = {0}, l2[3] = {0};
	hg_jv_keys k1[2], k2[2];
	hg_jv_error err;
	int r1, r2, s1, s2;

	hg_jvscan_off = true;
	r1 = hg_jv_validate(text, len, 16, &err, keys, 3, v1, l1);
	s1 = hg_jv_scan_keys(text, len, 16, &err, NULL, 0, NULL, NULL, under, 2, k1, a);
	hg_jvscan_off = false;
	hg_jvscan_sse2_only = sse2;
	r2 = hg_jv_validate(text, len, 16, &err, keys, 3, v2, l2);
	s2 = hg_jv_scan_keys(text, len, 16, &err, NULL, 0, NULL, NULL, under, 2, k2, a);
	hg_jvscan_sse2_only = false;
	if (r1 != r2 || s1 != s2 || s1 != r1)
		abort(); /* the scan and the parser disagree */
	if (r1 == 0 && (memcmp(v1, v2, sizeof(v1)) != 0 || memcmp(l1, l2, sizeof(l1)) != 0 ||
	                       !hg_jvscan_same_keys(k1, k2, 2)))
		abort(); /* members or keys noted otherwise */
}

/* text[0..len) parsed in place with the scan and without: the same verdict, tree and text after. */
static void same_build(const char *text, size_t len, const char *const *select, size_t nsel)
{
	hg_arena *a = hg_arena_new();
	char *x = malloc(len + 1), *y = malloc(len + 1);
	hg_jv *tx = NULL, *ty = NULL;
	hg_jv_error err;
	int rx, ry;

	memcpy(x, text, len);
	memcpy(y, text, len);
	hg_jvscan_off = true;
	rx = hg_jv_parse_in_place(&tx, a, x, len, 16, &err, select, nsel);
	hg_jvscan_off = false;
	ry = hg_jv_parse_in_place(&ty, a, y, len, 16, &err, select, nsel);
	if (rx != ry || memcmp(x, y, len) != 0 || (rx == 0 && !hg_jvscan_same_tree(tx, ty)))
		abort(); /* the scan built another tree, or changed the text otherwise */
	free(x);
	free(y);
	hg_arena_dispose(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const select[] = {"a", "Type"};
	const char *text = (const char *)data;
	hg_arena *a = hg_arena_new();

	same_check(text, size, false, a);
	same_check(text, size, true, a);
	same_build(text, size, NULL, 0);
	same_build(text, size, select, 2);
	hg_arena_dispose(a);
	return 0;
}
