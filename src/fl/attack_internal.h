/* src/fl/attack_internal.h: helpers shared by the attack files. Private. */
#ifndef DNT_FL_ATTACK_INTERNAL_H
#define DNT_FL_ATTACK_INTERNAL_H

#include <stddef.h>

#include "dnt/attack.h"

/* Rows the attacker knows (FULL: benign; PARTIAL: malicious) into rows; count. */
int attack_known(const dnt_attack_params *p, const unsigned char *mal, int n, int *rows);
/* Coordinate-wise mean (and population sd if sd != NULL) of the k rows. O(kd). */
void attack_stats(const float *X, size_t d, const int *rows, int k, float *mu, float *sd);
/* Copies v (d) into every malicious row of X. */
void attack_fill(float *X, int n, size_t d, const unsigned char *mal, const float *v);

int attack_minmax(const dnt_attack_params *p, float *X, int n, size_t d, const unsigned char *mal,
                  const int *rows, int k, float *mu, float *sd);
int attack_fang_krum(const dnt_attack_params *p, float *X, int n, size_t d,
                     const unsigned char *mal, int f, const int *rows, int k, float *mu,
                     dnt_rng *rng);
int attack_fang_trim(const dnt_attack_params *p, float *X, int n, size_t d,
                     const unsigned char *mal, const int *rows, int k, float *mu, float *sd,
                     dnt_rng *rng);

#endif
