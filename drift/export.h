/*
 * export.h: reading the deployed state the clouds' CLIs print, streaming.
 * Part of hinagata; see LICENSE.
 *
 * The input is the raw JSON of one CLI call; its shape is detected from
 * its first key. Large listings are read one record at a time: the reader
 * finds each element of the listing's array with a byte scanner and hands
 * only that element to jansson, so memory stays bounded by the largest
 * record, not by the file.
 */
#ifndef HG_EXPORT_H
#define HG_EXPORT_H

#include <jansson.h>
#include <stdint.h>

#include "../common/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ORDER SHAPE: the CLI outputs hinagata reads. */
typedef enum hg_export_shape {
	HG_EXP_UNKNOWN,
	HG_EXP_CC_LIST,         /* aws cloudcontrol list-resources */
	HG_EXP_CC_GET,          /* aws cloudcontrol get-resource */
	HG_EXP_STACK_RESOURCES, /* aws cloudformation describe-stack-resources */
	HG_EXP_STACKS,          /* aws cloudformation describe-stacks */
	HG_EXP_AZ_LIST,         /* az resource list */
	HG_EXP_AZ_SHOW,         /* az resource show */
	HG_EXP_AZ_DEPLOYMENT,   /* az deployment group|sub show */
	HG_EXP_AZ_VALUE,        /* az listings printed as {"value": [...]} */
	HG_EXP_COLLECT,         /* a collector's manifest: what it listed (hinagata-collect.json) */
	HG_EXP_CFN_TEMPLATE,    /* aws cloudformation get-template: a stack's deployed template */
	HG_EXP_ARM_TEMPLATE,    /* az deployment group|sub export: a deployment's template */
} hg_export_shape;

/* The "format" of a collector's manifest. */
#define HG_COLLECT_FORMAT "hinagata-collect/1"

/* The CLI command that prints a shape ("aws cloudcontrol list-resources"). */
const char *hg_export_shape_command(hg_export_shape s);

/* ORDER STACK_RES_FIELDS: the members of a describe-stack-resources record found for its reader. */
enum {
	HG_SR_STACK_NAME,
	HG_SR_STACK_ID,
	HG_SR_LOGICAL_ID,
	HG_SR_PHYSICAL_ID,
	HG_SR_TYPE,
	HG_SR_STATUS,
	HG_SR_NFIELDS
};
extern const char *const hg_export_stack_res_fields[HG_SR_NFIELDS]; /* their names */

typedef struct hg_export_item {
	hg_export_shape shape;
	const char *type_name; /* CC shapes: the TypeName (borrowed) */
	const char *raw;       /* the record's JSON text (borrowed, valid during the call); NULL:
	                          the end of a listing of type_name */
	size_t len;
	uint64_t offset;       /* byte offset of the record in the file */
	hg_span span;          /* where the record starts in the file */
	/* A describe-stack-resources record the reader checked as JSON (as
	 * hg_jv_check_record does), its members' value texts found (NULL: not
	 * there); false: the callback checks it (the reader only found its end). */
	bool checked;
	const char *field[HG_SR_NFIELDS];
	size_t flen[HG_SR_NFIELDS];
	/* A record whose top-level member "Properties" (key written without
	 * escapes) has a string value: that value's text, quotes included, at
	 * raw + props_at (props_len bytes); props_len 0: not noted. */
	size_t props_at, props_len;
} hg_export_item;

/*
 * Called once per record; a negative return stops the read with that code.
 * A cloudcontrol listing read whole ends with one more call, without a
 * record (raw NULL, len 0), naming the type it listed (type_name): an
 * empty listing says that none of the type is there.
 */
typedef int (*hg_export_cb)(const hg_export_item *item, void *payload);

typedef struct hg_export_limits {
	size_t max_record;  /* bytes of one record (default 64 MiB) */
	unsigned max_depth; /* nesting (default 512) */
} hg_export_limits;

#define HG_EXPORT_LIMITS_INIT {64u << 20, 512}

/*
 * Stream the records of the export at path to cb. file is the display name
 * (registered in d by the caller or not). Returns 0; HG_EIO with errno set
 * if the file cannot be read; HG_EINVALID after a diagnostic in d when it
 * is malformed, truncated, too deep or of no known shape; or cb's negative
 * return. *shape_out (may be NULL) gets the shape detected.
 */
int hg_export_read(const char *path, const char *file, hg_export_cb cb, void *payload,
        hg_diags *d, const hg_export_limits *limits, hg_export_shape *shape_out);

/* The same, from memory (for tests and fuzzing). */
int hg_export_read_mem(const char *data, size_t len, const char *file, hg_export_cb cb,
        void *payload, hg_diags *d, const hg_export_limits *limits, hg_export_shape *shape_out);

#ifdef __cplusplus
}
#endif
#endif
