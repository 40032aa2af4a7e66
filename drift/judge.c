/*
 * judge.c: drift judged against the controls (see judge.h).
 * Part of hinagata; see LICENSE.
 *
 * Design. The rules engine works on the compiler's IR: a unit of resources
 * whose properties are hg_value trees. Values here are hg_jv, so each
 * question builds a small unit: a template's resources (a Ref or GetAtt of
 * another resource becomes the reference the rules follow; any other
 * intrinsic function or ARM expression a value no rule can judge, as in
 * check), or one deployed resource. Every value of resource i carries a
 * span whose line is i + 1, so a violation the engine reports names its
 * resource by its position, without any other bookkeeping. Suppressions a
 * resource's metadata declares (hinagata: {suppress: [{control, reason}]})
 * are honoured for controls the catalog does not mark mandatory.
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/hash.h"
#include "../compiler/catalog.h"
#include "../compiler/compiler.h"
#include "../compiler/registry.h"
#include "../compiler/rules.h"
#include "cfn.h"

struct hg_judge {
	hg_arena *a;
	hg_diags src; /* the profiles' and catalog's sources (rule spans point here) */
	hg_registry *reg;
	const hg_template *aws, *azure, *catalog;
	/* the rules that judge one resource on its own (not REFERENCED) */
	hg_rule *aws_own, *azure_own;
	size_t naws_own, nazure_own;
};

static hg_rule *own_rules(hg_arena *a, const hg_template *p, size_t *n)
{
	hg_rule *r = HG_ANEWN(a, hg_rule, p->nrules + 1);
	size_t i;
	*n = 0;
	for (i = 0; i < p->nrules; i++)
		if (p->rules[i].kind != HG_RULE_REFERENCED)
			r[(*n)++] = p->rules[i];
	return r;
}

hg_judge *hg_judge_open(const hg_drift_options *o, hg_diags *d)
{
	hg_compile_options co = HG_COMPILE_OPTIONS_INIT;
	hg_judge *j = hg_xcalloc(1, sizeof(*j));

	co.template_dirs = o->template_dirs;
	co.ntemplate_dirs = o->ntemplate_dirs;
	co.bundled_dir = o->bundled_dir;
	co.schema_dir = o->schema_dir;
	j->a = hg_arena_new();
	hg_diags_init(&j->src);
	j->reg = hg_registry_of(j->a, &co);
	j->catalog = hg_registry_get(j->reg, &j->src, HG_DOC_CATALOG, HG_CATALOG_NAME);
	j->aws = hg_registry_get(j->reg, &j->src, HG_DOC_PROFILE, "gc-aws");
	j->azure = hg_registry_get(j->reg, &j->src, HG_DOC_PROFILE, "gc-azure");
	if (!j->catalog || !j->aws || !j->azure || j->src.nerrors) {
		if (!j->src.nerrors)
			hg_diag_add(d, HG_D_PROFILE_NOT_FOUND, NULL,
			        !j->catalog ? HG_CATALOG_NAME
			        : !j->aws   ? "gc-aws"
			                    : "gc-azure",
			        hg_registry_path_text(j->reg), NULL);
		else {
			hg_diags copy = HG_DIAGS_INIT;
			size_t i;
			for (i = 0; i < j->src.n; i++) /* the messages, with their sources */
				hg_diag_add(&copy, j->src.items[i]->code, NULL,
				        j->src.items[i]->args[0], j->src.items[i]->args[1],
				        j->src.items[i]->args[2], j->src.items[i]->args[3], NULL);
			hg_diags_merge(d, &copy);
		}
		hg_judge_free(j);
		return NULL;
	}
	j->aws_own = own_rules(j->a, j->aws, &j->naws_own);
	j->azure_own = own_rules(j->a, j->azure, &j->nazure_own);
	return j;
}

void hg_judge_free(hg_judge *j)
{
	if (!j)
		return;
	hg_registry_free(j->reg);
	hg_diags_dispose(&j->src);
	hg_arena_dispose(j->a);
	free(j);
}

