/* src/rl/dqn.c: DQN with Double/dueling/prioritised options over a CMDP,
 * acting through the intervention hooks (dnt/dqn.h). */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qnet.h"
#include "rollout.h"

#include "dnt/checkpoint.h"
#include "dnt/dqn.h"
#include "dnt/loss.h"
#include "dnt/status.h"
#include "dnt/vec.h"

void dnt_dqn_config_default(dnt_dqn_config *c) {
  memset(c, 0, sizeof *c);
  c->n_hidden = 2;
  c->hidden[0] = 64;
  c->hidden[1] = 64;
  c->dueling = 0;
  c->double_dqn = 1;
  c->lr = 1e-3f;
  c->gamma = 0.99f;
  c->batch = 64;
  c->buffer = 50000;
  c->learning_starts = 1000;
  c->train_freq = 1;
  c->gradient_steps = 1;
  c->target_update = 1;
  c->tau = 0.005f;
  c->huber_delta = 1.0f;
  c->max_grad_norm = 10.0f;
  c->eps_decay = DNT_EPS_LINEAR;
  c->eps_start = 1.0f;
  c->eps_end = 0.05f;
  c->eps_steps = 10000;
  c->prioritized = 0;
  c->per_alpha = 0.6f;
  c->per_beta0 = 0.4f;
  c->per_beta_steps = 100000;
  c->cmdp_update_every = 1000;
}

#define BAD(field, fmt, val, expect)                                                               \
  return dnt_error(DNT_ERR_CONFIG, "dqn config: field '" field "' = '" fmt "': expected " expect,  \
                   val)

int dnt_dqn_config_check(const dnt_dqn_config *c) {
  rl_common_cfg common = {c->n_hidden,       c->hidden,           c->gamma,           c->tau,
                          c->batch,          c->buffer,           c->learning_starts, c->train_freq,
                          c->gradient_steps, c->cmdp_update_every};
  int rc = rl_check_common("dqn", &common);
  if (rc) return rc;
  if (!(c->lr > 0)) BAD("lr", "%g", (double)c->lr, "> 0");
  if (c->target_update < 1) BAD("target_update", "%d", c->target_update, ">= 1");
  if (!(c->huber_delta > 0)) BAD("huber_delta", "%g", (double)c->huber_delta, "> 0");
  if (c->eps_decay != DNT_EPS_LINEAR && c->eps_decay != DNT_EPS_EXP)
    BAD("eps_decay", "%d", (int)c->eps_decay, "linear or exp");
  if (!(c->eps_start >= 0 && c->eps_start <= 1 && c->eps_end >= 0 && c->eps_end <= 1))
    BAD("eps_start", "%g", (double)c->eps_start, "eps_start and eps_end in [0, 1]");
  if (c->eps_steps < 1) BAD("eps_steps", "%d", c->eps_steps, ">= 1");
  if (c->prioritized && !(c->per_alpha >= 0)) BAD("per_alpha", "%g", (double)c->per_alpha, ">= 0");
  if (c->prioritized && !(c->per_beta0 >= 0 && c->per_beta0 <= 1))
    BAD("per_beta0", "%g", (double)c->per_beta0, "in [0, 1]");
  if (c->per_beta_steps < 1) BAD("per_beta_steps", "%d", c->per_beta_steps, ">= 1");
  return 0;
}

float dnt_dqn_epsilon_at(const dnt_dqn_config *c, int64_t t) {
  double s = c->eps_start, e = c->eps_end;
  if (c->eps_decay == DNT_EPS_EXP) return (float)(e + (s - e) * exp(-(double)t / c->eps_steps));
  double f = (double)t / c->eps_steps;
  return (float)(f >= 1 ? e : s + f * (e - s));
}

void dnt_dqn_destroy(dnt_dqn *q) {
  if (!q) return;
  qnet_destroy(q->online);
  qnet_destroy(q->target);
  rollout_destroy(q->ro);
  dnt_replay_free(&q->replay);
  dnt_replay_batch_free(&q->batch);
  dnt_adam_free(&q->opt);
  free(q->q_act);
  free(q->q_next_t);
  free(q->q_next_o);
  free(q->y);
  free(q->dq);
  free(q->td);
  free(q->pred);
  free(q);
}

