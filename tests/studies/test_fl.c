/* tests/studies/test_fl.c: the FL study resumes exactly in every mode.
 *
 * For sync, sync with groups (hierarchical), FedAsync and FedBuff with groups:
 * the run is killed (SIGKILL, in a forked child, a few rounds after a
 * checkpoint, so that rounds.csv and the database hold rows the checkpoint
 * does not), more rows and a torn half row are appended to rounds.csv as a
 * kill mid-write leaves them, and the run is resumed: rounds.csv, checkpoint.state,
 * metrics.csv and the summary metrics equal the uninterrupted run's byte for
 * byte. A stop request ends a run with its checkpoint (DNT_ERR_INTERRUPTED)
 * and the resume again equals it. A truncated or flipped checkpoint is
 * DNT_ERR_CORRUPT naming the file; the checks refuse what cannot run. */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnt/interrupt.h"
#include "dnt/run.h"
#include "dnt/status.h"
#include "dnt/study_fl.h"
#include "test.h"

#define KILL_AT 17 /* rounds done when the child kills itself (checkpoints every 5) */

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
  }
  if (b) b[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return b;
}

static int same_file(const char *a, const char *b, const char *name) {
  char pa[512], pb[512];
  snprintf(pa, sizeof pa, "%s/%s", a, name);
  snprintf(pb, sizeof pb, "%s/%s", b, name);
  size_t na = 0, nb = 0;
  char *x = read_all(pa, &na), *y = read_all(pb, &nb);
  int same = x && y && na == nb && !memcmp(x, y, na);
  free(x);
  free(y);
  return same;
}

static int same_metrics(const char *a, const char *b) {
  char pa[512], pb[512];
  snprintf(pa, sizeof pa, "%s/summary.json", a);
  snprintf(pb, sizeof pb, "%s/summary.json", b);
  json_error_t e;
  json_t *x = json_load_file(pa, 0, &e), *y = json_load_file(pb, 0, &e);
  int same = x && y && json_equal(json_object_get(x, "metrics"), json_object_get(y, "metrics")) &&
             !strcmp(json_string_value(json_object_get(y, "status")), "done");
  json_decref(x);
  json_decref(y);
  return same;
}

/* Kills the process once KILL_AT rounds are done (the child's progress). */
static void kill_at(void *ctx, const char *phase, uint64_t done, uint64_t total) {
  (void)ctx, (void)phase, (void)total;
  if (done == KILL_AT) raise(SIGKILL);
}

/* Runs cfg into dir (mode NEW or RESUME); returns the study's status. */
static int run_in(const dnt_study_fl_config *cfg, const char *dir, dnt_run_mode mode,
                  const dnt_study_progress *p) {
  dnt_run *run = NULL;
  int rc = dnt_run_open_mode(dir, "fl", "{}", 3, mode, &run);
  if (rc) return rc;
  dnt_run_set_resuming(run, mode == DNT_RUN_RESUME);
  rc = dnt_study_fl_run(cfg, run, p);
  if (rc == DNT_ERR_INTERRUPTED)
    dnt_run_interrupted(run, dnt_last_error());
  else if (rc)
    dnt_run_abort(run, dnt_last_error());
  else
    rc = dnt_run_close(run);
  return rc;
}

static void clean(const char *dir) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
}

static void check_same(const char *a, const char *b, const char *what) {
  CHECK_MSG(same_file(a, b, "rounds.csv"), "%s: rounds.csv", what);
  CHECK_MSG(same_file(a, b, "checkpoint.state"), "%s: checkpoint.state", what);
  CHECK_MSG(same_file(a, b, "metrics.csv"), "%s: metrics.csv", what);
  CHECK_MSG(same_metrics(a, b), "%s: summary metrics", what);
}

/* Killed at KILL_AT, a torn row appended, resumed: equals the whole run. */
static void kill_and_resume(const dnt_study_fl_config *cfg, const char *name) {
  char a[256], b[256];
  snprintf(a, sizeof a, "%s/fl-%s-a", DNT_BINARY_DIR, name);
  snprintf(b, sizeof b, "%s/fl-%s-b", DNT_BINARY_DIR, name);
  clean(a);
  clean(b);
  CHECK_OK(run_in(cfg, a, DNT_RUN_NEW, NULL));
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    dnt_study_progress p = {kill_at, NULL};
    run_in(cfg, b, DNT_RUN_NEW, &p);
    _exit(0); /* not reached: killed at KILL_AT */
  }
  int st = 0;
  CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
  CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s: the child was not killed", name);
  char path[300];
  snprintf(path, sizeof path, "%s/rounds.csv", b);
  FILE *f = fopen(path, "a");
  CHECK(f != NULL);
  if (f) { /* rows written after the checkpoint (more than the run redoes), one cut */
    for (int r = 0; r < 200; r++)
      fprintf(f, "%d,0.5,12,0,0,0,0,0,0,0,384,384,1.25\n", 100 + r);
    fputs("17,0.31", f);
    fclose(f);
  }
  CHECK_OK(run_in(cfg, b, DNT_RUN_RESUME, NULL));
  check_same(a, b, name);
  /* a stop request: the checkpoint at round 0, then the resume to the end */
  clean(b);
  dnt_interrupt_request(15);
  int rc = run_in(cfg, b, DNT_RUN_NEW, NULL);
  dnt_interrupt_clear();
  CHECK_MSG(rc == DNT_ERR_INTERRUPTED && strstr(dnt_last_error(), "stopped after 0 of"),
            "%s: %d %s", name, rc, dnt_last_error());
  CHECK_OK(run_in(cfg, b, DNT_RUN_RESUME, NULL));
  check_same(a, b, name);
}

