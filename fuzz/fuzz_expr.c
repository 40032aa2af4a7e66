/*
 * fuzz_expr.c: libFuzzer target for ${...} strings and expressions.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>

#include "common/arena.h"
#include "compiler/expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_arena *a = hg_arena_new();
	hg_diags d = HG_DIAGS_INIT;
	hg_span at = {NULL, 1, 1, 1, 1};
	at.file = hg_diags_source(&d, "e", (const char *)data, size);
	hg_value_parse_string(a, &d, (const char *)data, size, &at, true, &at);
	hg_expr_parse(a, &d, (const char *)data, size, &at, false);
	hg_diags_dispose(&d);
	hg_arena_dispose(a);
	return 0;
}
