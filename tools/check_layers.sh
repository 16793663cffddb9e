#!/bin/sh
# Enforce the layering of src/ (see README "Layout") and the banned calls:
#  - each folder includes only the folders below it;
#  - <openssl/...> only in src/cert (X.509), src/crypto (key log decryption) and src/lab (the in-process peers), <pcap...> only in src/capture;
#  - printf/puts/exit only in src/cli (and the out-of-memory abort in mem.c); malloc/memcpy/memcmp only in src/base/mem.[ch];
#  - every .c includes base/banned.h.
cd "$(dirname "$0")/.." || exit 1
status=0
allowed() {
  case $1 in
    base) echo "base" ;;
    crypto) echo "base crypto" ;;
    capture) echo "base capture" ;;
    reasm) echo "base capture reasm" ;;
    tls) echo "base capture reasm crypto tls" ;;
    cert) echo "base cert" ;;
    lab) echo "base capture lab" ;;
    probe) echo "base capture reasm crypto tls cert probe" ;;
    engine) echo "base capture reasm crypto tls engine" ;;
    diag) echo "base capture reasm crypto tls cert diag" ;;
    analyse) echo "base capture reasm crypto tls cert lab engine diag analyse" ;;
    report) echo "base capture reasm crypto tls cert lab engine diag analyse probe report" ;;
    cli) echo "base capture reasm crypto tls cert lab probe engine diag analyse report cli" ;;
  esac
}
for dir in src/*/; do
  layer=$(basename "$dir")
  ok=$(allowed "$layer")
  for f in "$dir"*.c "$dir"*.h; do
    [ -e "$f" ] || continue
    for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*"/\1/p' "$f" | sort -u); do
      case " $ok " in *" $inc "*) ;; *) echo "$f: $layer may not include $inc/"; status=1 ;; esac
    done
    if [ "$layer" != cert ] && [ "$layer" != lab ] && [ "$layer" != crypto ] && [ "$layer" != probe ] && grep -q '^#include <openssl/' "$f"; then echo "$f: OpenSSL outside src/cert, src/crypto, src/probe and src/lab"; status=1; fi
    if [ "$layer" != capture ] && grep -q '^#include <pcap' "$f"; then echo "$f: libpcap outside src/capture"; status=1; fi
    if [ "$layer" != cli ] && [ "$f" != src/base/mem.c ] && grep -nE '(^|[^sn_a-z])(printf|puts|fputs|exit)\(' "$f" | grep -v 'td_buf_printf\|snprintf\|vsnprintf' | grep -q .; then
      echo "$f: prints or exits below src/cli:"; grep -nE '(^|[^sn_a-z])(printf|puts|fputs|exit)\(' "$f" | grep -v 'td_buf_printf\|snprintf'; status=1
    fi
    if [ "$f" != src/base/mem.c ] && [ "$f" != src/base/mem.h ] && grep -nE '(^|[^_a-z])(malloc|calloc|realloc|memcpy|memcmp|memmove)\(' "$f" | grep -q .; then
      echo "$f: raw allocation or memory call outside src/base/mem.c"; status=1
    fi
    case $f in *.c) grep -q '#include "base/banned.h"' "$f" || { echo "$f: does not include base/banned.h"; status=1; } ;; esac
  done
done
[ $status -eq 0 ] && echo "layers: ok"
exit $status
