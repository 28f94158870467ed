/* dnt/study_twin.h: a physical world and its twin side by side (`dnt twin`):
 * what the twin achieves over a channel (fidelity over time, bytes synced)
 * and how well forecasters trained on the mirrored history predict it.
 *
 * Two layers:
 *   the session, dnt_twin_session_run, on any fresh dnt_twin (dnt/twin.h, no
 *     step taken yet): steps it `steps` times without actions, then trains
 *     the LSTM forecaster on the first train_frac of the mirrored history of
 *     the chosen fields and evaluates it, seasonal naive and EWMA on the rest
 *     (rolling origins, dnt_forecast_evaluate_against): every forecast is
 *     made from the mirror, which is all the twin knows, and scored on the
 *     physical values of the same steps, so staleness and uplink latency count
 *     against it;
 *   the study, dnt_study_twin_run: the session on the cellular world
 *     (dnt/cellular.h), generated or real sites and traffic, forecasting the
 *     traffic of every BS. Generated traffic: the twin world shares the
 *     physical world's structure (levels, peak hours, spatial factors) but
 *     draws its own noise (world instance 1). Replayed traffic: the twin
 *     replays the trace twin.replay_lag_s earlier (a week by default), so its
 *     own prediction is "same hour last week" and only the sync tells it what
 *     really happens. Divergence is in units of each BS's capacity (traffic,
 *     capacity), backhaul (backhaul) or as is (load).
 * Into the run folder (dnt/run.h) both write:
 *   fidelity.csv        step, rmse, maxabs, max_staleness, bytes_up,
 *                       reports_sent, reports_lost (cumulative counts)
 *   forecast_error.csv  horizon, then rmse and mae of lstm, seasonal_naive, ewma
 *                       (against the physical values)
 *   fidelity, bytes, forecast_error .gp/.svg/.png figures (dnt/figure.h)
 *   dnt.db              the twin store (dnt/twin_store.h): physical and
 *                       mirror telemetry every store_every steps, each step
 *                       committed; the final k-step forecast of every field
 *                       and model
 *   checkpoint.state    at step 0, every checkpoint_every steps, after the
 *                       last step and at a stop request (dnt/state.h): with
 *                       dnt_run_resuming(run) the session continues from it
 *                       on a fresh twin made from the same config, cutting
 *                       fidelity.csv, the store and the metrics back to its
 *                       step first (docs/WORLDS.md), so that the finished
 *                       folder equals an uninterrupted run's
 *   summary.json        metrics named twin.* (see docs/WORLDS.md); the study
 *                       adds world, sites, traffic, n_bs, dt_s and the
 *                       missing-value counts of the traffic read
 * Streams (dnt/rng.h), from the run's seed: the physical world WORLD 0, the
 * twin world instance 1 (reset from the first draw of WORLD 1), the channel
 * CHANNEL 0, generated sites SITES 0, the traffic structure TRAFFIC 0, the
 * LSTM its own (dnt/forecast.h). The run must hold no write transaction (the
 * session commits it first). Cost: steps x (two world steps + sync) + LSTM
 * training (train_steps minibatches) + evaluation (fields x origins / stride
 * x k forward passes). */
#ifndef DNT_STUDY_TWIN_H
#define DNT_STUDY_TWIN_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/cellular.h"
#include "dnt/forecast.h"
#include "dnt/run.h"
#include "dnt/study.h"
#include "dnt/twin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The session on any twin ---------------------------------------------- */

typedef struct dnt_twin_session_config {
  int64_t steps;                 /* >= 1 */
  const size_t *forecast_fields; /* (n_forecast_fields) field indices, borrowed; NULL = all */
  size_t n_forecast_fields;
  double train_frac;  /* share of the mirrored history for training, (0, 1) */
  int horizon;        /* k, 1..DNT_FORECAST_MAX_K */
  int season;         /* steps per season (seasonal naive, LSTM input) */
  double ewma_alpha;  /* (0, 1] */
  size_t eval_stride; /* steps between evaluation origins, >= 1 */
  dnt_lstm_forecaster_config lstm;
  int64_t store_every;                /* telemetry rows every this many steps; 0 = none */
  int64_t checkpoint_every;           /* steps between checkpoints; 0 = only at 0, end, stop */
  const char *label;                  /* store session label */
  const dnt_study_progress *progress; /* stepping progress, or NULL */
} dnt_twin_session_config;

/* 168 steps, all fields, train 0.7, horizon 6, season 24, alpha 0.3, stride
 * 6, the LSTM defaults with the same season, store every step, label "twin". */
void dnt_twin_session_config_default(dnt_twin_session_config *c);

typedef struct dnt_twin_session_result {
  dnt_twin_stats stats;
  dnt_forecast_error lstm, snaive, ewma;
  size_t train_len, series_len; /* per forecast field */
  double sync_seconds;          /* wall time of the stepping loop (store included) */
  double forecast_seconds;      /* training and evaluation */
} dnt_twin_session_result;

