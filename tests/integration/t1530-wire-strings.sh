#!/bin/bash
# Strings from the wire never reach the terminal raw: a hostile SNI and ALPN
# (openssl s_client), a certificate whose subject and SAN carry escape
# sequences, BEL, DEL, C1 CSI, a right-to-left override and bytes that are not
# UTF-8, and a gateway's 503 with such a reason phrase, through every renderer
# (pcap, pcap -v, pcap --color always, pcap --json, cert, cert --json, probe
# against the server with that certificate and a hostile --sni). Text
# holds no control byte but the newline; JSON parses and gives back the bytes.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
WS=tests/lib/wire_strings.py

# The placeholders are PrintableStrings (string_mask=default): OpenSSL refuses
# to decode a UTF8String that is not UTF-8, not a PrintableString with any byte.
printf '[req]\ndistinguished_name=dn\nstring_mask=default\n[dn]\n' > "$W/req.cnf"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/h.key" -out "$W/plain.crt" \
  -days 30 -subj "/CN=CNPLACEHOLDERXXXXXXXXXX/O=ORGPLACEHOLDERXXXX" \
  -addext "subjectAltName=DNS:SANPLACEHOLDERXXXXXXXX.test" -config "$W/req.cnf" 2>/dev/null
python3 $WS cert "$W/plain.crt" "$W/h.crt"

SNI1=$'a\x1b[2Jb\x07c'
SNI2=$'\xff\xfe.\x1b]0;title\x07x'
cap_start lo "$W/h.pcap" "tcp port 9443 or tcp port 8080"
ossl_srv 9443 -cert "$W/h.crt" -key "$W/h.key" -tls1_2
echo | timeout 5 openssl s_client -connect 127.0.0.1:9443 -servername "$SNI1" -alpn $'h2\x1b[31m,x\x7fy' \
  >/dev/null 2>&1
echo | timeout 5 openssl s_client -connect 127.0.0.1:9443 -servername "$SNI2" >/dev/null 2>&1
python3 $WS gateway 8080 9443 &
GW=$!
td_track "$GW"
wait_port 8080
printf 'GET /\033[2J HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; cat >&3; cat <&3' \
  >/dev/null
printf 'GET /orders HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; cat >&3; cat <&3' \
  >/dev/null
stop_pid "$GW"
cap_stop

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
# The subject as RFC 2253 writes it over the certificate's own bytes: the
# backslash and ";" escaped, controls as \XX, the bytes that are not UTF-8
# (\xff\xfe) and the right-to-left override as they are in the certificate.
SUBJ=$'O=o\\\\x41\xe2\x80\xaeZZZZZZZZZZ,CN=cn\\1B[2J\\07\xff\xfe\\1B]0\\;t\\07\\7FZZZZZZZ'

