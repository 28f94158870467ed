/* src/rl/rl_state.c: the RL layer's state in a state file (dnt/state.h), so
 * that a run killed at step k and resumed takes the same steps, draws the
 * same numbers and ends with the same parameters as one never stopped.
 *
 * What "the same" needs, object by object: a vecenv its instances, streams
 * and episode statistics; the replay its transitions and priorities; a CMDP
 * its multipliers and accumulators; a hooks list its counts; an agent its
 * nets, target nets, Adam moments, stream and counters, and the acting
 * loop's augmented observations. Scratch (batches, activations, gradients)
 * is rewritten before it is read and is not saved. Each object writes a tag
 * and its shape first, so a state of another shape is refused by name. */
#include <math.h>
#include <string.h>

#include "qnet.h"
#include "rollout.h"

#include "dnt/dqn.h"
#include "dnt/status.h"
#include "dnt/td3.h"

/* Counters may reach half of int64 (so that counter + period cannot overflow). */
#define COUNT_MAX (INT64_MAX / 2)

/* ---- vecenv ---- */

int dnt_vecenv_save(const dnt_vecenv *v, dnt_pack *p) {
  if (!v->ops->save || !v->ops->load)
    return p->rc ? p->rc
                 : (p->rc = dnt_error(DNT_ERR_UNSUPPORTED,
                                      "env '%s' cannot be saved (no save/load in its ops)",
                                      v->ops->name));
  const dnt_env_spec *s = &v->spec;
  size_t n = (size_t)v->n, od = (size_t)s->obs_dim, nc = (size_t)s->n_costs;
  size_t na = (size_t)(s->n_actions ? s->n_actions : 1);
  dnt_pack_tag(p, "vecenv");
  dnt_pack_i64(p, v->n);
  dnt_pack_i64(p, s->obs_dim);
  dnt_pack_i64(p, s->n_actions);
  dnt_pack_i64(p, s->act_dim);
  dnt_pack_i64(p, s->n_costs);
  dnt_pack_i64(p, (int64_t)v->seed);
  for (size_t i = 0; i < n; i++) {
    dnt_pack_rng(p, &v->rng[i]);
    int rc = v->ops->save(v->inst[i], p);
    if (rc) return p->rc ? p->rc : (p->rc = rc);
  }
  dnt_pack_f32s(p, v->obs, n * od);
  dnt_pack_f32s(p, v->next_obs, n * od);
  dnt_pack_f32s(p, v->reward, n);
  dnt_pack_f32s(p, v->cost, n * nc);
  dnt_pack_u8s(p, v->terminated, n);
  dnt_pack_u8s(p, v->truncated, n);
  dnt_pack_u8s(p, v->mask, n * na);
  dnt_pack_u8s(p, v->next_mask, n * na);
  dnt_pack_ints(p, v->t, n);
  dnt_pack_f64s(p, v->ep_return, n);
  dnt_pack_f64s(p, v->ep_cost, n * nc);
  dnt_pack_f64s(p, v->last_return, n);
  dnt_pack_f64s(p, v->last_cost, n * nc);
  dnt_pack_ints(p, v->last_length, n);
  dnt_pack_i64(p, v->steps);
  return dnt_pack_i64(p, v->episodes);
}

