/*
 * desired.h: the desired state's templates: read from files or from a git
 * revision, hinagata sources compiled, and described for matching.
 * Part of hinagata; see LICENSE.
 *
 * Templates are read twice: once before matching (hg_desired_load: what
 * kind of template, its name, its logical IDs, its hash), and again by the
 * work item that resolves it (hg_desired_open), so that only the templates
 * being compared are in memory, not all of them. A hinagata source is
 * compiled once; its output is kept (sources are small), as is a file
 * read from git (reading it again would open the repository again).
 */
#ifndef HG_DRIFT_DESIRED_H
#define HG_DRIFT_DESIRED_H

#include <pthread.h>

#include "../compiler/config.h"
#include "model.h"

typedef struct hg_tmpl {
	const char *path;    /* as given, without "=STACK" */
	const char *named;   /* the stack named with PATH=STACK, or NULL */
	const char *display; /* for messages: the path, or "path@ref" */
	bool arm;            /* an ARM template (else CloudFormation) */
	uint64_t hash;       /* XXH3 of its JSON text */
	const char *name;    /* Metadata.hinagata's template name, or NULL */
	const char **logical; /* CloudFormation: its logical IDs, sorted */
	size_t nlogical;
	const char **params; /* ARM: its parameter names */
	size_t nparams;
	const char *kept;    /* the JSON text when it cannot be read again cheaply, or NULL */
	size_t keptlen;
	const char **violations; /* "LOGICAL\tCONTROL" the profile's rules find in it (judge.c) */
	size_t nviolations;
	int judged;          /* violations are known (set once, by the first item that parses it) */
	bool failed;         /* it could not be read (a diagnostic says why) */
	hg_arena *a;         /* owns everything above */
} hg_tmpl;

typedef struct hg_tmpls {
	hg_tmpl *t;
	size_t n;
	hg_arena *a;
	char *gitdir;         /* the revision's files, exported for compiling (removed at free) */
	hg_config gitconfig;  /* that revision's .hinagata.yaml */
	pthread_mutex_t lock; /* compiling and git, one at a time */
} hg_tmpls;

/* What the caller adds to the description of each template. */
typedef struct hg_desired_hooks {
	/* Describe t (t->hash set) from what an earlier run found: true, or false to read it. */
	bool (*cached)(hg_tmpl *t, void *payload);
	/* The hash of a JSON template file's bytes without reading them: true, or false. */
	bool (*known)(const char *path, uint64_t *hash, void *payload);
	/* A JSON template file was read and hashed (size and hash of its bytes). */
	void (*noted)(const char *path, uint64_t size, uint64_t hash, void *payload);
	void *payload;
} hg_desired_hooks;

/*
 * The same in steps, for reading on several threads: init names the
 * templates of o; read reads and describes template i (thread-safe: each
 * template has its own arena; sources are compiled and git is read one at
 * a time), its errors in d; compact drops the templates that failed,
 * keeping the others' order.
 */
void hg_desired_init(hg_tmpls *ts, const hg_drift_options *o);
int hg_desired_read(hg_tmpls *ts, size_t i, const hg_drift_options *o,
        const hg_desired_hooks *hooks, hg_diags *d);
void hg_desired_compact(hg_tmpls *ts);

/*
 * Read and describe every template of o (in order); hooks may be NULL. A
 * template that does not compile, or is neither CloudFormation nor ARM, is
 * an error in d (the others are still read). Returns 0, HG_EINVALID or
 * HG_EIO.
 */
int hg_desired_load(hg_tmpls *ts, const hg_drift_options *o, const hg_desired_hooks *hooks,
        hg_diags *d);
void hg_desired_free(hg_tmpls *ts);

/*
 * The parsed template t (in a). Returns 0, or HG_EIO / HG_EINVALID after a
 * diagnostic in d (the file changed since it was loaded).
 */
int hg_desired_open(const hg_tmpl *t, hg_arena *a, hg_jv **doc, hg_diags *d);

#endif
