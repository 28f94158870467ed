/* src/studies/cluster.c: base stations clustered into local twins
 * (dnt/study_cluster.h) on real or generated sites and traffic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/csv.h"
#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/log.h"
#include "dnt/progress.h"
#include "dnt/status.h"
#include "dnt/study_cluster.h"

#define DNT_CFG_STRUCT dnt_study_cluster_config
static const dnt_config_field rows[] = {DNT_CELLULAR_ROWS(DNT_CELLULAR_ROW)
                                            DNT_STUDY_CLUSTER_ROWS(DNT_CFG_ROW)};
#undef DNT_CFG_STRUCT

static const char *const headline[] = {"n_bs", "n_edges", "clusters", "modularity", NULL};

static const dnt_study_alias aliases[] = {{"sites", "cellular.sites"},
                                          {"traffic", "cellular.traffic"},
                                          {"method", "cluster.method"},
                                          {"k", "cluster.k"}};

DNT_STUDY_GLUE(cluster)

const dnt_study dnt_study_cluster = {
    .name = "cluster",
    .summary = "cluster base stations into local twins (Louvain, Leiden, Girvan-Newman)",
    .usage = "Clusters base stations into local twins: builds the BS graph (proximity, backhaul,\n"
             "coverage overlap, traffic correlation) and runs igraph's community detection.\n"
             "Without --sites, sites are generated (cellular.n_bs, Matern cluster process);\n"
             "without --traffic, traffic is generated. --k is the Girvan-Newman number of\n"
             "clusters (0 = best modularity). Writes clusters.csv (one row per BS), edges.csv,\n"
             "levels.csv (Girvan-Newman), summary.json (modularity, clusters, times) and the\n"
             "map clusters_map.svg/png.\n",
    .rows = rows,
    .n_rows = sizeof rows / sizeof rows[0],
    .config_size = sizeof(dnt_study_cluster_config),
    .aliases = aliases,
    .n_aliases = sizeof aliases / sizeof aliases[0],
    .headline = headline,
    .main_job = 0,
    .check = check_thunk,
    .run = run_thunk,
};

void dnt_study_cluster_params(const dnt_study_cluster_config *c, uint64_t seed,
                              dnt_bs_graph_params *gp, dnt_cluster_params *cp) {
  dnt_bs_graph_params_default(gp);
  gp->formula = !strcmp(c->formula, "vhtwin") ? DNT_GRAPH_VHTWIN : DNT_GRAPH_WEIGHTED_SUM;
  gp->neighbours = (size_t)c->neighbours;
  gp->w_proximity = c->w_proximity;
  gp->w_backhaul = c->w_backhaul;
  gp->w_overlap = c->w_overlap;
  gp->w_correlation = c->w_correlation;
  gp->length_m = c->length_m;
  gp->min_weight = c->min_weight;
  gp->window = (size_t)c->window;
  gp->seed = seed;
  dnt_cluster_params_default(cp);
  cp->method = !strcmp(c->method, "girvan-newman") ? DNT_CLUSTER_GIRVAN_NEWMAN
               : !strcmp(c->method, "leiden")      ? DNT_CLUSTER_LEIDEN
                                                   : DNT_CLUSTER_LOUVAIN;
  cp->k = (int)c->k;
  cp->weighted = c->weighted;
  cp->resolution = c->resolution;
  cp->restarts = (int)c->restarts;
  cp->restart_budget = (size_t)c->restart_budget;
  cp->seed = seed;
}

static void write_num(FILE *f, double v) {
  if (isfinite(v)) fprintf(f, "%.10g", v);
}

static int write_clusters(dnt_run *run, const dnt_cell_sites *s, const dnt_clustering *c) {
  char path[1024];
  dnt_afile *af = NULL;
  int rc = dnt_run_path(run, "clusters.csv", path, sizeof path);
  if (!rc) rc = dnt_afile_open(path, &af);
  if (rc) return rc;
  FILE *f = dnt_afile_stream(af);
  fputs("site_id,x_m,y_m,lat,lon,capacity,backhaul,radius_m,cluster\n", f);
  for (size_t i = 0; i < s->n; i++) {
    dnt_csv_write_field(f, s->id[i], ',');
    double v[7] = {s->x[i],        s->y[i],        s->lat[i],   s->lon[i],
                   s->capacity[i], s->backhaul[i], s->radius[i]};
    for (int k = 0; k < 7; k++)
      fputc(',', f), write_num(f, v[k]);
    fprintf(f, ",%d\n", c->membership[i]);
  }
  return dnt_afile_commit(af);
}

static int write_edges(dnt_run *run, const dnt_cell_sites *s, const dnt_bs_graph *g) {
  char path[1024];
  dnt_afile *af = NULL;
  int rc = dnt_run_path(run, "edges.csv", path, sizeof path);
  if (!rc) rc = dnt_afile_open(path, &af);
  if (rc) return rc;
  FILE *f = dnt_afile_stream(af);
  fputs("from,to,weight,proximity,backhaul,overlap,correlation\n", f);
  for (size_t e = 0; e < g->m; e++) {
    dnt_csv_write_field(f, s->id[g->from[e]], ',');
    fputc(',', f);
    dnt_csv_write_field(f, s->id[g->to[e]], ',');
    fprintf(f, ",%.10g", g->weight[e]);
    for (int k = 0; k < 4; k++)
      fprintf(f, ",%.10g", g->terms[4 * e + (size_t)k]);
    fputc('\n', f);
  }
  return dnt_afile_commit(af);
}

static int write_levels(dnt_run *run, const dnt_clustering *c) {
  char path[1024];
  dnt_afile *af = NULL;
  int rc = dnt_run_path(run, "levels.csv", path, sizeof path);
  if (!rc) rc = dnt_afile_open(path, &af);
  if (rc) return rc;
  FILE *f = dnt_afile_stream(af);
  fputs("clusters,modularity\n", f);
  for (size_t l = 0; l < c->n_levels; l++)
    fprintf(f, "%d,%.10g\n", c->level_k[l], c->level_q[l]);
  return dnt_afile_commit(af);
}

int dnt_study_cluster_check(const dnt_study_cluster_config *c) {
  dnt_cellular_inputs in; /* readable and parsed */
  int rc = dnt_cellular_inputs_read(&c->cellular, c->data_max_gap, c->data_missing, 1, 0, &in);
  dnt_cellular_inputs_free(&in);
  return rc;
}

