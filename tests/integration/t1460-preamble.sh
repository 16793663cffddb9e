#!/bin/bash
# TLS after a plain-text preamble, and inside tunnels, with real programs: openssl s_client -starttls
# (smtp, imap, pop3, ftp, postgres, mysql) against small Python servers that speak
# the plain-text part and then hand the socket to Python's ssl; a refused STARTTLS
# (454) and a refused SSLRequest (N); curl through an HTTP CONNECT proxy and a
# SOCKS5 proxy (Python, relaying to openssl s_server); a HAProxy PROXY v1 header
# sent by a tiny client. The ladder shows the preamble, the TLS after it is
# diagnosed as any other, tcp.stream and handshake types agree with tshark.
# Tunnels: a real VXLAN tunnel between this namespace and a second one it
# creates (veth, 192.0.2.0/24 underlay, 198.51.100.0/24 overlay); GRE, IPIP and
# GENEVE devices are not available in the test kernel, so those (and ERSPAN,
# MPLS, PPPoE, GTP-U, 6in4) are made by rewriting the preamble capture with
# tests/lib/pcaptool.py tunnel KIND, which must give the same ladders.
# Runs in a private network namespace (loopback only).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/preamble.pcap
PS=tests/lib/preamble_server.py
S_CRT=$P/server-chain.crt S_KEY=$P/server.key

pre_srv() { # mode port [upstream]
  python3 "$PS" "$1" "$2" "$S_CRT" "$S_KEY" ${3:+"$3"} >"$W/srv-$1.log" 2>&1 &
  td_track $!
  wait_port "$2"
}
sclient() { # starttls port
  timeout 10 openssl s_client -connect 127.0.0.1:"$2" -starttls "$1" -servername server.test \
    -CAfile "$P/root.crt" </dev/null >"$W/cl-$1-$2.log" 2>&1 || true
}

ossl_srv 4443 -cert "$P/server.crt" -cert_chain "$P/inter.crt" -key "$S_KEY"
pre_srv smtp 2525; pre_srv smtp-refuse 2526; pre_srv imap 1143; pre_srv pop3 1110; pre_srv ftp 2121
pre_srv postgres 5432; pre_srv postgres-refuse 5433; pre_srv mysql 3306; pre_srv proxyv1 8444
pre_srv connect 3128 4443; pre_srv socks5 1080 4443; pre_srv ldap 3389; pre_srv xmpp 5222
# TCP Fast Open in this namespace only: the second curl sends its ClientHello in the SYN
sysctl -q -w net.ipv4.tcp_fastopen=3 2>/dev/null || echo "# no TCP Fast Open sysctl"
pre_srv tfo 8445

cap_start lo "$CAP"
sclient smtp 2525; sclient smtp 2526; sclient imap 1143; sclient pop3 1110; sclient ftp 2121
sclient postgres 5432; sclient postgres 5433; sclient mysql 3306; sclient ldap 3389; sclient xmpp 5222
timeout 10 curl -s -o /dev/null --cacert "$P/root.crt" -x http://127.0.0.1:3128 \
  --resolve server.test:4443:127.0.0.1 https://server.test:4443/ || true
timeout 10 curl -s -o /dev/null --cacert "$P/root.crt" -x http://127.0.0.1:3128 \
  --resolve forbidden.server.test:4443:127.0.0.1 https://forbidden.server.test:4443/ || true
timeout 10 curl -s -o /dev/null --cacert "$P/root.crt" --socks5 127.0.0.1:1080 \
  --resolve server.test:4443:127.0.0.1 https://server.test:4443/ || true
for i in 1 2; do
  timeout 10 curl -s -o /dev/null --tcp-fastopen --cacert "$P/root.crt" \
    --resolve tfo.server.test:8445:127.0.0.1 https://tfo.server.test:8445/ || true
done
timeout 10 python3 - "$P/root.crt" <<'PY' || true
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", 8444))
s.sendall(b"PROXY TCP4 192.0.2.7 127.0.0.1 51000 8444\r\n")
ctx = ssl.create_default_context(cafile=sys.argv[1])
t = ctx.wrap_socket(s, server_hostname="server.test")
t.sendall(b"hello\n")
t.close()
PY
cap_stop

# VXLAN for real between two private namespaces
VXCAP=$W/vxlan.pcap
unshare -n sleep 120 &
NS2=$!
td_track "$NS2"
# the namespace exists once the child has unshared: its net namespace differs from ours
i=0; while [ $i -lt 200 ] && [ "$(readlink /proc/$NS2/ns/net 2>/dev/null)" = "$(readlink /proc/$$/ns/net)" ]; do
  sleep 0.02; i=$((i + 1))
