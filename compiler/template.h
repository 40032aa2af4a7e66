/*
 * template.h: a hinagata template document, checked and typed.
 * Part of hinagata; see LICENSE.
 *
 * template.c turns the YAML node tree of one file into an hg_template: the
 * header (name, version, target, profile...), parameter declarations,
 * conditions, uses of other templates, resources and outputs, with every
 * string parsed into an hg_value (expressions included) and every element
 * keeping its span. Structural problems (unknown keys, wrong types, bad
 * names) are reported here; anything that needs other templates or
 * schemas is left to resolve.c. Everything lives in the caller's arena.
 */
#ifndef HG_TEMPLATE_H
#define HG_TEMPLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/fs.h"
#include "expr.h"
#include "semver.h"
#include "yaml_load.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hg_target { HG_TARGET_AWS, HG_TARGET_AZURE } hg_target;

/* Where an ARM template is deployed (az deployment group|sub create). */
typedef enum hg_scope { HG_SCOPE_RESOURCE_GROUP, HG_SCOPE_SUBSCRIPTION } hg_scope;
typedef enum hg_doc_kind { HG_DOC_TEMPLATE, HG_DOC_PROFILE, HG_DOC_CATALOG } hg_doc_kind;

/* ORDER PTYPE: parameter types as written in templates. */
typedef enum hg_ptype {
	HG_P_STRING,
	HG_P_INT,
	HG_P_BOOL,
	HG_P_LIST,
	HG_P_OBJECT,
	HG_P_SECURE,
	HG_P__COUNT
} hg_ptype;

const char *hg_ptype_name(hg_ptype t);
/* The expression type of values of a parameter type. */
hg_type hg_ptype_type(hg_ptype t);

typedef struct hg_text {
	const char *en, *ja; /* either may be NULL */
} hg_text;

typedef struct hg_param_decl {
	const char *name;
	hg_span span; /* the key */
	hg_ptype type;
	hg_type item_type;     /* list: HG_T_STRING or HG_T_INT */
	hg_value *def;         /* default, or NULL */
	hg_value *allowed;     /* HG_V_LIST of constants, or NULL */
	bool has_min, has_max; /* int: value bounds */
	int64_t min, max;
	hg_span min_span, max_span;
	bool has_min_len, has_max_len; /* string/secure/list: length bounds */
	int64_t min_len, max_len;
	hg_span len_span;
	const char *pattern; /* POSIX extended regular expression, or NULL */
	hg_span pattern_span;
	hg_text description;
	bool used; /* some expression of the template names it */
} hg_param_decl;

typedef struct hg_cond_decl {
	const char *name;
	hg_span span;
	hg_expr *expr;
} hg_cond_decl;

typedef struct hg_binding {
	const char *name;
	hg_span span;
	hg_value *value;
} hg_binding;

typedef struct hg_override {
	const char *resource;
	hg_span span;
	hg_value *properties; /* HG_V_MAP */
} hg_override;

typedef struct hg_use_decl {
	const char *alias;
	hg_span span;
	const char *template_name;
	hg_span template_span;
	const char *range_text; /* NULL: any version */
	hg_range *range;
	hg_span range_span;
	hg_binding *with;
	size_t nwith;
	hg_override *overrides;
	size_t noverrides;
	hg_value *resource_group; /* azure: deploy a resource-group-scope template into
	                             this resource group from a subscription-scope one */
	hg_span rg_span;
} hg_use_decl;

typedef struct hg_name_ref {
	const char *name;
	hg_span span;
} hg_name_ref;

typedef struct hg_resource_decl {
	const char *name;
	hg_span span;
	const char *type;
	hg_span type_span;
	const char *api_version; /* azure: from Type@version; NULL for aws */
	hg_value *properties;    /* HG_V_MAP or NULL */
	hg_value *locked;        /* HG_V_MAP or NULL */
	hg_value *when;          /* HG_V_EXPR (bool) or NULL */
	hg_name_ref *depends_on;
	size_t ndepends;
	const char *deletion_policy, *update_replace_policy;
	hg_span deletion_span, update_span;
	hg_value *metadata; /* HG_V_MAP or NULL, passed through */
	const char **controls;
	hg_span *control_spans;
	size_t ncontrols;
	const hg_node *suppress; /* suppress: [ { control, reason } ] (checked), or NULL */
} hg_resource_decl;

typedef struct hg_output_decl {
	const char *name;
	hg_span span;
	hg_value *value;
	hg_text description;
	hg_value *export_name; /* NULL, or a string value; see export_default */
	bool export_default;   /* export: true */
	hg_value *when;
} hg_output_decl;

typedef struct hg_profile_req {
	const char *template_name;
	hg_span span;
	const char *range_text;
	hg_range *range;
	hg_span range_span;
} hg_profile_req;

/*
 * A rule of a profile: what every resource of a system template of that
 * profile must satisfy (evaluated by rules.c; check reuses the same data).
 */
typedef enum hg_rule_kind {
	HG_RULE_FORBIDDEN,  /* the type itself is not allowed */
	HG_RULE_REQUIRED,   /* a path must be present */
	HG_RULE_ALLOWED,    /* a value must be one of a list (strings: any case) */
	HG_RULE_EQUALS,     /* a value must equal one value */
	HG_RULE_PORTS,      /* a port range (from..to) must not include any of some ports */
	HG_RULE_CONTAINS,   /* a list must hold an item that matches every condition */
	HG_RULE_REFERENCED, /* another resource (of some types) must refer to this one */
	HG_RULE_ABSENT,     /* a path must not be present */
	HG_RULE_AT_LEAST,   /* a number, where present, must be at least a value */
	HG_RULE_NOT_TARGETING, /* the value at path must not refer to a mandatory resource */
	HG_RULE_SHADOWING,  /* no resource of the same type and name as a mandatory one */
} hg_rule_kind;

