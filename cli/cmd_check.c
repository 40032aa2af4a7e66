/*
 * cmd_check.c: hinagata check: what a commit must pass. Every hinagata
 * template compiles (nothing is written), and compiled output committed
 * next to the sources is what they compile to now. With --staged, the
 * content staged in the git index is checked (read with libgit2), not the
 * working tree: what a pre-commit hook must see.
 * Part of hinagata; see LICENSE.
 *
 * A gate must not pass what it did not read. Every file the walk finds
 * whose name says template (.yaml, .yml, .json, .template), and every path
 * named on the command line, is either read or reported with a diagnostic
 * that makes the exit code non-zero: too large (HG0011), a NUL byte
 * (HG0014), a FIFO, device or socket (HG9001, found by stat before any
 * open(2), which would block on a FIFO forever), a directory that cannot
 * be opened (HG9001), directories nested past WALK_MAX_DEPTH (HG9009).
 * Directories are walked once each, by device and inode: a symbolic link
 * to "." (or two of them, which made 2^33 paths) or a second way to a
 * directory already walked adds nothing, and a file reached twice is
 * checked once. Hidden entries and node_modules are left out by design
 * (.hinagata.yaml's check.exclude leaves out more); both are documented.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../common/shard.h"
#include "../compiler/compiler.h"
#include "../diff/tdiff.h"
#include "../drift/gitsrc.h"
#include "../report/report.h"
#include "cli.h"
#include "../compiler/config.h"

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata check [--staged] [--format text|json|sarif|junit] "
		      "[--exclude PATH]...\n"
		      "                      [--templates DIR] [--lang ja|en] [PATH...]\n\n"
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
		      "  --format F            text (既定)、json、sarif、junit\n"
		      "  --exclude PATH        ディレクトリをたどるときに PATH "
		      "(ディレクトリかパターン) を除く。\n"
		      "                        .hinagata.yaml の check.exclude にも書ける\n"
		      "  --templates DIR       テンプレート検索パスの先頭に DIR を加える\n"
		      "  --shard I/N           N 個に分けたうちの I 番目 (1 から) のファイルだけを検査。\n"
		      "                        指定がなければ JOB_COMPLETION_INDEX/JOB_COMPLETIONS か\n"
		      "                        AWS_BATCH_JOB_ARRAY_INDEX/_SIZE から\n"
		      "  --history FILE        統制ルールの検出項目を履歴ストアに記録する\n"
		      "  --date YYYY-MM-DD     記録する実行の日付 (既定: 今日)\n"
		      "  --lang ja|en          言語 (既定はロケールから)\n\n"
		      "終了コード: 0 問題なし、1 問題あり、2 実行できない。\n",
		        stdout);
	else
		fputs("usage: hinagata check [--staged] [--format text|json|sarif|junit] "
		      "[--exclude PATH]...\n"
		      "                      [--templates DIR] [--lang ja|en] [PATH...]\n\n"
		      "What a commit must pass: every hinagata template compiles (nothing is\n"
		      "written), compiled output in the repository is what its source "
		      "compiles to\n"
		      "now, and hand-written CloudFormation and ARM templates keep the "
		      "Government\n"
		      "Cloud control rules. PATH is a file or a directory (default: .).\n\n"
		      "Options:\n"
		      "  --staged              check what is staged in the git index, not the "
		      "working tree\n"
		      "  --format F            text (default), json, sarif or junit\n"
		      "  --exclude PATH        leave PATH (a directory or a pattern) out when "
		      "walking\n"
		      "                        directories; also check.exclude in "
		      ".hinagata.yaml\n"
		      "  --templates DIR       put DIR first on the template search path\n"
		      "  --shard I/N           check only the files of shard I of N (from 1); "
		      "without\n"
		      "                        it, JOB_COMPLETION_INDEX/JOB_COMPLETIONS or\n"
		      "                        AWS_BATCH_JOB_ARRAY_INDEX/_SIZE when they are set\n"
		      "  --history FILE        record the control rule findings in the history store\n"
		      "  --date YYYY-MM-DD     the date of the run recorded (default: today)\n"
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
	const char *const *exclude; /* paths under a directory walked that are left out */
	size_t nexclude;
	hg_git_ignores *ignores; /* what git ignores, for a walk of the working tree */
	hg_diags *d;             /* what could not be read */
	hg_hindex visited;       /* directories and files walked: hash of device, inode -> seen[] */
	struct devino {
		dev_t dev;
		ino_t ino;
	} * seen;
	size_t nseen, capseen;
	struct progress *progress;
};

/* Directories nest at most this deep below a path walked (git trees: the same). */
#define WALK_MAX_DEPTH 64

/*
 * Progress on a terminal for long runs: one line on stderr, rewritten in
 * place, shown only after a second and only when stderr is a terminal
 * outside CI (never in a pipe or a CI log), cleared before the results.
 */
struct progress {
	bool on;
	bool shown;
	double after;     /* seconds before the first line (HINAGATA_PROGRESS_AFTER, default 1) */
	const char *what; /* the phase shown last: a new phase is shown at once */
	struct timespec start, last;
};

