/* tests/report/test_report.c: dnt/report.h on constructed result folders:
 * the generic tables hold the summary's numbers, the paper table pairs ours
 * with the paper's, figures are embedded and escaped, a `dnt run` folder adds
 * its studies, and bad folders are refused naming the file. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dnt/fileio.h"
#include "dnt/report.h"
#include "dnt/status.h"
#include "report/report_internal.h"
#include "test.h"

static char root[256];

static void put(const char *dir, const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  CHECK_OK(dnt_write_atomic(path, text, strlen(text)));
}

static char *slurp(const char *path) {
  char *data = NULL;
  size_t len = 0;
  CHECK_OK(dnt_read_file(path, &data, &len));
  return data;
}

static const char caching_summary[] =
    "{\"study\": \"caching\", \"status\": \"done\", \"seed\": 7, \"version\": \"0.1.0\","
    " \"wall_seconds\": 12.5, \"metrics\": {\"requests\": 30000, \"trace\": \"a<b&c\","
    " \"rl\": {\"hit_rate\": 0.8125, \"max_load\": 0.5, \"min_load\": 0.1},"
    " \"rl+twin+iv\": {\"hit_rate\": 0.9, \"max_load\": 0.3, \"min_load\": 0.15},"
    " \"lru\": {\"hit_rate\": 0.75, \"max_load\": 0.55, \"min_load\": 0.05},"
    " \"scenario\": {\"catalogue\": 1000, \"exponent\": 0.8},"
    " \"no_collision\": {\"krum\": {\"none\": 1, \"lie\": 0.25}, \"mean\": {\"none\": 1}}}}";

static void test_tables_and_paper(void) {
  char dir[300];
  snprintf(dir, sizeof dir, "%s/caching", root);
  CHECK_OK(dnt_mkdir_p(dir));
  put(dir, "summary.json", caching_summary);
  put(dir, "config.json", "{\"caching\": {\"slots\": 150}}");
  put(dir, "bars.svg", "<svg id=\"x\"><text>50% #1</text></svg>");
  dnt_report *r = NULL;
  CHECK_OK(dnt_report_create(&r));
  CHECK_OK(dnt_report_add(r, dir));
  CHECK(dnt_report_count(r) == 1);
  char html[320];
  snprintf(html, sizeof html, "%s/out.html", root);
  CHECK_OK(dnt_report_write_html(r, html));
  char *h = slurp(html);
  /* the row objects of one key set side by side, baselines included */
  CHECK(strstr(h, "<tr><th>rl</th><td>0.8125</td><td>0.5</td><td>0.1</td></tr>"));
  CHECK(strstr(h, "<tr><th>lru</th><td>0.75</td><td>0.55</td><td>0.05</td></tr>"));
  CHECK(strstr(h, "<tr><th>scenario</th><td>1000</td><td>0.8</td></tr>"));
  /* the matrix: rows x union of columns, a missing cell '-' */
  CHECK(strstr(h, "<tr><th>krum</th><td>1</td><td>0.25</td></tr>"));
  CHECK(strstr(h, "<tr><th>mean</th><td>1</td><td>-</td></tr>"));
  CHECK(strstr(h, "<tr><th>trace</th><td>a&lt;b&amp;c</td></tr>"));
  /* ours beside the paper's: rl 0.8125 vs 0.82; a path the summary lacks is '-' */
  CHECK(strstr(h, "hit rate, rl</th><td>0.8125</td><td>0.82</td>"));
  CHECK(strstr(h, "hit rate, rl+twin+iv</th><td>0.9</td><td>0.88</td>"));
  CHECK(strstr(h, "intervention rate, rl+iv</th><td>-</td><td>0.35</td>"));
  /* the figure as a percent-encoded data URI: no raw markup of it in the page */
  CHECK(
      strstr(h, "data:image/svg+xml;charset=utf-8,%3Csvg%20id%3D%22x%22%3E%3Ctext%3E50%25%20%231"));
  CHECK(!strstr(h, "<svg"));
  CHECK(strstr(h, "&quot;slots&quot;: 150"));
  free(h);
  /* the text summary: ours and the paper's on one line */
  char txt[320];
  snprintf(txt, sizeof txt, "%s/out.txt", root);
  FILE *f = fopen(txt, "w");
  CHECK(f != NULL);
  CHECK_OK(dnt_report_write_text(r, f));
  fclose(f);
  char *t = slurp(txt);
  CHECK(strstr(t, "caching ("));
  CHECK(strstr(t, "done, seed 7, 12.5 s"));
  CHECK(strstr(t, "ours 0.9      paper 0.88 (Fig. 5)"));
  free(t);
  dnt_report_destroy(r);
}

