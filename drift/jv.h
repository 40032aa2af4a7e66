/*
 * jv.h: a small, fast JSON value tree for the drift engine.
 * Part of hinagata; see LICENSE.
 *
 * Exports are large and most of their records are compared once and
 * dropped, so the drift engine does not use jansson for them: jv values
 * live in an arena that is reset between records, objects keep their
 * members in an array (no hash table), strings are unescaped once and
 * numbers keep their text (CloudFormation compares numbers as strings).
 * jansson stays for templates and reports.
 */
#ifndef HG_JV_H
#define HG_JV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hg_jv_kind {
	HG_JV_NULL,
	HG_JV_FALSE,
	HG_JV_TRUE,
	HG_JV_NUM, /* s holds the number's text */
	HG_JV_STR,
	HG_JV_ARR,
	HG_JV_OBJ,
} hg_jv_kind;

typedef struct hg_jv hg_jv;

typedef struct hg_jv_member {
	const char *key;
	size_t klen;
	hg_jv *val;
} hg_jv_member;

struct hg_jv {
	hg_jv_kind kind;
	bool typed; /* STR only: the text of a number or boolean that canonicalization
	               made a string (10 == "10"); equal to it, but shown unquoted */
	bool sorted; /* OBJ only: members in canonical (byte) order of their keys */
	size_t n; /* string/number: bytes; array: items; object: members */
	size_t cap; /* array/object built with hg_jv_push/put: room for this many */
	union {
		const char *s;
		hg_jv **items;
		hg_jv_member *members;
	} u;
};

typedef struct hg_jv_error {
	size_t offset; /* byte offset of the problem in the input */
	const char *what; /* a short description (static), HG_BI: English and Japanese */
	bool truncated;   /* the input ended inside a value */
} hg_jv_error;

/*
 * Parse one JSON value from text[0..len) into *out (arena-owned). Returns 0,
 * or -1 with *err set (malformed, trailing data, deeper than max_depth).
 */
int hg_jv_parse(hg_jv **out, hg_arena *a, const char *text, size_t len, unsigned max_depth,
        hg_jv_error *err);

/*
 * Check that text[0..len) is one JSON value, building nothing: 0 or -1 with
 * *err. When it is an object, vals[i]/vlens[i] get the text of the value of
 * its member keys[i] (vals must be NULL-initialized; NULL if absent).
 */
int hg_jv_validate(const char *text, size_t len, unsigned max_depth, hg_jv_error *err,
        const char *const *keys, size_t nkeys, const char **vals, size_t *vlens);

/* Where a record checked by hg_jv_check_record ends. */
typedef struct hg_jv_record_end {
	size_t used;    /* its bytes */
	size_t lines;   /* the line feeds among them */
	size_t last_nl; /* the offset of the last one, or (size_t)-1 */
} hg_jv_record_end;

/*
 * The JSON value at the start of text[0..len), one record of an export,
 * checked as hg_jv_validate does (its top-level members keys[i] found),
 * and as the export reader's scan does: no object has a key twice.
 * Whatever follows the value is not looked at. 0, with *at; -1 with *err
 * (not JSON; err->truncated: text ends inside it); -2 when it cannot say
 * here (an object with a key twice, a key with an escape, an object of
 * more than 16 members): the reader's own scan decides and says where.
 */
int hg_jv_check_record(const char *text, size_t len, unsigned max_depth, hg_jv_error *err,
        const char *const *keys, size_t nkeys, const char **vals, size_t *vlens,
        hg_jv_record_end *at);

/*
 * hg_jv_parse, but of a top-level object only the members named in keys
 * are built (the others are checked, as all the text is, and left out):
 * a deployed resource is compared on the properties its template declares.
 */
int hg_jv_parse_select(hg_jv **out, hg_arena *a, const char *text, size_t len, unsigned max_depth,
        hg_jv_error *err, const char *const *keys, size_t nkeys);

/*
 * hg_jv_parse_select (every member when keys is NULL) in place: text is
 * writable and lives as long as a does (it is in a, or in what a's tree
 * is kept with); a string without escapes is not copied: it stays where
 * it is in text, its closing quote made its terminator. text is not JSON
 * any more afterwards, whether the parse succeeded or not.
 */
int hg_jv_parse_in_place(hg_jv **out, hg_arena *a, char *text, size_t len, unsigned max_depth,
        hg_jv_error *err, const char *const *keys, size_t nkeys);

