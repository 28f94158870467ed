/* src/fl/fl_async.c: the asynchronous server on a simulated clock (see
 * dnt/fl_async.h for the model). One step = events until the model changes.
 *
 * Laziness: a dispatch only records (client, job, version) and schedules the
 * arrival from the client's delay distributions; the training itself runs in
 * flush(), in one batch for every pending job, right before the model
 * changes or when an arrival needs its update. Every pending job was
 * dispatched at the current version, so each trains from the model it would
 * have seen, and the batch can use any number of threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/fl_async.h"
#include "dnt/state.h"
#include "dnt/status.h"
#include "dnt/vec.h"
#include "fl_events.h"
#include "fl_stage.h"

struct dnt_fl_async {
  dnt_fl_async_cfg cfg; /* cfg.pop is the simulator's own copy */
  int n, rows;          /* clients; rows of the aggregation buffer */
  size_t d;
  float *w; /* (d) global model */
  int version;
  double now;
  int started, sync_phase, sync_done, stall, in_round;
  double best;
  fl_events q;
  dnt_rng srv;                             /* server stream: idle-client draws, aggregation */
  dnt_rng *trng;                           /* (n) per-client delay streams */
  int *busy, *base, *jobs, *trained, *rcs; /* (n) */
  float *upd;                              /* (n, d) each client's last update */
  float *base_w;                           /* (n, d) FEDASYNC: the model each client started from */
  dnt_fl_update *ups;                      /* (n) views into upd */
  int *pend_ids, *pend_jobs, *pend_rcs, n_pend; /* (n) jobs to train */
  dnt_fl_update *pend_ups;                      /* (n) */
  float *X;                                     /* (rows, d) aggregation buffer */
  int *buf_ids, n_buf;                          /* (rows) */
  double *buf_w;                                /* (rows) */
  unsigned char *buf_mal, *status;              /* (rows) */
  float *kept;                                  /* (rows) */
  float *agg;                                   /* (d) */
  int *idle;                                    /* (n) scratch */
  double *gbytes;                               /* (2 n_groups) this step's bytes down, up */
  fl_stage stage;
  dnt_fl_async_metrics m; /* the step in progress */
};

dnt_fl_async_cfg dnt_fl_async_defaults(int n_clients, const dnt_fl_client *clients, size_t d) {
  dnt_fl_async_cfg c;
  memset(&c, 0, sizeof c);
  c.pop = dnt_fl_population_defaults(n_clients, clients);
  c.d = d;
  c.mode = DNT_ASYNC_FEDBUFF;
  c.alpha = 0.9;
  c.server_lr = 1;
  c.buffer_k = 10;
  c.staleness = DNT_STALE_POLY;
  c.stale_a = 1;
  c.stale_b = 10;
  c.max_staleness = -1;
  c.plateau_tol = 1e-3;
  c.plateau_patience = 3;
  c.group_agg = dnt_agg_defaults(DNT_AGG_MEAN);
  c.stage.agg = dnt_agg_defaults(DNT_AGG_MEAN);
  c.stage.attack = dnt_attack_defaults(DNT_ATTACK_NONE);
  return c;
}

void dnt_fl_async_destroy(dnt_fl_async *s) {
  if (!s) return;
  fl_stage_free(&s->stage);
  fl_events_free(&s->q);
  free(s->w);
  free(s->trng);
  free(s->busy);
  free(s->base);
  free(s->jobs);
  free(s->trained);
  free(s->rcs);
  free(s->upd);
  free(s->base_w);
  free(s->ups);
  free(s->pend_ids);
  free(s->pend_jobs);
  free(s->pend_rcs);
  free(s->pend_ups);
  free(s->X);
  free(s->buf_ids);
  free(s->buf_w);
  free(s->buf_mal);
  free(s->status);
  free(s->kept);
  free(s->agg);
  free(s->idle);
  free(s->gbytes);
  dnt_fl_population_free(&s->cfg.pop);
  free(s);
}

