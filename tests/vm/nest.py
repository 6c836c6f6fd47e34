#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run VM tests in the nest: a TCG host VM (stock Debian kernel, KVM inside)
that boots guest VMs under KVM.

  nest.py [--kernel 6.1|6.12|all] [--test NAME[,NAME...]] [--by-series] [--logs DIR]

One host VM per kernel series runs the tests in order (--isolate: one host
VM per test); tests left unrun by a failed nest run again in a fresh one.
The series run side by side when the machine has a CPU for each host VM's
vCPUs (NEST_PARALLEL=N sets how many at once).
The verdict of a test comes from its own checks, its exit status, how it
ended (finished, timed out, its host VM hung) and a scan of every kernel
log it produced (host VM and guests: klog.py). A test whose checks failed,
that timed out, or whose kernel logs show a fault in our code or corrupted
memory FAILS. Only a fault of the test bed itself (a kernel fault or a
hang whose evidence names none of our code, with the test's checks so far
all passed) is retried, once, in a fresh host VM, printed as a RETRY: line
with its evidence. docs/testing.md has the rules.
Prints one PASS:/FAIL:/SKIP:/RETRY: line per test and keeps the evidence
under --logs (default build/vm/logs/SERIES/boot-N/).
"""
import argparse
import concurrent.futures
import fcntl
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(REPO, "build")
sys.path.insert(0, HERE)
import initramfs  # noqa: E402
import klog  # noqa: E402

# machine-wide, not per checkout (NEST_LOCK: another lock, for a nest that
# may share the CPUs with the one running)
NEST_LOCK = os.environ.get("NEST_LOCK", "/tmp/vbus-nest.lock")
BOOT_SLACK = 240  # seconds for the host VM to boot and power off
FAULT_GRACE = 45  # seconds a faulted host VM gets to print its traces
HANG_SECS = int(os.environ.get("NEST_HANG_SECS", "180"))  # no heartbeat this long: hung


def kernel_release(series):
    """The installed kernel release of a series such as 6.1 or 6.12."""
    found = [os.path.basename(p)[len("vmlinuz-"):] for p in glob.glob("/boot/vmlinuz-*")]
    found = [k for k in found if k.startswith(series + ".") and k.endswith("-amd64")]
    if not found:
        return None
    return sorted(found, key=lambda k: [int(x) if x.isdigit() else x
                                        for x in re.split(r"[.+-]", k)])[-1]


def cc(out, src, *flags):
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        subprocess.run(["cc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", *flags,
                        "-o", out, src], check=True)


def ensure_initramfs(kver):
    d = os.path.join(BUILD, "vm", kver)
    os.makedirs(d, exist_ok=True)
    agent = os.path.join(BUILD, "vm", "vbus-agent")
    cc(agent, os.path.join(HERE, "agent.c"), "-static")
    cc(os.path.join(BUILD, "vm", "vsock-run"), os.path.join(HERE, "vsock-run.c"))
    sources = [os.path.join(HERE, f) for f in ("initramfs.py", "init-host.sh", "init-guest.sh")]
    newest = max([os.path.getmtime(s) for s in sources] + [os.path.getmtime(agent)])
    for kind in ("host", "guest"):
        out = os.path.join(d, kind + ".gz")
        if not os.path.exists(out) or os.path.getmtime(out) < newest:
            initramfs.build(kver, kind, out, agent)
    return d


def build_userspace():
    """The tools (vbusd, vbusctl), the test peer and the hostile guest the
    tests run, built from this checkout (a clean clone has none of them)."""
    ok = True
    for cmd in (["make", "-s", "-C", os.path.join(REPO, "tools")],
                ["make", "-s", "-C", os.path.join(HERE, "peer")],
                ["make", "-s", "-C", os.path.join(HERE, "hostile")],
                ["make", "-s", "-C", os.path.join(HERE, "sequdp")]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            ok = False
            print("# %s failed (tests that need it fail):" % " ".join(cmd))
            print("\n".join("#   " + l for l in (r.stdout + r.stderr).splitlines()[-15:]))
    return ok


def scan(text):
    """Return (hits, names_ours) for a kernel log text."""
    hits, _ = klog.scan(text)
    return [h[1] for h in hits], any(h[2] for h in hits)


def failure_excerpt(log, before=6, after=22, tail=25):
    """The failed checks of a test log with the lines around each, then its end."""
    lines = log.splitlines()
    keep = set()
    for i, line in enumerate(lines):
        if re.search(r"^\s*(#\s*)?not ok\b|FATAL|fatal:", line):
            keep.update(range(max(0, i - before), min(len(lines), i + after + 1)))
    keep.update(range(max(0, len(lines) - tail), len(lines)))
    out, last = [], -1
    for i in sorted(keep):
        if last >= 0 and i != last + 1:
            out.append("...")
        out.append(lines[i])
        last = i
    return out


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def hmp(path, command, timeout=10):
    """One command to a QEMU's human monitor on a unix socket; its answer."""
    import socket
    out = b""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sk:
        sk.settimeout(timeout)
        sk.connect(path)

        def until_prompt():
            buf = b""
            while not buf.rstrip().endswith(b"(qemu)"):
                chunk = sk.recv(65536)
                if not chunk:
                    break
                buf += chunk
            return buf
        until_prompt()
        sk.sendall(command.encode() + b"\n")
        out = until_prompt()
    text = out.decode(errors="replace").replace("\r", "")
    # the echo of the command and the prompt are not the answer
    return "\n".join(l for l in text.splitlines()
                     if not l.startswith("(qemu)") and command not in l)


