/*
 * yaml_load.c: libyaml events to hg_node trees with 1-based positions.
 * Part of hinagata; see LICENSE.
 *
 * Design. libyaml's event parser is already iterative, so the tree is built
 * with an explicit stack of open collections and never recurses: a
 * 10,000-deep document costs a diagnostic, not the C stack. Three things
 * YAML allows and hinagata refuses are checked here, where the positions
 * are exact:
 *  - duplicate mapping keys (YAML 1.2 forbids them, libyaml lets them pass);
 *  - alias expansion past a node budget (the "billion laughs" document):
 *    every node records the size of its expanded subtree, an alias adds the
 *    size of its anchor, and the total is capped;
 *  - invalid UTF-8, found by our own scan before libyaml sees the bytes, so
 *    the message can name the byte and its line and column (a UTF-16 file,
 *    what Windows PowerShell's > writes, gets a note saying so).
 * A UTF-8 byte order mark is skipped (diag.c skips it too when it prints
 * line 1). Duplicate keys and anchors are found through hash indexes
 * (hg_hindex), so a generated file of 300,000 keys or anchors costs linear
 * time, not a hook that never returns.
 * libyaml marks are zero-based and count characters; they are converted to
 * the 1-based spans of hg_diag once, in span_of().
 */
#include "yaml_load.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "../common/hash.h"

struct frame {
	hg_node *node;
	size_t cap;
	hg_node *key;  /* a mapping's key waiting for its value */
	size_t anchor; /* the anchor the collection defines, or SIZE_MAX */
};

struct anchor {
	const char *name;
	hg_node *node;
	bool complete;
};

struct loader {
	hg_arena *a;
	hg_diags *d;
	const char *file;
	const hg_yaml_options *opts;
	struct frame *stack;
	size_t depth, capstack;
	struct anchor *anchors;
	size_t nanchors, capanchors;
	hg_hindex anchor_index; /* name hash -> position in anchors */
	uint64_t total;         /* nodes so far, aliases expanded */
	bool aliased;           /* an alias was expanded: the total is not just the text */
	hg_node *root;
	bool failed;
};

static hg_span span_of(const char *file, yaml_mark_t start, yaml_mark_t end)
{
	hg_span s;
	s.file = file;
	s.line = (uint32_t)start.line + 1;
	s.col = (uint32_t)start.column + 1;
	s.end_line = (uint32_t)end.line + 1;
	s.end_col = (uint32_t)end.column + 1;
	return s;
}

/* The line and column (1-based, in characters) of a byte offset. */
static hg_span span_at_offset(const char *file, const char *text, size_t len, size_t off)
{
	hg_span s = {file, 1, 1, 1, 2};
	size_t i = 0;

	while (i < off && i < len) {
		if (text[i] == '\n') {
			s.line++;
			s.col = 1;
			i++;
		} else {
			i += hg_utf8_len((const unsigned char *)text + i);
			s.col++;
		}
	}
	s.end_line = s.line;
	s.end_col = s.col + 1;
	return s;
}

/* Report the first NUL byte or invalid UTF-8 sequence; returns false if there is one. */
static bool check_utf8(hg_diags *d, const char *file, const char *text, size_t len)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t i = 0, n;

	while (i < len) {
		if (u[i] == 0) { /* libyaml would say "control characters are not allowed" */
			hg_span s = span_at_offset(file, text, len, i);
			hg_diag_add(d, HG_D_NUL_BYTE, &s, NULL);
			return false;
		}
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = hg_utf8_valid(text + i, len - i)) == 0) {
			char hex[3];
			hg_span s = span_at_offset(file, text, len, i);
			hg_diag *dg;
			snprintf(hex, sizeof(hex), "%02X", u[i]);
			dg = hg_diag_add(d, HG_D_YAML_UTF8, &s, hex, NULL);
			/* FF FE / FE FF: a UTF-16 byte order mark */
			if (i == 0 && len >= 2 &&
			        ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
				hg_diag_note(dg, HG_D_N_UTF16, NULL, NULL);
			return false;
		}
		i += n;
	}
	return true;
}

