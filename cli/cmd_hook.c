/*
 * cmd_hook.c: hinagata hook install: a plain git pre-commit hook that runs
 * `hinagata check --staged`, for teams without the pre-commit framework.
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/fs.h"
#include "../drift/gitsrc.h"
#include "cli.h"

#define MARK "# installed by: hinagata hook install"

static const char HOOK[] = "#!/bin/sh\n" MARK "\n"
                           "# Checks what is staged: hinagata templates must compile and compiled\n"
                           "# output must be current. Skip once with: git commit --no-verify\n"
                           "exec \"${HINAGATA:-hinagata}\" check --staged\n";

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata hook install [--force]\n\n"
		      "このリポジトリに git の pre-commit "
		      "フックをインストールします。フックはコミットのたびに\n"
		      "`hinagata check --staged` を実行します。既存のほかのフックは --force "
		      "なしでは\n"
		      "上書きしません。pre-commit フレームワークを使う場合は "
		      ".pre-commit-hooks.yaml を\n"
		      "参照してください (docs/check.md)。\n",
		        stdout);
	else
		fputs("usage: hinagata hook install [--force]\n\n"
		      "Write a git pre-commit hook into this repository that runs\n"
		      "`hinagata check --staged` before every commit. Another existing hook is "
		      "not\n"
		      "replaced without --force. With the pre-commit framework, use the hook in\n"
		      ".pre-commit-hooks.yaml instead (docs/check.md).\n",
		        stdout);
}

int hg_cmd_hook(hg_cli *cli, int argc, char **argv)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_buf gitdir = HG_BUF_INIT, path = HG_BUF_INIT, old = HG_BUF_INIT;
	bool force = false;
	size_t size;
	int i, rc = HG_EXIT_FAILURE;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		help(cli);
		return HG_EXIT_CLEAN;
	}
	if (argc < 2 || strcmp(argv[1], "install") != 0)
		return hg_cli_usage_error(
		        cli, "hook", "expected 'install'%s", "'install' を指定してください%s", "");
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = true;
		else if (strncmp(argv[i], "--lang=", 7) == 0 ? !hg_cli_set_lang(cli, argv[i] + 7)
		                                             : 1)
			return hg_cli_usage_error(
			        cli, "hook", "unknown argument '%s'", "不明な引数 '%s' です", argv[i]);
	}
	if (hg_git_dir(".", &gitdir, &d) < 0) {
		hg_cli_print_diags(cli, &d);
		goto out;
	}
	hg_buf_printf(&path, "%shooks/pre-commit", gitdir.ptr);
	if (hg_fs_read(&old, path.ptr, 1u << 20, &size) == 0 && !strstr(old.ptr, MARK) && !force) {
		hg_cli_say(cli,
		        "%s exists and is not hinagata's; keep it, or replace it with --force",
		        "%s は hinagata のものではないフックです。残すか、--force "
		        "で置き換えてください",
		        path.ptr);
		rc = HG_EXIT_FAILURE; /* could not do what was asked: 2, not a finding */
		goto out;
	}
	if (hg_fs_write_atomic(path.ptr, HOOK, sizeof(HOOK) - 1) < 0 ||
	        chmod(path.ptr, 0755) != 0) {
		hg_diag_add(&d, HG_D_IO_WRITE, NULL, path.ptr, strerror(errno), NULL);
		hg_cli_print_diags(cli, &d);
		goto out;
	}
	hg_cli_say(cli, "installed the pre-commit hook %s", "pre-commit フック %s をインストールしました",
	        path.ptr);
	rc = HG_EXIT_CLEAN;
out:
	hg_buf_dispose(&gitdir);
	hg_buf_dispose(&path);
	hg_buf_dispose(&old);
	hg_diags_dispose(&d);
	return rc;
}
