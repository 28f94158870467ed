/* src/twin/world_check.c: the world conformance check (dnt/world_check.h).
 * Each property runs from a fresh reset so a failure names one cause. */
#include "dnt/world_check.h"

#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"

typedef struct checker {
  dnt_world *w;
  uint64_t seed;
  int steps;
  const double *action;
  size_t nf;
  double *a, *b; /* (nf) telemetry to compare */
} checker;

static int run(dnt_world *w, const double *action, int steps) {
  for (int i = 0; i < steps; i++) {
    int rc = dnt_world_step(w, action);
    if (rc != 0) return rc;
  }
  return 0;
}

/* DNT_ERR_MISMATCH naming the first field where a and b differ, or 0. */
static int same(const checker *c, const char *property, int64_t step) {
  if (memcmp(c->a, c->b, c->nf * sizeof *c->a) == 0) return 0;
  size_t i = 0;
  while (i < c->nf && memcmp(&c->a[i], &c->b[i], sizeof *c->a) == 0)
    i++;
  return dnt_error(DNT_ERR_MISMATCH,
                   "world '%s' fails '%s' at step %lld: field '%s' is %.17g "
                   "vs %.17g",
                   dnt_world_kind(c->w), property, (long long)step,
                   dnt_world_get_info(c->w)->field_names[i], c->a[i], c->b[i]);
}

static int check_reset(checker *c) {
  int rc = 0;
  if ((rc = dnt_world_reset(c->w, c->seed)) || (rc = run(c->w, c->action, c->steps))) return rc;
  dnt_world_observe(c->w, c->a);
  if ((rc = dnt_world_reset(c->w, c->seed)) || (rc = run(c->w, c->action, c->steps))) return rc;
  dnt_world_observe(c->w, c->b);
  return same(c, "reset is deterministic", c->steps);
}

static int check_save_load(checker *c) {
  int half = c->steps / 2;
  unsigned char *buf = NULL;
  size_t len = 0;
  int rc = 0;
  if ((rc = dnt_world_reset(c->w, c->seed)) || (rc = run(c->w, c->action, half)) ||
      (rc = dnt_world_save(c->w, &buf, &len)) || (rc = run(c->w, c->action, c->steps - half)))
    goto cleanup;
  dnt_world_observe(c->w, c->a);
  if ((rc = dnt_world_load(c->w, buf, len))) goto cleanup;
  if (dnt_world_time(c->w) != half) {
    rc = dnt_error(DNT_ERR_MISMATCH, "world '%s': time after load is %lld, expected %d",
                   dnt_world_kind(c->w), (long long)dnt_world_time(c->w), half);
    goto cleanup;
  }
  if ((rc = run(c->w, c->action, c->steps - half))) goto cleanup;
  dnt_world_observe(c->w, c->b);
  rc = same(c, "save/load restores the state", c->steps);
cleanup:
  free(buf);
  return rc;
}

static int check_copy(checker *c) {
  unsigned char *before = NULL, *after = NULL;
  size_t lb = 0, la = 0;
  dnt_world *f = NULL;
  int rc = 0;
  if ((rc = dnt_world_reset(c->w, c->seed)) || (rc = run(c->w, c->action, 1)) ||
      (rc = dnt_world_save(c->w, &before, &lb)) || (rc = dnt_world_copy(c->w, &f)))
    goto cleanup;
  dnt_world_observe(c->w, c->a);
  if ((rc = run(f, c->action, c->steps))) goto cleanup;
  dnt_world_observe(f, c->b);
  for (size_t i = 0; i < c->nf; i++)
    c->b[i] += 1; /* scribble on the fork */
  if ((rc = dnt_world_assimilate(f, c->b, -1))) goto cleanup;
  dnt_world_observe(c->w, c->b);
  if ((rc = same(c, "a fork never changes its parent", 1)) ||
      (rc = dnt_world_save(c->w, &after, &la)))
    goto cleanup;
  if (la != lb || memcmp(before, after, lb) != 0) {
    rc = dnt_error(DNT_ERR_MISMATCH, "world '%s': stepping a fork changed the parent's saved state",
                   dnt_world_kind(c->w));
    goto cleanup;
  }
  dnt_world_destroy(f);
  f = NULL;
  /* a fresh fork follows the parent exactly */
  if ((rc = dnt_world_copy(c->w, &f)) || (rc = run(f, c->action, c->steps)) ||
      (rc = run(c->w, c->action, c->steps)))
    goto cleanup;
  dnt_world_observe(f, c->a);
  dnt_world_observe(c->w, c->b);
  rc = same(c, "a fork is a faithful copy", 1 + c->steps);
cleanup:
  dnt_world_destroy(f);
  free(before);
  free(after);
  return rc;
}

static int check_assimilate_reseed(checker *c) {
  int rc = 0;
  if ((rc = dnt_world_reset(c->w, c->seed)) || (rc = run(c->w, c->action, c->steps))) return rc;
  dnt_world_observe(c->w, c->a);
  if ((rc = dnt_world_assimilate(c->w, c->a, -1))) return rc;
  dnt_world_observe(c->w, c->b);
  if ((rc = same(c, "assimilating its own telemetry changes nothing", c->steps))) return rc;
  rc = dnt_world_reseed(c->w, c->seed + 1);
  if (rc == DNT_ERR_UNSUPPORTED) {
    dnt_error_clear();
    return 0;
  }
  if (rc) return rc;
  dnt_world_observe(c->w, c->b);
  if (dnt_world_time(c->w) != c->steps)
    return dnt_error(DNT_ERR_MISMATCH, "world '%s': reseed changed the time", dnt_world_kind(c->w));
  return same(c, "reseed leaves the state as it is", c->steps);
}

int dnt_world_check(dnt_world *w, uint64_t seed, int steps, const double *action) {
  if (steps < 2) return dnt_error(DNT_ERR_ARG, "world check: steps = %d: expected >= 2", steps);
  checker c = {w, seed, steps, action, dnt_world_get_info(w)->n_fields, NULL, NULL};
  c.a = malloc(c.nf * sizeof *c.a);
  c.b = malloc(c.nf * sizeof *c.b);
  int rc = 0;
  if (!c.a || !c.b) {
    rc = dnt_error(DNT_ERR_NOMEM, "world check: out of memory");
    goto cleanup;
  }
  if ((rc = check_reset(&c)) || (rc = check_save_load(&c)) || (rc = check_copy(&c))) goto cleanup;
  rc = check_assimilate_reseed(&c);
cleanup:
  free(c.a);
  free(c.b);
  int rc2 = dnt_world_reset(w, seed);
  return rc ? rc : rc2;
}