static void error_at(struct loader *l, hg_diag_code code, const hg_span *s, const char *arg)
{
	char buf[32];
	if (code == HG_D_YAML_DEPTH) {
		snprintf(buf, sizeof(buf), "%u", l->opts->max_depth);
		arg = buf;
	} else if (code == HG_D_YAML_ALIAS_LIMIT || code == HG_D_YAML_NODE_LIMIT) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)l->opts->max_nodes);
		arg = buf;
	}
	hg_diag_add(l->d, code, s, arg, NULL);
	l->failed = true;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Count n (size already known) against the node budget. */
static bool charge(struct loader *l, uint64_t n, const hg_span *at)
{
	l->total = sat_add(l->total, n);
	if (l->total > l->opts->max_nodes) {
		/* Without an alias the document is simply that big (a long flow
		 * list on one line, say): blaming alias expansion would mislead. */
		error_at(l, l->aliased ? HG_D_YAML_ALIAS_LIMIT : HG_D_YAML_NODE_LIMIT, at, NULL);
		return false;
	}
	return true;
}

static void duplicate(struct loader *l, const hg_node *key, const hg_node *first)
{
	hg_diag *dg = hg_diag_add(l->d, HG_D_YAML_DUP_KEY, &key->span, key->u.scalar.str, NULL);
	hg_diag_note(dg, HG_D_N_FIRST_HERE, &first->span, NULL);
	l->failed = true;
}

static bool same_key(const hg_node *a, const hg_node *b)
{
	return a->u.scalar.len == b->u.scalar.len &&
	       memcmp(a->u.scalar.str, b->u.scalar.str, a->u.scalar.len) == 0;
}

/* Mappings of up to this many keys are checked pair by pair: cheaper than an index. */
#define SMALL_MAP 8

static void check_duplicates(struct loader *l, hg_node *map)
{
	size_t i, j, n = map->u.map.n;
	hg_hindex seen = {0};

	if (n <= SMALL_MAP) {
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++)
				if (same_key(map->u.map.pairs[i].key, map->u.map.pairs[j].key)) {
					duplicate(l, map->u.map.pairs[i].key,
					        map->u.map.pairs[j].key);
					break;
				}
		return;
	}
	for (i = 0; i < n; i++) {
		const hg_node *k = map->u.map.pairs[i].key;
		uint64_t h = hg_hash64(k->u.scalar.str, k->u.scalar.len);
		size_t it = 0, pos;
		bool dup = false;
		while (!dup && hg_hindex_next(&seen, h, &it, &pos))
			if (same_key(k, map->u.map.pairs[pos].key)) {
				duplicate(l, k, map->u.map.pairs[pos].key);
				dup = true;
			}
		if (!dup) /* the first one stays the one a later duplicate points at */
			hg_hindex_put(&seen, h, i);
	}
	hg_hindex_dispose(&seen);
}

/* Attach a finished node to the open collection (or make it the root). */
static void attach(struct loader *l, hg_node *n)
{
	struct frame *f;

	if (l->depth == 0) {
		l->root = n;
		return;
	}
	f = &l->stack[l->depth - 1];
	f->node->size = sat_add(f->node->size, n->size);
	if (f->node->kind == HG_NODE_SEQ) {
		hg_node *s = f->node;
		HG_GROW(s->u.seq.items, f->cap, s->u.seq.n + 1);
		s->u.seq.items[s->u.seq.n++] = n;
		return;
	}
	if (!f->key) {
		if (n->kind != HG_NODE_SCALAR) {
			error_at(l, HG_D_YAML_KEY_NOT_SCALAR, &n->span, NULL);
			/* Keep going with a placeholder so the value still parses. */
			n = HG_ANEW(l->a, hg_node);
			n->kind = HG_NODE_SCALAR;
			n->span = f->node->span;
			n->u.scalar.str = "";
		}
		f->key = n;
		return;
	}
	{
		hg_node *m = f->node;
		HG_GROW(m->u.map.pairs, f->cap, m->u.map.n + 1);
		m->u.map.pairs[m->u.map.n].key = f->key;
		m->u.map.pairs[m->u.map.n].value = n;
		m->u.map.n++;
		f->key = NULL;
	}
}

