/* src/rl/rollout.c: the shared acting loop (rollout.h). */
#include <stdlib.h>
#include <string.h>

#include "rollout.h"

#include "dnt/dqn.h"
#include "dnt/status.h"

int rollout_create(dnt_vecenv *env, dnt_hooks *hooks, dnt_cmdp *cmdp, int cmdp_every,
                   dnt_rollout **out) {
  *out = NULL;
  if (cmdp && cmdp->n != env->spec.n_costs)
    return dnt_error(DNT_ERR_ARG, "agent: cmdp has %d constraints but env '%s' returns %d costs",
                     cmdp->n, env->ops->name, env->spec.n_costs);
  if (cmdp && cmdp_every < 1)
    return dnt_error(DNT_ERR_ARG, "agent: cmdp_update_every = %d: expected >= 1", cmdp_every);
  dnt_rollout *ro = calloc(1, sizeof *ro);
  if (!ro) return dnt_error(DNT_ERR_NOMEM, "rollout");
  ro->env = env;
  ro->hooks = hooks;
  ro->cmdp = cmdp;
  ro->cmdp_every = cmdp_every;
  ro->n = env->n;
  ro->obs_dim = env->spec.obs_dim + dnt_hooks_extra_dim(hooks);
  ro->act_dim = env->spec.act_dim;
  size_t n = (size_t)ro->n, ad = (size_t)(ro->act_dim ? ro->act_dim : 1);
  ro->obs = calloc(n * (size_t)ro->obs_dim, sizeof(float));
  ro->next_obs = calloc(n * (size_t)ro->obs_dim, sizeof(float));
  ro->a = calloc(n, sizeof(int));
  ro->a_exec = calloc(n, sizeof(int));
  ro->u = calloc(n * ad, sizeof(float));
  ro->u_exec = calloc(n * ad, sizeof(float));
  ro->u_store = calloc(ad, sizeof(float));
  ro->reward = calloc(n, sizeof(float));
  ro->overridden = calloc(n, 1);
  ro->unsafe = calloc(n, 1);
  ro->store_prop = calloc(n, 1);
  if (!ro->obs || !ro->next_obs || !ro->a || !ro->a_exec || !ro->u || !ro->u_exec || !ro->u_store ||
      !ro->reward || !ro->overridden || !ro->unsafe || !ro->store_prop) {
    rollout_destroy(ro);
    return dnt_error(DNT_ERR_NOMEM, "rollout: buffers for %d instances", env->n);
  }
  int rc = rollout_observe_all(ro);
  if (rc) {
    rollout_destroy(ro);
    return rc;
  }
  *out = ro;
  return 0;
}

void rollout_destroy(dnt_rollout *ro) {
  if (!ro) return;
  free(ro->obs);
  free(ro->next_obs);
  free(ro->a);
  free(ro->a_exec);
  free(ro->u);
  free(ro->u_exec);
  free(ro->u_store);
  free(ro->reward);
  free(ro->overridden);
  free(ro->unsafe);
  free(ro->store_prop);
  free(ro);
}

int rollout_observe_all(dnt_rollout *ro) {
  size_t od = (size_t)ro->env->spec.obs_dim;
  for (int i = 0; i < ro->n; i++) {
    int rc = dnt_hooks_observe(ro->hooks, ro->env, i, ro->env->obs + (size_t)i * od,
                               ro->obs + (size_t)i * (size_t)ro->obs_dim);
    if (rc) return rc;
  }
  return 0;
}

