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
 * readable (DNT_ERR_IO), long enough for its header and its stated size
 * (DNT_ERR_CORRUPT "truncated"), magic (DNT_ERR_CORRUPT "not a dnt checkpoint"),
 * version (DNT_ERR_VERSION), CRC (DNT_ERR_CORRUPT "checksum"), description
 * (DNT_ERR_MISMATCH, both texts quoted), count (DNT_ERR_MISMATCH). On any error
 * the destination is left untouched. */
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
int dnt_checkpoint_parse(const unsigned char *buf, size_t len, const char *origin,
                         const char *desc, float *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif
