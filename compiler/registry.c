/*
 * registry.c: the template search path (see registry.h).
 * Part of hinagata; see LICENSE.
 *
 * The scan happens on the first lookup, so a compile that uses no other
 * template never reads the search path. Files are parsed with a private
 * diagnostics list (their problems are not the user's unless they are
 * used); when a template is handed out its source text is copied into the
 * caller's list so that later diagnostics can quote its lines.
 */
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/fs.h"
#include "compiler.h"

struct entry {
	const hg_template *t;
};

struct hg_registry {
	hg_arena *a;
	char **dirs;
	char **displays; /* NULL entries: show the path */
	const char *const **excludes;
	size_t *nexcludes;
	size_t ndirs;
	bool scanned;
	struct entry *entries;
	size_t n, cap;
	size_t skipped;
	bool have_first;    /* the first problem of the first skipped file: */
	hg_span first_span; /* where (a file of the caller's list) */
	hg_diag_code first_code;
	char *first_text; /* its message, "English\x1fJapanese" */
	hg_diags scratch; /* problems of scanned files: not the user's */
	char **pins;      /* "NAME=VERSION" (hg_compile_options.pins) */
	size_t npins;
};

hg_registry *hg_registry_new(hg_arena *a, const hg_search_dir *dirs, size_t ndirs)
{
	hg_registry *r = hg_xcalloc(1, sizeof(*r));
	size_t i;

	r->a = a;
	r->dirs = hg_xcalloc(ndirs ? ndirs : 1, sizeof(*r->dirs));
	r->displays = hg_xcalloc(ndirs ? ndirs : 1, sizeof(*r->displays));
	r->excludes = hg_xcalloc(ndirs ? ndirs : 1, sizeof(*r->excludes));
	r->nexcludes = hg_xcalloc(ndirs ? ndirs : 1, sizeof(*r->nexcludes));
	for (i = 0; i < ndirs; i++) {
		r->dirs[i] = hg_xstrdup(dirs[i].path);
		r->displays[i] = dirs[i].display ? hg_xstrdup(dirs[i].display) : NULL;
		r->excludes[i] = dirs[i].exclude;
		r->nexcludes[i] = dirs[i].nexclude;
	}
	r->ndirs = ndirs;
	hg_diags_init(&r->scratch);
	return r;
}

hg_registry *hg_registry_of(hg_arena *a, const hg_compile_options *opts)
{
	hg_search_dir *dirs = hg_xcalloc(opts->ntemplate_dirs + 1, sizeof(*dirs));
	hg_registry *r;
	size_t n;

	for (n = 0; n < opts->ntemplate_dirs; n++) {
		dirs[n].path = opts->template_dirs[n];
		dirs[n].exclude = opts->exclude;
		dirs[n].nexclude = opts->nexclude;
	}
	if (opts->bundled_dir) {
		dirs[n].path = opts->bundled_dir;
		dirs[n++].display = "<hinagata>/templates";
	}
	r = hg_registry_new(a, dirs, n);
	free(dirs);
	if (opts->npins) {
		r->pins = hg_xcalloc(opts->npins, sizeof(char *));
		for (n = 0; n < opts->npins; n++)
			r->pins[r->npins++] = hg_xstrdup(opts->pins[n]);
	}
	return r;
}

void hg_registry_free(hg_registry *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->ndirs; i++) {
		free(r->dirs[i]);
		free(r->displays[i]);
	}
	free(r->dirs);
	free(r->displays);
	free(r->excludes);
	free(r->nexcludes);
	free(r->entries);
	for (i = 0; i < r->npins; i++)
		free(r->pins[i]);
	free(r->pins);
	hg_diags_dispose(&r->scratch);
	free(r);
}

static const hg_template *find_exact(
        hg_registry *r, hg_doc_kind kind, const char *name, const hg_semver *v)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		const hg_template *t = r->entries[i].t;
		if (t->kind == kind && strcmp(t->name, name) == 0 &&
		        hg_semver_cmp(&t->version, v) == 0)
			return t;
	}
	return NULL;
}

void hg_registry_add(hg_registry *r, const hg_template *t)
{
	if (!t->name || !t->version_text || find_exact(r, t->kind, t->name, &t->version))
		return;
	HG_GROW(r->entries, r->cap, r->n + 1);
	r->entries[r->n++].t = t;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Sources are registered with the caller's list d (spans of a template that
 * ends up used must stay valid for as long as d), problems go to scratch.
 */
