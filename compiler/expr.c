/*
 * expr.c: lexer and parser of ${...} expressions; value helpers.
 * Part of hinagata; see LICENSE.
 *
 * Grammar (lowest precedence first):
 *   expr    := or ( '?' expr ':' expr )?
 *   or      := and ( '||' and )*
 *   and     := unary ( '&&' unary )*
 *   unary   := '!' unary | cmp
 *   cmp     := primary ( ( '==' | '!=' ) primary )?
 *   primary := STRING | INT | 'true' | 'false' | '(' expr ')'
 *            | NAME '(' ( expr ( ',' expr )* )? ')'
 *            | NAME ( '.' NAME )*
 * STRING is '...' or "..." with \\ \' \" escapes; NAME is
 * [A-Za-z_][A-Za-z0-9_]*. Dotted names are resolved later (resolve.c).
 * The parser is recursive descent; nesting is bounded by the length of the
 * scalar it reads (at most the YAML file limit) and by a depth guard.
 */
#include "expr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXPR_DEPTH 64

static const hg_pseudo_info pseudos[] = {
        /* ORDER PSEUDO */
        {"aws", "region", "AWS::Region", HG_T_STRING},
        {"aws", "account_id", "AWS::AccountId", HG_T_STRING},
        {"aws", "partition", "AWS::Partition", HG_T_STRING},
        {"aws", "stack_name", "AWS::StackName", HG_T_STRING},
        {"aws", "stack_id", "AWS::StackId", HG_T_STRING},
        {"aws", "url_suffix", "AWS::URLSuffix", HG_T_STRING},
        {"aws", "notification_arns", "AWS::NotificationARNs", HG_T_LIST},
        {"aws", "no_value", "AWS::NoValue", HG_T_ANY},
        /* The location of the deployment: the resource group's, or at
         * subscription scope the deployment's (emit_arm.c picks). */
        {"azure", "location", "resourceGroup().location", HG_T_STRING},
        {"azure", "subscription_id", "subscription().subscriptionId", HG_T_STRING},
        {"azure", "tenant_id", "subscription().tenantId", HG_T_STRING},
        {"azure", "resource_group", "resourceGroup().name", HG_T_STRING},
        {"azure", "deployment_name", "deployment().name", HG_T_STRING},
};

static const hg_func_info funcs[] = {
        /* ORDER FUNC */
        {"join", 2, 2, HG_T_STRING},
        {"split", 2, 2, HG_T_LIST},
        {"select", 2, 2, HG_T_ANY},
        {"base64", 1, 1, HG_T_STRING},
        {"azs", 0, 0, HG_T_LIST},
        {"cidr", 3, 3, HG_T_LIST},
        {"import", 1, 1, HG_T_ANY},
};

const hg_pseudo_info *hg_pseudo_info_of(hg_pseudo p)
{
	return &pseudos[p];
}

int hg_pseudo_find(const char *cloud, const char *name)
{
	size_t i;
	for (i = 0; i < HG_ARRAY_SIZE(pseudos); i++)
		if (strcmp(pseudos[i].cloud, cloud) == 0 && strcmp(pseudos[i].name, name) == 0)
			return (int)i;
	return -1;
}

const hg_func_info *hg_func_info_of(hg_func f)
{
	return &funcs[f];
}

