/* src/rl/task_run.c: the training, selection and evaluation loop of `dnt rl`
 * on a built-in task, and its outputs (dnt/rl_task.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/csv.h"
#include "dnt/envs.h"
#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/log.h"
#include "dnt/progress.h"
#include "dnt/rl_task.h"
#include "dnt/status.h"
#include "dnt/vec.h"

#define EVAL_ENVS 10 /* instances used by every evaluation */
#define RECENT 100   /* training episodes in the running mean */
#define MAX_COLS (7 + 2 * DNT_EVAL_MAX_COSTS)

/* The seed of an evaluation's environments: the first draw of stream
 * (kind, index) of the run's seed (selection evaluation k: SELECTION k; the
 * final evaluation: EVAL 0). */
static uint64_t eval_seed(uint64_t seed, dnt_stream_kind kind, uint64_t index) {
  dnt_rng r;
  dnt_rng_for(&r, seed, kind, index);
  return dnt_rng_u64(&r);
}

/* One of the two agents behind a common face. */
typedef struct agent {
  dnt_dqn *dqn;
  dnt_td3 *td3;
} agent;

static int64_t agent_steps(const agent *a) {
  return a->dqn ? a->dqn->steps : a->td3->steps;
}
static int agent_step(agent *a) {
  return a->dqn ? dnt_dqn_step(a->dqn) : dnt_td3_step(a->td3);
}
static float *agent_params(agent *a, size_t *n) {
  return a->dqn ? dnt_dqn_params(a->dqn, n) : dnt_td3_params(a->td3, n);
}
static void agent_sync_target(agent *a) {
  if (a->dqn)
    dnt_dqn_sync_target(a->dqn);
  else
    dnt_td3_sync_target(a->td3);
}
static dnt_policy agent_policy(agent *a) {
  return a->dqn ? dnt_dqn_policy(a->dqn) : dnt_td3_policy(a->td3);
}
static int agent_save(const agent *a, const char *path) {
  return a->dqn ? dnt_dqn_save(a->dqn, path) : dnt_td3_save(a->td3, path);
}
static double agent_loss(const agent *a) {
  return a->dqn ? a->dqn->loss : a->td3->critic_loss;
}
static double agent_explore(const agent *a) {
  return a->dqn ? a->dqn->epsilon : a->td3->cfg.explore_noise;
}
static void agent_destroy(agent *a) {
  dnt_dqn_destroy(a->dqn);
  dnt_td3_destroy(a->td3);
}

/* Everything one run holds, freed in one place. */
typedef struct task {
  const dnt_env_ops *ops;
  union {
    dnt_cartpole_cfg cartpole;
    dnt_chain_cfg chain;
  } envcfg;
  const void *envcfg_ptr;
  dnt_vecenv env;
  int env_ready;
  dnt_cmdp cmdp;
  int constrained;
  agent ag;
  float *best; /* (n_params) parameters of the best selection evaluation */
  double recent[RECENT];
  int64_t n_recent;
  dnt_afile *curve;
} task;

static void task_free(task *t) {
  agent_destroy(&t->ag);
  if (t->constrained) dnt_cmdp_free(&t->cmdp);
  if (t->env_ready) dnt_vecenv_free(&t->env);
  if (t->curve) dnt_afile_abort(t->curve);
  free(t->best);
}

