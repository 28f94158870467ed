/* dnt/study_forecast.h: pipeline B, data-scenario forecasting with clustered
 * local twins and synchronous-then-asynchronous federated learning
 * (`dnt forecast`; the paper's section III-B after VH-Twin, docs/RESULTS.md).
 *
 * Data. One series per base station (BS): the columns of a traffic file read
 * through the traffic readers under the missing-value policy (data.file; the
 * default "auto" is ../shared/data/traffic/beam_wireless.csv when present,
 * else generated data), or generated BSs with planted clusters of similar
 * daily profiles (data.generated; dnt_forecast_generate). Sites: series j sits
 * on row j of sites.file (a sites CSV with at least as many rows as series),
 * or on generated Matern sites (dnt_cell_sites_generate, n = the series); the
 * generated data places each planted cluster around its own centre.
 *
 * Split and inputs. Every series is split in time: the leading
 * data.train_fraction is the fitting part, whose trailing data.val_fraction
 * validates (early stopping, the ridge penalty, the federated methods' kept
 * model); the rest, the end of the series, is the test part, used only for
 * the errors. Z-scores per BS from its training part. The inputs of a target
 * y(t) with horizon h are, for the model.closeness steps u = t-h-T+1 .. t-h,
 * the closeness value y(u) and the period value y(u + h - s) (s =
 * model.period, the same hour on the previous day for s = 24; none when 0):
 * the windows of dnt/seq_forecast.h.
 *
 * Methods, on the same split and the same test targets (a key each in
 * summary.json): persistence y(t-h); seasonal_naive y(t-season); linear_ar
 * (ridge regression on the same inputs, closed form per BS, penalty chosen on
 * validation); local_only (one LSTM per BS); centralized (one LSTM on every
 * BS's windows: the privacy-free reference); fedavg (one global model);
 * clustered_sync (a model per cluster, synchronous rounds in every cluster,
 * the global twin the size-weighted mean of the cluster models, mixed back
 * into them); clustered_sync_async (the paper's pipeline: fl.sync_rounds
 * lockstep rounds, then each cluster exchanges with the global twin on its
 * own clock, FedAsync with a staleness weight); async_only (FedAsync over
 * every BS from the start, the FL engine's dnt/fl_async.h).
 *
 * Ownership: the config's strings are borrowed. Helpers below write into
 * caller storage. */
