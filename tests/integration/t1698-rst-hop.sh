#!/bin/bash
# Who sent a reset (issue 18): the RST's IP TTL against the server's SYN-ACK.
# Three namespaces: this one (the client, capturing on its veth), a router
# (ip_forward) and the server's, so the server's packets arrive with TTL 63.
# A middlebox on the router (tests/lib/rst_injector.py: no netfilter here, so
# a raw socket does what iptables -j REJECT --reject-with tcp-reset would)
# resets each ClientHello to port 7001 in the server's name, with TTL 64: the
# verdict says the reset was not the server's (medium, fixed on the network).
# On port 7002 the server itself resets after the ClientHello (SO_LINGER 0):
# TTL 63, the SYN-ACK's, so the server's (high). tshark reads the same TTLs.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/rst.pcap
unshare -n sleep 120 & R=$!; td_track $R
unshare -n sleep 120 & S=$!; td_track $S
sleep 0.3
ip link add c0 type veth peer name r0 && ip link set r0 netns $R &&
  nsenter -t $R -n ip link add r1 type veth peer name s0 && nsenter -t $R -n ip link set s0 netns $S || exit 1
ip addr add 10.18.1.1/24 dev c0 && ip link set c0 up && ip route add 10.18.2.0/24 via 10.18.1.2
nsenter -t $R -n sh -c 'ip link set lo up && ip addr add 10.18.1.2/24 dev r0 && ip link set r0 up &&
  ip addr add 10.18.2.2/24 dev r1 && ip link set r1 up && echo 1 > /proc/sys/net/ipv4/ip_forward'
nsenter -t $S -n sh -c 'ip link set lo up && ip addr add 10.18.2.1/24 dev s0 && ip link set s0 up &&
  ip route add default via 10.18.2.2'
cat > "$W/srv.py" <<'PY'
import socket, struct, sys, threading, time
def serve(port, reset):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.18.2.1", port)); s.listen(8)
    while True:
        c, _ = s.accept()
        c.recv(65536)                     # the ClientHello, never answered
        if reset:                         # the server itself resets
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
        else:
            threading.Timer(5, c.close).start()
threading.Thread(target=serve, args=(7001, False), daemon=True).start()
serve(7002, True)
PY
nsenter -t $S -n python3 "$W/srv.py" & td_track $!
nsenter -t $R -n python3 tests/lib/rst_injector.py r0 7001 > "$W/inj.log" 2>&1 & td_track $!
up() { # port: the server listens (a connection the server then drops)
  i=0; while [ $i -lt 100 ] && ! (exec 3<>/dev/tcp/10.18.2.1/$1) 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
}
up 7001; up 7002
i=0; while [ $i -lt 100 ] && ! grep -q listening "$W/inj.log"; do sleep 0.1; i=$((i + 1)); done
cap_start c0 "$CAP" "tcp port 7001 or tcp port 7002"
for p in 7001:ips 7002:rst; do
  echo | timeout 5 openssl s_client -connect 10.18.2.1:${p%%:*} -servername ${p##*:}.server.test > "$W/${p##*:}.out" 2>&1
done
sleep 0.5
cap_stop

ttl() { tshark -r "$CAP" -Y "tcp.srcport == $1 && $2" -T fields -e ip.ttl 2>/dev/null | head -1; }
T1=$(ttl 7001 'tcp.flags.syn == 1'); R1=$(ttl 7001 'tcp.flags.reset == 1'); I1=$(tshark -r "$CAP" -Y 'tcp.srcport == 7001 && tcp.flags.reset == 1' -T fields -e ip.id 2>/dev/null | head -1)
T2=$(ttl 7002 'tcp.flags.syn == 1'); R2=$(ttl 7002 'tcp.flags.reset == 1')
for T in $TLSDIAGS; do
  check "$T: both clients were reset; tshark: SYN-ACKs TTL 63, the injected RST 64 (IP ID 0x4242), the server's own 63" \
    sh -c "grep -q -i 'reset by peer\|errno=104' '$W/ips.out' && grep -q -i 'reset by peer\|errno=104' '$W/rst.out' &&
      [ '$T1 $R1 $I1 $T2 $R2' = '63 64 0x4242 63 63' ]"
  check "$T: the injected reset: tcp_reset, medium, fixed on the network, the TTLs named; the server's own: high, fixed on the server" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "conn(sni='ips.server.test')['cause'] == 'tcp_reset' and conn(sni='ips.server.test')['confidence'] == 'medium' and conn(sni='ips.server.test')['fix_side'] == 'network'" \
      "any(e['what'].startswith(\"the RST's TTL is 64, the SYN-ACK's 63, IP ID 16962 against the SYN-ACK's\") and 'a device 0 hops from the capture point (the server is 1)' in e['what'] for e in conn(sni='ips.server.test')['evidence'])" \
      "conn(sni='rst.server.test')['cause'] == 'tcp_reset' and conn(sni='rst.server.test')['confidence'] == 'high' and conn(sni='rst.server.test')['fix_side'] == 'server'" \
      "any(\"the RST has the SYN-ACK's TTL (63)\" in e['what'] for e in conn(sni='rst.server.test')['evidence'])"
done
