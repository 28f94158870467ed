/* tests/rl/test_rl_state.c: exact resume of the RL layer. An agent trained k
 * steps, saved (env, shield counts, CMDP, agent), loaded into fresh objects
 * built from ANOTHER seed (so anything not restored shows) and trained m more
 * steps ends in the state of the same agent trained k + m steps without a
 * stop: same parameters, target, Adam moments, replay contents and priority
 * trees, streams (next draws), counters, env states, multipliers and shield
 * counts. Covered: DQN (dueling, Double, prioritised replay whose ring has
 * wrapped, PID multipliers, a shield, 3 CartPole instances), DQN on the
 * masked chain (uniform replay, exponential epsilon, hard target copies) and
 * TD3 on Pendulum (policy delay 2: the update parity). Truncated and flipped
 * states are refused as corrupt, another architecture as a mismatch, a
 * replay action or size out of range as corrupt, counters an agent could
 * not have (the next training round in the past: the step would loop over
 * it) as corrupt, an env without save as unsupported. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "dnt/dqn.h"
#include "dnt/envs.h"
#include "dnt/status.h"
#include "dnt/td3.h"

typedef enum scenario { CARTPOLE_DQN, CHAIN_DQN, PENDULUM_TD3 } scenario;

typedef struct world {
  scenario sc;
  dnt_vecenv env;
  dnt_cmdp cmdp;
  int constrained;
  dnt_intervention shield;
  dnt_hooks hooks;
  dnt_hooks *hooks_ptr;
  dnt_dqn *dqn;
  dnt_td3 *td3;
} world;

/* A crude shield: near either edge, pushing outwards is replaced by pushing back. */
static int edge_safe(void *user, const dnt_vecenv *env, int i, const float *obs, int a,
                     const float *u, int *safe) {
  const dnt_cartpole *c = env->inst[i];
  *safe = !(c->x > 0.2 && a == 1) && !(c->x < -0.2 && a == 0);
  return 0;
}
static int edge_backup(void *user, const dnt_vecenv *env, int i, const float *obs, int *a,
                       float *u) {
  *a = ((const dnt_cartpole *)env->inst[i])->x > 0 ? 0 : 1;
  return 0;
}

static int make(world *w, scenario sc, int hidden2, uint64_t seed) {
  memset(w, 0, sizeof *w);
  w->sc = sc;
  const dnt_env_ops *ops = sc == CARTPOLE_DQN ? &dnt_env_cartpole
                           : sc == CHAIN_DQN  ? &dnt_env_chain
                                              : &dnt_env_pendulum;
  int rc = dnt_vecenv_init(&w->env, ops, NULL, sc == CARTPOLE_DQN ? 3 : 2, seed);
  if (rc) return rc;
  if (sc == PENDULUM_TD3) {
    dnt_td3_config c;
    dnt_td3_config_default(&c);
    c.hidden[0] = 16;
    c.hidden[1] = hidden2;
    c.batch = 32;
    c.buffer = 800;
    c.learning_starts = 300;
    return dnt_td3_create(&c, &w->env, NULL, NULL, seed, &w->td3);
  }
  dnt_dqn_config c;
  dnt_dqn_config_default(&c);
  c.hidden[0] = 16;
  c.hidden[1] = hidden2;
  c.batch = 32;
  c.buffer = 1000;
  c.learning_starts = 200;
  c.eps_steps = 2000;
  if (sc == CARTPOLE_DQN) {
    double d = 0.05;
    if ((rc = dnt_cmdp_init(&w->cmdp, 1, &d, DNT_LAGRANGE_PID, 0, 1, 0.05, 0.1, 100))) return rc;
    w->constrained = 1;
    w->shield = dnt_intervention_shield("edge", edge_safe, edge_backup, NULL, 0.1f,
                                        DNT_SHIELD_LEARN_PROPOSED);
    dnt_hooks_init(&w->hooks);
    if ((rc = dnt_hooks_add(&w->hooks, &w->shield))) return rc;
    w->hooks_ptr = &w->hooks;
    c.dueling = 1;
    c.prioritized = 1;
    c.cmdp_update_every = 100;
  } else {
    c.eps_decay = DNT_EPS_EXP;
    c.eps_steps = 300;
    c.tau = 1;
    c.target_update = 50;
  }
  return dnt_dqn_create(&c, &w->env, w->hooks_ptr, w->constrained ? &w->cmdp : NULL, seed, &w->dqn);
}

static void destroy(world *w) {
  dnt_dqn_destroy(w->dqn);
  dnt_td3_destroy(w->td3);
  if (w->constrained) dnt_cmdp_free(&w->cmdp);
  dnt_vecenv_free(&w->env);
}

static int train(world *w, int64_t steps) {
  return w->dqn ? dnt_dqn_train(w->dqn, steps) : dnt_td3_train(w->td3, steps);
}

