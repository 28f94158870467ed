/* dnt/twin.h: a physical world and its twin, kept in sync over a channel.
 *
 * Two instances of one world kind run side by side: the physical one (ground
 * truth: a simulator or a trace replay) and the twin, which simulates on its
 * own between syncs (its prediction) and assimilates the telemetry reports it
 * receives. The channel model:
 *   uplink (physical -> twin): reports arrive uplink_latency steps after they
 *     were measured, each lost with probability uplink_loss (its own RNG
 *     stream, so the same seed drops the same reports);
 *   downlink (twin -> physical): the action decided at step t is applied to
 *     the physical world at step t + downlink_latency (no loss; before the
 *     first action arrives the physical world steps with no action).
 * Sync policies (who sends what when; "send-on-delta" is Miskowicz 2006):
 *   PERIODIC   every field in one report every `period` steps;
 *   EVENT      group g is reported when the physical value of one of its
 *              fields differs from the twin's prediction by more than
 *              `threshold` (max absolute difference); the sender evaluates this
 *              only while no report of g is in flight, and `max_silence` > 0
 *              forces a report after that many silent steps (a heartbeat);
 *   MULTIRATE  group g every group_period[g] steps (loads every step,
 *              topology every hour, ...).
 *
 * One step t of dnt_twin_step, in order:
 *   1. the twin world steps with the action decided now; the action is queued
 *      on the downlink;
 *   2. the physical world steps with the action that arrives at t;
 *   3. the sender observes the physical world and sends the reports the policy
 *      asks for (bytes counted when sent, lost or not);
 *   4. reports arriving at t are assimilated by the twin world (by group) and
 *      ingested by the mirror (dnt/mirror.h), in send order;
 *   5. the mirror records its history row; fidelity is measured.
 * Hence with latency 0 and a report every step the twin's telemetry equals the
 * physical telemetry after every step, and with latency L the mirror (and the
 * twin's telemetry right after assimilation) equals the physical telemetry of
 * step t - L.
 *
 * Bytes: a report costs DNT_SYNC_HEADER_BYTES plus 8 per value it carries
 * (doubles: the twin must reproduce values exactly); an action costs the
 * header plus 8 per action value.
 * Fidelity at a step: RMSE and max absolute difference over the fields
 * between the twin's and the physical telemetry (each divided by its field
 * scale when field_scale is set; so is the EVENT divergence).
 *
 * Ownership: dnt_twin_create borrows `physical` (the caller destroys it after
 * the twin) and takes `twin` (destroyed with the handle, also on failure).
 * Costs per step: two world steps, two observations, O(n_fields) per report.
 * Not thread-safe; fork the twin world (dnt_world_copy) to explore. */
#ifndef DNT_TWIN_H
#define DNT_TWIN_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/mirror.h"
#include "dnt/state.h"
#include "dnt/world.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNT_SYNC_MAX_GROUPS 8
#define DNT_SYNC_HEADER_BYTES 16 /* i64 step, u32 group, u32 value count */

typedef enum dnt_sync_policy {
  DNT_SYNC_PERIODIC = 0,
  DNT_SYNC_EVENT = 1,
  DNT_SYNC_MULTIRATE = 2
} dnt_sync_policy;

typedef struct dnt_channel {
  int64_t uplink_latency;   /* steps, >= 0 */
  double uplink_loss;       /* probability in [0, 1) */
  int64_t downlink_latency; /* steps, >= 0 */
} dnt_channel;

typedef struct dnt_sync_config {
  dnt_sync_policy policy;
  int64_t period;      /* PERIODIC: steps between reports, >= 1 */
  double threshold;    /* EVENT: divergence that triggers a report, >= 0 */
  int64_t max_silence; /* EVENT: heartbeat after this many silent steps; 0 = none */
  int64_t group_period[DNT_SYNC_MAX_GROUPS]; /* MULTIRATE: steps between reports of g */
  /* Optional (n_fields) positive scale of each field, or NULL (all 1):
   * divergence and fidelity compare (twin - physical) / scale, so one
   * threshold serves fields of different units (e.g. a share of capacity).
   * Copied at create. */
  const double *field_scale;
  dnt_channel channel;
  size_t history_rows; /* mirror history kept, >= 1 */
  uint64_t seed;       /* loss draws: stream (seed, DNT_STREAM_CHANNEL, 0) */
} dnt_sync_config;

