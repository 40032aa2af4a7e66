/*
 * fuzz_git.c: libFuzzer target for a revision's trees as drift --repo
 * exports them (gitsrc.c): names that climb out, repeat, nest, or name
 * git's own directory; symbolic links, submodules, executables.
 * Part of hinagata; see LICENSE.
 *
 * The input describes a tree as an outline, one entry per line:
 *   <depth><kind><name>
 * depth is the first byte modulo 8 (a tree's entries are the lines after it
 * one level deeper), kind is 't' tree, 'l' symbolic link, 'c' submodule,
 * 'x' executable, 'j' a JSON blob, anything else a YAML blob; the name is
 * the rest of the line, any bytes but NUL (a NUL ends it, as in git). The
 * harness writes the trees as raw objects, in the order given (unsorted,
 * duplicates and all: what anyone can push), into a bare repository made
 * once, commits the root, and exports it into a fresh directory whose
 * parent holds nothing else. The oracle: whatever the tree, nothing is
 * written beside that directory (a path that escaped), and the export
 * either succeeds or says why.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <git2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "drift/gitsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char top[64];
static char repo_dir[128];
static git_repository *repo;
static git_oid yaml_blob, json_blob, link_blob;

struct line {
	unsigned depth;
	char kind;
	const char *name;
	size_t len;
};

static void cleanup(void)
{
	git_repository_free(repo);
	hg_fs_remove_tree(top);
}

static void setup(void)
{
	static const char yaml[] = "hinagata: 1\ntemplate: t/x\nversion: 1.0.0\nresources: {}\n";
	static const char json[] = "{\"Resources\": {}}\n";
	strcpy(top, "/tmp/fuzz_git-XXXXXX");
	if (!mkdtemp(top))
		abort();
	snprintf(repo_dir, sizeof(repo_dir), "%s/repo.git", top);
	git_libgit2_init();
	if (git_repository_init(&repo, repo_dir, 1) < 0 ||
	        git_blob_create_from_buffer(&yaml_blob, repo, yaml, sizeof(yaml) - 1) < 0 ||
	        git_blob_create_from_buffer(&json_blob, repo, json, sizeof(json) - 1) < 0 ||
	        git_blob_create_from_buffer(&link_blob, repo, "../../../etc", 12) < 0)
		abort();
	atexit(cleanup);
}

/* Write the tree of lines [*i, n) at depth; returns its id (an empty tree for none). */
static git_oid write_tree(
        git_odb *odb, const struct line *lines, size_t n, size_t *i, unsigned depth)
{
	hg_buf raw = HG_BUF_INIT;
	git_oid id;

	while (*i < n && lines[*i].depth >= depth) {
		const struct line *l = &lines[(*i)++];
		git_oid child;
		const char *mode = "100644";
		if (l->depth > depth) /* deeper than its place: belongs to no tree */
			continue;
		switch (l->kind) {
		case 't':
			mode = "40000";
			child = write_tree(odb, lines, n, i, depth + 1);
			break;
		case 'l':
			mode = "120000";
			child = link_blob;
			break;
		case 'c':
			mode = "160000";
			child = yaml_blob; /* a gitlink's commit need not exist */
			break;
		case 'x':
			mode = "100755";
			child = yaml_blob;
			break;
		case 'j':
			child = json_blob;
			break;
		default:
			child = yaml_blob;
		}
		hg_buf_printf(&raw, "%s ", mode);
		hg_buf_put(&raw, l->name, l->len);
		hg_buf_putc(&raw, '\0');
		hg_buf_put(&raw, (const char *)child.id, GIT_OID_RAWSZ);
	}
	if (git_odb_write(&id, odb, raw.ptr, raw.size, GIT_OBJECT_TREE) < 0)
		abort();
	hg_buf_dispose(&raw);
	return id;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	if (!d)
		abort();
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct line *lines = calloc(size + 1, sizeof(*lines));
	size_t n = 0, i = 0, p = 0;
	git_odb *odb = NULL;
	git_oid tree_id, commit_id;
	git_reference *ref = NULL;
	char parent[160], out[192];
	hg_diags d = HG_DIAGS_INIT;
	int rc;

	if (!repo)
		setup();
	/* The outline. */
	while (p < size) {
		const uint8_t *eol = memchr(data + p, '\n', size - p);
		size_t len = eol ? (size_t)(eol - (data + p)) : size - p;
		if (len >= 2) {
			const char *name = (const char *)data + p + 2;
			const char *nul = memchr(name, '\0', len - 2);
			lines[n].depth = data[p] % 8;
			lines[n].kind = (char)data[p + 1];
			lines[n].name = name;
			lines[n].len = nul ? (size_t)(nul - name) : len - 2;
			n++;
		}
		p += len + 1;
	}
	if (git_repository_odb(&odb, repo) < 0)
		abort();
	tree_id = write_tree(odb, lines, n, &i, 0);
	/* The commit as raw bytes too: libgit2 may refuse to parse the tree (an
	 * empty name, say), and then the export must say so, not crash. */
	{
		char hex[GIT_OID_HEXSZ + 1];
		hg_buf c = HG_BUF_INIT;
		git_oid_tostr(hex, sizeof(hex), &tree_id);
		hg_buf_printf(&c,
		        "tree %s\nauthor f <f@example.com> 1764979200 +0900\n"
		        "committer f <f@example.com> 1764979200 +0900\n\nfuzz\n",
		        hex);
		if (git_odb_write(&commit_id, odb, c.ptr, c.size, GIT_OBJECT_COMMIT) < 0 ||
		        git_reference_create(&ref, repo, "refs/heads/fuzz", &commit_id, 1, "fuzz") <
		                0)
			abort();
		hg_buf_dispose(&c);
	}
	/* A fresh parent with only the export directory in it. */
	snprintf(parent, sizeof(parent), "%s/run-XXXXXX", top);
	if (!mkdtemp(parent))
		abort();
	snprintf(out, sizeof(out), "%s/out", parent);
	if (mkdir(out, 0700) < 0)
		abort();
	rc = hg_git_export_templates(repo_dir, "fuzz", out, &d);
	if (entries(parent) != 1)
		abort(); /* something was written outside the export directory */
	if (rc < 0 && d.n == 0)
		abort(); /* a refusal must say why */
	hg_fs_remove_tree(parent);
	hg_diags_dispose(&d);
	git_reference_free(ref);
	git_odb_free(odb);
	free(lines);
	return 0;
}
