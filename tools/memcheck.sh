#!/bin/sh
# make memcheck: every integration suite with tlsdiag under valgrind (memcheck):
# an error or a definite leak makes the binary exit 99, which fails the check
# that ran it. The byte-by-byte truncation loops of t1400 take a coarser step
# here (MEMCHECK=1); they run at full density under ASan in make test.
cd "$(dirname "$0")/.." || exit 1
mkdir -p build/memcheck
cat > build/memcheck/tlsdiag <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
  --show-leak-kinds=definite "$PWD/build/tlsdiag" "\$@"
WRAP
chmod +x build/memcheck/tlsdiag
export TLSDIAGS=build/memcheck/tlsdiag MEMCHECK=1
pass=0 fail=0
log=$(mktemp)
# tools/memcheck.sh [SUITE...]: all suites, or those named (e.g. tests/integration/t2000-probe.sh)
[ $# -gt 0 ] && suites="$*" || suites=$(ls tests/integration/t*.sh)
for t in $suites; do
  start=$(date +%s)
  bash "$t" >"$log" 2>&1
  p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
  pass=$((pass + p)); fail=$((fail + f))
  echo "memcheck $t: $p passed, $f failed ($(( $(date +%s) - start )) s)"
  grep -A30 '^not ok ' "$log" | head -60
done
rm -f "$log"
echo "$pass passed, $fail failed under valgrind"
[ "$fail" -eq 0 ]
