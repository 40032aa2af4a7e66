/*
 * cmd_report.c: hinagata report: the monthly report (月次レポート) from the
 * history store, as Markdown, HTML or JSON.
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "../compiler/compiler.h"
#include "../compiler/config.h"
#include "../history/history.h"
#include "../report/report.h"
#include "cli.h"

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata report [--history FILE] [--month YYYY-MM] [--format md|html|json]\n"
		      "                       [-o FILE] [--max-rows N] [--lang ja|en]\n\n"
		      "履歴ストアから月次レポートを作ります: 月末のコンプライアンススコアと過去 12 か月の\n"
		      "推移、アカウント別・統制別のスコア、今月検出・解決した項目、未解決と抑制済みの項目\n"
		      "(理由と期限)、確認済みの範囲、重要度別・統制別のドリフト、アカウントごとの必須\n"
		      "適用テンプレートのバージョンと最新バージョン。HTML は 1 ファイルで完結し、A4 で印刷できます。\n\n"
		      "オプション:\n"
		      "  --history FILE        履歴ストア (既定: .hinagata.yaml の history:)\n"
		      "  --month YYYY-MM       対象の月 (既定: 最後に記録した実行の月)\n"
		      "  --format F            md (既定)、html、json\n"
		      "  -o FILE               ファイルに書く (既定: 標準出力)\n"
		      "  --max-rows N          md と html で一覧ごとに載せる項目の数 (既定 100、0 で全件)\n"
		      "  --templates DIR       統制カタログを探すテンプレート検索パスの先頭に DIR を加える\n"
		      "  --lang ja|en          言語 (既定はロケールから)\n\n"
		      "終了コード: 0 月末に未解決の項目なし、1 未解決の項目あり、2 実行できない。\n",
		        stdout);
	else
		fputs("usage: hinagata report [--history FILE] [--month YYYY-MM] [--format md|html|json]\n"
		      "                       [-o FILE] [--max-rows N] [--lang ja|en]\n\n"
		      "The monthly report from the history store: the compliance score at the end of the\n"
		      "month and its trend over twelve months, scores by account and by control, findings\n"
		      "opened and resolved in the month, those open and suppressed at its end (with\n"
		      "reasons and expiry dates), coverage, drift by severity and control, and each\n"
		      "account's mandatory template versions against the newest. The HTML is one\n"
		      "self-contained file that prints on A4.\n\n"
		      "Options:\n"
		      "  --history FILE        the store (default: history: in .hinagata.yaml)\n"
		      "  --month YYYY-MM       the month (default: the month of the last run recorded)\n"
		      "  --format F            md (default), html or json\n"
		      "  -o FILE               write to FILE (default: standard output)\n"
		      "  --max-rows N          findings listed per list in md and html (default 100; 0: all)\n"
		      "  --templates DIR       put DIR first on the search path for the control catalog\n"
		      "  --lang ja|en          language (default: from the locale)\n\n"
		      "Exit status: 0 nothing open at the end of the month, 1 findings open, 2 could not run.\n",
		        stdout);
}

/* The catalog's control titles, for the report's control table. */
struct titles {
	hg_control_row *rows;
	size_t n;
};

static const char *title_of(void *payload, const char *control, hg_lang lang)
{
	const struct titles *t = payload;
	size_t i;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].id, control) == 0)
			return lang == HG_LANG_JA && t->rows[i].title_ja ? t->rows[i].title_ja : t->rows[i].title_en;
	return NULL;
}

