/*
 * secret.c: finding secrets by their shape (see secret.h, secret.def).
 * Part of hinagata; see LICENSE.
 *
 * Design. Each finder scans the text once and records the byte ranges to
 * mask; the ranges are then sorted, merged and written out with the mask
 * in their place. Finders look for structure, not entropy: a prefix and a
 * length (AWS key IDs), a field name before '=' (connection strings and
 * URL queries), "://user:pass@" (URLs), BEGIN/END lines (key blocks),
 * "eyJ...eyJ..." (JWTs), and one rule of thumb, a 40-character base64 token
 * with upper- and lower-case letters and a digit or '/' '+' (an AWS secret
 * access key; hex digests and UUIDs do not match). No regular expressions:
 * the scan is linear and cannot backtrack on hostile text.
 */
#define _GNU_SOURCE /* strncasecmp */
#include "secret.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const key_ids[] = {
#define HG_SECRET_KEY_ID(p) p,
#define HG_SECRET_FIELD(n)
#define HG_SECRET_PEM(l)
#include "secret.def"
#undef HG_SECRET_KEY_ID
#undef HG_SECRET_FIELD
#undef HG_SECRET_PEM
};

static const char *const fields[] = {
#define HG_SECRET_KEY_ID(p)
#define HG_SECRET_FIELD(n) n,
#define HG_SECRET_PEM(l)
#include "secret.def"
#undef HG_SECRET_KEY_ID
#undef HG_SECRET_FIELD
#undef HG_SECRET_PEM
};

static const char *const pems[] = {
#define HG_SECRET_KEY_ID(p)
#define HG_SECRET_FIELD(n)
#define HG_SECRET_PEM(l) l,
#include "secret.def"
#undef HG_SECRET_KEY_ID
#undef HG_SECRET_FIELD
#undef HG_SECRET_PEM
};

/* Byte ranges [from, to) to mask. */
struct ranges {
	struct range {
		size_t from, to;
	} * v;
	size_t n, cap;
};

static void add(struct ranges *r, size_t from, size_t to)
{
	if (to <= from)
		return;
	HG_GROW(r->v, r->cap, r->n + 1);
	r->v[r->n].from = from;
	r->v[r->n].to = to;
	r->n++;
}

static bool is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_b64(char c)
{
	return is_alnum(c) || c == '/' || c == '+';
}

static bool is_b64url(char c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

/* AKIA + 16 of [A-Z0-9], as a whole word. */
static void key_id(struct ranges *r, const char *s, size_t n)
{
	size_t i, k, j;

	for (i = 0; i + 20 <= n; i++) {
		if (s[i] != 'A' || (i > 0 && is_alnum(s[i - 1])))
			continue;
		for (k = 0; k < sizeof(key_ids) / sizeof(*key_ids); k++) {
			if (memcmp(s + i, key_ids[k], 4) != 0)
				continue;
			for (j = 4; j < 20 && ((s[i + j] >= 'A' && s[i + j] <= 'Z') ||
			                              (s[i + j] >= '0' && s[i + j] <= '9'));)
				j++;
			if (j == 20 && (i + 20 == n || !is_alnum(s[i + 20])))
				add(r, i, i + 20);
		}
	}
}

/*
 * A run of exactly 40 base64 characters that looks random: at least five
 * upper-case and five lower-case letters and a digit. A random key has
 * about 16 of each case and 6 digits (fewer than five of a case, or no
 * digit, is about one key in a thousand); a path of resource type names
 * ("OperationalInsights/workspaces/citybjuki", 40 characters) has two
 * capitals and is not a key.
 */
static void secret_key(struct ranges *r, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, up = 0, low = 0, digit = 0;
		if (!is_b64(s[i])) {
			i++;
			continue;
		}
		for (; j < n && is_b64(s[j]); j++) {
			up += s[j] >= 'A' && s[j] <= 'Z';
			low += s[j] >= 'a' && s[j] <= 'z';
			digit += s[j] >= '0' && s[j] <= '9';
		}
		if (j - i == 40 && up >= 5 && low >= 5 && digit)
			add(r, i, j);
		i = j;
	}
}

/*
 * A reference in place of a value is no secret: ${params.x} (hinagata),
 * {{resolve:secretsmanager:...}} (CloudFormation dynamic references),
 * [parameters('x')] (ARM), $(VAR) (shells, pipelines).
 */
static bool reference(const char *s, size_t n)
{
	return n >= 2 && (memcmp(s, "${", 2) == 0 || memcmp(s, "{{", 2) == 0 ||
	                         memcmp(s, "$(", 2) == 0 || s[0] == '[');
}

/* The end of a field's value: a separator of connection strings, URL queries, JSON text. */
static size_t value_end(const char *s, size_t n, size_t j)
{
	if (j < n && (s[j] == '\'' || (s[j] == '"' && j + 1 < n && s[j + 1] != ';'))) {
		/* Password='a;b' (ADO.NET quoting) */
		const char *q = memchr(s + j + 1, s[j], n - j - 1);
		if (q)
			return (size_t)(q - s) + 1;
	}
	while (j < n && s[j] != ';' && s[j] != '&' && s[j] != '"' && s[j] != '\n' && s[j] != '\r' &&
	        !(s[j] == '\\' && j + 1 < n && (s[j + 1] == '"' || s[j + 1] == 'n')))
		j++;
	return j;
}

