#!/bin/bash
# The probe benchmark: against the same local servers, wall time and TCP
# connections opened by tlsdiag probe, sslscan, nmap --script ssl-enum-ciphers
# and testssl.sh (-p -e: protocols and each cipher), from one run, side by side.
# Runs in a private network namespace (loopback only); needs root. Not a test.
#   bench/probe.sh [build/tlsdiag]
set -u
cd "$(dirname "$0")/.." || exit 1
if [ -z "${IN_NETNS:-}" ]; then
  apt_missing=""
  for p in sslscan nmap testssl.sh nginx-light tcpdump; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || apt_missing="$apt_missing $p"
  done
  [ -n "$apt_missing" ] && apt-get install -y $apt_missing >/dev/null
  IN_NETNS=1 exec unshare -n bash -c 'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
fi
T=${1:-build/tlsdiag}
W=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$W"' EXIT
. tests/lib/pki.sh
pki_make "$W/pki" >/dev/null
P=$W/pki
mkdir -p "$W/ngx/logs"
cat > "$W/ngx/nginx.conf" <<NGINX
daemon off;
pid $W/ngx/nginx.pid;
error_log $W/ngx/logs/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $W/ngx; proxy_temp_path $W/ngx; fastcgi_temp_path $W/ngx; uwsgi_temp_path $W/ngx; scgi_temp_path $W/ngx;
  server { listen 127.0.0.1:9443 ssl; ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers DEFAULT;
           ssl_certificate $P/rsa-chain.crt; ssl_certificate_key $P/rsa.key; return 200 "ok\n"; }
}
NGINX
nginx -p "$W/ngx" -c "$W/ngx/nginx.conf" >/dev/null 2>&1 & PIDS="$PIDS $!"
openssl s_server -accept 9444 -www -quiet -cert "$P/rsa.crt" -key "$P/rsa.key" -cert_chain "$P/inter.crt" \
  -cipher 'ALL:@SECLEVEL=0' -tls1_2 >/dev/null 2>&1 & PIDS="$PIDS $!"
sleep 1

# tool port command...: prints "wall_s connections suites_found"
measure() {
  port=$1; shift
  tcpdump -n -i lo -U --immediate-mode -B 65536 -w "$W/syn.pcap" "tcp dst port $port and tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0" \
    >/dev/null 2>"$W/td.log" & tp=$!
  for i in $(seq 50); do grep -q listening "$W/td.log" 2>/dev/null && break; sleep 0.1; done; sleep 0.3
  start=$(date +%s.%N)
  "$@" > "$W/out" 2>&1
  end=$(date +%s.%N)
  sleep 0.3; kill $tp; wait $tp 2>/dev/null
  conns=$(tcpdump -n -r "$W/syn.pcap" 2>/dev/null | wc -l)
  printf '%.2f %s' "$(echo "$end - $start" | bc)" "$conns"
}
suites_tlsdiag() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(v) for v in d["suites"].values()))' "$W/out"; }
suites_sslscan() { grep -cE 'Accepted|Preferred' "$W/out"; }
suites_nmap() { grep -cE '^\|\s+TLS_' "$W/out"; }
suites_testssl() { grep -cE '^ x[0-9a-f]+ ' "$W/out"; }

printf '%-34s %-10s %8s %12s %7s\n' "server" "tool" "wall s" "connections" "suites"
for target in "nginx TLS 1.2+1.3 (DEFAULT):9443" "s_server TLS 1.2 (ALL:@SECLEVEL=0):9444"; do
  name=${target%:*} port=${target##*:}
  r=$(measure "$port" "$T" probe --json 127.0.0.1:$port); printf '%-34s %-10s %8s %12s %7s\n' "$name" tlsdiag ${r% *} ${r#* } "$(suites_tlsdiag)"
  r=$(measure "$port" sslscan --no-colour 127.0.0.1:$port); printf '%-34s %-10s %8s %12s %7s\n' "$name" sslscan ${r% *} ${r#* } "$(suites_sslscan)"
  r=$(measure "$port" nmap -Pn -p "$port" --script ssl-enum-ciphers 127.0.0.1); printf '%-34s %-10s %8s %12s %7s\n' "$name" nmap ${r% *} ${r#* } "$(suites_nmap)"
  r=$(measure "$port" testssl --quiet --color 0 -p -e 127.0.0.1:$port); printf '%-34s %-10s %8s %12s %7s\n' "$name" testssl.sh ${r% *} ${r#* } "$(suites_testssl)"
done

# Client simulation, the chain judged: tlsdiag probe --client all (19 profiles, the test root given as the
# truststore) next to testssl.sh -c (its client simulation), on one s_server (TLS 1.2+1.3, EC leaf for 127.0.0.1).
openssl s_server -accept 9445 -www -quiet -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" \
  >/dev/null 2>&1 & PIDS="$PIDS $!"
sleep 1
printf '\n%-34s %-22s %8s %12s %s\n' "server" "tool" "wall s" "connections" "result"
name="s_server TLS 1.2+1.3, chain judged"
r=$(measure 9445 "$T" probe --client all --trust "$P/root.crt" 127.0.0.1:9445)
printf '%-34s %-22s %8s %12s %s\n' "$name" "tlsdiag --client all" ${r% *} ${r#* } "$(tail -1 "$W/out")"
r=$(measure 9445 testssl --quiet --color 0 -c 127.0.0.1:9445)
printf '%-34s %-22s %8s %12s %s\n' "$name" "testssl.sh -c" ${r% *} ${r#* } "$(grep -cE 'TLSv1|No connection' "$W/out") result lines"
