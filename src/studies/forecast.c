/* src/studies/forecast.c: pipeline B, `dnt forecast`: does clustering plus
 * synchronous-then-asynchronous FL forecast a network's base stations'
 * traffic better, sooner and cheaper than the alternatives, without moving
 * raw data? Every method (dnt/study_forecast.h) runs on the same split and
 * is scored on the same test targets in the series' own units; the federated
 * ones also on the same simulated clock. This file is the config side and
 * the order of the run; the parts are in forecast_*.c. */
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "forecast_study.h"

#define DNT_CFG_STRUCT dnt_study_forecast_config
static const dnt_config_field rows[] = {DNT_STUDY_FORECAST_ROWS(DNT_CFG_ROW)};
#undef DNT_CFG_STRUCT

static const char *const headline[] = {"clustered_sync_async_nrmse",
                                       "clustered_sync_nrmse",
                                       "fedavg_nrmse",
                                       "centralized_nrmse",
                                       "local_only_nrmse",
                                       "linear_ar_nrmse",
                                       "seasonal_naive_nrmse",
                                       NULL};

static const dnt_study_alias aliases[] = {{"traffic", "data.file", NULL},
                                          {"sites", "sites.file", NULL},
                                          {"horizon", "model.horizon", NULL},
                                          {"generated", "data.generated", "true"}};

DNT_STUDY_GLUE(forecast)

const dnt_study dnt_study_forecast = {
    .name = "forecast",
    .summary = "pipeline B: BS traffic forecasting, clustered local twins, sync-then-async FL",
    .usage = "Forecasts every base station's traffic one step (--horizon h: h steps) ahead with\n"
             "an LSTM over closeness and period inputs, trained federated across the BSs on a\n"
             "simulated clock: synchronous rounds inside clusters of the BS graph (local twins),\n"
             "then asynchronous, staleness-weighted exchanges with the global twin. Compares it\n"
             "on the same split and test targets with persistence, seasonal_naive, linear_ar\n"
             "(ridge), local_only, centralized, fedavg, clustered_sync and async_only. Data:\n"
             "beam_wireless.csv (100 BSs) when present, any traffic file (--traffic), or\n"
             "generated BSs with planted clusters (--generated). Writes summary.json (a key per\n"
             "method: mae, rmse, nrmse, simulated_time_s, time_to_target_s, bytes_up,\n"
             "bytes_down, rounds; the clustering; the missing-value counts), per_bs.csv,\n"
             "curves.csv, forecast.csv and their figures into the result folder.\n",
    .rows = rows,
    .n_rows = sizeof rows / sizeof rows[0],
    .config_size = sizeof(dnt_study_forecast_config),
    .quick = "{\"data\": {\"max_bs\": 16, \"bs\": 24, \"clusters\": 3, \"length\": 672},"
             " \"train\": {\"epochs\": 6}, \"fl\": {\"rounds\": 8, \"sync_rounds\": 3},"
             " \"model\": {\"hidden\": 16}}",
    .aliases = aliases,
    .n_aliases = sizeof aliases / sizeof aliases[0],
    .headline = headline,
    .main_job = 1,
    .check = check_thunk,
    .run = run_thunk,
};

int dnt_study_forecast_check(const dnt_study_forecast_config *cfg) {
  int on[DNT_FC_N_METHODS];
  int rc = dnt_forecast_methods_parse(cfg->methods, on);
  if (rc) return rc;
  fc_data d;
  if ((rc = fc_data_load(cfg, 0, 1, &d))) return rc;
  fc_data_free(&d);
  return 0;
}

static int any_on(const int *on, int from, int to) {
  for (int m = from; m <= to; m++)
    if (on[m]) return 1;
  return 0;
}

int dnt_study_forecast_run(const dnt_study_forecast_config *cfg, dnt_run *run,
                           const dnt_study_progress *p) {
  int rc = dnt_study_check_struct(&dnt_study_forecast, cfg);
  if (rc) return rc;
  uint64_t seed = dnt_run_seed(run);
  int threads = dnt_run_threads(run), on[DNT_FC_N_METHODS];
  fc_data d;
  fc_result res[DNT_FC_N_METHODS];
  memset(res, 0, sizeof res);
  dnt_clustering cl = {0};
  double *lambda = NULL;
  if ((rc = dnt_forecast_methods_parse(cfg->methods, on))) return rc;
  if ((rc = fc_data_load(cfg, seed, 0, &d))) return rc;
  if ((rc = fc_data_windows(&d))) goto cleanup;
  for (int m = 0; m < DNT_FC_N_METHODS; m++)
    if (on[m] && (rc = fc_result_alloc(&res[m], &d))) goto cleanup;
  if (!(lambda = calloc(d.n_bs, sizeof *lambda))) {
    rc = dnt_error(DNT_ERR_NOMEM, "forecast: no memory for %zu BSs", d.n_bs);
    goto cleanup;
  }
  dnt_study_progress_report(p, "forecast: baselines", 0, 1);
  if (any_on(on, DNT_FC_PERSISTENCE, DNT_FC_LINEAR_AR) &&
      (rc = fc_baselines(cfg, &d, &res[DNT_FC_PERSISTENCE], &res[DNT_FC_SEASONAL_NAIVE],
                         &res[DNT_FC_LINEAR_AR], lambda)))
    goto cleanup;
  dnt_study_progress_report(p, "forecast: clustering", 0, 1);
  if ((rc = fc_cluster(cfg, &d, d.split.train_end, seed, &cl))) goto cleanup;
  dnt_study_progress_report(p, "forecast: local_only", 0, 1);
  if (on[DNT_FC_LOCAL_ONLY] &&
      (rc = fc_local_only(cfg, &d, seed, threads, &res[DNT_FC_LOCAL_ONLY])))
    goto cleanup;
  dnt_study_progress_report(p, "forecast: centralized", 0, 1);
  if (on[DNT_FC_CENTRALIZED] && (rc = fc_centralized(cfg, &d, seed, &res[DNT_FC_CENTRALIZED])))
    goto cleanup;
  for (int m = DNT_FC_FEDAVG; m < DNT_FC_N_METHODS; m++)
    if (on[m] &&
        (rc = fc_federated(cfg, &d, (dnt_forecast_method)m, &cl, seed, threads, p, &res[m])))
      goto cleanup;
  rc = fc_write(run, cfg, &d, res, &cl);
cleanup:
  for (int m = 0; m < DNT_FC_N_METHODS; m++)
    fc_result_free(&res[m]);
  free(lambda);
  dnt_clustering_free(&cl);
  fc_data_free(&d);
  return rc;
}
