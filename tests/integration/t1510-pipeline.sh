#!/bin/bash
# The analysis pipeline as the command line shows it: filters choose what is
# shown, never what is diagnosed; the exit status follows what is shown; a
# filter that matches nothing says so; a signal ends the input cleanly.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
F=tests/captures/failures-lo.pcap

for T in $TLSDIAGS; do
  check "$T: --stream of a stream the capture does not have: said on stderr, exit 2" sh -c "
    '$T' pcap --stream 9999 '$F' > '$W/out' 2> '$W/err'; rc=\$?
    [ \$rc -eq 2 ] && grep -q 'there is no tcp.stream 9999' '$W/err' && grep -q '69 TCP streams' '$W/err'"
  check "$T: --stream of a completed connection exits 0 in a capture full of failures" sh -c "
    '$T' pcap --stream 48 '$F' > '$W/out'; rc=\$?
    [ \$rc -eq 0 ] && grep -q '^tcp.stream 48 ' '$W/out' && ! grep -q '^tcp.stream 49 ' '$W/out'"
  check "$T: --stream of a failed one exits 1, and its verdict is the one of the whole-capture run" sh -c "
    '$T' pcap --json --stream 55 '$F' > '$W/one'; rc=\$?
    '$T' pcap --json '$F' | grep '\"stream\":55,' > '$W/all'
    [ \$rc -eq 1 ] && [ -s '$W/one' ] && cmp '$W/one' '$W/all'"
  check "$T: --host with no match says so and shows nothing" sh -c "
    '$T' pcap --host nowhere.test '$F' > '$W/out' 2> '$W/err'; rc=\$?
    [ \$rc -eq 0 ] && grep -q 'no connection to or from nowhere.test' '$W/err' && ! grep -q '^tcp.stream' '$W/out'"
  check "$T: --failed shows only failures, exit 1; the summary still counts the whole capture" sh -c "
    '$T' pcap --failed --json '$F' > '$W/out'; rc=\$?
    [ \$rc -eq 1 ] && ! grep -q '\"outcome\":\"ok\"' '$W/out' && grep -q '\"outcome\":\"failed\"' '$W/out' &&
    [ \"\$('$T' pcap --failed '$F' | grep 'TCP connections; TLS:')\" = \"\$('$T' pcap '$F' | grep 'TCP connections; TLS:')\" ]"
  # (wait on a pipeline waits for all of it: whether tlsdiag ended at the
  # signal is read from kill -0 on its PID)
  check "$T: SIGINT while reading standard input: what was read is judged and summarised, exit status kept" bash -c "
    ( cat '$F'; sleep 4 ) | '$T' pcap - > '$W/out' 2> '$W/err' & TPID=\$!
    sleep 1.5; kill -INT \$TPID
    i=0; while kill -0 \$TPID 2>/dev/null && [ \$i -lt 15 ]; do sleep 0.1; i=\$((i + 1)); done
    ended=\$i; wait \$TPID; rc=\$?
    [ \$ended -lt 15 ] && [ \$rc -eq 1 ] && grep -q '^-: [0-9]* frames, .*TLS: [0-9]* ([0-9]* ok, [1-9][0-9]* failed' '$W/out' && ! grep -qi 'damaged\\|interrupted' '$W/err'"
done
