/*
 * emit_cfn.h: CloudFormation JSON from a lowered hg_ir.
 * Part of hinagata; see LICENSE.
 */
#ifndef HG_EMIT_CFN_H
#define HG_EMIT_CFN_H

#include "../common/buf.h"
#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Write the template for ir into out: 2-space indented JSON, keys in a
 * fixed order, parameters/conditions/resources/outputs sorted by logical
 * ID, UTF-8 without escapes, trailing newline. CloudFormation limits are
 * checked (errors and warnings in d). Returns 0 or HG_EINVALID.
 */
int hg_emit_cfn(hg_buf *out, const hg_ir *ir, hg_diags *d);

#ifdef __cplusplus
}
#endif
#endif
