/* src/studies/forecast_base.c: the forecast study's baselines and metrics.
 *
 * persistence and seasonal_naive read the raw series; linear_ar is the strong
 * classical baseline of one-step hourly traffic: ridge regression per BS on
 * exactly the inputs the LSTM sees (the flattened closeness and period
 * window, z-scored), fitted in closed form on the training windows, its
 * penalty picked on the validation windows. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "forecast_study.h"

static const char *const method_names[DNT_FC_N_METHODS] = {
    "persistence",    "seasonal_naive",       "linear_ar", "local_only", "centralized", "fedavg",
    "clustered_sync", "clustered_sync_async", "async_only"};

const char *dnt_forecast_method_name(dnt_forecast_method m) {
  return m < DNT_FC_N_METHODS ? method_names[m] : NULL;
}

int dnt_forecast_methods_parse(const char *list, int *on) {
  int all = !strcmp(list, "all");
  for (int m = 0; m < DNT_FC_N_METHODS; m++)
    on[m] = all;
  if (all) return 0;
  const char *p = list;
  while (*p) {
    size_t len = strcspn(p, ",");
    int found = 0;
    for (int m = 0; m < DNT_FC_N_METHODS; m++)
      if (strlen(method_names[m]) == len && !strncmp(p, method_names[m], len)) on[m] = found = 1;
    if (!found)
      return dnt_error(DNT_ERR_CONFIG,
                       "forecast.methods: '%.*s' is not a method (all or a comma "
                       "list of persistence, seasonal_naive, linear_ar, local_only, centralized, "
                       "fedavg, clustered_sync, clustered_sync_async, async_only)",
                       (int)len, p);
    p += len + (p[len] == ',');
  }
  return 0;
}

dnt_seq_window dnt_forecast_window(const dnt_study_forecast_config *cfg) {
  return (dnt_seq_window){
      .window = (int)cfg->closeness, .horizon = (int)cfg->horizon, .season = (int)cfg->period};
}

void dnt_forecast_errors(const double *truth, const double *pred, size_t n, double *mae,
                         double *rmse, double *nrmse) {
  double ae = 0, se = 0, lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    double e = pred[i] - truth[i];
    ae += fabs(e);
    se += e * e;
    if (truth[i] < lo) lo = truth[i];
    if (truth[i] > hi) hi = truth[i];
  }
  double nn = n ? (double)n : NAN;
  *mae = ae / nn;
  *rmse = sqrt(se / nn);
  *nrmse = hi > lo ? *rmse / (hi - lo) : NAN;
}

double fc_mean_nrmse(const fc_data *d, const double *pred) {
  double sum = 0;
  size_t n = 0;
  for (size_t i = 0; i < d->n_bs; i++) {
    double mae, rmse, nrmse;
    dnt_forecast_errors(d->truth + i * d->n_test, pred + i * d->n_test, d->n_test, &mae, &rmse,
                        &nrmse);
    if (isfinite(nrmse)) {
      sum += nrmse;
      n++;
    }
  }
  return n ? sum / (double)n : NAN;
}

int dnt_forecast_ridge_fit(const double *X, const double *y, size_t n, size_t p, double lambda,
                           double *beta) {
  size_t q = p + 1;
  double *A = calloc(q * q, sizeof *A);
  if (!A) return dnt_error(DNT_ERR_NOMEM, "ridge: no memory for %zu inputs", p);
  for (size_t j = 0; j < q; j++)
    beta[j] = 0;
  for (size_t r = 0; r < n; r++) { /* A += x1 x1', beta += x1 y (x1 = [x 1]) */
    const double *x = X + r * p;
    for (size_t a = 0; a < q; a++) {
      double xa = a < p ? x[a] : 1;
      beta[a] += xa * y[r];
      for (size_t b = a; b < q; b++)
        A[a * q + b] += xa * (b < p ? x[b] : 1);
    }
  }
  for (size_t a = 0; a < p; a++)
    A[a * q + a] += lambda;
  /* the upper triangle (row-major) is the lower one in column-major: 'L' */
  lapack_int info =
      LAPACKE_dposv(LAPACK_COL_MAJOR, 'L', (lapack_int)q, 1, A, (lapack_int)q, beta, (lapack_int)q);
  free(A);
  if (info != 0)
    return dnt_error(DNT_ERR_NUMERIC,
                     "ridge: the normal equations of %zu rows and %zu inputs with penalty %g are "
                     "singular (dposv info %d)",
                     n, p, lambda, (int)info);
  return 0;
}