done
ip link add vt0 type veth peer name vt1 && ip link set vt1 netns "$NS2" &&
  ip addr add 192.0.2.1/24 dev vt0 && ip link set vt0 up &&
  nsenter -t "$NS2" -n sh -c 'ip link set lo up && ip addr add 192.0.2.2/24 dev vt1 && ip link set vt1 up &&
    ip link add vx0 type vxlan id 42 dstport 4789 local 192.0.2.2 remote 192.0.2.1 dev vt1 &&
    ip addr add 198.51.100.2/24 dev vx0 && ip link set vx0 up' &&
  ip link add vx0 type vxlan id 42 dstport 4789 local 192.0.2.1 remote 192.0.2.2 dev vt0 &&
  ip addr add 198.51.100.1/24 dev vx0 && ip link set vx0 up || echo "# could not build the VXLAN tunnel"
nsenter -t "$NS2" -n openssl s_server -accept 4443 -www -quiet -cert "$P/server.crt" -cert_chain "$P/inter.crt" \
  -key "$S_KEY" >/dev/null 2>&1 &
td_track $!
i=0; while [ $i -lt 100 ] && ! (exec 3<>/dev/tcp/198.51.100.2/4443) 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
cap_start vt0 "$VXCAP" "udp port 4789"
timeout 10 openssl s_client -connect 198.51.100.2:4443 -servername server.test -CAfile "$P/root.crt" \
  </dev/null >/dev/null 2>&1 || true
timeout 10 openssl s_client -connect 198.51.100.2:4443 -servername server.test -CAfile "$P/inter.crt" \
  -verify_return_error -partial_chain -verify_hostname other.test </dev/null >/dev/null 2>&1 || true
cap_stop

# the same connections, without the 454/N refusals and the 403, as tshark sees them
for T in $TLSDIAGS; do
  check "$T: STARTTLS (smtp, imap, pop3, ftp), PostgreSQL and MySQL: the preamble is a step, then a whole TLS handshake" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(port=2525)["preamble"]["protocol"] == "SMTP" and conn(port=2525)["preamble"]["upgrade"] == "accepted"' \
      'types(conn(port=2525))[:5] == ["SMTP"] * 5 and "STARTTLS" in msgs(conn(port=2525), "SMTP")[3]["data"]' \
      'msgs(conn(port=2525), "SMTP")[4]["data"].startswith("220 2.0.0")' \
      'all(conn(port=p)["outcome"] == "ok" and conn(port=p)["sni"] == "server.test" for p in (2525, 1143, 1110, 2121, 5432, 3306))' \
      'conn(port=1143)["preamble"]["protocol"] == "IMAP" and conn(port=1110)["preamble"]["protocol"] == "POP3"' \
      'conn(port=2121)["preamble"]["protocol"] == "FTP" and conn(port=5432)["preamble"]["protocol"] == "PostgreSQL"' \
      'conn(port=3306)["preamble"]["protocol"] == "MySQL"' \
      '"SSLRequest" in msgs(conn(port=5432), "PostgreSQL")[0]["data"]' \
      'all(types(conn(port=p)).index("ClientHello") > 0 for p in (2525, 1143, 1110, 2121, 5432, 3306))'
  check "$T: LDAP StartTLS and XMPP STARTTLS (s_client -starttls ldap, xmpp)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(port=3389)["preamble"]["protocol"] == "LDAP" and conn(port=3389)["preamble"]["upgrade"] == "accepted"' \
      'conn(port=3389)["outcome"] == "ok" and "StartTLS" in msgs(conn(port=3389), "LDAP")[0]["data"]' \
      'conn(port=5222)["preamble"]["protocol"] == "XMPP" and conn(port=5222)["preamble"]["upgrade"] == "accepted"' \
      'conn(port=5222)["outcome"] == "ok" and types(conn(port=5222)).index("ClientHello") >= 4'
  check "$T: a refused upgrade is its own cause: SMTP 454, PostgreSQL N" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(port=2526)["outcome"] == "failed" and conn(port=2526)["cause"] == "upgrade_refused"' \
      'conn(port=2526)["confidence"] == "high" and "454" in conn(port=2526)["preamble"]["answer"]' \
      'conn(port=5433)["cause"] == "upgrade_refused" and conn(port=5433)["preamble"]["upgrade"] == "refused"' \
      'rc == 1'
  check "$T: curl through an HTTP CONNECT and a SOCKS5 proxy: the tunnel set-up is a step, the TLS inside is diagnosed; a 403 is proxy_refused" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(port=3128, sni="server.test")["preamble"]["protocol"] == "HTTP-CONNECT"' \
      'conn(port=3128, sni="server.test")["outcome"] == "ok"' \
      'msgs(conn(port=3128, sni="server.test"), "HTTP-CONNECT")[0]["data"].startswith("CONNECT server.test:4443")' \
      'conn(port=1080)["preamble"]["protocol"] == "SOCKS5" and conn(port=1080)["outcome"] == "ok"' \
      '[c for c in conns if (c["preamble"] or {}).get("upgrade") == "refused" and c["server"].endswith(":3128")][0]["cause"] == "proxy_refused"' \
      'len([c for c in conns if c["server"].endswith(":4443") and c["outcome"] == "ok"]) == 2'
  check "$T: TCP Fast Open: a ClientHello carried in the SYN is read (and agrees with tshark)" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'len([c for c in conns if c["server"].endswith(":8445") and c["outcome"] == "ok"]) == 2' \
      "$(tshark -r "$CAP" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tls.handshake.type == 1' -T fields -e frame.number 2>/dev/null | head -1) in [msgs(c, 'ClientHello')[0]['frame'] for c in conns if c['server'].endswith(':8445')]"
  check "$T: a HAProxy PROXY v1 header before the ClientHello" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      'conn(port=8444)["preamble"]["protocol"] == "PROXYv1" and conn(port=8444)["outcome"] == "ok"' \
      'msgs(conn(port=8444), "PROXYv1")[0]["data"].startswith("PROXY TCP4 192.0.2.7")'
  check "$T: text ladder: SMTP 220 ... STARTTLS, then the handshake" \
    sh -c "'$T' pcap '$CAP' | grep -A8 ':2525 ' | grep -q 'SMTP .*STARTTLS' &&
           '$T' pcap '$CAP' | grep -A8 ':2526 ' | grep -q 'server refused to start TLS'"
  check "$T: every ClientHello tshark decodes is shown, with the same first handshake types (by client port)" \
    python3 - "$T" "$CAP" <<'PY'