int dnt_vecenv_load(dnt_vecenv *v, dnt_unpack *u) {
  if (!v->ops->save || !v->ops->load)
    return u->rc ? u->rc
                 : (u->rc = dnt_error(DNT_ERR_UNSUPPORTED,
                                      "env '%s' cannot be loaded (no save/load in its ops)",
                                      v->ops->name));
  const dnt_env_spec *s = &v->spec;
  size_t n = (size_t)v->n, od = (size_t)s->obs_dim, nc = (size_t)s->n_costs;
  size_t na = (size_t)(s->n_actions ? s->n_actions : 1);
  int64_t seed;
  dnt_unpack_tag(u, "vecenv");
  dnt_unpack_expect(u, "n", v->n);
  dnt_unpack_expect(u, "obs_dim", s->obs_dim);
  dnt_unpack_expect(u, "n_actions", s->n_actions);
  dnt_unpack_expect(u, "act_dim", s->act_dim);
  dnt_unpack_expect(u, "n_costs", s->n_costs);
  dnt_unpack_i64(u, &seed);
  v->seed = (uint64_t)seed;
  for (size_t i = 0; i < n && !u->rc; i++) {
    dnt_unpack_rng(u, &v->rng[i]);
    int rc = u->rc ? u->rc : v->ops->load(v->inst[i], u);
    if (rc && !u->rc) u->rc = rc;
  }
  dnt_unpack_f32s(u, "obs", v->obs, n * od);
  dnt_unpack_f32s(u, "next_obs", v->next_obs, n * od);
  dnt_unpack_f32s(u, "reward", v->reward, n);
  dnt_unpack_f32s(u, "cost", v->cost, n * nc);
  dnt_unpack_u8s(u, "terminated", v->terminated, n);
  dnt_unpack_u8s(u, "truncated", v->truncated, n);
  dnt_unpack_u8s(u, "mask", v->mask, n * na);
  dnt_unpack_u8s(u, "next_mask", v->next_mask, n * na);
  dnt_unpack_ints(u, "t", v->t, n);
  dnt_unpack_f64s(u, "ep_return", v->ep_return, n);
  dnt_unpack_f64s(u, "ep_cost", v->ep_cost, n * nc);
  dnt_unpack_f64s(u, "last_return", v->last_return, n);
  dnt_unpack_f64s(u, "last_cost", v->last_cost, n * nc);
  dnt_unpack_ints(u, "last_length", v->last_length, n);
  dnt_unpack_i64(u, &v->steps);
  dnt_unpack_i64(u, &v->episodes);
  dnt_unpack_range(u, "steps", v->steps, 0, COUNT_MAX);
  return dnt_unpack_range(u, "episodes", v->episodes, 0, COUNT_MAX);
}

/* ---- replay ---- */

int dnt_replay_save(const dnt_replay *rb, dnt_pack *p) {
  const dnt_replay_shape *s = &rb->shape;
  size_t n = (size_t)rb->size, od = (size_t)s->obs_dim;
  dnt_pack_tag(p, "replay");
  int64_t shape[] = {s->capacity, s->obs_dim, s->n_actions,   s->act_dim,
                     s->n_costs,  s->masks,   rb->prioritized};
  for (size_t k = 0; k < sizeof shape / sizeof shape[0]; k++)
    dnt_pack_i64(p, shape[k]);
  dnt_pack_i64(p, rb->size);
  dnt_pack_i64(p, rb->pos);
  dnt_pack_i64(p, rb->added);
  dnt_pack_f32s(p, rb->obs, n * od);
  dnt_pack_f32s(p, rb->next_obs, n * od);
  if (rb->action) dnt_pack_ints(p, rb->action, n);
  if (rb->caction) dnt_pack_f32s(p, rb->caction, n * (size_t)s->act_dim);
  dnt_pack_f32s(p, rb->reward, n);
  if (rb->cost) dnt_pack_f32s(p, rb->cost, n * (size_t)s->n_costs);
  dnt_pack_u8s(p, rb->terminal, n);
  if (rb->next_mask) dnt_pack_u8s(p, rb->next_mask, n * (size_t)s->n_actions);
  if (rb->prioritized) {
    dnt_pack_f64(p, rb->max_priority);
    dnt_pack_f64s(p, rb->sum_tree + rb->tree_leaves, n);
  }
  return p->rc;
}

/* Both trees from their leaves: slots < size hold p^alpha, the rest are
 * empty (0 in the sum tree, +inf in the min tree). */
static void rebuild_trees(dnt_replay *rb) {
  size_t leaves = (size_t)rb->tree_leaves;
  for (size_t i = 0; i < leaves; i++) {
    if (i >= (size_t)rb->size) rb->sum_tree[leaves + i] = 0;
    rb->min_tree[leaves + i] = i < (size_t)rb->size ? rb->sum_tree[leaves + i] : INFINITY;
  }
  for (size_t k = leaves - 1; k >= 1; k--) {
    rb->sum_tree[k] = rb->sum_tree[2 * k] + rb->sum_tree[2 * k + 1];
    double a = rb->min_tree[2 * k], b = rb->min_tree[2 * k + 1];
    rb->min_tree[k] = a < b ? a : b;
  }
}

