/*
 * fuzz_check.c: libFuzzer target for hand-written CloudFormation and ARM
 * templates as hinagata check reads them (YAML or JSON, short-form tags,
 * intrinsic functions and ARM expressions evaluated with parameters and
 * conditions, suppressions), the control rules and the schema check run on
 * them.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compiler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One checker for the run, as hinagata check keeps one for a repository: the
 * profiles and schemas are read once, into `loaded`, which lives as long. */
static hg_checker *ck;
static hg_diags loaded = HG_DIAGS_INIT;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_diags d = HG_DIAGS_INIT;
	bool recognized;

	if (!ck) {
		static const char seed[] =
		        "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";
		hg_compile_options o = HG_COMPILE_OPTIONS_INIT;
		o.bundled_dir = HG_FUZZ_TEMPLATES;
		o.schema_dir = HG_FUZZ_SCHEMAS;
		ck = hg_checker_new(&o);
		hg_checker_check(ck, "seed.yaml", seed, strlen(seed), &loaded, &recognized);
	}
	hg_checker_check(ck, "t.yaml", (const char *)data, size, &d, &recognized);
	hg_diags_dispose(&d);
	return 0;
}
