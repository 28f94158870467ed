/* tests/cellular/test_cluster.c: the BS graph and its clustering.
 * Known answers: Zachary's karate club (Louvain best modularity 0.4198 with
 * 4 communities; Girvan-Newman best level 0.4013 with 5), modularity of a
 * hand-computed partition, the edge-weight formula on three sites, the
 * restart budget, and label alignment across re-clusterings. */
#include <math.h>
#include <string.h>

#include "dnt/cluster.h"
#include "dnt/status.h"
#include "test.h"

#ifdef DNT_HAVE_IGRAPH
#include <igraph.h>

/* Zachary's karate club from igraph's own table of famous graphs. */
static void karate(dnt_bs_graph *g) {
  igraph_t ig;
  igraph_famous(&ig, "Zachary");
  igraph_integer_t m = igraph_ecount(&ig), n = igraph_vcount(&ig);
  int from[100], to[100];
  CHECK(n == 34 && m == 78);
  for (igraph_integer_t e = 0; e < m && e < 100; e++) {
    igraph_integer_t a, b;
    igraph_edge(&ig, e, &a, &b);
    from[e] = (int)a;
    to[e] = (int)b;
  }
  igraph_destroy(&ig);
  CHECK_OK(dnt_bs_graph_from_edges((size_t)n, (size_t)m, from, to, NULL, g));
}

static void test_karate(void) {
  dnt_bs_graph g;
  karate(&g);
  dnt_cluster_params p;
  dnt_cluster_params_default(&p);
  p.weighted = 0;
  p.restarts = 20;
  dnt_clustering c;
  CHECK_OK(dnt_cluster_run(&g, &p, &c));
  CHECK_NEAR(c.modularity, 0.4198, 5e-5);
  CHECK(c.k == 4);
  /* our modularity agrees with the clustering's */
  double q;
  CHECK_OK(dnt_cluster_modularity(&g, c.membership, 0, 1.0, &q));
  CHECK_NEAR(q, c.modularity, 1e-12);
  dnt_clustering_free(&c);

  p.method = DNT_CLUSTER_GIRVAN_NEWMAN;
  p.k = 0;
  CHECK_OK(dnt_cluster_run(&g, &p, &c));
  CHECK_NEAR(c.modularity, 0.4013, 5e-5);
  CHECK(c.k == 5);
  CHECK(c.n_levels == 34); /* connected: 33 merges + the singletons */
  CHECK(c.level_k[0] == 34 && c.level_k[33] == 1);
  CHECK_NEAR(c.level_q[33], 0.0, 1e-12); /* one community: Q = 0 */
  dnt_clustering_free(&c);

  p.k = 2; /* fixed k: the two factions of the club's split */
  CHECK_OK(dnt_cluster_run(&g, &p, &c));
  CHECK(c.k == 2);
  CHECK(c.membership[0] != c.membership[33]); /* the instructor and the president */
  dnt_clustering_free(&c);

  p.method = DNT_CLUSTER_LEIDEN;
  p.k = 0;
  CHECK_OK(dnt_cluster_run(&g, &p, &c));
  CHECK_NEAR(c.modularity, 0.4198, 5e-5);
  dnt_clustering_free(&c);

  /* same seed, same clusters */
  dnt_clustering a, b;
  p.method = DNT_CLUSTER_LOUVAIN;
  p.restarts = 1;
  CHECK_OK(dnt_cluster_run(&g, &p, &a));
  CHECK_OK(dnt_cluster_run(&g, &p, &b));
  CHECK(memcmp(a.membership, b.membership, 34 * sizeof(int)) == 0);
  dnt_clustering_free(&a);
  dnt_clustering_free(&b);
  dnt_bs_graph_free(&g);
}

/* The restart budget: runs = restarts while restarts x m fits, else
 * max(1, floor(budget / m)), the first seeds of the uncut sequence (karate: m
 * = 78); Girvan-Newman makes no seeded runs. */
