/* src/studies/rl_run.c: the training, selection and evaluation loop of the
 * RL study on a built-in task, its optional CartPole shield, its checkpoints
 * for --resume, and its outputs (dnt/study_rl.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnt/csv.h"
#include "dnt/envs.h"
#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/interrupt.h"
#include "dnt/log.h"
#include "dnt/progress.h"
#include "dnt/status.h"
#include "dnt/vec.h"
#include "rl_study.h"

#define EVAL_ENVS 10 /* instances used by every evaluation */
#define RECENT 100   /* training episodes in the running mean */
#define MAX_COLS (7 + 2 * DNT_EVAL_MAX_COSTS)

/* What the run reports besides the files. */
typedef struct rl_result {
  const char *env, *algo;
  const char *task;        /* Gymnasium id or "Chain" */
  int64_t steps, episodes; /* env steps taken, training episodes finished */
  double train_seconds;    /* of this process (a resumed run: since the resume) */
  int64_t steps_run;       /* env steps this process took */
  double best_eval;        /* best selection evaluation */
  int64_t best_step;       /* step of that evaluation */
  dnt_eval_result final;   /* the final evaluation */
  double solve_threshold;  /* CartPole 475, Pendulum -200, Chain its optimum */
  int solved;              /* final.mean_return >= solve_threshold */
} rl_result;

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
  FILE *curve;             /* curve.csv, flushed after every row (cut back on resume) */
  double shield_x;         /* the CartPole shield's bound on |x| */
  dnt_intervention shield; /* used when shield_x > 0 */
  dnt_hooks hooks;         /* [shield] */
  dnt_hooks *hooks_ptr;    /* &hooks with a shield, else NULL */
} task;

static void task_free(task *t) {
  agent_destroy(&t->ag);
  if (t->constrained) dnt_cmdp_free(&t->cmdp);
  if (t->env_ready) dnt_vecenv_free(&t->env);
  if (t->curve) fclose(t->curve);
  free(t->best);
}

/* The shield (a recoverability check): action a is safe when, after it, the
 * brake (push against the cart's velocity) keeps the cart within |x| <=
 * shield_x for SHIELD_HORIZON more steps (dnt_cartpole_predict, the task's
 * own dynamics); the backup is the brake. Near the bound at speed not even
 * braking at once holds it: the backup is then flagged too and the step
 * counted as unsafe (dnt/intervention.h). Cost: SHIELD_HORIZON + 1
 * predictions per check. */
#define SHIELD_HORIZON 25 /* 0.5 s of CartPole time */

static int brake(const dnt_cartpole *c) {
  return c->x_dot > 0 ? 0 : 1;
}

static int cartpole_safe(void *user, const dnt_vecenv *env, int i, const float *obs, int a,
                         const float *u, int *safe) {
  const task *t = user;
  dnt_cartpole s;
  dnt_cartpole_predict(env->inst[i], a, &s);
  *safe = fabs(s.x) <= t->shield_x;
  for (int h = 0; h < SHIELD_HORIZON && *safe; h++) {
    dnt_cartpole_predict(&s, brake(&s), &s);
    *safe = fabs(s.x) <= t->shield_x;
  }
  return 0;
}

static int cartpole_backup(void *user, const dnt_vecenv *env, int i, const float *obs, int *a,
                           float *u) {
  *a = brake(env->inst[i]);
  return 0;
}

