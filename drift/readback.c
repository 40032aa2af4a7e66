/*
 * readback.c: the records of the deployed state read back (see readback.h).
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include "readback.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../common/hash.h"

/* ---- reading records back ---- */

void hg_fdcache_init(hg_fdcache *c)
{
	size_t i;
	memset(c, 0, sizeof(*c));
	for (i = 0; i < HG_ARRAY_SIZE(c->slot); i++)
		c->slot[i].fd = -1;
}

void hg_fdcache_dispose(hg_fdcache *c)
{
	size_t i;
	for (i = 0; i < HG_ARRAY_SIZE(c->slot); i++)
		if (c->slot[i].fd >= 0)
			close(c->slot[i].fd);
	free(c->pre);
	free(c->buf);
	hg_fdcache_init(c);
}

static int fd_of(hg_fdcache *c, const hg_unit *u, uint32_t file)
{
	size_t i, lru = 0;

	c->tick++;
	for (i = 0; i < HG_ARRAY_SIZE(c->slot); i++) {
		if (c->slot[i].fd >= 0 && c->slot[i].u == u && c->slot[i].file == file) {
			c->slot[i].used = c->tick;
			return c->slot[i].fd;
		}
		if (c->slot[i].used < c->slot[lru].used)
			lru = i;
	}
	if (c->slot[lru].fd >= 0)
		close(c->slot[lru].fd);
	c->slot[lru].u = u;
	c->slot[lru].file = file;
	c->slot[lru].used = c->tick;
	c->slot[lru].fd = open(u->paths[file], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	return c->slot[lru].fd;
}

/* ---- reading ahead ---- */

#define PREFETCH_MAX ((size_t)4 << 20) /* bytes read ahead at once, at most */
#define PREFETCH_GAP 4096              /* bytes between two records read in one go, at most */
#define PREFETCH_SLACK ((size_t)1 << 20) /* bytes of such gaps read at once, at most */

struct place {
	uint32_t file;
	int rec;
	uint64_t offset;
};

static int cmp_place(const void *x, const void *y)
{
	const struct place *a = x, *b = y;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static int cmp_pre(const void *x, const void *y)
{
	const struct hg_prefetched *a = x, *b = y;
	return a->rec < b->rec ? -1 : a->rec > b->rec;
}

static int fd_of(hg_fdcache *c, const hg_unit *u, uint32_t file);

void hg_state_prefetch(hg_fdcache *c, const hg_unit *u, const int *recs, size_t n)
{
	struct place *order;
	size_t i, j, k, total = 0, used = 0;

	c->npre = 0;
	c->pu = u;
	if (n < 2)
		return;
	order = hg_xmalloc(n * sizeof(*order));
	for (i = k = 0; i < n; i++)
		if (recs[i] >= 0 && u->recs[recs[i]].len <= PREFETCH_MAX - total) {
			order[k].file = u->recs[recs[i]].file;
			order[k].offset = u->recs[recs[i]].offset;
			order[k++].rec = recs[i];
			total += u->recs[recs[i]].len;
		}
	n = k;
	hg_sort(order, n, sizeof(*order), cmp_place);
	/* room for the records and for the gaps between those of a run */
	total += n * PREFETCH_GAP < PREFETCH_SLACK ? n * PREFETCH_GAP : PREFETCH_SLACK;
	if (total > c->bufcap) {
		free(c->buf);
		c->bufcap = total;
		c->buf = hg_xmalloc(c->bufcap);
	}
	HG_GROW(c->pre, c->cappre, n);
	for (i = 0; i < n; i = j) {
		const hg_rec *first = &u->recs[order[i].rec];
		uint64_t end = first->offset + first->len;
		size_t span;
		int fd;
		if (first->len > c->bufcap - used)
			break; /* the gaps read with the runs took the room: the rest one by one */
		/* a run of records of one file, each close after the last */
		for (j = i + 1; j < n; j++) {
			const hg_rec *r = &u->recs[order[j].rec];
			uint64_t e2 = r->offset + r->len;
			if (r->file != first->file || r->offset < end || r->offset - end > PREFETCH_GAP ||
			        e2 - first->offset > c->bufcap - used)
				break;
			end = e2;
		}
		span = (size_t)(end - first->offset);
		fd = fd_of(c, u, first->file);
		if (fd < 0 || pread(fd, c->buf + used, span, (off_t)first->offset) != (ssize_t)span)
			continue; /* read one by one later, where an error is reported */
		for (k = i; k < j; k++) {
			c->pre[c->npre].rec = (uint32_t)order[k].rec;
			c->pre[c->npre].at = (uint32_t)(used + (size_t)(order[k].offset - first->offset));
			c->npre++;
		}
		used += span;
	}
	if (c->npre > 1)
		hg_sort(c->pre, c->npre, sizeof(*c->pre), cmp_pre);
	free(order);
}

/* The bytes of r if they were read ahead, else NULL. */
static const char *prefetched(const hg_fdcache *c, const hg_unit *u, const hg_rec *r)
{
	size_t lo = 0, hi = c->npre;
	uint32_t want;
	if (c->pu != u || !c->npre)
		return NULL;
	want = (uint32_t)(r - u->recs);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->pre[mid].rec < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->npre && c->pre[lo].rec == want ? c->buf + c->pre[lo].at : NULL;
}

static hg_jv *parse_error(hg_diags *d, const hg_unit *u, const hg_rec *r, const char *raw,
        size_t off, const hg_jv_error *err, const char *what, int *rc)
{
	hg_span sp;

	memset(&sp, 0, sizeof(sp));
	sp.file = hg_diags_source(d, u->files[r->file], NULL, 0);
	sp.line = r->line;
	sp.col = r->col;
	hg_span_advance(&sp, raw, off < r->len ? off : r->len);
	if (err && err->truncated)
		hg_diag_add(d, HG_D_EXPORT_TRUNCATED, &sp, HG_BI("a record", "レコード"), NULL);
	else
		hg_diag_add(d, HG_D_EXPORT_SYNTAX, &sp, what ? what : err->what, NULL);
	*rc = HG_EINVALID;
	return NULL;
}

hg_jv *hg_state_record(hg_unit *u, const hg_rec *r, hg_arena *a, hg_fdcache *fc, hg_diags *d,
        int *rc)
{
	return hg_state_record_select(u, r, a, fc, d, rc, NULL, 0);
}

/*
 * A flattened az record in the shape of the resource: the members of the
 * ARM envelope (id, name, type, location, tags, ...) where they are, the
 * rest under "properties", as az resource show would print it.
 */
/* Is key a member of the ARM envelope (the rules' list, lower case; any case here)? */
static bool enveloped(const hg_az_rules *az, const char *key)
{
	size_t i;
	for (i = 0; i < az->nenvelope; i++)
		if (strcasecmp(az->envelope[i], key) == 0)
			return true;
	return false;
}

static hg_jv *unflatten(const hg_unit *u, hg_arena *a, const hg_jv *v)
{
	hg_jv *out = hg_jv_object(a, 12), *props = hg_jv_object(a, v->n);
	size_t i;

	for (i = 0; v->kind == HG_JV_OBJ && i < v->n; i++) {
		const hg_jv_member *m = &v->u.members[i];
		bool env = u->az && enveloped(u->az, m->key);
		hg_jv_put(a, env ? out : props, m->key, m->klen, m->val);
	}
	hg_jv_put(a, out, "properties", 10, props);
	return out;
}

/*
 * The usual record: Properties, a string of JSON with no escape but its
 * quotes, parsed where it is (in a copy in a: raw may be the read-ahead
 * buffer), not decoded first; NULL for any other record. The string is
 * where the export reader saw it in phase 1 (the same bytes: their hash was
 * checked), else looked for. Phase 1 checked
 * the record's structure only: the rest of it is checked here as a parse
 * of it would (the record with "" for its Properties), and the string's
 * body by the parse of it. A NULL goes the long way, which says what is
 * wrong where.
 */
static hg_jv *properties_in_place(
        const char *raw, const hg_rec *r, hg_arena *a, const char *const *keys, size_t nkeys)
{
	const char *pv = NULL;
	size_t len = r->len, pl = 0, head, tail;
	char *rest, *body;
	hg_jv *v = NULL;

	if (r->props_len) { /* the export reader saw where it is */
		pv = raw + r->props_at;
		pl = r->props_len;
	} else if (hg_jv_known_member(raw, len, "Properties", &pv, &pl) < 0)
		return NULL;
	if (pl < 2 || pv[0] != '"' || pv[pl - 1] != '"')
		return NULL;
	head = (size_t)(pv - raw);
	tail = len - head - pl;
	rest = hg_arena_alloc_raw(a, head + 2 + tail, 1);
	memcpy(rest, raw, head);
	memcpy(rest + head, "\"\"", 2);
	memcpy(rest + head + 2, pv + pl, tail);
	if (hg_jv_validate(rest, head + 2 + tail, 512, NULL, NULL, 0, NULL, NULL) < 0)
		return NULL;
	body = hg_arena_alloc_raw(a, pl - 1, 1);
	memcpy(body, pv + 1, pl - 2);
	body[pl - 2] = '\0';
	return hg_jv_parse_string_body(&v, a, body, pl - 2, 512, keys, nkeys) == 0 ? v : NULL;
}

hg_jv *hg_state_record_select(hg_unit *u, const hg_rec *r, hg_arena *a, hg_fdcache *fc,
        hg_diags *d, int *rc, const char *const *keys, size_t nkeys)
{
	const char *ahead = prefetched(fc, u, r), *raw = ahead, *at;
	/* az records are parsed in place: in a copy of their own, in a */
	bool in_place = (r->flags & (HG_REC_FLAT | HG_REC_AZURE)) != 0;
	char *buf = NULL;
	hg_jv *v = NULL, *p;
	hg_jv_error err;
	ssize_t got = (ssize_t)r->len;

	*rc = 0;
	if (!ahead || in_place) {
		int fd = ahead ? 0 : fd_of(fc, u, r->file);
		buf = hg_arena_alloc_raw(a, r->len + 1, 1);
		if (ahead)
			memcpy(buf, ahead, r->len);
		else
			got = fd < 0 ? -1 : pread(fd, buf, r->len, (off_t)r->offset);
		buf[r->len] = '\0';
		raw = buf;
	}
	if (got != (ssize_t)r->len) {
		hg_diag_add(d, HG_D_IO_READ, NULL, u->files[r->file],
		        got < 0 ? strerror(errno) : HG_BI("the file changed while it was read",
		                                            "読み取り中にファイルが変わりました"),
		        NULL);
		*rc = HG_EIO;
		return NULL;
	}
	if (hg_hash64(raw, r->len) != r->rawhash) {
		hg_diag_add(d, HG_D_IO_READ, NULL, u->files[r->file],
		        HG_BI("the file changed while it was read", "読み取り中にファイルが変わりました"),
		        NULL);
		*rc = HG_EIO;
		return NULL;
	}
	/* buf and the decoded Properties are a's: parsed in place (an error
	 * position is counted in lines and columns: the terminators put where
	 * quotes were do not move it) */
	if (r->flags & HG_REC_FLAT) {
		if (hg_jv_parse_in_place(&v, a, buf, r->len, 512, &err, NULL, 0) < 0)
			return parse_error(d, u, r, buf, err.offset, &err, NULL, rc);
		return unflatten(u, a, v);
	}
	if (r->flags & HG_REC_AZURE) {
		if (hg_jv_parse_in_place(&v, a, buf, r->len, 512, &err, keys, nkeys) < 0)
			return parse_error(d, u, r, buf, err.offset, &err, NULL, rc);
		return v;
	}
	if ((v = properties_in_place(raw, r, a, keys, nkeys)) != NULL)
		return v;
	/* else not in place (raw may be the read-ahead buffer): its strings are
	 * copied to a, and an error in the Properties is shown where they are */
	if (hg_jv_parse(&v, a, raw, r->len, 512, &err) < 0)
		return parse_error(d, u, r, raw, err.offset, &err, NULL, rc);
	p = hg_jv_get(v, "Properties");
	if (p && p->kind == HG_JV_STR) {
		hg_jv *inner = NULL;
		/* the string is a's own copy (the parse above is not in place) */
		if (hg_jv_parse_in_place(&inner, a, (char *)(uintptr_t)p->u.s, p->n, 512, &err,
		            keys, nkeys) < 0) {
			at = memmem(raw, r->len, "\"Properties\"", 12);
			return parse_error(d, u, r, raw, at ? (size_t)(at - raw) : 0, NULL,
			        HG_BI("the Properties string does not hold valid JSON",
			                "Properties の文字列が正しい JSON ではありません"),
			        rc);
		}
		p = inner;
	}
	return p ? p : hg_jv_new(a, HG_JV_OBJ);
}
