/* csv.c: an RFC 4180 reader and writer.
 *
 * The reader is one pass of a small state machine over the whole buffer. Cell
 * text is copied, unquoted, into one storage block as large as the input plus
 * two bytes: every field's text is at most as long as its source and each
 * field consumes a delimiter or line end that pays for its NUL, except the
 * last field of a file without a final line break (the extra byte). Cells are
 * pointers into that block, so a table costs two allocations that grow
 * (pointers, record lines) and one that does not.
 *
 * Line numbers count physical lines (LF, CRLF or a lone CR), so a record
 * with a quoted line break spans several lines and errors point at the line
 * an editor shows. Columns are 1-based byte offsets within that line. */
#include "dnt/csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnt/fileio.h"
#include "dnt/status.h"

typedef struct parser {
  const char *in;
  size_t len, pos;
  char delim;
  const char *origin;
  size_t line, line_start; /* current physical line and the offset where it starts */
  char *out;               /* next free byte of storage */
  char **fields;           /* every field, header first */
  size_t n_fields, cap_fields;
  size_t *rec_line; /* start line of each data record */
  size_t n_records, cap_records;
  size_t n_cols; /* 0 until the header is read */
} parser;

static size_t column_of(const parser *p, size_t pos) {
  return pos - p->line_start + 1;
}

static void new_line(parser *p, size_t next_pos) {
  p->line++;
  p->line_start = next_pos;
}

static int push_field(parser *p, char *text) {
  if (p->n_fields == p->cap_fields) {
    size_t cap = p->cap_fields ? 2 * p->cap_fields : 64;
    char **grown = realloc(p->fields, cap * sizeof *grown);
    if (!grown) return dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate %zu cells", p->origin, cap);
    p->fields = grown;
    p->cap_fields = cap;
  }
  p->fields[p->n_fields++] = text;
  return DNT_OK;
}

static int push_record(parser *p, size_t line) {
  if (p->n_records == p->cap_records) {
    size_t cap = p->cap_records ? 2 * p->cap_records : 64;
    size_t *grown = realloc(p->rec_line, cap * sizeof *grown);
    if (!grown) return dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate %zu rows", p->origin, cap);
    p->rec_line = grown;
    p->cap_records = cap;
  }
  p->rec_line[p->n_records++] = line;
  return DNT_OK;
}

/* Copies a quoted field (p->pos at the opening quote) into p->out. */
static int read_quoted(parser *p) {
  size_t open_line = p->line, open_col = column_of(p, p->pos);
  p->pos++;
  for (;;) {
    if (p->pos >= p->len)
      return dnt_error(DNT_ERR_PARSE,
                       "%s:%zu:%zu: unterminated quoted field: this quote is never closed",
                       p->origin, open_line, open_col);
    char c = p->in[p->pos];
    if (c == '"') {
      if (p->pos + 1 < p->len && p->in[p->pos + 1] == '"') {
        *p->out++ = '"';
        p->pos += 2;
        continue;
      }
      p->pos++;
      break;
    }
    *p->out++ = c;
    p->pos++;
    if (c == '\n' || (c == '\r' && (p->pos >= p->len || p->in[p->pos] != '\n')))
      new_line(p, p->pos);
  }
  if (p->pos < p->len) {
    char c = p->in[p->pos];
    if (c != p->delim && c != '\n' && c != '\r')
      return dnt_error(DNT_ERR_PARSE,
                       "%s:%zu:%zu: unexpected '%c' after a closing quote: expected the "
                       "delimiter or a line end",
                       p->origin, p->line, column_of(p, p->pos), c);
  }
  return DNT_OK;
}

