#!/bin/sh
# Install every Debian package that `make check`, `make demo` and `make bench`
# need on a Debian 12 build machine. The nested host VM boots the build
# machine's root file system read-only, so everything here is also there.
#
#   tests/deps.sh           all of them
#   tests/deps.sh demo      what `make demo` needs for the kernel series
#                           DEMO_KERNEL (6.12 or 6.1; default 6.12): no
#                           second kernel, compilers for the lints, lintian,
#                           rpm, valgrind or plotting
set -eu
PKGS="
 build-essential make gcc clang libclang-rt-14-dev llvm sparse valgrind perl
 python3 python3-matplotlib shellcheck kmod cpio busybox-static xz-utils zstd
 qemu-system-x86 qemu-utils
 linux-image-amd64 linux-headers-amd64
 linux-image-6.12-amd64 linux-headers-6.12-amd64
 linux-source-6.1
 iproute2 iputils-ping iperf3 sockperf ethtool pciutils procps socat xdp-tools
 libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libxml2-utils
 dkms dh-dkms debhelper dpkg-dev fakeroot lintian rpm rpmlint ccache
"
if [ "${1:-}" = demo ]; then
	case ${DEMO_KERNEL:-6.12} in
	6.1) kpkgs="linux-image-amd64 linux-headers-amd64" ;;
	*) kpkgs="linux-image-6.12-amd64 linux-headers-6.12-amd64" ;;
	esac
	PKGS="
 build-essential make gcc perl python3 kmod cpio busybox-static xz-utils zstd
 qemu-system-x86 $kpkgs
 iproute2 iputils-ping iperf3 ethtool pciutils procps socat
 dkms dh-dkms debhelper dpkg-dev fakeroot
"
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
