/*
 * gitsrc.c: reading templates from a git revision (see gitsrc.h).
 * Part of hinagata; see LICENSE.
 *
 * libgit2 errors are translated once, here, into diagnostics with the
 * library's own message (the "git:" code HG9005).
 *
 * Design. A revision is outside input: anyone who can push to a repository
 * the nightly job reads can craft its trees, and libgit2 parses a tree
 * entry's name as whatever bytes precede the NUL. So nothing here trusts a
 * name. Every entry of every tree walked is validated (not empty, not "."
 * or "..", no '/', not git's own directory in any spelling git's checkout
 * refuses), and a revision with one unsafe entry is refused whole
 * (HG9007): a tree git itself would never write is an attack, not a
 * template. What is written goes into a directory the caller made private
 * (hg_fs_mkdtemp, mode 0700), through directory file descriptors opened with
 * O_NOFOLLOW and files created with O_EXCL: no symlink is followed, no
 * existing file overwritten, and a name that occurs twice is refused too.
 * Symbolic links and submodules in the revision are not files and are not
 * written. The walk is iterative, with limits on depth and on the number of
 * entries, because trees can share subtrees: a few kilobytes of objects can
 * describe millions of paths (HG9008).
 *
 * Sizes are read from the object header (git_odb_read_header) before a
 * blob is loaded: a blob over HG_FS_MAX_INPUT is never inflated. It is
 * exported as a sparse file of its size, without one byte of it, so that
 * the compiler refuses it with exactly the message (HG0011) and the limit
 * it applies to a file on disk.
 */
#define _GNU_SOURCE /* realpath, O_NOFOLLOW, strncasecmp */
#include "gitsrc.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/util.h"


/*
 * libgit2 is loaded when a revision or the index is first read, not when
 * hinagata starts: linked, it and its libraries (mbedTLS, libssh2,
 * http-parser, PCRE2, zlib) cost every run of every command ~9 ms of CPU
 * and 250 page faults of loading and relocation, and most runs (compile,
 * drift without --ref, reports) never read a repository. The headers give
 * every function's type; the library loaded is the one of the soname this
 * build was made against (HG_LIBGIT2_SONAME, from CMake: libgit2's ABI
 * changes with its minor version), or the file HINAGATA_LIBGIT2 names.
 */
#define GIT_FUNCS(X) \
	X(git_blob_free) \
	X(git_blob_lookup) \
	X(git_blob_rawcontent) \
	X(git_blob_rawsize) \
	X(git_commit_free) \
	X(git_commit_id) \
	X(git_commit_tree) \
	X(git_error_last) \
	X(git_ignore_path_is_ignored) \
	X(git_index_entry_stage) \
	X(git_index_entrycount) \
	X(git_index_free) \
	X(git_index_get_byindex) \
	X(git_libgit2_init) \
	X(git_libgit2_shutdown) \
	X(git_object_free) \
	X(git_object_peel) \
	X(git_odb_free) \
	X(git_odb_read_header) \
	X(git_oid_tostr) \
	X(git_repository_free) \
	X(git_repository_index) \
	X(git_repository_odb) \
	X(git_repository_open_ext) \
	X(git_repository_path) \
	X(git_repository_workdir) \
	X(git_revparse_single) \
	X(git_tree_entry_byindex) \
	X(git_tree_entry_bypath) \
	X(git_tree_entry_filemode) \
	X(git_tree_entry_free) \
	X(git_tree_entry_id) \
	X(git_tree_entry_name) \
	X(git_tree_entry_type) \
	X(git_tree_entrycount) \
	X(git_tree_free) \
	X(git_tree_lookup)

#ifndef HG_LIBGIT2_SONAME
#error "HG_LIBGIT2_SONAME: the soname of the libgit2 the headers are of (CMakeLists.txt)"
#endif
static struct {
	GIT_FUNCS(HG_DL_MEMBER)
} G;
static pthread_once_t git_once = PTHREAD_ONCE_INIT;
static char git_load_error[256]; /* why it could not be loaded; "" when loaded */

#define GIT_SLOT(f) (void **)&G.f,
static void git_load_once(void)
{
	static const char *const names[] = {GIT_FUNCS(HG_DL_NAME)};
	void **const slots[] = {GIT_FUNCS(GIT_SLOT)};
	(void)hg_dl_load("HINAGATA_LIBGIT2", HG_LIBGIT2_SONAME, names, slots,
	        sizeof(names) / sizeof(names[0]), git_load_error, sizeof(git_load_error));
}

