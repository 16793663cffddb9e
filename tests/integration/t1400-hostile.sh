#!/bin/bash
# Hostile and broken input: every run ends with 0, 1 or 2 and a message,
# never a signal; the sanitizer build (when given) sees no memory error.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh

# exit code of tlsdiag on FILE, failing on signals and sanitizer reports
runs_clean() { # tlsdiag file
  "$1" pcap --json "$2" >/dev/null 2>"$W/err"; rc=$?
  if [ $rc -gt 2 ] || grep -q 'Sanitizer\|runtime error' "$W/err"; then
    echo "exit $rc on $2"; cat "$W/err"; return 1
  fi
  return 0
}

# Steps of the truncation loops and numbers of bit-flip runs; make memcheck
# (MEMCHECK=1, valgrind) takes coarser ones.
if [ -n "${MEMCHECK:-}" ]; then S1=16 S61=977 S37=593 F40=4 F20=2; else S1=1 S61=61 S37=37 F40=40 F20=20; fi
truncations() { # tlsdiag file step limit
  n=0
  size=$(stat -c %s "$2")
  off=0
  while [ $off -lt "$size" ] && [ $off -lt "$4" ]; do
    head -c $off "$2" > "$W/cut"
    runs_clean "$1" "$W/cut" || return 1
    off=$((off + $3)); n=$((n + 1))
  done
  echo "$n truncations clean"
}

flips() { # tlsdiag file runs
  for seed in $(seq 1 "$3"); do
    python3 tests/lib/pcaptool.py flip "$2" "$W/flip" "$seed" 20
    runs_clean "$1" "$W/flip" || { echo "seed $seed"; return 1; }
  done
}

for T in $TLSDIAGS; do
  check "$T: pcap cut at every byte of its first 1 KiB, then every 61 bytes" \
    sh -c "$(declare -f runs_clean truncations); W='$W'; truncations '$T' '$LO' $S1 1024 && truncations '$T' '$LO' $S61 1000000"
  check "$T: pcapng cut every 37 bytes" \
    sh -c "$(declare -f runs_clean truncations); W='$W'; truncations '$T' '$ANY' $S37 1000000"
  check "$T: 60 captures with 20 random bit flips each (seeded)" \
    sh -c "$(declare -f runs_clean flips); W='$W'; flips '$T' '$LO' $F40 && flips '$T' '$ANY' $F20"
  check "$T: a capture cut mid-frame is still analysed, and the cut is named" \
    sh -c "head -c 30000 '$LO' > '$W/cut'; '$T' pcap '$W/cut' > '$W/out' 2> '$W/err'; rc=\$?; [ \$rc -eq 1 ] && grep -q 'TLS: ' '$W/out' && grep -q 'cut.*frame [0-9]*:.*truncated' '$W/err'"
  check "$T: empty, garbage, missing, directory: exit 2 with a message naming the file" \
    sh -c ": > '$W/empty'; head -c 5000 /dev/urandom > '$W/garbage';
           for f in '$W/empty' '$W/garbage' '$W/missing' '$W'; do
             '$T' pcap \"\$f\" > /dev/null 2> '$W/err'; rc=\$?
             [ \$rc -eq 2 ] || { echo \"exit \$rc for \$f\"; exit 1; }
             grep -q \"\$f\" '$W/err' || { cat '$W/err'; exit 1; }
           done"
  check "$T: a bad file among good ones: the good ones are analysed, exit 2" \
    sh -c "'$T' pcap '$W/nope' '$LO' > '$W/out' 2>/dev/null; rc=\$?; [ \$rc -eq 2 ] && grep -q 'TLS: 22 ' '$W/out'"
  check "$T: pcapng block with an impossible length: message with the byte offset" \
    sh -c "python3 -c \"
import struct; d = bytearray(open('$ANY','rb').read()); n = struct.unpack('<I', d[4:8])[0]; d[n+4:n+8] = struct.pack('<I', 0x7ffffff0); open('$W/badlen','wb').write(d)\";
           '$T' pcap '$W/badlen' > /dev/null 2> '$W/err'; grep -q 'block at byte [0-9]* has an impossible length' '$W/err'"
done
