/*
 * template_rules.c: the sections of profiles and of the catalog (see
 * template.h): a profile's rules (match, when, ports, paths, ...), and the
 * catalog's controls (see template_int.h for what it shares with
 * template.c).
 * Part of hinagata; see LICENSE.
 */
#include "template_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

/* A rule's types are patterns: "*", "Prefix*" or a type (rules.h). */
bool hg_rule_type_matches(const char *pattern, const char *type)
{
	size_t n = strlen(pattern);
	if (strcmp(pattern, "*") == 0)
		return true;
	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, type, n - 1) == 0;
	return strcmp(pattern, type) == 0;
}

/* A list of strings (types: [TYPE...]) into *out and *n. */
static void read_strings(
        struct reader *r, const hg_node *v, const char *what, const char ***out, size_t *n)
{
	size_t i;
	if (!tp_expect_seq(r, v, what))
		return;
	*out = HG_ANEWN(r->a, const char *, v->u.seq.n ? v->u.seq.n : 1);
	for (i = 0; i < v->u.seq.n; i++)
		if (tp_expect_string(r, v->u.seq.items[i], what))
			(*out)[(*n)++] = tp_str_of(v->u.seq.items[i]);
}

/* { path: PATH, in: [...] } (unless, a condition of contains) into *path and *in. */
static void read_match(
        struct reader *r, const hg_node *v, const char *what, const char **path, hg_value **in)
{
	static const char *const keys[] = {"path", "in", NULL};
	const hg_node *w;
	if (!tp_expect_map(r, v, what))
		return;
	tp_check_keys(r, v, keys, what);
	if ((w = hg_node_get(v, "path")) != NULL && tp_expect_string(r, w, "path"))
		*path = tp_str_of(w);
	if ((w = hg_node_get(v, "in")) != NULL && tp_expect_seq(r, w, "in"))
		*in = tp_read_value(r, w);
}

/* A PATH, or several PATHs as a list, into *out. */
static void read_paths(
        struct reader *r, const hg_node *v, const char *what, const char ***out, size_t *n)
{
	if (v->kind == HG_NODE_SEQ) {
		read_strings(r, v, what, out, n);
		return;
	}
	if (!tp_expect_string(r, v, what))
		return;
	*out = HG_ANEWN(r->a, const char *, 1);
	(*out)[(*n)++] = tp_str_of(v);
}

/*
 * rules: [ { control: ID, title: text, types: [TYPE...], mandatory: bool,
 *            select: PATH,
 *            unless: { path: PATH, in: [...] } | [ { path: PATH, in: [...] }... ],
 *            when: { path: PATH | [PATH...], in: [...] },
 *            forbidden: true | required: PATH | absent: PATH
 *            | allowed: { path: PATH, values: [...] }
 *            | equals: { path: PATH, value: V }
 *            | at_least: { path: PATH, value: N }
 *            | ports_closed: { from: PATH, to: PATH, ranges: PATH, ports: [N...] }
 *            | contains: { path: PATH, item: [ { path: PATH, in: [...] }... ] }
 *            | referenced_by: { types: [TYPE...], path: PATH, name: PATH }
 *            | not_targeting: PATH | shadowing: PATH } ]            (profiles)
 * PATH is dotted (properties.subnets[*].name); [*] walks a list.
 * mandatory: true holds the rule to resources of mandatory templates (guards
 * of what their locks cannot fix), false to the others; absent: both.
 */
