/* dnt/study_cluster.h: base stations clustered into local twins (`dnt
 * cluster`, dnt/cluster.h) on real or generated sites and traffic.
 *
 * Method: the cellular world of the cellular.* rows (dnt/cellular.h) gives
 * the sites (derived capacities, backhaul and radii filled in) and the demand
 * series of its first graph.window steps (4 weeks when the window is 0); the
 * BS graph is built from them with the graph.* rows and clustered with the
 * cluster.* rows (Louvain, Leiden or Girvan-Newman, igraph).
 *
 * Results (into the run): clusters.csv (one row per BS: site_id, x_m, y_m,
 * lat, lon, capacity, backhaul, radius_m, cluster; the sites reader accepts
 * it back), edges.csv (from, to, weight and the four terms), levels.csv
 * (Girvan-Newman: clusters and modularity per dendrogram level), the map
 * clusters_map (.gp/.svg/.png), summary.json: method, sites, traffic, n_bs,
 * n_edges, clusters, modularity, runs, graph_ms, cluster_ms, igraph_ms and
 * the missing-value counts of the traffic read.
 * Streams (dnt/rng.h), from the run's seed: generated sites SITES 0, the
 * traffic structure TRAFFIC 0 and noise WORLD 0, the graph GRAPH 0, the
 * clustering restarts GRAPH 1 + r. */
#ifndef DNT_STUDY_CLUSTER_H
#define DNT_STUDY_CLUSTER_H

#include "dnt/cellular.h"
#include "dnt/cluster.h"
#include "dnt/run.h"
#include "dnt/study.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNT_STUDY_CLUSTER_ROWS(X)                                                                  \
  X(STRING, formula, "graph.formula", 0, 0, "weighted", "weighted|vhtwin",                         \
    "edge weights: our four-term sum, or VH-Twin's 30/d_km + 70 U(0,1)")                           \
  X(INT, neighbours, "graph.neighbours", 0, 1e6, 8, NULL,                                          \
    "candidate edges to the k nearest BSs; 0 = all pairs")                                         \
  X(REAL, w_proximity, "graph.w_proximity", 0, 1e6, 0.4, NULL, "weight of exp(-d / L)")            \
  X(REAL, w_backhaul, "graph.w_backhaul", 0, 1e6, 0.1, NULL,                                       \
    "weight of min(b_i, b_j) / max backhaul")                                                      \
  X(REAL, w_overlap, "graph.w_overlap", 0, 1e6, 0.2, NULL, "weight of coverage overlap")           \
  X(REAL, w_correlation, "graph.w_correlation", 0, 1e6, 0.3, NULL,                                 \
    "weight of max(0, traffic correlation)")                                                       \
  X(REAL, length_m, "graph.length_m", 0, 1e9, 0, NULL,                                             \
    "proximity length L; 0 = mean nearest-neighbour distance")                                     \
  X(REAL, min_weight, "graph.min_weight", 0, 1e9, 0, NULL, "edges at or below are dropped")        \
  X(INT, window, "graph.window", 0, 1e9, 168, NULL,                                                \
    "traffic steps used for correlation (the last ones); 0 = all")                                 \
  X(STRING, method, "cluster.method", 0, 0, "louvain", "louvain|leiden|girvan-newman",             \
    "community detection method (igraph)")                                                         \
  X(INT, k, "cluster.k", 0, 1e6, 0, NULL,                                                          \
    "Girvan-Newman: clusters wanted; 0 = the best-modularity level")                               \
  X(BOOL, weighted, "cluster.weighted", 0, 1, 1, NULL, "use edge weights")                         \
  X(REAL, resolution, "cluster.resolution", 1e-6, 1e6, 1, NULL, "Louvain/Leiden resolution gamma") \
  X(INT, restarts, "cluster.restarts", 1, 10000, 8, NULL,                                          \
    "Louvain/Leiden: seeded runs, best modularity kept")                                           \
  X(INT, restart_budget, "cluster.restart_budget", 0, 1e15, 500000, NULL,                          \
    "Louvain/Leiden: runs x edges at most this (at least one run); 0 = always restarts")           \
  DNT_CELL_MISSING_ROWS(X)

typedef struct dnt_study_cluster_config {
  DNT_CFG_MEMBERS(DNT_STUDY_CLUSTER_ROWS)
  dnt_cellular_config cellular; /* the cellular.* rows */
} dnt_study_cluster_config;

/* The registry row of the study (dnt/study.h). */
extern const dnt_study dnt_study_cluster;

/* Every field at its default. */
void dnt_study_cluster_defaults(dnt_study_cluster_config *cfg);
/* The graph's and the clustering's parameters from the fields, with `seed`. */
void dnt_study_cluster_params(const dnt_study_cluster_config *cfg, uint64_t seed,
                              dnt_bs_graph_params *gp, dnt_cluster_params *cp);
/* Before a result folder exists: the sites and traffic files are read and
 * parsed (errors name file, line and field). */
int dnt_study_cluster_check(const dnt_study_cluster_config *cfg);
/* Runs the study into `run` with the run's seed; `progress` may be NULL. */
int dnt_study_cluster_run(const dnt_study_cluster_config *cfg, dnt_run *run,
                          const dnt_study_progress *progress);

#ifdef __cplusplus
}
#endif
#endif
