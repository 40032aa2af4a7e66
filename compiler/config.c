/*
 * config.c: .hinagata.yaml, a repository's settings (see config.h).
 * Part of hinagata; see LICENSE.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/fs.h"
#include "../common/util.h"
#include "yaml_load.h"

static bool read_check(hg_config *c, const hg_node *check, hg_diags *d)
{
	static const char *const keys[] = {"exclude", NULL};
	const hg_node *ex;
	bool ok;
	size_t i;

	if (!hg_node_expect(check, HG_NODE_MAP, "check", d))
		return false;
	ok = hg_node_check_keys(check, keys, "check", d);
	if ((ex = hg_node_get(check, "exclude")) == NULL)
		return ok;
	if (!hg_node_expect(ex, HG_NODE_SEQ, "exclude", d))
		return false;
	c->exclude = hg_xcalloc(ex->u.seq.n + 1, sizeof(char *));
	for (i = 0; i < ex->u.seq.n; i++) {
		const hg_node *g = ex->u.seq.items[i];
		if (hg_node_expect(g, HG_NODE_SCALAR, "exclude", d))
			c->exclude[c->nexclude++] = hg_xstrdup(g->u.scalar.str);
		else
			ok = false;
	}
	return ok;
}

/*
 * history: FILE                  (drift records into FILE)
 * history: { file: FILE, record: [drift, check] }
 */
static bool read_history(hg_config *c, const hg_node *h, hg_diags *d)
{
	static const char *const keys[] = {"file", "record", NULL};
	const hg_node *file = h, *rec;
	bool ok = true;
	size_t i;

	c->history_drift = true;
	if (h->kind == HG_NODE_MAP) {
		ok = hg_node_check_keys(h, keys, "history", d);
		file = hg_node_get(h, "file");
		if ((rec = hg_node_get(h, "record")) != NULL) {
			c->history_drift = false;
			if (!hg_node_expect(rec, HG_NODE_SEQ, "record", d))
				return false;
			for (i = 0; i < rec->u.seq.n; i++) {
				const hg_node *g = rec->u.seq.items[i];
				if (g->kind == HG_NODE_SCALAR && strcmp(g->u.scalar.str, "drift") == 0)
					c->history_drift = true;
				else if (g->kind == HG_NODE_SCALAR && strcmp(g->u.scalar.str, "check") == 0)
					c->history_check = true;
				else {
					hg_diag_add(d, HG_D_BAD_ENUM, &g->span, "record", "drift, check",
					        g->kind == HG_NODE_SCALAR ? g->u.scalar.str : "", NULL);
					ok = false;
				}
			}
		}
		if (!file) {
			hg_diag_add(d, HG_D_MISSING_KEY, &h->span, "file", "history", NULL);
			return false;
		}
	}
	if (!hg_node_expect(file, HG_NODE_SCALAR, "history", d) || !*file->u.scalar.str) {
		if (file->kind == HG_NODE_SCALAR)
			hg_diag_add(d, HG_D_WRONG_TYPE, &file->span, "history",
			        HG_BI("a file name", "ファイル名"), HG_BI("an empty string", "空の文字列"), NULL);
		return false;
	}
	c->history = hg_xstrdup(file->u.scalar.str);
	return ok;
}

int hg_config_parse(hg_config *c, const char *path, const char *text, size_t len, hg_diags *d)
{
	static const char *const keys[] = {"check", "history", NULL};
	hg_arena *a = hg_arena_new();
	hg_node *root = NULL;
	const hg_node *check;
	const char *file = hg_diags_source(d, path, text, len);
	int rc;

	memset(c, 0, sizeof(*c));
	rc = hg_yaml_load(&root, a, d, file, text, len, NULL);
	if (rc == 0 && root && hg_node_expect(root, HG_NODE_MAP, HG_CONFIG_FILE, d)) {
		bool ok = hg_node_check_keys(root, keys, HG_CONFIG_FILE, d);
		if ((check = hg_node_get(root, "check")) != NULL)
			ok = read_check(c, check, d) && ok;
		if ((check = hg_node_get(root, "history")) != NULL)
			ok = read_history(c, check, d) && ok;
		rc = ok ? 0 : HG_EINVALID;
	} else if (rc == 0 && root)
		rc = HG_EINVALID;
	hg_arena_dispose(a);
	if (rc < 0)
		hg_config_dispose(c);
	return rc;
}

int hg_config_read(hg_config *c, const char *path, const char *display, hg_diags *d)
{
	hg_buf text = HG_BUF_INIT;
	size_t size;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = hg_fs_read(&text, path, HG_FS_MAX_INPUT, &size);
	if (rc < 0) {
		int e = errno;
		hg_buf_dispose(&text);
		if (rc == HG_EIO && e == ENOENT)
			return 0;
		hg_fs_diag(d, NULL, display ? display : path, path, rc, e, size);
		return HG_EIO;
	}
	rc = hg_config_parse(c, display ? display : path, text.ptr, text.size, d);
	hg_buf_dispose(&text);
	return rc;
}

void hg_config_dispose(hg_config *c)
{
	size_t i;
	for (i = 0; i < c->nexclude; i++)
		free(c->exclude[i]);
	free(c->exclude);
	free(c->history);
	memset(c, 0, sizeof(*c));
}
