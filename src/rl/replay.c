/* src/rl/replay.c: ring buffer of transitions with optional proportional
 * prioritisation (Schaul et al. 2016).
 *
 * Workload: one add per environment step and, every few steps, a batch of
 * 32..256 draws plus as many priority updates. The priority trees are two
 * complete binary trees over tree_leaves leaves stored as arrays (node k has
 * children 2k and 2k+1, leaves at tree_leaves + i); a leaf update recomputes
 * its ancestors from their children, so no rounding error accumulates over
 * millions of updates. Empty leaves hold 0 in the sum tree and +inf in the
 * min tree. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/replay.h"
#include "dnt/status.h"

static void tree_set(dnt_replay *rb, int i, double p) {
  size_t k = (size_t)rb->tree_leaves + (size_t)i;
  rb->sum_tree[k] = p;
  rb->min_tree[k] = p;
  for (k /= 2; k >= 1; k /= 2) {
    rb->sum_tree[k] = rb->sum_tree[2 * k] + rb->sum_tree[2 * k + 1];
    double a = rb->min_tree[2 * k], b = rb->min_tree[2 * k + 1];
    rb->min_tree[k] = a < b ? a : b;
  }
}

/* Leaf whose prefix-sum interval holds mass (0 <= mass < total). */
static int tree_find(const dnt_replay *rb, double mass) {
  size_t k = 1;
  while (k < (size_t)rb->tree_leaves) {
    if (mass < rb->sum_tree[2 * k]) {
      k = 2 * k;
    } else {
      mass -= rb->sum_tree[2 * k];
      k = 2 * k + 1;
    }
  }
  int i = (int)(k - (size_t)rb->tree_leaves);
  /* rounding can walk past the last filled leaf: clamp into the filled range */
  return i < rb->size ? i : rb->size - 1;
}

int dnt_replay_init(dnt_replay *rb, const dnt_replay_shape *shape, int prioritized, double alpha) {
  memset(rb, 0, sizeof *rb);
  const dnt_replay_shape *s = shape;
  if (s->capacity < 1 || s->obs_dim < 1 || s->n_actions < 0 || s->act_dim < 0 ||
      (s->n_actions > 0) == (s->act_dim > 0) || s->n_costs < 0 || (s->masks && !s->n_actions))
    return dnt_error(DNT_ERR_ARG,
                     "replay: capacity %d, obs_dim %d, n_actions %d, act_dim %d, n_costs %d, "
                     "masks %d: expected capacity, obs_dim >= 1, one action kind, masks only "
                     "for discrete actions",
                     s->capacity, s->obs_dim, s->n_actions, s->act_dim, s->n_costs, s->masks);
  if (prioritized && !(alpha >= 0))
    return dnt_error(DNT_ERR_ARG, "replay: alpha = %g: expected >= 0", alpha);
  rb->shape = *s;
  size_t cap = (size_t)s->capacity, od = (size_t)s->obs_dim;
  rb->obs = malloc(cap * od * sizeof(float));
  rb->next_obs = malloc(cap * od * sizeof(float));
  rb->reward = malloc(cap * sizeof(float));
  rb->terminal = malloc(cap);
  int ok = rb->obs && rb->next_obs && rb->reward && rb->terminal;
  if (s->n_actions) ok = ok && (rb->action = malloc(cap * sizeof(int)));
  if (s->act_dim) ok = ok && (rb->caction = malloc(cap * (size_t)s->act_dim * sizeof(float)));
  if (s->n_costs) ok = ok && (rb->cost = malloc(cap * (size_t)s->n_costs * sizeof(float)));
  if (s->masks) ok = ok && (rb->next_mask = malloc(cap * (size_t)s->n_actions));
  if (ok && prioritized) {
    rb->prioritized = 1;
    rb->alpha = alpha;
    rb->eps = 1e-6;
    rb->max_priority = 1.0;
    rb->tree_leaves = 1;
    while (rb->tree_leaves < s->capacity)
      rb->tree_leaves *= 2;
    size_t nodes = 2 * (size_t)rb->tree_leaves;
    rb->sum_tree = calloc(nodes, sizeof(double));
    rb->min_tree = malloc(nodes * sizeof(double));
    ok = rb->sum_tree && rb->min_tree;
    if (ok)
      for (size_t k = 0; k < nodes; k++)
        rb->min_tree[k] = INFINITY;
  }
  if (!ok) {
    dnt_replay_free(rb);
    return dnt_error(DNT_ERR_NOMEM, "replay: %d transitions of %d observation values", s->capacity,
                     s->obs_dim);
  }
  return 0;
}

