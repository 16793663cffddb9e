#!/usr/bin/env python3
"""shard_union.py FULL.json SHARD.json...: the shards of tlsdiag pcap --shard K/N hold,
together and once each, the connections of the unsharded run (tcp.stream, endpoints,
community_id, outcome). Prints how many causes differ: a verdict that weighs other
connections of the same server sees only its shard of them."""
import json, sys
def recs(path):
    out = []
    for line in open(path):
        d = json.loads(line)
        if 'client' in d:
            out.append(d)
    return out
full = recs(sys.argv[1])
key = lambda d: (d['stream'], d['client'], d['server'], d.get('community_id'), d['outcome'])
shards = [recs(p) for p in sys.argv[2:]]
union = [key(d) for s in shards for d in s]
assert len(union) == len(set(union)), 'a connection in two shards'
assert sorted(union) == sorted(key(d) for d in full), set(union) ^ set(key(d) for d in full)
fc = {key(d): d.get('cause') for d in full}
diff = [(k, fc[k], d.get('cause')) for s in shards for d in s for k in [key(d)] if fc[k] != d.get('cause')]
print(len(full), 'connections in', len(shards), 'shards:', [len(s) for s in shards], 'causes differing:', len(diff), diff[:3])
