#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Build the two small initramfs images of the nest for one kernel release.

Both images hold busybox, the kernel modules needed to mount a 9p root and an
overlay, and an /init script (tests/vm/init-host.sh or init-guest.sh). Each
VM then switches to the build machine's root file system, read-only under a
tmpfs overlay, so every tool installed on the build machine is there too.
"""
import gzip
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# Loaded in this order; dependencies are resolved with modprobe --show-depends.
ROOT_MODULES = ["virtio_pci", "9pnet_virtio", "9p", "overlay"]
# A guest's agent listens on vsock from the start; vbus uses configfs.
GUEST_MODULES = ["vmw_vsock_virtio_transport", "configfs"]


def module_files(kver, modules):
    """Return the module files (in load order) for modules."""
    files = []
    for mod in modules:
        out = subprocess.run(["modprobe", "--show-depends", "-S", kver, mod],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if parts and parts[0] == "insmod" and parts[1] not in files:
                files.append(parts[1])
    return files


def cpio_newc(root, out_path):
    """Pack directory root as a gzip'ed newc cpio archive (like the kernel's)."""
    names = subprocess.run("find . | sort", shell=True, cwd=root, check=True,
                           capture_output=True).stdout
    data = subprocess.run(["cpio", "--quiet", "-o", "-H", "newc"], cwd=root,
                          input=names, check=True, capture_output=True).stdout
    with gzip.open(out_path, "wb", compresslevel=1) as f:
        f.write(data)


def build(kver, kind, out_path, agent=None):
    """agent: the static guest agent binary (guest images only)."""
    init = os.path.join(HERE, "init-%s.sh" % kind)
    with tempfile.TemporaryDirectory() as root:
        for d in ("bin", "proc", "sys", "dev", "mods", "newroot", "lower"):
            os.makedirs(os.path.join(root, d))
        shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
        order = []
        modules = ROOT_MODULES + (GUEST_MODULES if kind == "guest" else [])
        for i, path in enumerate(module_files(kver, modules)):
            name = "%02d-%s" % (i, os.path.basename(path).split(".ko")[0] + ".ko")
            dst = os.path.join(root, "mods", name)
            if path.endswith(".xz"):
                with lzma.open(path) as src, open(dst, "wb") as d:
                    shutil.copyfileobj(src, d)
            elif path.endswith(".zst"):
                subprocess.run(["zstd", "-q", "-d", "-o", dst, path], check=True)
            else:
                shutil.copy(path, dst)
            order.append(name)
        if kind == "guest":
            shutil.copy(agent, os.path.join(root, "bin", "vbus-agent"))
        shutil.copy(init, os.path.join(root, "init"))
        os.chmod(os.path.join(root, "init"), 0o755)
        tmp = out_path + ".tmp"
        cpio_newc(root, tmp)
        os.replace(tmp, out_path)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5) or sys.argv[2] not in ("host", "guest"):
        sys.exit("usage: initramfs.py KVER host|guest OUT.gz [AGENT]")
    build(sys.argv[1], sys.argv[2], sys.argv[3], *sys.argv[4:])
