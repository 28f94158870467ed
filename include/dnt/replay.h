/* dnt/replay.h: experience replay, uniform or prioritised.
 *
 * A ring buffer of transitions (s, a, r, c, s', terminal, mask(s')) in
 * structure-of-arrays form, so that a sampled batch is gathered with one
 * memcpy per row and fed to a network as (B, obs_dim). When full, the oldest
 * transition is overwritten (Lin 1992; Mnih et al. 2015).
 *
 * Uniform sampling draws B indices uniformly with replacement (as Stable
 * Baselines3). Prioritised sampling is proportional prioritisation (Schaul,
 * Quan, Antonoglou and Silver, "Prioritized Experience Replay", ICLR 2016):
 *   P(i) = p_i^alpha / sum_k p_k^alpha,    p_i = |delta_i| + eps
 *   w_i = (N P(i))^-beta / max_j w_j       (max over the whole buffer)
 * with new transitions entering at the largest priority seen so far, and the
 * batch drawn by stratified sampling: one draw in each of B equal segments of
 * the total priority. Sums and minima are kept in binary trees of doubles, so
 * that a draw and a priority update cost O(log capacity).
 *
 * Ownership: the caller owns dnt_replay and dnt_replay_batch (init/free); init
 * allocates every array for `capacity` transitions (resp. max_batch rows). */
#ifndef DNT_REPLAY_H
#define DNT_REPLAY_H

#include <stdint.h>

#include "dnt/rng.h"
#include "dnt/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_replay_shape {
  int capacity;  /* transitions kept (>= 1) */
  int obs_dim;   /* values per observation */
  int n_actions; /* discrete actions (0 for continuous) */
  int act_dim;   /* continuous action values (0 for discrete) */
  int n_costs;   /* constraint costs per transition */
  int masks;     /* 1: keep the next state's action mask (n_actions bytes) */
} dnt_replay_shape;

typedef struct dnt_replay {
  dnt_replay_shape shape;
  int size;                 /* transitions held (<= capacity) */
  int pos;                  /* next slot written */
  int64_t added;            /* transitions added since init */
  float *obs;               /* (capacity, obs_dim) */
  float *next_obs;          /* (capacity, obs_dim) */
  int *action;              /* (capacity) discrete action, or NULL */
  float *caction;           /* (capacity, act_dim) continuous action, or NULL */
  float *reward;            /* (capacity) */
  float *cost;              /* (capacity, n_costs), or NULL */
  unsigned char *terminal;  /* (capacity) 1 = no bootstrap from next_obs */
  unsigned char *next_mask; /* (capacity, n_actions), or NULL */
  /* Prioritised replay only (prioritized == 0: trees NULL). */
  int prioritized;
  double alpha;        /* priority exponent */
  double eps;          /* added to |delta| (1e-6) */
  double max_priority; /* largest p^alpha seen (new transitions get it) */
  int tree_leaves;     /* capacity rounded up to a power of two */
  double *sum_tree;    /* (2 tree_leaves) node = sum of its leaves' p^alpha */
  double *min_tree;    /* (2 tree_leaves) node = min of its leaves' p^alpha */
} dnt_replay;

typedef struct dnt_replay_batch {
  int max_batch;
  int n;                    /* rows filled by the last sample */
  int *idx;                 /* (max_batch) buffer slots sampled */
  float *obs;               /* (max_batch, obs_dim) */
  float *next_obs;          /* (max_batch, obs_dim) */
  int *action;              /* (max_batch) or NULL */
  float *caction;           /* (max_batch, act_dim) or NULL */
  float *reward;            /* (max_batch) */
  float *cost;              /* (max_batch, n_costs) or NULL */
  unsigned char *terminal;  /* (max_batch) */
  unsigned char *next_mask; /* (max_batch, n_actions) or NULL */
  float *weight;            /* (max_batch) importance weights (1 when uniform) */
} dnt_replay_batch;

/* DNT_ERR_ARG on a bad shape or alpha < 0; DNT_ERR_NOMEM. */
int dnt_replay_init(dnt_replay *rb, const dnt_replay_shape *shape, int prioritized, double alpha);
void dnt_replay_free(dnt_replay *rb);

/* Appends one transition. `a` is used for discrete buffers, `u` (act_dim) for
 * continuous ones; `cost` (n_costs) and `next_mask` (n_actions) may be NULL
 * when the shape has none. O(obs_dim + log capacity). */
void dnt_replay_add(dnt_replay *rb, const float *obs, int a, const float *u, float reward,
                    const float *cost, const float *next_obs, int terminal,
                    const unsigned char *next_mask);

/* Allocates a batch of max_batch >= 1 rows shaped like rb's transitions
 * (DNT_ERR_ARG, DNT_ERR_NOMEM); the batch does not refer to rb afterwards.
 * dnt_replay_batch_free releases it (and zeroes the struct). */
int dnt_replay_batch_init(dnt_replay_batch *b, const dnt_replay *rb, int max_batch);
void dnt_replay_batch_free(dnt_replay_batch *b);

/* Samples n (<= max_batch) transitions into b; the buffer must be non-empty.
 * `beta` is the importance-sampling exponent (ignored when uniform). */
void dnt_replay_sample(const dnt_replay *rb, dnt_rng *rng, int n, double beta, dnt_replay_batch *b);

/* Sets p = (|td[k]| + eps)^alpha for slot idx[k], k < n (prioritised buffers
 * only). DNT_ERR_ARG for a slot outside 0..size-1, DNT_ERR_NUMERIC for a
 * non-finite td, both before any priority changes. O(n log capacity). */
int dnt_replay_update_priorities(dnt_replay *rb, const int *idx, const float *td, int n);

/* P(i) of slot i under the current priorities (1/size when uniform). */
double dnt_replay_probability(const dnt_replay *rb, int i);

/* The buffer for a resumed run (dnt/state.h): size, position, counter, the
 * size transitions held and, when prioritised, the largest priority and the
 * leaves, from which load rebuilds both trees bottom-up (a node is always the
 * sum / min of its children, so the rebuilt trees equal the saved ones bit
 * for bit). Load into a buffer made by dnt_replay_init with the same shape
 * and prioritisation: DNT_ERR_MISMATCH otherwise, DNT_ERR_CORRUPT for a
 * size, position or action out of range or a priority that is not finite and
 * > 0. O(size (obs_dim + act_dim + n_costs) + tree_leaves). */
int dnt_replay_save(const dnt_replay *rb, dnt_pack *p);
int dnt_replay_load(dnt_replay *rb, dnt_unpack *u);

#ifdef __cplusplus
}
#endif
#endif
