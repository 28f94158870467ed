/* run.c: one study execution's result folder, database and summary.
 *
 * Metrics go to SQLite in WAL mode through one prepared insert inside an open
 * transaction; dnt_run_commit ends it and opens the next. A study logs a few
 * metrics per step and commits once per round or episode, so inserts are cheap
 * (no fsync each) and a crash loses at most the metrics since the last commit.
 * synchronous=NORMAL is enough for that: in WAL mode a committed transaction
 * survives the process being killed; only a power loss may drop the last few.
 *
 * summary.json is assembled in memory (jansson) and written atomically at
 * close, so a folder holds either no summary or a complete one. */
#include "dnt/run.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_info.h"
#include "dnt/csv.h"
#include "dnt/fileio.h"
#include "dnt/progress.h"
#include "dnt/status.h"
#include "json_dump.h"
#include "run_folder.h"

struct dnt_run {
  char *dir;
  char *study;
  uint64_t seed;
  int threads;     /* worker threads a study may use (>= 1) */
  int resuming;    /* 1: continues an earlier run of this folder */
  json_t *config;  /* the config object, or JSON null */
  json_t *metrics; /* the "metrics" object of summary.json */
  sqlite3 *db;
  sqlite3_stmt *insert_metric;
  int64_t id;     /* runs.id of this run */
  int export_all; /* metrics.csv holds every run of the folder up to this one */
  double start;
};

static const char *SCHEMA_SQL =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, study TEXT NOT NULL, config TEXT,"
    " seed INTEGER, version TEXT, git_revision TEXT, started TEXT, ended TEXT,"
    " wall_seconds REAL, error TEXT, status TEXT, pid INTEGER);"
    "CREATE TABLE IF NOT EXISTS metrics(run_id INTEGER NOT NULL REFERENCES runs(id),"
    " name TEXT NOT NULL, step INTEGER NOT NULL, value REAL);"
    "CREATE INDEX IF NOT EXISTS metrics_by_name ON metrics(run_id, name, step);";

uint64_t dnt_run_seed(const dnt_run *r) {
  return r->seed;
}

int dnt_run_threads(const dnt_run *r) {
  return r->threads;
}

void dnt_run_set_threads(dnt_run *r, int threads) {
  r->threads = threads > 0 ? threads : 1;
}

int dnt_run_resuming(const dnt_run *r) {
  return r->resuming;
}

void dnt_run_set_resuming(dnt_run *r, int resuming) {
  r->resuming = resuming != 0;
}

const char *dnt_version(void) {
  return DNT_VERSION_STRING;
}

const char *dnt_git_revision(void) {
  return DNT_GIT_REVISION;
}

static int db_error(dnt_run *r, const char *what) {
  return dnt_error(DNT_ERR_EXTERNAL, "%s/dnt.db: %s: %s", r->dir, what, sqlite3_errmsg(r->db));
}

static int exec(dnt_run *r, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(r->db, sql, NULL, NULL, &msg) == SQLITE_OK) return DNT_OK;
  int rc = dnt_error(DNT_ERR_EXTERNAL, "%s/dnt.db: %s", r->dir, msg ? msg : "SQLite error");
  sqlite3_free(msg);
  return rc;
}

/* Seeds above INT64_MAX do not fit a JSON or SQLite integer: they go as text. */
static json_t *seed_json(uint64_t seed) {
  if (seed <= (uint64_t)INT64_MAX) return json_integer((json_int_t)seed);
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", (unsigned long long)seed);
  return json_string(buf);
}

static void run_free(dnt_run *r) {
  sqlite3_finalize(r->insert_metric);
  sqlite3_close(r->db);
  json_decref(r->config);
  json_decref(r->metrics);
  free(r->dir);
  free(r->study);
  free(r);
}

static int insert_run_row(dnt_run *r, const char *config_json) {
  sqlite3_stmt *st = NULL;
  const char *sql = "INSERT INTO runs(study, config, seed, version, git_revision, started, status,"
                    " pid) VALUES(?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),"
                    " 'running', ?)";
  if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) return db_error(r, "prepare");
  sqlite3_bind_text(st, 1, r->study, -1, SQLITE_STATIC);
  if (config_json) sqlite3_bind_text(st, 2, config_json, -1, SQLITE_STATIC);
  if (r->seed <= (uint64_t)INT64_MAX) {
    sqlite3_bind_int64(st, 3, (sqlite3_int64)r->seed);
  } else {
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)r->seed);
    sqlite3_bind_text(st, 3, buf, -1, SQLITE_TRANSIENT);
  }
  sqlite3_bind_text(st, 4, dnt_version(), -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, dnt_git_revision(), -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, (sqlite3_int64)getpid());
  int rc = sqlite3_step(st) == SQLITE_DONE ? DNT_OK : db_error(r, "insert run");
  sqlite3_finalize(st);
  r->id = sqlite3_last_insert_rowid(r->db);
  return rc;
}

