/*
 * engine.c: the drift run (see drift.h): read the exports, match, resolve,
 * compare.
 * Part of hinagata; see LICENSE.
 *
 * Phase 1 reads the stack exports (describe-stacks: parameters, account,
 * region; describe-stack-resources: logical to physical IDs). Phase 2
 * streams the resource exports (cloudcontrol) once: a record whose type
 * and identifier a stack expects is remembered by file, offset, length
 * and the hash of its bytes, nothing more; any other record is UNMANAGED
 * unless the cloud made it itself. Phase 3 takes one template at a time:
 * it resolves the template against its stack and compares each resource
 * with its record, read back from the file. Memory is bounded by the
 * largest template and record plus a few words per resource.
 */
#define _GNU_SOURCE
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../compiler/compiler.h"
#include "cfn.h"
#include "compare.h"
#include "export.h"
#include "gitsrc.h"
#include "ignore.h"

/* ---- small helpers ---- */

/* The string value of a top-level key of a JSON object text, without a full parse. */
static const char *skip_str(const char *p, const char *end)
{
	const char *q = p + 1;

	for (;;) {
		const char *b;
		size_t n;
		q = memchr(q, '"', (size_t)(end - q));
		if (!q)
			return end;
		for (b = q, n = 0; b > p + 1 && b[-1] == '\\'; b--)
			n++;
		if (n % 2 == 0)
			return q + 1;
		q++;
	}
}

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

static bool field_span(const char *raw, size_t len, const char *key, const char **v, size_t *vlen)
{
	const char *p = raw, *end = raw + len, *k;
	size_t kl = strlen(key);

	while (p < end && *p != '{')
		p++;
	for (p++; p < end;) {
		while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ','))
			p++;
		if (p >= end || *p != '"')
			return false;
		k = p + 1;
		p = skip_str(p, end);
		bool hit = (size_t)(p - 1 - k) == kl && memcmp(k, key, kl) == 0;
		while (p < end && *p != ':')
			p++;
		for (p++; p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t');)
			p++;
		if (hit) {
			*v = p;
			*vlen = (size_t)(skip_val(p, end) - p);
			return true;
		}
		p = skip_val(p, end);
	}
	return false;
}

/* A malformed record: the diagnostic points into it (off bytes from its start). */
static int record_error(struct engine *e, const char *file, uint32_t line, uint32_t col,
        const char *raw, size_t off, const hg_jv_error *err)
{
	hg_span sp;
	size_t i;

	memset(&sp, 0, sizeof(sp));
	sp.file = file;
	for (i = 0; i < off; i++) {
		if (raw[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)raw[i] & 0xC0) != 0x80)
			col++;
	}
	sp.line = sp.end_line = line;
	sp.col = col;
	sp.end_col = col + 1;
	if (err->truncated)
		hg_diag_add(e->d, HG_D_EXPORT_TRUNCATED, &sp, HG_BI("a record", "レコード"), NULL);
	else
		hg_diag_add(e->d, HG_D_EXPORT_SYNTAX, &sp, err->what, NULL);
	e->failed = HG_EINVALID;
	return HG_EINVALID;
}

/* Parse a record, and the JSON string of its Properties; NULL after an error. */
static hg_jv *parse_record(struct engine *e, hg_arena *a, const char *file, uint32_t line,
        uint32_t col, const char *raw, size_t len, hg_jv **props)
{
	hg_jv *v = NULL, *p;
	hg_jv_error err;

	if (hg_jv_parse(&v, a, raw, len, 512, &err) < 0) {
		record_error(e, file, line, col, raw, err.offset, &err);
		return NULL;
	}
	p = hg_jv_get(v, "Properties");
	if (!p)
		p = hg_jv_get(hg_jv_get(v, "ResourceDescription"), "Properties");
	if (p && p->kind == HG_JV_STR) {
		hg_jv *p2 = NULL;
		if (hg_jv_parse(&p2, a, p->u.s, p->n, 512, &err) < 0) {
			const char *at = NULL;
			size_t n = 0;
			field_span(raw, len, "Properties", &at, &n);
			err.what = HG_BI("the Properties string does not hold valid JSON",
			        "Properties の文字列が正しい JSON ではありません");
			err.truncated = false;
			record_error(e, file, line, col, raw, at ? (size_t)(at - raw) : 0, &err);
			return NULL;
		}
		p = p2;
	}
	if (props)
		*props = p;
	return v;
}

