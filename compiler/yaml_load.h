/*
 * yaml_load.h: YAML text to a tree of nodes that keep their positions.
 * Part of hinagata; see LICENSE.
 *
 * The only module that includes libyaml. Nodes live in the caller's arena.
 * Scalars are kept as written (text plus quoting style); typing follows the
 * YAML 1.2 core schema and happens on demand (hg_node_scalar_type), because
 * the same text is typed differently by different consumers.
 */
#ifndef HG_YAML_LOAD_H
#define HG_YAML_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hg_node_kind { HG_NODE_SCALAR, HG_NODE_SEQ, HG_NODE_MAP } hg_node_kind;

typedef enum hg_scalar_style {
	HG_STYLE_PLAIN,
	HG_STYLE_SINGLE,
	HG_STYLE_DOUBLE,
	HG_STYLE_LITERAL,
	HG_STYLE_FOLDED,
} hg_scalar_style;

typedef struct hg_node hg_node;

typedef struct hg_pair {
	hg_node *key; /* always a scalar */
	hg_node *value;
} hg_pair;

struct hg_node {
	hg_node_kind kind;
	hg_span span;
	const char *tag; /* NULL, or the tag as resolved by libyaml ("!Ref") */
	uint64_t size;   /* nodes in the subtree, aliases expanded (saturating) */
	union {
		struct {
			const char *str; /* NUL-terminated; may contain NUL (len) */
			size_t len;
			hg_scalar_style style;
		} scalar;
		struct {
			hg_node **items;
			size_t n;
		} seq;
		struct {
			hg_pair *pairs;
			size_t n;
		} map;
	} u;
};

typedef enum hg_scalar_type {
	HG_SCALAR_NULL,
	HG_SCALAR_BOOL,
	HG_SCALAR_INT,
	HG_SCALAR_FLOAT,
	HG_SCALAR_STRING,
} hg_scalar_type;

typedef struct hg_scalar_value {
	hg_scalar_type type;
	bool b;
	int64_t i;
	double f;
} hg_scalar_value;

typedef struct hg_yaml_options {
	unsigned max_depth; /* deepest nesting accepted (default 200) */
	uint64_t max_nodes; /* nodes after alias expansion (default 1,000,000) */
} hg_yaml_options;

#define HG_YAML_OPTIONS_INIT                                                                       \
	{                                                                                          \
		200, 1000000                                                                       \
	}

/*
 * Parse text (len bytes, UTF-8) into *out, allocated in arena a. file is the
 * name used in spans; it must be registered in d (hg_diags_source) by the
 * caller. Returns 0, or HG_EINVALID after adding diagnostics (then *out is
 * NULL). Only the first document is read; a second one is an error.
 */
int hg_yaml_load(hg_node **out, hg_arena *a, hg_diags *d, const char *file, const char *text,
        size_t len, const hg_yaml_options *opts);

/* The YAML 1.2 core-schema type of a scalar; quoted scalars are strings. */
hg_scalar_value hg_node_scalar(const hg_node *n);

/* The value of key in a mapping (NULL if absent or n is not a mapping). */
hg_node *hg_node_get(const hg_node *map, const char *key);

/* The pair of key in a mapping (NULL if absent). */
const hg_pair *hg_node_pair(const hg_node *map, const char *key);

/* True if n is a scalar with exactly the text s. */
bool hg_node_is(const hg_node *n, const char *s);

/* The node's kind and type as a bilingual diagnostic argument (HG_BI). */
const char *hg_node_kind_name(const hg_node *n);

/*
 * HG0101 (with a "did you mean" note) for every key of map not in allowed
 * (NULL-terminated); what names the mapping. False if there was one.
 */
bool hg_node_check_keys(
        const hg_node *map, const char *const *allowed, const char *what, hg_diags *d);

/* HG0103 unless n is a mapping, a list or a scalar (kind); what names the value. */
bool hg_node_expect(const hg_node *n, hg_node_kind kind, const char *what, hg_diags *d);

#ifdef __cplusplus
}
#endif
#endif