/* The position of anchor name in l->anchors, or SIZE_MAX. */
static size_t find_anchor(const struct loader *l, const char *name)
{
	size_t it = 0, pos;
	uint64_t h = hg_hash64(name, strlen(name));

	while (hg_hindex_next(&l->anchor_index, h, &it, &pos))
		if (strcmp(l->anchors[pos].name, name) == 0)
			return pos;
	return SIZE_MAX;
}

/* Define anchor name on n; returns its position (SIZE_MAX without a name). */
static size_t add_anchor(struct loader *l, const unsigned char *name, hg_node *n, bool complete)
{
	size_t i;
	if (!name)
		return SIZE_MAX;
	/* A later anchor of the same name shadows the earlier one (YAML 1.2). */
	if ((i = find_anchor(l, (const char *)name)) == SIZE_MAX) {
		HG_GROW(l->anchors, l->capanchors, l->nanchors + 1);
		i = l->nanchors++;
		l->anchors[i].name = hg_arena_strdup(l->a, (const char *)name);
		hg_hindex_put(&l->anchor_index, hg_hash64(name, strlen((const char *)name)), i);
	}
	l->anchors[i].node = n;
	l->anchors[i].complete = complete;
	return i;
}

static const char *tag_of(struct loader *l, const unsigned char *tag)
{
	if (!tag)
		return NULL;
	return hg_arena_strdup(l->a, (const char *)tag);
}

static void on_scalar(struct loader *l, yaml_event_t *ev)
{
	hg_node *n = HG_ANEW(l->a, hg_node);
	hg_span s = span_of(l->file, ev->start_mark, ev->end_mark);

	n->kind = HG_NODE_SCALAR;
	n->span = s;
	n->size = 1;
	n->tag = tag_of(l, ev->data.scalar.tag);
	n->u.scalar.str =
	        hg_arena_strndup(l->a, (const char *)ev->data.scalar.value, ev->data.scalar.length);
	n->u.scalar.len = ev->data.scalar.length;
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		n->u.scalar.style = HG_STYLE_SINGLE;
		break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		n->u.scalar.style = HG_STYLE_DOUBLE;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
		n->u.scalar.style = HG_STYLE_LITERAL;
		break;
	case YAML_FOLDED_SCALAR_STYLE:
		n->u.scalar.style = HG_STYLE_FOLDED;
		break;
	default:
		n->u.scalar.style = HG_STYLE_PLAIN;
		break;
	}
	/* An explicit !!str makes a plain scalar a string. */
	if (n->tag && strcmp(n->tag, YAML_STR_TAG) == 0) {
		if (n->u.scalar.style == HG_STYLE_PLAIN)
			n->u.scalar.style = HG_STYLE_SINGLE;
		n->tag = NULL;
	}
	if (!charge(l, 1, &s))
		return;
	add_anchor(l, ev->data.scalar.anchor, n, true);
	attach(l, n);
}

