/*
 * cmd_check.c: hinagata check: what a commit must pass. Every hinagata
 * template compiles (nothing is written), and compiled output committed
 * next to the sources is what they compile to now. With --staged, the
 * content staged in the git index is checked (read with libgit2), not the
 * working tree: what a pre-commit hook must see.
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../compiler/compiler.h"
#include "../drift/gitsrc.h"
#include "cli.h"

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata check [--staged] [--templates DIR] [--lang ja|en] "
		      "[PATH...]\n\n"
		      "コミット前の検査です。hinagata テンプレートがすべてコンパイルできること "
		      "(出力は\n"
		      "書きません)"
		      "、リポジトリにあるコンパイル済みの出力がソースの今のコンパイル結果と\n"
		      "同じであること、手書きの CloudFormation・ARM "
		      "テンプレートがガバメントクラウドの\n"
		      "統制ルールを守ることを確かめます。PATH はファイルかディレクトリ (既定: "
		      ".)。\n\n"
		      "オプション:\n"
		      "  --staged              作業ツリーではなく git のインデックス "
		      "(ステージした内容) を検査\n"
		      "  --templates DIR       テンプレート検索パスの先頭に DIR を加える\n"
		      "  --lang ja|en          言語 (既定はロケールから)\n\n"
		      "終了コード: 0 問題なし、1 問題あり、2 実行できない。\n",
		        stdout);
	else
		fputs("usage: hinagata check [--staged] [--templates DIR] [--lang ja|en] "
		      "[PATH...]\n\n"
		      "What a commit must pass: every hinagata template compiles (nothing is\n"
		      "written), and compiled output in the repository is what its source "
		      "compiles\n"
		      "to now. PATH is a file or a directory (default: .).\n\n"
		      "Options:\n"
		      "  --staged              check what is staged in the git index, not the "
		      "working tree\n"
		      "  --templates DIR       put DIR first on the template search path\n"
		      "  --lang ja|en          language (default: from the locale)\n\n"
		      "Exit status: 0 clean, 1 findings, 2 could not run.\n",
		        stdout);
}

struct files {
	char **src; /* hinagata sources */
	size_t nsrc, capsrc;
	char **out; /* compiled output (JSON with hinagata metadata) */
	size_t nout, capout;
	char **raw; /* other YAML and JSON: maybe hand-written CloudFormation or ARM */
	size_t nraw, capraw;
};

static void push(char ***list, size_t *n, size_t *cap, const char *s)
{
	hg_grow_array((void **)list, cap, *n + 1, sizeof(char *));
	(*list)[(*n)++] = hg_xstrdup(s);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A hinagata source has a top-level `hinagata:` key (its first line that is not a comment). */
static bool is_source(const char *text)
{
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len && *p != '#' && *p != '\r' && strncmp(p, "---", 3) != 0)
			return strncmp(p, "hinagata:", 9) == 0;
		p += len + (eol ? 1 : 0);
	}
	return false;
}

/* The template name of compiled output (CloudFormation or ARM), or NULL. */
static char *compiled_name(const char *text, size_t len)
{
	json_t *doc = json_loadb(text, len, 0, NULL), *meta;
	const char *name;
	char *r = NULL;

	meta = json_object_get(json_object_get(doc, "Metadata"), "hinagata");
	if (!meta)
		meta = json_object_get(json_object_get(doc, "metadata"), "hinagata");
	name = json_string_value(
	        json_object_get(json_array_get(json_object_get(meta, "templates"), 0), "template"));
	if (name && json_object_get(meta, "compiler"))
		r = hg_xstrdup(name);
	json_decref(doc);
	return r;
}

static void classify(struct files *f, const char *path)
{
	hg_buf text = HG_BUF_INIT;
	size_t size;
	char *name;

	if (hg_fs_read(&text, path, 16u << 20, &size) < 0) {
		hg_buf_dispose(&text);
		return; /* unreadable or huge: compile reports sources itself */
	}
	if ((ends_with(path, ".yaml") || ends_with(path, ".yml")) && is_source(text.ptr))
		push(&f->src, &f->nsrc, &f->capsrc, path);
	else if (ends_with(path, ".json") && (name = compiled_name(text.ptr, text.size)) != NULL) {
		push(&f->out, &f->nout, &f->capout, path);
		free(name);
	} else if (ends_with(path, ".json") || ends_with(path, ".yaml") ||
	           ends_with(path, ".yml") || ends_with(path, ".template"))
		push(&f->raw, &f->nraw, &f->capraw, path);
	hg_buf_dispose(&text);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files under path (sorted), skipping hidden directories and node_modules. */
static void walk(struct files *f, const char *path, int depth)
{
	DIR *dir;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (hg_fs_is_dir(path) != 1) {
		classify(f, path);
		return;
	}
	if (depth > 32 || !(dir = opendir(path)))
		return;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "node_modules") == 0)
			continue;
		push(&names, &n, &cap, de->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		hg_buf p = HG_BUF_INIT;
		if (strcmp(path, ".") == 0)
			hg_buf_puts(&p, names[i]);
		else
			hg_buf_printf(&p, "%s/%s", path, names[i]);
		walk(f, p.ptr, depth + 1);
		hg_buf_dispose(&p);
		free(names[i]);
	}
	free(names);
}

