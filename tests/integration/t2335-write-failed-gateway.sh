#!/bin/bash
# --write-failed on a gateway: nginx answers its client 502 because its own
# TLS connection to the backend failed (the leaf without its intermediate);
# the written pcapng holds the failed southbound handshake and the
# northbound HTTP connection tied to it, and nothing of a successful request.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns

ossl_srv 9443 -cert "$P/server.crt" -key "$P/server.key"
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
  server { listen 127.0.0.1:8081; return 200 "fine\n"; }
NGX
wait_port 8080
cap_start lo "$W/gw.pcap" "tcp port 8080 or tcp port 8081 or tcp port 9443"
curl -s -o /dev/null http://127.0.0.1:8081/ok
curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/orders > "$W/status"
cap_stop

for T in $TLSDIAGS; do
  check "$T: the failed handshake and the gateway's 5xx connection tied to it, nothing else" bash -c "
    cat '$W/status'; [ \"\$(cat '$W/status')\" = 502 ] || exit 1
    '$T' pcap --json --write-failed '$W/f.pcapng' '$W/gw.pcap' > '$W/gw.json' 2> '$W/err'; cat '$W/err'
    grep -q '\"protocol\":\"http\"' '$W/gw.json' || exit 1
    tshark -n -r '$W/f.pcapng' -T fields -e tcp.dstport -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' | sort > '$W/ports'
    cat '$W/ports'; [ \"\$(tr '\n' ' ' < '$W/ports')\" = '8080 9443 ' ] &&
    tshark -n -r '$W/f.pcapng' -Y 'http.response.code == 502' | grep -q . &&
    grep -q -- '--write-failed $W/f.pcapng: 2 connections' '$W/err'"
done
