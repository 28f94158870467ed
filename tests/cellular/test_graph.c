/* tests/cellular/test_graph.c: the BS graph's 2-d-tree build against the plain
 * quadratic one (graph_ref.h): the same edge set, in the same order, with the
 * same weights, on clustered sites with generated traffic (3,000 BSs), on a
 * grid where most distances tie, on co-located sites, on collinear sites, and
 * for k from 1 to past n - 1; the mean nearest-neighbour distance bit for bit;
 * non-finite positions refused. */
#include <math.h>
#include <string.h>

#include "cellular/graph_ref.h"
#include "dnt/cellular.h"
#include "dnt/cluster.h"
#include "dnt/status.h"
#include "test.h"

/* Builds both graphs and compares them edge by edge. */
static void check_same(const dnt_cell_sites *s, const double *tr, size_t n_steps, size_t k,
                       const char *what) {
  dnt_bs_graph_params p;
  dnt_bs_graph_params_default(&p);
  p.neighbours = k;
  dnt_bs_graph g;
  ref_graph r;
  CHECK_OK(dnt_bs_graph_build(s, tr, n_steps, &p, &g));
  CHECK(ref_graph_build(s, tr, n_steps, &p, &r) == 0);
  CHECK_MSG(g.m == r.m, "%s, k %zu: %zu edges, reference %zu", what, k, g.m, r.m);
  size_t bad = 0;
  double worst = 0;
  for (size_t e = 0; e < g.m && e < r.m; e++) {
    bad += g.from[e] != r.from[e] || g.to[e] != r.to[e];
    worst = fmax(worst, fabs(g.weight[e] - r.weight[e]));
    worst = fmax(worst, fabs(g.terms[4 * e + 3] - r.corr[e]));
  }
  CHECK_MSG(bad == 0, "%s, k %zu: %zu edges differ from the reference", what, k, bad);
  CHECK_MSG(worst < 1e-12, "%s, k %zu: weights differ by up to %g", what, k, worst);
  CHECK_MSG(dnt_cell_sites_mean_nn(s) == r.mean_nn, "%s: mean nn %.17g, reference %.17g", what,
            dnt_cell_sites_mean_nn(s), r.mean_nn);
  dnt_bs_graph_free(&g);
  ref_graph_free(&r);
}

static void sites_with(dnt_cell_sites *s, size_t n) {
  CHECK_OK(dnt_cell_sites_alloc(s, n));
  for (size_t i = 0; i < n; i++) {
    s->radius[i] = 15;
    s->backhaul[i] = 1 + (double)(i % 7);
  }
}

/* Matern sites and a week of generated traffic, as `dnt cluster` builds them. */
static void test_clustered(void) {
  dnt_cell_site_params sp;
  dnt_cell_site_params_default(&sp);
  sp.n = 3000;
  dnt_cell_sites s0;
  CHECK_OK(dnt_cell_sites_generate(&sp, 7, &s0));
  dnt_cellular_params cp;
  dnt_cellular_params_default(&cp);
  dnt_world *w = NULL;
  dnt_cell_traffic tr = {0};
  CHECK_OK(dnt_cellular_create(&s0, NULL, &cp, 7, &w));
  CHECK_OK(dnt_cellular_series(w, 168, &tr));
  const dnt_cell_sites *s = dnt_cellular_sites(w);
  check_same(s, tr.v, tr.n_steps, 8, "matern 3000");
  check_same(s, NULL, 0, 3, "matern 3000, no traffic");
  dnt_cell_traffic_free(&tr);
  dnt_world_destroy(w);
  dnt_cell_sites_free(&s0);
}

/* A 30 x 30 grid at 10 m (four neighbours at 10 m, four at 14.1 m, ...: ties
 * everywhere) plus 40 sites stacked on grid points. */
static void test_ties(void) {
  dnt_cell_sites s;
  sites_with(&s, 940);
  for (size_t i = 0; i < 900; i++) {
    s.x[i] = 10.0 * (double)(i % 30);
    s.y[i] = 10.0 * (double)(i / 30);
  }
  for (size_t i = 900; i < 940; i++) {
    s.x[i] = s.x[(i * 37) % 900];
    s.y[i] = s.y[(i * 37) % 900];
  }
  size_t ks[] = {1, 2, 3, 4, 5, 8, 9, 13};
  for (size_t q = 0; q < sizeof ks / sizeof ks[0]; q++)
    check_same(&s, NULL, 0, ks[q], "grid with stacked sites");
  dnt_cell_sites_free(&s);
}

/* Degenerate layouts: every site at one point (order by index alone), all on
 * one line, and k at and past n - 1 (all pairs). */
static void test_degenerate(void) {
  dnt_cell_sites s;
  sites_with(&s, 60);
  for (size_t i = 0; i < 60; i++)
    s.x[i] = s.y[i] = 5;
  check_same(&s, NULL, 0, 3, "one point");
  check_same(&s, NULL, 0, 20, "one point");
  for (size_t i = 0; i < 60; i++)
    s.x[i] = (double)((i * 17) % 60) * 3.0;
  check_same(&s, NULL, 0, 2, "one line");
  check_same(&s, NULL, 0, 7, "one line");
  dnt_bs_graph_params p;
  dnt_bs_graph_params_default(&p);
  dnt_bs_graph g;
  size_t ks[] = {0, 59, 60, 1000};
  for (size_t q = 0; q < 4; q++) {
    p.neighbours = ks[q];
    CHECK_OK(dnt_bs_graph_build(&s, NULL, 0, &p, &g));
    CHECK_MSG(g.m == 60 * 59 / 2, "k %zu: %zu edges", ks[q], g.m);
    CHECK(g.from[0] == 0 && g.to[0] == 1 && g.from[g.m - 1] == 58 && g.to[g.m - 1] == 59);
    dnt_bs_graph_free(&g);
  }
  s.y[17] = NAN;
  p.neighbours = 8;
  CHECK(dnt_bs_graph_build(&s, NULL, 0, &p, &g) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "site 17") != NULL);
  s.y[17] = 0;
  s.x[3] = INFINITY;
  CHECK(dnt_bs_graph_build(&s, NULL, 0, &p, &g) == DNT_ERR_ARG);
  dnt_cell_sites_free(&s);
}

int main(void) {
  test_clustered();
  test_ties();
  test_degenerate();
  return test_done("cellular.graph");
}