int hg_func_find(const char *name)
{
	size_t i;
	for (i = 0; i < HG_ARRAY_SIZE(funcs); i++)
		if (strcmp(funcs[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *hg_type_name(hg_type t)
{
	switch (t) {
	case HG_T_STRING:
		return HG_BI("a string", "文字列");
	case HG_T_INT:
		return HG_BI("an integer", "整数");
	case HG_T_BOOL:
		return HG_BI("a boolean", "真偽値");
	case HG_T_LIST:
		return HG_BI("a list", "リスト");
	case HG_T_OBJECT:
		return HG_BI("a mapping", "マッピング");
	case HG_T_FLOAT:
		return HG_BI("a number", "数値");
	case HG_T_NULL:
		return HG_BI("null", "null");
	default:
		return HG_BI("a value", "値");
	}
}

/* ---- lexer ---- */

typedef enum tok_kind {
	T_END,
	T_NAME,
	T_INT,
	T_STR,
	T_DOT,
	T_LPAREN,
	T_RPAREN,
	T_COMMA,
	T_QUESTION,
	T_COLON,
	T_NOT,
	T_EQ,
	T_NE,
	T_AND,
	T_OR,
	T_ERROR,
} tok_kind;

struct lexer {
	hg_arena *a;
	hg_diags *d;
	const char *src, *end, *p;
	hg_span at;      /* position of src[0], or of the whole text if !exact */
	bool exact;      /* columns inside the text can be computed */
	size_t col;      /* character offset of p from src */
	size_t prev_end; /* character offset where the previous token ended */
	/* current token */
	tok_kind tok;
	const char *tstart;
	size_t tcol, tlen_chars;
	const char *sval; /* T_STR: unescaped (arena); T_NAME: interned */
	size_t slen;
	int64_t ival;
	int depth;
	bool failed;
};

static hg_span tok_span(const struct lexer *l, size_t col, size_t nchars)
{
	hg_span s = l->at;
	if (!l->exact)
		return s;
	s.col = l->at.col + (uint32_t)col;
	s.end_line = s.line;
	s.end_col = s.col + (uint32_t)(nchars ? nchars : 1);
	return s;
}

static void lex_error(struct lexer *l, const char *en, const char *ja)
{
	hg_span s;
	hg_buf msg = HG_BUF_INIT;

	if (l->failed)
		return;
	s = tok_span(l, l->tcol, l->tlen_chars);
	hg_buf_puts(&msg, en);
	hg_buf_putc(&msg, '\x1f');
	hg_buf_puts(&msg, ja);
	hg_diag_add(l->d, HG_D_EXPR_SYNTAX, &s, msg.ptr, NULL);
	hg_buf_dispose(&msg);
	l->failed = true;
}

/* Never step past the end, even on bytes that are not valid UTF-8. */
static size_t char_len(const char *p, const char *end)
{
	size_t n = hg_utf8_len((const unsigned char *)p);
	return n > (size_t)(end - p) ? (size_t)(end - p) : n;
}

static void advance(struct lexer *l, size_t bytes)
{
	const char *stop = l->p + bytes;
	while (l->p < stop) {
		l->p += char_len(l->p, l->end);
		l->col++;
	}
}

static void next(struct lexer *l)
{
	const char *p;

	l->prev_end = l->col;
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r'))
		advance(l, 1);
	l->tstart = l->p;
	l->tcol = l->col;
	l->tlen_chars = 1;
	if (l->p >= l->end) {
		l->tok = T_END;
		return;
	}
	p = l->p;
	if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_') {
		const char *q = p;
		while (q < l->end && ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
		                             (*q >= '0' && *q <= '9') || *q == '_'))
			q++;
		l->tok = T_NAME;
		l->sval = hg_arena_intern(l->a, p, (size_t)(q - p));
		l->slen = (size_t)(q - p);
		l->tlen_chars = (size_t)(q - p);
		advance(l, (size_t)(q - p));
		return;
	}
	if ((*p >= '0' && *p <= '9') ||
	        (*p == '-' && p + 1 < l->end && p[1] >= '0' && p[1] <= '9')) {
		const char *q = p + 1;
		char *endp;
		hg_buf num = HG_BUF_INIT;
		while (q < l->end && *q >= '0' && *q <= '9')
			q++;
		hg_buf_put(&num, p, (size_t)(q - p));
		errno = 0;
		l->ival = strtoll(num.ptr, &endp, 10);
		hg_buf_dispose(&num);
		l->tlen_chars = (size_t)(q - p);
		if (errno) {
			lex_error(l, "integer out of range", "整数が範囲外です");
			l->tok = T_ERROR;
			return;
		}
		l->tok = T_INT;
		advance(l, (size_t)(q - p));
		return;
	}
	if (*p == '\'' || *p == '"') {
		char quote = *p;
		hg_buf s = HG_BUF_INIT;
		const char *q = p + 1;
		size_t chars = 1;
		while (q < l->end && *q != quote) {
			if (*q == '\\' && q + 1 < l->end &&
			        (q[1] == '\\' || q[1] == '\'' || q[1] == '"')) {
				hg_buf_putc(&s, q[1]);
				q += 2;
				chars += 2;
				continue;
			}
			{
				size_t n = char_len(q, l->end);
				hg_buf_put(&s, q, n);
				q += n;
				chars++;
			}
		}
		if (q >= l->end) {
			hg_buf_dispose(&s);
			l->tlen_chars = chars;
			lex_error(l, "unterminated string", "文字列が閉じていません");
			l->tok = T_ERROR;
			return;
		}
		l->tok = T_STR;
		l->sval = hg_arena_strndup(l->a, s.ptr, s.size);
		l->slen = s.size;
		hg_buf_dispose(&s);
		l->tlen_chars = chars + 1;
		advance(l, (size_t)(q + 1 - p));
		return;
	}
#define TWO(c1, c2, k)                                                                             \
	if (p[0] == c1 && p + 1 < l->end && p[1] == c2) {                                          \
		l->tok = k;                                                                        \
		l->tlen_chars = 2;                                                                 \
		advance(l, 2);                                                                     \
		return;                                                                            \
	}
	TWO('=', '=', T_EQ)
	TWO('!', '=', T_NE)
	TWO('&', '&', T_AND)
	TWO('|', '|', T_OR)
#undef TWO
	switch (*p) {
	case '.':
		l->tok = T_DOT;
		break;
	case '(':
		l->tok = T_LPAREN;
		break;
	case ')':
		l->tok = T_RPAREN;
		break;
	case ',':
		l->tok = T_COMMA;
		break;
	case '?':
		l->tok = T_QUESTION;
		break;
	case ':':
		l->tok = T_COLON;
		break;
	case '!':
		l->tok = T_NOT;
		break;
	default:
		if (*p == '=')
			lex_error(l, "'=' is not an operator; use '=='",
			        "'=' は演算子ではありません。'==' を使ってください");
		else
			lex_error(l, "unexpected character", "予期しない文字があります");
		l->tok = T_ERROR;
		return;
	}
	advance(l, 1);
}

/* ---- parser ---- */

static hg_expr *parse_expr(struct lexer *l);

hg_expr *hg_expr_new(hg_arena *a, hg_expr_kind kind, const hg_span *span)
{
	hg_expr *e = HG_ANEW(a, hg_expr);
	e->kind = kind;
	if (span)
		e->span = *span;
	return e;
}

static hg_expr *new_at(struct lexer *l, hg_expr_kind kind)
{
	hg_span s = tok_span(l, l->tcol, l->tlen_chars);
	return hg_expr_new(l->a, kind, &s);
}

/* Widen e's span to end where the previous token ended. */
static void close_span(struct lexer *l, hg_expr *e, const hg_span *start)
{
	e->span = *start;
	if (l->exact)
		e->span.end_col = l->at.col + (uint32_t)l->prev_end;
}

static hg_expr *parse_primary(struct lexer *l)
{
	hg_expr *e;

	if (l->failed)
		return NULL;
	switch (l->tok) {
	case T_STR:
		e = new_at(l, HG_EX_STR);
		e->type = HG_T_STRING;
		e->u.str.s = l->sval;
		e->u.str.len = l->slen;
		next(l);
		return e;
	case T_INT:
		e = new_at(l, HG_EX_INT);
		e->type = HG_T_INT;
		e->u.i = l->ival;
		next(l);
		return e;
	case T_LPAREN: {
		next(l);
		e = parse_expr(l);
		if (!e)
			return NULL;
		if (l->tok != T_RPAREN) {
			lex_error(l, "expected ')'", "')' が必要です");
			return NULL;
		}
		next(l);
		return e;
	}
	case T_NAME: {
		hg_span start = tok_span(l, l->tcol, l->tlen_chars);
		const char *name = l->sval;
		const char *parts[64];
		hg_span spans[64];
		size_t n = 0;

		if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0) {
			e = new_at(l, HG_EX_BOOL);
			e->type = HG_T_BOOL;
			e->u.b = name[0] == 't';
			next(l);
			return e;
		}
		next(l);
		if (l->tok == T_LPAREN) {
			int fn = hg_func_find(name);
			hg_expr *args[8];
			size_t nargs = 0;
			if (fn < 0) {
				hg_buf known = HG_BUF_INIT;
				size_t i;
				for (i = 0; i < HG_FN__COUNT; i++)
					hg_buf_printf(
					        &known, "%s%s()", i ? ", " : "", funcs[i].name);
				hg_diag_add(
				        l->d, HG_D_UNKNOWN_FUNCTION, &start, name, known.ptr, NULL);
				hg_buf_dispose(&known);
				l->failed = true;
				return NULL;
			}
			next(l);
			while (l->tok != T_RPAREN) {
				hg_expr *arg;
				if (nargs == HG_ARRAY_SIZE(args)) {
					lex_error(l, "too many arguments", "引数が多すぎます");
					return NULL;
				}
				arg = parse_expr(l);
				if (!arg)
					return NULL;
				args[nargs++] = arg;
				if (l->tok == T_COMMA) {
					next(l);
					continue;
				}
				if (l->tok != T_RPAREN) {
					lex_error(
					        l, "expected ',' or ')'", "',' か ')' が必要です");
					return NULL;
				}
			}
			next(l);
			e = hg_expr_new(l->a, HG_EX_CALL, &start);
			close_span(l, e, &start);
			if (nargs < funcs[fn].min_args || nargs > funcs[fn].max_args) {
				char want[8], got[8];
				snprintf(want, sizeof(want), "%u", funcs[fn].min_args);
				snprintf(got, sizeof(got), "%zu", nargs);
				hg_diag_add(
				        l->d, HG_D_FUNCTION_ARITY, &e->span, name, want, got, NULL);
				l->failed = true;
				return NULL;
			}
			e->u.call.fn = (hg_func)fn;
			e->u.call.n = nargs;
			e->u.call.args = HG_ANEWN(l->a, hg_expr *, nargs ? nargs : 1);
			memcpy(e->u.call.args, args, nargs * sizeof(*args));
			e->type = funcs[fn].result;
			return e;
		}
		parts[n] = name;
		spans[n++] = start;
		while (l->tok == T_DOT) {
			next(l);
			if (l->tok != T_NAME) {
				lex_error(l, "expected a name after '.'",
				        "'.' の後には名前が必要です");
				return NULL;
			}
			if (n == HG_ARRAY_SIZE(parts)) {
				lex_error(l, "name has too many parts", "名前の区切りが多すぎます");
				return NULL;
			}
			parts[n] = l->sval;
			spans[n++] = tok_span(l, l->tcol, l->tlen_chars);
			next(l);
		}
		e = hg_expr_new(l->a, HG_EX_REF, &start);
		e->span.end_col = spans[n - 1].end_col;
		e->u.ref.n = n;
		e->u.ref.parts = HG_ANEWN(l->a, const char *, n);
		e->u.ref.spans = HG_ANEWN(l->a, hg_span, n);
		memcpy(e->u.ref.parts, parts, n * sizeof(*parts));
		memcpy(e->u.ref.spans, spans, n * sizeof(*spans));
		return e;
	}
	case T_END:
		lex_error(l, "expression ends too early", "式が途中で終わっています");
		return NULL;
	case T_ERROR:
		return NULL;
	default:
		lex_error(l, "expected a value or a name", "値か名前が必要です");
		return NULL;
	}
}

static hg_expr *binary(struct lexer *l, hg_expr_kind kind, hg_expr *a, hg_expr *b)
{
	hg_expr *e = hg_expr_new(l->a, kind, &a->span);
	if (b->span.line == a->span.line && b->span.end_col > e->span.end_col)
		e->span.end_col = b->span.end_col;
	e->u.op.a = a;
	e->u.op.b = b;
	e->type = HG_T_BOOL;
	return e;
}

static hg_expr *parse_cmp(struct lexer *l)
{
	hg_expr *a = parse_primary(l), *b;
	tok_kind op;

	if (!a)
		return NULL;
	if (l->tok != T_EQ && l->tok != T_NE)
		return a;
	op = l->tok;
	next(l);
	b = parse_primary(l);
	if (!b)
		return NULL;
	if (l->tok == T_EQ || l->tok == T_NE) {
		lex_error(l, "comparisons do not chain; use '&&'",
		        "比較は連結できません。'&&' を使ってください");
		return NULL;
	}
	return binary(l, op == T_EQ ? HG_EX_EQ : HG_EX_NE, a, b);
}

static hg_expr *parse_unary(struct lexer *l)
{
	if (l->tok == T_NOT) {
		hg_span s = tok_span(l, l->tcol, 1);
		hg_expr *e, *a;
		if (++l->depth > MAX_EXPR_DEPTH) {
			lex_error(l, "expression nests too deeply", "式の入れ子が深すぎます");
			return NULL;
		}
		next(l);
		a = parse_unary(l);
		l->depth--;
		if (!a)
			return NULL;
		e = hg_expr_new(l->a, HG_EX_NOT, &s);
		e->span.end_col = a->span.end_col;
		e->u.op.a = a;
		e->type = HG_T_BOOL;
		return e;
	}
	return parse_cmp(l);
}

static hg_expr *parse_chain(struct lexer *l, tok_kind op, hg_expr_kind kind)
{
	hg_expr *a = op == T_AND ? parse_unary(l) : parse_chain(l, T_AND, HG_EX_AND), *b;

	while (a && l->tok == op) {
		next(l);
		b = op == T_AND ? parse_unary(l) : parse_chain(l, T_AND, HG_EX_AND);
		if (!b)
			return NULL;
		a = binary(l, kind, a, b);
	}
	return a;
}

static hg_expr *parse_expr(struct lexer *l)
{
	hg_expr *c, *a, *b, *e;

	if (++l->depth > MAX_EXPR_DEPTH) {
		lex_error(l, "expression nests too deeply", "式の入れ子が深すぎます");
		return NULL;
	}
	c = parse_chain(l, T_OR, HG_EX_OR);
	if (c && l->tok == T_QUESTION) {
		next(l);
		a = parse_expr(l);
		if (!a) {
			l->depth--;
			return NULL;
		}
		if (l->tok != T_COLON) {
			lex_error(l, "expected ':' of 'condition ? then : else'",
			        "'条件 ? 値 : 値' の ':' が必要です");
			l->depth--;
			return NULL;
		}
		next(l);
		b = parse_expr(l);
		if (!b) {
			l->depth--;
			return NULL;
		}
		e = hg_expr_new(l->a, HG_EX_COND, &c->span);
		if (b->span.line == c->span.line)
			e->span.end_col = b->span.end_col;
		e->u.op.a = c;
		e->u.op.b = a;
		e->u.op.c = b;
		e->type = a->type == b->type ? a->type : HG_T_ANY;
		c = e;
	}
	l->depth--;
	return c;
}

hg_expr *hg_expr_parse(
        hg_arena *a, hg_diags *d, const char *src, size_t len, const hg_span *at, bool exact)
{
	struct lexer l;
	hg_expr *e;

	memset(&l, 0, sizeof(l));
	l.a = a;
	l.d = d;
	l.src = l.p = src;
	l.end = src + len;
	l.at = *at;
	l.exact = exact;
	next(&l);
	if (l.tok == T_END) {
		lex_error(&l, "empty expression", "式が空です");
		return NULL;
	}
	e = parse_expr(&l);
	if (e && l.tok != T_END)
		lex_error(
		        &l, "unexpected text after the expression", "式の後に余分な文字があります");
	return l.failed ? NULL : e;
}

/* ---- values ---- */

hg_value *hg_value_new(hg_arena *a, hg_value_kind kind, const hg_span *span)
{
	hg_value *v = HG_ANEW(a, hg_value);
	v->kind = kind;
	if (span)
		v->span = *span;
	return v;
}

hg_value *hg_value_str(hg_arena *a, const char *s, size_t len, const hg_span *span)
{
	hg_value *v = hg_value_new(a, HG_V_STR, span);
	v->u.str.s = hg_arena_strndup(a, s, len);
	v->u.str.len = len;
	return v;
}

/* Span of the character at char offset `col` of a string starting at `at`. */
static hg_span offset_span(
        const hg_span *at, bool exact, const hg_span *whole, size_t col, size_t nchars)
{
	hg_span s;
	if (!exact)
		return *whole;
	s = *at;
	s.col = at->col + (uint32_t)col;
	s.end_line = s.line;
	s.end_col = s.col + (uint32_t)(nchars ? nchars : 1);
	return s;
}

static size_t count_chars(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	while (i < n) {
		i += char_len(s + i, s + n);
		c++;
	}
	return c;
}

hg_value *hg_value_parse_string(hg_arena *a, hg_diags *d, const char *s, size_t len,
        const hg_span *at, bool exact, const hg_span *whole)
{
	hg_part parts[256];
	size_t nparts = 0, i = 0;
	hg_buf text = HG_BUF_INIT;
	hg_value *v;
	bool any_expr = false;

	if (!memchr(s, '$', len))
		return hg_value_str(a, s, len, whole);
	while (i < len) {
		if (s[i] == '$' && i + 2 < len && s[i + 1] == '$' && s[i + 2] == '{') {
			/* "$${" is a literal "${" */
			hg_buf_puts(&text, "${");
			i += 3;
			continue;
		}
		if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			size_t start = i + 2, j = start;
			char quote = 0;
			hg_span es;
			hg_expr *e;

			while (j < len) {
				if (quote) {
					if (s[j] == '\\' && j + 1 < len)
						j++;
					else if (s[j] == quote)
						quote = 0;
				} else if (s[j] == '\'' || s[j] == '"') {
					quote = s[j];
				} else if (s[j] == '}') {
					break;
				}
				j++;
			}
			if (j >= len) {
				hg_span bad = offset_span(at, exact, whole, count_chars(s, i), 2);
				hg_diag_add(d, HG_D_EXPR_SYNTAX, &bad,
				        HG_BI("'${' is not closed by '}' (write '$${' for a "
				              "literal '${')",
				                "'${' が '}' で閉じられていません (文字どおりの "
				                "'${' は '$${' と書きます)"),
				        NULL);
				hg_buf_dispose(&text);
				return NULL;
			}
			if (nparts + 2 >= HG_ARRAY_SIZE(parts)) {
				hg_diag_add(d, HG_D_EXPR_SYNTAX, whole,
				        HG_BI("too many ${...} parts in one string",
				                "1 つの文字列に ${...} が多すぎます"),
				        NULL);
				hg_buf_dispose(&text);
				return NULL;
			}
			if (text.size) {
				parts[nparts].text = hg_arena_strndup(a, text.ptr, text.size);
				parts[nparts].len = text.size;
				parts[nparts].expr = NULL;
				nparts++;
				hg_buf_clear(&text);
			}
			es = offset_span(at, exact, whole, count_chars(s, start), 1);
			e = hg_expr_parse(a, d, s + start, j - start, &es, exact);
			if (!e) {
				hg_buf_dispose(&text);
				return NULL;
			}
			parts[nparts].text = NULL;
			parts[nparts].len = 0;
			parts[nparts].expr = e;
			nparts++;
			any_expr = true;
			i = j + 1;
			continue;
		}
		hg_buf_putc(&text, s[i++]);
	}
	if (!any_expr) {
		v = hg_value_str(a, text.ptr, text.size, whole);
		hg_buf_dispose(&text);
		return v;
	}
	if (text.size) {
		parts[nparts].text = hg_arena_strndup(a, text.ptr, text.size);
		parts[nparts].len = text.size;
		parts[nparts].expr = NULL;
		nparts++;
	}
	hg_buf_dispose(&text);
	if (nparts == 1) {
		v = hg_value_new(a, HG_V_EXPR, whole);
		v->u.expr = parts[0].expr;
		return v;
	}
	v = hg_value_new(a, HG_V_INTERP, whole);
	v->u.interp.n = nparts;
	v->u.interp.parts = HG_ANEWN(a, hg_part, nparts);
	memcpy(v->u.interp.parts, parts, nparts * sizeof(*parts));
	return v;
}