#ifndef DNT_STUDY_FORECAST_H
#define DNT_STUDY_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/cellular.h"
#include "dnt/config.h"
#include "dnt/run.h"
#include "dnt/seq_forecast.h"
#include "dnt/study.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNT_STUDY_FORECAST_ROWS(X)                                                                 \
  X(STRING, data_file, "data.file", 0, 0, "auto", NULL,                                            \
    "traffic file (wide CSV, Milan long CSV or raw TSV), one BS per series; \"auto\" "             \
    "../shared/data/traffic/beam_wireless.csv when present, else generated")                       \
  X(BOOL, generated, "data.generated", 0, 1, 0, NULL,                                              \
    "generated BSs with planted clusters of similar daily profiles (data.file unused)")            \
  DNT_CELL_MISSING_ROWS(X)                                                                         \
  X(INT, max_bs, "data.max_bs", 0, 1e6, 0, NULL, "first N series of the file only (0 = all)")      \
  X(INT, gen_bs, "data.bs", 4, 100000, 100, NULL, "generated: base stations")                      \
  X(INT, gen_clusters, "data.clusters", 1, 1000, 5, NULL, "generated: planted clusters")           \
  X(INT, gen_length, "data.length", 200, 1e6, 1008, NULL, "generated: hourly steps")               \
  X(REAL, train_fraction, "data.train_fraction", 0.1, 0.95, 0.8, NULL,                             \
    "leading share of each series for fitting (training and validation); the rest is the test "    \
    "part")                                                                                        \
  X(REAL, val_fraction, "data.val_fraction", 0.05, 0.9, 0.2, NULL,                                 \
    "trailing share of the fitting part that validates")                                           \
  X(STRING, sites_file, "sites.file", 0, 0, "", NULL,                                              \
    "BS sites CSV (series j on row j); \"\" generated sites")                                      \
  X(INT, closeness, "model.closeness", 1, 512, 24, NULL, "closeness steps (the last hours)")       \
  X(INT, period, "model.period", 0, 10000, 24, NULL,                                               \
    "period of the second input (same hour one period back); 0 = closeness only")                  \
  X(INT, horizon, "model.horizon", 1, 168, 1, NULL, "steps ahead of the forecast")                 \
  X(INT, hidden, "model.hidden", 1, 1024, 32, NULL, "LSTM hidden units")                           \
  X(INT, layers, "model.layers", 1, 8, 1, NULL, "stacked LSTM layers")                             \
  X(INT, epochs, "train.epochs", 1, 10000, 40, NULL,                                               \
    "local_only / centralized: epochs at most (early stopping on validation)")                     \
  X(INT, patience, "train.patience", 0, 10000, 5, NULL, "epochs without a better validation loss") \
  X(INT, batch, "train.batch", 1, 4096, 32, NULL, "windows per Adam step")                         \
  X(REAL, lr, "train.lr", 1e-6, 1, 0.005, NULL, "Adam learning rate")                              \
  X(REAL, clip, "train.clip", 0, 1e6, 1.0, NULL, "gradient clipping by global norm (0 = none)")    \
  X(REAL_LIST, ridge, "linear_ar.ridge", 0, 1e9, "0.01, 0.1, 1, 10, 100", NULL,                    \
    "ridge penalties tried per BS (z-scored inputs); the best on validation is kept")              \
  X(INT, season, "baseline.season", 1, 10000, 24, NULL, "seasonal_naive: y(t - season)")           \
  X(STRING, methods, "forecast.methods", 0, 0, "all", NULL,                                        \
    "methods to run, comma-separated, or all")                                                     \
  X(STRING, cluster_method, "cluster.method", 0, 0, "louvain", "louvain|leiden|girvan_newman",     \
    "community detection on the BS graph")                                                         \
  X(INT, cluster_k, "cluster.k", 0, 100000, 0, NULL,                                               \
    "girvan_newman: clusters (0 = best-modularity level)")                                         \
  X(INT, cluster_min_size, "cluster.min_size", 1, 100000, 3, NULL,                                 \
    "clusters of fewer BSs are merged into the neighbour they are most linked to")                 \
  X(INT, graph_neighbours, "graph.neighbours", 0, 100000, 0, NULL,                                 \
    "candidate edges to the k nearest BSs (0 = all pairs)")                                        \
  X(REAL, w_proximity, "graph.w_proximity", 0, 1e6, 0.1, NULL, "weight of proximity")              \
  X(REAL, w_backhaul, "graph.w_backhaul", 0, 1e6, 0, NULL, "weight of backhaul capacity")          \
  X(REAL, w_overlap, "graph.w_overlap", 0, 1e6, 0.1, NULL, "weight of coverage overlap")           \
  X(REAL, w_correlation, "graph.w_correlation", 0, 1e6, 0.8, NULL,                                 \
    "weight of the traffic correlation on the training part")                                      \
  X(REAL, min_weight, "graph.min_weight", 0, 1e6, 0.3, NULL, "edges of this weight or less go")    \
  X(INT, rounds, "fl.rounds", 1, 100000, 30, NULL, "federated rounds (per cluster)")               \
  X(INT, local_epochs, "fl.local_epochs", 1, 1000, 1, NULL, "local epochs per round")              \
  X(REAL, fraction, "fl.fraction", 0.01, 1, 0.5, NULL,                                             \
    "share of a cluster's BSs asked to train in a round (partial participation)")                  \
  X(REAL, deadline, "fl.deadline", 0, 1e9, 2.5, NULL,                                              \
    "straggler deadline in simulated seconds per round (0 = none)")                                \
  X(REAL, speed_spread, "fl.speed_spread", 0, 5, 0.6, NULL,                                        \
    "sd of the log compute time across BSs (heterogeneous speeds, mean 1 s per local epoch)")      \
  X(REAL, latency, "fl.latency", 0, 1e6, 0.05, NULL, "mean one-way link latency in seconds")       \
  X(STRING, intra_rule, "fl.intra_rule", 0, 0, "mean", "mean|fedatt",                              \
    "aggregation inside a cluster: FedAvg mean by training windows, or FedAtt attention")          \
  X(REAL, fedatt_eps, "fl.fedatt_eps", 0, 10, 1, NULL, "FedAtt step size epsilon")                 \
  X(INT, sync_rounds, "fl.sync_rounds", 0, 100000, 10, NULL,                                       \
    "clustered_sync_async: lockstep rounds before the switch to asynchronous")                     \
  X(STRING, staleness, "fl.staleness", 0, 0, "poly", "constant|poly|hinge|inv|inv_sqrt",           \
    "staleness function of the asynchronous exchanges")                                            \
  X(REAL, stale_a, "fl.stale_a", 0, 100, 0.5, NULL, "staleness a (exponent, hinge slope)")         \
  X(REAL, stale_b, "fl.stale_b", 0, 1e6, 4, NULL, "staleness b (hinge)")                           \
  X(REAL, alpha, "fl.alpha", 0.01, 1, 0.6, NULL, "FedAsync mixing: a_t = alpha s(staleness)")      \
  X(REAL, global_mix, "fl.global_mix", 0, 1, 0.5, NULL,                                            \
    "share of the global twin mixed into a cluster model after an exchange")                       \
  X(REAL, trigger, "fl.trigger", 0, 1e9, 0, NULL,                                                  \
    "event-triggered upload: a cluster uploads only when the mean squared difference of its "      \
    "model and the global exceeds this (0 = always)")                                              \
  X(REAL, target, "fl.target", 0, 1e9, 0, NULL,                                                    \
    "common target NRMSE for the time and bytes to target (0 = 1.01 x the largest of the "         \
    "federated methods' best test NRMSE, a level every one of them reaches)")

