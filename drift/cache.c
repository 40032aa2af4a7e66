/*
 * cache.c: verdicts of earlier runs (see cache.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. The file is JSON, so that it can be looked at, but each entry's
 * content is one string in a compact line format of our own ("blob"):
 * fields separated by '|', records ended by '~', and every byte that
 * could need escaping in JSON or that is a separator written as %XX.
 * Loading a cache of a whole fleet is then one fast JSON parse (strings
 * without escapes are copied in one go) and a hash index per section; an
 * entry is decoded only when it is used. Entries this run did not use are
 * not written back, so the file holds what the fleet is now; a cache this
 * run neither added to nor pruned is not written at all.
 *
 * What a key covers is the whole of what the entry depends on: an export
 * file's size and bytes; a template's bytes; a block's template, its
 * stack's context (account, region, parameters, physical IDs) and the
 * bytes of every record the stack names (Azure: the records it claimed,
 * checked again when the entry is used). The header adds the hinagata
 * version and a fingerprint of the rules; any mismatch voids the file.
 */
#define _GNU_SOURCE
#include "cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../common/jsontext.h"
#include "../compiler/compiler.h"

#define CACHE_VERSION 4
#define MAX_CACHE (2u << 30)

/* ---- the blob format ---- */

static void enc(hg_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *run = p;

	for (; *p; p++) {
		if (*p >= 0x20 && *p != 0x7f && *p != '%' && *p != '|' && *p != '~' && *p != '"' &&
		        *p != '\\')
			continue;
		hg_buf_put(b, (const char *)run, (size_t)(p - run));
		hg_buf_putc(b, '%');
		hg_buf_putc(b, hex[*p >> 4]);
		hg_buf_putc(b, hex[*p & 15]);
		run = p + 1;
	}
	hg_buf_put(b, (const char *)run, (size_t)(p - run));
	hg_buf_putc(b, '|');
}

static void enc_null(hg_buf *b, const char *s)
{
	if (s)
		enc(b, s);
	else
		hg_buf_puts(b, "%00|"); /* NUL never occurs in text: it stands for "none" */
}

static void enc_u64(hg_buf *b, uint64_t v)
{
	hg_buf_printf(b, "%llu|", (unsigned long long)v);
}

struct rd {
	const char *p, *end;
	hg_arena *a;
	bool bad;
};

static int unhex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The next field (arena), NULL for "none"; on a malformed blob r->bad. */
static const char *field(struct rd *r)
{
	const char *bar = r->p < r->end ? memchr(r->p, '|', (size_t)(r->end - r->p)) : NULL;
	char *out, *o;
	const char *q;

	if (!bar) {
		r->bad = true;
		return "";
	}
	if (bar - r->p == 3 && memcmp(r->p, "%00", 3) == 0) {
		r->p = bar + 1;
		return NULL;
	}
	out = o = hg_arena_alloc(r->a, (size_t)(bar - r->p) + 1);
	for (q = r->p; q < bar; q++) {
		if (*q == '%' && bar - q >= 3 && unhex(q[1]) >= 0 && unhex(q[2]) >= 0) {
			*o++ = (char)(unhex(q[1]) << 4 | unhex(q[2]));
			q += 2;
		} else if (*q == '%')
			r->bad = true;
		else
			*o++ = *q;
	}
	*o = '\0';
	r->p = bar + 1;
	return out;
}

static uint64_t num(struct rd *r)
{
	const char *f = field(r);
	char *end;
	unsigned long long v;
	if (!f || !*f) {
		r->bad = true;
		return 0;
	}
	v = strtoull(f, &end, 10);
	if (*end)
		r->bad = true;
	return v;
}

static void end_record(hg_buf *b)
{
	hg_buf_putc(b, '~');
}

static bool record_end(struct rd *r)
{
	if (r->p < r->end && *r->p == '~') {
		r->p++;
		return true;
	}
	r->bad = true;
	return false;
}

/* ---- the cache ---- */

struct entry {
	const char *key;
	const char *blob; /* borrowed from the loaded tree, or owned by the arena (new) */
	size_t len;
	uint64_t size, hash; /* files only */
	bool used;
};

struct section {
	struct entry *e;
	size_t n, cap;
	uint32_t *index; /* open addressing: key -> entry + 1 (malloc'd) */
	size_t icap;
};

