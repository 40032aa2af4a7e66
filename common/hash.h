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

#ifdef __cplusplus
}
#endif
#endif
