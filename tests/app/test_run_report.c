/* tests/app/test_run_report.c: the main job end to end. `dnt run --quick`
 * writes one folder per main-job study and a report whose tables hold the
 * numbers of the studies' summaries; `dnt report` on those folders, and its
 * exit codes. Release only: under the sanitizers the main job's studies
 * would take most of the suite's time (DNT_SANITIZED skips). */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnt/fileio.h"
#include "dnt/status.h"
#include "dnt/study.h"
#include "report/report_internal.h"
#include "test.h"

static char work[256];

static int dnt(const char *args) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "cd '%s' && '%s/dnt' %s >/dev/null 2>dnt.err", work, DNT_BINARY_DIR,
           args);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path) {
  char *data = NULL;
  size_t len = 0;
  CHECK_MSG(dnt_read_file(path, &data, &len) == 0, "%s", path);
  return data;
}

/* Every row object of the summary's metrics appears as its row in the html:
 * its name, then its numbers in the order of its keys. */
static void rows_in_report(const json_t *metrics, const char *html, const char *study) {
  const char *name;
  json_t *row;
  json_object_foreach((json_t *)metrics, name, row) {
    if (!json_is_object(row) || !json_object_size(row)) continue;
    char expect[2048];
    int n = snprintf(expect, sizeof expect, "<tr><th>%s</th>", name);
    const char *k;
    json_t *v;
    int numeric = 1;
    json_object_foreach(row, k, v) {
      char num[64];
      if (json_is_null(v)) {
        snprintf(num, sizeof num, "-");
      } else if (json_is_number(v)) {
        report_format_number(json_number_value(v), num, sizeof num);
      } else {
        numeric = 0;
        break;
      }
      n += snprintf(expect + n, sizeof expect - (size_t)n, "<td>%s</td>", num);
    }
    if (numeric) CHECK_MSG(strstr(html, expect) != NULL, "%s: row %s not in report", study, expect);
  }
}

int main(void) {
  if (getenv("DNT_SANITIZED")) test_skip("the main job at --quick scale is Release-only");
  snprintf(work, sizeof work, "%s/test_run_report.%d", DNT_BINARY_DIR, (int)getpid());
  CHECK_OK(dnt_mkdir_p(work));
  CHECK(dnt("run --quick --quiet --threads 2 --out R") == 0);
  char path[512];
  snprintf(path, sizeof path, "%s/R/report.html", work);
  char *html = slurp(path);
  snprintf(path, sizeof path, "%s/R/report.txt", work);
  char *txt = slurp(path);
  int studies = 0;
  for (size_t i = 0; html && txt && i < dnt_n_studies; i++) {
    const dnt_study *s = dnt_studies[i];
    if (!s->main_job) continue;
    studies++;
    snprintf(path, sizeof path, "%s/R/%s/summary.json", work, s->name);
    json_t *sum = json_load_file(path, 0, NULL);
    CHECK_MSG(sum != NULL, "%s missing", path);
    if (!sum) continue;
    CHECK(!strcmp(json_string_value(json_object_get(sum, "status")), "done"));
    char h2[128];
    snprintf(h2, sizeof h2, "<h2>%s: ", s->name);
    CHECK_MSG(strstr(html, h2) != NULL, "no section for %s", s->name);
    const json_t *metrics = json_object_get(sum, "metrics");
    rows_in_report(metrics, html, s->name);
    for (const char *const *hl = s->headline; hl && *hl; hl++) {
      double v;
      if (!report_lookup(metrics, *hl, &v)) continue;
      char line[256], num[64];
      report_format_number(v, num, sizeof num);
      snprintf(line, sizeof line, "  %-56s %s\n", *hl, num);
      CHECK_MSG(strstr(txt, line) != NULL, "report.txt lacks '%s'", line);
    }
    json_decref(sum);
  }
  CHECK(studies >= 1);
  free(html);
  free(txt);
  /* dnt report on the folders it wrote, and its exit codes */
  CHECK(dnt("report --quiet R") == 0);
  snprintf(path, sizeof path, "%s/R/report.html", work);
  CHECK(dnt_path_exists(path));
  CHECK(dnt("report") == 2);
  CHECK(dnt("report --bogus R") == 2);
  CHECK(dnt("report no/such/folder") == 3);
  CHECK(dnt("report --out both.html R R") == 0);
  snprintf(path, sizeof path, "%s/both.html", work);
  CHECK(dnt_path_exists(path));
  /* a study that fails is named, the job exits with its code */
  CHECK(dnt("run --quick --quiet --set data.file=/no/such.csv --out F") == 3);
  snprintf(path, sizeof path, "%s/dnt.err", work);
  char *err = slurp(path);
  CHECK_MSG(err && strstr(err, "dnt run: study forecast failed (exit code 3)"), "%s", err);
  free(err);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
  CHECK(system(cmd) == 0);
  return test_done("app.run_report");
}
