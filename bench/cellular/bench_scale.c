/* bench/cellular/bench_scale.c: the scaling series of issue 11 (section 5):
 * 1,000, 10,000 and 100,000 BSs as `dnt cluster` and `dnt twin` build them
 * (Matern sites, generated traffic, seed 1), each size in its own child
 * process so that its peak RSS is its own.
 *
 *   world    sites, the cellular world and the 168-step traffic window
 *   graph    dnt_bs_graph_build (2-d tree, k = 8), beside its peer: the
 *            quadratic build of tests/cellular/graph_ref.h in the same run,
 *            whose edge set must be the same (checked, printed)
 *   cluster  Louvain and Leiden with the default restart budget beside the
 *            uncut 8 restarts (restart_budget = 0): runs, CPU time, Q and
 *            the difference in Q (the budget's promise: within 0.002)
 *   twin     one twin step (physical + twin world, periodic sync every
 *            step, 24 history rows), per BS
 *   memory   peak RSS of the child after all of the above
 * Times are process CPU seconds (ranges over repeats where repeated): the
 * machine is shared, CPU time is what other processes inflate least.
 * Usage: bench_scale [--sizes N,N,...] [--peer-max N] [--markdown] (the
 * quadratic peer runs up to N BSs, default 100000: about 30 s at 100,000;
 * --markdown prints one table row per size, for scripts/numbers/scale_bench.sh). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../tests/cellular/graph_ref.h"
#include "dnt/cellular.h"
#include "dnt/cluster.h"
#include "dnt/status.h"
#include "dnt/twin.h"

#define OK(call)                                                                                   \
  do {                                                                                             \
    if ((call) != 0) {                                                                             \
      fprintf(stderr, "bench_scale: %s: %s\n", #call, dnt_last_error());                           \
      exit(1);                                                                                     \
    }                                                                                              \
  } while (0)

static int markdown; /* 1: one markdown row per size instead of the report */

/* One size's figures, for the markdown row. */
typedef struct row {
  double world, graph_lo, graph_hi, peer, q[2][2], t[2][2];
  int runs[2], same;
  size_t m;
} row;

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Graph build: min and max CPU seconds over `reps` builds; g keeps the last. */
static void time_graph(const dnt_cell_sites *s, const dnt_cell_traffic *tr, int reps,
                       dnt_bs_graph *g, double *lo, double *hi) {
  dnt_bs_graph_params gp;
  dnt_bs_graph_params_default(&gp);
  *lo = HUGE_VAL, *hi = 0;
  for (int r = 0; r < reps; r++) {
    if (r) dnt_bs_graph_free(g);
    double t0 = cpu_now();
    OK(dnt_bs_graph_build(s, tr->v, tr->n_steps, &gp, g));
    double dt = cpu_now() - t0;
    *lo = fmin(*lo, dt), *hi = fmax(*hi, dt);
  }
}

static void peer_graph(const dnt_cell_sites *s, const dnt_cell_traffic *tr, const dnt_bs_graph *g,
                       double graph_s, row *out) {
  dnt_bs_graph_params gp;
  dnt_bs_graph_params_default(&gp);
  ref_graph r;
  double t0 = cpu_now();
  if (ref_graph_build(s, tr->v, tr->n_steps, &gp, &r)) {
    fprintf(stderr, "bench_scale: quadratic peer: out of memory\n");
    exit(1);
  }
  double dt = cpu_now() - t0;
  size_t diff = r.m == g->m ? 0 : 1;
  for (size_t e = 0; !diff && e < g->m; e++)
    diff += g->from[e] != r.from[e] || g->to[e] != r.to[e];
  out->peer = dt;
  out->same = diff == 0;
  if (!markdown)
    printf("  graph, quadratic peer  %9.3f s  (%.2f us/BS)  tree %.0fx faster; same edges: %s\n",
           dt, 1e6 * dt / (double)s->n, dt / graph_s, diff ? "NO" : "yes");
  ref_graph_free(&r);
}

static void time_cluster(const dnt_bs_graph *g, dnt_cluster_method method, const char *name,
                         row *out) {
  int j = method == DNT_CLUSTER_LEIDEN;
  dnt_clustering c[2];
  double t[2];
  for (int k = 0; k < 2; k++) { /* 0: default budget, 1: uncut 8 restarts */
    dnt_cluster_params cp;
    dnt_cluster_params_default(&cp);
    cp.method = method;
    if (k) cp.restart_budget = 0;
    double t0 = cpu_now();
    OK(dnt_cluster_run(g, &cp, &c[k]));
    t[k] = cpu_now() - t0;
  }
  out->runs[j] = c[0].runs;
  for (int k = 0; k < 2; k++)
    out->q[j][k] = c[k].modularity, out->t[j][k] = t[k];
  if (!markdown)
    printf("  %-8s %d run(s) %7.3f s  (%.2f us/BS)  Q %.5f | 8 runs %7.3f s  Q %.5f | dQ %+.5f\n",
           name, c[0].runs, t[0], 1e6 * t[0] / (double)g->n, c[0].modularity, t[1], c[1].modularity,
           c[0].modularity - c[1].modularity);
  dnt_clustering_free(&c[0]);
  dnt_clustering_free(&c[1]);
}