hg_value *hg_value_get(const hg_value *map, const char *key)
{
	size_t i;
	if (!map || map->kind != HG_V_MAP)
		return NULL;
	for (i = 0; i < map->u.map.n; i++) /* the first byte first: most keys differ there */
		if (map->u.map.m[i].key[0] == key[0] && strcmp(map->u.map.m[i].key, key) == 0)
			return map->u.map.m[i].value;
	return NULL;
}

hg_type hg_value_type(const hg_value *v)
{
	switch (v->kind) {
	case HG_V_NULL:
		return HG_T_NULL;
	case HG_V_BOOL:
		return HG_T_BOOL;
	case HG_V_INT:
		return HG_T_INT;
	case HG_V_FLOAT:
		return HG_T_FLOAT;
	case HG_V_STR:
	case HG_V_INTERP:
		return HG_T_STRING;
	case HG_V_LIST:
		return HG_T_LIST;
	case HG_V_MAP:
		return HG_T_OBJECT;
	case HG_V_EXPR:
		return v->u.expr->type;
	}
	return HG_T_ANY;
}

bool hg_expr_equal(const hg_expr *a, const hg_expr *b)
{
	size_t i;

	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case HG_EX_STR:
		return a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case HG_EX_INT:
		return a->u.i == b->u.i;
	case HG_EX_BOOL:
		return a->u.b == b->u.b;
	case HG_EX_REF:
		if (a->u.ref.n != b->u.ref.n)
			return false;
		for (i = 0; i < a->u.ref.n; i++)
			if (strcmp(a->u.ref.parts[i], b->u.ref.parts[i]) != 0)
				return false;
		return true;
	case HG_EX_NOT:
		return hg_expr_equal(a->u.op.a, b->u.op.a);
	case HG_EX_AND:
	case HG_EX_OR:
	case HG_EX_EQ:
	case HG_EX_NE:
		return hg_expr_equal(a->u.op.a, b->u.op.a) && hg_expr_equal(a->u.op.b, b->u.op.b);
	case HG_EX_COND:
		return hg_expr_equal(a->u.op.a, b->u.op.a) && hg_expr_equal(a->u.op.b, b->u.op.b) &&
		       hg_expr_equal(a->u.op.c, b->u.op.c);
	case HG_EX_CALL:
		if (a->u.call.fn != b->u.call.fn || a->u.call.n != b->u.call.n)
			return false;
		for (i = 0; i < a->u.call.n; i++)
			if (!hg_expr_equal(a->u.call.args[i], b->u.call.args[i]))
				return false;
		return true;
	case HG_EX_PARAM:
		return a->u.param == b->u.param;
	case HG_EX_RESOURCE:
		return a->u.res.res == b->u.res.res;
	case HG_EX_ATTR:
		return a->u.res.res == b->u.res.res && strcmp(a->u.res.attr, b->u.res.attr) == 0;
	case HG_EX_PSEUDO:
		return a->u.pseudo == b->u.pseudo;
	case HG_EX_CONDREF:
		return a->u.cond == b->u.cond;
	case HG_EX_VALUE:
		return hg_value_equal(a->u.value, b->u.value);
	case HG_EX_NESTED_OUTPUT:
		return a->u.nested.deployment == b->u.nested.deployment &&
		       strcmp(a->u.nested.output, b->u.nested.output) == 0;
	}
	return false;
}

