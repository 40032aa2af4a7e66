/*
 * cmd_drift.c: hinagata drift: the desired state (templates in git or in
 * files) against the deployed state (the clouds' CLI exports).
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/shard.h"
#include "../drift/drift.h"
#include "../history/history.h"
#include "../report/report.h"
#include "cli.h"

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata drift [--repo DIR] [--ref REV] --template PATH... --state "
		      "PATH...\n"
		      "                      [--format text|json|md|sarif|junit] [-o FILE] "
		      "[--ignore "
		      "FILE]\n"
		      "                      [--strict] [--cache FILE] [--shard I/N] [--history FILE] [--date DATE]\n"
		      "                      [--lang ja|en]\n\n"
		      "git のリビジョン (またはファイル) のテンプレートを期待状態として、クラウドの CLI "
		      "が\n"
		      "出力した JSON (aws cloudformation describe-stacks / "
		      "describe-stack-resources,\n"
		      "aws cloudcontrol get-resource / list-resources、Azure では az resource list "
		      "/\n"
		      "show と az deployment group|sub show) と比べ、リソースごと・\n"
		      "プロパティごとのドリフトを報告します。エクスポートは\n"
		      "hinagata-collect-aws と hinagata-collect-azure で集められます。\n\n"
		      "オプション:\n"
		      "  --repo DIR            テンプレートを読む git リポジトリ "
		      "(作業ツリーは変えない)\n"
		      "  --ref REV             リビジョン (既定: HEAD)\n"
		      "  --template PATH       テンプレート (hinagata ソースか、コンパイル済み "
		      "JSON)\n"
		      "  --state PATH          エクスポート: JSON ファイルか、アカウント・\n"
		      "                        リージョンごとのディレクトリ (サブディレクトリも)\n"
		      "  --format FMT          text, json, md, sarif, junit (既定: text)\n"
		      "  -o FILE               レポートをファイルに書く (既定: 標準出力)\n"
		      "  --ignore FILE         無視ルール (.hinagataignore)\n"
		      "  --strict              未確認のリソース・プロパティもドリフトとして扱う\n"
		      "  --cache FILE          前回の判定を使い、今回の判定を書き戻す "
		      "(夜間ジョブ向け)\n"
		      "  --today YYYY-MM-DD    無視ルールの期限判定に使う日付 (既定: 今日)\n"
		      "  --history FILE        実行を履歴ストアに記録する (既定: .hinagata.yaml の\n"
		      "                        history:。--shard ではその日の全シャードがそろうと 1 回の実行)\n"
		      "  --no-history          記録しない\n"
		      "  --date YYYY-MM-DD     記録する実行の日付 (過去の分の記録用。既定: 今日)\n"
		      "  --max-record BYTES    エクスポート 1 件の上限 (既定: 64 MiB)\n"
		      "  --min-coverage PCT    比較できたリソースが PCT% 未満なら実行できなかった\n"
		      "                        ものとする (終了コード 2)\n"
		      "  --threads N           スレッド数 (既定: コア数)\n"
		      "  --shard I/N           N 個に分けたうちの I 番目 (1 から) のアカウント・\n"
		      "                        リージョンだけを比較する。指定がなければ\n"
		      "                        JOB_COMPLETION_INDEX/JOB_COMPLETIONS (Kubernetes) か\n"
		      "                        AWS_BATCH_JOB_ARRAY_INDEX/_SIZE (AWS Batch) から\n"
		      "  --templates DIR       テンプレート検索パスの先頭に DIR を加える\n"
		      "  --lang ja|en          言語 (既定はロケールから)\n\n"
		      "終了コード: 0 ドリフトなし、1 ドリフトあり、2 実行できない。\n",
		        stdout);
	else
		fputs("usage: hinagata drift [--repo DIR] [--ref REV] --template PATH... --state "
		      "PATH...\n"
		      "                      [--format text|json|md|sarif|junit] [-o FILE] "
		      "[--ignore "
		      "FILE]\n"
		      "                      [--strict] [--cache FILE] [--shard I/N] [--history FILE] [--date DATE]\n"
		      "                      [--lang ja|en]\n\n"
		      "Compare the desired state, templates at a git revision (or files), with "
		      "the\n"
		      "deployed state as the clouds' CLIs print it (aws cloudformation\n"
		      "describe-stacks / describe-stack-resources, aws cloudcontrol get-resource "
		      "/\n"
		      "list-resources; on Azure az resource list / show and az deployment\n"
		      "group|sub show), and report drift per resource and per property. The\n"
		      "collectors hinagata-collect-aws and hinagata-collect-azure gather the\n"
		      "exports.\n\n"
		      "Options:\n"
		      "  --repo DIR            git repository to read the templates from (the "
		      "working\n"
		      "                        tree is never touched)\n"
		      "  --ref REV             revision (default: HEAD)\n"
		      "  --template PATH       template: hinagata source, or compiled CloudFormation\n"
		      "                        or ARM JSON (PATH=STACK names its stack)\n"
		      "  --state PATH          exports: a JSON file, or a directory per account and\n"
		      "                        region (its subdirectories too)\n"
		      "  --format FMT          text, json, md, sarif, junit (default: text)\n"
		      "  -o FILE               write the report to FILE (default: stdout)\n"
		      "  --ignore FILE         ignore rules (.hinagataignore)\n"
		      "  --strict              count resources and properties not checked as "
		      "drift\n"
		      "  --cache FILE          reuse the verdicts of the last run and save this "
		      "run's\n"
		      "                        (for the nightly job)\n"
		      "  --today YYYY-MM-DD    the date ignore rules expire against (default: "
		      "today)\n"
		      "  --history FILE        record the run in the history store (default:\n"
		      "                        history: in .hinagata.yaml; with --shard, the night is\n"
		      "                        one run once all its shards are in)\n"
		      "  --no-history          do not record the run\n"
		      "  --date YYYY-MM-DD     the date of the run recorded (back-filling; default:\n"
		      "                        today)\n"
		      "  --max-record BYTES    the largest export record accepted (default: 64 "
		      "MiB)\n"
		      "  --min-coverage PCT    exit 2 when less than PCT% of the resources were\n"
		      "                        compared\n"
		      "  --threads N           worker threads (default: one per core)\n"
		      "  --shard I/N           compare only the accounts and regions of shard I of N\n"
		      "                        (from 1); without it, JOB_COMPLETION_INDEX/\n"
		      "                        JOB_COMPLETIONS (Kubernetes) or AWS_BATCH_JOB_ARRAY_\n"
		      "                        INDEX/_SIZE (AWS Batch) when they are set\n"
		      "  --templates DIR       put DIR first on the template search path\n"
		      "  --lang ja|en          language (default: from the locale)\n\n"
		      "Exit status: 0 no drift, 1 drift, 2 could not run.\n",
		        stdout);
}

/* The report's bytes: to standard output, or to a file written atomically. */
struct out {
	hg_fs_out file;
	bool to_file;
};

