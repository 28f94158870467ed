/* tests/twin/test_world.c: the world wrapper (dnt/world.h) on the example
 * "links" world: save/load round trip with its framing, kind and truncation
 * errors, forks that are deep copies and outlive their parent, reseed,
 * argument checks. */
#include <string.h>

#include "../../docs/example_world.c"
#include "test.h"

static const example_links_config cfg = {
    .n_links = 4, .drift = 0.01, .sigma = 0.1, .capacity = 10, .capacity_every = 5};

static void observe_all(const dnt_world *w, double *x) {
  dnt_world_observe(w, x);
}

static void test_info_and_time(void) {
  dnt_world *w;
  CHECK_OK(example_links_create(&cfg, 7, &w));
  const dnt_world_info *info = dnt_world_get_info(w);
  CHECK(info->n_fields == 5 && info->n_actions == 1 && info->n_groups == 2);
  CHECK(strcmp(info->field_names[0], "load_0") == 0);
  CHECK(strcmp(info->field_names[4], "capacity") == 0);
  CHECK(info->field_group[3] == 0 && info->field_group[4] == 1);
  CHECK(strcmp(dnt_world_kind(w), "links") == 0);
  for (int i = 0; i < 3; i++)
    CHECK_OK(dnt_world_step(w, NULL));
  CHECK(dnt_world_time(w) == 3);
  CHECK_OK(dnt_world_reset(w, 7));
  CHECK(dnt_world_time(w) == 0);
  /* a failing step does not advance time */
  double bad = 2.0;
  CHECK(dnt_world_step(w, &bad) == DNT_ERR_ARG);
  CHECK(dnt_world_time(w) == 0);
  CHECK(dnt_world_assimilate(w, (double[5]){0}, 2) == DNT_ERR_ARG);
  dnt_world_destroy(w);
}

static void test_save_load(void) {
  dnt_world *a, *b;
  CHECK_OK(example_links_create(&cfg, 1, &a));
  CHECK_OK(example_links_create(&cfg, 2, &b));
  for (int i = 0; i < 12; i++)
    CHECK_OK(dnt_world_step(a, NULL));
  unsigned char *buf;
  size_t len;
  CHECK_OK(dnt_world_save(a, &buf, &len));
  CHECK_OK(dnt_world_load(b, buf, len));
  CHECK(dnt_world_time(b) == 12);
  /* same state and same RNG: the futures agree exactly */
  double xa[5], xb[5];
  for (int i = 0; i < 20; i++) {
    CHECK_OK(dnt_world_step(a, NULL));
    CHECK_OK(dnt_world_step(b, NULL));
  }
  observe_all(a, xa);
  observe_all(b, xb);
  CHECK(memcmp(xa, xb, sizeof xa) == 0);
  CHECK(dnt_world_load(b, buf, len - 1) != 0); /* world body of the wrong size */
  CHECK(dnt_world_load(b, buf, 10) == DNT_ERR_CORRUPT);
  /* a saved time outside [0, 2^53] is refused, the world's own kept */
  int64_t kept = dnt_world_time(b), bad[] = {-1, INT64_MIN, DNT_WORLD_MAX_TIME + 1}, t;
  size_t at = 12 + strlen(dnt_world_kind(b));
  memcpy(&t, buf + at, 8);
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    memcpy(buf + at, &bad[k], 8);
    CHECK(dnt_world_load(b, buf, len) == DNT_ERR_CORRUPT && dnt_world_time(b) == kept);
  }
  memcpy(buf + at, &t, 8);
  buf[12] = 'L'; /* kind "Links" */
  CHECK(dnt_world_load(b, buf, len) == DNT_ERR_MISMATCH);
  buf[0] = 'X';
  CHECK(dnt_world_load(b, buf, len) == DNT_ERR_CORRUPT);
  free(buf);
  dnt_world_destroy(a);
  dnt_world_destroy(b);
}

static void test_fork(void) {
  dnt_world *parent, *fork, *fork2;
  CHECK_OK(example_links_create(&cfg, 3, &parent));
  for (int i = 0; i < 5; i++)
    CHECK_OK(dnt_world_step(parent, NULL));
  double before[5], after[5], f[5];
  observe_all(parent, before);
  CHECK_OK(dnt_world_copy(parent, &fork));
  CHECK(dnt_world_time(fork) == 5);
  double shed = 0.5;
  for (int i = 0; i < 10; i++)
    CHECK_OK(dnt_world_step(fork, &shed));
  CHECK_OK(dnt_world_assimilate(fork, (double[5]){9, 9, 9, 9, 9}, -1));
  observe_all(parent, after);
  CHECK(memcmp(before, after, sizeof before) == 0);
  CHECK(dnt_world_time(parent) == 5);
  /* a fork of a fork outlives both ancestors, names included */
  CHECK_OK(dnt_world_copy(fork, &fork2));
  dnt_world_destroy(parent);
  dnt_world_destroy(fork);
  observe_all(fork2, f);
  CHECK(f[0] == 9 && f[4] == 9);
  CHECK(strcmp(dnt_world_get_info(fork2)->field_names[4], "capacity") == 0);
  CHECK_OK(dnt_world_step(fork2, NULL));
  dnt_world_destroy(fork2);
}

static void test_reseed(void) {
  dnt_world *a, *b, *c;
  CHECK_OK(example_links_create(&cfg, 4, &a));
  CHECK_OK(dnt_world_copy(a, &b));
  CHECK_OK(dnt_world_copy(a, &c));
  CHECK_OK(dnt_world_reseed(b, 99));
  CHECK_OK(dnt_world_reseed(c, 99));
  CHECK(dnt_world_time(b) == 0);
  double xa[5], xb[5], xc[5];
  CHECK_OK(dnt_world_step(a, NULL));
  CHECK_OK(dnt_world_step(b, NULL));
  CHECK_OK(dnt_world_step(c, NULL));
  observe_all(a, xa);
  observe_all(b, xb);
  observe_all(c, xc);
  CHECK(xa[0] != xb[0]);                 /* another random future */
  CHECK(memcmp(xb, xc, sizeof xb) == 0); /* same seed, same future */
  dnt_world_destroy(a);
  dnt_world_destroy(b);
  dnt_world_destroy(c);
}

static void test_bad_info(void) {
  dnt_world *w = (dnt_world *)1;
  example_links_config bad = cfg;
  bad.n_links = 0;
  CHECK(example_links_create(&bad, 1, &w) == DNT_ERR_ARG);
  CHECK(w == NULL);
  /* a group outside 0..n_groups-1 is refused and the state freed (ASan checks) */
  links *self = links_alloc(&cfg);
  self->groups[0] = 5;
  const char *names[5] = {"a", "b", "c", "d", "e"};
  dnt_world_info info = {.n_fields = 5,
                         .n_actions = 1,
                         .field_names = names,
                         .field_group = self->groups,
                         .n_groups = 2,
                         .dt = 1};
  CHECK(dnt_world_create(&links_ops, self, &info, &w) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "'a'") != NULL);
}

int main(void) {
  test_info_and_time();
  test_save_load();
  test_fork();
  test_reseed();
  test_bad_info();
  return test_done("twin.world");
}
