/* src/app/cmd_report.c: `dnt report DIR...`: one self-contained HTML report
 * from result folders (dnt/report.h), and its text summary on stdout. */
#include <getopt.h>
#include <stdio.h>

#include "app.h"
#include "commands.h"
#include "dnt/report.h"
#include "dnt/status.h"

static const char usage[] =
    "usage: dnt report [options] DIR...\n\n"
    "Reads result folders (a study's, or a dnt run folder with one per study) and\n"
    "writes one self-contained HTML report: per study our numbers beside the\n"
    "paper's, every metric as tables, the figures embedded, the config, seed,\n"
    "version and wall time; it opens offline. The text summary goes to stdout.\n\n"
    "options:\n"
    "  -o, --out FILE      the HTML file (default DIR/report.html for one DIR,\n"
    "                      report.html in the current folder for several)\n"
    "      --quiet         no text summary\n"
    "  -h, --help          this help\n\n" APP_EXIT_TABLE;

int cmd_report(int argc, char **argv) {
  static const struct option longopts[] = {{"out", required_argument, 0, 'o'},
                                           {"quiet", no_argument, 0, 'Q'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  const char *out = NULL;
  int quiet = 0, opt;
  optind = 1;
  while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
    if (opt == 'o') {
      out = optarg;
    } else if (opt == 'Q') {
      quiet = 1;
    } else if (opt == 'h') {
      fputs(usage, stdout);
      return APP_EXIT_OK;
    } else {
      return app_usage_error("report", "unknown option");
    }
  }
  if (optind >= argc) return app_usage_error("report", "no result folder given");
  char path[4096];
  if (!out) {
    if (argc - optind == 1)
      snprintf(path, sizeof path, "%s/report.html", argv[optind]);
    else
      snprintf(path, sizeof path, "report.html");
    out = path;
  }
  dnt_report *r = NULL;
  int st = dnt_report_create(&r);
  for (int i = optind; i < argc && !st; i++)
    st = dnt_report_add(r, argv[i]);
  int rc = APP_EXIT_OK;
  if (st) {
    rc = app_fail_status("report", st, 1);
  } else if ((st = dnt_report_write_html(r, out)) ||
             (!quiet && (st = dnt_report_write_text(r, stdout)))) {
    rc = app_fail("report");
  } else if (!quiet) {
    printf("report: %s\n", out);
  }
  dnt_report_destroy(r);
  return rc;
}
