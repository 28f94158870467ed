/* src/twin/world.c: the wrapper every world goes through (dnt/world.h).
 *
 * It owns the implementation's private state, counts steps, checks arguments
 * and frames saved state. The world's description (field names, groups) is
 * copied once at create into a block shared by reference count with every
 * fork: a what-if run makes thousands of forks, so a fork must not copy
 * n_fields strings, and a fork must stay valid after its parent is gone. */
#include "dnt/world.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"

/* The copied description, shared by a world and its forks. */
typedef struct shared_info {
  atomic_int refs;
  dnt_world_info info; /* arrays point into the allocations below */
  char **names;        /* (n_fields) owned copies */
  int *groups;         /* (n_fields) */
} shared_info;

struct dnt_world {
  const dnt_world_ops *ops;
  void *self;
  shared_info *shared;
  int64_t time;
};

static const char save_magic[4] = {'D', 'N', 'T', 'W'};
enum { SAVE_VERSION = 1 };

static void shared_release(shared_info *s) {
  if (!s || atomic_fetch_sub(&s->refs, 1) != 1) return;
  for (size_t i = 0; s->names && i < s->info.n_fields; i++)
    free(s->names[i]);
  free(s->names);
  free(s->groups);
  free(s);
}

static int shared_create(const dnt_world_info *info, shared_info **out) {
  shared_info *s = calloc(1, sizeof *s);
  if (!s) return dnt_error(DNT_ERR_NOMEM, "world.c: out of memory for world info");
  atomic_init(&s->refs, 1);
  s->info = *info;
  s->names = calloc(info->n_fields, sizeof *s->names);
  s->groups = malloc(info->n_fields * sizeof *s->groups);
  if (!s->names || !s->groups) goto nomem;
  for (size_t i = 0; i < info->n_fields; i++) {
    s->names[i] = strdup(info->field_names[i]);
    if (!s->names[i]) goto nomem;
    s->groups[i] = info->field_group[i];
  }
  s->info.field_names = (const char *const *)s->names;
  s->info.field_group = s->groups;
  *out = s;
  return 0;
nomem:
  shared_release(s);
  return dnt_error(DNT_ERR_NOMEM, "world.c: out of memory copying %zu field names", info->n_fields);
}

static int check_info(const dnt_world_ops *ops, const dnt_world_info *info) {
  const char *kind = ops->kind ? ops->kind : "?";
  if (info->n_fields == 0 || !info->field_names || !info->field_group)
    return dnt_error(DNT_ERR_ARG, "world '%s': info needs n_fields > 0 with names and groups",
                     kind);
  if (info->n_groups < 1)
    return dnt_error(DNT_ERR_ARG, "world '%s': info.n_groups = %d: expected >= 1", kind,
                     info->n_groups);
  if (!(info->dt > 0))
    return dnt_error(DNT_ERR_ARG, "world '%s': info.dt = %g: expected seconds > 0", kind, info->dt);
  for (size_t i = 0; i < info->n_fields; i++) {
    if (!info->field_names[i])
      return dnt_error(DNT_ERR_ARG, "world '%s': field %zu has no name", kind, i);
    if (info->field_group[i] < 0 || info->field_group[i] >= info->n_groups)
      return dnt_error(DNT_ERR_ARG, "world '%s': field '%s' group = %d: expected 0..%d", kind,
                       info->field_names[i], info->field_group[i], info->n_groups - 1);
  }
  return 0;
}

int dnt_world_create(const dnt_world_ops *ops, void *self, const dnt_world_info *info,
                     dnt_world **out) {
  assert(ops && ops->kind && ops->reset && ops->step && ops->observe && ops->assimilate &&
         ops->copy && ops->save && ops->load && ops->destroy && info && out);
  *out = NULL;
  dnt_world *w = NULL;
  int rc = 0;
  if ((rc = check_info(ops, info))) goto fail;
  if (!(w = calloc(1, sizeof *w))) {
    rc = dnt_error(DNT_ERR_NOMEM, "world.c: out of memory for world '%s'", ops->kind);
    goto fail;
  }
  if ((rc = shared_create(info, &w->shared))) goto fail;
  w->ops = ops;
  w->self = self;
  *out = w;
  return 0;
fail:
  free(w);
  ops->destroy(self); /* ownership of self was passed to us */
  return rc;
}

void dnt_world_destroy(dnt_world *w) {
  if (!w) return;
  w->ops->destroy(w->self);
  shared_release(w->shared);
  free(w);
}

int dnt_world_reset(dnt_world *w, uint64_t seed) {
  int rc = w->ops->reset(w->self, seed);
  if (rc == 0) w->time = 0;
  return rc;
}

