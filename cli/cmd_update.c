/*
 * cmd_update.c: hinagata update: the impact of a mandatory template's new
 * version on every system template that uses it, and, with --write, the
 * systems moved to it (the library is diff/impact.c; the report writers
 * report/tdiff.c).
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "../compiler/config.h"
#include "../diff/tdiff.h"
#include "../report/report.h"
#include "cli.h"

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata update [--template NAME]... [--to VERSION] [--write] [-o DIR]\n"
		      "                       [--format text|json|md] [--exclude PATH]... [--templates DIR]...\n"
		      "                       [--lang ja|en] [PATH...]\n\n"
		      "必須適用テンプレートの新しいバージョンが、それを use するシステムテンプレート\n"
		      "(PATH の下、既定: .) のそれぞれに与える影響を示します。示すのは、use の範囲が"
		      "新しい\n"
		      "バージョンを含むか、システムが今どのバージョンか (コミットされたコンパイル結果の\n"
		      "バージョン)、新しいバージョンでコンパイル結果の何が変わるか (hinagata diff と同じ:\n"
		      "置き換え、データの喪失、ロックされた設定)、新しいバージョンの変更内容です。\n"
		      "--write を付けると、その範囲を新しいバージョンに書き換え (ファイルのほかの部分は\n"
		      "変えません)、システムをコンパイルし直して、コミットされているコンパイル結果を\n"
		      "書き換えます。\n\n"
		      "オプション:\n"
		      "  --template NAME       このテンプレートを更新する (既定: 使われているすべての"
		      "必須適用テンプレート)\n"
		      "  --to VERSION          このバージョンに更新する (既定: 最新)\n"
		      "  --write               範囲を書き換え、コンパイルし直す\n"
		      "  -o DIR                コンパイルし直した結果を DIR にも書く\n"
		      "  --format F            text (既定)、json (hinagata-update/1)、md\n"
		      "  --exclude PATH        たどるときに PATH を除く (.hinagata.yaml の "
		      "check.exclude も)\n"
		      "  --templates DIR       テンプレート検索パスの先頭に DIR を加える\n"
		      "  --lang ja|en          言語 (既定はロケールから)\n\n"
		      "終了コード: 0 すべて最新 (--write では: すべて更新した)、1 更新が必要 "
		      "(--write では: 更新できないものがある)、2 実行できない。\n",
		        stdout);
	else
		fputs("usage: hinagata update [--template NAME]... [--to VERSION] [--write] [-o DIR]\n"
		      "                       [--format text|json|md] [--exclude PATH]... [--templates DIR]...\n"
		      "                       [--lang ja|en] [PATH...]\n\n"
		      "What a new version of a mandatory template does to each system template that "
		      "uses it\n"
		      "(under PATH, default .): whether the use's range admits it, which version the "
		      "system\n"
		      "is on (its committed compiled output's), what changes in its compiled output "
		      "(as\n"
		      "hinagata diff says it: replacements, data lost, locked settings), and what the "
		      "new\n"
		      "version changed. With --write, the ranges are moved to the new version (nothing "
		      "else\n"
		      "of the files changes), and the systems recompiled into their committed "
		      "compiled\n"
		      "output.\n\n"
		      "Options:\n"
		      "  --template NAME       update this template (default: every mandatory one "
		      "used)\n"
		      "  --to VERSION          move to this version (default: the newest)\n"
		      "  --write               move the ranges and recompile\n"
		      "  -o DIR                also write what is recompiled into DIR\n"
		      "  --format F            text (default), json (hinagata-update/1) or md\n"
		      "  --exclude PATH        leave PATH out when walking (also check.exclude in "
		      ".hinagata.yaml)\n"
		      "  --templates DIR       put DIR first on the template search path\n"
		      "  --lang ja|en          language (default: from the locale)\n\n"
		      "Exit status: 0 all current (--write: all moved), 1 updates to make (--write: "
		      "some could\nnot be moved), 2 could not run.\n",
		        stdout);
}

int hg_cmd_update(hg_cli *cli, int argc, char **argv)
{
	enum { OPT_TEMPLATE = 256, OPT_TO, OPT_WRITE, OPT_FORMAT, OPT_EXCLUDE, OPT_TEMPLATES, OPT_LANG };
	static const struct option longopts[] = {
	        {"template", required_argument, NULL, OPT_TEMPLATE},
	        {"to", required_argument, NULL, OPT_TO},
	        {"write", no_argument, NULL, OPT_WRITE},
	        {"output", required_argument, NULL, 'o'},
	        {"format", required_argument, NULL, OPT_FORMAT},
	        {"exclude", required_argument, NULL, OPT_EXCLUDE},
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	hg_update_options o = HG_UPDATE_OPTIONS_INIT;
	hg_report_options ro = {HG_FMT_TEXT, HG_LANG_EN, false};
	hg_cli_paths paths = {0};
	hg_config cfg;
	hg_diags d = HG_DIAGS_INIT;
	hg_impact *im = NULL;
	hg_buf out = HG_BUF_INIT;
	const char **names = hg_xcalloc((size_t)argc + 1, sizeof(char *));
	const char **exclude = hg_xcalloc((size_t)argc + 1, sizeof(char *));
	const char *outdir = NULL;
	size_t nnames = 0, nexclude = 0, i, k;
	bool write = false;
	int c, rc = HG_EXIT_FAILURE, r;

	memset(&cfg, 0, sizeof(cfg));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TEMPLATE:
			names[nnames++] = optarg;
			break;
		case OPT_TO:
			o.to = optarg;
			break;
		case OPT_WRITE:
			write = true;
			break;
		case 'o':
			outdir = optarg;
			break;
		case OPT_FORMAT:
			if (hg_report_format_parse(&ro.format, optarg) < 0 || ro.format == HG_FMT_SARIF ||
			        ro.format == HG_FMT_JUNIT) {
				rc = hg_cli_usage_error(cli, "update", "--format must be text, json or md, not '%s'",
				        "--format には text、json、md のいずれかを指定してください ('%s' は使えません)",
				        optarg);
				goto out;
			}
			break;
		case OPT_EXCLUDE:
			exclude[nexclude++] = optarg;
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
			rc = hg_cli_bad_option(cli, "update", optopt, argv, optind);
			goto out;
		}
	}
	ro.lang = cli->lang;
	if (o.to && nnames != 1) {
		rc = hg_cli_usage_error(cli, "update", "--to needs exactly one --template%s",
		        "--to には --template を 1 つだけ指定してください%s", "");
		goto out;
	}
	if (outdir && !write) {
		rc = hg_cli_usage_error(cli, "update", "-o writes what --write recompiles%s",
		        "-o は --write でコンパイルし直した結果を書きます%s", "");
		goto out;
	}
	if (!hg_cli_paths_check(cli, &paths))
		goto out;
	hg_cli_paths_finish(&paths);
	/* the repository's exclusions: test fixtures are not systems */
	if (hg_config_read(&cfg, HG_CONFIG_FILE, NULL, &d) < 0) {
		hg_cli_print_diags(cli, &d);
		goto out;
	}
	exclude = hg_xrealloc(exclude, ((size_t)argc + cfg.nexclude + 1) * sizeof(char *));
	for (k = 0; k < cfg.nexclude; k++)
		exclude[nexclude++] = cfg.exclude[k];
	o.paths = (const char *const *)(argv + optind);
	o.npaths = (size_t)(argc - optind);
	o.templates = names;
	o.ntemplates = nnames;
	o.template_dirs = paths.dirs;
	o.ntemplate_dirs = paths.ndirs;
	o.bundled_dir = paths.bundled;
	o.schema_dir = paths.schemas;
	o.exclude = exclude;
	o.nexclude = nexclude;

	r = hg_update_impact(&im, &o, &d);
	if (r == 0 && write)
		r = hg_update_apply(im, outdir, &o, &d);
	hg_cli_print_diags(cli, &d);
	if (r == HG_ENOTFOUND || r == HG_EIO || !im) {
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	hg_impact_report(&out, im, write, &ro);
	if (fwrite(out.ptr, 1, out.size, stdout) != out.size)
		goto out;
	/* report: anything to update is a finding; --write: anything left is */
	rc = HG_EXIT_CLEAN;
	for (i = 0; i < im->n; i++)
		for (k = 0; k < im->t[i].nuses; k++) {
			const hg_uuse *u = &im->t[i].uses[k];
			bool left = u->status == HG_US_FAILS ||
			            (u->status != HG_US_CURRENT && u->new_range && !u->range_length);
			if (write ? left : u->status != HG_US_CURRENT)
				rc = HG_EXIT_FINDINGS;
		}
	if (r < 0 || d.nerrors)
		rc = d.env_error ? HG_EXIT_FAILURE : HG_EXIT_FINDINGS;
out:
	hg_impact_free(im);
	hg_buf_dispose(&out);
	hg_diags_dispose(&d);
	hg_config_dispose(&cfg);
	hg_cli_paths_dispose(&paths);
	free(names);
	free(exclude);
	return rc;
}
