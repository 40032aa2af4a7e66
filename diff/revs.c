/*
 * revs.c: every template of two git revisions, paired by path (see
 * hg_tdiff_revisions in tdiff.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. Each revision's YAML and JSON files are written out of the
 * object database (drift/gitsrc.c: libgit2, no checkout; the working tree
 * and the index are not touched) into a directory of their own, and each
 * side is read there, as drift --repo compiles: a hinagata source with that
 * revision's templates first on the search path and its .hinagata.yaml
 * exclusions (test fixtures are not templates of the repository), with the
 * working directory moved into the export so messages name the paths of
 * the repository. Files that are no template (package.json, exports) are
 * passed over; compiled output is left out when a source of the same
 * template is there, because the source is what says what changes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../compiler/config.h"
#include "../drift/gitsrc.h"
#include "engine.h"

struct file {
	const char *rel;
	hg_tside side;
	bool ok;        /* a template */
	bool source;    /* a hinagata source */
	bool compiled;  /* compiled output (Metadata.hinagata.compiler) */
	const char *name; /* the template it is (sources and compiled output) */
};

struct rev {
	const char *rev;
	char *dir;
	hg_config cfg;
	struct file *files;
	size_t n, cap;
};

/* Is rel one of the paths asked for, under one, or matched by one as a pattern? */
static bool wanted(const char *rel, const hg_tdiff_options *o)
{
	size_t i;
	for (i = 0; i < o->npaths; i++) {
		const char *p = o->paths[i];
		while (p[0] == '.' && p[1] == '/')
			p += 2;
		if (strcmp(p, ".") == 0 || p[strspn(p, "/")] == '\0')
			return true; /* ".", "./": the whole revision */
	}
	return !o->npaths || hg_path_excluded(rel, o->paths, o->npaths);
}

