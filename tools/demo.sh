#!/bin/sh
# make demo: analyse the captures that ship with the repository.
# First the summary of each, then the full ladder of a few failures.
T=${1:-build/tlsdiag}
cd "$(dirname "$0")/.." || exit 1
echo "== tlsdiag pcap --summary tests/captures/*"
"$T" pcap --summary tests/captures/openssl-lo.pcap tests/captures/stacks-any.pcapng
echo
echo "== tlsdiag pcap --failed tests/captures/openssl-lo.pcap  (every failed handshake, as a ladder)"
"$T" pcap --failed tests/captures/openssl-lo.pcap
echo "== tlsdiag pcap -v --host v12.server.test tests/captures/openssl-lo.pcap  (a good TLS 1.2 handshake, every field)"
"$T" pcap -v --host v12.server.test tests/captures/openssl-lo.pcap
echo "== tlsdiag pcap --json --stream 25 tests/captures/openssl-lo.pcap  (JSON Lines)"
"$T" pcap --json --stream 25 tests/captures/openssl-lo.pcap
# Failures found are the point of the demo, not an error.
exit 0
