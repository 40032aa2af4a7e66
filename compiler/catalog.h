/*
 * catalog.h: checks against the control catalog (templates/controls.yaml).
 * Part of hinagata; see LICENSE.
 */
#ifndef HG_CATALOG_H
#define HG_CATALOG_H

#include "registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The name of the catalog document searched for on the template path. */
#define HG_CATALOG_NAME "gc-controls"

/* Every controls: entry of t (template and resources) names a catalog control. */
void hg_catalog_check_template(const hg_template *cat, const hg_template *t, hg_diags *d);

/*
 * Every control of the catalog that is mandatory in profile p and not
 * enforced outside templates is listed by some template p requires.
 */
void hg_catalog_check_profile(
        const hg_template *cat, const hg_template *p, hg_registry *reg, hg_diags *d);

/* Every implemented_by entry names a template that lists the control. */
void hg_catalog_check_self(const hg_template *cat, hg_registry *reg, hg_diags *d);

/* The control `id` of the catalog, or NULL. */
const hg_control *hg_catalog_control(const hg_template *cat, const char *id);

#ifdef __cplusplus
}
#endif
#endif