/* 0 once libgit2 is loaded (and initialized); else HG9005 saying why. */
static int git_load(hg_diags *d)
{
	pthread_once(&git_once, git_load_once);
	if (!git_load_error[0]) {
		G.git_libgit2_init();
		return 0;
	}
	if (d) {
		hg_buf why = HG_BUF_INIT;
		hg_buf_printf(&why,
		        HG_BI("libgit2 could not be loaded (install Debian's package of %s): %s",
		                "libgit2 を読み込めませんでした (%s の Debian パッケージをインストールしてください): %s"),
		        HG_LIBGIT2_SONAME, git_load_error, HG_LIBGIT2_SONAME, git_load_error);
		hg_diag_add(d, HG_D_GIT, NULL, why.ptr, NULL);
		hg_buf_dispose(&why);
	}
	return HG_EIO;
}

/* Directory levels of a revision's tree that are walked. */
#define MAX_DEPTH 64
/* Tree entries visited in one export (subtrees counted each time they occur). */
#define MAX_ENTRIES 1000000u

static int git_fail(hg_diags *d)
{
	const git_error *e = G.git_error_last();
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
	if (G.git_repository_open_ext(repo, path, 0, NULL) < 0)
		return git_fail(d);
	if (G.git_revparse_single(&obj, *repo, ref ? ref : "HEAD") < 0 ||
	        G.git_object_peel((git_object **)commit, obj, GIT_OBJECT_COMMIT) < 0 ||
	        G.git_commit_tree(tree, *commit) < 0) {
		G.git_object_free(obj);
		return git_fail(d);
	}
	G.git_object_free(obj);
	return 0;
}

static void close_tree(git_repository *repo, git_tree *tree, git_commit *commit)
{
	G.git_tree_free(tree);
	G.git_commit_free(commit);
	G.git_repository_free(repo);
}

/* The size of an object from its header, without inflating it. */
static int blob_size(size_t *out, git_repository *repo, const git_oid *id, hg_diags *d)
{
	git_odb *odb = NULL;
	git_object_t type;
	size_t len = 0;
	int rc = 0;

	if (G.git_repository_odb(&odb, repo) < 0 || G.git_odb_read_header(&len, &type, odb, id) < 0)
		rc = git_fail(d);
	G.git_odb_free(odb);
	*out = len;
	return rc;
}

/* A name shown in a message: control characters and bytes that are not UTF-8 escaped. */
static void shown(hg_buf *out, const char *s)
{
	hg_utf8_clean(out, s, strlen(s), 0);
}

int hg_git_read(hg_buf *out, const char *repo_path, const char *ref, const char *path, char *commit_hex,
        hg_diags *d)
{
	git_repository *repo;
	git_tree *tree;
	git_commit *commit;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	const char *data;
	size_t size = 0, len;
	int rc;

	if (git_load(d) < 0)
		return HG_EIO;
	rc = open_tree(&repo, &tree, &commit, repo_path, ref, d);
	if (rc < 0)
		goto out;
	if (commit_hex)
		G.git_oid_tostr(commit_hex, 41, G.git_commit_id(commit));
	/* A symbolic link is not followed: its blob is the link's target, not a file. */
	if (G.git_tree_entry_bypath(&entry, tree, path) < 0 ||
	        G.git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
	        G.git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
		hg_diag_add(d, HG_D_GIT_NO_PATH, NULL, path, repo_path, ref ? ref : "HEAD", NULL);
		rc = HG_EIO;
		goto out;
	}
	if ((rc = blob_size(&size, repo, G.git_tree_entry_id(entry), d)) < 0)
		goto out;
	if (size > HG_FS_MAX_INPUT) { /* the limit of a file on disk, checked before inflating */
		hg_buf name = HG_BUF_INIT;
		hg_span s;
		hg_buf_printf(&name, "%s@%s", path, ref ? ref : "HEAD");
		memset(&s, 0, sizeof(s));
		s.file = hg_diags_source(d, name.ptr, NULL, 0);
		hg_diag_too_large(d, &s, size);
		hg_buf_dispose(&name);
		rc = HG_EINVALID;
		goto out;
	}
	if (G.git_blob_lookup(&blob, repo, G.git_tree_entry_id(entry)) < 0) {
		rc = git_fail(d);
		goto out;
	}
	data = G.git_blob_rawcontent(blob);
	len = (size_t)G.git_blob_rawsize(blob);
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) { /* as hg_fs_read does */
		data += 3;
		len -= 3;
	}
	hg_buf_put(out, data, len);
	rc = 0;
out:
	G.git_blob_free(blob);
	G.git_tree_entry_free(entry);
	close_tree(repo, tree, commit);
	G.git_libgit2_shutdown();
	return rc;
}

