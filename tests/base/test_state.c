/* test_state: framed state files. Every value type round-trips bit for bit
 * (NaN payloads, -0, the generator's spare normal); every prefix of a file is
 * refused as truncated and every flipped byte by the magic, version, length
 * or CRC check, never read; a reader out of step with the writer stops at the
 * first tag, array length or shape that differs, naming it; files round-trip
 * through dnt_pack_save / dnt_unpack_open. */
#include "dnt/state.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnt/status.h"
#include "test.h"

static void pack_sample(dnt_pack *p, const dnt_rng *r) {
  float f[3] = {1.5f, -0.0f, NAN};
  double d[2] = {1e-300, -INFINITY};
  int ints[4] = {0, -1, 7, 2147483647};
  unsigned char u8[5] = {0, 1, 2, 254, 255};
  dnt_pack_tag(p, "sample");
  dnt_pack_i64(p, INT64_MIN);
  dnt_pack_f64(p, 0.1);
  dnt_pack_f32s(p, f, 3);
  dnt_pack_f64s(p, d, 2);
  dnt_pack_ints(p, ints, 4);
  dnt_pack_u8s(p, u8, 5);
  dnt_pack_f32s(p, NULL, 0);
  dnt_pack_rng(p, r);
}

static int starts_with_error(int rc, int want, const char *text) {
  return rc == want && strstr(dnt_last_error(), text) != NULL;
}

