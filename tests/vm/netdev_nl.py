#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Query the kernel's netdev generic-netlink family and print JSON.

A small standalone client (no ynl, no pyroute2): a raw NETLINK_GENERIC
socket, the family id resolved with CTRL_CMD_GETFAMILY, then the dumps
and requests of the netdev family (Documentation/netlink/specs/netdev.yaml;
the attribute numbers are those of include/uapi/linux/netdev.h, 6.9 and
later, which only ever appends).

Commands (every one prints one JSON document):
  dev     IF        NETDEV_CMD_DEV_GET of IF: its xdp-features (bits of
                    NETDEV_XDP_ACT_*: 1 basic, 2 redirect, 4 ndo-xmit, ...)
  queues  IF        NETDEV_CMD_QUEUE_GET dump for IF: id, type, napi-id
  napi    IF        NETDEV_CMD_NAPI_GET dump for IF: id, irq, pid
  napi-id ID        NETDEV_CMD_NAPI_GET of one NAPI instance by id
  qstats  IF [--scope queue]
                    NETDEV_CMD_QSTATS_GET dump for IF: the device's
                    totals, or one entry per queue
  show    IF        all of the above for IF (and napi-id of each NAPI
                    of the dump) at one quiet moment, with
                    /sys/class/net/IF/statistics read before and after
                    the queries (tried until nothing moved in between:
                    "quiet" says whether that happened)

