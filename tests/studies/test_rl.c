/* tests/studies/test_rl.c: the RL study: the dqn.* and td3.* rows default to
 * the library defaults, a run on the chain reaches the chain's optimum and
 * writes its files, the budget of each task applies when the rl.* fields
 * are 0, the CMDP is wired through, the CartPole shield's counts of
 * training and of the final evaluation are reported separately (each phase
 * its own, regression), the run repeats with its seed and changes with it,
 * mismatched settings are config errors naming the key, and CartPole seed 3
 * holds 500 on all 100 final episodes (regression: stopping at the first
 * 20-episode evaluation of 500 kept a policy that scored 498.84 +- 11.54,
 * min 384; a confirmation on 100 more episodes now decides). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "dnt/fileio.h"
#include "dnt/run.h"
#include "dnt/status.h"
#include "dnt/study_rl.h"

/* Runs cfg with `seed` into dir (kept open: the caller reads and closes). */
static dnt_run *run_into(const dnt_study_rl_config *cfg, uint64_t seed, const char *dir) {
  dnt_run *run = NULL;
  CHECK_OK(dnt_run_open(dir, "rl", NULL, seed, &run));
  if (!run) return NULL;
  int rc = dnt_study_rl_run(cfg, run, NULL);
  CHECK_MSG(rc == 0, "%s", dnt_last_error());
  if (rc) {
    dnt_run_abort(run, dnt_last_error());
    return NULL;
  }
  return run;
}

static double metric(const dnt_run *run, const char *name) {
  double v = -12345;
  CHECK_MSG(dnt_run_summary_get(run, name, &v) == 0, "%s", name);
  return v;
}

/* The defaults, with a short budget: `steps`, an evaluation of 2 episodes
 * every 1000, `final` final episodes. */
static dnt_study_rl_config short_run(int64_t steps, int64_t final) {
  dnt_study_rl_config c;
  dnt_study_rl_defaults(&c);
  c.steps = steps;
  c.eval_every = 1000;
  c.eval_episodes = 2;
  c.final_episodes = final;
  return c;
}

static void test_defaults_match_library(void) {
  dnt_study_rl_config c;
  dnt_study_rl_defaults(&c);
  CHECK(!strcmp(dnt_study_rl_algo(&c), "dqn"));
  dnt_dqn_config a, b;
  CHECK_OK(dnt_study_rl_dqn_config(&c, &a));
  dnt_dqn_config_default(&b);
  CHECK(memcmp(&a, &b, sizeof a) == 0);
  dnt_td3_config t, u;
  CHECK_OK(dnt_study_rl_td3_config(&c, &t));
  dnt_td3_config_default(&u);
  CHECK(memcmp(&t, &u, sizeof t) == 0);
  c.algo = "ddpg";
  CHECK_OK(dnt_study_rl_td3_config(&c, &t));
  dnt_ddpg_config_default(&u);
  CHECK(memcmp(&t, &u, sizeof t) == 0);
  c.algo = "auto";
  c.env = "pendulum";
  CHECK(!strcmp(dnt_study_rl_algo(&c), "td3"));
  CHECK_OK(dnt_study_rl_check(&c));
}

static void test_chain_run(void) {
  dnt_study_rl_config c;
  dnt_study_rl_defaults(&c);
  c.env = "chain";
  c.chain_length = 6;
  const char *dir = DNT_BINARY_DIR "/test_rl_chain";
  dnt_run *run = run_into(&c, 3, dir);
  if (!run) return;
  /* the chain's budget: 10000 steps, an evaluation every 1000 */
  CHECK(metric(run, "steps") == 10000 && metric(run, "eval_episodes") == 100);
  CHECK_NEAR(metric(run, "solve_threshold"), 1.0 - 4 * 0.01 - 1e-4, 1e-6);
  CHECK_MSG(metric(run, "solved") == 1 && metric(run, "std_return") < 1e-6, "chain: %g",
            metric(run, "mean_return"));
  CHECK_OK(dnt_run_close(run));
  const char *files[] = {"summary.json", "curve.csv", "curve.gp", "policy.ckpt"};
  char path[512];
  for (int i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    CHECK_MSG(dnt_path_exists(path), "%s missing", path);
  }
  char *text;
  size_t len;
  snprintf(path, sizeof path, "%s/curve.csv", dir);
  CHECK_OK(dnt_read_file(path, &text, &len));
  int rows = 0;
  for (size_t i = 0; text && i < len; i++)
    rows += text[i] == '\n';
  CHECK(rows == 11); /* header + an evaluation every 1000 of 10000 steps */
  CHECK(text && !strncmp(text, "step,episodes,train_return,eval_return", 38));
  free(text);
}

