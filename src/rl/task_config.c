/* src/rl/task_config.c: the config schema of `dnt rl`, its presets, and the
 * translation into agent configs (dnt/rl_task.h). The schema defaults are the
 * library defaults; tests/rl/test_task.c checks that they agree. */
#include <stdio.h>
#include <string.h>

#include "dnt/rl_task.h"
#include "dnt/status.h"

#define BIG 1e9

/* clang-format off */
const dnt_config_field dnt_rl_schema[] = {
  {"rl.env", DNT_CFG_STRING, 0, 0, 0, "cartpole", "cartpole|pendulum|chain", "built-in task (set by --env)"},
  {"rl.algo", DNT_CFG_STRING, 0, 0, 0, "dqn", "dqn|ddpg|td3", "algorithm (set by --algo)"},
  {"rl.steps", DNT_CFG_INT, 1, BIG, 100000, NULL, NULL, "environment steps to train (set by --steps)"},
  {"rl.n_envs", DNT_CFG_INT, 1, 4096, 1, NULL, NULL, "environment instances stepped together"},
  {"rl.eval_every", DNT_CFG_INT, 1, BIG, 5000, NULL, NULL, "env steps between selection evaluations"},
  {"rl.eval_episodes", DNT_CFG_INT, 1, 100000, 20, NULL, NULL, "episodes per selection evaluation"},
  {"rl.final_episodes", DNT_CFG_INT, 1, 1000000, 100, NULL, NULL, "episodes of the final evaluation"},
  {"rl.stop_return", DNT_CFG_REAL, -BIG, BIG, BIG, NULL, NULL, "stop once a selection evaluation reaches this mean return"},
  {"rl.keep_best", DNT_CFG_BOOL, 0, 1, 1, NULL, NULL, "evaluate the best selected parameters, not the last"},
  {"rl.chain_length", DNT_CFG_INT, 2, 100000, 10, NULL, NULL, "states of the chain task"},
  {"rl.cartpole_cost_x", DNT_CFG_REAL, 1e-6, 2.4, 1.0, NULL, NULL, "CartPole's cost: 1 when |x| exceeds this"},
  {"dqn.hidden", DNT_CFG_REAL_LIST, 1, 65536, 0, "64,64", NULL, "hidden layer widths (1 to 4 layers, ReLU)"},
  {"dqn.dueling", DNT_CFG_BOOL, 0, 1, 0, NULL, NULL, "dueling head"},
  {"dqn.double", DNT_CFG_BOOL, 0, 1, 1, NULL, NULL, "Double DQN target"},
  {"dqn.lr", DNT_CFG_REAL, 1e-8, 1, 1e-3, NULL, NULL, "Adam learning rate"},
  {"dqn.gamma", DNT_CFG_REAL, 0, 1, 0.99, NULL, NULL, "discount"},
  {"dqn.batch", DNT_CFG_INT, 1, 65536, 64, NULL, NULL, "transitions per gradient step"},
  {"dqn.buffer", DNT_CFG_INT, 1, BIG, 50000, NULL, NULL, "replay capacity"},
  {"dqn.learning_starts", DNT_CFG_INT, 1, BIG, 1000, NULL, NULL, "env steps before the first update"},
  {"dqn.train_freq", DNT_CFG_INT, 1, BIG, 1, NULL, NULL, "env steps between training rounds"},
  {"dqn.gradient_steps", DNT_CFG_INT, 1, 100000, 1, NULL, NULL, "updates per training round"},
  {"dqn.target_update", DNT_CFG_INT, 1, BIG, 1, NULL, NULL, "env steps between target updates"},
  {"dqn.tau", DNT_CFG_REAL, 1e-6, 1, 0.005, NULL, NULL, "target update weight (1 = hard copy, < 1 Polyak)"},
  {"dqn.huber_delta", DNT_CFG_REAL, 1e-6, BIG, 1, NULL, NULL, "Huber loss threshold"},
  {"dqn.max_grad_norm", DNT_CFG_REAL, 0, BIG, 10, NULL, NULL, "gradient clipping norm (0 = none)"},
  {"dqn.eps_decay", DNT_CFG_STRING, 0, 0, 0, "linear", "linear|exp", "epsilon schedule"},
  {"dqn.eps_start", DNT_CFG_REAL, 0, 1, 1, NULL, NULL, "initial exploration rate"},
  {"dqn.eps_end", DNT_CFG_REAL, 0, 1, 0.05, NULL, NULL, "final exploration rate"},
  {"dqn.eps_steps", DNT_CFG_INT, 1, BIG, 10000, NULL, NULL, "linear: steps to eps_end; exp: time constant"},
  {"dqn.prioritized", DNT_CFG_BOOL, 0, 1, 0, NULL, NULL, "prioritised replay"},
  {"dqn.per_alpha", DNT_CFG_REAL, 0, 10, 0.6, NULL, NULL, "priority exponent"},
  {"dqn.per_beta0", DNT_CFG_REAL, 0, 1, 0.4, NULL, NULL, "initial importance-sampling exponent"},
  {"dqn.per_beta_steps", DNT_CFG_INT, 1, BIG, 100000, NULL, NULL, "env steps over which beta reaches 1"},
  {"td3.hidden", DNT_CFG_REAL_LIST, 1, 65536, 0, "64,64", NULL, "hidden widths of actor and critics"},
  {"td3.actor_lr", DNT_CFG_REAL, 1e-8, 1, 1e-3, NULL, NULL, "actor Adam learning rate"},
  {"td3.critic_lr", DNT_CFG_REAL, 1e-8, 1, 1e-3, NULL, NULL, "critic Adam learning rate"},
  {"td3.gamma", DNT_CFG_REAL, 0, 1, 0.99, NULL, NULL, "discount"},
  {"td3.tau", DNT_CFG_REAL, 1e-6, 1, 0.005, NULL, NULL, "Polyak weight of the target update"},
  {"td3.batch", DNT_CFG_INT, 1, 65536, 128, NULL, NULL, "transitions per gradient step"},
  {"td3.buffer", DNT_CFG_INT, 1, BIG, 100000, NULL, NULL, "replay capacity"},
  {"td3.learning_starts", DNT_CFG_INT, 1, BIG, 1000, NULL, NULL, "env steps of uniform random actions"},
  {"td3.train_freq", DNT_CFG_INT, 1, BIG, 1, NULL, NULL, "env steps between training rounds"},
  {"td3.gradient_steps", DNT_CFG_INT, 1, 100000, 1, NULL, NULL, "updates per training round"},
  {"td3.policy_delay", DNT_CFG_INT, 1, 1000, 2, NULL, NULL, "critic updates per actor update (ddpg: always 1)"},
  {"td3.explore_noise", DNT_CFG_REAL, 0, 10, 0.1, NULL, NULL, "Gaussian exploration std ([-1, 1] scale)"},
  {"td3.target_noise", DNT_CFG_REAL, 0, 10, 0.2, NULL, NULL, "target smoothing std (ddpg: always 0)"},
  {"td3.noise_clip", DNT_CFG_REAL, 0, 10, 0.5, NULL, NULL, "target smoothing clip"},
  {"cmdp.thresholds", DNT_CFG_REAL_LIST, -BIG, BIG, 0, "", NULL, "per-step cost thresholds, one per env cost (empty = unconstrained)"},
  {"cmdp.kind", DNT_CFG_STRING, 0, 0, 0, "dual", "dual|pid", "multiplier update"},
  {"cmdp.lr", DNT_CFG_REAL, 1e-9, BIG, 0.05, NULL, NULL, "dual ascent step"},
  {"cmdp.kp", DNT_CFG_REAL, 0, BIG, 1, NULL, NULL, "PID proportional gain"},
  {"cmdp.ki", DNT_CFG_REAL, 0, BIG, 0.05, NULL, NULL, "PID integral gain"},
  {"cmdp.kd", DNT_CFG_REAL, 0, BIG, 0, NULL, NULL, "PID derivative gain"},
  {"cmdp.lambda_max", DNT_CFG_REAL, 1e-9, BIG, 100, NULL, NULL, "cap on each multiplier"},
  {"cmdp.update_every", DNT_CFG_INT, 1, BIG, 1000, NULL, NULL, "env steps between multiplier updates"},
};
/* clang-format on */
const size_t dnt_rl_schema_len = sizeof dnt_rl_schema / sizeof dnt_rl_schema[0];

