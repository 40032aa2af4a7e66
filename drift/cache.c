/*
 * cache.c: verdicts of earlier runs (see cache.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. The file is lines of our own: a header line (format version,
 * hinagata version, fingerprints of the rules: those the readers of export
 * files follow, then those verdicts follow), then one line per entry,
 * "f KEY|SIZE|HASH|BLOB", "t KEY|BLOB", "b KEY|BLOB" or "s PATH|SIZE|HASH|
 * BLOB" (a file's identity: device, inode, modification and change times). A blob is a compact
 * record format: fields ended by '|', records by '~', "%00" for none,
 * "%=" for "the same as this field of the previous record" (a block's
 * account, region, unit and template repeat), and every byte that is a
 * separator, a control or not printable written as %XX, so that a blob is
 * one line. Loading a cache of a whole fleet is one read and a scan for
 * line ends, no parse: an entry is decoded only when it is used, and its
 * fields are cut in place (the '|' after a field becomes its NUL; a field
 * with an escape is decoded into the arena), so the strings of a cached
 * run live in the one buffer the file was read into. Entries this run did
 * not use are not written back, so the file holds what the fleet is now; a
 * cache this run neither added to nor pruned is not written at all.
 *
 * What a key covers is the whole of what the entry depends on: an export
 * file's size and bytes; a template's bytes; a block's template, its
 * stack's context (account, region, parameters, physical IDs) and the
 * bytes of every record the stack names (Azure: the records it claimed,
 * checked again when the entry is used). The header adds the hinagata
 * version and the two fingerprints: another version or other rules for
 * reading exports voids the file; other control rules (profiles, catalog)
 * void its templates and blocks, and keep what reading the exports found
 * (a run checks the first while the control rules are still being opened).
 */
#define _GNU_SOURCE
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../common/scan.h"
#include "../compiler/compiler.h"

#define CACHE_VERSION 10
#define CACHE_MAGIC "hinagata-drift-cache"
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
	char tmp[24];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		hg_buf_putc(b, tmp[--n]);
	hg_buf_putc(b, '|');
}

/* What a field was in the previous record, for "%=" (see the top of the file). */
static const char fresh[] = "";
#define FRESH ((const char *)fresh)

static void enc_same(hg_buf *b, const char *s, const char **prev)
{
	if (*prev != FRESH && (s == *prev || (s && *prev && strcmp(s, *prev) == 0))) {
		hg_buf_puts(b, "%=|");
		return;
	}
	enc_null(b, s);
	*prev = s;
}

/* ORDER SECTION: their lines begin "s", "f", "t", "b", in this order in the
 * file: a run needs the identities and files first, the blocks last */
enum { IDENTITIES, FILES, TEMPLATES, BLOCKS, NSEC };

struct rd {
	char *p, *end; /* the blob: its fields are cut in place when inplace */
	hg_arena *a;
	bool bad, inplace;
};

static int unhex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}


/*
 * The next field, NULL for "none"; on a malformed blob r->bad. In place (a
 * pointer into the blob, its '|' made its NUL) unless it holds an escape
 * or the blob is not ours to cut: then decoded into the arena.
 */
