/*
 * cmd_history.c: hinagata history: the runs recorded, a finding's
 * timeline, the CSV export, pruning, and imports of the clouds' findings;
 * and the recording that drift and check do (hg_cli_history_*).
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../compiler/config.h"
#include "../history/history.h"
#include "../report/report.h"
#include "cli.h"

/* ---- recording (drift, check) ---- */

static void local_today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static bool check_date(hg_cli *cli, const char *cmd, const char *date)
{
	if (!date || hg_is_date(date))
		return true;
	hg_cli_usage_error(cli, cmd, "--date needs a date YYYY-MM-DD, not '%s'",
	        "--date には YYYY-MM-DD の形の日付を指定してください ('%s' は使えません)", date);
	return false;
}

unsigned hg_cli_busy_ms(void)
{
	const char *e = getenv("HINAGATA_BUSY_TIMEOUT");
	char *end;
	unsigned long v = e ? strtoul(e, &end, 10) : 0;
	return e && *e && !*end && v > 0 && v < 86400000ul ? (unsigned)v : 60000u;
}

bool hg_cli_history_setup(hg_cli *cli, hg_cli_history *hh, const char *cmd, const char *option,
        bool off, const char *date, const hg_config *cfg)
{
	hg_config own;
	hg_diags d = HG_DIAGS_INIT;
	const char *target = option;
	bool ok = true;

	memset(hh, 0, sizeof(*hh));
	memset(&own, 0, sizeof(own));
	if (!check_date(cli, cmd, date))
		return false;
	if (date)
		snprintf(hh->date, sizeof(hh->date), "%s", date);
	else
		local_today(hh->date);
	if (off)
		return true;
	if (!target) {
		if (!cfg) {
			if (hg_config_read(&own, HG_CONFIG_FILE, NULL, &d) < 0) {
				hg_cli_print_diags(cli, &d);
				hg_diags_dispose(&d);
				return false;
			}
			cfg = &own;
		}
		if (cfg->history && (strcmp(cmd, "check") == 0 ? cfg->history_check : cfg->history_drift))
			target = cfg->history;
	}
	if (target) {
		hh->target = hg_history_display(target); /* named in messages: no password */
		/* Open now: a file that is not a store fails before the run, not after. */
		if (hg_history_open(&hh->store, target, HG_HISTORY_CREATE, hg_cli_busy_ms(), &d) < 0) {
			hg_cli_print_diags(cli, &d);
			ok = false;
		}
	}
	hg_config_dispose(&own);
	hg_diags_dispose(&d);
	return ok;
}

/* "recorded run 12 of 2026-12-02 in FILE: 3 new, ..." on standard error. */
static void say_recorded(hg_cli *cli, const char *target, const char *date, const hg_record_result *res)
{
	static const char *const ja[] = {"新規", "未解決", "再発", "抑制済み", "解決済み"}; /* ORDER FSTATUS */
	hg_buf b = HG_BUF_INIT;
	int k;

	if (cli->lang == HG_LANG_JA)
		hg_buf_printf(&b, "%s に %s の実行 %lld を記録しました: ", target, date,
		        (long long)res->run);
	else
		hg_buf_printf(&b, "recorded run %lld of %s in %s: ", (long long)res->run, date, target);
	for (k = 0; k < HG_FS__COUNT; k++) {
		if (cli->lang == HG_LANG_JA)
			hg_buf_printf(&b, "%s%s %zu", k ? "、" : "", ja[k], res->findings[k]);
		else
			hg_buf_printf(&b, "%s%zu %s", k ? ", " : "", res->findings[k],
			        hg_fstatus_name((hg_fstatus)k));
	}
	hg_cli_say(cli, "%s", "%s", b.ptr);
	hg_buf_dispose(&b);
}

bool hg_cli_history_commit(hg_cli *cli, hg_cli_history *hh, hg_recorder *r)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_record_result res;
	int rc;

	if (!hh->store)
		return true;
	rc = hg_recorder_commit(r, hh->store, &res, &d);
	hg_cli_print_diags(cli, &d);
	hg_diags_dispose(&d);
	if (rc < 0) {
		hg_cli_say(cli, "nothing recorded in %s", "%s には何も記録していません", hh->target);
		return false;
	}
	if (res.run)
		say_recorded(cli, hh->target, hh->date, &res);
	return true;
}