/* Runs the session described above on `t` (fresh: DNT_ERR_ARG otherwise)
 * into `run`, and fills *out. `t` keeps its worlds and ends `steps` steps on;
 * the caller still owns t and run. Polls dnt_interrupt_pending() every step
 * (DNT_ERR_INTERRUPTED). Errors: DNT_ERR_ARG for a config out of range or a
 * forecast field never synced (naming it), the store's and the run's own
 * errors. */
int dnt_twin_session_run(dnt_twin *t, const dnt_twin_session_config *c, dnt_run *run,
                         dnt_twin_session_result *out);

/* ---- The study on the cellular world --------------------------------------- */

#define DNT_STUDY_TWIN_ROWS(X)                                                                     \
  X(STRING, world, "twin.world", 0, 0, "cellular", "cellular",                                     \
    "world kind (cellular is the only one built in)")                                              \
  X(INT, steps, "twin.steps", 10, 1e8, 1008, NULL, "steps to run (--quick: 336)")                  \
  X(STRING, policy, "twin.policy", 0, 0, "periodic", "periodic|event|multirate", "sync policy")    \
  X(REAL, sync_period_s, "twin.sync_period_s", 0, 1e9, 3600, NULL,                                 \
    "seconds between reports (periodic; multirate: fast group)")                                   \
  X(REAL, slow_period_s, "twin.slow_period_s", 0, 1e9, 86400, NULL,                                \
    "multirate: seconds between capacity/backhaul reports")                                        \
  X(REAL, latency_s, "twin.latency_s", 0, 1e9, 0, NULL, "uplink latency, seconds")                 \
  X(REAL, downlink_latency_s, "twin.downlink_latency_s", 0, 1e9, 0, NULL,                          \
    "downlink latency, seconds")                                                                   \
  X(REAL, loss, "twin.loss", 0, 0.99, 0, NULL, "probability a report is lost")                     \
  X(REAL, threshold, "twin.threshold", 0, 1e6, 0.05, NULL,                                         \
    "event: divergence that triggers a report, share of capacity")                                 \
  X(REAL, max_silence_s, "twin.max_silence_s", 0, 1e9, 0, NULL,                                    \
    "event: heartbeat after this many silent seconds (0 = none)")                                  \
  X(REAL, replay_lag_s, "twin.replay_lag_s", 0, 1e9, 604800, NULL,                                 \
    "replayed traffic: the twin replays the trace this much earlier")                              \
  X(INT, horizon, "twin.horizon", 1, DNT_FORECAST_MAX_K, 6, NULL, "forecast horizon k, steps")     \
  X(REAL, train_frac, "twin.train_frac", 0.05, 0.95, 0.7, NULL,                                    \
    "share of the mirrored history used to train")                                                 \
  X(INT, eval_stride, "twin.eval_stride", 1, 1e6, 6, NULL, "steps between evaluation origins")     \
  X(REAL, ewma_alpha, "twin.ewma_alpha", 1e-6, 1, 0.3, NULL, "EWMA smoothing")                     \
  X(INT, lstm_window, "twin.lstm.window", 1, 10000, 24, NULL, "LSTM input steps")                  \
  X(INT, lstm_hidden, "twin.lstm.hidden", 1, 4096, 32, NULL, "LSTM hidden size")                   \
  X(INT, lstm_train_steps, "twin.lstm.train_steps", 0, 1e8, 1500, NULL,                            \
    "LSTM minibatch updates (--quick: 300)")                                                       \
  X(REAL, lstm_lr, "twin.lstm.lr", 1e-7, 1, 3e-3, NULL, "LSTM Adam learning rate")                 \
  X(INT, store_every, "twin.store_every", 0, 1e9, 1, NULL,                                         \
    "store telemetry every this many steps (0 = never)")                                           \
  X(INT, checkpoint_every, "twin.checkpoint_every", 0, 1e9, 100, NULL,                             \
    "steps between checkpoints for --resume (0: only at the start, the end and a stop)")           \
  DNT_CELL_MISSING_ROWS(X)

typedef struct dnt_study_twin_config {
  DNT_CFG_MEMBERS(DNT_STUDY_TWIN_ROWS)
  dnt_cellular_config cellular; /* the cellular.* rows */
} dnt_study_twin_config;

/* The registry row of the study (dnt/study.h). */
extern const dnt_study dnt_study_twin;

/* Every field at its default. */
void dnt_study_twin_defaults(dnt_study_twin_config *cfg);
/* Before a result folder exists: the sites and traffic files are read and
 * parsed (errors name file, line and field) and the missing-value policy is
 * valid. */
int dnt_study_twin_check(const dnt_study_twin_config *cfg);
/* Runs the study into `run` with the run's seed; `progress` may be NULL. */
int dnt_study_twin_run(const dnt_study_twin_config *cfg, dnt_run *run,
                       const dnt_study_progress *progress);

#ifdef __cplusplus
}
#endif
#endif