static void test_modes(void) {
  dnt_study_fl_config c;
  dnt_study_fl_defaults(&c);
  c.rounds = 40;
  c.checkpoint_every = 5;
  c.clients = 12;
  c.malicious = 2;
  c.dim = 8;
  c.rule = "median";
  c.attack = "ipm";
  kill_and_resume(&c, "sync");
  dnt_study_fl_config g = c;
  g.groups = 3;
  g.group_rule = "trmean";
  g.rule = "mean";
  g.f = 1;
  g.per_round = 9;
  kill_and_resume(&g, "sync-groups");
  dnt_study_fl_config fa = c;
  fa.mode = "fedasync";
  fa.rule = "mean";
  fa.attack = "gaussian";
  fa.sync_rounds = 2;
  kill_and_resume(&fa, "fedasync");
  dnt_study_fl_config fb = c;
  fb.mode = "fedbuff";
  fb.buffer_k = 6;
  fb.groups = 2;
  fb.group_rule = "median";
  fb.rule = "mean";
  fb.sync_rounds = 3;
  kill_and_resume(&fb, "fedbuff-groups");
}

static void test_corrupt(void) {
  dnt_study_fl_config c;
  dnt_study_fl_defaults(&c);
  c.rounds = 6;
  char a[256], path[300];
  snprintf(a, sizeof a, "%s/fl-corrupt", DNT_BINARY_DIR);
  snprintf(path, sizeof path, "%s/checkpoint.state", a);
  clean(a);
  CHECK_OK(run_in(&c, a, DNT_RUN_NEW, NULL));
  size_t n = 0;
  char *good = read_all(path, &n);
  CHECK(good && n > 100);
  if (!good) return;
  size_t cuts[] = {0, 10, n / 2, n - 1};
  for (size_t k = 0; k < sizeof cuts / sizeof cuts[0] + 1; k++) {
    FILE *f = fopen(path, "wb");
    if (!f) break;
    if (k < sizeof cuts / sizeof cuts[0]) {
      fwrite(good, 1, cuts[k], f);
    } else { /* one flipped byte in the payload */
      good[n / 2] ^= 0x10;
      fwrite(good, 1, n, f);
      good[n / 2] ^= 0x10;
    }
    fclose(f);
    int rc = run_in(&c, a, DNT_RUN_RESUME, NULL);
    CHECK_MSG(rc == DNT_ERR_CORRUPT && strstr(dnt_last_error(), "checkpoint.state"),
              "case %zu: %d %s", k, rc, dnt_last_error());
  }
  free(good);
}

static void test_study_checks(void) {
  dnt_study_fl_config c;
  dnt_study_fl_defaults(&c);
  CHECK_OK(dnt_study_fl_check(&c));
  c.clients = 5;
  c.malicious = 2;
  CHECK(dnt_study_fl_check(&c) == DNT_ERR_CONFIG && strstr(dnt_last_error(), "n >= 7"));
  c.rule = "all"; /* a table records what a rule cannot run */
  CHECK_OK(dnt_study_fl_check(&c));
  c.malicious = 5;
  CHECK(dnt_study_fl_check(&c) == DNT_ERR_CONFIG && strstr(dnt_last_error(), "fl.malicious = 5"));
  dnt_study_fl_defaults(&c);
  c.mode = "fedbuff"; /* f = ceil(10 x 8 / 40) = 2: krum needs 7 of the buffer's 10 */
  CHECK_OK(dnt_study_fl_check(&c));
  c.buffer_k = 5; /* f = 1, needs 5 */
  CHECK_OK(dnt_study_fl_check(&c));
  c.buffer_k = 4; /* f = 1, needs 5 of 4 */
  CHECK(dnt_study_fl_check(&c) == DNT_ERR_CONFIG && strstr(dnt_last_error(), "fl.buffer_k"));
}

int main(void) {
  test_study_checks();
  test_modes();
  test_corrupt();
  return test_done("studies.fl");
}
