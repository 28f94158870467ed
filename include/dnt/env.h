/* dnt/env.h: the reinforcement-learning environment interface, vectorised.
 *
 * An environment is a table of operations on ONE instance (dnt_env_ops);
 * dnt_vecenv holds a batch of n instances and steps them together, so that an
 * agent's network acts on an (n, obs_dim) batch with one sgemm. Each instance
 * draws its randomness from its own stream, ENV i of the seed (dnt/rng.h):
 * instance i behaves the same whatever n is, the same seed gives the same
 * numbers, and no other consumer of the seed shares the stream.
 *
 * One step of an instance returns, as Gymnasium's API (Towers et al. 2024):
 * observation, reward, cost vector (n_costs values, for a constrained MDP;
 * Altman 1999), terminated (a terminal state: no bootstrapping past it) and
 * truncated (the time limit spec.max_steps was hit: the state is not terminal
 * and a learner bootstraps from it). Discrete-action environments may also
 * publish an action mask (1 = allowed) for the current state.
 *
 * Stepping is two-phase so that hooks (dnt/intervention.h) can look at the
 * state an instance reached before it is reset:
 *   dnt_vecenv_step    fills next_obs, reward, cost, terminated, truncated and
 *                      next_mask, and updates the episode statistics;
 *   dnt_vecenv_advance copies next_obs into obs for running instances and
 *                      resets finished ones (obs then holds the new episode's
 *                      first observation).
 *
 * Ownership: the caller owns the dnt_vecenv struct (init/free); the vecenv owns
 * the instances (created and destroyed through ops) and every array below.
 * `cfg` passed to init is borrowed and must outlive the vecenv. Every array is
 * allocated at init: stepping never allocates.
 * Cost: a vector step is n instance steps plus O(n (obs_dim + n_costs)) copying. */
#ifndef DNT_ENV_H
#define DNT_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/rng.h"
#include "dnt/state.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNT_ENV_MAX_ACT 16

typedef struct dnt_env_spec {
  const char *name;               /* e.g. "CartPole-v1"; borrowed from the environment */
  int obs_dim;                    /* observation values per instance */
  int n_actions;                  /* discrete: number of actions; 0 for continuous actions */
  int act_dim;                    /* continuous: action values; 0 for discrete actions */
  float act_low[DNT_ENV_MAX_ACT]; /* continuous: bounds of each action value */
  float act_high[DNT_ENV_MAX_ACT];
  int n_costs;   /* constraint costs returned per step (0 = plain MDP) */
  int max_steps; /* truncation horizon (Gymnasium's TimeLimit); 0 = none */
  int has_mask;  /* 1 if ops->mask is provided (dnt_vecenv_init sets it from ops) */
} dnt_env_spec;

typedef struct dnt_env_ops {
  const char *name;
  /* Creates one instance from `cfg` (may be NULL for defaults) and describes it
   * in *spec (every instance of one cfg must describe the same spec). */
  int (*create)(const void *cfg, dnt_env_spec *spec, void **inst);
  void (*destroy)(void *inst);
  /* Starts an episode, drawing from rng; writes obs (obs_dim). */
  int (*reset)(void *inst, dnt_rng *rng, float *obs);
  /* Applies action `a` (discrete) or `u` (act_dim values, continuous; the
   * other argument is ignored); writes obs, *reward, cost (n_costs values) and
   * *terminated. Never called again on a terminated instance before reset. */
  int (*step)(void *inst, int a, const float *u, dnt_rng *rng, float *obs, float *reward,
              float *cost, int *terminated);
  /* Optional: writes the n_actions mask of the current state (1 = allowed, at
   * least one action allowed). NULL = every action is always allowed. */
  void (*mask)(const void *inst, unsigned char *mask);
  /* Optional, for runs that resume (dnt/state.h): the instance's own
   * changing state (not its config) into p, and back into an instance made
   * by create from the same cfg. NULL: the env cannot be saved. */
  int (*save)(const void *inst, dnt_pack *p);
  int (*load)(void *inst, dnt_unpack *u);
} dnt_env_ops;

