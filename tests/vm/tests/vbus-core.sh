# SPDX-License-Identifier: GPL-2.0
# timeout: 300
# The host bus core vbus.ko with its test device class vbus-test.ko, no
# guest: module load and unload, the configfs and sysfs trees, every value
# and operation that must be refused (with its errno), attach and detach
# through /dev/vbus (a Python program standing in for vbusd: memfd, eventfds,
# the ioctls), the region header the bus writes, doorbell -> kick -> echoed
# irq, and detach on close; what the attach refuses and holds of a memfd
# (seals, pins against RLIMIT_MEMLOCK, the region zeroed); vbusd beside a
# slow attach (vbusd_slow.py); venet-tap's client_mac parser; rmdir of a
# device while a link to it is being made; configfs raced against attach
# by vbus-race.
vbus=$(need_module vbus.ko)
vtest=$(need_module vbus-test.ko)
vtap=$(need_module venet-tap.ko)
cfs=/sys/kernel/config/vbus
sfs=/sys/vbus

# vbx OP ARGS: one file operation; prints OK or the errno name.
vbx() {
	python3 -c '
import errno, os, sys
op, a = sys.argv[1], sys.argv[2:]
try:
    if op == "write":
        fd = os.open(a[0], os.O_WRONLY)
        try:
            os.write(fd, a[1].encode())
        finally:
            os.close(fd)
    elif op == "mkdir":
        os.mkdir(a[0])
    elif op == "rmdir":
        os.rmdir(a[0])
    elif op == "symlink":
        os.symlink(a[0], a[1])
    elif op == "unlink":
        os.unlink(a[0])
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
' "$@"
}

check "vbus.ko loads" insmod "$vbus"
check "configfs instances/ and devices/" test -d $cfs/instances -a -d $cfs/devices
for d in deviceclass devices instances; do
	check "sysfs $sfs/$d" test -d $sfs/$d
done
expect_eq "sysfs version is the uapi version" "$(cat $sfs/version)" 1
check "/dev/vbus is a character device" test -c /dev/vbus
expect_match "/dev/vbus is root-only without udev" "$(stat -c %a /dev/vbus)" '^600$'

# ---- instances -----------------------------------------------------------
expect_eq "mkdir instance" "$(vbx mkdir $cfs/instances/bus0)" OK
expect_eq "sysfs instance appears" "$(test -d $sfs/instances/bus0 && echo y)" y
expect_eq "default shm_size 4 MiB" "$(cat $cfs/instances/bus0/shm_size)" 4194304
expect_eq "empty instance needs 1 vector" "$(cat $cfs/instances/bus0/vectors)" 1
expect_eq "shm_size not a power of two" "$(vbx write $cfs/instances/bus0/shm_size 3000000)" EINVAL
expect_eq "shm_size below the minimum" "$(vbx write $cfs/instances/bus0/shm_size 4096)" EINVAL
expect_eq "shm_size above the maximum" "$(vbx write $cfs/instances/bus0/shm_size 8589934592)" EINVAL
expect_eq "shm_size not a number" "$(vbx write $cfs/instances/bus0/shm_size lots)" EINVAL
expect_eq "shm_size zero" "$(vbx write $cfs/instances/bus0/shm_size 0)" EINVAL
expect_eq "shm_size 1 MiB accepted" "$(vbx write $cfs/instances/bus0/shm_size 1048576)" OK
expect_eq "shm_size reads back" "$(cat $sfs/instances/bus0/shm_size)" 1048576
expect_eq "shm_size back to 4 MiB" "$(vbx write $cfs/instances/bus0/shm_size 0x400000)" OK
expect_eq "vectors is read-only" "$(vbx write $cfs/instances/bus0/vectors 3)" EACCES
expect_eq "instance name too long" "$(vbx mkdir $cfs/instances/a23456789012345678901234567890123)" ENAMETOOLONG