/* The windows of a part of series j as rows of X (n, p) and targets y. */
static void part_rows(const dnt_seq_data *d, size_t j, dnt_seq_part part, size_t p, float *xf,
                      double *X, double *y) {
  size_t per = d->per[part];
  for (size_t k = 0; k < per; k++) {
    float yk;
    dnt_seq_data_window(d, part, j * per + k, xf, &yk, NULL, NULL);
    for (size_t a = 0; a < p; a++)
      X[k * p + a] = xf[a];
    y[k] = yk;
  }
}

static double predict_row(const double *beta, const double *x, size_t p) {
  double s = beta[p];
  for (size_t a = 0; a < p; a++)
    s += beta[a] * x[a];
  return s;
}

int dnt_forecast_linear_ar(const dnt_seq_data *d, size_t j, const double *lambdas, size_t n_lambdas,
                           double *pred, double *lambda_out) {
  size_t p = (size_t)d->win.window * (size_t)dnt_seq_window_features(&d->win);
  size_t ntr = d->per[DNT_SEQ_TRAIN], nva = d->per[DNT_SEQ_VAL], nte = d->per[DNT_SEQ_TEST];
  size_t rows = ntr > nva ? ntr : nva;
  rows = rows > nte ? rows : nte;
  float *xf = malloc(p * sizeof *xf);
  double *X = malloc(rows * p * sizeof *X), *y = malloc(rows * sizeof *y);
  double *beta = malloc((p + 1) * sizeof *beta), *best = malloc((p + 1) * sizeof *best);
  double *Xv = malloc((nva ? nva : 1) * p * sizeof *Xv), *yv = malloc((nva ? nva : 1) * sizeof *yv);
  int rc = 0;
  if (!xf || !X || !y || !beta || !best || !Xv || !yv) {
    rc = dnt_error(DNT_ERR_NOMEM, "linear_ar: no memory for %zu windows", rows);
    goto cleanup;
  }
  part_rows(d, j, DNT_SEQ_TRAIN, p, xf, X, y);
  part_rows(d, j, DNT_SEQ_VAL, p, xf, Xv, yv);
  double best_mse = INFINITY;
  *lambda_out = NAN;
  for (size_t l = 0; l < n_lambdas; l++) {
    if ((rc = dnt_forecast_ridge_fit(X, y, ntr, p, lambdas[l], beta))) {
      if (n_lambdas > 1) { /* a singular penalty is not a candidate when others are */
        rc = 0;
        continue;
      }
      goto cleanup;
    }
    double mse = 0;
    for (size_t k = 0; k < nva; k++) {
      double e = predict_row(beta, Xv + k * p, p) - yv[k];
      mse += e * e;
    }
    if (mse < best_mse || l == 0) {
      best_mse = mse;
      *lambda_out = lambdas[l];
      memcpy(best, beta, (p + 1) * sizeof *best);
    }
  }
  if (!isfinite(*lambda_out)) {
    rc = dnt_error(DNT_ERR_NUMERIC, "linear_ar: no penalty of linear_ar.ridge gives a solution");
    goto cleanup;
  }
  part_rows(d, j, DNT_SEQ_TEST, p, xf, X, y); /* y (the test targets) is not read */
  for (size_t k = 0; k < nte; k++)
    pred[k] = predict_row(best, X + k * p, p) * d->sd[j] + d->mean[j];
cleanup:
  free(xf);
  free(X);
  free(y);
  free(beta);
  free(best);
  free(Xv);
  free(yv);
  return rc;
}