static double since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void progress_init(struct progress *p)
{
	const char *ci = getenv("CI"), *term = getenv("TERM"),
	           *after = getenv("HINAGATA_PROGRESS_AFTER");
	memset(p, 0, sizeof(*p));
	p->after = after && *after ? strtod(after, NULL) : 1.0;
	p->on = isatty(STDERR_FILENO) && !(ci && *ci) && !(term && strcmp(term, "dumb") == 0) &&
	        !getenv("HINAGATA_NO_PROGRESS");
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

/* Show "hinagata check: <what> <i>[/<n>]" if it is time to. */
static void progress(
        struct progress *p, hg_lang lang, const char *en, const char *ja, size_t i, size_t n)
{
	if (!p || !p->on || since(&p->start) < p->after ||
	        (p->shown && p->what == en &&
	                since(&p->last) < 0.1)) /* ten lines a second at most */
		return;
	p->what = en;
	clock_gettime(CLOCK_MONOTONIC, &p->last);
	p->shown = true;
	fprintf(stderr, "\r\033[Khinagata check: %s %zu", lang == HG_LANG_JA ? ja : en, i);
	if (n)
		fprintf(stderr, "/%zu", n);
	fflush(stderr);
}

static void progress_done(struct progress *p)
{
	if (p && p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->shown = false;
	}
}

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

/* The template name of compiled output (CloudFormation or ARM), or NULL; *version (may be NULL) its version. */
static char *compiled_name_version(const char *text, size_t len, char **version)
{
	json_t *doc = json_loadb(text, len, 0, NULL), *meta, *first;
	const char *name;
	char *r = NULL;

	meta = json_object_get(json_object_get(doc, "Metadata"), "hinagata");
	if (!meta)
		meta = json_object_get(json_object_get(doc, "metadata"), "hinagata");
	first = json_array_get(json_object_get(meta, "templates"), 0);
	name = json_string_value(json_object_get(first, "template"));
	if (name && json_object_get(meta, "compiler")) {
		r = hg_xstrdup(name);
		if (version && json_string_value(json_object_get(first, "version")))
			*version = hg_xstrdup(json_string_value(json_object_get(first, "version")));
	}
	json_decref(doc);
	return r;
}

static char *compiled_name(const char *text, size_t len)
{
	return compiled_name_version(text, len, NULL);
}

/* A name the walk reads as a possible template. */
static bool candidate(const char *name)
{
	return ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".json") ||
	       ends_with(name, ".template");
}

/* HG0014 at the first NUL byte of text (line and column in characters, as the loaders count). */
static void nul_byte(hg_diags *d, const char *path, const hg_buf *text)
{
	const char *nul = memchr(text->ptr, '\0', text->size), *p = text->ptr, *sol = p;
	hg_span s;

	for (; p < nul; p++)
		if (*p == '\n')
			sol = p + 1;
	memset(&s, 0, sizeof(s));
	s.file = hg_diags_source(d, path, text->ptr, text->size);
	for (s.line = 1, p = text->ptr; p < sol; p++)
		s.line += *p == '\n';
	for (s.col = 1, p = sol; p < nul; p += hg_utf8_len((const unsigned char *)p))
		s.col++;
	s.end_line = s.line;
	s.end_col = s.col + 1;
	hg_diag_add(d, HG_D_NUL_BYTE, &s, NULL);
}

/* Read path and sort it into sources, outputs and other templates; report what cannot be read. */
static void classify(struct files *f, const char *path)
{
	hg_buf text = HG_BUF_INIT;
	size_t size = 0;
	char *name;
	int rc;

	rc = hg_fs_read(&text, path, HG_FS_MAX_INPUT, &size);
	if (rc < 0) {
		/* too large (HG0011, exit 1), a FIFO or device, unreadable (HG9001, exit 2) */
		int e = errno;
		hg_fs_diag(f->d, NULL, path, path, rc, e, size);
		hg_buf_dispose(&text);
		return;
	}
	if (memchr(text.ptr, '\0', text.size)) {
		/* Text searches below would stop at the NUL and pass the file. */
		nul_byte(f->d, path, &text);
	} else if ((ends_with(path, ".yaml") || ends_with(path, ".yml")) && is_source(text.ptr))
		push(&f->src, &f->nsrc, &f->capsrc, path);
	else if (strstr(path, "az-deployment-") && strstr(path, "-export-") && ends_with(path, ".json") &&
	         strstr(text.ptr, "\"hinagata\"")) {
		/* the template a deployment was made with, as hinagata-collect-azure saves it:
		 * the deployed state, not output to keep current (drift tells it apart) */
	}
	else if (!strstr(text.ptr, "esources")) {
		/* neither CloudFormation (Resources) nor ARM (resources): not a template */
	} else if (ends_with(path, ".json") && strstr(text.ptr, "\"hinagata\"") &&
	           (name = compiled_name(text.ptr, text.size)) != NULL) {
		push(&f->out, &f->nout, &f->capout, path);
		free(name);
	} else if (candidate(path))
		push(&f->raw, &f->nraw, &f->capraw, path);
	hg_buf_dispose(&text);
}

