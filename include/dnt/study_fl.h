/* dnt/study_fl.h: the FL study (`dnt fl`): the federated-learning engine on
 * the federated quadratic task (dnt/fl_quadratic.h), one rule under one
 * attack, or the rules x attacks table.
 *
 * Client i minimises 0.5 ||x - mu_i||^2 (mu_i = mu + N(0, fl.hetero^2 I),
 * noisy gradients of sd fl.noise); the server steps x <- x + fl.server_lr
 * AGG(deltas). final_error = ||x - mean honest mu|| / ||mean honest mu||
 * (1 at the start x = 0). A run is `diverged` when it ends above the initial
 * error (or not finite). The malicious clients are the first fl.malicious.
 *
 * Modes (fl.mode): sync (dnt/fl_server.h: fl.per_round clients a round,
 * fl.deadline), fedasync and fedbuff (dnt/fl_async.h: one round is one model
 * change; fl.alpha, fl.buffer_k, fl.staleness, fl.sync_rounds). fl.groups > 1
 * aggregates hierarchically in every mode (dnt/fl_hier.h): client i is in
 * group i mod fl.groups, fl.group_rule inside each group (f = 0), fl.rule over
 * the groups.
 *
 * One rule under one attack writes rounds.csv (round, error, participated,
 * stragglers, rejected, filtered, dropped_by_rule, true_pos, false_pos,
 * false_neg, bytes_up, bytes_down, sim_time), the same per-round metrics in
 * dnt.db, error.gp/.svg/.png, and summary metrics final_error (or "diverged"),
 * rule, attack, mode, rounds, detected, false_alarms, missed. Its state is
 * saved atomically in checkpoint.state every fl.checkpoint_every rounds, at
 * a stop request and at the end, with rounds.csv flushed and the metrics
 * committed first: a resumed run (dnt_run_resuming) cuts rounds.csv and the
 * metrics back to the checkpoint's round and continues bit for bit, in every
 * mode (server model, CClip centre, the asynchronous clock, events, clients in
 * flight, buffered updates and every stream).
 * fl.rule and/or fl.attack "all": table.csv (rule, attack, final_error,
 * final_error_sd, seeds, diverged, precision, recall, error_reduction),
 * heatmap.gp/.svg/.png and summary metrics final_error.<rule>.<attack>; with
 * fl.attack all every cell runs fl.seeds seeds (seed, seed + 1, ...) and, in
 * the synchronous mode, an `honest` column (the malicious clients offline).
 * A table has no checkpoint.
 *
 * MPI: under `mpirun -np K dnt fl` rank 0 runs the study (the synchronous
 * server; the asynchronous modes run on rank 0 alone) and ranks 1..K-1 call
 * dnt_study_fl_serve, which receives the config from rank 0, trains the
 * clients and writes nothing: the results are bit-identical to a run in
 * process. */
#ifndef DNT_STUDY_FL_H
#define DNT_STUDY_FL_H

#include "dnt/config.h"
#include "dnt/run.h"
#include "dnt/study.h"

