/*
 * cmd_compile.c: hinagata compile.
 * Part of hinagata; see LICENSE.
 *
 * Writes one JSON file per template input, at DIR/<template name>.json
 * (gc/aws/audit-trail -> build/gc/aws/audit-trail.json), each atomically.
 * An input that fails leaves no file: a partial file is impossible (temp
 * file + rename), and a stale one from an earlier run is removed so that
 * nothing downstream deploys an old template by mistake.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../compiler/compiler.h"
#include "cli.h"

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata compile [オプション] ファイル...\n\n"
		      "hinagata テンプレートを CloudFormation JSON (target: aws) または ARM JSON\n"
		      "(target: azure、bicep build と同じ形。az deployment で使う) "
		      "にコンパイルし、\n"
		      "テンプレートごとに DIR/<テンプレート名>.json を書き出します。\n\n"
		      "オプション:\n"
		      "  -o, --output DIR|-      出力先ディレクトリ (既定: build)。- なら標準出力\n"
		      "  --param NAME=VALUE      パラメータにコンパイル時の値を与える (複数可)\n"
		      "  --params-file FILE      NAME: VALUE の YAML/JSON ファイルから値を与える\n"
		      "  --templates DIR         テンプレート検索パスの先頭に DIR を加える "
		      "(複数可)\n"
		      "  --lang ja|en            メッセージの言語 (既定はロケールから)\n"
		      "  -h, --help              このヘルプ\n\n"
		      "検索パス: --templates、$HINAGATA_PATH (':' 区切り)、同梱の templates/。\n"
		      "終了コード: 0 成功、1 入力にエラー、2 実行できない (引数、読み書き)。\n",
		        stdout);
	else
		fputs("usage: hinagata compile [options] FILE...\n\n"
		      "Compile hinagata templates to CloudFormation JSON (target: aws) or ARM "
		      "JSON\n"
		      "(target: azure; shaped as bicep build writes it, for az deployment),\n"
		      "writing DIR/<template name>.json for each template.\n\n"
		      "Options:\n"
		      "  -o, --output DIR|-      output directory (default: build); - for stdout\n"
		      "  --param NAME=VALUE      give a parameter its value at compile time "
		      "(repeatable)\n"
		      "  --params-file FILE      parameter values from a YAML/JSON file of NAME: "
		      "VALUE\n"
		      "  --templates DIR         put DIR first on the template search path "
		      "(repeatable)\n"
		      "  --lang ja|en            message language (default: from the locale)\n"
		      "  -h, --help              show this help\n\n"
		      "Search path: --templates, then $HINAGATA_PATH (':'-separated), then the\n"
		      "bundled templates/.\n"
		      "Exit codes: 0 compiled, 1 errors in the input, 2 could not run (usage, "
		      "I/O).\n",
		        stdout);
}

/* The same version (a version that could not be read may be any) */
static bool same_version(const hg_output *a, const hg_output *b)
{
	return !a->template_version || !b->template_version ||
	       strcmp(a->template_version, b->template_version) == 0;
}

/*
 * Does another input compile to the same output as input i? Then neither
 * writes it: one of them has the duplicate-template error (HG4009), and the
 * other must not pass for the template either. first says whether i is the
 * first of them (the one that removes a stale output).
 */
static bool shares_output(const hg_output *outs, size_t n, size_t i, bool *first)
{
	size_t j;
	bool shared = false;

	*first = true;
	for (j = 0; j < n; j++) {
		if (j == i || !outs[j].template_name ||
		        strcmp(outs[j].template_name, outs[i].template_name) != 0 ||
		        !same_version(&outs[i], &outs[j]))
			continue;
		shared = true;
		if (j < i)
			*first = false;
	}
	return shared;
}

/* Is another input a later version of the template of input i? */
static bool superseded(const hg_output *outs, size_t n, size_t i)
{
	size_t j;
	for (j = 0; j < n; j++)
		if (j != i && outs[j].template_name && outs[i].template_version &&
		        outs[j].template_version &&
		        strcmp(outs[j].template_name, outs[i].template_name) == 0 &&
		        hg_version_cmp(outs[j].template_version, outs[i].template_version) > 0)
			return true;
	return false;
}

/*
 * build/<name>.json for template `name`; when a later version of the same
 * template is compiled in the same run (an update and the version it
 * replaces), the earlier one is build/<name>@<version>.json.
 */
