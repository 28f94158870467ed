/* tests/studies/test_world_env.c: the world-to-agent bridge (dnt/world_env.h).
 *
 * - On the example world (docs/example_world.c) and on a generated cellular
 *   world, stepping through the bridge equals stepping the world directly
 *   (same reset seed, same actions: identical telemetry and rewards, across
 *   episode resets); with a perfect channel the observation is the physical
 *   telemetry exactly, with uplink latency L it is the telemetry of step t - L,
 *   with downlink latency D the world gets the action of step t - D.
 * - The appended forecasts are the forecaster's own on the mirrored history
 *   (persistence while the history is short).
 * - A shield wired to a monitor predicate never lets an action through that
 *   the hand-computed predicate calls unsafe, over many random states and
 *   actions, and counts exactly the overrides; the look-ahead state is the
 *   twin world's next state computed by hand.
 * - Vectorised: instance i of n equals a lone instance given instance i's
 *   stream, stepped in reverse order.
 * - A factory gives what prototypes give; an observe callback, a mask and a
 *   terminal test see the mirror and the physical state as documented.
 * - Bad input: out-of-range and non-finite actions refused before anything
 *   steps; field indices, table widths and missing callbacks refused at create
 *   with a message naming them. */
#include <string.h>

#include "../../docs/example_world.c"
#include "dnt/cellular.h"
#include "dnt/forecast.h"
#include "dnt/monitor.h"
#include "dnt/world_env.h"
#include "test.h"

enum { LINKS = 3, NF = LINKS + 1 };

static const double shed_table[5] = {0, 0.05, 0.1, 0.3, 0.6};

static example_links_config links_cfg(double sigma) {
  example_links_config c = {
      .n_links = LINKS, .drift = 0.05, .sigma = sigma, .capacity = 10, .capacity_every = 7};
  return c;
}

/* reward: minus the total physical load; cost: the load of link 0 */
static int links_reward(void *user, const dnt_world_env_view *v, double *r) {
  (void)user;
  *r = 0;
  for (size_t i = 0; i < LINKS; i++)
    *r -= v->telemetry[i];
  return 0;
}
static int links_cost(void *user, const dnt_world_env_view *v, double *c) {
  (void)user;
  c[0] = v->telemetry[0];
  return 0;
}

typedef struct links_pair {
  dnt_world *physical, *twin;
} links_pair;

static links_pair links_worlds(double sigma) {
  links_pair w = {NULL, NULL};
  example_links_config pc = links_cfg(sigma), tc = links_cfg(0);
  CHECK_OK(example_links_create(&pc, 5, &w.physical));
  CHECK_OK(example_links_create(&tc, 6, &w.twin));
  return w;
}

static void links_free(links_pair *w) {
  dnt_world_destroy(w->physical);
  dnt_world_destroy(w->twin);
}

static void links_env(dnt_world_env_config *c, const links_pair *w, int horizon) {
  dnt_world_env_config_default(c);
  c->physical = w->physical;
  c->twin = w->twin;
  c->n_actions = 5;
  c->action_table = shed_table;
  c->action_width = 1;
  c->reward = links_reward;
  c->n_costs = 1;
  c->cost = links_cost;
  c->horizon = horizon;
}

/* The stream a vecenv of n instances with `seed` gives instance i at reset. */
typedef struct probe {
  dnt_rng got;
} probe;
static int probe_create(const void *cfg, dnt_env_spec *s, void **inst) {
  (void)cfg;
  s->name = "probe";
  s->obs_dim = 1;
  s->n_actions = 1;
  *inst = calloc(1, sizeof(probe));
  return *inst ? 0 : DNT_ERR_NOMEM;
}
static void probe_destroy(void *inst) {
  free(inst);
}
static int probe_reset(void *inst, dnt_rng *rng, float *obs) {
  ((probe *)inst)->got = *rng;
  obs[0] = 0;
  return 0;
}
static int probe_step(void *inst, int a, const float *u, dnt_rng *rng, float *obs, float *reward,
                      float *cost, int *terminated) {
  (void)inst, (void)a, (void)u, (void)rng, (void)cost;
  obs[0] = *reward = 0;
  *terminated = 0;
  return 0;
}
static const dnt_env_ops probe_ops = {"probe",     probe_create, probe_destroy,
                                      probe_reset, probe_step,   NULL};

static dnt_rng instance_stream(uint64_t seed, int n, int i) {
  dnt_vecenv v;
  dnt_rng r;
  memset(&r, 0, sizeof r);
  CHECK_OK(dnt_vecenv_init(&v, &probe_ops, NULL, n, seed));
  if (v.inst) r = ((probe *)v.inst[i])->got;
  dnt_vecenv_free(&v);
  return r;
}

