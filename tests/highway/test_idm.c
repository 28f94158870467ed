/* tests/highway/test_idm.c: the IDM against hand-computed values and its
 * closed forms (free-road acceleration, equilibrium gap, stopping at s0). */
#include <math.h>

#include "dnt/highway.h"
#include "dnt/status.h"
#include "test.h"

int main(void) {
  dnt_hw_idm p, q;
  dnt_hw_idm_highway(&p);
  dnt_hw_idm_snowy(&q);
  CHECK_OK(dnt_hw_idm_check(&p));
  CHECK_OK(dnt_hw_idm_check(&q));
  CHECK_NEAR(p.v0, 33.3333333333, 1e-9);
  CHECK_NEAR(q.T, 0.588, 0);

  /* Hand case: v 20, leader 15, gap 30 (s* = 22 + 100 / (2 sqrt 2.5) = 53.6228):
   * a = 1 - 0.6^4 - (53.6228 / 30)^2. */
  CHECK_NEAR(dnt_hw_idm_accel(&p, 30, 20, 15), -2.3244913005267636, 1e-12);

  /* Free road: a (1 - (v/v0)^4), for both presets and several speeds. */
  for (double v = 0; v < 31; v += 5) {
    CHECK_NEAR(dnt_hw_idm_accel(&p, 1e12, v, v), p.a * (1 - pow(v / p.v0, 4)), 1e-9);
    CHECK_NEAR(dnt_hw_idm_accel(&q, 1e12, v, v), q.a * (1 - pow(v / q.v0, 4)), 1e-9);
  }
  /* Equilibrium: zero acceleration at s_e(v) with the leader at the same speed;
   * snowy at 20 m/s: (2.848 + 20 * 0.588) / sqrt(1 - (20 / 31.42)^4) = 15.97835. */
  CHECK_NEAR(dnt_hw_idm_equilibrium_gap(&q, 20), 15.978349862092166, 1e-9);
  for (double v = 1; v < 30; v += 3) {
    double s = dnt_hw_idm_equilibrium_gap(&p, v);
    CHECK_NEAR(dnt_hw_idm_accel(&p, s, v, v), 0, 1e-12);
    CHECK(dnt_hw_idm_accel(&p, s * 0.9, v, v) < 0);
    CHECK(dnt_hw_idm_accel(&p, s * 1.1, v, v) > 0);
  }
  /* Standing behind a stopped leader: at rest at s0 the acceleration is zero. */
  CHECK_NEAR(dnt_hw_idm_equilibrium_gap(&p, 0), p.s0, 1e-12);
  CHECK_NEAR(dnt_hw_idm_accel(&p, p.s0, 0, 0), 0, 1e-12);
  CHECK(dnt_hw_idm_accel(&p, 0, 10, 10) < -1e6);

  /* Bad parameters are refused naming the field. */
  dnt_hw_idm bad = p;
  bad.b = 0;
  CHECK(dnt_hw_idm_check(&bad) == DNT_ERR_ARG);
  bad = p;
  bad.s0 = NAN;
  CHECK(dnt_hw_idm_check(&bad) == DNT_ERR_ARG);
  return test_done("highway.idm");
}
