/*
 * cli.h: what the subcommands of the hinagata CLI share.
 * Part of hinagata; see LICENSE.
 *
 * The CLI is a thin client of the libraries: main.c dispatches through the
 * table below to one cmd_<name>.c per subcommand; only the CLI prints.
 */
#ifndef HG_CLI_H
#define HG_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "../common/diag.h"
#include "../common/lang.h"

typedef struct hg_cli {
	hg_lang lang;
	bool color; /* stderr is a terminal and NO_COLOR is unset */
	const char *prog;
} hg_cli;

typedef int (*hg_cmd_fn)(hg_cli *cli, int argc, char **argv);

typedef struct hg_cmd {
	const char *name;
	hg_cmd_fn fn;
	const char *desc_en, *desc_ja;
} hg_cmd;

int hg_cmd_check(hg_cli *cli, int argc, char **argv);
int hg_cmd_compile(hg_cli *cli, int argc, char **argv);
int hg_cmd_controls(hg_cli *cli, int argc, char **argv);
int hg_cmd_diff(hg_cli *cli, int argc, char **argv);
int hg_cmd_drift(hg_cli *cli, int argc, char **argv);
int hg_cmd_fleet(hg_cli *cli, int argc, char **argv);
int hg_cmd_hook(hg_cli *cli, int argc, char **argv);
int hg_cmd_update(hg_cli *cli, int argc, char **argv);
int hg_cmd_history(hg_cli *cli, int argc, char **argv);
int hg_cmd_report(hg_cli *cli, int argc, char **argv);

/*
 * The template search path of a command: the --templates directories,
 * then $HINAGATA_PATH (colon-separated), then the bundled templates/ (as
 * bundled_dir). Everything is owned by the struct.
 */
typedef struct hg_cli_paths {
	const char **dirs;
	size_t ndirs, capdirs;
	char *envpath;
	char *bundled;
	char *schemas;
} hg_cli_paths;

void hg_cli_paths_add(hg_cli_paths *p, const char *dir);
/* False (after a message, HG9001) when a --templates directory is not one. */
bool hg_cli_paths_check(hg_cli *cli, const hg_cli_paths *p);
/* Append $HINAGATA_PATH and find the bundled data. */
void hg_cli_paths_finish(hg_cli_paths *p);
void hg_cli_paths_dispose(hg_cli_paths *p);

/* The directory holding templates/ and schemas/ (bundled data). */
const char *hg_cli_datadir(void);

/* Print diagnostics to stderr in the CLI's language and colour. */
void hg_cli_print_diags(hg_cli *cli, hg_diags *d);

/* Print "hinagata: message" to stderr; the one "%s" of en/ja becomes arg. */
void hg_cli_say(hg_cli *cli, const char *en, const char *ja, const char *arg);

/* A usage error (the "%s" of en/ja becomes arg) and a pointer to --help; returns 2. */
int hg_cli_usage_error(
        hg_cli *cli, const char *cmd, const char *en, const char *ja, const char *arg);

/*
 * The shard of a run: --shard I/N (flag, or NULL), else the batch engine's
 * environment (common/shard.h). False after printing HG7201/HG7202.
 */
struct hg_shard;
bool hg_cli_shard(hg_cli *cli, struct hg_shard *out, const char *flag);

/*
 * The usage error of an option getopt_long did not accept (unknown, or
 * without its value), for command cmd; returns 2.
 */
int hg_cli_bad_option(hg_cli *cli, const char *cmd, int optopt_, char **argv, int optind_);

/*
 * Recording a run into the history store (cmd_history.c). The store is
 * --history TARGET, else the history: of .hinagata.yaml in the current
 * directory when it records for this command (drift by default); none with
 * --no-history. The run's date is --date, else today's local date (TZ).
 */
struct hg_config;
struct hg_recorder;
typedef struct hg_cli_history {
	char *target; /* NULL: the run is not recorded */
	char date[11];
	struct hg_history *store;
} hg_cli_history;

/*
 * Decide where cmd ("drift", "check") records and open the store (so that
 * a wrong file fails before the run). cfg: the settings read, or NULL to
 * read .hinagata.yaml here. False after a message (exit 2).
 */
bool hg_cli_history_setup(hg_cli *cli, hg_cli_history *hh, const char *cmd, const char *option,
        bool off, const char *date, const struct hg_config *cfg);
/* How long to wait for another writer of the store: $HINAGATA_BUSY_TIMEOUT ms, else 60 s. */
unsigned hg_cli_busy_ms(void);
/* Write the recording (a message says what it did); false after a message. */
bool hg_cli_history_commit(hg_cli *cli, hg_cli_history *hh, struct hg_recorder *r);
void hg_cli_history_dispose(hg_cli_history *hh);
/*
 * `history import` of one input (text[0..len), named file) into h (target:
 * its name in messages, password masked): recorded, or a fleet shard's
 * drift result kept for its night (hg_history_import); says what it did.
 * date: --date, or NULL (a drift report's own date, else today). Returns
 * the exit code (0, or 2 after a message).
 */
struct hg_history;
int hg_cli_history_import(hg_cli *cli, struct hg_history *h, const char *target, const char *date,
        const char *file, const char *text, size_t len, const hg_cli_paths *paths);
/* Record a check run's findings (d) on the files checked; rc: check's exit code, returned
 * unless recording fails (2). */
struct hg_cli_paths;
int hg_cli_history_check(hg_cli *cli, const char *option, const char *date,
        const struct hg_config *cfg, const struct hg_cli_paths *paths, const hg_diags *d,
        char *const *files, size_t nfiles, int rc);

/* Parse a --lang value into cli->lang; returns false (after a message) if invalid. */
bool hg_cli_set_lang(hg_cli *cli, const char *value);

#endif