static const char *field(struct rd *r)
{
	char *bar, *out, *o;
	const char *q;

	if (r->inplace && (bar = (char *)(uintptr_t)hg_find2(r->p, r->end, '|', '%')) < r->end &&
	        *bar == '|') {
		out = r->p; /* the usual field: no escape */
		*bar = '\0';
		r->p = bar + 1;
		return out;
	}
	bar = r->p < r->end ? memchr(r->p, '|', (size_t)(r->end - r->p)) : NULL;
	if (!bar) {
		r->bad = true;
		return "";
	}
	if (bar - r->p == 3 && memcmp(r->p, "%00", 3) == 0) {
		r->p = bar + 1;
		return NULL;
	}
	if (r->inplace && !memchr(r->p, '%', (size_t)(bar - r->p))) {
		out = r->p;
		*bar = '\0';
		r->p = bar + 1;
		return out;
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

/* A field that may be "%=": then what *prev was; *prev becomes the field. */
static const char *field_same(struct rd *r, const char **prev)
{
	if (r->end - r->p >= 3 && r->p[0] == '%' && r->p[1] == '=' && r->p[2] == '|') {
		r->p += 3;
		if (*prev == FRESH)
			r->bad = true;
		return *prev == FRESH ? "" : *prev;
	}
	return *prev = field(r);
}

static uint64_t num(struct rd *r)
{
	uint64_t v = 0;
	char *q = r->p;

	if (q >= r->end || *q < '0' || *q > '9') {
		r->bad = true;
		return 0;
	}
	for (; q < r->end && (unsigned char)(*q - '0') <= 9; q++) {
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*q - '0'), &v)) {
			r->bad = true;
			return 0;
		}
	}
	if (q >= r->end || *q != '|') {
		r->bad = true;
		return 0;
	}
	r->p = q + 1;
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
	char *blob;          /* in the file's buffer (loaded), or owned by the arena (new) */
	size_t len;
	uint64_t size, hash; /* files only */
	bool used;
	bool loaded;         /* from the file: its blob may be cut in place, once */
	bool cut;            /* its fields are being (or were) cut in place: '|' become NULs */
	bool cut_done;       /* ... and its first reader is done: others may copy it */
	bool spilled;        /* new this run: its blob is in the spill file, at spill_off */
	uint64_t spill_off;
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
	uint64_t fingerprint, vfingerprint; /* of the rules for reading exports; for verdicts */
	struct section sec[NSEC]; /* ORDER SECTION: identities, files, templates, blocks */
	size_t loaded;         /* entries read from the file */
	size_t added;          /* entries this run added */
	size_t hits;
	char *text; /* the file as read (malloc'd): the loaded entries' keys and blobs */
	FILE *spill; /* this run's new blobs (an unlinked temporary file), so that a
	                fleet's new cache is not held in memory until it is saved */
	bool spill_failed;
	bool valid;  /* it was a cache of this version and these rules for reading exports */
	bool blocks_void; /* its blocks are not to be used (the loader adds no more) */
	bool vvalid; /* ... and of these rules for verdicts */
	const char *head; /* its header line (in text), head_len bytes with its '\n' */
	size_t head_len;
	struct timespec start; /* when the cache was opened (the clock files are stamped by) */
};

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
	e->loaded = e->cut = e->spilled = false;
	e->blob = NULL;
	if (!c->spill && !c->spill_failed && !(c->spill = tmpfile()))
		c->spill_failed = true;
	if (c->spill && fseeko(c->spill, 0, SEEK_END) == 0 && (e->spill_off = (uint64_t)ftello(c->spill),
	                fwrite(blob->ptr ? blob->ptr : "", 1, blob->size, c->spill) == blob->size))
		e->spilled = true;
	else /* no temporary file: kept in memory */
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

/* Decode a key in place (it ends at its '|'); NULL if malformed. */
static const char *key_of(struct rd *r)
{
	const char *k;
	r->inplace = true;
	k = field(r);
	return r->bad || !k ? NULL : k;
}

/* An entry's line indexed (the caller holds the lock); see index_line. */
static bool index_entry(hg_cache *c, char *p, char *nl)
{
	struct rd r;
	struct entry e;
	size_t k;

	k = p[0] == 'f' ? FILES : p[0] == 't' ? TEMPLATES : p[0] == 'b' ? BLOCKS
	  : p[0] == 's' ? IDENTITIES : NSEC;
	if (k == NSEC)
		return false;
	memset(&e, 0, sizeof(e));
	r.p = p + 2;
	r.end = nl;
	r.a = c->a;
	r.bad = false;
	if (!(e.key = key_of(&r)))
		return false;
	if (k == FILES || k == IDENTITIES) {
		e.size = num(&r);
		e.hash = num(&r);
		if (r.bad)
			return false;
	}
	if (r.p >= nl)
		return false;
	e.blob = r.p;
	e.len = (size_t)(nl - r.p);
	e.loaded = true;
	if (k != BLOCKS || !c->blocks_void) {
		struct section *sec = &c->sec[k];
		HG_AGROW(c->a, sec->e, sec->cap, sec->n + 1);
		sec->e[sec->n++] = e;
		sec_index_last(sec);
		c->loaded++;
	}
	return true;
}

