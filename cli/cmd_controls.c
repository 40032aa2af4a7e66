/*
 * cmd_controls.c: hinagata controls: the control catalog, as text, JSON or
 * Markdown, in English or Japanese.
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compiler/compiler.h"
#include "cli.h"

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata controls [--format text|json|md] [--profile 名前] [--lang "
		      "ja|en]\n\n"
		      "ガバメントクラウドの統制カタログ (templates/controls.yaml) "
		      "を一覧表示します。各統制の\n"
		      "区分・重要度・プロファイルと、実装するテンプレート (またはテンプレート外で\n"
		      "適用される理由) を示します。\n\n"
		      "オプション:\n"
		      "  --format text|json|md   出力形式 (既定: text)\n"
		      "  --profile NAME          このプロファイルの統制だけ (gc-aws, gc-azure)\n"
		      "  --templates DIR         テンプレート検索パスの先頭に DIR を加える\n"
		      "  --lang ja|en            言語 (既定はロケールから)\n",
		        stdout);
	else
		fputs("usage: hinagata controls [--format text|json|md] [--profile NAME] [--lang "
		      "ja|en]\n\n"
		      "List the Government Cloud control catalog (templates/controls.yaml): each\n"
		      "control's category, severity and profile, and the templates that implement\n"
		      "it or the reason it is enforced outside templates.\n\n"
		      "Options:\n"
		      "  --format text|json|md   output format (default: text)\n"
		      "  --profile NAME          only the controls of this profile (gc-aws, "
		      "gc-azure)\n"
		      "  --templates DIR         put DIR first on the template search path\n"
		      "  --lang ja|en            language (default: from the locale)\n",
		        stdout);
}

static const char *pick(hg_cli *cli, const char *en, const char *ja)
{
	if (cli->lang == HG_LANG_JA)
		return ja ? ja : (en ? en : "");
	return en ? en : (ja ? ja : "");
}

static void text(hg_cli *cli, const hg_control_row *r)
{
	size_t k;
	printf("%-14s %-10s %-8s %-8s %s\n", r->id, r->category ? r->category : "-",
	        r->severity ? r->severity : "-", r->profile ? r->profile : "-",
	        r->mandatory ? (cli->lang == HG_LANG_JA ? "必須" : "mandatory") : "");
	printf("    %s\n", pick(cli, r->title_en, r->title_ja));
	for (k = 0; k < r->nimpl; k++)
		printf("    %s %s\n",
		        cli->lang == HG_LANG_JA ? "実装:" : "implemented by:", r->impl[k]);
	if (r->outside_en || r->outside_ja)
		printf("    %s %s\n",
		        cli->lang == HG_LANG_JA ? "テンプレート外:" : "outside templates:",
		        pick(cli, r->outside_en, r->outside_ja));
}

/* Markdown table cells cannot hold '|'. */
static void md_cell(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else
			putchar(*s);
	}
}

static void markdown_row(hg_cli *cli, const hg_control_row *r)
{
	size_t k;
	printf("| %s | %s | %s | %s | ", r->id, r->category ? r->category : "",
	        r->severity ? r->severity : "",
	        r->mandatory ? (cli->lang == HG_LANG_JA ? "必須" : "yes") : "");
	md_cell(pick(cli, r->title_en, r->title_ja));
	fputs(" | ", stdout);
	for (k = 0; k < r->nimpl; k++) {
		fputs(k ? "<br>" : "", stdout);
		printf("`");
		md_cell(r->impl[k]);
		printf("`");
	}
	if (r->outside_en || r->outside_ja) {
		fputs(r->nimpl ? "<br>" : "", stdout);
		md_cell(pick(cli, r->outside_en, r->outside_ja));
	}
	fputs(" |\n", stdout);
}

static json_t *row_json(const hg_control_row *r)
{
	json_t *o = json_object(), *title = json_object(), *impl = json_array();
	size_t k;

	json_object_set_new(o, "id", json_string(r->id));
	if (r->title_en)
		json_object_set_new(title, "en", json_string(r->title_en));
	if (r->title_ja)
		json_object_set_new(title, "ja", json_string(r->title_ja));
	json_object_set_new(o, "title", title);
	json_object_set_new(o, "category", r->category ? json_string(r->category) : json_null());
	json_object_set_new(o, "severity", r->severity ? json_string(r->severity) : json_null());
	json_object_set_new(o, "profile", r->profile ? json_string(r->profile) : json_null());
	json_object_set_new(o, "mandatory", json_boolean(r->mandatory));
	for (k = 0; k < r->nimpl; k++)
		json_array_append_new(impl, json_string(r->impl[k]));
	json_object_set_new(o, "implemented_by", impl);
	if (r->outside_en || r->outside_ja) {
		json_t *out = json_object();
		if (r->outside_en)
			json_object_set_new(out, "en", json_string(r->outside_en));
		if (r->outside_ja)
			json_object_set_new(out, "ja", json_string(r->outside_ja));
		json_object_set_new(o, "enforced_outside", out);
	}
	return o;
}

