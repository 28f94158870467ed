/* src/rl/td3.c: TD3 and DDPG over one parameter vector [actor | critics]
 * (dnt/td3.h), acting through the intervention hooks. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollout.h"

#include "dnt/checkpoint.h"
#include "dnt/loss.h"
#include "dnt/status.h"
#include "dnt/td3.h"
#include "dnt/vec.h"

void dnt_td3_config_default(dnt_td3_config *c) {
  memset(c, 0, sizeof *c);
  c->n_hidden = 2;
  c->hidden[0] = 64;
  c->hidden[1] = 64;
  c->actor_lr = 1e-3f;
  c->critic_lr = 1e-3f;
  c->gamma = 0.99f;
  c->tau = 0.005f;
  c->batch = 128;
  c->buffer = 100000;
  c->learning_starts = 1000;
  c->train_freq = 1;
  c->gradient_steps = 1;
  c->policy_delay = 2;
  c->explore_noise = 0.1f;
  c->target_noise = 0.2f;
  c->noise_clip = 0.5f;
  c->twin_critics = 1;
  c->cmdp_update_every = 1000;
}

void dnt_ddpg_config_default(dnt_td3_config *c) {
  dnt_td3_config_default(c);
  c->twin_critics = 0;
  c->policy_delay = 1;
  c->target_noise = 0.0f;
}

#define BAD(field, fmt, val, expect)                                                               \
  return dnt_error(DNT_ERR_CONFIG, "td3 config: field '" field "' = '" fmt "': expected " expect,  \
                   val)

int dnt_td3_config_check(const dnt_td3_config *c) {
  rl_common_cfg common = {c->n_hidden,       c->hidden,           c->gamma,           c->tau,
                          c->batch,          c->buffer,           c->learning_starts, c->train_freq,
                          c->gradient_steps, c->cmdp_update_every};
  int rc = rl_check_common("td3", &common);
  if (rc) return rc;
  if (!(c->actor_lr > 0)) BAD("actor_lr", "%g", (double)c->actor_lr, "> 0");
  if (!(c->critic_lr > 0)) BAD("critic_lr", "%g", (double)c->critic_lr, "> 0");
  if (c->policy_delay < 1) BAD("policy_delay", "%d", c->policy_delay, ">= 1");
  if (!(c->explore_noise >= 0)) BAD("explore_noise", "%g", (double)c->explore_noise, ">= 0");
  if (!(c->target_noise >= 0)) BAD("target_noise", "%g", (double)c->target_noise, ">= 0");
  if (!(c->noise_clip >= 0)) BAD("noise_clip", "%g", (double)c->noise_clip, ">= 0");
  if (c->twin_critics != 0 && c->twin_critics != 1)
    BAD("twin_critics", "%d", c->twin_critics, "0 or 1");
  return 0;
}

static int n_critics(const dnt_td3 *t) {
  return t->cfg.twin_critics ? 2 : 1;
}

void dnt_td3_destroy(dnt_td3 *t) {
  if (!t) return;
  dnt_net_destroy(t->actor);
  dnt_net_destroy(t->tactor);
  for (int j = 0; j < 2; j++) {
    dnt_net_destroy(t->critic[j]);
    dnt_net_destroy(t->tcritic[j]);
  }
  free(t->params);
  free(t->grads);
  free(t->tparams);
  free(t->tgrads);
  dnt_adam_free(&t->actor_opt);
  dnt_adam_free(&t->critic_opt);
  rollout_destroy(t->ro);
  dnt_replay_free(&t->replay);
  dnt_replay_batch_free(&t->batch);
  free(t->act_out);
  free(t->sa);
  free(t->q1);
  free(t->q2);
  free(t->y);
  free(t->dq);
  free(t->dsa);
  free(t->da);
  free(t);
}

/* Builds the nets as views of (params, grads) in the layout [actor | critics]. */
static int build_nets(dnt_td3 *t, const dnt_net_arch *actor, const dnt_net_arch *critic, int mb,
                      float *params, float *grads, dnt_net **a, dnt_net **c) {
  int rc = dnt_net_create(actor, mb, params, grads, a);
  for (int j = 0; !rc && j < n_critics(t); j++) {
    size_t off = t->n_actor + (size_t)j * (t->n_critic / (size_t)n_critics(t));
    rc = dnt_net_create(critic, t->cfg.batch, params + off, grads + off, &c[j]);
  }
  return rc;
}