static int check_cfg(const dnt_fl_async_cfg *c) {
  int rc = dnt_fl_population_check(&c->pop, "FL async");
  if (rc) return rc;
  if (c->d < 1) return dnt_error(DNT_ERR_ARG, "FL async: field 'd' = %zu: expected >= 1", c->d);
  if (c->pop.participation)
    return dnt_error(DNT_ERR_ARG, "FL async: field 'population.participation' is set: the "
                                  "asynchronous server's participation is 'concurrency'");
  if (c->mode == DNT_ASYNC_FEDBUFF && c->buffer_k < 1)
    return dnt_error(DNT_ERR_ARG, "FL async: field 'buffer_k' = %d: expected >= 1", c->buffer_k);
  if (!(c->alpha > 0 && c->alpha <= 1))
    return dnt_error(DNT_ERR_ARG, "FL async: field 'alpha' = %g: expected (0, 1]", c->alpha);
  if ((unsigned)c->staleness >= DNT_STALE_N || !(c->stale_a >= 0) || !(c->stale_b >= 0))
    return dnt_error(DNT_ERR_ARG,
                     "FL async: staleness %d with a = %g, b = %g: expected a known "
                     "function and a, b >= 0",
                     (int)c->staleness, c->stale_a, c->stale_b);
  if (c->concurrency < 0 || c->concurrency > c->pop.n_clients)
    return dnt_error(DNT_ERR_ARG, "FL async: field 'concurrency' = %d: expected 0..%d",
                     c->concurrency, c->pop.n_clients);
  if (c->mode == DNT_ASYNC_FEDASYNC) {
    dnt_attack_kind k = c->stage.attack.kind;
    const dnt_agg_params *r =
        c->pop.groups && dnt_agg_min_n(&c->group_agg) > 1 ? &c->group_agg : &c->stage.agg;
    if (dnt_agg_min_n(r) > 1)
      return dnt_error(DNT_ERR_ARG,
                       "FL async: FedAsync mixes one update at a time; rule '%s' "
                       "needs %d (use FedBuff with buffer_k >= %d)",
                       dnt_agg_rule_name(r->rule), dnt_agg_min_n(r), dnt_agg_min_n(r));
    if (k != DNT_ATTACK_NONE && k != DNT_ATTACK_GAUSSIAN && k != DNT_ATTACK_SIGNFLIP &&
        k != DNT_ATTACK_SCALING)
      return dnt_error(DNT_ERR_ARG,
                       "FL async: FedAsync sees one update at a time; attack '%s' "
                       "needs benign statistics (use FedBuff)",
                       dnt_attack_name(k));
  }
  return 0;
}

int dnt_fl_async_create(const dnt_fl_async_cfg *cfg, const float *w0, dnt_fl_async **out) {
  *out = NULL;
  int rc = check_cfg(cfg);
  if (rc) return rc;
  dnt_fl_async *s = calloc(1, sizeof *s);
  if (!s) return dnt_error(DNT_ERR_NOMEM, "FL async: out of memory");
  s->cfg = *cfg;
  memset(&s->cfg.pop, 0, sizeof s->cfg.pop);
  if ((rc = dnt_fl_population_copy(&s->cfg.pop, &cfg->pop))) {
    free(s);
    return rc;
  }
  int n = s->n = cfg->pop.n_clients;
  size_t d = s->d = cfg->d, nn = (size_t)n;
  if (s->cfg.buffer_k > n) s->cfg.buffer_k = n;
  s->rows = n; /* a synchronous round aggregates every client */
  s->w = malloc(d * sizeof *s->w);
  s->trng = malloc(nn * sizeof *s->trng);
  s->busy = calloc(nn, sizeof *s->busy);
  s->base = calloc(nn, sizeof *s->base);
  s->jobs = calloc(nn, sizeof *s->jobs);
  s->trained = calloc(nn, sizeof *s->trained);
  s->rcs = calloc(nn, sizeof *s->rcs);
  s->upd = malloc(nn * d * sizeof *s->upd);
  s->base_w = cfg->mode == DNT_ASYNC_FEDASYNC ? malloc(nn * d * sizeof *s->base_w) : NULL;
  s->ups = calloc(nn, sizeof *s->ups);
  s->pend_ids = malloc(nn * sizeof *s->pend_ids);
  s->pend_jobs = malloc(nn * sizeof *s->pend_jobs);
  s->pend_rcs = malloc(nn * sizeof *s->pend_rcs);
  s->pend_ups = calloc(nn, sizeof *s->pend_ups);
  s->X = malloc(nn * d * sizeof *s->X);
  s->buf_ids = malloc(nn * sizeof *s->buf_ids);
  s->buf_w = malloc(nn * sizeof *s->buf_w);
  s->buf_mal = malloc(nn);
  s->status = malloc(nn);
  s->kept = malloc(nn * sizeof *s->kept);
  s->agg = malloc(d * sizeof *s->agg);
  s->idle = malloc(nn * sizeof *s->idle);
  if (!s->w || !s->trng || !s->busy || !s->base || !s->jobs || !s->trained || !s->rcs || !s->upd ||
      (cfg->mode == DNT_ASYNC_FEDASYNC && !s->base_w) || !s->ups || !s->pend_ids || !s->pend_jobs ||
      !s->pend_rcs || !s->pend_ups || !s->X || !s->buf_ids || !s->buf_w || !s->buf_mal ||
      !s->status || !s->kept || !s->agg || !s->idle) {
    dnt_fl_async_destroy(s);
    return dnt_error(DNT_ERR_NOMEM, "FL async: out of memory (%d clients, d = %zu)", n, d);
  }
  memcpy(s->w, w0, d * sizeof *s->w);
  for (int i = 0; i < n; i++) {
    dnt_rng_for(&s->trng[i], cfg->pop.seed, DNT_STREAM_DELAY, (uint64_t)i);
    s->ups[i].delta = s->upd + (size_t)i * d;
    s->ups[i].capacity = s->ups[i].d = d;
  }
  dnt_rng_for(&s->srv, cfg->pop.seed, DNT_STREAM_SELECTION, 0);
  rc = fl_events_init(&s->q, n);
  if (!rc) rc = dnt_fl_async_regroup(s, cfg->pop.groups, cfg->pop.n_groups);
  if (rc) {
    dnt_fl_async_destroy(s);
    return rc;
  }
  s->sync_phase = cfg->sync_rounds > 0 || cfg->eval != NULL;
  *out = s;
  return 0;
}

