/*
 * rules.h: the control rules of a profile, evaluated on resources.
 * Part of hinagata; see LICENSE.
 *
 * A rule is data (hg_rule, read from a profile document): which resource
 * types it applies to, which nodes of a resource it selects, and one check
 * (forbidden, required, absent, allowed, equals, at_least, ports_closed,
 * contains, referenced_by, not_targeting, shadowing). One engine evaluates
 * them all; a violation is diagnostic HG3100 naming the control, and one
 * that only some parameter values or one branch of a condition lead to is
 * warning HG3101.
 */
#ifndef HG_RULES_H
#define HG_RULES_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * How values known only at deploy time are judged.
 *
 * deploy_view false (compile): a deploy-time parameter is not known, except
 * that every value it allows must pass (an allowed value that fails is an
 * error); each branch of a condition that fails is a warning.
 *
 * deploy_view true (hand-written templates, hinagata check): a template is
 * judged as it deploys with its parameters' defaults and the conditions
 * those give (errors); another allowed value, a value a parameter without
 * allowed values (or pattern) would accept, the other branch of a condition
 * and a resource whose condition is false by default are warnings naming the
 * parameter or condition. A parameter without a default is not known.
 */
typedef struct hg_rules_options {
	unsigned version;
	bool deploy_view;
	/* the values hold no parameter, condition or choice (drift's deployed
	 * and template values, converted): no scenario to look for in them */
	bool plain_values;
} hg_rules_options;

#define HG_RULES_OPTIONS_VERSION 1
#define HG_RULES_OPTIONS_INIT                                                                      \
	{                                                                                          \
		HG_RULES_OPTIONS_VERSION, false, false                                             \
	}

/*
 * Check every resource of ir (nested deployments included) against the
 * rules. opts may be NULL (HG_RULES_OPTIONS_INIT). Values computed at
 * deploy time from resources or functions are left to the cloud's own
 * policies. Returns 0 or HG_EINVALID (errors in d; warnings do not count).
 */
int hg_rules_check_opts(const hg_rule *rules, size_t nrules, const hg_ir *ir,
        const hg_template *catalog, const hg_rules_options *opts, hg_diags *d);

/* hg_rules_check_opts with HG_RULES_OPTIONS_INIT (compile's view). */
int hg_rules_check(const hg_rule *rules, size_t nrules, const hg_ir *ir, const hg_template *catalog,
        hg_diags *d);

/* Does resource type `type` match pattern ("*", "Prefix*", exact)? */
bool hg_rule_type_matches(const char *pattern, const char *type);

#ifdef __cplusplus
}
#endif
#endif
