#!/bin/bash
# tlsdiag probe --client-config: the client an Apigee TargetEndpoint or Message
# Processor properties file makes (on the java8 profile) is probed against a
# backend; each failure names the file, line and element and the change. The
# real client (OpenJDK 17 given the same settings as system properties) agrees;
# and with the change made as tlsdiag says, both tlsdiag and the real client
# connect.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
D=tests/data/config/client
(
  cd "$W" || exit 1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout lh.key -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -days 30 -out lh.crt 2>/dev/null
)
ossl_srv 7201 -cert "$W/lh.crt" -key "$W/lh.key" -tls1_2 -cipher 'ECDHE+AESGCM' # TLS 1.2, ECDHE only
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:7202 ssl default_server; ssl_reject_handshake on; }
  server { listen 127.0.0.1:7202 ssl; server_name localhost;
           ssl_certificate $W/lh.crt; ssl_certificate_key $W/lh.key; return 200 "ok\n"; }
NGINX
wait_port 7202

# tlsdiag's answer as JSON, then python expressions on it (d).
pc() { # tlsdiag port file expr...
  t=$1 port=$2 file=$3; shift 3
  "$t" probe --trust $W/lh.crt --client-config "$file" --json "localhost:$port" > "$W/out.json"; echo "rc=$?" >> "$W/out.json"
  python3 - "$W/out.json" "$file" "$@" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
d, rc, path = json.loads(lines[0]), int(lines[1][3:]), sys.argv[2]
def at(text):
    return next(n for n, l in enumerate(open(path), 1) if text in l)
ok = True
for e in sys.argv[3:]:
    if not eval(e):
        ok = False
        print("false:", e)
if not ok:
    print(d, "rc", rc)
sys.exit(0 if ok else 1)
PY
}

java_fails() { # port sni(- or name) -Dprops...: the real client's handshake fails
  port=$1 sni=$2; shift 2
  ! timeout 20 java "$@" tests/lib/TlsClient.java localhost "$port" "$sni" "$W/lh.crt" >/dev/null 2>&1
}
java_connects() { ! java_fails "$@"; }

# The change tlsdiag names, made: the element in the file replaced by the one in the change.
apply_change() { # tlsdiag port file -> the changed file's path
  "$1" probe --trust $W/lh.crt --client-config "$3" --json "localhost:$2" | python3 -c "
import json, re, sys
d = json.loads(sys.stdin.readline())
new = re.search(r'\`([^\`]*)\`', d['change']).group(1)
src = open(sys.argv[1]).read()
if d['change'].startswith('add'):
    src = src.replace(d['element'], d['element'] + new, 1)
else:
    src = src.replace(d['element'], new, 1)
open(sys.argv[2], 'w').write(src)" "$3" "$W/fixed-$(basename "$3")"
  echo "$W/fixed-$(basename "$3")"
}

fixed_connects() { # tlsdiag port file text-the-fixed-file-holds
  g=$(apply_change "$1" "$2" "$3") && grep -qF "$4" "$g" && "$1" probe --trust $W/lh.crt --client-config "$g" "localhost:$2"
}
suite_added_java() { # tlsdiag port file
  g=$(apply_change "$1" "$2" "$3") || return 1
  s=$(sed -n 's/.*<Cipher>\(TLS_ECDHE[A-Z0-9_]*\)<.*/\1/p' "$g")
  [ -n "$s" ] && java_connects "$2" - -Djdk.tls.client.protocols=TLSv1.2 "-Djdk.tls.client.cipherSuites=TLS_RSA_WITH_AES_128_CBC_SHA,$s"
}

for T in $TLSDIAGS; do
  F=$D/te-tls11.xml
  check "$T: TargetEndpoint <Protocol>TLSv1.1</Protocol> against a TLS 1.2 backend: named with its line, replace with TLSv1.2" \
    pc "$T" 7201 $F "rc == 1" "d['cause'] == 'protocol_mismatch'" "d['line'] == at('<Protocol>TLSv1.1')" \
      "d['element'] == '<Protocol>TLSv1.1</Protocol>'" "d['change'] == 'replace with \`<Protocol>TLSv1.2</Protocol>\`'" \
      "'accepts only TLSv1.2' in d['message']"
  check "$T: ... and OpenJDK 17 held to TLSv1.1 fails too" java_fails 7201 - -Djdk.tls.client.protocols=TLSv1.1
  check "$T: ... with the change made, tlsdiag connects" fixed_connects "$T" 7201 $F '<Protocol>TLSv1.2</Protocol>'
  check "$T: ... and so does OpenJDK 17 held to TLSv1.2" java_connects 7201 - -Djdk.tls.client.protocols=TLSv1.2
  F=$D/te-rsa-cipher.xml
  check "$T: TargetEndpoint with only an RSA-key-exchange <Cipher> against an ECDHE backend: add the backend's suite" \
    pc "$T" 7201 $F "rc == 1" "d['cause'] == 'cipher_mismatch'" "d['line'] == at('<Cipher>')" \
      "d['change'].startswith('add \`<Cipher>TLS_ECDHE_RSA_WITH_AES_')" "'_GCM_' in d['change']"
  check "$T: ... and OpenJDK 17 with that one suite fails too" \
    java_fails 7201 - -Djdk.tls.client.protocols=TLSv1.2 -Djdk.tls.client.cipherSuites=TLS_RSA_WITH_AES_128_CBC_SHA
  check "$T: ... with the suite added, tlsdiag connects" fixed_connects "$T" 7201 $F '<Cipher>TLS_ECDHE_RSA_WITH_AES_'
  check "$T: ... and so does OpenJDK 17 with the two suites" suite_added_java "$T" 7201 $F
  F=$D/mp-sni-off.properties
  check "$T: message-processor.properties with SNI off against a backend that requires SNI: the properties line" \
    pc "$T" 7202 $F "rc == 1" "d['cause'] == 'sni_required'" "d['line'] == at('enableSNIExtension')" \
      "d['change'] == 'write \`conf_system_jsse.enableSNIExtension=true\`'"
  check "$T: ... and OpenJDK 17 sending no SNI fails too" java_fails 7202 -
  check "$T: a configuration that works: connects, exit 0" \
    sh -c "'$T' probe --trust $W/lh.crt --client-config tests/data/config/targets/good.xml localhost:7201 | grep -q 'connects: TLSv1.2'"
  check "$T: --client-config with an unreadable file: exit 2 naming it" \
    sh -c "'$T' probe --trust $W/lh.crt --client-config '$W/nope.xml' localhost:7201 2>'$W/err'; [ \$? = 2 ] && grep -q 'nope.xml' '$W/err'"
done
