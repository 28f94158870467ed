/* tests/cellular/test_traffic.c: traffic readers (wide CSV, Telecom Italia
 * Milan long CSV and raw TSV) on small hand-made files with known pivots and
 * rejection of malformed rows with the file's own
 * line, the writer round trip and the mapping of series onto BSs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/fileio.h"
#include "dnt/status.h"
#include "test.h"

static const char *tmp_file(const char *name, const char *text) {
  static char path[512];
  snprintf(path, sizeof path, "%s/cellular_traffic_%s", DNT_BINARY_DIR, name);
  CHECK_OK(dnt_write_atomic(path, text, strlen(text)));
  return path;
}

static double at(const dnt_cell_traffic *t, size_t step, size_t j) {
  return t->v[step * t->n_series + j];
}

/* rc must be DNT_ERR_PARSE with a message naming the file and `where`. */
static void expect_error(int rc, const char *name, const char *where) {
  const char *msg = dnt_last_error();
  CHECK_MSG(rc == DNT_ERR_PARSE, "%s: rc %d (%s)", name, rc, msg);
  CHECK_MSG(strstr(msg, name) && strstr(msg, where), "%s: message '%s'", name, msg);
}

static void test_wide(void) {
  dnt_cell_traffic t;
  const char *p = tmp_file("wide.csv", "date,a,b\n0,1.5,2\n1,3,4\n2,0,1e-3\n");
  CHECK_OK(dnt_cell_traffic_read_wide(p, 900, &t));
  CHECK(t.n_steps == 3 && t.n_series == 2 && t.dt == 900);
  CHECK(!strcmp(t.name[0], "a") && !strcmp(t.name[1], "b"));
  CHECK(at(&t, 0, 0) == 1.5 && at(&t, 1, 1) == 4 && at(&t, 2, 1) == 1e-3);
  double col[3];
  dnt_cell_traffic_series(&t, 1, col);
  CHECK(col[0] == 2 && col[1] == 4 && col[2] == 1e-3);
  /* writer round trip (exact: %.17g) */
  char out[512];
  snprintf(out, sizeof out, "%s/cellular_traffic_roundtrip.csv", DNT_BINARY_DIR);
  t.v[0] = 1.0 / 3.0;
  CHECK_OK(dnt_cell_traffic_write(out, &t));
  dnt_cell_traffic r;
  CHECK_OK(dnt_cell_traffic_read(out, 900, &r));
  CHECK(r.n_steps == 3 && r.n_series == 2 && !strcmp(r.name[1], "b"));
  CHECK(memcmp(r.v, t.v, 6 * sizeof(double)) == 0);
  dnt_cell_traffic_free(&r);
  dnt_cell_traffic_free(&t);

  expect_error(dnt_cell_traffic_read_wide(tmp_file("neg.csv", "date,a\n0,1\n1,-2\n"), 3600, &t),
               "neg.csv", ":3:");
  expect_error(dnt_cell_traffic_read_wide(tmp_file("nan.csv", "date,a,b\n0,1,x\n"), 3600, &t),
               "nan.csv", ":2:");
  expect_error(
      dnt_cell_traffic_read_wide(tmp_file("ragged.csv", "date,a,b\n0,1,2\n1,2\n"), 3600, &t),
      "ragged.csv", ":3");
  expect_error(dnt_cell_traffic_read_wide(tmp_file("onecol.csv", "date\n0\n"), 3600, &t),
               "onecol.csv", ":1:");
  CHECK(dnt_cell_traffic_read_wide(p, 0, &t) == DNT_ERR_ARG);
}

static void test_milan_long(void) {
  /* two squares, steps 0, 1, 3 (600 s grid), out of order, gaps = 0 */
  const char *p = tmp_file("milan.csv", "square_id,time_interval,internet_total\n"
                                        "7,1383261000000,2.5\n"
                                        "3,1383260400000,1\n"
                                        "3,1383262200000,4\n"
                                        "7,1383260400000,\n");
  dnt_cell_traffic t;
  CHECK_OK(dnt_cell_traffic_read(p, 3600, &t)); /* recognised by its columns */
  CHECK(t.n_series == 2 && t.n_steps == 4 && t.dt == 600);
  CHECK(t.t0 == 1383260400.0);
  CHECK(!strcmp(t.name[0], "3") && !strcmp(t.name[1], "7"));
  double want[8] = {1, 0, 0, 2.5, 0, 0, 4, 0};
  CHECK(memcmp(t.v, want, sizeof want) == 0);
  dnt_cell_traffic_free(&t);
  expect_error(
      dnt_cell_traffic_read_milan(tmp_file("mdup.csv", "square_id,time_interval,internet_total\n"
                                                       "3,600000,1\n3,1200000,1\n3,600000,2\n"),
                                  NULL, &t),
      "mdup.csv", ":4: square 3 at time 600000 repeats line 2");
  expect_error(
      dnt_cell_traffic_read_milan(tmp_file("mgrid.csv", "square_id,time_interval,internet_total\n"
                                                        "3,0,1\n3,600000,1\n4,1500000,2\n"),
                                  NULL, &t),
      "mgrid.csv", ":4:");
  expect_error(
      dnt_cell_traffic_read_milan(tmp_file("mneg.csv", "square_id,time_interval,internet_total\n"
                                                       "-3,0,1\n"),
                                  NULL, &t),
      "mneg.csv", ":2:");
  CHECK(dnt_cell_traffic_read_milan(tmp_file("mcol.csv", "square_id,time_interval,sms\n1,0,1\n"),
                                    NULL, &t) < 0);
}

