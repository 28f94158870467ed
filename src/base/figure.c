/* figure.c: gnuplot scripts beside their CSV tables, rendered when possible.
 *
 * The script is the figure's source: it reads the CSV by column names, so a
 * user can restyle it for a paper and rerun `gnuplot name.gp` in the folder.
 * Every script has the same frame: a header comment, the CSV settings, the
 * texts, an SVG terminal and the plot, then a PNG terminal (pngcairo when the
 * gnuplot build has it, plain png otherwise, decided by the script itself) and
 * `replot`. gnuplot runs in a child process (fork, chdir to the folder, exec)
 * with its stderr captured for the error message; when it is not on PATH the
 * script is still written and one warning says how to render it. */
#include "dnt/figure.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnt/csv.h"
#include "dnt/fileio.h"
#include "dnt/log.h"
#include "dnt/status.h"

static atomic_int warned_missing;

/* Finds gnuplot on PATH; writes its full path into buf. 1 if found. */
static int find_gnuplot(char *buf, size_t len) {
  const char *path = getenv("PATH");
  if (!path || !*path) return 0;
  for (const char *p = path;;) {
    size_t n = strcspn(p, ":");
    int w = n ? snprintf(buf, len, "%.*s/gnuplot", (int)n, p) : snprintf(buf, len, "./gnuplot");
    struct stat st;
    if (w > 0 && (size_t)w < len && stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
        access(buf, X_OK) == 0)
      return 1;
    if (p[n] == '\0') return 0;
    p += n + 1;
  }
}

int dnt_figure_available(void) {
  char buf[PATH_MAX];
  return find_gnuplot(buf, sizeof buf);
}

/* Writes s as a gnuplot single-quoted string ('' escapes a quote; no line breaks). */
static void put_quoted(FILE *f, const char *s) {
  fputc('\'', f);
  for (; s && *s; s++) {
    if (*s == '\'') fputc('\'', f);
    fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
  }
  fputc('\'', f);
}

static void put_setting(FILE *f, const char *what, const char *text) {
  if (!text || !*text) return;
  fprintf(f, "set %s ", what);
  put_quoted(f, text);
  fputc('\n', f);
}

static void script_head(FILE *f, const char *name, const char *csv, const dnt_figure_text *text) {
  fprintf(f, "# %s.gp: written by dnt from %s. Edit it freely, then run\n", name, csv);
  fprintf(f, "#   gnuplot %s.gp\n# in this folder to redraw %s.svg and %s.png.\n", name, name,
          name);
  fputs("set datafile separator comma\nset datafile columnheaders\n", f);
  fputs("set datafile missing ''\nset grid\nset key outside right top\n", f);
  if (text) {
    put_setting(f, "title", text->title);
    put_setting(f, "xlabel", text->xlabel);
    put_setting(f, "ylabel", text->ylabel);
    if (text->logy) fputs("set logscale y\n", f);
  }
  fputs("set terminal svg size 800,500 dynamic noenhanced font 'sans,12' background '#ffffff'\n",
        f);
  fprintf(f, "set output '%s.svg'\n", name);
}

static void script_tail(FILE *f, const char *name) {
  fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
        "  set terminal pngcairo size 800,500 noenhanced font 'sans,10'\n"
        "} else {\n"
        "  set terminal png size 800,500 noenhanced\n"
        "}\n",
        f);
  fprintf(f, "set output '%s.png'\nreplot\nunset output\n", name);
}

