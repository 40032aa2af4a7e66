/*
 * fs.c: whole-file reads and atomic writes (see fs.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. A read stats the path before opening it, and opens it with
 * O_NONBLOCK, then checks with fstat that what it opened is the regular file
 * it stat'ed: open(2) of a FIFO without a writer would block forever, and a
 * device or /proc file has no size to check against the limit. The size is
 * checked before any byte is read, so a 1 GiB sparse file costs a stat.
 *
 * A write creates its temporary file itself (O_CREAT|O_EXCL, mode 0666, so
 * the umask applies as for any file the user creates; mkstemp would force
 * 0600 and a fchmod would ignore the umask) and locks it with flock(2)
 * until it is renamed. The lock is what tells a leftover of a killed run
 * (no lock: the kernel released it when the process died) from a file
 * another run is writing right now. After the rename the directory is
 * fsync'ed: without it, a crash can lose the rename although the file's
 * bytes were flushed.
 */
#define _GNU_SOURCE /* flock, O_NOFOLLOW, fstatat */
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * The temporary files being written (a report and the drift cache may be
 * open at once); the signal handler removes the live ones. A slot is
 * claimed with an atomic exchange, so outputs may be opened on any thread.
 */
#define TMP_SLOTS 8
static char tmp_paths[TMP_SLOTS][4096];
static volatile sig_atomic_t tmp_lives[TMP_SLOTS]; /* 0 free, 1 claimed, 2 its file exists */

static int slot_claim(void)
{
	int i;
	for (i = 0; i < TMP_SLOTS; i++) {
		sig_atomic_t free_slot = 0;
		if (__atomic_compare_exchange_n(&tmp_lives[i], &free_slot, 1, false, __ATOMIC_ACQ_REL,
		            __ATOMIC_ACQUIRE))
			return i;
	}
	return -1;
}

static void slot_release(int i)
{
	__atomic_store_n(&tmp_lives[i], 0, __ATOMIC_RELEASE);
}

/*
 * A temporary directory D has its lock in the file D.lock beside it,
 * created and locked before D is made and removed after it, so that no
 * directory of a live run is ever seen without a held lock (a run killed
 * between the two leaves a lock without a directory, removed like any
 * other). Directories of older hinagata versions had it inside, under
 * this name.
 */
#define LOCK_SUFFIX ".lock"
#define LOCK_NAME ".hinagata-lock"

/* A temporary directory without a lock is a leftover once it is this old (seconds). */
#define UNLOCKED_GRACE 600

/* ---- reading ---- */

static int refuse(const struct stat *st)
{
	errno = S_ISDIR(st->st_mode) ? EISDIR : 0;
	return HG_ENOTREG;
}

void hg_fs_prefetch_fd(int fd)
{
#ifdef POSIX_FADV_WILLNEED
	/* Linux reads at most a read-ahead window per call (read_ahead_kb, or
	 * the device's largest request, whichever is larger: 128 KiB to a few
	 * MiB): asked a piece at a time, the whole file is asked for */
	const off_t step = (off_t)512 << 10;
	struct stat st;
	off_t at;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	for (at = 0; at < st.st_size; at += step)
		(void)posix_fadvise(fd, at, step, POSIX_FADV_WILLNEED);
#else
	(void)fd;
#endif
}

void hg_fs_prefetch(const char *path)
{
	struct stat st;
	int fd;
	/* a FIFO or a device is not opened at all (opening one can act on it) */
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return;
	hg_fs_prefetch_fd(fd); /* checks again what it is: it may have been replaced */
	close(fd);
}

