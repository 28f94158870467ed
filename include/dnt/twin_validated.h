/* dnt/twin_validated.h: the twin-validated aggregation rule (the paper's
 * pipeline III-C, case study IV-B): statistical filtering of deviating
 * updates AND rehearsal of the candidates in the twin, as the filter stage of
 * the FL engine (dnt_fl_filter_fn in dnt/fl_server.h), followed by the mean.
 *
 * The rule sees only what a server sees: the global model w, the round's
 * updates X (n, d) and a scoring callback that rolls a parameter vector out on
 * twin-generated validation scenarios (corner cases included; their seeds are
 * the caller's and must be disjoint from the evaluation set). It never reads
 * the attack nor which clients are malicious. One call (docs/SECURITY.md has
 * the algorithm with every constant):
 *   0. trusted: score w (the model every client started from);
 *   1. statistics: m = coordinate-wise median of the rows, r_i = ||x_i - m||,
 *      z_i = (r_i - med r) / (1.4826 MAD r); flag z_i > stat_k; and flag
 *      ||x_i|| > hist_factor * the largest of the median norms of the rows
 *      accepted in the last `history` rounds (divergence from the trusted
 *      history);
 *   2. calibration: the twin simulates attacks built from the round's own
 *      robust statistics (sign flip -m, scaling n m, inner-product
 *      manipulation -0.5 m... see docs) and scores them; each behavioural
 *      slack is min(its configured slack, calib_alpha x the gap between the
 *      trusted score and the mildest simulated attack), so that what the twin
 *      knows to be an attack is outside the band;
 *   3. rehearsal: every row not flagged is scored as the model w + lr x_i and
 *      flagged when its collision rate, unsafe-headway rate or speed is
 *      outside the trusted model's value plus the calibrated slack;
 *   4. aggregate rehearsal: the weighted mean of the kept rows is scored the
 *      same way; while it fails, the kept row with the worst behaviour is
 *      dropped and the mean rehearsed again.
 * Every flagged row gets weight 0 (the stage's FILTERED status: detection
 * precision and recall follow from it); the rest keep their weights and the
 * stage's rule (MEAN) averages them. When every row is flagged the weights
 * are all 0 and the stage fails the round, leaving w unchanged
 * (dnt_tv_last(...)->held says so).
 *
 * Cost per call: O(n d log n) for the median, O(n d) for the distances, and
 * n + 1 + 3 + (aggregate tries) score calls, the callback's cost dominating.
 * Ownership: dnt_tv_create allocates every buffer for up to max_n rows of d
 * floats; a call allocates nothing. The score context is borrowed. Not
 * thread-safe (the callback may use threads inside). Deterministic when the
 * callback is. */
#ifndef DNT_TWIN_VALIDATED_H
#define DNT_TWIN_VALIDATED_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Behaviour of a parameter vector on the validation scenarios. */
typedef struct dnt_tv_behaviour {
  double collision; /* fraction of scenarios with a collision, [0, 1] */
  double unsafe;    /* fraction of steps with a time headway below the safe one, [0, 1] */
  double speed;     /* mean ego speed, m/s (>= 0) */
} dnt_tv_behaviour;

/* Rolls params (d) out on the validation scenarios; 0 or a negative
 * dnt_status (the round fails with it). */
typedef int (*dnt_tv_score_fn)(void *ctx, const float *params, size_t d, dnt_tv_behaviour *out);

typedef struct dnt_tv_params {
  double server_lr;       /* candidate model = w + server_lr x_i (default 1) */
  double stat_k;          /* robust z above which a row deviates (default 3.5) */
  int history;            /* accepted aggregates remembered (default 5; 0 = off) */
  double hist_factor;     /* ||x_i|| above this x the history's largest norm deviates (3) */
  double collision_slack; /* collision rate allowed above the trusted model's (0) */
  double unsafe_slack;    /* unsafe-step rate allowed above the trusted model's (0.01) */
  double speed_slack;     /* relative speed drop allowed below the trusted model's (0.05) */
  double calib_alpha;     /* slack cap as a fraction of the simulated attacks' gap (0.5) */
  int simulate;           /* 1 = calibrate on simulated attacks (default), 0 = fixed slacks */
} dnt_tv_params;

dnt_tv_params dnt_tv_defaults(void);

/* Why a row was flagged in the last call. */
typedef enum dnt_tv_reason {
  DNT_TV_KEPT = 0,
  DNT_TV_STAT = 1,      /* robust distance to the median */
  DNT_TV_HISTORY = 2,   /* norm beyond the trusted history */
  DNT_TV_COLLISION = 3, /* rehearsal: collisions */
  DNT_TV_UNSAFE = 4,    /* rehearsal: unsafe headways */
  DNT_TV_SLOW = 5,      /* rehearsal: speed drop */
  DNT_TV_AGGREGATE = 6  /* dropped so that the aggregate passes */
} dnt_tv_reason;

/* What the last call saw and decided. */
typedef struct dnt_tv_round {
  int n;                     /* rows */
  int flagged;               /* rows given weight 0 */
  int rollouts;              /* score calls */
  int held;                  /* 1 when every row was flagged (the round keeps w) */
  dnt_tv_behaviour trusted;  /* score of w */
  dnt_tv_behaviour attack;   /* mildest simulated attack (per field) */
  dnt_tv_behaviour slack;    /* calibrated slacks (speed: m/s) */
  dnt_tv_behaviour accepted; /* score of the accepted aggregate (zeros when held) */
} dnt_tv_round;

typedef struct dnt_tv dnt_tv;

/* DNT_ERR_ARG naming the field for bad params, max_n < 1 or d < 1. */
int dnt_tv_create(const dnt_tv_params *p, int max_n, size_t d, dnt_tv_score_fn score,
                  void *score_ctx, dnt_tv **out);
void dnt_tv_destroy(dnt_tv *tv);

/* The filter (dnt_fl_filter_fn; ctx is the dnt_tv): sets weights[i] = 0 for
 * every flagged row of X (n <= max_n, d as created). DNT_ERR_ARG for another
 * shape, the callback's status when it fails, DNT_ERR_NUMERIC when it returns
 * a non-finite or out-of-range behaviour. */
int dnt_tv_filter(void *ctx, const float *global, const float *X, int n, size_t d,
                  const int *client_ids, double *weights);

/* The last call's summary and per-row reasons (n entries); owned by tv. */
const dnt_tv_round *dnt_tv_last(const dnt_tv *tv);
const unsigned char *dnt_tv_reasons(const dnt_tv *tv);
const char *dnt_tv_reason_name(dnt_tv_reason r);

/* Forgets the trusted history (a new federation). */
void dnt_tv_reset(dnt_tv *tv);

#ifdef __cplusplus
}
#endif
#endif