static void on_alias(struct loader *l, yaml_event_t *ev)
{
	hg_span s = span_of(l->file, ev->start_mark, ev->end_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	size_t i;

	i = find_anchor(l, name);
	if (i == SIZE_MAX) {
		error_at(l, HG_D_YAML_UNKNOWN_ANCHOR, &s, name);
		return;
	}
	if (!l->anchors[i].complete) {
		error_at(l, HG_D_YAML_RECURSIVE_ALIAS, &s, name);
		return;
	}
	l->aliased = true;
	if (!charge(l, l->anchors[i].node->size, &s))
		return;
	/* The alias shares the anchored node: the tree becomes a DAG. The
	 * budget above is what keeps walkers of that DAG bounded. */
	attach(l, l->anchors[i].node);
}

static void on_start(struct loader *l, yaml_event_t *ev, hg_node_kind kind)
{
	hg_node *n = HG_ANEW(l->a, hg_node);
	hg_span s = span_of(l->file, ev->start_mark, ev->end_mark);
	const unsigned char *anchor, *tag;

	if (l->depth >= l->opts->max_depth) {
		error_at(l, HG_D_YAML_DEPTH, &s, NULL);
		return;
	}
	n->kind = kind;
	n->span = s;
	n->size = 1;
	if (kind == HG_NODE_SEQ) {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	} else {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	}
	n->tag = tag_of(l, tag);
	if (n->tag && (strcmp(n->tag, YAML_SEQ_TAG) == 0 || strcmp(n->tag, YAML_MAP_TAG) == 0))
		n->tag = NULL;
	if (!charge(l, 1, &s))
		return;
	HG_GROW(l->stack, l->capstack, l->depth + 1);
	l->stack[l->depth].anchor = add_anchor(l, anchor, n, false);
	l->stack[l->depth].node = n;
	l->stack[l->depth].cap = 0;
	l->stack[l->depth].key = NULL;
	l->depth++;
}

/* Children grow in malloc'd arrays while a collection is open; a closed
 * collection moves them into the arena (exactly sized) and frees them. */
static void move_to_arena(struct loader *l, hg_node *n)
{
	if (n->kind == HG_NODE_SEQ) {
		hg_node **items = HG_ANEWN(l->a, hg_node *, n->u.seq.n ? n->u.seq.n : 1);
		if (n->u.seq.n)
			memcpy(items, n->u.seq.items, n->u.seq.n * sizeof(*items));
		free(n->u.seq.items);
		n->u.seq.items = items;
	} else if (n->kind == HG_NODE_MAP) {
		hg_pair *pairs = HG_ANEWN(l->a, hg_pair, n->u.map.n ? n->u.map.n : 1);
		if (n->u.map.n)
			memcpy(pairs, n->u.map.pairs, n->u.map.n * sizeof(*pairs));
		free(n->u.map.pairs);
		n->u.map.pairs = pairs;
	}
}

static void on_end(struct loader *l, yaml_event_t *ev)
{
	hg_node *n;
	size_t anchor;

	if (l->depth == 0)
		return;
	n = l->stack[--l->depth].node;
	anchor = l->stack[l->depth].anchor;
	n->span.end_line = (uint32_t)ev->end_mark.line + 1;
	n->span.end_col = (uint32_t)ev->end_mark.column + 1;
	move_to_arena(l, n);
	if (n->kind == HG_NODE_MAP)
		check_duplicates(l, n);
	/* Unless an inner anchor of the same name took it over meanwhile. */
	if (anchor != SIZE_MAX && l->anchors[anchor].node == n)
		l->anchors[anchor].complete = true;
	attach(l, n);
}

static void syntax_error(struct loader *l, yaml_parser_t *p, const char *text, size_t len)
{
	hg_span s;
	hg_buf msg = HG_BUF_INIT;

	if (p->error == YAML_READER_ERROR) {
		s = span_at_offset(l->file, text, len, p->problem_offset);
	} else {
		s = span_of(l->file, p->problem_mark, p->problem_mark);
		s.end_col = s.col + 1;
	}
	hg_buf_puts(&msg, p->problem ? p->problem : "unknown error");
	if (p->context) {
		hg_buf_puts(&msg, " (");
		hg_buf_puts(&msg, p->context);
		hg_buf_puts(&msg, ")");
	}
	hg_diag_add(l->d, HG_D_YAML_SYNTAX, &s, msg.ptr, NULL);
	hg_buf_dispose(&msg);
	l->failed = true;
}

int hg_yaml_load(hg_node **out, hg_arena *a, hg_diags *d, const char *file, const char *text,
        size_t len, const hg_yaml_options *opts)
{
	static const hg_yaml_options defaults = HG_YAML_OPTIONS_INIT;
	struct loader l;
	yaml_parser_t p;
	yaml_event_t ev;
	int docs = 0;
	bool done = false;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.a = a;
	l.d = d;
	l.file = file;
	l.opts = opts ? opts : &defaults;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 byte order mark */
		text += 3;
		len -= 3;
	}
	if (!check_utf8(d, file, text, len))
		return HG_EINVALID;
	if (!yaml_parser_initialize(&p))
		hg_oom();
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done && !l.failed) {
		if (!yaml_parser_parse(&p, &ev)) {
			if (p.error == YAML_MEMORY_ERROR)
				hg_oom();
			syntax_error(&l, &p, text, len);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				hg_span s = span_of(file, ev.start_mark, ev.end_mark);
				s.end_col = s.col + 3;
				hg_diag_add(d, HG_D_YAML_MULTI_DOC, &s, NULL);
				l.failed = true;
			}
			break;
		case YAML_SCALAR_EVENT:
			on_scalar(&l, &ev);
			break;
		case YAML_ALIAS_EVENT:
			on_alias(&l, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			on_start(&l, &ev, HG_NODE_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			on_start(&l, &ev, HG_NODE_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			on_end(&l, &ev);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	/* Collections still open after an error own malloc'd arrays. */
	while (l.depth > 0) {
		hg_node *n = l.stack[--l.depth].node;
		if (n->kind == HG_NODE_SEQ)
			free(n->u.seq.items);
		else
			free(n->u.map.pairs);
		n->u.seq.items = NULL;
		n->u.seq.n = 0;
	}
	free(l.stack);
	free(l.anchors);
	hg_hindex_dispose(&l.anchor_index);
	if (l.failed)
		return HG_EINVALID;
	if (!l.root) {
		hg_span s = {file, 1, 1, 1, 1};
		hg_diag_add(d, HG_D_YAML_EMPTY, &s, NULL);
		return HG_EINVALID;
	}
	*out = l.root;
	return 0;
}

static bool all_digits(const char *s, const char *digits)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(digits, *s))
			return false;
	return true;
}

hg_scalar_value hg_node_scalar(const hg_node *n)
{
	hg_scalar_value v;
	const char *s = n->u.scalar.str;
	size_t len = n->u.scalar.len;

	memset(&v, 0, sizeof(v));
	v.type = HG_SCALAR_STRING;
	if (n->kind != HG_NODE_SCALAR || n->u.scalar.style != HG_STYLE_PLAIN)
		return v;
	if (len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	        strcmp(s, "NULL") == 0) {
		v.type = HG_SCALAR_NULL;
		return v;
	}
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0) {
		v.type = HG_SCALAR_BOOL;
		v.b = true;
		return v;
	}
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0) {
		v.type = HG_SCALAR_BOOL;
		return v;
	}
	{
		const char *p = s;
		bool neg = false;
		int base = 10;
		if (*p == '-' || *p == '+')
			neg = *p++ == '-';
		if (p[0] == '0' && p[1] == 'x' && all_digits(p + 2, "0123456789abcdefABCDEF"))
			base = 16, p += 2;
		else if (p[0] == '0' && p[1] == 'o' && all_digits(p + 2, "01234567"))
			base = 8, p += 2;
		if ((base != 10 || all_digits(p, "0123456789")) && (base == 10 || p == s + 2)) {
			char *end;
			unsigned long long u;
			errno = 0;
			u = strtoull(p, &end, base);
			if (errno == 0 && *end == '\0' &&
			        u <= (neg ? (unsigned long long)INT64_MAX + 1
			                  : (unsigned long long)INT64_MAX)) {
				v.type = HG_SCALAR_INT;
				v.i = neg ? (int64_t)(0 - u) : (int64_t)u;
				return v;
			}
			/* An integer too big for 64 bits keeps its exact digits as
			 * a string rather than losing them to a double. */
			return v;
		}
	}
	{
		/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
		const char *p = s;
		bool digits = false;
		if (*p == '-' || *p == '+')
			p++;
		if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0) {
			v.type = HG_SCALAR_FLOAT;
			v.f = s[0] == '-' ? -INFINITY : INFINITY;
			return v;
		}
		if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0) {
			v.type = HG_SCALAR_FLOAT;
			v.f = NAN;
			return v;
		}
		while (*p >= '0' && *p <= '9')
			p++, digits = true;
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9')
				p++, digits = true;
		}
		if (digits && (*p == 'e' || *p == 'E')) {
			p++;
			if (*p == '-' || *p == '+')
				p++;
			if (!(*p >= '0' && *p <= '9'))
				return v;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (digits && *p == '\0') {
			v.type = HG_SCALAR_FLOAT;
			v.f = strtod(s, NULL);
			return v;
		}
	}
	return v;
}