uint64_t hg_judge_fingerprint(const hg_judge *j)
{
	return j->aws->hash ^ (j->azure->hash * 31) ^ (j->catalog->hash * 1000003);
}

const char *hg_judge_severity(const hg_judge *j, const char *control)
{
	size_t i;
	for (i = 0; j && control && i < j->catalog->ncatalog; i++)
		if (strcmp(j->catalog->catalog[i].id, control) == 0)
			return j->catalog->catalog[i].severity;
	return NULL;
}

static bool mandatory(const hg_judge *j, const char *control)
{
	size_t i;
	for (i = 0; i < j->catalog->ncatalog; i++)
		if (strcmp(j->catalog->catalog[i].id, control) == 0)
			return j->catalog->catalog[i].mandatory;
	return false;
}

/* Does any rule of the profile look at resources of this type? */
static bool ruled(const hg_template *profile, const char *type)
{
	size_t i, k;
	for (i = 0; i < profile->nrules; i++)
		for (k = 0; k < profile->rules[i].ntypes; k++)
			if (hg_rule_type_matches(profile->rules[i].types[k], type))
				return true;
	return false;
}

/* Does a rule judge resources of this type, or look at them to judge others (referenced_by)? */
static bool relevant(const hg_template *profile, const char *type)
{
	size_t i, k;
	if (ruled(profile, type))
		return true;
	for (i = 0; i < profile->nrules; i++)
		for (k = 0; k < profile->rules[i].nref_types; k++)
			if (hg_rule_type_matches(profile->rules[i].ref_types[k], type))
				return true;
	return false;
}

/*
 * ruled() and relevant() of the types of one template, each asked once:
 * a template repeats a few types over hundreds of resources, and each
 * answer walks every rule's types.
 */
#define MEMO 32
struct memo {
	const char *type[MEMO]; /* borrowed from the template */
	bool ruled[MEMO], relevant[MEMO];
	size_t n;
};

/* The slot of type (asked now if new), or -1 when the memo is full. */
static int memo_of(struct memo *m, const hg_template *profile, const char *type)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		if (strcmp(m->type[i], type) == 0)
			return (int)i;
	if (m->n == MEMO)
		return -1;
	m->type[m->n] = type;
	m->ruled[m->n] = ruled(profile, type);
	m->relevant[m->n] = m->ruled[m->n] || relevant(profile, type);
	return (int)m->n++;
}

static bool memo_ruled(struct memo *m, const hg_template *profile, const char *type)
{
	int k = memo_of(m, profile, type);
	return k >= 0 ? m->ruled[k] : ruled(profile, type);
}

static bool memo_relevant(struct memo *m, const hg_template *profile, const char *type)
{
	int k = memo_of(m, profile, type);
	return k >= 0 ? m->relevant[k] : relevant(profile, type);
}

/* ---- hg_jv -> hg_value ---- */

struct conv {
	hg_arena *a;
	hg_ir *unit;
	const hg_jv *resources; /* CloudFormation: the template's Resources, for references */
	uint32_t *index;        /* ... by name: member index + 1 (open addressing) */
	size_t icap;
	bool arm;
	hg_span span; /* of the resource being converted: line = its index + 1 */
};

static hg_value *opaque(struct conv *cv)
{
	return hg_value_new(cv->a, HG_V_INTERP, &cv->span);
}

/* The unit's resource named logical (CloudFormation), or NULL. */
static hg_ir_resource *target(struct conv *cv, const char *logical, size_t len)
{
	size_t i, j, mask;

	if (!cv->resources || cv->resources->kind != HG_JV_OBJ)
		return NULL;
	if (!cv->index) {
		cv->icap = 16;
		while (cv->icap < cv->resources->n * 2 + 1)
			cv->icap *= 2;
		cv->index = hg_arena_alloc(cv->a, cv->icap * sizeof(*cv->index));
		for (i = 0; i < cv->resources->n; i++) {
			const hg_jv_member *m = &cv->resources->u.members[i];
			for (j = hg_hash64(m->key, m->klen) & (cv->icap - 1); cv->index[j];
			        j = (j + 1) & (cv->icap - 1))
				;
			cv->index[j] = (uint32_t)i + 1;
		}
	}
	mask = cv->icap - 1;
	for (j = hg_hash64(logical, len) & mask; cv->index[j]; j = (j + 1) & mask) {
		size_t k = cv->index[j] - 1;
		const hg_jv_member *m = &cv->resources->u.members[k];
		if (m->klen == len && memcmp(m->key, logical, len) == 0)
			return k < cv->unit->nres ? cv->unit->res[k] : NULL;
	}
	return NULL;
}