int hg_cmd_report(hg_cli *cli, int argc, char **argv)
{
	enum { OPT_HISTORY = 256, OPT_MONTH, OPT_FORMAT, OPT_MAX_ROWS, OPT_TEMPLATES, OPT_LANG };
	static const struct option longopts[] = {
	        {"history", required_argument, NULL, OPT_HISTORY},
	        {"month", required_argument, NULL, OPT_MONTH},
	        {"format", required_argument, NULL, OPT_FORMAT},
	        {"output", required_argument, NULL, 'o'},
	        {"max-rows", required_argument, NULL, OPT_MAX_ROWS},
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *option = NULL, *month = NULL, *outfile = NULL;
	hg_month_options mo = {HG_FMT_MD, HG_LANG_EN, 100, NULL, NULL};
	hg_cli_paths paths = {0};
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
	struct titles titles = {NULL, 0};
	hg_config cfg;
	hg_diags d = HG_DIAGS_INIT, quiet = HG_DIAGS_INIT;
	hg_history *h = NULL;
	hg_month *m = NULL;
	hg_buf out = HG_BUF_INIT;
	char last[8];
	int c, rc = HG_EXIT_FAILURE;

	memset(&cfg, 0, sizeof(cfg));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HISTORY:
			option = optarg;
			break;
		case OPT_MONTH:
			if (!hg_is_month(optarg)) {
				rc = hg_cli_usage_error(cli, "report", "--month needs a month YYYY-MM, not '%s'",
				        "--month には YYYY-MM の形の月を指定してください ('%s' は使えません)", optarg);
				goto out;
			}
			month = optarg;
			break;
		case OPT_FORMAT:
			if (hg_report_format_parse(&mo.format, optarg) < 0 ||
			        (mo.format != HG_FMT_MD && mo.format != HG_FMT_HTML && mo.format != HG_FMT_JSON)) {
				rc = hg_cli_usage_error(cli, "report", "unknown format '%s' (md, html, json)",
				        "--format には md、html、json のいずれかを指定してください ('%s' は使えません)", optarg);
				goto out;
			}
			break;
		case 'o':
			outfile = optarg;
			break;
		case OPT_MAX_ROWS: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (end == optarg || *end || v > 1000000) {
				rc = hg_cli_usage_error(cli, "report", "--max-rows needs a number, not '%s'",
				        "--max-rows には数を指定してください ('%s' は使えません)", optarg);
				goto out;
			}
			mo.max_rows = v;
			break;
		}
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
			rc = hg_cli_usage_error(cli, "report",
			        optopt ? "option '-%s' is unknown or needs a value"
			               : "option '%s' is unknown or needs a value",
			        optopt ? "オプション '-%s' は存在しないか、値の指定が必要です"
			               : "オプション '%s' は存在しないか、値の指定が必要です",
			        optopt ? (char[]){(char)optopt, 0} : argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		rc = hg_cli_usage_error(cli, "report", "unexpected argument '%s'", "余分な引数 '%s' があります",
		        argv[optind]);
		goto out;
	}
	if (!hg_cli_paths_check(cli, &paths))
		goto out;
	hg_cli_paths_finish(&paths);
	mo.lang = cli->lang;
	if (!option) {
		if (hg_config_read(&cfg, HG_CONFIG_FILE, NULL, &d) < 0) {
			hg_cli_print_diags(cli, &d);
			goto out;
		}
		option = cfg.history;
		if (!option) {
			rc = hg_cli_usage_error(cli, "report", "%s", "%s",
			        cli->lang == HG_LANG_JA
			                ? "履歴ストアがありません: --history FILE か .hinagata.yaml の history: を指定してください"
			                : "no history store: give --history FILE, or history: in .hinagata.yaml");
			goto out;
		}
	}
	/* Opening a store of an older schema upgrades it, as a recording would. */
	if (hg_history_open(&h, option, 0, hg_cli_busy_ms(), &d) < 0)
		goto diags;
	if (!month) {
		if (hg_history_last_month(last, h, &d) < 0)
			goto diags;
		if (!*last) {
			hg_diag_add(&d, HG_D_HISTORY_NO_RUNS, NULL, option, "-", NULL);
			goto diags;
		}
		month = last;
	}
	if (hg_history_month(&m, h, month, &d) < 0)
		goto diags;
	co.template_dirs = paths.dirs;
	co.ntemplate_dirs = paths.ndirs;
	co.bundled_dir = paths.bundled;
	co.schema_dir = paths.schemas;
	if (hg_catalog_list(&titles.rows, &titles.n, &co, &quiet) == 0) {
		mo.title = title_of;
		mo.title_payload = &titles;
	}
	hg_report_month(&out, m, &mo);
	if (outfile ? hg_fs_write_atomic(outfile, out.ptr, out.size) < 0
	            : fwrite(out.ptr, 1, out.size, stdout) != out.size) {
		hg_cli_say(cli, "cannot write %s", "%s に書き込めません", outfile ? outfile : "-");
		goto out;
	}
	rc = m->nopen ? HG_EXIT_FINDINGS : HG_EXIT_CLEAN;
	goto out;
diags:
	hg_cli_print_diags(cli, &d);
	rc = HG_EXIT_FAILURE;
out:
	hg_control_rows_free(titles.rows, titles.n);
	hg_month_free(m);
	hg_history_close(h);
	hg_config_dispose(&cfg);
	hg_buf_dispose(&out);
	hg_diags_dispose(&d);
	hg_diags_dispose(&quiet);
	hg_cli_paths_dispose(&paths);
	return rc;
}