int hg_fs_read(hg_buf *out, const char *path, size_t limit, size_t *size_out)
{
	struct stat st, fst;
	size_t start = out->size, got = 0;
	int fd, e;

	if (size_out)
		*size_out = 0;
	if (stat(path, &st) < 0)
		return HG_EIO;
	if (!S_ISREG(st.st_mode))
		return refuse(&st);
	if ((uint64_t)st.st_size > limit) {
		if (size_out)
			*size_out = (size_t)st.st_size;
		return HG_EINVALID;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return HG_EIO;
	if (fstat(fd, &fst) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return HG_EIO;
	}
	if (!S_ISREG(fst.st_mode)) { /* replaced between the stat and the open */
		close(fd);
		return refuse(&fst);
	}
	/* One read into a buffer of the file's size; a file that grows since
	 * the fstat is read up to one byte past the limit, which is enough to
	 * know it is too large. */
	hg_buf_grow(out, (size_t)fst.st_size + 1);
	for (;;) {
		size_t room;
		ssize_t n;
		hg_buf_grow(out, 65536);
		room = out->asize - out->size - 1;
		if (room > limit + 1 - got)
			room = limit + 1 - got;
		n = read(fd, out->ptr + out->size, room);
		if (n < 0) {
			e = errno;
			if (e == EINTR)
				continue;
			close(fd);
			hg_buf_truncate(out, start);
			errno = e;
			return HG_EIO;
		}
		if (n == 0)
			break;
		out->size += (size_t)n;
		out->ptr[out->size] = '\0';
		got += (size_t)n;
		if (got > limit) {
			close(fd);
			hg_buf_truncate(out, start);
			if (size_out)
				*size_out = got;
			return HG_EINVALID;
		}
	}
	close(fd);
	if (size_out)
		*size_out = got;
	/* A UTF-8 byte order mark is not text (PowerShell and Notepad write one). */
	if (got >= 3 && memcmp(out->ptr + start, "\xEF\xBB\xBF", 3) == 0) {
		memmove(out->ptr + start, out->ptr + start + 3, got - 3);
		hg_buf_truncate(out, out->size - 3);
	}
	return 0;
}

const char *hg_fs_reason(int rc, int err, const char *path)
{
	struct stat st;

	if (rc == HG_EINVALID)
		return HG_BI("the file is too large", "ファイルが大きすぎます");
	if (rc != HG_ENOTREG)
		return strerror(err);
	if (stat(path, &st) < 0)
		return HG_BI("it is not a regular file", "通常のファイルではありません");
	if (S_ISDIR(st.st_mode))
		return HG_BI("it is a directory, not a file", "ファイルではなくディレクトリです");
	if (S_ISFIFO(st.st_mode))
		return HG_BI(
		        "it is a FIFO (named pipe), not a regular file; nothing was read from it",
		        "FIFO (名前付きパイプ) "
		        "で、通常のファイルではありません。何も読んでいません");
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return HG_BI("it is a device, not a regular file; nothing was read from it",
		        "デバイスで、通常のファイルではありません。何も読んでいません");
	if (S_ISSOCK(st.st_mode))
		return HG_BI("it is a socket, not a regular file; nothing was read from it",
		        "ソケットで、通常のファイルではありません。何も読んでいません");
	return HG_BI("it is not a regular file", "通常のファイルではありません");
}

void hg_diag_too_large(hg_diags *d, const hg_span *s, size_t size)
{
	char got[96], lim[32];

	if (size == SIZE_MAX)
		snprintf(got, sizeof(got), "more than %u bytes\x1f%u バイト超", HG_FS_MAX_INPUT,
		        HG_FS_MAX_INPUT);
	else
		snprintf(got, sizeof(got), "%zu bytes\x1f%zu バイト", size, size);
	snprintf(lim, sizeof(lim), "%u", HG_FS_MAX_INPUT);
	hg_diag_add(d, HG_D_FILE_TOO_LARGE, s, got, lim, NULL);
}

void hg_fs_diag(hg_diags *d, const hg_span *at, const char *display, const char *path, int rc,
        int err, size_t size)
{
	if (rc == HG_EINVALID) {
		hg_span s;
		memset(&s, 0, sizeof(s));
		s.file = hg_diags_source(d, display, NULL, 0);
		hg_diag_too_large(d, &s, size);
		return;
	}
	hg_diag_add(d, HG_D_IO_READ, at, display, hg_fs_reason(rc, err, path), NULL);
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

/* ---- writing ---- */

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

/* Six characters for a temporary name; unpredictable enough, never repeated in a run. */
static void suffix(char out[7])
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static uint64_t counter;
	struct timespec ts;
	uint64_t x;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40) ^
	    (++counter * 0x9E3779B97F4A7C15u);
	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9u;
	x ^= x >> 27;
	for (i = 0; i < 6; i++) {
		out[i] = abc[x % 62];
		x /= 62;
	}
	out[6] = '\0';
}

