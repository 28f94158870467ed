/* tests/rl/test_intervention.c: the shield never lets a flagged action through
 * (property test over random states, discrete and continuous, one and two
 * shields), its counters equal the checks and overrides its callbacks saw,
 * and the stored transitions carry the state extras, the reshaped reward and
 * the penalty as documented in dnt/intervention.h. Regressions: a backup
 * action the predicate flags too is counted as unsafe (it used to pass
 * unchecked); with two shields the list's intervention rate is the share of
 * steps with any override (the shields' rates overlap: their sum was read as
 * the rate); an evaluation counts its own steps and leaves the training
 * counts untouched (it used to add to them). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#include "dnt/dqn.h"
#include "dnt/intervention.h"
#include "dnt/status.h"
#include "dnt/td3.h"

#define NS 10 /* states of the test environment */
#define NA 4  /* its discrete actions */

/* Flagged (unsafe) pairs: a fixed pseudo-random table; action (s % NA) is
 * always safe so that a backup exists. */
static int flagged_a(int s, int a) {
  return a != s % NA && ((s * 7 + a * 3) % 5) < 2;
}
static int flagged_b(int s, int a) {
  return a != s % NA && ((s * 3 + a * 11) % 7) < 2;
}

/* A random-state environment: each step jumps to a uniformly random state;
 * it records every executed action it receives. */
typedef struct rs_env {
  int s;
  int continuous;
  long executed, violations_a, violations_b, violations_u;
} rs_env;

static rs_env *last_env; /* the test inspects the (single) instance */

static int rs_create(const void *cfg, dnt_env_spec *spec, void **inst) {
  rs_env *e = calloc(1, sizeof *e);
  e->continuous = cfg != NULL;
  spec->name = "random-states";
  spec->obs_dim = NS;
  if (e->continuous) {
    spec->act_dim = 1;
    spec->act_low[0] = -2.0f;
    spec->act_high[0] = 2.0f;
  } else {
    spec->n_actions = NA;
  }
  spec->max_steps = 20;
  last_env = e;
  *inst = e;
  return 0;
}
static void rs_destroy(void *inst) {
  free(inst);
}
static void rs_obs(const rs_env *e, float *obs) {
  memset(obs, 0, NS * sizeof *obs);
  obs[e->s] = 1.0f;
}
static int rs_reset(void *inst, dnt_rng *rng, float *obs) {
  rs_env *e = inst;
  e->s = (int)dnt_rng_below(rng, NS);
  rs_obs(e, obs);
  return 0;
}
static int rs_step(void *inst, int a, const float *u, dnt_rng *rng, float *obs, float *reward,
                   float *cost, int *terminated) {
  rs_env *e = inst;
  e->executed++;
  if (e->continuous) {
    e->violations_u += u[0] > 0.5f;
  } else {
    e->violations_a += flagged_a(e->s, a);
    e->violations_b += flagged_b(e->s, a);
  }
  e->s = (int)dnt_rng_below(rng, NS);
  *reward = 0.0f;
  *terminated = e->s == NS - 1;
  rs_obs(e, obs);
  return 0;
}
static const dnt_env_ops rs_ops = {"random-states", rs_create, rs_destroy, rs_reset, rs_step, NULL};

static int state_of(const float *obs) {
  for (int s = 0; s < NS; s++)
    if (obs[s] == 1.0f) return s;
  return -1;
}

/* What the callbacks saw, counted independently of the shield. */
typedef struct seen {
  int which; /* 0: table a, 1: table b, 2: continuous u <= 0.5 */
  long checks, unsafe, backups;
  int bad_backup;         /* 1: the backup picks an action table a flags, when one exists */
  long *steps_overridden; /* when set: steps (distinct env->steps) with any backup */
  int64_t *last_step;     /* the env->steps value last counted there */
} seen;

static int is_safe(void *user, const dnt_vecenv *env, int i, const float *obs_aug, int a,
                   const float *u, int *safe) {
  seen *w = user;
  int s = state_of(obs_aug);
  w->checks++;
  *safe = w->which == 2 ? u[0] <= 0.5f : !(w->which ? flagged_b(s, a) : flagged_a(s, a));
  w->unsafe += !*safe;
  return 0;
}
static int backup(void *user, const dnt_vecenv *env, int i, const float *obs_aug, int *a,
                  float *u) {
  seen *w = user;
  w->backups++;
  if (w->steps_overridden && *w->last_step != env->steps) {
    *w->last_step = env->steps;
    ++*w->steps_overridden;
  }
  int s = state_of(obs_aug);
  if (w->which == 2)
    u[0] = -1.0f;
  else
    *a = s % NA;          /* safe under both tables */
  if (w->bad_backup == 1) /* the last action table a flags */
    for (int b = 0; b < NA; b++)
      if (flagged_a(s, b)) *a = b;
  if (w->bad_backup == 2) /* the first other action table a allows */
    for (int b = NA - 1; b >= 0; b--)
      if (b != s % NA && !flagged_a(s, b)) *a = b;
  return 0;
}

