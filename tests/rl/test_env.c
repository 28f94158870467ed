/* tests/rl/test_env.c: the built-in tasks against Gymnasium's equations (values
 * computed once with the code of gymnasium/envs/classic_control in double
 * precision), and the vectorised interface: per-instance streams, two-phase
 * stepping, truncation, episode statistics, masks. */
#include <math.h>
#include <string.h>

#include "test.h"

#include "dnt/env.h"
#include "dnt/envs.h"
#include "dnt/status.h"

static void test_cartpole_dynamics(void) {
  dnt_env_spec spec;
  memset(&spec, 0, sizeof spec);
  void *inst;
  CHECK_OK(dnt_env_cartpole.create(NULL, &spec, &inst));
  CHECK(spec.obs_dim == 4 && spec.n_actions == 2 && spec.max_steps == 500 && spec.n_costs == 1);
  dnt_cartpole *c = inst;
  c->x = 0.01, c->x_dot = -0.02, c->theta = 0.03, c->theta_dot = 0.04;
  float obs[4], r, cost;
  int term;
  dnt_rng rng;
  dnt_rng_seed(&rng, 1);
  CHECK_OK(dnt_env_cartpole.step(inst, 1, NULL, &rng, obs, &r, &cost, &term));
  CHECK_NEAR(c->x, 0.009600000000000001, 1e-15);
  CHECK_NEAR(c->x_dot, 0.17467919574755525, 1e-14);
  CHECK_NEAR(c->theta, 0.030799999999999998, 1e-15);
  CHECK_NEAR(c->theta_dot, -0.2430687179600081, 1e-14);
  CHECK(obs[1] == (float)0.17467919574755525); /* float32 observation of the double state */
  CHECK(r == 1.0f && !term && cost == 0.0f);
  CHECK_OK(dnt_env_cartpole.step(inst, 0, NULL, &rng, obs, &r, &cost, &term));
  CHECK_NEAR(c->x, 0.013093583914951107, 1e-15);
  CHECK_NEAR(c->x_dot, -0.020868848948191993, 1e-14);
  CHECK_NEAR(c->theta, 0.025938625640799837, 1e-15);
  CHECK_NEAR(c->theta_dot, 0.0591679999394166, 1e-14);
  /* termination past 12 degrees, with reward 1 on the terminating step */
  c->x = 0, c->x_dot = 0, c->theta = 0.2094, c->theta_dot = 1.0;
  CHECK_OK(dnt_env_cartpole.step(inst, 1, NULL, &rng, obs, &r, &cost, &term));
  CHECK(term && r == 1.0f);
  /* termination past |x| = 2.4 on either side (Gymnasium: x < -2.4 or x > 2.4) */
  c->x = 2.39, c->x_dot = 1.0, c->theta = 0, c->theta_dot = 0;
  CHECK_OK(dnt_env_cartpole.step(inst, 1, NULL, &rng, obs, &r, &cost, &term));
  CHECK(term && r == 1.0f && cost == 1.0f);
  CHECK_NEAR(c->x, 2.41, 1e-15);
  CHECK_NEAR(c->x_dot, 1.1951219512195121, 1e-14);
  CHECK_NEAR(c->theta_dot, -0.2926829268292683, 1e-14);
  c->x = -2.39, c->x_dot = -1.0, c->theta = 0, c->theta_dot = 0;
  CHECK_OK(dnt_env_cartpole.step(inst, 0, NULL, &rng, obs, &r, &cost, &term));
  CHECK(term);
  c->x = 2.3, c->x_dot = 0, c->theta = 0, c->theta_dot = 0;
  CHECK_OK(dnt_env_cartpole.step(inst, 0, NULL, &rng, obs, &r, &cost, &term));
  CHECK(!term);
  /* the cost flags the outer track */
  c->x = 1.5, c->x_dot = 0, c->theta = 0, c->theta_dot = 0;
  CHECK_OK(dnt_env_cartpole.step(inst, 1, NULL, &rng, obs, &r, &cost, &term));
  CHECK(cost == 1.0f && !term);
  /* reset draws every value in (-0.05, 0.05) */
  for (int k = 0; k < 200; k++) {
    CHECK_OK(dnt_env_cartpole.reset(inst, &rng, obs));
    for (int j = 0; j < 4; j++)
      CHECK(fabsf(obs[j]) < 0.05f);
  }
  dnt_env_cartpole.destroy(inst);
}

