#!/bin/bash
# Runs every test: the cmocka unit tests of the normal and the ASan+UBSan
# builds, then every integration suite against both binaries. Ends with the
# line "N passed, N failed" and exits 1 if anything failed.
cd "$(dirname "$0")/.." || exit 1
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0 fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for b in build/tests/*/*_test build/asan/tests/*/*_test; do
  "$b" >"$log" 2>&1
  rc=$?
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log")
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$log")
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
  if [ $rc -ne 0 ] || [ -z "$p$f" ]; then
    [ -z "$f" ] && fail=$((fail + 1))
    echo "FAILED: $b (exit $rc)"; sed 's/^/    /' "$log" | tail -30
  else
    echo "unit  $b: ${p:-0} passed"
  fi
done

# The fuzz targets' regression corpus (tests/fuzz/corpus/TARGET), through
# replay drivers of both builds: crashes once found stay fixed.
for b in build/replay/* build/asan/replay/*; do
  t=$(basename "$b")
  if "$b" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    pass=$((pass + 1)); echo "fuzz  $b: $(tail -1 "$log")"
  else
    fail=$((fail + 1)); echo "FAILED: $b on tests/fuzz/corpus/$t"; tail -30 "$log"
  fi
done

export TLSDIAGS="build/tlsdiag build/asan/tlsdiag"
for t in tests/integration/t*.sh; do
  start=$(date +%s)
  bash "$t" >"$log" 2>&1
  p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
  pass=$((pass + p)); fail=$((fail + f))
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
    fail=$((fail + 1)); echo "FAILED: $t ran no check"; tail -20 "$log"
  fi
  echo "suite $t: $p passed, $f failed ($(( $(date +%s) - start )) s)"
  grep -A40 '^not ok ' "$log" | grep -v '^#     stream' | head -60
done
echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
