/* tests/rl/test_cmdp.c: the Lagrange multipliers rise while a constraint is
 * violated and fall back to 0 after (dual ascent and PID), their values follow
 * the update equations, and the agent fits r - sum lambda_i c_i. */
#include <math.h>
#include <string.h>

#include "test.h"

#include "dnt/cmdp.h"
#include "dnt/dqn.h"
#include "dnt/envs.h"
#include "dnt/status.h"

/* Phase 1: cost 1 per step against a threshold 0.2 (violated); phase 2: cost 0. */
static void run_phases(dnt_cmdp *c, double *peak, double *end, int *rose, int *fell) {
  float hi = 1.0f, lo = 0.0f;
  double prev = 0;
  *rose = *fell = 1;
  for (int u = 0; u < 20; u++) {
    for (int s = 0; s < 10; s++)
      dnt_cmdp_observe(c, &hi);
    dnt_cmdp_update(c);
    *rose &= c->lambda[0] > prev;
    prev = c->lambda[0];
  }
  *peak = prev;
  for (int u = 0; u < 200; u++) {
    for (int s = 0; s < 10; s++)
      dnt_cmdp_observe(c, &lo);
    dnt_cmdp_update(c);
    *fell &= c->lambda[0] <= prev;
    prev = c->lambda[0];
  }
  *end = prev;
}

static void test_dual(void) {
  dnt_cmdp c;
  double d = 0.2;
  CHECK_OK(dnt_cmdp_init(&c, 1, &d, DNT_LAGRANGE_DUAL, 0.05, 0, 0, 0, 100));
  double peak, end;
  int rose, fell;
  run_phases(&c, &peak, &end, &rose, &fell);
  CHECK(rose && fell);
  CHECK_NEAR(peak, 20 * 0.05 * (1.0 - 0.2), 1e-9); /* lambda += lr (J - d) each update */
  CHECK(end == 0.0);                               /* projected back onto lambda >= 0 */
  CHECK(c.updates == 220);
  CHECK_NEAR(c.last_j[0], 0.0, 0);
  /* no observation since the last update: update is a no-op */
  dnt_cmdp_update(&c);
  CHECK(c.updates == 220);
  dnt_cmdp_free(&c);
}

static void test_pid(void) {
  dnt_cmdp c;
  double d = 0.2;
  CHECK_OK(dnt_cmdp_init(&c, 1, &d, DNT_LAGRANGE_PID, 0, 0.5, 0.05, 0.1, 100));
  /* first update with J = 1: delta 0.8, I = 0.8, no derivative yet */
  double j = 1.0;
  dnt_cmdp_update_with(&c, &j);
  CHECK_NEAR(c.lambda[0], 0.5 * 0.8 + 0.05 * 0.8, 1e-12);
  /* J rises to 1.5: derivative term 0.1 * 0.5 */
  j = 1.5;
  dnt_cmdp_update_with(&c, &j);
  CHECK_NEAR(c.lambda[0], 0.5 * 1.3 + 0.05 * (0.8 + 1.3) + 0.1 * 0.5, 1e-12);
  dnt_cmdp_free(&c);
  CHECK_OK(dnt_cmdp_init(&c, 1, &d, DNT_LAGRANGE_PID, 0, 0.5, 0.05, 0.1, 100));
  double peak, end;
  int rose, fell;
  run_phases(&c, &peak, &end, &rose, &fell);
  CHECK(rose && fell && end == 0.0 && peak > 0);
  dnt_cmdp_free(&c);
  CHECK(dnt_cmdp_init(&c, 1, &d, DNT_LAGRANGE_PID, 0, 0, 0, 0, 100) == DNT_ERR_ARG);
  CHECK(dnt_cmdp_init(&c, 1, &d, DNT_LAGRANGE_DUAL, -1, 0, 0, 0, 100) == DNT_ERR_ARG);
}

/* The multiplier is capped at lambda_max. */
static void test_cap(void) {
  dnt_cmdp c;
  double d[2] = {0.0, 10.0};
  CHECK_OK(dnt_cmdp_init(&c, 2, d, DNT_LAGRANGE_DUAL, 1.0, 0, 0, 0, 3.0));
  double j[2] = {2.0, 0.0};
  for (int u = 0; u < 5; u++)
    dnt_cmdp_update_with(&c, j);
  CHECK(c.lambda[0] == 3.0 && c.lambda[1] == 0.0);
  /* a NaN cost or estimate is refused and changes nothing (max(0, NaN) would
   * have reset lambda to 0) */
  float nan_cost[2] = {1.0f, NAN};
  CHECK(dnt_cmdp_observe(&c, nan_cost) == DNT_ERR_NUMERIC);
  CHECK(strstr(dnt_last_error(), "cost 1") != NULL && c.count == 0 && c.cost_sum[0] == 0);
  j[1] = NAN;
  CHECK(dnt_cmdp_update_with(&c, j) == DNT_ERR_NUMERIC);
  CHECK(c.lambda[0] == 3.0 && c.updates == 5);
  dnt_cmdp_free(&c);
}

