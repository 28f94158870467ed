/* src/worlds/cellular/graph.c: the base-station graph (formulas in
 * dnt/cluster.h).
 *
 * Candidate edges come from each BS's k nearest BSs (a k-nearest-neighbour
 * graph, symmetrised): a city-scale BS graph is sparse in practice (a BS
 * cooperates with its neighbours, not with the far side of town), and
 * modularity clustering on a complete graph of 1,000 BSs would spend its time
 * on 500,000 near-zero edges. The k nearest are kept in a small sorted array
 * per BS: O(n^2 k) worst case, O(n^2) in practice. Traffic correlation is a
 * dot product of centred, normalised windows per edge (cblas_ddot). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/cluster.h"
#include "dnt/rng.h"
#include "dnt/status.h"

void dnt_bs_graph_params_default(dnt_bs_graph_params *p) {
  p->formula = DNT_GRAPH_WEIGHTED_SUM;
  p->neighbours = 8;
  p->w_proximity = 0.4;
  p->w_backhaul = 0.1;
  p->w_overlap = 0.2;
  p->w_correlation = 0.3;
  p->length_m = 0;
  p->min_weight = 0;
  p->window = 168;
  p->seed = 1;
}

void dnt_bs_graph_free(dnt_bs_graph *g) {
  if (!g) return;
  free(g->from);
  free(g->to);
  free(g->weight);
  free(g->terms);
  memset(g, 0, sizeof *g);
}

static int graph_alloc(dnt_bs_graph *g, size_t n, size_t m, int with_terms) {
  memset(g, 0, sizeof *g);
  size_t mm = m ? m : 1;
  g->from = malloc(mm * sizeof *g->from);
  g->to = malloc(mm * sizeof *g->to);
  g->weight = malloc(mm * sizeof *g->weight);
  g->terms = with_terms ? calloc(4 * mm, sizeof *g->terms) : NULL;
  if (!g->from || !g->to || !g->weight || (with_terms && !g->terms)) {
    dnt_bs_graph_free(g);
    return dnt_error(DNT_ERR_NOMEM, "graph: out of memory for %zu edges", m);
  }
  g->n = n;
  g->m = m;
  return 0;
}

int dnt_bs_graph_from_edges(size_t n, size_t m, const int *from, const int *to,
                            const double *weight, dnt_bs_graph *g) {
  memset(g, 0, sizeof *g);
  for (size_t e = 0; e < m; e++) {
    double w = weight ? weight[e] : 1.0;
    if (from[e] < 0 || to[e] < 0 || (size_t)from[e] >= n || (size_t)to[e] >= n ||
        from[e] == to[e] || !(w > 0 && isfinite(w)))
      return dnt_error(DNT_ERR_ARG,
                       "graph: edge %zu (%d, %d) weight %g: expected distinct vertices below "
                       "%zu and a finite weight > 0",
                       e, from[e], to[e], w, n);
  }
  int rc = graph_alloc(g, n, m, 0);
  if (rc) return rc;
  for (size_t e = 0; e < m; e++) {
    g->from[e] = from[e] < to[e] ? from[e] : to[e];
    g->to[e] = from[e] < to[e] ? to[e] : from[e];
    g->weight[e] = weight ? weight[e] : 1.0;
  }
  return 0;
}

static double dist(const dnt_cell_sites *s, size_t i, size_t j) {
  return hypot(s->x[i] - s->x[j], s->y[i] - s->y[j]);
}

typedef struct pair {
  int a, b;
} pair;

static int cmp_pair(const void *x, const void *y) {
  const pair *p = x, *q = y;
  if (p->a != q->a) return p->a - q->a;
  return p->b - q->b;
}

/* Candidate pairs (a < b, sorted, unique): k nearest of every BS, or all. */
static int candidates(const dnt_cell_sites *s, size_t k, pair **out, size_t *count) {
  size_t n = s->n;
  if (k == 0 || k >= n - 1) k = n - 1;
  pair *pairs = malloc((n * k + 1) * sizeof *pairs);
  size_t *best = malloc((k + 1) * sizeof *best);
  double *bd = malloc((k + 1) * sizeof *bd);
  if (!pairs || !best || !bd) {
    free(pairs), free(best), free(bd);
    return dnt_error(DNT_ERR_NOMEM, "graph: out of memory for %zu x %zu candidates", n, k);
  }
  size_t np = 0;
  for (size_t i = 0; i < n; i++) {
    size_t nb = 0; /* best[0..nb) sorted by squared distance (insertion) */
    for (size_t j = 0; j < n; j++) {
      if (j == i) continue;
      double dx = s->x[i] - s->x[j], dy = s->y[i] - s->y[j], d = dx * dx + dy * dy;
      if (nb == k && d >= bd[k - 1]) continue;
      size_t pos = nb < k ? nb++ : k - 1;
      while (pos > 0 && bd[pos - 1] > d) {
        bd[pos] = bd[pos - 1];
        best[pos] = best[pos - 1];
        pos--;
      }
      bd[pos] = d;
      best[pos] = j;
    }
    for (size_t q = 0; q < nb; q++) {
      size_t j = best[q];
      pairs[np++] = (pair){(int)(i < j ? i : j), (int)(i < j ? j : i)};
    }
  }
  free(best);
  free(bd);
  qsort(pairs, np, sizeof *pairs, cmp_pair);
  size_t u = 0;
  for (size_t e = 0; e < np; e++)
    if (u == 0 || cmp_pair(&pairs[e], &pairs[u - 1]) != 0) pairs[u++] = pairs[e];
  *out = pairs;
  *count = u;
  return 0;
}