static void list(struct rev *r, hg_arena *a, const char *dir, const char *rel, int depth,
        const hg_tdiff_options *o)
{
	char **names;
	size_t n, i;

	/* our own export of the revision: the export refused what is too deep or unsafe */
	if (depth > 64 || hg_fs_list_dir(dir, &names, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		hg_buf path = HG_BUF_INIT, sub = HG_BUF_INIT;
		hg_buf_printf(&path, "%s/%s", dir, names[i]);
		hg_buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
		if (hg_path_excluded(sub.ptr, (const char *const *)r->cfg.exclude, r->cfg.nexclude))
			; /* not a template of the repository */
		else if (hg_fs_is_dir(path.ptr) == 1)
			list(r, a, path.ptr, sub.ptr, depth + 1, o);
		else if ((hg_tdiff__suffix(names[i], ".yaml") || hg_tdiff__suffix(names[i], ".yml") ||
		                 hg_tdiff__suffix(names[i], ".json") || hg_tdiff__suffix(names[i], ".template")) &&
		         wanted(sub.ptr, o)) {
			HG_AGROW(a, r->files, r->cap, r->n + 1);
			memset(&r->files[r->n], 0, sizeof(r->files[0]));
			r->files[r->n++].rel = hg_arena_strdup(a, sub.ptr);
		}
		hg_buf_dispose(&path);
		hg_buf_dispose(&sub);
	}
	hg_fs_names_free(names, n);
}

/* The template a compiled side says it is (its first template), or NULL. */
static const char *name_of(const hg_tside *s)
{
	const hg_jv *t = s->hmeta ? hg_jv_get(s->hmeta, "templates") : NULL;
	return t && t->kind == HG_JV_ARR && t->n ? hg_jv_str(hg_jv_get(t->u.items[0], "template")) : NULL;
}

/* Read every file of the revision (inside its export directory). */
static int read_rev(struct rev *r, hg_arena *a, const hg_tdiff_options *o, hg_diags *d)
{
	static const char *const here[] = {"."};
	hg_tdiff_options ro = *o;
	size_t i, k;
	int rc = 0;

	ro.exclude = (const char *const *)r->cfg.exclude;
	ro.nexclude = r->cfg.nexclude;
	for (i = 0; i < r->n; i++) {
		struct file *f = &r->files[i];
		hg_buf text = HG_BUF_INIT, json = HG_BUF_INIT;
		hg_diags quiet = HG_DIAGS_INIT;
		char *shown = hg_arena_printf(a, "%s@%s", f->rel, r->rev);
		size_t size = 0;
		int rd = hg_fs_read(&text, f->rel, HG_FS_MAX_INPUT, &size);
		if (rd < 0) { /* the export leaves out what git cannot give; this is what it wrote */
			hg_fs_diag(d, NULL, shown, f->rel, rd, errno, size);
			rc = rc ? rc : HG_EIO;
			hg_buf_dispose(&text);
			continue;
		}
		if (hg_tside_is_source(text.ptr, text.size)) {
			int c = hg_tside_compile(&json, f->rel, here, 1, &ro, d);
			if (c < 0) {
				rc = rc ? rc : c;
			} else if (c == 0 && hg_tside_text(&f->side, a, shown, json.ptr, json.size, d) == 0) {
				f->ok = f->source = true;
				f->name = name_of(&f->side);
			}
		} else if (hg_tside_text(&f->side, a, shown, text.ptr, text.size, &quiet) == 0) {
			/* what is not a template is no concern of a diff of templates */
			f->ok = true;
			f->name = name_of(&f->side);
			f->compiled = f->name && hg_jv_get(f->side.hmeta, "compiler");
		}
		hg_diags_dispose(&quiet);
		hg_buf_dispose(&text);
		hg_buf_dispose(&json);
	}
	/* compiled output of a source that is there: the source says it */
	for (i = 0; i < r->n; i++) {
		if (!r->files[i].compiled)
			continue;
		for (k = 0; k < r->n; k++)
			if (r->files[k].source && r->files[k].name &&
			        strcmp(r->files[k].name, r->files[i].name) == 0)
				r->files[i].ok = false;
	}
	return rc;
}

static int export_rev(struct rev *r, const char *repo, hg_diags *d)
{
	char tmpl[] = "/tmp/hinagata-diff-XXXXXX";
	hg_buf cfg = HG_BUF_INIT, shown = HG_BUF_INIT;
	int rc;

	if (!mkdtemp(tmpl)) {
		hg_diag_add(d, HG_D_IO_WRITE, NULL, tmpl, strerror(errno), NULL);
		return HG_EIO;
	}
	r->dir = hg_xstrdup(tmpl);
	if ((rc = hg_git_export_templates(repo, r->rev, r->dir, d)) < 0)
		return rc;
	hg_buf_printf(&cfg, "%s/%s", r->dir, HG_CONFIG_FILE);
	hg_buf_printf(&shown, "%s@%s", HG_CONFIG_FILE, r->rev);
	rc = hg_config_read(&r->cfg, cfg.ptr, shown.ptr, d);
	hg_buf_dispose(&cfg);
	hg_buf_dispose(&shown);
	return rc;
}

static char *absolute(const char *p)
{
	char *r;
	if (!p)
		return NULL;
	r = realpath(p, NULL);
	return r ? r : hg_xstrdup(p);
}

int hg_tdiff_revisions(hg_tdiff **out, const char *repo, const char *before, const char *after,
        const hg_tdiff_options *o, hg_diags *d)
{
	struct rev revs[2];
	hg_arena *a = hg_arena_new();
	hg_tdiff_options ao = *o;
	const char **dirs = hg_xcalloc(o->ntemplate_dirs + 1, sizeof(char *));
	char *cwd = getcwd(NULL, 0);
	hg_tengine *e = NULL;
	size_t i, j, k;
	int rc = 0;

	*out = NULL;
	memset(revs, 0, sizeof(revs));
	revs[0].rev = before;
	revs[1].rev = after;
	/* the working directory moves into each export: paths must not depend on it */
	for (i = 0; i < o->ntemplate_dirs; i++)
		dirs[i] = absolute(o->template_dirs[i]);
	ao.template_dirs = dirs;
	ao.bundled_dir = absolute(o->bundled_dir);
	ao.schema_dir = absolute(o->schema_dir);
	if (!(e = hg_tengine_open(&ao, d))) {
		rc = HG_EIO;
		goto out;
	}
	for (k = 0; k < 2 && rc == 0; k++) {
		if ((rc = export_rev(&revs[k], repo, d)) < 0)
			break;
		list(&revs[k], a, revs[k].dir, "", 0, o);
		if (!cwd || chdir(revs[k].dir) != 0) {
			hg_diag_add(d, HG_D_IO_READ, NULL, revs[k].dir, strerror(errno), NULL);
			rc = HG_EIO;
			break;
		}
		rc = read_rev(&revs[k], a, &ao, d);
		if (chdir(cwd) != 0)
			rc = HG_EIO;
	}
	if (rc < 0)
		goto out;
	*out = hg_tdiff_new(before, after);
	i = j = 0;
	while (i < revs[0].n || j < revs[1].n) {
		struct file *x = i < revs[0].n ? &revs[0].files[i] : NULL;
		struct file *y = j < revs[1].n ? &revs[1].files[j] : NULL;
		int c = !x ? 1 : !y ? -1 : strcmp(x->rel, y->rel);
		const hg_tside *bs = c <= 0 && x->ok ? &x->side : NULL;
		const hg_tside *as = c >= 0 && y->ok ? &y->side : NULL;
		if (bs && as && bs->arm != as->arm) { /* another kind of template now */
			hg_tengine_pair(e, *out, bs, NULL);
			hg_tengine_pair(e, *out, NULL, as);
		} else if (bs || as)
			hg_tengine_pair(e, *out, bs, as);
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
out:
	for (k = 0; k < 2; k++) {
		if (revs[k].dir) {
			hg_fs_remove_tree(revs[k].dir);
			free(revs[k].dir);
		}
		hg_config_dispose(&revs[k].cfg);
	}
	for (i = 0; i < o->ntemplate_dirs; i++)
		free((char *)(uintptr_t)dirs[i]);
	free(dirs);
	free((char *)(uintptr_t)ao.bundled_dir);
	free((char *)(uintptr_t)ao.schema_dir);
	free(cwd);
	hg_tengine_free(e);
	hg_arena_dispose(a);
	if (rc < 0) {
		hg_tdiff_free(*out);
		*out = NULL;
	}
	return rc;
}
