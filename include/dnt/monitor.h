/* dnt/monitor.h: safety predicates over states and proposed actions.
 *
 * The monitor checks an action before it touches the physical network: each
 * predicate sees the current state, the proposed action and, when the check
 * runs on a twin, the state the twin predicts after that action (a fork of the
 * twin is stepped; the twin itself never changes). A predicate answers 1 for
 * "unsafe", 0 for "safe". Every predicate is evaluated on every check (no
 * short cut), so that each trigger is recorded: step, predicate and a copy of
 * the action. This is the action intervention of the RL layer (a preemptive
 * shield, Alshiekh et al., AAAI 2018): dnt_monitor_shield_is_safe has the
 * plain-callback shape (void *ctx, const float *obs, int a, const float *u,
 * int *safe) that a dnt_safe_fn of dnt/intervention.h wraps in one line.
 *
 * Ownership: dnt_monitor_create returns a handle freed by dnt_monitor_destroy;
 * names are copied; predicate contexts are borrowed. Costs: a check is the sum
 * of its predicates plus, on a twin, one fork and `lookahead` world steps.
 * Not thread-safe: one monitor per thread, or serialise the calls. */
#ifndef DNT_MONITOR_H
#define DNT_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/world.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_monitor_view {
  int64_t step;
  const double *state; /* (n_state) current state (telemetry or observation) */
  size_t n_state;
  const double *action; /* (n_action) proposed action, or NULL */
  size_t n_action;
  const double *next; /* (n_state) state after the action on a twin fork, or NULL */
} dnt_monitor_view;

/* 1 = unsafe (the predicate triggers), 0 = safe, < 0 = a dnt_status. */
typedef int (*dnt_monitor_pred)(void *ctx, const dnt_monitor_view *v);

typedef struct dnt_monitor_trigger {
  int64_t step;
  int predicate;        /* index returned by dnt_monitor_add */
  size_t action_offset; /* into dnt_monitor_trigger_action */
  size_t n_action;
} dnt_monitor_trigger;

typedef struct dnt_monitor dnt_monitor;

int dnt_monitor_create(dnt_monitor **out);
void dnt_monitor_destroy(dnt_monitor *m);

/* Adds a predicate; returns its index (>= 0) or a negative status. */
int dnt_monitor_add(dnt_monitor *m, const char *name, dnt_monitor_pred pred, void *ctx);

/* Evaluates every predicate on v; *unsafe = 1 if any triggered. O(predicates). */
int dnt_monitor_check(dnt_monitor *m, const dnt_monitor_view *v, int *unsafe);

/* Checks `action` (n_actions values of the world, or NULL) against the twin:
 * state = the twin's telemetry now, next = its telemetry after a fork steps
 * `lookahead` >= 1 times (the action on the first step, none after).
 * step = dnt_world_time(twin). The twin is unchanged. */
int dnt_monitor_check_world(dnt_monitor *m, const dnt_world *twin, const double *action,
                            int lookahead, int *unsafe);

size_t dnt_monitor_n_predicates(const dnt_monitor *m);
const char *dnt_monitor_name(const dnt_monitor *m, int predicate);
int64_t dnt_monitor_checks(const dnt_monitor *m);
/* Checks in which at least one predicate triggered. */
int64_t dnt_monitor_unsafe_checks(const dnt_monitor *m);
int64_t dnt_monitor_triggers_of(const dnt_monitor *m, int predicate);
/* The trigger log, oldest first (borrowed; valid until the next check). */
size_t dnt_monitor_n_triggers(const dnt_monitor *m);
const dnt_monitor_trigger *dnt_monitor_trigger_at(const dnt_monitor *m, size_t k);
const double *dnt_monitor_trigger_action(const dnt_monitor *m, size_t k);

/* Adapter for agents that act on float observations and discrete (a) or
 * continuous (u) actions. The view's state is obs (n_obs values) and its
 * action is [a] (discrete, n_u == 0) or u (n_u values). With a twin set, the
 * action is mapped to the world's action vector by to_world_action and
 * checked with dnt_monitor_check_world; otherwise next is NULL and step is
 * the monitor's check count. */
typedef struct dnt_monitor_shield {
  dnt_monitor *monitor;
  size_t n_obs;
  size_t n_u;
  const dnt_world *twin; /* optional, borrowed */
  int lookahead;         /* with a twin: steps simulated (>= 1) */
  int (*to_world_action)(void *ctx, int a, const float *u, double *world_action);
  void *ctx;
} dnt_monitor_shield;

/* *safe = 1 if no predicate triggered. `shield` is a dnt_monitor_shield *. */
int dnt_monitor_shield_is_safe(void *shield, const float *obs, int a, const float *u, int *safe);

#ifdef __cplusplus
}
#endif
#endif
