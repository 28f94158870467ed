/* src/rl/env.c: a batch of environment instances stepped together.
 *
 * The workload: an agent calls step then advance once per vector step, for
 * millions of steps, so both are plain loops over preallocated arrays; the
 * per-instance virtual call is the only indirection (measured by
 * bench/rl/bench_rl.c on a trivial environment). */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/env.h"
#include "dnt/status.h"

static int check_spec(const dnt_env_spec *s, const char *name) {
  if (s->obs_dim <= 0)
    return dnt_error(DNT_ERR_ARG, "env '%s': obs_dim = %d: expected > 0", name, s->obs_dim);
  if ((s->n_actions > 0) == (s->act_dim > 0) || s->n_actions < 0 || s->act_dim < 0)
    return dnt_error(DNT_ERR_ARG,
                     "env '%s': n_actions = %d, act_dim = %d: expected exactly one of them > 0",
                     name, s->n_actions, s->act_dim);
  if (s->act_dim > DNT_ENV_MAX_ACT)
    return dnt_error(DNT_ERR_ARG, "env '%s': act_dim = %d: expected <= %d", name, s->act_dim,
                     DNT_ENV_MAX_ACT);
  for (int k = 0; k < s->act_dim; k++)
    if (!(s->act_low[k] < s->act_high[k]))
      return dnt_error(DNT_ERR_ARG, "env '%s': action %d bounds [%g, %g]: expected low < high",
                       name, k, s->act_low[k], s->act_high[k]);
  if (s->n_costs < 0 || s->max_steps < 0)
    return dnt_error(DNT_ERR_ARG, "env '%s': n_costs = %d, max_steps = %d: expected >= 0", name,
                     s->n_costs, s->max_steps);
  if (s->has_mask && s->n_actions == 0)
    return dnt_error(DNT_ERR_ARG, "env '%s': an action mask with continuous actions", name);
  return 0;
}

static int same_spec(const dnt_env_spec *a, const dnt_env_spec *b) {
  if (a->obs_dim != b->obs_dim || a->n_actions != b->n_actions || a->act_dim != b->act_dim ||
      a->n_costs != b->n_costs || a->max_steps != b->max_steps || a->has_mask != b->has_mask)
    return 0;
  for (int k = 0; k < a->act_dim; k++)
    if (a->act_low[k] != b->act_low[k] || a->act_high[k] != b->act_high[k]) return 0;
  return 1;
}

static void write_mask(dnt_vecenv *v, int i, unsigned char *mask) {
  unsigned char *m = mask + (size_t)i * (size_t)v->spec.n_actions;
  if (v->ops->mask)
    v->ops->mask(v->inst[i], m);
  else
    memset(m, 1, (size_t)v->spec.n_actions);
}

static int reset_one(dnt_vecenv *v, int i) {
  int rc = v->ops->reset(v->inst[i], &v->rng[i], v->obs + (size_t)i * (size_t)v->spec.obs_dim);
  if (rc) return rc;
  v->t[i] = 0;
  v->ep_return[i] = 0;
  for (int k = 0; k < v->spec.n_costs; k++)
    v->ep_cost[(size_t)i * (size_t)v->spec.n_costs + (size_t)k] = 0;
  if (v->spec.n_actions) write_mask(v, i, v->mask);
  return 0;
}

int dnt_vecenv_init(dnt_vecenv *v, const dnt_env_ops *ops, const void *cfg, int n, uint64_t seed) {
  memset(v, 0, sizeof *v);
  if (n < 1) return dnt_error(DNT_ERR_ARG, "vecenv '%s': n = %d: expected >= 1", ops->name, n);
  v->ops = ops;
  v->n = n;
  v->inst = calloc((size_t)n, sizeof *v->inst);
  if (!v->inst) return dnt_error(DNT_ERR_NOMEM, "vecenv '%s': %d instances", ops->name, n);
  int rc = 0;
  for (int i = 0; i < n && !rc; i++) {
    dnt_env_spec s;
    memset(&s, 0, sizeof s);
    rc = ops->create(cfg, &s, &v->inst[i]);
    if (rc) break;
    /* the table decides: an env that gives ops->mask but forgets has_mask
     * would act masked yet bootstrap over masked next actions */
    if (s.has_mask && !ops->mask) {
      rc = dnt_error(DNT_ERR_ARG, "env '%s': has_mask = 1 but ops->mask is NULL", ops->name);
      break;
    }
    s.has_mask = ops->mask != NULL;
    if (i == 0) {
      v->spec = s;
      rc = check_spec(&s, ops->name);
    } else if (!same_spec(&s, &v->spec)) {
      rc = dnt_error(DNT_ERR_ARG, "env '%s': instance %d describes another spec", ops->name, i);
    }
  }
  if (rc) {
    dnt_vecenv_free(v);
    return rc;
  }
  size_t od = (size_t)v->spec.obs_dim, nc = (size_t)v->spec.n_costs;
  size_t na = (size_t)(v->spec.n_actions ? v->spec.n_actions : 1);
  v->rng = calloc((size_t)n, sizeof *v->rng);
  v->obs = calloc((size_t)n * od, sizeof *v->obs);
  v->next_obs = calloc((size_t)n * od, sizeof *v->next_obs);
  v->reward = calloc((size_t)n, sizeof *v->reward);
  v->cost = calloc((size_t)n * nc + 1, sizeof *v->cost);
  v->terminated = calloc((size_t)n, 1);
  v->truncated = calloc((size_t)n, 1);
  v->mask = calloc((size_t)n * na, 1);
  v->next_mask = calloc((size_t)n * na, 1);
  v->t = calloc((size_t)n, sizeof *v->t);
  v->ep_return = calloc((size_t)n, sizeof *v->ep_return);
  v->ep_cost = calloc((size_t)n * nc + 1, sizeof *v->ep_cost);
  v->last_return = calloc((size_t)n, sizeof *v->last_return);
  v->last_cost = calloc((size_t)n * nc + 1, sizeof *v->last_cost);
  v->last_length = calloc((size_t)n, sizeof *v->last_length);
  if (!v->rng || !v->obs || !v->next_obs || !v->reward || !v->cost || !v->terminated ||
      !v->truncated || !v->mask || !v->next_mask || !v->t || !v->ep_return || !v->ep_cost ||
      !v->last_return || !v->last_cost || !v->last_length) {
    dnt_vecenv_free(v);
    return dnt_error(DNT_ERR_NOMEM, "vecenv '%s': buffers for %d instances", ops->name, n);
  }
  if ((rc = dnt_vecenv_reset(v, seed))) dnt_vecenv_free(v);
  return rc;
}