int dnt_replay_load(dnt_replay *rb, dnt_unpack *u) {
  const dnt_replay_shape *s = &rb->shape;
  static const char *const names[] = {"capacity", "obs_dim", "n_actions",  "act_dim",
                                      "n_costs",  "masks",   "prioritized"};
  int64_t shape[] = {s->capacity, s->obs_dim, s->n_actions,   s->act_dim,
                     s->n_costs,  s->masks,   rb->prioritized};
  dnt_unpack_tag(u, "replay");
  for (size_t k = 0; k < sizeof shape / sizeof shape[0]; k++)
    dnt_unpack_expect(u, names[k], shape[k]);
  int64_t size, pos, added;
  dnt_unpack_i64(u, &size);
  dnt_unpack_i64(u, &pos);
  dnt_unpack_i64(u, &added);
  if (u->rc) return u->rc;
  /* a ring that is not full has written slots 0..size-1 and stands at size */
  if (size < 0 || size > s->capacity) return dnt_unpack_range(u, "size", size, 0, s->capacity);
  if (size < s->capacity ? pos != size : pos < 0 || pos >= s->capacity)
    return dnt_unpack_range(u, "pos", pos, size < s->capacity ? size : 0,
                            size < s->capacity ? size : s->capacity - 1);
  if (dnt_unpack_range(u, "added", added, size, COUNT_MAX)) return u->rc;
  rb->size = (int)size;
  rb->pos = (int)pos;
  rb->added = added;
  size_t n = (size_t)size, od = (size_t)s->obs_dim;
  dnt_unpack_f32s(u, "obs", rb->obs, n * od);
  dnt_unpack_f32s(u, "next_obs", rb->next_obs, n * od);
  if (rb->action && !dnt_unpack_ints(u, "action", rb->action, n))
    for (size_t i = 0; i < n; i++)
      if (rb->action[i] < 0 || rb->action[i] >= s->n_actions)
        return dnt_unpack_range(u, "action", rb->action[i], 0, s->n_actions - 1);
  if (rb->caction) dnt_unpack_f32s(u, "caction", rb->caction, n * (size_t)s->act_dim);
  dnt_unpack_f32s(u, "reward", rb->reward, n);
  if (rb->cost) dnt_unpack_f32s(u, "cost", rb->cost, n * (size_t)s->n_costs);
  dnt_unpack_u8s(u, "terminal", rb->terminal, n);
  if (rb->next_mask) dnt_unpack_u8s(u, "next_mask", rb->next_mask, n * (size_t)s->n_actions);
  if (!rb->prioritized) return u->rc;
  dnt_unpack_f64(u, &rb->max_priority);
  if (dnt_unpack_f64s(u, "priorities", rb->sum_tree + rb->tree_leaves, n)) return u->rc;
  for (size_t i = 0; i <= n; i++) {
    double v = i < n ? rb->sum_tree[(size_t)rb->tree_leaves + i] : rb->max_priority;
    if (!(v > 0 && isfinite(v)))
      return u->rc = dnt_error(DNT_ERR_CORRUPT,
                               "state '%s': section 'replay': %s %zu = %g: expected finite, > 0",
                               u->origin, i < n ? "priority of slot" : "max priority", i, v);
  }
  rebuild_trees(rb);
  return 0;
}

/* ---- cmdp and hooks ---- */

int dnt_cmdp_save(const dnt_cmdp *c, dnt_pack *p) {
  size_t n = (size_t)c->n;
  dnt_pack_tag(p, "cmdp");
  dnt_pack_i64(p, c->n);
  dnt_pack_i64(p, c->kind);
  dnt_pack_f64s(p, c->lambda, n);
  dnt_pack_f64s(p, c->integral, n);
  dnt_pack_f64s(p, c->prev_j, n);
  dnt_pack_f64s(p, c->cost_sum, n);
  dnt_pack_f64s(p, c->last_j, n);
  dnt_pack_i64(p, c->count);
  return dnt_pack_i64(p, c->updates);
}

