/* dnt/fl_async.h: the asynchronous federated server on a simulated clock.
 *
 * Event-driven: a dispatched client downloads the model (link latency), trains
 * (compute time) and uploads (link latency), each drawn from that client's own
 * distributions; its arrival is an event at dispatch time + down + compute +
 * up. Events are processed in time order; TIES ARE BROKEN BY INSERTION ORDER
 * (the order of the dispatches), so the event order depends only on the seed
 * and the config. Staleness of an update = server version now - version it
 * started from.
 *
 * Modes:
 *   FEDASYNC  Xie, Koyejo, Gupta 2019: every arrival is mixed at once,
 *             w <- (1 - a_t) w + a_t w_client, a_t = alpha s(staleness),
 *             w_client = w_{tau} + delta (the model the client started from
 *             plus its update). The stage's rule sees one update: only rules
 *             with dnt_agg_min_n <= 1 and attacks that need no benign
 *             statistics (gaussian, signflip, scaling) apply.
 *   FEDBUFF   Nguyen et al. 2022: arrivals are buffered; every K of them the
 *             stage (attack, filter, rule) aggregates the rows s(staleness_i)
 *             delta_i, weighted by sample counts, and w <- w + server_lr AGG.
 * Staleness functions s(t) (Xie et al. 2019, section 5.2, and two common
 * ones): CONSTANT 1; POLY (t + 1)^-a; HINGE 1 if t <= b else 1/(a (t - b) + 1);
 * INV 1/(1 + t); INV_SQRT 1/(1 + sqrt t). Updates staler than max_staleness
 * are dropped and counted.
 * Switch from synchronous: the first `sync_rounds` rounds (and, with an eval
 * callback, until the metric plateaus: improvement below plateau_tol relative
 * for plateau_patience rounds) are synchronous: every client is dispatched,
 * the round ends when the last arrives and all are aggregated by the stage;
 * then the asynchronous mode takes over.
 * Participation: at most `concurrency` clients train at once; when one
 * arrives, a uniformly random idle client (the server's stream) is dispatched.
 * Threads: training is lazy; every job dispatched while the model does not
 * change uses the same model, so those jobs run as one batch on `threads`
 * threads just before the model changes (or when an arrival needs one). Each
 * job has its own stream (client id, that client's job count): identical
 * results for any thread count.
 *
 * Groups (the population's): with groups the stage aggregates
 * hierarchically (dnt/fl_hier.h: group_agg inside each group, the stage's rule
 * over the groups), and bytes are counted per group; dnt_fl_async_regroup
 * changes them mid-run. Streams: per-client delays from DNT_STREAM_DELAY
 * (client), idle-client draws from DNT_STREAM_SELECTION (0), the stage's
 * attack and rule from DNT_STREAM_ATTACK / DNT_STREAM_SERVER (version), jobs
 * from DNT_STREAM_CLIENT (client | job << 24).
 *
 * Ownership: create copies the config and the population's arrays; destroy
 * frees. The client array must outlive the simulator. Memory: 2 n_clients vectors of d
 * floats (each client's last update, the aggregation buffer), plus n_clients
 * more in FEDASYNC (the model each client started from). */
#ifndef DNT_FL_ASYNC_H
#define DNT_FL_ASYNC_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/fl_server.h"
#include "dnt/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnt_staleness_fn {
  DNT_STALE_CONSTANT = 0,
  DNT_STALE_POLY,
  DNT_STALE_HINGE,
  DNT_STALE_INV,
  DNT_STALE_INV_SQRT,
  DNT_STALE_N
} dnt_staleness_fn;

/* s(t) for staleness t >= 0 with parameters a, b as above. O(1). */
double dnt_staleness_weight(dnt_staleness_fn fn, double t, double a, double b);
/* "constant", "poly", "hinge", "inv", "inv_sqrt". */
const char *dnt_staleness_name(dnt_staleness_fn fn);
int dnt_staleness_parse(const char *name, dnt_staleness_fn *out);

typedef enum dnt_fl_async_mode { DNT_ASYNC_FEDASYNC = 0, DNT_ASYNC_FEDBUFF = 1 } dnt_fl_async_mode;

/* Validation metric for the plateau switch (lower is better). */
typedef double (*dnt_fl_eval_fn)(void *ctx, const float *w, size_t d);

