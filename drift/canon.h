/*
 * canon.h: canonical forms of deployed and desired values, by named rules.
 * Part of hinagata; see LICENSE.
 *
 * Two values that mean the same to the cloud must have the same canonical
 * form, and therefore the same hash. Every transformation is a named rule
 * from schemas/drift/rules.json or a fact of the CloudFormation schemas
 * (schemas/aws); when a rule changes a value, the fold callback hears its
 * name and the JSON pointer, so a report can say why two texts that differ
 * were not drift.
 */
#ifndef HG_CANON_H
#define HG_CANON_H

#include "../common/diag.h"
#include "jv.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_canon hg_canon;

typedef enum hg_side { HG_SIDE_DESIRED, HG_SIDE_DEPLOYED } hg_side;

/* ORDER RULE: the names reports use. */
#define HG_RULE_JSON_STRING "json-string"
#define HG_RULE_SCALAR "scalar-coercion"
#define HG_RULE_UNORDERED "unordered-array"
#define HG_RULE_IDENTITY "identity-key"
#define HG_RULE_ID_SET "id-set"
#define HG_RULE_POLICY "policy-document"
#define HG_RULE_SYSTEM_TAGS "system-tags"
#define HG_RULE_DEFAULT "service-default"
#define HG_RULE_AZURE_ID "azure-id-case"
#define HG_RULE_AZURE_LOCATION "azure-location"

typedef void (*hg_fold_cb)(const char *rule, const char *path, void *payload);

/*
 * Open the rule tables under schema_dir (drift/rules.json; aws/ for the
 * CloudFormation facts). NULL, with a diagnostic in d, if they cannot be
 * read. Free with hg_canon_free.
 */
hg_canon *hg_canon_open(const char *schema_dir, hg_diags *d);
/*
 * A canon for another thread (new): the tables and the schema store of
 * root (borrowed: root outlives it), its own paths and caches. Canons of
 * one root are used on different threads at once; the store is shared
 * under root's lock.
 */
hg_canon *hg_canon_open_like(hg_canon *root);
/* The CloudFormation schemas' index read now, not when a value first asks (any thread). */
void hg_canon_preload(hg_canon *c);
void hg_canon_free(hg_canon *c);

/*
 * The canonical form of v, the value at JSON pointer `path` (e.g.
 * "/Tags") of a resource of `type`, allocated in a. fold (may be NULL)
 * hears each rule that changed something.
 */
hg_jv *hg_canon_value(hg_canon *c, hg_arena *a, const char *type, const char *path,
        const hg_jv *v, hg_side side, hg_fold_cb fold, void *payload);

/*
 * Tags as CloudFormation lists them ([{"Key": k, "Value": v}, ...], every
 * key and value a string no rule changes, the keys different), compared
 * without building their canonical forms: 1 if the canonical forms of
 * desired and deployed at path are equal; then fold has heard, in the same
 * order, what hg_canon_value of each would have folded, and *canon (if
 * canon is not NULL) is desired's canonical form, in a. 0, with nothing
 * folded, if they differ or are not such tags: hg_canon_value decides.
 */
int hg_canon_tags_equal(const hg_canon *c, hg_arena *a, const char *path, const hg_jv *desired,
        const hg_jv *deployed, hg_jv **canon, hg_fold_cb fold, void *payload);

/* The service default of the property at path of type ("*" for each index), or NULL. */
const hg_jv *hg_canon_default(hg_canon *c, hg_arena *a, const char *type, const char *path);

/* Is the property at path write-only (never returned by reads)? */
bool hg_canon_write_only(hg_canon *c, const char *type, const char *path);
/* Is the property at path read-only (set by the service)? */
bool hg_canon_read_only(hg_canon *c, const char *type, const char *path);

/* Does a property of this name hold a secret (its values are masked)? */
bool hg_canon_secret_name(const hg_canon *c, const char *name);

/*
 * v with every policy document property (rules.json "policy_documents")
 * that holds a JSON string decoded into its object, as the service reads
 * it (cloudcontrol prints some as strings): for judging deployed values
 * against the control rules. Unchanged parts are shared; new nodes in a.
 * depth: 0.
 */
const hg_jv *hg_canon_policies_decoded(const hg_canon *c, hg_arena *a, const hg_jv *v, int depth);

/* What the az CLI's outputs are like (borrowed from c). */
const hg_az_rules *hg_canon_az_rules(const hg_canon *c);

/* Is this deployed resource one the cloud creates by itself? */
bool hg_canon_cloud_default(const hg_canon *c, const char *type, const hg_jv *props);

/* The sidecar rule of a type: parent property name and target path, or NULL. */
typedef struct hg_sidecar {
	const char *parent; /* property holding the parent's Ref: "GroupId" */
	const char *into;   /* the parent's array to extend: "/SecurityGroupIngress" */
	const char *const *drop;
	size_t ndrop;
} hg_sidecar;
const hg_sidecar *hg_canon_sidecar(const hg_canon *c, const char *type);

/*
 * The identity key (schemas/drift/rules.json identity_keys, in order) that
 * every item of arrays a and b (either may be NULL) has as a string, or
 * NULL: items of unordered arrays are sorted and aligned by it.
 */
const char *hg_canon_identity_key(const hg_canon *c, const hg_jv *a, const hg_jv *b);

/* The primaryIdentifier pointers of a CloudFormation type (e.g. "/BucketName"). */
size_t hg_canon_primary_id(hg_canon *c, const char *type, const char **out, size_t max);

#ifdef __cplusplus
}
#endif
#endif
