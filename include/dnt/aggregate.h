/* dnt/aggregate.h: aggregation rules for federated learning, robust and not.
 *
 * Input: n updates as the rows of one row-major matrix X (n, d), a weight per
 * row (sample counts, possibly times staleness factors) and the assumed number
 * f of Byzantine rows. Output: the aggregate (d) and, per row, how much of it
 * was used (kept[i] in [0, 1]: 1 kept, 0 dropped; for the coordinate-wise rules
 * the number of coordinates where the row's value was used, and for FLTrust
 * the trust score, each relative to the average row and capped at 1), so that
 * detection precision and recall can be computed when the truth is known (an
 * update counts as detected when kept < 0.5, i.e. used at less than half the
 * average rate).
 *
 * Rules (paper, equation; details and defaults in docs/FL.md):
 *   MEAN       FedAvg, McMahan et al. 2017: sum_i w_i x_i / sum_i w_i.     O(nd)
 *   MEDIAN     coordinate-wise median, Yin et al. 2018 (mean of the two
 *              middle values when n is even).                      needs n >= 2f+1, O(nd)
 *   TRMEAN     coordinate-wise trimmed mean: drop the f largest and f smallest
 *              per coordinate, average the rest (Yin et al. 2018). needs n >= 2f+1, O(nd)
 *   KRUM       Blanchard et al. 2017: score_i = sum of squared distances to the
 *              n-f-2 nearest others; the lowest score wins.        needs n >= 2f+3,
 *              O(n^2 d) through the Gram matrix (ssyrk), not n^2 vector
 *              loops (see dnt_agg_pairwise_dist2)
 *   MULTIKRUM  average (weighted) of the m lowest Krum scores (m = n - f by
 *              default).                                           needs n >= 2f+3
 *   BULYAN     El Mhamdi et al. 2018: theta = n - 2f rows chosen by repeated
 *              Krum, then per coordinate the beta = theta - 2f values closest
 *              to the median are averaged.                         needs n >= 4f+3
 *   GEOMED     geometric median (RFA, Pillutla et al. 2022) by smoothed
 *              Weiszfeld iterations z <- sum_i b_i x_i / sum_i b_i,
 *              b_i = w_i / max(nu, ||x_i - z||), iterated in the span of the
 *              rows: one Gram matrix, O(n^2) per iteration, one
 *              sgemv; stops when ||z' - z|| < tol times the rows' median
 *              distance to the Gram matrix's origin (0 or a central row,
 *              see dnt_agg_pairwise_dist2).                     needs n >= 2f+1
 *   CCLIP      centered clipping, Karimireddy et al. 2021 (Alg. 2):
 *              v <- v + (1/n) sum_i (x_i - v) min(1, tau / ||x_i - v||),
 *              L iterations from v0 = `center` or the coordinate-wise median;
 *              tau = 0 picks the median of ||x_i - v0||.          needs n >= 2f+1
 *   FLTRUST    Cao et al. NDSS 2021: TS_i = ReLU(cos(x_i, g0)); x_i rescaled to
 *              ||g0||; aggregate sum_i TS_i x_i / sum_i TS_i, with the caller's
 *              root update g0 (`root`). All TS_i = 0 gives the zero update.
 *   GLID       GLID-style percentile filter (the paper's authors, IEEE IoT-J
 *              2024): per coordinate keep the values within the [lo, hi]
 *              percentile band of the n values (linear interpolation) and
 *              average them; by default the band follows f:
 *              [100 f/n, 100 (n-f)/n], the f lowest and highest out.  O(nd)
 *   DNC        Divide-and-Conquer, Shejwalkar & Houmansadr NDSS 2021 (Alg. 2):
 *              `dnc_iters` times, sample `dnc_subdim` coordinates, centre them,
 *              take the top right singular vector v (power iteration), score
 *              s_i = ((x_i - mu) . v)^2, drop the c f highest; keep rows never
 *              dropped; average them.                              needs n > c f
 * Pre-aggregators, applied before the rule:
 *   NNM        nearest-neighbour mixing, Allouah et al. AISTATS 2023: each row
 *              is replaced by the mean of its n - f nearest rows (itself
 *              included), one ssyrk + one sgemm.                    needs n >= 2f+1
 *   BUCKETING  Karimireddy et al. ICLR 2022: shuffle, average buckets of s
 *              rows; the rule sees ceil(n/s) rows and the same f.
 * A rule given fewer rows than it needs returns DNT_ERR_ARG saying so; it never
 * falls back silently to another rule.
 *
 * Ownership and cost: dnt_agg_create allocates every workspace for up to max_n
 * rows of d floats once; dnt_agg_run allocates nothing. The aggregator is not
 * thread-safe (one per thread); BLAS threads follow dnt_blas_set_threads. Given
 * the same inputs, the same rng state and the same BLAS thread count the
 * result is bit-identical (OpenBLAS may sum in another order with another
 * count). */
#ifndef DNT_AGGREGATE_H
#define DNT_AGGREGATE_H

#include <stddef.h>

#include "dnt/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnt_agg_rule {
  DNT_AGG_MEAN = 0,
  DNT_AGG_MEDIAN,
  DNT_AGG_TRMEAN,
  DNT_AGG_KRUM,
  DNT_AGG_MULTIKRUM,
  DNT_AGG_BULYAN,
  DNT_AGG_GEOMED,
  DNT_AGG_CCLIP,
  DNT_AGG_FLTRUST,
  DNT_AGG_GLID,
  DNT_AGG_DNC,
  DNT_AGG_N_RULES
} dnt_agg_rule;