static void test_pendulum_dynamics(void) {
  dnt_env_spec spec;
  memset(&spec, 0, sizeof spec);
  void *inst;
  CHECK_OK(dnt_env_pendulum.create(NULL, &spec, &inst));
  CHECK(spec.obs_dim == 3 && spec.act_dim == 1 && spec.max_steps == 200);
  CHECK(spec.act_low[0] == -2.0f && spec.act_high[0] == 2.0f);
  dnt_pendulum *p = inst;
  float obs[3], r, u = 3.0f; /* clipped to the max torque 2 */
  int term;
  dnt_rng rng;
  dnt_rng_seed(&rng, 2);
  p->th = 1.0, p->thdot = 0.5;
  CHECK_OK(dnt_env_pendulum.step(inst, 0, &u, &rng, obs, &r, NULL, &term));
  CHECK_NEAR(p->th, 1.071555161930296, 1e-12);
  CHECK_NEAR(p->thdot, 1.4311032386059224, 1e-12);
  CHECK_NEAR(r, -1.029, 1e-6);
  CHECK_NEAR(obs[0], cos(1.071555161930296), 1e-7);
  CHECK_NEAR(obs[1], sin(1.071555161930296), 1e-7);
  CHECK(!term);
  /* speed clipped at 8, angle normalised in the cost */
  p->th = -3.0, p->thdot = 7.9;
  u = -1.5f;
  CHECK_OK(dnt_env_pendulum.step(inst, 0, &u, &rng, obs, &r, NULL, &term));
  CHECK_NEAR(p->th, -2.621542000302245, 1e-12);
  CHECK_NEAR(p->thdot, 7.5691599939551, 1e-12);
  CHECK_NEAR(r, -15.24325, 1e-4);
  /* speed clipped at +-8 (unclipped 8.5596), the angle moves by the clipped speed */
  p->th = 0.5, p->thdot = 7.9;
  u = 2.0f;
  CHECK_OK(dnt_env_pendulum.step(inst, 0, &u, &rng, obs, &r, NULL, &term));
  CHECK(p->thdot == 8.0);
  CHECK_NEAR(p->th, 0.9, 1e-15);
  CHECK_NEAR(r, -6.495, 1e-6);
  p->th = -0.5, p->thdot = -7.9;
  u = -2.0f;
  CHECK_OK(dnt_env_pendulum.step(inst, 0, &u, &rng, obs, &r, NULL, &term));
  CHECK(p->thdot == -8.0);
  /* the cost normalises the angle: th = 4 costs (4 - 2 pi)^2, not 16 */
  p->th = 4.0, p->thdot = 0.0;
  u = 0.0f;
  CHECK_OK(dnt_env_pendulum.step(inst, 0, &u, &rng, obs, &r, NULL, &term));
  CHECK_NEAR(r, -5.212935146920741, 1e-6);
  CHECK_NEAR(p->thdot, -0.5676018714809462, 1e-12);
  CHECK_NEAR(p->th, 3.9716199064259525, 1e-12);
  CHECK_NEAR(dnt_angle_normalize(7.0), 0.7168146928204138, 1e-12);
  CHECK_NEAR(dnt_angle_normalize(-7.0), -0.7168146928204138, 1e-12);
  CHECK_NEAR(dnt_angle_normalize(M_PI), -M_PI, 1e-12); /* [-pi, pi) as Python's % */
  for (int k = 0; k < 200; k++) {
    CHECK_OK(dnt_env_pendulum.reset(inst, &rng, obs));
    CHECK(p->th >= -M_PI && p->th < M_PI && fabs(p->thdot) <= 1.0);
  }
  dnt_env_pendulum.destroy(inst);
}

