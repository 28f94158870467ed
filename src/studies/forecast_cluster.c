/* src/studies/forecast_cluster.c: BSs into local twins: the weighted BS
 * graph (dnt/cluster.h: proximity, backhaul, coverage overlap and the traffic
 * correlation) built on the training part only, clustered by Louvain,
 * Leiden or Girvan-Newman at k. */
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "forecast_study.h"

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
  dnt_bs_graph_free(&g);
  free(tm);
  return rc;
}
