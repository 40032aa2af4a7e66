/*
 * test_gitsrc.c: reading a revision with libgit2, as a hostile commit
 * would have it: tree entries named "../..", "..", ".git", twice, nested
 * past any sane depth or repeated into millions of paths; symbolic links;
 * a blob past the size limit. The trees are written as raw objects (what
 * anyone can push), since libgit2's tree builder refuses such names.
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "drift/gitsrc.h"

static char top[64];
static char repo_dir[128], out_dir[128];
static git_repository *repo;

static void setup(void)
{
	strcpy(top, "/tmp/hg-git-XXXXXX");
	cr_assert_not_null(mkdtemp(top));
	snprintf(repo_dir, sizeof(repo_dir), "%s/repo", top);
	snprintf(out_dir, sizeof(out_dir), "%s/a/b/out", top); /* "../.." of it is still in top */
	cr_assert_eq(hg_fs_mkdirs(out_dir), 0);
	git_libgit2_init();
	cr_assert_eq(git_repository_init(&repo, repo_dir, 0), 0);
}

static void teardown(void)
{
	git_repository_free(repo);
	git_libgit2_shutdown();
	hg_fs_remove_tree(top);
}

TestSuite(gitsrc, .init = setup, .fini = teardown);

static git_oid blob(const char *text, size_t len)
{
	git_oid id;
	cr_assert_eq(git_blob_create_from_buffer(&id, repo, text, len), 0);
	return id;
}

struct entry {
	const char *mode;
	const char *name;
	git_oid id;
};

/* A tree object written as bytes: "<mode> <name>\0<20-byte id>" per entry, in the given order. */
static git_oid raw_tree(const struct entry *e, size_t n)
{
	git_odb *odb;
	git_oid id;
	char buf[65536];
	size_t len = 0, i;

	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(
		               buf + len, sizeof(buf) - len, "%s %s", e[i].mode, e[i].name) +
		       1;
		memcpy(buf + len, e[i].id.id, GIT_OID_RAWSZ);
		len += GIT_OID_RAWSZ;
	}
	cr_assert_eq(git_repository_odb(&odb, repo), 0);
	cr_assert_eq(git_odb_write(&id, odb, buf, len, GIT_OBJECT_TREE), 0);
	git_odb_free(odb);
	return id;
}

/* Commit tree as refs/heads/main. */
static void commit(git_oid tree_id)
{
	git_signature *sig;
	git_tree *tree;
	git_reference *ref;
	git_oid id;
	cr_assert_eq(git_signature_new(&sig, "t", "t@example.com", 1764979200, 540), 0);
	cr_assert_eq(git_tree_lookup(&tree, repo, &tree_id), 0);
	cr_assert_eq(git_commit_create_v(&id, repo, NULL, sig, sig, NULL, "crafted", tree, 0), 0);
	cr_assert_eq(git_reference_create(&ref, repo, "refs/heads/main", &id, 1, "test"), 0);
	git_reference_free(ref);
	git_tree_free(tree);
	git_signature_free(sig);
}

static const char *TEMPLATE = "hinagata: 1\ntemplate: t/x\nversion: 1.0.0\nresources: {}\n";

static int export(hg_diags *d)
{
	return hg_git_export_templates(repo_dir, "main", out_dir, d);
}

static void assert_diag(const hg_diags *d, hg_diag_code code, const char *arg0)
{
	int exit_code = hg_diag_info_of(code)->env ? 2 : 1;
	cr_assert_eq(d->n, 1, "diagnostics: %zu", d->n);
	cr_assert_eq(d->items[0]->code, code);
	if (arg0)
		cr_assert_str_eq(d->items[0]->args[0], arg0);
	cr_assert_eq(hg_diags_exit_code(d), exit_code);
}

static bool exists(const char *rel)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	return access(p, F_OK) == 0;
}

/* The reported attack: an entry named ../../../escape.yaml was written wherever it pointed. */
Test(gitsrc, an_entry_that_climbs_out_is_refused)
{
	hg_diags d = HG_DIAGS_INIT;
	struct entry e[2];
	e[0] = (struct entry){"100644", "../../escape.yaml", blob("pwned\n", 6)};
	e[1] = (struct entry){"100644", "ok.yaml", blob(TEMPLATE, strlen(TEMPLATE))};
	commit(raw_tree(e, 2));
	cr_assert_eq(export(&d), HG_EINVALID);
	assert_diag(&d, HG_D_GIT_UNSAFE_PATH, "../../escape.yaml");
	cr_assert_eq(strncmp(d.items[0]->args[2], repo_dir, strlen(repo_dir)), 0);
	cr_assert_str_eq(d.items[0]->args[2] + strlen(repo_dir), "@main");
	cr_assert(!exists("a/escape.yaml") && !exists("escape.yaml"));
	hg_diags_dispose(&d);
}

