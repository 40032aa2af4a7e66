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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../compiler/compiler.h"
#include "../compiler/config.h"
#include "gitsrc.h"

#define MAX_TEMPLATE (16u << 20)

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
	hg_config gitconfig; /* the .hinagata.yaml of the revision */
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
			char tmpl[] = "/tmp/hinagata-git-XXXXXX";
			if (!mkdtemp(tmpl)) {
				hg_diag_add(l->d, HG_D_IO_WRITE, NULL, tmpl, strerror(errno), NULL);
				free(dirs);
				return HG_EIO;
			}
			l->ts->gitdir = hg_xstrdup(tmpl);
			rc = hg_git_export_templates(o->repo, o->ref, l->ts->gitdir, l->d);
			if (rc == 0) { /* its fixtures are not on the search path */
				hg_buf cfg = HG_BUF_INIT, shown = HG_BUF_INIT;
				hg_buf_printf(&cfg, "%s/%s", l->ts->gitdir, HG_CONFIG_FILE);
				hg_buf_printf(&shown, "%s@%s", HG_CONFIG_FILE, o->ref ? o->ref : "HEAD");
				rc = hg_config_read(&l->gitconfig, cfg.ptr, shown.ptr, l->d);
				hg_buf_dispose(&cfg);
				hg_buf_dispose(&shown);
			}
			if (rc < 0) {
				free(dirs);
				return rc;
			}
		}
		co.exclude = (const char *const *)l->gitconfig.exclude;
		co.nexclude = l->gitconfig.nexclude;
		dirs[nd++] = ".";
	}
	for (i = 0; i < o->ntemplate_dirs; i++)
		dirs[nd++] = absolute(l->ts->a, o->template_dirs[i]);
	co.template_dirs = dirs;
	co.ntemplate_dirs = nd;
	co.bundled_dir = absolute(l->ts->a, o->bundled_dir);
	co.schema_dir = absolute(l->ts->a, o->schema_dir);
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
		if (rc == HG_EIO)
			hg_diag_add(l->d, HG_D_IO_READ, NULL, t->path, strerror(errno), NULL);
		else if (rc < 0)
			hg_diag_add(l->d, HG_D_IO_READ, NULL, t->path,
			        HG_BI("the file is too large", "ファイルが大きすぎます"), NULL);
	}
	if (rc < 0) {
		hg_buf_dispose(&text);
		return rc == HG_EINVALID ? HG_EIO : rc;
	}
	for (p = text.ptr; p < text.ptr + text.size && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t');)
		p++;
	if (p < text.ptr + text.size && *p == '{') {
		hg_buf_put(json, text.ptr, text.size);
		hg_buf_dispose(&text);
		return 0;
	}
	hg_buf_dispose(&text);
	*kept = true;
	return compile_source(l, t->path, json);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
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
	hg_arena *a = l->ts->a, *tmp;
	hg_jv_error err;
	hg_jv *schema = NULL, *meta = NULL;
	const char *file = hg_diags_source(l->d, t->display, NULL, 0);
	const char **names = NULL;
	size_t nnames = 0;
	int rc = 0;

	if (hg_jv_validate(json, len, 512, &err, keys, 6, v, n) < 0 || !len) {
		hg_diag_add(l->d, HG_D_DESIRED_FORMAT, NULL, file, NULL);
		return HG_EINVALID;
	}
	tmp = hg_arena_new();
	if (v[2])
		(void)hg_jv_parse(&schema, tmp, v[2], n[2], 2, NULL);
	if (v[0] && n[0] && v[0][0] == '{' &&
	        hg_jv_object_keys(v[0], n[0], 512, a, &names, &nnames) == 0) {
		t->logical = names;
		t->nlogical = nnames;
		qsort(t->logical, t->nlogical, sizeof(*t->logical), cmp_str);
		meta = NULL;
		if (v[3])
			(void)hg_jv_parse(&meta, tmp, v[3], n[3], 512, NULL);
	} else if (schema && hg_jv_str(schema) && strstr(hg_jv_str(schema), "eploymentTemplate") && v[1] &&
	           n[1] && (v[1][0] == '[' || v[1][0] == '{')) {
		t->arm = true;
		if (v[5] && n[5] && v[5][0] == '{' &&
		        hg_jv_object_keys(v[5], n[5], 512, a, &names, &nnames) == 0) {
			t->params = names;
			t->nparams = nnames;
		}
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

int hg_desired_load(hg_tmpls *ts, const hg_drift_options *o, const hg_desired_hooks *hooks,
        hg_diags *d)
{
	struct loader l;
	size_t i;
	int rc = 0;

	memset(ts, 0, sizeof(*ts));
	memset(&l, 0, sizeof(l));
	l.ts = ts;
	l.o = o;
	l.d = d;
	ts->a = hg_arena_new();
	ts->t = HG_ANEWN(ts->a, hg_tmpl, o->ntemplates + 1);
	for (i = 0; i < o->ntemplates; i++) {
		hg_tmpl *t = &ts->t[ts->n];
		const char *eq = strrchr(o->templates[i], '=');
		hg_buf json = HG_BUF_INIT;
		bool kept = false;
		int r;

		memset(t, 0, sizeof(*t));
		if (eq) { /* PATH=STACK names the stack */
			t->path = hg_arena_strndup(ts->a, o->templates[i], (size_t)(eq - o->templates[i]));
			t->named = hg_arena_strdup(ts->a, eq + 1);
		} else
			t->path = hg_arena_strdup(ts->a, o->templates[i]);
		t->display = o->repo ? hg_arena_printf(ts->a, "%s@%s", t->path, o->ref ? o->ref : "HEAD")
		                     : t->path;
		r = read_json(&l, t, &json, &kept);
		if (r == 0) {
			t->hash = hg_hash64(json.ptr, json.size);
			if (!hooks || !hooks->cached || !hooks->cached(t, hooks->payload))
				r = describe(&l, t, json.ptr, json.size);
		}
		if (r == 0 && kept) {
			t->kept = hg_arena_strndup(ts->a, json.ptr, json.size);
			t->keptlen = json.size;
		}
		hg_buf_dispose(&json);
		if (r < 0) {
			if (rc == 0 || r == HG_EIO)
				rc = r;
			continue; /* the others are still read: every error at once */
		}
		ts->n++;
	}
	hg_config_dispose(&l.gitconfig);
	return rc;
}

void hg_desired_free(hg_tmpls *ts)
{
	if (ts->gitdir) {
		hg_fs_remove_tree(ts->gitdir);
		free(ts->gitdir);
	}
	hg_arena_dispose(ts->a);
	memset(ts, 0, sizeof(*ts));
}

int hg_desired_open(const hg_tmpl *t, hg_arena *a, hg_jv **doc, hg_diags *d)
{
	hg_buf text = HG_BUF_INIT;
	size_t size = 0;
	hg_jv_error err;
	const char *json = t->kept;
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
	/* The text stays in a: strings of the tree point into their own copies. */
	rc = hg_jv_parse(doc, a, json, len, 512, &err);
	hg_buf_dispose(&text);
	if (rc < 0) {
		hg_diag_add(d, HG_D_DESIRED_FORMAT, NULL, hg_diags_source(d, t->display, NULL, 0), NULL);
		return HG_EINVALID;
	}
	return 0;
}
