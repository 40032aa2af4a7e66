/*
 * gitsrc.c: reading templates from a git revision (see gitsrc.h).
 * Part of hinagata; see LICENSE.
 *
 * libgit2 errors are translated once, here, into diagnostics with the
 * library's own message (the "git:" code HG9005).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "gitsrc.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"

static int git_fail(hg_diags *d)
{
	const git_error *e = git_error_last();
	hg_diag_add(d, HG_D_GIT, NULL, e && e->message ? e->message : "unknown error", NULL);
	return HG_EIO;
}

static int open_tree(git_repository **repo, git_tree **tree, git_commit **commit, const char *path,
        const char *ref, hg_diags *d)
{
	git_object *obj = NULL;

	*repo = NULL;
	*tree = NULL;
	*commit = NULL;
	if (git_repository_open_ext(repo, path, 0, NULL) < 0)
		return git_fail(d);
	if (git_revparse_single(&obj, *repo, ref ? ref : "HEAD") < 0 ||
	        git_object_peel((git_object **)commit, obj, GIT_OBJECT_COMMIT) < 0 ||
	        git_commit_tree(tree, *commit) < 0) {
		git_object_free(obj);
		return git_fail(d);
	}
	git_object_free(obj);
	return 0;
}

static void close_tree(git_repository *repo, git_tree *tree, git_commit *commit)
{
	git_tree_free(tree);
	git_commit_free(commit);
	git_repository_free(repo);
}

int hg_git_read(hg_buf *out, const char *repo_path, const char *ref, const char *path, char *commit_hex,
        hg_diags *d)
{
	git_repository *repo;
	git_tree *tree;
	git_commit *commit;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int rc;

	git_libgit2_init();
	rc = open_tree(&repo, &tree, &commit, repo_path, ref, d);
	if (rc < 0)
		goto out;
	if (commit_hex)
		git_oid_tostr(commit_hex, 41, git_commit_id(commit));
	if (git_tree_entry_bypath(&entry, tree, path) < 0 ||
	        git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		hg_diag_add(d, HG_D_GIT_NO_PATH, NULL, path, repo_path, ref ? ref : "HEAD", NULL);
		rc = HG_EIO;
		goto out;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) < 0) {
		rc = git_fail(d);
		goto out;
	}
	hg_buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	rc = 0;
out:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	close_tree(repo, tree, commit);
	git_libgit2_shutdown();
	return rc;
}

struct walkctx {
	git_repository *repo;
	const char *dir;
	hg_diags *d;
	int rc;
};

static bool template_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static int walk_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	struct walkctx *w = payload;
	git_blob *blob = NULL;
	hg_buf path = HG_BUF_INIT;

	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB || !template_name(git_tree_entry_name(entry)))
		return 0;
	if (git_blob_lookup(&blob, w->repo, git_tree_entry_id(entry)) < 0) {
		w->rc = git_fail(w->d);
		return -1;
	}
	hg_buf_printf(&path, "%s/%s%s", w->dir, root, git_tree_entry_name(entry));
	if (hg_fs_write_atomic(path.ptr, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob)) < 0) {
		hg_diag_add(w->d, HG_D_IO_WRITE, NULL, path.ptr, "export of the revision", NULL);
		w->rc = HG_EIO;
	}
	hg_buf_dispose(&path);
	git_blob_free(blob);
	return w->rc < 0 ? -1 : 0;
}

int hg_git_export_templates(const char *repo_path, const char *ref, const char *dir, hg_diags *d)
{
	git_repository *repo;
	git_tree *tree;
	git_commit *commit;
	struct walkctx w;
	int rc;

	git_libgit2_init();
	rc = open_tree(&repo, &tree, &commit, repo_path, ref, d);
	if (rc == 0) {
		w.repo = repo;
		w.dir = dir;
		w.d = d;
		w.rc = 0;
		if (git_tree_walk(tree, GIT_TREEWALK_PRE, walk_cb, &w) < 0 && w.rc == 0)
			w.rc = git_fail(d);
		rc = w.rc;
	}
	close_tree(repo, tree, commit);
	git_libgit2_shutdown();
	return rc;
}

int hg_git_export_index(const char *start, const char *dir, hg_buf *workdir, hg_diags *d)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	size_t i, n;
	int rc = 0;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, start, 0, NULL) < 0 ||
	        git_repository_index(&index, repo) < 0) {
		rc = git_fail(d);
		goto out;
	}
	if (workdir && git_repository_workdir(repo))
		hg_buf_puts(workdir, git_repository_workdir(repo));
	n = git_index_entrycount(index);
	for (i = 0; i < n && rc == 0; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		git_blob *blob = NULL;
		hg_buf path = HG_BUF_INIT;
		const char *base;
		if (!e || git_index_entry_stage(e) != 0)
			continue;
		base = strrchr(e->path, '/');
		if (!template_name(base ? base + 1 : e->path))
			continue;
		if (git_blob_lookup(&blob, repo, &e->id) < 0) {
			rc = git_fail(d);
			break;
		}
		hg_buf_printf(&path, "%s/%s", dir, e->path);
		if (hg_fs_write_atomic(path.ptr, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob)) < 0) {
			hg_diag_add(d, HG_D_IO_WRITE, NULL, path.ptr, "export of the index", NULL);
			rc = HG_EIO;
		}
		hg_buf_dispose(&path);
		git_blob_free(blob);
	}
out:
	git_index_free(index);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

int hg_git_dir(const char *start, hg_buf *out, hg_diags *d)
{
	git_repository *repo = NULL;
	int rc = 0;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, start, 0, NULL) < 0)
		rc = git_fail(d);
	else
		hg_buf_puts(out, git_repository_path(repo));
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

struct hg_git_ignores {
	git_repository *repo;
	char *prefix; /* start relative to the working directory, "" or ending in '/' */
};

hg_git_ignores *hg_git_ignores_open(const char *start)
{
	hg_git_ignores *g;
	git_repository *repo = NULL;
	const char *wd;
	char *abs;
	size_t n;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, start, 0, NULL) < 0 ||
	        (wd = git_repository_workdir(repo)) == NULL || (abs = realpath(start, NULL)) == NULL) {
		git_repository_free(repo);
		git_libgit2_shutdown();
		return NULL;
	}
	g = hg_xcalloc(1, sizeof(*g));
	g->repo = repo;
	n = strlen(wd); /* ends in '/' */
	if (strncmp(abs, wd, n) == 0 && abs[n]) { /* start is below the working directory */
		hg_buf p = HG_BUF_INIT;
		hg_buf_printf(&p, "%s/", abs + n);
		g->prefix = hg_xstrdup(p.ptr);
		hg_buf_dispose(&p);
	} else
		g->prefix = hg_xstrdup("");
	free(abs);
	return g;
}

bool hg_git_ignored(hg_git_ignores *g, const char *path)
{
	hg_buf p = HG_BUF_INIT;
	int ignored = 0;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	hg_buf_printf(&p, "%s%s", g->prefix, path);
	if (git_ignore_path_is_ignored(&ignored, g->repo, p.ptr) < 0)
		ignored = 0;
	hg_buf_dispose(&p);
	return ignored == 1;
}

void hg_git_ignores_free(hg_git_ignores *g)
{
	if (!g)
		return;
	git_repository_free(g->repo);
	free(g->prefix);
	free(g);
	git_libgit2_shutdown();
}
