/* src/app/cmd_rl.c: `dnt rl`, training an agent on a built-in classic task
 * (dnt/rl_task.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "dnt/fileio.h"
#include "dnt/rl_task.h"
#include "dnt/status.h"

static const char usage[] =
    "usage: dnt rl [--env cartpole|pendulum|chain] [--algo dqn|ddpg|td3] [--steps N]\n"
    "              [options]\n\n"
    "Trains an agent of the RL layer on a built-in task (CartPole-v1 and Pendulum-v1\n"
    "with Gymnasium's dynamics, or a chain MDP), keeps the parameters of the best\n"
    "periodic evaluation, then reports the mean return over rl.final_episodes (100)\n"
    "fresh evaluation episodes. CartPole-v1 is solved at >= 475, Pendulum-v1 is well\n"
    "controlled above -200. Writes summary.json (mean_return, ...), curve.csv,\n"
    "curve.svg/png, policy.ckpt, config.json and dnt.db into the result folder.\n\n"
    "  --env NAME     task (default cartpole)\n"
    "  --algo NAME    dqn for cartpole/chain; ddpg or td3 for pendulum (default:\n"
    "                 dqn, td3 for pendulum)\n"
    "  --steps N      environment steps to train (default: the task's preset)\n\n"
    "options:\n" APP_COMMON_HELP;

/* defaults, then the (env, algo) preset, then --config, --set and the flags */
static int build_config(const app_opts *o, const char *env, const char *algo, const char *steps,
                        dnt_config **out) {
  dnt_config *c = NULL;
  char *text = NULL;
  size_t len;
  int rc = dnt_config_create(dnt_rl_schema, dnt_rl_schema_len, &c);
  if (!rc) rc = dnt_config_merge_text(c, dnt_rl_preset(env, algo), "preset");
  if (!rc && o->config && !(rc = dnt_read_file(o->config, &text, &len)))
    rc = dnt_config_merge_text(c, text, o->config);
  free(text);
  for (int i = 0; !rc && i < o->n_sets; i++)
    rc = dnt_config_set(c, o->sets[i]);
  char set[64];
  snprintf(set, sizeof set, "rl.env=%s", env);
  if (!rc) rc = dnt_config_set(c, set);
  snprintf(set, sizeof set, "rl.algo=%s", algo);
  if (!rc) rc = dnt_config_set(c, set);
  if (!rc && steps) {
    snprintf(set, sizeof set, "rl.steps=%s", steps);
    rc = dnt_config_set(c, set);
  }
  if (rc) {
    dnt_config_destroy(c);
    return app_fail("rl");
  }
  *out = c;
  return APP_EXIT_OK;
}

int cmd_rl(int argc, char **argv) {
  static const struct option longopts[] = {APP_COMMON_LONGOPTS,
                                           {"env", required_argument, 0, 2001},
                                           {"algo", required_argument, 0, 2002},
                                           {"steps", required_argument, 0, 2003},
                                           {0, 0, 0, 0}};
  app_opts o;
  app_opts_init(&o);
  const char *env_flag = NULL, *algo_flag = NULL, *steps = NULL;
  int opt;
  long v;
  optind = 1;
  while ((opt = getopt_long(argc, argv, APP_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    if (opt == 2001) {
      env_flag = optarg;
    } else if (opt == 2002) {
      algo_flag = optarg;
    } else if (opt == 2003) {
      if (app_parse_long("rl", "steps", optarg, 1, 1000000000L, &v)) return APP_EXIT_USAGE;
      steps = optarg;
    } else {
      int h = app_common_option(&o, opt, optarg, "rl", usage, dnt_rl_schema, dnt_rl_schema_len);
      if (h < 0) return -h;
      if (h == 0) return app_usage_error("rl", "unknown option");
    }
  }
  if (optind < argc) return app_usage_error("rl", "unexpected argument '%s'", argv[optind]);
  if (env_flag && strcmp(env_flag, "cartpole") && strcmp(env_flag, "pendulum") &&
      strcmp(env_flag, "chain"))
    return app_usage_error("rl", "option --env: '%s' is not one of cartpole, pendulum, chain",
                           env_flag);
  if (algo_flag && strcmp(algo_flag, "dqn") && strcmp(algo_flag, "ddpg") &&
      strcmp(algo_flag, "td3"))
    return app_usage_error("rl", "option --algo: '%s' is not one of dqn, ddpg, td3", algo_flag);
  /* first pass: the task and algorithm named by the flags, the file or --set */
  dnt_config *cfg = NULL;
  int rc = app_load_config(&o, "rl", dnt_rl_schema, dnt_rl_schema_len, &cfg);
  if (rc) return rc;
  char env[32], algo[16];
  snprintf(env, sizeof env, "%s", env_flag ? env_flag : dnt_config_string(cfg, "rl.env"));
  snprintf(algo, sizeof algo, "%s", algo_flag ? algo_flag : dnt_config_string(cfg, "rl.algo"));
  if (!algo_flag && !strcmp(env, "pendulum") && !strcmp(algo, "dqn")) strcpy(algo, "td3");
  dnt_config_destroy(cfg);
  if (!dnt_rl_preset(env, algo))
    return app_usage_error("rl", "--algo %s does not fit --env %s (%s actions): use %s", algo, env,
                           strcmp(env, "pendulum") ? "discrete" : "continuous",
                           strcmp(env, "pendulum") ? "dqn" : "ddpg or td3");
  if ((rc = build_config(&o, env, algo, steps, &cfg))) return rc;
  /* DDPG is TD3 with one critic, no actor delay and no target noise
   * (task_config.c): record in config.json the values that run. */
  if (!strcmp(algo, "ddpg") &&
      (dnt_config_set(cfg, "td3.policy_delay=1") || dnt_config_set(cfg, "td3.target_noise=0"))) {
    dnt_config_destroy(cfg);
    return app_fail("rl");
  }
  /* Check the agent's settings before a result folder exists, so that a bad
   * config leaves nothing behind. */
  dnt_dqn_config dqn_check;
  dnt_td3_config td3_check;
  if (strcmp(algo, "dqn") ? dnt_rl_td3_config(cfg, &td3_check)
                          : dnt_rl_dqn_config(cfg, &dqn_check)) {
    dnt_config_destroy(cfg);
    return app_fail("rl");
  }
  dnt_run *run = NULL;
  if ((rc = app_open_run(&o, "rl", cfg, &run))) {
    dnt_config_destroy(cfg);
    return rc;
  }
  dnt_rl_result res;
  if (dnt_rl_run(cfg, o.seed, o.quick, run, &res)) {
    rc = app_fail("rl");
    dnt_run_abort(run, dnt_last_error());
  } else {
    const dnt_eval_result *f = &res.final;
    printf("rl: %s on %s, seed %llu: mean return %.2f +- %.2f over %d episodes (%s: >= %g)\n",
           res.algo, res.task, (unsigned long long)o.seed, f->mean_return, f->std_return,
           f->episodes, res.solved ? "solved" : "not solved", res.solve_threshold);
    printf("    %lld env steps, %lld episodes, %.1f s; parameters of the evaluation at step "
           "%lld (%.2f)\n",
           (long long)res.steps, (long long)res.episodes, res.train_seconds,
           (long long)res.best_step, res.best_eval);
    printf("    results in %s\n", dnt_run_dir(run));
    if (dnt_run_close(run)) rc = app_fail("rl");
  }
  dnt_config_destroy(cfg);
  return rc;
}
