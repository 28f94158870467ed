/* tests/studies/test_nn.c: the nn demonstration study on generated data:
 * the LSTM beats the seasonal-naive baseline (the generated series has noise
 * that y(t-24) carries twice and a forecaster averages out), the run is
 * reproducible from its seed and changes with it, a library caller's config
 * struct is checked like a file, a bad config is a named error, and early
 * stopping reports its epochs (all of them without a validation part). */
#include <stdlib.h>
#include <string.h>

#include "dnt/config.h"
#include "dnt/interrupt.h"
#include "dnt/run.h"
#include "dnt/status.h"
#include "dnt/study_nn.h"
#include "test.h"

typedef struct result {
  double lstm_rmse, naive_rmse, test_windows, epochs, best_epoch;
} result;

static int run_once(const dnt_study_nn_config *cfg, uint64_t seed, const char *dir, result *r) {
  dnt_run *run = NULL;
  int rc = dnt_run_open(dir, "nn", NULL, seed, &run);
  if (rc) return rc;
  rc = dnt_study_nn_run(cfg, run, NULL);
  if (!rc) rc = dnt_run_summary_get(run, "lstm_rmse", &r->lstm_rmse);
  if (!rc) rc = dnt_run_summary_get(run, "seasonal_naive_rmse", &r->naive_rmse);
  if (!rc) rc = dnt_run_summary_get(run, "test_windows", &r->test_windows);
  if (!rc) rc = dnt_run_summary_get(run, "epochs", &r->epochs);
  if (!rc) rc = dnt_run_summary_get(run, "best_epoch", &r->best_epoch);
  if (rc)
    dnt_run_abort(run, dnt_last_error());
  else
    rc = dnt_run_close(run);
  return rc;
}

int main(void) {
  dnt_study_nn_config cfg;
  dnt_study_nn_defaults(&cfg);
  CHECK(cfg.window == 24 && cfg.hidden == 32 && !strcmp(cfg.data_column, "V-0"));
  cfg.data_file = ""; /* generated series */
  cfg.epochs = 12;
  result a, b, c;
  CHECK_OK(run_once(&cfg, 7, DNT_BINARY_DIR "/nn-a", &a));
  CHECK_OK(run_once(&cfg, 7, DNT_BINARY_DIR "/nn-b", &b));
  CHECK_OK(run_once(&cfg, 8, DNT_BINARY_DIR "/nn-c", &c));
  CHECK(a.test_windows > 100);
  CHECK_MSG(a.lstm_rmse < 0.9 * a.naive_rmse, "LSTM RMSE %g vs naive %g", a.lstm_rmse,
            a.naive_rmse);
  CHECK(a.lstm_rmse == b.lstm_rmse && a.naive_rmse == b.naive_rmse);
  CHECK(a.lstm_rmse != c.lstm_rmse && a.naive_rmse != c.naive_rmse); /* the seed reaches the data */

  /* Early stopping: the kept epoch is at most the last; without a validation
   * part every epoch runs and the last is kept; the test part is the same. */
  CHECK(a.best_epoch >= 1 && a.best_epoch <= a.epochs && a.epochs <= cfg.epochs);
  dnt_study_nn_config noval = cfg;
  noval.val_fraction = 0;
  noval.epochs = 3;
  CHECK_OK(run_once(&noval, 7, DNT_BINARY_DIR "/nn-v", &c));
  CHECK(c.epochs == 3 && c.best_epoch == 3 && c.test_windows == a.test_windows);

  /* A series too short for the window is an error naming the fields. */
  dnt_study_nn_config shortcfg = cfg;
  shortcfg.data_length = 200;
  shortcfg.train_fraction = 0.1;
  CHECK(run_once(&shortcfg, 7, DNT_BINARY_DIR "/nn-d", &c) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "model.window") != NULL);

  /* A struct value out of its row's range is refused like a file's, naming the key. */
  dnt_study_nn_config bad = cfg;
  bad.hidden = 0;
  CHECK(run_once(&bad, 7, DNT_BINARY_DIR "/nn-e", &c) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "model.hidden") != NULL);
  bad = cfg;
  bad.data_column = NULL;
  CHECK(run_once(&bad, 7, DNT_BINARY_DIR "/nn-f", &c) == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "data.column") != NULL);
  /* A stop request ends the training at the next epoch boundary. */
  dnt_interrupt_request(15);
  CHECK(run_once(&cfg, 7, DNT_BINARY_DIR "/nn-g", &c) == DNT_ERR_INTERRUPTED);
  CHECK(strstr(dnt_last_error(), "stopped after 0 of 12 epochs") != NULL);
  dnt_interrupt_clear();
  return test_done("studies.nn");
}
