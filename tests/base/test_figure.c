/* test_figure: scripts are written with the expected content even without
 * gnuplot (PATH pointed at an empty folder); with gnuplot, SVG and PNG appear
 * and a script error is reported with gnuplot's message. */
#include "dnt/figure.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dnt/fileio.h"
#include "dnt/log.h"
#include "dnt/status.h"
#include "test.h"

static char root[] = "/tmp/dnt_test_figure_XXXXXX";

static void write_text(const char *name, const char *text) {
  char path[300];
  snprintf(path, sizeof path, "%s/%s", root, name);
  CHECK_OK(dnt_write_atomic(path, text, strlen(text)));
}

/* The script root/name.gp must contain each of the NULL-terminated fragments. */
static void script_has(const char *name, const char *const *want) {
  char path[300], *text = NULL;
  size_t len;
  snprintf(path, sizeof path, "%s/%s.gp", root, name);
  CHECK_OK(dnt_read_file(path, &text, &len));
  if (!text) return;
  for (; *want; want++)
    CHECK_MSG(strstr(text, *want) != NULL, "%s.gp lacks: %s", name, *want);
  free(text);
}

/* Size of root/name, or -1. */
static long file_size(const char *name) {
  char path[300];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", root, name);
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static const char *const ycols[] = {"fedavg", "krum"};

static void draw_all(void) {
  dnt_figure_text lines_text = {"Bob's loss", "round", "loss", 1};
  CHECK_OK(dnt_figure_lines(root, "lines", "lines.csv", "round", ycols, 2, &lines_text));
  dnt_figure_text heat_text = {"no-collision rate", "rule", "attack", 0};
  CHECK_OK(dnt_figure_heatmap(root, "heat", "heat.csv", "rule", "attack", "rate", &heat_text));
  CHECK_OK(dnt_figure_scatter(root, "scatter", "scatter.csv", "x", "y", "cluster", NULL));
  CHECK_OK(dnt_figure_bars(root, "bars", "bars.csv", "policy", ycols, 2, NULL));
}

int main(void) {
  CHECK(mkdtemp(root) != NULL);
  write_text("lines.csv", "round,fedavg,krum\n1,0.5,0.7\n2,0.4,0.6\n3,0.3,0.55\n");
  write_text("heat.csv", "rule,attack,rate\nmean,none,1\nmean,lie,0.42\nkrum,none,1\n"
                         "krum,lie,0.93\n");
  write_text("scatter.csv", "x,y,cluster\n0,0,0\n1,1,1\n2,0.5,1\n");
  write_text("bars.csv", "policy,fedavg,krum\nlru,0.46,0.5\nlfu,0.54,0.6\n");

  /* Without gnuplot: scripts only, and success. */
  char empty[300];
  snprintf(empty, sizeof empty, "%s/empty_bin", root);
  CHECK_OK(dnt_mkdir_p(empty));
  const char *saved = getenv("PATH");
  char *path_env = saved ? strdup(saved) : NULL;
  setenv("PATH", empty, 1);
  CHECK(dnt_figure_available() == 0);
  draw_all();
  CHECK(file_size("lines.svg") == -1 && file_size("lines.png") == -1);
  const char *lines_want[] = {"set datafile separator comma",
                              "set title 'Bob''s loss'",
                              "set xlabel 'round'",
                              "set logscale y",
                              "set output 'lines.svg'",
                              "plot 'lines.csv' using 'round':'fedavg' with lines lw 2 title "
                              "'fedavg', \\\n     '' using 'round':'krum'",
                              "pngcairo",
                              "set output 'lines.png'\nreplot",
                              NULL};
  script_has("lines", lines_want);
  const char *heat_want[] = {"xi(s) = s eq 'mean' ? 0 : s eq 'krum' ? 1 : NaN",
                             "yi(s) = s eq 'none' ? 0 : s eq 'lie' ? 1 : NaN",
                             "set xtics ('mean' 0, 'krum' 1)",
                             "set xrange [-0.5:1.5]",
                             "using (xi(strcol('rule'))):(yi(strcol('attack'))):(0.5):(0.5):"
                             "(clampz(column('rate'))) with boxxyerror",
                             "clampz(z) = z\n",
                             "set palette defined (0 '#d73027'",
                             "with labels",
                             NULL};
  script_has("heat", heat_want);
  /* A colour range clamps outliers; low_is_good turns the palette round. */
  dnt_figure_text err_text = {"error", "rule", "attack", 0, 0, 1, 1};
  CHECK_OK(dnt_figure_heatmap(root, "heat_err", "heat.csv", "rule", "attack", "rate", &err_text));
  const char *heat_err_want[] = {
      "zmin = 0\nzmax = 1\n", "clampz(z) = z < zmin ? zmin : z > zmax ? zmax : z",
      "set cbrange [zmin:zmax]", "set palette defined (0 '#1a9850'", NULL};
  script_has("heat_err", heat_err_want);
  dnt_figure_text bad_range = {"error", "rule", "attack", 0, 2, 1, 0};
  CHECK(dnt_figure_heatmap(root, "heat_bad", "heat.csv", "rule", "attack", "rate", &bad_range) ==
        DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "[2, 1]") != NULL);
  const char *scatter_want[] = {"using 'x':'y':(column('cluster') + 1) with points", NULL};
  script_has("scatter", scatter_want);
  const char *bars_want[] = {"set style histogram clustered",
                             "using 'fedavg':xtic(stringcolumn('policy')) title 'fedavg'",
                             "'' using 'krum' title 'krum'", NULL};
  script_has("bars", bars_want);

  CHECK(dnt_figure_lines(root, "none", "lines.csv", "round", ycols, 0, NULL) == DNT_ERR_ARG);
  CHECK(dnt_figure_heatmap(root, "h2", "missing.csv", "a", "b", "c", NULL) == DNT_ERR_IO);
  CHECK(dnt_figure_heatmap(root, "h3", "heat.csv", "rule", "nope", "rate", NULL) == DNT_ERR_PARSE);
  CHECK(strstr(dnt_last_error(), "'nope'") != NULL);

  /* With gnuplot (when installed): the pictures, and errors reported. */
  if (path_env) setenv("PATH", path_env, 1);
  free(path_env);
  if (!dnt_figure_available()) {
    printf("gnuplot not on PATH: rendering not tested\n");
    return test_done("figure");
  }
  draw_all();
  const char *names[] = {"lines", "heat", "scatter", "bars"};
  for (int i = 0; i < 4; i++) {
    char svg[64], png[64], path[300], *text = NULL;
    size_t len;
    snprintf(svg, sizeof svg, "%s.svg", names[i]);
    snprintf(png, sizeof png, "%s.png", names[i]);
    CHECK_MSG(file_size(svg) > 1000, "%s", svg);
    CHECK_MSG(file_size(png) > 1000, "%s", png);
    snprintf(path, sizeof path, "%s/%s", root, png);
    if (dnt_read_file(path, &text, &len) == 0) CHECK(len > 8 && memcmp(text, "\x89PNG", 4) == 0);
    free(text);
  }
  const char *wrong[] = {"no_such_column"};
  dnt_log_set_level(DNT_LOG_OFF);
  CHECK(dnt_figure_lines(root, "wrong", "lines.csv", "round", wrong, 1, NULL) == DNT_ERR_EXTERNAL);
  CHECK_MSG(strstr(dnt_last_error(), "wrong.gp: gnuplot failed") != NULL, "%s", dnt_last_error());
  CHECK(strstr(dnt_last_error(), "no_such_column") != NULL);

  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  CHECK(system(cmd) == 0);
  return test_done("figure");
}
