/* test_run: a run writes config.json, dnt.db and summary.json with the
 * documented fields (also for a failed run); committed metrics survive a
 * SIGKILL of the process and the next open marks it killed and removes its
 * temp files; the opening modes (new, force, resume) guard the folder; a
 * resumed run drops the metrics logged after its checkpoint and its
 * metrics.csv equals an uninterrupted run's. */
#include "dnt/run.h"

#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnt/csv.h"
#include "dnt/fileio.h"
#include "dnt/status.h"
#include "test.h"

/* Runs a query returning one integer (or -1 on error). */
static long long query_int(const char *db_path, const char *sql) {
  sqlite3 *db;
  long long v = -1;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    else
      fprintf(stderr, "query '%s': %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return v;
}

static void check_complete_run(const char *root) {
  char dir[300], path[400];
  snprintf(dir, sizeof dir, "%s/complete", root);
  dnt_run *r;
  CHECK_OK(dnt_run_open(dir, "caching", "{\"caching\": {\"slots\": 150, \"zipf\": 0.8}}", 42, &r));
  if (!r) return;
  CHECK(strcmp(dnt_run_dir(r), dir) == 0);
  for (int step = 0; step < 10; step++)
    CHECK_OK(dnt_run_metric(r, "loss", step, 1.0 / (step + 1)));
  CHECK_OK(dnt_run_commit(r));
  CHECK_OK(dnt_run_metric(r, "hit_rate", 0, 0.5));
  CHECK_OK(dnt_run_summary_number(r, "hit_rate", 0.1));
  CHECK_OK(dnt_run_summary_number(r, "hit_rate", 0.875)); /* last value wins */
  CHECK_OK(dnt_run_summary_number(r, "episodes", 400));
  CHECK_OK(dnt_run_summary_number(r, "undefined", NAN));
  CHECK_OK(dnt_run_summary_string(r, "policy", "lru"));
  CHECK_OK(dnt_run_summary_json(r, "loads", "[0.2, 0.3]"));
  CHECK(dnt_run_summary_json(r, "bad", "[0.2,") == DNT_ERR_PARSE);
  char small[8];
  CHECK(dnt_run_path(r, "summary.json", small, sizeof small) == DNT_ERR_ARG);
  CHECK_OK(dnt_run_close(r));

  snprintf(path, sizeof path, "%s/config.json", dir);
  CHECK(dnt_path_exists(path));
  snprintf(path, sizeof path, "%s/summary.json", dir);
  json_error_t err;
  json_t *s = json_load_file(path, 0, &err);
  CHECK_MSG(s != NULL, "%s", err.text);
  if (!s) return;
  CHECK(strcmp(json_string_value(json_object_get(s, "study")), "caching") == 0);
  CHECK(json_integer_value(json_object_get(s, "seed")) == 42);
  CHECK(strcmp(json_string_value(json_object_get(s, "version")), dnt_version()) == 0);
  CHECK(strcmp(json_string_value(json_object_get(s, "git_revision")), dnt_git_revision()) == 0);
  json_t *wall = json_object_get(s, "wall_seconds");
  CHECK(json_is_number(wall) && json_number_value(wall) >= 0 && json_number_value(wall) < 60);
  json_t *cfg = json_object_get(s, "config");
  CHECK(json_integer_value(json_object_get(json_object_get(cfg, "caching"), "slots")) == 150);
  json_t *m = json_object_get(s, "metrics");
  CHECK(json_real_value(json_object_get(m, "hit_rate")) == 0.875);
  CHECK(json_is_integer(json_object_get(m, "episodes")));
  CHECK(json_is_null(json_object_get(m, "undefined")));
  CHECK(strcmp(json_string_value(json_object_get(m, "policy")), "lru") == 0);
  CHECK(json_array_size(json_object_get(m, "loads")) == 2);
  CHECK(json_object_get(m, "bad") == NULL);
  json_decref(s);

  /* metrics.csv mirrors the table, ordered by name then step. */
  snprintf(path, sizeof path, "%s/metrics.csv", dir);
  dnt_csv *t = NULL;
  CHECK_OK(dnt_csv_read(path, ',', &t));
  if (t) {
    CHECK(t->n_rows == 11 && t->n_cols == 3);
    CHECK(!strcmp(dnt_csv_cell(t, 0, 0), "hit_rate") && !strcmp(dnt_csv_cell(t, 0, 2), "0.5"));
    double v = 0;
    CHECK(!strcmp(dnt_csv_cell(t, 4, 0), "loss") && !strcmp(dnt_csv_cell(t, 4, 1), "3"));
    CHECK_OK(dnt_csv_double(t, 4, 2, &v));
    CHECK(v == 0.25);
    CHECK_OK(dnt_csv_double(t, 10, 2, &v));
    CHECK(v == 1.0 / 10);
    dnt_csv_free(t);
  }

  snprintf(path, sizeof path, "%s/dnt.db", dir);
  CHECK(query_int(path, "SELECT count(*) FROM metrics WHERE name = 'loss'") == 10);
  CHECK(query_int(path, "SELECT count(*) FROM metrics WHERE name = 'hit_rate'") == 1);
  CHECK(query_int(path, "SELECT step FROM metrics WHERE name = 'loss' AND value = 0.25") == 3);
  CHECK(query_int(path, "SELECT count(*) FROM runs WHERE study = 'caching' AND seed = 42 AND"
                        " ended IS NOT NULL AND wall_seconds >= 0 AND error IS NULL") == 1);

  /* A second run in the same folder gets its own row. */
  CHECK_OK(dnt_run_open(dir, "caching", NULL, UINT64_MAX, &r));
  if (r) {
    CHECK_OK(dnt_run_metric(r, "loss", 0, 2.0));
    CHECK_OK(dnt_run_close(r));
  }
  CHECK(query_int(path, "SELECT count(*) FROM runs") == 2);
  CHECK(query_int(path, "SELECT count(*) FROM metrics WHERE run_id = 2") == 1);
  snprintf(path, sizeof path, "%s/summary.json", dir);
  s = json_load_file(path, 0, &err);
  CHECK(s && strcmp(json_string_value(json_object_get(s, "seed")), "18446744073709551615") == 0);
  CHECK(s && json_is_null(json_object_get(s, "config")));
  json_decref(s);
}

static void check_abort_and_errors(const char *root) {
  char dir[300], path[400];
  snprintf(dir, sizeof dir, "%s/aborted", root);
  dnt_run *r;
  CHECK_OK(dnt_run_open(dir, "forecast", "{}", 1, &r));
  if (!r) return;
  CHECK_OK(dnt_run_metric(r, "mse", 0, 0.5));
  dnt_error(DNT_ERR_NUMERIC, "the cause");
  dnt_run_abort(r, "diverged at round 3");
  CHECK(strcmp(dnt_last_error(), "the cause") == 0); /* the caller still reports the cause */
  snprintf(path, sizeof path, "%s/summary.json", dir);
  json_error_t err;
  json_t *s = json_load_file(path, 0, &err);
  CHECK(s && !strcmp(json_string_value(json_object_get(s, "status")), "failed"));
  CHECK(s && !strcmp(json_string_value(json_object_get(s, "error")), "diverged at round 3"));
  json_decref(s);
  snprintf(path, sizeof path, "%s/dnt.db", dir);
  CHECK(query_int(path, "SELECT count(*) FROM runs WHERE error = 'diverged at round 3' AND"
                        " status = 'failed'") == 1);
  CHECK(query_int(path, "SELECT count(*) FROM metrics") == 1);

  snprintf(dir, sizeof dir, "%s/badconfig", root);
  r = NULL;
  CHECK(dnt_run_open(dir, "x", "{\"a\": ", 1, &r) == DNT_ERR_PARSE);
  CHECK(r == NULL);
}

/* The child commits 5 metrics, buffers 3 more, tells the parent, and is killed. */
static void check_killed_run(const char *root) {
  char dir[300], path[400];
  snprintf(dir, sizeof dir, "%s/killed", root);
  int fds[2];
  CHECK(pipe(fds) == 0);
  fflush(NULL);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    dnt_run *r;
    if (dnt_run_open(dir, "security", "{}", 9, &r)) _exit(1);
    for (int i = 0; i < 5; i++)
      dnt_run_metric(r, "reward", i, i);
    if (dnt_run_commit(r)) _exit(2);
    for (int i = 5; i < 8; i++)
      dnt_run_metric(r, "reward", i, i);
    char ready = 1;
    if (write(fds[1], &ready, 1) != 1) _exit(3);
    for (;;)
      pause();
  }
  close(fds[1]);
  char ready = 0;
  CHECK(read(fds[0], &ready, 1) == 1 && ready == 1);
  close(fds[0]);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  snprintf(path, sizeof path, "%s/dnt.db", dir);
  CHECK(query_int(path, "SELECT count(*) FROM metrics WHERE name = 'reward'") == 5);
  CHECK(query_int(path, "SELECT max(step) FROM metrics") == 4);
  CHECK(query_int(path, "SELECT count(*) FROM runs WHERE ended IS NULL") == 1);
  CHECK(query_int(path,
                  "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1);
  snprintf(path, sizeof path, "%s/summary.json", dir);
  CHECK(!dnt_path_exists(path));

  /* The next open of the folder marks the killed run and removes the temp
   * files of dead processes (pid 'pid' is gone; ours is alive). */
  char stale[400], live[400];
  snprintf(stale, sizeof stale, "%s/rounds.csv.tmp.%ld", dir, (long)pid);
  snprintf(live, sizeof live, "%s/other.csv.tmp.%ld", dir, (long)getppid());
  FILE *f = fopen(stale, "w");
  if (f) fclose(f);
  f = fopen(live, "w");
  if (f) fclose(f);
  dnt_run *r;
  CHECK_OK(dnt_run_open(dir, "security", "{}", 9, &r));
  if (r) CHECK_OK(dnt_run_close(r));
  CHECK(!dnt_path_exists(stale));
  CHECK(dnt_path_exists(live));
  snprintf(path, sizeof path, "%s/dnt.db", dir);
  CHECK(query_int(path, "SELECT count(*) FROM runs WHERE status = 'killed'") == 1);
  CHECK(query_int(path, "SELECT count(*) FROM runs WHERE status = 'done'") == 1);
}

/* Opening modes: a new run needs an empty folder, --force empties only a
 * result folder, --resume needs the same study and config. */
static void check_modes(const char *root) {
  char dir[300], path[400];
  snprintf(dir, sizeof dir, "%s/modes", root);
  dnt_run *r = NULL;
  CHECK_OK(dnt_run_open_mode(dir, "nn", "{\"a\": 1, \"b\": {\"c\": 2}}", 1, DNT_RUN_NEW, &r));
  CHECK(r && !dnt_run_resuming(r));
  if (r) CHECK_OK(dnt_run_close(r));
  r = NULL;
  CHECK(dnt_run_open_mode(dir, "twin", NULL, 1, DNT_RUN_NEW, &r) == DNT_ERR_ARG);
  CHECK(r == NULL && strstr(dnt_last_error(), "summary.json") &&
        strstr(dnt_last_error(), "--force"));
  CHECK(dnt_run_open_mode(dir, "twin", NULL, 1, DNT_RUN_RESUME, &r) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "another config") != NULL);
  CHECK(dnt_run_open_mode(dir, "nn", "{\"a\": 1, \"b\": {\"c\": 3}}", 1, DNT_RUN_RESUME, &r) ==
        DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "b.c: 3 here, 2 in the folder") != NULL);
  CHECK(dnt_run_open_mode(dir, "twin", "{\"a\": 1, \"b\": {\"c\": 2}}", 1, DNT_RUN_RESUME, &r) ==
        DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "a run of 'nn', not 'twin'") != NULL);
  CHECK_OK(dnt_run_open_mode(dir, "nn", "{\"b\": {\"c\": 2}, \"a\": 1}", 1, DNT_RUN_RESUME, &r));
  CHECK(r && dnt_run_resuming(r));
  if (r) CHECK_OK(dnt_run_close(r));
  snprintf(path, sizeof path, "%s/forecast.csv", dir);
  FILE *f = fopen(path, "w");
  if (f) fclose(f);
  CHECK_OK(dnt_run_open_mode(dir, "twin", NULL, 1, DNT_RUN_FORCE, &r));
  if (r) CHECK_OK(dnt_run_close(r));
  CHECK(!dnt_path_exists(path)); /* the other run's files are gone */
  snprintf(path, sizeof path, "%s/dnt.db", dir);
  CHECK(query_int(path, "SELECT count(*) FROM runs") == 1);

  /* --force refuses a folder that is not a result folder; --resume an empty one */
  snprintf(dir, sizeof dir, "%s/home", root);
  CHECK(mkdir(dir, 0755) == 0);
  snprintf(path, sizeof path, "%s/thesis.tex", dir);
  f = fopen(path, "w");
  if (f) fclose(f);
  CHECK(dnt_run_open_mode(dir, "nn", NULL, 1, DNT_RUN_FORCE, &r) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "not a dnt result folder") && dnt_path_exists(path));
  snprintf(dir, sizeof dir, "%s/empty", root);
  CHECK(dnt_run_open_mode(dir, "nn", NULL, 1, DNT_RUN_RESUME, &r) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "nothing to resume") != NULL);
}