/*
 * hg_jv_parse_in_place of JSON that is the body of a JSON string, as
 * written between its quotes (a cloudcontrol record's Properties), without
 * decoding it first: its strings are opened and closed by \" and have no
 * other escape, and it has no escaped blank (what CloudFormation's APIs
 * print). -1 for anything else, valid or not, with nothing said: decode
 * the string and parse that instead (which says where an error is). text
 * is writable and lives as long as a does, as for hg_jv_parse_in_place.
 */
int hg_jv_parse_string_body(hg_jv **out, hg_arena *a, char *text, size_t len, unsigned max_depth,
        const char *const *keys, size_t nkeys);

/*
 * The value of the top-level member key (written without escapes) of an
 * object in text that is known to be JSON (checked before, and the same
 * bytes): *val, *vlen borrow from text. Nothing is checked; -1 when the
 * member is not found, a key before it has an escape (a decoding parse
 * finds the member then), or the text is not what was assumed.
 */
int hg_jv_known_member(
        const char *text, size_t len, const char *key, const char **val, size_t *vlen);

/* The keys of an object, collected by hg_jv_scan_keys (in the arena given). */
typedef struct hg_jv_keys {
	const char **keys;
	size_t n, cap;
	bool seen; /* the member was there */
} hg_jv_keys;

/*
 * hg_jv_validate, and also the member keys of the objects that are the
 * values of top-level members under[i] (collected[i], decoded, in a): a
 * template's logical IDs in one pass that builds nothing else.
 */
int hg_jv_scan_keys(const char *text, size_t len, unsigned max_depth, hg_jv_error *err,
        const char *const *keys, size_t nkeys, const char **vals, size_t *vlens,
        const char *const *under, size_t nunder, hg_jv_keys *collected, hg_arena *a);

/*
 * Check that text[0..len) is one JSON value and, when it is an object,
 * list its member keys (*keys in a, decoded), building nothing else.
 * Returns 0 or -1.
 */
int hg_jv_object_keys(const char *text, size_t len, unsigned max_depth, hg_arena *a,
        const char ***keys, size_t *nkeys);

/*
 * The value of a JSON string whose body (between its quotes) is
 * body[0..len) and whose closing quote is body[len], decoded into a
 * (arena-owned, NUL-terminated; *n its bytes), or NULL if it is not one.
 */
const char *hg_jv_unescape(hg_arena *a, const char *body, size_t len, size_t *n);

/* Constructors (arena-owned). */
static inline hg_jv *hg_jv_new(hg_arena *a, hg_jv_kind kind)
{
	hg_jv *v = HG_ANEW(a, hg_jv); /* zeroed */
	v->kind = kind;
	return v;
}
hg_jv *hg_jv_string(hg_arena *a, const char *s, size_t n);

/* An empty array / object with room for cap items (arena-owned); grown by push / put. */
hg_jv *hg_jv_array(hg_arena *a, size_t cap);
hg_jv *hg_jv_object(hg_arena *a, size_t cap);
void hg_jv_push(hg_arena *a, hg_jv *arr, const hg_jv *item);
/* Append a member (key is borrowed: it must live as long as the object). */
void hg_jv_put(hg_arena *a, hg_jv *obj, const char *key, size_t klen, const hg_jv *val);
/* A boolean, or a number from its text. */
hg_jv *hg_jv_bool(hg_arena *a, bool b);
hg_jv *hg_jv_number(hg_arena *a, const char *text, size_t n);

/* The member `key` (klen bytes) of an object, or NULL: the first of that key. */
hg_jv *hg_jv_getn(const hg_jv *obj, const char *key, size_t klen);
/* Inline, so that a literal key's length is known where it is asked for. */
static inline hg_jv *hg_jv_get(const hg_jv *obj, const char *key)
{
	return hg_jv_getn(obj, key, strlen(key));
}
/* A string value's text, or NULL if v is not a string. */
const char *hg_jv_str(const hg_jv *v);

/* Structural equality (object members in any order; numbers by text). */
bool hg_jv_equal(const hg_jv *a, const hg_jv *b);

/*
 * The canonical text of v (jsontext.h rules): object keys sorted by bytes,
 * compact, strings UTF-8. Appended to out. Used for hashing.
 */
void hg_jv_canonical(hg_buf *out, const hg_jv *v);
/* The same, but a typed string as the number or boolean it was: for reports. */
void hg_jv_display(hg_buf *out, const hg_jv *v);
/* XXH3-64 of the canonical text of v. */
uint64_t hg_jv_hash(const hg_jv *v);

/* Conversions to and from jansson (new json_t / arena-owned jv). */
json_t *hg_jv_to_json(const hg_jv *v);
hg_jv *hg_jv_from_json(hg_arena *a, const json_t *j);

#ifdef __cplusplus
}
#endif
#endif
