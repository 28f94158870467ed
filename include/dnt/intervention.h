/* dnt/intervention.h: composable state, action and reward interventions.
 *
 * An intervention is a hook that sits between an agent and its environment
 * (the four modules of D-REC, IEEE JSAC 2024, and the paper's section IV-A act
 * on state, action or reward). Every agent of the RL layer (DQN, DDPG/TD3)
 * runs each vector step through a dnt_hooks list in this order:
 *
 *   1. state:  obs_aug = [obs, extra_1, extra_2, ...]: each state hook
 *              appends extra_dim values that the caller computes (e.g. base
 *              station loads read from the twin). The network sees obs_aug.
 *   2. action: the agent proposes an action for obs_aug; each shield, in list
 *              order, asks its predicate whether the action as it stands is
 *              safe, and if not replaces it by its backup policy's action
 *              (Alshiekh et al., "Safe Reinforcement Learning via Shielding",
 *              AAAI 2018, preemptive shield). Every check and every override
 *              is counted. The backup's action is checked by the same
 *              predicate: when it is flagged too, no safe action is known,
 *              the backup's action is executed anyway, and the step is
 *              counted as unsafe (the shield's `unsafe`, the list's
 *              count.unsafe) and logged (a warning, the first time per
 *              shield).
 *   3. the environment steps with the executed action.
 *   4. reward: each reward hook maps the reward to a new one (e.g. minus a
 *              load-imbalance penalty); then each shield that overrode this
 *              step subtracts its `penalty`.
 *
 * What the agent learns from after an override is the shield's choice:
 *   DNT_SHIELD_LEARN_EXECUTED  (s, executed action, r - penalty, s')
 *   DNT_SHIELD_LEARN_PROPOSED  (s, proposed action, r - penalty, s'): the agent
 *                              learns that proposing the unsafe action costs.
 * If any overriding shield asks for PROPOSED, the proposal is stored.
 *
 * Counting. Each shield counts its checks, overrides and unsafe backups; the
 * list counts instance steps, steps with ANY override and unsafe steps
 * (dnt_hooks_counts), so that with several shields the intervention rate of
 * the list (dnt_hooks_intervention_rate) is the share of steps that some
 * shield changed: the shields' own rates overlap and do not add up to it.
 * dnt_policy_evaluate counts its episodes separately and leaves the
 * training counts as they were (dnt/policy.h).
 *
 * The callbacks receive the vecenv and the instance index, so that a hook can
 * read an instance's full state (env->inst[i]) and not only its observation;
 * state hooks run right after a step, before the instance is reset. A
 * callback returns 0 or a negative dnt_status, which aborts the agent's step.
 *
 * Ownership: the caller owns each dnt_intervention and the dnt_hooks list
 * (plain structs, no allocation); both must outlive the agent using them. A
 * hook's `user` pointer is passed back untouched. */
#ifndef DNT_INTERVENTION_H
#define DNT_INTERVENTION_H

#include <stdint.h>

#include "dnt/env.h"
#include "dnt/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnt_intervention_kind {
  DNT_INTERVENE_STATE = 1,
  DNT_INTERVENE_ACTION = 2,
  DNT_INTERVENE_REWARD = 3
} dnt_intervention_kind;

typedef enum dnt_shield_learn {
  DNT_SHIELD_LEARN_EXECUTED = 0,
  DNT_SHIELD_LEARN_PROPOSED = 1
} dnt_shield_learn;

/* Writes extra_dim values for instance i whose raw observation is obs. */
typedef int (*dnt_state_fn)(void *user, const dnt_vecenv *env, int i, const float *obs,
                            float *extra);
/* Sets *safe to 1 if action (a, or u for continuous envs) is safe in instance i. */
typedef int (*dnt_safe_fn)(void *user, const dnt_vecenv *env, int i, const float *obs_aug, int a,
                           const float *u, int *safe);
/* Writes the backup policy's action into *a (discrete) or u (continuous). */
typedef int (*dnt_backup_fn)(void *user, const dnt_vecenv *env, int i, const float *obs_aug, int *a,
                             float *u);

/* What a reward hook sees of one instance's step. */
typedef struct dnt_step_view {
  const float *obs_aug;      /* observation the agent acted on */
  int a;                     /* executed discrete action */
  const float *u;            /* executed continuous action (act_dim), or NULL */
  const float *next_obs_aug; /* observation reached (before any reset) */
  const float *cost;         /* costs of the step (n_costs) */
  int terminated, truncated;
} dnt_step_view;

