/*
 * buf.c: the growing byte string (see buf.h for the invariants).
 * Part of hinagata; see LICENSE.
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char hg_buf__empty[1];

void hg_buf_init(hg_buf *b)
{
	b->ptr = hg_buf__empty;
	b->size = 0;
	b->asize = 0;
}

void hg_buf_grow(hg_buf *b, size_t extra)
{
	size_t need, nsize;

	if (extra > SIZE_MAX - b->size - 1)
		hg_oom();
	need = b->size + extra + 1;
	if (need <= b->asize)
		return;
	nsize = b->asize ? b->asize : 64;
	while (nsize < need)
		nsize = nsize > SIZE_MAX / 2 ? need : nsize * 2;
	if (b->asize == 0) {
		b->ptr = hg_xmalloc(nsize);
		b->ptr[0] = '\0';
	} else {
		b->ptr = hg_xrealloc(b->ptr, nsize);
	}
	b->asize = nsize;
}

void hg_buf_put(hg_buf *b, const char *data, size_t len)
{
	if (len == 0)
		return;
	if (b->asize - b->size <= len) /* no room for len and the terminator (asize 0: size 0) */
		hg_buf_grow(b, len);
	memmove(b->ptr + b->size, data, len);
	b->size += len;
	b->ptr[b->size] = '\0';
}

void hg_buf_puts(hg_buf *b, const char *s)
{
	hg_buf_put(b, s, strlen(s));
}

void hg_buf_putc(hg_buf *b, char c)
{
	if (b->size + 2 > b->asize)
		hg_buf_grow(b, 1);
	b->ptr[b->size++] = c;
	b->ptr[b->size] = '\0';
}

void hg_buf_vprintf(hg_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n <= 0)
		return;
	hg_buf_grow(b, (size_t)n);
	vsnprintf(b->ptr + b->size, (size_t)n + 1, fmt, ap);
	b->size += (size_t)n;
}

void hg_buf_printf(hg_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hg_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void hg_buf_fill(hg_buf *b, char c, size_t n)
{
	if (n == 0)
		return;
	hg_buf_grow(b, n);
	memset(b->ptr + b->size, c, n);
	b->size += n;
	b->ptr[b->size] = '\0';
}

void hg_buf_truncate(hg_buf *b, size_t len)
{
	if (len < b->size) {
		b->size = len;
		b->ptr[len] = '\0';
	}
}

void hg_buf_clear(hg_buf *b)
{
	hg_buf_truncate(b, 0);
}

char *hg_buf_detach(hg_buf *b)
{
	char *p = b->asize ? b->ptr : hg_xstrdup("");

	hg_buf_init(b);
	return p;
}

void hg_buf_dispose(hg_buf *b)
{
	if (b->asize)
		free(b->ptr);
	hg_buf_init(b);
}

void hg_buf_put_size(hg_buf *b, size_t v)
{
	char tmp[24];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	hg_buf_grow(b, n);
	while (n)
		b->ptr[b->size++] = tmp[--n];
	b->ptr[b->size] = '\0';
}