/* name=value, where name is a secret field (any case) at the start of a field. */
static void field(struct ranges *r, const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (i > 0 && !strchr(";&? \t\n\"'{,(", s[i - 1]))
			continue;
		for (k = 0; k < sizeof(fields) / sizeof(*fields); k++) {
			size_t len = strlen(fields[k]), j = i + len;
			if (n - i <= len || strncasecmp(s + i, fields[k], len) != 0)
				continue;
			while (j < n && s[j] == ' ')
				j++;
			if (j >= n || s[j] != '=')
				continue;
			j++;
			while (j < n && s[j] == ' ')
				j++;
			if (!reference(s + j, n - j))
				add(r, j, value_end(s, n, j));
			break;
		}
	}
}

/* scheme://user:password@host: the password. */
static void url_password(struct ranges *r, const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while (p < end && (p = memmem(p, (size_t)(end - p), "://", 3)) != NULL) {
		const char *u = p + 3, *colon = NULL, *q;
		for (q = u; q < end && !strchr("/@ \t\n\"'", *q); q++) {
			if (*q == ':' && !colon)
				colon = q;
			if (colon && reference(q, (size_t)(end - q))) /* user:${params.password}@ */
				break;
		}
		if (q < end && *q == '@' && colon)
			add(r, (size_t)(colon + 1 - s), (size_t)(q - s));
		p += 3;
	}
}

/* eyJ<base64url>.eyJ<base64url>.<base64url>: a JSON Web Token, header and claims. */
static void jwt(struct ranges *r, const char *s, size_t n)
{
	size_t i, j, part;

	for (i = 0; i + 3 < n; i++) {
		if (memcmp(s + i, "eyJ", 3) != 0 || (i > 0 && is_b64url(s[i - 1])))
			continue;
		j = i;
		for (part = 0; part < 3; part++) {
			size_t from = j;
			if (part < 2 && (n - j < 3 || memcmp(s + j, "eyJ", 3) != 0))
				break;
			while (j < n && is_b64url(s[j]))
				j++;
			if (part < 2 && (j - from < 10 || j >= n || s[j] != '.'))
				break;
			if (part < 2)
				j++;
		}
		if (part == 3) {
			add(r, i, j);
			i = j;
		}
	}
}

/* -----BEGIN <label>----- to its END line (or the end of the text). */
static void pem(struct ranges *r, const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	size_t k;

	while (p < end && (p = memmem(p, (size_t)(end - p), "-----BEGIN ", 11)) != NULL) {
		const char *label = p + 11;
		for (k = 0; k < sizeof(pems) / sizeof(*pems); k++) {
			size_t len = strlen(pems[k]);
			const char *stop;
			hg_buf endline = HG_BUF_INIT;
			if ((size_t)(end - label) < len + 5 || memcmp(label, pems[k], len) != 0 ||
			        memcmp(label + len, "-----", 5) != 0)
				continue;
			hg_buf_printf(&endline, "-----END %s-----", pems[k]);
			stop = memmem(label, (size_t)(end - label), endline.ptr, endline.size);
			add(r, (size_t)(p - s), stop ? (size_t)(stop - s) + endline.size : n);
			hg_buf_dispose(&endline);
			break;
		}
		p += 11;
	}
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->to < y->to ? 1 : x->to > y->to ? -1 : 0;
}

static void find(struct ranges *r, const char *s, size_t n)
{
	pem(r, s, n);
	key_id(r, s, n);
	secret_key(r, s, n);
	field(r, s, n);
	url_password(r, s, n);
	jwt(r, s, n);
}

bool hg_secret_in(const char *s, size_t n)
{
	struct ranges r = {NULL, 0, 0};
	bool any;

	find(&r, s, n);
	any = r.n > 0;
	free(r.v);
	return any;
}

static size_t mask(hg_buf *out, const char *s, size_t n, bool chars)
{
	struct ranges r = {NULL, 0, 0};
	size_t i, at = 0, masked = 0;

	find(&r, s, n);
	if (r.n > 1)
		qsort(r.v, r.n, sizeof(*r.v), cmp_range);
	for (i = 0; i < r.n;) {
		size_t from = r.v[i].from, to = r.v[i].to;
		/* Overlapping ranges (a key ID inside a connection string) are one mask. */
		for (i++; i < r.n && r.v[i].from < to; i++)
			if (r.v[i].to > to)
				to = r.v[i].to;
		hg_buf_put(out, s + at, from - at);
		if (!chars)
			hg_buf_puts(out, HG_SECRET_MASK);
		else /* one '*' per character (UTF-8 sequence) */
			for (; from < to; from += hg_utf8_len((const unsigned char *)s + from))
				hg_buf_putc(out, '*');
		at = to;
		masked++;
	}
	hg_buf_put(out, s + at, n - at);
	free(r.v);
	return masked;
}

size_t hg_secret_mask(hg_buf *out, const char *s, size_t n)
{
	return mask(out, s, n, false);
}

size_t hg_secret_mask_chars(hg_buf *out, const char *s, size_t n)
{
	return mask(out, s, n, true);
}
