/* src/base/state.c: framed state files (dnt/state.h).
 *
 * The workload: a study packs a few MB (a replay buffer, networks) every few
 * thousand steps and unpacks it once per resume, so the payload grows by
 * doubling and values are copied with memcpy. The frame is parsed as hostile
 * bytes: every length is compared with what is left, in size_t arithmetic
 * that cannot overflow, before it is used. */
#include "dnt/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/fileio.h"
#include "dnt/status.h"

static const unsigned char magic[8] = {'D', 'N', 'T', 'S', 'T', 'A', 'T', 'E'};
enum { HEAD = 16, TAG_MAX = 32 }; /* magic, version, desclen; longest tag + 1 */

void dnt_pack_init(dnt_pack *p) {
  memset(p, 0, sizeof *p);
}

void dnt_pack_free(dnt_pack *p) {
  free(p->buf);
  memset(p, 0, sizeof *p);
}

static int put(dnt_pack *p, const void *v, size_t n) {
  if (p->rc) return p->rc;
  if (n > p->cap - p->len) {
    size_t cap = p->cap ? p->cap : 4096;
    while (cap - p->len < n) {
      if (cap > SIZE_MAX / 2)
        return p->rc = dnt_error(DNT_ERR_NOMEM, "state: %zu bytes: too large", p->len + n);
      cap *= 2;
    }
    unsigned char *b = realloc(p->buf, cap);
    if (!b) return p->rc = dnt_error(DNT_ERR_NOMEM, "state: %zu bytes: out of memory", cap);
    p->buf = b;
    p->cap = cap;
  }
  if (n) memcpy(p->buf + p->len, v, n);
  p->len += n;
  return 0;
}

int dnt_pack_i64(dnt_pack *p, int64_t v) {
  return put(p, &v, sizeof v);
}

int dnt_pack_f64(dnt_pack *p, double v) {
  return put(p, &v, sizeof v);
}

int dnt_pack_tag(dnt_pack *p, const char *tag) {
  size_t n = strlen(tag);
  if (n >= TAG_MAX && !p->rc)
    return p->rc =
               dnt_error(DNT_ERR_ARG, "state: tag '%s': longer than %d bytes", tag, TAG_MAX - 1);
  dnt_pack_i64(p, (int64_t)n);
  return put(p, tag, n);
}

static int put_array(dnt_pack *p, const void *v, size_t n, size_t size) {
  dnt_pack_i64(p, (int64_t)n);
  return put(p, v, n * size);
}

int dnt_pack_f32s(dnt_pack *p, const float *v, size_t n) {
  return put_array(p, v, n, sizeof *v);
}

int dnt_pack_f64s(dnt_pack *p, const double *v, size_t n) {
  return put_array(p, v, n, sizeof *v);
}

int dnt_pack_ints(dnt_pack *p, const int *v, size_t n) {
  return put_array(p, v, n, sizeof *v);
}

int dnt_pack_u8s(dnt_pack *p, const unsigned char *v, size_t n) {
  return put_array(p, v, n, 1);
}

int dnt_pack_rng(dnt_pack *p, const dnt_rng *r) {
  put(p, r->s, sizeof r->s);
  dnt_pack_f64(p, r->spare_normal);
  return dnt_pack_i64(p, r->has_spare);
}

