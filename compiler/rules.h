/*
 * rules.h: the control rules of a profile, evaluated on resources.
 * Part of hinagata; see LICENSE.
 *
 * A rule is data (hg_rule, read from a profile document): which resource
 * types it applies to, which nodes of a resource it selects, and one check
 * (forbidden, required, allowed, equals). One engine evaluates them all; a
 * violation is diagnostic HG3100 naming the control.
 */
#ifndef HG_RULES_H
#define HG_RULES_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Check every resource of ir (nested deployments included) against the
 * rules. Values known only at deploy time are judged where they can be
 * (a parameter with allowed values: each of them) and otherwise left to
 * the cloud's own policies. Returns 0 or HG_EINVALID (diagnostics in d).
 */
int hg_rules_check(const hg_rule *rules, size_t nrules, const hg_ir *ir, const hg_template *catalog,
        hg_diags *d);

/* Does resource type `type` match pattern ("*", "Prefix*", exact)? */
bool hg_rule_type_matches(const char *pattern, const char *type);

#ifdef __cplusplus
}
#endif
#endif
