/* src/fl/fl_update.c: update buffers and their validation. */
#include <math.h>
#include <stdlib.h>

#include "dnt/fl_update.h"
#include "dnt/status.h"

int dnt_fl_update_init(dnt_fl_update *u, size_t d) {
  u->client_id = -1;
  u->base_round = 0;
  u->n_samples = 1;
  u->compute_time = 0;
  u->d = u->capacity = d;
  u->delta = calloc(d ? d : 1, sizeof *u->delta);
  if (!u->delta) return dnt_error(DNT_ERR_NOMEM, "FL update: out of memory for %zu floats", d);
  return 0;
}

void dnt_fl_update_free(dnt_fl_update *u) {
  free(u->delta);
  u->delta = NULL;
  u->d = u->capacity = 0;
}

int dnt_fl_update_check(const dnt_fl_update *u, size_t d) {
  if (u->d != d)
    return dnt_error(DNT_ERR_MISMATCH, "FL update from client %d: length %zu: expected %zu",
                     u->client_id, u->d, d);
  if (!(u->n_samples > 0) || !isfinite(u->n_samples))
    return dnt_error(DNT_ERR_ARG, "FL update from client %d: field 'n_samples' = %g: expected > 0",
                     u->client_id, u->n_samples);
  if (!(u->compute_time >= 0) || !isfinite(u->compute_time))
    return dnt_error(DNT_ERR_ARG,
                     "FL update from client %d: field 'compute_time' = %g: expected >= 0",
                     u->client_id, u->compute_time);
  for (size_t j = 0; j < d; j++)
    if (!isfinite(u->delta[j]))
      return dnt_error(DNT_ERR_NUMERIC, "FL update from client %d: value %g at index %zu",
                       u->client_id, (double)u->delta[j], j);
  return 0;
}
