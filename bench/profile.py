#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Per-frame cost by function, from the nest's TCG plugin.

  bench/profile.py DIR [--top N] [--md FILE]

DIR is the output folder of the nest test `profile`
(build/vm/logs/6.1/boot-N/profile). It holds, per phase, the plugin's counts
(prof-<phase>.txt: instructions executed per translation block, keyed by
start address and the host pointer of its first byte), the outer QEMU's
memory map (prof-qemu-maps.txt), the bench's counters around each transfer
(prof-raw/), both kernels' symbol tables and module lists, the host VM's
/proc/iomem and the host VM's physical pages behind the guest's RAM
(guest-ram-pfns-*.txt).

Each block is attributed to the host VM or the guest by the page its code
was in: the host pointer gives an offset in QEMU's RAM block, hence a host
VM physical page; the guest's RAM is a set of such pages (pagemap of the
guest's QEMU). Then kernel or user by address, and a kernel block is named
with that side's kallsyms (the two kernels are the same image, loaded at
different KASLR offsets; so are their modules).

Instructions are a proxy for the emulated CPU's time, not the time itself:
TCG's cost per guest instruction varies (memory accesses through the
softmmu TLB, helpers for string instructions and system instructions, and
the emulated SVM's world switches cost far more than an ALU op), and the
time QEMU spends outside translated code (device emulation, 9p, TB
translation) is not counted at all.
"""
import argparse
import bisect
import collections
import glob
import json
import os
import re
import sys

KSPACE = 0xffff800000000000
K64 = 65536
NOTE = ("Instructions executed (TCG plugin counts), a proxy for the emulated "
        "CPU's time, not time: TCG's cost per instruction varies (softmmu memory "
        "accesses, helpers, the emulated SVM's world switches) and QEMU's own "
        "work outside translated code is not counted.")
CATS = ["host VM kernel", "guest kernel", "host VM user", "guest user", "unknown"]
# The functions the host VM's slub_debug=FZPU (NEST_DEBUG=slub_debug=FZPU) runs on
# every allocation and free: the stack trace of U (the ORC unwinder, the
# stack depot) and the red zone/poison checks of Z and P. A function of
# this list can also be called for other reasons (memchr_inv,
# kernel_text_address): the sum is an estimate, by name.
SLUB_DEBUG = re.compile(
    r"^(unwind_next_frame|unwind_get_return_address|__unwind_start|__orc_find|"
    r"orc_find(\.part\.0)?|stack_access_ok|__stack_depot_save|stack_depot_save|"
    r"arch_stack_walk|stack_trace_consume_entry|stack_trace_save|kernel_text_address|"
    r"__kernel_text_address|mod_find|__module_address|__module_text_address|"
    r"is_module_text_address|filter_irq_stacks|ftrace_graph_ret_addr|"
    r"is_ftrace_trampoline|is_bpf_text_address|bpf_ksym_find|get_stack_info|"
    r"in_task_stack|in_irq_stack|in_entry_stack|get_stack_info_noinstr|"
    r"check_bytes_and_report|check_object|memchr_inv|on_freelist|set_track_prepare|"
    r"set_track_update|init_object|check_valid_pointer|slab_pad_check|"
    r"free_debug_processing|alloc_debug_processing|free_to_partial_list|check_slab)$")


# the modules of the two data paths (guest: venet, vbus_bridge, virtio_net,
# virtio_ring; host VM: venet_tap, vbus, vhost_net, vhost, tun, kvm_amd, kvm)
BACKEND_MODS = {"venet", "vbus_bridge", "virtio_net", "virtio_ring", "virtio_pci",
                "venet_tap", "vbus", "vhost_net", "vhost", "tun", "kvm_amd", "kvm"}


SLUB_LINE = "(slab debugging: its %d functions by name)" % SLUB_DEBUG.pattern.count("|")


def fold_slub(funcs):
    """the functions of SLUB_DEBUG as one line"""
    out = collections.Counter()
    for f, v in funcs.items():
        out[SLUB_LINE if SLUB_DEBUG.match(f) else f] += v
    return out


def slub_share(funcs):
    return sum(v for f, v in funcs.items() if SLUB_DEBUG.match(f))


def read_kallsyms(path):
    """Sorted text symbols: (addrs, [(name, module)]) and the kernel's text
    range."""
    syms = []
    stext = etext = None
    for line in open(path, errors="replace"):
        p = line.split()
        if len(p) < 3 or p[1] not in "tTwW":
            continue
        a = int(p[0], 16)
        if a == 0:
            continue
        mod = p[3].strip("[]") if len(p) > 3 else ""
        syms.append((a, p[2], mod))
        if not mod and p[2] == "_stext":
            stext = a
        if not mod and p[2] == "_etext":
            etext = a
    syms.sort()
    return [s[0] for s in syms], [(s[1], s[2]) for s in syms], (stext, etext)


def read_modules(path):
    mods = []
    for line in open(path):
        p = line.split()
        if len(p) >= 6:
            base = int(p[5], 16)
            if base:
                mods.append((base, base + int(p[1]), p[0]))
    return sorted(mods)


class Side:
    def __init__(self, name, d, prefix):
        self.name = name
        self.addrs, self.syms, self.text = read_kallsyms(os.path.join(d, prefix + "-kallsyms.txt"))
        self.mods = read_modules(os.path.join(d, prefix + "-modules.txt"))
        self.mod_lo = [m[0] for m in self.mods]

    def module_of(self, a):
        i = bisect.bisect_right(self.mod_lo, a) - 1
        if i >= 0 and a < self.mods[i][1]:
            return self.mods[i][2]
        return None

    def in_text(self, a):
        return self.text[0] is not None and self.text[0] <= a < (self.text[1] or 0)

    def known(self, a):
        return self.in_text(a) or self.module_of(a) is not None

    def symbol(self, a):
        """function [module], or None when the address is in neither the
        kernel's text nor a module of this side"""
        mod = self.module_of(a)
        if mod is None and not self.in_text(a):
            return None
        i = bisect.bisect_right(self.addrs, a) - 1
        if i < 0:
            return "?"
        name, smod = self.syms[i]
        if mod is not None and smod != mod:
            return "? [%s]" % mod
        return "%s [%s]" % (name, mod) if mod else name