struct hg_cache {
	pthread_mutex_t mu;
	hg_arena *a;
	char *path;
	uint64_t fingerprint;
	struct section sec[3]; /* ORDER SECTION: files, templates, blocks */
	size_t loaded;         /* entries read from the file */
	size_t added;          /* entries this run added */
	size_t hits;
	hg_jv *tree;
};

enum { FILES, TEMPLATES, BLOCKS };
static const char *const section_names[] = {"files", "templates", "blocks"}; /* ORDER SECTION */

static void sec_put(struct section *s, size_t i)
{
	size_t j, mask = s->icap - 1;
	for (j = hg_hash64(s->e[i].key, strlen(s->e[i].key)) & mask; s->index[j]; j = (j + 1) & mask)
		;
	s->index[j] = (uint32_t)i + 1;
}

/* Index entry n - 1, growing the table (and indexing everything again) when it fills. */
static void sec_index_last(struct section *s)
{
	size_t i;
	if (s->n * 2 + 1 > s->icap) {
		free(s->index);
		s->icap = s->icap ? s->icap * 2 : 16;
		while (s->icap < s->n * 2 + 1)
			s->icap *= 2;
		s->index = hg_xcalloc(s->icap, sizeof(*s->index));
		for (i = 0; i < s->n; i++)
			sec_put(s, i);
		return;
	}
	sec_put(s, s->n - 1);
}

static struct entry *sec_find(struct section *s, const char *key)
{
	size_t j, mask;
	if (!s->icap)
		return NULL;
	mask = s->icap - 1;
	for (j = hg_hash64(key, strlen(key)) & mask; s->index[j]; j = (j + 1) & mask)
		if (strcmp(s->e[s->index[j] - 1].key, key) == 0)
			return &s->e[s->index[j] - 1];
	return NULL;
}

/* Add (or replace) an entry made this run; the caller holds the lock. */
static void sec_add(hg_cache *c, struct section *s, const char *key, const hg_buf *blob,
        uint64_t size, uint64_t hash)
{
	struct entry *e = sec_find(s, key);
	if (!e) {
		HG_AGROW(c->a, s->e, s->cap, s->n + 1);
		e = &s->e[s->n++];
		memset(e, 0, sizeof(*e));
		e->key = hg_arena_strdup(c->a, key);
		sec_index_last(s);
	}
	e->blob = hg_arena_strndup(c->a, blob->ptr ? blob->ptr : "", blob->size);
	e->len = blob->size;
	e->size = size;
	e->hash = hash;
	e->used = true;
	c->added++;
}

static void hex64(char out[17], uint64_t v)
{
	hg_hash_hex(out, v);
}

static void load(hg_cache *c)
{
	hg_buf text = HG_BUF_INIT;
	size_t size = 0, k, i;
	const char *by;
	char fp[17];
	hg_jv *v;

	if (hg_fs_read(&text, c->path, MAX_CACHE, &size) < 0 ||
	        hg_jv_parse(&c->tree, c->a, text.ptr, text.size, 16, NULL) < 0) {
		hg_buf_dispose(&text);
		c->tree = NULL;
		return;
	}
	hg_buf_dispose(&text);
	v = c->tree;
	by = hg_jv_str(hg_jv_get(v, "compiler"));
	hex64(fp, c->fingerprint);
	if (!hg_jv_get(v, "version") || hg_jv_get(v, "version")->kind != HG_JV_NUM ||
	        hg_jv_get(v, "version")->n != 1 || hg_jv_get(v, "version")->u.s[0] != '0' + CACHE_VERSION ||
	        !by || strcmp(by, hg_compiler_version()) != 0 || !hg_jv_str(hg_jv_get(v, "fingerprint")) ||
	        strcmp(hg_jv_str(hg_jv_get(v, "fingerprint")), fp) != 0)
		return; /* another version, other rules: nothing of it is trusted */
	for (k = 0; k < 3; k++) {
		const hg_jv *o = hg_jv_get(v, section_names[k]);
		struct section *s = &c->sec[k];
		if (!o || o->kind != HG_JV_OBJ)
			continue;
		s->e = HG_ANEWN(c->a, struct entry, o->n + 1);
		s->cap = o->n + 1;
		for (i = 0; i < o->n; i++) {
			const hg_jv *val = o->u.members[i].val;
			struct entry *e = &s->e[s->n];
			e->key = o->u.members[i].key;
			if (k == FILES) {
				const char *h = hg_jv_str(hg_jv_get(val, "hash"));
				const hg_jv *sz = hg_jv_get(val, "size");
				const hg_jv *st = hg_jv_get(val, "state");
				if (!h || !sz || sz->kind != HG_JV_NUM || !st || st->kind != HG_JV_STR)
					continue;
				e->hash = strtoull(h, NULL, 16);
				e->size = strtoull(sz->u.s, NULL, 10);
				e->blob = st->u.s;
				e->len = st->n;
			} else {
				if (val->kind != HG_JV_STR)
					continue;
				e->blob = val->u.s;
				e->len = val->n;
			}
			s->n++;
			sec_index_last(s);
		}
		c->loaded += s->n;
	}
}

