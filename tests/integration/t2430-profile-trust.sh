#!/bin/bash
# tlsdiag probe --client: the chain judged with each client's truststore and
# certificate rules. Servers send a chain from a test root; the truststore
# given (--trust: a PEM bundle, or a JKS made with keytool) holds that root or
# another one. For each, tlsdiag's prediction and the real client's outcome agree:
#   java17       OpenJDK 17 with -Djavax.net.ssl.trustStore=the JKS (TrustClient.java)
#   curl         curl --cacert
#   python-3.12  ssl.create_default_context(cafile=)
#   node-20      tls.connect({ca})
#   openssl-3.0  s_client -CAfile -verify_return_error -verify_hostname
#   go-1.21      a Go client built here (Debian's Go 1.19: the SHA-1 and CN rules are those of 1.18 and 1.15)
# A SHA-1 signed leaf (refused by OpenSSL 3 clients and Go, accepted by Java with a private root) and a
# leaf without subjectAltName (Go refuses it, the others match the CN). Each profile's own signature_algorithms:
# a server that signs only with rsa_pkcs1_sha1 (OpenSSL 3 clients offer no SHA-1 scheme; Java 17 and Go do).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
P=$W/pki
mkdir -p "$P" "$P/other"
(
  cd "$P" || exit 1
  ca() { # dir subject
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/root.key" -subj "$2" -days 3650 \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out "$1/root.crt" 2>/dev/null
  }
  ca . "/CN=Trust Test Root"
  ca other "/CN=Trust Other Root"
  openssl req -new -newkey rsa:2048 -nodes -keyout inter.key -subj "/CN=Trust Test Intermediate" -out inter.csr 2>/dev/null
  printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >inter.ext
  openssl x509 -req -in inter.csr -CA root.crt -CAkey root.key -CAcreateserial -days 3650 -extfile inter.ext \
    -out inter.crt 2>/dev/null
  leaf() { # name digest extensions
    openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj /CN=localhost -out "$1.csr" 2>/dev/null
    printf '%b\n' "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA inter.crt -CAkey inter.key -CAcreateserial -days 200 "-$2" -extfile "$1.ext" \
      -out "$1.crt" 2>/dev/null
  }
  leaf good sha256 "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth"
  leaf sha1 sha1 "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth"
  leaf cnonly sha256 "extendedKeyUsage=serverAuth"
  for s in root other/root; do
    keytool -importcert -noprompt -alias root -file "$s.crt" -keystore "${s%root}trust.jks" -storepass changeit \
      >/dev/null 2>&1
  done
)
# The server's own security level would refuse its SHA-1 certificate: level 0 for all three.
for s in 7301:good 7302:sha1 7303:cnonly; do
  ossl_srv "${s%%:*}" -cert "$P/${s#*:}.crt" -key "$P/${s#*:}.key" -cert_chain "$P/inter.crt" -cipher 'DEFAULT:@SECLEVEL=0'
done
# A TLS 1.2 server that signs its key exchange with rsa_pkcs1_sha1 only: the profiles' own signature_algorithms.
ossl_srv 7304 -cert "$P/good.crt" -key "$P/good.key" -cert_chain "$P/inter.crt" -tls1_2 -sigalgs RSA+SHA1 \
  -cipher 'ECDHE+AESGCM:@SECLEVEL=0'
GOC=$W/go_tls_client
GOCACHE=$W/gocache GOPATH=$W/gopath GO111MODULE=off go build -o "$GOC" tests/lib/go/tls_client.go ||
  echo "go build failed" >&2

store() { # profile trusted|other -> the file given to the client (JKS for Java, PEM for the rest)
  d=$P; [ "$2" = other ] && d=$P/other
  case $1 in java*) echo "$d/trust.jks" ;; *) echo "$d/root.crt" ;; esac
}

real() { # profile port store -> 0 when the real client completes the handshake
  case $1 in
    java17) timeout 20 java "-Djavax.net.ssl.trustStore=$3" -Djavax.net.ssl.trustStorePassword=changeit \
      tests/lib/TrustClient.java localhost "$2" localhost >/dev/null 2>&1 ;;
    curl) timeout 10 curl -s --max-time 5 --cacert "$3" -o /dev/null "https://localhost:$2/" ;;
    python-3.12) timeout 10 python3 tests/lib/tls_client.py localhost "$2" localhost "$3" >/dev/null 2>&1 ;;
    node-20) timeout 10 node tests/lib/tls_client.js localhost "$2" localhost "$3" >/dev/null 2>&1 ;;
    openssl-3.0) timeout 10 openssl s_client -connect "localhost:$2" -servername localhost -CAfile "$3" \
      -verify_return_error -verify_hostname localhost </dev/null >/dev/null 2>&1 ;;
    go-1.21) timeout 10 "$GOC" localhost "$2" localhost "$3" >/dev/null 2>&1 ;;
  esac
}

