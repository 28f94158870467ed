/* dnt/study.h: what every study shares: its descriptor, the registry of
 * studies, and progress reporting.
 *
 * A study is an experiment: a config in, results out into a dnt_run folder
 * (summary.json, CSV tables, figures, dnt.db). Each lives in
 * src/studies/<name>.c with include/dnt/study_<name>.h, which declares
 *   - its config fields once, as a row-list macro (dnt/config.h), and the
 *     config struct made from it;
 *   - dnt_study_<name>_defaults(cfg), dnt_study_<name>_check(cfg) (everything
 *     that can be checked before a result folder exists: cross-field rules,
 *     input files readable and parsed) and dnt_study_<name>_run(cfg, run,
 *     progress), which reads the seed and thread count from the run;
 *   - `extern const dnt_study dnt_study_<name>`, its descriptor (below), one
 *     row of the registry (src/studies/registry.c).
 * The command line (`dnt <name>`, `dnt --help`, `dnt run`) and the configs
 * test are driven by the registry: adding a study is one file and one row.
 *
 * Ownership: descriptors and the registry are static and read-only. */
#ifndef DNT_STUDY_H
#define DNT_STUDY_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/config.h"
#include "dnt/run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Progress of a long study: `fn` is called at phase boundaries and every so
 * often inside a phase (done of total units of that phase; total 0 when it is
 * not known). A library caller may pass NULL for no reports. */
typedef struct dnt_study_progress {
  void (*fn)(void *ctx, const char *phase, uint64_t done, uint64_t total);
  void *ctx;
} dnt_study_progress;

/* Calls p->fn when p and p->fn are set. */
void dnt_study_progress_report(const dnt_study_progress *p, const char *phase, uint64_t done,
                               uint64_t total);

/* A command-line option that stands for a config field: `--<option> VALUE`
 * is `--set <key>=VALUE`; with `value` set, the option is a flag that takes
 * no argument: `--<option>` is `--set <key>=<value>`. */
typedef struct dnt_study_alias {
  const char *option; /* "rule" */
  const char *key;    /* "fl.rule" */
  const char *value;  /* NULL, or the value of a flag ("true") */
} dnt_study_alias;

typedef struct dnt_study {
  const char *name;    /* "fl": the command, configs/<name>.json, the subfolder in `dnt run` */
  const char *summary; /* one line for `dnt --help` */
  const char *usage;   /* what it does and writes, for `dnt <name> --help` (paragraphs) */
  const dnt_config_field *rows; /* the config schema (bound to the config struct) */
  size_t n_rows;
  size_t config_size;             /* sizeof the config struct */
  const char *quick;              /* JSON overlaid by --quick before --config and --set, or NULL */
  const dnt_study_alias *aliases; /* option aliases, n_aliases of them */
  size_t n_aliases;
  const char *const *headline; /* summary metrics printed after a run, NULL-terminated */
  int main_job;                /* 1: `dnt run` runs it */
  int resumable;               /* 1: run() continues from a checkpoint when dnt_run_resuming() */
  int (*check)(const void *cfg);
  int (*run)(const void *cfg, dnt_run *run, const dnt_study_progress *progress);
} dnt_study;

/* What every study's .c file defines the same way, after its `rows` table:
 * the descriptor's thunks (check_thunk, run_thunk: the typed functions
 * behind the void * of dnt_study) and dnt_study_<name>_defaults. */
#define DNT_STUDY_GLUE(name)                                                                       \
  static int check_thunk(const void *cfg) {                                                        \
    return dnt_study_##name##_check(cfg);                                                          \
  }                                                                                                \
  static int run_thunk(const void *cfg, dnt_run *run, const dnt_study_progress *p) {               \
    return dnt_study_##name##_run(cfg, run, p);                                                    \
  }                                                                                                \
  void dnt_study_##name##_defaults(dnt_study_##name##_config *c) {                                 \
    dnt_config_struct_defaults(rows, sizeof rows / sizeof rows[0], c);                             \
  }

/* The registry, in the order `dnt --help` lists the studies. */
extern const dnt_study *const dnt_studies[];
extern const size_t dnt_n_studies;

/* The study named `name`, or NULL. */
const dnt_study *dnt_study_find(const char *name);

/* Runs study `s` on the dnt_config `c` (made from s->rows): fills a config
 * struct from it, checks it (s->check) and runs it into `run`. */
int dnt_study_run_config(const dnt_study *s, const dnt_config *c, dnt_run *run,
                         const dnt_study_progress *progress);

/* Validates a filled config struct of study `s` against its rows (ranges,
 * choices) and runs its check: what a study's run function calls first, so
 * that a library caller's struct is held to the same rules as a file. */
int dnt_study_check_struct(const dnt_study *s, const void *cfg);

#ifdef __cplusplus
}
#endif
#endif
