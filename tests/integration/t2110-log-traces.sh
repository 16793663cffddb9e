#!/bin/bash
# tlsdiag log on full handshake traces, judged by the pcap rules: Java 17 with
# -Djavax.net.debug=ssl:handshake (the messages printed field by field, rebuilt
# into records) and =all (the raw records as sent), and openssl s_client -trace,
# each failing against a real s_server in the test's namespace while tcpdump
# captures the same connection. The log's cause must be the one `tlsdiag pcap`
# gives on the capture (one rule set), with trace_judged true. The JDK 8 format
# has no JDK 8 here: it is covered by the unit test (tests/unit/log/trace_test.c).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null
L=$W/logs
mkdir -p "$L" "$W/java"
R=$P/root.crt
S="-cert $P/server.crt -key $P/server.key -cert_chain $P/inter.crt"
javac -d "$W/java" tests/lib/TlsClient.java

# case NAME PORT CLIENT ARGS...: the client's log in $L/NAME.log, the capture in $L/NAME.pcap
jv() { # port debug props protocols
  timeout 20 java -Djavax.net.debug="$2" $3 -cp "$W/java" TlsClient 127.0.0.1 "$1" server.test "$R" $4 2>&1
}
sc() { # port args...
  port=$1; shift
  timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername server.test -CAfile "$R" -trace "$@" </dev/null
}
case_run() { # name port command...
  n=$1 port=$2; shift 2
  cap_start lo "$L/$n.pcap" "tcp port $port"
  "$@" >"$L/$n.log" 2>"$L/$n.err"
  cap_stop
  cat "$L/$n.err" >>"$L/$n.log"
  [ -z "${KEEP_LOGS:-}" ] || cp "$L/$n.log" "$L/$n.pcap" "$KEEP_LOGS/" # to look at them
}

ossl_srv 5501 $S -tls1_2
case_run java-version 5501 jv 5501 ssl:handshake "" TLSv1.3
case_run javaall-version 5501 jv 5501 all "" TLSv1.3
case_run sctrace-version 5501 sc 5501 -tls1_3
stop_pid "$SRV"
ossl_srv 5502 $S -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA
case_run java-cipher 5502 jv 5502 ssl:handshake -Dtc.ciphers=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 TLSv1.2
case_run sctrace-cipher 5502 sc 5502 -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
stop_pid "$SRV"
ossl_srv 5503 $S -servername known.server.test -cert2 "$P/server.crt" -key2 "$P/server.key" -servername_fatal
case_run java-sni 5503 jv 5503 ssl:handshake "" ""
case_run sctrace-sni 5503 sc 5503
case_run words-sni 5503 timeout 5 openssl s_client -connect 127.0.0.1:5503 -servername server.test
stop_pid "$SRV"
ossl_srv 5504 $S -alpn h2
case_run java-alpn 5504 jv 5504 ssl:handshake -Dtc.alpn=http/1.1 ""
case_run java-alpn12 5504 jv 5504 ssl:handshake -Dtc.alpn=http/1.1 TLSv1.2
case_run sctrace-alpn 5504 sc 5504 -alpn http/1.1
case_run words-alpn 5504 curl -sv --max-time 5 --cacert "$R" --http1.1 --resolve server.test:5504:127.0.0.1 \
  https://server.test:5504/
stop_pid "$SRV"
ossl_srv 5505 $S -tls1_2 -Verify 1 -CAfile "$R"
case_run java-ccert 5505 jv 5505 ssl:handshake "" ""
case_run javaall-ccert 5505 jv 5505 all "" ""
case_run sctrace-ccert 5505 sc 5505
stop_pid "$SRV"
ossl_srv 5506 -cert "$P/other/leaf.crt" -key "$P/other/leaf.key" -cert_chain "$P/other/inter.crt" -tls1_2
case_run java-untrusted 5506 jv 5506 ssl:handshake "" ""
case_run sctrace-untrusted 5506 sc 5506 -verify_return_error
stop_pid "$SRV"
# RSA key exchange only (an RSA certificate, AES128-GCM-SHA256), clients that offer ECDHE only
ossl_srv 5507 -cert "$P/rsa.crt" -key "$P/rsa.key" -tls1_2 -cipher AES128-GCM-SHA256
case_run java-rsakex 5507 jv 5507 ssl:handshake -Dtc.ciphers=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLSv1.2
case_run sctrace-rsakex 5507 sc 5507 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
stop_pid "$SRV"
# Java as the server (TLS 1.3 only), s_client offering TLS 1.2: the trace is the server's
openssl pkcs12 -export -in "$P/server-chain.crt" -inkey "$P/server.key" -out "$W/server.p12" -passout pass:pw
javac -d "$W/java" tests/lib/TlsServer.java
java -Djavax.net.debug=ssl:handshake -cp "$W/java" TlsServer 5508 "$W/server.p12" pw TLSv1.3 >>"$L/javasrv-version.log" 2>&1 &
SRV=$!
td_track "$SRV"
wait_port 5508
sleep 1
: >"$L/javasrv-version.log" # what wait_port's connection made it write
cap_start lo "$L/javasrv-version.pcap" "tcp port 5508"
timeout 5 openssl s_client -connect 127.0.0.1:5508 -servername server.test -tls1_2 </dev/null >/dev/null 2>&1
cap_stop
stop_pid "$SRV"

