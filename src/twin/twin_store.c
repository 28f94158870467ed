/* src/twin/twin_store.c: the twin's SQLite record (dnt/twin_store.h).
 *
 * Workload: a few hundred telemetry values per step, a commit every step or
 * every few steps. Inserts go through prepared statements inside one open
 * transaction (no fsync per row); tables have no secondary index, so an insert
 * is an append. Telemetry is one row per (step, source) holding a packed
 * vector: a row per value costs about 3 us here, i.e. 3 ms per step of a
 * 125-BS world (500 fields, two sources), ten times the twin's own step. */
#include "dnt/twin_store.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnt/status.h"

enum { ST_TEL, ST_FC, ST_DEC, ST_INT, ST_STEP, ST_FIELD, N_ST };

static const char *const SQL[N_ST] = {
    "INSERT INTO twin_telemetry VALUES(?1,?2,?3,?4,?5)",
    "INSERT INTO twin_forecasts VALUES(?1,?2,?3,?4,?5,?6)",
    "INSERT INTO twin_decisions VALUES(?1,?2,?3,?4)",
    "INSERT INTO twin_interventions VALUES(?1,?2,?3,?4)",
    "INSERT OR REPLACE INTO twin_steps VALUES(?1,?2)",
    "INSERT INTO twin_fields VALUES(?1,?2,?3,?4)",
};

static const char *SCHEMA =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS twin_sessions(id INTEGER PRIMARY KEY, label TEXT, started REAL);"
    "CREATE TABLE IF NOT EXISTS twin_fields(session INTEGER, field INTEGER, name TEXT,"
    " grp INTEGER);"
    "CREATE TABLE IF NOT EXISTS twin_steps(session INTEGER, step INTEGER,"
    " PRIMARY KEY(session, step));"
    "CREATE TABLE IF NOT EXISTS twin_telemetry(session INTEGER, step INTEGER, source TEXT,"
    " n INTEGER, data BLOB);"
    "CREATE TABLE IF NOT EXISTS twin_forecasts(session INTEGER, step INTEGER, field INTEGER,"
    " horizon INTEGER, model TEXT, value REAL);"
    "CREATE TABLE IF NOT EXISTS twin_decisions(session INTEGER, step INTEGER, kind TEXT,"
    " action TEXT);"
    "CREATE TABLE IF NOT EXISTS twin_interventions(session INTEGER, step INTEGER,"
    " predicate TEXT, action TEXT);";

struct dnt_twin_store {
  sqlite3 *db;
  char *path;
  sqlite3_stmt *st[N_ST];
  int64_t session;
  char *text; /* JSON array buffer for actions */
  size_t cap_text;
  unsigned char *blob; /* packed telemetry */
  size_t cap_blob;
};

static int db_fail(dnt_twin_store *s, const char *what) {
  return dnt_error(DNT_ERR_EXTERNAL, "%s: twin store %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int exec(dnt_twin_store *s, const char *sql) {
  return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(s, sql);
}

/* Steps a bound statement and resets it. */
static int run_stmt(dnt_twin_store *s, int k) {
  int rc = sqlite3_step(s->st[k]) == SQLITE_DONE ? 0 : db_fail(s, SQL[k]);
  sqlite3_reset(s->st[k]);
  return rc;
}

static void free_store(dnt_twin_store *s) {
  for (int k = 0; k < N_ST; k++)
    sqlite3_finalize(s->st[k]);
  sqlite3_close(s->db);
  free(s->path);
  free(s->text);
  free(s->blob);
  free(s);
}

/* Opens the database at path with the tables and statements, no session. */
static int open_db(const char *path, dnt_twin_store **out) {
  *out = NULL;
  dnt_twin_store *s = calloc(1, sizeof *s);
  if (!s || !(s->path = strdup(path))) {
    free(s);
    return dnt_error(DNT_ERR_NOMEM, "%s: twin store: out of memory", path);
  }
  int rc = 0;
  if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    rc = db_fail(s, "open");
    goto fail;
  }
  sqlite3_busy_timeout(s->db, 10000); /* the run's own connection */
  if ((rc = exec(s, SCHEMA))) goto fail;
  for (int k = 0; k < N_ST; k++)
    if (sqlite3_prepare_v2(s->db, SQL[k], -1, &s->st[k], NULL) != SQLITE_OK) {
      rc = db_fail(s, SQL[k]);
      goto fail;
    }
  *out = s;
  return 0;
fail:
  free_store(s);
  return rc;
}

/* Runs a statement with ?1 = the session, ?2 = step. */
static int exec_bound(dnt_twin_store *s, const char *sql, int64_t step) {
  sqlite3_stmt *st = NULL;
  int rc = 0;
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return db_fail(s, sql);
  sqlite3_bind_int64(st, 1, s->session);
  sqlite3_bind_int64(st, 2, step);
  if (sqlite3_step(st) != SQLITE_DONE) rc = db_fail(s, sql);
  sqlite3_finalize(st);
  return rc;
}