/* Adds the status and pid columns to a database of an earlier version. */
static int upgrade_schema(dnt_run *r) {
  if (sqlite3_exec(r->db, "SELECT status, pid FROM runs LIMIT 0", NULL, NULL, NULL) == SQLITE_OK)
    return DNT_OK;
  int rc = exec(r, "ALTER TABLE runs ADD COLUMN status TEXT");
  return rc ? rc : exec(r, "ALTER TABLE runs ADD COLUMN pid INTEGER");
}

/* Marks the rows of runs whose process is gone without ending them as killed. */
static int mark_killed(dnt_run *r) {
  sqlite3_stmt *sel = NULL, *upd = NULL;
  int rc = DNT_OK;
  if (sqlite3_prepare_v2(r->db, "SELECT id, pid FROM runs WHERE ended IS NULL", -1, &sel, NULL) !=
          SQLITE_OK ||
      sqlite3_prepare_v2(r->db,
                         "UPDATE runs SET status = 'killed', error = 'the process ended without"
                         " closing the run' WHERE id = ?",
                         -1, &upd, NULL) != SQLITE_OK) {
    rc = db_error(r, "prepare");
    goto cleanup;
  }
  while (sqlite3_step(sel) == SQLITE_ROW) {
    long pid = (long)sqlite3_column_int64(sel, 1);
    if (run_folder_pid_alive(pid)) continue;
    sqlite3_reset(upd);
    sqlite3_bind_int64(upd, 1, sqlite3_column_int64(sel, 0));
    if (sqlite3_step(upd) != SQLITE_DONE) {
      rc = db_error(r, "mark a killed run");
      goto cleanup;
    }
  }
cleanup:
  sqlite3_finalize(sel);
  sqlite3_finalize(upd);
  return rc;
}

/* The first key path where two JSON values differ, into buf ("" if equal). */
static void first_difference(const json_t *a, const json_t *b, const char *prefix, char *buf,
                             size_t len) {
  if (json_equal(a, b)) return;
  if (json_is_object(a) && json_is_object(b)) {
    const char *key;
    const json_t *va;
    json_object_foreach((json_t *)a, key, va) {
      char path[512];
      snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
      const json_t *vb = json_object_get(b, key);
      if (!vb) {
        snprintf(buf, len, "%s (only in one of them)", path);
        return;
      }
      first_difference(va, vb, path, buf, len);
      if (buf[0]) return;
    }
    snprintf(buf, len, "%s (a key only in the folder's config)", *prefix ? prefix : "top level");
    return;
  }
  char *ta = json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT);
  char *tb = json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT);
  snprintf(buf, len, "%s: %s here, %s in the folder", *prefix ? prefix : "top level", ta ? ta : "?",
           tb ? tb : "?");
  free(ta);
  free(tb);
}

/* --resume: the folder's config.json must equal the one given. */
static int check_same_config(const char *dir, const char *config_json) {
  char path[4096];
  snprintf(path, sizeof path, "%s/config.json", dir);
  json_error_t err;
  json_t *there = json_load_file(path, 0, &err);
  json_t *here = config_json ? json_loads(config_json, 0, &err) : json_null();
  int rc = DNT_OK;
  if (!there) {
    rc = dnt_error(DNT_ERR_ARG, "%s: cannot resume: %s:%d: %s", dir, path, err.line, err.text);
  } else if (here && !json_equal(here, there)) {
    char diff[700] = "";
    first_difference(here, there, "", diff, sizeof diff);
    rc = dnt_error(DNT_ERR_ARG, "%s: cannot resume with another config: %s", dir, diff);
  }
  json_decref(there);
  json_decref(here);
  return rc;
}

