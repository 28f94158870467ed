/* dnt/dqn.h: deep Q-learning over a (constrained) MDP with interventions.
 *
 * DQN (Mnih et al., "Human-level control through deep reinforcement
 * learning", Nature 2015): an online Q-network fitted to
 *   y = r_eff + gamma (1 - terminal) Q_target(s', argmax_a' Q_x(s', a'))
 * with x = target (vanilla) or x = online (Double DQN, van Hasselt, Guez and
 * Silver, AAAI 2016), argmax over the actions the next state's mask allows;
 * r_eff = r - sum_i lambda_i c_i when a CMDP is attached (dnt/cmdp.h). Loss
 * Huber (PyTorch's SmoothL1 at delta 1), gradients clipped to a global norm,
 * Adam. Options: dueling head Q = V + A - mean_a A (Wang et al., ICML 2016),
 * built as a trunk net and two heads sharing one parameter vector;
 * prioritised replay (dnt/replay.h) with beta annealed to 1; the target net
 * copied every `target_update` env steps (tau = 1) or Polyak-averaged at that
 * interval (tau < 1); epsilon-greedy exploration over allowed actions with
 * linear (Stable Baselines3, CleanRL) or exponential decay counted in env
 * steps from the start (dnt_dqn_epsilon_at).
 *
 * The agent acts on a dnt_vecenv of n instances: one dnt_dqn_step is n
 * environment steps (one batched forward), after which the due gradient steps
 * run: every `train_freq` env steps, `gradient_steps` updates of `batch`
 * transitions, once `learning_starts` transitions are stored. Every step runs
 * through the hooks (dnt/intervention.h).
 *
 * Defaults (dnt_dqn_config_default) and why they differ from Stable
 * Baselines3's and CleanRL's: see docs/RL.md.
 *
 * Determinism (dnt/rng.h): the initial weights come from stream NET_INIT
 * `agent` of `seed`, exploration and replay sampling from stream AGENT
 * `agent` (cfg.agent: 0 for a single agent; give each agent of a run, and
 * each other network of it, its own index); the vecenv's instances draw from
 * their own ENV streams.
 *
 * Ownership: dnt_dqn_create returns a handle freed by dnt_dqn_destroy; the
 * vecenv, hooks and cmdp are borrowed and must outlive it. The struct's fields
 * are read-only for callers. Cost per update: O(batch * params) in sgemm. */
#ifndef DNT_DQN_H
#define DNT_DQN_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/cmdp.h"
#include "dnt/env.h"
#include "dnt/intervention.h"
#include "dnt/optim.h"
#include "dnt/policy.h"
#include "dnt/replay.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNT_RL_MAX_HIDDEN 4

typedef enum dnt_eps_decay {
  DNT_EPS_LINEAR = 0, /* eps_start -> eps_end linearly over eps_steps, then flat */
  DNT_EPS_EXP = 1     /* eps_end + (eps_start - eps_end) exp(-t / eps_steps) */
} dnt_eps_decay;

typedef struct dnt_dqn_config {
  int n_hidden;                  /* hidden layers (1..DNT_RL_MAX_HIDDEN), ReLU */
  int hidden[DNT_RL_MAX_HIDDEN]; /* their widths */
  int dueling;                   /* 1: dueling head on the last hidden layer */
  int double_dqn;                /* 1: Double DQN target */
  float lr;                      /* Adam learning rate */
  float gamma;                   /* discount */
  int batch;                     /* transitions per gradient step */
  int buffer;                    /* replay capacity */
  int learning_starts;           /* env steps before the first update */
  int train_freq;                /* env steps between training rounds */
  int gradient_steps;            /* updates per round */
  int target_update;             /* env steps between target updates */
  float tau;                     /* 1: hard copy; < 1: Polyak weight */
  float huber_delta;             /* Huber threshold */
  float max_grad_norm;           /* global-norm clip (<= 0: none) */
  dnt_eps_decay eps_decay;
  float eps_start, eps_end;
  int eps_steps;              /* linear: steps to reach eps_end; exp: time constant */
  int prioritized;            /* 1: prioritised replay */
  float per_alpha, per_beta0; /* priority exponent; initial IS exponent */
  int per_beta_steps;         /* env steps over which beta goes to 1 */
  int cmdp_update_every;      /* env steps between multiplier updates */
  uint32_t agent;             /* index of the agent's streams (below); 0 for one agent */
} dnt_dqn_config;

/* Our defaults (see docs/RL.md for the comparison). */
void dnt_dqn_config_default(dnt_dqn_config *c);
/* DNT_ERR_CONFIG naming the first bad field, or 0. */
int dnt_dqn_config_check(const dnt_dqn_config *c);
/* Exploration rate after t env steps. */
float dnt_dqn_epsilon_at(const dnt_dqn_config *c, int64_t t);

typedef struct dnt_qnet dnt_qnet;
struct dnt_rollout;

