/*
 * test_shard.c: shards of a run (common/shard.c): --shard I/N, the batch
 * engines' variables, and the assignment of keys, whose values must never
 * change (workers of one night may run different builds).
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/diag.h"
#include "common/shard.h"

/* An environment made of NAME=VALUE pairs (NULL-terminated), for hg_shard_resolve. */
static const char *table_env(const char *name, void *payload)
{
	const char *const *kv = payload;
	size_t n = strlen(name);
	for (; *kv; kv++)
		if (strncmp(*kv, name, n) == 0 && (*kv)[n] == '=')
			return *kv + n + 1;
	return NULL;
}

/* The code of the only diagnostic in d (HG_D__COUNT when there is not one). */
static hg_diag_code only_code(const hg_diags *d)
{
	return d->n == 1 ? d->items[0]->code : HG_D__COUNT;
}

Test(shard, flag_counts_from_one)
{
	hg_shard s;
	hg_diags d = HG_DIAGS_INIT;
	cr_assert_eq(hg_shard_resolve(&s, "2/3", NULL, NULL, &d), 0);
	cr_assert_eq(s.index, 1);
	cr_assert_eq(s.count, 3);
	cr_assert_str_eq(s.from, "--shard");
	cr_assert_eq(hg_shard_resolve(&s, "1/1", NULL, NULL, &d), 0);
	cr_assert_eq(s.index, 0);
	cr_assert_eq(s.count, 1);
	cr_assert_eq(hg_shard_resolve(&s, "100000/100000", NULL, NULL, &d), 0);
	cr_assert_eq(d.n, 0);
	hg_diags_dispose(&d);
}

struct bad {
	char flag[24];
};

