/*
 * run.c: the drift run (see drift.h): the stages over threads, in an order
 * that does not depend on the threads.
 * Part of hinagata; see LICENSE.
 *
 * 1. state: the export files of every unit are read, each on its own
 *    (on all threads), then merged per unit in file order; units are put
 *    in (account, region, directory) order.
 * 2. desired: the templates are read and described; the control rules
 *    judge each one's own values once.
 * 3. match: templates to stacks, per unit, in template order.
 * 4. the work items (a template in a unit; a unit's unmanaged resources)
 *    run on all threads; each item's results form a block, and blocks go
 *    to the sink strictly in item order, so the report is the same bytes
 *    whatever the scheduling. A unit's unmanaged item waits for the unit's
 *    other items (they claim records). At most a few items run ahead of
 *    the one the sink waits for, which bounds memory.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/fs.h"
#include "../common/hash.h"
#include "../common/shard.h"
#include "cache.h"
#include "canon.h"
#include "deployed.h"
#include "desired.h"
#include "drift.h"
#include "ignore.h"
#include "judge.h"
#include "match.h"
#include "readback.h"
#include "resolve.h"
#include "state.h"
#include "verdict.h"

/* ---- a small pool: work items on threads, results in order ---- */

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t n, next, emitted, window;
	bool *done;
	size_t *pending;        /* per unit: its template items not yet done */
	const size_t *unit_of;  /* per item: its unit + 1 when it waits for the unit's items, else 0 */
	const size_t *counts;   /* per item: its unit + 1 when it counts for the unit, else 0 */
	void (*work)(void *payload, size_t i, unsigned worker);
	void *payload;
	unsigned threads;
	unsigned started;
	pthread_t *tids;
	struct worker_arg {
		struct pool *p;
		unsigned id;
	} * args;
};

static bool ready(const struct pool *p)
{
	if (p->next >= p->n)
		return true; /* nothing left: the worker leaves */
	if (p->next >= p->emitted + p->window)
		return false;
	if (p->unit_of && p->unit_of[p->next] && p->pending[p->unit_of[p->next] - 1])
		return false;
	return true;
}

static void *worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct pool *p = wa->p;

	hg_memory_thread();
	pthread_mutex_lock(&p->mu);
	for (;;) {
		size_t i;
		while (!ready(p))
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->next >= p->n)
			break;
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		p->work(p->payload, i, wa->id);
		pthread_mutex_lock(&p->mu);
		p->done[i] = true;
		if (p->counts && p->counts[i])
			p->pending[p->counts[i] - 1]--;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/*
 * Run work(i) for i in [0, n) on threads: pool_start starts them;
 * pool_wait calls emit(i) (may be NULL), on this thread, in order, as soon
 * as items 0..i are done, for every i < upto; pool_end waits for the rest
 * and joins the threads. The window (items started ahead of the last
 * emitted) is unbounded when it is 0.
 */
static void pool_start(struct pool *p)
{
	unsigned t;

	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->done = hg_xcalloc(p->n + 1, sizeof(bool));
	if (!p->window)
		p->window = p->n + 1;
	p->tids = hg_xcalloc(p->threads + 1, sizeof(*p->tids));
	p->args = hg_xcalloc(p->threads + 1, sizeof(*p->args));
	p->started = 0;
	for (t = 0; t < p->threads; t++) {
		p->args[t].p = p;
		p->args[t].id = t;
		if (pthread_create(&p->tids[t], NULL, worker, &p->args[t]) == 0)
			p->started++;
		else
			break;
	}
	if (!p->started) { /* no thread at all: do it here, all of it */
		p->window = p->n + 1;
		p->args[0].p = p;
		p->args[0].id = 0;
		worker(&p->args[0]);
	}
}

