/*
 * arm.h: an ARM template as desired state: template expressions ("[...]")
 * evaluated against what is deployed.
 * Part of hinagata; see LICENSE.
 *
 * Supported: parameters, variables, concat, format, resourceId,
 * subscriptionResourceId, extensionResourceId, subscription(),
 * resourceGroup(), toLower, toUpper, if, equals, not, and, or, empty,
 * length, string, int, bool, add, sub, mul, div, mod, createArray,
 * createObject, contains, replace, json, coalesce, copyIndex, and property
 * access. Copy loops of properties and variables ("copy": [{name, count,
 * input}]) are expanded; a resource's own loop is expanded by the caller
 * with hg_arm_copy_count and hg_arm_loop_push. reference() of a nested
 * deployment of the template is its outputs, evaluated from the nested
 * template (the caller's reference hook). Other reference()s, list*(),
 * uniqueString(), guid(), utcNow() and the like depend on the cloud's
 * state or the moment of deployment: a value using them is unresolvable
 * (NOT_CHECKED).
 *
 * Ownership: values are hg_jv in the context's arena; a value with no
 * expression in it is returned as it is (borrowed from the template).
 */
#ifndef HG_ARM_H
#define HG_ARM_H

#include <stdbool.h>

#include "jv.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_arm_ctx hg_arm_ctx;

/*
 * reference(id) of what the template itself deploys ({"outputs": {...}}
 * for a nested deployment), or NULL: not one (c->why unset) or not
 * resolvable (c->why set).
 */
typedef const struct hg_jv *(*hg_arm_reference_fn)(hg_arm_ctx *c, const char *id, void *payload);

struct hg_arm_ctx {
	hg_arena *a;        /* results and reasons */
	const hg_jv *doc;   /* the template (borrowed): parameters, variables */
	const hg_jv *params; /* name -> deployed value (object, borrowed), or NULL: none known */
	const char *subscription;   /* subscription ID, or NULL */
	const char *resource_group; /* resource group name, or NULL (subscription scope) */
	const char *rg_location;    /* the resource group's location, or NULL */
	const char *why;            /* out: the first reason something was unresolvable (HG_BI, arena) */
	int depth;                  /* internal: variables referring to variables */
	struct hg_arm_loop {
		const char *name; /* borrowed */
		long index;
	} loops[8]; /* the copy loops being expanded, innermost last (copyIndex) */
	int nloops;
	long iterations; /* internal: copy iterations so far, bounded (HG_ARM_MAX_ITERATIONS) */
	hg_arm_reference_fn reference; /* NULL: reference() is never resolved */
	void *ref_payload;
};

/* Copy iterations one context may expand (nested loops multiply). */
#define HG_ARM_MAX_ITERATIONS 100000

/* The iteration count of a copy loop ({name, count}), or -1 (c->why says why). */
long hg_arm_copy_count(hg_arm_ctx *c, const hg_jv *copy);

/* Enter copy loop name at index 0 (set loops[nloops - 1].index to move on);
 * false (c->why says why) when loops nest too deep. */
bool hg_arm_loop_push(hg_arm_ctx *c, const char *name);
void hg_arm_loop_pop(hg_arm_ctx *c);

/* v with every expression evaluated, or NULL (c->why says why). */
const hg_jv *hg_arm_resolve(hg_arm_ctx *c, const hg_jv *v);

/* The resource ID of a resource of the template's scope (arena), or NULL (c->why). */
const char *hg_arm_resource_id(hg_arm_ctx *c, const char *type, const char *name);

#ifdef __cplusplus
}
#endif
#endif
