/* src/worlds/cellular/world.c: the cellular world as a dnt_world.
 *
 * Workload: the twin steps a physical world and its mirror every step, and a
 * what-if study forks the mirror thousands of times and runs each fork for
 * tens of steps. So a step must be a few tens of nanoseconds per BS, and a
 * fork must not copy anything that never changes. The world is split in two:
 *
 *   cell_model  immutable after create (resolved sites, the replayed matrix,
 *               per-BS levels, peak hours, factor loadings), shared by every
 *               fork through an atomic reference count;
 *   cell_state  what a step changes (time, RNG, demand, AR deviations,
 *               bursts, capacity scales, backhaul faults): one block of
 *               doubles and one of ints, so a fork is two memcpy calls.
 *
 * The daily cycle uses cos(a - b) = cos a cos b + sin a sin b with each BS's
 * peak-hour cos/sin precomputed: one cos/sin per step, none per BS. The
 * spatial factor term W f is one cblas_dgemv per step. */
#include <assert.h>
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellular_internal.h"
#include "dnt/rng.h"
#include "dnt/status.h"

#define SCALE_MIN 0.01
#define SCALE_MAX 10.0

/* Blocks of n doubles in cell_state.d, in this order; then K factor draws. */
enum { D_DEMAND, D_Z, D_BURST, D_SCALE, D_CAP, D_BHF, D_BH, D_U, D_BLOCKS };
/* Blocks of n ints in cell_state.c. */
enum { C_BURST_LEFT, C_FAULT_LEFT, C_BLOCKS };

typedef struct cell_state {
  cell_model *m;
  int64_t t;
  uint64_t seed; /* of the last reset */
  dnt_rng rng;
  double *d;  /* (D_BLOCKS n + K) */
  int32_t *c; /* (C_BLOCKS n) */
} cell_state;

static double *blk(const cell_state *s, int b) {
  return s->d + (size_t)b * s->m->n;
}
static int32_t *cblk(const cell_state *s, int b) {
  return s->c + (size_t)b * s->m->n;
}

static void state_free(cell_state *s) {
  if (!s) return;
  cell_model_release(s->m);
  free(s->d);
  free(s->c);
  free(s);
}

static int state_alloc(cell_model *m, cell_state **out) {
  cell_state *s = calloc(1, sizeof *s);
  if (s) {
    s->d = calloc(D_BLOCKS * m->n + m->K, sizeof *s->d);
    s->c = calloc(C_BLOCKS * m->n, sizeof *s->c);
  }
  if (!s || !s->d || !s->c) {
    if (s) free(s->d), free(s->c);
    free(s);
    return dnt_error(DNT_ERR_NOMEM, "cellular: out of memory for the state of %zu BSs", m->n);
  }
  atomic_fetch_add(&m->refs, 1);
  s->m = m;
  *out = s;
  return 0;
}

/* Number of steps >= 1 with mean `mean` (geometric), drawn by inversion. */
static int32_t geometric(dnt_rng *r, double mean) {
  if (mean <= 1) return 1;
  double k = 1 + floor(log(1 - dnt_rng_uniform(r)) / log(1 - 1 / mean));
  return k > 1e9 ? 1000000000 : (int32_t)k;
}

/* Daily phase (cos, sin of 2 pi hour / 24) and weekly factor at step t. */
static void calendar(const cell_model *m, int64_t t, double *ct, double *st, double *week) {
  const dnt_cell_traffic_params *tp = &m->p.traffic;
  double hour = tp->start_hour + (double)t * m->dt / 3600.0;
  double ang = 2 * M_PI * fmod(hour, 24.0) / 24.0;
  *ct = cos(ang);
  *st = sin(ang);
  long long day = (long long)floor(hour / 24.0);
  int dow = (int)(((day % 7) + 7) % 7); /* 0 = Monday */
  *week = dow >= 5 ? tp->weekend : 1.0;
}

/* Deterministic part of BS i's demand at the current step (no burst, no z). */
static double profile(const cell_model *m, size_t i, double ct, double st, double week) {
  double day = 1 + m->p.traffic.daily_amp * (ct * m->cpeak[i] + st * m->speak[i]);
  return m->base[i] * day * week;
}

static void demand_generated(cell_state *s) {
  const cell_model *m = s->m;
  double ct, st, week, half = 0.5 * m->p.traffic.sigma * m->p.traffic.sigma;
  calendar(m, s->t, &ct, &st, &week);
  double *d = blk(s, D_DEMAND), *z = blk(s, D_Z), *burst = blk(s, D_BURST);
  for (size_t i = 0; i < m->n; i++)
    d[i] = profile(m, i, ct, st, week) * exp(z[i] - half) * (1 + burst[i]);
}

