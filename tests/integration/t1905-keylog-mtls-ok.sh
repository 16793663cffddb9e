#!/bin/bash
# Mutual TLS that succeeds, the client leaving right after the handshake
# (`echo | openssl s_client -cert`, against `openssl s_server -Verify 1`):
# `ok` with no cause, with the key log (the server's decrypted alert is a
# close_notify, not a refusal) and without it (the client closed first, or
# answered the server's alert with its own: a refusal gets no answer). The
# server with and without -www, with and without session tickets, TLS 1.3 and
# 1.2. An expired client certificate the server refuses stays failed (a
# fatal alert with keys; without, an alert the client does not answer).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null
unset SSLKEYLOGFILE
K=$W/keys.log CAP=$W/mtls.pcap
: > "$K"
C="-cert $P/client.crt -key $P/client.key -cert_chain $P/inter.crt"
S="-cert $P/server.crt -key $P/server.key -cert_chain $P/inter.crt -Verify 1 -CAfile $P/ca-bundle.crt"
osl() { port=$1 sni=$2; shift 2; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername "$sni" \
  -keylogfile "$K" "$@" >/dev/null 2>&1; }
# s_server without -www, its stdin at its end: it closes with close_notify right after the handshake
raw_srv() { port=$1; shift; openssl s_server -accept "$port" -quiet "$@" </dev/null >/dev/null 2>&1 &
  SRV=$!; td_track "$SRV"; wait_port "$port"; }
cap_start lo "$CAP"
raw_srv 6201 -tls1_3 $S
osl 6201 ok13-close.server.test $C
osl 6201 ok13-close.server.test $C
stop_pid $SRV
raw_srv 6202 -tls1_3 -num_tickets 0 $S
osl 6202 ok13-close-notickets.server.test $C
osl 6202 ok13-close-notickets.server.test $C
stop_pid $SRV
ossl_srv 6203 -tls1_3 $S
osl 6203 ok13-www.server.test $C
stop_pid $SRV
ossl_srv 6204 -tls1_3 -num_tickets 0 $S -verify_return_error
osl 6204 ok13-www-notickets.server.test $C
# refused: the client waits for the server (-ign_eof, nothing to send), so its
# close cannot cross the server's alert (then the bytes without keys would not
# tell the refusal from an orderly close)
timeout 5 openssl s_client -connect 127.0.0.1:6204 -servername old13.server.test -keylogfile "$K" -ign_eof \
  -cert "$P/oldclient.crt" -key "$P/oldclient.key" -cert_chain "$P/inter.crt" </dev/null >/dev/null 2>&1
stop_pid $SRV
raw_srv 6205 -tls1_2 $S
osl 6205 ok12-close.server.test $C
stop_pid $SRV
ossl_srv 6206 -tls1_2 $S
osl 6206 ok12-www.server.test $C
stop_pid $SRV
cap_stop

OK='[c for c in conns if (c["sni"] or "").startswith("ok")]'
for T in $TLSDIAGS; do
  check "$T: --keylog: the 8 successful mutual TLS connections decrypted, ok, no cause" \
    env TD_ARGS="--keylog $K" python3 tests/lib/assert_json.py "$T" "$CAP" \
      "len($OK) == 8" \
      "all(c['outcome'] == 'ok' and c['cause'] == 'none' and c['keylog'] == 'decrypted' for c in $OK)"
  check "$T: --keylog: the expired client certificate refused after the client's Finished: client_cert_expired (high)" \
    env TD_ARGS="--keylog $K" python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="old13.server.test")["outcome"] == "failed"' \
      'conn(sni="old13.server.test")["cause"] == "client_cert_expired"' \
      'conn(sni="old13.server.test")["confidence"] == "high"'
  check "$T: no key log: the 8 successful mutual TLS connections ok, no cause (TLS 1.3 ones encrypted)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "len($OK) == 8" \
      "all(c['outcome'] == 'ok' and c['cause'] == 'none' and c['keylog'] is None for c in $OK)" \
      "sum(c['version'] == 'TLSv1.3' for c in $OK) == 6"
  check "$T: no key log: the refused expired client certificate still failed (the server's alert gets no answer)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="old13.server.test")["outcome"] == "failed"' \
      'conn(sni="old13.server.test")["cause"] in ("client_cert_untrusted", "certificate_rejected", "client_cert_expired")'
done
