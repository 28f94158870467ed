/* src/twin/forecast_lstm.c: the LSTM forecaster (dnt/forecast.h).
 *
 * Input window for target time tau (predicting z[tau]), T steps, step i at
 * time u = tau - T + i:
 *   x[i] = ( z[u], z[u + 1 - s] )    (second feature only when season s > 0)
 * so the last step carries z[tau - s], the seasonal-naive forecast. Net:
 * LSTM(H, layers) -> last hidden -> dense(1). Training draws minibatches of
 * (series, tau) uniformly; the workspaces are allocated once at create. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/loss.h"
#include "dnt/optim.h"
#include "dnt/rng.h"
#include "dnt/status.h"
#include "twin/forecast_internal.h"

typedef struct lstm_fc {
  dnt_lstm_forecaster_config cfg;
  int feat; /* 1 or 2 inputs per step */
  dnt_net *net;
  dnt_adam opt;
  dnt_rng rng;
  float *x;    /* (batch, T, feat) */
  float *y;    /* (batch) targets */
  float *dy;   /* (batch) */
  double loss; /* last minibatch */
  double *ext; /* (cap_ext) z-scored history then forecasts */
  size_t cap_ext;
} lstm_fc;

static size_t lstm_min(const void *self) {
  const lstm_fc *m = self;
  int s = m->cfg.season;
  return (size_t)m->cfg.window + (size_t)(s > 1 ? s - 1 : 0);
}

static void fill_window(const lstm_fc *m, const double *z, size_t tau, float *x) {
  int T = m->cfg.window, s = m->cfg.season;
  for (int i = 0; i < T; i++) {
    size_t u = tau - (size_t)T + (size_t)i;
    x[i * m->feat] = (float)z[u];
    if (s > 0) x[i * m->feat + 1] = (float)z[u + 1 - (size_t)s];
  }
}

static void mean_sd(const double *y, size_t n, double *mean, double *sd) {
  double s = 0, ss = 0;
  for (size_t i = 0; i < n; i++)
    s += y[i];
  *mean = s / (double)n;
  for (size_t i = 0; i < n; i++)
    ss += (y[i] - *mean) * (y[i] - *mean);
  *sd = sqrt(ss / (double)n);
  if (!(*sd > 1e-12)) *sd = 1; /* a flat series: only centre it */
}

static int lstm_fit(void *self, const double *series, size_t n_series, size_t len) {
  lstm_fc *m = self;
  size_t first = lstm_min(m), per = len > first ? len - first : 0;
  if (n_series == 0 || per == 0)
    return dnt_error(DNT_ERR_ARG,
                     "lstm forecaster: %zu series of %zu values: need more than "
                     "%zu values (window + season - 1)",
                     n_series, len, first);
  double *z = malloc(n_series * len * sizeof *z);
  if (!z) return dnt_error(DNT_ERR_NOMEM, "lstm forecaster: out of memory for training data");
  for (size_t j = 0; j < n_series; j++) {
    double mean, sd;
    mean_sd(series + j * len, len, &mean, &sd);
    for (size_t t = 0; t < len; t++)
      z[j * len + t] = (series[j * len + t] - mean) / sd;
  }
  int B = m->cfg.batch, T = m->cfg.window;
  size_t nparams = dnt_net_nparams(m->net);
  for (int step = 0; step < m->cfg.train_steps; step++) {
    for (int b = 0; b < B; b++) {
      size_t pick = (size_t)dnt_rng_below(&m->rng, (uint64_t)(n_series * per));
      size_t j = pick / per, tau = first + pick % per;
      fill_window(m, z + j * len, tau, m->x + (size_t)b * (size_t)T * (size_t)m->feat);
      m->y[b] = (float)z[j * len + tau];
    }
    dnt_net_zero_grad(m->net);
    const float *pred = dnt_net_forward(m->net, m->x, B);
    m->loss = dnt_loss_mse(pred, m->y, (size_t)B, m->dy);
    dnt_net_backward(m->net, m->dy, NULL);
    if (m->cfg.clip > 0) dnt_clip_grad_norm(dnt_net_grads(m->net), nparams, m->cfg.clip);
    dnt_adam_step(&m->opt, dnt_net_params(m->net), dnt_net_grads(m->net));
  }
  free(z);
  if (!isfinite(m->loss))
    return dnt_error(DNT_ERR_NUMERIC, "lstm forecaster: training loss is %g (lr %g too high?)",
                     m->loss, (double)m->cfg.lr);
  return 0;
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
  mean_sd(history, n, &mean, &sd);
  for (size_t t = 0; t < n; t++)
    m->ext[t] = (history[t] - mean) / sd;
  for (int h = 0; h < k; h++) { /* recursive: forecasts become inputs */
    float y;
    fill_window(m, m->ext, n + (size_t)h, m->x);
    dnt_net_infer(m->net, m->x, 1, &y);
    m->ext[n + (size_t)h] = y;
    out[h] = y * sd + mean;
  }
  return 0;
}

