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
 *
 * The scanner also refuses what a parser of the record would take silently:
 * a key that occurs twice in one object (jansson and our jv parser keep the
 * first value, so a record could hide its real setting behind a decoy;
 * HG7010, with both places). Keys are hashed (XXH3) as they pass, and an
 * object's keys are compared through a hash index once it has more than a
 * few, so the check stays linear in the size of the export. A UTF-8 byte
 * order mark at the start is skipped (PowerShell writes one); UTF-16 (what
 * Windows PowerShell's > writes) is named as such.
 */
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../common/scan.h"
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

/* A key of an open object: its hash, and where its raw bytes and position are. */
struct key {
	uint64_t hash;
	size_t rel, len; /* raw bytes (escapes kept) at keep + rel: they stay while the record does */
	uint32_t line, col;
};

/* An open object or array inside skip_value. */
struct frame {
	bool object, want_key;
	size_t first;      /* its first key in src.keys */
	hg_hindex *index;  /* hash -> key, once the object has more than SMALL keys */
};

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
	bool paged; /* a cloudcontrol listing's NextToken is not null: one page of it */
	int rc;
	struct frame *frames; /* the duplicate-key check of skip_value */
	size_t capframes;
	struct key *keys;
	size_t nkeys, capkeys;
	/* the record being read: where its top-level Properties string is
	 * (from keep; props_len 0: none noted), and whether the value next
	 * read at its top level is that member's */
	size_t props_at, props_len;
	bool props_next;
	/* the record just read, when checked whole (checked_record) */
	bool checked;
	const char *field[HG_SR_NFIELDS];
	size_t flen[HG_SR_NFIELDS];
};

const char *const hg_export_stack_res_fields[HG_SR_NFIELDS] = {"StackName", "StackId",
        "LogicalResourceId", "PhysicalResourceId", "ResourceType", "ResourceStatus"};

/* Objects of up to this many keys are checked key by key; bigger ones get an index. */
#define SMALL 16

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
		const char *p = s->buf + s->pos, *end = s->buf + s->len, *nl = NULL;
		uint64_t lines = 0;
		if (p < end && (unsigned char)*p > ' ')
			return; /* no blank at all */
		p = hg_skip_blank(p, end, &lines, &nl);
		if (nl) {
			s->line += (uint32_t)lines;
			s->lsol = s->base + (uint64_t)(nl - s->buf) + 1;
		}
		s->pos = (size_t)(p - s->buf);
		if (p < end || !more(s))
			return;
	}
}

/* Skip a string starting at its quote; out (optional) gets its raw bytes. */
static int skip_string(struct src *s, hg_buf *out)
{
	step(s); /* the quote */
	if (!out) { /* the fast way: to the first quote no backslash escapes, 64 bytes at a time */
		bool escaped = false; /* the buffer ended in the middle of an escape */
		for (;;) {
			const char *q;
			while (s->pos >= s->len)
				if (!more(s)) {
					s->pos = s->len; /* the error is where the file ends */
					return error(s, HG_D_EXPORT_TRUNCATED, HG_BI("a string", "文字列"));
				}
			q = hg_string_end(s->buf + s->pos, s->buf + s->len, &escaped);
			if (q == s->buf + s->len) {
				s->pos = s->len;
				continue;
			}
			s->pos = (size_t)(q - s->buf) + 1;
			return 0;
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

/* The decoded text of a raw JSON string body (escapes resolved), into out. */
static void unescape(hg_buf *out, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t cp;
		unsigned k;
		if (p[i] != '\\' || i + 1 >= n) {
			hg_buf_putc(out, p[i]);
			continue;
		}
		switch (p[++i]) {
		case 'b': hg_buf_putc(out, '\b'); continue;
		case 'f': hg_buf_putc(out, '\f'); continue;
		case 'n': hg_buf_putc(out, '\n'); continue;
		case 'r': hg_buf_putc(out, '\r'); continue;
		case 't': hg_buf_putc(out, '\t'); continue;
		case 'u': break;
		default: hg_buf_putc(out, p[i]); continue;
		}
		for (cp = 0, k = 0; k < 4 && i + 1 < n; k++) {
			char c = p[++i];
			cp = cp * 16 + (uint32_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
		}
		/* A surrogate pair: \uD83D\uDE00 */
		if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < n && p[i + 1] == '\\' && p[i + 2] == 'u') {
			uint32_t lo = 0;
			for (k = 0; k < 4; k++) {
				char c = p[i + 3 + k];
				lo = lo * 16 + (uint32_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
			}
			if (lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 6;
			}
		}
		if (cp < 0x80)
			hg_buf_putc(out, (char)cp);
		else if (cp < 0x800) {
			hg_buf_putc(out, (char)(0xC0 | (cp >> 6)));
			hg_buf_putc(out, (char)(0x80 | (cp & 0x3F)));
		} else if (cp < 0x10000) {
			hg_buf_putc(out, (char)(0xE0 | (cp >> 12)));
			hg_buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
			hg_buf_putc(out, (char)(0x80 | (cp & 0x3F)));
		} else {
			hg_buf_putc(out, (char)(0xF0 | (cp >> 18)));
			hg_buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3F)));
			hg_buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
			hg_buf_putc(out, (char)(0x80 | (cp & 0x3F)));
		}
	}
}