def capture_cpu(mon, path):
    """The host VM's CPU, as its QEMU sees it: three register samples a
    second apart and the words on the stack of the last, into path.
    Returns (registers text, stack words)."""
    regs, words = "", []
    try:
        with open(path, "w") as f:
            for i in range(3):
                if i:
                    time.sleep(1)
                regs = hmp(mon, "info registers")
                f.write("--- info registers (sample %d)\n%s\n" % (i + 1, regs))
            # the local APIC: whether the timer is armed (a CPU halted with
            # interrupts on and an armed timer waits for an interrupt that
            # QEMU never delivered; a disarmed one, for a kernel that never
            # asked for one)
            f.write("--- info lapic\n%s\n" % hmp(mon, "info lapic"))
            m = re.search(r"RSP=([0-9a-f]{16})", regs)
            if m:
                x = hmp(mon, "x/256gx 0x%s" % m.group(1))
                f.write("--- stack\n%s\n" % x)
                for line in x.splitlines():
                    if ":" in line:
                        words += [int(w, 16) for w in line.split(":", 1)[1].split()
                                  if re.fullmatch(r"0x[0-9a-f]+", w)]
    except OSError as e:
        with open(path, "a") as f:
            f.write("monitor: %s\n" % e)
    return regs, words


def boot(kver, tests, out, limit):
    """Boot one host VM that runs tests in order. Returns (finished,
    seconds, events): events maps a test to how nest.py ended it, if it
    did: "hung" (no heartbeat for HANG_SECS), "overran" (past its timeout
    + 60 s while the host VM still beat) or "faulted" (a kernel fault on
    the console, given FAULT_GRACE s for its traces)."""
    ird = os.path.join(BUILD, "vm", kver)
    console = os.path.join(out, "console.log")
    # NEST_DEBUG: the kernel's debugging options (make bench: none). The
    # slab checks without U: its stack trace at every allocation and free
    # made a test a third longer under TCG; the checks themselves (F),
    # red zones (Z) and poison (P) still find corrupted slab memory.
    # Guests take it from the host VM's command line (lib.sh).
    append = ("console=ttyS0 loglevel=5 panic=-1 %s vbus.repo=%s vbus.build=%s "
              "vbus.tests=%s" % (os.environ.get("NEST_DEBUG", "slub_debug=FZP"), REPO, BUILD,
                                 ",".join(tests)))
    # the monitor, for the CPU state of a host VM that hangs (a short path:
    # a unix socket's name has room for 107 bytes)
    mon = "/tmp/vbus-nest-%d-%s.mon" % (os.getpid(), kver)
    # NEST_QEMU: another QEMU for the host VM (a build of Debian's source,
    # tests/vm/qemu-svm/build.sh); default the one on PATH
    cmd = [os.environ.get("NEST_QEMU") or "qemu-system-x86_64",
           "-accel", "tcg,thread=multi", "-cpu", "EPYC",
           "-smp", os.environ.get("NEST_SMP", "1"), "-m", os.environ.get("NEST_MEM", "6144"),
           "-kernel", "/boot/vmlinuz-" + kver, "-initrd", os.path.join(ird, "host.gz"),
           "-append", append, "-display", "none",
           "-monitor", "unix:%s,server=on,wait=off" % mon,
           "-serial", "file:" + console, "-no-reboot", "-nic", "none",
           "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,"
                      "readonly=on,multidevs=remap",
           "-virtfs", "local,path=%s,mount_tag=vbusout,security_model=none,"
                      "multidevs=remap" % out]
    # more arguments for the host VM's QEMU (NEST_QEMU_ARGS, split at
    # spaces: e.g. a TCG plugin that profiles the whole nest)
    cmd += os.environ.get("NEST_QEMU_ARGS", "").split()
    # the tests' knobs (FAULT_*, HOSTILE_*, BENCH_*: make soak, make bench;
    # AB_*: bench-ab;
    # PROF_*, SVM_*: profile, svm-loss) reach the host VM through its
    # output folder; values are words
    with open(os.path.join(out, "env.sh"), "w") as env:
        for k, v in sorted(os.environ.items()):
            if re.fullmatch(r"(FAULT|HOSTILE|BENCH|AB|PROF|SVM)_[A-Z_]+", k) and re.fullmatch(r"[\w./: -]*", v):
                env.write("export %s='%s'\n" % (k, v))
    start = time.monotonic()
    with open(os.path.join(out, "qemu.log"), "w") as qlog:
        qlog.write("%s\n" % " ".join(cmd))  # which QEMU ran, and how
        qlog.flush()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qlog,
                             stderr=subprocess.STDOUT, start_new_session=True)
    deadline = start + limit + BOOT_SLACK
    finished = False
    events = {}
    current, since = None, start  # the test running now, and since when
    faulted = None                # when the host VM console first showed a fault
    while p.poll() is None:
        now = time.monotonic()
        text = read(console)
        started = re.findall(r"VBUS-TEST-START (\S+)", text)
        if started and started[-1] != current:
            current, since = started[-1], now
        # A host VM that stopped beating is hung (interrupts off, say):
        # nothing it prints will come, so its CPU's state is the evidence.
        beat = os.path.join(out, current, "heartbeat") if current else None
        last = max(since, now - (time.time() - os.path.getmtime(beat))) \
            if beat and os.path.exists(beat) else since
        hung = current is not None and "VBUS-TEST-END %s " % current not in text \
            and now - last > HANG_SECS
        # A test gets its own timeout plus a minute to be killed inside
        # the host VM and wrap up; the whole boot its total plus slack.
        stuck = current is not None and now - since > test_timeout(current) + 60
        # A host VM kernel fault (a stall, a hung task, an oops) during a
        # test: give the traces FAULT_GRACE seconds to reach the console,
        # then stop waiting for that VM (the verdict reads the traces).
        if faulted is None and current is not None and scan(console_section(text, current) or "")[0]:
            faulted = now
        broken = faulted is not None and now - faulted > FAULT_GRACE
        if hung or stuck or broken or now > deadline:
            why = ("hung in test %s (no heartbeat for %d s)" % (current, now - last) if hung else
                   "stuck in test %s" % current if stuck else
                   "faulted in test %s" % current if broken else
                   "still running after %d s" % (limit + BOOT_SLACK))
            print("# host VM %s: its CPU's state, then killing pid %d" % (why, p.pid), flush=True)
            if current is not None:
                os.makedirs(os.path.join(out, current), exist_ok=True)
                capture_cpu(mon, os.path.join(out, current, "cpu-state.txt"))
                events[current] = "hung" if hung else "overran" if stuck else \
                    "faulted" if broken else "overran"
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            break
        time.sleep(2)
    else:
        finished = "VBUS-NEST-DONE" in read(console)
    try:
        os.unlink(mon)
    except OSError:
        pass
    return finished, time.monotonic() - start, events