/*
 * One line of the file indexed (p at its first byte, nl at its '\n'):
 * false if it is damaged (it and what follows are not used).
 */
static bool index_line(hg_cache *c, char *p, char *nl)
{
	bool ok;

	if (nl - p < 3 || p[1] != ' ')
		return false;
	/* the blocks are indexed while the other sections are in use (a key
	 * with an escape is decoded into the cache's arena, shared) */
	pthread_mutex_lock(&c->mu);
	ok = index_entry(c, p, nl);
	pthread_mutex_unlock(&c->mu);
	return ok;
}

/*
 * The file read and its entries indexed, without judging its header yet
 * (hg_cache_check does, before any entry is used): a run starts reading
 * its cache before it has opened the rules the header's fingerprint is of.
 * It is read in pieces into one buffer, each line indexed once it is
 * whole; when the blocks begin (the rest of the file: what a run needs
 * last and most of its bytes), ready(c, payload) is called, and its
 * identities, files and templates may be used while the blocks are read.
 */
#define LOAD_PIECE ((size_t)4 << 20)

static void load(hg_cache *c, void (*ready)(hg_cache *c, void *payload), void *payload)
{
	struct stat st;
	size_t size, got = 0;
	char *p, *nl;
	bool said = false, whole = true;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	        (uint64_t)st.st_size > MAX_CACHE) {
		if (fd >= 0)
			close(fd);
		goto done;
	}
	size = (size_t)st.st_size; /* bytes appended since are not read */
	c->text = hg_xmalloc(size + 1);
	p = c->text;
	while (got < size && whole) {
		size_t want = size - got < LOAD_PIECE ? size - got : LOAD_PIECE;
		ssize_t n = read(fd, c->text + got, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* cut short: what is whole is used */
		got += (size_t)n;
		for (; (nl = memchr(p, '\n', (size_t)(c->text + got - p))) != NULL; p = nl + 1) {
			if (!c->head) { /* the header line */
				c->head = p;
				c->head_len = (size_t)(nl + 1 - p);
				continue;
			}
			if (!said && *p == 'b' && ready) {
				said = true;
				ready(c, payload);
			}
			if (!(whole = index_line(c, p, nl)))
				break; /* damaged from here on: what came before is still whole */
		}
	}
	c->text[got] = '\0';
	close(fd);
done:
	if (!said && ready)
		ready(c, payload);
}

hg_cache *hg_cache_load_notify(const char *path, hg_diags *d,
        void (*ready)(hg_cache *c, void *payload), void *payload)
{
	hg_cache *c = hg_xcalloc(1, sizeof(*c));
	(void)d; /* an unreadable or foreign cache is ignored: the run is the same without it */
	pthread_mutex_init(&c->mu, NULL);
	c->a = hg_arena_new();
	c->path = hg_xstrdup(path);
	clock_gettime(CLOCK_REALTIME, &c->start);
	load(c, ready, payload);
	return c;
}

hg_cache *hg_cache_load(const char *path, hg_diags *d)
{
	return hg_cache_load_notify(path, d, NULL, NULL);
}

/* The header up to the verdicts' fingerprint. */
static void head_of(hg_buf *h, uint64_t fingerprint)
{
	char fp[17];
	hex64(fp, fingerprint);
	hg_buf_printf(h, "%s %d ", CACHE_MAGIC, CACHE_VERSION);
	enc(h, hg_compiler_version());
	enc(h, fp);
}

static void void_section(hg_cache *c, size_t k)
{
	c->loaded -= c->sec[k].n;
	free(c->sec[k].index);
	memset(&c->sec[k], 0, sizeof(c->sec[k]));
}