/* Settings that solve each task within minutes on 2 cores (docs/RL.md has
 * the measured runs). Anything here can be overridden by --config / --set. */
static const char preset_cartpole_dqn[] =
    "{\"rl\": {\"steps\": 150000, \"eval_every\": 2500, \"eval_episodes\": 20,"
    " \"stop_return\": 500}}";
static const char preset_pendulum[] =
    "{\"rl\": {\"steps\": 30000, \"eval_every\": 2000, \"eval_episodes\": 10}}";
static const char preset_chain_dqn[] =
    "{\"rl\": {\"steps\": 10000, \"eval_every\": 1000, \"eval_episodes\": 5},"
    " \"dqn\": {\"learning_starts\": 500, \"eps_steps\": 4000}}";

const char *dnt_rl_preset(const char *env, const char *algo) {
  int dqn = !strcmp(algo, "dqn");
  if (!strcmp(env, "cartpole") && dqn) return preset_cartpole_dqn;
  if (!strcmp(env, "chain") && dqn) return preset_chain_dqn;
  if (!strcmp(env, "pendulum") && !dqn) return preset_pendulum;
  return NULL;
}

/* Copies the hidden widths of list `path` (1..DNT_RL_MAX_HIDDEN values). */
static int hidden_from(const dnt_config *cfg, const char *path, int *n, int *hidden) {
  size_t len;
  const double *h = dnt_config_list(cfg, path, &len);
  if (len < 1 || len > DNT_RL_MAX_HIDDEN)
    return dnt_error(DNT_ERR_CONFIG, "config: key '%s' has %zu values: expected 1 to %d widths",
                     path, len, DNT_RL_MAX_HIDDEN);
  for (size_t k = 0; k < len; k++) {
    if (h[k] != (int)h[k])
      return dnt_error(DNT_ERR_CONFIG, "config: key '%s' value %g: expected an integer width", path,
                       h[k]);
    hidden[k] = (int)h[k];
  }
  *n = (int)len;
  return 0;
}

