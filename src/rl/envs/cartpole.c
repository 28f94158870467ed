/* src/rl/envs/cartpole.c: CartPole-v1, exactly as Gymnasium's cartpole.py
 * (Barto, Sutton and Anderson 1983; equations of Florian 2007, "Correct
 * equations for the dynamics of the cart-pole system"). The state stays in
 * double precision between steps and is rounded to float32 only for the
 * observation, as Gymnasium does. */
#include <math.h>
#include <stdlib.h>

#include "dnt/envs.h"
#include "dnt/status.h"

#define GRAVITY 9.8
#define MASSCART 1.0
#define MASSPOLE 0.1
#define TOTAL_MASS (MASSPOLE + MASSCART)
#define LENGTH 0.5 /* half the pole's length */
#define POLEMASS_LENGTH (MASSPOLE * LENGTH)
#define FORCE_MAG 10.0
#define TAU 0.02
#define THETA_THRESHOLD (12.0 * 2.0 * M_PI / 360.0)
#define X_THRESHOLD 2.4

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

static int cp_step(void *inst, int a, const float *u, dnt_rng *rng, float *obs, float *reward,
                   float *cost, int *terminated) {
  dnt_cartpole *c = inst;
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
  *terminated = c->x < -X_THRESHOLD || c->x > X_THRESHOLD || c->theta < -THETA_THRESHOLD ||
                c->theta > THETA_THRESHOLD;
  *reward = 1.0f; /* the terminating step included */
  cost[0] = fabs(c->x) > c->cost_x ? 1.0f : 0.0f;
  observe(c, obs);
  return 0;
}

const dnt_env_ops dnt_env_cartpole = {
    .name = "cartpole",
    .create = cp_create,
    .destroy = cp_destroy,
    .reset = cp_reset,
    .step = cp_step,
    .mask = NULL,
};