static void test_milan_raw(void) {
  /* square 1 at t0: two country codes (summed); trailing fields missing */
  const char *p = tmp_file("raw.txt", "1\t0\t0\t0.5\n"
                                      "1\t0\t39\t0.1\t0.2\t0.3\t0.4\t10\n"
                                      "1\t600000\t39\t\t\t\t\t2.5\n"
                                      "2\t600000\t0\t1\t\t\t0.25\r\n"
                                      "1\t0\t33\t\t\t\t\t1\n");
  dnt_cell_traffic t;
  CHECK_OK(dnt_cell_traffic_read(p, 3600, &t)); /* recognised by the tab */
  CHECK(t.n_series == 2 && t.n_steps == 2 && t.dt == 600);
  CHECK(at(&t, 0, 0) == 11 && at(&t, 1, 0) == 2.5 && at(&t, 0, 1) == 0 && at(&t, 1, 1) == 0);
  dnt_cell_traffic_free(&t);
  CHECK_OK(dnt_cell_traffic_read_milan_raw(p, DNT_MILAN_SMS_IN, &t));
  CHECK(at(&t, 0, 0) == 0.6 && at(&t, 1, 1) == 1);
  dnt_cell_traffic_free(&t);
  CHECK_OK(dnt_cell_traffic_read_milan_raw(p, DNT_MILAN_ALL, &t));
  CHECK_NEAR(at(&t, 0, 0), 0.5 + 0.1 + 0.2 + 0.3 + 0.4 + 10 + 1, 1e-12);
  CHECK_NEAR(at(&t, 1, 1), 1.25, 1e-12);
  dnt_cell_traffic_free(&t);
  expect_error(dnt_cell_traffic_read_milan_raw(tmp_file("raw9.txt", "1\t0\t0\t1\n"
                                                                    "1\t0\t0\t1\t1\t1\t1\t1\t1\n"),
                                               DNT_MILAN_INTERNET, &t),
               "raw9.txt", ":2:");
  expect_error(dnt_cell_traffic_read_milan_raw(tmp_file("rawbad.txt", "1\t0\t0\t1\n"
                                                                      "1\t600000\t0\t1\n"
                                                                      "1\t0\t0\t\t\t\t\tx\n"),
                                               DNT_MILAN_INTERNET, &t),
               "rawbad.txt", ":3:");
  expect_error(dnt_cell_traffic_read_milan_raw(tmp_file("rawblank.txt", "1\t0\t0\t1\n\n"
                                                                        "1\t600000\t0\t1\n"),
                                               DNT_MILAN_INTERNET, &t),
               "rawblank.txt", ":2:");
}

static void test_assign(void) {
  dnt_cell_traffic src, out;
  CHECK_OK(dnt_cell_traffic_alloc(&src, 5, 3));
  for (size_t k = 0; k < 15; k++)
    src.v[k] = (double)k; /* v[t][j] = 3 t + j */
  CHECK_OK(dnt_cell_traffic_assign(&src, 7, 2, &out));
  CHECK(out.n_series == 7 && out.n_steps == 5);
  CHECK(at(&out, 0, 1) == 1 && at(&out, 4, 2) == 14); /* BSs 0..2: the series as is */
  CHECK(at(&out, 0, 3) == 6 && at(&out, 3, 3) == 0);  /* BS 3: series 0 from step 2, wrapped */
  CHECK(at(&out, 0, 6) == 12 && at(&out, 1, 6) == 0); /* BS 6: series 0 rotated by 4 */
  CHECK(!strcmp(out.name[3], "s0@2") && !strcmp(out.name[0], "s0"));
  dnt_cell_traffic_free(&out);
  dnt_cell_traffic_free(&src);
}

int main(void) {
  test_wide();
  test_milan_long();
  test_milan_raw();
  test_assign();
  return test_done("cellular.traffic");
}
