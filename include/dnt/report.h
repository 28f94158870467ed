/* dnt/report.h: one report from result folders.
 *
 * A report reads finished (or failed) result folders, each a study's
 * summary.json with its config.json and SVG figures, and writes
 *   - one self-contained HTML file: per study, our numbers beside the paper's
 *     reported numbers (a fixed table of what the paper reports, see
 *     src/report/report_paper.c), every metric of the summary laid out as
 *     tables (classic baselines are rows of those tables), the figures
 *     embedded as SVG data URIs, the config, seed, version and wall time; it
 *     needs no network and no other file to be viewed;
 *   - a plain-text summary (the paper comparison and each study's headline
 *     numbers).
 * A folder of folders (the top folder of `dnt run`, whose own summary says
 * study "run") adds each subfolder that holds a summary.json, in name order.
 *
 * Ownership: dnt_report_create allocates the handle, dnt_report_destroy frees
 * it and everything it read. Folders are read whole by dnt_report_add (a few
 * MB at most: summaries and SVGs); writing reads nothing more.
 * Errors name the folder or file and what is wrong: a missing folder or
 * summary.json is DNT_ERR_IO, a summary that is not a JSON object with a
 * "study" string DNT_ERR_PARSE. */
#ifndef DNT_REPORT_H
#define DNT_REPORT_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_report dnt_report;

int dnt_report_create(dnt_report **out);
void dnt_report_destroy(dnt_report *r);

/* Reads the result folder `dir` (or each result subfolder of a `dnt run`
 * folder). On error nothing is added. */
int dnt_report_add(dnt_report *r, const char *dir);

/* Number of study folders read so far. */
size_t dnt_report_count(const dnt_report *r);

/* Writes the HTML report to `path` atomically (temp file, fsync, rename). */
int dnt_report_write_html(const dnt_report *r, const char *path);

/* Writes the plain-text summary to `f`. */
int dnt_report_write_text(const dnt_report *r, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
