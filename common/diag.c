/*
 * diag.c: collecting, sorting and rendering diagnostics.
 * Part of hinagata; see LICENSE.
 *
 * Rendering follows the house style: a clang-like header
 * (file:line:col: severity[CODE]: message), then rustc's gutter with the
 * source line and a caret under the span. The caret line copies tabs from
 * the source and gives East Asian wide characters two columns, so the caret
 * lands under the right character in a terminal.
 */
#include "diag.h"

#include "secret.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hg_diag_info infos[] = {
#define HG_DIAG(name, num, sev, cls, en, ja)                                                       \
	{num, HG_SEV_##sev, HG_DIAG_CLASS_##cls, #name, en, ja},
#define HG_DIAG_CLASS_INPUT false
#define HG_DIAG_CLASS_ENV   true
#include "diag_codes.def"
#undef HG_DIAG
};

const hg_diag_info *hg_diag_info_of(hg_diag_code code)
{
	return &infos[code];
}

void hg_diag_code_str(char out[8], hg_diag_code code)
{
	int num = infos[code].number;
	if (num <= 0) {
		out[0] = '\0';
		return;
	}
	out[0] = 'H';
	out[1] = 'G';
	out[2] = (char)('0' + num / 1000 % 10);
	out[3] = (char)('0' + num / 100 % 10);
	out[4] = (char)('0' + num / 10 % 10);
	out[5] = (char)('0' + num % 10);
	out[6] = '\0';
}

void hg_diags_init(hg_diags *d)
{
	memset(d, 0, sizeof(*d));
}

static void free_args(char **args)
{
	size_t i;
	for (i = 0; i < HG_DIAG_MAX_ARGS; i++)
		free(args[i]);
}

void hg_diags_dispose(hg_diags *d)
{
	size_t i, j;

	for (i = 0; i < d->n; i++) {
		hg_diag *dg = d->items[i];
		free_args(dg->args);
		for (j = 0; j < dg->nnotes; j++)
			free_args(dg->notes[j].args);
		free(dg->notes);
		free(dg);
	}
	free(d->items);
	for (i = 0; i < d->nsources; i++) {
		free(d->sources[i]->name);
		free(d->sources[i]->text);
		free(d->sources[i]);
	}
	free(d->sources);
	free(d->redacted);
	memset(d, 0, sizeof(*d));
}

static hg_source *find_source(const hg_diags *d, const char *name)
{
	size_t i;
	for (i = 0; i < d->nsources; i++)
		if (d->sources[i]->name == name || strcmp(d->sources[i]->name, name) == 0)
			return d->sources[i];
	return NULL;
}

const char *hg_diags_source(hg_diags *d, const char *name, const char *text, size_t len)
{
	hg_source *s = find_source(d, name);

	if (!s) {
		s = hg_xcalloc(1, sizeof(*s));
		s->name = hg_xstrdup(name);
		s->index = d->nsources;
		HG_GROW(d->sources, d->capsources, d->nsources + 1);
		d->sources[d->nsources++] = s;
	}
	if (text && !s->text) {
		s->text = hg_xstrndup(text, len);
		s->len = len;
	}
	return s->name;
}

void hg_span_advance(hg_span *s, const char *text, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (text[i] == '\n') {
			s->line++;
			s->col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80)
			s->col++;
	}
	s->end_line = s->line;
	s->end_col = s->col + 1;
}

void hg_diags_redact(hg_diags *d, const hg_span *s)
{
	if (!s || !s->file || !s->line)
		return;
	HG_GROW(d->redacted, d->capredacted, d->nredacted + 1);
	d->redacted[d->nredacted++] = *s;
}

static void collect_args(char **dst, va_list ap)
{
	const char *a;
	size_t i = 0;

	while ((a = va_arg(ap, const char *)) != NULL) {
		if (i < HG_DIAG_MAX_ARGS)
			dst[i++] = hg_xstrdup(a);
	}
}

static hg_span no_span(void)
{
	hg_span s = {NULL, 0, 0, 0, 0};
	return s;
}

hg_diag *hg_diag_add(hg_diags *d, hg_diag_code code, const hg_span *span, ...)
{
	hg_diag *dg = hg_xcalloc(1, sizeof(*dg));
	va_list ap;

	dg->code = code;
	dg->span = span ? *span : no_span();
	dg->seq = d->n;
	va_start(ap, span);
	collect_args(dg->args, ap);
	va_end(ap);
	HG_GROW(d->items, d->cap, d->n + 1);
	d->items[d->n++] = dg;
	if (infos[code].severity == HG_SEV_ERROR) {
		d->nerrors++;
		if (infos[code].env)
			d->env_error = true;
	} else if (infos[code].severity == HG_SEV_WARNING) {
		d->nwarnings++;
	}
	return dg;
}

