# A PKI for tlsdiag cert: one root, two intermediates (root -> inter1 -> inter2)
# and a leaf for every defect tlsdiag cert reports. Built with the openssl
# command at test time; nothing here is secret or committed.
# Usage: . tests/lib/certpki.sh; certpki_make DIR
# Every certificate is DIR/NAME.crt with its key DIR/NAME.key.

# cp_cert DIR NAME SUBJECT ISSUER(name|self) EXT [KEYSPEC] [START END] [DIGEST]
#   KEYSPEC: ec (P-256, default), rsa:2048, rsa:1024. START/END: YYYYMMDDHHMMSSZ.
cp_cert() {
  d=$1 n=$2 subj=$3 iss=$4 ext=$5 keyspec=${6:-ec} start=${7:-} end=${8:-} md=${9:-sha256}
  case $keyspec in
    ec) set -- -newkey ec -pkeyopt ec_paramgen_curve:P-256 ;;
    *) set -- -newkey "$keyspec" ;;
  esac
  openssl req -new "$@" -nodes -keyout "$d/$n.key" -subj "$subj" -out "$d/$n.csr" 2>/dev/null || return 1
  printf '%b\n' "$ext" > "$d/$n.ext"
  if [ "$iss" = self ]; then
    icrt=$d/$n.crt.tmp ikey=$d/$n.key
  else
    icrt=$d/$iss.crt ikey=$d/$iss.key
  fi
  mkdir -p "$d/ca"
  [ -f "$d/ca/index.txt" ] || : > "$d/ca/index.txt"
  [ -f "$d/ca/serial" ] || echo 1000 > "$d/ca/serial"
  cat > "$d/ca/ca.cnf" <<CNF
[ ca ]
default_ca = td
[ td ]
dir = $d/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = $md
default_days = 825
policy = any
unique_subject = no
copy_extensions = none
[ any ]
organizationName = optional
commonName = optional
CNF
  if [ -n "$start" ]; then set -- -startdate "$start" -enddate "$end"; else set -- -days 825; fi
  if [ "$iss" = self ]; then
    openssl ca -batch -selfsign -config "$d/ca/ca.cnf" -keyfile "$d/$n.key" -in "$d/$n.csr" "$@" \
      -extfile "$d/$n.ext" -out "$d/$n.crt" -notext >/dev/null 2>&1
  else
    openssl ca -batch -config "$d/ca/ca.cnf" -cert "$icrt" -keyfile "$ikey" -in "$d/$n.csr" "$@" \
      -extfile "$d/$n.ext" -out "$d/$n.crt" -notext >/dev/null 2>&1
  fi
  [ -s "$d/$n.crt" ] || { echo "certpki: could not make $n" >&2; return 1; }
}

CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash'
AIA1='authorityInfoAccess=caIssuers;URI:http://pki.example.test/root.crt'
AIA2='authorityInfoAccess=caIssuers;URI:http://pki.example.test/inter1.crt'
AIA3='authorityInfoAccess=caIssuers;URI:http://pki.example.test/inter2.crt'
LEAF_EXT="subjectAltName=DNS:www.example.test,DNS:*.wild.example.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nauthorityKeyIdentifier=keyid\n$AIA3"

