/* src/fl/fl_server.c: the synchronous server: sample, train, check, aggregate,
 * step, checkpoint (see dnt/fl_server.h for the round and its guarantees).
 *
 * Memory: the participants' updates are written straight into the rows of one
 * (per_round, d) matrix, which the aggregation stage then attacks, compacts
 * and aggregates in place: no per-round copy of the updates. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/fl_server.h"
#include "dnt/state.h"
#include "dnt/status.h"
#include "dnt/vec.h"
#include "fl_stage.h"

/* The checkpoint: a state file (dnt/state.h) holding the server's state
 * (dnt_fl_server_save_state) and nothing else. */
#define CKPT_DESC "dnt fl server v2"

struct dnt_fl_server {
  dnt_fl_server_cfg cfg; /* cfg.pop is the server's own copy */
  int max_m;             /* participants per round */
  int round;             /* rounds done */
  float *w;              /* (d) global model */
  float *agg;            /* (d) this round's aggregate */
  float *prev;           /* (d) last aggregate (CClip centre) */
  int has_prev;
  float *X;                            /* (max_m, d) updates, one row per participant */
  dnt_fl_update *ups;                  /* (max_m) views into X */
  int *rcs, *ids, *acc_ids;            /* (max_m) */
  double *acc_w;                       /* (max_m) */
  unsigned char *acc_mal, *acc_status; /* (max_m) */
  float *acc_kept;                     /* (max_m) */
  int *perm;                           /* (n_clients) */
  unsigned char *status;               /* (n_clients) */
  float *kept;                         /* (n_clients) */
  double *gbytes;                      /* (2 n_groups) this round's bytes down, then up */
  char *checkpoint;                    /* copy, or NULL */
  fl_stage stage;
  dnt_fl_exec exec; /* NULL train = in process */
};

dnt_fl_server_cfg dnt_fl_server_defaults(int n_clients, const dnt_fl_client *clients, size_t d) {
  dnt_fl_server_cfg c;
  memset(&c, 0, sizeof c);
  c.pop = dnt_fl_population_defaults(n_clients, clients);
  c.d = d;
  c.server_lr = 1;
  c.fraction = 1;
  c.group_agg = dnt_agg_defaults(DNT_AGG_MEAN);
  c.stage.agg = dnt_agg_defaults(DNT_AGG_MEAN);
  c.stage.attack = dnt_attack_defaults(DNT_ATTACK_NONE);
  return c;
}

void dnt_fl_server_destroy(dnt_fl_server *s) {
  if (!s) return;
  fl_stage_free(&s->stage);
  free(s->w);
  free(s->agg);
  free(s->prev);
  free(s->X);
  free(s->ups);
  free(s->rcs);
  free(s->ids);
  free(s->acc_ids);
  free(s->acc_w);
  free(s->acc_mal);
  free(s->acc_status);
  free(s->acc_kept);
  free(s->perm);
  free(s->status);
  free(s->kept);
  free(s->gbytes);
  dnt_fl_population_free(&s->cfg.pop);
  free(s->checkpoint);
  free(s);
}

static int check_cfg(const dnt_fl_server_cfg *c) {
  int rc = dnt_fl_population_check(&c->pop, "FL server");
  if (rc) return rc;
  if (c->d < 1) return dnt_error(DNT_ERR_ARG, "FL server: field 'd' = %zu: expected >= 1", c->d);
  if (c->per_round < 0 || c->per_round > c->pop.n_clients)
    return dnt_error(DNT_ERR_ARG, "FL server: field 'per_round' = %d: expected 0..%d", c->per_round,
                     c->pop.n_clients);
  if (!(c->fraction > 0 && c->fraction <= 1))
    return dnt_error(DNT_ERR_ARG, "FL server: field 'fraction' = %g: expected (0, 1]", c->fraction);
  if (!(c->deadline >= 0) || !isfinite(c->server_lr))
    return dnt_error(DNT_ERR_ARG,
                     "FL server: deadline = %g, server_lr = %g: expected "
                     "deadline >= 0 and a finite learning rate",
                     c->deadline, c->server_lr);
  return 0;
}

static int participants(const dnt_fl_server_cfg *c) {
  if (c->per_round > 0) return c->per_round;
  int m = (int)ceil(c->fraction * c->pop.n_clients - 1e-9);
  return m < 1 ? 1 : m;
}

