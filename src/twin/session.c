/* src/twin/session.c: a physical world and its twin side by side, with the
 * fidelity, bytes and forecast-error report (dnt/twin_session.h). Stepping
 * writes as it goes (fidelity.csv, the store) so a long run killed midway
 * leaves its committed steps behind; forecasting runs once at the end on the
 * mirrored history. */
#include "dnt/twin_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/csv.h"
#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/progress.h"
#include "dnt/status.h"
#include "dnt/twin_store.h"

void dnt_twin_session_config_default(dnt_twin_session_config *c) {
  memset(c, 0, sizeof *c);
  c->steps = 168;
  c->train_frac = 0.7;
  c->horizon = 6;
  c->season = 24;
  c->ewma_alpha = 0.3;
  c->eval_stride = 6;
  dnt_lstm_forecaster_config_default(&c->lstm);
  c->store_every = 1;
  c->label = "twin";
}

static int check(const dnt_twin_session_config *c, size_t n_fields) {
  if (c->steps < 1 || !(c->train_frac > 0 && c->train_frac < 1) || c->horizon < 1 ||
      c->horizon > DNT_FORECAST_MAX_K || c->season < 1 || c->eval_stride < 1 || c->store_every < 0)
    return dnt_error(DNT_ERR_ARG,
                     "twin session: steps = %lld, train_frac = %g, horizon = %d, "
                     "season = %d, eval_stride = %zu, store_every = %lld: out of range",
                     (long long)c->steps, c->train_frac, c->horizon, c->season, c->eval_stride,
                     (long long)c->store_every);
  for (size_t i = 0; c->forecast_fields && i < c->n_forecast_fields; i++)
    if (c->forecast_fields[i] >= n_fields)
      return dnt_error(DNT_ERR_ARG, "twin session: forecast field %zu: the world has %zu fields",
                       c->forecast_fields[i], n_fields);
  return 0;
}

static size_t field_at(const dnt_twin_session_config *c, size_t k) {
  return c->forecast_fields ? c->forecast_fields[k] : k;
}

/* Stepping: fidelity.csv row and store rows per step, and the physical value
 * of every forecast field into truth (steps, nfc), row s - 1 for step s.
 * *first gets the first step at which every forecast field had been synced
 * (-1 if never). */
static int run_steps(dnt_twin *t, const dnt_twin_session_config *c, size_t nfc,
                     dnt_twin_store *store, FILE *csv, double *truth, int64_t *first) {
  const dnt_mirror *m = dnt_twin_mirror(t);
  size_t nf = dnt_world_get_info(dnt_twin_world(t))->n_fields;
  dnt_progress p;
  dnt_progress_init(&p, "twin", (uint64_t)c->steps);
  *first = -1;
  int rc = 0;
  for (int64_t s = 1; s <= c->steps; s++) {
    if ((rc = dnt_twin_step(t, NULL))) break;
    dnt_twin_stats st;
    dnt_twin_get_stats(t, &st);
    double row[7] = {(double)s,
                     st.rmse_last,
                     st.maxabs_last,
                     (double)dnt_mirror_max_staleness(m, s),
                     (double)st.bytes_up,
                     (double)st.reports_sent,
                     (double)st.reports_lost};
    dnt_csv_write_row(csv, row, 7);
    const double *phys = dnt_twin_physical_telemetry(t);
    for (size_t k = 0; k < nfc; k++)
      truth[(size_t)(s - 1) * nfc + k] = phys[field_at(c, k)];
    if (*first < 0) {
      size_t k = 0;
      while (k < nfc && m->measured_at[field_at(c, k)] >= 0)
        k++;
      if (k == nfc) *first = s;
    }
    if (c->store_every > 0 && s % c->store_every == 0 &&
        ((rc = dnt_twin_store_telemetry(store, s, "physical", phys, nf)) ||
         (rc = dnt_twin_store_telemetry(store, s, "mirror", m->value, nf)) ||
         (rc = dnt_twin_store_commit(store, s))))
      break;
    dnt_progress_update(&p, (uint64_t)s);
  }
  dnt_progress_finish(&p);
  return rc;
}