#ifdef __cplusplus
extern "C" {
#endif

/* clang-format off */
#define DNT_STUDY_FL_RULES "mean|median|trmean|krum|multikrum|bulyan|geomed|cclip|fltrust|glid|dnc"
#define DNT_STUDY_FL_ROWS(X)                                                                                   \
  X(STRING, task, "fl.task", 0, 0, "quadratic", "quadratic", "federated task")                                \
  X(INT, clients, "fl.clients", 2, 100000, 40, NULL, "number of clients")                                     \
  X(INT, malicious, "fl.malicious", 0, 100000, 8, NULL, "malicious clients (the first ones)")                 \
  X(INT, dim, "fl.dim", 1, 100000000, 50, NULL, "model dimension d")                                          \
  X(INT, rounds, "fl.rounds", 1, 1000000, 30, NULL, "rounds (async: model changes)")                          \
  X(STRING, rule, "fl.rule", 0, 0, "krum", "all|" DNT_STUDY_FL_RULES, "aggregation rule, or all")             \
  X(STRING, attack, "fl.attack", 0, 0, "lie",                                                                 \
    "all|none|gaussian|signflip|scaling|lie|ipm|minmax|minsum|fang_krum|fang_trim|fti", "poisoning attack, or all") \
  X(INT, f, "fl.f", -1, 100000, -1, NULL, "f assumed by the rule; -1 = malicious (fedbuff: ceil(K malicious / clients))") \
  X(STRING, pre, "fl.pre", 0, 0, "none", "none|nnm|bucketing", "pre-aggregator")                              \
  X(STRING, knowledge, "fl.knowledge", 0, 0, "full", "full|partial", "attacker knowledge")                    \
  X(REAL, ipm_eps, "fl.ipm_eps", 0, 1e6, 0.5, NULL, "IPM epsilon")                                            \
  X(REAL, server_lr, "fl.server_lr", 0, 100, 0.5, NULL, "server step: x <- x + lr AGG")                       \
  X(REAL, hetero, "fl.hetero", 0, 1e3, 1.0, NULL, "sd of the client optima around mu")                        \
  X(REAL, noise, "fl.noise", 0, 1e3, 1.0, NULL, "gradient noise sd")                                          \
  X(STRING, mode, "fl.mode", 0, 0, "sync", "sync|fedasync|fedbuff", "server mode")                            \
  X(INT, per_round, "fl.per_round", 0, 100000, 0, NULL, "sync: clients per round (0 = all)")                  \
  X(REAL, deadline, "fl.deadline", 0, 1e9, 0, NULL, "sync: round deadline (0 = none)")                        \
  X(INT, buffer_k, "fl.buffer_k", 1, 100000, 10, NULL, "fedbuff: buffer size K")                              \
  X(REAL, alpha, "fl.alpha", 0.001, 1, 0.9, NULL, "fedasync: mixing a")                                       \
  X(STRING, staleness, "fl.staleness", 0, 0, "poly", "constant|poly|hinge|inv|inv_sqrt", "async staleness function") \
  X(INT, sync_rounds, "fl.sync_rounds", 0, 1000000, 0, NULL, "async: synchronous rounds first")               \
  X(INT, groups, "fl.groups", 1, 100000, 1, NULL, "client groups: > 1 aggregates hierarchically (client i in group i mod groups)") \
  X(STRING, group_rule, "fl.group_rule", 0, 0, "mean", DNT_STUDY_FL_RULES, "rule inside each group (fl.groups > 1)") \
  X(INT, seeds, "fl.seeds", 1, 1000, 5, NULL, "--attack all: seeds per cell (seed, seed + 1, ...), mean and spread reported") \
  X(INT, checkpoint_every, "fl.checkpoint_every", 0, 1000000, 100, NULL, "rounds between checkpoints (0 = only at a stop and at the end)")
/* clang-format on */

typedef struct dnt_study_fl_config {
  DNT_CFG_MEMBERS(DNT_STUDY_FL_ROWS)
} dnt_study_fl_config;

/* The registry row of the study (dnt/study.h). */
extern const dnt_study dnt_study_fl;

/* Every field at its default. */
void dnt_study_fl_defaults(dnt_study_fl_config *cfg);
/* Before a result folder exists: fewer malicious clients than clients, at
 * most fl.clients per round and groups, and a single rule that can aggregate
 * what its mode gives it (enough updates a round, a buffer or a group for
 * dnt_agg_min_n; FedAsync: one update, no attack that needs benign
 * statistics). DNT_ERR_CONFIG naming the keys. */
int dnt_study_fl_check(const dnt_study_fl_config *cfg);
/* Runs the study into `run` (seed, threads and resuming from the run);
 * progress may be NULL. Under MPI (dnt_fl_mpi_size() > 1) this is rank 0's
 * part. A stop request (dnt/interrupt.h) ends it at a round boundary with its
 * checkpoint written: DNT_ERR_INTERRUPTED. */
int dnt_study_fl_run(const dnt_study_fl_config *cfg, dnt_run *run,
                     const dnt_study_progress *progress);
/* MPI ranks > 0: receives the config, seed and threads from rank 0's
 * dnt_study_fl_run, builds the same clients and trains them until rank 0 is
 * done. Writes nothing. */
int dnt_study_fl_serve(void);

#ifdef __cplusplus
}
#endif
#endif
