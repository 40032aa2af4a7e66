/*
 * template_int.h: what the readers of the template language share
 * (template.c: the document, parameters, uses, resources, outputs;
 * template_rules.c: profiles' rules, requirements' catalog and controls).
 * Not a public interface: the public one is template.h.
 * Part of hinagata; see LICENSE.
 *
 * Ownership: a struct reader lives for one hg_template_parse call; what
 * the readers build is in its arena.
 */
#ifndef HG_TEMPLATE_INT_H
#define HG_TEMPLATE_INT_H

#include "template.h"

struct reader {
	hg_arena *a;
	hg_diags *d;
	hg_template *t;
	bool failed;
	bool literal; /* strings are plain text: no ${...} (parameter files) */
};

/* template.c: shape checks and values (each reports and marks the reader failed) */
void tp_check_keys(
        struct reader *r, const hg_node *map, const char *const *allowed, const char *what);
bool tp_expect_bool(struct reader *r, const hg_node *n, const char *what, bool *out);
bool tp_expect_map(struct reader *r, const hg_node *n, const char *what);
bool tp_expect_seq(struct reader *r, const hg_node *n, const char *what);
bool tp_expect_string(struct reader *r, const hg_node *n, const char *what);
void tp_fail(struct reader *r);
void tp_read_text(struct reader *r, const hg_node *n, hg_text *out, const char *what);
hg_value *tp_read_value(struct reader *r, const hg_node *n);
const char *tp_str_of(const hg_node *n);
const char *tp_read_choice(struct reader *r, const hg_node *n, const char *what,
        const char *const *allowed, const char *list, hg_diag_code code);
bool tp_valid_control_id(const char *s);

/* template_rules.c */
void tp_read_catalog(struct reader *r, const hg_node *n);
void tp_read_controls(struct reader *r, const hg_node *n);
void tp_read_rules(struct reader *r, const hg_node *n);

#endif
