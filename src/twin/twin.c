/* src/twin/twin.c: physical world + twin + channel + sync policy (dnt/twin.h).
 *
 * The latencies are constant, so reports arrive in the order they were sent
 * and the uplink is a plain FIFO ring: same seed, same deliveries, in the same
 * order. At most (uplink_latency + 1) steps' worth of reports are in flight,
 * each step sending at most one report per group, so every buffer is sized at
 * create and nothing allocates while stepping. */
#include "dnt/twin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/rng.h"
#include "dnt/status.h"

typedef struct report {
  int64_t measured_at, arrival;
  int group;      /* -1: every field */
  double *values; /* (n_fields) points into the queue's storage */
} report;

struct dnt_twin {
  dnt_world *physical; /* borrowed */
  dnt_world *twin;     /* owned */
  dnt_sync_config cfg;
  size_t n_fields, n_actions;
  int n_groups;
  const int *field_group; /* borrowed from the twin world's info */
  double *inv_scale;      /* (n_fields) 1 / field scale */
  int64_t group_bytes[DNT_SYNC_MAX_GROUPS];
  int64_t all_bytes;
  int64_t now;
  dnt_rng loss_rng;
  dnt_mirror mirror;
  double *phys_obs, *twin_obs; /* (n_fields) each */
  /* uplink FIFO */
  report *queue;   /* (queue_cap) */
  double *qvalues; /* (queue_cap, n_fields) */
  size_t queue_cap, queue_head, queue_len;
  int64_t inflight_until[DNT_SYNC_MAX_GROUPS]; /* EVENT: step a report of g lands */
  int64_t last_sent[DNT_SYNC_MAX_GROUPS];
  /* downlink: slot s % (latency + 1) holds the action decided at step s */
  double *actions; /* (downlink_latency + 1, n_actions) */
  int *action_set; /* (downlink_latency + 1) */
  dnt_twin_stats stats;
  double rmse_sum;
};

void dnt_sync_config_default(dnt_sync_config *c) {
  memset(c, 0, sizeof *c);
  c->policy = DNT_SYNC_PERIODIC;
  c->period = 1;
  for (int g = 0; g < DNT_SYNC_MAX_GROUPS; g++)
    c->group_period[g] = 1;
  c->history_rows = 4096;
  c->seed = 1;
}

static const char *const policy_names[] = {"periodic", "event", "multirate"};

const char *dnt_sync_policy_name(dnt_sync_policy p) {
  return (unsigned)p < 3 ? policy_names[p] : "?";
}

int dnt_sync_policy_parse(const char *text, dnt_sync_policy *out) {
  for (int i = 0; i < 3; i++)
    if (strcmp(text, policy_names[i]) == 0) {
      *out = (dnt_sync_policy)i;
      return 0;
    }
  return dnt_error(DNT_ERR_ARG, "sync policy '%s': expected periodic, event or multirate", text);
}

static int check_config(const dnt_sync_config *c, int n_groups) {
  if (c->policy == DNT_SYNC_PERIODIC && c->period < 1)
    return dnt_error(DNT_ERR_ARG, "twin: sync period = %lld: expected >= 1 step",
                     (long long)c->period);
  if (c->policy == DNT_SYNC_EVENT && !(c->threshold >= 0))
    return dnt_error(DNT_ERR_ARG, "twin: threshold = %g: expected >= 0", c->threshold);
  if (c->max_silence < 0)
    return dnt_error(DNT_ERR_ARG, "twin: max_silence = %lld: expected >= 0",
                     (long long)c->max_silence);
  if (c->policy == DNT_SYNC_MULTIRATE)
    for (int g = 0; g < n_groups; g++)
      if (c->group_period[g] < 1)
        return dnt_error(DNT_ERR_ARG, "twin: group_period[%d] = %lld: expected >= 1", g,
                         (long long)c->group_period[g]);
  if ((unsigned)c->policy > DNT_SYNC_MULTIRATE)
    return dnt_error(DNT_ERR_ARG, "twin: policy = %d: expected 0..2", (int)c->policy);
  if (c->channel.uplink_latency < 0 || c->channel.downlink_latency < 0)
    return dnt_error(DNT_ERR_ARG, "twin: latency uplink = %lld, downlink = %lld: expected >= 0",
                     (long long)c->channel.uplink_latency, (long long)c->channel.downlink_latency);
  if (!(c->channel.uplink_loss >= 0 && c->channel.uplink_loss < 1))
    return dnt_error(DNT_ERR_ARG, "twin: loss = %g: expected a probability in [0, 1)",
                     c->channel.uplink_loss);
  if (c->history_rows < 1) return dnt_error(DNT_ERR_ARG, "twin: history_rows = 0: expected >= 1");
  return 0;
}

