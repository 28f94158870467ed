/* src/fl/fl_stage.c: attack -> filter -> rule, the one aggregation path of
 * every server mode, so that a rule, an attack or a filter behaves the same in
 * synchronous, asynchronous and hierarchical runs. */
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "fl_stage.h"

int fl_stage_init(fl_stage *st, const dnt_fl_stage_cfg *cfg, const int *groups, int n_groups,
                  const dnt_agg_params *group_rule, int max_n, size_t d) {
  memset(st, 0, sizeof *st);
  st->cfg = *cfg;
  st->max_n = max_n;
  st->d = d;
  st->groups = groups;
  int fltrust = cfg->agg.rule == DNT_AGG_FLTRUST || (groups && group_rule->rule == DNT_AGG_FLTRUST);
  if (fltrust && !cfg->root_fn)
    return dnt_error(DNT_ERR_ARG, "FL server: rule 'fltrust' needs a root update callback "
                                  "(field 'stage.root_fn')");
  int rc = groups ? dnt_fl_hier_create(group_rule, &cfg->agg, n_groups, max_n, d, &st->hier)
                  : dnt_agg_create(&cfg->agg, max_n, d, &st->agg);
  if (rc) return rc;
  size_t n = (size_t)max_n;
  st->fw = malloc(n * sizeof *st->fw);
  st->map = malloc(n * sizeof *st->map);
  st->rgroup = malloc(n * sizeof *st->rgroup);
  st->kept = malloc(n * sizeof *st->kept);
  st->mal = malloc(n);
  st->root = fltrust ? malloc(d * sizeof *st->root) : NULL;
  if (!st->fw || !st->map || !st->rgroup || !st->kept || !st->mal || (fltrust && !st->root)) {
    fl_stage_free(st);
    return dnt_error(DNT_ERR_NOMEM, "FL server: out of memory");
  }
  if (st->agg) dnt_agg_set_root(st->agg, st->root);
  if (st->hier) dnt_fl_hier_set_root(st->hier, st->root);
  return 0;
}

void fl_stage_free(fl_stage *st) {
  dnt_agg_destroy(st->agg);
  dnt_fl_hier_destroy(st->hier);
  free(st->fw);
  free(st->map);
  free(st->rgroup);
  free(st->kept);
  free(st->mal);
  free(st->root);
  memset(st, 0, sizeof *st);
}

void fl_stage_set_center(fl_stage *st, const float *center) {
  if (st->agg) dnt_agg_set_center(st->agg, center);
  if (st->hier) dnt_fl_hier_set_center(st->hier, center);
}

int fl_stage_run(fl_stage *st, const float *global, int round, float *X, const int *ids,
                 const double *w, const unsigned char *mal, int n, float *out,
                 unsigned char *status, float *kept, dnt_rng *rng) {
  size_t d = st->d;
  int rc;
  for (int i = 0; i < n; i++)
    st->mal[i] = mal ? mal[i] : 0;
  if (mal && st->cfg.attack.kind != DNT_ATTACK_NONE) {
    rc = dnt_attack_apply(&st->cfg.attack, X, n, d, st->mal, st->cfg.attack_f, rng);
    if (rc) return rc;
  }
  for (int i = 0; i < n; i++)
    st->fw[i] = w ? w[i] : 1.0;
  if (st->cfg.filter) {
    rc = st->cfg.filter(st->cfg.filter_ctx, global, X, n, d, ids, st->fw);
    if (rc) return dnt_error(rc, "FL server: filter callback: %s", dnt_last_error());
  }
  /* compact the rows the filter kept (weight > 0) to the front of X */
  int m = 0;
  for (int i = 0; i < n; i++) {
    if (!(st->fw[i] > 0)) {
      status[i] = DNT_FL_FILTERED;
      kept[i] = 0;
      continue;
    }
    if (m != i) memmove(X + (size_t)m * d, X + (size_t)i * d, d * sizeof *X);
    st->fw[m] = st->fw[i];
    st->rgroup[m] = st->groups ? st->groups[ids[i]] : 0;
    st->map[m++] = i;
  }
  if (m == 0)
    return dnt_error(DNT_ERR_ARG,
                     "FL server: round %d: no update left to aggregate "
                     "(%d received, all filtered)",
                     round, n);
  if (st->root) {
    rc = st->cfg.root_fn(st->cfg.root_ctx, global, d, round, st->root);
    if (rc) return dnt_error(rc, "FL server: root update callback: %s", dnt_last_error());
  }
  rc = st->hier ? dnt_fl_hier_run(st->hier, X, st->fw, st->rgroup, m, out, st->kept, rng)
                : dnt_agg_run(st->agg, X, st->fw, m, out, st->kept, rng);
  if (rc) return rc;
  for (int k = 0; k < m; k++) {
    int i = st->map[k];
    kept[i] = st->kept[k];
    status[i] = st->kept[k] >= 0.5f ? DNT_FL_KEPT : DNT_FL_DROPPED;
  }
  return 0;
}
