/*
 * cfn.h: a CloudFormation template as desired state: its intrinsic
 * functions resolved against what is deployed.
 * Part of hinagata; see LICENSE.
 *
 * The engine gives the context (stack parameters, pseudo parameters, and
 * callbacks for physical IDs and attributes of deployed resources). What
 * cannot be resolved (Fn::GetAZs, Fn::ImportValue, a NoEcho parameter, an
 * attribute the export lacks) makes the value unresolvable: the caller
 * reports the property NOT_CHECKED with the reason, never as drift.
 */
#ifndef HG_CFN_H
#define HG_CFN_H

#include <jansson.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_cfn_ctx {
	json_t *doc;    /* the template (borrowed): Conditions, Mappings, Parameters */
	json_t *params; /* name -> deployed value (borrowed); a missing name is unresolvable */
	const char *account, *region, *partition, *stack_name, *stack_id; /* NULL: unknown */
	/* The physical ID of a resource (Ref), or NULL. */
	const char *(*physical)(void *payload, const char *logical);
	/* An attribute of a deployed resource (new reference), or NULL. */
	json_t *(*attribute)(void *payload, const char *logical, const char *attr);
	void *payload;
	/* out */
	char *why; /* the first reason a value was unresolvable (new; caller frees) */
	/* internal */
	json_t *novalue;
	json_t *cond_cache;
} hg_cfn_ctx;

void hg_cfn_ctx_init(hg_cfn_ctx *c, json_t *doc);
void hg_cfn_ctx_dispose(hg_cfn_ctx *c);

/*
 * The value of v with every intrinsic function resolved (new reference),
 * members and items that resolve to AWS::NoValue removed. NULL when some
 * part cannot be resolved (c->why says which, the first time).
 */
json_t *hg_cfn_resolve(hg_cfn_ctx *c, json_t *v);

/* Is the value AWS::NoValue (a whole property that is to be left out)? */
bool hg_cfn_is_novalue(const hg_cfn_ctx *c, const json_t *v);

/* The truth of a named condition: 1, 0, or -1 when it cannot be decided. */
int hg_cfn_condition(hg_cfn_ctx *c, const char *name);

/* The logical IDs a value refers to by GetAtt (Fn::GetAtt, ${X.Attr}), appended to out (strings). */
void hg_cfn_getatt_targets(json_t *v, json_t *out);

#ifdef __cplusplus
}
#endif
#endif
