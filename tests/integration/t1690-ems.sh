#!/bin/bash
# ems_required (issue 18): a Java 17 (JSSE) server run as FIPS-mode peers are,
# -Djdk.tls.allowLegacyMasterSecret=false, requires extended_master_secret
# (RFC 7627) in TLS 1.2. gnutls-cli with %NO_SESSION_HASH and s_client with
# openssl.cnf Options = -ExtendedMasterSecret offer none and are refused
# (handshake_failure); the same two clients with their defaults connect.
# Each refused hello equals an accepted one but for the extension: high.
# tlsdiag probe sends the server one hello without the extension after one
# with it: ems_required, where s_server (the control) is not.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/ems.pcap
openssl pkcs12 -export -inkey "$P/server.key" -in "$P/server-chain.crt" -out "$W/server.p12" \
  -passout pass:ems -name server >/dev/null 2>&1
printf 'openssl_conf = o\n[o]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nOptions = -ExtendedMasterSecret\n' \
  > "$W/noems.cnf"
gtls() { # sni priority
  echo | timeout 5 gnutls-cli --x509cafile "$P/root.crt" -p 5901 --sni-hostname "$1" --priority "$2" 127.0.0.1 \
    > "$W/$1.out" 2>&1
}
osl() { # sni [config]
  echo | OPENSSL_CONF=${2:-/dev/null} timeout 5 openssl s_client -connect 127.0.0.1:5901 -CAfile "$P/root.crt" \
    -servername "$1" > "$W/$1.out" 2>&1
}

cap_start lo "$CAP" "tcp port 5901"
java -Djdk.tls.allowLegacyMasterSecret=false tests/lib/TlsServer.java 5901 "$W/server.p12" ems TLSv1.2 \
  > "$W/java.log" 2>&1 &
JAVA=$!; td_track "$JAVA"
for i in 1 2 3 4 5 6; do wait_port 5901 2>/dev/null && break; done
gtls gnutls-ok.server.test NORMAL
gtls gnutls-noems.server.test 'NORMAL:%NO_SESSION_HASH'
osl osl-ok.server.test
osl osl-noems.server.test "$W/noems.cnf"
sleep 0.5
cap_stop
cp "$W/java.log" "$W/java-capture.log"
# tlsdiag probe against the same server (outside the capture), and s_server as the control
ossl_srv 5902 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt"
n=0
for T in $TLSDIAGS; do
  n=$((n + 1))
  for port in 5901 5902; do "$T" probe --json --timeout 2000 127.0.0.1:$port > "$W/probe$n.$port.json"; done
done
stop_pid "$SRV"
stop_pid "$JAVA"

ts() { tshark -d tcp.port==5901,tls -r "$CAP" -Y "$1" -T fields -e "$2" 2>/dev/null | sort -n | tr '\n' ' '; }
NOEMS=$(ts 'tls.handshake.type == 1 && !(tls.handshake.extension.type == 23)' tls.handshake.extensions_server_name)
EMS=$(ts 'tls.handshake.type == 1 && tls.handshake.extension.type == 23' tls.handshake.extensions_server_name)
SH_EMS=$(ts 'tls.handshake.type == 2 && tls.handshake.extension.type == 23' tcp.stream)
NOEMS_STREAMS=$(ts 'tls.handshake.type == 1 && !(tls.handshake.extension.type == 23)' tcp.stream)
REFUSED=$(ts 'tls.alert_message.desc == 40 && tcp.srcport == 5901 && tls.record.content_type == 21' tcp.stream)
n=0
for T in $TLSDIAGS; do
  n=$((n + 1))
  check "$T: probe: the Java server requires extended_master_secret (finding ems_required), s_server does not" \
    python3 -c "
import json, sys
j, o = (json.load(open('$W/probe$n.%d.json' % p)) for p in (5901, 5902))
c = [f['cause'] for f in j['findings']]
sys.exit(not (j['ems_required'] is True and 'ems_required' in c and o['ems_required'] is False and
  'ems_required' not in [f['cause'] for f in o['findings']] and j['secure_renegotiation'] is True))"
  check "$T: the server said why: Java logged 'Extended Master Secret extension is required' twice" \
    sh -c "[ \$(grep -c 'Extended Master Secret extension is required' '$W/java-capture.log') = 2 ]"
  check "$T: tshark: the refused ClientHellos lack extension 23 and got handshake_failure; the accepted ones and their ServerHellos have it" \
    sh -c "[ '$NOEMS' = 'gnutls-noems.server.test osl-noems.server.test ' ] &&
      [ '$EMS' = 'gnutls-ok.server.test osl-ok.server.test ' ] && [ \$(echo $SH_EMS | wc -w) = 2 ] &&
      for s in $NOEMS_STREAMS; do echo ' $REFUSED' | grep -q \" \$s \" || exit 1; done"
  check "$T: gnutls-cli and s_client without EMS against a server requiring it: ems_required, high, fixed on the client" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "all(conn(sni=s)['cause'] == 'ems_required' and conn(sni=s)['confidence'] == 'high' and conn(sni=s)['fix_side'] == 'client' for s in ('gnutls-noems.server.test', 'osl-noems.server.test'))" \
      "conn(sni='osl-noems.server.test')['aborted_by'] == 'server'" \
      "'NO-ENFORCE-EMS' in conn(sni='gnutls-noems.server.test')['changed']['restore']" \
      "any('extension 23' in e['what'] for e in conn(sni='gnutls-noems.server.test')['evidence'])" \
      "conn(sni='gnutls-ok.server.test')['cause'] == 'none' and conn(sni='osl-ok.server.test')['cause'] == 'none'"
done
