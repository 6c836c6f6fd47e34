#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read and write a PCI device's memory BAR through sysfs, from a guest.

  pcimem.py DEVDIR BAR read OFFSET LENGTH     print the bytes (ASCII)
  pcimem.py DEVDIR BAR write OFFSET TEXT      store TEXT's bytes
  pcimem.py DEVDIR BAR read32 OFFSET          print one 32-bit load
  pcimem.py DEVDIR BAR write32 OFFSET VALUE   one 32-bit store (registers)
"""
import ctypes
import mmap
import os
import sys


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    dev, bar, op, off = argv[0], int(argv[1]), argv[2], int(argv[3], 0)
    path = os.path.join(dev, "resource%d" % bar)
    fd = os.open(path, os.O_RDWR | os.O_SYNC)
    size = os.fstat(fd).st_size
    m = mmap.mmap(fd, size)
    if op == "read":
        sys.stdout.write(m[off:off + int(argv[4])].decode("ascii", "replace") + "\n")
    elif op == "write":
        data = argv[4].encode()
        m[off:off + len(data)] = data
    elif op == "read32":
        print(ctypes.c_uint32.from_buffer(m, off).value)
    elif op == "write32":
        ctypes.c_uint32.from_buffer(m, off).value = int(argv[4], 0)
    else:
        sys.exit("pcimem: unknown operation " + op)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
