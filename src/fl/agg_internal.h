/* src/fl/agg_internal.h: the aggregator's workspace and the kernels the rule
 * files share. Private to src/fl. */
#ifndef DNT_FL_AGG_INTERNAL_H
#define DNT_FL_AGG_INTERNAL_H

#include <stddef.h>

#include "dnt/aggregate.h"

/* Coordinates per block in the coordinate-wise rules: the rows' blocks are
 * copied into colbuf and sorted column-wise by a sorting network. */
#define AGG_BLOCK 256

/* Columns per block of the centred Gram matrix (agg_gram): the
 * (n, AGG_GRAM_BLOCK) centred copy stays in cache, and ssyrk still gets a long
 * inner dimension. */
#define AGG_GRAM_BLOCK 2048
#define AGG_CENTRE_BELOW 1e-2

struct dnt_agg {
  dnt_agg_params p;
  int max_n;
  size_t d;
  float *gram;     /* (dnt_agg_dist_scratch(max_n)) Gram matrix (max_n, max_n), upper
                    * triangle, then the centring block */
  double *D;       /* (max_n, max_n) squared distances */
  double *score;   /* (max_n) Krum / DnC scores, Weiszfeld weights */
  double *dtmp;    /* (max_n + 1) scratch */
  double *dtmp2;   /* (max_n) scratch */
  int *idx;        /* (max_n) row selections */
  int *idx2;       /* (max_n) */
  int *bucket_of;  /* (max_n) bucketing: input row -> bucket */
  float *wf;       /* (max_n) float coefficients for sgemv */
  float *rowsq;    /* (max_n) squared row norms */
  float *kept2;    /* (max_n) kept shares of pre-aggregated rows */
  float *kept3;    /* (max_n) Bulyan's shares over its selected rows */
  float *pre;      /* (max_n, d) pre-aggregated rows (NNM, bucketing) */
  double *prew;    /* (max_n) their weights */
  float *mix;      /* (max_n, max_n) NNM mixing matrix */
  float *colbuf;   /* (max_n, AGG_BLOCK) one block of every row */
  float *band;     /* (2, AGG_BLOCK) the values each coordinate used: [lo, hi] */
  int *net;        /* Batcher network pairs for up to max_n rows (2 ints each) */
  float *work;     /* (max_n) row-sized float scratch */
  float *tmp;      /* (d) vector scratch */
  float *tmp2;     /* (d) vector scratch */
  float *sub;      /* (max_n, dnc_subdim) DnC sample */
  int *coords;     /* (d) DnC coordinate permutation */
  double *eigval;  /* (max_n) DnC: eigenvalues (dsyevr writes up to n of them) */
  double *eigwork; /* (26 max_n) DnC: LAPACK dsyevr work */
  int *eigiwork;   /* (10 max_n) DnC: LAPACK dsyevr integer work */
  int *isuppz;     /* (2 max_n) DnC: dsyevr support of the eigenvectors */
};

/* G (n, n, row-major upper triangle) = X X^T, or Xc Xc^T with Xc the rows
 * minus a central row (one in the majority cluster) when the rows' median
 * squared distance to it, estimated on 64 columns, is below AGG_CENTRE_BELOW
 * times their median squared norm: float G's rounding (~1e-7 ||x||^2) then
 * stays far below the distances. blk is scratch of n AGG_GRAM_BLOCK floats, S
 * of n x n doubles. O(n^2 d) (about 2.6 times one ssyrk when centring). */
void agg_gram(const float *X, int n, size_t d, float *G, float *blk, double *S);

/* k-th smallest (0-based) of a[0..n), partially reordering a so that
 * a[0..k) <= a[k] <= a[k+1..n) (Hoare selection, median of three). O(n). */
double agg_select_d(double *a, int n, int k);

/* Compare-exchange pairs of Batcher's odd-even merge network for m inputs
 * into net (room for agg_batcher_capacity(m) pairs); returns their count. */
int agg_batcher_pairs(int m, int *net);
size_t agg_batcher_capacity(int m);

/* Coordinate-wise median of rows idx[0..m) of X (all rows if idx is NULL)
 * into out; kept (m, may be NULL) gets the share of coordinates where the row
 * was a middle value. */
void agg_median(dnt_agg *a, const float *X, const int *idx, int m, float *out, float *kept);

/* out = sum_i c_i X_i for all n rows (one sgemv). */
void agg_combine(const float *X, int n, size_t d, const float *c, float *out);

/* Per-rule kernels; each returns 0 or a negative status. */
int agg_trmean(dnt_agg *a, const float *X, int n, float *out, float *kept);
int agg_glid(dnt_agg *a, const float *X, int n, float *out, float *kept);
int agg_krum(dnt_agg *a, const float *X, const double *w, int n, int multi, float *out,
             float *kept);
int agg_bulyan(dnt_agg *a, const float *X, int n, float *out, float *kept);
int agg_geomed(dnt_agg *a, const float *X, const double *w, int n, float *out, float *kept);
int agg_cclip(dnt_agg *a, const float *X, const double *w, int n, float *out, float *kept);
int agg_fltrust(dnt_agg *a, const float *X, int n, float *out, float *kept);
int agg_dnc(dnt_agg *a, const float *X, const double *w, int n, float *out, float *kept,
            dnt_rng *rng);
/* Bulyan's second stage over the theta rows listed in a->idx. */
void agg_bulyan_coord(dnt_agg *a, const float *X, int n, int theta, float *out, float *kept);
/* Pre-aggregators: write a->pre (m rows) and a->prew; return m. */
int agg_nnm(dnt_agg *a, const float *X, const double *w, int n);
int agg_bucketing(dnt_agg *a, const float *X, const double *w, int n, dnt_rng *rng);

#endif
