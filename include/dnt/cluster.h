/* dnt/cluster.h: the base-station graph and its clustering with igraph.
 *
 * The paper (section III-B, after VH-Twin) clusters BSs into local twins by
 * geographic proximity, backhaul capacity, coverage overlap and traffic
 * patterns, either into a fixed number k of clusters by removing weak links
 * (Girvan-Newman) or adaptively by maximising modularity (Louvain). Here:
 *
 *   graph    candidate edges between each BS and its `neighbours` nearest BSs
 *            (or all pairs), weighted by
 *              w_ij = a_p exp(-d_ij / L) + a_b min(b_i, b_j) / max_k b_k
 *                   + a_o overlap(d_ij, r_i, r_j) + a_c max(0, corr_ij)
 *            (each term in [0, 1]; corr_ij = Pearson correlation of the two
 *            traffic series over the last `window` steps; L = length_m or the
 *            mean nearest-neighbour distance), or VH-Twin's
 *              w_ij = 30 / d_ij + 70 A_ij U(0, 1)
 *            (d in km, A_ij = 1 for candidate pairs, U seeded); edges with
 *            w_ij <= min_weight are dropped;
 *   cluster  igraph 0.10's C core: Girvan-Newman edge betweenness (Girvan and
 *            Newman, PNAS 2002; weighted: betweenness with lengths 1 / w_ij),
 *            dendrogram cut at k communities, or at its best-modularity level
 *            when k = 0; Louvain multilevel (Blondel et al., J. Stat. Mech.
 *            2008), best of `restarts` seeded runs; Leiden (Traag, Waltman
 *            and van Eck, Sci. Rep. 2019) on the modularity objective.
 *            Modularity Q = 1/(2m) sum_ij (A_ij - gamma k_i k_j / (2m))
 *            delta(c_i, c_j) (Newman, PRE 2004), weighted when `weighted`.
 *
 * Without igraph (DNT_HAVE_IGRAPH undefined) clustering is
 * DNT_ERR_UNSUPPORTED; the graph still builds.
 *
 * Ownership: dnt_bs_graph and dnt_clustering are caller-owned structs whose
 * arrays the library allocates; free with *_free (zeroed structs are fine).
 * igraph's error handler is switched to "ignore" during each call (igraph's
 * default aborts) and restored after: errors come back as DNT_ERR_EXTERNAL.
 * Louvain and Leiden seed igraph's default RNG, which is process-wide: run
 * one clustering at a time (the graph build is thread-safe). */
#ifndef DNT_CLUSTER_H
#define DNT_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/cellular.h"
#include "dnt/config.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_bs_graph {
  size_t n, m;    /* vertices (BSs), edges */
  int *from, *to; /* (m) endpoints, from < to */
  double *weight; /* (m) > 0 */
  double *terms;  /* (m, 4) proximity, backhaul, overlap, correlation of each
                     edge before weighting; NULL for graphs built from edges */
} dnt_bs_graph;

/* A graph from an edge list (weights NULL = all 1). Self loops, endpoints out
 * of range and non-positive weights are DNT_ERR_ARG. O(m). */
int dnt_bs_graph_from_edges(size_t n, size_t m, const int *from, const int *to,
                            const double *weight, dnt_bs_graph *g);
void dnt_bs_graph_free(dnt_bs_graph *g);

typedef enum dnt_graph_formula {
  DNT_GRAPH_WEIGHTED_SUM, /* the four-term formula above (ours) */
  DNT_GRAPH_VHTWIN        /* 30 / d_km + 70 U(0, 1) (VH-Twin's code) */
} dnt_graph_formula;

typedef struct dnt_bs_graph_params {
  dnt_graph_formula formula;
  size_t neighbours; /* candidate edges to the k nearest BSs; 0 = all pairs */
  double w_proximity, w_backhaul, w_overlap, w_correlation; /* >= 0 */
  double length_m;   /* proximity length L; 0 = mean nearest-neighbour distance */
  double min_weight; /* edges with weight <= this are dropped */
  size_t window;     /* correlation over the last `window` steps; 0 = all */
  uint64_t seed;     /* VH-Twin's U(0, 1): stream (seed, DNT_STREAM_GRAPH, 0) */
} dnt_bs_graph_params;

/* Weighted sum, 8 neighbours, weights 0.4 / 0.1 / 0.2 / 0.3, L auto, min 0,
 * window 168 steps (one week of hours). */
void dnt_bs_graph_params_default(dnt_bs_graph_params *p);

