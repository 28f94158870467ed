/* dnt/csv.h: RFC 4180 CSV reading and writing.
 *
 * The reader takes the whole file into memory (the data sets here are a few MB)
 * and splits it into cells: quoted fields with embedded commas, quotes ("") and
 * line breaks, CRLF or LF line ends, empty fields, a UTF-8 BOM, and a final line
 * without a line break are all accepted. Empty lines are skipped (so a record
 * of one empty field must be written as ""). The first record is the header;
 * columns are looked up by name. Every record must have as many fields as the
 * header.
 * Errors name the file, the line and the column (1-based) and what was wrong.
 * A custom single-byte delimiter (e.g. '\t') can be chosen.
 *
 * Ownership: dnt_csv_read/parse return a table that the caller frees with
 * dnt_csv_free; cell strings are owned by the table. */
#ifndef DNT_CSV_H
#define DNT_CSV_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_csv {
  char *origin; /* file name (or label) used in error messages */
  size_t n_cols;
  size_t n_rows; /* data records, header excluded */
  char **header; /* (n_cols) column names */
  char **cells;  /* (n_rows, n_cols) row-major, NUL-terminated strings */
  size_t *line;  /* (n_rows) 1-based source line where each record starts */
  char *storage; /* backing buffer of every string */
} dnt_csv;

/* Reads and parses a file. `delim` is ',' for CSV. */
int dnt_csv_read(const char *path, char delim, dnt_csv **out);
/* Parses a buffer of `len` bytes (need not be NUL-terminated). */
int dnt_csv_parse(const char *data, size_t len, char delim, const char *origin, dnt_csv **out);
void dnt_csv_free(dnt_csv *t);

/* Index of the column named `name` (exact match, then case-insensitive), or
 * DNT_ERR_PARSE naming the file and the columns that exist. */
int dnt_csv_column(const dnt_csv *t, const char *name, size_t *col);

static inline const char *dnt_csv_cell(const dnt_csv *t, size_t row, size_t col) {
  return t->cells[row * t->n_cols + col];
}

/* Parses cell (row, col) as a finite double; an empty or non-numeric cell is
 * DNT_ERR_PARSE naming file, line, column name and the text found. */
int dnt_csv_double(const dnt_csv *t, size_t row, size_t col, double *out);
/* Same, but an empty cell gives `empty_value` instead of an error. */
int dnt_csv_double_or(const dnt_csv *t, size_t row, size_t col, double empty_value, double *out);
int dnt_csv_long(const dnt_csv *t, size_t row, size_t col, long long *out);

/* Writes one field to `f`, quoting it if it holds the delimiter, a quote, CR or LF. */
void dnt_csv_write_field(FILE *f, const char *text, char delim);
/* Writes a header line from n names. */
void dnt_csv_write_header(FILE *f, const char *const *names, size_t n);
/* Writes n doubles as one record with %.9g (round-trips float32, near-exact for
 * double values of that precision); a NaN is written as an empty field, which
 * gnuplot and dnt_csv_double_or read as missing. Records end with LF. */
void dnt_csv_write_row(FILE *f, const double *values, size_t n);

#ifdef __cplusplus
}
#endif
#endif
