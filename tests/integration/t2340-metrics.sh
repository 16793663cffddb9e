#!/bin/bash
# tlsdiag watch --metrics: a real Prometheus (the Debian package), started
# here with its own configuration on 127.0.0.1, scrapes tlsdiag every second
# while clients fail and succeed; its HTTP API then returns the counts made.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns

ossl_srv 9443 -cert "$P/server.crt" -key "$P/server.key" # the leaf alone: clients trusting the root fail
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:8443 ssl; server_name server.test;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
NGINX
wait_port 8443

cat > "$W/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: tlsdiag
    static_configs:
      - targets: ['127.0.0.1:9464']
YML
prometheus --config.file="$W/prometheus.yml" --storage.tsdb.path="$W/tsdb" --web.listen-address=127.0.0.1:9090 \
  > "$W/prometheus.log" 2>&1 &
PROM=$!; td_track "$PROM"
wait_port 9090
i=0; while [ $i -lt 100 ] && ! curl -sf http://127.0.0.1:9090/-/ready >/dev/null; do sleep 0.1; i=$((i + 1)); done

# query EXPR: the value of a one-result instant query, or of the sum of the results
query() {
  curl -s "http://127.0.0.1:9090/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(sum(float(x["value"][1]) for x in r) if r else "none")'
}

for T in $TLSDIAGS; do
  "$T" watch -i lo --metrics 127.0.0.1:9464 > "$W/w.out" 2> "$W/w.err" & WPID=$!
  td_track "$WPID"
  i=0; while [ $i -lt 100 ] && ! grep -q 'listening on' "$W/w.err" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
  sleep 0.2
  check "$T: the metrics page itself: Prometheus text format, the three families" sh -c "
    curl -s -D '$W/h' http://127.0.0.1:9464/metrics > '$W/m0'
    grep -qi '^Content-Type: text/plain; version=0.0.4' '$W/h' &&
    grep -q '^# TYPE tlsdiag_handshakes_total counter' '$W/m0' && grep -q '^# TYPE tlsdiag_failures_total counter' '$W/m0' &&
    grep -q '^tlsdiag_drops_total{where=\"kernel\"} 0\$' '$W/m0' && grep -q '^tlsdiag_drops_total{where=\"tlsdiag\"} 0\$' '$W/m0'"
  for n in 1 2; do
    openssl s_client -connect 127.0.0.1:9443 -servername server.test -CAfile "$P/root.crt" -verify_return_error \
      </dev/null >/dev/null 2>&1
  done
  curl -s -o /dev/null --cacert "$P/root.crt" --resolve server.test:9443:127.0.0.1 https://server.test:9443/
  for n in 1 2; do
    curl -s -o /dev/null --cacert "$P/root.crt" --resolve server.test:8443:127.0.0.1 https://server.test:8443/
  done
  # until Prometheus has scraped the counts (1 s interval), at most 10 s
  i=0; while [ $i -lt 50 ] && [ "$(query 'sum(tlsdiag_failures_total)')" != 3 ]; do sleep 0.2; i=$((i + 1)); done
  fails=$(query 'sum(tlsdiag_failures_total)')
  byserver=$(query 'sum(tlsdiag_failures_total{server="127.0.0.1:9443"})')
  ok=$(query 'tlsdiag_handshakes_total{outcome="ok"}')
  failed=$(query 'tlsdiag_handshakes_total{outcome="failed"}')
  up=$(query 'up{job="tlsdiag"}')
  echo "# Prometheus: failures $fails (server 127.0.0.1:9443: $byserver), ok $ok, failed $failed, up $up"
  check "$T: Prometheus scraped it: 3 failures (all at 127.0.0.1:9443), 2 ok, up 1" sh -c "
    [ '$fails' = 3.0 ] || [ '$fails' = 3 ]; a=\$?
    [ \$a -eq 0 ] && [ '$byserver' = 3.0 ] && [ '$ok' = 2.0 ] && [ '$failed' = 3.0 ] && [ '$up' = 1.0 ]"
  check "$T: the API's query of tlsdiag_failures_total returns each cause and server with its count" sh -c "
    curl -s 'http://127.0.0.1:9090/api/v1/query?query=tlsdiag_failures_total' > '$W/q.json'; cat '$W/q.json'; echo
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))[\"data\"][\"result\"]
assert r and all(x[\"metric\"][\"server\"] == \"127.0.0.1:9443\" for x in r), r
assert all(x[\"metric\"][\"cause\"] in (\"unknown_ca\", \"incomplete_chain\") for x in r), r
assert sum(int(x[\"value\"][1]) for x in r) == 3, r
' '$W/q.json'"
  kill -INT "$WPID"; wait "$WPID"; rc=$?
  check "$T: --metrics on an address it cannot take: exit 2, said" sh -c "
    '$T' watch -i lo --metrics 127.0.0.1:9090 > /dev/null 2> '$W/e'; rc=\$?
    [ \$rc -eq 2 ] && grep -q 'metrics 127.0.0.1:9090: Address already in use' '$W/e'"
  check "$T: watch ended on SIGINT with status 1 after the failures" sh -c "[ $rc -eq 1 ]"
done
stop_pid "$PROM"
