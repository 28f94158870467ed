/* tests/studies/test_twin.c: a twin session (dnt/study_twin.h) on the
 * example world writes its tables, figures' scripts, store and summary; the
 * fidelity table agrees with the stats; with a report every step and no
 * latency the mirror (stored) equals the physical telemetry (stored); the
 * forecasters see the mirrored history after the first sync and are scored
 * on the physical values (recomputed by hand with latency 5). The cellular
 * study: a seed repeats its run and another seed changes the channel's
 * losses, a library caller's struct is checked like a file; killed with
 * SIGKILL in a forked child mid-run and resumed, it ends with the folder of
 * the uninterrupted run (tables and checkpoint byte for byte, summary
 * numbers, the store's rows). */
#include "dnt/status.h"
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../docs/example_world.c"
#include <jansson.h>

#include "dnt/csv.h"
#include "dnt/fileio.h"
#include "dnt/run.h"
#include "dnt/study_twin.h"
#include "dnt/twin_store.h"
#include "test.h"

enum { LINKS = 3, NF = LINKS + 1, STEPS = 240 };

static int file_in(const char *dir, const char *name) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return dnt_path_exists(p);
}

static void session(const char *dir, int64_t latency, dnt_twin_session_result *res) {
  example_links_config pc = {.n_links = LINKS, .drift = 0, .sigma = 0.2, .capacity = 20};
  example_links_config tc = pc;
  tc.sigma = 0;
  dnt_world *p, *w;
  dnt_twin *t;
  CHECK_OK(example_links_create(&pc, 1, &p));
  CHECK_OK(example_links_create(&tc, 2, &w));
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.channel.uplink_latency = latency;
  CHECK_OK(dnt_twin_create(p, w, &sc, &t));
  dnt_twin_session_config c;
  dnt_twin_session_config_default(&c);
  const size_t fields[LINKS] = {0, 1, 2};
  c.steps = STEPS;
  c.forecast_fields = fields;
  c.n_forecast_fields = LINKS;
  c.season = 12;
  c.horizon = 3;
  c.eval_stride = 4;
  c.lstm.window = 8;
  c.lstm.hidden = 8;
  c.lstm.train_steps = 60;
  dnt_run *run;
  CHECK_OK(dnt_run_open(dir, "twin-test", NULL, 1, &run));
  CHECK_OK(dnt_twin_session_run(t, &c, run, res));
  CHECK_OK(dnt_run_close(run));
  dnt_twin_destroy(t);
  dnt_world_destroy(p);
}