/* Copies an unquoted field into p->out, stopping at the delimiter or line end. */
static int read_plain(parser *p) {
  while (p->pos < p->len) {
    char c = p->in[p->pos];
    if (c == p->delim || c == '\n' || c == '\r') break;
    if (c == '"')
      return dnt_error(DNT_ERR_PARSE,
                       "%s:%zu:%zu: stray '\"' inside an unquoted field (quote the whole field "
                       "and double the quotes inside it)",
                       p->origin, p->line, column_of(p, p->pos));
    *p->out++ = c;
    p->pos++;
  }
  return DNT_OK;
}

/* Checks a finished record's field count; the first record sets n_cols. */
static int end_record(parser *p, size_t n, size_t start_line) {
  if (p->n_cols == 0) {
    p->n_cols = n;
    return DNT_OK;
  }
  if (n < p->n_cols)
    return dnt_error(DNT_ERR_PARSE, "%s:%zu:%zu: record has %zu fields, the header has %zu",
                     p->origin, p->line, column_of(p, p->pos), n, p->n_cols);
  return push_record(p, start_line);
}

static int parse(parser *p) {
  if (p->len >= 3 && memcmp(p->in, "\xEF\xBB\xBF", 3) == 0) p->pos = p->line_start = 3;
  while (p->pos < p->len) {
    /* An empty line is no record. */
    char first = p->in[p->pos];
    if (first == '\n' || first == '\r') {
      p->pos += (first == '\r' && p->pos + 1 < p->len && p->in[p->pos + 1] == '\n') ? 2 : 1;
      new_line(p, p->pos);
      continue;
    }
    size_t start_line = p->line, n = 0;
    for (;;) {
      size_t col = column_of(p, p->pos);
      char *text = p->out;
      int rc = (p->pos < p->len && p->in[p->pos] == '"') ? read_quoted(p) : read_plain(p);
      if (rc) return rc;
      *p->out++ = '\0';
      if (p->n_cols && n == p->n_cols)
        return dnt_error(DNT_ERR_PARSE,
                         "%s:%zu:%zu: field %zu is one too many: the header has %zu columns",
                         p->origin, p->line, col, n + 1, p->n_cols);
      if ((rc = push_field(p, text))) return rc;
      n++;
      if (p->pos < p->len && p->in[p->pos] == p->delim) {
        p->pos++;
        continue;
      }
      break;
    }
    int rc = end_record(p, n, start_line);
    if (rc) return rc;
    if (p->pos < p->len) {
      p->pos += (p->in[p->pos] == '\r' && p->pos + 1 < p->len && p->in[p->pos + 1] == '\n') ? 2 : 1;
      new_line(p, p->pos);
    }
  }
  if (p->n_cols == 0)
    return dnt_error(DNT_ERR_PARSE, "%s:1:1: empty file: expected a header line", p->origin);
  return DNT_OK;
}

int dnt_csv_parse(const char *data, size_t len, char delim, const char *origin, dnt_csv **out) {
  *out = NULL;
  if (!origin) origin = "<csv>";
  if (delim == '"' || delim == '\n' || delim == '\r' || delim == '\0')
    return dnt_error(DNT_ERR_ARG, "%s: delimiter 0x%02x cannot separate CSV fields", origin,
                     (unsigned char)delim);
  dnt_csv *t = calloc(1, sizeof *t);
  parser p = {.in = data, .len = len, .delim = delim, .origin = origin, .line = 1};
  if (t) {
    t->origin = strdup(origin);
    t->storage = malloc(len + 2);
  }
  if (!t || !t->origin || !t->storage) {
    dnt_csv_free(t);
    return dnt_error(DNT_ERR_NOMEM, "%s: cannot allocate %zu bytes", origin, len + 2);
  }
  p.out = t->storage;
  int rc = parse(&p);
  if (rc) {
    free(p.fields);
    free(p.rec_line);
    dnt_csv_free(t);
    return rc;
  }
  t->n_cols = p.n_cols;
  t->n_rows = p.n_records;
  t->header = p.fields;
  t->cells = p.fields + p.n_cols;
  t->line = p.rec_line;
  *out = t;
  return DNT_OK;
}

