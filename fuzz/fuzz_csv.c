/* fuzz_csv: the CSV reader on arbitrary bytes.
 *
 * Beyond "no crash, no leak, no undefined behaviour", every table that parses
 * must survive a write-and-read round trip through dnt_csv_write_field with
 * the same cells. A leading tab byte selects tab-separated input (and is
 * dropped); anything else is read as comma-separated. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/csv.h"
#include "dnt/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes one record; fields are those of `cells` (n of them). */
static void write_record(FILE *f, char *const *cells, size_t n, char delim) {
  for (size_t j = 0; j < n; j++) {
    if (j) fputc(delim, f);
    dnt_csv_write_field(f, cells[j], delim);
  }
  fputc('\n', f);
}

/* The same cells, compared as C strings (an embedded NUL ends a cell). */
static int same_table(const dnt_csv *a, const dnt_csv *b) {
  if (a->n_cols != b->n_cols || a->n_rows != b->n_rows) return 0;
  for (size_t j = 0; j < a->n_cols; j++)
    if (strcmp(a->header[j], b->header[j]) != 0) return 0;
  for (size_t i = 0; i < a->n_rows * a->n_cols; i++)
    if (strcmp(a->cells[i], b->cells[i]) != 0) return 0;
  return 1;
}

/* A lone empty cell is written as an empty line, which readers skip, and a
 * header cell that starts with a BOM loses it when read back: no round trip. */
static int round_trips(const dnt_csv *t) {
  if (t->n_cols == 1) {
    if (t->header[0][0] == '\0') return 0;
    for (size_t i = 0; i < t->n_rows; i++)
      if (t->cells[i][0] == '\0') return 0;
  }
  return strncmp(t->header[0], "\xEF\xBB\xBF", 3) != 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char delim = size > 0 && data[0] == '\t' ? '\t' : ',';
  size_t skip = delim == '\t';
  dnt_csv *t = NULL;
  if (dnt_csv_parse((const char *)data + skip, size - skip, delim, "fuzz.csv", &t) != DNT_OK)
    return 0;

  for (size_t i = 0; i < t->n_rows; i++) {
    for (size_t j = 0; j < t->n_cols; j++) {
      double d;
      long long l;
      dnt_csv_double_or(t, i, j, 0.0, &d);
      dnt_csv_long(t, i, j, &l);
    }
  }
  size_t col;
  dnt_csv_column(t, t->header[t->n_cols - 1], &col);
  dnt_csv_column(t, "no such column", &col);

  if (round_trips(t)) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f) {
      write_record(f, t->header, t->n_cols, delim);
      for (size_t i = 0; i < t->n_rows; i++)
        write_record(f, t->cells + i * t->n_cols, t->n_cols, delim);
      fclose(f);
      dnt_csv *back = NULL;
      if (dnt_csv_parse(buf, len, delim, "again.csv", &back) != DNT_OK || !same_table(t, back)) {
        fprintf(stderr, "round trip failed: %s\n", dnt_last_error());
        abort();
      }
      dnt_csv_free(back);
      free(buf);
    }
  }
  dnt_csv_free(t);
  return 0;
}
