/*
 * arena.h: a per-compilation region allocator with string interning.
 * Part of hinagata; see LICENSE.
 *
 * Everything allocated from an arena lives until hg_arena_dispose frees it in
 * one call; nothing is freed one by one. Interned strings are unique per
 * arena, so two interned pointers are equal exactly when the strings are.
 * Never keep a json_t (reference counted) inside arena memory.
 * Building with -DHG_DEBUG_ARENA sends every allocation to malloc so that
 * ASan and valgrind can see overflows between objects.
 */
#ifndef HG_ARENA_H
#define HG_ARENA_H

#include <stddef.h>

#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_arena hg_arena;

/* New arena; free with hg_arena_dispose. */
hg_arena *hg_arena_new(void) HG_WARN_UNUSED;
void hg_arena_dispose(hg_arena *a);
/* New arena that starts with 512 bytes and doubles its chunks up to the usual size: for the many
 * small ones (one per template, one per export file). */
hg_arena *hg_arena_new_small(void) HG_WARN_UNUSED;
/* Free everything allocated so far but keep one chunk for reuse (per-record scratch). */
void hg_arena_reset(hg_arena *a);

/* Zeroed memory owned by the arena, aligned for any object. */
void *hg_arena_alloc(hg_arena *a, size_t n);
/* n bytes aligned to align (a power of two), NOT cleared: for memory written at once. */
void *hg_arena_alloc_raw(hg_arena *a, size_t n, size_t align);
#define HG_ANEW(a, type)     ((type *)hg_arena_alloc((a), sizeof(type)))
#define HG_ANEWN(a, type, n) ((type *)hg_arena_alloc((a), sizeof(type) * (n)))

/* A copy of s[0..n) plus a terminator, owned by the arena. */
char *hg_arena_strndup(hg_arena *a, const char *s, size_t n);
char *hg_arena_strdup(hg_arena *a, const char *s);
char *hg_arena_printf(hg_arena *a, const char *fmt, ...) HG_PRINTF(2, 3);

/*
 * Grow an arena-owned array *items of *cap elements of size elem to hold
 * at least need: a bigger block is taken and the old one abandoned (freed
 * with the arena), doubling, so the waste stays under half.
 */
void hg_arena_grow(hg_arena *a, void **items, size_t *cap, size_t need, size_t elem);
#define HG_AGROW(a, arr, cap, need)                                                                \
	hg_arena_grow((a), (void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* The unique interned copy of s (borrowed from the arena). */
const char *hg_arena_intern(hg_arena *a, const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
