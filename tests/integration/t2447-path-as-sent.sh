#!/bin/bash
# tlsdiag probe --client: an expired cross-signed root on old clients (issue 18; the DST Root CA X3 expiry of
# 2021). The server sends leaf, intermediate and a cross-signed copy of its root (the root's name and key,
# signed by an older root that has expired). A client that searches its store first (OpenSSL 1.1.0 and later:
# curl, s_client here) stops at the root it trusts and connects; OpenSSL 1.0.2 follows the chain as sent to the
# expired old root and fails (openssl.org blog, 2021-09-13). No OpenSSL 1.0.2 in Debian 12, so its row is the
# prediction from that source, and the real clients here check the rows of the stacks we have.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
P=$W/pki
mkdir -p "$P"
(
  cd "$P" || exit 1
  pki_ca_cnf "$P"
  printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' >ca.ext
  # the old root, expired in 2021, and the new root (self-signed, valid)
  openssl req -new -newkey rsa:2048 -nodes -keyout old.key -subj "/CN=Cross Test Old Root" -out old.csr 2>/dev/null
  openssl ca -batch -selfsign -config ca/ca.cnf -keyfile old.key -in old.csr -startdate 20110101000000Z \
    -enddate 20210930000000Z -extfile ca.ext -out old.crt -notext >/dev/null 2>&1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout new.key -subj "/CN=Cross Test New Root" -days 3650 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out new.crt 2>/dev/null
  # the new root's name and key, signed by the old root (valid itself, as ISRG Root X1's cross-sign was until 2024)
  openssl req -new -key new.key -subj "/CN=Cross Test New Root" -out cross.csr 2>/dev/null
  openssl ca -batch -config ca/ca.cnf -cert old.crt -keyfile old.key -in cross.csr -startdate 20200101000000Z \
    -enddate 20990101000000Z -extfile ca.ext -out cross.crt -notext >/dev/null 2>&1
  openssl req -new -newkey rsa:2048 -nodes -keyout inter.key -subj "/CN=Cross Test Intermediate" -out inter.csr 2>/dev/null
  printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >inter.ext
  openssl x509 -req -in inter.csr -CA new.crt -CAkey new.key -CAcreateserial -days 3650 -extfile inter.ext \
    -out inter.crt 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' >leaf.ext
  openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key -subj /CN=localhost -out leaf.csr 2>/dev/null
  openssl x509 -req -in leaf.csr -CA inter.crt -CAkey inter.key -CAcreateserial -days 200 -extfile leaf.ext \
    -out leaf.crt 2>/dev/null
  cat inter.crt cross.crt >sent-chain.crt
  cat old.crt new.crt >store.crt # an old client's store: both roots
)
ossl_srv 7471 -cert "$P/leaf.crt" -key "$P/leaf.key" -cert_chain "$P/sent-chain.crt"
ossl_srv 7472 -cert "$P/leaf.crt" -key "$P/leaf.key" -cert_chain "$P/inter.crt"

row() { # tlsdiag profile port: "connects cause" of the --json row
  "$1" probe --client "$2" --trust "$P/store.crt" --json "localhost:$3" |
    python3 -c "import json,sys; d=json.loads(sys.stdin.readline()); print(d['connects'], d['cause'], d['why'])"
}

old_client_fails() {
  out=$(row "$1" openssl-1.0.2 7471); echo "$out"
  case "$out" in 'False expired_cert '*'cross-signed by'*'Cross Test Old Root'*'follows the chain as sent'*) ;; *) return 1;; esac
}

new_clients_connect() {
  out=$(row "$1" openssl-3.0 7471; row "$1" curl 7471); echo "$out"
  [ "$(printf '%s\n' "$out" | grep -c '^True None')" = 2 ] &&
    echo | openssl s_client -connect localhost:7471 -CAfile "$P/store.crt" -verify_return_error -servername localhost \
      >/dev/null 2>&1 &&
    curl -s --max-time 5 --cacert "$P/store.crt" -o /dev/null https://localhost:7471/
}

without_cross_connects() {
  out=$(row "$1" openssl-1.0.2 7472); echo "$out"
  case "$out" in 'True None'*) ;; *) return 1;; esac
}

for T in $TLSDIAGS; do
  check "$T: the PKI is as meant: the old root expired, the cross-signed copy has the new root's key" \
    sh -c "! openssl x509 -checkend 0 -noout -in '$P/old.crt' >/dev/null &&
      [ \"\$(openssl x509 -noout -pubkey -in '$P/cross.crt')\" = \"\$(openssl x509 -noout -pubkey -in '$P/new.crt')\" ] &&
      openssl x509 -noout -issuer -in '$P/cross.crt' | grep -q 'Cross Test Old Root'"
  check "$T: openssl-1.0.2 follows the chain as sent to the expired old root: expired_cert, naming the cross-sign" \
    old_client_fails "$T"
  check "$T: openssl-3.0 and curl stop at the root they trust and connect, as the real s_client and curl do" \
    new_clients_connect "$T"
  check "$T: without the cross-signed copy in the chain openssl-1.0.2 connects too" without_cross_connects "$T"
done
