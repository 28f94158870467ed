/* src/twin/forecast.c: the forecaster interface, the two baselines and the
 * rolling-origin evaluation (dnt/forecast.h). The LSTM is forecast_lstm.c. */
#include "dnt/forecast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "twin/forecast_internal.h"

struct dnt_forecaster {
  const dnt_forecaster_ops *ops;
  void *self;
};

int dnt_forecaster_create(const dnt_forecaster_ops *ops, void *self, dnt_forecaster **out) {
  *out = calloc(1, sizeof **out);
  if (!*out) {
    ops->destroy(self);
    return dnt_error(DNT_ERR_NOMEM, "forecaster '%s': out of memory", ops->name);
  }
  (*out)->ops = ops;
  (*out)->self = self;
  return 0;
}

void dnt_forecaster_destroy(dnt_forecaster *f) {
  if (!f) return;
  f->ops->destroy(f->self);
  free(f);
}

const char *dnt_forecaster_name(const dnt_forecaster *f) {
  return f->ops->name;
}
size_t dnt_forecaster_min_history(const dnt_forecaster *f) {
  return f->ops->min_history(f->self);
}

void *dnt_forecaster_self_if(dnt_forecaster *f, const dnt_forecaster_ops *ops) {
  return f->ops == ops ? f->self : NULL;
}

static int check_finite(const char *who, const double *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i]))
      return dnt_error(DNT_ERR_NUMERIC, "forecaster '%s': value %zu is %g: expected finite", who, i,
                       x[i]);
  return 0;
}

int dnt_forecaster_fit(dnt_forecaster *f, const double *series, size_t n_series, size_t len) {
  int rc = check_finite(f->ops->name, series, n_series * len);
  return rc ? rc : f->ops->fit(f->self, series, n_series, len);
}

int dnt_forecaster_predict(dnt_forecaster *f, const double *history, size_t n, int k, double *out) {
  size_t need = dnt_forecaster_min_history(f);
  if (k < 1 || k > DNT_FORECAST_MAX_K || n < need)
    return dnt_error(DNT_ERR_ARG,
                     "forecaster '%s': k = %d with %zu history values: expected "
                     "1 <= k <= %d and at least %zu values",
                     f->ops->name, k, n, DNT_FORECAST_MAX_K, need);
  return f->ops->predict(f->self, history, n, k, out);
}

/* ---- seasonal naive ---- */

typedef struct seasonal {
  int season;
} seasonal;

static int no_fit(void *self, const double *series, size_t n_series, size_t len) {
  return 0;
}

static int seasonal_predict(void *self, const double *y, size_t n, int k, double *out) {
  size_t s = (size_t)((seasonal *)self)->season;
  for (int h = 0; h < k; h++)
    out[h] = y[n - s + (size_t)h % s];
  return 0;
}

static size_t seasonal_min(const void *self) {
  return (size_t)((const seasonal *)self)->season;
}

static const dnt_forecaster_ops seasonal_ops = {"seasonal-naive", no_fit, seasonal_predict,
                                                seasonal_min, free};

int dnt_forecaster_seasonal_naive(int season, dnt_forecaster **out) {
  *out = NULL;
  if (season < 1)
    return dnt_error(DNT_ERR_ARG, "seasonal naive: season = %d: expected >= 1 step", season);
  seasonal *s = malloc(sizeof *s);
  if (!s) return dnt_error(DNT_ERR_NOMEM, "seasonal naive: out of memory");
  s->season = season;
  return dnt_forecaster_create(&seasonal_ops, s, out);
}

/* ---- EWMA ---- */

typedef struct ewma {
  double alpha;
  size_t span; /* values that still weigh more than e^-40 */
} ewma;

static int ewma_predict(void *self, const double *y, size_t n, int k, double *out) {
  const ewma *e = self;
  size_t first = n > e->span ? n - e->span : 0;
  double level = y[first];
  for (size_t t = first + 1; t < n; t++)
    level = e->alpha * y[t] + (1 - e->alpha) * level;
  for (int h = 0; h < k; h++)
    out[h] = level;
  return 0;
}

static size_t ewma_min(const void *self) {
  return 1;
}

static const dnt_forecaster_ops ewma_ops = {"ewma", no_fit, ewma_predict, ewma_min, free};

int dnt_forecaster_ewma(double alpha, dnt_forecaster **out) {
  *out = NULL;
  if (!(alpha > 0 && alpha <= 1))
    return dnt_error(DNT_ERR_ARG, "ewma: alpha = %g: expected in (0, 1]", alpha);
  ewma *e = malloc(sizeof *e);
  if (!e) return dnt_error(DNT_ERR_NOMEM, "ewma: out of memory");
  e->alpha = alpha;
  e->span = (size_t)ceil(40.0 / alpha) + 1;
  return dnt_forecaster_create(&ewma_ops, e, out);
}

/* ---- evaluation ---- */

int dnt_forecast_evaluate(dnt_forecaster *f, const double *series, size_t n_series, size_t len,
                          size_t start, int k, size_t stride, dnt_forecast_error *err) {
  return dnt_forecast_evaluate_against(f, series, series, n_series, len, start, k, stride, err);
}

int dnt_forecast_evaluate_against(dnt_forecaster *f, const double *history, const double *target,
                                  size_t n_series, size_t len, size_t start, int k, size_t stride,
                                  dnt_forecast_error *err) {
  return dnt_forecast_evaluate_ticking(f, history, target, n_series, len, start, k, stride, NULL,
                                       NULL, err);
}

int dnt_forecast_evaluate_ticking(dnt_forecaster *f, const double *history, const double *target,
                                  size_t n_series, size_t len, size_t start, int k, size_t stride,
                                  dnt_forecast_tick tick, void *ctx, dnt_forecast_error *err) {
  memset(err, 0, sizeof *err);
  if (n_series < 1 || k < 1 || k > DNT_FORECAST_MAX_K || stride < 1 ||
      start < dnt_forecaster_min_history(f) || start + (size_t)k > len)
    return dnt_error(DNT_ERR_ARG,
                     "forecast evaluation of '%s': %zu series, start = %zu, k = %d, "
                     "stride = %zu, len = %zu: need a series, min history %zu <= start <= len - k, "
                     "1 <= k <= %d",
                     f->ops->name, n_series, start, k, stride, len, dnt_forecaster_min_history(f),
                     DNT_FORECAST_MAX_K);
  double pred[DNT_FORECAST_MAX_K], lo = INFINITY, hi = -INFINITY;
  err->k = k;
  for (size_t j = 0; j < n_series; j++) {
    const double *y = history + j * len, *truth = target + j * len;
    for (size_t t = start; t + (size_t)k <= len; t += stride) {
      int rc = dnt_forecaster_predict(f, y, t, k, pred);
      if (rc != 0) return rc;
      for (int h = 0; h < k; h++) {
        double v = truth[t + (size_t)h], e = pred[h] - v;
        err->mae[h] += fabs(e);
        err->rmse[h] += e * e;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      err->origins++;
    }
    if (tick) tick(ctx, j + 1, n_series);
  }
  double n = (double)err->origins, range = hi - lo;
  for (int h = 0; h < k; h++) {
    err->mae[h] /= n;
    err->rmse[h] = sqrt(err->rmse[h] / n);
    err->nrmse[h] = range > 0 ? err->rmse[h] / range : 0;
  }
  return 0;
}