/* ---- bridge == world, on the example world ------------------------------- */

/* Steps a vecenv of one links instance and, beside it, a fork of the physical
 * prototype reset with the seed the bridge derived; downlink latency dl. */
static void check_links_direct(int64_t uplink, int64_t dl) {
  links_pair w = links_worlds(0.2);
  dnt_world_env_config c;
  links_env(&c, &w, 17);
  c.sync.channel.uplink_latency = uplink;
  c.sync.channel.downlink_latency = dl;
  dnt_vecenv v;
  CHECK_OK(dnt_world_vecenv_init(&v, &c, 1, 11));
  CHECK(v.spec.obs_dim == NF && v.spec.n_actions == 5 && v.spec.max_steps == 17);
  dnt_world_env *e = dnt_world_env_at(&v, 0);
  dnt_world *direct = NULL;
  CHECK_OK(dnt_world_copy(w.physical, &direct));
  enum { STEPS = 60 };
  double phys[STEPS + 1][NF]; /* direct telemetry at each step of the episode */
  int queued[STEPS + 1];      /* action index decided at each step */
  dnt_rng agent;
  dnt_rng_for(&agent, 3, DNT_STREAM_AGENT, 0);
  uint64_t seeds[4] = {0}, ps, ts, cs;
  int episode = -1, t = 0, lag_ok = 1, obs_ok = 1, tel_ok = 1, rew_ok = 1;
  for (int s = 0; s <= STEPS; s++) {
    int start = s == 0;
    if (s > 0) {
      start = dnt_vecenv_done(&v, 0);
      CHECK_OK(dnt_vecenv_advance(&v));
    }
    if (start) { /* an episode starts: reset the direct world with the bridge's seed */
      episode++;
      seeds[episode % 4] = dnt_world_env_episode_seed(e);
      dnt_world_env_seeds(dnt_world_env_episode_seed(e), &ps, &ts, &cs);
      CHECK_OK(dnt_world_reset(direct, ps));
      t = 0;
      dnt_world_observe(direct, phys[0]);
    }
    /* the observation: the physical telemetry of step max(0, t - uplink) */
    const double *want = phys[t - uplink >= 0 ? t - uplink : 0];
    for (int k = 0; k < NF; k++)
      lag_ok &= v.obs[k] == (float)want[k];
    if (s == STEPS) break;
    int a = (int)dnt_rng_below(&agent, 5);
    queued[t] = a;
    CHECK_OK(dnt_vecenv_step(&v, &a, NULL));
    /* the direct world gets the action decided dl steps ago (none before) */
    double shed = t - dl >= 0 ? shed_table[queued[t - dl]] : 0;
    CHECK_OK(dnt_world_step(direct, t - dl >= 0 ? &shed : NULL));
    t++;
    dnt_world_observe(direct, phys[t]);
    const double *bridge = dnt_twin_physical_telemetry(dnt_world_env_twin(e));
    double r = 0;
    for (int k = 0; k < NF; k++) {
      tel_ok &= bridge[k] == phys[t][k];
      if (uplink == 0) obs_ok &= v.next_obs[k] == (float)phys[t][k];
    }
    for (int k = 0; k < LINKS; k++)
      r -= phys[t][k];
    rew_ok &= v.reward[0] == (float)r && v.cost[0] == (float)phys[t][0];
  }
  CHECK_MSG(tel_ok, "uplink %lld downlink %lld: bridge telemetry differs from the world's",
            (long long)uplink, (long long)dl);
  CHECK_MSG(obs_ok, "perfect channel: the observation is not the physical telemetry");
  CHECK_MSG(lag_ok, "uplink %lld: the observation does not lag by the latency", (long long)uplink);
  CHECK(rew_ok);
  CHECK(episode == 3 && v.episodes == 3);
  CHECK(seeds[0] != seeds[1] && seeds[1] != seeds[2] && seeds[2] != seeds[3]);
  dnt_world_destroy(direct);
  dnt_vecenv_free(&v);
  links_free(&w);
}

static void test_links_direct(void) {
  check_links_direct(0, 0);
  check_links_direct(3, 0);
  check_links_direct(0, 2);
  check_links_direct(2, 1);
}

/* ---- bridge == world, on a generated cellular world ---------------------- */

enum { BS = 6 };

