/* dnt/state.h: framed state files, for runs that resume exactly.
 *
 * A resumable study saves everything a bit-identical continuation needs
 * (parameters, optimiser moments, replay buffers, random streams, counters)
 * as one state file:
 *   magic    8 bytes "DNTSTATE"
 *   version  u32 (1)
 *   desclen  u32, then desclen bytes of description (what the state is of)
 *   paylen   u64, then paylen bytes of payload
 *   crc      u32 CRC-32 of every byte before it
 * (frame integers little-endian). The payload is what dnt_pack_* appended,
 * read back in the same order by dnt_unpack_*, in the host's byte order: a
 * state resumes a run on the same build, it is not an exchange format. Arrays
 * carry their length, and sections start with a tag, so that a reader out of
 * step with the writer stops at the first section or array that differs
 * (DNT_ERR_MISMATCH naming the section and the field) instead of reading
 * garbage.
 *
 * Opening checks, in order: readable (DNT_ERR_IO); magic on the bytes present
 * (DNT_ERR_CORRUPT "not a dnt state file"); header present (DNT_ERR_CORRUPT
 * "truncated"); version (DNT_ERR_VERSION, before any length a later version
 * could lay out differently); description, payload and CRC present
 * (DNT_ERR_CORRUPT "truncated") and nothing after them (DNT_ERR_CORRUPT); CRC
 * (DNT_ERR_CORRUPT "checksum"); description (DNT_ERR_MISMATCH, both quoted).
 * So every prefix of a state file is "truncated", and any flipped byte is
 * caught before a single value is read. Saving is atomic (dnt_write_atomic).
 *
 * Errors are sticky on both sides: the first failure is kept in `rc`, later
 * calls do nothing (readers then return zeros), and every call returns `rc`,
 * so a save or load function can make its calls in a row and return the last
 * one's result. A failed load may have filled part of the destination: load
 * into fresh objects and destroy them on error.
 *
 * Ownership: the caller owns both structs (init/free); dnt_unpack_open owns
 * the file's bytes until dnt_unpack_free, dnt_unpack_parse borrows `buf`. */
#ifndef DNT_STATE_H
#define DNT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNT_STATE_VERSION 1

typedef struct dnt_pack {
  unsigned char *buf; /* (cap) payload so far, len bytes used */
  size_t len, cap;
  int rc; /* first error (DNT_ERR_NOMEM), else 0 */
} dnt_pack;

void dnt_pack_init(dnt_pack *p);
void dnt_pack_free(dnt_pack *p);
/* Appends values; each returns p->rc. */
int dnt_pack_tag(dnt_pack *p, const char *tag); /* a section name (< 32 bytes) */
int dnt_pack_i64(dnt_pack *p, int64_t v);
int dnt_pack_f64(dnt_pack *p, double v);
int dnt_pack_f32s(dnt_pack *p, const float *v, size_t n);  /* n, then n floats */
int dnt_pack_f64s(dnt_pack *p, const double *v, size_t n); /* n, then n doubles */
int dnt_pack_ints(dnt_pack *p, const int *v, size_t n);    /* n, then n ints */
int dnt_pack_u8s(dnt_pack *p, const unsigned char *v, size_t n);
int dnt_pack_rng(dnt_pack *p, const dnt_rng *r); /* the whole generator state */
/* Frames the payload under `desc` and writes it atomically to path
 * (p->rc first if set). */
int dnt_pack_save(const dnt_pack *p, const char *path, const char *desc);
/* The framed bytes in a malloc'd buffer (caller frees), for tests and fuzzers. */
int dnt_pack_frame(const dnt_pack *p, const char *desc, unsigned char **out, size_t *len);

typedef struct dnt_unpack {
  unsigned char *owned;    /* the file's bytes (dnt_unpack_open), else NULL */
  const unsigned char *at; /* payload */
  size_t len, pos;         /* payload bytes, bytes read */
  char origin[256];        /* file name for messages */
  char section[32];        /* last tag read */
  int rc;
} dnt_unpack;

/* Reads and checks the frame of the file at path (desc must match). On error
 * *u is left freed (dnt_unpack_free is still harmless). */
int dnt_unpack_open(dnt_unpack *u, const char *path, const char *desc);
/* The same on bytes in memory (borrowed; origin names them in messages). */
int dnt_unpack_parse(dnt_unpack *u, const unsigned char *buf, size_t len, const char *origin,
                     const char *desc);
void dnt_unpack_free(dnt_unpack *u);
/* Reads a tag: DNT_ERR_MISMATCH if it is not `tag`. */
int dnt_unpack_tag(dnt_unpack *u, const char *tag);
int dnt_unpack_i64(dnt_unpack *u, int64_t *v);
int dnt_unpack_f64(dnt_unpack *u, double *v);
/* Arrays of exactly n values (DNT_ERR_MISMATCH naming `what` for another n). */
int dnt_unpack_f32s(dnt_unpack *u, const char *what, float *v, size_t n);
int dnt_unpack_f64s(dnt_unpack *u, const char *what, double *v, size_t n);
int dnt_unpack_ints(dnt_unpack *u, const char *what, int *v, size_t n);
int dnt_unpack_u8s(dnt_unpack *u, const char *what, unsigned char *v, size_t n);
int dnt_unpack_rng(dnt_unpack *u, dnt_rng *r);
/* Reads an i64 that must equal `want` (a shape): DNT_ERR_MISMATCH naming
 * `what` and both values. */
int dnt_unpack_expect(dnt_unpack *u, const char *what, int64_t want);
/* Checks a value read (a counter, an index): DNT_ERR_CORRUPT naming `what`,
 * the value and lo..hi when it is outside. Loaders check every value that
 * indexes memory or drives a loop, so that a state whose CRC is right but
 * whose writer was not (a crafted file, a bug) cannot crash or hang them. */
int dnt_unpack_range(dnt_unpack *u, const char *what, int64_t v, int64_t lo, int64_t hi);
/* Every payload byte read: else DNT_ERR_CORRUPT naming how many are left. */
int dnt_unpack_end(dnt_unpack *u);

#ifdef __cplusplus
}
#endif
#endif
