/*
 * fuzz_state.c: libFuzzer target for the state reader: one export file
 * (any shape: listings, az records flattened or not, a collector's
 * manifest) read into a unit, merged, its coverage asked about and every
 * record read back in the model's shape.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/arena.h"
#include "drift/canon.h"
#include "drift/readback.h"
#include "drift/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];
static hg_canon *rules;

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
	hg_canon_free(rules);
}

static void setup(void)
{
	hg_diags d = HG_DIAGS_INIT;
	snprintf(dir, sizeof(dir), "/tmp/hg-fuzz-state.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/az-export.json", dir);
	rules = hg_canon_open(HG_FUZZ_SCHEMAS, &d);
	if (!rules)
		abort();
	hg_diags_dispose(&d);
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_export_limits lim = {4096, 64};
	hg_state_spec spec;
	hg_state_file *files[1];
	hg_unit u;
	hg_fdcache fc;
	char *paths[1];
	FILE *f;
	size_t i;
	int rc = 0;

	if (!rules)
		setup();
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	files[0] = hg_state_read_file(path, path, &lim, hg_canon_az_rules(rules), &d, &rc);
	paths[0] = path;
	spec.name = dir;
	spec.paths = paths;
	spec.npaths = 1;
	spec.loose = false;
	memset(&u, 0, sizeof(u));
	hg_state_merge(&u, &spec, files, hg_canon_az_rules(rules), &d);
	hg_fdcache_init(&fc);
	for (i = 0; i < u.nrecs; i++) {
		hg_arena *a = hg_arena_new();
		int r = 0;
		(void)hg_unit_covers(&u, u.recs[i].identity, u.recs[i].type);
		(void)hg_state_record(&u, &u.recs[i], a, &fc, &d, &r);
		hg_arena_dispose(a);
	}
	hg_fdcache_dispose(&fc);
	hg_unit_dispose(&u);
	hg_diags_dispose(&d);
	return 0;
}
