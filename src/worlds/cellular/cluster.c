/* src/worlds/cellular/cluster.c: clustering the BS graph with igraph's C core
 * (methods and papers in dnt/cluster.h).
 *
 * igraph 0.10 notes that shape this file:
 *  - its default error handler aborts the process; we install
 *    igraph_error_handler_ignore around every call and turn error codes into
 *    DNT_ERR_EXTERNAL (the library must never exit);
 *  - Louvain shuffles the vertex order with igraph's global RNG, so each run
 *    seeds it, restart r with the first draw of dnt_rng_for(seed,
 *    DNT_STREAM_GRAPH, 1 + r) (index 0 is the graph build's): same seed,
 *    same clusters;
 *  - igraph_community_edge_betweenness reads weights as lengths (for shortest
 *    paths), and ours are similarities: we pass lengths 1 / w, take only the
 *    merge dendrogram, and compute each level's modularity ourselves with the
 *    similarity weights. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/cluster.h"
#include "dnt/progress.h"
#include "dnt/rng.h"
#include "dnt/status.h"

#ifdef DNT_HAVE_IGRAPH
#include <igraph.h>
#endif

void dnt_cluster_params_default(dnt_cluster_params *p) {
  p->method = DNT_CLUSTER_LOUVAIN;
  p->k = 0;
  p->weighted = 1;
  p->resolution = 1;
  p->restarts = 8;
  p->restart_budget = 500000;
  p->seed = 1;
}

void dnt_clustering_free(dnt_clustering *c) {
  if (!c) return;
  free(c->membership);
  free(c->level_k);
  free(c->level_q);
  memset(c, 0, sizeof *c);
}

/* Labels 0..k-1 in order of first appearance; returns k. */
static int normalise(int *memb, size_t n) {
  int *map = malloc((n ? n : 1) * sizeof *map), k = 0;
  if (!map) return -1;
  for (size_t i = 0; i < n; i++)
    map[i] = -1;
  for (size_t i = 0; i < n; i++) {
    int c = memb[i];
    if (map[c] < 0) map[c] = k++;
    memb[i] = map[c];
  }
  free(map);
  return k;
}

typedef struct overlap {
  int count, cur, prev;
} overlap;

static int cmp_pair(const void *a, const void *b) {
  const overlap *x = a, *y = b;
  if (x->cur != y->cur) return x->cur - y->cur;
  return x->prev - y->prev;
}

static int cmp_count(const void *a, const void *b) {
  const overlap *x = a, *y = b;
  if (x->count != y->count) return y->count - x->count;
  return cmp_pair(a, b);
}

int dnt_clustering_align(const dnt_clustering *prev, dnt_clustering *cur, size_t *moved) {
  if (prev->n != cur->n)
    return dnt_error(DNT_ERR_MISMATCH, "cluster: align %zu BSs with a previous clustering of %zu",
                     cur->n, prev->n);
  size_t n = cur->n;
  int kp = prev->n_labels, kc = cur->n_labels;
  overlap *ov = malloc((n ? n : 1) * sizeof *ov);
  int *map = malloc(((size_t)kc + 1) * sizeof *map);
  char *used = calloc((size_t)kp + (size_t)kc + 1, 1);
  if (!ov || !map || !used) {
    free(ov), free(map), free(used);
    return dnt_error(DNT_ERR_NOMEM, "cluster: out of memory aligning %zu BSs", n);
  }
  for (size_t i = 0; i < n; i++)
    ov[i] = (overlap){1, cur->membership[i], prev->membership[i]};
  qsort(ov, n, sizeof *ov, cmp_pair);
  size_t u = 0; /* run-length count of (cur, prev) pairs */
  for (size_t i = 0; i < n; i++) {
    if (u > 0 && !cmp_pair(&ov[i], &ov[u - 1]))
      ov[u - 1].count++;
    else
      ov[u++] = ov[i];
  }
  qsort(ov, u, sizeof *ov, cmp_count);
  for (int c = 0; c < kc; c++)
    map[c] = -1;
  for (size_t e = 0; e < u; e++)
    if (map[ov[e].cur] < 0 && !used[ov[e].prev]) {
      map[ov[e].cur] = ov[e].prev;
      used[ov[e].prev] = 1;
    }
  int next = 0, top = 0;
  for (int c = 0; c < kc; c++) {
    if (map[c] >= 0) continue;
    while (used[next])
      next++;
    map[c] = next;
    used[next] = 1;
  }
  size_t mv = 0;
  for (size_t i = 0; i < n; i++) {
    cur->membership[i] = map[cur->membership[i]];
    if (cur->membership[i] + 1 > top) top = cur->membership[i] + 1;
    mv += cur->membership[i] != prev->membership[i];
  }
  cur->n_labels = top;
  if (moved) *moved = mv;
  free(ov), free(map), free(used);
  return 0;
}