int dnt_dqn_create(const dnt_dqn_config *cfg, dnt_vecenv *env, dnt_hooks *hooks, dnt_cmdp *cmdp,
                   uint64_t seed, dnt_dqn **out) {
  *out = NULL;
  int rc = dnt_dqn_config_check(cfg);
  if (rc) return rc;
  if (env->spec.n_actions < 1)
    return dnt_error(DNT_ERR_ARG, "dqn: env '%s' has continuous actions: use dnt/td3.h",
                     env->ops->name);
  dnt_dqn *q = calloc(1, sizeof *q);
  if (!q) return dnt_error(DNT_ERR_NOMEM, "dqn");
  q->cfg = *cfg;
  q->env = env;
  q->hooks = hooks;
  q->cmdp = cmdp;
  q->n_actions = env->spec.n_actions;
  q->input_dim = env->spec.obs_dim + dnt_hooks_extra_dim(hooks);
  dnt_rng_for(&q->rng, seed, DNT_STREAM_AGENT, cfg->agent);
  int mb = cfg->batch > env->n ? cfg->batch : env->n;
  size_t na = (size_t)q->n_actions, b = (size_t)cfg->batch;
  dnt_replay_shape shape = {cfg->buffer, q->input_dim,      q->n_actions,
                            0,           env->spec.n_costs, env->spec.has_mask};
  if ((rc = rollout_create(env, hooks, cmdp, cfg->cmdp_update_every, &q->ro)) ||
      (rc = qnet_create(q->input_dim, q->n_actions, cfg->hidden, cfg->n_hidden, cfg->dueling, mb,
                        &q->online)) ||
      (rc = qnet_create(q->input_dim, q->n_actions, cfg->hidden, cfg->n_hidden, cfg->dueling, mb,
                        &q->target)) ||
      (rc = dnt_replay_init(&q->replay, &shape, cfg->prioritized, cfg->per_alpha)) ||
      (rc = dnt_replay_batch_init(&q->batch, &q->replay, cfg->batch)) ||
      (rc = dnt_adam_init(&q->opt, q->online->n_params, cfg->lr)))
    goto fail;
  q->q_act = malloc((size_t)mb * na * sizeof(float));
  q->q_next_t = malloc(b * na * sizeof(float));
  q->q_next_o = malloc(b * na * sizeof(float));
  q->y = malloc(b * sizeof(float));
  q->dq = malloc(b * na * sizeof(float));
  q->td = malloc(b * sizeof(float));
  q->pred = malloc(b * sizeof(float));
  if (!q->q_act || !q->q_next_t || !q->q_next_o || !q->y || !q->dq || !q->td || !q->pred) {
    rc = dnt_error(DNT_ERR_NOMEM, "dqn: workspace for batch %d", cfg->batch);
    goto fail;
  }
  dnt_rng init;
  dnt_rng_for(&init, seed, DNT_STREAM_NET_INIT, cfg->agent);
  qnet_init(q->online, &init);
  dnt_dqn_sync_target(q);
  q->next_train = cfg->train_freq;
  q->next_target = cfg->target_update;
  q->epsilon = cfg->eps_start;
  *out = q;
  return 0;
fail:
  dnt_dqn_destroy(q);
  return rc;
}

void dnt_dqn_sync_target(dnt_dqn *q) {
  dnt_vec_copy(q->target->params, q->online->params, q->online->n_params);
}

float *dnt_dqn_params(dnt_dqn *q, size_t *n) {
  *n = q->online->n_params;
  return q->online->params;
}

/* Index of the largest allowed value of row (n values); first one on ties. */
static int argmax_allowed(const float *row, const unsigned char *mask, int n) {
  int best = -1;
  for (int j = 0; j < n; j++)
    if ((!mask || mask[j]) && (best < 0 || row[j] > row[best])) best = j;
  return best < 0 ? 0 : best;
}

int dnt_dqn_act(dnt_dqn *q, const float *obs, const unsigned char *mask, int n, int *a) {
  int mb = q->online->max_batch, na = q->n_actions;
  for (int s = 0; s < n; s += mb) {
    int b = n - s < mb ? n - s : mb;
    qnet_infer(q->online, obs + (size_t)s * (size_t)q->input_dim, b, q->q_act);
    for (int k = 0; k < b; k++)
      a[s + k] = argmax_allowed(q->q_act + (size_t)k * (size_t)na,
                                mask ? mask + (size_t)(s + k) * (size_t)na : NULL, na);
  }
  return 0;
}

static int policy_act(void *self, const float *obs, const unsigned char *mask, int n, int *a,
                      float *u) {
  return dnt_dqn_act(self, obs, mask, n, a);
}

dnt_policy dnt_dqn_policy(dnt_dqn *q) {
  dnt_policy p = {q, q->input_dim, policy_act};
  return p;
}

void dnt_dqn_td_targets(int b, int n_actions, const float *q_next_target,
                        const float *q_next_online, const unsigned char *mask, const float *reward,
                        const unsigned char *terminal, float gamma, float *y) {
  const float *select = q_next_online ? q_next_online : q_next_target;
  for (int k = 0; k < b; k++) {
    size_t row = (size_t)k * (size_t)n_actions;
    int best = argmax_allowed(select + row, mask ? mask + row : NULL, n_actions);
    y[k] = reward[k] + (terminal[k] ? 0.0f : gamma * q_next_target[row + (size_t)best]);
  }
}

