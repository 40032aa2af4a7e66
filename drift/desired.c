/*
 * desired.c: the desired state's templates (see desired.h).
 * Part of hinagata; see LICENSE.
 *
 * A template is a compiled CloudFormation or ARM document (JSON) or a
 * hinagata source, which is compiled here with the bundled templates and
 * --templates on its search path. With --repo, every file comes from the
 * git revision: the revision's templates are exported once to a private
 * directory so that a source compiles against the templates it uses as
 * they were then, with that revision's .hinagata.yaml exclusions.
 * Control rules are not run by the compiler here: drift judges them on
 * each resource (judge.c), so a template that breaks a rule still has its
 * drift reported.
 */
#define _GNU_SOURCE
#include "desired.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../compiler/compiler.h"
#include "../compiler/config.h"
#include "gitsrc.h"

#define MAX_TEMPLATE HG_FS_MAX_INPUT

/* An absolute form of a directory (arena-owned), so that it survives a chdir. */
static const char *absolute(hg_arena *a, const char *dir)
{
	char *r;
	const char *out;

	if (!dir || dir[0] == '/' || !(r = realpath(dir, NULL)))
		return dir;
	out = hg_arena_strdup(a, r);
	free(r);
	return out;
}

struct loader {
	hg_tmpls *ts;
	const hg_drift_options *o;
	hg_diags *d;
	hg_arena *a; /* the template's own */
};

static int compile_source(struct loader *l, const char *path, hg_buf *json)
{
	const hg_drift_options *o = l->o;
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
	hg_output *outs = NULL;
	const char **dirs = hg_xcalloc(o->ntemplate_dirs + 2, sizeof(char *));
	size_t nd = 0, i;
	int rc;

	if (o->repo) {
		if (!l->ts->gitdir) {
			hg_buf tmpd = HG_BUF_INIT; /* private, and cleaned up even after a kill */
			if (hg_fs_mkdtemp(&tmpd, "git") < 0) {
				hg_diag_add(l->d, HG_D_IO_WRITE, NULL, "hinagata-git-*", strerror(errno), NULL);
				hg_buf_dispose(&tmpd);
				free(dirs);
				return HG_EIO;
			}
			l->ts->gitdir = hg_buf_detach(&tmpd);
			rc = hg_git_export_templates(o->repo, o->ref, l->ts->gitdir, l->d);
			if (rc == 0) { /* its fixtures are not on the search path */
				hg_buf cfg = HG_BUF_INIT, shown = HG_BUF_INIT;
				hg_buf_printf(&cfg, "%s/%s", l->ts->gitdir, HG_CONFIG_FILE);
				hg_buf_printf(&shown, "%s@%s", HG_CONFIG_FILE, o->ref ? o->ref : "HEAD");
				rc = hg_config_read(&l->ts->gitconfig, cfg.ptr, shown.ptr, l->d);
				hg_buf_dispose(&cfg);
				hg_buf_dispose(&shown);
			}
			if (rc < 0) {
				free(dirs);
				return rc;
			}
		}
		co.exclude = (const char *const *)l->ts->gitconfig.exclude;
		co.nexclude = l->ts->gitconfig.nexclude;
		dirs[nd++] = ".";
	}
	for (i = 0; i < o->ntemplate_dirs; i++)
		dirs[nd++] = absolute(l->a, o->template_dirs[i]);
	co.template_dirs = dirs;
	co.ntemplate_dirs = nd;
	co.bundled_dir = absolute(l->a, o->bundled_dir);
	co.schema_dir = absolute(l->a, o->schema_dir);
	co.skip_rules = true;
	if (o->repo) { /* compiled in the exported revision, so messages show its paths */
		char *cwd = getcwd(NULL, 0);
		if (!cwd || chdir(l->ts->gitdir) != 0) {
			free(cwd);
			free(dirs);
			hg_diag_add(l->d, HG_D_IO_READ, NULL, l->ts->gitdir, strerror(errno), NULL);
			return HG_EIO;
		}
		rc = hg_compile(&outs, &path, 1, &co, l->d);
		if (chdir(cwd) != 0)
			rc = HG_EIO;
		free(cwd);
	} else
		rc = hg_compile(&outs, &path, 1, &co, l->d);
	free(dirs);
	if (rc == 0 && outs[0].json)
		hg_buf_put(json, outs[0].json, outs[0].len);
	else if (rc == 0)
		rc = HG_EINVALID; /* a profile or catalog: not a template of resources */
	hg_outputs_free(outs, 1);
	return rc;
}