IF is an interface name or index. Exit status: 0, or 1 with an error
message on stderr (e.g. no netdev family: kernels before 6.3).
"""
import argparse
import errno
import json
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLA_TYPE_MASK = 0x3fff

# include/uapi/linux/netdev.h
NETDEV_CMD_DEV_GET = 1
DEV_IFINDEX, DEV_XDP_FEATURES = 1, 3
NETDEV_CMD_QUEUE_GET = 10
NETDEV_CMD_NAPI_GET = 11
NETDEV_CMD_QSTATS_GET = 12
NAPI_ATTRS = {1: "ifindex", 2: "id", 3: "irq", 4: "pid",
              5: "defer-hard-irqs", 6: "gro-flush-timeout",
              7: "irq-suspend-timeout", 8: "threaded"}
NAPI_IFINDEX, NAPI_ID = 1, 2
QUEUE_ATTRS = {1: "id", 2: "ifindex", 3: "type", 4: "napi-id"}
QUEUE_IFINDEX = 2
QUEUE_TYPES = {0: "rx", 1: "tx"}
QSTATS_ATTRS = {
    1: "ifindex", 2: "queue-type", 3: "queue-id", 4: "scope",
    8: "rx-packets", 9: "rx-bytes", 10: "tx-packets", 11: "tx-bytes",
    12: "rx-alloc-fail", 13: "rx-hw-drops", 14: "rx-hw-drop-overruns",
    15: "rx-csum-complete", 16: "rx-csum-unnecessary", 17: "rx-csum-none",
    18: "rx-csum-bad", 19: "rx-hw-gro-packets", 20: "rx-hw-gro-bytes",
    21: "rx-hw-gro-wire-packets", 22: "rx-hw-gro-wire-bytes",
    23: "rx-hw-drop-ratelimits", 24: "tx-hw-drops", 25: "tx-hw-drop-errors",
    26: "tx-csum-none", 27: "tx-needs-csum", 28: "tx-hw-gso-packets",
    29: "tx-hw-gso-bytes", 30: "tx-hw-gso-wire-packets",
    31: "tx-hw-gso-wire-bytes", 32: "tx-hw-drop-ratelimits", 33: "tx-stop",
    34: "tx-wake",
}
QSTATS_IFINDEX, QSTATS_SCOPE = 1, 4
QSTATS_SCOPE_QUEUE = 1
SYSFS_STATS = ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes",
               "rx_dropped", "tx_dropped")


class NlError(Exception):
    """An error the kernel answered with (errno in .err)."""

    def __init__(self, err, what):
        super().__init__(f"{what}: {os.strerror(err)} ({err})")
        self.err = err


def attr(atype, payload):
    """One netlink attribute, padded to 4 bytes."""
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    return hdr + payload + b"\0" * (-len(payload) % 4)


def attr_u32(atype, value):
    return attr(atype, struct.pack("=I", value))


def parse_attrs(data):
    """{type: payload} of a run of attributes (the last one wins)."""
    out = {}
    off = 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("=HH", data, off)
        if alen < 4:
            break
        out[atype & NLA_TYPE_MASK] = data[off + 4:off + alen]
        off += (alen + 3) & ~3
    return out


def uint(payload):
    """u8/u16/u32/u64 by length (NLA_UINT is 4 or 8 bytes)."""
    fmt = {1: "=B", 2: "=H", 4: "=I", 8: "=Q"}.get(len(payload))
    if fmt is None:
        raise ValueError(f"integer attribute of {len(payload)} bytes")
    return struct.unpack(fmt, payload)[0]


def value(payload):
    """An integer; an empty attribute (a flag, an empty nest) is true;
    anything else (a nest of a later kernel) its bytes in hex."""
    if not payload:
        return True
    if len(payload) in (1, 2, 4, 8):
        return uint(payload)
    return payload.hex()


def named(attrs, names):
    """Attributes by name; unknown ones as attr-N."""
    return {names.get(k, f"attr-{k}"): value(v)
            for k, v in sorted(attrs.items())}


class Genl:
    """A generic-netlink socket talking to one family."""

    def __init__(self, family):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.bind((0, 0))
        self.seq = 0
        reply = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                             attr(CTRL_ATTR_FAMILY_NAME,
                                  family.encode() + b"\0"),
                             what=f"family {family}")
        self.family = uint(reply[0][CTRL_ATTR_FAMILY_ID])

    def close(self):
        self.sock.close()

    def request(self, ftype, cmd, payload=b"", dump=False, what=""):
        """Send one request; return the attributes of every reply."""
        self.seq += 1
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        msg = struct.pack("=IHHII", 16 + len(body), ftype, flags, self.seq,
                          0) + body
        self.sock.send(msg)
        replies = []
        while True:
            data = self.sock.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                mlen, mtype, _, seq, _ = struct.unpack_from("=IHHII", data,
                                                            off)
                if mlen < 16:
                    raise NlError(errno.EPROTO, what)
                body = data[off + 16:off + mlen]
                off += (mlen + 3) & ~3
                if seq != self.seq:
                    continue
                if mtype == NLMSG_DONE:
                    return replies
                if mtype == NLMSG_ERROR:
                    err = struct.unpack_from("=i", body)[0]
                    if err:
                        raise NlError(-err, what)
                    if not dump:
                        return replies
                    continue
                replies.append(parse_attrs(body[4:]))

    def dump(self, cmd, payload=b"", what=""):
        return self.request(self.family, cmd, payload, dump=True, what=what)

    def do(self, cmd, payload=b"", what=""):
        return self.request(self.family, cmd, payload, what=what)


def ifindex_of(name):
    if name.isdigit():
        return int(name)
    try:
        return socket.if_nametoindex(name)
    except OSError:
        raise SystemExit(f"netdev_nl: no interface {name}") from None


def queues(nl, ifindex):
    out = []
    for a in nl.dump(NETDEV_CMD_QUEUE_GET, attr_u32(QUEUE_IFINDEX, ifindex),
                     "queue-get"):
        q = named(a, QUEUE_ATTRS)
        if q.get("ifindex") != ifindex:
            continue
        q["type"] = QUEUE_TYPES.get(q.get("type"), q.get("type"))
        out.append(q)
    return out


def dev(nl, ifindex):
    reply = nl.do(NETDEV_CMD_DEV_GET, attr_u32(DEV_IFINDEX, ifindex),
                  "dev-get")
    feats = reply[0].get(DEV_XDP_FEATURES) if reply else None
    return {"xdp-features": uint(feats) if feats is not None else None}


def napis(nl, ifindex):
    return [n for n in (named(a, NAPI_ATTRS) for a in
                        nl.dump(NETDEV_CMD_NAPI_GET,
                                attr_u32(NAPI_IFINDEX, ifindex), "napi-get"))
            if n.get("ifindex") == ifindex]


def napi_by_id(nl, napi_id):
    reply = nl.do(NETDEV_CMD_NAPI_GET, attr_u32(NAPI_ID, napi_id),
                  f"napi-get id {napi_id}")
    return named(reply[0], NAPI_ATTRS) if reply else None


def qstats(nl, ifindex, per_queue):
    payload = attr_u32(QSTATS_SCOPE, QSTATS_SCOPE_QUEUE) if per_queue else b""
    try:
        # the ifindex filter of the dump (not in every kernel's policy)
        replies = nl.dump(NETDEV_CMD_QSTATS_GET,
                          attr_u32(QSTATS_IFINDEX, ifindex) + payload,
                          "qstats-get")
    except NlError as e:
        if e.err != errno.EINVAL:
            raise
        replies = nl.dump(NETDEV_CMD_QSTATS_GET, payload, "qstats-get")
    out = []
    for a in replies:
        s = named(a, QSTATS_ATTRS)
        if s.get("ifindex") != ifindex:
            continue
        if "queue-type" in s:
            s["queue-type"] = QUEUE_TYPES.get(s["queue-type"],
                                              s["queue-type"])
        out.append(s)
    return out


def sysfs_stats(ifname):
    d = f"/sys/class/net/{ifname}/statistics"
    out = {}
    for name in SYSFS_STATS:
        with open(os.path.join(d, name), encoding="ascii") as f:
            out[name] = int(f.read())
    return out


def show(nl, ifindex, tries=10):
    ifname = socket.if_indextoname(ifindex)
    for _ in range(tries):
        before = sysfs_stats(ifname)
        doc = {
            "ifindex": ifindex,
            "ifname": ifname,
            "queues": queues(nl, ifindex),
            "napi": napis(nl, ifindex),
            "qstats": qstats(nl, ifindex, False),
            "qstats-queue": qstats(nl, ifindex, True),
        }
        after = sysfs_stats(ifname)
        # each NAPI again, by id (the do request rather than the dump)
        doc["napi-by-id"] = [napi_by_id(nl, n["id"]) for n in doc["napi"]]
        doc["sysfs"] = after
        doc["quiet"] = before == after
        if doc["quiet"]:
            break
    return doc


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--indent", type=int, default=None,
                        help="indent the JSON (default: one line)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, helptext in (("dev", "dev-get of IF (xdp-features)"),
                           ("queues", "queue-get dump of IF"),
                           ("napi", "napi-get dump of IF"),
                           ("show", "queues, NAPIs, qstats and sysfs "
                                    "counters of IF at one quiet moment")):
        p = sub.add_parser(name, help=helptext, parents=[common])
        p.add_argument("ifname", metavar="IF", help="interface name or index")
    p = sub.add_parser("napi-id", help="napi-get of one NAPI instance",
                       parents=[common])
    p.add_argument("id", type=int, help="NAPI id")
    p = sub.add_parser("qstats", help="qstats-get dump of IF",
                       parents=[common])
    p.add_argument("ifname", metavar="IF", help="interface name or index")
    p.add_argument("--scope", choices=("device", "queue"), default="device",
                   help="device totals (default) or one entry per queue")
    args = ap.parse_args()

    try:
        nl = Genl("netdev")
        if args.cmd == "napi-id":
            doc = napi_by_id(nl, args.id)
        else:
            ifindex = ifindex_of(args.ifname)
            if args.cmd == "dev":
                doc = dev(nl, ifindex)
            elif args.cmd == "queues":
                doc = queues(nl, ifindex)
            elif args.cmd == "napi":
                doc = napis(nl, ifindex)
            elif args.cmd == "qstats":
                doc = qstats(nl, ifindex, args.scope == "queue")
            else:
                doc = show(nl, ifindex)
        nl.close()
    except NlError as e:
        print(f"netdev_nl: {e}", file=sys.stderr)
        return 1
    json.dump(doc, sys.stdout, indent=args.indent, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