static int check_pair(const dnt_world *p, const dnt_world *t) {
  const dnt_world_info *a = dnt_world_get_info(p), *b = dnt_world_get_info(t);
  if (strcmp(dnt_world_kind(p), dnt_world_kind(t)) != 0)
    return dnt_error(DNT_ERR_MISMATCH, "twin: physical world is '%s' but twin is '%s'",
                     dnt_world_kind(p), dnt_world_kind(t));
  if (a->n_fields != b->n_fields || a->n_actions != b->n_actions || a->n_groups != b->n_groups)
    return dnt_error(
        DNT_ERR_MISMATCH, "twin: physical has %zu fields/%zu actions/%d groups, twin %zu/%zu/%d",
        a->n_fields, a->n_actions, a->n_groups, b->n_fields, b->n_actions, b->n_groups);
  if (a->n_groups > DNT_SYNC_MAX_GROUPS)
    return dnt_error(DNT_ERR_ARG, "twin: world has %d sync groups: at most %d supported",
                     a->n_groups, DNT_SYNC_MAX_GROUPS);
  for (size_t i = 0; i < a->n_fields; i++)
    if (a->field_group[i] != b->field_group[i])
      return dnt_error(DNT_ERR_MISMATCH, "twin: field %zu is in group %d vs %d", i,
                       a->field_group[i], b->field_group[i]);
  return 0;
}

static void seed_loss(dnt_twin *t, uint64_t seed) {
  dnt_rng_for(&t->loss_rng, seed, DNT_STREAM_CHANNEL, 0);
}

void dnt_twin_destroy(dnt_twin *t) {
  if (!t) return;
  dnt_world_destroy(t->twin);
  dnt_mirror_free(&t->mirror);
  free(t->phys_obs);
  free(t->twin_obs);
  free(t->inv_scale);
  free(t->queue);
  free(t->qvalues);
  free(t->actions);
  free(t->action_set);
  free(t);
}