/* ---- stacks (phase 1) ---- */

static struct stack *stack_get(struct engine *e, const char *name, size_t nlen, const char *id)
{
	size_t i;
	struct stack *s;

	if (e->last_stack < e->nstacks && strlen(e->stacks[e->last_stack].name) == nlen &&
	        memcmp(e->stacks[e->last_stack].name, name, nlen) == 0)
		return &e->stacks[e->last_stack];
	for (i = 0; i < e->nstacks; i++)
		if (strlen(e->stacks[i].name) == nlen && memcmp(e->stacks[i].name, name, nlen) == 0) {
			e->last_stack = i;
			return &e->stacks[i];
		}
	HG_AGROW(e->a, e->stacks, e->capstacks, e->nstacks + 1);
	e->last_stack = e->nstacks;
	s = &e->stacks[e->nstacks++];
	memset(s, 0, sizeof(*s));
	s->index = e->last_stack;
	s->name = hg_arena_strndup(e->a, name, nlen);
	s->params = json_object();
	if (id && strncmp(id, "arn:", 4) == 0) { /* arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/.. */
		char *parts[6] = {0};
		char *copy = hg_arena_strdup(e->a, id), *p = copy;
		int n = 0;
		s->id = hg_arena_strdup(e->a, id);
		while (n < 6 && p) {
			parts[n++] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (n == 6) {
			s->partition = parts[1];
			s->region = parts[3];
			s->account = parts[4];
		}
	}
	return s;
}

/* The key of a logical ID in a stack. */
static uint64_t logical_key(size_t stack, const char *logical, size_t n)
{
	uint64_t k = hg_hash64(logical, n) ^ ((uint64_t)(stack + 1) * 0x9E3779B97F4A7C15ull);
	return k ? k : 1;
}

struct stack_res *hg_engine_stack_res(struct engine *e, const struct stack *s, const char *logical)
{
	struct stack_res *sr;
	size_t i;
	uint64_t key;