#define DNT_FL_STALE_BINS 16 /* histogram bins 0..14, and 15 = "15 or more" */

typedef struct dnt_fl_async_cfg {
  dnt_fl_population pop; /* the clients (compute, latency, groups); copied. Participation
                          * is `concurrency` here: pop.participation must be NULL */
  size_t d;
  dnt_fl_async_mode mode;
  double alpha;               /* FEDASYNC mixing a (default 0.9) */
  double server_lr;           /* FEDBUFF step (default 1) */
  int buffer_k;               /* FEDBUFF K (default 10, capped at n_clients) */
  dnt_staleness_fn staleness; /* default POLY */
  double stale_a, stale_b;    /* default a = 1 (exponent, hinge slope), b = 10 */
  int max_staleness;          /* drop staler updates; < 0 = no bound (default -1) */
  int concurrency;            /* clients training at once; 0 = all */
  int sync_rounds;            /* synchronous rounds first (default 0) */
  dnt_fl_eval_fn eval;        /* plateau switch, or NULL */
  void *eval_ctx;
  double plateau_tol;       /* relative improvement that still counts (default 1e-3) */
  int plateau_patience;     /* rounds without it before switching (default 3) */
  dnt_agg_params group_agg; /* rule inside each group (with pop.groups) */
  dnt_fl_stage_cfg stage;
} dnt_fl_async_cfg;

dnt_fl_async_cfg dnt_fl_async_defaults(int n_clients, const dnt_fl_client *clients, size_t d);

/* What happened since the previous step, up to and including one model change. */
typedef struct dnt_fl_async_metrics {
  int version;    /* server version after this step */
  double time;    /* simulated clock at the model change */
  int sync;       /* 1 if this step was a synchronous round */
  int aggregated; /* updates that went into this model change */
  int stale_dropped, rejected, failed, filtered, dropped_by_rule;
  double bytes_up, bytes_down;
  /* the same per group (n_groups entries each, summing to the totals); owned
   * by the simulator, valid until its next step, regroup or destroy */
  int n_groups;
  const double *group_bytes_down, *group_bytes_up;
  int stale_hist[DNT_FL_STALE_BINS]; /* staleness of the arrivals of this step */
  dnt_fl_detection det;
} dnt_fl_async_metrics;

typedef struct dnt_fl_async dnt_fl_async;

int dnt_fl_async_create(const dnt_fl_async_cfg *cfg, const float *w0, dnt_fl_async **out);
void dnt_fl_async_destroy(dnt_fl_async *s);

/* Between steps: the clients' new groups (n_clients in [0, n_groups), or
 * NULL), as dnt_fl_server_regroup: the model, the version, the clock, the
 * clients in flight and the buffered updates carry on (a buffered update is
 * aggregated in the group of its client at aggregation time). */
int dnt_fl_async_regroup(dnt_fl_async *s, const int *groups, int n_groups);

/* Processes events until the model changes once; m may be NULL. An
 * aggregation error fails the step: the model is unchanged, the updates it
 * would have used are dropped, and the next step carries on (a synchronous
 * round included: the next round is dispatched). */
int dnt_fl_async_step(dnt_fl_async *s, dnt_fl_async_metrics *m);

/* The simulator's whole state between steps as a section of a state file
 * (dnt/state.h): model, version, clock, phase, the server's and every
 * client's delay stream, the clients in flight (base version, job count,
 * their update once trained), the jobs not yet trained, the buffered
 * updates, the event queue with its insertion counter, the groups. Loaded
 * into a simulator created with the same config, it steps on bit for bit as
 * the one saved. load_state: DNT_ERR_MISMATCH for another shape or mode,
 * DNT_ERR_CORRUPT for a value out of range (naming it); a failed load may
 * leave the simulator half loaded: destroy it (dnt/state.h). */
int dnt_fl_async_save_state(const dnt_fl_async *s, dnt_pack *p);
int dnt_fl_async_load_state(dnt_fl_async *s, dnt_unpack *u);

const float *dnt_fl_async_model(const dnt_fl_async *s);
int dnt_fl_async_version(const dnt_fl_async *s);
double dnt_fl_async_time(const dnt_fl_async *s);
/* 1 while still in the synchronous phase. */
int dnt_fl_async_is_sync(const dnt_fl_async *s);

#ifdef __cplusplus
}
#endif
#endif