/* The chain's optimal policy (always right) earns goal + (length - 2) step. */
static void test_chain(void) {
  dnt_chain_cfg cfg = {6, -0.1f, 1.0f, 0};
  dnt_vecenv v;
  CHECK_OK(dnt_vecenv_init(&v, &dnt_env_chain, &cfg, 2, 5));
  CHECK(v.spec.max_steps == 24 && v.spec.has_mask && v.spec.obs_dim == 6);
  CHECK(v.mask[0] == 0 && v.mask[1] == 1); /* left is masked at the start */
  int a[2] = {1, 1};
  for (int t = 0; t < 5; t++) {
    CHECK_OK(dnt_vecenv_step(&v, a, NULL));
    CHECK((t == 4) == (v.terminated[0] != 0));
    if (t < 4) CHECK_OK(dnt_vecenv_advance(&v));
  }
  CHECK_NEAR(v.last_return[0], 1.0 + 4 * -0.1, 1e-6);
  CHECK(v.last_length[0] == 5 && v.episodes == 2);
  CHECK(v.next_obs[5] == 1.0f); /* the terminal observation, before the reset */
  CHECK_OK(dnt_vecenv_advance(&v));
  CHECK(v.obs[0] == 1.0f && v.obs[5] == 0.0f); /* reset to state 0 */
  dnt_vecenv_free(&v);
  cfg.length = 1;
  CHECK(dnt_vecenv_init(&v, &dnt_env_chain, &cfg, 1, 5) == DNT_ERR_ARG);
}

/* Instance i draws from stream i whatever the batch size; the same seed
 * reproduces the same numbers; truncation at max_steps is not termination. */
static void test_vecenv_streams(void) {
  dnt_vecenv one, four;
  CHECK_OK(dnt_vecenv_init(&one, &dnt_env_pendulum, NULL, 1, 42));
  CHECK_OK(dnt_vecenv_init(&four, &dnt_env_pendulum, NULL, 4, 42));
  CHECK(memcmp(one.obs, four.obs, 3 * sizeof(float)) == 0);
  CHECK(memcmp(four.obs, four.obs + 3, 3 * sizeof(float)) != 0);
  float u[4] = {0.5f, 0.5f, 0.5f, 0.5f};
  int same = 1;
  for (int t = 0; t < 450; t++) {
    CHECK_OK(dnt_vecenv_step(&one, NULL, u));
    CHECK_OK(dnt_vecenv_step(&four, NULL, u));
    same &= memcmp(one.next_obs, four.next_obs, 3 * sizeof(float)) == 0;
    if (t == 199) CHECK(four.truncated[2] && !four.terminated[2] && four.last_length[2] == 200);
    if (t == 198) CHECK(!four.truncated[2]);
    CHECK_OK(dnt_vecenv_advance(&one));
    CHECK_OK(dnt_vecenv_advance(&four));
  }
  CHECK(same);
  CHECK(four.episodes == 8 && four.steps == 1800);
  /* reset(seed) restarts the same sequence */
  float first[12];
  CHECK_OK(dnt_vecenv_reset(&four, 42));
  memcpy(first, four.obs, sizeof first);
  CHECK_OK(dnt_vecenv_reset(&one, 42));
  CHECK(memcmp(first, one.obs, 3 * sizeof(float)) == 0);
  dnt_vecenv_free(&one);
  dnt_vecenv_free(&four);
}

/* Instance i draws from stream ENV i of the seed (dnt/rng.h), not from the
 * bare stream i that scenario i and others also used (regression): its
 * first observation is CartPole's reset from that stream. */
static void test_vecenv_stream_table(void) {
  dnt_vecenv v;
  CHECK_OK(dnt_vecenv_init(&v, &dnt_env_cartpole, NULL, 3, 42));
  for (int i = 0; i < 3; i++) {
    dnt_rng r, bare;
    dnt_rng_for(&r, 42, DNT_STREAM_ENV, (uint64_t)i);
    dnt_rng_stream(&bare, 42, (uint64_t)i);
    int same = 1, same_bare = 1;
    for (int k = 0; k < 4; k++) {
      same &= v.obs[i * 4 + k] == (float)(-0.05 + 0.1 * dnt_rng_uniform(&r));
      same_bare &= v.obs[i * 4 + k] == (float)(-0.05 + 0.1 * dnt_rng_uniform(&bare));
    }
    CHECK_MSG(same && !same_bare, "instance %d", i);
  }
  dnt_vecenv_free(&v);
}