static char *output_path(const char *dir, const hg_output *outs, size_t n, size_t i)
{
	hg_buf b = HG_BUF_INIT;
	if (superseded(outs, n, i))
		hg_buf_printf(&b, "%s/%s@%s.json", dir, outs[i].template_name, outs[i].template_version);
	else
		hg_buf_printf(&b, "%s/%s.json", dir, outs[i].template_name);
	return hg_buf_detach(&b);
}

int hg_cmd_compile(hg_cli *cli, int argc, char **argv)
{
	enum { OPT_PARAM = 256, OPT_PARAMS_FILE, OPT_TEMPLATES, OPT_LANG };
	static const struct option longopts[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"param", required_argument, NULL, OPT_PARAM},
	        {"params-file", required_argument, NULL, OPT_PARAMS_FILE},
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	hg_compile_options o = HG_COMPILE_OPTIONS_INIT;
	const char *outdir = "build";
	const char **params = hg_xcalloc((size_t)argc + 1, sizeof(*params));
	hg_cli_paths paths = {0};
	size_t nparams = 0, i;
	hg_diags d = HG_DIAGS_INIT;
	hg_output *outs = NULL;
	int c, rc = HG_EXIT_FAILURE, ninputs;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outdir = optarg;
			break;
		case OPT_PARAM:
			params[nparams++] = optarg;
			break;
		case OPT_PARAMS_FILE:
			o.params_file = optarg;
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
			rc = hg_cli_usage_error(cli, "compile",
			        optopt ? "option '-%s' is unknown or needs a value"
			               : "option '%s' is unknown or needs a value",
			        optopt ? "オプション '-%s' は存在しないか、値の指定が必要です"
			               : "オプション '%s' は存在しないか、値の指定が必要です",
			        optopt ? (char[]){(char)optopt, 0} : argv[optind - 1]);
			goto out;
		}
	}
	ninputs = argc - optind;
	if (ninputs <= 0) {
		rc = hg_cli_usage_error(
		        cli, "compile", "no input files%s", "入力ファイルがありません%s", "");
		goto out;
	}
	if (strcmp(outdir, "-") == 0 && ninputs > 1) {
		rc = hg_cli_usage_error(cli, "compile",
		        "-o - writes one template to stdout; %s given several",
		        "-o - で標準出力に書けるテンプレートは 1 つだけです (%s複数指定されています)",
		        "");
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
	o.schema_dir = paths.schemas;
	o.params = params;
	o.nparams = nparams;

	hg_compile(&outs, (const char *const *)(argv + optind), (size_t)ninputs, &o, &d);
	rc = hg_diags_exit_code(&d);
	for (i = 0; i < (size_t)ninputs && rc != HG_EXIT_FAILURE; i++) {
		hg_output *out = &outs[i];
		char *path;
		bool first;
		if (!out->template_name)
			continue;
		if (strcmp(outdir, "-") == 0) {
			if (out->json && fwrite(out->json, 1, out->len, stdout) != out->len)
				rc = HG_EXIT_FAILURE;
			continue;
		}
		if (!out->json && out->ok)
			continue; /* a profile: nothing to write */
		path = output_path(outdir, outs, (size_t)ninputs, i);
		if (shares_output(outs, (size_t)ninputs, i, &first)) {
			if (first && unlink(path) == 0)
				hg_cli_say(cli, "removed the stale output %s",
				        "古い出力 %s を削除しました", path);
		} else if (out->json) {
			if (hg_fs_write_atomic(path, out->json, out->len) < 0) {
				hg_diag_add(&d, HG_D_IO_WRITE, NULL, path, strerror(errno), NULL);
				rc = HG_EXIT_FAILURE;
			} else {
				hg_cli_say(cli, "wrote %s", "%s を書き出しました", path);
			}
		} else if (unlink(path) == 0) {
			hg_cli_say(cli, "removed the stale output %s", "古い出力 %s を削除しました",
			        path);
		}
		free(path);
	}
	hg_cli_print_diags(cli, &d);
	if (d.env_error)
		rc = HG_EXIT_FAILURE;
out:
	hg_outputs_free(outs, (size_t)(argc - optind > 0 ? argc - optind : 0));
	hg_diags_dispose(&d);
	free(params);
	hg_cli_paths_dispose(&paths);
	return rc;
}
