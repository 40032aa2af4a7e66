/*
 * arena.c: region allocator and string interning (see arena.h).
 * Part of hinagata; see LICENSE.
 *
 * Memory comes in chunks of at least 64 KiB; a request larger than a quarter
 * chunk gets its own chunk so big arrays do not waste the tail of the
 * current one. The intern table is open addressing with FNV-1a hashing;
 * it is private to the arena and never iterated, so its order is irrelevant
 * to output determinism.
 */
#include "arena.h"
#include "buf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define ALIGN      16

struct chunk {
	struct chunk *next;
	size_t size;
	_Alignas(ALIGN) unsigned char data[];
};

struct hg_arena {
	struct hg_arena_room room; /* first (arena.h): the free bytes of the current chunk */
	struct chunk *chunks;
	size_t chunk_size; /* the size of a new chunk (CHUNK_SIZE, or smaller) */
	void **big; /* adopted blocks (and with HG_DEBUG_ARENA every allocation): freed with it */
	size_t nbig, capbig;
	const char **interned;
	size_t ninterned, capinterned;
};

hg_arena *hg_arena_new(void)
{
	hg_arena *a = hg_xcalloc(1, sizeof(hg_arena));
	a->chunk_size = CHUNK_SIZE;
	return a;
}

hg_arena *hg_arena_new_small(void)
{
	hg_arena *a = hg_xcalloc(1, sizeof(hg_arena));
	/* 512 bytes first, doubling with each chunk up to CHUNK_SIZE: a tiny file's
	 * records take a few hundred bytes, a big one's soon get full chunks */
	a->chunk_size = 512;
	return a;
}

void hg_arena_dispose(hg_arena *a)
{
	struct chunk *c, *next;
	size_t i;

	if (!a)
		return;
	for (c = a->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	for (i = 0; i < a->nbig; i++)
		free(a->big[i]);
	free(a->big);
	free(a->interned);
	free(a);
}

void hg_arena_reset(hg_arena *a)
{
	struct chunk *c, *next, *keep = NULL;
	size_t i;

	for (c = a->chunks; c; c = next) {
		next = c->next;
		if (!keep && c->size == a->chunk_size) {
			keep = c;
			continue;
		}
		free(c);
	}
	if (keep)
		keep->next = NULL;
	a->chunks = keep;
	a->room.next = keep ? keep->data : NULL;
	a->room.end = keep ? keep->data + keep->size : NULL;
	for (i = 0; i < a->nbig; i++)
		free(a->big[i]);
	a->nbig = 0;
	free(a->interned);
	a->interned = NULL;
	a->ninterned = a->capinterned = 0;
}

/* n bytes (aligned to align), not cleared: what the inline fast path does not fit. */
void *hg_arena_alloc_slow(hg_arena *a, size_t n, size_t align)
{
	struct chunk *c;
	size_t size;
	uintptr_t at;

	if (n == 0)
		n = 1;
#ifdef HG_DEBUG_ARENA
	{
		void *p = hg_xcalloc(1, n);
		(void)align;
		HG_GROW(a->big, a->capbig, a->nbig + 1);
		a->big[a->nbig++] = p;
		return p;
	}
#endif
	at = ((uintptr_t)a->room.next + (align - 1)) & ~(uintptr_t)(align - 1);
	if (at <= (uintptr_t)a->room.end && n <= (uintptr_t)a->room.end - at) {
		a->room.next = (unsigned char *)at + n;
		return (void *)at;
	}
	if (a->chunks && a->chunk_size < CHUNK_SIZE && n <= a->chunk_size / 4)
		a->chunk_size *= 2; /* a small arena grows as it is used */
	size = n > a->chunk_size / 4 ? n : a->chunk_size;
	c = hg_xmalloc(sizeof(*c) + size);
	c->size = size;
	if (n > a->chunk_size / 4 && a->chunks) {
		/* Keep filling the current chunk; the big one goes behind. */
		c->next = a->chunks->next;
		a->chunks->next = c;
	} else {
		c->next = a->chunks;
		a->chunks = c;
		a->room.next = c->data + n;
		a->room.end = c->data + size;
	}
	return c->data;
}

void hg_arena_grow(hg_arena *a, void **items, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem)
		hg_oom();
	p = hg_arena_alloc_raw(a, ncap * elem, ALIGN);
	if (*cap)
		memcpy(p, *items, *cap * elem);
	memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem); /* the new part starts zeroed */
	*items = p;
	*cap = ncap;
}

char *hg_arena_strdup(hg_arena *a, const char *s)
{
	return hg_arena_strndup(a, s, strlen(s));
}

char *hg_arena_printf(hg_arena *a, const char *fmt, ...)
{
	hg_buf b = HG_BUF_INIT;
	va_list ap;
	char *p;

	va_start(ap, fmt);
	hg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	p = hg_arena_strndup(a, b.ptr, b.size);
	hg_buf_dispose(&b);
	return p;
}

void hg_arena_adopt(hg_arena *a, void *p)
{
	HG_GROW(a->big, a->capbig, a->nbig + 1);
	a->big[a->nbig++] = p;
}

static size_t fnv1a(const char *s, size_t n)
{
	size_t h = (size_t)14695981039346656037ULL, i;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

const char *hg_arena_intern(hg_arena *a, const char *s, size_t n)
{
	size_t mask, i;

	if (a->ninterned * 2 >= a->capinterned) {
		size_t ncap = a->capinterned ? a->capinterned * 2 : 256;
		const char **tab = hg_xcalloc(ncap, sizeof(*tab));
		for (i = 0; i < a->capinterned; i++) {
			const char *e = a->interned[i];
			size_t j;
			if (!e)
				continue;
			j = fnv1a(e, strlen(e)) & (ncap - 1);
			while (tab[j])
				j = (j + 1) & (ncap - 1);
			tab[j] = e;
		}
		free(a->interned);
		a->interned = tab;
		a->capinterned = ncap;
	}
	mask = a->capinterned - 1;
	i = fnv1a(s, n) & mask;
	while (a->interned[i]) {
		const char *e = a->interned[i];
		if (strncmp(e, s, n) == 0 && e[n] == '\0')
			return e;
		i = (i + 1) & mask;
	}
	a->interned[i] = hg_arena_strndup(a, s, n);
	a->ninterned++;
	return a->interned[i];
}
