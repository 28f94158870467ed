/* bench/twin/bench_whatif.c: what-if forks on 1 and 2 threads
 * (docs/PERFORMANCE.md, "What-if forks").
 *
 * The workload of the security study: many scenarios, each a few alternatives
 * evaluated on forks of the 125-BS generated cellular world for 24 steps, a
 * policy choosing an action every step (it draws from the fork's stream) and a
 * metric reading the world's statistics. Runs the same spec on 1 and on 2
 * threads, alternating, `reps` times, and prints per thread count the median
 * wall time, the process CPU time (user + system, all threads) and how the
 * forks split between the threads, then the ratio of the medians. CPU time and
 * the split are the evidence that does not depend on what else the shared
 * machine runs: if two threads use the CPU time of one and split the forks
 * evenly, an idle 2-core machine runs them twice as fast. The 1- and 2-thread
 * results are compared bit for bit.
 *
 * --markdown prints the table of docs/PERFORMANCE.md instead (made by
 * scripts/numbers/whatif_bench.sh).
 *
 * usage: bench_whatif [--quick] [--reps N] [--markdown] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dnt/cellular.h"
#include "dnt/log.h"
#include "dnt/progress.h"
#include "dnt/status.h"
#include "dnt/whatif.h"

static void die(const char *what) {
  fprintf(stderr, "bench_whatif: %s: %s\n", what, dnt_last_error());
  exit(1);
}

#define OK(call)                                                                                   \
  do {                                                                                             \
    if ((call) != 0) die(#call);                                                                   \
  } while (0)

static double cpu_process(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_utime.tv_sec + 1e-6 * (double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_sec +
         1e-6 * (double)u.ru_stime.tv_usec;
}

static double cpu_thread(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Forks finished and thread CPU seconds spent inside forks, per thread, in
 * the current measurement (bench bookkeeping only, outside the timed work's
 * results). */
enum { MAX_SLOTS = 8 };
static pthread_mutex_t split_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t split_tid[MAX_SLOTS];
static long split_forks[MAX_SLOTS];
static double split_busy[MAX_SLOTS];
static int split_n;
static _Thread_local double fork_start;

static int start_fork(void *ctx, int alt, dnt_world *fork) {
  fork_start = cpu_thread();
  return 0;
}

static void count_fork(void) {
  double busy = cpu_thread() - fork_start;
  pthread_t me = pthread_self();
  pthread_mutex_lock(&split_lock);
  int k = 0;
  while (k < split_n && !pthread_equal(split_tid[k], me))
    k++;
  if (k == split_n && split_n < MAX_SLOTS) split_tid[split_n++] = me;
  if (k < MAX_SLOTS) split_forks[k]++, split_busy[k] += busy;
  pthread_mutex_unlock(&split_lock);
}

enum { HORIZON = 24 };

/* Alternative a scales every capacity by 0.7 + 0.1 a, jittered per step. */
static int policy(void *ctx, int alt, int h, const double *tel, dnt_rng *rng, double *action) {
  size_t n = *(const size_t *)ctx;
  double base = 0.7 + 0.1 * alt;
  for (size_t i = 0; i < n; i++)
    action[i] = base + 0.02 * (dnt_rng_uniform(rng) - 0.5);
  return 0;
}

