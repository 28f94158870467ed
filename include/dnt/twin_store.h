/* dnt/twin_store.h: the twin's record in SQLite.
 *
 * Telemetry (physical, twin, mirror), forecasts, decisions and interventions
 * go to a SQLite database in WAL mode, normally the run's own dnt.db
 * (dnt_run_path(run, "dnt.db", ...)): the store opens its own connection, so
 * the run must not hold a write transaction meanwhile (dnt_run logs nothing
 * between a commit and its next metric). Rows are buffered in an open
 * transaction; dnt_twin_store_commit(step) adds the step to twin_steps and
 * commits. With synchronous=NORMAL a committed transaction survives the
 * process being killed (only a power loss may drop the last ones), so after a
 * kill the database opens and holds every committed step, whole.
 *
 * Tables (session = one twin run in the file; many may share it):
 *   twin_sessions(id INTEGER PRIMARY KEY, label TEXT, started REAL)
 *   twin_fields(session, field, name, grp)
 *   twin_steps(session, step)                       committed steps
 *   twin_telemetry(session, step, source, n, data)  source: "physical",
 *                       "twin", "mirror", ...; data: the n values of the
 *                       step as little-endian IEEE-754 doubles (8 n bytes;
 *                       numpy: np.frombuffer(data, "<f8")); value i is field i
 *                       of twin_fields
 *   twin_forecasts(session, step, field, horizon, model, value)  forecast made
 *                       at `step` for step + horizon (NaN stored as NULL)
 *   twin_decisions(session, step, kind, action)     action: JSON array text
 *   twin_interventions(session, step, predicate, action)
 *
 * Ownership: open returns a handle; close commits and frees it (abandoning
 * nothing committed). Not thread-safe. Costs: one prepared insert per row;
 * a commit is one WAL append. */
#ifndef DNT_TWIN_STORE_H
#define DNT_TWIN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/monitor.h"
#include "dnt/world.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_twin_store dnt_twin_store;

/* Opens (creating) the database at `path`, creates the tables, starts a
 * session labelled `label`. DNT_ERR_EXTERNAL with SQLite's message. */
int dnt_twin_store_open(const char *path, const char *label, dnt_twin_store **out);
/* Reopens session `session` of the database at `path` to continue it from
 * a checkpoint taken right after dnt_twin_store_commit(step): deletes the
 * session's rows of later steps (steps, telemetry, decisions, interventions)
 * and its forecasts made at `step` or later (a session stores its forecasts
 * after its last committed step), so that what the continuation writes
 * leaves the rows of an uninterrupted session. DNT_ERR_CORRUPT when the
 * session is not in the file, DNT_ERR_EXTERNAL with SQLite's message. */
int dnt_twin_store_resume(const char *path, int64_t session, int64_t step, dnt_twin_store **out);
/* Commits what is buffered and closes. */
int dnt_twin_store_close(dnt_twin_store *s);

int64_t dnt_twin_store_session(const dnt_twin_store *s);

/* Records the world's field names and groups for this session. */
int dnt_twin_store_fields(dnt_twin_store *s, const dnt_world_info *info);
/* n values of one step, packed in one row. */
int dnt_twin_store_telemetry(dnt_twin_store *s, int64_t step, const char *source,
                             const double *values, size_t n);
/* Reads the n values that session `session` stored at `step` from `source`
 * (its own read-only connection; works while a writer is open or after a
 * crash). DNT_ERR_ARG if absent, DNT_ERR_MISMATCH if it holds another n. */
int dnt_twin_store_read_telemetry(const char *path, int64_t session, int64_t step,
                                  const char *source, double *out, size_t n);
/* One forecast row: made at `step` by `model` for field `field`, `horizon`
 * steps ahead (NaN stored as NULL). */
int dnt_twin_store_forecast(dnt_twin_store *s, int64_t step, int field, int horizon,
                            const char *model, double value);
/* An action (n values, JSON array text; NULL = []) decided at `step`, or an
 * intervention that muted it, labelled by its kind or predicate. */
int dnt_twin_store_decision(dnt_twin_store *s, int64_t step, const char *kind, const double *action,
                            size_t n);
int dnt_twin_store_intervention(dnt_twin_store *s, int64_t step, const char *predicate,
                                const double *action, size_t n);
/* Stores the monitor's triggers from index *next on, and advances *next. */
int dnt_twin_store_monitor(dnt_twin_store *s, const dnt_monitor *m, size_t *next);

/* Marks `step` committed and commits everything buffered. */
int dnt_twin_store_commit(dnt_twin_store *s, int64_t step);

#ifdef __cplusplus
}
#endif
#endif
