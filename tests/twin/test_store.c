/* tests/twin/test_store.c: the twin store (dnt/twin_store.h). Rows written
 * and committed read back through plain SQLite (NaN as NULL, actions as JSON
 * text, monitor triggers as interventions, sessions kept apart); and a child
 * process killed with SIGKILL in the middle of writing leaves a database that
 * opens, passes integrity_check and holds every committed step whole and
 * nothing of the uncommitted ones. */
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnt/status.h"
#include "dnt/twin_store.h"
#include "test.h"

static char dir[64];

static double query(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  double v = NAN;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NAN;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
    v = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  return v;
}

static int text_is(sqlite3 *db, const char *sql, const char *want) {
  sqlite3_stmt *st;
  int ok = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return 0;
  if (sqlite3_step(st) == SQLITE_ROW)
    ok = strcmp((const char *)sqlite3_column_text(st, 0), want) == 0;
  sqlite3_finalize(st);
  return ok;
}

static int predicate_any(void *ctx, const dnt_monitor_view *v) {
  return v->action[0] > 0.5;
}

static void test_round_trip(void) {
  char path[128];
  snprintf(path, sizeof path, "%s/a.db", dir);
  dnt_twin_store *s;
  CHECK_OK(dnt_twin_store_open(path, "first", &s));
  const char *names[3] = {"a", "b", "c"};
  const int groups[3] = {0, 0, 1};
  dnt_world_info info = {3, 1, names, groups, 2, 1.0};
  CHECK_OK(dnt_twin_store_fields(s, &info));
  for (int step = 1; step <= 3; step++) {
    double v[3] = {step, step * 10.0, step == 2 ? NAN : -1};
    CHECK_OK(dnt_twin_store_telemetry(s, step, "physical", v, 3));
    CHECK_OK(dnt_twin_store_telemetry(s, step, "twin", v, 2));
    CHECK_OK(dnt_twin_store_forecast(s, step, 1, 2, "lstm", 0.25 * step));
    CHECK_OK(dnt_twin_store_decision(s, step, "shed", (double[]){0.5, NAN}, 2));
    CHECK_OK(dnt_twin_store_commit(s, step));
  }
  dnt_monitor *m;
  CHECK_OK(dnt_monitor_create(&m));
  CHECK_OK(dnt_monitor_add(m, "big", predicate_any, NULL));
  int unsafe;
  const double proposed[3] = {0.6, 0.2, 0.8}; /* the first and the last trigger */
  for (int k = 0; k < 3; k++) {
    dnt_monitor_view v = {k, (double[]){0}, 1, &proposed[k], 1, NULL};
    CHECK_OK(dnt_monitor_check(m, &v, &unsafe));
  }
  size_t next = 0;
  CHECK_OK(dnt_twin_store_monitor(s, m, &next));
  CHECK(next == 2);
  CHECK_OK(dnt_twin_store_monitor(s, m, &next)); /* nothing new */
  dnt_monitor_destroy(m);
  CHECK(dnt_twin_store_session(s) == 1);
  CHECK_OK(dnt_twin_store_close(s));
  CHECK_OK(dnt_twin_store_open(path, "second", &s));
  CHECK(dnt_twin_store_session(s) == 2);
  CHECK_OK(dnt_twin_store_telemetry(s, 1, "physical", (double[]){7}, 1));
  CHECK_OK(dnt_twin_store_close(s));

  sqlite3 *db;
  CHECK(sqlite3_open(path, &db) == SQLITE_OK);
  CHECK(text_is(db, "PRAGMA journal_mode", "wal"));
  CHECK(query(db, "SELECT count(*) FROM twin_telemetry WHERE session=1") == 6);
  CHECK(query(db, "SELECT count(*) FROM twin_telemetry WHERE session=2") == 1);
  CHECK(query(db, "SELECT sum(length(data)) FROM twin_telemetry WHERE session=1 AND "
                  "source='twin'") == 3 * 2 * 8);
  /* little-endian doubles: 1.0 is 00 00 00 00 00 00 f0 3f */
  CHECK(text_is(db,
                "SELECT hex(substr(data, 1, 8)) FROM twin_telemetry WHERE session=1 "
                "AND step=1 AND source='physical'",
                "000000000000F03F"));
  CHECK(query(db, "SELECT value FROM twin_forecasts WHERE step=2 AND model='lstm' AND "
                  "horizon=2 AND field=1") == 0.5);
  CHECK(text_is(db, "SELECT action FROM twin_decisions WHERE step=1", "[0.5,null]"));
  CHECK(text_is(db, "SELECT name FROM twin_fields WHERE field=2", "c"));
  CHECK(query(db, "SELECT grp FROM twin_fields WHERE field=2") == 1);
  CHECK(query(db, "SELECT count(*) FROM twin_interventions") == 2);
  CHECK(text_is(db, "SELECT action FROM twin_interventions WHERE step=2", "[0.80000000000000004]"));
  CHECK(text_is(db, "SELECT predicate FROM twin_interventions WHERE step=2", "big"));
  CHECK(query(db, "SELECT max(step) FROM twin_steps WHERE session=1") == 3);
  CHECK(text_is(db, "SELECT label FROM twin_sessions WHERE id=2", "second"));
  sqlite3_close(db);
  double back[3];
  CHECK_OK(dnt_twin_store_read_telemetry(path, 1, 2, "physical", back, 3));
  CHECK(back[0] == 2 && back[1] == 20 && isnan(back[2]));
  CHECK_OK(dnt_twin_store_read_telemetry(path, 2, 1, "physical", back, 1));
  CHECK(back[0] == 7);
  CHECK(dnt_twin_store_read_telemetry(path, 1, 9, "physical", back, 3) == DNT_ERR_ARG);
  CHECK(dnt_twin_store_read_telemetry(path, 1, 1, "twin", back, 3) == DNT_ERR_MISMATCH);
  CHECK(dnt_twin_store_open("/nonexistent/dir/x.db", "x", &s) == DNT_ERR_EXTERNAL);
}