certpki_make() {
  d=$1
  mkdir -p "$d"
  cp_cert "$d" root "/O=tlsdiag test/CN=Test Root CA" self "$CA_EXT" rsa:2048 || return 1
  cp_cert "$d" inter1 "/O=tlsdiag test/CN=Test Intermediate CA 1" root "$CA_EXT\nauthorityKeyIdentifier=keyid\n$AIA1" rsa:2048
  cp_cert "$d" inter2 "/O=tlsdiag test/CN=Test Intermediate CA 2" inter1 \
    "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n$AIA2"
  cp_cert "$d" good "/CN=www.example.test" inter2 "$LEAF_EXT"
  cp_cert "$d" rsaleaf "/CN=www.example.test" inter2 "$LEAF_EXT" rsa:2048
  cp_cert "$d" expired "/CN=www.example.test" inter2 "$LEAF_EXT" ec 20200101000000Z 20210101000000Z
  cp_cert "$d" future "/CN=www.example.test" inter2 "$LEAF_EXT" ec 20990101000000Z 20991231000000Z
  cp_cert "$d" soon "/CN=www.example.test" inter2 "$LEAF_EXT" ec 20200101000000Z "$(date -u -d '+10 days' +%Y%m%d%H%M%SZ)"
  cp_cert "$d" cnonly "/CN=cn.example.test" inter2 "extendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid"
  cp_cert "$d" weakkey "/CN=www.example.test" inter2 "$LEAF_EXT" rsa:1024
  cp_cert "$d" sha1 "/CN=www.example.test" inter2 "$LEAF_EXT" ec "" "" sha1
  cp_cert "$d" clientonly "/CN=www.example.test" inter2 \
    "subjectAltName=DNS:www.example.test\nextendedKeyUsage=clientAuth\nauthorityKeyIdentifier=keyid"
  cp_cert "$d" leafca "/CN=www.example.test" inter2 \
    "subjectAltName=DNS:www.example.test\nbasicConstraints=CA:TRUE\nauthorityKeyIdentifier=keyid"
  cp_cert "$d" noku "/CN=www.example.test" inter2 \
    "subjectAltName=DNS:www.example.test\nkeyUsage=critical,keyAgreement\nextendedKeyUsage=serverAuth"
  # an "intermediate" that is not a CA, and a leaf under it
  cp_cert "$d" notca "/O=tlsdiag test/CN=Not A CA" inter1 "basicConstraints=critical,CA:FALSE\nsubjectKeyIdentifier=hash"
  cp_cert "$d" undernotca "/CN=www.example.test" notca "subjectAltName=DNS:www.example.test\nextendedKeyUsage=serverAuth"
  # inter2 allows no CA below it (pathlen:0): inter3 under it breaks the path length
  cp_cert "$d" inter3 "/O=tlsdiag test/CN=Test Intermediate CA 3" inter2 "$CA_EXT"
  cp_cert "$d" deep "/CN=www.example.test" inter3 "subjectAltName=DNS:www.example.test\nextendedKeyUsage=serverAuth"
  cp_cert "$d" self "/CN=www.example.test" self "subjectAltName=DNS:www.example.test\nextendedKeyUsage=serverAuth"
  cp_cert "$d" client "/CN=client.example.test" inter2 "extendedKeyUsage=clientAuth\nauthorityKeyIdentifier=keyid"
  cp_cert "$d" oldclient "/CN=client.example.test" inter2 "extendedKeyUsage=clientAuth" ec 20200101000000Z 20210101000000Z
  # a CA nobody trusts
  cp_cert "$d" oroot "/O=other/CN=Other Root CA" self "$CA_EXT"
  cp_cert "$d" oleaf "/CN=www.example.test" oroot "subjectAltName=DNS:www.example.test\nextendedKeyUsage=serverAuth"
  # an intermediate with the same name as inter2 but another key
  cp_cert "$d" fake2 "/O=tlsdiag test/CN=Test Intermediate CA 2" inter1 "$CA_EXT"
  # chain files as servers hold them
  cat "$d/good.crt" "$d/inter2.crt" "$d/inter1.crt" > "$d/good-chain.pem"
  cat "$d/good.crt" "$d/inter1.crt" "$d/inter2.crt" > "$d/wrong-order.pem"
  cat "$d/inter2.crt" "$d/good.crt" "$d/inter1.crt" > "$d/leaf-not-first.pem"
  cat "$d/good.crt" "$d/inter1.crt" > "$d/missing-inter2.pem"
  cat "$d/good.crt" "$d/inter2.crt" "$d/inter1.crt" "$d/oleaf.crt" > "$d/extra.pem"
  cat "$d/good.crt" "$d/inter2.crt" "$d/inter1.crt" "$d/root.crt" > "$d/with-root.pem"
  cat "$d/good.crt" "$d/inter2.crt" "$d/inter2.crt" "$d/inter1.crt" > "$d/dup.pem"
  cat "$d/good.crt" "$d/fake2.crt" "$d/inter1.crt" > "$d/fake-inter.pem"
  cat "$d/good-chain.pem" "$d/good.key" > "$d/bundle-with-key.pem"
}
