#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A scripted ivshmem-doorbell peer for the `ivshmem` VM test.

Serves one QEMU client on a UNIX socket (QEMU's ivshmem server protocol:
int64 little-endian messages, file descriptors by SCM_RIGHTS), plays peer 0
itself and makes the client peer 1. Then, step by step, printing one line
per step for the test to assert on:
  1. writes HOST_PATTERN at offset 0 of the shared memory
  2. waits for a doorbell on each vector (the guest writes (0 << 16) | v)
  3. reads 16 bytes at offset 4096 (where the guest writes its pattern)
  4. signals the guest's eventfd of each vector IRQS times
"""
import argparse
import mmap
import os
import select
import socket
import struct
import sys
import time

HOST_PATTERN = b"vbus-host-to-gst"


def send(conn, value, fd=None):
    data = struct.pack("<q", value)
    if fd is None:
        conn.sendall(data)
    else:
        socket.send_fds(conn, [data], [fd])


def say(*args):
    print("peer:", *args, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("socket")
    ap.add_argument("--size", type=int, default=1 << 20)
    ap.add_argument("--vectors", type=int, default=2)
    ap.add_argument("--irqs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()

    if os.path.exists(a.socket):
        os.unlink(a.socket)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(a.socket)
    srv.listen(1)
    shm = os.memfd_create("ivshmem-peer")
    os.ftruncate(shm, a.size)
    doorbells = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(a.vectors)]
    irqs = [os.eventfd(0) for _ in range(a.vectors)]
    say("listening on", a.socket)
    srv.settimeout(a.timeout)
    conn, _ = srv.accept()
    send(conn, 0)            # protocol version
    send(conn, 1)            # the client's peer id
    send(conn, -1, shm)      # the shared memory
    for fd in doorbells:     # peer 0's eventfds: the guest's doorbells
        send(conn, 0, fd)
    for fd in irqs:          # the client's own eventfds: its interrupts
        send(conn, 1, fd)
    say("client connected as peer 1")

    mem = mmap.mmap(shm, a.size)
    mem[0:len(HOST_PATTERN)] = HOST_PATTERN
    say("wrote", HOST_PATTERN.decode())

    deadline = time.monotonic() + a.timeout
    for v, fd in enumerate(doorbells):
        r, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
        if not r:
            say("no doorbell on vector", v)
            return 1
        say("doorbell vector %d count %d" % (v, os.eventfd_read(fd)))
    say("guest wrote", bytes(mem[4096:4112]).decode("ascii", "replace"))
    for v, fd in enumerate(irqs):
        for _ in range(a.irqs):
            os.eventfd_write(fd, 1)
            time.sleep(0.2)     # separate interrupts, not one coalesced
        say("signalled vector %d %d times" % (v, a.irqs))
    # Keep the client's memory and eventfds alive until QEMU goes away.
    select.select([conn], [], [], a.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
