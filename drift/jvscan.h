/*
 * jvscan.h: a two-stage scan of JSON text that validates it or builds
 * its tree, for jv.c.
 * Part of hinagata; see LICENSE.
 *
 * simdjson's idea, with SSE2 (AVX2 where the processor has it, chosen at
 * run time): stage 1 marks, 64 bytes at a time, where the strings are and
 * where structural characters and scalars begin (the blanks between tokens
 * and the bytes of strings are never looked at one by one); stage 2 walks
 * those marks with a stack of containers. It accepts exactly the text
 * jv.c's parser accepts and builds the same tree (tests/unit/test_jvscan.c
 * and the fuzz target fuzz_jv hold the two to that), and says nothing
 * about what it rejects: the caller runs the parser then, which says where
 * and what (the usual input is valid; only a bad one is read twice).
 *
 * Ownership: what is built (a tree, the keys collected) is in the arena
 * given; text and the key lists are borrowed.
 */
#ifndef HG_JVSCAN_H
#define HG_JVSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "jv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The deepest nesting the scan takes; deeper limits go to the parser. */
#define HG_JVSCAN_MAX_DEPTH 1024

/* What a validating scan also notes (jv.c's hg_jv_validate and hg_jv_scan_keys). */
typedef struct hg_jvscan_hooks {
	/* the values of the top-level object's members keys[i] (klens[i] bytes):
	 * vals[i], vlens[i] (the first such member); vals NULL-initialized */
	const char *const *keys;
	const size_t *klens;
	size_t nkeys;
	const char **vals;
	size_t *vlens;
	/* the keys of the object that is the value of the top-level member
	 * under[i], raw (as written between the quotes), appended to
	 * collected[i] (zeroed by the caller) in a */
	const char *const *under;
	size_t nunder;
	hg_jv_keys *collected;
	hg_arena *a;
} hg_jvscan_hooks;

/* Tests: stage 1 without AVX2 even where the processor has it; jv.c without the scan. */
extern bool hg_jvscan_sse2_only, hg_jvscan_off;

/*
 * 0 when text[0..len) is one JSON value nested at most max_depth deep
 * (<= HG_JVSCAN_MAX_DEPTH), with what hooks (or NULL) asks noted; -1 when
 * it is not, with nothing said (and hooks' outputs partly written: reset
 * them before asking the parser).
 */
int hg_jvscan_validate(
        const char *text, size_t len, unsigned max_depth, const hg_jvscan_hooks *hooks);

/*
 * hg_jv_parse_in_place (with keys: hg_jv_parse_select's select) of
 * text[0..len), writable. 0 with *out
 * the same tree the parser builds, and text changed as the parser changes
 * it (the terminators of the strings kept in place); -1 for anything it
 * does not take, with text not changed at all: the caller runs the parser.
 * selen[i]: the length of select[i].
 */
int hg_jvscan_build(hg_jv **out, hg_arena *a, char *text, size_t len, unsigned max_depth,
        const char *const *select, const size_t *selen, size_t nselect);

/*
 * The same tree, as the scan and the parser must build it (tests, fuzz_jv):
 * kinds and flags, member order, bytes and terminators, and which
 * containers have no array (hg_jv_equal asks less: members in any order).
 */
bool hg_jvscan_same_tree(const hg_jv *x, const hg_jv *y);
/* The same keys collected (hg_jv_scan_keys): n lists, each the same keys in order, seen alike. */
bool hg_jvscan_same_keys(const hg_jv_keys *x, const hg_jv_keys *y, size_t n);

#ifdef __cplusplus
}
#endif
#endif
