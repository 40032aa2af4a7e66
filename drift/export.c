/*
 * export.c: streaming reader of CLI exports (see export.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. A byte scanner walks the file through a sliding buffer. It
 * understands only what it must: whitespace, strings (with escapes),
 * nesting, and the keys of the top-level object. The listing array of a
 * shape ("ResourceDescriptions", "StackResources", "Stacks", the "value"
 * of an az listing that prints one, or the top level of `az resource
 * list`) is walked element by element; each element's
 * bytes are handed to the callback and then dropped from the buffer, so
 * memory holds one record at a time. The element itself is validated by
 * whoever parses it. Positions are tracked as line and byte column.
 */
#include "export.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jv.h"

#define CHUNK (1024 * 1024)

static const char *const commands[] = {
        /* ORDER SHAPE */
        "an aws or az CLI command",
        "aws cloudcontrol list-resources",
        "aws cloudcontrol get-resource",
        "aws cloudformation describe-stack-resources",
        "aws cloudformation describe-stacks",
        "az resource list",
        "az resource show",
        "az deployment group show",
        "az security pricing list, az monitor diagnostic-settings subscription list",
        "hinagata-collect-azure (hinagata-collect.json)",
        "aws cloudformation get-template",
        "az deployment group export",
};

const char *hg_export_shape_command(hg_export_shape s)
{
	return commands[s];
}

struct src {
	int fd; /* -1: all data is in buf already */
	char *buf;
	size_t cap, len, pos;
	size_t keep;    /* bytes from here on must stay (the record being read) */
	uint64_t base;  /* file offset of buf[0] */
	uint32_t line;  /* line of buf[pos] */
	uint64_t lsol;  /* file offset of the start of that line */
	bool eof, owned;
	const char *file;
	hg_diags *d;
	const hg_export_limits *lim;
	hg_export_cb cb;
	void *payload;
	hg_export_shape shape;
	char *type_name;
	int rc;
};

static uint64_t offset(const struct src *s)
{
	return s->base + s->pos;
}

static hg_span here(const struct src *s)
{
	hg_span sp;
	sp.file = s->file;
	sp.line = s->line;
	sp.col = (uint32_t)(offset(s) - s->lsol + 1);
	sp.end_line = sp.line;
	sp.end_col = sp.col + 1;
	return sp;
}

static int error(struct src *s, hg_diag_code code, const char *arg)
{
	hg_span sp = here(s);
	char num[32];
	if (s->rc)
		return s->rc;
	if (code == HG_D_EXPORT_TOO_DEEP) {
		snprintf(num, sizeof(num), "%u", s->lim->max_depth);
		arg = num;
	} else if (code == HG_D_EXPORT_TOO_BIG) {
		snprintf(num, sizeof(num), "%zu", s->lim->max_record);
		arg = num;
	}
	hg_diag_add(s->d, code, &sp, arg, NULL);
	s->rc = HG_EINVALID;
	return s->rc;
}

/* Read more bytes; drop what no one needs any more. 0 at EOF. */
static size_t more(struct src *s)
{
	ssize_t n;
	size_t drop = s->keep < s->pos ? s->keep : s->pos;

	if (s->fd < 0 || s->eof)
		return 0;
	if (drop > s->cap / 2) {
		memmove(s->buf, s->buf + drop, s->len - drop);
		s->len -= drop;
		s->pos -= drop;
		s->keep -= drop;
		s->base += drop;
	}
	if (s->cap - s->len < CHUNK) {
		s->cap = s->cap ? s->cap * 2 : 2 * CHUNK;
		s->buf = hg_xrealloc(s->buf, s->cap);
	}
	do
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		if (n < 0)
			s->rc = HG_EIO;
		s->eof = true;
		return 0;
	}
	s->len += (size_t)n;
	return (size_t)n;
}

/* The byte at pos, reading more if needed; -1 at EOF. */
static int peek(struct src *s)
{
	while (s->pos >= s->len)
		if (!more(s))
			return -1;
	return (unsigned char)s->buf[s->pos];
}

