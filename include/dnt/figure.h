/* dnt/figure.h: figures drawn by gnuplot from CSV tables.
 *
 * Each function writes "<dir>/<name>.gp", a gnuplot script that reads the CSV
 * table beside it, and then, when gnuplot is on PATH, runs it to produce
 * "<dir>/<name>.svg" and "<dir>/<name>.png". A user restyles a figure by editing
 * the script and running `gnuplot name.gp`. Without gnuplot the script is still
 * written, a warning says how to render it, and the call succeeds: a missing
 * gnuplot never fails a study. Column names are CSV header names. When gnuplot
 * is present but fails (e.g. a column name that the CSV lacks), the call
 * returns DNT_ERR_EXTERNAL with gnuplot's message; the script stays in place. */
#ifndef DNT_FIGURE_H
#define DNT_FIGURE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_figure_text {
  const char *title;
  const char *xlabel;
  const char *ylabel;
  int logy; /* 1 for a logarithmic y axis */
  /* Heatmap only. Colour range [zmin, zmax] (both 0: automatic); a value
   * outside it is drawn in the colour of the nearest end (its label still
   * shows the value), so one huge outlier cannot wash out every other cell. */
  double zmin, zmax;
  int low_is_good; /* 1: low values green, high red (errors); 0: the reverse (rates) */
} dnt_figure_text;

/* Lines of columns `ycols` against column `xcol` of `csv` (a file name in dir). */
int dnt_figure_lines(const char *dir, const char *name, const char *csv, const char *xcol,
                     const char *const *ycols, size_t n_y, const dnt_figure_text *text);

/* Heatmap from a long-format table: columns xcol (category), ycol (category),
 * zcol (value); each cell labelled with its value. The CSV must exist already:
 * its categories are read now (in order of first appearance) and written into
 * the script. */
int dnt_figure_heatmap(const char *dir, const char *name, const char *csv, const char *xcol,
                       const char *ycol, const char *zcol, const dnt_figure_text *text);

/* Scatter of (xcol, ycol) points coloured by the integer column gcol. */
int dnt_figure_scatter(const char *dir, const char *name, const char *csv, const char *xcol,
                       const char *ycol, const char *gcol, const dnt_figure_text *text);

/* Grouped bars: one group per row (labelled by column xcol), one bar per ycol. */
int dnt_figure_bars(const char *dir, const char *name, const char *csv, const char *xcol,
                    const char *const *ycols, size_t n_y, const dnt_figure_text *text);

/* 1 if gnuplot can be run. */
int dnt_figure_available(void);

#ifdef __cplusplus
}
#endif
#endif