/* CPU seconds per twin step, physical world and a reseeded copy. */
static double time_twin(const dnt_world *base, int steps) {
  dnt_world *p, *w;
  dnt_twin *t;
  OK(dnt_world_copy(base, &p));
  OK(dnt_world_copy(base, &w));
  OK(dnt_world_reset(w, 12345));
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.history_rows = 24;
  OK(dnt_twin_create(p, w, &sc, &t));
  OK(dnt_twin_step(t, NULL)); /* first touch of the buffers */
  double t0 = cpu_now();
  for (int i = 0; i < steps; i++)
    OK(dnt_twin_step(t, NULL));
  double dt = (cpu_now() - t0) / steps;
  dnt_twin_destroy(t);
  dnt_world_destroy(p);
  return dt;
}

static void one_size(size_t n, size_t peer_max) {
  row r = {0};
  double t0 = cpu_now();
  dnt_cell_site_params sp;
  dnt_cell_site_params_default(&sp);
  sp.n = n;
  dnt_cell_sites s;
  OK(dnt_cell_sites_generate(&sp, 1, &s));
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  dnt_world *w;
  dnt_cell_traffic tr;
  OK(dnt_cellular_create(&s, NULL, &p, 1, &w));
  OK(dnt_cellular_series(w, 168, &tr));
  r.world = cpu_now() - t0;
  if (!markdown)
    printf("%zu BSs\n  world + 168 steps      %9.3f s  (%.2f us/BS)\n", n, r.world,
           1e6 * r.world / (double)n);
  dnt_bs_graph g;
  time_graph(dnt_cellular_sites(w), &tr, n <= 10000 ? 5 : 3, &g, &r.graph_lo, &r.graph_hi);
  r.m = g.m;
  if (!markdown)
    printf("  graph (2-d tree)       %9.3f to %.3f s  (%.2f us/BS)  %zu edges\n", r.graph_lo,
           r.graph_hi, 1e6 * r.graph_lo / (double)n, g.m);
  if (n <= peer_max) peer_graph(dnt_cellular_sites(w), &tr, &g, r.graph_lo, &r);
  time_cluster(&g, DNT_CLUSTER_LOUVAIN, "louvain", &r);
  time_cluster(&g, DNT_CLUSTER_LEIDEN, "leiden", &r);
  int steps = n <= 10000 ? 200 : 20;
  double step_s = time_twin(w, steps);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double rss_mb = (double)ru.ru_maxrss / 1024;
  if (!markdown) {
    printf("  twin step              %9.3f ms  (%.3f us/BS)\n", 1e3 * step_s,
           1e6 * step_s / (double)n);
    printf("  peak RSS               %9.1f MB  (%.2f kB/BS)\n", rss_mb,
           (double)ru.ru_maxrss / (double)n);
  } else {
    char peer[64] = "not run";
    if (r.peer > 0)
      snprintf(peer, sizeof peer, "%.3f s (%.1f us/BS)%s", r.peer, 1e6 * r.peer / (double)n,
               r.same ? "" : ", EDGES DIFFER");
    printf("| %zu | %zu | %.3f s | %.3f-%.3f s (%.2f us/BS) | %s |", n, r.m, r.world, r.graph_lo,
           r.graph_hi, 1e6 * r.graph_lo / (double)n, peer);
    for (int j = 0; j < 2; j++)
      printf(" %d: %.3f s, Q %.5f; 8: %.3f s, Q %.5f (%+.5f) |", r.runs[j], r.t[j][0], r.q[j][0],
             r.t[j][1], r.q[j][1], r.q[j][0] - r.q[j][1]);
    printf(" %.3f us | %.0f MB (%.1f kB/BS) |\n", 1e6 * step_s / (double)n, rss_mb,
           (double)ru.ru_maxrss / (double)n);
  }
  dnt_bs_graph_free(&g);
  dnt_cell_traffic_free(&tr);
  dnt_world_destroy(w);
  dnt_cell_sites_free(&s);
}

int main(int argc, char **argv) {
  size_t sizes[16] = {1000, 10000, 100000}, n_sizes = 3, peer_max = 100000;
  for (int a = 1; a < argc; a++) {
    if (!strcmp(argv[a], "--sizes") && a + 1 < argc) {
      n_sizes = 0;
      for (char *tok = strtok(argv[++a], ","); tok && n_sizes < 16; tok = strtok(NULL, ","))
        sizes[n_sizes++] = (size_t)strtoull(tok, NULL, 10);
    } else if (!strcmp(argv[a], "--markdown")) {
      markdown = 1;
    } else if (!strcmp(argv[a], "--peer-max") && a + 1 < argc) {
      peer_max = (size_t)strtoull(argv[++a], NULL, 10);
    } else {
      fprintf(stderr, "usage: bench_scale [--sizes N,N,...] [--peer-max N] [--markdown]\n");
      return 2;
    }
  }
  if (markdown)
    printf("| BSs | edges | world + 168 steps | graph, 2-d tree | graph, quadratic peer | Louvain "
           "runs (budget) vs 8 | Leiden runs (budget) vs 8 | twin step per BS | peak RSS |\n"
           "|---|---|---|---|---|---|---|---|---|\n");
  else
    printf("bench_scale: CPU seconds (process), Matern sites, generated traffic, seed 1\n");
  for (size_t i = 0; i < n_sizes; i++) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      one_size(sizes[i], peer_max);
      fflush(stdout);
      _exit(0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) return 1;
  }
  return 0;
}
