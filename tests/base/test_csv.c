/* test_csv: RFC 4180 cases, error positions, number parsing and a writer round trip. */
#include "dnt/csv.h"

#include <string.h>
#include <unistd.h>

#include "dnt/fileio.h"
#include "dnt/status.h"
#include "test.h"

static dnt_csv *parse(const char *text) {
  dnt_csv *t = NULL;
  CHECK_OK(dnt_csv_parse(text, strlen(text), ',', "t.csv", &t));
  return t;
}

/* Parsing must fail with DNT_ERR_PARSE and a message containing `where` and `why`. */
static void parse_fails(const char *text, const char *where, const char *why) {
  dnt_csv *t = NULL;
  int rc = dnt_csv_parse(text, strlen(text), ',', "t.csv", &t);
  CHECK_MSG(rc == DNT_ERR_PARSE && t == NULL, "rc %d for %s", rc, where);
  CHECK_MSG(strstr(dnt_last_error(), where) != NULL, "want '%s' in '%s'", where, dnt_last_error());
  CHECK_MSG(strstr(dnt_last_error(), why) != NULL, "want '%s' in '%s'", why, dnt_last_error());
}

static void check_rfc4180(void) {
  /* Quoted fields with delimiter, doubled quotes and a line break; CRLF; empty
   * fields; a BOM; no final line break. */
  const char *text = "\xEF\xBB\xBFname,value,note\r\n"
                     "\"a,b\",1,\"say \"\"hi\"\"\"\r\n"
                     ",2,\"two\r\nlines\"\r\n"
                     "c,,";
  dnt_csv *t = parse(text);
  if (!t) return;
  CHECK(t->n_cols == 3 && t->n_rows == 3);
  CHECK(strcmp(t->header[0], "name") == 0); /* BOM stripped */
  CHECK(strcmp(dnt_csv_cell(t, 0, 0), "a,b") == 0);
  CHECK(strcmp(dnt_csv_cell(t, 0, 2), "say \"hi\"") == 0);
  CHECK(strcmp(dnt_csv_cell(t, 1, 0), "") == 0);
  CHECK(strcmp(dnt_csv_cell(t, 1, 2), "two\r\nlines") == 0);
  CHECK(strcmp(dnt_csv_cell(t, 2, 0), "c") == 0);
  CHECK(strcmp(dnt_csv_cell(t, 2, 1), "") == 0 && strcmp(dnt_csv_cell(t, 2, 2), "") == 0);
  CHECK(t->line[0] == 2 && t->line[1] == 3 && t->line[2] == 5);
  size_t col = 99;
  CHECK_OK(dnt_csv_column(t, "value", &col));
  CHECK(col == 1);
  CHECK_OK(dnt_csv_column(t, "NOTE", &col)); /* case-insensitive fallback */
  CHECK(col == 2);
  CHECK(dnt_csv_column(t, "missing", &col) == DNT_ERR_PARSE);
  CHECK(strstr(dnt_last_error(), "'missing'") && strstr(dnt_last_error(), "'note'"));
  double v;
  CHECK_OK(dnt_csv_double(t, 1, 1, &v));
  CHECK(v == 2.0);
  CHECK(dnt_csv_double(t, 2, 1, &v) == DNT_ERR_PARSE); /* empty */
  CHECK_OK(dnt_csv_double_or(t, 2, 1, -1.0, &v));
  CHECK(v == -1.0);
  dnt_csv_free(t);

  /* LF only, a trailing blank line, a tab delimiter, a header-only file. */
  t = parse("x\n1\n\n2\n\n");
  if (t) CHECK(t->n_rows == 2 && strcmp(dnt_csv_cell(t, 1, 0), "2") == 0 && t->line[1] == 4);
  dnt_csv_free(t);
  t = NULL;
  CHECK_OK(dnt_csv_parse("a\tb\n1\t2", 7, '\t', "t.tsv", &t));
  if (t) CHECK(t->n_cols == 2 && strcmp(dnt_csv_cell(t, 0, 1), "2") == 0);
  dnt_csv_free(t);
  t = parse("only,header\n");
  if (t) CHECK(t->n_rows == 0 && t->n_cols == 2);
  dnt_csv_free(t);
  /* The length bounds the input: bytes past it are ignored. */
  t = NULL;
  CHECK_OK(dnt_csv_parse("a,b\n1,2GARBAGE", 7, ',', "t.csv", &t));
  if (t) CHECK(t->n_rows == 1 && strcmp(dnt_csv_cell(t, 0, 1), "2") == 0);
  dnt_csv_free(t);
}

