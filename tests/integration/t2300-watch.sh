#!/bin/bash
# tlsdiag watch on this namespace's lo while real clients (openssl s_client,
# curl) fail and succeed against openssl s_server and nginx: each failure's
# verdict is out within a second of the failing client's exit (measured), the
# completed ones are counted, the rolling summary goes to stderr, SIGINT ends
# with the summary and exit 1; -Z nobody runs unprivileged after the open.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns

# 9443: the leaf without its intermediate (clients trusting the root fail); 8443: nginx with the chain.
ossl_srv 9443 -cert "$P/server.crt" -key "$P/server.key"
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:8443 ssl; server_name server.test;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
NGINX
wait_port 8443
# 8080: nginx as a gateway in front of 9443 (its handshake to the backend fails: it answers 502)
mkdir -p "$W/gw"
ngx_start "$W/gw" <<NGINX
  server { listen 127.0.0.1:8080;
           location / { proxy_pass https://127.0.0.1:9443; proxy_ssl_verify on;
                        proxy_ssl_trusted_certificate $P/root.crt; proxy_ssl_server_name on; proxy_ssl_name server.test; } }
NGINX
wait_port 8080

. tests/lib/watch.sh
# fail_and_time OUT CLIENT...: the failing client, then the ms until one more verdict in OUT
fail_and_time() { time_until_more '^  Cause ' "$@"; }