ParameterizedTestParameters(shard, bad_flags)
{
	static struct bad cases[] = {{"0/3"}, {"4/3"}, {"3"}, {"/3"}, {"1/"}, {"1/0"}, {"-1/3"},
	        {"+1/3"}, {"1 /3"}, {"1/3x"}, {"1/100001"}, {"a/b"}, {""}, {"1/3/5"}};
	return cr_make_param_array(struct bad, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad *c, shard, bad_flags)
{
	hg_shard s;
	hg_diags d = HG_DIAGS_INIT;
	cr_assert_eq(hg_shard_resolve(&s, c->flag, NULL, NULL, &d), HG_EINVALID, "%s", c->flag);
	cr_assert_eq(only_code(&d), HG_D_SHARD_BAD, "%s", c->flag);
	cr_assert(d.env_error); /* could not run: exit 2 */
	hg_diags_dispose(&d);
}

Test(shard, kubernetes_and_batch_count_from_zero)
{
	const char *k8s[] = {"JOB_COMPLETION_INDEX=0", "JOB_COMPLETIONS=4", NULL};
	const char *batch[] = {"AWS_BATCH_JOB_ARRAY_INDEX=3", "AWS_BATCH_JOB_ARRAY_SIZE=4", NULL};
	const char *none[] = {"HOME=/root", NULL};
	hg_shard s;
	hg_diags d = HG_DIAGS_INIT;

	cr_assert_eq(hg_shard_resolve(&s, NULL, table_env, k8s, &d), 0);
	cr_assert_eq(s.index, 0);
	cr_assert_eq(s.count, 4);
	cr_assert_str_eq(s.from, "JOB_COMPLETION_INDEX");
	cr_assert_eq(hg_shard_resolve(&s, NULL, table_env, batch, &d), 0);
	cr_assert_eq(s.index, 3);
	cr_assert_eq(s.count, 4);
	cr_assert_str_eq(s.from, "AWS_BATCH_JOB_ARRAY_INDEX");
	cr_assert_eq(hg_shard_resolve(&s, NULL, table_env, none, &d), 0);
	cr_assert_eq(s.count, 0); /* not sharded */
	/* the flag wins */
	cr_assert_eq(hg_shard_resolve(&s, "1/2", table_env, k8s, &d), 0);
	cr_assert_eq(s.count, 2);
	cr_assert_eq(d.n, 0);
	hg_diags_dispose(&d);
}

struct badenv { /* Criterion copies parameters into another process: no pointers */
	char kv[4][40];
};

ParameterizedTestParameters(shard, bad_environments)
{
	static struct badenv cases[] = {
	        {{"JOB_COMPLETION_INDEX=1"}},                         /* no count */
	        {{"JOB_COMPLETIONS=3"}},                              /* no index */
	        {{"AWS_BATCH_JOB_ARRAY_INDEX=0"}},
	        {{"AWS_BATCH_JOB_ARRAY_SIZE=2"}},
	        {{"JOB_COMPLETION_INDEX=3", "JOB_COMPLETIONS=3"}},    /* index >= count */
	        {{"JOB_COMPLETION_INDEX=x", "JOB_COMPLETIONS=3"}},
	        {{"JOB_COMPLETION_INDEX=0", "JOB_COMPLETIONS=0"}},
	        {{"JOB_COMPLETION_INDEX=-1", "JOB_COMPLETIONS=3"}},
	        {{"JOB_COMPLETION_INDEX=0", "JOB_COMPLETIONS=3", "AWS_BATCH_JOB_ARRAY_INDEX=0",
	                 "AWS_BATCH_JOB_ARRAY_SIZE=3"}}, /* both engines */
	};
	return cr_make_param_array(struct badenv, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct badenv *c, shard, bad_environments)
{
	const char *kv[5] = {NULL};
	hg_shard s;
	hg_diags d = HG_DIAGS_INIT;
	size_t i;
	for (i = 0; i < 4 && c->kv[i][0]; i++)
		kv[i] = c->kv[i];
	cr_assert_eq(hg_shard_resolve(&s, NULL, table_env, kv, &d), HG_EINVALID, "%s", c->kv[0]);
	cr_assert_eq(only_code(&d), HG_D_SHARD_ENV, "%s", c->kv[0]);
	hg_diags_dispose(&d);
}

Test(shard, empty_variables_are_not_set)
{
	const char *kv[] = {"JOB_COMPLETION_INDEX=", "JOB_COMPLETIONS=", NULL};
	hg_shard s;
	hg_diags d = HG_DIAGS_INIT;
	cr_assert_eq(hg_shard_resolve(&s, NULL, table_env, kv, &d), 0);
	cr_assert_eq(s.count, 0);
	hg_diags_dispose(&d);
}

Test(shard, keys)
{
	hg_buf b = HG_BUF_INIT;
	hg_shard_key(&b, "123456789012", "ap-northeast-1");
	cr_assert_str_eq(b.ptr, "123456789012/ap-northeast-1");
	hg_buf_clear(&b);
	hg_shard_key(&b, "8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f", "");
	cr_assert_str_eq(b.ptr, "8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f");
	hg_buf_dispose(&b);
}

/*
 * Known answers: XXH3-64 of the key, mod N. These must not change: the
 * workers of one night must agree, whichever build each runs.
 */
Test(shard, assignment_is_stable)
{
	cr_assert_eq(hg_shard_of("123456789012/ap-northeast-1", 2), 0);
	cr_assert_eq(hg_shard_of("123456789012/ap-northeast-3", 2), 1);
	cr_assert_eq(hg_shard_of("210987654321/ap-northeast-1", 2), 0);
	cr_assert_eq(hg_shard_of("8c3f2a1e-5b7d-4e9a-9f0c-2d4b6a8e1c3f", 2), 0);
	cr_assert_eq(hg_shard_of("anything", 1), 0);
	cr_assert_eq(hg_shard_of("anything", 0), 0);
}

Test(shard, every_key_in_exactly_one_shard_and_spread)
{
	unsigned counts[8] = {0};
	hg_shard s[8];
	unsigned i, k;
	char key[64];

	for (k = 0; k < 8; k++) {
		s[k].index = k;
		s[k].count = 8;
		s[k].from = "--shard";
	}
	for (i = 0; i < 8000; i++) {
		unsigned holders = 0;
		snprintf(key, sizeof(key), "%012u/ap-northeast-1", 100000000u + i);
		for (k = 0; k < 8; k++)
			if (hg_shard_holds(&s[k], key)) {
				holders++;
				counts[k]++;
			}
		cr_assert_eq(holders, 1, "%s", key);
	}
	for (k = 0; k < 8; k++) /* 1,000 expected each; a hash spreads them within a few percent */
		cr_assert(counts[k] > 900 && counts[k] < 1100, "shard %u: %u", k, counts[k]);
}
