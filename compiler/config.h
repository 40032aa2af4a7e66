/*
 * config.h: a repository's settings for hinagata, in .hinagata.yaml at its
 * root (hinagata check reads it from the working tree or the index, hinagata
 * drift --repo from the revision it compiles):
 *
 *   check:
 *     exclude: [tests/fixtures, "*.broken.yaml"]
 *   history: ops/history.db          # or { file: ..., record: [drift, check] }
 *
 * Part of hinagata; see LICENSE.
 */
#ifndef HG_CONFIG_H
#define HG_CONFIG_H

#include <stddef.h>

#include "../common/diag.h"

#define HG_CONFIG_FILE ".hinagata.yaml"

typedef struct hg_config {
	char **exclude; /* owned; paths that are not the repository's templates: left
	                   out of the check and off the search path (hg_path_excluded) */
	size_t nexclude;
	char *history;      /* owned; the history store runs are recorded in, or NULL */
	bool history_drift; /* drift records into it unless told not to (default) */
	bool history_check; /* check does too (record: [check]) */
} hg_config;

/*
 * Read path into *c (zeroed first); messages name it display (NULL: path).
 * A missing file is no settings. Returns 0; HG_EINVALID with diagnostics in
 * d when the file is not valid; HG_EIO when it cannot be read. Free with
 * hg_config_dispose.
 */
int hg_config_read(hg_config *c, const char *path, const char *display, hg_diags *d);
/* The same from text (len bytes) read from path. Returns 0 or HG_EINVALID. */
int hg_config_parse(hg_config *c, const char *path, const char *text, size_t len, hg_diags *d);
void hg_config_dispose(hg_config *c);

#endif
