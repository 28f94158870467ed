/* log.c: leveled, timestamped messages on stderr.
 *
 * The level is one process-wide atomic, read on every call. A message is
 * formatted completely before one fputs, so that lines from several threads
 * never interleave mid-line. */
#include "dnt/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static atomic_int log_level = DNT_LOG_INFO;

void dnt_log_set_level(dnt_log_level level) {
  atomic_store(&log_level, (int)level);
}

dnt_log_level dnt_log_get_level(void) {
  return (dnt_log_level)atomic_load(&log_level);
}

static const char *level_name(dnt_log_level level) {
  switch (level) {
  case DNT_LOG_DEBUG:
    return "debug";
  case DNT_LOG_INFO:
    return "info";
  case DNT_LOG_WARN:
    return "warning";
  case DNT_LOG_ERROR:
    return "error";
  default:
    return "log";
  }
}

void dnt_log(dnt_log_level level, const char *fmt, ...) {
  if (level >= DNT_LOG_OFF || (int)level < atomic_load(&log_level)) return;
  char line[4096];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
  n += (size_t)snprintf(line + n, sizeof line - n, "%s: ", level_name(level));
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(line + n, sizeof line - n, fmt, ap);
  va_end(ap);
  if (m > 0) n = (size_t)m + n < sizeof line - 1 ? n + (size_t)m : sizeof line - 2;
  line[n] = '\n';
  line[n + 1] = '\0';
  fputs(line, stderr);
}
