# SPDX-License-Identifier: GPL-2.0
"""The kernel-log classifier of the nest: which lines of a kernel log are
faults, of what kind, and whether the trace around one names our code.

Used by nest.py on every kernel log a test produced (the host VM's console
and dmesg, every guest's console and dmesg), and unit-tested on a corpus of
real lines of both kernel series (tests/harness/test_classify.py).

A hit is (kind, line, ours):
  kind  what the line is (see KINDS); "corruption" kinds are never the test
        bed's fault: memory found corrupted in generic code (a poisoned
        object, a broken list) may have been corrupted by any module
  ours  the trace around the line names one of our modules or functions,
        or an address in module space that no loaded module owns (the
        code of a module unloaded since: after an rmmod only ours are
        unloaded)
"""
import re

# Each kind of fault line, as the kernels of both series print them; a
# line is of the first kind it matches (the most specific first).
KINDS = [
    ("panic", r"Kernel panic - not syncing"),
    # memory found corrupted: SLUB's checks (slub_debug=FZPU), list debugging
    ("corruption", r"^BUG [\w-]+ \(.*\): |Poison overwritten|Redzone overwritten|"
                   r"Object padding overwritten|Padding overwritten|Freepointer corrupt|"
                   r"list_add corruption|list_del corruption|Bad page (state|map)|"
                   r"double free|Kernel stack is corrupted|stack-protector"),
    ("kasan", r"KASAN: |BUG: KFENCE: "),
    ("softlockup", r"soft lockup"),
    ("hardlockup", r"hard LOCKUP"),
    ("hungtask", r"hung task|blocked for more than \d+ seconds"),
    ("rcu", r"rcu: INFO: rcu_\w+ (self-)?detected stall|rcu_\w+ self-detected stall|"
            r"rcu: INFO: rcu_\w+ detected expedited stalls"),
    ("refcount", r"refcount_t: "),
    ("ubsan", r"UBSAN: "),
    ("doublefault", r"PANIC: double fault"),
    ("gpf", r"general protection fault"),
    ("oops", r"\bOops\b|: [0-9a-f]{4} \[#\d+\]"),
    ("bug", r"\bBUG: |kernel BUG at "),
    ("warning", r"\bWARNING: "),
]
KIND_RE = [(k, re.compile(r)) for k, r in KINDS]
CORRUPTION = {"corruption", "kasan"}
# kinds that show the kernel stopped or is stopping
FATAL = {"panic", "oops", "gpf", "doublefault"}

# Lines that match a kind but are not faults: the CPU vulnerability notices
# that a boot on some CPU models prints ("Speculative Return Stack
# Overflow: WARNING: See https://... for mitigation options.").
HARMLESS = re.compile(r"^(Speculative Return Stack Overflow|RETBleed|MDS|TAA|MMIO Stale Data|"
                      r"Spectre V\d|SRBDS|GDS|Register File Data Sampling|ITS|"
                      r"Transient Scheduler Attacks|VMSCAPE): WARNING: ")

OUR_MODULES = ("vbus", "venet", "venet_tap", "vbus_bridge", "vbus_test", "vbus_ivtest")
# A trace line that names one of our modules or functions
OURS = re.compile(r"\[(%s)\]|\b(vbus|venet)_\w+\+0x" % "|".join(OUR_MODULES))
# an address in module space that no loaded module owned when the trace was
# printed: "? 0xffffffffc0a1b2c3", "RIP: 0010:0xffffffffc0a1b2c3" (register
# dumps print no 0x, so a register holding such a value does not count)
UNLOADED = re.compile(r"(^|[\s:<])0xffffffffc[0-9a-f]{7}\b")

TIMESTAMP = re.compile(r"^(<\d+>)?\[\s*\d+\.\d+\]\s?(\[\s*[CT]\d+\]\s?)?")


def strip(line):
    """A kernel log line without its timestamp and caller prefix."""
    return TIMESTAMP.sub("", line.rstrip("\r\n")).strip()


def kind_of(line):
    """The fault kind of one log line, or None."""
    s = strip(line)
    if HARMLESS.search(s):
        return None
    for k, r in KIND_RE:
        if r.search(s):
            return k
    return None


def names_ours(lines):
    """Whether trace lines name our code (the module list is not a trace)."""
    for b in lines:
        if "Modules linked in" in b:
            continue
        s = strip(b)
        if OURS.search(s) or UNLOADED.search(s):
            return True
    return False


def scan(text, expected=()):
    """The hits of a kernel log: a list of (kind, line, ours), and the
    lines that matched an expected pattern (a fault a test caused on
    purpose, e.g. a guest crashed with sysrq), which are not hits."""
    exp = [re.compile(e) for e in expected]
    lines = text.splitlines()
    hits, excused = [], []
    for i, line in enumerate(lines):
        k = kind_of(line)
        if k is None:
            continue
        s = strip(line)
        if any(e.search(s) for e in exp):
            excused.append(s)
            continue
        # the trace that follows a fault line (and the few lines before it:
        # "------------[ cut here ]------------" comes first)
        block = lines[max(0, i - 5):i + 80]
        hits.append((k, s, names_ours(block)))
    return hits, excused


