/* src/fl/attack.c: the attack dispatcher, the statistics of the rows an
 * attacker knows, and the attacks that are one closed-form formula (Gaussian,
 * sign flip, scaling, LIE, IPM, FTI). The optimised attacks (Min-Max, Min-Sum,
 * Fang's Krum and trim attacks) live in attack_opt.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attack_internal.h"
#include "dnt/stats.h"
#include "dnt/status.h"

static const char *const names[DNT_ATTACK_N_KINDS] = {
    "none",   "gaussian", "signflip",  "scaling",   "lie", "ipm",
    "minmax", "minsum",   "fang_krum", "fang_trim", "fti"};

dnt_attack_params dnt_attack_defaults(dnt_attack_kind kind) {
  dnt_attack_params p;
  memset(&p, 0, sizeof p);
  p.kind = kind;
  p.gauss_sd = 10;
  p.ipm_eps = 0.5;
  p.dir = DNT_ATTACK_DIR_UNIT;
  p.fang_b = 2;
  p.fang_eps = 1e-3;
  return p;
}

const char *dnt_attack_name(dnt_attack_kind kind) {
  return (unsigned)kind < DNT_ATTACK_N_KINDS ? names[kind] : "?";
}

int dnt_attack_parse(const char *name, dnt_attack_kind *out) {
  for (int i = 0; i < DNT_ATTACK_N_KINDS; i++)
    if (!strcmp(name, names[i])) return *out = (dnt_attack_kind)i, 0;
  if (!strcmp(name, "krum_attack")) return *out = DNT_ATTACK_FANG_KRUM, 0;
  if (!strcmp(name, "trim_attack")) return *out = DNT_ATTACK_FANG_TRIM, 0;
  return dnt_error(DNT_ERR_ARG,
                   "attack '%s': expected none, gaussian, signflip, scaling, lie, ipm, minmax, "
                   "minsum, fang_krum, fang_trim or fti",
                   name);
}

int attack_known(const dnt_attack_params *p, const unsigned char *mal, int n, int *rows) {
  int k = 0;
  int want = p->knowledge == DNT_KNOW_PARTIAL;
  for (int i = 0; i < n; i++)
    if ((mal[i] != 0) == want) rows[k++] = i;
  return k;
}

void attack_stats(const float *X, size_t d, const int *rows, int k, float *mu, float *sd) {
  for (size_t j = 0; j < d; j++) {
    double s = 0, s2 = 0;
    for (int r = 0; r < k; r++)
      s += X[(size_t)rows[r] * d + j];
    double m = s / k;
    if (sd) {
      for (int r = 0; r < k; r++) {
        double e = X[(size_t)rows[r] * d + j] - m;
        s2 += e * e;
      }
      sd[j] = (float)sqrt(s2 / k);
    }
    mu[j] = (float)m;
  }
}

/* Writes v (d) into every malicious row. */
void attack_fill(float *X, int n, size_t d, const unsigned char *mal, const float *v) {
  for (int i = 0; i < n; i++)
    if (mal[i]) memcpy(X + (size_t)i * d, v, d * sizeof *v);
}

static int lie(float *X, int n, size_t d, const unsigned char *mal, int c, const int *rows, int k,
               float *mu, float *sd) {
  int s = (int)floor(n / 2.0 + 1) - c;
  if (s < 1 || s >= n)
    return dnt_error(DNT_ERR_ARG,
                     "attack 'lie': s = floor(n/2 + 1) - c = %d with n = %d, c = %d: "
                     "expected 1 <= s < n",
                     s, n, c);
  double z = dnt_normal_quantile((double)(n - s) / n);
  attack_stats(X, d, rows, k, mu, sd);
  for (size_t j = 0; j < d; j++)
    mu[j] = (float)(mu[j] + z * sd[j]);
  attack_fill(X, n, d, mal, mu);
  return 0;
}

