/*
 * fs.h: reading whole files and writing outputs atomically.
 * Part of hinagata; see LICENSE.
 *
 * Inputs are read only if they are regular files of at most a limit
 * (HG_FS_MAX_INPUT for everything a user hands hinagata, on disk or in
 * git): a FIFO, a device or a socket is refused before a byte is read, so
 * a gate can neither block on one nor pass what it did not read.
 *
 * Outputs are never written in place: the bytes go to a temporary file in
 * the destination directory, which is flushed and renamed over the target,
 * and the directory is flushed too, so a reader sees the old file or the
 * new one, never a partial one, even after a crash. Outputs get the mode
 * 0666 less the umask, as any file a user's command creates. While a
 * temporary file exists its name is registered, and hg_fs_cleanup_signal()
 * (safe in a signal handler) removes it if the run is interrupted; a run
 * killed outright (SIGKILL, OOM) leaves it behind, and the next write of
 * the same target removes it. Temporary files and directories hold an
 * flock(2) lock while in use: the kernel drops it when the process dies,
 * which is how a later run tells a leftover from the work of a live one.
 */
#ifndef HG_FS_H
#define HG_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The one size limit of every input hinagata reads whole: templates,
 * parameter files, settings, ignore files, on disk or in a git revision.
 */
#define HG_FS_MAX_INPUT (16u * 1024u * 1024u)

/*
 * Read the whole regular file at path into out (appended). A UTF-8 byte
 * order mark at the start (what Windows tools write) is dropped: it is not
 * part of the text, and positions count from after it. Returns 0;
 * HG_EIO with errno set when it cannot be opened or read; HG_ENOTREG when
 * it is not a regular file (errno EISDIR for a directory), found without
 * reading from it; HG_EINVALID when it is larger than limit bytes
 * (*size_out, may be NULL, gets its size).
 */
int hg_fs_read(hg_buf *out, const char *path, size_t limit, size_t *size_out);

/*
 * Ask the kernel to start reading the whole regular file at path (or open
 * as fd) into the page cache now, asynchronously (POSIX_FADV_WILLNEED), for
 * a file that will be read soon: the pages evicted since it was written
 * are then read in parallel, not one wait at a time as the reader meets
 * them. Only a hint: errors are ignored, nothing else changes; a path
 * that is not a regular file is not opened.
 */
void hg_fs_prefetch(const char *path);
void hg_fs_prefetch_fd(int fd);

/*
 * Why a read of path failed (rc and errno as hg_fs_read left them), as a
 * bilingual text (HG_BI) for HG9001: strerror, or what kind of file it is
 * (never "Success"). Returns a static string.
 */
const char *hg_fs_reason(int rc, int err, const char *path);

/*
 * Add the diagnostic of a failed hg_fs_read of the file shown as display:
 * HG0011 (too large, size bytes) or HG9001 with hg_fs_reason. at (may be
 * NULL) is where it was asked for.
 */
void hg_fs_diag(hg_diags *d, const hg_span *at, const char *display, const char *path, int rc,
        int err, size_t size);

/* HG0011 at s for a file of size bytes (SIZE_MAX: a stream past the limit). */
void hg_diag_too_large(hg_diags *d, const hg_span *s, size_t size);

/* Create dir and its missing parents. Returns 0 or HG_EIO (errno set). */
int hg_fs_mkdirs(const char *dir);

/*
 * Replace path with data[0..len) atomically, creating missing parent
 * directories. Returns 0 or HG_EIO (errno set); on failure path is unchanged
 * and no temporary file remains. Leftovers of earlier writes of path that
 * were killed are removed first.
 */
int hg_fs_write_atomic(const char *path, const char *data, size_t len);

/*
 * The same, written as it goes: open a temporary file beside path, write
 * to it, then commit (flush, rename over path) or abort (remove it). Up
 * to eight at once (a report and the drift cache), on any thread. Each
 * returns 0 or HG_EIO (errno set).
 */
typedef struct hg_fs_out {
	int fd;
	int slot;         /* its temporary file's place among the live ones */
	const char *path; /* borrowed: must live until commit or abort */
	int failed;       /* the errno of a failed write */
} hg_fs_out;

int hg_fs_out_open(hg_fs_out *o, const char *path);
int hg_fs_out_write(hg_fs_out *o, const char *data, size_t len);
int hg_fs_out_commit(hg_fs_out *o);
void hg_fs_out_abort(hg_fs_out *o);

/* Remove the temporary file being written, if any (async-signal-safe). */
void hg_fs_cleanup_signal(void);

/*
 * Create a private directory (mode 0700) $TMPDIR/hinagata-<what>-XXXXXX
 * (/tmp without TMPDIR) and put its path in out. It is marked as in use
 * until hg_fs_remove_tree removes it or the process ends. Returns 0 or
 * HG_EIO (errno set).
 */
int hg_fs_mkdtemp(hg_buf *out, const char *what);

/*
 * Remove what runs that were killed left in $TMPDIR: hinagata-* directories
 * of this user no live process holds. Cheap (one directory listing); called
 * at the start of every run.
 */
void hg_fs_clean_leftovers(void);

/* True if path exists and is a directory / a regular file. */
int hg_fs_is_dir(const char *path);
int hg_fs_is_file(const char *path);

/*
 * The names in directory dir that a walk of templates visits, sorted
 * (readdir's order differs between file systems): all but hidden ones
 * ('.', '..', .git, ...) and npm's node_modules. *names is new (each name
 * and the array freed with hg_fs_names_free), NULL when there are none.
 * Returns 0, or HG_EIO with errno set when dir cannot be opened or read.
 */
int hg_fs_list_dir(const char *dir, char ***names, size_t *n);
void hg_fs_names_free(char **names, size_t n);

/* Remove a directory tree (best effort; for temporary directories; never follows symlinks). */
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
