/* src/app/cmd_cluster.c: `dnt cluster`, base stations clustered into local
 * twins (dnt/cluster.h) on real sites and traffic or on generated ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "commands.h"
#include "dnt/cellular.h"
#include "dnt/cluster.h"
#include "dnt/csv.h"
#include "dnt/figure.h"
#include "dnt/fileio.h"
#include "dnt/log.h"
#include "dnt/progress.h"
#include "dnt/status.h"

static const char usage[] =
    "usage: dnt cluster [--sites FILE] [--traffic FILE] [--method M] [--k N] [options]\n\n"
    "Clusters base stations into local twins: builds the BS graph (proximity, backhaul,\n"
    "coverage overlap, traffic correlation) and runs igraph's community detection.\n"
    "Without --sites, sites are generated (cellular.n_bs, Matern cluster process);\n"
    "without --traffic, traffic is generated. Writes clusters.csv (one row per BS),\n"
    "edges.csv, levels.csv (Girvan-Newman), summary.json (modularity, clusters,\n"
    "times) and the map clusters_map.svg/png.\n\n"
    "options:\n"
    "      --sites FILE    BS sites CSV (SITE_ID, LATITUDE, LONGITUDE; docs/DATA.md)\n"
    "      --traffic FILE  traffic CSV: wide (date,V-0,...), Milan long or Milan raw TSV\n"
    "      --method M      louvain (default), leiden or girvan-newman\n"
    "      --k N           Girvan-Newman: number of clusters (0 = best "
    "modularity)\n" APP_COMMON_HELP;

enum { OPT_SITES = 2001, OPT_TRAFFIC, OPT_METHOD, OPT_K };

/* The cellular and cluster schemas as one table (the config takes one). */
static dnt_config_field *schema_join(size_t *n) {
  *n = dnt_cellular_schema_len + dnt_cluster_schema_len;
  dnt_config_field *s = malloc(*n * sizeof *s);
  if (!s) return NULL;
  memcpy(s, dnt_cellular_schema, dnt_cellular_schema_len * sizeof *s);
  memcpy(s + dnt_cellular_schema_len, dnt_cluster_schema, dnt_cluster_schema_len * sizeof *s);
  return s;
}