static void demand_replay(cell_state *s) {
  const cell_model *m = s->m;
  const double *row = m->series.v + (size_t)(s->t % (int64_t)m->series.n_steps) * m->n;
  double *d = blk(s, D_DEMAND), sd = m->p.replay_noise;
  if (sd > 0) {
    for (size_t i = 0; i < m->n; i++)
      d[i] = row[i] * exp(sd * dnt_rng_normal(&s->rng, 0, 1) - 0.5 * sd * sd);
  } else {
    memcpy(d, row, m->n * sizeof *d);
  }
}

/* z_i <- rho z_i + sqrt(1 - rho^2) sigma (beta (W f)_i + sqrt(1 - beta^2) e_i). */
static void advance_z(cell_state *s) {
  const cell_model *m = s->m;
  const dnt_cell_traffic_params *tp = &m->p.traffic;
  double *z = blk(s, D_Z), *u = blk(s, D_U), *f = s->d + D_BLOCKS * m->n;
  double beta = m->K ? tp->beta : 0;
  if (beta > 0) {
    for (size_t k = 0; k < m->K; k++)
      f[k] = dnt_rng_normal(&s->rng, 0, 1);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)m->n, (int)m->K, beta, m->W, (int)m->K, f, 1, 0.0,
                u, 1);
  } else {
    memset(u, 0, m->n * sizeof *u);
  }
  double a = sqrt(1 - tp->rho * tp->rho) * tp->sigma, e_sd = sqrt(1 - beta * beta);
  for (size_t i = 0; i < m->n; i++)
    z[i] = tp->rho * z[i] + a * (u[i] + e_sd * dnt_rng_normal(&s->rng, 0, 1));
}

/* Shared shape of bursts and faults: an episode that starts with probability
 * p per step, lasts a geometric number of steps, and sets `value` meanwhile. */
static void advance_bursts(cell_state *s) {
  const dnt_cell_traffic_params *tp = &s->m->p.traffic;
  double *burst = blk(s, D_BURST);
  int32_t *left = cblk(s, C_BURST_LEFT);
  for (size_t i = 0; i < s->m->n; i++) {
    if (left[i] > 0 && --left[i] == 0) burst[i] = 0;
    if (left[i] == 0 && tp->burst_prob > 0 && dnt_rng_uniform(&s->rng) < tp->burst_prob) {
      left[i] = geometric(&s->rng, tp->burst_len);
      burst[i] = dnt_rng_exponential(&s->rng, 1 / tp->burst_amp);
    }
  }
}

static void advance_faults(cell_state *s) {
  const dnt_cellular_params *p = &s->m->p;
  if (!(p->fault_prob > 0)) return;
  double *bhf = blk(s, D_BHF);
  int32_t *left = cblk(s, C_FAULT_LEFT);
  for (size_t i = 0; i < s->m->n; i++) {
    if (left[i] > 0 && --left[i] == 0) bhf[i] = 1;
    if (left[i] == 0 && dnt_rng_uniform(&s->rng) < p->fault_prob) {
      left[i] = geometric(&s->rng, p->fault_len);
      bhf[i] = p->fault_depth;
    }
  }
}

static void update_capacities(cell_state *s) {
  const cell_model *m = s->m;
  double *cap = blk(s, D_CAP), *bh = blk(s, D_BH), *scale = blk(s, D_SCALE), *bhf = blk(s, D_BHF);
  for (size_t i = 0; i < m->n; i++) {
    cap[i] = m->sites.capacity[i] * scale[i];
    bh[i] = m->sites.backhaul[i] * bhf[i];
  }
}

static int op_reset(void *self, uint64_t seed) {
  cell_state *s = self;
  const cell_model *m = s->m;
  size_t n = m->n;
  s->t = 0;
  s->seed = seed;
  dnt_rng_stream(&s->rng, seed, 0);
  memset(s->d, 0, (D_BLOCKS * n + m->K) * sizeof *s->d);
  memset(s->c, 0, C_BLOCKS * n * sizeof *s->c);
  double *scale = blk(s, D_SCALE), *bhf = blk(s, D_BHF), *z = blk(s, D_Z);
  for (size_t i = 0; i < n; i++)
    scale[i] = bhf[i] = 1;
  if (m->replay) {
    demand_replay(s);
  } else {
    for (size_t i = 0; i < n; i++)
      z[i] = dnt_rng_normal(&s->rng, 0, m->p.traffic.sigma);
    demand_generated(s);
  }
  update_capacities(s);
  return 0;
}