/* --resume: the folder's last run must be of the same study. */
static int check_same_study(dnt_run *r) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(r->db, "SELECT study FROM runs ORDER BY id DESC LIMIT 1", -1, &st, NULL) !=
      SQLITE_OK)
    return db_error(r, "prepare");
  int rc = DNT_OK;
  if (sqlite3_step(st) != SQLITE_ROW)
    rc = dnt_error(DNT_ERR_ARG, "%s: cannot resume: the folder's database holds no run", r->dir);
  else if (strcmp((const char *)sqlite3_column_text(st, 0), r->study))
    rc = dnt_error(DNT_ERR_ARG, "%s: cannot resume: the folder holds a run of '%s', not '%s'",
                   r->dir, (const char *)sqlite3_column_text(st, 0), r->study);
  sqlite3_finalize(st);
  return rc;
}

/* What the folder must hold for `mode`; empties it for DNT_RUN_FORCE. */
static int prepare_folder(const char *dir, dnt_run_mode mode, const char *config_json) {
  char names[256];
  int n = run_folder_list(dir, names, sizeof names);
  if (n < 0) return n;
  switch (mode) {
  case DNT_RUN_NEW:
    if (n > 0)
      return dnt_error(DNT_ERR_ARG,
                       "%s: the folder is not empty (%s): choose another --out, add --force to "
                       "empty it, or --resume to continue the run in it",
                       dir, names);
    return DNT_OK;
  case DNT_RUN_FORCE:
    if (n > 0 && !run_folder_is_result(dir))
      return dnt_error(DNT_ERR_ARG,
                       "%s: not a dnt result folder (it holds %s): --force only empties result "
                       "folders",
                       dir, names);
    return n > 0 ? run_folder_empty(dir) : DNT_OK;
  case DNT_RUN_RESUME:
    if (!run_folder_is_result(dir))
      return dnt_error(DNT_ERR_ARG, "%s: nothing to resume (no run in the folder%s%s)", dir,
                       n ? ": it holds " : "", names);
    return check_same_config(dir, config_json);
  case DNT_RUN_SHARE:
    return DNT_OK;
  }
  return DNT_OK;
}

int dnt_run_open(const char *dir, const char *study, const char *config_json, uint64_t seed,
                 dnt_run **out) {
  return dnt_run_open_mode(dir, study, config_json, seed, DNT_RUN_SHARE, out);
}

int dnt_run_open_mode(const char *dir, const char *study, const char *config_json, uint64_t seed,
                      dnt_run_mode mode, dnt_run **out) {
  *out = NULL;
  int rc = prepare_folder(dir, mode, config_json);
  if (rc) return rc;
  if ((rc = dnt_mkdir_p(dir))) return rc;
  if ((rc = run_folder_remove_stale(dir)) < 0) return rc;
  dnt_run *r = calloc(1, sizeof *r);
  if (!r) return dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate a run", dir);
  r->dir = strdup(dir);
  r->study = strdup(study);
  r->seed = seed;
  r->threads = 1;
  r->start = dnt_now();
  r->metrics = json_object();
  if (!r->dir || !r->study || !r->metrics) {
    rc = dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate a run", dir);
    goto fail;
  }
  char path[4096];
  if ((rc = dnt_run_path(r, "config.json", path, sizeof path))) goto fail;
  if (config_json) {
    json_error_t err;
    r->config = json_loads(config_json, 0, &err);
    if (!r->config) {
      rc = dnt_error(DNT_ERR_PARSE, "%s: config text:%d:%d: %s", dir, err.line, err.column,
                     err.text);
      goto fail;
    }
    char *text = dnt_json_dump_exact(r->config);
    if (!text) {
      rc = dnt_error(DNT_ERR_NOMEM, "%s: cannot format the config", dir);
      goto fail;
    }
    rc = dnt_write_atomic(path, text, strlen(text));
    free(text);
    if (rc) goto fail;
  } else {
    r->config = json_null();
  }
  if ((rc = dnt_run_path(r, "dnt.db", path, sizeof path))) goto fail;
  if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    rc = db_error(r, "open");
    goto fail;
  }
  sqlite3_busy_timeout(r->db, 10000); /* another run may share the folder */
  if ((rc = exec(r, SCHEMA_SQL)) || (rc = upgrade_schema(r)) || (rc = mark_killed(r))) goto fail;
  if (mode == DNT_RUN_RESUME && (rc = check_same_study(r))) goto fail;
  r->resuming = mode == DNT_RUN_RESUME;
  if ((rc = insert_run_row(r, config_json))) goto fail;
  if (sqlite3_prepare_v2(r->db, "INSERT INTO metrics(run_id, name, step, value) VALUES(?,?,?,?)",
                         -1, &r->insert_metric, NULL) != SQLITE_OK) {
    rc = db_error(r, "prepare");
    goto fail;
  }
  if ((rc = exec(r, "BEGIN"))) goto fail;
  *out = r;
  return DNT_OK;
