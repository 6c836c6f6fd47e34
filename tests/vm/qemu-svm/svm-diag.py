#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""svm-diag.py KALLSYMS QEMU_LOG: the "svm-diag: redelivery" lines that a
QEMU built with svm-diag-redeliver.patch wrote into the nest's qemu.log,
one a line with the guest's kernel symbol for RIP, then a count by vector
and IF.

KALLSYMS is the host VM's kallsyms.txt of the same boot (nest.py keeps it):
the guest runs the same kernel image without KASLR (svm-loss boots its
guests with nokaslr), so a guest address is the host VM's minus the host
VM's KASLR offset (its _text less 0xffffffff81000000). Module addresses and
user addresses are printed as they are."""
import bisect
import collections
import re
import sys

LINE = re.compile(r"redelivery (\d+): cpu (\d+) vector (\d+) guest (\d) cpl (\d) "
                  r"if (\d) rip ([0-9a-f]+) rsp ([0-9a-f]+)")


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) == 2 else 2
    syms, text = [], None
    with open(sys.argv[1]) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            addr, kind, name = int(parts[0], 16), parts[1], parts[2]
            if name == "_text":
                text = addr
            if kind in "tTwW" and len(parts) == 3:
                syms.append((addr, name))
    if text is None:
        sys.exit("svm-diag: no _text in %s" % sys.argv[1])
    off = text - 0xffffffff81000000
    syms = sorted((a - off, n) for a, n in syms)
    addrs = [a for a, _ in syms]
    count = collections.Counter()
    with open(sys.argv[2], errors="replace") as f:
        for line in f:
            m = LINE.search(line)
            if not m:
                continue
            n, cpu, vec, guest, cpl, irq_on, rip, rsp = m.groups()
            rip = int(rip, 16)
            i = bisect.bisect_right(addrs, rip) - 1
            if 0xffffffff81000000 <= rip < 0xffffffffa0000000 and i >= 0:
                where = "%s+%#x" % (syms[i][1], rip - syms[i][0])
            elif rip >= 0xffffffff80000000:
                where = "module or other %#x" % rip
            else:
                where = "user %#x" % rip
            print("%s: cpu %s vector %s guest %s cpl %s IF %s at %s rsp %s"
                  % (n, cpu, vec, guest, cpl, irq_on, where, rsp))
            count[(vec, irq_on)] += 1
    total = sum(count.values())
    print("%d redeliveries%s" % (total, "".join(
        "; vector %s with IF=%s: %d" % (v, i, c) for (v, i), c in sorted(count.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
