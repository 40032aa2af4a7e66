/*
 * cmd_diff.c: hinagata diff: what changes between two versions of a
 * template, per resource (the library is diff/tdiff.h; the report writers
 * report/tdiff.c).
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "../diff/tdiff.h"
#include "../report/report.h"
#include "cli.h"

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata diff [--format text|json|md] [-o FILE] [--templates DIR]...\n"
		      "                     [--lang ja|en] 変更前 変更後\n"
		      "       hinagata diff [--repo DIR] [オプション] リビジョン リビジョン [PATH...]\n\n"
		      "テンプレートの 2 つのバージョンの違いをリソースごとに示します: 追加・削除・変更され"
		      "たリソース、\n"
		      "変更されたプロパティのパスと新旧の値、変更でリソースが置き換えられるか "
		      "(CloudFormation\n"
		      "はレジストリスキーマの createOnlyProperties、ARM は場所と名前)、データを"
		      "保持するリソース\n"
		      "(バケット、データベース、暗号鍵、ロググループ) が失われるか、ロックされた"
		      "設定と必須適用\n"
		      "テンプレートの統制に影響するか。\n\n"
		      "変更前・変更後は、ファイル (CloudFormation か ARM、JSON か YAML、"
		      "コンパイル済みか\n"
		      "手書き、または hinagata のソース: その場でコンパイル)、検索パス上の"
		      "テンプレートの\n"
		      "バージョン (gc/aws/threat-detection@1.1.0)、または git のリビジョン "
		      "(--repo、または\n"
		      "どちらもファイルでないとき: カレントディレクトリのリポジトリ。"
		      "チェックアウトせずに\n"
		      "libgit2 で読み、PATH を指定するとその下のテンプレートだけを比べます)。\n\n"
		      "オプション:\n"
		      "  --repo DIR            変更前・変更後をこのリポジトリのリビジョンとして読む\n"
		      "  --format F            text (既定)、json (hinagata-diff/1)、md\n"
		      "  -o FILE               FILE に書く (既定: 標準出力)\n"
		      "  --templates DIR       テンプレート検索パスの先頭に DIR を加える\n"
		      "  --lang ja|en          言語 (既定はロケールから)\n\n"
		      "終了コード: 0 違いなし、1 違いあり、2 実行できない。\n",
		        stdout);
	else
		fputs("usage: hinagata diff [--format text|json|md] [-o FILE] [--templates DIR]...\n"
		      "                     [--lang ja|en] BEFORE AFTER\n"
		      "       hinagata diff [--repo DIR] [options] REVISION REVISION [PATH...]\n\n"
		      "What changes between two versions of a template, per resource: resources "
		      "added,\n"
		      "removed and modified, each changed property's path with its old and new "
		      "value,\n"
		      "whether the change replaces the resource (CloudFormation: the registry "
		      "schemas'\n"
		      "createOnlyProperties; ARM: its location and name), whether a resource "
		      "holding data\n"
		      "(buckets, databases, keys, log groups) loses it, and the locked settings "
		      "and\n"
		      "mandatory templates' controls it touches.\n\n"
		      "BEFORE and AFTER are files (CloudFormation or ARM, JSON or YAML, compiled "
		      "or\n"
		      "hand-written, or hinagata sources, compiled in memory), template versions "
		      "of the\n"
		      "search path (gc/aws/threat-detection@1.1.0), or git revisions (with --repo, "
		      "or when\n"
		      "neither is a file: the repository of the working directory, read with "
		      "libgit2\n"
		      "without a checkout; PATHs limit the comparison to the templates under "
		      "them).\n\n"
		      "Options:\n"
		      "  --repo DIR            read BEFORE and AFTER as revisions of this repository\n"
		      "  --format F            text (default), json (hinagata-diff/1) or md\n"
		      "  -o FILE               write the report to FILE (default: stdout)\n"
		      "  --templates DIR       put DIR first on the template search path\n"
		      "  --lang ja|en          language (default: from the locale)\n\n"
		      "Exit status: 0 no difference, 1 differences, 2 could not run.\n",
		        stdout);
}

/* Is arg a file, a directory, or TEMPLATE@VERSION (not a revision)? */
static bool names_template(const char *arg)
{
	const char *at = strrchr(arg, '@');
	if (hg_fs_is_file(arg) == 1 || hg_fs_is_dir(arg) == 1)
		return true;
	/* NAME@VERSION: a template name has a '/', and a version starts with a digit */
	return at && at != arg && strchr(arg, '/') && strchr(arg, '/') < at && at[1] >= '0' &&
	       at[1] <= '9';
}