static int write_out(void *payload, const char *data, size_t len)
{
	struct out *o = payload;
	if (o->to_file)
		return hg_fs_out_write(&o->file, data, len);
	return fwrite(data, 1, len, stdout) == len ? 0 : HG_EIO;
}

static int write_buf(void *payload, const char *data, size_t len)
{
	hg_buf_put(payload, data, len);
	return 0;
}

/* Two sinks fed the same results: the report writer and the history recorder. */
struct tee {
	hg_drift_sink a, b;
};

static int tee_begin(void *payload, const hg_drift_meta *meta)
{
	struct tee *t = payload;
	int rc = t->a.begin(t->a.payload, meta);
	return rc < 0 ? rc : t->b.begin(t->b.payload, meta);
}

static int tee_block(void *payload, const hg_drift_result *res, size_t n)
{
	struct tee *t = payload;
	int rc = t->a.block(t->a.payload, res, n);
	return rc < 0 ? rc : t->b.block(t->b.payload, res, n);
}

static int tee_end(void *payload, const hg_drift_summary *s)
{
	struct tee *t = payload;
	int rc = t->a.end(t->a.payload, s);
	return rc < 0 ? rc : t->b.end(t->b.payload, s);
}

static hg_drift_sink tee_sink(struct tee *t)
{
	hg_drift_sink s = {tee_begin, tee_block, tee_end, t};
	return s;
}

/* Progress on a terminal (standard error), never in pipes or logs. */
static void progress(const char *phase, size_t done, size_t total, void *payload)
{
	hg_cli *cli = payload;
	if (total < 20 && done != total)
		return;
	fprintf(stderr, "\r%s %zu/%zu%s",
	        strcmp(phase, "read") == 0 ? (cli->lang == HG_LANG_JA ? "読み取り" : "reading")
	                                   : (cli->lang == HG_LANG_JA ? "比較" : "comparing"),
	        done, total, done == total ? "\033[K\r" : "");
	fflush(stderr);
}

/* A shard's result (its JSON report) into the store, labelled "drift --shard I/N". */
static int record_shard(hg_cli *cli, hg_cli_history *hh, const hg_shard *shard, const hg_buf *json,
        const hg_cli_paths *paths)
{
	char label[64];
	snprintf(label, sizeof(label), "drift --shard %u/%u", shard->index + 1, shard->count);
	return hg_cli_history_import(cli, hh->store, hh->target, hh->date, label,
	        json->ptr ? json->ptr : "", json->size, paths);
}

/*
 * Every file the run will read is a regular file: checked with stat, which
 * does not open it, because open(2) of a FIFO blocks until someone writes
 * to it (a nightly job that never returns). HG9001 for each one that is not.
 */
static bool regular_inputs(hg_diags *d, const char *const *paths, size_t n, bool may_be_missing)
{
	struct stat st;
	size_t i;
	bool ok = true;

	for (i = 0; i < n; i++) {
		if (!paths[i])
			continue;
		if (stat(paths[i], &st) < 0) {
			if (may_be_missing && errno == ENOENT)
				continue;
			hg_diag_add(d, HG_D_IO_READ, NULL, paths[i], strerror(errno), NULL);
			ok = false;
		} else if (!S_ISREG(st.st_mode)) {
			hg_diag_add(d, HG_D_IO_READ, NULL, paths[i],
			        hg_fs_reason(
			                HG_ENOTREG, S_ISDIR(st.st_mode) ? EISDIR : 0, paths[i]),
			        NULL);
			ok = false;
		}
	}
	return ok;
}

int hg_cmd_drift(hg_cli *cli, int argc, char **argv)
{
	enum {
		OPT_REPO = 256,
		OPT_REF,
		OPT_TEMPLATE,
		OPT_STATE,
		OPT_FORMAT,
		OPT_IGNORE,
		OPT_STRICT,
		OPT_CACHE,
		OPT_TODAY,
		OPT_TEMPLATES,
		OPT_LANG,
		OPT_MAX_RECORD,
		OPT_MIN_COVERAGE,
		OPT_THREADS,
		OPT_HISTORY,
		OPT_NO_HISTORY,
		OPT_DATE,
		OPT_SHARD
	};
	static const struct option longopts[] = {
	        {"repo", required_argument, NULL, OPT_REPO},
	        {"ref", required_argument, NULL, OPT_REF},
	        {"template", required_argument, NULL, OPT_TEMPLATE},
	        {"state", required_argument, NULL, OPT_STATE},
	        {"format", required_argument, NULL, OPT_FORMAT},
	        {"output", required_argument, NULL, 'o'},
	        {"ignore", required_argument, NULL, OPT_IGNORE},
	        {"strict", no_argument, NULL, OPT_STRICT},
	        {"cache", required_argument, NULL, OPT_CACHE},
	        {"today", required_argument, NULL, OPT_TODAY},
	        {"max-record", required_argument, NULL, OPT_MAX_RECORD},
	        {"min-coverage", required_argument, NULL, OPT_MIN_COVERAGE},
	        {"threads", required_argument, NULL, OPT_THREADS},
	        {"history", required_argument, NULL, OPT_HISTORY},
	        {"no-history", no_argument, NULL, OPT_NO_HISTORY},
	        {"date", required_argument, NULL, OPT_DATE},
	        {"shard", required_argument, NULL, OPT_SHARD},
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	hg_drift_options o;
	hg_report_options ro = {HG_FMT_TEXT, HG_LANG_EN, false};
	hg_cli_paths paths = {0};
	const char **templates = hg_xcalloc((size_t)argc + 1, sizeof(char *));
	const char **states = hg_xcalloc((size_t)argc + 1, sizeof(char *));
	size_t ntemplates = 0, nstates = 0, i;
	const char *outfile = NULL, *shard_flag = NULL;
	hg_shard shard;
	bool strict = false;
	hg_diags d = HG_DIAGS_INIT;
	hg_drift_summary *sum = NULL;
	hg_drift_writer *w = NULL;
	hg_drift_sink sink;
	struct out out;
	int c, rc = HG_EXIT_FAILURE, run;
	const char *history = NULL, *date = NULL;
	bool no_history = false;
	hg_cli_history hh;
	hg_recorder *rec = NULL;
	struct tee tee;
	hg_drift_writer *shard_w = NULL; /* a shard's result, for the store (JSON) */
	hg_buf shard_json = HG_BUF_INIT;

	memset(&o, 0, sizeof(o));
	memset(&hh, 0, sizeof(hh));
	o.version = HG_DRIFT_OPTIONS_VERSION;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_REPO:
			o.repo = optarg;
			break;
		case OPT_REF:
			o.ref = optarg;
			break;
		case OPT_TEMPLATE:
			templates[ntemplates++] = optarg;
			break;
		case OPT_STATE:
			states[nstates++] = optarg;
			break;
		case OPT_HISTORY:
			history = optarg;
			break;
		case OPT_NO_HISTORY:
			no_history = true;
			break;
		case OPT_DATE:
			if (!hg_is_date(optarg)) {
				rc = hg_cli_usage_error(cli, "drift", "--date needs a date YYYY-MM-DD, not '%s'",
				        "--date には YYYY-MM-DD の形の日付を指定してください ('%s' は使えません)", optarg);
				goto out;
			}
			date = optarg;
			break;
		case OPT_FORMAT:
			if (hg_report_format_parse(&ro.format, optarg) < 0 || ro.format > HG_FMT_JUNIT) {
				rc = hg_cli_usage_error(cli, "drift",
				        "unknown format '%s' (text, json, md, sarif, junit)",
				        "--format には text、json、md、sarif、junit のいずれかを指定してください ('%s' は使えません)",
				        optarg);
				goto out;
			}
			break;
		case 'o':
			outfile = optarg;
			break;
		case OPT_IGNORE:
			o.ignore_file = optarg;
			break;
		case OPT_STRICT:
			strict = true;
			break;
		case OPT_CACHE:
			o.cache_file = optarg;
			break;
		case OPT_TODAY:
			o.today = optarg;
			break;
		case OPT_MAX_RECORD: {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (end == optarg || *end || v < 16) {
				rc = hg_cli_usage_error(cli, "drift",
				        "--max-record needs a number of bytes (at least 16), not "
				        "'%s'",
				        "--max-record にはバイト数 (16 以上) を指定してください "
				        "('%s' は使えません)",
				        optarg);
				goto out;
			}
			o.max_record = (size_t)v;
			break;
		}
		case OPT_MIN_COVERAGE:
		case OPT_THREADS: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (end == optarg || *end || (c == OPT_MIN_COVERAGE ? v > 100 : (v < 1 || v > 64))) {
				rc = hg_cli_usage_error(cli, "drift",
				        c == OPT_MIN_COVERAGE ? "--min-coverage needs a percentage from 0 to 100, not '%s'"
				                              : "--threads needs a number from 1 to 64, not '%s'",
				        c == OPT_MIN_COVERAGE ? "--min-coverage には 0 から 100 の割合を指定してください ('%s' は使えません)"
				                              : "--threads には 1 から 64 の数を指定してください ('%s' は使えません)",
				        optarg);
				goto out;
			}
			if (c == OPT_MIN_COVERAGE)
				o.min_coverage = (unsigned)v;
			else
				o.threads = (unsigned)v;
			break;
		}
		case OPT_TEMPLATES:
			hg_cli_paths_add(&paths, optarg);
			break;
		case OPT_SHARD:
			shard_flag = optarg;
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
			rc = hg_cli_usage_error(cli, "drift",
			        optopt ? "option '-%s' is unknown or needs a value"
			               : "option '%s' is unknown or needs a value",
			        optopt ? "オプション '-%s' は存在しないか、値の指定が必要です"
			               : "オプション '%s' は存在しないか、値の指定が必要です",
			        optopt ? (char[]){(char)optopt, 0} : argv[optind - 1]);
			goto out;
		}
	}
	for (; optind < argc; optind++) /* bare arguments are templates */
		templates[ntemplates++] = argv[optind];
	if (d.n) { /* a --state directory that cannot be read */
		hg_cli_print_diags(cli, &d);
		goto out;
	}
	if (!ntemplates || !nstates) {
		rc = hg_cli_usage_error(cli, "drift", "%s", "%s",
		        !ntemplates ? (cli->lang == HG_LANG_JA ? "--template を指定してください"
		                                               : "no --template given")
		                    : (cli->lang == HG_LANG_JA ? "--state を指定してください"
		                                               : "no --state given"));
		goto out;
	}
	if (!hg_cli_paths_check(cli, &paths) || !hg_cli_shard(cli, &shard, shard_flag)) {
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	o.shard_index = shard.index;
	o.shard_count = shard.count;
	{
		const char *single[2];
		bool ok = true; /* --state: directories and files, checked by the drift engine */
		single[0] = o.ignore_file;
		single[1] = o.cache_file;
		/* templates come from the repository with --repo; a cache is made when missing */
		if (!o.repo) /* PATH=STACK names the stack of PATH */
			for (i = 0; i < ntemplates; i++) {
				const char *eq = strrchr(templates[i], '=');
				char *path =
				        eq ? hg_xstrndup(templates[i], (size_t)(eq - templates[i]))
				           : hg_xstrdup(templates[i]);
				ok = regular_inputs(&d, (const char *const *)&path, 1, false) && ok;
				free(path);
			}
		ok = regular_inputs(&d, single, 1, false) && ok;
		ok = regular_inputs(&d, single + 1, 1, true) && ok;
		if (!ok) {
			hg_cli_print_diags(cli, &d);
			rc = HG_EXIT_FAILURE;
			goto out;
		}
	}
	hg_cli_paths_finish(&paths);
	o.templates = templates;
	o.ntemplates = ntemplates;
	o.states = states;
	o.nstates = nstates;
	o.template_dirs = paths.dirs;
	o.ntemplate_dirs = paths.ndirs;
	o.bundled_dir = paths.bundled;
	o.schema_dir = paths.schemas;
	ro.lang = cli->lang;
	o.keep_in_sync = ro.format == HG_FMT_JSON || ro.format == HG_FMT_JUNIT;
	ro.color = ro.format == HG_FMT_TEXT && !outfile && isatty(STDOUT_FILENO) &&
	           !getenv("NO_COLOR");
	if (isatty(STDERR_FILENO) && !getenv("CI")) {
		o.progress = progress;
		o.progress_payload = cli;
	}
	if (!hg_cli_history_setup(cli, &hh, "drift", history, no_history, date, NULL)) {
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	if (hh.target && shard.count > 1) {
		/* One shard of a fleet's night is no run of its own: its result
		 * waits in the store for the night's other shards, as `history
		 * import` of its JSON result would make it (hg_history_import). */
		hg_report_options jo = {HG_FMT_JSON, HG_LANG_EN, false};
		shard_w = hg_drift_writer_new(&jo, write_buf, &shard_json);
		if (!o.today)
			o.today = hh.date;
		o.keep_in_sync = true;
	} else if (hh.target) {
		hg_record_options rco = HG_RECORD_OPTIONS_INIT;
		hg_diags rd = HG_DIAGS_INIT;
		rco.source = HG_SRC_DRIFT;
		rco.date = hh.date;
		rco.template_dirs = paths.dirs;
		rco.ntemplate_dirs = paths.ndirs;
		rco.bundled_dir = paths.bundled;
		rco.schema_dir = paths.schemas;
		if (!(rec = hg_recorder_new(&rco, &rd))) {
			hg_cli_print_diags(cli, &rd);
			hg_diags_dispose(&rd);
			rc = HG_EXIT_FAILURE;
			goto out;
		}
		hg_diags_dispose(&rd);
		/* The run's ignore rules expire against the night it stands for, and
		 * resources in sync are what lets a later run resolve a finding. */
		if (!o.today)
			o.today = hh.date;
		o.keep_in_sync = true;
	}
	memset(&out, 0, sizeof(out));
	out.to_file = outfile != NULL;
	if (outfile && hg_fs_out_open(&out.file, outfile) < 0) {
		hg_cli_say(cli, "cannot write %s", "%s に書き込めません", outfile);
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	w = hg_drift_writer_new(&ro, write_out, &out);
	sink = hg_drift_writer_sink(w);
	if (rec || shard_w) { /* the report and the history, fed the same results */
		tee.a = sink;
		tee.b = rec ? hg_recorder_drift_sink(rec) : hg_drift_writer_sink(shard_w);
		sink = tee_sink(&tee);
	}
	run = hg_drift_run_sink(&o, &sink, &sum, &d);
	hg_cli_print_diags(cli, &d);
	if (!sum) { /* no complete report: nothing written */
		if (outfile)
			hg_fs_out_abort(&out.file);
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	if (outfile ? hg_fs_out_commit(&out.file) < 0 : fflush(stdout) != 0) {
		hg_cli_say(cli, "cannot write %s", "%s に書き込めません", outfile ? outfile : "-");
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	if (run < 0) {
		rc = HG_EXIT_FAILURE; /* the report says what was compared; too little was */
		if (rec || shard_w) /* and a run that did not run is not history */
			hg_cli_say(cli, "nothing recorded in %s", "%s には何も記録していません", hh.target);
	} else if (rec && !hg_cli_history_commit(cli, &hh, rec))
		rc = HG_EXIT_FAILURE;
	else if (shard_w && record_shard(cli, &hh, &shard, &shard_json, &paths) != HG_EXIT_CLEAN)
		rc = HG_EXIT_FAILURE;
	else
		rc = hg_drift_found(sum, strict) ? HG_EXIT_FINDINGS : HG_EXIT_CLEAN;
out:
	hg_recorder_free(rec);
	hg_cli_history_dispose(&hh);
	hg_drift_summary_free(sum);
	hg_drift_writer_free(w);
	hg_drift_writer_free(shard_w);
	hg_buf_dispose(&shard_json);
	hg_diags_dispose(&d);
	free(states);
	free(templates);
	hg_cli_paths_dispose(&paths);
	return rc;
}
