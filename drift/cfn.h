/*
 * cfn.h: a CloudFormation template as desired state: its intrinsic
 * functions resolved against what is deployed.
 * Part of hinagata; see LICENSE.
 *
 * The resolver (resolve_cfn.c) gives the context: the stack's deployed
 * parameters, pseudo parameters, and callbacks for physical IDs and
 * attributes of deployed resources. What cannot be resolved
 * (Fn::GetAZs, Fn::ImportValue, a NoEcho parameter, an attribute the
 * export lacks) makes the value unresolvable: the caller reports the
 * property NOT_CHECKED with the reason, never as drift.
 *
 * Ownership: values are hg_jv in the context's arena; a resolved value
 * may be (part of) the template's own value when nothing in it needed
 * resolving, so results are never modified in place.
 */
#ifndef HG_CFN_H
#define HG_CFN_H

#include <stdbool.h>
#include <stdint.h>

#include "jv.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_cfn_ctx {
	hg_arena *a;          /* results and reasons */
	const hg_jv *doc;     /* the template (borrowed) */
	const hg_jv *params;  /* name -> deployed value (object, borrowed); NULL: none known */
	const char *account, *region, *partition, *stack_name, *stack_id; /* NULL: unknown */
	/* The physical ID of a resource (Ref), or NULL. */
	const char *(*physical)(void *payload, const char *logical);
	/* An attribute of a deployed resource (in the context's arena), or NULL. */
	const hg_jv *(*attribute)(void *payload, const char *logical, const char *attr);
	void *payload;
	/* out */
	const char *why; /* the first reason a value was unresolvable (HG_BI, arena) */
	/* internal */
	const hg_jv *decl, *resources, *conditions, *mappings;
	uint32_t *rindex; /* Resources by name (built on the first Ref): index + 1 */
	size_t rcap;
	struct {
		const char *name;
		int value;
	} conds[64];
	unsigned nconds;
} hg_cfn_ctx;

/* Set up c for doc, with results in a. */
void hg_cfn_ctx_init(hg_cfn_ctx *c, hg_arena *a, const hg_jv *doc);

/*
 * The value of v with every intrinsic function resolved, members and items
 * that resolve to AWS::NoValue removed. NULL when some part cannot be
 * resolved (c->why says why, the first time).
 */
const hg_jv *hg_cfn_resolve(hg_cfn_ctx *c, const hg_jv *v);

/* Is the value AWS::NoValue (a whole property that is to be left out)? */
bool hg_cfn_is_novalue(const hg_jv *v);

/* The truth of a named condition: 1, 0, or -1 when it cannot be decided. */
int hg_cfn_condition(hg_cfn_ctx *c, const char *name);

/* A single-key object whose key is an intrinsic function: its name (and *arg), else NULL. */
const char *hg_cfn_intrinsic(const hg_jv *v, const hg_jv **arg);

#ifdef __cplusplus
}
#endif
#endif
