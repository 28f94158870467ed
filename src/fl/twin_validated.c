/* src/fl/twin_validated.c: the twin-validated filter (dnt/twin_validated.h,
 * docs/SECURITY.md): robust statistics on the round's updates, attacks
 * simulated from those statistics to calibrate the behavioural slacks, the
 * rehearsal of every candidate in the twin through the score callback, then
 * the rehearsal of the aggregate. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/aggregate.h"
#include "dnt/status.h"
#include "dnt/twin_validated.h"
#include "dnt/vec.h"

#define TV_N_SIM 3 /* simulated attacks: sign flip, scaling, IPM */

struct dnt_tv {
  dnt_tv_params p;
  int max_n;
  size_t d;
  dnt_tv_score_fn score;
  void *score_ctx;
  dnt_agg *median;       /* coordinate-wise median of the rows */
  float *m;              /* (d) the median */
  float *cand;           /* (d) a candidate model */
  float *agg;            /* (d) the kept rows' mean */
  double *r;             /* (max_n) distances to the median */
  double *tmp;           /* (max_n) selection scratch */
  dnt_tv_behaviour *beh; /* (max_n) rehearsal of each row */
  unsigned char *reason; /* (max_n) */
  double *hist;          /* (history) median norm of each round's accepted rows, a ring */
  int hist_len, hist_next;
  dnt_tv_round last;
};

dnt_tv_params dnt_tv_defaults(void) {
  dnt_tv_params p;
  p.server_lr = 1.0;
  p.stat_k = 3.5;
  p.history = 5;
  p.hist_factor = 3.0;
  p.collision_slack = 0.0;
  p.unsafe_slack = 0.01;
  p.speed_slack = 0.05;
  p.calib_alpha = 0.5;
  p.simulate = 1;
  return p;
}

static const char *const reason_names[] = {"kept",   "stat", "history",  "collision",
                                           "unsafe", "slow", "aggregate"};

const char *dnt_tv_reason_name(dnt_tv_reason r) {
  return (unsigned)r <= DNT_TV_AGGREGATE ? reason_names[r] : "?";
}

static int check_params(const dnt_tv_params *p) {
  if (!(p->server_lr > 0) || !isfinite(p->server_lr))
    return dnt_error(DNT_ERR_ARG, "twin_validated: field 'server_lr' = %g: expected > 0",
                     p->server_lr);
  if (!(p->stat_k > 0))
    return dnt_error(DNT_ERR_ARG, "twin_validated: field 'stat_k' = %g: expected > 0", p->stat_k);
  if (p->history < 0 || p->history > 1000)
    return dnt_error(DNT_ERR_ARG, "twin_validated: field 'history' = %d: expected 0..1000",
                     p->history);
  if (!(p->hist_factor >= 1))
    return dnt_error(DNT_ERR_ARG, "twin_validated: field 'hist_factor' = %g: expected >= 1",
                     p->hist_factor);
  if (!(p->collision_slack >= 0 && p->collision_slack <= 1) ||
      !(p->unsafe_slack >= 0 && p->unsafe_slack <= 1) ||
      !(p->speed_slack >= 0 && p->speed_slack <= 1))
    return dnt_error(DNT_ERR_ARG,
                     "twin_validated: slacks collision %g, unsafe %g, speed %g: expected in "
                     "[0, 1]",
                     p->collision_slack, p->unsafe_slack, p->speed_slack);
  if (!(p->calib_alpha > 0 && p->calib_alpha <= 1))
    return dnt_error(DNT_ERR_ARG, "twin_validated: field 'calib_alpha' = %g: expected in (0, 1]",
                     p->calib_alpha);
  if (p->simulate != 0 && p->simulate != 1)
    return dnt_error(DNT_ERR_ARG, "twin_validated: field 'simulate' = %d: expected 0 or 1",
                     p->simulate);
  return 0;
}