/* A random policy on CartPole: episode returns equal lengths and the
 * statistics add up. */
static void test_cartpole_random_episodes(void) {
  dnt_vecenv v;
  CHECK_OK(dnt_vecenv_init(&v, dnt_env_builtin("cartpole"), NULL, 8, 7));
  dnt_rng rng;
  dnt_rng_seed(&rng, 9);
  int a[8];
  double sum_len = 0;
  int64_t eps = 0;
  for (int t = 0; t < 5000; t++) {
    for (int i = 0; i < 8; i++)
      a[i] = (int)dnt_rng_below(&rng, 2);
    CHECK_OK(dnt_vecenv_step(&v, a, NULL));
    for (int i = 0; i < 8; i++)
      if (dnt_vecenv_done(&v, i)) {
        CHECK(v.last_return[i] == v.last_length[i]);
        sum_len += v.last_length[i];
        eps++;
      }
    CHECK_OK(dnt_vecenv_advance(&v));
  }
  CHECK(eps == v.episodes);
  /* a uniformly random policy lasts about 22 steps on CartPole-v1 */
  CHECK_MSG(sum_len / eps > 18 && sum_len / eps < 27, "mean length %g", sum_len / eps);
  dnt_vecenv_free(&v);
  CHECK(dnt_env_builtin("nosuch") == NULL);
}

/* has_mask follows ops->mask: an env that forgets the flag still has its
 * masks in the spec (and so in DQN's replay); the flag without ops->mask is
 * refused. */
static int chain_no_flag(const void *cfg, dnt_env_spec *spec, void **inst) {
  int rc = dnt_env_chain.create(cfg, spec, inst);
  spec->has_mask = 0;
  return rc;
}
static void test_mask_flag(void) {
  dnt_env_ops ops = dnt_env_chain;
  ops.create = chain_no_flag;
  dnt_vecenv v;
  CHECK_OK(dnt_vecenv_init(&v, &ops, NULL, 2, 1));
  CHECK(v.spec.has_mask == 1 && v.mask[0] == 0);
  dnt_vecenv_free(&v);
  ops = dnt_env_chain;
  ops.mask = NULL;
  CHECK(dnt_vecenv_init(&v, &ops, NULL, 2, 1) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "ops->mask") != NULL);
}

/* A bad action is refused, naming the instance, before any instance moves. */
static void test_bad_actions(void) {
  dnt_vecenv v;
  CHECK_OK(dnt_vecenv_init(&v, &dnt_env_cartpole, NULL, 3, 1));
  float before[12];
  memcpy(before, v.obs, sizeof before);
  int a[3] = {1, 0, 2};
  CHECK(dnt_vecenv_step(&v, a, NULL) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "instance 2: action 2") != NULL);
  a[2] = -1;
  CHECK(dnt_vecenv_step(&v, a, NULL) == DNT_ERR_ARG);
  CHECK(v.steps == 0 && v.t[0] == 0 && memcmp(before, v.obs, sizeof before) == 0);
  dnt_vecenv_free(&v);
  CHECK_OK(dnt_vecenv_init(&v, &dnt_env_pendulum, NULL, 2, 1));
  float u[2] = {0.5f, NAN};
  CHECK(dnt_vecenv_step(&v, NULL, u) == DNT_ERR_NUMERIC);
  CHECK(strstr(dnt_last_error(), "instance 1") != NULL);
  u[1] = INFINITY;
  CHECK(dnt_vecenv_step(&v, NULL, u) == DNT_ERR_NUMERIC);
  u[1] = 7.0f; /* finite and out of bounds: clipped by the env, as Gymnasium */
  CHECK_OK(dnt_vecenv_step(&v, NULL, u));
  CHECK(v.steps == 2);
  dnt_vecenv_free(&v);
}

int main(void) {
  test_mask_flag();
  test_bad_actions();
  test_cartpole_dynamics();
  test_pendulum_dynamics();
  test_chain();
  test_vecenv_streams();
  test_vecenv_stream_table();
  test_cartpole_random_episodes();
  return test_done("rl.env");
}
