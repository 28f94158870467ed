/* dnt/envs.h: built-in classic control tasks for dnt/env.h.
 *
 * They are a user's first contact with the RL layer and a check against
 * results known outside this project, so the dynamics, constants, start
 * distributions, rewards and time limits are exactly Gymnasium's (v1.0):
 *
 * CartPole-v1 (Barto, Sutton and Anderson 1983; gymnasium/envs/classic_control/
 *   cartpole.py): g 9.8, cart 1.0 kg, pole 0.1 kg, half length 0.5 m, force
 *   +-10 N, tau 0.02 s, explicit Euler; state uniform(-0.05, 0.05)^4;
 *   terminated when |x| > 2.4 or |theta| > 12 degrees; reward +1 every step,
 *   the terminating one included; truncated at 500 steps (solved: mean return
 *   >= 475). The state is double precision, the observation float32, as there.
 *   Actions: 0 push left, 1 push right. One cost (ours, for CMDP examples; it
 *   does not change the dynamics): 1 when |x| > cost_x after the step.
 *
 * Pendulum-v1 (gymnasium/envs/classic_control/pendulum.py): max speed 8,
 *   max torque 2, dt 0.05, g 10, m 1, l 1;
 *     u = clip(u, -2, 2); r = -(norm(th)^2 + 0.1 thdot^2 + 0.001 u^2)
 *     thdot' = clip(thdot + (3 g / (2 l) sin th + 3 / (m l^2) u) dt, -8, 8)
 *     th' = th + thdot' dt
 *   observation (cos th, sin th, thdot); start th ~ U(-pi, pi), thdot ~
 *   U(-1, 1); never terminates; truncated at 200 steps. No costs.
 *
 * Chain (ours, a small known MDP): states 0..length-1, start at 0, one-hot
 *   observation; action 0 moves left, 1 moves right; "left" is masked in
 *   state 0 (an example of action masks). Each step gives step_reward, except
 *   the step that reaches the last state, which gives goal_reward and
 *   terminates. Truncated at max_steps. Optimal undiscounted return:
 *   goal_reward + (length - 2) step_reward. No costs.
 *
 * The instance structs are public so that tests and tools can set a state. */
#ifndef DNT_ENVS_H
#define DNT_ENVS_H

#include "dnt/env.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_cartpole_cfg {
  double cost_x; /* cost 1 when |x| exceeds this (default 1.0) */
} dnt_cartpole_cfg;

typedef struct dnt_cartpole {
  double x, x_dot, theta, theta_dot;
  double cost_x;
} dnt_cartpole;

typedef struct dnt_pendulum_cfg {
  double g; /* gravity (default 10.0, Gymnasium's `g` argument) */
} dnt_pendulum_cfg;

typedef struct dnt_pendulum {
  double th, thdot;
  double g;
} dnt_pendulum;

typedef struct dnt_chain_cfg {
  int length;        /* states (>= 2; default 10) */
  float step_reward; /* default -0.01 */
  float goal_reward; /* default 1 */
  int max_steps;     /* default 4 * length */
} dnt_chain_cfg;

typedef struct dnt_chain {
  int pos;
  dnt_chain_cfg cfg;
} dnt_chain;

/* cfg may be NULL (defaults) or point to the matching *_cfg struct. */
extern const dnt_env_ops dnt_env_cartpole;
extern const dnt_env_ops dnt_env_pendulum;
extern const dnt_env_ops dnt_env_chain;

/* The built-in task called `name` ("cartpole", "pendulum", "chain"), or NULL. */
const dnt_env_ops *dnt_env_builtin(const char *name);

/* One CartPole step from state s with action a (0 left, 1 right) into *next
 * (may be s): the dynamics of dnt_env_cartpole's step, without termination,
 * reward or cost. For shields and planners that look ahead. */
void dnt_cartpole_predict(const dnt_cartpole *s, int a, dnt_cartpole *next);

/* Pendulum's angle normalisation to [-pi, pi) (Python's floor modulo). */
double dnt_angle_normalize(double x);

#ifdef __cplusplus
}
#endif
#endif
