/*
 * fuzz_config.c: libFuzzer target for .hinagata.yaml, a repository's
 * settings, as hinagata check reads them.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>

#include "compiler/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_config c;

	if (hg_config_parse(&c, HG_CONFIG_FILE, (const char *)data, size, &d) == 0)
		hg_config_dispose(&c);
	hg_diags_dispose(&d);
	return 0;
}