static void lstm_destroy(void *self) {
  lstm_fc *m = self;
  if (!m) return;
  dnt_net_destroy(m->net);
  dnt_adam_free(&m->opt);
  free(m->x);
  free(m->y);
  free(m->dy);
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
                                    .seed = 1};
}

int dnt_forecaster_lstm(const dnt_lstm_forecaster_config *cfg, dnt_forecaster **out) {
  *out = NULL;
  if (cfg->window < 1 || cfg->season < 0 || cfg->hidden < 1 || cfg->layers < 1 || cfg->batch < 1 ||
      cfg->train_steps < 0 || !(cfg->lr > 0) || !(cfg->clip >= 0))
    return dnt_error(DNT_ERR_ARG,
                     "lstm forecaster: window = %d, season = %d, hidden = %d, "
                     "layers = %d, batch = %d, train_steps = %d, lr = %g, clip = %g: expected "
                     "positive sizes, season >= 0, steps >= 0, lr > 0, clip >= 0",
                     cfg->window, cfg->season, cfg->hidden, cfg->layers, cfg->batch,
                     cfg->train_steps, (double)cfg->lr, (double)cfg->clip);
  lstm_fc *m = calloc(1, sizeof *m);
  if (!m) return dnt_error(DNT_ERR_NOMEM, "lstm forecaster: out of memory");
  m->cfg = *cfg;
  m->feat = cfg->season > 0 ? 2 : 1;
  dnt_net_arch arch = {.input = m->feat, .seq_len = cfg->window, .n_layers = 2};
  arch.layer[0] = (dnt_layer_spec){.kind = DNT_LAYER_LSTM,
                                   .units = cfg->hidden,
                                   .lstm_layers = cfg->layers,
                                   .return_sequences = 0};
  arch.layer[1] = (dnt_layer_spec){.kind = DNT_LAYER_DENSE, .units = 1, .act = DNT_ACT_NONE};
  int rc = dnt_net_create(&arch, cfg->batch, NULL, NULL, &m->net);
  if (rc == 0) rc = dnt_adam_init(&m->opt, dnt_net_nparams(m->net), cfg->lr);
  size_t xs = (size_t)cfg->batch * (size_t)cfg->window * (size_t)m->feat;
  m->x = malloc(xs * sizeof *m->x);
  m->y = malloc((size_t)cfg->batch * sizeof *m->y);
  m->dy = malloc((size_t)cfg->batch * sizeof *m->dy);
  if (rc == 0 && (!m->x || !m->y || !m->dy))
    rc = dnt_error(DNT_ERR_NOMEM, "lstm forecaster: out of memory for a batch of %d", cfg->batch);
  if (rc != 0) {
    lstm_destroy(m);
    return rc;
  }
  dnt_rng_seed(&m->rng, cfg->seed);
  dnt_net_init(m->net, &m->rng);
  return dnt_forecaster_create(&lstm_ops, m, out);
}

dnt_net *dnt_forecaster_lstm_net(dnt_forecaster *f) {
  lstm_fc *m = dnt_forecaster_self_if(f, &lstm_ops);
  return m ? m->net : NULL;
}

double dnt_forecaster_lstm_loss(const dnt_forecaster *f) {
  const lstm_fc *m = dnt_forecaster_self_if((dnt_forecaster *)f, &lstm_ops);
  return m ? m->loss : NAN;
}
