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