int dnt_cmdp_load(dnt_cmdp *c, dnt_unpack *u) {
  size_t n = (size_t)c->n;
  dnt_unpack_tag(u, "cmdp");
  dnt_unpack_expect(u, "n", c->n);
  dnt_unpack_expect(u, "kind", c->kind);
  dnt_unpack_f64s(u, "lambda", c->lambda, n);
  dnt_unpack_f64s(u, "integral", c->integral, n);
  dnt_unpack_f64s(u, "prev_j", c->prev_j, n);
  dnt_unpack_f64s(u, "cost_sum", c->cost_sum, n);
  dnt_unpack_f64s(u, "last_j", c->last_j, n);
  dnt_unpack_i64(u, &c->count);
  dnt_unpack_i64(u, &c->updates);
  dnt_unpack_range(u, "count", c->count, 0, COUNT_MAX);
  return dnt_unpack_range(u, "updates", c->updates, 0, COUNT_MAX);
}

int dnt_hooks_save(const dnt_hooks *h, dnt_pack *p) {
  int n = h ? h->n : 0;
  dnt_pack_tag(p, "hooks");
  dnt_pack_i64(p, n);
  if (!h) return p->rc;
  dnt_pack_i64(p, h->count.steps);
  dnt_pack_i64(p, h->count.intervened);
  dnt_pack_i64(p, h->count.unsafe);
  for (int k = 0; k < n; k++) {
    const dnt_intervention *iv = h->item[k];
    dnt_pack_i64(p, iv->kind);
    dnt_pack_i64(p, iv->checks);
    dnt_pack_i64(p, iv->overrides);
    dnt_pack_i64(p, iv->unsafe);
    dnt_pack_i64(p, iv->warned);
  }
  return p->rc;
}

int dnt_hooks_load(dnt_hooks *h, dnt_unpack *u) {
  int n = h ? h->n : 0;
  dnt_unpack_tag(u, "hooks");
  dnt_unpack_expect(u, "n", n);
  if (!h) return u->rc;
  dnt_unpack_i64(u, &h->count.steps);
  dnt_unpack_i64(u, &h->count.intervened);
  dnt_unpack_i64(u, &h->count.unsafe);
  for (int k = 0; k < n; k++) {
    dnt_intervention *iv = h->item[k];
    dnt_unpack_expect(u, "kind", iv->kind);
    dnt_unpack_i64(u, &iv->checks);
    dnt_unpack_i64(u, &iv->overrides);
    dnt_unpack_i64(u, &iv->unsafe);
    int64_t warned;
    dnt_unpack_i64(u, &warned);
    iv->warned = warned != 0;
  }
  return u->rc;
}

/* ---- agents ---- */

static int rollout_save(const dnt_rollout *ro, dnt_pack *p) {
  dnt_pack_tag(p, "rollout");
  dnt_pack_f32s(p, ro->obs, (size_t)ro->n * (size_t)ro->obs_dim);
  return dnt_pack_i64(p, ro->since_cmdp);
}

static int rollout_load(dnt_rollout *ro, dnt_unpack *u) {
  dnt_unpack_tag(u, "rollout");
  dnt_unpack_f32s(u, "obs", ro->obs, (size_t)ro->n * (size_t)ro->obs_dim);
  dnt_unpack_i64(u, &ro->since_cmdp);
  return dnt_unpack_range(u, "since_cmdp", ro->since_cmdp, 0, COUNT_MAX);
}

/* An agent's counters as its step keeps them: the next training round (and
 * target update) is due after the current step, at most one period ahead;
 * anything else would replay or skip rounds, or loop for ever. */
static int check_counters(dnt_unpack *u, int64_t steps, int64_t updates, int64_t next_train,
                          int train_freq) {
  dnt_unpack_range(u, "steps", steps, 0, COUNT_MAX);
  dnt_unpack_range(u, "updates", updates, 0, COUNT_MAX);
  return dnt_unpack_range(u, "next_train", next_train, steps + 1, steps + train_freq);
}

