/* src/studies/nn.c: the nn-core demonstration: an LSTM one-step
 * forecaster against the seasonal-naive baseline on one traffic series.
 *
 * It is the first thing a new user runs (`dnt run` before the studies exist,
 * `dnt nn` always), so it favours a short, honest comparison over a tuned
 * model: the baseline is the one every forecasting paper must beat, and both
 * are scored on the same test targets in the series' own units. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/csv.h"
#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/interrupt.h"
#include "dnt/log.h"
#include "dnt/loss.h"
#include "dnt/nn.h"
#include "dnt/optim.h"
#include "dnt/progress.h"
#include "dnt/rng.h"
#include "dnt/status.h"
#include "dnt/study_nn.h"

#define DNT_CFG_STRUCT dnt_study_nn_config
static const dnt_config_field rows[] = {DNT_STUDY_NN_ROWS(DNT_CFG_ROW)};
#undef DNT_CFG_STRUCT

static const char *const headline[] = {"lstm_rmse", "seasonal_naive_rmse",
                                       "rmse_ratio_lstm_to_naive", NULL};

static int check_thunk(const void *cfg) {
  return dnt_study_nn_check(cfg);
}

static int run_thunk(const void *cfg, dnt_run *run, const dnt_study_progress *p) {
  return dnt_study_nn_run(cfg, run, p);
}

const dnt_study dnt_study_nn = {
    .name = "nn",
    .summary = "train an LSTM forecaster on a traffic series (nn core demonstration)",
    .usage = "Trains an LSTM one-step forecaster on a traffic series (beam_wireless.csv when\n"
             "present, else a generated series) and compares it with the seasonal-naive\n"
             "baseline on the test part. Writes summary.json, forecast.csv, forecast.svg/png,\n"
             "model.ckpt and dnt.db into the result folder.\n",
    .rows = rows,
    .n_rows = sizeof rows / sizeof rows[0],
    .config_size = sizeof(dnt_study_nn_config),
    .quick = "{\"train\": {\"epochs\": 8}}",
    .headline = headline,
    .main_job = 1,
    .check = check_thunk,
    .run = run_thunk,
};

void dnt_study_nn_defaults(dnt_study_nn_config *c) {
  dnt_config_struct_defaults(rows, sizeof rows / sizeof rows[0], c);
}

void dnt_study_nn_generate(double *out, size_t n, uint64_t seed) {
  dnt_rng rng;
  dnt_rng_for(&rng, seed, DNT_STREAM_DATA, 0);
  const double two_pi = 6.283185307179586;
  double burst = 0;
  for (size_t t = 0; t < n; t++) {
    double day = sin(two_pi * (double)(t % 24) / 24.0 - 1.8);
    double week = (t / 24) % 7 >= 5 ? 0.7 : 1.0; /* quieter weekends */
    if (dnt_rng_uniform(&rng) < 0.01) burst += dnt_rng_exponential(&rng, 0.5);
    burst *= 0.7;
    double v = week * (3.0 + 2.2 * day) + burst + dnt_rng_normal(&rng, 0, 0.35);
    out[t] = v > 0 ? v : 0;
  }
}

/* data.file = "auto": the shared real series when it is there. */
#define NN_AUTO_FILE "../shared/data/traffic/beam_wireless.csv"

/* Loads the configured series into a malloc'd array under the missing-value
 * policy, whose findings go to `report` (NULL: a check, read without
 * warnings), or generates one when data.file is "" (report zeroed). */