void hg_diags_filter(hg_diags *d, bool (*keep)(const hg_diag *dg, void *payload), void *payload)
{
	size_t i, j, n = 0;

	d->nerrors = d->nwarnings = 0;
	d->env_error = false;
	for (i = 0; i < d->n; i++) {
		hg_diag *dg = d->items[i];
		if (!keep(dg, payload)) {
			free_args(dg->args);
			for (j = 0; j < dg->nnotes; j++)
				free_args(dg->notes[j].args);
			free(dg->notes);
			free(dg);
			continue;
		}
		d->items[n++] = dg;
		if (infos[dg->code].severity == HG_SEV_ERROR) {
			d->nerrors++;
			if (infos[dg->code].env)
				d->env_error = true;
		} else if (infos[dg->code].severity == HG_SEV_WARNING)
			d->nwarnings++;
	}
	d->n = n;
}

void hg_diag_note(hg_diag *dg, hg_diag_code code, const hg_span *span, ...)
{
	hg_note *n;
	va_list ap;

	dg->notes = hg_xrealloc(dg->notes, (dg->nnotes + 1) * sizeof(*dg->notes));
	n = &dg->notes[dg->nnotes++];
	memset(n, 0, sizeof(*n));
	n->code = code;
	n->span = span ? *span : no_span();
	va_start(ap, span);
	collect_args(n->args, ap);
	va_end(ap);
}

int hg_diags_exit_code(const hg_diags *d)
{
	if (d->env_error)
		return HG_EXIT_FAILURE;
	return d->nerrors ? HG_EXIT_FINDINGS : HG_EXIT_CLEAN;
}

static size_t file_rank(const hg_diags *d, const char *file)
{
	hg_source *s;
	if (!file)
		return 0;
	s = find_source(d, file);
	return s ? s->index + 1 : d->nsources + 1;
}

/* qsort is not stable; `seq` makes the order total. */
static const hg_diags *sort_ctx;

static int cmp_diag(const void *pa, const void *pb)
{
	const hg_diag *a = *(hg_diag *const *)pa, *b = *(hg_diag *const *)pb;
	size_t fa = file_rank(sort_ctx, a->span.file), fb = file_rank(sort_ctx, b->span.file);

	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a->span.line != b->span.line)
		return a->span.line < b->span.line ? -1 : 1;
	if (a->span.col != b->span.col)
		return a->span.col < b->span.col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void hg_diags_sort(hg_diags *d)
{
	sort_ctx = d;
	if (d->n > 1)
		qsort(d->items, d->n, sizeof(*d->items), cmp_diag);
	sort_ctx = NULL;
}

/* Append an argument, choosing the language's half of an HG_BI pair. */
static void put_arg(hg_buf *out, const char *a, hg_lang lang)
{
	const char *sep = strchr(a, '\x1f');

	/* An argument echoes input (a value, a path): no secret in it is shown. */
	if (!sep)
		hg_secret_mask(out, a, strlen(a));
	else if (lang == HG_LANG_JA)
		hg_secret_mask(out, sep + 1, strlen(sep + 1));
	else
		hg_secret_mask(out, a, (size_t)(sep - a));
}

void hg_diag_format(hg_buf *out, hg_diag_code code, char *const *args, hg_lang lang)
{
	const char *f = lang == HG_LANG_JA ? infos[code].ja : infos[code].en;

	while (*f) {
		if (f[0] == '{' && f[1] >= '0' && f[1] <= '3' && f[2] == '}') {
			const char *a = args[f[1] - '0'];
			put_arg(out, a ? a : "", lang);
			f += 3;
		} else {
			hg_buf_putc(out, *f++);
		}
	}
}

#define C_RESET  "\033[0m"
#define C_BOLD   "\033[1m"
#define C_RED    "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_CYAN   "\033[1;36m"
#define C_BLUE   "\033[1;34m"

/* Find line `line` (1-based) of a source; returns its start and length. */
static bool source_line(const hg_source *s, uint32_t line, const char **start, size_t *len)
{
	const char *p, *end;
	uint32_t n = 1;

	if (!s || !s->text)
		return false;
	p = s->text;
	end = s->text + s->len;
	/* Positions count from after a UTF-8 byte order mark (the loaders skip it). */
	if (s->len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (n < line) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return false;
		p = nl + 1;
		n++;
	}
	*start = p;
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		*len = (size_t)((nl ? nl : end) - p);
	}
	if (*len && (*start)[*len - 1] == '\r')
		(*len)--;
	return true;
}

/* The byte offset of the code point after the first n of text (len bytes). */
static size_t skip_chars(const char *text, size_t len, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	while (n-- && i < len)
		i += hg_utf8_decode(text + i, len - i, &cp);
	return i;
}