int dnt_dqn_save_state(const dnt_dqn *q, dnt_pack *p) {
  size_t n = q->online->n_params;
  dnt_pack_tag(p, "dqn");
  dnt_pack_i64(p, (int64_t)n);
  dnt_pack_i64(p, q->input_dim);
  dnt_pack_i64(p, q->n_actions);
  dnt_pack_f32s(p, q->online->params, n);
  dnt_pack_f32s(p, q->target->params, n);
  dnt_adam_save(&q->opt, p);
  dnt_pack_rng(p, &q->rng);
  int64_t counters[] = {q->steps, q->updates, q->next_train, q->next_target};
  for (size_t k = 0; k < sizeof counters / sizeof counters[0]; k++)
    dnt_pack_i64(p, counters[k]);
  dnt_pack_f64(p, q->epsilon);
  dnt_pack_f64(p, q->loss);
  dnt_replay_save(&q->replay, p);
  return rollout_save(q->ro, p);
}

int dnt_dqn_load_state(dnt_dqn *q, dnt_unpack *u) {
  size_t n = q->online->n_params;
  double eps, loss;
  dnt_unpack_tag(u, "dqn");
  dnt_unpack_expect(u, "n_params", (int64_t)n);
  dnt_unpack_expect(u, "input_dim", q->input_dim);
  dnt_unpack_expect(u, "n_actions", q->n_actions);
  dnt_unpack_f32s(u, "online params", q->online->params, n);
  dnt_unpack_f32s(u, "target params", q->target->params, n);
  dnt_adam_load(&q->opt, u);
  dnt_unpack_rng(u, &q->rng);
  int64_t *counters[] = {&q->steps, &q->updates, &q->next_train, &q->next_target};
  for (size_t k = 0; k < sizeof counters / sizeof counters[0]; k++)
    dnt_unpack_i64(u, counters[k]);
  dnt_unpack_f64(u, &eps);
  dnt_unpack_f64(u, &loss);
  q->epsilon = (float)eps;
  q->loss = (float)loss;
  check_counters(u, q->steps, q->updates, q->next_train, q->cfg.train_freq);
  dnt_unpack_range(u, "next_target", q->next_target, q->steps + 1, q->steps + q->cfg.target_update);
  dnt_replay_load(&q->replay, u);
  return rollout_load(q->ro, u);
}

int dnt_td3_save_state(const dnt_td3 *t, dnt_pack *p) {
  dnt_pack_tag(p, "td3");
  dnt_pack_i64(p, (int64_t)t->n_params);
  dnt_pack_i64(p, (int64_t)t->n_actor);
  dnt_pack_i64(p, t->input_dim);
  dnt_pack_i64(p, t->act_dim);
  dnt_pack_f32s(p, t->params, t->n_params);
  dnt_pack_f32s(p, t->tparams, t->n_params);
  dnt_adam_save(&t->actor_opt, p);
  dnt_adam_save(&t->critic_opt, p);
  dnt_pack_rng(p, &t->rng);
  dnt_pack_i64(p, t->steps);
  dnt_pack_i64(p, t->updates);
  dnt_pack_i64(p, t->next_train);
  dnt_pack_f64(p, t->actor_loss);
  dnt_pack_f64(p, t->critic_loss);
  dnt_replay_save(&t->replay, p);
  return rollout_save(t->ro, p);
}

int dnt_td3_load_state(dnt_td3 *t, dnt_unpack *u) {
  double actor_loss, critic_loss;
  dnt_unpack_tag(u, "td3");
  dnt_unpack_expect(u, "n_params", (int64_t)t->n_params);
  dnt_unpack_expect(u, "n_actor", (int64_t)t->n_actor);
  dnt_unpack_expect(u, "input_dim", t->input_dim);
  dnt_unpack_expect(u, "act_dim", t->act_dim);
  dnt_unpack_f32s(u, "params", t->params, t->n_params);
  dnt_unpack_f32s(u, "target params", t->tparams, t->n_params);
  dnt_adam_load(&t->actor_opt, u);
  dnt_adam_load(&t->critic_opt, u);
  dnt_unpack_rng(u, &t->rng);
  dnt_unpack_i64(u, &t->steps);
  dnt_unpack_i64(u, &t->updates);
  dnt_unpack_i64(u, &t->next_train);
  dnt_unpack_f64(u, &actor_loss);
  dnt_unpack_f64(u, &critic_loss);
  t->actor_loss = (float)actor_loss;
  t->critic_loss = (float)critic_loss;
  check_counters(u, t->steps, t->updates, t->next_train, t->cfg.train_freq);
  dnt_replay_load(&t->replay, u);
  return rollout_load(t->ro, u);
}
