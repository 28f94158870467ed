/* src/twin/monitor.c: predicates, checks on twin forks, the trigger log
 * (dnt/monitor.h). The log grows by doubling; a long RL run triggers at most
 * once per predicate per step, so it stays a few MB at worst. */
#include "dnt/monitor.h"

#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"

typedef struct predicate {
  char *name;
  dnt_monitor_pred fn;
  void *ctx;
  int64_t triggers;
} predicate;

struct dnt_monitor {
  predicate *pred;
  size_t n_pred, cap_pred;
  int64_t checks, unsafe_checks;
  dnt_monitor_trigger *log;
  size_t n_log, cap_log;
  double *actions; /* copies of triggering actions */
  size_t n_actions, cap_actions;
  double *scratch; /* (cap_scratch) state and next of check_world */
  size_t cap_scratch;
  double *conv; /* (cap_conv) the shield's converted observation and actions */
  size_t cap_conv;
};

/* Makes room for `need` elements of `size` bytes in *buf (capacity *cap). */
static int reserve(void **buf, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 0;
  size_t n = *cap ? *cap : 16;
  while (n < need)
    n *= 2;
  void *p = realloc(*buf, n * size);
  if (!p) return dnt_error(DNT_ERR_NOMEM, "monitor: out of memory for %zu entries", n);
  *buf = p;
  *cap = n;
  return 0;
}

int dnt_monitor_create(dnt_monitor **out) {
  *out = calloc(1, sizeof **out);
  return *out ? 0 : dnt_error(DNT_ERR_NOMEM, "monitor: out of memory");
}

void dnt_monitor_destroy(dnt_monitor *m) {
  if (!m) return;
  for (size_t i = 0; i < m->n_pred; i++)
    free(m->pred[i].name);
  free(m->pred);
  free(m->log);
  free(m->actions);
  free(m->scratch);
  free(m->conv);
  free(m);
}

int dnt_monitor_add(dnt_monitor *m, const char *name, dnt_monitor_pred pred, void *ctx) {
  int rc = reserve((void **)&m->pred, &m->cap_pred, m->n_pred + 1, sizeof *m->pred);
  if (rc != 0) return rc;
  char *copy = strdup(name ? name : "");
  if (!copy) return dnt_error(DNT_ERR_NOMEM, "monitor: out of memory for name '%s'", name);
  m->pred[m->n_pred] = (predicate){copy, pred, ctx, 0};
  return (int)m->n_pred++;
}

static int record(dnt_monitor *m, const dnt_monitor_view *v, int p) {
  size_t na = v->action ? v->n_action : 0;
  int rc = reserve((void **)&m->log, &m->cap_log, m->n_log + 1, sizeof *m->log);
  if (rc == 0)
    rc = reserve((void **)&m->actions, &m->cap_actions, m->n_actions + na, sizeof(double));
  if (rc != 0) return rc;
  if (na) memcpy(m->actions + m->n_actions, v->action, na * sizeof(double));
  m->log[m->n_log++] = (dnt_monitor_trigger){v->step, p, m->n_actions, na};
  m->n_actions += na;
  m->pred[p].triggers++;
  return 0;
}

int dnt_monitor_check(dnt_monitor *m, const dnt_monitor_view *v, int *unsafe) {
  *unsafe = 0;
  for (size_t p = 0; p < m->n_pred; p++) {
    int r = m->pred[p].fn(m->pred[p].ctx, v);
    if (r < 0) return r;
    if (r == 0) continue;
    *unsafe = 1;
    int rc = record(m, v, (int)p);
    if (rc != 0) return rc;
  }
  m->checks++;
  m->unsafe_checks += *unsafe;
  return 0;
}

int dnt_monitor_check_world(dnt_monitor *m, const dnt_world *twin, const double *action,
                            int lookahead, int *unsafe) {
  const dnt_world_info *info = dnt_world_get_info(twin);
  size_t nf = info->n_fields;
  if (lookahead < 1)
    return dnt_error(DNT_ERR_ARG, "monitor: lookahead = %d: expected >= 1 step", lookahead);
  int rc = reserve((void **)&m->scratch, &m->cap_scratch, 2 * nf, sizeof(double));
  if (rc != 0) return rc;
  double *state = m->scratch, *next = m->scratch + nf;
  dnt_world_observe(twin, state);
  dnt_world *fork;
  rc = dnt_world_copy(twin, &fork);
  for (int h = 0; rc == 0 && h < lookahead; h++)
    rc = dnt_world_step(fork, h == 0 ? action : NULL);
  if (rc == 0) dnt_world_observe(fork, next);
  dnt_world_destroy(fork);
  if (rc != 0) return rc;
  dnt_monitor_view v = {dnt_world_time(twin), state, nf, action, info->n_actions, next};
  return dnt_monitor_check(m, &v, unsafe);
}

int dnt_monitor_shield_is_safe(void *shield, const float *obs, int a, const float *u, int *safe) {
  dnt_monitor_shield *s = shield;
  dnt_monitor *m = s->monitor;
  size_t na = s->n_u ? s->n_u : 1;
  size_t nwa = s->twin ? dnt_world_get_info(s->twin)->n_actions : 0;
  size_t need = s->n_obs + na + nwa;
  int rc = reserve((void **)&m->conv, &m->cap_conv, need, sizeof(double));
  if (rc != 0) return rc;
  double *action = m->conv, *world_action = action + na, *state = world_action + nwa;
  if (s->n_u)
    for (size_t k = 0; k < s->n_u; k++)
      action[k] = u[k];
  else
    action[0] = a;
  for (size_t k = 0; k < s->n_obs; k++)
    state[k] = obs[k];
  int unsafe = 0;
  if (s->twin) {
    rc = s->to_world_action(s->ctx, a, u, world_action);
    if (rc == 0) rc = dnt_monitor_check_world(m, s->twin, world_action, s->lookahead, &unsafe);
  } else {
    dnt_monitor_view v = {m->checks, state, s->n_obs, action, na, NULL};
    rc = dnt_monitor_check(m, &v, &unsafe);
  }
  *safe = !unsafe;
  return rc;
}

size_t dnt_monitor_n_predicates(const dnt_monitor *m) {
  return m->n_pred;
}
const char *dnt_monitor_name(const dnt_monitor *m, int p) {
  return m->pred[p].name;
}
int64_t dnt_monitor_checks(const dnt_monitor *m) {
  return m->checks;
}
int64_t dnt_monitor_unsafe_checks(const dnt_monitor *m) {
  return m->unsafe_checks;
}
int64_t dnt_monitor_triggers_of(const dnt_monitor *m, int p) {
  return m->pred[p].triggers;
}
size_t dnt_monitor_n_triggers(const dnt_monitor *m) {
  return m->n_log;
}
const dnt_monitor_trigger *dnt_monitor_trigger_at(const dnt_monitor *m, size_t k) {
  return &m->log[k];
}
const double *dnt_monitor_trigger_action(const dnt_monitor *m, size_t k) {
  return m->actions + m->log[k].action_offset;
}