	if (!s || !e->capl)
		return NULL;
	key = logical_key(s->index, logical, strlen(logical));
	for (i = key & (e->capl - 1); e->lslots[i].key; i = (i + 1) & (e->capl - 1)) {
		sr = e->lslots[i].sr;
		if (e->lslots[i].key == key && sr->stack == s && strcmp(sr->logical, logical) == 0)
			return sr;
	}
	return NULL;
}

static void lslot_put(struct engine *e, uint64_t key, struct stack_res *sr)
{
	size_t i;

	if ((e->nl + 1) * 2 > e->capl) {
		struct slot *old = e->lslots;
		size_t oldcap = e->capl, j;
		e->capl = e->capl ? e->capl * 2 : 1024;
		e->lslots = hg_xcalloc(e->capl, sizeof(*e->lslots));
		e->nl = 0;
		for (j = 0; j < oldcap; j++)
			if (old[j].key)
				lslot_put(e, old[j].key, old[j].sr);
		free(old);
	}
	for (i = key & (e->capl - 1); e->lslots[i].key; i = (i + 1) & (e->capl - 1))
		;
	e->lslots[i].key = key;
	e->lslots[i].sr = sr;
	e->nl++;
}

/* A string value of a record field, copied (unescaped) into a; NULL if absent. */
static const char *copy_str(struct engine *e, hg_arena *a, const char *v, size_t n)
{
	hg_jv *j = NULL;
	hg_jv_error err;

	if (n < 2 || v[0] != '"')
		return NULL;
	if (!memchr(v, '\\', n))
		return hg_arena_strndup(a, v + 1, n - 2);
	if (hg_jv_parse(&j, e->tmp, v, n, 4, &err) < 0 || j->kind != HG_JV_STR)
		return NULL;
	return hg_arena_strndup(a, j->u.s, j->n);
}

/* One describe-stack-resources record, read field by field (no tree). */
static int stack_resource(struct engine *e, const hg_export_item *it)
{
	static const char *const keys[] = {"StackName", "StackId", "LogicalResourceId",
	        "PhysicalResourceId", "ResourceType", "ResourceStatus"};
	const char *v[6] = {0};
	size_t n[6] = {0};
	struct stack *s;
	struct stack_res *sr;
	const char *type;

	hg_jv_error err;

	/* One pass checks the record and finds the fields; no tree is built. */
	if (hg_jv_validate(it->raw, it->len, 512, &err, keys, 6, v, n) < 0)
		return record_error(e, e->cur_file, it->span.line, it->span.col, it->raw, err.offset, &err);
	if (!v[0] || n[0] < 2 || !v[2] || !v[4])
		return 0;
	if (v[5] && n[5] == 17 && memcmp(v[5], "\"DELETE_COMPLETE\"", 17) == 0)
		return 0;
	s = stack_get(e, v[0] + 1, n[0] - 2, v[1] ? copy_str(e, e->tmp, v[1], n[1]) : NULL);
	s->have_resources = true;
	hg_grow_array((void **)&s->res, &s->capres, s->nres + 1, sizeof(*s->res));
	sr = &s->res[s->nres];
	memset(sr, 0, sizeof(*sr));
	sr->logical = copy_str(e, e->a, v[2], n[2]);
	type = copy_str(e, e->tmp, v[4], n[4]);
	sr->type = type ? hg_arena_intern(e->a, type, strlen(type)) : NULL;
	sr->physical = v[3] ? copy_str(e, e->a, v[3], n[3]) : NULL;
	sr->rec = -1;
	if (!sr->logical || !sr->type)
		return 0;
	s->nres++;
	return 0;
}

static void stack_record(struct engine *e, const hg_jv *r)
{
	const char *name = hg_jv_str(hg_jv_get(r, "StackName"));
	const char *id = hg_jv_str(hg_jv_get(r, "StackId"));
	const hg_jv *ps = hg_jv_get(r, "Parameters");
	struct stack *s;
	size_t i;

	if (!name)
		return;
	s = stack_get(e, name, strlen(name), id);
	s->have_params = true;
	for (i = 0; ps && ps->kind == HG_JV_ARR && i < ps->n; i++) {
		const char *k = hg_jv_str(hg_jv_get(ps->u.items[i], "ParameterKey"));
		const char *v = hg_jv_str(hg_jv_get(ps->u.items[i], "ResolvedValue"));
		if (!v)
			v = hg_jv_str(hg_jv_get(ps->u.items[i], "ParameterValue"));
		if (k && v)
			json_object_set_new(s->params, k, json_string(v));
	}
}

/* After phase 1: index every stack resource by logical ID (arrays are final now). */
static void index_logical(struct engine *e)
{
	size_t i, k;

	for (i = 0; i < e->nstacks; i++)
		for (k = 0; k < e->stacks[i].nres; k++) {
			struct stack_res *sr = &e->stacks[i].res[k];
			sr->stack = &e->stacks[i];
			lslot_put(e, logical_key(i, sr->logical, strlen(sr->logical)), sr);
		}
}

/* ---- the expected table: (type, identifier) -> record ---- */

static uint64_t key_of(const char *type, const char *id, size_t idlen)
{
	uint64_t k = hg_hash64(id, idlen) ^ (hg_hash64(type, strlen(type)) * 0x9E3779B97F4A7C15ull);
	return k ? k : 1;
}

static void table_put(struct engine *e, uint64_t key, struct stack_res *sr)
{
	size_t i;

	if ((e->nslots + 1) * 2 > e->capslots) {
		struct slot *old = e->slots;
		size_t oldcap = e->capslots, j;
		e->capslots = e->capslots ? e->capslots * 2 : 1024;
		e->slots = hg_xcalloc(e->capslots, sizeof(*e->slots));
		e->nslots = 0;
		for (j = 0; j < oldcap; j++)
			if (old[j].key)
				table_put(e, old[j].key, old[j].sr);
		free(old);
	}
	for (i = key & (e->capslots - 1); e->slots[i].key && e->slots[i].key != key;
	        i = (i + 1) & (e->capslots - 1))
		;
	if (!e->slots[i].key)
		e->nslots++;
	e->slots[i].key = key;
	e->slots[i].sr = sr;
}

static struct stack_res *table_get(struct engine *e, uint64_t key)
{
	size_t i;