/* Whether the file or directory st was walked before; records it otherwise. */
static bool seen(struct files *f, const struct stat *st)
{
	uint64_t key[2] = {(uint64_t)st->st_dev, (uint64_t)st->st_ino};
	uint64_t h = hg_hash64(key, sizeof(key));
	size_t it = 0, pos;

	while (hg_hindex_next(&f->visited, h, &it, &pos))
		if (f->seen[pos].dev == st->st_dev && f->seen[pos].ino == st->st_ino)
			return true;
	HG_GROW(f->seen, f->capseen, f->nseen + 1);
	f->seen[f->nseen].dev = st->st_dev;
	f->seen[f->nseen].ino = st->st_ino;
	hg_hindex_put(&f->visited, h, f->nseen++);
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The files under path (in name order, so the walk is deterministic),
 * leaving out hidden entries and node_modules; depth 0 is a path named on
 * the command line (or "."), which is checked whatever its name.
 */
static void walk(struct files *f, hg_lang lang, const char *path, int depth)
{
	DIR *dir;
	struct dirent *de;
	struct stat st;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	/* A file or directory named on the command line is checked all the same. */
	if (depth > 0 && (hg_path_excluded(path, f->exclude, f->nexclude) ||
	                         (f->ignores && hg_git_ignored(f->ignores, path))))
		return;
	/* stat, not open: opening a FIFO would block until someone writes to it. */
	if (stat(path, &st) < 0) {
		/* a dangling symlink named like a template is a template not read */
		if (depth == 0 || candidate(path))
			hg_diag_add(f->d, HG_D_IO_READ, NULL, path, strerror(errno), NULL);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if ((depth == 0 || candidate(path)) && !seen(f, &st)) {
			classify(f, path);
			progress(f->progress, lang,
			        "reading files:", "ファイルを読んでいます:", f->nseen, 0);
		}
		return;
	}
	if (seen(f, &st)) /* a symlink to ".", or another way to a directory walked */
		return;
	if (depth >= WALK_MAX_DEPTH) {
		char lim[16];
		snprintf(lim, sizeof(lim), "%d", WALK_MAX_DEPTH);
		hg_diag_add(f->d, HG_D_WALK_TOO_DEEP, NULL, path, lim, NULL);
		return;
	}
	if (!(dir = opendir(path))) {
		hg_diag_add(f->d, HG_D_IO_READ, NULL, path, strerror(errno), NULL);
		return;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(dir)) == NULL) {
			if (errno)
				hg_diag_add(f->d, HG_D_IO_READ, NULL, path, strerror(errno), NULL);
			break;
		}
		if (de->d_name[0] == '.' || strcmp(de->d_name, "node_modules") == 0)
			continue;
		push(&names, &n, &cap, de->d_name);
	}
	closedir(dir);
	if (n > 1) /* names is NULL in an empty directory: qsort(NULL, ...) is undefined */
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		hg_buf p = HG_BUF_INIT;
		if (strcmp(path, ".") == 0)
			hg_buf_puts(&p, names[i]);
		else
			hg_buf_printf(&p, "%s/%s", path, names[i]);
		walk(f, lang, p.ptr, depth + 1);
		hg_buf_dispose(&p);
		free(names[i]);
	}
	free(names);
}

/*
 * --shard: each file belongs to the shard its path (as walked: the same in
 * every worker that runs with the same arguments) hashes to. Hand-written
 * templates of other shards are not read. hinagata sources are all
 * compiled in every shard, as sources use each other (a catalog, a
 * template), but only the shard's own files are reported on; what is
 * about no walked file (the search path's templates) is reported by the
 * first shard. Every finding is in exactly one shard.
 */
static void keep_shard(char **list, size_t *n, const hg_shard *s)
{
	size_t i, k = 0;
	for (i = 0; i < *n; i++) {
		if (hg_shard_holds(s, list[i]))
			list[k++] = list[i];
		else
			free(list[i]);
	}
	*n = k;
}

struct of_shard {
	const hg_shard *shard;
	char **walked; /* every file walked, sorted (owned copies) */
	size_t nwalked;
};

static char **walked_files(const struct files *f, size_t *n)
{
	char **all = hg_xcalloc(f->nsrc + f->nout + f->nraw + 1, sizeof(char *));
	size_t k = 0, i;
	for (i = 0; i < f->nsrc; i++)
		all[k++] = hg_xstrdup(f->src[i]);
	for (i = 0; i < f->nout; i++)
		all[k++] = hg_xstrdup(f->out[i]);
	for (i = 0; i < f->nraw; i++)
		all[k++] = hg_xstrdup(f->raw[i]);
	qsort(all, k, sizeof(*all), cmp_str);
	*n = k;
	return all;
}

static bool in_shard(const hg_diag *dg, void *payload)
{
	const struct of_shard *s = payload;
	const char *file = dg->span.file;
	if (file && bsearch(&file, s->walked, s->nwalked, sizeof(char *), cmp_str))
		return hg_shard_holds(s->shard, file);
	return s->shard->index == 0;
}

/* The line of a CloudFormation resource's key in compiled output (indented as emitted), or 0. */
static uint32_t resource_line(const char *text, size_t len, const char *id)
{
	hg_buf pat = HG_BUF_INIT;
	const char *p;
	uint32_t line = 0;

	hg_buf_printf(&pat, "\n    \"%s\": {", id);
	p = memmem(text, len, pat.ptr, pat.size);
	if (p) {
		const char *q;
		line = 2;
		for (q = text; q < p; q++)
			line += *q == '\n';
	}
	hg_buf_dispose(&pat);
	return line;
}

