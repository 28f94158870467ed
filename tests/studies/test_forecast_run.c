/* tests/studies/test_forecast_run.c: `dnt forecast --quick --generated` end
 * to end through the library (the descriptor's quick overlay on planted-
 * cluster data): summary.json has every method with its keys, the
 * clustering and the missing-value counts; the orderings that must hold
 * there: the clustering recovers the plant (ARI >= 0.9), the pipeline beats
 * local_only and seasonal_naive, the federated methods count their bytes
 * and reach the common target; the per-BS table has a row per BS. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dnt/config.h"
#include "dnt/csv.h"
#include "dnt/run.h"
#include "dnt/status.h"
#include "dnt/study_forecast.h"
#include "test.h"

#define DIR DNT_BINARY_DIR "/forecast-run"

/* The quick generated run with `extra` set (NULL: none) into dir; fedavg's
 * and clustered_sync's NRMSE into f and c. */
static void quick_run(const char *dir, const char *extra, const char *methods, double *f,
                      double *c) {
  const dnt_study *s = &dnt_study_forecast;
  dnt_config *cf = NULL;
  CHECK_OK(dnt_config_create(s->rows, s->n_rows, &cf));
  CHECK_OK(dnt_config_merge_text(cf, s->quick, "quick"));
  CHECK_OK(dnt_config_set(cf, "data.generated=true"));
  CHECK_OK(dnt_config_set(cf, methods));
  if (extra) CHECK_OK(dnt_config_set(cf, extra));
  dnt_run *run = NULL;
  CHECK_OK(dnt_run_open_mode(dir, "forecast", NULL, 1, DNT_RUN_FORCE, &run));
  int rc = dnt_study_run_config(s, cf, run, NULL);
  CHECK_OK(rc);
  CHECK_OK(dnt_run_summary_get(run, "fedavg_nrmse", f));
  CHECK_OK(dnt_run_summary_get(run, "clustered_sync_nrmse", c));
  if (rc)
    dnt_run_abort(run, dnt_last_error());
  else
    CHECK_OK(dnt_run_close(run));
  dnt_config_destroy(cf);
}

int main(void) {
  const dnt_study *s = &dnt_study_forecast;
  dnt_config *c = NULL;
  CHECK_OK(dnt_config_create(s->rows, s->n_rows, &c));
  CHECK_OK(dnt_config_merge_text(c, s->quick, "quick"));
  CHECK_OK(dnt_config_set(c, "data.generated=true"));
  dnt_run *run = NULL;
  CHECK_OK(dnt_run_open_mode(DIR, "forecast", NULL, 1, DNT_RUN_FORCE, &run));
  dnt_run_set_threads(run, 2);
  int rc = dnt_study_run_config(s, c, run, NULL);
  CHECK_OK(rc);
  if (rc)
    dnt_run_abort(run, dnt_last_error());
  else
    CHECK_OK(dnt_run_close(run));
  dnt_config_destroy(c);

  json_error_t err;
  json_t *root = json_load_file(DIR "/summary.json", 0, &err);
  CHECK(root != NULL);
  json_t *m = json_object_get(root, "metrics");
  static const char *const keys[] = {
      "mae",      "rmse",       "nrmse",  "simulated_time_s", "time_to_target_s",
      "bytes_up", "bytes_down", "rounds", "bytes_to_target"};
  for (int k = 0; k < DNT_FC_N_METHODS; k++) {
    const char *name = dnt_forecast_method_name((dnt_forecast_method)k);
    json_t *o = json_object_get(m, name);
    CHECK_MSG(json_is_object(o), "method %s", name);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
      CHECK_MSG(json_object_get(o, keys[i]) != NULL, "%s.%s", name, keys[i]);
    double nrmse = json_number_value(json_object_get(o, "nrmse"));
    CHECK_MSG(nrmse > 0 && nrmse < 1, "%s nrmse %g", name, nrmse);
    if (k >= DNT_FC_FEDAVG) { /* on the clock, with bytes, at the common target */
      CHECK_MSG(json_number_value(json_object_get(o, "bytes_up")) > 0, "%s bytes", name);
      CHECK_MSG(json_number_value(json_object_get(o, "time_to_target_s")) > 0, "%s target", name);
      CHECK(json_number_value(json_object_get(o, "rounds")) == 8);
    }
  }
#define NR(name) json_number_value(json_object_get(json_object_get(m, name), "nrmse"))
  double pipeline = NR("clustered_sync_async");
  CHECK_MSG(pipeline < NR("local_only"), "pipeline %g vs local_only %g", pipeline,
            NR("local_only"));
  CHECK_MSG(pipeline < NR("seasonal_naive"), "pipeline %g vs seasonal %g", pipeline,
            NR("seasonal_naive"));
  json_t *cl = json_object_get(m, "clustering");
  double ari = json_number_value(json_object_get(cl, "ari"));
  CHECK_MSG(ari >= 0.9, "ARI %g", ari);
  CHECK(json_integer_value(json_object_get(cl, "k")) == 3);
  CHECK(json_object_get(m, "data_filled") != NULL && json_object_get(m, "data_dropped") != NULL);
  json_decref(root);

  dnt_csv *t = NULL;
  CHECK_OK(dnt_csv_read(DIR "/per_bs.csv", ',', &t));
  size_t col;
  CHECK_OK(dnt_csv_column(t, "clustered_sync_async_nrmse", &col));
  CHECK(t && t->n_rows == 24);
  dnt_csv_free(t);

  /* FedAtt inside the clusters: fedavg (no clusters) is unchanged, the
   * clustered model is another one (this run crashed in fedavg when FedAtt's
   * rows were copied without being allocated) */
  double f0, c0, f1, c1;
  const char *two = "forecast.methods=fedavg,clustered_sync";
  quick_run(DIR "-mean", NULL, two, &f0, &c0);
  quick_run(DIR "-att", "fl.intra_rule=fedatt", two, &f1, &c1);
  CHECK(f0 == f1);
  CHECK_MSG(c0 != c1 && c1 > 0 && c1 < 1, "clustered_sync mean %g, fedatt %g", c0, c1);
  return test_done("studies.forecast_run");
}
