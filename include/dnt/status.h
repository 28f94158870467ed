/* dnt/status.h: status codes and the thread-local error message.
 *
 * Every fallible public function returns 0 (DNT_OK) or a negative dnt_status.
 * The function that fails records a message naming what, where and why (file,
 * line, field, value); dnt_last_error() returns it until the next failure on the
 * same thread. Bugs (broken invariants, bad shapes passed by the caller) are
 * asserts, not statuses. */
#ifndef DNT_STATUS_H
#define DNT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dnt_status {
  DNT_OK = 0,
  DNT_ERR_NOMEM = -1,        /* allocation failed */
  DNT_ERR_IO = -2,           /* open/read/write/rename failed (errno in message) */
  DNT_ERR_PARSE = -3,        /* malformed CSV/JSON/text input */
  DNT_ERR_CONFIG = -4,       /* config: unknown key, wrong type, out of range */
  DNT_ERR_ARG = -5,          /* invalid argument value supplied by the user */
  DNT_ERR_CORRUPT = -6,      /* checkpoint/data corrupted (bad magic, CRC, truncated) */
  DNT_ERR_VERSION = -7,      /* unsupported format version */
  DNT_ERR_MISMATCH = -8,     /* wrong architecture, length or shape */
  DNT_ERR_NUMERIC = -9,      /* NaN or Inf where finite values are required */
  DNT_ERR_UNSUPPORTED = -10, /* feature not built in (e.g. MPI) or not applicable */
  DNT_ERR_EXTERNAL = -11,    /* an external library or program failed (SQLite, gnuplot) */
  DNT_ERR_INTERRUPTED = -12  /* stopped at a step boundary on request (dnt/interrupt.h) */
} dnt_status;

/* Short fixed text for a status code ("out of memory", ...). Never NULL. */
const char *dnt_strerror(int status);

/* The last error message recorded on this thread ("" if none). Owned by the
 * library; valid until the next failing call on this thread. */
const char *dnt_last_error(void);

/* Records a message (printf-style) and returns `status`, so that a failing
 * function can end with `return dnt_error(DNT_ERR_IO, "...", ...)`. */
int dnt_error(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Clears the message of this thread. */
void dnt_error_clear(void);

#ifdef __cplusplus
}
#endif
#endif
