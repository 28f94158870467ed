/* dnt/td3.h: deterministic actor-critic for continuous actions: TD3 and DDPG.
 *
 * TD3 (Fujimoto, van Hoof and Meger, "Addressing Function Approximation Error
 * in Actor-Critic Methods", ICML 2018, Algorithm 1):
 *   a~ = clip(mu_target(s') + clip(N(0, target_noise), -noise_clip, noise_clip), -1, 1)
 *   y  = r_eff + gamma (1 - terminal) min(Q1_target(s', a~), Q2_target(s', a~))
 *   critics: minimise sum_j mean (Q_j(s, a) - y)^2
 *   every policy_delay-th update: actor ascends mean Q1(s, mu(s)), then the
 *   targets move by Polyak averaging: theta_t <- (1 - tau) theta_t + tau theta.
 * DDPG (Lillicrap et al., ICLR 2016) is the same loop with one critic,
 * policy_delay 1 and no target smoothing (dnt_ddpg_config_default), as in
 * Fujimoto et al.'s "our DDPG".
 *
 * Actions are handled in [-1, 1]^act_dim (tanh output) and scaled to the
 * environment's bounds when stepping: u = low + (a + 1) (high - low) / 2.
 * Exploration: Gaussian noise of std explore_noise (in the [-1, 1] scale),
 * clipped to the bounds; uniform random actions before learning_starts (as
 * Stable Baselines3 and CleanRL). r_eff = r - sum lambda_i c_i with a CMDP.
 * Every step runs through the hooks (dnt/intervention.h); a shield's backup
 * writes an environment-scale action.
 *
 * Parameters: ONE vector [actor | critic 1 | critic 2] (the nets are views
 * into it, see dnt_net_create), so a checkpoint, a federated update or a
 * Polyak step is one vector operation; the target nets live in a second
 * vector of the same layout. Two Adams, on the actor and the critic ranges.
 *
 * Ownership and determinism as dnt/dqn.h: the actor and the critics are
 * initialised in that order from stream NET_INIT cfg.agent, exploration,
 * target smoothing and sampling draw from stream AGENT cfg.agent. */
#ifndef DNT_TD3_H
#define DNT_TD3_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/cmdp.h"
#include "dnt/dqn.h"
#include "dnt/env.h"
#include "dnt/intervention.h"
#include "dnt/nn.h"
#include "dnt/optim.h"
#include "dnt/policy.h"
#include "dnt/replay.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_td3_config {
  int n_hidden; /* hidden layers of actor and critics, ReLU */
  int hidden[DNT_RL_MAX_HIDDEN];
  float actor_lr, critic_lr; /* Adam learning rates */
  float gamma;
  float tau; /* Polyak weight of the target update */
  int batch;
  int buffer;
  int learning_starts; /* env steps of uniform random actions */
  int train_freq;      /* env steps between training rounds */
  int gradient_steps;  /* updates per round */
  int policy_delay;    /* critic updates per actor/target update */
  float explore_noise; /* std of Gaussian exploration, [-1, 1] scale */
  float target_noise;  /* std of target policy smoothing (0: none) */
  float noise_clip;    /* clip of the smoothing noise */
  int twin_critics;    /* 1: clipped double Q (TD3); 0: one critic */
  int cmdp_update_every;
  uint32_t agent; /* index of the agent's streams (dnt/dqn.h); 0 for one agent */
} dnt_td3_config;

/* Our TD3 defaults (docs/RL.md compares them with SB3's and CleanRL's). */
void dnt_td3_config_default(dnt_td3_config *c);
/* TD3's loop reduced to DDPG: one critic, policy_delay 1, no smoothing. */
void dnt_ddpg_config_default(dnt_td3_config *c);
/* DNT_ERR_CONFIG naming the first bad field, or 0. */
int dnt_td3_config_check(const dnt_td3_config *c);

typedef struct dnt_td3 {
  dnt_td3_config cfg;
  dnt_vecenv *env;  /* borrowed */
  dnt_hooks *hooks; /* borrowed, may be NULL */
  dnt_cmdp *cmdp;   /* borrowed, may be NULL */
  int input_dim;    /* obs_dim + hooks' extra */
  int act_dim;
  float scale[DNT_ENV_MAX_ACT], offset[DNT_ENV_MAX_ACT]; /* u = offset + scale a */
  size_t n_params, n_actor, n_critic;                    /* critic = all critics */
  float *params, *grads;   /* (n_params) [actor | critic 1 | critic 2] */
  float *tparams, *tgrads; /* target vector, same layout (tgrads unused) */
  dnt_net *actor, *critic[2], *tactor, *tcritic[2];
  dnt_adam actor_opt, critic_opt;
  struct dnt_rollout *ro;
  dnt_replay replay;
  dnt_replay_batch batch;
  dnt_rng rng;
  int64_t steps, updates;
  int64_t next_train;
  float actor_loss, critic_loss; /* of the last update that computed them */
  /* workspace */
  float *act_out; /* (max(n, batch), act_dim) actor outputs */
  float *sa;      /* (batch, input_dim + act_dim) critic inputs */
  float *q1, *q2; /* (batch) target critic values */
  float *y;       /* (batch) TD targets */
  float *dq;      /* (batch) critic loss gradient */
  float *dsa;     /* (batch, input_dim + act_dim) critic input gradient */
  float *da;      /* (batch, act_dim) actor output gradient */
} dnt_td3;

/* As dnt_dqn_create, for an env with continuous actions (act_dim > 0). */
int dnt_td3_create(const dnt_td3_config *cfg, dnt_vecenv *env, dnt_hooks *hooks, dnt_cmdp *cmdp,
                   uint64_t seed, dnt_td3 **out);
/* Frees the agent (NULL is a no-op); the borrowed env, hooks and cmdp stay. */
void dnt_td3_destroy(dnt_td3 *t);

/* One vector step (n env steps with exploration) plus the training it makes due. */
int dnt_td3_step(dnt_td3 *t);
/* Steps until at least `steps` more env steps are taken. */
int dnt_td3_train(dnt_td3 *t, int64_t steps);
/* One update on a sampled batch: the critics, and every policy_delay-th call
 * the actor and the targets. Needs a non-empty replay. DNT_ERR_NUMERIC when
 * the critic loss is not finite, before any parameter changes. */
int dnt_td3_update(dnt_td3 *t);

/* Deterministic actions mu(obs) in environment scale, u (n, act_dim). */
int dnt_td3_act(dnt_td3 *t, const float *obs, int n, float *u);
/* The deterministic policy as a dnt_policy borrowing t (valid while t lives). */
dnt_policy dnt_td3_policy(dnt_td3 *t);

/* The whole vector [actor | critics] (length *n). */
float *dnt_td3_params(dnt_td3 *t, size_t *n);
/* Copies the whole vector into the target vector. O(params). */
void dnt_td3_sync_target(dnt_td3 *t);
/* Checkpoint of actor and critics; load also sets the targets. */
int dnt_td3_save(const dnt_td3 *t, const char *path);
int dnt_td3_load(dnt_td3 *t, const char *path);

/* The whole agent for a run that resumes bit for bit, as dnt_dqn_save_state:
 * the parameter and target vectors, both Adams, the replay buffer, the
 * stream, the step, update and training counters, the last losses and the
 * acting loop's state. */
int dnt_td3_save_state(const dnt_td3 *t, dnt_pack *p);
int dnt_td3_load_state(dnt_td3 *t, dnt_unpack *u);

#ifdef __cplusplus
}
#endif
#endif