/* Builds the BS graph of `s` (positions, backhaul, radius as given: use the
 * world's resolved sites, dnt_cellular_sites). `traffic` is (n_steps, s->n)
 * row-major demand (column i = BS i), or NULL: correlation terms are then 0.
 * Sites must have finite x, y (DNT_ERR_ARG). The k nearest come from a 2-d
 * tree: O(n k log n + m window) for neighbours = k > 0, O(n^2 window) for all
 * pairs. */
int dnt_bs_graph_build(const dnt_cell_sites *s, const double *traffic, size_t n_steps,
                       const dnt_bs_graph_params *p, dnt_bs_graph *g);

typedef enum dnt_cluster_method {
  DNT_CLUSTER_LOUVAIN,
  DNT_CLUSTER_LEIDEN,
  DNT_CLUSTER_GIRVAN_NEWMAN
} dnt_cluster_method;

typedef struct dnt_cluster_params {
  dnt_cluster_method method;
  int k;                 /* Girvan-Newman: clusters wanted; 0 = best-modularity level */
  int weighted;          /* 1: use edge weights; 0: every edge weighs 1 */
  double resolution;     /* gamma (Louvain, Leiden); 1 = classic modularity */
  int restarts;          /* Louvain/Leiden: seeded runs, best modularity kept (>= 1) */
  size_t restart_budget; /* Louvain/Leiden: runs x edges at most this (at least one run);
                            0 = always `restarts` runs */
  uint64_t seed;
} dnt_cluster_params;

/* Louvain, k 0, weighted, resolution 1, 8 restarts within a budget of
 * 500,000 run-edges, seed 1.
 *
 * Why a budget: the best of several seeded runs raises modularity where one
 * run's result varies, on small graphs; on large ones the runs agree. On the
 * k = 8 graph of `dnt cluster` (Matern sites, generated traffic) the spread
 * of Q over 8 Louvain seeds is 0.0043 at 1,000 BSs (one run may lose 0.004
 * against the best of 8), 0.0007 at 10,000 and 0.0003 at 100,000, where
 * each run costs 1.3 s CPU. So graphs up to 62,500 edges (about 13,000 BSs)
 * get all 8 runs, larger ones max(1, floor(500,000 / m)): one run at
 * 100,000 BSs, within 0.0002 of the best of 8 (docs/PERFORMANCE.md,
 * bench_scale). The igraph 0.10 of this build is not thread-safe
 * (IGRAPH_THREAD_SAFE 0: its RNG, error stack and interrupt handler are
 * process-wide), so runs cannot go on threads. */
void dnt_cluster_params_default(dnt_cluster_params *p);

typedef struct dnt_clustering {
  size_t n;
  int *membership;       /* (n) cluster of each BS, 0..k-1 numbered by first appearance */
  int k;                 /* clusters */
  int n_labels;          /* 1 + the largest label: k, unless dnt_clustering_align left gaps */
  double modularity;     /* Q of membership (weighted if params.weighted, gamma = 1) */
  double igraph_seconds; /* wall time spent inside igraph */
  int runs;              /* Louvain/Leiden: seeded runs made (restarts cut to the budget) */
  size_t n_levels;       /* Girvan-Newman: dendrogram levels; else 0 */
  int *level_k;          /* (n_levels) clusters at each level (n, n-1, ...) */
  double *level_q;       /* (n_levels) modularity at each level */
} dnt_clustering;

/* Clusters g. A Girvan-Newman k below the number of connected components
 * gives one cluster per component (k reports what was reached). Time:
 * Louvain/Leiden about O(m) per run; Girvan-Newman O(m^2 n). */
int dnt_cluster_run(const dnt_bs_graph *g, const dnt_cluster_params *p, dnt_clustering *out);
void dnt_clustering_free(dnt_clustering *c);

/* Modularity of a membership (igraph_modularity), weighted or not. */
int dnt_cluster_modularity(const dnt_bs_graph *g, const int *membership, int weighted,
                           double resolution, double *q);

/* Re-clustering on demand: relabels cur so that each of its clusters takes
 * the label of the previous cluster it overlaps most (greedy by overlap size,
 * each previous label used once; the other clusters get the smallest unused
 * labels), so local twins keep their identity across re-clusterings. Labels
 * may then leave gaps (cur->n_labels says how many label slots to allocate).
 * *moved (may be NULL) = BSs whose label changed. O(n log n). */
int dnt_clustering_align(const dnt_clustering *prev, dnt_clustering *cur, size_t *moved);

#ifdef __cplusplus
}
#endif
#endif