# ---- devices and classes ----------------------------------------------------
expect_eq "mkdir device" "$(vbx mkdir $cfs/devices/dev0)" OK
expect_eq "sysfs device appears" "$(test -d $sfs/devices/dev0 && echo y)" y
expect_eq "unknown type refused" "$(vbx write $cfs/devices/dev0/type no-such-class)" ENOENT
expect_match "unknown type logged" "$(dmesg | tail -n 20)" "unknown device class 'no-such-class'"
expect_eq "type empty before class loads" "$(cat $cfs/devices/dev0/type)" ""
expect_eq "untyped device cannot join an instance" \
	"$(vbx symlink $cfs/devices/dev0 $cfs/instances/bus0/dev0)" EINVAL
check "vbus-test.ko loads" insmod "$vtest"
check "class listed in sysfs" test -d $sfs/deviceclass/vbus-test
expect_eq "class interface" "$(cat $sfs/deviceclass/vbus-test/interface)" vbus-test
expect_eq "type vbus-test" "$(vbx write $cfs/devices/dev0/type vbus-test)" OK
expect_eq "type reads back" "$(cat $cfs/devices/dev0/type)" vbus-test
expect_eq "same type again is fine" "$(vbx write $cfs/devices/dev0/type vbus-test)" OK
expect_eq "another type refused" "$(vbx write $cfs/devices/dev0/type venet-tap)" EBUSY
expect_eq "class attributes in sysfs" "$(cat $sfs/devices/dev0/kicks $sfs/devices/dev0/echo | tr '\n' ' ')" "0 1 "
expect_eq "sysfs type" "$(cat $sfs/devices/dev0/type)" vbus-test
check_fails "class module pinned by its device" rmmod vbus_test
check_fails "vbus pinned by configfs directories" rmmod vbus
expect_eq "link device into instance" "$(vbx symlink $cfs/devices/dev0 $cfs/instances/bus0/dev0)" OK
expect_eq "instance now needs 2 vectors" "$(cat $cfs/instances/bus0/vectors)" 2
expect_eq "device knows its instance" "$(cat $cfs/devices/dev0/instance)" bus0
expect_eq "sysfs device id" "$(cat $sfs/devices/dev0/id)" 0
expect_eq "sysfs instance members" "$(cat $sfs/instances/bus0/devices)" dev0
expect_eq "instance with devices cannot go" "$(vbx rmdir $cfs/instances/bus0)" ENOTEMPTY
expect_eq "linked device cannot go" "$(vbx rmdir $cfs/devices/dev0)" EBUSY
expect_eq "mkdir instance bus1" "$(vbx mkdir $cfs/instances/bus1)" OK
expect_eq "device on one instance only" "$(vbx symlink $cfs/devices/dev0 $cfs/instances/bus1/dev0)" EBUSY
expect_eq "an instance is not a device" "$(vbx symlink $cfs/instances/bus1 $cfs/instances/bus0/bus1)" EINVAL
expect_eq "mkdir dev1" "$(vbx mkdir $cfs/devices/dev1)" OK
expect_eq "dev1 type" "$(vbx write $cfs/devices/dev1/type vbus-test)" OK

# ---- the control device ------------------------------------------------------
cat > "$VBUS_TEST_OUT/attach.py" <<'EOF'
# Stands in for vbusd: prints "desc<TAB>got<TAB>want" per assertion.
import errno, fcntl, mmap, os, select, struct, subprocess, time

CFS, SFS = "/sys/kernel/config/vbus", "/sys/vbus"
GET_VERSION, DETACH = 0xB700, 0xB702
FMT = "<II32sQiI16i16i"
ATTACH = (1 << 30) | (struct.calcsize(FMT) << 16) | (0xB7 << 8) | 1
MiB = 1 << 20


def say(desc, got, want):
    print("%s\t%s\t%s" % (desc, got, want), flush=True)


def attach(fd, inst=b"bus0", size=4 * MiB, shm=-1, nvec=2, db=None, irq=None,
           version=1, flags=0):
    db = (db or []) + [-1] * 16
    irq = (irq or []) + [-1] * 16
    arg = struct.pack(FMT, version, flags, inst, size, shm, nvec,
                      *db[:16], *irq[:16])
    try:
        fcntl.ioctl(fd, ATTACH, arg)
        return "OK"
    except OSError as e:
        return errno.errorcode[e.errno]