static void step(struct src *s)
{
	if (s->buf[s->pos] == '\n') {
		s->line++;
		s->lsol = offset(s) + 1;
	}
	s->pos++;
}

static void ws(struct src *s)
{
	for (;;) {
		const char *p = s->buf + s->pos, *end = s->buf + s->len;
		for (; p < end; p++) {
			if (*p == '\n') {
				s->line++;
				s->lsol = s->base + (uint64_t)(p - s->buf) + 1;
			} else if (*p != ' ' && *p != '\r' && *p != '\t')
				break;
		}
		s->pos = (size_t)(p - s->buf);
		if (p < end || !more(s))
			return;
	}
}

/* The first '"' or '\\' in [p, end), or end: 16 bytes at a time. */
static const char *quote_or_backslash(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs)));
		if (m)
			return p + __builtin_ctz((unsigned)m);
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\\')
		p++;
	return p;
}

/* Skip a string starting at its quote; out (optional) gets its raw bytes. */
static int skip_string(struct src *s, hg_buf *out)
{
	step(s); /* the quote */
	if (!out) { /* the fast way: from quote or backslash to the next */
		for (;;) {
			const char *q;
			while (s->pos >= s->len)
				if (!more(s)) {
					s->pos = s->len; /* the error is where the file ends */
					return error(s, HG_D_EXPORT_TRUNCATED, HG_BI("a string", "文字列"));
				}
			q = quote_or_backslash(s->buf + s->pos, s->buf + s->len);
			if (q == s->buf + s->len) {
				s->pos = s->len;
				continue;
			}
			if (*q == '"') {
				s->pos = (size_t)(q - s->buf) + 1;
				return 0;
			}
			/* a backslash: it and the byte it escapes (JSON in strings is full of \") */
			s->pos = (size_t)(q - s->buf);
			while (s->pos + 1 >= s->len)
				if (!more(s))
					return error(s, HG_D_EXPORT_TRUNCATED, HG_BI("a string", "文字列"));
			s->pos += 2;
		}
	}
	for (;;) {
		char *q;
		size_t avail;
		while (s->pos >= s->len)
			if (!more(s))
				return error(s, HG_D_EXPORT_TRUNCATED, HG_BI("a string", "文字列"));
		avail = s->len - s->pos;
		/* Most string bytes are neither quote nor backslash. */
		q = memchr(s->buf + s->pos, '"', avail);
		if (!q) {
			char *bs = memchr(s->buf + s->pos, '\\', avail);
			size_t upto = bs ? (size_t)(bs - (s->buf + s->pos)) : avail;
			if (out)
				hg_buf_put(out, s->buf + s->pos, upto);
			s->pos += upto;
			if (bs) {
				if (s->pos + 1 >= s->len && !more(s) && s->pos + 1 >= s->len)
					return error(s, HG_D_EXPORT_TRUNCATED, HG_BI("a string", "文字列"));
				if (out)
					hg_buf_put(out, s->buf + s->pos, 2);
				s->pos += 2;
			}
			continue;
		}
		{
			char *bs = memchr(s->buf + s->pos, '\\', (size_t)(q - (s->buf + s->pos)));
			if (bs) {
				size_t upto = (size_t)(bs - (s->buf + s->pos));
				if (out)
					hg_buf_put(out, s->buf + s->pos, upto);
				s->pos += upto;
				while (s->pos + 1 >= s->len)
					if (!more(s))
						return error(s, HG_D_EXPORT_TRUNCATED,
						        HG_BI("a string", "文字列"));
				if (out)
					hg_buf_put(out, s->buf + s->pos, 2);
				s->pos += 2;
				continue;
			}
			if (out)
				hg_buf_put(out, s->buf + s->pos, (size_t)(q - (s->buf + s->pos)));
			s->pos = (size_t)(q - s->buf) + 1;
			return 0;
		}
	}
}

/*
 * Skip one JSON value (its structure only; its content is checked by the
 * parser of the record). Enforces the depth limit, and the record-size
 * limit from s->keep, where the record starts (keep is an index that more()
 * moves along with the bytes it drops).
 */
