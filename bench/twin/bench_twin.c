/* bench/twin/bench_twin.c: what the twin itself costs (docs/PERFORMANCE.md,
 * "Twin (bench/twin)").
 *
 * Measures, on the example "links" world (docs/example_world.c, 125 links)
 * and on the 125-BS generated cellular world:
 *   - a world step, and a twin step (twin world step + physical step + sync
 *     + mirror + fidelity): their difference is the sync overhead;
 *   - forks (copy + destroy) and what-if throughput on 1 and 2 threads;
 *   - a monitor check on a twin fork; scenario generation;
 *   - the store: one step of physical and mirror telemetry, committed.
 * Then runs its peer, bench/twin/bench_twin_numpy.py (the same twin loop on
 * the links world with NumPy), and prints the ratio. Single-thread figures
 * are thread CPU time (the machine is shared); multi-thread ones wall time.
 *
 * usage: bench_twin [--quick] */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../docs/example_world.c"
#include "dnt/cellular.h"
#include "dnt/log.h"
#include "dnt/monitor.h"
#include "dnt/progress.h"
#include "dnt/scenario.h"
#include "dnt/twin.h"
#include "dnt/twin_store.h"
#include "dnt/whatif.h"

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "bench_twin: %s: %s\n", what, dnt_last_error());
  exit(1);
}

