/* src/nn/seq_forecast.c: windows, z-scores, the time split, early stopping
 * and the one training loop of the LSTM forecasters (dnt/seq_forecast.h).
 *
 * Workload: a forecaster trains once (or once per federated round) on a few
 * hundred to a few thousand windows, then forecasts; the forecasting study
 * trains one per base station, tens to hundreds at a time. The per-step work
 * is the net's own (one fused gate sgemm per LSTM step); this file only
 * gathers windows into the minibatch, keeps the best weights and hands models
 * to threads. Models never share state, so the thread that trains one does
 * not change its numbers. */
#include "dnt/seq_forecast.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/interrupt.h"
#include "dnt/loss.h"
#include "dnt/optim.h"
#include "dnt/stats.h"
#include "dnt/status.h"
#include "dnt/vec.h"

int dnt_seq_window_features(const dnt_seq_window *w) {
  return w->season > 0 ? 2 : 1;
}

size_t dnt_seq_window_lead(const dnt_seq_window *w) {
  int back = w->horizon > w->season ? w->horizon : w->season;
  return (size_t)w->window - 1 + (size_t)back;
}

void dnt_seq_window_fill(const dnt_seq_window *w, const double *z, size_t tau, float *x) {
  int f = dnt_seq_window_features(w);
  size_t first = tau + 1 - (size_t)w->horizon - (size_t)w->window; /* u at i = 0 */
  for (int i = 0; i < w->window; i++) {
    size_t u = first + (size_t)i;
    x[i * f] = (float)z[u];                                                          /* z[u] */
    if (f == 2) x[i * f + 1] = (float)z[u + (size_t)w->horizon - (size_t)w->season]; /* z[u+h-s] */
  }
}

int dnt_seq_split_fractions(size_t len, double fit_fraction, double val_fraction,
                            dnt_seq_split *out) {
  if (!(fit_fraction > 0 && fit_fraction <= 1) || !(val_fraction >= 0 && val_fraction < 1))
    return dnt_error(DNT_ERR_ARG,
                     "seq forecast split: fit_fraction = %g, val_fraction = %g: expected "
                     "(0, 1] and [0, 1)",
                     fit_fraction, val_fraction);
  size_t fit = (size_t)(fit_fraction * (double)len);
  size_t val = (size_t)(val_fraction * (double)fit);
  if (fit == 0 || (val_fraction > 0 && val == 0) || val == fit)
    return dnt_error(DNT_ERR_ARG,
                     "seq forecast split: %zu values, fit_fraction %g, val_fraction %g: %zu fit "
                     "and %zu validation values: expected both parts non-empty",
                     len, fit_fraction, val_fraction, fit, val);
  *out = (dnt_seq_split){.train_end = fit - val, .val_end = fit, .len = len};
  return 0;
}

static int check_window(const dnt_seq_window *w) {
  if (w->window < 1 || w->horizon < 1 || w->season < 0 || (w->season > 0 && w->season < w->horizon))
    return dnt_error(DNT_ERR_ARG,
                     "seq forecast: window = %d, horizon = %d, season = %d: expected window, "
                     "horizon >= 1 and season 0 or >= horizon",
                     w->window, w->horizon, w->season);
  return 0;
}

/* Windows per series with targets in [from, to). */
static size_t windows_in(const dnt_seq_window *w, size_t from, size_t to) {
  size_t lead = dnt_seq_window_lead(w);
  if (from < lead) from = lead;
  return to > from ? to - from : 0;
}

static size_t part_start(const dnt_seq_data *d, dnt_seq_part part) {
  size_t lead = dnt_seq_window_lead(&d->win);
  size_t at = part == DNT_SEQ_TRAIN ? 0
              : part == DNT_SEQ_VAL ? d->split.train_end
                                    : d->split.val_end;
  return at > lead ? at : lead;
}

