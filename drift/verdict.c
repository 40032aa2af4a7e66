/*
 * verdict.c: the comparison stage (see verdict.h).
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE /* strcasestr */
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compare.h"

/* ---- totals ---- */

static hg_csev sev_of(const char *s)
{
	return hg_csev_parse(s);
}

void hg_summary_add(hg_drift_summary *s, const hg_drift_result *x)
{
	s->counts[x->status]++;
	s->total++;
	if (x->status != HG_DS_NOT_CHECKED)
		s->checked++;
	s->props_checked += x->props_compared;
	s->props_total += x->props_total;
	if (x->nnot_checked && x->status != HG_DS_NOT_CHECKED)
		s->partial++;
	s->violations += x->nviolations;
	if (x->change == HG_CH_PENDING)
		s->pending++; /* merged in git, not yet deployed: not drift */
	if (hg_drift_result_counts(x)) {
		s->drift = true;
		s->drift_by_severity[sev_of(x->severity)]++;
	} else if (x->ignored || (x->status == HG_DS_MODIFIED && x->ndiffs && x->change != HG_CH_PENDING))
		s->suppressed++; /* drift that ignore rules cover */
}

void hg_summary_merge(hg_drift_summary *a, const hg_drift_summary *b)
{
	int k;
	for (k = 0; k < HG_DS__COUNT; k++)
		a->counts[k] += b->counts[k];
	for (k = 0; k < HG_CSEV__COUNT; k++)
		a->drift_by_severity[k] += b->drift_by_severity[k];
	a->checked += b->checked;
	a->total += b->total;
	a->props_checked += b->props_checked;
	a->props_total += b->props_total;
	a->suppressed += b->suppressed;
	a->partial += b->partial;
	a->violations += b->violations;
	a->cache_hits += b->cache_hits;
	a->pending += b->pending;
	a->drift = a->drift || b->drift;
}

/* ---- building a result ---- */

static char *keep(hg_block *b, const char *s)
{
	return s ? hg_arena_strdup(b->a, s) : NULL;
}

static char **keep_list(hg_block *b, const char *const *list, size_t n)
{
	char **r;
	size_t i;
	if (!n)
		return NULL;
	r = HG_ANEWN(b->a, char *, n);
	for (i = 0; i < n; i++)
		r[i] = keep(b, list[i]);
	return r;
}

static hg_drift_result *result_new(hg_block *b)
{
	hg_drift_result *x;
	HG_AGROW(b->a, b->res, b->cap, b->n + 1);
	x = &b->res[b->n++];
	memset(x, 0, sizeof(*x));
	return x;
}

/* The highest severity of x's controls and violations. */
static void severity(const hg_verdict_ctx *c, hg_block *b, hg_drift_result *x)
{
	hg_csev best = HG_CSEV_NONE;
	size_t k;

	for (k = 0; k < x->ncontrols; k++) {
		hg_csev s = sev_of(hg_judge_severity(c->judge, x->controls[k]));
		if (s < best)
			best = s;
	}
	for (k = 0; k < x->nviolations; k++) {
		hg_csev s = sev_of(x->violations[k].severity);
		if (s < best)
			best = s;
	}
	x->severity = best == HG_CSEV_NONE ? NULL : keep(b, hg_csev_name(best));
}

static void add_violation(const hg_verdict_ctx *c, hg_block *b, hg_drift_result *x,
        const char *control, bool deployed)
{
	hg_violation *grown;
	size_t k;

	for (k = 0; k < x->nviolations; k++)
		if (strcmp(x->violations[k].control, control) == 0)
			return;
	grown = HG_ANEWN(b->a, hg_violation, x->nviolations + 1);
	if (x->nviolations)
		memcpy(grown, x->violations, sizeof(*grown) * x->nviolations);
	grown[x->nviolations].control = keep(b, control);
	grown[x->nviolations].severity = keep(b, hg_judge_severity(c->judge, control));
	grown[x->nviolations].message = NULL;
	grown[x->nviolations].deployed = deployed;
	x->violations = grown;
	x->nviolations++;
}

