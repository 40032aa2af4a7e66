/*
 * fuzz_check.c: libFuzzer target for hand-written CloudFormation and ARM
 * templates as hinagata check reads them (YAML or JSON, short-form tags,
 * intrinsic functions, suppressions) and the control rules run on them.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>

#include "compiler/compiler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_compile_options o = HG_COMPILE_OPTIONS_INIT;
	hg_diags d = HG_DIAGS_INIT;
	bool recognized;

	o.bundled_dir = HG_FUZZ_TEMPLATES;
	o.schema_dir = HG_FUZZ_SCHEMAS;
	hg_check_template_text("t.yaml", (const char *)data, size, &o, &d, &recognized);
	hg_diags_dispose(&d);
	return 0;
}