/* Writes the reshaped reward into *reward (which holds the current one). */
typedef int (*dnt_reward_fn)(void *user, const dnt_vecenv *env, int i, const dnt_step_view *s,
                             float *reward);

typedef struct dnt_intervention {
  dnt_intervention_kind kind;
  const char *name; /* for logs and summaries; borrowed */
  void *user;       /* passed back to the callbacks */
  /* state */
  int extra_dim;
  dnt_state_fn augment;
  /* action */
  dnt_safe_fn is_safe;
  dnt_backup_fn backup;
  float penalty; /* subtracted from the learning reward on an override */
  dnt_shield_learn learn;
  int64_t checks;    /* actions checked */
  int64_t overrides; /* actions replaced by the backup policy */
  int64_t unsafe;    /* overrides whose backup action the predicate flagged too */
  int warned;        /* 1 once the unsafe backup was logged (counts resets keep it) */
  /* reward */
  dnt_reward_fn reshape;
} dnt_intervention;

#define DNT_HOOKS_MAX 16

/* What the shields of a list did, over instance steps. */
typedef struct dnt_hooks_counts {
  int64_t steps;      /* instance steps run through the shields */
  int64_t intervened; /* of them, steps where at least one shield overrode */
  int64_t unsafe;     /* of them, steps where a backup action was flagged too */
} dnt_hooks_counts;

typedef struct dnt_hooks {
  int n;
  dnt_intervention *item[DNT_HOOKS_MAX]; /* borrowed, in application order */
  dnt_hooks_counts count;                /* since init or the last reset */
} dnt_hooks;

/* Constructors returning a filled struct (counters zero). */
dnt_intervention dnt_intervention_state(const char *name, int extra_dim, dnt_state_fn augment,
                                        void *user);
dnt_intervention dnt_intervention_shield(const char *name, dnt_safe_fn is_safe,
                                         dnt_backup_fn backup, void *user, float penalty,
                                         dnt_shield_learn learn);
dnt_intervention dnt_intervention_reward(const char *name, dnt_reward_fn reshape, void *user);

/* An empty list. */
void dnt_hooks_init(dnt_hooks *h);
/* Appends iv (borrowed); DNT_ERR_ARG when the list is full or iv is incomplete. */
int dnt_hooks_add(dnt_hooks *h, dnt_intervention *iv);
/* Sum of the state hooks' extra_dim (0 for NULL). */
int dnt_hooks_extra_dim(const dnt_hooks *h);
/* Overrides / checks of one shield (0 when it has checked nothing). */
double dnt_intervention_rate(const dnt_intervention *iv);
/* count.intervened / count.steps: the share of steps with any override (0
 * when no step ran; 0 for NULL). */
double dnt_hooks_intervention_rate(const dnt_hooks *h);
/* Zeroes the list's counts and every shield's checks, overrides and unsafe
 * (NULL is a no-op). */
void dnt_hooks_reset_counts(dnt_hooks *h);

/* The three stages, for one instance; h may be NULL (no hooks).
 * dnt_hooks_observe: obs_aug = [obs, extras] (obs_dim + extra_dim values). */
int dnt_hooks_observe(dnt_hooks *h, const dnt_vecenv *env, int i, const float *obs, float *obs_aug);
/* Runs the shields on (a, u) in place and counts the step (h->count, when
 * the list has a shield); *overridden gets 1 if any replaced it,
 * *store_proposed 1 if an overriding shield asks to learn the proposal, *unsafe
 * 1 if a backup action was flagged by its own predicate; *penalty gets the sum
 * of the overriding shields' penalties. */
int dnt_hooks_act(dnt_hooks *h, const dnt_vecenv *env, int i, const float *obs_aug, int *a,
                  float *u, int *overridden, int *store_proposed, int *unsafe, float *penalty);
/* The counts of the list and of each of its interventions for a resumed run
 * (dnt/state.h; the hooks' user data is its owner's to save). Load into a
 * list of the same kinds in the same order (DNT_ERR_MISMATCH otherwise);
 * NULL saves and loads an empty list. */
int dnt_hooks_save(const dnt_hooks *h, dnt_pack *p);
int dnt_hooks_load(dnt_hooks *h, dnt_unpack *u);

/* Applies the reward hooks to *reward in list order. */
int dnt_hooks_reward(dnt_hooks *h, const dnt_vecenv *env, int i, const dnt_step_view *s,
                     float *reward);

#ifdef __cplusplus
}
#endif
#endif
