/* dnt/run.h: a result folder and its store.
 *
 * A run is one execution of a study. It owns a folder (created if needed) that
 * receives:
 *   config.json   the effective config (atomic write, at open)
 *   dnt.db        SQLite database in WAL mode: table runs(id, study, config,
 *                 seed, version, git_revision, started, ended, wall_seconds,
 *                 error) and table metrics(run_id, name, step, value); each
 *                 dnt_run_commit() makes the metrics logged so far durable, so
 *                 a process killed mid-run leaves a database that opens and
 *                 holds them (ended stays NULL for such a run). Several runs
 *                 may share one folder and its database.
 *   summary.json  {"study", "seed", "version", "git_revision", "wall_seconds",
 *                 "config" (the object), "metrics" (named values)}, written
 *                 atomically at close
 * A seed above INT64_MAX is stored as decimal text (JSON and SQLite integers
 * are signed 64-bit). Times in the database are ISO 8601 UTC.
 * plus whatever CSV tables and figures the study writes (dnt_run_path).
 *
 * Ownership: dnt_run_open returns a handle freed by dnt_run_close (which writes
 * summary.json) or dnt_run_abort (which records the failure and writes no
 * summary). */
#ifndef DNT_RUN_H
#define DNT_RUN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_run dnt_run;

/* Opens (creating) `dir`, writes config.json from `config_json` (a JSON text,
 * may be NULL), opens dnt.db and inserts the run row. */
int dnt_run_open(const char *dir, const char *study, const char *config_json, uint64_t seed,
                 dnt_run **out);

/* Logs a metric value at a step (buffered in an open transaction). */
int dnt_run_metric(dnt_run *r, const char *name, int64_t step, double value);
/* Commits the buffered metrics (call every so often, e.g. once per round). */
int dnt_run_commit(dnt_run *r);

/* Sets a named number in summary.json ("metrics" object); last value wins.
 * NaN and infinities are written as null (JSON has no such numbers). */
int dnt_run_summary_number(dnt_run *r, const char *name, double value);
/* Reads back a number set by dnt_run_summary_number (NaN for a non-finite
 * one); DNT_ERR_ARG if there is no such number. */
int dnt_run_summary_get(const dnt_run *r, const char *name, double *out);
/* Sets a named string in summary.json ("metrics" object). */
int dnt_run_summary_string(dnt_run *r, const char *name, const char *value);
/* Sets a named JSON value (given as text) in summary.json ("metrics" object). */
int dnt_run_summary_json(dnt_run *r, const char *name, const char *json_text);

/* The master seed the run was opened with. */
uint64_t dnt_run_seed(const dnt_run *r);
/* Worker threads a study may use (default 1); set by whoever opened the run.
 * Results must not depend on it unless the study's docs say so. */
int dnt_run_threads(const dnt_run *r);
void dnt_run_set_threads(dnt_run *r, int threads);
/* 1 when the run continues an earlier one from its checkpoint in the same
 * folder (default 0; set by whoever opened the run). */
int dnt_run_resuming(const dnt_run *r);
void dnt_run_set_resuming(dnt_run *r, int resuming);

/* Writes "<dir>/<name>" into buf; DNT_ERR_ARG if it does not fit. */
int dnt_run_path(const dnt_run *r, const char *name, char *buf, size_t len);
const char *dnt_run_dir(const dnt_run *r);

/* Ends the run: records end time, commits, writes summary.json, frees. */
int dnt_run_close(dnt_run *r);
/* Ends a failed run: commits the metrics logged so far, records `why` in
 * runs.error, frees, and writes no summary. */
void dnt_run_abort(dnt_run *r, const char *why);

/* Library version "MAJOR.MINOR.PATCH" and the git revision baked in at build. */
const char *dnt_version(void);
const char *dnt_git_revision(void);

#ifdef __cplusplus
}
#endif
#endif