static int skip_value(struct src *s)
{
	unsigned depth = 0;
	int c;

	do {
		ws(s);
		c = peek(s);
		if (c < 0)
			return error(s, HG_D_EXPORT_TRUNCATED,
			        depth ? HG_BI("an array or object", "配列かオブジェクト")
			              : HG_BI("a value", "値"));
		if (s->pos - s->keep > s->lim->max_record)
			return error(s, HG_D_EXPORT_TOO_BIG, NULL);
		switch (c) {
		case '{':
		case '[':
			if (++depth > s->lim->max_depth)
				return error(s, HG_D_EXPORT_TOO_DEEP, NULL);
			step(s);
			break;
		case '}':
		case ']':
			if (depth == 0)
				return error(s, HG_D_EXPORT_SYNTAX,
				        HG_BI("unexpected closing bracket", "予期しない閉じ括弧"));
			depth--;
			step(s);
			break;
		case '"':
			if (skip_string(s, NULL) < 0)
				return s->rc;
			break;
		case ',':
		case ':':
			if (depth == 0)
				return error(s, HG_D_EXPORT_SYNTAX,
				        HG_BI("expected a value", "値がありません"));
			step(s);
			break;
		default:
			/* A number or a literal: up to the next delimiter. */
			if (!((c >= '0' && c <= '9') || c == '-' || c == 't' || c == 'f' || c == 'n'))
				return error(s, HG_D_EXPORT_SYNTAX,
				        HG_BI("unexpected character", "予期しない文字"));
			while ((c = peek(s)) >= 0 && c != ',' && c != ']' && c != '}' && c != ' ' &&
			        c != '\n' && c != '\r' && c != '\t' && c != ':')
				step(s);
			break;
		}
	} while (depth > 0);
	return 0;
}

/* The record is buf[keep, pos). */
static int emit(struct src *s, hg_span at)
{
	hg_export_item it;
	int rc;

	it.shape = s->shape;
	it.type_name = s->type_name;
	it.raw = s->buf + s->keep;
	it.len = s->pos - s->keep;
	it.offset = s->base + s->keep;
	it.span = at;
	rc = s->cb(&it, s->payload);
	if (rc < 0 && !s->rc)
		s->rc = rc;
	return rc < 0 ? rc : 0;
}

/* One record: the value at pos. */
static int record(struct src *s)
{
	hg_span at;

	ws(s);
	s->keep = s->pos;
	at = here(s);
	if (skip_value(s) < 0)
		return s->rc;
	if (emit(s, at) < 0)
		return s->rc;
	s->keep = s->pos;
	return 0;
}

/* The elements of the array at pos, one record each. */
static int stream_array(struct src *s)
{
	int c;

	ws(s);
	if (peek(s) != '[')
		return error(s, HG_D_EXPORT_SHAPE, hg_export_shape_command(s->shape));
	step(s);
	ws(s);
	if (peek(s) == ']') {
		step(s);
		return 0;
	}
	for (;;) {
		if (record(s) < 0)
			return s->rc;
		ws(s);
		c = peek(s);
		if (c == ',') {
			step(s);
			continue;
		}
		if (c == ']') {
			step(s);
			return 0;
		}
		return c < 0 ? error(s, HG_D_EXPORT_TRUNCATED, HG_BI("an array", "配列"))
		             : error(s, HG_D_EXPORT_SYNTAX, HG_BI("expected ',' or ']'", "',' か ']' がありません"));
	}
}

static int read_key(struct src *s, hg_buf *key)
{
	ws(s);
	if (peek(s) != '"')
		return peek(s) < 0 ? error(s, HG_D_EXPORT_TRUNCATED, HG_BI("an object", "オブジェクト"))
		                   : error(s, HG_D_EXPORT_SYNTAX, HG_BI("expected a key", "キーがありません"));
	hg_buf_clear(key);
	if (skip_string(s, key) < 0)
		return s->rc;
	ws(s);
	if (peek(s) != ':')
		return peek(s) < 0 ? error(s, HG_D_EXPORT_TRUNCATED, HG_BI("an object", "オブジェクト"))
		                   : error(s, HG_D_EXPORT_SYNTAX, HG_BI("expected ':'", "':' がありません"));
	step(s);
	return 0;
}

