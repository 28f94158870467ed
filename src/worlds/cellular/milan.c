/* src/worlds/cellular/milan.c: the Telecom Italia Milan formats (Barlacchi et
 * al., "A multi-source dataset of urban life in the city of Milan and the
 * Province of Trentino", Scientific Data 2015).
 *
 * Both formats are long: one record per (grid square, 10-minute interval)
 * with activity values. We pivot them into a (time, square) matrix: sort the
 * records, take the distinct squares as series and the time grid from the
 * smallest gap between distinct times. A grid point without a record is
 * missing (NAN) and goes through the missing-value policy (traffic_gaps.c):
 * the released data set has whole slots lost to collection outages, which a
 * 0 would pass off as an idle city.
 * The raw TSV has no header and drops trailing empty fields, which the CSV
 * reader (a fixed field count per record) does not accept: we pad each line
 * to eight fields and put a header in front, then shift the reported line
 * numbers back so that errors name the file's own lines. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellular_internal.h"
#include "dnt/status.h"

enum { RAW_FIELDS = 8 };
#define MILAN_DEFAULT_DT_MS 600000LL /* 10 minutes, when a file has one time only */
#define MILAN_MAX_CELLS 100000000.0  /* steps x squares: guards against a bad timestamp */

typedef struct milan_rec {
  long long square, time; /* square id, ms since the epoch */
  double value;
  size_t line;
} milan_rec;

static int cmp_rec(const void *a, const void *b) {
  const milan_rec *x = a, *y = b;
  if (x->square != y->square) return x->square < y->square ? -1 : 1;
  if (x->time != y->time) return x->time < y->time ? -1 : 1;
  return (x->line > y->line) - (x->line < y->line);
}