def ranges_overlap(a, b):
    return a[0] < b[1] and b[0] < a[1]


def read_pfns(d):
    """The host VM's pages behind the guest's RAM: sorted, merged runs."""
    runs = []
    for f in sorted(glob.glob(os.path.join(d, "guest-ram-pfns-*.txt"))):
        for line in open(f):
            if line.startswith("#"):
                continue
            s, n = line.split()
            runs.append((int(s, 16), int(s, 16) + int(n)))
    runs.sort()
    merged = []
    for s, e in runs:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [m[0] for m in merged], [m[1] for m in merged]


def read_iomem(path):
    """System RAM ranges of the host VM (physical), and the kernel's code."""
    ram, kcode = [], None
    for line in open(path):
        m = re.match(r"\s*([0-9a-f]+)-([0-9a-f]+) : (.*)$", line)
        if not m:
            continue
        lo, hi, what = int(m.group(1), 16), int(m.group(2), 16) + 1, m.group(3)
        if what == "System RAM" and not line.startswith(" "):
            ram.append((lo, hi))
        if what == "Kernel code":
            kcode = lo
    return ram, kcode


def read_phase(path):
    blocks, meta = [], {}
    for line in open(path):
        if line.startswith("#"):
            p = line[1:].split()
            if len(p) == 2:
                meta[p[0]] = p[1]
            continue
        v, h, i, e, n = line.split()
        blocks.append((int(v, 16), int(h, 16), int(i), int(e)))
    return blocks, meta


def read_snap(path):
    out = {}
    for line in open(path):
        p = line.split()
        if len(p) == 2:
            try:
                out[p[0]] = float(p[1])
            except ValueError:
                pass
    return out


