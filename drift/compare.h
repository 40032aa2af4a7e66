/*
 * compare.h: one resource, desired against deployed, by canonical forms.
 * Part of hinagata; see LICENSE.
 *
 * Both sides are canonicalized (canon.h); the deployed side is projected
 * onto the properties the template declares (as CloudFormation does),
 * with service defaults filling what the export leaves out. The two
 * canonical forms (objects in key order) are compared member by member;
 * only when they differ does the structural diff run, producing
 * JSON-pointer paths. Both are hashed (XXH3 of the canonical text) for
 * what reports and the cache show.
 */
#ifndef HG_COMPARE_H
#define HG_COMPARE_H

#include "canon.h"
#include "drift.h"

typedef struct hg_compare {
	hg_canon *canon;
	hg_arena *tmp;  /* scratch for this resource */
	hg_arena *keep; /* the report's arena: result strings */
	const char *type;
	const char *const *locked; /* JSON pointers of locked settings */
	size_t nlocked;
	bool want_hashes; /* fill the hashes of a resource in sync too (reports, cache) */
} hg_compare;

/*
 * Compare desired (an object of resolved properties) with deployed (the
 * export's properties object, or NULL when it has none). Sets res->status
 * to IN_SYNC or MODIFIED, the hashes, the diffs and the folds.
 */
void hg_compare_resource(hg_compare *c, hg_drift_result *res, const hg_jv *desired,
        const hg_jv *deployed);

/* Mask a value's text if the path names a secret or a write-only property. */
bool hg_compare_secret_path(hg_compare *c, const char *path);

/* "path: why" for a not-checked list, both languages when why has both (HG_BI). */
char *hg_note_text(hg_arena *a, const char *path, const char *why);

/* Append a string to a result's string list (arena-owned). */
void hg_result_note(hg_arena *a, char ***list, size_t *n, const char *s);

#endif
