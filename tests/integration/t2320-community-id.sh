#!/bin/bash
# Community ID: every JSON record of tlsdiag pcap carries the flow's
# Community ID v1, the value tshark's own communityid dissector computes for
# the same tcp.stream (so tlsdiag's records join with Zeek, Suricata, Arkime).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh

for T in $TLSDIAGS; do
  for F in tests/captures/openssl-lo.pcap tests/captures/failures-lo.pcap tests/captures/stacks-any.pcapng; do
    check "$T: $F: community_id of every record is tshark's for its tcp.stream" bash -c "
      '$T' pcap --json '$F' > '$W/td.json'
      tshark -n -r '$F' --enable-protocol communityid -T fields -e tcp.stream -e communityid 2>/dev/null > '$W/ts.tsv'
      python3 - '$W/td.json' '$W/ts.tsv' <<'PY'
import json, sys
tshark = {}
for line in open(sys.argv[2]):
    f = line.rstrip('\n').split('\t')
    if len(f) == 2 and f[0] and f[1]:
        tshark.setdefault(int(f[0]), set()).add(f[1])
n = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    if 'stream' not in d or 'client' not in d:
        continue  # the summary
    assert 'community_id' in d, d['stream']
    assert tshark.get(d['stream']) == {d['community_id']}, (d['stream'], d['community_id'], tshark.get(d['stream']))
    n += 1
assert n > 0
print(n, 'records agree with tshark')
PY"
  done
done