static void pool_wait(struct pool *p, size_t upto, void (*emit)(void *payload, size_t i))
{
	pthread_mutex_lock(&p->mu);
	while (p->emitted < upto) {
		while (!p->done[p->emitted])
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (emit)
			emit(p->payload, p->emitted);
		pthread_mutex_lock(&p->mu);
		p->emitted++;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
}

static void pool_end(struct pool *p)
{
	unsigned t;

	pool_wait(p, p->n, NULL);
	for (t = 0; t < p->started; t++)
		pthread_join(p->tids[t], NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->done);
	free(p->tids);
	free(p->args);
}

static void pool_run(struct pool *p, void (*emit)(void *payload, size_t i))
{
	if (!emit)
		p->window = 0;
	pool_start(p);
	pool_wait(p, p->n, emit);
	pool_end(p);
}

/* ---- the run ---- */

struct thread_state {
	hg_canon *canon; /* opened by the worker when it first compares (a rerun whose
	                    blocks all come from the cache never does) */
	hg_fdcache fc;
	hg_arena *work;
	size_t doc_tmpl; /* the template whose parse is kept (consecutive items share it) */
	hg_arena *doc_arena;
	hg_jv *doc;
};

struct slot {
	hg_block b;
	hg_diags d;
	int rc;
};

struct run {
	const hg_drift_options *o;
	hg_diags *d;
	const hg_drift_sink *sink;
	hg_drift_summary *sum;
	hg_ignore *ignore;
	hg_judge *judge;
	/* The control rules (profiles and catalog from the template registry)
	 * are needed from phase 2 on: they are opened on a thread of their own
	 * while phase 1 merges what the files held into units (one thread's
	 * work), and joined before phase 2, or at the end of a run that
	 * stopped before (opened then, if not yet). From where they were once
	 * opened (after the ignore file) to the join, messages go to staged:
	 * if the rules cannot be opened, the run says only that, as it did. */
	pthread_t judge_thread;
	bool judge_staged, judge_started, judge_threaded, judge_joined;
	hg_diags judge_diags, staged;
	hg_diags *said; /* where messages go once the rules are open */
	hg_canon *rules; /* the rules the readers need (az shapes) */
	hg_cache *cache;
	/* the cache is loaded on a thread of its own from the start: while
	 * the rules are opened (its header is checked against their
	 * fingerprint once both are there) and phase 1 hashes the exports
	 * (both read the disk; neither needs the other until a file's hash is
	 * looked up). cache_loading ends when its identities, files and
	 * templates are read; its blocks, once the thread is joined (at the
	 * end of phase 1). */
	pthread_mutex_t cache_mu;
	pthread_cond_t cache_cv;
	pthread_t cache_thread;
	bool cache_started, cache_loading, cache_threaded, cache_joined, cache_fp_set;
	uint64_t cache_fingerprint;
	hg_diags cache_diags;
	hg_tmpls ts;
	hg_state_spec *specs;
	size_t nspecs;
	hg_unit *units;   /* per spec */
	hg_unit **order;  /* units in report order */
	size_t nunits;    /* units in this run: order[0..nunits), those of its shard */
	/* phase 1 */
	size_t *file_spec, *file_index, nfiles;
	size_t *file_order; /* work item -> file: the largest first */
	hg_state_file **files;
	hg_diags *file_diags;
	int *file_rc;
	/* phase 2 */
	hg_diags *tmpl_diags;
	int *tmpl_rc;
	struct pool *early; /* phase 1's pool, reading the templates after the files, or NULL */
	/* phase 4 */
	hg_item *items;
	size_t nitems;
	struct slot *slots;
	struct thread_state *ts_of;
	pthread_mutex_t *tlock; /* per template: its judgement */
	unsigned threads;
	int rc;
	int sink_rc;
	char today[11];
};

static unsigned thread_count(const hg_drift_options *o)
{
	long n = o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1u : n > 64 ? 64u : (unsigned)n;
}

static uint64_t fingerprint(const struct run *r);

static void *open_judge(void *payload)
{
	struct run *r = payload;
	hg_memory_thread();
	r->judge = hg_judge_open(r->o, &r->judge_diags);
	return NULL;
}

/* From here on, messages are staged until the control rules are open. */
static void stage_judge(struct run *r)
{
	hg_diags_init(&r->judge_diags);
	hg_diags_init(&r->staged);
	r->said = r->d;
	r->d = &r->staged;
	r->judge_staged = true;
}

static void start_judge(struct run *r)
{
	r->judge_started = true;
	r->judge_threaded = pthread_create(&r->judge_thread, NULL, open_judge, r) == 0;
	if (!r->judge_threaded)
		open_judge(r); /* no thread: here and now */
}

/* The control rules open (0), or HG_EIO after saying why; on every path of a run that staged them. */
static int join_judge(struct run *r)
{
	if (!r->judge_staged || r->judge_joined)
		return r->judge ? 0 : HG_EIO;
	if (!r->judge_started)
		start_judge(r); /* a run that stopped before phase 1 ended: are they there? */
	if (r->judge_threaded)
		pthread_join(r->judge_thread, NULL);
	r->judge_joined = true;
	r->d = r->said;
	hg_diags_merge(r->d, &r->judge_diags);
	if (!r->judge) {
		hg_diags_dispose(&r->staged); /* what came after: unsaid, as before */
		return HG_EIO;
	}
	hg_diags_merge(r->d, &r->staged);
	return 0;
}

/* The cache's identities, files and templates are read (its blocks are being read). */
static void cache_ready_now(hg_cache *c, void *payload)
{
	struct run *r = payload;
	pthread_mutex_lock(&r->cache_mu);
	r->cache = c;
	if (r->cache_fp_set) /* else cache_fingerprint_set checks it */
		hg_cache_check(c, r->cache_fingerprint);
	r->cache_loading = false;
	pthread_cond_broadcast(&r->cache_cv);
	pthread_mutex_unlock(&r->cache_mu);
}

/* The cache read on a thread of its own; its blocks are there once it is joined. */
static void *load_cache(void *payload)
{
	struct run *r = payload;
	hg_memory_thread();
	(void)hg_cache_load_notify(r->o->cache_file, &r->cache_diags, cache_ready_now, r);
	return NULL;
}

static void start_cache(struct run *r)
{
	hg_diags_init(&r->cache_diags);
	pthread_mutex_init(&r->cache_mu, NULL);
	pthread_cond_init(&r->cache_cv, NULL);
	r->cache_started = true;
	r->cache_loading = true;
	r->cache_threaded = pthread_create(&r->cache_thread, NULL, load_cache, r) == 0;
	if (!r->cache_threaded)
		load_cache(r); /* no thread: here and now */
}

/*
 * The rules are open: the cache's header is checked against their
 * fingerprint, by whichever of this and the loader comes second (both
 * before any entry is used: its users start after this).
 */
static void cache_fingerprint_set(struct run *r)
{
	uint64_t fp = fingerprint(r);
	pthread_mutex_lock(&r->cache_mu);
	r->cache_fingerprint = fp;
	r->cache_fp_set = true;
	if (!r->cache_loading && r->cache)
		hg_cache_check(r->cache, fp);
	pthread_mutex_unlock(&r->cache_mu);
}

/* The cache, once loaded (NULL: none, or not usable). */
static hg_cache *cache_ready(struct run *r)
{
	hg_cache *c;
	pthread_mutex_lock(&r->cache_mu);
	while (r->cache_loading)
		pthread_cond_wait(&r->cache_cv, &r->cache_mu);
	c = r->cache;
	pthread_mutex_unlock(&r->cache_mu);
	return c;
}

/* The cache if it is loaded already, else NULL (without waiting). */
static hg_cache *cache_if_loaded(struct run *r)
{
	hg_cache *c;
	pthread_mutex_lock(&r->cache_mu);
	c = r->cache_loading ? NULL : r->cache;
	pthread_mutex_unlock(&r->cache_mu);
	return c;
}

/* The loader joined and its messages said, before any file's (as if it had run first). */
static void join_cache(struct run *r)
{
	if (!r->cache_started || r->cache_joined)
		return;
	if (r->cache_threaded)
		pthread_join(r->cache_thread, NULL);
	r->cache_joined = true;
	hg_diags_merge(r->d, &r->cache_diags);
	pthread_cond_destroy(&r->cache_cv);
	pthread_mutex_destroy(&r->cache_mu);
}

static void read_file(void *payload, size_t k, unsigned worker_id)
{
	struct run *r = payload;
	size_t i = r->file_order[k];
	hg_export_limits lim = HG_EXPORT_LIMITS_INIT;
	const hg_state_spec *s = &r->specs[r->file_spec[i]];
	const char *path = s->paths[r->file_index[i]];

	uint64_t size = 0, hash = 0;
	bool hashed = false;

	(void)worker_id;
	if (r->o->max_record)
		lim.max_record = r->o->max_record;
	hg_diags_init(&r->file_diags[i]);
	if (r->o->cache_file) {
		/* The file's identity vouches for its bytes, or they are hashed:
		 * while the cache is still loading (the first, largest files),
		 * hashed at once rather than waiting for it. */
		hg_cache *c = cache_if_loaded(r);
		bool vouched = c && hg_cache_identity(c, path, &size, &hash);
		hashed = (vouched || hg_hash_file(path, &size, &hash) == 0) && (c = cache_ready(r)) != NULL;
		if (hashed) {
			if (!vouched)
				hg_cache_identity_note(c, path, size, hash);
			if ((r->files[i] = hg_cache_file(c, path, size, hash)) != NULL)
				return; /* the same bytes as a run that read them */
		}
	}
	r->files[i] = hg_state_read_file(path, path, &lim, hg_canon_az_rules(r->rules), &r->file_diags[i],
	        &r->file_rc[i]);
	if (hashed && r->file_rc[i] == 0)
		hg_cache_file_note(r->cache, path, size, hash, r->files[i]);
}

static void read_template(void *payload, size_t i, unsigned worker_id);
static void init_templates(struct run *r);

/* Phase 1's work item k: a file, or (with the templates read early) template k - nfiles. */
static void read_item(void *payload, size_t k, unsigned worker_id)
{
	struct run *r = payload;
	if (k < r->nfiles)
		read_file(payload, k, worker_id);
	else
		read_template(payload, k - r->nfiles, worker_id);
}

static void read_progress(void *payload, size_t i)
{
	struct run *r = payload;
	if (r->o->progress)
		r->o->progress("read", i + 1, r->nfiles, r->o->progress_payload);
}

static int cmp_unit(const void *x, const void *y)
{
	const hg_unit *a = *(hg_unit *const *)x, *b = *(hg_unit *const *)y;
	int c;
	if ((c = strcmp(a->account, b->account)) != 0)
		return c;
	if ((c = strcmp(a->region, b->region)) != 0)
		return c;
	return strcmp(a->name, b->name);
}

/* Files by size, the largest first, so that the last one read is a small one
 * and the threads end together (what is read where changes nothing else:
 * every file's result has its own place). */
struct sized {
	off_t size;
	size_t file;
};

static int cmp_size(const void *x, const void *y)
{
	const struct sized *a = x, *b = y;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	return a->file < b->file ? -1 : a->file > b->file;
}

static size_t *order_by_size(struct run *r)
{
	size_t *order = hg_xcalloc(r->nfiles + 1, sizeof(size_t));
	struct sized *by = hg_xcalloc(r->nfiles + 1, sizeof(*by));
	size_t f;
	struct stat st;

	for (f = 0; f < r->nfiles; f++) {
		by[f].file = f;
		/* a file that cannot be stat'ed is read last, and says why then */
		if (stat(r->specs[r->file_spec[f]].paths[r->file_index[f]], &st) == 0)
			by[f].size = st.st_size;
	}
	if (r->nfiles > 1)
		qsort(by, r->nfiles, sizeof(*by), cmp_size);
	for (f = 0; f < r->nfiles; f++)
		order[f] = by[f].file;
	free(by);
	return order;
}

/*
 * The key a unit is sharded by: its account and region (common/shard.h),
 * as `hinagata fleet plan` computes them from the manifest, so a worker
 * that collects its shard's accounts compares exactly them. (An AWS unit
 * without stacks takes them from its directory in a collector's tree,
 * state.c.) A unit whose account is still not known is keyed by the last
 * two components of its directory.
 */
static void unit_key(hg_buf *key, const hg_unit *u)
{
	const char *end, *p;
	int slashes = 0;

	if (*u->account) {
		hg_shard_key(key, u->account, u->region);
		return;
	}
	end = u->name + strlen(u->name);
	while (end > u->name && end[-1] == '/')
		end--;
	for (p = end; p > u->name; p--)
		if (p[-1] == '/' && ++slashes == 2)
			break;
	hg_buf_put(key, p, (size_t)(end - p));
}

/* --shard: only the units of this shard stay in the run, in their order. */
static void shard_units(struct run *r)
{
	hg_shard sh = {r->o->shard_index, r->o->shard_count, NULL};
	hg_buf key = HG_BUF_INIT;
	size_t i;

	r->nunits = 0;
	for (i = 0; i < r->nspecs; i++) {
		hg_buf_clear(&key);
		unit_key(&key, r->order[i]);
		if (!hg_shard_holds(&sh, key.ptr))
			continue;
		r->order[r->nunits] = r->order[i];
		r->order[r->nunits]->order = r->nunits;
		r->nunits++;
	}
	hg_buf_dispose(&key);
}

/* Phase 1: every unit's files, read on all threads, merged per unit. */
static int read_states(struct run *r)
{
	struct pool *p;
	size_t i, k, f;
	int rc = 0;

	/* A shard's state may hold none of the fleet (a worker with no unit). */
	if (hg_state_specs(&r->specs, &r->nspecs, r->o->states, r->o->nstates, r->o->shard_count > 1,
	            r->d) < 0) {
		bool env = r->d->env_error;
		join_cache(r);
		return join_judge(r) < 0 || env ? HG_EIO : HG_EINVALID;
	}
	for (i = 0; i < r->nspecs; i++)
		r->nfiles += r->specs[i].npaths;
	r->file_spec = hg_xcalloc(r->nfiles + 1, sizeof(size_t));
	r->file_index = hg_xcalloc(r->nfiles + 1, sizeof(size_t));
	r->files = hg_xcalloc(r->nfiles + 1, sizeof(*r->files));
	r->file_diags = hg_xcalloc(r->nfiles + 1, sizeof(hg_diags));
	r->file_rc = hg_xcalloc(r->nfiles + 1, sizeof(int));
	for (i = 0, f = 0; i < r->nspecs; i++)
		for (k = 0; k < r->specs[i].npaths; k++, f++) {
			r->file_spec[f] = i;
			r->file_index[f] = k;
		}
	r->file_order = order_by_size(r);
	p = hg_xcalloc(1, sizeof(*p)); /* on the heap: it may outlive this function */
	p->n = r->nfiles;
	p->work = read_file;
	p->payload = r;
	if (!r->o->cache_file && !r->o->repo && r->o->ntemplates) {
		/* The templates too, once the files are taken: the threads read
		 * them while this one merges the units (and while one thread still
		 * reads the largest file). Not with a cache, whose templates wait
		 * for the control rules, nor with --repo, whose sources compile in
		 * the revision's directory. read_templates ends the pool. */
		init_templates(r);
		p->n += r->ts.n;
		p->work = read_item;
		r->early = p;
	}
	p->threads = r->threads < p->n ? r->threads : (unsigned)(p->n ? p->n : 1);
	pool_start(p);
	/* While the files are read: the templates' pages, asked for ahead. Their
	 * paths stay as init_templates set them: the early pool runs without a
	 * cache, the only thing that rewrites a template's description whole. */
	if (r->early) {
		for (i = 0; i < r->ts.n; i++)
			hg_fs_prefetch(r->ts.t[i].path);
		/* and the CloudFormation schemas' index, which every work item
		 * will share (a rerun from a cache may never need it: read then) */
		hg_canon_preload(r->rules);
	}
	pool_wait(p, r->nfiles, read_progress);
	if (!r->early) {
		pool_end(p);
		free(p);
	}
	start_judge(r); /* while the units are merged */
	for (f = 0; f < r->nfiles; f++) {
		if (r->file_rc[f] < 0 && (rc == 0 || r->file_rc[f] == HG_EIO))
			rc = r->file_rc[f];
		hg_diags_merge(r->d, &r->file_diags[f]);
	}
	r->units = hg_xcalloc(r->nspecs + 1, sizeof(hg_unit));
	r->order = hg_xcalloc(r->nspecs + 1, sizeof(hg_unit *));
	for (i = 0, f = 0; i < r->nspecs; i++) {
		int m = hg_state_merge(&r->units[i], &r->specs[i], &r->files[f],
		        hg_canon_az_rules(r->rules), r->d);
		if (m < 0 && rc == 0)
			rc = m;
		f += r->specs[i].npaths;
		r->order[i] = &r->units[i];
	}
	join_cache(r); /* its blocks are read too */
	if (join_judge(r) < 0)
		return HG_EIO;
	if (r->cache) /* other control rules: its templates and blocks go */
		hg_cache_check_verdicts(r->cache, hg_judge_fingerprint(r->judge));
	if (r->nspecs > 1)
		qsort(r->order, r->nspecs, sizeof(*r->order), cmp_unit);
	for (i = 0; i < r->nspecs; i++)
		r->order[i]->order = i;
	shard_units(r);
	return rc;
}

/* Phase 2: a template file's hash, when its identity vouches for it. */
static bool known_template(const char *path, uint64_t *hash, void *payload)
{
	struct run *r = payload;
	uint64_t size;
	return r->cache && hg_cache_identity(r->cache, path, &size, hash);
}

static void noted_template(const char *path, uint64_t size, uint64_t hash, void *payload)
{
	struct run *r = payload;
	if (r->cache)
		hg_cache_identity_note(r->cache, path, size, hash);
}

/* Phase 2: a template described (and judged) by the cache. */
static bool cached_template(hg_tmpl *t, void *payload)
{
	struct run *r = payload;
	if (!r->cache || !hg_cache_template(r->cache, t, t->a))
		return false;
	t->judged = 1;
	return true;
}

static void read_template(void *payload, size_t i, unsigned worker_id)
{
	struct run *r = payload;
	hg_desired_hooks hooks = {cached_template, known_template, noted_template, r};
	(void)worker_id;
	hg_diags_init(&r->tmpl_diags[i]);
	r->tmpl_rc[i] = hg_desired_read(&r->ts, i, r->o, &hooks, &r->tmpl_diags[i]);
}

static void init_templates(struct run *r)
{
	hg_desired_init(&r->ts, r->o);
	r->tmpl_diags = hg_xcalloc(r->ts.n + 1, sizeof(hg_diags));
	r->tmpl_rc = hg_xcalloc(r->ts.n + 1, sizeof(int));
}

/* Phase 1's pool ended, its templates' messages dropped (a run that stops before phase 2). */
static void end_early(struct run *r)
{
	size_t i;
	if (!r->early)
		return;
	pool_end(r->early);
	free(r->early);
	r->early = NULL;
	for (i = 0; i < r->ts.n; i++)
		hg_diags_dispose(&r->tmpl_diags[i]);
	free(r->tmpl_diags);
	free(r->tmpl_rc);
	r->tmpl_diags = NULL;
	r->tmpl_rc = NULL;
}

/* Phase 2: every template read and described, on all threads (or by phase 1's pool). */
static int read_templates(struct run *r)
{
	struct pool p;
	size_t i;
	int rc = 0;

	if (r->early) {
		pool_end(r->early);
		free(r->early);
		r->early = NULL;
	} else {
		init_templates(r);
		memset(&p, 0, sizeof(p));
		p.n = r->ts.n;
		p.threads = r->threads < r->ts.n ? r->threads : (unsigned)(r->ts.n ? r->ts.n : 1);
		p.work = read_template;
		p.payload = r;
		pool_run(&p, NULL);
	}
	for (i = 0; i < r->ts.n; i++) { /* every error at once, in template order */
		if (r->tmpl_rc[i] < 0 && (rc == 0 || r->tmpl_rc[i] == HG_EIO))
			rc = r->tmpl_rc[i];
		hg_diags_merge(r->d, &r->tmpl_diags[i]);
	}
	hg_desired_compact(&r->ts);
	free(r->tmpl_diags);
	free(r->tmpl_rc);
	r->tmpl_diags = NULL;
	r->tmpl_rc = NULL;
	return rc;
}

/*
 * The control rules on a template's own values: once, by the first work
 * item that parses it (the others wait for it: their results need it).
 */
static void judge_once(struct run *r, size_t ti, const hg_jv *doc, hg_arena *a)
{
	hg_tmpl *t = &r->ts.t[ti];
	pthread_mutex_lock(&r->tlock[ti]);
	if (!t->judged) {
		hg_judge_template(r->judge, t, doc, a);
		if (r->cache)
			hg_cache_template_note(r->cache, t);
		t->judged = 1;
	}
	pthread_mutex_unlock(&r->tlock[ti]);
}

/* ---- phase 4: one work item ---- */

static void process(void *payload, size_t i, unsigned worker_id)
{
	struct run *r = payload;
	struct thread_state *w = &r->ts_of[worker_id];
	const hg_item *it = &r->items[i];
	struct slot *s = &r->slots[i];
	hg_verdict_ctx vc;
	hg_arena *a;

	memset(s, 0, sizeof(*s));
	hg_diags_init(&s->d);
	s->b.a = hg_arena_new();
	memset(&vc, 0, sizeof(vc));
	vc.work = w->work;
	vc.judge = r->judge;
	vc.ignore = r->ignore;
	vc.fc = &w->fc;
	vc.d = &s->d;
	vc.keep_in_sync = r->o->keep_in_sync;
	vc.want_hashes = r->o->keep_in_sync || r->cache;
	if (it->tmpl != HG_ITEM_UNMANAGED && r->cache &&
	        hg_cache_block(r->cache, &s->b, &r->ts.t[it->tmpl], it->u, it->stack,
	                !r->o->keep_in_sync && !r->ignore)) {
		hg_verdict_finish(&vc, &s->b);
		return;
	}
	if (!w->canon) /* the run's rules, this thread's caches */
		w->canon = hg_canon_open_like(r->rules);
	vc.canon = w->canon;
	if (it->tmpl == HG_ITEM_UNMANAGED) {
		hg_verdict_unmanaged(&vc, &s->b, it->u);
		hg_verdict_finish(&vc, &s->b);
		s->rc = vc.rc;
		return;
	}
	if (w->doc_tmpl != it->tmpl || !w->doc) {
		hg_arena_dispose(w->doc_arena);
		w->doc_arena = hg_arena_new();
		w->doc = NULL;
		w->doc_tmpl = it->tmpl;
		s->rc = hg_desired_open(&r->ts.t[it->tmpl], w->doc_arena, &w->doc, &s->d);
		if (s->rc < 0) {
			w->doc = NULL;
			return;
		}
	}
	judge_once(r, it->tmpl, w->doc, r->ts.t[it->tmpl].a);
	a = hg_arena_new();
	{
		hg_resolve_ctx rc;
		hg_dset set, dep;
		int dn;
		memset(&rc, 0, sizeof(rc));
		memset(&set, 0, sizeof(set));
		rc.a = a;
		rc.t = &r->ts.t[it->tmpl];
		rc.doc = w->doc;
		rc.u = it->u;
		rc.stack = it->stack;
		rc.canon = w->canon;
		rc.fc = &w->fc;
		rc.d = &s->d;
		if (rc.t->arm)
			hg_resolve_arm(&set, &rc);
		else
			hg_resolve_cfn(&set, &rc);
		/* three-way: the template the stack was deployed with, in the same context */
		if ((dn = hg_deployed_resolve(&dep, &rc)) > 0)
			vc.deployed = &dep;
		else if (dn < 0 && !rc.rc)
			rc.rc = dn;
		hg_verdict_set(&vc, &s->b, rc.t, it->u, &set);
		s->rc = rc.rc ? rc.rc : vc.rc;
	}
	if (r->cache && s->rc == 0)
		hg_cache_note(r->cache, &s->b, &r->ts.t[it->tmpl], it->u, it->stack);
	hg_verdict_finish(&vc, &s->b);
	hg_arena_dispose(a);
}

static void emit(void *payload, size_t i)
{
	struct run *r = payload;
	struct slot *s = &r->slots[i];

	hg_diags_merge(r->d, &s->d);
	if (s->rc < 0 && (r->rc == 0 || s->rc == HG_EIO))
		r->rc = s->rc;
	hg_summary_merge(r->sum, &s->b.sum);
	if (r->rc == 0 && r->sink_rc == 0 && s->b.n)
		r->sink_rc = r->sink->block(r->sink->payload, s->b.res, s->b.n);
	hg_arena_dispose(s->b.a);
	memset(&s->b, 0, sizeof(s->b));
	if (r->o->progress)
		r->o->progress("compare", i + 1, r->nitems, r->o->progress_payload);
}

static int compare_all(struct run *r)
{
	struct pool p;
	size_t *unit_of, *counts, i;
	unsigned t;

	hg_match(&r->items, &r->nitems, &r->ts, r->order, r->nunits);
	r->slots = hg_xcalloc(r->nitems + 1, sizeof(*r->slots));
	unit_of = hg_xcalloc(r->nitems + 1, sizeof(size_t));
	counts = hg_xcalloc(r->nitems + 1, sizeof(size_t));
	memset(&p, 0, sizeof(p));
	p.pending = hg_xcalloc(r->nspecs + 1, sizeof(size_t));
	for (i = 0; i < r->nitems; i++) {
		if (!r->items[i].u)
			continue;
		if (r->items[i].tmpl == HG_ITEM_UNMANAGED)
			unit_of[i] = r->items[i].u->order + 1;
		else {
			counts[i] = r->items[i].u->order + 1;
			p.pending[r->items[i].u->order]++;
		}
	}
	r->tlock = hg_xcalloc(r->ts.n + 1, sizeof(*r->tlock));
	for (i = 0; i < r->ts.n; i++)
		pthread_mutex_init(&r->tlock[i], NULL);
	r->ts_of = hg_xcalloc(r->threads, sizeof(*r->ts_of));
	for (t = 0; t < r->threads; t++) {
		hg_fdcache_init(&r->ts_of[t].fc);
		r->ts_of[t].work = hg_arena_new();
		r->ts_of[t].doc_tmpl = (size_t)-1;
	}
	if (r->threads) {
		p.n = r->nitems;
		p.threads = r->threads;
		p.window = 4 * (size_t)r->threads;
		p.unit_of = unit_of;
		p.counts = counts;
		p.work = process;
		p.payload = r;
		pool_run(&p, emit);
	} else
		r->rc = HG_EIO;
	for (t = 0; t < r->threads; t++) {
		hg_canon_free(r->ts_of[t].canon);
		hg_fdcache_dispose(&r->ts_of[t].fc);
		hg_arena_dispose(r->ts_of[t].work);
		hg_arena_dispose(r->ts_of[t].doc_arena);
	}
	free(r->ts_of);
	for (i = 0; i < r->ts.n; i++)
		pthread_mutex_destroy(&r->tlock[i]);
	free(r->tlock);
	free(p.pending);
	free(unit_of);
	free(counts);
	return r->rc;
}

/* What to collect when nothing could be compared. */
static const char *what_to_collect(const struct run *r)
{
	size_t i;
	bool aws = false, azure = false;
	for (i = 0; i < r->nspecs; i++) {
		aws = aws || r->units[i].aws;
		azure = azure || r->units[i].azure;
	}
	if (azure && !aws)
		return HG_BI("collect az resource show for every resource and az deployment group|sub show "
		             "(hinagata-collect-azure)",
		        "全リソースの az resource show と az deployment group|sub show を収集してください "
		        "(hinagata-collect-azure)");
	return HG_BI("collect describe-stacks, describe-stack-resources and cloudcontrol get-resource "
	             "or list-resources for the stacks (hinagata-collect-aws), or az resource show "
	             "(hinagata-collect-azure)",
	        "スタックの describe-stacks、describe-stack-resources、cloudcontrol get-resource か "
	        "list-resources (hinagata-collect-aws)、または az resource show "
	        "(hinagata-collect-azure) を収集してください");
}

/* Was some template matched with a stack or deployment of a unit of the run? */
static bool matched(const struct run *r)
{
	size_t i;
	for (i = 0; i < r->nitems; i++)
		if (r->items[i].u && r->items[i].tmpl != HG_ITEM_UNMANAGED)
			return true;
	return false;
}

/*
 * What reading the exports depends on besides their bytes: the rules
 * (schemas/drift/rules.json, also read by the comparison) and the options
 * that change it. The control rules the verdicts also depend on are the
 * cache's second fingerprint (hg_judge_fingerprint).
 */
static uint64_t fingerprint(const struct run *r)
{
	hg_buf path = HG_BUF_INIT;
	uint64_t size = 0, rules = 0;
	hg_buf_printf(&path, "%s/drift/rules.json", r->o->schema_dir);
	hg_hash_file(path.ptr, &size, &rules);
	hg_buf_dispose(&path);
	return (rules * 0x9E3779B97F4A7C15ull) ^ (uint64_t)(r->o->max_record ? r->o->max_record : 1);
}

static void today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/*
 * What the listings covered, kept past the run (hg_drift_cover_has): each
 * unit's account, region, listed types and az scopes in a unit of its own
 * that has nothing else, so that the state stage's own hg_unit_listed and
 * hg_unit_covers answer, with a copy of the az rules' unlisted types. A
 * cover is also built from the listings a drift JSON report carries
 * (hg_drift_cover_add): the history puts a fleet's shards together so.
 */
struct hg_drift_cover {
	hg_arena *a;
	hg_unit *units; /* shells: account, region, azure, listed, scopes, az */
	size_t n, cap;
	hg_az_rules az;
};

static const char **copy_list(hg_arena *a, const char *const *list, size_t n)
{
	const char **r = n ? HG_ANEWN(a, const char *, n) : NULL;
	size_t i;
	for (i = 0; i < n; i++)
		r[i] = hg_arena_strdup(a, list[i]);
	return r;
}

hg_drift_cover *hg_drift_cover_new(void)
{
	hg_drift_cover *c = hg_xcalloc(1, sizeof(*c));
	c->a = hg_arena_new();
	return c;
}

void hg_drift_cover_add(hg_drift_cover *c, const hg_drift_listed *u)
{
	hg_unit *s;

	HG_AGROW(c->a, c->units, c->cap, c->n + 1);
	s = &c->units[c->n++];
	memset(s, 0, sizeof(*s));
	s->account = hg_arena_strdup(c->a, u->account ? u->account : "");
	s->region = hg_arena_strdup(c->a, u->region ? u->region : "");
	s->azure = u->azure;
	s->aws = !u->azure;
	s->listed = copy_list(c->a, u->types, u->ntypes);
	s->nlisted = s->caplisted = u->ntypes;
	s->scopes = copy_list(c->a, u->scopes, u->nscopes);
	s->nscopes = s->capscopes = u->nscopes;
	if (u->nunlisted && !c->az.unlisted) { /* the az rules: one list for every unit */
		c->az.unlisted = copy_list(c->a, u->unlisted, u->nunlisted);
		c->az.nunlisted = u->nunlisted;
	}
	s->az = &c->az;
}

size_t hg_drift_cover_count(const hg_drift_cover *c)
{
	return c ? c->n : 0;
}

/* A unit's listings as the cover keeps them (borrowed from u and az). */
static void listed_of(hg_drift_listed *out, const hg_unit *u, const hg_az_rules *az)
{
	memset(out, 0, sizeof(*out));
	out->account = u->account;
	out->region = u->region;
	out->azure = u->azure;
	out->types = u->listed;
	out->ntypes = u->nlisted;
	out->scopes = u->scopes;
	out->nscopes = u->nscopes;
	if (az) {
		out->unlisted = az->unlisted;
		out->nunlisted = az->nunlisted;
	}
}

void hg_drift_cover_unit(const hg_drift_cover *c, size_t i, hg_drift_listed *out)
{
	const hg_unit *u = &c->units[i];
	listed_of(out, u, u->azure ? &c->az : NULL);
}

static hg_drift_cover *cover_of(hg_unit *const *units, size_t n)
{
	hg_drift_cover *c = hg_drift_cover_new();
	size_t i;

	for (i = 0; i < n; i++) {
		hg_drift_listed l;
		listed_of(&l, units[i], units[i]->az);
		hg_drift_cover_add(c, &l);
	}
	return c;
}

hg_drift_cover *hg_drift_cover_copy(const hg_drift_summary *s)
{
	hg_drift_cover *c;
	size_t i;

	if (!s || !s->cover)
		return NULL;
	c = hg_drift_cover_new();
	for (i = 0; i < s->cover->n; i++) {
		hg_drift_listed l;
		hg_drift_cover_unit(s->cover, i, &l);
		hg_drift_cover_add(c, &l);
	}
	return c;
}

void hg_drift_cover_free(hg_drift_cover *c)
{
	if (!c)
		return;
	hg_arena_dispose(c->a);
	free(c);
}

bool hg_drift_cover_has(const hg_drift_cover *c, const char *account, const char *region,
        const char *type, const char *identity)
{
	size_t i, k;
	char *lower;
	bool hit = false;

	if (!c || !type || !identity)
		return false;
	lower = hg_xstrdup(identity); /* az records are keyed by the lower-case ID */
	for (k = 0; lower[k]; k++)
		if (lower[k] >= 'A' && lower[k] <= 'Z')
			lower[k] = (char)(lower[k] + 32);
	for (i = 0; i < c->n && !hit; i++) {
		const hg_unit *u = &c->units[i];
		if (strcmp(u->account, account ? account : "") != 0)
			continue;
		if (u->azure)
			hit = hg_unit_covers(u, lower, type);
		else
			hit = strcmp(u->region, region ? region : "") == 0 && hg_unit_listed(u, type);
	}
	free(lower);
	return hit;
}

int hg_drift_run_sink(const hg_drift_options *o, const hg_drift_sink *sink,
        hg_drift_summary **summary_out, hg_diags *d)
{
	struct run r;
	hg_drift_meta meta;
	hg_arena *sa = NULL;
	size_t i, desired_total, desired_checked;
	bool sharded = o->shard_count > 1;
	int rc = 0;

	if (summary_out)
		*summary_out = NULL;
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.d = d;
	r.sink = sink;
	r.threads = thread_count(o);
	r.sum = hg_xcalloc(1, sizeof(*r.sum));
	today(r.today);
	if (o->version != HG_DRIFT_OPTIONS_VERSION) {
		rc = HG_EIO;
		goto out;
	}
	if (o->cache_file)
		start_cache(&r); /* joined at out: on every path */
	if (o->ignore_file &&
	        (rc = hg_ignore_load(&r.ignore, o->ignore_file, o->today ? o->today : r.today, d)) < 0)
		goto out;
	stage_judge(&r); /* opened and joined in read_states, or at out: on every path */
	if (!(r.rules = hg_canon_open(o->schema_dir, r.d))) { /* the rules are there, or say so now */
		rc = HG_EIO;
		goto out;
	}
	if (o->cache_file)
		cache_fingerprint_set(&r);
	rc = read_states(&r);
	join_cache(&r);
	if (rc < 0)
		goto out;
	if ((rc = read_templates(&r)) < 0)
		goto out;
	memset(&meta, 0, sizeof(meta));
	meta.ref = o->repo ? (o->ref ? o->ref : "HEAD") : NULL;
	meta.today = o->today ? o->today : r.today;
	meta.shard_index = sharded ? o->shard_index : 0;
	meta.shard_count = sharded ? o->shard_count : 0;
	meta.units_read = r.nspecs;
	if ((rc = sink->begin(sink->payload, &meta)) < 0)
		goto out;
	/* A shard that holds no unit has nothing to say, not even that the
	 * templates are deployed nowhere: other shards say where they are. */
	if (!sharded || r.nunits)
		rc = compare_all(&r);
	if (rc == 0 && r.sink_rc < 0)
		rc = r.sink_rc;
	if (rc < 0)
		goto out;
	sa = hg_arena_new();
	r.sum->units = r.nunits;
	/* The listings of this run's units only: a shard vouches for what it
	 * read, never for the listings of another shard's accounts (or the
	 * history would resolve their unmanaged findings). */
	r.sum->cover = cover_of(r.order, r.nunits);
	r.sum->nexpired = hg_ignore_expired(r.ignore, sa, &r.sum->expired);
	if (r.cache)
		r.sum->cache_hits = hg_cache_hits(r.cache);
	/* the shard's own units' deployed templates, as its listings */
	r.sum->ndeployed = hg_deployed_list(&r.sum->deployed, r.order, r.nunits, d);
	if ((rc = sink->end(sink->payload, r.sum)) < 0)
		goto out;
	r.sum->complete = true;
	/* The report stands; a cache that could not be saved makes the run exit 2. */
	if (r.cache && hg_cache_save(r.cache, d) < 0)
		rc = HG_EIO;
	/* Fail closed: a run that compared none of its templates' resources, or
	 * too few, did not run (what is unmanaged is found, but not compared). */
	desired_total = r.sum->total - r.sum->counts[HG_DS_UNMANAGED];
	desired_checked = r.sum->checked - r.sum->counts[HG_DS_UNMANAGED];
	if (sharded && !matched(&r)) {
		/* Nothing in this shard that a template could be compared with (no
		 * unit, or units with listings only): not a failure of the shard;
		 * the shards with the templates' stacks compare them. */
		if (!r.nunits) {
			char shard[32], read[32];
			snprintf(shard, sizeof(shard), "%u/%u", o->shard_index + 1, o->shard_count);
			snprintf(read, sizeof(read), "%zu", r.nspecs);
			hg_diag_add(d, HG_D_SHARD_EMPTY, NULL, shard, read, NULL);
		}
	} else if (desired_checked == 0) {
		hg_diag_add(d, HG_D_NOTHING_COMPARED, NULL, what_to_collect(&r), NULL);
		rc = HG_EIO;
	} else if (o->min_coverage && desired_checked * 100 < (size_t)o->min_coverage * desired_total) {
		char pct[32], min[32];
		snprintf(pct, sizeof(pct), "%zu", desired_checked * 100 / desired_total);
		snprintf(min, sizeof(min), "%u", o->min_coverage);
		hg_diag_add(d, HG_D_COVERAGE_LOW, NULL, pct, min, what_to_collect(&r), NULL);
		rc = HG_EIO;
	}
out:
	end_early(&r); /* phase 1's pool, if the run stopped before phase 2 */
	join_cache(&r); /* a run that stopped before reading the states started it all the same */
	if (join_judge(&r) < 0)
		rc = HG_EIO;
	if (summary_out && r.sum && r.sum->complete) {
		/* the expired rules outlive the run's arena */
		hg_drift_summary *s = r.sum;
		if (s->nexpired) {
			hg_expired_rule *e = hg_xcalloc(s->nexpired, sizeof(*e));
			for (i = 0; i < s->nexpired; i++) {
				e[i].file = hg_xstrdup(s->expired[i].file);
				e[i].line = s->expired[i].line;
				e[i].reason = hg_xstrdup(s->expired[i].reason);
				e[i].expires = hg_xstrdup(s->expired[i].expires);
			}
			s->expired = e;
		} else
			s->expired = NULL;
		*summary_out = s;
		r.sum = NULL;
	}
	hg_arena_dispose(sa);
	hg_drift_summary_free(r.sum);
	free(r.items);
	free(r.slots);
	for (i = 0; i < r.nspecs; i++)
		hg_unit_dispose(&r.units[i]);
	free(r.units);
	free(r.order);
	for (i = 0; i < r.nfiles; i++)
		hg_state_file_free(r.files ? r.files[i] : NULL);
	free(r.files);
	free(r.file_diags);
	free(r.file_rc);
	free(r.file_spec);
	free(r.file_index);
	free(r.file_order);
	hg_state_specs_free(r.specs, r.nspecs);
	hg_desired_free(&r.ts);
	hg_cache_free(r.cache); /* last: cached strings live in its buffer */
	hg_judge_free(r.judge);
	hg_canon_free(r.rules);
	hg_ignore_free(r.ignore);
	return rc;
}

void hg_drift_summary_free(hg_drift_summary *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; s->expired && i < s->nexpired; i++) {
		free(s->expired[i].file);
		free(s->expired[i].reason);
		free(s->expired[i].expires);
	}
	free(s->expired);
	for (i = 0; s->deployed && i < s->ndeployed; i++) {
		free(s->deployed[i].account);
		free(s->deployed[i].region);
		free(s->deployed[i].unit);
		free(s->deployed[i].template_hash);
	}
	free(s->deployed);
	hg_drift_cover_free(s->cover);
	free(s);
}

