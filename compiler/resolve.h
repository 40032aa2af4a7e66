/*
 * resolve.h: instantiate a root template and its uses into an hg_ir.
 * Part of hinagata; see LICENSE.
 */
#ifndef HG_RESOLVE_H
#define HG_RESOLVE_H

#include "ir.h"
#include "registry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_resolve_options {
	unsigned version;
	hg_registry *registry;      /* borrowed; finds used templates and profiles */
	const hg_binding *bindings; /* compile-time values of the root's parameters */
	size_t nbindings;
} hg_resolve_options;

#define HG_RESOLVE_OPTIONS_VERSION 1
#define HG_RESOLVE_OPTIONS_INIT                                                                    \
	{                                                                                          \
		HG_RESOLVE_OPTIONS_VERSION, NULL, NULL, 0                                          \
	}

/*
 * Resolve root (and, through the registry, every template it uses) into
 * *out (arena a). Parameters are bound (compile-time values are checked
 * against their constraints and folded in), names are resolved, overrides
 * merged and locks checked, profiles enforced. Returns 0, or HG_EINVALID
 * with diagnostics in d (*out is then still set, for inspection).
 */
int hg_resolve(hg_ir **out, hg_arena *a, hg_diags *d, const hg_template *root,
        const hg_resolve_options *opts);

#ifdef __cplusplus
}
#endif
#endif
