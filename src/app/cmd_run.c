/* src/app/cmd_run.c: `dnt run`, the main job: every study at default scale on
 * the embedded defaults (or --config), each in its own subfolder of the result
 * folder, then a report that puts our numbers beside the paper's. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "dnt/fileio.h"
#include "dnt/status.h"
#include "dnt/study_nn.h"

static const char usage[] =
    "usage: dnt run [options]\n\n"
    "Runs every study at default scale, each in <out>/<study>/, and writes\n"
    "<out>/report.md with our numbers beside the paper's. Studies so far:\n"
    "  nn   LSTM forecaster vs seasonal naive (nn core demonstration)\n\n"
    "options:\n" APP_COMMON_HELP;

/* Runs the nn study in <dir>/nn and appends its lines to the report. */
static int run_nn(const app_opts *o, const char *dir, FILE *report) {
  dnt_config *cfg = NULL;
  int rc = app_load_config(o, "run", dnt_study_nn_schema, dnt_study_nn_schema_len, &cfg);
  if (rc) return rc;
  char sub[600];
  snprintf(sub, sizeof sub, "%s/nn", dir);
  app_opts so = *o;
  so.out = sub;
  dnt_run *run = NULL;
  if ((rc = app_open_run(&so, "nn", cfg, &run))) {
    dnt_config_destroy(cfg);
    return rc;
  }
  dnt_study_nn_result r;
  if (dnt_study_nn_run(cfg, o->seed, o->quick, run, &r)) {
    rc = app_fail("run");
    dnt_run_abort(run, dnt_last_error());
  } else {
    app_nn_report(&r);
    fprintf(
        report,
        "## nn core: one-step traffic forecast (%s)\n\n"
        "| model | RMSE | MAE |\n|---|---|---|\n"
        "| LSTM | %.4f | %.4f |\n| seasonal naive | %.4f | %.4f |\n\n"
        "The paper gives no number for this demonstration; the baseline is the one to beat.\n\n",
        r.source, r.lstm_rmse, r.lstm_mae, r.naive_rmse, r.naive_mae);
    if (dnt_run_close(run)) rc = app_fail("run");
  }
  dnt_config_destroy(cfg);
  return rc;
}

int cmd_run(int argc, char **argv) {
  app_opts o;
  int rc = app_parse_common(argc, argv, "run", usage, NULL, 0, &o);
  if (rc) return rc;
  dnt_run *top = NULL;
  rc = app_open_run(&o, "run", NULL, &top);
  if (rc) return rc;
  char path[1024];
  dnt_afile *report = NULL;
  if (dnt_run_path(top, "report.md", path, sizeof path) || dnt_afile_open(path, &report)) {
    rc = app_fail("run");
    dnt_run_abort(top, dnt_last_error());
    return rc;
  }
  FILE *f = dnt_afile_stream(report);
  fprintf(f, "# dnt run: our numbers beside the paper's\n\nseed %llu\n\n",
          (unsigned long long)o.seed);
  rc = run_nn(&o, dnt_run_dir(top), f);
  if (rc) {
    dnt_afile_abort(report);
    dnt_run_abort(top, "a study failed");
    return rc;
  }
  if (dnt_afile_commit(report) || dnt_run_close(top)) return app_fail("run");
  printf("report: %s\n", path);
  return APP_EXIT_OK;
}