/* A condition on an item of a CONTAINS rule: its value at path is one of in. */
typedef struct hg_rule_match {
	const char *path;
	hg_value *in;
} hg_rule_match;

typedef struct hg_rule {
	const char *control;
	hg_span span;
	hg_text title;
	const char **types; /* exact types, "Prefix*" or "*" */
	size_t ntypes;
	int mandatory;      /* 1: only resources of mandatory templates; 0: only others; -1: all */
	const char *select; /* nodes to check: a dotted path, [*] for list items; NULL = body */
	hg_rule_kind kind;
	const char *path;                /* under each selected node */
	hg_value *values;                /* ALLOWED: the list; EQUALS, AT_LEAST: the value */
	hg_rule_match *unless;           /* skip nodes whose value at a path is one of ... */
	size_t nunless;                  /* (any of these matches) */
	const char **when_paths;         /* check only nodes whose value at one of these */
	size_t nwhen;                    /* paths (a list: one of its items) ... */
	hg_value *when_in;               /* ... is one of these */
	const char *from_path, *to_path; /* PORTS: the range (absent: all ports) ... */
	const char *ranges_path;         /* ... or a list of ranges ("22", "20-25", "*") */
	hg_rule_match *item;             /* CONTAINS: the list is at path; its item ... */
	size_t nitem;                    /* ... matches all of these */
	const char **ref_types;          /* REFERENCED: a resource of these types refers ... */
	size_t nref_types;               /* ... to this one at path (a Ref, or ... */
	const char *name_path;           /* ... the constant at name_path of this one) */
} hg_rule;

/* A control of the catalog (templates/controls.yaml). */
typedef struct hg_control_impl {
	const char *template_name, *resource, *property;
	hg_span span;
} hg_control_impl;

typedef struct hg_control {
	const char *id;
	hg_span span;
	hg_text title;
	const char *category; /* preventive, detective, baseline, workload */
	const char *severity; /* critical, high, medium, low */
	const char *profile;
	bool mandatory;
	hg_control_impl *impl;
	size_t nimpl;
	hg_text outside; /* why it is enforced outside templates */
} hg_control;

typedef struct hg_template {
	const char *file; /* display path */
	hg_node *root;
	hg_doc_kind kind;
	int lang_version;
	const char *name; /* template: or profile: name */
	hg_span name_span;
	const char *version_text;
	hg_semver version;
	hg_span version_span;
	hg_target target;
	hg_scope scope;
	hg_span scope_span;
	bool mandatory;
	const char *profile; /* the profile a system template must satisfy */
	hg_span profile_span;
	hg_text title, description;
	const char **controls;
	hg_span *control_spans;
	size_t ncontrols;
	hg_param_decl *params;
	size_t nparams;
	hg_cond_decl *conds;
	size_t nconds;
	hg_use_decl *uses;
	size_t nuses;
	hg_resource_decl *resources;
	size_t nresources;
	hg_output_decl *outputs;
	size_t noutputs;
	hg_profile_req *requires; /* profiles only */
	size_t nrequires;
	hg_rule *rules; /* profiles only */
	size_t nrules;
	hg_control *catalog; /* catalogs only */
	size_t ncatalog;
	uint64_t hash; /* XXH3-64 of the canonical form of the document */
	const char *path; /* the file read (file is its display name) */
	hg_text changes;  /* what this version changed, for the impact of an update */
} hg_template;

/*
 * Build *out from a loaded YAML tree (root) of file. Diagnostics go to d.
 * Returns 0, or HG_EINVALID when errors were reported (then *out may still
 * be set with what could be read, for further checks; callers must not
 * compile it).
 */
int hg_template_parse(hg_template **out, hg_arena *a, hg_diags *d, const char *file, hg_node *root);

/* Load and parse a template file: read, register with d, YAML, model. */
int hg_template_load(hg_template **out, hg_arena *a, hg_diags *d, const char *path);

/*
 * The same, registering the source with src (which must outlive every use
 * of the template's spans) while diagnostics go to d; messages name the
 * file `display` (NULL: path).
 */
int hg_template_load_in(hg_template **out, hg_arena *a, hg_diags *d, hg_diags *src,
        const char *path, const char *display);

/* Parameter, condition, resource, use and output lookups by name (or NULL). */
hg_param_decl *hg_template_param(const hg_template *t, const char *name);
hg_cond_decl *hg_template_cond(const hg_template *t, const char *name);
hg_resource_decl *hg_template_resource(const hg_template *t, const char *name);
hg_use_decl *hg_template_use(const hg_template *t, const char *alias);
hg_output_decl *hg_template_output(const hg_template *t, const char *name);

/*
 * Convert a YAML node to a value as template.c does for properties; with
 * expressions false, strings stay plain text (for parameter files).
 * Returns NULL after a diagnostic.
 */
hg_value *hg_value_from_node(hg_arena *a, hg_diags *d, const hg_node *n, bool expressions);

/* Report unused parameters (warnings) of a parsed template. */
void hg_template_warn_unused(const hg_template *t, hg_diags *d);

/* The maximum size of a template file in bytes: the one limit of every input (fs.h). */
#define HG_TEMPLATE_MAX_BYTES HG_FS_MAX_INPUT

/*
 * Check a resource's suppressions, a list of { control, reason }: HG8002
 * for one without a reason, HG0103/HG0102 for malformed ones. Returns 0
 * when every entry is well formed. A violation of a suppressed control is
 * then warning HG8004 with the reason, unless the catalog marks the control
 * mandatory (HG8003, and the violation stands).
 */
int hg_suppress_read(const hg_node *list, hg_diags *d);

#ifdef __cplusplus
}
#endif
#endif