fail:
  run_free(r);
  return rc;
}

int dnt_run_metric(dnt_run *r, const char *name, int64_t step, double value) {
  sqlite3_stmt *st = r->insert_metric;
  sqlite3_bind_int64(st, 1, r->id);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, step);
  if (isnan(value))
    sqlite3_bind_null(st, 4);
  else
    sqlite3_bind_double(st, 4, value);
  int rc = sqlite3_step(st) == SQLITE_DONE ? DNT_OK : db_error(r, "insert metric");
  sqlite3_reset(st);
  return rc;
}

int dnt_run_resume_metrics(dnt_run *r, int64_t step) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(r->db, "DELETE FROM metrics WHERE run_id < ? AND step > ?", -1, &st,
                         NULL) != SQLITE_OK)
    return db_error(r, "prepare");
  sqlite3_bind_int64(st, 1, r->id);
  sqlite3_bind_int64(st, 2, step);
  int rc = sqlite3_step(st) == SQLITE_DONE ? DNT_OK : db_error(r, "delete redone metrics");
  sqlite3_finalize(st);
  if (!rc) rc = dnt_run_commit(r);
  if (!rc) r->export_all = 1;
  return rc;
}

int dnt_run_commit(dnt_run *r) {
  int rc = exec(r, "COMMIT");
  return rc ? rc : exec(r, "BEGIN");
}

static int set_metric(dnt_run *r, const char *name, json_t *v) {
  if (!v) return dnt_error(DNT_ERR_NOMEM, "%s: summary '%s': out of memory", r->dir, name);
  if (json_object_set_new(r->metrics, name, v) != 0)
    return dnt_error(DNT_ERR_ARG, "%s: summary metric name '%s' is not valid UTF-8", r->dir, name);
  return DNT_OK;
}

int dnt_run_summary_number(dnt_run *r, const char *name, double value) {
  /* JSON has no NaN or infinity: such a value is recorded as null. Whole
   * numbers print without a fraction (episodes: 400, not 400.0). */
  json_t *v;
  if (!isfinite(value))
    v = json_null();
  else if (value == floor(value) && fabs(value) < 0x1p53)
    v = json_integer((json_int_t)value);
  else
    v = json_real(value);
  return set_metric(r, name, v);
}

int dnt_run_summary_get(const dnt_run *r, const char *name, double *out) {
  const json_t *v = json_object_get(r->metrics, name);
  if (!v) return dnt_error(DNT_ERR_ARG, "%s: no summary metric '%s'", r->dir, name);
  if (json_is_null(v)) {
    *out = NAN; /* a non-finite number was recorded */
    return DNT_OK;
  }
  if (!json_is_number(v))
    return dnt_error(DNT_ERR_ARG, "%s: summary metric '%s' is not a number", r->dir, name);
  *out = json_number_value(v);
  return DNT_OK;
}

int dnt_run_summary_string(dnt_run *r, const char *name, const char *value) {
  json_t *v = json_string(value);
  if (!v) return dnt_error(DNT_ERR_ARG, "%s: summary '%s': value is not valid UTF-8", r->dir, name);
  return set_metric(r, name, v);
}

int dnt_run_summary_json(dnt_run *r, const char *name, const char *json_text) {
  json_error_t err;
  json_t *v = json_loads(json_text, JSON_DECODE_ANY, &err);
  if (!v)
    return dnt_error(DNT_ERR_PARSE, "%s: summary '%s':%d:%d: %s", r->dir, name, err.line,
                     err.column, err.text);
  return set_metric(r, name, v);
}

int dnt_run_path(const dnt_run *r, const char *name, char *buf, size_t len) {
  int n = snprintf(buf, len, "%s/%s", r->dir, name);
  if (n < 0 || (size_t)n >= len)
    return dnt_error(DNT_ERR_ARG, "%s/%s: path longer than %zu bytes", r->dir, name, len);
  return DNT_OK;
}

const char *dnt_run_dir(const dnt_run *r) {
  return r->dir;
}

/* Commits pending metrics and records the end of the run (error NULL on success). */
static int finish_row(dnt_run *r, double wall, const char *status, const char *error) {
  sqlite3_stmt *st = NULL;
  const char *sql = "UPDATE runs SET ended = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),"
                    " wall_seconds = ?, error = ?, status = ? WHERE id = ?";
  if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) return db_error(r, "prepare");
  sqlite3_bind_double(st, 1, wall);
  if (error) sqlite3_bind_text(st, 2, error, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, r->id);
  int rc = sqlite3_step(st) == SQLITE_DONE ? DNT_OK : db_error(r, "update run");
  sqlite3_finalize(st);
  int rc2 = exec(r, "COMMIT");
  return rc ? rc : rc2;
}

