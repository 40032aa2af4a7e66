/*
 * match.c: templates to stacks, per unit (see match.h); the model's small
 * constructors.
 * Part of hinagata; see LICENSE.
 */
#include "match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

hg_dres *hg_dset_add(hg_dset *set, hg_arena *a)
{
	hg_dres *r;
	HG_AGROW(a, set->res, set->cap, set->n + 1);
	r = &set->res[set->n++];
	memset(r, 0, sizeof(*r));
	r->preset = HG_DS_IN_SYNC;
	r->rec = -1;
	r->tindex = -1;
	return r;
}

void hg_dres_note(hg_dres *r, hg_arena *a, const char *path, const char *why)
{
	const char **grown = HG_ANEWN(a, const char *, r->nnotes + 1);
	const char *sep = strchr(why, '\x1f');

	if (r->nnotes)
		memcpy(grown, r->notes, sizeof(*grown) * r->nnotes);
	grown[r->nnotes++] = sep ? hg_arena_printf(a, "%s: %.*s\x1f%s: %s", path, (int)(sep - why), why,
	                                   path, sep + 1)
	                         : hg_arena_printf(a, "%s: %s", path, why);
	r->notes = grown;
}

/* How many of the template's logical IDs the stack has. */
static size_t overlap(const hg_tmpl *t, hg_stack *s)
{
	size_t i, hits = 0;
	for (i = 0; i < t->nlogical; i++)
		if (hg_stack_find(s, t->logical[i]))
			hits++;
	return hits;
}

/* Has the stack any of the template's logical IDs? */
static bool overlaps(const hg_tmpl *t, hg_stack *s)
{
	size_t i;
	for (i = 0; i < t->nlogical; i++)
		if (hg_stack_find(s, t->logical[i]))
			return true;
	return false;
}

/* Is the stack named like the template: its file name, or its template name with '-' for '/'? */
static bool named_like(const hg_tmpl *t, const char *stack)
{
	const char *base = strrchr(t->path, '/'), *dot;
	size_t n, i;

	base = base ? base + 1 : t->path;
	dot = strrchr(base, '.');
	n = dot ? (size_t)(dot - base) : strlen(base);
	if (strlen(stack) == n && memcmp(stack, base, n) == 0)
		return true;
	if (!t->name || strlen(t->name) != strlen(stack))
		return false;
	for (i = 0; stack[i]; i++)
		if (stack[i] != (t->name[i] == '/' ? '-' : t->name[i]))
			return false;
	return true;
}

static hg_stack *match_cfn(const hg_tmpl *t, size_t ti, hg_unit *u)
{
	hg_stack *pick = NULL;
	size_t i, best = 0;

	if (!u->aws)
		return NULL;
	if (t->named) {
		for (i = 0; i < u->nstacks; i++)
			if (strcmp(u->stacks[i].name, t->named) == 0)
				pick = &u->stacks[i];
	} else {
		for (i = 0; i < u->nstacks && !pick; i++)
			if (u->stacks[i].claimed < 0 && named_like(t, u->stacks[i].name) &&
			        (!u->stacks[i].have_resources || overlaps(t, &u->stacks[i])))
				pick = &u->stacks[i];
		for (i = 0; i < u->nstacks && !pick; i++) {
			size_t hits;
			if (u->stacks[i].claimed >= 0 || u->stacks[i].scope_rg)
				continue;
			hits = overlap(t, &u->stacks[i]);
			if (hits > best) {
				best = hits;
				pick = &u->stacks[i];
			}
		}
	}
	if (pick)
		pick->claimed = (int)ti;
	return pick;
}

/* The deployment whose parameters fit the template best (unclaimed), or NULL. */
static hg_stack *match_arm(const hg_tmpl *t, size_t ti, hg_unit *u, bool *pair)
{
	hg_stack *best = NULL;
	long score = -1;
	size_t i, k, m, deployments = 0;

	*pair = false;
	if (!u->azure)
		return NULL;
	for (i = 0; i < u->nstacks; i++) {
		hg_stack *s = &u->stacks[i];
		long sc = 0;
		deployments++;
		if (s->claimed >= 0)
			continue;
		for (k = 0; k < s->params->n; k++) {
			bool declared = false;
			for (m = 0; m < t->nparams; m++)
				if (strcmp(t->params[m], s->params->u.members[k].key) == 0)
					declared = true;
			sc += declared ? 1 : -1;
		}
		if (sc > score) {
			score = sc;
			best = s;
		}
	}
	if (best)
		best->claimed = (int)ti;
	*pair = best || deployments == 0;
	return best;
}

struct keyed {
	hg_item it;
	size_t unit_rank, seq;
	const char *stack;
};

static int cmp_keyed(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	int c;

	if (a->unit_rank != b->unit_rank)
		return a->unit_rank < b->unit_rank ? -1 : 1;
	/* a unit's unmanaged resources come after its templates */
	if ((a->it.tmpl == HG_ITEM_UNMANAGED) != (b->it.tmpl == HG_ITEM_UNMANAGED))
		return a->it.tmpl == HG_ITEM_UNMANAGED ? 1 : -1;
	if ((c = strcmp(a->stack, b->stack)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void hg_match(hg_item **items, size_t *n, hg_tmpls *ts, hg_unit **units, size_t nunits)
{
	struct keyed *k = NULL;
	size_t nk = 0, cap = 0, t, i;

	for (t = 0; t < ts->n; t++) {
		const hg_tmpl *tm = &ts->t[t];
		bool any = false;
		for (i = 0; i < nunits; i++) {
			hg_unit *u = units[i];
			hg_stack *s;
			bool pair = false;
			if (tm->arm)
				s = match_arm(tm, t, u, &pair);
			else
				pair = (s = match_cfn(tm, t, u)) != NULL;
			if (!pair)
				continue;
			any = true;
			HG_GROW(k, cap, nk + 1);
			k[nk].it.tmpl = t;
			k[nk].it.u = u;
			k[nk].it.stack = s;
			k[nk].unit_rank = u->order + 1;
			k[nk].stack = s ? s->name : "";
			k[nk].seq = nk;
			nk++;
		}
		if (!any) { /* its resources are still reported: NOT_CHECKED */
			HG_GROW(k, cap, nk + 1);
			k[nk].it.tmpl = t;
			k[nk].it.u = NULL;
			k[nk].it.stack = NULL;
			k[nk].unit_rank = 0;
			k[nk].stack = "";
			k[nk].seq = nk;
			nk++;
		}
	}
	for (i = 0; i < nunits; i++) {
		HG_GROW(k, cap, nk + 1);
		k[nk].it.tmpl = HG_ITEM_UNMANAGED;
		k[nk].it.u = units[i];
		k[nk].it.stack = NULL;
		k[nk].unit_rank = units[i]->order + 1;
		k[nk].stack = "";
		k[nk].seq = nk;
		nk++;
	}
	if (nk)
		qsort(k, nk, sizeof(*k), cmp_keyed);
	*items = hg_xcalloc(nk + 1, sizeof(**items));
	for (i = 0; i < nk; i++)
		(*items)[i] = k[i].it;
	*n = nk;
	free(k);
}
