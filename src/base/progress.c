/* progress.c: a progress bar on a terminal, a log line elsewhere.
 *
 * Redrawing is throttled (10 Hz on a tty, every 5 s in a log file) so that a
 * loop can call dnt_progress_update on every iteration: the common call costs
 * one clock read and a comparison. */
#include "dnt/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "dnt/log.h"

enum { BAR_WIDTH = 30 };

double dnt_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void dnt_progress_init(dnt_progress *p, const char *label, uint64_t total) {
  p->label = label ? label : "";
  p->total = total;
  p->done = 0;
  p->start = dnt_now();
  p->last_print = p->start;
  p->tty = isatty(STDERR_FILENO);
  p->enabled = dnt_log_get_level() <= DNT_LOG_INFO;
}

/* Seconds left by linear extrapolation, or a negative value when unknown. */
static double eta(const dnt_progress *p, double elapsed) {
  if (p->total == 0 || p->done == 0 || p->done >= p->total) return -1.0;
  return elapsed * (double)(p->total - p->done) / (double)p->done;
}

static void draw_bar(const dnt_progress *p, double elapsed) {
  char bar[BAR_WIDTH + 1];
  double frac = p->total ? (double)p->done / (double)p->total : 0.0;
  if (frac > 1.0) frac = 1.0;
  int filled = (int)(frac * BAR_WIDTH);
  for (int i = 0; i < BAR_WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[BAR_WIDTH] = '\0';
  double left = eta(p, elapsed);
  if (left >= 0.0)
    fprintf(stderr, "\r%s [%s] %3.0f%% %llu/%llu %.1fs eta %.0fs\033[K", p->label, bar,
            100.0 * frac, (unsigned long long)p->done, (unsigned long long)p->total, elapsed, left);
  else
    fprintf(stderr, "\r%s [%s] %llu %.1fs\033[K", p->label, bar, (unsigned long long)p->done,
            elapsed);
  fflush(stderr);
}

void dnt_progress_update(dnt_progress *p, uint64_t done) {
  p->done = done;
  if (!p->enabled) return;
  double now = dnt_now();
  if (now - p->last_print < (p->tty ? 0.1 : 5.0)) return;
  p->last_print = now;
  double elapsed = now - p->start;
  if (p->tty) {
    draw_bar(p, elapsed);
  } else if (eta(p, elapsed) >= 0.0) {
    dnt_log(DNT_LOG_INFO, "%s: %llu/%llu (%.0f%%), %.1f s, eta %.0f s", p->label,
            (unsigned long long)done, (unsigned long long)p->total,
            100.0 * (double)done / (double)p->total, elapsed, eta(p, elapsed));
  } else {
    dnt_log(DNT_LOG_INFO, "%s: %llu, %.1f s", p->label, (unsigned long long)done, elapsed);
  }
}

void dnt_progress_finish(dnt_progress *p) {
  if (!p->enabled) return;
  double elapsed = dnt_now() - p->start;
  if (p->tty) fputs("\r\033[K", stderr);
  dnt_log(DNT_LOG_INFO, "%s: %llu done in %.1f s", p->label, (unsigned long long)p->done, elapsed);
}
