/*
 * expr.h: the ${...} expression language and the value trees that carry it.
 * Part of hinagata; see LICENSE.
 *
 * A template's property values become hg_value trees: YAML structure plus
 * parsed expressions. The same types carry values before and after name
 * resolution: the parser produces HG_EX_REF nodes (dotted names), and
 * resolve.c builds new trees in which every name is replaced by what it
 * denotes (a parameter, a resource, an attribute, a pseudo value, a
 * condition, or a constant value). The back ends only see resolved trees.
 * All nodes live in an arena.
 */
#ifndef HG_EXPR_H
#define HG_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_value hg_value;
typedef struct hg_expr hg_expr;
struct hg_ir_param;
struct hg_ir_resource;
struct hg_ir_cond;

/* ORDER TYPE: the static types of values and expressions. */
typedef enum hg_type {
	HG_T_ANY,
	HG_T_STRING,
	HG_T_INT,
	HG_T_BOOL,
	HG_T_LIST,
	HG_T_OBJECT,
	HG_T_FLOAT,
	HG_T_NULL,
} hg_type;

/* A bilingual name of a type for diagnostics ("a string" / "文字列"). */
const char *hg_type_name(hg_type t);

/* ORDER PSEUDO: pseudo values (aws.* and azure.*). */
typedef enum hg_pseudo {
	HG_PS_AWS_REGION,
	HG_PS_AWS_ACCOUNT_ID,
	HG_PS_AWS_PARTITION,
	HG_PS_AWS_STACK_NAME,
	HG_PS_AWS_STACK_ID,
	HG_PS_AWS_URL_SUFFIX,
	HG_PS_AWS_NOTIFICATION_ARNS,
	HG_PS_AWS_NO_VALUE,
	HG_PS_AZ_LOCATION,
	HG_PS_AZ_SUBSCRIPTION_ID,
	HG_PS_AZ_TENANT_ID,
	HG_PS_AZ_RESOURCE_GROUP,
	HG_PS_AZ_DEPLOYMENT_NAME,
	HG_PS__COUNT
} hg_pseudo;

typedef struct hg_pseudo_info {
	const char *cloud;  /* "aws" or "azure": the prefix */
	const char *name;   /* as written after the prefix */
	const char *native; /* CloudFormation pseudo parameter, or the ARM expression */
	hg_type type;
} hg_pseudo_info;

const hg_pseudo_info *hg_pseudo_info_of(hg_pseudo p);
/* Find a pseudo value by prefix ("aws", "azure") and name; -1 if unknown. */
int hg_pseudo_find(const char *cloud, const char *name);

/* ORDER FUNC: built-in functions. */
typedef enum hg_func {
	HG_FN_JOIN,
	HG_FN_SPLIT,
	HG_FN_SELECT,
	HG_FN_BASE64,
	HG_FN_AZS,
	HG_FN_CIDR,
	HG_FN_IMPORT,
	HG_FN__COUNT
} hg_func;

typedef struct hg_func_info {
	const char *name;
	unsigned min_args, max_args;
	hg_type result;
} hg_func_info;

const hg_func_info *hg_func_info_of(hg_func f);
int hg_func_find(const char *name);

typedef enum hg_expr_kind {
	/* literals */
	HG_EX_STR,
	HG_EX_INT,
	HG_EX_BOOL,
	/* before resolution */
	HG_EX_REF, /* dotted name: params.x, bucket, bucket.Arn, aws.region, audit.arn */
	/* operators */
	HG_EX_NOT,
	HG_EX_AND,
	HG_EX_OR,
	HG_EX_EQ,
	HG_EX_NE,
	HG_EX_COND, /* a ? b : c */
	HG_EX_CALL,
	/* after resolution */
	HG_EX_PARAM,    /* a parameter left for deploy time */
	HG_EX_RESOURCE, /* the resource's reference value (CFN Ref) */
	HG_EX_ATTR,     /* an attribute of a resource (CFN GetAtt) */
	HG_EX_PSEUDO,
	HG_EX_CONDREF,
	/* a named condition, as a boolean */ HG_EX_VALUE, /* a constant or structured value (bound
	                                                      parameter) */
	HG_EX_NESTED_OUTPUT, /* azure: an output of a nested deployment */
} hg_expr_kind;

