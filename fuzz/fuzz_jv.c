/*
 * fuzz_jv.c: libFuzzer target for the jv parser and its validating scan
 * (drift/jvscan.c): on any input, the scan (both of its stage 1s) accepts
 * exactly what the parser accepts, notes the values of the same top-level
 * members, and hg_jv_scan_keys collects the keys the parser's tree has;
 * a parse in place (of all members or some) builds the same tree and
 * changes the text the same way with the scan as without it.
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
static const size_t klens[] = {9, 1, 4};

/* The canonical texts of x and of the JSON at text[0..len) are the same. */
static bool same_text(const hg_jv *x, const char *text, size_t len)
{
	hg_arena *a = hg_arena_new();
	hg_buf p = HG_BUF_INIT, q = HG_BUF_INIT;
	hg_jv *y;
	bool r = hg_jv_parse(&y, a, text, len, 64, NULL) == 0;
	if (r) {
		hg_jv_canonical(&p, x);
		hg_jv_canonical(&q, y);
		r = p.size == q.size && memcmp(p.ptr, q.ptr, p.size) == 0;
	}
	hg_buf_dispose(&p);
	hg_buf_dispose(&q);
	hg_arena_dispose(a);
	return r;
}

/* The same canonical text. */
static bool same_tree(const hg_jv *x, const hg_jv *y)
{
	hg_buf p = HG_BUF_INIT, q = HG_BUF_INIT;
	bool r;
	hg_jv_canonical(&p, x);
	hg_jv_canonical(&q, y);
	r = p.size == q.size && memcmp(p.ptr, q.ptr, p.size) == 0;
	hg_buf_dispose(&p);
	hg_buf_dispose(&q);
	return r;
}

/* text[0..len) parsed in place without the scan and with it: the same verdict, tree and text after.
 */
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
	if (rx != ry || memcmp(x, y, len) != 0 || (rx == 0 && !same_tree(tx, ty)))
		abort(); /* the scan built another tree, or changed the text otherwise */
	free(x);
	free(y);
	hg_arena_dispose(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	hg_arena *a = hg_arena_new();
	hg_jv *tree = NULL;
	int parsed = hg_jv_parse(&tree, a, text, size, 16, NULL), pass;

	for (pass = 0; pass < 2; pass++) {
		const char *vals[3] = {0};
		size_t vlens[3] = {0}, i, m;
		hg_jvscan_hooks h;
		memset(&h, 0, sizeof(h));
		h.keys = keys;
		h.klens = klens;
		h.nkeys = 3;
		h.vals = vals;
		h.vlens = vlens;
		hg_jvscan_sse2_only = pass == 1;
		if (hg_jvscan_validate(text, size, 16, &h) != parsed)
			abort(); /* the scan and the parser disagree */
		hg_jvscan_sse2_only = false;
		if (parsed < 0 || tree->kind != HG_JV_OBJ)
			continue;
		for (i = 0; i < 3; i++) {
			const hg_jv *want = NULL;
			for (m = 0; m < tree->n && !want; m++)
				if (tree->u.members[m].klen == klens[i] &&
				        memcmp(tree->u.members[m].key, keys[i], klens[i]) == 0)
					want = tree->u.members[m].val;
			if ((vals[i] != NULL) != (want != NULL) ||
			        (want && !same_text(want, vals[i], vlens[i])))
				abort(); /* a member noted that the tree does not have there */
		}
	}
	if (parsed == 0 && tree->kind == HG_JV_OBJ) {
		static const char *const under[] = {"Resources"};
		const char *vals[3] = {0};
		size_t vlens[3] = {0}, i;
		hg_jv_keys found[1];
		hg_jv_error err;
		const hg_jv *res = hg_jv_get(tree, "Resources");
		if (hg_jv_scan_keys(
		            text, size, 16, &err, keys, 3, vals, vlens, under, 1, found, a) != 0)
			abort();
		if (res && res->kind == HG_JV_OBJ) { /* the first Resources: its keys, decoded */
			if (found[0].n != res->n)
				abort();
			for (i = 0; i < res->n; i++)
				if (strlen(found[0].keys[i]) == res->u.members[i].klen &&
				        memcmp(found[0].keys[i], res->u.members[i].key,
				                res->u.members[i].klen) != 0)
					abort();
		}
	}
	{
		static const char *const select[] = {"a", "Type"};
		same_build(text, size, NULL, 0);
		same_build(text, size, select, 2);
	}
	hg_arena_dispose(a);
	return 0;
}
