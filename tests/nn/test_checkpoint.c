/* tests/nn/test_checkpoint.c: checkpoint files.
 * Bit-exact round trip (NaN payloads, -0, infinities, subnormals); every failure
 * of the documented list gives its status and message and leaves the
 * destination untouched: every prefix of a small file, every single flipped
 * byte, bad magic, wrong version, trailing bytes, wrong description (both texts
 * quoted), wrong count, missing file; net save/load across archs; the seed
 * corpus written by an independent Python writer loads to its known values. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dnt/checkpoint.h"
#include "dnt/fileio.h"
#include "dnt/nn.h"
#include "dnt/status.h"
#include "test.h"

#define DIR DNT_BINARY_DIR "/test_nn_checkpoint"
enum { N = 37 };
static const char *desc = "in=3 seq=0 | dense 2 none";

static float sentinel(size_t i) {
  return (float)i * 1000.0f + 7.0f;
}

static void fill_sentinel(float *d, size_t n) {
  for (size_t i = 0; i < n; i++)
    d[i] = sentinel(i);
}

static int is_sentinel(const float *d, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (d[i] != sentinel(i)) return 0;
  return 1;
}

/* Parses buf and expects `status` with `words` in the message; the destination
 * must keep its sentinel values. Returns 1 if all held. */
static int expect_fail(const unsigned char *buf, size_t len, const char *want_desc, size_t n,
                       int status, const char *words) {
  float dst[N + 1];
  fill_sentinel(dst, N + 1);
  int rc = dnt_checkpoint_parse(buf, len, "t.ckpt", want_desc, dst, n);
  int ok = rc == status && is_sentinel(dst, N + 1) &&
           (!words || strstr(dnt_last_error(), words) != NULL);
  if (!ok)
    fprintf(stderr, "len %zu: rc %d (want %d), message '%s' (want '%s')\n", len, rc, status,
            dnt_last_error(), words ? words : "");
  return ok;
}

static unsigned char *read_all(const char *path, size_t *len) {
  char *buf = NULL;
  if (dnt_read_file(path, &buf, len) != 0) return NULL;
  return (unsigned char *)buf;
}

static void check_round_trip(float *data) {
  const uint32_t specials[] = {0x7fc00123u /* NaN with payload */, 0x80000000u /* -0 */,
                               0x7f800000u /* inf */, 0xff800000u, 0x00000001u /* subnormal */};
  for (int i = 0; i < N; i++)
    data[i] = (float)i * 0.37f - 5.0f;
  for (int i = 0; i < 5; i++)
    memcpy(data + 3 * i, specials + i, 4);
  CHECK_OK(dnt_checkpoint_save(DIR "/a.ckpt", desc, data, N));
  float back[N];
  CHECK_OK(dnt_checkpoint_load(DIR "/a.ckpt", desc, back, N));
  CHECK(memcmp(back, data, sizeof back) == 0);
  /* saving again replaces the file atomically */
  data[1] = 42.0f;
  CHECK_OK(dnt_checkpoint_save(DIR "/a.ckpt", desc, data, N));
  CHECK_OK(dnt_checkpoint_load(DIR "/a.ckpt", desc, back, N));
  CHECK(back[1] == 42.0f && memcmp(back, data, sizeof back) == 0);
}

static void check_failures(void) {
  size_t len = 0;
  unsigned char *buf = read_all(DIR "/a.ckpt", &len);
  CHECK(buf != NULL && len == 16 + strlen(desc) + 8 + 4 * N + 4);
  if (!buf) return;
  unsigned char *b = malloc(len + 8);
  int bad = 0;
  /* every prefix is truncated */
  for (size_t k = 0; k < len; k++) {
    memcpy(b, buf, k);
    bad += !expect_fail(b, k, desc, N, DNT_ERR_CORRUPT, "truncated");
  }
  CHECK_MSG(bad == 0, "%d prefixes not reported as truncated", bad);
  /* every single flipped byte fails (magic, version, lengths, CRC) */
  bad = 0;
  for (size_t k = 0; k < len; k++) {
    memcpy(b, buf, len);
    b[k] ^= 0x5a;
    int want = k >= 8 && k < 12 ? DNT_ERR_VERSION : DNT_ERR_CORRUPT;
    const char *words = k < 8    ? "not a dnt checkpoint"
                        : k < 12 ? "'version'"
                        : k < 16 ? NULL /* desclen: truncated or too long */
                                 : "checksum";
    size_t count_at = 16 + strlen(desc);
    if (k >= count_at && k < count_at + 8) words = NULL; /* count: truncated or too long */
    bad += !expect_fail(b, len, desc, N, want, words);
  }
  CHECK_MSG(bad == 0, "%d flipped bytes not reported as documented", bad);
  /* bad magic, a file of another kind */
  const unsigned char text[] = "{\"not\": \"a checkpoint\"}";
  CHECK(expect_fail(text, sizeof text, desc, N, DNT_ERR_CORRUPT, "not a dnt checkpoint"));
  /* wrong version, even with a valid CRC */
  memcpy(b, buf, len);
  b[8] = 2;
  CHECK(expect_fail(b, len, desc, N, DNT_ERR_VERSION, "'version' = '2'"));
  /* trailing bytes */
  memcpy(b, buf, len);
  b[len] = 0;
  CHECK(expect_fail(b, len + 1, desc, N, DNT_ERR_CORRUPT, "bytes after"));
  /* wrong description: both texts quoted */
  CHECK(expect_fail(buf, len, "in=3 seq=0 | dense 4 none", N, DNT_ERR_MISMATCH,
                    "'in=3 seq=0 | dense 2 none': expected 'in=3 seq=0 | dense 4 none'"));
  /* wrong count */
  CHECK(expect_fail(buf, len, desc, N + 1, DNT_ERR_MISMATCH, "'count' = '37'"));
  /* the same checks hold through a file */
  float dst[N];
  fill_sentinel(dst, N);
  CHECK(dnt_write_atomic(DIR "/cut.ckpt", buf, len / 2) == 0);
  CHECK(dnt_checkpoint_load(DIR "/cut.ckpt", desc, dst, N) == DNT_ERR_CORRUPT);
  CHECK(strstr(dnt_last_error(), "cut.ckpt") && strstr(dnt_last_error(), "truncated"));
  CHECK(dnt_checkpoint_load(DIR "/missing.ckpt", desc, dst, N) == DNT_ERR_IO);
  CHECK(strstr(dnt_last_error(), "missing.ckpt") != NULL);
  CHECK(is_sentinel(dst, N));
  free(b);
  free(buf);
}