/* Seeded Louvain/Leiden runs on m edges: the restarts, cut to the budget. */
static int cluster_runs(const dnt_cluster_params *p, size_t m) {
  if (p->restart_budget == 0 || m == 0 || m * (size_t)p->restarts <= p->restart_budget)
    return p->restarts;
  size_t fit = p->restart_budget / m;
  return fit < 1 ? 1 : (int)fit;
}

#ifdef DNT_HAVE_IGRAPH

typedef struct ig_guard {
  igraph_error_handler_t *err;
  igraph_warning_handler_t *warn;
} ig_guard;

static ig_guard guard_on(void) {
  ig_guard g = {igraph_set_error_handler(igraph_error_handler_ignore),
                igraph_set_warning_handler(igraph_warning_handler_ignore)};
  return g;
}

static void guard_off(ig_guard g) {
  igraph_set_error_handler(g.err);
  igraph_set_warning_handler(g.warn);
}

static int ig_fail(igraph_error_t e, const char *what) {
  return dnt_error(DNT_ERR_EXTERNAL, "cluster: igraph %s failed: %s", what, igraph_strerror(e));
}

static int to_igraph(const dnt_bs_graph *g, igraph_t *ig) {
  igraph_vector_int_t edges;
  igraph_error_t e = igraph_vector_int_init(&edges, (igraph_integer_t)(2 * g->m));
  if (e) return ig_fail(e, "vector_int_init");
  for (size_t k = 0; k < g->m; k++) {
    VECTOR(edges)[2 * k] = g->from[k];
    VECTOR(edges)[2 * k + 1] = g->to[k];
  }
  e = igraph_create(ig, &edges, (igraph_integer_t)g->n, IGRAPH_UNDIRECTED);
  igraph_vector_int_destroy(&edges);
  return e ? ig_fail(e, "create") : 0;
}

static int modularity(const igraph_t *ig, const igraph_vector_int_t *memb, const igraph_vector_t *w,
                      double gamma, double *q) {
  igraph_real_t v;
  igraph_error_t e = igraph_modularity(ig, memb, w, gamma, 0, &v);
  if (e) return ig_fail(e, "modularity");
  *q = isnan(v) ? 0 : v; /* no edges: modularity undefined, reported as 0 */
  return 0;
}

/* Louvain or Leiden, best of `runs` seeded runs by modularity at gamma. */
static int adaptive(const igraph_t *ig, const igraph_vector_t *w, const dnt_cluster_params *p,
                    int runs, igraph_vector_int_t *best, double *best_q) {
  igraph_vector_int_t memb;
  igraph_vector_t strength;
  igraph_error_t e = igraph_vector_int_init(&memb, 0);
  if (e) return ig_fail(e, "vector_int_init");
  if ((e = igraph_vector_init(&strength, 0))) {
    igraph_vector_int_destroy(&memb);
    return ig_fail(e, "vector_init");
  }
  double total = 0; /* sum of edge weights (m when unweighted) */
  if (p->method == DNT_CLUSTER_LEIDEN) {
    e = igraph_strength(ig, &strength, igraph_vss_all(), IGRAPH_ALL, IGRAPH_LOOPS, w);
    total = 0.5 * igraph_vector_sum(&strength);
  }
  int rc = e ? ig_fail(e, "strength") : 0;
  *best_q = -HUGE_VAL;
  for (int r = 0; r < runs && !rc; r++) {
    dnt_rng rr; /* restart r seeds igraph from stream (seed, GRAPH, 1 + r) */
    dnt_rng_for(&rr, p->seed, DNT_STREAM_GRAPH, 1 + (uint64_t)r);
    igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)dnt_rng_u64(&rr));
    if (p->method == DNT_CLUSTER_LEIDEN)
      e = igraph_community_leiden(ig, w, &strength, p->resolution / (2 * total), 0.01, 0, -1, &memb,
                                  NULL, NULL);
    else
      e = igraph_community_multilevel(ig, w, p->resolution, &memb, NULL, NULL);
    if (e) {
      rc =
          ig_fail(e, p->method == DNT_CLUSTER_LEIDEN ? "community_leiden" : "community_multilevel");
      break;
    }
    double q = 0;
    if ((rc = modularity(ig, &memb, w, p->resolution, &q))) break;
    if (q > *best_q) {
      *best_q = q;
      if ((e = igraph_vector_int_update(best, &memb))) rc = ig_fail(e, "vector_int_update");
    }
  }
  igraph_vector_int_destroy(&memb);
  igraph_vector_destroy(&strength);
  return rc;
}

