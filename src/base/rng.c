/* rng.c: xoshiro256** and the distributions built on it.
 *
 * xoshiro256** 1.0 and its jump polynomial are transcribed from the reference
 * implementation by Blackman and Vigna (prng.di.unimi.it, public domain);
 * SplitMix64 (Steele, Lea and Flood, OOPSLA 2014) expands a 64-bit seed into
 * the 256-bit state. Distributions: Lemire's multiply-shift rejection for
 * bounded integers (ACM TOMACS 2019), the Marsaglia polar method for normals,
 * inversion for exponentials, Marsaglia and Tsang (ACM TOMS 2000) for gamma,
 * Fisher-Yates (Durstenfeld) shuffling, and Vose's alias method (IEEE TSE 1991)
 * for categorical draws, which also serves the Zipf sampler. */
#include "dnt/rng.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "dnt/status.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

void dnt_rng_seed(dnt_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&x);
  r->spare_normal = 0.0;
  r->has_spare = 0;
}

void dnt_rng_stream(dnt_rng *r, uint64_t seed, uint64_t stream) {
  /* Hash (seed, stream) to 64 bits: for a fixed seed the map from stream to
   * hash is a bijection (odd multiplier, xor, SplitMix64's bijective finaliser),
   * so two streams of one seed never share a state. */
  uint64_t a = seed;
  uint64_t key = splitmix64(&a) ^ (stream * UINT64_C(0xd1342543de82ef95));
  uint64_t mixed = splitmix64(&key);
  dnt_rng_seed(r, mixed);
}

uint64_t dnt_stream_id(dnt_stream_kind kind, uint64_t index) {
  assert(kind > 0 && kind < DNT_STREAM_KIND_END && index < (UINT64_C(1) << 56));
  return (uint64_t)kind << 56 | index;
}

void dnt_rng_for(dnt_rng *r, uint64_t seed, dnt_stream_kind kind, uint64_t index) {
  dnt_rng_stream(r, seed, dnt_stream_id(kind, index));
}

const char *dnt_stream_kind_name(dnt_stream_kind kind) {
  static const char *const names[DNT_STREAM_KIND_END] = {
      [DNT_STREAM_WORLD] = "world",   [DNT_STREAM_CHANNEL] = "channel",
      [DNT_STREAM_SITES] = "sites",   [DNT_STREAM_TRAFFIC] = "traffic",
      [DNT_STREAM_GRAPH] = "graph",   [DNT_STREAM_NET_INIT] = "net_init",
      [DNT_STREAM_TRAIN] = "train",   [DNT_STREAM_CLIENT] = "client",
      [DNT_STREAM_SERVER] = "server", [DNT_STREAM_ATTACK] = "attack",
      [DNT_STREAM_TASK] = "task",     [DNT_STREAM_AGENT] = "agent",
      [DNT_STREAM_ENV] = "env",       [DNT_STREAM_SCENARIO] = "scenario",
      [DNT_STREAM_FORK] = "fork",     [DNT_STREAM_SELECTION] = "selection",
      [DNT_STREAM_EVAL] = "eval",     [DNT_STREAM_DATA] = "data",
      [DNT_STREAM_DELAY] = "delay"};
  return kind > 0 && kind < DNT_STREAM_KIND_END ? names[kind] : NULL;
}

uint64_t dnt_rng_u64(dnt_rng *r) {
  uint64_t *s = r->s;
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

void dnt_rng_jump(dnt_rng *r) {
  static const uint64_t jump[4] = {UINT64_C(0x180ec6d33cfd0aba), UINT64_C(0xd5a61266f0c9392c),
                                   UINT64_C(0xa9582618e03fc9aa), UINT64_C(0x39abdc4529b1661c)};
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (int i = 0; i < 4; i++) {
    for (int b = 0; b < 64; b++) {
      if (jump[i] & (UINT64_C(1) << b)) {
        s0 ^= r->s[0];
        s1 ^= r->s[1];
        s2 ^= r->s[2];
        s3 ^= r->s[3];
      }
      dnt_rng_u64(r);
    }
  }
  r->s[0] = s0;
  r->s[1] = s1;
  r->s[2] = s2;
  r->s[3] = s3;
  r->has_spare = 0;
}

double dnt_rng_uniform(dnt_rng *r) {
  return (double)(dnt_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t dnt_rng_below(dnt_rng *r, uint64_t n) {
  assert(n > 0 && "dnt_rng_below: empty range");
  /* Lemire: the high word of x * n is uniform on [0, n) once the low word
   * avoids the 2^64 mod n values that would over-represent some results. */
  unsigned __int128 m = (unsigned __int128)dnt_rng_u64(r) * n;
  uint64_t low = (uint64_t)m;
  if (low < n) {
    uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = (unsigned __int128)dnt_rng_u64(r) * n;
      low = (uint64_t)m;
    }
  }
  return (uint64_t)(m >> 64);
}

double dnt_rng_normal(dnt_rng *r, double mean, double sd) {
  if (r->has_spare) {
    r->has_spare = 0;
    return mean + sd * r->spare_normal;
  }
  double u, v, s;
  do {
    u = 2.0 * dnt_rng_uniform(r) - 1.0;
    v = 2.0 * dnt_rng_uniform(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  double f = sqrt(-2.0 * log(s) / s);
  r->spare_normal = v * f;
  r->has_spare = 1;
  return mean + sd * u * f;
}

double dnt_rng_exponential(dnt_rng *r, double rate) {
  assert(rate > 0.0 && "dnt_rng_exponential: rate must be > 0");
  /* 1 - U lies in (0, 1], so the logarithm is finite. */
  return -log1p(-dnt_rng_uniform(r)) / rate;
}

double dnt_rng_gamma(dnt_rng *r, double shape, double scale) {
  assert(shape > 0.0 && "dnt_rng_gamma: shape must be > 0");
  if (shape < 1.0) {
    /* Gamma(a) = Gamma(a + 1) * U^(1/a) (Marsaglia and Tsang, section 6). */
    double u = 1.0 - dnt_rng_uniform(r);
    return dnt_rng_gamma(r, shape + 1.0, scale) * pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = dnt_rng_normal(r, 0.0, 1.0);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    double u = dnt_rng_uniform(r);
    double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v * scale; /* squeeze */
    if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) return d * v * scale;
  }
}

void dnt_rng_shuffle_int(dnt_rng *r, int *a, size_t n) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)dnt_rng_below(r, i);
    int t = a[i - 1];
    a[i - 1] = a[j];
    a[j] = t;
  }
}

