/* tests/rl/test_td3.c: TD3 and DDPG solve a 1-D continuous control task whose
 * optimal return is known in closed form; the actor's actions respect the
 * environment's bounds; checkpoints round-trip; same seed, same parameters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "dnt/status.h"
#include "dnt/td3.h"

/* x' = clip(x + 0.5 u, -2, 2) with u in [-2, 2] (a push of at most 1);
 * reward -(x')^2; start x ~ U(-1.5, 1.5); 10 steps. The optimal policy
 * u = clip(-2 x, -2, 2) reaches 0 in one step when |x| <= 1, so the optimal
 * expected return is E[-(max(0, |x0| - 1))^2] = -(0.5^3 / 3) / 1.5 = -1/36. */
typedef struct drive {
  double x;
} drive;

static int dr_create(const void *cfg, dnt_env_spec *spec, void **inst) {
  *inst = calloc(1, sizeof(drive));
  spec->name = "drive-to-zero";
  spec->obs_dim = 1;
  spec->act_dim = 1;
  spec->act_low[0] = -2.0f;
  spec->act_high[0] = 2.0f;
  spec->max_steps = 10;
  return 0;
}
static void dr_destroy(void *inst) {
  free(inst);
}
static int dr_reset(void *inst, dnt_rng *rng, float *obs) {
  drive *d = inst;
  d->x = -1.5 + 3.0 * dnt_rng_uniform(rng);
  obs[0] = (float)d->x;
  return 0;
}
static int dr_step(void *inst, int a, const float *u, dnt_rng *rng, float *obs, float *reward,
                   float *cost, int *terminated) {
  drive *d = inst;
  if (u[0] < -2.0f || u[0] > 2.0f) return dnt_error(DNT_ERR_ARG, "action %g out of bounds", u[0]);
  d->x = fmin(2.0, fmax(-2.0, d->x + 0.5 * u[0]));
  *reward = (float)(-d->x * d->x);
  *terminated = 0;
  obs[0] = (float)d->x;
  return 0;
}
static const dnt_env_ops drive_ops = {"drive", dr_create, dr_destroy, dr_reset, dr_step, NULL};

static dnt_td3_config small(int ddpg) {
  dnt_td3_config c;
  if (ddpg)
    dnt_ddpg_config_default(&c);
  else
    dnt_td3_config_default(&c);
  c.hidden[0] = c.hidden[1] = 32;
  c.gamma = 0.9f;
  c.batch = 64;
  c.learning_starts = 500;
  c.actor_lr = c.critic_lr = 3e-3f;
  c.tau = 0.02f;
  return c;
}

static void solves(const char *what, int ddpg) {
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &drive_ops, NULL, 2, 31));
  dnt_td3_config c = small(ddpg);
  dnt_td3 *t;
  CHECK_OK(dnt_td3_create(&c, &env, NULL, NULL, 31, &t));
  CHECK(t->n_critic == (size_t)(ddpg ? 1 : 2) * (2 * 32 + 32 + 32 * 32 + 32 + 32 + 1));
  CHECK_OK(dnt_td3_train(t, 8000));
  dnt_policy p = dnt_td3_policy(t);
  dnt_eval_result r;
  CHECK_OK(dnt_policy_evaluate(&p, &drive_ops, NULL, 4, 100, 77, NULL, &r));
  /* optimal -1/36 = -0.028; doing nothing scores about -7.5 */
  CHECK_MSG(r.mean_return > -0.15, "%s: mean return %g (optimal %g)", what, r.mean_return,
            -1.0 / 36);
  /* the policy pushes toward 0 with the right sign, saturating at the bounds */
  float obs[3] = {-1.2f, 0.3f, 1.4f}, u[3];
  CHECK_OK(dnt_td3_act(t, obs, 3, u));
  CHECK_MSG(u[0] > 1.5f && u[0] <= 2.0f && fabsf(u[1] + 0.6f) < 0.25f && u[2] < -1.5f &&
                u[2] >= -2.0f,
            "%s: u = %g %g %g", what, u[0], u[1], u[2]);
  dnt_td3_destroy(t);
  dnt_vecenv_free(&env);
}