/* Trains on the first train_len values of each mirrored series y, evaluates
 * all three models from y against the physical series x of the same steps,
 * stores each model's final forecast. */
static int forecast(const dnt_twin_session_config *c, const double *y, const double *x, size_t nfc,
                    size_t len, dnt_twin_store *store, int64_t now, dnt_twin_session_result *out) {
  dnt_forecaster *f[3] = {NULL, NULL, NULL};
  dnt_forecast_error *err[3] = {&out->lstm, &out->snaive, &out->ewma};
  dnt_lstm_forecaster_config lc = c->lstm;
  lc.season = c->season;
  double *tr = NULL; /* (nfc, train) training part of y */
  size_t train = (size_t)(c->train_frac * (double)len);
  int rc = 0;
  if ((rc = dnt_forecaster_lstm(&lc, &f[0])) ||
      (rc = dnt_forecaster_seasonal_naive(c->season, &f[1])) ||
      (rc = dnt_forecaster_ewma(c->ewma_alpha, &f[2])))
    goto cleanup;
  size_t need = dnt_forecaster_min_history(f[0]);
  if (train <= need || train + (size_t)c->horizon > len) {
    rc = dnt_error(DNT_ERR_ARG,
                   "twin session: %zu mirrored steps (%zu for training) are too "
                   "few for a window of %zu and horizon %d: run more steps",
                   len, train, need, c->horizon);
    goto cleanup;
  }
  if (!(tr = malloc(nfc * train * sizeof *tr))) {
    rc = dnt_error(DNT_ERR_NOMEM, "twin session: out of memory");
    goto cleanup;
  }
  for (size_t k = 0; k < nfc; k++)
    memcpy(tr + k * train, y + k * len, train * sizeof *tr);
  if ((rc = dnt_forecaster_fit(f[0], tr, nfc, train))) goto cleanup;
  for (int i = 0; i < 3; i++)
    if ((rc = dnt_forecast_evaluate_against(f[i], y, x, nfc, len, train, c->horizon, c->eval_stride,
                                            err[i])))
      goto cleanup;
  double pred[DNT_FORECAST_MAX_K];
  for (size_t k = 0; k < nfc; k++)
    for (int i = 0; i < 3; i++) {
      if ((rc = dnt_forecaster_predict(f[i], y + k * len, len, c->horizon, pred))) goto cleanup;
      for (int h = 0; h < c->horizon; h++)
        if ((rc = dnt_twin_store_forecast(store, now, (int)field_at(c, k), h + 1,
                                          dnt_forecaster_name(f[i]), pred[h])))
          goto cleanup;
    }
  rc = dnt_twin_store_commit(store, now);
cleanup:
  out->train_len = train;
  out->series_len = len;
  free(tr);
  for (int i = 0; i < 3; i++)
    dnt_forecaster_destroy(f[i]);
  return rc;
}

static int write_forecast_csv(dnt_run *run, const dnt_twin_session_result *r) {
  char path[1024];
  dnt_afile *af = NULL;
  int rc = 0;
  if ((rc = dnt_run_path(run, "forecast_error.csv", path, sizeof path)) ||
      (rc = dnt_afile_open(path, &af)))
    return rc;
  FILE *f = dnt_afile_stream(af);
  static const char *const head[] = {"horizon",   "lstm_rmse", "seasonal_naive_rmse",
                                     "ewma_rmse", "lstm_mae",  "seasonal_naive_mae",
                                     "ewma_mae"};
  dnt_csv_write_header(f, head, 7);
  for (int h = 0; h < r->lstm.k; h++) {
    double row[7] = {h + 1,          r->lstm.rmse[h],  r->snaive.rmse[h], r->ewma.rmse[h],
                     r->lstm.mae[h], r->snaive.mae[h], r->ewma.mae[h]};
    dnt_csv_write_row(f, row, 7);
  }
  return dnt_afile_commit(af);
}