def op(fn, *a):
    try:
        fn(*a)
        return "OK"
    except OSError as e:
        return errno.errorcode[e.errno]


def write(path, val):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, val.encode())
    finally:
        os.close(fd)


def rd(path):
    with open(path) as f:
        return f.read().strip()


def readable(fd, secs=5.0):
    r, _, _ = select.select([fd], [], [], secs)
    return bool(r)


F_ADD_SEALS, F_SEAL_WRITE, F_SEAL_FUTURE_WRITE = 1033, 0x8, 0x10


def memfd(size, seals=0):
    fd = os.memfd_create("vbus-test", os.MFD_ALLOW_SEALING)
    os.ftruncate(fd, size)
    if seals:
        fcntl.fcntl(fd, F_ADD_SEALS, seals)
    return fd


def vmpin_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmPin:"):
                return int(line.split()[1])
    return -1


def without_ipc_lock(memlock, fn):
    """fn() in a child without CAP_IPC_LOCK, RLIMIT_MEMLOCK at memlock."""
    import ctypes, resource
    r, w = os.pipe()
    pid = os.fork()
    if not pid:
        os.close(r)
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            hdr = (ctypes.c_uint32 * 2)(0x20080522, 0)
            data = (ctypes.c_uint32 * 6)()
            libc.capget(hdr, data)
            data[0] &= ~(1 << 14)  # CAP_IPC_LOCK from effective
            if libc.capset(hdr, data):
                raise OSError(ctypes.get_errno(), "capset")
            resource.setrlimit(resource.RLIMIT_MEMLOCK, (memlock, memlock))
            os.write(w, str(fn()).encode())
        finally:
            os._exit(0)
    os.close(w)
    out = os.read(r, 4096).decode()
    os.close(r)
    os.waitpid(pid, 0)
    return out


ctl = os.open("/dev/vbus", os.O_RDWR)
say("GET_VERSION", fcntl.ioctl(ctl, GET_VERSION), 1)
shm = memfd(4 * MiB)
os.pwrite(shm, b"\xa5" * (4 * MiB), 0)  # a stale region: the host zeroes it
db = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(2)]
irq = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(2)]
good = dict(shm=shm, db=db, irq=irq)

small = memfd(2 * MiB)
ro = os.open("/proc/self/fd/%d" % shm, os.O_RDONLY)
proc = os.open("/proc/version", os.O_RDONLY)
say("version mismatch", attach(ctl, version=2, **good), "EPROTO")
say("flags != 0", attach(ctl, flags=1, **good), "EINVAL")
say("unknown instance", attach(ctl, inst=b"nope", **good), "ENOENT")
say("empty instance name", attach(ctl, inst=b"", **good), "EINVAL")
say("unterminated instance name", attach(ctl, inst=b"x" * 32, **good), "EINVAL")
say("nvectors 0", attach(ctl, nvec=0, **good), "EINVAL")
say("nvectors 17", attach(ctl, nvec=17, **good), "EINVAL")
say("nvectors below the instance's", attach(ctl, nvec=1, **good), "EINVAL")
say("size not a power of two", attach(ctl, size=3 * MiB, **good), "EINVAL")
say("size != instance shm_size", attach(ctl, size=2 * MiB, shm=small, db=db, irq=irq), "EINVAL")
say("size != memfd size", attach(ctl, shm=small, db=db, irq=irq), "EINVAL")
say("shm_fd not open", attach(ctl, shm=999, db=db, irq=irq), "EBADF")
say("shm_fd not shmem", attach(ctl, shm=proc, db=db, irq=irq), "EINVAL")
say("shm_fd read-only", attach(ctl, shm=ro, db=db, irq=irq), "EBADF")
say("doorbell fd not open", attach(ctl, shm=shm, db=[db[0], 999], irq=irq), "EBADF")
say("doorbell fd not an eventfd", attach(ctl, shm=shm, db=[db[0], shm], irq=irq), "EINVAL")
say("irq fd not open", attach(ctl, shm=shm, db=db, irq=[irq[0], 999]), "EBADF")
say("irq fd not an eventfd", attach(ctl, shm=shm, db=db, irq=[proc, irq[1]]), "EINVAL")
say("memfd sealed F_SEAL_WRITE", attach(ctl, shm=memfd(4 * MiB, F_SEAL_WRITE), db=db, irq=irq), "EPERM")
say("memfd sealed F_SEAL_FUTURE_WRITE",
    attach(ctl, shm=memfd(4 * MiB, F_SEAL_FUTURE_WRITE), db=db, irq=irq), "EPERM")
