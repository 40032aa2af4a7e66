/*
 * registry.h: finding templates and profiles on the search path.
 * Part of hinagata; see LICENSE.
 *
 * The search path is a list of directories, searched in order: the
 * --templates directories, then $HINAGATA_PATH (colon-separated), then the
 * bundled templates/. Each directory is scanned recursively (in byte order
 * of names, hidden entries skipped) for *.yaml and *.yml files, and each
 * file is read once for its name, kind and version. A name+version found in
 * an earlier directory shadows later ones. Files that are not valid
 * templates are skipped silently; their count is reported when a lookup
 * fails, because one of them may be the template that was meant.
 */
#ifndef HG_REGISTRY_H
#define HG_REGISTRY_H

#include "template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_registry hg_registry;

/* A search-path directory; files in it are named display/... in messages
 * (display NULL: the path itself), so the bundled templates print the same
 * on every machine. */
typedef struct hg_search_dir {
	const char *path;
	const char *display;
	const char *const *exclude; /* paths under path not to read (hg_path_excluded; */
	size_t nexclude;            /* borrowed: must outlive the registry) */
} hg_search_dir;

/*
 * New registry over dirs (copied). Templates are parsed into a (borrowed;
 * must outlive the registry). Free with hg_registry_free.
 */
hg_registry *hg_registry_new(hg_arena *a, const hg_search_dir *dirs, size_t ndirs);

struct hg_compile_options;
/* A registry over the search path of opts: its template dirs (without what
 * opts excludes), then the bundled templates. */
hg_registry *hg_registry_of(hg_arena *a, const struct hg_compile_options *opts);
void hg_registry_free(hg_registry *r);

/*
 * Find the highest version of `name` of the given kind that satisfies range
 * (NULL: any non-pre-release version). On success *out is borrowed from the
 * registry. The first lookup scans the search path and registers every
 * file read with d, so d must outlive the templates' use.
 * When nothing matches, a diagnostic at `at` is added to d and HG_ENOTFOUND
 * returned.
 */
int hg_registry_find(const hg_template **out, hg_registry *r, hg_diags *d, hg_doc_kind kind,
        const char *name, const hg_range *range, const char *range_text, const hg_span *at);

/*
 * The highest non-pre-release version of `name` of the given kind, or NULL;
 * no diagnostics (for optional documents such as the control catalog).
 */
const hg_template *hg_registry_get(hg_registry *r, hg_diags *d, hg_doc_kind kind, const char *name);

/* Add an already-parsed template (an input file) so other inputs can use it. */
void hg_registry_add(hg_registry *r, const hg_template *t);

/* The directories, joined by ", " (for messages); arena-owned. */
const char *hg_registry_path_text(hg_registry *r);

#ifdef __cplusplus
}
#endif
#endif
