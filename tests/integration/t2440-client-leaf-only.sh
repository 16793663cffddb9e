#!/bin/bash
# tlsdiag probe --client: the truststore the chain is judged with, by name, in the JSON (trust_store:
# --trust's file, a configured truststore, else the profile's own); and a server that sends only its leaf
# under a root the client's store lacks: incomplete_chain in words that give both possibilities (a missing
# intermediate or an unknown root) and claim no certainty. openssl s_server sends the leaf alone (no
# -cert_chain); the real curl refuses it too (curl --cacert with the other root). When another known store
# holds the issuer as a root (this machine's store, pointed at the test root with SSL_CERT_FILE): unknown_ca.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
P=$W/pki
mkdir -p "$P"
(
  cd "$P" || exit 1
  for r in root other; do
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$r.key" -subj "/CN=Leaf Test $r" -days 3650 \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out "$r.crt" 2>/dev/null
  done
  openssl req -new -newkey rsa:2048 -nodes -keyout inter.key -subj "/CN=Leaf Test Intermediate" -out inter.csr 2>/dev/null
  printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >inter.ext
  openssl x509 -req -in inter.csr -CA root.crt -CAkey root.key -CAcreateserial -days 3650 -extfile inter.ext \
    -out inter.crt 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' >leaf.ext
  for ca in root inter; do # a leaf the root signs itself, and one under the intermediate
    openssl req -new -newkey rsa:2048 -nodes -keyout "by$ca.key" -subj /CN=localhost -out "by$ca.csr" 2>/dev/null
    openssl x509 -req -in "by$ca.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 200 -extfile leaf.ext \
      -out "by$ca.crt" 2>/dev/null
  done
  keytool -importcert -noprompt -alias other -file other.crt -keystore other.jks -storepass changeit >/dev/null 2>&1
)
ossl_srv 7401 -cert "$P/byroot.crt" -key "$P/byroot.key"   # the leaf only, issued by the root
ossl_srv 7402 -cert "$P/byinter.crt" -key "$P/byinter.key" # the leaf only, its intermediate left out

field() { # json-line key
  python3 -c "import json,sys; d=json.loads(sys.stdin.readline()); print(d[sys.argv[1]])" "$1"
}

both_possibilities() { # tlsdiag port
  out=$("$1" probe --client curl --trust "$P/other.crt" --json "localhost:$2")
  c=$(printf '%s\n' "$out" | field cause) w=$(printf '%s\n' "$out" | field why) f=$(printf '%s\n' "$out" | field fix)
  conf=$(printf '%s\n' "$out" | field confidence)
  echo "cause $c; confidence $conf; why: $w; fix: $f"
  [ "$c" = incomplete_chain ] && [ "$conf" = medium ] &&
    printf '%s' "$w" | grep -q 'a missing intermediate and a root this client lacks look alike (medium confidence: either is possible)' &&
    printf '%s' "$f" | grep -q 'Send the intermediate after the leaf' && printf '%s' "$f" | grep -q 'if it is a root, add' &&
    ! printf '%s' "$w" | grep -qi 'high' &&
    ! timeout 10 curl -s --max-time 5 --cacert "$P/other.crt" -o /dev/null "https://localhost:$2/"
}

for T in $TLSDIAGS; do
  check "$T: leaf only, issued by a root the store lacks: incomplete_chain, both possibilities, not certain; curl fails" \
    both_possibilities "$T" 7401
  check "$T: leaf only, its intermediate left out: the same words (the bytes cannot tell the two apart)" \
    both_possibilities "$T" 7402
  check "$T: leaf only, its issuer a root of another known store (this machine's, SSL_CERT_FILE here): unknown_ca for this client" \
    sh -c "out=\$(SSL_CERT_FILE=$P/root.crt $T probe --client curl --trust $P/other.crt localhost:7401); echo \"\$out\"
      printf '%s' \"\$out\" | grep -q 'fails .* unknown_ca: .*the issuer is a root of the store SSL_CERT_FILE names ($P/root.crt)' &&
      printf '%s' \"\$out\" | grep -q 'fix: Add that root to the truststore $P/other.crt (--trust)'"
  check "$T: leaf only, issued by the root the store holds: curl connects, as the real curl" \
    sh -c "[ \"\$($T probe --client curl --trust $P/root.crt --json localhost:7401 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"connects\"])')\" = True ] &&
      curl -s --max-time 5 --cacert $P/root.crt -o /dev/null https://localhost:7401/"
  check "$T: --json trust_store names the --trust file used, not the profile's store" \
    sh -c "[ \"\$($T probe --client curl --trust $P/other.crt --json localhost:7401 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"trust_store\"])')\" = 'the truststore $P/other.crt (--trust)' ]"
  check "$T: --json confidence: null (not assessed) when the chain verifies" \
    sh -c "[ \"\$($T probe --client curl --trust $P/root.crt --json localhost:7401 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"confidence\"])')\" = None ]"
  check "$T: --json trust_store without --trust: the profile's own store" \
    sh -c "[ \"\$($T probe --client curl --json localhost:7401 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"trust_store\"])')\" = 'the OS store (/etc/ssl/certs/ca-certificates.crt)' ]"
  check "$T: --client all --trust --json: every profile's trust_store names the --trust file" \
    sh -c "$T probe --client all --trust $P/root.crt --json localhost:7401 | python3 -c '
import json,sys
s={json.loads(l)[\"trust_store\"] for l in sys.stdin}
assert s=={\"the truststore $P/root.crt (--trust)\"}, s'"
  check "$T: --client-config --json: trust_store names the configured truststore, its file and line" \
    sh -c "printf 'javax.net.ssl.trustStore=$P/other.jks\n' >$W/other.properties
      [ \"\$($T probe --client-config $W/other.properties --json localhost:7402 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"trust_store\"])')\" = \"the truststore $P/other.jks (\\\`$W/other.properties\\\` line 1)\" ]"
done
