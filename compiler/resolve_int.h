/*
 * resolve_int.h: what the stages of resolution share (resolve.c: names,
 * expressions, values, scopes; resolve_params.c: parameters and their
 * values; resolve_locks.c: merging overrides and checking locks). Not a
 * public interface: the public one is resolve.h.
 * Part of hinagata; see LICENSE.
 *
 * Ownership: a struct ctx lives for one hg_resolve call and borrows its
 * arena and diagnostics; scopes and values are in that arena.
 */
#ifndef HG_RESOLVE_INT_H
#define HG_RESOLVE_INT_H

#include "resolve.h"

enum { ST_NONE, ST_BUSY, ST_DONE, ST_FAILED };

struct pbind {
	hg_value *value;    /* bound at compile time (resolved), or NULL */
	hg_ir_param *param; /* hoisted to deploy time, or NULL */
	hg_span span;       /* where the value came from */
};

struct scope {
	const hg_template *t;
	hg_ir *ir; /* the deployment unit its resources go to */
	struct scope *parent;
	const hg_use_decl *use;   /* in parent->t; NULL for the root */
	const char *prefix;       /* logical-ID prefix */
	const char *outer_prefix; /* nested unit: the prefix its use would have had */
	const char *path;         /* use chain for messages: "" or "audit" */
	struct pbind *params;
	hg_ir_resource **res;
	struct scope **children;
	int *child_state;
	hg_expr **conds;
	hg_ir_cond **cond_ir;
	int *cond_state;
	hg_value **outputs;
	int *output_state;
};

struct ctx {
	hg_arena *a;
	hg_diags *d;
	hg_ir *ir;
	const hg_resolve_options *opts;
	bool failed;
	const hg_template **checked; /* templates whose defaults were checked */
	size_t nchecked, capchecked;
	const char **busy; /* what is being resolved, outermost first (for cycles) */
	size_t nbusy, capbusy;
};

/* What an expression may refer to. */
enum ectx { E_VALUE, E_COND };

struct lockwalk {
	struct ctx *c;
	struct scope *s;
	const hg_resource_decl *rd;
	const char *keys[64];
	size_t depth;
	hg_lock *locks;
	size_t n, cap;
};

/* resolve.c */
void rs_failed(struct ctx *c);
hg_value *rs_resolve_value(struct ctx *c, struct scope *s, const hg_value *v);
const char *rs_scoped(struct ctx *c, const struct scope *s, const char *name);
const char *rs_tmpl_label(struct ctx *c, const hg_template *t);

/* resolve_params.c */
bool rs_is_constant(const hg_value *v);
hg_value *rs_coerce_string(struct ctx *c, hg_value *v);
void rs_check_defaults(struct ctx *c, const hg_template *t);
void rs_bind_params(
        struct ctx *c, struct scope *s, const hg_binding *b, size_t nb, bool from_parent);

/* resolve_locks.c */
hg_value *rs_merge(struct ctx *c, const hg_value *base, const hg_value *over);
const hg_expr *rs_param_in_value(const hg_value *v);
void rs_check_locks(struct ctx *c, const hg_ir_resource *res, const hg_value *over);
void rs_collect_locks(struct lockwalk *w, const hg_value *v, const hg_value *written);

#endif
