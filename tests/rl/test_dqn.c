/* tests/rl/test_dqn.c: DQN reaches the optimal Q* of a small known MDP
 * (value iteration gives the answer), with and without the Double, dueling
 * and prioritised options and on a batch of environments; Double DQN's target
 * uses the online argmax (constructed batch); schedules; checkpoints round-trip
 * and the reloaded policy acts identically; same seed, same parameters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "dnt/dqn.h"
#include "dnt/envs.h"
#include "dnt/status.h"
#include "dnt/vec.h"
#include "rl/qnet.h"

/* A corridor of L states starting in the middle: the left end pays 0.5, the
 * right end 1.0 (both terminal), every other step 0. With gamma 0.9 the far
 * right end is worth more from the start: a myopic agent gets it wrong. */
#define L 8
#define START 3
#define GAMMA 0.9

typedef struct corridor {
  int s;
} corridor;

static int co_create(const void *cfg, dnt_env_spec *spec, void **inst) {
  *inst = calloc(1, sizeof(corridor));
  spec->name = "corridor";
  spec->obs_dim = L;
  spec->n_actions = 2;
  spec->max_steps = 50;
  return 0;
}
static void co_destroy(void *inst) {
  free(inst);
}
static void co_obs(const corridor *c, float *obs) {
  memset(obs, 0, L * sizeof *obs);
  obs[c->s] = 1.0f;
}
static int co_reset(void *inst, dnt_rng *rng, float *obs) {
  corridor *c = inst;
  c->s = START;
  co_obs(c, obs);
  return 0;
}
static int co_step(void *inst, int a, const float *u, dnt_rng *rng, float *obs, float *reward,
                   float *cost, int *terminated) {
  corridor *c = inst;
  c->s += a ? 1 : -1;
  *terminated = c->s == 0 || c->s == L - 1;
  *reward = c->s == 0 ? 0.5f : c->s == L - 1 ? 1.0f : 0.0f;
  co_obs(c, obs);
  return 0;
}
static const dnt_env_ops corridor_ops = {"corridor", co_create, co_destroy,
                                         co_reset,   co_step,   NULL};

/* Q* by value iteration over the interior states 1..L-2. */
static void optimal_q(double q[L][2]) {
  double v[L] = {0};
  for (int it = 0; it < 1000; it++)
    for (int s = 1; s < L - 1; s++) {
      for (int a = 0; a < 2; a++) {
        int n = s + (a ? 1 : -1);
        double r = n == 0 ? 0.5 : n == L - 1 ? 1.0 : 0.0;
        q[s][a] = r + ((n == 0 || n == L - 1) ? 0.0 : GAMMA * v[n]);
      }
      v[s] = fmax(q[s][0], q[s][1]);
    }
}

static dnt_dqn_config small_config(void) {
  dnt_dqn_config c;
  dnt_dqn_config_default(&c);
  c.hidden[0] = c.hidden[1] = 32;
  c.gamma = (float)GAMMA;
  c.batch = 32;
  c.learning_starts = 500;
  c.train_freq = 1;
  c.target_update = 100;
  c.tau = 1.0f; /* hard copies */
  c.eps_steps = 3000;
  c.eps_end = 0.1f;
  return c;
}

/* Trains for `steps`, then compares Q(s, a) with Q* on every interior state
 * and checks that the greedy policy earns the optimal return. */
static void solves_corridor(const char *what, dnt_dqn_config cfg, int n_envs, int steps) {
  double qs[L][2];
  optimal_q(qs);
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &corridor_ops, NULL, n_envs, 17));
  dnt_dqn *q;
  CHECK_OK(dnt_dqn_create(&cfg, &env, NULL, NULL, 17, &q));
  CHECK_OK(dnt_dqn_train(q, steps));
  float obs[L * L] = {0}, qv[L * 2];
  for (int s = 0; s < L; s++)
    obs[s * L + s] = 1.0f;
  qnet_infer(q->online, obs, L, qv);
  double worst = 0;
  for (int s = 1; s < L - 1; s++)
    for (int a = 0; a < 2; a++)
      worst = fmax(worst, fabs(qv[2 * s + a] - qs[s][a]));
  CHECK_MSG(worst < 0.05, "%s: max |Q - Q*| = %g", what, worst);
  dnt_policy p = dnt_dqn_policy(q);
  dnt_eval_result r;
  CHECK_OK(dnt_policy_evaluate(&p, &corridor_ops, NULL, 2, 4, 99, NULL, &r));
  CHECK_MSG(r.mean_return == 1.0 && r.mean_length == L - 1 - START, "%s: return %g length %g", what,
            r.mean_return, r.mean_length);
  dnt_dqn_destroy(q);
  dnt_vecenv_free(&env);
}

