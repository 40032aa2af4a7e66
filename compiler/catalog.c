/*
 * catalog.c: checks against the control catalog (see catalog.h).
 * Part of hinagata; see LICENSE.
 *
 * The catalog ties the three kinds of documents together: templates name
 * the controls they implement (controls: at the top and on resources),
 * profiles name the templates a system must use, and the catalog says
 * which controls each profile must cover and whether a template or
 * something outside templates (the Digital Agency's SCPs and policies, an
 * operation such as drift detection) covers them.
 */
#include "catalog.h"

#include <string.h>

const hg_control *hg_catalog_control(const hg_template *cat, const char *id)
{
	size_t i;
	for (i = 0; i < cat->ncatalog; i++)
		if (cat->catalog[i].id && strcmp(cat->catalog[i].id, id) == 0)
			return &cat->catalog[i];
	return NULL;
}

static void known(const hg_template *cat, const char *id, const hg_span *at, hg_diags *d)
{
	if (!hg_catalog_control(cat, id))
		hg_diag_add(d, HG_D_UNKNOWN_CONTROL, at, id, cat->name ? cat->name : "",
		        cat->version_text ? cat->version_text : "", cat->file ? cat->file : "",
		        NULL);
}

void hg_catalog_check_template(const hg_template *cat, const hg_template *t, hg_diags *d)
{
	size_t i, k;
	for (i = 0; i < t->ncontrols; i++)
		known(cat, t->controls[i], &t->control_spans[i], d);
	for (i = 0; i < t->nresources; i++) {
		const hg_resource_decl *r = &t->resources[i];
		for (k = 0; k < r->ncontrols; k++)
			known(cat, r->controls[k], &r->control_spans[k], d);
	}
}

/* Does template t list control id, at the top or on a resource? */
static bool lists(const hg_template *t, const char *id)
{
	size_t i, k;
	for (i = 0; i < t->ncontrols; i++)
		if (strcmp(t->controls[i], id) == 0)
			return true;
	for (i = 0; i < t->nresources; i++)
		for (k = 0; k < t->resources[i].ncontrols; k++)
			if (strcmp(t->resources[i].controls[k], id) == 0)
				return true;
	return false;
}

void hg_catalog_check_profile(
        const hg_template *cat, const hg_template *p, hg_registry *reg, hg_diags *d)
{
	size_t i, k;

	for (i = 0; i < cat->ncatalog; i++) {
		const hg_control *c = &cat->catalog[i];
		bool covered = false;
		if (!c->mandatory || !c->profile || strcmp(c->profile, p->name) != 0 ||
		        c->outside.en || c->outside.ja)
			continue;
		for (k = 0; k < p->nrequires && !covered; k++) {
			const hg_template *t = hg_registry_get(
			        reg, d, HG_DOC_TEMPLATE, p->requires[k].template_name);
			covered = t && lists(t, c->id);
		}
		if (!covered) {
			hg_diag *dg = hg_diag_add(d, HG_D_CONTROL_NOT_IMPLEMENTED, &p->name_span,
			        c->id, p->name, NULL);
			hg_diag_note(dg, HG_D_N_DECLARED_HERE, &c->span, NULL);
		}
	}
}

void hg_catalog_check_self(const hg_template *cat, hg_registry *reg, hg_diags *d)
{
	size_t i, k;

	for (i = 0; i < cat->ncatalog; i++) {
		const hg_control *c = &cat->catalog[i];
		for (k = 0; k < c->nimpl; k++) {
			const hg_control_impl *im = &c->impl[k];
			const hg_template *t =
			        hg_registry_get(reg, d, HG_DOC_TEMPLATE, im->template_name);
			if (!t) {
				hg_diag_add(d, HG_D_TEMPLATE_NOT_FOUND, &im->span,
				        im->template_name, hg_registry_path_text(reg), NULL);
			} else if (!lists(t, c->id)) {
				hg_diag_add(d, HG_D_CATALOG_IMPL_MISMATCH, &im->span, c->id,
				        im->template_name, NULL);
			} else if (im->resource && !hg_template_resource(t, im->resource)) {
				hg_diag_add(d, HG_D_OVERRIDE_UNKNOWN, &im->span, im->resource,
				        im->template_name, NULL);
			}
		}
	}
}
