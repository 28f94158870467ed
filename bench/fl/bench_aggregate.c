/* bench/fl/bench_aggregate.c: aggregation time of dnt's rules against the
 * same rules written in PyTorch (bench/fl/peer_aggregate.py), in the same run
 * and with the same thread count.
 *
 *   bench_aggregate [--quick] [--threads T] [--no-peer]
 *
 * Grid: n in {10, 40, 100}, d in {1e4, 1e5, 1e6} (--quick: n = 40, d = 1e5),
 * rules mean, median, trmean, krum, multikrum, geomed (10 Weiszfeld
 * iterations, no early stop, in both), bulyan; f = floor((n - 3) / 4) so that
 * every rule, Bulyan included, is defined. Each cell: median time of repeated
 * calls (at least 3, about 0.3 s in all) after one warm-up. Prints one line
 * per cell with dnt's time, PyTorch's and the ratio torch/dnt (above 1: dnt
 * is faster), and the n^2 d scaling of Krum. The peer runs as
 * `/usr/bin/python3 <this folder>/peer_aggregate.py` (Debian's python3-torch). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/aggregate.h"
#include "dnt/nn.h"
#include "dnt/progress.h"
#include "dnt/rng.h"

static const dnt_agg_rule rules[] = {DNT_AGG_MEAN,  DNT_AGG_MEDIAN,    DNT_AGG_TRMEAN,
                                     DNT_AGG_KRUM,  DNT_AGG_MULTIKRUM, DNT_AGG_GEOMED,
                                     DNT_AGG_BULYAN};
enum { N_RULES = sizeof rules / sizeof rules[0], MAX_CELLS = 128 };

typedef struct cell {
  char rule[16];
  int n;
  long d;
  double dnt, torch;
} cell;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median seconds per call of one rule on X (n, d). */
static double time_rule(dnt_agg_rule rule, const float *X, int n, size_t d, float *out) {
  dnt_agg_params p = dnt_agg_defaults(rule);
  p.f = (n - 3) / 4;
  p.geomed_iters = 10;
  p.geomed_tol = 0;
  dnt_agg *a;
  if (dnt_agg_create(&p, n, d, &a)) return NAN;
  double t[64];
  int reps = 0;
  if (dnt_agg_run(a, X, NULL, n, out, NULL, NULL)) { /* warm-up; a failing rule is not timed */
    dnt_agg_destroy(a);
    return NAN;
  }
  double start = dnt_now();
  while (reps < 64 && (reps < 3 || dnt_now() - start < 0.3)) {
    double t0 = dnt_now();
    dnt_agg_run(a, X, NULL, n, out, NULL, NULL);
    t[reps++] = dnt_now() - t0;
  }
  dnt_agg_destroy(a);
  qsort(t, (size_t)reps, sizeof *t, cmp_double);
  return t[reps / 2];
}

/* Reads the peer's lines "rule n d seconds" into the cells. */
static void run_peer(cell *cells, int nc, int threads, int quick) {
  /* the peer script sits beside this source file */
  char dir[1024], cmd[1200];
  snprintf(dir, sizeof dir, "%s", __FILE__);
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  else
    snprintf(dir, sizeof dir, "bench/fl");
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/peer_aggregate.py' --threads %d%s", dir, threads,
           quick ? " --quick" : "");
  FILE *p = popen(cmd, "r");
  if (!p) {
    fprintf(stderr, "bench_aggregate: cannot run the peer: %s\n", cmd);
    return;
  }
  char rule[32];
  int n;
  long d;
  double s;
  while (fscanf(p, "%31s %d %ld %lf", rule, &n, &d, &s) == 4)
    for (int i = 0; i < nc; i++)
      if (!strcmp(cells[i].rule, rule) && cells[i].n == n && cells[i].d == d) cells[i].torch = s;
  if (pclose(p))
    fprintf(stderr, "bench_aggregate: the peer failed (is python3-torch installed?)\n");
}

int main(int argc, char **argv) {
  int quick = 0, threads = 1, peer = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick"))
      quick = 1;
    else if (!strcmp(argv[i], "--no-peer"))
      peer = 0;
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_aggregate [--quick] [--threads T] [--no-peer]\n");
      return 2;
    }
  }
  if (threads < 1) threads = 1;
  dnt_blas_set_threads(threads);
  const int ns[] = {10, 40, 100};
  const long ds[] = {10000, 100000, 1000000};
  cell cells[MAX_CELLS];
  int nc = 0;
  dnt_rng rng;
  dnt_rng_seed(&rng, 1);
  for (int in = 0; in < 3; in++)
    for (int id = 0; id < 3; id++) {
      int n = ns[in];
      long d = ds[id];
      if (quick && (n != 40 || d != 100000)) continue;
      float *X = malloc((size_t)n * (size_t)d * sizeof *X), *out = malloc((size_t)d * sizeof *out);
      if (!X || !out) return 1;
      for (size_t k = 0; k < (size_t)n * (size_t)d; k++)
        X[k] = (float)dnt_rng_normal(&rng, 0, 1);
      for (int r = 0; r < N_RULES; r++) {
        cell *c = &cells[nc++];
        snprintf(c->rule, sizeof c->rule, "%s", dnt_agg_rule_name(rules[r]));
        c->n = n, c->d = d, c->torch = NAN;
        c->dnt = time_rule(rules[r], X, n, (size_t)d, out);
      }
      free(X);
      free(out);
    }
  if (peer) run_peer(cells, nc, threads, quick);
  printf("FL aggregation, %d thread(s): seconds per call (median), ratio = torch / dnt\n", threads);
  printf("%-10s %5s %8s %12s %12s %8s\n", "rule", "n", "d", "dnt", "torch", "ratio");
  for (int i = 0; i < nc; i++)
    printf("%-10s %5d %8ld %12.6f %12.6f %8.2f\n", cells[i].rule, cells[i].n, cells[i].d,
           cells[i].dnt, cells[i].torch, cells[i].torch / cells[i].dnt);
  /* Krum's cost over n^2 d: flat if the Gram-matrix path scales as expected */
  printf("\nkrum seconds / (n^2 d) x 1e9:\n");
  for (int i = 0; i < nc; i++)
    if (!strcmp(cells[i].rule, "krum"))
      printf("  n %3d d %8ld: %.3f\n", cells[i].n, cells[i].d,
             cells[i].dnt / ((double)cells[i].n * cells[i].n * cells[i].d) * 1e9);
  return 0;
}
