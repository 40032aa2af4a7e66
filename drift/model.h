/*
 * model.h: the drift engine's neutral resource model, between the readers
 * (state.c: exports; desired.c: templates) and the stages after them
 * (match, resolve_cfn/resolve_arm, compare, judge). Not a public interface.
 * Part of hinagata; see LICENSE.
 *
 * The model has two sides and one key. The deployed side is a list of
 * state units (hg_unit: one account and region, or one subscription, as a
 * collector writes one directory), each with its stacks or deployments
 * and its records (hg_rec: where a resource's JSON is in which export
 * file, never the JSON itself, so memory does not grow with the exports).
 * The desired side is a list of desired resources (hg_dres) that a
 * resolver makes from one template in one unit's context. Both are keyed
 * by (unit, type, identity): the identity is the CloudFormation physical
 * ID, or the Azure resource ID in lower case. IDs repeat across accounts
 * (`default`, fixed aliases, rule names), so a record is only ever looked
 * up in its own unit.
 *
 * Ownership: a unit and everything it points to live in the unit's arena
 * (u->a) for the whole run; desired resources live in the arena of the
 * work item that made them and die with it.
 */
#ifndef HG_DRIFT_MODEL_H
#define HG_DRIFT_MODEL_H

#include <stdint.h>

#include "drift.h"
#include "jv.h"

/* One resource of a stack, as describe-stack-resources lists it. */
typedef struct hg_stack_res {
	const char *logical, *type, *physical; /* physical: NULL when not created */
	int rec;                               /* its record (index in u->recs), or -1 */
} hg_stack_res;

/* A CloudFormation stack (AWS) or an ARM deployment (Azure) of a unit. */
typedef struct hg_stack {
	const char *name;
	const char *id;        /* the stack ARN, or the deployment's resource ID */
	const char *scope_rg;  /* Azure: the deployment's resource group, NULL at subscription scope */
	hg_jv *params;         /* name -> deployed value (object), never NULL */
	hg_stack_res *res;     /* AWS: its resources (malloc'd: freed with the unit) */
	size_t nres, capres;
	uint32_t *lindex;      /* open addressing: logical ID -> res index + 1 */
	size_t lcap;
	bool have_params;      /* describe-stacks (az deployment show) was read */
	bool have_resources;   /* describe-stack-resources was read */
	int claimed;           /* the template matched with it, or -1 */
	int dtmpl;             /* the record of the template it was deployed with (get-template,
	                          az deployment export: deployed.h), or -1: none collected */
} hg_stack;

/* ORDER RECFLAG */
#define HG_REC_GET 1u     /* from get-resource / az resource show: complete */
#define HG_REC_AZURE 2u   /* an az record (the whole record is the resource) */
#define HG_REC_CLAIMED 4u /* a desired resource was matched with it */
#define HG_REC_IN_STACK 8u /* a stack lists it: managed, even if no template declares it */
#define HG_REC_SHADOWED 16u /* another record of the same resource is used instead */
#define HG_REC_FLAT 32u   /* an az listing that prints the properties at the top level */

/*
 * Records that are not resources have types of their own, which no cloud
 * uses ("hinagata::..."): they are never matched, never UNMANAGED, and go
 * through the cache like any record. The deployed template of a stack
 * (aws cloudformation get-template, az deployment group|sub export), its
 * identity the export's file name; an ARM deployment as az deployment
 * group|sub show printed it (its templateHash), its identity its ID.
 */
#define HG_TYPE_PSEUDO "hinagata::"
#define HG_TYPE_DEPLOYED_TEMPLATE "hinagata::DeployedTemplate"
#define HG_TYPE_DEPLOYMENT "hinagata::Deployment"

/* A deployed resource: where its JSON is. */
/* A slot of a unit's record index: the record (index + 1; 0: empty) and
 * the high bits of its key, compared before the strings (one cache line
 * for both). */
typedef struct hg_rslot {
	uint32_t rec;
	uint32_t tag;
} hg_rslot;

typedef struct hg_rec {
	const char *type;     /* interned in the unit */
	const char *identity; /* physical ID, or lower-case Azure resource ID */
	uint32_t file;        /* index in u->files */
	uint32_t line, col;   /* where the record starts, for messages */
	uint32_t props_at;    /* its top-level Properties string, in its bytes (export.h) */
	uint64_t offset;      /* byte offset in the file */
	size_t len;
	uint64_t rawhash;     /* XXH3 of the record's bytes */
	unsigned flags;
	uint32_t props_len; /* 0: not noted (then looked for) */
} hg_rec;

/*
 * What the az CLI's outputs are like, from the rules (schemas/drift/
 * rules.json, "az_shapes"; canon.c reads them). All lower case, borrowed.
 */
