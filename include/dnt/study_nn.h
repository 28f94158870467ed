/* dnt/study_nn.h: the nn-core demonstration study (`dnt nn`, and part of
 * `dnt run`): an LSTM one-step traffic forecaster against a seasonal-naive
 * baseline on one real series (beam_wireless.csv) or a generated one.
 *
 * Method: the series is split in time (first train_fraction for training, the
 * rest for testing), z-score normalised with the training part's mean and
 * standard deviation; inputs are the last `window` values, the target is the
 * next one; an LSTM (hidden units, layers) with a linear head is trained by
 * Adam on MSE. The baseline predicts y(t) = y(t - season). Errors are RMSE and
 * MAE in the series' own units on the test part, over the same targets for
 * both. */
#ifndef DNT_STUDY_NN_H
#define DNT_STUDY_NN_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/config.h"
#include "dnt/run.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const dnt_config_field dnt_study_nn_schema[];
extern const size_t dnt_study_nn_schema_len;

typedef struct dnt_study_nn_result {
  char source[256]; /* file:column or "generated" */
  size_t n_train, n_test;
  double lstm_rmse, lstm_mae;
  double naive_rmse, naive_mae;
  double train_seconds;
} dnt_study_nn_result;

/* Runs the study with config `cfg` (dnt_study_nn_schema), writing into `run`:
 * forecast.csv and its figure, model.ckpt, the training curve (metric
 * "train_mse" per epoch in dnt.db) and the summary metrics. `quick` trains a
 * fifth of the epochs, for a fast look. */
int dnt_study_nn_run(const dnt_config *cfg, uint64_t seed, int quick, dnt_run *run,
                     dnt_study_nn_result *result);

/* Generated demo series: daily and weekly cycles, bursts and noise, n hourly
 * values >= 0, from `seed`. `out` holds n doubles (caller storage). */
void dnt_study_nn_generate(double *out, size_t n, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