static void test_restart_budget(void) {
  dnt_bs_graph g;
  karate(&g);
  dnt_cluster_params p;
  dnt_cluster_params_default(&p);
  CHECK(p.restarts == 8 && p.restart_budget == 500000);
  const struct {
    int restarts;
    size_t budget;
    int runs;
  } cases[] = {{5, 0, 5},   {8, 624, 8}, {8, 623, 7}, {8, 234, 3},
               {8, 233, 2}, {8, 10, 1},  {1, 1, 1}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    p.restarts = cases[i].restarts;
    p.restart_budget = cases[i].budget;
    dnt_clustering c;
    CHECK_OK(dnt_cluster_run(&g, &p, &c));
    CHECK_MSG(c.runs == cases[i].runs, "restarts %d, budget %zu: %d runs, expected %d",
              cases[i].restarts, cases[i].budget, c.runs, cases[i].runs);
    dnt_clustering_free(&c);
  }
  for (int method = 0; method < 2; method++) { /* cut to 2 runs == 2 restarts uncut */
    dnt_clustering cut, two;
    p.method = method ? DNT_CLUSTER_LEIDEN : DNT_CLUSTER_LOUVAIN;
    p.weighted = 0;
    p.restarts = 8;
    p.restart_budget = 2 * 78;
    CHECK_OK(dnt_cluster_run(&g, &p, &cut));
    p.restarts = 2;
    p.restart_budget = 0;
    CHECK_OK(dnt_cluster_run(&g, &p, &two));
    CHECK(cut.runs == 2 && two.runs == 2);
    CHECK(memcmp(cut.membership, two.membership, 34 * sizeof(int)) == 0);
    CHECK(cut.modularity == two.modularity);
    dnt_clustering_free(&cut);
    dnt_clustering_free(&two);
  }
  p.method = DNT_CLUSTER_GIRVAN_NEWMAN;
  dnt_clustering c;
  CHECK_OK(dnt_cluster_run(&g, &p, &c));
  CHECK(c.runs == 0);
  dnt_clustering_free(&c);
  dnt_bs_graph_free(&g);
}

/* Two triangles {0,1,2}, {3,4,5} joined by edge 2-3: m = 7, each side has 3
 * internal edges and degree sum 7: Q = 2 (3/7 - (7/14)^2) = 5/14. */
static void test_modularity_by_hand(void) {
  int from[] = {0, 0, 1, 3, 3, 4, 2}, to[] = {1, 2, 2, 4, 5, 5, 3};
  dnt_bs_graph g;
  CHECK_OK(dnt_bs_graph_from_edges(6, 7, from, to, NULL, &g));
  int memb[] = {0, 0, 0, 1, 1, 1};
  double q;
  CHECK_OK(dnt_cluster_modularity(&g, memb, 0, 1.0, &q));
  CHECK_NEAR(q, 5.0 / 14.0, 1e-12);
  dnt_cluster_params p;
  dnt_cluster_params_default(&p);
  p.method = DNT_CLUSTER_GIRVAN_NEWMAN;
  p.k = 2;
  dnt_clustering c;
  CHECK_OK(dnt_cluster_run(&g, &p, &c));
  CHECK(c.k == 2 && c.membership[0] == c.membership[2] && c.membership[3] == c.membership[5] &&
        c.membership[0] != c.membership[3]);
  CHECK_NEAR(c.modularity, 5.0 / 14.0, 1e-12);
  dnt_clustering_free(&c);
  /* unit weights given explicitly: the same answer as unweighted */
  double w[] = {1, 1, 1, 1, 1, 1, 1};
  dnt_bs_graph_free(&g);
  CHECK_OK(dnt_bs_graph_from_edges(6, 7, from, to, w, &g));
  p.method = DNT_CLUSTER_LOUVAIN;
  CHECK_OK(dnt_cluster_run(&g, &p, &c));
  CHECK_NEAR(c.modularity, 5.0 / 14.0, 1e-12);
  dnt_clustering_free(&c);
  /* a bridge 2-3 of weight 10 pulls its ends together: W = 16, and
   * {0,1} {2,3} {4,5} has Q = 2 (1/16 - (4/32)^2) + 10/16 - (24/32)^2 = 5/32,
   * the best partition (the two triangles give 2 (3/16 - 1/4) < 0) */
  w[6] = 10;
  dnt_bs_graph_free(&g);
  CHECK_OK(dnt_bs_graph_from_edges(6, 7, from, to, w, &g));
  CHECK_OK(dnt_cluster_run(&g, &p, &c));
  CHECK(c.k == 3 && c.membership[2] == c.membership[3] && c.membership[0] == c.membership[1] &&
        c.membership[4] == c.membership[5]);
  CHECK_NEAR(c.modularity, 5.0 / 32.0, 1e-12);
  dnt_clustering_free(&c);
  /* a k above n gives singletons, below the components one per component */
  p.method = DNT_CLUSTER_GIRVAN_NEWMAN;
  p.k = 100;
  CHECK_OK(dnt_cluster_run(&g, &p, &c));
  CHECK(c.k == 6);
  dnt_clustering_free(&c);
  dnt_bs_graph_free(&g);
  int f2[] = {0, 2}, t2[] = {1, 3};
  CHECK_OK(dnt_bs_graph_from_edges(4, 2, f2, t2, NULL, &g));
  p.k = 1;
  CHECK_OK(dnt_cluster_run(&g, &p, &c));
  CHECK(c.k == 2);
  dnt_clustering_free(&c);
  dnt_bs_graph_free(&g);
}
#endif