int dnt_td3_create(const dnt_td3_config *cfg, dnt_vecenv *env, dnt_hooks *hooks, dnt_cmdp *cmdp,
                   uint64_t seed, dnt_td3 **out) {
  *out = NULL;
  int rc = dnt_td3_config_check(cfg);
  if (rc) return rc;
  if (env->spec.act_dim < 1)
    return dnt_error(DNT_ERR_ARG, "td3: env '%s' has discrete actions: use dnt/dqn.h",
                     env->ops->name);
  dnt_td3 *t = calloc(1, sizeof *t);
  if (!t) return dnt_error(DNT_ERR_NOMEM, "td3");
  t->cfg = *cfg;
  t->env = env;
  t->hooks = hooks;
  t->cmdp = cmdp;
  t->act_dim = env->spec.act_dim;
  t->input_dim = env->spec.obs_dim + dnt_hooks_extra_dim(hooks);
  for (int k = 0; k < t->act_dim; k++) {
    t->scale[k] = 0.5f * (env->spec.act_high[k] - env->spec.act_low[k]);
    t->offset[k] = 0.5f * (env->spec.act_high[k] + env->spec.act_low[k]);
  }
  dnt_rng_for(&t->rng, seed, DNT_STREAM_AGENT, cfg->agent);
  int sizes[DNT_RL_MAX_HIDDEN + 1];
  memcpy(sizes, cfg->hidden, (size_t)cfg->n_hidden * sizeof *sizes);
  sizes[cfg->n_hidden] = t->act_dim;
  dnt_net_arch actor =
      dnt_mlp_arch(t->input_dim, sizes, cfg->n_hidden + 1, DNT_ACT_RELU, DNT_ACT_TANH);
  sizes[cfg->n_hidden] = 1;
  dnt_net_arch critic =
      dnt_mlp_arch(t->input_dim + t->act_dim, sizes, cfg->n_hidden + 1, DNT_ACT_RELU, DNT_ACT_NONE);
  if ((rc = dnt_net_arch_validate(&actor)) || (rc = dnt_net_arch_validate(&critic))) goto fail;
  t->n_actor = dnt_net_arch_nparams(&actor);
  t->n_critic = (size_t)n_critics(t) * dnt_net_arch_nparams(&critic);
  t->n_params = t->n_actor + t->n_critic;
  int mb = cfg->batch > env->n ? cfg->batch : env->n;
  size_t b = (size_t)cfg->batch, sad = (size_t)(t->input_dim + t->act_dim);
  size_t ad = (size_t)t->act_dim;
  t->params = calloc(t->n_params, sizeof(float));
  t->grads = calloc(t->n_params, sizeof(float));
  t->tparams = calloc(t->n_params, sizeof(float));
  t->tgrads = calloc(t->n_params, sizeof(float));
  t->act_out = malloc((size_t)mb * ad * sizeof(float));
  t->sa = malloc(b * sad * sizeof(float));
  t->dsa = malloc(b * sad * sizeof(float));
  t->q1 = malloc(b * sizeof(float));
  t->q2 = malloc(b * sizeof(float));
  t->y = malloc(b * sizeof(float));
  t->dq = malloc(b * sizeof(float));
  t->da = malloc(b * ad * sizeof(float));
  if (!t->params || !t->grads || !t->tparams || !t->tgrads || !t->act_out || !t->sa || !t->dsa ||
      !t->q1 || !t->q2 || !t->y || !t->dq || !t->da) {
    rc = dnt_error(DNT_ERR_NOMEM, "td3: %zu parameters", t->n_params);
    goto fail;
  }
  dnt_replay_shape shape = {cfg->buffer, t->input_dim, 0, t->act_dim, env->spec.n_costs, 0};
  if ((rc = build_nets(t, &actor, &critic, mb, t->params, t->grads, &t->actor, t->critic)) ||
      (rc = build_nets(t, &actor, &critic, mb, t->tparams, t->tgrads, &t->tactor, t->tcritic)) ||
      (rc = dnt_adam_init(&t->actor_opt, t->n_actor, cfg->actor_lr)) ||
      (rc = dnt_adam_init(&t->critic_opt, t->n_critic, cfg->critic_lr)) ||
      (rc = rollout_create(env, hooks, cmdp, cfg->cmdp_update_every, &t->ro)) ||
      (rc = dnt_replay_init(&t->replay, &shape, 0, 0.0)) ||
      (rc = dnt_replay_batch_init(&t->batch, &t->replay, cfg->batch)))
    goto fail;
  dnt_rng init;
  dnt_rng_for(&init, seed, DNT_STREAM_NET_INIT, cfg->agent);
  dnt_net_init(t->actor, &init);
  for (int j = 0; j < n_critics(t); j++)
    dnt_net_init(t->critic[j], &init);
  dnt_td3_sync_target(t);
  t->next_train = cfg->train_freq;
  *out = t;
  return 0;
fail:
  dnt_td3_destroy(t);
  return rc;
}