/* Key k's text, decoded when it has escapes ("a" and "\u0061" are one key). */
static void key_text(hg_buf *out, const struct src *s, const struct key *k)
{
	const char *p = s->buf + s->keep + k->rel;
	hg_buf_clear(out);
	if (memchr(p, '\\', k->len))
		unescape(out, p, k->len);
	else
		hg_buf_put(out, p, k->len);
}

static bool same_key(const struct src *s, const struct key *a, const struct key *b)
{
	hg_buf x = HG_BUF_INIT, y = HG_BUF_INIT;
	bool same;
	key_text(&x, s, a);
	key_text(&y, s, b);
	same = x.size == y.size && memcmp(x.ptr, y.ptr, x.size) == 0;
	hg_buf_dispose(&x);
	hg_buf_dispose(&y);
	return same;
}

/* HG7010 at key k, a second time after key first. */
static int duplicate(struct src *s, const struct key *k, const struct key *first)
{
	hg_buf text = HG_BUF_INIT, shown = HG_BUF_INIT;
	hg_span at = {s->file, k->line, k->col, k->line, k->col + 1}, was = at;
	hg_diag *dg;

	key_text(&text, s, k);
	hg_utf8_clean(&shown, text.ptr, text.size, 0);
	was.line = was.end_line = first->line;
	was.col = first->col;
	was.end_col = first->col + 1;
	dg = hg_diag_add(s->d, HG_D_EXPORT_DUP_KEY, &at, shown.ptr, NULL);
	hg_diag_note(dg, HG_D_N_FIRST_HERE, &was, NULL);
	hg_buf_dispose(&text);
	hg_buf_dispose(&shown);
	s->rc = HG_EINVALID;
	return s->rc;
}

/*
 * Record the key just skipped (its raw bytes at rel, len long; it started
 * at line/col) in the innermost object; HG7010 if the object has it already.
 */
static int add_key(struct src *s, struct frame *f, size_t rel, size_t len, uint32_t line, uint32_t col)
{
	struct key k;
	size_t i, n = s->nkeys - f->first, it = 0, pos;
	hg_buf text = HG_BUF_INIT;

	k.rel = rel;
	k.len = len;
	k.line = line;
	k.col = col;
	if (memchr(s->buf + s->keep + rel, '\\', len)) { /* escapes: the decoded text */
		key_text(&text, s, &k);
		k.hash = hg_hash64(text.ptr, text.size);
		hg_buf_dispose(&text);
	} else /* the bytes as they are, without a copy: every key of every record */
		k.hash = hg_hash64(s->buf + s->keep + rel, len);
	if (!f->index) {
		for (i = f->first; i < s->nkeys; i++)
			if (s->keys[i].hash == k.hash && same_key(s, &s->keys[i], &k))
				return duplicate(s, &k, &s->keys[i]);
		if (n + 1 > SMALL) { /* from here on, through an index */
			f->index = hg_xcalloc(1, sizeof(*f->index));
			for (i = f->first; i < s->nkeys; i++)
				hg_hindex_put(f->index, s->keys[i].hash, i);
		}
	} else
		while (hg_hindex_next(f->index, k.hash, &it, &pos))
			if (same_key(s, &s->keys[pos], &k))
				return duplicate(s, &k, &s->keys[pos]);
	HG_GROW(s->keys, s->capkeys, s->nkeys + 1);
	if (f->index)
		hg_hindex_put(f->index, k.hash, s->nkeys);
	s->keys[s->nkeys++] = k;
	return 0;
}