/* State hook: two extras, 2 * sum(obs) and the instance index. */
static int add_extras(void *user, const dnt_vecenv *env, int i, const float *obs, float *extra) {
  float s = 0;
  for (int k = 0; k < env->spec.obs_dim; k++)
    s += obs[k];
  extra[0] = 2 * s;
  extra[1] = (float)i;
  return 0;
}
/* Reward hook: + 0.1 * executed action. */
static int reshape(void *user, const dnt_vecenv *env, int i, const dnt_step_view *s,
                   float *reward) {
  *reward += 0.1f * (float)s->a;
  return 0;
}

/* h = [sh], sh a shield of the test predicates seen by w, no penalty. */
static void one_shield(dnt_hooks *h, dnt_intervention *sh, const char *name, seen *w) {
  *sh = dnt_intervention_shield(name, is_safe, backup, w, 0.0f, DNT_SHIELD_LEARN_EXECUTED);
  dnt_hooks_init(h);
  CHECK_OK(dnt_hooks_add(h, sh));
}

/* A DQN agent that proposes uniformly random actions (it never trains:
 * many proposals are flagged) and has taken `steps` env steps through h. */
static dnt_dqn *random_agent(dnt_vecenv *env, dnt_hooks *h, uint64_t seed, int steps) {
  dnt_dqn_config cfg;
  dnt_dqn_config_default(&cfg);
  cfg.eps_start = cfg.eps_end = 1.0f;
  cfg.learning_starts = 1000000;
  cfg.buffer = steps;
  dnt_dqn *q = NULL;
  CHECK_OK(dnt_dqn_create(&cfg, env, h, NULL, seed, &q));
  if (q) CHECK_OK(dnt_dqn_train(q, steps));
  return q;
}

static void test_discrete(dnt_shield_learn learn) {
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &rs_ops, NULL, 1, 21));
  long any = 0;
  int64_t last = -1;
  seen wa = {0, 0, 0, 0, 0, &any, &last}, wb = {1, 0, 0, 0, 0, &any, &last};
  dnt_intervention st = dnt_intervention_state("extras", 2, add_extras, NULL);
  dnt_intervention sa = dnt_intervention_shield("table-a", is_safe, backup, &wa, 1.0f, learn);
  dnt_intervention sb =
      dnt_intervention_shield("table-b", is_safe, backup, &wb, 0.0f, DNT_SHIELD_LEARN_EXECUTED);
  dnt_intervention rw = dnt_intervention_reward("bonus", reshape, NULL);
  dnt_hooks h;
  dnt_hooks_init(&h);
  CHECK_OK(dnt_hooks_add(&h, &st));
  CHECK_OK(dnt_hooks_add(&h, &sa));
  CHECK_OK(dnt_hooks_add(&h, &sb));
  CHECK_OK(dnt_hooks_add(&h, &rw));
  CHECK(dnt_hooks_extra_dim(&h) == 2);
  dnt_dqn *q = random_agent(&env, &h, 5, 3000);
  if (!q) return;
  CHECK(q->input_dim == NS + 2);
  rs_env *e = last_env;
  /* the property: nothing flagged by the last shield was executed, nor by
   * the first (the backups are safe under both tables) */
  CHECK(e->executed == 3000 && e->violations_a == 0 && e->violations_b == 0);
  CHECK(wa.unsafe > 300); /* the property was exercised */
  /* the callbacks also saw one check of every backup (all safe here) */
  CHECK(sa.checks == 3000 && wa.checks == sa.checks + sa.overrides && sa.overrides == wa.unsafe &&
        sa.overrides == wa.backups);
  CHECK(sb.checks == 3000 && wb.checks == sb.checks + sb.overrides && sb.overrides == wb.unsafe);
  CHECK_NEAR(dnt_intervention_rate(&sa), (double)wa.unsafe / 3000, 1e-12);
  CHECK(h.count.steps == 3000 && h.count.intervened == any && h.count.unsafe == 0);
  CHECK(sa.unsafe == 0 && sb.unsafe == 0);
  /* the stored transitions */
  const dnt_replay *rb = &q->replay;
  int od = NS + 2, ok = 1, stored_flagged = 0;
  for (int k = 0; k < rb->size; k++) {
    const float *o = rb->obs + (size_t)k * od, *n = rb->next_obs + (size_t)k * od;
    ok &= o[NS] == 2.0f && o[NS + 1] == 0.0f && n[NS] == 2.0f;
    int s = state_of(o), a = rb->action[k];
    /* reward = 0 + 0.1 * executed action - 1 if table a overrode */
    int over_a = learn == DNT_SHIELD_LEARN_PROPOSED ? flagged_a(s, a) : -1;
    if (learn == DNT_SHIELD_LEARN_PROPOSED) {
      stored_flagged += over_a;
      int exec = over_a ? s % NA : a; /* b cannot override after a's backup */
      if (!over_a && flagged_b(s, a)) exec = s % NA;
      float want = 0.1f * (float)exec - (over_a ? 1.0f : 0.0f);
      ok &= fabsf(rb->reward[k] - want) < 1e-6f;
    } else {
      ok &= !flagged_a(s, a) && !flagged_b(s, a);
      float r = rb->reward[k] - 0.1f * (float)a; /* 0 or -1 (penalty) */
      ok &= fabsf(r) < 1e-6f || fabsf(r + 1.0f) < 1e-6f;
    }
  }
  CHECK(ok);
  if (learn == DNT_SHIELD_LEARN_PROPOSED) CHECK(stored_flagged > 100);
  dnt_dqn_destroy(q);
  dnt_vecenv_free(&env);
}

