/*
 * fuzz_cache.c: libFuzzer target for the drift cache (--cache FILE), a
 * file a user names and anything can have damaged: the input is the lines
 * of a cache after a header of this version and rules (written by the
 * harness, so that the lines are read at all). In the input, "@B" stands
 * for the key of the block the harness asks for and "@P" for the path of a
 * real file whose identity it asks for. Every kind of entry is looked up
 * and decoded: the export file "F" (size 0, hash 0), merged into a unit
 * whose records are then looked up; the template of hash 0; the block,
 * whole and then counts only (the second reader copies what the first cut
 * in place); the identity of @P; then the cache is saved again. A damaged
 * line must be ignored, never trusted, never a crash.
 * Part of hinagata; see LICENSE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/fs.h"
#include "drift/cache.h"
#include "drift/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FINGERPRINT 0x5eedULL

static char dir[64], cache_path[96], file_path[96];
static char header[256], block_key[17];
static bool ready;

static void cleanup(void)
{
	hg_fs_remove_tree(dir);
}

/* The header and a block's key as this version writes them: from a cache it saves. */
static void setup(void)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_tmpl t;
	hg_block b;
	hg_cache *c;
	hg_buf text = HG_BUF_INIT;
	size_t n = 0;
	const char *nl, *bl;

	snprintf(dir, sizeof(dir), "/tmp/hg-fuzz-cache.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(cache_path, sizeof(cache_path), "%s/cache", dir);
	snprintf(file_path, sizeof(file_path), "%s/file.json", dir);
	if (hg_fs_write_atomic(file_path, "{}", 2) < 0)
		abort();
	memset(&t, 0, sizeof(t));
	memset(&b, 0, sizeof(b));
	b.a = hg_arena_new();
	c = hg_cache_open(cache_path, FINGERPRINT, &d);
	hg_cache_template_note(c, &t);
	hg_cache_note(c, &b, &t, NULL, NULL);
	if (hg_cache_save(c, &d) < 0 || hg_fs_read(&text, cache_path, 1u << 20, &n) < 0)
		abort();
	hg_cache_free(c);
	hg_arena_dispose(b.a);
	nl = strchr(text.ptr, '\n');
	bl = strstr(text.ptr, "\nb ");
	if (!nl || (size_t)(nl + 1 - text.ptr) >= sizeof(header) || !bl || strlen(bl) < 3 + 16)
		abort();
	memcpy(header, text.ptr, (size_t)(nl + 1 - text.ptr));
	memcpy(block_key, bl + 3, 16);
	hg_buf_dispose(&text);
	hg_diags_dispose(&d);
	ready = true;
}

/* The input with @B and @P put in. */
static void expand(hg_buf *out, const uint8_t *data, size_t size)
{
	size_t i;
	hg_buf_puts(out, header);
	for (i = 0; i < size; i++) {
		if (data[i] == '@' && i + 1 < size && (data[i + 1] == 'B' || data[i + 1] == 'P')) {
			hg_buf_puts(out, data[i + 1] == 'B' ? block_key : file_path);
			i++;
		} else
			hg_buf_putc(out, (char)data[i]);
	}
}

static void use_unit(hg_state_file *f, hg_diags *d)
{
	hg_state_spec spec;
	hg_state_file *files[1] = {f};
	char fname[] = "F";
	char *paths[1] = {fname};
	hg_unit u;
	size_t i, k;

	spec.name = dir;
	spec.paths = paths;
	spec.npaths = 1;
	spec.loose = true;
	memset(&u, 0, sizeof(u));
	(void)hg_state_merge(&u, &spec, files, NULL, d);
	for (i = 0; i < u.nrecs; i++)
		(void)hg_unit_find(&u, u.recs[i].type, u.recs[i].identity);
	for (i = 0; i < u.nstacks; i++)
		for (k = 0; k < u.stacks[i].nres; k++)
			(void)hg_stack_find(&u.stacks[i], u.stacks[i].res[k].logical);
	hg_unit_dispose(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_buf text = HG_BUF_INIT;
	hg_cache *c;
	hg_state_file *f;
	hg_tmpl t;
	hg_block b;
	uint64_t fsize, fhash;
	int pass;

	if (!ready)
		setup();
	expand(&text, data, size);
	if (hg_fs_write_atomic(cache_path, text.ptr, text.size) < 0)
		abort();
	hg_buf_dispose(&text);
	c = hg_cache_open(cache_path, FINGERPRINT, &d);
	if ((f = hg_cache_file(c, "F", 0, 0)) != NULL)
		use_unit(f, &d);
	memset(&t, 0, sizeof(t));
	t.a = hg_arena_new();
	(void)hg_cache_template(c, &t, t.a);
	for (pass = 0; pass < 2; pass++) {
		memset(&b, 0, sizeof(b));
		b.a = hg_arena_new();
		(void)hg_cache_block(c, &b, &t, NULL, NULL, pass == 1);
		hg_arena_dispose(b.a);
	}
	(void)hg_cache_identity(c, file_path, &fsize, &fhash);
	hg_cache_identity_note(c, file_path, 2, 1);
	(void)hg_cache_save(c, &d);
	hg_cache_free(c);
	hg_arena_dispose(t.a);
	hg_diags_dispose(&d);
	return 0;
}
