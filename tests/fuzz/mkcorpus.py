#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpus for fuzz_region (tests/fuzz/corpus/).

Each seed is: 6 plan bytes, then patches [sel][off lo][off hi][len] data,
sel & 3: 0 header, 1 ring header, 2 descriptors, 3 pool; sel >> 2 device,
sel >> 4 queue. Descriptor: le64 offset, le32 len, le16 flags, le16 0.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def patch(sel, off, data):
    return bytes([sel, off & 0xff, off >> 8, len(data)]) + data


def desc(offset, length, flags):
    return struct.pack("<QIHH", offset, length, flags, 0)


def head(v):
    return patch(1, 0, struct.pack("<I", v))


# plan: 1 device, TX only (data[2] even -> nqueues 1 for d0 when bit0 = 0),
# ring 2 << (data[2] % 5), buf 64 << (data[3] % 5), chain 1 + data[4] % ring
PLAN = bytes([0, 2, 2, 2, 3, 10])   # ring 8, buf 256, chain 4, 3 vectors
POOL = 0x3000                       # pool_off of that plan
seeds = {
    "empty": PLAN,
    "one-good": PLAN + patch(2, 0, desc(POOL, 60, 1)) + head(1),
    "bad-flags": PLAN + patch(2, 0, desc(0, 10, 0x9)) + head(1),
    "bad-index": PLAN + head(0xffffffff),
    "big-offset": PLAN + patch(2, 0, desc(0xfffffffffffffff0, 64, 1)) + head(1),
    "chain": PLAN + patch(2, 0, desc(POOL, 256, 3) + desc(POOL + 256, 256, 3) + desc(POOL + 512, 10, 1)) + head(3),
    "trunc": PLAN + patch(2, 0, desc(0, 10, 3) + desc(0, 10, 3)) + head(2),
    "header-garbage": PLAN + patch(0, 0, b"VBUS" + b"\xff" * 60),
    "signals": PLAN + patch(1, 0x80, b"\x01\0\0\0\x01\0\0\0\x01\0\0\0" * 2),
    "three-devs": bytes([2, 7, 3, 4, 9, 0]) + head(5),
}
os.makedirs(OUT, exist_ok=True)
for name, blob in seeds.items():
    with open(os.path.join(OUT, "seed-" + name), "wb") as f:
        f.write(blob)