static bool template_name(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

/*
 * Why a tree entry's name must not be written, or NULL. ".git" counts in
 * any case and with the trailing dots and spaces Windows drops, and as its
 * 8.3 short name: git's checkout refuses all of these (core.protectNTFS).
 */
static const char *unsafe_name(const char *name)
{
	const char *p;

	if (!name[0])
		return HG_BI("an empty name", "名前が空です");
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return HG_BI("it climbs out of its directory", "ディレクトリの外に出るパスです");
	if (strchr(name, '/'))
		return HG_BI("a name with '/' in it points outside its directory",
		        "名前に '/' があり、ディレクトリの外を指します");
	if (strncasecmp(name, ".git", 4) == 0) {
		for (p = name + 4; *p == '.' || *p == ' ';)
			p++;
		if (!*p)
			return HG_BI("git's own directory", "git 自身のディレクトリです");
	}
	if (strcasecmp(name, "git~1") == 0)
		return HG_BI("git's own directory", "git 自身のディレクトリです");
	return NULL;
}

/* The walk of one tree level: the tree, the next entry, and the directory it is written to. */
struct level {
	git_tree *tree;
	size_t next;
	int dirfd;
	size_t pathlen; /* of the path shown, up to this level */
};

struct exporter {
	git_repository *repo;
	hg_diags *d;
	const char *what; /* "repo@ref" or "the git index", for messages */
	hg_buf path;      /* the path of the current entry, for messages */
	size_t entries;
	int rc;
};

static void unsafe(struct exporter *x, const char *why)
{
	hg_buf p = HG_BUF_INIT;
	shown(&p, x->path.ptr);
	hg_diag_add(x->d, HG_D_GIT_UNSAFE_PATH, NULL, p.ptr, why, x->what, NULL);
	hg_buf_dispose(&p);
	x->rc = HG_EINVALID;
}

/*
 * Write blob id as name in directory dirfd: created, never replaced, no
 * link followed. A blob past the size limit becomes a sparse file of its
 * size (see the top of the file).
 */
static int write_blob(struct exporter *x, int dirfd, const char *name, const git_oid *id)
{
	git_blob *blob = NULL;
	size_t size;
	int fd, e;

	if (blob_size(&size, x->repo, id, x->d) < 0)
		return x->rc = HG_EIO;
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST) {
			unsafe(x, HG_BI("the name occurs twice in its tree", "同じ名前がツリーに 2 つあります"));
			return x->rc;
		}
		goto fail;
	}
	if (size > HG_FS_MAX_INPUT) {
		/* A size the file system cannot hold still gets a file past the limit. */
		if (ftruncate(fd, (off_t)(size > (size_t)INT64_MAX ? INT64_MAX : size)) < 0 &&
		        ftruncate(fd, (off_t)HG_FS_MAX_INPUT + 1) < 0)
			goto fail_fd;
	} else {
		const char *p;
		size_t left;
		if (G.git_blob_lookup(&blob, x->repo, id) < 0) {
			close(fd);
			return x->rc = git_fail(x->d);
		}
		p = G.git_blob_rawcontent(blob);
		left = (size_t)G.git_blob_rawsize(blob);
		while (left > 0) {
			ssize_t n = write(fd, p, left);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				goto fail_fd;
			p += n;
			left -= (size_t)n;
		}
		G.git_blob_free(blob);
		blob = NULL;
	}
	if (close(fd) < 0)
		goto fail;
	return 0;
fail_fd:
	e = errno;
	close(fd);
	errno = e;
fail:
	e = errno;
	G.git_blob_free(blob);
	hg_diag_add(x->d, HG_D_IO_WRITE, NULL, x->path.ptr, strerror(e), NULL);
	return x->rc = HG_EIO;
}

/* Make directory name in dirfd (it must not exist) and open it without following a link. */
static int make_dir(struct exporter *x, int dirfd, const char *name)
{
	int fd;

	if (mkdirat(dirfd, name, 0700) < 0) {
		if (errno == EEXIST)
			unsafe(x, HG_BI("the name occurs twice in its tree", "同じ名前がツリーに 2 つあります"));
		else {
			hg_diag_add(x->d, HG_D_IO_WRITE, NULL, x->path.ptr, strerror(errno), NULL);
			x->rc = HG_EIO;
		}
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		hg_diag_add(x->d, HG_D_IO_WRITE, NULL, x->path.ptr, strerror(errno), NULL);
		x->rc = HG_EIO;
	}
	return fd;
}

static void too_large(struct exporter *x, const char *why)
{
	hg_diag_add(x->d, HG_D_GIT_TREE_LIMIT, NULL, x->what, why, NULL);
	x->rc = HG_EINVALID;
}

