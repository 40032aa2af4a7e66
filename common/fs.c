/*
 * fs.c: whole-file reads and atomic writes (see fs.h).
 * Part of hinagata; see LICENSE.
 */
#define _XOPEN_SOURCE 700
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary file being written; read by the signal handler. */
static char tmp_path[4096];
static volatile sig_atomic_t tmp_live;

int hg_fs_read(hg_buf *out, const char *path, size_t limit, size_t *size_out)
{
	struct stat st;
	int fd;
	ssize_t n;

	if (size_out)
		*size_out = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return HG_EIO;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return HG_EIO;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return HG_EIO;
	}
	if (S_ISREG(st.st_mode) && (size_t)st.st_size > limit) {
		if (size_out)
			*size_out = (size_t)st.st_size;
		close(fd);
		return HG_EINVALID;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0)
		hg_buf_grow(out, (size_t)st.st_size + 1); /* one read, no regrowing */
	for (;;) {
		size_t room;
		hg_buf_grow(out, 65536);
		room = out->asize - out->size - 1;
		if (room > limit + 1 - out->size)
			room = limit + 1 - out->size; /* one byte past the limit is enough */
		n = read(fd, out->ptr + out->size, room);
		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			close(fd);
			errno = e;
			return HG_EIO;
		}
		if (n == 0)
			break;
		out->size += (size_t)n;
		out->ptr[out->size] = '\0';
		if (out->size > limit) {
			/* A pipe or device that keeps going. */
			if (size_out)
				*size_out = SIZE_MAX;
			close(fd);
			return HG_EINVALID;
		}
	}
	close(fd);
	if (size_out)
		*size_out = out->size;
	return 0;
}

int hg_fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int hg_fs_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int hg_fs_mkdirs(const char *dir)
{
	hg_buf b = HG_BUF_INIT;
	size_t i;
	int rc = 0;

	hg_buf_puts(&b, dir);
	for (i = 1; i <= b.size; i++) {
		if (i < b.size && b.ptr[i] != '/')
			continue;
		b.ptr[i] = '\0';
		if (mkdir(b.ptr, 0777) < 0 && errno != EEXIST) {
			rc = HG_EIO;
			break;
		}
		if (i < b.size)
			b.ptr[i] = '/';
	}
	if (rc == 0 && !hg_fs_is_dir(dir)) {
		errno = ENOTDIR;
		rc = HG_EIO;
	}
	hg_buf_dispose(&b);
	return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int hg_fs_out_open(hg_fs_out *o, const char *path)
{
	hg_buf dir = HG_BUF_INIT;
	const char *slash = strrchr(path, '/');
	int e;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (slash && slash != path) {
		hg_buf_put(&dir, path, (size_t)(slash - path));
		if (hg_fs_mkdirs(dir.ptr) < 0) {
			e = errno;
			hg_buf_dispose(&dir);
			errno = e;
			return HG_EIO;
		}
	}
	hg_buf_dispose(&dir);
	if (tmp_live || strlen(path) + 32 > sizeof(tmp_path)) {
		errno = tmp_live ? EBUSY : ENAMETOOLONG;
		return HG_EIO;
	}
	/* The temporary name sits beside the target so rename() stays atomic. */
	snprintf(tmp_path, sizeof(tmp_path), "%s.tmp.XXXXXX", path);
	o->fd = mkstemp(tmp_path);
	if (o->fd < 0)
		return HG_EIO;
	tmp_live = 1;
	o->path = path;
	if (fchmod(o->fd, 0644) < 0) {
		hg_fs_out_abort(o);
		return HG_EIO;
	}
	return 0;
}

int hg_fs_out_write(hg_fs_out *o, const char *data, size_t len)
{
	if (o->fd < 0 || o->failed)
		return HG_EIO;
	if (write_all(o->fd, data, len) < 0) {
		o->failed = errno;
		return HG_EIO;
	}
	return 0;
}

int hg_fs_out_commit(hg_fs_out *o)
{
	int e;

	if (o->fd < 0)
		return HG_EIO;
	if (o->failed || fsync(o->fd) < 0) {
		e = o->failed ? o->failed : errno;
		hg_fs_out_abort(o);
		errno = e;
		return HG_EIO;
	}
	if (close(o->fd) < 0) {
		e = errno;
		o->fd = -1;
		hg_fs_out_abort(o);
		errno = e;
		return HG_EIO;
	}
	o->fd = -1;
	if (rename(tmp_path, o->path) < 0) {
		e = errno;
		hg_fs_out_abort(o);
		errno = e;
		return HG_EIO;
	}
	tmp_live = 0;
	return 0;
}

void hg_fs_out_abort(hg_fs_out *o)
{
	int e = errno;
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (tmp_live)
		unlink(tmp_path);
	tmp_live = 0;
	errno = e;
}

int hg_fs_write_atomic(const char *path, const char *data, size_t len)
{
	hg_fs_out o;

	if (hg_fs_out_open(&o, path) < 0)
		return HG_EIO;
	if (hg_fs_out_write(&o, data, len) < 0) {
		int e = errno;
		hg_fs_out_abort(&o);
		errno = e;
		return HG_EIO;
	}
	return hg_fs_out_commit(&o);
}

void hg_fs_cleanup_signal(void)
{
	if (tmp_live)
		unlink(tmp_path);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void hg_fs_remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

bool hg_path_excluded(const char *rel, const char *const *globs, size_t n)
{
	size_t i;

	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	for (i = 0; i < n; i++) {
		const char *g = globs[i];
		size_t len;
		while (g[0] == '.' && g[1] == '/')
			g += 2;
		len = strlen(g);
		while (len && g[len - 1] == '/')
			len--;
		if (!len)
			continue;
		if (strncmp(rel, g, len) == 0 && (rel[len] == '\0' || rel[len] == '/'))
			return true;
		if (fnmatch(g, rel, 0) == 0)
			return true;
	}
	return false;
}
