/* src/worlds/cellular/graph.c: the base-station graph (formulas in
 * dnt/cluster.h).
 *
 * Candidate edges come from each BS's k nearest BSs (a k-nearest-neighbour
 * graph, symmetrised): a city-scale BS graph is sparse in practice (a BS
 * cooperates with its neighbours, not with the far side of town), and
 * modularity clustering on a complete graph of 1,000 BSs would spend its time
 * on 500,000 near-zero edges. The workload is an operator's network, up to
 * about a million BSs: the k nearest come from a 2-d tree (kdtree.c, exact,
 * the same neighbours and tie order as a scan over all BSs), so the build is
 * O(n k log n) and the terms of the m <= n k edges O(m window). Traffic
 * correlation is a dot product of centred, normalised windows per edge
 * (cblas_ddot). k = 0 (all pairs) is quadratic by definition. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/cluster.h"
#include "dnt/rng.h"
#include "dnt/status.h"
#include "kdtree_internal.h"

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

static int cmp_int(const void *x, const void *y) {
  int p = *(const int *)x, q = *(const int *)y;
  return (p > q) - (p < q);
}

/* All pairs a < b in order. */
static int all_pairs(size_t n, pair **out, size_t *count) {
  pair *pairs = malloc((n * (n - 1) / 2 + 1) * sizeof *pairs);
  if (!pairs) return dnt_error(DNT_ERR_NOMEM, "graph: out of memory for all pairs of %zu BSs", n);
  size_t np = 0;
  for (size_t a = 0; a < n; a++)
    for (size_t b = a + 1; b < n; b++)
      pairs[np++] = (pair){(int)a, (int)b};
  *out = pairs;
  *count = np;
  return 0;
}

/* Candidate pairs (a < b, sorted by (a, b), unique) from the k nearest BSs of
 * every BS (2-d tree), and the mean nearest-neighbour distance on the way
 * (the first neighbour of each query, summed in BS order as
 * dnt_cell_sites_mean_nn does). The pairs are counting-sorted by a, each
 * bucket sorted by b: O(n k log n). */
static int knn_pairs(const dnt_cell_sites *s, size_t k, pair **out, size_t *count,
                     double *mean_nn) {
  size_t n = s->n;
  cell_kdtree t = {0};
  int *lo = malloc(n * k * sizeof *lo), *hi = malloc(n * k * sizeof *hi);
  int *bucket = malloc(n * k * sizeof *bucket);
  size_t *start = calloc(n + 1, sizeof *start), *pos = malloc((n + 1) * sizeof *pos);
  size_t *nb = malloc(k * sizeof *nb);
  double *d2 = malloc(k * sizeof *d2), sum = 0;
  pair *pairs = malloc(n * k * sizeof *pairs);
  int rc = 0;
  if (!lo || !hi || !bucket || !start || !pos || !nb || !d2 || !pairs) {
    rc = dnt_error(DNT_ERR_NOMEM, "graph: out of memory for %zu x %zu candidates", n, k);
    goto cleanup;
  }
  if ((rc = cell_kdtree_build(s->x, s->y, n, &t))) goto cleanup;
  size_t np = 0, u = 0;
  for (size_t i = 0; i < n; i++) {
    size_t r = cell_kdtree_knn(&t, i, k, nb, d2);
    sum += sqrt(d2[0]);
    for (size_t q = 0; q < r; q++) {
      size_t a = i < nb[q] ? i : nb[q];
      lo[np] = (int)a;
      hi[np++] = (int)(i < nb[q] ? nb[q] : i);
      start[a + 1]++;
    }
  }
  for (size_t a = 0; a < n; a++)
    start[a + 1] += start[a];
  memcpy(pos, start, (n + 1) * sizeof *pos);
  for (size_t e = 0; e < np; e++)
    bucket[pos[lo[e]]++] = hi[e];
  for (size_t a = 0; a < n; a++) {
    int *bk = bucket + start[a];
    size_t len = start[a + 1] - start[a];
    qsort(bk, len, sizeof *bk, cmp_int);
    for (size_t q = 0; q < len; q++)
      if (q == 0 || bk[q] != bk[q - 1]) pairs[u++] = (pair){(int)a, bk[q]};
  }
  *mean_nn = sum / (double)n;
  *count = u;
cleanup:
  cell_kdtree_free(&t);
  free(lo), free(hi), free(bucket), free(start), free(pos), free(nb), free(d2);
  if (rc)
    free(pairs);
  else
    *out = pairs;
  return rc;
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
  for (size_t i = 0; i < s->n; i++)
    if (!isfinite(s->x[i]) || !isfinite(s->y[i]))
      return dnt_error(DNT_ERR_ARG, "graph: site %zu (%s) at (%g, %g): expected finite x, y", i,
                       s->id && s->id[i] ? s->id[i] : "?", s->x[i], s->y[i]);
  pair *pairs = NULL;
  size_t np = 0, W = 0, k = p->neighbours;
  double *cw = NULL, mean_nn = 0;
  if (k == 0 || k >= s->n - 1) {
    rc = all_pairs(s->n, &pairs, &np);
    if (!rc && !(p->length_m > 0) && isnan(mean_nn = dnt_cell_sites_mean_nn(s)))
      rc = DNT_ERR_NOMEM; /* the tree's message stands */
  } else {
    rc = knn_pairs(s, k, &pairs, &np, &mean_nn);
  }
  if (rc) return rc;
  if (traffic && n_steps > 1) rc = centred_windows(traffic, n_steps, s->n, p->window, &cw, &W);
  if (!rc) rc = graph_alloc(g, s->n, np, 1);
  if (rc) {
    free(pairs);
    free(cw);
    return rc;
  }
  double L = p->length_m > 0 ? p->length_m : mean_nn, bmax = 0;
  if (!(L > 0)) L = 1;
  for (size_t i = 0; i < s->n; i++)
    bmax = fmax(bmax, s->backhaul[i]);
  dnt_rng r;
  dnt_rng_for(&r, p->seed, DNT_STREAM_GRAPH, 0);
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
