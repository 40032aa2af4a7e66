/*
 * readback.h: the records of the deployed state read back when their
 * resources are compared (the model keeps where they are, not their JSON).
 * Part of hinagata; see LICENSE.
 *
 * A record is read again from its file, checked against the hash of its
 * bytes when it was first read (a file that changed in between is an
 * error, never a silent mix of two versions), and parsed: for AWS the
 * Properties string of a cloudcontrol record decoded and parsed, for Azure
 * the whole record. The records of a work item are read ahead in file
 * order, those close together in one read.
 */
#ifndef HG_DRIFT_READBACK_H
#define HG_DRIFT_READBACK_H

#include "jv.h"
#include "model.h"

/* Open files of units, a few at a time (not shared between threads). */
typedef struct hg_fdcache {
	struct {
		const hg_unit *u;
		uint32_t file;
		int fd;
		unsigned long used;
	} slot[8];
	unsigned long tick;
	/* records read ahead (hg_state_prefetch): their bytes in buf (malloc'd) */
	const hg_unit *pu;
	struct hg_prefetched {
		uint32_t rec;
		uint32_t at; /* offset in buf */
	} *pre;
	size_t npre, cappre;
	char *buf;
	size_t bufcap;
} hg_fdcache;

void hg_fdcache_init(hg_fdcache *c);
void hg_fdcache_dispose(hg_fdcache *c);

/*
 * Read the records recs[0..n) of u ahead, in file order, records that lie
 * close together in one read (at most a few MiB in all; the rest is read
 * one by one when asked for). A read that fails leaves its records to be
 * read (and their error reported) when they are asked for. The bytes are
 * checked against each record's hash when it is used, as always.
 */
void hg_state_prefetch(hg_fdcache *c, const hg_unit *u, const int *recs, size_t n);

/*
 * The record r of u read back and parsed into a: for AWS its properties
 * (the Properties string decoded), for Azure the whole record. NULL after
 * a diagnostic in d (*rc: HG_EIO if the file cannot be read, HG_EINVALID
 * if the record is malformed).
 */
hg_jv *hg_state_record(hg_unit *u, const hg_rec *r, hg_arena *a, hg_fdcache *fc, hg_diags *d,
        int *rc);
/* The same with only the properties (AWS) or members (Azure) named in keys built. */
hg_jv *hg_state_record_select(hg_unit *u, const hg_rec *r, hg_arena *a, hg_fdcache *fc,
        hg_diags *d, int *rc, const char *const *keys, size_t nkeys);

#endif
