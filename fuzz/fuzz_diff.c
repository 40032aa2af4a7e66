/*
 * fuzz_diff.c: libFuzzer target for the template diff (hinagata diff): two
 * templates, CloudFormation or ARM, JSON or YAML, cut from one input at its
 * first NUL byte (none: at the middle), compared with the registry schemas
 * and schemas/diff/rules.json loaded, and the diff written as text, JSON and
 * Markdown in both languages. Whatever the bytes, the JSON report must be
 * JSON (jansson reads it back) and the text and Markdown valid UTF-8 without
 * control characters but newlines and tabs.
 * Part of hinagata; see LICENSE.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "diff/tdiff.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void report(const hg_tdiff *t, hg_report_format f, hg_lang lang)
{
	hg_report_options ro = {f, lang, false};
	hg_buf out = HG_BUF_INIT;

	if (hg_tdiff_report(&out, t, &ro) < 0)
		abort();
	if (f != HG_FMT_JSON && !hg_utf8_is_clean(out.ptr, out.size, HG_CLEAN_NEWLINES)) {
		fwrite(out.ptr, 1, out.size, stderr);
		abort(); /* a report is valid UTF-8 without control characters */
	}
	if (f == HG_FMT_JSON) {
		json_error_t e;
		json_t *j = json_loadb(out.ptr, out.size, 0, &e);
		if (!j)
			abort(); /* the JSON report is JSON (jansson also refuses bytes that are not UTF-8) */
		json_decref(j);
	}
	hg_buf_dispose(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_tdiff_options o = HG_TDIFF_OPTIONS_INIT;
	hg_diags d = HG_DIAGS_INIT;
	hg_tdiff *t = NULL;
	const char *s = (const char *)data, *cut = memchr(s, '\0', size);
	size_t n1 = cut ? (size_t)(cut - s) : size / 2, off2 = cut ? n1 + 1 : n1;

	o.schema_dir = HG_FUZZ_SCHEMAS;
	if (hg_tdiff_texts(&t, "before.json", s, n1, "after.json", s + off2, size - off2, &o, &d) == 0) {
		report(t, HG_FMT_TEXT, HG_LANG_EN);
		report(t, HG_FMT_TEXT, HG_LANG_JA);
		report(t, HG_FMT_JSON, HG_LANG_EN);
		report(t, HG_FMT_MD, HG_LANG_JA);
		hg_tdiff_free(t);
	}
	hg_diags_dispose(&d);
	return 0;
}
