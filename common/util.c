/*
 * util.c: allocation helpers, edit distance and UTF-8 utilities.
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include "util.h"

#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>

static hg_oom_handler oom_handler;

/*
 * A large block (a cache file read whole, an index of 100,000 records) is
 * asked to be backed by huge pages where the system allows it (THP in
 * "madvise" mode, Debian's default): the pages of the 2 MiB-aligned inside
 * of the block that are not touched yet. With 4 KiB pages, a first touch
 * of every page faults and a scan misses the TLB on every page; measured
 * on a VM with shadow paging, reading and scanning a 35 MB drift cache
 * took 92 + 42 ms with small pages and 4 + 1 ms with huge ones. Failure is
 * harmless: the block stays on small pages.
 */
#define HUGE_MIN   ((size_t)4 << 20)
#define HUGE_ALIGN ((uintptr_t)2 << 20)

static void *huge_hint(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	if (n >= HUGE_MIN) {
		uintptr_t s = ((uintptr_t)p + HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1);
		uintptr_t e = ((uintptr_t)p + n) & ~(HUGE_ALIGN - 1);
		if (e > s)
			(void)madvise((void *)s, (size_t)(e - s), MADV_HUGEPAGE);
	}
#endif
	return p;
}

/*
 * The malloc heaps, tuned for a run that touches tens of megabytes once
 * (drift over 100,000 records, a cache of a fleet): a first touch of a
 * 4 KiB page is a page fault, ~10 us each on a VM with shadow paging
 * (measured: 64 MB memcpy'd into fresh memory 176 ms, into touched memory
 * 4 ms), and a nightly drift rerun took some 4,200 of them, a third of its
 * time. So: blocks under 4 MiB come from the heaps, where freed memory is
 * used again rather than unmapped and faulted anew (glibc's default gives
 * each block over 128 KiB its own mapping); a heap grows 64 MiB of address
 * space at a time (not memory: pages are still taken when first touched)
 * and is not trimmed below 128 MiB; and every heap is asked to be backed
 * by huge pages where the system allows it (THP "madvise", Debian's
 * default), one fault per 2 MiB. A drift rerun: 4,200 -> ~2,900 faults,
 * CPU median 187 -> 163 ms; a small compile 1,175 -> 832 faults (with
 * libgit2 no longer loaded at start). What it costs is RSS rounded to
 * 2 MiB steps. Only for glibc, and not under a sanitizer (its allocator is
 * its own).
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HG_OWN_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(HG_OWN_MALLOC)
#define HG_OWN_MALLOC 1
#endif
#if defined(__GLIBC__) && !defined(HG_OWN_MALLOC)
#define HG_TUNE_HEAPS 1
/* glibc's HEAP_MAX_SIZE on 64-bit: a thread's heap is a mapping this big, aligned to its size */
#define THREAD_HEAP ((uintptr_t)64 << 20)
#endif

#ifdef HG_TUNE_HEAPS
/*
 * The main heap (brk), at the start of main (one thread): a block big
 * enough to make it grow now (by the pad) is taken and freed, and from the
 * first 2 MiB boundary above it to the heap's top, the heap is asked for
 * huge pages. That range lies in the free top chunk (nothing in it is
 * live), but the block's end touched a page of it (a header was written
 * there), which would keep its first 2 MiB on small pages: so its pages
 * are dropped first. Below the boundary, a block kept for good fills the
 * top chunk up to it, so that what main allocates lands on huge pages.
 */
static void *volatile main_plug;

static void main_heap(void)
{
	extern char end; /* the end of the program's data: the brk heap lies above it */
	char *p = malloc(64), *block = malloc((size_t)2 << 20), *brk_top = sbrk(0);
	uintptr_t q = (uintptr_t)block, top = (uintptr_t)brk_top;
	uintptr_t s = (q + HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1), e = top & ~(HUGE_ALIGN - 1);
	bool mine = p && block && brk_top != (char *)-1 && p >= &end && q > (uintptr_t)p && q < top;

	free(block);
	/* the block is part of the free top chunk now, which runs to the heap's end (keepcost bytes) */
	if (mine && top - mallinfo2().keepcost <= q && e > s + HUGE_ALIGN) {
		(void)madvise((void *)s, (size_t)(e - s), MADV_DONTNEED);
		(void)madvise((void *)s, (size_t)(e - s), MADV_HUGEPAGE);
		if (s - q > 4096)
			main_plug = malloc(s - q - 64);
	}
	free(p);
}

/*
 * Is [s, s + THREAD_HEAP) one heap of glibc's: anonymous mappings from s
 * to exactly its end (writable, then PROT_NONE where it has not grown)?
 * Asked once per heap, before it is made writable as a whole.
 */