int dnt_seq_data_init(dnt_seq_data *d, const dnt_seq_window *w, const double *series,
                      size_t n_series, const dnt_seq_split *split) {
  memset(d, 0, sizeof *d);
  size_t len = split->len, lead = dnt_seq_window_lead(w);
  int rc = check_window(w);
  if (rc) return rc;
  if (n_series == 0 || split->train_end > split->val_end || split->val_end > len)
    return dnt_error(DNT_ERR_ARG,
                     "seq forecast: %zu series, split train_end = %zu, val_end = %zu, len = %zu: "
                     "expected series and train_end <= val_end <= len",
                     n_series, split->train_end, split->val_end, len);
  if (split->train_end <= lead)
    return dnt_error(DNT_ERR_ARG,
                     "seq forecast: the training part has %zu values: too short for a window "
                     "(window %d, horizon %d, season %d need more than %zu)",
                     split->train_end, w->window, w->horizon, w->season, lead);
  for (size_t j = 0; j < n_series; j++)
    for (size_t t = 0; t < len; t++)
      if (!isfinite(series[j * len + t]))
        return dnt_error(DNT_ERR_NUMERIC,
                         "seq forecast: series %zu, value %zu is %g: expected finite", j, t,
                         series[j * len + t]);
  d->win = *w;
  d->split = *split;
  d->n_series = n_series;
  d->mean = malloc(n_series * sizeof *d->mean);
  d->sd = malloc(n_series * sizeof *d->sd);
  d->z = malloc(n_series * (len ? len : 1) * sizeof *d->z);
  if (!d->mean || !d->sd || !d->z) {
    dnt_seq_data_free(d);
    return dnt_error(DNT_ERR_NOMEM, "seq forecast: out of memory for %zu series of %zu values",
                     n_series, len);
  }
  size_t n = split->train_end;
  for (size_t j = 0; j < n_series; j++) {
    const double *y = series + j * len;
    double mean, sd;
    dnt_mean_sd(y, n, &mean, &sd);
    if (!(sd > 1e-12 * (fabs(mean) > 1 ? fabs(mean) : 1))) sd = 1; /* flat: only centre it */
    d->mean[j] = mean;
    d->sd[j] = sd;
    for (size_t t = 0; t < len; t++)
      d->z[j * len + t] = (y[t] - mean) / sd;
  }
  d->per[DNT_SEQ_TRAIN] = windows_in(w, 0, split->train_end);
  d->per[DNT_SEQ_VAL] = windows_in(w, split->train_end, split->val_end);
  d->per[DNT_SEQ_TEST] = windows_in(w, split->val_end, len);
  return 0;
}

void dnt_seq_data_free(dnt_seq_data *d) {
  free(d->mean);
  free(d->sd);
  free(d->z);
  memset(d, 0, sizeof *d);
}

size_t dnt_seq_data_count(const dnt_seq_data *d, dnt_seq_part part) {
  return d->per[part] * d->n_series;
}

void dnt_seq_data_window(const dnt_seq_data *d, dnt_seq_part part, size_t k, float *x, float *y,
                         size_t *series, size_t *tau) {
  size_t per = d->per[part], j = k / per, t = part_start(d, part) + k % per;
  const double *z = d->z + j * d->split.len;
  if (x) dnt_seq_window_fill(&d->win, z, t, x);
  if (y) *y = (float)z[t];
  if (series) *series = j;
  if (tau) *tau = t;
}

void dnt_seq_early_stop_init(dnt_seq_early_stop *s, int patience) {
  *s = (dnt_seq_early_stop){.patience = patience, .best = INFINITY};
}

dnt_seq_verdict dnt_seq_early_stop_update(dnt_seq_early_stop *s, double loss) {
  s->epoch++;
  if (loss < s->best) {
    s->best = loss;
    s->best_epoch = s->epoch;
    return DNT_SEQ_IMPROVED;
  }
  return s->patience > 0 && s->epoch - s->best_epoch >= s->patience ? DNT_SEQ_STOP : DNT_SEQ_GO_ON;
}

void dnt_seq_config_default(dnt_seq_config *c) {
  *c = (dnt_seq_config){.win = {.window = 24, .horizon = 1, .season = 0},
                        .hidden = 32,
                        .layers = 1,
                        .batch = 32,
                        .max_epochs = 40,
                        .max_steps = 0,
                        .patience = 5,
                        .lr = 5e-3f,
                        .clip = 1.0f,
                        .seed = 1};
}