#define OK(call)                                                                                   \
  do {                                                                                             \
    if ((call) != 0) die(#call);                                                                   \
  } while (0)

/* CPU microseconds per world step. */
static double time_world(dnt_world *w, int steps) {
  double t0 = cpu_now();
  for (int i = 0; i < steps; i++)
    OK(dnt_world_step(w, NULL));
  return 1e6 * (cpu_now() - t0) / steps;
}

/* CPU microseconds per twin step, physical and twin copies of `base`. */
static double time_twin(const dnt_world *base, const dnt_sync_config *sc, int steps) {
  dnt_world *p, *w;
  dnt_twin *t;
  OK(dnt_world_copy(base, &p));
  OK(dnt_world_copy(base, &w));
  if (dnt_world_reseed(w, 12345) == DNT_ERR_UNSUPPORTED) /* the twin's own noise, if any */
    OK(dnt_world_reset(w, 12345));
  OK(dnt_twin_create(p, w, sc, &t));
  double t0 = cpu_now();
  for (int i = 0; i < steps; i++)
    OK(dnt_twin_step(t, NULL));
  double us = 1e6 * (cpu_now() - t0) / steps;
  dnt_twin_destroy(t);
  dnt_world_destroy(p);
  return us;
}

static void bench_sync(const char *name, dnt_world *w, int steps) {
  dnt_world *scratch;
  OK(dnt_world_copy(w, &scratch));
  double world_us = time_world(scratch, steps);
  dnt_world_destroy(scratch);
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.history_rows = 1024;
  const char *labels[4] = {"periodic every step, L=0", "periodic every step, L=5",
                           "event (threshold 0.05)", "multirate (1, 24)"};
  printf("%s: world step %.3f us (%.0f fields)\n", name, world_us,
         (double)dnt_world_get_info(w)->n_fields);
  for (int k = 0; k < 4; k++) {
    dnt_sync_config c = sc;
    if (k == 1) c.channel.uplink_latency = 5;
    if (k == 2) c.policy = DNT_SYNC_EVENT, c.threshold = 0.05;
    if (k == 3) c.policy = DNT_SYNC_MULTIRATE, c.group_period[0] = 1, c.group_period[1] = 24;
    double twin_us = time_twin(w, &c, steps);
    printf("  twin step, %-26s %8.3f us; sync overhead %7.3f us (%.2f world steps)\n", labels[k],
           twin_us, twin_us - 2 * world_us, (twin_us - 2 * world_us) / world_us);
  }
}

static int metric_sum(void *ctx, int alt, int h, const dnt_world *fork, const double *tel,
                      const double *action, double *m) {
  m[0] += tel[0];
  return 0;
}

static void bench_forks(const char *name, dnt_world *w, int quick) {
  int n = quick ? 2000 : 20000;
  double t0 = cpu_now();
  for (int i = 0; i < n; i++) {
    dnt_world *f;
    OK(dnt_world_copy(w, &f));
    dnt_world_destroy(f);
  }
  printf("%s: fork (copy + destroy) %.3f us\n", name, 1e6 * (cpu_now() - t0) / n);
  for (int threads = 1; threads <= 2; threads++) {
    dnt_whatif_spec spec = {.n_alternatives = 2,
                            .n_forks = quick ? 64 : 256,
                            .horizon = 24,
                            .n_metrics = 1,
                            .threads = threads,
                            .seed = 1,
                            .metric = metric_sum};
    dnt_whatif_result r;
    double w0 = dnt_now();
    OK(dnt_whatif_run(w, &spec, &r));
    double s = dnt_now() - w0;
    double forks = 2.0 * spec.n_forks;
    printf("  what-if %d thread(s): %.0f forks of 24 steps in %.1f ms wall: %.2e fork-steps/s\n",
           threads, forks, 1e3 * s, forks * 24 / s);
    dnt_whatif_result_free(&r);
  }
}

static int never(void *ctx, const dnt_monitor_view *v) {
  return v->next[0] < 0;
}

static void bench_monitor(const char *name, dnt_world *w, int quick) {
  dnt_monitor *m;
  OK(dnt_monitor_create(&m));
  OK(dnt_monitor_add(m, "never", never, NULL) < 0);
  int n = quick ? 1000 : 10000, unsafe;
  double t0 = cpu_now();
  for (int i = 0; i < n; i++)
    OK(dnt_monitor_check_world(m, w, NULL, 1, &unsafe));
  printf("%s: monitor check on a twin fork (lookahead 1) %.3f us\n", name,
         1e6 * (cpu_now() - t0) / n);
  dnt_monitor_destroy(m);
}

static int gen(void *ctx, dnt_rng *rng, double *p) {
  p[0] = dnt_rng_uniform(rng);
  p[1] = dnt_rng_normal(rng, 30, 3);
  return 0;
}

static void bench_scenarios(int quick) {
  dnt_scenario_family f[2] = {{"normal", 0.99, 0.5, gen, NULL}, {"rare", 0.01, 0.5, gen, NULL}};
  size_t n = quick ? 200000 : 2000000;
  for (int threads = 1; threads <= 2; threads++) {
    dnt_scenario_set s;
    double w0 = dnt_now();
    OK(dnt_scenario_generate(f, 2, 2, n, 1, threads, &s));
    double sec = dnt_now() - w0;
    printf("scenarios, %d thread(s): %.2e scenarios/s wall\n", threads, (double)n / sec);
    dnt_scenario_set_free(&s);
  }
}

static void bench_store(const char *name, dnt_world *w, int quick) {
  char dir[] = "/tmp/bench_twin_XXXXXX", path[64];
  if (!mkdtemp(dir)) die("mkdtemp");
  snprintf(path, sizeof path, "%s/dnt.db", dir);
  size_t nf = dnt_world_get_info(w)->n_fields;
  double *x = malloc(nf * sizeof *x);
  dnt_world_observe(w, x);
  dnt_twin_store *s;
  OK(dnt_twin_store_open(path, "bench", &s));
  int n = quick ? 300 : 2000;
  double t0 = cpu_now(), w0 = dnt_now();
  for (int i = 1; i <= n; i++) {
    OK(dnt_twin_store_telemetry(s, i, "physical", x, nf));
    OK(dnt_twin_store_telemetry(s, i, "mirror", x, nf));
    OK(dnt_twin_store_commit(s, i));
  }
  printf("%s: store, 2 x %zu values + commit per step: %.1f us CPU, %.1f us wall\n", name, nf,
         1e6 * (cpu_now() - t0) / n, 1e6 * (dnt_now() - w0) / n);
  OK(dnt_twin_store_close(s));
  free(x);
  char cmd[96];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* Runs the NumPy peer; returns its microseconds per step, or -1. */
static double run_peer(int n_links, int steps) {
  char dir[1024], cmd[1200];
  snprintf(dir, sizeof dir, "%s", __FILE__); /* the peer sits beside this file */
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/bench_twin_numpy.py %d %d 0 2>/dev/null",
           dirname(dir), n_links, steps);
  FILE *p = popen(cmd, "r");
  double us = -1;
  char line[128];
  while (p && fgets(line, sizeof line, p))
    if (sscanf(line, "us_per_step %lf", &us) == 1) break;
  if (p) pclose(p);
  return us;
}

int main(int argc, char **argv) {
  int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  int steps = quick ? 2000 : 20000;
  dnt_log_set_level(DNT_LOG_WARN);
  example_links_config lc = {.n_links = 125, .drift = 0, .sigma = 0.1, .capacity = 100};
  dnt_world *lw;
  OK(example_links_create(&lc, 1, &lw));
  bench_sync("links, 125 links", lw, steps);

  dnt_cell_sites sites = {0};
  dnt_cell_site_params sp;
  dnt_cellular_params cp;
  dnt_cell_site_params_default(&sp);
  dnt_cellular_params_default(&cp);
  dnt_world *cell;
  OK(dnt_cell_sites_generate(&sp, 1, &sites));
  OK(dnt_cellular_create(&sites, NULL, &cp, 1, &cell));
  bench_sync("cellular, 125 BSs generated", cell, steps / 2);
  bench_forks("cellular, 125 BSs", cell, quick);
  bench_monitor("cellular, 125 BSs", cell, quick);
  bench_store("cellular, 125 BSs", cell, quick);
  bench_scenarios(quick);

  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.history_rows = 1024;
  double ours = time_twin(lw, &sc, steps);
  double peer = run_peer(125, steps);
  if (peer > 0)
    printf("peer (NumPy, links 125, periodic L=0): %.2f us per twin step; dnt %.2f us: "
           "dnt is %.1fx faster\n",
           peer, ours, peer / ours);
  else
    printf("peer: /usr/bin/python3 with NumPy not available\n");
  dnt_world_destroy(lw);
  dnt_world_destroy(cell);
  dnt_cell_sites_free(&sites);
  return 0;
}
