#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: run the benchmark in the nest and write bench/results/.

  bench/run.py [--kernel 6.1] [--out bench/results] [--from bench.jsonl] [--no-chart]

Runs tests/vm/nest.py --test bench,bench-g2g (tests/vm/tests/bench.sh and
bench-g2g.sh: guest to guest through a bridge, g2g.jsonl) on one kernel
series, then turns its raw measurements (bench.jsonl, one JSON object per
measurement, see tests/vm/benchrec.py) into bench.json (median, min, max per
metric and backend), bench.md (the tables, ratios against vhost-net and veth,
the targets) and bench.png (matplotlib). --from skips the nest and reads a
bench.jsonl that exists (the smoke test does that in the host VM, without the
chart).
"""
import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BACKENDS = ["venet", "qemu", "vhost", "veth"]
NAMES = {"venet": "venet", "qemu": "virtio-net, QEMU (vhost=off)",
         "vhost": "virtio-net, vhost-net", "veth": "veth in the host VM"}

# (label, kind, params, field, unit, higher is better)
ROWS = [
    ("UDP request/response 64 B", "rr", {"size": 64}, "rate_rt_s", "round trips/s", True),
    ("  round trip p50, 64 B", "rr", {"size": 64}, "rtt_p50_us", "us", False),
    ("  round trip p99, 64 B", "rr", {"size": 64}, "rtt_p99_us", "us", False),
    ("UDP request/response 1400 B", "rr", {"size": 1400}, "rate_rt_s", "round trips/s", True),
    ("  round trip p50, 1400 B", "rr", {"size": 1400}, "rtt_p50_us", "us", False),
    ("  round trip p99, 1400 B", "rr", {"size": 1400}, "rtt_p99_us", "us", False),
    ("TCP guest -> host", "tcp", {"dir": "g2h"}, "gbps", "Gb/s", True),
    ("TCP host -> guest", "tcp", {"dir": "h2g"}, "gbps", "Gb/s", True),
    ("UDP 64 B guest -> host, received", "udp", {"dir": "g2h"}, "pps_rx", "packets/s", True),
    ("UDP 64 B guest -> host, sent", "udp", {"dir": "g2h"}, "pps_tx", "packets/s", True),
    ("host VM CPU per GB, TCP guest -> host", "tcp", {"dir": "g2h"}, "cpu_s_per_gb", "s/GB", False),
    ("host VM CPU per GB, TCP host -> guest", "tcp", {"dir": "h2g"}, "cpu_s_per_gb", "s/GB", False),
    ("guest CPU per Gb/s, TCP guest -> host", "tcp", {"dir": "g2h"}, "guest_cpu_pct_per_gbps", "% of its iperf3 server per Gb/s", False),
    ("guest CPU per Gb/s, TCP host -> guest", "tcp", {"dir": "h2g"}, "guest_cpu_pct_per_gbps", "% of its iperf3 server per Gb/s", False),
    ("KVM exits per round trip, 64 B", "rr", {"size": 64}, "exits_per_rt", "", False),
    ("KVM interrupts per round trip, 64 B", "rr", {"size": 64}, "irqs_per_rt", "", False),
    ("  the same, net of the quiet guest: exits", "rr", {"size": 64}, "exits_net_per_rt", "", False),
    ("  the same, net of the quiet guest: interrupts", "rr", {"size": 64}, "irqs_net_per_rt", "", False),
    ("KVM exits per packet, TCP guest -> host", "tcp", {"dir": "g2h"}, "exits_per_pkt", "", False),
    ("KVM interrupts per packet, TCP guest -> host", "tcp", {"dir": "g2h"}, "irqs_per_pkt", "", False),
    ("KVM exits per packet, TCP host -> guest", "tcp", {"dir": "h2g"}, "exits_per_pkt", "", False),
    ("KVM interrupts per packet, TCP host -> guest", "tcp", {"dir": "h2g"}, "irqs_per_pkt", "", False),
    ("KVM exits per packet, UDP 64 B", "udp", {"dir": "g2h"}, "exits_per_pkt", "", False),
    ("KVM interrupts per packet, UDP 64 B", "udp", {"dir": "g2h"}, "irqs_per_pkt", "", False),
    ("venet kicks per packet, TCP guest -> host", "tcp", {"dir": "g2h"}, "venet_kicks_per_pkt", "", False),
    ("venet interrupts per packet, TCP guest -> host", "tcp", {"dir": "g2h"}, "venet_irqs_per_pkt", "", False),
    ("venet kicks per packet, TCP host -> guest", "tcp", {"dir": "h2g"}, "venet_kicks_per_pkt", "", False),
    ("venet interrupts per packet, TCP host -> guest", "tcp", {"dir": "h2g"}, "venet_irqs_per_pkt", "", False),
    ("venet kicks per packet, UDP 64 B", "udp", {"dir": "g2h"}, "venet_kicks_per_pkt", "", False),
    ("venet interrupts per packet, UDP 64 B", "udp", {"dir": "g2h"}, "venet_irqs_per_pkt", "", False),
    ("idle ping from the host VM: round trip, average", "idle", {"from": "host"}, "rtt_avg_us", "us", False),
    ("idle ping from the host VM: KVM exits per round trip", "idle", {"from": "host"}, "exits_per_rt", "", False),
    ("idle ping from the host VM: KVM interrupts per round trip", "idle", {"from": "host"}, "irqs_per_rt", "", False),
    ("  the same, net of the quiet guest: exits", "idle", {"from": "host"}, "exits_net_per_rt", "", False),
    ("  the same, net of the quiet guest: interrupts", "idle", {"from": "host"}, "irqs_net_per_rt", "", False),
    ("idle ping from the host VM: venet kicks per round trip", "idle", {"from": "host"}, "venet_kicks_per_rt", "", False),
    ("idle ping from the host VM: venet interrupts per round trip", "idle", {"from": "host"}, "venet_irqs_per_rt", "", False),
    ("idle ping from the guest: round trip, average", "idle", {"from": "guest"}, "rtt_avg_us", "us", False),
    ("idle ping from the guest: venet kicks per round trip", "idle", {"from": "guest"}, "venet_kicks_per_rt", "", False),
    ("idle ping from the guest: venet interrupts per round trip", "idle", {"from": "guest"}, "venet_irqs_per_rt", "", False),
    ("quiet guest: KVM exits per second", "quiet", {}, "exits_per_s", "", False),
    ("quiet guest: KVM interrupts per second", "quiet", {}, "irq_injections_per_s", "", False),
]
# bench-g2g: two guests on one bridge of the host VM, venet and vhost-net
G2G_ROWS = [
    ("TCP guest -> guest", "g2g-tcp", "gbps", "Gb/s", True),
    ("request/response 64 B guest -> guest", "g2g-rr", "rate_rt_s", "round trips/s", True),
    ("  round trip p50, 64 B", "g2g-rr", "rtt_p50_us", "us", False),
    ("  round trip p99, 64 B", "g2g-rr", "rtt_p99_us", "us", False),
]
SWEEP_FIELDS = [("gbps", "TCP g2h Gb/s", "tcp"), ("exits_per_pkt", "exits/pkt", "tcp"),
                ("irqs_per_pkt", "KVM irqs/pkt", "tcp"), ("venet_kicks_per_pkt", "kicks/pkt", "tcp"),
                ("venet_irqs_per_pkt", "venet irqs/pkt", "tcp"),
                ("rtt_p50_us", "RR 64 B p50 us", "rr"), ("rate_rt_s", "RR 64 B rt/s", "rr"),
                ("venet_irqs_per_rt", "irqs/rt", "rr"),
                ("pps_rx", "UDP 64 B pkt/s", "udp"), ("venet_kicks_per_pkt", "UDP kicks/pkt", "udp")]


def stats(values):
    v = sorted(x for x in values if isinstance(x, (int, float)))
    if not v:
        return None
    med = statistics.median(v)
    return {"median": med, "min": v[0], "max": v[-1], "n": len(v),
            "spread_pct": round(100 * (v[-1] - v[0]) / med, 1) if med else None}


def select(recs, kind, params, backend=None, sweep=False):
    out = []
    for r in recs:
        if r["kind"] != kind or (backend and r["backend"] != backend):
            continue
        if ("sweep" in r["params"]) != sweep:
            continue
        if all(r["params"].get(k) == v for k, v in params.items()):
            out.append(r)
    return out


def net_of_background(recs):
    """Add exits/interrupts per round trip net of the quiet guest's rate
    (timer ticks and the like during the measurement's wall time)."""
    quiet = [r for r in recs if r["kind"] == "quiet" and r.get("wall_s")]
    if not quiet:
        return
    rate = {k: statistics.median(r["counters"].get("kvm_" + k, 0) / r["wall_s"] for r in quiet)
            for k in ("exits", "irq_injections")}
    for r in recs:
        rts = r.get("round_trips_total", r.get("round_trips"))
        c = r.get("counters", {})
        if r["kind"] not in ("rr", "idle") or not rts or "kvm_exits" not in c:
            continue
        for k, short in (("exits", "exits"), ("irq_injections", "irqs")):
            r[short + "_net_per_rt"] = (c["kvm_" + k] - rate[k] * r["wall_s"]) / rts


def key_of(i):
    """The key of ROWS[i] in bench.json: indented rows name their parent."""
    label = ROWS[i][0]
    if label.startswith("  the same"):
        j = i
        while ROWS[j][0].startswith("  "):
            j -= 1
        return "%s; %s" % (ROWS[j][0], label.strip())
    return label.strip()


def aggregate(recs):
    res = {"backends": {}, "sweep": {}}
    net_of_background(recs)
    for i, (label, kind, params, field, unit, _) in enumerate(ROWS):
        for b in BACKENDS:
            s = stats([r.get(field) for r in select(recs, kind, params, b)])
            if s:
                res["backends"].setdefault(b, {})[key_of(i)] = dict(s, unit=unit, field=field)
    # venet / vhost-net round by round (one backend's slow round does not
    # decide a ratio): the median of the per-round ratios and their range
    res["round_ratios"] = {}
    for i, (label, kind, params, field, unit, _) in enumerate(ROWS):
        per = {}
        for b in ("venet", "vhost"):
            for r in select(recs, kind, params, b):
                v = r.get(field)
                if isinstance(v, (int, float)):
                    per.setdefault(r["round"], {}).setdefault(b, []).append(v)
        ratios = [statistics.median(d["venet"]) / statistics.median(d["vhost"])
                  for d in per.values()
                  if "venet" in d and "vhost" in d and statistics.median(d["vhost"])]
        s = stats(ratios)
        if s:
            res["round_ratios"][key_of(i)] = s
    for knob in ("txmitigation", "burstthresh", "linger_us"):
        pts = {}
        for r in recs:
            if r["params"].get("sweep") == knob:
                v = r["params"][knob]
                for field, name, kind in SWEEP_FIELDS:
                    if r["kind"] == kind and field in r:
                        pts.setdefault(v, {}).setdefault(name, []).append(r[field])
        res["sweep"][knob] = {str(v): {n: statistics.median(x) for n, x in f.items()}
                              for v, f in sorted(pts.items())}
    return res


def aggregate_g2g(recs):
    """Per backend median [min-max] and the per-round venet / vhost-net
    ratios of the guest-to-guest rows."""
    out = {}
    for label, kind, field, unit, _ in G2G_ROWS:
        row = {"unit": unit}
        per = {}
        for b in ("venet", "vhost"):
            vals = [r.get(field) for r in recs if r["kind"] == kind and r["backend"] == b]
            st = stats(vals)
            if st:
                row[b] = st
            for r in recs:
                if r["kind"] == kind and r["backend"] == b and isinstance(r.get(field), (int, float)):
                    per.setdefault(r["round"], {})[b] = r[field]
        ratios = [d["venet"] / d["vhost"] for d in per.values() if "venet" in d and d.get("vhost")]
        if ratios:
            row["ratio"] = stats(ratios)
        out[label.strip()] = row
    return out


def med(res, b, label):
    return (res["backends"].get(b, {}).get(label) or {}).get("median")


def fmt(x):
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return "%.0f" % x
    if abs(x) >= 10:
        return "%.1f" % x
    if abs(x) >= 0.1:
        return "%.2f" % x
    return "%.3f" % x


def targets(res):
    """The targets of the issue: (what, value, met). Ratios against
    vhost-net are medians of the per-round ratios, with their range."""
    t = []

    def rr(label):
        return res.get("round_ratios", {}).get(label)

    def show(s):
        if not s:
            return "-"
        if s["n"] > 1:
            return "%sx [%s-%s], %d rounds" % (fmt(s["median"]), fmt(s["min"]), fmt(s["max"]), s["n"])
        return "%sx, 1 round" % fmt(s["median"])

    def ge(label, lim, what):
        s = rr(label)
        t.append((what, show(s), s is not None and s["median"] >= lim))

    def le(label, lim, what):
        s = rr(label)
        t.append((what, show(s), s is not None and s["median"] <= lim))

    ge("UDP request/response 64 B", 1.5, "request/response rate (64 B) >= 1.5x vhost-net")
    le("round trip p50, 64 B", 0.7, "round trip p50 (64 B) <= 0.7x vhost-net")
    ge("TCP guest -> host", 1.0, "TCP guest -> host >= 1.0x vhost-net")
    ge("TCP host -> guest", 1.0, "TCP host -> guest >= 1.0x vhost-net")
    ge("UDP 64 B guest -> host, received", 1.0, "UDP 64 B guest -> host >= 1.0x vhost-net")
    le("guest CPU per Gb/s, TCP guest -> host", 1.0, "guest CPU per Gb/s, TCP guest -> host <= vhost-net's")
    le("guest CPU per Gb/s, TCP host -> guest", 1.0, "guest CPU per Gb/s, TCP host -> guest <= vhost-net's")
    for what, lim, key in (("kicks", 0.05, "venet kicks per packet"),
                           ("interrupts", 0.12, "venet interrupts per packet")):
        vals = [(w, med(res, "venet", "%s, %s" % (key, w)))
                for w in ("TCP guest -> host", "TCP host -> guest", "UDP 64 B")]
        ok = all(v is not None and v <= lim for _, v in vals)
        t.append(("bulk <= %s %s per packet" % (lim, what),
                  ", ".join("%s %s" % (w, fmt(v)) for w, v in vals), ok))
    for frm in ("the host VM", "the guest"):
        k = med(res, "venet", "idle ping from %s: venet kicks per round trip" % frm)
        i = med(res, "venet", "idle ping from %s: venet interrupts per round trip" % frm)
        t.append(("idle, ping from %s: 1 kick and 1 interrupt per round trip" % frm,
                  "%s kicks, %s interrupts" % (fmt(k), fmt(i)),
                  k is not None and i is not None and abs(k - 1) < 0.05 and abs(i - 1) < 0.05))
    return t


def markdown(res, meta):
    L = ["# vbus benchmark results", "",
         "Generated by `make bench` (bench/run.py) from `bench.jsonl`; method and discussion in "
         "[docs/performance.md](../../docs/performance.md).", ""]
    L += ["- %s: %s" % (k, v) for k, v in meta.items()]
    L += ["", "Each cell: median [min-max] over the rounds (TCP and UDP: one run per round); "
          "venet / vhost-net: the median [min-max] of the ratios of each round. "
          "Per packet = per frame counted on the host VM's netdev of the backend "
          "(venet-tapN, tap, veth; TSO/GRO frames count once). KVM counters are the "
          "guest VM's, from the host VM's debugfs; veth involves no guest. \"Net of the "
          "quiet guest\": minus the exits and interrupts the guest takes with no traffic "
          "(its rate in a quiet window, times the measurement's wall time).", ""]
    L.append("| metric | " + " | ".join(NAMES[b] for b in BACKENDS) + " | venet / vhost-net | venet / veth |")
    L.append("| --- |" + " --- |" * (len(BACKENDS) + 2))
    for i, (label, _, _, _, unit, _) in enumerate(ROWS):
        key = key_of(i)
        cells = []
        for b in BACKENDS:
            s = res["backends"].get(b, {}).get(key)
            cells.append("-" if not s else "%s [%s-%s]" % (fmt(s["median"]), fmt(s["min"]), fmt(s["max"]))
                         if s["n"] > 1 else fmt(s["median"]))
        v, e = med(res, "venet", key), med(res, "veth", key)
        q = res.get("round_ratios", {}).get(key)
        cells.append("-" if not q else "%sx [%s-%s]" % (fmt(q["median"]), fmt(q["min"]), fmt(q["max"]))
                     if q["n"] > 1 else "%sx" % fmt(q["median"]))
        cells.append("%sx" % fmt(v / e) if v is not None and e else "-")
        L.append("| %s%s | %s |" % (label.replace("  ", "&nbsp;&nbsp;"), " (%s)" % unit if unit else "",
                                      " | ".join(cells)))
    if res.get("guests_lost"):
        L += ["", "## Guests lost", "",
              "The guest stopped answering during these measurements; each time the bench "
              "checked that its console names none of our modules, kept its state "
              "(`guest-lost-N/` in the test's logs), started a new guest and made the "
              "measurement again (docs/performance.md).", "",
              "| during | backend | round | parameters | the guest's console |", "| --- | --- | --- | --- | --- |"]
        for r in res["guests_lost"]:
            p = dict(r["params"])
            during = p.pop("during", "?")
            L.append("| %s | %s | %s | %s | %s |" % (
                during, NAMES.get(r["backend"], r["backend"]), r["round"],
                " ".join("%s=%s" % kv for kv in sorted(p.items())) or "-",
                r["signature"].replace("|", "\\|")))
    if res.get("g2g"):
        L += ["", "## Guest to guest through a bridge", "",
              "`bench-g2g`: two guests (one vCPU each), each with a venet NIC (its venet-tap a "
              "port of one bridge of the host VM) and a virtio-net NIC with vhost-net (its tap "
              "a port of another); g1 the client, g2 the server; the backends alternate from "
              "round to round. Median [min-max] over the rounds; venet / vhost-net: the median "
              "[min-max] of the per-round ratios.", "",
              "| metric | venet | virtio-net, vhost-net | venet / vhost-net |", "| --- | --- | --- | --- |"]
        for label, _, _, unit, _ in G2G_ROWS:
            row = res["g2g"].get(label.strip(), {})

            def cell(st, x=""):
                if not st:
                    return "-"
                if st["n"] > 1:
                    return "%s%s [%s-%s]" % (fmt(st["median"]), x, fmt(st["min"]), fmt(st["max"]))
                return "%s%s" % (fmt(st["median"]), x)
            L.append("| %s (%s) | %s | %s | %s |" % (label.replace("  ", "&nbsp;&nbsp;"), unit,
                                                    cell(row.get("venet")), cell(row.get("vhost")),
                                                    cell(row.get("ratio"), "x")))
    L += ["", "## Targets", "", "| target | venet | met |", "| --- | --- | --- |"]
    for what, val, ok in targets(res):
        L.append("| %s | %s | %s |" % (what, val, "yes" if ok else "**no**"))
    for knob, pts in res["sweep"].items():
        if not pts:
            continue
        names = [n for _, n, _ in SWEEP_FIELDS
                 if any(n in f for f in pts.values())]
        others = {"txmitigation": " (burstthresh 64)", "burstthresh": " (txmitigation 10)",
                  "linger_us": " (txmitigation 10, burstthresh 64)"}
        L += ["", "## venet %s sweep" % knob, "",
              "One run per point%s." % others[knob], "",
              "| %s | " % knob + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
        for v, f in pts.items():
            L.append("| %s | %s |" % (v, " | ".join(fmt(f.get(n)) for n in names)))
    return "\n".join(L) + "\n"


def chart(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(2, 3, figsize=(15, 8.5))
    colors = {"venet": "tab:red", "qemu": "tab:gray", "vhost": "tab:blue", "veth": "tab:green"}

    def bars(a, labels, title, ylabel, ticks=None):
        w = 0.8 / len(BACKENDS)
        for i, b in enumerate(BACKENDS):
            ys, lo, hi = [], [], []
            for lab in labels:
                s = res["backends"].get(b, {}).get(lab)
                m = s["median"] if s else 0
                ys.append(m)
                lo.append(m - s["min"] if s else 0)
                hi.append(s["max"] - m if s else 0)
            a.bar([j + i * w for j in range(len(labels))], ys, w, yerr=[lo, hi], capsize=3,
                  color=colors[b], label=NAMES[b])
        a.set_xticks([j + w * (len(BACKENDS) - 1) / 2 for j in range(len(labels))])
        a.set_xticklabels(ticks or [lab.replace("UDP request/response ", "RR ")
                                    .replace("round trip ", "").replace("TCP ", "")
                                    for lab in labels], fontsize=8)
        a.set_title(title, fontsize=10)
        a.set_ylabel(ylabel)

    bars(ax[0][0], ["UDP request/response 64 B", "UDP request/response 1400 B"],
         "sockperf ping-pong rate", "round trips/s")
    ax[0][0].legend(fontsize=7)
    bars(ax[0][1], ["round trip p50, 64 B", "round trip p99, 64 B", "round trip p50, 1400 B",
                    "round trip p99, 1400 B"], "round trip latency (log scale)", "us")
    ax[0][1].set_yscale("log")
    bars(ax[0][2], ["TCP guest -> host", "TCP host -> guest"], "iperf3 TCP", "Gb/s")
    bars(ax[1][0], ["KVM exits per packet, TCP guest -> host", "KVM interrupts per packet, TCP guest -> host",
                    "KVM exits per packet, TCP host -> guest", "KVM interrupts per packet, TCP host -> guest"],
         "KVM exits / injected interrupts per packet (TCP)", "per packet",
         ["exits\ng2h", "interrupts\ng2h", "exits\nh2g", "interrupts\nh2g"])
    bars(ax[1][1], ["UDP 64 B guest -> host, received"], "UDP 64 B guest -> host", "packets/s")
    a = ax[1][2]
    pts = res["sweep"].get("txmitigation") or {}
    if pts:
        xs = list(pts)
        a.plot(xs, [pts[x].get("TCP g2h Gb/s") or 0 for x in xs], "o-", color="tab:red", label="TCP g2h Gb/s")
        a.set_xlabel("venet txmitigation")
        a.set_ylabel("Gb/s")
        b2 = a.twinx()
        b2.plot(xs, [pts[x].get("venet irqs/pkt") or 0 for x in xs], "s--", color="tab:purple",
                label="venet interrupts/packet")
        b2.plot(xs, [pts[x].get("exits/pkt") or 0 for x in xs], "^:", color="tab:brown",
                label="KVM exits/packet")
        b2.set_ylabel("per packet")
        a.set_ylim(bottom=0)
        b2.set_ylim(bottom=0)
        a.legend(loc="upper left", fontsize=7)
        b2.legend(loc="upper right", fontsize=7)
    a.set_title("venet txmitigation sweep (TCP guest -> host)", fontsize=10)
    fig.suptitle("vbus in the nest: venet vs virtio-net (QEMU, vhost-net) vs veth; median, bars min-max")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def newest_jsonl(kernel):
    found = glob.glob(os.path.join(REPO, "build", "vm", "logs", kernel, "boot-*", "bench", "bench.jsonl"))
    return max(found, key=os.path.getmtime) if found else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="6.1")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--from", dest="src", help="a bench.jsonl to read instead of running the nest")
    ap.add_argument("--no-chart", action="store_true")
    args = ap.parse_args()
    meta = {}
    rc = 0
    src = args.src
    if not src:
        start = time.time()
        # two host VM vCPUs: the guest gets one of its own, as on a real
        # host (the test bed's default is one; tests/vm/README.md)
        env = dict(os.environ)
        env.setdefault("NEST_SMP", "2")
        # no slab debugging in the host VM either: make check's host VMs
        # run with slub_debug=FZP, which costs every allocation and free
        # on the host side of every backend
        env.setdefault("NEST_DEBUG", "")
        rc = subprocess.call([sys.executable, os.path.join(REPO, "tests", "vm", "nest.py"),
                              "--kernel", args.kernel, "--test", "bench,bench-g2g"], env=env)
        src = newest_jsonl(args.kernel)
        if not src or os.path.getmtime(src) < start:
            sys.exit("bench: the nest produced no bench.jsonl")
        took = (open(os.path.join(os.path.dirname(src), "rc")).read().split() + ["?", "?"])[1]
        meta["nest"] = "tests/vm/nest.py --kernel %s --test bench,bench-g2g: %s, bench took %s s" % (
            args.kernel, "passed" if rc == 0 else "FAILED (exit %d)" % rc, took)
        meta["host VM kernel debugging"] = env["NEST_DEBUG"] or "none"
        meta["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        meta["build machine"] = "%s, %d CPUs" % (platform.processor() or platform.machine(), os.cpu_count())
    rcfile = os.path.join(os.path.dirname(os.path.abspath(src)), "rc")
    if "nest" not in meta and os.path.exists(rcfile):
        st = (open(rcfile).read().split() + ["?", "?"])[:2]
        meta["nest"] = "the bench test exited %s after %s s" % tuple(st)
        meta["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(src)))
    bootlog = os.path.join(os.path.dirname(os.path.abspath(src)), "..", "boot-dmesg.txt")
    if "host VM kernel debugging" not in meta and os.path.exists(bootlog):
        for line in open(bootlog, errors="replace"):
            if "Command line:" in line:
                dbg = [w for w in line.split() if w.startswith(("slub_debug", "kasan", "debug_pagealloc"))]
                meta["host VM kernel debugging"] = " ".join(dbg) or "none"
                break
    cpufile = os.path.join(os.path.dirname(os.path.abspath(src)), "cpu.txt")
    if os.path.exists(cpufile):
        cpu = {}
        for line in open(cpufile):
            k, _, v = line.partition(":")
            cpu[k.strip()] = v.strip()
        for side in ("host VM", "guest"):
            fl = cpu.get(side + " flags", "").split()
            if side in cpu:
                meta["CPU, " + side] = "%s; ERMS %s, FSRM %s (%d flags)" % (
                    cpu[side], "yes" if "erms" in fl else "no", "yes" if "fsrm" in fl else "no", len(fl))
    recs = []
    with open(src) as f:
        for line in f:
            if line.strip():
                recs.append(json.loads(line))
    if not recs:
        sys.exit("bench: %s is empty" % src)
    lost = [r for r in recs if r["kind"] == "lost"]
    recs = [r for r in recs if r["kind"] != "lost"]
    if not recs:
        sys.exit("bench: %s holds no measurement" % src)
    meta["records"] = "%d measurements, %d rounds" % (len(recs), max(r["round"] for r in recs))
    meta["guests lost"] = "%d (each replaced, its measurement made again: see below)" % len(lost) \
        if lost else "none"
    os.makedirs(args.out, exist_ok=True)
    res = aggregate(recs)
    res["meta"] = meta
    res["guests_lost"] = lost
    res["targets"] = [{"target": w, "venet": v, "met": ok} for w, v, ok in targets(res)]
    # bench-g2g's records, from the same host VM boot (or beside --from)
    g2g = [os.path.join(os.path.dirname(os.path.abspath(src)), "..", "bench-g2g", "g2g.jsonl"),
           os.path.join(os.path.dirname(os.path.abspath(src)), "g2g.jsonl")]
    g2g = [g for g in g2g if os.path.exists(g)]
    if g2g:
        with open(g2g[0]) as f:
            grecs = [json.loads(line) for line in f if line.strip()]
        res["g2g"] = aggregate_g2g(grecs)
        meta["guest to guest"] = "%d measurements (bench-g2g)" % len(grecs)
        if os.path.abspath(g2g[0]) != os.path.abspath(os.path.join(args.out, "g2g.jsonl")):
            shutil.copy(g2g[0], os.path.join(args.out, "g2g.jsonl"))
    if os.path.abspath(src) != os.path.abspath(os.path.join(args.out, "bench.jsonl")):
        shutil.copy(src, os.path.join(args.out, "bench.jsonl"))
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")
    md = markdown(res, meta)
    with open(os.path.join(args.out, "bench.md"), "w") as f:
        f.write(md)
    print(md)
    if not args.no_chart:
        try:
            chart(res, os.path.join(args.out, "bench.png"))
        except ImportError:
            print("bench: no chart: %s has no matplotlib (tests/deps.sh installs "
                  "python3-matplotlib for /usr/bin/python3)" % sys.executable, file=sys.stderr)
            rc = rc or 1
    missing = [b for b in BACKENDS if b not in res["backends"]]
    if missing:
        print("bench: no results for %s" % ", ".join(missing), file=sys.stderr)
        return 1
    return 1 if rc else 0


if __name__ == "__main__":
    sys.exit(main())
