# The traffic the integration tests and the shipped captures are made of:
# real servers and clients on loopback. Run inside a private network
# namespace (netns_run); needs tests/lib/netns.sh and tests/lib/pki.sh.

scenario_openssl() { # WORKDIR PKI CAPTURE [IFACE]
  W=$1 P=$2 CAP=$3 IFACE=${4:-lo}
  OLD="-cipher DEFAULT@SECLEVEL=0"
  cap_start "$IFACE" "$CAP"

  server() { # port args...
    port=$1; shift
    openssl s_server -accept "$port" -www -quiet "$@" >/dev/null 2>&1 &
    SRV=$!
    td_track "$SRV"
    wait_port "$port"
  }
  client() { # port args...
    port=$1; shift
    echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" "$@" >/dev/null 2>&1
  }
  EC="-cert $P/server.crt -key $P/server.key -cert_chain $P/inter.crt"
  RSA="-cert $P/rsa.crt -key $P/rsa.key -cert_chain $P/inter.crt"

  server 443 $EC
  client 443 -tls1_3 -servername v13.server.test
  client 443 -tls1_2 -servername v12.server.test
  curl -s --cacert "$P/root.crt" --resolve curl.server.test:443:127.0.0.1 https://curl.server.test/ -o /dev/null
  client 443 -tls1 $OLD -servername old-client.server.test          # server refuses TLS 1.0
  curl -s -m 3 http://127.0.0.1:443/ -o /dev/null                    # plain HTTP to a TLS port
  stop_pid $SRV

  server 4431 $EC -tls1 $OLD
  client 4431 -tls1 $OLD -servername v10.server.test
  client 4431 -servername new-client.server.test                     # TLS 1.2+ client, TLS 1.0 server
  stop_pid $SRV

  server 4432 $EC -tls1_3
  client 4432 -tls1_2 -servername only13.server.test
  stop_pid $SRV

  server 4433 $RSA -tls1_2 -cipher AES256-SHA
  client 4433 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -servername cipher.server.test
  client 4433 -tls1_2 -cipher AES256-SHA -servername rsa.server.test
  stop_pid $SRV

  server 4434 $EC -groups secp384r1
  client 4434 -groups x25519:secp384r1 -servername hrr.server.test
  stop_pid $SRV

  server 4435 $EC -Verify 1 -CAfile "$P/ca-bundle.crt"
  client 4435 -tls1_2 -servername mtls12.server.test
  client 4435 -tls1_3 -servername mtls13.server.test
  client 4435 -tls1_2 -servername mtls-ok.server.test -cert "$P/client.crt" -key "$P/client.key" -cert_chain "$P/inter.crt"
  stop_pid $SRV

  server 4436 $EC -tls1_1 $OLD
  client 4436 -tls1_1 $OLD -servername v11.server.test
  stop_pid $SRV
  cap_stop
}

scenario_stacks() { # WORKDIR PKI CAPTURE [IFACE]
  W=$1 P=$2 CAP=$3 IFACE=${4:-any}
  cap_start "$IFACE" "$CAP"

  # GnuTLS server, GnuTLS and OpenSSL clients
  gnutls-serv --http -p 4443 --x509certfile "$P/server-chain.crt" --x509keyfile "$P/server.key" >/dev/null 2>&1 &
  SRV=$!
  td_track "$SRV"
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
  td_track "$SRV"
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
}