/* Runs gnuplot on name.gp inside dir; DNT_ERR_EXTERNAL with its stderr if it fails. */
static int run_gnuplot(const char *gnuplot, const char *dir, const char *name) {
  char script[PATH_MAX];
  if (snprintf(script, sizeof script, "%s.gp", name) >= (int)sizeof script)
    return dnt_error(DNT_ERR_ARG, "figure name '%s' too long", name);
  int pipefd[2];
  if (pipe(pipefd) != 0) return dnt_error(DNT_ERR_IO, "gnuplot: pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    close(pipefd[0]);
    close(pipefd[1]);
    return dnt_error(DNT_ERR_IO, "gnuplot: fork: %s", strerror(errno));
  }
  if (pid == 0) {
    /* Child: only async-signal-safe calls until exec. */
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, STDIN_FILENO);
      dup2(devnull, STDOUT_FILENO);
    }
    dup2(pipefd[1], STDERR_FILENO);
    close(pipefd[0]);
    if (chdir(dir) != 0) _exit(126);
    char *const argv[] = {"gnuplot", script, NULL};
    execv(gnuplot, argv);
    _exit(127);
  }
  close(pipefd[1]);
  char err[1024]; /* the last bytes of stderr: gnuplot's message is at its end */
  size_t used = 0;
  for (;;) {
    char chunk[512];
    ssize_t n = read(pipefd[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size_t cap = sizeof err - 1, got = (size_t)n; /* got <= sizeof chunk < cap */
    if (used + got > cap) {
      size_t drop = used + got - cap;
      memmove(err, err + drop, used - drop);
      used -= drop;
    }
    memcpy(err + used, chunk, got);
    used += got;
  }
  close(pipefd[0]);
  err[used] = '\0';
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    if (used) DNT_DEBUG("gnuplot %s/%s: %s", dir, script, err);
    return DNT_OK;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
    return dnt_error(DNT_ERR_IO, "gnuplot: cannot enter folder %s", dir);
  return dnt_error(DNT_ERR_EXTERNAL, "%s/%s: gnuplot failed (status %d): %s", dir, script,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1, used ? err : "no message");
}

typedef void (*plot_writer)(FILE *f, const void *spec);

/* Writes dir/name.gp around `plot`, then renders it if gnuplot is on PATH. */
static int make_figure(const char *dir, const char *name, const char *csv,
                       const dnt_figure_text *text, plot_writer plot, const void *spec) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s/%s.gp", dir, name) >= (int)sizeof path)
    return dnt_error(DNT_ERR_ARG, "%s/%s.gp: path too long", dir, name);
  dnt_afile *af;
  int rc = dnt_afile_open(path, &af);
  if (rc) return rc;
  FILE *f = dnt_afile_stream(af);
  script_head(f, name, csv, text);
  plot(f, spec);
  script_tail(f, name);
  if ((rc = dnt_afile_commit(af))) return rc;

  char gnuplot[PATH_MAX];
  if (!find_gnuplot(gnuplot, sizeof gnuplot)) {
    if (atomic_exchange(&warned_missing, 1) == 0)
      DNT_WARN("gnuplot not found on PATH: figure scripts are written but not rendered; "
               "install gnuplot and run `gnuplot %s.gp` in %s (and likewise for the others)",
               name, dir);
    else
      DNT_DEBUG("gnuplot not found: %s not rendered", path);
    return DNT_OK;
  }
  return run_gnuplot(gnuplot, dir, name);
}

typedef struct series_spec {
  const char *csv, *xcol, *gcol;
  const char *const *ycols;
  size_t n_y;
} series_spec;

static void plot_lines(FILE *f, const void *spec) {
  const series_spec *s = spec;
  fputs("plot ", f);
  for (size_t i = 0; i < s->n_y; i++) {
    if (i) fputs(", \\\n     ", f);
    put_quoted(f, i ? "" : s->csv);
    fputs(" using ", f);
    put_quoted(f, s->xcol);
    fputc(':', f);
    put_quoted(f, s->ycols[i]);
    fputs(" with lines lw 2 title ", f);
    put_quoted(f, s->ycols[i]);
  }
  fputc('\n', f);
}

