# Helpers of the live watch suites (t2300, t2305), sourced after suite.sh netns; $T is the tlsdiag under test.

# watch_start OUT ARGS...: tlsdiag watch -i lo ARGS, stdout to OUT, stderr to OUT.err; its PID in WPID.
watch_start() {
  out=$1; shift
  "$T" watch -i lo "$@" > "$out" 2> "$out.err" & WPID=$!
  td_track "$WPID"
  i=0; while [ $i -lt 100 ] && ! grep -q 'listening on' "$out.err" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
  sleep 0.2
}

# time_until_more PATTERN OUT CLIENT...: runs the failing client, then waits for one more line matching
# PATTERN in OUT; prints the milliseconds from the client's exit to the line, "none" after 3 s.
time_until_more() {
  pat=$1 out=$2; shift 2
  before=$(grep -c "$pat" "$out")
  "$@" </dev/null >/dev/null 2>&1
  t0=$(date +%s%N)
  while [ $(( $(date +%s%N) - t0 )) -lt 3000000000 ]; do
    if [ "$(grep -c "$pat" "$out")" -gt "$before" ]; then
      echo "$(( ($(date +%s%N) - t0) / 1000000 ))"; return 0
    fi
    sleep 0.01
  done
  echo none
}