# openssl s_server -trace / -msg as the program whose log is read (the server that refuses): its stdout line
# buffered and appended, so what wait_port's connection made it write is cut before the client connects
srv_trace() { # name port -trace|-msg s_server-args...
  n=$1 port=$2 flag=$3; shift 3
  stdbuf -oL openssl s_server -accept "$port" -www "$flag" "$@" >>"$L/$n.log" 2>&1 &
  SRV=$!
  td_track "$SRV"
  wait_port "$port"
  sleep 0.3
  : >"$L/$n.log"
}
srv_run() { # name port s_client-args...: the client connects once, captured; the server stopped
  n=$1 port=$2; shift 2
  cap_start lo "$L/$n.pcap" "tcp port $port"
  timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername server.test -CAfile "$R" "$@" </dev/null \
    >/dev/null 2>&1
  sleep 0.3
  cap_stop
  stop_pid "$SRV"
  [ -z "${KEEP_LOGS:-}" ] || cp "$L/$n.log" "$L/$n.pcap" "$KEEP_LOGS/"
}
srv_trace srvtrace-version 5511 -trace $S -tls1_2
srv_run srvtrace-version 5511 -tls1_3
srv_trace srvmsg-version 5512 -msg $S -tls1_2
srv_run srvmsg-version 5512 -tls1_3
srv_trace srvtrace-cipher 5513 -trace $S -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA
srv_run srvtrace-cipher 5513 -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
srv_trace srvtrace-ccert 5514 -trace $S -tls1_2 -Verify 1 -CAfile "$R"
srv_run srvtrace-ccert 5514
srv_trace srvmsg-ccert 5515 -msg $S -tls1_2 -Verify 1 -CAfile "$R"
srv_run srvmsg-ccert 5515
# TLS 1.3 HelloRetryRequest: a server taking P-384 only; Java 17 sends x25519 and secp256r1 shares, s_client
# x25519 (P-384 listed): each is asked for a P-384 share and sends a second ClientHello with it
ossl_srv 5516 $S -groups P-384
case_run java-hrr-ok 5516 jv 5516 ssl:handshake "" ""
case_run sctrace-hrr-ok 5516 sc 5516 -groups X25519:P-384
stop_pid "$SRV"
ossl_srv 5517 -cert "$P/other/leaf.crt" -key "$P/other/leaf.key" -cert_chain "$P/other/inter.crt" -groups P-384
case_run java-hrr-untrusted 5517 jv 5517 ssl:handshake "" ""
case_run sctrace-hrr-untrusted 5517 sc 5517 -groups X25519:P-384 -verify_return_error
stop_pid "$SRV"

