/* src/fl/fl_events.c: binary min-heap of (time, seq) events (fl_events.h). */
#include <stdlib.h>

#include "dnt/status.h"
#include "fl_events.h"

static int before(const fl_event *a, const fl_event *b) {
  return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

int fl_events_init(fl_events *q, int cap) {
  q->heap = malloc((size_t)(cap > 0 ? cap : 1) * sizeof *q->heap);
  q->n = 0;
  q->cap = cap;
  q->next_seq = 0;
  return q->heap ? 0 : dnt_error(DNT_ERR_NOMEM, "FL event queue: out of memory");
}

void fl_events_free(fl_events *q) {
  free(q->heap);
  q->heap = NULL;
  q->n = q->cap = 0;
}

int fl_events_push(fl_events *q, double time, int client) {
  if (q->n == q->cap) return dnt_error(DNT_ERR_ARG, "FL event queue: full (%d events)", q->cap);
  fl_event e = {time, q->next_seq++, client};
  int i = q->n++;
  while (i > 0) { /* sift up */
    int parent = (i - 1) / 2;
    if (!before(&e, &q->heap[parent])) break;
    q->heap[i] = q->heap[parent];
    i = parent;
  }
  q->heap[i] = e;
  return 0;
}

int fl_events_pop(fl_events *q, fl_event *out) {
  if (q->n == 0) return 1;
  *out = q->heap[0];
  fl_event last = q->heap[--q->n];
  int i = 0;
  for (;;) { /* sift down */
    int c = 2 * i + 1;
    if (c >= q->n) break;
    if (c + 1 < q->n && before(&q->heap[c + 1], &q->heap[c])) c++;
    if (!before(&q->heap[c], &last)) break;
    q->heap[i] = q->heap[c];
    i = c;
  }
  if (q->n > 0) q->heap[i] = last;
  return 0;
}