double dnt_forecast_ari(const int *a, const int *b, size_t n) {
  int ka = 0, kb = 0;
  for (size_t i = 0; i < n; i++) {
    if (a[i] + 1 > ka) ka = a[i] + 1;
    if (b[i] + 1 > kb) kb = b[i] + 1;
  }
  double *t = calloc((size_t)ka * (size_t)kb + (size_t)ka + (size_t)kb + 1, sizeof *t);
  if (!t) return NAN;
  double *ra = t + (size_t)ka * (size_t)kb, *rb = ra + ka;
  for (size_t i = 0; i < n; i++) {
    t[(size_t)a[i] * (size_t)kb + (size_t)b[i]] += 1;
    ra[a[i]] += 1;
    rb[b[i]] += 1;
  }
#define C2(x) ((x) * ((x)-1) / 2)
  double sij = 0, sa = 0, sb = 0;
  for (int i = 0; i < ka * kb; i++)
    sij += C2(t[i]);
  for (int i = 0; i < ka; i++)
    sa += C2(ra[i]);
  for (int i = 0; i < kb; i++)
    sb += C2(rb[i]);
  double nn = (double)n, expected = sa * sb / C2(nn), top = 0.5 * (sa + sb);
#undef C2
  free(t);
  if (top == expected) return 1; /* both trivial: the same partition */
  return (sij - expected) / (top - expected);
}

int fc_result_alloc(fc_result *r, const fc_data *d) {
  memset(r, 0, sizeof *r);
  r->sim_time = r->time_to_target = NAN;
  r->pred = calloc(d->n_bs * d->n_test, sizeof *r->pred);
  if (!r->pred) return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for the forecasts");
  r->ran = 1;
  return 0;
}

int fc_result_point(fc_result *r, double t, double e) {
  if (r->n_curve == r->cap_curve) {
    size_t cap = r->cap_curve ? 2 * r->cap_curve : 64;
    double *ct = realloc(r->curve_t, cap * sizeof *ct);
    if (!ct) return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for the error curve");
    r->curve_t = ct;
    double *ce = realloc(r->curve_e, cap * sizeof *ce);
    if (!ce) return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for the error curve");
    r->curve_e = ce;
    double *cb = realloc(r->curve_b, cap * sizeof *cb);
    if (!cb) return dnt_error(DNT_ERR_NOMEM, "forecast: no memory for the error curve");
    r->curve_b = cb;
    r->cap_curve = cap;
  }
  r->curve_b[r->n_curve] = r->bytes_up + r->bytes_down;
  r->curve_t[r->n_curve] = t;
  r->curve_e[r->n_curve++] = e;
  return 0;
}

void fc_result_free(fc_result *r) {
  free(r->pred);
  free(r->curve_t);
  free(r->curve_e);
  free(r->curve_b);
  memset(r, 0, sizeof *r);
}

int fc_baselines(const dnt_study_forecast_config *cfg, const fc_data *d, fc_result *persist,
                 fc_result *seasonal, fc_result *ridge, double *lambda) {
  size_t h = (size_t)cfg->horizon, s = (size_t)cfg->season;
  for (size_t i = 0; i < d->n_bs; i++) {
    const double *y = d->y + i * d->len;
    for (size_t k = 0; k < d->n_test; k++) {
      size_t tau;
      dnt_seq_data_window(&d->bs[i], DNT_SEQ_TEST, k, NULL, NULL, NULL, &tau);
      if (persist->ran) persist->pred[i * d->n_test + k] = y[tau - h];
      if (seasonal->ran) seasonal->pred[i * d->n_test + k] = y[tau - s];
    }
    if (ridge->ran) {
      int rc = dnt_forecast_linear_ar(&d->bs[i], 0, cfg->ridge.v, cfg->ridge.n,
                                      ridge->pred + i * d->n_test, &lambda[i]);
      if (rc) return dnt_error(rc, "forecast: BS %s: %s", d->name[i], dnt_last_error());
    }
  }
  return 0;
}
