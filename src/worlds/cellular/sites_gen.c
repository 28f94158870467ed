/* src/worlds/cellular/sites_gen.c: base-station sites drawn by a spatial
 * point process (Poisson or Matern cluster), conditioned on the number of
 * sites so that a config asks for exactly n BSs. */
#include <math.h>
#include <stdlib.h>

#include "dnt/cellular.h"
#include "dnt/rng.h"
#include "dnt/status.h"

void dnt_cell_site_params_default(dnt_cell_site_params *p) {
  p->process = DNT_CELL_MATERN;
  p->n = 125;
  p->width_m = 2000;
  p->height_m = 1400;
  p->n_parents = 12;
  p->cluster_radius_m = 200;
}

static int check(const dnt_cell_site_params *p) {
  if (p->n < 1) return dnt_error(DNT_ERR_ARG, "sites: n = %zu: expected >= 1", p->n);
  if (!(p->width_m > 0 && p->height_m > 0 && isfinite(p->width_m) && isfinite(p->height_m)))
    return dnt_error(DNT_ERR_ARG, "sites: window %g x %g m: expected positive sizes", p->width_m,
                     p->height_m);
  if (p->process == DNT_CELL_MATERN &&
      (p->n_parents < 1 || !(p->cluster_radius_m > 0 && isfinite(p->cluster_radius_m))))
    return dnt_error(DNT_ERR_ARG,
                     "sites: Matern with %zu parents and radius %g m: expected >= 1 parent "
                     "and a radius > 0",
                     p->n_parents, p->cluster_radius_m);
  return 0;
}

int dnt_cell_sites_generate(const dnt_cell_site_params *p, uint64_t seed, dnt_cell_sites *out) {
  int rc = check(p);
  if (rc) return rc;
  if ((rc = dnt_cell_sites_alloc(out, p->n))) return rc;
  dnt_rng r;
  dnt_rng_for(&r, seed, DNT_STREAM_SITES, 0);
  double hw = p->width_m / 2, hh = p->height_m / 2;
  if (p->process == DNT_CELL_POISSON) {
    for (size_t i = 0; i < p->n; i++) {
      out->x[i] = (2 * dnt_rng_uniform(&r) - 1) * hw;
      out->y[i] = (2 * dnt_rng_uniform(&r) - 1) * hh;
    }
    return 0;
  }
  double *parent = malloc(2 * p->n_parents * sizeof *parent); /* (n_parents, 2) */
  if (!parent) {
    dnt_cell_sites_free(out);
    return dnt_error(DNT_ERR_NOMEM, "sites: out of memory for %zu parents", p->n_parents);
  }
  for (size_t k = 0; k < p->n_parents; k++) {
    parent[2 * k] = (2 * dnt_rng_uniform(&r) - 1) * hw;
    parent[2 * k + 1] = (2 * dnt_rng_uniform(&r) - 1) * hh;
  }
  /* A parent lies inside the window, so at least a quarter of its disc does:
   * the redraw loop ends after 4 tries on average. */
  for (size_t i = 0; i < p->n; i++) {
    size_t k = dnt_rng_below(&r, p->n_parents);
    double x, y;
    do {
      double rad = p->cluster_radius_m * sqrt(dnt_rng_uniform(&r));
      double ang = 2 * M_PI * dnt_rng_uniform(&r);
      x = parent[2 * k] + rad * cos(ang);
      y = parent[2 * k + 1] + rad * sin(ang);
    } while (fabs(x) > hw || fabs(y) > hh);
    out->x[i] = x;
    out->y[i] = y;
  }
  free(parent);
  return 0;
}