const hg_pair *hg_node_pair(const hg_node *map, const char *key)
{
	size_t i, klen = strlen(key);

	if (!map || map->kind != HG_NODE_MAP)
		return NULL;
	for (i = 0; i < map->u.map.n; i++) {
		const hg_node *k = map->u.map.pairs[i].key;
		if (k->u.scalar.len == klen && memcmp(k->u.scalar.str, key, klen) == 0)
			return &map->u.map.pairs[i];
	}
	return NULL;
}

hg_node *hg_node_get(const hg_node *map, const char *key)
{
	const hg_pair *p = hg_node_pair(map, key);
	return p ? p->value : NULL;
}

bool hg_node_is(const hg_node *n, const char *s)
{
	return n && n->kind == HG_NODE_SCALAR && strcmp(n->u.scalar.str, s) == 0;
}

const char *hg_node_kind_name(const hg_node *n)
{
	if (n->kind == HG_NODE_MAP)
		return HG_BI("a mapping", "マッピング");
	if (n->kind == HG_NODE_SEQ)
		return HG_BI("a list", "リスト");
	switch (hg_node_scalar(n).type) {
	case HG_SCALAR_NULL:
		return HG_BI("null", "null");
	case HG_SCALAR_BOOL:
		return HG_BI("a boolean", "真偽値");
	case HG_SCALAR_INT:
		return HG_BI("an integer", "整数");
	case HG_SCALAR_FLOAT:
		return HG_BI("a number", "数値");
	default:
		return HG_BI("a string", "文字列");
	}
}

