/* tests/cellular/test_traffic.c: traffic readers (wide CSV, Telecom Italia
 * Milan long CSV and raw TSV) on small hand-made files with known pivots and
 * rejection of malformed rows with the file's own line, the missing-value
 * policy (hand-computed interpolations for runs of 1, 2, 3 = max_gap steps,
 * held ends, a run of 4 rejected naming its rows or dropped, all-missing and
 * all-dropped files, the report and its summary.json keys), the writer round
 * trip and the mapping of series onto BSs. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/fileio.h"
#include "dnt/log.h"
#include "dnt/run.h"
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
  CHECK_OK(dnt_cell_traffic_read_wide(p, 900, NULL, NULL, &t));
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
  CHECK_OK(dnt_cell_traffic_read(out, 900, NULL, NULL, &r));
  CHECK(r.n_steps == 3 && r.n_series == 2 && !strcmp(r.name[1], "b"));
  CHECK(memcmp(r.v, t.v, 6 * sizeof(double)) == 0);
  dnt_cell_traffic_free(&r);
  dnt_cell_traffic_free(&t);

  expect_error(
      dnt_cell_traffic_read_wide(tmp_file("neg.csv", "date,a\n0,1\n1,-2\n"), 3600, NULL, NULL, &t),
      "neg.csv", ":3:");
  expect_error(
      dnt_cell_traffic_read_wide(tmp_file("nan.csv", "date,a,b\n0,1,x\n"), 3600, NULL, NULL, &t),
      "nan.csv", ":2:");
  expect_error(dnt_cell_traffic_read_wide(tmp_file("ragged.csv", "date,a,b\n0,1,2\n1,2\n"), 3600,
                                          NULL, NULL, &t),
               "ragged.csv", ":3");
  /* one column: one series without time labels */
  CHECK_OK(
      dnt_cell_traffic_read_wide(tmp_file("onecol.csv", "V-0\n3\n\n5\n"), 3600, NULL, NULL, &t));
  CHECK(t.n_series == 1 && t.n_steps == 2 && !strcmp(t.name[0], "V-0") && at(&t, 1, 0) == 5);
  dnt_cell_traffic_free(&t);
  expect_error(dnt_cell_traffic_read_wide(tmp_file("header.csv", "date,a\n"), 3600, NULL, NULL, &t),
               "header.csv", "no rows after the header");
  CHECK(dnt_cell_traffic_read_wide(p, 0, NULL, NULL, &t) == DNT_ERR_ARG);
}

static void test_milan_long(void) {
  /* two squares on a 600 s grid, out of order. Square 3 has no record at
   * steps 1, 2 (missing: interpolated 1 -> 4); square 7 is empty at step 0 and
   * has no record at steps 2, 3 (missing at both ends: 2.5 held). */
  const char *p = tmp_file("milan.csv", "square_id,time_interval,internet_total\n"
                                        "7,1383261000000,2.5\n"
                                        "3,1383260400000,1\n"
                                        "3,1383262200000,4\n"
                                        "7,1383260400000,\n");
  dnt_cell_traffic t;
  CHECK_OK(dnt_cell_traffic_read(p, 3600, NULL, NULL, &t)); /* recognised by its columns */
  CHECK(t.n_series == 2 && t.n_steps == 4 && t.dt == 600);
  CHECK(t.t0 == 1383260400.0);
  CHECK(!strcmp(t.name[0], "3") && !strcmp(t.name[1], "7"));
  double want[8] = {1, 2.5, 2, 2.5, 3, 2.5, 4, 2.5};
  for (int k = 0; k < 8; k++)
    CHECK_NEAR(t.v[k], want[k], 1e-12);
  dnt_cell_traffic_free(&t);
  expect_error(
      dnt_cell_traffic_read_milan(tmp_file("mdup.csv", "square_id,time_interval,internet_total\n"
                                                       "3,600000,1\n3,1200000,1\n3,600000,2\n"),
                                  NULL, NULL, NULL, &t),
      "mdup.csv", ":4: square 3 at time 600000 repeats line 2");
  expect_error(
      dnt_cell_traffic_read_milan(tmp_file("mgrid.csv", "square_id,time_interval,internet_total\n"
                                                        "3,0,1\n3,600000,1\n4,1500000,2\n"),
                                  NULL, NULL, NULL, &t),
      "mgrid.csv", ":4:");
  expect_error(
      dnt_cell_traffic_read_milan(tmp_file("mneg.csv", "square_id,time_interval,internet_total\n"
                                                       "-3,0,1\n"),
                                  NULL, NULL, NULL, &t),
      "mneg.csv", ":2:");
  CHECK(dnt_cell_traffic_read_milan(tmp_file("mcol.csv", "square_id,time_interval,sms\n1,0,1\n"),
                                    NULL, NULL, NULL, &t) < 0);
}