hg_cache *hg_cache_open(const char *path, uint64_t fingerprint, hg_diags *d)
{
	hg_cache *c = hg_xcalloc(1, sizeof(*c));
	(void)d; /* an unreadable or foreign cache is ignored: the run is the same without it */
	pthread_mutex_init(&c->mu, NULL);
	c->a = hg_arena_new();
	c->path = hg_xstrdup(path);
	c->fingerprint = fingerprint;
	load(c);
	return c;
}

void hg_cache_free(hg_cache *c)
{
	size_t k;
	if (!c)
		return;
	for (k = 0; k < 3; k++)
		free(c->sec[k].index);
	pthread_mutex_destroy(&c->mu);
	hg_arena_dispose(c->a);
	free(c->path);
	free(c);
}

size_t hg_cache_hits(const hg_cache *c)
{
	return c ? c->hits : 0;
}

static int cmp_entry(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->key, ((const struct entry *)y)->key);
}

void hg_cache_save(hg_cache *c, hg_diags *d)
{
	hg_buf out = HG_BUF_INIT;
	size_t k, i, used = 0;
	char fp[17];

	for (k = 0; k < 3; k++)
		for (i = 0; i < c->sec[k].n; i++)
			used += c->sec[k].e[i].used;
	/* Nothing added and nothing to drop: the file is already what it would be. */
	if (!c->added && used == c->loaded && c->tree)
		return;
	hex64(fp, c->fingerprint);
	hg_buf_printf(&out, "{\"version\": %d, \"compiler\": ", CACHE_VERSION);
	hg_json_string(&out, hg_compiler_version(), strlen(hg_compiler_version()));
	hg_buf_printf(&out, ", \"fingerprint\": \"%s\"", fp);
	for (k = 0; k < 3; k++) {
		struct section *s = &c->sec[k];
		struct entry *sorted = hg_xcalloc(s->n + 1, sizeof(*sorted));
		size_t n = 0;
		for (i = 0; i < s->n; i++)
			if (s->e[i].used)
				sorted[n++] = s->e[i];
		if (n > 1)
			qsort(sorted, n, sizeof(*sorted), cmp_entry);
		hg_buf_printf(&out, ",\n\"%s\": {", section_names[k]);
		for (i = 0; i < n; i++) {
			hg_buf_puts(&out, i ? ",\n" : "\n");
			hg_json_string(&out, sorted[i].key, strlen(sorted[i].key));
			if (k == FILES) {
				char h[17];
				hex64(h, sorted[i].hash);
				hg_buf_printf(&out, ": {\"size\": %llu, \"hash\": \"%s\", \"state\": \"",
				        (unsigned long long)sorted[i].size, h);
				hg_buf_put(&out, sorted[i].blob, sorted[i].len);
				hg_buf_puts(&out, "\"}");
			} else {
				hg_buf_puts(&out, ": \"");
				hg_buf_put(&out, sorted[i].blob, sorted[i].len);
				hg_buf_putc(&out, '"');
			}
		}
		hg_buf_puts(&out, "}");
		free(sorted);
	}
	hg_buf_puts(&out, "}\n");
	if (hg_fs_write_atomic(c->path, out.ptr, out.size) < 0)
		hg_diag_add(d, HG_D_IO_WRITE, NULL, c->path, strerror(errno), NULL);
	hg_buf_dispose(&out);
}