static void plot_bars(FILE *f, const void *spec) {
  const series_spec *s = spec;
  fputs("set style data histograms\nset style histogram clustered gap 1\n"
        "set style fill solid 0.85 border -1\nset xtics rotate by -30\nset yrange [0:*]\nplot ",
        f);
  for (size_t i = 0; i < s->n_y; i++) {
    if (i) fputs(", \\\n     ", f);
    put_quoted(f, i ? "" : s->csv);
    fputs(" using ", f);
    put_quoted(f, s->ycols[i]);
    if (i == 0) {
      fputs(":xtic(stringcolumn(", f);
      put_quoted(f, s->xcol);
      fputs("))", f);
    }
    fputs(" title ", f);
    put_quoted(f, s->ycols[i]);
  }
  fputc('\n', f);
}

static void plot_scatter(FILE *f, const void *spec) {
  const series_spec *s = spec;
  fputs("# colour = linetype (group + 1)\nset offsets graph 0.03, graph 0.03, graph 0.03, graph "
        "0.03\nplot ",
        f);
  put_quoted(f, s->csv);
  fputs(" using ", f);
  put_quoted(f, s->xcol);
  fputc(':', f);
  put_quoted(f, s->ycols[0]);
  fputs(":(column(", f);
  put_quoted(f, s->gcol);
  fputs(") + 1) with points pt 7 ps 1 lc variable notitle\n", f);
}

int dnt_figure_lines(const char *dir, const char *name, const char *csv, const char *xcol,
                     const char *const *ycols, size_t n_y, const dnt_figure_text *text) {
  if (n_y == 0) return dnt_error(DNT_ERR_ARG, "figure %s: no y columns", name);
  series_spec s = {csv, xcol, NULL, ycols, n_y};
  return make_figure(dir, name, csv, text, plot_lines, &s);
}

int dnt_figure_bars(const char *dir, const char *name, const char *csv, const char *xcol,
                    const char *const *ycols, size_t n_y, const dnt_figure_text *text) {
  if (n_y == 0) return dnt_error(DNT_ERR_ARG, "figure %s: no y columns", name);
  series_spec s = {csv, xcol, NULL, ycols, n_y};
  return make_figure(dir, name, csv, text, plot_bars, &s);
}

int dnt_figure_scatter(const char *dir, const char *name, const char *csv, const char *xcol,
                       const char *ycol, const char *gcol, const dnt_figure_text *text) {
  series_spec s = {csv, xcol, gcol, &ycol, 1};
  return make_figure(dir, name, csv, text, plot_scatter, &s);
}

/* Heatmap: categories are read from the CSV now and mapped to cell indices by
 * functions in the script; cells are boxes coloured by value and labelled. */
typedef struct heat_spec {
  const char *csv, *xcol, *ycol, *zcol;
  const char **xs, **ys; /* distinct categories in order of first appearance */
  size_t nx, ny;
  double zmin, zmax; /* colour range, both 0 for automatic */
  int low_is_good;
} heat_spec;

static void put_index_function(FILE *f, const char *fn, const char **cats, size_t n) {
  fprintf(f, "%s(s) = ", fn);
  for (size_t i = 0; i < n; i++) {
    fputs("s eq ", f);
    put_quoted(f, cats[i]);
    fprintf(f, " ? %zu : ", i);
  }
  fputs("NaN\n", f);
}

static void put_tics(FILE *f, const char *axis, const char **cats, size_t n) {
  fprintf(f, "set %s (", axis);
  for (size_t i = 0; i < n; i++) {
    if (i) fputs(", ", f);
    put_quoted(f, cats[i]);
    fprintf(f, " %zu", i);
  }
  fputs(")\n", f);
}

/* The cell centre of a row: (xi(strcol('x'))):(yi(strcol('y'))). */
static void put_cell(FILE *f, const heat_spec *h) {
  fputs("(xi(strcol(", f);
  put_quoted(f, h->xcol);
  fputs("))):(yi(strcol(", f);
  put_quoted(f, h->ycol);
  fputs(")))", f);
}