static void test_milan_raw(void) {
  /* square 1 at t0: three country codes (summed); trailing fields left out
   * (0); square 2 has no record at t0 (missing: its step-1 value held) */
  const char *p = tmp_file("raw.txt", "1\t0\t0\t0.5\n"
                                      "1\t0\t39\t0.1\t0.2\t0.3\t0.4\t10\n"
                                      "1\t600000\t39\t\t\t\t\t2.5\n"
                                      "2\t600000\t0\t1\t\t\t0.25\r\n"
                                      "1\t0\t33\t\t\t\t\t1\n");
  dnt_cell_traffic t;
  CHECK_OK(dnt_cell_traffic_read(p, 3600, NULL, NULL, &t)); /* recognised by the tab */
  CHECK(t.n_series == 2 && t.n_steps == 2 && t.dt == 600);
  CHECK(at(&t, 0, 0) == 11 && at(&t, 1, 0) == 2.5 && at(&t, 0, 1) == 0 && at(&t, 1, 1) == 0);
  dnt_cell_traffic_free(&t);
  CHECK_OK(dnt_cell_traffic_read_milan_raw(p, DNT_MILAN_SMS_IN, NULL, NULL, &t));
  CHECK(at(&t, 0, 0) == 0.6 && at(&t, 1, 1) == 1 && at(&t, 0, 1) == 1);
  dnt_cell_traffic_free(&t);
  CHECK_OK(dnt_cell_traffic_read_milan_raw(p, DNT_MILAN_ALL, NULL, NULL, &t));
  CHECK_NEAR(at(&t, 0, 0), 0.5 + 0.1 + 0.2 + 0.3 + 0.4 + 10 + 1, 1e-12);
  CHECK_NEAR(at(&t, 1, 1), 1.25, 1e-12);
  CHECK_NEAR(at(&t, 0, 1), 1.25, 1e-12);
  dnt_cell_traffic_free(&t);
  expect_error(dnt_cell_traffic_read_milan_raw(tmp_file("raw9.txt", "1\t0\t0\t1\n"
                                                                    "1\t0\t0\t1\t1\t1\t1\t1\t1\n"),
                                               DNT_MILAN_INTERNET, NULL, NULL, &t),
               "raw9.txt", ":2:");
  expect_error(dnt_cell_traffic_read_milan_raw(tmp_file("rawbad.txt", "1\t0\t0\t1\n"
                                                                      "1\t600000\t0\t1\n"
                                                                      "1\t0\t0\t\t\t\t\tx\n"),
                                               DNT_MILAN_INTERNET, NULL, NULL, &t),
               "rawbad.txt", ":3:");
  expect_error(dnt_cell_traffic_read_milan_raw(tmp_file("rawblank.txt", "1\t0\t0\t1\n\n"
                                                                        "1\t600000\t0\t1\n"),
                                               DNT_MILAN_INTERNET, NULL, NULL, &t),
               "rawblank.txt", ":2:");
}

/* Runs of 1, 2, 3 (= max_gap) and 4 missing steps, one per column, and a
 * column with runs at both ends; every missing marker. Lines are rows + 2. */
static const char gaps_csv[] = "date,a,b,c,d,e\n"
                               "0,2,0,10,1,\n"
                               "1,,NaN,NA,NA,nan\n"
                               "2,6,,N/A,,5\n"
                               "3,7,3,null,,6\n"
                               "4,8,4,2,#N/A,7\n"
                               "5,9,5,3,1,8\n"
                               "6,10,6,4,1,9\n"
                               "7,11,7,5,1, NA \n";

/* The kept columns a, b, c, e of gaps_csv after filling, by hand:
 * a (2 .. 6): 4; b (0 .. 3): 1, 2; c (10 .. 2): 10 - 8 k / 4 = 8, 6, 4;
 * e: 5 held at rows 0, 1 and 9 held at row 7. */