import collections, json, subprocess, sys
t, cap = sys.argv[1], sys.argv[2]
ts = collections.defaultdict(list)
out = subprocess.run(["tshark", "-r", cap, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.stream",
                      "-e", "tls.handshake.type", "-Y", "tls.handshake.type"], capture_output=True, text=True).stdout
for line in out.splitlines():
    sp, dp, s, types = line.split("\t")
    for x in types.split(","):
        ts[(int(s))].append((int(sp), int(dp), int(x)))
conns = [json.loads(l) for l in subprocess.run([t, "pcap", "--json", cap], capture_output=True, text=True).stdout.splitlines()]
names = {"ClientHello": 1, "ServerHello": 2, "Certificate": 11, "ServerKeyExchange": 12, "ServerHelloDone": 14,
         "ClientKeyExchange": 16}
byport = {}
for s, v in ts.items():
    cport = next((sp for sp, dp, x in v if x == 1), None)
    if cport is not None:
        byport[cport] = [x for sp, dp, x in v if x in names.values()]
bad = 0
for c in conns:
    cport = int(c["client"].rsplit(":", 1)[1])
    ours = [names[m["type"]] for m in c["messages"] if m["type"] in names and not m.get("encrypted")]
    if cport in byport and ours[:2] != byport[cport][:2]:
        print(c["server"], "tlsdiag", ours, "tshark", byport[cport])
        bad += 1
    byport.pop(cport, None)
for p, v in byport.items():
    print("tshark ClientHello from port", p, "missed by tlsdiag")
    bad += 1
sys.exit(1 if bad else 0)
PY
  check "$T: a real VXLAN tunnel between namespaces: the inner connections are diagnosed (one ok, one hostname_mismatch)" \
    python3 tests/lib/assert_json.py "$T" "$VXCAP" \
      'len(conns) == 2 and all(c["server"] == "198.51.100.2:4443" for c in conns)' \
      'conns[0]["outcome"] == "ok" and conns[0]["sni"] == "server.test"' \
      'conns[1]["outcome"] == "failed" and conns[1]["cause"] in ("hostname_mismatch", "certificate_rejected")'
  python3 tests/lib/pcaptool.py fragment "$CAP" "$W/tun-frag.pcap" 64
  for K in ipip ipip6 gre gre-eth erspan2 erspan3 vxlan geneve gtpu mpls pppoe; do
    python3 tests/lib/pcaptool.py tunnel "$CAP" "$W/tun-$K.pcap" "$K"
  done
  check "$T: the preamble capture carried in IPIP, 4in6, GRE, GRE-bridged, ERSPAN II/III, VXLAN, GENEVE, GTP-U, MPLS, PPPoE, and cut in 64-byte IP fragments sent last first: the same ladders and causes" \
    python3 - "$T" "$CAP" "$W" <<'PY'
import json, subprocess, sys
t, cap, w = sys.argv[1:4]
def view(f):
    out = subprocess.run([t, "pcap", "--json", f], capture_output=True, text=True).stdout
    return [(c["stream"], c["server"], [m["type"] for m in c["messages"]], c.get("cause")) for c in map(json.loads, out.splitlines())]
ref = view(cap)
assert len(ref) >= 10, ref
bad = 0
for k in "ipip ipip6 gre gre-eth erspan2 erspan3 vxlan geneve gtpu mpls pppoe frag".split():
    got = view("%s/tun-%s.pcap" % (w, k))
    if got != ref:
        print(k, "differs:", got[:2], "vs", ref[:2])
        bad += 1
sys.exit(1 if bad else 0)
PY
done
