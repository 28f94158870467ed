/* dnt/study_nn.h: the nn-core demonstration study (`dnt nn`, and part of
 * `dnt run`): an LSTM one-step traffic forecaster against a seasonal-naive
 * baseline on one real series (beam_wireless.csv) or a generated one.
 *
 * Method (the nn layer's loop, dnt/seq_forecast.h): the series is split in
 * time (the first train_fraction for fitting, of which the last val_fraction
 * validates; the rest is the test part), z-score normalised with the training
 * part's mean and standard deviation; inputs are the last `window` values, the
 * target is the next one; an LSTM (hidden units, layers) with a linear head is
 * trained by Adam on MSE, stopped early on the validation part (patience) with
 * the best epoch's weights kept. The test part is used only for the errors.
 * The baseline predicts y(t) = y(t - season). Errors are RMSE and MAE in the
 * series' own units on the test part, over the same targets for both.
 *
 * The series is read under the traffic readers' missing-value policy
 * (data.max_gap, data.missing; docs/DATA.md): only the chosen series' gaps
 * matter.
 *
 * Results (into the run): summary metrics lstm_rmse, lstm_mae,
 * seasonal_naive_rmse, seasonal_naive_mae, rmse_ratio_lstm_to_naive,
 * train_windows, val_windows, test_windows, epochs, best_epoch, val_mse,
 * train_seconds, source and the data_filled / data_dropped keys of
 * dnt_cell_missing_summary; forecast.csv and its figure; model.ckpt (the
 * kept weights); the curves (metrics "train_mse" and "val_mse" per epoch).
 * Streams (dnt/rng.h): DATA 0 (generated series), NET_INIT 0, TRAIN 0. */
#ifndef DNT_STUDY_NN_H
#define DNT_STUDY_NN_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/cellular.h"
#include "dnt/config.h"
#include "dnt/run.h"
#include "dnt/study.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNT_STUDY_NN_ROWS(X)                                                                       \
  X(STRING, data_file, "data.file", 0, 0, "auto", NULL,                                            \
    "traffic file (wide CSV, Milan long CSV or raw TSV); \"\" generated data; \"auto\" "           \
    "../shared/data/traffic/beam_wireless.csv when present, else generated")                       \
  X(STRING, data_column, "data.column", 0, 0, "V-0", NULL,                                         \
    "series of data.file to forecast (a column; a square id in the Milan formats)")                \
  DNT_CELL_MISSING_ROWS(X)                                                                         \
  X(INT, data_length, "data.length", 200, 1e6, 1026, NULL, "hourly steps of the generated series") \
  X(REAL, train_fraction, "data.train_fraction", 0.1, 0.95, 0.8, NULL,                             \
    "leading share of the series used for training and validation; the rest is the test part")     \
  X(REAL, val_fraction, "data.val_fraction", 0, 0.9, 0.2, NULL,                                    \
    "trailing share of the training part held out for early stopping (0 = none)")                  \
  X(INT, window, "model.window", 1, 512, 24, NULL, "input steps per forecast")                     \
  X(INT, hidden, "model.hidden", 1, 1024, 32, NULL, "LSTM hidden units")                           \
  X(INT, layers, "model.layers", 1, 8, 1, NULL, "stacked LSTM layers")                             \
  X(INT, epochs, "train.epochs", 1, 10000, 40, NULL, "passes over the training windows at most")   \
  X(INT, patience, "train.patience", 0, 10000, 5, NULL,                                            \
    "epochs without a better validation loss before stopping (0 = run every epoch)")               \
  X(INT, batch, "train.batch", 1, 4096, 32, NULL, "windows per Adam step")                         \
  X(REAL, lr, "train.lr", 1e-6, 1, 0.005, NULL, "Adam learning rate")                              \
  X(REAL, clip, "train.clip", 0, 1e6, 1.0, NULL, "gradient clipping by global norm (0 = none)")    \
  X(INT, season, "baseline.season", 1, 10000, 24, NULL,                                            \
    "season of the naive baseline y(t) = y(t - season), in steps")

typedef struct dnt_study_nn_config {
  DNT_CFG_MEMBERS(DNT_STUDY_NN_ROWS)
} dnt_study_nn_config;

/* The registry row of the study (dnt/study.h). */
extern const dnt_study dnt_study_nn;

/* Every field at its default. */
void dnt_study_nn_defaults(dnt_study_nn_config *cfg);
/* What can be checked before a result folder exists: the series is read and
 * parsed (a file named in data.file that cannot be read is an error) and is
 * long enough for the window, season and split. */
int dnt_study_nn_check(const dnt_study_nn_config *cfg);
/* Runs the study into `run` with the run's seed; `progress` may be NULL.
 * A series too short for window, season and train_fraction is
 * DNT_ERR_CONFIG naming those keys. */
int dnt_study_nn_run(const dnt_study_nn_config *cfg, dnt_run *run,
                     const dnt_study_progress *progress);

/* Generated demo series: daily and weekly cycles, bursts and noise, n hourly
 * values >= 0, from stream DATA 0 of `seed`. `out` holds n doubles (caller
 * storage). */
void dnt_study_nn_generate(double *out, size_t n, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
