/* dnt/world_env.h: a world and its twin as a reinforcement-learning
 * environment (the world-to-agent bridge).
 *
 * An agent acts on a world through the twin, never by reaching into the
 * world. Each environment instance owns a physical world (dnt/world.h) and a
 * twin of it (dnt/twin.h) kept in sync over the configured channel:
 *
 *   observation  what the agent may know: the twin's mirror (dnt/mirror.h),
 *                i.e. the last synced values, possibly stale. Either chosen
 *                fields, each (value - offset) * scale as a float, or a
 *                caller callback; optionally followed by the forecaster's
 *                1..k-step forecasts of chosen fields made from the mirrored
 *                history (same offset and scale).
 *   action       discrete: index a into a table of world action vectors (or
 *                a callback); continuous: the act_dim values as the world's
 *                action vector (or a callback). The action goes to
 *                dnt_twin_step: the twin world steps with it at once and the
 *                physical world when the downlink delivers it.
 *   reward, cost caller callbacks over the PHYSICAL world after the step (the
 *                ground truth: telemetry, and the world itself for its typed
 *                metrics, e.g. dnt_cellular_stats_get), plus an optional
 *                terminal test; n_costs costs for a constrained MDP.
 *   episodes     horizon steps (spec.max_steps: truncation); at reset both
 *                worlds and the twin restart and the twin is commissioned
 *                from a snapshot of the physical state (dnt_twin_snapshot),
 *                so the first observation is exact.
 * The safety side: dnt_world_env_shield wires a monitor (dnt/monitor.h) as
 * the predicate of an RL shield (dnt/intervention.h).
 *
 * Step order of one instance: map the action (refused if not finite, before
 * anything moves), dnt_twin_step (twin world, physical world, reports,
 * deliveries, mirror), reward/cost/terminal callbacks on the physical state,
 * then the observation from the mirror.
 *
 * Randomness. The instance draws from the stream the vector environment
 * gives it (dnt/env.h: instance i of a dnt_vecenv, the DNT_STREAM_ENV stream
 * of index i): ONE draw per reset, the episode seed e. From e, through the
 * table of dnt/rng.h (dnt_world_env_seeds):
 *   physical world reset seed   first draw of dnt_rng_for(e, DNT_STREAM_WORLD, 0)
 *   twin world reset seed       first draw of dnt_rng_for(e, DNT_STREAM_WORLD, 1)
 *   channel (loss) seed         first draw of dnt_rng_for(e, DNT_STREAM_CHANNEL, 0)
 * so an episode is a function of e alone, instance i of n equals a lone
 * instance given instance i's stream, and nothing depends on the order in
 * which instances step. Worlds keep their structure (what their create seed
 * drew); a reset redraws their dynamic state.
 *
 * Ownership. The config is borrowed by every instance and must outlive them
 * (so must everything it points to: worlds, tables, forecaster, monitor).
 * Each instance owns its two worlds (forks of the config's prototypes, or
 * what cfg->make returned) and its dnt_twin. A forecaster is shared by all
 * instances (they step one after the other; not thread-safe).
 * Costs. Create: two world forks, the twin's buffers, scratch for the
 * forecasts; nothing allocates afterwards (reset and step), except what a
 * world's own reset or step does. A step is one dnt_twin_step (two world
 * steps) plus O(obs_dim + n_fc_fields (fc_history + predict(k))). */
#ifndef DNT_WORLD_ENV_H
#define DNT_WORLD_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/env.h"
#include "dnt/forecast.h"
#include "dnt/intervention.h"
#include "dnt/monitor.h"
#include "dnt/twin.h"
#include "dnt/world.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the callbacks see of an instance (every pointer borrowed, valid during
 * the call). At reset, action is NULL and t is 0. */
typedef struct dnt_world_env_view {
  int64_t t;                        /* steps since the episode's reset */
  const dnt_world *physical;        /* ground truth, after the step */
  const dnt_twin *twin;             /* the twin (its world, stats, mirror) */
  const dnt_mirror *mirror;         /* what the agent may know */
  const double *telemetry;          /* (n_fields) physical telemetry after the step */
  const double *action;             /* (n_world_actions) action decided this step, or NULL */
  size_t n_fields, n_world_actions; /* of the world */
} dnt_world_env_view;

