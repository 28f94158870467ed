"""Writes the seed corpus of fuzz/fuzz_checkpoint.c: small valid checkpoints.

An independent writer of the format in include/dnt/checkpoint.h (Python's
struct and zlib.crc32, not dnt's code), so that tests/nn/test_checkpoint.c,
which loads these files, also cross-checks dnt's layout and CRC.

    python3 tools/make_checkpoint_corpus.py   # rewrites fuzz/corpus/checkpoint/
"""
import os
import struct
import zlib

OUT = os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus", "checkpoint")

# (file, description, number of floats); value i is 0.25 i - 1 (exact in float32)
FILES = [
    ("mlp_small.ckpt", "in=3 seq=0 | dense 2 none", 8),
    ("lstm_small.ckpt", "in=2 seq=3 | lstm h=2 l=1 seq=0 | dense 1 none", 43),
    ("empty.ckpt", "", 0),
]


def checkpoint(desc, values):
    d = desc.encode()
    body = b"DNTCKPT\0" + struct.pack("<II", 1, len(d)) + d
    body += struct.pack("<Q", len(values)) + struct.pack("<%df" % len(values), *values)
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, desc, n in FILES:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(checkpoint(desc, [0.25 * i - 1.0 for i in range(n)]))


if __name__ == "__main__":
    main()
