/*
 * cmd_drift.c: hinagata drift: the desired state (templates in git or in
 * files) against the deployed state (the clouds' CLI exports).
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../drift/drift.h"
#include "cli.h"

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata drift [--repo DIR] [--ref REV] --template PATH... --state "
		      "PATH...\n"
		      "                      [--format text|json|md|sarif|junit] [-o FILE] "
		      "[--ignore "
		      "FILE]\n"
		      "                      [--strict] [--cache FILE] [--lang ja|en]\n\n"
		      "git の版 (またはファイル) のテンプレートを期待状態として、クラウドの CLI "
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
		      "  --ref REV             版 (既定: HEAD)\n"
		      "  --template PATH       テンプレート (hinagata ソースか、コンパイル済み "
		      "JSON)\n"
		      "  --state PATH          エクスポート (JSON ファイルか、*.json "
		      "を含むディレクトリ)\n"
		      "  --format FMT          text, json, md, sarif, junit (既定: text)\n"
		      "  -o FILE               レポートをファイルに書く (既定: 標準出力)\n"
		      "  --ignore FILE         無視ルール (.hinagataignore)\n"
		      "  --strict              未確認のリソース・プロパティもドリフトとして扱う\n"
		      "  --cache FILE          前回の判定を使い、今回の判定を書き戻す "
		      "(夜間ジョブ向け)\n"
		      "  --today YYYY-MM-DD    無視ルールの期限判定に使う日付 (既定: 今日)\n"
		      "  --max-record BYTES    エクスポート 1 件の上限 (既定: 64 MiB)\n"
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
		      "                      [--strict] [--cache FILE] [--lang ja|en]\n\n"
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
		      "  --template PATH       template: hinagata source, or compiled "
		      "CloudFormation\n"
		      "                        or ARM JSON (PATH=STACK names its stack)\n"
		      "  --state PATH          export: a JSON file, or a directory of *.json\n"
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
		      "  --max-record BYTES    the largest export record accepted (default: 64 "
		      "MiB)\n"
		      "  --templates DIR       put DIR first on the template search path\n"
		      "  --lang ja|en          language (default: from the locale)\n\n"
		      "Exit status: 0 no drift, 1 drift, 2 could not run.\n",
		        stdout);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A --state directory stands for its *.json files, in name order. */
static void add_state(char ***list, size_t *n, size_t *cap, const char *path, hg_diags *d)
{
	DIR *dir;
	struct dirent *de;
	size_t first = *n;

	if (hg_fs_is_dir(path) != 1) {
		hg_grow_array((void **)list, cap, *n + 1, sizeof(char *));
		(*list)[(*n)++] = hg_xstrdup(path);
		return;
	}
	if (!(dir = opendir(path))) { /* not "no --state given": say why */
		hg_diag_add(d, HG_D_IO_READ, NULL, path, strerror(errno), NULL);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);
		hg_buf b = HG_BUF_INIT;
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0 || de->d_name[0] == '.')
			continue;
		hg_buf_printf(&b, "%s/%s", path, de->d_name);
		hg_grow_array((void **)list, cap, *n + 1, sizeof(char *));
		(*list)[(*n)++] = hg_buf_detach(&b);
	}
	closedir(dir);
	if (*n > first + 1)
		qsort(*list + first, *n - first, sizeof(char *), cmp_str);
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
		OPT_MAX_RECORD
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
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	hg_drift_options o;
	hg_report_options ro = {HG_FMT_TEXT, HG_LANG_EN, false};
	hg_cli_paths paths = {0};
	const char **templates = hg_xcalloc((size_t)argc + 1, sizeof(char *));
	char **states = NULL;
	size_t ntemplates = 0, nstates = 0, capstates = 0, i;
	const char *outfile = NULL;
	bool strict = false;
	hg_diags d = HG_DIAGS_INIT;
	hg_drift_report *rep = NULL;
	hg_buf out = HG_BUF_INIT;
	int c, rc = HG_EXIT_FAILURE;

	memset(&o, 0, sizeof(o));
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
			add_state(&states, &nstates, &capstates, optarg, &d);
			break;
		case OPT_FORMAT:
			if (hg_report_format_parse(&ro.format, optarg) < 0) {
				rc = hg_cli_usage_error(cli, "drift",
				        "unknown format '%s' (text, json, md, sarif, junit)",
				        "形式 '%s' は未知です (text, json, md, sarif, junit)",
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
				        "('%s' ではなく)",
				        optarg);
				goto out;
			}
			o.max_record = (size_t)v;
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
			rc = hg_cli_usage_error(cli, "drift",
			        optopt ? "option '-%s' is unknown or needs a value"
			               : "option '%s' is unknown or needs a value",
			        optopt ? "オプション '-%s' は未知か、値が必要です"
			               : "オプション '%s' は未知か、値が必要です",
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
		        !ntemplates ? (cli->lang == HG_LANG_JA ? "--template がありません"
		                                               : "no --template given")
		                    : (cli->lang == HG_LANG_JA ? "--state がありません"
		                                               : "no --state given"));
		goto out;
	}
	if (!hg_cli_paths_check(cli, &paths)) {
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	{
		const char *single[2];
		bool ok = regular_inputs(&d, (const char *const *)states, nstates, false);
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
	o.states = (const char *const *)states;
	o.nstates = nstates;
	o.template_dirs = paths.dirs;
	o.ntemplate_dirs = paths.ndirs;
	o.bundled_dir = paths.bundled;
	o.schema_dir = paths.schemas;
	ro.lang = cli->lang;
	o.keep_in_sync = ro.format == HG_FMT_JSON || ro.format == HG_FMT_JUNIT;
	ro.color = ro.format == HG_FMT_TEXT && !outfile && isatty(STDOUT_FILENO) &&
	           !getenv("NO_COLOR");

	if (hg_drift_run(&rep, &o, &d) < 0) {
		hg_cli_print_diags(cli, &d);
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	hg_cli_print_diags(cli, &d);
	hg_drift_report_write(&out, rep, &ro);
	if (outfile) {
		if (hg_fs_write_atomic(outfile, out.ptr, out.size) < 0) {
			hg_cli_say(cli, "cannot write %s", "%s を書けません", outfile);
			rc = HG_EXIT_FAILURE;
			goto out;
		}
	} else if (fwrite(out.ptr, 1, out.size, stdout) != out.size || fflush(stdout) != 0) {
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	rc = hg_drift_found(rep, strict) ? HG_EXIT_FINDINGS : HG_EXIT_CLEAN;
out:
	hg_drift_report_free(rep);
	hg_buf_dispose(&out);
	hg_diags_dispose(&d);
	for (i = 0; i < nstates; i++)
		free(states[i]);
	free(states);
	free(templates);
	hg_cli_paths_dispose(&paths);
	return rc;
}
