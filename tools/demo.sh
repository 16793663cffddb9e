#!/bin/sh
# make demo: analyse the captures that ship with the repository: the summary
# of each (causes per server), then a few failed handshakes in full.
T=${1:-build/tlsdiag}
cd "$(dirname "$0")/.." || exit 1
C=tests/captures
echo "== tlsdiag pcap --summary $C/*   (every capture: connections, causes, servers)"
"$T" pcap --summary $C/openssl-lo.pcap $C/stacks-any.pcapng $C/failures-lo.pcap
echo
echo "== tlsdiag pcap --failed --host only13.server.test $C/openssl-lo.pcap   (a version mismatch)"
"$T" pcap --failed --host only13.server.test $C/openssl-lo.pcap
echo "== tlsdiag pcap --failed --host NAME $C/failures-lo.pcap   (three certificate faults)"
"$T" pcap --failed --host expired.server.test $C/failures-lo.pcap | sed -n '1,/^$/p'
"$T" pcap --failed --host wrong.example.org $C/failures-lo.pcap | sed -n '1,/^$/p'
"$T" pcap --failed --host ccold.server.test $C/failures-lo.pcap | sed -n '1,/^$/p'
echo "== tlsdiag pcap --json --stream 25 $C/openssl-lo.pcap   (JSON Lines: a HelloRetryRequest that succeeds)"
"$T" pcap --json --stream 25 $C/openssl-lo.pcap
# Failures found are the point of the demo, not an error.
exit 0