/*
 * Whether name (in directory dfd) is a leftover of a killed run: a regular
 * file (dir: a directory of an older hinagata with its lock file inside)
 * of this user whose lock no process holds. Nothing is followed or blocked on. *fd_out keeps the lock
 * taken (close it after removing). A directory without a lock file is a
 * leftover once it is UNLOCKED_GRACE seconds old.
 */
static bool leftover(int dfd, const char *name, bool dir, int *fd_out)
{
	struct stat st;
	int fd, lk;

	*fd_out = -1;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != geteuid())
		return false;
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return false;
	if (!dir) {
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return false;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			return false;
		}
		*fd_out = fd;
		return true;
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	lk = openat(fd, LOCK_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	close(fd);
	if (lk < 0) /* killed before it took its lock, or made by an older hinagata */
		return errno == ENOENT && time(NULL) - st.st_mtime > UNLOCKED_GRACE;
	if (flock(lk, LOCK_EX | LOCK_NB) < 0) {
		close(lk);
		return false;
	}
	*fd_out = lk;
	return true;
}

/* Remove base.tmp.XXXXXX files in dir that killed writes of base left. */
static void clean_temp_files(const char *dir, const char *base)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	size_t blen = strlen(base);

	if (!dp)
		return;
	while ((de = readdir(dp)) != NULL) {
		const char *n = de->d_name;
		int fd;
		if (strncmp(n, base, blen) != 0 || strncmp(n + blen, ".tmp.", 5) != 0 ||
		        strlen(n + blen + 5) != 6)
			continue;
		if (leftover(dirfd(dp), n, false, &fd)) {
			unlinkat(dirfd(dp), n, 0);
			close(fd);
		}
	}
	closedir(dp);
}

/* Flush a directory's entries (after a rename into it). */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc, e;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	e = errno;
	close(fd);
	if (rc < 0 && e == EINVAL) /* a file system that cannot sync directories */
		rc = 0;
	errno = e;
	return rc;
}

/* The directory of path ("." or "/" when it has none), new in b. */
static void dir_of(hg_buf *b, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash && slash != path)
		hg_buf_put(b, path, (size_t)(slash - path));
	else
		hg_buf_puts(b, slash ? "/" : ".");
}

int hg_fs_out_open(hg_fs_out *o, const char *path)
{
	hg_buf dir = HG_BUF_INIT;
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd = -1, e, tries, k;
	char *tmp;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->slot = -1;
	dir_of(&dir, path);
	if ((slash && slash != path && hg_fs_mkdirs(dir.ptr) < 0) ||
	        strlen(path) + 32 > sizeof(tmp_paths[0]) || (k = slot_claim()) < 0) {
		e = strlen(path) + 32 > sizeof(tmp_paths[0]) ? ENAMETOOLONG : errno ? errno : EBUSY;
		hg_buf_dispose(&dir);
		errno = e;
		return HG_EIO;
	}
	tmp = tmp_paths[k];
	clean_temp_files(dir.ptr, slash ? slash + 1 : path);
	hg_buf_dispose(&dir);
	/* The temporary name sits beside the target so rename() stays atomic. */
	for (tries = 0; fd < 0 && tries < 64; tries++) {
		char sfx[7];
		suffix(sfx);
		snprintf(tmp, sizeof(tmp_paths[0]), "%s.tmp.%s", path, sfx);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0) {
			e = errno;
			slot_release(k);
			errno = e;
			return HG_EIO;
		}
		tmp_lives[k] = 2;
		if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
			e = errno;
			unlink(tmp);
			close(fd);
			slot_release(k);
			errno = e;
			return HG_EIO;
		}
		if (st.st_nlink == 0) { /* another run's clean-up took it for a leftover */
			close(fd);
			tmp_lives[k] = 1;
			fd = -1;
		}
	}
	if (fd < 0) {
		slot_release(k);
		errno = EEXIST;
		return HG_EIO;
	}
	o->fd = fd;
	o->slot = k;
	o->path = path;
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
	hg_buf dir = HG_BUF_INIT;
	int e, rc = 0;

	if (o->fd < 0 || o->slot < 0)
		return HG_EIO;
	if (o->failed || fsync(o->fd) < 0) {
		e = o->failed ? o->failed : errno;
		hg_fs_out_abort(o);
		errno = e;
		return HG_EIO;
	}
	/* Renamed while still locked, so no clean-up can take it before. */
	if (rename(tmp_paths[o->slot], o->path) < 0) {
		e = errno;
		hg_fs_out_abort(o);
		errno = e;
		return HG_EIO;
	}
	slot_release(o->slot);
	o->slot = -1;
	dir_of(&dir, o->path);
	if (close(o->fd) < 0 || sync_dir(dir.ptr) < 0)
		rc = HG_EIO;
	o->fd = -1;
	e = errno;
	hg_buf_dispose(&dir);
	errno = e;
	return rc;
}