def test_timeout(test):
    m = re.search(r"^# timeout: *(\d+)", read(os.path.join(HERE, "tests", test + ".sh")), re.M)
    return int(m.group(1)) if m else 300


def test_order(test):
    """Where a test runs in its host VM when all run: its "# order:" line
    (default 50), then its name. The package tests compile under emulation
    for minutes, and two at once (one per series) slow each other by half:
    pkg-host (by name) comes first on its series, pkg-kernel last on its."""
    m = re.search(r"^# order: *(\d+)", read(os.path.join(HERE, "tests", test + ".sh")), re.M)
    return int(m.group(1)) if m else 50


def test_series(test):
    """The kernel series a test runs on by default (its "# series:" line;
    every series if it has none). Naming a test runs it on any series."""
    m = re.search(r"^# series: *(.+)$", read(os.path.join(HERE, "tests", test + ".sh")), re.M)
    return m.group(1).split() if m else None


def console_section(console, test):
    """The host VM console from the start of test to the start of the next."""
    i = console.find("VBUS-TEST-START %s\n" % test)
    if i < 0:
        return None
    j = console.find("VBUS-TEST-START ", i + 1)
    return console[i:] if j < 0 else console[i:j]


def kernel_logs(td):
    """Every kernel log a test left: the host VM's, each guest's console
    and kernel log, and those of guests it replaced (guest-lost-N/)."""
    logs = [os.path.join(td, "host-dmesg.txt")]
    for pat in ("guest-*.console.log", "guest-*.dmesg.txt", "*/console.log", "*/*.console.log"):
        logs += sorted(glob.glob(os.path.join(td, pat)))
    return list(dict.fromkeys(logs))