/* ---- export files ---- */

static void save_stack(hg_buf *b, const hg_stack *s)
{
	hg_buf params = HG_BUF_INIT;
	size_t i;

	hg_jv_canonical(&params, s->params);
	enc(b, s->name);
	enc_null(b, s->id);
	enc_null(b, s->scope_rg);
	enc_u64(b, (uint64_t)s->have_params | (uint64_t)s->have_resources << 1);
	enc(b, params.ptr ? params.ptr : "{}");
	enc_u64(b, s->nres);
	for (i = 0; i < s->nres; i++) {
		enc(b, s->res[i].logical);
		enc(b, s->res[i].type);
		enc_null(b, s->res[i].physical);
	}
	end_record(b);
	hg_buf_dispose(&params);
}

void hg_cache_file_note(hg_cache *c, const char *path, uint64_t size, uint64_t hash,
        const hg_state_file *f)
{
	const hg_unit *u = &f->part;
	hg_buf b = HG_BUF_INIT;
	hg_buf rg = HG_BUF_INIT;
	size_t i;

	enc_u64(&b, (uint64_t)u->aws | (uint64_t)u->azure << 1);
	enc_null(&b, u->account);
	enc_null(&b, u->az_rg);
	if (u->rg_location)
		hg_jv_canonical(&rg, u->rg_location);
	enc_null(&b, u->rg_location ? rg.ptr : NULL);
	enc_u64(&b, u->nlisted);
	for (i = 0; i < u->nlisted; i++)
		enc(&b, u->listed[i]);
	enc_u64(&b, u->nscopes);
	for (i = 0; i < u->nscopes; i++)
		enc(&b, u->scopes[i]);
	end_record(&b);
	enc_u64(&b, u->nstacks);
	for (i = 0; i < u->nstacks; i++)
		save_stack(&b, &u->stacks[i]);
	enc_u64(&b, u->nrecs);
	for (i = 0; i < u->nrecs; i++) {
		const hg_rec *r = &u->recs[i];
		enc(&b, r->type);
		enc(&b, r->identity);
		enc_u64(&b, r->line);
		enc_u64(&b, r->col);
		enc_u64(&b, r->offset);
		enc_u64(&b, r->len);
		enc_u64(&b, r->rawhash);
		enc_u64(&b, r->flags & (HG_REC_GET | HG_REC_AZURE | HG_REC_FLAT));
		end_record(&b);
	}
	pthread_mutex_lock(&c->mu);
	sec_add(c, &c->sec[FILES], path, &b, size, hash);
	pthread_mutex_unlock(&c->mu);
	hg_buf_dispose(&b);
	hg_buf_dispose(&rg);
}

static hg_jv *parse_text(hg_arena *a, const char *text, struct rd *r)
{
	hg_jv *v = NULL;
	if (!text || hg_jv_parse(&v, a, text, strlen(text), 512, NULL) < 0) {
		r->bad = true;
		return NULL;
	}
	return v;
}

