#!/bin/bash
# Command-line manners: exit codes, filters, JSON Lines, colour, help.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh

for T in $TLSDIAGS; do
  check "$T: exit 1 when a handshake failed" \
    sh -c "'$T' pcap '$LO' >/dev/null; [ \$? -eq 1 ]"
  check "$T: exit 0 on a capture with only good handshakes" \
    sh -c "tshark -2 -r '$ANY' -w '$W/good.pcap' -F pcap -R 'tcp.stream in {8,9,10}' 2>/dev/null; '$T' pcap '$W/good.pcap' > '$W/out'; rc=\$?; [ \$rc -eq 0 ] && grep -q 'TLS: 3 (3 ok, 0 failed' '$W/out'"
  check "$T: usage errors exit 2: unknown option, no file, bad --stream, unknown command" \
    sh -c "'$T' pcap --bogus '$LO' 2>/dev/null; a=\$?; '$T' pcap 2>/dev/null; b=\$?; '$T' pcap --stream x '$LO' 2>/dev/null; c=\$?; '$T' frobnicate 2>/dev/null; d=\$?; [ \$a\$b\$c\$d = 2222 ]"
  check "$T: --help and --version exit 0 and say what to do" \
    sh -c "'$T' --help | grep -q 'pcap' && '$T' pcap --help | grep -q -- '--json' && '$T' --version | grep -q '^tlsdiag '"
  check "$T: --json is JSON Lines: one object per connection, every line parses" \
    python3 -c "
import json, subprocess, sys
out = subprocess.run(['$T', 'pcap', '--json', '$LO'], capture_output=True, text=True).stdout.splitlines()
objs = [json.loads(l) for l in out]
assert len(objs) == 22, len(objs)
for o in objs:
    for k in ('stream', 'client', 'server', 'sni', 'outcome', 'messages'):
        assert k in o, k
    assert o['outcome'] in ('ok', 'failed', 'incomplete')
    for m in o['messages']:
        assert {'frame', 'time', 'from', 'type'} <= set(m), m
"
  check "$T: --stream, --host (SNI or address) and --failed filter" \
    sh -c "[ \$('$T' pcap --json --stream 25 '$LO' | wc -l) -eq 1 ] &&
           [ \$('$T' pcap --json --host hrr.server.test '$LO' | wc -l) -eq 1 ] &&
           [ \$('$T' pcap --json --host ::1 '$ANY' | wc -l) -eq 1 ] &&
           [ \$('$T' pcap --json --failed '$LO' | grep -c '\"outcome\":\"failed\"') -eq 7 ] &&
           [ \$('$T' pcap --json --failed '$LO' | wc -l) -eq 7 ] &&
           [ \$('$T' pcap --json --failed --fail-on-empty '$LO' | grep -c '\"cause\":\"no_client_hello\"') -eq 7 ] &&
           [ \$('$T' pcap --json --failed --fail-on-empty '$LO' | wc -l) -eq 14 ]"
  check "$T: -r FILE works like tcpdump/tshark; several files each get a summary" \
    sh -c "'$T' pcap -r '$LO' -r '$ANY' | grep -c '^tests/captures/.*frames' | grep -qx 2"
  check "$T: --summary prints only the summary; as JSON with --json" \
    sh -c "'$T' pcap --summary '$LO' > '$W/s'; head -1 '$W/s' | grep -q 'TLS: 14 (8 ok, 6 failed, 0 incomplete); 1 not TLS on a TLS port; 7 port checks ' && ! grep -q 'tcp.stream' '$W/s' && grep -q '^  causes: .*protocol_mismatch 3' '$W/s' &&
           '$T' pcap --summary --json '$LO' | grep -q '\"type\":\"summary\",.*\"failed\":6,.*\"port_checks\":7,.*\"causes\":{.*\"client_cert_missing\":2'"
  check "$T: text ladder shows Wireshark frame numbers, directions and alerts" \
    sh -c "'$T' pcap --host only13.server.test '$LO' | grep -Eq '^  #[0-9]+ +client ← server +Alert +fatal protocol_version'"
  check "$T: -v lists every suite and each certificate's fields" \
    sh -c "'$T' pcap -v --host v12.server.test '$LO' > '$W/v'; grep -q 'cipher_suites (' '$W/v' && grep -q 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384' '$W/v' && grep -q 'issuer  CN=tlsdiag Test Root CA' '$W/v' && grep -q 'sha256 ' '$W/v'"
  check "$T: no colour unless on a terminal; --color=always colours; NO_COLOR wins" \
    sh -c "! '$T' pcap '$LO' | grep -q \$(printf '\\033') &&
           '$T' pcap --color always '$LO' | grep -q \$(printf '\\033') &&
           ! NO_COLOR=1 '$T' pcap --color always '$LO' | grep -q \$(printf '\\033')"
  check "$T: ASCII arrows outside UTF-8 locales" \
    sh -c "LC_ALL=C '$T' pcap --host only13.server.test '$LO' | grep -q 'client <- server'"
done
