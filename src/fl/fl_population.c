/* src/fl/fl_population.c: the clients of a federation (dnt/fl_population.h):
 * checks and copies, the client streams, the delay distributions and the
 * in-process executor.
 *
 * The executor runs the selected clients' local training on POSIX threads:
 * job k goes to thread k mod threads; each job has its own random stream and
 * its own update buffer, so the results do not depend on the number of
 * threads or on which finishes first. Its thread table is fixed
 * (DNT_FL_MAX_THREADS), so a round allocates nothing. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/fl_population.h"
#include "dnt/status.h"

dnt_fl_population dnt_fl_population_defaults(int n_clients, const dnt_fl_client *clients) {
  dnt_fl_population p;
  memset(&p, 0, sizeof p);
  p.n_clients = n_clients;
  p.clients = clients;
  p.n_groups = 1;
  p.seed = 1;
  p.threads = 1;
  return p;
}

static int check_dist(const dnt_fl_dist *v, int n, const char *who, const char *field) {
  for (int i = 0; v && i < n; i++)
    if ((unsigned)v[i].kind > DNT_DIST_LOGNORMAL || !isfinite(v[i].a) || !isfinite(v[i].b))
      return dnt_error(DNT_ERR_ARG,
                       "%s: field 'population.%s[%d]' = (%d, %g, %g): expected a "
                       "known distribution with finite parameters",
                       who, field, i, (int)v[i].kind, v[i].a, v[i].b);
  return 0;
}

int dnt_fl_population_check(const dnt_fl_population *p, const char *who) {
  if (p->n_clients < 1 || p->n_clients > DNT_FL_MAX_CLIENTS)
    return dnt_error(DNT_ERR_ARG, "%s: field 'population.n_clients' = %d: expected 1..%d", who,
                     p->n_clients, DNT_FL_MAX_CLIENTS);
  if (!p->clients) return dnt_error(DNT_ERR_ARG, "%s: field 'population.clients' is NULL", who);
  if (p->threads < 1 || p->threads > DNT_FL_MAX_THREADS)
    return dnt_error(DNT_ERR_ARG, "%s: field 'population.threads' = %d: expected 1..%d", who,
                     p->threads, DNT_FL_MAX_THREADS);
  int rc = check_dist(p->compute, p->n_clients, who, "compute");
  if (!rc) rc = check_dist(p->latency, p->n_clients, who, "latency");
  if (rc) return rc;
  for (int i = 0; p->participation && i < p->n_clients; i++)
    if (!(p->participation[i] >= 0 && p->participation[i] <= 1))
      return dnt_error(DNT_ERR_ARG,
                       "%s: field 'population.participation[%d]' = %g: expected [0, 1]", who, i,
                       p->participation[i]);
  if (p->groups) {
    if (p->n_groups < 1)
      return dnt_error(DNT_ERR_ARG, "%s: field 'population.n_groups' = %d: expected >= 1", who,
                       p->n_groups);
    for (int i = 0; i < p->n_clients; i++)
      if (p->groups[i] < 0 || p->groups[i] >= p->n_groups)
        return dnt_error(DNT_ERR_ARG, "%s: field 'population.groups[%d]' = %d: expected 0..%d", who,
                         i, p->groups[i], p->n_groups - 1);
  }
  return 0;
}

/* A copy of n bytes of src, or NULL when src is NULL; *fail set on NOMEM. */
static void *dup_array(const void *src, size_t n, int *fail) {
  if (!src) return NULL;
  void *c = malloc(n ? n : 1);
  if (!c) {
    *fail = 1;
    return NULL;
  }
  return memcpy(c, src, n);
}

int dnt_fl_population_copy(dnt_fl_population *dst, const dnt_fl_population *src) {
  size_t n = (size_t)src->n_clients;
  int fail = 0;
  *dst = *src;
  dst->compute = dup_array(src->compute, n * sizeof *src->compute, &fail);
  dst->latency = dup_array(src->latency, n * sizeof *src->latency, &fail);
  dst->participation = dup_array(src->participation, n * sizeof *src->participation, &fail);
  dst->malicious = dup_array(src->malicious, n, &fail);
  dst->groups = dup_array(src->groups, n * sizeof *src->groups, &fail);
  if (!src->groups) dst->n_groups = 1;
  if (fail) {
    dnt_fl_population_free(dst);
    return dnt_error(DNT_ERR_NOMEM, "FL population: out of memory (%zu clients)", n);
  }
  return 0;
}