def read_lines(path):
    return [l for l in read(path).splitlines() if l.strip() and not l.startswith("#")]


def hang_evidence(kver, out, td):
    """(ours, lines): the hung host VM's CPU (cpu-state.txt) mapped to
    symbols with the boot's kallsyms and the module list and our modules'
    symbols that the heartbeat kept."""
    state = read(os.path.join(td, "cpu-state.txt"))
    if "RIP=" not in state:
        return False, ["no CPU state (%s)" % (state.strip().splitlines() or ["nothing read"])[-1]]
    symbols = klog.load_symbols(read(os.path.join(out, "kallsyms.txt"))) + \
        klog.load_symbols(read(os.path.join(td, "modsyms.txt")))
    symbols.sort()
    modules = klog.load_modules(read(os.path.join(td, "modules.txt")))
    samples = state.split("--- info registers")
    regs = re.split(r"--- (?:stack|info lapic)", samples[-1])[0] if len(samples) > 1 else state
    words = []
    if "--- stack" in state:
        for line in state.split("--- stack", 1)[1].splitlines():
            if ":" in line:
                words += [int(w, 16) for w in line.split(":", 1)[1].split()
                          if re.fullmatch(r"0x[0-9a-f]+", w)]
    ours, lines = klog.hang_attribution(regs, words, symbols, modules)
    ifl = re.search(r"RFL=([0-9a-f]+)", regs)
    if "--- info lapic" in state:
        lapic = klog.lapic_evidence(state.split("--- info lapic", 1)[1].split("--- stack")[0],
                                    bool(ifl and int(ifl.group(1), 16) & 0x200))
        if lapic:
            lines.append(lapic)
    if ifl:
        lines.insert(0, "interrupts %s" % ("on" if int(ifl.group(1), 16) & 0x200 else "off"))
    if re.search(r"\bHLT=1\b", regs):
        lines.insert(0, "halted (HLT)")
    return ours, lines


def verdict(test, out, console, event=None, kver=None):
    """Return (status, reason, retries): pass, fail, nest (a fault of the
    test bed: retry), or notrun; retries are the test's own replacements
    of a lost guest (retries.txt), each a line of evidence."""
    section = console_section(console, test)
    if section is None:
        return "notrun", "not reached", []
    td = os.path.join(out, test)
    # faults the test caused on purpose (expect_kernel_log in lib.sh)
    expected = read_lines(os.path.join(td, "expected-kernel-log"))
    # guests the test itself replaced after they were lost, each with the
    # console that says why (bench_guest_lost): the test's own retries
    replaced = {}
    for line in read_lines(os.path.join(td, "retries.txt")):
        f, _, why = line.partition("\t")
        replaced[os.path.join(td, f)] = why
    hits, _ = klog.scan(section, expected)
    hits = [("console", h) for h in hits]
    retries, seen = [], set()
    logs = kernel_logs(td)
    for log in [l for l in logs if l in replaced] + [l for l in logs if l not in replaced]:
        h, _ = klog.scan(read(log), expected)
        rel = os.path.relpath(log, td)
        if log in replaced and h and not any(o or k in klog.CORRUPTION for k, _, o in h):
            retries.append("%s: guest lost and replaced by the test (%s): %s" % (
                rel, replaced[log], " | ".join(x[1] for x in h[:3])))
            # the same lines again in another copy of that guest's log
            seen.update(x[1] for x in h)
            continue
        hits += [(rel, x) for x in h if x[1] not in seen]
    ours, corrupt, kinds = klog.summarize([x for _, x in hits])
    desc = list(dict.fromkeys("%s: %s%s" % (w, x[1], " [ours]" if x[2] else "") for w, x in hits))
    klines = ("; kernel log: " + " | ".join(desc[:4])) if desc else ""
    log = read(os.path.join(td, "test.log"))
    failed = [l for l in log.splitlines() if re.match(r"not ok\b", l)]
    rc = read(os.path.join(td, "rc")).split()
    ended = "VBUS-TEST-END %s " % test in section
    # 1. the test's own checks
    if failed:
        return "fail", "%d check(s) failed: %s%s" % (len(failed), failed[0][7:], klines), retries
    # 2. a timeout, inside the host VM or by nest.py
    if event == "overran" or (rc and rc[0] in ("124", "137")):
        return "fail", "timed out%s" % klines, retries
    # 3. a fault in our code, or memory found corrupted
    if ours or corrupt:
        return "fail", ("corrupted memory" if corrupt else "a trace names our code") + klines, retries
    # 4. a host VM that stopped: where its CPU was
    if event == "hung" or not ended:
        hours, hlines = hang_evidence(kver, out, td) if event == "hung" else (False, [])
        what = "host VM hung (no heartbeat)" if event == "hung" else \
            "host VM stopped during the test"
        if hours:
            return "fail", "%s in our code: %s%s" % (what, " | ".join(hlines), klines), retries
        if hits and not hlines:
            return "nest", "%s in a kernel fault outside our code (%s)%s" % (
                what, ", ".join(kinds), klines), retries
        return "nest", "%s%s%s" % (what, (": " + " | ".join(hlines)) if hlines else
                                   ", no trace", klines), retries
    # 5. a fault in a kernel log that names none of our code, the
    # test's checks all passed: the test bed's
    if hits:
        return "nest", "kernel fault outside our code (%s)%s" % (", ".join(kinds), klines), retries
    if not rc:
        return "fail", "no exit status recorded", retries
    if rc[0] != "0":
        return "fail", "test exited %s" % rc[0], retries
    return "pass", "", retries


