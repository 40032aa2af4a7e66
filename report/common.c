/*
 * common.c: what every report writer needs (see report.h): the language's
 * part of a bilingual text, text that is always valid UTF-8, JSON strings,
 * XML escapes, and file URIs.
 * Part of hinagata; see LICENSE.
 *
 * Exports and templates come from outside: a tag value may hold bytes that
 * are not UTF-8, and a report must still be valid JSON, XML and Markdown.
 * Such bytes are written as the four characters \xNN, which no valid text
 * produces by accident in these fields, and which a reader can see.
 */
#include <string.h>

#include "../common/jsontext.h"
#include "../common/util.h"
#include "report.h"

int hg_report_format_parse(hg_report_format *out, const char *s)
{
	static const char *const names[] = {"text", "json", "md", "sarif", "junit"}; /* ORDER FORMAT */
	size_t i;
	for (i = 0; i < HG_ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (hg_report_format)i;
			return 0;
		}
	return -1;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1Fu;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0Fu;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07u;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	        (cp >= 0xD800 && cp <= 0xDFFF))
		return 0; /* overlong, out of range, or a surrogate */
	return len;
}

/* s with each byte that is not UTF-8 written as esc and two hex digits (hex: their case). */
static void escape_bad(hg_buf *out, const char *s, size_t len, const char *esc, const char *hex)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;

	while (p < end) {
		size_t k = utf8_seq(p, (size_t)(end - p));
		if (k) {
			p += k;
			continue;
		}
		hg_buf_put(out, (const char *)run, (size_t)(p - run));
		hg_buf_puts(out, esc);
		hg_buf_putc(out, hex[*p >> 4]);
		hg_buf_putc(out, hex[*p & 15]);
		run = ++p;
	}
	hg_buf_put(out, (const char *)run, (size_t)(p - run));
}

void hg_report_text(hg_buf *out, const char *s, size_t len)
{
	escape_bad(out, s, len, "\\x", "0123456789ABCDEF");
}

void hg_report_bi(hg_buf *out, const char *s, hg_lang lang)
{
	const char *sep = s ? strchr(s, '\x1f') : NULL;
	if (!s)
		return;
	if (!sep)
		hg_report_text(out, s, strlen(s));
	else if (lang == HG_LANG_JA)
		hg_report_text(out, sep + 1, strlen(sep + 1));
	else
		hg_report_text(out, s, (size_t)(sep - s));
}

void hg_report_json_str(hg_buf *out, const char *s, hg_lang lang)
{
	hg_buf b = HG_BUF_INIT;
	if (!s) {
		hg_buf_puts(out, "null");
		return;
	}
	hg_report_bi(&b, s, lang);
	hg_json_string(out, b.ptr ? b.ptr : "", b.size);
	hg_buf_dispose(&b);
}

void hg_report_xml(hg_buf *out, const char *s, hg_lang lang)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;

	hg_report_bi(&b, s, lang);
	for (i = 0; i < b.size; i++) {
		unsigned char c = (unsigned char)b.ptr[i];
		switch (c) {
		case '<': hg_buf_puts(out, "&lt;"); break;
		case '>': hg_buf_puts(out, "&gt;"); break;
		case '&': hg_buf_puts(out, "&amp;"); break;
		case '"': hg_buf_puts(out, "&quot;"); break;
		case '\n': hg_buf_puts(out, "&#10;"); break;
		case '\t': hg_buf_puts(out, "&#9;"); break;
		case '\r': hg_buf_puts(out, "&#13;"); break;
		default:
			if (c < 0x20) /* not allowed in XML 1.0, even as a reference */
				hg_buf_printf(out, "\\x%02X", c);
			else
				hg_buf_putc(out, (char)c);
		}
	}
	hg_buf_dispose(&b);
}

void hg_report_uri(hg_buf *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)(path ? path : "");

	if (*p == '/')
		hg_buf_puts(out, "file://");
	for (; *p; p++) {
		if (*p <= ' ' || *p == '%' || *p == '#' || *p == '?' || *p >= 0x7f || *p == '"' ||
		        *p == '\\') {
			hg_buf_putc(out, '%');
			hg_buf_putc(out, hex[*p >> 4]);
			hg_buf_putc(out, hex[*p & 15]);
		} else
			hg_buf_putc(out, (char)*p);
	}
}

void hg_report_json_raw(hg_buf *out, const char *s, size_t len)
{
	escape_bad(out, s, len, "\\u00", "0123456789abcdef");
}