static dnt_world *cell_world(uint64_t seed) {
  dnt_cell_site_params sp;
  dnt_cell_site_params_default(&sp);
  sp.n = BS;
  dnt_cell_sites s;
  CHECK_OK(dnt_cell_sites_generate(&sp, seed, &s));
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  p.fault_prob = 0.05; /* faults and bursts happen within the test */
  p.traffic.burst_prob = 0.05;
  dnt_world *w = NULL;
  CHECK_OK(dnt_cellular_create(&s, NULL, &p, seed, &w));
  dnt_cell_sites_free(&s);
  return w;
}

static int cell_reward(void *user, const dnt_world_env_view *v, double *r) {
  (void)user;
  dnt_cellular_stats st;
  dnt_cellular_stats_get(v->physical, &st);
  *r = -st.dropped;
  return 0;
}
static int cell_cost(void *user, const dnt_world_env_view *v, double *c) {
  (void)user;
  dnt_cellular_stats st;
  dnt_cellular_stats_get(v->physical, &st);
  c[0] = (double)st.overloaded;
  c[1] = st.max_load;
  return 0;
}

static void test_cellular_direct(void) {
  dnt_world *phys = cell_world(2), *tw = cell_world(2);
  dnt_world_env_config c;
  dnt_world_env_config_default(&c);
  c.physical = phys;
  c.twin = tw;
  c.act_dim = BS;
  for (int k = 0; k < BS; k++) {
    c.act_low[k] = 0.5f;
    c.act_high[k] = 2.0f;
  }
  c.reward = cell_reward;
  c.n_costs = 2;
  c.cost = cell_cost;
  c.horizon = 24;
  dnt_vecenv v;
  CHECK_OK(dnt_world_vecenv_init(&v, &c, 1, 7));
  CHECK(v.spec.obs_dim == 4 * BS && v.spec.act_dim == BS && v.spec.n_costs == 2);
  CHECK(strcmp(v.spec.name, "world:cellular") == 0);
  dnt_world_env *e = dnt_world_env_at(&v, 0);
  dnt_world *direct = NULL;
  CHECK_OK(dnt_world_copy(phys, &direct));
  dnt_rng agent;
  dnt_rng_for(&agent, 4, DNT_STREAM_AGENT, 0);
  double x[4 * BS];
  float u[BS];
  double wu[BS];
  int same = 1, exact_obs = 1, same_reward = 1;
  uint64_t ps, ts, cs;
  for (int s = 0; s < 60; s++) {
    if (s % 24 == 0) {
      dnt_world_env_seeds(dnt_world_env_episode_seed(e), &ps, &ts, &cs);
      CHECK_OK(dnt_world_reset(direct, ps));
    }
    for (int k = 0; k < BS; k++) {
      u[k] = (float)(0.5 + 1.5 * dnt_rng_uniform(&agent));
      wu[k] = u[k];
    }
    CHECK_OK(dnt_vecenv_step(&v, NULL, u));
    CHECK_OK(dnt_world_step(direct, wu));
    dnt_world_observe(direct, x);
    const double *b = dnt_twin_physical_telemetry(dnt_world_env_twin(e));
    for (int k = 0; k < 4 * BS; k++) {
      same &= b[k] == x[k];
      exact_obs &= v.next_obs[k] == (float)x[k];
    }
    dnt_cellular_stats st;
    dnt_cellular_stats_get(direct, &st);
    same_reward &= v.reward[0] == (float)-st.dropped && v.cost[0] == (float)st.overloaded &&
                   v.cost[1] == (float)st.max_load;
    CHECK(dnt_vecenv_done(&v, 0) == ((s + 1) % 24 == 0));
    CHECK_OK(dnt_vecenv_advance(&v));
  }
  CHECK_MSG(same, "cellular: bridge telemetry differs from the world stepped directly");
  CHECK_MSG(exact_obs, "cellular: perfect channel, the observation is not the telemetry");
  CHECK(same_reward);
  const double *last = dnt_world_env_last_action(e);
  CHECK(last[0] == wu[0] && last[BS - 1] == wu[BS - 1]);
  dnt_world_destroy(direct);
  dnt_vecenv_free(&v);
  dnt_world_destroy(phys);
  dnt_world_destroy(tw);
}

/* ---- observation transforms and forecasts -------------------------------- */

