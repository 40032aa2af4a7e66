/*
 * semver.h: semantic versions and npm-style version ranges.
 * Part of hinagata; see LICENSE.
 *
 * Ranges follow node-semver: exact (1.2.3, =1.2.3), partial (1.2 = 1.2.x),
 * caret (^1.2.3 < 2.0.0; ^0.2.3 < 0.3.0), tilde (~1.2.3 < 1.3.0; ~1 < 2.0.0),
 * comparators (>=, >, <=, <), wildcards (*, 1.x), space for "and", || for
 * "or". A pre-release version matches only a comparator set that names the
 * same MAJOR.MINOR.PATCH with a pre-release, as in npm. Tilde is npm's
 * (patch-level for ~1.2), not Terraform's ~> (minor-level); docs/language.md
 * says so because the two are easy to confuse.
 */
#ifndef HG_SEMVER_H
#define HG_SEMVER_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_semver {
	uint64_t major, minor, patch;
	const char *pre; /* pre-release ("rc.1") or NULL; borrowed */
} hg_semver;

/* Parse MAJOR.MINOR.PATCH[-pre][+build]; pre is copied into a. 0 or -1. */
int hg_semver_parse(hg_semver *out, hg_arena *a, const char *s);
/* <0, 0, >0 by semver precedence (build metadata ignored). */
int hg_semver_cmp(const hg_semver *x, const hg_semver *y);

typedef struct hg_range hg_range;

/* Parse a range into *out (arena-owned). 0 or -1. */
int hg_range_parse(hg_range **out, hg_arena *a, const char *s);
bool hg_range_match(const hg_range *r, const hg_semver *v);

#ifdef __cplusplus
}
#endif
#endif