pin0 = vmpin_kb()
say("detach without attach", op(fcntl.ioctl, ctl, DETACH), "ENOENT")
say("nothing attached after refusals", rd(SFS + "/instances/bus0/attached"), "0")

say("attach", attach(ctl, **good), "OK")
say("sysfs attached", rd(SFS + "/instances/bus0/attached"), "1")
say("attached region pinned (VmPin)", vmpin_kb() - pin0, 4096)
say("no F_SEAL_WRITE while attached", op(fcntl.fcntl, shm, F_ADD_SEALS, F_SEAL_WRITE), "EBUSY")
say("second attach on the same file", attach(ctl, **good), "EBUSY")
ctl2 = os.open("/dev/vbus", os.O_RDWR)
say("instance attached by another file", attach(ctl2, **good), "EBUSY")

m = mmap.mmap(shm, 4 * MiB)
say("region zeroed at attach (no stale word)", m.find(b"\xa5" * 4), -1)
say("region zeroed at attach (last 64 KiB)", m[-65536:] == bytes(65536), True)
magic, major, minor, rsize = struct.unpack_from("<IHHQ", m, 0)
say("region magic", hex(magic), hex(0x53554256))
say("region abi", "%d.%d" % (major, minor), "1.2")
say("region size", rsize, 4 * MiB)
ndev, nvec = struct.unpack_from("<II", m, 0x1c)
say("region devices and vectors", "%d %d" % (ndev, nvec), "1 2")
hstate, hgen = struct.unpack_from("<II", m, 0x30)
say("host_state READY", hstate, 2)
say("host_gen is the sysfs generation", hgen, int(rd(SFS + "/instances/bus0/generation")))
say("device table type", m[0x108:0x108 + 10].rstrip(b"\0").decode(), "vbus-test")
qvec = struct.unpack_from("<H", m, 0x100 + 0x40 + 0x18)[0]
say("queue 0 on vector 1", qvec, 1)
say("control irq at attach", readable(irq[0]), True)

say("shm_size while attached", op(write, CFS + "/instances/bus0/shm_size", "1048576"), "EBUSY")
say("rmdir attached instance", op(os.rmdir, CFS + "/instances/bus0"), "EBUSY")
say("rmdir device of attached instance", op(os.rmdir, CFS + "/devices/dev0"), "EBUSY")
say("no new device while attached",
    op(os.symlink, CFS + "/devices/dev1", CFS + "/instances/bus0/dev1"), "EBUSY")
say("unlink while attached (deferred)", op(os.unlink, CFS + "/instances/bus0/dev0"), "OK")
say("still on the bus until detach", rd(SFS + "/instances/bus0/devices"), "dev0")
say("unlinked device still pinned", op(os.rmdir, CFS + "/devices/dev0"), "EBUSY")
say("link it back while attached",
    op(os.symlink, CFS + "/devices/dev0", CFS + "/instances/bus0/dev0"), "OK")

kicks = int(rd(SFS + "/devices/dev0/kicks"))
os.eventfd_write(db[1], 1)
say("doorbell 1 echoed on irq 1", readable(irq[1]), True)
say("doorbell 1 kicked the device", int(rd(SFS + "/devices/dev0/kicks")) - kicks, 1)
say("doorbell count consumed", op(os.eventfd_read, db[1]), "EAGAIN")
os.eventfd_read(irq[1])
for _ in range(100):
    os.eventfd_write(db[1], 1)
say("100 doorbells kicked", int(rd(SFS + "/devices/dev0/kicks")) - kicks, 101)
say("echo irqs arrive", readable(irq[1]), True)
write(SFS + "/devices/dev0/echo", "0")
time.sleep(0.5)
os.eventfd_read(irq[1])
os.eventfd_write(db[1], 1)
say("echo off: no irq", readable(irq[1], 1.0), False)
write(SFS + "/devices/dev0/echo", "1")
os.eventfd_write(db[0], 1)