/* The template's own violations of this resource (t->violations "KEY\tCONTROL"). */
static void template_violations(const hg_verdict_ctx *c, hg_block *b, hg_drift_result *x,
        const hg_tmpl *t, const hg_dres *r)
{
	char key[32];
	const char *k = r->logical;
	size_t i, n;

	if (t->arm) {
		if (r->tindex < 0)
			return;
		snprintf(key, sizeof(key), "#%d", r->tindex);
		k = key;
	}
	n = strlen(k);
	for (i = 0; i < t->nviolations; i++)
		if (strncmp(t->violations[i], k, n) == 0 && t->violations[i][n] == '\t')
			add_violation(c, b, x, t->violations[i] + n + 1, false);
}

/* Is the control among the template's violations of x? */
static bool template_breaks(const hg_drift_result *x, const char *control)
{
	size_t k;
	for (k = 0; k < x->nviolations; k++)
		if (!x->violations[k].deployed && strcmp(x->violations[k].control, control) == 0)
			return true;
	return false;
}

static void claim(hg_unit *u, int rec)
{
	if (u && rec >= 0)
		__atomic_fetch_or(&u->recs[rec].flags, HG_REC_CLAIMED, __ATOMIC_RELAXED);
}

/* A new result for the desired resource r of set in u: what the template says about it. */
/* s kept in b once for all the block's results that repeat it (slot: which field). */
static char *keep_shared(hg_verdict_ctx *c, hg_block *b, int slot, const char *s)
{
	if (c->shared_in != b || c->shared_arena != b->a) { /* another block, or its arena anew */
		memset(c->shared_src, 0, sizeof(c->shared_src));
		c->shared_in = b;
		c->shared_arena = b->a;
	}
	if (!s)
		return NULL;
	if (c->shared_src[slot] != s) {
		c->shared_src[slot] = s;
		c->shared[slot] = keep(b, s);
	}
	return c->shared[slot];
}

static hg_drift_result *result_for(
        hg_verdict_ctx *c, hg_block *b, hg_unit *u, const hg_dset *set, const hg_dres *r)
{
	hg_drift_result *x = result_new(b);
	x->account = keep_shared(c, b, 0, u ? u->account : "");
	x->region = keep_shared(c, b, 1, u ? u->region : "");
	x->unit = keep_shared(c, b, 2, set->unit_name);
	x->logical_id = keep(b, r->logical);
	x->type = keep(b, r->type);
	x->physical_id = keep(b, r->physical);
	x->template_name = keep_shared(c, b, 3, r->template_name);
	x->template_version = keep_shared(c, b, 4, r->template_version);
	x->mandatory = r->mandatory;
	x->controls = keep_list(b, r->controls, r->ncontrols);
	x->ncontrols = r->ncontrols;
	x->source_file = keep_shared(c, b, 5, set->source);
	return x;
}

/* ---- three-way: drift, pending, or both ---- */

/* The resource of the deployed template that r is: the same record, else the same type and name. */
static const hg_dres *deployed_of(const hg_verdict_ctx *c, const hg_dres *r)
{
	size_t i;
	if (!c->deployed)
		return NULL;
	for (i = 0; i < c->deployed->n; i++) {
		const hg_dres *d = &c->deployed->res[i];
		if (!d->type || !r->type || strcasecmp(d->type, r->type) != 0)
			continue;
		if (r->identity && d->identity ? strcmp(r->identity, d->identity) == 0
		                               : r->logical && d->logical && strcmp(r->logical, d->logical) == 0)
			return d;
	}
	return NULL;
}

/* Do two JSON pointers touch (one is the other, or under it)? */
static bool overlaps(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;
	if (strncmp(a, b, n) != 0)
		return false;
	return la == lb || n == 0 || (la < lb ? b[la] == '/' : a[lb] == '/');
}

static bool touched(const char *path, const hg_drift_result *by)
{
	size_t j;
	for (j = 0; j < by->ndiffs; j++)
		if (overlaps(path, by->diffs[j].path))
			return true;
	return false;
}

/* The change of a result from those of its differences. */
static hg_change change_of(const hg_drift_result *x)
{
	size_t k, drift = 0, pending = 0;
	for (k = 0; k < x->ndiffs; k++) {
		drift += x->diffs[k].change == HG_CH_DRIFT;
		pending += x->diffs[k].change == HG_CH_PENDING;
	}
	if (!x->ndiffs)
		return HG_CH_NONE;
	return pending == x->ndiffs ? HG_CH_PENDING : drift == x->ndiffs ? HG_CH_DRIFT : HG_CH_BOTH;
}

