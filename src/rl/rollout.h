/* src/rl/rollout.h: the acting loop every agent shares (internal).
 *
 * One call of rollout_step takes the actions the agent proposed for the
 * current augmented observations, runs them through the shields, steps the
 * environment, augments the observations reached, reshapes the rewards,
 * stores the transitions in the replay (if given), feeds the costs to the
 * CMDP and moves to the next observations. This is where the intervention
 * order of dnt/intervention.h is implemented, once, for DQN and TD3 alike.
 *
 * Continuous actions: the agent proposes environment-scale actions in u; the
 * replay stores them rescaled to [-1, 1] (a = (u - offset) / scale). */
#ifndef DNT_RL_ROLLOUT_H
#define DNT_RL_ROLLOUT_H

#include <stdint.h>

#include "dnt/cmdp.h"
#include "dnt/env.h"
#include "dnt/intervention.h"
#include "dnt/replay.h"

typedef struct dnt_rollout {
  dnt_vecenv *env;           /* borrowed */
  dnt_hooks *hooks;          /* borrowed, may be NULL */
  dnt_cmdp *cmdp;            /* borrowed, may be NULL */
  int cmdp_every;            /* env steps between multiplier updates */
  int n, obs_dim, act_dim;   /* obs_dim: augmented */
  float *obs;                /* (n, obs_dim) augmented current observations */
  float *next_obs;           /* (n, obs_dim) augmented observations reached */
  int *a;                    /* (n) the agent's proposals (discrete) */
  float *u;                  /* (n, act_dim) the agent's proposals (continuous) */
  int *a_exec;               /* (n) executed after the shields */
  float *u_exec;             /* (n, act_dim) */
  float *u_store;            /* (act_dim) scratch: stored action in [-1, 1] */
  float *reward;             /* (n) learning reward of the last step */
  unsigned char *overridden; /* (n) 1 if a shield replaced the proposal */
  unsigned char *unsafe;     /* (n) 1 if a backup action was flagged by its own shield */
  unsigned char *store_prop; /* (n) 1 if the proposal, not the executed action, is stored */
  int64_t since_cmdp;        /* env steps since the last multiplier update */
} dnt_rollout;

int rollout_create(dnt_vecenv *env, dnt_hooks *hooks, dnt_cmdp *cmdp, int cmdp_every,
                   dnt_rollout **out);
void rollout_destroy(dnt_rollout *ro);
/* Augments every instance's current observation (after a reset). */
int rollout_observe_all(dnt_rollout *ro);
/* One vector step with the proposals in ro->a / ro->u; rb may be NULL. */
int rollout_step(dnt_rollout *ro, dnt_replay *rb);

/* The config checks DQN and TD3 share; `agent` names the agent in the
 * message (DNT_ERR_CONFIG naming the first bad field). */
typedef struct rl_common_cfg {
  int n_hidden;
  const int *hidden;
  float gamma, tau;
  int batch, buffer, learning_starts, train_freq, gradient_steps, cmdp_update_every;
} rl_common_cfg;
int rl_check_common(const char *agent, const rl_common_cfg *c);

#endif
