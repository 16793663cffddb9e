#!/bin/bash
# bad_record_mac and decrypt_error told apart by what they answer (issue 18),
# between real OpenSSL peers, with a relay (tests/lib/tamper_relay.py) as the
# broken middlebox where one is needed:
#   TLS 1.2 PSK, the two sides with different keys: bad_record_mac to the client's Finished: keys_differ, high
#   TLS 1.3 PSK, different keys: the binder fails, OpenSSL answers illegal_parameter: keys_differ, medium
#   the same PSK on both sides: a good handshake (the control)
#   a relay flips the last byte of the ServerKeyExchange signature: the client's decrypt_error: key_mismatch, medium
#   a relay flips a byte of the client's first application data record after a good handshake: the server's
#     bad_record_mac (encrypted; read with the client's key log): record_corrupted, medium
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/integrity.pcap
K=$W/keys.log
: > "$K"
sc() { # port sni args...: one s_client, its output kept
  p=$1 n=$2; shift 2
  printf 'GET / HTTP/1.0\r\n\r\n' | timeout 5 openssl s_client -connect 127.0.0.1:$p -servername "$n" -ign_eof "$@" \
    > "$W/$n.out" 2>&1
}
cap_start lo "$CAP" "tcp port 5921 or tcp port 5922 or tcp port 5931 or tcp port 5932"
ossl_srv 5921 -nocert -psk 1a2b3c4d -tls1_2 -cipher PSK-AES128-GCM-SHA256
ossl_srv 5922 -nocert -psk 1a2b3c4d -tls1_3
ossl_srv 5923 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -tls1_2
python3 tests/lib/tamper_relay.py 5931 5923 appdata 1 >/dev/null 2>&1 &
td_track $!
python3 tests/lib/tamper_relay.py 5932 5923 ske >/dev/null 2>&1 &
td_track $!
wait_port 5931; wait_port 5932
sc 5921 psk12.server.test -psk 99887766 -tls1_2 -cipher PSK-AES128-GCM-SHA256
sc 5921 pskok.server.test -psk 1a2b3c4d -tls1_2 -cipher PSK-AES128-GCM-SHA256
sc 5922 psk13.server.test -psk 99887766 -tls1_3
sc 5932 ske.server.test -CAfile "$P/root.crt"
sc 5931 mid.server.test -CAfile "$P/root.crt" -keylogfile "$K"
sleep 0.5
cap_stop

ts() { tshark -r "$CAP" -o "tls.keylog_file:$K" -d tcp.port==5921,tls -d tcp.port==5922,tls -d tcp.port==5931,tls \
  -d tcp.port==5932,tls -Y "$1" -T fields -e tcp.stream 2>/dev/null | sort -u | tr '\n' ' '; }
stream() { tshark -r "$CAP" -d tcp.port==5921,tls -d tcp.port==5922,tls -d tcp.port==5931,tls -d tcp.port==5932,tls \
  -Y "tls.handshake.extensions_server_name == \"$1\"" -T fields -e tcp.stream 2>/dev/null | head -1; }
A20=$(ts 'tls.alert_message.desc == 20'); A47=$(ts 'tls.alert_message.desc == 47 && tcp.srcport == 5922')
A51=$(ts 'tls.alert_message.desc == 51 && tcp.dstport == 5932'); PSK41=$(ts 'tls.handshake.extension.type == 41')
for T in $TLSDIAGS; do
  check "$T: the peers did what the test claims: each failure as OpenSSL reported it, the control connected" \
    sh -c "grep -q 'alert bad record mac' '$W/psk12.server.test.out' && grep -q 'alert illegal parameter' '$W/psk13.server.test.out' &&
      grep -q 'bad signature' '$W/ske.server.test.out' && grep -q 'Cipher is PSK-AES128-GCM-SHA256' '$W/pskok.server.test.out' &&
      grep -q 'alert bad record mac' '$W/mid.server.test.out'"
  check "$T: tshark (with the key log) finds the alerts where the verdicts put them: 20 in the PSK and the relayed streams, 47 to the PSK hello, 51 to the ServerKeyExchange" \
    sh -c "[ '$A20' = '$(echo $(stream psk12.server.test) $(stream mid.server.test) | tr ' ' '\n' | sort -u | tr '\n' ' ')' ] &&
      [ '$A47' = '$(stream psk13.server.test) ' ] && [ '$PSK41' = '$(stream psk13.server.test) ' ] && [ '$A51' = '$(stream ske.server.test) ' ]"
  check "$T: keys_differ (PSK: high in TLS 1.2, medium for OpenSSL's illegal_parameter), key_mismatch, record_corrupted" \
    env TD_ARGS="--keylog $K" python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(sni='psk12.server.test')['cause'] == 'keys_differ' and conn(sni='psk12.server.test')['confidence'] == 'high'" \
      "'PSKs' in conn(sni='psk12.server.test')['explanation'] and conn(sni='psk12.server.test')['aborted_by'] == 'server'" \
      "conn(sni='psk13.server.test')['cause'] == 'keys_differ' and conn(sni='psk13.server.test')['confidence'] == 'medium'" \
      "conn(sni='pskok.server.test')['cause'] == 'none'" \
      "conn(sni='ske.server.test')['cause'] == 'key_mismatch' and conn(sni='ske.server.test')['confidence'] == 'medium' and conn(sni='ske.server.test')['fix_side'] == 'server'" \
      "conn(sni='mid.server.test')['cause'] == 'record_corrupted' and conn(sni='mid.server.test')['fix_side'] == 'network'" \
      "conn(sni='mid.server.test')['outcome'] == 'failed' and conn(sni='mid.server.test')['aborted_by'] == 'server'" \
      "any('both Finished verified' in e['what'] for e in conn(sni='mid.server.test')['evidence'])"
done
