/* dnt/fl_server.h: the synchronous federated server (FedAvg-style rounds) and
 * the aggregation stage every server mode shares.
 *
 * One round (McMahan et al. 2017, Algorithm 1, with robust aggregation):
 *   1. sample the participants: `per_round` clients, or a `fraction` of them,
 *      uniformly without replacement from the server's stream;
 *   2. each participant trains from the global model w (dnt/fl_update.h), on
 *      `threads` threads or on remote ranks (dnt/fl_mpi.h): same numbers either way;
 *   3. an update whose compute_time exceeds the `deadline` is a straggler and
 *      is dropped; one of the wrong length or holding a NaN/Inf is rejected and
 *      counted; neither is ever aggregated;
 *   4. the aggregation stage: poisoning attack on the malicious clients'
 *      updates (simulation), the caller's filter (e.g. a twin-validated score;
 *      it may zero a weight to drop an update), then the rule with its
 *      pre-aggregator (dnt/aggregate.h), weighted by sample counts; with groups,
 *      hierarchically (dnt/fl_hier.h);
 *   5. w <- w + server_lr * AGG(deltas);
 *   6. with a checkpoint path, the server's state (below) is written
 *      atomically (dnt/state.h) so that a killed run resumes where it stopped.
 * The clients are a population (dnt/fl_population.h): count, speeds, links,
 * participation, data and groups; dnt_fl_server_regroup changes the groups
 * between rounds (re-clustering) and keeps the model, the round count and
 * CClip's centre. Bytes up and down are counted per group and in total.
 * Randomness (dnt/rng.h's table, seed = the population's): participants from
 * DNT_STREAM_SELECTION (index round), the attack from DNT_STREAM_ATTACK
 * (round), the rule's own draws (bucketing, DnC) from DNT_STREAM_SERVER
 * (round), client jobs from DNT_STREAM_CLIENT (client | round << 24). Hence a
 * resumed run and an uninterrupted one give bit-identical models, for any
 * number of training threads; the BLAS thread count (dnt_blas_set_threads)
 * must be the same, since OpenBLAS may sum in another order with another
 * count (`dnt fl` keeps it at 1).
 *
 * Memory: every buffer of a round (the updates, the aggregation stage, the
 * rule's and the attack's scratch) is allocated at create (and regroup);
 * a round allocates nothing (tests/fl/test_workspace.c counts).
 *
 * Ownership: the server copies the config (the population's arrays too) and
 * owns its buffers; client contexts, the filter context and the FLTrust root
 * callback's context stay the caller's. Not thread-safe. */
#ifndef DNT_FL_SERVER_H
#define DNT_FL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/aggregate.h"
#include "dnt/attack.h"
#include "dnt/fl_population.h"
#include "dnt/fl_update.h"
#include "dnt/state.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Aggregation-stage callback: sees the round's accepted updates after the
 * attack, X (n, d) with their client ids, and may lower weights[i] (0 drops
 * update i). For example the twin-validated rule scores each update on
 * twin-generated scenarios. Returns 0 or a negative dnt_status (the round
 * fails with it). */
typedef int (*dnt_fl_filter_fn)(void *ctx, const float *global, const float *X, int n, size_t d,
                                const int *client_ids, double *weights);

/* FLTrust root-update callback: writes the server's own update g0 (d) for the
 * current global model (e.g. one local step on the root data set). */
typedef int (*dnt_fl_root_fn)(void *ctx, const float *global, size_t d, int round, float *g0);

/* The aggregation stage, shared by the synchronous, asynchronous and
 * hierarchical servers. */
typedef struct dnt_fl_stage_cfg {
  dnt_agg_params agg; /* rule and pre-aggregator (root is set by root_fn) */
  dnt_attack_params attack;
  int attack_f;            /* f the attacker assumes (FANG_KRUM); 0 = its own count */
  dnt_fl_filter_fn filter; /* may be NULL */
  void *filter_ctx;
  dnt_fl_root_fn root_fn; /* required by FLTRUST */
  void *root_ctx;
} dnt_fl_stage_cfg;

/* Status of one client in the last round. */
typedef enum dnt_fl_client_status {
  DNT_FL_IDLE = 0,      /* not selected */
  DNT_FL_STRAGGLER = 1, /* missed the deadline */
  DNT_FL_FAILED = 2,    /* local_train returned an error */
  DNT_FL_REJECTED = 3,  /* wrong length, NaN or Inf */
  DNT_FL_FILTERED = 4,  /* dropped by the filter callback */
  DNT_FL_DROPPED = 5,   /* aggregated with kept < 0.5 by the rule */
  DNT_FL_KEPT = 6       /* aggregated with kept >= 0.5 */
} dnt_fl_client_status;

/* Detection counts, when the malicious clients are known: an update that
 * reached the stage counts as flagged when it was filtered or kept < 0.5 by
 * the rule. */
typedef struct dnt_fl_detection {
  int true_pos, false_pos, false_neg;
} dnt_fl_detection;

/* Adds n updates: status (n, DNT_FL_FILTERED / DROPPED / KEPT; others are
 * skipped) against the truth mal (n). */
void dnt_fl_detection_count(dnt_fl_detection *det, const unsigned char *status,
                            const unsigned char *mal, int n);