static int setup(task *t, const dnt_config *cfg, uint64_t seed, dnt_rl_result *res) {
  const char *env = dnt_config_string(cfg, "rl.env"), *algo = dnt_config_string(cfg, "rl.algo");
  snprintf(res->env, sizeof res->env, "%s", env);
  snprintf(res->algo, sizeof res->algo, "%s", algo);
  t->ops = dnt_env_builtin(env);
  if (!t->ops) return dnt_error(DNT_ERR_CONFIG, "config: key 'rl.env' = '%s': unknown task", env);
  if (!strcmp(env, "cartpole")) {
    t->envcfg.cartpole.cost_x = dnt_config_real(cfg, "rl.cartpole_cost_x");
    t->envcfg_ptr = &t->envcfg.cartpole;
  } else if (!strcmp(env, "chain")) {
    dnt_chain_cfg c = {(int)dnt_config_int(cfg, "rl.chain_length"), -0.01f, 1.0f, 0};
    t->envcfg.chain = c;
    t->envcfg_ptr = &t->envcfg.chain;
  }
  int n_envs = (int)dnt_config_int(cfg, "rl.n_envs");
  int rc = dnt_vecenv_init(&t->env, t->ops, t->envcfg_ptr, n_envs, seed);
  if (rc) return rc;
  t->env_ready = 1;
  const dnt_env_spec *s = &t->env.spec;
  res->task = s->name;
  res->solve_threshold =
      !strcmp(env, "cartpole") ? 475.0
      : !strcmp(env, "pendulum")
          ? -200.0
          : t->envcfg.chain.goal_reward +
                (float)(t->envcfg.chain.length - 2) * t->envcfg.chain.step_reward - 1e-4;
  int dqn = !strcmp(algo, "dqn");
  if (dqn != (s->n_actions > 0))
    return dnt_error(
        DNT_ERR_CONFIG, "config: key 'rl.algo' = '%s': task '%s' has %s actions: expected %s", algo,
        env, s->n_actions ? "discrete" : "continuous", s->n_actions ? "dqn" : "ddpg or td3");
  size_t n_thr;
  const double *thr = dnt_config_list(cfg, "cmdp.thresholds", &n_thr);
  if (n_thr && (int)n_thr != s->n_costs)
    return dnt_error(DNT_ERR_CONFIG,
                     "config: key 'cmdp.thresholds' has %zu values: task '%s' returns %d costs",
                     n_thr, env, s->n_costs);
  if (n_thr) {
    int pid = !strcmp(dnt_config_string(cfg, "cmdp.kind"), "pid");
    rc = dnt_cmdp_init(&t->cmdp, (int)n_thr, thr, pid ? DNT_LAGRANGE_PID : DNT_LAGRANGE_DUAL,
                       dnt_config_real(cfg, "cmdp.lr"), dnt_config_real(cfg, "cmdp.kp"),
                       dnt_config_real(cfg, "cmdp.ki"), dnt_config_real(cfg, "cmdp.kd"),
                       dnt_config_real(cfg, "cmdp.lambda_max"));
    if (rc) return rc;
    t->constrained = 1;
  }
  dnt_cmdp *cm = t->constrained ? &t->cmdp : NULL;
  if (dqn) {
    dnt_dqn_config c;
    if ((rc = dnt_rl_dqn_config(cfg, &c))) return rc;
    rc = dnt_dqn_create(&c, &t->env, NULL, cm, seed, &t->ag.dqn);
  } else {
    dnt_td3_config c;
    if ((rc = dnt_rl_td3_config(cfg, &c))) return rc;
    rc = dnt_td3_create(&c, &t->env, NULL, cm, seed, &t->ag.td3);
  }
  if (rc) return rc;
  size_t n;
  agent_params(&t->ag, &n);
  t->best = malloc(n * sizeof(float));
  return t->best ? 0 : dnt_error(DNT_ERR_NOMEM, "rl: %zu parameters", n);
}

static int open_curve(task *t, dnt_run *run) {
  char path[1024];
  int rc = dnt_run_path(run, "curve.csv", path, sizeof path);
  if (rc || (rc = dnt_afile_open(path, &t->curve))) return rc;
  const char *names[MAX_COLS] = {"step",     "episodes", "train_return", "eval_return",
                                 "eval_std", "loss",     "explore"};
  static const char *lam[] = {"lambda_0", "lambda_1", "lambda_2", "lambda_3",
                              "lambda_4", "lambda_5", "lambda_6", "lambda_7"};
  static const char *cost[] = {"cost_0", "cost_1", "cost_2", "cost_3",
                               "cost_4", "cost_5", "cost_6", "cost_7"};
  int nc = t->constrained ? t->cmdp.n : 0, k = 7;
  if (nc > DNT_EVAL_MAX_COSTS) nc = DNT_EVAL_MAX_COSTS;
  for (int i = 0; i < nc; i++) {
    names[k++] = lam[i];
    names[k++] = cost[i];
  }
  dnt_csv_write_header(dnt_afile_stream(t->curve), names, (size_t)k);
  return 0;
}

