/* fuzz_traffic: the traffic readers on arbitrary bytes: the format sniffing
 * of dnt_cell_traffic_read, the wide CSV, Milan long CSV (with its time grid)
 * and Milan raw TSV readers, and the missing-value policy behind them.
 *
 * Byte 0 picks the reader (b % 5: 0 sniffing with dt 3600 s, 1 wide with dt
 * 600 s, 2 Milan long, 3 Milan long with the value column sms_in, 4 Milan raw
 * with activity (b / 5) % 6); byte 1 the policy (max_gap = b % 5, drop =
 * b & 8, only the series named "1" with b & 32; with b & 16 the defaults, as
 * a NULL policy and no report); the rest is the file. On failure the matrix and the report are
 * zeroed and the error says why. On success the matrix has at least one step and one series, every
 * name set, dt > 0 and no missing value (every cell finite and >= 0); the
 * report adds up (the series kept are the file's minus the dropped ones, and
 * `filled` is the missing values of the kept ones; one series asked for is
 * the one read); and a matrix of up to
 * 2^16 cells written with dnt_cell_traffic_write reads back as the same wide
 * table, bit for bit. */
#include <math.h>
#include <string.h>

#include "dnt/cellular.h"
#include "dnt/log.h"
#include "dnt/status.h"
#include "harness.h"

enum { CHECK_CELLS = 1 << 20, ROUND_TRIP_CELLS = 1 << 16 };

static void check_matrix(const dnt_cell_traffic *t) {
  FUZZ_ASSERT(t->n_steps >= 1 && t->n_series >= 1);
  FUZZ_ASSERT(t->dt > 0 && isfinite(t->dt));
  for (size_t j = 0; j < t->n_series; j++)
    FUZZ_ASSERT(t->name[j] != NULL);
  size_t cells = t->n_steps * t->n_series;
  for (size_t i = 0; i < cells && i < CHECK_CELLS; i++)
    FUZZ_ASSERT(isfinite(t->v[i]) && t->v[i] >= 0);
}

static void check_report(const dnt_cell_traffic *t, const dnt_cell_missing_report *r,
                         const char *only) {
  size_t filled = 0, dropped = 0;
  for (size_t j = 0; j < r->n_series; j++) {
    dropped += r->dropped[j] != 0;
    if (!r->dropped[j]) filled += r->missing[j];
  }
  FUZZ_ASSERT(dropped == r->n_dropped && r->n_series - r->n_dropped == t->n_series);
  FUZZ_ASSERT(filled == r->filled);
  if (only) FUZZ_ASSERT(t->n_series == 1 && strcmp(t->name[0], only) == 0);
}

static void round_trip(const dnt_cell_traffic *t) {
  char path[FUZZ_PATH_MAX];
  fuzz_temp_file(NULL, 0, path);
  FUZZ_ASSERT(dnt_cell_traffic_write(path, t) == DNT_OK);
  dnt_cell_traffic back;
  FUZZ_ASSERT(dnt_cell_traffic_read_wide(path, t->dt, NULL, NULL, &back) == DNT_OK);
  FUZZ_ASSERT(back.n_steps == t->n_steps && back.n_series == t->n_series && back.dt == t->dt);
  for (size_t j = 0; j < t->n_series; j++)
    FUZZ_ASSERT(strcmp(back.name[j], t->name[j]) == 0);
  FUZZ_ASSERT(memcmp(back.v, t->v, t->n_steps * t->n_series * sizeof *t->v) == 0);
  dnt_cell_traffic_free(&back);
  fuzz_temp_remove(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  dnt_log_set_level(DNT_LOG_OFF); /* the default policy warns about every series it fills */
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  int mode = data[0] % 5;
  dnt_milan_activity what = (dnt_milan_activity)(data[0] / 5 % 6);
  dnt_cell_missing policy = {(size_t)(data[1] % 5), (data[1] & 8) != 0, data[1] & 32 ? "1" : NULL,
                             1};
  int defaults = (data[1] & 16) != 0;
  const dnt_cell_missing *m = defaults ? NULL : &policy;
  dnt_cell_missing_report report;
  memset(&report, 0xA5, sizeof report); /* the reader must set it, also on failure */
  dnt_cell_missing_report *r = defaults ? NULL : &report;
  char path[FUZZ_PATH_MAX];
  fuzz_temp_file(data + 2, size - 2, path);
  dnt_cell_traffic t;
  int rc = mode == 0   ? dnt_cell_traffic_read(path, 3600, m, r, &t)
           : mode == 1 ? dnt_cell_traffic_read_wide(path, 600, m, r, &t)
           : mode == 2 ? dnt_cell_traffic_read_milan(path, NULL, m, r, &t)
           : mode == 3 ? dnt_cell_traffic_read_milan(path, "sms_in", m, r, &t)
                       : dnt_cell_traffic_read_milan_raw(path, what, m, r, &t);
  fuzz_temp_remove(path);
  if (rc == DNT_OK) {
    check_matrix(&t);
    if (r) check_report(&t, r, policy.series);
    if (t.n_steps * t.n_series <= ROUND_TRIP_CELLS) round_trip(&t);
    dnt_cell_traffic_free(&t);
  } else {
    FUZZ_ASSERT(rc < 0 && dnt_last_error()[0] != '\0');
    FUZZ_ASSERT(t.v == NULL && t.name == NULL && t.n_steps == 0);
    if (r) FUZZ_ASSERT(report.n_series == 0 && report.name == NULL && report.dropped == NULL);
  }
  if (r) dnt_cell_missing_report_free(r);
  return 0;
}