hg_state_file *hg_cache_file(hg_cache *c, const char *path, uint64_t size, uint64_t hash)
{
	struct entry *e;
	hg_state_file *f;
	hg_unit *u;
	struct rd r;
	size_t i, k, n;
	uint64_t flags;
	const char *s;

	pthread_mutex_lock(&c->mu);
	e = sec_find(&c->sec[FILES], path);
	if (e && e->size == size && e->hash == hash)
		e->used = true;
	else
		e = NULL;
	pthread_mutex_unlock(&c->mu);
	if (!e)
		return NULL;
	f = hg_state_file_new();
	u = &f->part;
	r.p = e->blob;
	r.end = e->blob + e->len;
	r.a = u->a;
	r.bad = false;
	flags = num(&r);
	u->aws = flags & 1;
	u->azure = (flags & 2) != 0;
	u->account = field(&r);
	u->az_rg = field(&r);
	s = field(&r);
	u->rg_location = s ? parse_text(u->a, s, &r) : NULL;
	n = (size_t)num(&r);
	for (i = 0; i < n && !r.bad; i++) {
		HG_AGROW(u->a, u->listed, u->caplisted, u->nlisted + 1);
		u->listed[u->nlisted++] = field(&r);
	}
	n = (size_t)num(&r);
	for (i = 0; i < n && !r.bad; i++) {
		HG_AGROW(u->a, u->scopes, u->capscopes, u->nscopes + 1);
		u->scopes[u->nscopes++] = field(&r);
	}
	record_end(&r);
	n = (size_t)num(&r);
	for (i = 0; i < n && !r.bad; i++) {
		hg_stack *st;
		size_t nres;
		HG_AGROW(u->a, u->stacks, u->capstacks, u->nstacks + 1);
		st = &u->stacks[u->nstacks++];
		memset(st, 0, sizeof(*st));
		st->claimed = -1;
		st->name = field(&r);
		st->id = field(&r);
		st->scope_rg = field(&r);
		flags = num(&r);
		st->have_params = flags & 1;
		st->have_resources = (flags & 2) != 0;
		st->params = parse_text(u->a, field(&r), &r);
		nres = (size_t)num(&r);
		for (k = 0; k < nres && !r.bad; k++) {
			hg_stack_res *sr;
			HG_GROW(st->res, st->capres, st->nres + 1);
			sr = &st->res[st->nres++];
			sr->logical = field(&r);
			sr->type = field(&r);
			sr->physical = field(&r);
			sr->rec = -1;
		}
		record_end(&r);
		if (!st->name || !st->params)
			r.bad = true;
	}
	n = (size_t)num(&r);
	for (i = 0; i < n && !r.bad; i++) {
		hg_rec *rec;
		HG_GROW(u->recs, u->caprecs, u->nrecs + 1);
		rec = &u->recs[u->nrecs++];
		rec->type = field(&r);
		rec->identity = field(&r);
		rec->line = (uint32_t)num(&r);
		rec->col = (uint32_t)num(&r);
		rec->offset = num(&r);
		rec->len = (size_t)num(&r);
		rec->rawhash = num(&r);
		rec->flags = (unsigned)num(&r);
		rec->file = 0;
		record_end(&r);
		if (!rec->type || !rec->identity)
			r.bad = true;
	}
	if (r.bad || r.p != r.end) { /* damaged: read the file instead */
		hg_state_file_free(f);
		return NULL;
	}
	return f;
}

/* ---- templates ---- */

void hg_cache_template_note(hg_cache *c, const hg_tmpl *t)
{
	hg_buf b = HG_BUF_INIT;
	char key[17];
	size_t i;

	hex64(key, t->hash);
	enc_u64(&b, t->arm);
	enc_null(&b, t->name);
	enc_u64(&b, t->nlogical);
	for (i = 0; i < t->nlogical; i++)
		enc(&b, t->logical[i]);
	enc_u64(&b, t->nparams);
	for (i = 0; i < t->nparams; i++)
		enc(&b, t->params[i]);
	enc_u64(&b, t->nviolations);
	for (i = 0; i < t->nviolations; i++)
		enc(&b, t->violations[i]);
	end_record(&b);
	pthread_mutex_lock(&c->mu);
	sec_add(c, &c->sec[TEMPLATES], key, &b, 0, 0);
	pthread_mutex_unlock(&c->mu);
	hg_buf_dispose(&b);
}

static const char **strings(struct rd *r, size_t *n)
{
	const char **out;
	size_t i;
	*n = (size_t)num(r);
	if (r->bad || *n > 10000000)
		return NULL;
	out = HG_ANEWN(r->a, const char *, *n + 1);
	for (i = 0; i < *n && !r->bad; i++)
		if (!(out[i] = field(r)))
			r->bad = true;
	return out;
}

bool hg_cache_template(hg_cache *c, hg_tmpl *t, hg_arena *a)
{
	struct entry *e;
	struct rd r;
	char key[17];
	hg_tmpl copy = *t;

	hex64(key, t->hash);
	pthread_mutex_lock(&c->mu);
	e = sec_find(&c->sec[TEMPLATES], key);
	pthread_mutex_unlock(&c->mu);
	if (!e)
		return false;
	r.p = e->blob;
	r.end = e->blob + e->len;
	r.a = a;
	r.bad = false;
	copy.arm = num(&r) != 0;
	copy.name = field(&r);
	copy.logical = strings(&r, &copy.nlogical);
	copy.params = strings(&r, &copy.nparams);
	copy.violations = strings(&r, &copy.nviolations);
	record_end(&r);
	if (r.bad || r.p != r.end)
		return false;
	*t = copy;
	pthread_mutex_lock(&c->mu);
	e->used = true;
	pthread_mutex_unlock(&c->mu);
	return true;
}

