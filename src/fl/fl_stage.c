/* src/fl/fl_stage.c: attack -> filter -> rule, the one aggregation path of
 * every server mode, so that a rule, an attack or a filter behaves the same in
 * synchronous, asynchronous and hierarchical runs; and the one place where
 * detection is counted. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "fl_stage.h"

void dnt_fl_detection_count(dnt_fl_detection *det, const unsigned char *status,
                            const unsigned char *mal, int n) {
  for (int i = 0; i < n; i++) {
    if (status[i] < DNT_FL_FILTERED) continue; /* never reached the stage */
    int flagged = status[i] == DNT_FL_FILTERED || status[i] == DNT_FL_DROPPED;
    if (mal[i])
      flagged ? det->true_pos++ : det->false_neg++;
    else if (flagged)
      det->false_pos++;
  }
}

double dnt_fl_precision(const dnt_fl_detection *det) {
  int flagged = det->true_pos + det->false_pos;
  return flagged ? (double)det->true_pos / flagged : NAN;
}

double dnt_fl_recall(const dnt_fl_detection *det) {
  int bad = det->true_pos + det->false_neg;
  return bad ? (double)det->true_pos / bad : NAN;
}

int fl_stage_init(fl_stage *st, const dnt_fl_stage_cfg *cfg, const dnt_fl_population *pop,
                  const dnt_agg_params *group_rule, int max_n, size_t d) {
  memset(st, 0, sizeof *st);
  st->cfg = *cfg;
  st->max_n = max_n;
  st->d = d;
  st->seed = pop->seed;
  st->groups = pop->groups;
  const int *groups = pop->groups;
  int fltrust = cfg->agg.rule == DNT_AGG_FLTRUST || (groups && group_rule->rule == DNT_AGG_FLTRUST);
  if (fltrust && !cfg->root_fn)
    return dnt_error(DNT_ERR_ARG, "FL server: rule 'fltrust' needs a root update callback "
                                  "(field 'stage.root_fn')");
  int rc = groups ? dnt_fl_hier_create(group_rule, &cfg->agg, pop->n_groups, max_n, d, &st->hier)
                  : dnt_agg_create(&cfg->agg, max_n, d, &st->agg);
  if (!rc && pop->malicious && cfg->attack.kind != DNT_ATTACK_NONE)
    rc = dnt_attack_ws_create(&cfg->attack, max_n, d, &st->atk);
  if (rc) {
    fl_stage_free(st);
    return rc;
  }
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

int fl_stage_regroup(fl_stage *st, const dnt_fl_stage_cfg *cfg, dnt_fl_population *pop,
                     const dnt_agg_params *group_rule, int max_n, size_t d, const int *groups,
                     int n_groups, double **gbytes, const char *who) {
  dnt_fl_population np = *pop; /* the new grouping, checked before anything changes */
  np.groups = groups;
  np.n_groups = groups ? n_groups : 1;
  int rc = dnt_fl_population_check(&np, who);
  if (rc) return rc;
  size_t n = (size_t)np.n_clients, g = (size_t)np.n_groups;
  int *copy = groups ? malloc(n * sizeof *copy) : NULL;
  double *gb = calloc(2 * g, sizeof *gb);
  if ((groups && !copy) || !gb) {
    free(copy);
    free(gb);
    return dnt_error(DNT_ERR_NOMEM, "%s: out of memory", who);
  }
  if (groups) memcpy(copy, groups, n * sizeof *copy);
  np.groups = copy;
  fl_stage fresh;
  if ((rc = fl_stage_init(&fresh, cfg, &np, group_rule, max_n, d))) {
    free(copy);
    free(gb);
    return rc;
  }
  fl_stage_free(st);
  free((void *)pop->groups);
  free(*gbytes);
  *st = fresh;
  *pop = np;
  *gbytes = gb;
  return 0;
}

void fl_stage_free(fl_stage *st) {
  dnt_agg_destroy(st->agg);
  dnt_fl_hier_destroy(st->hier);
  dnt_attack_ws_destroy(st->atk);
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
                 unsigned char *status, float *kept, dnt_fl_detection *det) {
  size_t d = st->d;
  int rc;
  for (int i = 0; i < n; i++)
    st->mal[i] = mal ? mal[i] : 0;
  if (mal && st->atk) {
    dnt_rng arng;
    dnt_rng_for(&arng, st->seed, DNT_STREAM_ATTACK, (uint64_t)round);
    rc = dnt_attack_apply_ws(&st->cfg.attack, st->atk, X, n, st->mal, st->cfg.attack_f, &arng);
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
  dnt_rng srng;
  dnt_rng_for(&srng, st->seed, DNT_STREAM_SERVER, (uint64_t)round);
  rc = st->hier ? dnt_fl_hier_run(st->hier, X, st->fw, st->rgroup, m, out, st->kept, &srng)
                : dnt_agg_run(st->agg, X, st->fw, m, out, st->kept, &srng);
  if (rc) return rc;
  for (int k = 0; k < m; k++) {
    int i = st->map[k];
    kept[i] = st->kept[k];
    status[i] = st->kept[k] >= 0.5f ? DNT_FL_KEPT : DNT_FL_DROPPED;
  }
  if (det && mal) dnt_fl_detection_count(det, status, st->mal, n);
  return 0;
}

int fl_pack_groups(dnt_pack *p, const dnt_fl_population *pop) {
  dnt_pack_tag(p, "groups");
  dnt_pack_i64(p, pop->groups ? pop->n_groups : 0);
  if (pop->groups) dnt_pack_ints(p, pop->groups, (size_t)pop->n_clients);
  return p->rc;
}

int fl_unpack_groups(dnt_unpack *u, int n_clients, int **groups, int *n_groups) {
  *groups = NULL;
  *n_groups = 1;
  int64_t g = 0;
  if (dnt_unpack_tag(u, "groups") || dnt_unpack_i64(u, &g)) return u->rc;
  if (g < 0 || g > n_clients)
    return u->rc = dnt_error(DNT_ERR_CORRUPT, "%s: %lld groups: expected 0..%d", u->origin,
                             (long long)g, n_clients);
  if (g == 0) return 0;
  *groups = malloc((size_t)n_clients * sizeof **groups);
  if (!*groups) return u->rc = dnt_error(DNT_ERR_NOMEM, "%s: out of memory", u->origin);
  *n_groups = (int)g;
  int rc = dnt_unpack_ints(u, "groups", *groups, (size_t)n_clients);
  if (rc) {
    free(*groups);
    *groups = NULL;
  }
  return rc;
}

int fl_same_groups(const dnt_fl_population *pop, const int *groups, int n_groups) {
  if (!groups || !pop->groups) return !groups && !pop->groups;
  return n_groups == pop->n_groups &&
         !memcmp(groups, pop->groups, (size_t)pop->n_clients * sizeof *groups);
}