int dnt_twin_store_open(const char *path, const char *label, dnt_twin_store **out) {
  dnt_twin_store *s = NULL;
  sqlite3_stmt *ins = NULL;
  int rc = open_db(path, &s);
  if (rc) return rc;
  if (sqlite3_prepare_v2(s->db, "INSERT INTO twin_sessions(label, started) VALUES(?1, ?2)", -1,
                         &ins, NULL) != SQLITE_OK) {
    rc = db_fail(s, "prepare session");
    goto fail;
  }
  sqlite3_bind_text(ins, 1, label ? label : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(ins, 2, (double)time(NULL));
  if (sqlite3_step(ins) != SQLITE_DONE) {
    rc = db_fail(s, "insert session");
    goto fail;
  }
  s->session = sqlite3_last_insert_rowid(s->db);
  sqlite3_finalize(ins);
  ins = NULL;
  if ((rc = exec(s, "BEGIN"))) goto fail;
  *out = s;
  return 0;
fail:
  sqlite3_finalize(ins);
  free_store(s);
  return rc;
}

int dnt_twin_store_resume(const char *path, int64_t session, int64_t step, dnt_twin_store **out) {
  static const char *const cut[] = {
      "DELETE FROM twin_steps WHERE session=?1 AND step>?2",
      "DELETE FROM twin_telemetry WHERE session=?1 AND step>?2",
      "DELETE FROM twin_forecasts WHERE session=?1 AND step>=?2",
      "DELETE FROM twin_decisions WHERE session=?1 AND step>?2",
      "DELETE FROM twin_interventions WHERE session=?1 AND step>?2",
  };
  dnt_twin_store *s = NULL;
  sqlite3_stmt *q = NULL;
  *out = NULL;
  int rc = open_db(path, &s);
  if (rc) return rc;
  s->session = session;
  if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM twin_sessions WHERE id=?1", -1, &q, NULL) !=
      SQLITE_OK) {
    rc = db_fail(s, "prepare session");
    goto fail;
  }
  sqlite3_bind_int64(q, 1, session);
  if (sqlite3_step(q) != SQLITE_ROW) {
    rc = dnt_error(DNT_ERR_CORRUPT, "%s: twin store: no session %lld to resume", path,
                   (long long)session);
    goto fail;
  }
  if ((rc = exec(s, "BEGIN"))) goto fail;
  for (size_t k = 0; k < sizeof cut / sizeof cut[0]; k++)
    if ((rc = exec_bound(s, cut[k], step))) goto fail;
  if ((rc = exec(s, "COMMIT")) || (rc = exec(s, "BEGIN"))) goto fail;
  sqlite3_finalize(q);
  *out = s;
  return 0;
fail:
  sqlite3_finalize(q);
  free_store(s);
  return rc;
}

int dnt_twin_store_close(dnt_twin_store *s) {
  if (!s) return 0;
  int rc = exec(s, "COMMIT");
  free_store(s);
  return rc;
}

int64_t dnt_twin_store_session(const dnt_twin_store *s) {
  return s->session;
}

static void bind_value(sqlite3_stmt *st, int i, double v) {
  if (isnan(v))
    sqlite3_bind_null(st, i);
  else
    sqlite3_bind_double(st, i, v);
}

int dnt_twin_store_fields(dnt_twin_store *s, const dnt_world_info *info) {
  sqlite3_stmt *st = s->st[ST_FIELD];
  for (size_t i = 0; i < info->n_fields; i++) {
    sqlite3_bind_int64(st, 1, s->session);
    sqlite3_bind_int64(st, 2, (int64_t)i);
    sqlite3_bind_text(st, 3, info->field_names[i], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, info->field_group[i]);
    int rc = run_stmt(s, ST_FIELD);
    if (rc != 0) return rc;
  }
  return 0;
}

/* n doubles as little-endian IEEE-754 bytes, whatever the host order. */
static int pack_le(dnt_twin_store *s, const double *x, size_t n) {
  if (8 * n > s->cap_blob) {
    unsigned char *p = realloc(s->blob, 8 * n);
    if (!p)
      return dnt_error(DNT_ERR_NOMEM, "%s: twin store: out of memory for %zu values", s->path, n);
    s->blob = p;
    s->cap_blob = 8 * n;
  }
  for (size_t i = 0; i < n; i++) {
    uint64_t u;
    memcpy(&u, &x[i], 8);
    for (int b = 0; b < 8; b++)
      s->blob[8 * i + (size_t)b] = (unsigned char)(u >> (8 * b));
  }
  return 0;
}

int dnt_twin_store_telemetry(dnt_twin_store *s, int64_t step, const char *source,
                             const double *values, size_t n) {
  int rc = pack_le(s, values, n);
  if (rc != 0) return rc;
  sqlite3_stmt *st = s->st[ST_TEL];
  sqlite3_bind_int64(st, 1, s->session);
  sqlite3_bind_int64(st, 2, step);
  sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, (int64_t)n);
  sqlite3_bind_blob(st, 5, s->blob, (int)(8 * n), SQLITE_STATIC);
  return run_stmt(s, ST_TEL);
}