static void test_outputs(const char *base) {
  char dir[256];
  snprintf(dir, sizeof dir, "%s/zero", base);
  dnt_twin_session_result r;
  session(dir, 0, &r);
  CHECK(r.stats.steps == STEPS && r.stats.rmse_mean == 0);
  CHECK(r.series_len == STEPS && r.train_len == (size_t)(0.7 * STEPS));
  CHECK(r.lstm.k == 3 && isfinite(r.lstm.rmse[2]) && r.snaive.rmse[0] > 0);
  const char *files[] = {"fidelity.csv",      "forecast_error.csv", "fidelity.gp", "bytes.gp",
                         "forecast_error.gp", "summary.json",       "dnt.db"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    CHECK_MSG(file_in(dir, files[i]), "%s", files[i]);
  char path[512];
  snprintf(path, sizeof path, "%s/fidelity.csv", dir);
  dnt_csv *csv;
  CHECK_OK(dnt_csv_read(path, ',', &csv));
  CHECK(csv->n_rows == STEPS);
  size_t col;
  CHECK_OK(dnt_csv_column(csv, "bytes_up", &col));
  double bytes;
  CHECK_OK(dnt_csv_double(csv, STEPS - 1, col, &bytes));
  CHECK(bytes == (double)r.stats.bytes_up);
  CHECK(bytes == STEPS * (DNT_SYNC_HEADER_BYTES + 8.0 * NF));
  dnt_csv_free(csv);
  snprintf(path, sizeof path, "%s/dnt.db", dir);
  double phys[NF], mirror[NF];
  int same = 1;
  for (int64_t s = 1; s <= STEPS; s += 17) {
    CHECK_OK(dnt_twin_store_read_telemetry(path, 1, s, "physical", phys, NF));
    CHECK_OK(dnt_twin_store_read_telemetry(path, 1, s, "mirror", mirror, NF));
    same &= memcmp(phys, mirror, sizeof phys) == 0;
  }
  CHECK(same);
  char *text;
  size_t len;
  snprintf(path, sizeof path, "%s/summary.json", dir);
  CHECK_OK(dnt_read_file(path, &text, &len));
  CHECK(strstr(text, "\"twin.policy\": \"periodic\"") != NULL);
  CHECK(strstr(text, "twin.forecast.lstm_rmse_1") != NULL);
  free(text);
}

/* With latency 5 the mirror row of step s holds physical step s - 5: the
 * seasonal-naive error the session reports is that of forecasts made from the
 * mirror and scored on the physical values, recomputed here from the store
 * (scored on the mirror itself it would miss the 5 steps of lag). */
static void test_latency(const char *base) {
  enum { L = 5, SEASON = 12, K = 3, STRIDE = 4 };
  char dir[256];
  snprintf(dir, sizeof dir, "%s/late", base);
  dnt_twin_session_result r;
  session(dir, L, &r);
  /* the first 5 steps are never synced: the history starts at step 6 */
  CHECK(r.series_len == STEPS - L);
  CHECK(r.stats.rmse_mean > 0 && r.stats.reports_delivered == STEPS - L);
  static double phys[STEPS + 1][NF], mirror[STEPS + 1][NF];
  char path[512];
  snprintf(path, sizeof path, "%s/dnt.db", dir);
  for (int64_t s = 1; s <= STEPS; s++) {
    CHECK_OK(dnt_twin_store_read_telemetry(path, 1, s, "physical", phys[s], NF));
    CHECK_OK(dnt_twin_store_read_telemetry(path, 1, s, "mirror", mirror[s], NF));
  }
  size_t len = STEPS - L, train = (size_t)(0.7 * (double)len), origins = 0;
  double sq[K] = {0}, sq_mirror[K] = {0};
  for (size_t t = train; t + K <= len; t += STRIDE, origins++)
    for (int f = 0; f < LINKS; f++)
      for (int h = 0; h < K; h++) { /* row i of the series is step L + 1 + i */
        double pred = mirror[L + 1 + t - SEASON + (size_t)h][f];
        double e = pred - phys[L + 1 + t + (size_t)h][f];
        double em = pred - mirror[L + 1 + t + (size_t)h][f];
        sq[h] += e * e;
        sq_mirror[h] += em * em;
      }
  CHECK(r.snaive.origins == origins * LINKS);
  for (int h = 0; h < K; h++) {
    double want = sqrt(sq[h] / (double)(origins * LINKS));
    CHECK_NEAR(r.snaive.rmse[h], want, 1e-9 * want);
    CHECK(fabs(r.snaive.rmse[h] - sqrt(sq_mirror[h] / (double)(origins * LINKS))) > 1e-3);
  }
}

/* reports_lost and the mean fidelity RMSE of the study with `seed`. */
static int study_once(const dnt_study_twin_config *c, const char *dir, uint64_t seed,
                      double out[2]) {
  dnt_run *run = NULL;
  int rc = dnt_run_open(dir, "twin", NULL, seed, &run);
  if (rc) return rc;
  if (!(rc = dnt_study_twin_run(c, run, NULL)) &&
      !(rc = dnt_run_summary_get(run, "twin.reports_lost", &out[0])))
    rc = dnt_run_summary_get(run, "twin.fidelity_rmse_mean", &out[1]);
  if (rc)
    dnt_run_abort(run, dnt_last_error());
  else
    rc = dnt_run_close(run);
  return rc;
}

static void test_study(const char *base) {
  dnt_study_twin_config c;
  dnt_study_twin_defaults(&c);
  CHECK(c.steps == 1008 && !strcmp(c.policy, "periodic") && c.cellular.n_bs == 125);
  c.cellular.n_bs = 8;
  c.steps = 120;
  c.loss = 0.3;
  c.lstm_train_steps = 20;
  c.store_every = 0;
  double a[2], b[2], d[2];
  char dir[256];
  snprintf(dir, sizeof dir, "%s/study_a", base);
  CHECK_OK(study_once(&c, dir, 1, a));
  snprintf(dir, sizeof dir, "%s/study_b", base);
  CHECK_OK(study_once(&c, dir, 1, b));
  snprintf(dir, sizeof dir, "%s/study_c", base);
  CHECK_OK(study_once(&c, dir, 2, d));
  CHECK(a[0] == b[0] && a[1] == b[1]);
  CHECK(a[0] > 10 && a[0] < 60); /* about 0.3 x 120 */
  CHECK(a[1] != d[1]);           /* the seed reaches the channel and the worlds */
  c.policy = "sometimes";        /* a struct is held to the rows */
  snprintf(dir, sizeof dir, "%s/study_bad", base);
  CHECK(study_once(&c, dir, 1, d) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "twin.policy") != NULL);
}

/* SIGKILL at the progress report of step `*ctx` or later. */
static void kill_at(void *ctx, const char *phase, uint64_t done, uint64_t total) {
  (void)total;
  if (!strcmp(phase, "twin: stepping") && done >= *(const uint64_t *)ctx) raise(SIGKILL);
}