static int op_step(void *self, const double *action) {
  cell_state *s = self;
  const cell_model *m = s->m;
  if (action) {
    for (size_t i = 0; i < m->n; i++)
      if (isnan(action[i]))
        return dnt_error(DNT_ERR_ARG, "cellular: action[%zu] (capacity scale of BS '%s') is NaN", i,
                         m->sites.id[i]);
    double *scale = blk(s, D_SCALE);
    for (size_t i = 0; i < m->n; i++)
      scale[i] = fmin(SCALE_MAX, fmax(SCALE_MIN, action[i]));
  }
  s->t++;
  if (m->replay) {
    demand_replay(s);
  } else {
    advance_z(s);
    advance_bursts(s);
    demand_generated(s);
  }
  advance_faults(s);
  update_capacities(s);
  return 0;
}

static void op_observe(const void *self, double *tel) {
  const cell_state *s = self;
  size_t n = s->m->n;
  const double *d = blk(s, D_DEMAND), *cap = blk(s, D_CAP);
  memcpy(tel, d, n * sizeof *tel);
  for (size_t i = 0; i < n; i++)
    tel[n + i] = d[i] / cap[i];
  memcpy(tel + 2 * n, cap, n * sizeof *tel);
  memcpy(tel + 3 * n, blk(s, D_BH), n * sizeof *tel);
}

static int check_field(const cell_state *s, const double *tel, int kind, size_t i, double min,
                       int strict) {
  static const char *const kinds[] = {"traffic", "load", "capacity", "backhaul"};
  double v = tel[(size_t)kind * s->m->n + i];
  if (isfinite(v) && (strict ? v > min : v >= min)) return 0;
  return dnt_error(DNT_ERR_ARG,
                   "cellular: assimilate field '%s.%s' = %g: expected a finite value %s %g",
                   kinds[kind], s->m->sites.id[i], v, strict ? ">" : ">=", min);
}

static int op_assimilate(void *self, const double *tel, int group) {
  cell_state *s = self;
  const cell_model *m = s->m;
  size_t n = m->n;
  int g0 = group < 0 || group == 0, g1 = group < 0 || group == 1;
  for (size_t i = 0; i < n; i++) { /* validate everything before changing anything */
    int rc = g0 ? check_field(s, tel, DNT_CELL_TRAFFIC, i, 0, 0) : 0;
    if (!rc && g1) rc = check_field(s, tel, DNT_CELL_CAPACITY, i, 0, 1);
    if (!rc && g1) rc = check_field(s, tel, DNT_CELL_BACKHAUL, i, 0, 0);
    if (rc) return rc;
  }
  if (g0) {
    double *d = blk(s, D_DEMAND), *z = blk(s, D_Z), *burst = blk(s, D_BURST);
    memcpy(d, tel, n * sizeof *d);
    if (!m->replay) { /* continue the AR deviation from the synced demand */
      double ct, st, week, half = 0.5 * m->p.traffic.sigma * m->p.traffic.sigma;
      calendar(m, s->t, &ct, &st, &week);
      for (size_t i = 0; i < n; i++) {
        double ref = profile(m, i, ct, st, week) * (1 + burst[i]);
        z[i] = log(fmax(d[i], 1e-9 * ref) / ref) + half;
      }
    }
  }
  if (g1) {
    double *cap = blk(s, D_CAP), *bh = blk(s, D_BH), *scale = blk(s, D_SCALE), *bhf = blk(s, D_BHF);
    for (size_t i = 0; i < n; i++) {
      cap[i] = tel[2 * n + i];
      bh[i] = tel[3 * n + i];
      scale[i] = cap[i] / m->sites.capacity[i];
      bhf[i] = bh[i] / m->sites.backhaul[i];
    }
  }
  return 0;
}

static int op_copy(const void *self, void **out) {
  const cell_state *s = self;
  cell_state *c = NULL;
  int rc = state_alloc(s->m, &c);
  if (rc) return rc;
  c->t = s->t;
  c->seed = s->seed;
  c->rng = s->rng;
  memcpy(c->d, s->d, (D_BLOCKS * s->m->n + s->m->K) * sizeof *c->d);
  memcpy(c->c, s->c, C_BLOCKS * s->m->n * sizeof *c->c);
  *out = c;
  return 0;
}

