/*
 * desired.c: one template of the desired state against its stack (see
 * engine.h): loading (file or git, hinagata source compiled on the fly),
 * matching the stack, resolving, and comparing each resource.
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../compiler/compiler.h"
#include "cfn.h"
#include "compare.h"
#include "engine.h"
#include "gitsrc.h"

#define MAX_TEMPLATE HG_FS_MAX_INPUT

struct tmpl {
	struct engine *e;
	const char *display;
	json_t *doc;
	struct stack *stack;
	hg_cfn_ctx ctx;
	uint64_t ctxhash;
	json_t *sidecars; /* parent logical ID -> [ {into, props} ] */
	char *unit, *source, *account, *region; /* shared by the template's results */
	json_t *verdicts; /* this template's resource verdicts, for the cache */
	hg_buf blob;      /* the cache lines of its resources, while all are in sync */
	json_t *metas, *meta_index; /* their distinct descriptions (see blob_line) */
	bool not_all_sync;
	hg_arena *res_arena;
};

static char *keep(struct engine *e, const char *s)
{
	return s ? hg_arena_strdup(e->rep->arena, s) : NULL;
}

/* One copy of a string many results share (types, template names). */
static char *intern(struct engine *e, const char *s)
{
	return s ? (char *)(uintptr_t)hg_arena_intern(e->rep->arena, s, strlen(s)) : NULL;
}

/* ---- loading ---- */

/* An absolute form of a directory (arena-owned), so that it survives a chdir. */
static const char *absolute(struct engine *e, const char *dir)
{
	char *r;
	const char *out;

	if (!dir || dir[0] == '/' || !(r = realpath(dir, NULL)))
		return dir;
	out = hg_arena_strdup(e->a, r);
	free(r);
	return out;
}

static int compile_source(struct engine *e, const char *path, hg_buf *json)
{
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
	hg_output *outs = NULL;
	const char **dirs = hg_xcalloc(e->o->ntemplate_dirs + 2, sizeof(char *));
	const char *input = NULL;
	size_t nd = 0, i;
	int rc;

	if (e->o->repo) {
		if (!e->gitdir) {
			hg_buf tmpd = HG_BUF_INIT; /* private, and cleaned up even after a kill */
			if (hg_fs_mkdtemp(&tmpd, "git") < 0) {
				hg_diag_add(e->d, HG_D_IO_WRITE, NULL, "hinagata-git-*", strerror(errno), NULL);
				hg_buf_dispose(&tmpd);
				free(dirs);
				return HG_EIO;
			}
			e->gitdir = hg_buf_detach(&tmpd);
			rc = hg_git_export_templates(e->o->repo, e->o->ref, e->gitdir, e->d);
			if (rc == 0) { /* its fixtures are not on the search path */
				hg_buf cfg = HG_BUF_INIT, shown = HG_BUF_INIT;
				hg_buf_printf(&cfg, "%s/%s", e->gitdir, HG_CONFIG_FILE);
				hg_buf_printf(&shown, "%s@%s", HG_CONFIG_FILE, e->o->ref ? e->o->ref : "HEAD");
				rc = hg_config_read(&e->gitconfig, cfg.ptr, shown.ptr, e->d);
				hg_buf_dispose(&cfg);
				hg_buf_dispose(&shown);
			}
			if (rc < 0) {
				free(dirs);
				return rc;
			}
		}
		co.exclude = (const char *const *)e->gitconfig.exclude;
		co.nexclude = e->gitconfig.nexclude;
		input = path;
		dirs[nd++] = ".";
	}
	for (i = 0; i < e->o->ntemplate_dirs; i++)
		dirs[nd++] = absolute(e, e->o->template_dirs[i]);
	co.template_dirs = dirs;
	co.ntemplate_dirs = nd;
	co.bundled_dir = absolute(e, e->o->bundled_dir);
	co.schema_dir = absolute(e, e->o->schema_dir);
	if (input) { /* compiled from the exported revision, so messages show its paths */
		char *cwd = getcwd(NULL, 0);
		if (!cwd || chdir(e->gitdir) != 0) {
			free(cwd);
			free(dirs);
			hg_diag_add(e->d, HG_D_IO_READ, NULL, e->gitdir, strerror(errno), NULL);
			return HG_EIO;
		}
		rc = hg_compile(&outs, &input, 1, &co, e->d);
		if (chdir(cwd) != 0)
			rc = HG_EIO;
		free(cwd);
	} else
		rc = hg_compile(&outs, &path, 1, &co, e->d);
	free(dirs);
	if (rc == 0 && outs[0].json)
		hg_buf_put(json, outs[0].json, outs[0].len);
	else if (rc == 0)
		rc = HG_EINVALID; /* a profile or catalog: not a template of resources */
	hg_outputs_free(outs, 1);
	return rc;
}