enum { VALUES_PER_STEP = 3000 };

/* The child: writes steps forever, telling the parent each committed step. */
static void child(const char *path, int fd) {
  dnt_twin_store *s;
  if (dnt_twin_store_open(path, "killed", &s) != 0) _exit(3);
  double *v = malloc(VALUES_PER_STEP * sizeof *v);
  for (int64_t step = 1;; step++) {
    for (int i = 0; i < VALUES_PER_STEP; i++)
      v[i] = (double)step + i * 1e-3;
    if (dnt_twin_store_telemetry(s, step, "physical", v, VALUES_PER_STEP) != 0) _exit(4);
    for (int i = 0; i < VALUES_PER_STEP; i++) /* many rows: the kill lands mid-transaction */
      if (dnt_twin_store_forecast(s, step, i, 1, "lstm", v[i]) != 0) _exit(4);
    if (dnt_twin_store_commit(s, step) != 0) _exit(5);
    if (write(fd, &step, sizeof step) != sizeof step) _exit(6);
  }
}

static void test_killed_child(void) {
  char path[128];
  snprintf(path, sizeof path, "%s/killed.db", dir);
  int fds[2];
  CHECK(pipe(fds) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child(path, fds[1]);
  }
  close(fds[1]);
  int64_t seen = 0, step;
  while (seen < 20 && read(fds[0], &step, sizeof step) == sizeof step)
    seen = step;
  /* let it get into the middle of a later step's transaction, then kill */
  while (read(fds[0], &step, sizeof step) == sizeof step && step < seen + 3) {
  }
  usleep(500);
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  close(fds[0]);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  CHECK(seen >= 20);

  sqlite3 *db;
  CHECK(sqlite3_open(path, &db) == SQLITE_OK);
  CHECK(text_is(db, "PRAGMA integrity_check", "ok"));
  double committed = query(db, "SELECT count(*) FROM twin_steps");
  double last = query(db, "SELECT max(step) FROM twin_steps");
  printf("child killed after >= %lld commits; database holds %g steps (last %g)\n", (long long)seen,
         committed, last);
  CHECK(last >= seen + 3);
  CHECK(committed == last); /* steps 1..last, none missing */
  /* every committed step whole, nothing of an uncommitted one */
  CHECK(query(db, "SELECT count(*) FROM twin_telemetry WHERE length(data) != 24000 "
                  "OR n != 3000") == 0);
  CHECK(query(db, "SELECT count(DISTINCT step) FROM twin_telemetry") == committed);
  CHECK(query(db, "SELECT count(*) FROM (SELECT step, count(*) AS n FROM twin_forecasts "
                  "GROUP BY step HAVING n != 3000)") == 0);
  CHECK(query(db, "SELECT count(DISTINCT step) FROM twin_forecasts") == committed);
  CHECK(query(db, "SELECT count(*) FROM twin_telemetry WHERE step NOT IN "
                  "(SELECT step FROM twin_steps)") == 0);
  sqlite3_close(db);
  double *v = malloc(VALUES_PER_STEP * sizeof *v);
  CHECK_OK(dnt_twin_store_read_telemetry(path, 1, (int64_t)last, "physical", v, VALUES_PER_STEP));
  CHECK(v[1000] == last + 1000 * 1e-3 && v[0] == last);
  free(v);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/dnt_twin_store_XXXXXX");
  if (!mkdtemp(dir)) test_skip("cannot create a temporary folder");
  test_round_trip();
  test_killed_child();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return test_done("twin.store");
}