void dnt_replay_free(dnt_replay *rb) {
  free(rb->obs);
  free(rb->next_obs);
  free(rb->action);
  free(rb->caction);
  free(rb->reward);
  free(rb->cost);
  free(rb->terminal);
  free(rb->next_mask);
  free(rb->sum_tree);
  free(rb->min_tree);
  memset(rb, 0, sizeof *rb);
}

void dnt_replay_add(dnt_replay *rb, const float *obs, int a, const float *u, float reward,
                    const float *cost, const float *next_obs, int terminal,
                    const unsigned char *next_mask) {
  const dnt_replay_shape *s = &rb->shape;
  size_t i = (size_t)rb->pos, od = (size_t)s->obs_dim;
  memcpy(rb->obs + i * od, obs, od * sizeof(float));
  memcpy(rb->next_obs + i * od, next_obs, od * sizeof(float));
  if (rb->action) rb->action[i] = a;
  if (rb->caction)
    memcpy(rb->caction + i * (size_t)s->act_dim, u, (size_t)s->act_dim * sizeof(float));
  rb->reward[i] = reward;
  if (rb->cost) memcpy(rb->cost + i * (size_t)s->n_costs, cost, (size_t)s->n_costs * sizeof(float));
  rb->terminal[i] = terminal != 0;
  if (rb->next_mask) {
    if (next_mask)
      memcpy(rb->next_mask + i * (size_t)s->n_actions, next_mask, (size_t)s->n_actions);
    else
      memset(rb->next_mask + i * (size_t)s->n_actions, 1, (size_t)s->n_actions);
  }
  if (rb->prioritized) tree_set(rb, rb->pos, rb->max_priority);
  rb->pos = (rb->pos + 1) % s->capacity;
  if (rb->size < s->capacity) rb->size++;
  rb->added++;
}

int dnt_replay_batch_init(dnt_replay_batch *b, const dnt_replay *rb, int max_batch) {
  memset(b, 0, sizeof *b);
  const dnt_replay_shape *s = &rb->shape;
  if (max_batch < 1)
    return dnt_error(DNT_ERR_ARG, "replay batch: %d rows: expected >= 1", max_batch);
  size_t m = (size_t)max_batch, od = (size_t)s->obs_dim;
  b->max_batch = max_batch;
  b->idx = malloc(m * sizeof(int));
  b->obs = malloc(m * od * sizeof(float));
  b->next_obs = malloc(m * od * sizeof(float));
  b->reward = malloc(m * sizeof(float));
  b->terminal = malloc(m);
  b->weight = malloc(m * sizeof(float));
  int ok = b->idx && b->obs && b->next_obs && b->reward && b->terminal && b->weight;
  if (s->n_actions) ok = ok && (b->action = malloc(m * sizeof(int)));
  if (s->act_dim) ok = ok && (b->caction = malloc(m * (size_t)s->act_dim * sizeof(float)));
  if (s->n_costs) ok = ok && (b->cost = malloc(m * (size_t)s->n_costs * sizeof(float)));
  if (s->masks) ok = ok && (b->next_mask = malloc(m * (size_t)s->n_actions));
  if (!ok) {
    dnt_replay_batch_free(b);
    return dnt_error(DNT_ERR_NOMEM, "replay batch: %d rows", max_batch);
  }
  return 0;
}