int rollout_step(dnt_rollout *ro, dnt_replay *rb) {
  dnt_vecenv *env = ro->env;
  const dnt_env_spec *s = &env->spec;
  size_t n = (size_t)ro->n, od = (size_t)ro->obs_dim, ad = (size_t)ro->act_dim;
  size_t rod = (size_t)s->obs_dim, nc = (size_t)s->n_costs, na = (size_t)s->n_actions;
  float *penalty = ro->reward; /* holds the shield penalties until the rewards are known */
  unsigned char *store_prop = ro->store_prop;
  memcpy(ro->a_exec, ro->a, n * sizeof(int));
  memcpy(ro->u_exec, ro->u, n * (ad ? ad : 1) * sizeof(float));
  for (size_t i = 0; i < n; i++) {
    int over, prop, unsafe;
    int rc = dnt_hooks_act(ro->hooks, env, (int)i, ro->obs + i * od, &ro->a_exec[i],
                           ro->u_exec + i * ad, &over, &prop, &unsafe, &penalty[i]);
    if (rc) return rc;
    ro->overridden[i] = (unsigned char)over;
    ro->unsafe[i] = (unsigned char)unsafe;
    store_prop[i] = (unsigned char)prop;
  }
  int rc = dnt_vecenv_step(env, ro->a_exec, ro->u_exec);
  if (rc) return rc;
  for (size_t i = 0; i < n; i++) {
    const float *cost = env->cost + i * nc;
    float *next = ro->next_obs + i * od;
    if ((rc = dnt_hooks_observe(ro->hooks, env, (int)i, env->next_obs + i * rod, next))) return rc;
    dnt_step_view view = {
        ro->obs + i * od,   ro->a_exec[i],    ad ? ro->u_exec + i * ad : NULL, next, cost,
        env->terminated[i], env->truncated[i]};
    float r = env->reward[i];
    if ((rc = dnt_hooks_reward(ro->hooks, env, (int)i, &view, &r))) return rc;
    r -= penalty[i];
    ro->reward[i] = r;
    if (ro->cmdp && (rc = dnt_cmdp_observe(ro->cmdp, cost))) return rc;
    if (!rb) continue;
    int a = store_prop[i] ? ro->a[i] : ro->a_exec[i];
    const float *u = NULL;
    if (ad) {
      const float *src = (store_prop[i] ? ro->u : ro->u_exec) + i * ad;
      for (size_t k = 0; k < ad; k++) {
        float lo = s->act_low[k], hi = s->act_high[k];
        ro->u_store[k] = (2.0f * src[k] - (hi + lo)) / (hi - lo);
      }
      u = ro->u_store;
    }
    dnt_replay_add(rb, ro->obs + i * od, a, u, r, nc ? cost : NULL, next, env->terminated[i],
                   na ? env->next_mask + i * na : NULL);
  }
  if (ro->cmdp && (ro->since_cmdp += (int64_t)n) >= ro->cmdp_every) {
    ro->since_cmdp = 0;
    if ((rc = dnt_cmdp_update(ro->cmdp))) return rc;
  }
  if ((rc = dnt_vecenv_advance(env))) return rc;
  /* running instances continue from the augmented observation just computed;
   * reset ones need their new first observation augmented */
  for (size_t i = 0; i < n; i++) {
    if (!dnt_vecenv_done(env, (int)i)) {
      memcpy(ro->obs + i * od, ro->next_obs + i * od, od * sizeof(float));
    } else if ((rc = dnt_hooks_observe(ro->hooks, env, (int)i, env->obs + i * rod,
                                       ro->obs + i * od))) {
      return rc;
    }
  }
  return 0;
}

#define BAD(field, fmt, val, expect)                                                               \
  return dnt_error(DNT_ERR_CONFIG, "%s config: field '" field "' = '" fmt "': expected " expect,   \
                   agent, val)

int rl_check_common(const char *agent, const rl_common_cfg *c) {
  if (c->n_hidden < 1 || c->n_hidden > DNT_RL_MAX_HIDDEN)
    BAD("n_hidden", "%d", c->n_hidden, "1..4");
  for (int k = 0; k < c->n_hidden; k++)
    if (c->hidden[k] < 1) BAD("hidden", "%d", c->hidden[k], "widths >= 1");
  if (!(c->gamma >= 0 && c->gamma <= 1)) BAD("gamma", "%g", (double)c->gamma, "in [0, 1]");
  if (!(c->tau > 0 && c->tau <= 1)) BAD("tau", "%g", (double)c->tau, "in (0, 1]");
  if (c->batch < 1) BAD("batch", "%d", c->batch, ">= 1");
  if (c->buffer < c->batch) BAD("buffer", "%d", c->buffer, ">= batch");
  if (c->learning_starts < 1) BAD("learning_starts", "%d", c->learning_starts, ">= 1");
  if (c->train_freq < 1) BAD("train_freq", "%d", c->train_freq, ">= 1");
  if (c->gradient_steps < 1) BAD("gradient_steps", "%d", c->gradient_steps, ">= 1");
  if (c->cmdp_update_every < 1) BAD("cmdp_update_every", "%d", c->cmdp_update_every, ">= 1");
  return 0;
}
