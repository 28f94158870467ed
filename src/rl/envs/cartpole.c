/* src/rl/envs/cartpole.c: CartPole-v1, exactly as Gymnasium's cartpole.py
 * (Barto, Sutton and Anderson 1983; equations of Florian 2007, "Correct
 * equations for the dynamics of the cart-pole system"). The state stays in
 * double precision between steps and is rounded to float32 only for the
 * observation, as Gymnasium does.
 *
 * Source checked line by line (Gymnasium 1.0):
 *   gymnasium/envs/classic_control/cartpole.py, CartPoleEnv.__init__: the
 *     constants below (gravity, masscart, masspole, length = half the pole,
 *     force_mag, tau, kinematics_integrator "euler",
 *     theta_threshold_radians = 12 * 2 * math.pi / 360, x_threshold = 2.4);
 *   CartPoleEnv.step: temp, thetaacc, xacc and the Euler update in cp_step,
 *     terminated = x < -x_threshold or x > x_threshold or theta <
 *     -theta_threshold_radians or theta > theta_threshold_radians, reward 1.0
 *     (also on the terminating step), observation np.array(state, float32);
 *   CartPoleEnv.reset: state = np_random.uniform(-0.05, 0.05, size=(4,));
 *   gymnasium/envs/__init__.py: register(id="CartPole-v1",
 *     max_episode_steps=500, reward_threshold=475.0).
 * tests/rl/test_env.c compares steps with values computed by that code. */
#include <math.h>
#include <stdlib.h>

#include "dnt/envs.h"
#include "dnt/status.h"

#define GRAVITY 9.8  /* self.gravity */
#define MASSCART 1.0 /* self.masscart */
#define MASSPOLE 0.1 /* self.masspole */
#define TOTAL_MASS (MASSPOLE + MASSCART)
#define LENGTH 0.5 /* self.length: "actually half the pole's length" */
#define POLEMASS_LENGTH (MASSPOLE * LENGTH)
#define FORCE_MAG 10.0                              /* self.force_mag */
#define TAU 0.02                                    /* self.tau, seconds between state updates */
#define THETA_THRESHOLD (12.0 * 2.0 * M_PI / 360.0) /* 12 degrees */
#define X_THRESHOLD 2.4                             /* self.x_threshold */

static void observe(const dnt_cartpole *c, float *obs) {
  obs[0] = (float)c->x;
  obs[1] = (float)c->x_dot;
  obs[2] = (float)c->theta;
  obs[3] = (float)c->theta_dot;
}

static int cp_create(const void *cfg, dnt_env_spec *spec, void **inst) {
  const dnt_cartpole_cfg *c = cfg;
  if (c && !(c->cost_x > 0))
    return dnt_error(DNT_ERR_ARG, "cartpole: cost_x = %g: expected > 0", c->cost_x);
  dnt_cartpole *s = calloc(1, sizeof *s);
  if (!s) return dnt_error(DNT_ERR_NOMEM, "cartpole: instance");
  s->cost_x = c ? c->cost_x : 1.0;
  spec->name = "CartPole-v1";
  spec->obs_dim = 4;
  spec->n_actions = 2;
  spec->n_costs = 1;
  spec->max_steps = 500;
  *inst = s;
  return 0;
}

static void cp_destroy(void *inst) {
  free(inst);
}

static int cp_reset(void *inst, dnt_rng *rng, float *obs) {
  dnt_cartpole *c = inst;
  double *s[4] = {&c->x, &c->x_dot, &c->theta, &c->theta_dot};
  for (int k = 0; k < 4; k++)
    *s[k] = -0.05 + 0.1 * dnt_rng_uniform(rng);
  observe(c, obs);
  return 0;
}

void dnt_cartpole_predict(const dnt_cartpole *s, int a, dnt_cartpole *next) {
  dnt_cartpole *c = next;
  *c = *s;
  double force = a == 1 ? FORCE_MAG : -FORCE_MAG;
  double costheta = cos(c->theta), sintheta = sin(c->theta);
  double temp = (force + POLEMASS_LENGTH * c->theta_dot * c->theta_dot * sintheta) / TOTAL_MASS;
  double thetaacc = (GRAVITY * sintheta - costheta * temp) /
                    (LENGTH * (4.0 / 3.0 - MASSPOLE * costheta * costheta / TOTAL_MASS));
  double xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS;
  /* explicit Euler, Gymnasium's default kinematics_integrator */
  c->x = c->x + TAU * c->x_dot;
  c->x_dot = c->x_dot + TAU * xacc;
  c->theta = c->theta + TAU * c->theta_dot;
  c->theta_dot = c->theta_dot + TAU * thetaacc;
}

static int cp_step(void *inst, int a, const float *u, dnt_rng *rng, float *obs, float *reward,
                   float *cost, int *terminated) {
  dnt_cartpole *c = inst;
  dnt_cartpole_predict(c, a, c);
  *terminated = c->x < -X_THRESHOLD || c->x > X_THRESHOLD || c->theta < -THETA_THRESHOLD ||
                c->theta > THETA_THRESHOLD;
  *reward = 1.0f; /* the terminating step included */
  cost[0] = fabs(c->x) > c->cost_x ? 1.0f : 0.0f;
  observe(c, obs);
  return 0;
}

/* The state for a resumed run: x, x_dot, theta, theta_dot (cost_x is config). */
static int cp_save(const void *inst, dnt_pack *p) {
  const dnt_cartpole *c = inst;
  double s[4] = {c->x, c->x_dot, c->theta, c->theta_dot};
  return dnt_pack_f64s(p, s, 4);
}

static int cp_load(void *inst, dnt_unpack *u) {
  dnt_cartpole *c = inst;
  double s[4];
  int rc = dnt_unpack_f64s(u, "cartpole state", s, 4);
  c->x = s[0], c->x_dot = s[1], c->theta = s[2], c->theta_dot = s[3];
  return rc;
}

const dnt_env_ops dnt_env_cartpole = {
    .name = "cartpole",
    .create = cp_create,
    .destroy = cp_destroy,
    .reset = cp_reset,
    .step = cp_step,
    .mask = NULL,
    .save = cp_save,
    .load = cp_load,
};