int dnt_twin_create(dnt_world *physical, dnt_world *twin, const dnt_sync_config *cfg,
                    dnt_twin **out) {
  *out = NULL;
  dnt_twin *t = NULL;
  int rc = 0;
  if ((rc = check_pair(physical, twin)) ||
      (rc = check_config(cfg, dnt_world_get_info(twin)->n_groups)))
    goto fail;
  if (!(t = calloc(1, sizeof *t))) {
    rc = dnt_error(DNT_ERR_NOMEM, "twin: out of memory");
    goto fail;
  }
  const dnt_world_info *info = dnt_world_get_info(twin);
  t->physical = physical;
  t->twin = twin;
  t->cfg = *cfg;
  t->n_fields = info->n_fields;
  t->n_actions = info->n_actions;
  t->n_groups = info->n_groups;
  t->field_group = info->field_group;
  t->all_bytes = DNT_SYNC_HEADER_BYTES + 8 * (int64_t)t->n_fields;
  for (int g = 0; g < t->n_groups; g++)
    t->group_bytes[g] = DNT_SYNC_HEADER_BYTES;
  for (size_t i = 0; i < t->n_fields; i++)
    t->group_bytes[t->field_group[i]] += 8;
  seed_loss(t, cfg->seed);
  size_t dl = (size_t)cfg->channel.downlink_latency + 1;
  t->queue_cap = ((size_t)cfg->channel.uplink_latency + 1) * (size_t)t->n_groups;
  t->phys_obs = calloc(t->n_fields, sizeof *t->phys_obs);
  t->twin_obs = calloc(t->n_fields, sizeof *t->twin_obs);
  t->inv_scale = malloc(t->n_fields * sizeof *t->inv_scale);
  t->queue = calloc(t->queue_cap, sizeof *t->queue);
  t->qvalues = malloc(t->queue_cap * t->n_fields * sizeof *t->qvalues);
  t->actions = calloc(dl * (t->n_actions ? t->n_actions : 1), sizeof *t->actions);
  t->action_set = calloc(dl, sizeof *t->action_set);
  if (!t->phys_obs || !t->twin_obs || !t->inv_scale || !t->queue || !t->qvalues || !t->actions ||
      !t->action_set) {
    dnt_twin_destroy(t);
    return dnt_error(DNT_ERR_NOMEM, "twin: out of memory for buffers (%zu fields)", info->n_fields);
  }
  for (size_t q = 0; q < t->queue_cap; q++)
    t->queue[q].values = t->qvalues + q * t->n_fields;
  for (size_t i = 0; i < t->n_fields; i++)
    t->inv_scale[i] = 1;
  t->cfg.field_scale = NULL; /* not kept: the caller's array may go */
  for (size_t i = 0; cfg->field_scale && i < t->n_fields; i++) {
    if (!(cfg->field_scale[i] > 0 && isfinite(cfg->field_scale[i]))) {
      rc = dnt_error(DNT_ERR_ARG, "twin: field_scale of '%s' = %g: expected finite > 0",
                     info->field_names[i], cfg->field_scale[i]);
      dnt_twin_destroy(t);
      return rc;
    }
    t->inv_scale[i] = 1 / cfg->field_scale[i];
  }
  rc = dnt_mirror_init(&t->mirror, t->n_fields, cfg->history_rows);
  if (rc != 0) {
    dnt_twin_destroy(t);
    return rc;
  }
  dnt_world_observe(physical, t->phys_obs);
  dnt_world_observe(twin, t->twin_obs);
  *out = t;
  return 0;
fail:
  dnt_world_destroy(twin); /* taken, also on failure */
  return rc;
}

void dnt_twin_reset(dnt_twin *t, uint64_t seed) {
  t->cfg.seed = seed;
  seed_loss(t, seed);
  t->now = 0;
  memset(&t->stats, 0, sizeof t->stats);
  t->rmse_sum = 0;
  t->queue_head = t->queue_len = 0;
  memset(t->inflight_until, 0, sizeof t->inflight_until);
  memset(t->last_sent, 0, sizeof t->last_sent);
  memset(t->action_set, 0, ((size_t)t->cfg.channel.downlink_latency + 1) * sizeof *t->action_set);
  dnt_mirror_clear(&t->mirror);
  dnt_world_observe(t->physical, t->phys_obs);
  dnt_world_observe(t->twin, t->twin_obs);
}

int dnt_twin_snapshot(dnt_twin *t) {
  dnt_mirror *m = &t->mirror;
  dnt_world_observe(t->physical, t->phys_obs);
  int rc = dnt_world_assimilate(t->twin, t->phys_obs, -1);
  if (rc != 0) return rc;
  dnt_mirror_ingest(m, t->phys_obs, t->field_group, -1, t->now, t->now);
  size_t last = (m->head + m->rows + m->capacity - 1) % m->capacity;
  if (m->rows > 0 && m->hist_t[last] == t->now) /* this step's row holds the old values */
    memcpy(m->hist + last * t->n_fields, m->value, t->n_fields * sizeof *m->value);
  else
    dnt_mirror_record(m, t->now);
  dnt_world_observe(t->twin, t->twin_obs);
  return 0;
}

/* Sends one report of `group` (-1: all fields) measured at step s. */
static void send_report(dnt_twin *t, int group, int64_t s) {
  t->stats.reports_sent++;
  t->stats.bytes_up += group < 0 ? t->all_bytes : t->group_bytes[group];
  if (group >= 0) t->inflight_until[group] = s + t->cfg.channel.uplink_latency;
  for (int g = 0; g < t->n_groups; g++)
    if (group < 0 || g == group) t->last_sent[g] = s;
  if (t->cfg.channel.uplink_loss > 0 &&
      dnt_rng_uniform(&t->loss_rng) < t->cfg.channel.uplink_loss) {
    t->stats.reports_lost++;
    return;
  }
  report *r = &t->queue[(t->queue_head + t->queue_len) % t->queue_cap];
  t->queue_len++;
  r->measured_at = s;
  r->arrival = s + t->cfg.channel.uplink_latency;
  r->group = group;
  memcpy(r->values, t->phys_obs, t->n_fields * sizeof *r->values);
}

