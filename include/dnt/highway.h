/* dnt/highway.h: the highway world: three-car following on one lane
 * (pipeline C of the paper, IV-B; HighwayDT's three-car-following scenarios).
 *
 * Vehicles. Three vehicles on one lane, front to back: the LEADER (scripted:
 * a program of acceleration phases, or a replayed speed profile), the EGO (the
 * agent, middle car) and the FOLLOWER (driven by the Intelligent Driver
 * Model with a reaction delay). Each has a front-bumper position x (m), speed
 * v >= 0 (m/s), acceleration a (m/s^2) and length (5 m cars, 12-18 m heavy
 * vehicles). Gaps are bumper to bumper:
 *   gap_front = x_lead - len_lead - x_ego,   gap_rear = x_ego - len_ego - x_follow.
 * A COLLISION is a gap <= 0 at the end of a step, on either side (the ego
 * must not hit the leader, and must not brake so hard that the follower
 * cannot stop). The scenario ends at its first collision or at its horizon.
 *
 * Limits. Every vehicle's acceleration lies in [-brake * mu g, min(engine(v),
 * mu g)] with mu the road friction, g = 9.81 m/s^2, brake = 1 for cars and
 * DNT_HW_HEAVY_BRAKE for heavy vehicles (longer stopping), and the engine
 * bound engine(v) = a_engine (1 - v / v_top) (a_engine 3 m/s^2 for cars, 1
 * for heavy vehicles; v_top 50 m/s).
 *
 * Ego action. One value u in [-1, 1] per step (clipped): the commanded
 * acceleration is u * a_engine for u >= 0 and u * g for u < 0 (full braking
 * at u = -1, limited by the friction bound above). The ego's actual
 * acceleration follows the command through a first-order actuation lag with
 * time constant tau (scenario.ego_lag, 0.2 s by default), discretised
 * exactly under a command held over the step:
 *   a' = a_cmd + (a - a_cmd) exp(-dt / tau)   (tau = 0: a' = a_cmd),
 * then clipped to the limits at the current speed.
 *
 * Follower. The IDM (Treiber et al. 2000; REFERENCES.md),
 *   a = a_max [1 - (v/v0)^delta - (s* / s)^2],
 *   s* = s0 + max(0, v T + v (v - v_lead) / (2 sqrt(a_max b))),
 * evaluated on the state it perceived reaction_steps steps ago (gap, own
 * speed and the ego's speed, all delayed), clipped to the limits; the closed
 * forms are dnt_hw_idm_accel and dnt_hw_idm_equilibrium_gap.
 *
 * Integration. Exact for the acceleration held over a step (the value
 * decided at the step's start): v' = v + a dt and x' = x + v dt + a dt^2 / 2,
 * except that a braking vehicle stops at zero speed inside the step (at
 * t_s = v / -a) and stays there: x' = x + v^2 / (2 (-a)), v' = 0. Nothing
 * reverses. dt = 0.1 s by default.
 *
 * Observation (DNT_HW_OBS_DIM floats per scenario, what the ego's sensors
 * report, with the scenario's Gaussian sensor noise on the gaps and
 * relative speeds; see DNT_HW_OBS_* for the layout and scales).
 *
 * Reward per step (dnt_hw_reward): progress (speed over v_ref), comfort (jerk)
 * and a short-headway penalty, and a large penalty on collision. So that
 * standing still cannot win, metrics report efficiency (mean speed, time
 * headway) and comfort (jerk) beside safety.
 *
 * Batches. Scenarios are stepped in structure-of-arrays batches: a
 * dnt_hw_batch holds up to `capacity` scenarios, writes the observation of
 * every scenario into a caller's float matrix (n, DNT_HW_OBS_DIM) and reads
 * the actions from a float matrix (n, DNT_HW_ACT_DIM), so a policy network
 * runs one sgemm for the whole batch. dnt_hw_evaluate spreads scenarios over
 * threads, one batch and one policy per thread. The single-scenario world
 * (dnt_hw_world_create, a dnt_world of kind "highway") steps the same code
 * on a batch of one, so the two agree bit for bit.
 *
 * Randomness: a scenario's sensor noise comes from its own stream,
 * dnt_rng_for(scenario.seed, DNT_STREAM_WORLD, 0), restarted at every load:
 * the outcome of a scenario under a deterministic policy is a function of
 * the scenario alone (not of the batch, its position in it or the threads).
 *
 * Ownership: dnt_hw_scenario is a plain value; its leader_speed profile is
 * borrowed and must outlive every batch or world it is loaded into.
 * Batches and worlds are opaque and freed by their destroy functions. */
