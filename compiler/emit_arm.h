/*
 * emit_arm.h: ARM template JSON (what `bicep build` writes) from a lowered hg_ir.
 * Part of hinagata; see LICENSE.
 */
#ifndef HG_EMIT_ARM_H
#define HG_EMIT_ARM_H

#include "../common/buf.h"
#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Write the ARM template for ir (and, inline, the templates of its nested
 * deployments) into out: 2-space indented JSON, keys in Bicep's order,
 * resources sorted by logical ID, trailing newline. ARM limits are
 * checked. Returns 0 or HG_EINVALID (diagnostics in d).
 */
int hg_emit_arm(hg_buf *out, const hg_ir *ir, hg_diags *d);

#ifdef __cplusplus
}
#endif
#endif
