/* tests/twin/test_twin_state.c: exact resume of a twin (dnt_twin_save_state,
 * dnt_twin_load_state, dnt_mirror_save/load; dnt/twin.h). A twin saved at
 * step k and loaded into a fresh twin on fresh worlds continues bit for bit
 * as the uninterrupted one, step by step (telemetry, mirror, stats), under a
 * periodic policy with uplink and downlink latency, losses, actions and a
 * mirror ring that wraps, and under an event policy with a heartbeat; saving
 * the loaded twin gives the same bytes; a truncated or flipped state file is
 * DNT_ERR_CORRUPT naming the file; another shape is DNT_ERR_MISMATCH naming
 * it; a crafted mirror with more rows than its capacity is DNT_ERR_CORRUPT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../docs/example_world.c"
#include "dnt/status.h"
#include "dnt/twin.h"
#include "test.h"

enum { LINKS = 4, NF = LINKS + 1, SAVE_AT = 77, STEPS = 200 };

static const char *const DESC = "test twin";

static dnt_twin *make(const dnt_sync_config *sc) {
  example_links_config pc = {
      .n_links = LINKS, .drift = 0.01, .sigma = 0.3, .capacity = 10, .capacity_every = 7};
  example_links_config tc = pc;
  tc.sigma = 0.1;
  dnt_world *p = NULL, *w = NULL;
  dnt_twin *t = NULL;
  CHECK_OK(example_links_create(&pc, 31, &p));
  CHECK_OK(example_links_create(&tc, 32, &w));
  CHECK_OK(dnt_twin_create(p, w, sc, &t));
  return t;
}

static void destroy(dnt_twin *t) {
  dnt_world *p = (dnt_world *)dnt_twin_physical(t);
  dnt_twin_destroy(t);
  dnt_world_destroy(p);
}

static int step(dnt_twin *t) {
  double a = 0.05 * (double)(dnt_twin_now(t) % 3);
  return dnt_twin_step(t, &a);
}

static void frame(const dnt_twin *t, unsigned char **buf, size_t *len) {
  dnt_pack p;
  dnt_pack_init(&p);
  CHECK_OK(dnt_twin_save_state(t, &p));
  CHECK_OK(dnt_pack_frame(&p, DESC, buf, len));
  dnt_pack_free(&p);
}

static int load(dnt_twin *t, const unsigned char *buf, size_t len) {
  dnt_unpack u;
  int rc = dnt_unpack_parse(&u, buf, len, "state", DESC);
  if (!rc) {
    dnt_twin_load_state(t, &u);
    rc = dnt_unpack_end(&u);
  }
  dnt_unpack_free(&u);
  return rc;
}

static int same_stats(const dnt_twin *a, const dnt_twin *b) {
  dnt_twin_stats x, y;
  dnt_twin_get_stats(a, &x);
  dnt_twin_get_stats(b, &y);
  return x.steps == y.steps && x.reports_sent == y.reports_sent &&
         x.reports_lost == y.reports_lost && x.reports_delivered == y.reports_delivered &&
         x.actions_sent == y.actions_sent && x.bytes_up == y.bytes_up &&
         x.bytes_down == y.bytes_down && x.rmse_last == y.rmse_last &&
         x.maxabs_last == y.maxabs_last && x.rmse_mean == y.rmse_mean &&
         x.maxabs_max == y.maxabs_max;
}

static int same_mirror(const dnt_mirror *a, const dnt_mirror *b) {
  if (a->rows != b->rows || a->reports != b->reports) return 0;
  for (size_t i = 0; i < a->n_fields; i++)
    if (a->value[i] != b->value[i] || a->measured_at[i] != b->measured_at[i] ||
        a->received_at[i] != b->received_at[i])
      return 0;
  for (size_t r = 0; r < a->rows; r++) {
    int64_t ta, tb;
    const double *ra = dnt_mirror_row(a, r, &ta), *rb = dnt_mirror_row(b, r, &tb);
    if (ta != tb || memcmp(ra, rb, a->n_fields * sizeof *ra) != 0) return 0;
  }
  return 1;
}

/* a: uninterrupted; b: fresh, loaded with a's state at SAVE_AT; both step on. */
static void continue_equal(const dnt_sync_config *sc) {
  dnt_twin *a = make(sc), *b = make(sc);
  for (int s = 0; s < SAVE_AT; s++)
    CHECK_OK(step(a));
  unsigned char *buf, *again;
  size_t len, len2;
  frame(a, &buf, &len);
  CHECK_OK(load(b, buf, len));
  CHECK(dnt_twin_now(b) == SAVE_AT);
  frame(b, &again, &len2); /* save(load(x)) == x */
  CHECK(len2 == len && memcmp(buf, again, len) == 0);
  int diverged = 0;
  for (int s = SAVE_AT; s < STEPS; s++) {
    CHECK_OK(step(a));
    CHECK_OK(step(b));
    diverged |= memcmp(dnt_twin_physical_telemetry(a), dnt_twin_physical_telemetry(b),
                       NF * sizeof(double)) != 0 ||
                memcmp(dnt_twin_telemetry(a), dnt_twin_telemetry(b), NF * sizeof(double)) != 0 ||
                !same_stats(a, b);
  }
  CHECK(!diverged);
  CHECK(same_mirror(dnt_twin_mirror(a), dnt_twin_mirror(b)));
  dnt_twin_stats st;
  dnt_twin_get_stats(a, &st);
  CHECK(st.reports_lost > 0 && st.reports_delivered > 0); /* the loss stream and queue count */
  free(buf);
  free(again);
  destroy(a);
  destroy(b);
}