static hg_value *reference(struct conv *cv, const char *fn, const hg_jv *arg)
{
	bool attr = strcmp(fn, "Fn::GetAtt") == 0;
	hg_ir_resource *t = NULL;
	hg_value *v = opaque(cv);
	hg_expr *e;

	if (!attr && strcmp(fn, "Ref") != 0)
		return v;
	if (arg->kind == HG_JV_STR) {
		const char *dot = attr ? strchr(arg->u.s, '.') : NULL;
		t = target(cv, arg->u.s, dot ? (size_t)(dot - arg->u.s) : arg->n);
	} else if (attr && arg->kind == HG_JV_ARR && arg->n == 2 &&
	           arg->u.items[0]->kind == HG_JV_STR)
		t = target(cv, arg->u.items[0]->u.s, arg->u.items[0]->n);
	if (!t)
		return v; /* a parameter, a pseudo parameter */
	e = hg_expr_new(cv->a, attr ? HG_EX_ATTR : HG_EX_RESOURCE, &cv->span);
	e->u.res.res = t;
	e->u.res.attr = "";
	v->kind = HG_V_EXPR;
	v->u.expr = e;
	return v;
}

static hg_value *conv(struct conv *cv, const hg_jv *j)
{
	hg_value *v;
	const hg_jv *arg;
	const char *fn;
	size_t i;

	switch (j->kind) {
	case HG_JV_NULL:
		return hg_value_new(cv->a, HG_V_NULL, &cv->span);
	case HG_JV_TRUE:
	case HG_JV_FALSE:
		v = hg_value_new(cv->a, HG_V_BOOL, &cv->span);
		v->u.b = j->kind == HG_JV_TRUE;
		return v;
	case HG_JV_NUM: {
		char buf[64], *end;
		size_t n = j->n < sizeof(buf) - 1 ? j->n : sizeof(buf) - 1;
		memcpy(buf, j->u.s, n);
		buf[n] = '\0';
		v = hg_value_new(cv->a, HG_V_INT, &cv->span);
		v->u.i = strtoll(buf, &end, 10);
		if (*end) {
			v->kind = HG_V_FLOAT;
			v->u.f = strtod(buf, NULL);
		}
		return v;
	}
	case HG_JV_STR:
		if (cv->arm && j->n > 1 && j->u.s[0] == '[' && j->u.s[1] != '[' &&
		        j->u.s[j->n - 1] == ']')
			return opaque(cv); /* an ARM expression */
		if (j->u.s[j->n] != '\0')
			return hg_value_str(cv->a, j->u.s, j->n, &cv->span);
		/* borrowed: the document outlives the unit */
		v = hg_value_new(cv->a, HG_V_STR, &cv->span);
		v->u.str.s = j->u.s;
		v->u.str.len = j->n;
		return v;
	case HG_JV_ARR:
		v = hg_value_new(cv->a, HG_V_LIST, &cv->span);
		v->u.list.items = HG_ANEWN(cv->a, hg_value *, j->n ? j->n : 1);
		for (i = 0; i < j->n; i++)
			v->u.list.items[v->u.list.n++] = conv(cv, j->u.items[i]);
		return v;
	case HG_JV_OBJ:
		if (!cv->arm && (fn = hg_cfn_intrinsic(j, &arg)) != NULL)
			return reference(cv, fn, arg);
		v = hg_value_new(cv->a, HG_V_MAP, &cv->span);
		v->u.map.m = HG_ANEWN(cv->a, hg_member, j->n ? j->n : 1);
		for (i = 0; i < j->n; i++) {
			hg_member *m = &v->u.map.m[v->u.map.n++];
			const hg_jv_member *jm = &j->u.members[i];
			/* borrowed, as strings are */
			m->key = jm->key[jm->klen] == '\0'
			                 ? jm->key
			                 : hg_arena_strndup(cv->a, jm->key, jm->klen);
			m->key_span = cv->span;
			m->value = conv(cv, j->u.members[i].val);
		}
		return v;
	}
	return opaque(cv);
}