int dnt_csv_read(const char *path, char delim, dnt_csv **out) {
  char *data;
  size_t len;
  *out = NULL;
  int rc = dnt_read_file(path, &data, &len);
  if (rc) return rc;
  rc = dnt_csv_parse(data, len, delim, path, out);
  free(data);
  return rc;
}

void dnt_csv_free(dnt_csv *t) {
  if (!t) return;
  free(t->origin);
  free(t->header); /* the cell pointers share this block */
  free(t->line);
  free(t->storage);
  free(t);
}

int dnt_csv_column(const dnt_csv *t, const char *name, size_t *col) {
  for (size_t j = 0; j < t->n_cols; j++)
    if (strcmp(t->header[j], name) == 0) return *col = j, DNT_OK;
  for (size_t j = 0; j < t->n_cols; j++)
    if (strcasecmp(t->header[j], name) == 0) return *col = j, DNT_OK;
  char list[512];
  size_t used = 0;
  list[0] = '\0';
  for (size_t j = 0; j < t->n_cols && used < sizeof list; j++) {
    int n = snprintf(list + used, sizeof list - used, "%s'%s'", j ? ", " : "", t->header[j]);
    if (n > 0) used += (size_t)n;
  }
  return dnt_error(DNT_ERR_PARSE, "%s: no column '%s'; the columns are %s", t->origin, name, list);
}

static int cell_error(const dnt_csv *t, size_t row, size_t col, const char *expected) {
  return dnt_error(DNT_ERR_PARSE, "%s:%zu: column %zu '%s' = '%s': expected %s", t->origin,
                   t->line[row], col + 1, t->header[col], dnt_csv_cell(t, row, col), expected);
}

/* 1 if `end` leaves only blanks. */
static int only_blanks(const char *end) {
  while (*end == ' ' || *end == '\t')
    end++;
  return *end == '\0';
}

int dnt_csv_double_or(const dnt_csv *t, size_t row, size_t col, double empty_value, double *out) {
  const char *s = dnt_csv_cell(t, row, col);
  if (only_blanks(s)) return *out = empty_value, DNT_OK;
  char *end;
  double v = strtod(s, &end);
  if (end == s || !only_blanks(end) || !isfinite(v))
    return cell_error(t, row, col, "a finite number");
  *out = v;
  return DNT_OK;
}

int dnt_csv_double(const dnt_csv *t, size_t row, size_t col, double *out) {
  if (only_blanks(dnt_csv_cell(t, row, col)))
    return cell_error(t, row, col, "a number, found an empty cell");
  return dnt_csv_double_or(t, row, col, 0.0, out);
}

int dnt_csv_long(const dnt_csv *t, size_t row, size_t col, long long *out) {
  const char *s = dnt_csv_cell(t, row, col);
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (end == s || !only_blanks(end)) return cell_error(t, row, col, "an integer");
  if (errno == ERANGE) return cell_error(t, row, col, "an integer within 64 bits");
  *out = v;
  return DNT_OK;
}

void dnt_csv_write_field(FILE *f, const char *text, char delim) {
  if (!strchr(text, delim) && !strpbrk(text, "\"\r\n")) {
    fputs(text, f);
    return;
  }
  fputc('"', f);
  for (const char *c = text; *c; c++) {
    if (*c == '"') fputc('"', f);
    fputc(*c, f);
  }
  fputc('"', f);
}

void dnt_csv_write_header(FILE *f, const char *const *names, size_t n) {
  for (size_t j = 0; j < n; j++) {
    if (j) fputc(',', f);
    dnt_csv_write_field(f, names[j], ',');
  }
  fputc('\n', f);
}

void dnt_csv_write_row(FILE *f, const double *values, size_t n) {
  for (size_t j = 0; j < n; j++) {
    if (j) fputc(',', f);
    if (!isnan(values[j])) fprintf(f, "%.9g", values[j]);
  }
  fputc('\n', f);
}
