/*
 * lang.h: the message language (English or Japanese) of a run.
 * Part of hinagata; see LICENSE.
 */
#ifndef HG_LANG_H
#define HG_LANG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hg_lang { HG_LANG_EN = 0, HG_LANG_JA = 1 } hg_lang;

/*
 * The language from the locale variables, in POSIX precedence: the first
 * non-empty of LC_ALL, LC_MESSAGES, LANG; "ja..." means Japanese, anything
 * else English.
 */
hg_lang hg_lang_from_env(void);

/* Parse "ja" or "en" (as given to --lang); returns 0, or -1 if neither. */
int hg_lang_parse(hg_lang *out, const char *s);

/* Pick the message for the language: en or ja. */
#define HG_L(lang, en, ja) ((lang) == HG_LANG_JA ? (ja) : (en))

#ifdef __cplusplus
}
#endif
#endif
