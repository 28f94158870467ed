/* dnt/study_rl.h: the RL study (`dnt rl`): train an agent of the RL layer on
 * a built-in task (CartPole-v1, Pendulum-v1, the chain MDP) and evaluate it.
 *
 * Every hyperparameter of DQN, DDPG/TD3 and the CMDP is a row under "dqn.*",
 * "td3.*", "cmdp.*" (their defaults are the library defaults,
 * dnt_dqn_config_default and dnt_td3_config_default), the run under "rl.*".
 * What differs between tasks is the budget: rl.steps, rl.eval_every and
 * rl.eval_episodes at 0 take the task's own (CartPole 150,000 / 2,500 / 20,
 * Pendulum 30,000 / 2,000 / 10, chain 10,000 / 1,000 / 5), and CartPole stops
 * once a selection evaluation reaches 500, its maximum, and rl.confirm_episodes
 * (100) more episodes confirm it (SELECTION 2^32 + k; a score below 500
 * keeps training, and the best parameters are those of the best score over
 * both samples). rl.algo "auto" is DQN
 * for the discrete tasks and TD3 for Pendulum.
 *
 * The run: train for rl.steps env steps on rl.n_envs instances; every
 * rl.eval_every steps evaluate the greedy policy on rl.eval_episodes episodes
 * and remember the best parameters; then (rl.keep_best) restore them and
 * evaluate on rl.final_episodes fresh episodes. The selection and the final
 * evaluation never share a stream (SELECTION k, EVAL 0 of the run's seed;
 * environments ENV i, the agent AGENT 0 and NET_INIT 0), so the reported mean
 * is not the maximum of noisy evaluations. Stable Baselines3's EvalCallback
 * with StopTrainingOnRewardThreshold selects the same way.
 *
 * rl.shield_x > 0 (CartPole) puts a shield in front of the agent: an action
 * after which braking (pushing against the cart's velocity) cannot keep the
 * cart within |x| <= shield_x for 25 steps is replaced by the brake (the
 * prediction is dnt_cartpole_predict, dnt/envs.h; when the brake is flagged
 * too the step counts as unsafe); its counts
 * are reported for training (train_*) and the final evaluation (eval_*)
 * separately.
 *
 * Results (into the run): summary metrics mean_return, std_return,
 * min_return, max_return, mean_length, eval_episodes, best_eval_return,
 * best_step, steps, episodes, train_seconds, steps_per_second,
 * solve_threshold, solved, env, algo, task; for TD3/DDPG policy_delay and
 * target_noise as they ran; per constraint lambda_i and episode_cost_i; with a
 * shield train_/eval_ steps, interventions, intervention_rate and unsafe.
 * curve.csv (step, episodes, train_return, eval_return, eval_std, loss,
 * explore, and lambda_i, cost_i per constraint), curve.gp/.svg/.png and
 * policy.ckpt (the selected parameters).
 *
 * Resume (dnt_run_resuming): checkpoint.state (dnt/state.h) is written at
 * step 0, every rl.checkpoint_every env steps, at a stop request (the run
 * then returns DNT_ERR_INTERRUPTED) and when training ends; a resumed run
 * loads it, cuts curve.csv back to it and drops the metrics logged after it
 * (dnt_run_resume_metrics), and ends with the files and summary numbers of
 * an uninterrupted run (docs/RL.md). No checkpoint: DNT_ERR_ARG; a damaged
 * one: DNT_ERR_CORRUPT naming it. */
#ifndef DNT_STUDY_RL_H
#define DNT_STUDY_RL_H

#include "dnt/config.h"
#include "dnt/dqn.h"
#include "dnt/run.h"
#include "dnt/study.h"
#include "dnt/td3.h"

