#!/bin/bash
# tlsdiag probe and the failures of 2024-2026 (issue 18), against real servers
# in a private network namespace:
#   RSA key exchange only (s_server and nginx with TLS_RSA_* suites alone):
#     rsa_kex_removed, with the clients that dropped it (the Changed table),
#     as openssl s_client with ECDHE suites alone is refused; normal servers not;
#   post-quantum groups: OpenSSL 3.0 s_server and nginx do not know
#     X25519MLKEM768 (0x11EC) or X25519Kyber768Draft00: the HelloRetryRequest
#     names the classic group they pick, the one openssl s_client sees them
#     choose. No Debian 12 package speaks ML-KEM or Kyber (OpenSSL 3.0.19,
#     GnuTLS 3.7.9, NSS 3.87, Go 1.19, OpenJDK 17 do not; apt-cache search
#     oqs|kyber|mlkem finds nothing), so no server here selects one;
#   middleboxes (--check middlebox): the kernel's packet filter (nftables) in
#     the namespace drops TCP segments to the server port over 1000 bytes
#     (hello_too_large: the post-quantum and the 1,500-byte hellos, not the
#     512-byte one), or those that carry a ClientHello record of 256-511 bytes
#     (F5 BIG-IP's defect: hello_intolerance); a proxy that resets a hello split
#     across segments (tests/lib/split_reset_proxy.py: nft cannot compare a
#     segment's length with the record length inside it) gives the split finding.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
export W
C="-cert $P/rsa.crt -key $P/rsa.key -cert_chain $P/inter.crt"
# 7501: RSA key exchange only; 7502: s_server's defaults; 7503: TLS 1.3 groups P-256 only
ossl_srv 7501 $C -tls1_2 -cipher 'AES128-SHA:AES256-GCM-SHA384'
ossl_srv 7502 $C
ossl_srv 7503 $C -groups P-256
# 7511: nginx with RSA key exchange only; 7512-7514: nginx's defaults with TLS 1.3 (nginx 1.22 has it off by
# default), an ECDSA certificate (7513, 7514 filtered below)
ngx_start "$W/ngx" <<NGINX
  server { listen 127.0.0.1:7511 ssl; ssl_protocols TLSv1.2; ssl_ciphers AES128-GCM-SHA256:AES256-SHA;
           ssl_certificate $P/rsa-chain.crt; ssl_certificate_key $P/rsa.key; return 200 "ok\n"; }
  server { listen 127.0.0.1:7512 ssl; listen 127.0.0.1:7513 ssl; listen 127.0.0.1:7514 ssl; ssl_protocols TLSv1.2 TLSv1.3;
           ssl_certificate $P/server-chain.crt; ssl_certificate_key $P/server.key; return 200 "ok\n"; }
NGINX
python3 tests/lib/split_reset_proxy.py 7515 7512 >/dev/null 2>&1 &
td_track $!
# 7516: a raw TLS 1.3 server that answers HelloRetryRequests but refuses hellos listing post-quantum groups
python3 tests/lib/pq_intolerant_server.py 7516 >/dev/null 2>&1 &
td_track $!
# The packet filter: 7513 drops segments over 1000 bytes (IP length), 7514 those whose TCP payload
# (after a 32-byte header: doff 8, Linux with timestamps) starts a handshake record of 0x01XX bytes
# holding a ClientHello (type 1). Counters prove the kernel dropped them.
nft -f - <<'NFT' || { echo "nft cannot filter in this namespace"; exit 1; }
table inet mb {
  chain in {
    type filter hook input priority 0;
    tcp dport 7513 meta length > 1000 counter drop
    tcp dport 7514 tcp doff 8 @th,256,8 0x16 @th,280,8 0x01 @th,296,8 0x01 counter drop
  }
}
NFT
for p in 7511 7512 7515 7516; do wait_port $p || exit 1; done

pk() { # tlsdiag target [--check middlebox] -- expressions... (d: the JSON, causes, f: findings by cause, rc)
  python3 - "$@" <<'PY'
import json, subprocess, sys
t, target = sys.argv[1], sys.argv[2]
rest = sys.argv[3:]
extra = rest[:rest.index("--")]; exprs = rest[rest.index("--") + 1:]
r = subprocess.run([t, "probe", "--json", "--timeout", "1000"] + extra + [target], capture_output=True, text=True)
d = json.loads(r.stdout); rc = r.returncode
causes = [x["cause"] for x in d["findings"]]
f = {}
for x in d["findings"]:
    f.setdefault(x["cause"], x)
mb = d["middlebox"]
bad = [e for e in exprs if not eval(e)]
if bad:
    keys = ("rsa_kex_only", "post_quantum", "middlebox", "findings", "connections")
    print("FALSE:", bad, "\nrc", rc, json.dumps({k: d.get(k) for k in keys}, indent=1), r.stderr)
    sys.exit(1)
PY
}
# The group openssl s_client (offering x25519 then P-256) sees the server choose, as IANA names it.
sclient_group() {
  openssl s_client -groups X25519:P-256 -connect 127.0.0.1:"$1" </dev/null 2>/dev/null |
    sed -n 's/^Server Temp Key: X25519.*/x25519/p; s/^Server Temp Key: ECDH, prime256v1.*/secp256r1/p'
}
nft_count() { nft list chain inet mb in | sed -n "s/.*dport $1 .*counter packets \([0-9]*\).*/\1/p"; }