int dnt_seq_config_check(const dnt_seq_config *c) {
  int rc = check_window(&c->win);
  if (rc) return rc;
  if (c->hidden < 1 || c->layers < 1 || c->layers > DNT_NET_MAX_LAYERS || c->batch < 1 ||
      c->max_epochs < 1 || c->max_steps < 0 || c->patience < 0 || !(c->lr > 0) || !(c->clip >= 0))
    return dnt_error(DNT_ERR_ARG,
                     "seq forecast: hidden = %d, layers = %d, batch = %d, max_epochs = %d, "
                     "max_steps = %lld, patience = %d, lr = %g, clip = %g: expected sizes and "
                     "epochs >= 1 (layers <= %d), steps and patience >= 0, lr > 0, clip >= 0",
                     c->hidden, c->layers, c->batch, c->max_epochs, (long long)c->max_steps,
                     c->patience, (double)c->lr, (double)c->clip, DNT_NET_MAX_LAYERS);
  return 0;
}

struct dnt_seq_model {
  dnt_seq_config cfg;
  uint64_t index;
  int feat;
  dnt_net *net;
  dnt_rng train_rng; /* (seed, DNT_STREAM_TRAIN, index) */
  float *x;          /* (batch, T, feat) minibatch inputs */
  float *y;          /* (batch) targets */
  float *out;        /* (batch) gradient of the loss, or inferred outputs */
};

int dnt_seq_model_create(const dnt_seq_config *c, uint64_t index, dnt_seq_model **out) {
  *out = NULL;
  int rc = dnt_seq_config_check(c);
  if (rc) return rc;
  dnt_seq_model *m = calloc(1, sizeof *m);
  if (!m) return dnt_error(DNT_ERR_NOMEM, "seq forecast: out of memory for a model");
  m->cfg = *c;
  m->index = index;
  m->feat = dnt_seq_window_features(&c->win);
  dnt_net_arch arch = {.input = m->feat, .seq_len = c->win.window, .n_layers = 2};
  arch.layer[0] = (dnt_layer_spec){
      .kind = DNT_LAYER_LSTM, .units = c->hidden, .lstm_layers = c->layers, .return_sequences = 0};
  arch.layer[1] = (dnt_layer_spec){.kind = DNT_LAYER_DENSE, .units = 1, .act = DNT_ACT_NONE};
  size_t b = (size_t)c->batch;
  if ((rc = dnt_net_create(&arch, c->batch, NULL, NULL, &m->net))) goto cleanup;
  m->x = malloc(b * (size_t)c->win.window * (size_t)m->feat * sizeof *m->x);
  m->y = malloc(b * sizeof *m->y);
  m->out = malloc(b * sizeof *m->out);
  if (!m->x || !m->y || !m->out) {
    rc = dnt_error(DNT_ERR_NOMEM, "seq forecast: out of memory for a batch of %d", c->batch);
    goto cleanup;
  }
  dnt_rng init;
  dnt_rng_for(&init, c->seed, DNT_STREAM_NET_INIT, index);
  dnt_net_init(m->net, &init);
  dnt_rng_for(&m->train_rng, c->seed, DNT_STREAM_TRAIN, index);
  *out = m;
cleanup:
  if (rc) dnt_seq_model_destroy(m);
  return rc;
}

void dnt_seq_model_destroy(dnt_seq_model *m) {
  if (!m) return;
  dnt_net_destroy(m->net);
  free(m->x);
  free(m->y);
  free(m->out);
  free(m);
}

dnt_net *dnt_seq_model_net(dnt_seq_model *m) {
  return m->net;
}
const dnt_seq_config *dnt_seq_model_config(const dnt_seq_model *m) {
  return &m->cfg;
}

/* Inference over windows [at, at + b) of a part into m->out. */
static void infer_chunk(dnt_seq_model *m, const dnt_seq_data *d, dnt_seq_part part, size_t at,
                        int b) {
  size_t xs = (size_t)m->cfg.win.window * (size_t)m->feat;
  for (int i = 0; i < b; i++)
    dnt_seq_data_window(d, part, at + (size_t)i, m->x + (size_t)i * xs, m->y + i, NULL, NULL);
  dnt_net_infer(m->net, m->x, b, m->out);
}

