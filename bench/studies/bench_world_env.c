/* bench/studies/bench_world_env.c: what the world-to-agent bridge costs on top
 * of the twin it drives (docs/PERFORMANCE.md, "World-to-agent bridge").
 *
 * On the example "links" world (docs/example_world.c, 125 links) and the
 * 125-BS generated cellular world, each with a perfect channel:
 *   peer    a hand loop doing the bridge's work without it: map the action
 *           from a table, dnt_twin_step, the reward from the physical
 *           telemetry, the mirror copied into a float observation, the same
 *           episode resets (worlds, twin, snapshot);
 *   bridge  dnt_vecenv_step + dnt_vecenv_advance on a world env of 1 and of 8
 *           instances (per instance step), episodes of 200 steps.
 * Prints CPU microseconds per instance step and the ratio bridge / peer.
 * Thread CPU time (the machine is shared).
 *
 * usage: bench_world_env [--quick] [--markdown] (the table of the docs) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../docs/example_world.c"
#include "dnt/cellular.h"
#include "dnt/world_env.h"

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "bench_world_env: %s: %s\n", what, dnt_last_error());
  exit(1);
}

#define OK(call)                                                                                   \
  do {                                                                                             \
    if ((call) != 0) die(#call);                                                                   \
  } while (0)

enum { N_ACT = 4, HORIZON = 200 };

typedef struct bench_world {
  const char *name;
  dnt_world *physical, *twin;
  size_t n_wact;
  double table[N_ACT * 125]; /* (N_ACT, n_wact) */
} bench_world;

static int reward_sum(void *user, const dnt_world_env_view *v, double *r) {
  (void)user;
  double s = 0;
  for (size_t i = 0; i < v->n_fields; i++)
    s -= v->telemetry[i];
  *r = s;
  return 0;
}

/* The peer: the same work by hand on one twin. */
static double time_peer(const bench_world *b, int steps) {
  dnt_world *p, *w;
  dnt_twin *t;
  OK(dnt_world_copy(b->physical, &p));
  OK(dnt_world_copy(b->twin, &w));
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  OK(dnt_twin_create(p, w, &sc, &t));
  size_t nf = dnt_world_get_info(p)->n_fields;
  float *obs = malloc(nf * sizeof *obs);
  double *act = malloc(b->n_wact * sizeof *act);
  if (!obs || !act) die("malloc");
  volatile double sink = 0;
  double t0 = cpu_now();
  for (int s = 0; s < steps; s++) {
    if (s > 0 && s % HORIZON == 0) { /* the episode reset the bridge does */
      OK(dnt_world_reset(p, (uint64_t)s));
      OK(dnt_world_reset(dnt_twin_world(t), (uint64_t)s + 1));
      dnt_twin_reset(t, (uint64_t)s + 2);
      OK(dnt_twin_snapshot(t));
    }
    memcpy(act, b->table + (size_t)(s % N_ACT) * b->n_wact, b->n_wact * sizeof *act);
    OK(dnt_twin_step(t, act));
    const double *x = dnt_twin_physical_telemetry(t);
    double r = 0;
    for (size_t i = 0; i < nf; i++)
      r -= x[i];
    const double *m = dnt_twin_mirror(t)->value;
    for (size_t i = 0; i < nf; i++)
      obs[i] = (float)m[i];
    sink += r + obs[0];
  }
  double us = 1e6 * (cpu_now() - t0) / steps;
  (void)sink;
  free(obs);
  free(act);
  dnt_twin_destroy(t);
  dnt_world_destroy(p);
  return us;
}

static double time_bridge(const bench_world *b, int n, int steps) {
  dnt_world_env_config c;
  dnt_world_env_config_default(&c);
  c.physical = b->physical;
  c.twin = b->twin;
  c.n_actions = N_ACT;
  c.action_table = b->table;
  c.action_width = b->n_wact;
  c.reward = reward_sum;
  c.horizon = HORIZON;
  dnt_vecenv v;
  OK(dnt_world_vecenv_init(&v, &c, n, 1));
  int *a = calloc((size_t)n, sizeof *a);
  if (!a) die("calloc");
  int rounds = steps / n > 0 ? steps / n : 1;
  double t0 = cpu_now();
  for (int s = 0; s < rounds; s++) {
    for (int i = 0; i < n; i++)
      a[i] = (s + i) % N_ACT;
    OK(dnt_vecenv_step(&v, a, NULL));
    OK(dnt_vecenv_advance(&v));
  }
  double us = 1e6 * (cpu_now() - t0) / ((double)rounds * n);
  free(a);
  dnt_vecenv_free(&v);
  return us;
}

static void run(const bench_world *b, int steps, int markdown) {
  double peer = time_peer(b, steps), one = time_bridge(b, 1, steps),
         eight = time_bridge(b, 8, steps);
  if (markdown)
    printf("| %s | %.2f | %.2f | %.2fx | %.2f | %.2fx |\n", b->name, peer, one, one / peer, eight,
           eight / peer);
  else
    printf("%-9s peer %8.2f us   bridge n=1 %8.2f us (%.2fx)   n=8 %8.2f us (%.2fx)\n", b->name,
           peer, one, one / peer, eight, eight / peer);
}

int main(int argc, char **argv) {
  int steps = 20000, markdown = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0)
      steps = 2000;
    else if (strcmp(argv[i], "--markdown") == 0)
      markdown = 1;
    else {
      fprintf(stderr, "usage: bench_world_env [--quick] [--markdown]\n");
      return 2;
    }
  }
  bench_world links_b = {.name = "links"}, cell_b = {.name = "cellular"};
  example_links_config pc = {
      .n_links = 125, .drift = 0.01, .sigma = 0.2, .capacity = 10, .capacity_every = 24};
  example_links_config tc = pc;
  tc.sigma = 0;
  OK(example_links_create(&pc, 1, &links_b.physical));
  OK(example_links_create(&tc, 2, &links_b.twin));
  links_b.n_wact = 1;
  for (int k = 0; k < N_ACT; k++)
    links_b.table[k] = 0.05 * k;
  dnt_cell_site_params sp;
  dnt_cell_site_params_default(&sp); /* 125 sites */
  dnt_cell_sites s;
  OK(dnt_cell_sites_generate(&sp, 1, &s));
  dnt_cellular_params p;
  dnt_cellular_params_default(&p);
  OK(dnt_cellular_create(&s, NULL, &p, 1, &cell_b.physical));
  OK(dnt_cellular_create(&s, NULL, &p, 1, &cell_b.twin));
  dnt_cell_sites_free(&s);
  cell_b.n_wact = dnt_world_get_info(cell_b.physical)->n_actions;
  for (int k = 0; k < N_ACT; k++)
    for (size_t i = 0; i < cell_b.n_wact; i++)
      cell_b.table[(size_t)k * cell_b.n_wact + i] = 0.8 + 0.1 * k;
  if (markdown)
    printf("| world (125 links / BSs) | peer us/step | bridge n=1 | ratio | bridge n=8 | ratio |\n"
           "|---|---|---|---|---|---|\n");
  else
    printf("world-to-agent bridge, %d steps, CPU us per instance step (episodes of %d)\n", steps,
           HORIZON);
  run(&links_b, steps, markdown);
  run(&cell_b, steps, markdown);
  dnt_world_destroy(links_b.physical);
  dnt_world_destroy(links_b.twin);
  dnt_world_destroy(cell_b.physical);
  dnt_world_destroy(cell_b.twin);
  return 0;
}
