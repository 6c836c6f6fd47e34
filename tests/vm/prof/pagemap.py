#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pagemap.py PID [MIN_MIB]: the host VM's physical pages behind a guest's
RAM. Run as root in the host VM with the PID of the guest's QEMU: for every
mapping of that process of at least MIN_MIB (256) MiB (the guest's RAM,
and little else), its maps line, then its present pages as "first_pfn
count" runs. bench/profile.py uses them to tell the code the guest ran
from the code the host VM ran."""
import struct
import sys


def main():
    pid, min_mib = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 256
    maps = [l.rstrip("\n") for l in open("/proc/%s/maps" % pid)]
    with open("/proc/%s/pagemap" % pid, "rb", buffering=0) as pm:
        for line in maps:
            lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
            if hi - lo < min_mib << 20:
                continue
            print("# map %s" % line)
            n = (hi - lo) >> 12
            pm.seek((lo >> 12) * 8)
            data = b""
            while len(data) < n * 8:
                chunk = pm.read(n * 8 - len(data))
                if not chunk:
                    break
                data += chunk
            start = count = 0
            present = 0
            for (e,) in struct.iter_unpack("<Q", data):
                if not e >> 63:
                    continue
                pfn = e & ((1 << 55) - 1)
                present += 1
                if count and pfn == start + count:
                    count += 1
                    continue
                if count:
                    print("%x %d" % (start, count))
                start, count = pfn, 1
            if count:
                print("%x %d" % (start, count))
            print("# present %d of %d pages" % (present, n))


if __name__ == "__main__":
    main()