static void scan_file(hg_registry *r, hg_diags *d, const char *path, const char *display)
{
	hg_template *t = NULL;
	size_t before = r->scratch.nerrors, first = r->scratch.n, i;

	if (hg_template_load_in(&t, r->a, &r->scratch, d, path, display) < 0 || !t ||
	        r->scratch.nerrors != before) {
		r->skipped++;
		for (i = first; !r->have_first && i < r->scratch.n; i++) {
			const hg_diag *dg = r->scratch.items[i];
			hg_buf en = HG_BUF_INIT, ja = HG_BUF_INIT;
			if (hg_diag_info_of(dg->code)->severity != HG_SEV_ERROR)
				continue;
			hg_diag_format(&en, dg->code, dg->args, HG_LANG_EN);
			hg_diag_format(&ja, dg->code, dg->args, HG_LANG_JA);
			r->have_first = true;
			r->first_span = dg->span;
			r->first_code = dg->code;
			r->first_text = hg_arena_printf(r->a, "%s\x1f%s", en.ptr, ja.ptr);
			hg_buf_dispose(&en);
			hg_buf_dispose(&ja);
		}
		return;
	}
	hg_registry_add(r, t);
}

/* The files of search directory k under dir (rel: dir relative to the search directory). */
static void scan_dir(hg_registry *r, hg_diags *d, size_t k, const char *dir, const char *rel,
        const char *display, int depth)
{
	char **names;
	size_t n, i;

	/* hidden files and directories, and npm's packages, left out as hinagata check leaves them */
	if (depth > 16 || hg_fs_list_dir(dir, &names, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		hg_buf path = HG_BUF_INIT, shown = HG_BUF_INIT, sub = HG_BUF_INIT;
		hg_buf_printf(&path, "%s/%s", dir, names[i]);
		hg_buf_printf(&shown, "%s/%s", display ? display : dir, names[i]);
		hg_buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
		if (hg_path_excluded(sub.ptr, r->excludes[k], r->nexcludes[k]))
			; /* not on the search path */
		else if (hg_fs_is_dir(path.ptr))
			scan_dir(r, d, k, path.ptr, sub.ptr, display ? shown.ptr : NULL, depth + 1);
		else if (has_suffix(names[i], ".yaml") || has_suffix(names[i], ".yml"))
			scan_file(r, d, path.ptr, display ? shown.ptr : NULL);
		hg_buf_dispose(&path);
		hg_buf_dispose(&shown);
		hg_buf_dispose(&sub);
	}
	hg_fs_names_free(names, n);
}

static void scan(hg_registry *r, hg_diags *d)
{
	size_t i;
	if (r->scanned)
		return;
	r->scanned = true;
	for (i = 0; i < r->ndirs; i++)
		scan_dir(r, d, i, r->dirs[i], "", r->displays[i], 0);
}

const char *hg_registry_path_text(hg_registry *r)
{
	hg_buf b = HG_BUF_INIT;
	const char *s;
	size_t i;
	for (i = 0; i < r->ndirs; i++)
		hg_buf_printf(
		        &b, "%s%s", i ? ", " : "", r->displays[i] ? r->displays[i] : r->dirs[i]);
	if (!r->ndirs)
		hg_buf_puts(&b, "-");
	s = hg_arena_strndup(r->a, b.ptr, b.size);
	hg_buf_dispose(&b);
	return s;
}

const hg_template *hg_registry_get(hg_registry *r, hg_diags *d, hg_doc_kind kind, const char *name)
{
	const hg_template *best = NULL;
	size_t i;

	scan(r, d);
	for (i = 0; i < r->n; i++) {
		const hg_template *t = r->entries[i].t;
		if (t->kind != kind || strcmp(t->name, name) != 0 || t->version.pre)
			continue;
		if (!best || hg_semver_cmp(&t->version, &best->version) > 0)
			best = t;
	}
	return best;
}

int hg_registry_find(const hg_template **out, hg_registry *r, hg_diags *d, hg_doc_kind kind,
        const char *name, const hg_range *range, const char *range_text, const hg_span *at)
{
	const hg_template *best = NULL;
	hg_buf avail = HG_BUF_INIT;
	size_t i, found = 0;
	hg_diag *dg;

	*out = NULL;
	scan(r, d);
	/* A pinned template is the version pinned, whatever the range (an update's impact) */
	for (i = 0; kind == HG_DOC_TEMPLATE && i < r->npins; i++) {
		size_t nl = strlen(name), k;
		if (strncmp(r->pins[i], name, nl) != 0 || r->pins[i][nl] != '=')
			continue;
		for (k = 0; k < r->n; k++) {
			const hg_template *t = r->entries[k].t;
			if (t->kind == kind && strcmp(t->name, name) == 0 &&
			        strcmp(t->version_text, r->pins[i] + nl + 1) == 0) {
				*out = t;
				return 0;
			}
		}
	}
	for (i = 0; i < r->n; i++) {
		const hg_template *t = r->entries[i].t;
		bool ok;
		if (t->kind != kind || strcmp(t->name, name) != 0)
			continue;
		found++;
		hg_buf_printf(&avail, "%s%s", avail.size ? ", " : "", t->version_text);
		ok = range ? hg_range_match(range, &t->version) : t->version.pre == NULL;
		if (ok && (!best || hg_semver_cmp(&t->version, &best->version) > 0))
			best = t;
	}
	if (best) {
		hg_buf_dispose(&avail);
		*out = best;
		return 0;
	}
	if (found) {
		dg = hg_diag_add(d, HG_D_NO_VERSION_MATCH, at, name, range_text ? range_text : "*",
		        avail.ptr, NULL);
	} else {
		dg = hg_diag_add(d,
		        kind == HG_DOC_PROFILE ? HG_D_PROFILE_NOT_FOUND : HG_D_TEMPLATE_NOT_FOUND,
		        at, name, hg_registry_path_text(r), NULL);
	}
	if (r->skipped) {
		char n[32];
		snprintf(n, sizeof(n), "%zu", r->skipped);
		hg_diag_note(dg, HG_D_N_SKIPPED_FILES, NULL, n, NULL);
		if (r->have_first) {
			char code[8];
			hg_diag_code_str(code, r->first_code);
			hg_diag_note(dg, HG_D_N_SKIPPED_FIRST, &r->first_span, code, r->first_text,
			        NULL);
		}
	}
	hg_buf_dispose(&avail);
	return HG_ENOTFOUND;
}

int hg_version_cmp(const char *a, const char *b)
{
	hg_semver va, vb;
	hg_arena *ar = hg_arena_new_small();
	int c;
	if (hg_semver_parse(&va, ar, a) == 0 && hg_semver_parse(&vb, ar, b) == 0)
		c = hg_semver_cmp(&va, &vb);
	else
		c = strcmp(a, b);
	hg_arena_dispose(ar);
	return c;
}

static int cmp_info(const void *x, const void *y)
{
	const hg_template_info *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	return c ? c : hg_version_cmp(a->version, b->version);
}

int hg_templates_list(hg_template_info **out, size_t *n, const hg_compile_options *opts, hg_diags *d)
{
	hg_arena *a = hg_arena_new();
	hg_registry *r = hg_registry_of(a, opts);
	hg_diags scratch = HG_DIAGS_INIT;
	hg_template_info *ts;
	size_t i, k = 0;

	(void)d; /* files that are not templates are not the caller's problem here */
	scan(r, &scratch);
	ts = hg_xcalloc(r->n + 1, sizeof(*ts));
	for (i = 0; i < r->n; i++) {
		const hg_template *t = r->entries[i].t;
		if (t->kind != HG_DOC_TEMPLATE)
			continue;
		ts[k].name = hg_xstrdup(t->name);
		ts[k].version = hg_xstrdup(t->version_text);
		ts[k].path = hg_xstrdup(t->path ? t->path : t->file);
		ts[k].shown = hg_xstrdup(t->file);
		ts[k].mandatory = t->mandatory;
		ts[k].azure = t->target == HG_TARGET_AZURE;
		ts[k].changes_en = t->changes.en ? hg_xstrdup(t->changes.en) : NULL;
		ts[k].changes_ja = t->changes.ja ? hg_xstrdup(t->changes.ja) : NULL;
		k++;
	}
	qsort(ts, k, sizeof(*ts), cmp_info);
	*out = ts;
	*n = k;
	hg_registry_free(r);
	hg_diags_dispose(&scratch);
	hg_arena_dispose(a);
	return 0;
}

void hg_templates_free(hg_template_info *t, size_t n)
{
	size_t i;
	for (i = 0; t && i < n; i++) {
		free(t[i].name);
		free(t[i].version);
		free(t[i].path);
		free(t[i].shown);
		free(t[i].changes_en);
		free(t[i].changes_ja);
	}
	free(t);
}