static void op_destroy(void *self) {
  state_free(self);
}

/* Saved state: magic, n, K, t, seed, RNG words, spare normal, has_spare,
 * the double block, the int block (host byte order: a state is for the same
 * build, not an exchange format). */
static const char save_magic[8] = {'D', 'N', 'T', 'C', 'E', 'L', 'L', '1'};

static size_t save_size(const cell_model *m) {
  return 8 + 4 * 8 + 4 * 8 + 8 + 4 + (D_BLOCKS * m->n + m->K) * sizeof(double) +
         C_BLOCKS * m->n * sizeof(int32_t);
}

static unsigned char *put(unsigned char *p, const void *src, size_t len) {
  memcpy(p, src, len);
  return p + len;
}

static const unsigned char *get(const unsigned char *p, void *dst, size_t len) {
  memcpy(dst, p, len);
  return p + len;
}

static int op_save(const void *self, unsigned char **buf, size_t *len) {
  const cell_state *s = self;
  const cell_model *m = s->m;
  size_t size = save_size(m);
  unsigned char *b = malloc(size), *p = b;
  if (!b) return dnt_error(DNT_ERR_NOMEM, "cellular: out of memory saving %zu bytes", size);
  uint64_t n = m->n, K = m->K;
  int32_t spare = s->rng.has_spare;
  p = put(p, save_magic, 8);
  p = put(p, &n, 8);
  p = put(p, &K, 8);
  p = put(p, &s->t, 8);
  p = put(p, &s->seed, 8);
  p = put(p, s->rng.s, 32);
  p = put(p, &s->rng.spare_normal, 8);
  p = put(p, &spare, 4);
  p = put(p, s->d, (D_BLOCKS * m->n + m->K) * sizeof *s->d);
  p = put(p, s->c, C_BLOCKS * m->n * sizeof *s->c);
  assert((size_t)(p - b) == size);
  *buf = b;
  *len = size;
  return 0;
}

static int op_load(void *self, const unsigned char *buf, size_t len) {
  cell_state *s = self;
  const cell_model *m = s->m;
  if (len < 24 || memcmp(buf, save_magic, 8) != 0)
    return dnt_error(DNT_ERR_CORRUPT, "cellular: saved state: bad magic (%zu bytes)", len);
  uint64_t n, K;
  const unsigned char *p = get(buf + 8, &n, 8);
  p = get(p, &K, 8);
  if (n != m->n || K != m->K)
    return dnt_error(DNT_ERR_MISMATCH,
                     "cellular: saved state of %llu BSs, %llu factors: this world has %zu, %zu",
                     (unsigned long long)n, (unsigned long long)K, m->n, m->K);
  if (len != save_size(m))
    return dnt_error(DNT_ERR_CORRUPT, "cellular: saved state is %zu bytes: expected %zu", len,
                     save_size(m));
  int32_t spare;
  p = get(p, &s->t, 8);
  p = get(p, &s->seed, 8);
  p = get(p, s->rng.s, 32);
  p = get(p, &s->rng.spare_normal, 8);
  p = get(p, &spare, 4);
  s->rng.has_spare = spare;
  p = get(p, s->d, (D_BLOCKS * m->n + m->K) * sizeof *s->d);
  get(p, s->c, C_BLOCKS * m->n * sizeof *s->c);
  return 0;
}

static const dnt_world_ops cellular_ops = {
    .kind = "cellular",
    .reset = op_reset,
    .step = op_step,
    .observe = op_observe,
    .assimilate = op_assimilate,
    .copy = op_copy,
    .save = op_save,
    .load = op_load,
    .destroy = op_destroy,
};

/* ---- typed access --------------------------------------------------------- */

static const cell_state *state_of(const dnt_world *w) {
  assert(w && !strcmp(dnt_world_kind(w), "cellular"));
  return dnt_world_self_const(w);
}

size_t dnt_cellular_n_bs(const dnt_world *w) {
  return state_of(w)->m->n;
}
const dnt_cell_sites *dnt_cellular_sites(const dnt_world *w) {
  return &state_of(w)->m->sites;
}
const double *dnt_cellular_demand(const dnt_world *w) {
  return blk(state_of(w), D_DEMAND);
}
const double *dnt_cellular_capacity(const dnt_world *w) {
  return blk(state_of(w), D_CAP);
}
const double *dnt_cellular_backhaul(const dnt_world *w) {
  return blk(state_of(w), D_BH);
}
int dnt_cellular_is_replay(const dnt_world *w) {
  return state_of(w)->m->replay;
}