bool hg_node_check_keys(
        const hg_node *map, const char *const *allowed, const char *what, hg_diags *d)
{
	bool ok = true;
	size_t i, j;

	for (i = 0; i < map->u.map.n; i++) {
		const char *k = map->u.map.pairs[i].key->u.scalar.str;
		const char *best = NULL;
		size_t bestd = (size_t)-1;
		hg_diag *dg;

		for (j = 0; allowed[j]; j++) {
			size_t dist;
			if (strcmp(allowed[j], k) == 0)
				break;
			dist = hg_edit_distance(k, allowed[j], 3);
			if (dist < bestd && dist <= strlen(allowed[j]) / 2) {
				bestd = dist;
				best = allowed[j];
			}
		}
		if (allowed[j])
			continue;
		dg = hg_diag_add(
		        d, HG_D_UNKNOWN_KEY, &map->u.map.pairs[i].key->span, k, what, NULL);
		if (best)
			hg_diag_note(dg, HG_D_N_DID_YOU_MEAN, NULL, best, NULL);
		ok = false;
	}
	return ok;
}

bool hg_node_expect(const hg_node *n, hg_node_kind kind, const char *what, hg_diags *d)
{
	if (n->kind == kind)
		return true;
	hg_diag_add(d, HG_D_WRONG_TYPE, &n->span, what,
	        kind == HG_NODE_MAP   ? HG_BI("a mapping", "マッピング")
	        : kind == HG_NODE_SEQ ? HG_BI("a list", "リスト")
	                              : HG_BI("a string", "文字列"),
	        hg_node_kind_name(n), NULL);
	return false;
}