void hg_cli_history_dispose(hg_cli_history *hh)
{
	hg_history_close(hh->store);
	free(hh->target);
	memset(hh, 0, sizeof(*hh));
}

static void record_options(hg_record_options *ro, const hg_cli_paths *paths)
{
	ro->template_dirs = paths->dirs;
	ro->ntemplate_dirs = paths->ndirs;
	ro->bundled_dir = paths->bundled;
	ro->schema_dir = paths->schemas;
}

int hg_cli_history_check(hg_cli *cli, const char *option, const char *date, const hg_config *cfg,
        const hg_cli_paths *paths, const hg_diags *d, char *const *files, size_t nfiles, int rc)
{
	hg_cli_history hh;
	hg_record_options ro = HG_RECORD_OPTIONS_INIT;
	hg_recorder *r;
	hg_diags rd = HG_DIAGS_INIT;
	bool ok;

	if (!hg_cli_history_setup(cli, &hh, "check", option, false, date, cfg))
		return HG_EXIT_FAILURE;
	if (!hh.target)
		return rc;
	if (rc == HG_EXIT_FAILURE || d->env_error) {
		/* A check that could not run says nothing about what passed. */
		hg_cli_say(cli, "nothing recorded in %s", "%s には何も記録していません", hh.target);
		hg_cli_history_dispose(&hh);
		return HG_EXIT_FAILURE;
	}
	ro.source = HG_SRC_CHECK;
	ro.date = hh.date;
	record_options(&ro, paths);
	if (!(r = hg_recorder_new(&ro, &rd))) {
		hg_cli_print_diags(cli, &rd);
		hg_diags_dispose(&rd);
		hg_cli_history_dispose(&hh);
		return HG_EXIT_FAILURE;
	}
	hg_recorder_check(r, d, (const char *const *)files, nfiles);
	ok = hg_cli_history_commit(cli, &hh, r);
	hg_recorder_free(r);
	hg_diags_dispose(&rd);
	hg_cli_history_dispose(&hh);
	return ok ? rc : HG_EXIT_FAILURE;
}