static void fti(const dnt_attack_params *p, float *X, int n, size_t d, const unsigned char *mal,
                const int *rows, int k, float *dir) {
  if (p->target && p->global) {
    for (size_t j = 0; j < d; j++)
      dir[j] = p->target[j] - p->global[j];
  } else {
    attack_stats(X, d, rows, k, dir, NULL);
    for (size_t j = 0; j < d; j++)
      dir[j] = -dir[j];
  }
  double dn = 0, rmax = 0;
  for (size_t j = 0; j < d; j++)
    dn += (double)dir[j] * dir[j];
  for (int r = 0; r < k; r++) {
    double s = 0;
    const float *g = X + (size_t)rows[r] * d;
    for (size_t j = 0; j < d; j++)
      s += (double)g[j] * g[j];
    if (s > rmax) rmax = s;
  }
  /* the largest eta with ||eta dir|| <= max_i ||g_i|| */
  double eta = dn > 0 ? sqrt(rmax / dn) : 0;
  for (size_t j = 0; j < d; j++)
    dir[j] = (float)(eta * dir[j]);
  attack_fill(X, n, d, mal, dir);
}

int dnt_attack_apply(const dnt_attack_params *p, float *X, int n, size_t d,
                     const unsigned char *mal, int f_assumed, dnt_rng *rng) {
  int c = 0;
  for (int i = 0; i < n; i++)
    c += mal[i] != 0;
  if (c == 0 || p->kind == DNT_ATTACK_NONE) return 0;
  if ((unsigned)p->kind >= DNT_ATTACK_N_KINDS)
    return dnt_error(DNT_ERR_ARG, "attack: field 'kind' = %d: unknown attack", (int)p->kind);
  /* the attacks on the own update alone */
  if (p->kind == DNT_ATTACK_GAUSSIAN || p->kind == DNT_ATTACK_SIGNFLIP ||
      p->kind == DNT_ATTACK_SCALING) {
    double a = p->kind == DNT_ATTACK_SIGNFLIP ? -1 : (p->scale > 0 ? p->scale : n);
    for (int i = 0; i < n; i++) {
      if (!mal[i]) continue;
      float *g = X + (size_t)i * d;
      for (size_t j = 0; j < d; j++)
        g[j] = p->kind == DNT_ATTACK_GAUSSIAN ? (float)dnt_rng_normal(rng, 0, p->gauss_sd)
                                              : (float)(a * g[j]);
    }
    return 0;
  }
  int rc = 0;
  int *rows = malloc((size_t)n * sizeof *rows);
  float *mu = malloc(d * sizeof *mu), *sd = malloc(d * sizeof *sd);
  if (!rows || !mu || !sd) {
    rc = dnt_error(DNT_ERR_NOMEM, "attack '%s': out of memory (d = %zu)", names[p->kind], d);
    goto cleanup;
  }
  int k = attack_known(p, mal, n, rows);
  if (k == 0) {
    rc = dnt_error(DNT_ERR_ARG, "attack '%s' with %s knowledge: no known row to learn from",
                   names[p->kind], p->knowledge == DNT_KNOW_FULL ? "full" : "partial");
    goto cleanup;
  }
  switch (p->kind) {
  case DNT_ATTACK_LIE:
    rc = lie(X, n, d, mal, c, rows, k, mu, sd);
    break;
  case DNT_ATTACK_IPM:
    attack_stats(X, d, rows, k, mu, NULL);
    for (size_t j = 0; j < d; j++)
      mu[j] = (float)(-p->ipm_eps * mu[j]);
    attack_fill(X, n, d, mal, mu);
    break;
  case DNT_ATTACK_FTI:
    fti(p, X, n, d, mal, rows, k, mu);
    break;
  case DNT_ATTACK_MINMAX:
  case DNT_ATTACK_MINSUM:
    rc = attack_minmax(p, X, n, d, mal, rows, k, mu, sd);
    break;
  case DNT_ATTACK_FANG_KRUM:
    rc = attack_fang_krum(p, X, n, d, mal, f_assumed > 0 ? f_assumed : c, rows, k, mu, rng);
    break;
  case DNT_ATTACK_FANG_TRIM:
    rc = attack_fang_trim(p, X, n, d, mal, rows, k, mu, sd, rng);
    break;
  default:
    break;
  }
cleanup:
  free(rows);
  free(mu);
  free(sd);
  return rc;
}

void dnt_poison_flip_rewards(float *r, size_t n) {
  for (size_t i = 0; i < n; i++)
    r[i] = -r[i];
}

void dnt_poison_obs_noise(float *x, size_t n, double sd, dnt_rng *rng) {
  for (size_t i = 0; i < n; i++)
    x[i] += (float)dnt_rng_normal(rng, 0, sd);
}
