/*
 * state.c: the deployed state (see state.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. A unit's files are read independently (on as many threads as
 * there are files), each into a partial unit in its own arena; merging
 * them in file order makes the result independent of the scheduling. A
 * file is streamed record by record (export.c finds each record's bytes);
 * a stack record is parsed, but a resource record is only validated and
 * two of its fields read (its type and identifier), its place in the file
 * and the hash of its bytes kept: the bulk of the exports is parsed once,
 * later, and only for the resources a template declares.
 */
#define _GNU_SOURCE
#include "state.h"

#include "deployed.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/hash.h"

#define MAX_STATE_DEPTH 8

/* ---- discovering units ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct walk {
	hg_state_spec *specs;
	size_t n, cap;
	struct {
		dev_t dev;
		ino_t ino;
	} seen[256];
	size_t nseen;
	hg_diags *d;
};

static bool json_name(const char *name)
{
	size_t len = strlen(name);
	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".json") == 0;
}

static hg_state_spec *spec_new(struct walk *w, const char *name)
{
	hg_state_spec *s;
	HG_GROW(w->specs, w->cap, w->n + 1);
	s = &w->specs[w->n++];
	memset(s, 0, sizeof(*s));
	s->name = hg_xstrdup(name);
	return s;
}

/* A directory: a unit of its *.json files, then its subdirectories. */
static int walk_dir(struct walk *w, const char *dir, unsigned depth)
{
	DIR *dh;
	struct dirent *de;
	struct stat st;
	char **files = NULL, **dirs = NULL;
	size_t nf = 0, capf = 0, nd = 0, capd = 0, i;
	int rc = 0;

	if (stat(dir, &st) != 0) {
		hg_diag_add(w->d, HG_D_IO_READ, NULL, dir, strerror(errno), NULL);
		return HG_EIO;
	}
	for (i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st.st_dev && w->seen[i].ino == st.st_ino)
			return 0; /* a link back to a directory already read */
	if (w->nseen < HG_ARRAY_SIZE(w->seen)) {
		w->seen[w->nseen].dev = st.st_dev;
		w->seen[w->nseen++].ino = st.st_ino;
	}
	if (depth > MAX_STATE_DEPTH) {
		hg_diag_add(w->d, HG_D_STATE_EMPTY, NULL, dir,
		        HG_BI("state directories are nested deeper than 8 levels",
		                "状態ディレクトリの入れ子が 8 段を超えています"),
		        NULL);
		return HG_EINVALID;
	}
	dh = opendir(dir);
	if (!dh) {
		hg_diag_add(w->d, HG_D_IO_READ, NULL, dir, strerror(errno), NULL);
		return HG_EIO;
	}
	while ((de = readdir(dh)) != NULL) {
		hg_buf p = HG_BUF_INIT;
		if (de->d_name[0] == '.')
			continue;
		hg_buf_printf(&p, "%s/%s", dir, de->d_name);
		if (json_name(de->d_name) && hg_fs_is_file(p.ptr) == 1) {
			HG_GROW(files, capf, nf + 1);
			files[nf++] = hg_buf_detach(&p);
		} else if (json_name(de->d_name) && hg_fs_is_dir(p.ptr) != 1) {
			/* an export that is a FIFO, a device, a dangling link: not read, so said
			 * (stat, never open: opening a FIFO blocks) */
			struct stat fst;
			int e = stat(p.ptr, &fst) < 0 ? errno : 0;
			hg_fs_diag(w->d, NULL, p.ptr, p.ptr, e ? HG_EIO : HG_ENOTREG, e, 0);
			hg_buf_dispose(&p);
			rc = HG_EIO;
		} else if (hg_fs_is_dir(p.ptr) == 1) {
			HG_GROW(dirs, capd, nd + 1);
			dirs[nd++] = hg_buf_detach(&p);
		} else
			hg_buf_dispose(&p);
	}
	closedir(dh);
	if (nf) {
		hg_state_spec *s = spec_new(w, dir);
		qsort(files, nf, sizeof(*files), cmp_str);
		s->paths = files;
		s->npaths = nf;
		files = NULL;
	}
	if (nd)
		qsort(dirs, nd, sizeof(*dirs), cmp_str);
	for (i = 0; i < nd; i++) {
		if (rc == 0)
			rc = walk_dir(w, dirs[i], depth + 1);
		free(dirs[i]);
	}
	free(dirs);
	free(files);
	return rc;
}

