#!/bin/bash
# tlsdiag lab: every scenario diagnosed as intended; every capture opens in
# tshark without malformed packets or TCP-analysis problems other than those the
# scenario means; same ladders and verdicts on every run; the gateway's 503 is
# tied to its failed backend handshake, in text and JSON.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
R=$PWD/

for T in $TLSDIAGS; do
  check "$T: lab: every scenario's verdict is its intended cause (JSON Lines), exit 0" \
    python3 -c "
import json, subprocess
r = subprocess.run(['$T', 'lab', '--json'], capture_output=True, text=True)
rows = [json.loads(l) for l in r.stdout.splitlines()]
assert r.returncode == 0, (r.returncode, r.stderr)
listed = subprocess.run(['$T', 'lab', '--list', '--json'], capture_output=True, text=True).stdout.splitlines()
assert len(rows) == len(listed) >= 30, (len(rows), len(listed))
bad = [x for x in rows if not x['ok'] or x['expected'] != x['diagnosed'] and not x.get('as_alternative')]
assert not bad, bad
causes = {x['expected'] for x in rows}
for c in ('protocol_mismatch', 'cipher_mismatch', 'group_mismatch', 'sni_required', 'hostname_mismatch',
          'incomplete_chain', 'incorrect_chain', 'expired_cert', 'not_yet_valid_cert', 'unknown_ca', 'self_signed',
          'client_cert_missing', 'client_cert_untrusted', 'client_cert_expired', 'not_tls', 'tcp_reset',
          'no_response', 'none'):
    assert c in causes, c
both = {x['scenario'].rsplit('-', 1)[0] for x in rows if x['version'] == 'TLS 1.3'} & {x['scenario'].rsplit('-', 1)[0] for x in rows if x['version'] == 'TLS 1.2'}
assert len(both) >= 8, both
"
  check "$T: lab -w DIR: one pcap (and key log) per scenario; tshark -z expert finds only what the scenario intends" \
    sh -c "rm -rf '$W/lab'; '$T' lab -w '$W/lab' > '$W/lab.txt' || exit 1
      n=\$(ls '$W'/lab/*.pcap | wc -l); [ \$n -ge 30 ] || { echo \"\$n captures\"; exit 1; }
      [ -s '$W/lab/ok-tls13.keys' ] && grep -q '^CLIENT_HANDSHAKE_TRAFFIC_SECRET ' '$W/lab/ok-tls13.keys' || { echo 'no key log'; exit 1; }
      for f in '$W'/lab/*.pcap; do
        s=\$(basename \$f .pcap)
        tshark -r \$f -q -z expert > '$W/expert' 2>/dev/null || { echo \"\$s: tshark cannot read it\"; exit 1; }
        grep -qi malformed '$W/expert' && { echo \"\$s: malformed\"; cat '$W/expert'; exit 1; }
        sed -n '/^\\(Errors\\|Warns\\) /,/^\$/p' '$W/expert' | grep -E '^ +[0-9]+ ' > '$W/problems'
        case \$s in
          reset) grep -v 'Connection reset (RST)' '$W/problems' ;;
          plain-http) grep -v 'Unencrypted HTTP protocol detected over encrypted port' '$W/problems' ;;
          *) cat '$W/problems' ;;
        esac | grep -q . && { echo \"\$s: unexpected expert items\"; cat '$W/expert'; exit 1; }
      done; exit 0"
  check "$T: lab captures: tshark sees the same handshake messages, alerts and tcp.stream as tlsdiag pcap" \
    sh -c "for s in ok-tls12 cipher-tls12 client-cert-missing-tls12 gateway-503 sni-required-tls13; do
             python3 tests/lib/compare_tshark.py '$T' '$W/lab/'\$s.pcap || exit 1; done"
  check "$T: lab is deterministic: the same ladders and verdicts on a second run" \
    sh -c "rm -rf '$W/lab2'; '$T' lab -w '$W/lab2' > /dev/null || exit 1
      for f in '$W'/lab/*.pcap; do b=\$(basename \$f)
        (cd '$W/lab' && '$R$T' pcap \$b) > '$W/a' 2>&1; (cd '$W/lab2' && '$R$T' pcap \$b) > '$W/b' 2>&1
        cmp -s '$W/a' '$W/b' || { echo \"\$b differs\"; diff '$W/a' '$W/b' | head; exit 1; }; done"
  check "$T: pcap ties the gateway's HTTP 503 to the southbound handshake that failed (text and JSON)" \
    sh -c "'$T' pcap '$W/lab/gateway-503.pcap' > '$W/gw.txt'; [ \$? -eq 1 ] &&
      grep -q '^tcp.stream 0 .*HTTP  503 Service Unavailable' '$W/gw.txt' &&
      grep -q \"the gateway's own TLS connection to its backend failed, so it answered 503  \\[unknown_ca\\]\" '$W/gw.txt' &&
      grep -q 'Effect   the gateway answered its client 192.0.2.10:41000 HTTP 503' '$W/gw.txt' &&
      grep -q 'HTTP 5xx answers: 1, 1 explained' '$W/gw.txt' &&
      '$T' pcap --json '$W/lab/gateway-503.pcap' | python3 -c \"
import json, sys
rows = [json.loads(l) for l in sys.stdin]
http = [r for r in rows if r.get('protocol') == 'http'][0]
tls = [r for r in rows if r.get('protocol') != 'http'][0]
assert http['http']['status'] == 503 and http['cause'] == 'unknown_ca' and http['upstream_stream'] == tls['stream'], http
assert tls['downstream']['stream'] == http['stream'] and tls['downstream']['status'] == 503, tls
\""
  check "$T: lab names scenarios: one by name, an unknown one exits 2; --list shows each with its cause" \
    sh -c "'$T' lab expired-tls12 | grep -q '^expired-tls12 .*expired_cert .*expired_cert' &&
      '$T' lab no-such-scenario 2>/dev/null; [ \$? -eq 2 ] &&
      '$T' lab --list | grep -q '^gateway-503 .*unknown_ca'"
done
