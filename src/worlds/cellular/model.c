/* src/worlds/cellular/model.c: the immutable part of a cellular world: checks
 * the parameters, copies the sites and the replayed traffic, draws the
 * structure (levels, peak hours, factor anchors) and derives the capacities,
 * backhaul and radii that the sites leave at 0 (rules in dnt/cellular.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellular_internal.h"
#include "dnt/rng.h"
#include "dnt/status.h"

void dnt_cell_traffic_params_default(dnt_cell_traffic_params *p) {
  p->dt = 3600;
  p->start_hour = 0;
  p->mean = 1;
  p->base_sd = 0.5;
  p->daily_amp = 0.6;
  p->peak_hour = 14;
  p->peak_sd = 2;
  p->weekend = 0.7;
  p->sigma = 0.25;
  p->rho = 0.9;
  p->beta = 0.7;
  p->n_factors = 8;
  p->corr_length = 500;
  p->burst_prob = 0.002;
  p->burst_len = 3;
  p->burst_amp = 1;
}

void dnt_cellular_params_default(dnt_cellular_params *p) {
  dnt_cell_traffic_params_default(&p->traffic);
  p->capacity_headroom = 1.3;
  p->backhaul_factor = 1.5;
  p->radius_m = 0;
  p->replay_noise = 0;
  p->replay_shift = 24;
  p->fault_prob = 5e-4;
  p->fault_len = 24;
  p->fault_depth = 0.5;
}

void cell_model_release(cell_model *m) {
  if (!m || atomic_fetch_sub(&m->refs, 1) != 1) return;
  dnt_cell_sites_free(&m->sites);
  dnt_cell_traffic_free(&m->series);
  free(m->base); /* block of base, cpeak, speak, W */
  free(m);
}

/* One range check: lo <= v <= hi (and v != lo when open_lo). */
static int in_range(const char *name, double v, double lo, double hi, int open_lo) {
  if (isfinite(v) && v >= lo && v <= hi && !(open_lo && v == lo)) return 0;
  return dnt_error(DNT_ERR_ARG, "cellular: parameter %s = %g: expected a value in %c%g, %g]", name,
                   v, open_lo ? '(' : '[', lo, hi);
}

static int check_params(const dnt_cellular_params *p) {
  const dnt_cell_traffic_params *t = &p->traffic;
  const struct {
    const char *name;
    double v, lo, hi;
    int open_lo;
  } r[] = {{"traffic.dt", t->dt, 0, 1e9, 1},
           {"traffic.start_hour", t->start_hour, 0, 168, 0},
           {"traffic.mean", t->mean, 0, 1e12, 1},
           {"traffic.base_sd", t->base_sd, 0, 5, 0},
           {"traffic.daily_amp", t->daily_amp, 0, 0.999, 0},
           {"traffic.peak_hour", t->peak_hour, 0, 24, 0},
           {"traffic.peak_sd", t->peak_sd, 0, 24, 0},
           {"traffic.weekend", t->weekend, 0, 10, 1},
           {"traffic.sigma", t->sigma, 0, 5, 0},
           {"traffic.rho", t->rho, 0, 0.9999, 0},
           {"traffic.beta", t->beta, 0, 1, 0},
           {"traffic.n_factors", (double)t->n_factors, 0, 4096, 0},
           {"traffic.corr_length", t->corr_length, 0, 1e9, 1},
           {"traffic.burst_prob", t->burst_prob, 0, 1, 0},
           {"traffic.burst_len", t->burst_len, 1, 1e9, 0},
           {"traffic.burst_amp", t->burst_amp, 0, 1e6, 1},
           {"capacity_headroom", p->capacity_headroom, 0, 1e6, 1},
           {"backhaul_factor", p->backhaul_factor, 0, 1e6, 1},
           {"radius_m", p->radius_m, 0, 1e7, 0},
           {"replay_noise", p->replay_noise, 0, 5, 0},
           {"fault_prob", p->fault_prob, 0, 1, 0},
           {"fault_len", p->fault_len, 1, 1e9, 0},
           {"fault_depth", p->fault_depth, 0, 1, 0}};
  int rc = 0;
  for (size_t k = 0; k < sizeof r / sizeof r[0]; k++)
    if ((rc = in_range(r[k].name, r[k].v, r[k].lo, r[k].hi, r[k].open_lo))) return rc;
  return 0;
}

static int check_inputs(const dnt_cell_sites *s, const dnt_cell_traffic *replay) {
  if (s->n < 1) return dnt_error(DNT_ERR_ARG, "cellular: a world needs at least one site");
  for (size_t i = 0; i < s->n; i++)
    if (!isfinite(s->x[i]) || !isfinite(s->y[i]) || !(s->capacity[i] >= 0) ||
        !(s->backhaul[i] >= 0) || !(s->radius[i] >= 0))
      return dnt_error(DNT_ERR_ARG,
                       "cellular: site '%s': position (%g, %g), capacity %g, backhaul %g, "
                       "radius %g: expected finite positions and values >= 0",
                       s->id[i], s->x[i], s->y[i], s->capacity[i], s->backhaul[i], s->radius[i]);
  if (!replay) return 0;
  if (replay->n_steps < 1 || replay->n_series < 1 || !(replay->dt > 0))
    return dnt_error(DNT_ERR_ARG,
                     "cellular: replayed traffic has %zu steps, %zu series, dt %g: expected "
                     "at least one of each and dt > 0",
                     replay->n_steps, replay->n_series, replay->dt);
  for (size_t k = 0; k < replay->n_steps * replay->n_series; k++)
    if (!(replay->v[k] >= 0 && isfinite(replay->v[k])))
      return dnt_error(DNT_ERR_ARG,
                       "cellular: replayed traffic step %zu, series '%s' = %g: "
                       "expected a finite value >= 0",
                       k / replay->n_series, replay->name[k % replay->n_series], replay->v[k]);
  return 0;
}