/* ---- kept reports, and small public helpers ---- */

struct collect {
	hg_drift_report *rep;
};

static int c_begin(void *payload, const hg_drift_meta *meta)
{
	struct collect *c = payload;
	c->rep->ref = meta->ref ? hg_arena_strdup(c->rep->arena, meta->ref) : NULL;
	c->rep->today = hg_arena_strdup(c->rep->arena, meta->today);
	return 0;
}

static int c_block(void *payload, const hg_drift_result *res, size_t n)
{
	struct collect *c = payload;
	size_t i;
	for (i = 0; i < n; i++) {
		HG_GROW(c->rep->results, c->rep->cap, c->rep->n + 1);
		hg_drift_result_copy(c->rep->arena, &c->rep->results[c->rep->n++], &res[i]);
	}
	return 0;
}

static int c_end(void *payload, const hg_drift_summary *s)
{
	(void)payload;
	(void)s;
	return 0;
}

int hg_drift_run(hg_drift_report **out, const hg_drift_options *opts, hg_diags *d)
{
	struct collect c;
	hg_drift_sink sink = {c_begin, c_block, c_end, &c};
	int rc;

	c.rep = hg_xcalloc(1, sizeof(*c.rep));
	c.rep->arena = hg_arena_new();
	rc = hg_drift_run_sink(opts, &sink, &c.rep->summary, d);
	if (!c.rep->summary) {
		hg_drift_report_free(c.rep);
		*out = NULL;
		return rc < 0 ? rc : HG_EIO;
	}
	*out = c.rep;
	return rc;
}

