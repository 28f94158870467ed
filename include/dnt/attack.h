/* dnt/attack.h: model-poisoning attacks on federated updates.
 *
 * Setting: n updates as the rows of X (n, d) (deltas, see dnt/fl_update.h);
 * mal[i] = 1 marks the c malicious rows. Every row first holds what its client
 * computed honestly; dnt_attack_apply overwrites the malicious rows in place.
 * Knowledge levels:
 *   FULL     the attacker sees every benign row of the round (omniscient);
 *   PARTIAL  it sees only its own clients' honest rows, and estimates the
 *            benign statistics from them (Fang et al. 2020's partial knowledge).
 * Attacks (paper, equation; mu, sigma: coordinate-wise mean and population
 * standard deviation of the rows the attacker knows):
 *   GAUSSIAN  N(0, sigma_g^2) per coordinate (Blanchard et al. 2017; Fang et al.
 *             2020's Gaussian attack).                                   O(cd)
 *   SIGNFLIP  -g (own honest update reversed).                            O(cd)
 *   SCALING   scale * g (default scale = n: boosting, Bhagoji et al. 2019). O(cd)
 *   LIE       "A Little Is Enough", Baruch et al. 2019: s = floor(n/2 + 1) - c,
 *             z = Phi^-1((n - s)/n) (dnt/stats.h), every malicious row
 *             = mu + z sigma.                                            O(nd)
 *   IPM       inner-product manipulation, Xie et al. 2020: -eps mu.       O(nd)
 *   MINMAX    Shejwalkar & Houmansadr NDSS 2021: m = mu - gamma p with the
 *   MINSUM    largest gamma found by bisection (start 10, stop at 1e-5) such
 *             that max_i ||m - g_i||^2 <= max_ij ||g_i - g_j||^2 (Min-Max) or
 *             sum_i ||m - g_i||^2 <= max_i sum_j ||g_i - g_j||^2 (Min-Sum);
 *             p = mu/||mu|| (UNIT), sign(mu) (SIGN) or sigma (STD). Distances
 *             through one ssyrk; each bisection step is O(n).           O(n^2 d)
 *   FANG_KRUM Fang et al. USENIX Security 2020, Krum attack: s = sign(mu),
 *             w'_1 = -lambda s, the other c - 1 at distance eps of it; lambda
 *             starts at Fang's upper bound and halves until Krum (f = c) picks
 *             a malicious row or lambda < 1e-5.                O(log(1/eps) n^2 d)
 *   FANG_TRIM Fang et al. 2020, trim attack (also against median): per
 *             coordinate j, full knowledge: s_j = -1 -> uniform in
 *             [w_max, b w_max] (w_max > 0) or [w_max, w_max / b]; s_j = +1 ->
 *             [w_min / b, w_min] (w_min > 0) or [b w_min, w_min]; b = 2. Partial:
 *             s_j = -1 -> [mu + 3 sigma, mu + 4 sigma], else [mu - 4 sigma,
 *             mu - 3 sigma] over the attackers' own honest rows.          O(nd)
 *   FTI       fake traffic injection (the paper's authors, IFIP Networking
 *             2024): theta_t + eta (theta_target - theta_t), as a delta
 *             eta * dir, with eta as large as possible while ||delta|| stays
 *             within the largest benign ||g_i||; dir = target - global, or
 *             -mu when no target is given.                                O(nd)
 * Data poisoning (reward flip, observation noise) happens inside local training
 * (dnt_fl_data_poison in dnt/fl_update.h); the helpers below do the arithmetic.
 *
 * Ownership: X is the caller's. The scratch (O(nd + n^2), sized for the
 * attack) lives in a workspace made once (dnt_attack_ws_create) for the
 * servers' rounds, which then allocate nothing; dnt_attack_apply makes one
 * per call. Deterministic given the rng state. */
#ifndef DNT_ATTACK_H
#define DNT_ATTACK_H

#include <stddef.h>

