/*
 * buf.h: hg_buf, the one growing byte string of hinagata.
 * Part of hinagata; see LICENSE.
 *
 * Invariants: `ptr` is never NULL and is always NUL-terminated at ptr[size];
 * `asize` is 0 while ptr points at the shared empty string (nothing owned).
 * A buffer is owned by whoever declared it; release it with hg_buf_dispose
 * or take the bytes with hg_buf_detach (the caller then owns them, free()).
 * Allocation failure calls hg_oom(), so appends cannot fail.
 */
#ifndef HG_BUF_H
#define HG_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_buf {
	char *ptr;
	size_t size;
	size_t asize;
} hg_buf;

extern char hg_buf__empty[];
#define HG_BUF_INIT                                                                                \
	{                                                                                          \
		hg_buf__empty, 0, 0                                                                \
	}

void hg_buf_init(hg_buf *b);
/* Make room for `extra` more bytes plus the terminator. */
void hg_buf_grow(hg_buf *b, size_t extra);
void hg_buf_put(hg_buf *b, const char *data, size_t len);
void hg_buf_puts(hg_buf *b, const char *s);
void hg_buf_putc(hg_buf *b, char c);
/* Append a number in decimal (no printf: for paths built in loops). */
void hg_buf_put_size(hg_buf *b, size_t v);
void hg_buf_printf(hg_buf *b, const char *fmt, ...) HG_PRINTF(2, 3);
void hg_buf_vprintf(hg_buf *b, const char *fmt, va_list ap) HG_PRINTF(2, 0);
/* Append `n` copies of c. */
void hg_buf_fill(hg_buf *b, char c, size_t n);
void hg_buf_truncate(hg_buf *b, size_t len);
void hg_buf_clear(hg_buf *b);
/* Returns the bytes (new, caller frees) and resets b to empty. */
char *hg_buf_detach(hg_buf *b) HG_WARN_UNUSED;
void hg_buf_dispose(hg_buf *b);

#ifdef __cplusplus
}
#endif
#endif