/* Largest |physical - twin prediction| over the fields of `group`. */
static double divergence(const dnt_twin *t, int group) {
  double worst = 0;
  for (size_t i = 0; i < t->n_fields; i++) {
    if (t->field_group[i] != group) continue;
    double d = fabs(t->phys_obs[i] - t->twin_obs[i]) * t->inv_scale[i];
    if (isnan(d)) return INFINITY; /* a broken prediction must be corrected */
    if (d > worst) worst = d;
  }
  return worst;
}

static void run_policy(dnt_twin *t, int64_t s) {
  const dnt_sync_config *c = &t->cfg;
  if (c->policy == DNT_SYNC_PERIODIC) {
    if (s % c->period == 0) send_report(t, -1, s);
    return;
  }
  for (int g = 0; g < t->n_groups; g++) {
    if (c->policy == DNT_SYNC_MULTIRATE) {
      if (s % c->group_period[g] == 0) send_report(t, g, s);
      continue;
    }
    /* the twin has not assimilated the last report yet (it lands after this check) */
    if (s <= t->inflight_until[g]) continue;
    int heartbeat = c->max_silence > 0 && s - t->last_sent[g] >= c->max_silence;
    if (heartbeat || divergence(t, g) > c->threshold) send_report(t, g, s);
  }
}

static int deliver(dnt_twin *t, int64_t s) {
  while (t->queue_len > 0 && t->queue[t->queue_head].arrival <= s) {
    report *r = &t->queue[t->queue_head];
    int rc = dnt_world_assimilate(t->twin, r->values, r->group);
    if (rc != 0) return rc;
    dnt_mirror_ingest(&t->mirror, r->values, t->field_group, r->group, r->measured_at, s);
    t->stats.reports_delivered++;
    t->queue_head = (t->queue_head + 1) % t->queue_cap;
    t->queue_len--;
  }
  return 0;
}

static void measure(dnt_twin *t) {
  double sq = 0, worst = 0;
  for (size_t i = 0; i < t->n_fields; i++) {
    double d = (t->twin_obs[i] - t->phys_obs[i]) * t->inv_scale[i];
    sq += d * d;
    if (fabs(d) > worst) worst = fabs(d);
  }
  t->stats.rmse_last = sqrt(sq / (double)t->n_fields);
  t->stats.maxabs_last = worst;
  t->rmse_sum += t->stats.rmse_last;
  t->stats.rmse_mean = t->rmse_sum / (double)t->stats.steps;
  if (worst > t->stats.maxabs_max) t->stats.maxabs_max = worst;
}

int dnt_twin_step(dnt_twin *t, const double *action) {
  int64_t s = t->now + 1, dl = t->cfg.channel.downlink_latency;
  size_t na = t->n_actions, slots = (size_t)dl + 1;
  /* 1. the twin acts at once; the physical side hears of it dl steps later */
  int rc = dnt_world_step(t->twin, action);
  if (rc != 0) return rc;
  if (action && na > 0) {
    size_t slot = (size_t)(s % (int64_t)slots);
    memcpy(t->actions + slot * na, action, na * sizeof *action);
    t->action_set[slot] = 1;
    t->stats.actions_sent++;
    t->stats.bytes_down += DNT_SYNC_HEADER_BYTES + 8 * (int64_t)na;
  }
  /* 2. the physical world steps with the action due now */
  const double *due = NULL;
  if (s - dl >= 1) {
    size_t slot = (size_t)((s - dl) % (int64_t)slots);
    if (t->action_set[slot]) due = t->actions + slot * na;
    t->action_set[slot] = 0;
  }
  rc = dnt_world_step(t->physical, due);
  if (rc != 0) return rc;
  t->now = s;
  t->stats.steps = s;
  /* 3. sender: compare with the twin's prediction, send what the policy asks */
  dnt_world_observe(t->physical, t->phys_obs);
  dnt_world_observe(t->twin, t->twin_obs);
  run_policy(t, s);
  /* 4-5. deliveries, history, fidelity */
  rc = deliver(t, s);
  if (rc != 0) return rc;
  dnt_mirror_record(&t->mirror, s);
  dnt_world_observe(t->twin, t->twin_obs);
  measure(t);
  return 0;
}