static int load_series(const dnt_study_nn_config *cfg, uint64_t seed, double **out, size_t *n,
                       dnt_cell_missing_report *report, char *source, size_t source_len) {
  const char *file = cfg->data_file;
  if (report) memset(report, 0, sizeof *report);
  if (!strcmp(file, "auto")) file = dnt_path_exists(NN_AUTO_FILE) ? NN_AUTO_FILE : "";
  if (file[0]) { /* a file the user names must be read */
    dnt_cell_missing policy;
    dnt_cell_traffic t;
    int rc = dnt_cell_missing_set(cfg->data_max_gap, cfg->data_missing, &policy);
    if (rc) return rc;
    policy.series = cfg->data_column;
    policy.quiet = report == NULL;
    if ((rc = dnt_cell_traffic_read(file, 3600, &policy, report, &t))) return rc;
    *out = t.v; /* (n_steps, 1): the one series, taken over */
    *n = t.n_steps;
    t.v = NULL;
    dnt_cell_traffic_free(&t);
    snprintf(source, source_len, "%s:%s", file, cfg->data_column);
    return DNT_OK;
  }
  *n = (size_t)cfg->data_length;
  *out = malloc(*n * sizeof **out);
  if (!*out) return dnt_error(DNT_ERR_NOMEM, "no memory for %zu values", *n);
  dnt_study_nn_generate(*out, *n, seed);
  snprintf(source, source_len, "generated");
  return DNT_OK;
}

typedef struct windows {
  size_t n;  /* windows */
  int w;     /* steps per window */
  float *x;  /* (n, w, 1) normalised inputs */
  float *y;  /* (n) normalised targets */
  size_t *t; /* (n) index of each target in the series */
} windows;

/* Windows whose targets lie in [from, to). */
static int make_windows(const double *s, size_t from, size_t to, int w, double mean, double sd,
                        windows *out) {
  out->w = w;
  out->n = to > from ? to - from : 0;
  out->x = malloc((out->n * (size_t)w + 1) * sizeof *out->x);
  out->y = malloc((out->n + 1) * sizeof *out->y);
  out->t = malloc((out->n + 1) * sizeof *out->t);
  if (!out->x || !out->y || !out->t) return dnt_error(DNT_ERR_NOMEM, "no memory for windows");
  for (size_t i = 0; i < out->n; i++) {
    size_t t = from + i;
    for (int k = 0; k < w; k++)
      out->x[i * (size_t)w + (size_t)k] = (float)((s[t - (size_t)w + (size_t)k] - mean) / sd);
    out->y[i] = (float)((s[t] - mean) / sd);
    out->t[i] = t;
  }
  return DNT_OK;
}

static void free_windows(windows *w) {
  free(w->x);
  free(w->y);
  free(w->t);
}

/* Trains `net` on `tr`; logs the mean training loss of each epoch. */
static int train(dnt_net *net, const windows *tr, const dnt_study_nn_config *cfg, dnt_rng *rng,
                 dnt_run *run, const dnt_study_progress *p) {
  int batch = (int)cfg->batch, epochs = (int)cfg->epochs;
  float clip = (float)cfg->clip;
  size_t np = dnt_net_nparams(net);
  dnt_adam opt;
  int rc = dnt_adam_init(&opt, np, (float)cfg->lr);
  if (rc) return rc;
  int *order = malloc(tr->n * sizeof *order);
  float *xb = malloc((size_t)batch * (size_t)tr->w * sizeof *xb);
  float *yb = malloc((size_t)batch * sizeof *yb);
  float *grad = malloc((size_t)batch * sizeof *grad);
  if (!order || !xb || !yb || !grad) {
    rc = dnt_error(DNT_ERR_NOMEM, "no memory for training batches");
    goto cleanup;
  }
  for (size_t i = 0; i < tr->n; i++)
    order[i] = (int)i;
  for (int e = 0; e < epochs; e++) {
    if (dnt_interrupt_pending()) {
      rc = dnt_error(DNT_ERR_INTERRUPTED, "nn: stopped after %d of %d epochs (signal %d)", e,
                     epochs, dnt_interrupt_pending());
      goto cleanup;
    }
    dnt_rng_shuffle_int(rng, order, tr->n);
    double sum = 0;
    size_t seen = 0;
    for (size_t at = 0; at < tr->n; at += (size_t)batch) {
      int b = (int)(tr->n - at < (size_t)batch ? tr->n - at : (size_t)batch);
      for (int i = 0; i < b; i++) {
        size_t src = (size_t)order[at + (size_t)i];
        memcpy(xb + (size_t)i * (size_t)tr->w, tr->x + src * (size_t)tr->w,
               (size_t)tr->w * sizeof *xb);
        yb[i] = tr->y[src];
      }
      const float *pred = dnt_net_forward(net, xb, b);
      float loss = dnt_loss_mse(pred, yb, (size_t)b, grad);
      dnt_net_zero_grad(net);
      dnt_net_backward(net, grad, NULL);
      if (clip > 0) dnt_clip_grad_norm(dnt_net_grads(net), np, clip);
      dnt_adam_step(&opt, dnt_net_params(net), dnt_net_grads(net));
      sum += (double)loss * b;
      seen += (size_t)b;
    }
    if ((rc = dnt_run_metric(run, "train_mse", e, sum / (double)seen))) goto cleanup;
    dnt_study_progress_report(p, "nn: training", (uint64_t)e + 1, (uint64_t)epochs);
  }
  rc = dnt_run_commit(run);
cleanup:
  dnt_adam_free(&opt);
  free(order);
  free(xb);
  free(yb);
  free(grad);
  return rc;
}

