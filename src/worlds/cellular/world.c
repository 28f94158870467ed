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
 * spatial factor term W f is one cblas_dgemv per step. Saving, loading and
 * typed access are in world_state.c, the immutable part in model.c. */
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

void cell_state_free(cell_state *s) {
  if (!s) return;
  cell_model_release(s->m);
  free(s->d);
  free(s->c);
  free(s);
}

int cell_state_alloc(cell_model *m, cell_state **out) {
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

int cell_reset(void *self, uint64_t seed) {
  cell_state *s = self;
  const cell_model *m = s->m;
  size_t n = m->n;
  s->t = 0;
  s->seed = seed;
  dnt_rng_for(&s->rng, seed, DNT_STREAM_WORLD, 0);
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

int cell_step(void *self, const double *action) {
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

int cell_state_copy(const void *self, void **out) {
  const cell_state *s = self;
  cell_state *c = NULL;
  int rc = cell_state_alloc(s->m, &c);
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
  cell_state_free(self);
}

/* Forks of one state draw their own futures (what-if): only the RNG changes;
 * the seed recorded for save/load and the time stay. */
static int op_reseed(void *self, uint64_t seed) {
  cell_state *s = self;
  dnt_rng_for(&s->rng, seed, DNT_STREAM_WORLD, 0);
  return 0;
}

static const dnt_world_ops cellular_ops = {
    .kind = "cellular",
    .reset = cell_reset,
    .step = cell_step,
    .observe = op_observe,
    .assimilate = op_assimilate,
    .copy = cell_state_copy,
    .save = cell_save,
    .load = cell_load,
    .destroy = op_destroy,
    .reseed = op_reseed,
};

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
  rc = cell_state_alloc(m, &s);
  cell_model_release(m); /* the state holds the reference from here on */
  if (rc) return rc;
  cell_reset(s, seed);
  dnt_world_info info;
  char **names = NULL;
  int *groups = NULL;
  rc = build_info(m, &info, &names, &groups);
  if (rc)
    cell_state_free(s);
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