/* Close the innermost open object or array: its keys are forgotten. */
static void pop_frame(struct src *s, struct frame *f)
{
	s->nkeys = f->first;
	if (f->index) {
		hg_hindex_dispose(f->index);
		free(f->index);
		f->index = NULL;
	}
}

/* Is the key at keep + rel (klen bytes, as written) a record's "Properties"? */
static bool props_key(const struct src *s, size_t rel, size_t klen)
{
	return klen == 10 && memcmp(s->buf + s->keep + rel, "Properties", 10) == 0;
}

/*
 * Skip one JSON value (its structure only; its content is checked by the
 * parser of the record). Enforces the depth limit, and the record-size
 * limit from s->keep, where the record starts (keep is an index that more()
 * moves along with the bytes it drops).
 */
static int skip_value(struct src *s)
{
	unsigned depth = 0, i;
	int c;

	do {
		struct frame *top = depth ? &s->frames[depth - 1] : NULL;
		ws(s);
		c = peek(s);
		if (c < 0) {
			error(s, HG_D_EXPORT_TRUNCATED,
			        depth ? HG_BI("an array or object", "配列かオブジェクト")
			              : HG_BI("a value", "値"));
			break;
		}
		if (s->pos - s->keep > s->lim->max_record) {
			error(s, HG_D_EXPORT_TOO_BIG, NULL);
			break;
		}
		switch (c) {
		case '{':
		case '[':
			if (depth == 1)
				s->props_next = false;
			if (++depth > s->lim->max_depth) {
				depth--;
				error(s, HG_D_EXPORT_TOO_DEEP, NULL);
				break;
			}
			HG_GROW(s->frames, s->capframes, depth);
			top = &s->frames[depth - 1];
			top->object = c == '{';
			top->want_key = c == '{';
			top->first = s->nkeys;
			top->index = NULL;
			step(s);
			break;
		case '}':
		case ']':
			if (depth == 0) {
				error(s, HG_D_EXPORT_SYNTAX,
				        HG_BI("unexpected closing bracket", "予期しない閉じ括弧"));
				break;
			}
			pop_frame(s, top);
			depth--;
			step(s);
			break;
		case '"':
			if (top && top->object && top->want_key) { /* a key: remember it */
				hg_span at = here(s);
				size_t rel = s->pos + 1 - s->keep, klen;
				if (skip_string(s, NULL) < 0)
					break;
				top->want_key = false;
				klen = s->pos - 1 - s->keep - rel;
				if (depth == 1)
					s->props_next = props_key(s, rel, klen);
				add_key(s, top, rel, klen, at.line, at.col);
			} else {
				size_t rel = s->pos - s->keep;
				bool props = depth == 1 && s->props_next;
				if (depth == 1)
					s->props_next = false;
				if (skip_string(s, NULL) < 0)
					break;
				if (props) {
					s->props_at = rel;
					s->props_len = s->pos - s->keep - rel;
				}
			}
			break;
		case ',':
		case ':':
			if (depth == 0) {
				error(s, HG_D_EXPORT_SYNTAX, HG_BI("expected a value", "値がありません"));
				break;
			}
			if (c == ',' && top->object)
				top->want_key = true;
			step(s);
			break;
		default:
			/* A number or a literal: up to the next delimiter. */
			if (depth == 1)
				s->props_next = false;
			if (!((c >= '0' && c <= '9') || c == '-' || c == 't' || c == 'f' || c == 'n')) {
				error(s, HG_D_EXPORT_SYNTAX,
				        HG_BI("unexpected character", "予期しない文字"));
				break;
			}
			while ((c = peek(s)) >= 0 && c != ',' && c != ']' && c != '}' && c != ' ' &&
			        c != '\n' && c != '\r' && c != '\t' && c != ':')
				step(s);
			break;
		}
	} while (depth > 0 && !s->rc);
	/* After an error, close what is still open. */
	for (i = depth; i > 0; i--)
		pop_frame(s, &s->frames[i - 1]);
	return s->rc;
}