typedef struct dnt_study_forecast_config {
  DNT_CFG_MEMBERS(DNT_STUDY_FORECAST_ROWS)
} dnt_study_forecast_config;

/* The registry row of the study (dnt/study.h). */
extern const dnt_study dnt_study_forecast;

/* Every field at its default. */
void dnt_study_forecast_defaults(dnt_study_forecast_config *cfg);
/* Before a result folder exists: the method list parses, the traffic (and
 * sites) file reads under the policy, the series are long enough for the
 * inputs, the baseline's season and the split (DNT_ERR_CONFIG naming the
 * keys), and a sites file has a row per series. */
int dnt_study_forecast_check(const dnt_study_forecast_config *cfg);
/* Runs the study into `run` with the run's seed and threads; progress may be
 * NULL. */
int dnt_study_forecast_run(const dnt_study_forecast_config *cfg, dnt_run *run,
                           const dnt_study_progress *progress);

/* ---- Parts, exposed for their tests ------------------------------------- */

/* The methods, in the order of summary.json. */
typedef enum dnt_forecast_method {
  DNT_FC_PERSISTENCE = 0,
  DNT_FC_SEASONAL_NAIVE,
  DNT_FC_LINEAR_AR,
  DNT_FC_LOCAL_ONLY,
  DNT_FC_CENTRALIZED,
  DNT_FC_FEDAVG,
  DNT_FC_CLUSTERED_SYNC,
  DNT_FC_CLUSTERED_SYNC_ASYNC,
  DNT_FC_ASYNC_ONLY,
  DNT_FC_N_METHODS
} dnt_forecast_method;

/* "persistence", ..., "async_only". */
const char *dnt_forecast_method_name(dnt_forecast_method m);
/* Parses "all" or a comma list of names into on[DNT_FC_N_METHODS] (1 = run);
 * DNT_ERR_CONFIG naming forecast.methods and the word. */
int dnt_forecast_methods_parse(const char *list, int *on);

