/*
 * fuzz_fleet.c: libFuzzer target for fleet.yaml, the fleet manifest, as
 * hinagata fleet plan and the collectors read it, and its plan (units,
 * shards) when it is valid.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fleet/fleet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_fleet_options o = {NULL, 0, HG_FUZZ_TEMPLATES, HG_FUZZ_SCHEMAS};
	hg_fleet *f = NULL;

	if (hg_fleet_parse(&f, "fleet.yaml", (const char *)data, size, &o, &d) == 0) {
		hg_shard s = {1, 3, "--shard"};
		hg_fleet_plan_free(hg_fleet_plan_new(f, NULL));
		hg_fleet_plan_free(hg_fleet_plan_new(f, &s));
		hg_fleet_free(f);
	}
	hg_diags_dispose(&d);
	return 0;
}
