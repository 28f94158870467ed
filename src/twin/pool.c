/* src/twin/pool.c: parked worker threads for the twin layer
 * (pool_internal.h).
 *
 * Workload: the security study evaluates tens of thousands of scenarios, one
 * what-if call each, of 2 alternatives x 8 forks x 24 steps (about 1 ms of
 * work). Starting a thread per call cost a sizeable share of that and, worse,
 * the new thread started so late that the calling thread did 70 to 80% of the
 * forks (bench/twin/bench_whatif.c). Here the workers are started once and
 * wait on a condition variable; a call publishes (fn, arg) as a new
 * generation, wakes them, works itself, then closes the generation (no
 * worker joins after that) and waits for the workers that joined. A worker
 * that wakes after the close sees it and goes back to sleep, so a slow
 * wake-up never holds the caller.
 *
 * Nothing is freed at exit: the workers stay parked until the process ends
 * (their stacks are the only resource, and they are not heap memory). */
#include "pool_internal.h"

#include <pthread.h>
#include <stdint.h>

enum { POOL_MAX_WORKERS = 64 };

static struct {
  pthread_mutex_t lock; /* guards everything below */
  pthread_cond_t wake;  /* a new generation is open */
  pthread_cond_t done;  /* a joined worker finished */
  int held;             /* a call holds the pool */
  int n_workers;        /* started so far */
  uint64_t generation;  /* of the current call */
  int open;             /* workers may still join it */
  int want, joined, running;
  void (*fn)(void *);
  void *arg;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};

static void *worker(void *unused) {
  (void)unused;
  uint64_t seen = 0;
  pthread_mutex_lock(&pool.lock);
  for (;;) {
    while (pool.generation == seen)
      pthread_cond_wait(&pool.wake, &pool.lock);
    seen = pool.generation;
    if (!pool.open || pool.joined >= pool.want) continue;
    pool.joined++;
    pool.running++;
    void (*fn)(void *) = pool.fn;
    void *arg = pool.arg;
    pthread_mutex_unlock(&pool.lock);
    fn(arg);
    pthread_mutex_lock(&pool.lock);
    if (--pool.running == 0) pthread_cond_signal(&pool.done);
  }
  return NULL;
}

int twin_pool_run(int threads, void (*fn)(void *arg), void *arg) {
  int want = threads - 1;
  if (want > POOL_MAX_WORKERS) want = POOL_MAX_WORKERS;
  pthread_mutex_lock(&pool.lock);
  if (want < 1 || pool.held) { /* serial, or nested in / concurrent with another call */
    pthread_mutex_unlock(&pool.lock);
    fn(arg);
    return 1;
  }
  pool.held = 1;
  while (pool.n_workers < want) {
    pthread_t tid;
    if (pthread_create(&tid, NULL, worker, NULL) != 0) break;
    pthread_detach(tid);
    pool.n_workers++;
  }
  if (want > pool.n_workers) want = pool.n_workers;
  pool.generation++;
  pool.open = 1;
  pool.want = want;
  pool.joined = 0;
  pool.fn = fn;
  pool.arg = arg;
  if (want > 0) pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  fn(arg);
  pthread_mutex_lock(&pool.lock);
  pool.open = 0; /* no worker joins from here on */
  while (pool.running > 0)
    pthread_cond_wait(&pool.done, &pool.lock);
  int ran = 1 + pool.joined;
  pool.held = 0;
  pthread_mutex_unlock(&pool.lock);
  return ran;
}