static void test_obs_fields_and_forecasts(void) {
  links_pair w = links_worlds(0.3);
  dnt_world_env_config c;
  links_env(&c, &w, 1000);
  static const size_t fields[2] = {2, 0}, fc_fields[2] = {1, 3};
  static const double off[NF] = {1, 2, 3, 4}, sc[NF] = {0.5, 2, 4, 0.25};
  c.obs_fields = fields;
  c.n_obs_fields = 2;
  c.field_offset = off;
  c.field_scale = sc;
  dnt_forecaster *f = NULL;
  CHECK_OK(dnt_forecaster_seasonal_naive(4, &f));
  c.forecaster = f;
  c.fc_fields = fc_fields;
  c.n_fc_fields = 2;
  c.fc_k = 3;
  c.fc_history = 10;
  dnt_vecenv v;
  CHECK_OK(dnt_world_vecenv_init(&v, &c, 1, 5));
  CHECK(v.spec.obs_dim == 2 + 2 * 3);
  dnt_world_env *e = dnt_world_env_at(&v, 0);
  const dnt_mirror *m = dnt_twin_mirror(dnt_world_env_twin(e));
  int a = 1, ok_obs = 1, ok_fc = 1, ok_short = 1;
  double hist[10], fc[3];
  for (int s = 0; s < 30; s++) {
    const float *o = v.obs;
    for (int k = 0; k < 2; k++)
      ok_obs &= o[k] == (float)((m->value[fields[k]] - off[fields[k]]) * sc[fields[k]]);
    for (int j = 0; j < 2; j++) {
      size_t fj = fc_fields[j], n = dnt_mirror_series(m, fj, hist, 10);
      CHECK(n == (size_t)(s + 1 < 10 ? s + 1 : 10)); /* the snapshot row, then one per step */
      if (n >= 4) {
        CHECK_OK(dnt_forecaster_predict(f, hist, n, 3, fc));
      } else {
        fc[0] = fc[1] = fc[2] = m->value[fj];
        ok_short &= o[2 + 3 * j] == (float)((m->value[fj] - off[fj]) * sc[fj]);
      }
      for (int h = 0; h < 3; h++)
        ok_fc &= o[2 + 3 * j + h] == (float)((fc[h] - off[fj]) * sc[fj]);
    }
    CHECK_OK(dnt_vecenv_step(&v, &a, NULL));
    CHECK_OK(dnt_vecenv_advance(&v));
  }
  CHECK(ok_obs && ok_fc && ok_short);
  dnt_vecenv_free(&v);
  dnt_forecaster_destroy(f);
  links_free(&w);
}

/* ---- the monitor as the shield's predicate ------------------------------- */

/* unsafe: shedding more than 1.5 units of (mirrored) load in total */
static int shed_pred(void *ctx, const dnt_monitor_view *v) {
  (void)ctx;
  double load = 0;
  for (size_t i = 0; i < LINKS; i++)
    load += v->state[i];
  return v->action[0] * load > 1.5;
}

static int backup_none(void *user, const dnt_vecenv *env, int i, const float *obs, int *a,
                       float *u) {
  (void)user, (void)env, (void)i, (void)obs, (void)u;
  *a = 0; /* shed nothing: safe in every state */
  return 0;
}

static void test_shield(void) {
  links_pair w = links_worlds(0.4);
  dnt_world_env_config c;
  links_env(&c, &w, 40);
  c.sync.channel.uplink_latency = 1; /* the monitor judges the stale mirror */
  c.sync.channel.uplink_loss = 0.2;
  enum { N = 4, STEPS = 400 };
  dnt_vecenv v;
  CHECK_OK(dnt_world_vecenv_init(&v, &c, N, 9));
  dnt_monitor *mon = NULL;
  CHECK_OK(dnt_monitor_create(&mon));
  int p = dnt_monitor_add(mon, "shed", shed_pred, NULL);
  CHECK(p == 0);
  dnt_world_env_shield sh = {.monitor = mon, .lookahead = 0, .backup = backup_none};
  dnt_intervention iv =
      dnt_world_env_shield_intervention(&sh, "monitor", 1.0f, DNT_SHIELD_LEARN_EXECUTED);
  dnt_hooks hooks;
  dnt_hooks_init(&hooks);
  CHECK_OK(dnt_hooks_add(&hooks, &iv));
  dnt_rng agent;
  dnt_rng_for(&agent, 8, DNT_STREAM_AGENT, 0);
  int64_t expect_unsafe = 0, let_through = 0, wrong_override = 0, backup_flagged = 0;
  int acts[N];
  for (int s = 0; s < STEPS; s++) {
    for (int i = 0; i < N; i++) {
      const double *mv = dnt_twin_mirror(dnt_world_env_twin(dnt_world_env_at(&v, i)))->value;
      double load = mv[0] + mv[1] + mv[2];
      int a = (int)dnt_rng_below(&agent, 5), proposed = a, over = 0, store = 0, unsafe_b = 0;
      float pen = 0;
      int unsafe = shed_table[a] * load > 1.5;
      expect_unsafe += unsafe;
      CHECK_OK(dnt_hooks_act(&hooks, &v, i, v.obs + i * v.spec.obs_dim, &a, NULL, &over, &store,
                             &unsafe_b, &pen));
      backup_flagged += unsafe_b;
      let_through += shed_table[a] * load > 1.5;
      wrong_override += over != unsafe || (over ? a != 0 : a != proposed);
      acts[i] = a;
    }
    CHECK_OK(dnt_vecenv_step(&v, acts, NULL));
    CHECK_OK(dnt_vecenv_advance(&v));
  }
  CHECK_MSG(let_through == 0, "%lld unsafe actions executed", (long long)let_through);
  CHECK(wrong_override == 0);
  CHECK_MSG(expect_unsafe > 100 && expect_unsafe < N * STEPS / 2, "%lld unsafe proposals",
            (long long)expect_unsafe);
  CHECK(iv.overrides == expect_unsafe && iv.checks == N * STEPS);
  /* the backup's action went through the monitor too, and passed */
  CHECK(backup_flagged == 0 && iv.unsafe == 0);
  CHECK(dnt_monitor_checks(mon) == N * STEPS + expect_unsafe);
  CHECK(dnt_monitor_unsafe_checks(mon) == expect_unsafe);
  CHECK(dnt_monitor_triggers_of(mon, p) == expect_unsafe);
  CHECK(dnt_monitor_n_triggers(mon) == (size_t)expect_unsafe);
  dnt_monitor_destroy(mon);
  dnt_vecenv_free(&v);
  links_free(&w);
}