r = subprocess.run(["rmmod", "vbus"], capture_output=True)
say("rmmod vbus while attached fails", r.returncode != 0, True)
os.eventfd_read(irq[0])
struct.pack_into("<I", m, 0x44, 0)  # as the guest: ctrl_to_guest.pending
say("detach", op(fcntl.ioctl, ctl, DETACH), "OK")
say("sysfs detached", rd(SFS + "/instances/bus0/attached"), "0")
say("host_state GONE", struct.unpack_from("<I", m, 0x30)[0], 4)
say("guest told about the detach", readable(irq[0]), True)
say("second detach", op(fcntl.ioctl, ctl, DETACH), "ENOENT")
os.eventfd_write(db[1], 1)
say("no kick after detach", int(rd(SFS + "/devices/dev0/kicks")) - kicks, 102)

say("attach again", attach(ctl, **good), "OK")
say("generation increments", struct.unpack_from("<I", m, 0x34)[0], hgen + 1)
say("attach from another file after detach", attach(ctl2, **good), "EBUSY")
os.close(ctl)
say("close detaches", rd(SFS + "/instances/bus0/attached"), "0")
say("attach from the second file", attach(ctl2, **good), "OK")
m.close()
os.close(ctl2)
say("close detaches again", rd(SFS + "/instances/bus0/attached"), "0")
say("pins released at detach (VmPin)", vmpin_kb() - pin0, 0)


def attach_memlock():
    c = os.open("/dev/vbus", os.O_RDWR)
    try:
        return attach(c, shm=memfd(4 * MiB), db=db, irq=irq)
    finally:
        os.close(c)


say("4 MiB over RLIMIT_MEMLOCK 2 MiB (no CAP_IPC_LOCK)",
    without_ipc_lock(2 * MiB, attach_memlock), "ENOMEM")
say("4 MiB within RLIMIT_MEMLOCK 8 MiB (no CAP_IPC_LOCK)",
    without_ipc_lock(8 * MiB, attach_memlock), "OK")
EOF

# (no /dev/fd in the host VM: no process substitution)
python3 "$VBUS_TEST_OUT/attach.py" > "$VBUS_TEST_OUT/attach.out" 2> "$VBUS_TEST_OUT/attach.err"
rc=$?
while IFS=$'\t' read -r desc got want; do
	expect_eq "$desc" "$got" "$want"
done < "$VBUS_TEST_OUT/attach.out"
[ $rc -eq 0 ] || fatal "attach.py exit $rc: $(tail -n 5 "$VBUS_TEST_OUT/attach.err")"
expect_match "refusals are logged" "$(dmesg)" 'attach refused .*uapi version 2'
expect_match "sealed memfd refusal logged" "$(dmesg)" 'attach refused .*memfd is sealed against writing'
expect_match "RLIMIT_MEMLOCK refusal logged" "$(dmesg)" 'RLIMIT_MEMLOCK'

# ---- vbusd: a slow attach beside its poll loop -------------------------------
# A 1 GiB region takes the kernel seconds to pin and zero here; vbusd
# attaches in a worker thread while its loop refuses other clients, lets a
# client that hangs up go (the attach interrupted by a signal: EINTR) and
# exits on SIGTERM, each at once (tests/vm/vbusd_slow.py).
expect_eq "mkdir busS" "$(vbx mkdir $cfs/instances/busS)" OK
expect_eq "busS shm_size 1 GiB" "$(vbx write $cfs/instances/busS/shm_size 1073741824)" OK
mkdir -p /run/vbus
python3 "$VBUS_REPO/tests/vm/vbusd_slow.py" "$VBUS_REPO/tools/vbusd" busS \
	/run/vbus/busS.sock "$VBUS_TEST_OUT/vbusd-busS.log" > "$VBUS_TEST_OUT/vbusd-slow.out" 2>&1