/* Metrics of run `r` at steps from..to: loss = step / 10. */
static void log_steps(dnt_run *r, int from, int to) {
  for (int s = from; s <= to; s++)
    CHECK_OK(dnt_run_metric(r, "loss", s, s / 10.0));
  CHECK_OK(dnt_run_commit(r));
}

/* A run logs steps 1..5, is "killed" after a checkpoint at step 3 (its
 * metrics at 4, 5 stay in the store), and a resume from 3 logs 4..6: the
 * store then holds 1..6 once, and metrics.csv is the uninterrupted run's. */
static void check_resume_metrics(const char *root) {
  char dir[300], ref[300], path[400], *want = NULL, *got = NULL;
  size_t lw = 0, lg = 0;
  snprintf(ref, sizeof ref, "%s/straight", root);
  snprintf(dir, sizeof dir, "%s/resumed", root);
  dnt_run *r = NULL;
  CHECK_OK(dnt_run_open_mode(ref, "rl", "{}", 1, DNT_RUN_NEW, &r));
  log_steps(r, 1, 6);
  CHECK_OK(dnt_run_close(r));
  CHECK_OK(dnt_run_open_mode(dir, "rl", "{}", 1, DNT_RUN_NEW, &r));
  log_steps(r, 1, 5);
  CHECK_OK(dnt_run_interrupted(r, "stopped"));
  CHECK_OK(dnt_run_open_mode(dir, "rl", "{}", 1, DNT_RUN_RESUME, &r));
  CHECK_OK(dnt_run_resume_metrics(r, 3));
  log_steps(r, 4, 6);
  CHECK_OK(dnt_run_close(r));
  snprintf(path, sizeof path, "%s/dnt.db", dir);
  CHECK(query_int(path, "SELECT count(*) FROM metrics") == 6);
  CHECK(query_int(path, "SELECT count(*) FROM metrics WHERE run_id = 1") == 3);
  CHECK(query_int(path, "SELECT count(*) FROM runs") == 2);
  snprintf(path, sizeof path, "%s/metrics.csv", ref);
  CHECK_OK(dnt_read_file(path, &want, &lw));
  snprintf(path, sizeof path, "%s/metrics.csv", dir);
  CHECK_OK(dnt_read_file(path, &got, &lg));
  CHECK(want && got && lw == lg && memcmp(want, got, lw) == 0 && strstr(got, "loss,6,"));
  free(want);
  free(got);
}

int main(void) {
  char root[] = "/tmp/dnt_test_run_XXXXXX";
  CHECK(mkdtemp(root) != NULL);
  CHECK(strlen(dnt_version()) >= 5 && strchr(dnt_version(), '.') != NULL);
  CHECK(strlen(dnt_git_revision()) > 0);
  check_complete_run(root);
  check_abort_and_errors(root);
  check_killed_run(root);
  check_modes(root);
  check_resume_metrics(root);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  CHECK(system(cmd) == 0);
  return test_done("run");
}