/* The look-ahead state: the noiseless twin world after one step of shed s is
 * (1 - s) load + drift per link, capacity unchanged (every 7 steps). */
typedef struct next_probe {
  double next[NF], state[NF], action;
  int calls;
} next_probe;

static int record_next(void *ctx, const dnt_monitor_view *v) {
  next_probe *np = ctx;
  memcpy(np->next, v->next, sizeof np->next);
  memcpy(np->state, v->state, sizeof np->state);
  np->action = v->action[0];
  np->calls++;
  return 0;
}

static void test_shield_lookahead(void) {
  links_pair w = links_worlds(0.4);
  dnt_world_env_config c;
  links_env(&c, &w, 100);
  c.sync.channel.uplink_latency = 2;
  dnt_vecenv v;
  CHECK_OK(dnt_world_vecenv_init(&v, &c, 2, 4));
  dnt_monitor *mon = NULL;
  CHECK_OK(dnt_monitor_create(&mon));
  next_probe np = {{0}, {0}, 0, 0};
  CHECK(dnt_monitor_add(mon, "probe", record_next, &np) == 0);
  dnt_world_env_shield sh = {.monitor = mon, .lookahead = 1, .backup = backup_none};
  int acts[2] = {3, 1}, ok = 1;
  for (int s = 0; s < 20; s++) {
    for (int i = 0; i < 2; i++) {
      dnt_world_env *e = dnt_world_env_at(&v, i);
      const dnt_twin *t = dnt_world_env_twin(e);
      int safe = 0;
      CHECK_OK(dnt_world_env_is_safe(&sh, &v, i, v.obs, acts[i], NULL, &safe));
      CHECK(safe == 1);
      const double *tw = dnt_twin_telemetry(t), *mv = dnt_twin_mirror(t)->value;
      double sh_a = shed_table[acts[i]];
      for (int k = 0; k < LINKS; k++) {
        double want = (1 - sh_a) * tw[k] + 0.05;
        ok &= np.next[k] == (want > 0 ? want : 0) && np.state[k] == mv[k];
      }
      ok &= np.action == sh_a;
      if ((dnt_twin_now(t) + 1) % 7 != 0) ok &= np.next[LINKS] == tw[LINKS];
    }
    CHECK_OK(dnt_vecenv_step(&v, acts, NULL));
    CHECK_OK(dnt_vecenv_advance(&v));
  }
  CHECK(ok && np.calls == 40);
  dnt_monitor_destroy(mon);
  dnt_vecenv_free(&v);
  links_free(&w);
}

/* ---- vectorised ---------------------------------------------------------- */

