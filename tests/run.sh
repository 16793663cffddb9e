#!/bin/bash
# Runs the tests: the cmocka unit tests and the fuzz targets' regression corpus
# of each build, then the integration suites against the binaries. Ends with the
# line "N passed, N failed" and exits 1 if anything failed.
#
#   tests/run.sh [-j N] [NAME...]
#     no NAME        everything (make test): lint unit fuzz integration
#     lint           tools/check_layers.sh and tools/format-check.sh, one check each
#     unit | fuzz | integration      one kind
#     diag/rules_test, rules_test    one unit test (TD_TEST=GLOB: only the matching cases)
#     replay/pcap, pcap              one fuzz target's corpus replay
#     t1700, t1700-cert, tests/integration/t1700-cert.sh
#                                    one integration suite (TD_CASE=GLOB: only the checks
#                                    whose description matches *GLOB*)
#   TLSDIAGS    the binaries under test (default: build/tlsdiag build/asan/tlsdiag);
#               the unit tests and replays of the same builds are run
#   -j N        jobs at once (default $TD_JOBS, else the number of CPUs): the units and
#               replays of each build and each suite are independent jobs (each suite
#               runs in its own temporary directory and network namespace); their
#               output is kept and printed in the order above, each when it is done.
cd "$(dirname "$0")/.." || exit 1
set -u
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TLSDIAGS=${TLSDIAGS:-build/tlsdiag build/asan/tlsdiag}
jobs_max=${TD_JOBS:-$(nproc 2>/dev/null || echo 2)}
if [ "${1:-}" = -j ]; then jobs_max=$2; shift 2; fi
case $jobs_max in '' | *[!0-9]* | 0) echo "run.sh: bad job count '$jobs_max'" >&2; exit 2 ;; esac
# Suites that take longest start first (output order is unchanged).
SLOW="t1600 t1700 t1410 t2000 t1800 t1400 t1540 t1200"

builds=()
for t in $TLSDIAGS; do builds+=("${t%/*}"); done

# The job list: "lint TOOL", "unit BUILD [NAME]", "fuzz BUILD [TARGET]", "suite FILE".
list=()
add_units() { for b in "${builds[@]}"; do list+=("unit $b ${1:-}"); done; }
add_fuzz() { for b in "${builds[@]}"; do list+=("fuzz $b ${1:-}"); done; }
add_suites() { for f in "$@"; do list+=("suite $f"); done; }
[ $# -eq 0 ] && set -- lint unit fuzz integration
for name in "$@"; do
  case $name in
    lint) list+=("lint check_layers" "lint format-check") ;;
    unit) add_units ;;
    fuzz) add_fuzz ;;
    integration) add_suites tests/integration/t*.sh ;;
    tests/integration/*.sh) add_suites "$name" ;;
    tests/unit/*_test.c) name=${name#tests/unit/}; add_units "${name%.c}" ;;
    t[0-9]*)
      m=(tests/integration/"${name%.sh}"*.sh)
      [ -e "${m[0]}" ] || { echo "run.sh: no suite tests/integration/$name*.sh" >&2; exit 2; }
      add_suites "${m[@]}" ;;
    replay/* | fuzz/*) add_fuzz "${name#*/}" ;;
    */* | *_test) add_units "$name" ;;
    *)
      if [ -e "tests/fuzz/fuzz_$name.c" ]; then add_fuzz "$name"
      else echo "run.sh: unknown test '$name' (unit, fuzz, integration, DIR/FILE_test, tNNNN, a fuzz target)" >&2; exit 2; fi ;;
  esac
done

tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Each job writes what it shows into $tmp/N.out and "passed failed" into
# $tmp/N.count (last, renamed into place: its presence means the job is done).
counted() { echo "$2 $3" >"$tmp/$1.count.tmp" && mv "$tmp/$1.count.tmp" "$tmp/$1.count"; }
run_lint() { # N tool
  local n=$1 log=$tmp/$1.log
  if sh "tools/$2.sh" >"$log" 2>&1; then
    echo "lint  tools/$2.sh: $(tail -1 "$log")" >"$tmp/$n.out"; counted "$n" 1 0
  else
    { echo "FAILED: tools/$2.sh"; sed 's/^/    /' "$log" | tail -25; } >"$tmp/$n.out"; counted "$n" 0 1
  fi
}

run_unit() { # N build [name]
  local n=$1 b=$2 name=${3:-} p f rc bins=() log=$tmp/$1.log pass=0 fail=0
  if [ -n "$name" ]; then
    case $name in */*) bins=("$b/tests/$name") ;; *) bins=("$b"/tests/*/"$name") ;; esac
  else
    bins=("$b"/tests/*/*_test)
  fi
  for t in "${bins[@]}"; do
    if [ ! -x "$t" ]; then fail=$((fail + 1)); echo "FAILED: $t is not built (make unit-bins, make asan)"; continue; fi
    "$t" >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log")
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$log")
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
    if [ $rc -ne 0 ] || [ -z "$p$f" ] || [ "${p:-0}${f:-0}" = 00 ]; then
      [ -z "$f" ] && fail=$((fail + 1))
      echo "FAILED: $t (exit $rc${TD_TEST:+, TD_TEST=$TD_TEST}$([ "${p:-0}${f:-0}" = 00 ] && echo ', no case ran'))"
      sed 's/^/    /' "$log" | tail -30
    else
      echo "unit  $t: ${p:-0} passed"
    fi
  done >"$tmp/$n.out"
  counted "$n" "$pass" "$fail"
}