void dnt_cellular_stats_get(const dnt_world *w, dnt_cellular_stats *st) {
  const cell_state *s = state_of(w);
  const double *d = blk(s, D_DEMAND), *cap = blk(s, D_CAP), *bh = blk(s, D_BH);
  memset(st, 0, sizeof *st);
  for (size_t i = 0; i < s->m->n; i++) {
    double load = d[i] / cap[i];
    st->demand += d[i];
    st->served += fmin(d[i], fmin(cap[i], bh[i]));
    st->max_load = fmax(st->max_load, load);
    st->mean_load += load;
    st->overloaded += load > 1;
  }
  st->dropped = st->demand - st->served;
  st->mean_load /= (double)s->m->n;
}

int dnt_cellular_series(const dnt_world *w, size_t n_steps, dnt_cell_traffic *out) {
  const cell_state *s = state_of(w);
  const cell_model *m = s->m;
  int rc = dnt_cell_traffic_alloc(out, n_steps, m->n);
  if (rc) return rc;
  out->dt = m->dt;
  out->t0 = m->replay ? m->series.t0 : NAN;
  for (size_t i = 0; i < m->n && !rc; i++)
    rc = cell_traffic_set_name(out, i, m->sites.id[i]);
  cell_state *c = NULL;
  if (!rc) rc = op_copy(s, (void **)&c);
  if (!rc) {
    op_reset(c, s->seed);
    for (size_t t = 0; t < n_steps; t++) {
      if (t) op_step(c, NULL);
      memcpy(out->v + t * m->n, blk(c, D_DEMAND), m->n * sizeof *out->v);
    }
    state_free(c);
  }
  if (rc) dnt_cell_traffic_free(out);
  return rc;
}

/* ---- create ----------------------------------------------------------------- */

static int build_info(const cell_model *m, dnt_world_info *info, char ***names, int **groups) {
  static const char *const kinds[] = {"traffic", "load", "capacity", "backhaul"};
  size_t n = m->n, nf = 4 * n;
  *names = calloc(nf, sizeof **names);
  *groups = malloc(nf * sizeof **groups);
  if (!*names || !*groups) return dnt_error(DNT_ERR_NOMEM, "cellular: out of memory for names");
  for (size_t f = 0; f < nf; f++) {
    const char *id = m->sites.id[f % n];
    size_t len = strlen(kinds[f / n]) + strlen(id) + 2;
    if (!((*names)[f] = malloc(len))) return dnt_error(DNT_ERR_NOMEM, "cellular: out of memory");
    snprintf((*names)[f], len, "%s.%s", kinds[f / n], id);
    (*groups)[f] = f / n >= DNT_CELL_CAPACITY ? 1 : 0;
  }
  info->n_fields = nf;
  info->n_actions = n;
  info->field_names = (const char *const *)*names;
  info->field_group = *groups;
  info->n_groups = 2;
  info->dt = m->dt;
  return 0;
}

int dnt_cellular_create(const dnt_cell_sites *sites, const dnt_cell_traffic *replay,
                        const dnt_cellular_params *p, uint64_t seed, dnt_world **out) {
  *out = NULL;
  cell_model *m = NULL;
  int rc = cell_model_build(sites, replay, p, seed, &m);
  if (rc) return rc;
  size_t n_fields = 4 * m->n;
  cell_state *s = NULL;
  rc = state_alloc(m, &s);
  cell_model_release(m); /* the state holds the reference from here on */
  if (rc) return rc;
  op_reset(s, seed);
  dnt_world_info info;
  char **names = NULL;
  int *groups = NULL;
  rc = build_info(m, &info, &names, &groups);
  if (rc)
    state_free(s);
  else
    rc = dnt_world_create(&cellular_ops, s, &info, out); /* frees s on failure */
  for (size_t f = 0; names && f < n_fields; f++)
    free(names[f]);
  free(names);
  free(groups);
  return rc;
}

int dnt_cell_traffic_generate(const dnt_cell_sites *s, const dnt_cell_traffic_params *p,
                              uint64_t seed, size_t n_steps, dnt_cell_traffic *out) {
  memset(out, 0, sizeof *out);
  dnt_cellular_params wp;
  dnt_cellular_params_default(&wp);
  wp.traffic = *p;
  dnt_world *w = NULL;
  int rc = dnt_cellular_create(s, NULL, &wp, seed, &w);
  if (rc) return rc;
  rc = dnt_cellular_series(w, n_steps, out);
  dnt_world_destroy(w);
  return rc;
}
