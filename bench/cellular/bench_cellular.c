/* bench/cellular/bench_cellular.c: speed of the cellular world and of BS
 * clustering (issue targets: >= 1e6 BS-steps per second per core for a
 * 125-BS world; Louvain on 1,000 BSs under 10 ms).
 *
 *   world     125 BSs, generated and replayed traffic, step alone and step +
 *             observe (what the twin does every step), and fork cost;
 *             peer: the same generated step in NumPy (bench_cellular_numpy.py)
 *   cluster   1,000 BSs (Matern sites, one week of generated traffic, the
 *             8-nearest-neighbour graph): dnt_cluster_run with Louvain (one
 *             run and 8 restarts) and Leiden, against igraph's own
 *             igraph_community_multilevel called directly on the same graph;
 *             Girvan-Newman on 125 BSs.
 * Medians of repeated runs. Times are thread CPU time, so that other
 * processes on a shared machine inflate them less than wall time (the wall
 * time inside igraph is printed too). Usage: bench_cellular [--quick]. */
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnt/cellular.h"
#include "dnt/cluster.h"
#include "dnt/progress.h"
#include "dnt/status.h"

#ifdef DNT_HAVE_IGRAPH
#include <igraph.h>
#endif

#define REPEATS 31

static void die(const char *what) {
  fprintf(stderr, "bench_cellular: %s: %s\n", what, dnt_last_error());
  exit(1);
}

/* CPU seconds of this thread. */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return v[n / 2];
}

/* BS-steps per second over `steps` steps (best of 3 runs). */
static double step_rate(dnt_world *w, int steps, int observe) {
  size_t n = dnt_cellular_n_bs(w), nf = dnt_world_get_info(w)->n_fields;
  double *tel = malloc(nf * sizeof *tel), best = 0;
  for (int rep = 0; rep < 3; rep++) {
    double t0 = cpu_now();
    for (int t = 0; t < steps; t++) {
      if (dnt_world_step(w, NULL)) die("step");
      if (observe) dnt_world_observe(w, tel);
    }
    double rate = (double)n * steps / (cpu_now() - t0);
    if (rate > best) best = rate;
  }
  free(tel);
  return best;
}

static double fork_us(const dnt_world *w, int forks) {
  double t0 = cpu_now();
  for (int i = 0; i < forks; i++) {
    dnt_world *f = NULL;
    if (dnt_world_copy(w, &f)) die("copy");
    dnt_world_destroy(f);
  }
  return 1e6 * (cpu_now() - t0) / forks;
}

static double numpy_peer(int n, int steps) {
  char path[1024], cmd[1200];
  snprintf(path, sizeof path, "%s", __FILE__);
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/bench_cellular_numpy.py %d %d 2>/dev/null",
           dirname(path), n, steps);
  FILE *p = popen(cmd, "r");
  double rate = 0;
  if (p) {
    if (fscanf(p, "bs_steps_per_s %lf", &rate) != 1) rate = 0;
    pclose(p);
  }
  return rate;
}

static void bench_world(int quick) {
  int steps = quick ? 4000 : 40000;
  dnt_cell_site_params sp;
  dnt_cell_site_params_default(&sp);
  dnt_cell_sites s;
  if (dnt_cell_sites_generate(&sp, 1, &s)) die("sites");
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  dnt_world *gen = NULL, *rep = NULL;
  if (dnt_cellular_create(&s, NULL, &p, 1, &gen)) die("generated world");
  dnt_cell_traffic tr;
  if (dnt_cellular_series(gen, 1026, &tr)) die("series");
  if (dnt_cellular_create(&s, &tr, &p, 1, &rep)) die("replay world");
  step_rate(gen, steps / 10, 1); /* warm up */
  double g_step = step_rate(gen, steps, 0), g_obs = step_rate(gen, steps, 1);
  double r_step = step_rate(rep, steps, 0), r_obs = step_rate(rep, steps, 1);
  double fork = fork_us(gen, quick ? 2000 : 20000);
  double peer = numpy_peer(125, quick ? 1000 : 10000);
  printf("world, 125 BSs (BS-steps per CPU second, one core):\n");
  printf("  generated  step %.3g   step+observe %.3g\n", g_step, g_obs);
  printf("  replay     step %.3g   step+observe %.3g\n", r_step, r_obs);
  printf("  fork (copy + destroy) %.2f us\n", fork);
  if (peer > 0)
    printf("  NumPy peer (generated step+telemetry) %.3g: dnt/NumPy = %.1fx\n", peer, g_obs / peer);
  else
    printf("  NumPy peer unavailable (/usr/bin/python3 with numpy)\n");
  dnt_cell_traffic_free(&tr);
  dnt_world_destroy(gen);
  dnt_world_destroy(rep);
  dnt_cell_sites_free(&s);
}

