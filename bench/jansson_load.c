/*
 * jansson_load.c: the drift benchmark's baseline: a plain jansson
 * full-DOM load of each file named (json_load_file, then free), which is
 * what reading an export costs without streaming. Prints the bytes read.
 * Part of hinagata; see LICENSE.
 */
#include <jansson.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	long long bytes = 0;
	int i;

	for (i = 1; i < argc; i++) {
		json_error_t err;
		json_t *doc = json_load_file(argv[i], 0, &err);
		FILE *f;
		if (!doc) {
			fprintf(stderr, "%s:%d: %s\n", argv[i], err.line, err.text);
			return 2;
		}
		json_decref(doc);
		f = fopen(argv[i], "rb");
		if (f && fseek(f, 0, SEEK_END) == 0)
			bytes += ftell(f);
		if (f)
			fclose(f);
	}
	printf("%lld\n", bytes);
	return 0;
}
