/* tests/studies/test_nn_demo.c: the nn demonstration study on generated data:
 * the LSTM beats the seasonal-naive baseline (the generated series has noise
 * that y(t-24) carries twice and a forecaster averages out), the run is
 * reproducible from its seed, and a bad config is a named error. */
#include <stdlib.h>
#include <string.h>

#include "dnt/config.h"
#include "dnt/run.h"
#include "dnt/status.h"
#include "dnt/study_nn.h"
#include "test.h"

static int run_once(uint64_t seed, const char *dir, dnt_study_nn_result *r, const char *extra) {
  dnt_config *cfg = NULL;
  int rc = dnt_config_create(dnt_study_nn_schema, dnt_study_nn_schema_len, &cfg);
  if (!rc)
    rc = dnt_config_merge_text(cfg, "{\"data\": {\"file\": \"\"}, \"train\": {\"epochs\": 12}}",
                               "test");
  if (!rc && extra) rc = dnt_config_merge_text(cfg, extra, "test extra");
  dnt_run *run = NULL;
  if (!rc) rc = dnt_run_open(dir, "nn", NULL, seed, &run);
  if (!rc) {
    rc = dnt_study_nn_run(cfg, seed, 0, run, r);
    if (rc)
      dnt_run_abort(run, dnt_last_error());
    else
      rc = dnt_run_close(run);
  }
  dnt_config_destroy(cfg);
  return rc;
}

int main(void) {
  dnt_study_nn_result a, b;
  CHECK_OK(run_once(7, DNT_BINARY_DIR "/nn-demo-a", &a, NULL));
  CHECK_OK(run_once(7, DNT_BINARY_DIR "/nn-demo-b", &b, NULL));
  CHECK(!strcmp(a.source, "generated"));
  CHECK(a.n_test > 100);
  CHECK_MSG(a.lstm_rmse < 0.9 * a.naive_rmse, "LSTM RMSE %g vs naive %g", a.lstm_rmse,
            a.naive_rmse);
  CHECK(a.lstm_rmse == b.lstm_rmse && a.naive_rmse == b.naive_rmse);

  /* A series too short for the window is an error naming the fields. */
  dnt_study_nn_result c;
  int rc = run_once(7, DNT_BINARY_DIR "/nn-demo-c", &c,
                    "{\"data\": {\"length\": 200, \"train_fraction\": 0.1}}");
  CHECK(rc == DNT_ERR_CONFIG);
  CHECK(strstr(dnt_last_error(), "model.window") != NULL);
  return test_done("studies.nn_demo");
}
