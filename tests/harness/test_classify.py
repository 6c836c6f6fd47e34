#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The harness tier: the nest's verdicts, without a VM.

1. klog.scan on a corpus of kernel logs of both series (klog-corpus/):
   each file says which kinds of fault it must find and whether the trace
   names our code.
2. nest.verdict on test folders made here, one per rule of
   docs/testing.md: a failed check, a timeout, a fault in our code,
   corrupted memory, a hang in our code or elsewhere, a fault of the test
   bed, a guest the test replaced, a fault caused on purpose.
3. klog.hang_attribution on a hung CPU's registers and stack.
Prints one PASS:/FAIL: line per case; exits 1 if any failed.
"""
import glob
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "vm"))
import klog  # noqa: E402
import nest  # noqa: E402

results = {"pass": 0, "fail": 0}


def case(name, ok, why=""):
    results["pass" if ok else "fail"] += 1
    print(("PASS: harness/%s" if ok else "FAIL: harness/%s: " + why) % name
          if ok else "FAIL: harness/%s: %s" % (name, why))


def headers(text):
    h = {}
    for line in text.splitlines():
        m = re.match(r"# (\w+): (.*)$", line)
        if m:
            h[m.group(1)] = m.group(2).strip()
    return h


# 1. the corpus
corpus = sorted(glob.glob(os.path.join(HERE, "klog-corpus", "*.txt")))
series = set()
for path in corpus:
    text = open(path).read()
    h = headers(text)
    name = "klog/" + os.path.basename(path)[:-4]
    series.update(re.findall(r"-(6\.1|6\.12)\b", os.path.basename(path)))
    want = set() if h.get("expect", "none") == "none" else set(h["expect"].split(","))
    expected = [h["expected"]] if "expected" in h else []
    log = "\n".join(l for l in text.splitlines() if not l.startswith("# "))
    hits, excused = klog.scan(log, expected)
    got = set(k for k, _, _ in hits)
    ours = any(o for _, _, o in hits)
    want_ours = h.get("ours") == "yes"
    ok = got == want and ours == want_ours and (not expected or excused)
    case(name, ok, "kinds %s (want %s), ours %s (want %s)" % (
        sorted(got), sorted(want), ours, want_ours))
case("klog/corpus-covers-both-series", series == {"6.1", "6.12"}, "series seen: %s" % sorted(series))
kinds_seen = set()
for path in corpus:
    h = headers(open(path).read())
    if h.get("expect", "none") != "none":
        kinds_seen.update(h["expect"].split(","))
missing = set(k for k, _ in klog.KINDS) - kinds_seen
case("klog/corpus-covers-every-kind", not missing, "no corpus file of kind(s) %s" % sorted(missing))


# 2. verdicts on made-up test folders
def folder(tmp, test, log="ok - something\n", rc="0 10", host="", guests=None, files=None,
           ended=True):
    td = os.path.join(tmp, test)
    os.makedirs(td, exist_ok=True)
    open(os.path.join(td, "test.log"), "w").write(log)
    if rc is not None:
        open(os.path.join(td, "rc"), "w").write(rc + "\n")
    open(os.path.join(td, "host-dmesg.txt"), "w").write(host)
    for g, t in (guests or {}).items():
        p = os.path.join(td, g)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        open(p, "w").write(t)
    for f, t in (files or {}).items():
        open(os.path.join(td, f), "w").write(t)
    console = "VBUS-TEST-START %s\n%s%s" % (
        test, host, "VBUS-TEST-END %s rc=%s\n" % (test, (rc or "?").split()[0]) if ended else "")
    return console


ours_warn = ("[  1.0] WARNING: CPU: 0 PID: 1 at x.c:1 venet_tap_poll+0x1/0x2 [venet_tap]\n"
             "[  1.0] RIP: 0010:venet_tap_poll+0x1/0x2 [venet_tap]\n")
bed_warn = ("[  1.0] WARNING: CPU: 0 PID: 1 at arch/x86/kernel/traps.c:1 exc_debug_kernel+0x1/0x2\n"
            "[  1.0] RIP: 0010:exc_debug_kernel+0x1/0x2\n")
poison = ("[  1.0] BUG kmalloc-64 (Tainted: G           OE     ): Poison overwritten\n"
          "[  1.0] Allocated in __kmalloc+0x1/0x2 age=1 cpu=0 pid=1\n")
panic_sysrq = "[  1.0] Kernel panic - not syncing: sysrq triggered crash\n"
double = open(os.path.join(HERE, "klog-corpus", "guest-doublefault-6.1.txt")).read()
VERDICTS = [
    # name, folder args, event, wanted status, wanted words in the reason
    ("pass", {}, None, "pass", ""),
    ("failed-check-beats-a-bed-fault", {"log": "ok - a\nnot ok - b: lost 3\n", "rc": "1 9",
                                        "host": bed_warn}, None, "fail", "check(s) failed"),
    ("timeout-in-host-vm", {"rc": "124 300"}, None, "fail", "timed out"),
    ("timeout-by-nest", {"rc": None, "ended": False}, "overran", "fail", "timed out"),
    ("fault-in-our-code", {"host": ours_warn}, None, "fail", "names our code"),
    ("fault-in-a-guest-of-ours", {"guests": {"guest-g1.console.log": ours_warn}}, None, "fail",
     "names our code"),
    ("corruption-in-generic-code", {"host": poison}, None, "fail", "corrupted memory"),
    ("bed-fault-retried", {"host": bed_warn}, None, "nest", "outside our code"),
    ("no-exit-status", {"rc": None}, None, "fail", "no exit status"),
    ("exit-status", {"rc": "3 5"}, None, "fail", "exited 3"),
    ("host-vm-died-no-trace", {"rc": None, "ended": False}, None, "nest", "no trace"),
    ("planted-crash-expected", {"guests": {"guest-g1.console.log": panic_sysrq},
                                "files": {"expected-kernel-log":
                                          "Kernel panic - not syncing: sysrq triggered crash\n"}},
     None, "pass", ""),
    ("planted-crash-unexpected", {"guests": {"guest-g1.console.log": panic_sysrq}}, None, "nest",
     "outside our code"),
    ("lost-guest-replaced-is-a-retry", {
        "guests": {"guest-lost-1/console.log": double, "guest-g1.console.log": double},
        "files": {"retries.txt": "guest-lost-1/console.log\ttcp venet g2h\n"}},
     None, "pass", ""),
    ("lost-guest-of-ours-fails", {
        "guests": {"guest-lost-1/console.log": double + ours_warn},
        "files": {"retries.txt": "guest-lost-1/console.log\ttcp venet g2h\n"}},
     None, "fail", "names our code"),
]
with tempfile.TemporaryDirectory() as tmp:
    for name, args, event, want, words in VERDICTS:
        console = folder(tmp, name, **args)
        status, why, retries = nest.verdict(name, tmp, console, event, "none")
        ok = status == want and words in why
        if name == "lost-guest-replaced-is-a-retry":
            ok = ok and len(retries) == 1 and "tcp venet g2h" in retries[0]
        case("verdict/" + name, ok, "got %s (%s), want %s (%s)" % (status, why, want, words))

# 3. a hung CPU mapped to symbols
syms = klog.load_symbols("ffffffff81000000 T _stext\nffffffff81100000 T native_safe_halt\n"
                         "ffffffff81100100 T default_idle\n", 0x2000000)
syms += klog.load_symbols("ffffffffc0a01000 t venet_tap_poll\t[venet_tap]\n"
                          "ffffffffc0a01400 t venet_tap_xmit\t[venet_tap]\n")
syms.sort()
mods = klog.load_modules("venet_tap 45056 0 - Live 0xffffffffc0a00000 (OE)\n"
                         "kvm 1150976 1 kvm_amd, Live 0xffffffffc0b00000\n")
regs = "RAX=0000000000000000 RIP=ffffffffc0a01042 RFL=00000046 [---Z-P-] CPL=0\n"
ours, lines = klog.hang_attribution(regs, [], syms, mods)
case("hang/rip-in-our-napi-poll", ours and any("venet_tap_poll+0x42 [venet_tap]" in l for l in lines),
     "%s %s" % (ours, lines))
regs = "RIP=ffffffff83100004 RFL=00000246\n"
ours, lines = klog.hang_attribution(regs, [0xffffffff83100104, 0x1234], syms, mods)
case("hang/idle-is-not-ours", not ours and any("native_safe_halt+0x4" in l for l in lines),
     "%s %s" % (ours, lines))
ours, lines = klog.hang_attribution(regs, [0xffffffffc0a01410], syms, mods)
case("hang/our-frame-on-the-stack", ours and any("venet_tap_xmit+0x10" in l for l in lines),
     "%s %s" % (ours, lines))
ours, lines = klog.hang_attribution("RIP=ffffffffc0e00010 RFL=00000046\n", [], syms, mods)
case("hang/unloaded-module-code", ours, "%s %s" % (ours, lines))

# the local APIC of a host VM that hung on the bench (6.1, 2026-12-03):
# the timer's vector requested, none in service, interrupts on
lapic = """dumping local APIC state for CPU 0

LVTT\t 0x000000ec active-hi edge                 one-shot     Fixed  (vec 236)
Timer\t DCR=0x3 (divide by 16) initial_count = 85079 current_count = 0
ISR\t (none)
IRR\t 236

APR 0x00 TPR 0x10 DFR 0x0f LDR 0x01 PPR 0x10
"""
ev = klog.lapic_evidence(lapic, True)
case("hang/lapic-interrupt-not-delivered", ev is not None and "vector 236" in ev and "not deliver" in ev, ev)
ev = klog.lapic_evidence(lapic, False)
case("hang/lapic-interrupts-off-is-no-verdict", ev is not None and "not deliver" not in ev, ev)
ev = klog.lapic_evidence(lapic.replace("ISR\t (none)", "ISR\t 236"), True)
case("hang/lapic-in-service-is-no-verdict", ev is not None and "not deliver" not in ev, ev)
ev = klog.lapic_evidence(lapic.replace("PPR 0x10", "PPR 0xf0"), True)
case("hang/lapic-masked-by-priority-is-no-verdict", ev is not None and "not deliver" not in ev, ev)

print("# harness: %d passed, %d failed" % (results["pass"], results["fail"]))
sys.exit(1 if results["fail"] else 0)
