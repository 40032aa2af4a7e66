/*
 * hash.c: XXH3-64 through libxxhash (see hash.h).
 * Part of hinagata; see LICENSE.
 */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "util.h"

#include <stdlib.h>
#include <xxhash.h>

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
	char *buf = malloc(1u << 20);
	uint64_t total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc = -1;

	if (fd < 0 || !st || !buf)
		goto out;
	XXH3_64bits_reset(st);
	for (;;) {
		n = read(fd, buf, 1u << 20);
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
	free(buf);
	XXH3_freeState(st);
	return rc;
}