/* ---- blocks ---- */

/* The key of a template in its stack: everything resolution and comparison read. */
static void block_key(char out[17], const hg_tmpl *t, const hg_unit *u, const hg_stack *s)
{
	hg_hasher *h = hg_hasher_new();
	hg_buf b = HG_BUF_INIT;
	size_t i;

	hg_buf_printf(&b, "%llx|%d|", (unsigned long long)t->hash, t->arm);
	if (u) {
		enc(&b, u->account);
		enc(&b, u->region);
		enc_null(&b, u->partition);
		enc_null(&b, t->arm ? u->az_rg : NULL);
		if (t->arm && u->rg_location)
			hg_jv_canonical(&b, u->rg_location);
	}
	hg_buf_putc(&b, '|');
	if (s) {
		enc(&b, s->name);
		enc_null(&b, s->id);
		enc_null(&b, s->scope_rg);
		enc_u64(&b, (uint64_t)s->have_params | (uint64_t)s->have_resources << 1);
		hg_jv_canonical(&b, s->params);
		/* the template it was deployed with: three-way results depend on it */
		enc_u64(&b, s->dtmpl >= 0 ? u->recs[s->dtmpl].rawhash : 0);
		hg_hasher_update(h, b.ptr, b.size);
		for (i = 0; i < s->nres; i++) {
			uint64_t raw = s->res[i].rec >= 0 ? u->recs[s->res[i].rec].rawhash : 0;
			hg_buf_clear(&b);
			enc(&b, s->res[i].logical);
			enc(&b, s->res[i].type);
			enc_null(&b, s->res[i].physical);
			hg_hasher_update(h, b.ptr, b.size);
			hg_hasher_update(h, &raw, sizeof(raw));
		}
	} else
		hg_hasher_update(h, b.ptr, b.size);
	hex64(out, hg_hasher_digest(h));
	hg_hasher_free(h);
	hg_buf_dispose(&b);
}

/* Could every result of b come back from the cache as it is? */
static bool cacheable(const hg_block *b)
{
	size_t i;
	for (i = 0; i < b->n; i++) {
		const hg_drift_result *x = &b->res[i];
		if (x->status != HG_DS_IN_SYNC || x->nnot_checked || x->nviolations || x->ndiffs)
			return false;
	}
	return true;
}

void hg_cache_note(hg_cache *c, const hg_block *b, const hg_tmpl *t, hg_unit *u, hg_stack *s)
{
	hg_buf blob = HG_BUF_INIT;
	char key[17];
	size_t i, k;

	if (!cacheable(b))
		return;
	block_key(key, t, u, s);
	enc_u64(&blob, b->n);
	for (i = 0; i < b->n; i++) {
		const hg_drift_result *x = &b->res[i];
		enc_null(&blob, x->account);
		enc_null(&blob, x->region);
		enc_null(&blob, x->unit);
		enc_null(&blob, x->logical_id);
		enc_null(&blob, x->type);
		enc_null(&blob, x->physical_id);
		enc_null(&blob, x->template_name);
		enc_null(&blob, x->template_version);
		enc_null(&blob, x->reason);
		enc_null(&blob, x->severity);
		enc_null(&blob, x->source_file);
		enc_u64(&blob, x->mandatory);
		enc_u64(&blob, x->props_compared);
		enc_u64(&blob, x->props_total);
		enc_null(&blob, x->expected_hash);
		enc_null(&blob, x->actual_hash);
		enc_u64(&blob, x->ncontrols);
		for (k = 0; k < x->ncontrols; k++)
			enc(&blob, x->controls[k]);
		enc_u64(&blob, x->nfolds);
		for (k = 0; k < x->nfolds; k++)
			enc(&blob, x->folds[k]);
		end_record(&blob);
	}
	/* Azure records are found by ID, not through the stack: what was claimed, as it was. */
	if (t->arm && u) {
		size_t claims = 0;
		for (i = 0; i < b->n; i++)
			if (b->res[i].physical_id && hg_unit_find_id(u, b->res[i].physical_id))
				claims++;
		enc_u64(&blob, claims);
		for (i = 0; i < b->n; i++) {
			hg_rec *r = b->res[i].physical_id ? hg_unit_find_id(u, b->res[i].physical_id) : NULL;
			if (!r)
				continue;
			enc(&blob, r->identity);
			enc_u64(&blob, r->rawhash);
		}
	} else
		enc_u64(&blob, 0);
	end_record(&blob);
	pthread_mutex_lock(&c->mu);
	sec_add(c, &c->sec[BLOCKS], key, &blob, 0, 0);
	pthread_mutex_unlock(&c->mu);
	hg_buf_dispose(&blob);
}

