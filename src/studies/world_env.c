/* src/studies/world_env.c: a world and its twin as an RL environment
 * (dnt/world_env.h).
 *
 * The workload: an agent steps n instances for hundreds of thousands of steps,
 * so reset and step only copy between buffers sized at create; the cost is
 * the worlds' own steps. The bridge lives in the studies layer because it joins
 * two layers that do not know each other: the twin (src/twin) and the RL
 * layer's environment and shield interfaces (src/rl). */
#include "dnt/world_env.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/rng.h"
#include "dnt/status.h"

struct dnt_world_env {
  const dnt_world_env_config *cfg; /* borrowed */
  dnt_world *physical;             /* owned */
  dnt_twin *twin;                  /* owned, owns the twin world */
  size_t n_fields, n_wact;
  size_t n_obs; /* observation values before the forecasts */
  uint64_t episode_seed;
  int64_t t;
  double *wact;   /* (n_wact) action applied by the last step */
  double *wcheck; /* (n_wact) action a shield checks */
  double *next;   /* (n_fields) the shield's look-ahead state */
  double *hist;   /* (fc_history) one mirrored series */
  double *fc;     /* (fc_k) its forecast */
  double *cost;   /* (n_costs) */
  char name[48];
};

void dnt_world_env_config_default(dnt_world_env_config *c) {
  memset(c, 0, sizeof *c);
  dnt_sync_config_default(&c->sync);
  c->horizon = 100;
}

void dnt_world_env_seeds(uint64_t episode_seed, uint64_t *physical, uint64_t *twin,
                         uint64_t *channel) {
  dnt_rng r;
  dnt_rng_for(&r, episode_seed, DNT_STREAM_WORLD, 0);
  *physical = dnt_rng_u64(&r);
  dnt_rng_for(&r, episode_seed, DNT_STREAM_WORLD, 1);
  *twin = dnt_rng_u64(&r);
  dnt_rng_for(&r, episode_seed, DNT_STREAM_CHANNEL, 0);
  *channel = dnt_rng_u64(&r);
}

/* ---- config checks (against the world's shape) -------------------------- */

static int check_fields(const size_t *f, size_t n, const char *what, const dnt_world_info *info,
                        const char *kind) {
  for (size_t k = 0; k < n; k++)
    if (f[k] >= info->n_fields)
      return dnt_error(DNT_ERR_ARG, "world env: %s[%zu] = %zu: the world '%s' has %zu fields", what,
                       k, f[k], kind, info->n_fields);
  return 0;
}

static int check_finite(const double *x, size_t n, const char *what) {
  for (size_t k = 0; x && k < n; k++)
    if (!isfinite(x[k]))
      return dnt_error(DNT_ERR_ARG, "world env: %s[%zu] = %g: expected finite", what, k, x[k]);
  return 0;
}

static int check_obs(const dnt_world_env_config *c, const dnt_world_info *info, const char *kind) {
  int rc = 0;
  if (c->observe) {
    if (c->obs_dim < 1)
      return dnt_error(DNT_ERR_ARG,
                       "world env: obs_dim = %d with an observe callback: expected >= 1",
                       c->obs_dim);
    if (c->obs_fields)
      return dnt_error(DNT_ERR_ARG, "world env: both obs_fields and an observe callback: pick one");
  } else if (c->obs_fields) {
    if (c->n_obs_fields < 1)
      return dnt_error(DNT_ERR_ARG, "world env: n_obs_fields = 0 with obs_fields: expected >= 1");
    if ((rc = check_fields(c->obs_fields, c->n_obs_fields, "obs_fields", info, kind))) return rc;
  }
  if ((rc = check_finite(c->field_offset, info->n_fields, "field_offset"))) return rc;
  if ((rc = check_finite(c->field_scale, info->n_fields, "field_scale"))) return rc;
  if (!c->forecaster) return 0;
  if (c->fc_k < 1 || c->fc_k > DNT_FORECAST_MAX_K)
    return dnt_error(DNT_ERR_ARG, "world env: fc_k = %d: expected 1..%d", c->fc_k,
                     DNT_FORECAST_MAX_K);
  if (!c->fc_fields || c->n_fc_fields < 1)
    return dnt_error(DNT_ERR_ARG, "world env: a forecaster without fc_fields: expected >= 1 field");
  if ((rc = check_fields(c->fc_fields, c->n_fc_fields, "fc_fields", info, kind))) return rc;
  size_t need = dnt_forecaster_min_history(c->forecaster);
  if (c->fc_history < need || c->fc_history < 1 || c->fc_history > c->sync.history_rows)
    return dnt_error(DNT_ERR_ARG,
                     "world env: fc_history = %zu: the forecaster '%s' needs >= %zu rows and the "
                     "mirror keeps %zu",
                     c->fc_history, dnt_forecaster_name(c->forecaster), need ? need : 1,
                     c->sync.history_rows);
  return 0;
}

