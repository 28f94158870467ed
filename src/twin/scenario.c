/* src/twin/scenario.c: mixture sampling with importance weights, in parallel
 * (dnt/scenario.h). Work is handed out in blocks of scenarios by an atomic
 * counter to the twin layer's parked workers (pool.c); scenario i owns its
 * stream, so blocks may run in any order. */
#include "dnt/scenario.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/status.h"
#include "pool_internal.h"

enum { BLOCK = 256 };

typedef struct gen_pool {
  const dnt_scenario_family *fam;
  dnt_alias proposal;
  double *ratio; /* (n_families) p_f / q_f */
  uint64_t seed;
  dnt_scenario_set *set;
  atomic_size_t next;
  pthread_mutex_t lock;
  int rc;
  size_t fail_at;
  char msg[512];
} gen_pool;

static void gen_worker(void *arg) {
  gen_pool *p = arg;
  dnt_scenario_set *s = p->set;
  int rc = 0;
  size_t i = 0;
  while (rc == 0) {
    size_t start = atomic_fetch_add(&p->next, BLOCK);
    if (start >= s->n) break;
    size_t end = start + BLOCK < s->n ? start + BLOCK : s->n;
    for (i = start; rc == 0 && i < end; i++) {
      dnt_rng rng;
      dnt_rng_for(&rng, p->seed, DNT_STREAM_SCENARIO, i);
      int f = (int)dnt_alias_sample(&p->proposal, &rng);
      s->family[i] = f;
      s->importance[i] = p->ratio[f];
      rc = p->fam[f].generate(p->fam[f].ctx, &rng, s->params + i * s->n_params);
    }
  }
  if (rc != 0) {
    atomic_store(&p->next, s->n);
    pthread_mutex_lock(&p->lock);
    if (p->rc == 0 || i - 1 < p->fail_at) {
      p->rc = rc;
      p->fail_at = i - 1;
      snprintf(p->msg, sizeof p->msg, "%s", dnt_last_error());
    }
    pthread_mutex_unlock(&p->lock);
  }
}

/* Natural and proposal probabilities -> importance ratio per family. */
static int mixture(const dnt_scenario_family *fam, int nf, double *q, double *ratio) {
  double sp = 0, sq = 0;
  for (int f = 0; f < nf; f++) {
    double o = fam[f].oversample < 0 ? fam[f].weight : fam[f].oversample;
    if (!(fam[f].weight >= 0 && isfinite(fam[f].weight) && isfinite(o)) || !fam[f].generate)
      return dnt_error(DNT_ERR_ARG,
                       "scenario family '%s': weight = %g, oversample = %g: "
                       "expected finite weights >= 0 and a generator",
                       fam[f].name, fam[f].weight, fam[f].oversample);
    if (fam[f].weight > 0 && !(o > 0))
      return dnt_error(DNT_ERR_ARG,
                       "scenario family '%s': weight %g > 0 but proposal weight "
                       "%g: every possible family must be sampled for an unbiased rate",
                       fam[f].name, fam[f].weight, o);
    q[f] = o;
    sp += fam[f].weight;
    sq += o;
  }
  if (!(sp > 0)) return dnt_error(DNT_ERR_ARG, "scenario families: total weight is 0");
  for (int f = 0; f < nf; f++)
    ratio[f] = q[f] > 0 ? (fam[f].weight / sp) / (q[f] / sq) : 0;
  return 0;
}

int dnt_scenario_generate(const dnt_scenario_family *fam, int n_families, size_t n_params, size_t n,
                          uint64_t seed, int threads, dnt_scenario_set *out) {
  memset(out, 0, sizeof *out);
  if (n_families < 1 || n == 0 || threads < 1)
    return dnt_error(DNT_ERR_ARG,
                     "scenarios: families = %d, n = %zu, threads = %d: expected "
                     ">= 1 each",
                     n_families, n, threads);
  gen_pool p = {.fam = fam, .seed = seed, .set = out};
  double *q = malloc((size_t)n_families * sizeof *q);
  p.ratio = malloc((size_t)n_families * sizeof *p.ratio);
  int rc = q && p.ratio ? mixture(fam, n_families, q, p.ratio)
                        : dnt_error(DNT_ERR_NOMEM, "scenarios: out of memory");
  if (rc == 0) rc = dnt_alias_init(&p.proposal, q, (size_t)n_families);
  free(q);
  if (rc != 0) {
    free(p.ratio);
    return rc;
  }
  out->n = n;
  out->n_params = n_params;
  out->n_families = n_families;
  out->family = malloc(n * sizeof *out->family);
  out->importance = malloc(n * sizeof *out->importance);
  out->params = calloc(n * n_params + 1, sizeof *out->params);
  if (!out->family || !out->importance || !out->params) {
    rc = dnt_error(DNT_ERR_NOMEM, "scenarios: out of memory for %zu scenarios", n);
  } else {
    atomic_init(&p.next, 0);
    pthread_mutex_init(&p.lock, NULL);
    int nt = (size_t)threads * BLOCK < n ? threads : (int)((n + BLOCK - 1) / BLOCK);
    twin_pool_run(nt, gen_worker, &p);
    pthread_mutex_destroy(&p.lock);
    if (p.rc != 0)
      rc = dnt_error(p.rc, "scenario %zu (family '%s'): %s", p.fail_at,
                     fam[out->family[p.fail_at]].name, p.msg);
  }
  dnt_alias_free(&p.proposal);
  free(p.ratio);
  if (rc != 0) dnt_scenario_set_free(out);
  return rc;
}

void dnt_scenario_set_free(dnt_scenario_set *s) {
  free(s->family);
  free(s->importance);
  free(s->params);
  memset(s, 0, sizeof *s);
}

int dnt_scenario_rate(const dnt_scenario_set *s, const double *y, dnt_rate *out) {
  memset(out, 0, sizeof *out);
  if (s->n == 0) return dnt_error(DNT_ERR_ARG, "scenario rate of an empty set");
  double n = (double)s->n, swy = 0, sy = 0, sw = 0, sw2 = 0;
  for (size_t i = 0; i < s->n; i++) {
    double w = s->importance[i];
    swy += w * y[i];
    sy += y[i];
    sw += w;
    sw2 += w * w;
  }
  double mean = swy / n, ss = 0;
  for (size_t i = 0; i < s->n; i++) {
    double d = s->importance[i] * y[i] - mean;
    ss += d * d;
  }
  out->rate = mean;
  out->se = s->n > 1 ? sqrt(ss / (n - 1) / n) : 0;
  out->naive = sy / n;
  out->ess = sw2 > 0 ? sw * sw / sw2 : 0;
  return 0;
}
