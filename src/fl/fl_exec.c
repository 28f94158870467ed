/* src/fl/fl_exec.c: the in-process executor: the selected clients' local
 * training on `threads` POSIX threads.
 *
 * Job k goes to thread k mod threads; each job has its own random stream
 * (dnt_fl_client_rng) and its own update buffer, so the results do not depend
 * on the number of threads or on which finishes first. */
#include <pthread.h>
#include <stdlib.h>

#include "dnt/fl_server.h"
#include "dnt/status.h"

typedef struct exec_job {
  const dnt_fl_client *clients;
  const unsigned char *malicious;
  dnt_fl_data_poison poison;
  double poison_strength;
  uint64_t seed;
  const int *ids, *jobs;
  int m, round, stride, first;
  const float *global;
  size_t d;
  dnt_fl_update *ups;
  int *rcs;
} exec_job;

static void *exec_worker(void *arg) {
  const exec_job *j = arg;
  for (int k = j->first; k < j->m; k += j->stride) {
    int id = j->ids[k];
    dnt_rng rng;
    dnt_fl_client_rng(&rng, j->seed, id, j->jobs ? j->jobs[k] : j->round);
    int mal = j->malicious ? j->malicious[id] != 0 : 0;
    dnt_fl_train_args args = {
        j->global,          j->d, j->round, id, mal, mal ? j->poison : DNT_POISON_NONE,
        j->poison_strength, &rng};
    dnt_fl_update *u = &j->ups[k];
    u->client_id = id;
    u->base_round = j->round;
    u->n_samples = 1;
    u->compute_time = 0;
    u->d = j->d;
    j->rcs[k] = j->clients[id].local_train(j->clients[id].ctx, &args, u);
    u->client_id = id; /* the server's truth, whatever the client wrote */
    u->base_round = j->round;
  }
  return NULL;
}

int dnt_fl_train_local(const dnt_fl_client *clients, int n_clients, const unsigned char *malicious,
                       dnt_fl_data_poison poison, double poison_strength, uint64_t seed,
                       int threads, const int *ids, const int *jobs, int m, int round,
                       const float *global, size_t d, dnt_fl_update *ups, int *rcs) {
  (void)n_clients;
  if (threads < 1) threads = 1;
  if (threads > m) threads = m > 0 ? m : 1;
  if (threads > DNT_FL_MAX_THREADS) threads = DNT_FL_MAX_THREADS;
  exec_job work[DNT_FL_MAX_THREADS];
  pthread_t tid[DNT_FL_MAX_THREADS];
  for (int t = 0; t < threads; t++)
    work[t] = (exec_job){clients, malicious, poison, poison_strength, seed, ids, jobs, m,
                         round,   threads,   t,      global,          d,    ups, rcs};
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