static int set_option(dnt_config *cfg, const char *key, const char *value) {
  char buf[1200];
  if ((size_t)snprintf(buf, sizeof buf, "%s=%s", key, value) >= sizeof buf)
    return dnt_error(DNT_ERR_ARG, "option value for %s is too long", key);
  return dnt_config_set(cfg, buf);
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

/* What the command computes before it writes anything. */
typedef struct cluster_result {
  dnt_world *world;
  dnt_cell_traffic series; /* (window, n) demand used for correlation */
  dnt_bs_graph graph;
  dnt_clustering clusters;
  dnt_cell_missing_report missing; /* what the traffic read filled or dropped */
  double graph_s, cluster_s;
} cluster_result;

static void result_free(cluster_result *r) {
  dnt_clustering_free(&r->clusters);
  dnt_bs_graph_free(&r->graph);
  dnt_cell_traffic_free(&r->series);
  dnt_cell_missing_report_free(&r->missing);
  dnt_world_destroy(r->world);
}

/* Builds the world, its traffic window, the graph and the clusters. */
static int cluster_compute(const dnt_config *cfg, uint64_t seed, cluster_result *r) {
  memset(r, 0, sizeof *r);
  dnt_bs_graph_params gp;
  dnt_cluster_params cp;
  int rc = dnt_cluster_params_from_config(cfg, &gp, &cp);
  if (rc) return rc;
  cp.seed = seed;
  gp.seed = seed;
  if (cp.k > 0 && cp.method != DNT_CLUSTER_GIRVAN_NEWMAN)
    DNT_WARN("cluster: k = %d is for girvan-newman; %s chooses the number of clusters itself", cp.k,
             dnt_config_string(cfg, "cluster.method"));
  rc = dnt_cellular_create_from_config(cfg, seed, &r->missing, &r->world);
  size_t window = gp.window ? gp.window : 24 * 7 * 4;
  if (!rc) rc = dnt_cellular_series(r->world, window, &r->series);
  double t0 = dnt_now();
  if (!rc)
    rc = dnt_bs_graph_build(dnt_cellular_sites(r->world), r->series.v, r->series.n_steps, &gp,
                            &r->graph);
  double t1 = dnt_now();
  if (!rc) rc = dnt_cluster_run(&r->graph, &cp, &r->clusters);
  r->graph_s = t1 - t0;
  r->cluster_s = dnt_now() - t1;
  return rc;
}

static int cluster_write(const dnt_config *cfg, const cluster_result *r, dnt_run *run) {
  const dnt_cell_sites *s = dnt_cellular_sites(r->world);
  const dnt_bs_graph *g = &r->graph;
  const dnt_clustering *c = &r->clusters;
  int rc = write_clusters(run, s, c);
  if (!rc) rc = write_edges(run, s, g);
  if (!rc && c->n_levels) rc = write_levels(run, c);
  if (rc) return rc;
  const char *method = dnt_config_string(cfg, "cluster.method");
  const char *sites = dnt_config_string(cfg, "cellular.sites");
  const char *traffic = dnt_config_string(cfg, "cellular.traffic");
  rc = dnt_run_summary_string(run, "method", method);
  if (!rc) rc = dnt_run_summary_string(run, "sites", sites[0] ? sites : "generated");
  if (!rc) rc = dnt_run_summary_string(run, "traffic", traffic[0] ? traffic : "generated");
  const struct {
    const char *name;
    double v;
  } m[] = {{"n_bs", (double)g->n},
           {"n_edges", (double)g->m},
           {"clusters", c->k},
           {"modularity", c->modularity},
           {"graph_ms", 1e3 * r->graph_s},
           {"cluster_ms", 1e3 * r->cluster_s},
           {"igraph_ms", 1e3 * c->igraph_seconds}};
  for (size_t i = 0; !rc && i < sizeof m / sizeof m[0]; i++)
    rc = dnt_run_summary_number(run, m[i].name, m[i].v);
  if (!rc) rc = dnt_cell_missing_summary(&r->missing, run);
  if (rc) return rc;
  char title[160];
  snprintf(title, sizeof title, "%zu BSs, %s: %d clusters, modularity %.4f", g->n, method, c->k,
           c->modularity);
  dnt_figure_text text = {title, "x (m east)", "y (m north)", 0};
  rc = dnt_figure_scatter(dnt_run_dir(run), "clusters_map", "clusters.csv", "x_m", "y_m", "cluster",
                          &text);
  printf("cluster: %zu BSs, %zu edges, %s: %d clusters, modularity %.4f (graph %.2f ms, "
         "clustering %.2f ms)\n",
         g->n, g->m, method, c->k, c->modularity, 1e3 * r->graph_s, 1e3 * r->cluster_s);
  return rc;
}

int cmd_cluster(int argc, char **argv) {
  static const struct option longopts[] = {APP_COMMON_LONGOPTS,
                                           {"sites", required_argument, 0, OPT_SITES},
                                           {"traffic", required_argument, 0, OPT_TRAFFIC},
                                           {"method", required_argument, 0, OPT_METHOD},
                                           {"k", required_argument, 0, OPT_K},
                                           {0, 0, 0, 0}};
  size_t n_schema;
  dnt_config_field *schema = schema_join(&n_schema);
  if (!schema) {
    fprintf(stderr, "dnt cluster: out of memory\n");
    return APP_EXIT_FAIL;
  }
  app_opts o;
  app_opts_init(&o);
  const char *sites = NULL, *traffic = NULL, *method = NULL, *k = NULL;
  int opt, rc = APP_EXIT_OK;
  optind = 1;
  while (rc == APP_EXIT_OK &&
         (opt = getopt_long(argc, argv, APP_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
    if (opt == OPT_SITES) {
      sites = optarg;
    } else if (opt == OPT_TRAFFIC) {
      traffic = optarg;
    } else if (opt == OPT_METHOD) {
      method = optarg;
    } else if (opt == OPT_K) {
      k = optarg;
    } else { /* common options; --help and --help-config print and exit */
      int h = app_common_option(&o, opt, optarg, "cluster", usage, schema, n_schema);
      if (h < 0) rc = -h;
      if (h == 0) rc = app_usage_error("cluster", "unknown option");
    }
  }
  if (rc == APP_EXIT_OK && optind < argc)
    rc = app_usage_error("cluster", "unexpected argument '%s'", argv[optind]);
  dnt_config *cfg = NULL;
  if (rc == APP_EXIT_OK) rc = app_load_config(&o, "cluster", schema, n_schema, &cfg);
  const char *keys[] = {"cellular.sites", "cellular.traffic", "cluster.method", "cluster.k"};
  const char *vals[] = {sites, traffic, method, k};
  for (int i = 0; i < 4 && rc == APP_EXIT_OK; i++)
    if (vals[i] && set_option(cfg, keys[i], vals[i]))
      rc = app_usage_error("cluster", "%s", dnt_last_error());
  cluster_result res = {0};
  if (rc == APP_EXIT_OK && cluster_compute(cfg, o.seed, &res)) rc = app_fail("cluster");
  dnt_run *run = NULL;
  if (rc == APP_EXIT_OK) rc = app_open_run(&o, "cluster", cfg, &run);
  if (rc == APP_EXIT_OK) {
    if (cluster_write(cfg, &res, run)) {
      rc = app_fail("cluster");
      dnt_run_abort(run, dnt_last_error());
    } else if (dnt_run_close(run)) {
      rc = app_fail("cluster");
    }
  }
  result_free(&res);
  dnt_config_destroy(cfg);
  free(schema);
  return rc;
}
