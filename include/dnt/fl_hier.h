/* dnt/fl_hier.h: hierarchical aggregation (two levels).
 *
 * Clients are grouped by the caller (e.g. the clusters of base stations found
 * by community detection, each cluster one local twin). Each group's updates
 * are aggregated with the group rule into a group update; the global update is
 * then the global rule over the group updates, each weighted by its group's
 * total sample count (as VH-Twin's cluster-size-weighted global average; see
 * docs/FL.md). Groups with no update this round take no part.
 *   group g:  u_g = AGG_group({x_i : group(i) = g}),  W_g = sum_{i in g} w_i
 *   global:   u   = AGG_global({u_g}, {W_g})
 * kept_i = min(kept of i inside its group, kept of its group at the top).
 * A group smaller than its rule needs (dnt_agg_min_n) is an error naming the
 * group, never a silent fallback.
 *
 * Cost: the group rules together O(cost of the rule on n rows) at most; the
 * global rule on n_groups rows. One gather of each group's rows (O(nd)).
 * Ownership: create/destroy; the workspace is sized once for max_n rows. */
#ifndef DNT_FL_HIER_H
#define DNT_FL_HIER_H

#include <stddef.h>

#include "dnt/aggregate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_fl_hier dnt_fl_hier;

int dnt_fl_hier_create(const dnt_agg_params *group_rule, const dnt_agg_params *global_rule,
                       int n_groups, int max_n, size_t d, dnt_fl_hier **out);
void dnt_fl_hier_destroy(dnt_fl_hier *h);

/* Sets the borrowed FLTrust root / CClip centre of both levels (NULL allowed). */
void dnt_fl_hier_set_root(dnt_fl_hier *h, const float *root);
void dnt_fl_hier_set_center(dnt_fl_hier *h, const float *center);

/* Aggregates rows X (n, d) with weights w (n; NULL = 1) and group ids
 * group (n, in [0, n_groups)) into out (d); kept (n) may be NULL. */
int dnt_fl_hier_run(dnt_fl_hier *h, const float *X, const double *w, const int *group, int n,
                    float *out, float *kept, dnt_rng *rng);

#ifdef __cplusplus
}
#endif
#endif
