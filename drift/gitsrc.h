/*
 * gitsrc.h: the desired state at a git revision, read with libgit2.
 * Part of hinagata; see LICENSE.
 *
 * The only module that includes git2.h; it owns git_libgit2_init and
 * shutdown. Files are read from the object database: no checkout, the
 * working tree and the index are never touched.
 */
#ifndef HG_GITSRC_H
#define HG_GITSRC_H

#include <stdbool.h>

#include "../common/buf.h"
#include "../common/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Read path (relative to the repository root) at revision ref (e.g. HEAD,
 * a branch, a tag, a commit) of the repository at repo into out. *commit
 * (may be NULL) gets the commit ID in hex (41 bytes). Returns 0, or HG_EIO
 * with a diagnostic in d (no repository, unknown revision, no such file).
 */
int hg_git_read(hg_buf *out, const char *repo, const char *ref, const char *path, char *commit,
        hg_diags *d);

/*
 * Write every blob of the tree at ref whose name ends in .yaml, .yml or
 * .json into dir (which must exist), keeping paths, so that a template can
 * be compiled with the templates it uses as they were at that revision.
 * Returns 0 or HG_EIO with a diagnostic.
 */
int hg_git_export_templates(const char *repo, const char *ref, const char *dir, hg_diags *d);

/*
 * Write the staged content (the index, stage 0) of every .yaml, .yml and
 * .json file of the repository containing start into dir, keeping paths:
 * what a pre-commit hook must check. workdir (may be NULL) gets the
 * repository's working directory. Returns 0 or HG_EIO with a diagnostic.
 */
int hg_git_export_index(const char *start, const char *dir, hg_buf *workdir, hg_diags *d);

/* The .git directory of the repository containing start (with a final '/'), into out. */
int hg_git_dir(const char *start, hg_buf *out, hg_diags *d);

/* What git ignores (.gitignore files, info/exclude, core.excludesFile) under a directory. */
typedef struct hg_git_ignores hg_git_ignores;

/* For the directory start; NULL when it is in no repository (nothing is
 * ignored), or when libgit2 could not be loaded (HG9005 in d). */
hg_git_ignores *hg_git_ignores_open(const char *start, hg_diags *d);
/* Whether git ignores path (relative to start). */
bool hg_git_ignored(hg_git_ignores *g, const char *path);
void hg_git_ignores_free(hg_git_ignores *g);

#ifdef __cplusplus
}
#endif
#endif