void dnt_td3_sync_target(dnt_td3 *t) {
  dnt_vec_copy(t->tparams, t->params, t->n_params);
}

float *dnt_td3_params(dnt_td3 *t, size_t *n) {
  *n = t->n_params;
  return t->params;
}

/* sa (b, input_dim + act_dim) = [obs, a] row by row. */
static void concat(const dnt_td3 *t, int b, const float *obs, const float *a, float *sa) {
  size_t in = (size_t)t->input_dim, ad = (size_t)t->act_dim;
  for (int k = 0; k < b; k++) {
    memcpy(sa + (size_t)k * (in + ad), obs + (size_t)k * in, in * sizeof(float));
    memcpy(sa + (size_t)k * (in + ad) + in, a + (size_t)k * ad, ad * sizeof(float));
  }
}

static float clampf(float x, float lo, float hi) {
  return x < lo ? lo : x > hi ? hi : x;
}

int dnt_td3_act(dnt_td3 *t, const float *obs, int n, float *u) {
  int mb = dnt_net_max_batch(t->actor), ad = t->act_dim;
  for (int s = 0; s < n; s += mb) {
    int b = n - s < mb ? n - s : mb;
    dnt_net_infer(t->actor, obs + (size_t)s * (size_t)t->input_dim, b, t->act_out);
    for (int k = 0; k < b * ad; k++)
      u[(size_t)s * (size_t)ad + (size_t)k] = t->offset[k % ad] + t->scale[k % ad] * t->act_out[k];
  }
  return 0;
}

static int policy_act(void *self, const float *obs, const unsigned char *mask, int n, int *a,
                      float *u) {
  return dnt_td3_act(self, obs, n, u);
}

dnt_policy dnt_td3_policy(dnt_td3 *t) {
  dnt_policy p = {t, t->input_dim, policy_act};
  return p;
}

/* TD targets y = r_eff + gamma (1 - terminal) min_j Q_j'(s', a~) (TD3 eq. 15). */
static void targets(dnt_td3 *t, const dnt_replay_batch *b) {
  const dnt_td3_config *c = &t->cfg;
  int n = b->n, ad = t->act_dim;
  dnt_net_infer(t->tactor, b->next_obs, n, t->act_out);
  if (c->target_noise > 0)
    for (int k = 0; k < n * ad; k++) {
      float e = (float)dnt_rng_normal(&t->rng, 0.0, c->target_noise);
      t->act_out[k] = clampf(t->act_out[k] + clampf(e, -c->noise_clip, c->noise_clip), -1, 1);
    }
  concat(t, n, b->next_obs, t->act_out, t->sa);
  dnt_net_infer(t->tcritic[0], t->sa, n, t->q1);
  if (c->twin_critics) dnt_net_infer(t->tcritic[1], t->sa, n, t->q2);
  for (int k = 0; k < n; k++) {
    float q = c->twin_critics ? fminf(t->q1[k], t->q2[k]) : t->q1[k];
    float r = t->cmdp
                  ? dnt_cmdp_reward(t->cmdp, b->reward[k], b->cost + (size_t)k * (size_t)t->cmdp->n)
                  : b->reward[k];
    t->y[k] = r + (b->terminal[k] ? 0.0f : c->gamma * q);
  }
}

