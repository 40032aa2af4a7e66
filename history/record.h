/*
 * record.h: a recording in memory, as lifecycle.c writes it (semi-private
 * to history/; the public interface is history.h).
 * Part of hinagata; see LICENSE.
 *
 * A recorder gathers everything one run says before the store is touched:
 * a drift run may take minutes, and the store's one writer lock is held
 * only for the short transaction that writes the result. Identities are
 * XXH3-64 hashes: a finding's key (source, account, region, type,
 * resource, control, aspect) and a place (account, region, resource).
 */
#ifndef HG_HISTORY_RECORD_H
#define HG_HISTORY_RECORD_H

#include "history.h"

/* A set or map of 64-bit hashes (open addressing; value: an index). */
typedef struct hg_hmap {
	uint64_t *keys; /* 0: empty slot (a hash of 0 is stored as 1) */
	size_t *vals;
	size_t cap, n;
} hg_hmap;

void hg_hmap_put(hg_hmap *m, uint64_t key, size_t val);
/* The value of key, or SIZE_MAX. */
size_t hg_hmap_get(const hg_hmap *m, uint64_t key);
void hg_hmap_dispose(hg_hmap *m);

/* XXH3-64 of the strings (NULL as ""), each followed by a 0 byte. */
uint64_t hg_hash_fields(const char *const *f, size_t n);

typedef struct hg_robs {
	hg_observation o; /* strings in the recorder's arena */
	uint64_t key;
	char hex[17];
} hg_robs;

typedef struct hg_rchecked {
	const char **except; /* aspects (property paths) not compared */
	size_t nexcept;
} hg_rchecked;

typedef struct hg_reval {
	const char *account, *control, *severity;
	bool unknown;
} hg_reval;

typedef struct hg_runit {
	const char *account, *region, *unit;
	size_t resources, checked;
	const char *deployed_hash, *template_hash; /* the deployed template's, or NULL */
} hg_runit;

typedef struct hg_rtemplate {
	const char *account, *name, *version, *newest;
	bool mandatory;
} hg_rtemplate;

struct hg_recorder {
	hg_arena *a;
	hg_hsource source;
	const char *date, *ref, *label, *input_key;
	hg_robs *obs;
	size_t nobs, capobs;
	hg_hmap obs_index;     /* key -> obs */
	hg_rchecked *checked;
	size_t nchecked, capchecked;
	hg_hmap checked_index; /* place -> checked */
	const char **accounts; /* of the places checked */
	size_t naccounts, capaccounts;
	hg_hmap account_index;
	hg_drift_cover *cover; /* what a drift run's listings covered, or NULL */
	hg_reval *evals;
	size_t nevals, capevals;
	hg_hmap eval_index;    /* (account, control) -> evals */
	hg_runit *units;
	size_t nunits, capunits;
	hg_hmap unit_index;
	hg_rtemplate *templates;
	size_t ntemplates, captemplates;
	hg_hmap template_index;
	/* totals of a drift run */
	size_t resources, checked_resources, properties, properties_checked;
	size_t counts[HG_DS__COUNT];
	/* the rule data: which controls rule a type, their severities, newest templates */
	hg_arena *ra;
	hg_diags rd;
	struct hg_registry *reg;
	const struct hg_template *aws, *azure, *catalog;
	hg_hmap type_index; /* type -> types */
	struct hg_rtype {
		const char **controls;
		size_t n;
	} *types;
	size_t ntypes, captypes;
	bool drift_ended;
	/* where the rule data came from (copies): recorders of the same kind made later */
	const char **template_dirs;
	size_t ntemplate_dirs;
	const char *bundled_dir, *schema_dir;
};

/* The JSON of text[0..len) (new), or NULL after HG7001 with its position. */
struct json_t;
struct json_t *hg_import__parse(const char *file, const char *text, size_t len, hg_diags *d);

/* A drift report's shard (I of N; N 0 when it is no shard's), or HG_EINVALID after HG7107. */
int hg_import__shard(const char *file, const char *text, size_t len, struct json_t *doc,
        unsigned *index, unsigned *count, hg_diags *d);

/*
 * A drift report (hinagata drift --format json, parsed: doc) into r: its
 * results for which keep says true (keep NULL: all), its listings, its ref.
 * text[0..len) is the file's text, for positions. Returns 0, or HG_EINVALID
 * after HG7107 (a result without its identity) with nothing added. With r
 * NULL, only checks that every result has its identity.
 */
typedef bool (*hg_import_keep)(const struct json_t *result, void *payload);
int hg_import__drift(hg_recorder *r, const char *file, const char *text, size_t len,
        struct json_t *doc, hg_import_keep keep, void *payload, hg_diags *d);

/*
 * A recording written inside the write transaction the caller holds (no
 * waiting night is recorded first, no commit). Returns as hg_recorder_commit.
 */
int hg_history__record_in(hg_recorder *r, hg_history *h, hg_record_result *res, hg_diags *d);

/*
 * shards.c: the nights of a fleet's shards still waiting in h, dated before
 * date, recorded with the shards that arrived (warning HG7113 each), inside
 * the caller's write transaction; rules: the rule data for their recorders.
 */
int hg_history__shards_before(hg_history *h, const hg_record_options *rules, const char *date,
        hg_diags *d);

/* One drift result recorded (what the drift sink does for each; import.c too). */
void hg_record__drift_result(hg_recorder *r, const hg_drift_result *x);

/* The place of a resource: account, region, resource. */
uint64_t hg_record_place(const char *account, const char *region, const char *resource);

#endif
