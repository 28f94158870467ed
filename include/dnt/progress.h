/* dnt/progress.h: progress reporting for loops that may take over a second.
 *
 * On a terminal (stderr is a tty) it redraws a bar at most 10 times a second;
 * otherwise it prints a plain line every few seconds; when the log level is
 * above INFO (--quiet) it prints nothing. Caller-owned struct, no allocation. */
#ifndef DNT_PROGRESS_H
#define DNT_PROGRESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_progress {
  const char *label; /* borrowed; must outlive the progress */
  uint64_t total;
  uint64_t done;
  double start; /* monotonic seconds */
  double last_print;
  int tty;
  int enabled;
} dnt_progress;

void dnt_progress_init(dnt_progress *p, const char *label, uint64_t total);
void dnt_progress_update(dnt_progress *p, uint64_t done);
/* Prints the final line (elapsed time) and clears the bar. */
void dnt_progress_finish(dnt_progress *p);

/* Monotonic clock in seconds. */
double dnt_now(void);

#ifdef __cplusplus
}
#endif
#endif