int dnt_fl_async_regroup(dnt_fl_async *s, const int *groups, int n_groups) {
  int rc = fl_stage_regroup(&s->stage, &s->cfg.stage, &s->cfg.pop, &s->cfg.group_agg, s->rows, s->d,
                            groups, n_groups, &s->gbytes, "FL async: regroup");
  if (rc) return rc;
  s->m.n_groups = dnt_fl_population_n_groups(&s->cfg.pop);
  s->m.group_bytes_down = s->gbytes;
  s->m.group_bytes_up = s->gbytes + s->m.n_groups;
  return 0;
}

/* Adds bytes of client c to its group's count (down: 0, up: 1). */
static void count_bytes(dnt_fl_async *s, int c, int up, double bytes) {
  s->gbytes[(size_t)up * (size_t)s->m.n_groups + (size_t)dnt_fl_population_group(&s->cfg.pop, c)] +=
      bytes;
  if (up)
    s->m.bytes_up += bytes;
  else
    s->m.bytes_down += bytes;
}

static int dispatch(dnt_fl_async *s, int c) {
  static const dnt_fl_dist exp1 = {DNT_DIST_EXP, 1, 0};
  const dnt_fl_population *p = &s->cfg.pop;
  const dnt_fl_dist *comp = p->compute ? &p->compute[c] : &exp1;
  double t = dnt_fl_dist_sample(comp, &s->trng[c]);
  if (p->latency)
    t += dnt_fl_dist_sample(&p->latency[c], &s->trng[c]) +
         dnt_fl_dist_sample(&p->latency[c], &s->trng[c]);
  s->busy[c] = 1;
  s->base[c] = s->version;
  s->trained[c] = 0;
  s->pend_ids[s->n_pend] = c;
  s->pend_jobs[s->n_pend++] = s->jobs[c]++;
  count_bytes(s, c, 0, (double)s->d * sizeof(float));
  return fl_events_push(&s->q, s->now + (t > 0 ? t : 0), c);
}

