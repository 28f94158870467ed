/* src/app/app.h: what every `dnt` subcommand shares.
 *
 * A subcommand is a function `int cmd_<name>(int argc, char **argv)` (argv[0] is
 * the subcommand's name) listed in commands.c. It parses its options with
 * getopt_long, handling the common ones through app_common_option(), and
 * returns an exit code: APP_EXIT_OK, APP_EXIT_FAIL (runtime failure, message
 * printed) or APP_EXIT_USAGE (bad command line, message printed). */
#ifndef DNT_APP_H
#define DNT_APP_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "dnt/config.h"
#include "dnt/run.h"

/* Exit codes, the same for every command (the README and dnt --help give this
 * table): 0 done, 1 the run failed, 2 bad usage or config (from any source),
 * 3 bad input data, 130 / 143 interrupted by SIGINT / SIGTERM. */
enum {
  APP_EXIT_OK = 0,
  APP_EXIT_FAIL = 1,
  APP_EXIT_USAGE = 2,
  APP_EXIT_DATA = 3,
  APP_EXIT_SIGINT = 130,
  APP_EXIT_SIGTERM = 143
};
#define APP_EXIT_TABLE                                                                             \
  "exit codes: 0 done, 1 the run failed, 2 bad usage or config, 3 bad input data,\n"               \
  "            130 interrupted (SIGINT), 143 interrupted (SIGTERM)\n"

#define APP_MAX_SETS 64

/* Options every study accepts. */
typedef struct app_opts {
  const char *config;                /* the last --config FILE (JSON) */
  const char *configs[APP_MAX_SETS]; /* every --config, merged in order */
  int n_configs;
  uint64_t seed;                  /* --seed N (default 1) */
  const char *out;                /* --out DIR (default results/<study>-<timestamp>) */
  int quick;                      /* --quick: small scale for a fast look */
  int threads;                    /* --threads N (default 1) */
  int quiet;                      /* --quiet: warnings and errors only, no progress */
  int verbose;                    /* --verbose: debug messages */
  int resume;                     /* --resume (studies): continue the run in --out */
  int force;                      /* --force (studies): empty the result folder --out first */
  double started;                 /* dnt_now() when the command started (wall_seconds) */
  const char *sets[APP_MAX_SETS]; /* --set key=value, applied after --config */
  int n_sets;
} app_opts;

/* getopt_long entries for the common options; put APP_COMMON_LONGOPTS at the
 * start of a subcommand's table and APP_COMMON_SHORTOPTS in its optstring. */
#define APP_COMMON_SHORTOPTS "hc:s:o:qt:"
#define APP_COMMON_LONGOPTS                                                                        \
  {"help", no_argument, 0, 'h'}, {"config", required_argument, 0, 'c'},                            \
      {"seed", required_argument, 0, 's'}, {"out", required_argument, 0, 'o'},                     \
      {"quick", no_argument, 0, 'q'}, {"threads", required_argument, 0, 't'},                      \
      {"quiet", no_argument, 0, 1001}, {"verbose", no_argument, 0, 1002},                          \
      {"set", required_argument, 0, 1003}, {                                                       \
    "help-config", no_argument, 0, 1004                                                            \
  }

/* Text for the common options, for each subcommand's --help. */
#define APP_COMMON_HELP                                                                            \
  "  -c, --config FILE   JSON config (unknown keys are errors)\n"                                  \
  "      --set KEY=VAL   override one config field (repeatable)\n"                                 \
  "  -s, --seed N        master random seed (default 1)\n"                                         \
  "  -o, --out DIR       result folder (default results/<cmd>-<timestamp>)\n"                      \
  "  -q, --quick         small scale, for a fast look\n"                                           \
  "  -t, --threads N     worker threads (default 1)\n"                                             \
  "      --quiet         warnings and errors only, no progress\n"                                  \
  "      --verbose       debug messages\n"                                                         \
  "      --help-config   list every config field with its default\n"                               \
  "  -h, --help          this help\n"

void app_opts_init(app_opts *o);

/* Handles one common option returned by getopt_long. Returns 1 if handled, 0
 * if `opt` is not a common option, or -APP_EXIT_USAGE after printing a usage
 * error (the caller returns -result). --help and --help-config print `usage`
 * or the fields of `schema` (may be NULL) and end the process with exit code 0:
 * nothing has been allocated while options are parsed. */
int app_common_option(app_opts *o, int opt, const char *arg, const char *cmd, const char *usage,
                      const dnt_config_field *schema, size_t n_schema);

/* Parses a command line that takes the common options only. Returns 0, or
 * the exit code to return (usage error). */
int app_parse_common(int argc, char **argv, const char *cmd, const char *usage,
                     const dnt_config_field *schema, size_t n_schema, app_opts *o);

/* Reports an unknown option / stray argument as a usage error; returns APP_EXIT_USAGE. */
int app_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Builds the effective config: embedded defaults, then each --config in
 * order, then --set. Prints the error and returns APP_EXIT_FAIL/USAGE on
 * failure. */
int app_load_config(const app_opts *o, const char *cmd, const dnt_config_field *schema,
                    size_t n_schema, dnt_config **out);
/* The same with a JSON `preset` (may be NULL) merged over the defaults first. */
int app_load_config_preset(const app_opts *o, const char *cmd, const dnt_config_field *schema,
                           size_t n_schema, const char *preset, dnt_config **out);

/* Applies --threads/--quiet/--verbose and opens the result folder (default
 * results/<study>-<UTC timestamp>) with the effective config recorded,
 * sharing a folder that holds other runs (commands not yet on the studies
 * floor plan). */
int app_open_run(const app_opts *o, const char *study, const dnt_config *cfg, dnt_run **out);
/* The same for one run per folder: a new folder (a default name that is
 * taken gets a suffix -2, -3, ...), or --force / --resume (dnt/run.h modes);
 * wall_seconds counts from o->started. */
int app_open_run_mode(const app_opts *o, const char *study, const dnt_config *cfg, dnt_run **out);

/* Installs the SIGINT/SIGTERM handlers: the first signal asks the run to stop
 * at its next step boundary (dnt/interrupt.h), a second ends the process. */
void app_catch_signals(void);

/* Prints "dnt <cmd>: <dnt_last_error()>" to stderr and returns APP_EXIT_FAIL. */
int app_fail(const char *cmd);
/* The same, returning the exit code of the table for a failure with status
 * `rc` (dnt/status.h): config and argument errors 2, malformed or corrupted
 * input 3 (also an unreadable input file when `input` is 1), else 1. */
int app_fail_status(const char *cmd, int rc, int input);

/* Parses a non-negative integer option value; usage error naming the option. */
int app_parse_long(const char *cmd, const char *opt, const char *arg, long min, long max,
                   long *out);
int app_parse_double(const char *cmd, const char *opt, const char *arg, double min, double max,
                     double *out);

/* `dnt <study>` for a study of the registry (study_cmd.c): the common options,
 * the study's option aliases, --print-config and --resume; then defaults,
 * --quick overlay, --config files, --set; the study's checks; the run. */
struct dnt_study;
int app_study_main(const struct dnt_study *s, int argc, char **argv);

/* Loads study `s`'s effective config from `o` (defaults, quick overlay,
 * --config files, --set). Prints the error and returns the exit code on
 * failure. */
int app_study_config(const struct dnt_study *s, const app_opts *o, const char *cmd,
                     dnt_config **out);

/* Runs study `s` with config `cfg` into the folder o->out (a new run): checks
 * the config first, prints the headline metrics after. Returns the exit code. */
int app_study_execute(const struct dnt_study *s, const app_opts *o, const dnt_config *cfg);

#endif