static void test_checkpoint_and_determinism(void) {
  dnt_vecenv e1, e2;
  CHECK_OK(dnt_vecenv_init(&e1, &drive_ops, NULL, 1, 5));
  CHECK_OK(dnt_vecenv_init(&e2, &drive_ops, NULL, 1, 5));
  dnt_td3_config c = small(0);
  c.learning_starts = 100;
  dnt_td3 *a, *b;
  CHECK_OK(dnt_td3_create(&c, &e1, NULL, NULL, 9, &a));
  CHECK_OK(dnt_td3_create(&c, &e2, NULL, NULL, 9, &b));
  CHECK_OK(dnt_td3_train(a, 400));
  CHECK_OK(dnt_td3_train(b, 400));
  size_t na, nb;
  float *pa = dnt_td3_params(a, &na), *pb = dnt_td3_params(b, &nb);
  CHECK(na == nb && memcmp(pa, pb, na * sizeof(float)) == 0 && a->updates == 301);
  /* the target vector moved by Polyak steps only: it differs from both */
  CHECK(memcmp(a->tparams, pa, na * sizeof(float)) != 0);
  dnt_td3_destroy(b);
  const char *path = DNT_BINARY_DIR "/test_rl_td3.ckpt";
  CHECK_OK(dnt_td3_save(a, path));
  CHECK_OK(dnt_td3_create(&c, &e2, NULL, NULL, 1234, &b));
  CHECK_OK(dnt_td3_load(b, path));
  pb = dnt_td3_params(b, &nb);
  CHECK(memcmp(pa, pb, na * sizeof(float)) == 0 && memcmp(b->tparams, pb, na * sizeof(float)) == 0);
  float obs[16], ua[16], ub[16];
  for (int k = 0; k < 16; k++)
    obs[k] = -1.5f + 0.2f * (float)k;
  CHECK_OK(dnt_td3_act(a, obs, 16, ua));
  CHECK_OK(dnt_td3_act(b, obs, 16, ub));
  CHECK(memcmp(ua, ub, sizeof ua) == 0);
  dnt_td3_destroy(b);
  c = small(1); /* DDPG has one critic: another architecture */
  CHECK_OK(dnt_td3_create(&c, &e2, NULL, NULL, 1, &b));
  CHECK(dnt_td3_load(b, path) == DNT_ERR_MISMATCH);
  dnt_td3_destroy(b);
  dnt_td3_destroy(a);
  remove(path);
  c.policy_delay = 0;
  CHECK(dnt_td3_create(&c, &e2, NULL, NULL, 1, &b) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "policy_delay") != NULL);
  dnt_vecenv_free(&e1);
  dnt_vecenv_free(&e2);
}

/* A non-finite critic loss is reported before any parameter changes. */
static void test_nan_update(void) {
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &drive_ops, NULL, 1, 5));
  dnt_td3_config c = small(0);
  c.batch = 4;
  dnt_td3 *t;
  CHECK_OK(dnt_td3_create(&c, &env, NULL, NULL, 9, &t));
  float o = 0.5f, next = 0.25f, a = -0.5f;
  for (int k = 0; k < 4; k++)
    dnt_replay_add(&t->replay, &o, 0, &a, -0.1f, NULL, &next, 0, NULL);
  CHECK_OK(dnt_td3_update(t));
  size_t n;
  float *p = dnt_td3_params(t, &n);
  float *before = malloc(n * sizeof *before);
  memcpy(before, p, n * sizeof *before);
  for (int k = 0; k < 4; k++)
    t->replay.reward[k] = NAN;
  CHECK(dnt_td3_update(t) == DNT_ERR_NUMERIC);
  CHECK(strstr(dnt_last_error(), "critic loss") != NULL);
  CHECK(memcmp(before, p, n * sizeof *before) == 0 && t->critic_opt.t == 1);
  free(before);
  dnt_td3_destroy(t);
  dnt_vecenv_free(&env);
}

int main(void) {
  test_nan_update();
  test_checkpoint_and_determinism();
  solves("TD3", 0);
  solves("DDPG", 1);
  return test_done("rl.td3");
}