/* Trains every pending job from the current model (see the file comment). */
static int flush(dnt_fl_async *s) {
  if (s->n_pend == 0) return 0;
  for (int k = 0; k < s->n_pend; k++)
    s->pend_ups[k] = s->ups[s->pend_ids[k]];
  int rc = dnt_fl_train_local(&s->cfg.pop, s->pend_ids, s->pend_jobs, s->n_pend, s->version, s->w,
                              s->d, s->pend_ups, s->pend_rcs);
  if (rc) return rc;
  for (int k = 0; k < s->n_pend; k++) {
    int id = s->pend_ids[k];
    s->ups[id] = s->pend_ups[k];
    s->rcs[id] = s->pend_rcs[k];
    s->trained[id] = 1;
    if (s->base_w) memcpy(s->base_w + (size_t)id * s->d, s->w, s->d * sizeof *s->w);
  }
  s->n_pend = 0;
  return 0;
}

/* Runs the stage on the buffer; on success the aggregate is in s->agg. */
static int run_stage(dnt_fl_async *s) {
  int rc = fl_stage_run(&s->stage, s->w, s->version, s->X, s->buf_ids, s->buf_w,
                        s->cfg.pop.malicious ? s->buf_mal : NULL, s->n_buf, s->agg, s->status,
                        s->kept, &s->m.det);
  if (rc) return rc;
  for (int k = 0; k < s->n_buf; k++) {
    s->m.filtered += s->status[k] == DNT_FL_FILTERED;
    s->m.dropped_by_rule += s->status[k] == DNT_FL_DROPPED;
  }
  s->m.aggregated += s->n_buf;
  return 0;
}

/* Aggregates the buffer into the model (synchronous round or FedBuff flush). */
static int apply_buffer(dnt_fl_async *s) {
  int rc = flush(s);
  if (!rc && s->n_buf > 0) rc = run_stage(s);
  if (!rc && s->n_buf > 0) dnt_vec_axpy(s->w, (float)s->cfg.server_lr, s->agg, s->d);
  s->n_buf = 0;
  s->version++;
  return rc;
}

/* FedAsync: w <- (1 - a_t) w + a_t (w_tau + AGG(delta)). */
static int mix_one(dnt_fl_async *s, int c, int stale) {
  int rc = flush(s);
  if (!rc) rc = run_stage(s);
  s->n_buf = 0;
  if (rc) return rc;
  double a =
      s->cfg.alpha * dnt_staleness_weight(s->cfg.staleness, stale, s->cfg.stale_a, s->cfg.stale_b);
  const float *wt = s->base_w + (size_t)c * s->d;
  for (size_t j = 0; j < s->d; j++)
    s->w[j] = (float)((1 - a) * s->w[j] + a * ((double)wt[j] + s->agg[j]));
  s->version++;
  return 0;
}

/* Dispatches a wave: every client in a synchronous round, else `concurrency`
 * clients, the first of a random permutation. */
static int dispatch_wave(dnt_fl_async *s) {
  int conc = s->cfg.concurrency;
  int want = s->sync_phase || conc == 0 ? s->n : conc;
  for (int i = 0; i < s->n; i++)
    s->idle[i] = i;
  if (want < s->n) dnt_rng_shuffle_int(&s->srv, s->idle, (size_t)s->n);
  for (int k = 0; k < want; k++) {
    int rc = dispatch(s, s->idle[k]);
    if (rc) return rc;
  }
  return 0;
}

/* After a synchronous round: count it, decide on the switch, dispatch. */
static int next_round(dnt_fl_async *s) {
  const dnt_fl_async_cfg *c = &s->cfg;
  s->sync_done++;
  int done = c->sync_rounds > 0 && s->sync_done >= c->sync_rounds;
  if (c->eval) {
    double v = c->eval(c->eval_ctx, s->w, s->d);
    if (s->sync_done == 1 || v < s->best - c->plateau_tol * fabs(s->best)) {
      s->best = v;
      s->stall = 0;
    } else if (++s->stall >= c->plateau_patience) {
      done = 1;
    }
  }
  if (done) s->sync_phase = 0;
  return dispatch_wave(s);
}

