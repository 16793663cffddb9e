#!/bin/bash
# Gateways: nginx, HAProxy and Apache in front of a backend whose TLS fails
# (a leaf without its intermediate), each answering its client 502/503. A
# decoy handshake from the same address fails 130 ms before the request: the
# 5xx must be tied to the gateway's own connection, started after the request,
# and the link said as sure as the timing makes it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns

# A backend sending its leaf alone (no intermediate), and a decoy client.
ossl_srv 9443 -cert "$P/server.crt" -key "$P/server.key"
BACKEND=$SRV

decoy() {
  openssl s_client -connect 127.0.0.1:9443 -servername decoy.server.test -CAfile "$P/root.crt" \
    -verify_return_error </dev/null >/dev/null 2>&1
  sleep 0.13
}

# gateway_capture NAME PORT: the decoy, then one request through the gateway on PORT.
gateway_capture() {
  cap_start lo "$W/$1.pcap" "tcp port $2 or tcp port 9443"
  decoy
  curl -s -o "$W/$1.body" -w '%{http_code}' "http://127.0.0.1:$2/orders" > "$W/$1.status" 2>/dev/null
  cap_stop
}

mkdir -p "$W/nginx"
ngx_start "$W/nginx" <<NGX
  server {
    listen 127.0.0.1:8080;
    location / {
      proxy_pass https://127.0.0.1:9443;
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate $P/root.crt;
      proxy_ssl_server_name on;
      proxy_ssl_name server.test;
    }
  }
NGX
wait_port 8080
gateway_capture nginx 8080
stop_pid "$SRV"

cat > "$W/haproxy.cfg" <<HAP
global
  maxconn 64
defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
  retries 0
frontend fe
  bind 127.0.0.1:8081
  default_backend be
backend be
  server b1 127.0.0.1:9443 ssl verify required ca-file $P/root.crt sni str(server.test)
HAP
haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
HAP_PID=$!; td_track "$HAP_PID"
wait_port 8081
gateway_capture haproxy 8081
stop_pid "$HAP_PID"

M=/usr/lib/apache2/modules
mkdir -p "$W/apache"
cat > "$W/apache/httpd.conf" <<APA
ServerRoot $W/apache
ServerName gateway.test
Listen 127.0.0.1:8082
PidFile $W/apache/httpd.pid
ErrorLog $W/apache/error.log
Mutex file:$W/apache default
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule proxy_module $M/mod_proxy.so
LoadModule proxy_http_module $M/mod_proxy_http.so
LoadModule ssl_module $M/mod_ssl.so
User www-data
Group www-data
SSLProxyEngine on
SSLProxyVerify require
SSLProxyCACertificateFile $P/root.crt
SSLProxyCheckPeerName off
ProxyPass / https://127.0.0.1:9443/
APA
apache2 -X -f "$W/apache/httpd.conf" >"$W/apache.log" 2>&1 &
APA_PID=$!; td_track "$APA_PID"
wait_port 8082
gateway_capture apache 8082
stop_pid "$APA_PID"
stop_pid "$BACKEND"

# nginx in front of an nginx backend that wants a client certificate
# (ssl_verify_client on) the gateway does not send: the backend completes the
# handshake and answers 400 "No required SSL certificate was sent" inside
# TLS, which the gateway relays in clear.
mkdir -p "$W/mtls"
ngx_start "$W/mtls" <<NGX
  server {
    listen 127.0.0.1:9444 ssl;
    ssl_certificate $P/server-chain.crt;
    ssl_certificate_key $P/server.key;
    ssl_protocols TLSv1.2;
    ssl_client_certificate $P/root.crt;
    ssl_verify_client on;
    location / { return 200 "ok\n"; }
  }
  server {
    listen 127.0.0.1:8083;
    location / {
      proxy_pass https://127.0.0.1:9444;
      proxy_ssl_server_name on;
      proxy_ssl_name server.test;
    }
  }
NGX
MTLS=$SRV
wait_port 9444; wait_port 8083
cap_start lo "$W/mtls.pcap" "tcp port 8083 or tcp port 9444"
curl -s -o "$W/mtls.body" -w '%{http_code}' "http://127.0.0.1:8083/orders" > "$W/mtls.status" 2>/dev/null
cap_stop
stop_pid "$MTLS"