#include "dnt/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnt_attack_kind {
  DNT_ATTACK_NONE = 0,
  DNT_ATTACK_GAUSSIAN,
  DNT_ATTACK_SIGNFLIP,
  DNT_ATTACK_SCALING,
  DNT_ATTACK_LIE,
  DNT_ATTACK_IPM,
  DNT_ATTACK_MINMAX,
  DNT_ATTACK_MINSUM,
  DNT_ATTACK_FANG_KRUM,
  DNT_ATTACK_FANG_TRIM,
  DNT_ATTACK_FTI,
  DNT_ATTACK_N_KINDS
} dnt_attack_kind;

typedef enum dnt_attack_knowledge { DNT_KNOW_FULL = 0, DNT_KNOW_PARTIAL = 1 } dnt_attack_knowledge;

typedef enum dnt_attack_dir {
  DNT_ATTACK_DIR_UNIT = 0, /* p = mu / ||mu|| */
  DNT_ATTACK_DIR_SIGN = 1, /* p = sign(mu) */
  DNT_ATTACK_DIR_STD = 2   /* p = sigma */
} dnt_attack_dir;

typedef struct dnt_attack_params {
  dnt_attack_kind kind;
  dnt_attack_knowledge knowledge;
  double gauss_sd;     /* GAUSSIAN: sd (default 10) */
  double scale;        /* SCALING: factor; 0 = n (default 0) */
  double ipm_eps;      /* IPM: eps (default 0.5; Xie et al. also use 100) */
  dnt_attack_dir dir;  /* MINMAX, MINSUM: perturbation (default UNIT) */
  double fang_b;       /* FANG_TRIM: b > 1 (default 2) */
  double fang_eps;     /* FANG_KRUM: distance of the other malicious rows (default 1e-3) */
  const float *target; /* FTI: target model (d) or NULL; borrowed */
  const float *global; /* FTI: current global model (d), needed with target; borrowed */
} dnt_attack_params;

/* Defaults above for `kind`, FULL knowledge. */
dnt_attack_params dnt_attack_defaults(dnt_attack_kind kind);

/* "none", "gaussian", "signflip", "scaling", "lie", "ipm", "minmax", "minsum",
 * "fang_krum", "fang_trim", "fti"; parse accepts also "krum_attack" and
 * "trim_attack"; other text is DNT_ERR_ARG listing the names. */
const char *dnt_attack_name(dnt_attack_kind kind);
int dnt_attack_parse(const char *name, dnt_attack_kind *out);

typedef struct dnt_attack_ws dnt_attack_ws;

/* The scratch of attack p for up to max_n rows of d floats. */
int dnt_attack_ws_create(const dnt_attack_params *p, int max_n, size_t d, dnt_attack_ws **out);
void dnt_attack_ws_destroy(dnt_attack_ws *ws);

/* dnt_attack_apply on a workspace made for the same attack kind and
 * knowledge, n <= its max_n rows of its d: allocates nothing. */
int dnt_attack_apply_ws(const dnt_attack_params *p, dnt_attack_ws *ws, float *X, int n,
                        const unsigned char *mal, int f_assumed, dnt_rng *rng);

/* Overwrites the malicious rows of X (n, d). Needs at least one malicious row
 * (otherwise nothing to do, returns 0) and, for the attacks that use benign
 * statistics, at least one known row (FULL: a benign row; PARTIAL: the
 * malicious rows' honest values); else DNT_ERR_ARG. `f_assumed` is the f the
 * attacker assumes the server's rule uses (FANG_KRUM; <= 0 means c). */
int dnt_attack_apply(const dnt_attack_params *p, float *X, int n, size_t d,
                     const unsigned char *mal, int f_assumed, dnt_rng *rng);

/* The gamma Min-Max / Min-Sum settled on in the last call on this thread
 * (for tests and logs). */
double dnt_attack_last_gamma(void);
/* The lambda the Fang-Krum attack settled on in the last call on this thread. */
double dnt_attack_last_lambda(void);

/* Data-poisoning helpers for local training: rewards r <- -r; observations
 * x <- x + N(0, sd^2). */
void dnt_poison_flip_rewards(float *r, size_t n);
void dnt_poison_obs_noise(float *x, size_t n, double sd, dnt_rng *rng);

#ifdef __cplusplus
}
#endif
#endif
