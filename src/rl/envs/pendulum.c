/* src/rl/envs/pendulum.c: Pendulum-v1, exactly as Gymnasium's pendulum.py.
 *
 * Source checked line by line (Gymnasium 1.0):
 *   gymnasium/envs/classic_control/pendulum.py, PendulumEnv.__init__:
 *     max_speed 8, max_torque 2.0, dt 0.05, g (argument, default 10.0),
 *     m 1.0, l 1.0; action Box(-2, 2, (1,), float32);
 *   PendulumEnv.step:
 *     u = np.clip(u, -max_torque, max_torque)[0]
 *     costs = angle_normalize(th) ** 2 + 0.1 * thdot**2 + 0.001 * (u**2)
 *     newthdot = thdot + (3 * g / (2 * l) * np.sin(th) + 3.0 / (m * l**2) * u) * dt
 *     newthdot = np.clip(newthdot, -max_speed, max_speed)
 *     newth = th + newthdot * dt;  returns (obs, -costs, False, False)
 *   (the cost uses the state BEFORE the update; th itself is never wrapped);
 *   PendulumEnv.reset: state = np_random.uniform(-[pi, 1], [pi, 1]);
 *   PendulumEnv._get_obs: float32 (cos th, sin th, thdot);
 *   angle_normalize(x) = ((x + np.pi) % (2 * np.pi)) - np.pi;
 *   gymnasium/envs/__init__.py: register(id="Pendulum-v1", max_episode_steps=200).
 * The one deliberate difference: u is the action's float32, so NumPy rounds
 * u**2 (and, under NumPy 2's promotion rules, 3.0 / (m * l**2) * u) to
 * float32; here every term is double, a difference of one float32 rounding
 * (relative 6e-8) in those terms only.
 * tests/rl/test_env.c compares steps with values computed by that code. */
#include <math.h>
#include <stdlib.h>

#include "dnt/envs.h"
#include "dnt/status.h"

#define MAX_SPEED 8.0
#define MAX_TORQUE 2.0
#define DT 0.05
#define MASS 1.0
#define LEN 1.0

double dnt_angle_normalize(double x) {
  /* ((x + pi) % (2 pi)) - pi with Python's floor modulo (result in [0, 2 pi)) */
  double m = fmod(x + M_PI, 2.0 * M_PI);
  if (m < 0) m += 2.0 * M_PI;
  return m - M_PI;
}

static double clip(double x, double lo, double hi) {
  return x < lo ? lo : x > hi ? hi : x;
}

static void observe(const dnt_pendulum *p, float *obs) {
  obs[0] = (float)cos(p->th);
  obs[1] = (float)sin(p->th);
  obs[2] = (float)p->thdot;
}

static int pd_create(const void *cfg, dnt_env_spec *spec, void **inst) {
  const dnt_pendulum_cfg *c = cfg;
  if (c && !(c->g > 0 && isfinite(c->g)))
    return dnt_error(DNT_ERR_ARG, "pendulum: g = %g: expected a finite value > 0", c->g);
  dnt_pendulum *p = calloc(1, sizeof *p);
  if (!p) return dnt_error(DNT_ERR_NOMEM, "pendulum: instance");
  p->g = c ? c->g : 10.0;
  spec->name = "Pendulum-v1";
  spec->obs_dim = 3;
  spec->act_dim = 1;
  spec->act_low[0] = (float)-MAX_TORQUE;
  spec->act_high[0] = (float)MAX_TORQUE;
  spec->max_steps = 200;
  *inst = p;
  return 0;
}

static void pd_destroy(void *inst) {
  free(inst);
}

static int pd_reset(void *inst, dnt_rng *rng, float *obs) {
  dnt_pendulum *p = inst;
  p->th = -M_PI + 2.0 * M_PI * dnt_rng_uniform(rng);
  p->thdot = -1.0 + 2.0 * dnt_rng_uniform(rng);
  observe(p, obs);
  return 0;
}

static int pd_step(void *inst, int a, const float *u_in, dnt_rng *rng, float *obs, float *reward,
                   float *cost, int *terminated) {
  dnt_pendulum *p = inst;
  double u = clip(u_in[0], -MAX_TORQUE, MAX_TORQUE);
  double th_n = dnt_angle_normalize(p->th);
  double costs = th_n * th_n + 0.1 * p->thdot * p->thdot + 0.001 * u * u;
  double newthdot =
      p->thdot + (3.0 * p->g / (2.0 * LEN) * sin(p->th) + 3.0 / (MASS * LEN * LEN) * u) * DT;
  newthdot = clip(newthdot, -MAX_SPEED, MAX_SPEED);
  p->th = p->th + newthdot * DT;
  p->thdot = newthdot;
  *reward = (float)-costs;
  *terminated = 0;
  observe(p, obs);
  return 0;
}

/* The state for a resumed run: th, thdot (g is config). */
static int pd_save(const void *inst, dnt_pack *p) {
  const dnt_pendulum *d = inst;
  double s[2] = {d->th, d->thdot};
  return dnt_pack_f64s(p, s, 2);
}

static int pd_load(void *inst, dnt_unpack *u) {
  dnt_pendulum *d = inst;
  double s[2];
  int rc = dnt_unpack_f64s(u, "pendulum state", s, 2);
  d->th = s[0], d->thdot = s[1];
  return rc;
}

const dnt_env_ops dnt_env_pendulum = {
    .name = "pendulum",
    .create = pd_create,
    .destroy = pd_destroy,
    .reset = pd_reset,
    .step = pd_step,
    .mask = NULL,
    .save = pd_save,
    .load = pd_load,
};
