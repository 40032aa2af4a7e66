/*
 * fuzz_import.c: libFuzzer target for what hinagata history import reads
 * (aws securityhub get-findings, az security assessment list, hinagata's
 * drift JSON), from the shape detection to the observations of a recorder,
 * and a drift report's fleet shard and listings (what `history import`
 * keeps of a shard until its night is complete, and reads back).
 * Nothing is written to a store: the recording stays in memory.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "history/history.h"
#include "history/record.h"

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
	if (kind == HG_IMPORT_DRIFT) {
		json_t *doc = hg_import__parse("input.json", (const char *)data, size, &d);
		unsigned index, count;
		if (doc && hg_import__shard("input.json", (const char *)data, size, doc, &index, &count, &d) == 0 &&
		        count && (index < 1 || index > count))
			abort(); /* a shard read is one of its night's */
		json_decref(doc);
	}
	hg_recorder_free(r);
	hg_diags_dispose(&d);
	return 0;
}