int64_t dnt_twin_now(const dnt_twin *t) {
  return t->now;
}
dnt_world *dnt_twin_world(dnt_twin *t) {
  return t->twin;
}
const dnt_world *dnt_twin_physical(const dnt_twin *t) {
  return t->physical;
}
const dnt_mirror *dnt_twin_mirror(const dnt_twin *t) {
  return &t->mirror;
}
const double *dnt_twin_physical_telemetry(const dnt_twin *t) {
  return t->phys_obs;
}
const double *dnt_twin_telemetry(const dnt_twin *t) {
  return t->twin_obs;
}
void dnt_twin_get_stats(const dnt_twin *t, dnt_twin_stats *out) {
  *out = t->stats;
}
const dnt_sync_config *dnt_twin_config(const dnt_twin *t) {
  return &t->cfg;
}

/* ---- state for exact resume ---------------------------------------------- */

static void pack_i64s(dnt_pack *p, const int64_t *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    dnt_pack_i64(p, v[i]);
}

static int pack_world(dnt_pack *p, const dnt_world *w) {
  unsigned char *b = NULL;
  size_t len = 0;
  int rc = dnt_world_save(w, &b, &len);
  if (rc) return p->rc ? p->rc : (p->rc = rc);
  rc = dnt_pack_u8s(p, b, len);
  free(b);
  return rc;
}

/* The saved state of `w` into `w`: its size is that of w's own state. */
static int unpack_world(dnt_unpack *u, const char *what, dnt_world *w) {
  unsigned char *b = NULL;
  size_t len = 0;
  if (u->rc) return u->rc;
  int rc = dnt_world_save(w, &b, &len);
  if (rc) return u->rc = rc;
  if (!dnt_unpack_u8s(u, what, b, len) && (rc = dnt_world_load(w, b, len))) {
    char why[512];
    snprintf(why, sizeof why, "%s", dnt_last_error());
    u->rc = dnt_error(rc, "%s: %s: %s", u->origin, what, why);
  }
  free(b);
  return u->rc;
}

int dnt_twin_save_state(const dnt_twin *t, dnt_pack *p) {
  size_t slots = (size_t)t->cfg.channel.downlink_latency + 1, ng = (size_t)t->n_groups;
  const dnt_twin_stats *st = &t->stats;
  int64_t counts[] = {
      t->now,           st->steps,    st->reports_sent, st->reports_lost, st->reports_delivered,
      st->actions_sent, st->bytes_up, st->bytes_down};
  double reals[] = {st->rmse_last, st->maxabs_last, st->rmse_mean, st->maxabs_max, t->rmse_sum};
  dnt_pack_tag(p, "twin");
  dnt_pack_i64(p, (int64_t)t->n_fields);
  dnt_pack_i64(p, (int64_t)t->n_actions);
  dnt_pack_i64(p, (int64_t)t->queue_cap);
  dnt_pack_i64(p, (int64_t)slots);
  pack_i64s(p, counts, sizeof counts / sizeof counts[0]);
  dnt_pack_f64s(p, reals, sizeof reals / sizeof reals[0]);
  dnt_pack_rng(p, &t->loss_rng);
  pack_i64s(p, t->inflight_until, ng);
  pack_i64s(p, t->last_sent, ng);
  dnt_pack_i64(p, (int64_t)t->queue_len);
  for (size_t k = 0; k < t->queue_len; k++) {
    const report *r = &t->queue[(t->queue_head + k) % t->queue_cap];
    dnt_pack_i64(p, r->measured_at);
    dnt_pack_i64(p, r->arrival);
    dnt_pack_i64(p, r->group);
    dnt_pack_f64s(p, r->values, t->n_fields);
  }
  dnt_pack_f64s(p, t->actions, slots * t->n_actions);
  dnt_pack_ints(p, t->action_set, slots);
  dnt_pack_f64s(p, t->phys_obs, t->n_fields);
  dnt_pack_f64s(p, t->twin_obs, t->n_fields);
  pack_world(p, t->physical);
  pack_world(p, t->twin);
  return dnt_mirror_save(&t->mirror, p);
}

