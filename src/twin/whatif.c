/* src/twin/whatif.c: forks run in parallel (dnt/whatif.h).
 *
 * Jobs (alt, fork) are handed out one at a time by an atomic counter (a job
 * is tens of microseconds, the counter a few nanoseconds); each job's numbers
 * depend only on its indices, so the thread count never changes a result.
 * The threads are the twin layer's parked workers (pool.c): a call wakes
 * them instead of starting threads. A fork accumulates its metrics in its
 * worker's own buffer and copies them out once at its end: adjacent forks of
 * the result array run on different threads, and writing it every step made
 * the threads fight over its cache lines. The thread-local error message of
 * a failing worker is copied out under a mutex so the caller's thread can
 * report it. */
#include "dnt/whatif.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "pool_internal.h"

typedef struct job_pool {
  const dnt_world *base;
  const dnt_whatif_spec *spec;
  double *values;
  atomic_int next;
  pthread_mutex_t lock;
  int rc;        /* first failure */
  int fail_job;  /* its job index */
  char msg[512]; /* its message */
} job_pool;

/* Runs job `job` with the worker's buffers: telemetry (n_fields), action
 * (n_actions) and metrics (n_metrics), copied to the result at the end. */
static int run_fork(const job_pool *p, int job, double *tel, double *act, double *metrics) {
  const dnt_whatif_spec *s = p->spec;
  int alt = job / s->n_forks, fork_i = job % s->n_forks;
  const dnt_world_info *info = dnt_world_get_info(p->base);
  size_t nm = (size_t)s->n_metrics;
  memset(metrics, 0, nm * sizeof *metrics);
  dnt_rng rng;
  dnt_rng_for(&rng, s->seed, DNT_STREAM_FORK, (uint64_t)fork_i);
  dnt_world *w;
  int rc = dnt_world_copy(p->base, &w);
  if (rc != 0) return rc;
  rc = dnt_world_reseed(w, dnt_rng_u64(&rng));
  if (rc == DNT_ERR_UNSUPPORTED) { /* deterministic world: forks differ by policy only */
    dnt_error_clear();
    rc = 0;
  }
  if (rc == 0 && s->prepare) rc = s->prepare(s->ctx, alt, w);
  for (int h = 0; rc == 0 && h < s->horizon; h++) {
    const double *a = NULL;
    if (s->policy) {
      dnt_world_observe(w, tel);
      rc = s->policy(s->ctx, alt, h, tel, &rng, act);
      if (rc < 0) break;
      a = rc == 0 ? act : NULL;
      rc = 0;
    } else if (s->actions && info->n_actions) {
      a = s->actions + (size_t)alt * info->n_actions;
    }
    rc = dnt_world_step(w, a);
    if (rc != 0) break;
    dnt_world_observe(w, tel);
    rc = s->metric(s->ctx, alt, h, w, tel, a, metrics);
  }
  dnt_world_destroy(w);
  if (rc == 0) memcpy(p->values + (size_t)job * nm, metrics, nm * sizeof *metrics);
  return rc;
}

static void worker(void *arg) {
  job_pool *p = arg;
  const dnt_world_info *info = dnt_world_get_info(p->base);
  int n_jobs = p->spec->n_alternatives * p->spec->n_forks;
  double *tel = malloc(info->n_fields * sizeof *tel);
  double *act = calloc(info->n_actions + 1, sizeof *act);
  double *metrics = malloc((size_t)p->spec->n_metrics * sizeof *metrics);
  int rc =
      tel && act && metrics ? 0 : dnt_error(DNT_ERR_NOMEM, "what-if: out of memory for buffers");
  int job = -1;
  while (rc == 0) {
    job = atomic_fetch_add(&p->next, 1);
    if (job >= n_jobs) break;
    rc = run_fork(p, job, tel, act, metrics);
  }
  if (rc != 0) {
    atomic_store(&p->next, n_jobs); /* stop the others early */
    pthread_mutex_lock(&p->lock);
    if (p->rc == 0 || job < p->fail_job) {
      p->rc = rc;
      p->fail_job = job;
      snprintf(p->msg, sizeof p->msg, "%s", dnt_last_error());
    }
    pthread_mutex_unlock(&p->lock);
  }
  free(tel);
  free(act);
  free(metrics);
}

