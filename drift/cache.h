/*
 * cache.h: verdicts of earlier runs (--cache FILE), so that a nightly rerun
 * over unchanged state does almost nothing.
 * Part of hinagata; see LICENSE.
 *
 * Three kinds of entry, each keyed by the hash of everything it depends
 * on: an export file (its size and bytes) -> what reading it found; a
 * template (its bytes) -> its description; a block (a template's bytes,
 * its stack's context, the bytes of every record of the stack, and the
 * rules) -> its results, kept only when all of them were in sync. A rerun
 * hashes every input whose bytes it cannot vouch for by the file's
 * identity (a fourth kind of entry: path -> device, inode, size, times and
 * hash, as git's index keeps them); it skips parsing and comparing what
 * has not changed. The file carries the compiler version and fingerprints
 * of the rules (schemas/drift/rules.json for reading exports; the profiles
 * and the catalog for verdicts): a cache of another version, other rules
 * or a damaged file is ignored, never trusted (of other control rules
 * only: its templates and blocks).
 */
#ifndef HG_DRIFT_CACHE_H
#define HG_DRIFT_CACHE_H

#include "desired.h"
#include "model.h"
#include "state.h"
#include "verdict.h"

typedef struct hg_cache hg_cache;

/* The cache at path (read if it is there and valid; new; never NULL), one fingerprint for both. */
hg_cache *hg_cache_open(const char *path, uint64_t fingerprint, hg_diags *d);
/*
 * The same in steps, so that reading the file can begin before the rules
 * its fingerprints are of are open: hg_cache_load reads the file (new;
 * never NULL; no entry may be used yet); hg_cache_check keeps its entries
 * only if its header is of this version and this fingerprint of the rules
 * for reading exports (then file and identity entries may be used);
 * hg_cache_check_verdicts keeps its templates and blocks only if it is of
 * this fingerprint of the rules for verdicts (called before any of them is
 * used; it may run while file entries are being read).
 */
hg_cache *hg_cache_load(const char *path, hg_diags *d);
/*
 * hg_cache_load, calling ready(c, payload) on the loading thread as soon as
 * the identities, export files and templates are read (the blocks, most
 * of the file, are read after them): from then on, once checked, those
 * entries may be used from other threads while it reads on; the blocks
 * only once it has returned. ready is called once, also when there is no
 * cache.
 */
hg_cache *hg_cache_load_notify(const char *path, hg_diags *d,
        void (*ready)(hg_cache *c, void *payload), void *payload);
void hg_cache_check(hg_cache *c, uint64_t fingerprint);
void hg_cache_check_verdicts(hg_cache *c, uint64_t fingerprint);
void hg_cache_free(hg_cache *c);
/* Write this run's entries (atomically), unless nothing changed. 0, or HG_EIO after a diagnostic. */
int hg_cache_save(hg_cache *c, hg_diags *d);
/* Resources whose verdicts came from the cache. */
size_t hg_cache_hits(const hg_cache *c);

/*
 * A file's size and hash as an earlier run hashed it, when its identity
 * (device, inode, size, modification and change times) is still the one
 * recorded then: its bytes need not be read again to know them. false:
 * hash it, then note it (recorded only if it was last changed well before
 * this run began; see cache.c).
 */
bool hg_cache_identity(hg_cache *c, const char *path, uint64_t *size, uint64_t *hash);
void hg_cache_identity_note(hg_cache *c, const char *path, uint64_t size, uint64_t hash);
/* An export file: what reading it found, or NULL (new: the caller owns it). */
hg_state_file *hg_cache_file(hg_cache *c, const char *path, uint64_t size, uint64_t hash);
void hg_cache_file_note(hg_cache *c, const char *path, uint64_t size, uint64_t hash,
        const hg_state_file *f);

/* A template's description (into t, strings in a), or false. */
bool hg_cache_template(hg_cache *c, hg_tmpl *t, hg_arena *a);
void hg_cache_template_note(hg_cache *c, const hg_tmpl *t);

/*
 * The results of a template in its stack, into b (claiming its records), or
 * false. counts_only (a report that lists no in-sync result, no ignore
 * rules): only b->sum is filled, the results are not decoded.
 */
bool hg_cache_block(hg_cache *c, hg_block *b, const hg_tmpl *t, hg_unit *u, hg_stack *s,
        bool counts_only);
/* Remember a block (only one whose every result is in sync, with nothing to say). */
void hg_cache_note(hg_cache *c, const hg_block *b, const hg_tmpl *t, hg_unit *u, hg_stack *s);

#endif