static int cmp_ll(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

/* Time grid: t_min and dt (ms) from the distinct times of the records. */
static int time_grid(const char *origin, const milan_rec *rec, size_t n, long long *tmin,
                     long long *dt, size_t *n_steps) {
  long long *times = malloc(n * sizeof *times);
  if (!times) return dnt_error(DNT_ERR_NOMEM, "%s: out of memory for %zu times", origin, n);
  for (size_t i = 0; i < n; i++)
    times[i] = rec[i].time;
  qsort(times, n, sizeof *times, cmp_ll);
  long long step = 0;
  for (size_t i = 1; i < n; i++) {
    long long gap = times[i] - times[i - 1];
    if (gap > 0 && (step == 0 || gap < step)) step = gap;
  }
  *tmin = times[0];
  *dt = step ? step : MILAN_DEFAULT_DT_MS;
  *n_steps = (size_t)((times[n - 1] - times[0]) / *dt) + 1;
  free(times);
  return 0;
}

static int pivot(const char *origin, milan_rec *rec, size_t n, int sum_repeats,
                 const dnt_cell_missing *missing, dnt_cell_missing_report *report,
                 dnt_cell_traffic *out) {
  if (n == 0) return dnt_error(DNT_ERR_PARSE, "%s: no records", origin);
  qsort(rec, n, sizeof *rec, cmp_rec);
  size_t n_sq = 1, recs = 1, r_max = 1; /* squares; distinct times of a square, most of them */
  for (size_t i = 1; i < n; i++) {
    int new_sq = rec[i].square != rec[i - 1].square;
    n_sq += (size_t)new_sq;
    recs = new_sq ? 1 : recs + (size_t)(rec[i].time != rec[i - 1].time);
    if (recs > r_max) r_max = recs;
  }
  long long tmin = 0, dt = 1;
  size_t T = 0;
  int rc = time_grid(origin, rec, n, &tmin, &dt, &T);
  if (rc) return rc;
  /* A square with r records misses T - r steps in at most r + 1 runs: when
   * even the one with the most records misses more than (r + 1) max_gap, the
   * policy refuses every series. Say so before allocating the grid, which a
   * few stray timestamps make 10^8 cells (800 MB) large (found by fuzz_traffic). */
  dnt_cell_missing def;
  if (!missing) {
    dnt_cell_missing_default(&def);
    missing = &def;
  }
  if ((double)T - (double)r_max > ((double)r_max + 1) * (double)missing->max_gap)
    return dnt_error(DNT_ERR_PARSE,
                     "%s: a grid of %zu steps of %lld ms (time_interval %lld to %lld) and at "
                     "most %zu records per square: every square misses more than data.max_gap "
                     "= %zu steps in a row (check time_interval, or raise data.max_gap)",
                     origin, T, dt, tmin, tmin + (long long)(T - 1) * dt, r_max, missing->max_gap);
  if ((double)T * (double)n_sq > MILAN_MAX_CELLS)
    return dnt_error(DNT_ERR_PARSE, "%s: %zu squares x %zu steps of %lld ms: too large a grid",
                     origin, n_sq, T, dt);
  if ((rc = dnt_cell_traffic_alloc(out, T, n_sq))) return rc;
  out->dt = (double)dt / 1000.0;
  out->t0 = (double)tmin / 1000.0;
  for (size_t k = 0; k < T * n_sq; k++)
    out->v[k] = NAN; /* no record yet: missing */
  size_t j = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    const milan_rec *r = &rec[i];
    int same_square = i > 0 && r->square == rec[i - 1].square;
    if (i > 0 && !same_square) j++;
    if (!same_square) {
      char name[32];
      snprintf(name, sizeof name, "%lld", r->square);
      rc = cell_traffic_set_name(out, j, name);
    }
    if ((r->time - tmin) % dt != 0) {
      rc = dnt_error(DNT_ERR_PARSE,
                     "%s:%zu: time_interval %lld is off the %lld ms grid starting at %lld", origin,
                     r->line, r->time, dt, tmin);
    } else if (same_square && r->time == rec[i - 1].time) {
      if (!sum_repeats)
        rc = dnt_error(DNT_ERR_PARSE, "%s:%zu: square %lld at time %lld repeats line %zu", origin,
                       r->line, r->square, r->time, rec[i - 1].line);
      else /* one more country code; a missing part makes the sum missing */
        out->v[(size_t)((r->time - tmin) / dt) * n_sq + j] += r->value;
    } else {
      out->v[(size_t)((r->time - tmin) / dt) * n_sq + j] = r->value;
    }
  }
  if (rc) {
    dnt_cell_traffic_free(out);
    return rc;
  }
  cell_rows rows = {origin, "square", NULL};
  return cell_traffic_fill(out, &rows, missing, report);
}

/* Reads one record's square and time (integers >= 0). */
static int read_key(const dnt_csv *t, size_t r, size_t c_sq, size_t c_time, milan_rec *rec) {
  int rc = dnt_csv_long(t, r, c_sq, &rec->square);
  if (!rc) rc = dnt_csv_long(t, r, c_time, &rec->time);
  if (!rc && (rec->square < 0 || rec->time < 0))
    rc = dnt_error(DNT_ERR_PARSE, "%s:%zu: square %lld, time %lld: expected integers >= 0",
                   t->origin, t->line[r], rec->square, rec->time);
  rec->line = t->line[r];
  return rc;
}

int cell_traffic_from_milan(const dnt_csv *t, const char *value_col,
                            const dnt_cell_missing *missing, dnt_cell_missing_report *report,
                            dnt_cell_traffic *out) {
  size_t c_sq, c_time, c_val;
  int rc = dnt_csv_column(t, "square_id", &c_sq);
  if (!rc) rc = dnt_csv_column(t, "time_interval", &c_time);
  if (!rc) rc = dnt_csv_column(t, value_col ? value_col : "internet_total", &c_val);
  if (rc) return rc;
  milan_rec *rec = malloc((t->n_rows ? t->n_rows : 1) * sizeof *rec);
  if (!rec) return dnt_error(DNT_ERR_NOMEM, "%s: out of memory", t->origin);
  for (size_t r = 0; r < t->n_rows && !rc; r++) {
    rc = read_key(t, r, c_sq, c_time, &rec[r]);
    if (!rc) rc = cell_traffic_value(t, r, c_val, NAN, &rec[r].value);
  }
  if (!rc) rc = pivot(t->origin, rec, t->n_rows, 0, missing, report, out);
  free(rec);
  return rc;
}

