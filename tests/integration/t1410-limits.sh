#!/bin/bash
# Limits (README "Limits"): 100,000 connections left half-open, one million
# out-of-order 1-byte segments, sequence numbers wrapping around 2^32, and TLS
# messages built to hurt (lengths up to 2^24, oversized and empty records,
# 10,000 suites or extensions, 100 certificates, 10,000 nested ASN.1
# SEQUENCEs): exit codes as documented, every connection accounted for, peak
# memory under the documented bound (release build; the sanitizer build is run
# for memory errors, its own overhead being what it is).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
R=$PWD/
export W
H=tests/lib/hostile.py
python3 $H halfopen "$W/halfopen.pcap" 100000
python3 $H ooo "$W/ooo.pcap" 1000000
"${TLSDIAGS%% *}" lab -w "$W/lab" ok-tls12 >/dev/null
python3 $H wrap "$W/wrap.pcap" "$W/lab/ok-tls12.pcap"
. tests/lib/certpki.sh
cp_cert "$W" root "/CN=Root" self "$CA_EXT" >/dev/null 2>&1 && cp_cert "$W" leaf "/CN=leaf.test" root "subjectAltName=DNS:leaf.test" >/dev/null 2>&1
openssl x509 -in "$W/leaf.crt" -outform DER -out "$W/leaf.der"
python3 $H lengths "$W/lengths.pcap" "$W/leaf.der"

rss_kb() { # command... : runs it, prints its peak RSS in KiB (its exit code in $W/rc)
  /usr/bin/time -f '%M' -o "$W/rss" "$@" > "$W/out" 2> "$W/err"; echo $? > "$W/rc"; tail -1 "$W/rss"; }

for T in $TLSDIAGS; do
  case $T in *asan*|*memcheck*) release=false ;; *) release=true ;; esac
  check "$T: 100,000 half-open connections: all 100,000 reported (incomplete), exit 0, peak RSS under 256 MiB" \
    sh -c "kb=\$($(declare -f rss_kb); rss_kb '$T' pcap --summary '$W/halfopen.pcap'); [ \$(cat '$W/rc') -eq 0 ] || exit 1
      grep -q '100000 TCP connections; TLS: 100000 (0 ok, 0 failed, 100000 incomplete)' '$W/out' || { cat '$W/out'; exit 1; }
      echo \"peak RSS \$kb KiB\"; $release || exit 0; [ \$kb -lt 262144 ]"
  check "$T: one million out-of-order 1-byte segments: reassembled, one connection, peak RSS under 64 MiB" \
    sh -c "kb=\$($(declare -f rss_kb); rss_kb '$T' pcap --summary '$W/ooo.pcap'); [ \$(cat '$W/rc') -le 1 ] || exit 1
      grep -q '1000316 frames, 1 TCP connections; TLS: 1 ' '$W/out' || { cat '$W/out'; exit 1; }
      ! grep -q gap '$W/out' && echo \"peak RSS \$kb KiB\" && { $release || exit 0; [ \$kb -lt 65536 ]; }"
  check "$T: sequence numbers wrapping around 2^32 in the handshake: the same ladder as without" \
    sh -c "(cd '$W/lab' && '$R$T' pcap ok-tls12.pcap) | sed 's/ok-tls12.pcap/F/' > '$W/a'
      (cd '$W' && '$R$T' pcap wrap.pcap) | sed 's/wrap.pcap/F/' > '$W/b'; diff '$W/a' '$W/b' && grep -q 'Finished' '$W/b'"
  check "$T: messages built to hurt: each one named, exit 1, never a signal" \
    sh -c "'$T' pcap --json '$W/lengths.pcap' > '$W/l.json' 2> '$W/err'; [ \$? -eq 1 ] || exit 1
      ! grep -q 'Sanitizer\|runtime error' '$W/err' && python3 -c \"
import json
c = {d['stream']: d for d in map(json.loads, open('$W/l.json'))}
err = lambda s: [m['error'] for m in c[s]['messages'] if m['type'] == 'Malformed']
assert 'length over the limit' in err(0)[0], err(0)
assert 'not a TLS record header' in err(1)[0], err(1)
assert 'zero-length record' in err(2)[0], err(2)
ch = lambda s: [m for m in c[s]['messages'] if m['type'] == 'ClientHello'][0]
assert len(ch(3)['cipher_suites']) == 10000
assert len(ch(4)['extensions']) == 10000
cert = [m for m in c[5]['messages'] if m['type'] == 'Certificate'][0]
assert cert['num_certificates'] == 100 and len(cert['certificates']) == 16, cert.keys()
assert c[6]['cause'] == 'cert_unusable', c[6]['cause']
\""
done