/* A resource of the unit, declared (the engine judges declared resources only). */
static hg_ir_resource *unit_add(struct conv *cv, const char *type)
{
	hg_ir_resource *r = HG_ANEW(cv->a, hg_ir_resource);
	hg_resource_decl *decl = HG_ANEW(cv->a, hg_resource_decl);

	hg_grow_array((void **)&cv->unit->res, &cv->unit->capres, cv->unit->nres + 1,
	        sizeof(*cv->unit->res));
	cv->unit->res[cv->unit->nres++] = r;
	r->type = type;
	r->span = cv->span;
	r->span.line = (uint32_t)cv->unit->nres;
	decl->name = "";
	decl->type = type;
	decl->span = decl->type_span = r->span;
	r->decl = decl;
	return r;
}

/* Is control suppressed in the resource's metadata (and allowed to be)? */
static bool suppressed(const hg_judge *j, const hg_jv *meta, const char *control)
{
	const hg_jv *list = hg_jv_get(hg_jv_get(meta, "hinagata"), "suppress");
	size_t i;
	for (i = 0; list && list->kind == HG_JV_ARR && i < list->n; i++) {
		const char *c = hg_jv_str(hg_jv_get(list->u.items[i], "control"));
		const char *why = hg_jv_str(hg_jv_get(list->u.items[i], "reason"));
		if (c && strcmp(c, control) == 0 && why && *why)
			return !mandatory(j, control);
	}
	return false;
}

/* Run rules on the unit; for each violation, cb(resource index, control). */
static void run_rules(const hg_judge *j, const hg_rule *rules, size_t nrules, hg_ir *unit,
        void (*cb)(void *payload, size_t index, const char *control), void *payload)
{
	hg_diags d = HG_DIAGS_INIT;
	hg_rules_options ro = HG_RULES_OPTIONS_INIT;
	size_t i;

	/* conv makes no parameter, condition or choice: none to collect */
	ro.plain_values = true;
	hg_rules_check_opts(rules, nrules, unit, j->catalog, &ro, &d);
	for (i = 0; i < d.n; i++) {
		const hg_diag *dg = d.items[i];
		if (dg->code == HG_D_RULE_VIOLATION && dg->span.line >= 1 &&
		        dg->span.line <= unit->nres && dg->args[0])
			cb(payload, dg->span.line - 1, dg->args[0]);
	}
	hg_diags_dispose(&d);
}

struct tfind {
	const hg_judge *j;
	hg_tmpl *t;
	hg_arena *a;
	const char **keys;  /* per unit resource: its key */
	const hg_jv **meta; /* per unit resource: its metadata */
	size_t cap;
};

static void on_template(void *payload, size_t index, const char *control)
{
	struct tfind *f = payload;
	const char *entry;
	size_t i;

	if (suppressed(f->j, f->meta[index], control))
		return;
	entry = hg_arena_printf(f->a, "%s\t%s", f->keys[index], control);
	for (i = 0; i < f->t->nviolations; i++)
		if (strcmp(f->t->violations[i], entry) == 0)
			return;
	HG_AGROW(f->a, f->t->violations, f->cap, f->t->nviolations + 1);
	f->t->violations[f->t->nviolations++] = entry;
}