/* Three sites on a line at 0, 100 and 300 m, radius 100 m, backhaul 1, 2, 4,
 * all pairs: the four terms of each edge by hand. */
static void test_graph_formula(void) {
  dnt_cell_sites s;
  CHECK_OK(dnt_cell_sites_alloc(&s, 3));
  double x[] = {0, 100, 300}, bh[] = {1, 2, 4};
  for (int i = 0; i < 3; i++) {
    s.x[i] = x[i];
    s.y[i] = 0;
    s.radius[i] = 100;
    s.backhaul[i] = bh[i];
  }
  /* traffic: BS0 and BS1 move together, BS2 against them */
  double tr[4 * 3] = {1, 2, 5, 2, 4, 4, 3, 6, 3, 4, 8, 2};
  dnt_bs_graph_params p;
  dnt_bs_graph_params_default(&p);
  p.neighbours = 0;
  p.length_m = 100;
  dnt_bs_graph g;
  CHECK_OK(dnt_bs_graph_build(&s, tr, 4, &p, &g));
  CHECK(g.m == 3);
  /* edges sorted: (0,1) d 100, (0,2) d 300, (1,2) d 200 */
  CHECK(g.from[0] == 0 && g.to[0] == 1 && g.from[1] == 0 && g.to[1] == 2);
  double lens = 2.0 / 3.0 - sqrt(3.0) / (2 * M_PI); /* equal discs, d = r */
  CHECK_NEAR(g.terms[0], exp(-1.0), 1e-12);
  CHECK_NEAR(g.terms[1], 1.0 / 4.0, 1e-12);
  CHECK_NEAR(g.terms[2], lens, 1e-12);
  CHECK_NEAR(g.terms[3], 1.0, 1e-12);
  CHECK_NEAR(g.weight[0], 0.4 * exp(-1.0) + 0.1 * 0.25 + 0.2 * lens + 0.3, 1e-12);
  CHECK_NEAR(g.terms[4 + 0], exp(-3.0), 1e-12);
  CHECK_NEAR(g.terms[4 + 2], 0.0, 1e-12); /* 300 m apart: no overlap */
  CHECK_NEAR(g.terms[4 + 3], 0.0, 1e-12); /* anti-correlated: clipped at 0 */
  CHECK_NEAR(g.terms[8 + 1], 2.0 / 4.0, 1e-12);
  dnt_bs_graph_free(&g);
  /* k-nearest candidates: with 1 neighbour, 0-1 and 1-2 (2's nearest is 1) */
  p.neighbours = 1;
  CHECK_OK(dnt_bs_graph_build(&s, NULL, 0, &p, &g));
  CHECK(g.m == 2 && g.from[0] == 0 && g.to[0] == 1 && g.from[1] == 1 && g.to[1] == 2);
  CHECK_NEAR(g.terms[3], 0.0, 0); /* no traffic: no correlation term */
  dnt_bs_graph_free(&g);
  /* VH-Twin: 30 / d_km + 70 U(0, 1) */
  p.formula = DNT_GRAPH_VHTWIN;
  p.neighbours = 0;
  CHECK_OK(dnt_bs_graph_build(&s, NULL, 0, &p, &g));
  CHECK(g.weight[0] >= 300 && g.weight[0] < 370);
  CHECK(g.weight[1] >= 100 && g.weight[1] < 170);
  dnt_bs_graph_free(&g);
  dnt_cell_sites_free(&s);
  CHECK_NEAR(dnt_cell_coverage_overlap(0, 50, 100), 1.0, 0);
  CHECK_NEAR(dnt_cell_coverage_overlap(200, 100, 100), 0.0, 0);
  CHECK_NEAR(dnt_cell_coverage_overlap(100, 100, 100), lens, 1e-12);
  int bad_from[] = {0}, bad_to[] = {0};
  CHECK(dnt_bs_graph_from_edges(2, 1, bad_from, bad_to, NULL, &g) == DNT_ERR_ARG);
}

