/*
 * jsontext.c: canonical JSON text pieces (see jsontext.h).
 * Part of hinagata; see LICENSE.
 */
#include "jsontext.h"

#include <math.h>
#include <stdio.h>

void hg_json_string(hg_buf *out, const char *s, size_t len)
{
	size_t i, run = 0;

	hg_buf_grow(out, len + 2);
	hg_buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		hg_buf_put(out, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			snprintf(u, sizeof(u), "\\u%04x", c);
			esc = u;
		}
		hg_buf_puts(out, esc);
	}
	hg_buf_put(out, s + run, len - run);
	hg_buf_putc(out, '"');
}

void hg_json_real(hg_buf *out, double v)
{
	if (!isfinite(v)) {
		hg_buf_puts(out, "null");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		hg_buf_printf(out, "%.1f", v);
		return;
	}
	hg_buf_printf(out, "%.17g", v);
}