static int setup(task *t, const dnt_study_rl_config *cfg, uint64_t seed, rl_result *res) {
  res->env = cfg->env;
  res->algo = dnt_study_rl_algo(cfg);
  t->ops = dnt_env_builtin(cfg->env);
  if (!strcmp(cfg->env, "cartpole")) {
    t->envcfg.cartpole.cost_x = cfg->cartpole_cost_x;
    t->envcfg_ptr = &t->envcfg.cartpole;
  } else if (!strcmp(cfg->env, "chain")) {
    dnt_chain_cfg c = {(int)cfg->chain_length, -0.01f, 1.0f, 0};
    t->envcfg.chain = c;
    t->envcfg_ptr = &t->envcfg.chain;
  }
  int rc = dnt_vecenv_init(&t->env, t->ops, t->envcfg_ptr, (int)cfg->n_envs, seed);
  if (rc) return rc;
  t->env_ready = 1;
  res->task = t->env.spec.name;
  res->solve_threshold =
      !strcmp(cfg->env, "cartpole") ? 475.0
      : !strcmp(cfg->env, "pendulum")
          ? -200.0
          : t->envcfg.chain.goal_reward +
                (float)(t->envcfg.chain.length - 2) * t->envcfg.chain.step_reward - 1e-4;
  if (cfg->shield_x > 0) {
    t->shield_x = cfg->shield_x;
    t->shield = dnt_intervention_shield("cartpole-x", cartpole_safe, cartpole_backup, t, 0.0f,
                                        DNT_SHIELD_LEARN_EXECUTED);
    dnt_hooks_init(&t->hooks);
    if ((rc = dnt_hooks_add(&t->hooks, &t->shield))) return rc;
    t->hooks_ptr = &t->hooks;
  }
  if (cfg->cmdp_thresholds.n) {
    int pid = !strcmp(cfg->cmdp_kind, "pid");
    rc = dnt_cmdp_init(&t->cmdp, (int)cfg->cmdp_thresholds.n, cfg->cmdp_thresholds.v,
                       pid ? DNT_LAGRANGE_PID : DNT_LAGRANGE_DUAL, cfg->cmdp_lr, cfg->cmdp_kp,
                       cfg->cmdp_ki, cfg->cmdp_kd, cfg->cmdp_lambda_max);
    if (rc) return rc;
    t->constrained = 1;
  }
  dnt_cmdp *cm = t->constrained ? &t->cmdp : NULL;
  if (!strcmp(res->algo, "dqn")) {
    dnt_dqn_config c;
    if ((rc = dnt_study_rl_dqn_config(cfg, &c))) return rc;
    rc = dnt_dqn_create(&c, &t->env, t->hooks_ptr, cm, seed, &t->ag.dqn);
  } else {
    dnt_td3_config c;
    if ((rc = dnt_study_rl_td3_config(cfg, &c))) return rc;
    rc = dnt_td3_create(&c, &t->env, t->hooks_ptr, cm, seed, &t->ag.td3);
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
  if (rc) return rc;
  if (!(t->curve = fopen(path, "w")))
    return dnt_error(DNT_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
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
  dnt_csv_write_header(t->curve, names, (size_t)k);
  return 0;
}

/* One selection evaluation: a curve row, run metrics, best parameters. */
/* The confirmation of selection evaluation k draws from stream SELECTION
 * CONFIRM + k, apart from the evaluations' own SELECTION k. */
#define CONFIRM (UINT64_C(1) << 32)

/* Selection evaluation k (stream SELECTION k of `seed`) on b->eval_episodes
 * episodes. When it reaches b->stop_return and `confirm` > 0, `confirm`
 * more episodes (stream SELECTION CONFIRM + k) confirm it: the candidate's
 * score is then the mean over both, so that training stops, and parameters
 * are kept, only for a policy that holds on the larger sample (20 perfect
 * CartPole episodes did not make 100 fresh ones perfect). Writes a curve row
 * and the run metrics, keeps the parameters of the best score, and returns
 * the score in *score. */
static int evaluate_and_log(task *t, const rl_task_budget *b, int confirm, uint64_t seed,
                            uint64_t k, dnt_run *run, rl_result *res, double *score) {
  dnt_policy p = agent_policy(&t->ag);
  dnt_eval_result r, c;
  int rc = dnt_policy_evaluate(&p, t->ops, t->envcfg_ptr, EVAL_ENVS, (int)b->eval_episodes,
                               eval_seed(seed, DNT_STREAM_SELECTION, k), t->hooks_ptr, &r);
  if (rc) return rc;
  *score = r.mean_return;
  if (confirm > 0 && r.mean_return >= b->stop_return) {
    rc = dnt_policy_evaluate(&p, t->ops, t->envcfg_ptr, EVAL_ENVS, confirm,
                             eval_seed(seed, DNT_STREAM_SELECTION, CONFIRM + k), t->hooks_ptr, &c);
    if (rc) return rc;
    *score = (r.mean_return * r.episodes + c.mean_return * c.episodes) / (r.episodes + c.episodes);
    DNT_INFO("rl: confirmation on %d episodes: %.2f +- %.2f (min %.0f)", c.episodes, c.mean_return,
             c.std_return, c.min_return);
  }
  int64_t step = agent_steps(&t->ag);
  int64_t m = t->n_recent < RECENT ? t->n_recent : RECENT;
  double train = 0;
  for (int64_t i = 0; i < m; i++)
    train += t->recent[i];
  train = m ? train / (double)m : NAN;
  double row[MAX_COLS] = {(double)step,         (double)res->episodes, train,
                          r.mean_return,        r.std_return,          agent_loss(&t->ag),
                          agent_explore(&t->ag)};
  int cols = 7;
  for (int i = 0; t->constrained && i < t->cmdp.n && i < DNT_EVAL_MAX_COSTS; i++) {
    row[cols++] = t->cmdp.lambda[i];
    row[cols++] = t->cmdp.last_j[i];
  }
  if (t->curve) {
    dnt_csv_write_row(t->curve, row, (size_t)cols);
    fflush(t->curve); /* a killed run leaves whole rows, or one torn last row */
  }
  {
    static const char *names[] = {"step",     "episodes", "train_return", "eval_return",
                                  "eval_std", "loss",     "explore"};
    for (int i = 2; i < 7; i++)
      if (isfinite(row[i]) && (rc = dnt_run_metric(run, names[i], step, row[i]))) return rc;
    for (int i = 0; t->constrained && i < t->cmdp.n; i++) {
      char name[32];
      snprintf(name, sizeof name, "lambda_%d", i);
      if ((rc = dnt_run_metric(run, name, step, t->cmdp.lambda[i]))) return rc;
    }
    if (*score != r.mean_return && (rc = dnt_run_metric(run, "confirmed_return", step, *score)))
      return rc;
    if ((rc = dnt_run_commit(run))) return rc;
  }
  if (*score > res->best_eval || res->best_step < 0) {
    size_t n;
    float *params = agent_params(&t->ag, &n);
    dnt_vec_copy(t->best, params, n);
    res->best_eval = *score;
    res->best_step = step;
  }
  DNT_INFO("rl: step %lld: eval %.2f +- %.2f, training episodes %.2f, best %.2f", (long long)step,
           r.mean_return, r.std_return, train, res->best_eval);
  return 0;
}

/* ---- checkpoints for --resume ----
 * checkpoint.state is written at a step boundary, after that step's
 * evaluation and its metrics were committed: at step 0, every
 * rl.checkpoint_every env steps, at a stop request and when training ends.
 * It holds the loop (next evaluation and checkpoint, evaluations done,
 * whether training has ended), the training episodes and their running
 * window, the best score, its step and parameters, curve.csv's length, and
 * the env, shield counts, CMDP and agent (their save functions, dnt/state.h).
 * Nothing in it depends on time, so two runs of one config write the same
 * bytes at the same step. A resume loads it into the objects setup() made
 * from the config, cuts curve.csv back to that length (a torn last row goes)
 * and deletes the metrics logged after its step (dnt_run_resume_metrics), so
 * the finished folder equals an uninterrupted run's. */
#define CHECKPOINT "checkpoint.state"

typedef struct loop_state {
  int64_t next_eval, next_ckpt; /* env steps of the next evaluation and checkpoint */
  int64_t n_evals;              /* selection evaluations done */
  int64_t finished;             /* 1 once training has ended */
} loop_state;

/* What a checkpoint is of: a state of another task, algorithm, env count or
 * network size is refused by dnt_unpack_open naming both. */
static void state_desc(task *t, const rl_result *res, char *buf, size_t len) {
  size_t n;
  agent_params(&t->ag, &n);
  snprintf(buf, len, "dnt rl: env %s, algo %s, %d instances, %zu parameters", res->env, res->algo,
           t->env.n, n);
}

/* Everything but the env and agent, in one order for save and load. */
static void pack_loop(dnt_pack *p, const task *t, const rl_result *res, const loop_state *l,
                      int64_t curve_bytes, size_t n_params) {
  dnt_pack_tag(p, "rl study");
  int64_t v[] = {l->next_eval,  l->next_ckpt,   l->n_evals,  l->finished,
                 res->episodes, res->best_step, t->n_recent, curve_bytes};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
    dnt_pack_i64(p, v[k]);
  dnt_pack_f64(p, res->best_eval);
  dnt_pack_f64s(p, t->recent, RECENT);
  dnt_pack_f32s(p, t->best, n_params);
}

static int unpack_loop(dnt_unpack *u, task *t, rl_result *res, loop_state *l, int64_t *curve_bytes,
                       size_t n_params) {
  dnt_unpack_tag(u, "rl study");
  int64_t *v[] = {&l->next_eval,  &l->next_ckpt,   &l->n_evals,  &l->finished,
                  &res->episodes, &res->best_step, &t->n_recent, curve_bytes};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
    dnt_unpack_i64(u, v[k]);
  dnt_unpack_f64(u, &res->best_eval);
  dnt_unpack_f64s(u, "recent", t->recent, RECENT);
  return dnt_unpack_f32s(u, "best", t->best, n_params);
}

static int save_checkpoint(task *t, const rl_result *res, const loop_state *l, dnt_run *run) {
  char path[1024], desc[256];
  int rc = dnt_run_path(run, CHECKPOINT, path, sizeof path);
  if (rc) return rc;
  /* the rows the checkpoint counts are on disk before it is */
  long bytes = -1;
  if (fflush(t->curve) || fsync(fileno(t->curve)) || (bytes = ftell(t->curve)) < 0)
    return dnt_error(DNT_ERR_IO, "%s/curve.csv: %s", dnt_run_dir(run), strerror(errno));
  size_t n;
  agent_params(&t->ag, &n);
  dnt_pack p;
  dnt_pack_init(&p);
  pack_loop(&p, t, res, l, bytes, n);
  dnt_vecenv_save(&t->env, &p);
  dnt_hooks_save(t->hooks_ptr, &p);
  if (t->constrained) dnt_cmdp_save(&t->cmdp, &p);
  if (t->ag.dqn)
    dnt_dqn_save_state(t->ag.dqn, &p);
  else
    dnt_td3_save_state(t->ag.td3, &p);
  state_desc(t, res, desc, sizeof desc);
  rc = dnt_pack_save(&p, path, desc);
  dnt_pack_free(&p);
  return rc;
}

/* The loop's values as the loop keeps them (a crafted state must not index
 * the running window out of range or spin the checkpoint schedule). */
static int check_loop(dnt_unpack *u, const task *t, const rl_result *res, const loop_state *l,
                      int64_t steps, int64_t every, int64_t curve_bytes) {
  const int64_t big = INT64_MAX / 2;
  dnt_unpack_range(u, "n_recent", t->n_recent, 0, big);
  dnt_unpack_range(u, "n_evals", l->n_evals, 0, big);
  dnt_unpack_range(u, "finished", l->finished, 0, 1);
  dnt_unpack_range(u, "episodes", res->episodes, 0, big);
  dnt_unpack_range(u, "best_step", res->best_step, -1, steps);
  dnt_unpack_range(u, "curve bytes", curve_bytes, 0, big);
  if (every == INT64_MAX) return dnt_unpack_range(u, "next_ckpt", l->next_ckpt, every, every);
  return dnt_unpack_range(u, "next_ckpt", l->next_ckpt, steps + 1, steps + every);
}

/* --resume: the objects of setup() continue from the folder's checkpoint. */
static int resume(task *t, rl_result *res, loop_state *l, int64_t every, dnt_run *run) {
  char path[1024], curve[1024], desc[256];
  int rc = dnt_run_path(run, CHECKPOINT, path, sizeof path);
  if (rc || (rc = dnt_run_path(run, "curve.csv", curve, sizeof curve))) return rc;
  if (!dnt_path_exists(path))
    return dnt_error(DNT_ERR_ARG,
                     "%s: cannot resume: no checkpoint (the run stopped before writing one)", path);
  state_desc(t, res, desc, sizeof desc);
  dnt_unpack u;
  if ((rc = dnt_unpack_open(&u, path, desc))) return rc;
  size_t n;
  agent_params(&t->ag, &n);
  int64_t bytes = 0;
  unpack_loop(&u, t, res, l, &bytes, n);
  dnt_vecenv_load(&t->env, &u);
  dnt_hooks_load(t->hooks_ptr, &u);
  if (t->constrained) dnt_cmdp_load(&t->cmdp, &u);
  if (t->ag.dqn)
    dnt_dqn_load_state(t->ag.dqn, &u);
  else
    dnt_td3_load_state(t->ag.td3, &u);
  check_loop(&u, t, res, l, agent_steps(&t->ag), every, bytes);
  rc = dnt_unpack_end(&u);
  dnt_unpack_free(&u);
  if (rc) return rc;
  struct stat st;
  if (stat(curve, &st) != 0 || (int64_t)st.st_size < bytes)
    return dnt_error(DNT_ERR_CORRUPT,
                     "%s: cannot resume: %lld bytes, the checkpoint at step %lld counts %lld",
                     curve, stat(curve, &st) ? -1LL : (long long)st.st_size,
                     (long long)agent_steps(&t->ag), (long long)bytes);
  if (truncate(curve, (off_t)bytes) != 0 || !(t->curve = fopen(curve, "r+")) ||
      fseek(t->curve, 0, SEEK_END) != 0)
    return dnt_error(DNT_ERR_IO, "%s: cannot cut back to %lld bytes: %s", curve, (long long)bytes,
                     strerror(errno));
  DNT_INFO("rl: resuming at step %lld from %s", (long long)agent_steps(&t->ag), path);
  return dnt_run_resume_metrics(run, agent_steps(&t->ag));
}

static int close_curve(task *t, dnt_run *run) {
  int bad = fflush(t->curve) || fsync(fileno(t->curve));
  bad = fclose(t->curve) || bad;
  t->curve = NULL;
  return bad ? dnt_error(DNT_ERR_IO, "%s/curve.csv: %s", dnt_run_dir(run), strerror(errno)) : 0;
}

/* The shield's counts of one phase ("train" or "eval") as summary metrics. */
static int write_shield(dnt_run *run, const char *phase, const dnt_hooks_counts *c) {
  struct {
    const char *name;
    double v;
  } nums[] = {{"shield_steps", (double)c->steps},
              {"interventions", (double)c->intervened},
              {"intervention_rate", c->steps ? (double)c->intervened / (double)c->steps : 0.0},
              {"unsafe", (double)c->unsafe}};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    char name[64];
    snprintf(name, sizeof name, "%s_%s", phase, nums[i].name);
    int rc = dnt_run_summary_number(run, name, nums[i].v);
    if (rc) return rc;
  }
  return 0;
}

static int write_outputs(task *t, dnt_run *run, const rl_result *res) {
  char path[1024];
  int rc = dnt_run_path(run, "policy.ckpt", path, sizeof path);
  if (rc || (rc = agent_save(&t->ag, path))) return rc;
  rc = close_curve(t, run);
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
              {"steps_per_second", (double)res->steps_run / fmax(res->train_seconds, 1e-9)},
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
  if (t->ag.td3 &&
      ((rc = dnt_run_summary_number(run, "policy_delay", t->ag.td3->cfg.policy_delay)) ||
       (rc = dnt_run_summary_number(run, "target_noise", t->ag.td3->cfg.target_noise))))
    return rc;
  if (t->hooks_ptr && ((rc = write_shield(run, "train", &t->hooks.count)) ||
                       (rc = write_shield(run, "eval", &f->shield))))
    return rc;
  if ((rc = dnt_run_summary_string(run, "env", res->env)) ||
      (rc = dnt_run_summary_string(run, "algo", res->algo)) ||
      (rc = dnt_run_summary_string(run, "task", res->task)))
    return rc;
  return 0;
}

int dnt_study_rl_run(const dnt_study_rl_config *cfg, dnt_run *run, const dnt_study_progress *p) {
  int rc = dnt_study_check_struct(&dnt_study_rl, cfg);
  if (rc) return rc;
  uint64_t seed = dnt_run_seed(run);
  rl_task_budget budget = rl_budget(cfg);
  rl_result res;
  memset(&res, 0, sizeof res);
  res.best_step = -1;
  task t;
  memset(&t, 0, sizeof t);
  int64_t every = cfg->checkpoint_every ? cfg->checkpoint_every : INT64_MAX;
  loop_state loop = {budget.eval_every, every, 0, 0};
  if ((rc = setup(&t, cfg, seed, &res))) goto cleanup;
  if (dnt_run_resuming(run))
    rc = resume(&t, &res, &loop, every, run);
  else if (!(rc = open_curve(&t, run)))
    rc = save_checkpoint(&t, &res, &loop, run); /* step 0: a resume is possible from the start */
  if (rc) goto cleanup;
  uint64_t total = (uint64_t)budget.steps;
  int64_t start = agent_steps(&t.ag);
  double t0 = dnt_now();
  while (!loop.finished) {
    if ((rc = agent_step(&t.ag))) goto cleanup;
    int64_t steps = agent_steps(&t.ag);
    for (int i = 0; i < t.env.n; i++)
      if (dnt_vecenv_done(&t.env, i)) {
        t.recent[t.n_recent++ % RECENT] = t.env.last_return[i];
        res.episodes++;
      }
    if (steps >= loop.next_eval || steps >= budget.steps) {
      dnt_study_progress_report(p, "rl: training",
                                (uint64_t)steps < total ? (uint64_t)steps : total, total);
      double mean;
      if ((rc = evaluate_and_log(&t, &budget, (int)cfg->confirm_episodes, seed,
                                 (uint64_t)loop.n_evals++, run, &res, &mean)))
        goto cleanup;
      loop.next_eval += budget.eval_every;
      loop.finished = steps >= budget.steps || mean >= budget.stop_return;
    }
    int stop = !loop.finished && dnt_interrupt_pending();
    if (loop.finished || stop || steps >= loop.next_ckpt) {
      while (steps >= loop.next_ckpt)
        loop.next_ckpt += every;
      if ((rc = save_checkpoint(&t, &res, &loop, run))) goto cleanup;
    }
    if (stop) {
      rc = dnt_error(DNT_ERR_INTERRUPTED,
                     "rl: stopped after %lld of %lld env steps (signal %d); checkpoint written",
                     (long long)steps, (long long)budget.steps, dnt_interrupt_pending());
      goto cleanup;
    }
  }
  res.steps = agent_steps(&t.ag);
  res.steps_run = res.steps - start;
  res.train_seconds = dnt_now() - t0;
  if (cfg->keep_best) {
    size_t n;
    float *params = agent_params(&t.ag, &n);
    dnt_vec_copy(params, t.best, n);
    agent_sync_target(&t.ag);
  }
  dnt_policy pol = agent_policy(&t.ag);
  if ((rc = dnt_policy_evaluate(&pol, t.ops, t.envcfg_ptr, EVAL_ENVS, (int)cfg->final_episodes,
                                eval_seed(seed, DNT_STREAM_EVAL, 0), t.hooks_ptr, &res.final)))
    goto cleanup;
  res.solved = res.final.mean_return >= res.solve_threshold;
  rc = write_outputs(&t, run, &res);
cleanup:
  task_free(&t);
  return rc;
}
