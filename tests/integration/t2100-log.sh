#!/bin/bash
# tlsdiag log on what the real programs write when they fail against real
# servers in the test's namespace: curl -v, openssl s_client, Python ssl, Node
# tls, Java 17 with -Djavax.net.debug=ssl:handshake, Go crypto/tls, nginx's
# error log at info (a client failing against nginx) and as a proxy to a
# failing upstream, HAProxy's log as a frontend and against a failing backend.
# Each log is generated here, then `tlsdiag log --json` must name its cause,
# never at high when the words cannot prove it. Envoy is not in Debian: its
# packed BoringSSL codes are covered by the unit test only.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
pki_failures "$P" >/dev/null
L=$W/logs
mkdir -p "$L"
R=$P/root.crt
cat "$P/other/leaf.crt" "$P/other/inter.crt" > "$P/other/chain.crt"
cat "$P/expired.crt" "$P/inter.crt" > "$P/expired-chain.crt"

# ---- the servers ----
S="-cert $P/server.crt -key $P/server.key -cert_chain $P/inter.crt"
ossl_srv 5201 -cert "$P/other/leaf.crt" -key "$P/other/leaf.key" -cert_chain "$P/other/inter.crt" # untrusted CA
ossl_srv 5202 -cert "$P/expired.crt" -key "$P/expired.key" -cert_chain "$P/inter.crt"             # expired leaf
ossl_srv 5203 $S                                                                                # good (server.test)
ossl_srv 5204 $S -tls1_2                                                                        # TLS 1.2 only
ossl_srv 5205 $S -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA                                         # one suite
ossl_srv 5206 -cert "$P/self.crt" -key "$P/self.key"                                            # self-signed
ossl_srv 5207 $S -tls1_2 -Verify 1 -CAfile "$R"                                                 # client cert, 1.2
ossl_srv 5208 $S -tls1_3 -Verify 1 -CAfile "$R"                                                 # client cert, 1.3
ossl_srv 5216 -cert "$P/server.crt" -key "$P/server.key"                                        # no intermediate
python3 -m http.server --bind 127.0.0.1 5209 >/dev/null 2>&1 &   # plain HTTP on the "TLS" port
td_track $!
wait_port 5209

# ---- the clients, each writing the log a user would paste ----
curl_log() { # name port sni extra...
  n=$1 port=$2 sni=$3; shift 3
  curl -sv --max-time 5 --cacert "$R" --resolve "$sni:$port:127.0.0.1" "$@" "https://$sni:$port/" \
    >"$L/curl-$n.log" 2>&1
}
sclient_log() { # name port sni extra...
  n=$1 port=$2 sni=$3; shift 3
  timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername "$sni" -CAfile "$R" -verify_return_error \
    -verify_hostname "$sni" "$@" </dev/null >"$L/sclient-$n.log" 2>&1
}
py_log() { timeout 10 python3 tests/lib/tls_client.py 127.0.0.1 "$2" "$3" "$R" "${@:4}" >"$L/python-$1.log" 2>&1; }
node_log() { timeout 10 node tests/lib/tls_client.js 127.0.0.1 "$2" "$3" "$R" "${@:4}" >"$L/node-$1.log" 2>&1; }
javac -d "$W/java" tests/lib/TlsClient.java 2>/dev/null
java_log() {
  timeout 20 java -Djavax.net.debug=ssl:handshake -cp "$W/java" TlsClient 127.0.0.1 "$2" "$3" "$R" "${@:4}" \
    >"$L/java-$1.log" 2>&1
}
GOCACHE=$W/gocache GOPATH=$W/gopath GOFLAGS=-mod=mod GO111MODULE=off go build -o "$W/go_tls_client" \
  tests/lib/go/tls_client.go 2>"$W/go-build.log"
go_log() { timeout 10 "$W/go_tls_client" 127.0.0.1 "$2" "$3" "$R" "${@:4}" >"$L/go-$1.log" 2>&1; }

for c in curl sclient py node java go; do
  ${c}_log untrusted 5201 server.test
  ${c}_log expired 5202 expired.server.test
  ${c}_log name 5203 wrong.example.org
  ${c}_log self 5206 self.test
  ${c}_log leafonly 5216 server.test