int dnt_fl_server_create(const dnt_fl_server_cfg *cfg, const float *w0, dnt_fl_server **out) {
  *out = NULL;
  int rc = check_cfg(cfg);
  if (rc) return rc;
  dnt_fl_server *s = calloc(1, sizeof *s);
  if (!s) return dnt_error(DNT_ERR_NOMEM, "FL server: out of memory");
  s->cfg = *cfg;
  memset(&s->cfg.pop, 0, sizeof s->cfg.pop);
  if ((rc = dnt_fl_population_copy(&s->cfg.pop, &cfg->pop))) {
    free(s);
    return rc;
  }
  size_t d = cfg->d, n = (size_t)cfg->pop.n_clients;
  int m = s->max_m = participants(cfg);
  s->w = malloc(d * sizeof *s->w);
  s->agg = calloc(d, sizeof *s->agg);
  s->prev = calloc(d, sizeof *s->prev);
  s->X = malloc((size_t)m * d * sizeof *s->X);
  s->ups = calloc((size_t)m, sizeof *s->ups);
  s->rcs = malloc((size_t)m * sizeof *s->rcs);
  s->ids = malloc((size_t)m * sizeof *s->ids);
  s->acc_ids = malloc((size_t)m * sizeof *s->acc_ids);
  s->acc_w = malloc((size_t)m * sizeof *s->acc_w);
  s->acc_mal = malloc((size_t)m);
  s->acc_status = malloc((size_t)m);
  s->acc_kept = malloc((size_t)m * sizeof *s->acc_kept);
  s->perm = malloc(n * sizeof *s->perm);
  s->status = calloc(n, 1);
  s->kept = malloc(n * sizeof *s->kept);
  s->checkpoint = cfg->checkpoint ? strdup(cfg->checkpoint) : NULL;
  if (!s->w || !s->agg || !s->prev || !s->X || !s->ups || !s->rcs || !s->ids || !s->acc_ids ||
      !s->acc_w || !s->acc_mal || !s->acc_status || !s->acc_kept || !s->perm || !s->status ||
      !s->kept || (cfg->checkpoint && !s->checkpoint)) {
    dnt_fl_server_destroy(s);
    return dnt_error(DNT_ERR_NOMEM, "FL server: out of memory (%d updates of %zu floats)", m, d);
  }
  memcpy(s->w, w0, d * sizeof *s->w);
  s->cfg.checkpoint = s->checkpoint;
  for (int k = 0; k < m; k++) {
    s->ups[k].delta = s->X + (size_t)k * d;
    s->ups[k].capacity = s->ups[k].d = d;
  }
  if ((rc = dnt_fl_server_regroup(s, cfg->pop.groups, cfg->pop.n_groups))) {
    dnt_fl_server_destroy(s);
    return rc;
  }
  *out = s;
  return 0;
}

int dnt_fl_server_regroup(dnt_fl_server *s, const int *groups, int n_groups) {
  return fl_stage_regroup(&s->stage, &s->cfg.stage, &s->cfg.pop, &s->cfg.group_agg, s->max_m,
                          s->cfg.d, groups, n_groups, &s->gbytes, "FL server: regroup");
}

void dnt_fl_server_set_exec(dnt_fl_server *s, const dnt_fl_exec *exec) {
  if (exec)
    s->exec = *exec;
  else
    memset(&s->exec, 0, sizeof s->exec);
}

/* Participants of this round, ascending ids: the online clients (each with
 * its participation probability), then a partial Fisher-Yates shuffle of
 * them from the round's stream, sorted. Returns how many (0: none online). */
static int sample(dnt_fl_server *s, dnt_rng *rng) {
  const dnt_fl_population *p = &s->cfg.pop;
  int n = 0, m = s->max_m;
  for (int i = 0; i < p->n_clients; i++)
    if (!p->participation || dnt_rng_uniform(rng) < p->participation[i]) s->perm[n++] = i;
  if (m > n) m = n;
  if (m < n) {
    for (int k = 0; k < m; k++) {
      int r = k + (int)dnt_rng_below(rng, (uint64_t)(n - k));
      int t = s->perm[k];
      s->perm[k] = s->perm[r];
      s->perm[r] = t;
    }
    for (int i = 1; i < m; i++) { /* insertion sort of the m chosen */
      int x = s->perm[i], j = i - 1;
      while (j >= 0 && s->perm[j] > x)
        s->perm[j + 1] = s->perm[j], j--;
      s->perm[j + 1] = x;
    }
  }
  for (int k = 0; k < m; k++)
    s->ids[k] = s->perm[k];
  return m;
}