static int write_summary(dnt_run *r, double wall, const char *status, const char *error) {
  json_t *s = json_object();
  if (!s) return dnt_error(DNT_ERR_NOMEM, "%s: cannot build summary.json", r->dir);
  json_object_set_new(s, "study", json_string(r->study));
  json_object_set_new(s, "status", json_string(status));
  if (error) json_object_set_new(s, "error", json_string(error));
  json_object_set_new(s, "seed", seed_json(r->seed));
  json_object_set_new(s, "version", json_string(dnt_version()));
  json_object_set_new(s, "git_revision", json_string(dnt_git_revision()));
  json_object_set_new(s, "wall_seconds", json_real(round(wall * 1e3) / 1e3)); /* ms */
  json_object_set(s, "config", r->config);
  json_object_set(s, "metrics", r->metrics);
  char *text = dnt_json_dump_exact(s);
  json_decref(s);
  if (!text) return dnt_error(DNT_ERR_NOMEM, "%s: cannot format summary.json", r->dir);
  char path[4096];
  int rc = dnt_run_path(r, "summary.json", path, sizeof path);
  if (rc == DNT_OK) rc = dnt_write_atomic(path, text, strlen(text));
  free(text);
  return rc;
}

/* metrics.csv: this run's metrics table as CSV (name, step, value), ordered by
 * name then step, for users who would rather not open SQLite; a resumed run's
 * holds the runs it continues too (dnt_run_resume_metrics). */
static int export_metrics(dnt_run *r) {
  char path[4096];
  int rc = dnt_run_path(r, "metrics.csv", path, sizeof path);
  dnt_afile *f = NULL;
  if (rc || (rc = dnt_afile_open(path, &f))) return rc;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(r->db,
                         r->export_all ? "SELECT name, step, value FROM metrics WHERE run_id <= ?"
                                         " ORDER BY name, step, rowid"
                                       : "SELECT name, step, value FROM metrics WHERE run_id = ?"
                                         " ORDER BY name, step, rowid",
                         -1, &st, NULL) != SQLITE_OK) {
    dnt_afile_abort(f);
    return db_error(r, "prepare export");
  }
  sqlite3_bind_int64(st, 1, r->id);
  FILE *out = dnt_afile_stream(f);
  static const char *const cols[] = {"name", "step", "value"};
  dnt_csv_write_header(out, cols, 3);
  int step_rc;
  while ((step_rc = sqlite3_step(st)) == SQLITE_ROW) {
    dnt_csv_write_field(out, (const char *)sqlite3_column_text(st, 0), ',');
    fprintf(out, ",%lld,", (long long)sqlite3_column_int64(st, 1));
    if (sqlite3_column_type(st, 2) != SQLITE_NULL)
      fprintf(out, "%.17g", sqlite3_column_double(st, 2));
    fputc('\n', out);
  }
  sqlite3_finalize(st);
  if (step_rc != SQLITE_DONE) {
    dnt_afile_abort(f);
    return db_error(r, "export metrics");
  }
  return dnt_afile_commit(f);
}

/* Ends the run with `status` ("done", "failed", "interrupted"): the row,
 * summary.json and metrics.csv. */
static int end_run(dnt_run *r, const char *status, const char *error) {
  double wall = dnt_now() - r->start;
  int rc = finish_row(r, wall, status, error);
  int rc2 = write_summary(r, wall, status, error);
  int rc3 = export_metrics(r);
  run_free(r);
  return rc ? rc : rc2 ? rc2 : rc3;
}

int dnt_run_close(dnt_run *r) {
  return end_run(r, "done", NULL);
}

int dnt_run_interrupted(dnt_run *r, const char *why) {
  return end_run(r, "interrupted", why ? why : "interrupted");
}

void dnt_run_abort(dnt_run *r, const char *why) {
  if (!r) return;
  /* keep the message of the failure that led here, not one of the ending */
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", dnt_last_error());
  end_run(r, "failed", why ? why : "aborted");
  dnt_error(DNT_ERR_ARG, "%s", msg);
}

void dnt_run_set_start(dnt_run *r, double start) {
  r->start = start;
}