/* ---- hinagata history ---- */

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata history [--history FILE] runs [--month YYYY-MM] [--format text|json]\n"
		      "       hinagata history [--history FILE] deployments [--month YYYY-MM] [--format text|json]\n"
		      "       hinagata history [--history FILE] show ID... [--format text|json]\n"
		      "       hinagata history [--history FILE] export [--status S] [-o FILE]\n"
		      "       hinagata history [--history FILE] prune --before YYYY-MM-DD\n"
		      "       hinagata history [--history FILE] import [--date YYYY-MM-DD] [--templates DIR] FILE...\n\n"
		      "夜間の実行の履歴ストア (SQLite のファイル、または PostgreSQL: postgresql://...) を\n"
		      "扱います。drift と check は --history FILE か .hinagata.yaml の history: で実行を\n"
		      "記録します。\n\n"
		      "サブコマンド:\n"
		      "  runs                  記録した実行を一覧表示する\n"
		      "  deployments           スタックやデプロイのテンプレートが変わった日 (デプロイ) を\n"
		      "                        一覧表示する (drift が記録したデプロイ済みテンプレートのハッシュから)\n"
		      "  show ID...            検出項目の経過 (ID は先頭 4 桁以上でよい。複数指定できます)\n"
		      "  export                検出項目を CSV で書き出す (--status で絞り込み)\n"
		      "  prune --before DATE   DATE より前の実行を削除する (未解決の項目は残す)\n"
		      "  import FILE...        クラウドの検出結果を取り込む: aws securityhub\n"
		      "                        get-findings、az security assessment list、\n"
		      "                        hinagata drift --format json の出力 (フリートのシャードの\n"
		      "                        結果は、その日の全シャードがそろった時点で 1 回の実行として記録)\n\n"
		      "オプション:\n"
		      "  --history FILE        履歴ストア (既定: .hinagata.yaml の history:)\n"
		      "  --date YYYY-MM-DD     取り込む実行の日付 (既定: ドリフト検知の結果はその日付、\n"
		      "                        それ以外は今日)\n"
		      "  --templates DIR       統制カタログと必須適用テンプレートの最新バージョンを探す\n"
		      "                        テンプレート検索パスの先頭に DIR を加える (import)\n"
		      "  --lang ja|en          言語 (既定はロケールから)\n\n"
		      "終了コード: 0 成功、2 実行できない。\n",
		        stdout);
	else
		fputs("usage: hinagata history [--history FILE] runs [--month YYYY-MM] [--format text|json]\n"
		      "       hinagata history [--history FILE] deployments [--month YYYY-MM] [--format text|json]\n"
		      "       hinagata history [--history FILE] show ID... [--format text|json]\n"
		      "       hinagata history [--history FILE] export [--status S] [-o FILE]\n"
		      "       hinagata history [--history FILE] prune --before YYYY-MM-DD\n"
		      "       hinagata history [--history FILE] import [--date YYYY-MM-DD] [--templates DIR] FILE...\n\n"
		      "The history store of the nightly runs (a SQLite file, or PostgreSQL:\n"
		      "postgresql://...). drift and check record a run with --history FILE or\n"
		      "history: in .hinagata.yaml.\n\n"
		      "Subcommands:\n"
		      "  runs                  list the runs recorded\n"
		      "  deployments           the nights a stack or deployment was first seen with another\n"
		      "                        template (from the deployed templates' hashes drift records)\n"
		      "  show ID...            each finding's timeline (the first 4 or more digits of its ID)\n"
		      "  export                every finding as CSV (--status to keep one status)\n"
		      "  prune --before DATE   remove the runs before DATE (open findings stay)\n"
		      "  import FILE...        record the clouds' findings: what aws securityhub\n"
		      "                        get-findings, az security assessment list or\n"
		      "                        hinagata drift --format json printed (a fleet's shards:\n"
		      "                        one run once every shard of their night is in)\n\n"
		      "Options:\n"
		      "  --history FILE        the store (default: history: in .hinagata.yaml)\n"
		      "  --date YYYY-MM-DD     the date of an imported run (default: a drift report's\n"
		      "                        own date, else today)\n"
		      "  --templates DIR       put DIR first on the search path for the control catalog\n"
		      "                        and the mandatory templates' newest versions (import)\n"
		      "  --lang ja|en          language (default: from the locale)\n\n"
		      "Exit status: 0 done, 2 could not run.\n",
		        stdout);
}

/* The store of a command that reads or writes it: --history, else .hinagata.yaml's. */
static char *target_of(hg_cli *cli, const char *cmd, const char *option)
{
	hg_config cfg;
	hg_diags d = HG_DIAGS_INIT;
	char *t = NULL;

	if (option)
		return hg_xstrdup(option);
	if (hg_config_read(&cfg, HG_CONFIG_FILE, NULL, &d) < 0) {
		hg_cli_print_diags(cli, &d);
		hg_diags_dispose(&d);
		return NULL;
	}
	if (cfg.history)
		t = hg_xstrdup(cfg.history);
	else
		hg_cli_usage_error(cli, cmd, "%s", "%s",
		        cli->lang == HG_LANG_JA
		                ? "履歴ストアがありません: --history FILE か .hinagata.yaml の history: を指定してください"
		                : "no history store: give --history FILE, or history: in .hinagata.yaml");
	hg_config_dispose(&cfg);
	hg_diags_dispose(&d);
	return t;
}

/* Write b to standard output or atomically to path. */
static int emit(hg_cli *cli, const hg_buf *b, const char *path)
{
	if (path) {
		if (hg_fs_write_atomic(path, b->ptr, b->size) < 0) {
			hg_cli_say(cli, "cannot write %s", "%s に書き込めません", path);
			return HG_EXIT_FAILURE;
		}
		return HG_EXIT_CLEAN;
	}
	return fwrite(b->ptr, 1, b->size, stdout) == b->size ? HG_EXIT_CLEAN : HG_EXIT_FAILURE;
}

