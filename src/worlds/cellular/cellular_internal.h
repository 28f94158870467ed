/* src/worlds/cellular/cellular_internal.h: what the files of the cellular world
 * share and nobody else sees. */
#ifndef DNT_CELLULAR_INTERNAL_H
#define DNT_CELLULAR_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dnt/cellular.h"
#include "dnt/csv.h"
#include "dnt/rng.h"

/* Readers on a parsed table (traffic.c, milan.c); they apply the missing-value
 * policy (NULL = default) and fill `report` (may be NULL). */
int cell_traffic_from_wide(const dnt_csv *t, double dt, const dnt_cell_missing *missing,
                           dnt_cell_missing_report *report, dnt_cell_traffic *out);
int cell_traffic_from_milan(const dnt_csv *t, const char *value_col,
                            const dnt_cell_missing *missing, dnt_cell_missing_report *report,
                            dnt_cell_traffic *out);
/* The raw Milan TSV held in data[0..len) (read from `path`). */
int cell_traffic_from_milan_raw(const char *path, const char *data, size_t len,
                                dnt_milan_activity what, const dnt_cell_missing *missing,
                                dnt_cell_missing_report *report, dnt_cell_traffic *out);

/* traffic_gaps.c: cell (row, col) of `t` as traffic: a missing marker gives
 * NAN (an empty cell gives `empty`), a number must be finite and >= 0, any
 * other text is DNT_ERR_PARSE naming file, line and column. */
int cell_traffic_value(const dnt_csv *t, size_t row, size_t col, double empty, double *out);

/* Where the rows of a matrix came from, for messages: `line[t]` is the file
 * line of step t (wide CSV), or NULL for a long format, whose steps are named
 * by time (t0 + t dt, in ms as the Milan files write it). `series` says what
 * a series is ("column", "square"). */
typedef struct cell_rows {
  const char *origin;
  const char *series;
  const size_t *line;
} cell_rows;

/* Applies the policy to `t`, whose missing values are NAN: fills short runs,
 * drops (or rejects) series with a longer run, compacting the matrix; fills
 * `report` (may be NULL). On failure `t` is freed. */
int cell_traffic_fill(dnt_cell_traffic *t, const cell_rows *rows, const dnt_cell_missing *missing,
                      dnt_cell_missing_report *report);

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

/* What a step changes (world.c): blocks of n doubles in cell_state.d in
 * this order, then K factor draws. */
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

static inline double *blk(const cell_state *s, int b) {
  return s->d + (size_t)b * s->m->n;
}
static inline int32_t *cblk(const cell_state *s, int b) {
  return s->c + (size_t)b * s->m->n;
}

/* world.c: state lifetime and dynamics (the dnt_world_ops behind them). */
int cell_state_alloc(cell_model *m, cell_state **out);
void cell_state_free(cell_state *s);
int cell_state_copy(const void *self, void **out);
int cell_reset(void *self, uint64_t seed);
int cell_step(void *self, const double *action);
/* world_state.c: serialised state. */
int cell_save(const void *self, unsigned char **buf, size_t *len);
int cell_load(void *self, const unsigned char *buf, size_t len);

#endif
