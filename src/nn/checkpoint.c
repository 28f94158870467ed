/* src/nn/checkpoint.c: versioned binary checkpoints of one flat float vector.
 *
 * The whole file is built in memory and handed to dnt_write_atomic (temp file,
 * fsync, rename), so a crash leaves the old checkpoint or the new one. Parsing
 * treats the bytes as hostile (the fuzzer feeds it anything): every length is
 * checked against what is left before it is used, in size_t arithmetic that
 * cannot overflow, and nothing is written to the destination until every check
 * has passed. Integers are little-endian, assembled byte by byte. O(n). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/checkpoint.h"
#include "dnt/fileio.h"
#include "dnt/status.h"

static const unsigned char magic[8] = {'D', 'N', 'T', 'C', 'K', 'P', 'T', '\0'};
enum { FIXED = 16 }; /* magic, version, desclen */

static void put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p) {
  return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

int dnt_checkpoint_save(const char *path, const char *desc, const float *data, size_t n) {
  size_t dl = strlen(desc);
  if (dl > UINT32_MAX || n > (SIZE_MAX - FIXED - dl - 12) / 4)
    return dnt_error(DNT_ERR_ARG,
                     "checkpoint '%s': description of %zu bytes and %zu floats: "
                     "too large",
                     path, dl, n);
  size_t total = FIXED + dl + 8 + 4 * n + 4;
  unsigned char *buf = malloc(total);
  if (!buf)
    return dnt_error(DNT_ERR_NOMEM, "checkpoint '%s': %zu bytes: out of memory", path, total);
  memcpy(buf, magic, sizeof magic);
  put_u32(buf + 8, DNT_CHECKPOINT_VERSION);
  put_u32(buf + 12, (uint32_t)dl);
  memcpy(buf + FIXED, desc, dl);
  unsigned char *p = buf + FIXED + dl;
  put_u32(p, (uint32_t)((uint64_t)n & 0xffffffffu));
  put_u32(p + 4, (uint32_t)((uint64_t)n >> 32));
  p += 8;
  for (size_t i = 0; i < n; i++, p += 4) {
    uint32_t u;
    memcpy(&u, data + i, sizeof u);
    put_u32(p, u);
  }
  put_u32(p, (uint32_t)dnt_crc32(0, buf, total - 4));
  int rc = dnt_write_atomic(path, buf, total);
  free(buf);
  return rc;
}

/* A description from a file, printable and cut to fit a message. */
static void quote(char *out, size_t cap, const unsigned char *s, size_t len) {
  size_t k = 0;
  for (size_t i = 0; i < len && k + 4 < cap; i++)
    out[k++] = (s[i] >= 32 && s[i] < 127) ? (char)s[i] : '?';
  if (k < len) {
    out[k++] = '.';
    out[k++] = '.';
    out[k++] = '.';
  }
  out[k] = '\0';
}

int dnt_checkpoint_parse(const unsigned char *buf, size_t len, const char *origin, const char *desc,
                         float *data, size_t n) {
  const char *o = origin ? origin : "(memory)";
  if (len > 0 && memcmp(buf, magic, len < sizeof magic ? len : sizeof magic) != 0)
    return dnt_error(DNT_ERR_CORRUPT, "checkpoint '%s': not a dnt checkpoint (bad magic)", o);
  if (len < FIXED)
    return dnt_error(DNT_ERR_CORRUPT, "checkpoint '%s': truncated: %zu bytes, header needs %d", o,
                     len, FIXED);
  uint32_t version = get_u32(buf + 8), dl = get_u32(buf + 12);
  if (version != DNT_CHECKPOINT_VERSION)
    return dnt_error(DNT_ERR_VERSION, "checkpoint '%s': field 'version' = '%u': expected %d", o,
                     (unsigned)version, DNT_CHECKPOINT_VERSION);
  if (len - FIXED < (size_t)dl + 8)
    return dnt_error(DNT_ERR_CORRUPT,
                     "checkpoint '%s': truncated: %zu bytes, header with a %u-byte "
                     "description needs %zu",
                     o, len, (unsigned)dl, FIXED + (size_t)dl + 8);
  size_t head = FIXED + (size_t)dl + 8;
  uint64_t count = get_u64(buf + head - 8);
  size_t room = len - head; /* for the data and the CRC */
  if (room < 4 || count > (room - 4) / 4)
    return dnt_error(DNT_ERR_CORRUPT,
                     "checkpoint '%s': truncated: %zu bytes, %llu floats stated after a "
                     "%zu-byte header",
                     o, len, (unsigned long long)count, head);
  if (room != 4 * (size_t)count + 4)
    return dnt_error(DNT_ERR_CORRUPT, "checkpoint '%s': %zu bytes after the %llu stated floats", o,
                     room - 4 * (size_t)count - 4, (unsigned long long)count);
  uint32_t stored = get_u32(buf + len - 4);
  uint32_t computed = (uint32_t)dnt_crc32(0, buf, len - 4);
  if (stored != computed)
    return dnt_error(DNT_ERR_CORRUPT,
                     "checkpoint '%s': checksum: stored CRC-32 %08x, computed %08x", o,
                     (unsigned)stored, (unsigned)computed);
  size_t want = strlen(desc);
  if (want != dl || memcmp(buf + FIXED, desc, dl) != 0) {
    char got[256];
    quote(got, sizeof got, buf + FIXED, dl);
    return dnt_error(DNT_ERR_MISMATCH, "checkpoint '%s': field 'description' = '%s': expected '%s'",
                     o, got, desc);
  }
  if (count != (uint64_t)n)
    return dnt_error(DNT_ERR_MISMATCH, "checkpoint '%s': field 'count' = '%llu': expected %zu", o,
                     (unsigned long long)count, n);
  const unsigned char *p = buf + head;
  for (size_t i = 0; i < n; i++, p += 4) {
    uint32_t u = get_u32(p);
    memcpy(data + i, &u, sizeof u);
  }
  return DNT_OK;
}

int dnt_checkpoint_load(const char *path, const char *desc, float *data, size_t n) {
  char *buf = NULL;
  size_t len = 0;
  int rc = dnt_read_file(path, &buf, &len);
  if (rc != DNT_OK) return rc;
  rc = dnt_checkpoint_parse((const unsigned char *)buf, len, path, desc, data, n);
  free(buf);
  return rc;
}