	if (!e->capslots)
		return NULL;
	for (i = key & (e->capslots - 1); e->slots[i].key; i = (i + 1) & (e->capslots - 1))
		if (e->slots[i].key == key)
			return e->slots[i].sr;
	return NULL;
}

static void build_table(struct engine *e)
{
	size_t i, k;

	for (i = 0; i < e->nstacks; i++)
		for (k = 0; k < e->stacks[i].nres; k++) {
			struct stack_res *sr = &e->stacks[i].res[k];
			if (sr->physical)
				table_put(e, key_of(sr->type, sr->physical, strlen(sr->physical)), sr);
		}
}

/* ---- results ---- */

hg_drift_result *hg_engine_result(struct engine *e)
{
	hg_drift_report *r = e->rep;
	hg_drift_result *x;

	hg_grow_array((void **)&r->results, &r->cap, r->n + 1, sizeof(*r->results));
	x = &r->results[r->n++];
	memset(x, 0, sizeof(*x));
	return x;
}

static char *keep(struct engine *e, const char *s)
{
	return s ? hg_arena_strdup(e->rep->arena, s) : NULL;
}

/* ---- phase 2: resource exports ---- */

static void unmanaged(struct engine *e, const hg_export_item *it, const char *type, const char *id,
        size_t idlen)
{
	hg_jv *props = NULL;
	hg_drift_result *x;

	if (!parse_record(e, e->tmp, e->cur_file, it->span.line, it->span.col, it->raw, it->len, &props))
		return;
	if (hg_canon_cloud_default(e->canon, type, props))
		return;
	x = hg_engine_result(e);
	x->status = HG_DS_UNMANAGED;
	x->type = keep(e, type);
	x->physical_id = hg_arena_strndup(e->rep->arena, id, idlen);
	x->unit = keep(e, e->account_region);
	x->account = keep(e, e->account);
	x->region = keep(e, e->region);
	x->source_file = keep(e, e->cur_file);
	x->source_line = it->span.line;
}

static int on_resource(const hg_export_item *it, void *payload)
{
	struct engine *e = payload;
	const char *type = it->type_name, *id;
	size_t idlen;
	struct stack_res *sr;
	char tbuf[256];

	hg_arena_reset(e->tmp);
	if (it->shape == HG_EXP_AZ_LIST || it->shape == HG_EXP_AZ_SHOW ||
	        it->shape == HG_EXP_AZ_DEPLOYMENT)
		return hg_engine_az_record(e, it);
	if (it->shape != HG_EXP_CC_LIST && it->shape != HG_EXP_CC_GET)
		return 0;
	if (!type) {
		const char *v;
		size_t vl;
		if (!field_span(it->raw, it->len, "TypeName", &v, &vl) || vl < 2 || vl >= sizeof(tbuf))
			return 0;
		memcpy(tbuf, v + 1, vl - 2);
		tbuf[vl - 2] = '\0';
		type = tbuf;
	}
	json_object_set_new(e->listed, type, json_true());
	if (!field_span(it->raw, it->len, "Identifier", &id, &idlen) || idlen < 2 || *id != '"')
		return 0;
	id++;
	idlen -= 2;
	sr = table_get(e, key_of(type, id, idlen));
	if (sr && strcmp(sr->type, type) == 0 && strlen(sr->physical) == idlen &&
	        memcmp(sr->physical, id, idlen) == 0) {
		if (sr->rec >= 0 && e->recs[sr->rec].get && it->shape == HG_EXP_CC_LIST)
			return 0; /* get-resource is complete; a listing may not be */
		sr->rec = (int)e->nrecs;
		hg_grow_array((void **)&e->recs, &e->caprecs, e->nrecs + 1, sizeof(*e->recs));
		e->recs[e->nrecs].file = e->cur_index;
		e->recs[e->nrecs].offset = it->offset;
		e->recs[e->nrecs].len = it->len;
		e->recs[e->nrecs].rawhash = hg_hash64(it->raw, it->len);
		e->recs[e->nrecs].get = it->shape == HG_EXP_CC_GET;
		e->recs[e->nrecs].line = it->span.line;
		e->recs[e->nrecs].col = it->span.col;
		e->nrecs++;
		return 0;
	}
	unmanaged(e, it, type, id, idlen);
	return e->failed;
}

static int on_stack(const hg_export_item *it, void *payload)
{
	struct engine *e = payload;
	hg_jv *r;

	hg_arena_reset(e->tmp);
	if (it->shape == HG_EXP_STACK_RESOURCES) {
		return stack_resource(e, it);
	}
	if (it->shape != HG_EXP_STACKS)
		return 0;
	r = parse_record(e, e->tmp, e->cur_file, it->span.line, it->span.col, it->raw, it->len, NULL);
	if (!r)
		return HG_EINVALID;
	stack_record(e, r);
	return 0;
}

/* Does the file start with a stack listing? Then it is read in phase 1. */
static bool is_stack_file(const char *path)
{
	char head[4096];
	FILE *f = fopen(path, "rb");
	size_t n;
	const char *p, *end;

	if (!f)
		return false;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	p = head;
	end = head + n;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 BOM, which export.c skips */
		p += 3;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	if (p >= end || *p != '{')
		return false;
	for (p++; p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t');)
		p++;
	return (size_t)(end - p) > 8 &&
	       (strncmp(p, "\"Stacks\"", 8) == 0 || strncmp(p, "\"StackResources\"", 16) == 0);
}

static int read_states(struct engine *e)
{
	size_t i;
	int pass, rc;
	hg_export_limits lim = HG_EXPORT_LIMITS_INIT;

	if (e->o->max_record)
		lim.max_record = e->o->max_record;

	e->fds = hg_xcalloc(e->o->nstates + 1, sizeof(int));
	e->files = hg_arena_alloc(e->a, sizeof(char *) * (e->o->nstates + 1));
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			index_logical(e);
			build_table(e);
			for (i = 0; i < e->nstacks && !e->account_region; i++)
				if (e->stacks[i].account) {
					e->account = e->stacks[i].account;
					e->region = e->stacks[i].region;
					e->account_region = hg_arena_printf(e->a, "%s/%s", e->account, e->region);
				}
		}
		for (i = 0; i < e->o->nstates; i++) {
			const char *path = e->o->states[i];
			bool stacks = is_stack_file(path);
			if (stacks != (pass == 0))
				continue;
			e->cur_index = (unsigned)i;
			e->cur_file = hg_diags_source(e->d, path, NULL, 0);
			e->files[i] = e->cur_file;
			rc = hg_export_read(path, e->cur_file, stacks ? on_stack : on_resource, e, e->d,
			        &lim, NULL);
			if (rc == HG_EIO) {
				hg_diag_add(e->d, HG_D_IO_READ, NULL, path, strerror(errno), NULL);
				return HG_EIO;
			}
			if (rc < 0)
				return rc;
		}
	}
	for (i = 0; i < e->o->nstates; i++)
		e->fds[i] = open(e->o->states[i], O_RDONLY | O_CLOEXEC);
	return 0;
}

