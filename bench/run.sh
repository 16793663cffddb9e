#!/bin/bash
# Benchmark: builds a realistic capture of at least 1 GB on loopback and prints
# tlsdiag's time and peak RSS next to tcpdump -r's, measured alternately RUNS
# times (default 5; medians and ranges), with the read floor (cat) and, with
# TOOLS=1, tshark's and ssldump's on the same files. Run as root:
#   bench/run.sh [SIZE_MB]          (default 1100; RUNS=5 TOOLS=0)
# The capture is made inside a private network namespace whose loopback has a
# 1500-byte MTU and segmentation offloads off, so frames look like a real NIC's:
# nginx serves thousands of short HTTPS exchanges (some failing: TLS 1.0-only
# and no-common-cipher clients) and bulk downloads, captured with tcpdump.
set -u
cd "$(dirname "$0")/.." || exit 1
SIZE_MB=${1:-1100}
OUT=${BENCH_DIR:-bench/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
sh tools/install-deps.sh test >/dev/null
for p in ethtool ssldump time; do
  dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q "ok installed" || DEBIAN_FRONTEND=noninteractive apt-get install -y -q $p >/dev/null
done
make -s all >/dev/null || exit 1

if [ ! -s "$OUT/big.pcap" ]; then
  echo "making a ${SIZE_MB} MB capture in $OUT (once)..." >&2
  IN_NETNS=1 unshare -n bash -c '
    . tests/lib/netns.sh; . tests/lib/pki.sh
    ip link set lo up; ip link set lo mtu 1500
    ethtool -K lo tso off gso off gro off >/dev/null 2>&1
    OUT=$1; SIZE_MB=$2; W=$(mktemp -d); P=$W/pki; pki_make "$P" >/dev/null
    mkdir -p "$W/www" "$W/tmp"; chmod 755 "$W" "$W/www"   # nginx workers run unprivileged
    head -c 50000000 /dev/urandom > "$W/www/bulk.bin"
    echo hello > "$W/www/small.txt"; chmod 644 "$W/www/"*
    cat > "$W/nginx.conf" <<NGINX
daemon off; worker_processes 1; pid $W/nginx.pid; error_log $W/error.log;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $W/tmp; proxy_temp_path $W/tmp; fastcgi_temp_path $W/tmp;
  uwsgi_temp_path $W/tmp; scgi_temp_path $W/tmp; keepalive_requests 1;
  server { listen 127.0.0.1:443 ssl; ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key;
           ssl_protocols TLSv1.2 TLSv1.3; root $W/www; } }
NGINX
    nginx -p "$W" -c "$W/nginx.conf" >/dev/null 2>&1 & NG=$!
    trap "kill \$NG \$TD 2>/dev/null" EXIT
    wait_port 443
    tcpdump -n -B 262144 -i lo -s 0 -w "$OUT/big.pcap" tcp port 443 2>/dev/null & TD=$!
    sleep 1
    C="--cacert $P/root.crt --resolve bench.server.test:443:127.0.0.1 -s -o /dev/null"
    # short exchanges: 40 URLs per curl process, each on a new connection (keepalive_requests 1)
    urls=$(for i in $(seq 40); do printf "https://bench.server.test/small.txt "; done)
    while [ $(( $(stat -c %s "$OUT/big.pcap") / 1000000 )) -lt $((SIZE_MB / 10)) ]; do
      curl $C $urls >/dev/null
      curl $C --tls-max 1.1 https://bench.server.test/small.txt       # fails: protocol version
      curl $C --tls-max 1.2 --ciphers AES128-SHA https://bench.server.test/small.txt  # fails: cipher
    done
    # bulk downloads, with short exchanges in between
    while [ $(( $(stat -c %s "$OUT/big.pcap") / 1000000 )) -lt "$SIZE_MB" ]; do
      curl $C https://bench.server.test/bulk.bin
      curl $C $urls >/dev/null
    done
    sleep 1; kill $TD; wait $TD; kill $NG; wait $NG; rm -rf "$W"
  ' bench "$OUT" "$SIZE_MB"
fi
if [ ! -s "$OUT/100mb.pcap" ]; then
  # the first 100 MB of the same traffic, cut at a frame boundary
  n=$(tshark -r "$OUT/big.pcap" -T fields -e frame.number -e frame.cap_len 2>/dev/null |
      awk '{ s += $2 + 16; if (s > 100000000) { print $1 - 1; exit } }')
  editcap -r "$OUT/big.pcap" "$OUT/100mb.pcap" "1-$n" >/dev/null
fi

if [ ! -s "$OUT/3gb.pcap" ]; then
  # for the RSS check: three copies of the same traffic, each an hour after the one before
  python3 bench/concat.py "$OUT/big.pcap" "$OUT/3gb.pcap" 3
fi

# tcpdump and tlsdiag side by side, alternately RUNS times: medians and ranges
# (a shared machine's load falls on both alike). TOOLS=1 also times tshark and
# ssldump, once each (a minute and five).
RUNS=${RUNS:-5}
for f in 100mb big 3gb; do
  F=$OUT/$f.pcap
  BYTES=$(stat -c %s "$F")
  CONNS=$(build/tlsdiag pcap --summary --json "$F" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tcp_streams"])')
  echo
  echo "== $F: $((BYTES / 1000000)) MB, $CONNS TCP connections"
  build/tlsdiag pcap --summary "$F"
  python3 bench/measure.py "cat (read floor)" "$BYTES" "$CONNS" -- cat "$F"
  python3 bench/pair.py "$RUNS" "$F" "tcpdump -r -w /dev/null (floor)=tcpdump -w /dev/null -r" \
    "tlsdiag pcap (text)=build/tlsdiag pcap" "tlsdiag pcap --json=build/tlsdiag pcap --json" \
    "tlsdiag pcap --threads 1=build/tlsdiag pcap --threads 1" \
    "tlsdiag pcap --json --threads 1=build/tlsdiag pcap --json --threads 1"
  [ "${TOOLS:-0}" = 1 ] || continue
  python3 bench/measure.py "tshark TLS, SNI+alert fields" "$BYTES" "$CONNS" -- tshark -n -r "$F" \
    -Y "tls.handshake.type == 1 || tls.alert_message" -T fields -e frame.number -e tcp.stream \
    -e tls.handshake.extensions_server_name -e tls.alert_message.desc
  BENCH_TIMEOUT=${SSLDUMP_TIMEOUT:-600} python3 bench/measure.py "ssldump -n -r" "$BYTES" "$CONNS" -- ssldump -n -r "$F"
done
