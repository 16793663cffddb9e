#!/bin/bash
# Regenerate the captures shipped in tests/captures/ (for `make demo` and the
# tests that need no servers). Needs root (network namespace, tcpdump).
#   tests/captures/make.sh
# They hold only throw-away test certificates; no secret is in them.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/netns.sh
if [ -z "${IN_NETNS:-}" ]; then IN_NETNS=1 netns_run bash "$0"; exit $?; fi
. tests/lib/pki.sh
. tests/lib/scenarios.sh

W=$(mktemp -d)
pki_make "$W/pki" >/dev/null
pki_failures "$W/pki" >/dev/null
scenario_failures "$W" "$W/pki" "$W/failures.pcap"
scenario_openssl "$W" "$W/pki" "$W/openssl.pcap" lo
scenario_stacks "$W" "$W/pki" "$W/stacks.pcap" any
cp "$W/openssl.pcap" tests/captures/openssl-lo.pcap || exit 1
editcap -F pcapng "$W/stacks.pcap" tests/captures/stacks-any.pcapng
cp "$W/failures.pcap" tests/captures/failures-lo.pcap
rm -rf "$W"
ls -l tests/captures/*.pcap*
