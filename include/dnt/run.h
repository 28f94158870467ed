/* dnt/run.h: a result folder and its store.
 *
 * A run is one execution of a study. It owns a folder (created if needed) that
 * receives:
 *   config.json   the effective config (atomic write, at open)
 *   dnt.db        SQLite database in WAL mode: table runs(id, study, config,
 *                 seed, version, git_revision, started, ended, wall_seconds,
 *                 error, status, pid) and table metrics(run_id, name, step,
 *                 value); status is running, done, failed, interrupted or
 *                 killed (a later open found its process gone); each
 *                 dnt_run_commit() makes the metrics logged so far durable, so
 *                 a process killed mid-run leaves a database that opens and
 *                 holds them (ended stays NULL for such a run).
 *   summary.json  {"study", "status", "error" (unless done), "seed", "version", "git_revision",
 * "wall_seconds", "config" (the object), "metrics" (named values)}, written atomically at close A
 * seed above INT64_MAX is stored as decimal text (JSON and SQLite integers are signed 64-bit).
 * Times in the database are ISO 8601 UTC. plus whatever CSV tables and figures the study writes
 * (dnt_run_path).
 *
 * Ownership: dnt_run_open returns a handle freed by dnt_run_close,
 * dnt_run_interrupted or dnt_run_abort (each writes summary.json with its
 * status). */
#ifndef DNT_RUN_H
#define DNT_RUN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_run dnt_run;

/* What the folder may hold when a run opens it. A result folder holds one run:
 * the command line opens with NEW (or FORCE / RESUME from --force / --resume). */
typedef enum dnt_run_mode {
  DNT_RUN_SHARE, /* anything; runs share the folder and its database (library use) */
  DNT_RUN_NEW,   /* the folder is absent or empty, else DNT_ERR_ARG naming what it holds */
  DNT_RUN_FORCE, /* a result folder (config.json, dnt.db or summary.json) is emptied first;
                    a folder holding other files is DNT_ERR_ARG */
  DNT_RUN_RESUME /* the folder holds a run of the same study with an equal config.json, else
                    DNT_ERR_ARG naming the first differing key; dnt_run_resuming() is 1 */
} dnt_run_mode;

/* Opens (creating) `dir` as `mode` says, writes config.json from `config_json`
 * (a JSON text, may be NULL), opens dnt.db and inserts the run row (status
 * "running", this process's pid). Every open first removes the temp files
 * "<name>.tmp.<pid>" of processes that no longer run, and marks the rows of
 * runs whose process is gone without ending them as "killed". */
int dnt_run_open_mode(const char *dir, const char *study, const char *config_json, uint64_t seed,
                      dnt_run_mode mode, dnt_run **out);
/* dnt_run_open_mode(..., DNT_RUN_SHARE, out). */
int dnt_run_open(const char *dir, const char *study, const char *config_json, uint64_t seed,
                 dnt_run **out);

/* Logs a metric value at a step (buffered in an open transaction). */
int dnt_run_metric(dnt_run *r, const char *name, int64_t step, double value);
/* Commits the buffered metrics (call every so often, e.g. once per round). */
int dnt_run_commit(dnt_run *r);

/* For a run that resumes from a checkpoint taken at `step` (after the
 * metrics up to it were committed): deletes the metrics that the folder's
 * earlier runs logged at steps > `step` (the part after the checkpoint is
 * redone), and makes this run's metrics.csv hold the metrics of every run of
 * the folder up to this one (the earlier ones up to `step`, then its own), so
 * that a resumed run's metrics.csv equals an uninterrupted one's. The rows of
 * the runs table stay, one per process. */
int dnt_run_resume_metrics(dnt_run *r, int64_t step);

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

/* Ends the run: records end time, commits, writes summary.json with "status":
 * "done", frees. */
int dnt_run_close(dnt_run *r);
/* Ends a run stopped by a signal at a step boundary (after its checkpoint):
 * summary.json with "status": "interrupted" and `why`; the row likewise. */
int dnt_run_interrupted(dnt_run *r, const char *why);
/* Ends a failed run: commits the metrics logged so far, writes summary.json
 * with "status": "failed" and "error": `why`, marks the row failed, frees.
 * dnt_last_error() is left as it was. */
void dnt_run_abort(dnt_run *r, const char *why);
/* Counts wall_seconds from `start` (dnt_now() seconds) instead of the open:
 * a command that reads and checks its inputs before opening its folder gives
 * the time it started, so that wall_seconds covers the whole run. */
void dnt_run_set_start(dnt_run *r, double start);

/* Library version "MAJOR.MINOR.PATCH" and the git revision baked in at build. */
const char *dnt_version(void);
const char *dnt_git_revision(void);

#ifdef __cplusplus
}
#endif
#endif
