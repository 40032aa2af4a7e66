/*
 * ignore.c: .hinagataignore (see ignore.h).
 * Part of hinagata; see LICENSE.
 */
#include "ignore.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fs.h"
#include "../compiler/yaml_load.h"

struct rule {
	const char *type, *resource, *path, *account, *region, *reason, *expires;
	hg_span span;
	bool expired;
};

struct hg_ignore {
	hg_arena *a;
	struct rule *rules;
	size_t n;
};

static const char *const KEYS[] = {"type", "resource", "path", "account", "region", "reason", "expires"};
#define RULE_WHAT HG_BI("an ignore rule", "無視ルール")

static bool valid_date(const char *s)
{
	int i;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return atoi(s + 5) >= 1 && atoi(s + 5) <= 12 && atoi(s + 8) >= 1 && atoi(s + 8) <= 31;
}

static int read_rule(hg_ignore *ig, const hg_node *n, const char *today, hg_diags *d)
{
	struct rule *r = &ig->rules[ig->n];
	size_t i, k;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	r->span = n->span;
	if (n->kind != HG_NODE_MAP) {
		hg_diag_add(d, HG_D_WRONG_TYPE, &n->span, RULE_WHAT, HG_BI("a mapping", "マッピング"),
		        hg_node_kind_name(n), NULL);
		return HG_EINVALID;
	}
	for (i = 0; i < n->u.map.n; i++) {
		const hg_pair *p = &n->u.map.pairs[i];
		const char *key = p->key->u.scalar.str;
		const char **slot = NULL;
		for (k = 0; k < sizeof(KEYS) / sizeof(*KEYS); k++)
			if (strcmp(key, KEYS[k]) == 0)
				slot = &(&r->type)[k];
		if (!slot) {
			hg_diag_add(d, HG_D_UNKNOWN_KEY, &p->key->span, key, RULE_WHAT, NULL);
			rc = HG_EINVALID;
			continue;
		}
		if (p->value->kind != HG_NODE_SCALAR) {
			hg_diag_add(d, HG_D_WRONG_TYPE, &p->value->span, key, HG_BI("a string", "文字列"),
			        hg_node_kind_name(p->value), NULL);
			rc = HG_EINVALID;
			continue;
		}
		*slot = p->value->u.scalar.str;
		if (slot == &r->expires && !valid_date(r->expires)) {
			hg_diag_add(d, HG_D_IGNORE_DATE, &p->value->span, r->expires, NULL);
			rc = HG_EINVALID;
		}
	}
	if (!r->reason || !*r->reason) {
		hg_diag_add(d, HG_D_MISSING_KEY, &n->span, "reason", RULE_WHAT, NULL);
		rc = HG_EINVALID;
	}
	if (rc == 0 && r->expires && strcmp(r->expires, today) < 0) {
		const hg_pair *p = hg_node_pair(n, "expires");
		r->expired = true;
		hg_diag_add(d, HG_D_IGNORE_EXPIRED, &p->value->span, r->expires, NULL);
	}
	if (rc == 0)
		ig->n++;
	return rc;
}

int hg_ignore_load(hg_ignore **out, const char *path, const char *today, hg_diags *d)
{
	hg_buf text = HG_BUF_INIT;
	hg_yaml_options yo = HG_YAML_OPTIONS_INIT;
	hg_ignore *ig;
	hg_node *root = NULL, *list;
	const char *file;
	size_t size, i;
	int rc = 0;

	*out = NULL;
	if ((rc = hg_fs_read(&text, path, HG_FS_MAX_INPUT, &size)) < 0) {
		/* too large is a reason too, not "cannot read ...: Success" */
		hg_fs_diag(d, NULL, path, path, rc, errno, size);
		hg_buf_dispose(&text);
		return HG_EIO;
	}
	file = hg_diags_source(d, path, text.ptr, text.size);
	ig = hg_xcalloc(1, sizeof(*ig));
	ig->a = hg_arena_new();
	if (hg_yaml_load(&root, ig->a, d, file, text.ptr, text.size, &yo) < 0) {
		rc = HG_EINVALID;
		goto out;
	}
	list = hg_node_get(root, "ignore");
	if (!list || list->kind != HG_NODE_SEQ) {
		hg_span at = list ? list->span : root->span;
		hg_diag_add(d, HG_D_WRONG_TYPE, &at, "ignore", HG_BI("a list", "リスト"),
		        list ? hg_node_kind_name(list) : HG_BI("nothing", "何もない"), NULL);
		rc = HG_EINVALID;
		goto out;
	}
	for (i = 0; root->kind == HG_NODE_MAP && i < root->u.map.n; i++)
		if (strcmp(root->u.map.pairs[i].key->u.scalar.str, "ignore") != 0) {
			hg_diag_add(d, HG_D_UNKNOWN_KEY, &root->u.map.pairs[i].key->span,
			        root->u.map.pairs[i].key->u.scalar.str, path, NULL);
			rc = HG_EINVALID;
		}
	ig->rules = HG_ANEWN(ig->a, struct rule, list->u.seq.n + 1);
	for (i = 0; i < list->u.seq.n; i++)
		if (read_rule(ig, list->u.seq.items[i], today, d) < 0)
			rc = HG_EINVALID;
out:
	hg_buf_dispose(&text);
	if (rc < 0) {
		hg_ignore_free(ig);
		return rc;
	}
	*out = ig;
	return 0;
}