int dnt_alias_init(dnt_alias *t, const double *weights, size_t n) {
  t->n = 0;
  t->prob = NULL;
  t->alias = NULL;
  if (n == 0 || n > UINT32_MAX)
    return dnt_error(DNT_ERR_ARG, "alias table: %zu weights: expected 1 to 2^32-1", n);
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!(weights[i] >= 0.0) || !isfinite(weights[i]))
      return dnt_error(DNT_ERR_ARG, "alias table: weight[%zu] = %g: expected finite and >= 0", i,
                       weights[i]);
    sum += weights[i];
  }
  if (!(sum > 0.0) || !isfinite(sum))
    return dnt_error(DNT_ERR_ARG, "alias table: weights sum to %g: expected finite and > 0", sum);

  t->prob = malloc(n * sizeof *t->prob);
  t->alias = malloc(n * sizeof *t->alias);
  uint32_t *work = malloc(n * sizeof *work); /* small from the front, large from the back */
  if (!t->prob || !t->alias || !work) {
    free(work);
    dnt_alias_free(t);
    return dnt_error(DNT_ERR_NOMEM, "alias table: cannot allocate %zu entries", n);
  }
  size_t n_small = 0, n_large = 0;
  for (size_t i = 0; i < n; i++) {
    t->prob[i] = weights[i] * (double)n / sum; /* scaled so that the mean is 1 */
    if (t->prob[i] < 1.0)
      work[n_small++] = (uint32_t)i;
    else
      work[n - 1 - n_large++] = (uint32_t)i;
  }
  /* Vose: pair each under-full column with an over-full one that tops it up. */
  while (n_small > 0 && n_large > 0) {
    uint32_t small = work[--n_small];
    uint32_t large = work[n - n_large];
    t->alias[small] = large;
    t->prob[large] -= 1.0 - t->prob[small];
    if (t->prob[large] < 1.0) {
      n_large--;
      work[n_small++] = large;
    }
  }
  /* What remains is full up to rounding error. */
  while (n_large > 0) {
    uint32_t i = work[n - n_large--];
    t->prob[i] = 1.0;
    t->alias[i] = i;
  }
  while (n_small > 0) {
    uint32_t i = work[--n_small];
    t->prob[i] = 1.0;
    t->alias[i] = i;
  }
  free(work);
  t->n = n;
  return DNT_OK;
}

size_t dnt_alias_sample(const dnt_alias *t, dnt_rng *r) {
  size_t i = (size_t)dnt_rng_below(r, t->n);
  return dnt_rng_uniform(r) < t->prob[i] ? i : t->alias[i];
}

void dnt_alias_free(dnt_alias *t) {
  free(t->prob);
  free(t->alias);
  t->prob = NULL;
  t->alias = NULL;
  t->n = 0;
}

int dnt_zipf_init(dnt_zipf *z, size_t n, double s) {
  z->s = s;
  z->harmonic = 0.0;
  z->table = (dnt_alias){0, NULL, NULL};
  if (n == 0 || !isfinite(s) || s < 0.0)
    return dnt_error(DNT_ERR_ARG, "zipf: n = %zu, s = %g: expected n >= 1 and finite s >= 0", n, s);
  double *w = malloc(n * sizeof *w);
  if (!w) return dnt_error(DNT_ERR_NOMEM, "zipf: cannot allocate %zu weights", n);
  for (size_t k = 0; k < n; k++) {
    w[k] = pow((double)(k + 1), -s);
    z->harmonic += w[k];
  }
  int rc = dnt_alias_init(&z->table, w, n);
  free(w);
  return rc;
}

size_t dnt_zipf_sample(const dnt_zipf *z, dnt_rng *r) {
  return dnt_alias_sample(&z->table, r);
}

double dnt_zipf_pmf(const dnt_zipf *z, size_t k) {
  if (k >= z->table.n) return 0.0;
  return pow((double)(k + 1), -z->s) / z->harmonic;
}

void dnt_zipf_free(dnt_zipf *z) {
  dnt_alias_free(&z->table);
}
