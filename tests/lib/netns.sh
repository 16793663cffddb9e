# Helpers for tests that start servers: everything runs inside a private
# network namespace (unshare -n) with only loopback up, so no test traffic can
# leave the machine and servers that bind every address see only lo.
# Processes are stopped by the PIDs the tests recorded, never by name.

# PIDs this test started; stopped on exit whatever happens (by PID, never by name).
TD_PIDS=""
td_track() { TD_PIDS="$TD_PIDS $1"; }
td_cleanup() { for p in $TD_PIDS; do kill "$p" 2>/dev/null; done; }
trap 'td_cleanup; rm -f "${T_OUT:-}"' EXIT

# Run a script in a fresh namespace: netns_run SCRIPT ARGS...
netns_run() {
  unshare -n sh -c 'ip link set lo up && exec "$@"' netns "$@"
}

# Wait until something listens on 127.0.0.1:PORT (inside the namespace).
wait_port() {
  i=0
  while [ $i -lt 100 ]; do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.05; i=$((i + 1))
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# Start tcpdump on lo (or any) writing FILE; sets CAP_PID.
cap_start() { # iface file [filter]
  rm -f "$2.log"
  CAP_IFACE=$1
  tcpdump -n -B 65536 -i "$1" -s 0 -U --immediate-mode -w "$2" "${3:-tcp}" 2>"$2.log" &
  CAP_PID=$!
  td_track "$CAP_PID"
  CAP_FILE=$2
  # tcpdump says "listening on" once its filter is attached
  i=0; while [ $i -lt 100 ] && ! grep -q "listening on" "$2.log" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
  sleep 0.1
}

# tcpdump's counts, asked for with SIGUSR1 (it prints them to its log and goes
# on): "CAPTURED RECEIVED" once the new line is there, after at most 5 s.
cap_counts() {
  n=$(grep -c 'packets captured' "$CAP_FILE.log")
  kill -USR1 "$CAP_PID" 2>/dev/null || return 1
  i=0
  while [ $i -lt 100 ] && [ "$(grep -c 'packets captured' "$CAP_FILE.log")" -le "$n" ]; do sleep 0.05; i=$((i + 1)); done
  grep 'packets captured' "$CAP_FILE.log" | tail -1 | sed -n 's/.* \([0-9]*\) packets captured, \([0-9]*\) packets received.*/\1 \2/p'
}

# Stop tcpdump once it has written every packet the kernel handed it, and no
# more are coming: killed earlier, it loses those still in its ring buffer
# (a loaded machine lets it fall behind). The kernel's count ("received by
# filter") has each packet twice on lo (sent and received; tcpdump keeps one,
# as with any, where the namespace has only lo), once elsewhere. Drained: it
# has written them all, and the count stayed the same over the last 0.2 s
# (the last FINs and ACKs are in).
cap_stop() {
  per=1
  case $CAP_IFACE in lo | any) per=2 ;; esac
  last="" i=0
  while [ $i -lt 60 ]; do
    c=$(cap_counts) || break
    set -- $c
    if [ $# -eq 2 ] && [ $(($1 * per)) -eq "$2" ] && [ "$c" = "$last" ]; then break; fi
    last=$c i=$((i + 1))
    sleep 0.2
  done
  [ $i -lt 60 ] || echo "# cap_stop: tcpdump did not drain ($c)" >&2
  kill "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null || true
  rm -f "$CAP_FILE.log"
}

stop_pid() {
  kill "$1" 2>/dev/null; wait "$1" 2>/dev/null || true
}

# openssl s_server -www on PORT with ARGS, tracked for cleanup; its PID in SRV.
ossl_srv() {
  port=$1; shift
  openssl s_server -accept "$port" -www -quiet "$@" >/dev/null 2>&1 &
  SRV=$!
  td_track "$SRV"
  wait_port "$port"
}

# nginx in DIR with the given server blocks (read from standard input) inside
# http { }, started and tracked (PID in SRV): ngx_start DIR <<EOF ... EOF
ngx_start() {
  d=$1
  mkdir -p "$d/logs"
  {
    printf 'daemon off;\npid %s/nginx.pid;\nerror_log %s/logs/error.log;\nevents { worker_connections 256; }\n' "$d" "$d"
    printf 'http {\n  access_log off;\n'
    printf '  client_body_temp_path %s; proxy_temp_path %s; fastcgi_temp_path %s; uwsgi_temp_path %s; scgi_temp_path %s;\n' \
      "$d" "$d" "$d" "$d" "$d"
    cat
    printf '}\n'
  } > "$d/nginx.conf"
  nginx -p "$d" -c "$d/nginx.conf" >/dev/null 2>&1 &
  SRV=$!
  td_track "$SRV"
}
