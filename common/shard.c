/*
 * shard.c: the shard of a run, from --shard or a batch engine's
 * environment, and the assignment of keys to shards (see shard.h).
 * Part of hinagata; see LICENSE.
 *
 * Both engines number their workers from 0, and the flag from 1; the
 * difference is kept at this one boundary (index is 0-based everywhere
 * else). A half-set environment is an error, not "no shard": a worker of
 * an Indexed Job whose count is missing would otherwise run the whole
 * fleet, and N workers would each report every account.
 */
#define _GNU_SOURCE
#include "shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

/* A decimal number without sign, spaces or leading '+' (leading zeros are fine). */
static bool number(const char *s, size_t n, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 9)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return true;
}

static int bad_flag(hg_diags *d, const char *flag, const char *why)
{
	hg_diag_add(d, HG_D_SHARD_BAD, NULL, flag, why, NULL);
	return HG_EINVALID;
}

static int parse_flag(hg_shard *out, const char *flag, hg_diags *d)
{
	const char *slash = strchr(flag, '/');
	unsigned long i, n;

	if (!slash || !number(flag, (size_t)(slash - flag), &i) ||
	        !number(slash + 1, strlen(slash + 1), &n))
		return bad_flag(d, flag,
		        HG_BI("write it I/N, counted from 1 (1/3, 2/3, 3/3)",
		                "I/N の形で、1 から数えて書いてください (1/3, 2/3, 3/3)"));
	if (n == 0 || n > HG_SHARD_MAX)
		return bad_flag(d, flag,
		        HG_BI("the count N must be from 1 to 100000",
		                "数 N は 1 から 100000 までです"));
	if (i == 0)
		return bad_flag(d, flag,
		        HG_BI("shards are counted from 1 (the first of 3 is 1/3; JOB_COMPLETION_INDEX "
		              "and AWS_BATCH_JOB_ARRAY_INDEX count from 0)",
		                "シャードは 1 から数えます (3 つのうち最初は 1/3。JOB_COMPLETION_INDEX と "
		                "AWS_BATCH_JOB_ARRAY_INDEX は 0 から数えます)"));
	if (i > n)
		return bad_flag(d, flag,
		        HG_BI("I must not be larger than N", "I は N 以下でなければなりません"));
	out->index = (unsigned)(i - 1);
	out->count = (unsigned)n;
	out->from = "--shard";
	return 0;
}

/* HG7202 with the message m (both languages, HG_BI), which is disposed. */
static int bad_env(hg_diags *d, hg_buf *m)
{
	hg_diag_add(d, HG_D_SHARD_ENV, NULL, m->ptr, NULL);
	hg_buf_dispose(m);
	return HG_EINVALID;
}

/* One engine's pair of variables: 1 found (out set), 0 neither set, or an error. */
static int engine(hg_shard *out, const char *iname, const char *nname, hg_shard_getenv_fn env,
        void *payload, hg_diags *d)
{
	const char *iv = env(iname, payload), *nv = env(nname, payload);
	hg_buf m = HG_BUF_INIT;
	unsigned long i, n;

	if (iv && !*iv)
		iv = NULL;
	if (nv && !*nv)
		nv = NULL;
	if (!iv && !nv)
		return 0;
	if (!nv) {
		hg_buf_printf(&m,
		        "%s is set but %s is not: set it to the number of workers (the job's "
		        "completions or array size), or give --shard I/N\x1f"
		        "%s はありますが %s がありません。ワーカーの数 (ジョブの completions か配列の"
		        "サイズ) を設定するか、--shard I/N を指定してください",
		        iname, nname, iname, nname);
		return bad_env(d, &m);
	}
	if (!iv) {
		hg_buf_printf(&m,
		        "%s is set but %s is not: run as an indexed or array job, or give --shard "
		        "I/N\x1f"
		        "%s はありますが %s がありません。インデックス付きジョブか配列ジョブとして"
		        "実行するか、--shard I/N を指定してください",
		        nname, iname, nname, iname);
		return bad_env(d, &m);
	}
	if (!number(iv, strlen(iv), &i) || !number(nv, strlen(nv), &n) || n == 0 ||
	        n > HG_SHARD_MAX || i >= n) {
		hg_buf_printf(&m,
		        "%s=%s and %s=%s: they must be numbers with 0 <= index < count <= 100000\x1f"
		        "%s=%s と %s=%s: 0 <= インデックス < 数 <= 100000 の数でなければなりません",
		        iname, iv, nname, nv, iname, iv, nname, nv);
		return bad_env(d, &m);
	}
	out->index = (unsigned)i;
	out->count = (unsigned)n;
	out->from = iname;
	return 1;
}

int hg_shard_resolve(hg_shard *out, const char *flag, hg_shard_getenv_fn env, void *payload,
        hg_diags *d)
{
	hg_shard k8s = HG_SHARD_NONE, batch = HG_SHARD_NONE;
	int a, b;

	memset(out, 0, sizeof(*out));
	if (flag)
		return parse_flag(out, flag, d);
	if (!env)
		return 0;
	if ((a = engine(&k8s, "JOB_COMPLETION_INDEX", "JOB_COMPLETIONS", env, payload, d)) < 0)
		return a;
	if ((b = engine(&batch, "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE", env,
	             payload, d)) < 0)
		return b;
	if (a && b) {
		hg_buf m = HG_BUF_INIT;
		hg_buf_puts(&m, HG_BI("both JOB_COMPLETION_INDEX (Kubernetes) and "
		                      "AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) are set: give --shard I/N",
		        "JOB_COMPLETION_INDEX (Kubernetes) と AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) の"
		        "両方があります。--shard I/N を指定してください"));
		return bad_env(d, &m);
	}
	*out = a ? k8s : batch;
	return 0;
}

const char *hg_shard_getenv(const char *name, void *payload)
{
	(void)payload;
	return getenv(name);
}

void hg_shard_key(hg_buf *out, const char *account, const char *region)
{
	hg_buf_puts(out, account ? account : "");
	if (region && *region) {
		hg_buf_putc(out, '/');
		hg_buf_puts(out, region);
	}
}

unsigned hg_shard_of(const char *key, unsigned count)
{
	if (count < 2)
		return 0;
	return (unsigned)(hg_hash64(key, strlen(key)) % count);
}

bool hg_shard_holds(const hg_shard *s, const char *key)
{
	return s->count < 2 || hg_shard_of(key, s->count) == s->index;
}
