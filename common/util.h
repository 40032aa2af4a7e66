/*
 * util.h: allocation helpers and small portable utilities shared by every
 * hinagata module. Part of hinagata; see LICENSE.
 *
 * Allocation failure is treated like Lua's panic: hg_xmalloc and friends call
 * hg_oom(), which runs the handler the program installed (the CLI prints a
 * message and exits 2) or aborts. Library code therefore never checks for
 * NULL from these helpers, which keeps every error path about the input.
 */
#ifndef HG_UTIL_H
#define HG_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define HG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define HG_NORETURN     __attribute__((noreturn))
#define HG_WARN_UNUSED  __attribute__((warn_unused_result))
#else
#define HG_PRINTF(f, a)
#define HG_NORETURN
#define HG_WARN_UNUSED
#endif

#define HG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Error codes of fallible library functions (negative, libgit2 style). */
enum {
	HG_OK = 0,
	HG_ERROR = -1, /* generic failure; a diagnostic says why */
	HG_ENOTFOUND = -3,
	HG_EIO = -4,      /* file or stream I/O failed; errno is kept */
	HG_EINVALID = -5, /* input is invalid; diagnostics were added */
	HG_ENOTREG = -6,  /* not a regular file (a directory, FIFO, device, socket) */
};

/* Exit codes shared by every subcommand. */
enum {
	HG_EXIT_CLEAN = 0,
	HG_EXIT_FINDINGS = 1,
	HG_EXIT_FAILURE = 2,
};

typedef void (*hg_oom_handler)(void);

/* Install the function called when memory runs out; it must not return. */
/*
 * Tune the malloc heaps for large runs (see util.c): once, at the start of
 * main; hg_memory_thread at the start of a worker thread (its own heap).
 */
void hg_memory_init(void);
void hg_memory_thread(void);
/*
 * A library loaded when first needed, not linked (libgit2, libpq: see
 * drift/gitsrc.c, history/db_pg.c): dlopen the file the environment
 * variable env names, else soname, and *slots[i] = its symbol names[i]
 * for i < n. 0, or -1 with the loader's reason in err.
 */
int hg_dl_load(const char *env, const char *soname, const char *const *names, void **const *slots,
        size_t n, char *err, size_t errlen);
/* For an X-macro list of the functions: a member of the table of their
 * pointers (typed as the header declares them), and their names. */
#define HG_DL_MEMBER(f) __typeof__(&f) f;
#define HG_DL_NAME(f)   #f,
void hg_set_oom_handler(hg_oom_handler fn);
HG_NORETURN void hg_oom(void);

/* malloc/calloc/realloc/strdup that never return NULL (they call hg_oom). */
void *hg_xmalloc(size_t n);
void *hg_xcalloc(size_t count, size_t size);
void *hg_xrealloc(void *p, size_t n);
char *hg_xstrdup(const char *s);
char *hg_xstrndup(const char *s, size_t n);

/* Grow *items (of *cap elements of size elem) so that it holds at least need. */
void hg_grow_array(void **items, size_t *cap, size_t need, size_t elem);
#define HG_GROW(arr, cap, need) hg_grow_array((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/*
 * qsort, skipped when the n items are already in order (one pass: what
 * hinagata compile writes is sorted, and exports often list in order).
 * The order of equal items is kept then, as glibc's merge sort keeps it.
 */
void hg_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Levenshtein distance, capped at limit+1 (for "did you mean" suggestions). */
size_t hg_edit_distance(const char *a, const char *b, size_t limit);

/* Number of bytes of the UTF-8 sequence starting at s (1 for invalid bytes). */
size_t hg_utf8_len(const unsigned char *s);
/* Decode one UTF-8 code point at s (n bytes available); returns bytes used. */
size_t hg_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Display width of a code point on a terminal: 2 for East Asian wide, else 1. */
int hg_char_width(uint32_t cp);

/*
 * The length of the well-formed UTF-8 sequence at s (n bytes available):
 * 1..4, or 0 when the bytes there are not UTF-8 (a stray or truncated byte,
 * an overlong form, a surrogate, a value past U+10FFFF).
 */
size_t hg_utf8_valid(const char *s, size_t n);

struct hg_buf;

/* What hg_utf8_clean keeps as it is. */
enum {
	HG_CLEAN_NEWLINES = 1, /* keep \n and \t (text reports); without it they are escaped too */
};

/*
 * Append s[0..n) to out as valid UTF-8 a terminal, a JSON encoder and an
 * XML parser all accept: a byte that is not part of well-formed UTF-8, a C0
 * control character and DEL become \xHH, and U+FFFE and U+FFFF (no
 * characters, refused by XML) become \uFFFE and \uFFFF. Everything else is
 * copied. Deterministic, so reports stay byte-for-byte reproducible.
 */
void hg_utf8_clean(struct hg_buf *out, const char *s, size_t n, unsigned flags);
/* Whether hg_utf8_clean would copy s[0..n) unchanged. */
bool hg_utf8_is_clean(const char *s, size_t n, unsigned flags);

/*
 * Append a file path as a URI reference (SARIF artifactLocation.uri): an
 * absolute path becomes a file:// URI; spaces, '%', '#', '?', '"', control
 * characters and every byte past ASCII are percent-encoded, so any path,
 * even one that is not UTF-8, gives a valid URI.
 */
void hg_uri_path(struct hg_buf *out, const char *path);

#ifdef __cplusplus
}
#endif
#endif
