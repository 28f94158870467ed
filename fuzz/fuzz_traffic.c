/* fuzz_traffic: the traffic readers (wide CSV, Milan long CSV, Milan raw TSV)
 * and the missing-value policy on arbitrary bytes.
 *
 * The first byte picks the policy (max_gap = b % 5, drop = b & 8, only the
 * series named "1" with b & 32) and, with b & 16, the raw TSV reader; the
 * rest is the file. Beyond "no crash, no leak,
 * no undefined behaviour", every read that succeeds must hold no missing
 * value (every cell finite and >= 0) and a report that adds up: the series
 * kept are the file's minus the dropped ones, and `filled` is the missing
 * values of the kept ones. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/csv.h"
#include "dnt/log.h"
#include "worlds/cellular/cellular_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const dnt_cell_traffic *t, const dnt_cell_missing_report *r, const char *only) {
  size_t filled = 0;
  for (size_t j = 0; j < r->n_series; j++)
    if (!r->dropped[j]) filled += r->missing[j];
  if (r->n_series - r->n_dropped != t->n_series || filled != r->filled || t->n_series == 0 ||
      (only && strcmp(t->name[0], only))) {
    fprintf(stderr, "report does not add up: %zu series, %zu dropped, %zu kept\n", r->n_series,
            r->n_dropped, t->n_series);
    abort();
  }
  for (size_t k = 0; k < t->n_steps * t->n_series; k++)
    if (!isfinite(t->v[k]) || t->v[k] < 0) {
      fprintf(stderr, "value %zu is %g after the policy\n", k, t->v[k]);
      abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  dnt_log_set_level(DNT_LOG_OFF);
  dnt_cell_missing m = {(size_t)(data[0] % 5), (data[0] & 8) != 0, data[0] & 32 ? "1" : NULL, 1};
  int raw = (data[0] & 16) != 0;
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  dnt_cell_traffic t = {0};
  dnt_cell_missing_report r = {0};
  int rc;
  if (raw) {
    rc = cell_traffic_from_milan_raw("fuzz.tsv", text, len, DNT_MILAN_ALL, &m, &r, &t);
  } else {
    dnt_csv *csv = NULL;
    if (dnt_csv_parse(text, len, ',', "fuzz.csv", &csv)) return 0;
    size_t col;
    if (!dnt_csv_column(csv, "square_id", &col) && !dnt_csv_column(csv, "time_interval", &col))
      rc = cell_traffic_from_milan(csv, csv->header[csv->n_cols - 1], &m, &r, &t);
    else
      rc = cell_traffic_from_wide(csv, 600, &m, &r, &t);
    dnt_csv_free(csv);
  }
  if (rc == 0) check(&t, &r, m.series);
  dnt_cell_traffic_free(&t);
  dnt_cell_missing_report_free(&r);
  return 0;
}