static void le32(unsigned char *b, uint32_t v) {
  for (int i = 0; i < 4; i++)
    b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int dnt_pack_frame(const dnt_pack *p, const char *desc, unsigned char **out, size_t *len) {
  *out = NULL;
  *len = 0;
  if (p->rc) return p->rc;
  size_t dl = strlen(desc);
  if (dl > UINT32_MAX || p->len > SIZE_MAX - HEAD - dl - 12)
    return dnt_error(DNT_ERR_ARG, "state: %zu-byte description, %zu-byte payload: too large", dl,
                     p->len);
  size_t total = HEAD + dl + 8 + p->len + 4;
  unsigned char *b = malloc(total);
  if (!b) return dnt_error(DNT_ERR_NOMEM, "state: %zu bytes: out of memory", total);
  memcpy(b, magic, sizeof magic);
  le32(b + 8, DNT_STATE_VERSION);
  le32(b + 12, (uint32_t)dl);
  memcpy(b + HEAD, desc, dl);
  unsigned char *q = b + HEAD + dl;
  le32(q, (uint32_t)((uint64_t)p->len & 0xffffffffu));
  le32(q + 4, (uint32_t)((uint64_t)p->len >> 32));
  if (p->len) memcpy(q + 8, p->buf, p->len);
  le32(b + total - 4, (uint32_t)dnt_crc32(0, b, total - 4));
  *out = b;
  *len = total;
  return 0;
}

int dnt_pack_save(const dnt_pack *p, const char *path, const char *desc) {
  unsigned char *b;
  size_t len;
  int rc = dnt_pack_frame(p, desc, &b, &len);
  if (rc) return rc;
  rc = dnt_write_atomic(path, b, len);
  free(b);
  return rc;
}

/* Printable, shortened copy of a description from the file. */
static void quote(char *out, size_t cap, const unsigned char *s, size_t len) {
  size_t k = 0;
  for (size_t i = 0; i < len && k + 4 < cap; i++)
    out[k++] = s[i] >= 32 && s[i] < 127 ? (char)s[i] : '?';
  if (k < len) memcpy(out + k, "...", 3), k += 3;
  out[k] = '\0';
}

int dnt_unpack_parse(dnt_unpack *u, const unsigned char *buf, size_t len, const char *origin,
                     const char *desc) {
  memset(u, 0, sizeof *u);
  const char *o = origin ? origin : "(memory)";
  snprintf(u->origin, sizeof u->origin, "%s", o);
  int rc = 0;
  size_t n = len < sizeof magic ? len : sizeof magic; /* a prefix of the magic is truncated */
  if (n && memcmp(buf, magic, n) != 0) {
    rc = dnt_error(DNT_ERR_CORRUPT, "state '%s': not a dnt state file (bad magic)", o);
  } else if (len < HEAD) {
    rc = dnt_error(DNT_ERR_CORRUPT, "state '%s': truncated: %zu bytes, the header needs %d", o, len,
                   HEAD);
  } else if (get32(buf + 8) != DNT_STATE_VERSION) {
    rc = dnt_error(DNT_ERR_VERSION, "state '%s': field 'version' = '%u': expected %d", o,
                   (unsigned)get32(buf + 8), DNT_STATE_VERSION);
  }
  if (rc) return u->rc = rc;
  size_t dl = get32(buf + 12);
  if (len - HEAD < dl + 8)
    return u->rc = dnt_error(DNT_ERR_CORRUPT,
                             "state '%s': truncated: %zu bytes, a %zu-byte description needs %zu",
                             o, len, dl, HEAD + dl + 8);
  const unsigned char *q = buf + HEAD + dl;
  uint64_t pl = (uint64_t)get32(q) | (uint64_t)get32(q + 4) << 32;
  size_t room = len - HEAD - dl - 8; /* payload and CRC */
  if (room < 4 || pl > room - 4)
    return u->rc = dnt_error(DNT_ERR_CORRUPT,
                             "state '%s': truncated: %zu bytes, %llu payload bytes stated", o, len,
                             (unsigned long long)pl);
  if (room - 4 != pl)
    return u->rc = dnt_error(DNT_ERR_CORRUPT, "state '%s': %zu bytes after the stated payload", o,
                             room - 4 - (size_t)pl);
  uint32_t stored = get32(buf + len - 4), computed = (uint32_t)dnt_crc32(0, buf, len - 4);
  if (stored != computed)
    return u->rc =
               dnt_error(DNT_ERR_CORRUPT, "state '%s': checksum: stored CRC-32 %08x, computed %08x",
                         o, (unsigned)stored, (unsigned)computed);
  if (strlen(desc) != dl || memcmp(buf + HEAD, desc, dl) != 0) {
    char got[256];
    quote(got, sizeof got, buf + HEAD, dl);
    return u->rc = dnt_error(DNT_ERR_MISMATCH,
                             "state '%s': field 'description' = '%s': expected '%s'", o, got, desc);
  }
  u->at = q + 8;
  u->len = (size_t)pl;
  return 0;
}

int dnt_unpack_open(dnt_unpack *u, const char *path, const char *desc) {
  char *buf = NULL;
  size_t len = 0;
  memset(u, 0, sizeof *u);
  int rc = dnt_read_file(path, &buf, &len);
  if (!rc) rc = dnt_unpack_parse(u, (const unsigned char *)buf, len, path, desc);
  if (rc) {
    free(buf);
    memset(u, 0, sizeof *u);
    return u->rc = rc;
  }
  u->owned = (unsigned char *)buf;
  return 0;
}

void dnt_unpack_free(dnt_unpack *u) {
  free(u->owned);
  memset(u, 0, sizeof *u);
}

/* Copies n payload bytes into v (zeros once an error is set). */
static int get(dnt_unpack *u, void *v, size_t n) {
  if (!u->rc && n > u->len - u->pos)
    u->rc = dnt_error(DNT_ERR_CORRUPT,
                      "state '%s': section '%s': truncated: %zu bytes wanted at byte %zu of %zu",
                      u->origin, u->section, n, u->pos, u->len);
  if (u->rc) {
    if (n) memset(v, 0, n);
    return u->rc;
  }
  if (n) memcpy(v, u->at + u->pos, n);
  u->pos += n;
  return 0;
}

int dnt_unpack_i64(dnt_unpack *u, int64_t *v) {
  return get(u, v, sizeof *v);
}

int dnt_unpack_f64(dnt_unpack *u, double *v) {
  return get(u, v, sizeof *v);
}

int dnt_unpack_expect(dnt_unpack *u, const char *what, int64_t want) {
  int64_t v;
  if (dnt_unpack_i64(u, &v)) return u->rc;
  if (v != want)
    u->rc =
        dnt_error(DNT_ERR_MISMATCH, "state '%s': section '%s': field '%s' = '%lld': expected %lld",
                  u->origin, u->section, what, (long long)v, (long long)want);
  return u->rc;
}

int dnt_unpack_tag(dnt_unpack *u, const char *tag) {
  int64_t n;
  char got[TAG_MAX];
  if (dnt_unpack_i64(u, &n)) return u->rc;
  if (n < 0 || n >= TAG_MAX || (size_t)n > u->len - u->pos) {
    snprintf(u->section, sizeof u->section, "%s", tag);
    return u->rc = dnt_error(DNT_ERR_MISMATCH,
                             "state '%s': at byte %zu: a tag of %lld bytes: expected section '%s'",
                             u->origin, u->pos, (long long)n, tag);
  }
  get(u, got, (size_t)n);
  got[n] = '\0';
  snprintf(u->section, sizeof u->section, "%s", tag);
  if (strcmp(got, tag))
    u->rc = dnt_error(DNT_ERR_MISMATCH, "state '%s': section '%s' found: expected section '%s'",
                      u->origin, got, tag);
  return u->rc;
}

static int get_array(dnt_unpack *u, const char *what, void *v, size_t n, size_t size) {
  if (dnt_unpack_expect(u, what, (int64_t)n)) {
    memset(v, 0, n * size);
    return u->rc;
  }
  return get(u, v, n * size);
}

int dnt_unpack_f32s(dnt_unpack *u, const char *what, float *v, size_t n) {
  return get_array(u, what, v, n, sizeof *v);
}

int dnt_unpack_f64s(dnt_unpack *u, const char *what, double *v, size_t n) {
  return get_array(u, what, v, n, sizeof *v);
}

int dnt_unpack_ints(dnt_unpack *u, const char *what, int *v, size_t n) {
  return get_array(u, what, v, n, sizeof *v);
}

int dnt_unpack_u8s(dnt_unpack *u, const char *what, unsigned char *v, size_t n) {
  return get_array(u, what, v, n, 1);
}

int dnt_unpack_rng(dnt_unpack *u, dnt_rng *r) {
  int64_t spare;
  get(u, r->s, sizeof r->s);
  dnt_unpack_f64(u, &r->spare_normal);
  dnt_unpack_i64(u, &spare);
  r->has_spare = spare != 0;
  if (!u->rc && !(r->s[0] | r->s[1] | r->s[2] | r->s[3])) /* xoshiro would draw 0 forever */
    u->rc = dnt_error(DNT_ERR_CORRUPT, "state '%s': section '%s': an all-zero generator state",
                      u->origin, u->section);
  return u->rc;
}

int dnt_unpack_range(dnt_unpack *u, const char *what, int64_t v, int64_t lo, int64_t hi) {
  if (!u->rc && (v < lo || v > hi))
    u->rc = dnt_error(DNT_ERR_CORRUPT,
                      "state '%s': section '%s': field '%s' = '%lld': expected %lld..%lld",
                      u->origin, u->section, what, (long long)v, (long long)lo, (long long)hi);
  return u->rc;
}

int dnt_unpack_end(dnt_unpack *u) {
  if (!u->rc && u->pos != u->len)
    u->rc = dnt_error(DNT_ERR_CORRUPT, "state '%s': %zu bytes left after the last section '%s'",
                      u->origin, u->len - u->pos, u->section);
  return u->rc;
}
