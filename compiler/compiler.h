/*
 * compiler.h: the public interface of the hinagata compiler library.
 * Part of hinagata; see LICENSE.
 *
 * The pipeline, one module per stage: yaml_load (YAML -> nodes with
 * positions), template (nodes -> checked template model, expressions
 * parsed), registry (the template search path), resolve (parameters,
 * names, uses, overrides, locks, profiles -> IR), schema (resource types
 * and properties against schemas/), lower (conditions, references), and
 * the back ends (emit_cfn; emit_arm). Only this header is meant for the
 * CLI and other programs.
 */
#ifndef HG_COMPILER_H
#define HG_COMPILER_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hg_compile_options {
	unsigned version;
	const char *const *template_dirs; /* search path, in order */
	size_t ntemplate_dirs;
	const char *const *exclude; /* paths under each template dir not searched */
	size_t nexclude;            /* (hg_path_excluded) */
	const char *bundled_dir;    /* the bundled templates/, searched last and shown
	                               as "<hinagata>/templates" in messages */
	const char *schema_dir;     /* schemas/ (with aws/ and azure/) */
	const char *const *params;  /* "NAME=VALUE" for the root templates */
	size_t nparams;
	const char *params_file; /* YAML or JSON mapping NAME: VALUE, or NULL */
	bool skip_rules; /* leave the profile's control rules out (drift judges them itself) */
	const char *const *pins; /* "NAME=VERSION": every use of template NAME takes exactly that
	                            version, whatever its range says (the impact of an update) */
	size_t npins;
} hg_compile_options;

#define HG_COMPILE_OPTIONS_VERSION 1
#define HG_COMPILE_OPTIONS_INIT                                                                    \
	{                                                                                          \
		HG_COMPILE_OPTIONS_VERSION, NULL, 0, NULL, 0, NULL, NULL, NULL, 0, NULL, false,    \
		        NULL, 0                                                                    \
	}

typedef struct hg_output {
	char *input;         /* the input path (new) */
	char *template_name; /* "gc/aws/audit-trail", or NULL if unknown (new) */
	char *template_version; /* "1.0.0", or NULL if unknown (new) */
	char *json;          /* the compiled document, or NULL on errors (new) */
	size_t len;
	bool is_azure; /* ARM rather than CloudFormation */
	bool ok;       /* compiled without errors */
} hg_output;

/*
 * Compile every input file. *outs receives n outputs, one per input, in
 * input order (new; free with hg_outputs_free). Diagnostics of all inputs
 * go to d. Inputs can use each other. Returns 0 when every input compiled,
 * HG_EINVALID when some had errors in the input, HG_EIO when one could not
 * be read or the schemas are missing.
 */
int hg_compile(hg_output **outs, const char *const *inputs, size_t n,
        const hg_compile_options *opts, hg_diags *d);
void hg_outputs_free(hg_output *outs, size_t n);

/* One control of the catalog, as `hinagata controls` lists it (all new). */
typedef struct hg_control_row {
	char *id, *title_en, *title_ja;
	char *category, *severity, *profile;
	bool mandatory;
	char *outside_en, *outside_ja; /* NULL when templates implement it */
	char **impl;                   /* "template resource property" */
	size_t nimpl;
} hg_control_row;

/*
 * Read the control catalog from the search path of opts (the bundled one
 * unless a --templates directory has its own). *rows gets the controls in
 * catalog order (new; free with hg_control_rows_free). Returns 0, or
 * HG_ENOTFOUND / HG_EINVALID with diagnostics in d.
 */
int hg_catalog_list(hg_control_row **rows, size_t *n, const hg_compile_options *opts, hg_diags *d);
void hg_control_rows_free(hg_control_row *rows, size_t n);

/*
 * Check a hand-written CloudFormation template (JSON or YAML, short-form
 * tags too) or ARM template at path against the control rules of the
 * gc-aws or gc-azure profile on the search path of opts. *recognized says
 * whether the file was such a template (other files are ignored). A
 * violation is HG3100; a resource can suppress one in its metadata,
 * `hinagata: { suppress: [ { control: ID, reason: TEXT } ] }`, which turns
 * it into warning HG8004, unless the control is mandatory (HG8003) or the
 * reason is missing (HG8002). Returns 0, HG_EINVALID or HG_EIO.
 */
int hg_check_template(
        const char *path, const hg_compile_options *opts, hg_diags *d, bool *recognized);
/* The same for text already read (path names it in messages). */
int hg_check_template_text(const char *path, const char *text, size_t len,
        const hg_compile_options *opts, hg_diags *d, bool *recognized);

/*
 * A checker of hand-written templates that reads the profiles, the catalog
 * and the schemas once for many files (new; free with hg_checker_free).
 * opts is copied; the strings it points to are borrowed and must outlive the
 * checker. The diagnostics of reading the profiles go to the d of the first
 * check, which must outlive the checker.
 */
typedef struct hg_checker hg_checker;
hg_checker *hg_checker_new(const hg_compile_options *opts);
void hg_checker_free(hg_checker *ck);
/* hg_check_template_text with the checker's profiles and schemas. */
int hg_checker_check(hg_checker *ck, const char *path, const char *text, size_t len,
        hg_diags *d, bool *recognized);
/* hg_check_template with the checker's profiles and schemas. */
int hg_checker_check_file(hg_checker *ck, const char *path, hg_diags *d, bool *recognized);

/* A template of the search path (all new; free with hg_templates_free). */
typedef struct hg_template_info {
	char *name;    /* "gc/aws/threat-detection" */
	char *version; /* "1.1.0" */
	char *path;    /* the file, as found on the search path */
	char *shown;   /* the file as messages show it ("<hinagata>/templates/...") */
	bool mandatory;
	bool azure;
	char *changes_en, *changes_ja; /* what this version changed (`changes:`), or NULL */
} hg_template_info;

/*
 * Every template (not profiles or the catalog) on the search path of opts,
 * by name, then version (lowest first). A name+version found in an earlier
 * directory shadows later ones, as for compiling. Returns 0 (files that are
 * not templates are passed over, as the registry does).
 */
int hg_templates_list(hg_template_info **out, size_t *n, const hg_compile_options *opts, hg_diags *d);
void hg_templates_free(hg_template_info *t, size_t n);

/* Compare two semantic versions (MAJOR.MINOR.PATCH[-pre]): <0, 0, >0; text order if either is not one. */
int hg_version_cmp(const char *a, const char *b);

/* The compiler's version string. */
const char *hg_compiler_version(void);

#ifdef __cplusplus
}
#endif
#endif
