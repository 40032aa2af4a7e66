/*
 * main.c: the hinagata command line: global options and dispatch.
 * Part of hinagata; see LICENSE.
 *
 * Exit codes, for every command: 0 clean, 1 findings (compile errors in
 * the input, drift, violations), 2 could not run (usage, unreadable input,
 * I/O, internal error). stdout carries results only; it is checked for
 * write errors at exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/shard.h"
#include "cli.h"

static const hg_cmd commands[] = {
        {"check", hg_cmd_check, "Check templates before a commit (pre-commit hook)",
                "コミット前にテンプレートを検査する (pre-commit フック)"},
        {"compile", hg_cmd_compile, "Compile templates to CloudFormation or ARM JSON",
                "テンプレートを CloudFormation / ARM の JSON にコンパイルする"},
        {"controls", hg_cmd_controls, "List the Government Cloud control catalog",
                "ガバメントクラウドの統制カタログを一覧表示する"},
        {"diff", hg_cmd_diff, "Show what changes between two versions of a template",
                "テンプレートの 2 つのバージョンの違いを示す"},
        {"history", hg_cmd_history, "Runs recorded, finding timelines, imports, CSV export",
                "記録した実行、検出項目の経過、取り込み、CSV 出力"},
        {"hook", hg_cmd_hook, "Install a git pre-commit hook running hinagata check",
                "hinagata check を実行する git の pre-commit フックをインストールする"},
        {"drift", hg_cmd_drift, "Compare deployed state with the templates in git",
                "デプロイ済みの状態と git のテンプレートを比べる (ドリフト検知)"},
        {"fleet", hg_cmd_fleet, "Read a fleet manifest (fleet.yaml) and plan its work units and shards",
                "フリートのマニフェスト (fleet.yaml) を読み、作業単位とシャードを示す"},
        {"report", hg_cmd_report, "The monthly report from the history (score, findings, trend)",
                "履歴から月次レポートを作る (スコア、検出項目、推移)"},
        {"update", hg_cmd_update, "Show and apply a new version of the mandatory templates",
                "必須適用テンプレートの新しいバージョンの影響を示し、適用する"},
};

static void on_oom(void)
{
	static const char msg[] = "hinagata: out of memory\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing left to do */
	}
	hg_fs_cleanup_signal();
	_exit(HG_EXIT_FAILURE);
}