void hg_ignore_free(hg_ignore *ig)
{
	if (!ig)
		return;
	hg_arena_dispose(ig->a);
	free(ig);
}

static bool glob(const char *pattern, const char *s)
{
	return !pattern || (s && fnmatch(pattern, s, 0) == 0);
}

static bool path_match(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);
	if (fnmatch(pattern, path, 0) == 0)
		return true;
	return strncmp(pattern, path, n) == 0 && path[n] == '/'; /* a parent covers its children */
}

static bool matches(const struct rule *r, const hg_drift_result *x)
{
	if (r->expired || !glob(r->type, x->type))
		return false;
	if (r->resource && !glob(r->resource, x->logical_id) && !glob(r->resource, x->physical_id))
		return false;
	return glob(r->account, x->account) && glob(r->region, x->region);
}

static void refuse(const struct rule *r, hg_drift_result *x, const char *path, hg_diags *d)
{
	hg_diag_add(d, HG_D_IGNORE_LOCKED, &r->span, path,
	        x->logical_id ? x->logical_id : (x->physical_id ? x->physical_id : "?"), NULL);
}

static void apply_rule(hg_arena *a, const struct rule *r, hg_drift_result *x, hg_diags *d)
{
	size_t k;
	bool refused = false;

	if (!r->path) {
		for (k = 0; k < x->ndiffs; k++) {
			if (x->diffs[k].locked && x->mandatory) {
				if (!refused)
					refuse(r, x, x->diffs[k].path, d);
				refused = true;
				continue;
			}
			x->diffs[k].ignored = true;
			x->diffs[k].ignore_reason = hg_arena_strdup(a, r->reason);
			x->diffs[k].ignore_expires = r->expires ? hg_arena_strdup(a, r->expires) : NULL;
		}
		if (x->status == HG_DS_DELETED && x->mandatory) {
			refuse(r, x, "/", d);
			return;
		}
		if (!refused) {
			x->ignored = true;
			x->ignore_reason = hg_arena_strdup(a, r->reason);
			x->ignore_expires = r->expires ? hg_arena_strdup(a, r->expires) : NULL;
		}
		return;
	}
	for (k = 0; k < x->ndiffs; k++) {
		if (!path_match(r->path, x->diffs[k].path))
			continue;
		if (x->diffs[k].locked && x->mandatory) {
			if (!refused)
				refuse(r, x, x->diffs[k].path, d);
			refused = true;
			continue;
		}
		x->diffs[k].ignored = true;
		x->diffs[k].ignore_reason = hg_arena_strdup(a, r->reason);
		x->diffs[k].ignore_expires = r->expires ? hg_arena_strdup(a, r->expires) : NULL;
	}
}

size_t hg_ignore_expired(hg_ignore *ig, hg_arena *a, hg_expired_rule **out)
{
	size_t k, n = 0;

	*out = NULL;
	for (k = 0; ig && k < ig->n; k++)
		if (ig->rules[k].expired)
			n++;
	if (!n)
		return 0;
	*out = HG_ANEWN(a, hg_expired_rule, n);
	for (k = 0, n = 0; k < ig->n; k++) {
		const struct rule *r = &ig->rules[k];
		if (!r->expired)
			continue;
		(*out)[n].file = hg_arena_strdup(a, r->span.file);
		(*out)[n].line = r->span.line;
		(*out)[n].reason = hg_arena_strdup(a, r->reason);
		(*out)[n].expires = hg_arena_strdup(a, r->expires);
		n++;
	}
	return n;
}

void hg_ignore_result(hg_ignore *ig, hg_arena *a, hg_drift_result *x, hg_diags *d)
{
	size_t k;

	for (k = 0; ig && k < ig->n; k++)
		if (matches(&ig->rules[k], x))
			apply_rule(a, &ig->rules[k], x, d);
}