s_client_fail() {
  openssl s_client -connect 127.0.0.1:9443 -servername server.test -CAfile "$P/root.crt" -verify_return_error
}
curl_fail() { curl -s -o /dev/null --cacert "$P/root.crt" --resolve server.test:9443:127.0.0.1 https://server.test:9443/; }
curl_ok() { curl -s -o /dev/null --cacert "$P/root.crt" --resolve server.test:8443:127.0.0.1 https://server.test:8443/; }

for T in $TLSDIAGS; do
  watch_start "$W/w.out" --interval 1
  for n in 1 2 3; do curl_ok; done
  ms1=$(fail_and_time "$W/w.out" s_client_fail)
  ms2=$(fail_and_time "$W/w.out" curl_fail)
  curl_ok
  sleep 1.3 # one rolling summary at least, after the last connection
  kill -INT "$WPID"; wait "$WPID"; rc=$?
  echo "# $T watch: verdict after the failing client's exit: s_client ${ms1} ms, curl ${ms2} ms"
  check "$T: each failure's verdict within a second of the failing client's exit (s_client $ms1 ms, curl $ms2 ms)" \
    sh -c "[ '$ms1' != none ] && [ '$ms2' != none ] && [ '$ms1' -lt 1000 ] && [ '$ms2' -lt 1000 ]"
  check "$T: the failures are named (unknown_ca or incomplete_chain), the completed ones not shown in text" sh -c "
    [ \$(grep -c '^  Cause .*\\[\(unknown_ca\|incomplete_chain\)\\]' '$W/w.out') -eq 2 ] && ! grep -q ' ok\$' '$W/w.out' &&
    [ \$(grep -c '^tcp.stream ' '$W/w.out') -eq 2 ]"
  check "$T: SIGINT: the summary counts 4 ok and 2 failed, exit 1" sh -c "
    cat '$W/w.out' | tail -5; [ $rc -eq 1 ] && grep -q '^lo: [0-9]* frames, .*TLS: 6 (4 ok, 2 failed' '$W/w.out'"
  check "$T: rolling summary on stderr: by cause and server over the last minute, drops counted" sh -c "
    cat '$W/w.out.err'
    grep -q '^tlsdiag watch: up 0m0[0-9]s: 6 TLS (4 ok, 2 failed, 0 incomplete); drops: kernel 0 of [1-9][0-9]* packets, tlsdiag 0' '$W/w.out.err' &&
    grep -A1 '^  last minute: 2 failed' '$W/w.out.err' | grep -Eq '^ *2  (unknown_ca|incomplete_chain) *127.0.0.1:9443\$' &&
    [ \$(grep -c '^tlsdiag watch: up' '$W/w.out.err') -ge 2 ]"

  watch_start "$W/j.out" --json
  curl_ok; s_client_fail </dev/null >/dev/null 2>&1
  sleep 0.5
  kill -TERM "$WPID"; wait "$WPID"; rc=$?
  check "$T: --json: one record per connection, then the summary and the watch summary with drops; SIGTERM, exit 1" \
    python3 - "$W/j.out" "$rc" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
conns = [r for r in recs if 'stream' in r and 'outcome' in r]
assert sorted(r['outcome'] for r in conns) == ['failed', 'ok'], [(r['stream'], r['outcome']) for r in conns]
causes = [r['cause'] for r in conns if r['outcome'] == 'failed']
assert len(causes) == 1 and causes[0] in ('unknown_ca', 'incomplete_chain'), causes
w = [r for r in recs if r.get('type') == 'watch_summary']
assert len(w) == 1 and w[0]['ok'] == 1 and w[0]['failures'] == 1, w
assert w[0]['drops']['kernel'] == 0 and w[0]['drops']['tlsdiag'] == 0, w
assert w[0]['failures_by'] == [{'cause': causes[0], 'server': '127.0.0.1:9443', 'count': 1}], w
assert sys.argv[2] == '1', sys.argv[2]
print(len(conns), 'connections', w[0])
PY

  watch_start "$W/f.out" --write-failed "$W/live-failed.pcapng"
  curl_ok; s_client_fail </dev/null >/dev/null 2>&1; curl_ok; curl_fail
  sleep 0.5
  kill -INT "$WPID"; wait "$WPID"; rc=$?
  check "$T: --write-failed live: the pcapng holds the 2 failed connections (to 9443), not the 2 completed ones" sh -c "
    cat '$W/f.out.err' | tail -2; [ $rc -eq 1 ] || exit 1
    grep -q -- '--write-failed $W/live-failed.pcapng: 2 connections' '$W/f.out.err' &&
    tshark -n -r '$W/live-failed.pcapng' -T fields -e tcp.dstport -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' > '$W/ports' &&
    cat '$W/ports' && [ \"\$(sort '$W/ports' | tr '\\n' ' ')\" = '9443 9443 ' ] &&
    '$T' pcap --json '$W/live-failed.pcapng' | grep -c '\"outcome\":\"failed\"' | grep -qx 2"

  watch_start "$W/g.out"
  curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/orders > "$W/g.status"
  t0=$(date +%s%N); gms=none
  while [ $(( $(date +%s%N) - t0 )) -lt 3000000000 ]; do
    if grep -q 'HTTP  *502' "$W/g.out" && grep -q "gateway's own TLS connection" "$W/g.out"; then
      gms=$(( ($(date +%s%N) - t0) / 1000000 )); break
    fi
    sleep 0.01
  done
  kill -INT "$WPID"; wait "$WPID"; rc=$?
  check "$T: a gateway's 502 is shown live ($gms ms after curl's exit), tied to its failed backend handshake" sh -c "
    grep -v '^  #\\|^           ' '$W/g.out' | head -40; echo rc=$rc
    [ \"\$(cat '$W/g.status')\" = 502 ] && [ '$gms' != none ] && [ '$gms' -lt 1000 ] &&
    [ \$(grep -c '^tcp.stream .* HTTP  *502' '$W/g.out') -eq 1 ] && [ $rc -eq 1 ]"

  watch_start "$W/z.out" -Z nobody
  uid=$(grep '^Uid:' /proc/$WPID/status); gid=$(grep '^Gid:' /proc/$WPID/status)
  groups=$(grep '^Groups:' /proc/$WPID/status)
  ms=$(fail_and_time "$W/z.out" s_client_fail)
  kill -INT "$WPID"; wait "$WPID"; rc=$?
  NOBODY=$(id -u nobody); NOGROUP=$(id -g nobody)
  check "$T: -Z nobody: uid and gid of nobody after the open (${uid//	/ }), and the capture still sees failures ($ms ms)" sh -c "
    echo '$uid' | grep -Eq '^Uid:[[:space:]]+$NOBODY[[:space:]]+$NOBODY[[:space:]]+$NOBODY[[:space:]]+$NOBODY\$' &&
    echo '$gid' | grep -Eq '^Gid:[[:space:]]+$NOGROUP[[:space:]]+$NOGROUP[[:space:]]+$NOGROUP[[:space:]]+$NOGROUP\$' &&
    ! echo '$groups' | grep -Eq '(^Groups:|[[:space:]])0([[:space:]]|\$)' &&
    [ '$ms' != none ] && [ $rc -eq 1 ]"
  check "$T: -Z with a user that does not exist: exit 2, said" sh -c "
    '$T' watch -i lo -Z no-such-user-here > /dev/null 2> '$W/e'; rc=\$?
    [ \$rc -eq 2 ] && grep -q 'no-such-user-here: no such user' '$W/e'"
  check "$T: a BPF filter that does not compile: exit 2, said" sh -c "
    '$T' watch -i lo 'tcp port' > /dev/null 2> '$W/e'; rc=\$?
    [ \$rc -eq 2 ] && grep -q \"filter 'tcp port'\" '$W/e'"
done