/* One selection evaluation: a curve row, run metrics, best parameters. */
static int evaluate_and_log(task *t, int episodes, uint64_t eval_seed, dnt_run *run,
                            dnt_rl_result *res, double *eval_mean) {
  dnt_policy p = agent_policy(&t->ag);
  dnt_eval_result r;
  int rc = dnt_policy_evaluate(&p, t->ops, t->envcfg_ptr, EVAL_ENVS, episodes, eval_seed, NULL, &r);
  if (rc) return rc;
  int64_t step = agent_steps(&t->ag);
  int64_t m = t->n_recent < RECENT ? t->n_recent : RECENT;
  double train = 0;
  for (int64_t i = 0; i < m; i++)
    train += t->recent[i];
  train = m ? train / (double)m : NAN;
  double row[MAX_COLS] = {(double)step,         (double)res->episodes, train,
                          r.mean_return,        r.std_return,          agent_loss(&t->ag),
                          agent_explore(&t->ag)};
  int k = 7;
  for (int i = 0; t->constrained && i < t->cmdp.n && i < DNT_EVAL_MAX_COSTS; i++) {
    row[k++] = t->cmdp.lambda[i];
    row[k++] = t->cmdp.last_j[i];
  }
  if (t->curve) dnt_csv_write_row(dnt_afile_stream(t->curve), row, (size_t)k);
  if (run) {
    static const char *names[] = {"step",     "episodes", "train_return", "eval_return",
                                  "eval_std", "loss",     "explore"};
    for (int i = 2; i < 7; i++)
      if (isfinite(row[i]) && (rc = dnt_run_metric(run, names[i], step, row[i]))) return rc;
    for (int i = 0; t->constrained && i < t->cmdp.n; i++) {
      char name[32];
      snprintf(name, sizeof name, "lambda_%d", i);
      if ((rc = dnt_run_metric(run, name, step, t->cmdp.lambda[i]))) return rc;
    }
    if ((rc = dnt_run_commit(run))) return rc;
  }
  if (r.mean_return > res->best_eval || res->best_step < 0) {
    size_t n;
    float *params = agent_params(&t->ag, &n);
    dnt_vec_copy(t->best, params, n);
    res->best_eval = r.mean_return;
    res->best_step = step;
  }
  DNT_INFO("rl: step %lld: eval %.2f +- %.2f, training episodes %.2f, best %.2f", (long long)step,
           r.mean_return, r.std_return, train, res->best_eval);
  *eval_mean = r.mean_return;
  return 0;
}

