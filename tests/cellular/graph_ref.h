/* tests/cellular/graph_ref.h: the plain quadratic BS graph, the reference the
 * 2-d-tree build of src/worlds/cellular/graph.c is held to (test_graph.c) and
 * the peer it is timed against (bench/cellular/bench_scale.c).
 *
 * Straight from the formula of dnt/cluster.h: for every BS a scan over all
 * others keeps the k smallest (squared distance, index) pairs; the mean
 * nearest-neighbour distance is a second scan; correlation is Pearson's r of
 * the last `window` steps, computed per pair in two passes. O(n^2 + m window).
 * Weighted-sum formula only. The edges come out sorted by (from, to). */
#ifndef DNT_TEST_GRAPH_REF_H
#define DNT_TEST_GRAPH_REF_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/cluster.h"

typedef struct ref_graph {
  size_t m;
  int *from, *to;        /* (m) */
  double *weight, *corr; /* (m) */
  double mean_nn;
} ref_graph;

static void ref_graph_free(ref_graph *g) {
  free(g->from), free(g->to), free(g->weight), free(g->corr);
  memset(g, 0, sizeof *g);
}

static double ref_d2(const dnt_cell_sites *s, size_t i, size_t j) {
  double dx = s->x[i] - s->x[j], dy = s->y[i] - s->y[j];
  return dx * dx + dy * dy;
}

/* Pearson's r of columns a and b of the (n_steps, n) series over its last w rows. */
static double ref_pearson(const double *tr, size_t n_steps, size_t n, size_t w, int a, int b) {
  size_t t0 = n_steps - w;
  double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
  for (size_t t = t0; t < n_steps; t++)
    ma += tr[t * n + (size_t)a], mb += tr[t * n + (size_t)b];
  ma /= (double)w, mb /= (double)w;
  for (size_t t = t0; t < n_steps; t++) {
    double da = tr[t * n + (size_t)a] - ma, db = tr[t * n + (size_t)b] - mb;
    sab += da * db, saa += da * da, sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0;
}

static int ref_cmp_pair(const void *x, const void *y) {
  const int *p = x, *q = y;
  return p[0] != q[0] ? (p[0] > q[0]) - (p[0] < q[0]) : (p[1] > q[1]) - (p[1] < q[1]);
}

/* Pairs (a < b) of the symmetrised k-nearest graph, (2 n k) ints sorted and
 * unique; *m = how many. */
static int *ref_knn_pairs(const dnt_cell_sites *s, size_t k, size_t *m, double *mean_nn) {
  size_t n = s->n, np = 0;
  int *pairs = malloc(2 * n * k * sizeof *pairs);
  size_t *best = malloc((k + 1) * sizeof *best);
  double *bd = malloc((k + 1) * sizeof *bd), sum = 0;
  for (size_t i = 0; pairs && best && bd && i < n; i++) {
    size_t nb = 0;
    for (size_t j = 0; j < n; j++) { /* j ascending: an equal distance keeps the earlier j */
      if (j == i) continue;
      double d = ref_d2(s, i, j);
      if (nb == k && d >= bd[k - 1]) continue;
      size_t pos = nb < k ? nb++ : k - 1;
      for (; pos > 0 && bd[pos - 1] > d; pos--)
        bd[pos] = bd[pos - 1], best[pos] = best[pos - 1];
      bd[pos] = d, best[pos] = j;
    }
    double nearest = HUGE_VAL;
    for (size_t j = 0; j < n; j++)
      if (j != i && ref_d2(s, i, j) < nearest) nearest = ref_d2(s, i, j);
    sum += sqrt(nearest);
    for (size_t q = 0; q < nb; q++, np++) {
      pairs[2 * np] = (int)(i < best[q] ? i : best[q]);
      pairs[2 * np + 1] = (int)(i < best[q] ? best[q] : i);
    }
  }
  free(best), free(bd);
  *mean_nn = n > 1 ? sum / (double)n : 0;
  if (!pairs) return NULL;
  qsort(pairs, np, 2 * sizeof *pairs, ref_cmp_pair);
  size_t u = 0;
  for (size_t e = 0; e < np; e++)
    if (u == 0 || ref_cmp_pair(pairs + 2 * e, pairs + 2 * (u - 1)))
      pairs[2 * u] = pairs[2 * e], pairs[2 * u + 1] = pairs[2 * e + 1], u++;
  *m = u;
  return pairs;
}

/* The graph of dnt_bs_graph_build with formula WEIGHTED_SUM, neighbours = k
 * (1 <= k < n - 1), min_weight 0; returns 0 or -1 (out of memory). */
static int ref_graph_build(const dnt_cell_sites *s, const double *tr, size_t n_steps,
                           const dnt_bs_graph_params *p, ref_graph *g) {
  size_t n = s->n, k = p->neighbours, np = 0;
  memset(g, 0, sizeof *g);
  int *pairs = ref_knn_pairs(s, k, &np, &g->mean_nn);
  g->from = malloc((np + 1) * sizeof *g->from);
  g->to = malloc((np + 1) * sizeof *g->to);
  g->weight = malloc((np + 1) * sizeof *g->weight);
  g->corr = malloc((np + 1) * sizeof *g->corr);
  if (!pairs || !g->from || !g->to || !g->weight || !g->corr) {
    free(pairs);
    ref_graph_free(g);
    return -1;
  }
  double L = p->length_m > 0 ? p->length_m : g->mean_nn, bmax = 0;
  for (size_t i = 0; i < n; i++)
    bmax = s->backhaul[i] > bmax ? s->backhaul[i] : bmax;
  size_t w = p->window == 0 || p->window > n_steps ? n_steps : p->window;
  for (size_t e = 0; e < np; e++) {
    int a = pairs[2 * e], b = pairs[2 * e + 1];
    double d = sqrt(ref_d2(s, (size_t)a, (size_t)b));
    double r = tr && n_steps > 1 ? ref_pearson(tr, n_steps, n, w, a, b) : 0;
    double bh = bmax > 0 ? fmin(s->backhaul[a], s->backhaul[b]) / bmax : 0;
    g->from[e] = a;
    g->to[e] = b;
    g->corr[e] = r > 0 ? r : 0;
    g->weight[e] = p->w_proximity * exp(-d / L) + p->w_backhaul * bh +
                   p->w_overlap * dnt_cell_coverage_overlap(d, s->radius[a], s->radius[b]) +
                   p->w_correlation * g->corr[e];
  }
  g->m = np;
  free(pairs);
  return 0;
}

#endif