void dnt_fl_population_free(dnt_fl_population *p) {
  free((void *)p->compute);
  free((void *)p->latency);
  free((void *)p->participation);
  free((void *)p->malicious);
  free((void *)p->groups);
  p->compute = p->latency = NULL;
  p->participation = NULL;
  p->malicious = NULL;
  p->groups = NULL;
}

int dnt_fl_population_group(const dnt_fl_population *p, int c) {
  return p->groups ? p->groups[c] : 0;
}

int dnt_fl_population_n_groups(const dnt_fl_population *p) {
  return p->groups ? p->n_groups : 1;
}

void dnt_fl_client_rng(dnt_rng *r, uint64_t seed, int client_id, int job) {
  dnt_rng_for(r, seed, DNT_STREAM_CLIENT,
              (uint64_t)(uint32_t)client_id | (uint64_t)(uint32_t)job << 24);
}

double dnt_fl_dist_sample(const dnt_fl_dist *dist, dnt_rng *rng) {
  switch (dist->kind) {
  case DNT_DIST_EXP:
    return dist->a > 0 ? dnt_rng_exponential(rng, 1.0 / dist->a) : 0;
  case DNT_DIST_UNIFORM:
    return dist->a + (dist->b - dist->a) * dnt_rng_uniform(rng);
  case DNT_DIST_LOGNORMAL:
    return exp(dnt_rng_normal(rng, dist->a, dist->b));
  default:
    return dist->a;
  }
}

typedef struct exec_job {
  const dnt_fl_population *p;
  const int *ids, *jobs;
  int m, round, stride, first;
  const float *global;
  size_t d;
  dnt_fl_update *ups;
  int *rcs;
} exec_job;

static void *exec_worker(void *arg) {
  const exec_job *j = arg;
  const dnt_fl_population *p = j->p;
  for (int k = j->first; k < j->m; k += j->stride) {
    int id = j->ids[k];
    dnt_rng rng;
    dnt_fl_client_rng(&rng, p->seed, id, j->jobs ? j->jobs[k] : j->round);
    int mal = p->malicious ? p->malicious[id] != 0 : 0;
    dnt_fl_train_args args = {
        j->global,          j->d, j->round, id, mal, mal ? p->poison : DNT_POISON_NONE,
        p->poison_strength, &rng};
    dnt_fl_update *u = &j->ups[k];
    u->client_id = id;
    u->base_round = j->round;
    u->n_samples = 1;
    u->compute_time = 0;
    u->d = j->d;
    j->rcs[k] = p->clients[id].local_train(p->clients[id].ctx, &args, u);
    u->client_id = id; /* the server's truth, whatever the client wrote */
    u->base_round = j->round;
  }
  return NULL;
}

int dnt_fl_train_local(const dnt_fl_population *p, const int *ids, const int *jobs, int m,
                       int round, const float *global, size_t d, dnt_fl_update *ups, int *rcs) {
  int threads = p->threads;
  if (threads > m) threads = m > 0 ? m : 1;
  if (threads > DNT_FL_MAX_THREADS) threads = DNT_FL_MAX_THREADS;
  if (threads < 1) threads = 1;
  exec_job work[DNT_FL_MAX_THREADS];
  pthread_t tid[DNT_FL_MAX_THREADS];
  for (int t = 0; t < threads; t++)
    work[t] = (exec_job){p, ids, jobs, m, round, threads, t, global, d, ups, rcs};
  int started = 1;
  for (int t = 1; t < threads; t++, started++)
    if (pthread_create(&tid[t], NULL, exec_worker, &work[t])) break;
  /* thread 0's share runs here; shares of threads that failed to start too */
  exec_worker(&work[0]);
  for (int t = started; t < threads; t++)
    exec_worker(&work[t]);
  for (int t = 1; t < started; t++)
    pthread_join(tid[t], NULL);
  return 0;
}