/* Girvan-Newman: the merge dendrogram, then every level's modularity. */
static int girvan_newman(const igraph_t *ig, const dnt_bs_graph *g, const igraph_vector_t *w,
                         const dnt_cluster_params *p, igraph_vector_int_t *out, dnt_clustering *c) {
  igraph_vector_t len;
  igraph_vector_int_t removed, memb;
  igraph_matrix_int_t merges;
  int ready = 0; /* how many of len, removed, memb, merges are initialised */
  igraph_error_t e = igraph_vector_init(&len, (igraph_integer_t)g->m);
  if (!e && ++ready) e = igraph_vector_int_init(&removed, 0);
  if (!e && ++ready) e = igraph_vector_int_init(&memb, 0);
  if (!e && ++ready) e = igraph_matrix_int_init(&merges, 0, 0);
  if (e) {
    if (ready > 2) igraph_vector_int_destroy(&memb);
    if (ready > 1) igraph_vector_int_destroy(&removed);
    if (ready > 0) igraph_vector_destroy(&len);
    return ig_fail(e, "vector_init");
  }
  for (size_t k = 0; k < g->m; k++)
    VECTOR(len)[k] = 1 / g->weight[k];
  int rc = 0;
  size_t n = g->n, best = 0;
  if ((e = igraph_community_edge_betweenness(ig, &removed, NULL, &merges, NULL, NULL, NULL, 0,
                                             w ? &len : NULL))) {
    rc = ig_fail(e, "community_edge_betweenness");
    goto cleanup;
  }
  size_t rows = (size_t)igraph_matrix_int_nrow(&merges);
  c->n_levels = rows + 1;
  c->level_k = malloc(c->n_levels * sizeof *c->level_k);
  c->level_q = malloc(c->n_levels * sizeof *c->level_q);
  if (!c->level_k || !c->level_q) {
    rc = dnt_error(DNT_ERR_NOMEM, "cluster: out of memory");
    goto cleanup;
  }
  for (size_t s = 0; s <= rows; s++) {
    if ((e = igraph_community_to_membership(&merges, (igraph_integer_t)n, (igraph_integer_t)s,
                                            &memb, NULL))) {
      rc = ig_fail(e, "community_to_membership");
      goto cleanup;
    }
    if ((rc = modularity(ig, &memb, w, 1.0, &c->level_q[s]))) goto cleanup;
    c->level_k[s] = (int)(n - s);
    if (c->level_q[s] > c->level_q[best]) best = s;
  }
  size_t steps = best;
  if (p->k > 0) steps = (size_t)p->k >= n ? 0 : (n - (size_t)p->k > rows ? rows : n - (size_t)p->k);
  if ((e = igraph_community_to_membership(&merges, (igraph_integer_t)n, (igraph_integer_t)steps,
                                          out, NULL)))
    rc = ig_fail(e, "community_to_membership");
cleanup:
  igraph_vector_destroy(&len);
  igraph_vector_int_destroy(&removed);
  igraph_vector_int_destroy(&memb);
  igraph_matrix_int_destroy(&merges);
  return rc;
}

