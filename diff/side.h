/*
 * side.h: one side of a template diff (side.c): a template read into its
 * resources by key, for the engine (engine.c). Internal to diff/.
 * Part of hinagata; see LICENSE.
 *
 * Whatever the input (a hinagata source compiled in memory, CloudFormation
 * or ARM as JSON or YAML), a side is the same: the template as a JSON value
 * (drift/jv.h, in the caller's arena) and its resources, each with a key
 * that is the same on both sides for the same resource, sorted by key so
 * that the two sides are paired in one merge. A resource's body is what is
 * compared: the resource as written, without what hinagata records about
 * it (Metadata.hinagata, kept apart as meta) and, for ARM, without its
 * child resources and the resources of a nested deployment's template,
 * which are resources of their own here ("parent > child").
 */
#ifndef HG_TDIFF_SIDE_H
#define HG_TDIFF_SIDE_H

#include "../common/buf.h"
#include "../drift/jv.h"
#include "tdiff.h"

typedef struct hg_tside_res {
	const char *key;    /* pairs the two sides (ARM: types in lower case) */
	const char *id;     /* as shown (hg_tres.id) */
	const char *type;
	const hg_jv *body;  /* compared; never NULL (an object) */
	const hg_jv *meta;  /* Metadata.hinagata (ARM: metadata.hinagata), or NULL */
} hg_tside_res;

/* The sections outside Resources that are compared name by name. ORDER SECTION */
#define HG_TSIDE_NSECTIONS 6

typedef struct hg_tside {
	const char *name; /* display name */
	bool arm;
	const hg_jv *doc;
	const hg_jv *hmeta; /* the template's Metadata.hinagata (compiled output), or NULL */
	hg_tside_res *res;  /* sorted by key (bytes) */
	size_t nres, capres;
	const char *section_names[HG_TSIDE_NSECTIONS]; /* as written in this template */
	const hg_jv *sections[HG_TSIDE_NSECTIONS];     /* objects, or NULL */
	const hg_jv *rest;  /* the template's other top-level members (Description, ...), an object */
} hg_tside;

/*
 * Read one side from a file, a hinagata source (compiled with o's search
 * path, plus the directories extra, searched first) or TEMPLATE@VERSION.
 * Everything goes into a. Returns 0, HG_EIO, HG_ENOTFOUND or HG_EINVALID
 * with diagnostics in d (HG8101 not a template, HG8103 no such file or
 * template version, HG8104 a source that does not compile).
 */
int hg_tside_load(hg_tside *out, hg_arena *a, const char *arg, const char *display,
        const char *const *extra, size_t nextra, const hg_tdiff_options *o, hg_diags *d);

/* One side from text (JSON or YAML CloudFormation or ARM); name is shown. */
int hg_tside_text(hg_tside *out, hg_arena *a, const char *name, const char *text, size_t len,
        hg_diags *d);

/* Does s end with x? (file names) */
bool hg_tdiff__suffix(const char *s, const char *x);

/* Is text a hinagata source (its first line that is not a comment is `hinagata:`)? */
bool hg_tside_is_source(const char *text, size_t len);

/*
 * Compile the hinagata source at path to JSON (appended to json), with the
 * directories extra first on o's search path; the control rules are left
 * out (a diff is wanted even of a template they refuse), and so are its
 * warnings. Returns 0; 1 for a profile or the catalog (nothing to deploy,
 * no diagnostic); or HG_EINVALID / HG_EIO with the compiler's errors and
 * HG8105 in d.
 */
int hg_tside_compile(hg_buf *json, const char *path, const char *const *extra, size_t nextra,
        const hg_tdiff_options *o, hg_diags *d);

#endif