void hg_cache_check(hg_cache *c, uint64_t fingerprint)
{
	hg_buf h = HG_BUF_INIT;
	size_t k;

	head_of(&h, fingerprint);
	pthread_mutex_lock(&c->mu);
	c->fingerprint = fingerprint;
	c->valid = c->head && c->head_len >= h.size && memcmp(c->head, h.ptr, h.size) == 0;
	if (!c->valid) {
		/* another version, other rules, or not a cache: none of its entries is used */
		for (k = 0; k < NSEC; k++)
			void_section(c, k);
		c->loaded = 0;
		c->blocks_void = true;
	}
	pthread_mutex_unlock(&c->mu);
	hg_buf_dispose(&h);
}

void hg_cache_check_verdicts(hg_cache *c, uint64_t fingerprint)
{
	hg_buf h = HG_BUF_INIT;
	char fp[17];

	hex64(fp, fingerprint);
	head_of(&h, c->fingerprint);
	hg_buf_printf(&h, "%s\n", fp);
	pthread_mutex_lock(&c->mu);
	c->vfingerprint = fingerprint;
	c->vvalid = c->valid && c->head_len == h.size && memcmp(c->head, h.ptr, h.size) == 0;
	if (!c->vvalid) { /* other control rules: what the exports held still holds */
		void_section(c, TEMPLATES);
		void_section(c, BLOCKS);
		c->blocks_void = true;
	}
	pthread_mutex_unlock(&c->mu);
	hg_buf_dispose(&h);
}

hg_cache *hg_cache_open(const char *path, uint64_t fingerprint, hg_diags *d)
{
	hg_cache *c = hg_cache_load(path, d);
	hg_cache_check(c, fingerprint);
	hg_cache_check_verdicts(c, fingerprint);
	return c;
}