#ifdef __cplusplus
extern "C" {
#endif

/* clang-format off */
#define DNT_STUDY_RL_ROWS(X)                                                                                            \
  X(STRING, env, "rl.env", 0, 0, "cartpole", "cartpole|pendulum|chain", "built-in task")                               \
  X(STRING, algo, "rl.algo", 0, 0, "auto", "auto|dqn|ddpg|td3", "algorithm (auto: dqn, td3 for pendulum)")             \
  X(INT, steps, "rl.steps", 0, 1e9, 0, NULL, "environment steps to train (0: the task's)")                             \
  X(INT, n_envs, "rl.n_envs", 1, 4096, 1, NULL, "environment instances stepped together")                             \
  X(INT, eval_every, "rl.eval_every", 0, 1e9, 0, NULL, "env steps between selection evaluations (0: the task's)")      \
  X(INT, eval_episodes, "rl.eval_episodes", 0, 100000, 0, NULL, "episodes per selection evaluation (0: the task's)")   \
  X(INT, final_episodes, "rl.final_episodes", 1, 1000000, 100, NULL, "episodes of the final evaluation")               \
  X(INT, confirm_episodes, "rl.confirm_episodes", 0, 100000, 100, NULL, "episodes confirming an evaluation that reaches the stop return (0: none)") \
  X(INT, checkpoint_every, "rl.checkpoint_every", 0, 1e9, 5000, NULL, "env steps between checkpoints for --resume (0: only at the end and at a stop)") \
  X(BOOL, keep_best, "rl.keep_best", 0, 1, 1, NULL, "evaluate the best selected parameters, not the last")            \
  X(INT, chain_length, "rl.chain_length", 2, 100000, 10, NULL, "states of the chain task")                            \
  X(REAL, cartpole_cost_x, "rl.cartpole_cost_x", 1e-6, 2.4, 1.0, NULL, "CartPole's cost: 1 when |x| exceeds this")     \
  X(REAL, shield_x, "rl.shield_x", 0, 2.4, 0, NULL, "CartPole shield: keep the cart within |x| <= this (0: none)")     \
  X(REAL_LIST, dqn_hidden, "dqn.hidden", 1, 65536, "64,64", NULL, "hidden layer widths (1 to 4 layers, ReLU)")         \
  X(BOOL, dqn_dueling, "dqn.dueling", 0, 1, 0, NULL, "dueling head")                                                  \
  X(BOOL, dqn_double, "dqn.double", 0, 1, 1, NULL, "Double DQN target")                                               \
  X(REAL, dqn_lr, "dqn.lr", 1e-8, 1, 1e-3, NULL, "Adam learning rate")                                                \
  X(REAL, dqn_gamma, "dqn.gamma", 0, 1, 0.99, NULL, "discount")                                                       \
  X(INT, dqn_batch, "dqn.batch", 1, 65536, 64, NULL, "transitions per gradient step")                                 \
  X(INT, dqn_buffer, "dqn.buffer", 1, 1e9, 50000, NULL, "replay capacity")                                             \
  X(INT, dqn_learning_starts, "dqn.learning_starts", 1, 1e9, 1000, NULL, "env steps before the first update")          \
  X(INT, dqn_train_freq, "dqn.train_freq", 1, 1e9, 1, NULL, "env steps between training rounds")                       \
  X(INT, dqn_gradient_steps, "dqn.gradient_steps", 1, 100000, 1, NULL, "updates per training round")                  \
  X(INT, dqn_target_update, "dqn.target_update", 1, 1e9, 1, NULL, "env steps between target updates")                  \
  X(REAL, dqn_tau, "dqn.tau", 1e-6, 1, 0.005, NULL, "target update weight (1 = hard copy, < 1 Polyak)")               \
  X(REAL, dqn_huber_delta, "dqn.huber_delta", 1e-6, 1e9, 1, NULL, "Huber loss threshold")                              \
  X(REAL, dqn_max_grad_norm, "dqn.max_grad_norm", 0, 1e9, 10, NULL, "gradient clipping norm (0 = none)")               \
  X(STRING, dqn_eps_decay, "dqn.eps_decay", 0, 0, "linear", "linear|exp", "epsilon schedule")                         \
  X(REAL, dqn_eps_start, "dqn.eps_start", 0, 1, 1, NULL, "initial exploration rate")                                  \
  X(REAL, dqn_eps_end, "dqn.eps_end", 0, 1, 0.05, NULL, "final exploration rate")                                     \
  X(INT, dqn_eps_steps, "dqn.eps_steps", 1, 1e9, 10000, NULL, "linear: steps to eps_end; exp: time constant")          \
  X(BOOL, dqn_prioritized, "dqn.prioritized", 0, 1, 0, NULL, "prioritised replay")                                    \
  X(REAL, dqn_per_alpha, "dqn.per_alpha", 0, 10, 0.6, NULL, "priority exponent")                                      \
  X(REAL, dqn_per_beta0, "dqn.per_beta0", 0, 1, 0.4, NULL, "initial importance-sampling exponent")                    \
  X(INT, dqn_per_beta_steps, "dqn.per_beta_steps", 1, 1e9, 100000, NULL, "env steps over which beta reaches 1")        \
  X(REAL_LIST, td3_hidden, "td3.hidden", 1, 65536, "64,64", NULL, "hidden widths of actor and critics")                \
  X(REAL, td3_actor_lr, "td3.actor_lr", 1e-8, 1, 1e-3, NULL, "actor Adam learning rate")                              \
  X(REAL, td3_critic_lr, "td3.critic_lr", 1e-8, 1, 1e-3, NULL, "critic Adam learning rate")                           \
  X(REAL, td3_gamma, "td3.gamma", 0, 1, 0.99, NULL, "discount")                                                       \
  X(REAL, td3_tau, "td3.tau", 1e-6, 1, 0.005, NULL, "Polyak weight of the target update")                             \
  X(INT, td3_batch, "td3.batch", 1, 65536, 128, NULL, "transitions per gradient step")                                \
  X(INT, td3_buffer, "td3.buffer", 1, 1e9, 100000, NULL, "replay capacity")                                            \
  X(INT, td3_learning_starts, "td3.learning_starts", 1, 1e9, 1000, NULL, "env steps of uniform random actions")        \
  X(INT, td3_train_freq, "td3.train_freq", 1, 1e9, 1, NULL, "env steps between training rounds")                       \
  X(INT, td3_gradient_steps, "td3.gradient_steps", 1, 100000, 1, NULL, "updates per training round")                  \
  X(INT, td3_policy_delay, "td3.policy_delay", 1, 1000, 2, NULL, "critic updates per actor update (TD3 only; DDPG: 1)") \
  X(REAL, td3_explore_noise, "td3.explore_noise", 0, 10, 0.1, NULL, "Gaussian exploration std ([-1, 1] scale)")        \
  X(REAL, td3_target_noise, "td3.target_noise", 0, 10, 0.2, NULL, "target smoothing std (TD3 only; DDPG: 0)")          \
  X(REAL, td3_noise_clip, "td3.noise_clip", 0, 10, 0.5, NULL, "target smoothing clip")                                \
  X(REAL_LIST, cmdp_thresholds, "cmdp.thresholds", -1e9, 1e9, "", NULL,                                              \
    "per-step cost thresholds, one per env cost (empty = unconstrained)")                                             \
  X(STRING, cmdp_kind, "cmdp.kind", 0, 0, "dual", "dual|pid", "multiplier update")                                    \
  X(REAL, cmdp_lr, "cmdp.lr", 1e-9, 1e9, 0.05, NULL, "dual ascent step")                                               \
  X(REAL, cmdp_kp, "cmdp.kp", 0, 1e9, 1, NULL, "PID proportional gain")                                                \
  X(REAL, cmdp_ki, "cmdp.ki", 0, 1e9, 0.05, NULL, "PID integral gain")                                                 \
  X(REAL, cmdp_kd, "cmdp.kd", 0, 1e9, 0, NULL, "PID derivative gain")                                                  \
  X(REAL, cmdp_lambda_max, "cmdp.lambda_max", 1e-9, 1e9, 100, NULL, "cap on each multiplier")                          \
  X(INT, cmdp_update_every, "cmdp.update_every", 1, 1e9, 1000, NULL, "env steps between multiplier updates")
/* clang-format on */

typedef struct dnt_study_rl_config {
  DNT_CFG_MEMBERS(DNT_STUDY_RL_ROWS)
} dnt_study_rl_config;

/* The registry row of the study (dnt/study.h). */
extern const dnt_study dnt_study_rl;

/* Every field at its default. */
void dnt_study_rl_defaults(dnt_study_rl_config *cfg);
/* Before a result folder exists: the algorithm fits the task, the CMDP's
 * thresholds its costs, the shield is on CartPole, and the agent's settings
 * pass dnt_dqn_config_check / dnt_td3_config_check (DNT_ERR_CONFIG naming the
 * key). */
int dnt_study_rl_check(const dnt_study_rl_config *cfg);
/* Runs the study into `run` (seed and BLAS threads from the run); progress
 * may be NULL. */
int dnt_study_rl_run(const dnt_study_rl_config *cfg, dnt_run *run,
                     const dnt_study_progress *progress);

/* The algorithm cfg runs: "dqn", "ddpg" or "td3" (rl.algo, auto resolved). */
const char *dnt_study_rl_algo(const dnt_study_rl_config *cfg);
/* The agent configs cfg describes (DDPG: one critic, no delay, no target
 * noise whatever td3.* says), checked: DNT_ERR_CONFIG naming a bad key. */
int dnt_study_rl_dqn_config(const dnt_study_rl_config *cfg, dnt_dqn_config *out);
int dnt_study_rl_td3_config(const dnt_study_rl_config *cfg, dnt_td3_config *out);

#ifdef __cplusplus
}
#endif
#endif