static bool is_thread_heap(uintptr_t s)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	uintptr_t at = s;
	bool ok = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, inode;
		char path[8];
		int n = 0;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %n", &lo, &hi, &inode, &n) < 3)
			continue;
		if (hi <= s || lo >= s + THREAD_HEAP)
			continue;
		if (lo != at || inode != 0 || sscanf(line + n, "%7s", path) == 1)
			break; /* a gap, a file, or a named mapping inside: not a heap */
		at = hi;
		if (at == s + THREAD_HEAP) {
			ok = true;
			break;
		}
	}
	fclose(f);
	return ok;
}

/* The thread heaps made ready for huge pages (each once: threads reuse heaps). */
static pthread_mutex_t heaps_mu = PTHREAD_MUTEX_INITIALIZER;
static uintptr_t heaps_ready[64];
static void *volatile heaps_plug[64]; /* the block that fills each one's first 2 MiB, kept */
static size_t nheaps_ready;

/* Slot of the heap if this is the first time it is seen, else -1. */
static int heap_first_time(uintptr_t heap)
{
	int slot = -1;
	size_t i;
	pthread_mutex_lock(&heaps_mu);
	for (i = 0; i < nheaps_ready && heaps_ready[i] != heap; i++)
		;
	/* more heaps than we keep track of: left as they are */
	if (i == nheaps_ready && nheaps_ready < sizeof(heaps_ready) / sizeof(heaps_ready[0])) {
		heaps_ready[nheaps_ready] = heap;
		slot = (int)nheaps_ready++;
	}
	pthread_mutex_unlock(&heaps_mu);
	return slot;
}
#endif

void hg_memory_init(void)
{
#ifdef HG_TUNE_HEAPS
	(void)mallopt(M_MMAP_THRESHOLD, 4 << 20);
	(void)mallopt(M_TOP_PAD, 64 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 128 << 20);
	main_heap();
#endif
}

void hg_memory_thread(void)
{
#ifdef HG_TUNE_HEAPS
	/* A small block: it makes this thread's heap, if it has none yet. */
	char *p = malloc(64), *brk_top = sbrk(0);
	extern char end; /* the end of the program's data: the brk heap lies above it */
	uintptr_t s;
	int slot;

	if (!p)
		return;
	s = (uintptr_t)p & ~(THREAD_HEAP - 1);
	/*
	 * A thread's heap: a mapping of THREAD_HEAP bytes aligned to its size,
	 * PROT_NONE beyond what glibc has made writable so far, which it grows
	 * a page at a time. A huge page is only taken for a 2 MiB range that
	 * lies wholly in one writable mapping and has no page yet: so a new
	 * heap is made writable as a whole (address space, not memory: pages
	 * are still taken when first touched) and asked for huge pages; and
	 * the rest of its first 2 MiB, where its header already has a small
	 * page, is taken by a block kept for good, so that what the thread
	 * allocates lands on huge pages. Measured on a drift rerun: its two
	 * readers took 1,800 small-page faults (~5 us each on a VM with
	 * shadow paging), now a few dozen. Not the main heap (brk: see
	 * main_heap), and only a heap whose header is in p's page (new).
	 */
	if ((brk_top == (char *)-1 || p < &end || p >= brk_top) && (uintptr_t)p - s < 4096 &&
	        (slot = heap_first_time(s)) >= 0 && is_thread_heap(s) &&
	        mprotect((void *)s, THREAD_HEAP, PROT_READ | PROT_WRITE) == 0) {
		(void)madvise((void *)s, THREAD_HEAP, MADV_HUGEPAGE);
		heaps_plug[slot] = malloc(s + HUGE_ALIGN - 4096 - (uintptr_t)p);
	}
	free(p);
#endif
}

int hg_dl_load(const char *env, const char *soname, const char *const *names, void **const *slots,
        size_t n, char *err, size_t errlen)
{
	const char *lib = env ? getenv(env) : NULL;
	void *h;
	size_t i;

	if (!lib || !*lib)
		lib = soname;
	if (!(h = dlopen(lib, RTLD_NOW | RTLD_LOCAL))) {
		const char *e = dlerror();
		snprintf(err, errlen, "%s", e ? e : lib);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!(*slots[i] = dlsym(h, names[i]))) {
			snprintf(err, errlen, "%s: no %s", lib, names[i]);
			return -1; /* the handle stays open: what it registered may be in use */
		}
	return 0;
}

void hg_set_oom_handler(hg_oom_handler fn)
{
	oom_handler = fn;
}

void hg_oom(void)
{
	if (oom_handler)
		oom_handler();
	abort();
}

void *hg_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		hg_oom();
	return huge_hint(p, n);
}

void *hg_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		hg_oom();
	return size && count <= SIZE_MAX / size ? huge_hint(p, count * size) : p;
}