/*
 * The whole top-level object is one record (az resource show, az deployment
 * show); s->keep still marks its first byte.
 */
static int whole_object(struct src *s, hg_span at, uint32_t line, uint64_t lsol)
{
	hg_arena *a;
	hg_jv *v = NULL;
	const char *type;

	s->pos = s->keep;
	s->line = line;
	s->lsol = lsol;
	if (skip_value(s) < 0)
		return s->rc;
	/* Detect the shape from the record itself. */
	a = hg_arena_new();
	if (hg_jv_parse(&v, a, s->buf + s->keep, s->pos - s->keep, s->lim->max_depth, NULL) < 0) {
		hg_arena_dispose(a);
		return error(s, HG_D_EXPORT_SYNTAX, HG_BI("malformed object", "オブジェクトの形が不正"));
	}
	type = hg_jv_str(hg_jv_get(v, "type"));
	if (hg_jv_str(hg_jv_get(v, "format")) &&
	        strcmp(hg_jv_str(hg_jv_get(v, "format")), HG_COLLECT_FORMAT) == 0)
		s->shape = HG_EXP_COLLECT;
	else if (hg_jv_get(v, "TemplateBody") && !type)
		s->shape = HG_EXP_CFN_TEMPLATE; /* the AWS CLI decodes a JSON body into an object */
	else if (hg_jv_str(hg_jv_get(v, "$schema")) && !type &&
	         /* deploymentTemplate.json, subscriptionDeploymentTemplate.json, ... */
	         strstr(hg_jv_str(hg_jv_get(v, "$schema")), "eploymentTemplate.json"))
		s->shape = HG_EXP_ARM_TEMPLATE; /* az deployment export prints the template itself */
	else if (type && strcasecmp(type, "Microsoft.Resources/deployments") == 0 &&
	        hg_jv_get(v, "properties"))
		s->shape = HG_EXP_AZ_DEPLOYMENT;
	else if (type && hg_jv_str(hg_jv_get(v, "id")))
		s->shape = HG_EXP_AZ_SHOW;
	hg_arena_dispose(a);
	if (s->shape == HG_EXP_UNKNOWN)
		return error(s, HG_D_EXPORT_SHAPE,
		        "aws cloudcontrol list-resources, aws cloudformation describe-stack-resources, "
		        "az resource list, ...");
	return emit(s, at);
}