static void test_continuous(void) {
  dnt_vecenv env;
  int continuous = 1;
  CHECK_OK(dnt_vecenv_init(&env, &rs_ops, &continuous, 1, 22));
  seen w = {2, 0, 0, 0, 0, NULL, NULL};
  dnt_intervention sh =
      dnt_intervention_shield("torque", is_safe, backup, &w, 0.5f, DNT_SHIELD_LEARN_EXECUTED);
  dnt_hooks h;
  dnt_hooks_init(&h);
  CHECK_OK(dnt_hooks_add(&h, &sh));
  dnt_td3_config cfg;
  dnt_td3_config_default(&cfg);
  cfg.learning_starts = 1000;
  cfg.batch = 16;
  dnt_td3 *t;
  CHECK_OK(dnt_td3_create(&cfg, &env, &h, NULL, 6, &t));
  CHECK_OK(dnt_td3_train(t, 1500)); /* random actions, then noisy actor actions */
  rs_env *e = last_env;
  CHECK(e->executed == 1500 && e->violations_u == 0 && w.unsafe > 200);
  CHECK(sh.checks == 1500 && w.checks == sh.checks + sh.overrides && sh.overrides == w.unsafe);
  /* overridden transitions store the backup's action -1 in [-1, 1] scale
   * (-0.5) and the penalty */
  int ok = 1;
  for (int k = 0; k < t->replay.size; k++)
    if (t->replay.reward[k] != 0.0f)
      ok &= t->replay.reward[k] == -0.5f && t->replay.caction[k] == -0.5f;
  CHECK(ok);
  dnt_td3_destroy(t);
  dnt_vecenv_free(&env);
}

/* A backup that sometimes proposes what its own predicate flags: the step is
 * executed (no safe action is known), counted as unsafe by the shield and
 * the list, and the count equals the flagged actions the env executed. */
static void test_unsafe_backup(void) {
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &rs_ops, NULL, 1, 23));
  seen w = {0, 0, 0, 0, 1, NULL, NULL};
  dnt_intervention sh;
  dnt_hooks h;
  one_shield(&h, &sh, "bad-backup", &w);
  dnt_dqn *q = random_agent(&env, &h, 7, 2000);
  if (!q) return;
  rs_env *e = last_env;
  CHECK(e->violations_a > 50); /* the bad backup was exercised */
  CHECK(sh.unsafe == e->violations_a && h.count.unsafe == e->violations_a);
  CHECK(sh.overrides == w.backups && h.count.intervened == sh.overrides);
  /* one check of the proposal per step, one more of every backup */
  CHECK(w.checks == 2000 + w.backups && sh.checks == 2000);
  CHECK(sh.warned == 1);
  dnt_hooks_reset_counts(&h);
  CHECK(sh.checks == 0 && sh.overrides == 0 && sh.unsafe == 0 && h.count.steps == 0 &&
        h.count.intervened == 0 && h.count.unsafe == 0);
  CHECK(sh.warned == 1); /* one warning per shield, not one per reset (each evaluation) */
  dnt_dqn_destroy(q);
  dnt_vecenv_free(&env);
}

/* Two shields that overlap (the first one's backup is sometimes flagged by
 * the second): the list's intervention rate is the share of steps with any
 * override, less than the sum of the two rates. */
