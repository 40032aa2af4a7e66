/*
 * test_registry.c: the search path: version selection and shadowing.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "compiler/registry.h"

static char dir[64];

static void put(const char *rel, const char *name, const char *version)
{
	char path[256], text[256];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(text, sizeof(text), "hinagata: 1\ntemplate: %s\nversion: %s\ntarget: aws\n", name,
	        version);
	cr_assert_eq(hg_fs_write_atomic(path, text, strlen(text)), 0);
}

static void setup(void)
{
	strcpy(dir, "/tmp/hg-reg-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	put("one/lib-1.0.0.yaml", "t/lib", "1.0.0");
	put("one/lib-1.4.2.yaml", "t/lib", "1.4.2");
	put("one/lib-2.0.0.yaml", "t/lib", "2.0.0");
	put("one/lib-2.1.0-rc.1.yml", "t/lib", "2.1.0-rc.1");
	put("one/notes.txt", "t/ignored", "9.9.9");
	put("one/broken.yaml", "t/lib", "not-a-version");
	put("two/lib.yaml", "t/lib", "1.4.2");
	put("one/node_modules/pkg/lib.yaml", "t/lib", "3.0.0"); /* npm's, never searched */
	put("one/.hidden/lib.yaml", "t/lib", "3.0.1");
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(registry, .init = setup, .fini = teardown);

static const char *find(hg_registry *r, hg_diags *d, hg_arena *a, const char *range)
{
	const hg_template *t;
	hg_range *rg = NULL;
	if (range)
		cr_assert_eq(hg_range_parse(&rg, a, range), 0);
	if (hg_registry_find(&t, r, d, HG_DOC_TEMPLATE, "t/lib", rg, range, NULL) < 0)
		return NULL;
	return t->version_text;
}

Test(registry, picks_the_highest_matching_release)
{
	hg_arena *a = hg_arena_new();
	hg_diags d = HG_DIAGS_INIT;
	char p1[128], p2[128];
	hg_search_dir dirs[2];
	hg_registry *r;
	memset(dirs, 0, sizeof(dirs));
	snprintf(p1, sizeof(p1), "%s/one", dir);
	snprintf(p2, sizeof(p2), "%s/two", dir);
	dirs[0].path = p2; /* earlier directories win for the same version */
	dirs[0].display = "<two>";
	dirs[1].path = p1;
	dirs[1].display = NULL;
	r = hg_registry_new(a, dirs, 2);
	cr_assert_str_eq(find(r, &d, a, NULL), "2.0.0");
	cr_assert_str_eq(find(r, &d, a, "^1.0"), "1.4.2");
	cr_assert_str_eq(find(r, &d, a, "~1.0"), "1.0.0");
	cr_assert_str_eq(find(r, &d, a, "^2.1.0-rc.0"), "2.1.0-rc.1");
	cr_assert_null(find(r, &d, a, "^3"));
	cr_assert_eq(d.items[0]->code, HG_D_NO_VERSION_MATCH);
	cr_assert_str_eq(d.items[0]->args[2], "1.4.2, 1.0.0, 2.0.0, 2.1.0-rc.1");
	/* The unreadable file is counted in a note, and its first problem shown. */
	cr_assert_eq(d.items[0]->nnotes, 2);
	cr_assert_str_eq(d.items[0]->notes[0].args[0], "1");
	cr_assert_eq(d.items[0]->notes[1].code, HG_D_N_SKIPPED_FIRST);
	cr_assert_neq(d.items[0]->notes[1].span.line, 0);
	{
		/* The shadowing copy of 1.4.2 is the one from "two", shown as <two>/... */
		const hg_template *t;
		hg_range *rg;
		hg_range_parse(&rg, a, "1.4.2");
		cr_assert_eq(
		        hg_registry_find(&t, r, &d, HG_DOC_TEMPLATE, "t/lib", rg, "1.4.2", NULL),
		        0);
		cr_assert_str_eq(t->file, "<two>/lib.yaml");
	}
	hg_registry_free(r);
	hg_diags_dispose(&d);
	hg_arena_dispose(a);
}

/* Excluded paths (a directory, a pattern) are not on the search path. */
Test(registry, skips_excluded_paths)
{
	static const char *const exclude[] = {"one/lib-2*", "./one/lib-1.4.2.yaml", "two/"};
	hg_arena *a = hg_arena_new();
	hg_diags d = HG_DIAGS_INIT;
	hg_search_dir dirs[1];
	hg_registry *r;

	memset(dirs, 0, sizeof(dirs));
	dirs[0].path = dir;
	dirs[0].exclude = exclude;
	dirs[0].nexclude = 3;
	r = hg_registry_new(a, dirs, 1);
	cr_assert_str_eq(find(r, &d, a, NULL), "1.0.0");
	hg_registry_free(r);
	hg_diags_dispose(&d);
	hg_arena_dispose(a);
}

Test(registry, path_excluded)
{
	static const char *const g[] = {"tests/golden", "*.tmp.yaml", "lib/*/old"};
	cr_assert(hg_path_excluded("tests/golden", g, 3));
	cr_assert(hg_path_excluded("./tests/golden/a/input.yaml", g, 3));
	cr_assert_not(hg_path_excluded("tests/goldenrod/x.yaml", g, 3));
	cr_assert(hg_path_excluded("a/b/c.tmp.yaml", g, 3)); /* '*' matches '/' too */
	cr_assert(hg_path_excluded("lib/x/y/old", g, 3));
	cr_assert_not(hg_path_excluded("templates/aws/audit-trail.yaml", g, 3));
}