PRINT_LOCK = threading.Lock()


def emit(*lines):
    """Print lines as one block: series running side by side do not
    interleave inside a test's report."""
    with PRINT_LOCK:
        print("\n".join(lines), flush=True)


def run_series(series, kver, tests, logs, isolate):
    """Run tests on one kernel series, as few host VM boots as it takes.

    Returns (counts, nest_failures)."""
    counts = {"pass": 0, "fail": 0}
    nest_failures = {t: 0 for t in tests}
    pending, boots = list(tests), 0
    shutil.rmtree(os.path.join(logs, series), ignore_errors=True)
    while pending:
        batch = pending[:1] if isolate else pending
        boots += 1
        out = os.path.join(logs, series, "boot-%d" % boots)
        os.makedirs(out)
        finished, secs, events = boot(kver, batch, out, sum(test_timeout(t) for t in batch))
        console = read(os.path.join(out, "console.log"))
        emit("# %s: host VM boot %d ran %d test(s) in %.0f s%s" % (
            series, boots, len(batch), secs, "" if finished else " (did not finish)"))
        requeue = []
        for t in batch:
            status, why, retries = verdict(t, out, console, events.get(t), kver)
            for r in retries:
                emit("RETRY: vm/%s/%s: %s" % (series, t, r))
            name = "vm/%s/%s" % (series, t)
            took = (read(os.path.join(out, t, "rc")).split() + ["?", "?"])[1]
            if status == "notrun":
                if t == batch[0]:   # the nest failed before any test ran
                    status, why = "nest", "host VM did not reach the test"
                else:
                    requeue.append(t)
                    continue
            if status == "nest":
                nest_failures[t] += 1
                if nest_failures[t] == 1:
                    emit("RETRY: %s: a fault of the test bed, run again in a fresh host VM: %s; "
                         "logs in %s" % (name, why, out))
                    requeue.append(t)
                    continue
                why = "the test bed failed twice: " + why
            if status == "pass":
                note = " after a retry" if nest_failures[t] else ""
                emit("PASS: %s (%s s%s)" % (name, took, note))
            else:
                emit("FAIL: %s: %s; logs in %s" % (name, why, os.path.join(out, t)),
                     *["#   " + line for line in
                       failure_excerpt(read(os.path.join(out, t, "test.log")))])
                status = "fail"
            counts[status] += 1
        pending = requeue
    return counts, sum(nest_failures.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="all", help="6.1, 6.12 or all (default)")
    ap.add_argument("--test", default="all",
                    help="comma-separated test names, NAME@SERIES for one series only (default all)")
    ap.add_argument("--logs", default=os.path.join(BUILD, "vm", "logs"))
    ap.add_argument("--by-series", action="store_true",
                    help="named tests run only on the series their header names")
    ap.add_argument("--isolate", action="store_true",
                    help="one host VM boot per test (default: one per kernel series)")
    args = ap.parse_args()
    series_list = ["6.1", "6.12"] if args.kernel == "all" else \
        list(dict.fromkeys(args.kernel.split(",")))
    every = sorted((os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "tests", "*.sh"))),
                   key=lambda t: (test_order(t), t))
    tests = every if args.test == "all" else args.test.split(",")
    # NAME@SERIES: that test on that series (and not on the others)
    pinned = {}
    for t in tests:
        if "@" in t:
            pinned.setdefault(t.split("@", 1)[0], set()).add(t.split("@", 1)[1])
    tests = list(dict.fromkeys(t.split("@", 1)[0] for t in tests))
    for t in tests:
        if t not in every:
            sys.exit("nest: no test named %r (have: %s)" % (t, " ".join(every)))
    for hidden in ("/tmp/", "/run/", "/dev/", "/proc/", "/sys/"):
        if (REPO + "/").startswith(hidden):
            sys.exit("nest: the checkout is under %s, which the host VM mounts afresh; "
                     "clone it elsewhere" % hidden.rstrip("/"))
    if not os.access("/dev/null", os.W_OK) or shutil.which("qemu-system-x86_64") is None:
        sys.exit("nest: qemu-system-x86_64 is missing (run tests/deps.sh as root)")
    if os.environ.get("NEST_QEMU") and not os.access(os.environ["NEST_QEMU"], os.X_OK):
        sys.exit("nest: NEST_QEMU=%s is not an executable" % os.environ["NEST_QEMU"])
    # One nest at a time on this machine, whichever checkout it runs from:
    # two would starve each other of the CPUs (every VM is emulated); one
    # nest runs its series side by side when there are CPUs for them.
    os.makedirs(os.path.join(BUILD, "vm"), exist_ok=True)
    lock = open(NEST_LOCK, "a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print("# nest: another nest is running; waiting for it", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    counts = {"pass": 0, "fail": 0, "skip": 0}
    nest_total = 0
    build_userspace()
    jobs = []
    for series in series_list:
        kver = kernel_release(series)
        if kver is None:
            for t in tests:
                print("SKIP: vm/%s/%s: no kernel %s.* installed" % (series, t, series))
                counts["skip"] += 1
            continue
        run = [t for t in tests if series in pinned.get(t, ())
               or t not in pinned and ((args.test != "all" and not args.by_series)
                                       or test_series(t) in (None, [])
                                       or series in test_series(t))]
        if not run:
            continue
        ensure_initramfs(kver)
        # package tests whose DKMS builds may take the compiler's work from
        # build/ccache ("# ccache: prime"): the same builds on this machine
        # first (tests/pkg/ccache-prime.sh; a miss only costs time)
        if any(re.search(r"^# ccache: prime", read(os.path.join(HERE, "tests", t + ".sh")), re.M)
               for t in run):
            prime = subprocess.run([os.path.join(REPO, "tests", "pkg", "ccache-prime.sh"), kver],
                                   capture_output=True, text=True)
            print("\n".join("# " + l for l in (prime.stdout + prime.stderr).splitlines()), flush=True)
        # the build tier's W=1 modules if they are of these sources
        build = subprocess.run([os.path.join(REPO, "tests", "build", "modules.sh"), kver, "W=1"],
                               capture_output=True, text=True,
                               env=dict(os.environ, MODULES_REUSE="1"))
        if build.returncode:
            print("# modules for %s did not all build (tests that need them fail):" % kver)
            print("\n".join("#   " + l for l in build.stdout.splitlines()[-15:]))
        jobs.append((series, kver, run))
    # Each host VM is one emulated CPU per vCPU: as many series at once as
    # the machine has CPUs for (NEST_PARALLEL overrides; 1: one at a time).
    width = int(os.environ.get("NEST_PARALLEL", "0")) or max(
        1, (os.cpu_count() or 1) // int(os.environ.get("NEST_SMP", "1")))
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=width) as pool:
        futures = [pool.submit(run_series, series, kver, run, args.logs, args.isolate)
                   for series, kver, run in jobs]
        results = [f.result() for f in futures]
    for c, nf in results:
        counts["pass"] += c["pass"]
        counts["fail"] += c["fail"]
        nest_total += nf
    print("# vm: %d passed, %d failed, %d skipped, %d test bed faults (retried)"
          % (counts["pass"], counts["fail"], counts["skip"], nest_total))
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
