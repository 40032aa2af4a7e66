/*
 * secret.h: secrets found by their shape, so that no report or diagnostic
 * prints one. Part of hinagata; see LICENSE.
 *
 * Masking by name (a property called Password) is the drift rules' job
 * (schemas/drift/rules.json); this finds what a name does not announce: an
 * AWS key pair in a tag, a connection string with Password=, a URL with a
 * password, a private key block, a JWT (the shapes are listed in
 * secret.def). Masking only changes what is shown: comparisons use the real
 * values (their hashes), so drift in a masked value is still found.
 */
#ifndef HG_SECRET_H
#define HG_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The text that stands for a masked value. */
#define HG_SECRET_MASK "****"

/* Whether s[0..n) holds a secret of any shape of secret.def. */
bool hg_secret_in(const char *s, size_t n);

/*
 * Append s[0..n) to out with each secret replaced by HG_SECRET_MASK: a
 * whole key, token or key block; only the value of a connection string's
 * field or of a URL's password (Password=****, https://u:****@host), so the
 * reader still sees what was there. Returns how many were masked.
 * Deterministic; text without a secret is copied unchanged.
 */
size_t hg_secret_mask(hg_buf *out, const char *s, size_t n);

/*
 * The same, but every character of a secret becomes one '*', so that the
 * text keeps its columns (a source excerpt with a caret under it).
 */
size_t hg_secret_mask_chars(hg_buf *out, const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
