/* src/worlds/cellular/world_state.c: a cellular world's state seen from
 * outside: saving and loading it, typed access for callers that know the
 * world is cellular, per-step statistics and the demand series. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellular_internal.h"
#include "dnt/status.h"

/* Saved state: magic, n, K, t, seed, RNG words, spare normal, has_spare,
 * the double block, the int block (host byte order: a state is for the same
 * build, not an exchange format). Load refuses, before changing anything, a
 * step outside [0, DNT_WORLD_MAX_TIME] and the all-zero RNG state (xoshiro
 * would draw zeros forever, and the polar normal method never return). */
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

int cell_save(const void *self, unsigned char **buf, size_t *len) {
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

int cell_load(void *self, const unsigned char *buf, size_t len) {
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
  int64_t t;
  uint64_t words[4];
  memcpy(&t, p, 8);
  memcpy(words, p + 16, 32);
  if (t < 0 || t > DNT_WORLD_MAX_TIME)
    return dnt_error(DNT_ERR_CORRUPT, "cellular: saved state at step %lld: expected 0 to 2^53",
                     (long long)t);
  if (!(words[0] | words[1] | words[2] | words[3])) /* xoshiro's one forbidden state */
    return dnt_error(DNT_ERR_CORRUPT, "cellular: saved state: the random state is all zero");
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
  if (!rc) rc = cell_state_copy(s, (void **)&c);
  if (!rc) {
    cell_reset(c, s->seed);
    for (size_t t = 0; t < n_steps; t++) {
      if (t) cell_step(c, NULL);
      memcpy(out->v + t * m->n, blk(c, D_DEMAND), m->n * sizeof *out->v);
    }
    cell_state_free(c);
  }
  if (rc) dnt_cell_traffic_free(out);
  return rc;
}
