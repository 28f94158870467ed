/* src/fl/fl_events.h: the asynchronous simulator's event queue.
 *
 * A binary min-heap keyed by (time, seq), where seq is the insertion counter:
 * events at the same simulated time come out in the order they were pushed
 * (as libuv's timer heap does), so a run's event order depends only on its
 * inputs, never on threads or on heap internals. push and pop are O(log n).
 * Private to src/fl; caller-owned struct, init allocates, free releases. */
#ifndef DNT_FL_EVENTS_H
#define DNT_FL_EVENTS_H

#include <stdint.h>

typedef struct fl_event {
  double time;
  uint64_t seq;
  int client;
} fl_event;

typedef struct fl_events {
  fl_event *heap; /* (cap) */
  int n, cap;
  uint64_t next_seq;
} fl_events;

int fl_events_init(fl_events *q, int cap);
void fl_events_free(fl_events *q);
/* DNT_ERR_ARG when full (the simulator has at most one event per client). */
int fl_events_push(fl_events *q, double time, int client);
/* Removes the earliest event into *e; returns 0, or 1 when empty. */
int fl_events_pop(fl_events *q, fl_event *e);

#endif
