#!/bin/bash
# TCP reassembly on rewritten real traffic: segments out of order, every
# segment retransmitted, segments cut into small overlapping pieces, SYNs not
# captured, a lost segment. The ladders must not change (frames may), tshark
# must agree where it reassembles, and a lost segment must show as a gap.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
PORTS="4431 4432 4433 4434 4435 4436"
python3 tests/lib/pcaptool.py reorder "$LO" "$W/reorder.pcap"
python3 tests/lib/pcaptool.py duplicate "$LO" "$W/dup.pcap"
python3 tests/lib/pcaptool.py split "$LO" "$W/split7.pcap" 7
python3 tests/lib/pcaptool.py split "$LO" "$W/split1o.pcap" 1 1
python3 tests/lib/pcaptool.py split "$LO" "$W/split13o.pcap" 13 5
python3 tests/lib/pcaptool.py nosyn "$LO" "$W/nosyn.pcap"
python3 tests/lib/pcaptool.py drop "$LO" "$W/drop.pcap" 3

for T in $TLSDIAGS; do
  python3 tests/lib/ladder.py "$T" "$LO" > "$W/want"
  for v in reorder dup split7 split1o split13o nosyn; do
    check "$T: $v: same ladders as the original" sh -c "python3 tests/lib/ladder.py '$T' '$W/$v.pcap' | diff '$W/want' -"
  done
  for v in reorder dup split7 nosyn; do
    check "$T: $v: matches tshark" python3 tests/lib/compare_tshark.py "$T" "$W/$v.pcap" $PORTS
  done
  check "$T: a lost segment is reported as a gap with its size and offset, and the capture still ends in 1" \
    python3 tests/lib/assert_json.py "$T" "$W/drop.pcap" \
      'any(m["type"] == "Gap" and m["length"] > 0 and "missing from the capture" in m["error"] for c in conns for m in c["messages"])' \
      'rc == 1' 'len(conns) == 22'
done