int dnt_td3_update(dnt_td3 *t) {
  const dnt_td3_config *c = &t->cfg;
  dnt_replay_batch *b = &t->batch;
  dnt_replay_sample(&t->replay, &t->rng, c->batch, 0.0, b);
  int n = b->n, ad = t->act_dim;
  size_t in = (size_t)t->input_dim;
  targets(t, b);
  /* critics: minimise the sum over critics of mean (Q_j(s, a) - y)^2 */
  concat(t, n, b->obs, b->caction, t->sa);
  float *cgrads = t->grads + t->n_actor;
  dnt_vec_zero(cgrads, t->n_critic);
  t->critic_loss = 0;
  for (int j = 0; j < n_critics(t); j++) {
    const float *q = dnt_net_forward(t->critic[j], t->sa, n);
    t->critic_loss += dnt_loss_mse(q, t->y, (size_t)n, t->dq);
    dnt_net_backward(t->critic[j], t->dq, NULL);
  }
  t->updates++;
  /* before any change: the parameters stay those of the last finite update */
  if (!isfinite(t->critic_loss))
    return dnt_error(DNT_ERR_NUMERIC, "td3: critic loss = %g at update %lld",
                     (double)t->critic_loss, (long long)t->updates);
  dnt_adam_step(&t->critic_opt, t->params + t->n_actor, cgrads);
  if (t->updates % c->policy_delay == 0) {
    /* actor: ascend mean Q1(s, mu(s)) through the critic's input gradient */
    const float *a = dnt_net_forward(t->actor, b->obs, n);
    concat(t, n, b->obs, a, t->sa);
    const float *q = dnt_net_forward(t->critic[0], t->sa, n);
    double mean_q = 0;
    for (int k = 0; k < n; k++) {
      mean_q += q[k];
      t->dq[k] = -1.0f / (float)n;
    }
    t->actor_loss = (float)(-mean_q / n);
    dnt_net_backward(t->critic[0], t->dq, t->dsa);
    for (int k = 0; k < n; k++)
      memcpy(t->da + (size_t)k * (size_t)ad, t->dsa + (size_t)k * (in + (size_t)ad) + in,
             (size_t)ad * sizeof(float));
    dnt_vec_zero(t->grads, t->n_actor);
    dnt_net_backward(t->actor, t->da, NULL);
    dnt_adam_step(&t->actor_opt, t->params, t->grads);
    dnt_vec_lerp(t->tparams, t->params, c->tau, t->n_params);
  }
  return 0;
}

static void explore(dnt_td3 *t) {
  dnt_rollout *ro = t->ro;
  int n = ro->n, ad = t->act_dim;
  if (t->steps < t->cfg.learning_starts) {
    for (int k = 0; k < n * ad; k++)
      ro->u[k] = t->offset[k % ad] + t->scale[k % ad] * (float)(2 * dnt_rng_uniform(&t->rng) - 1);
    return;
  }
  int mb = dnt_net_max_batch(t->actor);
  for (int s = 0; s < n; s += mb) {
    int b = n - s < mb ? n - s : mb;
    dnt_net_infer(t->actor, ro->obs + (size_t)s * (size_t)t->input_dim, b, t->act_out);
    for (int k = 0; k < b * ad; k++) {
      float e = (float)dnt_rng_normal(&t->rng, 0.0, t->cfg.explore_noise);
      float a = clampf(t->act_out[k] + e, -1, 1);
      ro->u[(size_t)s * (size_t)ad + (size_t)k] = t->offset[k % ad] + t->scale[k % ad] * a;
    }
  }
}

int dnt_td3_step(dnt_td3 *t) {
  explore(t);
  int rc = rollout_step(t->ro, &t->replay);
  if (rc) return rc;
  t->steps += t->env->n;
  for (; t->steps >= t->next_train; t->next_train += t->cfg.train_freq) {
    if (t->steps < t->cfg.learning_starts) continue;
    for (int g = 0; g < t->cfg.gradient_steps; g++)
      if ((rc = dnt_td3_update(t))) return rc;
  }
  return 0;
}

int dnt_td3_train(dnt_td3 *t, int64_t steps) {
  int64_t end = t->steps + steps;
  while (t->steps < end) {
    int rc = dnt_td3_step(t);
    if (rc) return rc;
  }
  return 0;
}

static int describe(const dnt_td3 *t, char *buf, size_t len) {
  int k =
      snprintf(buf, len, "td3 in=%d act=%d critics=%d | ", t->input_dim, t->act_dim, n_critics(t));
  int rc = dnt_net_arch_describe(dnt_net_get_arch(t->actor), buf + k, len - (size_t)k);
  if (rc < 0) return rc;
  k += rc;
  k += snprintf(buf + k, len - (size_t)k, " | ");
  rc = dnt_net_arch_describe(dnt_net_get_arch(t->critic[0]), buf + k, len - (size_t)k);
  return rc < 0 ? rc : 0;
}

int dnt_td3_save(const dnt_td3 *t, const char *path) {
  char desc[1024];
  int rc = describe(t, desc, sizeof desc);
  return rc ? rc : dnt_checkpoint_save(path, desc, t->params, t->n_params);
}

int dnt_td3_load(dnt_td3 *t, const char *path) {
  char desc[1024];
  int rc = describe(t, desc, sizeof desc);
  if (!rc) rc = dnt_checkpoint_load(path, desc, t->params, t->n_params);
  if (!rc) dnt_td3_sync_target(t);
  return rc;
}