/* Levels, peak hours and factor loadings of generated traffic. */
static void draw_structure(cell_model *m, dnt_rng *r) {
  const dnt_cell_traffic_params *t = &m->p.traffic;
  const dnt_cell_sites *s = &m->sites;
  for (size_t i = 0; i < m->n; i++) {
    m->base[i] =
        t->mean * exp(t->base_sd * dnt_rng_normal(r, 0, 1) - 0.5 * t->base_sd * t->base_sd);
    double peak = t->peak_hour + t->peak_sd * dnt_rng_normal(r, 0, 1);
    m->cpeak[i] = cos(2 * M_PI * peak / 24);
    m->speak[i] = sin(2 * M_PI * peak / 24);
  }
  if (m->K == 0) return;
  double x0 = s->x[0], x1 = s->x[0], y0 = s->y[0], y1 = s->y[0];
  for (size_t i = 1; i < m->n; i++) {
    x0 = fmin(x0, s->x[i]), x1 = fmax(x1, s->x[i]);
    y0 = fmin(y0, s->y[i]), y1 = fmax(y1, s->y[i]);
  }
  double *ax = m->W + m->n * m->K, *ay = ax + m->K; /* scratch after W */
  for (size_t k = 0; k < m->K; k++) {
    ax[k] = x0 + (x1 - x0) * dnt_rng_uniform(r);
    ay[k] = y0 + (y1 - y0) * dnt_rng_uniform(r);
  }
  for (size_t i = 0; i < m->n; i++) {
    double *w = m->W + i * m->K, dmin = HUGE_VAL, norm = 0;
    for (size_t k = 0; k < m->K; k++) {
      w[k] = hypot(s->x[i] - ax[k], s->y[i] - ay[k]);
      dmin = fmin(dmin, w[k]);
    }
    for (size_t k = 0; k < m->K; k++) { /* relative to the nearest anchor: no underflow */
      w[k] = exp(-(w[k] - dmin) / t->corr_length);
      norm += w[k] * w[k];
    }
    for (size_t k = 0; k < m->K; k++)
      w[k] /= sqrt(norm);
  }
}

/* Peak demand of BS i: the maximum of its replayed series, or the top of its
 * generated profile. */
static double peak_of(const cell_model *m, size_t i) {
  const dnt_cell_traffic_params *t = &m->p.traffic;
  if (!m->replay) return m->base[i] * (1 + t->daily_amp) * fmax(1, t->weekend);
  double peak = 0;
  for (size_t r = 0; r < m->series.n_steps; r++)
    peak = fmax(peak, m->series.v[r * m->n + i]);
  return peak;
}

/* Capacity, backhaul and radius where the sites give 0. */
static void resolve_sites(cell_model *m) {
  dnt_cell_sites *s = &m->sites;
  double sum = 0;
  size_t nz = 0;
  for (size_t i = 0; i < m->n; i++) {
    double pk = peak_of(m, i);
    if (pk > 0) sum += pk, nz++;
  }
  double fallback = nz ? sum / (double)nz : 1; /* for BSs whose series is all zero */
  double radius = m->p.radius_m > 0 ? m->p.radius_m : 2 * dnt_cell_sites_mean_nn(s);
  if (!(radius > 0)) radius = 500; /* a single site: no neighbour to scale by */
  for (size_t i = 0; i < m->n; i++) {
    if (!(s->capacity[i] > 0)) {
      double pk = peak_of(m, i);
      s->capacity[i] = m->p.capacity_headroom * (pk > 0 ? pk : fallback);
    }
    if (!(s->backhaul[i] > 0)) s->backhaul[i] = m->p.backhaul_factor * s->capacity[i];
    if (!(s->radius[i] > 0)) s->radius[i] = radius;
  }
}

int cell_model_build(const dnt_cell_sites *sites, const dnt_cell_traffic *replay,
                     const dnt_cellular_params *p, uint64_t seed, cell_model **out) {
  *out = NULL;
  int rc = 0;
  if ((rc = check_params(p)) || (rc = check_inputs(sites, replay))) return rc;
  cell_model *m = calloc(1, sizeof *m);
  if (!m) return dnt_error(DNT_ERR_NOMEM, "cellular: out of memory");
  atomic_init(&m->refs, 1);
  m->n = sites->n;
  m->replay = replay != NULL;
  m->K = m->replay ? 0 : p->traffic.n_factors;
  m->p = *p;
  m->dt = m->replay ? replay->dt : p->traffic.dt;
  /* base, cpeak, speak (n each), W (n K), then the anchors (2K) that
   * draw_structure places after W. */
  size_t nd = 3 * m->n + m->n * m->K + 2 * m->K;
  m->base = calloc(nd, sizeof *m->base);
  if (!m->base) {
    rc = dnt_error(DNT_ERR_NOMEM, "cellular: out of memory for %zu BSs", m->n);
    goto fail;
  }
  if ((rc = dnt_cell_sites_copy(sites, &m->sites)) ||
      (replay && (rc = dnt_cell_traffic_assign(replay, m->n, p->replay_shift, &m->series))))
    goto fail;
  m->cpeak = m->base + m->n;
  m->speak = m->base + 2 * m->n;
  m->W = m->base + 3 * m->n;
  dnt_rng r;
  dnt_rng_for(&r, seed, DNT_STREAM_TRAFFIC, 0);
  draw_structure(m, &r);
  resolve_sites(m);
  *out = m;
  return 0;
fail:
  cell_model_release(m);
  return rc;
}