run_fuzz() { # N build [target]
  local n=$1 b=$2 log=$tmp/$1.log pass=0 fail=0 bins t
  if [ -n "${3:-}" ]; then bins=("$b/replay/$3"); else bins=("$b"/replay/*); fi
  for r in "${bins[@]}"; do
    t=${r##*/}
    if [ ! -x "$r" ]; then fail=$((fail + 1)); echo "FAILED: $r is not built (make unit-bins, make asan)"; continue; fi
    if "$r" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
      pass=$((pass + 1)); echo "fuzz  $r: $(tail -1 "$log")"
    else
      fail=$((fail + 1)); echo "FAILED: $r on tests/fuzz/corpus/$t"; tail -30 "$log"
    fi
  done >"$tmp/$n.out"
  counted "$n" "$pass" "$fail"
}

run_suite() { # N file
  local n=$1 t=$2 log=$tmp/$1.log start p f
  start=$(date +%s)
  bash "$t" >"$log" 2>&1
  p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
  {
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
      f=1; echo "FAILED: $t ran no check${TD_CASE:+ (TD_CASE=$TD_CASE matched none)}"; tail -20 "$log"
    fi
    echo "suite $t: $p passed, $f failed ($(( $(date +%s) - start )) s)"
    grep -A40 '^not ok ' "$log" | grep -v '^#     stream' | head -60
  } >"$tmp/$n.out"
  counted "$n" "$p" "$f"
}

# Launch order: units and replays first, then the slow suites, then the rest.
order=()
for i in "${!list[@]}"; do case ${list[$i]} in lint* | unit* | fuzz*) order+=("$i") ;; esac; done
for s in $SLOW; do
  for i in "${!list[@]}"; do case ${list[$i]} in "suite tests/integration/$s"-*) order+=("$i") ;; esac; done
done
for i in "${!list[@]}"; do
  case " ${order[*]} " in *" $i "*) ;; *) order+=("$i") ;; esac
done

pass=0 fail=0 next=0 start=$(date +%s)
flush() { # print, in list order, every finished job not yet printed
  local p f
  while [ $next -lt ${#list[@]} ] && [ -e "$tmp/$next.count" ]; do
    cat "$tmp/$next.out"
    read -r p f <"$tmp/$next.count"
    pass=$((pass + p)); fail=$((fail + f)); next=$((next + 1))
  done
}
for i in "${order[@]}"; do
  while [ "$(jobs -pr | wc -l)" -ge "$jobs_max" ]; do wait -n; flush; done
  set -- ${list[$i]}
  "run_$1" "$i" "$2" "${3:-}" &
done
while [ "$(jobs -pr | wc -l)" -gt 0 ]; do wait -n; flush; done
wait
flush
echo
echo "$(( $(date +%s) - start )) s, $jobs_max jobs at once"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