static int check_act(const dnt_world_env_config *c, const dnt_world_info *info, const char *kind) {
  size_t nw = info->n_actions;
  if ((c->n_actions > 0) == (c->act_dim > 0) || c->n_actions < 0 || c->act_dim < 0)
    return dnt_error(DNT_ERR_ARG,
                     "world env: n_actions = %d, act_dim = %d: expected exactly one of them > 0",
                     c->n_actions, c->act_dim);
  if (c->mask && c->act_dim > 0)
    return dnt_error(DNT_ERR_ARG, "world env: an action mask with continuous actions");
  if (c->to_world || nw == 0) return 0;
  if (c->act_dim > 0 && (size_t)c->act_dim != nw)
    return dnt_error(DNT_ERR_ARG,
                     "world env: act_dim = %d: the world '%s' takes %zu action values (or give "
                     "to_world)",
                     c->act_dim, kind, nw);
  if (c->n_actions > 0) {
    if (!c->action_table)
      return dnt_error(DNT_ERR_ARG, "world env: %d discrete actions need action_table or to_world",
                       c->n_actions);
    if (c->action_width != nw)
      return dnt_error(DNT_ERR_ARG,
                       "world env: action_width = %zu: the world '%s' takes %zu action values",
                       c->action_width, kind, nw);
    return check_finite(c->action_table, (size_t)c->n_actions * nw, "action_table");
  }
  return 0;
}

static int check_config(const dnt_world_env_config *c, const dnt_world *w) {
  const dnt_world_info *info = dnt_world_get_info(w);
  const char *kind = dnt_world_kind(w);
  int rc = check_obs(c, info, kind);
  if (rc == 0) rc = check_act(c, info, kind);
  if (rc) return rc;
  if (!c->reward) return dnt_error(DNT_ERR_ARG, "world env: no reward callback");
  if (c->n_costs < 0 || (c->n_costs > 0 && !c->cost))
    return dnt_error(DNT_ERR_ARG, "world env: n_costs = %d: expected >= 0, with a cost callback",
                     c->n_costs);
  if (c->horizon < 1)
    return dnt_error(DNT_ERR_ARG, "world env: horizon = %d: expected >= 1 step", c->horizon);
  return 0;
}

/* ---- instances ----------------------------------------------------------- */

static void inst_destroy(void *inst) {
  dnt_world_env *e = inst;
  if (!e) return;
  dnt_twin_destroy(e->twin);
  dnt_world_destroy(e->physical);
  free(e->wact);
  free(e->wcheck);
  free(e->next);
  free(e->hist);
  free(e->fc);
  free(e->cost);
  free(e);
}

static int make_worlds(const dnt_world_env_config *c, dnt_world **p, dnt_world **t) {
  *p = *t = NULL;
  if (c->make) return c->make(c->user, p, t);
  if (!c->physical || !c->twin)
    return dnt_error(DNT_ERR_ARG, "world env: give the physical and twin prototypes or make");
  int rc = dnt_world_copy(c->physical, p);
  if (rc == 0) rc = dnt_world_copy(c->twin, t);
  return rc;
}