static int save(const world *w, dnt_pack *p) {
  dnt_vecenv_save(&w->env, p);
  dnt_hooks_save(w->hooks_ptr, p);
  if (w->constrained) dnt_cmdp_save(&w->cmdp, p);
  return w->dqn ? dnt_dqn_save_state(w->dqn, p) : dnt_td3_save_state(w->td3, p);
}

static int load(world *w, dnt_unpack *u) {
  dnt_vecenv_load(&w->env, u);
  dnt_hooks_load(w->hooks_ptr, u);
  if (w->constrained) dnt_cmdp_load(&w->cmdp, u);
  if (w->dqn)
    dnt_dqn_load_state(w->dqn, u);
  else
    dnt_td3_load_state(w->td3, u);
  return dnt_unpack_end(u);
}

static const dnt_replay *replay_of(const world *w) {
  return w->dqn ? &w->dqn->replay : &w->td3->replay;
}

/* The saved payload of w (caller frees). */
static unsigned char *payload(const world *w, size_t *len) {
  dnt_pack p;
  dnt_pack_init(&p);
  CHECK_OK(save(w, &p));
  *len = p.len;
  return p.buf; /* taken over from the pack */
}

static void check_scenario(scenario sc, int64_t k, int64_t m) {
  world ref, res;
  CHECK_OK(make(&ref, sc, 16, 7));
  CHECK_OK(train(&ref, k));
  dnt_pack p;
  dnt_pack_init(&p);
  CHECK_OK(save(&ref, &p));
  unsigned char *frame;
  size_t flen;
  CHECK_OK(dnt_pack_frame(&p, "rl state test", &frame, &flen));
  CHECK_OK(train(&ref, m));

  /* fresh objects of another seed, loaded: the state saved, bit for bit */
  CHECK_OK(make(&res, sc, 16, 99));
  dnt_unpack u;
  CHECK_OK(dnt_unpack_parse(&u, frame, flen, "frame", "rl state test"));
  CHECK_OK(load(&res, &u));
  size_t l1;
  unsigned char *b1 = payload(&res, &l1);
  CHECK(l1 == p.len && memcmp(b1, p.buf, l1) == 0);
  free(b1);
  const dnt_replay *ra = replay_of(&ref), *rb = replay_of(&res);
  if (sc == CARTPOLE_DQN) CHECK(rb->size == rb->shape.capacity && rb->pos != 0); /* wrapped */

  /* continued: the uninterrupted run's state, and the same next draws */
  CHECK_OK(train(&res, m));
  size_t la, lb;
  unsigned char *sa = payload(&ref, &la), *sb = payload(&res, &lb);
  CHECK_MSG(la == lb && memcmp(sa, sb, la) == 0, "scenario %d: state after %lld + %lld steps",
            (int)sc, (long long)k, (long long)m);
  free(sa);
  free(sb);
  if (ra->prioritized) {
    size_t nodes = 2 * (size_t)ra->tree_leaves;
    CHECK(memcmp(ra->sum_tree, rb->sum_tree, nodes * sizeof(double)) == 0);
    CHECK(memcmp(ra->min_tree, rb->min_tree, nodes * sizeof(double)) == 0);
  }
  dnt_rng ga = ref.dqn ? ref.dqn->rng : ref.td3->rng, gb = res.dqn ? res.dqn->rng : res.td3->rng;
  CHECK(dnt_rng_u64(&ga) == dnt_rng_u64(&gb));
  CHECK(dnt_rng_u64(&ref.env.rng[1]) == dnt_rng_u64(&res.env.rng[1]));
  if (sc == CARTPOLE_DQN) {
    CHECK(res.cmdp.updates > 0 && res.cmdp.lambda[0] == ref.cmdp.lambda[0]);
    CHECK(res.hooks.count.intervened > 0 && res.hooks.count.steps == ref.hooks.count.steps);
    CHECK(res.shield.overrides == ref.shield.overrides);
  }
  if (sc == PENDULUM_TD3) CHECK(res.td3->updates % 2 == ref.td3->updates % 2);
  destroy(&res);

  /* a truncated or flipped state is corrupt, never loaded */
  dnt_rng pick;
  dnt_rng_seed(&pick, (uint64_t)sc);
  for (int t = 0; t < 40; t++) {
    size_t cut = t < 20 ? (size_t)t : (size_t)dnt_rng_below(&pick, flen);
    CHECK_MSG(dnt_unpack_parse(&u, frame, cut, "cut", "rl state test") == DNT_ERR_CORRUPT,
              "cut at %zu of %zu", cut, flen);
    size_t at = 12 + (size_t)dnt_rng_below(&pick, flen - 12);
    frame[at] ^= 0x10;
    CHECK_MSG(dnt_unpack_parse(&u, frame, flen, "flip", "rl state test") == DNT_ERR_CORRUPT,
              "flip at %zu of %zu", at, flen);
    frame[at] ^= 0x10;
  }
  /* another architecture is a mismatch; the half-loaded agent is destroyed */
  CHECK_OK(make(&res, sc, 8, 7));
  CHECK_OK(dnt_unpack_parse(&u, frame, flen, "frame", "rl state test"));
  CHECK(load(&res, &u) == DNT_ERR_MISMATCH);
  CHECK(strstr(dnt_last_error(), "n_params") != NULL);
  destroy(&res);
  free(frame);
  dnt_pack_free(&p);
  destroy(&ref);
}

