/*
 * impact.c: what a new version of a template changes for the systems that
 * use it, and moving them to it (hinagata update; see tdiff.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. The operators must apply each update of the mandatory templates
 * promptly; before they do, they must see, system by system, whether the
 * system's `use:` range admits the new version (a minor update does, and
 * the next compile takes it silently) and what it changes in what is
 * deployed. Both questions are answered by the compiler itself: a use is
 * pinned to a version (hg_compile_options.pins), the system compiled as it
 * was and as it will be, and the two outputs compared by the diff engine.
 * "As it was" is the version its committed compiled output records when
 * there is one (that is what was built and reviewed), else the newest
 * version its range admitted before the new one.
 *
 * Moving a system is an edit of one scalar of its source, in place: the
 * range's bytes are found from the parser's position and checked to be
 * the range as written, so nothing else of the file changes (comments,
 * quoting, layout). A range written another way (a block scalar, an alias)
 * is left alone with a warning rather than guessed at.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "../compiler/compiler.h"
#include "../compiler/template.h"
#include "side.h"

/* A system template read, and its committed compiled output. */
struct sys {
	const char *path;
	const char *text; /* its bytes (the ranges are found in them) */
	size_t len;
	hg_template *t;
	const char *output;   /* committed compiled output, or NULL */
	hg_jv *out_templates; /* that output's Metadata.hinagata.templates */
};

struct walk {
	hg_arena *a;
	const hg_update_options *o;
	hg_diags *d;
	struct sys *sys;
	size_t nsys, capsys;
	struct {
		const char *path, *name;
		hg_jv *templates;
	} *outs;
	size_t nouts, capouts;
};

/*
 * Is this JSON what a collector saved rather than compiled output? The
 * template a deployment was made with (az deployment export) is compiled
 * output byte for byte, but it is the deployed state: never rewritten.
 */
static bool collected(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strncmp(base, "az-deployment-", 14) == 0 || strncmp(base, "get-template-", 13) == 0;
}

/* A file: a hinagata template (parsed) or compiled output (its metadata kept). */
static void visit_file(struct walk *w, const char *path)
{
	hg_buf text = HG_BUF_INIT;
	size_t size = 0;

	if (!(hg_tdiff__suffix(path, ".yaml") || hg_tdiff__suffix(path, ".yml") || hg_tdiff__suffix(path, ".json")) ||
	        hg_fs_read(&text, path, HG_TEMPLATE_MAX_BYTES, &size) < 0) {
		hg_buf_dispose(&text);
		return;
	}
	if (!hg_tdiff__suffix(path, ".json") && hg_tside_is_source(text.ptr, text.size)) {
		hg_template *t = NULL;
		if (hg_template_load(&t, w->a, w->d, path) == 0 && t && t->kind == HG_DOC_TEMPLATE) {
			struct sys *s;
			HG_AGROW(w->a, w->sys, w->capsys, w->nsys + 1);
			s = &w->sys[w->nsys++];
			memset(s, 0, sizeof(*s));
			s->path = hg_arena_strdup(w->a, path);
			s->text = hg_arena_strndup(w->a, text.ptr, text.size);
			s->len = text.size;
			s->t = t;
		}
	} else if (hg_tdiff__suffix(path, ".json") && !collected(path) && memmem(text.ptr, text.size, "\"hinagata\"", 10)) {
		hg_jv *doc = NULL, *meta;
		if (hg_jv_parse(&doc, w->a, text.ptr, text.size, 512, NULL) == 0) {
			meta = hg_jv_get(hg_jv_get(doc, "Metadata"), "hinagata");
			if (!meta)
				meta = hg_jv_get(hg_jv_get(doc, "metadata"), "hinagata");
			if (meta && hg_jv_get(meta, "compiler") && hg_jv_get(meta, "templates") &&
			        hg_jv_get(meta, "templates")->kind == HG_JV_ARR &&
			        hg_jv_get(meta, "templates")->n) {
				const char *name = hg_jv_str(
				        hg_jv_get(hg_jv_get(meta, "templates")->u.items[0], "template"));
				if (name) {
					HG_AGROW(w->a, w->outs, w->capouts, w->nouts + 1);
					w->outs[w->nouts].path = hg_arena_strdup(w->a, path);
					w->outs[w->nouts].name = name;
					w->outs[w->nouts].templates = hg_jv_get(meta, "templates");
					w->nouts++;
				}
			}
		}
	}
	hg_buf_dispose(&text);
}