int dnt_rl_dqn_config(const dnt_config *cfg, dnt_dqn_config *c) {
  dnt_dqn_config_default(c);
  int rc = hidden_from(cfg, "dqn.hidden", &c->n_hidden, c->hidden);
  if (rc) return rc;
  c->dueling = dnt_config_bool(cfg, "dqn.dueling");
  c->double_dqn = dnt_config_bool(cfg, "dqn.double");
  c->lr = (float)dnt_config_real(cfg, "dqn.lr");
  c->gamma = (float)dnt_config_real(cfg, "dqn.gamma");
  c->batch = (int)dnt_config_int(cfg, "dqn.batch");
  c->buffer = (int)dnt_config_int(cfg, "dqn.buffer");
  c->learning_starts = (int)dnt_config_int(cfg, "dqn.learning_starts");
  c->train_freq = (int)dnt_config_int(cfg, "dqn.train_freq");
  c->gradient_steps = (int)dnt_config_int(cfg, "dqn.gradient_steps");
  c->target_update = (int)dnt_config_int(cfg, "dqn.target_update");
  c->tau = (float)dnt_config_real(cfg, "dqn.tau");
  c->huber_delta = (float)dnt_config_real(cfg, "dqn.huber_delta");
  c->max_grad_norm = (float)dnt_config_real(cfg, "dqn.max_grad_norm");
  c->eps_decay =
      strcmp(dnt_config_string(cfg, "dqn.eps_decay"), "exp") ? DNT_EPS_LINEAR : DNT_EPS_EXP;
  c->eps_start = (float)dnt_config_real(cfg, "dqn.eps_start");
  c->eps_end = (float)dnt_config_real(cfg, "dqn.eps_end");
  c->eps_steps = (int)dnt_config_int(cfg, "dqn.eps_steps");
  c->prioritized = dnt_config_bool(cfg, "dqn.prioritized");
  c->per_alpha = (float)dnt_config_real(cfg, "dqn.per_alpha");
  c->per_beta0 = (float)dnt_config_real(cfg, "dqn.per_beta0");
  c->per_beta_steps = (int)dnt_config_int(cfg, "dqn.per_beta_steps");
  c->cmdp_update_every = (int)dnt_config_int(cfg, "cmdp.update_every");
  return dnt_dqn_config_check(c);
}

int dnt_rl_td3_config(const dnt_config *cfg, dnt_td3_config *c) {
  dnt_td3_config_default(c);
  int rc = hidden_from(cfg, "td3.hidden", &c->n_hidden, c->hidden);
  if (rc) return rc;
  c->actor_lr = (float)dnt_config_real(cfg, "td3.actor_lr");
  c->critic_lr = (float)dnt_config_real(cfg, "td3.critic_lr");
  c->gamma = (float)dnt_config_real(cfg, "td3.gamma");
  c->tau = (float)dnt_config_real(cfg, "td3.tau");
  c->batch = (int)dnt_config_int(cfg, "td3.batch");
  c->buffer = (int)dnt_config_int(cfg, "td3.buffer");
  c->learning_starts = (int)dnt_config_int(cfg, "td3.learning_starts");
  c->train_freq = (int)dnt_config_int(cfg, "td3.train_freq");
  c->gradient_steps = (int)dnt_config_int(cfg, "td3.gradient_steps");
  c->policy_delay = (int)dnt_config_int(cfg, "td3.policy_delay");
  c->explore_noise = (float)dnt_config_real(cfg, "td3.explore_noise");
  c->target_noise = (float)dnt_config_real(cfg, "td3.target_noise");
  c->noise_clip = (float)dnt_config_real(cfg, "td3.noise_clip");
  c->cmdp_update_every = (int)dnt_config_int(cfg, "cmdp.update_every");
  if (!strcmp(dnt_config_string(cfg, "rl.algo"), "ddpg")) {
    /* what makes it DDPG (dnt_ddpg_config_default), whatever td3.* says */
    c->twin_critics = 0;
    c->policy_delay = 1;
    c->target_noise = 0.0f;
  }
  return dnt_td3_config_check(c);
}
