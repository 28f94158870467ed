/* src/worlds/cellular/cellular_internal.h: what the files of the cellular world
 * share and nobody else sees. */
#ifndef DNT_CELLULAR_INTERNAL_H
#define DNT_CELLULAR_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dnt/cellular.h"
#include "dnt/csv.h"

/* Readers on a parsed table (traffic.c, milan.c). */
int cell_traffic_from_wide(const dnt_csv *t, double dt, dnt_cell_traffic *out);
int cell_traffic_from_milan(const dnt_csv *t, const char *value_col, dnt_cell_traffic *out);
/* The raw Milan TSV held in data[0..len) (read from `path`). */
int cell_traffic_from_milan_raw(const char *path, const char *data, size_t len,
                                dnt_milan_activity what, dnt_cell_traffic *out);

/* Sets the name of series j (copied). */
int cell_traffic_set_name(dnt_cell_traffic *t, size_t j, const char *name);

/* The immutable part of a cellular world (world.c explains the split),
 * shared by a world and its forks through `refs`. */
typedef struct cell_model {
  atomic_int refs;
  size_t n, K;
  int replay;
  double dt;
  dnt_cellular_params p;
  dnt_cell_sites sites;    /* resolved: capacity, backhaul, radius > 0 */
  dnt_cell_traffic series; /* replay: (T, n), column i = BS i */
  double *base;            /* (n) generated: mean level b_i */
  double *cpeak, *speak;   /* (n) cos, sin of 2 pi peak_i / 24 */
  double *W;               /* (n, K) factor loadings, rows of unit norm */
} cell_model;

/* Validates the inputs and builds a model with one reference (model.c). */
int cell_model_build(const dnt_cell_sites *sites, const dnt_cell_traffic *replay,
                     const dnt_cellular_params *p, uint64_t seed, cell_model **out);
/* Drops a reference; the last one frees the model. NULL is fine. */
void cell_model_release(cell_model *m);

#endif
