/*
 * fuzz_import.c: libFuzzer target for what hinagata history import reads
 * (aws securityhub get-findings, az security assessment list, hinagata's
 * drift JSON), from the shape detection to the observations of a recorder.
 * Nothing is written to a store: the recording stays in memory.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>

#include "history/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static hg_record_options o = HG_RECORD_OPTIONS_INIT;
	hg_diags d = HG_DIAGS_INIT;
	hg_import_kind kind = hg_import_detect((const char *)data, size);
	hg_recorder *r;

	o.source = hg_import_source(kind);
	o.date = "2026-12-01";
	o.bundled_dir = HG_FUZZ_TEMPLATES;
	o.schema_dir = HG_FUZZ_SCHEMAS;
	if ((r = hg_recorder_new(&o, &d)) != NULL)
		hg_import_read(r, kind, "input.json", (const char *)data, size, &d);
	hg_recorder_free(r);
	hg_diags_dispose(&d);
	return 0;
}
