/* dnt/policy.h: a policy as a callback, and its evaluation.
 *
 * Every agent (DQN, DDPG/TD3) exposes its greedy, deterministic policy as a
 * dnt_policy, so that evaluation, the studies and the twin's what-if runs
 * treat them alike. Evaluation runs a fresh dnt_vecenv, through the same
 * interventions as training (state hooks must be the same for the network to
 * see the same inputs; shields act as in training), and reports statistics of
 * the raw environment return, which is what "CartPole-v1 solved at 475"
 * means. The shields' counts of an evaluation are its own, over the steps of
 * the reported episodes (dnt_eval_result.shield); the counters of `hooks` and
 * of its shields are left as they were before the call (the training's).
 *
 * With n_envs > 1 instances, instance i runs exactly (episodes + i) / n_envs
 * episodes (the scheme of Stable Baselines3's evaluate_policy), so that short
 * episodes are not over-represented. */
#ifndef DNT_POLICY_H
#define DNT_POLICY_H

#include <stdint.h>

#include "dnt/env.h"
#include "dnt/intervention.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_policy {
  void *self;
  int input_dim; /* observation values it expects (obs_dim + state hooks' extra) */
  /* Actions for n observations obs (n, input_dim): a (n) for discrete
   * environments, honouring mask (n, n_actions) when not NULL; u (n, act_dim)
   * within the action bounds for continuous ones. */
  int (*act)(void *self, const float *obs, const unsigned char *mask, int n, int *a, float *u);
} dnt_policy;

#define DNT_EVAL_MAX_COSTS 8

typedef struct dnt_eval_result {
  int episodes;
  double mean_return, std_return; /* population std over episodes */
  double min_return, max_return;
  double mean_length;
  double mean_cost[DNT_EVAL_MAX_COSTS]; /* per-episode cost totals (first n_costs) */
  dnt_hooks_counts shield;              /* over the steps of these episodes (steps counted
                                           with or without shields) */
} dnt_eval_result;

/* Runs `episodes` episodes of the policy on n_envs instances of (ops, cfg)
 * seeded with `seed`, through `hooks` (may be NULL; reward hooks do not change
 * the reported return). DNT_ERR_ARG if the policy's input_dim does not match.
 * Every episode must end (a terminal state or spec.max_steps > 0): the loop
 * runs until `episodes` episodes have finished. Cost: episodes x episode
 * length policy rows plus as many env steps. */
int dnt_policy_evaluate(const dnt_policy *p, const dnt_env_ops *ops, const void *cfg, int n_envs,
                        int episodes, uint64_t seed, dnt_hooks *hooks, dnt_eval_result *out);

#ifdef __cplusplus
}
#endif
#endif