void hg_drift_report_free(hg_drift_report *r)
{
	if (!r)
		return;
	free(r->results);
	hg_drift_summary_free(r->summary);
	hg_arena_dispose(r->arena);
	free(r);
}

bool hg_drift_result_counts(const hg_drift_result *x)
{
	size_t k;
	if (x->ignored)
		return false;
	if (x->change == HG_CH_PENDING)
		return false; /* merged in git, not yet deployed: the cloud is as deployed */
	if (x->status == HG_DS_DELETED || x->status == HG_DS_UNMANAGED)
		return true;
	for (k = 0; x->status == HG_DS_MODIFIED && k < x->ndiffs; k++)
		if (!x->diffs[k].ignored && x->diffs[k].change != HG_CH_PENDING)
			return true;
	return false;
}

bool hg_drift_found(const hg_drift_summary *s, bool strict)
{
	return s->drift || s->violations ||
	       (strict && (s->counts[HG_DS_NOT_CHECKED] || s->partial));
}

const char *hg_drift_status_name(hg_drift_status s)
{
	static const char *const names[] = {"IN_SYNC", "MODIFIED", "DELETED", "UNMANAGED", "NOT_CHECKED"};
	return (unsigned)s < HG_DS__COUNT ? names[s] : "?";
}

const char *hg_change_name(hg_change c)
{
	static const char *const names[] = {NULL, "drift", "pending", "both"}; /* ORDER CHANGE */
	return (unsigned)c <= HG_CH_BOTH ? names[c] : NULL;
}

const char *hg_diff_kind_name(hg_diff_kind k)
{
	static const char *const names[] = {"ADD", "REMOVE", "NOT_EQUAL"};
	return (unsigned)k <= HG_DIFF_NOT_EQUAL ? names[k] : "?";
}

const char *hg_csev_name(hg_csev s)
{
	static const char *const names[] = {"critical", "high", "medium", "low", "none"}; /* ORDER SEVERITY */
	return (unsigned)s < HG_CSEV__COUNT ? names[s] : "none";
}

hg_csev hg_csev_parse(const char *s)
{
	int k;
	for (k = 0; s && k < HG_CSEV_NONE; k++)
		if (strcmp(s, hg_csev_name((hg_csev)k)) == 0)
			return (hg_csev)k;
	return HG_CSEV_NONE;
}