typedef struct dnt_dqn {
  dnt_dqn_config cfg;
  dnt_vecenv *env;  /* borrowed */
  dnt_hooks *hooks; /* borrowed, may be NULL */
  dnt_cmdp *cmdp;   /* borrowed, may be NULL */
  int input_dim;    /* obs_dim + hooks' extra */
  int n_actions;
  dnt_qnet *online, *target;
  struct dnt_rollout *ro;
  dnt_replay replay;
  dnt_replay_batch batch;
  dnt_rng rng;
  int64_t steps;       /* env steps taken (n per dnt_dqn_step) */
  int64_t updates;     /* gradient steps done */
  int64_t next_train;  /* env step count of the next training round */
  int64_t next_target; /* env step count of the next target update */
  float epsilon;       /* exploration rate used by the last step */
  float loss;          /* loss of the last gradient step */
  /* workspace */
  float *q_act;               /* (n, n_actions) Q of the acting batch */
  float *q_next_t, *q_next_o; /* (batch, n_actions) next-state Q, target / online */
  float *y;                   /* (batch) TD targets */
  float *dq;                  /* (batch, n_actions) loss gradient */
  float *td;                  /* (batch) TD errors / loss gradients */
  float *pred;                /* (batch) Q(s, a) of the sampled actions */
  dnt_adam opt;               /* Adam over the online vector */
} dnt_dqn;

/* Builds the agent on env (n_actions > 0), continuing from the env's current
 * observations (augmented by the state hooks), initialises the online net from
 * the agent's stream and copies it to the target. DNT_ERR_CONFIG for a bad config, DNT_ERR_ARG for
 * a continuous env or a cmdp whose size differs from the env's n_costs. */
int dnt_dqn_create(const dnt_dqn_config *cfg, dnt_vecenv *env, dnt_hooks *hooks, dnt_cmdp *cmdp,
                   uint64_t seed, dnt_dqn **out);
/* Frees the agent (NULL is a no-op); the borrowed env, hooks and cmdp stay. */
void dnt_dqn_destroy(dnt_dqn *q);

/* One vector step (n env steps, epsilon-greedy) plus the training it makes due. */
int dnt_dqn_step(dnt_dqn *q);
/* Steps until at least `steps` more env steps are taken. */
int dnt_dqn_train(dnt_dqn *q, int64_t steps);
/* One gradient step on a sampled batch (called by dnt_dqn_step; public for
 * tests and custom loops). Needs a non-empty replay. DNT_ERR_NUMERIC when the
 * loss is not finite, before the parameters, optimiser or priorities change. */
int dnt_dqn_update(dnt_dqn *q);

/* Greedy actions of the online net for n observations (n, input_dim), over
 * allowed actions when mask (n, n_actions) is given. Any n >= 1. */
int dnt_dqn_act(dnt_dqn *q, const float *obs, const unsigned char *mask, int n, int *a);
/* The greedy policy as a dnt_policy borrowing q (valid while q lives). */
dnt_policy dnt_dqn_policy(dnt_dqn *q);

/* TD targets of a batch of b transitions (a pure function):
 *   y_k = reward_k + gamma (1 - terminal_k) q_next_target[k, a*_k]
 *   a*_k = argmax over allowed a of (q_next_online ? q_next_online : q_next_target)[k, a]
 * q_* are (b, n_actions); mask (b, n_actions) may be NULL (all allowed). */
void dnt_dqn_td_targets(int b, int n_actions, const float *q_next_target,
                        const float *q_next_online, const unsigned char *mask, const float *reward,
                        const unsigned char *terminal, float gamma, float *y);
/* Targets the agent would fit for batch `b` (effective reward with the CMDP's
 * current multipliers, Double DQN per config), into y (b->n). */
int dnt_dqn_batch_targets(dnt_dqn *q, const dnt_replay_batch *b, float *y);

/* The online net's parameters (one flat vector, length *n); writable: after a
 * change call dnt_dqn_sync_target if the target must follow. */
float *dnt_dqn_params(dnt_dqn *q, size_t *n);
/* Copies the online parameters into the target net. O(params). */
void dnt_dqn_sync_target(dnt_dqn *q);
/* Checkpoint of the online net (description: input, actions, hidden, dueling);
 * load also sets the target. DNT_ERR_MISMATCH for another architecture. */
int dnt_dqn_save(const dnt_dqn *q, const char *path);
int dnt_dqn_load(dnt_dqn *q, const char *path);

/* The whole agent for a run that resumes bit for bit (dnt/state.h): online
 * and target nets, Adam's moments and step count, the replay buffer, the
 * agent's stream, the step, update, training and target counters, epsilon
 * and the last loss, and the acting loop's augmented observations and CMDP
 * step count. The borrowed env, hooks and cmdp are saved by their owner
 * (dnt_vecenv_save, dnt_hooks_save, dnt_cmdp_save). Load into an agent made
 * by dnt_dqn_create with the same config on the same kind of env
 * (DNT_ERR_MISMATCH otherwise; on error destroy it). O(params + replay). */
int dnt_dqn_save_state(const dnt_dqn *q, dnt_pack *p);
int dnt_dqn_load_state(dnt_dqn *q, dnt_unpack *u);

#ifdef __cplusplus
}
#endif
#endif