static void test_vector_equals_singles(void) {
  links_pair w = links_worlds(0.3);
  dnt_world_env_config c;
  links_env(&c, &w, 13);
  c.sync.policy = DNT_SYNC_EVENT;
  c.sync.threshold = 0.3;
  c.sync.channel.uplink_loss = 0.3;
  c.sync.channel.uplink_latency = 1;
  enum { N = 4, STEPS = 50, OD = NF };
  dnt_vecenv v;
  CHECK_OK(dnt_world_vecenv_init(&v, &c, N, 21));
  const dnt_env_ops *ops = dnt_world_env_ops(&c);
  void *one[N];
  dnt_rng rng[N];
  float obs[N][OD], rew[N], cost[N];
  int t[N], term = 0, same = 1;
  for (int i = N - 1; i >= 0; i--) { /* created and reset in reverse order */
    dnt_env_spec spec;
    CHECK_OK(ops->create(&c, &spec, &one[i]));
    rng[i] = instance_stream(21, N, i);
    CHECK_OK(ops->reset(one[i], &rng[i], obs[i]));
    t[i] = 0;
    same &= memcmp(obs[i], v.obs + i * OD, sizeof obs[i]) == 0;
  }
  dnt_rng agent;
  dnt_rng_for(&agent, 2, DNT_STREAM_AGENT, 0);
  int acts[N];
  for (int s = 0; s < STEPS; s++) {
    for (int i = 0; i < N; i++)
      acts[i] = (int)dnt_rng_below(&agent, 5);
    CHECK_OK(dnt_vecenv_step(&v, acts, NULL));
    for (int i = N - 1; i >= 0; i--) {
      CHECK_OK(ops->step(one[i], acts[i], NULL, &rng[i], obs[i], &rew[i], &cost[i], &term));
      same &= memcmp(obs[i], v.next_obs + i * OD, sizeof obs[i]) == 0 && rew[i] == v.reward[i] &&
              cost[i] == v.cost[i] && !term;
      if (++t[i] == 13) {
        CHECK_OK(ops->reset(one[i], &rng[i], obs[i]));
        t[i] = 0;
      }
    }
    CHECK_OK(dnt_vecenv_advance(&v));
    for (int i = 0; i < N; i++)
      same &= memcmp(obs[i], v.obs + i * OD, sizeof obs[i]) == 0;
  }
  CHECK_MSG(same, "instance i of the vector differs from a lone instance i");
  for (int i = 1; i < N; i++) /* instances differ from each other */
    CHECK(dnt_world_env_episode_seed(dnt_world_env_at(&v, i)) !=
          dnt_world_env_episode_seed(dnt_world_env_at(&v, 0)));
  for (int i = 0; i < N; i++)
    ops->destroy(one[i]);
  dnt_vecenv_free(&v);
  /* the same seed repeats, another seed differs */
  dnt_vecenv a, b;
  CHECK_OK(dnt_world_vecenv_init(&a, &c, 2, 21));
  CHECK_OK(dnt_world_vecenv_init(&b, &c, 2, 22));
  CHECK(dnt_world_env_episode_seed(dnt_world_env_at(&a, 1)) !=
        dnt_world_env_episode_seed(dnt_world_env_at(&b, 1)));
  dnt_vecenv_free(&b);
  CHECK_OK(dnt_world_vecenv_init(&b, &c, 2, 21));
  CHECK(dnt_world_env_episode_seed(dnt_world_env_at(&a, 1)) ==
        dnt_world_env_episode_seed(dnt_world_env_at(&b, 1)));
  dnt_vecenv_free(&a);
  dnt_vecenv_free(&b);
  links_free(&w);
}

/* ---- bad input ----------------------------------------------------------- */

static int nan_to_world(void *user, int a, const float *u, double *wa) {
  (void)user, (void)u;
  wa[0] = a == 2 ? NAN : 0.1 * a;
  return 0;
}

static int create_fails(const dnt_world_env_config *c, int want, const char *needle) {
  dnt_vecenv v;
  int rc = dnt_world_vecenv_init(&v, c, 2, 1);
  int ok = rc == want && strstr(dnt_last_error(), needle) != NULL && v.inst == NULL;
  if (!ok)
    fprintf(stderr, "create: rc %d, message '%s', wanted '%s'\n", rc, dnt_last_error(), needle);
  if (rc == 0) dnt_vecenv_free(&v);
  return ok;
}

