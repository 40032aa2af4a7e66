/*
 * hash.h: content hashes (XXH3-64) and their canonical hex form.
 * Part of hinagata; see LICENSE.
 *
 * The only module that includes xxhash.h. Hashes are printed in xxHash's
 * canonical big-endian order as 16 lower-case hex digits, never in native
 * memory order, so the text is the same on every machine.
 */
#ifndef HG_HASH_H
#define HG_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint64_t hg_hash64(const void *data, size_t len);

/* Streaming form, for inputs that arrive in pieces. */
typedef struct hg_hasher hg_hasher;
hg_hasher *hg_hasher_new(void);
void hg_hasher_update(hg_hasher *h, const void *data, size_t len);
uint64_t hg_hasher_digest(const hg_hasher *h);
void hg_hasher_reset(hg_hasher *h);
void hg_hasher_free(hg_hasher *h);

/* The size and XXH3-64 of a file's bytes, read in pieces. Returns 0, or -1 with errno set. */
int hg_hash_file(const char *path, uint64_t *size, uint64_t *hash);

/* Write the 16-digit canonical hex form and a terminator into out. */
void hg_hash_hex(char out[17], uint64_t h);

/*
 * hg_hindex: an index from 64-bit hashes to positions (size_t) in an array
 * the caller keeps, for sets and duplicate checks that must stay linear
 * (a YAML mapping of 300,000 keys, the directories of a walk). Open
 * addressing with linear probing, grown at half load. Two entries may share
 * a hash: lookups visit every position stored under it, and the caller
 * compares the real keys. Zero-initialize; release with hg_hindex_dispose.
 */
typedef struct hg_hindex {
	uint64_t *hashes; /* 0: empty slot (a hash of 0 is stored as 1) */
	size_t *pos;
	size_t cap, n;
} hg_hindex;

void hg_hindex_put(hg_hindex *x, uint64_t hash, size_t pos);
/*
 * The positions stored under hash, one per call: *it starts at 0; returns
 * false when there are no more.
 */
bool hg_hindex_next(const hg_hindex *x, uint64_t hash, size_t *it, size_t *pos);
void hg_hindex_dispose(hg_hindex *x);

#ifdef __cplusplus
}
#endif
#endif