int main(void) {
  dnt_rng r;
  dnt_rng_seed(&r, 42);
  dnt_rng_normal(&r, 0, 1); /* leaves a spare normal behind */
  CHECK(r.has_spare);
  dnt_pack p;
  dnt_pack_init(&p);
  pack_sample(&p, &r);
  CHECK_OK(p.rc);
  unsigned char *buf = NULL;
  size_t len = 0;
  CHECK_OK(dnt_pack_frame(&p, "test v1", &buf, &len));

  /* every value back, bit for bit */
  dnt_unpack u;
  CHECK_OK(dnt_unpack_parse(&u, buf, len, "mem", "test v1"));
  int64_t i;
  double x;
  float f[3];
  double d[2];
  int ints[4];
  unsigned char u8[5];
  dnt_rng r2;
  CHECK_OK(dnt_unpack_tag(&u, "sample"));
  CHECK_OK(dnt_unpack_i64(&u, &i));
  CHECK(i == INT64_MIN);
  CHECK_OK(dnt_unpack_f64(&u, &x));
  CHECK(x == 0.1);
  CHECK_OK(dnt_unpack_f32s(&u, "f", f, 3));
  CHECK(f[0] == 1.5f && f[1] == 0 && signbit(f[1]) && isnan(f[2]));
  CHECK_OK(dnt_unpack_f64s(&u, "d", d, 2));
  CHECK(d[0] == 1e-300 && d[1] == -INFINITY);
  CHECK_OK(dnt_unpack_ints(&u, "ints", ints, 4));
  CHECK(ints[1] == -1 && ints[3] == 2147483647);
  CHECK_OK(dnt_unpack_u8s(&u, "u8", u8, 5));
  CHECK(u8[4] == 255 && u8[3] == 254);
  CHECK_OK(dnt_unpack_f32s(&u, "empty", NULL, 0));
  CHECK_OK(dnt_unpack_rng(&u, &r2));
  CHECK(memcmp(r.s, r2.s, sizeof r.s) == 0 && r2.has_spare && r2.spare_normal == r.spare_normal);
  CHECK(dnt_rng_normal(&r2, 0, 1) == dnt_rng_normal(&r, 0, 1)); /* the spare itself */
  CHECK(dnt_rng_u64(&r2) == dnt_rng_u64(&r));
  CHECK_OK(dnt_unpack_end(&u));
  dnt_unpack_free(&u);

  /* an all-zero generator state (xoshiro would draw 0 forever) is refused */
  dnt_pack z;
  dnt_pack_init(&z);
  dnt_rng zero;
  memset(&zero, 0, sizeof zero);
  dnt_pack_tag(&z, "gen");
  dnt_pack_rng(&z, &zero);
  unsigned char *zbuf = NULL;
  size_t zlen = 0;
  CHECK_OK(dnt_pack_frame(&z, "test v1", &zbuf, &zlen));
  CHECK_OK(dnt_unpack_parse(&u, zbuf, zlen, "zero", "test v1"));
  CHECK_OK(dnt_unpack_tag(&u, "gen"));
  CHECK(starts_with_error(dnt_unpack_rng(&u, &r2), DNT_ERR_CORRUPT, "all-zero generator"));
  dnt_unpack_free(&u);
  free(zbuf);
  dnt_pack_free(&z);

  /* every prefix is truncated (or not yet a whole magic), never read */
  for (size_t n = 0; n < len; n++) {
    int rc = dnt_unpack_parse(&u, buf, n, "cut", "test v1");
    CHECK_MSG(starts_with_error(rc, DNT_ERR_CORRUPT, "truncated"), "prefix %zu: %d %s", n, rc,
              dnt_last_error());
  }
  /* a byte too many */
  unsigned char *longer = malloc(len + 1);
  memcpy(longer, buf, len);
  longer[len] = 0;
  CHECK(starts_with_error(dnt_unpack_parse(&u, longer, len + 1, "long", "test v1"), DNT_ERR_CORRUPT,
                          "after the stated payload"));
  free(longer);
  /* every flipped byte is caught before a value is read */
  for (size_t k = 0; k < len; k++) {
    buf[k] ^= 0x5a;
    int rc = dnt_unpack_parse(&u, buf, len, "flip", "test v1");
    CHECK_MSG(rc == DNT_ERR_CORRUPT || (k >= 8 && k < 12 && rc == DNT_ERR_VERSION),
              "byte %zu: %d %s", k, rc, dnt_last_error());
    if (k >= 16 + 7 + 8) CHECK_MSG(strstr(dnt_last_error(), "checksum"), "byte %zu", k);
    buf[k] ^= 0x5a;
  }
  CHECK(starts_with_error(dnt_unpack_parse(&u, (const unsigned char *)"DNTCKPT", 7, "x", "test v1"),
                          DNT_ERR_CORRUPT, "not a dnt state file"));
  /* another description */
  CHECK(starts_with_error(dnt_unpack_parse(&u, buf, len, "desc", "test v2"), DNT_ERR_MISMATCH,
                          "'test v1': expected 'test v2'"));

  /* a reader out of step stops at the first difference, by name, and stays stopped */
  CHECK_OK(dnt_unpack_parse(&u, buf, len, "mem", "test v1"));
  CHECK(starts_with_error(dnt_unpack_tag(&u, "other"), DNT_ERR_MISMATCH,
                          "section 'sample' found: expected section 'other'"));
  CHECK(dnt_unpack_i64(&u, &i) == DNT_ERR_MISMATCH && i == 0);
  CHECK_OK(dnt_unpack_parse(&u, buf, len, "mem", "test v1"));
  dnt_unpack_tag(&u, "sample");
  dnt_unpack_i64(&u, &i);
  dnt_unpack_f64(&u, &x);
  CHECK(starts_with_error(dnt_unpack_f32s(&u, "weights", f, 2), DNT_ERR_MISMATCH,
                          "field 'weights' = '3': expected 2"));
  CHECK_OK(dnt_unpack_parse(&u, buf, len, "mem", "test v1"));
  dnt_unpack_tag(&u, "sample");
  CHECK(starts_with_error(dnt_unpack_expect(&u, "capacity", 5), DNT_ERR_MISMATCH,
                          "section 'sample': field 'capacity'"));
  /* reading past the payload, or stopping short of it */
  dnt_pack small;
  dnt_pack_init(&small);
  dnt_pack_tag(&small, "s");
  dnt_pack_i64(&small, 3);
  unsigned char *sb;
  size_t sl;
  CHECK_OK(dnt_pack_frame(&small, "", &sb, &sl));
  CHECK_OK(dnt_unpack_parse(&u, sb, sl, "small", ""));
  CHECK_OK(dnt_unpack_tag(&u, "s"));
  CHECK(starts_with_error(dnt_unpack_end(&u), DNT_ERR_CORRUPT, "8 bytes left"));
  CHECK_OK(dnt_unpack_parse(&u, sb, sl, "small", ""));
  dnt_unpack_tag(&u, "s");
  dnt_unpack_i64(&u, &i);
  CHECK(i == 3);
  CHECK(starts_with_error(dnt_unpack_f64(&u, &x), DNT_ERR_CORRUPT, "truncated") && x == 0);
  free(sb);
  dnt_pack_free(&small);
  CHECK(dnt_pack_tag(&small, "a tag that is much longer than thirty-one bytes") == DNT_ERR_ARG);
  dnt_pack_free(&small);

  /* files: atomic save, open, a missing file */
  char dir[] = "/tmp/dnt_test_state_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[300];
  snprintf(path, sizeof path, "%s/s.state", dir);
  CHECK_OK(dnt_pack_save(&p, path, "test v1"));
  CHECK_OK(dnt_unpack_open(&u, path, "test v1"));
  CHECK(u.len == p.len && memcmp(u.at, p.buf, p.len) == 0);
  dnt_unpack_free(&u);
  CHECK(dnt_unpack_open(&u, path, "test v2") == DNT_ERR_MISMATCH && u.owned == NULL);
  unlink(path);
  CHECK(dnt_unpack_open(&u, path, "test v1") == DNT_ERR_IO);
  dnt_unpack_free(&u);
  rmdir(dir);

  free(buf);
  dnt_pack_free(&p);
  return test_done("test_state");
}