int hg_state_specs(hg_state_spec **out, size_t *n, const char *const *states, size_t nstates,
        bool may_be_empty, hg_diags *d)
{
	struct walk w;
	size_t i, k;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	w.d = d;
	for (i = 0; i < nstates && rc == 0; i++) {
		const char *p = states[i];
		size_t before = w.n;
		if (hg_fs_is_dir(p) == 1) {
			rc = walk_dir(&w, p, 0);
			if (rc == 0 && w.n == before && !may_be_empty) {
				hg_diag_add(d, HG_D_STATE_EMPTY, NULL, p,
				        HG_BI("no export (*.json) in it: expected describe-stacks-*.json, "
				              "describe-stack-resources-*.json, get-*.json and list-*.json "
				              "(hinagata-collect-aws), or az-*.json (hinagata-collect-azure)",
				                "エクスポート (*.json) がありません: describe-stacks-*.json、"
				                "describe-stack-resources-*.json、get-*.json、list-*.json "
				                "(hinagata-collect-aws) か az-*.json (hinagata-collect-azure) "
				                "が必要です"),
				        NULL);
				rc = HG_EINVALID;
			}
		} else if (hg_fs_is_file(p) == 1) {
			/* A file joins the unit of its directory (given as files). */
			const char *slash = strrchr(p, '/');
			hg_buf dir = HG_BUF_INIT;
			hg_state_spec *s = NULL;
			if (slash)
				hg_buf_put(&dir, p, (size_t)(slash - p));
			else
				hg_buf_puts(&dir, ".");
			for (k = 0; k < w.n; k++)
				if (w.specs[k].loose && strcmp(w.specs[k].name, dir.ptr) == 0)
					s = &w.specs[k];
			if (!s) {
				s = spec_new(&w, dir.ptr);
				s->loose = true;
			}
			s->paths = hg_xrealloc(s->paths, (s->npaths + 1) * sizeof(char *));
			s->paths[s->npaths++] = hg_xstrdup(p);
			hg_buf_dispose(&dir);
		} else {
			hg_diag_add(d, errno == ENOENT ? HG_D_IO_READ : HG_D_STATE_EMPTY, NULL, p,
			        errno == ENOENT ? strerror(errno)
			                        : HG_BI("neither a directory nor a regular file",
			                                  "ディレクトリでも通常のファイルでもありません"),
			        NULL);
			rc = errno == ENOENT ? HG_EIO : HG_EINVALID;
		}
	}
	if (rc < 0) {
		hg_state_specs_free(w.specs, w.n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	*out = w.specs;
	*n = w.n;
	return 0;
}

void hg_state_specs_free(hg_state_spec *specs, size_t n)
{
	size_t i, k;
	for (i = 0; i < n; i++) {
		for (k = 0; k < specs[i].npaths; k++)
			free(specs[i].paths[k]);
		free(specs[i].paths);
		free(specs[i].name);
	}
	free(specs);
}

/* ---- reading one file ---- */

/* A malformed record: the diagnostic points into it (off bytes from its start). */
static int record_error(struct hg_state_file *f, const hg_export_item *it, size_t off,
        const hg_jv_error *err, const char *what)
{
	hg_span sp;

	memset(&sp, 0, sizeof(sp));
	sp.file = it->span.file ? it->span.file : f->display;
	sp.line = it->span.line;
	sp.col = it->span.col;
	hg_span_advance(&sp, it->raw, off < it->len ? off : it->len);
	if (err && err->truncated)
		hg_diag_add(f->d, HG_D_EXPORT_TRUNCATED, &sp, HG_BI("a record", "レコード"), NULL);
	else
		hg_diag_add(f->d, HG_D_EXPORT_SYNTAX, &sp, what ? what : err->what, NULL);
	f->failed = HG_EINVALID;
	return HG_EINVALID;
}

/* A JSON string's text (the bytes with their quotes), unescaped into a; NULL if not a string. */
static const char *str_value(hg_arena *a, const char *v, size_t n)
{
	hg_jv *j = NULL;

	if (!v || n < 2 || v[0] != '"')
		return NULL;
	if (!memchr(v, '\\', n))
		return hg_arena_strndup(a, v + 1, n - 2);
	if (hg_jv_parse(&j, a, v, n, 4, NULL) < 0 || j->kind != HG_JV_STR)
		return NULL;
	return j->u.s;
}

static hg_stack *stack_get(hg_unit *u, const char *name)
{
	size_t i;
	hg_stack *s;

	for (i = u->nstacks; i-- > 0;) /* the most recent first: records come grouped */
		if (strcmp(u->stacks[i].name, name) == 0)
			return &u->stacks[i];
	HG_AGROW(u->a, u->stacks, u->capstacks, u->nstacks + 1);
	s = &u->stacks[u->nstacks++];
	memset(s, 0, sizeof(*s));
	s->name = hg_arena_strdup(u->a, name);
	s->params = hg_jv_new(u->a, HG_JV_OBJ);
	s->claimed = -1;
	return s;
}

static void obj_put(hg_arena *a, hg_jv *o, const char *key, hg_jv *val)
{
	hg_jv_member *m = HG_ANEWN(a, hg_jv_member, o->n + 1);
	if (o->n)
		memcpy(m, o->u.members, sizeof(*m) * o->n);
	m[o->n].key = hg_arena_strdup(a, key);
	m[o->n].klen = strlen(key);
	m[o->n].val = val;
	o->u.members = m;
	o->n++;
}

/* One describe-stacks record: its parameters and ARN. */
static int on_stack(struct hg_state_file *f, const hg_export_item *it)
{
	hg_unit *u = &f->part;
	hg_jv *r = NULL, *ps;
	hg_jv_error err;
	const char *name, *id;
	hg_stack *s;
	size_t i;

	if (hg_jv_parse(&r, f->tmp, it->raw, it->len, 512, &err) < 0)
		return record_error(f, it, err.offset, &err, NULL);
	name = hg_jv_str(hg_jv_get(r, "StackName"));
	id = hg_jv_str(hg_jv_get(r, "StackId"));
	if (!name)
		return 0;
	s = stack_get(u, name);
	s->have_params = true;
	if (id && !s->id)
		s->id = hg_arena_strdup(u->a, id);
	ps = hg_jv_get(r, "Parameters");
	for (i = 0; ps && ps->kind == HG_JV_ARR && i < ps->n; i++) {
		const char *k = hg_jv_str(hg_jv_get(ps->u.items[i], "ParameterKey"));
		const char *v = hg_jv_str(hg_jv_get(ps->u.items[i], "ResolvedValue"));
		if (!v)
			v = hg_jv_str(hg_jv_get(ps->u.items[i], "ParameterValue"));
		if (k && v)
			obj_put(u->a, s->params, k, hg_jv_string(u->a, v, strlen(v)));
	}
	return 0;
}

/* One describe-stack-resources record, read field by field (no tree). */
static int on_stack_resource(struct hg_state_file *f, const hg_export_item *it)
{
	hg_unit *u = &f->part;
	const char *v[HG_SR_NFIELDS] = {0};
	size_t n[HG_SR_NFIELDS] = {0};
	const char *name, *logical, *type;
	hg_jv_error err;
	hg_stack *s;
	hg_stack_res *sr;

	if (it->checked) { /* the reader checked it, and found its fields */
		memcpy(v, it->field, sizeof(v));
		memcpy(n, it->flen, sizeof(n));
	} else if (hg_jv_validate(it->raw, it->len, 512, &err, hg_export_stack_res_fields,
	                   HG_SR_NFIELDS, v, n) < 0)
		return record_error(f, it, err.offset, &err, NULL);
	if (v[HG_SR_STATUS] && n[HG_SR_STATUS] == 17 &&
	        memcmp(v[HG_SR_STATUS], "\"DELETE_COMPLETE\"", 17) == 0)
		return 0;
	name = str_value(f->tmp, v[HG_SR_STACK_NAME], n[HG_SR_STACK_NAME]);
	logical = str_value(u->a, v[HG_SR_LOGICAL_ID], n[HG_SR_LOGICAL_ID]);
	type = str_value(f->tmp, v[HG_SR_TYPE], n[HG_SR_TYPE]);
	if (!name || !logical || !type)
		return 0;
	s = stack_get(u, name);
	s->have_resources = true;
	if (!s->id && v[HG_SR_STACK_ID])
		s->id = str_value(u->a, v[HG_SR_STACK_ID], n[HG_SR_STACK_ID]);
	HG_GROW(s->res, s->capres, s->nres + 1); /* malloc'd: grown in place, not copied */
	sr = &s->res[s->nres++];
	sr->logical = logical;
	sr->type = hg_arena_intern(u->a, type, strlen(type));
	sr->physical = v[HG_SR_PHYSICAL_ID]
	                       ? str_value(u->a, v[HG_SR_PHYSICAL_ID], n[HG_SR_PHYSICAL_ID])
	                       : NULL;
	sr->rec = -1;
	return 0;
}

static void rec_add(hg_unit *u, const hg_export_item *it, const char *type, const char *identity,
        unsigned flags)
{
	hg_rec *r;
	HG_GROW(u->recs, u->caprecs, u->nrecs + 1);
	r = &u->recs[u->nrecs++];
	r->type = hg_arena_intern(u->a, type, strlen(type));
	r->identity = identity;
	r->file = 0;
	r->line = it->span.line;
	r->col = it->span.col;
	r->offset = it->offset;
	r->len = it->len;
	r->rawhash = hg_hash64(it->raw, it->len);
	r->flags = flags;
	{ /* where the Properties string is, when the reader saw it */
		bool noted = it->props_len >= 2 && it->props_len <= UINT32_MAX &&
		             it->props_at <= it->len - it->props_len;
		r->props_at = noted ? (uint32_t)it->props_at : 0;
		r->props_len = noted ? (uint32_t)it->props_len : 0;
	}
}

static void listed_add(hg_unit *u, const char *type)
{
	size_t i;
	for (i = 0; i < u->nlisted; i++)
		if (strcmp(u->listed[i], type) == 0)
			return;
	HG_AGROW(u->a, u->listed, u->caplisted, u->nlisted + 1);
	u->listed[u->nlisted++] = hg_arena_intern(u->a, type, strlen(type));
}

/* The end of the string whose opening quote is at p (just past its closing quote), or end. */
static const char *skip_str(const char *p, const char *end)
{
	const char *q = p + 1;
	for (;;) {
		const char *b;
		q = q < end ? memchr(q, '"', (size_t)(end - q)) : NULL;
		if (!q)
			return end;
		for (b = q; b > p + 1 && b[-1] == '\\';)
			b--;
		if ((q - b) % 2 == 0)
			return q + 1;
		q++;
	}
}

/* The end of the value at p (the export reader has checked that brackets balance). */
static const char *skip_val(const char *p, const char *end)
{
	int depth = 0;
	while (p < end) {
		char ch = *p;
		if (ch == '"') {
			p = skip_str(p, end);
			if (depth == 0)
				return p;
			continue;
		}
		if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']') {
			if (depth == 0)
				return p;
			if (--depth == 0)
				return p + 1;
		} else if (ch == ',' && depth == 0)
			return p;
		p++;
	}
	return end;
}

/*
 * The text of the values of top-level members keys[i] of a record (vals[i],
 * vlens[i]; NULL when absent), found without parsing the rest: a
 * cloudcontrol record is mostly its Properties string, which is parsed
 * later, and only for the resources a template declares.
 */
static void top_fields(const char *raw, size_t len, const char *const *keys, size_t nkeys,
        const char **vals, size_t *vlens)
{
	const char *p = raw, *end = raw + len, *k;
	size_t i, found = 0;

	while (p < end && *p != '{')
		p++;
	for (p++; p < end;) {
		while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ','))
			p++;
		if (p >= end || *p != '"')
			return;
		k = p + 1;
		p = skip_str(p, end);
		while (p < end && *p != ':')
			p++;
		for (p++; p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t');)
			p++;
		for (i = 0; i < nkeys; i++)
			if (!vals[i] && (size_t)(p - k) > strlen(keys[i]) &&
			        memcmp(k, keys[i], strlen(keys[i])) == 0 && k[strlen(keys[i])] == '"') {
				vals[i] = p;
				vlens[i] = (size_t)(skip_val(p, end) - p);
				found++;
			}
		if (found == nkeys)
			return; /* the rest (the Properties string, mostly) is not looked at here */
		p = skip_val(p, end);
	}
}

