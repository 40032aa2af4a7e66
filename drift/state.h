/*
 * state.h: the deployed state: --state directories into state units, and
 * export files into the model's stacks and records (see model.h).
 * Part of hinagata; see LICENSE.
 *
 * A --state directory holding *.json files is one unit (one account and
 * region, or one subscription: what a collector writes); its
 * subdirectories are units of their own, so a fleet's tree of
 * ACCOUNT/REGION directories is one argument. --state files given on their
 * own make one unit per directory they are in. Every file is read once,
 * streaming (export.h); a record is remembered by its place in the file
 * and read back when its resource is compared.
 */
#ifndef HG_DRIFT_STATE_H
#define HG_DRIFT_STATE_H

#include "export.h"
#include "model.h"

/* A unit to read: its name and files (all new; free with hg_state_specs_free). */
typedef struct hg_state_spec {
	char *name;
	char **paths; /* in name order */
	size_t npaths;
	bool loose; /* files given on their own (not a directory) */
} hg_state_spec;

/*
 * The units of the --state arguments, in argument order (a directory's
 * subdirectories after it, by name). A directory with no export in it or
 * under it, or a path that is neither a directory nor a regular file, is
 * an error naming what was expected (HG7050), except that with may_be_empty
 * a directory without exports is no unit: the state of one shard of a
 * fleet may hold none (the shard's run says so, HG7203). Returns 0,
 * HG_EINVALID or HG_EIO (diagnostics in d).
 */
int hg_state_specs(hg_state_spec **out, size_t *n, const char *const *states, size_t nstates,
        bool may_be_empty, hg_diags *d);
void hg_state_specs_free(hg_state_spec *specs, size_t n);

/*
 * What one export file holds: a partial unit, read on its own (files are
 * read on several threads), merged into its unit by hg_state_merge. Its
 * records' file index is 0. (cache.c saves and restores them.)
 */
typedef struct hg_state_file {
	hg_unit part; /* stacks, records, listed types, Azure facts (part.a owns them) */
	hg_arena *tmp;
	hg_diags *d;
	const char *display;
	int failed;
} hg_state_file;

/* An empty partial unit (new), to be filled by the cache. */
hg_state_file *hg_state_file_new(void);

/*
 * Read the export at path (display name shown in messages); az (borrowed,
 * may be NULL) says which az listings print flattened records. Returns the
 * partial (never NULL).
 */
hg_state_file *hg_state_read_file(const char *path, const char *display,
        const hg_export_limits *lim, const hg_az_rules *az, hg_diags *d, int *rc);
void hg_state_file_free(hg_state_file *f);

/*
 * Merge the files of a unit, in order, into *u (zeroed by the caller; its
 * arena is created here) and index it: stacks by name, their resources by
 * logical ID and (type, physical ID) to records, records by (type,
 * identity); account and region from the stacks' ARNs or the Azure
 * resource IDs; what a collector's manifest says its listings covered,
 * once the files it names are found in the unit. Steals the files (freed
 * here). Returns 0, or HG_EINVALID when the files are of several accounts
 * or regions (HG7052) or a file the manifest names is missing (HG7055).
 */
int hg_state_merge(hg_unit *u, const hg_state_spec *spec, hg_state_file **files,
        const hg_az_rules *az, hg_diags *d);
void hg_unit_dispose(hg_unit *u);

#endif