static void test_continue(void) {
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.channel.uplink_latency = 3;
  sc.channel.downlink_latency = 2;
  sc.channel.uplink_loss = 0.3;
  sc.history_rows = 50; /* the ring wraps before SAVE_AT */
  sc.seed = 5;
  continue_equal(&sc);
  sc.policy = DNT_SYNC_EVENT;
  sc.threshold = 0.2;
  sc.max_silence = 5;
  continue_equal(&sc);
}

static void test_refusals(void) {
  dnt_sync_config sc;
  dnt_sync_config_default(&sc);
  sc.channel.uplink_latency = 2;
  sc.channel.uplink_loss = 0.2;
  dnt_twin *a = make(&sc);
  for (int s = 0; s < 30; s++)
    CHECK_OK(step(a));
  dnt_pack p;
  dnt_pack_init(&p);
  CHECK_OK(dnt_twin_save_state(a, &p));
  char path[] = "/tmp/dnt_twin_state_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  close(fd);
  CHECK_OK(dnt_pack_save(&p, path, DESC));
  long size = 0;
  unsigned char *bytes = NULL;
  FILE *f = fopen(path, "rb");
  CHECK(f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 100);
  rewind(f);
  bytes = malloc((size_t)size);
  CHECK(fread(bytes, 1, (size_t)size, f) == (size_t)size);
  fclose(f);
  long cuts[] = {size - 1, size / 2, 20, 3};
  for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) { /* truncated */
    CHECK(truncate(path, cuts[k]) == 0);
    dnt_unpack u;
    CHECK(dnt_unpack_open(&u, path, DESC) == DNT_ERR_CORRUPT);
    CHECK(strstr(dnt_last_error(), path) != NULL);
    dnt_unpack_free(&u);
  }
  bytes[size / 2] ^= 0x10; /* flipped */
  f = fopen(path, "wb");
  CHECK(f && fwrite(bytes, 1, (size_t)size, f) == (size_t)size);
  fclose(f);
  dnt_unpack u;
  CHECK(dnt_unpack_open(&u, path, DESC) == DNT_ERR_CORRUPT);
  CHECK(strstr(dnt_last_error(), path) != NULL && strstr(dnt_last_error(), "checksum") != NULL);
  dnt_unpack_free(&u);
  remove(path);
  /* another downlink: the shape is named */
  unsigned char *buf;
  size_t len;
  CHECK_OK(dnt_pack_frame(&p, DESC, &buf, &len));
  sc.channel.downlink_latency = 4;
  dnt_twin *b = make(&sc);
  CHECK(load(b, buf, len) == DNT_ERR_MISMATCH);
  CHECK(strstr(dnt_last_error(), "twin downlink slots") != NULL);
  /* a mirror with more rows than it can hold, behind a valid frame */
  dnt_mirror m;
  CHECK_OK(dnt_mirror_init(&m, 2, 3));
  dnt_pack q;
  dnt_pack_init(&q);
  double v[2] = {1, 2};
  dnt_pack_tag(&q, "mirror");
  dnt_pack_i64(&q, 2);
  dnt_pack_i64(&q, 3);
  dnt_pack_f64s(&q, v, 2);
  for (int k = 0; k < 4; k++)
    dnt_pack_i64(&q, 1);
  dnt_pack_i64(&q, 1); /* reports */
  dnt_pack_i64(&q, 4); /* rows > capacity 3 */
  unsigned char *mb;
  size_t ml;
  CHECK_OK(dnt_pack_frame(&q, "m", &mb, &ml));
  CHECK_OK(dnt_unpack_parse(&u, mb, ml, "crafted", "m"));
  CHECK(dnt_mirror_load(&m, &u) == DNT_ERR_CORRUPT);
  CHECK(strstr(dnt_last_error(), "mirror rows") != NULL);
  CHECK(m.rows == 0);
  dnt_unpack_free(&u);
  dnt_mirror_free(&m);
  dnt_pack_free(&q);
  dnt_pack_free(&p);
  free(mb);
  free(buf);
  free(bytes);
  destroy(a);
  destroy(b);
}

int main(void) {
  test_continue();
  test_refusals();
  return test_done("twin.twin_state");
}