/*
 * One cloudcontrol record: its identifier kept with its place. The bytes
 * are checked when the record is parsed (when its resource is compared,
 * or found unmanaged); the export reader has checked its structure.
 */
static int on_cc(struct hg_state_file *f, const hg_export_item *it)
{
	static const char *const keys[] = {"Identifier", "TypeName"};
	hg_unit *u = &f->part;
	const char *v[2] = {0};
	size_t n[2] = {0};
	const char *type = it->type_name, *id;

	if (!it->raw) { /* the end of a listing: its type is listed, records or none */
		listed_add(u, type);
		return 0;
	}
	top_fields(it->raw, it->len, keys, type ? 1 : 2, v, n); /* a listing names its type */
	if (!type)
		type = str_value(f->tmp, v[1], n[1]);
	id = str_value(u->a, v[0], n[0]);
	if (!type || !id)
		return record_error(f, it, 0, NULL,
		        HG_BI("a cloudcontrol record without TypeName or Identifier",
		                "TypeName か Identifier のない cloudcontrol のレコードです"));
	if (it->shape == HG_EXP_CC_LIST)
		listed_add(u, type);
	rec_add(u, it, type, id, it->shape == HG_EXP_CC_GET ? HG_REC_GET : 0);
	return 0;
}

static char *lower_dup(hg_arena *a, const char *s, size_t n)
{
	char *r = hg_arena_strndup(a, s, n), *p;
	for (p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

/* "/subscriptions/S/resourceGroups/R/..." -> S and R (arena, or NULL). */
static void scope_of(hg_arena *a, const char *id, const char **sub, const char **rg)
{
	const char *p, *q;

	*sub = *rg = NULL;
	if (strncasecmp(id, "/subscriptions/", 15) != 0)
		return;
	p = strchr(id + 15, '/');
	*sub = p ? hg_arena_strndup(a, id + 15, (size_t)(p - id - 15)) : hg_arena_strdup(a, id + 15);
	if (p && strncasecmp(p, "/resourceGroups/", 16) == 0) {
		q = strchr(p + 16, '/');
		*rg = q ? hg_arena_strndup(a, p + 16, (size_t)(q - p - 16)) : hg_arena_strdup(a, p + 16);
	}
}

/* Is s (any case) among list (lower case), or does it start with one of them when prefix? */
static bool listed_in(const char *const *list, size_t n, const char *s, bool prefix)
{
	size_t i, len = strlen(s), k;
	for (i = 0; i < n; i++) {
		k = strlen(list[i]);
		if ((prefix ? k <= len : k == len) && strncasecmp(list[i], s, k) == 0)
			return true;
	}
	return false;
}

/*
 * The length of the scope of a lower-case resource ID: what comes before
 * its last "/providers/" (a resource group, a subscription, or the
 * resource an extension resource is on); a resource group's scope is its
 * subscription.
 */
static size_t scope_len(const char *id)
{
	const char *p = NULL, *q = id, *rg;
	while ((q = strstr(q, "/providers/")) != NULL)
		p = q++;
	if (p)
		return (size_t)(p - id);
	rg = strstr(id, "/resourcegroups/");
	return rg ? (size_t)(rg - id) : strlen(id);
}

/* Remember what a listing covered (see hg_unit.scopes), once. */
static void scope_add(hg_unit *u, const char *entry)
{
	size_t i;
	for (i = u->nscopes; i-- > 0 && i + 8 >= u->nscopes;)
		if (strcmp(u->scopes[i], entry) == 0)
			return;
	HG_AGROW(u->a, u->scopes, u->capscopes, u->nscopes + 1);
	u->scopes[u->nscopes++] = hg_arena_strdup(u->a, entry);
}

bool hg_unit_covers(const hg_unit *u, const char *identity, const char *type)
{
	size_t i, sl = scope_len(identity), tl = strlen(type);
	/* az resource list prints the top-level resources of a group, not extension or proxy ones */
	bool listed = strchr(type, '/') == strrchr(type, '/') &&
	              !(u->az && listed_in(u->az->unlisted, u->az->nunlisted, type, true));

	for (i = 0; i < u->nscopes; i++) {
		const char *e = u->scopes[i], *t = strchr(e, '\x1f');
		size_t el = t ? (size_t)(t - e) : strlen(e);
		if (!t) {
			if (listed && el == sl && strncmp(e, identity, sl) == 0)
				return true;
			continue;
		}
		t++;
		if (strncasecmp(t, type, tl) != 0 || (t[tl] != '\0' && t[tl] != '\x1f'))
			continue;
		if (el == sl && strncmp(e, identity, sl) == 0)
			return true;
		if (t[tl] == '\x1f' && el < sl && strncmp(e, identity, el) == 0 && identity[el] == '/')
			return true;
	}
	return false;
}

/* One az record: resources by lower-case ID; deployments as the unit's stacks. */
static int on_az(struct hg_state_file *f, const hg_export_item *it)
{
	hg_unit *u = &f->part;
	hg_jv *r = NULL;
	hg_jv_error err;
	const char *id, *type, *sub, *rg, *key;
	const hg_jv *props;
	bool listing = it->shape == HG_EXP_AZ_LIST || it->shape == HG_EXP_AZ_VALUE, flat;

	if (hg_jv_parse(&r, f->tmp, it->raw, it->len, 512, &err) < 0)
		return record_error(f, it, err.offset, &err, NULL);
	id = hg_jv_str(hg_jv_get(r, "id"));
	type = hg_jv_str(hg_jv_get(r, "type"));
	if (!id || !type)
		return 0;
	u->azure = true;
	props = hg_jv_get(r, "properties");
	scope_of(f->tmp, id, &sub, &rg);
	if (sub && !u->account)
		u->account = hg_arena_strdup(u->a, sub);
	if (strcasecmp(type, "Microsoft.Resources/deployments") == 0 && props &&
	        props->kind == HG_JV_OBJ && (it->shape == HG_EXP_AZ_DEPLOYMENT || listing)) {
		/* az deployment group|sub show, or one of az deployment group|sub list */
		const hg_jv *ps = hg_jv_get(props, "parameters");
		const char *name = hg_jv_str(hg_jv_get(r, "name"));
		hg_stack *s = stack_get(u, name ? name : "");
		size_t i;
		/* kept as a record too: its templateHash (deployed.h) */
		rec_add(u, it, HG_TYPE_DEPLOYMENT, lower_dup(u->a, id, strlen(id)), HG_REC_AZURE);
		s->have_params = true;
		s->id = hg_arena_strdup(u->a, id);
		s->scope_rg = rg ? hg_arena_strdup(u->a, rg) : NULL;
		for (i = 0; ps && ps->kind == HG_JV_OBJ && i < ps->n; i++) {
			const hg_jv *v = hg_jv_get(ps->u.members[i].val, "value");
			char *k = hg_arena_strndup(u->a, ps->u.members[i].key, ps->u.members[i].klen);
			if (v) {
				hg_buf txt = HG_BUF_INIT;
				hg_jv *copy = NULL;
				hg_jv_canonical(&txt, v); /* copied into the unit's arena */
				if (hg_jv_parse(&copy, u->a, txt.ptr, txt.size, 512, NULL) == 0)
					obj_put(u->a, s->params, k, copy);
				hg_buf_dispose(&txt);
			}
		}
		return 0;
	}
	if (rg && !u->az_rg)
		u->az_rg = hg_arena_strdup(u->a, rg);
	key = lower_dup(u->a, id, strlen(id));
	if (strcasecmp(type, "Microsoft.Resources/resourceGroups") == 0) {
		const char *loc = hg_jv_str(hg_jv_get(r, "location"));
		if (!u->rg_location)
			u->rg_location = hg_jv_new(u->a, HG_JV_OBJ);
		if (loc)
			obj_put(u->a, u->rg_location, key, hg_jv_string(u->a, loc, strlen(loc)));
	}
	/* az policy assignment list and the like print the properties at the top level */
	flat = listing && !props && u->az &&
	       listed_in(u->az->flattened, u->az->nflattened, type, false);
	if (listing) {
		size_t sl = scope_len(key);
		if (it->shape == HG_EXP_AZ_LIST && !flat && rg && hg_jv_get(r, "resourceGroup") &&
		        strncmp(key + sl, "/providers/", 11) == 0 && !strstr(key + sl + 1, "/providers/")) {
			/* az resource list: the group's resources */
			scope_add(u, hg_arena_strndup(f->tmp, key, sl));
		} else {
			char *e = hg_arena_printf(f->tmp, "%.*s\x1f%s", (int)sl, key, type);
			char *p;
			for (p = e + sl; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			scope_add(u, e);
		}
	}
	rec_add(u, it, type, key,
	        HG_REC_AZURE | (it->shape == HG_EXP_AZ_SHOW || flat ? HG_REC_GET : 0) |
	                (flat ? HG_REC_FLAT : 0));
	return 0;
}

/*
 * A collector's manifest: the listings it saved, each with the scope and
 * the types it covers, so that an empty listing still says "none there".
 * The files must be in the unit (checked when merging): the entries wait
 * as "\x1eFILE\x1eENTRY".
 */
static int on_manifest(struct hg_state_file *f, const hg_export_item *it)
{
	hg_unit *u = &f->part;
	hg_jv *m = NULL;
	hg_jv_error err;
	const hg_jv *ls;
	size_t i, k;

	if (hg_jv_parse(&m, f->tmp, it->raw, it->len, 512, &err) < 0)
		return record_error(f, it, err.offset, &err, NULL);
	ls = hg_jv_get(m, "listings");
	if (!ls || ls->kind != HG_JV_ARR) {
		hg_diag_add(f->d, HG_D_COLLECT_MANIFEST, &it->span,
		        HG_BI("\"listings\" is not an array", "\"listings\" が配列ではありません"), NULL);
		return f->failed = HG_EINVALID;
	}
	for (i = 0; i < ls->n; i++) {
		const hg_jv *l = ls->u.items[i], *types = hg_jv_get(l, "types");
		const char *file = hg_jv_str(hg_jv_get(l, "file")), *scope = hg_jv_str(hg_jv_get(l, "scope"));
		const hg_jv *sub = hg_jv_get(l, "subtree");
		char *lscope;
		if (!file || !*file || strchr(file, '/') || !scope || strncasecmp(scope, "/subscriptions/", 15) != 0 ||
		        strstr(scope, "/providers/") || !types || types->kind != HG_JV_ARR || !types->n) {
			hg_diag_add(f->d, HG_D_COLLECT_MANIFEST, &it->span,
			        hg_arena_printf(f->tmp,
			                HG_BI("listing %zu needs a file name, a scope /subscriptions/... and types",
			                        "%zu 番目の一覧にファイル名、/subscriptions/... のスコープ、型が必要です"),
			                i + 1, i + 1),
			        NULL);
			return f->failed = HG_EINVALID;
		}
		lscope = lower_dup(f->tmp, scope, strlen(scope));
		while (strlen(lscope) > 1 && lscope[strlen(lscope) - 1] == '/')
			lscope[strlen(lscope) - 1] = '\0';
		for (k = 0; k < types->n; k++) {
			const char *t = hg_jv_str(types->u.items[k]);
			char *e, *p;
			if (!t || !*t || strchr(t, '\x1f') || strchr(t, '\x1e')) {
				hg_diag_add(f->d, HG_D_COLLECT_MANIFEST, &it->span,
				        HG_BI("a type is not a string", "型が文字列ではありません"), NULL);
				return f->failed = HG_EINVALID;
			}
			if (strcmp(t, "*") == 0)
				e = hg_arena_printf(f->tmp, "\x1e%s\x1e%s", file, lscope);
			else
				e = hg_arena_printf(f->tmp, "\x1e%s\x1e%s\x1f%s%s", file, lscope, t,
				        sub && sub->kind == HG_JV_TRUE ? "\x1f*" : "");
			for (p = e + strlen(file) + 2; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			scope_add(u, e);
		}
	}
	return 0;
}

static int on_record(const hg_export_item *it, void *payload)
{
	struct hg_state_file *f = payload;
	int rc = 0;

	hg_arena_reset(f->tmp);
	switch (it->shape) {
	case HG_EXP_STACKS:
		f->part.aws = true;
		rc = on_stack(f, it);
		break;
	case HG_EXP_STACK_RESOURCES:
		f->part.aws = true;
		rc = on_stack_resource(f, it);
		break;
	case HG_EXP_CC_LIST:
	case HG_EXP_CC_GET:
		f->part.aws = true;
		rc = on_cc(f, it);
		break;
	case HG_EXP_AZ_LIST:
	case HG_EXP_AZ_VALUE:
	case HG_EXP_AZ_SHOW:
	case HG_EXP_AZ_DEPLOYMENT:
		rc = on_az(f, it);
		break;
	case HG_EXP_COLLECT:
		rc = on_manifest(f, it);
		break;
	case HG_EXP_CFN_TEMPLATE:
	case HG_EXP_ARM_TEMPLATE: {
		/* a stack's deployed template, known by its file's name (deployed.h) */
		const char *base = strrchr(f->display, '/');
		base = base ? base + 1 : f->display;
		/* read back whole, as an az record is (HG_REC_AZURE) */
		rec_add(&f->part, it, HG_TYPE_DEPLOYED_TEMPLATE, hg_arena_strdup(f->part.a, base),
		        HG_REC_AZURE);
		break;
	}
	default:
		break;
	}
	return rc < 0 ? rc : 0;
}

hg_state_file *hg_state_file_new(void)
{
	hg_state_file *f = hg_xcalloc(1, sizeof(*f));
	/* small chunks: a fleet of get-resource exports is tens of thousands of tiny files */
	f->part.a = hg_arena_new_small();
	return f;
}

hg_state_file *hg_state_read_file(const char *path, const char *display,
        const hg_export_limits *lim, const hg_az_rules *az, hg_diags *d, int *rc)
{
	hg_state_file *f = hg_state_file_new();

	f->part.az = az;
	f->tmp = hg_arena_new();
	f->d = d;
	f->display = hg_diags_source(d, display, NULL, 0);
	*rc = hg_export_read(path, f->display, on_record, f, d, lim, NULL);
	if (*rc == HG_EIO)
		hg_diag_add(d, HG_D_IO_READ, NULL, display, strerror(errno), NULL);
	if (*rc == 0 && f->failed)
		*rc = f->failed;
	hg_arena_dispose(f->tmp);
	f->tmp = NULL;
	return f;
}

/* The arrays a unit (or a file's partial unit) owns in malloc'd memory. */
static void free_arrays(hg_unit *u)
{
	size_t i;
	for (i = 0; i < u->nstacks; i++)
		free(u->stacks[i].res);
	free(u->recs);
	u->recs = NULL;
	u->nrecs = u->caprecs = 0;
}

void hg_state_file_free(hg_state_file *f)
{
	if (!f)
		return;
	free_arrays(&f->part);
	hg_arena_dispose(f->part.a);
	hg_arena_dispose(f->tmp);
	free(f);
}

/* ---- merging and indexing ---- */

/* The index key: type and identity; Azure IDs name their type already (in any case). */
static uint64_t rec_key(const char *type, const char *id)
{
	uint64_t k = hg_hash64(id, strlen(id));
	return type ? k ^ (hg_hash64(type, strlen(type)) * 0x9E3779B97F4A7C15ull) : k;
}

static bool same_rec(const hg_rec *o, const char *type, const char *identity)
{
	if (strcmp(o->identity, identity) != 0)
		return false;
	return (o->flags & HG_REC_AZURE) ? !type : (type && strcmp(o->type, type) == 0);
}

/* Lookups whose memory is fetched ahead of them (see hg_state_merge). */
#define LOOKAHEAD 16

/* The slot's tag: the key's high bits, compared before the strings. */
#define TAG(k) ((uint32_t)((k) >> 32) | 1u)

/* The key a record is indexed by (Azure records: by their ID alone). */
static uint64_t rec_key_of(const hg_rec *r)
{
	return rec_key((r->flags & HG_REC_AZURE) ? NULL : r->type, r->identity);
}

static void rindex_put(hg_unit *u, uint32_t i, uint64_t key)
{
	hg_rec *r = &u->recs[i];
	size_t mask = u->rcap - 1, j;
	const char *type = (r->flags & HG_REC_AZURE) ? NULL : r->type;
	uint32_t tag = TAG(key);

	for (j = key & mask; u->rindex[j].rec; j = (j + 1) & mask) {
		hg_rec *o = &u->recs[u->rindex[j].rec - 1];
		if (u->rindex[j].tag == tag && same_rec(o, type, r->identity)) {
			/* the same resource twice: get-resource is complete, a listing may not be */
			if ((o->flags & HG_REC_GET) && !(r->flags & HG_REC_GET)) {
				r->flags |= HG_REC_SHADOWED;
				return;
			}
			o->flags |= HG_REC_SHADOWED;
			u->rindex[j].rec = i + 1;
			return;
		}
	}
	u->rindex[j].rec = i + 1;
	u->rindex[j].tag = tag;
}

/* The record of a key rec_key(type, identity) gave. */
static hg_rec *rindex_find_key(hg_unit *u, const char *type, const char *identity, uint64_t key)
{
	size_t mask = u->rcap - 1, j;
	uint32_t tag = TAG(key);

	for (j = key & mask; u->rindex[j].rec; j = (j + 1) & mask) {
		hg_rec *o = &u->recs[u->rindex[j].rec - 1];
		if (u->rindex[j].tag == tag && same_rec(o, type, identity))
			return o;
	}
	return NULL;
}

static hg_rec *rindex_find(hg_unit *u, const char *type, const char *identity)
{
	if (!u->rcap || !identity)
		return NULL;
	return rindex_find_key(u, type, identity, rec_key(type, identity));
}

hg_rec *hg_unit_find(hg_unit *u, const char *type, const char *identity)
{
	return type ? rindex_find(u, type, identity) : NULL;
}

hg_rec *hg_unit_find_id(hg_unit *u, const char *identity)
{
	return rindex_find(u, NULL, identity);
}

hg_stack_res *hg_stack_find(hg_stack *s, const char *logical)
{
	size_t mask, j;

	if (!s || !s->lcap)
		return NULL;
	mask = s->lcap - 1;
	for (j = hg_hash64(logical, strlen(logical)) & mask; s->lindex[j]; j = (j + 1) & mask)
		if (strcmp(s->res[s->lindex[j] - 1].logical, logical) == 0)
			return &s->res[s->lindex[j] - 1];
	return NULL;
}

bool hg_unit_listed(const hg_unit *u, const char *type)
{
	size_t i;
	for (i = 0; i < u->nlisted; i++)
		if (strcmp(u->listed[i], type) == 0)
			return true;
	return false;
}

static size_t pow2_at_least(size_t n)
{
	size_t c = 16;
	while (c < n)
		c *= 2;
	return c;
}

static const char *dup_or_null(hg_arena *a, const char *s)
{
	return s ? hg_arena_strdup(a, s) : NULL;
}

static void merge_stack(hg_unit *u, hg_stack *src)
{
	hg_stack *s = stack_get(u, src->name);
	size_t i, k;

	if (!s->id)
		s->id = dup_or_null(u->a, src->id);
	if (!s->scope_rg)
		s->scope_rg = dup_or_null(u->a, src->scope_rg);
	s->have_params = s->have_params || src->have_params;
	s->have_resources = s->have_resources || src->have_resources;
	for (i = 0; i < src->params->n; i++) {
		const hg_jv_member *m = &src->params->u.members[i];
		bool dup = false;
		for (k = 0; k < s->params->n; k++)
			if (strcmp(s->params->u.members[k].key, m->key) == 0)
				dup = true;
		if (!dup)
			obj_put(u->a, s->params, m->key, m->val);
	}
	if (!s->nres && src->nres) { /* the usual case: one file lists the stack's resources */
		free(s->res);
		s->res = src->res; /* taken over */
		s->nres = src->nres;
		s->capres = src->capres;
		src->res = NULL;
		src->nres = src->capres = 0;
		return;
	}
	for (i = 0; i < src->nres; i++) {
		HG_GROW(s->res, s->capres, s->nres + 1);
		s->res[s->nres++] = src->res[i];
	}
}

/* "arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/..." -> its parts (arena). */
static bool arn_parts(hg_arena *a, const char *arn, const char **partition, const char **region,
        const char **account)
{
	char *copy, *parts[6] = {0}, *p;
	int n = 0;

	if (!arn || strncmp(arn, "arn:", 4) != 0)
		return false;
	copy = hg_arena_strdup(a, arn);
	for (p = copy; n < 6 && p;) {
		parts[n++] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (n < 6)
		return false;
	*partition = parts[1];
	*region = parts[3];
	*account = parts[4];
	return true;
}

/* Is a file of u (by its name in the directory) called name? */
static bool has_file(const hg_unit *u, const char *name, size_t n)
{
	size_t i;
	for (i = 0; i < u->nfiles; i++) {
		const char *base = strrchr(u->paths[i], '/');
		base = base ? base + 1 : u->paths[i];
		if (strlen(base) == n && strncmp(base, name, n) == 0)
			return true;
	}
	return false;
}

/* The manifest's entries ("\x1eFILE\x1eENTRY") whose files are there become scopes. */
static int manifest_scopes(hg_unit *u, hg_diags *d)
{
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; i < u->nscopes; i++) {
		const char *e = u->scopes[i], *sep;
		if (e[0] != '\x1e') {
			u->scopes[n++] = e;
			continue;
		}
		sep = strchr(e + 1, '\x1e');
		if (!sep)
			continue;
		if (!has_file(u, e + 1, (size_t)(sep - e - 1))) {
			hg_diag_add(d, HG_D_COLLECT_MISSING, NULL,
			        hg_arena_strndup(u->a, e + 1, (size_t)(sep - e - 1)), u->name, NULL);
			rc = HG_EINVALID;
			continue;
		}
		u->scopes[n++] = sep + 1;
	}
	u->nscopes = n;
	return rc;
}

/* s[0..n) is a run of decimal digits (n of them). */
static bool digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* s[0..n) looks like an AWS region: ap-northeast-1, us-gov-west-1, eu-central-2. */
static bool region_like(const char *s, size_t n)
{
	size_t i = 0, parts = 0;
	while (i < n) {
		size_t start = i;
		while (i < n && s[i] != '-')
			i++;
		if (i == start)
			return false;
		parts++;
		if (i == n) /* the last part: a number */
			return parts >= 3 && digits(s + start, i - start);
		for (; start < i; start++)
			if (!islower((unsigned char)s[start]))
				return false;
		i++;
	}
	return false;
}

/*
 * The account and region of an AWS unit without a stack, which has no ARN
 * to give them: in a collector's tree (STATE/ACCOUNT/REGION/, what
 * hinagata-collect-aws --manifest writes) its directory names them. Without
 * them its unmanaged resources would be nobody's: reported in no account,
 * and in the history resolved by any other such unit's listings (a shard
 * vouching for another shard's accounts).
 */
static void place_from_dir(hg_unit *u)
{
	const char *end = u->name + strlen(u->name), *r, *a;

	while (end > u->name && end[-1] == '/')
		end--;
	for (r = end; r > u->name && r[-1] != '/'; r--)
		;
	if (r == u->name)
		return;
	for (a = r - 1; a > u->name && a[-1] != '/'; a--)
		;
	if ((size_t)(r - 1 - a) == 12 && digits(a, 12) && region_like(r, (size_t)(end - r))) {
		u->account = hg_arena_strndup(u->a, a, 12);
		u->region = hg_arena_strndup(u->a, r, (size_t)(end - r));
	}
}

int hg_state_merge(hg_unit *u, const hg_state_spec *spec, hg_state_file **files,
        const hg_az_rules *az, hg_diags *d)
{
	size_t i, k;
	int rc = 0;

	u->a = hg_arena_new();
	u->az = az;
	u->name = hg_arena_strdup(u->a, spec->name);
	u->nfiles = spec->npaths;
	u->files = HG_ANEWN(u->a, const char *, spec->npaths + 1);
	u->paths = HG_ANEWN(u->a, const char *, spec->npaths + 1);
	u->parts = HG_ANEWN(u->a, hg_arena *, spec->npaths + 1);
	{ /* the records of every file in one array, allocated once */
		size_t total = 0;
		for (i = 0; i < spec->npaths; i++)
			total += files[i]->part.nrecs;
		if (total > u->caprecs)
			HG_GROW(u->recs, u->caprecs, total);
	}
	for (i = 0; i < spec->npaths; i++) {
		hg_unit *p = &files[i]->part;
		size_t total = u->nrecs + p->nrecs;
		u->paths[i] = hg_arena_strdup(u->a, spec->paths[i]);
		u->files[i] = hg_arena_strdup(u->a, spec->paths[i]);
		u->aws = u->aws || p->aws;
		u->azure = u->azure || p->azure;
		for (k = 0; k < p->nstacks; k++)
			merge_stack(u, &p->stacks[k]);
		/* Records are copied; their strings stay in the file's arena, which the unit keeps. */
		if (total > u->caprecs)
			HG_GROW(u->recs, u->caprecs, total);
		for (k = 0; k < p->nrecs; k++) {
			hg_rec *r = &u->recs[u->nrecs++];
			*r = p->recs[k];
			r->file = (uint32_t)i;
		}
		for (k = 0; k < p->nlisted; k++)
			listed_add(u, p->listed[k]);
		for (k = 0; k < p->nscopes; k++) {
			HG_AGROW(u->a, u->scopes, u->capscopes, u->nscopes + 1);
			u->scopes[u->nscopes++] = p->scopes[k];
		}
		if (p->rg_location) {
			if (!u->rg_location)
				u->rg_location = hg_jv_new(u->a, HG_JV_OBJ);
			for (k = 0; k < p->rg_location->n; k++)
				obj_put(u->a, u->rg_location, p->rg_location->u.members[k].key,
				        p->rg_location->u.members[k].val);
		}
		if (p->account && u->account && strcmp(p->account, u->account) != 0 && rc == 0) {
			hg_diag_add(d, HG_D_STATE_MIXED, NULL, u->name, u->account, p->account, NULL);
			rc = HG_EINVALID;
		}
		if (p->account && !u->account)
			u->account = p->account;
		if (p->az_rg && !u->az_rg)
			u->az_rg = p->az_rg;
		u->parts[u->nparts++] = p->a; /* the unit owns the file's arena now */
		p->a = NULL;
		hg_state_file_free(files[i]);
		files[i] = NULL;
	}
	/* Account and region of an AWS unit: its stacks' ARNs, which must agree. */
	for (i = 0; i < u->nstacks && rc == 0; i++) {
		const char *part, *reg, *acc;
		if (!u->stacks[i].id || !arn_parts(u->a, u->stacks[i].id, &part, &reg, &acc))
			continue;
		if (!u->region) {
			u->partition = part;
			u->region = reg;
			if (!u->account)
				u->account = acc;
		} else if (strcmp(u->region, reg) != 0 || strcmp(u->account, acc) != 0) {
			hg_diag_add(d, HG_D_STATE_MIXED, NULL, u->name,
			        hg_arena_printf(u->a, "%s/%s", u->account, u->region),
			        hg_arena_printf(u->a, "%s/%s", acc, reg), NULL);
			rc = HG_EINVALID;
		}
	}
	if (u->aws && !u->azure && !u->account && !u->region)
		place_from_dir(u);
	if (!u->account)
		u->account = "";
	if (!u->region)
		u->region = "";
	if (manifest_scopes(u, d) < 0 && rc == 0)
		rc = HG_EINVALID;
	hg_deployed_attach(u);
	/* Indexes. */
	u->rcap = pow2_at_least(u->nrecs * 2 + 1);
	u->rindex = HG_ANEWN(u->a, hg_rslot, u->rcap);
	for (i = 0; i < u->nrecs; i += LOOKAHEAD) { /* in order, their slots fetched ahead */
		uint64_t keys[LOOKAHEAD];
		size_t m, end = i + LOOKAHEAD < u->nrecs ? i + LOOKAHEAD : u->nrecs;
		for (m = i; m < end; m++) {
			keys[m - i] = rec_key_of(&u->recs[m]);
			__builtin_prefetch(&u->rindex[keys[m - i] & (u->rcap - 1)]);
		}
		for (m = i; m < end; m++)
			rindex_put(u, (uint32_t)m, keys[m - i]);
	}
	for (i = 0; i < u->nstacks; i++) {
		hg_stack *s = &u->stacks[i];
		s->lcap = pow2_at_least(s->nres * 2 + 1);
		s->lindex = HG_ANEWN(u->a, uint32_t, s->lcap);
		for (k = 0; k < s->nres; k += LOOKAHEAD) {
			/* A stack's resources by LOOKAHEAD: their slots fetched from
			 * memory together (100,000 lookups in a table of megabytes,
			 * a cache miss each), then looked up in order. */
			uint64_t keys[LOOKAHEAD];
			size_t m, end = k + LOOKAHEAD < s->nres ? k + LOOKAHEAD : s->nres;
			for (m = k; m < end; m++) {
				const hg_stack_res *sr = &s->res[m];
				keys[m - k] = sr->type && sr->physical ? rec_key(sr->type, sr->physical) : 0;
				__builtin_prefetch(&u->rindex[keys[m - k] & (u->rcap - 1)]);
			}
			for (m = k; m < end; m++) {
				size_t mask = s->lcap - 1, j;
				hg_stack_res *sr = &s->res[m];
				hg_rec *r = sr->type && sr->physical
				                    ? rindex_find_key(u, sr->type, sr->physical, keys[m - k])
				                    : NULL;
				for (j = hg_hash64(sr->logical, strlen(sr->logical)) & mask; s->lindex[j];
				        j = (j + 1) & mask)
					;
				s->lindex[j] = (uint32_t)m + 1;
				sr->rec = r ? (int)(r - u->recs) : -1;
				if (r)
					r->flags |= HG_REC_IN_STACK;
			}
		}
	}
	return rc;
}

void hg_unit_dispose(hg_unit *u)
{
	size_t i;
	if (!u || !u->a)
		return;
	free_arrays(u);
	for (i = 0; i < u->nparts; i++)
		hg_arena_dispose(u->parts[i]);
	hg_arena_dispose(u->a);
}