for T in $TLSDIAGS; do
  for mode in "" -v "--color always" "-v --color always"; do
    check "$T: pcap $mode: no raw control byte, the SNI shown escaped" \
      sh -c "'$T' pcap $mode '$W/h.pcap' > '$W/out'; [ \$? -le 1 ] && python3 $WS text '$W/out' &&
             grep -qF 'SNI a\\x1b[2Jb\\x07c' '$W/out' && grep -qF '\\xff\\xfe.\\x1b]0;title\\x07x' '$W/out' &&
             grep -q 'HTTP/1.1 503' '$W/out'"
  done
  check "$T: pcap -v: the certificate's subject and SAN escaped, the ALPN too" \
    sh -c "'$T' pcap -v '$W/h.pcap' > '$W/out'; grep -qF 'DNS:san\\x1b[8m\\xff\\xfe\\x07\\xc2\\x9b' '$W/out' &&
           grep -qF 'ALPN h2\\x1b[31m,x\\x7fy' '$W/out'"
  check "$T: pcap --json: every line parses; SNI, ALPN and SAN give back their bytes" \
    sh -c "'$T' pcap --json '$W/h.pcap' > '$W/out.json'; python3 $WS json '$W/out.json' \
             sni=$(hex "$SNI1") sni=$(hex "$SNI2") messages.*.alpn.*=$(hex $'h2\x1b[31m') \
             messages.*.alpn.*=$(hex $'x\x7fy') messages.*.certificates.*.san.*=$(hex $'DNS:san\x1b[8m\xff\xfe\x07\xc2\x9bZZZZZZZZZZ.test')"
  check "$T: cert: no raw control byte in subjects, SANs, findings" \
    sh -c "'$T' cert '$W/h.crt' > '$W/cert.out'; [ \$? -le 1 ] && python3 $WS text '$W/cert.out' &&
           grep -qF 'DNS:san\\x1b[8m\\xff\\xfe\\x07\\xc2\\x9b' '$W/cert.out'"
  check "$T: cert and pcap -v show the subject's bytes that are not UTF-8 as \\xff\\xfe" \
    sh -c "'$T' cert '$W/h.crt' | grep -qF 'CN=cn\\1B[2J\\07\\xff\\xfe\\1B]0\\;t' &&
           '$T' pcap -v '$W/h.pcap' | grep -qF 'CN=cn\\1B[2J\\07\\xff\\xfe\\1B]0\\;t'"
  check "$T: cert --json and pcap --json give back exactly the subject's bytes" \
    sh -c "'$T' cert --json '$W/h.crt' > '$W/subj.json'; python3 $WS json '$W/subj.json' chain.*.subject=$(hex "$SUBJ") || exit 1
           '$T' pcap --json '$W/h.pcap' > '$W/subj.json'; python3 $WS json '$W/subj.json' \
             messages.*.certificates.*.subject=$(hex "$SUBJ")"
  check "$T: cert --color always: only tlsdiag's own colours" \
    sh -c "'$T' cert --color always '$W/h.crt' > '$W/cert.out'; python3 $WS text '$W/cert.out'"
  check "$T: cert --json parses and gives back the SAN's bytes" \
    sh -c "'$T' cert --json '$W/h.crt' > '$W/cert.json'; python3 $WS json '$W/cert.json' \
             chain.*.subjectAltNames.*=$(hex $'DNS:san\x1b[8m\xff\xfe\x07\xc2\x9bZZZZZZZZZZ.test')"
  check "$T: probe with a hostile --sni against that server: no raw control byte; JSON parses" \
    sh -c "'$T' probe --timeout 2000 --sni \"\$(printf 'p\\033[2Jq')\" 127.0.0.1:9443 > '$W/probe.out'; [ \$? -le 1 ] || exit 1
           python3 $WS text '$W/probe.out' || exit 1; grep -qF 'p\\x1b[2Jq' '$W/probe.out' || exit 1
           grep -qF 'san\\x1b[8m' '$W/probe.out' || grep -qF 'cn\\1B[2J' '$W/probe.out' || exit 1
           '$T' probe --json --timeout 2000 --sni \"\$(printf 'p\\033[2Jq')\" 127.0.0.1:9443 > '$W/probe.json'; python3 $WS json '$W/probe.json'"
  check "$T: file names never reach the terminal raw: stdout and stderr of pcap (damaged capture) and cert (cut PEM)" \
    sh -c "F=\"$W/\$(printf 'cap\\033]0;x\\007.pcap')\"; head -c 3000 '$W/h.pcap' > \"\$F\";
           '$T' pcap \"\$F\" > '$W/fn.out' 2>&1; [ \$? -le 2 ] || exit 1; python3 $WS text '$W/fn.out' || exit 1
           grep -qF 'cap\\x1b]0;x\\x07.pcap' '$W/fn.out' || exit 1
           P=\"$W/\$(printf 'c\\033[2Jx.pem')\"; head -n 3 '$W/h.crt' > \"\$P\"; '$T' cert \"\$P\" > '$W/fn.out' 2>&1; [ \$? -eq 2 ] || exit 1
           python3 $WS text '$W/fn.out' && grep -qF 'c\\x1b[2Jx.pem: PEM block CERTIFICATE (line 1) truncated' '$W/fn.out'"
done
