/*
 * fuzz_export.c: libFuzzer target for the export reader (the clouds' CLI
 * output) and the jv parser it hands each record to.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "drift/export.h"
#include "drift/jv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same tree: the same canonical text (hg_jv_equal looks a key up, and
 * a fuzzed object may have a key twice). */
static bool same(const hg_jv *x, const hg_jv *y)
{
	hg_buf a = HG_BUF_INIT, b = HG_BUF_INIT;
	bool r;
	hg_jv_canonical(&a, x);
	hg_jv_canonical(&b, y);
	r = a.size == b.size && memcmp(a.ptr, b.ptr, a.size) == 0;
	hg_buf_dispose(&a);
	hg_buf_dispose(&b);
	return r;
}

static int on_record(const hg_export_item *it, void *payload)
{
	hg_arena *a = hg_arena_new();
	hg_jv *v = NULL, *p;
	hg_jv_error err;
	hg_buf b = HG_BUF_INIT;

	static const char *const keys[] = {"Identifier", "StackName", "id"};
	const char *vals[3] = {0};
	size_t vlens[3] = {0};
	int valid = hg_jv_validate(it->raw, it->len, 64, &err, keys, 3, vals, vlens);

	(void)payload;
	if (!it->raw) { /* the end of a listing: a type, no record */
		if (it->shape != HG_EXP_CC_LIST || !it->type_name || it->len)
			abort();
		hg_arena_dispose(a);
		return 0;
	}
	if (hg_jv_parse(&v, a, it->raw, it->len, 64, &err) != valid)
		abort(); /* validation and parsing must agree */
	if (valid == 0) {
		const char *pv = NULL;
		size_t pl = 0;
		hg_jv *known = NULL, *body = NULL;
		hg_jv_canonical(&b, v);
		p = hg_jv_get(v, "Properties");
		/* the member found without a parse is the one a parse finds */
		if (hg_jv_known_member(it->raw, it->len, "Properties", &pv, &pl) == 0 &&
		        (!p || hg_jv_parse(&known, a, pv, pl, 64, NULL) < 0 || !same(known, p)))
			abort();
		if (p && p->kind == HG_JV_STR && pv && pl >= 2 && pv[0] == '"') {
			/* the body parsed where it is: what decoding and parsing give, or -1 */
			char *copy = hg_arena_strndup(a, pv + 1, pl - 2);
			int rb = hg_jv_parse_string_body(&body, a, copy, pl - 2, 64, NULL, 0);
			int rd = hg_jv_parse(&v, a, p->u.s, p->n, 64, &err);
			if (rb == 0 && (rd < 0 || !same(body, v)))
				abort();
			if (rd == 0)
				(void)hg_jv_hash(v);
		} else if (p && p->kind == HG_JV_STR &&
		           hg_jv_parse(&v, a, p->u.s, p->n, 64, &err) == 0)
			(void)hg_jv_hash(v);
	}
	hg_buf_dispose(&b);
	hg_arena_dispose(a);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_export_limits lim = {4096, 64};
	hg_export_shape shape;
	const char *file = hg_diags_source(&d, "export.json", NULL, 0);

	hg_export_read_mem((const char *)data, size, file, on_record, NULL, &d, &lim, &shape);
	hg_diags_dispose(&d);
	return 0;
}
