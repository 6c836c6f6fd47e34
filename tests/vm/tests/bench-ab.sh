# SPDX-License-Identifier: GPL-2.0
# timeout: 3000
# series: none
# An A/B of one venet-tap setting against vhost-net, in one guest, by name
# only (docs/performance.md):
#   AB_KNOB    the file to write, relative to the venet-tap device's sysfs
#              folder (/sys/vbus/devices/eth0/), or "netdev:NAME" for
#              /sys/class/net/<venet-tap netdev>/NAME, "guest:NAME" for the
#              guest's tunable /sys/class/net/<venet>/venet/NAME, or an
#              absolute path in the host VM
#   AB_VALUES  the values, in this order in every round
#   BENCH_ROUNDS (3), BENCH_T (5)
# Each round: for every value, venet TCP guest -> host, host -> guest,
# 64-byte UDP guest -> host and 64-byte request/response; then the same
# for vhost-net. Every measurement is recorded with ab=VALUE in its
# parameters (bench.jsonl; bench/run.py does not read these).
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_T=${BENCH_T:-5}
BENCH_SETUP_ONLY=1
. "$VBUS_REPO/tests/vm/benchlib.sh"
case ${AB_KNOB:?AB_KNOB: the setting to compare} in
netdev:*) knob=/sys/class/net/$HIF/${AB_KNOB#netdev:} ;;
guest:*) knob=guest:/sys/class/net/$VGIF/venet/${AB_KNOB#guest:} ;;
/*) knob=$AB_KNOB ;;
*) knob=$S/$AB_KNOB ;;
esac
case $knob in
guest:*) check "the guest's setting ${knob#guest:}" gx g1 "test -w ${knob#guest:}" ;;
*) check "the setting $knob" test -w "$knob" ;;
esac
for r in $(seq "$BENCH_ROUNDS"); do
	for v in ${AB_VALUES:?AB_VALUES: the values to compare}; do
		case $knob in
		guest:*) check "$AB_KNOB=$v" gx g1 "echo $v > ${knob#guest:}" ;;
		*) check "$AB_KNOB=$v" sh -c "echo $v > $knob" ;;
		esac
		measure tcp venet "$r" "dir=g2h ab=$v" tcp venet -R
		measure tcp venet "$r" "dir=h2g ab=$v" tcp venet
		measure udp venet "$r" "size=64 dir=g2h ab=$v" udp64 venet
		measure rr venet "$r" "size=64 ab=$v" rr venet 64
	done
	measure tcp vhost "$r" "dir=g2h" tcp vhost -R
	measure tcp vhost "$r" "dir=h2g" tcp vhost
	measure udp vhost "$r" "size=64 dir=g2h" udp64 vhost
	measure rr vhost "$r" "size=64" rr vhost 64
done
record
