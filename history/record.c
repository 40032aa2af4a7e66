/*
 * record.c: what a run says, in memory: observations, the resources it
 * checked, the listings it read, the controls it evaluated (see record.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. A drift result becomes findings as follows (docs/history.md):
 *
 *   - a difference of a MODIFIED resource: one finding per property path
 *     (aspect = the JSON pointer), suppressed when an ignore rule covers it;
 *   - a DELETED or UNMANAGED resource: one finding (aspect DELETED or
 *     UNMANAGED); a deleted resource that implements controls fails them;
 *   - with the template a stack was deployed with (three-way drift), a
 *     difference that is only pending (merged in git, not yet deployed) is
 *     no finding: the cloud is as deployed (a missing resource still fails
 *     the controls it implements); the deployed template's hash is kept per
 *     unit (run_unit.deployed_hash), a change of it is a deployment;
 *   - a control a rule finds broken on the deployed or the template value:
 *     one finding (kind violation, aspect deployed or template); it fails
 *     its control in the score. Ignore rules do not cover it, as they do
 *     not in the drift report either (the run exits 1).
 *
 * Every result that was compared (not NOT_CHECKED) is a place the run
 * checked: a finding there that the run did not see is resolved, unless
 * its property was one the run could not compare. A NOT_CHECKED resource
 * resolves nothing. An unmanaged resource that is gone is resolved only
 * where the run read a listing of its type (AWS) or resource group (Azure).
 *
 * The controls a compared resource was evaluated against are the ones it
 * implements and the ones whose rules apply to its type (the profiles'
 * rules, data); for a resource not compared, those are evaluated as
 * unknown. Which of them failed is the lifecycle's to say, from the
 * findings that stay active.
 */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hash.h"
#include "../common/secret.h"
#include "../common/util.h"
#include "../compiler/catalog.h"
#include "../compiler/compiler.h"
#include "../compiler/registry.h"
#include "../compiler/rules.h"

/* ---- hash maps ---- */

static size_t slot(const hg_hmap *m, uint64_t key)
{
	size_t i = (size_t)(key ^ (key >> 29)) & (m->cap - 1);
	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void hg_hmap_put(hg_hmap *m, uint64_t key, size_t val)
{
	size_t i;
	key = key ? key : 1;
	if ((m->n + 1) * 4 >= m->cap * 3) {
		hg_hmap old = *m;
		m->cap = old.cap ? old.cap * 2 : 64;
		m->keys = hg_xcalloc(m->cap, sizeof(*m->keys));
		m->vals = hg_xcalloc(m->cap, sizeof(*m->vals));
		m->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.keys[i]) {
				size_t j = slot(m, old.keys[i]);
				m->keys[j] = old.keys[i];
				m->vals[j] = old.vals[i];
				m->n++;
			}
		free(old.keys);
		free(old.vals);
	}
	i = slot(m, key);
	if (!m->keys[i])
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
}

size_t hg_hmap_get(const hg_hmap *m, uint64_t key)
{
	size_t i;
	if (!m->cap)
		return SIZE_MAX;
	i = slot(m, key ? key : 1);
	return m->keys[i] ? m->vals[i] : SIZE_MAX;
}

