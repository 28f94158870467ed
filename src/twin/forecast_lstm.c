/* src/twin/forecast_lstm.c: the LSTM forecaster (dnt/forecast.h) on the nn
 * layer's training loop (dnt/seq_forecast.h).
 *
 * Input window for target time tau (predicting z[tau]), T steps, step i at
 * time u = tau - T + i:
 *   x[i] = ( z[u], z[u + 1 - s] )    (second feature only when season s > 0)
 * so the last step carries z[tau - s], the seasonal-naive forecast (the
 * seq_forecast window with horizon 1). Net: LSTM(H, layers) -> last hidden ->
 * dense(1). Fit trains on the leading 1 - val_fraction of every given series
 * and stops early on the rest; predict z-scores the given history by its own
 * mean and sd and forecasts recursively. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/seq_forecast.h"
#include "dnt/stats.h"
#include "dnt/status.h"
#include "twin/forecast_internal.h"

typedef struct lstm_fc {
  dnt_lstm_forecaster_config cfg;
  dnt_seq_config seq;
  dnt_seq_model *model;
  float *x;    /* (T, features) one window */
  double loss; /* training MSE of the kept epoch of the last fit */
  double *ext; /* (cap_ext) z-scored history then forecasts */
  size_t cap_ext;
} lstm_fc;

static size_t lstm_min(const void *self) {
  return dnt_seq_window_lead(&((const lstm_fc *)self)->seq.win);
}

static int lstm_fit(void *self, const double *series, size_t n_series, size_t len) {
  lstm_fc *m = self;
  if (m->cfg.train_steps == 0) return 0;
  dnt_seq_split split;
  dnt_seq_data data;
  int rc = dnt_seq_split_fractions(len, 1, m->cfg.val_fraction, &split);
  if (!rc) rc = dnt_seq_data_init(&data, &m->seq.win, series, n_series, &split);
  if (rc)
    return dnt_error(rc, "lstm forecaster: %zu series of %zu values: %s", n_series, len,
                     dnt_last_error());
  dnt_seq_report r = {0};
  rc = dnt_seq_train(m->model, &data, &r);
  m->loss = r.train_mse;
  dnt_seq_data_free(&data);
  return rc;
}

static int lstm_predict(void *self, const double *history, size_t n, int k, double *out) {
  lstm_fc *m = self;
  size_t need = n + (size_t)k;
  if (need > m->cap_ext) {
    double *p = realloc(m->ext, need * sizeof *p);
    if (!p) return dnt_error(DNT_ERR_NOMEM, "lstm forecaster: out of memory for %zu values", need);
    m->ext = p;
    m->cap_ext = need;
  }
  double mean, sd;
  dnt_mean_sd(history, n, &mean, &sd);
  if (!(sd > 1e-12)) sd = 1; /* a flat history: only centre it */
  for (size_t t = 0; t < n; t++)
    m->ext[t] = (history[t] - mean) / sd;
  dnt_net *net = dnt_seq_model_net(m->model);
  for (int h = 0; h < k; h++) { /* recursive: forecasts become inputs */
    float y;
    dnt_seq_window_fill(&m->seq.win, m->ext, n + (size_t)h, m->x);
    dnt_net_infer(net, m->x, 1, &y);
    m->ext[n + (size_t)h] = y;
    out[h] = y * sd + mean;
  }
  return 0;
}

static void lstm_destroy(void *self) {
  lstm_fc *m = self;
  if (!m) return;
  dnt_seq_model_destroy(m->model);
  free(m->x);
  free(m->ext);
  free(m);
}

static const dnt_forecaster_ops lstm_ops = {"lstm", lstm_fit, lstm_predict, lstm_min, lstm_destroy};

void dnt_lstm_forecaster_config_default(dnt_lstm_forecaster_config *c) {
  *c = (dnt_lstm_forecaster_config){.window = 24,
                                    .season = 24,
                                    .hidden = 32,
                                    .layers = 1,
                                    .batch = 32,
                                    .train_steps = 1500,
                                    .lr = 3e-3f,
                                    .clip = 1.0f,
                                    .val_fraction = 0.2,
                                    .patience = 10,
                                    .seed = 1};
}

int dnt_forecaster_lstm(const dnt_lstm_forecaster_config *cfg, dnt_forecaster **out) {
  *out = NULL;
  if (cfg->train_steps < 0 || !(cfg->val_fraction >= 0 && cfg->val_fraction < 1))
    return dnt_error(DNT_ERR_ARG,
                     "lstm forecaster: train_steps = %d, val_fraction = %g: expected steps >= 0 "
                     "and val_fraction in [0, 1)",
                     cfg->train_steps, cfg->val_fraction);
  lstm_fc *m = calloc(1, sizeof *m);
  if (!m) return dnt_error(DNT_ERR_NOMEM, "lstm forecaster: out of memory");
  m->cfg = *cfg;
  m->loss = NAN;
  dnt_seq_config *s = &m->seq;
  dnt_seq_config_default(s);
  s->win = (dnt_seq_window){.window = cfg->window, .horizon = 1, .season = cfg->season};
  s->hidden = cfg->hidden;
  s->layers = cfg->layers;
  s->batch = cfg->batch;
  s->max_epochs = cfg->train_steps > 0 ? cfg->train_steps : 1; /* the step budget binds first */
  s->max_steps = cfg->train_steps;
  s->patience = cfg->patience;
  s->lr = cfg->lr;
  s->clip = cfg->clip;
  s->seed = cfg->seed;
  int rc = dnt_seq_model_create(s, 0, &m->model);
  if (rc) {
    rc = dnt_error(rc, "lstm forecaster: %s", dnt_last_error());
    goto cleanup;
  }
  m->x = malloc((size_t)cfg->window * (size_t)dnt_seq_window_features(&s->win) * sizeof *m->x);
  if (!m->x) rc = dnt_error(DNT_ERR_NOMEM, "lstm forecaster: out of memory for a window");
cleanup:
  if (rc) {
    lstm_destroy(m);
    return rc;
  }
  return dnt_forecaster_create(&lstm_ops, m, out);
}

dnt_net *dnt_forecaster_lstm_net(dnt_forecaster *f) {
  lstm_fc *m = dnt_forecaster_self_if(f, &lstm_ops);
  return m ? dnt_seq_model_net(m->model) : NULL;
}

double dnt_forecaster_lstm_loss(const dnt_forecaster *f) {
  const lstm_fc *m = dnt_forecaster_self_if((dnt_forecaster *)f, &lstm_ops);
  return m ? m->loss : NAN;
}
