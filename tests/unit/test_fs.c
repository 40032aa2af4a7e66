/*
 * test_fs.c: whole-file reads with a size limit, atomic writes.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	cr_assert_eq(hg_fs_read(&b, dir, 5, &size), HG_EIO);
	cr_assert_eq(errno, EISDIR);
	snprintf(path, sizeof(path), "%s/missing", dir);
	cr_assert_eq(hg_fs_read(&b, path, 5, &size), HG_EIO);
	cr_assert_eq(errno, ENOENT);
	hg_buf_dispose(&b);
}

/* A device that never ends: reading stops one byte past the limit. */
Test(fs, read_stops_an_endless_stream)
{
	hg_buf b = HG_BUF_INIT;
	size_t size = 0;
	cr_assert_eq(hg_fs_read(&b, "/dev/zero", 100000, &size), HG_EINVALID);
	cr_assert_eq(size, SIZE_MAX);
	cr_assert_eq(b.size, 100001);
	hg_buf_dispose(&b);
}
