/* src/studies/forecast_cluster.c: BSs into local twins: the weighted BS
 * graph (dnt/cluster.h: proximity, backhaul, coverage overlap and the traffic
 * correlation) built on the training part only, clustered by Louvain,
 * Leiden or Girvan-Newman at k; then clusters of fewer than cluster.min_size
 * BSs are merged into their neighbours (a local twin of one BS is local
 * training that pays a global exchange per round): each of their BSs moves to
 * the kept cluster it has the most edge weight to (the largest kept cluster
 * when it has none), and the clusters are renumbered by first appearance. */
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "forecast_study.h"

/* Merges the clusters smaller than min_size (above). O(n k + m). */
static int merge_small(const dnt_bs_graph *g, size_t min_size, dnt_clustering *c) {
  size_t n = c->n, K = (size_t)c->n_labels;
  size_t *size = calloc(K, sizeof *size);
  double *link = calloc(n * K, sizeof *link); /* (n, K) edge weight of BS i to cluster k */
  int *label = malloc(K * sizeof *label), rc = 0;
  if (!size || !link || !label) {
    rc = dnt_error(DNT_ERR_NOMEM, "forecast: no memory to merge %zu clusters", K);
    goto cleanup;
  }
  for (size_t i = 0; i < n; i++)
    size[c->membership[i]]++;
  size_t largest = 0;
  for (size_t k = 0; k < K; k++)
    if (size[k] > size[largest]) largest = k;
  if (size[largest] < min_size) goto cleanup; /* nothing to merge into */
  for (size_t e = 0; e < g->m; e++) {
    int a = g->from[e], b = g->to[e];
    link[(size_t)a * K + (size_t)c->membership[b]] += g->weight[e];
    link[(size_t)b * K + (size_t)c->membership[a]] += g->weight[e];
  }
  for (size_t i = 0; i < n; i++) {
    if (size[c->membership[i]] >= min_size) continue;
    size_t best = largest;
    for (size_t k = 0; k < K; k++)
      if (size[k] >= min_size && link[i * K + k] > link[i * K + best]) best = k;
    c->membership[i] = (int)best; /* sizes stay those of the clustering: no cascade */
  }
  for (size_t k = 0; k < K; k++)
    label[k] = -1;
  int next = 0;
  for (size_t i = 0; i < n; i++) {
    int *l = &label[c->membership[i]];
    if (*l < 0) *l = next++;
    c->membership[i] = *l;
  }
  c->k = c->n_labels = next;
cleanup:
  free(size);
  free(link);
  free(label);
  return rc;
}

int fc_cluster(const dnt_study_forecast_config *cfg, const fc_data *d, size_t n_steps,
               uint64_t seed, dnt_clustering *out) {
  dnt_bs_graph_params gp;
  dnt_bs_graph_params_default(&gp);
  gp.neighbours = (size_t)cfg->graph_neighbours;
  gp.w_proximity = cfg->w_proximity;
  gp.w_backhaul = cfg->w_backhaul;
  gp.w_overlap = cfg->w_overlap;
  gp.w_correlation = cfg->w_correlation;
  gp.min_weight = cfg->min_weight;
  gp.window = 0; /* every step given: the part seen so far */
  gp.seed = seed;
  dnt_cluster_params cp;
  dnt_cluster_params_default(&cp);
  cp.method = !strcmp(cfg->cluster_method, "leiden")          ? DNT_CLUSTER_LEIDEN
              : !strcmp(cfg->cluster_method, "girvan_newman") ? DNT_CLUSTER_GIRVAN_NEWMAN
                                                              : DNT_CLUSTER_LOUVAIN;
  cp.k = (int)cfg->cluster_k;
  cp.seed = seed;
  /* the graph reads (n_steps, n_bs) time-major */
  double *tm = malloc(n_steps * d->n_bs * sizeof *tm);
  if (!tm) return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for the BS graph's traffic");
  for (size_t t = 0; t < n_steps; t++)
    for (size_t i = 0; i < d->n_bs; i++)
      tm[t * d->n_bs + i] = d->y[i * d->len + t];
  dnt_bs_graph g = {0};
  int rc = dnt_bs_graph_build(&d->sites, tm, n_steps, &gp, &g);
  if (!rc) rc = dnt_cluster_run(&g, &cp, out);
  if (!rc) rc = merge_small(&g, (size_t)cfg->cluster_min_size, out);
  if (!rc) rc = dnt_cluster_modularity(&g, out->membership, cp.weighted, 1.0, &out->modularity);
  dnt_bs_graph_free(&g);
  free(tm);
  return rc;
}
