#!/bin/bash
# --shard K/N: N runs of tlsdiag pcap on one capture, each following only
# the flows whose symmetric 5-tuple hash falls in its shard, together hold
# every connection of the unsharded run exactly once, with Wireshark's
# tcp.stream numbers and both directions of each flow in one shard.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh

for T in $TLSDIAGS; do
  for F in tests/captures/failures-lo.pcap tests/captures/openssl-lo.pcap tests/captures/stacks-any.pcapng; do
    for N in 2 3 5; do
      check "$T: $F: the union of the $N shards' JSON is the unsharded JSON's connections, once each" bash -c "
        '$T' pcap --json '$F' > '$W/full.json'
        files=''; for K in \$(seq 1 $N); do
          '$T' pcap --json --shard \$K/$N '$F' > \"$W/s\$K.json\"; files=\"\$files $W/s\$K.json\"; done
        python3 tests/lib/shard_union.py '$W/full.json' \$files"
    done
  done
  check "$T: a shard's summary counts only its own connections" bash -c "
    a=\$('$T' pcap --shard 1/2 tests/captures/openssl-lo.pcap | sed -n 's/.*TLS: \\([0-9]*\\) .*/\\1/p')
    b=\$('$T' pcap --shard 2/2 tests/captures/openssl-lo.pcap | sed -n 's/.*TLS: \\([0-9]*\\) .*/\\1/p')
    c=\$('$T' pcap tests/captures/openssl-lo.pcap | sed -n 's/.*TLS: \\([0-9]*\\) .*/\\1/p')
    echo \"\$a + \$b = \$c\"; [ -n \"\$a\" ] && [ \$a -gt 0 ] && [ \$b -gt 0 ] && [ \$((a + b)) -eq \$c ]"
  for bad in 0/2 3/2 1/0 x/2 1/ 2 1/5000 -1/2; do
    check "$T: --shard $bad is a usage error (exit 2)" sh -c "
      '$T' pcap --shard '$bad' tests/captures/openssl-lo.pcap > /dev/null 2> '$W/e'; rc=\$?
      [ \$rc -eq 2 ] && grep -q -- '--shard takes K/N' '$W/e'"
  done
done

# probe --shard K/N: N machines split one target list, each target probed by exactly one
# (in a namespace of its own: nothing listens, every probe is a quick "connection refused").
for T in $TLSDIAGS; do
  check "$T: probe -f LIST --shard K/3: each target in exactly one shard, together the whole list" bash -c "
    for p in \$(seq 20001 20012); do echo 127.0.0.1:\$p; done > '$W/targets'
    unshare -n sh -c \"ip link set lo up
      for k in 1 2 3; do '$T' probe --json --timeout 200 -f '$W/targets' --shard \\\$k/3 > $W/p\\\$k.json; done\"
    cat '$W'/p1.json '$W'/p2.json '$W'/p3.json | python3 -c '
import json, sys
got = [json.loads(l)[\"target\"] for l in sys.stdin]
want = [l.strip() for l in open(sys.argv[1])]
assert sorted(got) == sorted(want) and len(set(got)) == len(got), got
print(len(got), \"targets in 3 shards\")' '$W/targets' &&
    for k in 1 2 3; do [ -s '$W'/p\$k.json ] || echo \"shard \$k empty (possible, not with these 12)\"; done"
done
