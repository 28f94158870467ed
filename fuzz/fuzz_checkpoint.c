/* fuzz_checkpoint: dnt_checkpoint_parse on arbitrary bytes.
 *
 * Beyond "no crash, no out-of-bounds read, no undefined behaviour": on failure
 * the destination keeps every sentinel value; on success it holds exactly the
 * data bytes of the input (little-endian float32 after the header). To let the
 * fuzzer reach the success path, the expected description and count are taken
 * from the input's own header when it has one; a second parse with another
 * description must fail and leave the destination untouched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/checkpoint.h"
#include "dnt/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_FLOATS = 1 << 16 };

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int untouched(const float *d, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (d[i] != (float)i + 0.5f) return 0;
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* the expectations: the input's own description and count, when present */
  char *desc = calloc(1, 1);
  size_t n = 3;
  if (size >= 16) {
    size_t dl = le32(data + 12);
    if (dl <= size - 16) {
      free(desc);
      desc = calloc(dl + 1, 1);
      memcpy(desc, data + 16, dl);
      if (size - 16 - dl >= 8) {
        size_t count = le32(data + 16 + dl); /* low 32 bits */
        if (count <= MAX_FLOATS && le32(data + 20 + dl) == 0) n = count;
      }
    }
  }
  float *dst = malloc((n + 1) * sizeof(float));
  for (size_t i = 0; i <= n; i++)
    dst[i] = (float)i + 0.5f;
  int rc = dnt_checkpoint_parse(data, size, "fuzz", desc, dst, n);
  if (rc == DNT_OK) {
    /* success: the header is 16 + desclen + 8 bytes; data follow */
    const uint8_t *p = data + 16 + strlen(desc) + 8;
    for (size_t i = 0; i < n; i++) {
      uint32_t u = le32(p + 4 * i), v;
      memcpy(&v, dst + i, 4);
      if (u != v) abort();
    }
    if (dst[n] != (float)n + 0.5f) abort(); /* nothing written past n */
  } else {
    if (rc != DNT_ERR_CORRUPT && rc != DNT_ERR_VERSION && rc != DNT_ERR_MISMATCH) abort();
    if (!untouched(dst, n + 1)) abort();
    if (dnt_last_error()[0] == '\0') abort(); /* every failure says why */
  }
  for (size_t i = 0; i <= n; i++)
    dst[i] = (float)i + 0.5f;
  if (dnt_checkpoint_parse(data, size, NULL, "another description", dst, n) == DNT_OK) {
    if (strcmp(desc, "another description") != 0) abort();
  } else if (!untouched(dst, n + 1)) {
    abort();
  }
  free(dst);
  free(desc);
  return 0;
}