static void read_rule(struct reader *r, const hg_node *n, hg_rule *q)
{
	static const char *const keys[] = {"control", "title", "types", "mandatory", "select",
	        "unless", "when", "forbidden", "required", "absent", "allowed", "equals",
	        "at_least", "ports_closed", "contains", "referenced_by", "not_targeting",
	        "shadowing", NULL};
	static const char *const pp[] = {"from", "to", "ranges", "ports", NULL};
	static const char *const pc[] = {"path", "item", NULL};
	static const char *const pr[] = {"types", "path", "name", NULL};
	static const char *const pv[] = {"path", "values", NULL};
	static const char *const pe[] = {"path", "value", NULL};
	static const char *const pw[] = {"path", "in", NULL};
	const hg_node *v, *w;
	size_t i, kinds = 0;

	q->span = n->span;
	q->mandatory = -1;
	if (!tp_expect_map(r, n, "rules"))
		return;
	tp_check_keys(r, n, keys, HG_BI("a rule", "ルール"));
	if ((v = hg_node_get(n, "control")) == NULL || !tp_expect_string(r, v, "control")) {
		if (!v) {
			hg_diag_add(r->d, HG_D_MISSING_KEY, &n->span, "control",
			        HG_BI("a rule", "ルール"), NULL);
			tp_fail(r);
		}
	} else if (!tp_valid_control_id(tp_str_of(v))) {
		hg_diag_add(r->d, HG_D_BAD_CONTROL_ID, &v->span, tp_str_of(v), NULL);
		tp_fail(r);
	} else {
		q->control = tp_str_of(v);
		q->span = v->span;
	}
	if ((v = hg_node_get(n, "title")) != NULL)
		tp_read_text(r, v, &q->title, "title");
	if ((v = hg_node_get(n, "types")) != NULL)
		read_strings(r, v, "types", &q->types, &q->ntypes);
	if ((v = hg_node_get(n, "mandatory")) != NULL) {
		bool b = false;
		if (tp_expect_bool(r, v, "mandatory", &b))
			q->mandatory = b ? 1 : 0;
	}
	if ((v = hg_node_get(n, "select")) != NULL && tp_expect_string(r, v, "select"))
		q->select = tp_str_of(v);
	if ((v = hg_node_get(n, "unless")) != NULL) {
		size_t k = v->kind == HG_NODE_SEQ ? v->u.seq.n : 1;
		q->unless = HG_ANEWN(r->a, hg_rule_match, k ? k : 1);
		for (i = 0; i < k; i++) {
			hg_rule_match *m = &q->unless[q->nunless];
			read_match(r, v->kind == HG_NODE_SEQ ? v->u.seq.items[i] : v, "unless",
			        &m->path, &m->in);
			if (m->path && m->in)
				q->nunless++;
		}
	}
	if ((v = hg_node_get(n, "when")) != NULL && tp_expect_map(r, v, "when")) {
		tp_check_keys(r, v, pw, "when");
		if ((w = hg_node_get(v, "path")) != NULL)
			read_paths(r, w, "path", &q->when_paths, &q->nwhen);
		if ((w = hg_node_get(v, "in")) != NULL && tp_expect_seq(r, w, "in"))
			q->when_in = tp_read_value(r, w);
	}
	if ((v = hg_node_get(n, "ports_closed")) != NULL && tp_expect_map(r, v, "ports_closed")) {
		kinds++;
		tp_check_keys(r, v, pp, "ports_closed");
		q->kind = HG_RULE_PORTS;
		if ((w = hg_node_get(v, "from")) != NULL && tp_expect_string(r, w, "from"))
			q->from_path = tp_str_of(w);
		if ((w = hg_node_get(v, "to")) != NULL && tp_expect_string(r, w, "to"))
			q->to_path = tp_str_of(w);
		if ((w = hg_node_get(v, "ranges")) != NULL && tp_expect_string(r, w, "ranges"))
			q->ranges_path = tp_str_of(w);
		if ((w = hg_node_get(v, "ports")) != NULL && tp_expect_seq(r, w, "ports"))
			q->values = tp_read_value(r, w);
	}
	if ((v = hg_node_get(n, "forbidden")) != NULL) {
		bool b = false;
		kinds++;
		tp_expect_bool(r, v, "forbidden", &b);
		q->kind = HG_RULE_FORBIDDEN;
	}
	if ((v = hg_node_get(n, "required")) != NULL && tp_expect_string(r, v, "required")) {
		kinds++;
		q->kind = HG_RULE_REQUIRED;
		q->path = tp_str_of(v);
	}
	if ((v = hg_node_get(n, "absent")) != NULL && tp_expect_string(r, v, "absent")) {
		kinds++;
		q->kind = HG_RULE_ABSENT;
		q->path = tp_str_of(v);
	}
	if ((v = hg_node_get(n, "not_targeting")) != NULL &&
	        tp_expect_string(r, v, "not_targeting")) {
		kinds++;
		q->kind = HG_RULE_NOT_TARGETING;
		q->path = tp_str_of(v);
	}
	if ((v = hg_node_get(n, "shadowing")) != NULL && tp_expect_string(r, v, "shadowing")) {
		kinds++;
		q->kind = HG_RULE_SHADOWING;
		q->path = tp_str_of(v);
	}
	if ((v = hg_node_get(n, "allowed")) != NULL && tp_expect_map(r, v, "allowed")) {
		kinds++;
		tp_check_keys(r, v, pv, "allowed");
		q->kind = HG_RULE_ALLOWED;
		if ((w = hg_node_get(v, "path")) != NULL && tp_expect_string(r, w, "path"))
			q->path = tp_str_of(w);
		if ((w = hg_node_get(v, "values")) != NULL && tp_expect_seq(r, w, "values"))
			q->values = tp_read_value(r, w);
	}
	for (i = 0; i < 2; i++) {
		const char *key = i ? "at_least" : "equals";
		if ((v = hg_node_get(n, key)) == NULL || !tp_expect_map(r, v, key))
			continue;
		kinds++;
		tp_check_keys(r, v, pe, key);
		q->kind = i ? HG_RULE_AT_LEAST : HG_RULE_EQUALS;
		if ((w = hg_node_get(v, "path")) != NULL && tp_expect_string(r, w, "path"))
			q->path = tp_str_of(w);
		if ((w = hg_node_get(v, "value")) != NULL)
			q->values = tp_read_value(r, w);
	}
	if ((v = hg_node_get(n, "contains")) != NULL && tp_expect_map(r, v, "contains")) {
		kinds++;
		tp_check_keys(r, v, pc, "contains");
		q->kind = HG_RULE_CONTAINS;
		if ((w = hg_node_get(v, "path")) != NULL && tp_expect_string(r, w, "path"))
			q->path = tp_str_of(w);
		if ((w = hg_node_get(v, "item")) != NULL && tp_expect_seq(r, w, "item")) {
			q->item = HG_ANEWN(r->a, hg_rule_match, w->u.seq.n ? w->u.seq.n : 1);
			for (i = 0; i < w->u.seq.n; i++) {
				const hg_node *m = w->u.seq.items[i];
				hg_rule_match *c = &q->item[q->nitem];
				if (m->kind != HG_NODE_MAP) {
					tp_expect_map(r, m, "item");
					continue;
				}
				read_match(r, m, "item", &c->path, &c->in);
				if (c->path && c->in)
					q->nitem++;
				else if (!hg_node_get(m, "path") || !hg_node_get(m, "in")) {
					hg_diag_add(r->d, HG_D_MISSING_KEY, &m->span,
					        hg_node_get(m, "path") ? "in" : "path", "item",
					        NULL);
					tp_fail(r);
				}
			}
		}
		if (!q->path || !hg_node_get(v, "item")) {
			hg_diag_add(r->d, HG_D_MISSING_KEY, &v->span, q->path ? "item" : "path",
			        "contains", NULL);
			tp_fail(r);
		}
	}
	if ((v = hg_node_get(n, "referenced_by")) != NULL && tp_expect_map(r, v, "referenced_by")) {
		kinds++;
		tp_check_keys(r, v, pr, "referenced_by");
		q->kind = HG_RULE_REFERENCED;
		if ((w = hg_node_get(v, "types")) != NULL)
			read_strings(r, w, "types", &q->ref_types, &q->nref_types);
		if ((w = hg_node_get(v, "path")) != NULL && tp_expect_string(r, w, "path"))
			q->path = tp_str_of(w);
		if ((w = hg_node_get(v, "name")) != NULL && tp_expect_string(r, w, "name"))
			q->name_path = tp_str_of(w);
		if (!q->path || !q->nref_types) {
			hg_diag_add(r->d, HG_D_MISSING_KEY, &v->span, q->path ? "types" : "path",
			        "referenced_by", NULL);
			tp_fail(r);
		}
	}
	if (kinds != 1) {
		hg_diag_add(r->d, HG_D_MISSING_KEY, &n->span,
		        HG_BI("one of forbidden, required, absent, allowed, equals, at_least, "
		              "ports_closed, contains, referenced_by, not_targeting, shadowing",
		                "forbidden, required, absent, allowed, equals, at_least, "
		                "ports_closed, contains, referenced_by, not_targeting, shadowing "
		                "のどれか 1 つ"),
		        HG_BI("a rule", "ルール"), NULL);
		tp_fail(r);
	}
}

