/* dnt/world.h: the world interface: what the twin can mirror and simulate.
 *
 * A world is a simulator of something physical (a cellular network with its
 * traffic, edge caches with their requests, a stretch of highway). The physical
 * side and the twin are two instances of the same world: the physical one is
 * ground truth (a simulator or a trace replay), the twin's copy is what we fork,
 * forecast and test on without risk.
 *
 * Its observable state is a vector of `n_fields` doubles (telemetry), each field
 * named and assigned to a sync group (e.g. group 0 = loads every step, group 1 =
 * topology rarely) so the twin can sync groups at different rates. Its inputs
 * are actions: a vector of `n_actions` doubles per step (n_actions may be 0).
 *
 * A world implementation fills a dnt_world_ops table and wraps its private
 * state in a dnt_world. Every operation returns 0 or a negative dnt_status.
 *
 * Ownership: dnt_world_copy creates an independent deep copy (a fork): no
 * operation on the copy can change the original. dnt_world_destroy frees the
 * world and its state. Serialised state (save) is malloc'd and owned by the
 * caller.
 *
 * The wrapper (src/twin/world.c) keeps its own copy of `info` (names and
 * groups), shared by reference count between a world and its forks, so a fork
 * outlives its parent safely. It counts steps (dnt_world_time), checks
 * arguments (group range, buffer kind) and frames saved state as
 *   "DNTW" | u32 version 1 | u32 kind length | kind | i64 time | world bytes
 * so that loading another kind's state is DNT_ERR_MISMATCH and a truncated
 * buffer DNT_ERR_CORRUPT. ops->copy may be called from several threads at
 * once on one source (forks run in parallel): it must only read the source.
 * Costs: every wrapper call is O(1) plus the world's own operation. */
#ifndef DNT_WORLD_H
#define DNT_WORLD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_world dnt_world;

typedef struct dnt_world_ops {
  const char *kind; /* "cellular", "caching", "highway", ... */
  /* Restarts the world from a seed (time 0). */
  int (*reset)(void *self, uint64_t seed);
  /* Advances one step with `action` (n_actions values, NULL = no action). */
  int (*step)(void *self, const double *action);
  /* Writes the n_fields telemetry values of the current state. */
  void (*observe)(const void *self, double *telemetry);
  /* Overwrites the fields of sync group `group` from telemetry (n_fields
   * values; fields of other groups are ignored): this is how a twin applies
   * what it received. group < 0 means every field. */
  int (*assimilate)(void *self, const double *telemetry, int group);
  /* Deep copy of the private state. */
  int (*copy)(const void *self, void **out);
  /* Serialises / restores the whole state (including its RNG). */
  int (*save)(const void *self, unsigned char **buf, size_t *len);
  int (*load)(void *self, const unsigned char *buf, size_t len);
  void (*destroy)(void *self);
  /* Optional (may be NULL): reseeds the world's own randomness with `seed`
   * WITHOUT changing its state or time, so that forks of one state follow
   * independent random futures (what-if, dnt/whatif.h). A world without
   * randomness leaves it NULL. */
  int (*reseed)(void *self, uint64_t seed);
} dnt_world_ops;

typedef struct dnt_world_info {
  size_t n_fields;
  size_t n_actions;
  const char *const *field_names; /* (n_fields), borrowed from the world */
  const int *field_group;         /* (n_fields) sync group of each field */
  int n_groups;
  double dt; /* seconds of physical time per step */
} dnt_world_info;

/* Wraps an implementation. `self` becomes owned by the world (freed through
 * ops->destroy, also when create fails). `info`'s arrays are borrowed from `self` and must live as
 * long as it does. */
int dnt_world_create(const dnt_world_ops *ops, void *self, const dnt_world_info *info,
                     dnt_world **out);
void dnt_world_destroy(dnt_world *w);

/* The operations of dnt_world_ops through the wrapper (same arguments and
 * returns; reset sets the time to 0, step adds 1 on success, assimilate
 * checks group < n_groups, save/load frame the state as described above). */
int dnt_world_reset(dnt_world *w, uint64_t seed);
int dnt_world_step(dnt_world *w, const double *action);
void dnt_world_observe(const dnt_world *w, double *telemetry);
int dnt_world_assimilate(dnt_world *w, const double *telemetry, int group);
/* Fork: an independent deep copy with the same ops and info. */
int dnt_world_copy(const dnt_world *w, dnt_world **out);
int dnt_world_save(const dnt_world *w, unsigned char **buf, size_t *len);
int dnt_world_load(dnt_world *w, const unsigned char *buf, size_t len);
/* A saved time (the wrapper's, and a world's own step count) lies in
 * [0, DNT_WORLD_MAX_TIME]: steps counted exactly as a double and far from
 * overflowing when stepped on. A state outside is DNT_ERR_CORRUPT. */
#define DNT_WORLD_MAX_TIME (INT64_C(1) << 53)
/* Reseeds the world's randomness (ops->reseed); DNT_ERR_UNSUPPORTED when the
 * world has no reseed op (a deterministic world). */
int dnt_world_reseed(dnt_world *w, uint64_t seed);

const dnt_world_info *dnt_world_get_info(const dnt_world *w);
const char *dnt_world_kind(const dnt_world *w);
/* Steps taken since the last reset. */
int64_t dnt_world_time(const dnt_world *w);
/* The implementation's private state (for the world's own typed accessors). */
void *dnt_world_self(dnt_world *w);
const void *dnt_world_self_const(const dnt_world *w);

#ifdef __cplusplus
}
#endif
#endif
