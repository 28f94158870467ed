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
#include "dnt/log.h"
#include "dnt/progress.h"
#include "dnt/rng.h"
#include "dnt/seq_forecast.h"
#include "dnt/status.h"
#include "dnt/study_nn.h"

#define DNT_CFG_STRUCT dnt_study_nn_config
static const dnt_config_field rows[] = {DNT_STUDY_NN_ROWS(DNT_CFG_ROW)};
#undef DNT_CFG_STRUCT

static const char *const headline[] = {"lstm_rmse", "seasonal_naive_rmse",
                                       "rmse_ratio_lstm_to_naive", NULL};

DNT_STUDY_GLUE(nn)

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
    .main_job = 0,
    .check = check_thunk,
    .run = run_thunk,
};

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

/* Writes the per-epoch curves into dnt.db (metrics train_mse, val_mse). */
static int write_curves(dnt_run *run, const dnt_seq_report *r) {
  int rc = 0;
  for (int e = 0; rc == 0 && e < r->epochs; e++) {
    rc = dnt_run_metric(run, "train_mse", e, r->train_curve[e]);
    if (rc == 0 && isfinite(r->val_curve[e]))
      rc = dnt_run_metric(run, "val_mse", e, r->val_curve[e]);
  }
  return rc ? rc : dnt_run_commit(run);
}

/* forecast.csv (step, actual, lstm, seasonal_naive over the test targets)
 * and its figure. */
static int write_forecast(dnt_run *run, const dnt_seq_data *d, const double *s, const double *pred,
                          int season) {
  char path[1024];
  int rc = dnt_run_path(run, "forecast.csv", path, sizeof path);
  dnt_afile *f = NULL;
  if (rc || (rc = dnt_afile_open(path, &f))) return rc;
  FILE *out = dnt_afile_stream(f);
  static const char *const cols[] = {"step", "actual", "lstm", "seasonal_naive"};
  dnt_csv_write_header(out, cols, 4);
  for (size_t i = 0; i < dnt_seq_data_count(d, DNT_SEQ_TEST); i++) {
    size_t t;
    dnt_seq_data_window(d, DNT_SEQ_TEST, i, NULL, NULL, NULL, &t);
    double row[4] = {(double)t, s[t], pred[i], s[t - (size_t)season]};
    dnt_csv_write_row(out, row, 4);
  }
  if ((rc = dnt_afile_commit(f))) return rc;
  dnt_figure_text text = {"One-step forecast on the test part", "step (hour)", "traffic", 0};
  return dnt_figure_lines(dnt_run_dir(run), "forecast", "forecast.csv", "step", cols + 1, 3, &text);
}

/* The forecaster's windows (one feature: the last `window` values). */
static dnt_seq_window nn_window(const dnt_study_nn_config *cfg) {
  return (dnt_seq_window){.window = (int)cfg->window, .horizon = 1, .season = 0};
}

/* The split of n values; DNT_ERR_CONFIG naming the keys when the series is
 * too short for a training window, a validation part, and a test part after
 * the baseline's first season. */
static int nn_split(const dnt_study_nn_config *cfg, size_t n, const char *source,
                    dnt_seq_split *split) {
  dnt_seq_window w = nn_window(cfg);
  int rc = dnt_seq_split_fractions(n, cfg->train_fraction, cfg->val_fraction, split);
  if (rc || split->train_end <= dnt_seq_window_lead(&w) || split->val_end >= n ||
      split->val_end < (size_t)cfg->season)
    return dnt_error(DNT_ERR_CONFIG,
                     "%s: %zu values are too few for model.window %lld, baseline.season %lld, "
                     "data.train_fraction %g and data.val_fraction %g",
                     source, n, (long long)cfg->window, (long long)cfg->season, cfg->train_fraction,
                     cfg->val_fraction);
  return DNT_OK;
}

int dnt_study_nn_check(const dnt_study_nn_config *cfg) {
  double *s = NULL;
  size_t n = 0;
  char source[256];
  int rc = load_series(cfg, 0, &s, &n, NULL, source, sizeof source); /* readable and parsed */
  dnt_seq_split split;
  if (!rc) rc = nn_split(cfg, n, source, &split);
  free(s);
  return rc;
}

