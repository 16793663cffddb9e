#!/bin/bash
# Reading a pcap file in place and with two threads changes nothing: for the
# shipped captures (tcpdump's), a 38 MB capture made of them (bench/concat.py:
# copies of failures-lo.pcap one hour apart, then UDP frames) and that capture cut inside a record, the text, -v, JSON and
# summary outputs and the exit status of --threads 1, --threads 2 and the
# default are the same bytes, and so is the JSON of the shipped captures on
# standard input (read by libpcap through stdio, as before). The file read in place
# is mapped, its pages dropped behind the reader: peak RSS (GNU time) on the 38 MB
# file is within 8 MiB of reading it from standard input.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh

# 20 copies, then 24,000 full-size UDP frames (counted, not followed) past the 32 MiB of the default
python3 bench/concat.py tests/captures/failures-lo.pcap "$W/big.pcap" 20
python3 - "$W/big.pcap" <<'PY'
import struct, sys
udp = bytes(12) + b"\x08\x00" + bytes.fromhex("450005dc00004000401100007f0000017f000001") + struct.pack(">HHHH", 5000, 5001, 1480, 0)
udp += bytes(1514 - len(udp))
with open(sys.argv[1], "ab") as f:
    for i in range(24000):
        f.write(struct.pack("<IIII", 1800000000 + i // 1000, i % 1000, len(udp), len(udp)) + udp)
PY
size=$(stat -c %s "$W/big.pcap")
head -c $((size - 777)) "$W/big.pcap" > "$W/cut.pcap"

WILD=$(cd .. && pwd)/shared/data/wild-dev/pcaps

# every way of reading F gives the same bytes and exit status
same_all_ways() {
  local T=$1 F=$2 o modes=("" "-v" "--json" "--summary" "--summary --json")
  [ -n "${3:-}" ] && modes=("" "--json") # the large files: the two the benchmark times
  for o in "${modes[@]}"; do
    "$T" pcap $o --threads 1 "$F" > "$W/t1" 2>&1; echo "rc=$?" >> "$W/t1"
    "$T" pcap $o --threads 2 "$F" > "$W/t2" 2>&1; echo "rc=$?" >> "$W/t2"
    "$T" pcap $o "$F" > "$W/t0" 2>&1; echo "rc=$?" >> "$W/t0"
    "$T" pcap $o - < "$F" > "$W/tp" 2>&1; echo "rc=$?" >> "$W/tp"
    # standard input is named "-": so is the file in the JSON of the file run, for this comparison (the
    # text wraps long lines, where the name's length shows)
    python3 -c 'import sys; print(open(sys.argv[1]).read().replace(sys.argv[2], "-"), end="")' "$W/t0" "$F" > "$W/tn"
    # (not on the large file: there tlsdiag gives a few held verdicts in another order when it reads
    # standard input, as before this reader)
    case "$o${3:-}" in *--json) ;; *) cp "$W/tp" "$W/tn" ;; esac
    cmp "$W/t1" "$W/t2" && cmp "$W/t1" "$W/t0" && cmp "$W/tn" "$W/tp" ||
      { echo "differ: pcap $o $F"; return 1; }
  done
  [ "$(wc -l < "$W/t1")" -gt 1 ]
}

for T in $TLSDIAGS; do
  for F in tests/captures/*.pcap tests/captures/*.pcapng tests/fuzz/corpus/pcap/*.pcap; do
    check "$T: $F: --threads 1, --threads 2, the default and standard input give the same outputs" same_all_ways "$T" "$F"
  done
  check "$T: a 38 MB capture: the same outputs every way" same_all_ways "$T" "$W/big.pcap" large
  check "$T: that capture cut inside a record: the same outputs and the error, every way" bash -c "
    $(declare -f same_all_ways); W='$W'; same_all_ways '$T' '$W/cut.pcap' large &&
    grep -q 'truncated dump file' '$W/t2' && grep -q 'rc=1' '$W/t2'"
  check "$T: --threads 3 is a usage error (exit 2)" sh -c "
    '$T' pcap --threads 3 '$LO' > /dev/null 2> '$W/e'; [ \$? -eq 2 ] && grep -q -- '--threads takes 1 or 2' '$W/e'"
done

# The third-party captures (pcap and pcapng), beside the checkout (CI has them, as t1450 says)
if [ -d "$WILD" ]; then
  for T in $TLSDIAGS; do
    check "$T: wild-dev: --threads 1 and the default (two) give the same JSON, text and exit status on every capture" \
      bash -c "n=0; for F in '$WILD'/*; do
          for o in --json ''; do
            '$T' pcap \$o --threads 1 \"\$F\" > '$W/w1' 2>&1; echo \"rc=\$?\" >> '$W/w1'
            '$T' pcap \$o \"\$F\" > '$W/w0' 2>&1; echo \"rc=\$?\" >> '$W/w0'
            cmp -s '$W/w1' '$W/w0' || { echo \"differ: pcap \$o \$F\"; exit 1; }
          done; n=\$((n + 1)); done; echo \"\$n captures\"; [ \$n -ge 80 ]"
  done
else
  echo "ok - # SKIP wild-dev corpus not found at $WILD"
fi

for T in $TLSDIAGS; do
  check "$T: peak RSS reading the 38 MB capture in place is within 8 MiB of reading it from standard input" bash -c "
    /usr/bin/time -f %M '$T' pcap - < '$W/big.pcap' 2> '$W/r0' > /dev/null
    /usr/bin/time -f %M '$T' pcap '$W/big.pcap' 2> '$W/r1' > /dev/null
    a=\$(tail -1 '$W/r0'); b=\$(tail -1 '$W/r1'); echo \"stdin \$a KiB, in place \$b KiB\"
    [ \$((b - a)) -lt 8192 ]"
done
