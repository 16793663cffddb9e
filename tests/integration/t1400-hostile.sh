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

# Steps of the truncations, bit-flip runs, and how many of the cuts go through
# the CLI as well (every SAMPLE-th); make memcheck (MEMCHECK=1, valgrind) takes
# coarser steps and sends every cut through the CLI.
if [ -n "${MEMCHECK:-}" ]; then S1=16 S61=977 S37=593 F40=4 F20=2 SAMPLE=1; else S1=1 S61=61 S37=37 F40=40 F20=20 SAMPLE=13; fi

# The hostile inputs, made once: the pcap cut at every byte of its first KiB and
# then every 61 bytes, the pcapng every 37 bytes ($W/cuts, listed with where
# each cut falls in $W/cuts.list), and the bit-flipped captures ($W/flips).
mkdir "$W/cuts" "$W/flips"
{ python3 tests/lib/pcaptool.py cuts "$LO" "$W/cuts" $S1 1024 && python3 tests/lib/pcaptool.py cuts "$LO" "$W/cuts" $S61 &&
  python3 tests/lib/pcaptool.py cuts "$ANY" "$W/cuts" $S37; } | sort -u -k1,1 > "$W/cuts.list"
awk -v n=$SAMPLE '(NR - 1) % n == 0' "$W/cuts.list" > "$W/sample.list"
python3 tests/lib/pcaptool.py flips "$LO" "$W/flips" 1 $F40 20 && python3 tests/lib/pcaptool.py flips "$ANY" "$W/flips" 1 $F20 20

# The fuzz target fuzz_pcap (engine, diagnosis, both renderers) linked with the
# replay driver of the same build as tlsdiag (build/replay/pcap,
# build/asan/replay/pcap; under make memcheck, valgrind on the release one).
replay_of() { # tlsdiag
  case $1 in
    */memcheck/*) echo "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite build/replay/pcap" ;;
    *) echo "${1%/*}/replay/pcap" ;;
  esac
}

# Every file of DIR... through the replay driver, in one process: exit 0, no
# sanitizer report, and every input replayed (a crash names its input).
replays_clean() { # tlsdiag dir...
  r=$(replay_of "$1"); shift
  [ -x "${r##* }" ] || { echo "no replay driver ${r##* } (make unit-bins, make asan)"; return 1; }
  n=$(find "$@" -maxdepth 1 -type f | wc -l)
  $r "$@" > "$W/rout" 2> "$W/err"; rc=$?
  if [ $rc -ne 0 ] || grep -q 'Sanitizer\|runtime error\|crashed on' "$W/err"; then
    echo "exit $rc"; tail -40 "$W/err"; return 1
  fi
  grep -qx "replayed $n inputs" "$W/rout" || { echo "expected $n inputs: $(cat "$W/rout")"; return 1; }
  echo "$n inputs replayed clean"
}

# Cuts through tlsdiag itself: exit 0, 1 or 2, never a signal or a sanitizer
# report; a cut inside the file header or a frame/block is named on stderr
# with the file (and the frame, unless the file cannot be read: exit 2); a cut
# between frames is a whole smaller capture: no message, exit 0 or 1.
cli_cuts() { # tlsdiag list ("PATH OFFSET MID" lines)
  n=0
  while read -r f off mid; do
    runs_clean "$1" "$f" || return 1
    if [ "$mid" = 1 ]; then
      grep -qF "$f" "$W/err" && { [ $rc -eq 2 ] || grep -q 'frame [0-9]' "$W/err"; } ||
        { echo "cut at byte $off, inside a header or frame: exit $rc, and stderr does not name it:"; cat "$W/err"; return 1; }
    elif [ $rc -eq 2 ] || [ -s "$W/err" ]; then
      echo "cut at byte $off, between frames (a whole capture): exit $rc"; cat "$W/err"; return 1
    fi
    n=$((n + 1))
  done < "$2"
  [ $n -gt 0 ] && echo "$n cuts clean through the CLI"
}

flips() { # tlsdiag
  for f in "$W"/flips/*; do runs_clean "$1" "$f" || return 1; done
}

[ $S1 = 1 ] && first="at every byte" || first="every $S1 bytes"
[ $SAMPLE = 1 ] && which="each" || which="every ${SAMPLE}th"
for T in $TLSDIAGS; do
  check "$T: pcap cut $first of its first 1 KiB, then every $S61 bytes; pcapng cut every $S37 bytes; and the bit flips: all replayed in one process (fuzz_pcap + replay driver), no crash, no sanitizer report" \
    replays_clean "$T" "$W/cuts" "$W/flips"
  check "$T: $which of those cuts through tlsdiag: exit 0-2, never a signal; each cut inside a header or frame named on stderr with its file" \
    cli_cuts "$T" "$W/sample.list"
  check "$T: $((F40 + F20)) captures with 20 random bit flips each (seeded)" \
    flips "$T"
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
    sh -c "'$T' pcap '$W/nope' '$LO' > '$W/out' 2>/dev/null; rc=\$?; [ \$rc -eq 2 ] && grep -q 'TLS: 14 ' '$W/out'"
  check "$T: pcapng block with an impossible length: message with the byte offset" \
    sh -c "python3 -c \"
import struct; d = bytearray(open('$ANY','rb').read()); n = struct.unpack('<I', d[4:8])[0]; d[n+4:n+8] = struct.pack('<I', 0x7ffffff0); open('$W/badlen','wb').write(d)\";
           '$T' pcap '$W/badlen' > /dev/null 2> '$W/err'; grep -q 'block at byte [0-9]* has an impossible length' '$W/err'"
done
