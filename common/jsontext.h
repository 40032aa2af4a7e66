/*
 * jsontext.h: writing JSON text by hand, for canonical forms.
 * Part of hinagata; see LICENSE.
 *
 * The canonical JSON text used for hashing is specified here, not left to a
 * serializer: strings are UTF-8 (no \u escapes above U+001F), with \" \\
 * \b \f \n \r \t and \u00XX for the other control characters; integers in
 * decimal; reals with %.17g unless integral; no whitespace.
 */
#ifndef HG_JSONTEXT_H
#define HG_JSONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Append s[0..len) as a JSON string literal (with quotes). */
void hg_json_string(hg_buf *out, const char *s, size_t len);
/* Append a real number in the canonical form. */
void hg_json_real(hg_buf *out, double v);

#ifdef __cplusplus
}
#endif
#endif