static void visit(struct walk *w, const char *path, int depth)
{
	char **names;
	size_t n, i;

	if (depth > 0 && hg_path_excluded(path, w->o->exclude, w->o->nexclude))
		return;
	if (hg_fs_is_dir(path) != 1) {
		visit_file(w, path);
		return;
	}
	if (depth > 32)
		return;
	if (hg_fs_list_dir(path, &names, &n) < 0) { /* a system it cannot see is not passed over */
		hg_diag_add(w->d, HG_D_IO_READ, NULL, path, strerror(errno), NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		hg_buf p = HG_BUF_INIT;
		if (strcmp(path, ".") == 0)
			hg_buf_puts(&p, names[i]);
		else
			hg_buf_printf(&p, "%s/%s", path, names[i]);
		visit(w, p.ptr, depth + 1);
		hg_buf_dispose(&p);
	}
	hg_fs_names_free(names, n);
}

/* ---- versions ---- */

static int parse_version(hg_semver *v, hg_arena *a, const char *s)
{
	return hg_semver_parse(v, a, s);
}

/* Does the use's range (NULL: any) admit version s? */
static bool admits(hg_arena *a, const hg_use_decl *u, const char *s)
{
	hg_semver v;
	if (parse_version(&v, a, s) < 0)
		return false;
	if (!u->range)
		return v.pre == NULL;
	return hg_range_match(u->range, &v);
}

/* The range update writes: the operator of the old one, at the new version. */
static const char *new_range(hg_arena *a, const char *old, const char *to)
{
	hg_semver v;
	if (parse_version(&v, a, to) < 0)
		return hg_arena_strdup(a, to);
	if (old && old[0] == '~')
		return hg_arena_printf(a, "~%s", to);
	if (old && (old[0] >= '0' && old[0] <= '9') && !strchr(old, ' ') && !strchr(old, '|') &&
	        !strchr(old, 'x') && !strchr(old, '*') && strchr(old, '.') &&
	        strchr(strchr(old, '.') + 1, '.'))
		return hg_arena_strdup(a, to); /* an exact version stays exact */
	return hg_arena_printf(a, "^%llu.%llu", (unsigned long long)v.major, (unsigned long long)v.minor);
}

/* ---- compiling one system with one template pinned ---- */

/* The compiler's search path and data directories as o gives them. */
static void compile_options(hg_compile_options *co, const hg_update_options *o)
{
	co->template_dirs = o->template_dirs;
	co->ntemplate_dirs = o->ntemplate_dirs;
	co->bundled_dir = o->bundled_dir;
	co->schema_dir = o->schema_dir;
	co->exclude = o->exclude;
	co->nexclude = o->nexclude;
}

static int compile_pinned(hg_buf *json, const char *path, const char *pin, bool rules,
        const hg_update_options *o, hg_diags *d)
{
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
	hg_output *outs = NULL;
	int rc;

	compile_options(&co, o);
	co.skip_rules = !rules;
	co.pins = pin ? &pin : NULL;
	co.npins = pin ? 1 : 0;
	rc = hg_compile(&outs, &path, 1, &co, d);
	if (rc == 0 && outs[0].json)
		hg_buf_put(json, outs[0].json, outs[0].len);
	else if (rc == 0)
		rc = HG_EINVALID;
	hg_outputs_free(outs, 1);
	return rc;
}

/* The first error of d, "file:line: message" in both languages (HG_BI). */
static const char *first_error(hg_arena *a, const hg_diags *d)
{
	size_t i;
	for (i = 0; i < d->n; i++) {
		const hg_diag *dg = d->items[i];
		hg_buf en = HG_BUF_INIT, ja = HG_BUF_INIT;
		char code[8];
		const char *r;
		if (hg_diag_info_of(dg->code)->severity != HG_SEV_ERROR)
			continue;
		hg_diag_code_str(code, dg->code);
		if (dg->span.file)
			hg_buf_printf(&en, "%s:%u: ", dg->span.file, dg->span.line);
		hg_buf_printf(&en, "[%s] ", code);
		hg_buf_puts(&ja, en.ptr);
		hg_diag_format(&en, dg->code, dg->args, HG_LANG_EN);
		hg_diag_format(&ja, dg->code, dg->args, HG_LANG_JA);
		r = hg_arena_printf(a, "%s\x1f%s", en.ptr, ja.ptr);
		hg_buf_dispose(&en);
		hg_buf_dispose(&ja);
		return r;
	}
	return NULL;
}

/* ---- where a range is written ---- */

/* The byte offset of 1-based line and column (characters) in text, or (size_t)-1. */
static size_t offset_of(const char *text, size_t len, unsigned line, unsigned col)
{
	size_t i = 0;
	unsigned l = 1, c = 1;
	while (i < len && l < line) {
		if (text[i++] == '\n')
			l++;
	}
	while (i < len && c < col && text[i] != '\n') {
		i++;
		while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++; /* the rest of a UTF-8 character */
		c++;
	}
	return l == line && c == col ? i : (size_t)-1;
}

/*
 * Find the scalar the range was read from, written plainly or quoted: its
 * bytes (quotes included) at *off, *len; false when what is there is not the
 * range as written (a block scalar, an alias).
 */
static bool find_range(const struct sys *s, const hg_use_decl *u, size_t *off, size_t *len)
{
	size_t at, end;
	const char *p;

	if (!u->range_text || !u->range_span.line)
		return false;
	at = offset_of(s->text, s->len, u->range_span.line, u->range_span.col);
	if (at == (size_t)-1)
		return false;
	p = s->text + at;
	if (*p == '"' || *p == '\'') {
		const char *q = p + 1;
		while (q < s->text + s->len && *q != *p && *q != '\n')
			q++;
		if (q >= s->text + s->len || *q != *p)
			return false;
		end = (size_t)(q - s->text) + 1;
		if ((size_t)(q - p - 1) != strlen(u->range_text) || memcmp(p + 1, u->range_text, (size_t)(q - p - 1)) != 0)
			return false; /* escapes, or not this range */
	} else {
		size_t n = strlen(u->range_text);
		if (at + n > s->len || memcmp(p, u->range_text, n) != 0)
			return false;
		end = at + n;
		/* a plain scalar ends there: at the line's end, a comment, or a flow indicator */
		if (end < s->len && s->text[end] != '\n' && s->text[end] != '\r' && s->text[end] != ',' &&
		        s->text[end] != '}' && s->text[end] != ']' && s->text[end] != ' ' && s->text[end] != '\t')
			return false;
	}
	*off = at;
	*len = end - at;
	return true;
}

/* ---- the impact ---- */

static const char *output_version(const struct sys *s, const char *name)
{
	size_t i;
	for (i = 0; s->out_templates && i < s->out_templates->n; i++) {
		const hg_jv *t = s->out_templates->u.items[i];
		if (hg_jv_str(hg_jv_get(t, "template")) && strcmp(hg_jv_str(hg_jv_get(t, "template")), name) == 0)
			return hg_jv_str(hg_jv_get(t, "version"));
	}
	return NULL;
}

static void one_use(hg_impact *im, hg_uupdate *up, size_t *capuses, const struct sys *s,
        const hg_use_decl *u, const hg_update_options *o)
{
	hg_arena *a = im->a;
	hg_uuse *x;
	const char *from = output_version(s, up->template_name);
	size_t i;

	HG_AGROW(a, up->uses, *capuses, up->nuses + 1);
	x = &up->uses[up->nuses++];
	memset(x, 0, sizeof(*x));
	x->file = s->path;
	x->system = s->t->name;
	x->alias = u->alias;
	x->range = u->range_text;
	x->line = u->range_text ? u->range_span.line : u->span.line;
	x->col = u->range_text ? u->range_span.col : u->span.col;
	x->output = s->output;
	x->to = up->to;
	if (!from) /* the newest version its range admitted before the new one */
		for (i = 0; i < up->nversions; i++)
			if (hg_version_cmp(up->versions[i], up->to) < 0 && admits(a, u, up->versions[i]))
				from = up->versions[i];
	x->from = from ? from : up->to;
	if (strcmp(x->from, x->to) == 0) {
		x->status = HG_US_CURRENT;
		return;
	}
	x->status = admits(a, u, x->to) ? HG_US_ADMITTED : HG_US_NOT_ADMITTED;
	if (u->range_text)
		x->new_range = new_range(a, u->range_text, x->to);
	if (!find_range(s, u, &x->range_offset, &x->range_length))
		x->range_offset = x->range_length = 0;
	/* what changes in its compiled output: the system as it was and as it will be */
	{
		hg_buf before = HG_BUF_INIT, after = HG_BUF_INIT;
		hg_diags q1 = HG_DIAGS_INIT, q2 = HG_DIAGS_INIT, q3 = HG_DIAGS_INIT;
		char *pin_from = hg_arena_printf(a, "%s=%s", up->template_name, x->from);
		char *pin_to = hg_arena_printf(a, "%s=%s", up->template_name, x->to);
		hg_tdiff_options to = HG_TDIFF_OPTIONS_INIT;
		to.schema_dir = o->schema_dir;
		if (compile_pinned(&after, s->path, pin_to, true, o, &q2) < 0) {
			/* it fails with the new version (the profile, a control rule, a lock): said,
			 * and the diff still shown when it compiles without the rules */
			x->status = HG_US_FAILS;
			x->error = first_error(a, &q2);
			hg_buf_clear(&after);
			if (compile_pinned(&after, s->path, pin_to, false, o, &q3) < 0)
				hg_buf_clear(&after);
		}
		if (after.size && compile_pinned(&before, s->path, pin_from, false, o, &q1) == 0)
			hg_tdiff_texts(&x->diff, hg_arena_printf(a, "%s (%s %s)", s->path, up->template_name, x->from),
			        before.ptr, before.size,
			        hg_arena_printf(a, "%s (%s %s)", s->path, up->template_name, x->to), after.ptr,
			        after.size, &to, &q1);
		hg_buf_dispose(&before);
		hg_buf_dispose(&after);
		hg_diags_dispose(&q1);
		hg_diags_dispose(&q2);
		hg_diags_dispose(&q3);
	}
}

static int cmp_uses(const void *x, const void *y)
{
	const hg_uuse *a = x, *b = y;
	int c = strcmp(a->file, b->file);
	return c ? c : strcmp(a->alias ? a->alias : "", b->alias ? b->alias : "");
}

int hg_update_impact(hg_impact **out, const hg_update_options *o, hg_diags *d)
{
	static const char *const here[] = {"."};
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
	hg_template_info *infos = NULL;
	struct walk w;
	hg_impact *im = hg_xcalloc(1, sizeof(*im));
	size_t ninfos = 0, i, k, j, capt = 0;
	const char *const *paths = o->npaths ? o->paths : here;
	size_t npaths = o->npaths ? o->npaths : 1;
	int rc = 0;

	*out = NULL;
	im->a = hg_arena_new();
	memset(&w, 0, sizeof(w));
	w.a = im->a;
	w.o = o;
	w.d = d;
	for (i = 0; i < npaths; i++)
		visit(&w, paths[i], 0);
	/* each system's committed output: the compiled JSON that names it */
	for (i = 0; i < w.nsys; i++)
		for (k = 0; k < w.nouts; k++)
			if (w.sys[i].t->name && strcmp(w.outs[k].name, w.sys[i].t->name) == 0) {
				w.sys[i].output = w.outs[k].path;
				w.sys[i].out_templates = w.outs[k].templates;
			}
	im->sources = w.nsys;
	compile_options(&co, o);
	hg_templates_list(&infos, &ninfos, &co, d);
	/* the templates to look at: those named, or every mandatory one a system uses */
	for (i = 0; i < ninfos; i++) {
		const char *name = infos[i].name;
		bool wanted = false, used = false;
		size_t capv = 0, capu = 0;
		hg_uupdate *up;
		if (i + 1 < ninfos && strcmp(infos[i + 1].name, name) == 0)
			continue; /* the last of its name: the newest (they come lowest first) */
		for (k = 0; k < o->ntemplates; k++)
			wanted = wanted || strcmp(o->templates[k], name) == 0;
		for (k = 0; k < w.nsys && !used; k++)
			for (j = 0; j < w.sys[k].t->nuses && !used; j++)
				used = w.sys[k].t->uses[j].template_name &&
				       strcmp(w.sys[k].t->uses[j].template_name, name) == 0;
		if (o->ntemplates ? !wanted : !(infos[i].mandatory && used && infos[i].name &&
		                                      i > 0 && strcmp(infos[i - 1].name, name) == 0))
			continue; /* by default: the mandatory templates used that have several versions */
		HG_AGROW(im->a, im->t, capt, im->n + 1);
		up = &im->t[im->n++];
		memset(up, 0, sizeof(*up));
		up->template_name = hg_arena_strdup(im->a, name);
		up->mandatory = infos[i].mandatory;
		for (k = 0; k < ninfos; k++)
			if (strcmp(infos[k].name, name) == 0) {
				HG_AGROW(im->a, up->versions, capv, up->nversions + 1);
				up->versions[up->nversions++] = hg_arena_strdup(im->a, infos[k].version);
			}
		/* the newest release, or the version asked for */
		for (k = ninfos; k-- > 0;)
			if (strcmp(infos[k].name, name) == 0 && !strchr(infos[k].version, '-') &&
			        (!o->to || strcmp(infos[k].version, o->to) == 0)) {
				up->to = hg_arena_strdup(im->a, infos[k].version);
				if (infos[k].changes_en || infos[k].changes_ja)
					up->changes = hg_arena_printf(im->a, "%s\x1f%s",
					        infos[k].changes_en ? infos[k].changes_en : infos[k].changes_ja,
					        infos[k].changes_ja ? infos[k].changes_ja : infos[k].changes_en);
				break;
			}
		if (!up->to) {
			hg_buf there = HG_BUF_INIT;
			for (k = 0; k < up->nversions; k++)
				hg_buf_printf(&there, "%s%s", k ? ", " : "", up->versions[k]);
			hg_diag_add(d, HG_D_DIFF_NO_VERSION, NULL, name, o->to ? o->to : "-", there.ptr, NULL);
			hg_buf_dispose(&there);
			rc = HG_ENOTFOUND;
			im->n--;
			continue;
		}
		for (k = 0; k < w.nsys; k++)
			for (j = 0; j < w.sys[k].t->nuses; j++) {
				const hg_use_decl *u = &w.sys[k].t->uses[j];
				if (u->template_name && strcmp(u->template_name, name) == 0)
					one_use(im, up, &capu, &w.sys[k], u, o);
			}
		if (up->nuses > 1)
			qsort(up->uses, up->nuses, sizeof(*up->uses), cmp_uses);
		if (!o->ntemplates) { /* by default, only what has something to update */
			bool any = false;
			for (k = 0; k < up->nuses; k++)
				any = any || up->uses[k].status != HG_US_CURRENT;
			if (!any)
				im->n--;
		}
	}
	/* a template named that is on no search path */
	for (k = 0; k < o->ntemplates; k++) {
		bool found = false;
		for (i = 0; i < ninfos && !found; i++)
			found = strcmp(infos[i].name, o->templates[k]) == 0;
		if (!found) {
			hg_diag_add(d, HG_D_DIFF_NO_VERSION, NULL, o->templates[k], o->to ? o->to : "-", "-", NULL);
			rc = HG_ENOTFOUND;
		}
	}
	hg_templates_free(infos, ninfos);
	*out = im;
	return rc;
}

void hg_impact_free(hg_impact *im)
{
	size_t i, k;
	if (!im)
		return;
	for (i = 0; i < im->n; i++)
		for (k = 0; k < im->t[i].nuses; k++)
			hg_tdiff_free(im->t[i].uses[k].diff);
	hg_arena_dispose(im->a);
	free(im);
}

const char *hg_ustatus_name(hg_ustatus s)
{
	static const char *const names[] = {"current", "admitted", "not-admitted", "fails"}; /* ORDER USTATUS */
	return (unsigned)s <= HG_US_FAILS ? names[s] : "?";
}

/* ---- moving the systems ---- */

/* An edit of one file: its ranges, last first. */
struct edit {
	const hg_uuse *u;
};

static int cmp_edit_desc(const void *x, const void *y)
{
	const struct edit *a = x, *b = y;
	return a->u->range_offset < b->u->range_offset ? 1 : a->u->range_offset > b->u->range_offset ? -1 : 0;
}

/* Rewrite the ranges of file (the uses of im that need it); true when the file was written. */
static int rewrite(hg_impact *im, const char *file, hg_diags *d, bool *changed)
{
	hg_buf text = HG_BUF_INIT, out = HG_BUF_INIT;
	struct edit *edits = NULL;
	size_t n = 0, cap = 0, i, k, size = 0, prev;
	int rc = 0;

	*changed = false;
	for (i = 0; i < im->n; i++)
		for (k = 0; k < im->t[i].nuses; k++) {
			hg_uuse *u = &im->t[i].uses[k];
			if (strcmp(u->file, file) != 0 || !u->new_range || u->status == HG_US_CURRENT ||
			        u->status == HG_US_FAILS)
				continue;
			if (!u->range_length) {
				hg_span at;
				memset(&at, 0, sizeof(at));
				at.file = hg_diags_source(d, u->file, NULL, 0);
				at.line = at.end_line = u->line;
				at.col = u->col;
				at.end_col = u->col + 1;
				hg_diag_add(d, HG_D_UPDATE_RANGE_FORM, &at, u->alias,
				        hg_arena_printf(im->a, "version: \"%s\"", u->new_range), NULL);
				continue;
			}
			HG_GROW(edits, cap, n + 1);
			edits[n++].u = u;
		}
	if (!n) {
		free(edits);
		return 0;
	}
	if ((rc = hg_fs_read(&text, file, HG_TEMPLATE_MAX_BYTES, &size)) < 0) {
		hg_fs_diag(d, NULL, file, file, rc, errno, size);
		rc = HG_EIO;
		goto out;
	}
	qsort(edits, n, sizeof(*edits), cmp_edit_desc);
	/* from the end, so that earlier offsets stay right; a range keeps its quoting */
	prev = text.size;
	{
		hg_buf tail = HG_BUF_INIT;
		for (i = 0; i < n; i++) {
			const hg_uuse *u = edits[i].u;
			char q = text.ptr[u->range_offset];
			hg_buf piece = HG_BUF_INIT;
			if (u->range_offset + u->range_length > prev)
				continue; /* two uses at one place: already done */
			if (q == '"' || q == '\'')
				hg_buf_printf(&piece, "%c%s%c", q, u->new_range, q);
			else if (u->new_range[0] == '^' || u->new_range[0] == '~')
				hg_buf_printf(&piece, "\"%s\"", u->new_range); /* not plain YAML at the start */
			else
				hg_buf_puts(&piece, u->new_range);
			hg_buf_put(&piece, text.ptr + u->range_offset + u->range_length,
			        prev - u->range_offset - u->range_length);
			hg_buf_put(&piece, tail.ptr, tail.size);
			hg_buf_dispose(&tail);
			tail = piece;
			prev = u->range_offset;
		}
		hg_buf_put(&out, text.ptr, prev);
		hg_buf_put(&out, tail.ptr, tail.size);
		hg_buf_dispose(&tail);
	}
	if (out.size != text.size || memcmp(out.ptr, text.ptr, out.size) != 0) {
		if (hg_fs_write_atomic(file, out.ptr, out.size) < 0) {
			hg_diag_add(d, HG_D_IO_WRITE, NULL, file, strerror(errno), NULL);
			rc = HG_EIO;
			goto out;
		}
		*changed = true;
		im->written++;
	}
out:
	free(edits);
	hg_buf_dispose(&text);
	hg_buf_dispose(&out);
	return rc;
}

int hg_update_apply(hg_impact *im, const char *outdir, const hg_update_options *o, hg_diags *d)
{
	const char **files = NULL;
	size_t n = 0, cap = 0, i, k, j;
	int rc = 0;

	/* every file with a use to move, once, in order */
	for (i = 0; i < im->n; i++)
		for (k = 0; k < im->t[i].nuses; k++) {
			const hg_uuse *u = &im->t[i].uses[k];
			bool seen = false;
			if (u->status == HG_US_CURRENT)
				continue;
			for (j = 0; j < n && !seen; j++)
				seen = strcmp(files[j], u->file) == 0;
			if (!seen) {
				HG_GROW(files, cap, n + 1);
				files[n++] = u->file;
			}
		}
	for (i = 0; i < n; i++) {
		hg_buf json = HG_BUF_INIT;
		const char *output = NULL;
		hg_output *outs = NULL;
		hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
		bool changed;
		int r = rewrite(im, files[i], d, &changed);
		if (r < 0) {
			rc = rc ? rc : r;
			continue;
		}
		/* recompile what the system now says, into its committed output */
		for (j = 0; j < im->n && !output; j++)
			for (k = 0; k < im->t[j].nuses && !output; k++)
				if (strcmp(im->t[j].uses[k].file, files[i]) == 0)
					output = im->t[j].uses[k].output;
		compile_options(&co, o);
		if (hg_compile(&outs, &files[i], 1, &co, d) == 0 && outs[0].json) {
			hg_buf_put(&json, outs[0].json, outs[0].len);
			if (output && hg_fs_write_atomic(output, json.ptr, json.size) < 0) {
				hg_diag_add(d, HG_D_IO_WRITE, NULL, output, strerror(errno), NULL);
				rc = HG_EIO;
			} else if (output)
				im->written++;
			if (outdir && outs[0].template_name) {
				hg_buf path = HG_BUF_INIT, dir = HG_BUF_INIT;
				char *slash;
				hg_buf_printf(&path, "%s/%s.json", outdir, outs[0].template_name);
				hg_buf_puts(&dir, path.ptr);
				slash = strrchr(dir.ptr, '/');
				if (slash)
					*slash = '\0';
				if (hg_fs_mkdirs(dir.ptr) < 0 || hg_fs_write_atomic(path.ptr, json.ptr, json.size) < 0) {
					hg_diag_add(d, HG_D_IO_WRITE, NULL, path.ptr, strerror(errno), NULL);
					rc = HG_EIO;
				} else
					im->written++;
				hg_buf_dispose(&path);
				hg_buf_dispose(&dir);
			}
		} else if (rc == 0)
			rc = HG_EINVALID; /* its errors are in d: nothing is written for it */
		hg_outputs_free(outs, 1);
		hg_buf_dispose(&json);
		(void)changed;
	}
	free(files);
	return rc;
}