/* A replay payload with one value patched at byte `at` must be refused as corrupt. */
static void check_patched_replay(const dnt_replay *src, size_t at, int64_t value,
                                 const char *what) {
  dnt_pack p;
  dnt_pack_init(&p);
  CHECK_OK(dnt_replay_save(src, &p));
  memcpy(p.buf + at, &value, sizeof value);
  unsigned char *frame;
  size_t flen;
  CHECK_OK(dnt_pack_frame(&p, "", &frame, &flen));
  dnt_replay rb;
  CHECK_OK(dnt_replay_init(&rb, &src->shape, src->prioritized, src->alpha));
  dnt_unpack u;
  CHECK_OK(dnt_unpack_parse(&u, frame, flen, "patched", ""));
  CHECK(dnt_replay_load(&rb, &u) == DNT_ERR_CORRUPT);
  CHECK_MSG(strstr(dnt_last_error(), what) != NULL, "%s", dnt_last_error());
  dnt_replay_free(&rb);
  free(frame);
  dnt_pack_free(&p);
}

int main(void) {
  check_scenario(CARTPOLE_DQN, 1500, 900);
  check_scenario(CHAIN_DQN, 700, 500);
  check_scenario(PENDULUM_TD3, 800, 500);

  /* out-of-range values behind a valid CRC: size, and an action (an index) */
  world w;
  CHECK_OK(make(&w, CHAIN_DQN, 16, 3));
  CHECK_OK(train(&w, 100));
  const dnt_replay *rb = &w.dqn->replay;
  size_t head = 8 + 6 + 7 * 8; /* tag "replay", shape */
  CHECK(rb->size == 100);
  check_patched_replay(rb, head, 5000, "'size' = '5000'");
  size_t obs_bytes = 8 + (size_t)rb->size * (size_t)rb->shape.obs_dim * sizeof(float);
  size_t action = head + 3 * 8 + 2 * obs_bytes + 8; /* after size/pos/added, obs, next_obs, count */
  int bad[2] = {7, 0};
  int64_t two;
  memcpy(&two, bad, sizeof two); /* the first two actions: 7 (of 2 actions), 0 */
  check_patched_replay(rb, action, two, "'action' = '7'");

  /* the agent's next training round far in the past, behind a valid CRC */
  dnt_pack ap;
  dnt_pack_init(&ap);
  CHECK_OK(dnt_dqn_save_state(w.dqn, &ap));
  size_t np;
  dnt_dqn_params(w.dqn, &np);
  size_t nets = 2 * (8 + 4 * np);
  size_t counters = 8 + 3 + 3 * 8 + nets + (8 + 4 + 8 + nets) + 48; /* tag, shape, adam, rng */
  int64_t steps, past = -1000000000;
  memcpy(&steps, ap.buf + counters, sizeof steps);
  CHECK(steps == 100);
  memcpy(ap.buf + counters + 16, &past, sizeof past);
  unsigned char *af;
  size_t al;
  CHECK_OK(dnt_pack_frame(&ap, "", &af, &al));
  world w2;
  CHECK_OK(make(&w2, CHAIN_DQN, 16, 3));
  dnt_unpack au;
  CHECK_OK(dnt_unpack_parse(&au, af, al, "patched", ""));
  CHECK(dnt_dqn_load_state(w2.dqn, &au) == DNT_ERR_CORRUPT);
  CHECK_MSG(strstr(dnt_last_error(), "'next_train' = '-1000000000': expected 101..101"), "%s",
            dnt_last_error());
  destroy(&w2);
  free(af);
  dnt_pack_free(&ap);
  destroy(&w);

  /* an env without save/load cannot be saved */
  dnt_env_ops plain = dnt_env_cartpole;
  plain.save = NULL;
  plain.load = NULL;
  dnt_vecenv v;
  CHECK_OK(dnt_vecenv_init(&v, &plain, NULL, 1, 1));
  dnt_pack p;
  dnt_pack_init(&p);
  CHECK(dnt_vecenv_save(&v, &p) == DNT_ERR_UNSUPPORTED);
  CHECK(strstr(dnt_last_error(), "cannot be saved") != NULL);
  dnt_pack_free(&p);
  dnt_vecenv_free(&v);
  return test_done("test_rl_state");
}