static void test_two_shields_rate(void) {
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &rs_ops, NULL, 1, 25));
  long any = 0;
  int64_t last = -1;
  seen wa = {0, 0, 0, 0, 2, &any, &last}, wb = {1, 0, 0, 0, 0, &any, &last};
  dnt_intervention sa =
      dnt_intervention_shield("table-a", is_safe, backup, &wa, 0.0f, DNT_SHIELD_LEARN_EXECUTED);
  dnt_intervention sb =
      dnt_intervention_shield("table-b", is_safe, backup, &wb, 0.0f, DNT_SHIELD_LEARN_EXECUTED);
  dnt_hooks h;
  dnt_hooks_init(&h);
  CHECK_OK(dnt_hooks_add(&h, &sa));
  CHECK_OK(dnt_hooks_add(&h, &sb));
  dnt_dqn *q = random_agent(&env, &h, 9, 3000);
  if (!q) return;
  CHECK(last_env->violations_b == 0);       /* the last shield has the last word */
  CHECK(any < sa.overrides + sb.overrides); /* they overlapped */
  CHECK(h.count.steps == 3000 && h.count.intervened == any);
  CHECK_NEAR(dnt_hooks_intervention_rate(&h), (double)any / 3000, 1e-12);
  CHECK(dnt_hooks_intervention_rate(&h) <
        dnt_intervention_rate(&sa) + dnt_intervention_rate(&sb) - 0.01);
  dnt_dqn_destroy(q);
  dnt_vecenv_free(&env);
}

/* Evaluation counts its own steps; the training counts stay as they were. */
static void test_eval_counts(void) {
  dnt_vecenv env;
  CHECK_OK(dnt_vecenv_init(&env, &rs_ops, NULL, 1, 24));
  seen w = {0, 0, 0, 0, 0, NULL, NULL};
  dnt_intervention sh;
  dnt_hooks h;
  one_shield(&h, &sh, "table-a", &w);
  dnt_dqn *q = random_agent(&env, &h, 8, 1000);
  if (!q) return;
  dnt_hooks_counts train = h.count;
  int64_t checks = sh.checks, overrides = sh.overrides;
  long backups = w.backups;
  CHECK(train.steps == 1000 && checks == 1000 && overrides > 0);
  dnt_policy p = dnt_dqn_policy(q);
  dnt_eval_result r;
  CHECK_OK(dnt_policy_evaluate(&p, &rs_ops, NULL, 1, 30, 99, &h, &r));
  CHECK(h.count.steps == train.steps && h.count.intervened == train.intervened);
  CHECK(sh.checks == checks && sh.overrides == overrides);
  /* every step of the reported episodes, and only those */
  CHECK_NEAR((double)r.shield.steps, r.mean_length * r.episodes, 1e-9);
  CHECK(r.shield.intervened == w.backups - backups && r.shield.intervened > 0);
  CHECK(r.shield.unsafe == 0);
  /* three instances: those past their quota keep stepping, uncounted */
  CHECK_OK(dnt_policy_evaluate(&p, &rs_ops, NULL, 3, 31, 98, &h, &r));
  CHECK_NEAR((double)r.shield.steps, r.mean_length * r.episodes, 1e-9);
  CHECK(h.count.steps == train.steps && sh.checks == checks);
  dnt_dqn_destroy(q);
  dnt_vecenv_free(&env);
}

static void test_incomplete(void) {
  dnt_hooks h;
  dnt_hooks_init(&h);
  dnt_intervention bad =
      dnt_intervention_shield("no-backup", is_safe, NULL, NULL, 0, DNT_SHIELD_LEARN_EXECUTED);
  CHECK(dnt_hooks_add(&h, &bad) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "no-backup") != NULL);
  dnt_intervention st = dnt_intervention_state("zero", 0, add_extras, NULL);
  CHECK(dnt_hooks_add(&h, &st) == DNT_ERR_ARG);
  dnt_intervention ok = dnt_intervention_reward("r", reshape, NULL);
  for (int k = 0; k < DNT_HOOKS_MAX; k++)
    CHECK_OK(dnt_hooks_add(&h, &ok));
  CHECK(dnt_hooks_add(&h, &ok) == DNT_ERR_ARG);
}

int main(void) {
  test_discrete(DNT_SHIELD_LEARN_EXECUTED);
  test_discrete(DNT_SHIELD_LEARN_PROPOSED);
  test_continuous();
  test_unsafe_backup();
  test_two_shields_rate();
  test_eval_counts();
  test_incomplete();
  return test_done("rl.intervention");
}