static void fill_spec(const dnt_world_env *e, dnt_env_spec *s) {
  const dnt_world_env_config *c = e->cfg;
  memset(s, 0, sizeof *s);
  s->name = e->name;
  s->obs_dim = (int)(e->n_obs + c->n_fc_fields * (size_t)(c->forecaster ? c->fc_k : 0));
  s->n_actions = c->n_actions;
  s->act_dim = c->act_dim;
  for (int k = 0; k < c->act_dim && k < DNT_ENV_MAX_ACT; k++) {
    s->act_low[k] = c->act_low[k];
    s->act_high[k] = c->act_high[k];
  }
  s->n_costs = c->n_costs;
  s->max_steps = c->horizon;
}

static int inst_create(const void *cfgv, dnt_env_spec *spec, void **out) {
  const dnt_world_env_config *c = cfgv;
  *out = NULL;
  dnt_world *p = NULL, *t = NULL;
  dnt_world_env *e = NULL;
  int rc = make_worlds(c, &p, &t);
  if (rc == 0) rc = check_config(c, p);
  if (rc == 0 && !(e = calloc(1, sizeof *e))) rc = dnt_error(DNT_ERR_NOMEM, "world env: instance");
  if (rc) {
    dnt_world_destroy(p);
    dnt_world_destroy(t);
    return rc;
  }
  e->cfg = c;
  e->physical = p;
  dnt_sync_config sc = c->sync;
  if ((rc = dnt_twin_create(p, t, &sc, &e->twin))) goto cleanup; /* takes t, also on failure */
  const dnt_world_info *info = dnt_world_get_info(p);
  e->n_fields = info->n_fields;
  e->n_wact = info->n_actions;
  e->n_obs = c->observe ? (size_t)c->obs_dim : c->obs_fields ? c->n_obs_fields : e->n_fields;
  if (c->name)
    snprintf(e->name, sizeof e->name, "%s", c->name);
  else
    snprintf(e->name, sizeof e->name, "world:%s", dnt_world_kind(p));
  size_t nw = e->n_wact ? e->n_wact : 1;
  e->wact = calloc(nw, sizeof *e->wact);
  e->wcheck = calloc(nw, sizeof *e->wcheck);
  e->next = calloc(e->n_fields, sizeof *e->next);
  e->hist = calloc(c->forecaster ? c->fc_history : 1, sizeof *e->hist);
  e->fc = calloc(c->forecaster ? (size_t)c->fc_k : 1, sizeof *e->fc);
  e->cost = calloc((size_t)c->n_costs + 1, sizeof *e->cost);
  if (!e->wact || !e->wcheck || !e->next || !e->hist || !e->fc || !e->cost) {
    rc = dnt_error(DNT_ERR_NOMEM, "world env: buffers for %zu fields", e->n_fields);
    goto cleanup;
  }
  fill_spec(e, spec);
  *out = e;
  return 0;
cleanup:
  inst_destroy(e);
  return rc;
}

static dnt_world_env_view view_of(const dnt_world_env *e, const double *action) {
  dnt_world_env_view v = {.t = e->t,
                          .physical = e->physical,
                          .twin = e->twin,
                          .mirror = dnt_twin_mirror(e->twin),
                          .telemetry = dnt_twin_physical_telemetry(e->twin),
                          .action = action,
                          .n_fields = e->n_fields,
                          .n_world_actions = e->n_wact};
  return v;
}

static float transform(const dnt_world_env_config *c, size_t f, double v) {
  double off = c->field_offset ? c->field_offset[f] : 0,
         sc = c->field_scale ? c->field_scale[f] : 1;
  return (float)((v - off) * sc);
}

