#!/bin/bash
# tlsdiag probe --starttls against real servers started here (postfix SMTP,
# dovecot IMAP and POP3, PostgreSQL) and, for FTP, LDAP, XMPP and MySQL, the
# small servers of tests/lib/preamble_server.py (no light Debian server for
# them was set up in the time); each compared with openssl s_client -starttls
# on the same server (same version, and s_client's suite among those tlsdiag
# found). Refusals (SMTP 454, PostgreSQL N), hostile answers, the protocol
# inferred from the port, and --proxy (HTTP CONNECT).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
chmod 755 "$W"
PS=tests/lib/preamble_server.py
CRT=$P/server-chain.crt KEY=$P/server.key
# postfix on 127.0.0.1:2525, its own configuration and queue under $W
mkdir -p "$W/pf" "$W/pfq" "$W/pfd" && chown postfix "$W/pfd"
cat > "$W/pf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $W/pfq
data_directory = $W/pfd
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.server.test
mydestination =
local_recipient_maps =
smtpd_tls_cert_file = $CRT
smtpd_tls_key_file = $KEY
smtpd_tls_security_level = may
maillog_file = /dev/stdout
CF
sed 's/^smtp      inet.*/127.0.0.1:2525 inet n - n - - smtpd/' /etc/postfix/master.cf > "$W/pf/master.cf"
postfix -c "$W/pf" start >/dev/null 2>&1
td_track "$(cat "$W/pfq/pid/master.pid")"
# dovecot: IMAP on 1143, POP3 on 1110
mkdir -p "$W/dv/run" "$W/dv/state"
cat > "$W/dv/dovecot.conf" <<CF
protocols = imap pop3
listen = 127.0.0.1
base_dir = $W/dv/run
state_dir = $W/dv/state
log_path = $W/dv/log
ssl = yes
ssl_cert = <$CRT
ssl_key = <$KEY
passdb {
  driver = static
  args = password=x
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$W/dv
}
service anvil {
  chroot =
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = 1143
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = 1110
  }
  inet_listener pop3s {
    port = 0
  }
  chroot =
}
CF
dovecot -c "$W/dv/dovecot.conf" -F >/dev/null 2>&1 &
td_track $!
# PostgreSQL 15 on 5433, as nobody
mkdir -p "$W/pg/data" && cp "$CRT" "$KEY" "$W/pg/" && chown -R nobody:nogroup "$W/pg" && chmod 600 "$W/pg/server.key"
runuser -u nobody -- /usr/lib/postgresql/15/bin/initdb -D "$W/pg/data" -A trust >/dev/null 2>&1
runuser -u nobody -- /usr/lib/postgresql/15/bin/postgres -D "$W/pg/data" -k "$W/pg" -p 5433 -c listen_addresses=127.0.0.1 \
  -c ssl=on -c ssl_cert_file="$W/pg/server-chain.crt" -c ssl_key_file="$W/pg/server.key" >/dev/null 2>&1 &
td_track $!
# the Python servers, and a TLS server behind a CONNECT proxy
for m in "ftp 2121" "ldap 3389" "xmpp 5223" "mysql 3307" "smtp-refuse 2526" "postgres-refuse 5434" "smtp 25"; do
  python3 "$PS" ${m% *} ${m#* } "$CRT" "$KEY" >/dev/null 2>&1 &
  td_track $!
done
ossl_srv 7301 -cert "$CRT" -key "$KEY"
python3 "$PS" connect 3128 "$CRT" "$KEY" 7301 >/dev/null 2>&1 &
td_track $!
# hostile: an SMTP greeting that never ends; binary noise; a close after EHLO
python3 - <<'PY' >/dev/null 2>&1 &
import os, socket, threading
def handle(c, kind):
    try:
        if kind == "endless":
            while True: c.sendall(b"220-" + b"x" * 70 + b"\r\n")
        elif kind == "noise":
            c.sendall(os.urandom(3000))
        elif kind == "close":
            c.sendall(b"220 hi\r\n"); c.recv(100)
        elif kind in ("imap-no", "imap-bad"):
            c.sendall(b"* OK ready\r\n"); tag = c.recv(100).split(b" ")[0]
            c.sendall(b"* BYE soon\r\n" + tag + (b" NO STARTTLS disabled\r\n" if kind == "imap-no" else b" BAD what\r\n"))
            c.recv(100)
        elif kind == "ftp-530":
            c.sendall(b"220-hello\r\n220 ready\r\n"); c.recv(100); c.sendall(b"530 Please login with USER and PASS\r\n"); c.recv(100)
        elif kind == "ldap-refuse":  # ExtendedResponse, resultCode protocolError (2)
            c.recv(100); c.sendall(bytes.fromhex("300c02010178070a010204000400")); c.recv(100)
        elif kind == "ldap-huge":  # a SEQUENCE claiming 4 GiB
            c.recv(100); c.sendall(bytes.fromhex("3084ffffffff020101")); c.recv(100)
        elif kind == "mysql-nossl":  # HandshakeV10 without CLIENT_SSL
            body = b"\x0a5.7-test\x00" + b"\x07\x00\x00\x00" + b"abcdefgh\x00" + b"\xff\xf7" + b"\x21" + b"\x02\x00" + b"\x00" * 13
            c.sendall(len(body).to_bytes(3, "little") + b"\x00" + body); c.recv(100)
        elif kind == "mysql-huge":
            c.sendall(b"\xff\xff\xff\x00\x0a" + b"x" * 100); c.recv(100)
        elif kind == "pg-error":
            c.recv(100); c.sendall(b"EFATAL: unsupported frontend protocol\x00"); c.recv(100)
        elif kind == "xmpp-nostarttls":
            c.recv(1000)
            c.sendall(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' version='1.0'><stream:features>"
                      b"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:features>"); c.recv(100)
    except OSError:
        pass
    c.close()
def serve(port, kind):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c, kind), daemon=True).start()
for port, kind in ((7311, "endless"), (7312, "noise"), (7313, "close"), (7314, "imap-no"), (7315, "imap-bad"),
                   (7316, "ftp-530"), (7317, "ldap-refuse"), (7318, "ldap-huge"), (7319, "mysql-nossl"),
                   (7320, "mysql-huge"), (7321, "pg-error"), (7322, "xmpp-nostarttls")):
    threading.Thread(target=serve, args=(port, kind), daemon=True).start()