def summarize(hits):
    """(any_ours, any_corruption, kinds) of a list of hits."""
    return (any(o for _, _, o in hits), any(k in CORRUPTION for k, _, _ in hits),
            sorted(set(k for k, _, _ in hits)))


# ---------------------------------------------------------------------------
# A host VM that hangs prints nothing: nest.py asks its QEMU for the CPU's
# registers and stack instead, and these map the addresses to symbols.

def load_symbols(kallsyms_text, offset=0):
    """Sorted [(addr, name, module)] from /proc/kallsyms (or System.map,
    with the boot's KASLR offset) text."""
    out = []
    for line in kallsyms_text.splitlines():
        f = line.split()
        if len(f) < 3 or f[1].lower() not in "tw":
            continue
        try:
            a = int(f[0], 16)
        except ValueError:
            continue
        if a == 0:
            continue
        mod = f[3].strip("[]") if len(f) > 3 else ""
        out.append((a + (0 if mod else offset), f[2], mod))
    out.sort()
    return out


def load_modules(proc_modules_text):
    """[(name, start, size)] from /proc/modules text."""
    out = []
    for line in proc_modules_text.splitlines():
        f = line.split()
        if len(f) >= 6 and f[5].startswith("0x"):
            out.append((f[0], int(f[5], 16), int(f[1])))
    return out


def symbolize(addr, symbols, modules):
    """'func+0xoff [module]' for an address, or None outside known text."""
    import bisect
    mod = next((m for m, s, n in modules if s <= addr < s + n), None)
    i = bisect.bisect_right(symbols, (addr, "\xff", "\xff")) - 1
    if i >= 0:
        a, name, m = symbols[i]
        if (mod is None and not m and addr - a < 0x100000) or (mod and m == mod):
            return "%s+0x%x%s" % (name, addr - a, " [%s]" % m if m else "")
    if mod:
        return "0x%x [%s]" % (addr, mod)
    if 0xffffffffc0000000 <= addr < 0xffffffffff000000:
        return "0x%x (module space, no module)" % addr
    return None


def hang_attribution(regs_text, stack_words, symbols, modules):
    """From a hung CPU's registers ('info registers') and the words on its
    stack: (ours, lines). ours is true when RIP or a word on the stack is
    in one of our modules or in module space no module owns."""
    lines, ours = [], False
    m = re.search(r"RIP=([0-9a-f]{16})", regs_text)
    rip = int(m.group(1), 16) if m else None
    cands = ([("RIP", rip)] if rip is not None else []) + [("stack", w) for w in stack_words]
    seen = set()
    for where, a in cands:
        if a in seen or not 0xffffffff80000000 <= a:
            continue
        s = symbolize(a, symbols, modules)
        if s is None:
            continue
        seen.add(a)
        mine = bool(OURS.search(s)) or "module space, no module" in s
        if where == "RIP" or mine:
            lines.append("%s %s%s" % (where, s, "  <- ours" if mine else ""))
        ours = ours or mine
    return ours, lines


def lapic_evidence(lapic_text, interrupts_on):
    """From QEMU's 'info lapic' of a hung CPU: a line saying what its local
    APIC held, or None. An interrupt requested (IRR) above the processor
    priority (PPR), none in service (ISR), with interrupts on, is one the
    CPU should have taken at its next instruction: QEMU did not deliver it
    (the CPU runs on, or halts, without its timer and never preempts)."""
    irr = re.search(r"^IRR\s+(.*)$", lapic_text, re.M)
    isr = re.search(r"^ISR\s+(.*)$", lapic_text, re.M)
    ppr = re.search(r"\bPPR 0x([0-9a-f]+)", lapic_text)
    if not irr or not ppr:
        return None
    pending = [int(v) for v in re.findall(r"\d+", irr.group(1))]
    serving = [int(v) for v in re.findall(r"\d+", isr.group(1))] if isr else []
    prio = int(ppr.group(1), 16) & 0xf0
    deliverable = [v for v in pending if (v & 0xf0) > prio]
    if deliverable and not serving and interrupts_on:
        return ("local APIC: vector %s requested (IRR), none in service, PPR 0x%02x, "
                "interrupts on: an interrupt QEMU did not deliver"
                % (",".join(map(str, deliverable)), prio))
    timer = re.search(r"^LVTT\s+0x([0-9a-f]+).*\n.*current_count = (\d+)", lapic_text, re.M)
    what = "local APIC: IRR %s, ISR %s, PPR 0x%02x" % (
        ",".join(map(str, pending)) or "none", ",".join(map(str, serving)) or "none", prio)
    if timer:
        masked = int(timer.group(1), 16) & 0x10000
        what += ", timer %s (count %s)" % ("masked" if masked else "unmasked", timer.group(2))
    return what

