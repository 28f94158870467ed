/* src/app/cmd_nn.c: `dnt nn`, the nn-core demonstration (dnt/study_nn.h). */
#include <stdio.h>

#include "app.h"
#include "commands.h"
#include "dnt/status.h"
#include "dnt/study_nn.h"

static const char usage[] =
    "usage: dnt nn [options]\n\n"
    "Trains an LSTM one-step forecaster on a traffic series (beam_wireless.csv when\n"
    "present, else a generated series) and compares it with the seasonal-naive\n"
    "baseline on the test part. Writes summary.json, forecast.csv, forecast.svg/png,\n"
    "model.ckpt and dnt.db into the result folder.\n\n"
    "options:\n" APP_COMMON_HELP;

int app_nn_report(const dnt_study_nn_result *r) {
  printf("nn: LSTM forecaster on %s (%zu training, %zu test windows, %.1f s)\n", r->source,
         r->n_train, r->n_test, r->train_seconds);
  printf("    %-16s %10s %10s\n", "", "RMSE", "MAE");
  printf("    %-16s %10.4f %10.4f\n", "LSTM", r->lstm_rmse, r->lstm_mae);
  printf("    %-16s %10.4f %10.4f\n", "seasonal naive", r->naive_rmse, r->naive_mae);
  printf("    LSTM/naive RMSE ratio %.3f (below 1: the LSTM beats the baseline)\n",
         r->lstm_rmse / r->naive_rmse);
  return 0;
}

int cmd_nn(int argc, char **argv) {
  app_opts o;
  int rc =
      app_parse_common(argc, argv, "nn", usage, dnt_study_nn_schema, dnt_study_nn_schema_len, &o);
  if (rc) return rc;
  dnt_config *cfg = NULL;
  rc = app_load_config(&o, "nn", dnt_study_nn_schema, dnt_study_nn_schema_len, &cfg);
  if (rc) return rc;
  dnt_run *run = NULL;
  if ((rc = app_open_run(&o, "nn", cfg, &run))) {
    dnt_config_destroy(cfg);
    return rc;
  }
  dnt_study_nn_result res;
  if (dnt_study_nn_run(cfg, o.seed, o.quick, run, &res)) {
    rc = app_fail("nn");
    dnt_run_abort(run, dnt_last_error());
  } else {
    app_nn_report(&res);
    if (dnt_run_close(run)) rc = app_fail("nn");
  }
  dnt_config_destroy(cfg);
  return rc;
}
