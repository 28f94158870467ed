/* docs/example_world.c: a complete world in one file (see docs/WORLDS.md).
 *
 * "links": n network links whose loads drift as random walks,
 *   load_i(t+1) = max(0, (1 - shed) * load_i(t) + drift + sigma * N(0, 1)),
 * plus one shared capacity that is re-drawn every `capacity_every` steps.
 * Telemetry: n_links loads (sync group 0, fast) and the capacity (group 1,
 * slow). Action: one value, the fraction of load to shed this step.
 * A twin of it is another "links" instance, typically with sigma = 0: its own
 * prediction is then "the load stays where it was, plus the drift".
 *
 * Build it into a program with libdnt; tests/twin/test_example_world.c does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/rng.h"
#include "dnt/status.h"
#include "dnt/world.h"

typedef struct example_links_config {
  int n_links;
  double drift;           /* load change per step */
  double sigma;           /* noise sd per step (0: deterministic) */
  double capacity;        /* initial capacity */
  int64_t capacity_every; /* steps between capacity changes (0: never) */
} example_links_config;

/* The world's public constructor: its one entry point. */
int example_links_create(const example_links_config *cfg, uint64_t seed, dnt_world **out);

typedef struct links {
  example_links_config cfg;
  int64_t t;
  double *x; /* (n_links + 1): loads, then the capacity */
  dnt_rng rng;
  char (*names)[24]; /* (n_links + 1) field names */
  int *groups;       /* (n_links + 1) */
} links;

static void links_destroy(void *self) {
  links *w = self;
  if (!w) return;
  free(w->x);
  free(w->names);
  free(w->groups);
  free(w);
}

static links *links_alloc(const example_links_config *cfg) {
  size_t n = (size_t)cfg->n_links + 1;
  links *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->cfg = *cfg;
  w->x = calloc(n, sizeof *w->x);
  w->names = calloc(n, sizeof *w->names);
  w->groups = calloc(n, sizeof *w->groups);
  if (!w->x || !w->names || !w->groups) {
    links_destroy(w);
    return NULL;
  }
  for (int i = 0; i < cfg->n_links; i++)
    snprintf(w->names[i], sizeof w->names[i], "load_%d", i);
  snprintf(w->names[cfg->n_links], sizeof w->names[0], "capacity");
  w->groups[cfg->n_links] = 1;
  return w;
}

static int links_reset(void *self, uint64_t seed) {
  links *w = self;
  dnt_rng_for(&w->rng, seed, DNT_STREAM_WORLD, 0);
  w->t = 0;
  for (int i = 0; i < w->cfg.n_links; i++)
    w->x[i] = 0.5 * w->cfg.capacity;
  w->x[w->cfg.n_links] = w->cfg.capacity;
  return 0;
}

static int links_step(void *self, const double *action) {
  links *w = self;
  double keep = action ? 1.0 - action[0] : 1.0;
  if (!(keep >= 0 && keep <= 1))
    return dnt_error(DNT_ERR_ARG, "links: shed = %g: expected a fraction in [0, 1]", 1 - keep);
  for (int i = 0; i < w->cfg.n_links; i++) {
    double noise = w->cfg.sigma > 0 ? dnt_rng_normal(&w->rng, 0, w->cfg.sigma) : 0;
    double v = keep * w->x[i] + w->cfg.drift + noise;
    w->x[i] = v > 0 ? v : 0;
  }
  w->t++;
  if (w->cfg.capacity_every > 0 && w->t % w->cfg.capacity_every == 0)
    w->x[w->cfg.n_links] = w->cfg.capacity * (0.5 + dnt_rng_uniform(&w->rng));
  return 0;
}

static void links_observe(const void *self, double *telemetry) {
  const links *w = self;
  memcpy(telemetry, w->x, ((size_t)w->cfg.n_links + 1) * sizeof *telemetry);
}