/*
 * What differs between stale output and what its source compiles to now,
 * as notes of the HG8001 d: one per resource (at most a few, the rest
 * counted), at the resource in the stale file when it can be found.
 */
static void stale_notes(hg_diag *dg, const char *file, const char *text, size_t len,
        const hg_output *o, const char *schema_dir, const char *refresh)
{
	enum { MAX_NOTES = 8 };
	hg_tdiff_options to = HG_TDIFF_OPTIONS_INIT;
	hg_diags quiet = HG_DIAGS_INIT;
	hg_tdiff *t = NULL;
	size_t k, n = 0;

	to.schema_dir = schema_dir;
	if (hg_tdiff_texts(&t, file, text, len, o->input, o->json, o->len, &to, &quiet) < 0 ||
	        !hg_tdiff_any(t)) {
		hg_diags_dispose(&quiet);
		hg_tdiff_free(t);
		/* not comparable as templates: the message says stale, the help how to refresh */
		hg_diag_note(dg, HG_D_N_REFRESH, NULL, refresh, NULL);
		return;
	}
	for (k = 0; k < t->pairs[0].nres; k++) {
		const hg_tres *r = &t->pairs[0].res[k];
		hg_buf line = HG_BUF_INIT, en = HG_BUF_INIT, ja = HG_BUF_INIT;
		hg_span at;
		n++;
		if (n > MAX_NOTES)
			continue;
		memset(&at, 0, sizeof(at));
		at.file = file;
		if (!t->pairs[0].arm && r->change != HG_TC_ADDED &&
		        (at.line = resource_line(text, len, r->id)) != 0) {
			at.col = at.end_line = 0;
			at.end_line = at.line;
			at.col = 5;
			at.end_col = (uint32_t)(5 + strlen(r->id) + 2);
		}
		hg_tdiff_resource_line(&en, r, t->pairs[0].arm, 2, HG_LANG_EN);
		hg_tdiff_resource_line(&ja, r, t->pairs[0].arm, 2, HG_LANG_JA);
		hg_buf_printf(&line, "%s\x1f%s", en.ptr, ja.ptr);
		hg_diag_note(dg, HG_D_N_DIFF_CHANGE, &at, line.ptr, NULL);
		hg_buf_dispose(&line);
		hg_buf_dispose(&en);
		hg_buf_dispose(&ja);
	}
	n += t->pairs[0].nother;
	hg_diag_note(dg, HG_D_N_REFRESH, NULL, refresh, NULL);
	{
		hg_buf cmd = HG_BUF_INIT;
		hg_buf_printf(&cmd, "hinagata diff %s %s", file, o->input);
		if (n > MAX_NOTES) {
			char more[32];
			snprintf(more, sizeof(more), "%zu", n - MAX_NOTES);
			hg_diag_note(dg, HG_D_N_DIFF_MORE, NULL, more, cmd.ptr, NULL);
		} else
			hg_diag_note(dg, HG_D_N_DIFF_ALL, NULL, cmd.ptr, NULL);
		hg_buf_dispose(&cmd);
	}
	hg_diags_dispose(&quiet);
	hg_tdiff_free(t);
}

/* Compiled output that differs from what its source compiles to now (HG8001), with what differs. */
static void check_outputs(
        const struct files *f, const hg_output *outs, const char *schema_dir, hg_diags *d)
{
	size_t i, k;

	for (i = 0; i < f->nout; i++) {
		hg_buf text = HG_BUF_INIT;
		size_t size;
		char *name, *version = NULL;
		const hg_output *o = NULL;
		int rc = hg_fs_read(&text, f->out[i], HG_FS_MAX_INPUT, &size);
		if (rc < 0) { /* it was read a moment ago: changed since */
			hg_fs_diag(d, NULL, f->out[i], f->out[i], rc, errno, size);
			hg_buf_dispose(&text);
			continue;
		}
		name = compiled_name_version(text.ptr, text.size, &version);
		/* the source of the same template and version (an update's earlier version
		 * is another template), or of the same name when the output names none */
		for (k = 0; name && k < f->nsrc; k++)
			if (outs[k].template_name && strcmp(outs[k].template_name, name) == 0 &&
			        (!version || !outs[k].template_version ||
			                strcmp(outs[k].template_version, version) == 0))
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
			stale_notes(dg, at.file, text.ptr, text.size, o, schema_dir, cmd.ptr);
			hg_buf_dispose(&cmd);
		}
		free(name);
		free(version);
		hg_buf_dispose(&text);
	}
}

/* ---- reports: JSON, SARIF 2.1.0, JUnit ---- */

/*
 * s as valid UTF-8 (new): a file name or a message may hold bytes that are
 * not, which jansson refuses (a finding would silently drop out of the JSON
 * and SARIF reports) and XML forbids; they become \xHH.
 */
static char *utf8(const char *s)
{
	hg_buf b = HG_BUF_INIT;
	hg_utf8_clean(&b, s, strlen(s), HG_CLEAN_NEWLINES);
	return hg_buf_detach(&b);
}

/* The message of a finding (new): secrets masked (hg_diag_format), valid UTF-8. */
static char *message(const hg_diag *dg, hg_lang lang)
{
	hg_buf b = HG_BUF_INIT;
	char *r;
	hg_diag_format(&b, dg->code, dg->args, lang);
	r = utf8(b.ptr);
	hg_buf_dispose(&b);
	return r;
}