static int write_forecast(dnt_run *run, const windows *te, const double *s, const float *pred,
                          double mean, double sd, int season) {
  char path[1024];
  int rc = dnt_run_path(run, "forecast.csv", path, sizeof path);
  dnt_afile *f = NULL;
  if (rc || (rc = dnt_afile_open(path, &f))) return rc;
  FILE *out = dnt_afile_stream(f);
  static const char *const cols[] = {"step", "actual", "lstm", "seasonal_naive"};
  dnt_csv_write_header(out, cols, 4);
  for (size_t i = 0; i < te->n; i++) {
    double row[4] = {(double)te->t[i], s[te->t[i]], pred[i] * sd + mean,
                     s[te->t[i] - (size_t)season]};
    dnt_csv_write_row(out, row, 4);
  }
  if ((rc = dnt_afile_commit(f))) return rc;
  dnt_figure_text text = {"One-step forecast on the test part", "step (hour)", "traffic", 0};
  return dnt_figure_lines(dnt_run_dir(run), "forecast", "forecast.csv", "step", cols + 1, 3, &text);
}

/* The series is long enough for the window, the season and the split. */
static int check_length(const dnt_study_nn_config *cfg, size_t n, const char *source) {
  size_t lead = (size_t)(cfg->window > cfg->season ? cfg->window : cfg->season);
  size_t split = (size_t)(cfg->train_fraction * (double)n);
  if (split <= lead + 1 || split >= n)
    return dnt_error(DNT_ERR_CONFIG,
                     "%s: %zu values are too few for model.window %lld, baseline.season %lld and "
                     "data.train_fraction %g",
                     source, n, (long long)cfg->window, (long long)cfg->season,
                     cfg->train_fraction);
  return DNT_OK;
}

int dnt_study_nn_check(const dnt_study_nn_config *cfg) {
  double *s = NULL;
  size_t n = 0;
  char source[256];
  int rc = load_series(cfg, 0, &s, &n, NULL, source, sizeof source); /* readable and parsed */
  if (!rc) rc = check_length(cfg, n, source);
  free(s);
  return rc;
}

