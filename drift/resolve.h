/*
 * resolve.h: one template in one unit's context -> its desired resources
 * (model.h). resolve_cfn.c for CloudFormation, resolve_arm.c for ARM.
 * Part of hinagata; see LICENSE.
 *
 * A resolver decides what it can about each resource without reading its
 * record (not in the stack: DELETED; no export of its type: NOT_CHECKED;
 * a condition that is false: not expected at all) and otherwise gives the
 * properties to compare, resolved against the deployed context, with a
 * note for each property it cannot resolve. It reads records only for
 * what the template asks of them (Fn::GetAtt).
 */
#ifndef HG_DRIFT_RESOLVE_H
#define HG_DRIFT_RESOLVE_H

#include "canon.h"
#include "desired.h"
#include "model.h"
#include "readback.h"
#include "state.h"

typedef struct hg_resolve_ctx {
	hg_arena *a;         /* the work item's arena: desired resources and values */
	const hg_tmpl *t;
	const hg_jv *doc;    /* the parsed template */
	hg_unit *u;          /* NULL: the template matched no unit */
	hg_stack *stack;     /* its stack or deployment in u, or NULL */
	hg_canon *canon;     /* schema facts (write-only properties, sidecars) */
	hg_fdcache *fc;      /* records read for attributes */
	hg_diags *d;
	int rc;              /* out: HG_EIO / HG_EINVALID when a record could not be read */
} hg_resolve_ctx;

/*
 * What the template says about a resource (Metadata.hinagata, metadata.hinagata
 * in ARM: template, version, mandatory, controls, locked), into r; doc_meta is
 * the template's own, whose first template names resources without theirs.
 */
void hg_resolve_describe(hg_dres *r, hg_arena *a, const hg_jv *doc_meta, const hg_jv *res_meta);

/* The desired resources of a CloudFormation template, sorted by logical ID. */
int hg_resolve_cfn(hg_dset *out, hg_resolve_ctx *c);
/* The desired resources of an ARM template, in template order (copies by index). */
int hg_resolve_arm(hg_dset *out, hg_resolve_ctx *c);

#endif
