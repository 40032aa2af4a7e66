/*
 * fs.h: reading whole files and writing outputs atomically.
 * Part of hinagata; see LICENSE.
 *
 * Outputs are never written in place: the bytes go to a temporary file in
 * the destination directory, which is flushed and renamed over the target,
 * so a reader sees the old file or the new one, never a partial one. While a
 * temporary file exists its name is registered, and hg_fs_cleanup_signal()
 * (safe in a signal handler) removes it if the run is interrupted.
 */
#ifndef HG_FS_H
#define HG_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Read the whole file at path into out (appended). Returns 0; HG_EIO with
 * errno set when it cannot be opened or read (EISDIR for a directory);
 * HG_EINVALID when it is larger than limit bytes (*size_out is its size, or
 * SIZE_MAX for a pipe or device that gives more than limit bytes: reading
 * stops there).
 */
int hg_fs_read(hg_buf *out, const char *path, size_t limit, size_t *size_out);

/* Create dir and its missing parents. Returns 0 or HG_EIO (errno set). */
int hg_fs_mkdirs(const char *dir);

/*
 * Replace path with data[0..len) atomically, creating missing parent
 * directories. Returns 0 or HG_EIO (errno set); on failure path is unchanged
 * and no temporary file remains.
 */
int hg_fs_write_atomic(const char *path, const char *data, size_t len);

/*
 * The same, written as it goes: open a temporary file beside path, write
 * to it, then commit (flush, rename over path) or abort (remove it). One
 * at a time per process. Each returns 0 or HG_EIO (errno set).
 */
typedef struct hg_fs_out {
	int fd;
	const char *path; /* borrowed: must live until commit or abort */
	int failed;       /* the errno of a failed write */
} hg_fs_out;

int hg_fs_out_open(hg_fs_out *o, const char *path);
int hg_fs_out_write(hg_fs_out *o, const char *data, size_t len);
int hg_fs_out_commit(hg_fs_out *o);
void hg_fs_out_abort(hg_fs_out *o);

/* Remove the temporary file being written, if any (async-signal-safe). */
void hg_fs_cleanup_signal(void);

/* True if path exists and is a directory / a regular file. */
int hg_fs_is_dir(const char *path);
int hg_fs_is_file(const char *path);

/* Remove a directory tree (best effort; for temporary directories). */
void hg_fs_remove_tree(const char *dir);

/*
 * Whether rel, a '/'-separated path relative to some root, is excluded by
 * one of globs: a shell pattern matched against the whole path (fnmatch,
 * where '*' also matches '/'), or a directory, which excludes everything
 * below it. A leading "./" of either is ignored.
 */
bool hg_path_excluded(const char *rel, const char *const *globs, size_t n);

#ifdef __cplusplus
}
#endif
#endif