/* Header + each line padded with tabs to RAW_FIELDS fields. */
static int pad_raw(const char *path, const char *data, size_t len, char **buf, size_t *blen) {
  static const char header[] =
      "square_id\ttime_interval\tcountrycode\tsms_in\tsms_out\tcall_in\tcall_out\tinternet\n";
  size_t lines = 1;
  for (size_t i = 0; i < len; i++)
    lines += data[i] == '\n';
  char *b = malloc(sizeof header + len + lines * RAW_FIELDS);
  if (!b) return dnt_error(DNT_ERR_NOMEM, "%s: out of memory", path);
  char *p = b;
  memcpy(p, header, sizeof header - 1);
  p += sizeof header - 1;
  size_t line = 1;
  for (size_t i = 0; i < len; line++) {
    const char *eol = memchr(data + i, '\n', len - i);
    size_t end = eol ? (size_t)(eol - data) : len, n = end - i;
    if (n > 0 && data[i + n - 1] == '\r') n--;
    int fields = 1;
    for (size_t k = 0; k < n; k++)
      fields += data[i + k] == '\t';
    if (fields > RAW_FIELDS) {
      free(b);
      return dnt_error(DNT_ERR_PARSE,
                       "%s:%zu: %d tab-separated fields: expected at most %d (square, time, "
                       "country, sms-in, sms-out, call-in, call-out, internet)",
                       path, line, fields, RAW_FIELDS);
    }
    memcpy(p, data + i, n);
    p += n;
    for (int k = fields; k < RAW_FIELDS; k++)
      *p++ = '\t';
    *p++ = '\n';
    i = end + 1;
  }
  *buf = b;
  *blen = (size_t)(p - b);
  return 0;
}

int cell_traffic_from_milan_raw(const char *path, const char *data, size_t len,
                                dnt_milan_activity what, const dnt_cell_missing *missing,
                                dnt_cell_missing_report *report, dnt_cell_traffic *out) {
  memset(out, 0, sizeof *out);
  char *buf = NULL;
  size_t blen = 0;
  int rc = pad_raw(path, data, len, &buf, &blen);
  if (rc) return rc;
  dnt_csv *t = NULL;
  rc = dnt_csv_parse(buf, blen, '\t', path, &t);
  free(buf);
  if (rc) return rc;
  for (size_t r = 0; r < t->n_rows; r++)
    t->line[r] -= 1; /* the header we added */
  milan_rec *rec = malloc((t->n_rows ? t->n_rows : 1) * sizeof *rec);
  if (!rec) rc = dnt_error(DNT_ERR_NOMEM, "%s: out of memory", path);
  /* Columns 3..7 hold sms-in .. internet, in the order of dnt_milan_activity. */
  size_t first = what == DNT_MILAN_ALL ? 3 : 3 + (size_t)what;
  size_t last = what == DNT_MILAN_ALL ? 7 : first;
  for (size_t r = 0; r < t->n_rows && !rc; r++) {
    rc = read_key(t, r, 0, 1, &rec[r]);
    rec[r].value = 0;
    for (size_t c = first; c <= last && !rc; c++) {
      double v;
      rc = cell_traffic_value(t, r, c, 0.0, &v); /* empty: no activity */
      rec[r].value += v;
    }
  }
  if (!rc) rc = pivot(path, rec, t->n_rows, 1, missing, report, out);
  free(rec);
  dnt_csv_free(t);
  return rc;
}