static void check_gaps_filled(const dnt_cell_traffic *t, size_t a, size_t b, size_t c, size_t e) {
  CHECK_NEAR(at(t, 1, a), 4, 1e-12);
  CHECK(at(t, 0, a) == 2 && at(t, 2, a) == 6 && at(t, 7, a) == 11);
  CHECK_NEAR(at(t, 1, b), 1, 1e-12);
  CHECK_NEAR(at(t, 2, b), 2, 1e-12);
  CHECK_NEAR(at(t, 1, c), 8, 1e-12);
  CHECK_NEAR(at(t, 2, c), 6, 1e-12);
  CHECK_NEAR(at(t, 3, c), 4, 1e-12);
  CHECK(at(t, 0, e) == 5 && at(t, 1, e) == 5 && at(t, 7, e) == 9 && at(t, 6, e) == 9);
}

static void test_missing_wide(void) {
  const char *p = tmp_file("gaps.csv", gaps_csv);
  dnt_cell_traffic t;
  dnt_cell_missing_report rep;
  /* default policy: d's run of 4 (lines 3-6) is an error; nothing is returned */
  int rc = dnt_cell_traffic_read_wide(p, 3600, NULL, &rep, &t);
  expect_error(rc, "gaps.csv", "column 'd': 4 missing value(s) in a row at lines 3-6");
  CHECK(strstr(dnt_last_error(), "data.max_gap = 3") != NULL);
  CHECK(t.v == NULL && t.n_series == 0 && rep.n_series == 0 && rep.name == NULL);

  /* drop: d is left out, the others are filled */
  dnt_cell_missing drop = {3, 1, NULL, 0};
  CHECK_OK(dnt_cell_traffic_read_wide(p, 3600, &drop, &rep, &t));
  CHECK(t.n_series == 4 && t.n_steps == 8);
  CHECK(!strcmp(t.name[0], "a") && !strcmp(t.name[2], "c") && !strcmp(t.name[3], "e"));
  check_gaps_filled(&t, 0, 1, 2, 3);
  CHECK(rep.n_series == 5 && !strcmp(rep.name[3], "d"));
  size_t miss[5] = {1, 2, 3, 4, 3}, longest[5] = {1, 2, 3, 4, 2};
  for (int j = 0; j < 5; j++)
    CHECK(rep.missing[j] == miss[j] && rep.longest[j] == longest[j] && rep.dropped[j] == (j == 3));
  CHECK(rep.filled == 9 && rep.n_dropped == 1);

  /* the report in summary.json */
  char dir[512], sum[600];
  snprintf(dir, sizeof dir, "%s/cellular_traffic_run", DNT_BINARY_DIR);
  dnt_run *run = NULL;
  CHECK_OK(dnt_run_open(dir, "test", NULL, 1, &run));
  CHECK_OK(dnt_cell_missing_summary(&rep, run));
  CHECK_OK(dnt_run_close(run));
  snprintf(sum, sizeof sum, "%s/summary.json", dir);
  json_t *js = json_load_file(sum, 0, NULL);
  json_t *m = json_object_get(js, "metrics");
  CHECK(json_number_value(json_object_get(m, "data_filled")) == 9);
  CHECK(json_number_value(json_object_get(m, "data_dropped")) == 1);
  json_t *ds = json_object_get(m, "data_dropped_series");
  CHECK(json_array_size(ds) == 1 && !strcmp(json_string_value(json_array_get(ds, 0)), "d"));
  json_t *fs = json_object_get(m, "data_filled_series");
  CHECK(json_object_size(fs) == 4 && json_integer_value(json_object_get(fs, "c")) == 3);
  json_decref(js);
  dnt_cell_missing_report_free(&rep);
  dnt_cell_traffic_free(&t);

  /* max_gap 4 fills d too (1 .. 1); max_gap 2 rejects c's run of 3 (lines 3-5) */
  dnt_cell_missing four = {4, 0, NULL, 0}, two = {2, 0, NULL, 0}, none = {0, 0, NULL, 0};
  CHECK_OK(dnt_cell_traffic_read(p, 3600, &four, NULL, &t));
  CHECK(t.n_series == 5 && at(&t, 2, 3) == 1);
  check_gaps_filled(&t, 0, 1, 2, 4);
  dnt_cell_traffic_free(&t);
  expect_error(dnt_cell_traffic_read_wide(p, 3600, &two, NULL, &t), "gaps.csv",
               "column 'c': 3 missing value(s) in a row at lines 3-5");
  expect_error(dnt_cell_traffic_read_wide(p, 3600, &none, NULL, &t), "gaps.csv",
               "column 'a': 1 missing value(s) in a row at line 3");

  /* one series only: the others' gaps do not matter */
  dnt_cell_missing only = {3, 0, "a", 0};
  CHECK_OK(dnt_cell_traffic_read_wide(p, 3600, &only, &rep, &t));
  CHECK(t.n_series == 1 && !strcmp(t.name[0], "a") && t.n_steps == 8);
  CHECK_NEAR(at(&t, 1, 0), 4, 1e-12);
  CHECK(rep.n_series == 1 && rep.filled == 1 && !strcmp(rep.name[0], "a"));
  dnt_cell_missing_report_free(&rep);
  dnt_cell_traffic_free(&t);
  only.series = "d";
  expect_error(dnt_cell_traffic_read_wide(p, 3600, &only, NULL, &t), "gaps.csv",
               "column 'd': 4 missing value(s) in a row at lines 3-6");
  only.drop = 1;
  expect_error(dnt_cell_traffic_read_wide(p, 3600, &only, NULL, &t), "gaps.csv",
               "every series (1) was left out for missing values, nothing left to read (the "
               "first: ");
  CHECK(strstr(dnt_last_error(), "column 'd': 4 missing value(s) in a row at lines 3-6") != NULL);
  only.series = "zz";
  expect_error(dnt_cell_traffic_read_wide(p, 3600, &only, NULL, &t), "gaps.csv",
               "no column 'zz'; the file's 5 run from 'a' to 'e'");

  /* a word is an error with line and column, not a missing value */
  expect_error(
      dnt_cell_traffic_read_wide(tmp_file("word.csv", "date,a,b\n0,1,2\n1,3,NaN\n2,4,missing\n"),
                                 3600, NULL, NULL, &t),
      "word.csv", ":4: column 3 'b' = 'missing'");
  expect_error(
      dnt_cell_traffic_read_wide(tmp_file("inf.csv", "date,a\n0,1\n1,inf\n"), 3600, NULL, NULL, &t),
      "inf.csv", ":3: column 2 'a'");

  /* BOM and CRLF: the empty cell at line 3 is missing, interpolated */
  CHECK_OK(dnt_cell_traffic_read_wide(tmp_file("bomcrlf.csv", "\xEF\xBB\xBF"
                                                              "date,a\r\n0,1\r\n1,\r\n2,3\r\n"),
                                      3600, NULL, &rep, &t));
  CHECK(t.n_series == 1 && t.n_steps == 3 && !strcmp(t.name[0], "a"));
  CHECK_NEAR(at(&t, 1, 0), 2, 1e-12);
  CHECK(rep.filled == 1);
  dnt_cell_missing_report_free(&rep);
  dnt_cell_traffic_free(&t);

  /* an all-missing series: an error (even within max_gap steps), or dropped */
  const char *allna = tmp_file("allna.csv", "date,a,b\n0,1,\n1,2,NA\n");
  expect_error(dnt_cell_traffic_read_wide(allna, 3600, NULL, NULL, &t), "allna.csv",
               "column 'b': no values (all 2 steps missing)");
  CHECK_OK(dnt_cell_traffic_read_wide(allna, 3600, &drop, NULL, &t));
  CHECK(t.n_series == 1 && !strcmp(t.name[0], "a") && at(&t, 1, 0) == 2);
  dnt_cell_traffic_free(&t);

  /* every series dropped: nothing left */
  expect_error(dnt_cell_traffic_read_wide(tmp_file("alldrop.csv", "date,a,b\n0,,\n1,NA,nan\n"),
                                          3600, &drop, &rep, &t),
               "alldrop.csv", "every series (2) was left out");
  CHECK(strstr(dnt_last_error(), "(the first: ") &&
        strstr(dnt_last_error(), "column 'a': no values"));
  CHECK(t.v == NULL && rep.name == NULL);
}

