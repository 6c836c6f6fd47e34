#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Command agent of a guest VM: serves tests/vm/vsock-run on vsock port 5000.

Request:  "TIMEOUT BG\\n" then the command (run with bash -c), then EOF.
Answer:   "STATUS LENGTH\\n" then LENGTH bytes of combined stdout/stderr.
A command that outlives TIMEOUT seconds has its process group killed and
answers status 124. With BG=1 the command is started in the background
(output to /tmp/bg-*.log) and the answer is its PID.
"""
import os
import signal
import socket
import subprocess
import threading
import time

PORT = 5000


def run(cmd, limit, bg):
    if bg:
        with open("/tmp/bg-%d.log" % time.monotonic_ns(), "wb") as log:
            p = subprocess.Popen(["bash", "-c", cmd], stdin=subprocess.DEVNULL,
                                 stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        return 0, b"%d\n" % p.pid
    p = subprocess.Popen(["bash", "-c", cmd], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=limit)
        return p.returncode & 0xff, out
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        return 124, out + b"\nagent: command timed out after %d s\n" % limit


def handle(conn):
    with conn:
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, cmd = data.partition(b"\n")
        try:
            limit, bg = (int(x) for x in head.split())
        except ValueError:
            rc, out = 2, b"agent: bad request header\n"
        else:
            rc, out = run(cmd.decode("utf-8", "replace"), limit, bg)
        conn.sendall(b"%d %d\n" % (rc, len(out)) + out)


def main():
    srv = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
    srv.bind((socket.VMADDR_CID_ANY, PORT))
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