static void on_signal(int sig)
{
	hg_fs_cleanup_signal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Print fmt with its one "%s" replaced by arg (messages are data, not formats). */
static void put_msg(const char *fmt, const char *arg)
{
	const char *at = strstr(fmt, "%s");
	if (!at) {
		fputs(fmt, stderr);
		return;
	}
	fwrite(fmt, 1, (size_t)(at - fmt), stderr);
	fputs(arg ? arg : "", stderr);
	fputs(at + 2, stderr);
}

void hg_cli_say(hg_cli *cli, const char *en, const char *ja, const char *arg)
{
	fputs("hinagata: ", stderr);
	put_msg(cli->lang == HG_LANG_JA ? ja : en, arg);
	fputc('\n', stderr);
}

int hg_cli_usage_error(
        hg_cli *cli, const char *cmd, const char *en, const char *ja, const char *arg)
{
	fputs("hinagata: ", stderr);
	put_msg(cli->lang == HG_LANG_JA ? ja : en, arg);
	fputc('\n', stderr);
	if (cli->lang == HG_LANG_JA)
		fprintf(stderr, "使い方は 'hinagata %s%s--help' を見てください。\n", cmd ? cmd : "",
		        cmd ? " " : "");
	else
		fprintf(stderr, "Try 'hinagata %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return HG_EXIT_FAILURE;
}

bool hg_cli_shard(hg_cli *cli, hg_shard *out, const char *flag)
{
	hg_diags d = HG_DIAGS_INIT;
	int rc = hg_shard_resolve(out, flag, hg_shard_getenv, NULL, &d);
	hg_cli_print_diags(cli, &d);
	hg_diags_dispose(&d);
	return rc == 0;
}

int hg_cli_bad_option(hg_cli *cli, const char *cmd, int optopt_, char **argv, int optind_)
{
	char one[2] = {(char)optopt_, 0};
	return hg_cli_usage_error(cli, cmd,
	        optopt_ ? "option '-%s' is unknown or needs a value" : "option '%s' is unknown or needs a value",
	        optopt_ ? "オプション '-%s' は存在しないか、値の指定が必要です" : "オプション '%s' は存在しないか、値の指定が必要です",
	        optopt_ ? one : argv[optind_ - 1]);
}

bool hg_cli_set_lang(hg_cli *cli, const char *value)
{
	if (hg_lang_parse(&cli->lang, value) == 0)
		return true;
	hg_cli_usage_error(cli, NULL, "--lang must be 'ja' or 'en', not '%s'",
	        "--lang には 'ja' か 'en' を指定してください ('%s' は使えません)", value);
	return false;
}

void hg_cli_print_diags(hg_cli *cli, hg_diags *d)
{
	hg_buf out = HG_BUF_INIT;
	hg_render_options ro;

	ro.lang = cli->lang;
	ro.color = cli->color;
	ro.max = 200;
	hg_diags_sort(d);
	hg_diags_render(d, &out, &ro);
	fwrite(out.ptr, 1, out.size, stderr);
	hg_buf_dispose(&out);
}

const char *hg_cli_datadir(void)
{
	static char exe[PATH_MAX];
	const char *home = getenv("HINAGATA_HOME");
	ssize_t n;

	if (home && *home)
		return home;
	/* A binary inside the build tree uses the source tree's data; an
	 * installed one uses the installed copy. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if (strncmp(exe, HG_BUILD_DIR "/", strlen(HG_BUILD_DIR) + 1) == 0)
			return HG_SOURCE_DIR;
	}
	/* Installed: bin/../share/hinagata, wherever the prefix was moved. */
	if (n > 0) {
		static char rel[PATH_MAX + 64];
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(rel, sizeof(rel), "%s/%s", exe, HG_BINDIR_TO_DATADIR);
			if (snprintf(exe, sizeof(exe), "%s/templates", rel) > 0 &&
			        hg_fs_is_dir(exe))
				return rel;
		}
	}
	if (hg_fs_is_dir(HG_DATADIR "/templates"))
		return HG_DATADIR;
	return HG_SOURCE_DIR;
}

void hg_cli_paths_add(hg_cli_paths *p, const char *dir)
{
	HG_GROW(p->dirs, p->capdirs, p->ndirs + 1);
	p->dirs[p->ndirs++] = dir;
}

bool hg_cli_paths_check(hg_cli *cli, const hg_cli_paths *p)
{
	hg_diags d = HG_DIAGS_INIT;
	size_t i;
	bool ok = true;

	for (i = 0; i < p->ndirs; i++)
		if (hg_fs_is_dir(p->dirs[i]) != 1) {
			hg_diags_source(&d, p->dirs[i], NULL, 0);
			hg_diag_add(&d, HG_D_IO_READ, NULL, p->dirs[i],
			        HG_BI("--templates needs a directory",
			                "--templates にはディレクトリを指定してください"),
			        NULL);
			ok = false;
		}
	hg_cli_print_diags(cli, &d);
	hg_diags_dispose(&d);
	return ok;
}

void hg_cli_paths_finish(hg_cli_paths *p)
{
	hg_buf b = HG_BUF_INIT;
	char *d, *save = NULL;

	if (getenv("HINAGATA_PATH")) {
		p->envpath = hg_xstrdup(getenv("HINAGATA_PATH"));
		for (d = strtok_r(p->envpath, ":", &save); d; d = strtok_r(NULL, ":", &save))
			hg_cli_paths_add(p, d);
	}
	hg_buf_printf(&b, "%s/templates", hg_cli_datadir());
	p->bundled = hg_buf_detach(&b);
	hg_buf_printf(&b, "%s/schemas", hg_cli_datadir());
	p->schemas = hg_buf_detach(&b);
}

void hg_cli_paths_dispose(hg_cli_paths *p)
{
	free(p->dirs);
	free(p->envpath);
	free(p->bundled);
	free(p->schemas);
	memset(p, 0, sizeof(*p));
}

static void usage(hg_cli *cli, FILE *f)
{
	size_t i;
	if (cli->lang == HG_LANG_JA) {
		fputs("使い方: hinagata [--lang ja|en] <コマンド> [オプション]\n"
		      "       hinagata --version | --help\n\n"
		      "ガバメントクラウドの必須適用テンプレートのコンパイル、ドリフト検知、コミット"
		      "前検査。\n\n"
		      "コマンド:\n",
		        f);
	} else {
		fputs("usage: hinagata [--lang ja|en] <command> [options]\n"
		      "       hinagata --version | --help\n\n"
		      "Compile, drift-check and pre-commit-check Government Cloud templates.\n\n"
		      "Commands:\n",
		        f);
	}
	for (i = 0; i < HG_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
		        cli->lang == HG_LANG_JA ? commands[i].desc_ja : commands[i].desc_en);
	fputs(cli->lang == HG_LANG_JA ? "\n各コマンドの詳細は 'hinagata <コマンド> --help'。\n"
	                                "終了コード: 0 問題なし、1 検出あり (入力のエラー等)、2 "
	                                "実行できない。\n"
	                              : "\nSee 'hinagata <command> --help' for each command.\n"
	                                "Exit codes: 0 clean, 1 findings (errors in the input, "
	                                "...), 2 could not run.\n",
	        f);
}

int main(int argc, char **argv)
{
	hg_cli cli;
	int i, rc = HG_EXIT_FAILURE;
	size_t k;

	hg_memory_init();
	hg_set_oom_handler(on_oom);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	memset(&cli, 0, sizeof(cli));
	cli.prog = "hinagata";
	cli.lang = hg_lang_from_env();
	cli.color = isatty(2) && !getenv("NO_COLOR");
	/* What runs that were killed (SIGKILL, OOM) left behind in $TMPDIR. */
	hg_fs_clean_leftovers();

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--lang") == 0 && i + 1 < argc) {
			if (!hg_cli_set_lang(&cli, argv[++i]))
				return HG_EXIT_FAILURE;
		} else if (strncmp(a, "--lang=", 7) == 0) {
			if (!hg_cli_set_lang(&cli, a + 7))
				return HG_EXIT_FAILURE;
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("hinagata %s\n", HG_VERSION);
			printf(cli.lang == HG_LANG_JA ? "同梱テンプレート: %s/templates "
			                                "(メッセージでは <hinagata>/templates)\n"
			                              : "bundled templates: %s/templates (shown as "
			                                "<hinagata>/templates)\n",
			        hg_cli_datadir());
			rc = HG_EXIT_CLEAN;
			goto out;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 ||
		           strcmp(a, "help") == 0) {
			if (strcmp(a, "help") == 0 && i + 1 < argc) {
				/* "hinagata help compile" = "hinagata compile --help" */
				char *sub[3];
				sub[0] = argv[i + 1];
				sub[1] = (char *)(uintptr_t) "--help";
				sub[2] = NULL;
				for (k = 0; k < HG_ARRAY_SIZE(commands); k++)
					if (strcmp(commands[k].name, argv[i + 1]) == 0) {
						rc = commands[k].fn(&cli, 2, sub);
						goto out;
					}
			}
			usage(&cli, stdout);
			rc = HG_EXIT_CLEAN;
			goto out;
		} else if (a[0] == '-') {
			return hg_cli_usage_error(
			        &cli, NULL, "unknown option '%s'", "不明なオプション '%s' です", a);
		} else {
			break;
		}
	}
	if (i >= argc) {
		usage(&cli, stderr);
		return HG_EXIT_FAILURE;
	}
	for (k = 0; k < HG_ARRAY_SIZE(commands); k++) {
		if (strcmp(commands[k].name, argv[i]) == 0) {
			rc = commands[k].fn(&cli, argc - i, argv + i);
			goto out;
		}
	}
	return hg_cli_usage_error(
	        &cli, NULL, "unknown command '%s'", "不明なコマンド '%s' です", argv[i]);
out:
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		hg_cli_say(&cli, "error writing to standard output: %s",
		        "標準出力への書き込みに失敗しました: %s", strerror(errno));
		return HG_EXIT_FAILURE;
	}
	return rc;
}
