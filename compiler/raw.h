/*
 * raw.h: reading hand-written CloudFormation and ARM templates into the IR
 * (raw.c), shared with the ARM expression reader (raw_arm.c). Internal to
 * the compiler library.
 * Part of hinagata; see LICENSE.
 *
 * A template read by raw.c is one IR unit whose values keep what deploy
 * time decides as choice points the rule engine can follow (rules.c):
 * parameters (HG_EX_PARAM, with their defaults and allowed values),
 * conditions (HG_EX_COND over HG_EX_CONDREF), and strings computed from
 * them (HG_FN_JOIN, HG_FN_SELECT). A value computed from resources or by a
 * function no rule needs is opaque (opaque()). Everything lives in the
 * arena of the struct raw; nothing here reports diagnostics except where
 * noted.
 */
#ifndef HG_RAW_H
#define HG_RAW_H

#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A named thing of the template, read on first use (conditions, ARM variables). */
struct raw_named {
	const char *name;
	const hg_node *node;
	int state;        /* 0 unread, 1 reading (a cycle), 2 read */
	hg_ir_cond *cond; /* conditions */
	hg_value *value;  /* ARM variables */
};

struct raw {
	hg_arena *a;
	bool arm;
	const hg_node *root;
	const hg_node *resources; /* CloudFormation: the Resources map */
	const hg_node *mappings;  /* CloudFormation: Mappings */
	hg_ir unit;
	const char **res_names; /* logical IDs (CloudFormation) or symbolic names (ARM) */
	size_t capnames;
	struct raw_named *conds, *vars;
	size_t nconds, nvars;
	int depth;   /* nesting of conversions, bounded (a hostile template) */
	int nesting; /* ARM: deployments nested in deployments, bounded */
};

/* A value known only at deploy time that no rule judges (arena-owned). */
hg_value *hg_raw_opaque(struct raw *t, const hg_span *span);

/* A value as an expression (a constant becomes HG_EX_VALUE). */
hg_expr *hg_raw_expr_of(struct raw *t, hg_value *v);

/* The parameter of the template named name (len bytes), or NULL. */
hg_ir_param *hg_raw_param(struct raw *t, const char *name, size_t len);

/* The resource with this logical ID or symbolic name, or NULL. */
hg_ir_resource *hg_raw_resource(struct raw *t, const char *name, size_t len);

/* A condition named by its text: `id` (arena) for expr, at span. */
hg_ir_cond *hg_raw_new_cond(struct raw *t, const char *id, hg_expr *expr, const hg_span *span);

/* join("", parts): text made of parts (n values), as the engine evaluates it. */
hg_value *hg_raw_concat(struct raw *t, hg_value **parts, size_t n, const hg_span *span);

/* A YAML/JSON node of an ARM template as a value ("[...]" strings evaluated). */
hg_value *hg_raw_arm_value(struct raw *t, const hg_node *n);

/* The ARM variable named name (len bytes), converted; NULL if none. */
hg_value *hg_raw_arm_variable(struct raw *t, const char *name, size_t len, const hg_span *span);

#ifdef __cplusplus
}
#endif
#endif
