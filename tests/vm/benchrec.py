#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's measurements into JSON lines (runs in the host VM).

  benchrec.py OUT MANIFEST

Each line of MANIFEST is one measurement (see benchlib.sh):
  KIND BACKEND ROUND SNAP0 SNAP1 RAW RC [key=value ...]
KIND is rr (sockperf ping-pong), tcp or udp (iperf3 -J), idle (ping),
quiet (no traffic), or lost (a guest lost during the measurement named by
during=KIND; RAW holds the signature of its crash, SNAP0/SNAP1 are "-").
SNAP0/SNAP1 are counter snapshots ("name value" lines) taken just before
and just after the tool ran; RAW is the tool's output.
Appends one JSON object per measurement to OUT and prints one line per
measurement: "ok - SUMMARY", or "not ok - SUMMARY" when it produced no number.

A sockperf run with round trips but none inside its valid window ("No valid
observations": the machine stalled through the window) is the tool having
measured nothing, not the backend failing. It is recorded with
"tool_measured_nothing": true and reported as "ok - ... # SKIP ...", unless
veth's run of the same size (the same round; for the venet-only sweep, any
round) measured: then the backend measured nothing where the bed could, and
it is "not ok". A run with no round trip at all is "not ok" for every
backend (veth: the test bed or the tool is broken).
"""
import json
import os
import re
import sys

HZ = 100  # USER_HZ: the unit of /proc/stat


def snap(path):
    d = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                try:
                    d[parts[0]] = float(parts[1])
                except ValueError:
                    pass
    return d


def sockperf(text):
    """Round trips of a sockperf ping-pong run (--full-rtt, microseconds)."""
    m = {}
    tot = re.search(r"\[Total Run\] RunTime=([\d.]+) sec;.*?ReceivedMessages=(\d+)", text)
    val = re.search(r"\[Valid Duration\] RunTime=([\d.]+) sec;.*?ReceivedMessages=(\d+)", text)
    if tot:
        m["round_trips_total"] = int(tot.group(2))
    if val and float(val.group(1)) > 0:
        m["round_trips"] = int(val.group(2))
        m["rate_rt_s"] = int(val.group(2)) / float(val.group(1))
    for name, key in (("50.000", "rtt_p50_us"), ("99.000", "rtt_p99_us"),
                      ("90.000", "rtt_p90_us")):
        p = re.search(r"percentile %s = +([\d.]+)" % re.escape(name), text)
        if p:
            m[key] = float(p.group(1))
    a = re.search(r"avg-rtt=([\d.]+)", text)
    if a:
        m["rtt_avg_us"] = float(a.group(1))
    return m


def iperf3(text, kind):
    m = {}
    try:
        end = json.loads(text[text.index("{"):])["end"]
    except (ValueError, KeyError):
        return m
    r = end.get("sum_received") or {}
    s = end.get("sum_sent") or {}
    if kind == "tcp":
        if r.get("seconds"):
            m["gbps"] = r["bits_per_second"] / 1e9
            m["bytes"] = r["bytes"]
            m["seconds"] = r["seconds"]
            # the server's CPU (the guest's, or veth's namespace), as
            # iperf3 measures it: user + system time of its process
            cpu = (end.get("cpu_utilization_percent") or {}).get("remote_total")
            if isinstance(cpu, (int, float)) and m["gbps"] > 0:
                m["guest_cpu_pct"] = cpu
                m["guest_cpu_pct_per_gbps"] = cpu / m["gbps"]
        m["retransmits"] = s.get("retransmits")
    else:
        if r.get("seconds"):
            m["pps_rx"] = (r["packets"] - r["lost_packets"]) / r["seconds"]
            m["pps_tx"] = s["packets"] / s["seconds"] if s.get("seconds") else None
            m["loss_pct"] = r.get("lost_percent")
            m["bytes"] = r["bytes"]
            m["seconds"] = r["seconds"]
    return m


def ping(text):
    m = {}
    p = re.search(r"(\d+) packets transmitted, (\d+) received", text)
    if p:
        m["round_trips"] = int(p.group(2))
    a = re.search(r"= [\d.]+/([\d.]+)/", text)
    if a:
        m["rtt_avg_us"] = float(a.group(1)) * 1000
    return m


MAIN = {"rr": "rate_rt_s", "tcp": "gbps", "udp": "pps_rx", "idle": "round_trips",
        "quiet": "wall_s"}


def one(out, kind, backend, rnd, s0, s1, raw, rc, *kvs):
    params = {}
    for kv in kvs:
        k, _, v = kv.partition("=")
        params[k] = int(v) if re.fullmatch(r"-?\d+", v) else v
    with open(raw, errors="replace") as f:
        text = f.read()
    if kind == "lost":
        rec = {"kind": kind, "backend": backend, "round": int(rnd), "params": params,
               "signature": text.strip(), "state": os.path.basename(os.path.dirname(raw))}
        with open(out, "a") as f:
            f.write(json.dumps(rec, sort_keys=True) + "\n")
        return "# guest lost during %s %s round %s %s: %s" % (params.get("during"), backend, rnd,
                                                            params, rec["signature"])
    a, b = snap(s0), snap(s1)
    delta = {k: b[k] - a[k] for k in a if k in b and k != "t"}
    rec = {"kind": kind, "backend": backend, "round": int(rnd), "params": params,
           "rc": int(rc), "wall_s": round(b.get("t", 0) - a.get("t", 0), 3)}
    if kind == "rr":
        rec.update(sockperf(text))
    elif kind in ("tcp", "udp"):
        rec.update(iperf3(text, kind))
    elif kind == "idle":
        rec.update(ping(text))
    pkts = delta.get("net_rx_packets", 0) + delta.get("net_tx_packets", 0)
    rec["packets"] = int(pkts)
    rec["counters"] = {k: int(v) for k, v in delta.items()}
    busy = delta.get("cpu_busy", 0) / HZ
    rec["host_cpu_s"] = round(busy, 2)
    if kind == "quiet" and rec["wall_s"] > 0:
        for key in ("kvm_exits", "kvm_irq_injections"):
            if key in delta:
                rec[key[4:] + "_per_s"] = delta[key] / rec["wall_s"]
    if kind == "tcp" and rec.get("bytes"):
        rec["cpu_s_per_gb"] = busy / (rec["bytes"] / 1e9)
    # notifications per packet on the host-side device, and per round trip
    names = {"kvm_exits": "exits", "kvm_irq_injections": "irqs",
             "venet_guest_kicks": "venet_kicks", "venet_irqs_sent": "venet_irqs"}
    for key, short in names.items():
        if key not in delta:
            continue
        if pkts:
            rec[short + "_per_pkt"] = delta[key] / pkts
        rts = rec.get("round_trips_total", rec.get("round_trips")) if kind in ("rr", "idle") else None
        if rts:
            rec[short + "_per_rt"] = delta[key] / rts
    for k, v in list(rec.items()):
        if isinstance(v, float):
            rec[k] = round(v, 4)
    main_v = rec.get(MAIN[kind])
    tool = (kind == "rr" and rc == "0" and not main_v and rec.get("round_trips_total", 0) > 0
            and "No valid observations" in text)
    if tool:
        rec["tool_measured_nothing"] = True
    with open(out, "a") as f:
        f.write(json.dumps(rec, sort_keys=True) + "\n")
    show = {k: rec[k] for k in ("exits_per_s", "irq_injections_per_s", "rtt_p50_us", "rtt_p99_us", "rate_rt_s", "gbps", "pps_rx",
                                "cpu_s_per_gb", "exits_per_pkt", "irqs_per_pkt",
                                "venet_kicks_per_pkt", "venet_irqs_per_pkt", "exits_per_rt",
                                "irqs_per_rt", "venet_kicks_per_rt", "venet_irqs_per_rt")
            if k in rec}
    ok = rc == "0" and main_v
    what = "%s %s round %s %s: %s" % (backend, kind, rnd, params, json.dumps(show))
    if ok:
        return ("ok", rec, "ok - " + what)
    if tool:
        return ("tool", rec, what + " (sockperf: no valid observations, %d round trips in all)"
                % rec["round_trips_total"])
    if kind == "rr" and backend == "veth":
        why = "veth carried no round trip: the test bed or the tool failed"
    elif kind == "rr":
        why = "no round trip crossed %s" % backend
    else:
        why = "no number"
    return ("not ok", rec, "not ok - %s (exit %s, %s)" % (what, rc, why))


def judge_tool(rec, line, done):
    """A sockperf run that measured nothing (status "tool"): a SKIP unless
    veth's run of the same size measured (same round, else any round)."""
    if rec["backend"] == "veth":
        return "ok - %s # SKIP the tool measured nothing: a test-bed condition" % line
    size = rec["params"].get("size")
    veth = [r for r in done if r["kind"] == "rr" and r["backend"] == "veth"
            and r["params"].get("size") == size]
    same = [r for r in veth if r["round"] == rec["round"]]
    ref = same or veth
    if any(r.get("rate_rt_s") for r in ref):
        return ("not ok - %s: %s measured nothing where veth's %s-byte run of round %d measured"
                % (line, rec["backend"], size, ref[0]["round"]))
    return ("ok - %s # SKIP the tool measured nothing (veth's run of this size did not measure "
            "either): a test-bed condition" % line)


def main():
    out, manifest = sys.argv[1:3]
    done, tools = [], []
    with open(manifest) as f:
        for line in f:
            if line.strip():
                try:
                    r = one(out, *line.split())
                except (OSError, ValueError, TypeError) as e:
                    print("not ok - %s: %s" % (line.strip(), e), flush=True)
                    continue
                if isinstance(r, str):
                    print(r, flush=True)
                    continue
                status, rec, text = r
                done.append(rec)
                if status == "tool":
                    tools.append((rec, text))
                else:
                    print(text, flush=True)
    for rec, text in tools:
        print(judge_tool(rec, text, done), flush=True)
    if tools:
        print("# sockperf measured nothing in %d run(s) (no valid observations); see the "
              "SKIP and not ok lines above" % len(tools), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
