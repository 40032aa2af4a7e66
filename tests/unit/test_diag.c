/*
 * test_diag.c: diagnostics: messages in both languages, rendering, order.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "common/diag.h"

static const char *src = "a: 1\n名前: \tbad\n";

static char *render(hg_diags *d, hg_lang lang)
{
	hg_buf out = HG_BUF_INIT;
	hg_render_options ro = {lang, false, 0};
	hg_diags_sort(d);
	hg_diags_render(d, &out, &ro);
	return hg_buf_detach(&out);
}

Test(diag, renders_location_code_source_and_caret)
{
	hg_diags d = HG_DIAGS_INIT;
	const char *f = hg_diags_source(&d, "x.yaml", src, strlen(src));
	hg_span s = {f, 2, 6, 2, 9};
	hg_diag *dg = hg_diag_add(
	        &d, HG_D_UNKNOWN_KEY, &s, "bad", HG_BI("a template", "テンプレート"), NULL);
	hg_span first = {f, 1, 1, 1, 2};
	char *out;
	hg_diag_note(dg, HG_D_N_FIRST_HERE, &first, NULL);
	hg_diag_note(dg, HG_D_N_DID_YOU_MEAN, NULL, "bar", NULL);
	out = render(&d, HG_LANG_EN);
	/* The caret skips two wide characters (4 columns) and copies the tab. */
	cr_assert_str_eq(out, "x.yaml:2:6: error[HG0101]: unknown key 'bad' in a template\n"
	                      "  |\n"
	                      "2 | 名前: \tbad\n"
	                      "  |       \t^~~\n"
	                      "x.yaml:1:1: note: first defined here\n"
	                      "  |\n"
	                      "1 | a: 1\n"
	                      "  | ^\n"
	                      "  = help: did you mean 'bar'?\n");
	free(out);
	out = render(&d, HG_LANG_JA);
	cr_assert(strstr(out, "x.yaml:2:6: エラー[HG0101]: テンプレートに不明なキー 'bad' "
	                      "があります\n") != NULL,
	        "%s", out);
	cr_assert(strstr(out, "  = ヒント: 'bar' のことですか?\n") != NULL, "%s", out);
	free(out);
	hg_diags_dispose(&d);
}

Test(diag, exit_code_follows_the_worst_class)
{
	hg_diags d = HG_DIAGS_INIT;
	cr_assert_eq(hg_diags_exit_code(&d), 0);
	hg_diag_add(&d, HG_D_PARAM_UNUSED, NULL, "x", NULL);
	cr_assert_eq(hg_diags_exit_code(&d), 0);
	hg_diag_add(&d, HG_D_YAML_EMPTY, NULL, NULL);
	cr_assert_eq(hg_diags_exit_code(&d), 1);
	hg_diag_add(&d, HG_D_IO_READ, NULL, "f", "No such file", NULL);
	cr_assert_eq(hg_diags_exit_code(&d), 2);
	hg_diags_dispose(&d);
}

Test(diag, sorted_by_file_then_position_then_insertion)
{
	hg_diags d = HG_DIAGS_INIT;
	const char *f1 = hg_diags_source(&d, "one.yaml", NULL, 0);
	const char *f2 = hg_diags_source(&d, "two.yaml", NULL, 0);
	hg_span a = {f2, 1, 1, 1, 2}, b = {f1, 5, 2, 5, 3}, c = {f1, 5, 1, 5, 2};
	hg_diag_add(&d, HG_D_YAML_EMPTY, &a, NULL);
	hg_diag_add(&d, HG_D_YAML_EMPTY, &b, NULL);
	hg_diag_add(&d, HG_D_YAML_EMPTY, &c, NULL);
	hg_diags_sort(&d);
	cr_assert_eq(d.items[0]->span.col, 1);
	cr_assert_eq(d.items[0]->span.file, f1);
	cr_assert_eq(d.items[1]->span.col, 2);
	cr_assert_eq(d.items[2]->span.file, f2);
	hg_diags_dispose(&d);
}

Test(diag, every_code_has_both_messages_and_a_unique_number)
{
	int seen[10000] = {0};
	int i;
	for (i = 0; i < HG_D__COUNT; i++) {
		const hg_diag_info *info = hg_diag_info_of((hg_diag_code)i);
		cr_assert(info->en[0] && info->ja[0], "%s", info->name);
		if (info->number == 0) {
			cr_assert_eq(info->severity, HG_SEV_NOTE, "%s", info->name);
			continue;
		}
		cr_assert_eq(seen[info->number], 0, "HG%04d used twice", info->number);
		seen[info->number] = 1;
		/* Placeholders used in English appear in Japanese too. */
		for (int k = 0; k < 4; k++) {
			char ph[4] = {'{', (char)('0' + k), '}', 0};
			cr_assert_eq(strstr(info->en, ph) != NULL, strstr(info->ja, ph) != NULL,
			        "%s placeholder %s", info->name, ph);
		}
	}
}

Test(diag, limit_adds_a_count_of_the_rest)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_buf out = HG_BUF_INIT;
	hg_render_options ro = {HG_LANG_EN, false, 2};
	int i;
	for (i = 0; i < 5; i++)
		hg_diag_add(&d, HG_D_YAML_EMPTY, NULL, NULL);
	hg_diags_render(&d, &out, &ro);
	cr_assert(strstr(out.ptr, "note: 3 more diagnostics not shown") != NULL, "%s", out.ptr);
	hg_buf_dispose(&out);
	hg_diags_dispose(&d);
}

/* A long line (minified JSON) shows a window from 80 bytes before the column. */
Test(diag, long_lines_show_a_window_around_the_column)
{
	hg_diags d = HG_DIAGS_INIT;
	char line[2001], want[1024];
	const char *f;
	char *out;
	hg_span s;
	int k;

	memset(line, 'x', 2000);
	line[2000] = '\0';
	memcpy(line + 999, "\"Bad\"", 5);
	f = hg_diags_source(&d, "m.json", line, 2000);
	s = (hg_span){f, 1, 1000, 1, 1005};
	hg_diag_add(&d, HG_D_UNKNOWN_KEY, &s, "Bad", HG_BI("a template", "テンプレート"), NULL);
	out = render(&d, HG_LANG_EN);
	k = snprintf(want, sizeof(want), "1 | ... %.80s\"Bad\"%.315s ...\n  |     %80s^~~~~\n",
	        line, line, "");
	cr_assert(k > 0 && strstr(out, want) != NULL, "%s", out);
	free(out);
	hg_diags_dispose(&d);
}