int dnt_study_nn_run(const dnt_study_nn_config *cfg, dnt_run *run, const dnt_study_progress *p) {
  int rc = dnt_study_check_struct(&dnt_study_nn, cfg);
  if (rc) return rc;
  uint64_t seed = dnt_run_seed(run);
  char source[256];
  double *s = NULL;
  size_t n = 0;
  windows tr = {0}, te = {0};
  dnt_net *net = NULL;
  float *pred = NULL;
  dnt_cell_missing_report missing = {0};
  if ((rc = load_series(cfg, seed, &s, &n, &missing, source, sizeof source))) return rc;
  int w = (int)cfg->window;
  int season = (int)cfg->season;
  size_t lead = (size_t)(w > season ? w : season);
  size_t split = (size_t)(cfg->train_fraction * (double)n);
  if ((rc = check_length(cfg, n, source))) goto cleanup;
  double mean = 0, var = 0;
  for (size_t t = 0; t < split; t++)
    mean += s[t];
  mean /= (double)split;
  for (size_t t = 0; t < split; t++)
    var += (s[t] - mean) * (s[t] - mean);
  double sd = sqrt(var / (double)split);
  if (!(sd > 0)) {
    rc = dnt_error(DNT_ERR_ARG, "%s: the training part is constant; nothing to learn", source);
    goto cleanup;
  }
  if ((rc = make_windows(s, lead, split, w, mean, sd, &tr)) ||
      (rc = make_windows(s, split, n, w, mean, sd, &te)))
    goto cleanup;

  dnt_net_arch arch = {.input = 1, .seq_len = w, .n_layers = 2};
  arch.layer[0] =
      (dnt_layer_spec){DNT_LAYER_LSTM, (int)cfg->hidden, DNT_ACT_NONE, (int)cfg->layers, 0};
  arch.layer[1] = (dnt_layer_spec){DNT_LAYER_DENSE, 1, DNT_ACT_NONE, 0, 0};
  int batch = (int)cfg->batch;
  if ((rc = dnt_net_create(&arch, batch, NULL, NULL, &net))) goto cleanup;
  dnt_rng rng;
  dnt_rng_for(&rng, seed, DNT_STREAM_NET_INIT, 0);
  dnt_net_init(net, &rng);
  dnt_rng_for(&rng, seed, DNT_STREAM_TRAIN, 0);
  double t0 = dnt_now();
  if ((rc = train(net, &tr, cfg, &rng, run, p))) goto cleanup;
  double train_seconds = dnt_now() - t0;

  pred = malloc((te.n + 1) * sizeof *pred);
  if (!pred) {
    rc = dnt_error(DNT_ERR_NOMEM, "no memory for %zu forecasts", te.n);
    goto cleanup;
  }
  for (size_t at = 0; at < te.n; at += (size_t)batch) {
    int b = (int)(te.n - at < (size_t)batch ? te.n - at : (size_t)batch);
    dnt_net_infer(net, te.x + at * (size_t)w, b, pred + at);
  }
  double se_l = 0, ae_l = 0, se_n = 0, ae_n = 0;
  for (size_t i = 0; i < te.n; i++) {
    double actual = s[te.t[i]];
    double el = pred[i] * sd + mean - actual;
    double en = s[te.t[i] - (size_t)season] - actual;
    se_l += el * el;
    ae_l += fabs(el);
    se_n += en * en;
    ae_n += fabs(en);
  }
  double lstm_rmse = sqrt(se_l / (double)te.n), naive_rmse = sqrt(se_n / (double)te.n);

  if ((rc = write_forecast(run, &te, s, pred, mean, sd, season))) goto cleanup;
  char path[1024];
  if ((rc = dnt_run_path(run, "model.ckpt", path, sizeof path)) || (rc = dnt_net_save(net, path)))
    goto cleanup;
  dnt_run_summary_string(run, "source", source);
  dnt_run_summary_number(run, "lstm_rmse", lstm_rmse);
  dnt_run_summary_number(run, "lstm_mae", ae_l / (double)te.n);
  dnt_run_summary_number(run, "seasonal_naive_rmse", naive_rmse);
  dnt_run_summary_number(run, "seasonal_naive_mae", ae_n / (double)te.n);
  dnt_run_summary_number(run, "rmse_ratio_lstm_to_naive", lstm_rmse / naive_rmse);
  dnt_run_summary_number(run, "train_windows", (double)tr.n);
  dnt_run_summary_number(run, "test_windows", (double)te.n);
  dnt_run_summary_number(run, "train_seconds", train_seconds);
  rc = dnt_cell_missing_summary(&missing, run);
cleanup:
  dnt_cell_missing_report_free(&missing);
  free(pred);
  dnt_net_destroy(net);
  free_windows(&tr);
  free_windows(&te);
  free(s);
  return rc;
}
