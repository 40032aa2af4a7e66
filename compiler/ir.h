/*
 * ir.h: the target-neutral result of resolving a template and its uses.
 * Part of hinagata; see LICENSE.
 *
 * One hg_ir is one deployable unit (a CloudFormation stack, an ARM
 * deployment). resolve.c fills it from a root template and every template
 * it uses; lower.c names conditions, drops resources whose condition is
 * always false and checks references; the emitters (emit_cfn.c, later
 * emit_arm.c) only read it. Everything is in the compilation's arena; the
 * hg_template pointers are borrowed from the registry or the caller.
 */
#ifndef HG_IR_H
#define HG_IR_H

#include "template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_ir_param {
	const char *id; /* logical ID in the output ("RetentionDays", "AuditRetentionDays") */
	const hg_param_decl *decl;
	const hg_template *tmpl;
	const char *path; /* "params.x" or "audit.params.x", for messages */
} hg_ir_param;

typedef struct hg_ir_cond {
	const char *id;
	hg_expr *expr; /* resolved, never constant; only params, pseudo values, conditions */
	hg_span span;
} hg_ir_cond;

/*
 * One setting fixed by a template's locked: section. Locks are leaves:
 * mappings under locked: are walked, and each scalar, list or expression in
 * them is a lock of its own (so `properties: { a: 1 }` on Azure locks
 * properties.a, not all of properties).
 */
typedef struct hg_lock {
	const char *path;  /* JSON pointer into Properties: "/VersioningConfiguration/Status" */
	const char *name;  /* the same, dotted, for messages: "VersioningConfiguration.Status" */
	const char **keys; /* the path's keys, unescaped */
	size_t nkeys;
	hg_value *value; /* the locked value, resolved */
	hg_span span;    /* the key that locks it */
	const hg_template *tmpl;
} hg_lock;

typedef struct hg_ir hg_ir;

/* A value the parent deployment passes to a parameter of a nested one. */
typedef struct hg_nested_arg {
	struct hg_ir_param *param; /* the nested template's parameter */
	hg_value *value;           /* in the parent's terms */
} hg_nested_arg;

typedef struct hg_ir_resource {
	const char *id;
	const char *name; /* key in its template */
	const char *path; /* "log_bucket" or "audit.log_bucket" */
	const char *type;
	const char *api_version; /* azure */
	const hg_template *tmpl;
	const hg_resource_decl *decl;
	const char *scope_path; /* the use chain ("" for the root, "audit", ...) */
	hg_span span;
	hg_value *props; /* HG_V_MAP or NULL; resolved, locks and overrides merged */
	hg_expr *when;   /* resolved condition; NULL = always */
	hg_ir_cond *cond;
	bool excluded;                /* the condition is always false */
	struct hg_ir_resource **deps; /* explicit depends_on, resolved */
	hg_span *dep_spans;
	size_t ndeps;
	const char *deletion_policy, *update_replace_policy;
	hg_value *metadata;
	hg_lock *locks;
	size_t nlocks;
	bool mandatory; /* from a mandatory template */
	/* azure: a Microsoft.Resources/deployments resource made for a use of
	 * a resource-group-scope template from a subscription-scope one */
	hg_ir *nested;            /* the template it deploys */
	hg_value *resource_group; /* into this resource group */
	hg_nested_arg *args;
	size_t nargs, capargs;
} hg_ir_resource;

typedef struct hg_ir_output {
	const char *id;
	const hg_output_decl *decl;
	hg_value *value;
	hg_value *export_name;
	hg_expr *when;
	hg_ir_cond *cond;
} hg_ir_output;

/* A template that went into the unit, for Metadata. */
typedef struct hg_ir_used {
	const hg_template *tmpl;
	const char *alias_path; /* "" for the root */
} hg_ir_used;

struct hg_ir {
	hg_arena *a;
	hg_target target;
	hg_scope scope; /* azure: where the unit is deployed */
	const hg_template *root;
	const hg_template *profile; /* the root template's profile, if any */
	hg_ir *parent;              /* a nested unit's parent unit, else NULL */
	hg_ir_resource *deployment; /* a nested unit's deployment resource */
	hg_ir_param **params;
	size_t nparams, capparams;
	hg_ir_cond **conds;
	size_t nconds, capconds;
	hg_ir_resource **res;
	size_t nres, capres;
	hg_ir_output **outputs;
	size_t noutputs, capoutputs;
	hg_ir_used *used;
	size_t nused, capused;
};

/* "log_bucket" -> "LogBucket" (arena-owned); prefix is prepended. */
const char *hg_ir_pascal(hg_arena *a, const char *prefix, const char *name);

#ifdef __cplusplus
}
#endif
#endif