int dnt_tv_create(const dnt_tv_params *p, int max_n, size_t d, dnt_tv_score_fn score,
                  void *score_ctx, dnt_tv **out) {
  *out = NULL;
  int rc = check_params(p);
  if (rc) return rc;
  if (max_n < 1 || d < 1 || !score)
    return dnt_error(DNT_ERR_ARG,
                     "twin_validated: max_n = %d, d = %zu, score %s: expected >= 1, "
                     ">= 1 and a callback",
                     max_n, d, score ? "set" : "NULL");
  dnt_tv *tv = calloc(1, sizeof *tv);
  if (!tv) return dnt_error(DNT_ERR_NOMEM, "twin_validated: out of memory");
  tv->p = *p;
  tv->max_n = max_n;
  tv->d = d;
  tv->score = score;
  tv->score_ctx = score_ctx;
  dnt_agg_params mp = dnt_agg_defaults(DNT_AGG_MEDIAN);
  size_t n = (size_t)max_n;
  rc = dnt_agg_create(&mp, max_n, d, &tv->median);
  tv->m = malloc(d * sizeof *tv->m);
  tv->cand = malloc(d * sizeof *tv->cand);
  tv->agg = malloc(d * sizeof *tv->agg);
  tv->r = malloc(n * sizeof *tv->r);
  tv->tmp = malloc(n * sizeof *tv->tmp);
  tv->beh = malloc(n * sizeof *tv->beh);
  tv->reason = calloc(n, 1);
  tv->hist = malloc((size_t)(p->history > 0 ? p->history : 1) * sizeof *tv->hist);
  if (!rc && (!tv->m || !tv->cand || !tv->agg || !tv->r || !tv->tmp || !tv->beh || !tv->reason ||
              !tv->hist))
    rc = dnt_error(DNT_ERR_NOMEM, "twin_validated: out of memory");
  if (rc) {
    dnt_tv_destroy(tv);
    return rc;
  }
  *out = tv;
  return 0;
}

void dnt_tv_destroy(dnt_tv *tv) {
  if (!tv) return;
  dnt_agg_destroy(tv->median);
  free(tv->m);
  free(tv->cand);
  free(tv->agg);
  free(tv->r);
  free(tv->tmp);
  free(tv->beh);
  free(tv->reason);
  free(tv->hist);
  free(tv);
}

void dnt_tv_reset(dnt_tv *tv) {
  tv->hist_len = tv->hist_next = 0;
}

const dnt_tv_round *dnt_tv_last(const dnt_tv *tv) {
  return &tv->last;
}

const unsigned char *dnt_tv_reasons(const dnt_tv *tv) {
  return tv->reason;
}

/* One score call on `params`, its result checked. */
static int rehearse(dnt_tv *tv, const float *params, dnt_tv_behaviour *b) {
  tv->last.rollouts++;
  int rc = tv->score(tv->score_ctx, params, tv->d, b);
  if (rc) return dnt_error(rc, "twin_validated: score callback: %s", dnt_last_error());
  if (!(b->collision >= 0 && b->collision <= 1) || !(b->unsafe >= 0 && b->unsafe <= 1) ||
      !(b->speed >= 0) || !isfinite(b->speed))
    return dnt_error(DNT_ERR_NUMERIC,
                     "twin_validated: score callback returned collision %g, unsafe %g, speed "
                     "%g: expected rates in [0, 1] and a finite speed >= 0",
                     b->collision, b->unsafe, b->speed);
  return 0;
}

/* Scores the model global + lr * delta. */
static int rehearse_delta(dnt_tv *tv, const float *global, const float *delta, float lr,
                          dnt_tv_behaviour *b) {
  dnt_vec_copy(tv->cand, global, tv->d);
  dnt_vec_axpy(tv->cand, lr, delta, tv->d);
  return rehearse(tv, tv->cand, b);
}