/*
 * Who made each difference of x between git's resource (desired) and the
 * cloud: the cloud, where the deployed record differs from the deployed
 * template (dr) too; git, where the desired template differs from the
 * deployed one; both. Neither would mean the three cannot be told apart at
 * that path: it stays drift, which counts (fail closed).
 */
static void three_way(hg_verdict_ctx *c, hg_drift_result *x, hg_unit *u, const hg_dres *r,
        const hg_dres *dr, const hg_jv *desired)
{
	hg_drift_result cloud, git;
	hg_compare cmp;
	hg_jv *whole;
	size_t k;
	int rc = 0;

	whole = hg_state_record(u, &u->recs[r->rec], c->work, c->fc, c->d, &rc);
	if (!whole) {
		if (rc < 0 && !c->rc)
			c->rc = rc;
		return;
	}
	memset(&cloud, 0, sizeof(cloud));
	memset(&git, 0, sizeof(git));
	memset(&cmp, 0, sizeof(cmp));
	cmp.canon = c->canon;
	cmp.tmp = c->work;
	cmp.keep = c->work; /* the two comparisons are only looked at here */
	cmp.type = r->type;
	hg_compare_resource(&cmp, &cloud, dr->props, whole);
	hg_compare_resource(&cmp, &git, desired, dr->props);
	for (k = 0; k < x->ndiffs; k++) {
		bool cl = touched(x->diffs[k].path, &cloud), gi = touched(x->diffs[k].path, &git);
		x->diffs[k].change = cl && gi ? HG_CH_BOTH : gi ? HG_CH_PENDING : HG_CH_DRIFT;
	}
	x->change = change_of(x);
}

/* Compare a resource with its record. */
static void compare(hg_verdict_ctx *c, hg_block *b, hg_drift_result *x, const hg_tmpl *t,
        hg_unit *u, const hg_dres *r, const hg_dres *dr)
{
	hg_jv *deployed, *desired = r->props;
	const hg_jv *judged;
	hg_compare cmp;
	const char **broken = NULL;
	size_t k, nbroken, nnotes = r->nnotes;
	int rc = 0;

	hg_arena_reset(c->work);
	{
		/* Only what the template declares is compared (and judged when it drifted). */
		const char **keys = HG_ANEWN(c->work, const char *, desired->n + 2);
		size_t nkeys = 0;
		for (k = 0; k < desired->n; k++)
			keys[nkeys++] = desired->u.members[k].key;
		if (t->arm)
			keys[nkeys++] = "properties"; /* whether az printed them at all */
		deployed = hg_state_record_select(u, &u->recs[r->rec], c->work, c->fc, c->d, &rc, keys, nkeys);
	}
	if (!deployed) {
		if (rc < 0 && !c->rc)
			c->rc = rc;
		x->status = HG_DS_NOT_CHECKED;
		x->reason = keep(b, HG_BI("the record cannot be read back", "レコードを読み直せません"));
		return;
	}
	judged = deployed;
	if (t->arm && hg_jv_get(desired, "properties") && !hg_jv_get(deployed, "properties")) {
		/* az resource list prints no properties: what cannot be compared is said so */
		hg_jv *without = hg_jv_object(c->work, desired->n);
		for (k = 0; k < desired->n; k++)
			if (strcmp(desired->u.members[k].key, "properties") != 0)
				hg_jv_put(c->work, without, desired->u.members[k].key, desired->u.members[k].klen,
				        desired->u.members[k].val);
		desired = without;
		x->not_checked = HG_ANEWN(b->a, char *, r->nnotes + 1);
		x->not_checked[x->nnot_checked++] = keep(b,
		        HG_BI("/properties: az resource list does not print properties; export az resource show",
		                "/properties: az resource list はプロパティを出力しません。az resource show をエクスポートしてください"));
		nnotes++;
	}
	memset(&cmp, 0, sizeof(cmp));
	cmp.canon = c->canon;
	cmp.tmp = c->work;
	cmp.keep = b->a;
	cmp.type = r->type;
	cmp.locked = r->locked;
	cmp.nlocked = r->nlocked;
	cmp.want_hashes = c->want_hashes;
	hg_compare_resource(&cmp, x, desired, deployed);
	if (x->status == HG_DS_MODIFIED && dr && dr->preset == HG_DS_IN_SYNC && !dr->sidecar && dr->props)
		three_way(c, x, u, r, dr, desired);
	x->props_compared = desired->n;
	x->props_total = desired->n + nnotes;
	if (!desired->n && nnotes) {
		x->status = HG_DS_NOT_CHECKED;
		x->reason = keep(b, HG_BI("no property could be compared", "比較できたプロパティがありません"));
		return;
	}
	/* A drift that breaks a control the template kept carries the control. */
	if (x->status == HG_DS_MODIFIED) {
		/* the whole record: a rule may look at what the template does not declare */
		judged = hg_state_record(u, &u->recs[r->rec], c->work, c->fc, c->d, &rc);
		judged = hg_canon_policies_decoded(c->canon, c->work, judged, 0);
		nbroken = hg_judge_deployed(c->judge, c->work, t->arm, r->type, judged, &broken);
		for (k = 0; k < nbroken; k++)
			if (!template_breaks(x, broken[k]))
				add_violation(c, b, x, broken[k], true);
	}
}