declare -A vs
while IFS=$'\t' read -r k v; do vs[$k]=$v; done < "$VBUS_TEST_OUT/vbusd-slow.out"
log "vbusd_slow.py: $(tr '\t\n' '= ' < "$VBUS_TEST_OUT/vbusd-slow.out")"
expect_eq "a client is served the 1 GiB region" "${vs[served]}" 1
expect_range "its attach takes long enough to tell (ms)" "${vs[attach_ms]:-0}" 1500 100000
expect_eq "another client during an attach is refused" "${vs[other_refused]}" 1
expect_range "... at once (ms)" "${vs[other_refused_ms]:-99999}" 0 1000
expect_range "a client that hangs up during its attach is let go at once (ms)" \
	"${vs[hangup_seen_ms]:--1}" 0 1000
expect_eq "the next client is served" "${vs[next_served]}" 1
expect_range "SIGTERM during an attach: vbusd exits at once (ms)" \
	"${vs[sigterm_exit_ms]:-99999}" 0 1500
expect_eq "... with status 0" "${vs[sigterm_status]}" 0
expect_eq "... refusing the client (QEMU fails cleanly)" "${vs[sigterm_client_refused]}" 1
expect_eq "... its socket removed" "${vs[socket_removed]}" 1
expect_eq "busS detached" "$(cat $sfs/instances/busS/attached)" 0
expect_eq "busS attached twice (the two interrupted attaches kept nothing)" \
	"$(dmesg | grep -c 'instance busS attached')" 2
expect_eq "an interrupted attach is not logged as a failure" \
	"$(dmesg | grep -E 'busS' | grep -cE 'refused|cannot map')" 0
expect_eq "rmdir busS" "$(vbx rmdir $cfs/instances/busS)" OK

# ---- venet-tap's client_mac: a MAC and at most a newline ---------------------
check "venet-tap.ko loads" insmod "$vtap"
expect_eq "mkdir tap0" "$(vbx mkdir $cfs/devices/tap0)" OK
expect_eq "tap0 type venet-tap" "$(vbx write $cfs/devices/tap0/type venet-tap)" OK
expect_eq "client_mac with a newline" "$(vbx write $sfs/devices/tap0/client_mac "02:00:c6:12:01:02
")" OK
expect_eq "client_mac reads back" "$(cat $sfs/devices/tap0/client_mac)" 02:00:c6:12:01:02
expect_eq "client_mac trailing junk" "$(vbx write $sfs/devices/tap0/client_mac 02:00:c6:12:01:03X)" EINVAL
expect_eq "client_mac trailing junk after a newline" "$(vbx write $sfs/devices/tap0/client_mac "02:00:c6:12:01:03
x")" EINVAL
expect_eq "client_mac trailing digits" "$(vbx write $sfs/devices/tap0/client_mac 02:00:c6:12:01:033)" EINVAL
expect_eq "client_mac unchanged by refusals" "$(cat $sfs/devices/tap0/client_mac)" 02:00:c6:12:01:02
expect_eq "rmdir tap0" "$(vbx rmdir $cfs/devices/tap0)" OK
check "venet-tap unloads" rmmod venet_tap


# ---- rmdir of a device while a link to it is being made --------------------
# configfs pins a link's target only after allow_link() has returned, and
# allow_link() puts the device on the instance. The device must be held
# from allow_link() on: a racing rmdir is refused (EBUSY) and the link is
# made, rather than a device removed while it joins an instance (before,
# vbus_device_remove() warned and the instance kept a device with no class).
# The window is opened on purpose: vbus-test's create() holds the bus's
# lock (create_delay_ms) while `ln -s` waits for it inside allow_link(),
# and only then comes the rmdir.
pdelay=/sys/module/vbus_test/parameters/create_delay_ms
expect_eq "mkdir slow" "$(vbx mkdir $cfs/devices/slow)" OK
expect_eq "mkdir dl" "$(vbx mkdir $cfs/devices/dl)" OK
expect_eq "dl type" "$(vbx write $cfs/devices/dl/type vbus-test)" OK
check "create() delay 5 s" sh -c "echo 5000 > $pdelay"
at_exit "echo 0 > $pdelay"
(vbx write $cfs/devices/slow/type vbus-test > /tmp/slow.rc) &
slowpid=$!
wait_for 10 "a type write holds the bus's lock (in create())" sh -c "cat /proc/[0-9]*/stack 2> /dev/null | grep -q vbus_testdev_create"
ln -s $cfs/devices/dl $cfs/instances/bus0/dl 2> /tmp/ln.err &
lnpid=$!
wait_for 10 "ln -s waits inside allow_link()" sh -c "cat /proc/[0-9]*/stack 2> /dev/null | grep -q vbus_instance_allow_link"
expect_eq "rmdir of the device being linked is refused" "$(vbx rmdir $cfs/devices/dl)" EBUSY
if kill -0 $lnpid 2> /dev/null; then
	log "rmdir answered while ln -s still waited"