/*
 * Write the template files of tree into the directory dirfd (the caller's
 * private directory), keeping paths. Iterative: an explicit stack of tree
 * levels, each with the directory it is written to.
 */
static int export_tree(struct exporter *x, git_tree *root, int dirfd)
{
	struct level stack[MAX_DEPTH + 1];
	size_t depth = 0, i;

	stack[0].tree = root;
	stack[0].next = 0;
	stack[0].dirfd = dirfd;
	stack[0].pathlen = 0;
	while (x->rc == 0) {
		struct level *lv = &stack[depth];
		const git_tree_entry *e;
		const char *name, *why;
		git_object_t type;

		if (lv->next >= G.git_tree_entrycount(lv->tree)) {
			if (depth == 0)
				break;
			G.git_tree_free(lv->tree);
			close(lv->dirfd);
			depth--;
			continue;
		}
		e = G.git_tree_entry_byindex(lv->tree, lv->next++);
		name = G.git_tree_entry_name(e);
		type = G.git_tree_entry_type(e);
		hg_buf_truncate(&x->path, lv->pathlen);
		hg_buf_puts(&x->path, name);
		if (++x->entries > MAX_ENTRIES) {
			too_large(x, HG_BI("more than 1000000 entries", "エントリーが 1000000 を超えます"));
			break;
		}
		if ((why = unsafe_name(name)) != NULL) {
			unsafe(x, why);
			break;
		}
		if (type == GIT_OBJECT_TREE) {
			git_tree *sub = NULL;
			int fd;
			if (depth + 1 > MAX_DEPTH) {
				too_large(x, HG_BI("directories nest deeper than 64 levels",
				                     "ディレクトリの入れ子が 64 段を超えます"));
				break;
			}
			if (G.git_tree_lookup(&sub, x->repo, G.git_tree_entry_id(e)) < 0) {
				x->rc = git_fail(x->d);
				break;
			}
			if ((fd = make_dir(x, lv->dirfd, name)) < 0) {
				G.git_tree_free(sub);
				break;
			}
			hg_buf_putc(&x->path, '/');
			depth++;
			stack[depth].tree = sub;
			stack[depth].next = 0;
			stack[depth].dirfd = fd;
			stack[depth].pathlen = x->path.size;
			continue;
		}
		/* Symbolic links and submodules are not files: not written, never followed. */
		if (type != GIT_OBJECT_BLOB || G.git_tree_entry_filemode(e) == GIT_FILEMODE_LINK ||
		        !template_name(name))
			continue;
		if (write_blob(x, lv->dirfd, name, G.git_tree_entry_id(e)) < 0)
			break;
	}
	for (i = depth; i > 0; i--) { /* after an error: close what is still open */
		G.git_tree_free(stack[i].tree);
		close(stack[i].dirfd);
	}
	return x->rc;
}

static int open_dir(const char *dir, hg_diags *d)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		hg_diag_add(d, HG_D_IO_WRITE, NULL, dir, strerror(errno), NULL);
	return fd;
}

int hg_git_export_templates(const char *repo_path, const char *ref, const char *dir, hg_diags *d)
{
	git_repository *repo;
	git_tree *tree;
	git_commit *commit;
	struct exporter x;
	hg_buf what = HG_BUF_INIT;
	int rc, fd;

	if (git_load(d) < 0)
		return HG_EIO;
	rc = open_tree(&repo, &tree, &commit, repo_path, ref, d);
	if (rc == 0 && (fd = open_dir(dir, d)) < 0)
		rc = HG_EIO;
	if (rc == 0) {
		memset(&x, 0, sizeof(x));
		hg_buf_printf(&what, "%s@%s", repo_path, ref ? ref : "HEAD");
		x.repo = repo;
		x.d = d;
		x.what = what.ptr;
		hg_buf_init(&x.path);
		rc = export_tree(&x, tree, fd);
		close(fd);
		hg_buf_dispose(&x.path);
	}
	hg_buf_dispose(&what);
	close_tree(repo, tree, commit);
	G.git_libgit2_shutdown();
	return rc;
}

/*
 * Write blob id at the '/'-separated path rel under dirfd, making the
 * directories on the way (they may exist: index paths share them). Every
 * component is validated; nothing is followed.
 */