#ifdef DNT_HAVE_IGRAPH
/* End to end on two planted groups of 10 BSs, 5 km apart: Girvan-Newman with
 * k = 2 returns the groups exactly and no Louvain cluster mixes them. Then
 * re-clustering on a later week of traffic, aligned to the first, keeps the
 * labels of the BSs whose cluster did not change. */
static void test_planted_and_recluster(void) {
  dnt_cell_sites s;
  CHECK_OK(dnt_cell_sites_alloc(&s, 20));
  for (int i = 0; i < 20; i++) {
    s.x[i] = (i < 10 ? 0 : 5000) + 10.0 * (i % 10);
    s.y[i] = 7.0 * ((i * 7) % 10);
  }
  dnt_cellular_params wp;
  dnt_cellular_params_default(&wp);
  dnt_world *w = NULL;
  CHECK_OK(dnt_cellular_create(&s, NULL, &wp, 4, &w));
  dnt_cell_traffic tr;
  CHECK_OK(dnt_cellular_series(w, 336, &tr));
  dnt_bs_graph_params gp;
  dnt_bs_graph_params_default(&gp);
  gp.neighbours = 4;
  dnt_bs_graph g;
  CHECK_OK(dnt_bs_graph_build(dnt_cellular_sites(w), tr.v, 168, &gp, &g));
  dnt_cluster_params cp;
  dnt_cluster_params_default(&cp);
  cp.method = DNT_CLUSTER_GIRVAN_NEWMAN;
  cp.k = 2;
  dnt_clustering c;
  CHECK_OK(dnt_cluster_run(&g, &cp, &c));
  int exact = c.k == 2;
  for (int i = 0; i < 20; i++)
    exact &= c.membership[i] == (i < 10 ? 0 : 1);
  CHECK(exact);
  dnt_clustering_free(&c);
  cp.method = DNT_CLUSTER_LOUVAIN;
  CHECK_OK(dnt_cluster_run(&g, &cp, &c));
  int pure = 1;
  for (int i = 0; i < 10; i++)
    for (int j = 10; j < 20; j++)
      pure &= c.membership[i] != c.membership[j];
  CHECK(pure && c.k >= 2);
  dnt_bs_graph_free(&g);
  /* the second week: rows 168..335 */
  dnt_clustering c2;
  CHECK_OK(dnt_bs_graph_build(dnt_cellular_sites(w), tr.v + 168 * 20, 168, &gp, &g));
  CHECK_OK(dnt_cluster_run(&g, &cp, &c2));
  size_t moved = 0;
  CHECK_OK(dnt_clustering_align(&c, &c2, &moved));
  size_t changed = 0; /* BSs whose co-members changed at all */
  for (int i = 0; i < 20; i++)
    for (int j = 0; j < 20; j++)
      if ((c.membership[i] == c.membership[j]) != (c2.membership[i] == c2.membership[j])) {
        changed++;
        break;
      }
  CHECK_MSG(moved <= changed, "moved %zu, changed %zu", moved, changed);
  dnt_clustering_free(&c);
  dnt_clustering_free(&c2);
  dnt_bs_graph_free(&g);
  dnt_cell_traffic_free(&tr);
  dnt_world_destroy(w);
  dnt_cell_sites_free(&s);
}
#endif

static void test_align(void) {
  int prev_m[] = {0, 0, 1, 1, 2, 2}, cur_m[] = {1, 1, 0, 0, 0, 2};
  dnt_clustering prev = {.n = 6, .membership = prev_m, .k = 3, .n_labels = 3};
  dnt_clustering cur = {.n = 6, .membership = cur_m, .k = 3, .n_labels = 3};
  size_t moved = 99;
  CHECK_OK(dnt_clustering_align(&prev, &cur, &moved));
  /* cur 1 = prev 0 (2 BSs), cur 0 = prev 1 (2 of its 3), cur 2 = prev 2 */
  int want[] = {0, 0, 1, 1, 1, 2};
  CHECK(memcmp(cur_m, want, sizeof want) == 0);
  CHECK(moved == 1);
  CHECK(cur.n_labels == 3);
}

int main(void) {
#ifdef DNT_HAVE_IGRAPH
  test_karate();
  test_restart_budget();
  test_modularity_by_hand();
  test_planted_and_recluster();
#endif
  test_graph_formula();
  test_align();
  return test_done("cellular.cluster");
}