static void test_missing_policy(void) {
  dnt_cell_missing m;
  dnt_cell_missing_default(&m);
  CHECK(m.max_gap == 3 && m.drop == 0);
  CHECK_OK(dnt_cell_missing_set(5, "drop", &m));
  CHECK(m.max_gap == 5 && m.drop == 1);
  CHECK_OK(dnt_cell_missing_set(0, "interpolate", &m));
  CHECK(m.max_gap == 0 && m.drop == 0);
  CHECK(dnt_cell_missing_set(3, "zero", &m) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "data.missing = 'zero'") != NULL);
  CHECK(dnt_cell_missing_set(-1, "drop", &m) == DNT_ERR_ARG);
}

static void test_missing_long(void) {
  /* square 3: steps 1-4 without a record (a run of 4); square 5: NaN at
   * step 2, interpolated 2 -> 6 */
  const char *p = tmp_file("mgap.csv", "square_id,time_interval,internet_total\n"
                                       "3,0,1\n3,3000000,2\n"
                                       "5,0,1\n5,600000,2\n5,1200000,NaN\n5,1800000,6\n"
                                       "5,2400000,1\n5,3000000,1\n");
  dnt_cell_traffic t;
  dnt_cell_missing_report rep;
  expect_error(dnt_cell_traffic_read_milan(p, NULL, NULL, NULL, &t), "mgap.csv",
               "square '3': 4 missing value(s) in a row at steps 1-4 (time_interval "
               "600000-2400000)");
  dnt_cell_missing drop = {3, 1, NULL, 0};
  CHECK_OK(dnt_cell_traffic_read(p, 3600, &drop, &rep, &t));
  CHECK(t.n_series == 1 && t.n_steps == 6 && !strcmp(t.name[0], "5"));
  CHECK_NEAR(at(&t, 2, 0), 4, 1e-12);
  CHECK(rep.n_dropped == 1 && rep.dropped[0] && rep.filled == 1 && rep.missing[0] == 4);
  dnt_cell_missing_report_free(&rep);
  dnt_cell_traffic_free(&t);
  dnt_cell_missing sq5 = {3, 0, "5", 0};
  CHECK_OK(dnt_cell_traffic_read_milan(p, NULL, &sq5, NULL, &t));
  CHECK(t.n_series == 1 && !strcmp(t.name[0], "5") && at(&t, 5, 0) == 1);
  dnt_cell_traffic_free(&t);

  /* raw TSV: NaN in one country code's row makes the (square, time) sum
   * missing; step 2 has no row: steps 1, 2 interpolated 2 -> 8 */
  p = tmp_file("rawgap.txt", "1\t0\t0\t\t\t\t\t2\n"
                             "1\t600000\t39\t\t\t\t\tNaN\n"
                             "1\t600000\t0\t\t\t\t\t5\n"
                             "1\t1800000\t0\t\t\t\t\t8\n");
  CHECK_OK(dnt_cell_traffic_read(p, 3600, NULL, &rep, &t));
  CHECK(t.n_series == 1 && t.n_steps == 4);
  CHECK_NEAR(at(&t, 1, 0), 4, 1e-12);
  CHECK_NEAR(at(&t, 2, 0), 6, 1e-12);
  CHECK(at(&t, 0, 0) == 2 && at(&t, 3, 0) == 8);
  CHECK(rep.filled == 2 && rep.longest[0] == 2);
  dnt_cell_missing_report_free(&rep);
  dnt_cell_traffic_free(&t);
  dnt_cell_missing one = {1, 0, NULL, 0};
  expect_error(dnt_cell_traffic_read_milan_raw(p, DNT_MILAN_INTERNET, &one, NULL, &t), "rawgap.txt",
               "square '1': 2 missing value(s) in a row at steps 1-2");
  /* a word in the raw TSV: file, line and column */
  expect_error(
      dnt_cell_traffic_read_milan_raw(tmp_file("rawword.txt", "1\t0\t0\t\t\t\t\t2\n"
                                                              "1\t600000\t0\t\t\t\t\tn.a.\n"),
                                      DNT_MILAN_INTERNET, NULL, NULL, &t),
      "rawword.txt", ":2: column 8 'internet' = 'n.a.'");

  /* A grid no square can fill is refused before it is allocated: three
   * records made a grid of 10^8 steps (800 MB, found by fuzz_traffic). At most
   * 2 records per square: 10 steps of a 12-step grid missing (more than
   * 3 x 3) is refused up front, 9 of 11 still reaches the policy. */
  const char *head = "square_id,time_interval,internet_total\n";
  char text[256];
  snprintf(text, sizeof text, "%s1,0,1\n1,1,1\n1,99999999,1\n", head);
  expect_error(dnt_cell_traffic_read_milan(tmp_file("sparse.csv", text), NULL, NULL, NULL, &t),
               "sparse.csv",
               "a grid of 100000000 steps of 1 ms (time_interval 0 to 99999999) and at most 3 "
               "records per square");
  snprintf(text, sizeof text, "%s1,0,1\n1,1,1\n2,0,1\n2,11,1\n", head);
  expect_error(dnt_cell_traffic_read_milan(tmp_file("sparse12.csv", text), NULL, NULL, NULL, &t),
               "sparse12.csv", "a grid of 12 steps");
  snprintf(text, sizeof text, "%s1,0,1\n1,1,1\n2,0,1\n2,10,1\n", head);
  expect_error(dnt_cell_traffic_read_milan(tmp_file("sparse11.csv", text), NULL, NULL, NULL, &t),
               "sparse11.csv", "square '1': 9 missing value(s) in a row");
}

