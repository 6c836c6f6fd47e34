# SPDX-License-Identifier: GPL-2.0
# vbus: in-kernel paravirtual networking for KVM guests.
#
#   make                 build the tools and the modules for KVER
#   make modules KVER=r  build every module for kernel release r
#   make check           every test tier (installs Debian packages as root)
#   make check-unit | check-tools | check-build | check-pkg
#   make check-vm [KERNEL=6.1|6.12] [TEST=name[,name]]
#   make fuzz | bench-ring
#   make bench [KERNEL=6.1|6.12]   venet vs virtio-net/vhost-net in the nest
#   make soak [SOAK_FAULTS=6.12] [SOAK_HOSTILE=6.1]   the long fault and
#                        hostile-guest tests, one host VM (series) each
#   make pkg             Debian and RPM packages into build/pkg/
#   make demo            the packages installed, the nest booted, traffic shown
#   make install-tools DESTDIR=... PREFIX=...

KVER ?= $(shell uname -r)
# Debian's python3, for which tests/deps.sh installs python3-matplotlib
BENCH_PYTHON ?= /usr/bin/python3

.PHONY: all tools modules check check-unit check-tools check-build check-pkg \
	check-vm fuzz bench-ring pkg install-tools demo bench soak clean

all: tools modules

tools:
	$(MAKE) -C tools

modules:
	tests/build/modules.sh $(KVER)

check:
	tests/check.sh

check-unit:
	TIERS=unit tests/check.sh

check-tools:
	TIERS=tools tests/check.sh

check-build:
	TIERS=build tests/check.sh

check-pkg:
	TIERS=pkg tests/check.sh

check-vm:
	TIERS=vm KERNEL=$(or $(KERNEL),all) TEST=$(or $(TEST),all) tests/check.sh

fuzz:
	$(MAKE) -C tests/unit fuzz

bench-ring:
	$(MAKE) -C tests/unit bench

# the packages, into build/pkg/ (no DKMS builds)
pkg:
	tests/pkg/check.sh --no-dkms

install-tools:
	$(MAKE) -C tools install

# vbus end to end in the nest, from the packages (as root; demo/run.sh)
demo:
	demo/run.sh

# the benchmark in the nest (about 15 minutes), into bench/results/
bench:
	@sh tests/deps.sh || echo "# bench: packages missing; the chart needs python3-matplotlib"
	$(BENCH_PYTHON) bench/run.py --kernel $(or $(KERNEL),6.1)

# the long forms of the fault and hostile-guest tests, side by side in two
# host VMs (over an hour; as root; counts from FAULT_* and HOSTILE_*:
# tests/vm/tests/soak-faults.sh, soak-hostile.sh)
SOAK_FAULTS ?= 6.12
SOAK_HOSTILE ?= 6.1
soak:
	sh tests/deps.sh
	python3 tests/vm/nest.py --kernel $(SOAK_FAULTS),$(SOAK_HOSTILE) \
		--test soak-faults@$(SOAK_FAULTS),soak-hostile@$(SOAK_HOSTILE)

clean:
	$(MAKE) -C tools clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/tools clean
	rm -rf build