/* Compiled output that differs from what its source compiles to now (HG8001). */
static void check_outputs(const struct files *f, const hg_output *outs, hg_diags *d)
{
	size_t i, k;

	for (i = 0; i < f->nout; i++) {
		hg_buf text = HG_BUF_INIT;
		size_t size;
		char *name;
		const hg_output *o = NULL;
		if (hg_fs_read(&text, f->out[i], 16u << 20, &size) < 0) {
			hg_buf_dispose(&text);
			continue;
		}
		name = compiled_name(text.ptr, text.size);
		for (k = 0; name && k < f->nsrc; k++)
			if (outs[k].template_name && strcmp(outs[k].template_name, name) == 0)
				o = &outs[k];
		if (o && o->json &&
		        (o->len != text.size || memcmp(o->json, text.ptr, o->len) != 0)) {
			hg_span at;
			hg_diag *dg;
			hg_buf cmd = HG_BUF_INIT, tail = HG_BUF_INIT;
			size_t plen = strlen(f->out[i]);
			memset(&at, 0, sizeof(at));
			at.file = hg_diags_source(d, f->out[i], text.ptr, text.size);
			at.line = at.end_line = 1;
			at.col = 1;
			at.end_col = 2;
			dg = hg_diag_add(d, HG_D_STALE_OUTPUT, &at, f->out[i], o->input, NULL);
			/* compile writes DIR/<template name>.json */
			hg_buf_printf(&tail, "/%s.json", name);
			if (plen > tail.size && ends_with(f->out[i], tail.ptr))
				hg_buf_printf(&cmd, "hinagata compile -o %.*s %s",
				        (int)(plen - tail.size), f->out[i], o->input);
			else
				hg_buf_printf(
				        &cmd, "hinagata compile -o - %s > %s", o->input, f->out[i]);
			hg_buf_dispose(&tail);
			hg_diag_note(dg, HG_D_N_REFRESH, NULL, cmd.ptr, NULL);
			hg_buf_dispose(&cmd);
		}
		free(name);
		hg_buf_dispose(&text);
	}
}

int hg_cmd_check(hg_cli *cli, int argc, char **argv)
{
	enum { OPT_STAGED = 256, OPT_TEMPLATES, OPT_LANG };
	static const struct option longopts[] = {
	        {"staged", no_argument, NULL, OPT_STAGED},
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	hg_compile_options o = HG_COMPILE_OPTIONS_INIT;
	hg_cli_paths paths = {0};
	struct files f;
	hg_diags d = HG_DIAGS_INIT;
	hg_output *outs = NULL;
	bool staged = false;
	char tmp[] = "/tmp/hinagata-staged-XXXXXX", *cwd = NULL;
	const char **dirs = NULL;
	hg_buf workdir = HG_BUF_INIT;
	size_t i;
	int c, rc = HG_EXIT_FAILURE;

	memset(&f, 0, sizeof(f));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STAGED:
			staged = true;
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
			rc = hg_cli_usage_error(cli, "check",
			        optopt ? "option '-%s' is unknown or needs a value"
			               : "option '%s' is unknown or needs a value",
			        optopt ? "オプション '-%s' は未知か、値が必要です"
			               : "オプション '%s' は未知か、値が必要です",
			        optopt ? (char[]){(char)optopt, 0} : argv[optind - 1]);
			goto out;
		}
	}
	if (!hg_cli_paths_check(cli, &paths))
		goto out;
	hg_cli_paths_finish(&paths);
	cwd = getcwd(NULL, 0);
	if (staged) {
		/* The index, written out; checked from there with repository paths. */
		if (!mkdtemp(tmp) || hg_git_export_index(".", tmp, &workdir, &d) < 0 ||
		        chdir(tmp) != 0) {
			if (!d.n)
				hg_diag_add(&d, HG_D_IO_WRITE, NULL, tmp, strerror(errno), NULL);
			hg_cli_print_diags(cli, &d);
			goto out;
		}
	}
	if (optind >= argc || staged)
		walk(&f, ".", 0);
	else
		for (i = (size_t)optind; i < (size_t)argc; i++)
			walk(&f, argv[i], 0);
	/* The repository (or the index) is on the search path: sources use each other. */
	dirs = hg_xcalloc(paths.ndirs + 2, sizeof(char *));
	dirs[0] = ".";
	for (i = 0; i < paths.ndirs; i++)
		dirs[i + 1] = paths.dirs[i];
	o.template_dirs = dirs;
	o.ntemplate_dirs = paths.ndirs + 1;
	o.bundled_dir = paths.bundled;
	o.schema_dir = paths.schemas;
	if (f.nsrc)
		hg_compile(&outs, (const char *const *)f.src, f.nsrc, &o, &d);
	if (outs && !d.env_error)
		check_outputs(&f, outs, &d);
	for (i = 0; i < f.nraw && !d.env_error; i++) {
		bool recognized;
		hg_check_template(f.raw[i], &o, &d, &recognized);
	}
	hg_cli_print_diags(cli, &d);
	rc = d.env_error ? HG_EXIT_FAILURE : hg_diags_exit_code(&d);
out:
	if (staged && cwd) {
		if (chdir(cwd) != 0)
			rc = HG_EXIT_FAILURE;
		hg_fs_remove_tree(tmp);
	}
	free(cwd);
	hg_outputs_free(outs, f.nsrc);
	for (i = 0; i < f.nsrc; i++)
		free(f.src[i]);
	for (i = 0; i < f.nout; i++)
		free(f.out[i]);
	for (i = 0; i < f.nraw; i++)
		free(f.raw[i]);
	free(f.raw);
	free(f.src);
	free(f.out);
	free(dirs);
	hg_buf_dispose(&workdir);
	hg_diags_dispose(&d);
	hg_cli_paths_dispose(&paths);
	return rc;
}
