/* src/twin/pool_internal.h: the twin layer's worker threads (pool.c), shared
 * by the what-if forks and scenario generation. */
#ifndef DNT_TWIN_POOL_INTERNAL_H
#define DNT_TWIN_POOL_INTERNAL_H

/* Runs fn(arg) on the calling thread and on up to threads - 1 parked workers
 * at once, and returns when every call that started has returned. fn hands
 * out its own work (an atomic counter in arg) and must return once there is
 * none left: a worker may join late, after the caller has drained the work.
 * The workers are started on first need and kept for the next calls, so a
 * call costs a wake-up, not a thread start. One call holds the pool at a
 * time: a call made while another holds it (from a callback of the other, or
 * from another thread) runs fn on its calling thread only. threads <= 1, or
 * workers that cannot be started, give fewer threads, never an error: the
 * callers' results do not depend on the thread count. Returns the number of
 * threads that ran fn (>= 1). */
int twin_pool_run(int threads, void (*fn)(void *arg), void *arg);

#endif