threading.Event().wait(300)
PY
td_track $!
for p in 2525 1143 1110 5433 2121 3389 5223 3307 2526 5434 25 7301 3128 $(seq 7311 7322); do wait_port $p || exit 1; done

ps() { # tlsdiag args-and-target expressions... (d, causes, msgs, rc)
  t=$1 args=$2; shift 2
  python3 - "$t" "$args" "$@" <<'PY'
import json, subprocess, sys
t, args, exprs = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
r = subprocess.run([t, "probe", "--json", "--timeout", "2000", "--sni", "server.test"] + args, capture_output=True, text=True)
d = json.loads(r.stdout); rc = r.returncode
causes = [f["cause"] for f in d["findings"]]
msgs = " | ".join(f["message"] for f in d["findings"])
bad = [e for e in exprs if not eval(e)]
if bad:
    print("FALSE:", bad, "\nrc", rc, json.dumps({k: d.get(k) for k in ("starttls", "proxy", "versions", "error", "findings")}, indent=1), r.stderr)
    sys.exit(1)
PY
}

# tlsdiag and openssl s_client -starttls on the same server: both through,
# the same highest version, s_client's suite among tlsdiag's for it.
vs_sclient() { # tlsdiag proto port
  t=$1 proto=$2 port=$3
  s=$(openssl s_client -starttls "$proto" -connect 127.0.0.1:"$port" -servername server.test </dev/null 2>/dev/null |
      sed -n 's/^New, \(TLSv1\.[0-3]\), Cipher is \(.*\)/\1 \2/p')
  [ -n "$s" ] || { echo "openssl s_client -starttls $proto did not connect"; return 1; }
  echo "s_client: $s"
  ps "$t" "--starttls $proto 127.0.0.1:$port" "d['starttls']['protocol'] == '$proto'" "d['versions'][-1] == '${s% *}'" \
    "'${s#* }' in d['suites']['${s% *}']" "d['reachable'] is True"
}

