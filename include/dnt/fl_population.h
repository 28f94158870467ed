/* dnt/fl_population.h: the clients of a federation, as every server sees them.
 *
 * One struct says who the clients are and how they behave, for the
 * synchronous (dnt/fl_server.h), asynchronous (dnt/fl_async.h) and
 * hierarchical servers alike:
 *   count          n_clients and their local_train interfaces (dnt/fl_update.h);
 *   speeds         compute: each client's compute-time distribution;
 *   links          latency: each client's one-way link delay;
 *   participation  the probability that a client is online when the
 *                  synchronous server draws its participants;
 *   data           which clients are malicious and the data poisoning they do;
 *   groups         each client's group (cluster): the hierarchical level, and
 *                  the unit bytes are counted by; servers take a new grouping
 *                  mid-run (re-clustering) without losing model state;
 *   streams        seed (every client job's stream derives from it) and the
 *                  in-process training threads.
 * The asynchronous simulator draws arrival times from `compute` and `latency`
 * (DNT_STREAM_DELAY, one stream per client); the synchronous server applies
 * its deadline to the compute time each update reports.
 *
 * Randomness: job `job` of client c (its round in a synchronous server, its
 * dispatch count in the asynchronous one) trains with
 * dnt_rng_for(seed, DNT_STREAM_CLIENT, c | job << 24): the same numbers in any
 * order, on any thread, in process or over MPI.
 *
 * Ownership: the struct borrows every array; a server deep-copies it at
 * create (dnt_fl_population_copy), except `clients`, whose contexts stay the
 * caller's and must outlive the server. */
#ifndef DNT_FL_POPULATION_H
#define DNT_FL_POPULATION_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/fl_update.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A delay distribution in simulated seconds. */
typedef enum dnt_fl_dist_kind {
  DNT_DIST_CONST = 0, /* a */
  DNT_DIST_EXP,       /* exponential with mean a */
  DNT_DIST_UNIFORM,   /* uniform in [a, b] */
  DNT_DIST_LOGNORMAL  /* exp(N(a, b^2)) */
} dnt_fl_dist_kind;

typedef struct dnt_fl_dist {
  dnt_fl_dist_kind kind;
  double a, b;
} dnt_fl_dist;

double dnt_fl_dist_sample(const dnt_fl_dist *dist, dnt_rng *rng);

/* Clients at most: a client id takes the low 24 bits of its stream index. */
#define DNT_FL_MAX_CLIENTS (1 << 24)
/* Training threads at most (more are capped: the executor's thread table is
 * fixed, so that a round allocates nothing). */
#define DNT_FL_MAX_THREADS 64

typedef struct dnt_fl_population {
  int n_clients;                  /* 1..DNT_FL_MAX_CLIENTS */
  const dnt_fl_client *clients;   /* (n_clients) required; borrowed, outlives the servers */
  const dnt_fl_dist *compute;     /* (n_clients) or NULL = exponential, mean 1 */
  const dnt_fl_dist *latency;     /* (n_clients) one-way, or NULL = 0 */
  const double *participation;    /* (n_clients) in [0, 1], or NULL = always online */
  const unsigned char *malicious; /* (n_clients) or NULL = none */
  dnt_fl_data_poison poison;      /* what malicious clients do in training */
  double poison_strength;
  const int *groups; /* (n_clients) in [0, n_groups), or NULL = one group */
  int n_groups;      /* groups when `groups` is set (>= 1) */
  uint64_t seed;     /* of every client job's stream */
  int threads;       /* in-process training threads (1..DNT_FL_MAX_THREADS) */
} dnt_fl_population;

/* n_clients clients, borrowed; everything else off: one group, no malicious
 * client, always online, seed 1, one thread. */
dnt_fl_population dnt_fl_population_defaults(int n_clients, const dnt_fl_client *clients);

/* DNT_ERR_ARG naming the field and the value (prefix `who`, e.g. "FL server"). */
int dnt_fl_population_check(const dnt_fl_population *p, const char *who);

/* Deep copy of every array but `clients` (borrowed); dst is freed with
 * dnt_fl_population_free, never src's arrays. */
int dnt_fl_population_copy(dnt_fl_population *dst, const dnt_fl_population *src);
void dnt_fl_population_free(dnt_fl_population *p);

/* The group of client c (0 without groups). */
int dnt_fl_population_group(const dnt_fl_population *p, int c);
/* Groups counted (1 without groups). */
int dnt_fl_population_n_groups(const dnt_fl_population *p);

/* The random stream of client `client_id`'s job number `job`:
 * dnt_rng_for(seed, DNT_STREAM_CLIENT, client | job << 24). */
void dnt_fl_client_rng(dnt_rng *r, uint64_t seed, int client_id, int job);

/* The in-process executor: job k trains client ids[k] from `global` (server
 * version `round`) with the stream dnt_fl_client_rng(seed, ids[k], jobs ?
 * jobs[k] : round), on the population's threads; ups[k] (delta with room for
 * d floats) gets the update and rcs[k] local_train's status. Allocates
 * nothing. Returns 0 (a failing client is reported in rcs, not here). */
int dnt_fl_train_local(const dnt_fl_population *p, const int *ids, const int *jobs, int m,
                       int round, const float *global, size_t d, dnt_fl_update *ups, int *rcs);

#ifdef __cplusplus
}
#endif
#endif