/* The record of a stack resource, parsed (tmp arena): its properties object. */
const hg_jv *hg_engine_record(struct engine *e, int rec, hg_arena *a)
{
	struct rec *r = &e->recs[rec];
	char *buf = hg_arena_alloc(a, r->len + 1);
	hg_jv *props = NULL;

	if (pread(e->fds[r->file], buf, r->len, (off_t)r->offset) != (ssize_t)r->len) {
		hg_diag_add(e->d, HG_D_IO_READ, NULL, e->files[r->file], strerror(errno), NULL);
		e->failed = HG_EIO;
		return NULL;
	}
	if (!parse_record(e, a, e->files[r->file], r->line, r->col, buf, r->len, &props))
		return NULL;
	return props;
}

hg_jv *hg_engine_parse(struct engine *e, hg_arena *a, const hg_export_item *it, hg_jv **props)
{
	return parse_record(e, a, e->cur_file, it->span.line, it->span.col, it->raw, it->len, props);
}

const hg_jv *hg_engine_record_whole(struct engine *e, int rec, hg_arena *a)
{
	struct rec *r = &e->recs[rec];
	char *buf = hg_arena_alloc(a, r->len + 1);

	if (pread(e->fds[r->file], buf, r->len, (off_t)r->offset) != (ssize_t)r->len) {
		hg_diag_add(e->d, HG_D_IO_READ, NULL, e->files[r->file], strerror(errno), NULL);
		e->failed = HG_EIO;
		return NULL;
	}
	return parse_record(e, a, e->files[r->file], r->line, r->col, buf, r->len, NULL);
}

