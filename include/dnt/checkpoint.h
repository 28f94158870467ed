/* dnt/checkpoint.h: versioned binary checkpoints of a flat float vector.
 *
 * Layout (little-endian):
 *   magic   8 bytes "DNTCKPT\0"
 *   version u32 (1)
 *   desclen u32, then desclen bytes of description text (the architecture)
 *   count   u64 number of floats
 *   data    count IEEE-754 float32
 *   crc     u32 CRC-32 of every byte before it
 * Written atomically (temp file, fsync, rename). Loading checks, in order:
 * readable (DNT_ERR_IO); magic, on the bytes present (DNT_ERR_CORRUPT "not a dnt
 * checkpoint"); long enough for magic, version and desclen (DNT_ERR_CORRUPT
 * "truncated"); version (DNT_ERR_VERSION, before any length that a later
 * version could lay out differently); long enough for its description, count,
 * data and CRC (DNT_ERR_CORRUPT "truncated") and no longer (DNT_ERR_CORRUPT);
 * CRC (DNT_ERR_CORRUPT "checksum"); description (DNT_ERR_MISMATCH, both texts
 * quoted); count (DNT_ERR_MISMATCH). So every prefix of a checkpoint reads as
 * "truncated" and a file of another kind as "not a dnt checkpoint". On any error
 * the destination is left untouched. Time O(file size). */
#ifndef DNT_CHECKPOINT_H
#define DNT_CHECKPOINT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DNT_CHECKPOINT_VERSION 1

int dnt_checkpoint_save(const char *path, const char *desc, const float *data, size_t n);
/* Loads into data (n floats) if the file's description equals `desc`. */
int dnt_checkpoint_load(const char *path, const char *desc, float *data, size_t n);
/* Validates a checkpoint held in memory (for the fuzzer and for transports);
 * on success copies the data out as dnt_checkpoint_load does. */
int dnt_checkpoint_parse(const unsigned char *buf, size_t len, const char *origin, const char *desc,
                         float *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif
