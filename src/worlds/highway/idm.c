/* src/worlds/highway/idm.c: the Intelligent Driver Model (Treiber, Hennecke
 * and Helbing 2000) and its presets (dnt/highway.h). */
#include <math.h>

#include "dnt/highway.h"
#include "dnt/status.h"

void dnt_hw_idm_highway(dnt_hw_idm *p) {
  *p = (dnt_hw_idm){.v0 = 120.0 / 3.6, .T = 1.0, .s0 = 2.0, .a = 1.0, .b = 2.5, .delta = 4.0};
}

void dnt_hw_idm_snowy(dnt_hw_idm *p) {
  *p = (dnt_hw_idm){.v0 = 31.42, .T = 0.588, .s0 = 2.848, .a = 0.863, .b = 1.567, .delta = 4.0};
}

int dnt_hw_idm_check(const dnt_hw_idm *p) {
  const struct {
    const char *name;
    double v, min;
    int strict;
  } f[] = {{"v0", p->v0, 0, 1}, {"T", p->T, 0, 1}, {"s0", p->s0, 0, 0},
           {"a", p->a, 0, 1},   {"b", p->b, 0, 1}, {"delta", p->delta, 0, 1}};
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    if (!isfinite(f[i].v) || f[i].v < f[i].min || (f[i].strict && f[i].v <= f[i].min))
      return dnt_error(DNT_ERR_ARG, "IDM parameter %s = %g must be %s 0", f[i].name, f[i].v,
                       f[i].strict ? ">" : ">=");
  }
  return DNT_OK;
}

static double desired_gap(const dnt_hw_idm *p, double v, double v_lead) {
  double dyn = v * p->T + v * (v - v_lead) / (2.0 * sqrt(p->a * p->b));
  return p->s0 + (dyn > 0 ? dyn : 0);
}

double dnt_hw_idm_accel(const dnt_hw_idm *p, double s, double v, double v_lead) {
  if (s <= 0) return -1e9;
  double ss = desired_gap(p, v, v_lead) / s;
  return p->a * (1.0 - pow(v / p->v0, p->delta) - ss * ss);
}

double dnt_hw_idm_equilibrium_gap(const dnt_hw_idm *p, double v) {
  return desired_gap(p, v, v) / sqrt(1.0 - pow(v / p->v0, p->delta));
}