static void test_solves(void) {
  double qs[L][2];
  optimal_q(qs);
  CHECK_NEAR(qs[START][1], pow(GAMMA, L - 2 - START), 1e-12); /* right: gamma^3 = 0.729 */
  CHECK_NEAR(qs[START][0], pow(GAMMA, 5), 1e-12);             /* left once, then right */
  dnt_dqn_config c = small_config();
  c.double_dqn = 0;
  solves_corridor("vanilla", c, 1, 6000);
  c.double_dqn = 1;
  c.dueling = 1;
  solves_corridor("double+dueling", c, 1, 6000);
  c = small_config();
  c.prioritized = 1;
  c.per_beta_steps = 6000;
  solves_corridor("prioritised", c, 1, 6000);
  c = small_config();
  c.tau = 0.05f;
  c.target_update = 1;
  c.eps_decay = DNT_EPS_EXP;
  c.eps_steps = 1000;
  solves_corridor("polyak+exp-eps, 4 envs", c, 4, 8000);
}

/* Double DQN evaluates the target net at the ONLINE net's argmax. */
static void test_double_target(void) {
  const float qt[3 * 3] = {1, 5, 2, /* target argmax 1 */
                           0, 0, 3, /* */
                           7, 6, 8};
  const float qo[3 * 3] = {4, 1, 0, /* online argmax 0 */
                           0, 9, 1, /* argmax 1, but masked: 2 */
                           0, 0, 0};
  const unsigned char mask[3 * 3] = {1, 1, 1, 1, 0, 1, 1, 1, 1};
  const float r[3] = {0.5f, -1.0f, 2.0f};
  const unsigned char term[3] = {0, 0, 1};
  float y[3];
  dnt_dqn_td_targets(3, 3, qt, qo, mask, r, term, 0.5f, y);
  CHECK_NEAR(y[0], 0.5 + 0.5 * 1, 1e-7);  /* Q_target(s', 0), not max = 5 */
  CHECK_NEAR(y[1], -1.0 + 0.5 * 3, 1e-7); /* online argmax among allowed: 2 */
  CHECK_NEAR(y[2], 2.0, 1e-7);            /* terminal: no bootstrap */
  dnt_dqn_td_targets(3, 3, qt, NULL, NULL, r, term, 0.5f, y);
  CHECK_NEAR(y[0], 0.5 + 0.5 * 5, 1e-7); /* vanilla: max of the target */
  CHECK_NEAR(y[1], -1.0 + 0.5 * 3, 1e-7);
  /* the agent's own targets on a constructed batch follow its option */
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &corridor_ops, NULL, 1, 1));
  dnt_dqn_config c = small_config();
  c.batch = 4;
  c.gamma = 0.5f;
  for (int dbl = 0; dbl < 2; dbl++) {
    c.double_dqn = dbl;
    dnt_dqn *q;
    CHECK_OK(dnt_dqn_create(&c, &env, NULL, NULL, 3, &q));
    dnt_replay_batch b;
    CHECK_OK(dnt_replay_batch_init(&b, &q->replay, 4));
    b.n = 4;
    memset(b.next_obs, 0, 4 * L * sizeof(float));
    for (int k = 0; k < 4; k++) {
      b.next_obs[k * L + k + 1] = 1.0f;
      b.reward[k] = 0.25f * (float)k;
      b.terminal[k] = 0;
    }
    /* make the online and target nets disagree on an argmax: perturb the
     * online net until they do (the first perturbation that works) */
    float qnt[8], qno[8];
    size_t n;
    float *p = dnt_dqn_params(q, &n);
    int differs = 0;
    for (int attempt = 1; attempt <= 20 && !differs; attempt++) {
      dnt_vec_copy(p, q->target->params, n);
      for (size_t i = 0; i < n; i++)
        p[i] += 0.3f * (float)sin((double)(i * (size_t)attempt));
      qnet_infer(q->target, b.next_obs, 4, qnt);
      qnet_infer(q->online, b.next_obs, 4, qno);
      for (int k = 0; k < 4; k++)
        differs |= (qno[2 * k + 1] > qno[2 * k]) != (qnt[2 * k + 1] > qnt[2 * k]);
    }
    CHECK(differs); /* the batch distinguishes the two rules */
    float yt[4], want[4];
    CHECK_OK(dnt_dqn_batch_targets(q, &b, yt));
    for (int k = 0; k < 4; k++) {
      int ao = qno[2 * k + 1] > qno[2 * k], at = qnt[2 * k + 1] > qnt[2 * k];
      want[k] = b.reward[k] + 0.5f * qnt[2 * k + (dbl ? ao : at)];
      CHECK_NEAR(yt[k], want[k], 1e-6);
    }
    dnt_replay_batch_free(&b);
    dnt_dqn_destroy(q);
  }
  dnt_vecenv_free(&env);
}