static void check_errors(void) {
  parse_fails("a,b\n1,\"open\n2,3\n", "t.csv:2:3:", "unterminated quoted field");
  parse_fails("a,b\n1,2\n3,4,5\n", "t.csv:3:5:", "field 3 is one too many");
  parse_fails("a,b,c\n1,2,3\n4,5\n", "t.csv:3:4:", "record has 2 fields, the header has 3");
  parse_fails("a,b\n1,x\"y\n", "t.csv:2:4:", "stray '\"'");
  parse_fails("a,b\n\"q\"x,1\n", "t.csv:2:4:", "after a closing quote");
  parse_fails("", "t.csv:1:1:", "empty file");
  /* A quoted line break moves the line count on. */
  parse_fails("a,b\n\"x\ny\",1\n1,2,3\n", "t.csv:4:5:", "one too many");

  dnt_csv *t = parse("id,x,n\n1,abc,7\n2,1e400,1.5\n3, 4.25 ,99999999999999999999\n");
  if (!t) return;
  double v;
  long long n;
  CHECK(dnt_csv_double(t, 0, 1, &v) == DNT_ERR_PARSE);
  CHECK_MSG(strstr(dnt_last_error(), "t.csv:2: column 2 'x' = 'abc'") != NULL, "%s",
            dnt_last_error());
  CHECK(dnt_csv_double(t, 1, 1, &v) == DNT_ERR_PARSE); /* overflows to infinity */
  CHECK(strstr(dnt_last_error(), "t.csv:3:") != NULL);
  CHECK_OK(dnt_csv_double(t, 2, 1, &v)); /* surrounding blanks are fine */
  CHECK(v == 4.25);
  CHECK_OK(dnt_csv_long(t, 0, 2, &n));
  CHECK(n == 7);
  CHECK(dnt_csv_long(t, 1, 2, &n) == DNT_ERR_PARSE);
  CHECK(strstr(dnt_last_error(), "t.csv:3: column 3 'n' = '1.5'") != NULL);
  CHECK(dnt_csv_long(t, 2, 2, &n) == DNT_ERR_PARSE);
  CHECK(strstr(dnt_last_error(), "64 bits") != NULL);
  dnt_csv_free(t);

  CHECK(dnt_csv_read("/nonexistent/x.csv", ',', &t) == DNT_ERR_IO);
  CHECK(strstr(dnt_last_error(), "/nonexistent/x.csv") != NULL);
}

static void check_round_trip(void) {
  char path[] = "/tmp/dnt_test_csv_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0) return;
  close(fd);
  FILE *f = fopen(path, "w");
  const char *names[3] = {"plain", "with,comma", "with \"quote\""};
  dnt_csv_write_header(f, names, 3);
  const double row[3] = {0.1f, -1e-30, 123456789.0};
  dnt_csv_write_row(f, row, 3);
  const double gap[3] = {1, NAN, 3};
  dnt_csv_write_row(f, gap, 3);
  dnt_csv_write_field(f, "multi\nline", ',');
  fputs(",2,3\n", f);
  fclose(f);

  dnt_csv *t = NULL;
  CHECK_OK(dnt_csv_read(path, ',', &t));
  unlink(path);
  if (!t) return;
  CHECK(t->n_cols == 3 && t->n_rows == 3);
  for (int j = 0; j < 3; j++)
    CHECK(strcmp(t->header[j], names[j]) == 0);
  for (int j = 0; j < 3; j++) {
    double v;
    CHECK_OK(dnt_csv_double(t, 0, (size_t)j, &v));
    CHECK_MSG((float)v == (float)row[j], "col %d: %.9g vs %.9g", j, v, row[j]);
  }
  double v;
  CHECK_OK(dnt_csv_double_or(t, 1, 1, -7, &v)); /* NaN was written as an empty cell */
  CHECK(v == -7);
  CHECK(strcmp(dnt_csv_cell(t, 2, 0), "multi\nline") == 0);
  CHECK(t->line[2] == 4);
  dnt_csv_free(t);
}

int main(void) {
  check_rfc4180();
  check_errors();
  check_round_trip();
  return test_done("csv");
}
