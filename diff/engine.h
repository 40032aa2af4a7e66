/*
 * engine.h: two sides of a template diff -> their differences (engine.c).
 * Internal to diff/.
 * Part of hinagata; see LICENSE.
 *
 * The engine holds what it reads once for many pairs: the registry schemas
 * (createOnlyProperties: which changes replace a CloudFormation resource),
 * schemas/diff/rules.json (what holds data, what keeps the old resource,
 * what replaces an ARM resource) and the names of secret properties
 * (schemas/drift/rules.json: the same list drift masks by).
 */
#ifndef HG_TDIFF_ENGINE_H
#define HG_TDIFF_ENGINE_H

#include "side.h"

typedef struct hg_tengine hg_tengine;

/* Open the tables under o->schema_dir; NULL after a diagnostic in d. */
hg_tengine *hg_tengine_open(const hg_tdiff_options *o, hg_diags *d);
void hg_tengine_free(hg_tengine *e);

/*
 * Compare before with after (either may be NULL: a template only on one
 * side, all added or all removed) into a new pair of t, kept when they
 * differ; t->compared counts every call. The sides must be of one cloud
 * (the caller says so otherwise, HG8102).
 */
void hg_tengine_pair(hg_tengine *e, hg_tdiff *t, const hg_tside *before, const hg_tside *after);

/* A new, empty result (labels copied). */
hg_tdiff *hg_tdiff_new(const char *before, const char *after);

#endif