typedef struct dnt_world_env_config {
  /* Worlds: either prototypes that every instance forks (borrowed; the
   * physical one and the twin's model of it, of the same kind) or a factory
   * returning a new pair (both owned by the instance from then on). */
  const dnt_world *physical;
  const dnt_world *twin;
  int (*make)(void *user, dnt_world **physical, dnt_world **twin);
  /* Channel and sync policy of every instance's twin (dnt/twin.h). Its seed
   * is ignored (per episode, see above); field_scale is copied at create. */
  dnt_sync_config sync;

  /* Observation: obs_fields (n_obs_fields world field indices; NULL = every
   * field in order) or the callback observe writing obs_dim floats. */
  const size_t *obs_fields;
  size_t n_obs_fields;
  int (*observe)(void *user, const dnt_world_env_view *v, float *obs);
  int obs_dim; /* with observe */
  /* (n_fields of the world) per-field transform of observed and forecast
   * values, (v - offset) * scale; NULL = offset 0, scale 1. */
  const double *field_offset;
  const double *field_scale;
  /* Forecasts appended: for each of the n_fc_fields fields, the fc_k values
   * the forecaster predicts for steps t+1..t+fc_k from the last fc_history
   * mirror rows (fc_history >= its min_history; while fewer rows exist the
   * forecast is the last mirrored value, repeated). NULL = none. */
  dnt_forecaster *forecaster;
  const size_t *fc_fields;
  size_t n_fc_fields;
  int fc_k;
  size_t fc_history;

  /* Actions: exactly one of n_actions (discrete) and act_dim (continuous).
   * Discrete: action_table (n_actions, action_width) row a is the world's
   * action vector for a (action_width must be the world's n_actions), or
   * the callback to_world. Continuous: u (act_dim values in [act_low,
   * act_high]) is the world's action vector (act_dim must be the world's
   * n_actions), or to_world. A world without actions gets NULL. */
  int n_actions;
  const double *action_table;
  size_t action_width;
  int act_dim;
  float act_low[DNT_ENV_MAX_ACT];
  float act_high[DNT_ENV_MAX_ACT];
  int (*to_world)(void *user, int a, const float *u, double *world_action);
  /* Optional action mask of the current state (discrete): 1 = allowed. */
  void (*mask)(void *user, const dnt_world_env_view *v, unsigned char *mask);

  /* Reward (required) and costs (n_costs values; required when n_costs > 0)
   * of the step just taken, from the physical side. */
  int (*reward)(void *user, const dnt_world_env_view *v, double *reward);
  int n_costs;
  int (*cost)(void *user, const dnt_world_env_view *v, double *cost);
  /* Optional: *terminated = 1 ends the episode (no bootstrapping past it). */
  int (*terminal)(void *user, const dnt_world_env_view *v, int *terminated);
  int horizon;      /* steps per episode, >= 1 */
  const char *name; /* the env's name (borrowed); NULL = "world:<kind>" */
  void *user;       /* passed back to every callback */
} dnt_world_env_config;

/* Zeroed config with dnt_sync_config_default and horizon 100. */
void dnt_world_env_config_default(dnt_world_env_config *c);

/* The env operations for this config (with ops->mask exactly when the config
 * is discrete with a mask callback; dnt_vecenv takes either). Use as
 * dnt_vecenv_init(v, dnt_world_env_ops(cfg), cfg, n, seed) or with
 * dnt_policy_evaluate. Create checks the config against the worlds:
 * DNT_ERR_ARG naming the field and value for a field index out of range,
 * a table of another width, a non-finite table entry, missing callbacks,
 * fc_history below the forecaster's minimum; DNT_ERR_MISMATCH for worlds of
 * two kinds or shapes. */
const dnt_env_ops *dnt_world_env_ops(const dnt_world_env_config *cfg);

/* dnt_vecenv_init(v, dnt_world_env_ops(cfg), cfg, n, seed). */
int dnt_world_vecenv_init(dnt_vecenv *v, const dnt_world_env_config *cfg, int n, uint64_t seed);

/* One instance (the `inst` of a vecenv made from dnt_world_env_ops). */
typedef struct dnt_world_env dnt_world_env;

/* Instance i of v (asserted to be a world env). */
dnt_world_env *dnt_world_env_at(const dnt_vecenv *v, int i);
const dnt_world *dnt_world_env_physical(const dnt_world_env *e);
const dnt_twin *dnt_world_env_twin(const dnt_world_env *e);
/* The seed of the current episode (drawn at the last reset). */
uint64_t dnt_world_env_episode_seed(const dnt_world_env *e);
/* The world action vector applied by the last step (n_world_actions). */
const double *dnt_world_env_last_action(const dnt_world_env *e);

/* The reset seeds of an episode with seed e (as above). */
void dnt_world_env_seeds(uint64_t episode_seed, uint64_t *physical, uint64_t *twin,
                         uint64_t *channel);

/* ---- The monitor as the shield's predicate -------------------------------
 * A shield (dnt/intervention.h) over a vecenv of world envs whose predicate is
 * a monitor check: the view's state is the instance's mirrored values (what
 * the agent knows, n_fields), its action the world action vector the agent's
 * action maps to, its step the twin's step, and with lookahead >= 1 its next
 * the twin world's telemetry after a fork of it steps lookahead times (the
 * action, then none). A non-finite mapped action is unsafe without a monitor
 * check. The backup policy is the caller's; the hooks check its action with
 * the same predicate (dnt/intervention.h). Ownership: the
 * caller owns the struct (it must outlive the intervention); the monitor is
 * borrowed. Cost per check: the monitor's predicates, plus one world fork
 * (an allocation) and lookahead steps when lookahead >= 1. */
typedef struct dnt_world_env_shield {
  dnt_monitor *monitor;
  int lookahead; /* 0: next = NULL; >= 1: steps simulated on a twin fork */
  dnt_backup_fn backup;
  void *backup_user; /* passed to backup */
} dnt_world_env_shield;

/* A dnt_safe_fn: user is a dnt_world_env_shield *. */
int dnt_world_env_is_safe(void *user, const dnt_vecenv *env, int i, const float *obs_aug, int a,
                          const float *u, int *safe);

/* The shield intervention wired to s (is_safe above, backup s->backup). */
dnt_intervention dnt_world_env_shield_intervention(dnt_world_env_shield *s, const char *name,
                                                   float penalty, dnt_shield_learn learn);

#ifdef __cplusplus
}
#endif
#endif
