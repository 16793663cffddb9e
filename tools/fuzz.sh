#!/bin/sh
# make fuzz: tools/fuzz.sh SECONDS TARGET...
# Builds each libFuzzer target against build/fuzz/libtlsdiag.a, seeds its
# corpus from tests/fuzz/corpus/TARGET (the regression corpus) and from
# captures tlsdiag lab writes, and runs it SECONDS seconds. A crash leaves its
# input in build/fuzz/crashes/ and makes this fail: minimise it
# (-minimize_crash=1), fix the bug, and add the input to tests/fuzz/corpus/TARGET.
set -u
cd "$(dirname "$0")/.." || exit 1
secs=$1; shift
B=build/fuzz
PKG_LIBS=$(pkg-config --libs openssl libpcap)
rm -rf $B/crashes
mkdir -p $B/seeds $B/crashes
build/fuzz/tlsdiag lab -w $B/lab >/dev/null 2>&1
python3 tests/fuzz/mkseeds.py $B/seeds $B/lab/*.pcap >/dev/null
fail=0
for t in "$@"; do
  clang -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc -I$B/gen \
    -Itests/fuzz -o $B/fuzz_$t tests/fuzz/fuzz_$t.c tests/fuzz/common.c $B/libtlsdiag.a $PKG_LIBS -lpthread || exit 1
  mkdir -p $B/corpus/$t
  cp tests/fuzz/corpus/$t/* $B/corpus/$t/ 2>/dev/null
  [ -d $B/seeds/$t ] && cp $B/seeds/$t/* $B/corpus/$t/ 2>/dev/null
  [ $t = pcap ] && cp tests/captures/*.pcap* $B/corpus/$t/
  echo "== fuzz_$t: $secs s"
  $B/fuzz_$t -max_total_time="$secs" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=$B/crashes/$t- -print_final_stats=1 $B/corpus/$t 2>&1 |
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)' || true
  ls $B/crashes/$t-* >/dev/null 2>&1 && { echo "fuzz_$t: crash inputs in $B/crashes"; fail=1; }
done
exit $fail
