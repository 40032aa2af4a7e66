/*
 * schema_int.h: what the two halves of the schema store share (schema.c:
 * the store, the value checker and CloudFormation; schema_arm.c: the ARM
 * schema packs and the check of ARM resources). Not a public interface:
 * the public one is schema.h.
 * Part of hinagata; see LICENSE.
 *
 * Ownership: an hg_schemas owns everything it points to; a struct check
 * lives on its caller's stack and borrows all of its pointers.
 */
#ifndef HG_SCHEMA_INT_H
#define HG_SCHEMA_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "schema.h"

struct cached {
	char *type;
	json_t *schema; /* owned; NULL if it could not be read */
};

/*
 * One provider namespace's pack of ARM schemas (schemas/azure/<p>.jsonl,
 * written by scripts/gen-azure-schemas.py): line 0 is the header (the line
 * of each type's versions), every other line a JSON value: a type's
 * versions [[version, body line, scopes], ...] or a schema node, whose
 * {"$ref": N} is line N. The file is read whole when a template first uses
 * the provider, but only the header and the lines a check reaches are
 * parsed (Microsoft.Network has 3,000 lines; a virtual network needs ~40).
 */
struct azpack {
	char *file;       /* file name from the index (owned) */
	hg_buf text;      /* the whole file */
	size_t *lines;    /* offset of each line (owned) */
	size_t nlines;    /* lines, header included */
	json_t *header;   /* owned; NULL if the file could not be read */
	json_t **nodes;   /* line N parsed on first use (owned, nlines slots) */
};

struct hg_schemas {
	char *dir;
	json_t *index;   /* aws/index.json (owned) */
	json_t *azindex; /* azure/index.json (owned), or NULL */
	struct cached *cache;
	size_t ncache, capcache;
	struct azpack **packs; /* providers read so far (owned; stable addresses) */
	size_t npacks, cappacks;
};

struct check {
	hg_schemas *s;
	hg_diags *d;
	hg_arena *a;
	const char *type;
	json_t *root; /* the resource schema (for $ref) */
	bool failed;
	bool quiet; /* trying a oneOf branch: count, do not report */
	unsigned errors;
	const hg_span *res_span; /* the resource's name: where a missing property is reported */
	struct azpack *pack;     /* Azure: $ref N is node N of this pack */
	bool opaque_any;         /* hand-written ARM: a "[...]" expression fits any type */
	hg_diag *lenient;        /* checked against another version: unknown properties are
	                          * notes of this warning, not errors */
	json_t *entries;         /* Azure: the type's versions, for "from version X on" */
	const char *version;     /* the version written */
	bool io;                 /* a node of the pack could not be read */
};

/* A JSON file, read whole then parsed (new), or NULL. */
json_t *hg_schema_load_json(const char *path);

/* Check v against the schema node sch (CloudFormation or ARM), reporting at path. */
void hg_schema_check_value(struct check *c, const hg_value *v, json_t *sch, const char *path);

/* Line n of pack p (borrowed), parsed on first use; NULL and *io if broken. */
json_t *hg_schema_pack_node(struct azpack *p, json_int_t n, bool *io);

/*
 * One ARM resource against the packs: its type and API version (HG3001,
 * HG3016, HG3018, HG3019) and its properties. raw: hand-written ARM (an
 * expression fits any type). <0 when it failed; *io when a pack cannot be
 * read.
 */
int hg_schema_check_azure(hg_schemas *s, const hg_ir *ir, const hg_ir_resource *r, hg_diags *d,
        bool *io, bool raw);

#endif