static void test_epsilon(void) {
  dnt_dqn_config c;
  dnt_dqn_config_default(&c);
  c.eps_start = 1.0f;
  c.eps_end = 0.1f;
  c.eps_steps = 1000;
  CHECK_NEAR(dnt_dqn_epsilon_at(&c, 0), 1.0, 1e-7);
  CHECK_NEAR(dnt_dqn_epsilon_at(&c, 500), 0.55, 1e-6);
  CHECK_NEAR(dnt_dqn_epsilon_at(&c, 1000), 0.1, 1e-7);
  CHECK_NEAR(dnt_dqn_epsilon_at(&c, 5000), 0.1, 1e-7);
  c.eps_decay = DNT_EPS_EXP;
  CHECK_NEAR(dnt_dqn_epsilon_at(&c, 1000), 0.1 + 0.9 * exp(-1.0), 1e-6);
  c.eps_steps = 0;
  CHECK(dnt_dqn_config_check(&c) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "eps_steps") != NULL);
}

/* Same seed, same parameters; the checkpoint round-trips and the reloaded
 * agent acts identically; another architecture is refused. */
static void test_checkpoint_and_determinism(void) {
  dnt_chain_cfg cc = {6, -0.01f, 1.0f, 0};
  dnt_vecenv e1, e2;
  CHECK_OK(dnt_vecenv_init(&e1, &dnt_env_chain, &cc, 2, 4));
  CHECK_OK(dnt_vecenv_init(&e2, &dnt_env_chain, &cc, 2, 4));
  dnt_dqn_config c = small_config();
  dnt_dqn *a, *b;
  CHECK_OK(dnt_dqn_create(&c, &e1, NULL, NULL, 8, &a));
  CHECK_OK(dnt_dqn_create(&c, &e2, NULL, NULL, 8, &b));
  CHECK_OK(dnt_dqn_train(a, 1500));
  CHECK_OK(dnt_dqn_train(b, 1500));
  size_t na, nb;
  float *pa = dnt_dqn_params(a, &na), *pb = dnt_dqn_params(b, &nb);
  CHECK(na == nb && memcmp(pa, pb, na * sizeof(float)) == 0 && a->updates > 0);
  dnt_dqn_destroy(b);

  const char *path = DNT_BINARY_DIR "/test_rl_dqn.ckpt";
  CHECK_OK(dnt_dqn_save(a, path));
  dnt_dqn *r;
  CHECK_OK(dnt_dqn_create(&c, &e2, NULL, NULL, 999, &r));
  float *pr = dnt_dqn_params(r, &nb);
  CHECK(memcmp(pa, pr, na * sizeof(float)) != 0);
  CHECK_OK(dnt_dqn_load(r, path));
  CHECK(memcmp(pa, pr, na * sizeof(float)) == 0);
  dnt_rng rng;
  dnt_rng_seed(&rng, 5);
  float obs[64 * 6];
  for (int k = 0; k < 64 * 6; k++)
    obs[k] = (float)dnt_rng_normal(&rng, 0, 1);
  int act_a[64], act_r[64];
  CHECK_OK(dnt_dqn_act(a, obs, NULL, 64, act_a));
  CHECK_OK(dnt_dqn_act(r, obs, NULL, 64, act_r));
  CHECK(memcmp(act_a, act_r, sizeof act_a) == 0);
  dnt_dqn_destroy(r);
  c.dueling = 1;
  CHECK_OK(dnt_dqn_create(&c, &e2, NULL, NULL, 1, &r));
  CHECK(dnt_dqn_load(r, path) == DNT_ERR_MISMATCH);
  dnt_dqn_destroy(r);
  dnt_dqn_destroy(a);
  dnt_vecenv_free(&e1);
  dnt_vecenv_free(&e2);
  remove(path);
  /* a continuous env is refused */
  dnt_vecenv pe;
  CHECK_OK(dnt_vecenv_init(&pe, &dnt_env_pendulum, NULL, 1, 1));
  CHECK(dnt_dqn_create(&c, &pe, NULL, NULL, 1, &r) == DNT_ERR_ARG);
  dnt_vecenv_free(&pe);
}

