#!/bin/bash
# GnuTLS, nginx, curl and Python's ssl on loopback (IPv4 and IPv6), captured
# with `tcpdump -i any` (Linux cooked v2), checked against tshark.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/netns.sh
if [ -z "${IN_NETNS:-}" ]; then IN_NETNS=1 netns_run bash "$0"; exit $?; fi
. tests/lib/pki.sh

W=$(mktemp -d)
P=$W/pki
pki_make "$P" >/dev/null
CAP=$W/any.pcap
cap_start any "$CAP"

# GnuTLS server, GnuTLS and OpenSSL clients
gnutls-serv --http -p 4443 --x509certfile "$P/server-chain.crt" --x509keyfile "$P/server.key" >/dev/null 2>&1 &
SRV=$!
wait_port 4443
gnutls-cli 127.0.0.1 -p 4443 --sni-hostname gnutls.server.test --x509cafile "$P/root.crt" </dev/null >/dev/null 2>&1
gnutls-cli 127.0.0.1 -p 4443 --sni-hostname gnutls12.server.test --x509cafile "$P/root.crt" \
  --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' </dev/null >/dev/null 2>&1
gnutls-cli 127.0.0.1 -p 4443 --sni-hostname wronghost.example --x509cafile "$P/root.crt" </dev/null >/dev/null 2>&1
echo | timeout 5 openssl s_client -connect 127.0.0.1:4443 -servername ossl.gnutls.test >/dev/null 2>&1
stop_pid $SRV

# nginx, TLS 1.2 and 1.3, IPv4 and IPv6
mkdir -p "$W/nginx/logs"
cat > "$W/nginx/nginx.conf" <<NGINX
daemon off;
pid $W/nginx/nginx.pid;
error_log $W/nginx/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $W/nginx/tmp; proxy_temp_path $W/nginx/tmp; fastcgi_temp_path $W/nginx/tmp;
  uwsgi_temp_path $W/nginx/tmp; scgi_temp_path $W/nginx/tmp;
  server {
    listen 127.0.0.1:8443 ssl; listen [::1]:8443 ssl;
    ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 "hello\n"; }
  }
}
NGINX
nginx -p "$W/nginx" -c "$W/nginx/nginx.conf" >/dev/null 2>&1 &
SRV=$!
wait_port 8443
C="--cacert $P/root.crt -s -o /dev/null -m 5"
curl $C --resolve nginx13.server.test:8443:127.0.0.1 https://nginx13.server.test:8443/
curl $C --tls-max 1.2 --resolve nginx12.server.test:8443:127.0.0.1 https://nginx12.server.test:8443/
curl $C -g --resolve 'v6.server.test:8443:[::1]' https://v6.server.test:8443/
curl $C --resolve badname.example:8443:127.0.0.1 https://badname.example:8443/       # hostname mismatch
curl -s -o /dev/null -m 5 http://127.0.0.1:8443/                                        # plain HTTP to HTTPS port
python3 - "$P/root.crt" <<'PY'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
for name in ("python.server.test", "pywrong.example"):
    try:
        with socket.create_connection(("127.0.0.1", 8443)) as raw:
            with ctx.wrap_socket(raw, server_hostname=name) as s:
                s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
                s.recv(100)
    except ssl.SSLError:
        pass
PY
stop_pid $SRV
cap_stop

for T in $TLSDIAGS; do
  check "$T: ladders match tshark on a Linux cooked (any) capture" \
    python3 tests/lib/compare_tshark.py "$T" "$CAP" 4443 8443
  check "$T: GnuTLS server with GnuTLS and OpenSSL clients (gnutls-cli checks names after the handshake: noted)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="gnutls.server.test")["outcome"] == "ok" and conn(sni="gnutls.server.test")["version"] == "TLSv1.3"' \
      'conn(sni="gnutls12.server.test")["version"] == "TLSv1.2" and conn(sni="gnutls12.server.test")["outcome"] == "ok"' \
      'msgs(conn(sni="gnutls12.server.test"), "Certificate")[0]["num_certificates"] == 2' \
      'conn(sni="wronghost.example")["outcome"] == "ok" and "note" in conn(sni="wronghost.example")' \
      'msgs(conn(sni="gnutls.server.test"), "Finished")[0]["from"] == "client"' \
      'conn(sni="ossl.gnutls.test")["outcome"] == "ok"'
  check "$T: nginx with curl over IPv4 and IPv6, TLS 1.2 and 1.3; curl's after-handshake name check is noted" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="nginx13.server.test")["version"] == "TLSv1.3" and conn(sni="nginx13.server.test")["outcome"] == "ok"' \
      'conn(sni="nginx12.server.test")["version"] == "TLSv1.2" and conn(sni="nginx12.server.test")["outcome"] == "ok"' \
      'conn(sni="v6.server.test")["server"] == "[::1]:8443" and conn(sni="v6.server.test")["outcome"] == "ok"' \
      'conn(sni="badname.example")["outcome"] == "ok"' \
      '"right after the handshake" in conn(sni="badname.example")["note"]' \
      'msgs(conn(sni="badname.example"), "Alert")[0]["inferred"]'
  check "$T: Python ssl client, right and wrong host name" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(sni="python.server.test")["outcome"] == "ok"' \
      'conn(sni="pywrong.example")["outcome"] == "failed"' \
      'msgs(conn(sni="pywrong.example"), "Alert")[0]["from"] == "client"'
  check "$T: plain HTTP to nginx's TLS port: request and nginx's plain-text answer" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'any(not c["tls"] and c["outcome"] == "failed" and [m["type"] for m in c["messages"]][:2] == ["NotTLS", "NotTLS"] and "HTTP/1.1 400" in c["messages"][1]["data"] for c in conns)'
done
[ -n "${KEEP:-}" ] && cp "$CAP" "$KEEP"; rm -rf "$W"