static void one(hg_verdict_ctx *c, hg_block *b, const hg_tmpl *t, hg_unit *u, const hg_dset *set,
        const hg_dres *r, bool *matched)
{
	hg_drift_result *x = result_for(c, b, u, set, r);
	const hg_dres *dr = deployed_of(c, r);
	size_t k;

	if (t->arm && r->props && hg_jv_str(hg_jv_get(r->props, "location")))
		x->region = keep(b, hg_jv_str(hg_jv_get(r->props, "location")));
	template_violations(c, b, x, t, r);
	if (dr)
		matched[dr - c->deployed->res] = true;
	if (r->preset != HG_DS_IN_SYNC || r->sidecar) {
		x->status = r->preset;
		x->reason = keep(b, r->reason);
		if (r->preset == HG_DS_NOT_CHECKED || r->preset == HG_DS_DELETED)
			x->props_total = r->raw && r->raw->kind == HG_JV_OBJ ? r->raw->n : 0;
		/* not deployed: added in git since the last deployment (pending), or deleted in the
		 * cloud (drift), and changed in git as well (both) */
		if (r->preset == HG_DS_DELETED && c->deployed)
			x->change = !dr ? HG_CH_PENDING
			                : (r->props && dr->props && !hg_jv_equal(r->props, dr->props)) ? HG_CH_BOTH
			                                                                            : HG_CH_DRIFT;
	} else
		compare(c, b, x, t, u, r, dr);
	if (r->nnotes) {
		char **notes = HG_ANEWN(b->a, char *, x->nnot_checked + r->nnotes);
		if (x->nnot_checked)
			memcpy(notes, x->not_checked, sizeof(char *) * x->nnot_checked);
		for (k = 0; k < r->nnotes; k++)
			notes[x->nnot_checked++] = keep(b, r->notes[k]);
		x->not_checked = notes;
	}
	claim(u, r->rec);
	severity(c, b, x);
}

/*
 * A resource the deployed template has and git's no longer does: removed
 * in git, still deployed until the next deployment deletes it (pending). It
 * is in no desired template, so it is reported as UNMANAGED would be.
 */
static void removed_in_git(hg_verdict_ctx *c, hg_block *b, hg_unit *u, const hg_dset *set,
        const hg_dres *d)
{
	hg_drift_result *x;
	if (d->preset == HG_DS_DELETED || d->sidecar)
		return; /* not there either: nothing to remove */
	x = result_for(c, b, u, set, d);
	x->status = HG_DS_UNMANAGED;
	x->change = HG_CH_PENDING;
	x->reason = keep(b, HG_BI("removed from the template in git; the deployed template still has it "
	                          "(not yet deployed)",
	        "git のテンプレートからは削除されていますが、デプロイされたテンプレートにはまだあります "
	        "(未デプロイ)"));
	claim(u, d->rec);
	severity(c, b, x);
}

