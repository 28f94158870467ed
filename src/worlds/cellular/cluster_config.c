/* src/worlds/cellular/cluster_config.c: the "graph.*" and "cluster.*" config
 * fields (defaults as in dnt_bs_graph_params_default and
 * dnt_cluster_params_default). */
#include <string.h>

#include "dnt/cluster.h"

const dnt_config_field dnt_cluster_schema[] = {
    {"graph.formula", DNT_CFG_STRING, 0, 0, 0, "weighted", "weighted|vhtwin",
     "edge weights: our four-term sum, or VH-Twin's 30/d_km + 70 U(0,1)"},
    {"graph.neighbours", DNT_CFG_INT, 0, 1e6, 8, NULL, NULL,
     "candidate edges to the k nearest BSs; 0 = all pairs"},
    {"graph.w_proximity", DNT_CFG_REAL, 0, 1e6, 0.4, NULL, NULL, "weight of exp(-d / L)"},
    {"graph.w_backhaul", DNT_CFG_REAL, 0, 1e6, 0.1, NULL, NULL,
     "weight of min(b_i, b_j) / max backhaul"},
    {"graph.w_overlap", DNT_CFG_REAL, 0, 1e6, 0.2, NULL, NULL, "weight of coverage overlap"},
    {"graph.w_correlation", DNT_CFG_REAL, 0, 1e6, 0.3, NULL, NULL,
     "weight of max(0, traffic correlation)"},
    {"graph.length_m", DNT_CFG_REAL, 0, 1e9, 0, NULL, NULL,
     "proximity length L; 0 = mean nearest-neighbour distance"},
    {"graph.min_weight", DNT_CFG_REAL, 0, 1e9, 0, NULL, NULL, "edges at or below are dropped"},
    {"graph.window", DNT_CFG_INT, 0, 1e9, 168, NULL, NULL,
     "traffic steps used for correlation (the last ones); 0 = all"},
    {"cluster.method", DNT_CFG_STRING, 0, 0, 0, "louvain", "louvain|leiden|girvan-newman",
     "community detection method (igraph)"},
    {"cluster.k", DNT_CFG_INT, 0, 1e6, 0, NULL, NULL,
     "Girvan-Newman: clusters wanted; 0 = the best-modularity level"},
    {"cluster.weighted", DNT_CFG_BOOL, 0, 1, 1, NULL, NULL, "use edge weights"},
    {"cluster.resolution", DNT_CFG_REAL, 1e-6, 1e6, 1, NULL, NULL,
     "Louvain/Leiden resolution gamma"},
    {"cluster.restarts", DNT_CFG_INT, 1, 10000, 8, NULL, NULL,
     "Louvain/Leiden: seeded runs, best modularity kept"},
    {"cluster.restart_budget", DNT_CFG_INT, 0, 1e15, 500000, NULL, NULL,
     "Louvain/Leiden: runs x edges at most this (at least one run); 0 = always restarts"},
};
const size_t dnt_cluster_schema_len = sizeof dnt_cluster_schema / sizeof dnt_cluster_schema[0];

int dnt_cluster_params_from_config(const dnt_config *c, dnt_bs_graph_params *gp,
                                   dnt_cluster_params *cp) {
  dnt_bs_graph_params_default(gp);
  gp->formula = !strcmp(dnt_config_string(c, "graph.formula"), "vhtwin") ? DNT_GRAPH_VHTWIN
                                                                         : DNT_GRAPH_WEIGHTED_SUM;
  gp->neighbours = (size_t)dnt_config_int(c, "graph.neighbours");
  gp->w_proximity = dnt_config_real(c, "graph.w_proximity");
  gp->w_backhaul = dnt_config_real(c, "graph.w_backhaul");
  gp->w_overlap = dnt_config_real(c, "graph.w_overlap");
  gp->w_correlation = dnt_config_real(c, "graph.w_correlation");
  gp->length_m = dnt_config_real(c, "graph.length_m");
  gp->min_weight = dnt_config_real(c, "graph.min_weight");
  gp->window = (size_t)dnt_config_int(c, "graph.window");
  dnt_cluster_params_default(cp);
  const char *m = dnt_config_string(c, "cluster.method");
  cp->method = !strcmp(m, "girvan-newman") ? DNT_CLUSTER_GIRVAN_NEWMAN
               : !strcmp(m, "leiden")      ? DNT_CLUSTER_LEIDEN
                                           : DNT_CLUSTER_LOUVAIN;
  cp->k = (int)dnt_config_int(c, "cluster.k");
  cp->weighted = dnt_config_bool(c, "cluster.weighted");
  cp->resolution = dnt_config_real(c, "cluster.resolution");
  cp->restarts = (int)dnt_config_int(c, "cluster.restarts");
  cp->restart_budget = (size_t)dnt_config_int(c, "cluster.restart_budget");
  return 0;
}