double dnt_seq_part_mse(dnt_seq_model *m, const dnt_seq_data *d, dnt_seq_part part) {
  size_t n = dnt_seq_data_count(d, part), bs = (size_t)m->cfg.batch;
  if (n == 0) return NAN;
  double se = 0;
  for (size_t at = 0; at < n; at += bs) {
    int b = (int)(n - at < bs ? n - at : bs);
    infer_chunk(m, d, part, at, b);
    for (int i = 0; i < b; i++)
      se += ((double)m->out[i] - m->y[i]) * ((double)m->out[i] - m->y[i]);
  }
  return se / (double)n;
}

int dnt_seq_predict_part(dnt_seq_model *m, const dnt_seq_data *d, dnt_seq_part part, double *out) {
  if (memcmp(&m->cfg.win, &d->win, sizeof d->win) != 0)
    return dnt_error(DNT_ERR_MISMATCH, "seq forecast: the data's windows are not the model's");
  size_t n = dnt_seq_data_count(d, part), bs = (size_t)m->cfg.batch;
  for (size_t at = 0; at < n; at += bs) {
    int b = (int)(n - at < bs ? n - at : bs);
    infer_chunk(m, d, part, at, b);
    for (int i = 0; i < b; i++) {
      size_t j = (at + (size_t)i) / d->per[part];
      out[at + (size_t)i] = m->out[i] * d->sd[j] + d->mean[j];
    }
  }
  return 0;
}

/* One epoch over the shuffled training windows; returns the mean minibatch
 * MSE weighted by batch size, or a non-finite value. Stops at max_steps. */
static double train_epoch(dnt_seq_model *m, const dnt_seq_data *d, dnt_adam *opt, int *order,
                          size_t n, int64_t *steps) {
  const dnt_seq_config *c = &m->cfg;
  size_t bs = (size_t)c->batch, xs = (size_t)c->win.window * (size_t)m->feat;
  size_t np = dnt_net_nparams(m->net), seen = 0;
  double sum = 0;
  dnt_rng_shuffle_int(&m->train_rng, order, n);
  for (size_t at = 0; at < n && (c->max_steps == 0 || *steps < c->max_steps); at += bs) {
    int b = (int)(n - at < bs ? n - at : bs);
    for (int i = 0; i < b; i++)
      dnt_seq_data_window(d, DNT_SEQ_TRAIN, (size_t)order[at + (size_t)i], m->x + (size_t)i * xs,
                          m->y + i, NULL, NULL);
    const float *pred = dnt_net_forward(m->net, m->x, b);
    float loss = dnt_loss_mse(pred, m->y, (size_t)b, m->out);
    dnt_net_zero_grad(m->net);
    dnt_net_backward(m->net, m->out, NULL);
    if (c->clip > 0) dnt_clip_grad_norm(dnt_net_grads(m->net), np, c->clip);
    dnt_adam_step(opt, dnt_net_params(m->net), dnt_net_grads(m->net));
    (*steps)++;
    sum += (double)loss * b;
    seen += (size_t)b;
  }
  return seen ? sum / (double)seen : 0;
}