int dnt_twin_store_read_telemetry(const char *path, int64_t session, int64_t step,
                                  const char *source, double *out, size_t n) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  int rc = 0;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db,
                         "SELECT data FROM twin_telemetry WHERE session=?1 AND step=?2 "
                         "AND source=?3",
                         -1, &st, NULL) != SQLITE_OK) {
    rc = dnt_error(DNT_ERR_EXTERNAL, "%s: twin store read: %s", path, sqlite3_errmsg(db));
  } else {
    sqlite3_bind_int64(st, 1, session);
    sqlite3_bind_int64(st, 2, step);
    sqlite3_bind_text(st, 3, source, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
      rc = dnt_error(DNT_ERR_ARG, "%s: no '%s' telemetry of session %lld at step %lld", path,
                     source, (long long)session, (long long)step);
    } else if ((size_t)sqlite3_column_bytes(st, 0) != 8 * n) {
      rc = dnt_error(DNT_ERR_MISMATCH, "%s: telemetry at step %lld has %d bytes, expected %zu",
                     path, (long long)step, sqlite3_column_bytes(st, 0), 8 * n);
    } else {
      const unsigned char *b = sqlite3_column_blob(st, 0);
      for (size_t i = 0; i < n; i++) {
        uint64_t u = 0;
        for (int k = 7; k >= 0; k--)
          u = (u << 8) | b[8 * i + (size_t)k];
        memcpy(&out[i], &u, 8);
      }
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

int dnt_twin_store_forecast(dnt_twin_store *s, int64_t step, int field, int horizon,
                            const char *model, double value) {
  sqlite3_stmt *st = s->st[ST_FC];
  sqlite3_bind_int64(st, 1, s->session);
  sqlite3_bind_int64(st, 2, step);
  sqlite3_bind_int(st, 3, field);
  sqlite3_bind_int(st, 4, horizon);
  sqlite3_bind_text(st, 5, model, -1, SQLITE_STATIC);
  bind_value(st, 6, value);
  return run_stmt(s, ST_FC);
}

/* "[v0,v1,...]" with %.17g (exact round trip); NaN as null. */
static const char *json_array(dnt_twin_store *s, const double *x, size_t n) {
  size_t need = 3 + n * 26; /* brackets, NUL, up to 25 characters and a comma each */
  if (need > s->cap_text) {
    char *p = realloc(s->text, need);
    if (!p) return NULL;
    s->text = p;
    s->cap_text = need;
  }
  size_t len = 0;
  s->text[len++] = '[';
  for (size_t i = 0; i < n; i++) {
    if (i) s->text[len++] = ',';
    if (isfinite(x[i]))
      len += (size_t)snprintf(s->text + len, need - len, "%.17g", x[i]);
    else
      len += (size_t)snprintf(s->text + len, need - len, "null");
  }
  s->text[len++] = ']';
  s->text[len] = '\0';
  return s->text;
}

static int insert_action(dnt_twin_store *s, int k, int64_t step, const char *label,
                         const double *action, size_t n) {
  const char *text = json_array(s, action, action ? n : 0);
  if (!text) return dnt_error(DNT_ERR_NOMEM, "%s: twin store: out of memory", s->path);
  sqlite3_stmt *st = s->st[k];
  sqlite3_bind_int64(st, 1, s->session);
  sqlite3_bind_int64(st, 2, step);
  sqlite3_bind_text(st, 3, label, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
  return run_stmt(s, k);
}

int dnt_twin_store_decision(dnt_twin_store *s, int64_t step, const char *kind, const double *action,
                            size_t n) {
  return insert_action(s, ST_DEC, step, kind, action, n);
}

int dnt_twin_store_intervention(dnt_twin_store *s, int64_t step, const char *predicate,
                                const double *action, size_t n) {
  return insert_action(s, ST_INT, step, predicate, action, n);
}

int dnt_twin_store_monitor(dnt_twin_store *s, const dnt_monitor *m, size_t *next) {
  size_t n = dnt_monitor_n_triggers(m);
  for (; *next < n; (*next)++) {
    const dnt_monitor_trigger *t = dnt_monitor_trigger_at(m, *next);
    int rc = dnt_twin_store_intervention(s, t->step, dnt_monitor_name(m, t->predicate),
                                         dnt_monitor_trigger_action(m, *next), t->n_action);
    if (rc != 0) return rc;
  }
  return 0;
}

int dnt_twin_store_commit(dnt_twin_store *s, int64_t step) {
  sqlite3_bind_int64(s->st[ST_STEP], 1, s->session);
  sqlite3_bind_int64(s->st[ST_STEP], 2, step);
  int rc = 0;
  if ((rc = run_stmt(s, ST_STEP)) || (rc = exec(s, "COMMIT"))) return rc;
  return exec(s, "BEGIN");
}
