/*
 * fuzz_semver.c: libFuzzer target for versions and version ranges.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "compiler/semver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_arena *a = hg_arena_new();
	char *s = hg_arena_strndup(a, (const char *)data, size);
	hg_range *r;
	hg_semver v;

	if (strlen(s) == size) {
		if (hg_range_parse(&r, a, s) == 0 && hg_semver_parse(&v, a, "1.2.3-rc.1") == 0)
			hg_range_match(r, &v);
		if (hg_semver_parse(&v, a, s) == 0 && hg_range_parse(&r, a, "^1.0 || >=2.0.0 <3") == 0)
			hg_range_match(r, &v);
	}
	hg_arena_dispose(a);
	return 0;
}