/* Periodic every step, no latency, no loss, 4096 history rows, seed 1,
 * every group_period 1, threshold 0, no heartbeat. */
void dnt_sync_config_default(dnt_sync_config *c);

/* "periodic", "event", "multirate". parse: DNT_ERR_ARG naming the text. */
const char *dnt_sync_policy_name(dnt_sync_policy p);
int dnt_sync_policy_parse(const char *text, dnt_sync_policy *out);

typedef struct dnt_twin_stats {
  int64_t steps;
  int64_t reports_sent; /* lost ones included */
  int64_t reports_lost;
  int64_t reports_delivered;
  int64_t actions_sent;
  int64_t bytes_up;   /* uplink bytes sent */
  int64_t bytes_down; /* downlink bytes sent */
  double rmse_last;   /* fidelity of the last step */
  double maxabs_last;
  double rmse_mean;  /* mean over steps of the per-step RMSE */
  double maxabs_max; /* worst absolute difference over all steps */
} dnt_twin_stats;

typedef struct dnt_twin dnt_twin;

/* Checks that both worlds have the same kind, fields, actions and at most
 * DNT_SYNC_MAX_GROUPS groups, and that the config is in range (DNT_ERR_ARG /
 * DNT_ERR_MISMATCH naming the field). */
int dnt_twin_create(dnt_world *physical, dnt_world *twin, const dnt_sync_config *cfg,
                    dnt_twin **out);
void dnt_twin_destroy(dnt_twin *t);

/* Restarts the sync at step 0 (an episode start): empties the uplink queue
 * and the downlink, zeroes the stats, clears the mirror (dnt_mirror_clear)
 * and draws the losses from `seed` as dnt_twin_create does. The worlds are
 * the caller's to reset first (both, dnt_world_reset); the twin then equals
 * one freshly created on them with cfg.seed = seed. No allocation, O(n_fields
 * + queue). */
void dnt_twin_reset(dnt_twin *t, uint64_t seed);

/* A full report of the physical state now, outside the channel (no latency,
 * loss or bytes): the twin world assimilates every field and the mirror
 * ingests it as measured and received now (its history row of this step is
 * written or rewritten). This is a twin commissioned from a snapshot, e.g.
 * after dnt_twin_reset. Reports still in flight land afterwards as usual.
 * O(n_fields). */
int dnt_twin_snapshot(dnt_twin *t);

/* One step with the action decided on the twin (n_actions values, or NULL). */
int dnt_twin_step(dnt_twin *t, const double *action);

/* Steps taken. */
int64_t dnt_twin_now(const dnt_twin *t);
dnt_world *dnt_twin_world(dnt_twin *t);
const dnt_world *dnt_twin_physical(const dnt_twin *t);
const dnt_mirror *dnt_twin_mirror(const dnt_twin *t);
/* Telemetry after the last step (n_fields values, owned by the handle). */
const double *dnt_twin_physical_telemetry(const dnt_twin *t);
const double *dnt_twin_telemetry(const dnt_twin *t);
void dnt_twin_get_stats(const dnt_twin *t, dnt_twin_stats *out);
/* The sync config in use (its field_scale is NULL: the scales are internal). */
const dnt_sync_config *dnt_twin_config(const dnt_twin *t);

/* Exact resume (dnt/state.h). save appends everything a bit-identical
 * continuation needs: the step, the stats, the loss stream, the policy's
 * state (reports in flight per group, last sends), the uplink queue in
 * flight (oldest first), the downlink's pending actions, the observations,
 * both worlds (dnt_world_save) and the mirror (dnt_mirror_save). load reads
 * it into a twin created with the same config on worlds made from the same
 * config (fresh ones do: both worlds are loaded too), which then continues
 * exactly as the saved one would have: same telemetry, reports, losses and
 * stats, bit for bit. Another shape (fields, groups, queue or downlink size,
 * world state size) is DNT_ERR_MISMATCH naming it; a value out of range (a
 * step, a queue length, a group) DNT_ERR_CORRUPT naming it; a failed load may
 * have changed `t`: destroy it. O(state). */
int dnt_twin_save_state(const dnt_twin *t, dnt_pack *p);
int dnt_twin_load_state(dnt_twin *t, dnt_unpack *u);

#ifdef __cplusplus
}
#endif
#endif