typedef struct dnt_vecenv {
  const dnt_env_ops *ops;
  dnt_env_spec spec;
  int n; /* instances */
  uint64_t seed;
  void **inst;               /* (n) instance states */
  dnt_rng *rng;              /* (n) instance i uses stream ENV i of seed */
  float *obs;                /* (n, obs_dim) current observations */
  float *next_obs;           /* (n, obs_dim) observations reached by the last step */
  float *reward;             /* (n) rewards of the last step */
  float *cost;               /* (n, n_costs) costs of the last step */
  unsigned char *terminated; /* (n) */
  unsigned char *truncated;  /* (n) */
  unsigned char *mask;       /* (n, n_actions) masks of obs (all 1 without ops->mask) */
  unsigned char *next_mask;  /* (n, n_actions) masks of next_obs */
  int *t;                    /* (n) steps since the instance's reset */
  /* Episode statistics (raw environment rewards and costs). */
  double *ep_return;   /* (n) running return of the current episode */
  double *ep_cost;     /* (n, n_costs) running cost sums */
  double *last_return; /* (n) return of the episode finished by the last step */
  double *last_cost;   /* (n, n_costs) cost sums of that episode */
  int *last_length;    /* (n) its length in steps */
  int64_t steps;       /* instance steps taken since init */
  int64_t episodes;    /* episodes finished since init */
} dnt_vecenv;

/* Creates n >= 1 instances of `ops` with config `cfg`, seeds instance i with
 * stream ENV i of `seed` (dnt_rng_for) and resets them all. DNT_ERR_ARG if the spec is
 * invalid (obs_dim <= 0, not exactly one of n_actions/act_dim, act_dim >
 * DNT_ENV_MAX_ACT, inconsistent across instances, has_mask set without
 * ops->mask, a mask with continuous actions); the env's own errors pass
 * through. On error nothing is left allocated. */
int dnt_vecenv_init(dnt_vecenv *v, const dnt_env_ops *ops, const void *cfg, int n, uint64_t seed);

/* Reseeds every stream from `seed` and resets every instance (reset(seed)). */
int dnt_vecenv_reset(dnt_vecenv *v, uint64_t seed);

/* Steps every instance: `a` (n) for discrete envs, `u` (n, act_dim) for
 * continuous ones (the other may be NULL). Truncates at spec.max_steps.
 * Before any instance moves, DNT_ERR_ARG for a discrete action outside
 * 0..n_actions-1 and DNT_ERR_NUMERIC for a non-finite continuous value, naming
 * the instance (a masked action is the caller's choice and is stepped). */
int dnt_vecenv_step(dnt_vecenv *v, const int *a, const float *u);

/* Finishes the step: obs <- next_obs (and mask <- next_mask) for running
 * instances, reset for the ones that terminated or were truncated. */
int dnt_vecenv_advance(dnt_vecenv *v);

/* 1 if instance i's last step ended its episode. */
static inline int dnt_vecenv_done(const dnt_vecenv *v, int i) {
  return v->terminated[i] || v->truncated[i];
}

/* Everything a bit-identical continuation needs: each instance (ops->save),
 * its stream, the current and last-step arrays, the running and last episode
 * statistics and the counters. DNT_ERR_UNSUPPORTED if the env has no save.
 * Load into a vecenv made by dnt_vecenv_init with the same ops, cfg and n
 * (DNT_ERR_MISMATCH for another shape). O(n (obs_dim + n_actions + n_costs)). */
int dnt_vecenv_save(const dnt_vecenv *v, dnt_pack *p);
int dnt_vecenv_load(dnt_vecenv *v, dnt_unpack *u);

/* Destroys every instance and frees the arrays; the struct is zeroed, so a
 * second free is harmless. */
void dnt_vecenv_free(dnt_vecenv *v);

#ifdef __cplusplus
}
#endif
#endif