void dnt_replay_batch_free(dnt_replay_batch *b) {
  free(b->idx);
  free(b->obs);
  free(b->next_obs);
  free(b->action);
  free(b->caction);
  free(b->reward);
  free(b->cost);
  free(b->terminal);
  free(b->next_mask);
  free(b->weight);
  memset(b, 0, sizeof *b);
}

static void gather(const dnt_replay *rb, dnt_replay_batch *b, int k, int i) {
  const dnt_replay_shape *s = &rb->shape;
  size_t od = (size_t)s->obs_dim, kk = (size_t)k, ii = (size_t)i;
  b->idx[k] = i;
  memcpy(b->obs + kk * od, rb->obs + ii * od, od * sizeof(float));
  memcpy(b->next_obs + kk * od, rb->next_obs + ii * od, od * sizeof(float));
  if (b->action) b->action[k] = rb->action[i];
  if (b->caction)
    memcpy(b->caction + kk * (size_t)s->act_dim, rb->caction + ii * (size_t)s->act_dim,
           (size_t)s->act_dim * sizeof(float));
  b->reward[k] = rb->reward[i];
  if (b->cost)
    memcpy(b->cost + kk * (size_t)s->n_costs, rb->cost + ii * (size_t)s->n_costs,
           (size_t)s->n_costs * sizeof(float));
  b->terminal[k] = rb->terminal[i];
  if (b->next_mask)
    memcpy(b->next_mask + kk * (size_t)s->n_actions, rb->next_mask + ii * (size_t)s->n_actions,
           (size_t)s->n_actions);
}

void dnt_replay_sample(const dnt_replay *rb, dnt_rng *rng, int n, double beta,
                       dnt_replay_batch *b) {
  if (n > b->max_batch) n = b->max_batch;
  b->n = n;
  if (!rb->prioritized) {
    for (int k = 0; k < n; k++) {
      gather(rb, b, k, (int)dnt_rng_below(rng, (uint64_t)rb->size));
      b->weight[k] = 1.0f;
    }
    return;
  }
  double total = rb->sum_tree[1], seg = total / n;
  /* w_i / max_j w_j = (P(i) / P_min)^-beta, P_min from the min tree */
  double p_min = rb->min_tree[1] / total;
  for (int k = 0; k < n; k++) {
    double mass = seg * (k + dnt_rng_uniform(rng));
    int i = tree_find(rb, mass);
    gather(rb, b, k, i);
    double p = rb->sum_tree[(size_t)rb->tree_leaves + (size_t)i] / total;
    b->weight[k] = (float)pow(p / p_min, -beta);
  }
}

int dnt_replay_update_priorities(dnt_replay *rb, const int *idx, const float *td, int n) {
  /* all checked before any leaf changes: one NaN would poison the sums */
  for (int k = 0; k < n; k++) {
    if (idx[k] < 0 || idx[k] >= rb->size)
      return dnt_error(DNT_ERR_ARG, "replay: priority update %d: slot %d: expected 0..%d", k,
                       idx[k], rb->size - 1);
    if (!isfinite(td[k]))
      return dnt_error(DNT_ERR_NUMERIC,
                       "replay: priority update %d (slot %d): TD error %g: "
                       "expected a finite number",
                       k, idx[k], (double)td[k]);
  }
  for (int k = 0; k < n; k++) {
    double p = pow(fabs((double)td[k]) + rb->eps, rb->alpha);
    if (p > rb->max_priority) rb->max_priority = p;
    tree_set(rb, idx[k], p);
  }
  return 0;
}

double dnt_replay_probability(const dnt_replay *rb, int i) {
  if (i < 0 || i >= rb->size) return 0.0;
  if (!rb->prioritized) return 1.0 / rb->size;
  return rb->sum_tree[(size_t)rb->tree_leaves + (size_t)i] / rb->sum_tree[1];
}