/* The rule of a finding: the control ID for rule violations, else the code. */
static void rule_id(char out[64], const hg_diag *dg)
{
	if (dg->code == HG_D_RULE_VIOLATION || dg->code == HG_D_RULE_POSSIBLE ||
	        dg->code == HG_D_SUPPRESSED || dg->code == HG_D_SUPPRESS_MANDATORY)
		snprintf(out, 64, "%s", dg->args[0] ? dg->args[0] : "");
	else {
		char code[8];
		hg_diag_code_str(code, dg->code);
		snprintf(out, 64, "%s", code);
	}
}

static const char *severity(const hg_diag *dg)
{
	switch (hg_diag_info_of(dg->code)->severity) {
	case HG_SEV_ERROR:
		return "error";
	case HG_SEV_WARNING:
		return "warning";
	default:
		return "note";
	}
}

/* The catalog's severity of the control a finding names (sev: ID -> severity), or NULL. */
static const char *control_severity(json_t *sev, const hg_diag *dg)
{
	if (dg->code != HG_D_RULE_VIOLATION && dg->code != HG_D_RULE_POSSIBLE &&
	        dg->code != HG_D_SUPPRESSED)
		return NULL;
	return json_string_value(
	        json_object_get(json_object_get(sev, dg->args[0] ? dg->args[0] : ""), "severity"));
}

/* GitHub code scanning's security-severity for a catalog severity. */
static const char *security_severity(const char *severity)
{
	static const char *const map[][2] = {
	        {"critical", "9.5"}, {"high", "8.0"}, {"medium", "5.5"}, {"low", "3.0"}};
	size_t i;
	for (i = 0; severity && i < sizeof(map) / sizeof(*map); i++)
		if (strcmp(map[i][0], severity) == 0)
			return map[i][1];
	return NULL;
}

/* A SARIF rule: its ID and, for a control, the catalog's title and severity. */
static json_t *sarif_rule(const char *id, const hg_diag *dg, json_t *sev)
{
	json_t *r = json_pack("{s:s}", "id", id);
	json_t *c = dg->code == HG_D_RULE_VIOLATION || dg->code == HG_D_RULE_POSSIBLE ||
	                            dg->code == HG_D_SUPPRESSED
	                    ? json_object_get(sev, dg->args[0] ? dg->args[0] : "")
	                    : NULL;
	const char *s = security_severity(json_string_value(json_object_get(c, "severity")));

	if (json_string_value(json_object_get(c, "title")))
		json_object_set_new(r, "shortDescription",
		        json_pack("{s:s}", "text", json_string_value(json_object_get(c, "title"))));
	if (s)
		json_object_set_new(r, "properties",
		        json_pack("{s:s, s:[s, s]}", "security-severity", s, "tags", "security",
		                "government-cloud"));
	return r;
}

static void json_report(hg_buf *out, const hg_diags *d, hg_lang lang, json_t *sev)
{
	json_t *doc = json_object(), *list = json_array();
	size_t i;
	char *text;

	for (i = 0; i < d->n; i++) {
		const hg_diag *dg = d->items[i];
		char code[8], rule[64];
		char *msg = message(dg, lang);
		json_t *f;
		hg_diag_code_str(code, dg->code);
		rule_id(rule, dg);
		f = json_pack("{s:s, s:s, s:s, s:s}", "code", code, "rule", rule, "severity",
		        severity(dg), "message", msg);
		if (control_severity(sev, dg))
			json_object_set_new(
			        f, "controlSeverity", json_string(control_severity(sev, dg)));
		if (dg->span.file) {
			char *file = utf8(dg->span.file);
			json_object_set_new(f, "file", json_string(file));
			free(file);
		}
		if (dg->span.line) {
			json_object_set_new(f, "line", json_integer(dg->span.line));
			json_object_set_new(f, "column", json_integer(dg->span.col));
		}
		json_array_append_new(list, f);
		free(msg);
	}
	json_object_set_new(doc, "schema", json_string("hinagata-check/1"));
	json_object_set_new(doc, "findings", list);
	json_object_set_new(doc, "summary",
	        json_pack("{s:i, s:i}", "errors", (int)d->nerrors, "warnings", (int)d->nwarnings));
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	hg_buf_puts(out, text);
	hg_buf_putc(out, '\n');
	free(text);
	json_decref(doc);
}