void hg_fs_out_abort(hg_fs_out *o)
{
	int e = errno;
	if (o->slot >= 0) {
		if (tmp_lives[o->slot] == 2)
			unlink(tmp_paths[o->slot]);
		slot_release(o->slot);
	}
	o->slot = -1;
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
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
	int i;
	for (i = 0; i < TMP_SLOTS; i++)
		if (tmp_lives[i] == 2)
			unlink(tmp_paths[i]);
}

/* ---- temporary directories ---- */

/* The live temporary directories of this process and the fds holding their locks. */
static struct tempdir {
	char *path;
	int lock;
} * tempdirs;
static size_t ntempdirs, captempdirs;

static const char *tmp_root(void)
{
	const char *t = getenv("TMPDIR");
	return t && t[0] == '/' ? t : "/tmp";
}

/* Whether fd is still the file at path (a cleaner may have removed it before it was locked). */
static bool still_there(int dfd, const char *path, int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && fstatat(dfd, path, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int hg_fs_mkdtemp(hg_buf *out, const char *what)
{
	hg_buf p = HG_BUF_INIT;
	const char *root = tmp_root();
	size_t rlen = strlen(root), dlen;
	int fd = -1, e = EEXIST, tries;
	char s[7];

	while (rlen > 1 && root[rlen - 1] == '/')
		rlen--;
	for (tries = 0; tries < 100; tries++) {
		hg_buf_truncate(&p, 0);
		suffix(s);
		hg_buf_printf(&p, "%.*s/hinagata-%s-%s", (int)rlen, root, what, s);
		dlen = p.size;
		hg_buf_puts(&p, LOCK_SUFFIX);
		fd = open(p.ptr, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			e = errno;
			if (e == EEXIST)
				continue;
			break;
		}
		if (flock(fd, LOCK_EX) < 0) {
			e = errno;
			unlink(p.ptr);
			close(fd);
			fd = -1;
			break;
		}
		if (!still_there(AT_FDCWD, p.ptr, fd)) { /* taken for a dead run's in between */
			close(fd);
			fd = -1;
			continue;
		}
		hg_buf_truncate(&p, dlen);
		if (mkdir(p.ptr, 0700) == 0)
			break;
		e = errno;
		hg_buf_puts(&p, LOCK_SUFFIX);
		unlink(p.ptr);
		close(fd);
		fd = -1;
		if (e != EEXIST)
			break;
	}
	if (fd < 0) {
		hg_buf_dispose(&p);
		errno = e;
		return HG_EIO;
	}
	HG_GROW(tempdirs, captempdirs, ntempdirs + 1);
	tempdirs[ntempdirs].path = hg_xstrdup(p.ptr);
	tempdirs[ntempdirs].lock = fd;
	ntempdirs++;
	hg_buf_put(out, p.ptr, p.size);
	hg_buf_dispose(&p);
	return 0;
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
	size_t i;

	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < ntempdirs; i++)
		if (strcmp(tempdirs[i].path, dir) == 0) {
			hg_buf lock = HG_BUF_INIT;
			hg_buf_printf(&lock, "%s%s", dir, LOCK_SUFFIX);
			unlink(lock.ptr); /* after the directory: see LOCK_SUFFIX */
			hg_buf_dispose(&lock);
			close(tempdirs[i].lock);
			free(tempdirs[i].path);
			tempdirs[i] = tempdirs[--ntempdirs];
			break;
		}
	if (ntempdirs == 0) {
		free(tempdirs);
		tempdirs = NULL;
		captempdirs = 0;
	}
}

/* Whether n is hinagata-<what>-XXXXXX, followed by tail. */
static bool temp_name(const char *n, const char *tail)
{
	size_t len = strlen(n), tlen = strlen(tail);
	const char *dash;

	if (strncmp(n, "hinagata-", 9) != 0 || len < tlen + 16 || strcmp(n + len - tlen, tail) != 0)
		return false;
	len -= tlen;
	dash = n + len - 7;
	return *dash == '-' && memchr(dash + 1, '-', 6) == NULL;
}

/*
 * The lock file name (hinagata-<what>-XXXXXX.lock) in directory dp: when no
 * process holds it, remove its directory, then it.
 */
static void clean_lock(DIR *dp, const char *root, const char *n)
{
	hg_buf path = HG_BUF_INIT;
	struct stat st;
	int lk;

	if (!leftover(dirfd(dp), n, false, &lk))
		return;
	if (still_there(dirfd(dp), n, lk)) {
		hg_buf_printf(&path, "%s/%.*s", root, (int)(strlen(n) - strlen(LOCK_SUFFIX)), n);
		if (lstat(path.ptr, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
			nftw(path.ptr, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		unlinkat(dirfd(dp), n, 0);
	}
	close(lk);
	hg_buf_dispose(&path);
}

void hg_fs_clean_leftovers(void)
{
	const char *root = tmp_root();
	DIR *dp = opendir(root);
	struct dirent *de;
	struct stat st;

	if (!dp)
		return;
	while ((de = readdir(dp)) != NULL) {
		const char *n = de->d_name;
		hg_buf path = HG_BUF_INIT;
		int lock;
		if (temp_name(n, LOCK_SUFFIX)) {
			clean_lock(dp, root, n);
			continue;
		}
		if (!temp_name(n, ""))
			continue;
		hg_buf_printf(&path, "%s%s", n, LOCK_SUFFIX);
		if (fstatat(dirfd(dp), path.ptr, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
		        !leftover(dirfd(dp), n, true, &lock)) { /* its lock's, or kept */
			hg_buf_dispose(&path);
			continue;
		}
		hg_buf_truncate(&path, 0);
		hg_buf_printf(&path, "%s/%s", root, n);
		nftw(path.ptr, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		if (lock >= 0)
			close(lock);
		hg_buf_dispose(&path);
	}
	closedir(dp);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int hg_fs_list_dir(const char *dir, char ***names, size_t *n)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	size_t cap = 0;
	int err;

	*names = NULL;
	*n = 0;
	if (!dp)
		return HG_EIO;
	for (;;) {
		errno = 0;
		if ((de = readdir(dp)) == NULL)
			break;
		if (de->d_name[0] == '.' || strcmp(de->d_name, "node_modules") == 0)
			continue;
		HG_GROW(*names, cap, *n + 1);
		(*names)[(*n)++] = hg_xstrdup(de->d_name);
	}
	err = errno;
	closedir(dp);
	if (*n > 1) /* an empty directory has no array: qsort(NULL) is undefined */
		qsort(*names, *n, sizeof(**names), cmp_name);
	if (err) {
		hg_fs_names_free(*names, *n);
		*names = NULL;
		*n = 0;
		errno = err;
		return HG_EIO;
	}
	return 0;
}

void hg_fs_names_free(char **names, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
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