int dnt_fl_server_save_state(const dnt_fl_server *s, dnt_pack *p) {
  size_t d = s->cfg.d;
  dnt_pack_tag(p, "fl server");
  dnt_pack_i64(p, s->cfg.pop.n_clients);
  dnt_pack_i64(p, (int64_t)d);
  dnt_pack_i64(p, s->round);
  dnt_pack_f32s(p, s->w, d);
  dnt_pack_i64(p, s->has_prev);
  dnt_pack_f32s(p, s->prev, d);
  return fl_pack_groups(p, &s->cfg.pop);
}

/* A server state read but not yet applied. */
typedef struct saved_state {
  float *w; /* (2d) model, then centre */
  int64_t round, has_prev;
  int *groups, n_groups;
} saved_state;

static void saved_free(saved_state *v) {
  free(v->w);
  free(v->groups);
}

/* Reads and checks a state into *v (the caller frees it with saved_free). */
static int read_state(const dnt_fl_server *s, dnt_unpack *u, saved_state *v) {
  size_t d = s->cfg.d;
  int n = s->cfg.pop.n_clients;
  memset(v, 0, sizeof *v);
  v->w = malloc(2 * d * sizeof *v->w);
  if (!v->w) return dnt_error(DNT_ERR_NOMEM, "FL server: out of memory");
  dnt_unpack_tag(u, "fl server");
  dnt_unpack_expect(u, "clients", n);
  dnt_unpack_expect(u, "d", (int64_t)d);
  dnt_unpack_i64(u, &v->round);
  dnt_unpack_f32s(u, "model", v->w, d);
  dnt_unpack_i64(u, &v->has_prev);
  int rc = dnt_unpack_f32s(u, "centre", v->w + d, d);
  if (!rc && !(v->round >= 0 && v->round <= INT32_MAX && (v->has_prev == 0 || v->has_prev == 1)))
    rc = u->rc = dnt_error(DNT_ERR_CORRUPT,
                           "%s: FL server round %lld and centre flag %lld: expected 0..%d and 0 "
                           "or 1",
                           u->origin, (long long)v->round, (long long)v->has_prev, INT32_MAX);
  return rc ? rc : fl_unpack_groups(u, n, &v->groups, &v->n_groups);
}

/* Makes *v the server's state; on error (the groups refused) nothing changed. */
static int apply_state(dnt_fl_server *s, const saved_state *v) {
  size_t d = s->cfg.d;
  if (!fl_same_groups(&s->cfg.pop, v->groups, v->n_groups)) {
    int rc = dnt_fl_server_regroup(s, v->groups, v->n_groups);
    if (rc) return rc;
  }
  memcpy(s->w, v->w, d * sizeof *s->w);
  memcpy(s->prev, v->w + d, d * sizeof *s->prev);
  s->round = (int)v->round;
  s->has_prev = (int)v->has_prev;
  return 0;
}

int dnt_fl_server_load_state(dnt_fl_server *s, dnt_unpack *u) {
  saved_state v;
  int rc = read_state(s, u, &v);
  if (!rc) rc = apply_state(s, &v);
  saved_free(&v);
  return rc;
}

static int save_checkpoint(dnt_fl_server *s) {
  dnt_pack p;
  dnt_pack_init(&p);
  dnt_fl_server_save_state(s, &p);
  int rc = dnt_pack_save(&p, s->checkpoint, CKPT_DESC);
  dnt_pack_free(&p);
  return rc;
}

int dnt_fl_server_resume(dnt_fl_server *s, const char *path) {
  dnt_unpack u;
  int rc = dnt_unpack_open(&u, path, CKPT_DESC);
  if (rc) return rc;
  saved_state v;
  rc = read_state(s, &u, &v);
  if (!rc) rc = dnt_unpack_end(&u); /* all of it read before the server changes */
  if (!rc) rc = apply_state(s, &v);
  saved_free(&v);
  dnt_unpack_free(&u);
  return rc;
}

/* Adds bytes of client c to its group's count (down: 0, up: 1). */
static void count_bytes(dnt_fl_server *s, dnt_fl_metrics *m, int c, int up, double bytes) {
  s->gbytes[(size_t)up * (size_t)m->n_groups + (size_t)dnt_fl_population_group(&s->cfg.pop, c)] +=
      bytes;
  if (up)
    m->bytes_up += bytes;
  else
    m->bytes_down += bytes;
}

