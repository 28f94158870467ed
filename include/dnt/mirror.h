/* dnt/mirror.h: what the twin knows of the physical network.
 *
 * The mirror holds the last synced value of every telemetry field, the
 * physical step at which that value was measured (so the twin knows how stale
 * each part of its state is), and a history: one row per twin step of the
 * mirrored values as they stood at that step, in a ring of fixed capacity
 * (the oldest rows are dropped). The history is what the forecaster trains on
 * (dnt/forecast.h) and what the store records (dnt/twin_store.h).
 *
 * Staleness of field i at step `now` is now - measured_at[i]: with an uplink
 * latency of L steps and a report every step it is exactly L.
 *
 * Ownership: the caller owns the struct; init allocates the arrays, free
 * releases them. Costs: ingest O(n_fields), record O(n_fields), series
 * extraction O(rows). Not thread-safe. */
#ifndef DNT_MIRROR_H
#define DNT_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/state.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_mirror {
  size_t n_fields;
  double *value;        /* (n_fields) last synced value (0 before the first sync) */
  int64_t *measured_at; /* (n_fields) physical step of that value; -1 = never synced */
  int64_t *received_at; /* (n_fields) twin step at which it arrived; -1 = never */
  int64_t reports;      /* reports ingested */
  /* History ring: row r (0 = oldest kept) is hist[((head + r) % capacity)]. */
  size_t capacity; /* rows kept */
  size_t rows;     /* rows held (<= capacity) */
  size_t head;     /* slot of the oldest row */
  double *hist;    /* (capacity, n_fields) mirrored values at each recorded step */
  int64_t *hist_t; /* (capacity) twin step of each row */
} dnt_mirror;

/* history_rows >= 1. DNT_ERR_ARG / DNT_ERR_NOMEM. */
int dnt_mirror_init(dnt_mirror *m, size_t n_fields, size_t history_rows);
void dnt_mirror_free(dnt_mirror *m);
/* Forgets everything (as after init, same sizes): values 0, never synced, no
 * reports, no history rows. O(n_fields). */
void dnt_mirror_clear(dnt_mirror *m);

/* Ingests a report: for every field i with field_group[i] == group (every
 * field if group < 0, or if field_group is NULL), value[i] = telemetry[i],
 * measured_at[i] = measured_at, received_at[i] = now. A report older than the
 * value already held for a field (reordered delivery) does not overwrite it. */
void dnt_mirror_ingest(dnt_mirror *m, const double *telemetry, const int *field_group, int group,
                       int64_t measured_at, int64_t now);

/* Appends the current values as the history row of twin step `now`. */
void dnt_mirror_record(dnt_mirror *m, int64_t now);

/* now - measured_at[field], or -1 if the field was never synced. */
int64_t dnt_mirror_staleness(const dnt_mirror *m, size_t field, int64_t now);
/* Largest staleness over all fields (-1 if any field was never synced). */
int64_t dnt_mirror_max_staleness(const dnt_mirror *m, int64_t now);

/* Row r of the history (0 = oldest kept); writes its step to *t if t != NULL. */
const double *dnt_mirror_row(const dnt_mirror *m, size_t r, int64_t *t);
/* Copies field `field` over the last `n` rows (oldest first) into out;
 * returns the number copied (min(n, rows)). */
size_t dnt_mirror_series(const dnt_mirror *m, size_t field, double *out, size_t n);

/* Exact resume (dnt/state.h): save appends the values, measured_at,
 * received_at, the report count and the history rows held, oldest first
 * (the ring is laid out from slot 0 again on load, which no reader can tell
 * apart). load reads them into a mirror of the same n_fields and capacity
 * (DNT_ERR_MISMATCH otherwise); rows above the capacity, steps below -1 or
 * history steps that do not increase are DNT_ERR_CORRUPT. O(rows x n_fields). */
int dnt_mirror_save(const dnt_mirror *m, dnt_pack *p);
int dnt_mirror_load(dnt_mirror *m, dnt_unpack *u);

#ifdef __cplusplus
}
#endif
#endif
