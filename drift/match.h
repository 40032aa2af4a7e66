/*
 * match.h: which template goes with which stack or deployment of which
 * unit, and the order of the work that follows.
 * Part of hinagata; see LICENSE.
 *
 * A CloudFormation template is matched, in each AWS unit, with the stack
 * named with PATH=STACK, else the stack named like it (its file name, or
 * its template name with '-' for '/') if that stack has its logical IDs,
 * else the unclaimed stack with most of its logical IDs. An ARM template
 * is matched, in each Azure unit, with the unclaimed deployment whose
 * parameters fit it best (or the unit itself when it has no deployment
 * exports). The same template is matched in every unit that has its
 * stack: a mandatory template rolled out to many accounts under one stack
 * name is compared in each. A template that matches in no unit still gets
 * its resources reported, NOT_CHECKED. Matching is done once, in template
 * order, before any comparison, so its result does not depend on threads.
 */
#ifndef HG_DRIFT_MATCH_H
#define HG_DRIFT_MATCH_H

#include "desired.h"
#include "model.h"

#define HG_ITEM_UNMANAGED ((size_t)-1)

/* One work item: a template in a unit (or a unit's unmanaged resources). */
typedef struct hg_item {
	size_t tmpl;     /* index of the template, or HG_ITEM_UNMANAGED */
	hg_unit *u;      /* NULL: the template matched no unit */
	hg_stack *stack; /* the stack or deployment matched, or NULL */
} hg_item;

/*
 * The work items of a run, in report order: items without a unit first,
 * then per unit (account, region, directory) its templates' items by stack
 * name and template order, then the unit's unmanaged resources. *items is
 * new (free()).
 */
void hg_match(hg_item **items, size_t *n, hg_tmpls *ts, hg_unit **units, size_t nunits);

#endif