fi
lnrc=0
wait $lnpid || lnrc=$?
expect_eq "ln -s made the link once the lock was free" "$lnrc $(cat /tmp/ln.err)" "0 "
wait $slowpid
expect_eq "the slow type write succeeded" "$(cat /tmp/slow.rc)" OK
check "create() delay off" sh -c "echo 0 > $pdelay"
check "the link exists" test -L $cfs/instances/bus0/dl
expect_eq "dl is on bus0" "$(cat $cfs/devices/dl/instance)" bus0
expect_eq "dl keeps its type" "$(cat $cfs/devices/dl/type)" vbus-test
expect_eq "unlink dl" "$(vbx unlink $cfs/instances/bus0/dl)" OK
expect_eq "rmdir dl" "$(vbx rmdir $cfs/devices/dl)" OK
expect_eq "rmdir slow" "$(vbx rmdir $cfs/devices/slow)" OK
expect_eq "no warning from the link and rmdir" \
	"$(dmesg | grep -cE 'WARNING:|BUG:|Oops')" 0

# ---- teardown ------------------------------------------------------------------
expect_eq "unlink" "$(vbx unlink $cfs/instances/bus0/dev0)" OK
expect_eq "unlinked device has no instance" "$(cat $cfs/devices/dev0/instance)" ""
expect_eq "instance needs 1 vector again" "$(cat $cfs/instances/bus0/vectors)" 1
expect_eq "rmdir dev0" "$(vbx rmdir $cfs/devices/dev0)" OK
expect_eq "rmdir dev1" "$(vbx rmdir $cfs/devices/dev1)" OK
expect_eq "sysfs device gone" "$(ls $sfs/devices)" ""
# ---- races: configfs against attach ---------------------------------------------
# vbus-race (tests/vm/hostile) with the kernel preempting at will (one
# vCPU: a race needs a preemption inside its window); the kernel log must
# stay clean (nest.py scans it for faults and warnings).
race=$VBUS_BUILD/hostile/vbus-race
[ -x "$race" ] || race=$VBUS_REPO/build/hostile/vbus-race
preempt=/sys/kernel/debug/sched/preempt
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
klog0=$(dmesg | wc -l)
if [ -w $preempt ]; then
	mode=$(sed -n 's/.*(\([a-z]*\)).*/\1/p' $preempt)
	at_exit "echo $mode > $preempt"
	check "preemption full for the races" sh -c "echo full > $preempt"
fi
check "vbus-race mkdir (mkdir, rmdir and attach)" "$race" mkdir $cfs "${RACE_SECS:-5}"
expect_eq "no warning, oops or BUG from the races" \
	"$(dmesg | tail -n +$((klog0 + 1)) | grep -cE 'WARNING:|BUG:|Oops')" 0

check "vbus-test unloads once its devices are gone" rmmod vbus_test
expect_eq "class gone from sysfs" "$(ls $sfs/deviceclass)" ""
expect_eq "rmdir bus0" "$(vbx rmdir $cfs/instances/bus0)" OK
expect_eq "rmdir bus1" "$(vbx rmdir $cfs/instances/bus1)" OK
check "vbus unloads" rmmod vbus
check "configfs tree gone" test ! -e $cfs
check "sysfs tree gone" test ! -e $sfs
check "reload and unload" sh -c "insmod '$vbus' && rmmod vbus"
