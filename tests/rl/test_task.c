/* tests/rl/test_task.c: the `dnt rl` runner: the schema's defaults are the
 * library defaults, every preset fits the schema, a run on the chain reaches
 * the chain's optimum and writes its files, the CMDP is wired through, and
 * mismatched settings are config errors naming the key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "dnt/fileio.h"
#include "dnt/rl_task.h"
#include "dnt/status.h"

static dnt_config *make(const char *preset, const char *const *sets, int n) {
  dnt_config *c = NULL;
  CHECK_OK(dnt_config_create(dnt_rl_schema, dnt_rl_schema_len, &c));
  if (!c) return NULL;
  if (preset) CHECK_OK(dnt_config_merge_text(c, preset, "preset"));
  for (int i = 0; i < n; i++)
    CHECK_OK(dnt_config_set(c, sets[i]));
  return c;
}

static void test_defaults_match_library(void) {
  dnt_config *c = make(NULL, NULL, 0);
  dnt_dqn_config a, b;
  CHECK_OK(dnt_rl_dqn_config(c, &a));
  dnt_dqn_config_default(&b);
  CHECK(memcmp(&a, &b, sizeof a) == 0);
  dnt_td3_config t, u;
  CHECK_OK(dnt_rl_td3_config(c, &t));
  dnt_td3_config_default(&u);
  CHECK(memcmp(&t, &u, sizeof t) == 0);
  CHECK_OK(dnt_config_set(c, "rl.algo=ddpg"));
  CHECK_OK(dnt_rl_td3_config(c, &t));
  dnt_ddpg_config_default(&u);
  CHECK(memcmp(&t, &u, sizeof t) == 0);
  dnt_config_destroy(c);
}

static void test_presets(void) {
  const char *envs[] = {"cartpole", "pendulum", "chain"}, *algos[] = {"dqn", "ddpg", "td3"};
  for (int e = 0; e < 3; e++)
    for (int a = 0; a < 3; a++) {
      const char *p = dnt_rl_preset(envs[e], algos[a]);
      int fits = (e == 1) == (a > 0);
      CHECK_MSG((p != NULL) == fits, "%s %s", envs[e], algos[a]);
      if (p) dnt_config_destroy(make(p, NULL, 0));
    }
}

static void test_chain_run(void) {
  const char *sets[] = {"rl.env=chain", "rl.chain_length=6"};
  dnt_config *c = make(dnt_rl_preset("chain", "dqn"), sets, 2);
  const char *dir = DNT_BINARY_DIR "/test_rl_task_run";
  dnt_run *run;
  char *json = dnt_config_to_json(c);
  CHECK_OK(dnt_run_open(dir, "rl", json, 3, &run));
  free(json);
  dnt_rl_result r;
  CHECK_OK(dnt_rl_run(c, 3, 0, run, &r));
  CHECK_OK(dnt_run_close(run));
  CHECK(!strcmp(r.task, "Chain") && r.steps == 10000 && r.final.episodes == 100);
  CHECK_NEAR(r.solve_threshold, 1.0 - 4 * 0.01 - 1e-4, 1e-6);
  CHECK_MSG(r.solved && r.final.std_return < 1e-6, "chain: %g +- %g", r.final.mean_return,
            r.final.std_return);
  const char *files[] = {"summary.json", "curve.csv", "curve.gp", "policy.ckpt", "config.json"};
  char path[512];
  for (int i = 0; i < 5; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    CHECK_MSG(dnt_path_exists(path), "%s missing", path);
  }
  char *text;
  size_t len;
  snprintf(path, sizeof path, "%s/curve.csv", dir);
  CHECK_OK(dnt_read_file(path, &text, &len));
  int rows = 0;
  for (size_t i = 0; i < len; i++)
    rows += text[i] == '\n';
  CHECK(rows == 11); /* header + an evaluation every 1000 of 10000 steps */
  CHECK(!strncmp(text, "step,episodes,train_return,eval_return", 38));
  free(text);
  snprintf(path, sizeof path, "%s/summary.json", dir);
  CHECK_OK(dnt_read_file(path, &text, &len));
  CHECK(strstr(text, "\"mean_return\"") && strstr(text, "\"solved\": 1"));
  free(text);
  dnt_config_destroy(c);
}

static void test_constrained_run(void) {
  const char *sets[] = {"rl.steps=3000",         "rl.eval_every=1000",     "rl.eval_episodes=2",
                        "rl.final_episodes=3",   "cmdp.thresholds=0",      "cmdp.lr=1",
                        "cmdp.update_every=500", "rl.cartpole_cost_x=0.01"};
  dnt_config *c = make(NULL, sets, 8);
  dnt_rl_result r;
  CHECK_OK(dnt_rl_run(c, 1, 0, NULL, &r));
  CHECK(r.steps == 3000 && r.final.episodes == 3 && r.final.mean_cost[0] > 0);
  dnt_config_destroy(c);
}

static void test_config_errors(void) {
  const char *pend[] = {"rl.env=pendulum"};
  dnt_config *c = make(NULL, pend, 1); /* algo dqn */
  dnt_rl_result r;
  CHECK(dnt_rl_run(c, 1, 1, NULL, &r) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "rl.algo") != NULL);
  dnt_config_destroy(c);
  const char *thr[] = {"cmdp.thresholds=0.1,0.2"}; /* CartPole has one cost */
  c = make(NULL, thr, 1);
  CHECK(dnt_rl_run(c, 1, 1, NULL, &r) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "cmdp.thresholds") != NULL);
  dnt_config_destroy(c);
  const char *wide[] = {"dqn.hidden=8,8,8,8,8"};
  c = make(NULL, wide, 1);
  dnt_dqn_config d;
  CHECK(dnt_rl_dqn_config(c, &d) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "dqn.hidden") != NULL);
  dnt_config_destroy(c);
}

int main(void) {
  test_defaults_match_library();
  test_presets();
  test_chain_run();
  test_constrained_run();
  test_config_errors();
  return test_done("rl.task");
}