/* Back to the start of a UTF-8 sequence. */
static size_t char_start(const char *text, size_t i)
{
	while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/*
 * The line of sp with a caret under it. A long line (minified JSON) is cut
 * to a window of SNIPPET_BYTES around the column, "..." marking what is
 * left out; bytes that are not UTF-8 and control characters print as
 * U+FFFD so the terminal is not fed garbage or escape sequences.
 */
#define SNIPPET_BYTES  400
#define SNIPPET_BEFORE 80

/*
 * Line `line` of file as it may be shown: the redacted spans and every
 * secret of a known shape replaced character by character with '*', so the
 * caret still lands under the right column.
 */
static void shown_line(const hg_diags *d, hg_buf *out, const char *file, uint32_t line,
        const char *text, size_t len)
{
	hg_buf tmp = HG_BUF_INIT;
	size_t i, k;
	uint32_t col;

	hg_buf_put(&tmp, text, len);
	for (k = 0; k < d->nredacted; k++) {
		const hg_span *r = &d->redacted[k];
		uint32_t from, to;
		if (r->line > line || r->end_line < line ||
		        (r->file != file && strcmp(r->file, file) != 0))
			continue;
		from = r->line == line ? r->col : 1;
		to = r->end_line == line ? r->end_col : UINT32_MAX;
		/* Characters [from, to) of the line become '*', keeping their count. */
		hg_buf_clear(out);
		for (i = 0, col = 1; i < tmp.size; col++) {
			uint32_t cp;
			size_t n = hg_utf8_decode(tmp.ptr + i, tmp.size - i, &cp);
			if (col >= from && col < to)
				hg_buf_putc(out, '*');
			else
				hg_buf_put(out, tmp.ptr + i, n);
			i += n;
		}
		hg_buf_clear(&tmp);
		hg_buf_put(&tmp, out->ptr, out->size);
	}
	hg_buf_clear(out);
	hg_secret_mask_chars(out, tmp.ptr, tmp.size);
	hg_buf_dispose(&tmp);
}

static void render_snippet(const hg_diags *d, hg_buf *out, const hg_span *sp, bool color)
{
	const char *text;
	size_t len, i, width = 0, from = 0, to, at;
	uint32_t col, endcol;
	char num[16];
	int gutter;
	hg_buf line = HG_BUF_INIT;

	if (!sp->file || sp->line == 0 ||
	        !source_line(find_source(d, sp->file), sp->line, &text, &len))
		return;
	shown_line(d, &line, sp->file, sp->line, text, len);
	text = line.ptr;
	len = line.size;
	at = skip_chars(text, len, sp->col ? sp->col - 1 : 0);
	if (len > SNIPPET_BYTES && at > SNIPPET_BEFORE)
		from = char_start(text, at - SNIPPET_BEFORE);
	to = from + SNIPPET_BYTES < len ? char_start(text, from + SNIPPET_BYTES) : len;
	gutter = snprintf(num, sizeof(num), "%u", sp->line);
	hg_buf_fill(out, ' ', (size_t)gutter + 1);
	hg_buf_puts(out, color ? C_BLUE "|" C_RESET "\n" : "|\n");
	hg_buf_printf(out, "%s%s |%s ", color ? C_BLUE : "", num, color ? C_RESET : "");
	if (from)
		hg_buf_puts(out, "... ");
	for (i = from; i < to;) {
		uint32_t cp;
		size_t n = hg_utf8_decode(text + i, len - i, &cp);
		/* A control character (a NUL, an escape sequence that would drive
		 * the terminal or a CI log) prints as U+FFFD too. */
		if ((n == 1 && (unsigned char)text[i] >= 0x80) ||
		        ((unsigned char)text[i] < 0x20 && text[i] != '\t') || text[i] == 0x7F)
			hg_buf_puts(out, "\xEF\xBF\xBD");
		else
			hg_buf_put(out, text + i, n);
		i += n;
	}
	if (to < len)
		hg_buf_puts(out, " ...");
	hg_buf_putc(out, '\n');
	hg_buf_fill(out, ' ', (size_t)gutter + 1);
	hg_buf_puts(out, color ? C_BLUE "|" C_RESET " " : "| ");
	if (from)
		hg_buf_puts(out, "    ");
	/* The column of the window's first character, then to the span's end. */
	for (col = 1, i = 0; i < from; col++) {
		uint32_t cp;
		i += hg_utf8_decode(text + i, len - i, &cp);
	}
	endcol = sp->end_line == sp->line && sp->end_col > sp->col ? sp->end_col : sp->col + 1;
	for (; i < to && col < endcol;) {
		uint32_t cp;
		size_t n = hg_utf8_decode(text + i, len - i, &cp);
		int w = cp == '\t' ? 0 : hg_char_width(cp);
		if (col < sp->col) {
			if (cp == '\t')
				hg_buf_putc(out, '\t');
			else
				hg_buf_fill(out, ' ', (size_t)w);
		} else {
			width += (size_t)(cp == '\t' ? 1 : w);
		}
		i += n;
		col++;
	}
	if (width == 0)
		width = 1;
	if (color)
		hg_buf_puts(out, C_RED);
	hg_buf_putc(out, '^');
	if (width > 1)
		hg_buf_fill(out, '~', width - 1);
	if (color)
		hg_buf_puts(out, C_RESET);
	hg_buf_putc(out, '\n');
	hg_buf_dispose(&line);
}

static void render_header(hg_buf *out, const hg_span *sp, const char *sevname, const char *sevcolor,
        const char *code, bool color)
{
	if (color)
		hg_buf_puts(out, C_BOLD);
	if (sp->file) { /* a file name that is not UTF-8, or holds an escape sequence, is escaped */
		hg_utf8_clean(out, sp->file, strlen(sp->file), 0);
		if (sp->line)
			hg_buf_printf(out, ":%u:%u", sp->line, sp->col);
		hg_buf_puts(out, ": ");
	} else {
		hg_buf_puts(out, "hinagata: ");
	}
	if (color)
		hg_buf_puts(out, sevcolor);
	hg_buf_puts(out, sevname);
	if (*code)
		hg_buf_printf(out, "[%s]", code);
	if (color)
		hg_buf_puts(out, C_RESET C_BOLD);
	hg_buf_puts(out, ": ");
}

void hg_diags_render(const hg_diags *d, hg_buf *out, const hg_render_options *opts)
{
	size_t i, j, shown = 0, max = opts->max ? opts->max : (size_t)-1;
	bool color = opts->color;

	for (i = 0; i < d->n; i++) {
		const hg_diag *dg = d->items[i];
		const hg_diag_info *info = &infos[dg->code];
		char code[8];

		if (shown == max) {
			char n[32];
			hg_diag fake;
			memset(&fake, 0, sizeof(fake));
			snprintf(n, sizeof(n), "%zu", d->n - i);
			fake.args[0] = n;
			render_header(out, &fake.span, opts->lang == HG_LANG_JA ? "注記" : "note",
			        C_CYAN, "", color);
			hg_diag_format(out, HG_D_N_TOO_MANY, fake.args, opts->lang);
			hg_buf_puts(out, color ? C_RESET "\n" : "\n");
			break;
		}
		shown++;
		hg_diag_code_str(code, dg->code);
		if (info->severity == HG_SEV_ERROR)
			render_header(out, &dg->span, opts->lang == HG_LANG_JA ? "エラー" : "error",
			        C_RED, code, color);
		else
			render_header(out, &dg->span, opts->lang == HG_LANG_JA ? "警告" : "warning",
			        C_YELLOW, code, color);
		hg_diag_format(out, dg->code, dg->args, opts->lang);
		hg_buf_puts(out, color ? C_RESET "\n" : "\n");
		render_snippet(d, out, &dg->span, color);
		for (j = 0; j < dg->nnotes; j++) {
			const hg_note *n = &dg->notes[j];
			if (n->span.line == 0 && n->span.file == NULL) {
				hg_buf_puts(out, color ? C_BLUE "  = " C_RESET : "  = ");
				hg_buf_puts(out, opts->lang == HG_LANG_JA ? "ヒント: " : "help: ");
				hg_diag_format(out, n->code, n->args, opts->lang);
				hg_buf_putc(out, '\n');
				continue;
			}
			render_header(out, &n->span, opts->lang == HG_LANG_JA ? "注記" : "note",
			        C_CYAN, "", color);
			hg_diag_format(out, n->code, n->args, opts->lang);
			hg_buf_puts(out, color ? C_RESET "\n" : "\n");
			render_snippet(d, out, &n->span, color);
		}
	}
}

void hg_diags_merge(hg_diags *dst, hg_diags *src)
{
	size_t i, j;

	for (i = 0; i < src->nsources; i++) /* sources first, in their order */
		hg_diags_source(dst, src->sources[i]->name, src->sources[i]->text, src->sources[i]->len);
	for (i = 0; i < src->n; i++) {
		hg_diag *dg = src->items[i];
		if (dg->span.file)
			dg->span.file = hg_diags_source(dst, dg->span.file, NULL, 0);
		for (j = 0; j < dg->nnotes; j++)
			if (dg->notes[j].span.file)
				dg->notes[j].span.file = hg_diags_source(dst, dg->notes[j].span.file, NULL, 0);
		dg->seq = dst->n;
		HG_GROW(dst->items, dst->cap, dst->n + 1);
		dst->items[dst->n++] = dg;
	}
	dst->nerrors += src->nerrors;
	dst->nwarnings += src->nwarnings;
	dst->env_error = dst->env_error || src->env_error;
	free(src->items);
	src->items = NULL;
	src->n = src->cap = 0;
	hg_diags_dispose(src);
}