static int write_obs(dnt_world_env *e, const dnt_world_env_view *v, float *obs) {
  const dnt_world_env_config *c = e->cfg;
  const dnt_mirror *m = v->mirror;
  if (c->observe) {
    int rc = c->observe(c->user, v, obs);
    if (rc) return rc;
  } else {
    for (size_t k = 0; k < e->n_obs; k++) {
      size_t f = c->obs_fields ? c->obs_fields[k] : k;
      obs[k] = transform(c, f, m->value[f]);
    }
  }
  if (!c->forecaster) return 0;
  size_t need = dnt_forecaster_min_history(c->forecaster), k = (size_t)c->fc_k;
  float *out = obs + e->n_obs;
  for (size_t j = 0; j < c->n_fc_fields; j++, out += k) {
    size_t f = c->fc_fields[j], n = dnt_mirror_series(m, f, e->hist, c->fc_history);
    if (n >= need && n > 0) {
      int rc = dnt_forecaster_predict(c->forecaster, e->hist, n, c->fc_k, e->fc);
      if (rc) return rc;
    } else {
      for (size_t h = 0; h < k; h++)
        e->fc[h] = m->value[f]; /* too little history: persistence */
    }
    for (size_t h = 0; h < k; h++)
      out[h] = transform(c, f, e->fc[h]);
  }
  return 0;
}

static int inst_reset(void *inst, dnt_rng *rng, float *obs) {
  dnt_world_env *e = inst;
  uint64_t ps, ts, cs;
  e->episode_seed = dnt_rng_u64(rng);
  dnt_world_env_seeds(e->episode_seed, &ps, &ts, &cs);
  int rc = dnt_world_reset(e->physical, ps);
  if (rc == 0) rc = dnt_world_reset(dnt_twin_world(e->twin), ts);
  if (rc) return rc;
  dnt_twin_reset(e->twin, cs);
  if ((rc = dnt_twin_snapshot(e->twin))) return rc;
  e->t = 0;
  memset(e->wact, 0, (e->n_wact ? e->n_wact : 1) * sizeof *e->wact);
  dnt_world_env_view v = view_of(e, NULL);
  return write_obs(e, &v, obs);
}

/* The world action vector of (a, u) into w; refused when not finite. */
static int map_action(const dnt_world_env *e, int a, const float *u, double *w) {
  const dnt_world_env_config *c = e->cfg;
  if (c->n_actions > 0 && (a < 0 || a >= c->n_actions))
    return dnt_error(DNT_ERR_ARG, "world env '%s': action %d: expected 0..%d", e->name, a,
                     c->n_actions - 1);
  if (e->n_wact == 0) return 0;
  if (c->to_world) {
    int rc = c->to_world(c->user, a, u, w);
    if (rc) return rc;
  } else if (c->n_actions > 0) {
    memcpy(w, c->action_table + (size_t)a * e->n_wact, e->n_wact * sizeof *w);
  } else {
    for (size_t k = 0; k < e->n_wact; k++)
      w[k] = u[k];
  }
  for (size_t k = 0; k < e->n_wact; k++)
    if (!isfinite(w[k]))
      return dnt_error(DNT_ERR_NUMERIC,
                       "world env '%s': world action value %zu = %g: expected finite", e->name, k,
                       w[k]);
  return 0;
}

static int inst_step(void *inst, int a, const float *u, dnt_rng *rng, float *obs, float *reward,
                     float *cost, int *terminated) {
  (void)rng; /* the episode's randomness is in its worlds and channel */
  dnt_world_env *e = inst;
  const dnt_world_env_config *c = e->cfg;
  int rc = map_action(e, a, u, e->wact);
  if (rc) return rc;
  if ((rc = dnt_twin_step(e->twin, e->n_wact ? e->wact : NULL))) return rc;
  e->t++;
  dnt_world_env_view v = view_of(e, e->n_wact ? e->wact : NULL);
  double r = 0;
  if ((rc = c->reward(c->user, &v, &r))) return rc;
  if (!isfinite(r))
    return dnt_error(DNT_ERR_NUMERIC, "world env '%s': reward = %g at step %lld: expected finite",
                     e->name, r, (long long)e->t);
  *reward = (float)r;
  if (c->n_costs > 0 && (rc = c->cost(c->user, &v, e->cost))) return rc;
  for (int k = 0; k < c->n_costs; k++) {
    if (!isfinite(e->cost[k]))
      return dnt_error(DNT_ERR_NUMERIC,
                       "world env '%s': cost %d = %g at step %lld: expected finite", e->name, k,
                       e->cost[k], (long long)e->t);
    cost[k] = (float)e->cost[k];
  }
  *terminated = 0;
  if (c->terminal && (rc = c->terminal(c->user, &v, terminated))) return rc;
  return write_obs(e, &v, obs);
}