static int figures(dnt_run *run) {
  const char *dir = dnt_run_dir(run);
  static const char *const fid[] = {"rmse", "maxabs"};
  static const char *const bytes[] = {"bytes_up"};
  static const char *const fc[] = {"lstm_rmse", "seasonal_naive_rmse", "ewma_rmse"};
  dnt_figure_text t1 = {"Twin fidelity (divergence from the physical state)", "step", "divergence",
                        0};
  dnt_figure_text t2 = {"Bytes synced, physical to twin", "step", "bytes (cumulative)", 0};
  dnt_figure_text t3 = {"Forecast error (from the mirrored history, on the physical values)",
                        "horizon (steps)", "RMSE", 0};
  int rc = 0;
  if ((rc = dnt_figure_lines(dir, "fidelity", "fidelity.csv", "step", fid, 2, &t1)) ||
      (rc = dnt_figure_lines(dir, "bytes", "fidelity.csv", "step", bytes, 1, &t2)))
    return rc;
  return dnt_figure_lines(dir, "forecast_error", "forecast_error.csv", "horizon", fc, 3, &t3);
}

static int summary(dnt_run *run, const dnt_twin *t, const dnt_twin_session_result *r) {
  const dnt_sync_config *sc = dnt_twin_config(t);
  const dnt_twin_stats *s = &r->stats;
  int k = r->lstm.k - 1;
  struct {
    const char *name;
    double v;
  } m[] = {
      {"twin.steps", (double)s->steps},
      {"twin.period_steps", (double)sc->period},
      {"twin.threshold", sc->threshold},
      {"twin.uplink_latency_steps", (double)sc->channel.uplink_latency},
      {"twin.downlink_latency_steps", (double)sc->channel.downlink_latency},
      {"twin.loss", sc->channel.uplink_loss},
      {"twin.bytes_up", (double)s->bytes_up},
      {"twin.bytes_down", (double)s->bytes_down},
      {"twin.reports_sent", (double)s->reports_sent},
      {"twin.reports_lost", (double)s->reports_lost},
      {"twin.fidelity_rmse_mean", s->rmse_mean},
      {"twin.fidelity_maxabs_max", s->maxabs_max},
      {"twin.forecast.horizon", r->lstm.k},
      {"twin.forecast.train_steps", (double)r->train_len},
      {"twin.forecast.lstm_rmse_1", r->lstm.rmse[0]},
      {"twin.forecast.lstm_rmse_k", r->lstm.rmse[k]},
      {"twin.forecast.seasonal_naive_rmse_1", r->snaive.rmse[0]},
      {"twin.forecast.seasonal_naive_rmse_k", r->snaive.rmse[k]},
      {"twin.forecast.ewma_rmse_1", r->ewma.rmse[0]},
      {"twin.forecast.ewma_rmse_k", r->ewma.rmse[k]},
      {"twin.forecast.lstm_over_naive_1", r->lstm.rmse[0] / r->snaive.rmse[0]},
      {"twin.sync_seconds", r->sync_seconds},
      {"twin.forecast_seconds", r->forecast_seconds},
  };
  int rc = dnt_run_summary_string(run, "twin.policy", dnt_sync_policy_name(sc->policy));
  for (size_t i = 0; !rc && i < sizeof m / sizeof m[0]; i++)
    rc = dnt_run_summary_number(run, m[i].name, m[i].v);
  return rc;
}

/* Names the forecast field that was never synced by the end of the run and
 * says why. */
static int never_synced(dnt_twin *t, const dnt_twin_session_config *c, size_t nfc) {
  const dnt_world_info *info = dnt_world_get_info(dnt_twin_world(t));
  dnt_twin_stats st;
  dnt_twin_get_stats(t, &st);
  size_t k = 0;
  while (k + 1 < nfc && dnt_twin_mirror(t)->measured_at[field_at(c, k)] >= 0)
    k++;
  dnt_sync_policy pol = dnt_twin_config(t)->policy;
  return dnt_error(DNT_ERR_ARG,
                   "twin session: after %lld steps field '%s' was never synced "
                   "(policy %s sent %lld reports, %lld lost): %s",
                   (long long)c->steps, info->field_names[field_at(c, k)],
                   dnt_sync_policy_name(pol), (long long)st.reports_sent,
                   (long long)st.reports_lost,
                   pol == DNT_SYNC_EVENT ? "the twin never diverged by more than the threshold; "
                                           "lower it or set a heartbeat (max_silence)"
                                         : "run more steps, sync more often or lose less");
}

