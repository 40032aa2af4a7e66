/*
 * deployed.h: the template each stack or deployment was deployed with, for
 * three-way drift (deployed.c).
 * Part of hinagata; see LICENSE.
 *
 * Two-way drift compares git's desired state with the cloud, and cannot
 * tell a change made in the cloud from one merged in git but not yet
 * deployed: both differ. The template a stack was last deployed with is the
 * third side. The collectors save it (aws cloudformation get-template as
 * get-template-STACK.json; az deployment sub export as
 * az-deployment-sub-export-NAME.json, az deployment group export as
 * az-deployment-group-export-GROUP-NAME.json: what the CLIs print, the
 * stack or deployment named by the file, since the output does not name
 * it). The state reader keeps such a file as a record of its own type
 * (model.h), so the cache carries it like any record; after a unit is
 * merged, each stack is tied to its file here, and a work item resolves
 * the deployed template in the same context as the desired one (the
 * stack's parameters, physical IDs, the deployment's scope) to compare
 * each difference three ways (verdict.c).
 */
#ifndef HG_DRIFT_DEPLOYED_H
#define HG_DRIFT_DEPLOYED_H

#include "resolve.h"

/*
 * Tie each stack of the merged unit u to its deployed template's record
 * (s->dtmpl, -1 when none was collected), by the file names above (case
 * does not matter). Nothing is read here.
 */
void hg_deployed_attach(hg_unit *u);

/*
 * The deployed template of c->stack resolved as c resolves the desired one,
 * into out (in c->a). Returns 1 when there is one, 0 when none was
 * collected (or it is YAML, which drift does not read: warning HG7057, and
 * the differences are not told apart), or HG_EIO / HG_EINVALID after a
 * diagnostic in c->d (the file changed, a malformed template).
 */
int hg_deployed_resolve(hg_dset *out, hg_resolve_ctx *c);

/*
 * The deployed templates of the units (in order), for the summary: a new
 * array of *out with new strings (freed by hg_drift_summary_free); the
 * canonical hash of each template and, for ARM, the deployment's own
 * templateHash (az deployment show). Returns how many.
 */
size_t hg_deployed_list(hg_deployed_template **out, hg_unit *const *units, size_t nunits,
        hg_diags *d);

#endif
