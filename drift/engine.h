/*
 * engine.h: the state of one drift run, shared by the engine's files
 * (engine.c: exports and matching; desired.c: templates, resolution and
 * comparison; cache.c: verdicts of earlier runs). Not a public interface.
 * Part of hinagata; see LICENSE.
 *
 * Ownership: the engine owns everything here; e->a holds what lives for
 * the run (stacks, records), e->tmp is reset for every record, and result
 * strings go to the report's arena.
 */
#ifndef HG_ENGINE_H
#define HG_ENGINE_H

#include <jansson.h>
#include <stdint.h>

#include "../compiler/config.h"
#include "canon.h"
#include "export.h"
#include "drift.h"
#include "ignore.h"

struct stack;

struct stack_res {
	const char *logical, *type, *physical;
	struct stack *stack;
	int rec; /* index into recs, or -1 when no export has it */
};

struct stack {
	const char *name, *id, *account, *region, *partition;
	json_t *params;     /* name -> deployed value */
	size_t index;       /* in engine.stacks */
	struct stack_res *res; /* malloc'd */
	size_t nres, capres;
	bool have_params, have_resources, used;
};

struct rec { /* a deployed record, by place in its file */
	unsigned file;
	uint64_t offset;
	size_t len;
	uint64_t rawhash;
	bool get; /* from get-resource (complete), not a listing */
	uint32_t line, col; /* where it starts, for errors */
};

struct slot {
	uint64_t key;
	struct stack_res *sr;
};

struct engine {
	const hg_drift_options *o;
	hg_diags *d;
	hg_arena *a, *tmp;
	hg_canon *canon;
	hg_ignore *ignore;
	hg_drift_report *rep;
	hg_arena *scratch; /* one resource's result strings until it is kept */
	hg_arena *work;    /* one resource's comparison (records, canonical forms) */
	size_t dropped;    /* in-sync resources counted but not kept (!keep_in_sync) */
	struct stack *stacks;
	size_t nstacks, capstacks;
	struct rec *recs;
	size_t nrecs, caprecs;
	struct slot *slots; /* (type, physical ID) -> stack resource */
	size_t nslots, capslots;
	struct slot *lslots; /* (stack, logical ID) -> stack resource */
	size_t nl, capl;
	size_t last_stack;
	json_t *listed;   /* types some cloudcontrol listing covered */
	json_t *severity; /* control ID -> severity */
	json_t *cache, *cache_new;   /* resource verdicts (key -> hash) of earlier runs / of this run */
	json_t *tcache, *tcache_new; /* template verdicts (template hash -> stack, key, results) */
	bool cache_read;             /* the cache file was there and of this version */
	int *fds;
	unsigned cur_index;
	const char *cur_file;
	const char *account_region, *account, *region; /* of the stacks, for unmanaged resources */
	char *gitdir; /* templates exported from git, compiled from here */
	hg_config gitconfig; /* the .hinagata.yaml of that revision */
	/* Azure (azure.c) */
	json_t *az_index;       /* lower-case resource ID -> {rec, used} */
	json_t *az_deps;        /* deployments: {name, subscription, resourceGroup, parameters, used} */
	json_t *az_rg_location; /* lower-case resource group ID -> location (az group show) */
	json_t *az_scopes;      /* lower-case resource group IDs some export lists */
	const char *az_sub, *az_rg; /* the first scope seen, for templates without a deployment */
	const char **files; /* display names of the exports */
	int failed;         /* a record was malformed: the run fails (HG_EINVALID) */
};

hg_drift_result *hg_engine_result(struct engine *e);
/* The resource of a stack by logical ID, or NULL. */
struct stack_res *hg_engine_stack_res(struct engine *e, const struct stack *s, const char *logical);
/* The properties of a record, parsed into a (NULL when it cannot be read). */
const hg_jv *hg_engine_record(struct engine *e, int rec, hg_arena *a);
/* Compare one template (a path, in the repository at the ref or a file). */
int hg_engine_template(struct engine *e, const char *path);
void hg_engine_dispose(struct engine *e);

/* A record parsed (a), with the tree of its Properties string in *props; NULL after an error. */
hg_jv *hg_engine_parse(struct engine *e, hg_arena *a, const hg_export_item *it, hg_jv **props);
/* A record read back from its file and parsed whole (az records), or NULL. */
const hg_jv *hg_engine_record_whole(struct engine *e, int rec, hg_arena *a);
/* An az resource list/show or deployment record (phase 2). */
int hg_engine_az_record(struct engine *e, const hg_export_item *it);
/* Compare an ARM template (doc) with the az records. */
int hg_engine_arm(struct engine *e, json_t *doc, const char *display);
/* az records no template claimed become UNMANAGED. */
void hg_engine_az_unmanaged(struct engine *e);

void hg_cache_load(struct engine *e);
void hg_cache_save(struct engine *e);

#endif