void *hg_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		hg_oom();
	return huge_hint(q, n);
}

char *hg_xstrdup(const char *s)
{
	return hg_xstrndup(s, strlen(s));
}

char *hg_xstrndup(const char *s, size_t n)
{
	char *p = hg_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void hg_grow_array(void **items, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;

	if (need <= *cap)
		return;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			hg_oom();
		ncap *= 2;
	}
	*items = hg_xrealloc(*items, ncap * elem);
	*cap = ncap;
}

void hg_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	const char *p = base;
	size_t i;

	for (i = 1; i < n; i++)
		if (cmp(p + (i - 1) * size, p + i * size) > 0)
			break;
	if (i < n)
		qsort(base, n, size, cmp);
}

size_t hg_edit_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best, *row;

	/* Lengths alone tell when the distance must exceed the limit. */
	if ((la > lb ? la - lb : lb - la) > limit || la > 256 || lb > 256)
		return limit + 1;
	row = hg_xmalloc((lb + 1) * sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = diag + cost;
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > limit) {
			free(row);
			return limit + 1;
		}
	}
	best = row[lb];
	free(row);
	return best > limit ? limit + 1 : best;
}

size_t hg_utf8_len(const unsigned char *s)
{
	if (*s < 0x80)
		return 1;
	if ((*s & 0xE0) == 0xC0)
		return 2;
	if ((*s & 0xF0) == 0xE0)
		return 3;
	if ((*s & 0xF8) == 0xF0)
		return 4;
	return 1;
}

size_t hg_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = hg_utf8_len(u), i;
	uint32_t v;

	if (len > n || len == 1) {
		*cp = u[0];
		return 1;
	}
	v = u[0] & (0x7F >> len);
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*cp = u[0];
			return 1;
		}
		v = (v << 6) | (u[i] & 0x3F);
	}
	*cp = v;
	return len;
}

int hg_char_width(uint32_t cp)
{
	/* The East Asian Wide and Fullwidth blocks that occur in Japanese text. */
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
	        (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
	        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
	        (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

size_t hg_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = hg_utf8_len(u), k;
	uint32_t cp;

	if (u[0] < 0x80)
		return 1;
	if (len == 1 || len > n)
		return 0;
	for (k = 1; k < len; k++)
		if ((u[k] & 0xC0) != 0x80)
			return 0;
	hg_utf8_decode(s, len, &cp);
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* The bytes at s[i] that hg_utf8_clean copies as they are (0: escape one byte). */
static size_t clean_len(const char *s, size_t n, unsigned flags)
{
	unsigned char c = (unsigned char)s[0];
	size_t len;

	if (c < 0x20)
		return (flags & HG_CLEAN_NEWLINES) && (c == '\n' || c == '\t') ? 1 : 0;
	if (c == 0x7F)
		return 0;
	if (c < 0x80)
		return 1;
	len = hg_utf8_valid(s, n);
	/* U+FFFE and U+FFFF: EF BF BE, EF BF BF */
	if (len == 3 && c == 0xEF && (unsigned char)s[1] == 0xBF && (unsigned char)s[2] >= 0xBE)
		return 0;
	return len;
}

void hg_utf8_clean(struct hg_buf *out, const char *s, size_t n, unsigned flags)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;

	while (i < n) {
		size_t run = i, len;
		while (run < n && (len = clean_len(s + run, n - run, flags)) > 0)
			run += len;
		hg_buf_put(out, s + i, run - i);
		if (run >= n)
			break;
		i = run;
		if ((unsigned char)s[i] == 0xEF && hg_utf8_valid(s + i, n - i) == 3) {
			hg_buf_puts(out, (unsigned char)s[i + 2] == 0xBE ? "\\uFFFE" : "\\uFFFF");
			i += 3;
			continue;
		}
		hg_buf_puts(out, "\\x");
		hg_buf_putc(out, hex[(unsigned char)s[i] >> 4]);
		hg_buf_putc(out, hex[(unsigned char)s[i] & 15]);
		i++;
	}
}

bool hg_utf8_is_clean(const char *s, size_t n, unsigned flags)
{
	size_t i = 0, len;

	while (i < n) {
		if ((len = clean_len(s + i, n - i, flags)) == 0)
			return false;
		i += len;
	}
	return true;
}

void hg_uri_path(struct hg_buf *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)(path ? path : "");

	if (*p == '/')
		hg_buf_puts(out, "file://");
	for (; *p; p++) {
		if (*p <= ' ' || *p == '%' || *p == '#' || *p == '?' || *p >= 0x7f || *p == '"') {
			hg_buf_putc(out, '%');
			hg_buf_putc(out, hex[*p >> 4]);
			hg_buf_putc(out, hex[*p & 15]);
		} else
			hg_buf_putc(out, (char)*p);
	}
}
