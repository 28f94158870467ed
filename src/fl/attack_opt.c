/* src/fl/attack_opt.c: the attacks that search for their strength: Min-Max and
 * Min-Sum (Shejwalkar and Houmansadr, NDSS 2021) and Fang et al.'s Krum and
 * trim attacks (USENIX Security 2020).
 *
 * Min-Max/Min-Sum: with e_i = mu - g_i, ||mu - gamma p - g_i||^2 =
 * ||e_i||^2 - 2 gamma p.e_i + gamma^2 ||p||^2, so after one O(kd) pass every
 * bisection step costs O(k), and the benign pairwise distances come from one
 * ssyrk (dnt_agg_pairwise_dist2). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attack_internal.h"
#include "dnt/aggregate.h"
#include "dnt/status.h"

static _Thread_local double last_gamma, last_lambda;

double dnt_attack_last_gamma(void) {
  return last_gamma;
}
double dnt_attack_last_lambda(void) {
  return last_lambda;
}

/* The known rows gathered into ws->G (k, d) and their squared distances
 * ws->D (k, k). */
static void known_distances(dnt_attack_ws *ws, const float *X, int k) {
  size_t d = ws->d;
  for (int r = 0; r < k; r++)
    memcpy(ws->G + (size_t)r * d, X + (size_t)ws->rows[r] * d, d * sizeof *ws->G);
  dnt_agg_pairwise_dist2(ws->G, k, d, ws->gram, ws->D);
}

int attack_minmax(const dnt_attack_params *p, dnt_attack_ws *ws, float *X, int n,
                  const unsigned char *mal, int k) {
  int minsum = p->kind == DNT_ATTACK_MINSUM;
  size_t d = ws->d;
  const int *rows = ws->rows;
  float *mu = ws->mu, *sd = ws->sd;
  double *D = ws->D, *ab = ws->ab;
  known_distances(ws, X, k);
  attack_stats(X, d, rows, k, mu, sd);
  /* the perturbation p, written into sd */
  double mn = 0;
  for (size_t j = 0; j < d; j++)
    mn += (double)mu[j] * mu[j];
  mn = sqrt(mn);
  for (size_t j = 0; j < d; j++) {
    if (p->dir == DNT_ATTACK_DIR_UNIT)
      sd[j] = mn > 0 ? (float)(mu[j] / mn) : 0.0f;
    else if (p->dir == DNT_ATTACK_DIR_SIGN)
      sd[j] = (float)((mu[j] > 0) - (mu[j] < 0));
  }
  double cc = 0;
  for (size_t j = 0; j < d; j++)
    cc += (double)sd[j] * sd[j];
  for (int r = 0; r < k; r++) {
    const float *g = X + (size_t)rows[r] * d;
    double a = 0, b = 0;
    for (size_t j = 0; j < d; j++) {
      double e = (double)mu[j] - g[j];
      a += e * e;
      b += sd[j] * e;
    }
    ab[2 * r] = a, ab[2 * r + 1] = b;
  }
  /* Min-Max: max_ij D_ij; Min-Sum: max_i sum_j D_ij, the largest benign sum
   * as in the paper's Eq. (the authors' code takes the smallest: docs/FL.md) */
  double thr = 0;
  for (int i = 0; i < k; i++) {
    double s = 0;
    for (int j = 0; j < k; j++) {
      s += D[(size_t)i * (size_t)k + (size_t)j];
      if (!minsum && D[(size_t)i * (size_t)k + (size_t)j] > thr)
        thr = D[(size_t)i * (size_t)k + (size_t)j];
    }
    if (minsum && s > thr) thr = s;
  }
  /* bisection as in the authors' code: lambda 10, step halves, stop at 1e-5 */
  double lam = 10, step = lam, succ = 0;
  while (fabs(succ - lam) > 1e-5) {
    double worst = 0;
    for (int r = 0; r < k; r++) {
      double v = ab[2 * r] - 2 * lam * ab[2 * r + 1] + lam * lam * cc;
      worst = minsum ? worst + v : (v > worst ? v : worst);
    }
    if (worst <= thr) {
      succ = lam;
      lam += step / 2;
    } else {
      lam -= step / 2;
    }
    step /= 2;
  }
  last_gamma = succ;
  for (size_t j = 0; j < d; j++)
    mu[j] = (float)(mu[j] - succ * sd[j]);
  attack_fill(X, n, d, mal, mu);
  return 0;
}

/* Writes the c crafted rows: row 0 = -lambda s, row r = row 0 + eps u_r with
 * u_r a unit direction drawn from a copy of rng (the same at every lambda). */
static void craft(float *out, int c, size_t d, const float *s, double lambda, double eps,
                  const dnt_rng *rng0) {
  dnt_rng rng = *rng0;
  for (size_t j = 0; j < d; j++)
    out[j] = (float)(-lambda * s[j]);
  for (int r = 1; r < c; r++) {
    float *row = out + (size_t)r * d;
    double nn = 0;
    for (size_t j = 0; j < d; j++) {
      row[j] = (float)dnt_rng_normal(&rng, 0, 1);
      nn += (double)row[j] * row[j];
    }
    double a = nn > 0 ? eps / sqrt(nn) : 0;
    for (size_t j = 0; j < d; j++)
      row[j] = (float)(out[j] + a * row[j]);
  }
}

