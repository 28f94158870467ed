/* dnt/rng.h: seedable random numbers with independent streams.
 *
 * Generator: xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 2021), 256-bit state, period 2^256-1.
 * Seeding: the 64-bit seed is expanded with SplitMix64, as the authors advise.
 * Streams (seed splitting): dnt_rng_stream(seed, id) seeds the state with
 * SplitMix64 of a 128-to-64-bit hash of (seed, id), so that agent i, client j and
 * scenario k each get their own sequence from one master seed, in any order;
 * dnt_rng_jump() advances by 2^128 draws for callers that want provably
 * non-overlapping subsequences of one generator.
 *
 * All state is in the caller-owned struct; nothing allocates except the alias
 * table and the Zipf sampler, which the caller frees. Not thread-safe per
 * object: give each thread its own stream. */
#ifndef DNT_RNG_H
#define DNT_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_rng {
  uint64_t s[4];
  double spare_normal; /* second Box-Muller/polar value */
  int has_spare;
} dnt_rng;

/* Seeds `r` from a 64-bit seed (any value, 0 included). O(1). */
void dnt_rng_seed(dnt_rng *r, uint64_t seed);

/* Seeds `r` as stream `stream` of master seed `seed`: the same (seed, stream)
 * gives the same sequence; different streams are statistically independent. */
void dnt_rng_stream(dnt_rng *r, uint64_t seed, uint64_t stream);

/* The table of random streams. Every consumer of randomness draws from
 * dnt_rng_for(seed, kind, index): the kind says who draws (below), the index
 * which one of them (client 3, scenario 41 999, fork 7). The stream id is
 * kind << 56 | index, so two consumers of different kinds never share a
 * stream whatever their indices (index < 2^56), and two of one kind differ
 * by index. Add a kind here, never reuse one for another consumer.
 *
 *   kind                   index                    who draws
 *   DNT_STREAM_WORLD       world instance           a physical world's own noise
 *   DNT_STREAM_CHANNEL     twin instance            the twin's sync channel (losses)
 *   DNT_STREAM_SITES       0                        generated BS sites
 *   DNT_STREAM_TRAFFIC     0                        generated traffic series
 *   DNT_STREAM_GRAPH       0, 1 + restart           graph building (0), clustering restart r
 *   DNT_STREAM_NET_INIT    model                    network weight initialisation
 *   DNT_STREAM_TRAIN       model                    minibatch sampling, shuffles
 *   DNT_STREAM_CLIENT      client | job << 24       an FL client's local training
 *   DNT_STREAM_SERVER      round                    an FL server's own draws
 *   DNT_STREAM_ATTACK      round                    the attackers' draws
 *   DNT_STREAM_TASK        client                   a federated task's data (optima, samples)
 *   DNT_STREAM_AGENT       agent                    an RL agent's exploration and replay
 *   DNT_STREAM_ENV         env instance             instance i of a vector environment
 *   DNT_STREAM_SCENARIO    scenario                 generated scenario i
 *   DNT_STREAM_FORK        fork                     what-if fork n (common random numbers)
 *   DNT_STREAM_SELECTION   round or evaluation      participant selection, model selection
 *   DNT_STREAM_EVAL        episode                  final evaluation episodes
 *   DNT_STREAM_DATA        series                   data generation and splitting in studies
 *   DNT_STREAM_DELAY       client                   an FL client's simulated compute and link
 * delays
 */
typedef enum dnt_stream_kind {
  DNT_STREAM_WORLD = 1,
  DNT_STREAM_CHANNEL,
  DNT_STREAM_SITES,
  DNT_STREAM_TRAFFIC,
  DNT_STREAM_GRAPH,
  DNT_STREAM_NET_INIT,
  DNT_STREAM_TRAIN,
  DNT_STREAM_CLIENT,
  DNT_STREAM_SERVER,
  DNT_STREAM_ATTACK,
  DNT_STREAM_TASK,
  DNT_STREAM_AGENT,
  DNT_STREAM_ENV,
  DNT_STREAM_SCENARIO,
  DNT_STREAM_FORK,
  DNT_STREAM_SELECTION,
  DNT_STREAM_EVAL,
  DNT_STREAM_DATA,
  DNT_STREAM_DELAY,
  DNT_STREAM_KIND_END /* one past the last kind */
} dnt_stream_kind;

/* The stream id of (kind, index): kind << 56 | index. Asserts index < 2^56. */
uint64_t dnt_stream_id(dnt_stream_kind kind, uint64_t index);
/* dnt_rng_stream(r, seed, dnt_stream_id(kind, index)). */
void dnt_rng_for(dnt_rng *r, uint64_t seed, dnt_stream_kind kind, uint64_t index);
/* The kind's name in the table above ("world", "client", ...), or NULL. */
const char *dnt_stream_kind_name(dnt_stream_kind kind);

/* Advances `r` by 2^128 draws (the reference jump polynomial). O(256). */
void dnt_rng_jump(dnt_rng *r);

uint64_t dnt_rng_u64(dnt_rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double dnt_rng_uniform(dnt_rng *r);
/* Uniform integer in [0, n), unbiased (Lemire's method). n must be > 0. */
uint64_t dnt_rng_below(dnt_rng *r, uint64_t n);
/* Normal(mean, sd) by the Marsaglia polar method. */
double dnt_rng_normal(dnt_rng *r, double mean, double sd);
/* Exponential with the given rate (> 0): mean 1/rate. */
double dnt_rng_exponential(dnt_rng *r, double rate);
/* Gamma(shape, scale), shape > 0 (Marsaglia and Tsang 2000; shape < 1 boosted). */
double dnt_rng_gamma(dnt_rng *r, double shape, double scale);
/* Fisher-Yates shuffle of n ints. */
void dnt_rng_shuffle_int(dnt_rng *r, int *a, size_t n);

/* Walker/Vose alias table: O(n) build, O(1) draw of a categorical index. */
typedef struct dnt_alias {
  size_t n;
  double *prob;    /* (n) acceptance probability of column i */
  uint32_t *alias; /* (n) alternative index of column i */
} dnt_alias;

/* Builds the table from n >= 1 non-negative weights (not necessarily normalised;
 * their sum must be > 0 and finite). Returns DNT_ERR_ARG on bad weights,
 * DNT_ERR_NOMEM. The caller frees with dnt_alias_free(). */
int dnt_alias_init(dnt_alias *t, const double *weights, size_t n);
size_t dnt_alias_sample(const dnt_alias *t, dnt_rng *r);
void dnt_alias_free(dnt_alias *t);

/* Zipf over a finite catalogue: P(rank k) = k^-s / H(n, s), k = 1..n.
 * Sampled through an alias table (O(n) build, O(1) draw). Returns 0-based rank. */
typedef struct dnt_zipf {
  double s;
  double harmonic; /* H(n, s) = sum_k k^-s */
  dnt_alias table;
} dnt_zipf;

int dnt_zipf_init(dnt_zipf *z, size_t n, double s);
size_t dnt_zipf_sample(const dnt_zipf *z, dnt_rng *r);
/* Probability of 0-based rank k. */
double dnt_zipf_pmf(const dnt_zipf *z, size_t k);
void dnt_zipf_free(dnt_zipf *z);

#ifdef __cplusplus
}
#endif
#endif