/* A subtree named ".." (git fsck's "hasDotdot"). */
Test(gitsrc, a_dotdot_tree_is_refused)
{
	hg_diags d = HG_DIAGS_INIT;
	struct entry in = {"100644", "escape.yaml", blob("pwned\n", 6)};
	struct entry up = {"40000", "..", raw_tree(&in, 1)};
	struct entry top_entry = {"40000", "..", raw_tree(&up, 1)};
	commit(raw_tree(&top_entry, 1));
	cr_assert_eq(export(&d), HG_EINVALID);
	assert_diag(&d, HG_D_GIT_UNSAFE_PATH, "..");
	cr_assert(!exists("a/escape.yaml") && !exists("a/b/escape.yaml"));
	hg_diags_dispose(&d);
}

/* git's own directory, in the spellings git's checkout refuses. */
Test(gitsrc, git_directories_are_refused)
{
	static const char *const names[] = {".git", ".GIT", ".Git. .", "git~1", "GIT~1"};
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		hg_diags d = HG_DIAGS_INIT;
		struct entry hook = {"100644", "config.yaml", blob("x: 1\n", 5)};
		struct entry dir = {"40000", names[i], raw_tree(&hook, 1)};
		commit(raw_tree(&dir, 1));
		cr_assert_eq(export(&d), HG_EINVALID, "%s", names[i]);
		assert_diag(&d, HG_D_GIT_UNSAFE_PATH, names[i]);
		hg_diags_dispose(&d);
	}
}

/* A name that occurs twice would overwrite the first file: refused, not last-one-wins. */
Test(gitsrc, a_name_twice_is_refused)
{
	hg_diags d = HG_DIAGS_INIT;
	struct entry e[2];
	e[0] = (struct entry){"100644", "t.yaml", blob(TEMPLATE, strlen(TEMPLATE))};
	e[1] = (struct entry){"100644", "t.yaml", blob("evil: 1\n", 8)};
	commit(raw_tree(e, 2));
	cr_assert_eq(export(&d), HG_EINVALID);
	assert_diag(&d, HG_D_GIT_UNSAFE_PATH, "t.yaml");
	hg_diags_dispose(&d);
}

/* Symbolic links are neither written nor followed; regular templates are written with their paths.
 */
Test(gitsrc, symlinks_are_not_written_and_templates_are)
{
	hg_diags d = HG_DIAGS_INIT;
	struct entry sub = {"100644", "lib.yaml", blob(TEMPLATE, strlen(TEMPLATE))};
	struct entry e[3];
	char p[256];
	struct stat st;
	e[0] = (struct entry){"120000", "link.yaml", blob("/etc/passwd", 11)};
	e[1] = (struct entry){"40000", "lib", raw_tree(&sub, 1)};
	e[2] = (struct entry){"100644", "t.yaml", blob(TEMPLATE, strlen(TEMPLATE))};
	commit(raw_tree(e, 3));
	cr_assert_eq(export(&d), 0);
	cr_assert_eq(d.n, 0);
	snprintf(p, sizeof(p), "%s/link.yaml", out_dir);
	cr_assert_eq(lstat(p, &st), -1);
	snprintf(p, sizeof(p), "%s/lib/lib.yaml", out_dir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_size, (off_t)strlen(TEMPLATE));
	cr_assert_eq(st.st_mode & 0777, 0600); /* private: the directory is the caller's */
	hg_diags_dispose(&d);
}

/*
 * A blob past the limit is never loaded: at a ref it is refused with the
 * message of a file on disk (HG0011); in an export it is a sparse file of
 * its size, which the compiler refuses the same way.
 */
Test(gitsrc, a_blob_past_the_limit_is_not_read)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_buf text = HG_BUF_INIT;
	size_t size = (size_t)HG_FS_MAX_INPUT + 1;
	char *big = calloc(1, size), p[256];
	struct entry e[2];
	struct stat st;
	cr_assert_not_null(big);
	memset(big, '#', size);
	e[0] = (struct entry){"100644", "big.yaml", blob(big, size)};
	e[1] = (struct entry){"100644", "t.yaml", blob(TEMPLATE, strlen(TEMPLATE))};
	free(big);
	commit(raw_tree(e, 2));
	cr_assert_eq(hg_git_read(&text, repo_dir, "main", "big.yaml", NULL, &d), HG_EINVALID);
	cr_assert_eq(text.size, 0);
	assert_diag(&d, HG_D_FILE_TOO_LARGE,
	        "16777217 bytes\x1f"
	        "16777217 バイト");
	cr_assert_str_eq(d.items[0]->span.file, "big.yaml@main");
	hg_diags_dispose(&d);
	cr_assert_eq(export(&d), 0);
	snprintf(p, sizeof(p), "%s/big.yaml", out_dir);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq((size_t)st.st_size, size);
	cr_assert_lt((size_t)st.st_blocks * 512, size / 2, "not sparse: nothing may be written");
	cr_assert_eq(hg_fs_read(&text, p, HG_FS_MAX_INPUT, NULL), HG_EINVALID);
	hg_diags_dispose(&d);
	hg_buf_dispose(&text);
}

