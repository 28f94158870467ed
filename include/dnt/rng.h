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
