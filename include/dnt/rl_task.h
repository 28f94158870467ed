/* dnt/rl_task.h: train and evaluate an agent on a built-in task from a config
 * (what `dnt rl` runs).
 *
 * The config schema (dnt_rl_schema) holds every hyperparameter of DQN,
 * DDPG/TD3 and the CMDP under "dqn.*", "td3.*", "cmdp.*", and the run under
 * "rl.*". Its defaults are the library defaults (dnt_dqn_config_default,
 * dnt_td3_config_default); a preset per (task, algorithm) (dnt_rl_preset, a
 * JSON text) is merged over them before the user's config, so that
 * `dnt rl --env cartpole` starts from settings that solve CartPole.
 *
 * The run: train for rl.steps env steps on rl.n_envs instances; every
 * rl.eval_every steps evaluate the greedy policy on rl.eval_episodes
 * episodes (seeds drawn from a stream of the master seed) and remember the
 * best parameters; stop early once an evaluation reaches rl.stop_return; then
 * (rl.keep_best) restore the best parameters and evaluate on
 * rl.final_episodes fresh episodes (another stream). The selection and the
 * final evaluation never share a seed, so the reported mean is not the
 * maximum of noisy evaluations. Stable Baselines3's EvalCallback with
 * StopTrainingOnRewardThreshold does the same selection.
 *
 * Writes into the run folder: curve.csv (one row per evaluation: step,
 * episodes, train_return, eval_return, eval_std, loss, explore, and lambda_i,
 * cost_i per constraint), curve.gp/.svg/.png (dnt_figure_lines),
 * policy.ckpt (the selected parameters), and the summary metrics
 * (mean_return over the final episodes, ...). */
#ifndef DNT_RL_TASK_H
#define DNT_RL_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/config.h"
#include "dnt/dqn.h"
#include "dnt/run.h"
#include "dnt/td3.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const dnt_config_field dnt_rl_schema[];
extern const size_t dnt_rl_schema_len;

/* JSON text of the preset for (env, algo), or NULL if the pair is invalid
 * (a discrete env with ddpg/td3, or a continuous env with dqn). */
const char *dnt_rl_preset(const char *env, const char *algo);

/* The agent configs described by `cfg` (DNT_ERR_CONFIG naming a bad field). */
int dnt_rl_dqn_config(const dnt_config *cfg, dnt_dqn_config *out);
int dnt_rl_td3_config(const dnt_config *cfg, dnt_td3_config *out);

typedef struct dnt_rl_result {
  char env[32], algo[16];
  const char *task;        /* Gymnasium id or "Chain" */
  int64_t steps, episodes; /* env steps taken, training episodes finished */
  double train_seconds;
  double best_eval;       /* best selection evaluation */
  int64_t best_step;      /* step of that evaluation */
  dnt_eval_result final;  /* the final evaluation */
  double solve_threshold; /* CartPole 475, Pendulum -200, Chain its optimum */
  int solved;             /* final.mean_return >= solve_threshold */
} dnt_rl_result;

/* Runs what cfg describes with master seed `seed`; `quick` divides the steps
 * by 10 and evaluates on 10 episodes. `run` may be NULL (no files). */
int dnt_rl_run(const dnt_config *cfg, uint64_t seed, int quick, dnt_run *run, dnt_rl_result *res);

#ifdef __cplusplus
}
#endif
#endif
