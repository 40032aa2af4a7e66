/*
 * plan.c: the work units of a fleet, and which shard does each (see
 * fleet.h).
 * Part of hinagata; see LICENSE.
 *
 * One unit per AWS account and region and one per Azure subscription:
 * what one collector call writes into one directory and what the drift
 * engine reads as one state unit. Each unit's shard is a hash of its key
 * (common/shard.h), never its place in the manifest: adding an account
 * moves no other account to another shard, and every worker of a job
 * computes the same assignment from the same manifest. Units come out
 * sorted by key, the drift engine's unit order (account, then region).
 */
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "fleet.h"

static int cmp_unit(const void *x, const void *y)
{
	const hg_fleet_unit *a = x, *b = y;
	int c = strcmp(a->target->id, b->target->id);
	return c ? c : strcmp(a->region, b->region);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Is stack s in region (a stack without regions is in every region of its account)? */
static bool in_region(const hg_fleet_stack *s, const char *region)
{
	size_t i;
	if (!s->nregions)
		return true;
	for (i = 0; i < s->nregions; i++)
		if (strcmp(s->regions[i], region) == 0)
			return true;
	return false;
}

/* Add unit (t, region) to p if it falls in shard s. */
static void add_unit(hg_fleet_plan *p, size_t *cap, const hg_fleet *f, const hg_fleet_target *t,
        const char *region, bool home, const hg_shard *s)
{
	hg_buf key = HG_BUF_INIT;
	hg_fleet_unit *u;
	size_t i;

	hg_shard_key(&key, t->id, region);
	p->total++;
	if (!hg_shard_holds(s, key.ptr)) {
		hg_buf_dispose(&key);
		return;
	}
	HG_GROW(p->units, *cap, p->n + 1);
	u = &p->units[p->n++];
	memset(u, 0, sizeof(*u));
	u->target = t;
	u->region = region;
	u->key = hg_arena_strdup(p->a, key.ptr);
	u->dir = u->key; /* ACCOUNT/REGION or SUBSCRIPTION: the collectors' layout */
	u->home = home;
	u->shard = hg_shard_of(key.ptr, s->count);
	u->stacks = HG_ANEWN(p->a, const hg_fleet_stack *, t->nstacks + 1);
	for (i = 0; i < t->nstacks; i++)
		if (t->cloud == HG_CLOUD_AZURE || in_region(&t->stacks[i], region))
			u->stacks[u->nstacks++] = &t->stacks[i];
	/* a global service's resources are the account's, not a region's: listed at home */
	u->types = HG_ANEWN(p->a, const char *, t->ntypes + 1);
	for (i = 0; i < t->ntypes; i++)
		if (home || !hg_fleet_global(f, t->types[i]))
			u->types[u->ntypes++] = t->types[i];
	hg_buf_dispose(&key);
}

hg_fleet_plan *hg_fleet_plan_new(const hg_fleet *f, const hg_shard *s)
{
	hg_fleet_plan *p = hg_xcalloc(1, sizeof(*p));
	hg_shard none = HG_SHARD_NONE;
	size_t cap = 0, i, k, ntpl = 0, captpl = 0;
	const char **tpl = NULL;

	if (!s)
		s = &none;
	p->a = hg_arena_new();
	p->shard = *s;
	for (i = 0; i < f->ntargets; i++) {
		const hg_fleet_target *t = &f->targets[i];
		if (t->cloud == HG_CLOUD_AZURE)
			add_unit(p, &cap, f, t, "", false, s);
		else
			for (k = 0; k < t->nregions; k++)
				add_unit(p, &cap, f, t, t->regions[k], k == 0, s);
	}
	if (p->n > 1)
		qsort(p->units, p->n, sizeof(*p->units), cmp_unit);
	/* The templates the shard's units carry, each once, as drift --template takes them. */
	for (i = 0; i < p->n; i++)
		for (k = 0; k < p->units[i].nstacks; k++) {
			const hg_fleet_stack *st = p->units[i].stacks[k];
			if (!st->template_path)
				continue;
			HG_GROW(tpl, captpl, ntpl + 1);
			tpl[ntpl++] = p->units[i].target->cloud == HG_CLOUD_AWS
			                      ? hg_arena_printf(p->a, "%s=%s", st->template_path, st->name)
			                      : st->template_path;
		}
	if (ntpl > 1)
		qsort(tpl, ntpl, sizeof(*tpl), cmp_str);
	p->templates = HG_ANEWN(p->a, const char *, ntpl + 1);
	for (i = 0; i < ntpl; i++)
		if (!p->ntemplates || strcmp(p->templates[p->ntemplates - 1], tpl[i]) != 0)
			p->templates[p->ntemplates++] = tpl[i];
	free(tpl);
	return p;
}

void hg_fleet_plan_free(hg_fleet_plan *p)
{
	if (!p)
		return;
	free(p->units);
	hg_arena_dispose(p->a);
	free(p);
}
