/*
 * semver.c: semantic versions and ranges (see semver.h for the rules).
 * Part of hinagata; see LICENSE.
 *
 * A range is parsed into comparator sets: the range matches when every
 * comparator of at least one set matches. Caret, tilde, partial versions
 * and wildcards are all desugared into >= and < comparators at parse time,
 * so matching is one loop.
 */
#include "semver.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef enum op { OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE } op;

typedef struct comparator {
	op op;
	hg_semver v;
} comparator;

typedef struct cset {
	comparator *c;
	size_t n;
} cset;

struct hg_range {
	cset *sets;
	size_t n;
};

static int parse_num(uint64_t *out, const char **p)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	if (*s == '0' && isdigit((unsigned char)s[1]))
		return -1; /* no leading zeros */
	while (isdigit((unsigned char)*s)) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s++ - '0');
	}
	*out = v;
	*p = s;
	return 0;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.';
}

int hg_semver_parse(hg_semver *out, hg_arena *a, const char *s)
{
	const char *p = s, *pre;

	memset(out, 0, sizeof(*out));
	if (parse_num(&out->major, &p) < 0 || *p++ != '.' || parse_num(&out->minor, &p) < 0 ||
	        *p++ != '.' || parse_num(&out->patch, &p) < 0)
		return -1;
	if (*p == '-') {
		pre = ++p;
		while (ident_char(*p))
			p++;
		if (p == pre || p[-1] == '.')
			return -1;
		out->pre = hg_arena_strndup(a, pre, (size_t)(p - pre));
	}
	if (*p == '+') {
		const char *b = ++p;
		while (ident_char(*p))
			p++;
		if (p == b)
			return -1;
	}
	return *p == '\0' ? 0 : -1;
}

static int cmp_pre(const char *x, const char *y)
{
	/* No pre-release ranks above any pre-release (1.0.0 > 1.0.0-rc.1). */
	if (!x || !y)
		return !x && !y ? 0 : (!x ? 1 : -1);
	while (*x && *y) {
		const char *xe = strchr(x, '.'), *ye = strchr(y, '.');
		size_t xl = xe ? (size_t)(xe - x) : strlen(x),
		       yl = ye ? (size_t)(ye - y) : strlen(y);
		bool xn = true, yn = true;
		size_t i;
		for (i = 0; i < xl; i++)
			xn = xn && isdigit((unsigned char)x[i]);
		for (i = 0; i < yl; i++)
			yn = yn && isdigit((unsigned char)y[i]);
		if (xn && yn) {
			if (xl != yl)
				return xl < yl ? -1 : 1;
		} else if (xn != yn) {
			return xn ? -1 : 1; /* numeric identifiers rank lower */
		}
		{
			int c = strncmp(x, y, xl < yl ? xl : yl);
			if (c)
				return c < 0 ? -1 : 1;
			if (xl != yl)
				return xl < yl ? -1 : 1;
		}
		x += xl + (xe ? 1 : 0);
		y += yl + (ye ? 1 : 0);
		if (!xe || !ye)
			return !xe && !ye ? 0 : (!xe ? -1 : 1);
	}
	return 0;
}

int hg_semver_cmp(const hg_semver *x, const hg_semver *y)
{
	if (x->major != y->major)
		return x->major < y->major ? -1 : 1;
	if (x->minor != y->minor)
		return x->minor < y->minor ? -1 : 1;
	if (x->patch != y->patch)
		return x->patch < y->patch ? -1 : 1;
	return cmp_pre(x->pre, y->pre);
}

/* A partial version: how many of major.minor.patch were given (0..3). */
struct partial {
	uint64_t n[3];
	int given;
	const char *pre;
};

static int parse_partial(struct partial *out, hg_arena *a, const char **p)
{
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < 3; i++) {
		if (**p == 'x' || **p == 'X' || **p == '*') {
			(*p)++;
			break;
		}
		if (parse_num(&out->n[i], p) < 0)
			return -1;
		out->given = i + 1;
		if (**p != '.')
			break;
		(*p)++;
	}
	/* Any further ".x" parts of a wildcard are allowed and ignored. */
	while (**p == '.' && ((*p)[1] == 'x' || (*p)[1] == 'X' || (*p)[1] == '*'))
		*p += 2;
	if (**p == '-' && out->given == 3) {
		const char *pre = ++(*p);
		while (ident_char(**p))
			(*p)++;
		if (*p == pre)
			return -1;
		out->pre = hg_arena_strndup(a, pre, (size_t)(*p - pre));
	}
	if (**p == '+') {
		(*p)++;
		while (ident_char(**p))
			(*p)++;
	}
	return 0;
}

static hg_semver ver(uint64_t ma, uint64_t mi, uint64_t pa, const char *pre)
{
	hg_semver v;
	v.major = ma;
	v.minor = mi;
	v.patch = pa;
	v.pre = pre;
	return v;
}

/* Lower bound of a partial (missing parts are 0), with the given pre-release. */
static hg_semver low(const struct partial *pv)
{
	return ver(pv->n[0], pv->n[1], pv->n[2], pv->pre);
}

/* The smallest version above every version the partial covers ("1.2" -> 1.3.0-0). */
static hg_semver past(const struct partial *pv)
{
	if (pv->given == 1)
		return ver(pv->n[0] + 1, 0, 0, "0");
	return ver(pv->n[0], pv->n[1] + 1, 0, "0");
}

static void push(comparator **c, size_t *n, size_t *cap, op o, hg_semver v)
{
	HG_GROW(*c, *cap, *n + 1);
	(*c)[*n].op = o;
	(*c)[*n].v = v;
	(*n)++;
}

static int parse_set(cset *out, hg_arena *a, const char **p)
{
	comparator *c = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		const char *s;
		struct partial pv;
		char ch;
		op o = OP_EQ;
		int kind = 0; /* 0 plain, 1 caret, 2 tilde */

		while (**p == ' ')
			(*p)++;
		s = *p;
		if (!*s || (s[0] == '|' && s[1] == '|'))
			break;
		ch = *s;
		if (ch == '^') {
			kind = 1;
			(*p)++;
		} else if (ch == '~') {
			kind = 2;
			(*p)++;
			if (**p == '>')
				goto fail; /* Terraform's ~> is not npm syntax */
		} else if (ch == '>' || ch == '<') {
			(*p)++;
			if (**p == '=') {
				(*p)++;
				o = ch == '>' ? OP_GE : OP_LE;
			} else {
				o = ch == '>' ? OP_GT : OP_LT;
			}
		} else if (ch == '=') {
			(*p)++;
		}
		while (**p == ' ')
			(*p)++;
		if (**p == 'v')
			(*p)++;
		if (parse_partial(&pv, a, p) < 0)
			goto fail;
		if (**p && **p != ' ' && **p != '|')
			goto fail;
		if (kind == 1) {
			hg_semver hi;
			if (pv.given == 0) {
				continue; /* ^* matches anything */
			} else if (pv.n[0] > 0 || pv.given == 1) {
				hi = ver(pv.n[0] + 1, 0, 0, "0");
			} else if (pv.n[1] > 0 || pv.given == 2) {
				hi = ver(0, pv.n[1] + 1, 0, "0");
			} else {
				hi = ver(0, 0, pv.n[2] + 1, "0");
			}
			push(&c, &n, &cap, OP_GE, low(&pv));
			push(&c, &n, &cap, OP_LT, hi);
		} else if (kind == 2) {
			if (pv.given == 0)
				continue;
			push(&c, &n, &cap, OP_GE, low(&pv));
			push(&c, &n, &cap, OP_LT,
			        past(pv.given == 1 ? &pv
			                           : &(struct partial){
			                                     {pv.n[0], pv.n[1], 0}, 2, NULL}));
		} else if (pv.given == 3) {
			push(&c, &n, &cap, o, low(&pv));
		} else if (pv.given == 0) {
			if (o == OP_LT || o == OP_GT)
				push(&c, &n, &cap, OP_LT, ver(0, 0, 0, "0")); /* matches nothing */
		} else {
			/* Partial versions cover a whole range of versions. */
			switch (o) {
			case OP_EQ:
				push(&c, &n, &cap, OP_GE, low(&pv));
				push(&c, &n, &cap, OP_LT, past(&pv));
				break;
			case OP_GE:
				push(&c, &n, &cap, OP_GE, low(&pv));
				break;
			case OP_LT:
				push(&c, &n, &cap, OP_LT, ver(pv.n[0], pv.n[1], 0, "0"));
				if (pv.given == 1)
					c[n - 1].v = ver(pv.n[0], 0, 0, "0");
				break;
			case OP_GT:
				push(&c, &n, &cap, OP_GE, past(&pv));
				break;
			case OP_LE:
				push(&c, &n, &cap, OP_LT, past(&pv));
				break;
			}
		}
	}
	out->n = n;
	out->c = HG_ANEWN(a, comparator, n ? n : 1);
	if (n)
		memcpy(out->c, c, n * sizeof(*c));
	free(c);
	return 0;
fail:
	free(c);
	return -1;
}

int hg_range_parse(hg_range **out, hg_arena *a, const char *s)
{
	cset sets[16];
	size_t n = 0;
	const char *p = s;
	hg_range *r;

	*out = NULL;
	while (*p == ' ')
		p++;
	if (!*p)
		return -1;
	for (;;) {
		if (n == HG_ARRAY_SIZE(sets) || parse_set(&sets[n], a, &p) < 0)
			return -1;
		n++;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (p[0] != '|' || p[1] != '|')
			return -1;
		p += 2;
		while (*p == ' ')
			p++;
		if (!*p)
			return -1;
	}
	r = HG_ANEW(a, hg_range);
	r->n = n;
	r->sets = HG_ANEWN(a, cset, n);
	memcpy(r->sets, sets, n * sizeof(*sets));
	*out = r;
	return 0;
}

static bool cmp_match(const comparator *c, const hg_semver *v)
{
	int k = hg_semver_cmp(v, &c->v);
	switch (c->op) {
	case OP_EQ:
		return k == 0;
	case OP_LT:
		return k < 0;
	case OP_LE:
		return k <= 0;
	case OP_GT:
		return k > 0;
	case OP_GE:
		return k >= 0;
	}
	return false;
}

static bool set_match(const cset *s, const hg_semver *v)
{
	size_t i;
	bool pre_ok = v->pre == NULL;

	for (i = 0; i < s->n; i++)
		if (!cmp_match(&s->c[i], v))
			return false;
	/* npm: a pre-release needs a comparator on the same tuple that has one
	 * too (the "0" pre-releases made by desugaring do not count). */
	for (i = 0; !pre_ok && i < s->n; i++) {
		const hg_semver *c = &s->c[i].v;
		if (c->pre && strcmp(c->pre, "0") != 0 && c->major == v->major &&
		        c->minor == v->minor && c->patch == v->patch)
			pre_ok = true;
	}
	return pre_ok;
}

bool hg_range_match(const hg_range *r, const hg_semver *v)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		if (set_match(&r->sets[i], v))
			return true;
	return false;
}