/* Processes the arrival of client c; *changed = 1 when the model changed. */
static int arrive(dnt_fl_async *s, int c, int *changed) {
  const dnt_fl_async_cfg *cfg = &s->cfg;
  dnt_fl_update *u = &s->ups[c];
  int stale = s->version - s->base[c], rc = 0;
  s->busy[c] = 0;
  s->m.stale_hist[stale < DNT_FL_STALE_BINS - 1 ? stale : DNT_FL_STALE_BINS - 1]++;
  int accept = 0;
  if (s->rcs[c]) {
    s->m.failed++;
  } else {
    count_bytes(s, c, 1, (double)u->d * sizeof(float));
    if (dnt_fl_update_check(u, s->d))
      s->m.rejected++;
    else if (cfg->max_staleness >= 0 && stale > cfg->max_staleness)
      s->m.stale_dropped++;
    else
      accept = 1;
  }
  if (accept) {
    float *row = s->X + (size_t)s->n_buf * s->d;
    memcpy(row, u->delta, s->d * sizeof *row);
    if (!s->sync_phase && cfg->mode == DNT_ASYNC_FEDBUFF)
      dnt_vec_scale(row,
                    (float)dnt_staleness_weight(cfg->staleness, stale, cfg->stale_a, cfg->stale_b),
                    s->d);
    s->buf_ids[s->n_buf] = c;
    s->buf_w[s->n_buf] = u->n_samples;
    s->buf_mal[s->n_buf++] = cfg->pop.malicious ? cfg->pop.malicious[c] : 0;
  }
  if (s->sync_phase) {
    if (++s->in_round < s->n) return 0;
    s->in_round = 0;
    s->m.sync = 1;
    rc = apply_buffer(s);
    *changed = 1;
    /* the next round starts even when this one failed, or no client would
     * be left in flight and every later step would fail */
    int rc2 = next_round(s);
    return rc ? rc : rc2;
  }
  if (accept && cfg->mode == DNT_ASYNC_FEDASYNC) {
    rc = mix_one(s, c, stale);
    *changed = 1;
  } else if (cfg->mode == DNT_ASYNC_FEDBUFF && s->n_buf >= cfg->buffer_k) {
    rc = apply_buffer(s);
    *changed = 1;
  }
  /* a uniformly random idle client takes the freed slot */
  int n_idle = 0;
  for (int i = 0; i < s->n; i++)
    if (!s->busy[i]) s->idle[n_idle++] = i;
  int pick = s->idle[n_idle > 1 ? (int)dnt_rng_below(&s->srv, (uint64_t)n_idle) : 0];
  int rc2 = dispatch(s, pick);
  return rc ? rc : rc2;
}

int dnt_fl_async_step(dnt_fl_async *s, dnt_fl_async_metrics *mout) {
  int n_groups = s->m.n_groups;
  memset(&s->m, 0, sizeof s->m);
  memset(s->gbytes, 0, 2 * (size_t)n_groups * sizeof *s->gbytes);
  s->m.n_groups = n_groups;
  s->m.group_bytes_down = s->gbytes;
  s->m.group_bytes_up = s->gbytes + n_groups;
  int rc = 0;
  if (!s->started) {
    s->started = 1;
    if ((rc = dispatch_wave(s))) return rc;
  }
  int changed = 0;
  /* a step that accepts nothing (every update rejected, say) must end */
  long budget = 1000L * s->n + 1000;
  while (!changed) {
    if (--budget < 0) {
      rc = dnt_error(DNT_ERR_ARG,
                     "FL async: %ld arrivals without a model change (%d rejected, "
                     "%d failed, %d too stale)",
                     1000L * s->n + 1000, s->m.rejected, s->m.failed, s->m.stale_dropped);
      break;
    }
    fl_event e;
    if (fl_events_pop(&s->q, &e))
      return dnt_error(DNT_ERR_ARG, "FL async: no client in flight at t = %g", s->now);
    s->now = e.time;
    if (!s->trained[e.client] && (rc = flush(s))) break;
    if ((rc = arrive(s, e.client, &changed))) break;
  }
  s->m.version = s->version;
  s->m.time = s->now;
  if (mout) *mout = s->m;
  return rc;
}

/* The state layout (dnt_fl_async_save_state): shapes; model, version,
 * clock and phase; the server stream and every client's delay stream; per
 * client busy, base version, job count, trained flag, training status, last
 * update (and, in FedAsync, the model it started from) with its metadata;
 * the jobs waiting to train; the buffered rows; the event queue as stored
 * (heap order; the keys (time, seq) are unique, so the order events come out
 * in is that of the uninterrupted run); the groups. Per-step scratch (the
 * metrics, status, kept, idle) is rebuilt by every step. */
