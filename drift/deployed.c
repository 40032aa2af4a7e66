/*
 * deployed.c: the template each stack was deployed with (see deployed.h).
 * Part of hinagata; see LICENSE.
 *
 * The files are found by name, not by content: get-template's output is
 * {"TemplateBody": ..., "StagesAvailable": [...]} and az deployment export
 * prints the bare template, neither naming its stack. A stack whose file is
 * missing simply has no third side: its differences are reported as before,
 * never guessed to be pending (failing closed: "pending" would excuse a
 * difference from counting as drift).
 */
#define _GNU_SOURCE
#include "deployed.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/hash.h"

/* The name the collector gives the deployed template of s (in a). */
static char *file_name(hg_arena *a, const hg_unit *u, const hg_stack *s)
{
	if (u->azure || s->scope_rg || (s->id && strncasecmp(s->id, "/subscriptions/", 15) == 0)) {
		if (s->scope_rg)
			return hg_arena_printf(a, "az-deployment-group-export-%s-%s.json", s->scope_rg, s->name);
		return hg_arena_printf(a, "az-deployment-sub-export-%s.json", s->name);
	}
	return hg_arena_printf(a, "get-template-%s.json", s->name);
}

void hg_deployed_attach(hg_unit *u)
{
	size_t i, k, n = 0;
	int *found;

	for (i = 0; i < u->nstacks; i++)
		u->stacks[i].dtmpl = -1;
	/* the few deployed-template records, then the stacks against them */
	found = hg_xcalloc(u->nrecs + 1, sizeof(int));
	for (i = 0; i < u->nrecs; i++)
		if (strcmp(u->recs[i].type, HG_TYPE_DEPLOYED_TEMPLATE) == 0)
			found[n++] = (int)i;
	for (i = 0; n && i < u->nstacks; i++) {
		hg_stack *s = &u->stacks[i];
		char *want = file_name(u->a, u, s);
		for (k = 0; k < n && s->dtmpl < 0; k++)
			if (strcasecmp(u->recs[found[k]].identity, want) == 0)
				s->dtmpl = found[k];
	}
	free(found);
}

/* The template of a deployed-template record: TemplateBody, or the ARM template itself. */
static const hg_jv *template_of(const hg_jv *v, bool *yaml)
{
	const hg_jv *body = hg_jv_get(v, "TemplateBody");
	*yaml = false;
	if (!body)
		return v; /* az deployment export: the template */
	if (body->kind == HG_JV_STR) {
		/* the AWS CLI decodes a JSON body; a string left is YAML */
		*yaml = true;
		return NULL;
	}
	return body;
}

/* A deployed template read back and parsed (in a), or NULL (*rc < 0: an error said; 0: YAML). */
static const hg_jv *read_template(hg_unit *u, const hg_rec *r, hg_arena *a, hg_fdcache *fc,
        hg_diags *d, int *rc, bool *yaml)
{
	hg_jv *v = hg_state_record(u, r, a, fc, d, rc);
	*yaml = false;
	if (!v)
		return NULL;
	return template_of(v, yaml);
}

int hg_deployed_resolve(hg_dset *out, hg_resolve_ctx *c)
{
	hg_resolve_ctx dc;
	hg_tmpl dt;
	const hg_jv *doc;
	bool yaml;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!c->u || !c->stack || c->stack->dtmpl < 0)
		return 0;
	doc = read_template(c->u, &c->u->recs[c->stack->dtmpl], c->a, c->fc, c->d, &rc, &yaml);
	if (!doc) {
		if (yaml) {
			hg_span at;
			const hg_rec *r = &c->u->recs[c->stack->dtmpl];
			memset(&at, 0, sizeof(at));
			at.file = hg_diags_source(c->d, c->u->files[r->file], NULL, 0);
			at.line = at.end_line = r->line;
			at.col = r->col;
			at.end_col = r->col + 1;
			hg_diag_add(c->d, HG_D_DEPLOYED_YAML, &at, c->stack->name, NULL);
		}
		return rc;
	}
	if (doc->kind != HG_JV_OBJ || (c->t->arm ? !hg_jv_get(doc, "resources") : !hg_jv_get(doc, "Resources")))
		return 0; /* the other cloud's template, or none: no third side */
	/* the same context as the desired template's: the stack's parameters and resources */
	dc = *c;
	dt = *c->t;
	dc.t = &dt;
	dc.doc = doc;
	rc = c->t->arm ? hg_resolve_arm(out, &dc) : hg_resolve_cfn(out, &dc);
	if (dc.rc && !c->rc)
		c->rc = dc.rc;
	return rc < 0 ? rc : 1;
}

static char *dup_str(const char *s)
{
	return s ? hg_xstrdup(s) : NULL;
}

size_t hg_deployed_list(hg_deployed_template **out, hg_unit *const *units, size_t nunits,
        hg_diags *d)
{
	hg_deployed_template *list = NULL;
	hg_fdcache fc;
	size_t n = 0, cap = 0, i, k;

	hg_fdcache_init(&fc);
	for (i = 0; i < nunits; i++) {
		hg_unit *u = units[i];
		for (k = 0; k < u->nstacks; k++) {
			hg_stack *s = &u->stacks[k];
			hg_arena *a;
			const hg_jv *doc;
			hg_rec *dep;
			bool yaml;
			int rc = 0;
			if (s->dtmpl < 0)
				continue;
			a = hg_arena_new();
			doc = read_template(u, &u->recs[s->dtmpl], a, &fc, d, &rc, &yaml);
			if (doc) {
				hg_deployed_template *t;
				HG_GROW(list, cap, n + 1);
				t = &list[n++];
				memset(t, 0, sizeof(*t));
				t->account = dup_str(u->account);
				t->region = dup_str(u->region);
				t->unit = dup_str(s->name);
				hg_hash_hex(t->hash, hg_jv_hash(doc));
				/* Azure's own hash of it, from az deployment show */
				if (s->id) {
					char *id = hg_arena_strdup(a, s->id), *p;
					for (p = id; *p; p++)
						*p = (char)tolower((unsigned char)*p);
					/* Azure records are indexed by their ID alone (state.c) */
					dep = hg_unit_find_id(u, id);
					if (dep && strcmp(dep->type, HG_TYPE_DEPLOYMENT) == 0) {
						hg_jv *v = hg_state_record(u, dep, a, &fc, d, &rc);
						const char *th = v ? hg_jv_str(hg_jv_get(hg_jv_get(v, "properties"), "templateHash"))
						                   : NULL;
						t->template_hash = dup_str(th);
					}
				}
			}
			hg_arena_dispose(a);
		}
	}
	hg_fdcache_dispose(&fc);
	*out = list;
	return n;
}
