#!/bin/bash
# tlsdiag probe when the connection itself fails: each kernel error named as
# the kernel names it, with its own cause and fix, and a name that does not
# resolve (dns_failure). In a private network namespace with only lo up and
# loopback addresses only: the namespace's local route shrinks from 127.0.0.0/8
# to 127.0.0.0/9, so 127.200.0.1 has no route (ENETUNREACH) and 127.201.0.0/16
# gets an "unreachable" route (EHOSTUNREACH); nothing can leave the namespace.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
ip route add local 127.0.0.0/9 dev lo table local
ip route del local 127.0.0.0/8 dev lo table local
ip route add unreachable 127.201.0.0/16
# 7101: a listener whose accept queue is full: the kernel drops further SYNs
python3 - <<'PY' >/dev/null 2>&1 &
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7101)); s.listen(0)
held = []
for _ in range(4):  # fill the queue, never accept
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", 7101))
    except OSError: pass
    held.append(c)
threading.Event().wait(300)
PY
td_track $!
sleep 0.5

pe() { # tlsdiag target cause words-in-message... ; exit 1 expected
  t=$1 target=$2 cause=$3; shift 3
  out=$("$t" probe --json --timeout 1000 "$target"); rc=$?
  python3 - "$cause" "$rc" "$@" <<PY || { echo "$out"; return 1; }
import json, sys
d = json.loads('''$out''')
cause, rc, words = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
f = d["findings"]
assert [x["cause"] for x in f] == [cause], f
assert rc == 1, rc
assert d["reachable"] is False
for w in words:
    assert w in f[0]["message"] or w in f[0]["resolution"], (w, f[0])
PY
}

for T in $TLSDIAGS; do
  check "$T: nothing listens: connect_refused (ECONNREFUSED), exit 1" \
    pe "$T" 127.0.0.1:7199 connect_refused ECONNREFUSED "start the server"
  check "$T: no route to the network: net_unreachable (ENETUNREACH)" \
    pe "$T" 127.200.0.1:443 net_unreachable ENETUNREACH "ip route get"
  check "$T: an unreachable route: host_unreachable (EHOSTUNREACH)" \
    pe "$T" 127.201.0.7:443 host_unreachable EHOSTUNREACH "firewall"
  check "$T: SYN dropped (accept queue full): connect_timeout within the timeout" \
    sh -c "$(declare -f pe); start=\$(date +%s%N); pe '$T' 127.0.0.1:7101 connect_timeout 'no answer to the SYN' 'within 1000 ms' || exit 1
           ms=\$(( (\$(date +%s%N) - start) / 1000000 )); echo \"\$ms ms\"; [ \$ms -lt 3000 ]"
  check "$T: a name that does not resolve: dns_failure, naming the name" \
    pe "$T" no-such-host.invalid:443 dns_failure no-such-host.invalid "resolv.conf"
  check "$T: text output names the errno and the fix" \
    sh -c "'$T' probe --timeout 1000 127.0.0.1:7199 | grep -q 'connect_refused .*ECONNREFUSED' &&
           '$T' probe --timeout 1000 no-such-host.invalid | grep -q 'dns_failure .*cannot resolve no-such-host.invalid'"
done
