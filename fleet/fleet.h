/*
 * fleet.h: the public interface of hinagata's fleet model: the manifest
 * of the accounts and subscriptions one operator runs (fleet.yaml), and
 * the work units a nightly run is made of, split into shards.
 * Part of hinagata; see LICENSE. docs/fleet.md describes the manifest.
 *
 * Two stages, one file each, around one model (hg_fleet):
 *
 *   manifest.c  fleet.yaml (libyaml, through compiler/yaml_load) -> hg_fleet,
 *               every value checked, with positions for the diagnostics
 *   plan.c      hg_fleet -> work units (one per AWS account and region, one
 *               per Azure subscription), each with its shard key and shard
 *
 * A work unit is what a collector writes into one directory and what
 * `hinagata drift` reads as one state unit: its key (common/shard.h:
 * "ACCOUNT/REGION" or "SUBSCRIPTION") is the one the drift engine shards
 * by, so a worker that collects the units of its shard and compares them
 * with --shard sees the same units the plan gave it.
 *
 * Ownership: an hg_fleet owns everything in it (its arena); units and
 * plans point into their fleet and live as long as it. Nothing prints.
 */
#ifndef HG_FLEET_H
#define HG_FLEET_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/arena.h"
#include "../common/diag.h"
#include "../common/shard.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hg_cloud { HG_CLOUD_AWS, HG_CLOUD_AZURE } hg_cloud;

/*
 * How a collector reaches an AWS account: a named profile of the AWS CLI,
 * or a role it assumes (with the profile's credentials, or those of the
 * job: the pod's or Batch job's role). NULL members are not set.
 */
typedef struct hg_fleet_creds {
	const char *profile;      /* AWS CLI profile (--profile) */
	const char *role;         /* role ARN to assume (sts assume-role) */
	const char *external_id;  /* sts assume-role --external-id */
	const char *session_name; /* default: hinagata-collect */
} hg_fleet_creds;

/* A stack (AWS) or deployment (Azure) and the template it carries. */
typedef struct hg_fleet_stack {
	const char *name;
	const char *template_path; /* as `hinagata drift --template` takes it, or NULL */
	const char **regions;      /* AWS: the regions it is in (NULL: every region of the account) */
	size_t nregions;
	hg_span span;
} hg_fleet_stack;

/* One AWS account, or one Azure subscription. */
typedef struct hg_fleet_target {
	hg_cloud cloud;
	const char *id;       /* 12-digit account ID, or the subscription's GUID (lower case) */
	const char *name;     /* a label (a municipality, a system), or NULL */
	const char *profile;  /* the hinagata profile: gc-aws, gc-azure */
	const char **regions; /* AWS: where it is collected, the first being its home region
	                         (global types are listed there only); Azure: none */
	size_t nregions;
	hg_fleet_creds creds;
	hg_fleet_stack *stacks; /* stacks (AWS) or deployments (Azure) */
	size_t nstacks;
	const char **groups; /* Azure: resource groups to collect (NULL: every group) */
	size_t ngroups;
	const char **types;  /* AWS: the types listed for unmanaged resources, sorted: the
	                        manifest's `types`, where "default" (and no `types`) is the
	                        types of the profile's rules and mandatory templates */
	size_t ntypes;
	hg_span span;
} hg_fleet_target;

/* How an AWS type is listed (schemas/fleet/aws-listings.json). */
typedef struct hg_fleet_via {
	const char *type; /* an AWS type */
	const char *via;  /* the collector's method: "s3-list-buckets" (else cloudcontrol) */
} hg_fleet_via;

typedef struct hg_fleet {
	hg_arena *a;
	const char *file; /* the manifest's path, as given */
	const char *name; /* the fleet's name, or NULL */
	hg_fleet_target *targets; /* AWS accounts, then Azure subscriptions, as written */
	size_t ntargets;
	const char **global; /* types of global services ("AWS::IAM::*"): listed in home regions */
	size_t nglobal;
	hg_fleet_via *via;   /* types listed otherwise than with cloudcontrol list-resources */
	size_t nvia;
} hg_fleet;

/* Where the profiles are looked up (the template search path). */
typedef struct hg_fleet_options {
	const char *const *template_dirs;
	size_t ntemplate_dirs;
	const char *bundled_dir;
	const char *schema_dir; /* schemas/ (fleet/aws-listings.json) */
} hg_fleet_options;

/*
 * Read the manifest at path into *out (new; free with hg_fleet_free).
 * Returns 0; HG_EINVALID with diagnostics (file:line:col) in d when it is
 * not a valid fleet (every problem is reported, not just the first);
 * HG_EIO when it cannot be read.
 */
int hg_fleet_read(hg_fleet **out, const char *path, const hg_fleet_options *o, hg_diags *d);
/* The same from text (len bytes) read from path. */
int hg_fleet_parse(hg_fleet **out, const char *path, const char *text, size_t len,
        const hg_fleet_options *o, hg_diags *d);
void hg_fleet_free(hg_fleet *f);

/* One work unit: one AWS account in one region, or one Azure subscription. */
typedef struct hg_fleet_unit {
	const hg_fleet_target *target; /* borrowed from the fleet */
	const char *region;            /* AWS: the region; Azure: "" */
	const char *key;               /* the shard key (common/shard.h) */
	const char *dir;               /* where the collector writes it, under the state root:
	                                  ACCOUNT/REGION or SUBSCRIPTION */
	bool home;                     /* AWS: the account's home region (global types) */
	const hg_fleet_stack **stacks; /* the stacks or deployments in this unit */
	size_t nstacks;
	const char **types;            /* AWS: the types to list here (global ones at home only) */
	size_t ntypes;
	unsigned shard;                /* 0-based, of the plan's count */
} hg_fleet_unit;

typedef struct hg_fleet_plan {
	hg_fleet_unit *units; /* the shard's units, by key */
	size_t n;
	size_t total;         /* units of the whole fleet */
	hg_shard shard;       /* count 0: not sharded */
	const char **templates; /* the distinct --template arguments (PATH=STACK), sorted */
	size_t ntemplates;
	hg_arena *a;
} hg_fleet_plan;

/* Is type one of a global service's (listed once per account, in its home region)? */
bool hg_fleet_global(const hg_fleet *f, const char *type);
/* How type is listed: "s3-list-buckets", or "cloudcontrol". */
const char *hg_fleet_via_of(const hg_fleet *f, const char *type);

/*
 * The work units of fleet f in shard s (count 0: all), by key (new; free
 * with hg_fleet_plan_free; it borrows from f, which must outlive it).
 */
hg_fleet_plan *hg_fleet_plan_new(const hg_fleet *f, const hg_shard *s);
void hg_fleet_plan_free(hg_fleet_plan *p);

const char *hg_cloud_name(hg_cloud c); /* "aws", "azure" */

#ifdef __cplusplus
}
#endif
#endif