/* What an import did, on standard error: recorded, or a shard kept for its night. */
static void say_imported(hg_cli *cli, const char *target, const hg_import_result *res)
{
	hg_buf b = HG_BUF_INIT;

	if (res->rec.run) {
		say_recorded(cli, target, res->date, &res->rec);
		return;
	}
	if (!res->count || res->rec.again || !res->waiting)
		return; /* recorded before: the warning said so */
	if (cli->lang == HG_LANG_JA)
		hg_buf_printf(&b,
		        "%s に %s のドリフト検知のシャード %u/%u を保留しました。残り %u シャードがそろうと 1 回の実行として記録します",
		        target, res->date, res->shard, res->count, res->waiting);
	else
		hg_buf_printf(&b,
		        "kept shard %u/%u of the drift night %s in %s: the night is recorded as one run when its other %u shard%s in",
		        res->shard, res->count, res->date, target, res->waiting,
		        res->waiting == 1 ? " is" : "s are");
	hg_cli_say(cli, "%s", "%s", b.ptr);
	hg_buf_dispose(&b);
}

int hg_cli_history_import(hg_cli *cli, hg_history *h, const char *target, const char *date,
        const char *file, const char *text, size_t len, const hg_cli_paths *paths)
{
	hg_record_options ro = HG_RECORD_OPTIONS_INIT;
	hg_import_result res;
	hg_diags d = HG_DIAGS_INIT;
	char today[11];
	int rc;

	local_today(today);
	ro.date = date;
	ro.label = file;
	record_options(&ro, paths);
	rc = hg_history_import(h, &ro, today, file, text, len, &res, &d);
	hg_cli_print_diags(cli, &d);
	hg_diags_dispose(&d);
	if (rc < 0) {
		hg_cli_say(cli, "nothing recorded in %s", "%s には何も記録していません", target);
		return HG_EXIT_FAILURE;
	}
	say_imported(cli, target, &res);
	return HG_EXIT_CLEAN;
}

static int do_import(hg_cli *cli, hg_history *h, const char *target, const char *date,
        char **files, size_t nfiles, hg_cli_paths *paths)
{
	size_t i;
	int rc = HG_EXIT_CLEAN;

	hg_cli_paths_finish(paths);
	for (i = 0; i < nfiles && rc == HG_EXIT_CLEAN; i++) {
		hg_buf text = HG_BUF_INIT;
		size_t size;
		int e;

		if ((e = hg_fs_read(&text, files[i], (size_t)1 << 30, &size)) < 0) {
			hg_diags d = HG_DIAGS_INIT;
			hg_diag_add(&d, HG_D_IO_READ, NULL, files[i],
			        e == HG_EIO ? strerror(errno) : HG_BI("the file is too large", "ファイルが大きすぎます"),
			        NULL);
			hg_cli_print_diags(cli, &d);
			hg_diags_dispose(&d);
			hg_cli_say(cli, "nothing recorded in %s", "%s には何も記録していません", target);
			rc = HG_EXIT_FAILURE;
		} else
			rc = hg_cli_history_import(cli, h, target, date, files[i], text.ptr ? text.ptr : "",
			        text.size, paths);
		hg_buf_dispose(&text);
	}
	return rc;
}