static int run_mode(const dnt_study_twin_config *c, const char *dir, dnt_run_mode mode,
                    const dnt_study_progress *p) {
  dnt_run *run = NULL;
  int rc = dnt_run_open_mode(dir, "twin", "{}", 4, mode, &run);
  if (rc) return rc;
  dnt_run_set_resuming(run, mode == DNT_RUN_RESUME);
  if ((rc = dnt_study_twin_run(c, run, p)))
    dnt_run_abort(run, dnt_last_error());
  else
    rc = dnt_run_close(run);
  return rc;
}

static int same_file(const char *a, const char *b, const char *name) {
  char pa[512], pb[512];
  snprintf(pa, sizeof pa, "%s/%s", a, name);
  snprintf(pb, sizeof pb, "%s/%s", b, name);
  char *x = NULL, *y = NULL;
  size_t nx = 0, ny = 0;
  int same = !dnt_read_file(pa, &x, &nx) && !dnt_read_file(pb, &y, &ny) && nx == ny && nx > 0 &&
             memcmp(x, y, nx) == 0;
  free(x);
  free(y);
  return same;
}

/* Row counts of the store's tables, and the steps' sum. */
static void store_counts(const char *dir, int64_t out[4]) {
  static const char *const q[] = {"SELECT count(*), sum(step) FROM twin_telemetry",
                                  "SELECT count(*), sum(step) FROM twin_forecasts"};
  char path[512];
  snprintf(path, sizeof path, "%s/dnt.db", dir);
  sqlite3 *db = NULL;
  CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
  for (int k = 0; k < 2; k++) {
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(db, q[k], -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    out[2 * k] = sqlite3_column_int64(st, 0);
    out[2 * k + 1] = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
}

static void test_kill_resume(const char *base) {
  dnt_study_twin_config c;
  dnt_study_twin_defaults(&c);
  c.cellular.n_bs = 6;
  c.steps = 300;
  c.loss = 0.3;
  c.latency_s = 7200;
  c.lstm_train_steps = 20;
  c.checkpoint_every = 50;
  char a[256], b[256];
  snprintf(a, sizeof a, "%s/kill_a", base);
  snprintf(b, sizeof b, "%s/kill_b", base);
  CHECK_OK(run_mode(&c, a, DNT_RUN_NEW, NULL));
  uint64_t at = 128; /* after the checkpoint at 100: rows 101..128 are redone */
  dnt_study_progress p = {kill_at, &at};
  pid_t pid = fork();
  if (pid == 0) _exit(run_mode(&c, b, DNT_RUN_NEW, &p) ? 1 : 0);
  int status = 0;
  CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  CHECK(!same_file(a, b, "fidelity.csv")); /* the kill left a shorter table */
  CHECK_OK(run_mode(&c, b, DNT_RUN_RESUME, NULL));
  static const char *const files[] = {"fidelity.csv", "forecast_error.csv", "checkpoint.state",
                                      "metrics.csv"};
  for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
    CHECK_MSG(same_file(a, b, files[k]), "%s differs after kill and resume", files[k]);
  int64_t na[4], nb[4];
  store_counts(a, na);
  store_counts(b, nb);
  CHECK(na[0] == 2 * 300 && na[2] > 0); /* physical and mirror rows of every step, forecasts */
  CHECK(memcmp(na, nb, sizeof na) == 0);
  /* summary numbers: those of the uninterrupted run but the times */
  char sa[512], sb[512];
  snprintf(sa, sizeof sa, "%s/summary.json", a);
  snprintf(sb, sizeof sb, "%s/summary.json", b);
  json_t *ja = json_load_file(sa, 0, NULL), *jb = json_load_file(sb, 0, NULL);
  CHECK(ja && jb);
  json_t *ma = json_object_get(ja, "metrics"), *mb = json_object_get(jb, "metrics");
  CHECK(json_object_size(ma) > 20 && json_object_size(ma) == json_object_size(mb));
  const char *key;
  json_t *v;
  json_object_foreach(ma, key, v) {
    if (strstr(key, "_seconds")) continue;
    CHECK_MSG(json_equal(v, json_object_get(mb, key)), "summary %s differs", key);
  }
  json_decref(ja);
  json_decref(jb);
  /* a resume without a checkpoint is refused */
  snprintf(b, sizeof b, "%s/kill_none", base);
  CHECK(mkdir(b, 0755) == 0);
  CHECK(run_mode(&c, b, DNT_RUN_SHARE, NULL) == 0);
  snprintf(sa, sizeof sa, "%s/checkpoint.state", b);
  CHECK(remove(sa) == 0);
  CHECK(run_mode(&c, b, DNT_RUN_RESUME, NULL) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "no checkpoint") != NULL);
}

int main(void) {
  char base[] = "/tmp/dnt_twin_session_XXXXXX";
  if (!mkdtemp(base)) test_skip("cannot create a temporary folder");
  test_outputs(base);
  test_latency(base);
  test_study(base);
  test_kill_resume(base);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", base);
  return test_done("studies.twin");
}