/* The reason b fails against the trusted score plus the slacks, or KEPT. */
static dnt_tv_reason judge(const dnt_tv *tv, const dnt_tv_behaviour *b) {
  const dnt_tv_behaviour *t = &tv->last.trusted, *s = &tv->last.slack;
  if (b->collision > t->collision + s->collision + 1e-12) return DNT_TV_COLLISION;
  if (b->unsafe > t->unsafe + s->unsafe + 1e-12) return DNT_TV_UNSAFE;
  if (b->speed < t->speed - s->speed - 1e-9) return DNT_TV_SLOW;
  return DNT_TV_KEPT;
}

/* 1 when a behaves worse than b: collisions first, then unsafe steps, then
 * lower speed. */
static int worse(const dnt_tv_behaviour *a, const dnt_tv_behaviour *b) {
  if (a->collision != b->collision) return a->collision > b->collision;
  if (a->unsafe != b->unsafe) return a->unsafe > b->unsafe;
  return a->speed < b->speed;
}

/* Median of v[0..n) (mean of the two middle values), sorting it into tmp
 * (which may be v itself). */
static double median_of(const double *v, int n, double *tmp) {
  if (tmp != v) memcpy(tmp, v, (size_t)n * sizeof *tmp);
  for (int i = 1; i < n; i++) /* insertion sort: n is a round's clients */
    for (int j = i; j > 0 && tmp[j - 1] > tmp[j]; j--) {
      double t = tmp[j];
      tmp[j] = tmp[j - 1];
      tmp[j - 1] = t;
    }
  return n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

/* Step 1: robust distance to the coordinate-wise median, and the norm
 * against the trusted history. */
static int flag_statistics(dnt_tv *tv, const float *X, int n) {
  size_t d = tv->d;
  int rc = dnt_agg_run(tv->median, X, NULL, n, tv->m, NULL, NULL);
  if (rc) return rc;
  double hmax = 0;
  for (int k = 0; k < tv->hist_len; k++)
    if (tv->hist[k] > hmax) hmax = tv->hist[k];
  for (int i = 0; i < n; i++) {
    tv->r[i] = sqrt(dnt_vec_dist2(X + (size_t)i * d, tv->m, d));
    if (tv->hist_len > 0 && dnt_vec_norm(X + (size_t)i * d, d) > tv->p.hist_factor * hmax)
      tv->reason[i] = DNT_TV_HISTORY;
  }
  if (n < 3) return 0; /* no spread to speak of */
  double med = median_of(tv->r, n, tv->tmp);
  for (int i = 0; i < n; i++)
    tv->tmp[i] = fabs(tv->r[i] - med);
  double mad = median_of(tv->tmp, n, tv->tmp);
  double scale = 1.4826 * mad;
  if (scale < 1e-6 * med) scale = 1e-6 * med;
  if (!(scale > 0)) scale = DBL_MIN;
  for (int i = 0; i < n; i++)
    if (!tv->reason[i] && (tv->r[i] - med) / scale > tv->p.stat_k) tv->reason[i] = DNT_TV_STAT;
  return 0;
}

/* Step 2: the slacks, capped by the gap to the mildest simulated attack. */
static int calibrate(dnt_tv *tv, const float *global, int n) {
  dnt_tv_behaviour *slack = &tv->last.slack, *att = &tv->last.attack;
  const dnt_tv_behaviour *t = &tv->last.trusted;
  slack->collision = tv->p.collision_slack;
  slack->unsafe = tv->p.unsafe_slack;
  slack->speed = tv->p.speed_slack * t->speed;
  *att = *t;
  if (!tv->p.simulate) return 0;
  /* sign flip (-m), scaling (n m), inner-product manipulation (-0.5 m) */
  const float factors[TV_N_SIM] = {-1.0f, (float)n, -0.5f};
  float lr = (float)tv->p.server_lr;
  for (int k = 0; k < TV_N_SIM; k++) {
    dnt_tv_behaviour b;
    int rc = rehearse_delta(tv, global, tv->m, lr * factors[k], &b);
    if (rc) return rc;
    if (k == 0 || b.collision < att->collision) att->collision = b.collision;
    if (k == 0 || b.unsafe < att->unsafe) att->unsafe = b.unsafe;
    if (k == 0 || b.speed > att->speed) att->speed = b.speed;
  }
  double a = tv->p.calib_alpha;
  double gc = att->collision - t->collision, gu = att->unsafe - t->unsafe,
         gs = t->speed - att->speed;
  if (gc > 0 && a * gc < slack->collision) slack->collision = a * gc;
  if (gu > 0 && a * gu < slack->unsafe) slack->unsafe = a * gu;
  if (gs > 0 && a * gs < slack->speed) slack->speed = a * gs;
  return 0;
}

/* agg = weighted mean of the kept rows; returns their count. */
static int kept_mean(dnt_tv *tv, const float *X, int n, const double *w) {
  size_t d = tv->d;
  double sw = 0;
  int m = 0;
  dnt_vec_zero(tv->agg, d);
  for (int i = 0; i < n; i++)
    if (!tv->reason[i] && w[i] > 0) sw += w[i];
  for (int i = 0; i < n; i++)
    if (!tv->reason[i] && w[i] > 0) {
      dnt_vec_axpy(tv->agg, (float)(w[i] / sw), X + (size_t)i * d, d);
      m++;
    }
  return m;
}

int dnt_tv_filter(void *ctx, const float *global, const float *X, int n, size_t d,
                  const int *client_ids, double *weights) {
  (void)client_ids; /* who sent a row is not evidence */
  dnt_tv *tv = ctx;
  if (n < 1 || n > tv->max_n || d != tv->d)
    return dnt_error(DNT_ERR_ARG, "twin_validated: %d rows of %zu: expected 1..%d rows of %zu", n,
                     d, tv->max_n, tv->d);
  memset(&tv->last, 0, sizeof tv->last);
  memset(tv->reason, 0, (size_t)n);
  tv->last.n = n;
  int rc = rehearse(tv, global, &tv->last.trusted);
  if (!rc) rc = flag_statistics(tv, X, n);
  if (!rc) rc = calibrate(tv, global, n);
  if (rc) return rc;
  float lr = (float)tv->p.server_lr;
  for (int i = 0; i < n; i++) {
    if (tv->reason[i] || !(weights[i] > 0)) continue;
    if ((rc = rehearse_delta(tv, global, X + (size_t)i * d, lr, &tv->beh[i]))) return rc;
    tv->reason[i] = (unsigned char)judge(tv, &tv->beh[i]);
  }
  while (kept_mean(tv, X, n, weights) > 0) {
    if ((rc = rehearse_delta(tv, global, tv->agg, lr, &tv->last.accepted))) return rc;
    if (judge(tv, &tv->last.accepted) == DNT_TV_KEPT) break;
    int worst = -1;
    for (int i = 0; i < n; i++)
      if (!tv->reason[i] && weights[i] > 0 && (worst < 0 || worse(&tv->beh[i], &tv->beh[worst])))
        worst = i;
    tv->reason[worst] = DNT_TV_AGGREGATE;
  }
  for (int i = 0; i < n; i++)
    if (tv->reason[i]) {
      weights[i] = 0;
      tv->last.flagged++;
    }
  tv->last.held = tv->last.flagged == n;
  if (tv->last.held) {
    memset(&tv->last.accepted, 0, sizeof tv->last.accepted);
  } else if (tv->p.history > 0) {
    int m = 0;
    for (int i = 0; i < n; i++)
      if (!tv->reason[i]) tv->r[m++] = dnt_vec_norm(X + (size_t)i * d, d);
    tv->hist[tv->hist_next] = median_of(tv->r, m, tv->tmp);
    tv->hist_next = (tv->hist_next + 1) % tv->p.history;
    if (tv->hist_len < tv->p.history) tv->hist_len++;
  }
  return 0;
}
