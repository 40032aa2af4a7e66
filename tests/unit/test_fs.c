/*
 * test_fs.c: whole-file reads with a size limit (regular files only),
 * atomic writes (umask, leftovers of killed runs), temporary directories,
 * directory listings.
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fs.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/hg-fs-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(fs, .init = setup, .fini = teardown);

static int count_entries(const char *path)
{
	DIR *dp = opendir(path);
	struct dirent *de;
	int n = 0;
	cr_assert_not_null(dp);
	while ((de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dp);
	return n;
}

Test(fs, atomic_write_creates_parents_and_replaces)
{
	char path[128];
	hg_buf b = HG_BUF_INIT;
	snprintf(path, sizeof(path), "%s/a/b/out.json", dir);
	cr_assert_eq(hg_fs_write_atomic(path, "one\n", 4), 0);
	cr_assert_eq(hg_fs_write_atomic(path, "two\n", 4), 0);
	cr_assert_eq(hg_fs_read(&b, path, 100, NULL), 0);
	cr_assert_str_eq(b.ptr, "two\n");
	hg_buf_dispose(&b);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	cr_assert_eq(count_entries(path), 1); /* no temporary file left */
}

Test(fs, failed_write_leaves_the_old_file_and_no_temporary)
{
	char path[128], sub[128];
	hg_buf b = HG_BUF_INIT;
	snprintf(path, sizeof(path), "%s/out.json", dir);
	cr_assert_eq(hg_fs_write_atomic(path, "old\n", 4), 0);
	/* A directory where the file should go makes rename() fail. */
	snprintf(sub, sizeof(sub), "%s/blocked", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/blocked/x", dir);
	cr_assert_eq(hg_fs_write_atomic(sub, "", 0), 0);
	snprintf(sub, sizeof(sub), "%s/blocked", dir);
	cr_assert_eq(hg_fs_write_atomic(sub, "new\n", 4), HG_EIO);
	cr_assert_eq(count_entries(dir), 2);
	cr_assert_eq(hg_fs_read(&b, path, 100, NULL), 0);
	cr_assert_str_eq(b.ptr, "old\n");
	hg_buf_dispose(&b);
}

Test(fs, read_reports_size_limit_and_directories)
{
	char path[128];
	hg_buf b = HG_BUF_INIT;
	size_t size = 0;
	snprintf(path, sizeof(path), "%s/big", dir);
	cr_assert_eq(hg_fs_write_atomic(path, "0123456789", 10), 0);
	cr_assert_eq(hg_fs_read(&b, path, 5, &size), HG_EINVALID);
	cr_assert_eq(size, 10);
	cr_assert_eq(b.size, 0);
	cr_assert_eq(hg_fs_read(&b, dir, 5, &size), HG_ENOTREG);
	cr_assert_eq(errno, EISDIR);
	snprintf(path, sizeof(path), "%s/missing", dir);
	cr_assert_eq(hg_fs_read(&b, path, 5, &size), HG_EIO);
	cr_assert_eq(errno, ENOENT);
	hg_buf_dispose(&b);
}

/* A device is refused before a byte is read (it used to be read up to the limit). */
Test(fs, read_refuses_a_device)
{
	hg_buf b = HG_BUF_INIT;
	size_t size = 0;
	cr_assert_eq(hg_fs_read(&b, "/dev/zero", 100000, &size), HG_ENOTREG);
	cr_assert_eq(b.size, 0);
	cr_assert_str_eq(hg_fs_reason(HG_ENOTREG, errno, "/dev/zero"),
	        "it is a device, not a regular file; nothing was read from it"
	        "\x1f"
	        "デバイスで、通常のファイルではありません。何も読んでいません");
	hg_buf_dispose(&b);
}

/* A FIFO without a writer: open(2) would block forever; the read returns at once. */
Test(fs, read_refuses_a_fifo_without_blocking, .timeout = 10)
{
	char path[128];
	hg_buf b = HG_BUF_INIT;
	snprintf(path, sizeof(path), "%s/pipe.yaml", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(hg_fs_read(&b, path, 100, NULL), HG_ENOTREG);
	cr_assert_str_eq(hg_fs_reason(HG_ENOTREG, errno, path),
	        "it is a FIFO (named pipe), not a regular file; nothing was read from it"
	        "\x1f"
	        "FIFO (名前付きパイプ) で、通常のファイルではありません。何も読んでいません");
	hg_buf_dispose(&b);
}

/*
 * A read-ahead hint (hg_fs_prefetch) does not open what is not a regular
 * file: a writer waiting in open() on a FIFO stays waiting (opening the
 * FIFO to read would release it, and closing it then break its pipe).
 */
Test(fs, prefetch_leaves_a_fifo_unopened, .timeout = 10)
{
	char path[128];
	pid_t pid;
	int status, fd;
	snprintf(path, sizeof(path), "%s/pipe.json", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) /* the writer: released only when someone opens the FIFO to read */
		_exit(open(path, O_WRONLY) >= 0 ? 0 : 1);
	usleep(100000);
	hg_fs_prefetch(path);
	usleep(300000);
	cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "the FIFO was opened");
	fd = open(path, O_RDONLY); /* now release it */
	cr_assert_geq(fd, 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	/* a missing path and a directory: nothing happens */
	snprintf(path, sizeof(path), "%s/missing.json", dir);
	hg_fs_prefetch(path);
	hg_fs_prefetch(dir);
}

/* A regular file is hinted whole and read back the same. */
Test(fs, prefetch_of_a_file_changes_nothing)
{
	char path[128];
	hg_buf b = HG_BUF_INIT;
	static char big[(3 << 20) + 17];
	size_t i;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/big.json", dir);
	cr_assert_eq(hg_fs_write_atomic(path, big, sizeof(big)), 0);
	hg_fs_prefetch(path);
	cr_assert_eq(hg_fs_read(&b, path, sizeof(big), NULL), 0);
	cr_assert_eq(b.size, sizeof(big));
	cr_assert(memcmp(b.ptr, big, sizeof(big)) == 0);
	hg_buf_dispose(&b);
}

/* A 1 GiB sparse file is refused by its size, not read. */
Test(fs, read_refuses_a_sparse_giant_by_its_size)
{
	char path[128];
	hg_buf b = HG_BUF_INIT;
	size_t size = 0;
	FILE *f;
	snprintf(path, sizeof(path), "%s/sparse.yaml", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	cr_assert_eq(ftruncate(fileno(f), (off_t)1 << 30), 0);
	fclose(f);
	cr_assert_eq(hg_fs_read(&b, path, HG_FS_MAX_INPUT, &size), HG_EINVALID);
	cr_assert_eq(size, (size_t)1 << 30);
	cr_assert_eq(b.asize, 0); /* nothing allocated, nothing read */
	hg_buf_dispose(&b);
}

/* PowerShell and Notepad start UTF-8 files with a byte order mark: it is dropped. */
Test(fs, read_drops_a_utf8_bom)
{
	char path[128];
	hg_buf b = HG_BUF_INIT;
	snprintf(path, sizeof(path), "%s/bom.yaml", dir);
	cr_assert_eq(hg_fs_write_atomic(path, "\xEF\xBB\xBFhinagata: 1\n", 15), 0);
	cr_assert_eq(hg_fs_read(&b, path, 100, NULL), 0);
	cr_assert_str_eq(b.ptr, "hinagata: 1\n");
	cr_assert_eq(b.size, 12);
	hg_buf_dispose(&b);
}

static mode_t mode_written(mode_t mask)
{
	char path[128];
	struct stat st;
	mode_t old = umask(mask);
	snprintf(path, sizeof(path), "%s/report-%03o.json", dir, (unsigned)mask);
	cr_assert_eq(hg_fs_write_atomic(path, "{}\n", 3), 0);
	umask(old);
	cr_assert_eq(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Reports carry deployed values: a umask of 077 must keep them private. */
Test(fs, outputs_honour_the_umask)
{
	cr_assert_eq(mode_written(077), 0600);
	cr_assert_eq(mode_written(022), 0644);
	cr_assert_eq(mode_written(002), 0664);
}

/* A child that takes a lock on path and waits until it is killed; returns its pid. */
static pid_t hold_lock(const char *path)
{
	int pfd[2];
	char c;
	pid_t pid;
	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int fd = open(path, O_RDONLY);
		if (fd < 0 || flock(fd, LOCK_EX) < 0)
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	cr_assert_eq(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	close(pfd[1]);
	return pid;
}

/*
 * A write killed between creating its temporary file and renaming it leaves
 * out.json.tmp.XXXXXX; the next write of out.json removes it, but not the
 * temporary file of a write still running (it holds its lock).
 */
Test(fs, a_write_removes_what_killed_writes_left)
{
	char path[128], dead[160], live[160];
	pid_t pid;
	int status;
	snprintf(path, sizeof(path), "%s/out.json", dir);
	snprintf(dead, sizeof(dead), "%s.tmp.Ab3dEf", path);
	snprintf(live, sizeof(live), "%s.tmp.Zz9yXw", path);
	cr_assert_eq(hg_fs_write_atomic(dead, "{", 1), 0);
	cr_assert_eq(hg_fs_write_atomic(live, "{", 1), 0);
	pid = hold_lock(live);
	cr_assert_eq(hg_fs_write_atomic(path, "{}\n", 3), 0);
	cr_assert_eq(access(dead, F_OK), -1);
	cr_assert_eq(access(live, F_OK), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	cr_assert_eq(hg_fs_write_atomic(path, "{}\n", 3), 0);
	cr_assert_eq(access(live, F_OK), -1);
	cr_assert_eq(count_entries(dir), 1);
}

/*
 * A run killed while it had a temporary directory leaves it behind; the next
 * run removes it, and leaves the one a live run holds. The lock is made
 * before the directory and removed after it: a run killed in between leaves
 * only the lock, and no directory of a live run is ever without one.
 */
Test(fs, leftover_directories_of_killed_runs_are_removed)
{
	hg_buf mine = HG_BUF_INIT;
	char lock[256], other[256];
	pid_t pid;
	int status, pfd[2], fd;
	char c;

	cr_assert_eq(setenv("TMPDIR", dir, 1), 0);
	cr_assert_eq(hg_fs_mkdtemp(&mine, "git"), 0);
	cr_assert_eq(strncmp(mine.ptr, dir, strlen(dir)), 0);
	snprintf(lock, sizeof(lock), "%s.lock", mine.ptr);
	cr_assert_eq(access(lock, F_OK), 0);
	cr_assert_eq(count_entries(dir), 2);
	/* A child makes one and is killed with it. */
	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		hg_buf t = HG_BUF_INIT;
		if (hg_fs_mkdtemp(&t, "git") < 0 || write(pfd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	cr_assert_eq(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	close(pfd[1]);
	cr_assert_eq(count_entries(dir), 4);
	hg_fs_clean_leftovers(); /* the child is alive: nothing goes */
	cr_assert_eq(count_entries(dir), 4);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	hg_fs_clean_leftovers();
	cr_assert_eq(count_entries(dir), 2);
	cr_assert_eq(access(lock, F_OK), 0);
	cr_assert_eq(access(mine.ptr, F_OK), 0);
	/* Killed between its lock and its directory: the lock goes. */
	snprintf(other, sizeof(other), "%s/hinagata-git-Lck123.lock", dir);
	cr_assert((fd = open(other, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	/* An older hinagata's directory, its lock inside and free: it goes. */
	snprintf(other, sizeof(other), "%s/hinagata-git-Old123", dir);
	cr_assert_eq(mkdir(other, 0700), 0);
	snprintf(other, sizeof(other), "%s/hinagata-git-Old123/.hinagata-lock", dir);
	cr_assert((fd = open(other, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	/* A directory whose lock a live process holds stays, whatever is inside. */
	snprintf(other, sizeof(other), "%s/hinagata-git-Hld123", dir);
	cr_assert_eq(mkdir(other, 0700), 0);
	snprintf(other, sizeof(other), "%s/hinagata-git-Hld123.lock", dir);
	cr_assert((fd = open(other, O_CREAT | O_RDWR, 0600)) >= 0);
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	cr_assert_eq(count_entries(dir), 6);
	hg_fs_clean_leftovers();
	cr_assert_eq(count_entries(dir), 4);
	close(fd); /* its holder ends */
	hg_fs_clean_leftovers();
	cr_assert_eq(count_entries(dir), 2);
	/* Not followed: a symlink named like a leftover stays, and so does its target. */
	snprintf(other, sizeof(other), "%s/hinagata-git-Sym123", dir);
	cr_assert_eq(symlink(mine.ptr, other), 0);
	snprintf(other, sizeof(other), "%s/hinagata-git-Sym456.lock", dir);
	cr_assert_eq(symlink(lock, other), 0);
	hg_fs_clean_leftovers();
	cr_assert_eq(count_entries(dir), 4);
	cr_assert_eq(unlink(other), 0);
	snprintf(other, sizeof(other), "%s/hinagata-git-Sym123", dir);
	cr_assert_eq(unlink(other), 0);
	hg_fs_remove_tree(mine.ptr);
	cr_assert_eq(count_entries(dir), 0);
	hg_buf_dispose(&mine);
	unsetenv("TMPDIR");
}

Test(fs, a_listing_is_sorted_without_hidden_names_and_node_modules)
{
	char p[128], **names;
	size_t n;
	const char *const make[] = {"b.yaml", "a", ".git", "node_modules", "A.json"};
	size_t i;

	for (i = 0; i < sizeof(make) / sizeof(*make); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, make[i]);
		cr_assert_eq(mkdir(p, 0700), 0);
	}
	cr_assert_eq(hg_fs_list_dir(dir, &names, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(names[0], "A.json"); /* byte order, whatever readdir's */
	cr_assert_str_eq(names[1], "a");
	cr_assert_str_eq(names[2], "b.yaml");
	hg_fs_names_free(names, n);
	snprintf(p, sizeof(p), "%s/a", dir);
	cr_assert_eq(hg_fs_list_dir(p, &names, &n), 0);
	cr_assert_null(names, "an empty directory has no array");
	cr_assert_eq(n, 0);
	snprintf(p, sizeof(p), "%s/missing", dir);
	cr_assert_eq(hg_fs_list_dir(p, &names, &n), HG_EIO);
	cr_assert_eq(errno, ENOENT);
}