int hg_cmd_diff(hg_cli *cli, int argc, char **argv)
{
	enum { OPT_REPO = 256, OPT_FORMAT, OPT_TEMPLATES, OPT_LANG };
	static const struct option longopts[] = {
	        {"repo", required_argument, NULL, OPT_REPO},
	        {"format", required_argument, NULL, OPT_FORMAT},
	        {"output", required_argument, NULL, 'o'},
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	hg_tdiff_options o = HG_TDIFF_OPTIONS_INIT;
	hg_report_options ro = {HG_FMT_TEXT, HG_LANG_EN, false};
	hg_cli_paths paths = {0};
	hg_diags d = HG_DIAGS_INIT;
	hg_tdiff *t = NULL;
	hg_buf out = HG_BUF_INIT;
	const char *repo = NULL, *outfile = NULL;
	int c, rc = HG_EXIT_FAILURE, nargs;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_REPO:
			repo = optarg;
			break;
		case OPT_FORMAT:
			if (hg_report_format_parse(&ro.format, optarg) < 0 || ro.format == HG_FMT_SARIF ||
			        ro.format == HG_FMT_JUNIT) {
				rc = hg_cli_usage_error(cli, "diff", "--format must be text, json or md, not '%s'",
				        "--format には text、json、md のいずれかを指定してください ('%s' は使えません)",
				        optarg);
				goto out;
			}
			break;
		case 'o':
			outfile = optarg;
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
			rc = hg_cli_bad_option(cli, "diff", optopt, argv, optind);
			goto out;
		}
	}
	ro.lang = cli->lang;
	nargs = argc - optind;
	if (nargs < 2) {
		rc = hg_cli_usage_error(cli, "diff", "diff needs two templates or revisions%s",
		        "diff には 2 つのテンプレートかリビジョンが必要です%s", "");
		goto out;
	}
	if (!hg_cli_paths_check(cli, &paths))
		goto out;
	hg_cli_paths_finish(&paths);
	o.template_dirs = paths.dirs;
	o.ntemplate_dirs = paths.ndirs;
	o.bundled_dir = paths.bundled;
	o.schema_dir = paths.schemas;

	if (!repo && nargs == 2 &&
	        (names_template(argv[optind]) || names_template(argv[optind + 1]))) {
		hg_tdiff_files(&t, argv[optind], argv[optind + 1], &o, &d);
	} else {
		o.paths = (const char *const *)(argv + optind + 2);
		o.npaths = (size_t)nargs - 2;
		hg_tdiff_revisions(&t, repo ? repo : ".", argv[optind], argv[optind + 1], &o, &d);
	}
	hg_cli_print_diags(cli, &d);
	if (!t) {
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	hg_tdiff_report(&out, t, &ro);
	if (outfile) {
		if (hg_fs_write_atomic(outfile, out.ptr, out.size) < 0) {
			hg_cli_say(cli, "cannot write %s", "%s に書き込めません", outfile);
			rc = HG_EXIT_FAILURE;
			goto out;
		}
	} else if (fwrite(out.ptr, 1, out.size, stdout) != out.size) {
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	rc = hg_tdiff_any(t) ? HG_EXIT_FINDINGS : HG_EXIT_CLEAN;
out:
	hg_tdiff_free(t);
	hg_buf_dispose(&out);
	hg_diags_dispose(&d);
	hg_cli_paths_dispose(&paths);
	return rc;
}
