/*
 * hash.c: XXH3-64 through libxxhash (see hash.h).
 * Part of hinagata; see LICENSE.
 */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>
#if defined(HG_XXH_DISPATCH) && HG_XXH_DISPATCH
/*
 * XXH3_64bits and XXH3_64bits_update become the library's dispatching
 * entry points (the header's own macros): the same hashes, computed with
 * the widest vector unit the CPU has. The plain ones are scalar past 240
 * bytes: 12x slower on a 1 KB record, 17x on a 300 KB template, which
 * was 6% of a drift first run's instructions (records hashed when
 * indexed and again when read back, templates when described and opened).
 */
#include <xxh_x86dispatch.h>
#endif

#include "util.h"

uint64_t hg_hash64(const void *data, size_t len)
{
	return (uint64_t)XXH3_64bits(data, len);
}

struct hg_hasher {
	XXH3_state_t *st;
};

hg_hasher *hg_hasher_new(void)
{
	hg_hasher *h = hg_xmalloc(sizeof(*h));
	h->st = XXH3_createState();
	if (!h->st)
		hg_oom();
	XXH3_64bits_reset(h->st);
	return h;
}

void hg_hasher_update(hg_hasher *h, const void *data, size_t len)
{
	XXH3_64bits_update(h->st, data, len);
}

uint64_t hg_hasher_digest(const hg_hasher *h)
{
	return (uint64_t)XXH3_64bits_digest(h->st);
}

void hg_hasher_reset(hg_hasher *h)
{
	XXH3_64bits_reset(h->st);
}

void hg_hasher_free(hg_hasher *h)
{
	if (!h)
		return;
	XXH3_freeState(h->st);
	free(h);
}

void hg_hash_hex(char out[17], uint64_t h)
{
	XXH64_canonical_t c;
	static const char digits[] = "0123456789abcdef";
	int i;

	XXH64_canonicalFromHash(&c, (XXH64_hash_t)h);
	for (i = 0; i < 8; i++) {
		out[2 * i] = digits[c.digest[i] >> 4];
		out[2 * i + 1] = digits[c.digest[i] & 15];
	}
	out[16] = '\0';
}

int hg_hash_file(const char *path, uint64_t *size, uint64_t *hash)
{
	XXH3_state_t *st = XXH3_createState();
	/* on the stack: a fresh 1 MiB block per file faulted its pages in again each time */
	char buf[1u << 17];
	uint64_t total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc = -1;

	if (fd < 0 || !st)
		goto out;
	XXH3_64bits_reset(st);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		XXH3_64bits_update(st, buf, (size_t)n);
		total += (uint64_t)n;
	}
	*size = total;
	*hash = XXH3_64bits_digest(st);
	rc = 0;
out:
	if (fd >= 0) {
		int e = errno;
		close(fd);
		errno = e;
	}
	XXH3_freeState(st);
	return rc;
}

static size_t slot_of(uint64_t hash, size_t cap)
{
	return (size_t)(hash ^ (hash >> 32)) & (cap - 1);
}

static void insert(hg_hindex *x, uint64_t hash, size_t pos)
{
	size_t i = slot_of(hash, x->cap);
	while (x->hashes[i])
		i = (i + 1) & (x->cap - 1);
	x->hashes[i] = hash;
	x->pos[i] = pos;
	x->n++;
}

void hg_hindex_put(hg_hindex *x, uint64_t hash, size_t pos)
{
	if (!hash)
		hash = 1;
	if ((x->n + 1) * 2 > x->cap) {
		hg_hindex old = *x;
		size_t i;
		x->cap = old.cap ? old.cap * 2 : 16;
		x->hashes = hg_xcalloc(x->cap, sizeof(*x->hashes));
		x->pos = hg_xcalloc(x->cap, sizeof(*x->pos));
		x->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.hashes[i])
				insert(x, old.hashes[i], old.pos[i]);
		free(old.hashes);
		free(old.pos);
	}
	insert(x, hash, pos);
}

bool hg_hindex_next(const hg_hindex *x, uint64_t hash, size_t *it, size_t *pos)
{
	size_t i;

	if (!x->cap)
		return false;
	if (!hash)
		hash = 1;
	/* *it counts the slots already visited from the home slot. */
	for (i = (slot_of(hash, x->cap) + *it) & (x->cap - 1); x->hashes[i];
	        i = (i + 1) & (x->cap - 1)) {
		(*it)++;
		if (x->hashes[i] == hash) {
			*pos = x->pos[i];
			return true;
		}
	}
	return false;
}

void hg_hindex_dispose(hg_hindex *x)
{
	free(x->hashes);
	free(x->pos);
	memset(x, 0, sizeof(*x));
}