static void test_lookup(void) {
  json_t *m = json_loads("{\"no_collision\": {\"a\": {\"none\": 1, \"x\": 0.5}, \"b\": "
                         "{\"none\": 0.75}}, \"v\": 3, \"s\": \"t\"}",
                         0, NULL);
  double v = 0;
  CHECK(report_lookup(m, "v", &v) && v == 3);
  CHECK(report_lookup(m, "no_collision/*/none", &v) && v == 0.75);
  CHECK(report_lookup(m, "no_collision/a/*", &v) && v == 0.5);
  CHECK(!report_lookup(m, "s", &v));
  CHECK(!report_lookup(m, "no_collision/c/none", &v));
  CHECK(!report_lookup(m, "no_collision/*/missing", &v));
  json_decref(m);
  char buf[32];
  report_format_number(12, buf, sizeof buf);
  CHECK(!strcmp(buf, "12"));
  report_format_number(0.123456, buf, sizeof buf);
  CHECK(!strcmp(buf, "0.1235"));
}

/* A `dnt run` folder (its own study "run") adds its result subfolders. */
static void test_run_folder(void) {
  char top[300], a[330], b[330];
  snprintf(top, sizeof top, "%s/run", root);
  snprintf(a, sizeof a, "%s/alpha", top);
  snprintf(b, sizeof b, "%s/beta", top);
  CHECK_OK(dnt_mkdir_p(a));
  CHECK_OK(dnt_mkdir_p(b));
  put(top, "summary.json", "{\"study\": \"run\", \"status\": \"done\"}");
  put(a, "summary.json", "{\"study\": \"alpha\", \"status\": \"failed\", \"error\": \"boom\"}");
  put(b, "summary.json", "{\"study\": \"beta\", \"status\": \"done\", \"metrics\": {}}");
  dnt_report *r = NULL;
  CHECK_OK(dnt_report_create(&r));
  CHECK_OK(dnt_report_add(r, top));
  CHECK(dnt_report_count(r) == 2);
  char html[320];
  snprintf(html, sizeof html, "%s/run.html", root);
  CHECK_OK(dnt_report_write_html(r, html));
  char *h = slurp(html);
  CHECK(strstr(h, "<h2>alpha</h2>") && strstr(h, "<h2>beta</h2>"));
  CHECK(strstr(h, "<h2>alpha</h2>") < strstr(h, "<h2>beta</h2>"));
  CHECK(strstr(h, "did not finish: status failed"));
  CHECK(strstr(h, "<tr><th>error</th><td>boom</td></tr>"));
  free(h);
  dnt_report_destroy(r);
}

static void test_bad_folders(void) {
  dnt_report *r = NULL;
  CHECK_OK(dnt_report_create(&r));
  char dir[300];
  snprintf(dir, sizeof dir, "%s/nothing", root);
  CHECK(dnt_report_add(r, dir) == DNT_ERR_IO);
  CHECK(strstr(dnt_last_error(), "nothing: no such folder"));
  snprintf(dir, sizeof dir, "%s/empty", root);
  CHECK_OK(dnt_mkdir_p(dir));
  CHECK(dnt_report_add(r, dir) == DNT_ERR_IO);
  CHECK(strstr(dnt_last_error(), "not a result folder"));
  put(dir, "summary.json", "{\"study\": \"x\",\n \"metrics\": [}");
  CHECK(dnt_report_add(r, dir) == DNT_ERR_PARSE);
  CHECK(strstr(dnt_last_error(), "summary.json:2:"));
  put(dir, "summary.json", "{\"status\": \"done\"}");
  CHECK(dnt_report_add(r, dir) == DNT_ERR_PARSE);
  CHECK(strstr(dnt_last_error(), "not a dnt summary"));
  /* a run folder whose study subfolder is broken adds none of them */
  char top[300], sub[330];
  snprintf(top, sizeof top, "%s/badrun", root);
  snprintf(sub, sizeof sub, "%s/a", top);
  CHECK_OK(dnt_mkdir_p(sub));
  put(top, "summary.json", "{\"study\": \"run\"}");
  put(sub, "summary.json", "[1]");
  CHECK(dnt_report_add(r, top) == DNT_ERR_PARSE);
  CHECK(dnt_report_count(r) == 0);
  dnt_report_destroy(r);
}

int main(void) {
  snprintf(root, sizeof root, "%s/test_report.%d", DNT_BINARY_DIR, (int)getpid());
  CHECK_OK(dnt_mkdir_p(root));
  test_tables_and_paper();
  test_lookup();
  test_run_folder();
  test_bad_folders();
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  CHECK(system(cmd) == 0);
  return test_done("report.report");
}