typedef struct hg_az_rules {
	const char **flattened; /* types whose az listings print the properties at the top level */
	size_t nflattened;
	const char **envelope;  /* the members of an ARM resource outside its properties */
	size_t nenvelope;
	const char **unlisted;  /* type prefixes az resource list never prints (extension and
	                           proxy resources) */
	size_t nunlisted;
} hg_az_rules;

/* A state unit: what one --state directory says about one account and region. */
typedef struct hg_unit {
	hg_arena *a;
	hg_arena **parts;      /* the arenas of its files' partial units (their strings) */
	size_t nparts;
	const char *name;      /* the directory (or the first file), for messages */
	const char *account;   /* account or subscription ID, "" when unknown */
	const char *region;    /* "" when unknown (Azure: regions are per resource) */
	const char *partition; /* AWS */
	const char **files;    /* display names of its export files */
	const char **paths;    /* their paths */
	size_t nfiles;
	hg_stack *stacks;
	size_t nstacks, capstacks;
	hg_rec *recs;          /* malloc'd (they grow by the hundred thousand) */
	size_t nrecs, caprecs;
	hg_rslot *rindex;      /* open addressing: (type, identity) -> rec index + 1 */
	size_t rcap;
	const char **listed;   /* AWS types some list-resources export covered (sorted) */
	size_t nlisted, caplisted;
	const char **scopes;   /* Azure: what the az listings covered, lower case: a resource group
	                          ID (az resource list: its resources), "SCOPE\x1fTYPE" (the
	                          resources of TYPE right at SCOPE), "SCOPE\x1fTYPE\x1f*" (and
	                          under it) */
	size_t nscopes, capscopes;
	hg_jv *rg_location;    /* Azure: lower-case resource group ID -> location (object) */
	const char *az_rg;     /* Azure: the first resource group a record is in (templates
	                          without a deployment are resolved there) */
	const hg_az_rules *az; /* borrowed; NULL: none known */
	bool azure;            /* its records are az records */
	bool aws;
	size_t order;          /* position in the run's unit order */
} hg_unit;

/* A desired resource: one resource of one template, resolved in one unit. */
typedef struct hg_dres {
	const char *logical;  /* logical ID, or the Azure resource's evaluated name */
	const char *type;
	const char *identity; /* the key of its record in the unit, or NULL */
	int rec;              /* its record (index in the unit's recs), or -1 */
	const char *physical; /* the identifier to show (the resource ID as written), or NULL */
	int tindex;           /* ARM: its index among the template's resources (-1: nested) */
	hg_jv *props;         /* the resolved properties to compare (object) */
	const char **notes;   /* "path: why" (HG_BI) for properties that are not compared */
	size_t nnotes;
	const char **locked;  /* JSON pointers of locked settings */
	size_t nlocked;
	const char **controls; /* the controls it implements */
	size_t ncontrols;
	const char *template_name, *template_version;
	bool mandatory;
	bool sidecar;          /* compared as part of its parent (SecurityGroupIngress ...) */
	hg_drift_status preset; /* HG_DS_IN_SYNC: compare; DELETED or NOT_CHECKED: decided */
	const char *reason;     /* for a preset status */
	const hg_jv *raw;       /* the template's own (unresolved) properties, for rules */
} hg_dres;

/* The desired resources of one template in one unit (arena-owned). */
typedef struct hg_dset {
	hg_dres *res;
	size_t n, cap;
	const char *unit_name; /* the stack or deployment ("" when none matched) */
	const char *source;    /* the template's display name */
} hg_dset;

/* The record of (type, identity) in u, or NULL. */
hg_rec *hg_unit_find(hg_unit *u, const char *type, const char *identity);
/* The resource logical of stack s, or NULL. */
hg_stack_res *hg_stack_find(hg_stack *s, const char *logical);
/* Was type covered by a list-resources export of u? */
bool hg_unit_listed(const hg_unit *u, const char *type);

/*
 * Did u's az listings cover the resource of lower-case ID identity and type
 * type, so that its absence means it is not there?
 */
bool hg_unit_covers(const hg_unit *u, const char *identity, const char *type);

/* The Azure record of a lower-case resource ID in u, or NULL. */
hg_rec *hg_unit_find_id(hg_unit *u, const char *identity);

/* A new desired resource in set (zeroed but for preset IN_SYNC and rec -1). */
hg_dres *hg_dset_add(hg_dset *set, hg_arena *a);
/* Append "path: why" to r's notes. */
void hg_dres_note(hg_dres *r, hg_arena *a, const char *path, const char *why);

#endif