int dnt_study_nn_run(const dnt_study_nn_config *cfg, dnt_run *run, const dnt_study_progress *p) {
  int rc = dnt_study_check_struct(&dnt_study_nn, cfg);
  if (rc) return rc;
  uint64_t seed = dnt_run_seed(run);
  char source[256];
  double *s = NULL, *pred = NULL, *curves = NULL;
  size_t n = 0;
  dnt_seq_data d = {0};
  dnt_seq_model *m = NULL;
  dnt_cell_missing_report missing = {0};
  if ((rc = load_series(cfg, seed, &s, &n, &missing, source, sizeof source))) return rc;
  int season = (int)cfg->season;
  dnt_seq_config sc;
  dnt_seq_config_default(&sc);
  sc.win = nn_window(cfg);
  sc.hidden = (int)cfg->hidden;
  sc.layers = (int)cfg->layers;
  sc.batch = (int)cfg->batch;
  sc.max_epochs = (int)cfg->epochs;
  sc.patience = (int)cfg->patience;
  sc.lr = (float)cfg->lr;
  sc.clip = (float)cfg->clip;
  sc.seed = seed;
  dnt_seq_split split;
  if ((rc = nn_split(cfg, n, source, &split)) ||
      (rc = dnt_seq_data_init(&d, &sc.win, s, 1, &split)))
    goto cleanup;
  size_t n_test = dnt_seq_data_count(&d, DNT_SEQ_TEST);
  curves = malloc(2 * (size_t)sc.max_epochs * sizeof *curves);
  pred = malloc(n_test * sizeof *pred);
  if (!curves || !pred) {
    rc = dnt_error(DNT_ERR_NOMEM, "no memory for %zu forecasts", n_test);
    goto cleanup;
  }
  if ((rc = dnt_seq_model_create(&sc, 0, &m))) goto cleanup;
  dnt_seq_report rep = {.train_curve = curves, .val_curve = curves + sc.max_epochs};
  dnt_study_progress_report(p, "nn: training", 0, 1);
  double t0 = dnt_now();
  if ((rc = dnt_seq_train(m, &d, &rep))) goto cleanup;
  double train_seconds = dnt_now() - t0;
  dnt_study_progress_report(p, "nn: training", 1, 1);
  if ((rc = write_curves(run, &rep))) goto cleanup;
  if ((rc = dnt_seq_predict_part(m, &d, DNT_SEQ_TEST, pred))) goto cleanup;
  double se_l = 0, ae_l = 0, se_n = 0, ae_n = 0;
  for (size_t i = 0; i < n_test; i++) {
    size_t t;
    dnt_seq_data_window(&d, DNT_SEQ_TEST, i, NULL, NULL, NULL, &t);
    double el = pred[i] - s[t], en = s[t - (size_t)season] - s[t];
    se_l += el * el;
    ae_l += fabs(el);
    se_n += en * en;
    ae_n += fabs(en);
  }
  double lstm_rmse = sqrt(se_l / (double)n_test), naive_rmse = sqrt(se_n / (double)n_test);

  if ((rc = write_forecast(run, &d, s, pred, season))) goto cleanup;
  char path[1024];
  if ((rc = dnt_run_path(run, "model.ckpt", path, sizeof path)) ||
      (rc = dnt_net_save(dnt_seq_model_net(m), path)))
    goto cleanup;
  dnt_run_summary_string(run, "source", source);
  dnt_run_summary_number(run, "lstm_rmse", lstm_rmse);
  dnt_run_summary_number(run, "lstm_mae", ae_l / (double)n_test);
  dnt_run_summary_number(run, "seasonal_naive_rmse", naive_rmse);
  dnt_run_summary_number(run, "seasonal_naive_mae", ae_n / (double)n_test);
  dnt_run_summary_number(run, "rmse_ratio_lstm_to_naive", lstm_rmse / naive_rmse);
  dnt_run_summary_number(run, "train_windows", (double)dnt_seq_data_count(&d, DNT_SEQ_TRAIN));
  dnt_run_summary_number(run, "val_windows", (double)dnt_seq_data_count(&d, DNT_SEQ_VAL));
  dnt_run_summary_number(run, "test_windows", (double)n_test);
  dnt_run_summary_number(run, "epochs", rep.epochs);
  dnt_run_summary_number(run, "best_epoch", rep.best_epoch);
  dnt_run_summary_number(run, "val_mse", rep.val_mse);
  dnt_run_summary_number(run, "train_seconds", train_seconds);
  rc = dnt_cell_missing_summary(&missing, run);
cleanup:
  dnt_cell_missing_report_free(&missing);
  free(pred);
  free(curves);
  dnt_seq_model_destroy(m);
  dnt_seq_data_free(&d);
  free(s);
  return rc;
}
