/* src/studies/rl.c: the RL study's descriptor, its config rows and their
 * translation into agent configs, and the checks made before a result folder
 * exists (dnt/study_rl.h). The loop itself is in rl_run.c.
 *
 * The dqn.* and td3.* defaults are the library defaults;
 * tests/studies/test_rl.c checks that they agree. */
#include <math.h>
#include <string.h>

#include "rl_study.h"

#include "dnt/envs.h"
#include "dnt/status.h"

#define DNT_CFG_STRUCT dnt_study_rl_config
static const dnt_config_field rows[] = {DNT_STUDY_RL_ROWS(DNT_CFG_ROW)};
#undef DNT_CFG_STRUCT

static const char *const headline[] = {"mean_return", "std_return", "min_return",
                                       "steps",       "solved",     NULL};

static const dnt_study_alias aliases[] = {
    {"env", "rl.env"}, {"algo", "rl.algo"}, {"steps", "rl.steps"}};

DNT_STUDY_GLUE(rl)

const dnt_study dnt_study_rl = {
    .name = "rl",
    .summary = "train DQN / DDPG / TD3 on CartPole-v1, Pendulum-v1 or a chain MDP",
    .usage = "Trains an agent of the RL layer on a built-in task (CartPole-v1 and Pendulum-v1\n"
             "with Gymnasium's dynamics, or a chain MDP), keeps the parameters of the best\n"
             "periodic evaluation, then reports the mean return over rl.final_episodes (100)\n"
             "fresh evaluation episodes. CartPole-v1 is solved at >= 475, Pendulum-v1 is well\n"
             "controlled above -200. --algo: dqn for cartpole and chain, ddpg or td3 for\n"
             "pendulum (default auto). Writes summary.json (mean_return, ...), curve.csv,\n"
             "curve.svg/png, policy.ckpt, config.json and dnt.db into the result folder, and\n"
             "checkpoint.state every rl.checkpoint_every steps and at a stop: --resume\n"
             "continues from it to the numbers of an uninterrupted run.\n",
    .rows = rows,
    .n_rows = sizeof rows / sizeof rows[0],
    .config_size = sizeof(dnt_study_rl_config),
    .quick = "{\"rl\": {\"steps\": 5000, \"eval_every\": 500, \"final_episodes\": 10}}",
    .aliases = aliases,
    .n_aliases = sizeof aliases / sizeof aliases[0],
    .headline = headline,
    .main_job = 0,
    .resumable = 1,
    .check = check_thunk,
    .run = run_thunk,
};

const char *dnt_study_rl_algo(const dnt_study_rl_config *cfg) {
  if (strcmp(cfg->algo, "auto")) return cfg->algo;
  return strcmp(cfg->env, "pendulum") ? "dqn" : "td3";
}

/* The budget of each task when rl.steps, rl.eval_every, rl.eval_episodes are
 * 0, and where its selection stops (CartPole: its maximum, 500). Settings
 * that solve each task within minutes on 2 cores (docs/RL.md). */
static const rl_task_budget budgets[] = {
    {"cartpole", 150000, 2500, 20, 500.0},
    {"pendulum", 30000, 2000, 10, INFINITY},
    {"chain", 10000, 1000, 5, INFINITY},
};

rl_task_budget rl_budget(const dnt_study_rl_config *cfg) {
  rl_task_budget b = budgets[0];
  for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++)
    if (!strcmp(budgets[i].env, cfg->env)) b = budgets[i];
  if (cfg->steps) b.steps = cfg->steps;
  if (cfg->eval_every) b.eval_every = cfg->eval_every;
  if (cfg->eval_episodes) b.eval_episodes = cfg->eval_episodes;
  return b;
}

/* Copies the hidden widths of list `key` (1..DNT_RL_MAX_HIDDEN integers). */
static int hidden_from(const dnt_config_reals *h, const char *key, int *n, int *hidden) {
  if (h->n < 1 || h->n > DNT_RL_MAX_HIDDEN)
    return dnt_error(DNT_ERR_CONFIG, "rl config: key '%s' has %zu values: expected 1 to %d widths",
                     key, h->n, DNT_RL_MAX_HIDDEN);
  for (size_t k = 0; k < h->n; k++) {
    if (h->v[k] != (int)h->v[k])
      return dnt_error(DNT_ERR_CONFIG, "rl config: key '%s' value %g: expected an integer width",
                       key, h->v[k]);
    hidden[k] = (int)h->v[k];
  }
  *n = (int)h->n;
  return 0;
}

