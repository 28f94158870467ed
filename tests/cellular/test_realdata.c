/* tests/cellular/test_realdata.c: the readers and the world on the shared
 * real data (../shared/data): the Melbourne CBD sites, the beam_wireless
 * traffic, the Milan long CSV and raw TSV sample. Values checked were read
 * from the files independently with Python. Skipped when the data is absent. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/fileio.h"
#include "dnt/status.h"
#include "test.h"

static char sites_path[512], beam_path[512], milan_path[512], raw_path[512];

static void test_melbourne(void) {
  dnt_cell_sites s;
  CHECK_OK(dnt_cell_sites_read(sites_path, &s));
  CHECK(s.n == 125);
  CHECK(!strcmp(s.id[0], "10003026"));
  CHECK_NEAR(s.lat[0], -37.81517, 1e-12);
  double sx = 0, xmin = 0, xmax = 0;
  for (size_t i = 0; i < s.n; i++) {
    sx += s.x[i];
    xmin = fmin(xmin, s.x[i]);
    xmax = fmax(xmax, s.x[i]);
  }
  CHECK_NEAR(sx / 125, 0, 1e-6);   /* centred on the centroid */
  CHECK_NEAR(xmin, -981.31, 0.05); /* extent from Python: -981.31 .. 1011.43 m */
  CHECK_NEAR(xmax, 1011.43, 0.05);
  CHECK_NEAR(dnt_cell_sites_mean_nn(&s), 51.707, 0.001);
  dnt_cell_sites_free(&s);
}

static void test_traffic_files(void) {
  dnt_cell_traffic t;
  dnt_cell_missing_report rep;
  CHECK_OK(dnt_cell_traffic_read(beam_path, 3600, NULL, &rep, &t));
  CHECK(t.n_series == 100 && t.n_steps == 1026 && t.dt == 3600);
  CHECK(rep.n_series == 100 && rep.filled == 0 && rep.n_dropped == 0); /* complete file */
  dnt_cell_missing_report_free(&rep);
  CHECK(!strcmp(t.name[0], "V-0") && !strcmp(t.name[99], "OT"));
  CHECK(t.v[1025 * 100 + 0] == 1.2193553002526123);
  dnt_cell_traffic_free(&t);

  CHECK_OK(dnt_cell_traffic_read_milan(milan_path, NULL, NULL, &rep, &t));
  CHECK(t.n_series == 6 && t.n_steps == 144 && t.dt == 600);
  CHECK(rep.n_series == 6 && rep.filled == 0); /* every square has all 144 slots */
  dnt_cell_missing_report_free(&rep);
  CHECK(!strcmp(t.name[0], "4259") && t.v[0] == 261.68029483973805);
  CHECK(t.t0 == 1383260400.0); /* 2013-11-01 00:00 CET */
  dnt_cell_traffic_free(&t);

  CHECK_OK(dnt_cell_traffic_read(raw_path, 3600, NULL, &rep, &t));
  CHECK(rep.n_series == 1 && rep.filled == 0);
  dnt_cell_missing_report_free(&rep);
  /* one square, 71 ten-minute steps, internet summed over country codes */
  CHECK(t.n_series == 1 && t.n_steps == 71 && t.dt == 600);
  double sum = 0;
  for (size_t r = 0; r < t.n_steps; r++)
    sum += t.v[r];
  CHECK_NEAR(sum, 599.1242237840779, 1e-9);
  CHECK_NEAR(t.v[0], 11.028366381681026, 1e-12);
  dnt_cell_traffic_free(&t);
}

static void test_world(void) {
  dnt_cellular_config c;
  dnt_cellular_config_defaults(&c);
  c.sites = sites_path;
  c.traffic = beam_path;
  dnt_cellular_inputs in;
  CHECK_OK(dnt_cellular_inputs_read(&c, 3, "interpolate", 0, 11, &in));
  dnt_world *w = NULL;
  CHECK_OK(dnt_cellular_create_from(&c, &in, 11, &w));
  dnt_cellular_inputs_free(&in);
  CHECK(dnt_cellular_n_bs(w) == 125 && dnt_cellular_is_replay(w));
  CHECK(!strcmp(dnt_world_get_info(w)->field_names[0], "traffic.10003026"));
  dnt_cell_traffic beam, series;
  CHECK_OK(dnt_cell_traffic_read_wide(beam_path, 3600, NULL, NULL, &beam));
  CHECK_OK(dnt_cellular_series(w, 30, &series));
  /* BS 100 replays V-0 one day (24 steps) ahead; BS 7 replays V-7 */
  CHECK(series.v[0 * 125 + 100] == beam.v[24 * 100 + 0]);
  CHECK(series.v[29 * 125 + 7] == beam.v[29 * 100 + 7]);
  CHECK(!strcmp(series.name[0], "10003026"));
  /* derived capacity: 1.3 x the peak of V-7 */
  double peak = 0;
  for (size_t r = 0; r < beam.n_steps; r++)
    peak = fmax(peak, beam.v[r * 100 + 7]);
  CHECK_NEAR(dnt_cellular_sites(w)->capacity[7], 1.3 * peak, 1e-12);
  dnt_cell_traffic_free(&beam);
  dnt_cell_traffic_free(&series);
  dnt_world_destroy(w);
}

int main(void) {
  snprintf(sites_path, sizeof sites_path, "%s/bs_sites/melbourne_cbd_sites.csv", DNT_DATA_DIR);
  snprintf(beam_path, sizeof beam_path, "%s/traffic/beam_wireless.csv", DNT_DATA_DIR);
  snprintf(milan_path, sizeof milan_path, "%s/traffic/milan_6cells_internet_2013-11-01.csv",
           DNT_DATA_DIR);
  snprintf(raw_path, sizeof raw_path, "%s/traffic/milan_raw_sample.txt", DNT_DATA_DIR);
  const char *need[] = {sites_path, beam_path, milan_path, raw_path};
  for (int i = 0; i < 4; i++)
    if (!dnt_path_exists(need[i])) {
      char why[700];
      snprintf(why, sizeof why, "cellular.realdata: %s absent (shared data not installed)",
               need[i]);
      test_skip(why);
    }
  test_melbourne();
  test_traffic_files();
  test_world();
  return test_done("cellular.realdata");
}
