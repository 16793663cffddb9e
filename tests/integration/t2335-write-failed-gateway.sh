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

# The same capture read from a pipe: the 502 record is given as soon as it can be tied (verdicts at once),
# tied to the same failed handshake as when the file is read whole, and only once.
for T in $TLSDIAGS; do
  check "$T: from a pipe, the gateway's HTTP record is the file run's (same upstream and cause), once" bash -c "
    '$T' pcap --json '$W/gw.pcap' | grep '\"protocol\":\"http\"' > '$W/file.http'
    cat '$W/gw.pcap' | '$T' pcap --json - | grep '\"protocol\":\"http\"' > '$W/pipe.http'
    python3 - '$W/file.http' '$W/pipe.http' <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1])]
p = [json.loads(l) for l in open(sys.argv[2])]
assert len(f) == 1 and len(p) == 1, (len(f), len(p))
for k in ('stream', 'upstream_stream', 'cause', 'community_id'):
    assert f[0].get(k) == p[0].get(k), (k, f[0].get(k), p[0].get(k))
print('HTTP record', {k: p[0].get(k) for k in ('stream', 'upstream_stream', 'cause')})
PY"
done
