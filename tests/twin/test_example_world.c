/* tests/twin/test_example_world.c: the example world of docs/WORLDS.md
 * compiles, passes the world conformance check (dnt/world_check.h), gives its
 * known deterministic trajectory, and runs as the physical side of a twin.
 * The check itself is tested here too: a world that breaks the contract is
 * caught. */
#include <string.h>

#include "../../docs/example_world.c"
#include "dnt/twin.h"
#include "dnt/world_check.h"
#include "test.h"

static void test_conformance(void) {
  example_links_config c = {
      .n_links = 8, .drift = 0.01, .sigma = 0.2, .capacity = 10, .capacity_every = 3};
  dnt_world *w;
  CHECK_OK(example_links_create(&c, 5, &w));
  double shed = 0.05;
  CHECK_OK(dnt_world_check(w, 5, 20, NULL));
  CHECK_OK(dnt_world_check(w, 6, 20, &shed));
  CHECK(dnt_world_time(w) == 0);
  dnt_world_destroy(w);
}

static void test_known_trajectory(void) {
  /* noiseless: load_t = 5 + 0.25 t, halved by a shed of 0.5 */
  example_links_config c = {.n_links = 2, .drift = 0.25, .sigma = 0, .capacity = 10};
  dnt_world *w;
  CHECK_OK(example_links_create(&c, 1, &w));
  double x[3];
  for (int i = 0; i < 4; i++)
    CHECK_OK(dnt_world_step(w, NULL));
  dnt_world_observe(w, x);
  CHECK(x[0] == 6.0 && x[1] == 6.0 && x[2] == 10.0);
  double shed = 0.5;
  CHECK_OK(dnt_world_step(w, &shed));
  dnt_world_observe(w, x);
  CHECK(x[0] == 3.25);
  dnt_world_destroy(w);
}

static void test_as_physical_side(void) {
  example_links_config pc = {.n_links = 3, .drift = 0, .sigma = 0.05, .capacity = 10};
  example_links_config tc = pc;
  tc.sigma = 0;
  dnt_world *p, *w;
  dnt_twin *t;
  CHECK_OK(example_links_create(&pc, 1, &p));
  CHECK_OK(example_links_create(&tc, 2, &w));
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.policy = DNT_SYNC_EVENT;
  sc.threshold = 0.2;
  CHECK_OK(dnt_twin_create(p, w, &sc, &t));
  for (int s = 0; s < 500; s++)
    CHECK_OK(dnt_twin_step(t, NULL));
  dnt_twin_stats st;
  dnt_twin_get_stats(t, &st);
  CHECK(st.maxabs_max <= 0.2 && st.reports_sent > 0 && st.reports_sent < 100);
  dnt_twin_destroy(t);
  dnt_world_destroy(p);
}

/* A world whose copy shares its state with the original: the check must fail. */
typedef struct shallow {
  double *x; /* shared between copies: the bug */
  int owner;
} shallow;
static int sh_reset(void *s, uint64_t seed) {
  ((shallow *)s)->x[0] = 0;
  return 0;
}
static int sh_step(void *s, const double *a) {
  ((shallow *)s)->x[0] += 1;
  return 0;
}
static void sh_observe(const void *s, double *t) {
  t[0] = ((const shallow *)s)->x[0];
}
static int sh_assimilate(void *s, const double *t, int g) {
  ((shallow *)s)->x[0] = t[0];
  return 0;
}
static int sh_copy(const void *s, void **out) {
  shallow *c = malloc(sizeof *c);
  c->x = ((const shallow *)s)->x;
  c->owner = 0;
  *out = c;
  return 0;
}
static int sh_save(const void *s, unsigned char **b, size_t *n) {
  *b = malloc(sizeof(double));
  memcpy(*b, ((const shallow *)s)->x, sizeof(double));
  *n = sizeof(double);
  return 0;
}
static int sh_load(void *s, const unsigned char *b, size_t n) {
  memcpy(((shallow *)s)->x, b, sizeof(double));
  return 0;
}
static void sh_destroy(void *s) {
  if (((shallow *)s)->owner) free(((shallow *)s)->x);
  free(s);
}
static const dnt_world_ops shallow_ops = {"shallow", sh_reset, sh_step, sh_observe, sh_assimilate,
                                          sh_copy,   sh_save,  sh_load, sh_destroy, NULL};

static void test_check_catches_shallow_copy(void) {
  shallow *s = malloc(sizeof *s);
  s->x = calloc(1, sizeof(double));
  s->owner = 1;
  const char *names[1] = {"x"};
  const int groups[1] = {0};
  dnt_world_info info = {1, 0, names, groups, 1, 1.0};
  dnt_world *w;
  CHECK_OK(dnt_world_create(&shallow_ops, s, &info, &w));
  CHECK(dnt_world_check(w, 1, 4, NULL) == DNT_ERR_MISMATCH);
  CHECK(strstr(dnt_last_error(), "never changes its parent") != NULL);
  dnt_world_destroy(w);
}

int main(void) {
  test_conformance();
  test_known_trajectory();
  test_as_physical_side();
  test_check_catches_shallow_copy();
  return test_done("twin.example_world");
}