int dnt_twin_load_state(dnt_twin *t, dnt_unpack *u) {
  size_t slots = (size_t)t->cfg.channel.downlink_latency + 1, ng = (size_t)t->n_groups;
  const int64_t big = INT64_MAX / 4;
  dnt_twin_stats *st = &t->stats;
  int64_t *counts[] = {&t->now,
                       &st->steps,
                       &st->reports_sent,
                       &st->reports_lost,
                       &st->reports_delivered,
                       &st->actions_sent,
                       &st->bytes_up,
                       &st->bytes_down};
  static const char *const count_names[] = {
      "twin step",         "steps",        "reports_sent", "reports_lost",
      "reports_delivered", "actions_sent", "bytes_up",     "bytes_down"};
  double reals[5] = {0};
  int64_t qlen = 0;
  dnt_unpack_tag(u, "twin");
  dnt_unpack_expect(u, "twin fields", (int64_t)t->n_fields);
  dnt_unpack_expect(u, "twin actions", (int64_t)t->n_actions);
  dnt_unpack_expect(u, "twin uplink queue", (int64_t)t->queue_cap);
  dnt_unpack_expect(u, "twin downlink slots", (int64_t)slots);
  for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
    dnt_unpack_i64(u, counts[k]);
    dnt_unpack_range(u, count_names[k], *counts[k], 0, k == 0 ? DNT_WORLD_MAX_TIME : big);
  }
  dnt_unpack_f64s(u, "twin fidelity", reals, 5);
  st->rmse_last = reals[0];
  st->maxabs_last = reals[1];
  st->rmse_mean = reals[2];
  st->maxabs_max = reals[3];
  t->rmse_sum = reals[4];
  dnt_unpack_rng(u, &t->loss_rng);
  for (size_t g = 0; g < ng; g++) {
    dnt_unpack_i64(u, &t->inflight_until[g]);
    dnt_unpack_range(u, "inflight_until", t->inflight_until[g], 0, big);
  }
  for (size_t g = 0; g < ng; g++) {
    dnt_unpack_i64(u, &t->last_sent[g]);
    dnt_unpack_range(u, "last_sent", t->last_sent[g], 0, t->now);
  }
  dnt_unpack_i64(u, &qlen);
  if (dnt_unpack_range(u, "uplink queue length", qlen, 0, (int64_t)t->queue_cap)) return u->rc;
  t->queue_head = 0;
  t->queue_len = 0;
  for (size_t k = 0; k < (size_t)qlen && !u->rc; k++) {
    report *r = &t->queue[k];
    int64_t g = 0;
    dnt_unpack_i64(u, &r->measured_at);
    dnt_unpack_range(u, "report measured_at", r->measured_at, 0, t->now);
    dnt_unpack_i64(u, &r->arrival);
    dnt_unpack_range(u, "report arrival", r->arrival, r->measured_at, big);
    dnt_unpack_i64(u, &g);
    dnt_unpack_range(u, "report group", g, -1, t->n_groups - 1);
    r->group = (int)g;
    dnt_unpack_f64s(u, "report values", r->values, t->n_fields);
  }
  if (!u->rc) t->queue_len = (size_t)qlen;
  dnt_unpack_f64s(u, "downlink actions", t->actions, slots * t->n_actions);
  dnt_unpack_ints(u, "downlink slots", t->action_set, slots);
  for (size_t k = 0; k < slots; k++)
    dnt_unpack_range(u, "downlink slot", t->action_set[k], 0, 1);
  dnt_unpack_f64s(u, "physical telemetry", t->phys_obs, t->n_fields);
  dnt_unpack_f64s(u, "twin telemetry", t->twin_obs, t->n_fields);
  unpack_world(u, "physical world", t->physical);
  unpack_world(u, "twin world", t->twin);
  if (dnt_mirror_load(&t->mirror, u)) return u->rc;
  if (t->mirror.rows) /* the history's steps are the twin's */
    dnt_unpack_range(u, "mirror last step", t->mirror.hist_t[t->mirror.rows - 1], 0, t->now);
  return u->rc;
}
