/*
 * judge.h: drift judged against the controls: the profile's control rules
 * (the engine and the rule data `check` uses, compiler/rules.c) run on
 * templates and on deployed values.
 * Part of hinagata; see LICENSE.
 *
 * Two questions. Does the template itself break a control (a committed
 * template that check would refuse)? Asked once per template, of its own
 * values, as check asks it. Does the deployed value of a resource that
 * drifted, or that no template manages, break a control the template kept?
 * Asked of each such resource on its own; rules that look across resources
 * (a bucket's bucket policy) need the template's references and are left
 * to the template question.
 */
#ifndef HG_DRIFT_JUDGE_H
#define HG_DRIFT_JUDGE_H

#include "desired.h"
#include "model.h"

typedef struct hg_judge hg_judge;

/*
 * The catalog and the gc-aws and gc-azure profiles from the search path of
 * o. NULL, with a diagnostic in d, when they cannot be read. Read-only
 * once open: safe to use from several threads.
 */
hg_judge *hg_judge_open(const hg_drift_options *o, hg_diags *d);
void hg_judge_free(hg_judge *j);

/* A hash of the rule data (profiles, catalog): verdicts made under other rules are not reused. */
uint64_t hg_judge_fingerprint(const hg_judge *j);

/* The catalog's severity of a control ("critical" ...), or NULL. */
const char *hg_judge_severity(const hg_judge *j, const char *control);

/*
 * The controls the template's own values break: t->violations gets
 * "KEY\tCONTROL" entries (KEY: a CloudFormation logical ID, or "#N" for
 * the N-th top-level ARM resource), in the arena a.
 */
void hg_judge_template(const hg_judge *j, hg_tmpl *t, const hg_jv *doc, hg_arena *a);

/*
 * The controls the rules find broken in a deployed resource of type: its
 * properties (AWS) or whole record (Azure). *out gets the control IDs (a),
 * sorted and distinct; returns how many.
 */
size_t hg_judge_deployed(const hg_judge *j, hg_arena *a, bool azure, const char *type,
        const hg_jv *value, const char ***out);

#endif