/* The bytes of a template as JSON (a source compiled). *kept: they cannot be read again. */
static int read_json(struct loader *l, hg_tmpl *t, hg_buf *json, bool *kept)
{
	const hg_drift_options *o = l->o;
	hg_buf text = HG_BUF_INIT;
	size_t size = 0;
	const char *p;
	int rc;

	*kept = o->repo != NULL;
	if (o->repo) {
		rc = hg_git_read(&text, o->repo, o->ref, t->path, NULL, l->d);
	} else {
		rc = hg_fs_read(&text, t->path, MAX_TEMPLATE, &size);
		if (rc < 0) /* too large, a FIFO or device (never opened for reading), ... */
			hg_fs_diag(l->d, NULL, t->path, t->path, rc, errno, size);
	}
	if (rc < 0) {
		hg_buf_dispose(&text);
		return rc == HG_EINVALID ? HG_EIO : rc;
	}
	for (p = text.ptr; p < text.ptr + text.size && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t');)
		p++;
	if (p < text.ptr + text.size && *p == '{') {
		hg_buf_dispose(json);
		*json = text; /* the bytes moved, not copied */
		return 0;
	}
	hg_buf_dispose(&text);
	*kept = true;
	return compile_source(l, t->path, json);
}

/* A template named as JSON (its bytes are the template, not a source to compile). */
static bool is_json_name(const char *path)
{
	size_t n = strlen(path);
	return n > 5 && strcmp(path + n - 5, ".json") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A template that is not JSON, where the reader stopped: file:line:col and
 * why; with excerpt, the diagnostic shows the line (json is the text as
 * read: not after a parse in place, which writes over closing quotes).
 */
static void template_syntax(hg_diags *d, const char *display, const char *json, size_t len,
        const hg_jv_error *err, bool excerpt)
{
	hg_span sp;

	memset(&sp, 0, sizeof(sp));
	sp.file = hg_diags_source(d, display, excerpt ? json : NULL, excerpt ? len : 0);
	sp.line = sp.col = 1;
	hg_span_advance(&sp, json, err->offset < len ? err->offset : len);
	hg_diag_add(d, err->truncated ? HG_D_TEMPLATE_TRUNCATED : HG_D_TEMPLATE_SYNTAX, &sp,
	        err->what, NULL);
}

/*
 * Describe a template's JSON without building it: one validating scan that
 * notes where the top-level members are, the keys of Resources (or of an
 * ARM template's parameters), and a parse of the small Metadata only. The
 * template is parsed whole later, by the work item that resolves it.
 */
static int describe(struct loader *l, hg_tmpl *t, const char *json, size_t len)
{
	static const char *const keys[] = {"Resources", "resources", "$schema", "Metadata", "metadata",
	        "parameters"}; /* ORDER DESCRIBE */
	const char *v[6] = {0};
	size_t n[6] = {0};
	hg_arena *a = l->a, *tmp;
	hg_jv_error err;
	hg_jv *schema = NULL, *meta = NULL;
	const char *file = hg_diags_source(l->d, t->display, NULL, 0);
	int rc = 0;

	static const char *const under[] = {"Resources", "parameters"};
	hg_jv_keys found[2];

	if (!len) {
		hg_diag_add(l->d, HG_D_DESIRED_FORMAT, NULL, file, NULL);
		return HG_EINVALID;
	}
	if (hg_jv_scan_keys(json, len, 512, &err, keys, 6, v, n, under, 2, found, a) < 0) {
		template_syntax(l->d, t->display, json, len, &err, true);
		return HG_EINVALID;
	}
	tmp = hg_arena_new();
	if (v[2])
		(void)hg_jv_parse(&schema, tmp, v[2], n[2], 2, NULL);
	if (v[0] && n[0] && v[0][0] == '{') {
		t->logical = found[0].keys;
		t->nlogical = found[0].n;
		if (t->nlogical > 1)
			hg_sort(t->logical, t->nlogical, sizeof(*t->logical), cmp_str);
		if (v[3])
			(void)hg_jv_parse(&meta, tmp, v[3], n[3], 512, NULL);
	} else if (schema && hg_jv_str(schema) && strstr(hg_jv_str(schema), "eploymentTemplate") && v[1] &&
	           n[1] && (v[1][0] == '[' || v[1][0] == '{')) {
		t->arm = true;
		t->params = found[1].keys;
		t->nparams = found[1].n;
		if (v[4])
			(void)hg_jv_parse(&meta, tmp, v[4], n[4], 512, NULL);
	} else {
		hg_diag_add(l->d, HG_D_DESIRED_FORMAT, NULL, file, NULL);
		rc = HG_EINVALID;
	}
	{
		const hg_jv *first = hg_jv_get(hg_jv_get(meta, "hinagata"), "templates");
		const char *name = first && first->kind == HG_JV_ARR && first->n
		                           ? hg_jv_str(hg_jv_get(first->u.items[0], "template"))
		                           : NULL;
		t->name = name ? hg_arena_strdup(a, name) : NULL;
	}
	hg_arena_dispose(tmp);
	return rc;
}

void hg_desired_init(hg_tmpls *ts, const hg_drift_options *o)
{
	size_t i;

	memset(ts, 0, sizeof(*ts));
	pthread_mutex_init(&ts->lock, NULL);
	ts->a = hg_arena_new();
	ts->t = HG_ANEWN(ts->a, hg_tmpl, o->ntemplates + 1);
	ts->n = o->ntemplates;
	for (i = 0; i < o->ntemplates; i++) {
		hg_tmpl *t = &ts->t[i];
		const char *eq = strrchr(o->templates[i], '=');
		t->a = hg_arena_new_small();
		if (eq) { /* PATH=STACK names the stack */
			t->path = hg_arena_strndup(t->a, o->templates[i], (size_t)(eq - o->templates[i]));
			t->named = hg_arena_strdup(t->a, eq + 1);
		} else
			t->path = hg_arena_strdup(t->a, o->templates[i]);
		t->display = o->repo ? hg_arena_printf(t->a, "%s@%s", t->path, o->ref ? o->ref : "HEAD")
		                     : t->path;
	}
}

int hg_desired_read(hg_tmpls *ts, size_t i, const hg_drift_options *o,
        const hg_desired_hooks *hooks, hg_diags *d)
{
	struct loader l;
	hg_tmpl *t = &ts->t[i];
	hg_buf json = HG_BUF_INIT;
	bool kept = false, serial = o->repo != NULL;
	int r;

	memset(&l, 0, sizeof(l));
	l.ts = ts;
	l.o = o;
	l.d = d;
	l.a = t->a;
	/* A JSON file whose identity vouches for its bytes, described by the cache: not read. */
	if (!o->repo && hooks && hooks->known && hooks->cached && is_json_name(t->path) &&
	        hooks->known(t->path, &t->hash, hooks->payload) && hooks->cached(t, hooks->payload)) {
		t->failed = false;
		return 0;
	}
	/* Compiling (it changes directory) and reading git run one at a time. */
	if (serial)
		pthread_mutex_lock(&ts->lock);
	r = read_json(&l, t, &json, &kept);
	if (serial)
		pthread_mutex_unlock(&ts->lock);
	if (r == 0) {
		t->hash = hg_hash64(json.ptr, json.size);
		if (!kept && hooks && hooks->noted && is_json_name(t->path))
			hooks->noted(t->path, json.size, t->hash, hooks->payload);
		if (!hooks || !hooks->cached || !hooks->cached(t, hooks->payload))
			r = describe(&l, t, json.ptr, json.size);
	}
	if (r == 0 && kept) {
		t->kept = hg_arena_strndup(t->a, json.ptr, json.size);
		t->keptlen = json.size;
	}
	hg_buf_dispose(&json);
	t->failed = r < 0;
	return r;
}

void hg_desired_compact(hg_tmpls *ts)
{
	size_t i, n = 0;
	for (i = 0; i < ts->n; i++) {
		if (ts->t[i].failed) {
			hg_arena_dispose(ts->t[i].a);
			continue;
		}
		ts->t[n++] = ts->t[i];
	}
	ts->n = n;
}

int hg_desired_load(hg_tmpls *ts, const hg_drift_options *o, const hg_desired_hooks *hooks,
        hg_diags *d)
{
	size_t i;
	int rc = 0, r;

	hg_desired_init(ts, o);
	for (i = 0; i < ts->n; i++) /* the others are still read: every error at once */
		if ((r = hg_desired_read(ts, i, o, hooks, d)) < 0 && (rc == 0 || r == HG_EIO))
			rc = r;
	hg_desired_compact(ts);
	return rc;
}

void hg_desired_free(hg_tmpls *ts)
{
	size_t i;
	if (!ts->a)
		return;
	if (ts->gitdir) {
		hg_fs_remove_tree(ts->gitdir);
		free(ts->gitdir);
	}
	for (i = 0; i < ts->n; i++)
		hg_arena_dispose(ts->t[i].a);
	hg_config_dispose(&ts->gitconfig);
	pthread_mutex_destroy(&ts->lock);
	hg_arena_dispose(ts->a);
	memset(ts, 0, sizeof(*ts));
}

int hg_desired_open(const hg_tmpl *t, hg_arena *a, hg_jv **doc, hg_diags *d)
{
	hg_buf text = HG_BUF_INIT;
	size_t size = 0;
	hg_jv_error err;
	const char *json = t->kept;
	char *own;
	size_t len = t->keptlen;
	int rc;

	if (!json) {
		rc = hg_fs_read(&text, t->path, MAX_TEMPLATE, &size);
		if (rc < 0 || hg_hash64(text.ptr, text.size) != t->hash) {
			hg_diag_add(d, HG_D_IO_READ, NULL, t->path,
			        rc < 0 ? strerror(errno)
			               : HG_BI("the file changed while it was read",
			                         "読み取り中にファイルが変わりました"),
			        NULL);
			hg_buf_dispose(&text);
			return HG_EIO;
		}
		json = text.ptr;
		len = text.size;
	}
	/* Parsed in place, in text given to a or in a copy of t->kept (which the
	 * threads share) in a: the tree's strings stay there. */
	if (t->kept) {
		own = hg_arena_alloc_raw(a, len + 1, 1);
		if (len)
			memcpy(own, json, len);
		own[len] = '\0';
	} else {
		own = hg_buf_detach(&text);
		hg_arena_adopt(a, own);
	}
	rc = hg_jv_parse_in_place(doc, a, own, len, 512, &err, NULL, 0);
	if (rc < 0) { /* not after hg_desired_read: the same bytes were JSON then */
		template_syntax(d, t->display, t->kept ? t->kept : own, len, &err, t->kept != NULL);
		return HG_EINVALID;
	}
	return 0;
}