static void check_net_save_load(void) {
  const int sizes[] = {4, 2}, other[] = {5, 2};
  dnt_net_arch a = dnt_mlp_arch(3, sizes, 2, DNT_ACT_TANH, DNT_ACT_NONE);
  dnt_net_arch b = dnt_mlp_arch(3, other, 2, DNT_ACT_TANH, DNT_ACT_NONE);
  dnt_net *n1 = NULL, *n2 = NULL, *n3 = NULL;
  CHECK_OK(dnt_net_create(&a, 1, NULL, NULL, &n1));
  CHECK_OK(dnt_net_create(&a, 1, NULL, NULL, &n2));
  CHECK_OK(dnt_net_create(&b, 1, NULL, NULL, &n3));
  if (!n1 || !n2 || !n3) return;
  dnt_rng r;
  dnt_rng_seed(&r, 5);
  dnt_net_init(n1, &r);
  CHECK_OK(dnt_net_save(n1, DIR "/net.ckpt"));
  CHECK_OK(dnt_net_load(n2, DIR "/net.ckpt"));
  CHECK(memcmp(dnt_net_params(n1), dnt_net_params(n2), dnt_net_nparams(n1) * 4) == 0);
  fill_sentinel(dnt_net_params(n3), dnt_net_nparams(n3));
  CHECK(dnt_net_load(n3, DIR "/net.ckpt") == DNT_ERR_MISMATCH);
  CHECK(strstr(dnt_last_error(), "dense 4 tanh") && strstr(dnt_last_error(), "dense 5 tanh"));
  CHECK(is_sentinel(dnt_net_params(n3), dnt_net_nparams(n3)));
  dnt_net_destroy(n1);
  dnt_net_destroy(n2);
  dnt_net_destroy(n3);
}

/* fuzz/corpus/checkpoint/ was written by tools/make_checkpoint_corpus.py */
static void check_corpus(void) {
  const struct {
    const char *file, *desc;
    size_t n;
  } cases[] = {
      {"mlp_small.ckpt", "in=3 seq=0 | dense 2 none", 8},
      {"lstm_small.ckpt", "in=2 seq=3 | lstm h=2 l=1 seq=0 | dense 1 none", 43},
      {"empty.ckpt", "", 0},
  };
  for (int c = 0; c < 3; c++) {
    char path[512];
    snprintf(path, sizeof path, "%s/fuzz/corpus/checkpoint/%s", DNT_SOURCE_DIR, cases[c].file);
    float v[64];
    CHECK_OK(dnt_checkpoint_load(path, cases[c].desc, v, cases[c].n));
    for (size_t i = 0; i < cases[c].n; i++)
      CHECK(v[i] == 0.25f * (float)i - 1.0f);
  }
  /* the arch texts in the corpus are the ones dnt writes */
  dnt_net_arch a = {.input = 2, .seq_len = 3, .n_layers = 2};
  a.layer[0] = (dnt_layer_spec){.kind = DNT_LAYER_LSTM, .units = 2, .lstm_layers = 1};
  a.layer[1] = (dnt_layer_spec){.kind = DNT_LAYER_DENSE, .units = 1, .act = DNT_ACT_NONE};
  char text[128];
  CHECK(dnt_net_arch_describe(&a, text, sizeof text) > 0);
  CHECK(strcmp(text, cases[1].desc) == 0);
  CHECK(dnt_net_arch_nparams(&a) == 43);
}

int main(void) {
  CHECK_OK(dnt_mkdir_p(DIR));
  float data[N];
  check_round_trip(data);
  check_failures();
  check_net_save_load();
  check_corpus();
  return test_done("nn.checkpoint");
}