int dnt_study_rl_dqn_config(const dnt_study_rl_config *cfg, dnt_dqn_config *c) {
  dnt_dqn_config_default(c);
  int rc = hidden_from(&cfg->dqn_hidden, "dqn.hidden", &c->n_hidden, c->hidden);
  if (rc) return rc;
  c->dueling = cfg->dqn_dueling;
  c->double_dqn = cfg->dqn_double;
  c->lr = (float)cfg->dqn_lr;
  c->gamma = (float)cfg->dqn_gamma;
  c->batch = (int)cfg->dqn_batch;
  c->buffer = (int)cfg->dqn_buffer;
  c->learning_starts = (int)cfg->dqn_learning_starts;
  c->train_freq = (int)cfg->dqn_train_freq;
  c->gradient_steps = (int)cfg->dqn_gradient_steps;
  c->target_update = (int)cfg->dqn_target_update;
  c->tau = (float)cfg->dqn_tau;
  c->huber_delta = (float)cfg->dqn_huber_delta;
  c->max_grad_norm = (float)cfg->dqn_max_grad_norm;
  c->eps_decay = strcmp(cfg->dqn_eps_decay, "exp") ? DNT_EPS_LINEAR : DNT_EPS_EXP;
  c->eps_start = (float)cfg->dqn_eps_start;
  c->eps_end = (float)cfg->dqn_eps_end;
  c->eps_steps = (int)cfg->dqn_eps_steps;
  c->prioritized = cfg->dqn_prioritized;
  c->per_alpha = (float)cfg->dqn_per_alpha;
  c->per_beta0 = (float)cfg->dqn_per_beta0;
  c->per_beta_steps = (int)cfg->dqn_per_beta_steps;
  c->cmdp_update_every = (int)cfg->cmdp_update_every;
  return dnt_dqn_config_check(c);
}

int dnt_study_rl_td3_config(const dnt_study_rl_config *cfg, dnt_td3_config *c) {
  dnt_td3_config_default(c);
  int rc = hidden_from(&cfg->td3_hidden, "td3.hidden", &c->n_hidden, c->hidden);
  if (rc) return rc;
  c->actor_lr = (float)cfg->td3_actor_lr;
  c->critic_lr = (float)cfg->td3_critic_lr;
  c->gamma = (float)cfg->td3_gamma;
  c->tau = (float)cfg->td3_tau;
  c->batch = (int)cfg->td3_batch;
  c->buffer = (int)cfg->td3_buffer;
  c->learning_starts = (int)cfg->td3_learning_starts;
  c->train_freq = (int)cfg->td3_train_freq;
  c->gradient_steps = (int)cfg->td3_gradient_steps;
  c->policy_delay = (int)cfg->td3_policy_delay;
  c->explore_noise = (float)cfg->td3_explore_noise;
  c->target_noise = (float)cfg->td3_target_noise;
  c->noise_clip = (float)cfg->td3_noise_clip;
  c->cmdp_update_every = (int)cfg->cmdp_update_every;
  if (!strcmp(dnt_study_rl_algo(cfg), "ddpg")) {
    /* what makes it DDPG (dnt_ddpg_config_default), whatever td3.* says */
    c->twin_critics = 0;
    c->policy_delay = 1;
    c->target_noise = 0.0f;
  }
  return dnt_td3_config_check(c);
}

int dnt_study_rl_check(const dnt_study_rl_config *cfg) {
  const dnt_env_ops *ops = dnt_env_builtin(cfg->env);
  if (!ops)
    return dnt_error(DNT_ERR_CONFIG, "rl config: key 'rl.env' = '%s': unknown task", cfg->env);
  const char *algo = dnt_study_rl_algo(cfg);
  int discrete = strcmp(cfg->env, "pendulum") != 0, dqn = !strcmp(algo, "dqn");
  if (dqn != discrete)
    return dnt_error(
        DNT_ERR_CONFIG, "rl config: key 'rl.algo' = '%s': task '%s' has %s actions: expected %s",
        algo, cfg->env, discrete ? "discrete" : "continuous", discrete ? "dqn" : "ddpg or td3");
  int n_costs = !strcmp(cfg->env, "cartpole"); /* CartPole's one cost; the others have none */
  if (cfg->cmdp_thresholds.n && (int)cfg->cmdp_thresholds.n != n_costs)
    return dnt_error(DNT_ERR_CONFIG,
                     "rl config: key 'cmdp.thresholds' has %zu values: task '%s' returns %d costs",
                     cfg->cmdp_thresholds.n, cfg->env, n_costs);
  if (cfg->shield_x > 0 && strcmp(cfg->env, "cartpole"))
    return dnt_error(DNT_ERR_CONFIG,
                     "rl config: key 'rl.shield_x' = '%g': the shield is CartPole's, not '%s'",
                     cfg->shield_x, cfg->env);
  dnt_dqn_config d;
  dnt_td3_config t;
  return dqn ? dnt_study_rl_dqn_config(cfg, &d) : dnt_study_rl_td3_config(cfg, &t);
}