/* The summary metrics and the map. */
static int summarise(const dnt_study_cluster_config *c, const dnt_bs_graph *g,
                     const dnt_clustering *cl, const double seconds[2], dnt_run *run) {
  const struct {
    const char *name;
    double v;
  } m[] = {{"n_bs", (double)g->n},
           {"n_edges", (double)g->m},
           {"clusters", cl->k},
           {"modularity", cl->modularity},
           {"runs", cl->runs},
           {"graph_ms", 1e3 * seconds[0]},
           {"cluster_ms", 1e3 * seconds[1]},
           {"igraph_ms", 1e3 * cl->igraph_seconds}};
  const char *sites = c->cellular.sites, *traffic = c->cellular.traffic;
  int rc = 0;
  if ((rc = dnt_run_summary_string(run, "method", c->method)) ||
      (rc = dnt_run_summary_string(run, "sites", sites[0] ? sites : "generated")) ||
      (rc = dnt_run_summary_string(run, "traffic", traffic[0] ? traffic : "generated")))
    return rc;
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    if ((rc = dnt_run_summary_number(run, m[i].name, m[i].v))) return rc;
  char title[160];
  snprintf(title, sizeof title, "%zu BSs, %s: %d clusters, modularity %.4f", g->n, c->method, cl->k,
           cl->modularity);
  dnt_figure_text text = {title, "x (m east)", "y (m north)", 0};
  return dnt_figure_scatter(dnt_run_dir(run), "clusters_map", "clusters.csv", "x_m", "y_m",
                            "cluster", &text);
}

int dnt_study_cluster_run(const dnt_study_cluster_config *c, dnt_run *run,
                          const dnt_study_progress *p) {
  int rc = dnt_study_check_struct(&dnt_study_cluster, c);
  if (rc) return rc;
  uint64_t seed = dnt_run_seed(run);
  dnt_bs_graph_params gp;
  dnt_cluster_params cp;
  dnt_study_cluster_params(c, seed, &gp, &cp);
  if (cp.k > 0 && cp.method != DNT_CLUSTER_GIRVAN_NEWMAN)
    DNT_WARN("cluster: k = %d is for girvan-newman; %s chooses the number of clusters itself", cp.k,
             c->method);
  dnt_cellular_inputs in = {0};
  dnt_world *world = NULL;
  dnt_cell_traffic series = {0}; /* (window, n) demand used for correlation */
  dnt_bs_graph graph = {0};
  dnt_clustering clusters = {0};
  double seconds[2] = {0, 0}; /* graph, clustering */
  size_t window = gp.window ? gp.window : 24 * 7 * 4;
  if ((rc = dnt_cellular_inputs_read(&c->cellular, c->data_max_gap, c->data_missing, 0, seed,
                                     &in)) ||
      (rc = dnt_cellular_create_from(&c->cellular, &in, seed, &world)) ||
      (rc = dnt_cellular_series(world, window, &series)))
    goto cleanup;
  dnt_study_progress_report(p, "cluster: graph", 0, 2);
  double t0 = dnt_now();
  const dnt_cell_sites *s = dnt_cellular_sites(world);
  if ((rc = dnt_bs_graph_build(s, series.v, series.n_steps, &gp, &graph))) goto cleanup;
  double t1 = dnt_now();
  seconds[0] = t1 - t0;
  dnt_study_progress_report(p, "cluster: graph", 1, 2);
  if ((rc = dnt_cluster_run(&graph, &cp, &clusters))) goto cleanup;
  seconds[1] = dnt_now() - t1;
  dnt_study_progress_report(p, "cluster: graph", 2, 2);
  if ((rc = write_clusters(run, s, &clusters)) || (rc = write_edges(run, s, &graph)) ||
      (clusters.n_levels && (rc = write_levels(run, &clusters))) ||
      (rc = summarise(c, &graph, &clusters, seconds, run)))
    goto cleanup;
  if (c->cellular.traffic[0]) rc = dnt_cell_missing_summary(&in.missing, run);
cleanup:
  dnt_clustering_free(&clusters);
  dnt_bs_graph_free(&graph);
  dnt_cell_traffic_free(&series);
  dnt_world_destroy(world);
  dnt_cellular_inputs_free(&in);
  return rc;
}