int dnt_vecenv_reset(dnt_vecenv *v, uint64_t seed) {
  v->seed = seed;
  for (int i = 0; i < v->n; i++) {
    dnt_rng_for(&v->rng[i], seed, DNT_STREAM_ENV, (uint64_t)i);
    int rc = reset_one(v, i);
    if (rc) return rc;
    v->terminated[i] = v->truncated[i] = 0;
  }
  return 0;
}

/* Every action within the env's kind before any instance moves: an index out
 * of range or a NaN torque (an agent's diverged network, a shield's broken
 * backup) would otherwise step silently into an undefined or NaN state. */
static int check_actions(const dnt_vecenv *v, const int *a, const float *u) {
  const dnt_env_spec *s = &v->spec;
  for (int i = 0; i < v->n; i++) {
    if (s->n_actions && (a[i] < 0 || a[i] >= s->n_actions))
      return dnt_error(DNT_ERR_ARG, "env '%s': instance %d: action %d: expected 0..%d",
                       v->ops->name, i, a[i], s->n_actions - 1);
    for (int k = 0; k < s->act_dim; k++)
      if (!isfinite(u[(size_t)i * (size_t)s->act_dim + (size_t)k]))
        return dnt_error(DNT_ERR_NUMERIC,
                         "env '%s': instance %d: action value %d = %g: expected finite",
                         v->ops->name, i, k, (double)u[(size_t)i * (size_t)s->act_dim + (size_t)k]);
  }
  return 0;
}

int dnt_vecenv_step(dnt_vecenv *v, const int *a, const float *u) {
  const dnt_env_spec *s = &v->spec;
  size_t od = (size_t)s->obs_dim, nc = (size_t)s->n_costs;
  assert(s->n_actions ? a != NULL : u != NULL); /* the action kind of the env */
  int rc = check_actions(v, a, u);
  if (rc) return rc;
  for (int i = 0; i < v->n; i++) {
    int term = 0;
    float *cost = v->cost + (size_t)i * nc;
    rc = v->ops->step(v->inst[i], s->n_actions ? a[i] : 0,
                      s->act_dim ? u + (size_t)i * (size_t)s->act_dim : NULL, &v->rng[i],
                      v->next_obs + (size_t)i * od, &v->reward[i], cost, &term);
    if (rc) return rc;
    v->t[i]++;
    v->terminated[i] = term != 0;
    v->truncated[i] = !term && s->max_steps > 0 && v->t[i] >= s->max_steps;
    v->ep_return[i] += v->reward[i];
    for (size_t k = 0; k < nc; k++)
      v->ep_cost[(size_t)i * nc + k] += cost[k];
    if (s->n_actions) write_mask(v, i, v->next_mask);
    if (dnt_vecenv_done(v, i)) {
      v->last_return[i] = v->ep_return[i];
      v->last_length[i] = v->t[i];
      for (size_t k = 0; k < nc; k++)
        v->last_cost[(size_t)i * nc + k] = v->ep_cost[(size_t)i * nc + k];
      v->episodes++;
    }
  }
  v->steps += v->n;
  return 0;
}

int dnt_vecenv_advance(dnt_vecenv *v) {
  size_t od = (size_t)v->spec.obs_dim, na = (size_t)v->spec.n_actions;
  for (int i = 0; i < v->n; i++) {
    if (dnt_vecenv_done(v, i)) {
      int rc = reset_one(v, i);
      if (rc) return rc;
    } else {
      memcpy(v->obs + (size_t)i * od, v->next_obs + (size_t)i * od, od * sizeof *v->obs);
      if (na) memcpy(v->mask + (size_t)i * na, v->next_mask + (size_t)i * na, na);
    }
  }
  return 0;
}

void dnt_vecenv_free(dnt_vecenv *v) {
  if (v->inst) {
    for (int i = 0; i < v->n; i++)
      if (v->inst[i]) v->ops->destroy(v->inst[i]);
  }
  free(v->inst);
  free(v->rng);
  free(v->obs);
  free(v->next_obs);
  free(v->reward);
  free(v->cost);
  free(v->terminated);
  free(v->truncated);
  free(v->mask);
  free(v->next_mask);
  free(v->t);
  free(v->ep_return);
  free(v->ep_cost);
  free(v->last_return);
  free(v->last_cost);
  free(v->last_length);
  memset(v, 0, sizeof *v);
}