static void inst_mask(const void *inst, unsigned char *mask) {
  const dnt_world_env *e = inst;
  dnt_world_env_view v = view_of(e, e->t > 0 && e->n_wact ? e->wact : NULL);
  e->cfg->mask(e->cfg->user, &v, mask);
}

static const dnt_env_ops ops_plain = {.name = "world_env",
                                      .create = inst_create,
                                      .destroy = inst_destroy,
                                      .reset = inst_reset,
                                      .step = inst_step};
static const dnt_env_ops ops_masked = {.name = "world_env",
                                       .create = inst_create,
                                       .destroy = inst_destroy,
                                       .reset = inst_reset,
                                       .step = inst_step,
                                       .mask = inst_mask};

const dnt_env_ops *dnt_world_env_ops(const dnt_world_env_config *cfg) {
  return cfg->mask && cfg->n_actions > 0 ? &ops_masked : &ops_plain;
}

int dnt_world_vecenv_init(dnt_vecenv *v, const dnt_world_env_config *cfg, int n, uint64_t seed) {
  return dnt_vecenv_init(v, dnt_world_env_ops(cfg), cfg, n, seed);
}

dnt_world_env *dnt_world_env_at(const dnt_vecenv *v, int i) {
  assert(v->ops == &ops_plain || v->ops == &ops_masked);
  assert(i >= 0 && i < v->n);
  return v->inst[i];
}
const dnt_world *dnt_world_env_physical(const dnt_world_env *e) {
  return e->physical;
}
const dnt_twin *dnt_world_env_twin(const dnt_world_env *e) {
  return e->twin;
}
uint64_t dnt_world_env_episode_seed(const dnt_world_env *e) {
  return e->episode_seed;
}
const double *dnt_world_env_last_action(const dnt_world_env *e) {
  return e->wact;
}

/* ---- the monitor as the shield's predicate ------------------------------- */

int dnt_world_env_is_safe(void *user, const dnt_vecenv *env, int i, const float *obs_aug, int a,
                          const float *u, int *safe) {
  (void)obs_aug; /* the monitor judges the mirrored state, not the agent's features */
  dnt_world_env_shield *s = user;
  dnt_world_env *e = dnt_world_env_at(env, i);
  *safe = 0;
  int rc = map_action(e, a, u, e->wcheck);
  if (rc == DNT_ERR_NUMERIC) return 0; /* a non-finite action is unsafe: the backup acts */
  if (rc) return rc;
  const dnt_mirror *m = dnt_twin_mirror(e->twin);
  dnt_monitor_view v = {.step = dnt_twin_now(e->twin),
                        .state = m->value,
                        .n_state = e->n_fields,
                        .action = e->n_wact ? e->wcheck : NULL,
                        .n_action = e->n_wact};
  if (s->lookahead >= 1) {
    dnt_world *fork = NULL;
    if ((rc = dnt_world_copy(dnt_twin_world(e->twin), &fork))) return rc;
    for (int h = 0; rc == 0 && h < s->lookahead; h++)
      rc = dnt_world_step(fork, h == 0 ? v.action : NULL);
    if (rc == 0) dnt_world_observe(fork, e->next);
    dnt_world_destroy(fork);
    if (rc) return rc;
    v.next = e->next;
  }
  int unsafe = 0;
  if ((rc = dnt_monitor_check(s->monitor, &v, &unsafe))) return rc;
  *safe = !unsafe;
  return 0;
}

static int shield_backup(void *user, const dnt_vecenv *env, int i, const float *obs_aug, int *a,
                         float *u) {
  dnt_world_env_shield *s = user;
  return s->backup(s->backup_user, env, i, obs_aug, a, u);
}

dnt_intervention dnt_world_env_shield_intervention(dnt_world_env_shield *s, const char *name,
                                                   float penalty, dnt_shield_learn learn) {
  return dnt_intervention_shield(name, dnt_world_env_is_safe, s->backup ? shield_backup : NULL, s,
                                 penalty, learn);
}
