#!/bin/bash
# tlsdiag probe --client: against servers configured as the playbook's backends
# (TLS 1.0 only, TLS 1.3 only, AES-256 only, ChaCha20 only, RSA key exchange
# only, SNI required), each profile that a real client here can play is
# predicted by tlsdiag, then the real client connects: the two must agree.
#   openssl-3.0  openssl s_client (this machine's OpenSSL 3.0)
#   curl         curl (this machine's, on OpenSSL 3.0)
#   python-3.12  Python's ssl.create_default_context (3.10+ share its defaults)
#   node-20      Node's tls module
#   java17       OpenJDK 17 (TlsClient.java; for "localhost", a dot-less name, Java sends no SNI)
#   java8, java8-limited  OpenJDK 17 restricted as those would be: -Djdk.tls.client.protocols=TLSv1.2
#                and -Djdk.tls.client.cipherSuites set to the profile's list
# Then --client all on one server: wall time and connections, next to
# testssl.sh's client simulation (-c) on the same server.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
R=$PWD
(
  cd "$W" || exit 1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout lh.key -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -days 30 -out lh.crt 2>/dev/null
)
K="-cert $W/lh.crt -key $W/lh.key"
ossl_srv 7101 $K -tls1 -cipher 'ALL:@SECLEVEL=0'                                     # TLS 1.0 only
ossl_srv 7102 $K -tls1_3                                                             # TLS 1.3 only
ossl_srv 7103 $K -cipher 'AES256:!aNULL' -ciphersuites TLS_AES_256_GCM_SHA384        # AES-256 only
ossl_srv 7104 $K -cipher 'ECDHE+CHACHA20' -ciphersuites TLS_CHACHA20_POLY1305_SHA256 # ChaCha20 only
ossl_srv 7105 $K -tls1_2 -cipher kRSA                                                # RSA key exchange only
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:7106 ssl default_server; ssl_reject_handshake on; }
  server { listen 127.0.0.1:7106 ssl; server_name localhost;
           ssl_certificate $W/lh.crt; ssl_certificate_key $W/lh.key; return 200 "ok\n"; }
NGINX
wait_port 7106
SERVERS="7101:tls10-only 7102:tls13-only 7103:aes256-only 7104:chacha20-only 7105:rsa-kex-only 7106:sni-required"

# The profile's suites, comma-separated, as tlsdiag's table gives them (--client list --json).
java_suites() { # profile
  "${TLSDIAGS%% *}" probe --client list --json | python3 -c "import json,sys
for l in sys.stdin:
    d = json.loads(l)
    if d['client'] == sys.argv[1]: print(','.join(d['suites']))" "$1"
}

real() { # profile port -> 0 when the real client completes the handshake
  case $1 in
    openssl-3.0) out=$(timeout 10 openssl s_client -connect localhost:$2 -servername localhost </dev/null 2>&1)
      [ $? = 0 ] && printf '%s' "$out" | grep -q 'Cipher is ' && ! printf '%s' "$out" | grep -q 'Cipher is (NONE)' ;;
    curl) timeout 10 curl -sk --max-time 5 -o /dev/null "https://localhost:$2/" ;;
    python-3.12) timeout 10 python3 tests/lib/tls_client.py localhost "$2" localhost "$W/lh.crt" >/dev/null 2>&1 ;;
    node-20) timeout 10 node tests/lib/tls_client.js localhost "$2" localhost "$W/lh.crt" >/dev/null 2>&1 ;;
    java17) timeout 20 java tests/lib/TlsClient.java localhost "$2" - "$W/lh.crt" >/dev/null 2>&1 ;;
    java8 | java8-limited) timeout 20 java -Djdk.tls.client.protocols=TLSv1.2 "-Djdk.tls.client.cipherSuites=$(java_suites "$1")" \
      tests/lib/TlsClient.java localhost "$2" - "$W/lh.crt" >/dev/null 2>&1 ;;
  esac
}