static int check_spec(const dnt_whatif_spec *s) {
  if (s->n_alternatives < 1 || s->n_forks < 1 || s->horizon < 1 || s->n_metrics < 1 ||
      s->threads < 1)
    return dnt_error(DNT_ERR_ARG,
                     "what-if: alternatives = %d, forks = %d, horizon = %d, metrics = %d, "
                     "threads = %d: expected each >= 1",
                     s->n_alternatives, s->n_forks, s->horizon, s->n_metrics, s->threads);
  if (!s->metric) return dnt_error(DNT_ERR_ARG, "what-if: spec.metric is required");
  return 0;
}

int dnt_whatif_run(const dnt_world *base, const dnt_whatif_spec *spec, dnt_whatif_result *out) {
  memset(out, 0, sizeof *out);
  int rc = check_spec(spec);
  if (rc != 0) return rc;
  size_t n_jobs = (size_t)spec->n_alternatives * (size_t)spec->n_forks;
  job_pool p = {.base = base, .spec = spec};
  p.values = calloc(n_jobs * (size_t)spec->n_metrics, sizeof *p.values);
  if (!p.values) return dnt_error(DNT_ERR_NOMEM, "what-if: out of memory for %zu forks", n_jobs);
  atomic_init(&p.next, 0);
  pthread_mutex_init(&p.lock, NULL);
  twin_pool_run(spec->threads < (int)n_jobs ? spec->threads : (int)n_jobs, worker, &p);
  pthread_mutex_destroy(&p.lock);
  if (p.rc != 0) {
    free(p.values);
    return dnt_error(p.rc, "what-if: alternative %d, fork %d: %s", p.fail_job / spec->n_forks,
                     p.fail_job % spec->n_forks, p.msg);
  }
  out->n_alternatives = spec->n_alternatives;
  out->n_forks = spec->n_forks;
  out->n_metrics = spec->n_metrics;
  out->values = p.values;
  return 0;
}

void dnt_whatif_result_free(dnt_whatif_result *r) {
  free(r->values);
  memset(r, 0, sizeof *r);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double quantile(const double *sorted, size_t n, double q) {
  double h = q * (double)(n - 1);
  size_t lo = (size_t)floor(h);
  size_t hi = lo + 1 < n ? lo + 1 : lo;
  return sorted[lo] + (h - (double)lo) * (sorted[hi] - sorted[lo]);
}

int dnt_dist_of(const double *x, size_t n, dnt_dist *out) {
  memset(out, 0, sizeof *out);
  if (n == 0) return dnt_error(DNT_ERR_ARG, "distribution of an empty sample");
  double *s = malloc(n * sizeof *s);
  if (!s) return dnt_error(DNT_ERR_NOMEM, "distribution: out of memory for %zu values", n);
  memcpy(s, x, n * sizeof *s);
  qsort(s, n, sizeof *s, cmp_double);
  double sum = 0, sq = 0;
  for (size_t i = 0; i < n; i++)
    sum += s[i];
  double mean = sum / (double)n;
  for (size_t i = 0; i < n; i++)
    sq += (s[i] - mean) * (s[i] - mean);
  *out = (dnt_dist){n,
                    mean,
                    n > 1 ? sqrt(sq / (double)(n - 1)) : 0,
                    s[0],
                    quantile(s, n, 0.05),
                    quantile(s, n, 0.25),
                    quantile(s, n, 0.5),
                    quantile(s, n, 0.75),
                    quantile(s, n, 0.95),
                    s[n - 1]};
  free(s);
  return 0;
}

int dnt_whatif_dist(const dnt_whatif_result *r, int alt, int metric, dnt_dist *out) {
  if (alt < 0 || alt >= r->n_alternatives || metric < 0 || metric >= r->n_metrics)
    return dnt_error(DNT_ERR_ARG, "what-if: alternative %d, metric %d: out of range (%d, %d)", alt,
                     metric, r->n_alternatives, r->n_metrics);
  double *x = malloc((size_t)r->n_forks * sizeof *x);
  if (!x) return dnt_error(DNT_ERR_NOMEM, "what-if: out of memory");
  for (int n = 0; n < r->n_forks; n++)
    x[n] = r->values[((size_t)alt * (size_t)r->n_forks + (size_t)n) * (size_t)r->n_metrics +
                     (size_t)metric];
  int rc = dnt_dist_of(x, (size_t)r->n_forks, out);
  free(x);
  return rc;
}