static int check_params(const dnt_bs_graph *g, const dnt_cluster_params *p) {
  if (p->restarts < 1 || !(p->resolution > 0) || p->k < 0)
    return dnt_error(DNT_ERR_ARG,
                     "cluster: restarts = %d, resolution = %g, k = %d: expected restarts >= 1, "
                     "resolution > 0, k >= 0",
                     p->restarts, p->resolution, p->k);
  if (g->n < 1) return dnt_error(DNT_ERR_ARG, "cluster: the graph has no vertices");
  return 0;
}

int dnt_cluster_run(const dnt_bs_graph *g, const dnt_cluster_params *p, dnt_clustering *out) {
  memset(out, 0, sizeof *out);
  int rc = check_params(g, p);
  if (rc) return rc;
  out->n = g->n;
  out->membership = malloc(g->n * sizeof *out->membership);
  if (!out->membership) return dnt_error(DNT_ERR_NOMEM, "cluster: out of memory");
  if (g->m == 0) { /* no edges: every BS alone (igraph's modularity is undefined) */
    for (size_t i = 0; i < g->n; i++)
      out->membership[i] = (int)i;
    out->k = out->n_labels = (int)g->n;
    return 0;
  }
  ig_guard guard = guard_on();
  double t0 = dnt_now();
  igraph_t ig;
  igraph_vector_int_t memb;
  igraph_vector_t wv;
  const igraph_vector_t *w =
      p->weighted ? igraph_vector_view(&wv, g->weight, (igraph_integer_t)g->m) : NULL;
  if ((rc = to_igraph(g, &ig))) goto out_guard;
  igraph_error_t e = igraph_vector_int_init(&memb, 0);
  if (e) {
    rc = ig_fail(e, "vector_int_init");
    goto out_graph;
  }
  double q = 0;
  if (p->method == DNT_CLUSTER_GIRVAN_NEWMAN)
    rc = girvan_newman(&ig, g, w, p, &memb, out);
  else {
    out->runs = cluster_runs(p, g->m);
    rc = adaptive(&ig, w, p, out->runs, &memb, &q);
  }
  if (!rc && !(rc = modularity(&ig, &memb, w, 1.0, &out->modularity)))
    for (size_t i = 0; i < g->n; i++)
      out->membership[i] = (int)VECTOR(memb)[i];
  igraph_vector_int_destroy(&memb);
out_graph:
  igraph_destroy(&ig);
out_guard:
  out->igraph_seconds = dnt_now() - t0;
  guard_off(guard);
  if (!rc) {
    out->k = out->n_labels = normalise(out->membership, g->n);
    if (out->k < 0) rc = dnt_error(DNT_ERR_NOMEM, "cluster: out of memory");
  }
  if (rc) dnt_clustering_free(out);
  return rc;
}

int dnt_cluster_modularity(const dnt_bs_graph *g, const int *membership, int weighted,
                           double resolution, double *q) {
  *q = 0;
  if (g->m == 0) return 0;
  ig_guard guard = guard_on();
  igraph_t ig;
  igraph_vector_int_t memb;
  igraph_vector_t wv;
  const igraph_vector_t *w =
      weighted ? igraph_vector_view(&wv, g->weight, (igraph_integer_t)g->m) : NULL;
  int rc = to_igraph(g, &ig);
  if (!rc) {
    igraph_error_t e = igraph_vector_int_init(&memb, (igraph_integer_t)g->n);
    if (e) {
      rc = ig_fail(e, "vector_int_init");
    } else {
      for (size_t i = 0; i < g->n; i++)
        VECTOR(memb)[i] = membership[i];
      rc = modularity(&ig, &memb, w, resolution, q);
      igraph_vector_int_destroy(&memb);
    }
    igraph_destroy(&ig);
  }
  guard_off(guard);
  return rc;
}

#else /* no igraph */

int dnt_cluster_run(const dnt_bs_graph *g, const dnt_cluster_params *p, dnt_clustering *out) {
  memset(out, 0, sizeof *out);
  return dnt_error(DNT_ERR_UNSUPPORTED,
                   "cluster: built without igraph (install libigraph-dev and re-run cmake)");
}

int dnt_cluster_modularity(const dnt_bs_graph *g, const int *membership, int weighted,
                           double resolution, double *q) {
  *q = 0;
  return dnt_error(DNT_ERR_UNSUPPORTED,
                   "cluster: built without igraph (install libigraph-dev and re-run cmake)");
}

#endif