void hg_verdict_set(hg_verdict_ctx *c, hg_block *b, const hg_tmpl *t, hg_unit *u, const hg_dset *set)
{
	bool *matched = c->deployed ? HG_ANEWN(b->a, bool, c->deployed->n + 1) : NULL;
	size_t i;
	if (matched)
		memset(matched, 0, sizeof(bool) * (c->deployed->n + 1));
	{ /* the records to compare, read ahead in file order */
		int *recs = HG_ANEWN(b->a, int, set->n + 1);
		size_t n = 0;
		for (i = 0; i < set->n; i++)
			if (set->res[i].preset == HG_DS_IN_SYNC && !set->res[i].sidecar && set->res[i].rec >= 0)
				recs[n++] = set->res[i].rec;
		hg_state_prefetch(c->fc, u, recs, n);
	}
	HG_AGROW(b->a, b->res, b->cap, b->n + set->n + 1); /* a result each, mostly: grown once */
	for (i = 0; i < set->n; i++)
		one(c, b, t, u, set, &set->res[i], matched);
	for (i = 0; c->deployed && i < c->deployed->n; i++)
		if (!matched[i])
			removed_in_git(c, b, u, set, &c->deployed->res[i]);
}

/* ---- unmanaged ---- */

static int cmp_unmanaged(const void *x, const void *y)
{
	const hg_drift_result *a = x, *b = y;
	int c = strcmp(a->type, b->type);
	return c ? c : strcmp(a->physical_id ? a->physical_id : "", b->physical_id ? b->physical_id : "");
}

void hg_verdict_unmanaged(hg_verdict_ctx *c, hg_block *b, hg_unit *u)
{
	size_t i, first = b->n, k;

	for (i = 0; i < u->nrecs; i++) {
		hg_rec *r = &u->recs[i];
		const hg_jv *v, *props;
		const char **broken = NULL, *id;
		size_t nbroken;
		hg_drift_result *x;
		int rc = 0;

		if (__atomic_load_n(&r->flags, __ATOMIC_RELAXED) &
		        (HG_REC_CLAIMED | HG_REC_IN_STACK | HG_REC_SHADOWED))
			continue;
		if (strncmp(r->type, HG_TYPE_PSEUDO, sizeof(HG_TYPE_PSEUDO) - 1) == 0)
			continue; /* a deployed template, a deployment: not a resource */
		if ((r->flags & HG_REC_AZURE) &&
		        (strcasecmp(r->type, "Microsoft.Resources/deployments") == 0 ||
		                strcasecmp(r->type, "Microsoft.Resources/resourceGroups") == 0))
			continue;
		hg_arena_reset(c->work);
		v = hg_state_record(u, r, c->work, c->fc, c->d, &rc);
		if (!v) {
			if (rc < 0 && !c->rc)
				c->rc = rc;
			continue;
		}
		props = v;
		if (hg_canon_cloud_default(c->canon, r->type, props))
			continue;
		x = result_new(b);
		x->status = HG_DS_UNMANAGED;
		x->type = keep(b, r->type);
		id = (r->flags & HG_REC_AZURE) ? hg_jv_str(hg_jv_get(v, "id")) : r->identity;
		x->physical_id = keep(b, id ? id : r->identity);
		x->account = keep(b, u->account);
		if (r->flags & HG_REC_AZURE) {
			const char *loc = hg_jv_str(hg_jv_get(v, "location"));
			const char *shown = id ? id : r->identity, *rg = strcasestr(shown, "/resourceGroups/");
			x->region = keep(b, loc ? loc : "");
			/* its resource group as az prints it; none at subscription scope */
			x->unit = rg ? hg_arena_strndup(b->a, rg + 16, strcspn(rg + 16, "/")) : keep(b, "");
		} else
			x->region = keep(b, u->region);
		x->source_file = keep(b, u->files[r->file]);
		x->source_line = r->line;
		props = hg_canon_policies_decoded(c->canon, c->work, props, 0);
		nbroken = hg_judge_deployed(c->judge, c->work, (r->flags & HG_REC_AZURE) != 0, r->type, props, &broken);
		for (k = 0; k < nbroken; k++)
			add_violation(c, b, x, broken[k], true);
		severity(c, b, x);
	}
	if (b->n - first > 1)
		qsort(b->res + first, b->n - first, sizeof(*b->res), cmp_unmanaged);
}

void hg_verdict_finish(hg_verdict_ctx *c, hg_block *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->n; i++) {
		hg_drift_result *x = &b->res[i];
		hg_ignore_result(c->ignore, b->a, x, c->d);
		hg_summary_add(&b->sum, x);
		/* in sync with nothing to say: counted, not kept */
		if (!c->keep_in_sync && x->status == HG_DS_IN_SYNC && !x->nnot_checked && !x->reason &&
		        !x->nviolations)
			continue;
		if (n != i)
			b->res[n] = *x;
		n++;
	}
	b->n = n;
}
