/*
 * ignore.h: .hinagataignore, the accepted differences.
 * Part of hinagata; see LICENSE.
 *
 * A YAML file with a list `ignore:` of rules. Each rule matches by glob on
 * type, resource (logical or physical ID), path (JSON pointer; without
 * one the whole resource), account and region, and must give a reason;
 * `expires: YYYY-MM-DD` ends it. An expired rule no longer applies and is
 * reported. A difference in a locked setting of a mandatory template is
 * never ignored (warning HG7008).
 */
#ifndef HG_IGNORE_H
#define HG_IGNORE_H

#include "drift.h"

typedef struct hg_ignore hg_ignore;

/* Read the rules of path; expiry judged against today. Returns 0 or HG_EIO/HG_EINVALID. */
int hg_ignore_load(hg_ignore **out, const char *path, const char *today, hg_diags *d);
void hg_ignore_free(hg_ignore *ig);

/*
 * Mark what the rules match in x (ignored, ignore_reason, ignore_expires;
 * the strings in a). Refusals (a locked setting) are warnings in d. Safe
 * to call from several threads with their own a and d.
 */
void hg_ignore_result(hg_ignore *ig, hg_arena *a, hg_drift_result *x, hg_diags *d);

/* The expired rules (*out in a); how many. */
size_t hg_ignore_expired(hg_ignore *ig, hg_arena *a, hg_expired_rule **out);

#endif
