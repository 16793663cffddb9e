#!/bin/bash
# --ecs: every record under Elastic Common Schema names, carrying what the
# plain JSON record of the same connection says (addresses, Community ID,
# TLS version and cipher, SNI, the leaf certificate, outcome, cause).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh

for T in $TLSDIAGS; do
  for F in tests/captures/openssl-lo.pcap tests/captures/failures-lo.pcap tests/captures/stacks-any.pcapng; do
    check "$T: $F: --ecs records match the plain records field by field" bash -c "
      '$T' pcap --json '$F' > '$W/plain.json'; '$T' pcap --ecs '$F' > '$W/ecs.json'
      python3 - '$W/plain.json' '$W/ecs.json' <<'PY'
import json, sys
plain = [json.loads(l) for l in open(sys.argv[1])]
ecs = [json.loads(l) for l in open(sys.argv[2])]
plain = {d['stream']: d for d in plain if 'client' in d}
conns = [e for e in ecs if 'tlsdiag' in e and 'stream' in e['tlsdiag']]
assert len(conns) == len(plain), (len(conns), len(plain))
outcome = {'ok': 'success', 'failed': 'failure', 'incomplete': 'unknown'}
certs = 0
def ep(x):
    return ('[%s]:%d' if ':' in x['ip'] else '%s:%d') % (x['ip'], x['port'])
for e in conns:
    p = plain[e['tlsdiag']['stream']]
    assert e['ecs']['version'].startswith('8.'), e['ecs']
    assert e['@timestamp'].endswith('Z') and e['@timestamp'][4] == '-', e['@timestamp']
    assert ep(e['source']) == p['client'] and ep(e['destination']) == p['server'], (e['source'], p['client'])
    assert e['network']['transport'] == 'tcp' and e['network']['community_id'] == p['community_id']
    assert e['event']['outcome'] == outcome[p['outcome']], (e['event'], p['outcome'])
    assert e['event']['category'] == ['network'] and e['event']['kind'] == 'event'
    assert e['tlsdiag']['cause'] == p['cause'] and e['tlsdiag']['confidence'] == p['confidence']
    if p['outcome'] == 'failed':
        assert e['error']['type'] == p['cause'] and e['error']['message'], e.get('error')
    tls = e['tls']
    if p.get('version'):
        assert 'TLSv' + tls['version'] == p['version'] or 'SSLv' + tls['version'][0] == p['version'], (tls, p['version'])
        assert tls['cipher'] == p['cipher_suite']
    assert tls.get('client', {}).get('server_name') == p['sni']
    leaf = [c for m in p['messages'] if m.get('type') == 'Certificate' and m.get('from') == 'server'
            for c in m.get('certificates', [])[:1] if c.get('decoded')]
    if leaf and 'server' in tls:
        x = tls['server']['x509']
        assert x['subject']['distinguished_name'] == leaf[0]['subject'] and x['serial_number'] == leaf[0]['serial']
        assert tls['server']['hash']['sha256'].lower() == leaf[0]['sha256'].lower()
        certs += 1
print(len(conns), 'records,', certs, 'with the leaf certificate')
PY"
  done
done