static int top_object(struct src *s)
{
	hg_buf key = HG_BUF_INIT;
	hg_span at = here(s);
	uint32_t line = s->line;
	uint64_t lsol = s->lsol;
	bool first = true;
	int c;

	s->keep = s->pos; /* kept until the first key says what this is */
	step(s); /* { */
	ws(s);
	if (peek(s) == '}') {
		step(s);
		hg_buf_dispose(&key);
		return error(s, HG_D_EXPORT_SHAPE, "aws cloudcontrol list-resources, az resource list, ...");
	}
	for (;;) {
		if (read_key(s, &key) < 0)
			break;
		if (strcmp(key.ptr, "ResourceDescriptions") == 0 ||
		        strcmp(key.ptr, "StackResources") == 0 || strcmp(key.ptr, "Stacks") == 0) {
			s->shape = key.ptr[0] == 'R'   ? HG_EXP_CC_LIST
			           : key.ptr[5] == 'R' ? HG_EXP_STACK_RESOURCES
			                               : HG_EXP_STACKS;
			if (stream_array(s) < 0)
				break;
		} else if (strcmp(key.ptr, "value") == 0 && (ws(s), peek(s) == '[')) {
			/* az security pricing list, az monitor diagnostic-settings
			 * subscription list, az rest: the listing is the "value" */
			s->shape = HG_EXP_AZ_VALUE;
			if (stream_array(s) < 0)
				break;
		} else if (strcmp(key.ptr, "nextLink") == 0 && s->shape == HG_EXP_AZ_VALUE &&
		           (ws(s), peek(s) == '"')) {
			/* a page of a longer listing: what is not in it would look deleted */
			error(s, HG_D_EXPORT_PAGED, NULL);
			break;
		} else if (strcmp(key.ptr, "ResourceDescription") == 0) {
			s->shape = HG_EXP_CC_GET;
			if (record(s) < 0)
				break;
		} else if (strcmp(key.ptr, "TypeName") == 0) {
			hg_buf tn = HG_BUF_INIT;
			ws(s);
			if (peek(s) != '"') {
				hg_buf_dispose(&tn);
				error(s, HG_D_EXPORT_SHAPE, hg_export_shape_command(HG_EXP_CC_LIST));
				break;
			}
			if (skip_string(s, &tn) < 0) {
				hg_buf_dispose(&tn);
				break;
			}
			free(s->type_name);
			s->type_name = hg_buf_detach(&tn);
		} else if (first) {
			/* Not a listing: the object itself is the record. */
			hg_buf_dispose(&key);
			return whole_object(s, at, line, lsol);
		} else {
			s->keep = s->pos;
			if (skip_value(s) < 0)
				break;
		}
		first = false;
		s->keep = s->pos;
		ws(s);
		c = peek(s);
		if (c == ',') {
			step(s);
			continue;
		}
		if (c == '}') {
			step(s);
			break;
		}
		if (c < 0)
			error(s, HG_D_EXPORT_TRUNCATED, HG_BI("an object", "オブジェクト"));
		else
			error(s, HG_D_EXPORT_SYNTAX, HG_BI("expected ',' or '}'", "',' か '}' がありません"));
		break;
	}
	hg_buf_dispose(&key);
	return s->rc;
}

static int run(struct src *s, hg_export_shape *shape_out)
{
	int c;

	ws(s);
	c = peek(s);
	if (c < 0)
		error(s, HG_D_EXPORT_SYNTAX, HG_BI("the file is empty", "ファイルが空です"));
	else if (c == '[') {
		s->shape = HG_EXP_AZ_LIST;
		stream_array(s);
	} else if (c == '{') {
		top_object(s);
	} else {
		error(s, HG_D_EXPORT_SHAPE, "aws cloudcontrol list-resources, az resource list, ...");
	}
	if (!s->rc) {
		ws(s);
		if (peek(s) >= 0)
			error(s, HG_D_EXPORT_SYNTAX,
			        HG_BI("unexpected data after the JSON value", "JSON の値の後に余分なデータがあります"));
	}
	if (shape_out)
		*shape_out = s->shape;
	return s->rc;
}

static void init(struct src *s, const char *file, hg_export_cb cb, void *payload, hg_diags *d,
        const hg_export_limits *limits)
{
	static const hg_export_limits defaults = HG_EXPORT_LIMITS_INIT;
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->line = 1;
	s->file = file;
	s->d = d;
	s->lim = limits ? limits : &defaults;
	s->cb = cb;
	s->payload = payload;
}

int hg_export_read(const char *path, const char *file, hg_export_cb cb, void *payload,
        hg_diags *d, const hg_export_limits *limits, hg_export_shape *shape_out)
{
	struct src s;
	int rc;

	init(&s, file, cb, payload, d, limits);
	s.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s.fd < 0)
		return HG_EIO;
	rc = run(&s, shape_out);
	{
		int e = errno;
		close(s.fd);
		errno = e;
	}
	free(s.buf);
	free(s.type_name);
	return rc;
}

int hg_export_read_mem(const char *data, size_t len, const char *file, hg_export_cb cb,
        void *payload, hg_diags *d, const hg_export_limits *limits, hg_export_shape *shape_out)
{
	struct src s;
	int rc;

	init(&s, file, cb, payload, d, limits);
	s.buf = (char *)(uintptr_t)data;
	s.len = len;
	s.cap = len;
	s.eof = true;
	rc = run(&s, shape_out);
	free(s.type_name);
	return rc;
}