typedef enum dnt_agg_pre {
  DNT_AGG_PRE_NONE = 0,
  DNT_AGG_PRE_NNM,
  DNT_AGG_PRE_BUCKETING,
  DNT_AGG_N_PRE
} dnt_agg_pre;

typedef struct dnt_agg_params {
  dnt_agg_rule rule;
  int f;               /* assumed Byzantine rows (>= 0) */
  dnt_agg_pre pre;     /* pre-aggregator */
  int bucket_size;     /* BUCKETING: s >= 1 (default 2) */
  int multikrum_m;     /* MULTIKRUM: rows averaged; 0 = n - f */
  int geomed_iters;    /* GEOMED: Weiszfeld iterations (default 100) */
  double geomed_tol;   /* GEOMED: stop when the change < tol x the rows' spread (1e-6) */
  double geomed_nu;    /* GEOMED: smoothing nu (1e-6) */
  double cclip_tau;    /* CCLIP: radius; 0 = median of ||x_i - v0|| (default 0) */
  int cclip_iters;     /* CCLIP: L (default 3) */
  const float *center; /* CCLIP: v0 (d), e.g. last round's aggregate; NULL = median. Borrowed */
  const float *root;   /* FLTRUST: server root update g0 (d); required. Borrowed */
  double glid_lo;      /* GLID: lower percentile in [0, 100]; < 0 (default) = 100 f / n */
  double glid_hi;      /* GLID: upper percentile; with glid_lo < 0: 100 (n - f) / n */
  int dnc_iters;       /* DNC: niters (default 5) */
  int dnc_subdim;      /* DNC: b sampled coordinates (default 10000, capped at d) */
  double dnc_c;        /* DNC: filtering fraction c (default 1.0) */
} dnt_agg_params;

/* Defaults above for `rule`, f = 0, no pre-aggregator. */
dnt_agg_params dnt_agg_defaults(dnt_agg_rule rule);

/* Lower-case names: "mean", "median", "trmean", "krum", "multikrum", "bulyan",
 * "geomed", "cclip", "fltrust", "glid", "dnc"; "none", "nnm", "bucketing".
 * Parsing also accepts "fedavg" and "trimmed_mean"; other text is DNT_ERR_ARG
 * listing the names. */
const char *dnt_agg_rule_name(dnt_agg_rule rule);
int dnt_agg_rule_parse(const char *name, dnt_agg_rule *out);
const char *dnt_agg_pre_name(dnt_agg_pre pre);
int dnt_agg_pre_parse(const char *name, dnt_agg_pre *out);

/* Smallest n the rule (with its pre-aggregator) accepts for f Byzantine rows. */
int dnt_agg_min_n(const dnt_agg_params *p);

typedef struct dnt_agg dnt_agg;

/* Validates the params (DNT_ERR_ARG naming the field) and allocates the
 * workspace for up to max_n rows of d floats. The params are copied; the
 * pointers inside (root, center) stay borrowed. */
int dnt_agg_create(const dnt_agg_params *p, int max_n, size_t d, dnt_agg **out);
void dnt_agg_destroy(dnt_agg *a);

/* Replaces the borrowed FLTrust root update / CClip centre (NULL allowed). */
void dnt_agg_set_root(dnt_agg *a, const float *root);
void dnt_agg_set_center(dnt_agg *a, const float *center);
const dnt_agg_params *dnt_agg_get_params(const dnt_agg *a);

/* Aggregates n <= max_n rows of X (n, d) with weights w (n, > 0; NULL = all 1)
 * into out (d). kept (n, may be NULL) receives each row's share in [0, 1].
 * rng is used by BUCKETING and DNC (may be NULL for the other rules). X is not
 * modified. Returns DNT_ERR_ARG when n < dnt_agg_min_n, DNT_ERR_ARG when
 * FLTRUST has no root, DNT_ERR_NUMERIC if the result is not finite. */
int dnt_agg_run(dnt_agg *a, const float *X, const double *w, int n, float *out, float *kept,
                dnt_rng *rng);

/* Pairwise squared distances D (n, n) of the rows of X from their Gram
 * matrix: D_ij = G_ii + G_jj - 2 G_ij, clamped at 0, G = X X^T (one ssyrk).
 * When the rows lie closer together than a tenth of their norms (a large
 * common part, as with IID clients: checked on a 64-column sample), float
 * G's rounding (~1e-7 ||x||^2) would swamp the distances, so G is formed
 * again from the rows minus a central row (the one with the smallest median
 * distance to the others), in blocks of columns, one ssyrk each: the rounding
 * then scales with the spread of the majority. gram is caller scratch of
 * dnt_agg_dist_scratch(n) floats. O(n^2 d). Exposed for attacks and tests. */
size_t dnt_agg_dist_scratch(int n);
void dnt_agg_pairwise_dist2(const float *X, int n, size_t d, float *gram, double *D);

/* Krum scores (n) from squared distances D (n, n): sum of the n - f - 2
 * smallest distances to the others. tmp is caller scratch of n doubles.
 * O(n^2) (one selection per row). */
void dnt_agg_krum_scores(const double *D, int n, int f, double *score, double *tmp);

#ifdef __cplusplus
}
#endif
#endif