int dnt_fl_async_save_state(const dnt_fl_async *s, dnt_pack *p) {
  size_t n = (size_t)s->n, d = s->d;
  dnt_pack_tag(p, "fl async");
  dnt_pack_i64(p, s->n);
  dnt_pack_i64(p, (int64_t)d);
  dnt_pack_i64(p, s->cfg.mode);
  dnt_pack_f32s(p, s->w, d);
  int64_t counters[] = {s->version, s->started, s->sync_phase, s->sync_done, s->stall, s->in_round};
  for (size_t k = 0; k < sizeof counters / sizeof counters[0]; k++)
    dnt_pack_i64(p, counters[k]);
  dnt_pack_f64(p, s->now);
  dnt_pack_f64(p, s->best);
  dnt_pack_tag(p, "streams");
  dnt_pack_rng(p, &s->srv);
  for (size_t i = 0; i < n; i++)
    dnt_pack_rng(p, &s->trng[i]);
  dnt_pack_tag(p, "clients");
  dnt_pack_ints(p, s->busy, n);
  dnt_pack_ints(p, s->base, n);
  dnt_pack_ints(p, s->jobs, n);
  dnt_pack_ints(p, s->trained, n);
  dnt_pack_ints(p, s->rcs, n);
  dnt_pack_f32s(p, s->upd, n * d);
  if (s->base_w) dnt_pack_f32s(p, s->base_w, n * d);
  for (size_t i = 0; i < n; i++) {
    const dnt_fl_update *u = &s->ups[i];
    dnt_pack_i64(p, u->client_id);
    dnt_pack_i64(p, u->base_round);
    dnt_pack_i64(p, (int64_t)u->d);
    dnt_pack_f64(p, u->n_samples);
    dnt_pack_f64(p, u->compute_time);
  }
  dnt_pack_tag(p, "pending");
  dnt_pack_i64(p, s->n_pend);
  dnt_pack_ints(p, s->pend_ids, (size_t)s->n_pend);
  dnt_pack_ints(p, s->pend_jobs, (size_t)s->n_pend);
  dnt_pack_tag(p, "buffer");
  dnt_pack_i64(p, s->n_buf);
  dnt_pack_ints(p, s->buf_ids, (size_t)s->n_buf);
  dnt_pack_f64s(p, s->buf_w, (size_t)s->n_buf);
  dnt_pack_u8s(p, s->buf_mal, (size_t)s->n_buf);
  dnt_pack_f32s(p, s->X, (size_t)s->n_buf * d);
  dnt_pack_tag(p, "events");
  dnt_pack_i64(p, (int64_t)s->q.next_seq);
  dnt_pack_i64(p, s->q.n);
  for (int k = 0; k < s->q.n; k++) {
    dnt_pack_f64(p, s->q.heap[k].time);
    dnt_pack_i64(p, (int64_t)s->q.heap[k].seq);
    dnt_pack_i64(p, s->q.heap[k].client);
  }
  return fl_pack_groups(p, &s->cfg.pop);
}

/* Reads an i64 that must lie in [lo, hi] (DNT_ERR_CORRUPT naming `what`). */
static int64_t get_in(dnt_unpack *u, const char *what, int64_t lo, int64_t hi) {
  int64_t v = 0;
  if (dnt_unpack_i64(u, &v)) return lo;
  if (v < lo || v > hi) {
    u->rc = dnt_error(DNT_ERR_CORRUPT, "%s: FL async %s = %lld: expected %lld..%lld", u->origin,
                      what, (long long)v, (long long)lo, (long long)hi);
    return lo;
  }
  return v;
}

/* Every value of ints v (m) in [lo, hi]. */
static int check_ints(dnt_unpack *u, const char *what, const int *v, int m, int lo, int hi) {
  for (int k = 0; !u->rc && k < m; k++)
    if (v[k] < lo || v[k] > hi)
      u->rc = dnt_error(DNT_ERR_CORRUPT, "%s: FL async %s[%d] = %d: expected %d..%d", u->origin,
                        what, k, v[k], lo, hi);
  return u->rc;
}

/* Reads ints into v (m of them, counted as saved), then checks their range. */
static int get_ints(dnt_unpack *u, const char *what, int *v, int m, int lo, int hi) {
  return dnt_unpack_ints(u, what, v, (size_t)m) ? u->rc : check_ints(u, what, v, m, lo, hi);
}