int hg_cmd_controls(hg_cli *cli, int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_PROFILE, OPT_TEMPLATES, OPT_LANG };
	static const struct option longopts[] = {
	        {"format", required_argument, NULL, OPT_FORMAT},
	        {"profile", required_argument, NULL, OPT_PROFILE},
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	hg_compile_options o = HG_COMPILE_OPTIONS_INIT;
	hg_cli_paths paths = {0};
	hg_diags d = HG_DIAGS_INIT;
	hg_control_row *rows = NULL;
	const char *format = "text", *profile = NULL;
	size_t n = 0, i, shown = 0;
	int c, rc = HG_EXIT_FAILURE;
	json_t *arr = NULL;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			format = optarg;
			break;
		case OPT_PROFILE:
			profile = optarg;
			break;
		case OPT_TEMPLATES:
			hg_cli_paths_add(&paths, optarg);
			break;
		case OPT_LANG:
			if (!hg_cli_set_lang(cli, optarg))
				goto out;
			break;
		case 'h':
			help(cli);
			rc = HG_EXIT_CLEAN;
			goto out;
		default:
			rc = hg_cli_usage_error(cli, "controls",
			        "option '%s' is unknown or needs a value",
			        "オプション '%s' は存在しないか、値の指定が必要です", argv[optind - 1]);
			goto out;
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 &&
	        strcmp(format, "md") != 0) {
		rc = hg_cli_usage_error(cli, "controls",
		        "--format must be text, json or md, not '%s'",
		        "--format には text、json、md のいずれかを指定してください ('%s' "
		        "は使えません)",
		        format);
		goto out;
	}
	if (optind < argc) {
		rc = hg_cli_usage_error(cli, "controls", "unexpected argument '%s'",
		        "余分な引数 '%s' があります", argv[optind]);
		goto out;
	}
	if (!hg_cli_paths_check(cli, &paths)) {
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	hg_cli_paths_finish(&paths);
	o.template_dirs = paths.dirs;
	o.ntemplate_dirs = paths.ndirs;
	o.bundled_dir = paths.bundled;
	if (hg_catalog_list(&rows, &n, &o, &d) < 0) {
		hg_cli_print_diags(cli, &d);
		rc = d.nerrors ? hg_diags_exit_code(&d) : HG_EXIT_FAILURE;
		if (rc == HG_EXIT_FINDINGS)
			rc = HG_EXIT_FAILURE; /* no catalog: the command could not run */
		goto out;
	}
	if (profile) { /* a profile no control names is a typo, not an empty list */
		hg_buf known = HG_BUF_INIT;
		bool found = false;
		for (i = 0; i < n; i++) {
			const char *p = rows[i].profile;
			size_t k;
			if (!p)
				continue;
			found |= strcmp(p, profile) == 0;
			for (k = 0; k < i && !(rows[k].profile && strcmp(rows[k].profile, p) == 0);)
				k++;
			if (k == i)
				hg_buf_printf(&known, "%s%s", known.size ? ", " : "", p);
		}
		if (!found) {
			hg_buf msg = HG_BUF_INIT;
			if (cli->lang == HG_LANG_JA)
				hg_buf_printf(&msg,
				        "プロファイル '%s' はありません (%s "
				        "のいずれかを指定してください)",
				        profile, known.ptr);
			else
				hg_buf_printf(&msg, "unknown profile '%s' (profiles: %s)", profile,
				        known.ptr);
			rc = hg_cli_usage_error(cli, "controls", "%s", "%s", msg.ptr);
			hg_buf_dispose(&msg);
			hg_buf_dispose(&known);
			goto out;
		}
		hg_buf_dispose(&known);
	}
	if (strcmp(format, "json") == 0)
		arr = json_array();
	if (strcmp(format, "md") == 0) {
		puts(cli->lang == HG_LANG_JA ? "| ID | 区分 | 重要度 | 必須 | 統制 | 実装 |"
		                             : "| ID | Category | Severity | Mandatory | Control | "
		                               "Implemented by |");
		puts("|---|---|---|---|---|---|");
	}
	for (i = 0; i < n; i++) {
		if (profile && (!rows[i].profile || strcmp(rows[i].profile, profile) != 0))
			continue;
		shown++;
		if (arr)
			json_array_append_new(arr, row_json(&rows[i]));
		else if (strcmp(format, "md") == 0)
			markdown_row(cli, &rows[i]);
		else
			text(cli, &rows[i]);
	}
	if (arr) {
		char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s) {
			puts(s);
			free(s);
		}
		json_decref(arr);
	} else if (strcmp(format, "text") == 0) {
		printf(cli->lang == HG_LANG_JA ? "\n統制 %zu 件\n" : "\n%zu controls\n", shown);
	}
	rc = HG_EXIT_CLEAN;
out:
	hg_control_rows_free(rows, n);
	hg_cli_paths_dispose(&paths);
	hg_diags_dispose(&d);
	return rc;
}