class Layout:
    """QEMU's RAM block (host pointers) -> host VM physical addresses."""

    def __init__(self, d, blocks, host):
        ram, self.kcode = read_iomem(os.path.join(d, "host-iomem.txt"))
        above = sum(hi - lo for lo, hi in ram if lo >= 1 << 32)
        below_end = max((hi for lo, hi in ram if hi <= 1 << 32), default=0)
        # QEMU's pc machine: RAM [0, lowmem) then [4G, 4G + rest); the top of
        # low RAM is reserved by the firmware, so round the end up (128 MiB)
        self.lowmem = (below_end + (128 << 20) - 1) & ~((128 << 20) - 1)
        self.size = self.lowmem + above
        # the mapping of QEMU that holds the blocks' host pointers
        maps = []
        for line in open(os.path.join(d, "prof-qemu-maps.txt")):
            lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
            maps.append((lo, hi))
        maps = sorted(m for m in maps if m[1] - m[0] >= self.size // 2)
        los = [m[0] for m in maps]
        counts = collections.Counter()
        for v, h, i, e in blocks:
            k = bisect.bisect_right(los, h) - 1
            if k >= 0 and h < maps[k][1]:
                counts[maps[k]] += 1
        self.base = counts.most_common(1)[0][0][0] if counts else None
        self.map_size = (counts.most_common(1)[0][0][1] - self.base) if counts else 0
        # check: the host VM's kernel text at the physical address iomem
        # gives for it ("Kernel code" is _text; _stext is 0 or more above)
        self.check = None
        if self.kcode is not None and host.text[0] and self.base is not None:
            text0 = host.addrs[bisect.bisect_left(host.addrs, host.text[0])]
            text_sym = [a for a, (n, m) in zip(host.addrs, host.syms) if n == "_text" and not m]
            t0 = text_sym[0] if text_sym else text0
            good = bad = 0
            for v, h, i, e in blocks:
                if host.in_text(v) and h:
                    if self.phys(h) == v - t0 + self.kcode:
                        good += i
                    else:
                        bad += i
            self.check = (good, bad)

    def phys(self, h):
        if self.base is None or not h:
            return None
        off = h - self.base
        if off < 0 or off >= self.size:
            return None
        return off if off < self.lowmem else off - self.lowmem + (1 << 32)


def classify(d, phases, host, guest, layout, pfn_lo, pfn_hi):
    """Per phase: {category: insns}, {category: Counter(function: insns)},
    and the cross-checks."""
    res = {}
    for name, (blocks, meta) in phases.items():
        cat = collections.Counter()
        execs = collections.Counter()
        funcs = {c: collections.Counter() for c in CATS}
        odd = collections.Counter()
        for v, h, i, e in blocks:
            p = layout.phys(h)
            execs["all"] += e
            if p is None:
                cat["unknown"] += i
                funcs["unknown"]["(no RAM page: 0x%x)" % v if h else "(no host pointer)"] += i
                continue
            k = bisect.bisect_right(pfn_lo, p >> 12) - 1
            is_guest = k >= 0 and (p >> 12) < pfn_hi[k]
            side = guest if is_guest else host
            other = host if is_guest else guest
            if v >= KSPACE:
                c = "guest kernel" if is_guest else "host VM kernel"
                s = side.symbol(v)
                if s is None:
                    s = "(kernel, not text or module: %s)" % (
                        "the other side's text or module" if other.known(v) else "other")
                    odd["kernel address outside this side's text and modules"] += i
                cat[c] += i
                funcs[c][s] += i
            else:
                c = "guest user" if is_guest else "host VM user"
                cat[c] += i
                funcs[c]["(user, not symbolized)"] += i
        odd.setdefault("kernel address outside this side's text and modules", 0)
        cat.execs = execs["all"]
        res[name] = (cat, funcs, odd)
    return res


def is_idle(name):
    return name.startswith("idle") or name.endswith("-idle")


def net_of(cat, funcs, secs, bcat, bfuncs, bsecs):
    """counts minus the background's rate over secs"""
    k = secs / bsecs
    ncat = collections.Counter({c: cat[c] - bcat[c] * k for c in CATS})
    nf = {c: collections.Counter({f: v - bfuncs[c][f] * k for f, v in funcs[c].items()})
          for c in CATS}
    return ncat, nf


def read_cpu(path):
    """/proc/stat's cpu line and every thread's (comm, utime+stime,
    guest_time) in jiffies, by tid"""
    total, threads = None, {}
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return None, {}
    for line in lines:
        if line.startswith("cpu "):
            total = [int(x) for x in line.split()[1:]]
            continue
        m = re.match(r"(\d+) \((.*)\) (.*)$", line)
        if not m:
            continue
        f = m.group(3).split()
        # fields after comm: state(3) ... utime(14) stime(15) ... guest_time(43)
        try:
            threads[int(m.group(1))] = (m.group(2), int(f[11]) + int(f[12]), int(f[40]))
        except (IndexError, ValueError):
            pass
    return total, threads


def cpu_delta(d, name):
    f = os.path.join(d, "prof-raw", name)
    t0, th0 = read_cpu(f + ".cpu0")
    t1, th1 = read_cpu(f + ".cpu1")
    if not t0 or not t1:
        return None
    dt = [b - a for a, b in zip(t0, t1)]
    # user nice system idle iowait irq softirq steal guest guest_nice
    dt += [0] * (10 - len(dt))
    split = {"guest (vCPU in guest mode)": dt[8] + dt[9],
             "host VM user": dt[0] + dt[1] - dt[8] - dt[9],
             "host VM kernel": dt[2] + dt[5] + dt[6],
             "idle": dt[3] + dt[4], "steal": dt[7]}
    thr = collections.Counter()
    gtime = {}
    for tid, (comm, t, g) in th1.items():
        if tid in th0 and th0[tid][0] == comm:
            dd = t - th0[tid][1]
            if dd > 0:
                thr["%s" % comm] += dd
                gtime[comm] = gtime.get(comm, 0) + g - th0[tid][2]
    return split, thr, gtime


def phase_info(d):
    """prof-raw/phases.txt: name backend kind rc; counters; iperf3."""
    info = {}
    path = os.path.join(d, "prof-raw", "phases.txt")
    if not os.path.exists(path):
        return info
    for line in open(path):
        p = line.split()
        if len(p) < 4:
            continue
        name, b, kind, rc = p[:4]
        f = os.path.join(d, "prof-raw", name)
        s0, s1 = read_snap(f + ".s0"), read_snap(f + ".s1")
        delta = {k: s1[k] - s0[k] for k in s0 if k in s1}
        g2h = kind.endswith("g2h")
        r = {"backend": b, "kind": kind, "rc": int(rc), "secs": delta.get("t", 0)}
        if kind != "idle":
            r["bytes"] = delta.get("net_rx_bytes" if g2h else "net_tx_bytes", 0)
            r["frames"] = delta.get("net_rx_packets" if g2h else "net_tx_packets", 0)
            r["frames_back"] = delta.get("net_tx_packets" if g2h else "net_rx_packets", 0)
        for k in ("kvm_exits", "kvm_irq_injections", "kvm_mmio_exits", "kvm_io_exits",
                  "kvm_halt_exits", "venet_guest_kicks", "venet_irqs_sent"):
            if k in delta:
                r[k] = delta[k]
        try:
            j = json.load(open(f + ".json"))
            s = j["end"].get("sum_received") or j["end"].get("sum")
            r["iperf_bytes"] = s["bytes"]
            r["gbps"] = s["bits_per_second"] / 1e9
            if "packets" in j["end"].get("sum", {}):
                r["iperf_packets"] = j["end"]["sum"]["packets"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        r["cpu"] = cpu_delta(d, name)
        info[name] = r
    return info


def fmt(x):
    if x is None:
        return "-"
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    return "%.2f" % x


def ratio(x, y):
    return "%.2fx" % (x / y) if y > 0 and x >= 0 else "-"


def fmt_m(x):
    """instructions in millions (k for small); negative: 0 (net of the
    background, below its noise)"""
    if x is None:
        return "-"
    if x < 0:
        return "<0"
    if x >= 1e6:
        return "%.2fM" % (x / 1e6) if x < 1e7 else "%.1fM" % (x / 1e6)
    if x >= 1e4:
        return "%.0fk" % (x / 1e3)
    return "%.0f" % x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--md", help="also write the side-by-side tables (markdown) here")
    ap.add_argument("--no-fold", action="store_true",
                    help="list the slab debugging functions one by one in the side-by-side tables")
    a = ap.parse_args()
    d = a.dir
    phases = {}
    for f in sorted(glob.glob(os.path.join(d, "prof-*.txt"))):
        name = os.path.basename(f)[5:-4]
        if name in ("qemu-maps",):
            continue
        phases[name] = read_phase(f)
    if not phases:
        sys.exit("no prof-*.txt in %s" % d)
    host = Side("host VM", d, "host")
    guest = Side("guest", d, "guest")
    pfn_lo, pfn_hi = read_pfns(d)
    allblocks = [b for bl, m in phases.values() for b in bl]
    layout = Layout(d, allblocks, host)
    info = phase_info(d)
    res = classify(d, phases, host, guest, layout, pfn_lo, pfn_hi)
    out = []
    pr = out.append
    pr("# Per-frame cost by function (TCG plugin): %s" % d)
    pr("")
    pr(NOTE)
    pr("")
    # the address spaces
    pr("host VM kernel text %x-%x, guest kernel text %x-%x: %s" % (
        host.text[0], host.text[1], guest.text[0], guest.text[1],
        "OVERLAP (told apart by page, not by address)" if ranges_overlap(host.text, guest.text)
        else "no overlap"))
    hm = (host.mods[0][0], max(m[1] for m in host.mods)) if host.mods else (0, 0)
    gm = (guest.mods[0][0], max(m[1] for m in guest.mods)) if guest.mods else (0, 0)
    pr("host VM modules %x-%x, guest modules %x-%x: %s" % (
        hm[0], hm[1], gm[0], gm[1],
        "overlap (told apart by page, not by address)" if ranges_overlap(hm, gm) else "no overlap"))
    pr("QEMU RAM block at %s (mapping %.0f MiB), low RAM %d MiB, RAM %d MiB; guest RAM: %d runs of host VM pages" % (
        "%x" % layout.base if layout.base is not None else "?", layout.map_size / 2**20,
        layout.lowmem >> 20, layout.size >> 20, len(pfn_lo)))
    if layout.check:
        g, b = layout.check
        pr("check: host VM kernel text found at its iomem physical address for %.2f%% of its instructions" % (
            100.0 * g / max(1, g + b)))
    pr("")
    # the background: the idle phase (no traffic) with the lowest rate (an
    # idle phase can catch sporadic work of the harness, such as its
    # heartbeat reading /proc/kallsyms when /proc/modules changed)
    idle_rate, base = None, None
    for name in phases:
        if is_idle(name):
            m = phases[name][1]
            secs = float(m["end_unix"]) - float(m["start_unix"])
            rate = int(m["total_insns"]) / secs if secs > 0 else None
            pr("idle phase %s: %.3g instructions/s" % (name, rate or 0))
            if rate and (idle_rate is None or rate < idle_rate):
                idle_rate, base = rate, (name, secs)
    if base:
        pr("background subtracted in the net columns: %s" % base[0])
        pr("")
    rows = {}
    for name, (blocks, meta) in phases.items():
        cat, funcs, odd = res[name]
        tot = sum(cat.values())
        secs = float(meta["end_unix"]) - float(meta["start_unix"])
        r = info.get(name, {})
        pr("## %s" % name)
        pr("")
        pr("plugin window %.1f s, %.3g instructions (%.3g/s)%s" % (
            secs, tot, tot / secs if secs else 0,
            "; the background's rate over this window would be %.1f%% of it" % (
                100.0 * idle_rate * secs / tot) if idle_rate and not is_idle(name) else ""))
        unit, per = None, None
        if r.get("bytes"):
            pr("transfer %.1f s: %.4g bytes in %d frames (host-side netdev, data direction; %d frames back)%s" % (
                r["secs"], r["bytes"], r["frames"], r["frames_back"],
                ", iperf3 %.3f Gb/s" % r["gbps"] if "gbps" in r else ""))
            if r["kind"] == "rr":
                # one request to the guest and one reply per round trip
                unit, per = "round trip", r["frames"]
            elif r["kind"].startswith("udp"):
                unit, per = "packet", r["frames"]
            else:
                unit, per = "64 KiB", r["bytes"] / K64
        if per:
            kv = []
            for k, lab in (("kvm_exits", "KVM exits"), ("kvm_irq_injections", "interrupts injected"),
                           ("venet_guest_kicks", "venet kicks"), ("venet_irqs_sent", "venet irqs")):
                if k in r:
                    kv.append("%s %s" % (lab, fmt(r[k] / per)))
            pr("per %s: %s instructions; %s" % (unit, fmt_m(tot / per), ", ".join(kv)))
        cpu = r.get("cpu")
        if cpu:
            split, thr, gtime = cpu
            busy = sum(v for k, v in split.items() if k != "idle")
            allj = sum(split.values())
            pr("host VM CPU time (/proc/stat, %.1f CPU-s, %.0f%% busy): %s" % (
                allj / 100.0, 100.0 * busy / max(1, allj), ", ".join(
                    "%s %.0f%%" % (k, 100.0 * v / max(1, busy)) for k, v in split.items()
                    if k != "idle")))
            pr("  the same split in instructions: host VM kernel %.0f%%, host VM user %.0f%%, guest %.0f%%" % (
                100.0 * cat["host VM kernel"] / max(1, tot), 100.0 * cat["host VM user"] / max(1, tot),
                100.0 * (cat["guest kernel"] + cat["guest user"]) / max(1, tot)))
            pr("  threads (CPU-s): %s" % ", ".join(
                "%s %.2f%s" % (c, v / 100.0, " (guest mode %.2f)" % (gtime[c] / 100.0)
                               if gtime.get(c) else "") for c, v in thr.most_common(8)))
            r["cpu_split"] = (split, busy)
        sd = slub_share(funcs["host VM kernel"])
        r["slub"] = sd
        if cat["host VM kernel"]:
            pr("host VM slab debugging (slub_debug=FZPU: stack traces and checks, by function name): "
               "%.1f%% of the phase, %.1f%% of the host VM kernel" % (
                   100.0 * sd / max(1, tot), 100.0 * sd / cat["host VM kernel"]))
        for k, v in odd.items():
            pr("check: %s: %d instructions (%.2f%%)" % (k, v, 100.0 * v / max(1, tot)))
        pr("")
        pr("| category | share | instructions%s |" % (" per " + unit if unit else ""))
        pr("| --- | --- | --- |")
        for c in CATS:
            pr("| %s | %.1f%% | %s |" % (c, 100.0 * cat[c] / max(1, tot),
                                         fmt_m(cat[c] / per) if per else fmt_m(cat[c])))
        pr("")
        for c in ("host VM kernel", "guest kernel"):
            if not cat[c]:
                continue
            pr("top of %s (%% of the phase; instructions%s):" % (c, " per " + unit if unit else ""))
            for f, v in funcs[c].most_common(a.top):
                pr("  %5.1f%%  %8s  %s" % (100.0 * v / tot, fmt_m(v / per) if per else fmt_m(v), f))
            pr("")
        ncat, nfuncs = (net_of(cat, funcs, secs, res[base[0]][0], res[base[0]][1], base[1])
                        if base else (cat, funcs))
        rows[name] = (cat, funcs, tot, per, unit, r, ncat, nfuncs)
    # side by side
    md = []
    kinds = sorted({n.split("-", 1)[1] for n in rows if "-" in n and not is_idle(n)},
                   key=lambda k: ["tcp-g2h", "tcp-h2g", "udp64-g2h", "rr"].index(k)
                   if k in ["tcp-g2h", "tcp-h2g", "udp64-g2h", "rr"] else 9)
    for k in kinds:
        va, vh = rows.get("venet-" + k), rows.get("vhost-" + k)
        if not va or not vh or not va[3] or not vh[3]:
            continue
        unit = va[4]
        md.append("### %s: instructions per %s, venet vs vhost-net" % (k, unit))
        md.append("")
        md.append("| | venet | vhost-net | venet / vhost-net | venet, net | vhost-net, net | net ratio |")
        md.append("| --- | --- | --- | --- | --- | --- | --- |")
        ra, rh = va[5], vh[5]
        if "gbps" in ra and "gbps" in rh:
            md.append("| iperf3 Gb/s (this run, plugin loaded) | %.3f | %.3f | %.2fx | | | |" % (
                ra["gbps"], rh["gbps"], ra["gbps"] / rh["gbps"] if rh["gbps"] else 0))
        md.append("| frames (data direction) | %d | %d | | | | |" % (ra["frames"], rh["frames"]))
        if unit == "64 KiB":
            md.append("| bytes per frame | %.0f | %.0f | | | | |" % (ra["bytes"] / max(1, ra["frames"]),
                                                           rh["bytes"] / max(1, rh["frames"])))
        ta, th = va[2] / va[3], vh[2] / vh[3]
        na, nh = sum(va[6].values()) / va[3], sum(vh[6].values()) / vh[3]
        md.append("| **all instructions** | **%s** | **%s** | **%.2fx** | **%s** | **%s** | **%s** |" % (
            fmt_m(ta), fmt_m(th), ta / th, fmt_m(na), fmt_m(nh), ratio(na, nh)))
        x, y = va[0].execs / va[3], vh[0].execs / vh[3]
        md.append("| translation blocks executed | %s | %s | %s | | | |" % (fmt_m(x), fmt_m(y), ratio(x, y)))
        for c in CATS:
            x, y = va[0][c] / va[3], vh[0][c] / vh[3]
            nx, ny = va[6][c] / va[3], vh[6][c] / vh[3]
            md.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                c, fmt_m(x), fmt_m(y), ratio(x, y), fmt_m(nx), fmt_m(ny), ratio(nx, ny)))
            if c == "host VM kernel":
                x, y = ra["slub"] / va[3], rh["slub"] / vh[3]
                nx, ny = slub_share(va[7][c]) / va[3], slub_share(vh[7][c]) / vh[3]
                md.append("| of which slab debugging (by name) | %s | %s | %s | %s | %s | %s |" % (
                    fmt_m(x), fmt_m(y), ratio(x, y), fmt_m(nx), fmt_m(ny), ratio(nx, ny)))
        if ra.get("cpu_split") and rh.get("cpu_split"):
            for c in ("guest (vCPU in guest mode)", "host VM kernel", "host VM user"):
                x = 100.0 * ra["cpu_split"][0][c] / max(1, ra["cpu_split"][1])
                y = 100.0 * rh["cpu_split"][0][c] / max(1, rh["cpu_split"][1])
                md.append("| host VM busy time: %s | %.0f%% | %.0f%% | | | | |" % (c, x, y))
            x = sum(v for k, v in ra["cpu_split"][0].items() if k != "idle") / 100.0 / va[3]
            y = sum(v for k, v in rh["cpu_split"][0].items() if k != "idle") / 100.0 / vh[3]
            md.append("| host VM busy CPU ms per %s | %.2f | %.2f | %s | | | |" % (unit, 1e3 * x, 1e3 * y, ratio(x, y)))
        for kk, lab in (("kvm_exits", "KVM exits"), ("kvm_irq_injections", "interrupts injected")):
            if kk in ra and kk in rh:
                x, y = ra[kk] / va[3], rh[kk] / vh[3]
                md.append("| %s per %s | %s | %s | %s | | | |" % (lab, unit, fmt(x), fmt(y), ratio(x, y)))
        # the backends' own code: instructions in their modules
        for c, tag in (("guest kernel", "guest"), ("host VM kernel", "host")):
            mods = collections.Counter()
            for row, col in ((va, 0), (vh, 1)):
                for f, v in row[1][c].items():
                    m = re.search(r"\[(\w+)\]$", f)
                    if m and m.group(1) in BACKEND_MODS:
                        mods[m.group(1)] += 0
            for mname in sorted(mods):
                x = sum(v for f, v in va[1][c].items() if f.endswith("[%s]" % mname)) / va[3]
                y = sum(v for f, v in vh[1][c].items() if f.endswith("[%s]" % mname)) / vh[3]
                md.append("| %s module %s | %s | %s | | | | |" % (tag, mname, fmt_m(x), fmt_m(y)))
        md.append("")
        md.append("Top functions by instructions per %s net of the background, either backend "
                  "(`host:` host VM kernel, `guest:` guest kernel):" % unit)
        md.append("")
        md.append("| function | venet | vhost-net | venet, net | vhost-net, net |")
        md.append("| --- | --- | --- | --- | --- |")
        both = collections.Counter()
        fold = (lambda fs: fold_slub(fs)) if not a.no_fold else (lambda fs: fs)
        fa = {c: (fold(va[1][c]), fold(va[7][c])) for c in ("host VM kernel", "guest kernel")}
        fh = {c: (fold(vh[1][c]), fold(vh[7][c])) for c in ("host VM kernel", "guest kernel")}
        for c, tag in (("host VM kernel", "host"), ("guest kernel", "guest")):
            for f, v in fa[c][1].items():
                both[(tag, f)] = max(both[(tag, f)], v / va[3])
            for f, v in fh[c][1].items():
                both[(tag, f)] = max(both[(tag, f)], v / vh[3])
        for (tag, f), _ in both.most_common(a.top * 2):
            c = "host VM kernel" if tag == "host" else "guest kernel"
            md.append("| %s: %s | %s | %s | %s | %s |" % (
                tag, f if f.startswith("(") else "`%s`" % f,
                fmt_m(fa[c][0][f] / va[3]), fmt_m(fh[c][0][f] / vh[3]),
                fmt_m(fa[c][1][f] / va[3]), fmt_m(fh[c][1][f] / vh[3])))
        md.append("")
    pr("# Side by side")
    pr("")
    pr(NOTE)
    pr("")
    out.extend(md)
    print("\n".join(out))
    if a.md:
        with open(a.md, "w") as f:
            f.write(NOTE + "\n\n" + "\n".join(md) + "\n")


if __name__ == "__main__":
    main()