# linked NAME STATUS: the 5xx, its link to the gateway's own connection (SNI
# server.test, not the decoy), the inherited cause, and how sure the link is.
linked() { # tlsdiag name status
  python3 - "$1" "$W/$2.pcap" "$3" "$(cat "$W/$2.status")" <<'PY'
import json, subprocess, sys
t, cap, status, got = sys.argv[1:5]
assert got == status, f"the gateway answered {got}, expected {status}"
out = subprocess.run([t, "pcap", "--json", cap], capture_output=True, text=True)
assert out.returncode == 1, out.returncode
objs = [json.loads(l) for l in out.stdout.splitlines()]
http = [o for o in objs if o.get("protocol") == "http"]
assert len(http) == 1, http
h = http[0]
assert h["http"]["status"] == int(status), h["http"]
tls = {o["stream"]: o for o in objs if o.get("protocol") != "http" and "stream" in o}
up = tls[h["upstream_stream"]]
assert up.get("sni") != "decoy.server.test", "linked to the decoy"
decoy = [o for o in tls.values() if o.get("sni") == "decoy.server.test"]
assert decoy and decoy[0]["outcome"] == "failed", "the decoy handshake must be in the capture and failed"
assert up["downstream"]["stream"] == h["stream"], up.get("downstream")
assert h["link"]["confidence"] == "high", h["link"]
assert h["link"]["after_request_ms"] >= 0, h["link"]
assert h["cause"] in ("incomplete_chain", "unknown_ca"), h["cause"]
assert h["cause"] == up["cause"], (h["cause"], up["cause"])
# the text says it too, and its Look line parses in tshark
text = subprocess.run([t, "pcap", cap], capture_output=True, text=True).stdout
assert "the only failed TLS connection from 127.0.0.1 between the request and the answer" in text, text
look = [l.split("-Y ", 1)[1].strip("'") for l in text.splitlines() if "tcp.stream in {" in l]
assert look, text
r = subprocess.run(["tshark", "-r", cap, "-Y", look[0]], capture_output=True, text=True)
assert r.returncode == 0 and r.stdout.strip(), (look[0], r.stderr)
PY
}

for T in $TLSDIAGS; do
  check "$T: nginx 502 (proxy_ssl_verify, leaf without intermediate) tied to its own handshake, not the decoy" \
    linked "$T" nginx 502
  check "$T: HAProxy 503 (verify required) tied to its own handshake" linked "$T" haproxy 503
  check "$T: Apache 500 Proxy Error (SSLProxyVerify require) tied to its own handshake" linked "$T" apache 500
  check "$T: nginx relaying its backend's 400 'No required SSL certificate was sent': tied to the handshake behind it" \
    python3 - "$T" "$W/mtls.pcap" "$(cat "$W/mtls.status")" <<'PY'
import json, subprocess, sys
t, cap, got = sys.argv[1:4]
assert got == "400", got
objs = [json.loads(l) for l in subprocess.run([t, "pcap", "--json", cap], capture_output=True, text=True).stdout.splitlines()]
h = [o for o in objs if o.get("protocol") == "http"]
assert len(h) == 1 and h[0]["http"]["status"] == 400, h
assert h[0]["http"]["body_says"] == "No required SSL certificate was sent", h[0]["http"]
assert h[0]["upstream_stream"] is not None, "not linked"
assert h[0]["cause"] == "client_cert_missing", h[0]["cause"]
up = [o for o in objs if o.get("stream") == h[0]["upstream_stream"] and o.get("protocol") != "http"][0]
assert up["cause"] == "client_cert_missing" and up["rejected_after_handshake"], up.get("cause")
assert up.get("outcome_revised") == "failed", up.get("outcome_revised")
PY
  check "$T: with --stream on the HTTP connection the link is still made (filters choose what is shown)" sh -c "
    s=\$('$T' pcap --json '$W/nginx.pcap' | python3 -c 'import json,sys; print([d for d in map(json.loads, sys.stdin) if d.get(\"protocol\") == \"http\"][0][\"stream\"])')
    '$T' pcap --json --stream \$s '$W/nginx.pcap' | grep -q '\"upstream_stream\"'"
done