/*
 * A describe-stack-resources record (an object at pos) checked whole in one
 * pass, its end found and its fields with it, where the record's reader
 * would check it anyway after skip_value: false, nothing moved, when the
 * check cannot decide (then skip_value and the reader do, as for any
 * record, and say what is wrong where). The indented records of the AWS
 * CLI are a third of a fleet's export bytes.
 */
static bool checked_record(struct src *s)
{
	for (;;) {
		size_t avail = s->len - s->pos;
		hg_jv_error err;
		hg_jv_record_end end;
		int r;
		memset(s->field, 0, sizeof(s->field));
		memset(s->flen, 0, sizeof(s->flen));
		r = hg_jv_check_record(s->buf + s->pos, avail, s->lim->max_depth, &err,
		        hg_export_stack_res_fields, HG_SR_NFIELDS, s->field, s->flen, &end);
		if (r == 0) {
			if (end.used > s->lim->max_record)
				return false;
			if (end.lines) {
				s->line += (uint32_t)end.lines;
				s->lsol = s->base + s->pos + end.last_nl + 1;
			}
			s->pos += end.used;
			return true;
		}
		/* the buffer ends inside it: more, and again (more keeps it from keep) */
		if (r == -1 && err.truncated && avail <= s->lim->max_record && !s->eof && more(s))
			continue;
		return false;
	}
}

/* The record is buf[keep, pos). */
static int emit(struct src *s, hg_span at)
{
	hg_export_item it;
	int rc;

	it.checked = s->checked;
	s->checked = false;
	memcpy(it.field, s->field, sizeof(it.field));
	memcpy(it.flen, s->flen, sizeof(it.flen));
	it.shape = s->shape;
	it.type_name = s->type_name;
	it.raw = s->buf + s->keep;
	it.len = s->pos - s->keep;
	it.offset = s->base + s->keep;
	it.span = at;
	it.props_at = s->props_at;
	it.props_len = s->props_len;
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
	s->props_at = s->props_len = 0;
	s->props_next = false;
	s->checked = s->shape == HG_EXP_STACK_RESOURCES && peek(s) == '{' && checked_record(s);
	if (!s->checked && skip_value(s) < 0)
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
	s->props_at = s->props_len = 0;
	s->props_next = false;
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
	struct {
		char *text;
		hg_span at;
	} *top = NULL; /* the keys of the top-level object (a handful) */
	size_t ntop = 0, captop = 0, i;

	s->keep = s->pos; /* kept until the first key says what this is */
	step(s); /* { */
	ws(s);
	if (peek(s) == '}') {
		step(s);
		hg_buf_dispose(&key);
		return error(s, HG_D_EXPORT_SHAPE, "aws cloudcontrol list-resources, az resource list, ...");
	}
	for (;;) {
		hg_span kat;
		size_t k;
		ws(s);
		kat = here(s);
		if (read_key(s, &key) < 0)
			break;
		/* A listing twice would be read twice; any other key twice hides a value. */
		{
			hg_buf dec = HG_BUF_INIT;
			unescape(&dec, key.ptr, key.size);
			for (k = 0; k < ntop && strcmp(top[k].text, dec.ptr) != 0; k++)
				;
			if (k < ntop) {
				hg_buf shown = HG_BUF_INIT;
				hg_span was = top[k].at;
				hg_diag *dg;
				hg_utf8_clean(&shown, dec.ptr, dec.size, 0);
				dg = hg_diag_add(s->d, HG_D_EXPORT_DUP_KEY, &kat, shown.ptr, NULL);
				hg_diag_note(dg, HG_D_N_FIRST_HERE, &was, NULL);
				hg_buf_dispose(&shown);
				hg_buf_dispose(&dec);
				s->rc = HG_EINVALID;
				break;
			}
			HG_GROW(top, captop, ntop + 1);
			top[ntop].text = hg_buf_detach(&dec);
			top[ntop++].at = kat;
		}
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
		} else if (strcmp(key.ptr, "NextToken") == 0 && !first) {
			/* a page of a listing (the collector saves all pages as one) */
			ws(s);
			s->paged = peek(s) != 'n';
			s->keep = s->pos;
			if (skip_value(s) < 0)
				break;
		} else if (first) {
			/* Not a listing: the object itself is the record. */
			hg_buf_dispose(&key);
			for (i = 0; i < ntop; i++)
				free(top[i].text);
			free(top);
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
			/* A whole listing read (not one page of it): say what it
			 * listed, even when it listed nothing (none of that type
			 * is there). */
			if (s->shape == HG_EXP_CC_LIST && s->type_name && !s->paged && !s->rc) {
				hg_export_item it;
				memset(&it, 0, sizeof(it));
				it.shape = HG_EXP_CC_LIST;
				it.type_name = s->type_name;
				it.offset = s->base + s->pos;
				it.span = at;
				if ((c = s->cb(&it, s->payload)) < 0)
					s->rc = c;
			}
			break;
		}
		if (c < 0)
			error(s, HG_D_EXPORT_TRUNCATED, HG_BI("an object", "オブジェクト"));
		else
			error(s, HG_D_EXPORT_SYNTAX, HG_BI("expected ',' or '}'", "',' か '}' がありません"));
		break;
	}
	hg_buf_dispose(&key);
	for (i = 0; i < ntop; i++)
		free(top[i].text);
	free(top);
	return s->rc;
}