int dnt_fl_async_load_state(dnt_fl_async *s, dnt_unpack *u) {
  int n = s->n;
  size_t d = s->d, nn = (size_t)n;
  dnt_unpack_tag(u, "fl async");
  dnt_unpack_expect(u, "clients", n);
  dnt_unpack_expect(u, "d", (int64_t)d);
  dnt_unpack_expect(u, "mode", s->cfg.mode);
  dnt_unpack_f32s(u, "model", s->w, d);
  s->version = (int)get_in(u, "version", 0, INT32_MAX);
  s->started = (int)get_in(u, "started", 0, 1);
  s->sync_phase = (int)get_in(u, "sync_phase", 0, 1);
  s->sync_done = (int)get_in(u, "sync_done", 0, INT32_MAX);
  s->stall = (int)get_in(u, "stall", 0, INT32_MAX);
  s->in_round = (int)get_in(u, "in_round", 0, n);
  dnt_unpack_f64(u, &s->now);
  dnt_unpack_f64(u, &s->best);
  dnt_unpack_tag(u, "streams");
  dnt_unpack_rng(u, &s->srv);
  for (int i = 0; i < n; i++)
    dnt_unpack_rng(u, &s->trng[i]);
  dnt_unpack_tag(u, "clients");
  get_ints(u, "busy", s->busy, n, 0, 1);
  get_ints(u, "base", s->base, n, 0, s->version);
  get_ints(u, "jobs", s->jobs, n, 0, INT32_MAX);
  get_ints(u, "trained", s->trained, n, 0, 1);
  dnt_unpack_ints(u, "rcs", s->rcs, nn);
  dnt_unpack_f32s(u, "updates", s->upd, nn * d);
  if (s->base_w) dnt_unpack_f32s(u, "base models", s->base_w, nn * d);
  for (int i = 0; i < n; i++) {
    dnt_fl_update *up = &s->ups[i];
    up->client_id = (int)get_in(u, "update client", 0, n - 1);
    up->base_round = (int)get_in(u, "update base round", 0, s->version);
    up->d = (size_t)get_in(u, "update length", 0, INT64_MAX);
    dnt_unpack_f64(u, &up->n_samples);
    dnt_unpack_f64(u, &up->compute_time);
  }
  dnt_unpack_tag(u, "pending");
  s->n_pend = (int)get_in(u, "pending jobs", 0, n);
  get_ints(u, "pending ids", s->pend_ids, s->n_pend, 0, n - 1);
  get_ints(u, "pending jobs", s->pend_jobs, s->n_pend, 0, INT32_MAX);
  dnt_unpack_tag(u, "buffer");
  s->n_buf = (int)get_in(u, "buffered updates", 0, s->rows);
  get_ints(u, "buffer ids", s->buf_ids, s->n_buf, 0, n - 1);
  dnt_unpack_f64s(u, "buffer weights", s->buf_w, (size_t)s->n_buf);
  dnt_unpack_u8s(u, "buffer flags", s->buf_mal, (size_t)s->n_buf);
  dnt_unpack_f32s(u, "buffer rows", s->X, (size_t)s->n_buf * d);
  dnt_unpack_tag(u, "events");
  s->q.next_seq = (uint64_t)get_in(u, "next event", 0, INT64_MAX);
  s->q.n = (int)get_in(u, "events", 0, s->q.cap);
  for (int k = 0; !u->rc && k < s->q.n; k++) {
    dnt_unpack_f64(u, &s->q.heap[k].time);
    s->q.heap[k].seq = (uint64_t)get_in(u, "event seq", 0, (int64_t)s->q.next_seq - 1);
    s->q.heap[k].client = (int)get_in(u, "event client", 0, n - 1);
  }
  int *groups = NULL, n_groups = 1;
  int rc = fl_unpack_groups(u, n, &groups, &n_groups);
  if (!rc && !fl_same_groups(&s->cfg.pop, groups, n_groups))
    rc = dnt_fl_async_regroup(s, groups, n_groups);
  free(groups);
  return rc;
}

const float *dnt_fl_async_model(const dnt_fl_async *s) {
  return s->w;
}
int dnt_fl_async_version(const dnt_fl_async *s) {
  return s->version;
}
double dnt_fl_async_time(const dnt_fl_async *s) {
  return s->now;
}
int dnt_fl_async_is_sync(const dnt_fl_async *s) {
  return s->sync_phase;
}