void hg_cache_free(hg_cache *c)
{
	size_t k;
	if (!c)
		return;
	for (k = 0; k < NSEC; k++)
		free(c->sec[k].index);
	free(c->text);
	if (c->spill)
		fclose(c->spill);
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

/* A blob as it was written: the '|' its cuts made NULs, mended. */
static void put_blob(hg_buf *out, const struct entry *e, FILE *spill)
{
	const char *p = e->blob, *end, *z;
	if (e->spilled) { /* blob is NULL */
		size_t at = out->size;
		hg_buf_grow(out, e->len + 1);
		if (fflush(spill) != 0 ||
		        pread(fileno(spill), out->ptr + at, e->len, (off_t)e->spill_off) != (ssize_t)e->len)
			return; /* cannot happen short of I/O errors: the entry is left out */
		out->size += e->len;
		out->ptr[out->size] = '\0';
		return;
	}
	if (!e->cut) {
		hg_buf_put(out, p, e->len);
		return;
	}
	end = p + e->len;
	while ((z = memchr(p, '\0', (size_t)(end - p))) != NULL) {
		hg_buf_put(out, p, (size_t)(z - p));
		hg_buf_putc(out, '|');
		p = z + 1;
	}
	hg_buf_put(out, p, (size_t)(end - p));
}

/* Write out's bytes to o once they are many (or at the end), so that a fleet's cache is never whole in memory twice. */
static int spill(hg_fs_out *o, hg_buf *out, bool end)
{
	int rc = 0;
	if (out->size >= (1u << 20) || (end && out->size)) {
		rc = hg_fs_out_write(o, out->ptr, out->size);
		hg_buf_clear(out);
	}
	return rc;
}

int hg_cache_save(hg_cache *c, hg_diags *d)
{
	static const char tags[] = "sftb"; /* ORDER SECTION */
	hg_buf out = HG_BUF_INIT;
	hg_fs_out o;
	size_t k, i, used = 0;
	char fp[17];
	int rc;

	for (k = 0; k < NSEC; k++)
		for (i = 0; i < c->sec[k].n; i++)
			used += c->sec[k].e[i].used;
	/* Nothing added and nothing to drop: the file is already what it would be. */
	if (!c->added && used == c->loaded && c->valid && c->vvalid)
		return 0;
	if ((rc = hg_fs_out_open(&o, c->path)) < 0) {
		hg_diag_add(d, HG_D_IO_WRITE, NULL, c->path, strerror(errno), NULL);
		return HG_EIO;
	}
	head_of(&out, c->fingerprint);
	hex64(fp, c->vfingerprint);
	hg_buf_printf(&out, "%s\n", fp);
	for (k = 0; k < NSEC && rc == 0; k++) {
		struct section *s = &c->sec[k];
		struct entry *sorted = hg_xcalloc(s->n + 1, sizeof(*sorted));
		size_t n = 0;
		for (i = 0; i < s->n; i++)
			if (s->e[i].used)
				sorted[n++] = s->e[i];
		if (n > 1)
			qsort(sorted, n, sizeof(*sorted), cmp_entry);
		for (i = 0; i < n && rc == 0; i++) {
			hg_buf_putc(&out, tags[k]);
			hg_buf_putc(&out, ' ');
			enc(&out, sorted[i].key);
			if (k == FILES || k == IDENTITIES) {
				enc_u64(&out, sorted[i].size);
				enc_u64(&out, sorted[i].hash);
			}
			put_blob(&out, &sorted[i], c->spill);
			hg_buf_putc(&out, '\n');
			rc = spill(&o, &out, false);
		}
		free(sorted);
	}
	if (rc == 0)
		rc = spill(&o, &out, true);
	if (rc == 0)
		rc = hg_fs_out_commit(&o);
	else
		hg_fs_out_abort(&o);
	if (rc < 0)
		hg_diag_add(d, HG_D_IO_WRITE, NULL, c->path, strerror(errno), NULL);
	hg_buf_dispose(&out);
	return rc < 0 ? HG_EIO : 0;
}

/* How an entry is read: in place (its first reader), from a copy, or not now. */
enum { READ_FIRST, READ_COPY, READ_BUSY };

/*
 * Claim e for reading (under the lock): the first reader cuts it in place;
 * a later one copies it as written, once the first is done (it is busy
 * until then: that reader computes what it wanted instead).
 */
static int claim(struct entry *e)
{
	if (e->loaded && !e->cut) {
		e->cut = true;
		return READ_FIRST;
	}
	return e->loaded && !e->cut_done ? READ_BUSY : READ_COPY;
}

/* The first reader of e is done with it (takes the lock). */
static void release(hg_cache *c, struct entry *e, int how)
{
	if (how != READ_FIRST)
		return;
	pthread_mutex_lock(&c->mu);
	e->cut_done = true;
	pthread_mutex_unlock(&c->mu);
}

/* Begin reading e as claim() said (READ_FIRST or READ_COPY); strings go to a when copied. */
static void reader(hg_cache *c, struct rd *r, struct entry *e, int how, hg_arena *a)
{
	r->a = a;
	r->bad = false;
	r->inplace = true;
	if (how == READ_FIRST) {
		r->p = e->blob;
	} else {
		hg_buf b = HG_BUF_INIT;
		pthread_mutex_lock(&c->mu); /* the spill file is written under the lock */
		put_blob(&b, e, c->spill);
		pthread_mutex_unlock(&c->mu);
		r->p = hg_arena_strndup(a, b.ptr ? b.ptr : "", b.size);
		hg_buf_dispose(&b);
	}
	r->end = r->p + e->len;
}

/* ---- file identities ---- */

/*
 * What identifies a file's bytes without reading them, as git's index does:
 * device, inode, size, and the modification and change times to the
 * nanosecond. A change of content changes the change time (ctime), which
 * no program can set; a collector that replaces a file with a new one
 * changes its inode. An identity is recorded only for a file last changed
 * well before this run began (RACY_NS): one changed within the clock's
 * granularity of the run that read it could change again with the same
 * stamps, so it is hashed again next time instead ("racily clean" in git).
 */
#define RACY_NS 2000000000LL

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void identity_blob(hg_buf *b, const struct stat *st)
{
	enc_u64(b, (uint64_t)st->st_dev);
	enc_u64(b, (uint64_t)st->st_ino);
	enc_u64(b, (uint64_t)ns_of(&st->st_mtim));
	enc_u64(b, (uint64_t)ns_of(&st->st_ctim));
}

bool hg_cache_identity(hg_cache *c, const char *path, uint64_t *size, uint64_t *hash)
{
	struct stat st;
	struct entry *e;
	hg_buf want = HG_BUF_INIT;
	bool hit = false;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	identity_blob(&want, &st);
	pthread_mutex_lock(&c->mu);
	e = sec_find(&c->sec[IDENTITIES], path);
	if (e && e->size == (uint64_t)st.st_size && e->loaded && !e->spilled && e->len == want.size &&
	        memcmp(e->blob, want.ptr, want.size) == 0) {
		e->used = true;
		*size = e->size;
		*hash = e->hash;
		hit = true;
	}
	pthread_mutex_unlock(&c->mu);
	hg_buf_dispose(&want);
	return hit;
}

void hg_cache_identity_note(hg_cache *c, const char *path, uint64_t size, uint64_t hash)
{
	struct stat st;
	hg_buf b = HG_BUF_INIT;
	int64_t settled = ns_of(&c->start) - RACY_NS;
	struct entry *e;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size ||
	        ns_of(&st.st_mtim) >= settled || ns_of(&st.st_ctim) >= settled)
		return;
	identity_blob(&b, &st);
	pthread_mutex_lock(&c->mu);
	e = sec_find(&c->sec[IDENTITIES], path);
	if (e && e->loaded && !e->spilled && e->size == size && e->hash == hash && e->len == b.size &&
	        memcmp(e->blob, b.ptr, b.size) == 0)
		e->used = true; /* the same as the file said: nothing new */
	else
		sec_add(c, &c->sec[IDENTITIES], path, &b, size, hash);
	pthread_mutex_unlock(&c->mu);
	hg_buf_dispose(&b);
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
	const char *prev_type = FRESH;

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
		enc_same(&b, r->type, &prev_type);
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

/* An object written as JSON text (a stack's parameters, a group's location); else r->bad. */
static hg_jv *parse_text(hg_arena *a, const char *text, struct rd *r)
{
	hg_jv *v = NULL;
	if (!text || hg_jv_parse(&v, a, text, strlen(text), 512, NULL) < 0 || v->kind != HG_JV_OBJ) {
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
	const char *s, *prev_type = FRESH;
	int how = READ_COPY;

	pthread_mutex_lock(&c->mu);
	e = sec_find(&c->sec[FILES], path);
	if (e && e->size == size && e->hash == hash && (how = claim(e)) != READ_BUSY)
		e->used = true;
	else
		e = NULL;
	pthread_mutex_unlock(&c->mu);
	if (!e)
		return NULL;
	f = hg_state_file_new();
	u = &f->part;
	reader(c, &r, e, how, u->a);
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
		if (!r.bad && nres <= e->len)
			HG_GROW(st->res, st->capres, nres);
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
	if (!r.bad && n <= e->len) /* each record takes more than a byte: a count past that is damage */
		HG_GROW(u->recs, u->caprecs, n);
	for (i = 0; i < n && !r.bad; i++) {
		hg_rec *rec;
		HG_GROW(u->recs, u->caprecs, u->nrecs + 1);
		rec = &u->recs[u->nrecs++];
		rec->type = field_same(&r, &prev_type);
		rec->identity = field(&r);
		rec->line = (uint32_t)num(&r);
		rec->col = (uint32_t)num(&r);
		rec->offset = num(&r);
		rec->len = (size_t)num(&r);
		rec->rawhash = num(&r);
		rec->flags = (unsigned)num(&r);
		rec->file = 0;
		rec->props_at = rec->props_len = 0; /* not kept: looked for when read back */
		record_end(&r);
		if (!rec->type || !rec->identity)
			r.bad = true;
	}
	release(c, e, how);
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
	int how;

	hex64(key, t->hash);
	pthread_mutex_lock(&c->mu);
	e = sec_find(&c->sec[TEMPLATES], key);
	how = e ? claim(e) : READ_BUSY;
	pthread_mutex_unlock(&c->mu);
	if (how == READ_BUSY)
		return false;
	reader(c, &r, e, how, a);
	copy.arm = num(&r) != 0;
	copy.name = field(&r);
	copy.logical = strings(&r, &copy.nlogical);
	copy.params = strings(&r, &copy.nparams);
	copy.violations = strings(&r, &copy.nviolations);
	record_end(&r);
	release(c, e, how);
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
/* A field of a key at o: its length (all ones for none), then its bytes; the byte after it. */
static char *key_field(char *o, const char *s, size_t n)
{
	uint32_t len = s ? (uint32_t)n : UINT32_MAX;
	memcpy(o, &len, sizeof(len));
	if (n)
		memcpy(o + sizeof(len), s, n);
	return o + sizeof(len) + n;
}

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
		/* The stack's resources: fields framed by their lengths, hashed at
		 * once (a rerun computes this for every stack: 100,000 resources) */
		for (i = 0; i < s->nres; i++) {
			const hg_stack_res *sr = &s->res[i];
			uint64_t raw = sr->rec >= 0 ? u->recs[sr->rec].rawhash : 0;
			size_t nl = sr->logical ? strlen(sr->logical) : 0, nt = sr->type ? strlen(sr->type) : 0,
			       np = sr->physical ? strlen(sr->physical) : 0;
			char *o;
			hg_buf_grow(&b, nl + nt + np + 3 * sizeof(uint32_t) + sizeof(raw));
			o = key_field(b.ptr + b.size, sr->logical, nl);
			o = key_field(o, sr->type, nt);
			o = key_field(o, sr->physical, np);
			memcpy(o, &raw, sizeof(raw));
			b.size = (size_t)(o + sizeof(raw) - b.ptr);
			b.ptr[b.size] = '\0';
		}
		hg_hasher_update(h, b.ptr, b.size);
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
	uint64_t pc, pt;
	const char *prev[16];

	if (!cacheable(b))
		return;
	block_key(key, t, u, s);
	/* the header: what a run that lists no in-sync result needs (the counts
	 * and the claims), so that such a run decodes nothing else */
	enc_u64(&blob, b->n);
	for (i = 0, pc = 0, pt = 0; i < b->n; i++) {
		pc += b->res[i].props_compared;
		pt += b->res[i].props_total;
	}
	enc_u64(&blob, pc);
	enc_u64(&blob, pt);
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
	for (k = 0; k < HG_ARRAY_SIZE(prev); k++)
		prev[k] = FRESH;
	for (i = 0; i < b->n; i++) {
		const hg_drift_result *x = &b->res[i];
		/* what repeats from one result to the next is "%=" (see the top of the file) */
		enc_same(&blob, x->account, &prev[0]);
		enc_same(&blob, x->region, &prev[1]);
		enc_same(&blob, x->unit, &prev[2]);
		enc_null(&blob, x->logical_id);
		enc_same(&blob, x->type, &prev[3]);
		enc_null(&blob, x->physical_id);
		enc_same(&blob, x->template_name, &prev[4]);
		enc_same(&blob, x->template_version, &prev[5]);
		enc_same(&blob, x->reason, &prev[6]);
		enc_same(&blob, x->severity, &prev[7]);
		enc_same(&blob, x->source_file, &prev[8]);
		enc_u64(&blob, x->mandatory);
		enc_u64(&blob, x->props_compared);
		enc_u64(&blob, x->props_total);
		enc_null(&blob, x->expected_hash);
		/* in sync: the two hashes are one, most of the time */
		prev[9] = x->expected_hash;
		enc_same(&blob, x->actual_hash, &prev[9]);
		enc_u64(&blob, x->ncontrols);
		for (k = 0; k < x->ncontrols; k++)
			enc(&blob, x->controls[k]);
		enc_u64(&blob, x->nfolds);
		for (k = 0; k < x->nfolds; k++)
			enc_same(&blob, x->folds[k], &prev[10 + (k < 5 ? k : 5)]);
		end_record(&blob);
	}
	pthread_mutex_lock(&c->mu);
	sec_add(c, &c->sec[BLOCKS], key, &blob, 0, 0);
	pthread_mutex_unlock(&c->mu);
	hg_buf_dispose(&blob);
}

bool hg_cache_block(hg_cache *c, hg_block *b, const hg_tmpl *t, hg_unit *u, hg_stack *s,
        bool counts_only)
{
	struct entry *e;
	struct rd r;
	char key[17];
	size_t n, i, k, nclaims;
	uint64_t pc, pt;
	hg_rec **claims = NULL;
	int how;
	const char *prev[16];

	block_key(key, t, u, s);
	pthread_mutex_lock(&c->mu);
	e = sec_find(&c->sec[BLOCKS], key);
	how = e ? claim(e) : READ_BUSY;
	pthread_mutex_unlock(&c->mu);
	if (how == READ_BUSY)
		return false;
	reader(c, &r, e, how, b->a);
	for (k = 0; k < HG_ARRAY_SIZE(prev); k++)
		prev[k] = FRESH;
	n = (size_t)num(&r);
	pc = num(&r);
	pt = num(&r);
	nclaims = (size_t)num(&r);
	if (r.bad || n > 100000000 || nclaims > n) {
		release(c, e, how);
		return false;
	}
	if (nclaims)
		claims = HG_ANEWN(b->a, hg_rec *, nclaims);
	for (k = 0; k < nclaims && !r.bad; k++) {
		const char *id = field(&r);
		uint64_t raw = num(&r);
		claims[k] = id && u ? hg_unit_find_id(u, id) : NULL;
		if (!claims[k] || claims[k]->rawhash != raw)
			r.bad = true; /* a record changed or went: compare again */
	}
	record_end(&r);
	if (r.bad) {
		release(c, e, how);
		return false;
	}
	if (counts_only) { /* n results in sync with nothing to say: counted, not listed */
		b->n = 0;
		b->sum.counts[HG_DS_IN_SYNC] += n;
		b->sum.total += n;
		b->sum.checked += n;
		b->sum.props_checked += (size_t)pc;
		b->sum.props_total += (size_t)pt;
		release(c, e, how);
		goto claim;
	}
	b->res = HG_ANEWN(b->a, hg_drift_result, n + 1);
	b->cap = n + 1;
	b->n = 0;
	for (i = 0; i < n && !r.bad; i++) {
		hg_drift_result *x = &b->res[b->n++];
		const char *h;
		memset(x, 0, sizeof(*x));
		x->account = (char *)(uintptr_t)field_same(&r, &prev[0]);
		x->region = (char *)(uintptr_t)field_same(&r, &prev[1]);
		x->unit = (char *)(uintptr_t)field_same(&r, &prev[2]);
		x->logical_id = (char *)(uintptr_t)field(&r);
		x->type = (char *)(uintptr_t)field_same(&r, &prev[3]);
		x->physical_id = (char *)(uintptr_t)field(&r);
		x->template_name = (char *)(uintptr_t)field_same(&r, &prev[4]);
		x->template_version = (char *)(uintptr_t)field_same(&r, &prev[5]);
		x->reason = (char *)(uintptr_t)field_same(&r, &prev[6]);
		x->severity = (char *)(uintptr_t)field_same(&r, &prev[7]);
		x->source_file = (char *)(uintptr_t)field_same(&r, &prev[8]);
		x->mandatory = num(&r) != 0;
		x->props_compared = (size_t)num(&r);
		x->props_total = (size_t)num(&r);
		h = field(&r);
		snprintf(x->expected_hash, sizeof(x->expected_hash), "%s", h ? h : "");
		prev[9] = h;
		h = field_same(&r, &prev[9]);
		snprintf(x->actual_hash, sizeof(x->actual_hash), "%s", h ? h : "");
		x->controls = (char **)(uintptr_t)strings(&r, &x->ncontrols);
		x->nfolds = (size_t)num(&r);
		if (r.bad || x->nfolds > 1000)
			r.bad = true;
		else if (x->nfolds) {
			x->folds = HG_ANEWN(b->a, char *, x->nfolds);
			for (k = 0; k < x->nfolds; k++)
				if (!(x->folds[k] = (char *)(uintptr_t)field_same(&r, &prev[10 + (k < 5 ? k : 5)])))
					r.bad = true;
		}
		if (!x->ncontrols)
			x->controls = NULL;
		if (!x->nfolds)
			x->folds = NULL;
		x->status = HG_DS_IN_SYNC;
		record_end(&r);
	}
	release(c, e, how);
	if (r.bad || r.p != r.end) {
		b->n = 0;
		return false;
	}
claim:
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