same() { python3 tests/lib/log_vs_pcap.py "$@"; }
# pcap_cause T PCAP: the failed connection's cause, "ok" when none failed (a script: the checks run in sh -c)
cat >"$W/pcap_cause" <<'END'
#!/bin/sh
"$1" pcap --json "$2" | python3 -c 'import json,sys
f=[o for o in map(json.loads, sys.stdin) if o.get("outcome") not in ("ok", None)]
print(f[0]["cause"] if f else "ok")'
END
chmod +x "$W/pcap_cause"
pcap_cause=$W/pcap_cause
for T in $TLSDIAGS; do
  for c in java javaall sctrace; do
    check "$T: $c, TLS 1.3 only against TLS 1.2: protocol_mismatch, high, as pcap says" \
      same "$T" "$L/$c-version.log" "$L/$c-version.pcap" protocol_mismatch high
  done
  for c in java sctrace; do
    check "$T: $c, no suite in common: cipher_mismatch, as pcap says" \
      same "$T" "$L/$c-cipher.log" "$L/$c-cipher.pcap" cipher_mismatch
    check "$T: $c, SNI refused (s_server -servername_fatal): unrecognized_name, high, as pcap says" \
      same "$T" "$L/$c-sni.log" "$L/$c-sni.pcap" unrecognized_name high
    check "$T: $c, an untrusted chain (TLS 1.2): the cause pcap gives" \
      same "$T" "$L/$c-untrusted.log" "$L/$c-untrusted.pcap" "pcap:unknown_ca certificate_rejected"
    check "$T: $c, ECDHE only against RSA key exchange only: the cause pcap gives (as strong as the bytes)" \
      same "$T" "$L/$c-rsakex.log" "$L/$c-rsakex.pcap" "pcap:rsa_kex_removed cipher_mismatch"
  done
  for c in java java-alpn12 sctrace; do
    l=$c-alpn; [ "$c" = java-alpn12 ] && l=java-alpn12
    check "$T: $l, http/1.1 offered to an h2-only server: alpn_mismatch, high, as pcap says" \
      same "$T" "$L/$l.log" "$L/$l.pcap" alpn_mismatch high
  done
  for c in java javaall sctrace; do
    check "$T: $c, no client certificate (TLS 1.2, -Verify): client_cert_missing, high, as pcap says" \
      same "$T" "$L/$c-ccert.log" "$L/$c-ccert.pcap" client_cert_missing high
  done
  for c in sni alpn; do
    check "$T: $c refused, no trace (s_client, curl -v): the words name the cause pcap gives, at medium" sh -c "
      cause=\$('$T' pcap --json '$L/words-$c.pcap' | python3 -c 'import json,sys
print([o for o in map(json.loads, sys.stdin) if o[\"outcome\"] != \"ok\"][0][\"cause\"])')
      python3 tests/lib/assert_log.py '$T' '$L/words-$c.log' \"f['cause'] == '\$cause'\" \
        \"f['cause'] in ('unrecognized_name', 'alpn_mismatch')\" \"f['confidence'] == 'medium'\" \"not f['trace_judged']\""
  done
  check "$T: Java as the server, a TLS 1.2 client against TLS 1.3 only: protocol_mismatch, decided and sent by Java" sh -c "
    python3 tests/lib/log_vs_pcap.py '$T' '$L/javasrv-version.log' '$L/javasrv-version.pcap' protocol_mismatch high &&
    python3 tests/lib/assert_log.py '$T' '$L/javasrv-version.log' \"f['decided_by'] == 'server'\" \
      \"f['alert_sent_by'] == 'server'\""
  for c in srvtrace srvmsg; do
    check "$T: s_server $c, TLS 1.2 only against a TLS 1.3 client: protocol_mismatch, high, as pcap says; decided and sent by the server" sh -c "
      python3 tests/lib/log_vs_pcap.py '$T' '$L/$c-version.log' '$L/$c-version.pcap' protocol_mismatch high &&
      python3 tests/lib/assert_log.py '$T' '$L/$c-version.log' \"f['decided_by'] == 'server'\" \
        \"f['alert_sent_by'] == 'server'\" \"f['alert'] == 'protocol_version'\""
    check "$T: s_server $c, -Verify and a client without a certificate: client_cert_missing, high, as pcap says; sent by the server" sh -c "
      python3 tests/lib/log_vs_pcap.py '$T' '$L/$c-ccert.log' '$L/$c-ccert.pcap' client_cert_missing high &&
      python3 tests/lib/assert_log.py '$T' '$L/$c-ccert.log' \"f['decided_by'] == 'server'\" \
        \"f['alert_sent_by'] == 'server'\""
  done
  check "$T: s_server -trace, no suite in common: cipher_mismatch, as pcap says; the server's handshake_failure" sh -c "
    python3 tests/lib/log_vs_pcap.py '$T' '$L/srvtrace-cipher.log' '$L/srvtrace-cipher.pcap' cipher_mismatch &&
    python3 tests/lib/assert_log.py '$T' '$L/srvtrace-cipher.log' \"f['decided_by'] == 'server'\" \
      \"f['alert_sent_by'] == 'server'\" \"f['alert'] == 'handshake_failure'\""
  for c in java sctrace; do
    check "$T: $c, a HelloRetryRequest for P-384 that succeeds: no failure in the log, none in the capture" sh -c "
      out=\$('$T' log '$L/$c-hrr-ok.log') && echo \"\$out\" | grep -q 'no TLS failure recognised' &&
      [ \"\$('$pcap_cause' '$T' '$L/$c-hrr-ok.pcap')\" = ok ] && grep -q 'HelloRetryRequest\\|E59A6111BE1D8C02' '$L/$c-hrr-ok.log'"
    check "$T: $c, an untrusted chain after a HelloRetryRequest: the retry traced (both hellos), not hrr_failed, as pcap" sh -c "
      p=\$('$pcap_cause' '$T' '$L/$c-hrr-untrusted.pcap') && [ \"\$p\" != hrr_failed ] && [ \"\$p\" != ok ] &&
      python3 tests/lib/assert_log.py '$T' '$L/$c-hrr-untrusted.log' \"f['cause'] != 'hrr_failed'\" \
        \"any(e['text'] == '[trace] HelloRetryRequest asks for a secp384r1 key share' for e in f['evidence'])\" \
        \"any(e['text'] == '[trace] second ClientHello with a secp384r1 key share' for e in f['evidence'])\" \
        \"f['decided_by'] == 'client'\""
  done
  check "$T: the trace's evidence carries log line numbers (the ClientHello's line is 'Produced ClientHello')" sh -c "
    n=\$(grep -n 'Produced ClientHello' '$L/java-sni.log' | head -1 | cut -d: -f1)
    python3 tests/lib/assert_log.py '$T' '$L/java-sni.log' \
      \"any(e['line'] == \$n and e['text'].startswith('[trace] ClientHello') for e in f['evidence'])\" \
      \"f['name'] == 'server.test'\""
done