int hg_cmd_history(hg_cli *cli, int argc, char **argv)
{
	enum { OPT_HISTORY = 256, OPT_MONTH, OPT_FORMAT, OPT_STATUS, OPT_BEFORE, OPT_DATE, OPT_TEMPLATES,
		OPT_LANG };
	static const struct option longopts[] = {
	        {"history", required_argument, NULL, OPT_HISTORY},
	        {"month", required_argument, NULL, OPT_MONTH},
	        {"format", required_argument, NULL, OPT_FORMAT},
	        {"status", required_argument, NULL, OPT_STATUS},
	        {"before", required_argument, NULL, OPT_BEFORE},
	        {"date", required_argument, NULL, OPT_DATE},
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"output", required_argument, NULL, 'o'},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *option = NULL, *month = NULL, *before = NULL, *date = NULL, *outfile = NULL;
	const char *sub = NULL;
	char **args = hg_xcalloc((size_t)argc + 1, sizeof(char *));
	size_t nargs = 0, k;
	int status = -1, json = 0, c, rc = HG_EXIT_FAILURE;
	char *target = NULL;
	hg_history *h = NULL;
	hg_diags d = HG_DIAGS_INIT;
	hg_arena *a = hg_arena_new();
	hg_buf out = HG_BUF_INIT;
	hg_cli_paths paths = {0};

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "-o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 1: /* a subcommand or its arguments, in order */
			if (!sub)
				sub = optarg;
			else
				args[nargs++] = optarg;
			break;
		case OPT_HISTORY:
			option = optarg;
			break;
		case OPT_MONTH:
			if (!hg_is_month(optarg)) {
				rc = hg_cli_usage_error(cli, "history", "--month needs a month YYYY-MM, not '%s'",
				        "--month には YYYY-MM の形の月を指定してください ('%s' は使えません)", optarg);
				goto out;
			}
			month = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0 || strcmp(optarg, "json") == 0)
				json = optarg[0] == 'j';
			else {
				rc = hg_cli_usage_error(cli, "history", "unknown format '%s' (text, json)",
				        "--format には text、json のいずれかを指定してください ('%s' は使えません)", optarg);
				goto out;
			}
			break;
		case OPT_STATUS:
			if ((status = hg_fstatus_parse(optarg)) < 0) {
				rc = hg_cli_usage_error(cli, "history",
				        "--status must be new, open, reopened, suppressed or resolved, not '%s'",
				        "--status には new、open、reopened、suppressed、resolved のいずれかを指定してください ('%s' は使えません)",
				        optarg);
				goto out;
			}
			break;
		case OPT_BEFORE:
			before = optarg;
			break;
		case OPT_DATE:
			date = optarg;
			break;
		case OPT_TEMPLATES:
			hg_cli_paths_add(&paths, optarg);
			break;
		case 'o':
			outfile = optarg;
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
			rc = hg_cli_usage_error(cli, "history",
			        optopt ? "option '-%s' is unknown or needs a value"
			               : "option '%s' is unknown or needs a value",
			        optopt ? "オプション '-%s' は存在しないか、値の指定が必要です"
			               : "オプション '%s' は存在しないか、値の指定が必要です",
			        optopt ? (char[]){(char)optopt, 0} : argv[optind - 1]);
			goto out;
		}
	}
	if (!sub) {
		rc = hg_cli_usage_error(cli, "history", "%s", "%s",
		        cli->lang == HG_LANG_JA ? "サブコマンド (runs、deployments、show、export、prune、import) を指定してください"
		                                : "no subcommand (runs, deployments, show, export, prune, import)");
		goto out;
	}
	if (strcmp(sub, "runs") && strcmp(sub, "deployments") && strcmp(sub, "show") &&
	        strcmp(sub, "export") && strcmp(sub, "prune") && strcmp(sub, "import")) {
		rc = hg_cli_usage_error(cli, "history",
		        "unknown subcommand '%s' (runs, deployments, show, export, prune, import)",
		        "サブコマンド '%s' はありません (runs、deployments、show、export、prune、import のいずれかを指定してください)", sub);
		goto out;
	}
	if ((strcmp(sub, "show") == 0 && !nargs) || (strcmp(sub, "import") == 0 && !nargs) ||
	        (strcmp(sub, "import") && strcmp(sub, "show") && nargs)) {
		rc = hg_cli_usage_error(cli, "history", "%s", "%s",
		        strcmp(sub, "show") == 0 ? (cli->lang == HG_LANG_JA ? "show には検出項目の ID を指定してください"
		                                                           : "show takes finding IDs")
		        : strcmp(sub, "import") == 0 ? (cli->lang == HG_LANG_JA ? "取り込むファイルがありません"
		                                                                 : "no file to import")
		                                     : (cli->lang == HG_LANG_JA ? "余分な引数があります"
		                                                                : "unexpected arguments"));
		goto out;
	}
	if (strcmp(sub, "prune") == 0 && !hg_is_date(before)) {
		rc = hg_cli_usage_error(cli, "history", "prune needs --before YYYY-MM-DD%s",
		        "prune には --before YYYY-MM-DD が必要です%s", "");
		goto out;
	}
	if (!check_date(cli, "history", date))
		goto out;
	if (!(target = target_of(cli, "history", option)))
		goto out;
	if (hg_history_open(&h, target,
	            strcmp(sub, "import") == 0 ? HG_HISTORY_CREATE
	            : strcmp(sub, "prune") == 0 ? 0
	                                         : HG_HISTORY_READONLY,
	            hg_cli_busy_ms(), &d) < 0) {
		hg_cli_print_diags(cli, &d);
		goto out;
	}
	if (strcmp(sub, "import") == 0) {
		char *shown = hg_history_display(target);
		rc = do_import(cli, h, shown, date, args, nargs, &paths);
		free(shown);
	} else if (strcmp(sub, "runs") == 0) {
		hg_hrun *runs;
		size_t n;
		if (hg_history_runs(&runs, &n, a, h, month, &d) < 0)
			goto diags;
		hg_report_runs(&out, runs, n, json == 1 ? HG_FMT_JSON : HG_FMT_TEXT, cli->lang);
		rc = emit(cli, &out, outfile);
	} else if (strcmp(sub, "deployments") == 0) {
		hg_hdeploy *x;
		size_t n;
		if (hg_history_deployments(&x, &n, a, h, month, &d) < 0)
			goto diags;
		hg_report_deployments(&out, x, n, json == 1 ? HG_FMT_JSON : HG_FMT_TEXT, cli->lang);
		rc = emit(cli, &out, outfile);
	} else if (strcmp(sub, "show") == 0) {
		/* Each finding's timeline in the order given (text: a blank line
		 * between two; JSON: one document each); nothing printed unless
		 * every ID names one finding. */
		for (k = 0; k < nargs; k++) {
			hg_hfinding f;
			hg_hevent *ev;
			size_t n;
			if (hg_history_timeline(&f, &ev, &n, a, h, args[k], &d) < 0)
				goto diags;
			if (k && json != 1)
				hg_buf_putc(&out, '\n');
			hg_report_timeline(
			        &out, &f, ev, n, json == 1 ? HG_FMT_JSON : HG_FMT_TEXT, cli->lang);
		}
		rc = emit(cli, &out, outfile);
	} else if (strcmp(sub, "export") == 0) {
		hg_hfinding *f;
		size_t n;
		if (hg_history_findings(&f, &n, a, h, status, &d) < 0)
			goto diags;
		hg_report_findings_csv(&out, f, n, cli->lang);
		rc = emit(cli, &out, outfile);
	} else {
		hg_prune_result pr;
		if (hg_history_prune(h, before, &pr, &d) < 0)
			goto diags;
		if (cli->lang == HG_LANG_JA)
			fprintf(stderr, "hinagata: %s より前の実行 %lld 件、イベント %lld 件、検出項目 %lld 件を削除しました\n",
			        before, (long long)pr.runs, (long long)pr.events, (long long)pr.findings);
		else
			fprintf(stderr, "hinagata: removed %lld runs, %lld events and %lld findings from before %s\n",
			        (long long)pr.runs, (long long)pr.events, (long long)pr.findings, before);
		rc = HG_EXIT_CLEAN;
	}
	goto out;
diags:
	hg_cli_print_diags(cli, &d);
	rc = HG_EXIT_FAILURE;
out:
	hg_history_close(h);
	hg_cli_paths_dispose(&paths);
	free(target);
	free(args);
	hg_buf_dispose(&out);
	hg_arena_dispose(a);
	hg_diags_dispose(&d);
	return rc;
}