int attack_fang_krum(const dnt_attack_params *p, dnt_attack_ws *ws, float *X, int n,
                     const unsigned char *mal, int f, int k, dnt_rng *rng) {
  size_t d = ws->d;
  int c = 0;
  for (int i = 0; i < n; i++)
    c += mal[i] != 0;
  /* the set the attacker simulates Krum on: its known rows then its c rows;
   * k + c <= n (FULL: k benign rows; PARTIAL: k = c malicious ones) */
  int m = k + c;
  const int *rows = ws->rows;
  float *G = ws->G, *S = ws->S, *gram = ws->gram, *mu = ws->mu;
  double *D = ws->D, *Dm = ws->Dm, *score = ws->ab; /* scores, then scratch */
  known_distances(ws, X, k);
  attack_stats(X, d, rows, k, mu, NULL);
  for (size_t j = 0; j < d; j++)
    mu[j] = (float)((mu[j] > 0) - (mu[j] < 0)); /* s */
  /* Fang's upper bound on lambda (Eq. 5), with the known rows as the benign */
  double sqd = sqrt((double)d), lam = 0, best = INFINITY, far = 0;
  int nb = n - c - 2 < k - 1 ? n - c - 2 : k - 1;
  double *tmp = Dm;
  for (int i = 0; i < k; i++) {
    int t = 0;
    for (int j = 0; j < k; j++)
      if (j != i) tmp[t++] = sqrt(D[(size_t)i * (size_t)k + (size_t)j]);
    double s = 0;
    for (int q = 0; q < nb; q++) { /* sum of the nb smallest, by repeated min */
      int arg = q;
      for (int r = q + 1; r < t; r++)
        if (tmp[r] < tmp[arg]) arg = r;
      double v = tmp[arg];
      tmp[arg] = tmp[q], tmp[q] = v;
      s += v;
    }
    if (s < best) best = s;
    double gi = 0;
    for (size_t j = 0; j < d; j++)
      gi += (double)G[(size_t)i * d + j] * G[(size_t)i * d + j];
    if (sqrt(gi) > far) far = sqrt(gi);
  }
  if (n - 2 * c - 1 > 0 && nb > 0) lam = best / ((n - 2 * c - 1) * sqd);
  lam += far / sqd;
  if (!(lam > 0)) lam = 1;
  dnt_rng rng0 = *rng;
  memcpy(S, G, (size_t)k * d * sizeof *S);
  for (;;) {
    craft(S + (size_t)k * d, c, d, mu, lam, p->fang_eps, &rng0);
    dnt_agg_pairwise_dist2(S, m, d, gram, Dm);
    dnt_agg_krum_scores(Dm, m, f, score, score + m);
    int arg = 0;
    for (int i = 1; i < m; i++)
      if (score[i] < score[arg]) arg = i;
    if (arg >= k || lam < 1e-5) break;
    lam /= 2;
  }
  last_lambda = lam;
  for (int i = 0, r = 0; i < n; i++)
    if (mal[i]) memcpy(X + (size_t)i * d, S + (size_t)(k + r++) * d, d * sizeof *X);
  dnt_rng_u64(rng); /* the caller's stream moves on past the directions drawn */
  return 0;
}

static double uniform_in(dnt_rng *rng, double lo, double hi) {
  return lo + (hi - lo) * dnt_rng_uniform(rng);
}

int attack_fang_trim(const dnt_attack_params *p, float *X, int n, size_t d,
                     const unsigned char *mal, const int *rows, int k, float *mu, float *sd,
                     dnt_rng *rng) {
  int full = p->knowledge == DNT_KNOW_FULL;
  double b = p->fang_b;
  if (!(b > 1))
    return dnt_error(DNT_ERR_ARG, "attack 'fang_trim': field 'fang_b' = %g: expected > 1", b);
  attack_stats(X, d, rows, k, mu, sd);
  if (full) { /* mu[j] becomes the bound the attack starts from (w_max,j when
               * s_j = -1, w_min,j when s_j = +1) and sd[j] the sign s_j */
    for (size_t j = 0; j < d; j++) {
      float lo = INFINITY, hi = -INFINITY;
      for (int r = 0; r < k; r++) {
        float v = X[(size_t)rows[r] * d + j];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
      }
      float s = mu[j] < 0 ? -1.0f : 1.0f;
      mu[j] = s < 0 ? hi : lo;
      sd[j] = s;
    }
  }
  for (int i = 0; i < n; i++) {
    if (!mal[i]) continue;
    float *g = X + (size_t)i * d;
    for (size_t j = 0; j < d; j++) {
      double v;
      if (full) {
        double w = mu[j]; /* w_max,j when s_j = -1, w_min,j when s_j = +1 */
        if (sd[j] < 0)
          v = w > 0 ? uniform_in(rng, w, b * w) : uniform_in(rng, w, w / b);
        else
          v = w > 0 ? uniform_in(rng, w / b, w) : uniform_in(rng, b * w, w);
      } else {
        double m = mu[j], s = sd[j];
        v = m < 0 ? uniform_in(rng, m + 3 * s, m + 4 * s) : uniform_in(rng, m - 4 * s, m - 3 * s);
      }
      g[j] = (float)v;
    }
  }
  return 0;
}