/* A chain of 70 nested trees: the walk stops at 64 levels, with a message. */
Test(gitsrc, a_tree_nested_too_deep_is_refused)
{
	hg_diags d = HG_DIAGS_INIT;
	struct entry e = {"100644", "t.yaml", blob(TEMPLATE, strlen(TEMPLATE))};
	int i;
	for (i = 0; i < 70; i++) {
		git_oid t = raw_tree(&e, 1);
		e = (struct entry){"40000", "d", t};
	}
	commit(raw_tree(&e, 1));
	cr_assert_eq(export(&d), HG_EINVALID);
	assert_diag(&d, HG_D_GIT_TREE_LIMIT, NULL);
	hg_diags_dispose(&d);
}

/* Trees that share subtrees: 3 objects of 1,000 entries describe 1,000,000,000 paths. */
Test(gitsrc, a_tree_bomb_is_refused)
{
	hg_diags d = HG_DIAGS_INIT;
	struct entry *e = calloc(1000, sizeof(*e));
	char(*names)[16] = calloc(1000, 16);
	git_oid id = blob("x: 1\n", 5);
	int level, i;
	cr_assert_not_null(e);
	for (level = 0; level < 3; level++) {
		for (i = 0; i < 1000; i++) {
			snprintf(names[i], 16, level ? "d%03d" : "f%03d.txt", i);
			e[i] = (struct entry){level ? "40000" : "100644", names[i], id};
		}
		id = raw_tree(e, 1000);
	}
	commit(id);
	cr_assert_eq(export(&d), HG_EINVALID);
	assert_diag(&d, HG_D_GIT_TREE_LIMIT, NULL);
	free(e);
	free(names);
	hg_diags_dispose(&d);
}

/* A template saved with a UTF-8 byte order mark reads as the same text from git as from disk. */
Test(gitsrc, a_bom_is_dropped)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_buf text = HG_BUF_INIT;
	struct entry e = {"100644", "t.yaml", blob("\xEF\xBB\xBFhinagata: 1\n", 15)};
	commit(raw_tree(&e, 1));
	cr_assert_eq(hg_git_read(&text, repo_dir, "main", "t.yaml", NULL, &d), 0);
	cr_assert_str_eq(text.ptr, "hinagata: 1\n");
	hg_diags_dispose(&d);
	hg_buf_dispose(&text);
}

/*
 * A tree libgit2 refuses to parse (an entry with an empty name, found by
 * fuzz_git): the export fails with git's reason, nothing is written.
 */
Test(gitsrc, a_tree_git_cannot_parse_is_an_error_with_a_reason)
{
	hg_diags d = HG_DIAGS_INIT;
	git_odb *odb;
	git_oid tree_id, commit_id;
	git_reference *ref;
	char raw[64], commit_text[256];
	size_t len;
	git_oid b = blob("x: 1\n", 5);

	len = (size_t)snprintf(raw, sizeof(raw), "100644 ") + 1; /* the name is empty */
	memcpy(raw + len, b.id, GIT_OID_RAWSZ);
	len += GIT_OID_RAWSZ;
	cr_assert_eq(git_repository_odb(&odb, repo), 0);
	cr_assert_eq(git_odb_write(&tree_id, odb, raw, len, GIT_OBJECT_TREE), 0);
	snprintf(commit_text, sizeof(commit_text),
	        "tree %s\nauthor t <t@example.com> 1764979200 +0900\n"
	        "committer t <t@example.com> 1764979200 +0900\n\ncrafted\n",
	        git_oid_tostr_s(&tree_id));
	cr_assert_eq(
	        git_odb_write(&commit_id, odb, commit_text, strlen(commit_text), GIT_OBJECT_COMMIT),
	        0);
	cr_assert_eq(git_reference_create(&ref, repo, "refs/heads/main", &commit_id, 1, "test"), 0);
	git_reference_free(ref);
	git_odb_free(odb);
	cr_assert_lt(export(&d), 0);
	cr_assert_eq(d.n, 1);
	cr_assert(d.items[0]->code == HG_D_GIT || d.items[0]->code == HG_D_GIT_UNSAFE_PATH);
	cr_assert_eq(hg_diags_exit_code(&d), 2);
	hg_diags_dispose(&d);
}
