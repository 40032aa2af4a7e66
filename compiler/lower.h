/*
 * lower.h: target-neutral lowering of a resolved hg_ir.
 * Part of hinagata; see LICENSE.
 */
#ifndef HG_LOWER_H
#define HG_LOWER_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Prepare ir for the emitters, in place:
 *  - every condition (resource `when`, the test of each `? :`, a boolean
 *    used as a value) becomes a named hg_ir_cond, equal ones shared;
 *  - resources whose condition is always false are dropped, and a
 *    reference to one of them is an error;
 *  - logical IDs are checked for collisions and length;
 *  - reference cycles, redundant depends_on, unguarded references to
 *    conditional resources and secrets in outputs are reported.
 * Returns 0 or HG_EINVALID (diagnostics in d).
 */
int hg_lower(hg_ir *ir, hg_diags *d);

/* Call fn for every expression node reachable from v (pre-order). */
typedef void (*hg_expr_visit)(hg_expr *e, void *payload);
void hg_value_visit(hg_value *v, hg_expr_visit fn, void *payload);
void hg_expr_walk(hg_expr *e, hg_expr_visit fn, void *payload);

#ifdef __cplusplus
}
#endif
#endif
