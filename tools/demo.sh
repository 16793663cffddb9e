#!/bin/sh
# make demo: reproduce every failure with tlsdiag lab (in-process OpenSSL peers,
# no network), show one diagnosis in full, then analyse the captures that ship
# with the repository (real peers: OpenSSL, GnuTLS, nginx, curl, Java, Node).
T=${1:-build/tlsdiag}
cd "$(dirname "$0")/.." || exit 1
C=tests/captures
echo "== tlsdiag lab -w demo-captures   (each failure reproduced, captured and diagnosed)"
"$T" lab -w demo-captures
echo
echo "== tlsdiag pcap demo-captures/gateway-503.pcap   (a 503 from a gateway whose backend handshake failed)"
"$T" pcap demo-captures/gateway-503.pcap
echo "== tlsdiag pcap --summary $C/*.pcap*   (real captures: connections, causes, servers)"
"$T" pcap --summary $C/*.pcap*
echo
echo "== tlsdiag pcap --failed --host only13.server.test $C/openssl-lo.pcap   (a version mismatch)"
"$T" pcap --failed --host only13.server.test $C/openssl-lo.pcap
echo "== tlsdiag pcap --failed --host expired.server.test $C/failures-lo.pcap   (an expired certificate)"
"$T" pcap --failed --host expired.server.test $C/failures-lo.pcap | sed -n '1,/^$/p'
echo "== tlsdiag cert --at 2015-06-01 --host your-org.your-domain tests/data/certinfo-seed.json   (the seed's certInfo)"
"$T" cert --at 2015-06-01 --host your-org.your-domain tests/data/certinfo-seed.json | sed -n '/^findings/,$p'
# Failures found are the point of the demo, not an error.
exit 0
