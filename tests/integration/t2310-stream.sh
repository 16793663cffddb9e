#!/bin/bash
# Streaming: a capture read from a pipe or a FIFO is shown connection by
# connection as each verdict settles, not at the end of the input; verdicts
# that later traffic changes are given again, marked revised; Ctrl-C of
# tcpdump -w - | tlsdiag pcap - prints what was read, with the summary.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh netns
F=tests/captures/failures-lo.pcap

# slow_writer OUT PATTERN [ARGS]: failures-lo.pcap at 10 ms a packet through a FIFO into tlsdiag pcap ARGS -;
# K (packets written when PATTERN was first in OUT) and N in $W/seen.
slow_writer() {
  out=$1 pat=$2; shift 2
  rm -f "$W/fifo" "$out"; mkfifo "$W/fifo"
  "$T" pcap "$@" - < "$W/fifo" > "$out" & RPID=$!
  python3 tests/lib/slow_pcap.py "$F" 0.01 "$out" "$pat" > "$W/fifo" 2> "$W/seen"
  wait "$RPID"; echo "exit $?" >> "$W/seen"
}

for T in $TLSDIAGS; do
  # tcp.stream 2 ends with frame 10 (an RST); the capture has 514 frames.
  check "$T: text from a FIFO: the first failure's verdict is out after its last packet, long before the end" bash -c "
    $(declare -f slow_writer); W='$W' F='$F' T='$T'
    slow_writer '$W/out' 'Cause +client sent nothing'
    cat '$W/seen'
    k=\$(sed -n 's/^seen after packet \\([0-9]*\\) of 514\$/\\1/p' '$W/seen')
    [ -n \"\$k\" ] && [ \"\$k\" -ge 10 ] && [ \"\$k\" -le 40 ] && grep -q '^exit 1\$' '$W/seen' &&
      grep -q '^-: 514 frames' '$W/out'"
  # openssl-lo.pcap: tcp.stream 2 ends with frame 10; stream 20's cipher_mismatch is confirmed by a later client.
  check "$T: JSON from a FIFO: records as they settle, then the revised ones again with \"revised\":true" bash -c "
    $(declare -f slow_writer); W='$W' F='$LO' T='$T'
    slow_writer '$W/out.json' '\"stream\":2,.*\"cause\":\"no_client_hello\"' --json
    cat '$W/seen'
    k=\$(sed -n 's/^seen after packet \\([0-9]*\\) of 276\$/\\1/p' '$W/seen')
    [ -n \"\$k\" ] && [ \"\$k\" -ge 10 ] && [ \"\$k\" -le 40 ] && grep -q '\"revised\":true' '$W/out.json' &&
    { '$T' pcap --json '$LO' > '$W/file.json'; [ \$? -eq 1 ]; } &&
    python3 - '$W/file.json' '$W/out.json' <<'PY'
import json, sys
def records(path):
    out = {}
    for line in open(path):
        d = json.loads(line)
        out[(d.get('stream'), d.get('type'))] = d  # the last record of a stream wins
    return out
final, seen = records(sys.argv[1]), records(sys.argv[2])
assert set(seen) == set(final), set(seen) ^ set(final)
for k, d in final.items():
    for key in ('cause', 'confidence', 'outcome'):
        assert seen[k].get(key) == d.get(key), (k, key, seen[k].get(key), d.get(key))
print(len(final), 'records: the last of each stream is what the file run gives')
PY"
done

# A live tcpdump in this namespace piped into tlsdiag; SIGINT to both (what Ctrl-C does to the pipeline).
ossl_srv 9443 -cert "$P/server.crt" -key "$P/server.key"
for T in $TLSDIAGS; do
  check "$T: Ctrl-C of tcpdump -w - | tlsdiag pcap -: each failure shown as it happens, the summary at the end, exit 1" bash -c "
    ( bash -c 'echo \$\$ > \"$W/tcpdump.pid\"; exec tcpdump -n -i lo -s 0 -U -w - tcp port 9443 2> \"$W/tcpdump.log\"' |
      '$T' pcap - > '$W/live.out' 2> '$W/live.err' ) & PIPE=\$!
    i=0; while [ \$i -lt 100 ] && ! grep -q 'listening on' '$W/tcpdump.log' 2>/dev/null; do sleep 0.05; i=\$((i + 1)); done
    sleep 0.2
    TPID=\$(cat '$W/tcpdump.pid')
    for n in 1 2 3; do
      openssl s_client -connect 127.0.0.1:9443 -servername server.test -CAfile '$P/root.crt' -verify_return_error \
        </dev/null >/dev/null 2>&1
    done
    openssl s_client -connect 127.0.0.1:9443 -servername server.test -CAfile '$P/ca-bundle.crt' </dev/null >/dev/null 2>&1
    i=0; while [ \$i -lt 20 ] && [ \$(grep -c '^tcp.stream' '$W/live.out') -lt 4 ]; do sleep 0.1; i=\$((i + 1)); done
    before=\$(grep -c '^  Cause' '$W/live.out'); echo \"verdicts before the signal: \$before\"
    TD=\$(ps -o pid= --ppid \$PIPE | tr -d ' ' | grep -vx \"\$TPID\" | head -1)
    [ -n \"\$TD\" ] || TD=\$PIPE
    kill -INT \$TPID \$TD 2>/dev/null
    wait \$PIPE; rc=\$?
    cat '$W/live.err'; tail -4 '$W/live.out'
    [ \$before -ge 3 ] && [ \$rc -eq 1 ] &&
      grep -q '^-: [0-9]* frames, .*TLS: 4 (1 ok, 3 failed' '$W/live.out' && ! grep -qi 'damaged\\|interrupted' '$W/live.err'"
done
