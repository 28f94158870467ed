/* src/fl/fl_hier.c: two-level aggregation: a rule inside each group, then a
 * rule over the group updates (see dnt/fl_hier.h). */
#include <stdlib.h>
#include <string.h>

#include "dnt/fl_hier.h"
#include "dnt/status.h"

struct dnt_fl_hier {
  int n_groups, max_n;
  size_t d;
  dnt_agg *group_agg;  /* max_n rows */
  dnt_agg *global_agg; /* n_groups rows */
  float *rows;         /* (max_n, d) one group's rows gathered */
  double *w;           /* (max_n) their weights */
  int *members;        /* (max_n) their indices in X */
  float *kept;         /* (max_n) kept inside the group */
  float *gu;           /* (n_groups, d) group updates */
  double *gw;          /* (n_groups) group weights */
  float *gkept;        /* (n_groups) kept of each group at the top */
  int *gid;            /* (n_groups) group of each row of gu */
};

void dnt_fl_hier_destroy(dnt_fl_hier *h) {
  if (!h) return;
  dnt_agg_destroy(h->group_agg);
  dnt_agg_destroy(h->global_agg);
  free(h->rows);
  free(h->w);
  free(h->members);
  free(h->kept);
  free(h->gu);
  free(h->gw);
  free(h->gkept);
  free(h->gid);
  free(h);
}

int dnt_fl_hier_create(const dnt_agg_params *group_rule, const dnt_agg_params *global_rule,
                       int n_groups, int max_n, size_t d, dnt_fl_hier **out) {
  *out = NULL;
  if (n_groups < 1)
    return dnt_error(DNT_ERR_ARG, "hierarchical FL: n_groups = %d: expected >= 1", n_groups);
  dnt_fl_hier *h = calloc(1, sizeof *h);
  if (!h) return dnt_error(DNT_ERR_NOMEM, "hierarchical FL: out of memory");
  h->n_groups = n_groups;
  h->max_n = max_n;
  h->d = d;
  int rc = dnt_agg_create(group_rule, max_n, d, &h->group_agg);
  if (!rc) rc = dnt_agg_create(global_rule, n_groups, d, &h->global_agg);
  if (rc) {
    dnt_fl_hier_destroy(h);
    return rc;
  }
  size_t n = (size_t)max_n, g = (size_t)n_groups;
  h->rows = malloc(n * d * sizeof *h->rows);
  h->w = malloc(n * sizeof *h->w);
  h->members = malloc(n * sizeof *h->members);
  h->kept = malloc(n * sizeof *h->kept);
  h->gu = malloc(g * d * sizeof *h->gu);
  h->gw = malloc(g * sizeof *h->gw);
  h->gkept = malloc(g * sizeof *h->gkept);
  h->gid = malloc(g * sizeof *h->gid);
  if (!h->rows || !h->w || !h->members || !h->kept || !h->gu || !h->gw || !h->gkept || !h->gid) {
    dnt_fl_hier_destroy(h);
    return dnt_error(DNT_ERR_NOMEM, "hierarchical FL: out of memory (%d rows of %zu floats)", max_n,
                     d);
  }
  *out = h;
  return 0;
}

void dnt_fl_hier_set_root(dnt_fl_hier *h, const float *root) {
  dnt_agg_set_root(h->group_agg, root);
  dnt_agg_set_root(h->global_agg, root);
}

void dnt_fl_hier_set_center(dnt_fl_hier *h, const float *center) {
  dnt_agg_set_center(h->group_agg, center);
  dnt_agg_set_center(h->global_agg, center);
}

int dnt_fl_hier_run(dnt_fl_hier *h, const float *X, const double *w, const int *group, int n,
                    float *out, float *kept, dnt_rng *rng) {
  size_t d = h->d;
  if (n > h->max_n)
    return dnt_error(DNT_ERR_ARG, "hierarchical FL: n = %d rows: expected <= %d", n, h->max_n);
  for (int i = 0; i < n; i++)
    if (group[i] < 0 || group[i] >= h->n_groups)
      return dnt_error(DNT_ERR_ARG, "hierarchical FL: row %d: group %d: expected 0..%d", i,
                       group[i], h->n_groups - 1);
  int ng = 0;
  for (int g = 0; g < h->n_groups; g++) {
    int m = 0;
    double W = 0;
    for (int i = 0; i < n; i++) {
      if (group[i] != g) continue;
      memcpy(h->rows + (size_t)m * d, X + (size_t)i * d, d * sizeof *X);
      h->w[m] = w ? w[i] : 1.0;
      W += h->w[m];
      h->members[m++] = i;
    }
    if (m == 0) continue;
    int rc = dnt_agg_run(h->group_agg, h->rows, h->w, m, h->gu + (size_t)ng * d, h->kept, rng);
    if (rc)
      return dnt_error(rc, "hierarchical FL: group %d (%d updates): %s", g, m, dnt_last_error());
    if (kept)
      for (int k = 0; k < m; k++)
        kept[h->members[k]] = h->kept[k];
    h->gw[ng] = W;
    h->gid[ng++] = g;
  }
  if (ng == 0) return dnt_error(DNT_ERR_ARG, "hierarchical FL: no update in any group");
  int rc = dnt_agg_run(h->global_agg, h->gu, h->gw, ng, out, h->gkept, rng);
  if (rc)
    return dnt_error(rc, "hierarchical FL: global level (%d groups): %s", ng, dnt_last_error());
  if (kept)
    for (int i = 0; i < n; i++)
      for (int k = 0; k < ng; k++)
        if (h->gid[k] == group[i] && h->gkept[k] < kept[i]) kept[i] = h->gkept[k];
  return 0;
}
