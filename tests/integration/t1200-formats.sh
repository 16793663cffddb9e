#!/bin/bash
# Capture formats and link layers: pcap (µs and ns), pcapng with several
# sections and interfaces of different link types, Ethernet with 802.1Q and
# QinQ tags, Linux cooked v1 and v2, BSD NULL and LOOP, raw IP. Every variant of
# the same traffic must give the same ladders, and the same frames as tshark.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
PORTS="4431 4432 4433 4434 4435 4436 4443 8443"

editcap -F pcapng "$LO" "$W/lo.pcapng"
editcap -F nsecpcap "$LO" "$W/lo-ns.pcap"
cat "$W/lo.pcapng" "$ANY" > "$W/two-sections.pcapng"
mergecap -w "$W/interleaved.pcapng" "$LO" "$ANY"
for k in raw null loop sll vlan qinq ipv4; do
  python3 tests/lib/pcaptool.py link "$LO" "$W/lo-$k.pcap" "$k"
done

for T in $TLSDIAGS; do
  python3 tests/lib/ladder.py "$T" "$LO" > "$W/want"
  for v in lo.pcapng lo-ns.pcap lo-raw.pcap lo-null.pcap lo-loop.pcap lo-sll.pcap lo-vlan.pcap lo-qinq.pcap lo-ipv4.pcap; do
    check "$T: $v gives the same ladders as the Ethernet pcap" \
      sh -c "python3 tests/lib/ladder.py '$T' '$W/$v' | diff '$W/want' -"
  done
  for v in lo-ns.pcap lo-vlan.pcap lo-sll.pcap lo-null.pcap; do
    check "$T: $v matches tshark" python3 tests/lib/compare_tshark.py "$T" "$W/$v" $PORTS
  done
  check "$T: pcapng with two sections (Ethernet, then Linux cooked v2) matches tshark" \
    python3 tests/lib/compare_tshark.py "$T" "$W/two-sections.pcapng" $PORTS
  check "$T: pcapng interleaving interfaces of two link types (mergecap) matches tshark" \
    python3 tests/lib/compare_tshark.py "$T" "$W/interleaved.pcapng" $PORTS
  check "$T: nanosecond timestamps are kept" \
    sh -c "'$T' pcap --json '$W/lo-ns.pcap' | head -1 | grep -q '\"first_time\":[0-9]*\.[0-9]\{9\},'"
  check "$T: a capture on standard input reads like the file (pcap and pcapng)" \
    sh -c "'$T' pcap --json - < '$LO' | sed 's/\"file\":\"[^\"]*\",//' > '$W/a'; '$T' pcap --json '$LO' | sed 's/\"file\":\"[^\"]*\",//' | diff - '$W/a' && '$T' pcap - < '$ANY' | grep -q 'TLS: 10 '"
done
