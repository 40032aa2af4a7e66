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
#include <stdint.h>
#include <string.h>

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

/*
 * The free room of the chunk an arena allocates from: the first member of
 * every hg_arena, so that the usual allocation (it fits) is a few
 * instructions inline; arena.c keeps it and does the rest. Not for callers.
 */
struct hg_arena_room {
	unsigned char *next, *end;
};
/* Called by the inline functions below when the room does not fit n. */
void *hg_arena_alloc_slow(hg_arena *a, size_t n, size_t align);

/* n bytes aligned to align (a power of two), NOT cleared: for memory written at once. */
static inline void *hg_arena_alloc_raw(hg_arena *a, size_t n, size_t align)
{
#ifndef HG_DEBUG_ARENA /* there, every allocation is malloc's own (for ASan) */
	struct hg_arena_room *r = (struct hg_arena_room *)(void *)a;
	uintptr_t at = ((uintptr_t)r->next + (align - 1)) & ~(uintptr_t)(align - 1);
	if (at <= (uintptr_t)r->end && n && n <= (uintptr_t)r->end - at) { /* none yet: both NULL */
		r->next = (unsigned char *)at + n;
		return (void *)at;
	}
#endif
	return hg_arena_alloc_slow(a, n, align);
}

/* Zeroed memory owned by the arena, aligned for any object. */
static inline void *hg_arena_alloc(hg_arena *a, size_t n)
{
	void *p;
	n = (n + 15) & ~(size_t)15;
	p = hg_arena_alloc_raw(a, n, 16);
	memset(p, 0, n ? n : 1);
	return p;
}
#define HG_ANEW(a, type)     ((type *)hg_arena_alloc((a), sizeof(type)))
#define HG_ANEWN(a, type, n) ((type *)hg_arena_alloc((a), sizeof(type) * (n)))

/* A copy of s[0..n) plus a terminator, owned by the arena. */
static inline char *hg_arena_strndup(hg_arena *a, const char *s, size_t n)
{
	char *p = (char *)hg_arena_alloc_raw(a, n + 1, 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
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

/* p (malloc'd) is the arena's from now on: freed with it. */
void hg_arena_adopt(hg_arena *a, void *p);

/* The unique interned copy of s (borrowed from the arena). */
const char *hg_arena_intern(hg_arena *a, const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
