/* dnt/log.h: leveled, timestamped logging to stderr.
 * Process-wide level; thread-safe (one fprintf per message). */
#ifndef DNT_LOG_H
#define DNT_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnt_log_level {
  DNT_LOG_DEBUG = 0,
  DNT_LOG_INFO = 1,
  DNT_LOG_WARN = 2,
  DNT_LOG_ERROR = 3,
  DNT_LOG_OFF = 4
} dnt_log_level;

void dnt_log_set_level(dnt_log_level level);
dnt_log_level dnt_log_get_level(void);
/* Writes "2026-11-26T01:02:03Z info: message\n" to stderr if level is enabled. */
void dnt_log(dnt_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#define DNT_DEBUG(...) dnt_log(DNT_LOG_DEBUG, __VA_ARGS__)
#define DNT_INFO(...) dnt_log(DNT_LOG_INFO, __VA_ARGS__)
#define DNT_WARN(...) dnt_log(DNT_LOG_WARN, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