void tp_read_rules(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!tp_expect_seq(r, n, "rules"))
		return;
	r->t->rules = HG_ANEWN(r->a, hg_rule, n->u.seq.n ? n->u.seq.n : 1);
	for (i = 0; i < n->u.seq.n; i++)
		read_rule(r, n->u.seq.items[i], &r->t->rules[r->t->nrules++]);
}

/*
 * controls:   (catalogs)
 *   ID: { title: text, category: preventive|detective|baseline|workload,
 *         severity: critical|high|medium|low, profile: NAME, mandatory: bool,
 *         implemented_by: [ { template, resource, property } ],
 *         enforced_outside: text }      (one of the last two at least)
 */
void tp_read_catalog(struct reader *r, const hg_node *n)
{
	static const char *const keys[] = {"title", "category", "severity", "profile", "mandatory",
	        "implemented_by", "enforced_outside", NULL};
	static const char *const ikeys[] = {"template", "resource", "property", NULL};
	static const char *const cats[] = {"preventive", "detective", "baseline", "workload", NULL};
	static const char *const sevs[] = {"critical", "high", "medium", "low", NULL};
	size_t i, k;

	if (!tp_expect_map(r, n, "controls"))
		return;
	r->t->catalog = HG_ANEWN(r->a, hg_control, n->u.map.n ? n->u.map.n : 1);
	for (i = 0; i < n->u.map.n; i++) {
		const hg_pair *p = &n->u.map.pairs[i];
		hg_control *c = &r->t->catalog[r->t->ncatalog++];
		const hg_node *v;

		c->id = tp_str_of(p->key);
		c->span = p->key->span;
		if (!tp_valid_control_id(c->id)) {
			hg_diag_add(r->d, HG_D_BAD_CONTROL_ID, &p->key->span, c->id, NULL);
			tp_fail(r);
		}
		if (!tp_expect_map(r, p->value, c->id))
			continue;
		tp_check_keys(r, p->value, keys, HG_BI("a control", "統制"));
		if ((v = hg_node_get(p->value, "title")) != NULL)
			tp_read_text(r, v, &c->title, "title");
		if ((v = hg_node_get(p->value, "category")) != NULL)
			c->category = tp_read_choice(r, v, "category", cats,
			        "preventive, detective, baseline, workload", HG_D_BAD_ENUM);
		if ((v = hg_node_get(p->value, "severity")) != NULL)
			c->severity = tp_read_choice(r, v, "severity", sevs,
			        "critical, high, medium, low", HG_D_BAD_ENUM);
		if ((v = hg_node_get(p->value, "profile")) != NULL &&
		        tp_expect_string(r, v, "profile"))
			c->profile = tp_str_of(v);
		if ((v = hg_node_get(p->value, "mandatory")) != NULL)
			tp_expect_bool(r, v, "mandatory", &c->mandatory);
		if ((v = hg_node_get(p->value, "enforced_outside")) != NULL)
			tp_read_text(r, v, &c->outside, "enforced_outside");
		if ((v = hg_node_get(p->value, "implemented_by")) != NULL &&
		        tp_expect_seq(r, v, "implemented_by")) {
			c->impl = HG_ANEWN(r->a, hg_control_impl, v->u.seq.n ? v->u.seq.n : 1);
			for (k = 0; k < v->u.seq.n; k++) {
				const hg_node *e = v->u.seq.items[k], *f;
				hg_control_impl *im = &c->impl[c->nimpl];
				if (!tp_expect_map(r, e, "implemented_by"))
					continue;
				tp_check_keys(r, e, ikeys, "implemented_by");
				im->span = e->span;
				if ((f = hg_node_get(e, "template")) != NULL &&
				        tp_expect_string(r, f, "template"))
					im->template_name = tp_str_of(f);
				if ((f = hg_node_get(e, "resource")) != NULL &&
				        tp_expect_string(r, f, "resource"))
					im->resource = tp_str_of(f);
				if ((f = hg_node_get(e, "property")) != NULL &&
				        tp_expect_string(r, f, "property"))
					im->property = tp_str_of(f);
				if (!im->template_name) {
					hg_diag_add(r->d, HG_D_MISSING_KEY, &e->span, "template",
					        "implemented_by", NULL);
					tp_fail(r);
					continue;
				}
				c->nimpl++;
			}
		}
		if (!c->nimpl && !c->outside.en && !c->outside.ja) {
			hg_diag_add(r->d, HG_D_MISSING_KEY, &p->key->span,
			        HG_BI("implemented_by or enforced_outside",
			                "implemented_by か enforced_outside"),
			        HG_BI("a control", "統制"), NULL);
			tp_fail(r);
		}
	}
}

void tp_read_controls(struct reader *r, const hg_node *n)
{
	size_t i;
	if (!tp_expect_seq(r, n, "controls"))
		return;
	r->t->controls = HG_ANEWN(r->a, const char *, n->u.seq.n ? n->u.seq.n : 1);
	r->t->control_spans = HG_ANEWN(r->a, hg_span, n->u.seq.n ? n->u.seq.n : 1);
	for (i = 0; i < n->u.seq.n; i++) {
		const hg_node *e = n->u.seq.items[i];
		if (!tp_expect_string(r, e, "controls"))
			continue;
		if (!tp_valid_control_id(tp_str_of(e))) {
			hg_diag_add(r->d, HG_D_BAD_CONTROL_ID, &e->span, tp_str_of(e), NULL);
			tp_fail(r);
			continue;
		}
		r->t->control_spans[r->t->ncontrols] = e->span;
		r->t->controls[r->t->ncontrols++] = tp_str_of(e);
	}
}
