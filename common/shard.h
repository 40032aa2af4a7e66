/*
 * shard.h: splitting a fleet's work into N shards, the way batch engines
 * number their workers.
 * Part of hinagata; see LICENSE.
 *
 * A shard is "I of N". On the command line it is written `--shard I/N`,
 * counted from 1 as CloudQuery's `--shard i/n` is (1/3, 2/3, 3/3). Batch
 * engines count their workers from 0 and say so in the environment:
 * Kubernetes Indexed Jobs set JOB_COMPLETION_INDEX (the job's completions
 * are passed as JOB_COMPLETIONS: Kubernetes does not inject the count),
 * AWS Batch array jobs set AWS_BATCH_JOB_ARRAY_INDEX and
 * AWS_BATCH_JOB_ARRAY_SIZE. The flag wins over the environment.
 *
 * Work is assigned by a key that names it (an account and region, a
 * subscription, a file): shard = XXH3-64(key) mod N. The hash is stable
 * across machines and xxHash releases, so every worker of a job, on any
 * machine, assigns every key to the same one shard, whatever the order in
 * which it finds them. Nothing here allocates or prints.
 */
#ifndef HG_SHARD_H
#define HG_SHARD_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest shard count: AWS Batch arrays go to 10,000, Kubernetes parallelism to 100,000. */
#define HG_SHARD_MAX 100000u

typedef struct hg_shard {
	unsigned index; /* 0-based: 0 .. count-1 */
	unsigned count; /* 0: not sharded (everything is in the one run) */
	const char *from; /* what set it: "--shard", "JOB_COMPLETION_INDEX", ... (static) */
} hg_shard;

#define HG_SHARD_NONE {0, 0, NULL}

/* A function that reads an environment variable (getenv, or a table in tests). */
typedef const char *(*hg_shard_getenv_fn)(const char *name, void *payload);

/*
 * The shard of a run: the --shard value (NULL when not given), else the
 * batch engine's variables read through env (NULL: none are read). No
 * shard at all is count 0. Returns 0; HG_EINVALID with a diagnostic in d
 * (no position) for a malformed --shard (HG7201), or variables that are
 * malformed, incomplete or of both engines at once (HG7202).
 */
int hg_shard_resolve(hg_shard *out, const char *flag, hg_shard_getenv_fn env, void *payload,
        hg_diags *d);

/* The environment of the process, for hg_shard_resolve. */
const char *hg_shard_getenv(const char *name, void *payload);

/*
 * The key of an account (or subscription) and region, as the fleet plan
 * and the drift engine both write it: "ACCOUNT/REGION", or "SUBSCRIPTION"
 * when the region is empty. Appended to out.
 */
void hg_shard_key(hg_buf *out, const char *account, const char *region);

/* Which shard (0-based) of count the key falls in (count 0 or 1: 0). */
unsigned hg_shard_of(const char *key, unsigned count);

/* Does the shard hold key? (Always, when not sharded.) */
bool hg_shard_holds(const hg_shard *s, const char *key);

#ifdef __cplusplus
}
#endif
#endif
