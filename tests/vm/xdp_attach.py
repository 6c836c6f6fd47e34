#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Attach, swap and detach a native-mode XDP program, fast, without clang.

The program is two instructions (r0 = VERDICT; exit), loaded with the
bpf() syscall, and attached with RTM_SETLINK / IFLA_XDP (driver mode), the
way `ip link set DEV xdpdrv` does: no bpf_link, so it stays attached after
this process ends. The kernel's extack message is printed on refusal.

Commands:
  attach IF VERDICT     attach (or replace with) a program returning
                        VERDICT (aborted, drop, pass, tx)
  attach IF redirect DEV
                        ... a program redirecting every frame to DEV
                        (bpf_redirect(), frames unchanged)
  detach IF             detach whatever program IF has
  cycle IF N            N times: attach pass, replace with drop, replace
                        with pass, detach; prints "cycles=N"
Several commands may be given at once, separated by "+" (one process:
python starts slowly in a nested guest).
Exit status 0, or 1 with "error: ERRNO-NAME: EXTACK" on stdout.
"""
import ctypes
import errno
import os
import socket
import struct
import sys

NR_BPF = 321                    # x86_64
BPF_FUNC_REDIRECT = 23
BPF_PROG_LOAD = 5
BPF_PROG_TYPE_XDP = 6
VERDICTS = {"aborted": 0, "drop": 1, "pass": 2, "tx": 3}

RTM_SETLINK = 19
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLMSG_ERROR = 2
NLM_F_ACK_TLVS = 0x200
NLMSGERR_ATTR_MSG = 1
NETLINK_CAP_ACK, NETLINK_EXT_ACK = 10, 11
SOL_NETLINK = 270
IFLA_XDP = 43
NLA_F_NESTED = 0x8000
IFLA_XDP_FD, IFLA_XDP_FLAGS = 1, 3
XDP_FLAGS_DRV_MODE = 1 << 2

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


class Refused(Exception):
    pass


def prog_load(verdict, redirect_to=0):
    if redirect_to:
        insns = struct.pack("=BBhi", 0xb7, 1, 0, redirect_to)  # r1 = ifindex
        insns += struct.pack("=BBhi", 0xb7, 2, 0, 0)           # r2 = 0
        insns += struct.pack("=BBhi", 0x85, 0, 0, BPF_FUNC_REDIRECT)
    else:
        insns = struct.pack("=BBhi", 0xb7, 0, 0, verdict)      # r0 = verdict
    insns += struct.pack("=BBhi", 0x95, 0, 0, 0)               # exit
    ibuf = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    attr = struct.pack("=IIQQIIQII16s", BPF_PROG_TYPE_XDP, len(insns) // 8,
                       ctypes.addressof(ibuf), ctypes.addressof(lic),
                       0, 0, 0, 0, 0, b"vbus_xdp")
    abuf = ctypes.create_string_buffer(attr.ljust(128, b"\0"), 128)
    fd = libc.syscall(NR_BPF, BPF_PROG_LOAD, abuf, 128)
    if fd < 0:
        e = ctypes.get_errno()
        raise Refused(f"{errno.errorcode.get(e, e)}: BPF_PROG_LOAD")
    return fd


def nla(atype, payload):
    return struct.pack("=HH", 4 + len(payload), atype) + payload + \
        b"\0" * (-len(payload) % 4)


class Rtnl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.bind((0, 0))
        self.seq = 0

    def set_xdp(self, ifindex, fd):
        self.seq += 1
        xdp = nla(IFLA_XDP_FD, struct.pack("=i", fd)) + \
            nla(IFLA_XDP_FLAGS, struct.pack("=I", XDP_FLAGS_DRV_MODE))
        body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, ifindex, 0, 0) + \
            nla(IFLA_XDP | NLA_F_NESTED, xdp)
        self.s.send(struct.pack("=IHHII", 16 + len(body), RTM_SETLINK,
                                NLM_F_REQUEST | NLM_F_ACK, self.seq, 0) + body)
        while True:
            data = self.s.recv(65536)
            mlen, mtype, flags, seq, _ = struct.unpack_from("=IHHII", data)
            if seq != self.seq or mtype != NLMSG_ERROR:
                continue
            err = -struct.unpack_from("=i", data, 16)[0]
            if not err:
                return
            msg = ""
            if flags & NLM_F_ACK_TLVS:
                off = 16 + 4 + 16
                while off + 4 <= mlen:
                    alen, atype = struct.unpack_from("=HH", data, off)
                    if alen < 4:
                        break
                    if atype == NLMSGERR_ATTR_MSG:
                        msg = data[off + 4:off + alen].rstrip(b"\0").decode()
                    off += (alen + 3) & ~3
            raise Refused(f"{errno.errorcode.get(err, err)}: {msg}")


def main(argv):
    cmds, cur = [], []
    for a in argv[1:]:
        if a == "+":
            cmds.append(cur)
            cur = []
        else:
            cur.append(a)
    cmds.append(cur)
    nl = Rtnl()
    for cmd in cmds:
        rc = run(nl, [argv[0]] + cmd)
        if rc:
            return rc
    return 0


def run(nl, argv):
    if len(argv) < 3 or argv[1] not in ("attach", "detach", "cycle"):
        print(__doc__, file=sys.stderr)
        return 2
    ifindex = socket.if_nametoindex(argv[2])
    try:
        if argv[1] == "attach" and argv[3] == "redirect":
            fd = prog_load(0, socket.if_nametoindex(argv[4]))
            nl.set_xdp(ifindex, fd)
            os.close(fd)
        elif argv[1] == "attach":
            fd = prog_load(VERDICTS[argv[3]])
            nl.set_xdp(ifindex, fd)
            os.close(fd)
        elif argv[1] == "detach":
            nl.set_xdp(ifindex, -1)
        else:
            fds = {v: prog_load(VERDICTS[v]) for v in ("pass", "drop")}
            n = int(argv[3])
            for _ in range(n):
                nl.set_xdp(ifindex, fds["pass"])
                nl.set_xdp(ifindex, fds["drop"])
                nl.set_xdp(ifindex, fds["pass"])
                nl.set_xdp(ifindex, -1)
            print(f"cycles={n}")
    except Refused as e:
        print(f"error: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
