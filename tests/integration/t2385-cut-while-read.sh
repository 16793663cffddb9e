#!/bin/bash
# A capture file cut short by another process while tlsdiag reads it (in
# place, one thread and two; mapped, and with TLSDIAG_NO_MMAP=1 read through
# a window) is an input error, never a signal: exit 2, the file named, the
# byte offset and "cut short while read" on standard error, the summary of
# what was read on standard output. The cut comes once tlsdiag has read at
# least 4 MiB of the file (its /proc/PID/io rchar; a mapping is not counted
# there: after TRY polls of 10 ms) and goes to the first megabyte; tried up
# to 30 times until tlsdiag was still reading when it came. (The first
# mapping reader died of SIGBUS: the mapping is now guarded, capture/sigbus.c.)
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh

# the shipped failures, then 120,000 full-size UDP frames (counted, not followed): about 180 MB
python3 bench/concat.py tests/captures/failures-lo.pcap "$W/full.pcap" 3
python3 - "$W/full.pcap" <<'PY'
import struct, sys
udp = bytes(12) + b"\x08\x00" + bytes.fromhex("450005dc00004000401100007f0000017f000001") + struct.pack(">HHHH", 5000, 5001, 1480, 0)
udp += bytes(1514 - len(udp))
with open(sys.argv[1], "ab") as f:
    rec = b"".join(struct.pack("<IIII", 1800000000 + i // 1000, i % 1000, len(udp), len(udp)) + udp for i in range(1000))
    for _ in range(120):
        f.write(rec)
PY

# Start T on a fresh copy, cut the copy once T has read 4 MiB of it (or after TRY polls of 10 ms: a
# mapped file's reads are not counted in rchar); 0 when T was still reading then, 2 when a signal ended T.
cut_once() {
  local T=$1 threads=$2 try=$3 pid rchar=0 rc k=0
  cp "$W/full.pcap" "$W/v.pcap"
  env ${NO_MMAP:+TLSDIAG_NO_MMAP=1} "$T" pcap --threads "$threads" "$W/v.pcap" > "$W/out" 2> "$W/err" &
  pid=$!
  while [ "$rchar" -lt 4194304 ] && [ -r "/proc/$pid/io" ] && [ $((k += 1)) -le "$try" ]; do
    sleep 0.01
    rchar=$(sed -n 's/^rchar: //p' "/proc/$pid/io" 2>/dev/null)
    rchar=${rchar:-0}
  done
  truncate -s 1000007 "$W/v.pcap"
  wait "$pid"
  rc=$?
  echo "rc=$rc" >> "$W/err"
  [ "$rc" -lt 128 ] || { echo "ended by a signal: exit $rc"; cat "$W/err"; return 2; }
  grep -q 'cut short while read' "$W/err"
}

cut_while_read() {
  local T=$1 threads=$2 i
  for i in $(seq 30); do
    cut_once "$T" "$threads" "$i"
    case $? in 2) return 1 ;; 1) continue ;; esac
    cat "$W/err"
    grep -q "^tlsdiag: $W/v.pcap: frame [0-9]*: .*cut short while read at byte [0-9]* of the [0-9]* " "$W/err" &&
      grep -q '^rc=2$' "$W/err" && grep -q 'frames, .* TCP connections' "$W/out"
    return
  done
  echo "never cut while tlsdiag was reading (30 tries)"
  return 1
}

for T in $TLSDIAGS; do
  for n in 1 2; do
    NO_MMAP= check "$T --threads $n, mapped: the file cut short while read: exit 2, the file and byte named, no signal" \
      cut_while_read "$T" "$n"
    NO_MMAP=1 check "$T --threads $n, read (TLSDIAG_NO_MMAP=1): the file cut short while read: exit 2, the file and byte named, no signal" \
      cut_while_read "$T" "$n"
  done
done