static void test_constrained_run(void) {
  dnt_study_rl_config c = short_run(3000, 3);
  c.cmdp_thresholds.n = 1;
  c.cmdp_thresholds.v[0] = 0;
  c.cmdp_lr = 1;
  c.cmdp_update_every = 500;
  c.cartpole_cost_x = 0.01;
  dnt_run *run = run_into(&c, 1, DNT_BINARY_DIR "/test_rl_cmdp");
  if (!run) return;
  CHECK(metric(run, "steps") == 3000 && metric(run, "eval_episodes") == 3);
  CHECK(metric(run, "episode_cost_0") > 0 && metric(run, "lambda_0") > 0);
  CHECK_OK(dnt_run_close(run));
}

/* The shield on CartPole: training and the final evaluation each report
 * their own steps (the evaluation's are exactly its episodes' lengths), and
 * a bound tight enough that no push can always hold it gives unsafe steps. */
static void test_shield_counts(void) {
  dnt_study_rl_config c = short_run(2000, 5);
  c.shield_x = 0.05;
  dnt_run *run = run_into(&c, 2, DNT_BINARY_DIR "/test_rl_shield");
  if (!run) return;
  CHECK(metric(run, "train_shield_steps") == 2000);
  CHECK_NEAR(metric(run, "eval_shield_steps"), metric(run, "mean_length") * 5, 1e-9);
  double ti = metric(run, "train_interventions"), ei = metric(run, "eval_interventions");
  CHECK(ti > 0 && ti <= 2000 && ei > 0 && ei <= metric(run, "eval_shield_steps"));
  CHECK_NEAR(metric(run, "train_intervention_rate"), ti / 2000, 1e-12);
  CHECK(metric(run, "train_unsafe") > 0 && metric(run, "train_unsafe") <= ti);
  CHECK_OK(dnt_run_close(run));
}

static void test_seed(void) {
  dnt_study_rl_config c;
  dnt_study_rl_defaults(&c);
  c.env = "pendulum";
  c.steps = 1200;
  c.eval_every = 600;
  c.eval_episodes = 1;
  c.final_episodes = 2;
  c.td3_learning_starts = 500;
  double r[3];
  const uint64_t seeds[3] = {4, 4, 5};
  for (int k = 0; k < 3; k++) {
    char dir[256];
    snprintf(dir, sizeof dir, "%s/test_rl_seed%d", DNT_BINARY_DIR, k);
    dnt_run *run = run_into(&c, seeds[k], dir);
    if (!run) return;
    r[k] = metric(run, "mean_return");
    CHECK(metric(run, "policy_delay") == 2);
    CHECK_OK(dnt_run_close(run));
  }
  CHECK(r[0] == r[1] && r[0] != r[2]);
}

static void test_config_errors(void) {
  dnt_study_rl_config c;
  dnt_study_rl_defaults(&c);
  c.env = "pendulum";
  c.algo = "dqn";
  CHECK(dnt_study_rl_check(&c) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "rl.algo") != NULL);
  dnt_study_rl_defaults(&c);
  c.cmdp_thresholds.n = 2; /* CartPole has one cost */
  CHECK(dnt_study_rl_check(&c) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "cmdp.thresholds") != NULL);
  dnt_study_rl_defaults(&c);
  c.dqn_hidden.n = 5;
  CHECK(dnt_study_rl_check(&c) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "dqn.hidden") != NULL);
  dnt_study_rl_defaults(&c);
  c.dqn_buffer = 10; /* smaller than the batch: the agent's own check */
  CHECK(dnt_study_rl_check(&c) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "buffer") != NULL);
  dnt_study_rl_defaults(&c);
  c.env = "chain";
  c.shield_x = 1.0;
  CHECK(dnt_study_rl_check(&c) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "rl.shield_x") != NULL);
}

/* The slowest case (about 40,000 env steps, 4 s in a Release build): left
 * out of the sanitizer run (DNT_SANITIZED set), where it would take minutes. */
static void test_cartpole_confirmed(void) {
  if (getenv("DNT_SANITIZED")) return;
  dnt_study_rl_config c;
  dnt_study_rl_defaults(&c);
  CHECK(c.confirm_episodes == 100);
  dnt_run *run = run_into(&c, 3, DNT_BINARY_DIR "/test_rl_cartpole3");
  if (!run) return;
  CHECK_MSG(metric(run, "min_return") == 500 && metric(run, "std_return") == 0,
            "CartPole seed 3: %g +- %g, min %g", metric(run, "mean_return"),
            metric(run, "std_return"), metric(run, "min_return"));
  CHECK(metric(run, "best_eval_return") == 500 && metric(run, "steps") < 150000);
  CHECK_OK(dnt_run_close(run));
}

int main(void) {
  test_defaults_match_library();
  test_config_errors();
  test_chain_run();
  test_constrained_run();
  test_shield_counts();
  test_seed();
  test_cartpole_confirmed();
  return test_done("studies.rl");
}
