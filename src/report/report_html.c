/* src/report/report_html.c: the self-contained HTML report.
 *
 * One file: the style inline, every figure an SVG data URI (percent-encoded,
 * so that one figure's ids cannot collide with another's, as they would if
 * several gnuplot SVGs were inlined), no script and no external reference. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnt/fileio.h"
#include "dnt/run.h"
#include "dnt/status.h"
#include "dnt/study.h"
#include "report_internal.h"

static const char style[] =
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;"
    "color:#1d2430}h1{font-size:1.6rem}h2{border-bottom:2px solid #2b6cb0;padding-bottom:.2rem;"
    "margin-top:2.5rem}table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.9rem}"
    "th,td{border:1px solid #cbd5e0;padding:.25rem .6rem;text-align:right}"
    "th{background:#edf2f7;text-align:left}"
    ".meta td{text-align:left}.failed{color:#c53030;font-weight:bold}"
    "figure{display:inline-block;vertical-align:top;width:48%;margin:.5rem 1% .5rem 0}"
    "figure img{width:100%;border:1px solid #e2e8f0}"
    "figcaption{font-size:.85rem;color:#4a5568}pre{background:#f7fafc;padding:.6rem;"
    "overflow:auto;font-size:.8rem}";

void report_html_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '&':
      fputs("&amp;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    default:
      fputc(*s, f);
    }
  }
}

/* `data` as the body of a data URI: RFC 3986 unreserved characters as they
 * are, every other byte %XX. */
static void uri_encode(FILE *f, const unsigned char *data, size_t len) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < len; i++) {
    unsigned char c = data[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~')
      fputc(c, f);
    else
      fprintf(f, "%%%c%c", hex[c >> 4], hex[c & 15]);
  }
}

static int figure(FILE *f, const report_entry *e, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", e->dir, name);
  char *data = NULL;
  size_t len = 0;
  if (dnt_read_file(path, &data, &len)) return dnt_error(DNT_ERR_IO, "%s: cannot read", path);
  fputs("<figure><img alt=\"", f);
  report_html_escape(f, name);
  fputs("\" src=\"data:image/svg+xml;charset=utf-8,", f);
  uri_encode(f, (const unsigned char *)data, len);
  fputs("\"><figcaption>", f);
  report_html_escape(f, name);
  fputs("</figcaption></figure>\n", f);
  free(data);
  return 0;
}

static void meta_row(FILE *f, const char *key, const json_t *v) {
  fputs("<tr><th>", f);
  report_html_escape(f, key);
  fputs("</th><td>", f);
  char buf[64];
  if (json_is_string(v)) {
    report_html_escape(f, json_string_value(v));
  } else if (json_is_number(v)) {
    report_format_number(json_number_value(v), buf, sizeof buf);
    fputs(buf, f);
  } else {
    fputs("-", f);
  }
  fputs("</td></tr>\n", f);
}

/* Ours beside the paper's, for the rows of report_paper_values of this study. */
static void paper_table(FILE *f, const report_entry *e) {
  const char *study = report_study(e);
  const json_t *metrics = json_object_get(e->summary, "metrics");
  int any = 0;
  for (size_t i = 0; i < report_n_paper_values; i++) {
    const report_paper_value *p = &report_paper_values[i];
    if (strcmp(p->study, study)) continue;
    if (!any++)
      fputs("<h3>Ours beside the paper's</h3>\n<table>\n<tr><th>quantity</th><th>ours</th>"
            "<th>paper</th><th>where</th></tr>\n",
            f);
    double ours;
    char a[64] = "-", b[64];
    if (report_lookup(metrics, p->path, &ours)) report_format_number(ours, a, sizeof a);
    report_format_number(p->paper, b, sizeof b);
    fputs("<tr><th>", f);
    report_html_escape(f, p->label);
    fprintf(f, "</th><td>%s</td><td>%s</td><td>%s</td></tr>\n", a, b, p->source);
  }
  if (any) fputs("</table>\n", f);
}

static int study_section(FILE *f, const report_entry *e) {
  const char *study = report_study(e);
  const dnt_study *s = dnt_study_find(study);
  const json_t *sum = e->summary;
  fputs("<h2>", f);
  report_html_escape(f, study);
  if (s) {
    fputs(": ", f);
    report_html_escape(f, s->summary);
  }
  fputs("</h2>\n<table class=\"meta\">\n", f);
  fputs("<tr><th>folder</th><td>", f);
  report_html_escape(f, e->dir);
  fputs("</td></tr>\n", f);
  const char *keys[] = {"status", "seed", "version", "git_revision", "wall_seconds", "error"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (json_object_get(sum, keys[i])) meta_row(f, keys[i], json_object_get(sum, keys[i]));
  fputs("</table>\n", f);
  const char *status = json_string_value(json_object_get(sum, "status"));
  if (status && strcmp(status, "done")) {
    fputs("<p class=\"failed\">This run did not finish: status ", f);
    report_html_escape(f, status);
    fputs(".</p>\n", f);
  }
  paper_table(f, e);
  fputs("<h3>Our numbers</h3>\n", f);
  report_html_metrics(f, json_object_get(sum, "metrics"));
  for (size_t i = 0; i < e->n_figures; i++) {
    int rc = figure(f, e, e->figures[i]);
    if (rc) return rc;
  }
  if (e->config) {
    fputs("<details><summary>config.json</summary><pre>", f);
    report_html_escape(f, e->config);
    fputs("</pre></details>\n", f);
  }
  return 0;
}

int dnt_report_write_html(const dnt_report *r, const char *path) {
  dnt_afile *out = NULL;
  int rc = dnt_afile_open(path, &out);
  if (rc) return rc;
  FILE *f = dnt_afile_stream(out);
  char when[64];
  time_t now = time(NULL);
  strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
  fprintf(f,
          "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>dnt report</title><style>%s</style></head><body>\n"
          "<h1>dnt report</h1>\n<p>dnt %s (git %s), written %s, %zu result folder%s. Each "
          "section puts our numbers beside the paper's where it reports one (Zhang et al., IEEE "
          "Wireless Communications 2025), then every metric of the run, its figures and its "
          "config.</p>\n",
          style, dnt_version(), dnt_git_revision(), when, r->n, r->n == 1 ? "" : "s");
  for (size_t i = 0; i < r->n && !rc; i++)
    rc = study_section(f, &r->entries[i]);
  fputs("</body></html>\n", f);
  if (rc) {
    dnt_afile_abort(out);
    return rc;
  }
  return dnt_afile_commit(out);
}
