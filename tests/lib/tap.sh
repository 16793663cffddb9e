# Minimal TAP output for the shell tests: "ok - ..." / "not ok - ..." lines,
# which tests/run.sh counts. check DESC CMD... runs CMD and shows its output
# on failure.
T_OUT=$(mktemp)
trap 'rm -f "$T_OUT"' EXIT  # netns.sh, when sourced after, extends this
check() {
  desc=$1; shift
  if "$@" >"$T_OUT" 2>&1; then
    echo "ok - $desc"
  else
    echo "not ok - $desc"
    sed 's/^/#   /' "$T_OUT" | head -40
  fi
}
# The binaries under test: the normal and the sanitizer build.
TLSDIAGS=${TLSDIAGS:-build/tlsdiag}