static int write_outputs(task *t, dnt_run *run, const dnt_rl_result *res) {
  char path[1024];
  int rc = dnt_run_path(run, "policy.ckpt", path, sizeof path);
  if (rc || (rc = agent_save(&t->ag, path))) return rc;
  rc = dnt_afile_commit(t->curve);
  t->curve = NULL;
  if (rc) return rc;
  const char *ys[] = {"train_return", "eval_return"};
  char title[128];
  snprintf(title, sizeof title, "%s on %s", res->algo, res->task);
  dnt_figure_text text = {title, "environment steps", "episode return", 0};
  if ((rc = dnt_figure_lines(dnt_run_dir(run), "curve", "curve.csv", "step", ys, 2, &text)))
    return rc;
  const dnt_eval_result *f = &res->final;
  struct {
    const char *name;
    double v;
  } nums[] = {{"mean_return", f->mean_return},
              {"std_return", f->std_return},
              {"min_return", f->min_return},
              {"max_return", f->max_return},
              {"mean_length", f->mean_length},
              {"eval_episodes", f->episodes},
              {"best_eval_return", res->best_eval},
              {"best_step", (double)res->best_step},
              {"steps", (double)res->steps},
              {"episodes", (double)res->episodes},
              {"train_seconds", res->train_seconds},
              {"steps_per_second", (double)res->steps / fmax(res->train_seconds, 1e-9)},
              {"solve_threshold", res->solve_threshold},
              {"solved", res->solved}};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
    if ((rc = dnt_run_summary_number(run, nums[i].name, nums[i].v))) return rc;
  for (int i = 0; t->constrained && i < t->cmdp.n && i < DNT_EVAL_MAX_COSTS; i++) {
    char name[32];
    snprintf(name, sizeof name, "lambda_%d", i);
    if ((rc = dnt_run_summary_number(run, name, t->cmdp.lambda[i]))) return rc;
    snprintf(name, sizeof name, "episode_cost_%d", i);
    if ((rc = dnt_run_summary_number(run, name, f->mean_cost[i]))) return rc;
  }
  if ((rc = dnt_run_summary_string(run, "env", res->env)) ||
      (rc = dnt_run_summary_string(run, "algo", res->algo)) ||
      (rc = dnt_run_summary_string(run, "task", res->task)))
    return rc;
  return 0;
}

int dnt_rl_run(const dnt_config *cfg, uint64_t seed, int quick, dnt_run *run, dnt_rl_result *res) {
  memset(res, 0, sizeof *res);
  res->best_step = -1;
  task t;
  memset(&t, 0, sizeof t);
  int rc = setup(&t, cfg, seed, res);
  if (rc) goto done;
  if (run && (rc = open_curve(&t, run))) goto done;
  int64_t total = dnt_config_int(cfg, "rl.steps");
  int64_t every = dnt_config_int(cfg, "rl.eval_every");
  int eval_eps = (int)dnt_config_int(cfg, "rl.eval_episodes");
  int final_eps = (int)dnt_config_int(cfg, "rl.final_episodes");
  double stop = dnt_config_real(cfg, "rl.stop_return");
  if (quick) {
    total = total / 10 > 0 ? total / 10 : 1;
    every = every / 10 > 0 ? every / 10 : 1;
    final_eps = final_eps < 10 ? final_eps : 10;
  }
  dnt_progress prog;
  dnt_progress_init(&prog, "rl", (uint64_t)total);
  double t0 = dnt_now();
  int64_t next_eval = every;
  uint64_t n_evals = 0;
  for (;;) {
    if ((rc = agent_step(&t.ag))) goto done;
    int64_t steps = agent_steps(&t.ag);
    for (int i = 0; i < t.env.n; i++)
      if (dnt_vecenv_done(&t.env, i)) {
        t.recent[t.n_recent++ % RECENT] = t.env.last_return[i];
        res->episodes++;
      }
    dnt_progress_update(&prog, (uint64_t)(steps < total ? steps : total));
    if (steps < next_eval && steps < total) continue;
    double mean;
    if ((rc = evaluate_and_log(&t, eval_eps, eval_seed(seed, DNT_STREAM_SELECTION, n_evals++), run,
                               res, &mean)))
      goto done;
    next_eval += every;
    if (steps >= total || mean >= stop) break;
  }
  dnt_progress_finish(&prog);
  res->steps = agent_steps(&t.ag);
  res->train_seconds = dnt_now() - t0;
  if (dnt_config_bool(cfg, "rl.keep_best")) {
    size_t n;
    float *params = agent_params(&t.ag, &n);
    dnt_vec_copy(params, t.best, n);
    agent_sync_target(&t.ag);
  }
  dnt_policy p = agent_policy(&t.ag);
  if ((rc = dnt_policy_evaluate(&p, t.ops, t.envcfg_ptr, EVAL_ENVS, final_eps,
                                eval_seed(seed, DNT_STREAM_EVAL, 0), NULL, &res->final)))
    goto done;
  res->solved = res->final.mean_return >= res->solve_threshold;
  if (run) rc = write_outputs(&t, run, res);
done:
  task_free(&t);
  return rc;
}
