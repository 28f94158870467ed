/* tests/twin/test_monitor.c: the monitor (dnt/monitor.h). Predicates see the
 * state, the proposed action and the twin's prediction after it; every
 * trigger is recorded with step and action; a check on a twin never changes
 * the twin; the RL shield adapter answers for discrete and continuous
 * actions, with and without a twin; predicate errors propagate. */
#include <string.h>

#include "../../docs/example_world.c"
#include "dnt/monitor.h"
#include "test.h"

enum { LINKS = 3, NF = LINKS + 1 };

/* unsafe if any predicted load exceeds the predicted capacity */
static int overload(void *ctx, const dnt_monitor_view *v) {
  if (!v->next) return 0;
  for (size_t i = 0; i + 1 < v->n_state; i++)
    if (v->next[i] > v->next[v->n_state - 1]) return 1;
  return 0;
}

/* unsafe if the action sheds more than *ctx */
static int too_much_shed(void *ctx, const dnt_monitor_view *v) {
  return v->action && v->action[0] > *(const double *)ctx;
}

static int broken(void *ctx, const dnt_monitor_view *v) {
  return dnt_error(DNT_ERR_NUMERIC, "broken predicate");
}

static void test_check_world(void) {
  /* loads start at 5 with capacity 10 and grow by 3 per step */
  example_links_config c = {.n_links = LINKS, .drift = 3, .sigma = 0, .capacity = 10};
  dnt_world *w;
  CHECK_OK(example_links_create(&c, 1, &w));
  dnt_monitor *m;
  CHECK_OK(dnt_monitor_create(&m));
  double limit = 0.6;
  CHECK(dnt_monitor_add(m, "overload", overload, NULL) == 0);
  CHECK(dnt_monitor_add(m, "shed>0.6", too_much_shed, &limit) == 1);
  unsigned char *before, *after;
  size_t lb, la;
  CHECK_OK(dnt_world_save(w, &before, &lb));
  int unsafe = -1;
  double none = 0, half = 0.5, most = 0.9;
  CHECK_OK(dnt_monitor_check_world(m, w, &none, 1, &unsafe)); /* 5 + 3 = 8: safe */
  CHECK(unsafe == 0);
  CHECK_OK(dnt_monitor_check_world(m, w, &none, 2, &unsafe)); /* 11 > 10 in two steps */
  CHECK(unsafe == 1);
  CHECK_OK(dnt_monitor_check_world(m, w, &half, 2, &unsafe)); /* 2.5 + 3 + 3 = 8.5 */
  CHECK(unsafe == 0);
  CHECK_OK(dnt_monitor_check_world(m, w, &most, 2, &unsafe)); /* safe load, bad action */
  CHECK(unsafe == 1);
  CHECK_OK(dnt_world_save(w, &after, &la));
  CHECK(la == lb && memcmp(before, after, lb) == 0);
  CHECK(dnt_monitor_checks(m) == 4 && dnt_monitor_unsafe_checks(m) == 2);
  CHECK(dnt_monitor_triggers_of(m, 0) == 1 && dnt_monitor_triggers_of(m, 1) == 1);
  CHECK(dnt_monitor_n_triggers(m) == 2);
  const dnt_monitor_trigger *t = dnt_monitor_trigger_at(m, 1);
  CHECK(t->predicate == 1 && t->step == 0 && t->n_action == 1);
  CHECK(dnt_monitor_trigger_action(m, 1)[0] == 0.9);
  CHECK(strcmp(dnt_monitor_name(m, 1), "shed>0.6") == 0);
  /* both predicates trigger on one check: both recorded */
  CHECK_OK(dnt_world_step(w, NULL));
  CHECK_OK(dnt_monitor_check_world(m, w, &most, 5, &unsafe));
  CHECK(unsafe == 1 && dnt_monitor_n_triggers(m) == 4);
  CHECK(dnt_monitor_trigger_at(m, 2)->step == 1);
  CHECK(dnt_monitor_check_world(m, w, &none, 0, &unsafe) == DNT_ERR_ARG);
  free(before);
  free(after);
  dnt_world_destroy(w);
  dnt_monitor_destroy(m);
}

/* unsafe if the discrete action is 2 or the first observation exceeds 1 */
static int discrete_rule(void *ctx, const dnt_monitor_view *v) {
  return v->action[0] == 2 || v->state[0] > 1;
}

static int to_shed(void *ctx, int a, const float *u, double *world_action) {
  world_action[0] = a * 0.25;
  return 0;
}

static void test_shield(void) {
  dnt_monitor *m;
  CHECK_OK(dnt_monitor_create(&m));
  CHECK(dnt_monitor_add(m, "rule", discrete_rule, NULL) == 0);
  dnt_monitor_shield sh = {.monitor = m, .n_obs = 2};
  const float obs_ok[2] = {0.5f, 9}, obs_bad[2] = {1.5f, 0};
  int safe = -1;
  CHECK_OK(dnt_monitor_shield_is_safe(&sh, obs_ok, 1, NULL, &safe));
  CHECK(safe == 1);
  CHECK_OK(dnt_monitor_shield_is_safe(&sh, obs_ok, 2, NULL, &safe));
  CHECK(safe == 0);
  CHECK_OK(dnt_monitor_shield_is_safe(&sh, obs_bad, 0, NULL, &safe));
  CHECK(safe == 0);
  CHECK(dnt_monitor_trigger_at(m, 0)->step == 1); /* step = checks so far */
  CHECK(dnt_monitor_trigger_action(m, 0)[0] == 2);
  /* continuous: u is the action */
  sh.n_u = 1;
  const float u[1] = {2.0f};
  CHECK_OK(dnt_monitor_shield_is_safe(&sh, obs_ok, 0, u, &safe));
  CHECK(safe == 0);
  dnt_monitor_destroy(m);

  /* with a twin: discrete action a sheds a/4 of the load; loads 5 + 3 per step */
  example_links_config c = {.n_links = LINKS, .drift = 3, .sigma = 0, .capacity = 10};
  dnt_world *w;
  CHECK_OK(example_links_create(&c, 1, &w));
  CHECK_OK(dnt_monitor_create(&m));
  CHECK_OK(dnt_monitor_add(m, "overload", overload, NULL));
  dnt_monitor_shield tw = {
      .monitor = m, .n_obs = 2, .twin = w, .lookahead = 2, .to_world_action = to_shed};
  CHECK_OK(dnt_monitor_shield_is_safe(&tw, obs_ok, 0, NULL, &safe)); /* 11 > 10 */
  CHECK(safe == 0);
  CHECK_OK(dnt_monitor_shield_is_safe(&tw, obs_ok, 2, NULL, &safe)); /* 2.5 + 6 */
  CHECK(safe == 1);
  CHECK(dnt_monitor_trigger_action(m, 0)[0] == 0); /* the world's action is recorded */
  CHECK(dnt_monitor_add(m, "broken", broken, NULL) == 1);
  CHECK(dnt_monitor_shield_is_safe(&tw, obs_ok, 2, NULL, &safe) == DNT_ERR_NUMERIC);
  dnt_monitor_destroy(m);
  dnt_world_destroy(w);
}

int main(void) {
  test_check_world();
  test_shield();
  return test_done("twin.monitor");
}