#ifndef DNT_HIGHWAY_H
#define DNT_HIGHWAY_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/policy.h"
#include "dnt/world.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNT_HW_G 9.81          /* m/s^2 */
#define DNT_HW_DT 0.1          /* default step, s */
#define DNT_HW_CAR_LENGTH 5.0  /* m */
#define DNT_HW_HEAVY_BRAKE 0.8 /* heavy vehicles brake at most 0.8 mu g */
#define DNT_HW_MAX_PHASES 8    /* leader program length */
#define DNT_HW_MAX_DELAY 32    /* follower reaction delay, steps */
#define DNT_HW_ACT_DIM 1
  /* Observation layout (each value scaled as given; gaps and relative speeds
   * carry the sensor noise, the ego's own speed and acceleration do not). */
  enum {
    DNT_HW_OBS_GAP_FRONT = 0, /* gap_front / 50 m */
    DNT_HW_OBS_DV_FRONT,      /* (v_lead - v_ego) / 10 m/s */
    DNT_HW_OBS_V_EGO,         /* v_ego / 30 m/s */
    DNT_HW_OBS_A_EGO,         /* a_ego / 5 m/s^2 (actual, after the lag) */
    DNT_HW_OBS_GAP_REAR,      /* gap_rear / 50 m */
    DNT_HW_OBS_DV_REAR,       /* (v_ego - v_follow) / 10 m/s */
    DNT_HW_OBS_MU,            /* road friction mu (0.05..1) */
    DNT_HW_OBS_A_LEAD,        /* a_lead / 5 m/s^2 (from the leader's brake lights/V2V) */
    DNT_HW_OBS_DIM
  };