int dnt_fl_server_round(dnt_fl_server *s, dnt_fl_metrics *mout) {
  const dnt_fl_server_cfg *c = &s->cfg;
  size_t d = c->d;
  const dnt_fl_population *pop = &c->pop;
  const unsigned char *mal = pop->malicious;
  dnt_fl_metrics m;
  memset(&m, 0, sizeof m);
  m.round = s->round;
  m.n_groups = dnt_fl_population_n_groups(pop);
  memset(s->gbytes, 0, 2 * (size_t)m.n_groups * sizeof *s->gbytes);
  m.group_bytes_down = s->gbytes;
  m.group_bytes_up = s->gbytes + m.n_groups;
  memset(s->status, DNT_FL_IDLE, (size_t)pop->n_clients);
  for (int i = 0; i < pop->n_clients; i++)
    s->kept[i] = -1;
  dnt_rng sel_rng;
  dnt_rng_for(&sel_rng, pop->seed, DNT_STREAM_SELECTION, (uint64_t)s->round);
  int sel = sample(s, &sel_rng);
  if (sel == 0) {
    s->round++;
    if (mout) *mout = m;
    return dnt_error(DNT_ERR_ARG, "FL server: round %d: no client online", s->round - 1);
  }
  for (int k = 0; k < sel; k++)
    s->ups[k].delta = s->X + (size_t)k * d;
  int rc = s->exec.train
               ? s->exec.train(s->exec.ctx, s->ids, sel, s->round, s->w, d, s->ups, s->rcs)
               : dnt_fl_train_local(pop, s->ids, NULL, sel, s->round, s->w, d, s->ups, s->rcs);
  if (rc) return rc;
  m.selected = sel;
  for (int k = 0; k < sel; k++)
    count_bytes(s, &m, s->ids[k], 0, (double)d * sizeof(float));
  /* deadline and checks; accepted rows move to the front of X */
  int acc = 0;
  double slowest = 0;
  for (int k = 0; k < sel; k++) {
    dnt_fl_update *u = &s->ups[k];
    int id = s->ids[k];
    if (s->rcs[k]) {
      s->status[id] = DNT_FL_FAILED, m.failed++;
      continue;
    }
    count_bytes(s, &m, id, 1, (double)u->d * sizeof(float));
    if (dnt_fl_update_check(u, d)) {
      s->status[id] = DNT_FL_REJECTED, m.rejected++;
      continue;
    }
    if (c->deadline > 0 && u->compute_time > c->deadline) {
      s->status[id] = DNT_FL_STRAGGLER, m.stragglers++;
      continue;
    }
    if (u->compute_time > slowest) slowest = u->compute_time;
    if (acc != k) memcpy(s->X + (size_t)acc * d, u->delta, d * sizeof *s->X);
    s->acc_ids[acc] = id;
    s->acc_w[acc] = u->n_samples;
    s->acc_mal[acc] = mal ? mal[id] : 0;
    acc++;
  }
  m.sim_time = m.stragglers ? c->deadline : slowest;
  if (acc == 0) {
    rc = dnt_error(DNT_ERR_ARG,
                   "FL server: round %d: no valid update (%d selected, %d "
                   "stragglers, %d failed, %d rejected)",
                   s->round, sel, m.stragglers, m.failed, m.rejected);
  } else {
    fl_stage_set_center(&s->stage, s->has_prev ? s->prev : NULL);
    rc = fl_stage_run(&s->stage, s->w, s->round, s->X, s->acc_ids, s->acc_w,
                      mal ? s->acc_mal : NULL, acc, s->agg, s->acc_status, s->acc_kept, &m.det);
  }
  if (!rc) {
    for (int k = 0; k < acc; k++) {
      int id = s->acc_ids[k];
      s->status[id] = s->acc_status[k];
      s->kept[id] = s->acc_kept[k];
      if (s->acc_status[k] == DNT_FL_FILTERED)
        m.filtered++;
      else
        m.participated++;
      if (s->acc_status[k] == DNT_FL_DROPPED) m.dropped_by_rule++;
    }
    dnt_vec_axpy(s->w, (float)c->server_lr, s->agg, d);
    memcpy(s->prev, s->agg, d * sizeof *s->prev);
    s->has_prev = 1;
    m.update_norm = dnt_vec_norm(s->agg, d);
  }
  s->round++;
  if (mout) *mout = m;
  if (rc) return rc;
  return s->checkpoint ? save_checkpoint(s) : 0;
}

const float *dnt_fl_server_model(const dnt_fl_server *s) {
  return s->w;
}
int dnt_fl_server_rounds_done(const dnt_fl_server *s) {
  return s->round;
}
const unsigned char *dnt_fl_server_status(const dnt_fl_server *s) {
  return s->status;
}
const float *dnt_fl_server_kept(const dnt_fl_server *s) {
  return s->kept;
}
