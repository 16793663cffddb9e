#!/bin/bash
# tlsdiag watch at the highest handshake rate this machine makes on loopback:
#   bench/live.sh [SECONDS] [CLIENTS]      # as root; default 10 s, 2 clients
# In a private network namespace, nginx serves TLS 1.3 and 1.2 on 127.0.0.1:8443; CLIENTS
# `openssl s_time -new -www /` loops make new full handshakes (no resumption), each fetching a page, for SECONDS while
# tlsdiag watch -i lo --json counts them. Prints the handshakes/s and Mbit/s made, what watch
# counted, its drops (kernel, pcap_stats; tlsdiag) and its CPU time. BUF_KIB: watch -B (default 32768).
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-10}
CLIENTS=${2:-2}
if [ -z "${IN_NETNS:-}" ]; then
  IN_NETNS=1 exec unshare -n sh -c 'ip link set lo up && exec "$@"' live bash "$0" "$@"
fi
W=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] && cp "$W/w.json" "$KEEP"; rm -rf "$W"' EXIT
. tests/lib/pki.sh
pki_make "$W/pki" >/dev/null
mkdir -p "$W/ngx/logs"
cat > "$W/ngx/nginx.conf" <<NGX
daemon off; pid $W/ngx/nginx.pid; error_log $W/ngx/logs/error.log; worker_processes 1;
events { worker_connections 1024; }
http { access_log off;
  client_body_temp_path $W/ngx; proxy_temp_path $W/ngx; fastcgi_temp_path $W/ngx; uwsgi_temp_path $W/ngx; scgi_temp_path $W/ngx;
  server { listen 127.0.0.1:8443 ssl; ssl_certificate $W/pki/server-chain.crt; ssl_certificate_key $W/pki/server.key;
           ssl_session_cache off; ssl_session_tickets off; return 200 "ok\n"; } }
NGX
nginx -p "$W/ngx" -c "$W/ngx/nginx.conf" & PIDS="$PIDS $!"
sleep 0.5
"${TLSDIAG:-build/tlsdiag}" watch -i lo -B "${BUF_KIB:-32768}" --json 'tcp port 8443' > "$W/w.json" 2> "$W/w.err" & WPID=$!; PIDS="$PIDS $WPID"
while ! grep -q 'listening on' "$W/w.err"; do sleep 0.05; done
sleep 0.3
read -r _ _ _ _ rx0 _ < <(grep -w lo /proc/net/dev | tr -s ' ' | sed 's/^ //; s/:/ /') || true
t0=$(date +%s.%N)
for c in $(seq 1 "$CLIENTS"); do
  openssl s_time -connect 127.0.0.1:8443 -new -www / -time "$SECS" > "$W/c$c.out" 2>&1 & PIDS="$PIDS $!"
done
wait $(echo "$PIDS" | tr ' ' '\n' | tail -n "$CLIENTS")
t1=$(date +%s.%N)
sleep 1
cpu=$(awk '{printf "%.2f", ($14 + $15) / 100}' /proc/$WPID/stat)
rss=$(sed -n 's/^VmHWM: *//p' /proc/$WPID/status)
kill -INT "$WPID"; wait "$WPID" || true
bytes=$(awk '/lo:/ {print $2}' /proc/net/dev)
made=$(cat "$W"/c*.out | sed -n 's/^\([0-9]*\) connections in .*real seconds.*/\1/p' | paste -sd+ | bc)
python3 - "$W/w.json" "$made" "$t0" "$t1" "$bytes" "$cpu" "$rss" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
conns = [r for r in recs if 'stream' in r and 'outcome' in r]
w = [r for r in recs if r.get('type') == 'watch_summary'][-1]
made, secs = int(sys.argv[2]), float(sys.argv[4]) - float(sys.argv[3])
ok = sum(1 for r in conns if r['outcome'] == 'ok')
print('handshakes made: %d in %.1f s = %.0f/s' % (made, secs, made / secs))
print('watch counted: %d connections (%d ok), %.0f/s' % (len(conns), ok, len(conns) / secs))
print('drops: kernel %s of %s packets, tlsdiag %s' % (w['drops']['kernel'], w['drops'].get('kernel_received'),
                                                      w['drops']['tlsdiag']))
print('tlsdiag watch CPU: %s s (user + system) for %.1f s of traffic; peak RSS %s' % (sys.argv[6], secs, sys.argv[7]))
print('lo bytes since boot of the namespace: %s (%.1f Mbit/s over the run)' % (sys.argv[5],
      int(sys.argv[5]) * 8 / secs / 1e6))
PY