#define DNT_HW_OBS_GAP_SCALE 50.0
#define DNT_HW_OBS_DV_SCALE 10.0
#define DNT_HW_OBS_V_SCALE 30.0
#define DNT_HW_OBS_A_SCALE 5.0

  /* ---- Intelligent Driver Model -------------------------------------------- */

  typedef struct dnt_hw_idm {
    double v0;    /* desired speed, m/s */
    double T;     /* time headway, s */
    double s0;    /* jam distance, m */
    double a;     /* maximum acceleration, m/s^2 */
    double b;     /* comfortable deceleration, m/s^2 (> 0) */
    double delta; /* acceleration exponent (4) */
  } dnt_hw_idm;

  /* Typical highway values (REFERENCES.md): v0 120 km/h, T 1.0 s, s0 2 m, a 1.0,
   * b 2.5, delta 4. */
  void dnt_hw_idm_highway(dnt_hw_idm * p);
  /* HighwayDT's snowy I-695 calibration: s0 2.848 m, T 0.588 s, a 0.863,
   * b 1.567, v0 31.42 m/s, delta 4. */
  void dnt_hw_idm_snowy(dnt_hw_idm * p);
  /* DNT_ERR_ARG naming the field unless every field is finite, v0, T, a, b,
   * delta > 0 and s0 >= 0. */
  int dnt_hw_idm_check(const dnt_hw_idm *p);
  /* IDM acceleration at gap s > 0 (m), own speed v and leader speed v_lead
   * (unclipped; s <= 0 gives -INFINITY's stand-in -1e9). O(1). */
  double dnt_hw_idm_accel(const dnt_hw_idm *p, double s, double v, double v_lead);
  /* Equilibrium gap at speed 0 <= v < v0: s*(v, 0) / sqrt(1 - (v/v0)^delta). */
  double dnt_hw_idm_equilibrium_gap(const dnt_hw_idm *p, double v);

  /* ---- Scenarios ------------------------------------------------------------ */

  /* A leader phase: from step `start` on, the leader accelerates at `accel`
   * (m/s^2, signed, clipped to the limits) until its speed reaches `v_target`,
   * then holds v_target. The last phase that has started applies. */
  typedef struct dnt_hw_phase {
    int start;
    double accel;
    double v_target;
  } dnt_hw_phase;

  /* One scenario: everything that determines its course (with the ego's
   * actions). Generated ones come from the scenario generator; a caller may
   * also fill one by hand (dnt_hw_scenario_default, then change fields). */
  typedef struct dnt_hw_scenario {
    uint64_t seed;                        /* the sensor-noise stream (see the header comment) */
    int family;                           /* generator family index (informative; -1 = hand-made) */
    double weight;                        /* importance weight p/q of its family (1 = natural) */
    int steps;                            /* horizon in steps, >= 1 */
    double mu;                            /* road friction, (0, 1.2] */
    double v_lead0, v_ego0, v_follow0;    /* initial speeds, m/s */
    double gap_front0, gap_rear0;         /* initial bumper-to-bumper gaps, m, > 0 */
    double len_lead, len_ego, len_follow; /* m */
    int heavy_follow;                     /* 1: the follower is a heavy vehicle (engine, brakes) */
    dnt_hw_idm follower;
    int reaction_steps; /* follower reaction delay, steps in [0, DNT_HW_MAX_DELAY] */
    double ego_lag;     /* ego actuation time constant tau, s, >= 0 */
    double noise_gap;   /* sensor noise sd on the gaps, m */
    double noise_speed; /* sensor noise sd on the relative speeds, m/s */
    int n_phases;       /* leader program (used when leader_speed is NULL) */
    dnt_hw_phase phase[DNT_HW_MAX_PHASES];
    const float *leader_speed; /* replay: leader speed at every step (borrowed) */
    size_t leader_len;         /* its length; past the end the last value holds */
  } dnt_hw_scenario;

  /* A cruise at 25 m/s on dry road (mu 0.9): gaps 40 m, cars, highway IDM
   * follower with 3 steps (0.3 s) of reaction delay, tau 0.2 s, no noise,
   * 300 steps, seed 1. */
  void dnt_hw_scenario_default(dnt_hw_scenario * s);
  /* DNT_ERR_ARG naming the field and value of the first out-of-range field. */
  int dnt_hw_scenario_check(const dnt_hw_scenario *s);

  /* ---- Reward and per-scenario outcome -------------------------------------- */

  typedef struct dnt_hw_reward {
    double progress;    /* per step: progress * min(v_ego / v_ref, 1) */
    double v_ref;       /* m/s */
    double jerk;        /* per step: - jerk * (jerk_ego / 10 m/s^3)^2 */
    double headway;     /* per step: - headway when the time headway < min_headway */
    double min_headway; /* s */
    double collision;   /* added once at a collision (negative) */
  } dnt_hw_reward;
  /* progress 1, v_ref 30, jerk 0.1, headway 0.5, min_headway 0.5 s,
   * collision -200 (the predecessor's +15 / -3000 ratio). */
  void dnt_hw_reward_default(dnt_hw_reward * r);

  /* What one scenario did (accumulated while it ran). */
  typedef struct dnt_hw_outcome {
    int collided;      /* 0 none, 1 with the leader, 2 by the follower */
    int steps;         /* steps run (collision step included) */
    double ret;        /* sum of rewards */
    double distance;   /* metres the ego travelled */
    double mean_speed; /* distance / (steps dt) */
    double min_gap_front, min_gap_rear;
    double mean_headway;  /* mean of min(gap_front / v_ego, 10 s) over steps */
    double min_headway;   /* its minimum (10 s cap) */
    double mean_abs_jerk; /* mean |da/dt| of the ego, m/s^3 */
  } dnt_hw_outcome;

  /* ---- Batches (structure of arrays) ---------------------------------------- */

  typedef struct dnt_hw_batch dnt_hw_batch;

  /* A batch for up to `capacity` scenarios, time step dt (s, > 0) and the
   * reward (copied). O(capacity DNT_HW_MAX_DELAY) memory. */
  int dnt_hw_batch_create(size_t capacity, double dt, const dnt_hw_reward *reward,
                          dnt_hw_batch **out);
  void dnt_hw_batch_destroy(dnt_hw_batch * b);
  /* Loads n <= capacity scenarios (checked; DNT_ERR_ARG naming the index) at
   * their initial state; the batch then holds exactly these n. O(n). */
  int dnt_hw_batch_load(dnt_hw_batch * b, const dnt_hw_scenario *sc, size_t n);
  size_t dnt_hw_batch_size(const dnt_hw_batch *b);
  /* Scenarios still running (not collided, horizon not reached). */
  size_t dnt_hw_batch_active(const dnt_hw_batch *b);
  /* Writes the observation of every scenario: obs (n, DNT_HW_OBS_DIM) floats.
   * Finished scenarios get their last observation. The sensor noise of a
   * step is drawn when the state is made (load, step), so observing twice
   * gives the same values. */
  void dnt_hw_batch_observe(const dnt_hw_batch *b, float *obs);
  /* One step of every running scenario with actions u (n, DNT_HW_ACT_DIM);
   * finished ones ignore theirs. reward (n, or NULL) gets each scenario's
   * reward of this step (0 for finished ones) and done (n, or NULL) 1 for
   * scenarios that are finished after it. DNT_ERR_NUMERIC naming the index
   * for a non-finite action of a running scenario (nothing moves). O(n). */
  int dnt_hw_batch_step(dnt_hw_batch * b, const float *u, float *reward, unsigned char *done);
  /* The outcome of scenario i so far. */
  void dnt_hw_batch_outcome(const dnt_hw_batch *b, size_t i, dnt_hw_outcome *out);

  /* Positions, speeds and accelerations of scenario i: x, v, a (3 each,
   * leader, ego, follower), for figures and tests. */
  void dnt_hw_batch_state(const dnt_hw_batch *b, size_t i, double x[3], double v[3], double a[3]);

  /* ---- Evaluation ------------------------------------------------------------ */

  /* Runs n scenarios to their end under a policy: obs (rows, DNT_HW_OBS_DIM) in,
   * u (rows, DNT_HW_ACT_DIM) in [-1, 1] out, through policies[t].act with mask
   * NULL and a NULL; policies[t] is only called from thread t (give each thread
   * its own network scratch), so n_policies must be >= threads (or 1 with
   * threads 1). Scenarios are cut into chunks of `chunk` (0 = 1024) handed to
   * threads in order of need; out (n) gets each outcome in scenario order, the
   * same for every thread count and chunk size. Threads from the twin's pool. */
  int dnt_hw_evaluate(const dnt_hw_scenario *sc, size_t n, double dt, const dnt_hw_reward *reward,
                      const dnt_policy *policies, int n_policies, int threads, size_t chunk,
                      dnt_hw_outcome *out);

  /* The reference controller as a dnt_policy on the observation (a
   * conservative ACC with emergency braking, see docs/WORLDS.md); it keeps no
   * state and may be shared by every thread. input_dim DNT_HW_OBS_DIM. */
  void dnt_hw_reference_policy(dnt_policy * p);
  /* Its action for one observation row. O(1). */
  float dnt_hw_reference_act(const float *obs);

  /* ---- The single-scenario world (dnt/world.h) -------------------------------- */

  /* A dnt_world of kind "highway" running scenario `sc` (copied; its
   * leader_speed stays borrowed) with time step dt. Fields: x, v, a of the
   * leader, ego and follower (group 0, every step), mu (group 1), collided
   * (group 0); one action, the ego's u. reset(seed) restarts the scenario with
   * its noise stream from `seed`; steps past the end hold the final state. */
  int dnt_hw_world_create(const dnt_hw_scenario *sc, double dt, const dnt_hw_reward *reward,
                          dnt_world **out);
  /* The world's observation row (DNT_HW_OBS_DIM), outcome and last reward. */
  int dnt_hw_world_observe(const dnt_world *w, float *obs);
  int dnt_hw_world_outcome(const dnt_world *w, dnt_hw_outcome *out, double *last_reward);

#ifdef __cplusplus
}
#endif
#endif