# Failures for the diagnosis tests: one server per fault, each hit by an
# OpenSSL client (s_client or curl) and a GnuTLS client, plus successes that
# tell the diagnosis what the server accepts.
scenario_failures() { # WORKDIR PKI CAPTURE
  W=$1 P=$2 CAP=$3
  cap_start lo "$CAP"
  srv() { ossl_srv "$@"; } # port args...
  osl() { port=$1; shift; echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" "$@" >/dev/null 2>&1; }
  gtl() { port=$1; name=$2; shift 2; timeout 5 gnutls-cli 127.0.0.1 -p "$port" --sni-hostname "$name" "$@" </dev/null >/dev/null 2>&1; }
  V="-verify_return_error -CAfile $P/root.crt"
  G12="--priority NORMAL:-VERS-ALL:+VERS-TLS1.2"
  jv() { timeout 20 java tests/lib/TlsClient.java 127.0.0.1 "$@" >/dev/null 2>&1; }          # Java (JSSE)
  nd() { timeout 10 node tests/lib/tls_client.js 127.0.0.1 "$@" >/dev/null 2>&1; }            # Node
  pyc() { timeout 10 python3 tests/lib/tls_client.py 127.0.0.1 "$@" >/dev/null 2>&1; }         # Python ssl

  # expired (5001) and not yet valid (5002) leaves
  srv 5001 -cert "$P/expired.crt" -key "$P/expired.key" -cert_chain "$P/inter.crt"
  osl 5001 -tls1_2 $V -servername expired.server.test
  gtl 5001 expired.server.test --x509cafile "$P/root.crt" $G12
  jv 5001 expired.server.test "$P/root.crt" TLSv1.2
  nd 5001 expired.server.test "$P/root.crt" TLSv1.2
  stop_pid $SRV
  srv 5002 -cert "$P/future.crt" -key "$P/future.key" -cert_chain "$P/inter.crt"
  osl 5002 -tls1_2 $V -servername future.server.test
  gtl 5002 future.server.test --x509cafile "$P/root.crt" $G12
  stop_pid $SRV

  # host name not covered (5003)
  srv 5003 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt"
  osl 5003 -tls1_2 $V -servername wrong.example.org -verify_hostname wrong.example.org
  gtl 5003 wrong.example.org --x509cafile "$P/root.crt" $G12
  curl -s -o /dev/null -m 5 --tls-max 1.2 --cacert "$P/root.crt" --resolve a.b.server.test:5003:127.0.0.1 https://a.b.server.test:5003/
  jv 5003 java.wrong.example.org "$P/root.crt" TLSv1.2
  nd 5003 node.wrong.example.org "$P/root.crt" TLSv1.2
  stop_pid $SRV

  # a CA the clients do not trust (5004), a self-signed leaf (5005), a lone leaf (5006)
  srv 5004 -cert "$P/other/leaf.crt" -key "$P/other/leaf.key" -cert_chain "$P/other/inter.crt"
  osl 5004 -tls1_2 $V -servername untrusted.server.test
  gtl 5004 untrusted.server.test --x509cafile "$P/root.crt" $G12
  jv 5004 untrusted.server.test "$P/root.crt" TLSv1.2
  stop_pid $SRV
  srv 5012 -cert "$P/other/rootleaf.crt" -key "$P/other/rootleaf.key"   # a leaf straight from an untrusted root
  osl 5012 -tls1_2 $V -servername rootleaf.server.test
  stop_pid $SRV
  srv 5005 -cert "$P/self.crt" -key "$P/self.key"
  osl 5005 -tls1_2 $V -servername self.test
  gtl 5005 self.test --x509cafile "$P/root.crt" $G12
  nd 5005 self.test "$P/root.crt" TLSv1.2
  stop_pid $SRV
  srv 5006 -cert "$P/server.crt" -key "$P/server.key"
  osl 5006 -tls1_2 $V -servername leafonly.server.test
  gtl 5006 leafonly.server.test --x509cafile "$P/root.crt" $G12
  stop_pid $SRV

  # client certificates: untrusted (self-signed) and expired (5007)
  srv 5007 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -Verify 1 -CAfile "$P/ca-bundle.crt" -verify_return_error
  osl 5007 -tls1_2 -servername ccself.server.test -cert "$P/self.crt" -key "$P/self.key"
  osl 5007 -tls1_2 -servername ccold.server.test -cert "$P/oldclient.crt" -key "$P/oldclient.key" -cert_chain "$P/inter.crt"
  gtl 5007 ccgnutls.server.test --x509cafile "$P/root.crt" $G12 --x509certfile "$P/self.crt" --x509keyfile "$P/self.key"
  stop_pid $SRV

  # key-exchange groups (5008): one client that fits, then two that do not
  srv 5008 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -groups secp384r1
  osl 5008 -servername groupok.server.test -groups secp384r1
  osl 5008 -servername groupbad.server.test -groups x25519
  gtl 5008 groupbadg.server.test --x509cafile "$P/root.crt" --priority 'NORMAL:-GROUP-ALL:+GROUP-X25519'
  stop_pid $SRV

  # nginx that refuses clients without SNI (5009)
  ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:5009 ssl default_server; ssl_reject_handshake on; }
  server { listen 127.0.0.1:5009 ssl; server_name sni.server.test;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
NGINX
  wait_port 5009
  curl -s -o /dev/null -m 5 --cacert "$P/root.crt" --resolve sni.server.test:5009:127.0.0.1 https://sni.server.test:5009/
  curl -s -o /dev/null -m 5 --tls-max 1.2 --cacert "$P/root.crt" --resolve sni.server.test:5009:127.0.0.1 https://sni.server.test:5009/
  curl -s -o /dev/null -m 5 --cacert "$P/root.crt" https://127.0.0.1:5009/            # no SNI for an IP address
  osl 5009 -noservername
  gnutls-cli 127.0.0.1 -p 5009 --x509cafile "$P/root.crt" </dev/null >/dev/null 2>&1  # no --sni-hostname: none sent
  jv 5009 - "$P/root.crt"                                                                  # Java without SNI
  stop_pid $SRV

  # Second stacks (issue: Java's jdk.tls.client.protocols / jdk.tls.client.cipherSuites, Python's ssl):
  # a TLS 1.2-only server (5013) and clients that insist on TLS 1.3
  srv 5013 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -tls1_2
  timeout 20 java -Djdk.tls.client.protocols=TLSv1.3 tests/lib/TlsClient.java 127.0.0.1 5013 javaproto.server.test \
    "$P/root.crt" >/dev/null 2>&1
  pyc 5013 pyproto.server.test "$P/root.crt" min13
  stop_pid $SRV
  # one cipher suite only (5014): a client that fits, then Java and curl that offer others
  srv 5014 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
  osl 5014 -servername cipherok.server.test
  timeout 20 java -Djdk.tls.client.cipherSuites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 tests/lib/TlsClient.java \
    127.0.0.1 5014 javacipher.server.test "$P/root.crt" >/dev/null 2>&1
  curl -s -o /dev/null -m 5 --tls-max 1.2 --ciphers ECDHE-ECDSA-CHACHA20-POLY1305 --cacert "$P/root.crt" \
    --resolve curlcipher.server.test:5014:127.0.0.1 https://curlcipher.server.test:5014/
  stop_pid $SRV
  # expired client certificates from GnuTLS and Python (5015)
  srv 5015 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -Verify 1 -CAfile "$P/ca-bundle.crt" -verify_return_error -tls1_2
  gtl 5015 ccoldg.server.test --x509cafile "$P/root.crt" $G12 --x509certfile "$P/oldclient.crt" --x509keyfile "$P/oldclient.key"
  pyc 5015 ccoldpy.server.test "$P/root.crt" cert "$P/oldclient.crt" "$P/oldclient.key"
  stop_pid $SRV

  # a server that resets (5010) and one that never answers (5011)
  python3 - <<'PY' &
import socket, struct, threading
def serve(port, reset):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(8)
    for _ in range(6):
        c, _ = s.accept()
        c.recv(4096)
        if reset:
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
        else:
            threading.Timer(8, c.close).start()
for port, reset in ((5010, True), (5011, False)):
    threading.Thread(target=serve, args=(port, reset), daemon=True).start()
threading.Event().wait(30)
PY
  PY=$!
  td_track "$PY"
  wait_port 5010; wait_port 5011
  osl 5010 -servername reset.server.test
  gtl 5010 resetg.server.test --x509cafile "$P/root.crt"
  echo | timeout 2 openssl s_client -connect 127.0.0.1:5011 -servername silent.server.test >/dev/null 2>&1
  timeout 2 gnutls-cli 127.0.0.1 -p 5011 --sni-hostname silentg.server.test --x509cafile "$P/root.crt" </dev/null >/dev/null 2>&1
  stop_pid $PY
  cap_stop
}
