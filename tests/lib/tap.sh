# Minimal TAP output for the shell tests: "ok - ..." / "not ok - ..." lines,
# which tests/run.sh counts. check DESC CMD... runs CMD and shows its output
# on failure. With TD_CASE=GLOB (make check T=t1700 CASE=GLOB) only the checks
# whose description matches *GLOB* run; the others print "# filtered: DESC"
# (not counted), and tests/run.sh fails a suite in which no check ran.
T_OUT=$(mktemp)
trap 'rm -f "$T_OUT"' EXIT  # netns.sh, when sourced after, extends this
check() {
  desc=$1; shift
  if [ -n "${TD_CASE:-}" ] && [[ $desc != *$TD_CASE* ]]; then
    echo "# filtered: $desc"
    return 0
  fi
  if "$@" >"$T_OUT" 2>&1; then
    echo "ok - $desc"
  else
    echo "not ok - $desc"
    sed 's/^/#   /' "$T_OUT" | head -40
  fi
}
# The binaries under test: the normal and the sanitizer build.
TLSDIAGS=${TLSDIAGS:-build/tlsdiag}
