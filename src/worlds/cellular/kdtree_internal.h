/* src/worlds/cellular/kdtree_internal.h: a 2-d tree over BS positions for
 * exact k-nearest-neighbour queries (kdtree.c; used by the BS graph and the
 * mean nearest-neighbour distance). */
#ifndef DNT_KDTREE_INTERNAL_H
#define DNT_KDTREE_INTERNAL_H

#include <stddef.h>

typedef struct cell_kdtree {
  size_t n;
  const double *x, *y; /* (n) borrowed positions, finite */
  size_t *idx;         /* (n) point indices in tree order */
  unsigned char *dim;  /* (n) split axis (0 = x, 1 = y) of the node whose median is idx[mid] */
} cell_kdtree;

/* Builds the tree over (x[i], y[i]), i < n (the arrays must outlive it).
 * O(n log n) time, O(n) memory. */
int cell_kdtree_build(const double *x, const double *y, size_t n, cell_kdtree *t);
void cell_kdtree_free(cell_kdtree *t);

/* The k nearest points to point q, q itself excluded, in increasing order of
 * (squared distance dx*dx + dy*dy, index): the k smallest of that order, ties
 * to the lower index, exactly as a scan over all points keeps them. Writes
 * nb[0..r) and d2[0..r) (caller storage of k each) and returns r = min(k, n - 1).
 * O(k log n) expected for spread-out points; co-located points are all
 * visited (a cluster of c identical positions costs O(c) per query). */
size_t cell_kdtree_knn(const cell_kdtree *t, size_t q, size_t k, size_t *nb, double *d2);

#endif