predict() { # tlsdiag profile port store -> "connects" or the cause
  "$1" probe --client "$2" --trust "$4" --json "localhost:$3" | python3 -c \
    "import json,sys; d=json.loads(sys.stdin.readline()); print('connects' if d['connects'] else d['cause'])"
}

agree() { # tlsdiag profile port trusted|other expected-prediction
  s=$(store "$2" "$4")
  p=$(predict "$1" "$2" "$3" "$s")
  if real "$2" "$3" "$s"; then r=connects; else r=fails; fi
  echo "tlsdiag: $p (expected $5); real $2 client: $r"
  [ "$p" = "$5" ] || return 1
  [ "$p" = connects ] && [ "$r" = connects ] && return 0
  [ "$p" != connects ] && [ "$r" = fails ]
}

for T in $TLSDIAGS; do
  for prof in java17 curl python-3.12 node-20 openssl-3.0 go-1.21; do
    check "$T: chain to a root the truststore holds: $prof connects, as the real client" agree "$T" $prof 7301 trusted connects
    check "$T: chain to a root the truststore lacks: $prof fails with unknown_ca, as the real client" \
      agree "$T" $prof 7301 other unknown_ca
  done
  for prof in curl python-3.12 node-20 openssl-3.0 go-1.21; do
    check "$T: SHA-1 signed leaf: $prof fails with weak_signature, as the real client" agree "$T" $prof 7302 trusted weak_signature
  done
  check "$T: SHA-1 signed leaf, private root: java17 connects (SHA1 jdkCA only), as the real client" \
    agree "$T" java17 7302 trusted connects
  for prof in java17 curl python-3.12 node-20 openssl-3.0; do
    check "$T: leaf without subjectAltName: $prof matches the CN and connects, as the real client" \
      agree "$T" $prof 7303 trusted connects
  done
  check "$T: leaf without subjectAltName: go-1.21 fails with hostname_mismatch, as the real Go client" \
    agree "$T" go-1.21 7303 trusted hostname_mismatch
  for prof in curl python-3.12 node-20 openssl-3.0; do
    check "$T: server signing with SHA-1 only: $prof (no SHA-1 scheme offered) fails with signature_mismatch, as the real client" \
      agree "$T" $prof 7304 trusted signature_mismatch
  done
  for prof in java17 go-1.21; do
    check "$T: server signing with SHA-1 only: $prof (offers rsa_pkcs1_sha1) connects, as the real client" \
      agree "$T" $prof 7304 trusted connects
  done
  check "$T: unknown root: the text names the root, the store and keytool for java17" \
    sh -c "$T probe --client java17 --trust $P/other/trust.jks localhost:7301 | grep -q 'unknown_ca: the handshake completes, but the chain fails: Trust Test Intermediate is issued by Trust Test Root, which is neither in the chain the server sends nor in the truststore $P/other/trust.jks (--trust)'"
  check "$T: --client all, the root trusted: 19 of 19 connect, one chain fetch per SNI variant" \
    sh -c "$T probe --client all --trust $P/root.crt localhost:7301 | grep -q '^19 of 19 clients connect (21 connections'"
  check "$T: --client all, the root lacking: every profile fails with unknown_ca, exit 1" \
    sh -c "out=\$($T probe --client all --trust $P/other/root.crt localhost:7301); [ \$? = 1 ] && [ \$(printf '%s\n' \"\$out\" | grep -c ' fails .* unknown_ca: ') = 19 ]"
  check "$T: --client all --json, CN-only leaf: go, chrome and firefox fail with hostname_mismatch, the rest connect" \
    sh -c "$T probe --client all --json --trust $P/root.crt localhost:7303 | python3 -c \"import json,sys
bad = sorted(d['client'] for d in map(json.loads, sys.stdin) if not d['connects'] and d['cause'] == 'hostname_mismatch')
assert bad == ['chrome', 'firefox', 'go-1.21', 'go-1.22', 'go-1.24'], bad\""
  check "$T: --client-config system.properties naming javax.net.ssl.trustStore: that store judges the chain" \
    sh -c "printf 'javax.net.ssl.trustStore=$P/other/trust.jks\n' >$W/other.properties; printf 'javax.net.ssl.trustStore=$P/trust.jks\n' >$W/good.properties
      $T probe --client-config $W/other.properties localhost:7301 >$W/other.out; grep -q 'fails: unknown_ca' $W/other.out &&
      $T probe --client-config $W/good.properties localhost:7301 | grep -q connects"
  check "$T: --client-config: the chain refused: the truststore's file, line and setting, and the keytool import" \
    sh -c "grep -qF '\`$W/other.properties\` line 1 \`javax.net.ssl.trustStore=$P/other/trust.jks\`: this truststore does not accept the backend'\''s chain: import the backend'\''s root into \`$P/other/trust.jks\` (keytool -importcert' $W/other.out"
  check "$T: --trust with a file holding no certificate: exit 2" \
    sh -c "echo junk >$W/junk.pem; $T probe --client curl --trust $W/junk.pem localhost:7301 >/dev/null 2>&1; [ \$? = 2 ]"
done
