#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sequdp over loopback: what it counts is what happened. One PASS:/FAIL:
# line per case; valgrind runs (when installed) must show no leak or error.
S=${SEQUDP:?}
rc=0
pass() { echo "PASS: sequdp-$1"; }
fail() { echo "FAIL: sequdp-$1: $2"; rc=1; }
port=$((20000 + $$ % 20000))

# recv_with NAME EXPECT-REGEX RECV-ARGS -- SEND-ARGS
recv_with() {
	local name=$1 want=$2 out
	shift 2
	local rargs=() sargs=()
	while [ "$1" != -- ]; do rargs+=("$1"); shift; done
	shift
	sargs=("$@")
	port=$((port + 1))
	local bin=$S
	[ -n "$VG" ] && bin=$SEQUDP_DYN
	$VG "$bin" recv $port "${rargs[@]}" > /tmp/sequdp.$$ 2> /tmp/sequdp.err.$$ &
	local pid=$!
	for _ in $(seq 50); do ss -Hlun "sport = :$port" | grep -q . && break; sleep 0.1; done
	"$S" send 127.0.0.1 $port "${sargs[@]}" > /tmp/sequdp.snd.$$ || fail "$name" "send failed"
	[ -z "$sent" ] || grep -Eq "^sent=$sent retries=[0-9]+ " /tmp/sequdp.snd.$$ ||
		fail "$name" "sender said '$(cat /tmp/sequdp.snd.$$)', want sent=$sent"
	wait $pid || fail "$name" "recv exited $? ($(cat /tmp/sequdp.err.$$))"
	out=$(cat /tmp/sequdp.$$)
	if [[ $out =~ $want ]]; then pass "$name"; else fail "$name" "got '$out', want /$want/"; fi
	rm -f /tmp/sequdp.$$ /tmp/sequdp.err.$$ /tmp/sequdp.snd.$$
}

# recv_with checks the sender's own count when $sent is set
VG=
sent=20000 recv_with all-arrive '^received=20000 unique=20000 lost=0 dup=0 reordered=0 sockdrops=0 foreign=0 .* missing=-$' \
	20000 --idle 2 -- 20000 --rate 40000
sent=900 recv_with counts-loss '^received=900 unique=900 lost=100 dup=0 .* missing=900,901,902,903,904,905,906,907$' \
	1000 --idle 1 -- 900 --rate 0
recv_with big-datagrams '^received=500 unique=500 lost=0 dup=0 reordered=0 ' \
	500 --idle 2 -- 500 --size 9000 --rate 5000
# a second sender repeats the numbers: every one of them is a duplicate
port2() {
	port=$((port + 1))
	"$S" recv $port 1000 --idle 1 > /tmp/sequdp.$$ &
	local pid=$!
	for _ in $(seq 50); do ss -Hlun "sport = :$port" | grep -q . && break; sleep 0.1; done
	"$S" send 127.0.0.1 $port 500 --rate 0 > /dev/null
	"$S" send 127.0.0.1 $port 500 --rate 0 > /dev/null
	wait $pid
	if grep -Eq '^received=1000 unique=500 lost=500 dup=500 reordered=0 ' /tmp/sequdp.$$; then
		pass counts-duplicates
	else
		fail counts-duplicates "got '$(cat /tmp/sequdp.$$)'"
	fi
	rm -f /tmp/sequdp.$$
}
port2
# numbers below the highest seen count as reordered: 500..999 first, then
# 0..499
port=$((port + 1))
"$S" recv $port 1000 --idle 1 > /tmp/sequdp.$$ &
pid=$!
for _ in $(seq 50); do ss -Hlun "sport = :$port" | grep -q . && break; sleep 0.1; done
"$S" send 127.0.0.1 $port 1000 --from 500 --rate 0 > /dev/null
"$S" send 127.0.0.1 $port 500 --rate 0 > /dev/null
wait $pid
if grep -Eq '^received=1000 unique=1000 lost=0 dup=0 reordered=500 ' /tmp/sequdp.$$; then
	pass counts-reordering
else
	fail counts-reordering "got '$(cat /tmp/sequdp.$$)'"
fi
rm -f /tmp/sequdp.$$
# a sender stopped by an error still says how many it sent: here the
# first datagram's ICMP port unreachable ends it (nothing listens)
port=$((port + 1))
"$S" send 127.0.0.1 $port 100000 --rate 10000 > /tmp/sequdp.$$ 2> /tmp/sequdp.err.$$
st=$?
n=$(sed -n 's/^sent=\([0-9]*\) .*/\1/p' /tmp/sequdp.$$)
if [ $st = 1 ] && [ -n "$n" ] && [ "$n" -lt 100000 ] && grep -q refused /tmp/sequdp.err.$$; then
	pass send-error-counts
else
	fail send-error-counts "exit $st, '$(cat /tmp/sequdp.$$)' '$(cat /tmp/sequdp.err.$$)'"
fi
rm -f /tmp/sequdp.$$ /tmp/sequdp.err.$$
# stopped by SIGTERM (timeout 1): it says how many it sent, all of which
# the receiver counted
port=$((port + 1))
"$S" recv $port 100000000 --idle 1 > /tmp/sequdp.rcv.$$ &
pid=$!
for _ in $(seq 50); do ss -Hlun "sport = :$port" | grep -q . && break; sleep 0.1; done
timeout 1 "$S" send 127.0.0.1 $port 100000000 --rate 2000 > /tmp/sequdp.$$ 2> /tmp/sequdp.err.$$
st=$?
wait $pid
n=$(sed -n 's/^sent=\([0-9]*\) .*/\1/p' /tmp/sequdp.$$)
if [ $st = 124 ] && [ -n "$n" ] && [ "$n" -gt 0 ] && grep -q "^received=$n unique=$n " /tmp/sequdp.rcv.$$; then
	pass stopped-counts
else
	fail stopped-counts "exit $st, '$(cat /tmp/sequdp.$$)' '$(cat /tmp/sequdp.err.$$)', receiver '$(cat /tmp/sequdp.rcv.$$)'"
fi
rm -f /tmp/sequdp.$$ /tmp/sequdp.err.$$ /tmp/sequdp.rcv.$$
for bad in "recv" "recv 0 10" "recv 5000 x" "send 1.2.3 9 1" "send 127.0.0.1 9 1 --size 5" "bogus"; do
	# shellcheck disable=SC2086
	"$S" $bad > /dev/null 2> /tmp/sequdp.err.$$
	st=$?
	if [ $st = 2 ] && [ -s /tmp/sequdp.err.$$ ]; then pass "usage '$bad'"; else fail "usage '$bad'" "exit $st"; fi
done
rm -f /tmp/sequdp.err.$$
"$S" --help | grep -q '^usage: sequdp send' && pass help || fail help "no usage on --help"
if command -v valgrind > /dev/null; then
	VG="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99"
	recv_with valgrind-recv '^received=2000 unique=2000 lost=0 ' 2000 --idle 2 -- 2000 --rate 5000
else
	echo "SKIP: sequdp-valgrind-recv valgrind not installed"
fi
exit $rc