static int write_at_path(struct exporter *x, int dirfd, const char *rel, const git_oid *id)
{
	char *copy = hg_xstrdup(rel), *comp = copy, *slash;
	int fd = dirfd, rc = 0;
	unsigned depth = 0;
	const char *why;

	while ((slash = strchr(comp, '/')) != NULL) {
		int sub;
		*slash = '\0';
		if ((why = unsafe_name(comp)) != NULL) {
			unsafe(x, why);
			rc = x->rc;
			goto out;
		}
		if (++depth > MAX_DEPTH) {
			too_large(x, HG_BI("directories nest deeper than 64 levels",
			                     "ディレクトリの入れ子が 64 段を超えます"));
			rc = x->rc;
			goto out;
		}
		if (mkdirat(fd, comp, 0700) < 0 && errno != EEXIST) {
			hg_diag_add(x->d, HG_D_IO_WRITE, NULL, x->path.ptr, strerror(errno), NULL);
			rc = x->rc = HG_EIO;
			goto out;
		}
		sub = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			hg_diag_add(x->d, HG_D_IO_WRITE, NULL, x->path.ptr, strerror(errno), NULL);
			rc = x->rc = HG_EIO;
			goto out;
		}
		if (fd != dirfd)
			close(fd);
		fd = sub;
		comp = slash + 1;
	}
	if ((why = unsafe_name(comp)) != NULL) {
		unsafe(x, why);
		rc = x->rc;
	} else
		rc = write_blob(x, fd, comp, id);
out:
	if (fd != dirfd)
		close(fd);
	free(copy);
	return rc;
}

int hg_git_export_index(const char *start, const char *dir, hg_buf *workdir, hg_diags *d)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	struct exporter x;
	size_t i, n;
	int rc = 0, fd = -1;

	memset(&x, 0, sizeof(x));
	hg_buf_init(&x.path);
	if (git_load(d) < 0)
		return HG_EIO;
	if (G.git_repository_open_ext(&repo, start, 0, NULL) < 0 ||
	        G.git_repository_index(&index, repo) < 0) {
		rc = git_fail(d);
		goto out;
	}
	if ((fd = open_dir(dir, d)) < 0) {
		rc = HG_EIO;
		goto out;
	}
	if (workdir && G.git_repository_workdir(repo))
		hg_buf_puts(workdir, G.git_repository_workdir(repo));
	x.repo = repo;
	x.d = d;
	x.what = HG_BI("the git index", "git のインデックス");
	n = G.git_index_entrycount(index);
	for (i = 0; i < n && rc == 0; i++) {
		const git_index_entry *e = G.git_index_get_byindex(index, i);
		const char *base;
		if (!e || G.git_index_entry_stage(e) != 0)
			continue;
		/* Symbolic links and submodules (gitlinks) are not files. */
		if ((e->mode & 0170000) != 0100000)
			continue;
		base = strrchr(e->path, '/');
		if (!template_name(base ? base + 1 : e->path))
			continue;
		hg_buf_clear(&x.path);
		hg_buf_puts(&x.path, e->path);
		rc = write_at_path(&x, fd, e->path, &e->id);
	}
out:
	if (fd >= 0)
		close(fd);
	hg_buf_dispose(&x.path);
	G.git_index_free(index);
	G.git_repository_free(repo);
	G.git_libgit2_shutdown();
	return rc;
}

int hg_git_dir(const char *start, hg_buf *out, hg_diags *d)
{
	git_repository *repo = NULL;
	int rc = 0;

	if (git_load(d) < 0)
		return HG_EIO;
	if (G.git_repository_open_ext(&repo, start, 0, NULL) < 0)
		rc = git_fail(d);
	else
		hg_buf_puts(out, G.git_repository_path(repo));
	G.git_repository_free(repo);
	G.git_libgit2_shutdown();
	return rc;
}

struct hg_git_ignores {
	git_repository *repo;
	char *prefix; /* start relative to the working directory, "" or ending in '/' */
};

hg_git_ignores *hg_git_ignores_open(const char *start, hg_diags *d)
{
	hg_git_ignores *g;
	git_repository *repo = NULL;
	const char *wd;
	char *abs;
	size_t n;

	if (git_load(d) < 0)
		return NULL;
	if (G.git_repository_open_ext(&repo, start, 0, NULL) < 0 ||
	        (wd = G.git_repository_workdir(repo)) == NULL || (abs = realpath(start, NULL)) == NULL) {
		G.git_repository_free(repo);
		G.git_libgit2_shutdown();
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
	if (G.git_ignore_path_is_ignored(&ignored, g->repo, p.ptr) < 0)
		ignored = 0;
	hg_buf_dispose(&p);
	return ignored == 1;
}

void hg_git_ignores_free(hg_git_ignores *g)
{
	if (!g)
		return;
	G.git_repository_free(g->repo);
	free(g->prefix);
	free(g);
	G.git_libgit2_shutdown();
}