bool hg_value_equal(const hg_value *a, const hg_value *b)
{
	size_t i;

	/* A constant wrapped in an expression equals the constant itself. */
	if (a->kind == HG_V_EXPR && a->u.expr->kind == HG_EX_VALUE)
		return hg_value_equal(a->u.expr->u.value, b);
	if (b->kind == HG_V_EXPR && b->u.expr->kind == HG_EX_VALUE)
		return hg_value_equal(a, b->u.expr->u.value);
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case HG_V_NULL:
		return true;
	case HG_V_BOOL:
		return a->u.b == b->u.b;
	case HG_V_INT:
		return a->u.i == b->u.i;
	case HG_V_FLOAT:
		return a->u.f == b->u.f;
	case HG_V_STR:
		return a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case HG_V_LIST:
		if (a->u.list.n != b->u.list.n)
			return false;
		for (i = 0; i < a->u.list.n; i++)
			if (!hg_value_equal(a->u.list.items[i], b->u.list.items[i]))
				return false;
		return true;
	case HG_V_MAP:
		/* Maps are equal when they have the same keys with equal values,
		 * in any order. */
		if (a->u.map.n != b->u.map.n)
			return false;
		for (i = 0; i < a->u.map.n; i++) {
			const hg_value *o = hg_value_get(b, a->u.map.m[i].key);
			if (!o || !hg_value_equal(a->u.map.m[i].value, o))
				return false;
		}
		return true;
	case HG_V_EXPR:
		return hg_expr_equal(a->u.expr, b->u.expr);
	case HG_V_INTERP:
		if (a->u.interp.n != b->u.interp.n)
			return false;
		for (i = 0; i < a->u.interp.n; i++) {
			const hg_part *pa = &a->u.interp.parts[i], *pb = &b->u.interp.parts[i];
			if (!pa->expr != !pb->expr)
				return false;
			if (pa->expr ? !hg_expr_equal(pa->expr, pb->expr)
			             : (pa->len != pb->len ||
			                       memcmp(pa->text, pb->text, pa->len) != 0))
				return false;
		}
		return true;
	}
	return false;
}

