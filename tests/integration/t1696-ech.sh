#!/bin/bash
# ECH seen without keys (issue 18): a client (Python, raw bytes: no Debian 12
# stack sends ECH) sends openssl s_server a TLS 1.3 ClientHello with an outer
# encrypted_client_hello (HKDF-SHA256/AES-128-GCM, config_id 7, enc 32 bytes,
# payload 180 bytes) and the public name as SNI; OpenSSL 3.0 ignores the
# extension and answers. tlsdiag pcap -v and --json show the clear fields;
# tshark 4.0, which does not dissect ECH, agrees on the extension's type and
# length; and nothing in the verdict claims ECH failed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
CAP=$W/ech.pcap
cap_start lo "$CAP" "tcp port 5941"
ossl_srv 5941 -cert "$P/server.crt" -key "$P/server.key" -cert_chain "$P/inter.crt" -tls1_3
python3 - <<'PY'
import os, socket, struct
def ext(t, body): return struct.pack("!HH", t, len(body)) + body
def vec(n, b): return len(b).to_bytes(n, "big") + b
name = b"public.example.com"
ech = b"\x00" + struct.pack("!HHB", 1, 1, 7) + vec(2, os.urandom(32)) + vec(2, os.urandom(180))
exts = (ext(0, vec(2, b"\x00" + vec(2, name))) + ext(43, vec(1, b"\x03\x04")) + ext(10, vec(2, b"\x00\x1d")) +
        ext(13, vec(2, b"\x04\x03\x08\x04")) + ext(51, vec(2, b"\x00\x1d" + vec(2, os.urandom(32)))) +
        ext(0xfe0d, ech))
body = b"\x03\x03" + os.urandom(32) + vec(1, os.urandom(32)) + vec(2, b"\x13\x01") + b"\x01\x00" + vec(2, exts)
hs = b"\x01" + vec(3, body)
s = socket.create_connection(("127.0.0.1", 5941))
s.sendall(b"\x16\x03\x01" + vec(2, hs))
s.settimeout(3)
try:
    s.recv(65536)
except OSError:
    pass
s.close()
PY
sleep 0.3
cap_stop

TL=$(tshark -d tcp.port==5941,tls -r "$CAP" -Y 'tls.handshake.type == 1' -T fields -e tls.handshake.extension.type \
  -e tls.handshake.extension.len 2>/dev/null)
for T in $TLSDIAGS; do
  check "$T: tshark: the ClientHello carries extension 65037 of 222 bytes (1 + 2 + 2 + 1 + 2 + 32 + 2 + 180)" \
    sh -c "echo '$TL' | awk -F'\t' '{n=split(\$1,t,\",\"); split(\$2,l,\",\"); for(i=1;i<=n;i++) if (t[i]==65037 && l[i]==222) f=1} END {exit !f}'"
  check "$T: pcap -v names the clear fields of the outer ECH and what cannot be told without keys" \
    sh -c "'$T' pcap -v '$CAP' | grep -q 'encrypted_client_hello: outer, config_id 7, HPKE HKDF-SHA256/AES-128-GCM, enc 32 bytes, payload 180 bytes; the SNI above is the outer one; a real ECH and a GREASE one look the same'"
  check "$T: JSON: the ech object of the ClientHello, the ServerHello without it, no ECH cause" \
    python3 tests/lib/assert_json.py "$T" "$CAP" \
      "msgs(conn(sni='public.example.com'), 'ClientHello')[0]['ech'] == {'type': 'outer', 'config_id': 7, 'kdf': 'HKDF-SHA256', 'aead': 'AES-128-GCM', 'enc_length': 32, 'payload_length': 180}" \
      "'encrypted_client_hello' not in msgs(conn(sni='public.example.com'), 'ServerHello')[0]" \
      "'ech' not in conn(sni='public.example.com')['cause']"
done