void hg_hmap_dispose(hg_hmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

uint64_t hg_hash_fields(const char *const *f, size_t n)
{
	hg_buf b = HG_BUF_INIT;
	uint64_t h;
	size_t i;
	for (i = 0; i < n; i++) {
		hg_buf_puts(&b, f[i] ? f[i] : "");
		hg_buf_putc(&b, '\0');
	}
	h = hg_hash64(b.ptr, b.size);
	hg_buf_dispose(&b);
	return h;
}

uint64_t hg_record_place(const char *account, const char *region, const char *resource)
{
	const char *f[3] = {account, region, resource};
	return hg_hash_fields(f, 3);
}

static const char *keep(hg_recorder *r, const char *s)
{
	return s ? hg_arena_strdup(r->a, s) : NULL;
}

/* A copy of s with the secrets of a known shape masked (common/secret.h). */
static const char *keep_masked(hg_recorder *r, const char *s)
{
	hg_buf b = HG_BUF_INIT;
	const char *k;
	if (!s || !hg_secret_in(s, strlen(s)))
		return keep(r, s);
	hg_secret_mask(&b, s, strlen(s));
	k = keep(r, b.ptr);
	hg_buf_dispose(&b);
	return k;
}

/* ---- the recorder ---- */

hg_recorder *hg_recorder_new(const hg_record_options *o, hg_diags *d)
{
	hg_recorder *r = hg_xcalloc(1, sizeof(*r));
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;

	r->a = hg_arena_new();
	r->source = o->source;
	r->date = keep(r, o->date);
	r->ref = keep(r, o->ref);
	r->label = keep(r, o->label);
	r->input_key = keep(r, o->input_key);
	{
		size_t i;
		r->template_dirs = o->ntemplate_dirs ? HG_ANEWN(r->a, const char *, o->ntemplate_dirs) : NULL;
		for (i = 0; i < o->ntemplate_dirs; i++)
			r->template_dirs[i] = keep(r, o->template_dirs[i]);
		r->ntemplate_dirs = o->ntemplate_dirs;
		r->bundled_dir = keep(r, o->bundled_dir);
		r->schema_dir = keep(r, o->schema_dir);
	}
	co.template_dirs = o->template_dirs;
	co.ntemplate_dirs = o->ntemplate_dirs;
	co.bundled_dir = o->bundled_dir;
	co.schema_dir = o->schema_dir;
	r->ra = hg_arena_new();
	hg_diags_init(&r->rd);
	if (o->source == HG_SRC_SECURITYHUB || o->source == HG_SRC_DEFENDER)
		return r; /* the clouds name their controls and severities themselves */
	r->reg = hg_registry_of(r->ra, &co);
	r->catalog = hg_registry_get(r->reg, &r->rd, HG_DOC_CATALOG, HG_CATALOG_NAME);
	r->aws = hg_registry_get(r->reg, &r->rd, HG_DOC_PROFILE, "gc-aws");
	r->azure = hg_registry_get(r->reg, &r->rd, HG_DOC_PROFILE, "gc-azure");
	if (!r->catalog || !r->aws || !r->azure) {
		hg_diag_add(d, HG_D_PROFILE_NOT_FOUND, NULL,
		        !r->catalog ? HG_CATALOG_NAME : !r->aws ? "gc-aws" : "gc-azure",
		        hg_registry_path_text(r->reg), NULL);
		hg_recorder_free(r);
		return NULL;
	}
	return r;
}

void hg_recorder_free(hg_recorder *r)
{
	if (!r)
		return;
	hg_hmap_dispose(&r->obs_index);
	hg_hmap_dispose(&r->checked_index);
	hg_hmap_dispose(&r->account_index);
	hg_hmap_dispose(&r->eval_index);
	hg_hmap_dispose(&r->unit_index);
	hg_hmap_dispose(&r->template_index);
	hg_hmap_dispose(&r->type_index);
	hg_drift_cover_free(r->cover);
	hg_registry_free(r->reg);
	hg_diags_dispose(&r->rd);
	hg_arena_dispose(r->ra);
	hg_arena_dispose(r->a);
	free(r);
}

/* Which verdict says more: active > suppressed > passed > unknown. */
static int weight(hg_verdict v)
{
	static const int w[] = {3, 2, 1, 0}; /* ORDER VERDICT */
	return w[v];
}

void hg_recorder_observe(hg_recorder *r, const hg_observation *o)
{
	const char *f[7];
	hg_robs *x;
	uint64_t key;
	size_t at;

	f[0] = hg_hsource_name(r->source);
	f[1] = o->account;
	f[2] = o->region;
	f[3] = o->type;
	f[4] = o->resource;
	f[5] = o->control;
	f[6] = o->aspect;
	key = hg_hash_fields(f, 7);
	if ((at = hg_hmap_get(&r->obs_index, key)) != SIZE_MAX) {
		/* The same finding twice in one run (two standards' findings of one
		 * control): the verdict that says more wins. */
		if (weight(o->verdict) > weight(r->obs[at].o.verdict)) {
			r->obs[at].o.verdict = o->verdict;
			r->obs[at].o.reason = keep_masked(r, o->reason);
			r->obs[at].o.expires = keep(r, o->expires);
		}
		return;
	}
	HG_AGROW(r->a, r->obs, r->capobs, r->nobs + 1);
	x = &r->obs[r->nobs];
	memset(x, 0, sizeof(*x));
	x->key = key;
	hg_hash_hex(x->hex, key);
	x->o.kind = keep(r, o->kind);
	x->o.account = keep(r, o->account ? o->account : "");
	x->o.region = keep(r, o->region ? o->region : "");
	x->o.resource = keep(r, o->resource ? o->resource : "");
	x->o.type = keep(r, o->type);
	x->o.unit = keep(r, o->unit);
	x->o.control = keep(r, o->control);
	x->o.aspect = keep(r, o->aspect ? o->aspect : "");
	x->o.severity = keep(r, o->severity ? o->severity : "none");
	x->o.controls = keep(r, o->controls);
	/* The evidence (values as deployed, a title from a cloud) may hold a
	 * secret of a known shape: the store keeps it masked, as reports show it.
	 * Identities stay as they are (they are hashed, and reports mask them). */
	x->o.title = keep_masked(r, o->title);
	x->o.detail = keep_masked(r, o->detail);
	x->o.verdict = o->verdict;
	x->o.reason = keep_masked(r, o->reason);
	x->o.expires = keep(r, o->expires);
	x->o.fails = o->fails;
	hg_hmap_put(&r->obs_index, key, r->nobs++);
}

void hg_recorder_checked(hg_recorder *r, const char *account, const char *region,
        const char *type, const char *resource, const char *const *except, size_t nexcept)
{
	uint64_t place = hg_record_place(account ? account : "", region ? region : "", resource);
	size_t at = hg_hmap_get(&r->checked_index, place), i;
	hg_rchecked *c;

	(void)type;
	{
		/* the accounts whose findings the run may resolve */
		const char *f[1] = {account ? account : ""};
		uint64_t k = hg_hash_fields(f, 1);
		if (hg_hmap_get(&r->account_index, k) == SIZE_MAX) {
			HG_AGROW(r->a, r->accounts, r->capaccounts, r->naccounts + 1);
			r->accounts[r->naccounts] = keep(r, f[0]);
			hg_hmap_put(&r->account_index, k, r->naccounts++);
		}
	}
	if (at == SIZE_MAX) {
		HG_AGROW(r->a, r->checked, r->capchecked, r->nchecked + 1);
		at = r->nchecked++;
		memset(&r->checked[at], 0, sizeof(r->checked[at]));
		hg_hmap_put(&r->checked_index, place, at);
	}
	c = &r->checked[at];
	if (!nexcept)
		return;
	{
		const char **list = HG_ANEWN(r->a, const char *, c->nexcept + nexcept);
		if (c->nexcept)
			memcpy(list, c->except, c->nexcept * sizeof(*list));
		for (i = 0; i < nexcept; i++)
			list[c->nexcept + i] = keep(r, except[i]);
		c->except = list;
		c->nexcept += nexcept;
	}
}

/* Is severity a higher one than the other (critical > ... > low > anything else)? */
static bool higher(const char *a, const char *b)
{
	return hg_severity_rank(a) < hg_severity_rank(b);
}

void hg_recorder_evaluated(hg_recorder *r, const char *account, const char *control,
        const char *severity, bool unknown)
{
	const char *f[2] = {account ? account : "", control};
	uint64_t k = hg_hash_fields(f, 2);
	size_t at = hg_hmap_get(&r->eval_index, k);
	hg_reval *e;

	if (at == SIZE_MAX) {
		HG_AGROW(r->a, r->evals, r->capevals, r->nevals + 1);
		at = r->nevals++;
		e = &r->evals[at];
		e->account = keep(r, f[0]);
		e->control = keep(r, control);
		e->severity = keep(r, severity ? severity : "none");
		e->unknown = unknown;
		hg_hmap_put(&r->eval_index, k, at);
		return;
	}
	e = &r->evals[at];
	e->unknown = e->unknown || unknown; /* one resource not checked leaves the control unknown */
	if (severity && higher(severity, e->severity))
		e->severity = keep(r, severity);
}

static hg_runit *unit_of(hg_recorder *r, const char *account, const char *region, const char *unit)
{
	const char *f[3] = {account ? account : "", region ? region : "", unit ? unit : ""};
	uint64_t k = hg_hash_fields(f, 3);
	size_t at = hg_hmap_get(&r->unit_index, k);

	if (at == SIZE_MAX) {
		HG_AGROW(r->a, r->units, r->capunits, r->nunits + 1);
		at = r->nunits++;
		memset(&r->units[at], 0, sizeof(r->units[at]));
		r->units[at].account = keep(r, f[0]);
		r->units[at].region = keep(r, f[1]);
		r->units[at].unit = keep(r, f[2]);
		hg_hmap_put(&r->unit_index, k, at);
	}
	return &r->units[at];
}

void hg_recorder_unit(hg_recorder *r, const char *account, const char *region, const char *unit,
        size_t resources, size_t checked)
{
	hg_runit *u = unit_of(r, account, region, unit);
	u->resources += resources;
	u->checked += checked;
}

void hg_recorder_deployed(hg_recorder *r, const char *account, const char *region, const char *unit,
        const char *hash, const char *template_hash)
{
	hg_runit *u = unit_of(r, account, region, unit);
	u->deployed_hash = hash ? keep(r, hash) : NULL;
	u->template_hash = template_hash ? keep(r, template_hash) : NULL;
}

void hg_recorder_template(hg_recorder *r, const char *account, const char *name,
        const char *version, bool mandatory)
{
	const char *f[3] = {account ? account : "", name, version};
	uint64_t k = hg_hash_fields(f, 3);
	const hg_template *newest;
	hg_rtemplate *t;

	if (!name || !version || hg_hmap_get(&r->template_index, k) != SIZE_MAX)
		return;
	HG_AGROW(r->a, r->templates, r->captemplates, r->ntemplates + 1);
	t = &r->templates[r->ntemplates];
	t->account = keep(r, f[0]);
	t->name = keep(r, name);
	t->version = keep(r, version);
	t->mandatory = mandatory;
	/* The newest version on the search path now, to say how far behind an account is. */
	newest = r->reg ? hg_registry_get(r->reg, &r->rd, HG_DOC_TEMPLATE, name) : NULL;
	t->newest = newest ? keep(r, newest->version_text) : NULL;
	hg_hmap_put(&r->template_index, k, r->ntemplates++);
}

/* ---- drift results ---- */

static const char *catalog_severity(const hg_recorder *r, const char *control)
{
	const hg_control *c = r->catalog ? hg_catalog_control(r->catalog, control) : NULL;
	return c ? c->severity : NULL;
}

/* The catalog's title of a control, both languages (HG_BI), in r's arena; NULL if unknown. */
static const char *catalog_title(hg_recorder *r, const char *control)
{
	const hg_control *c = r->catalog ? hg_catalog_control(r->catalog, control) : NULL;
	if (!c || (!c->title.en && !c->title.ja))
		return NULL;
	return hg_arena_printf(r->a, "%s\x1f%s", c->title.en ? c->title.en : c->title.ja,
	        c->title.ja ? c->title.ja : c->title.en);
}

/* The controls whose rules judge resources of type (profiles' data), cached per type. */
static const struct hg_rtype *ruled(hg_recorder *r, const char *type)
{
	const char *f[1] = {type};
	uint64_t k = hg_hash_fields(f, 1);
	size_t at = hg_hmap_get(&r->type_index, k), i, j, m;
	const hg_template *p;
	struct hg_rtype *t;

	if (at != SIZE_MAX)
		return &r->types[at];
	HG_AGROW(r->a, r->types, r->captypes, r->ntypes + 1);
	t = &r->types[r->ntypes];
	memset(t, 0, sizeof(*t));
	p = type && strncmp(type, "AWS::", 5) == 0 ? r->aws : r->azure;
	for (i = 0; p && type && i < p->nrules; i++)
		for (j = 0; j < p->rules[i].ntypes; j++)
			if (hg_rule_type_matches(p->rules[i].types[j], type)) {
				for (m = 0; m < t->n; m++)
					if (strcmp(t->controls[m], p->rules[i].control) == 0)
						break;
				if (m == t->n) {
					const char **grown = HG_ANEWN(r->a, const char *, t->n + 1);
					if (t->n)
						memcpy(grown, t->controls, t->n * sizeof(*grown));
					grown[t->n++] = p->rules[i].control;
					t->controls = grown;
				}
				break;
			}
	hg_hmap_put(&r->type_index, k, r->ntypes);
	return &r->types[r->ntypes++];
}

/* Every control a result was (or could not be) evaluated against. */
static void evaluate(hg_recorder *r, const hg_drift_result *x, bool unknown)
{
	const struct hg_rtype *t = ruled(r, x->type);
	size_t i;

	for (i = 0; i < x->ncontrols; i++)
		hg_recorder_evaluated(r, x->account, x->controls[i], catalog_severity(r, x->controls[i]), unknown);
	for (i = 0; i < t->n; i++)
		hg_recorder_evaluated(r, x->account, t->controls[i], catalog_severity(r, t->controls[i]), unknown);
	for (i = 0; i < x->nviolations; i++)
		hg_recorder_evaluated(r, x->account, x->violations[i].control,
		        x->violations[i].severity ? x->violations[i].severity
		                                  : catalog_severity(r, x->violations[i].control),
		        unknown);
}

void hg_record__drift_result(hg_recorder *r, const hg_drift_result *x)
{
	hg_buf resource = HG_BUF_INIT, controls = HG_BUF_INIT, detail = HG_BUF_INIT;
	hg_observation o;
	bool compared = x->status != HG_DS_NOT_CHECKED;
	size_t i;

	r->resources++;
	r->checked_resources += compared;
	r->properties += x->props_total;
	r->properties_checked += x->props_compared;
	r->counts[x->status]++;
	/* A managed resource is known by its stack and logical ID (a replacement
	 * keeps its findings); an unmanaged one by its physical ID. */
	if (x->logical_id)
		hg_buf_printf(&resource, "%s/%s", x->unit ? x->unit : "", x->logical_id);
	else
		hg_buf_puts(&resource, x->physical_id ? x->physical_id : "?");
	for (i = 0; i < x->ncontrols; i++)
		hg_buf_printf(&controls, "%s%s", i ? " " : "", x->controls[i]);
	hg_recorder_unit(r, x->account, x->region, x->status == HG_DS_UNMANAGED ? "" : x->unit, 1,
	        compared);
	if (x->template_name && x->template_version && x->status != HG_DS_UNMANAGED)
		hg_recorder_template(r, x->account, x->template_name, x->template_version, x->mandatory);
	evaluate(r, x, !compared);
	if (!compared)
		goto out;
	{
		/* What the run could not compare stays as it was. */
		const char **except = x->nnot_checked ? hg_xcalloc(x->nnot_checked, sizeof(char *)) : NULL;
		for (i = 0; i < x->nnot_checked; i++) {
			const char *colon = strstr(x->not_checked[i], ": ");
			size_t len = colon ? (size_t)(colon - x->not_checked[i]) : strlen(x->not_checked[i]);
			except[i] = hg_arena_strndup(r->a, x->not_checked[i], len);
		}
		hg_recorder_checked(r, x->account, x->region, x->type, resource.ptr, except, x->nnot_checked);
		free(except);
	}
	memset(&o, 0, sizeof(o));
	o.account = x->account;
	o.region = x->region;
	o.resource = resource.ptr;
	o.type = x->type;
	/* "" marks a resource in no stack: resolved by the listings, not by its place */
	o.unit = x->status == HG_DS_UNMANAGED ? "" : (x->unit ? x->unit : "");
	o.severity = x->severity;
	o.controls = controls.size ? controls.ptr : NULL;
	o.kind = "drift";
	if (x->status == HG_DS_DELETED || x->status == HG_DS_UNMANAGED) {
		o.aspect = hg_drift_status_name(x->status);
		o.title = x->status == HG_DS_DELETED
		                  ? HG_BI("in the template, not deployed", "テンプレートにあり、デプロイされていない")
		                  : HG_BI("deployed, in no template", "デプロイされているが、どのテンプレートにもない");
		o.detail = x->reason;
		o.verdict = x->ignored ? HG_V_SUPPRESSED : HG_V_ACTIVE;
		o.reason = x->ignore_reason;
		o.expires = x->ignore_expires;
		/* A resource that implements a control and is gone leaves it unimplemented. */
		o.fails = x->status == HG_DS_DELETED && x->ncontrols > 0;
		if (o.fails)
			for (i = 0; i < x->ncontrols; i++) {
				hg_observation v = o;
				v.kind = "violation";
				v.control = x->controls[i];
				v.aspect = "DELETED";
				v.severity = catalog_severity(r, x->controls[i]);
				v.title = catalog_title(r, x->controls[i]);
				hg_recorder_observe(r, &v);
			}
		o.fails = false;
		/* Added in git and not deployed yet, or removed in git and still deployed:
		 * pending, not drift (three-way drift); a control it implements is still
		 * missing from the cloud (above). */
		if (x->change != HG_CH_PENDING)
			hg_recorder_observe(r, &o);
	}
	for (i = 0; x->status == HG_DS_MODIFIED && i < x->ndiffs; i++) {
		const hg_prop_diff *df = &x->diffs[i];
		if (df->change == HG_CH_PENDING)
			continue; /* merged in git, not yet deployed: the cloud is as deployed */
		hg_buf_clear(&detail);
		hg_buf_printf(&detail, "%s expected %s actual %s", hg_diff_kind_name(df->kind),
		        df->expected ? df->expected : "-", df->actual ? df->actual : "-");
		o.aspect = df->path;
		o.title = df->locked ? HG_BI("a locked setting differs from the template",
		                               "ロックされた設定がテンプレートと異なる")
		                     : HG_BI("differs from the template", "テンプレートと異なる");
		o.detail = detail.ptr;
		o.fails = false;
		if (df->ignored || x->ignored) {
			o.verdict = HG_V_SUPPRESSED;
			o.reason = df->ignored ? df->ignore_reason : x->ignore_reason;
			o.expires = df->ignored ? df->ignore_expires : x->ignore_expires;
		} else {
			o.verdict = HG_V_ACTIVE;
			o.reason = o.expires = NULL;
		}
		hg_recorder_observe(r, &o);
	}
	for (i = 0; i < x->nviolations; i++) {
		const hg_violation *v = &x->violations[i];
		hg_observation w = o;
		w.kind = "violation";
		w.control = v->control;
		w.aspect = v->deployed ? "deployed" : "template";
		w.severity = v->severity ? v->severity : catalog_severity(r, v->control);
		w.controls = NULL;
		w.title = v->message ? v->message : catalog_title(r, v->control);
		w.detail = NULL;
		w.verdict = HG_V_ACTIVE;
		w.reason = w.expires = NULL;
		w.fails = true;
		hg_recorder_observe(r, &w);
	}
out:
	hg_buf_dispose(&resource);
	hg_buf_dispose(&controls);
	hg_buf_dispose(&detail);
}

static int on_begin(void *payload, const hg_drift_meta *meta)
{
	hg_recorder *r = payload;
	if (meta->ref && !r->ref)
		r->ref = keep(r, meta->ref);
	return 0;
}

static int on_block(void *payload, const hg_drift_result *res, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		hg_record__drift_result(payload, &res[i]);
	return 0;
}

static int on_end(void *payload, const hg_drift_summary *s)
{
	hg_recorder *r = payload;
	size_t i;

	/* The template each stack or deployment was deployed with (three-way drift). */
	for (i = 0; i < s->ndeployed; i++)
		hg_recorder_deployed(r, s->deployed[i].account, s->deployed[i].region, s->deployed[i].unit,
		        s->deployed[i].hash, s->deployed[i].template_hash);
	/* What the run's listings covered: where an unmanaged resource not seen is gone. */
	hg_drift_cover_free(r->cover);
	r->cover = hg_drift_cover_copy(s);
	r->drift_ended = true;
	return 0;
}

hg_drift_sink hg_recorder_drift_sink(hg_recorder *r)
{
	hg_drift_sink s;
	s.begin = on_begin;
	s.block = on_block;
	s.end = on_end;
	s.payload = r;
	return s;
}

/* ---- check runs ---- */

/* The text of line n of the registered source named file (trimmed, at most 160 bytes), or "". */
static void source_line(hg_buf *out, const hg_diags *d, const char *file, uint32_t n)
{
	size_t i;
	for (i = 0; i < d->nsources; i++) {
		const hg_source *src = d->sources[i];
		const char *p, *end, *eol;
		uint32_t line = 1;
		if (src->name != file && strcmp(src->name, file) != 0)
			continue;
		if (!src->text)
			return;
		p = src->text;
		end = src->text + src->len;
		while (line < n && p < end && (eol = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			p = eol + 1;
			line++;
		}
		if (line != n)
			return;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		while (eol > p && (eol[-1] == ' ' || eol[-1] == '\t' || eol[-1] == '\r'))
			eol--;
		hg_buf_put(out, p, (size_t)(eol - p) > 160 ? 160 : (size_t)(eol - p));
		return;
	}
}

void hg_recorder_check(hg_recorder *r, const hg_diags *d, const char *const *files, size_t n)
{
	hg_hmap seen = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		hg_recorder_unit(r, "", "", files[i], 1, 1);
		hg_recorder_checked(r, "", "", NULL, files[i], NULL, 0);
	}
	r->resources = r->checked_resources = n;
	for (i = 0; i < d->n; i++) {
		const hg_diag *dg = d->items[i];
		const hg_control *c;
		hg_observation o;
		hg_buf detail = HG_BUF_INIT, title = HG_BUF_INIT, aspect = HG_BUF_INIT;
		const char *f[3];
		size_t k;

		if ((dg->code != HG_D_RULE_VIOLATION && dg->code != HG_D_SUPPRESSED) || !dg->span.file ||
		        !dg->args[0])
			continue;
		/* A rule finding has no name of its own: it is known by its file, its
		 * control and the source line it points at (edits elsewhere in the file
		 * keep it), numbered when the same line text breaks it twice. */
		source_line(&aspect, d, dg->span.file, dg->span.line);
		for (k = 1;; k++) {
			hg_buf key = HG_BUF_INIT;
			hg_buf_printf(&key, "%s%s#%zu", aspect.size ? aspect.ptr : "", aspect.size ? " " : "", k);
			f[0] = dg->span.file;
			f[1] = dg->args[0];
			f[2] = key.ptr;
			if (hg_hmap_get(&seen, hg_hash_fields(f, 3)) == SIZE_MAX) {
				hg_hmap_put(&seen, hg_hash_fields(f, 3), 1);
				if (k > 1) {
					hg_buf_clear(&aspect);
					hg_buf_puts(&aspect, key.ptr);
				}
				hg_buf_dispose(&key);
				break;
			}
			hg_buf_dispose(&key);
		}
		c = r->catalog ? hg_catalog_control(r->catalog, dg->args[0]) : NULL;
		if (dg->code == HG_D_RULE_VIOLATION)
			hg_buf_puts(&title, dg->args[1] ? dg->args[1] : "");
		else if (c) {
			hg_buf_puts(&title, c->title.en ? c->title.en : "");
			hg_buf_putc(&title, '\x1f');
			hg_buf_puts(&title, c->title.ja ? c->title.ja : (c->title.en ? c->title.en : ""));
		}
		hg_buf_printf(&detail, "%s:%u:%u", dg->span.file, dg->span.line, dg->span.col);
		memset(&o, 0, sizeof(o));
		o.kind = "check";
		o.account = o.region = "";
		o.resource = dg->span.file;
		o.unit = dg->span.file;
		o.control = dg->args[0];
		o.aspect = aspect.size ? aspect.ptr : "";
		o.severity = c ? c->severity : NULL;
		o.title = title.size ? title.ptr : NULL;
		o.detail = detail.ptr;
		o.verdict = dg->code == HG_D_SUPPRESSED ? HG_V_SUPPRESSED : HG_V_ACTIVE;
		o.reason = dg->code == HG_D_SUPPRESSED ? dg->args[1] : NULL;
		o.fails = false; /* templates in a repository are not an account's score */
		hg_recorder_observe(r, &o);
		hg_buf_dispose(&detail);
		hg_buf_dispose(&title);
		hg_buf_dispose(&aspect);
	}
	hg_hmap_dispose(&seen);
}
