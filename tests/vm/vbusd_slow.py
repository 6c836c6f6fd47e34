#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vbusd with a slow attach, against the real kernel (vbus-core).

Usage: vbusd_slow.py VBUSD INSTANCE SOCKET LOG

The instance's region is large (1 GiB in vbus-core): the kernel takes
seconds to pin and zero it. vbusd attaches in a worker thread, so its poll
loop goes on meanwhile. Runs vbusd (-v, attaching) on INSTANCE, its stderr
in LOG, and acts as QEMU clients do:

  1. a client reads the whole handshake: how long a full attach takes;
  2. a client connects and reads nothing, its attach under way; a second
     client is refused (version -1, then EOF);
  3. the first client hangs up: vbusd logs that it went away before the
     handshake (its attach interrupted); the next client is served;
  4. a client connects and reads nothing; SIGTERM during its attach: vbusd
     exits with status 0, the client is refused.

Prints "name<TAB>value" lines (times in ms, flags 0/1) for the test to
judge; it waits at most TIMEOUT seconds for anything. VBUS_CONFIGFS and
VBUSD_ARGS (more options, e.g. --control) as for vbusd, to try it out
against tests/tools' fake control device.
"""
import array
import os
import signal
import socket
import struct
import subprocess
import sys
import time

TIMEOUT = 120
SETTLE = 0.5    # seconds after a connect: its attach is under way


def now_ms():
    return int(time.monotonic() * 1000)


def say(name, value):
    print("%s\t%s" % (name, value), flush=True)


def recv_msg(c, timeout):
    """(value, fd) of one message, None at EOF; fd -1 if none."""
    c.settimeout(timeout)
    fds = array.array("i")
    msg, anc, _, _ = c.recvmsg(8, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
    if not msg:
        return None
    fd = fds[0] if fds else -1
    for extra in fds[1:]:
        os.close(extra)
    return struct.unpack("<q", msg)[0], fd


def handshake(c, nvec):
    """1 if the client got version 0, id 1, the memory and 2 * nvec
    eventfds."""
    want = [(0, False), (1, False), (-1, True)] + [(0, True)] * nvec + \
        [(1, True)] * nvec
    for val, has_fd in want:
        m = recv_msg(c, TIMEOUT)
        if m is None:
            return 0
        if m[1] >= 0:
            os.close(m[1])
        if m[0] != val or (m[1] >= 0) != has_fd:
            return 0
    return 1


def refused(c):
    """1 if the client got version -1 and then EOF."""
    try:
        m = recv_msg(c, TIMEOUT)
        if m is None or m[0] != -1 or m[1] >= 0:
            return 0
        return 1 if recv_msg(c, TIMEOUT) is None else 0
    except OSError:
        return 0


def connect(path):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    return c


def log_count(path, text):
    with open(path, errors="replace") as f:
        return f.read().count(text)


def wait_log(path, text, count, timeout=TIMEOUT):
    """ms until LOG holds TEXT COUNT times, -1 if it never does."""
    t0 = now_ms()
    while now_ms() - t0 < timeout * 1000:
        if log_count(path, text) >= count:
            return now_ms() - t0
        time.sleep(0.02)
    return -1


def main():
    vbusd, inst, path, log = sys.argv[1:5]
    cfs = os.environ.get("VBUS_CONFIGFS", "/sys/kernel/config/vbus")
    with open("%s/instances/%s/vectors" % (cfs, inst)) as f:
        nvec = int(f.read())
    args = os.environ.get("VBUSD_ARGS", "").split()
    with open(log, "w") as err:
        p = subprocess.Popen([vbusd, "-v", "--socket", path] + args + [inst],
                             stdin=subprocess.DEVNULL, stdout=err, stderr=err)
    try:
        t0 = now_ms()
        while not os.path.exists(path) and now_ms() - t0 < TIMEOUT * 1000:
            time.sleep(0.05)

        # 1. a full attach
        t0 = now_ms()
        c = connect(path)
        say("served", handshake(c, nvec))
        say("attach_ms", now_ms() - t0)
        c.close()
        wait_log(log, "disconnected", 1)

        # 2. another client while one attaches
        c1 = connect(path)
        time.sleep(SETTLE)
        t0 = now_ms()
        c2 = connect(path)
        say("other_refused", refused(c2))
        say("other_refused_ms", now_ms() - t0)
        c2.close()

        # 3. the attaching client hangs up; the next one
        c1.close()
        say("hangup_seen_ms",
            wait_log(log, "disconnected before the handshake", 1, 10))
        t0 = now_ms()
        c3 = connect(path)
        say("next_served", handshake(c3, nvec))
        say("next_served_ms", now_ms() - t0)
        c3.close()
        wait_log(log, "disconnected", 3)

        # 4. SIGTERM during an attach
        c4 = connect(path)
        time.sleep(SETTLE)
        t0 = now_ms()
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = "timeout"
        say("sigterm_exit_ms", now_ms() - t0)
        say("sigterm_status", rc)
        say("sigterm_client_refused", refused(c4))
        c4.close()
        say("socket_removed", 0 if os.path.exists(path) else 1)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


if __name__ == "__main__":
    main()
