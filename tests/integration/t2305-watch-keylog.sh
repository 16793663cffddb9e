#!/bin/bash
# tlsdiag watch --keylog on this namespace's lo while real TLS 1.3 clients
# (openssl s_client -keylogfile, curl with SSLKEYLOGFILE) append to the key
# log as they connect to openssl s_server -Verify: an expired client
# certificate, refused with an alert only the decrypted records show, is
# named (client_cert_expired, decrypted) within a second of the client's exit;
# the good client with its certificate completes; the --write-failed file's
# Decryption Secrets Blocks hold exactly the failed connections' lines, so
# tshark with no key log option reads the certificate_expired alert. Then
# $SSLKEYLOGFILE as pcap takes it, after the key log was truncated.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null
K=$W/keys.log # not there yet when watch starts: the first client creates it
ossl_srv 4433 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -Verify 1 \
  -CAfile "$P/ca-bundle.crt" -verify_return_error -tls1_3

. tests/lib/watch.sh
# fail_and_time OUT CLIENT...: the failing client, then the ms until one more verdict in OUT
fail_and_time() { time_until_more '"cause":"client_cert_expired"' "$@"; }

OLD="-cert $P/oldclient.crt -key $P/oldclient.key -cert_chain $P/inter.crt"
s_client_old() { echo | timeout 5 openssl s_client -connect 127.0.0.1:4433 -keylogfile "$K" -servername old.s-client.test $OLD; }
s_client_ok() {
  echo | timeout 5 openssl s_client -connect 127.0.0.1:4433 -keylogfile "$K" -servername ok.s-client.test \
    -cert "$P/client.crt" -key "$P/client.key" -cert_chain "$P/inter.crt" >/dev/null 2>&1
}
curl_old() {
  SSLKEYLOGFILE=$K curl -s -o /dev/null -m 5 -k --cert "$P/oldclient.crt" --key "$P/oldclient.key" \
    --resolve old.curl.test:4433:127.0.0.1 https://old.curl.test:4433/
}

for T in $TLSDIAGS; do
  rm -f "$K" "$W/f.pcapng"
  watch_start "$W/w.out" --json --keylog "$K" --write-failed "$W/f.pcapng"
  ms1=$(fail_and_time "$W/w.out" s_client_old)
  s_client_ok
  ms2=$(fail_and_time "$W/w.out" curl_old)
  sleep 0.5
  kill -INT "$WPID"; wait "$WPID"; rc=$?
  echo "# $T watch --keylog: decrypted verdict after the failing client's exit: s_client ${ms1} ms, curl ${ms2} ms"
  check "$T: each refusal named from the decrypted alert within a second (s_client $ms1 ms, curl $ms2 ms)" sh -c "
    [ '$ms1' != none ] && [ '$ms2' != none ] && [ '$ms1' -lt 1000 ] && [ '$ms2' -lt 1000 ] && [ $rc -eq 1 ]"
  check "$T: --json: 2 failures client_cert_expired at high, decrypted; the good client ok, decrypted" \
    python3 - "$W/w.out" <<'PY'
import json, sys
conns = [r for r in map(json.loads, open(sys.argv[1])) if 'stream' in r and 'outcome' in r]
got = sorted((r['sni'], r['outcome'], r['cause'], r['confidence'], r['keylog']) for r in conns)
want = [('ok.s-client.test', 'ok', None, None, 'decrypted'),
        ('old.curl.test', 'failed', 'client_cert_expired', 'high', 'decrypted'),
        ('old.s-client.test', 'failed', 'client_cert_expired', 'high', 'decrypted')]
assert [g[:2] for g in got] == [w[:2] for w in want], got
assert all(g[2:] == w[2:] for g, w in zip(got, want) if w[1] == 'failed') and got[0][4] == 'decrypted', got
print(got)
PY
  check "$T: --write-failed: its Decryption Secrets Blocks hold exactly the 2 failed connections' key log lines" \
    python3 - "$W/f.pcapng" "$K" <<'PY'
import struct, subprocess, sys
data = open(sys.argv[1], 'rb').read()
e = '<' if data[8:12] == b'\x4d\x3c\x2b\x1a' else '>'  # the section's byte order
dsb, i = [], 0
while i + 12 <= len(data):
    t, n = struct.unpack_from(e + 'II', data, i)
    if t == 0x0A:
        kind, ln = struct.unpack_from(e + 'II', data, i + 8)
        assert kind == 0x544c534b, hex(kind)
        dsb += data[i + 16:i + 16 + ln].decode().splitlines()
    i += max(n, 12)
randoms = subprocess.run(['tshark', '-n', '-r', sys.argv[1], '-Y', 'tls.handshake.type == 1', '-T', 'fields',
                          '-e', 'tls.handshake.random'], capture_output=True, text=True, check=True).stdout.split()
assert len(randoms) == 2, randoms
keys = [l for l in open(sys.argv[2]).read().splitlines() if l and not l.startswith('#')]
want = sorted(set(l.lower() for l in keys if l.split()[1].lower() in randoms))
assert sorted(set(l.lower() for l in dsb)) == want and len(dsb) == len(want) and len(want) >= 8, (dsb, want)
assert len(set(l.split()[1] for l in keys)) == 3, 'the key log holds the 3 sessions'
print(len(dsb), 'lines for', len(randoms), 'sessions')
PY
  check "$T: tshark -r on the written file, no key log option: the decrypted certificate_expired alerts, the client Certificates" sh -c "
    [ \$(tshark -n -r '$W/f.pcapng' -Y 'tls.alert_message.desc == 45' | wc -l) -eq 2 ] &&
    [ \$(tshark -n -r '$W/f.pcapng' -Y 'tls.handshake.type == 11 && tcp.dstport == 4433' | wc -l) -eq 2 ]"

  : > "$K" # truncated: read again from its start
  SSLKEYLOGFILE=$K watch_start "$W/e.out" --json
  ms3=$(fail_and_time "$W/e.out" s_client_old)
  kill -INT "$WPID"; wait "$WPID"
  check "$T: \$SSLKEYLOGFILE followed as --keylog is ($ms3 ms)" sh -c "
    cat '$W/e.out.err'; grep -q 'following the key log $K' '$W/e.out.err' && [ '$ms3' != none ] && [ '$ms3' -lt 1000 ] &&
    grep '\"cause\":\"client_cert_expired\"' '$W/e.out' | grep -q '\"keylog\":\"decrypted\"'"
done
