/* tests/cellular/test_sites.c: the BS sites reader (projection checked
 * against the haversine distance, malformed rows rejected with file and
 * line) and the point-process generators. The Melbourne file is read in
 * test_realdata.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/fileio.h"
#include "dnt/status.h"
#include "test.h"

static const char *tmp_file(const char *name, const char *text) {
  static char path[512];
  snprintf(path, sizeof path, "%s/cellular_sites_%s", DNT_BINARY_DIR, name);
  CHECK_OK(dnt_write_atomic(path, text, strlen(text)));
  return path;
}

/* Great-circle distance (haversine), an independent reference. */
static double haversine(double lat1, double lon1, double lat2, double lon2) {
  double R = 6371008.8, d = M_PI / 180;
  double a = pow(sin((lat2 - lat1) * d / 2), 2) +
             cos(lat1 * d) * cos(lat2 * d) * pow(sin((lon2 - lon1) * d / 2), 2);
  return 2 * R * asin(sqrt(a));
}

static void test_projection(void) {
  const char *p = tmp_file("proj.csv", "SITE_ID,LATITUDE,LONGITUDE,NAME\n"
                                       "a,-37.81,144.95,\"x, with comma\"\n"
                                       "b,-37.81,144.97,y\n"
                                       "c,-37.82,144.96,z\n");
  dnt_cell_sites s;
  CHECK_OK(dnt_cell_sites_read(p, &s));
  CHECK(s.n == 3 && !strcmp(s.id[0], "a") && !strcmp(s.id[2], "c"));
  CHECK_NEAR(s.lat0, (-37.81 * 2 - 37.82) / 3, 1e-12);
  CHECK_NEAR(s.lon0, 144.96, 1e-12);
  CHECK_NEAR(s.x[0] + s.x[1] + s.x[2], 0, 1e-6); /* centred on the centroid */
  CHECK_NEAR(s.y[0], s.y[1], 1e-9);
  double dab = hypot(s.x[0] - s.x[1], s.y[0] - s.y[1]);
  double dac = hypot(s.x[0] - s.x[2], s.y[0] - s.y[2]);
  CHECK_NEAR(dab / haversine(-37.81, 144.95, -37.81, 144.97), 1, 1e-3);
  CHECK_NEAR(dac / haversine(-37.81, 144.95, -37.82, 144.96), 1, 1e-3);
  CHECK_NEAR(s.y[0] - s.y[2], 6371008.8 * 0.01 * M_PI / 180, 1e-6);
  CHECK(s.capacity[0] == 0 && s.radius[0] == 0); /* derived later by the world */
  dnt_cell_sites_free(&s);

  p = tmp_file("xy.csv", "X_M,Y_M,CAPACITY,BACKHAUL,RADIUS_M\n10,20,5,,300\n-10,0,,7,\n");
  CHECK_OK(dnt_cell_sites_read(p, &s));
  CHECK(s.n == 2 && !strcmp(s.id[1], "bs1") && isnan(s.lat[0]));
  CHECK(s.x[0] == 10 && s.y[0] == 20 && s.capacity[0] == 5 && s.backhaul[0] == 0);
  CHECK(s.radius[0] == 300 && s.backhaul[1] == 7 && s.capacity[1] == 0);
  dnt_cell_sites_free(&s);
}

/* A malformed file must fail with DNT_ERR_PARSE and a message naming the
 * file and `where` (e.g. ":3:"). */
static void expect_parse_error(const char *name, const char *text, const char *where,
                               const char *what) {
  const char *p = tmp_file(name, text);
  dnt_cell_sites s;
  int rc = dnt_cell_sites_read(p, &s);
  const char *msg = dnt_last_error();
  CHECK_MSG(rc == DNT_ERR_PARSE, "%s: rc %d", name, rc);
  CHECK_MSG(strstr(msg, name) && strstr(msg, where) && strstr(msg, what), "%s: message '%s'", name,
            msg);
}

static void test_malformed(void) {
  expect_parse_error("badlat.csv", "SITE_ID,LATITUDE,LONGITUDE\n1,-37.8,144.9\n2,abc,144.9\n",
                     ":3:", "LATITUDE");
  expect_parse_error("range.csv", "SITE_ID,LATITUDE,LONGITUDE\n1,95,144.9\n", ":2:", "[-90, 90]");
  expect_parse_error("dup.csv", "SITE_ID,LATITUDE,LONGITUDE\n7,1,2\n8,1,3\n7,2,2\n",
                     ":4:", "duplicate site id (first at line 2)");
  expect_parse_error("nocol.csv", "SITE_ID,LAT,LON\n7,1,2\n", ":1:", "LATITUDE");
  expect_parse_error("emptyid.csv", "SITE_ID,LATITUDE,LONGITUDE\n7,1,2\n,1,3\n", ":3:", "empty");
  expect_parse_error("negcap.csv", "X_M,Y_M,CAPACITY\n0,0,-1\n", ":2:", "CAPACITY");
  expect_parse_error("ragged.csv", "SITE_ID,LATITUDE,LONGITUDE\n7,1,2\n8,1\n", ":3", "");
  expect_parse_error("nodata.csv", "SITE_ID,LATITUDE,LONGITUDE\n", "nodata.csv", "no site rows");
}

static void test_generators(void) {
  dnt_cell_site_params p;
  dnt_cell_site_params_default(&p);
  p.n = 1000;
  p.process = DNT_CELL_POISSON;
  dnt_cell_sites a, b, c;
  CHECK_OK(dnt_cell_sites_generate(&p, 5, &a));
  CHECK_OK(dnt_cell_sites_generate(&p, 5, &b));
  CHECK(memcmp(a.x, b.x, p.n * sizeof(double)) == 0);
  int inside = 1;
  for (size_t i = 0; i < a.n; i++)
    inside &= fabs(a.x[i]) <= 1000 && fabs(a.y[i]) <= 700;
  CHECK(inside);
  /* Poisson: mean nearest-neighbour distance 0.5 sqrt(A / n) (Clark and
   * Evans 1954), plus the edge effect of a rectangle of perimeter P, with its
   * sd (Donnelly 1978): 26.82 +- 0.46 m here (40 seeds give 26.78 +- 0.49) */
  double A = 2000.0 * 1400, P = 2 * (2000.0 + 1400), n = 1000;
  double expect = 0.5 * sqrt(A / n) + (0.0514 + 0.041 / sqrt(n)) * P / n;
  double sd = sqrt(0.070 * A / (n * n) + 0.037 * P * sqrt(A / pow(n, 5)));
  double poisson_nn = dnt_cell_sites_mean_nn(&a);
  CHECK_MSG(fabs(poisson_nn - expect) < 4 * sd, "%g vs %g +- %g", poisson_nn, expect, sd);
  p.process = DNT_CELL_MATERN;
  CHECK_OK(dnt_cell_sites_generate(&p, 5, &c));
  double matern_nn = dnt_cell_sites_mean_nn(&c);
  CHECK_MSG(matern_nn < 0.85 * poisson_nn, "clustered %g vs Poisson %g", matern_nn, poisson_nn);
  inside = 1;
  for (size_t i = 0; i < c.n; i++)
    inside &= fabs(c.x[i]) <= 1000 && fabs(c.y[i]) <= 700;
  CHECK(inside);
  dnt_cell_sites_free(&a);
  dnt_cell_sites_free(&b);
  dnt_cell_sites_free(&c);
  p.n = 0;
  CHECK(dnt_cell_sites_generate(&p, 1, &a) == DNT_ERR_ARG);
}

int main(void) {
  test_projection();
  test_malformed();
  test_generators();
  return test_done("cellular.sites");
}