predict() { # tlsdiag profile port -> "connects" or the cause
  "$1" probe --trust $W/lh.crt --client "$2" --json "localhost:$3" | python3 -c \
    "import json,sys; d=json.loads(sys.stdin.readline()); print('connects' if d['connects'] else d['cause'])"
}

agree() { # tlsdiag profile port
  case $2 in java8*) [ -n "$(java_suites "$2")" ] || { echo "no suite list for $2"; return 1; } ;; esac
  p=$(predict "$1" "$2" "$3")
  if real "$2" "$3"; then r=connects; else r=fails; fi
  echo "tlsdiag: $p; real $2 client: $r"
  [ "$p" = connects ] && [ "$r" = connects ] && return 0
  [ "$p" != connects ] && [ "$r" = fails ]
}

cause_is() { # tlsdiag profile port cause
  p=$(predict "$1" "$2" "$3"); echo "tlsdiag: $p"; [ "$p" = "$4" ]
}

export HOME=$W/home
mkdir -p "$HOME"
# matrix_page T PORT: --client all --html, opened in headless Chromium (nothing reachable): the DOM's
# table has one row per profile of --client list --json, each failing row the cause slug the text gives
# that profile, the connecting rows none; no script element; the text beside the page unchanged.
matrix_page() {
  "$1" probe --trust $W/lh.crt --client all --html "$W/m$2.html" "localhost:$2" >"$W/m$2.txt"
  [ $? = 1 ] || { echo "exit status not 1"; return 1; }
  "$1" probe --trust $W/lh.crt --client all "localhost:$2" | grep -v ' connections, ' | cmp - <(grep -v ' connections, ' "$W/m$2.txt") ||
    { echo "the text differs with --html"; return 1; }
  timeout 120 chromium --headless=new --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --disable-extensions --no-first-run --user-data-dir="$W/chrome" \
    --host-resolver-rules='MAP * ~NOTFOUND' --dump-dom "file://$W/m$2.html" >"$W/m$2.dom" 2>"$W/m$2.log" ||
    { tail "$W/m$2.log"; return 1; }
  "$1" probe --client list --json >"$W/list.json"
  python3 - "$W/m$2.dom" "$W/list.json" "$W/m$2.txt" "$W/m$2.html" <<'PY'
import html, json, re, sys
dom, raw = open(sys.argv[1]).read(), open(sys.argv[4]).read()
profiles = [json.loads(l)["client"] for l in open(sys.argv[2]) if l.strip()]
text = {}
for l in open(sys.argv[3]):
    m = re.match(r"(\S+)\s+(connects|fails)\s+\S+\s+(\S+?):?\s", l)
    if m:
        text[m.group(1)] = m.group(3) if m.group(2) == "fails" else None
assert "<script" not in dom.lower() and "<script" not in raw.lower(), "a script element"
assert "Content-Security-Policy" in raw and "default-src 'none'" in raw, "no CSP"
rows = re.findall(r'<tr class="client"><td class="mono">(.*?)</td><td class="(good|bad)">(connects|fails)</td>'
                  r'<td class="slug">(.*?)</td>', dom)
names = [html.unescape(r[0]) for r in rows]
assert names == profiles, "rows %s, profiles %s" % (names, profiles)
assert set(text) == set(profiles), "text lines %s" % sorted(text)
for name, _, result, slug in rows:
    want = text[html.unescape(name)]
    got = html.unescape(slug) if result == "fails" else None
    assert got == want, "%s: page %r, text %r" % (name, got, want)
fails = sum(1 for r in rows if r[2] == "fails")
assert fails > 0, "no failing row"
print("%d rows, %d failing" % (len(rows), fails))
PY
}

