#!/bin/bash
# --write-failed FILE: a pcapng that tshark opens, holding exactly the failed
# connections of the input (their 5-tuples are those tlsdiag pcap --json
# calls failed, every one of their frames, nothing else), on which tlsdiag
# pcap gives the verdicts it gives on the same streams cut out by tshark;
# -G SECONDS rotates to FILE1, FILE2, ... as tcpdump does.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh

# compare.py ORIG.json WRITTEN.tsv: the failed connections of ORIG are the tcp.streams of the written file
cat > "$W/compare.py" <<'PY'
import json, sys
failed = set()
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get('outcome') == 'failed' and 'client' in d:
        failed.add(frozenset((d['client'], d['server'])))
written = {}
for line in open(sys.argv[2]):
    f = line.rstrip('\n').split('\t')
    if len(f) == 5 and f[0]:
        written.setdefault(f[0], frozenset(('%s:%s' % (f[1], f[2]), '%s:%s' % (f[3], f[4]))))
got = set(written.values())
assert len(got) == len(written), 'a 5-tuple split in two tcp.streams'
assert got == failed, ('missing', failed - got, 'extra', got - failed)
print(len(got), 'failed connections, all and only them')
PY
# verdicts.py A.json B.json: the same (client, server) -> (outcome, cause, confidence)
cat > "$W/verdicts.py" <<'PY'
import json, sys
def v(path):
    out = {}
    for line in open(path):
        d = json.loads(line)
        if 'client' in d:
            out[(d['client'], d['server'])] = (d.get('outcome'), d.get('cause'), d.get('confidence'))
    return out
a, b = v(sys.argv[1]), v(sys.argv[2])
assert a == b, [(k, a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)]
print(len(a), 'verdicts agree')
PY
FIELDS="-T fields -e tcp.stream -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport"

for T in $TLSDIAGS; do
  for F in tests/captures/failures-lo.pcap tests/captures/openssl-lo.pcap tests/captures/stacks-any.pcapng; do
    n=$(basename "$F" | sed 's/\..*//')
    check "$T: $F: the written pcapng opens in tshark and holds exactly the failed connections" bash -c "
      '$T' pcap --json --write-failed '$W/$n.pcapng' '$F' > '$W/$n.json' 2> '$W/$n.err'; [ \$? -eq 1 ] || exit 1
      cat '$W/$n.err'; grep -q '^tlsdiag pcap: --write-failed $W/$n.pcapng: [1-9][0-9]* connections, [1-9][0-9]* frames\$' '$W/$n.err' &&
      [ \"\$(capinfos -t '$W/$n.pcapng' | sed -n 's/^File type: *//p')\" = 'Wireshark/... - pcapng' ] &&
      tshark -n -r '$W/$n.pcapng' $FIELDS > '$W/$n.tsv' && python3 '$W/compare.py' '$W/$n.json' '$W/$n.tsv'"
    check "$T: $F: every frame of those streams, and tlsdiag's verdicts on it are those on tshark's cut of the same streams" bash -c "
      streams=\$(python3 -c \"
import json, sys
print(','.join(str(json.loads(l)['stream']) for l in open('$W/$n.json') if json.loads(l).get('outcome') == 'failed'))\")
      tshark -n -r '$F' -Y \"tcp.stream in {\$streams}\" -w '$W/$n.cut.pcapng' 2>/dev/null
      a=\$(capinfos -c -M '$W/$n.cut.pcapng' | sed -n 's/^Number of packets: *//p')
      b=\$(capinfos -c -M '$W/$n.pcapng' | sed -n 's/^Number of packets: *//p')
      echo \"frames: tshark's cut \$a, written \$b\"; [ -n \"\$a\" ] && [ \"\$a\" = \"\$b\" ] || exit 1
      '$T' pcap --json '$W/$n.cut.pcapng' > '$W/$n.cut.json'; '$T' pcap --json '$W/$n.pcapng' > '$W/$n.w.json'
      python3 '$W/verdicts.py' '$W/$n.cut.json' '$W/$n.w.json'"
  done
  check "$T: -G 4 on a 12 s capture: FILE, FILE1, FILE2, ... each a pcapng; together the same frames" bash -c "
    rm -f '$W/rot'*
    '$T' pcap -G 4 --write-failed '$W/rot' tests/captures/failures-lo.pcap > /dev/null 2> '$W/rot.err'
    cat '$W/rot.err'; ls '$W'/rot*
    [ -s '$W/rot' ] && [ -s '$W/rot1' ] && [ -s '$W/rot2' ] && grep -q 'in [3-9] files' '$W/rot.err' || exit 1
    total=0; for f in '$W'/rot '$W'/rot[0-9]*; do
      c=\$(capinfos -c -M \"\$f\" | sed -n 's/^Number of packets: *//p'); [ -n \"\$c\" ] || exit 1; total=\$((total + c)); done
    one=\$(capinfos -c -M '$W/failures-lo.pcapng' | sed -n 's/^Number of packets: *//p')
    echo \"\$total frames in the rotated files, \$one in one\"; [ \$total -eq \$one ]"
  check "$T: --write-failed into a directory that does not exist: exit 2, said" sh -c "
    '$T' pcap --write-failed /nonexistent/dir/x.pcapng tests/captures/openssl-lo.pcap > /dev/null 2> '$W/e'; rc=\$?
    [ \$rc -eq 2 ] && grep -q 'write-failed /nonexistent/dir/x.pcapng: No such file or directory' '$W/e'"
done