void hg_judge_template(const hg_judge *j, hg_tmpl *t, const hg_jv *doc, hg_arena *a)
{
	hg_arena *tmp = hg_arena_new();
	hg_ir unit;
	struct conv cv;
	struct tfind f;
	struct memo memo;
	const hg_template *profile = t->arm ? j->azure : j->aws;
	const hg_jv *res = hg_jv_get(doc, t->arm ? "resources" : "Resources");
	size_t i, n = res ? res->n : 0;
	bool any = false;

	memset(&unit, 0, sizeof(unit));
	memset(&cv, 0, sizeof(cv));
	memset(&f, 0, sizeof(f));
	memo.n = 0;
	unit.a = tmp;
	unit.target = t->arm ? HG_TARGET_AZURE : HG_TARGET_AWS;
	cv.a = tmp;
	cv.unit = &unit;
	cv.arm = t->arm;
	cv.resources = t->arm ? NULL : res;
	cv.span.file = "judge";
	f.j = j;
	f.t = t;
	f.a = a;
	f.keys = HG_ANEWN(tmp, const char *, n + 1);
	f.meta = HG_ANEWN(tmp, const hg_jv *, n + 1);
	/* Every resource first (references need their targets), then the values. */
	for (i = 0; i < n; i++) {
		const hg_jv *r = res->kind == HG_JV_OBJ ? res->u.members[i].val : res->u.items[i];
		const char *type = hg_jv_str(hg_jv_get(r, t->arm ? "type" : "Type"));
		unit_add(&cv, type ? type : "");
		any = any || (type && memo_ruled(&memo, profile, type));
		f.keys[i] = t->arm ? hg_arena_printf(tmp, "#%zu", i)
		                   : hg_arena_strndup(
		                             tmp, res->u.members[i].key, res->u.members[i].klen);
		f.meta[i] = hg_jv_get(r, t->arm ? "metadata" : "Metadata");
	}
	if (any) {
		for (i = 0; i < n; i++) {
			const hg_jv *r =
			        res->kind == HG_JV_OBJ ? res->u.members[i].val : res->u.items[i];
			const hg_jv *props = t->arm ? r : hg_jv_get(r, "Properties");
			cv.span.line = (uint32_t)i + 1;
			/* what no rule looks at need not be converted */
			unit.res[i]->props =
			        props && memo_relevant(&memo, profile, unit.res[i]->type)
			                ? conv(&cv, props)
			                : NULL;
		}
		run_rules(j, profile->rules, profile->nrules, &unit, on_template, &f);
	}
	free(unit.res);
	hg_arena_dispose(tmp);
}

struct dfind {
	hg_arena *a;
	const char **out;
	size_t n, cap;
};

static void on_deployed(void *payload, size_t index, const char *control)
{
	struct dfind *f = payload;
	size_t i;
	(void)index;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->out[i], control) == 0)
			return;
	HG_AGROW(f->a, f->out, f->cap, f->n + 1);
	f->out[f->n++] = hg_arena_strdup(f->a, control);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

size_t hg_judge_deployed(const hg_judge *j, hg_arena *a, bool azure, const char *type,
        const hg_jv *value, const char ***out)
{
	const hg_template *profile = azure ? j->azure : j->aws;
	hg_arena *tmp;
	hg_ir unit;
	struct conv cv;
	struct dfind f;
	hg_ir_resource *r;

	*out = NULL;
	if (!value || !type || !ruled(profile, type))
		return 0;
	tmp = hg_arena_new();
	memset(&unit, 0, sizeof(unit));
	memset(&cv, 0, sizeof(cv));
	memset(&f, 0, sizeof(f));
	unit.a = tmp;
	unit.target = azure ? HG_TARGET_AZURE : HG_TARGET_AWS;
	cv.a = tmp;
	cv.unit = &unit;
	cv.arm = false; /* deployed values hold no expressions */
	cv.span.file = "judge";
	cv.span.line = 1;
	r = unit_add(&cv, type);
	r->props = conv(&cv, value);
	f.a = a;
	run_rules(j, azure ? j->azure_own : j->aws_own, azure ? j->nazure_own : j->naws_own, &unit,
	        on_deployed, &f);
	free(unit.res);
	hg_arena_dispose(tmp);
	if (f.n > 1)
		qsort(f.out, f.n, sizeof(*f.out), cmp_str);
	*out = f.out;
	return f.n;
}