for T in $TLSDIAGS; do
  check "$T: postfix STARTTLS (220 Ready to start TLS): as openssl s_client -starttls smtp" \
    sh -c "$(declare -f ps vs_sclient); vs_sclient '$T' smtp 2525 && ps '$T' '--starttls smtp 127.0.0.1:2525' \"'Ready to start TLS' in d['starttls']['answer']\""
  check "$T: dovecot IMAP STARTTLS: as s_client -starttls imap" sh -c "$(declare -f ps vs_sclient); vs_sclient '$T' imap 1143"
  check "$T: dovecot POP3 STLS: as s_client -starttls pop3" sh -c "$(declare -f ps vs_sclient); vs_sclient '$T' pop3 1110"
  check "$T: PostgreSQL 15 SSLRequest (ssl=on): as s_client -starttls postgres" \
    sh -c "$(declare -f ps vs_sclient); vs_sclient '$T' postgres 5433"
  check "$T: FTP AUTH TLS (Python server): as s_client -starttls ftp" sh -c "$(declare -f ps vs_sclient); vs_sclient '$T' ftp 2121"
  check "$T: LDAP StartTLS (Python server): as s_client -starttls ldap" sh -c "$(declare -f ps vs_sclient); vs_sclient '$T' ldap 3389"
  check "$T: XMPP <starttls/> (Python server): as s_client -starttls xmpp" sh -c "$(declare -f ps vs_sclient); vs_sclient '$T' xmpp 5223"
  check "$T: MySQL CLIENT_SSL (Python server): as s_client -starttls mysql" sh -c "$(declare -f ps vs_sclient); vs_sclient '$T' mysql 3307"
  check "$T: SMTP 454 refusal: upgrade_refused quoting the answer, exit 1" \
    ps "$T" "--starttls smtp 127.0.0.1:2526" "causes == ['upgrade_refused']" "'454 4.7.0 TLS not available' in msgs" "rc == 1"
  check "$T: PostgreSQL N: upgrade_refused" \
    ps "$T" "--starttls postgres 127.0.0.1:5434" "causes == ['upgrade_refused']" "'N (SSL not supported' in msgs" "rc == 1"
  check "$T: the protocol inferred from the port (25: smtp); --starttls none turns it off" \
    sh -c "$(declare -f ps); ps '$T' '127.0.0.1:25' \"d['starttls']['protocol'] == 'smtp'\" \"d['versions'][-1] == 'TLSv1.3'\" &&
           ps '$T' '--starttls none 127.0.0.1:25' \"'starttls' not in d\" \"causes == ['not_tls']\""
  check "$T: hostile SMTP: an endless greeting, noise, a close after EHLO: a finding each, bounded" \
    sh -c "$(declare -f ps); ps '$T' '--starttls smtp 127.0.0.1:7311' \"causes == ['not_tls']\" \"'more than 100 lines' in msgs\" &&
           ps '$T' '--starttls smtp 127.0.0.1:7312' \"causes == ['not_tls']\" \"'does not speak smtp' in msgs\" &&
           ps '$T' '--starttls smtp 127.0.0.1:7313' \"causes == ['tcp_reset']\" \"'closed' in msgs\""
  check "$T: refusals in each protocol: IMAP NO and BAD, FTP 530, LDAP protocolError, MySQL without CLIENT_SSL, XMPP without <starttls/>" \
    sh -c "$(declare -f ps); ps '$T' '--starttls imap 127.0.0.1:7314' \"causes == ['upgrade_refused']\" \"'td1 NO STARTTLS disabled' in msgs\" &&
           ps '$T' '--starttls imap 127.0.0.1:7315' \"causes == ['upgrade_refused']\" \"'td1 BAD' in msgs\" &&
           ps '$T' '--starttls ftp 127.0.0.1:7316' \"causes == ['upgrade_refused']\" \"'530 Please login' in msgs\" &&
           ps '$T' '--starttls ldap 127.0.0.1:7317' \"causes == ['upgrade_refused']\" \"'resultCode 2 (protocolError' in msgs\" &&
           ps '$T' '--starttls mysql 127.0.0.1:7319' \"causes == ['upgrade_refused']\" \"'CLIENT_SSL' in msgs\" &&
           ps '$T' '--starttls xmpp 127.0.0.1:7322' \"causes == ['upgrade_refused']\" \"'<starttls/> not among the stream features' in msgs\""
  check "$T: hostile answers: LDAP claiming 4 GiB, a MySQL packet of 16 MiB, PostgreSQL 'E': not_tls, bounded, no crash" \
    sh -c "$(declare -f ps); ps '$T' '--starttls ldap 127.0.0.1:7318' \"causes == ['not_tls']\" \"'does not answer in LDAP' in msgs\" &&
           ps '$T' '--starttls mysql 127.0.0.1:7320' \"causes == ['not_tls']\" \"'a greeting of 16777215 bytes' in msgs\" &&
           ps '$T' '--starttls postgres 127.0.0.1:7321' \"causes == ['not_tls']\" \"'answer 0x45' in msgs\""
  check "$T: --proxy: through HTTP CONNECT to s_server; a 403 is proxy_refused" \
    sh -c "$(declare -f ps); ps '$T' '--proxy 127.0.0.1:3128 127.0.0.1:7301' \"d['proxy'] == '127.0.0.1:3128'\" \"'TLSv1.3' in d['versions']\" &&
           ps '$T' '--proxy 127.0.0.1:3128 forbidden.test:443' \"causes == ['proxy_refused']\" \"'403 Forbidden' in msgs\" 'rc == 1'"
  check "$T: usage: --starttls with an unknown protocol exits 2" \
    sh -c "'$T' probe --starttls gopher 127.0.0.1:25 2>/dev/null; [ \$? -eq 2 ]"
done