int dnt_world_step(dnt_world *w, const double *action) {
  int rc = w->ops->step(w->self, action);
  if (rc == 0) w->time++;
  return rc;
}

void dnt_world_observe(const dnt_world *w, double *telemetry) {
  w->ops->observe(w->self, telemetry);
}

int dnt_world_assimilate(dnt_world *w, const double *telemetry, int group) {
  if (group >= w->shared->info.n_groups)
    return dnt_error(DNT_ERR_ARG, "world '%s': assimilate group = %d: expected < %d", w->ops->kind,
                     group, w->shared->info.n_groups);
  return w->ops->assimilate(w->self, telemetry, group);
}

int dnt_world_copy(const dnt_world *w, dnt_world **out) {
  *out = NULL;
  dnt_world *c = calloc(1, sizeof *c);
  if (!c) return dnt_error(DNT_ERR_NOMEM, "world.c: out of memory forking '%s'", w->ops->kind);
  int rc = w->ops->copy(w->self, &c->self);
  if (rc != 0) {
    free(c);
    return rc;
  }
  c->ops = w->ops;
  c->time = w->time;
  c->shared = w->shared;
  atomic_fetch_add(&c->shared->refs, 1);
  *out = c;
  return 0;
}

static void put(unsigned char **p, const void *src, size_t n) {
  memcpy(*p, src, n);
  *p += n;
}

int dnt_world_save(const dnt_world *w, unsigned char **buf, size_t *len) {
  *buf = NULL;
  *len = 0;
  unsigned char *body = NULL;
  size_t body_len = 0;
  int rc = w->ops->save(w->self, &body, &body_len);
  if (rc != 0) return rc;
  uint32_t version = SAVE_VERSION, kind_len = (uint32_t)strlen(w->ops->kind);
  size_t total = 4 + 4 + 4 + kind_len + 8 + body_len;
  unsigned char *out = malloc(total), *p = out;
  if (!out) {
    free(body);
    return dnt_error(DNT_ERR_NOMEM, "world.c: out of memory saving '%s' (%zu bytes)", w->ops->kind,
                     total);
  }
  put(&p, save_magic, 4);
  put(&p, &version, 4);
  put(&p, &kind_len, 4);
  put(&p, w->ops->kind, kind_len);
  put(&p, &w->time, 8);
  if (body_len) put(&p, body, body_len);
  free(body);
  *buf = out;
  *len = total;
  return 0;
}

int dnt_world_load(dnt_world *w, const unsigned char *buf, size_t len) {
  const char *kind = w->ops->kind;
  uint32_t version, kind_len;
  if (len < 12 || memcmp(buf, save_magic, 4) != 0)
    return dnt_error(DNT_ERR_CORRUPT, "world '%s': saved state: bad magic or %zu bytes", kind, len);
  memcpy(&version, buf + 4, 4);
  memcpy(&kind_len, buf + 8, 4);
  if (version != SAVE_VERSION)
    return dnt_error(DNT_ERR_VERSION, "world '%s': saved state version %u: expected %d", kind,
                     version, SAVE_VERSION);
  if (len < 12 + (size_t)kind_len + 8)
    return dnt_error(DNT_ERR_CORRUPT, "world '%s': saved state truncated (%zu bytes)", kind, len);
  if (kind_len != strlen(kind) || memcmp(buf + 12, kind, kind_len) != 0)
    return dnt_error(DNT_ERR_MISMATCH, "world '%s': saved state is of kind '%.*s'", kind,
                     (int)kind_len, (const char *)(buf + 12));
  int64_t time;
  memcpy(&time, buf + 12 + kind_len, 8);
  if (time < 0 || time > DNT_WORLD_MAX_TIME)
    return dnt_error(DNT_ERR_CORRUPT, "world '%s': saved state at time %lld: expected 0 to 2^53",
                     kind, (long long)time);
  size_t head = 12 + (size_t)kind_len + 8;
  int rc = w->ops->load(w->self, buf + head, len - head);
  if (rc == 0) w->time = time;
  return rc;
}

int dnt_world_reseed(dnt_world *w, uint64_t seed) {
  if (!w->ops->reseed)
    return dnt_error(DNT_ERR_UNSUPPORTED, "world '%s' has no reseed operation (deterministic)",
                     w->ops->kind);
  return w->ops->reseed(w->self, seed);
}

const dnt_world_info *dnt_world_get_info(const dnt_world *w) {
  return &w->shared->info;
}
const char *dnt_world_kind(const dnt_world *w) {
  return w->ops->kind;
}
int64_t dnt_world_time(const dnt_world *w) {
  return w->time;
}
void *dnt_world_self(dnt_world *w) {
  return w->self;
}
const void *dnt_world_self_const(const dnt_world *w) {
  return w->self;
}
