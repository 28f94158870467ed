/* dnt/cmdp.h: Lagrangian relaxation of a constrained MDP.
 *
 * A CMDP (Altman 1999) maximises the return subject to J_ci <= d_i for each
 * cost signal c_i. The Lagrangian relaxation turns it into
 *   max_pi min_{lambda >= 0}  J_r(pi) - sum_i lambda_i (J_ci(pi) - d_i)
 * so that the agent learns from the effective reward r - sum_i lambda_i c_i
 * while the multipliers follow dual ascent on the measured constraint
 * violation (e.g. Tessler, Mankowitz and Mannor, "Reward Constrained Policy
 * Optimization", ICLR 2019):
 *   lambda_i <- max(0, lambda_i + lr (J_ci - d_i))
 * or, as an option, the PID Lagrangian of Stooke, Achiam and Abbeel
 * ("Responsive Safety in Reinforcement Learning by PID Lagrangian Methods",
 * ICML 2020, Algorithm 2), which damps the oscillation of plain dual ascent:
 *   delta = J_ci - d_i;  I_i <- max(0, I_i + delta)
 *   lambda_i = max(0, Kp delta + Ki I_i + Kd max(0, J_ci - J_ci_prev))
 *
 * Here J_ci is the mean per-step cost observed since the previous update, so a
 * threshold d_i reads as an allowed average cost per step (for an episodic
 * task, multiply by the episode length to compare with an episode's total).
 * Agents call dnt_cmdp_observe every environment step and dnt_cmdp_update
 * every `update_every` steps; each update appends (lambda, J) to the history
 * that `dnt rl` and the studies log.
 *
 * Ownership: caller-owned struct; init allocates the per-constraint arrays. */
#ifndef DNT_CMDP_H
#define DNT_CMDP_H

#include <stdint.h>

#include "dnt/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnt_lagrange_kind {
  DNT_LAGRANGE_DUAL = 0, /* projected dual (sub)gradient ascent */
  DNT_LAGRANGE_PID = 1   /* PID Lagrangian (Stooke et al. 2020) */
} dnt_lagrange_kind;

typedef struct dnt_cmdp {
  int n; /* constraints */
  dnt_lagrange_kind kind;
  double lr;         /* dual ascent step (DUAL) */
  double kp, ki, kd; /* gains (PID) */
  double lambda_max; /* cap on each multiplier (keeps rewards bounded) */
  double *threshold; /* (n) d_i */
  double *lambda;    /* (n) current multipliers, >= 0 */
  double *integral;  /* (n) PID integral term */
  double *prev_j;    /* (n) J at the previous update (PID derivative) */
  double *cost_sum;  /* (n) costs accumulated since the last update */
  double *last_j;    /* (n) J used by the last update */
  int64_t count;     /* steps accumulated since the last update */
  int64_t updates;   /* updates done */
} dnt_cmdp;

/* n >= 1 constraints with thresholds d (n values), multipliers starting at 0.
 * kind DUAL uses lr; PID uses kp, ki, kd (lr ignored). lambda_max > 0. */
int dnt_cmdp_init(dnt_cmdp *c, int n, const double *threshold, dnt_lagrange_kind kind, double lr,
                  double kp, double ki, double kd, double lambda_max);
/* Frees the arrays and zeroes the struct. */
void dnt_cmdp_free(dnt_cmdp *c);

/* Accumulates one step's costs (n values). O(n). DNT_ERR_NUMERIC for a
 * non-finite cost (nothing accumulated). */
int dnt_cmdp_observe(dnt_cmdp *c, const float *cost);

/* Updates the multipliers from J = mean cost per step since the last update
 * (no-op when nothing was observed), then clears the accumulators. O(n). */
int dnt_cmdp_update(dnt_cmdp *c);

/* Same, from a caller's estimate J (n values), e.g. episode totals.
 * DNT_ERR_NUMERIC for a non-finite J (multipliers unchanged). */
int dnt_cmdp_update_with(dnt_cmdp *c, const double *j);

/* The effective reward r - sum_i lambda_i cost_i. */
float dnt_cmdp_reward(const dnt_cmdp *c, float r, const float *cost);

/* The multipliers and what they update from (PID integral and previous J,
 * the cost sums and count since the last update, the last J, the update
 * count) for a resumed run (dnt/state.h); load into a cmdp of the same n and
 * kind (DNT_ERR_MISMATCH otherwise). Thresholds and gains are config. O(n). */
int dnt_cmdp_save(const dnt_cmdp *c, dnt_pack *p);
int dnt_cmdp_load(dnt_cmdp *c, dnt_unpack *u);

#ifdef __cplusplus
}
#endif
#endif
