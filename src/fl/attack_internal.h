/* src/fl/attack_internal.h: helpers shared by the attack files. Private. */
#ifndef DNT_FL_ATTACK_INTERNAL_H
#define DNT_FL_ATTACK_INTERNAL_H

#include <stddef.h>

#include "dnt/attack.h"

/* The attack's scratch for up to max_n rows of d floats, allocated once. */
struct dnt_attack_ws {
  int max_n;
  size_t d;
  int *rows;      /* (max_n) the rows the attacker knows */
  float *mu, *sd; /* (d) their statistics, then the crafted row */
  float *G;       /* (max_n, d) the known rows gathered */
  float *S;       /* (max_n, d) Fang-Krum: the set it simulates Krum on */
  double *D;      /* (max_n, max_n) the known rows' squared distances */
  double *Dm;     /* (max_n, max_n) Fang-Krum: distances of the simulated set */
  float *gram;    /* (dnt_agg_dist_scratch(max_n)) */
  double *ab;     /* (2 max_n) Min-Max terms; Fang-Krum scores and scratch */
};

/* Rows the attacker knows (FULL: benign; PARTIAL: malicious) into rows; count. */
int attack_known(const dnt_attack_params *p, const unsigned char *mal, int n, int *rows);
/* Coordinate-wise mean (and population sd if sd != NULL) of the k rows. O(kd). */
void attack_stats(const float *X, size_t d, const int *rows, int k, float *mu, float *sd);
/* Copies v (d) into every malicious row of X. */
void attack_fill(float *X, int n, size_t d, const unsigned char *mal, const float *v);

int attack_minmax(const dnt_attack_params *p, dnt_attack_ws *ws, float *X, int n,
                  const unsigned char *mal, int k);
int attack_fang_krum(const dnt_attack_params *p, dnt_attack_ws *ws, float *X, int n,
                     const unsigned char *mal, int f, int k, dnt_rng *rng);
int attack_fang_trim(const dnt_attack_params *p, float *X, int n, size_t d,
                     const unsigned char *mal, const int *rows, int k, float *mu, float *sd,
                     dnt_rng *rng);

#endif
