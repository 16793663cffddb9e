#!/bin/sh
# Enforce the layering of src/ (README "Layout" is a copy of allowed() below)
# and the banned calls:
#  - each folder includes only the folders allowed() lists, by "layer/file.h"
#    (a relative "../layer/file.h" include is an error in itself);
#  - a folder's internal.h is for its own files only;
#  - <openssl/...> only in src/cert, src/crypto (key log decryption), src/lab (the
#    in-process peers) and src/probe (the one libssl handshake); <pcap...> only in src/capture;
#  - printing and exiting (printf, fprintf, vfprintf, puts, fputs, putchar, fputc,
#    fwrite, perror, exit, _exit, abort) only in src/cli, and the calls ALLOWED
#    below (the out-of-memory message and abort in src/base/mem.c; a file the
#    library itself writes);
#  - malloc/calloc/realloc/memcpy/memcmp/memmove (and __builtin_mem*) only in
#    src/base/mem.[ch]; memset only in src/base (elsewhere td_memzero);
#  - every .c includes base/banned.h.
# Prints one line per finding ("FILE:LINE: ...") and "layers: ok" or
# "layers: N findings"; exits 1 on any finding.
cd "$(dirname "$0")/.." || exit 1
set -u
findings=0
err() { printf '%s\n' "$*"; findings=$((findings + 1)); }
# "FILE CALL" pairs exempt from the printing rule, each with its reason.
ALLOWED="src/base/mem.c fputs
src/base/mem.c abort
src/lab/lab.c fwrite"
# mem.c: "tlsdiag: out of memory" on stderr, then abort (the only way out of td_malloc);
# lab.c: writes the key log file DIR/NAME.keys of tlsdiag lab -w (a file, not the output).
allowed() {
  case $1 in
    base) echo "base" ;;
    crypto) echo "base crypto" ;;
    capture) echo "base capture" ;;
    reasm) echo "base capture reasm" ;;
    tls) echo "base crypto tls" ;;
    cert) echo "base cert" ;;
    lab) echo "base capture lab" ;;
    probe) echo "base capture reasm crypto tls cert probe" ;;
    engine) echo "base capture reasm crypto tls engine" ;;
    diag) echo "base crypto tls cert diag" ;;
    config) echo "base crypto tls cert config" ;;
    log) echo "base crypto tls cert diag log" ;;
    analyse) echo "base capture reasm crypto tls cert lab engine diag analyse" ;;
    report) echo "base capture reasm crypto tls cert lab engine diag probe config analyse log report" ;;
    cli) echo "base capture reasm crypto tls cert lab probe engine diag config analyse log report cli" ;;
    *) echo "" ;;
  esac
}
# Lines of FILE whose code (comments, string and character literals left out)
# matches the ERE, as "the calls matched<TAB>FILE:LINE: text".
code_grep() { # ere file
  awk -v re="$1" -v f="$2" '
    { line = ""; n = length($0); i = 1
      while (i <= n) {
        c = substr($0, i, 1); c2 = substr($0, i, 2)
        if (incomment) { if (c2 == "*/") { incomment = 0; i += 2 } else i++; continue }
        if (c2 == "/*") { incomment = 1; i += 2; line = line " "; continue }
        if (c2 == "//") break
        if (c == "\"" || c == "\047") {       # a string or character literal: kept as two quotes
          q = c; i++
          while (i <= n && substr($0, i, 1) != q) i += (substr($0, i, 1) == "\\") ? 2 : 1
          line = line q q; i++; continue
        }
        line = line c; i++
      }
      if (line !~ re) next
      calls = ""
      while (match(line, re)) {
        m = substr(line, RSTART, RLENGTH); sub(/^[^A-Za-z_]*/, "", m); sub(/[ (]*$/, "", m)
        calls = calls " " m; line = substr(line, RSTART + RLENGTH)
      }
      printf "%s\t%s:%d: %s\n", substr(calls, 2), f, NR, $0 }' "$2"
}
TAB=$(printf '\t')
ID='(^|[^A-Za-z0-9_])'
PRINTS="${ID}(printf|fprintf|vprintf|vfprintf|dprintf|puts|fputs|putchar|fputc|putc|fwrite|perror|exit|_exit|abort)[ ]*\\("
RAWMEM="${ID}(malloc|calloc|realloc|memcpy|memcmp|memmove|__builtin_mem[a-z]*)[ ]*\\("
MEMSET="${ID}(memset|__builtin_memset)[ ]*\\("

for dir in src/*/; do
  layer=$(basename "$dir")
  ok=$(allowed "$layer")
  [ -n "$ok" ] || { err "$dir: a folder allowed() does not know: add it to tools/check_layers.sh and README \"Layout\""; continue; }
  for f in "$dir"*.c "$dir"*.h; do
    [ -e "$f" ] || continue
    # #include "x/y.h" and "../x/y.h": the layer x, and whether it is relative
    grep -n '^[ ]*#[ ]*include[ ]*"' "$f" | sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/' |
      while IFS=' ' read -r n path; do
        case $path in
          ../*) printf '%s\n' "$f:$n: relative include \"$path\": write \"${path#../}\"" ;;
        esac
        p=${path#../}
        case $p in */*) inc=${p%%/*} ;; *) continue ;; esac
        case " $ok " in *" $inc "*) ;; *) echo "$f:$n: $layer may not include $inc/ (\"$path\")" ;; esac
        if [ "${p##*/}" = internal.h ] && [ "$inc" != "$layer" ]; then
          known=""
          [ "$f $p" = "src/probe/probe.c cert/internal.h" ] && known=" (known: issue 12, td_set_add_x509 and struct td_entry)"
          echo "$f:$n: \"$p\" is $inc's own header: $layer must use what $inc/ declares in its public headers$known"
        fi
      done >"${TMPDIR:-/tmp}/layers.$$"
    while IFS= read -r line; do err "$line"; done <"${TMPDIR:-/tmp}/layers.$$"
    rm -f "${TMPDIR:-/tmp}/layers.$$"
    case $layer in
      cert | crypto | lab | probe) ;;
      *) grep -n '^#include <openssl/' "$f" | while IFS= read -r l; do echo "$f:${l%%:*}: OpenSSL outside src/cert, src/crypto, src/lab and src/probe"; done ;;
    esac >"${TMPDIR:-/tmp}/layers.$$"
    [ "$layer" = capture ] || grep -n '^#include <pcap' "$f" | while IFS= read -r l; do echo "$f:${l%%:*}: libpcap outside src/capture"; done >>"${TMPDIR:-/tmp}/layers.$$"
    if [ "$layer" != cli ]; then
      code_grep "$PRINTS" "$f" | while IFS="$TAB" read -r calls l; do
        bad=""
        for call in $calls; do
          printf '%s\n' "$ALLOWED" | grep -qx "$f $call" || bad="$bad $call"
        done
        [ -z "$bad" ] || printf '%s  <- %s below src/cli: render into a td_buf, return an error\n' "$l" "${bad# }"
      done >>"${TMPDIR:-/tmp}/layers.$$"
    fi
    if [ "$f" != src/base/mem.c ] && [ "$f" != src/base/mem.h ]; then
      code_grep "$RAWMEM" "$f" | cut -f2- | sed 's/$/  <- raw allocation or memory call outside src\/base\/mem.[ch] (td_malloc, td_memcopy, td_mem_eq)/' >>"${TMPDIR:-/tmp}/layers.$$"
    fi
    [ "$layer" = base ] || code_grep "$MEMSET" "$f" | cut -f2- | sed 's/$/  <- memset outside src\/base: td_memzero/' >>"${TMPDIR:-/tmp}/layers.$$"
    case $f in *.c) grep -q '^#include "base/banned.h"' "$f" || echo "$f: does not include base/banned.h" >>"${TMPDIR:-/tmp}/layers.$$" ;; esac
    while IFS= read -r line; do err "$line"; done <"${TMPDIR:-/tmp}/layers.$$"
    rm -f "${TMPDIR:-/tmp}/layers.$$"
  done
done
# Every unit test runs through tl_run_tests, so that TD_TEST / make check CASE= filter it.
for f in tests/unit/*/*_test.c; do
  grep -q 'tl_run_tests(' "$f" || err "$f: main does not call tl_run_tests (TD_TEST would be ignored)"
done
if [ $findings -eq 0 ]; then echo "layers: ok"; exit 0; fi
echo "layers: $findings findings"
exit 1