/* tp / (tp + fp), NaN when nothing was flagged (no precision to speak of). */
double dnt_fl_precision(const dnt_fl_detection *det);
/* tp / (tp + fn), NaN when no malicious update reached the stage. */
double dnt_fl_recall(const dnt_fl_detection *det);

typedef struct dnt_fl_metrics {
  int round;        /* the round these metrics describe (0-based) */
  int selected;     /* clients asked to train */
  int participated; /* updates aggregated (after deadline, checks and filter) */
  int stragglers, failed, rejected, filtered;
  int dropped_by_rule; /* aggregated rows with kept < 0.5 */
  double bytes_down;   /* global model sent: selected * d * 4 */
  double bytes_up;     /* updates received (stragglers' included: they were sent) */
  /* the same per group (n_groups entries each, summing to the totals); owned
   * by the server, valid until its next round, regroup or destroy */
  int n_groups;
  const double *group_bytes_down, *group_bytes_up;
  double sim_time;      /* simulated seconds of this round (slowest accepted client) */
  dnt_fl_detection det; /* when malicious clients are known */
  double update_norm;   /* ||AGG|| of this round */
} dnt_fl_metrics;

/* Executor of the clients' local training; the default runs them in process
 * on threads. A transport (MPI) provides its own. `ups[k]` receives the
 * update of client ids[k] trained from `global` at round `round`. */
typedef struct dnt_fl_exec {
  void *ctx;
  int (*train)(void *ctx, const int *ids, int m, int round, const float *global, size_t d,
               dnt_fl_update *ups, int *rcs);
} dnt_fl_exec;

typedef struct dnt_fl_server_cfg {
  dnt_fl_population pop; /* the clients; copied (clients borrowed) */
  size_t d;
  double server_lr;         /* w <- w + server_lr * AGG (default 1) */
  int per_round;            /* participants per round; 0 = use fraction */
  double fraction;          /* in (0, 1] (default 1) */
  double deadline;          /* simulated seconds; 0 = none */
  dnt_agg_params group_agg; /* rule inside each group (with pop.groups) */
  dnt_fl_stage_cfg stage;   /* rule (global level when hierarchical), attack, filter */
  const char *checkpoint;   /* path written after every round, or NULL; copied */
} dnt_fl_server_cfg;

/* Defaults: the population's (dnt_fl_population_defaults), server_lr 1,
 * fraction 1, rule MEAN, no attack. */
dnt_fl_server_cfg dnt_fl_server_defaults(int n_clients, const dnt_fl_client *clients, size_t d);

typedef struct dnt_fl_server dnt_fl_server;

/* Validates the config (DNT_ERR_ARG naming the field) and copies w0 (d) as
 * the initial global model. */
int dnt_fl_server_create(const dnt_fl_server_cfg *cfg, const float *w0, dnt_fl_server **out);
void dnt_fl_server_destroy(dnt_fl_server *s);

/* Between rounds: the clients' new groups (n_clients in [0, n_groups), or
 * NULL for none), e.g. after re-clustering. The model, the round count and
 * CClip's centre carry on; the aggregation stage is rebuilt for the new
 * groups (this allocates). On error the old grouping stays. */
int dnt_fl_server_regroup(dnt_fl_server *s, const int *groups, int n_groups);

/* Replaces the executor (NULL restores the in-process one). Borrowed. */
void dnt_fl_server_set_exec(dnt_fl_server *s, const dnt_fl_exec *exec);

/* Runs one round. m (may be NULL) receives its metrics. An aggregation that
 * fails (e.g. too few updates for the rule: DNT_ERR_ARG) fails the round and
 * leaves the global model unchanged; the next round can still run. */
int dnt_fl_server_round(dnt_fl_server *s, dnt_fl_metrics *m);

/* Loads the checkpoint written by a server with the same clients and d and
 * continues from the round after it: DNT_ERR_IO, DNT_ERR_CORRUPT (truncated,
 * flipped, or a value save never writes) or DNT_ERR_MISMATCH (another shape)
 * as dnt/state.h, naming the file; on error the server is unchanged. */
int dnt_fl_server_resume(dnt_fl_server *s, const char *path);

/* The server's whole state as a section of a state file (dnt/state.h): the
 * round count, the model, the CClip centre (last aggregate) and the groups.
 * The rest of a round's randomness derives from (seed, round), so this is
 * everything a bit-identical continuation needs. load_state reads it into a
 * server created with the same config (DNT_ERR_MISMATCH for other clients or
 * d, DNT_ERR_CORRUPT for a round or flag out of range; a saved grouping
 * other than the server's is applied with dnt_fl_server_regroup); on error
 * the server is unchanged. */
int dnt_fl_server_save_state(const dnt_fl_server *s, dnt_pack *p);
int dnt_fl_server_load_state(dnt_fl_server *s, dnt_unpack *u);

const float *dnt_fl_server_model(const dnt_fl_server *s);
/* Next round index (rounds completed so far). */
int dnt_fl_server_rounds_done(const dnt_fl_server *s);
/* Per-client status of the last round (n_clients), owned by the server. */
const unsigned char *dnt_fl_server_status(const dnt_fl_server *s);
/* Per-client kept share of the last round (n_clients; -1 when not aggregated). */
const float *dnt_fl_server_kept(const dnt_fl_server *s);

#ifdef __cplusplus
}
#endif
#endif