done
curl_log version 5204 server.test --tlsv1.3
sclient_log version 5204 server.test -tls1_3
py_log version 5204 server.test min13
java_log version 5204 server.test TLSv1.3
curl_log cipher 5205 server.test --tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-GCM-SHA384
sclient_log cipher 5205 server.test -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
sclient_log msg-version 5204 server.test -tls1_3 -msg
sclient_log msg-cipher 5205 server.test -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384 -msg
sclient_log msg-nocert12 5207 server.test -msg
sclient_log msg-expired 5202 expired.server.test -msg
curl_log nocert12 5207 server.test
curl_log nocert13 5208 server.test
java_log nocert12 5207 server.test
java_log nocert13 5208 server.test
py_log nocert13 5208 server.test
node_log nocert13 5208 server.test
go_log nocert12 5207 server.test
curl_log plain 5209 server.test
java_log plain 5209 server.test
py_log plain 5209 server.test

# ---- nginx: a TLS server (clients failing against it), and a proxy to failing upstreams ----
N=$W/nginx
ngx_start "$N" <<NGX
  server { listen 127.0.0.1:5210 ssl; server_name server.test;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
  server { listen 127.0.0.1:5211 ssl; server_name server.test; ssl_protocols TLSv1.3;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
  server { listen 127.0.0.1:5217 ssl; server_name server.test; ssl_verify_client on; ssl_client_certificate $R;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
  server { listen 127.0.0.1:5212; location / { proxy_pass https://127.0.0.1:5201; proxy_ssl_verify on;
           proxy_ssl_trusted_certificate $R; proxy_ssl_server_name on; proxy_ssl_name server.test; } }
  server { listen 127.0.0.1:5213; location / { proxy_pass https://127.0.0.1:5202; proxy_ssl_verify on;
           proxy_ssl_trusted_certificate $R; proxy_ssl_server_name on; proxy_ssl_name expired.server.test; } }
  server { listen 127.0.0.1:5214; location / { proxy_pass https://127.0.0.1:5204; proxy_ssl_protocols TLSv1.3; } }
  server { listen 127.0.0.1:5215; location / { proxy_pass https://127.0.0.1:5203; proxy_ssl_verify on;
           proxy_ssl_trusted_certificate $R; proxy_ssl_server_name on; proxy_ssl_name wrong.example.org; } }
NGX
sed -i "s|error_log $N/logs/error.log;|error_log $N/logs/error.log info;|" "$N/nginx.conf"
kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null
nginx -p "$N" -c "$N/nginx.conf" >/dev/null 2>&1 &
SRV=$!; td_track "$SRV"
wait_port 5217
ngx_case() { # name command...
  n=$1; shift
  : > "$N/logs/error.log"
  "$@" >/dev/null 2>&1
  sleep 0.3
  cp "$N/logs/error.log" "$L/nginx-$n.log"
}
ngx_case client-untrusted curl -s --max-time 5 --cacert "$P/other/root.crt" --resolve server.test:5210:127.0.0.1 \
  https://server.test:5210/
ngx_case client-version curl -s --max-time 5 --cacert "$R" --tls-max 1.2 --resolve server.test:5211:127.0.0.1 \
  https://server.test:5211/
ngx_case client-nocert curl -s --max-time 5 --cacert "$R" --resolve server.test:5217:127.0.0.1 \
  https://server.test:5217/
ngx_case client-ccself curl -s --max-time 5 --cacert "$R" --cert "$P/self.crt" --key "$P/self.key" \
  --resolve server.test:5217:127.0.0.1 https://server.test:5217/
ngx_case upstream-untrusted curl -s --max-time 5 http://127.0.0.1:5212/
ngx_case upstream-expired curl -s --max-time 5 http://127.0.0.1:5213/
ngx_case upstream-version curl -s --max-time 5 http://127.0.0.1:5214/
ngx_case upstream-name curl -s --max-time 5 http://127.0.0.1:5215/

# ---- HAProxy: a TLS frontend, and a backend that fails its handshake ----
H=$W/haproxy
mkdir -p "$H"
cat "$P/server-chain.crt" "$P/server.key" > "$H/server.pem"
cat > "$H/haproxy.cfg" <<HAP
global
  log stdout format raw local0 info
defaults
  mode http
  log global
  option httplog
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:5220 ssl crt $H/server.pem ssl-min-ver TLSv1.3
  default_backend be_ok
frontend fe_cc
  bind 127.0.0.1:5222 ssl crt $H/server.pem ca-file $R verify required
  default_backend be_ok
frontend fe_up
  bind 127.0.0.1:5221
  default_backend be_bad
backend be_ok
  server ok 127.0.0.1:5203 ssl verify required ca-file $R sni str(server.test)
backend be_bad
  server bad 127.0.0.1:5201 ssl verify required ca-file $R sni str(server.test) check inter 500ms
HAP
haproxy -f "$H/haproxy.cfg" >"$H/out.log" 2>&1 &
HPID=$!; td_track "$HPID"
wait_port 5221
curl -s --max-time 5 --cacert "$R" --tls-max 1.2 --resolve server.test:5220:127.0.0.1 https://server.test:5220/ \
  >/dev/null 2>&1
curl -s --max-time 5 http://127.0.0.1:5221/ >/dev/null 2>&1
curl -s --max-time 5 --cacert "$R" --cert "$P/self.crt" --key "$P/self.key" --resolve server.test:5222:127.0.0.1 \
  https://server.test:5222/ >/dev/null 2>&1
sleep 1.2
stop_pid "$HPID"
cp "$H/out.log" "$L/haproxy.log"

# ---- Apache httpd: a TLS server (client certificates required; TLS 1.3 only) and a proxy to failing backends ----
A=$W/apache
mkdir -p "$A"
M=/usr/lib/apache2/modules
cat > "$A/httpd.conf" <<APC
ServerRoot "$A"
ServerName localhost
Listen 127.0.0.1:5230
Listen 127.0.0.1:5231
Listen 127.0.0.1:5233
Listen 127.0.0.1:5234
Listen 127.0.0.1:5235
PidFile $A/httpd.pid
ErrorLog $A/error.log
LogLevel info ssl:info
User nobody
Group nogroup
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule ssl_module $M/mod_ssl.so
LoadModule proxy_module $M/mod_proxy.so
LoadModule proxy_http_module $M/mod_proxy_http.so
Mutex posixsem default
SSLSessionCache none
<VirtualHost 127.0.0.1:5230>
  SSLEngine on
  SSLCertificateFile $P/server.crt
  SSLCertificateKeyFile $P/server.key
  SSLCertificateChainFile $P/inter.crt
  SSLVerifyClient require
  SSLCACertificateFile $R
</VirtualHost>
<VirtualHost 127.0.0.1:5233>
  SSLEngine on
  SSLProtocol TLSv1.3
  SSLCertificateFile $P/server.crt
  SSLCertificateKeyFile $P/server.key
  SSLCertificateChainFile $P/inter.crt
</VirtualHost>
<VirtualHost 127.0.0.1:5231>
  SSLProxyEngine on
  SSLProxyVerify require
  SSLProxyCACertificateFile $R
  ProxyPass / https://127.0.0.1:5201/
</VirtualHost>
<VirtualHost 127.0.0.1:5234>
  SSLProxyEngine on
  SSLProxyVerify require
  SSLProxyCACertificateFile $R
  SSLProxyVerifyDepth 3
  ProxyPass / https://127.0.0.1:5202/
</VirtualHost>
<VirtualHost 127.0.0.1:5235>
  SSLProxyEngine on
  SSLProxyVerify require
  SSLProxyCACertificateFile $R
  ProxyPass / https://127.0.0.1:5203/
</VirtualHost>
APC
apache2 -f "$A/httpd.conf" -DFOREGROUND >"$A/out.log" 2>&1 &
APID=$!; td_track "$APID"
wait_port 5235
apache_case() { # name command...
  n=$1; shift
  : > "$A/error.log"
  "$@" >/dev/null 2>&1
  sleep 0.3
  cp "$A/error.log" "$L/apache-$n.log"
}
apache_case client-nocert curl -s --max-time 5 --cacert "$R" --resolve server.test:5230:127.0.0.1 \
  https://server.test:5230/
apache_case client-ccself curl -s --max-time 5 --cacert "$R" --cert "$P/self.crt" --key "$P/self.key" \
  --resolve server.test:5230:127.0.0.1 https://server.test:5230/
apache_case client-version curl -s --max-time 5 --cacert "$R" --tls-max 1.2 --resolve server.test:5233:127.0.0.1 \
  https://server.test:5233/
apache_case proxy-untrusted curl -s --max-time 5 http://127.0.0.1:5231/
apache_case proxy-expired curl -s --max-time 5 http://127.0.0.1:5234/
apache_case proxy-depth curl -s --max-time 5 http://127.0.0.1:5235/
stop_pid "$APID"

# ---- the checks ----
# log NAME is CAUSE at one of CONFIDENCES, and tlsdiag exits 1
logis() { # tlsdiag log cause confidences...
  t=$1 f=$2 cause=$3; shift 3
  python3 tests/lib/assert_log.py "$t" "$f" "rc == 1" "f['cause'] == '$cause'" "f['confidence'] in '$*'.split()" \
    "all(x['confidence'] != 'high' or '$*'.find('high') >= 0 for x in fs)" "f['next'] != ''" \
    "all(e['line'] > 0 for e in f['evidence'])"
}
for T in $TLSDIAGS; do
  for c in curl sclient python node java go; do
    check "$T: $c, a chain from a CA it does not trust: unknown_ca, never high" logis "$T" "$L/$c-untrusted.log" \
      unknown_ca medium low
    check "$T: $c, an expired leaf: expired_cert" logis "$T" "$L/$c-expired.log" expired_cert high medium
    check "$T: $c, a name the certificate does not cover: hostname_mismatch, high" logis "$T" "$L/$c-name.log" \
      hostname_mismatch high
    check "$T: $c, a leaf sent without its intermediate: incomplete_chain or unknown_ca, the other a candidate" \
      python3 tests/lib/assert_log.py "$T" "$L/$c-leafonly.log" "rc == 1" \
        "{f['cause']} | set(f['candidates']) >= {'incomplete_chain', 'unknown_ca'}" "f['confidence'] != 'high'"
  done
  for c in curl sclient python node; do
    check "$T: $c, a self-signed leaf: self_signed, high" logis "$T" "$L/$c-self.log" self_signed high
  done
  check "$T: java and go cannot tell a self-signed leaf from an unknown CA: unknown_ca, self_signed a candidate" sh -c "
    $(declare -f logis); logis '$T' '$L/java-self.log' unknown_ca medium low &&
    logis '$T' '$L/go-self.log' unknown_ca medium low &&
    python3 tests/lib/assert_log.py '$T' '$L/go-self.log' \"'self_signed' in f['candidates']\""
  for c in curl sclient python java; do
    check "$T: $c offering only TLS 1.3 to a TLS 1.2 server: protocol_mismatch, the server sent the alert" sh -c "
      $(declare -f logis); logis '$T' '$L/$c-version.log' protocol_mismatch medium high &&
      python3 tests/lib/assert_log.py '$T' '$L/$c-version.log' \"f['alert'] == 'protocol_version'\" \
        \"f['alert_sent_by'] in ('server', 'peer')\""
  done
  for c in curl sclient; do
    check "$T: $c, no cipher suite in common: cipher_mismatch, low (handshake_failure says no more)" sh -c "
      $(declare -f logis); logis '$T' '$L/$c-cipher.log' cipher_mismatch low medium &&
      python3 tests/lib/assert_log.py '$T' '$L/$c-cipher.log' \"f['decided_by'] in ('server', 'peer')\" \
        \"'tlsdiag probe' in f['next']\""
  done
  check "$T: s_client -msg traces rebuilt and judged by the pcap rules: a missing client certificate proven, high" sh -c "
    $(declare -f logis); logis '$T' '$L/sclient-msg-nocert12.log' client_cert_missing high &&
    python3 tests/lib/assert_log.py '$T' '$L/sclient-msg-nocert12.log' \"f['trace_judged']\" \
      \"any('[trace] CertificateRequest' in e['text'] for e in f['evidence'])\""
  check "$T: s_client -msg, TLS 1.3 only against TLS 1.2: the offer read from the trace proves protocol_mismatch" sh -c "
    $(declare -f logis); logis '$T' '$L/sclient-msg-version.log' protocol_mismatch high &&
    python3 tests/lib/assert_log.py '$T' '$L/sclient-msg-version.log' \"f['trace_judged']\" \
      \"any('[trace] ClientHello' in e['text'] for e in f['evidence'])\""
  check "$T: s_client -msg, no common suite: the rules read the offer (cipher_mismatch), never worse than the words" \
    python3 tests/lib/assert_log.py "$T" "$L/sclient-msg-cipher.log" "rc == 1" "f['trace_judged']" \
      "f['cause'] == 'cipher_mismatch'"
  check "$T: s_client -msg, an expired leaf (TLS 1.3: the trace stops at the encrypted part): the words still prove it" \
    logis "$T" "$L/sclient-msg-expired.log" expired_cert high
  check "$T: curl without a client certificate, TLS 1.2 (Request CERT, then handshake_failure): client_cert_missing" \
    logis "$T" "$L/curl-nocert12.log" client_cert_missing medium
  check "$T: curl without a client certificate, TLS 1.3 (certificate_required): client_cert_missing, high" \
    logis "$T" "$L/curl-nocert13.log" client_cert_missing high
  check "$T: java (debug trace) without a client certificate, TLS 1.2: the trace rebuilt proves client_cert_missing" sh -c "
    $(declare -f logis); logis '$T' '$L/java-nocert12.log' client_cert_missing high &&
    python3 tests/lib/assert_log.py '$T' '$L/java-nocert12.log' \"f['trace_judged']\""
  for c in java python node; do
    check "$T: $c without a client certificate, TLS 1.3 (certificate_required after the handshake): high" \
      logis "$T" "$L/$c-nocert13.log" client_cert_missing high
  done
  check "$T: go without a client certificate, TLS 1.2: only 'remote error: tls: handshake failure': low, the cause a candidate" \
    python3 tests/lib/assert_log.py "$T" "$L/go-nocert12.log" "rc == 1" "f['confidence'] == 'low'" \
      "'client_cert_missing' in [f['cause']] + f['candidates']" "f['alert_sent_by'] == 'peer'"
  check "$T: nginx error log, a client with no certificate (ssl_verify_client on): client_cert_missing, high" \
    logis "$T" "$L/nginx-client-nocert.log" client_cert_missing high
  check "$T: nginx error log, a self-signed client certificate: client_cert_untrusted, decided by nginx" sh -c "
    $(declare -f logis); logis '$T' '$L/nginx-client-ccself.log' client_cert_untrusted high medium &&
    python3 tests/lib/assert_log.py '$T' '$L/nginx-client-ccself.log' \"f['decided_by'] == 'server'\""
  for c in curl java python; do
    check "$T: $c speaking TLS to a plain HTTP port: not_tls" logis "$T" "$L/$c-plain.log" not_tls medium high
  done
  check "$T: nginx error log, a client that does not trust nginx's CA: unknown_ca, decided by the client" sh -c "
    $(declare -f logis); logis '$T' '$L/nginx-client-untrusted.log' unknown_ca medium &&
    python3 tests/lib/assert_log.py '$T' '$L/nginx-client-untrusted.log' \"f['decided_by'] == 'client'\" \
      \"f['alert_sent_by'] == 'client'\" \"f['format'] == 'nginx'\" \"len(fs) == 1\""
  check "$T: nginx error log, a TLS 1.2 client against TLS 1.3 only: protocol_mismatch, high, decided by nginx" sh -c "
    $(declare -f logis); logis '$T' '$L/nginx-client-version.log' protocol_mismatch high &&
    python3 tests/lib/assert_log.py '$T' '$L/nginx-client-version.log' \"f['decided_by'] == 'server'\""
  check "$T: nginx as a proxy, an upstream from an untrusted CA: unknown_ca, decided by nginx as the client" sh -c "
    $(declare -f logis); logis '$T' '$L/nginx-upstream-untrusted.log' unknown_ca medium low &&
    python3 tests/lib/assert_log.py '$T' '$L/nginx-upstream-untrusted.log' \"f['decided_by'] == 'client'\" \
      \"f['host'] == '127.0.0.1' and f['port'] == '5201'\""
  check "$T: nginx as a proxy, an expired upstream certificate: expired_cert, high" \
    logis "$T" "$L/nginx-upstream-expired.log" expired_cert high
  check "$T: nginx as a proxy, TLS 1.3 only to a TLS 1.2 upstream: protocol_mismatch, the upstream sent the alert" sh -c "
    $(declare -f logis); logis '$T' '$L/nginx-upstream-version.log' protocol_mismatch medium &&
    python3 tests/lib/assert_log.py '$T' '$L/nginx-upstream-version.log' \"f['alert_sent_by'] == 'server'\""
  check "$T: nginx as a proxy, an upstream certificate for another name: hostname_mismatch" \
    logis "$T" "$L/nginx-upstream-name.log" hostname_mismatch high
  check "$T: Apache error log, no client certificate (SSLVerifyClient require): client_cert_missing, high, by the server" \
    sh -c "$(declare -f logis); logis '$T' '$L/apache-client-nocert.log' client_cert_missing high &&
      python3 tests/lib/assert_log.py '$T' '$L/apache-client-nocert.log' \"f['decided_by'] == 'server'\" \"len(fs) == 1\" \
        \"f['format'] == 'apache'\""
  check "$T: Apache error log, a self-signed client certificate: client_cert_untrusted" \
    logis "$T" "$L/apache-client-ccself.log" client_cert_untrusted high medium
  check "$T: Apache error log, a TLS 1.2 client against SSLProtocol TLSv1.3: protocol_mismatch, high" \
    logis "$T" "$L/apache-client-version.log" protocol_mismatch high
  check "$T: Apache as a proxy ([remote ...]), an untrusted backend chain: unknown_ca decided by Apache as the client" sh -c "
    $(declare -f logis); logis '$T' '$L/apache-proxy-untrusted.log' unknown_ca medium low &&
    python3 tests/lib/assert_log.py '$T' '$L/apache-proxy-untrusted.log' \"f['decided_by'] == 'client'\""
  check "$T: Apache as a proxy, an expired backend certificate: expired_cert, high" \
    logis "$T" "$L/apache-proxy-expired.log" expired_cert high
  check "$T: Apache as a proxy, a good backend chain over SSLProxyVerifyDepth 1: certificate_rejected naming the setting" sh -c "
    $(declare -f logis); logis '$T' '$L/apache-proxy-depth.log' certificate_rejected high &&
    python3 tests/lib/assert_log.py '$T' '$L/apache-proxy-depth.log' \"'SSLProxyVerifyDepth' in f['explanation']\""
  check "$T: HAProxy's log: an untrusted client certificate is named; its bare 'SSL handshake failure' lines never pass low" \
    python3 tests/lib/assert_log.py "$T" "$L/haproxy.log" "rc == 1" \
      "any(x['cause'] == 'client_cert_untrusted' and x['confidence'] == 'high' and x['format'] == 'haproxy' for x in fs)" \
      "all(x['cause'] == 'unknown' and x['confidence'] == 'low' and x['next'].startswith('tcpdump') for x in fs if 'SSL handshake failure' in x['evidence'][0]['text'])" \
      "len([x for x in fs if 'fe/1: SSL handshake failure' in x['evidence'][0]['text']]) == 1" \
      "any('be_bad' in x['evidence'][0]['text'] for x in fs)"
  check "$T: the next step names the server the lines name (curl's Connected to, Java's SNI, Go's wanted name)" sh -c "
    python3 tests/lib/assert_log.py '$T' '$L/curl-untrusted.log' \"'-connect server.test:5201 -servername server.test' in f['next']\" &&
    python3 tests/lib/assert_log.py '$T' '$L/java-untrusted.log' \"'-connect server.test:443 -servername server.test' in f['next']\" &&
    python3 tests/lib/assert_log.py '$T' '$L/go-name.log' \"f['name'] == 'wrong.example.org'\" &&
    python3 tests/lib/assert_log.py '$T' '$L/curl-version.log' \"f['next'] == 'tlsdiag probe --client curl server.test:5204'\""
  check "$T: the next step is a command that runs: nginx refusing TLS 1.2, then tlsdiag probe on what the log named" sh -c "
    next=\$('$T' log --json '$L/nginx-client-version.log' | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())[\"next\"])')
    test \"\$next\" = 'tlsdiag probe 127.0.0.1:5211' || { echo \"next: \$next\"; exit 1; }
    '$T' \${next#tlsdiag } > '$W/next.out' 2>&1; rc=\$?; test \$rc -le 1 && grep -q 'TLSv1.3' '$W/next.out' || { cat '$W/next.out'; exit 1; }"
  check "$T: a file with nothing recognisable: exit 0, says so and names the formats" sh -c "
    printf 'GET / HTTP/1.1 200\nall is well\n' > '$W/none.log' && '$T' log '$W/none.log' > '$W/none.out';
    test \$? -eq 0 && grep -q 'no TLS failure recognised' '$W/none.out' && grep -q 'curl' '$W/none.out' &&
    python3 tests/lib/assert_log.py '$T' '$W/none.log' 'rc == 0' 'fs == []' \"summary['message'] == 'no TLS failure recognised'\""
  check "$T: --help (exit 0), an unknown option (exit 2), the command listed by tlsdiag --help" sh -c "
    '$T' log --help | grep -q 'usage: tlsdiag log' && '$T' --help | grep -q '^  log ' &&
    { '$T' log --frobnicate /dev/null 2>'$W/opt.err'; test \$? -eq 2; } && grep -q 'tlsdiag log --help' '$W/opt.err'"
  check "$T: hostile input: 2 MB of random bytes, a 20 MB line, NULs: exit 0 or 1, never a signal, the cut counted" sh -c "
    head -c 2000000 /dev/urandom > '$W/rand.log'; '$T' log --json '$W/rand.log' > /dev/null; rc=\$?;
    test \$rc -eq 0 -o \$rc -eq 1 || exit 1
    { head -c 20000000 /dev/zero; printf ' certificate has expired\\n'; head -c 3000 /dev/zero;
      printf '\\ncurl: (60) SSL certificate problem: certificate has expired\\n'; } > '$W/long.log'
    python3 tests/lib/assert_log.py '$T' '$W/long.log' 'rc == 1' 'summary[\"cut_lines\"] == 1' 'len(fs) == 1' \
      'f[\"evidence\"][0][\"line\"] == 3'"
  check "$T: a missing file: exit 2, named on stderr" sh -c "
    '$T' log '$W/nope.log' 2>'$W/nope.err'; test \$? -eq 2 && grep -q nope.log '$W/nope.err'"
  check "$T: several files and stdin: one summary each, the verdicts of each file alone" sh -c "
    cat '$L/curl-expired.log' | '$T' log --json '$L/go-name.log' - > '$W/multi.json'; test \$? -eq 1 &&
    test \$(grep -c '\"type\":\"summary\"' '$W/multi.json') -eq 2 && grep -q '\"file\":\"(stdin)\"' '$W/multi.json' &&
    grep -q expired_cert '$W/multi.json' && grep -q hostname_mismatch '$W/multi.json'"
  check "$T: text output: the verdict block, control bytes of the log escaped" sh -c "
    printf 'curl: (60) SSL certificate problem: certificate has expired \033[31mX\001\n' > '$W/esc.log' &&
    '$T' log '$W/esc.log' > '$W/esc.out'; test \$? -eq 1 && grep -q 'Cause    certificate expired (high)' '$W/esc.out' &&
    grep -q 'x1b\[31mX.x01' '$W/esc.out' && ! grep -q \$(printf '\033') '$W/esc.out'"
done
