/* src/fl/attack.c: the attack dispatcher, the statistics of the rows an
 * attacker knows, and the attacks that are one closed-form formula (Gaussian,
 * sign flip, scaling, LIE, IPM, FTI). The optimised attacks (Min-Max, Min-Sum,
 * Fang's Krum and trim attacks) live in attack_opt.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attack_internal.h"
#include "dnt/aggregate.h"
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

void dnt_attack_ws_destroy(dnt_attack_ws *ws) {
  if (!ws) return;
  free(ws->rows);
  free(ws->mu);
  free(ws->sd);
  free(ws->G);
  free(ws->S);
  free(ws->D);
  free(ws->Dm);
  free(ws->gram);
  free(ws->ab);
  free(ws);
}

int dnt_attack_ws_create(const dnt_attack_params *p, int max_n, size_t d, dnt_attack_ws **out) {
  *out = NULL;
  if (max_n < 1 || d < 1)
    return dnt_error(DNT_ERR_ARG, "attack: max_n = %d, d = %zu: expected >= 1", max_n, d);
  dnt_attack_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return dnt_error(DNT_ERR_NOMEM, "attack: out of memory");
  ws->max_n = max_n;
  ws->d = d;
  int dist = p->kind == DNT_ATTACK_MINMAX || p->kind == DNT_ATTACK_MINSUM ||
             p->kind == DNT_ATTACK_FANG_KRUM;
  /* Fang-Krum simulates Krum on the known rows and its own c: at most n
   * rows with full knowledge, 2c <= 2n with partial */
  size_t n = (size_t)max_n, m = p->knowledge == DNT_KNOW_FULL ? n : 2 * n;
  int fang = p->kind == DNT_ATTACK_FANG_KRUM;
  ws->rows = malloc(n * sizeof *ws->rows);
  ws->mu = malloc(d * sizeof *ws->mu);
  ws->sd = malloc(d * sizeof *ws->sd);
  ws->G = dist ? malloc(n * d * sizeof *ws->G) : NULL;
  ws->D = dist ? malloc(n * n * sizeof *ws->D) : NULL;
  ws->gram = dist ? malloc(dnt_agg_dist_scratch((int)(fang ? m : n)) * sizeof *ws->gram) : NULL;
  ws->ab = dist ? malloc(2 * m * sizeof *ws->ab) : NULL;
  ws->S = fang ? malloc(m * d * sizeof *ws->S) : NULL;
  ws->Dm = fang ? malloc(m * m * sizeof *ws->Dm) : NULL;
  if (!ws->rows || !ws->mu || !ws->sd || (dist && (!ws->G || !ws->D || !ws->gram || !ws->ab)) ||
      (fang && (!ws->S || !ws->Dm))) {
    dnt_attack_ws_destroy(ws);
    return dnt_error(DNT_ERR_NOMEM, "attack '%s': out of memory (%d rows of %zu floats)",
                     dnt_attack_name(p->kind), max_n, d);
  }
  *out = ws;
  return 0;
}

int dnt_attack_apply(const dnt_attack_params *p, float *X, int n, size_t d,
                     const unsigned char *mal, int f_assumed, dnt_rng *rng) {
  dnt_attack_ws *ws = NULL;
  int rc = dnt_attack_ws_create(p, n, d, &ws);
  if (!rc) rc = dnt_attack_apply_ws(p, ws, X, n, mal, f_assumed, rng);
  dnt_attack_ws_destroy(ws);
  return rc;
}

int dnt_attack_apply_ws(const dnt_attack_params *p, dnt_attack_ws *ws, float *X, int n,
                        const unsigned char *mal, int f_assumed, dnt_rng *rng) {
  size_t d = ws->d;
  int c = 0;
  for (int i = 0; i < n; i++)
    c += mal[i] != 0;
  if (c == 0 || p->kind == DNT_ATTACK_NONE) return 0;
  if ((unsigned)p->kind >= DNT_ATTACK_N_KINDS)
    return dnt_error(DNT_ERR_ARG, "attack: field 'kind' = %d: unknown attack", (int)p->kind);
  if (n > ws->max_n)
    return dnt_error(DNT_ERR_ARG, "attack '%s': n = %d rows: the workspace holds %d",
                     names[p->kind], n, ws->max_n);
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
  int *rows = ws->rows;
  float *mu = ws->mu, *sd = ws->sd;
  int k = attack_known(p, mal, n, rows);
  if (k == 0)
    return dnt_error(DNT_ERR_ARG, "attack '%s' with %s knowledge: no known row to learn from",
                     names[p->kind], p->knowledge == DNT_KNOW_FULL ? "full" : "partial");
  switch (p->kind) {
  case DNT_ATTACK_LIE:
    return lie(X, n, d, mal, c, rows, k, mu, sd);
  case DNT_ATTACK_IPM:
    attack_stats(X, d, rows, k, mu, NULL);
    for (size_t j = 0; j < d; j++)
      mu[j] = (float)(-p->ipm_eps * mu[j]);
    attack_fill(X, n, d, mal, mu);
    return 0;
  case DNT_ATTACK_FTI:
    fti(p, X, n, d, mal, rows, k, mu);
    return 0;
  case DNT_ATTACK_MINMAX:
  case DNT_ATTACK_MINSUM:
    return attack_minmax(p, ws, X, n, mal, k);
  case DNT_ATTACK_FANG_KRUM:
    return attack_fang_krum(p, ws, X, n, mal, f_assumed > 0 ? f_assumed : c, k, rng);
  case DNT_ATTACK_FANG_TRIM:
    return attack_fang_trim(p, X, n, d, mal, rows, k, mu, sd, rng);
  default:
    return 0;
  }
}

void dnt_poison_flip_rewards(float *r, size_t n) {
  for (size_t i = 0; i < n; i++)
    r[i] = -r[i];
}

void dnt_poison_obs_noise(float *x, size_t n, double sd, dnt_rng *rng) {
  for (size_t i = 0; i < n; i++)
    x[i] += (float)dnt_rng_normal(rng, 0, sd);
}