/* The user story of issue 10: an hourly export of five cells over a year with
 * 2-3 missing hours per cell (a marker of each kind), read with the default
 * policy; the filled values against a plain reference interpolation. */
static double year_value(size_t t, size_t c) {
  return 100 + 40 * sin(6.283185307179586 * (double)t / 24 + (double)c) + 0.001 * (double)t;
}

static int year_missing(size_t t, size_t c) {
  size_t run = 1000 + 997 * c;
  if (t == run || t == run + 1 || t == 5000 + 13 * c) return 1;
  return c == 4 && t >= 8758; /* cell 4 ends with two missing hours */
}

static void test_missing_year(void) {
  enum { T = 8760, C = 5 };
  static const char *const marker[C] = {"", "NaN", "NA", "nan", "N/A"};
  size_t cap = (size_t)T * 128 + 64, used = 0;
  char *text = malloc(cap);
  CHECK(text != NULL);
  if (!text) return;
  used += (size_t)snprintf(text, cap, "time,cell0,cell1,cell2,cell3,cell4\n");
  for (size_t t = 0; t < T; t++) {
    used += (size_t)snprintf(text + used, cap - used, "2025-%04zu", t);
    for (size_t c = 0; c < C; c++)
      used += year_missing(t, c)
                  ? (size_t)snprintf(text + used, cap - used, ",%s", marker[c])
                  : (size_t)snprintf(text + used, cap - used, ",%.17g", year_value(t, c));
    used += (size_t)snprintf(text + used, cap - used, "\n");
  }
  const char *p = tmp_file("year.csv", text);
  free(text);
  dnt_cell_traffic t;
  dnt_cell_missing_report rep;
  CHECK_OK(dnt_cell_traffic_read(p, 3600, NULL, &rep, &t));
  /* cells 0-3: 3 missing (a run of 2, one alone); cell 4 also its last 2 hours */
  CHECK(t.n_steps == T && t.n_series == C && rep.filled == 17 && rep.n_dropped == 0);
  double worst = 0;
  for (size_t c = 0; c < C; c++) {
    CHECK(rep.missing[c] == (c == 4 ? 5u : 3u) && rep.longest[c] == 2);
    for (size_t r = 0; r < T; r++) {
      double want = year_value(r, c);
      if (year_missing(r, c)) { /* plain reference: the nearest known neighbours */
        size_t a = r, b = r;
        while (a > 0 && year_missing(a, c))
          a--;
        while (b < T - 1 && year_missing(b, c))
          b++;
        want = year_missing(b, c) ? year_value(a, c)
                                  : year_value(a, c) + (year_value(b, c) - year_value(a, c)) *
                                                           (double)(r - a) / (double)(b - a);
      }
      worst = fmax(worst, fabs(at(&t, r, c) - want));
    }
  }
  CHECK_MSG(worst < 1e-9, "largest difference from the reference %g", worst);
  dnt_cell_missing_report_free(&rep);
  dnt_cell_traffic_free(&t);
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
  test_missing_policy();
  test_missing_wide();
  test_missing_long();
  test_missing_year();
  test_assign();
  return test_done("cellular.traffic");
}