/* The initial weights are those of stream NET_INIT cfg.agent, and another
 * agent index gives other weights and another exploration. */
static void test_agent_streams(void) {
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &corridor_ops, NULL, 1, 1));
  dnt_dqn_config c = small_config();
  dnt_dqn *a0, *a1;
  CHECK_OK(dnt_dqn_create(&c, &env, NULL, NULL, 11, &a0));
  c.agent = 1;
  CHECK_OK(dnt_dqn_create(&c, &env, NULL, NULL, 11, &a1));
  dnt_qnet *ref;
  CHECK_OK(qnet_create(L, 2, c.hidden, c.n_hidden, c.dueling, 1, &ref));
  dnt_rng init;
  dnt_rng_for(&init, 11, DNT_STREAM_NET_INIT, 0);
  qnet_init(ref, &init);
  size_t n0, n1;
  const float *p0 = dnt_dqn_params(a0, &n0), *p1 = dnt_dqn_params(a1, &n1);
  CHECK(n0 == ref->n_params && memcmp(p0, ref->params, n0 * sizeof(float)) == 0);
  CHECK(n0 == n1 && memcmp(p0, p1, n0 * sizeof(float)) != 0);
  /* exploration: stream AGENT 0 vs AGENT 1 */
  dnt_rng r0, r1;
  dnt_rng_for(&r0, 11, DNT_STREAM_AGENT, 0);
  dnt_rng_for(&r1, 11, DNT_STREAM_AGENT, 1);
  CHECK(memcmp(a0->rng.s, r0.s, sizeof r0.s) == 0 && memcmp(a1->rng.s, r1.s, sizeof r1.s) == 0);
  qnet_destroy(ref);
  dnt_dqn_destroy(a0);
  dnt_dqn_destroy(a1);
  dnt_vecenv_free(&env);
}

/* A non-finite loss is reported before the parameters, Adam's moments or the
 * priorities change (a NaN reward stands for any diverged input). */
static void test_nan_update(void) {
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &corridor_ops, NULL, 1, 1));
  dnt_dqn_config c = small_config();
  c.batch = 4;
  c.prioritized = 1;
  dnt_dqn *q;
  CHECK_OK(dnt_dqn_create(&c, &env, NULL, NULL, 3, &q));
  float obs[L] = {0}, next[L] = {0};
  obs[2] = next[3] = 1.0f;
  for (int k = 0; k < 4; k++)
    dnt_replay_add(&q->replay, obs, 1, NULL, 0.5f, NULL, next, 0, NULL);
  CHECK_OK(dnt_dqn_update(q));
  size_t n;
  float *p = dnt_dqn_params(q, &n);
  float *before = malloc(n * sizeof *before);
  memcpy(before, p, n * sizeof *before);
  double root = q->replay.sum_tree[1];
  for (int k = 0; k < 4; k++)
    q->replay.reward[k] = NAN;
  CHECK(dnt_dqn_update(q) == DNT_ERR_NUMERIC);
  CHECK(strstr(dnt_last_error(), "loss") != NULL);
  CHECK(memcmp(before, p, n * sizeof *before) == 0 && q->opt.t == 1);
  CHECK(q->replay.sum_tree[1] == root);
  free(before);
  dnt_dqn_destroy(q);
  dnt_vecenv_free(&env);
}

int main(void) {
  test_agent_streams();
  test_nan_update();
  test_double_target();
  test_epsilon();
  test_checkpoint_and_determinism();
  test_solves();
  return test_done("rl.dqn");
}