for T in $TLSDIAGS; do
  check "$T: TLS 1.0-only server: --client all --html: a row per profile, the text's causes, no script" matrix_page "$T" 7101
  check "$T: RSA-key-exchange-only server: --client all --html: a row per profile, the text's causes" matrix_page "$T" 7105
  check "$T: --client list --html: exit 2, no file" \
    sh -c "$T probe --client list --html $W/none.html >/dev/null 2>&1; [ \$? = 2 ] && [ ! -e $W/none.html ]"
  for s in $SERVERS; do
    port=${s%%:*} name=${s#*:}
    for prof in openssl-3.0 curl python-3.12 node-20 java17 java8 java8-limited; do
      check "$T: $name server: --client $prof predicts what the real $prof client does" agree "$T" "$prof" "$port"
    done
  done
  check "$T: TLS 1.3-only server: java8 fails with protocol_mismatch" cause_is "$T" java8 7102 protocol_mismatch
  check "$T: TLS 1.0-only server: openssl-3.0 fails with protocol_mismatch" cause_is "$T" openssl-3.0 7101 protocol_mismatch
  check "$T: RSA-key-exchange-only server: go-1.22 fails with cipher_mismatch" cause_is "$T" go-1.22 7105 cipher_mismatch
  check "$T: RSA-key-exchange-only server: python-3.12 fails with cipher_mismatch" cause_is "$T" python-3.12 7105 cipher_mismatch
  check "$T: RSA-key-exchange-only server: go-1.21 connects" cause_is "$T" go-1.21 7105 connects
  check "$T: AES-256-only server: java8-limited fails with cipher_mismatch, java8 connects" \
    sh -c "[ \"\$($T probe --trust $W/lh.crt --client java8-limited --json localhost:7103 | grep -o '\"cause\":\"[a-z_]*\"')\" = '\"cause\":\"cipher_mismatch\"' ] && $T probe --trust $W/lh.crt --client java8 localhost:7103 >/dev/null"
  check "$T: ChaCha20-only server: windows-schannel-2012r2 fails with cipher_mismatch" cause_is "$T" windows-schannel-2012r2 7104 cipher_mismatch
  check "$T: SNI-required server: java17 to the dot-less 'localhost' fails with sni_required, and says so" \
    sh -c "$T probe --trust $W/lh.crt --client java17 localhost:7106 | grep -q 'sni_required: the server refuses clients that send no server_name'"
  check "$T: --client all: one line per profile, exit 1 when one fails, the totals line" \
    sh -c "out=\$($T probe --trust $W/lh.crt --client all localhost:7105); rc=\$?; [ \$rc = 1 ] && [ \$(printf '%s\n' \"\$out\" | grep -cE ' (connects|fails) ') = 19 ] && printf '%s\n' \"\$out\" | grep -q '^16 of 19 clients connect'"
  check "$T: --client with an unknown profile: exit 2" sh -c "$T probe --trust $W/lh.crt --client java7 localhost:7105 >/dev/null 2>&1; [ \$? = 2 ]"
done

# Measured: --client all on the RSA-key-exchange-only server, next to testssl.sh's client simulation
# (figures only, not checks; left out when a CASE filter is given).
[ -n "${TD_CASE:-}" ] && exit 0
T=${TLSDIAGS%% *}
t0=$(date +%s.%N)
line=$("$T" probe --trust $W/lh.crt --client all localhost:7105 | tail -1)
t1=$(date +%s.%N)
echo "# measured: tlsdiag probe --client all: $(python3 -c "print(round($t1 - $t0, 2))") s wall; $line"
if command -v testssl >/dev/null 2>&1 || command -v testssl.sh >/dev/null 2>&1; then
  ts=$(command -v testssl || command -v testssl.sh)
  t0=$(date +%s.%N)
  n=$(timeout 300 "$ts" --quiet --color 0 -c localhost:7105 2>/dev/null | grep -cE 'TLSv1|No connection|SSLv')
  t1=$(date +%s.%N)
  echo "# measured: testssl.sh -c (client simulation): $(python3 -c "print(round($t1 - $t0, 2))") s wall, $n client lines"
fi