/* metrics: dropped traffic, overloaded BS-steps, worst load */
static int metric(void *ctx, int alt, int h, const dnt_world *fork, const double *tel,
                  const double *action, double *m) {
  dnt_cellular_stats st;
  dnt_cellular_stats_get(fork, &st);
  m[0] += st.dropped;
  m[1] += (double)st.overloaded;
  if (st.max_load > m[2]) m[2] = st.max_load;
  if (h == HORIZON - 1) count_fork();
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(const double *x, int n) {
  double s[99];
  memcpy(s, x, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp_double);
  return s[n / 2];
}

/* Runs `spec` `calls` times per measurement on 1 and on 2 threads, `reps`
 * measurements each (alternating which goes first); prints the figures. */
static int measure(const char *label, const dnt_world *w, dnt_whatif_spec spec, int calls, int reps,
                   int markdown) {
  double wall[2][99], cpu[2][99], busy[2][99] = {{0}}, total_busy[2] = {0};
  long split[2][MAX_SLOTS] = {{0}};
  size_t nv = (size_t)spec.n_alternatives * (size_t)spec.n_forks * (size_t)spec.n_metrics;
  double *ref = NULL;
  int same = 1;
  for (int r = 0; r < reps; r++)
    for (int k = 0; k < 2; k++) {
      int threads = r % 2 ? 2 - k : 1 + k;
      spec.threads = threads;
      split_n = 0;
      memset(split_forks, 0, sizeof split_forks);
      memset(split_busy, 0, sizeof split_busy);
      double c0 = cpu_process(), w0 = dnt_now();
      for (int c = 0; c < calls; c++) {
        dnt_whatif_result res;
        OK(dnt_whatif_run(w, &spec, &res));
        if (!ref) {
          ref = res.values;
          res.values = NULL;
        } else {
          same &= memcmp(ref, res.values, nv * sizeof *res.values) == 0;
        }
        dnt_whatif_result_free(&res);
      }
      wall[threads - 1][r] = dnt_now() - w0;
      cpu[threads - 1][r] = cpu_process() - c0;
      for (int t = 0; t < split_n; t++) {
        split[threads - 1][t] += split_forks[t];
        total_busy[threads - 1] += split_busy[t];
        if (split_busy[t] > busy[threads - 1][r]) busy[threads - 1][r] = split_busy[t];
      }
    }
  free(ref);
  double forks = (double)spec.n_alternatives * spec.n_forks * calls;
  double med[2], medc[2], bound = median(busy[0], reps) / median(busy[1], reps);
  for (int k = 0; k < 2; k++) {
    med[k] = median(wall[k], reps);
    medc[k] = median(cpu[k], reps);
  }
  double share = 100.0 * (double)split[1][0] / (forks * reps);
  if (markdown) {
    printf("| %s: %d x (%d x %d forks x %d steps) | %.1f | %.1f | %.2f | %.0f%% / %.0f%% | %.2fx | "
           "%.2fx | %s |\n",
           label, calls, spec.n_alternatives, spec.n_forks, spec.horizon, 1e3 * med[0],
           1e3 * med[1], medc[1] / medc[0], share, 100 - share, bound, med[0] / med[1],
           same ? "yes" : "NO");
    return same;
  }
  printf("%s: %d call(s) of %d alternatives x %d forks x %d steps, %d reps\n", label, calls,
         spec.n_alternatives, spec.n_forks, spec.horizon, reps);
  for (int k = 0; k < 2; k++) {
    printf("  %d thread(s): wall median %7.1f ms, CPU median %7.1f ms, %.2f us per fork-step; "
           "forks per thread:",
           k + 1, 1e3 * med[k], 1e3 * medc[k], 1e6 * med[k] / (forks * spec.horizon));
    for (int t = 0; t <= k; t++)
      printf(" %.1f%%", 100.0 * (double)split[k][t] / (forks * reps));
    printf("\n");
  }
  printf("  2 threads / 1 thread: %.2fx faster (wall medians), process CPU ratio %.2f; "
         "in-fork CPU %.1f%% / %.1f%% of the process CPU; busiest thread's in-fork CPU %.1f ms: "
         "%.2fx on two idle cores; results %s\n",
         med[0] / med[1], medc[1] / medc[0], 100 * total_busy[0] / (reps * medc[0]),
         100 * total_busy[1] / (reps * medc[1]), 1e3 * median(busy[1], reps), bound,
         same ? "identical" : "DIFFER (defect)");
  return same;
}

int main(int argc, char **argv) {
  int quick = 0, reps = 5, markdown = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick"))
      quick = 1;
    else if (!strcmp(argv[i], "--markdown"))
      markdown = 1;
    else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_whatif [--quick] [--reps N] [--markdown]\n");
      return 2;
    }
  }
  if (reps < 1 || reps > 99) reps = 5;
  dnt_log_set_level(DNT_LOG_WARN);
  dnt_cell_sites sites = {0};
  dnt_cell_site_params sp;
  dnt_cellular_params cp;
  dnt_cell_site_params_default(&sp);
  dnt_cellular_params_default(&cp);
  dnt_world *w;
  OK(dnt_cell_sites_generate(&sp, 1, &sites));
  OK(dnt_cellular_create(&sites, NULL, &cp, 1, &w));
  for (int s = 0; s < 48; s++)
    OK(dnt_world_step(w, NULL));
  size_t n_bs = dnt_cellular_n_bs(w);
  dnt_whatif_spec spec = {.n_alternatives = 4,
                          .n_forks = quick ? 100 : 500,
                          .horizon = HORIZON,
                          .n_metrics = 3,
                          .seed = 7,
                          .policy = policy,
                          .prepare = start_fork,
                          .metric = metric,
                          .ctx = &n_bs};
  if (markdown)
    printf("| workload | 1 thread ms | 2 threads ms | process CPU 2/1 | forks per thread | "
           "2-core bound | wall 1/2 | same numbers |\n|---|---|---|---|---|---|---|---|\n");
  int ok = measure("one call", w, spec, 1, reps, markdown);
  /* one call per scenario: 2 alternatives (act or not) x 8 forks */
  spec.n_alternatives = 2;
  spec.n_forks = 8;
  ok &= measure("small calls", w, spec, quick ? 50 : 250, reps, markdown);
  dnt_world_destroy(w);
  dnt_cell_sites_free(&sites);
  return ok ? 0 : 1;
}