static void test_bad_input(void) {
  links_pair w = links_worlds(0.1);
  dnt_world_env_config c;
  links_env(&c, &w, 10);
  dnt_vecenv v;
  /* actions out of range or not finite: nothing steps */
  CHECK_OK(dnt_world_vecenv_init(&v, &c, 3, 1));
  int bad[3] = {1, 2, 5};
  CHECK(dnt_vecenv_step(&v, bad, NULL) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "instance 2: action 5") != NULL);
  for (int i = 0; i < 3; i++)
    CHECK(dnt_twin_now(dnt_world_env_twin(dnt_world_env_at(&v, i))) == 0);
  CHECK(v.steps == 0);
  dnt_vecenv_free(&v);
  c.to_world = nan_to_world;
  CHECK_OK(dnt_world_vecenv_init(&v, &c, 1, 1));
  int two = 2;
  CHECK(dnt_vecenv_step(&v, &two, NULL) == DNT_ERR_NUMERIC);
  CHECK(strstr(dnt_last_error(), "world action value 0 = nan") != NULL);
  CHECK(dnt_twin_now(dnt_world_env_twin(dnt_world_env_at(&v, 0))) == 0);
  /* the shield calls a non-finite action unsafe and lets the backup act */
  dnt_monitor *mon = NULL;
  CHECK_OK(dnt_monitor_create(&mon));
  dnt_world_env_shield sh = {.monitor = mon, .backup = backup_none};
  int safe = 1;
  CHECK_OK(dnt_world_env_is_safe(&sh, &v, 0, v.obs, 2, NULL, &safe));
  CHECK(safe == 0);
  CHECK_OK(dnt_world_env_is_safe(&sh, &v, 0, v.obs, 1, NULL, &safe));
  CHECK(safe == 1);
  dnt_monitor_destroy(mon);
  dnt_vecenv_free(&v);
  c.to_world = NULL;
  /* continuous: NaN refused by the vecenv before anything steps */
  dnt_world_env_config cc = c;
  cc.n_actions = 0;
  cc.action_table = NULL;
  cc.act_dim = 1;
  cc.act_low[0] = 0;
  cc.act_high[0] = 1;
  CHECK_OK(dnt_world_vecenv_init(&v, &cc, 2, 1));
  float u[2] = {0.1f, NAN};
  CHECK(dnt_vecenv_step(&v, NULL, u) == DNT_ERR_NUMERIC);
  CHECK(dnt_twin_now(dnt_world_env_twin(dnt_world_env_at(&v, 0))) == 0);
  dnt_vecenv_free(&v);
  /* refused at create, naming the field and its value */
  dnt_world_env_config b = c;
  static const size_t out_of_range[2] = {1, 9};
  b.obs_fields = out_of_range;
  b.n_obs_fields = 2;
  CHECK(create_fails(&b, DNT_ERR_ARG, "obs_fields[1] = 9: the world 'links' has 4 fields"));
  b = c;
  dnt_forecaster *f = NULL;
  CHECK_OK(dnt_forecaster_seasonal_naive(4, &f));
  b.forecaster = f;
  b.fc_fields = out_of_range;
  b.n_fc_fields = 2;
  b.fc_k = 2;
  b.fc_history = 8;
  CHECK(create_fails(&b, DNT_ERR_ARG, "fc_fields[1] = 9"));
  b.n_fc_fields = 1; /* field 1 only: in range */
  b.fc_history = 3;
  CHECK(create_fails(&b, DNT_ERR_ARG, "fc_history = 3"));
  dnt_forecaster_destroy(f);
  b = c;
  b.action_width = 2;
  CHECK(create_fails(&b, DNT_ERR_ARG, "action_width = 2"));
  b = cc;
  b.act_dim = 2;
  b.act_low[1] = 0;
  b.act_high[1] = 1;
  CHECK(create_fails(&b, DNT_ERR_ARG, "act_dim = 2"));
  static const double nan_table[5] = {0, 0.1, NAN, 0.3, 0.4};
  b = c;
  b.action_table = nan_table;
  CHECK(create_fails(&b, DNT_ERR_ARG, "action_table[2] = nan"));
  b = c;
  b.reward = NULL;
  CHECK(create_fails(&b, DNT_ERR_ARG, "no reward"));
  b = c;
  b.horizon = 0;
  CHECK(create_fails(&b, DNT_ERR_ARG, "horizon = 0"));
  b = c;
  b.physical = NULL;
  CHECK(create_fails(&b, DNT_ERR_ARG, "prototypes"));
  dnt_world *cell = cell_world(1);
  b = c;
  b.twin = cell;
  CHECK(create_fails(&b, DNT_ERR_MISMATCH, "physical world is 'links' but twin is 'cellular'"));
  dnt_world_destroy(cell);
  links_free(&w);
}

/* ---- factory, observe callback, mask, terminal --------------------------- */

static int make_links(void *user, dnt_world **p, dnt_world **t) {
  const double *sigma = user;
  example_links_config pc = links_cfg(*sigma), tc = links_cfg(0);
  int rc = example_links_create(&pc, 5, p);
  if (rc == 0) rc = example_links_create(&tc, 6, t);
  return rc;
}