/* ---- setup and teardown ---- */

static void today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void load_catalog(struct engine *e)
{
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
	hg_control_row *rows = NULL;
	size_t n = 0, i;
	hg_diags quiet = HG_DIAGS_INIT;

	e->severity = json_object();
	co.template_dirs = e->o->template_dirs;
	co.ntemplate_dirs = e->o->ntemplate_dirs;
	co.bundled_dir = e->o->bundled_dir;
	co.schema_dir = e->o->schema_dir;
	if (hg_catalog_list(&rows, &n, &co, &quiet) == 0)
		for (i = 0; i < n; i++)
			if (rows[i].severity)
				json_object_set_new(e->severity, rows[i].id, json_string(rows[i].severity));
	hg_control_rows_free(rows, n);
	hg_diags_dispose(&quiet);
}

static int cmp_result(const void *x, const void *y)
{
	const hg_drift_result *a = x, *b = y;
	int c;
	bool ua = a->status == HG_DS_UNMANAGED, ub = b->status == HG_DS_UNMANAGED;

	if (ua != ub)
		return ua ? 1 : -1;
	if ((c = strcmp(a->unit ? a->unit : "", b->unit ? b->unit : "")) != 0)
		return c;
	if (ua) {
		if ((c = strcmp(a->type, b->type)) != 0)
			return c;
		return strcmp(a->physical_id ? a->physical_id : "", b->physical_id ? b->physical_id : "");
	}
	return strcmp(a->logical_id ? a->logical_id : "", b->logical_id ? b->logical_id : "");
}

