/* src/worlds/cellular/kdtree.c: an implicit 2-d tree (Bentley, "Multidimensional
 * binary search trees used for associative searching", CACM 1975; the
 * nearest-neighbour search of Friedman, Bentley and Finkel, ACM TOMS 1977).
 *
 * The workload: one build over all BSs, then one k-nearest query per BS (k
 * about 8) for the BS graph, or k = 1 for the mean nearest-neighbour distance.
 * Operator networks are clustered (dense city centres, sparse suburbs), so the
 * tree splits at the median of the wider axis of each node's bounding box
 * rather than on a fixed grid: every node halves its points whatever the
 * density. The tree is a permutation of the indices: node [lo, hi) keeps its
 * median point at idx[mid], mid = lo + (hi - lo) / 2, the points at or left of
 * the split in [lo, mid), at or right of it in [mid + 1, hi); dim[mid] is the
 * axis. Nodes of at most LEAF points are scanned.
 *
 * Exactness: the query keeps the k smallest (squared distance, index) pairs,
 * the same order a scan over all points uses, and prunes a far side only when
 * its squared plane distance is strictly above the current k-th distance.
 * Rounding is monotone, so |qx - px| >= |qx - split| holds in floating point
 * for every point p beyond the plane and no point that a scan would keep is
 * pruned: the neighbours are those of the quadratic scan, bit for bit. */
#include <stdlib.h>

#include "dnt/status.h"
#include "kdtree_internal.h"

enum { LEAF = 8 };

static double coord(const cell_kdtree *t, size_t i, int axis) {
  return axis ? t->y[i] : t->x[i];
}

/* Reorders idx[lo, hi) so that idx[mid] holds the value of rank mid - lo on
 * `axis`, smaller or equal values before it, larger or equal after it
 * (quickselect with a median-of-three pivot and a three-way partition, so
 * that repeated coordinates cost no more than distinct ones). O(hi - lo)
 * expected. */
static void select_median(const cell_kdtree *t, size_t lo, size_t hi, size_t mid, int axis) {
  size_t *idx = t->idx;
  while (hi - lo > 1) {
    double a = coord(t, idx[lo], axis), b = coord(t, idx[lo + (hi - lo) / 2], axis),
           c = coord(t, idx[hi - 1], axis);
    double p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
    size_t lt = lo, i = lo, gt = hi; /* [lo, lt) < p, [lt, i) == p, [gt, hi) > p */
    while (i < gt) {
      double v = coord(t, idx[i], axis);
      size_t tmp = idx[i];
      if (v < p) {
        idx[i++] = idx[lt];
        idx[lt++] = tmp;
      } else if (v > p) {
        idx[i] = idx[--gt];
        idx[gt] = tmp;
      } else {
        i++;
      }
    }
    if (mid < lt)
      hi = lt;
    else if (mid >= gt)
      lo = gt;
    else
      return;
  }
}

static void build(cell_kdtree *t, size_t lo, size_t hi) {
  if (hi - lo <= LEAF) return;
  double x0 = t->x[t->idx[lo]], x1 = x0, y0 = t->y[t->idx[lo]], y1 = y0;
  for (size_t k = lo + 1; k < hi; k++) {
    double x = t->x[t->idx[k]], y = t->y[t->idx[k]];
    x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
    y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
  }
  int axis = y1 - y0 > x1 - x0;
  size_t mid = lo + (hi - lo) / 2;
  select_median(t, lo, hi, mid, axis);
  t->dim[mid] = (unsigned char)axis;
  build(t, lo, mid);
  build(t, mid + 1, hi);
}

int cell_kdtree_build(const double *x, const double *y, size_t n, cell_kdtree *t) {
  t->n = n;
  t->x = x;
  t->y = y;
  t->idx = malloc((n ? n : 1) * sizeof *t->idx);
  t->dim = calloc(n ? n : 1, 1);
  if (!t->idx || !t->dim) {
    cell_kdtree_free(t);
    return dnt_error(DNT_ERR_NOMEM, "kd-tree: out of memory for %zu points", n);
  }
  for (size_t i = 0; i < n; i++)
    t->idx[i] = i;
  build(t, 0, n);
  return 0;
}

void cell_kdtree_free(cell_kdtree *t) {
  free(t->idx);
  free(t->dim);
  t->idx = NULL;
  t->dim = NULL;
  t->n = 0;
}

/* One query: the best `count` so far, sorted, in nb/d2 (capacity k). */
typedef struct knn_query {
  const cell_kdtree *t;
  size_t q, k, count;
  double qx, qy;
  size_t *nb;
  double *d2;
} knn_query;

static void offer(knn_query *s, size_t j) {
  if (j == s->q) return;
  double dx = s->qx - s->t->x[j], dy = s->qy - s->t->y[j], d = dx * dx + dy * dy;
  size_t pos = s->count;
  if (pos == s->k) { /* full: j must come before the last one */
    if (d > s->d2[pos - 1] || (d == s->d2[pos - 1] && j > s->nb[pos - 1])) return;
    pos--;
  } else {
    s->count++;
  }
  while (pos > 0 && (s->d2[pos - 1] > d || (s->d2[pos - 1] == d && s->nb[pos - 1] > j))) {
    s->d2[pos] = s->d2[pos - 1];
    s->nb[pos] = s->nb[pos - 1];
    pos--;
  }
  s->d2[pos] = d;
  s->nb[pos] = j;
}

static void search(knn_query *s, size_t lo, size_t hi) {
  const cell_kdtree *t = s->t;
  if (hi - lo <= LEAF) {
    for (size_t k = lo; k < hi; k++)
      offer(s, t->idx[k]);
    return;
  }
  size_t mid = lo + (hi - lo) / 2;
  int axis = t->dim[mid];
  double diff = (axis ? s->qy : s->qx) - coord(t, t->idx[mid], axis);
  int left_first = diff < 0;
  offer(s, t->idx[mid]);
  search(s, left_first ? lo : mid + 1, left_first ? mid : hi);
  if (s->count < s->k || diff * diff <= s->d2[s->k - 1])
    search(s, left_first ? mid + 1 : lo, left_first ? hi : mid);
}

size_t cell_kdtree_knn(const cell_kdtree *t, size_t q, size_t k, size_t *nb, double *d2) {
  if (k == 0 || t->n < 2) return 0;
  knn_query s = {t, q, k, 0, t->x[q], t->y[q], nb, d2};
  search(&s, 0, t->n);
  return s.count;
}