/*
 * The template at path as CloudFormation JSON text (hinagata sources are
 * compiled), into json. *display gets the name reports use.
 */
static int load_desired(struct engine *e, const char *path, hg_buf *json, const char **display,
        const char **file)
{
	hg_buf text = HG_BUF_INIT;
	size_t size = 0;
	const char *p;
	int rc;

	if (e->o->repo) {
		*display = hg_arena_printf(e->a, "%s@%s", path, e->o->ref ? e->o->ref : "HEAD");
		rc = hg_git_read(&text, e->o->repo, e->o->ref, path, NULL, e->d);
	} else {
		*display = path;
		rc = hg_fs_read(&text, path, MAX_TEMPLATE, &size);
		if (rc < 0) /* too large, a FIFO or device (never opened for reading), ... */
			hg_fs_diag(e->d, NULL, path, path, rc, errno, size);
	}
	if (rc < 0) {
		hg_buf_dispose(&text);
		return rc < 0 && rc != HG_EINVALID ? rc : HG_EIO;
	}
	*file = hg_diags_source(e->d, *display, NULL, 0); /* names only: templates can be large */
	for (p = text.ptr; p < text.ptr + text.size && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t');)
		p++;
	if (p < text.ptr + text.size && *p == '{') {
		hg_buf_put(json, text.ptr, text.size);
		hg_buf_dispose(&text);
		return 0;
	}
	hg_buf_dispose(&text);
	return compile_source(e, path, json);
}

static int parse_desired(struct engine *e, const hg_buf *json, const char *file, json_t **doc)
{
	json_error_t err;

	*doc = json_loadb(json->ptr, json->size, 0, &err);
	if (*doc && json_is_object(json_object_get(*doc, "Resources")))
		return 0;
	if (*doc && json_is_array(json_object_get(*doc, "resources")) &&
	        json_string_value(json_object_get(*doc, "$schema")) &&
	        strstr(json_string_value(json_object_get(*doc, "$schema")), "eploymentTemplate"))
		return 1; /* ARM */
	json_decref(*doc);
	*doc = NULL;
	hg_diag_add(e->d, HG_D_DESIRED_FORMAT, NULL, file, NULL);
	return HG_EINVALID;
}

/* ---- the stack of a template: the one sharing the most logical IDs ---- */

/* How many of the template's logical IDs the stack has. */
static size_t overlap(struct engine *e, const struct stack *st, json_t *res)
{
	const char *k;
	json_t *v;
	size_t hits = 0;

	json_object_foreach(res, k, v)
		if (hg_engine_stack_res(e, st, k))
			hits++;
	return hits;
}

/* The stack named like the template (its file name, or its template name with '-' for '/'). */
static struct stack *stack_by_name(struct engine *e, const char *path, json_t *doc)
{
	const char *base = strrchr(path, '/'), *dot;
	const char *tname = json_string_value(json_object_get(json_array_get(
	        json_object_get(json_object_get(json_object_get(doc, "Metadata"), "hinagata"), "templates"), 0),
	        "template"));
	char name[256];
	size_t i, n;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	n = dot ? (size_t)(dot - base) : strlen(base);
	for (i = 0; i < e->nstacks; i++) {
		const char *sn = e->stacks[i].name;
		if (e->stacks[i].used)
			continue;
		if (strlen(sn) == n && memcmp(sn, base, n) == 0)
			return &e->stacks[i];
		if (tname && strlen(tname) < sizeof(name)) {
			char *p;
			snprintf(name, sizeof(name), "%s", tname);
			for (p = name; *p; p++)
				if (*p == '/')
					*p = '-';
			if (strcmp(sn, name) == 0)
				return &e->stacks[i];
		}
	}
	return NULL;
}

/*
 * The stack of a template: the one named explicitly (PATH=STACK), else the
 * one named like it if it shares logical IDs with it, else the unused stack
 * sharing the most logical IDs (many stacks of one template tie: name them).
 */
static struct stack *match_stack(struct engine *e, json_t *doc, const char *path, const char *named)
{
	json_t *res = json_object_get(doc, "Resources");
	size_t i, best = 0;
	struct stack *pick = NULL;

	if (named) {
		for (i = 0; i < e->nstacks; i++)
			if (strcmp(e->stacks[i].name, named) == 0)
				pick = &e->stacks[i];
	} else if ((pick = stack_by_name(e, path, doc)) != NULL && !overlap(e, pick, res))
		pick = NULL;
	for (i = 0; !pick && !named && i < e->nstacks; i++) {
		size_t hits;
		if (e->stacks[i].used)
			continue;
		hits = overlap(e, &e->stacks[i], res);
		if (hits > best) {
			best = hits;
			pick = &e->stacks[i];
		}
	}
	if (pick)
		pick->used = true;
	return pick;
}

/* ---- resolution callbacks ---- */


static const char *physical(void *payload, const char *logical)
{
	struct tmpl *t = payload;
	struct stack_res *sr = hg_engine_stack_res(t->e, t->stack, logical);
	return sr ? sr->physical : NULL;
}

static json_t *attribute(void *payload, const char *logical, const char *attr)
{
	struct tmpl *t = payload;
	struct stack_res *sr = hg_engine_stack_res(t->e, t->stack, logical);
	hg_arena *a;
	const hg_jv *props, *v;
	char seg[256];
	const char *p = attr;
	json_t *r = NULL;

	if (!sr || sr->rec < 0)
		return NULL;
	a = hg_arena_new();
	props = hg_engine_record(t->e, sr->rec, a);
	v = props;
	while (v && *p) { /* "Endpoint.Address" -> /Endpoint/Address */
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		if (len >= sizeof(seg))
			break;
		memcpy(seg, p, len);
		seg[len] = '\0';
		v = hg_jv_get(v, seg);
		p += len + (dot ? 1 : 0);
	}
	if (v && !*p)
		r = hg_jv_to_json(v);
	hg_arena_dispose(a);
	return r;
}

/* ---- the context hash: everything resolution may read ---- */

static uint64_t context_hash(const struct stack *s)
{
	hg_hasher *h = hg_hasher_new();
	char *p = json_dumps(s->params, JSON_SORT_KEYS | JSON_COMPACT);
	const char *fields[] = {s->account, s->region, s->partition, s->name, s->id,
	        hg_compiler_version()};
	size_t i;
	uint64_t r;

	if (p)
		hg_hasher_update(h, p, strlen(p));
	free(p);
	for (i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		if (fields[i])
			hg_hasher_update(h, fields[i], strlen(fields[i]));
		hg_hasher_update(h, "", 1);
	}
	for (i = 0; i < s->nres; i++) {
		hg_hasher_update(h, s->res[i].logical, strlen(s->res[i].logical) + 1);
		if (s->res[i].physical)
			hg_hasher_update(h, s->res[i].physical, strlen(s->res[i].physical) + 1);
	}
	r = hg_hasher_digest(h);
	hg_hasher_free(h);
	return r;
}

/* The cache key of a resource: its record, its definition, its context. */
static void verdict_key(struct tmpl *t, json_t *def, struct stack_res *sr, char out[17])
{
	hg_hasher *h = hg_hasher_new();
	char *p = json_dumps(def, JSON_SORT_KEYS | JSON_COMPACT);
	json_t *targets = json_array(), *x;
	size_t i;

	hg_hasher_update(h, &t->ctxhash, sizeof(t->ctxhash));
	hg_hasher_update(h, &t->e->recs[sr->rec].rawhash, sizeof(uint64_t));
	if (p)
		hg_hasher_update(h, p, strlen(p));
	free(p);
	p = json_dumps(json_object_get(t->sidecars, sr->logical), JSON_SORT_KEYS | JSON_COMPACT);
	if (p)
		hg_hasher_update(h, p, strlen(p));
	free(p);
	hg_cfn_getatt_targets(def, targets);
	json_array_foreach(targets, i, x) {
		struct stack_res *tr = hg_engine_stack_res(t->e, t->stack, json_string_value(x));
		if (tr && tr->rec >= 0)
			hg_hasher_update(h, &t->e->recs[tr->rec].rawhash, sizeof(uint64_t));
	}
	json_decref(targets);
	hg_hash_hex(out, hg_hasher_digest(h));
	hg_hasher_free(h);
}

/* ---- one resource ---- */

static const char *max_severity(const char *a, const char *b)
{
	static const char *const order[] = {"low", "medium", "high", "critical"};
	int ra = -1, rb = -1, i;
	for (i = 0; i < 4; i++) {
		if (a && strcmp(a, order[i]) == 0)
			ra = i;
		if (b && strcmp(b, order[i]) == 0)
			rb = i;
	}
	return rb > ra ? b : a;
}

static void describe(struct tmpl *t, hg_drift_result *x, const char *logical, json_t *def)
{
	struct engine *e = t->e;
	json_t *meta = json_object_get(json_object_get(def, "Metadata"), "hinagata"), *c;
	json_t *top = json_object_get(json_object_get(t->doc, "Metadata"), "hinagata");
	json_t *first = json_array_get(json_object_get(top, "templates"), 0);
	const char *sev = NULL;
	size_t i;

	x->unit = t->unit;
	x->logical_id = keep(e, logical);
	x->type = intern(e, json_string_value(json_object_get(def, "Type")));
	x->template_name = intern(e, json_string_value(json_object_get(meta ? meta : first, "template")));
	x->template_version = intern(e, json_string_value(json_object_get(meta ? meta : first, "version")));
	x->mandatory = json_is_true(json_object_get(meta, "mandatory"));
	x->source_file = t->source;
	x->account = t->account;
	x->region = t->region;
	json_array_foreach(json_object_get(meta, "controls"), i, c) {
		if (!json_is_string(c))
			continue;
		hg_result_note(e->rep->arena, &x->controls, &x->ncontrols, json_string_value(c));
		sev = max_severity(sev, json_string_value(json_object_get(e->severity, json_string_value(c))));
	}
	x->severity = keep(e, sev);
}

static void not_checked(struct engine *e, hg_drift_result *x, const char *why)
{
	x->status = HG_DS_NOT_CHECKED;
	x->reason = keep(e, why);
}

/* The desired properties, resolved, as a jv object; unresolvable ones listed. */
static hg_jv *desired_props(struct tmpl *t, hg_drift_result *x, json_t *def, hg_arena *a)
{
	struct engine *e = t->e;
	json_t *props, *v, *side, *sc;
	hg_jv *out = hg_jv_new(a, HG_JV_OBJ);
	const char *k;
	size_t i, n = 0;
	char path[300];

	side = json_object_get(t->sidecars, x->logical_id);
	/* A copy only when sidecars are merged in; otherwise the template's own. */
	props = json_object_get(def, "Properties");
	props = side ? json_deep_copy(props) : json_incref(props);
	if (!props)
		props = json_object();
	json_array_foreach(side, i, sc) { /* merge sidecars into their parent */
		const char *into = json_string_value(json_object_get(sc, "into")) + 1;
		json_t *arr = json_object_get(props, into);
		if (!json_is_array(arr)) {
			arr = json_array();
			json_object_set_new(props, into, arr);
		}
		json_array_append(arr, json_object_get(sc, "props"));
	}
	out->u.members = HG_ANEWN(a, hg_jv_member, json_object_size(props) + 1);
	json_object_foreach(props, k, v) {
		json_t *r;
		snprintf(path, sizeof(path), "/%s", k);
		if (hg_canon_write_only(e->canon, x->type, path)) {
			char *m = hg_note_text(a, path,
			        HG_BI("write-only, never returned by reads",
			                "書き込み専用で、読み取りでは返されません"));
			hg_result_note(e->rep->arena, &x->not_checked, &x->nnot_checked, m);
			continue;
		}
		free(t->ctx.why);
		t->ctx.why = NULL;
		r = hg_cfn_resolve(&t->ctx, v);
		if (!r) {
			char *m = hg_note_text(a, path, t->ctx.why ? t->ctx.why : "unresolvable");
			hg_result_note(e->rep->arena, &x->not_checked, &x->nnot_checked, m);
			continue;
		}
		if (!hg_cfn_is_novalue(&t->ctx, r)) {
			out->u.members[n].key = hg_arena_strdup(a, k);
			out->u.members[n].klen = strlen(k);
			out->u.members[n].val = hg_jv_from_json(a, r);
			n++;
		}
		json_decref(r);
	}
	out->n = n;
	json_decref(props);
	return out;
}

/* A cached verdict: the hash, then each fold after a tab. */
static json_t *verdict_value(const hg_drift_result *x)
{
	hg_buf b = HG_BUF_INIT;
	json_t *v;
	size_t k;

	hg_buf_puts(&b, x->expected_hash);
	for (k = 0; k < x->nfolds; k++)
		hg_buf_printf(&b, "\t%s", x->folds[k]);
	v = json_stringn(b.ptr, b.size);
	hg_buf_dispose(&b);
	return v;
}

/* The folds of a cached verdict ("\tfold\tfold"), back into x. */
static void restore_folds(struct engine *e, hg_drift_result *x, const char *s)
{
	while (*s == '\t' || *s == '\x1e') {
		const char *end = s + 1 + strcspn(s + 1, "\t\x1e");
		char *f = hg_arena_strndup(e->rep->arena, s + 1, (size_t)(end - s - 1));
		hg_result_note(e->rep->arena, &x->folds, &x->nfolds, f);
		s = end;
	}
}

static void compare_one_in(struct tmpl *t, const char *logical, json_t *def);

/*
 * The cache line of an in-sync result: "logical<TAB>meta<TAB>hash", where
 * meta indexes the template's distinct "type, template, version,
 * mandatory, controls, severity, folds" (most resources share a few).
 */
static void blob_line(struct tmpl *t, const hg_drift_result *x)
{
	hg_buf m = HG_BUF_INIT;
	json_t *idx;
	size_t k;

	hg_buf_printf(&m, "%s\t%s\t%s\t%d\t", x->type, x->template_name ? x->template_name : "",
	        x->template_version ? x->template_version : "", x->mandatory);
	for (k = 0; k < x->ncontrols; k++)
		hg_buf_printf(&m, "%s%s", k ? " " : "", x->controls[k]);
	hg_buf_printf(&m, "\t%s\t", x->severity ? x->severity : "");
	for (k = 0; k < x->nfolds; k++)
		hg_buf_printf(&m, "%s%s", k ? "\x1e" : "", x->folds[k]);
	idx = json_object_get(t->meta_index, m.ptr);
	if (!idx) {
		idx = json_integer((json_int_t)json_array_size(t->metas));
		json_object_set_new(t->meta_index, m.ptr, idx);
		json_array_append_new(t->metas, json_stringn(m.ptr, m.size));
	}
	hg_buf_printf(&t->blob, "%s\t%" JSON_INTEGER_FORMAT "\t%s\n", x->logical_id,
	        json_integer_value(idx), x->expected_hash);
	hg_buf_dispose(&m);
}

/*
 * Compare one resource with its strings in the scratch arena; keep the
 * result (copied into the report's arena) unless it is in sync with nothing
 * to say and the report does not list such resources.
 */
static void compare_one(struct tmpl *t, const char *logical, json_t *def)
{
	struct engine *e = t->e;
	hg_arena *report = e->rep->arena;
	size_t n0 = e->rep->n;
	hg_drift_result *x;

	hg_arena_reset(e->scratch);
	e->rep->arena = e->scratch;
	compare_one_in(t, logical, def);
	e->rep->arena = report;
	if (e->rep->n == n0)
		return; /* not expected (condition false) */
	x = &e->rep->results[e->rep->n - 1];
	if (x->status == HG_DS_IN_SYNC && !x->nnot_checked && !x->reason)
		blob_line(t, x);
	else
		t->not_all_sync = true;
	if (!e->o->keep_in_sync && x->status == HG_DS_IN_SYNC && !x->nnot_checked && !x->reason) {
		e->rep->n--;
		e->dropped++;
		return;
	}
	hg_result_copy(report, x);
}

static void compare_one_in(struct tmpl *t, const char *logical, json_t *def)
{
	struct engine *e = t->e;
	hg_drift_result *x = hg_engine_result(e);
	json_t *cond = json_object_get(def, "Condition"), *locked, *hit;
	struct stack_res *sr;
	const hg_jv *deployed;
	hg_jv *desired;
	hg_arena *a;
	hg_compare cmp;
	const char **lk;
	char key[17];
	size_t i;

	describe(t, x, logical, def);
	if (json_is_string(cond)) {
		int c = hg_cfn_condition(&t->ctx, json_string_value(cond));
		if (c == 0) { /* not deployed by design */
			e->rep->n--;
			return;
		}
		if (c < 0) {
			not_checked(e, x, t->ctx.why ? t->ctx.why : "condition cannot be decided");
			return;
		}
	}
	if (!t->stack) {
		not_checked(e, x, HG_BI("no stack in the exports has this template's resources",
		                          "このテンプレートのリソースを持つスタックがエクスポートにありません"));
		return;
	}
	sr = hg_engine_stack_res(t->e, t->stack, logical);
	if (!sr) {
		if (t->stack->have_resources) {
			x->status = HG_DS_DELETED;
			x->reason = keep(e, HG_BI("not in the stack", "スタックにありません"));
		} else
			not_checked(e, x, HG_BI("no describe-stack-resources export for the stack",
			                          "スタックの describe-stack-resources のエクスポートがありません"));
		return;
	}
	x->physical_id = keep(e, sr->physical);
	if (hg_canon_sidecar(e->canon, x->type)) {
		x->status = HG_DS_IN_SYNC;
		x->reason = keep(e, HG_BI("compared as part of its parent", "親リソースの一部として比較"));
		return;
	}
	if (sr->rec < 0) {
		if (json_object_get(e->listed, x->type)) {
			x->status = HG_DS_DELETED;
			x->reason = keep(e, HG_BI("the cloudcontrol export has no such resource",
			                          "cloudcontrol のエクスポートにこのリソースがありません"));
		} else {
			char *why = hg_arena_printf(e->a,
			        "no aws cloudcontrol export of %s\x1f%s の aws cloudcontrol エクスポートがありません",
			        x->type, x->type);
			not_checked(e, x, why);
		}
		return;
	}
	key[0] = '\0';
	if (e->o->cache_file)
		verdict_key(t, def, sr, key);
	hit = key[0] ? json_object_get(e->cache, key) : NULL;
	if (hit && json_is_string(hit) && json_string_length(hit) >= 16) {
		x->status = HG_DS_IN_SYNC;
		memcpy(x->expected_hash, json_string_value(hit), 16);
		memcpy(x->actual_hash, json_string_value(hit), 16);
		restore_folds(e, x, json_string_value(hit) + 16);
		json_object_set(t->verdicts, key, hit);
		e->rep->cache_hits++;
		return;
	}
	a = e->work; /* reset for every resource */
	hg_arena_reset(a);
	deployed = hg_engine_record(e, sr->rec, a);
	if (!deployed) {
		not_checked(e, x, HG_BI("the record cannot be read back", "レコードを読み直せません"));
		return;
	}
	desired = desired_props(t, x, def, a);
	locked = json_object_get(json_object_get(json_object_get(def, "Metadata"), "hinagata"), "locked");
	lk = hg_arena_alloc(a, sizeof(char *) * (json_array_size(locked) + 1));
	for (i = 0; i < json_array_size(locked); i++)
		lk[i] = json_string_value(json_array_get(locked, i));
	memset(&cmp, 0, sizeof(cmp));
	cmp.canon = e->canon;
	cmp.tmp = a;
	cmp.keep = e->rep->arena;
	cmp.type = x->type;
	cmp.locked = lk;
	cmp.nlocked = json_array_size(locked);
	hg_compare_resource(&cmp, x, desired, deployed);
	if (key[0] && x->status == HG_DS_IN_SYNC && !x->nnot_checked)
		json_object_set_new(t->verdicts, key, verdict_value(x));
}

/* Sidecars (ingress rules, ...) of each parent, by the parent's logical ID. */
static void collect_sidecars(struct tmpl *t)
{
	json_t *res = json_object_get(t->doc, "Resources"), *def;
	const char *k;

	t->sidecars = json_object();
	json_object_foreach(res, k, def) {
		const hg_sidecar *sc = hg_canon_sidecar(t->e->canon,
		        json_string_value(json_object_get(def, "Type")) ? json_string_value(json_object_get(def, "Type")) : "");
		json_t *props = json_object_get(def, "Properties"), *parent, *copy, *list, *entry;
		const char *pl = NULL;
		size_t i;
		if (!sc || !props)
			continue;
		parent = json_object_get(props, sc->parent);
		if (json_is_string(json_object_get(parent, "Ref")))
			pl = json_string_value(json_object_get(parent, "Ref"));
		else if (json_is_array(json_object_get(parent, "Fn::GetAtt")))
			pl = json_string_value(json_array_get(json_object_get(parent, "Fn::GetAtt"), 0));
		if (!pl)
			continue;
		copy = json_deep_copy(props);
		for (i = 0; i < sc->ndrop; i++)
			json_object_del(copy, sc->drop[i]);
		list = json_object_get(t->sidecars, pl);
		if (!list) {
			list = json_array();
			json_object_set_new(t->sidecars, pl, list);
		}
		entry = json_pack("{s:s, s:o}", "into", sc->into, "props", copy);
		json_array_append_new(list, entry);
	}
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The verdict of a whole template: everything it read (its compiled bytes,
 * its stack's context, the bytes of every record of the stack) hashed.
 */
static void template_key(struct engine *e, const struct stack *s, uint64_t thash, char out[17])
{
	hg_hasher *h = hg_hasher_new();
	uint64_t ctx = context_hash(s), none = 0;
	size_t i;

	hg_hasher_update(h, &thash, sizeof(thash));
	hg_hasher_update(h, &ctx, sizeof(ctx));
	for (i = 0; i < s->nres; i++)
		hg_hasher_update(h, s->res[i].rec >= 0 ? &e->recs[s->res[i].rec].rawhash : &none,
		        sizeof(uint64_t));
	hg_hash_hex(out, hg_hasher_digest(h));
	hg_hasher_free(h);
}

static struct stack *stack_named(struct engine *e, const char *name)
{
	size_t i;
	for (i = 0; name && i < e->nstacks; i++)
		if (strcmp(e->stacks[i].name, name) == 0 && !e->stacks[i].used)
			return &e->stacks[i];
	return NULL;
}

/* Split s at the next sep (in place); the part, or "" at the end. */
static char *cut(char **s, char sep)
{
	char *start = *s, *e = strchr(start, sep);
	if (e) {
		*e = '\0';
		*s = e + 1;
	} else
		*s = start + strlen(start);
	return start;
}

/* A template whose every input is unchanged since a run where it was in sync. */
static bool from_cache(struct engine *e, const char *display, uint64_t thash, const char *named)
{
	char hex[17], key[17];
	json_t *ent, *metas;
	struct stack *s;
	char *blob, *p;

	hg_hash_hex(hex, thash);
	ent = json_object_get(e->tcache, hex);
	s = stack_named(e, json_string_value(json_object_get(ent, "stack")));
	if (!s || !json_is_string(json_object_get(ent, "results")) || (named && strcmp(named, s->name) != 0))
		return false;
	template_key(e, s, thash, key);
	if (!json_is_string(json_object_get(ent, "key")) ||
	        strcmp(key, json_string_value(json_object_get(ent, "key"))) != 0)
		return false;
	s->used = true;
	json_object_set(e->tcache_new, hex, ent);
	if (!e->o->keep_in_sync) { /* in sync: counted, not listed */
		const char *r = json_string_value(json_object_get(ent, "results"));
		for (; (r = strchr(r, '\n')) != NULL; r++) {
			e->dropped++;
			e->rep->cache_hits++;
		}
		return true;
	}
	metas = json_object_get(ent, "meta");
	blob = hg_xstrdup(json_string_value(json_object_get(ent, "results")));
	for (p = blob; *p;) {
		char *f = cut(&p, '\n'), *logical = cut(&f, '\t');
		const char *mtext = json_string_value(json_array_get(metas, (size_t)atol(cut(&f, '\t'))));
		char *hash = cut(&f, '\t'), *meta = hg_xstrdup(mtext ? mtext : ""), *m = meta, *ctl, *sev;
		hg_drift_result *x = hg_engine_result(e);
		struct stack_res *sr;

		x->unit = hg_arena_strdup(e->rep->arena, s->name);
		x->logical_id = hg_arena_strdup(e->rep->arena, logical);
		x->type = intern(e, cut(&m, '\t'));
		x->template_name = intern(e, cut(&m, '\t'));
		x->template_version = intern(e, cut(&m, '\t'));
		x->mandatory = strcmp(cut(&m, '\t'), "1") == 0;
		ctl = cut(&m, '\t');
		while (*ctl)
			hg_result_note(e->rep->arena, &x->controls, &x->ncontrols, cut(&ctl, ' '));
		sev = cut(&m, '\t');
		x->severity = *sev ? intern(e, sev) : NULL;
		while (*m)
			hg_result_note(e->rep->arena, &x->folds, &x->nfolds, cut(&m, '\x1e'));
		if (x->template_name && !*x->template_name)
			x->template_name = NULL;
		if (x->template_version && !*x->template_version)
			x->template_version = NULL;
		snprintf(x->expected_hash, sizeof(x->expected_hash), "%.16s", hash);
		memcpy(x->actual_hash, x->expected_hash, sizeof(x->actual_hash));
		x->status = HG_DS_IN_SYNC;
		x->source_file = hg_arena_strdup(e->rep->arena, display);
		x->account = intern(e, s->account);
		x->region = intern(e, s->region);
		sr = hg_engine_stack_res(e, s, x->logical_id);
		x->physical_id = sr ? hg_arena_strdup(e->rep->arena, sr->physical) : NULL;
		e->rep->cache_hits++;
		free(meta);
	}
	free(blob);
	return true;
}

/* Remember a template all of whose resources were in sync. */
static void to_cache(struct engine *e, const struct tmpl *t, uint64_t thash)
{
	char hex[17], key[17];

	if (t->not_all_sync)
		return;
	hg_hash_hex(hex, thash);
	template_key(e, t->stack, thash, key);
	json_object_set_new(e->tcache_new, hex,
	        json_pack("{s:s, s:s, s:s%, s:O}", "stack", t->stack->name, "key", key, "results",
	                t->blob.ptr, t->blob.size, "meta", t->metas));
}

int hg_engine_template(struct engine *e, const char *path)
{
	const char *eq, *named = NULL;
	struct tmpl t;
	json_t *res, *def;
	const char *k, **keys, *file;
	size_t n = 0, i;
	hg_buf json = HG_BUF_INIT;
	uint64_t thash;
	int rc;

	memset(&t, 0, sizeof(t));
	t.e = e;
	if ((eq = strrchr(path, '=')) != NULL) { /* PATH=STACK names the stack */
		named = eq + 1;
		path = hg_arena_strndup(e->a, path, (size_t)(eq - path));
	}
	rc = load_desired(e, path, &json, &t.display, &file);
	if (rc < 0) {
		hg_buf_dispose(&json);
		return rc;
	}
	thash = hg_hash64(json.ptr, json.size);
	if (e->o->cache_file && from_cache(e, t.display, thash, named)) {
		hg_buf_dispose(&json);
		return 0;
	}
	rc = parse_desired(e, &json, file, &t.doc);
	hg_buf_dispose(&json);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		rc = hg_engine_arm(e, t.doc, t.display);
		json_decref(t.doc);
		return rc;
	}
	res = json_object_get(t.doc, "Resources");
	t.stack = match_stack(e, t.doc, path, named);
	t.verdicts = json_object();
	hg_buf_init(&t.blob);
	t.metas = json_array();
	t.meta_index = json_object();
	hg_cfn_ctx_init(&t.ctx, t.doc);
	t.ctx.physical = physical;
	t.ctx.attribute = attribute;
	t.ctx.payload = &t;
	if (t.stack) {
		t.ctx.params = t.stack->have_params ? t.stack->params : NULL;
		t.ctx.account = t.stack->account;
		t.ctx.region = t.stack->region;
		t.ctx.partition = t.stack->partition;
		t.ctx.stack_name = t.stack->name;
		t.ctx.stack_id = t.stack->id;
		t.ctxhash = context_hash(t.stack);
	}
	collect_sidecars(&t);
	t.unit = keep(e, t.stack ? t.stack->name : t.display);
	t.source = keep(e, t.display);
	t.account = t.stack ? intern(e, t.stack->account) : NULL;
	t.region = t.stack ? intern(e, t.stack->region) : NULL;
	keys = hg_xcalloc(json_object_size(res) + 1, sizeof(char *));
	json_object_foreach(res, k, def)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 0; i < n; i++)
		compare_one(&t, keys[i], json_object_get(res, keys[i]));
	free(keys);
	if (e->o->cache_file && t.stack && !e->failed) {
		size_t before = json_object_size(e->tcache_new);
		to_cache(e, &t, thash);
		if (json_object_size(e->tcache_new) == before) /* not all in sync: keep resource verdicts */
			json_object_update(e->cache_new, t.verdicts);
	}
	json_decref(t.verdicts);
	hg_buf_dispose(&t.blob);
	json_decref(t.metas);
	json_decref(t.meta_index);
	hg_cfn_ctx_dispose(&t.ctx);
	json_decref(t.sidecars);
	json_decref(t.doc);
	return 0;
}

/* ---- the verdict cache ---- */

void hg_cache_load(struct engine *e)
{
	hg_buf text = HG_BUF_INIT;
	size_t size;
	json_t *doc = NULL;
	const char *by;
	bool ok;

	/* Read whole, then parsed (jansson's own file reader goes a byte at a time). */
	if (e->o->cache_file && hg_fs_read(&text, e->o->cache_file, 1u << 30, &size) == 0)
		doc = json_loadb(text.ptr, text.size, 0, NULL);
	hg_buf_dispose(&text);
	by = json_string_value(json_object_get(doc, "compiler"));
	ok = by && strcmp(by, hg_compiler_version()) == 0 &&
	     json_integer_value(json_object_get(doc, "version")) == 2;

	e->cache_new = json_object();
	e->tcache_new = json_object();
	e->cache = ok ? json_incref(json_object_get(doc, "verdicts")) : NULL;
	e->tcache = ok ? json_incref(json_object_get(doc, "templates")) : NULL;
	e->cache_read = ok && json_is_object(e->cache) && json_is_object(e->tcache);
	if (!json_is_object(e->cache)) {
		json_decref(e->cache);
		e->cache = json_object();
	}
	if (!json_is_object(e->tcache)) {
		json_decref(e->tcache);
		e->tcache = json_object();
	}
	json_decref(doc);
}

void hg_cache_save(struct engine *e)
{
	json_t *doc;
	char *text;

	if (!e->o->cache_file)
		return;
	/* A nightly rerun over unchanged state reuses every verdict (the very
	 * same values): the file would be written again byte for byte. */
	if (e->cache_read && json_equal(e->cache_new, e->cache) && json_equal(e->tcache_new, e->tcache))
		return;
	doc = json_pack("{s:i, s:s, s:O, s:O}", "version", 2, "compiler", hg_compiler_version(),
	        "verdicts", e->cache_new, "templates", e->tcache_new);
	text = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
	if (text && hg_fs_write_atomic(e->o->cache_file, text, strlen(text)) < 0)
		hg_diag_add(e->d, HG_D_IO_WRITE, NULL, e->o->cache_file, strerror(errno), NULL);
	free(text);
	json_decref(doc);
}