int hg_drift_run(hg_drift_report **out, const hg_drift_options *o, hg_diags *d)
{
	struct engine e;
	size_t i;
	int rc = 0;
	char date[11];

	*out = NULL;
	memset(&e, 0, sizeof(e));
	e.o = o;
	e.d = d;
	e.a = hg_arena_new();
	e.tmp = hg_arena_new();
	e.listed = json_object();
	e.az_index = json_object();
	e.az_deps = json_array();
	e.az_rg_location = json_object();
	e.az_scopes = json_object();
	e.rep = hg_xcalloc(1, sizeof(*e.rep));
	e.rep->arena = hg_arena_new();
	e.scratch = hg_arena_new();
	e.work = hg_arena_new();
	today(date);
	e.rep->today = keep(&e, o->today ? o->today : date);
	e.rep->ref = keep(&e, o->repo ? (o->ref ? o->ref : "HEAD") : NULL);
	e.canon = hg_canon_open(o->schema_dir, d);
	if (!e.canon) {
		rc = HG_EIO;
		goto done;
	}
	if (o->ignore_file && (rc = hg_ignore_load(&e.ignore, o->ignore_file, e.rep->today, d)) < 0)
		goto done;
	load_catalog(&e);
	if ((rc = read_states(&e)) < 0)
		goto done;
	hg_cache_load(&e);
	for (i = 0; i < o->ntemplates && rc == 0 && !e.failed; i++)
		rc = hg_engine_template(&e, o->templates[i]);
	if (rc == 0 && !e.failed && json_object_size(e.az_index))
		hg_engine_az_unmanaged(&e);
	if (rc == 0 && e.failed)
		rc = e.failed;
	if (rc < 0)
		goto done;
	hg_cache_save(&e);
	hg_ignore_apply(e.ignore, e.rep, d);
	if (e.rep->n)
		qsort(e.rep->results, e.rep->n, sizeof(*e.rep->results), cmp_result);
	for (i = 0; i < e.rep->n; i++) {
		hg_drift_status s = e.rep->results[i].status;
		e.rep->counts[s]++;
		e.rep->total++;
		if (s != HG_DS_NOT_CHECKED)
			e.rep->checked++;
	}
	e.rep->counts[HG_DS_IN_SYNC] += e.dropped;
	e.rep->total += e.dropped;
	e.rep->checked += e.dropped;
done:
	hg_engine_dispose(&e);
	if (rc < 0) {
		hg_drift_report_free(e.rep);
		return rc;
	}
	*out = e.rep;
	return 0;
}

void hg_engine_dispose(struct engine *e)
{
	size_t i;

	for (i = 0; e->fds && i < e->o->nstates; i++)
		if (e->fds[i] > 0)
			close(e->fds[i]);
	free(e->fds);
	for (i = 0; i < e->nstacks; i++) {
		json_decref(e->stacks[i].params);
		free(e->stacks[i].res);
	}
	free(e->lslots);
	hg_config_dispose(&e->gitconfig);
	if (e->gitdir) {
		hg_fs_remove_tree(e->gitdir);
		free(e->gitdir);
	}
	free(e->slots);
	free(e->recs);
	json_decref(e->listed);
	json_decref(e->az_index);
	json_decref(e->az_deps);
	json_decref(e->az_rg_location);
	json_decref(e->az_scopes);
	json_decref(e->severity);
	json_decref(e->cache);
	json_decref(e->cache_new);
	json_decref(e->tcache);
	json_decref(e->tcache_new);
	hg_ignore_free(e->ignore);
	hg_canon_free(e->canon);
	hg_arena_dispose(e->tmp);
	hg_arena_dispose(e->scratch);
	hg_arena_dispose(e->work);
	hg_arena_dispose(e->a);
}

void hg_drift_report_free(hg_drift_report *r)
{
	if (!r)
		return;
	free(r->results);
	free(r->expired);
	hg_arena_dispose(r->arena);
	free(r);
}

bool hg_drift_found(const hg_drift_report *r, bool strict)
{
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		const hg_drift_result *x = &r->results[i];
		if (x->ignored)
			continue;
		if (x->status == HG_DS_DELETED || x->status == HG_DS_UNMANAGED)
			return true;
		if (x->status == HG_DS_NOT_CHECKED && strict)
			return true;
		if (x->status == HG_DS_MODIFIED)
			for (k = 0; k < x->ndiffs; k++)
				if (!x->diffs[k].ignored)
					return true;
		if (strict && x->nnot_checked)
			return true;
	}
	return false;
}

const char *hg_drift_status_name(hg_drift_status s)
{
	static const char *const names[] = {"IN_SYNC", "MODIFIED", "DELETED", "UNMANAGED", "NOT_CHECKED"};
	return (unsigned)s < HG_DS__COUNT ? names[s] : "?";
}

const char *hg_diff_kind_name(hg_diff_kind k)
{
	static const char *const names[] = {"ADD", "REMOVE", "NOT_EQUAL"};
	return (unsigned)k <= HG_DIFF_NOT_EQUAL ? names[k] : "?";
}