bool hg_cache_block(hg_cache *c, hg_block *b, const hg_tmpl *t, hg_unit *u, hg_stack *s)
{
	struct entry *e;
	struct rd r;
	char key[17];
	size_t n, i, k, nclaims;
	hg_rec **claims = NULL;

	block_key(key, t, u, s);
	pthread_mutex_lock(&c->mu);
	e = sec_find(&c->sec[BLOCKS], key);
	pthread_mutex_unlock(&c->mu);
	if (!e)
		return false;
	r.p = e->blob;
	r.end = e->blob + e->len;
	r.a = b->a;
	r.bad = false;
	n = (size_t)num(&r);
	if (r.bad || n > 100000000)
		return false;
	b->res = HG_ANEWN(b->a, hg_drift_result, n + 1);
	b->cap = n + 1;
	b->n = 0;
	for (i = 0; i < n && !r.bad; i++) {
		hg_drift_result *x = &b->res[b->n++];
		const char *h;
		memset(x, 0, sizeof(*x));
		x->account = (char *)(uintptr_t)field(&r);
		x->region = (char *)(uintptr_t)field(&r);
		x->unit = (char *)(uintptr_t)field(&r);
		x->logical_id = (char *)(uintptr_t)field(&r);
		x->type = (char *)(uintptr_t)field(&r);
		x->physical_id = (char *)(uintptr_t)field(&r);
		x->template_name = (char *)(uintptr_t)field(&r);
		x->template_version = (char *)(uintptr_t)field(&r);
		x->reason = (char *)(uintptr_t)field(&r);
		x->severity = (char *)(uintptr_t)field(&r);
		x->source_file = (char *)(uintptr_t)field(&r);
		x->mandatory = num(&r) != 0;
		x->props_compared = (size_t)num(&r);
		x->props_total = (size_t)num(&r);
		h = field(&r);
		snprintf(x->expected_hash, sizeof(x->expected_hash), "%s", h ? h : "");
		h = field(&r);
		snprintf(x->actual_hash, sizeof(x->actual_hash), "%s", h ? h : "");
		x->controls = (char **)(uintptr_t)strings(&r, &x->ncontrols);
		x->folds = (char **)(uintptr_t)strings(&r, &x->nfolds);
		if (!x->ncontrols)
			x->controls = NULL;
		if (!x->nfolds)
			x->folds = NULL;
		x->status = HG_DS_IN_SYNC;
		record_end(&r);
	}
	nclaims = (size_t)num(&r);
	if (!r.bad && nclaims)
		claims = HG_ANEWN(b->a, hg_rec *, nclaims);
	for (k = 0; k < nclaims && !r.bad; k++) {
		const char *id = field(&r);
		uint64_t raw = num(&r);
		claims[k] = id && u ? hg_unit_find_id(u, id) : NULL;
		if (!claims[k] || claims[k]->rawhash != raw)
			r.bad = true; /* a record changed or went: compare again */
	}
	record_end(&r);
	if (r.bad || r.p != r.end) {
		b->n = 0;
		return false;
	}
	for (k = 0; k < nclaims; k++)
		__atomic_fetch_or(&claims[k]->flags, HG_REC_CLAIMED, __ATOMIC_RELAXED);
	for (i = 0; s && i < s->nres; i++)
		if (s->res[i].rec >= 0)
			__atomic_fetch_or(&u->recs[s->res[i].rec].flags, HG_REC_CLAIMED, __ATOMIC_RELAXED);
	pthread_mutex_lock(&c->mu);
	e->used = true;
	c->hits += n;
	pthread_mutex_unlock(&c->mu);
	return true;
}