/* A UTF-8 byte order mark is skipped (columns count from after it); UTF-16 is named. */
static void byte_order_mark(struct src *s)
{
	int c = peek(s);
	if (c != 0xEF && c != 0xFF && c != 0xFE)
		return;
	while (s->len - s->pos < 3 && more(s))
		;
	if (s->len - s->pos >= 3 && memcmp(s->buf + s->pos, "\xEF\xBB\xBF", 3) == 0) {
		s->pos += 3;
		s->lsol = offset(s);
	} else if (s->len - s->pos >= 2 &&
	           (memcmp(s->buf + s->pos, "\xFF\xFE", 2) == 0 || memcmp(s->buf + s->pos, "\xFE\xFF", 2) == 0))
		error(s, HG_D_EXPORT_SYNTAX,
		        HG_BI("the file is UTF-16 text, which Windows PowerShell's > writes; save the CLI's "
		              "output as UTF-8 (Out-File -Encoding utf8)",
		                "ファイルが UTF-16 のテキストです (Windows PowerShell の > が書く形式)。CLI の出力を "
		                "UTF-8 で保存してください (Out-File -Encoding utf8)"));
}

static int run(struct src *s, hg_export_shape *shape_out)
{
	int c;

	byte_order_mark(s);
	if (s->rc)
		return s->rc;
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
	/* O_NONBLOCK: a FIFO must not block the open; only a regular file is read. */
	s.fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (s.fd < 0)
		return HG_EIO;
	{
		struct stat st;
		int e = 0;
		if (fstat(s.fd, &st) < 0)
			e = errno;
		else if (!S_ISREG(st.st_mode))
			e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		if (e) {
			close(s.fd);
			errno = e;
			return HG_EIO;
		}
		/* more than one read: the pages evicted since the collector wrote
		 * it are asked for at once, and read while the first are parsed */
		if (st.st_size > CHUNK)
			hg_fs_prefetch_fd(s.fd);
	}
	rc = run(&s, shape_out);
	{
		int e = errno;
		close(s.fd);
		errno = e;
	}
	free(s.buf);
	free(s.type_name);
	free(s.frames);
	free(s.keys);
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
	free(s.frames);
	free(s.keys);
	return rc;
}