static int links_assimilate(void *self, const double *telemetry, int group) {
  links *w = self;
  for (int i = 0; i <= w->cfg.n_links; i++)
    if (group < 0 || w->groups[i] == group) w->x[i] = telemetry[i];
  return 0;
}

static int links_copy(const void *self, void **out) {
  const links *w = self;
  links *c = links_alloc(&w->cfg);
  if (!c) return dnt_error(DNT_ERR_NOMEM, "links: out of memory forking");
  c->t = w->t;
  c->rng = w->rng;
  memcpy(c->x, w->x, ((size_t)w->cfg.n_links + 1) * sizeof *c->x);
  *out = c;
  return 0;
}

/* State bytes: t, rng, loads and capacity (the config is not state). */
static int links_save(const void *self, unsigned char **buf, size_t *len) {
  const links *w = self;
  size_t nx = ((size_t)w->cfg.n_links + 1) * sizeof *w->x;
  *len = sizeof w->t + sizeof w->rng + nx;
  if (!(*buf = malloc(*len))) return dnt_error(DNT_ERR_NOMEM, "links: out of memory saving");
  memcpy(*buf, &w->t, sizeof w->t);
  memcpy(*buf + sizeof w->t, &w->rng, sizeof w->rng);
  memcpy(*buf + sizeof w->t + sizeof w->rng, w->x, nx);
  return 0;
}

static int links_load(void *self, const unsigned char *buf, size_t len) {
  links *w = self;
  size_t nx = ((size_t)w->cfg.n_links + 1) * sizeof *w->x;
  if (len != sizeof w->t + sizeof w->rng + nx)
    return dnt_error(DNT_ERR_MISMATCH, "links: saved state has %zu bytes, expected %zu", len,
                     sizeof w->t + sizeof w->rng + nx);
  memcpy(&w->t, buf, sizeof w->t);
  memcpy(&w->rng, buf + sizeof w->t, sizeof w->rng);
  memcpy(w->x, buf + sizeof w->t + sizeof w->rng, nx);
  return 0;
}

static int links_reseed(void *self, uint64_t seed) {
  dnt_rng_for(&((links *)self)->rng, seed, DNT_STREAM_WORLD, 0);
  return 0;
}

static const dnt_world_ops links_ops = {
    .kind = "links",
    .reset = links_reset,
    .step = links_step,
    .observe = links_observe,
    .assimilate = links_assimilate,
    .copy = links_copy,
    .save = links_save,
    .load = links_load,
    .destroy = links_destroy,
    .reseed = links_reseed,
};

int example_links_create(const example_links_config *cfg, uint64_t seed, dnt_world **out) {
  *out = NULL;
  if (cfg->n_links < 1 || !(cfg->sigma >= 0) || !(cfg->capacity > 0))
    return dnt_error(DNT_ERR_ARG,
                     "links: n_links = %d, sigma = %g, capacity = %g: expected "
                     ">= 1, >= 0, > 0",
                     cfg->n_links, cfg->sigma, cfg->capacity);
  links *w = links_alloc(cfg);
  if (!w) return dnt_error(DNT_ERR_NOMEM, "links: out of memory for %d links", cfg->n_links);
  links_reset(w, seed);
  /* the wrapper copies names and groups, so the pointer table is temporary */
  const char **names = malloc(((size_t)cfg->n_links + 1) * sizeof *names);
  if (!names) {
    links_ops.destroy(w);
    return dnt_error(DNT_ERR_NOMEM, "links: out of memory for %d links", cfg->n_links);
  }
  for (int i = 0; i <= cfg->n_links; i++)
    names[i] = w->names[i];
  dnt_world_info info = {.n_fields = (size_t)cfg->n_links + 1,
                         .n_actions = 1,
                         .field_names = names,
                         .field_group = w->groups,
                         .n_groups = 2,
                         .dt = 1.0};
  int rc = dnt_world_create(&links_ops, w, &info, out);
  free(names);
  return rc;
}