/* Centred windows scaled to unit norm, (n, W): then corr_ij = dot(c_i, c_j).
 * A constant series gets a zero row (correlation 0). */
static int centred_windows(const double *traffic, size_t n_steps, size_t n, size_t window,
                           double **out, size_t *W) {
  size_t w = window == 0 || window > n_steps ? n_steps : window, t0 = n_steps - w;
  double *c = malloc((n * w + 1) * sizeof *c);
  if (!c) return dnt_error(DNT_ERR_NOMEM, "graph: out of memory for %zu x %zu windows", n, w);
  for (size_t i = 0; i < n; i++) {
    double *row = c + i * w, mean = 0, ss = 0;
    for (size_t t = 0; t < w; t++)
      mean += row[t] = traffic[(t0 + t) * n + i];
    mean /= (double)w;
    for (size_t t = 0; t < w; t++)
      ss += (row[t] - mean) * (row[t] - mean);
    double inv = ss > 0 ? 1 / sqrt(ss) : 0;
    for (size_t t = 0; t < w; t++)
      row[t] = (row[t] - mean) * inv;
  }
  *out = c;
  *W = w;
  return 0;
}

static int check_params(const dnt_bs_graph_params *p) {
  double w[4] = {p->w_proximity, p->w_backhaul, p->w_overlap, p->w_correlation};
  for (int k = 0; k < 4; k++)
    if (!(w[k] >= 0 && isfinite(w[k])))
      return dnt_error(DNT_ERR_ARG, "graph: term weight %d = %g: expected a finite value >= 0", k,
                       w[k]);
  if (!(p->length_m >= 0 && isfinite(p->length_m)) || !isfinite(p->min_weight))
    return dnt_error(DNT_ERR_ARG,
                     "graph: length_m = %g, min_weight = %g: expected finite, "
                     "length >= 0",
                     p->length_m, p->min_weight);
  return 0;
}

int dnt_bs_graph_build(const dnt_cell_sites *s, const double *traffic, size_t n_steps,
                       const dnt_bs_graph_params *p, dnt_bs_graph *g) {
  memset(g, 0, sizeof *g);
  int rc = check_params(p);
  if (rc) return rc;
  if (s->n < 2) return graph_alloc(g, s->n, 0, 1);
  pair *pairs = NULL;
  size_t np = 0, W = 0;
  double *cw = NULL;
  if ((rc = candidates(s, p->neighbours, &pairs, &np))) return rc;
  if (traffic && n_steps > 1) rc = centred_windows(traffic, n_steps, s->n, p->window, &cw, &W);
  if (!rc) rc = graph_alloc(g, s->n, np, 1);
  if (rc) {
    free(pairs);
    free(cw);
    return rc;
  }
  double L = p->length_m > 0 ? p->length_m : dnt_cell_sites_mean_nn(s), bmax = 0;
  if (!(L > 0)) L = 1;
  for (size_t i = 0; i < s->n; i++)
    bmax = fmax(bmax, s->backhaul[i]);
  dnt_rng r;
  dnt_rng_seed(&r, p->seed);
  size_t m = 0;
  for (size_t e = 0; e < np; e++) {
    int a = pairs[e].a, b = pairs[e].b;
    double d = dist(s, (size_t)a, (size_t)b), *t = g->terms + 4 * m, w;
    t[0] = exp(-d / L);
    t[1] = bmax > 0 ? fmin(s->backhaul[a], s->backhaul[b]) / bmax : 0;
    t[2] = dnt_cell_coverage_overlap(d, s->radius[a], s->radius[b]);
    t[3] = cw ? fmax(0, cblas_ddot((int)W, cw + (size_t)a * W, 1, cw + (size_t)b * W, 1)) : 0;
    if (p->formula == DNT_GRAPH_VHTWIN) /* VH-Twin: 30 / dist + 70 A_ij U(0, 1), dist in km */
      w = 30 / fmax(d / 1000, 1e-3) + 70 * dnt_rng_uniform(&r);
    else
      w = p->w_proximity * t[0] + p->w_backhaul * t[1] + p->w_overlap * t[2] +
          p->w_correlation * t[3];
    if (!(w > p->min_weight) || !(w > 0)) continue;
    g->from[m] = a;
    g->to[m] = b;
    g->weight[m] = w;
    m++;
  }
  g->m = m;
  free(pairs);
  free(cw);
  return 0;
}