static void plot_heatmap(FILE *f, const void *spec) {
  const heat_spec *h = spec;
  put_index_function(f, "xi", h->xs, h->nx);
  put_index_function(f, "yi", h->ys, h->ny);
  put_tics(f, "xtics", h->xs, h->nx);
  put_tics(f, "ytics", h->ys, h->ny);
  fputs("set xtics rotate by 30 right\n", f);
  fprintf(f, "set xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\nunset grid\nset key off\n",
          h->nx - 1, h->ny - 1);
  if (h->low_is_good)
    fputs("set palette defined (0 '#1a9850', 0.5 '#fee08b', 1 '#d73027')\n", f);
  else
    fputs("set palette defined (0 '#d73027', 0.5 '#fee08b', 1 '#1a9850')\n", f);
  if (h->zmin != 0 || h->zmax != 0) {
    /* cells outside the range take the colour of its nearest end */
    fprintf(f, "zmin = %.9g\nzmax = %.9g\nclampz(z) = z < zmin ? zmin : z > zmax ? zmax : z\n",
            h->zmin, h->zmax);
    fputs("set cbrange [zmin:zmax]\n", f);
  } else {
    fputs("clampz(z) = z\n", f);
  }
  fputs("plot ", f);
  put_quoted(f, h->csv);
  fputs(" using ", f);
  put_cell(f, h);
  fputs(":(0.5):(0.5):(clampz(column(", f);
  put_quoted(f, h->zcol);
  fputs("))) with boxxyerror fillstyle solid noborder fillcolor palette, \\\n     '' using ", f);
  put_cell(f, h);
  fputs(":(sprintf('%.3g', column(", f);
  put_quoted(f, h->zcol);
  fputs("))) with labels\n", f);
}

static size_t add_category(const char **cats, size_t n, const char *s) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(cats[i], s) == 0) return n;
  cats[n] = s;
  return n + 1;
}

int dnt_figure_heatmap(const char *dir, const char *name, const char *csv, const char *xcol,
                       const char *ycol, const char *zcol, const dnt_figure_text *text) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s/%s", dir, csv) >= (int)sizeof path)
    return dnt_error(DNT_ERR_ARG, "%s/%s: path too long", dir, csv);
  heat_spec h = {csv, xcol, ycol, zcol, NULL, NULL, 0, 0, 0, 0, 0};
  if (text) {
    if (!(text->zmin <= text->zmax) || !isfinite(text->zmin) || !isfinite(text->zmax))
      return dnt_error(DNT_ERR_ARG, "heatmap %s: colour range [%g, %g] is not a finite interval",
                       name, text->zmin, text->zmax);
    h.zmin = text->zmin;
    h.zmax = text->zmax;
    h.low_is_good = text->low_is_good;
  }
  dnt_csv *t;
  int rc = dnt_csv_read(path, ',', &t);
  if (rc) return rc;
  size_t cx, cy, cz;
  if ((rc = dnt_csv_column(t, xcol, &cx)) || (rc = dnt_csv_column(t, ycol, &cy)) ||
      (rc = dnt_csv_column(t, zcol, &cz)))
    goto cleanup;
  if (t->n_rows == 0) {
    rc = dnt_error(DNT_ERR_ARG, "%s: no rows to draw a heatmap from", path);
    goto cleanup;
  }
  h.xs = malloc(t->n_rows * sizeof *h.xs);
  h.ys = malloc(t->n_rows * sizeof *h.ys);
  if (!h.xs || !h.ys) {
    rc = dnt_error(DNT_ERR_NOMEM, "%s: out of memory", path);
    goto cleanup;
  }
  for (size_t i = 0; i < t->n_rows; i++) {
    h.nx = add_category(h.xs, h.nx, dnt_csv_cell(t, i, cx));
    h.ny = add_category(h.ys, h.ny, dnt_csv_cell(t, i, cy));
  }
  rc = make_figure(dir, name, csv, text, plot_heatmap, &h);
cleanup:
  free(h.xs);
  free(h.ys);
  dnt_csv_free(t);
  return rc;
}