static void sarif_report(hg_buf *out, const hg_diags *d, hg_lang lang, json_t *sev)
{
	json_t *rules = json_array(), *results = json_array(), *seen = json_object(), *doc;
	size_t i;
	char *text;

	for (i = 0; i < d->n; i++) {
		const hg_diag *dg = d->items[i];
		char rule[64];
		char *msg = message(dg, lang);
		json_t *r, *loc;
		rule_id(rule, dg);
		if (!json_object_get(seen, rule)) {
			json_object_set_new(
			        seen, rule, json_integer((json_int_t)json_array_size(rules)));
			json_array_append_new(rules, sarif_rule(rule, dg, sev));
		}
		r = json_pack("{s:s, s:I, s:s, s:{s:s}}", "ruleId", rule, "ruleIndex",
		        json_integer_value(json_object_get(seen, rule)), "level",
		        strcmp(severity(dg), "warning") == 0 ? "warning"
		        : strcmp(severity(dg), "error") == 0 ? "error"
		                                             : "note",
		        "message", "text", msg);
		if (dg->span.file) {
			hg_buf uri = HG_BUF_INIT;
			hg_uri_path(&uri, dg->span.file);
			loc = json_pack("{s:{s:{s:s}}}", "physicalLocation", "artifactLocation",
			        "uri", uri.ptr);
			hg_buf_dispose(&uri);
			if (dg->span.line)
				json_object_set_new(json_object_get(loc, "physicalLocation"),
				        "region",
				        json_pack("{s:i, s:i}", "startLine", (int)dg->span.line,
				                "startColumn", (int)dg->span.col));
			json_object_set_new(r, "locations", json_pack("[o]", loc));
		}
		if (control_severity(sev, dg))
			json_object_set_new(r, "properties",
			        json_pack("{s:s}", "controlSeverity", control_severity(sev, dg)));
		if (dg->code == HG_D_SUPPRESSED)
			json_object_set_new(r, "suppressions",
			        json_pack("[{s:s, s:s}]", "kind", "inSource", "justification",
			                dg->args[1] ? dg->args[1] : ""));
		json_array_append_new(results, r);
		free(msg);
	}
	doc = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}", "$schema",
	        "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs", "tool",
	        "driver", "name", "hinagata", "version", hg_compiler_version(), "informationUri",
	        "https://github.com/hinagata/hinagata", "rules", rules, "results", results);
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	hg_buf_puts(out, text);
	hg_buf_putc(out, '\n');
	free(text);
	json_decref(doc);
	json_decref(seen);
}

/* s escaped for XML, as valid UTF-8 without the control characters XML forbids. */
static void xml(hg_buf *out, const char *text)
{
	hg_buf clean = HG_BUF_INIT;
	const char *s;
	if (text)
		hg_utf8_clean(&clean, text, strlen(text), HG_CLEAN_NEWLINES);
	for (s = clean.ptr; *s; s++)
		switch (*s) {
		case '<':
			hg_buf_puts(out, "&lt;");
			break;
		case '>':
			hg_buf_puts(out, "&gt;");
			break;
		case '&':
			hg_buf_puts(out, "&amp;");
			break;
		case '"':
			hg_buf_puts(out, "&quot;");
			break;
		default:
			hg_buf_putc(out, *s);
		}
	hg_buf_dispose(&clean);
}

/* One test case per file checked; its errors are the failure. */
static void junit_report(hg_buf *out, const hg_diags *d, char **files, size_t nfiles, hg_lang lang)
{
	size_t i, k, failures = 0;

	for (i = 0; i < nfiles; i++)
		for (k = 0; k < d->n; k++)
			if (d->items[k]->span.file &&
			        strcmp(d->items[k]->span.file, files[i]) == 0 &&
			        hg_diag_info_of(d->items[k]->code)->severity == HG_SEV_ERROR) {
				failures++;
				break;
			}
	hg_buf_printf(out,
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hinagata check\" "
	        "tests=\"%zu\" failures=\"%zu\">\n  <testsuite name=\"hinagata check\" "
	        "tests=\"%zu\" "
	        "failures=\"%zu\">\n",
	        nfiles, failures, nfiles, failures);
	for (i = 0; i < nfiles; i++) {
		hg_buf body = HG_BUF_INIT;
		for (k = 0; k < d->n; k++) {
			const hg_diag *dg = d->items[k];
			char *msg;
			char code[8];
			if (!dg->span.file || strcmp(dg->span.file, files[i]) != 0 ||
			        hg_diag_info_of(dg->code)->severity != HG_SEV_ERROR)
				continue;
			msg = message(dg, lang);
			hg_diag_code_str(code, dg->code);
			xml(&body, dg->span.file);
			hg_buf_printf(&body, ":%u:%u: %s: ", dg->span.line, dg->span.col, code);
			xml(&body, msg);
			hg_buf_putc(&body, '\n');
			free(msg);
		}
		hg_buf_puts(out, "    <testcase classname=\"hinagata check\" name=\"");
		xml(out, files[i]);
		if (body.size) {
			hg_buf_printf(out, "\">\n      <failure message=\"%s\">", "findings");
			hg_buf_put(out, body.ptr, body.size);
			hg_buf_puts(out, "</failure>\n    </testcase>\n");
		} else
			hg_buf_puts(out, "\"/>\n");
		hg_buf_dispose(&body);
	}
	hg_buf_puts(out, "  </testsuite>\n</testsuites>\n");
}

static void write_report(hg_buf *out, const hg_diags *d, const struct files *f, int format,
        hg_lang lang, json_t *sev)
{
	if (format == 1)
		json_report(out, d, lang, sev);
	else if (format == 2)
		sarif_report(out, d, lang, sev);
	else {
		char **files = hg_xcalloc(f->nsrc + f->nout + 1, sizeof(char *));
		size_t n = 0, i;
		for (i = 0; i < f->nsrc; i++)
			files[n++] = f->src[i];
		for (i = 0; i < f->nout; i++)
			files[n++] = f->out[i];
		junit_report(out, d, files, n, lang);
		free(files);
	}
}