/* The agent's effective reward on a constructed step: r - sum lambda_i c_i,
 * through dnt_cmdp_reward and through the DQN's own targets (terminal
 * transitions, so that y is exactly the effective reward). */
static void test_effective_reward(void) {
  dnt_cmdp c;
  double d[1] = {0.0};
  CHECK_OK(dnt_cmdp_init(&c, 1, d, DNT_LAGRANGE_DUAL, 1.0, 0, 0, 0, 100));
  double j = 0.75;
  dnt_cmdp_update_with(&c, &j); /* lambda = 0.75 */
  float cost = 2.0f;
  CHECK_NEAR(dnt_cmdp_reward(&c, 1.0f, &cost), 1.0 - 0.75 * 2.0, 1e-7);

  dnt_vecenv env; /* CartPole has one cost */
  CHECK_OK(dnt_vecenv_init(&env, &dnt_env_cartpole, NULL, 1, 1));
  dnt_dqn_config cfg;
  dnt_dqn_config_default(&cfg);
  cfg.batch = 3;
  dnt_dqn *q;
  CHECK_OK(dnt_dqn_create(&cfg, &env, NULL, &c, 1, &q));
  dnt_replay_batch b;
  CHECK_OK(dnt_replay_batch_init(&b, &q->replay, 3));
  b.n = 3;
  float r[3] = {1.0f, 1.0f, -0.5f}, cs[3] = {0.0f, 1.0f, 4.0f};
  for (int k = 0; k < 3; k++) {
    b.reward[k] = r[k];
    b.cost[k] = cs[k];
    b.terminal[k] = 1;
    for (int i = 0; i < 4; i++)
      b.next_obs[4 * k + i] = 0.01f * (float)(k + i);
  }
  float y[3];
  CHECK_OK(dnt_dqn_batch_targets(q, &b, y));
  for (int k = 0; k < 3; k++)
    CHECK_NEAR(y[k], r[k] - 0.75f * cs[k], 1e-6);
  dnt_replay_batch_free(&b);
  dnt_dqn_destroy(q);
  /* a cmdp must have one constraint per env cost */
  dnt_cmdp two;
  double d2[2] = {0, 0};
  CHECK_OK(dnt_cmdp_init(&two, 2, d2, DNT_LAGRANGE_DUAL, 1.0, 0, 0, 0, 100));
  CHECK(dnt_dqn_create(&cfg, &env, NULL, &two, 1, &q) == DNT_ERR_ARG);
  dnt_cmdp_free(&two);
  dnt_vecenv_free(&env);
  dnt_cmdp_free(&c);
}

/* End to end: a DQN on CartPole with a tight cost threshold drives lambda up
 * from 0 through its own rollouts (the multipliers are updated by the agent). */
static void test_agent_updates_multiplier(void) {
  dnt_cmdp c;
  double d = 0.0;
  CHECK_OK(dnt_cmdp_init(&c, 1, &d, DNT_LAGRANGE_DUAL, 0.5, 0, 0, 0, 10));
  dnt_cartpole_cfg cc = {0.02}; /* almost every state is costly */
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &dnt_env_cartpole, &cc, 4, 3));
  dnt_dqn_config cfg;
  dnt_dqn_config_default(&cfg);
  cfg.cmdp_update_every = 100;
  dnt_dqn *q;
  CHECK_OK(dnt_dqn_create(&cfg, &env, NULL, &c, 3, &q));
  CHECK_OK(dnt_dqn_train(q, 800));
  CHECK(c.updates == 8);
  CHECK(c.lambda[0] > 0 && c.last_j[0] > 0 && c.last_j[0] <= 1);
  dnt_dqn_destroy(q);
  dnt_vecenv_free(&env);
  dnt_cmdp_free(&c);
}

int main(void) {
  test_dual();
  test_pid();
  test_cap();
  test_effective_reward();
  test_agent_updates_multiplier();
  return test_done("rl.cmdp");
}