int dnt_dqn_batch_targets(dnt_dqn *q, const dnt_replay_batch *b, float *y) {
  int n = b->n;
  assert(n <= q->cfg.batch);
  qnet_infer(q->target, b->next_obs, n, q->q_next_t);
  if (q->cfg.double_dqn) qnet_infer(q->online, b->next_obs, n, q->q_next_o);
  const float *r = b->reward;
  if (q->cmdp) {
    for (int k = 0; k < n; k++)
      q->td[k] = dnt_cmdp_reward(q->cmdp, b->reward[k], b->cost + (size_t)k * (size_t)q->cmdp->n);
    r = q->td;
  }
  dnt_dqn_td_targets(n, q->n_actions, q->q_next_t, q->cfg.double_dqn ? q->q_next_o : NULL,
                     b->next_mask, r, b->terminal, q->cfg.gamma, y);
  return 0;
}

int dnt_dqn_update(dnt_dqn *q) {
  const dnt_dqn_config *c = &q->cfg;
  dnt_replay_batch *b = &q->batch;
  double frac = fmin(1.0, (double)q->steps / c->per_beta_steps);
  double beta = c->per_beta0 + (1.0 - c->per_beta0) * frac;
  dnt_replay_sample(&q->replay, &q->rng, c->batch, beta, b);
  int n = b->n, na = q->n_actions;
  dnt_dqn_batch_targets(q, b, q->y);
  const float *qv = qnet_forward(q->online, b->obs, n);
  for (int k = 0; k < n; k++)
    q->pred[k] = qv[(size_t)k * (size_t)na + (size_t)b->action[k]];
  /* Huber loss averaged over the batch; dq holds d loss / d Q(s, a) */
  q->loss = dnt_loss_huber(q->pred, q->y, (size_t)n, c->huber_delta, q->td);
  q->updates++;
  /* before any change: the parameters stay those of the last finite update */
  if (!isfinite(q->loss))
    return dnt_error(DNT_ERR_NUMERIC, "dqn: loss = %g at update %lld (lr %g too large?)",
                     (double)q->loss, (long long)q->updates, (double)c->lr);
  memset(q->dq, 0, (size_t)n * (size_t)na * sizeof(float));
  for (int k = 0; k < n; k++)
    q->dq[(size_t)k * (size_t)na + (size_t)b->action[k]] = b->weight[k] * q->td[k];
  dnt_vec_zero(q->online->grads, q->online->n_params);
  qnet_backward(q->online, q->dq);
  if (c->max_grad_norm > 0)
    dnt_clip_grad_norm(q->online->grads, q->online->n_params, c->max_grad_norm);
  dnt_adam_step(&q->opt, q->online->params, q->online->grads);
  if (c->prioritized) {
    for (int k = 0; k < n; k++)
      q->td[k] = q->pred[k] - q->y[k];
    return dnt_replay_update_priorities(&q->replay, b->idx, q->td, n);
  }
  return 0;
}

static void epsilon_greedy(dnt_dqn *q) {
  dnt_rollout *ro = q->ro;
  const unsigned char *mask = q->env->mask;
  int na = q->n_actions;
  q->epsilon = dnt_dqn_epsilon_at(&q->cfg, q->steps);
  dnt_dqn_act(q, ro->obs, mask, ro->n, ro->a);
  for (int i = 0; i < ro->n; i++) {
    if (dnt_rng_uniform(&q->rng) >= q->epsilon) continue;
    const unsigned char *m = mask + (size_t)i * (size_t)na;
    int allowed = 0;
    for (int j = 0; j < na; j++)
      allowed += m[j] != 0;
    int pick = allowed ? (int)dnt_rng_below(&q->rng, (uint64_t)allowed) : 0;
    for (int j = 0; j < na; j++)
      if (m[j] && pick-- == 0) {
        ro->a[i] = j;
        break;
      }
  }
}

int dnt_dqn_step(dnt_dqn *q) {
  const dnt_dqn_config *c = &q->cfg;
  epsilon_greedy(q);
  int rc = rollout_step(q->ro, &q->replay);
  if (rc) return rc;
  q->steps += q->env->n;
  for (; q->steps >= q->next_train; q->next_train += c->train_freq) {
    if (q->steps < c->learning_starts) continue;
    for (int g = 0; g < c->gradient_steps; g++)
      if ((rc = dnt_dqn_update(q))) return rc;
  }
  for (; q->steps >= q->next_target; q->next_target += c->target_update) {
    if (c->tau >= 1.0f)
      dnt_dqn_sync_target(q);
    else
      dnt_vec_lerp(q->target->params, q->online->params, c->tau, q->online->n_params);
  }
  return 0;
}

int dnt_dqn_train(dnt_dqn *q, int64_t steps) {
  int64_t end = q->steps + steps;
  while (q->steps < end) {
    int rc = dnt_dqn_step(q);
    if (rc) return rc;
  }
  return 0;
}

int dnt_dqn_save(const dnt_dqn *q, const char *path) {
  return dnt_checkpoint_save(path, q->online->desc, q->online->params, q->online->n_params);
}

int dnt_dqn_load(dnt_dqn *q, const char *path) {
  int rc = dnt_checkpoint_load(path, q->online->desc, q->online->params, q->online->n_params);
  if (!rc) dnt_dqn_sync_target(q);
  return rc;
}