for T in $TLSDIAGS; do
  check "$T: s_server with RSA key exchange only: rsa_kex_only, rsa_kex_removed naming Go 1.22 and JDK 24; s_client with ECDHE alone refused, with AES128-SHA taken" \
    sh -c "$(declare -f pk); pk '$T' 127.0.0.1:7501 -- \"d['rsa_kex_only'] is True\" \"'rsa_kex_removed' in causes\" 'rc == 1' \
             \"'handshake_failure' in f['rsa_kex_removed']['message']\" \"'TLS_RSA_WITH_AES_128_CBC_SHA' in f['rsa_kex_removed']['message']\" \
             \"'Go 1.22' in f['rsa_kex_removed']['changed']['what'] and 'JDK 24' in f['rsa_kex_removed']['changed']['what']\" \
             \"'tlsrsakex=1' in f['rsa_kex_removed']['changed']['restore']\" &&
           ! openssl s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -connect 127.0.0.1:7501 </dev/null 2>/dev/null | grep -q '^New, .*Cipher is ECDHE' &&
           openssl s_client -tls1_2 -cipher AES128-SHA -connect 127.0.0.1:7501 </dev/null 2>/dev/null | grep -q '^New, .*Cipher is AES128-SHA$'"
  check "$T: the text and the HTML page name the change for rsa_kex_removed (Go 1.22, GODEBUG=tlsrsakex=1)" \
    sh -c "'$T' probe --timeout 1000 127.0.0.1:7501 | grep -q '^ *changed: RSA key exchange (TLS_RSA_\*) left the client defaults: Go 1.22 .*; to restore it: Go: GODEBUG=tlsrsakex=1' &&
           '$T' probe --timeout 1000 --html - 127.0.0.1:7501 | grep -q 'Changed: RSA key exchange (TLS_RSA_\*) left the client defaults: Go 1.22'"
  check "$T: s_server's defaults: not RSA key exchange only, no rsa_kex_removed" \
    pk "$T" 127.0.0.1:7502 -- "d['rsa_kex_only'] is False" "'rsa_kex_removed' not in causes"
  check "$T: nginx with TLS_RSA_* suites only: rsa_kex_removed; nginx's defaults: none" \
    sh -c "$(declare -f pk); pk '$T' 127.0.0.1:7511 -- \"d['rsa_kex_only'] is True\" \"'rsa_kex_removed' in causes\" &&
           pk '$T' 127.0.0.1:7512 -- \"d['rsa_kex_only'] is False\" \"'rsa_kex_removed' not in causes\""
  check "$T: post-quantum groups offered first: s_server picks none, its HelloRetryRequest names the group s_client sees (x25519)" \
    sh -c "$(declare -f pk sclient_group); g=\$(sclient_group 7502); [ \"\$g\" = x25519 ] &&
           pk '$T' 127.0.0.1:7502 -- \"d['post_quantum'] == {'selected': False, 'group': '\$g', 'refused': False}\""
  check "$T: s_server -groups P-256: post-quantum none, it picks secp256r1, as s_client sees; nginx picks x25519" \
    sh -c "$(declare -f pk sclient_group); g=\$(sclient_group 7503); [ \"\$g\" = secp256r1 ] &&
           pk '$T' 127.0.0.1:7503 -- \"d['post_quantum'] == {'selected': False, 'group': '\$g', 'refused': False}\" &&
           g=\$(sclient_group 7512); [ \"\$g\" = x25519 ] && pk '$T' 127.0.0.1:7512 -- \"d['post_quantum']['group'] == '\$g'\""
  check "$T: a TLS 1.3 server that refuses hellos listing post-quantum groups (handshake_failure): refused, hello_intolerance naming the alert" \
    pk "$T" 127.0.0.1:7516 -- "d['versions'] == ['TLSv1.3']" "d['post_quantum'] == {'selected': None, 'group': None, 'refused': True}" \
      "any(x['cause'] == 'hello_intolerance' and 'X25519MLKEM768' in x['message'] and 'handshake_failure (40)' in x['message'] for x in d['findings'])" 'rc == 1'
  check "$T: no TLS 1.3: the post-quantum check is not run (null); the text says so" \
    sh -c "$(declare -f pk); pk '$T' 127.0.0.1:7501 -- \"d['post_quantum'] == {'selected': None, 'group': None, 'refused': False}\" &&
           '$T' probe --timeout 1000 127.0.0.1:7501 | grep -q '^  RSA key exchange only: YES; post-quantum group: not tested (no TLS 1.3)' &&
           '$T' probe --timeout 1000 127.0.0.1:7502 | grep -q '^  RSA key exchange only: no; post-quantum group: none (server picks x25519)'"
  check "$T: without --check middlebox: middlebox null, every finding has changed (null or the change), five connections fewer than with it" \
    sh -c "$(declare -f pk); pk '$T' 127.0.0.1:7502 -- 'mb is None' \"all('changed' in x for x in d['findings'])\" \
             \"all(x['changed'] is None for x in d['findings'] if x['cause'] == 'hostname_mismatch')\" > '$W/n0' &&
           n0=\$('$T' probe --json --timeout 1000 127.0.0.1:7502 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"connections\"])') &&
           n1=\$('$T' probe --json --timeout 1000 --check middlebox 127.0.0.1:7502 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"connections\"])') &&
           [ \$((n1 - n0)) -eq 5 ]"
  check "$T: --check middlebox, nothing in the way (nginx): every form answered, 512/300/1500 bytes, the post-quantum one in 2 segments; no finding of it" \
    pk "$T" 127.0.0.1:7512 --check middlebox -- "all(mb[k]['answer'] == 'answered' for k in ('base', 'post_quantum', 'split', 'f5_size', 'large'))" \
      "mb['mss'] == 1460" "mb['base']['bytes'] == 512 and mb['f5_size']['bytes'] == 300 and mb['large']['bytes'] == 1500" \
      "mb['post_quantum']['bytes'] > 1216 + 200 and mb['post_quantum']['segments'] == 2 and mb['split']['segments'] == 2" \
      "not set(causes) & {'hello_too_large', 'hello_intolerance'}"
  check "$T: nft drops segments over 1000 bytes: hello_too_large (the post-quantum and 1,500-byte hellos time out, 512 answered), the kernel's counter moved" \
    sh -c "$(declare -f pk nft_count); c0=\$(nft_count 7513); pk '$T' 127.0.0.1:7513 --check middlebox -- \"'hello_too_large' in causes\" 'rc == 1' \
             \"mb['base']['answer'] == 'answered' and mb['f5_size']['answer'] == 'answered' and mb['split']['answer'] == 'answered'\" \
             \"mb['post_quantum']['answer'] == 'timeout' and mb['large']['answer'] == 'timeout'\" \
             \"'X25519MLKEM768' in f['hello_too_large']['message'] and '2 TCP segments' in f['hello_too_large']['message']\" \
             \"'OpenSSL 3.5' in f['hello_too_large']['changed']['what']\" \"'hello_intolerance' not in causes\" &&
           [ \"\$(nft_count 7513)\" -gt \"\$c0\" ]"
  check "$T: nft drops ClientHello records of 256-511 bytes (F5): hello_intolerance for the 300-byte hello only; the probe's own hellos are padded past it" \
    sh -c "$(declare -f pk nft_count); c0=\$(nft_count 7514); pk '$T' 127.0.0.1:7514 --check middlebox -- \"'hello_intolerance' in causes\" 'rc == 1' \
             \"mb['f5_size']['answer'] == 'timeout'\" \"all(mb[k]['answer'] == 'answered' for k in ('base', 'post_quantum', 'split', 'large'))\" \
             \"'between 256 and 511' in f['hello_intolerance']['message']\" \"'hello_too_large' not in causes\" \
             \"d['versions'] == ['TLSv1.2', 'TLSv1.3']\" \"d['alpn']['selected'] == ['http/1.1']\" &&
           [ \"\$(nft_count 7514)\" -gt \"\$c0\" ]"
  check "$T: a proxy that resets a hello split across segments: hello_intolerance (warning) for the split form, the rest answered" \
    pk "$T" 127.0.0.1:7515 --check middlebox -- "mb['split']['answer'] == 'reset'" \
      "all(mb[k]['answer'] == 'answered' for k in ('base', 'f5_size'))" \
      "any(x['cause'] == 'hello_intolerance' and x['severity'] == 'warning' and 'two TCP segments' in x['message'] for x in d['findings'])"
  check "$T: the text report lists the middlebox forms; --check with another word is a usage error" \
    sh -c "'$T' probe --timeout 1000 --check middlebox 127.0.0.1:7512 | grep -q '^  middlebox (TCP segments of 1460 bytes at most): base 512 bytes, 1 segment: answered; post_quantum' &&
           '$T' probe --timeout 1000 127.0.0.1:7512 | grep -q '^  middlebox: not tested (--check middlebox)' &&
           { '$T' probe --check sizes 127.0.0.1:7512 >/dev/null 2>&1; [ \$? -eq 2 ]; }"
done
