/*
 * common.c: what every report writer needs (see report.h): the language's
 * part of a bilingual text, text that is always valid UTF-8, JSON strings,
 * XML escapes, and file URIs.
 * Part of hinagata; see LICENSE.
 *
 * Exports and templates come from outside: a tag value may hold bytes that
 * are not UTF-8, or a secret no property name announces (an AWS key in a
 * tag, a connection string with its password). Every text a writer shows
 * goes through hg_report_text: secrets of a known shape are masked
 * (common/secret.h), and invalid bytes and control characters are written
 * as the four characters \xNN, which a reader can see, so a report is
 * always valid JSON, XML and Markdown and a terminal gets no escape
 * sequence. Comparisons never see this: they use the real values.
 */
#include <string.h>

#include "../common/jsontext.h"
#include "../common/secret.h"
#include "../common/util.h"
#include "report.h"

int hg_report_format_parse(hg_report_format *out, const char *s)
{
	static const char *const names[] = {"text", "json", "md", "sarif", "junit", "html", "csv"}; /* ORDER FORMAT */
	size_t i;
	for (i = 0; i < HG_ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (hg_report_format)i;
			return 0;
		}
	return -1;
}

void hg_report_text(hg_buf *out, const char *s, size_t len)
{
	hg_buf masked = HG_BUF_INIT;

	if (!hg_secret_in(s, len)) {
		if (hg_utf8_is_clean(s, len, 0))
			hg_buf_put(out, s, len); /* the usual case: nothing to change */
		else
			hg_utf8_clean(out, s, len, 0);
		return;
	}
	hg_secret_mask(&masked, s, len);
	hg_utf8_clean(out, masked.ptr, masked.size, 0);
	hg_buf_dispose(&masked);
}

void hg_report_json_text(hg_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	hg_buf masked = HG_BUF_INIT;
	size_t i = 0, k;

	if (hg_secret_in(s, len)) {
		hg_secret_mask(&masked, s, len);
		s = masked.ptr;
		len = masked.size;
	}
	while (i < len) {
		k = (unsigned char)s[i] < 0x80 ? 1 : hg_utf8_valid(s + i, len - i);
		if (k) {
			hg_buf_put(out, s + i, k);
			i += k;
			continue;
		}
		/* inside a JSON string: the escaped backslash, then xHH, as the text shows it */
		hg_buf_puts(out, "\\\\x");
		hg_buf_putc(out, hex[(unsigned char)s[i] >> 4]);
		hg_buf_putc(out, hex[(unsigned char)s[i] & 15]);
		i++;
	}
	hg_buf_dispose(&masked);
}

void hg_report_md_cell(hg_buf *out, const char *s, hg_lang lang)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;
	hg_report_bi(&b, s, lang);
	for (i = 0; i < b.size; i++) {
		if (b.ptr[i] == '|')
			hg_buf_puts(out, "\\|");
		else if (b.ptr[i] == '\n')
			hg_buf_putc(out, ' ');
		else
			hg_buf_putc(out, b.ptr[i]);
	}
	hg_buf_dispose(&b);
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
	const char *sep, *part;
	size_t len;

	if (!s) {
		hg_buf_puts(out, "null");
		return;
	}
	sep = strchr(s, '\x1f');
	part = sep && lang == HG_LANG_JA ? sep + 1 : s;
	len = sep && lang != HG_LANG_JA ? (size_t)(sep - s) : strlen(part);
	/* The usual case, clean text with no secret in it: straight to JSON
	 * (a report of every finding of a fleet writes millions of them). */
	if (!hg_secret_in(part, len) && hg_utf8_is_clean(part, len, 0)) {
		hg_json_string(out, part, len);
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
	hg_buf masked = HG_BUF_INIT;
	const char *p = path ? path : "";

	if (hg_secret_in(p, strlen(p))) {
		hg_secret_mask(&masked, p, strlen(p));
		p = masked.ptr;
	}
	hg_uri_path(out, p);
	hg_buf_dispose(&masked);
}
