/*
 * lang.c: message language selection.
 * Part of hinagata; see LICENSE.
 */
#include "lang.h"

#include <stdlib.h>
#include <string.h>

hg_lang hg_lang_from_env(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncmp(v, "ja", 2) == 0 ? HG_LANG_JA : HG_LANG_EN;
	}
	return HG_LANG_EN;
}

int hg_lang_parse(hg_lang *out, const char *s)
{
	if (strcmp(s, "en") == 0)
		*out = HG_LANG_EN;
	else if (strcmp(s, "ja") == 0)
		*out = HG_LANG_JA;
	else
		return -1;
	return 0;
}