/* A 1,000-BS (or n-BS) graph at the default site density. */
static void make_graph(size_t n, dnt_bs_graph *g, double *graph_ms) {
  dnt_cell_site_params sp;
  dnt_cell_site_params_default(&sp);
  double scale = sqrt((double)n / (double)sp.n);
  sp.n = n;
  sp.width_m *= scale;
  sp.height_m *= scale;
  sp.n_parents = (size_t)(sp.n_parents * scale * scale);
  dnt_cell_sites s;
  if (dnt_cell_sites_generate(&sp, 3, &s)) die("sites");
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  dnt_world *w = NULL;
  dnt_cell_traffic tr;
  if (dnt_cellular_create(&s, NULL, &p, 3, &w) || dnt_cellular_series(w, 168, &tr)) die("world");
  dnt_bs_graph_params gp;
  dnt_bs_graph_params_default(&gp);
  double t0 = dnt_now();
  if (dnt_bs_graph_build(dnt_cellular_sites(w), tr.v, tr.n_steps, &gp, g)) die("graph");
  *graph_ms = 1e3 * (dnt_now() - t0);
  dnt_cell_traffic_free(&tr);
  dnt_world_destroy(w);
  dnt_cell_sites_free(&s);
}

/* Median CPU time and wall time inside igraph of dnt_cluster_run (ms), and
 * the last result's k, Q. */
static void time_cluster(const dnt_bs_graph *g, const dnt_cluster_params *p, int reps, double *ms,
                         double *ig_ms, int *k, double *q) {
  double cpu[REPEATS], ig[REPEATS];
  for (int r = 0; r < reps; r++) {
    dnt_clustering c;
    double t0 = cpu_now();
    if (dnt_cluster_run(g, p, &c)) die("cluster");
    cpu[r] = 1e3 * (cpu_now() - t0);
    ig[r] = 1e3 * c.igraph_seconds;
    *k = c.k;
    *q = c.modularity;
    dnt_clustering_free(&c);
  }
  *ms = median(cpu, reps);
  *ig_ms = median(ig, reps);
}

#ifdef DNT_HAVE_IGRAPH
/* igraph_community_multilevel alone on the same weighted graph (ms, median). */
static double igraph_alone(const dnt_bs_graph *g, int reps) {
  igraph_vector_int_t edges, memb;
  igraph_vector_int_init(&edges, (igraph_integer_t)(2 * g->m));
  for (size_t e = 0; e < g->m; e++) {
    VECTOR(edges)[2 * e] = g->from[e];
    VECTOR(edges)[2 * e + 1] = g->to[e];
  }
  igraph_t ig;
  igraph_create(&ig, &edges, (igraph_integer_t)g->n, IGRAPH_UNDIRECTED);
  igraph_vector_t wv;
  const igraph_vector_t *w = igraph_vector_view(&wv, g->weight, (igraph_integer_t)g->m);
  igraph_vector_int_init(&memb, 0);
  double t[REPEATS];
  for (int r = 0; r < reps; r++) {
    igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)r + 1);
    double t0 = cpu_now();
    igraph_community_multilevel(&ig, w, 1.0, &memb, NULL, NULL);
    t[r] = 1e3 * (cpu_now() - t0);
  }
  igraph_vector_int_destroy(&memb);
  igraph_destroy(&ig);
  igraph_vector_int_destroy(&edges);
  return median(t, reps);
}
#endif

static void bench_cluster(int quick) {
  int reps = quick ? 5 : REPEATS;
  dnt_bs_graph g;
  double graph_ms, ms, ig_ms, q;
  int k;
  make_graph(1000, &g, &graph_ms);
  printf("clustering, %zu BSs, %zu edges (graph build %.2f ms wall; CPU ms below):\n", g.n, g.m,
         graph_ms);
  dnt_cluster_params p;
  dnt_cluster_params_default(&p);
  p.restarts = 1;
  time_cluster(&g, &p, reps, &ms, &ig_ms, &k, &q);
  printf("  Louvain, 1 run     %7.3f ms CPU (wall inside igraph %.3f ms)  k %d  Q %.4f\n", ms,
         ig_ms, k, q);
#ifdef DNT_HAVE_IGRAPH
  double alone = igraph_alone(&g, reps);
  printf("  igraph_community_multilevel alone %.3f ms: dnt/igraph = %.2fx\n", alone, ms / alone);
#endif
  p.restarts = 8;
  time_cluster(&g, &p, quick ? 3 : 11, &ms, &ig_ms, &k, &q);
  printf("  Louvain, 8 runs    %7.3f ms  k %d  Q %.4f\n", ms, k, q);
  p.restarts = 1;
  p.method = DNT_CLUSTER_LEIDEN;
  time_cluster(&g, &p, reps, &ms, &ig_ms, &k, &q);
  printf("  Leiden, 1 run      %7.3f ms  k %d  Q %.4f\n", ms, k, q);
  dnt_bs_graph_free(&g);
  make_graph(125, &g, &graph_ms);
  p.method = DNT_CLUSTER_GIRVAN_NEWMAN;
  p.k = 10;
  time_cluster(&g, &p, quick ? 1 : 3, &ms, &ig_ms, &k, &q);
  printf("  Girvan-Newman, 125 BSs, %zu edges, k 10: %.1f ms  Q %.4f\n", g.m, ms, q);
  dnt_bs_graph_free(&g);
}

int main(int argc, char **argv) {
  int quick = argc > 1 && !strcmp(argv[1], "--quick");
  bench_world(quick);
  bench_cluster(quick);
  return 0;
}
