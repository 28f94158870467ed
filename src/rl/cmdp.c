/* src/rl/cmdp.c: Lagrange multipliers of a constrained MDP (dnt/cmdp.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/cmdp.h"
#include "dnt/status.h"

int dnt_cmdp_init(dnt_cmdp *c, int n, const double *threshold, dnt_lagrange_kind kind, double lr,
                  double kp, double ki, double kd, double lambda_max) {
  memset(c, 0, sizeof *c);
  if (n < 1) return dnt_error(DNT_ERR_ARG, "cmdp: %d constraints: expected >= 1", n);
  if (kind != DNT_LAGRANGE_DUAL && kind != DNT_LAGRANGE_PID)
    return dnt_error(DNT_ERR_ARG, "cmdp: kind = %d: expected DUAL or PID", (int)kind);
  if (kind == DNT_LAGRANGE_DUAL && !(lr > 0 && isfinite(lr)))
    return dnt_error(DNT_ERR_ARG, "cmdp: lr = %g: expected a finite value > 0", lr);
  if (kind == DNT_LAGRANGE_PID && !(kp >= 0 && ki >= 0 && kd >= 0 && kp + ki + kd > 0))
    return dnt_error(DNT_ERR_ARG, "cmdp: PID gains (%g, %g, %g): expected >= 0, not all 0", kp, ki,
                     kd);
  if (!(lambda_max > 0))
    return dnt_error(DNT_ERR_ARG, "cmdp: lambda_max = %g: expected > 0", lambda_max);
  for (int i = 0; i < n; i++)
    if (!isfinite(threshold[i]))
      return dnt_error(DNT_ERR_ARG, "cmdp: threshold[%d] = %g: expected finite", i, threshold[i]);
  double *block = calloc(6 * (size_t)n, sizeof *block);
  if (!block) return dnt_error(DNT_ERR_NOMEM, "cmdp: %d constraints", n);
  c->n = n;
  c->kind = kind;
  c->lr = lr;
  c->kp = kp;
  c->ki = ki;
  c->kd = kd;
  c->lambda_max = lambda_max;
  c->threshold = block;
  c->lambda = block + n;
  c->integral = block + 2 * n;
  c->prev_j = block + 3 * n;
  c->cost_sum = block + 4 * n;
  c->last_j = block + 5 * n;
  memcpy(c->threshold, threshold, (size_t)n * sizeof *threshold);
  return 0;
}

void dnt_cmdp_free(dnt_cmdp *c) {
  free(c->threshold); /* the block holding every array */
  memset(c, 0, sizeof *c);
}

/* A NaN cost or estimate would reach lambda as max(0, NaN) = 0: the
 * multiplier would silently reset, so both are refused before any change. */
int dnt_cmdp_observe(dnt_cmdp *c, const float *cost) {
  for (int i = 0; i < c->n; i++)
    if (!isfinite(cost[i]))
      return dnt_error(DNT_ERR_NUMERIC, "cmdp: cost %d = %g: expected finite", i, (double)cost[i]);
  for (int i = 0; i < c->n; i++)
    c->cost_sum[i] += cost[i];
  c->count++;
  return 0;
}

int dnt_cmdp_update_with(dnt_cmdp *c, const double *j) {
  for (int i = 0; i < c->n; i++)
    if (!isfinite(j[i]))
      return dnt_error(DNT_ERR_NUMERIC, "cmdp: J of constraint %d = %g: expected finite", i, j[i]);
  for (int i = 0; i < c->n; i++) {
    double delta = j[i] - c->threshold[i], lam;
    if (c->kind == DNT_LAGRANGE_DUAL) {
      lam = c->lambda[i] + c->lr * delta;
    } else {
      c->integral[i] = fmax(0.0, c->integral[i] + delta);
      double deriv = c->updates > 0 ? fmax(0.0, j[i] - c->prev_j[i]) : 0.0;
      lam = c->kp * delta + c->ki * c->integral[i] + c->kd * deriv;
    }
    c->lambda[i] = fmin(c->lambda_max, fmax(0.0, lam));
    c->prev_j[i] = j[i];
    c->last_j[i] = j[i];
  }
  c->updates++;
  return 0;
}

int dnt_cmdp_update(dnt_cmdp *c) {
  if (c->count == 0) return 0;
  for (int i = 0; i < c->n; i++)
    c->cost_sum[i] /= (double)c->count;
  int rc = dnt_cmdp_update_with(c, c->cost_sum);
  memset(c->cost_sum, 0, (size_t)c->n * sizeof *c->cost_sum);
  c->count = 0;
  return rc;
}

float dnt_cmdp_reward(const dnt_cmdp *c, float r, const float *cost) {
  double e = r;
  for (int i = 0; i < c->n; i++)
    e -= c->lambda[i] * cost[i];
  return (float)e;
}