int dnt_twin_session_run(dnt_twin *t, const dnt_twin_session_config *c, dnt_run *run,
                         dnt_twin_session_result *out) {
  memset(out, 0, sizeof *out);
  const dnt_world_info *info = dnt_world_get_info(dnt_twin_world(t));
  size_t nfc = c->forecast_fields ? c->n_forecast_fields : info->n_fields;
  double *x = NULL; /* (steps, nfc) physical values of the forecast fields */
  double *y = NULL; /* (2 nfc, len): mirrored series, then the physical ones (xs) */
  dnt_twin_store *store = NULL;
  dnt_afile *af = NULL;
  char path[1024];
  int rc = check(c, info->n_fields);
  if (rc) return rc;
  if (dnt_twin_now(t) != 0)
    return dnt_error(DNT_ERR_ARG,
                     "twin session: the twin has already taken %lld steps: expected a fresh twin",
                     (long long)dnt_twin_now(t));
  if (!(x = malloc((size_t)c->steps * nfc * sizeof *x)))
    return dnt_error(DNT_ERR_NOMEM, "twin session: out of memory for %lld steps of %zu fields",
                     (long long)c->steps, nfc);
  if ((rc = dnt_run_commit(run)) || /* our own connection writes next */
      (rc = dnt_run_path(run, "dnt.db", path, sizeof path)) ||
      (rc = dnt_twin_store_open(path, c->label ? c->label : "twin", &store)) ||
      (rc = dnt_twin_store_fields(store, info)) ||
      (rc = dnt_run_path(run, "fidelity.csv", path, sizeof path)) ||
      (rc = dnt_afile_open(path, &af)))
    goto cleanup;
  static const char *const head[] = {"step",     "rmse",         "maxabs",      "max_staleness",
                                     "bytes_up", "reports_sent", "reports_lost"};
  dnt_csv_write_header(dnt_afile_stream(af), head, 7);
  int64_t first = -1;
  double t0 = dnt_now();
  rc = run_steps(t, c, nfc, store, dnt_afile_stream(af), x, &first);
  out->sync_seconds = dnt_now() - t0;
  if (rc) {
    dnt_afile_abort(af);
    goto cleanup;
  }
  if ((rc = dnt_afile_commit(af))) goto cleanup;
  dnt_twin_get_stats(t, &out->stats);
  if (first < 0) { /* some field is still unsynced */
    rc = never_synced(t, c, nfc);
    goto cleanup;
  }
  /* mirrored series y and physical series xs from the first fully synced
   * step, one row per field */
  const dnt_mirror *m = dnt_twin_mirror(t);
  int64_t t_first = 0;
  dnt_mirror_row(m, 0, &t_first);
  size_t skip = first > t_first ? (size_t)(first - t_first) : 0;
  size_t len = m->rows > skip ? m->rows - skip : 0;
  if (!len || !(y = malloc(2 * nfc * len * sizeof *y))) {
    rc = dnt_error(DNT_ERR_NOMEM, "twin session: out of memory for series");
    goto cleanup;
  }
  double *xs = y + nfc * len;
  for (size_t r = 0; r < len; r++) {
    int64_t step;
    const double *row = dnt_mirror_row(m, skip + r, &step);
    for (size_t k = 0; k < nfc; k++) {
      y[k * len + r] = row[field_at(c, k)];
      xs[k * len + r] = x[(size_t)(step - 1) * nfc + k];
    }
  }
  t0 = dnt_now();
  rc = forecast(c, y, xs, nfc, len, store, dnt_twin_now(t), out);
  out->forecast_seconds = dnt_now() - t0;
  if (rc) goto cleanup;
  rc = dnt_twin_store_close(store);
  store = NULL;
  if (rc || (rc = write_forecast_csv(run, out)) || (rc = figures(run))) goto cleanup;
  rc = summary(run, t, out);
cleanup:
  if (store) dnt_twin_store_close(store);
  free(y);
  free(x);
  return rc;
}