/* The windows of the config: closeness T, period s, horizon h. */
dnt_seq_window dnt_forecast_window(const dnt_study_forecast_config *cfg);

/* Errors of n forecasts against the truth in original units: MAE, RMSE and
 * NRMSE = RMSE / (max - min of the truth) (NAN when the truth is constant).
 * O(n). */
void dnt_forecast_errors(const double *truth, const double *pred, size_t n, double *mae,
                         double *rmse, double *nrmse);

/* Ridge regression in closed form: beta (p + 1; the last is the intercept,
 * not penalised) minimises ||X beta_p + b - y||^2 + lambda ||beta_p||^2 over
 * n rows of X (n, p) row-major: (X1' X1 + lambda D) beta = X1' y with
 * X1 = [X 1], D = diag(1, .., 1, 0), solved by Cholesky (LAPACKE_dposv).
 * DNT_ERR_NUMERIC when the system is singular (lambda 0 and collinear
 * columns). O(n p^2 + p^3). */
int dnt_forecast_ridge_fit(const double *X, const double *y, size_t n, size_t p, double lambda,
                           double *beta);

/* The study's ridge AR for series j of d: inputs are the flattened windows
 * (closeness and period values, z-scored), the target the z-scored value;
 * fits on the training windows for each penalty, keeps the one of lowest
 * validation MSE (*lambda_out) and writes its test forecasts in original
 * units into pred (d->per[DNT_SEQ_TEST]). Never reads a test value. */
int dnt_forecast_linear_ar(const dnt_seq_data *d, size_t j, const double *lambdas, size_t n_lambdas,
                           double *pred, double *lambda_out);

/* FedAtt (Ji et al., "Learning private neural language modeling with
 * attentive aggregation", IJCNN 2019; as VH-Twin aggregates inside a
 * cluster): from the server model w_s and client models w_i = w_s + delta_i,
 *   att_i = softmax_i ||w_s - w_i||,  w_new = w_s - eps sum_i att_i (w_s - w_i)
 * i.e. the step eps sum_i att_i delta_i, into out (d). VH-Twin takes the
 * softmax per layer; here over the whole parameter vector. deltas (n, d)
 * row-major, n >= 1; att (n) caller scratch, the attention weights on
 * return. O(n d). */
void dnt_forecast_fedatt(const float *deltas, int n, size_t d, double eps, double *att,
                         double *out);

/* Adjusted Rand index of two labelings of n items (Hubert and Arabie, J.
 * Classification 1985): 1 for the same partition up to names, about 0 for
 * independent ones; 1 when both put everything in one cluster. Labels >= 0.
 * O(n + ka kb). NAN when out of memory. */
double dnt_forecast_ari(const int *a, const int *b, size_t n);

/* Generated BSs with planted clusters (ours): BS i is in cluster i mod K; its
 * demand is
 *   y_i(t) = b_i (1 + a_k cos(2 pi (hour(t) - p_k) / 24)) w_k(t) exp(z_i(t))
 * with cluster profile (peak hour p_k = 24 k / K + U(-1, 1), amplitude
 * a_k ~ U(0.3, 0.9), weekend factor w_k ~ U(0.5, 1.1) on days 5 and 6 of each
 * week), level b_i = exp(0.3 N(0, 1)), and z_i = 0.8 z_i(t-1) + 0.15 (0.7 f_k
 * + 0.71 e_i) (f_k a shared AR input of the cluster, e_i N(0, 1) noise).
 * Positions: cluster centre uniform in a 2,000 x 1,400 m window, BSs at
 * N(centre, 150 m). Series into y (n_bs, n_steps) row-major by BS, clusters
 * into plant (n_bs), sites allocated into *sites. Streams TRAFFIC 0 (series)
 * and SITES 0 (positions). */
int dnt_forecast_generate(size_t n_bs, size_t n_clusters, size_t n_steps, uint64_t seed, double *y,
                          int *plant, dnt_cell_sites *sites);

#ifdef __cplusplus
}
#endif
#endif