int dnt_seq_train(dnt_seq_model *m, const dnt_seq_data *d, dnt_seq_report *report) {
  const dnt_seq_config *c = &m->cfg;
  dnt_seq_report r = {.val_mse = NAN};
  if (report) {
    r.train_curve = report->train_curve;
    r.val_curve = report->val_curve;
  }
  if (memcmp(&c->win, &d->win, sizeof d->win) != 0)
    return dnt_error(DNT_ERR_MISMATCH,
                     "seq forecast: data windows (window %d, horizon %d, season %d) differ from "
                     "the model's (window %d, horizon %d, season %d)",
                     d->win.window, d->win.horizon, d->win.season, c->win.window, c->win.horizon,
                     c->win.season);
  size_t n = dnt_seq_data_count(d, DNT_SEQ_TRAIN), np = dnt_net_nparams(m->net);
  int has_val = dnt_seq_data_count(d, DNT_SEQ_VAL) > 0;
  dnt_adam opt = {0};
  int *order = malloc(n * sizeof *order);
  float *best = malloc(np * sizeof *best);
  int rc = dnt_adam_init(&opt, np, c->lr);
  if (!rc && (!order || !best))
    rc = dnt_error(DNT_ERR_NOMEM, "seq forecast: out of memory for %zu windows", n);
  if (rc) goto cleanup;
  for (size_t i = 0; i < n; i++)
    order[i] = (int)i;
  dnt_seq_early_stop es;
  dnt_seq_early_stop_init(&es, c->patience);
  double best_train = NAN;
  while (r.epochs < c->max_epochs && (c->max_steps == 0 || r.steps < c->max_steps)) {
    if (dnt_interrupt_pending()) {
      rc = dnt_error(
          DNT_ERR_INTERRUPTED, "seq forecast: model %llu stopped after %d of %d epochs (signal %d)",
          (unsigned long long)m->index, r.epochs, c->max_epochs, dnt_interrupt_pending());
      goto cleanup;
    }
    double tr = train_epoch(m, d, &opt, order, n, &r.steps);
    double va = has_val ? dnt_seq_part_mse(m, d, DNT_SEQ_VAL) : 0;
    if (!isfinite(tr) || !isfinite(va)) {
      rc = dnt_error(DNT_ERR_NUMERIC,
                     "seq forecast: model %llu, epoch %d: training loss %g, validation loss %g "
                     "(lr %g too high?)",
                     (unsigned long long)m->index, r.epochs + 1, tr, va, (double)c->lr);
      goto cleanup;
    }
    if (!has_val) va = NAN;
    if (r.train_curve) r.train_curve[r.epochs] = tr;
    if (r.val_curve) r.val_curve[r.epochs] = va;
    r.epochs++;
    if (!has_val) {
      best_train = tr;
      continue;
    }
    dnt_seq_verdict v = dnt_seq_early_stop_update(&es, va);
    if (v == DNT_SEQ_IMPROVED) {
      dnt_vec_copy(best, dnt_net_params(m->net), np);
      best_train = tr;
    }
    if (v == DNT_SEQ_STOP) break;
  }
  r.best_epoch = has_val ? es.best_epoch : r.epochs;
  r.train_mse = best_train;
  if (has_val) { /* a finite loss improves on the initial infinity: best_epoch >= 1 */
    dnt_vec_copy(dnt_net_params(m->net), best, np);
    r.val_mse = es.best;
  }
cleanup:
  if (report) *report = r;
  dnt_adam_free(&opt);
  free(order);
  free(best);
  return rc;
}

/* ---- many models on threads ---- */

typedef struct train_pool {
  dnt_seq_model *const *models;
  const dnt_seq_data *const *data;
  dnt_seq_report *reports;
  size_t n;
  atomic_size_t next;
  pthread_mutex_t lock;
  int rc;        /* status of the lowest failing model */
  size_t failed; /* its position */
  char msg[512]; /* its message */
} train_pool;

static void *train_worker(void *arg) {
  train_pool *p = arg;
  for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;) {
    int rc = dnt_seq_train(p->models[i], p->data[i], p->reports ? &p->reports[i] : NULL);
    if (rc == 0) continue;
    pthread_mutex_lock(&p->lock);
    if (p->rc == 0 || i < p->failed) {
      p->rc = rc;
      p->failed = i;
      snprintf(p->msg, sizeof p->msg, "%s", dnt_last_error());
    }
    pthread_mutex_unlock(&p->lock);
  }
  return NULL;
}

int dnt_seq_train_many(dnt_seq_model *const *models, const dnt_seq_data *const *data, size_t n,
                       int threads, dnt_seq_report *reports) {
  if (threads < 1)
    return dnt_error(DNT_ERR_ARG, "seq forecast: threads = %d: expected >= 1", threads);
  train_pool p = {.models = models, .data = data, .reports = reports, .n = n};
  atomic_init(&p.next, 0);
  pthread_mutex_init(&p.lock, NULL);
  size_t nt = (size_t)threads < n ? (size_t)threads : (n ? n : 1);
  pthread_t *tid = nt > 1 ? malloc((nt - 1) * sizeof *tid) : NULL;
  size_t started = 0;
  if (tid)
    for (; started < nt - 1; started++)
      if (pthread_create(&tid[started], NULL, train_worker, &p) != 0) break;
  train_worker(&p); /* the calling thread works too, and finishes what did not start */
  for (size_t i = 0; i < started; i++)
    pthread_join(tid[i], NULL);
  free(tid);
  pthread_mutex_destroy(&p.lock);
  if (p.rc) return dnt_error(p.rc, "seq forecast: model %zu of %zu: %s", p.failed, n, p.msg);
  return 0;
}