struct hg_expr {
	hg_expr_kind kind;
	hg_span span;
	hg_type type; /* static type, HG_T_ANY if unknown */
	union {
		struct {
			const char *s;
			size_t len;
		} str;
		int64_t i;
		bool b;
		struct {
			const char **parts; /* interned by the template's arena */
			hg_span *spans;
			size_t n;
		} ref;
		struct {
			hg_expr *a, *b, *c;
		} op;
		struct {
			hg_func fn;
			hg_expr **args;
			size_t n;
		} call;
		struct hg_ir_param *param;
		struct {
			struct hg_ir_resource *res;
			const char *attr; /* HG_EX_ATTR only: "Arn", "Endpoint.Address" */
		} res;
		hg_pseudo pseudo;
		struct hg_ir_cond *cond;
		hg_value *value;
		struct {
			struct hg_ir_resource *deployment;
			const char *output; /* its output's name in the nested template */
		} nested;
	} u;
};

typedef enum hg_value_kind {
	HG_V_NULL,
	HG_V_BOOL,
	HG_V_INT,
	HG_V_FLOAT,
	HG_V_STR,
	HG_V_LIST,
	HG_V_MAP,
	HG_V_EXPR,   /* the whole scalar was one ${...} */
	HG_V_INTERP, /* text with ${...} parts */
} hg_value_kind;

typedef struct hg_member {
	const char *key;
	hg_span key_span;
	hg_value *value;
} hg_member;

typedef struct hg_part {
	const char *text; /* literal text when expr is NULL */
	size_t len;
	hg_expr *expr;
} hg_part;

struct hg_value {
	hg_value_kind kind;
	hg_span span;
	union {
		bool b;
		int64_t i;
		double f;
		struct {
			const char *s;
			size_t len;
		} str;
		struct {
			hg_value **items;
			size_t n;
		} list;
		struct {
			hg_member *m;
			size_t n;
		} map;
		hg_expr *expr;
		struct {
			hg_part *parts;
			size_t n;
		} interp;
	} u;
};

/*
 * Parse an expression from src[0..len) (the text inside ${ }). With exact,
 * `at` is the span of the first character and positions inside follow it on
 * the same line; without, every node gets the span `at`. Returns the
 * expression (arena-owned) or NULL after adding a diagnostic.
 */
hg_expr *hg_expr_parse(
        hg_arena *a, hg_diags *d, const char *src, size_t len, const hg_span *at, bool exact);

/*
 * Parse a string that may hold ${...} parts into a value: HG_V_STR if it has
 * none (with "$${" unescaped to "${"), HG_V_EXPR if it is exactly one
 * expression, HG_V_INTERP otherwise. at is the span of the first character
 * of the text (inside any quotes); exact is false when escapes or line
 * breaks make column arithmetic unreliable (spans then point at `at`).
 * Returns NULL after adding a diagnostic.
 */
hg_value *hg_value_parse_string(hg_arena *a, hg_diags *d, const char *s, size_t len,
        const hg_span *at, bool exact, const hg_span *whole);

/* Constructors (arena-owned results). */
hg_value *hg_value_new(hg_arena *a, hg_value_kind kind, const hg_span *span);
hg_value *hg_value_str(hg_arena *a, const char *s, size_t len, const hg_span *span);
hg_expr *hg_expr_new(hg_arena *a, hg_expr_kind kind, const hg_span *span);

/* The member `key` of a map value, or NULL. */
hg_value *hg_value_get(const hg_value *map, const char *key);

/* The static type of a value (HG_T_ANY when it depends on expressions). */
hg_type hg_value_type(const hg_value *v);

/* Structural equality of two resolved values (spans ignored). */
bool hg_value_equal(const hg_value *a, const hg_value *b);
bool hg_expr_equal(const hg_expr *a, const hg_expr *b);

/* The dotted text of a REF ("params.x"), arena-owned. */
const char *hg_ref_text(hg_arena *a, const hg_expr *ref);

/* Render a constant value for messages (strings quoted), appended to out. */
void hg_value_show(hg_buf *out, const hg_value *v);

#ifdef __cplusplus
}
#endif
#endif
