# Throw-away PKI for the tests: root CA -> intermediate -> leaf certificates.
# Usage: . tests/lib/pki.sh; pki_make DIR
# Creates DIR/{root,inter,server,client,expired,wrong,self}.{crt,key} and chain files.
pki_cert() { # dir name subject issuer(name|self) days extra_ext [startdate]
  d=$1 n=$2 subj=$3 iss=$4 days=$5 ext=$6
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$n.key" \
    -subj "$subj" -out "$d/$n.csr" 2>/dev/null
  printf '%b\n' "$ext" > "$d/$n.ext"
  if [ "$iss" = self ]; then
    openssl x509 -req -in "$d/$n.csr" -signkey "$d/$n.key" -days "$days" -extfile "$d/$n.ext" -out "$d/$n.crt" 2>/dev/null
  else
    openssl x509 -req -in "$d/$n.csr" -CA "$d/$iss.crt" -CAkey "$d/$iss.key" -CAcreateserial \
      -days "$days" -extfile "$d/$n.ext" -out "$d/$n.crt" 2>/dev/null
  fi
}

pki_make() {
  d=$1
  mkdir -p "$d"
  pki_cert "$d" root "/CN=tlsdiag Test Root CA" self 3650 "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash"
  pki_cert "$d" inter "/CN=tlsdiag Test Intermediate CA" root 3650 "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid"
  pki_cert "$d" server "/CN=server.test" inter 825 "subjectAltName=DNS:server.test,DNS:*.server.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid"
  pki_cert "$d" client "/CN=client.test" inter 825 "extendedKeyUsage=clientAuth\nauthorityKeyIdentifier=keyid"
  pki_cert "$d" self "/CN=self.test" self 825 "subjectAltName=DNS:self.test"
  pki_cert "$d" rsa "/CN=rsa.server.test" inter 825 "subjectAltName=DNS:rsa.server.test\nextendedKeyUsage=serverAuth"
  # An RSA leaf for suites that need RSA authentication.
  openssl req -new -newkey rsa:2048 -nodes -keyout "$d/rsa.key" -subj "/CN=rsa.server.test" -out "$d/rsa.csr" 2>/dev/null
  openssl x509 -req -in "$d/rsa.csr" -CA "$d/inter.crt" -CAkey "$d/inter.key" -CAcreateserial -days 825 \
    -extfile "$d/rsa.ext" -out "$d/rsa.crt" 2>/dev/null
  cat "$d/server.crt" "$d/inter.crt" > "$d/server-chain.crt"
  cat "$d/rsa.crt" "$d/inter.crt" > "$d/rsa-chain.crt"
  cat "$d/client.crt" "$d/inter.crt" > "$d/client-chain.crt"
  cat "$d/inter.crt" "$d/root.crt" > "$d/ca-bundle.crt"
}

# An `openssl ca` database and configuration in DIR/ca (DIR/ca/ca.cnf), for certificates with given dates.
pki_ca_cnf() {
  mkdir -p "$1/ca"
  : > "$1/ca/index.txt"
  [ -f "$1/ca/serial" ] || echo 1000 > "$1/ca/serial"
  cat > "$1/ca/ca.cnf" <<CNF
[ ca ]
default_ca = td
[ td ]
dir = $1/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
CNF
}

# A certificate with given dates (YYYYMMDDHHMMSSZ), signed by the intermediate:
# pki_dated DIR NAME SUBJECT START END [EXT]
pki_dated() {
  d=$1 n=$2 subj=$3 start=$4 end=$5 ext=${6:-"subjectAltName=DNS:dated.server.test\nextendedKeyUsage=serverAuth,clientAuth"}
  pki_ca_cnf "$d"
  printf '%b\n' "$ext" > "$d/$n.ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$n.key" -subj "$subj" \
    -out "$d/$n.csr" 2>/dev/null
  openssl ca -batch -config "$d/ca/ca.cnf" -cert "$d/inter.crt" -keyfile "$d/inter.key" -in "$d/$n.csr" \
    -startdate "$start" -enddate "$end" -extfile "$d/$n.ext" -out "$d/$n.crt" -notext >/dev/null 2>&1
}

# Everything the failure scenarios need beyond pki_make.
pki_failures() {
  d=$1
  pki_dated "$d" expired "/CN=expired.server.test" 20200101000000Z 20210101000000Z \
    "subjectAltName=DNS:expired.server.test\nextendedKeyUsage=serverAuth"
  pki_dated "$d" future "/CN=future.server.test" 20990101000000Z 20991231000000Z \
    "subjectAltName=DNS:future.server.test\nextendedKeyUsage=serverAuth"
  pki_dated "$d" oldclient "/CN=old.client.test" 20200101000000Z 20210101000000Z "extendedKeyUsage=clientAuth"
  # another root, that nobody trusts, and a leaf under it
  o=$d/other  # pki_cert sets d: keep our own copy
  mkdir -p "$o"
  pki_cert "$o" root "/CN=Other Root CA" self 3650 "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign"
  pki_cert "$o" inter "/CN=Other Intermediate CA" root 3650 "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign"
  pki_cert "$o" leaf "/CN=server.test" inter 825 "subjectAltName=DNS:server.test,DNS:*.server.test\nextendedKeyUsage=serverAuth"
  pki_cert "$o" rootleaf "/CN=server.test" root 825 "subjectAltName=DNS:server.test,DNS:*.server.test\nextendedKeyUsage=serverAuth"
}