int hg_cmd_check(hg_cli *cli, int argc, char **argv)
{
	enum { OPT_STAGED = 256, OPT_TEMPLATES, OPT_LANG, OPT_FORMAT, OPT_EXCLUDE, OPT_HISTORY, OPT_DATE, OPT_SHARD };
	static const struct option longopts[] = {
	        {"staged", no_argument, NULL, OPT_STAGED},
	        {"exclude", required_argument, NULL, OPT_EXCLUDE},
	        {"history", required_argument, NULL, OPT_HISTORY},
	        {"date", required_argument, NULL, OPT_DATE},
	        {"format", required_argument, NULL, OPT_FORMAT},
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"shard", required_argument, NULL, OPT_SHARD},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	hg_compile_options o = HG_COMPILE_OPTIONS_INIT;
	const char *shard_flag = NULL;
	hg_shard shard;
	struct of_shard of_shard = {NULL, NULL, 0};
	hg_cli_paths paths = {0};
	struct files f;
	hg_diags d = HG_DIAGS_INIT;
	hg_output *outs = NULL;
	hg_checker *checker = NULL;
	bool staged = false;
	int format = 0; /* text, json, sarif, junit */
	hg_buf tmp = HG_BUF_INIT;
	char *cwd = NULL;
	struct progress prog;
	bool env_before;
	const char **dirs = NULL;
	hg_buf workdir = HG_BUF_INIT;
	hg_config cfg = {0};
	const char **exclude = NULL;
	size_t i, nsources = 0, nexclude = 0, capexclude = 0;
	const char *history = NULL, *date = NULL; /* recording the run (cmd_history.c) */
	int c, rc = HG_EXIT_FAILURE;

	memset(&f, 0, sizeof(f));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STAGED:
			staged = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				format = 0;
			else if (strcmp(optarg, "json") == 0)
				format = 1;
			else if (strcmp(optarg, "sarif") == 0)
				format = 2;
			else if (strcmp(optarg, "junit") == 0)
				format = 3;
			else {
				rc = hg_cli_usage_error(cli, "check",
				        "unknown format '%s' (text, json, sarif, junit)",
				        "--format には text、json、sarif、junit のいずれかを指定してください ('%s' は使えません)", optarg);
				goto out;
			}
			break;
		case OPT_TEMPLATES:
			hg_cli_paths_add(&paths, optarg);
			break;
		case OPT_HISTORY:
			history = optarg;
			break;
		case OPT_DATE:
			date = optarg;
			break;
		case OPT_EXCLUDE:
			hg_grow_array(
			        (void **)&exclude, &capexclude, nexclude + 1, sizeof(*exclude));
			exclude[nexclude++] = optarg;
			break;
		case OPT_LANG:
			if (!hg_cli_set_lang(cli, optarg))
				goto out;
			break;
		case OPT_SHARD:
			shard_flag = optarg;
			break;
		case 'h':
			help(cli);
			rc = HG_EXIT_CLEAN;
			goto out;
		default:
			rc = hg_cli_usage_error(cli, "check",
			        optopt ? "option '-%s' is unknown or needs a value"
			               : "option '%s' is unknown or needs a value",
			        optopt ? "オプション '-%s' は存在しないか、値の指定が必要です"
			               : "オプション '%s' は存在しないか、値の指定が必要です",
			        optopt ? (char[]){(char)optopt, 0} : argv[optind - 1]);
			goto out;
		}
	}
	if (staged && history) { /* what is staged is not yet a state of the repository */
		rc = hg_cli_usage_error(cli, "check", "%s", "%s",
		        cli->lang == HG_LANG_JA ? "--staged の検査は履歴に記録できません (--history)"
		                                : "a check of what is staged is not recorded (--history)");
		goto out;
	}
	if (!hg_cli_paths_check(cli, &paths) || !hg_cli_shard(cli, &shard, shard_flag))
		goto out;
	hg_cli_paths_finish(&paths);
	cwd = getcwd(NULL, 0);
	if (staged) {
		/* The index, written out into a private directory (removed after a
		 * kill by the next run); checked from there with repository paths. */
		if (hg_fs_mkdtemp(&tmp, "staged") < 0) {
			hg_diag_add(&d, HG_D_IO_WRITE, NULL, "hinagata-staged-*", strerror(errno),
			        NULL);
			hg_cli_print_diags(cli, &d);
			goto out;
		}
		if (hg_git_export_index(".", tmp.ptr, &workdir, &d) < 0 || chdir(tmp.ptr) != 0) {
			if (!d.n)
				hg_diag_add(&d, HG_D_IO_READ, NULL, tmp.ptr, strerror(errno), NULL);
			hg_cli_print_diags(cli, &d);
			goto out;
		}
	}
	/* The repository's settings: from the index too, with --staged. */
	if (hg_config_read(&cfg, HG_CONFIG_FILE, NULL, &d) < 0) {
		hg_cli_print_diags(cli, &d);
		rc = HG_EXIT_FAILURE;
		goto out;
	}
	for (i = 0; i < cfg.nexclude; i++) {
		hg_grow_array((void **)&exclude, &capexclude, nexclude + 1, sizeof(*exclude));
		exclude[nexclude++] = cfg.exclude[i];
	}
	f.exclude = exclude;
	f.nexclude = nexclude;
	f.d = &d;
	progress_init(&prog);
	f.progress = &prog;
	if (!staged) /* the index holds no ignored files */
		f.ignores = hg_git_ignores_open(".", &d);
	/* A path named on the command line that is not there is reported, not
	 * an empty set of templates passed; the others are checked all the same. */
	if (optind >= argc || staged)
		walk(&f, cli->lang, ".", 0);
	else
		for (i = (size_t)optind; i < (size_t)argc; i++)
			walk(&f, cli->lang, argv[i], 0);
	/* What the walk could not read is reported with everything else the run
	 * finds: the later stages go on (errors of every stage at once). */
	env_before = d.env_error;
	if (shard.count > 1) {
		of_shard.shard = &shard;
		of_shard.walked = walked_files(&f, &of_shard.nwalked);
		keep_shard(f.raw, &f.nraw, &shard);
	}
	/* The repository (or the index) is on the search path: sources use each other. */
	dirs = hg_xcalloc(paths.ndirs + 2, sizeof(char *));
	dirs[0] = ".";
	for (i = 0; i < paths.ndirs; i++)
		dirs[i + 1] = paths.dirs[i];
	o.template_dirs = dirs;
	o.ntemplate_dirs = paths.ndirs + 1;
	o.exclude = exclude;
	o.nexclude = nexclude;
	o.bundled_dir = paths.bundled;
	o.schema_dir = paths.schemas;
	nsources = f.nsrc;
	if (f.nsrc) {
		progress(&prog, cli->lang, "compiling hinagata sources:",
		        "hinagata のソースをコンパイルしています:", f.nsrc, 0);
		hg_compile(&outs, (const char *const *)f.src, f.nsrc, &o, &d);
	}
	if (outs && d.env_error == env_before)
		check_outputs(&f, outs, paths.schemas, &d);
	/* Hand-written templates are held to the profiles of --templates and the
	 * bundled ones, not to copies that happen to lie in the tree. */
	o.template_dirs = paths.dirs;
	o.ntemplate_dirs = paths.ndirs;
	checker = hg_checker_new(&o); /* profiles and schemas read once for every file */
	if (of_shard.walked) { /* the shard's sources, for reports */
		size_t k = 0;
		for (i = 0; i < f.nsrc; i++)
			if (hg_shard_holds(&shard, f.src[i]))
				f.src[k++] = f.src[i];
			else
				free(f.src[i]);
		f.nsrc = k;
	}
	for (i = 0; i < f.nraw && d.env_error == env_before; i++) {
		bool recognized;
		hg_buf text = HG_BUF_INIT;
		size_t size = 0;
		int r = hg_fs_read(&text, f.raw[i], HG_FS_MAX_INPUT, &size);
		progress(&prog, cli->lang,
		        "checking templates:", "テンプレートを検査しています:", i + 1, f.nraw);
		if (r < 0) /* it was read a moment ago: changed since */
			hg_fs_diag(&d, NULL, f.raw[i], f.raw[i], r, errno, size);
		else {
			hg_checker_check(checker, f.raw[i], text.ptr, text.size, &d, &recognized);
			if (recognized) /* a checked file, for reports */
				push(&f.src, &f.nsrc, &f.capsrc, f.raw[i]);
		}
		hg_buf_dispose(&text);
	}
	if (of_shard.walked)
		hg_diags_filter(&d, in_shard, &of_shard);
	progress_done(&prog);
	hg_diags_sort(&d);
	if (format == 0)
		hg_cli_print_diags(cli, &d);
	else {
		hg_buf rep = HG_BUF_INIT;
		hg_control_row *rows = NULL;
		size_t nrows = 0, r;
		hg_diags quiet = HG_DIAGS_INIT;
		json_t *severities = json_object();
		if (hg_catalog_list(&rows, &nrows, &o, &quiet) == 0)
			for (r = 0; r < nrows; r++)
				if (rows[r].severity)
					json_object_set_new(severities, rows[r].id,
					        json_pack("{s:s, s:s?}", "severity",
					                rows[r].severity, "title",
					                HG_L(cli->lang, rows[r].title_en,
					                        rows[r].title_ja)));
		hg_control_rows_free(rows, nrows);
		hg_diags_dispose(&quiet);
		write_report(&rep, &d, &f, format, cli->lang, severities);
		json_decref(severities);
		fwrite(rep.ptr, 1, rep.size, stdout);
		hg_buf_dispose(&rep);
	}
	rc = d.env_error ? HG_EXIT_FAILURE : hg_diags_exit_code(&d);
	if (history || (!staged && cfg.history_check)) /* a commit hook records only when told */
		rc = hg_cli_history_check(cli, history, date, &cfg, &paths, &d, f.src, f.nsrc, rc);
out:
	for (i = 0; i < of_shard.nwalked; i++)
		free(of_shard.walked[i]);
	free(of_shard.walked);
	if (staged && cwd && chdir(cwd) != 0)
		rc = HG_EXIT_FAILURE;
	if (tmp.size)
		hg_fs_remove_tree(tmp.ptr);
	hg_buf_dispose(&tmp);
	hg_hindex_dispose(&f.visited);
	free(f.seen);
	free(cwd);
	hg_checker_free(checker);
	hg_outputs_free(outs, nsources);
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
	free(exclude);
	hg_git_ignores_free(f.ignores);
	hg_config_dispose(&cfg);
	hg_buf_dispose(&workdir);
	hg_diags_dispose(&d);
	hg_cli_paths_dispose(&paths);
	return rc;
}