/* obs = [total mirrored load, steps into the episode] */
static int observe_total(void *user, const dnt_world_env_view *v, float *obs) {
  (void)user;
  obs[0] = (float)(v->mirror->value[0] + v->mirror->value[1] + v->mirror->value[2]);
  obs[1] = (float)v->t;
  return 0;
}

/* allowed: the actions that shed at most 1.5 units of mirrored load */
static void mask_shed(void *user, const dnt_world_env_view *v, unsigned char *mask) {
  (void)user;
  double load = v->mirror->value[0] + v->mirror->value[1] + v->mirror->value[2];
  for (int a = 0; a < 5; a++)
    mask[a] = shed_table[a] * load <= 1.5;
}

static int load0_high(void *user, const dnt_world_env_view *v, int *terminated) {
  (void)user;
  *terminated = v->telemetry[0] > 5.6;
  return 0;
}

static void test_factory_mask_terminal(void) {
  links_pair w = links_worlds(0.3);
  double sigma = 0.3;
  dnt_world_env_config a, b;
  links_env(&a, &w, 30);
  b = a;
  b.physical = b.twin = NULL;
  b.make = make_links;
  b.user = &sigma;
  b.observe = observe_total;
  b.obs_dim = 2;
  b.mask = mask_shed;
  b.terminal = load0_high;
  CHECK(dnt_world_env_ops(&a)->mask == NULL && dnt_world_env_ops(&b)->mask != NULL);
  dnt_vecenv va, vb;
  CHECK_OK(dnt_world_vecenv_init(&va, &a, 2, 3));
  CHECK_OK(dnt_world_vecenv_init(&vb, &b, 2, 3));
  CHECK(vb.spec.obs_dim == 2 && vb.spec.has_mask == 1 && va.spec.has_mask == 0);
  int same = 1, mask_ok = 1, term_ok = 1, terminated = 0, acts[2] = {4, 0};
  for (int s = 0; s < 200; s++) {
    for (int i = 0; i < 2; i++) {
      /* prototypes and factory make the same worlds; the callback sees the mirror */
      const float *oa = va.obs + i * NF, *ob = vb.obs + i * 2;
      const dnt_world_env *e = dnt_world_env_at(&vb, i);
      const double *mv = dnt_twin_mirror(dnt_world_env_twin(e))->value;
      for (int k = 0; k < NF; k++)
        same &= oa[k] == (float)mv[k];
      same &= ob[0] == (float)(mv[0] + mv[1] + mv[2]) &&
              ob[1] == (float)dnt_twin_now(dnt_world_env_twin(e));
      for (int k = 0; k < 5; k++)
        mask_ok &= vb.mask[i * 5 + k] == (shed_table[k] * (mv[0] + mv[1] + mv[2]) <= 1.5);
    }
    CHECK_OK(dnt_vecenv_step(&va, acts, NULL));
    CHECK_OK(dnt_vecenv_step(&vb, acts, NULL));
    for (int i = 0; i < 2; i++) {
      const double *x = dnt_twin_physical_telemetry(dnt_world_env_twin(dnt_world_env_at(&vb, i)));
      term_ok &= vb.terminated[i] == (x[0] > 5.6) && !va.terminated[i];
      terminated += vb.terminated[i];
    }
    /* keep the two vectors on the same episodes: a terminates when b does */
    for (int i = 0; i < 2; i++)
      if (vb.terminated[i]) va.truncated[i] = 1;
    CHECK_OK(dnt_vecenv_advance(&va));
    CHECK_OK(dnt_vecenv_advance(&vb));
    acts[0] = (acts[0] + 1) % 5;
  }
  CHECK_MSG(same, "factory + observe callback differ from prototypes + fields");
  CHECK(mask_ok && term_ok);
  CHECK_MSG(terminated > 2 && vb.episodes > terminated, "%d terminations, %lld episodes",
            terminated, (long long)vb.episodes);
  dnt_vecenv_free(&va);
  dnt_vecenv_free(&vb);
  /* a failing factory fails create, naming its error */
  sigma = -1;
  CHECK(dnt_world_vecenv_init(&vb, &b, 1, 3) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "sigma = -1") != NULL);
  links_free(&w);
}

int main(void) {
  test_links_direct();
  test_cellular_direct();
  test_obs_fields_and_forecasts();
  test_shield();
  test_shield_lookahead();
  test_vector_equals_singles();
  test_factory_mask_terminal();
  test_bad_input();
  return test_done("studies.world_env");
}