const char *hg_ref_text(hg_arena *a, const hg_expr *ref)
{
	hg_buf b = HG_BUF_INIT;
	const char *s;
	size_t i;

	for (i = 0; i < ref->u.ref.n; i++) {
		if (i)
			hg_buf_putc(&b, '.');
		hg_buf_puts(&b, ref->u.ref.parts[i]);
	}
	s = hg_arena_strndup(a, b.ptr, b.size);
	hg_buf_dispose(&b);
	return s;
}

void hg_value_show(hg_buf *out, const hg_value *v)
{
	size_t i;

	switch (v->kind) {
	case HG_V_NULL:
		hg_buf_puts(out, "null");
		break;
	case HG_V_BOOL:
		hg_buf_puts(out, v->u.b ? "true" : "false");
		break;
	case HG_V_INT:
		hg_buf_printf(out, "%lld", (long long)v->u.i);
		break;
	case HG_V_FLOAT:
		hg_buf_printf(out, "%.15g", v->u.f);
		break;
	case HG_V_STR:
		hg_buf_putc(out, '\'');
		hg_buf_put(out, v->u.str.s, v->u.str.len);
		hg_buf_putc(out, '\'');
		break;
	case HG_V_LIST:
		hg_buf_putc(out, '[');
		for (i = 0; i < v->u.list.n; i++) {
			if (i)
				hg_buf_puts(out, ", ");
			hg_value_show(out, v->u.list.items[i]);
		}
		hg_buf_putc(out, ']');
		break;
	case HG_V_MAP:
		hg_buf_puts(out, "{...}");
		break;
	case HG_V_EXPR:
		if (v->u.expr->kind == HG_EX_VALUE)
			hg_value_show(out, v->u.expr->u.value);
		else
			hg_buf_puts(out, "${...}");
		break;
	case HG_V_INTERP:
		hg_buf_puts(out, "'...${...}...'");
		break;
	}
}
